//! The csi-snapshotter sidecar (external-snapshotter v8's sidecar controller) of every CSI driver
//! that takes snapshots: CreateSnapshot, ListSnapshots and DeleteSnapshot against the driver's
//! storage, written into VolumeSnapshotContents' status.
//!
//! Design: one reconcile per content whose `spec.driver` is a running driver with snapshot support
//! (its CSIDriver object exists). Dispatch on the content's state (`syncContent`):
//! - being deleted, and either pre-provisioned and unbound or marked
//!   `volumesnapshot-being-deleted` by the snapshot controller (never while
//!   `volumesnapshot-being-created`): with policy Delete, DeleteSnapshot on the storage (an
//!   operation in flight), clear the status, then remove `volumesnapshotcontent-bound-protection`;
//! - dynamic without status: CreateSnapshot. The content is marked `volumesnapshot-being-created`,
//!   the storage cuts the snapshot when the call arrives (the data is frozen at that instant), and
//!   after the driver's latency the reply fills in snapshotHandle, creationTime (ns), restoreSize
//!   (bytes) and readyToUse, and the mark goes. Cloud snapshots reply `pending`: the sidecar calls
//!   CreateSnapshot again (idempotent by name `snapshot-<snapshot uid>`) until the snapshot is ready;
//! - ready: nothing;
//! - otherwise: pre-provisioned contents are looked up with ListSnapshots; dynamic ones call
//!   CreateSnapshot again.
//!
//! Failures are recorded in `status.error` (readyToUse false) with a Warning event on the content,
//! once per distinct message, and retried with exponential backoff (1 s doubling to 5 min).

use super::pv_controller::helpers::*;
use super::snapshot_controller::{
    ANN_VOLUME_SNAPSHOT_BEING_CREATED, ANN_VOLUME_SNAPSHOT_BEING_DELETED, go_quote, lister_not_found, unix_nanos,
};
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::snapshot::{
    VolumeSnapshotClass, VolumeSnapshotContent, VolumeSnapshotContentStatus, VolumeSnapshotError,
};
use crate::api::well_known::FINALIZER_VSC_BOUND;
use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::EventType;
use crate::backend::OperationState;
use crate::csi::{self, DriverInfo};
use crate::sim::{Component, SimDuration, TraceVerb};
use crate::snapshots::{self, BackendSnapshot};
use crate::store::Store;
use k8s_openapi::api::storage::v1::CSIDriver;

/// The csi-snapshotter sidecars.
#[derive(Debug)]
pub struct CsiSnapshotter;

/// The event source of a driver's csi-snapshotter: `csi-snapshotter <driver>`.
pub fn event_source(driver: &str) -> String {
    format!("csi-snapshotter {driver}")
}

/// The name the sidecar gives CreateSnapshot: `snapshot-<VolumeSnapshot uid>` (the default
/// `--snapshot-name-prefix` and full uid length).
pub fn snapshot_name(content: &VolumeSnapshotContent) -> String {
    format!("snapshot-{}", content.spec.volume_snapshot_ref.uid.as_deref().unwrap_or(""))
}

/// The driver whose sidecar handles the content, if it runs in this cluster and takes snapshots.
pub fn sidecar_driver(store: &Store, content: &VolumeSnapshotContent) -> Option<&'static DriverInfo> {
    csi::driver(&content.spec.driver)
        .filter(|info| info.name == content.spec.driver && info.snapshots)
        .filter(|info| store.get_typed::<CSIDriver>("", info.name).is_some())
}

impl Controller for CsiSnapshotter {
    fn component(&self) -> Component {
        Component::CsiSnapshotter
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::VolumeSnapshotContent]
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        sync_content(key, ctx)
    }

    fn resync_period(&self) -> Option<SimDuration> {
        Some(SimDuration::from_secs(15 * 60))
    }
}

fn content_key(content: &VolumeSnapshotContent) -> ObjectKey {
    ObjectKey::cluster(Kind::VolumeSnapshotContent, name_of(&content.metadata))
}

fn is_ready(content: &VolumeSnapshotContent) -> bool {
    content.status.as_ref().and_then(|s| s.ready_to_use) == Some(true)
}

/// `shouldDelete`.
fn should_delete(content: &VolumeSnapshotContent) -> bool {
    if content.metadata.deletion_timestamp.is_none() {
        return false;
    }
    let unbound = content.spec.volume_snapshot_ref.uid.as_deref().unwrap_or("").is_empty();
    if content.spec.source.snapshot_handle.is_some() && unbound {
        return true;
    }
    if has_annotation(&content.metadata, ANN_VOLUME_SNAPSHOT_BEING_CREATED) {
        // A CreateSnapshot has not answered yet: wait for it, or the snapshot would leak.
        return false;
    }
    has_annotation(&content.metadata, ANN_VOLUME_SNAPSHOT_BEING_DELETED)
}

