//! The scheduler's VolumeBinding plugin as pure functions (`volumebinding/binder.go`): which claims
//! of a pod are bound, delayed or immediate; whether a node can satisfy them (with the real
//! conflict reasons); and the PreBind writes (a static volume's claimRef, or the claim's
//! `volume.kubernetes.io/selected-node` for dynamic provisioning).
//!
//! The scheduler calls, per pod: [`pre_filter`] once; [`find_pod_volumes`] per candidate node
//! (a non-empty `reasons` list means the node is filtered out with those reasons); then
//! [`bind_pod_volumes`] for the chosen node; then polls [`check_bindings`] until it returns
//! `Ok(true)` before setting `spec.nodeName` (an `Err` fails the binding cycle).

use crate::api::well_known::*;
use crate::api::{ApiError, Kind, ObjectKey, Typed};
use crate::apiserver::ApiServer;
use crate::controllers::pv_controller::helpers::*;
use crate::controllers::pv_controller::index::{MatchRequest, find_matching_volume_by_scan};
use crate::controllers::pv_controller::{claim_reference, is_delay_binding_mode};
use crate::sim::Component;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use std::collections::{BTreeMap, BTreeSet};

/// `ErrReasonBindConflict`.
pub const REASON_BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
/// `ErrReasonNodeConflict` (renamed in 1.33 from `node(s) had volume node affinity conflict`).
pub const REASON_NODE_CONFLICT: &str = "node(s) didn't match PersistentVolume's node affinity";
/// `ErrReasonNotEnoughSpace`.
pub const REASON_NOT_ENOUGH_SPACE: &str = "node(s) did not have enough free storage";
/// `ErrReasonPVNotExist`.
pub const REASON_PV_NOT_EXIST: &str = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/// PreFilter's `UnschedulableAndUnresolvable` message for unbound Immediate claims.
pub const REASON_UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";

/// A pod's claims by binding state (`GetPodVolumeClaims`), as claim names in the pod's namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodVolumeClaims {
    /// Claims fully bound (volumeName set and `bind-completed`).
    pub bound: Vec<String>,
    /// Unbound claims of WaitForFirstConsumer classes without a volumeName: the scheduler decides.
    pub unbound_delay_binding: Vec<String>,
    /// Every other unbound claim: the PV controller decides; the pod waits.
    pub unbound_immediate: Vec<String>,
}

/// What the scheduler decided for a pod on a node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PodVolumes {
    /// Claims to bind to existing volumes: (claim name, volume name).
    pub static_bindings: Vec<(String, String)>,
    /// Claims to provision on the node.
    pub dynamic_provisions: Vec<String>,
}

/// `GetPodVolumeClaims`.
///
/// # Errors
/// `persistentvolumeclaim "<name>" not found` or `... is being deleted`, as the scheduler reports.
pub fn get_pod_volume_claims(store: &Store, pod: &Pod) -> Result<PodVolumeClaims, String> {
    let namespace = namespace_of(&pod.metadata);
    let mut claims = PodVolumeClaims::default();
    for name in pod_claim_names(pod) {
        let Some(claim) = store.get_typed::<PersistentVolumeClaim>(namespace, &name) else {
            return Err(format!("persistentvolumeclaim {name:?} not found"));
        };
        if claim.metadata.deletion_timestamp.is_some() {
            return Err(format!("persistentvolumeclaim {name:?} is being deleted"));
        }
        let fully_bound = !claim_volume_name(claim).is_empty() && has_annotation(&claim.metadata, ANN_BIND_COMPLETED);
        if fully_bound {
            claims.bound.push(name);
        } else if claim_volume_name(claim).is_empty() && is_delay_binding_mode(store, claim).unwrap_or(false) {
            claims.unbound_delay_binding.push(name);
        } else {
            claims.unbound_immediate.push(name);
        }
    }
    Ok(claims)
}

/// PreFilter: the pod's claims, or why the pod cannot be scheduled at all.
///
/// # Errors
/// The claim lookup error, or [`REASON_UNBOUND_IMMEDIATE`].
pub fn pre_filter(store: &Store, pod: &Pod) -> Result<PodVolumeClaims, String> {
    let claims = get_pod_volume_claims(store, pod)?;
    if !claims.unbound_immediate.is_empty() {
        return Err(REASON_UNBOUND_IMMEDIATE.to_string());
    }
    Ok(claims)
}

