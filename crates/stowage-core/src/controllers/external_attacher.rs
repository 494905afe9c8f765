//! The csi-attacher sidecar (external-attacher): attaches and detaches volumes for the
//! VolumeAttachments of its driver by calling the CSI controller plugin.
//!
//! Design: for a live attachment, add the finalizer `external-attacher/<driver>` to the attachment
//! and to its PersistentVolume, call `ControllerPublishVolume` (the plugin calls its cloud's attach
//! API) and, after the driver's attach latency, set `status.attached: true` with the device path in
//! `attachmentMetadata`. For an attachment being deleted, call `ControllerUnpublishVolume`, then
//! remove the attachment's finalizer (which lets it go), and the volume's once no attachment of it
//! remains.

use super::pv_controller::helpers::*;
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::{Kind, ObjectKey, Typed};
use crate::backend::OperationState;
use crate::csi;
use crate::sim::{Component, TraceVerb};
use k8s_openapi::api::core::v1::PersistentVolume;
use k8s_openapi::api::storage::v1::{CSIDriver, CSINode, VolumeAttachment, VolumeAttachmentStatus};
use std::collections::BTreeMap;

/// The external attachers of every installed CSI driver.
#[derive(Debug)]
pub struct ExternalAttacher;

impl Controller for ExternalAttacher {
    fn component(&self) -> Component {
        Component::ExternalAttacher
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::VolumeAttachment]
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let store = ctx.api.store();
        let Some(attachment) = store.get_typed::<VolumeAttachment>("", &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        let driver = attachment.spec.attacher.clone();
        if store.get_typed::<CSIDriver>("", &driver).is_none() {
            // No attacher of that name runs.
            return Ok(Action::await_change());
        }
        let info = csi::driver(&driver);
        let finalizer = csi::attacher_finalizer(&driver);
        let volume_name = attachment.spec.source.persistent_volume_name.clone().unwrap_or_default();
        let node = attachment.spec.node_name.clone();
        if attachment.metadata.deletion_timestamp.is_none() {
            attach(attachment, key, &finalizer, &volume_name, &node, info, ctx)
        } else {
            detach(attachment, key, &finalizer, &volume_name, &node, info, ctx)
        }
    }
}

/// The annotation the external-attacher puts on a VolumeAttachment: the node's ID in the driver.
pub const VA_NODE_ID_ANNOTATION: &str = "csi.alpha.kubernetes.io/node-id";

/// The node's ID for `driver` as its CSINode reports it (NodeGetInfo), else the node's name.
fn csi_node_id(store: &crate::store::Store, driver: &str, node: &str) -> String {
    store
        .get_typed::<CSINode>("", node)
        .and_then(|n| n.spec.drivers.iter().find(|d| d.name == driver))
        .map(|d| d.node_id.clone())
        .unwrap_or_else(|| node.to_string())
}

fn attach(
    attachment: VolumeAttachment,
    key: &ObjectKey,
    finalizer: &str,
    volume_name: &str,
    node: &str,
    info: Option<&'static csi::DriverInfo>,
    ctx: &mut Ctx<'_>,
) -> Result<Action, ReconcileError> {
    if attachment.status.as_ref().is_some_and(|s| s.attached) {
        return Ok(Action::await_change());
    }
    // Both objects carry the attacher's finalizer while the volume may be attached; the attachment
    // also gets the node's CSI node ID (`csi_handler.go addVANodeId`, from the CSINode).
    let node_id = csi_node_id(ctx.api.store(), &attachment.spec.attacher, node);
    let has_node_id =
        attachment.metadata.annotations.as_ref().and_then(|a| a.get(VA_NODE_ID_ANNOTATION)) == Some(&node_id);
    let attachment = if has_finalizer(&attachment.metadata, finalizer) && has_node_id {
        attachment
    } else {
        let mut clone = attachment.clone();
        add_finalizer(&mut clone.metadata, finalizer);
        clone.metadata.annotations.get_or_insert_with(BTreeMap::new).insert(VA_NODE_ID_ANNOTATION.to_string(), node_id);
        let stored = ctx.api.update(Component::ExternalAttacher, clone.into_object())?;
        VolumeAttachment::from_object(&stored).cloned().unwrap_or(attachment)
    };
    if let Some(volume) = ctx.api.store().get_typed::<PersistentVolume>("", volume_name).cloned()
        && !has_finalizer(&volume.metadata, finalizer)
    {
        let mut clone = volume;
        add_finalizer(&mut clone.metadata, finalizer);
        ctx.api.update(Component::ExternalAttacher, clone.into_object())?;
    }
    let operation = format!("attach/{}", key.name);
    let volume_key = ObjectKey::cluster(Kind::PersistentVolume, volume_name);
    match ctx.backend.poll(&operation, ctx.now()) {
        OperationState::InFlight(remaining) => Ok(Action::wait_for(remaining)),
        OperationState::NotStarted => {
            ctx.api.note(
                Component::ExternalAttacher,
                Component::CsiController,
                TraceVerb::Call,
                Some(key),
                format!("ControllerPublishVolume {volume_name} on {node}"),
            );
            let api_name = info.map(|i| i.cloud_api).unwrap_or("storage");
            ctx.api.note(
                Component::CsiController,
                Component::Cloud,
                TraceVerb::Call,
                Some(&volume_key),
                format!("{api_name} AttachVolume to {node}"),
            );
            let latency = csi::jittered(ctx.rng, info.map(|i| i.attach_ms).unwrap_or(1000));
            ctx.backend.begin(&operation, ctx.now(), latency);
            Ok(Action::wait_for(latency))
        }
        OperationState::Done => {
            ctx.backend.finish(&operation);
            let attached_on_node = ctx
                .api
                .store()
                .list_typed::<VolumeAttachment>()
                .filter(|a| a.spec.node_name == node && a.status.as_ref().is_some_and(|s| s.attached))
                .count();
            let device = device_path(info.map(|i| i.name).unwrap_or(""), attached_on_node);
            ctx.api.note(
                Component::Cloud,
                Component::CsiController,
                TraceVerb::Reply,
                Some(&volume_key),
                format!("attached as {device}"),
            );
            ctx.api.note(
                Component::CsiController,
                Component::ExternalAttacher,
                TraceVerb::Reply,
                Some(key),
                format!("ControllerPublishVolume: devicePath={device}"),
            );
            let mut clone = attachment;
            clone.status = Some(VolumeAttachmentStatus {
                attached: true,
                attachment_metadata: Some(BTreeMap::from([("devicePath".to_string(), device)])),
                ..Default::default()
            });
            ctx.api.update_status(Component::ExternalAttacher, clone.into_object())?;
            Ok(Action::await_change())
        }
    }
}