/// `syncContent` of the sidecar.
fn sync_content(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let Some(content) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &key.name).cloned() else {
        return Ok(Action::await_change());
    };
    let Some(info) = sidecar_driver(ctx.api.store(), &content) else {
        // OBSERVATION: no csi-snapshotter for this driver runs here; the content waits.
        return Ok(Action::await_change());
    };
    if should_delete(&content) {
        let has_handle = content.status.as_ref().and_then(|s| s.snapshot_handle.as_ref()).is_some();
        if content.spec.deletion_policy == "Delete" && has_handle {
            if let Some(action) = delete_csi_snapshot(&content, info, ctx)? {
                return Ok(action);
            }
        } else {
            // Retain, or nothing was ever created: only the finalizer goes.
        }
        remove_content_finalizer(key, ctx)?;
        return Ok(Action::await_change());
    }
    if content.spec.source.volume_handle.is_some() && content.status.is_none() {
        return create_snapshot(&content, info, ctx);
    }
    if is_ready(&content) {
        remove_being_created(key, ctx)?;
        return Ok(Action::await_change());
    }
    if content.spec.source.snapshot_handle.is_some() {
        check_pre_provisioned(&content, info, ctx)
    } else {
        create_snapshot(&content, info, ctx)
    }
}

fn create_operation(content: &VolumeSnapshotContent) -> String {
    format!("create-snapshot/{}", name_of(&content.metadata))
}

fn delete_operation(content: &VolumeSnapshotContent) -> String {
    format!("delete-snapshot/{}", name_of(&content.metadata))
}

