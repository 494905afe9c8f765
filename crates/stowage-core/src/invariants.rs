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
                        r.name == claim.metadata.name
                            && r.namespace == claim.metadata.namespace
                            && r.uid == claim.metadata.uid
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
    storage_access_invariants(api, &mut violations);
    // A StatefulSet never runs two live pods with one ordinal (pod names are unique by construction,
    // so check that no pod of a set has a name outside the set's naming scheme).
    for set in store.list_typed::<StatefulSet>() {
        let name = set.metadata.name.as_deref().unwrap_or("");
        let namespace = set.metadata.namespace.as_deref().unwrap_or("");
        let mut ordinals: BTreeMap<String, u32> = BTreeMap::new();
        for pod in store.list_typed_in::<Pod>(namespace) {
            let owned = pod
                .metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.uid == set.metadata.uid.clone().unwrap_or_default());
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

/// Data-plane invariants: a StatefulSet ordinal never runs in two sandboxes on reachable nodes, and a
/// ReadWriteOncePod claim is never mounted by two running pods. (A force-deleted pod that keeps running
/// on a partitioned node is the user's doing, not the simulator's, and is not counted.)
pub fn check_dataplane(api: &ApiServer, backend: &crate::backend::Backend) -> Vec<String> {
    let mut violations = Vec::new();
    let dataplane = &backend.dataplane;
    let mut by_pod: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut by_rwop_claim: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for sandbox in dataplane.pods.values() {
        let running = sandbox.containers.iter().any(|c| c.is_running());
        let reachable = dataplane.node_state(&sandbox.node) != crate::kubelet::NodeState::Partitioned;
        if !running || !reachable {
            continue;
        }
        let namespace = sandbox.key.namespace.clone();
        let Some(pod) = store_pod(api, &namespace, &sandbox.key.name)
            .filter(|p| p.metadata.uid.as_deref() == Some(sandbox.uid.as_str()))
        else {
            continue;
        };
        if pod.metadata.owner_references.iter().flatten().any(|r| r.kind == "StatefulSet") {
            *by_pod.entry((namespace.clone(), sandbox.key.name.clone())).or_insert(0) += 1;
        }
        for volume in sandbox.volumes.values() {
            let Some(claim_name) = &volume.claim_name else { continue };
            let claim = api.store().get_typed::<PersistentVolumeClaim>(&namespace, claim_name);
            let rwop = claim
                .and_then(|c| c.spec.as_ref()?.access_modes.as_ref())
                .is_some_and(|m| m.iter().any(|m| m == "ReadWriteOncePod"));
            if rwop {
                by_rwop_claim
                    .entry((namespace.clone(), claim_name.clone()))
                    .or_default()
                    .push(sandbox.key.name.clone());
            }
        }
    }
    for ((namespace, name), count) in by_pod {
        if count > 1 {
            violations.push(format!("statefulset pod {namespace}/{name} runs in {count} sandboxes"));
        }
    }
    for ((namespace, claim), pods) in by_rwop_claim {
        if pods.len() > 1 {
            violations.push(format!("ReadWriteOncePod claim {namespace}/{claim} is mounted by {}", pods.join(", ")));
        }
    }
    violations
}

fn store_pod<'a>(api: &'a ApiServer, namespace: &str, name: &str) -> Option<&'a Pod> {
    api.store().get_typed::<Pod>(namespace, name)
}

/// A volume that may attach to one node only (access modes without ReadWriteMany or ReadOnlyMany)
/// is attached to at most one node; a ReadWriteOncePod claim is used by at most one running pod.
fn storage_access_invariants(api: &ApiServer, violations: &mut Vec<String>) {
    use crate::controllers::pv_controller::helpers::{
        ROX, RWOP, RWX, claim_access_modes, pod_claim_names, pod_is_terminated, volume_access_modes,
    };
    use k8s_openapi::api::storage::v1::VolumeAttachment;
    let store = api.store();
    let mut attached: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for attachment in store.list_typed::<VolumeAttachment>() {
        if attachment.status.as_ref().is_some_and(|s| s.attached)
            && let Some(volume) = attachment.spec.source.persistent_volume_name.clone()
        {
            attached.entry(volume).or_default().push(attachment.spec.node_name.clone());
        }
    }
    for (volume_name, mut nodes) in attached {
        nodes.sort();
        nodes.dedup();
        let single_node = store
            .get_typed::<PersistentVolume>("", &volume_name)
            .is_some_and(|v| volume_access_modes(v) & (RWX | ROX) == 0);
        if single_node && nodes.len() > 1 {
            violations
                .push(format!("volume {volume_name} may attach to one node but is attached to {}", nodes.join(", ")));
        }
    }
    let mut users: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for pod in store.list_typed::<Pod>() {
        let running =
            pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running") && !pod_is_terminated(pod);
        if !running {
            continue;
        }
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        for claim in pod_claim_names(pod) {
            users.entry((namespace.clone(), claim)).or_default().push(pod.metadata.name.clone().unwrap_or_default());
        }
    }
    for ((namespace, claim_name), pods) in users {
        if pods.len() < 2 {
            continue;
        }
        let once_pod = store
            .get_typed::<PersistentVolumeClaim>(&namespace, &claim_name)
            .is_some_and(|c| claim_access_modes(c) & RWOP != 0);
        if once_pod {
            violations.push(format!(
                "ReadWriteOncePod claim {namespace}/{claim_name} is used by running pods {}",
                pods.join(", ")
            ));
        }
    }
}