fn topology_terms_match(class: &StorageClass, node: &Node) -> bool {
    let Some(terms) = class.allowed_topologies.as_ref().filter(|t| !t.is_empty()) else {
        return true;
    };
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    terms.iter().any(|term| {
        term.match_label_expressions.iter().flatten().all(|r| labels.get(&r.key).is_some_and(|v| r.values.contains(v)))
    })
}

/// `FindPodVolumes`: what the pod's claims need on `node`, and the conflict reasons if the node
/// cannot satisfy them (empty when it can).
pub fn find_pod_volumes(
    store: &Store,
    pod: &Pod,
    claims: &PodVolumeClaims,
    node: &Node,
) -> (PodVolumes, Vec<&'static str>) {
    let namespace = namespace_of(&pod.metadata);
    let mut reasons = Vec::new();
    let mut decisions = PodVolumes::default();
    // Bound claims: their volumes must exist and be reachable from the node.
    let mut bound_ok = true;
    let mut bound_found = true;
    for name in &claims.bound {
        let Some(claim) = store.get_typed::<PersistentVolumeClaim>(namespace, name) else {
            continue;
        };
        match store.get_typed::<PersistentVolume>("", claim_volume_name(claim)) {
            None => bound_found = false,
            Some(volume) if !volume_fits_node(volume, node) => bound_ok = false,
            Some(_) => {}
        }
    }
    // Delayed claims: static matches first (smallest requests first), then provisioning.
    let mut unbound_ok = true;
    let mut delayed: Vec<&PersistentVolumeClaim> = claims
        .unbound_delay_binding
        .iter()
        .filter_map(|name| store.get_typed::<PersistentVolumeClaim>(namespace, name))
        .collect();
    delayed.sort_by_key(|c| claim_request(c));
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    let mut to_provision = Vec::new();
    for claim in delayed {
        let request = MatchRequest { claim, node: Some(node), excluded: &chosen, delay_binding: true };
        match find_matching_volume_by_scan(store, &request) {
            Some(volume) => {
                chosen.insert(volume.clone());
                decisions.static_bindings.push((name_of(&claim.metadata).to_string(), volume));
            }
            None => to_provision.push(claim),
        }
    }
    for claim in to_provision {
        let name = name_of(&claim.metadata).to_string();
        if let Some(selected) = annotation(&claim.metadata, ANN_SELECTED_NODE) {
            if selected != name_of(&node.metadata) {
                unbound_ok = false;
                break;
            }
            decisions.dynamic_provisions.push(name);
            continue;
        }
        let Some(class) = store.get_typed::<StorageClass>("", claim_class(claim)) else {
            unbound_ok = false;
            break;
        };
        if class.provisioner.is_empty()
            || class.provisioner == "kubernetes.io/no-provisioner"
            || !topology_terms_match(class, node)
        {
            unbound_ok = false;
            break;
        }
        decisions.dynamic_provisions.push(name);
    }
    if !bound_ok {
        reasons.push(REASON_NODE_CONFLICT);
    }
    if !unbound_ok {
        reasons.push(REASON_BIND_CONFLICT);
    }
    if !bound_found {
        reasons.push(REASON_PV_NOT_EXIST);
    }
    (decisions, reasons)
}

