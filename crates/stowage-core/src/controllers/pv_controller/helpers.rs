//! Storage helpers shared by the PV controller, the provisioners, the scheduler's volume binding and
//! the attach/detach and resize controllers (component-helpers `storage/volume`, `pv_helpers.go`).

use crate::api::quantity::Quantity;
use crate::api::well_known::*;
use crate::sim::SimTime;
use k8s_openapi::api::core::v1::{
    Node, NodeSelector, NodeSelectorRequirement, PersistentVolume, PersistentVolumeClaim, Pod,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

/// `ReadWriteOnce` in an access-mode bit set.
pub const RWO: u8 = 1;
/// `ReadOnlyMany` in an access-mode bit set.
pub const ROX: u8 = 2;
/// `ReadWriteMany` in an access-mode bit set.
pub const RWX: u8 = 4;
/// `ReadWriteOncePod` in an access-mode bit set.
pub const RWOP: u8 = 8;

/// The bit of one access mode; unknown modes have none (validation rejects them anyway).
pub fn access_mode_bit(mode: &str) -> u8 {
    match mode {
        "ReadWriteOnce" => RWO,
        "ReadOnlyMany" => ROX,
        "ReadWriteMany" => RWX,
        "ReadWriteOncePod" => RWOP,
        _ => 0,
    }
}

/// The bit set of a list of access modes.
pub fn access_mode_bits(modes: &[String]) -> u8 {
    modes.iter().fold(0, |bits, mode| bits | access_mode_bit(mode))
}

/// A claim's requested access modes as bits.
pub fn claim_access_modes(claim: &PersistentVolumeClaim) -> u8 {
    access_mode_bits(claim.spec.as_ref().and_then(|s| s.access_modes.as_deref()).unwrap_or(&[]))
}

/// A volume's access modes as bits.
pub fn volume_access_modes(volume: &PersistentVolume) -> u8 {
    access_mode_bits(volume.spec.as_ref().and_then(|s| s.access_modes.as_deref()).unwrap_or(&[]))
}

/// kubectl's short form of an access-mode set, in its fixed order (`RWO,ROX,RWX,RWOP`).
pub fn access_modes_short(bits: u8) -> String {
    let names = [(RWO, "RWO"), (ROX, "ROX"), (RWX, "RWX"), (RWOP, "RWOP")];
    names.iter().filter(|(bit, _)| bits & bit != 0).map(|(_, name)| *name).collect::<Vec<_>>().join(",")
}

/// The class of a claim for matching (`GetPersistentVolumeClaimClass`): the beta annotation wins,
/// then `spec.storageClassName`; nil and `""` are both `""`.
pub fn claim_class(claim: &PersistentVolumeClaim) -> &str {
    if let Some(class) = claim.metadata.annotations.as_ref().and_then(|a| a.get(ANN_BETA_STORAGE_CLASS)) {
        return class;
    }
    claim.spec.as_ref().and_then(|s| s.storage_class_name.as_deref()).unwrap_or("")
}

/// The class of a volume (`GetPersistentVolumeClass`).
pub fn volume_class(volume: &PersistentVolume) -> &str {
    if let Some(class) = volume.metadata.annotations.as_ref().and_then(|a| a.get(ANN_BETA_STORAGE_CLASS)) {
        return class;
    }
    volume.spec.as_ref().and_then(|s| s.storage_class_name.as_deref()).unwrap_or("")
}

/// The storage a claim requests (zero when unset or unparseable).
pub fn claim_request(claim: &PersistentVolumeClaim) -> Quantity {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| Quantity::parse(&q.0).ok())
        .unwrap_or_else(|| Quantity::from_bytes(0))
}

/// A volume's `spec.capacity.storage` (zero when unset or unparseable).
pub fn volume_capacity(volume: &PersistentVolume) -> Quantity {
    volume
        .spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| Quantity::parse(&q.0).ok())
        .unwrap_or_else(|| Quantity::from_bytes(0))
}

/// A claim's `status.capacity.storage`, if set.
pub fn claim_status_capacity(claim: &PersistentVolumeClaim) -> Option<Quantity> {
    claim
        .status
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| Quantity::parse(&q.0).ok())
}

/// Bytes of a quantity (rounded up; negative as zero).
pub fn bytes(quantity: &Quantity) -> u64 {
    u64::try_from(quantity.value()).unwrap_or(0)
}

