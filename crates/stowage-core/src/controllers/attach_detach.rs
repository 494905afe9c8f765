//! The attach/detach controller (kube-controller-manager `attachdetach`): creates a VolumeAttachment
//! for every attachable volume a scheduled pod needs on its node, and deletes attachments no pod
//! needs any more. It refuses a second node for a volume that may attach to one node only
//! (Multi-Attach error).
//!
//! Design: desired state = (volume, node) pairs of scheduled, unfinished pods whose claims are bound
//! to attachable volumes (CSI volumes of drivers with `attachRequired`, and in-tree EBS/PD volumes
//! migrated to their CSI drivers); actual state = VolumeAttachment objects. A pod key reconciles
//! its pairs; an attachment key reconciles its own existence. The external-attacher of the driver
//! does the attaching ([`super::external_attacher`]).
//!
//! Multi-attach is forbidden when the volume's access modes contain neither ReadWriteMany nor
//! ReadOnlyMany (`isMultiAttachForbidden`): a ReadWriteOnce+ReadOnlyMany volume may attach twice.

use super::pv_controller::helpers::*;
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::{ApiServer, DeleteOptions, EventType};
use crate::csi;
use crate::sim::{Component, SimDuration, TraceVerb};
use crate::store::{Change, Store};
use k8s_openapi::api::core::v1::{AttachedVolume, Event, Node, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::{CSIDriver, VolumeAttachment, VolumeAttachmentSource, VolumeAttachmentSpec};

/// The event source of this controller.
pub const SOURCE: &str = "attachdetach-controller";

/// The attach/detach controller.
#[derive(Debug)]
pub struct AttachDetachController;

/// The CSI driver and volume handle of an attachable volume, or `None` when the volume never
/// attaches (hostPath, local, NFS, CSI drivers without `attachRequired`).
pub fn attachable(store: &Store, volume: &PersistentVolume) -> Option<(String, String)> {
    let spec = volume.spec.as_ref()?;
    let (driver, handle) = if let Some(csi) = spec.csi.as_ref() {
        (csi.driver.clone(), csi.volume_handle.clone())
    } else if let Some(ebs) = spec.aws_elastic_block_store.as_ref() {
        ("ebs.csi.aws.com".to_string(), ebs.volume_id.rsplit('/').next().unwrap_or(&ebs.volume_id).to_string())
    } else if let Some(pd) = spec.gce_persistent_disk.as_ref() {
        let zone = volume
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(crate::api::well_known::LABEL_ZONE))
            .cloned()
            .unwrap_or_else(|| "UNSPECIFIED".to_string());
        ("pd.csi.storage.gke.io".to_string(), format!("projects/UNSPECIFIED/zones/{zone}/disks/{}", pd.pd_name))
    } else {
        return None;
    };
    let required = match store.get_typed::<CSIDriver>("", &driver) {
        Some(object) => object.spec.attach_required.unwrap_or(true),
        None => csi::attach_required(&driver),
    };
    if required { Some((driver, handle)) } else { None }
}

/// The name the kubelet and this controller give a CSI volume in a Node's `status.volumesInUse`
/// and `status.volumesAttached` (`kubernetes.io/csi/<driver>^<volume handle>`).
pub fn unique_volume_name(driver: &str, handle: &str) -> String {
    format!("kubernetes.io/csi/{driver}^{handle}")
}

/// How long the controller waits for a volume still mounted on an unhealthy node before it
/// detaches anyway (`maxWaitForUnmountDuration`, not configurable).
pub const MAX_WAIT_FOR_UNMOUNT: SimDuration = SimDuration::from_secs(360);

/// The bound volume of a pod's claim, if the claim is bound.
fn claim_volume<'a>(store: &'a Store, namespace: &str, claim: &str) -> Option<&'a PersistentVolume> {
    let claim = store.get_typed::<PersistentVolumeClaim>(namespace, claim)?;
    let name = claim_volume_name(claim);
    if name.is_empty() {
        return None;
    }
    store.get_typed::<PersistentVolume>("", name)
}

fn pod_needs_volumes(pod: &Pod) -> bool {
    !pod_node(pod).is_empty() && !pod_is_terminated(pod)
}

