//! Server-side warnings: the texts the API server returns in `Warning` response headers for a create,
//! update or patch, and that kubectl prints as `Warning: <text>` on stderr.
//!
//! Upstream: pkg/api/persistentvolume/util.go `warningsForPersistentVolumeSpecAndMeta`,
//! pkg/api/storage/util.go `GetWarningsForStorageClass` and pkg/api/node/util.go `DeprecatedNodeLabels`.

use super::Object;
use super::well_known::ANN_BETA_STORAGE_CLASS;
use k8s_openapi::api::core::v1::NodeSelectorTerm;

/// The beta mount-options annotation on a PersistentVolume.
const ANN_BETA_MOUNT_OPTIONS: &str = "volume.beta.kubernetes.io/mount-options";

/// The deprecated node labels and what to use instead (pkg/api/node/util.go `DeprecatedNodeLabels`).
fn deprecated_node_label(key: &str) -> Option<&'static str> {
    Some(match key {
        "beta.kubernetes.io/arch" => "deprecated since v1.14; use \"kubernetes.io/arch\" instead",
        "beta.kubernetes.io/os" => "deprecated since v1.14; use \"kubernetes.io/os\" instead",
        "failure-domain.beta.kubernetes.io/region" => {
            "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead"
        }
        "failure-domain.beta.kubernetes.io/zone" => {
            "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead"
        }
        "beta.kubernetes.io/instance-type" => {
            "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead"
        }
        _ => return None,
    })
}

fn node_selector_term_warnings(term: &NodeSelectorTerm, path: &str, warnings: &mut Vec<String>) {
    for (j, expression) in term.match_expressions.iter().flatten().enumerate() {
        if let Some(message) = deprecated_node_label(&expression.key) {
            warnings.push(format!("{path}.matchExpressions[{j}].key: {} is {message}", expression.key));
        }
    }
}

/// The warnings the API server returns for writing `object` (empty for most objects).
pub fn warnings_for(object: &Object) -> Vec<String> {
    let mut warnings = Vec::new();
    match object {
        Object::PersistentVolume(pv) => {
            let annotations = pv.metadata.annotations.as_ref();
            if annotations.is_some_and(|a| a.contains_key(ANN_BETA_STORAGE_CLASS)) {
                warnings.push(format!(
                    "metadata.annotations[{ANN_BETA_STORAGE_CLASS}]: deprecated since v1.8; use \"storageClassName\" attribute instead"
                ));
            }
            if annotations.is_some_and(|a| a.contains_key(ANN_BETA_MOUNT_OPTIONS)) {
                warnings.push(format!(
                    "metadata.annotations[{ANN_BETA_MOUNT_OPTIONS}]: deprecated since v1.31; use \"mountOptions\" attribute instead"
                ));
            }
            let Some(spec) = pv.spec.as_ref() else { return warnings };
            if spec.persistent_volume_reclaim_policy.as_deref() == Some("Recycle") {
                warnings.push(
                    "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning."
                        .to_string(),
                );
            }
            let terms = spec.node_affinity.as_ref().and_then(|a| a.required.as_ref()).map(|r| &r.node_selector_terms);
            for (i, term) in terms.into_iter().flatten().enumerate() {
                let path = format!("spec.nodeAffinity.required.nodeSelectorTerms[{i}]");
                node_selector_term_warnings(term, &path, &mut warnings);
            }
        }
        Object::StorageClass(class) => {
            for (i, topology) in class.allowed_topologies.iter().flatten().enumerate() {
                for (j, expression) in topology.match_label_expressions.iter().flatten().enumerate() {
                    if let Some(message) = deprecated_node_label(&expression.key) {
                        warnings.push(format!("allowedTopologies[{i}].matchLabelExpressions[{j}]: {message}"));
                    }
                }
            }
        }
        _ => {}
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pv(value: serde_json::Value) -> Object {
        Object::from_value_reporting_unknown(crate::api::Kind::PersistentVolume, value, &mut |_| {})
            .expect("a valid PersistentVolume")
    }

    #[test]
    fn recycle_policy_should_warn_as_upstream() {
        let object = pv(json!({"metadata": {"name": "a"}, "spec": {"persistentVolumeReclaimPolicy": "Recycle"}}));
        assert_eq!(
            warnings_for(&object),
            vec![
                "spec.persistentVolumeReclaimPolicy: The Recycle reclaim policy is deprecated. Instead, the recommended approach is to use dynamic provisioning."
            ]
        );
        let retain = pv(json!({"metadata": {"name": "a"}, "spec": {"persistentVolumeReclaimPolicy": "Retain"}}));
        assert!(warnings_for(&retain).is_empty());
    }

    #[test]
    fn beta_annotations_and_node_labels_should_warn_in_upstream_order() {
        let object = pv(json!({
            "metadata": {"name": "a", "annotations": {
                "volume.beta.kubernetes.io/storage-class": "x",
                "volume.beta.kubernetes.io/mount-options": "ro"
            }},
            "spec": {"nodeAffinity": {"required": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "beta.kubernetes.io/os", "operator": "In", "values": ["windows"]}]}
            ]}}}
        }));
        assert_eq!(
            warnings_for(&object),
            vec![
                "metadata.annotations[volume.beta.kubernetes.io/storage-class]: deprecated since v1.8; use \"storageClassName\" attribute instead",
                "metadata.annotations[volume.beta.kubernetes.io/mount-options]: deprecated since v1.31; use \"mountOptions\" attribute instead",
                "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].key: beta.kubernetes.io/os is deprecated since v1.14; use \"kubernetes.io/os\" instead",
            ]
        );
    }
}