/// A volume mode, with nil meaning `Filesystem`.
pub fn claim_volume_mode(claim: &PersistentVolumeClaim) -> &str {
    claim.spec.as_ref().and_then(|s| s.volume_mode.as_deref()).unwrap_or("Filesystem")
}

/// A volume's mode, with nil meaning `Filesystem`.
pub fn volume_volume_mode(volume: &PersistentVolume) -> &str {
    volume.spec.as_ref().and_then(|s| s.volume_mode.as_deref()).unwrap_or("Filesystem")
}

/// A claim's VolumeAttributesClass name (`""` when unset).
pub fn claim_attributes_class(claim: &PersistentVolumeClaim) -> &str {
    claim.spec.as_ref().and_then(|s| s.volume_attributes_class_name.as_deref()).unwrap_or("")
}

/// A volume's VolumeAttributesClass name (`""` when unset).
pub fn volume_attributes_class(volume: &PersistentVolume) -> &str {
    volume.spec.as_ref().and_then(|s| s.volume_attributes_class_name.as_deref()).unwrap_or("")
}

/// `spec.volumeName` of a claim (`""` when unset).
pub fn claim_volume_name(claim: &PersistentVolumeClaim) -> &str {
    claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or("")
}

/// The namespace of an object's metadata (`""` when unset).
pub fn namespace_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or("")
}

/// The name of an object's metadata (`""` when unset).
pub fn name_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

/// The uid of an object's metadata (`""` when unset).
pub fn uid_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> &str {
    meta.uid.as_deref().unwrap_or("")
}

/// Whether an annotation is present.
pub fn has_annotation(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str) -> bool {
    meta.annotations.as_ref().is_some_and(|a| a.contains_key(key))
}

/// An annotation's value.
pub fn annotation<'a>(
    meta: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    key: &str,
) -> Option<&'a str> {
    meta.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

/// Sets an annotation.
pub fn set_annotation(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str, value: &str) {
    meta.annotations.get_or_insert_with(BTreeMap::new).insert(key.to_string(), value.to_string());
}

/// Removes an annotation (and the map when it becomes empty).
pub fn remove_annotation(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str) {
    if let Some(annotations) = meta.annotations.as_mut() {
        annotations.remove(key);
        if annotations.is_empty() {
            meta.annotations = None;
        }
    }
}

/// Whether a finalizer is present.
pub fn has_finalizer(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, finalizer: &str) -> bool {
    meta.finalizers.as_ref().is_some_and(|f| f.iter().any(|x| x == finalizer))
}

/// Adds a finalizer at the end of the list.
pub fn add_finalizer(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, finalizer: &str) {
    let list = meta.finalizers.get_or_insert_with(Vec::new);
    if !list.iter().any(|f| f == finalizer) {
        list.push(finalizer.to_string());
    }
}

/// Removes a finalizer (and the list when it becomes empty).
pub fn remove_finalizer(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, finalizer: &str) {
    if let Some(list) = meta.finalizers.as_mut() {
        list.retain(|f| f != finalizer);
        if list.is_empty() {
            meta.finalizers = None;
        }
    }
}

/// A volume's phase (`""` when unset).
pub fn volume_phase(volume: &PersistentVolume) -> &str {
    volume.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

/// A claim's phase (`""` when unset).
pub fn claim_phase(claim: &PersistentVolumeClaim) -> &str {
    claim.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

/// `IsVolumeBoundToClaim`: the volume's claimRef names the claim (and, when it has a uid, the same uid).
pub fn is_volume_bound_to_claim(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let Some(claim_ref) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
        return false;
    };
    if claim_ref.name.as_deref() != claim.metadata.name.as_deref()
        || claim_ref.namespace.as_deref() != claim.metadata.namespace.as_deref()
    {
        return false;
    }
    match claim_ref.uid.as_deref() {
        Some(uid) if !uid.is_empty() => Some(uid) == claim.metadata.uid.as_deref(),
        _ => true,
    }
}

/// Whether a label selector matches a label set (`metav1.LabelSelectorAsSelector` semantics; a nil
/// selector matches everything, an empty one too).
pub fn label_selector_matches(selector: Option<&LabelSelector>, labels: Option<&BTreeMap<String, String>>) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    let empty = BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    for (key, value) in selector.match_labels.iter().flatten() {
        if labels.get(key) != Some(value) {
            return false;
        }
    }
    for requirement in selector.match_expressions.iter().flatten() {
        let values = requirement.values.as_deref().unwrap_or(&[]);
        let present = labels.get(&requirement.key);
        let ok = match requirement.operator.as_str() {
            "In" => present.is_some_and(|v| values.contains(v)),
            "NotIn" => present.is_none_or(|v| !values.contains(v)),
            "Exists" => present.is_some(),
            "DoesNotExist" => present.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

fn node_requirement_matches(requirement: &NodeSelectorRequirement, value: Option<&String>) -> bool {
    let values = requirement.values.as_deref().unwrap_or(&[]);
    match requirement.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(value), Some(bound)) =
                (value.and_then(|v| v.parse::<i64>().ok()), values.first().and_then(|v| v.parse::<i64>().ok()))
            else {
                return false;
            };
            if requirement.operator == "Gt" { value > bound } else { value < bound }
        }
        _ => false,
    }
}