/// The attachment of `volume` to `node`, if one exists.
fn attachment_for<'a>(store: &'a Store, volume: &str, node: &str) -> Option<&'a VolumeAttachment> {
    store
        .list_typed::<VolumeAttachment>()
        .find(|a| a.spec.node_name == node && a.spec.source.persistent_volume_name.as_deref() == Some(volume))
}

/// Whether `volume` is attached to `node` as far as mounting is concerned: volumes that never
/// attach always are; attachable ones once their VolumeAttachment says `attached: true`.
/// The kubelet waits on this before mounting (pods stay `ContainerCreating`).
pub fn is_volume_attached(api: &ApiServer, volume_name: &str, node: &str) -> bool {
    let store = api.store();
    let Some(volume) = store.get_typed::<PersistentVolume>("", volume_name) else {
        return false;
    };
    if attachable(store, volume).is_none() {
        return true;
    }
    attachment_for(store, volume_name, node)
        .is_some_and(|a| a.metadata.deletion_timestamp.is_none() && a.status.as_ref().is_some_and(|s| s.attached))
}

/// The device path an attached volume shows on its node, if attached.
pub fn attached_device_path(api: &ApiServer, volume_name: &str, node: &str) -> Option<String> {
    let attachment = attachment_for(api.store(), volume_name, node)?;
    attachment.status.as_ref()?.attachment_metadata.as_ref()?.get("devicePath").cloned()
}

fn multi_attach_forbidden(volume: &PersistentVolume) -> bool {
    let modes = volume_access_modes(volume);
    modes & (RWX | ROX) == 0
}