/// `createSnapshotWrapper`, with the call in flight for the driver's latency.
fn create_snapshot(
    content: &VolumeSnapshotContent,
    info: &'static DriverInfo,
    ctx: &mut Ctx<'_>,
) -> Result<Action, ReconcileError> {
    let key = content_key(content);
    let operation = create_operation(content);
    let name = snapshot_name(content);
    let volume_handle = content.spec.source.volume_handle.clone().unwrap_or_default();
    match ctx.backend.poll(&operation, ctx.now()) {
        OperationState::InFlight(remaining) => return Ok(Action::wait_for(remaining)),
        OperationState::Done => {
            ctx.backend.finish(&operation);
            let Some(snapshot) = ctx.backend.snapshots.by_name(&name).cloned() else {
                // The storage lost it: start over.
                return Ok(Action::wait_for(SimDuration::from_millis(0)));
            };
            let polling = content.status.as_ref().and_then(|s| s.snapshot_handle.as_ref()).is_some();
            if polling {
                // The sidecar's requeue of a pending snapshot: CreateSnapshot again (idempotent).
                ctx.api.note(
                    Component::CsiSnapshotter,
                    Component::CsiController,
                    TraceVerb::Call,
                    Some(&key),
                    format!("CreateSnapshot {name} (source {volume_handle})"),
                );
                ctx.api.note(
                    Component::CsiController,
                    Component::Cloud,
                    TraceVerb::Call,
                    Some(&key),
                    format!("{} DescribeSnapshots {}", info.cloud_api, snapshot.handle),
                );
            }
            let reply = if snapshot.is_ready(ctx.now()) { "completed" } else { "pending" };
            ctx.api.note(
                Component::Cloud,
                Component::CsiController,
                TraceVerb::Reply,
                Some(&key),
                format!("{} {reply}", snapshot.handle),
            );
            return finish_create(content, info, &snapshot, ctx);
        }
        OperationState::NotStarted => {}
    }
    // getCSISnapshotInput.
    let class_error = match content.spec.volume_snapshot_class_name.as_deref() {
        None => Some(format!("failed to take snapshot {} without a snapshot class", name_of(&content.metadata))),
        Some(class_name) if ctx.api.store().get_typed::<VolumeSnapshotClass>("", class_name).is_none() => {
            Some(lister_not_found(Kind::VolumeSnapshotClass, class_name))
        }
        Some(_) => None,
    };
    if let Some(error) = class_error {
        let error = format!(
            "failed to get input parameters to create snapshot for content {}: {}",
            name_of(&content.metadata),
            go_quote(&error)
        );
        return fail(
            content,
            "SnapshotCreationFailed",
            &format!("Failed to create snapshot: {error}"),
            &operation,
            ctx,
        );
    }
    if content.status.as_ref().and_then(|s| s.snapshot_handle.as_ref()).is_some() {
        // OBSERVATION: created and pending; poll again when the storage may have finished.
        let remaining = ctx
            .backend
            .snapshots
            .by_name(&name)
            .map(|s| s.ready_at.since(ctx.now()))
            .unwrap_or(SimDuration::from_millis(0));
        ctx.backend.begin(&operation, ctx.now(), remaining);
        return Ok(Action::wait_for(remaining));
    }
    let content = set_being_created(content, ctx)?;
    if let Some(existing) = ctx.backend.snapshots.by_name(&name).cloned() {
        // A repeated call: the storage answers with the snapshot's state at once.
        ctx.api.note(
            Component::CsiSnapshotter,
            Component::CsiController,
            TraceVerb::Call,
            Some(&key),
            format!("CreateSnapshot {name} (source {volume_handle})"),
        );
        ctx.api.note(
            Component::CsiController,
            Component::Cloud,
            TraceVerb::Call,
            Some(&key),
            format!("{} DescribeSnapshots {}", info.cloud_api, existing.handle),
        );
        let reply = if existing.is_ready(ctx.now()) { "completed" } else { "pending" };
        ctx.api.note(
            Component::Cloud,
            Component::CsiController,
            TraceVerb::Reply,
            Some(&key),
            format!("{} {reply}", existing.handle),
        );
        return finish_create(&content, info, &existing, ctx);
    }
    ctx.api.note(
        Component::CsiSnapshotter,
        Component::CsiController,
        TraceVerb::Call,
        Some(&key),
        format!("CreateSnapshot {name} (source {volume_handle})"),
    );
    let timing = snapshots::timing(info.name);
    let latency = csi::jittered(ctx.rng, timing.create_ms);
    let now = ctx.now();
    match snapshots::cut(ctx.backend, ctx.rng, info.name, &name, &volume_handle, now, latency) {
        Ok(snapshot) => {
            ctx.api.note(
                Component::CsiController,
                Component::Cloud,
                TraceVerb::Call,
                Some(&key),
                format!("{} CreateSnapshot {volume_handle}", info.cloud_api),
            );
            let _ = snapshot;
            ctx.backend.begin(&operation, now, latency);
            Ok(Action::wait_for(latency))
        }
        Err(error) => {
            ctx.api.note(
                Component::CsiController,
                Component::CsiSnapshotter,
                TraceVerb::Reply,
                Some(&key),
                error.clone(),
            );
            // A final gRPC error: the call is over, so the mark goes.
            remove_being_created(&key, ctx)?;
            let error = format!("failed to take snapshot of the volume {volume_handle}: {}", go_quote(&error));
            fail(&content, "SnapshotCreationFailed", &format!("Failed to create snapshot: {error}"), &operation, ctx)
        }
    }
}

/// The reply of CreateSnapshot: the content's status, then the being-created mark goes.
fn finish_create(
    content: &VolumeSnapshotContent,
    info: &'static DriverInfo,
    snapshot: &BackendSnapshot,
    ctx: &mut Ctx<'_>,
) -> Result<Action, ReconcileError> {
    let key = content_key(content);
    let ready = snapshot.is_ready(ctx.now());
    ctx.api.note(
        Component::CsiController,
        Component::CsiSnapshotter,
        TraceVerb::Reply,
        Some(&key),
        format!("CreateSnapshot: snapshot_id={} ready_to_use={ready}", snapshot.handle),
    );
    update_content_status(&key, snapshot, ready, ctx)?;
    remove_being_created(&key, ctx)?;
    ctx.backend.clear_failures(&create_operation(content));
    let _ = info;
    if ready {
        Ok(Action::await_change())
    } else {
        // The sidecar polls until the storage finished the snapshot.
        let remaining = snapshot.ready_at.since(ctx.now());
        ctx.backend.begin(&create_operation(content), ctx.now(), remaining);
        Ok(Action::wait_for(remaining))
    }
}