/// PreBind (`AssumePodVolumes` + `BindPodVolumes`): writes each static binding's claimRef (with
/// `bound-by-controller`) and each provisioned claim's `selected-node` annotation. The PV controller
/// and the provisioner do the rest.
///
/// # Errors
/// The API server's error for a write (a Conflict means the scheduler retries the pod).
pub fn bind_pod_volumes(api: &mut ApiServer, pod: &Pod, decisions: &PodVolumes, node: &str) -> Result<(), ApiError> {
    let namespace = namespace_of(&pod.metadata).to_string();
    for (claim_name, volume_name) in &decisions.static_bindings {
        let store = api.store();
        let (Some(claim), Some(volume)) = (
            store.get_typed::<PersistentVolumeClaim>(&namespace, claim_name).cloned(),
            store.get_typed::<PersistentVolume>("", volume_name).cloned(),
        ) else {
            continue;
        };
        if is_volume_bound_to_claim(&volume, &claim)
            && volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_some_and(|r| r.uid == claim.metadata.uid)
        {
            continue;
        }
        let mut clone = volume;
        if !is_volume_bound_to_claim(&clone, &claim) {
            set_annotation(&mut clone.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
        }
        clone.spec.get_or_insert_with(Default::default).claim_ref = Some(claim_reference(&claim));
        api.update(Component::Scheduler, clone.into_object())?;
    }
    for claim_name in &decisions.dynamic_provisions {
        let Some(claim) = api.store().get_typed::<PersistentVolumeClaim>(&namespace, claim_name).cloned() else {
            continue;
        };
        if annotation(&claim.metadata, ANN_SELECTED_NODE) == Some(node) {
            continue;
        }
        let mut clone = claim;
        set_annotation(&mut clone.metadata, ANN_SELECTED_NODE, node);
        api.update(Component::Scheduler, clone.into_object())?;
    }
    Ok(())
}

/// `checkBindings`: `Ok(true)` when every decided claim is fully bound to a volume that fits the
/// node, `Ok(false)` while waiting.
///
/// # Errors
/// Why the binding cannot complete, in the scheduler's words.
pub fn check_bindings(store: &Store, pod: &Pod, decisions: &PodVolumes, node: &Node) -> Result<bool, String> {
    let namespace = namespace_of(&pod.metadata);
    let node_name = name_of(&node.metadata);
    let mut all_bound = true;
    let mut check_claim = |claim_name: &str, dynamic: bool| -> Result<(), String> {
        let Some(claim) = store.get_typed::<PersistentVolumeClaim>(namespace, claim_name) else {
            return Err(format!(
                "failed to get pvc {namespace:?}/{claim_name:?}: persistentvolumeclaim {claim_name:?} not found"
            ));
        };
        if dynamic && claim_volume_name(claim).is_empty() && annotation(&claim.metadata, ANN_SELECTED_NODE).is_none() {
            if has_annotation(&claim.metadata, ANN_STORAGE_PROVISIONER) {
                return Err(format!("provisioning failed for PVC {claim_name:?}"));
            }
            return Err(format!("selectedNode annotation reset for PVC {claim_name:?}"));
        }
        if claim_volume_name(claim).is_empty() || !has_annotation(&claim.metadata, ANN_BIND_COMPLETED) {
            all_bound = false;
            return Ok(());
        }
        let volume_name = claim_volume_name(claim);
        let Some(volume) = store.get_typed::<PersistentVolume>("", volume_name) else {
            return Err(format!("pv {volume_name:?} not found"));
        };
        if !volume_fits_node(volume, node) {
            return Err(format!(
                "pv {volume_name:?} node affinity doesn't match node {node_name:?}: no matching NodeSelectorTerms"
            ));
        }
        Ok(())
    };
    for (claim_name, volume_name) in &decisions.static_bindings {
        if let Some(volume) = store.get_typed::<PersistentVolume>("", volume_name)
            && volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_none()
        {
            return Err(format!("ClaimRef got reset for pv {volume_name:?}"));
        }
        check_claim(claim_name, false)?;
    }
    for claim_name in &decisions.dynamic_provisions {
        check_claim(claim_name, true)?;
    }
    Ok(all_bound)
}

/// Whether every claim of a pod is fully bound (the scheduler may skip PreBind).
pub fn pod_volumes_bound(store: &Store, pod: &Pod) -> bool {
    get_pod_volume_claims(store, pod)
        .is_ok_and(|c| c.unbound_delay_binding.is_empty() && c.unbound_immediate.is_empty())
}

/// The key of a claim of a pod.
pub fn claim_key(pod: &Pod, claim: &str) -> ObjectKey {
    ObjectKey::namespaced(Kind::PersistentVolumeClaim, namespace_of(&pod.metadata), claim)
}