impl Controller for AttachDetachController {
    fn component(&self) -> Component {
        Component::AttachDetachController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Pod, Kind::VolumeAttachment]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        let store = api.store();
        match change.key.kind {
            Kind::Pod => {
                out.push(change.key.clone());
                // A pod going away (or finishing) may leave attachments unneeded.
                for attachment in store.list_typed::<VolumeAttachment>() {
                    out.push(ObjectKey::cluster(Kind::VolumeAttachment, name_of(&attachment.metadata)));
                }
            }
            Kind::Node => {
                // A node's volumesInUse, health or out-of-service taint may release its attachments.
                for attachment in store.list_typed::<VolumeAttachment>() {
                    if attachment.spec.node_name == change.key.name {
                        out.push(ObjectKey::cluster(Kind::VolumeAttachment, name_of(&attachment.metadata)));
                    }
                }
            }
            Kind::VolumeAttachment => {
                out.push(change.key.clone());
                // A detach may unblock pods waiting on a Multi-Attach error.
                for pod in store.list_typed::<Pod>() {
                    if pod_needs_volumes(pod) && !pod_claim_names(pod).is_empty() {
                        out.push(ObjectKey::namespaced(Kind::Pod, namespace_of(&pod.metadata), name_of(&pod.metadata)));
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        match key.kind {
            Kind::Pod => attach_for_pod(key, ctx),
            Kind::VolumeAttachment => detach_if_unneeded(key, ctx),
            _ => Ok(Action::await_change()),
        }
    }
}

fn attach_for_pod(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let store = ctx.api.store();
    let Some(pod) = store.get_typed::<Pod>(&key.namespace, &key.name).cloned() else {
        return Ok(Action::await_change());
    };
    if !pod_needs_volumes(&pod) {
        return Ok(Action::await_change());
    }
    let node = pod_node(&pod).to_string();
    for claim in pod_claim_names(&pod) {
        let store = ctx.api.store();
        let Some(volume) = claim_volume(store, &key.namespace, &claim).cloned() else {
            continue;
        };
        let Some((driver, handle)) = attachable(store, &volume) else {
            continue;
        };
        let volume_name = name_of(&volume.metadata).to_string();
        if attachment_for(store, &volume_name, &node).is_some() {
            continue;
        }
        let other_nodes: Vec<String> = store
            .list_typed::<VolumeAttachment>()
            .filter(|a| {
                a.spec.source.persistent_volume_name.as_deref() == Some(volume_name.as_str())
                    && a.spec.node_name != node
            })
            .map(|a| a.spec.node_name.clone())
            .collect();
        if !other_nodes.is_empty() && multi_attach_forbidden(&volume) {
            // The reconciler reports a Multi-Attach error once per volume and node it waits for
            // (`MultiAttachErrorReported` in the desired state of world), not on every pass.
            let message = multi_attach_message(store, &pod, &volume_name, &other_nodes);
            if !multi_attach_reported(store, &pod, &message) {
                ctx.api.record_event(SOURCE, None, key, EventType::Warning, "FailedAttachVolume", &message);
            }
            continue;
        }
        let name = csi::volume_attachment_name(&handle, &driver, &node);
        let mut attachment = VolumeAttachment {
            spec: VolumeAttachmentSpec {
                attacher: driver.clone(),
                node_name: node.clone(),
                source: VolumeAttachmentSource {
                    persistent_volume_name: Some(volume_name.clone()),
                    ..Default::default()
                },
            },
            ..VolumeAttachment::default()
        };
        attachment.metadata.name = Some(name);
        ctx.api.create(Component::AttachDetachController, attachment.into_object())?;
    }
    Ok(Action::await_change())
}

/// Whether this pod already carries the Multi-Attach event (the controller's reported flag lives in
/// memory upstream; the event in the store stands in for it here).
fn multi_attach_reported(store: &Store, pod: &Pod, message: &str) -> bool {
    let uid = pod.metadata.uid.as_deref();
    store.list_typed::<Event>().any(|event| {
        event.involved_object.uid.as_deref() == uid
            && event.reason.as_deref() == Some("FailedAttachVolume")
            && event.message.as_deref() == Some(message)
    })
}

/// `reportMultiAttachError`'s message for one waiting pod.
fn multi_attach_message(store: &Store, pod: &Pod, volume_name: &str, other_nodes: &[String]) -> String {
    let namespace = namespace_of(&pod.metadata);
    let mut local = Vec::new();
    let mut others = 0;
    for other in store.list_typed::<Pod>() {
        if !pod_needs_volumes(other) || !other_nodes.iter().any(|n| n == pod_node(other)) {
            continue;
        }
        let uses = pod_claim_names(other).iter().any(|claim| {
            claim_volume(store, namespace_of(&other.metadata), claim)
                .is_some_and(|v| name_of(&v.metadata) == volume_name)
        });
        if !uses {
            continue;
        }
        if namespace_of(&other.metadata) == namespace {
            local.push(name_of(&other.metadata).to_string());
        } else {
            others += 1;
        }
    }
    let suffix = if local.is_empty() && others == 0 {
        "Volume is already exclusively attached to one node and can't be attached to another".to_string()
    } else if local.is_empty() {
        format!("Volume is already used by {others} pod(s) in different namespaces")
    } else if others > 0 {
        format!("Volume is already used by pod(s) {} and {others} pod(s) in different namespaces", local.join(", "))
    } else {
        format!("Volume is already used by pod(s) {}", local.join(", "))
    };
    format!("Multi-Attach error for volume {volume_name:?} {suffix}")
}

/// The detach half of the reconciler for one attachment.
///
/// An attachment no scheduled pod needs is detached, but not while the node still lists the volume
/// in `status.volumesInUse` (mounted: the kubelet has not unmounted it, or cannot say so because it
/// is partitioned), unless the node has the `node.kubernetes.io/out-of-service` taint, or the node
/// is unhealthy and `maxWaitForUnmountDuration` passed since the detach was first wanted.
fn detach_if_unneeded(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let now = ctx.now();
    let store = ctx.api.store();
    let Some(attachment) = store.get_typed::<VolumeAttachment>("", &key.name).cloned() else {
        ctx.backend.dataplane.detach_requested.remove(&key.name);
        return Ok(Action::await_change());
    };
    if attachment.metadata.deletion_timestamp.is_some() {
        return Ok(Action::await_change());
    }
    let Some(volume_name) = attachment.spec.source.persistent_volume_name.clone() else {
        return Ok(Action::await_change());
    };
    let node = attachment.spec.node_name.clone();
    let needed = store.list_typed::<Pod>().any(|pod| {
        pod_needs_volumes(pod)
            && pod_node(pod) == node
            && pod_claim_names(pod).iter().any(|claim| {
                claim_volume(store, namespace_of(&pod.metadata), claim)
                    .is_some_and(|v| name_of(&v.metadata) == volume_name)
            })
    });
    let unique =
        store.get_typed::<PersistentVolume>("", &volume_name).and_then(|pv| attachable(store, pv)).map_or_else(
            || unique_volume_name(&attachment.spec.attacher, &volume_name),
            |(d, h)| unique_volume_name(&d, &h),
        );
    if needed {
        // ResetDetachRequestTime: the volume is wanted again.
        ctx.backend.dataplane.detach_requested.remove(&key.name);
        report_attached(ctx, &node)?;
        return Ok(Action::await_change());
    }
    let node_object = store.get_typed::<Node>("", &node);
    let mounted = node_object
        .and_then(|n| n.status.as_ref())
        .and_then(|s| s.volumes_in_use.as_ref())
        .is_some_and(|v| v.contains(&unique));
    let healthy = node_object.is_some_and(node_is_healthy);
    let out_of_service = node_object
        .and_then(|n| n.spec.as_ref())
        .and_then(|s| s.taints.as_ref())
        .is_some_and(|t| t.iter().any(|t| t.key == crate::kubelet::TAINT_OUT_OF_SERVICE));
    let requested = *ctx.backend.dataplane.detach_requested.entry(key.name.clone()).or_insert(now);
    let elapsed = now.since(requested);
    let timeout = elapsed > MAX_WAIT_FOR_UNMOUNT;
    let force_detach = !healthy && timeout;
    if mounted && !force_detach && !out_of_service {
        // "Cannot detach volume because it is still mounted": look again when the wait runs out.
        if healthy {
            return Ok(Action::await_change());
        }
        let due = requested.plus(MAX_WAIT_FOR_UNMOUNT).plus(SimDuration::from_millis(1));
        return Ok(Action::requeue(due.since(now)));
    }
    ctx.backend.dataplane.detach_requested.remove(&key.name);
    // RemoveVolumeFromReportAsAttached, then the node status update, then the detach.
    let message = if timeout {
        format!(
            "\"attacherDetacher.DetachVolume started: this volume is not safe to detach, but maxWaitForUnmountDuration expired, force detaching\" duration=\"6m0s\" node=\"{node}\" volumeName=\"{unique}\""
        )
    } else if out_of_service && mounted {
        format!(
            "\"attacherDetacher.DetachVolume started\" node=\"{node}\" volumeName=\"{unique}\" (node has out-of-service taint)"
        )
    } else {
        format!("\"attacherDetacher.DetachVolume started\" node=\"{node}\" volumeName=\"{unique}\"")
    };
    ctx.api.note(
        Component::AttachDetachController,
        Component::AttachDetachController,
        TraceVerb::Note,
        Some(key),
        message,
    );
    ctx.api.delete(Component::AttachDetachController, key, DeleteOptions::default())?;
    report_attached(ctx, &node)?;
    Ok(Action::await_change())
}

/// `nodeIsHealthy`: the node's Ready condition is True.
fn node_is_healthy(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

/// The node status updater: `status.volumesAttached` lists the node's attached volumes that are not
/// being detached (CSI attachments report an empty device path).
fn report_attached(ctx: &mut Ctx<'_>, node: &str) -> Result<(), ReconcileError> {
    let store = ctx.api.store();
    let Some(current) = store.get_typed::<Node>("", node).cloned() else {
        return Ok(());
    };
    let mut desired: Vec<AttachedVolume> = Vec::new();
    for attachment in store.list_typed::<VolumeAttachment>() {
        if attachment.spec.node_name != node
            || attachment.metadata.deletion_timestamp.is_some()
            || !attachment.status.as_ref().is_some_and(|s| s.attached)
        {
            continue;
        }
        let Some(volume) = attachment.spec.source.persistent_volume_name.as_deref() else {
            continue;
        };
        let Some((driver, handle)) =
            store.get_typed::<PersistentVolume>("", volume).and_then(|pv| attachable(store, pv))
        else {
            continue;
        };
        desired.push(AttachedVolume { name: unique_volume_name(&driver, &handle), device_path: String::new() });
    }
    desired.sort_by(|a, b| a.name.cmp(&b.name));
    desired.dedup_by(|a, b| a.name == b.name);
    let reported = current.status.as_ref().and_then(|s| s.volumes_attached.clone()).unwrap_or_default();
    if reported == desired {
        return Ok(());
    }
    let mut updated = current;
    updated.status.get_or_insert_with(Default::default).volumes_attached =
        if desired.is_empty() { None } else { Some(desired) };
    ctx.api.update_status(Component::AttachDetachController, updated.into_object())?;
    Ok(())
}