/// `updateSnapshotContentStatus`.
fn update_content_status(
    key: &ObjectKey,
    snapshot: &BackendSnapshot,
    ready: bool,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    let Some(current) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &key.name).cloned() else {
        return Ok(());
    };
    let created = unix_nanos(snapshot.created);
    let size = i64::try_from(snapshot.size_bytes).unwrap_or(i64::MAX);
    let mut status = current.status.clone().unwrap_or_default();
    if current.status.is_none() {
        status = VolumeSnapshotContentStatus {
            snapshot_handle: Some(snapshot.handle.clone()),
            ready_to_use: Some(ready),
            creation_time: Some(created),
            restore_size: if size > 0 { Some(size) } else { None },
            error: None,
            volume_group_snapshot_handle: None,
        };
    } else {
        if status.snapshot_handle.is_none() {
            status.snapshot_handle = Some(snapshot.handle.clone());
        }
        if status.ready_to_use != Some(ready) {
            status.ready_to_use = Some(ready);
            if ready {
                status.error = None;
            }
        }
        if status.creation_time.is_none() {
            status.creation_time = Some(created);
        }
        if status.restore_size.is_none() && size > 0 {
            status.restore_size = Some(size);
        }
    }
    if current.status.as_ref() == Some(&status) {
        return Ok(());
    }
    let mut updated = current;
    updated.status = Some(status);
    ctx.api.update_status(Component::CsiSnapshotter, updated.into_object())?;
    Ok(())
}

/// `checkandUpdateContentStatusOperation` of a pre-provisioned content: ListSnapshots.
fn check_pre_provisioned(
    content: &VolumeSnapshotContent,
    info: &'static DriverInfo,
    ctx: &mut Ctx<'_>,
) -> Result<Action, ReconcileError> {
    let key = content_key(content);
    let handle = content
        .status
        .as_ref()
        .and_then(|s| s.snapshot_handle.clone())
        .or_else(|| content.spec.source.snapshot_handle.clone())
        .unwrap_or_default();
    let operation = format!("list-snapshot/{}", name_of(&content.metadata));
    if let Some(class_name) = content.spec.volume_snapshot_class_name.as_deref()
        && ctx.api.store().get_typed::<VolumeSnapshotClass>("", class_name).is_none()
    {
        let error = format!(
            "failed to get snapshot class {class_name} for snapshot content {}: {}",
            name_of(&content.metadata),
            lister_not_found(Kind::VolumeSnapshotClass, class_name)
        );
        return fail(
            content,
            "SnapshotContentCheckandUpdateFailed",
            &format!("Failed to check and update snapshot content: {error}"),
            &operation,
            ctx,
        );
    }
    ctx.api.note(
        Component::CsiSnapshotter,
        Component::CsiController,
        TraceVerb::Call,
        Some(&key),
        format!("ListSnapshots {handle}"),
    );
    ctx.api.note(
        Component::CsiController,
        Component::Cloud,
        TraceVerb::Call,
        Some(&key),
        format!("{} DescribeSnapshots {handle}", info.cloud_api),
    );
    let snapshot = ctx.backend.snapshots.get(&handle).filter(|s| s.driver == info.name).cloned();
    let Some(snapshot) = snapshot else {
        ctx.api.note(
            Component::Cloud,
            Component::CsiController,
            TraceVerb::Reply,
            Some(&key),
            format!("{handle} not found"),
        );
        let error = format!("can not find snapshot for snapshotID {handle}");
        ctx.api.note(Component::CsiController, Component::CsiSnapshotter, TraceVerb::Reply, Some(&key), error.clone());
        let error = format!("failed to list snapshot for content {}: {}", name_of(&content.metadata), go_quote(&error));
        return fail(
            content,
            "SnapshotContentCheckandUpdateFailed",
            &format!("Failed to check and update snapshot content: {error}"),
            &operation,
            ctx,
        );
    };
    let ready = snapshot.is_ready(ctx.now());
    ctx.api.note(
        Component::Cloud,
        Component::CsiController,
        TraceVerb::Reply,
        Some(&key),
        format!("{handle} {}", if ready { "completed" } else { "pending" }),
    );
    ctx.api.note(
        Component::CsiController,
        Component::CsiSnapshotter,
        TraceVerb::Reply,
        Some(&key),
        format!("ListSnapshots: snapshot_id={handle} ready_to_use={ready}"),
    );
    update_content_status(&key, &snapshot, ready, ctx)?;
    ctx.backend.clear_failures(&operation);
    if ready { Ok(Action::await_change()) } else { Ok(Action::wait_for(snapshot.ready_at.since(ctx.now()))) }
}