/// Whether a node selector (terms ORed, expressions ANDed) matches a node's labels and name.
pub fn node_selector_matches(selector: &NodeSelector, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
    selector.node_selector_terms.iter().any(|term| {
        let expressions = term.match_expressions.as_deref().unwrap_or(&[]);
        let fields = term.match_fields.as_deref().unwrap_or(&[]);
        if expressions.is_empty() && fields.is_empty() {
            return false;
        }
        let name = node_name.to_string();
        expressions.iter().all(|r| node_requirement_matches(r, labels.get(&r.key)))
            && fields.iter().all(|r| r.key == "metadata.name" && node_requirement_matches(r, Some(&name)))
    })
}

/// `CheckNodeAffinity`: a volume without required node affinity fits every node.
pub fn volume_fits_node(volume: &PersistentVolume, node: &Node) -> bool {
    let Some(required) = volume.spec.as_ref().and_then(|s| s.node_affinity.as_ref()).and_then(|a| a.required.as_ref())
    else {
        return true;
    };
    let empty = BTreeMap::new();
    node_selector_matches(required, name_of(&node.metadata), node.metadata.labels.as_ref().unwrap_or(&empty))
}

/// Whether a pod has finished (`Succeeded` or `Failed`).
pub fn pod_is_terminated(pod: &Pod) -> bool {
    matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// The node a pod is scheduled to (`""` when unscheduled).
pub fn pod_node(pod: &Pod) -> &str {
    pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("")
}

/// The claim names a pod uses: `persistentVolumeClaim.claimName` volumes and generic ephemeral
/// volumes (`<pod>-<volume>`).
pub fn pod_claim_names(pod: &Pod) -> Vec<String> {
    let pod_name = name_of(&pod.metadata);
    pod.spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|volume| {
            if let Some(source) = &volume.persistent_volume_claim {
                Some(source.claim_name.clone())
            } else if volume.ephemeral.is_some() {
                Some(format!("{pod_name}-{}", volume.name))
            } else {
                None
            }
        })
        .collect()
}

/// Whether a pod uses the claim `name` (in the pod's namespace).
pub fn pod_uses_claim(pod: &Pod, name: &str) -> bool {
    pod_claim_names(pod).iter().any(|c| c == name)
}

/// The current time as a `metav1.Time`.
pub fn k8s_now(now: SimTime) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    now.to_k8s_time()
}

/// A storage quantity as the API server serializes one made from bytes (`10Gi`, `1536Mi`).
pub fn quantity_from_bytes(bytes: u64) -> k8s_openapi::apimachinery::pkg::api::resource::Quantity {
    let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
    k8s_openapi::apimachinery::pkg::api::resource::Quantity(Quantity::from_bytes(bytes).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes_should_print_in_kubectl_order() {
        assert_eq!(access_modes_short(RWX | RWO), "RWO,RWX");
        assert_eq!(access_modes_short(RWOP), "RWOP");
        assert_eq!(access_mode_bits(&["ReadOnlyMany".to_string(), "ReadWriteOnce".to_string()]), RWO | ROX);
    }

    #[test]
    fn quantities_from_bytes_should_be_canonical() {
        assert_eq!(quantity_from_bytes(10 * 1024 * 1024 * 1024).0, "10Gi");
        assert_eq!(quantity_from_bytes(1536 * 1024 * 1024).0, "1536Mi");
    }
}
