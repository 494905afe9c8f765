//! Volume expansion: kube-controller-manager's expand controller hands CSI claims to the external
//! resizer, the csi-resizer sidecar (external-resizer v1.13, RecoverVolumeExpansionFailure on)
//! grows the volume, and the kubelet finishes with the filesystem ([`node_expand`]).
//!
//! Design: a Bound claim whose `spec.resources.requests.storage` exceeds its volume's capacity needs
//! expanding. The expand controller marks it with `volume.kubernetes.io/storage-resizer` and emits
//! `ExternalExpanding`. The resizer records `status.allocatedResources` with
//! `allocatedResourceStatuses.storage: ControllerResizeInProgress` and the `Resizing` condition,
//! calls `ControllerExpandVolume` (the cloud's modify call, after the driver's latency), writes the
//! volume's new `spec.capacity`, and then either finishes (`VolumeResizeSuccessful`, status capacity
//! updated) or, for drivers with a filesystem to grow, leaves `NodeResizePending` with the
//! `FileSystemResizePending` condition until the kubelet calls [`node_expand`].

use super::pv_controller::helpers::*;
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::ANN_STORAGE_RESIZER;
use crate::api::{ApiError, Kind, ObjectKey, Typed};
use crate::apiserver::{ApiServer, EventType};
use crate::backend::{Backend, OperationState};
use crate::csi::{self, Expansion};
use crate::sim::{Component, TraceVerb};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimCondition, Pod};
use k8s_openapi::api::storage::v1::CSIDriver;
use std::collections::BTreeMap;

/// The expand controller's event source.
pub const EXPAND_SOURCE: &str = "volume_expand";

/// kube-controller-manager's expand controller.
#[derive(Debug)]
pub struct ExpandController;

/// The csi-resizer sidecars of every installed CSI driver that expands.
#[derive(Debug)]
pub struct ExternalResizer;

/// The CSI driver and handle behind a volume (CSI or migrated in-tree).
fn driver_and_handle(volume: &PersistentVolume) -> Option<(String, String)> {
    let spec = volume.spec.as_ref()?;
    if let Some(csi) = spec.csi.as_ref() {
        Some((csi.driver.clone(), csi.volume_handle.clone()))
    } else if let Some(ebs) = spec.aws_elastic_block_store.as_ref() {
        Some(("ebs.csi.aws.com".to_string(), ebs.volume_id.clone()))
    } else {
        spec.gce_persistent_disk
            .as_ref()
            .map(|_| ("pd.csi.storage.gke.io".to_string(), name_of(&volume.metadata).to_string()))
    }
}

/// A predicate for both controllers: a Bound claim asking for more than its status says, or one
/// with a resize in progress.
fn may_need_expansion(api: &ApiServer, change: &crate::store::Change, out: &mut Vec<ObjectKey>) {
    if change.key.kind != Kind::PersistentVolumeClaim {
        return;
    }
    let Some(claim) = api.store().get_typed::<PersistentVolumeClaim>(&change.key.namespace, &change.key.name) else {
        return;
    };
    let resizing =
        claim.status.as_ref().and_then(|s| s.allocated_resource_statuses.as_ref()).is_some_and(|s| !s.is_empty());
    let grows = claim_phase(claim) == "Bound"
        && claim_status_capacity(claim).is_some_and(|capacity| claim_request(claim) > capacity);
    if resizing || grows {
        out.push(change.key.clone());
    }
}

/// The claim's bound volume, when the claim is Bound and wants more than the volume has.
fn needs_expansion(api: &ApiServer, claim: &PersistentVolumeClaim) -> Option<PersistentVolume> {
    if claim_phase(claim) != "Bound" {
        return None;
    }
    let volume = api.store().get_typed::<PersistentVolume>("", claim_volume_name(claim))?;
    if claim_request(claim) > volume_capacity(volume) { Some(volume.clone()) } else { None }
}

