//! Cross-object invariants, checked after every step in tests and debug builds.
//!
//! A violation means the simulator is wrong, never the user: real Kubernetes keeps these true.

use crate::apiserver::ApiServer;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use std::collections::BTreeMap;

/// Returns a line per violated invariant.
pub fn check(api: &ApiServer) -> Vec<String> {
    let mut violations = Vec::new();
    let store = api.store();
    // A bound claim's volume points back at it (by uid) once the volume's side is written.
    for claim in store.list_typed::<PersistentVolumeClaim>() {
        let phase = claim.status.as_ref().and_then(|s| s.phase.as_deref());
        let volume_name = claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or("");
        if phase == Some("Bound") {
            match store.get_typed::<PersistentVolume>("", volume_name) {
                Some(volume) => {
                    let claim_ref = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
                    let points_back = claim_ref.is_some_and(|r| {
                        r.name == claim.metadata.name && r.namespace == claim.metadata.namespace && r.uid == claim.metadata.uid
                    });
                    if !points_back {
                        violations.push(format!(
                            "claim {}/{} is Bound to volume {volume_name} whose claimRef does not point back",
                            claim.metadata.namespace.as_deref().unwrap_or(""),
                            claim.metadata.name.as_deref().unwrap_or("")
                        ));
                    }
                }
                None if claim.metadata.deletion_timestamp.is_none() => violations.push(format!(
                    "claim {}/{} is Bound to volume {volume_name}, which does not exist",
                    claim.metadata.namespace.as_deref().unwrap_or(""),
                    claim.metadata.name.as_deref().unwrap_or("")
                )),
                None => {}
            }
        }
    }
    // A Bound volume's claim, when it exists with the same uid, names it (or is mid-bind with no name yet).
    for volume in store.list_typed::<PersistentVolume>() {
        let Some(claim_ref) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else { continue };
        if volume.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound") {
            continue;
        }
        let claim = store.get_typed::<PersistentVolumeClaim>(
            claim_ref.namespace.as_deref().unwrap_or(""),
            claim_ref.name.as_deref().unwrap_or(""),
        );
        if let Some(claim) = claim.filter(|c| c.metadata.uid == claim_ref.uid) {
            let name = claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or("");
            if !name.is_empty() && Some(name) != volume.metadata.name.as_deref() {
                violations.push(format!(
                    "volume {} is Bound to claim {}, which names volume {name}",
                    volume.metadata.name.as_deref().unwrap_or(""),
                    claim.metadata.name.as_deref().unwrap_or("")
                ));
            }
        }
    }
    // A StatefulSet never runs two live pods with one ordinal (pod names are unique by construction,
    // so check that no pod of a set has a name outside the set's naming scheme).
    for set in store.list_typed::<StatefulSet>() {
        let name = set.metadata.name.as_deref().unwrap_or("");
        let namespace = set.metadata.namespace.as_deref().unwrap_or("");
        let mut ordinals: BTreeMap<String, u32> = BTreeMap::new();
        for pod in store.list_typed_in::<Pod>(namespace) {
            let owned = pod.metadata.owner_references.iter().flatten().any(|r| r.uid == set.metadata.uid.clone().unwrap_or_default());
            if owned {
                let pod_name = pod.metadata.name.clone().unwrap_or_default();
                *ordinals.entry(pod_name).or_insert(0) += 1;
            }
        }
        for (pod_name, count) in ordinals {
            if count > 1 || !pod_name.starts_with(&format!("{name}-")) {
                violations.push(format!("statefulset {namespace}/{name} has an unexpected pod {pod_name}"));
            }
        }
    }
    violations
}