/// `deleteCSISnapshotOperation`: DeleteSnapshot in flight, then the status is cleared. `None` when
/// the storage snapshot is gone and the finalizer may go.
fn delete_csi_snapshot(
    content: &VolumeSnapshotContent,
    info: &'static DriverInfo,
    ctx: &mut Ctx<'_>,
) -> Result<Option<Action>, ReconcileError> {
    let key = content_key(content);
    let operation = delete_operation(content);
    let handle = content.status.as_ref().and_then(|s| s.snapshot_handle.clone()).unwrap_or_default();
    match ctx.backend.poll(&operation, ctx.now()) {
        OperationState::InFlight(remaining) => Ok(Some(Action::wait_for(remaining))),
        OperationState::NotStarted => {
            ctx.api.note(
                Component::CsiSnapshotter,
                Component::CsiController,
                TraceVerb::Call,
                Some(&key),
                format!("DeleteSnapshot {handle}"),
            );
            ctx.api.note(
                Component::CsiController,
                Component::Cloud,
                TraceVerb::Call,
                Some(&key),
                format!("{} DeleteSnapshot {handle}", info.cloud_api),
            );
            let latency = csi::jittered(ctx.rng, snapshots::timing(info.name).delete_ms);
            ctx.backend.begin(&operation, ctx.now(), latency);
            Ok(Some(Action::wait_for(latency)))
        }
        OperationState::Done => {
            ctx.backend.finish(&operation);
            ctx.backend.snapshots.delete(&handle);
            ctx.api.note(
                Component::Cloud,
                Component::CsiController,
                TraceVerb::Reply,
                Some(&key),
                format!("{handle} deleted"),
            );
            ctx.api.note(
                Component::CsiController,
                Component::CsiSnapshotter,
                TraceVerb::Reply,
                Some(&key),
                "DeleteSnapshot: ok",
            );
            // clearVolumeContentStatus.
            if let Some(mut current) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &key.name).cloned() {
                if let Some(status) = current.status.as_mut() {
                    status.snapshot_handle = None;
                    status.ready_to_use = None;
                    status.creation_time = None;
                    status.restore_size = None;
                }
                ctx.api.update_status(Component::CsiSnapshotter, current.into_object())?;
            }
            Ok(None)
        }
    }
}

fn remove_content_finalizer(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let Some(mut content) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &key.name).cloned() else {
        return Ok(());
    };
    if has_finalizer(&content.metadata, FINALIZER_VSC_BOUND) {
        remove_finalizer(&mut content.metadata, FINALIZER_VSC_BOUND);
        ctx.api.update(Component::CsiSnapshotter, content.into_object())?;
    }
    Ok(())
}

fn set_being_created(
    content: &VolumeSnapshotContent,
    ctx: &mut Ctx<'_>,
) -> Result<VolumeSnapshotContent, ReconcileError> {
    if has_annotation(&content.metadata, ANN_VOLUME_SNAPSHOT_BEING_CREATED) {
        return Ok(content.clone());
    }
    let mut updated = content.clone();
    set_annotation(&mut updated.metadata, ANN_VOLUME_SNAPSHOT_BEING_CREATED, "yes");
    let stored = ctx.api.update(Component::CsiSnapshotter, updated.into_object())?;
    Ok(VolumeSnapshotContent::from_object(&stored).cloned().unwrap_or_else(|| content.clone()))
}

fn remove_being_created(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let Some(mut content) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &key.name).cloned() else {
        return Ok(());
    };
    if has_annotation(&content.metadata, ANN_VOLUME_SNAPSHOT_BEING_CREATED) {
        remove_annotation(&mut content.metadata, ANN_VOLUME_SNAPSHOT_BEING_CREATED);
        ctx.api.update(Component::CsiSnapshotter, content.into_object())?;
    }
    Ok(())
}

/// `updateContentErrorStatusWithEvent`, then a retry with backoff.
fn fail(
    content: &VolumeSnapshotContent,
    reason: &str,
    message: &str,
    operation: &str,
    ctx: &mut Ctx<'_>,
) -> Result<Action, ReconcileError> {
    let key = content_key(content);
    let backoff = ctx.backend.record_failure(operation);
    let Some(mut current) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &key.name).cloned() else {
        return Ok(Action::await_change());
    };
    if current.status.as_ref().and_then(|s| s.error.as_ref()).and_then(|e| e.message.as_deref()) == Some(message) {
        return Ok(Action::requeue(backoff));
    }
    let status = current.status.get_or_insert_with(VolumeSnapshotContentStatus::default);
    status.error = Some(VolumeSnapshotError { message: Some(message.to_string()), time: Some(ctx.now().rfc3339()) });
    status.ready_to_use = Some(false);
    ctx.api.update_status(Component::CsiSnapshotter, current.into_object())?;
    ctx.api.record_event(&event_source(&content.spec.driver), None, &key, EventType::Warning, reason, message);
    Ok(Action::requeue(backoff))
}