impl Controller for ExpandController {
    fn component(&self) -> Component {
        Component::ExpandController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::PersistentVolumeClaim]
    }

    fn triggers(&self, change: &crate::store::Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        may_need_expansion(api, change, out);
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(claim) = ctx.api.store().get_typed::<PersistentVolumeClaim>(&key.namespace, &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        let Some(volume) = needs_expansion(ctx.api, &claim) else {
            return Ok(Action::await_change());
        };
        let Some((driver, _)) = driver_and_handle(&volume) else {
            // In-tree volumes without a resizer cannot expand in 1.34.
            return Ok(Action::await_change());
        };
        if annotation(&claim.metadata, ANN_STORAGE_RESIZER) != Some(driver.as_str()) {
            let mut clone = claim.clone();
            set_annotation(&mut clone.metadata, ANN_STORAGE_RESIZER, &driver);
            ctx.api.update(Component::ExpandController, clone.into_object())?;
            // `FindExpandablePluginBySpec` finds no in-tree plugin for a CSI volume and returns an
            // error ("no volume plugin matched"), which makes the event a Warning.
            ctx.api.record_event(
                EXPAND_SOURCE,
                None,
                key,
                EventType::Warning,
                "ExternalExpanding",
                "waiting for an external controller to expand this PVC",
            );
        }
        Ok(Action::await_change())
    }
}

fn condition(type_: &str, message: Option<&str>, now: crate::sim::SimTime) -> PersistentVolumeClaimCondition {
    PersistentVolumeClaimCondition {
        type_: type_.to_string(),
        status: "True".to_string(),
        last_probe_time: None,
        last_transition_time: Some(now.to_k8s_time()),
        message: message.map(str::to_string),
        reason: None,
    }
}