/// The device a driver's n-th attachment on a node shows as (EBS: `/dev/xvdaa`, `/dev/xvdab`...).
fn device_path(driver: &str, index: usize) -> String {
    let letter = char::from(b'a' + (index % 26) as u8);
    match driver {
        "ebs.csi.aws.com" => format!("/dev/xvda{letter}"),
        "pd.csi.storage.gke.io" => format!("/dev/disk/by-id/google-pvc-{index}"),
        "disk.csi.azure.com" => format!("/dev/disk/azure/scsi1/lun{index}"),
        _ => format!("/dev/sd{}", char::from(b'b' + (index % 24) as u8)),
    }
}

fn detach(
    attachment: VolumeAttachment,
    key: &ObjectKey,
    finalizer: &str,
    volume_name: &str,
    node: &str,
    info: Option<&'static csi::DriverInfo>,
    ctx: &mut Ctx<'_>,
) -> Result<Action, ReconcileError> {
    if !has_finalizer(&attachment.metadata, finalizer) {
        return Ok(Action::await_change());
    }
    let operation = format!("detach/{}", key.name);
    let volume_key = ObjectKey::cluster(Kind::PersistentVolume, volume_name);
    match ctx.backend.poll(&operation, ctx.now()) {
        OperationState::InFlight(remaining) => Ok(Action::wait_for(remaining)),
        OperationState::NotStarted => {
            ctx.api.note(
                Component::ExternalAttacher,
                Component::CsiController,
                TraceVerb::Call,
                Some(key),
                format!("ControllerUnpublishVolume {volume_name} from {node}"),
            );
            let api_name = info.map(|i| i.cloud_api).unwrap_or("storage");
            ctx.api.note(
                Component::CsiController,
                Component::Cloud,
                TraceVerb::Call,
                Some(&volume_key),
                format!("{api_name} DetachVolume from {node}"),
            );
            let latency = csi::jittered(ctx.rng, info.map(|i| i.detach_ms).unwrap_or(1000));
            ctx.backend.begin(&operation, ctx.now(), latency);
            Ok(Action::wait_for(latency))
        }
        OperationState::Done => {
            ctx.backend.finish(&operation);
            ctx.api.note(Component::Cloud, Component::CsiController, TraceVerb::Reply, Some(&volume_key), "detached");
            ctx.api.note(
                Component::CsiController,
                Component::ExternalAttacher,
                TraceVerb::Reply,
                Some(key),
                "ControllerUnpublishVolume: ok",
            );
            let mut clone = attachment;
            remove_finalizer(&mut clone.metadata, finalizer);
            ctx.api.update(Component::ExternalAttacher, clone.into_object())?;
            let still_attached = ctx
                .api
                .store()
                .list_typed::<VolumeAttachment>()
                .any(|a| a.spec.source.persistent_volume_name.as_deref() == Some(volume_name));
            if !still_attached
                && let Some(volume) = ctx.api.store().get_typed::<PersistentVolume>("", volume_name).cloned()
                && has_finalizer(&volume.metadata, finalizer)
            {
                let mut clone = volume;
                remove_finalizer(&mut clone.metadata, finalizer);
                ctx.api.update(Component::ExternalAttacher, clone.into_object())?;
            }
            Ok(Action::await_change())
        }
    }
}