impl Controller for ExternalResizer {
    fn component(&self) -> Component {
        Component::ExternalResizer
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::PersistentVolumeClaim]
    }

    fn triggers(&self, change: &crate::store::Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        may_need_expansion(api, change, out);
        // A pod starting (or running) on a node mounts its claims: a claim waiting for its file
        // system resize gets it there.
        if change.key.kind == Kind::Pod
            && let Some(pod) = api.store().get_typed::<Pod>(&change.key.namespace, &change.key.name)
            && pod_is_running(pod)
        {
            for claim in pod_claim_names(pod) {
                out.push(ObjectKey::namespaced(Kind::PersistentVolumeClaim, &change.key.namespace, &claim));
            }
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(claim) = ctx.api.store().get_typed::<PersistentVolumeClaim>(&key.namespace, &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        if let Some((pod, node)) = node_resize_target(ctx.api, &claim) {
            // The kubelet's volume manager on that node: NodeExpandVolume for a mounted volume
            // (online expansion) or while mounting it for a (re)started pod.
            node_expand(ctx.api, ctx.backend, key, Some(&pod), &node)?;
            return Ok(Action::await_change());
        }
        let Some(resizer) = annotation(&claim.metadata, ANN_STORAGE_RESIZER).map(str::to_string) else {
            return Ok(Action::await_change());
        };
        let Some(info) = csi::driver(&resizer) else {
            return Ok(Action::await_change());
        };
        if info.expansion == Expansion::None || ctx.api.store().get_typed::<CSIDriver>("", info.name).is_none() {
            // No csi-resizer runs for this driver: the claim waits forever.
            return Ok(Action::await_change());
        }
        let Some(volume) = needs_expansion(ctx.api, &claim) else {
            return Ok(Action::await_change());
        };
        let Some((_, handle)) = driver_and_handle(&volume) else {
            return Ok(Action::await_change());
        };
        let source = format!("external-resizer {}", info.name);
        let volume_name = name_of(&volume.metadata).to_string();
        let requested = bytes(&claim_request(&claim));
        let new_size = if info.round_up_bytes > 1 {
            requested.div_ceil(info.round_up_bytes) * info.round_up_bytes
        } else {
            requested
        };
        let operation = format!("expand/{}", uid_of(&claim.metadata));
        let volume_key = ObjectKey::cluster(Kind::PersistentVolume, &volume_name);
        match ctx.backend.poll(&operation, ctx.now()) {
            OperationState::InFlight(remaining) => Ok(Action::wait_for(remaining)),
            OperationState::NotStarted => {
                let mut clone = claim.clone();
                let status = clone.status.get_or_insert_with(Default::default);
                let request_quantity = claim
                    .spec
                    .as_ref()
                    .and_then(|s| s.resources.as_ref())
                    .and_then(|r| r.requests.as_ref())
                    .and_then(|r| r.get("storage"))
                    .cloned();
                if let Some(quantity) = request_quantity {
                    status.allocated_resources = Some(BTreeMap::from([("storage".to_string(), quantity)]));
                }
                status.allocated_resource_statuses =
                    Some(BTreeMap::from([("storage".to_string(), "ControllerResizeInProgress".to_string())]));
                status.conditions = Some(vec![condition("Resizing", None, ctx.now())]);
                ctx.api.update_status(Component::ExternalResizer, clone.into_object())?;
                ctx.api.record_event(
                    &source,
                    None,
                    key,
                    EventType::Normal,
                    "Resizing",
                    &format!("External resizer is resizing volume {volume_name}"),
                );
                ctx.api.note(
                    Component::ExternalResizer,
                    Component::CsiController,
                    TraceVerb::Call,
                    Some(key),
                    format!("ControllerExpandVolume {handle} to {new_size} bytes"),
                );
                ctx.api.note(
                    Component::CsiController,
                    Component::Cloud,
                    TraceVerb::Call,
                    Some(&volume_key),
                    format!("{} ModifyVolume {handle} size {} GiB", info.cloud_api, new_size.div_ceil(1 << 30)),
                );
                let latency = csi::jittered(ctx.rng, info.expand_ms);
                ctx.backend.begin(&operation, ctx.now(), latency);
                Ok(Action::wait_for(latency))
            }
            OperationState::Done => {
                ctx.backend.finish(&operation);
                ctx.backend.expand_volume(&handle, new_size, info.node_expansion);
                ctx.api.note(
                    Component::Cloud,
                    Component::CsiController,
                    TraceVerb::Reply,
                    Some(&volume_key),
                    "modification completed",
                );
                ctx.api.note(
                    Component::CsiController,
                    Component::ExternalResizer,
                    TraceVerb::Reply,
                    Some(key),
                    format!(
                        "ControllerExpandVolume: capacity_bytes={new_size} node_expansion_required={}",
                        info.node_expansion
                    ),
                );
                let mut grown = volume.clone();
                if let Some(spec) = grown.spec.as_mut() {
                    spec.capacity = Some(BTreeMap::from([("storage".to_string(), quantity_from_bytes(new_size))]));
                }
                ctx.api.update(Component::ExternalResizer, grown.into_object())?;
                let Some(claim) =
                    ctx.api.store().get_typed::<PersistentVolumeClaim>(&key.namespace, &key.name).cloned()
                else {
                    return Ok(Action::await_change());
                };
                let mut clone = claim.clone();
                let status = clone.status.get_or_insert_with(Default::default);
                if info.node_expansion {
                    status.allocated_resource_statuses =
                        Some(BTreeMap::from([("storage".to_string(), "NodeResizePending".to_string())]));
                    status.conditions = Some(vec![condition(
                        "FileSystemResizePending",
                        Some("Waiting for user to (re-)start a pod to finish file system resize of volume on node."),
                        ctx.now(),
                    )]);
                    ctx.api.update_status(Component::ExternalResizer, clone.into_object())?;
                    ctx.api.record_event(
                        &source,
                        None,
                        key,
                        EventType::Normal,
                        "FileSystemResizeRequired",
                        "Require file system resize of volume on node",
                    );
                } else {
                    status.capacity = Some(BTreeMap::from([("storage".to_string(), quantity_from_bytes(new_size))]));
                    status.allocated_resource_statuses = None;
                    status.conditions = None;
                    ctx.api.update_status(Component::ExternalResizer, clone.into_object())?;
                    ctx.api.record_event(
                        &source,
                        None,
                        key,
                        EventType::Normal,
                        "VolumeResizeSuccessful",
                        "Resize volume succeeded",
                    );
                }
                Ok(Action::await_change())
            }
        }
    }
}

fn pod_is_running(pod: &Pod) -> bool {
    !pod_node(pod).is_empty()
        && pod.metadata.deletion_timestamp.is_none()
        && pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
}

/// The node whose kubelet finishes a claim's `NodeResizePending` resize: the node of a running pod
/// that mounts the claim (online-capable drivers expand in use; offline ones only once no pod
/// holds the volume, which then happens at the next mount).
fn node_resize_target(api: &ApiServer, claim: &PersistentVolumeClaim) -> Option<(ObjectKey, String)> {
    let pending = claim
        .status
        .as_ref()
        .and_then(|s| s.allocated_resource_statuses.as_ref())
        .and_then(|s| s.get("storage"))
        .is_some_and(|s| s == "NodeResizePending");
    if !pending {
        return None;
    }
    let namespace = namespace_of(&claim.metadata);
    let name = name_of(&claim.metadata);
    api.store()
        .list_typed_in::<Pod>(namespace)
        .filter(|pod| pod_is_running(pod) && pod_claim_names(pod).iter().any(|c| c == name))
        .map(|pod| (ObjectKey::namespaced(Kind::Pod, namespace, name_of(&pod.metadata)), pod_node(pod).to_string()))
        .next()
}

/// The kubelet's NodeExpandVolume for a claim mounted on `node`: grows the filesystem, sets
/// `status.capacity` to the volume's size and clears the resize conditions. Returns whether there
/// was anything to do. Called for a `NodeResizePending` claim once a running pod mounts it on
/// `node` (the kubelet's volume manager does this upstream; the external resizer's reconcile
/// stands in for it here). The event goes to `pod` as well as the claim.
///
/// # Errors
/// The API server's error when the claim's status cannot be written.
pub fn node_expand(
    api: &mut ApiServer,
    backend: &mut Backend,
    claim: &ObjectKey,
    pod: Option<&ObjectKey>,
    node: &str,
) -> Result<bool, ApiError> {
    let Some(current) = api.store().get_typed::<PersistentVolumeClaim>(&claim.namespace, &claim.name).cloned() else {
        return Ok(false);
    };
    let pending = current
        .status
        .as_ref()
        .and_then(|s| s.allocated_resource_statuses.as_ref())
        .and_then(|s| s.get("storage"))
        .is_some_and(|s| s == "NodeResizePending");
    if !pending {
        return Ok(false);
    }
    let Some(volume) = api.store().get_typed::<PersistentVolume>("", claim_volume_name(&current)).cloned() else {
        return Ok(false);
    };
    if let Some((_, handle)) = driver_and_handle(&volume) {
        backend.expand_filesystem(&handle);
    }
    api.note(
        Component::Kubelet,
        Component::CsiNode,
        TraceVerb::Call,
        Some(claim),
        format!("NodeExpandVolume {}", name_of(&volume.metadata)),
    );
    api.note(Component::CsiNode, Component::Kubelet, TraceVerb::Reply, Some(claim), "resize2fs: ok");
    let mut clone = current.clone();
    let status = clone.status.get_or_insert_with(Default::default);
    status.capacity = volume.spec.as_ref().and_then(|s| s.capacity.clone());
    status.allocated_resource_statuses = None;
    status.conditions = None;
    api.update_status(Component::Kubelet, clone.into_object())?;
    let message = format!("MountVolume.NodeExpandVolume succeeded for volume {:?} {node}", name_of(&volume.metadata));
    // The kubelet reports it on the pod and on the claim (`nodeExpander.expandOnPlugin`).
    if let Some(pod) = pod {
        api.record_event("kubelet", Some(node), pod, EventType::Normal, "FileSystemResizeSuccessful", &message);
    }
    api.record_event("kubelet", Some(node), claim, EventType::Normal, "FileSystemResizeSuccessful", &message);
    Ok(true)
}
