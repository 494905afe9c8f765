//! The snapshot controller (external-snapshotter v8's common controller, `snapshot-controller`):
//! binds VolumeSnapshots to VolumeSnapshotContents, creates contents for dynamic snapshots, and
//! drives deletion through finalizers.
//!
//! ==================================================================
//! PLEASE DO NOT ATTEMPT TO SIMPLIFY THIS CODE.
//! KEEP THE SPACE SHUTTLE FLYING.
//! ==================================================================
//!
//! Design:
//!
//! The fundamental key to this design is the bi-directional "pointer" between VolumeSnapshots and
//! VolumeSnapshotContents, represented as `snapshot.status.boundVolumeSnapshotContentName` and
//! `content.spec.volumeSnapshotRef` (with the snapshot's uid).
//!
//! Dynamic snapshots are a multi-step process: this controller fills in the default class (the
//! class annotated `snapshot.storage.kubernetes.io/is-default-class: "true"` with the source
//! volume's driver), protects the source claim with `pvc-as-source-protection`, and creates the
//! content `snapcontent-<snapshot uid>` pointing at the source volume's handle. The csi-snapshotter
//! sidecar of the content's driver then calls CreateSnapshot and writes the content's status
//! (snapshotHandle, creationTime, restoreSize, readyToUse, error). This controller copies that
//! status to the snapshot until it is ready, with the `SnapshotCreated` and `SnapshotReady` events.
//!
//! Pre-provisioned snapshots are created with both pointers set by the user: the snapshot names the
//! content in `spec.source.volumeSnapshotContentName`, the content names the snapshot (without a
//! uid). This controller writes the uid into the content, and the sidecar lists the storage
//! snapshot to fill in the status.
//!
//! Deletion: a snapshot carries `volumesnapshot-as-source-protection` always, and
//! `volumesnapshot-bound-protection` while bound to a content with deletionPolicy Delete; a bound
//! content carries `volumesnapshotcontent-bound-protection`. Deleting the snapshot marks the content
//! `volumesnapshot-being-deleted`; with policy Delete the content is deleted too and the sidecar
//! deletes the storage snapshot and removes the content's finalizer, after which the snapshot's bound
//! finalizer goes. With Retain the content stays, still pointing at the deleted snapshot. A snapshot
//! that a Pending claim restores from is not released (`SnapshotDeletePending`).
//!
//! Errors are recorded once per distinct message in `status.error` with a Warning event, and retried
//! with exponential backoff (1 s doubling to 5 min), as the controller's rate-limited queue does.

use super::pv_controller::helpers::*;
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::snapshot::{
    VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent, VolumeSnapshotContentSource, VolumeSnapshotContentSpec,
    VolumeSnapshotError, VolumeSnapshotStatus,
};
use crate::api::well_known::*;
use crate::api::{Kind, ObjectKey, StatusReason, Typed};
use crate::apiserver::{ApiServer, DeleteOptions, EventType};
use crate::sim::{Component, SimDuration, SimTime};
use crate::store::{Change, Store};
use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeClaim};

/// The event source of the snapshot controller.
pub const EVENT_SOURCE: &str = "snapshot-controller";
/// On a content: the snapshot controller saw its snapshot being deleted; the sidecar may delete the
/// storage snapshot (by the deletion policy).
pub const ANN_VOLUME_SNAPSHOT_BEING_DELETED: &str = "snapshot.storage.kubernetes.io/volumesnapshot-being-deleted";
/// On a content: the sidecar sent CreateSnapshot and waits for a final answer.
pub const ANN_VOLUME_SNAPSHOT_BEING_CREATED: &str = "snapshot.storage.kubernetes.io/volumesnapshot-being-created";
/// The prefix of failed API writes in the controller's errors.
const CONTROLLER_UPDATE_FAIL_MSG: &str = "snapshot controller failed to update";

/// The snapshot controller.
#[derive(Debug)]
pub struct SnapshotController;

/// The content name of a dynamically created snapshot: `snapcontent-<snapshot uid>`
/// (`GetDynamicSnapshotContentNameForSnapshot`).
pub fn content_name_for(snapshot: &VolumeSnapshot) -> String {
    format!("snapcontent-{}", uid_of(&snapshot.metadata))
}

/// `<namespace>/<name>` as the controller names snapshots in messages (`SnapshotKey`).
pub fn snapshot_key(snapshot: &VolumeSnapshot) -> String {
    format!("{}/{}", namespace_of(&snapshot.metadata), name_of(&snapshot.metadata))
}

fn key_of(snapshot: &VolumeSnapshot) -> ObjectKey {
    ObjectKey::namespaced(Kind::VolumeSnapshot, namespace_of(&snapshot.metadata), name_of(&snapshot.metadata))
}

/// RFC 3339 of a Unix time in nanoseconds (a content's `creationTime` as a snapshot's).
pub fn rfc3339_from_unix_nanos(nanos: i64) -> String {
    let (year, month, day, hour, minute, second) = crate::runtime::civil(nanos.div_euclid(1_000_000_000));
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// Unix nanoseconds of a simulated instant.
pub fn unix_nanos(now: SimTime) -> i64 {
    now.unix_millis().saturating_mul(1_000_000)
}

/// Whether the snapshot is ready (`IsSnapshotReady`).
pub fn is_snapshot_ready(snapshot: &VolumeSnapshot) -> bool {
    snapshot.status.as_ref().and_then(|s| s.ready_to_use) == Some(true)
}

fn bound_content_name(snapshot: &VolumeSnapshot) -> Option<&str> {
    snapshot.status.as_ref().and_then(|s| s.bound_volume_snapshot_content_name.as_deref()).filter(|n| !n.is_empty())
}

fn is_snapshot_created(snapshot: &VolumeSnapshot) -> bool {
    snapshot.status.as_ref().and_then(|s| s.creation_time.as_ref()).is_some()
}

/// Whether the content points back at this very snapshot (`IsVolumeSnapshotRefSet`).
pub fn is_volume_snapshot_ref_set(snapshot: &VolumeSnapshot, content: &VolumeSnapshotContent) -> bool {
    let reference = &content.spec.volume_snapshot_ref;
    reference.name.as_deref() == Some(name_of(&snapshot.metadata))
        && reference.namespace.as_deref() == Some(namespace_of(&snapshot.metadata))
        && reference.uid.as_deref() == Some(uid_of(&snapshot.metadata))
}

/// Whether the snapshot is being deleted and still holds one of its finalizers.
fn is_snapshot_deletion_candidate(snapshot: &VolumeSnapshot) -> bool {
    snapshot.metadata.deletion_timestamp.is_some()
        && (has_finalizer(&snapshot.metadata, FINALIZER_VS_AS_SOURCE)
            || has_finalizer(&snapshot.metadata, FINALIZER_VS_BOUND))
}

fn controller_update_error(name: &str, message: &str) -> String {
    format!("{CONTROLLER_UPDATE_FAIL_MSG} {name} on API server: {message}")
}

/// Go's `%q` of an error text, as the controllers wrap errors.
pub fn go_quote(text: &str) -> String {
    format!("{text:?}")
}

/// The error a lister returns for a missing object: `volumesnapshotclass.snapshot.storage.k8s.io "x" not found`.
pub fn lister_not_found(kind: Kind, name: &str) -> String {
    format!("{} \"{name}\" not found", kind.info().qualified_singular())
}

impl Controller for SnapshotController {
    fn component(&self) -> Component {
        Component::SnapshotController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::VolumeSnapshot, Kind::VolumeSnapshotContent]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        let store = api.store();
        match change.key.kind {
            Kind::VolumeSnapshot => out.push(change.key.clone()),
            Kind::VolumeSnapshotContent => {
                out.push(change.key.clone());
                // The snapshots bound (or to be bound) to this content look again: its status may have
                // changed, or it went away.
                let name = change.key.name.as_str();
                for snapshot in store.list_typed::<VolumeSnapshot>() {
                    let points_here = bound_content_name(snapshot) == Some(name)
                        || content_name_for(snapshot) == name
                        || snapshot.spec.source.volume_snapshot_content_name.as_deref() == Some(name);
                    if points_here {
                        out.push(key_of(snapshot));
                    }
                }
            }
            Kind::PersistentVolumeClaim => {
                // A source claim got bound, or a restoring claim finished: its snapshots look again.
                let claim = store.get_typed::<PersistentVolumeClaim>(&change.key.namespace, &change.key.name);
                let restores_from = claim.and_then(|c| c.spec.as_ref()).and_then(|s| {
                    s.data_source
                        .as_ref()
                        .map(|d| d.name.clone())
                        .or_else(|| s.data_source_ref.as_ref().map(|d| d.name.clone()))
                });
                for snapshot in store.list_typed_in::<VolumeSnapshot>(&change.key.namespace) {
                    let source =
                        snapshot.spec.source.persistent_volume_claim_name.as_deref() == Some(change.key.name.as_str());
                    let restore = restores_from.as_deref() == Some(name_of(&snapshot.metadata));
                    if source || restore || snapshot.metadata.deletion_timestamp.is_some() {
                        out.push(key_of(snapshot));
                    }
                }
            }
            Kind::VolumeSnapshotClass => {
                // A class appeared or changed: snapshots still waiting for one look again.
                for snapshot in store.list_typed::<VolumeSnapshot>() {
                    if !is_snapshot_ready(snapshot) {
                        out.push(key_of(snapshot));
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        match key.kind {
            Kind::VolumeSnapshot => sync_snapshot_by_key(key, ctx),
            Kind::VolumeSnapshotContent => sync_content(key, ctx),
            _ => Ok(Action::await_change()),
        }
    }

    fn resync_period(&self) -> Option<SimDuration> {
        // `--resync-period` default.
        Some(SimDuration::from_secs(15 * 60))
    }
}

/// What a step of the sync did.
enum Outcome {
    /// Go on with the next step.
    Continue,
    /// Stop here with this action (an object was written, or nothing more to do).
    Done(Action),
}

fn failure_key(key: &ObjectKey) -> String {
    format!("snapshot-controller/{}/{}", key.namespace, key.name)
}

fn retry(ctx: &mut Ctx<'_>, key: &ObjectKey) -> Action {
    Action::requeue(ctx.backend.record_failure(&failure_key(key)))
}

// ==================================================================
// VolumeSnapshotContent
// ==================================================================

/// `syncContent`: the content's finalizer, and the being-deleted mark when its snapshot goes.
fn sync_content(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let Some(content) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &key.name).cloned() else {
        return Ok(Action::await_change());
    };
    let source = &content.spec.source;
    if source.volume_handle.is_some() == source.snapshot_handle.is_some() {
        // The CRD's CEL rules reject this; kept for contents written around them.
        ctx.api.record_event(
            EVENT_SOURCE,
            None,
            key,
            EventType::Warning,
            "ContentValidationError",
            "Exactly one of VolumeHandle and SnapshotHandle should be specified",
        );
        return Ok(Action::await_change());
    } else {
        // Valid.
    }
    if content.spec.volume_snapshot_ref.uid.as_deref().unwrap_or("").is_empty() {
        // OBSERVATION: the content is pre-bound to a snapshot that has not bound it yet;
        // syncSnapshot handles it.
        return Ok(Action::await_change());
    } else {
        // Bound (or being bound) to a snapshot with a uid.
    }
    if content.metadata.deletion_timestamp.is_none() && !has_finalizer(&content.metadata, FINALIZER_VSC_BOUND) {
        let mut updated = content.clone();
        add_finalizer(&mut updated.metadata, FINALIZER_VSC_BOUND);
        ctx.api.update(Component::SnapshotController, updated.into_object())?;
        return Ok(Action::await_change());
    } else {
        // Finalizer present, or the content is going away.
    }
    let reference = &content.spec.volume_snapshot_ref;
    let snapshot = ctx
        .api
        .store()
        .get_typed::<VolumeSnapshot>(
            reference.namespace.as_deref().unwrap_or(""),
            reference.name.as_deref().unwrap_or(""),
        )
        .filter(|s| Some(uid_of(&s.metadata)) == reference.uid.as_deref())
        .cloned();
    // NOTE: a content whose snapshot is gone is never deleted here (the user may have copied its
    // YAML to another cluster; deleting would lose the storage snapshot).
    if let Some(snapshot) = snapshot.filter(is_snapshot_deletion_candidate) {
        let _ = snapshot;
        set_ann_being_deleted(&content, ctx)?;
    } else {
        // The snapshot lives, or is gone: nothing to do.
    }
    Ok(Action::await_change())
}

fn set_ann_being_deleted(
    content: &VolumeSnapshotContent,
    ctx: &mut Ctx<'_>,
) -> Result<VolumeSnapshotContent, ReconcileError> {
    if has_annotation(&content.metadata, ANN_VOLUME_SNAPSHOT_BEING_DELETED) {
        return Ok(content.clone());
    }
    let mut updated = content.clone();
    set_annotation(&mut updated.metadata, ANN_VOLUME_SNAPSHOT_BEING_DELETED, "yes");
    let stored = ctx.api.update(Component::SnapshotController, updated.into_object())?;
    Ok(VolumeSnapshotContent::from_object(&stored).cloned().unwrap_or_else(|| content.clone()))
}

// ==================================================================
// VolumeSnapshot
// ==================================================================

/// `syncSnapshotByKey`: the class first (the default class for the source's driver when unset),
/// then `syncSnapshot`.
fn sync_snapshot_by_key(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let Some(snapshot) = ctx.api.store().get_typed::<VolumeSnapshot>(&key.namespace, &key.name).cloned() else {
        ctx.backend.clear_failures(&failure_key(key));
        return Ok(Action::await_change());
    };
    match check_and_update_snapshot_class(&snapshot, ctx)? {
        ClassCheck::Ok => {}
        ClassCheck::Updated => return Ok(Action::await_change()),
        ClassCheck::Missing if snapshot.metadata.deletion_timestamp.is_some() => {
            // A deleted class must not keep a deleted snapshot alive.
        }
        ClassCheck::Missing | ClassCheck::Failed => return Ok(retry(ctx, key)),
    }
    sync_snapshot(&snapshot, ctx)
}

enum ClassCheck {
    Ok,
    Updated,
    Missing,
    Failed,
}

/// `checkAndUpdateSnapshotClass`.
fn check_and_update_snapshot_class(snapshot: &VolumeSnapshot, ctx: &mut Ctx<'_>) -> Result<ClassCheck, ReconcileError> {
    if let Some(class_name) = snapshot.spec.volume_snapshot_class_name.as_deref() {
        if ctx.api.store().get_typed::<VolumeSnapshotClass>("", class_name).is_some() {
            return Ok(ClassCheck::Ok);
        }
        let message = format!(
            "Failed to get snapshot class with error {}",
            lister_not_found(Kind::VolumeSnapshotClass, class_name)
        );
        update_error_status_with_event(snapshot, false, EventType::Warning, "GetSnapshotClassFailed", &message, ctx)?;
        return Ok(ClassCheck::Missing);
    }
    // OBSERVATION: no class named. Pre-provisioned snapshots need none.
    if snapshot.spec.source.volume_snapshot_content_name.is_some() {
        return Ok(ClassCheck::Ok);
    }
    match default_snapshot_class(ctx.api.store(), snapshot) {
        Ok(class_name) => {
            let mut updated = snapshot.clone();
            updated.spec.volume_snapshot_class_name = Some(class_name);
            ctx.api.update(Component::SnapshotController, updated.into_object())?;
            Ok(ClassCheck::Updated)
        }
        Err(error) => {
            let message = format!("Failed to set default snapshot class with error {error}");
            update_error_status_with_event(
                snapshot,
                false,
                EventType::Warning,
                "SetDefaultSnapshotClassFailed",
                &message,
                ctx,
            )?;
            Ok(ClassCheck::Failed)
        }
    }
}

/// `SetDefaultSnapshotClass`: the one class annotated default whose driver is the source volume's.
///
/// # Errors
/// The controller's words: the source claim or volume problem, `cannot find default snapshot
/// class`, or `<n> default snapshot classes were found`.
pub fn default_snapshot_class(store: &Store, snapshot: &VolumeSnapshot) -> Result<String, String> {
    let volume = volume_from_snapshot(store, snapshot)?;
    let Some(csi) = volume.spec.as_ref().and_then(|s| s.csi.as_ref()) else {
        return Err(format!("snapshotting non-CSI volumes is not supported, snapshot:{}", snapshot_key(snapshot)));
    };
    let defaults: Vec<&VolumeSnapshotClass> = store
        .list_typed::<VolumeSnapshotClass>()
        .filter(|c| annotation(&c.metadata, ANN_DEFAULT_SNAPSHOT_CLASS) == Some("true") && c.driver == csi.driver)
        .collect();
    match defaults.as_slice() {
        [] => Err("cannot find default snapshot class".to_string()),
        [class] => Ok(name_of(&class.metadata).to_string()),
        many => Err(format!("{} default snapshot classes were found", many.len())),
    }
}

/// `getClaimFromVolumeSnapshot`.
fn claim_from_snapshot<'a>(store: &'a Store, snapshot: &VolumeSnapshot) -> Result<&'a PersistentVolumeClaim, String> {
    let Some(claim_name) = snapshot.spec.source.persistent_volume_claim_name.as_deref() else {
        return Err("the snapshot source PVC name is not specified".to_string());
    };
    if claim_name.is_empty() {
        return Err(format!("the PVC name is not specified in snapshot {}", snapshot_key(snapshot)));
    }
    store.get_typed::<PersistentVolumeClaim>(namespace_of(&snapshot.metadata), claim_name).ok_or_else(|| {
        format!(
            "failed to retrieve PVC {claim_name} from the lister: {}",
            go_quote(&lister_not_found(Kind::PersistentVolumeClaim, claim_name))
        )
    })
}

/// `getVolumeFromVolumeSnapshot`.
fn volume_from_snapshot(store: &Store, snapshot: &VolumeSnapshot) -> Result<PersistentVolume, String> {
    let claim = claim_from_snapshot(store, snapshot)?;
    if claim_phase(claim) != "Bound" {
        return Err(format!(
            "the PVC {} is not yet bound to a PV, will not attempt to take a snapshot",
            name_of(&claim.metadata)
        ));
    }
    let volume_name = claim_volume_name(claim);
    let Some(volume) = store.get_typed::<PersistentVolume>("", volume_name) else {
        let error = crate::api::ApiError::not_found(Kind::PersistentVolume, volume_name);
        return Err(format!("failed to retrieve PV {volume_name} from the API server: {}", go_quote(&error.message)));
    };
    if !is_volume_bound_to_claim(volume, claim) {
        return Err("claim in dataSource not bound or invalid".to_string());
    }
    Ok(volume.clone())
}

/// `syncSnapshot`: the main decision of what to do with a snapshot.
fn sync_snapshot(snapshot: &VolumeSnapshot, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let key = key_of(snapshot);
    // Check if we should remove the finalizer on the source claim and remove it if we can.
    if let Err(error) = check_and_remove_claim_finalizer(snapshot, false, ctx) {
        let _ = error;
        ctx.api.record_event(
            EVENT_SOURCE,
            None,
            &key,
            EventType::Warning,
            "ErrorPVCFinalizer",
            "Error check and remove PVC Finalizer for VolumeSnapshot",
        );
    } else {
        // Nothing to report.
    }
    if snapshot.metadata.deletion_timestamp.is_some() {
        return process_snapshot_with_deletion_timestamp(snapshot, ctx);
    } else {
        // A live snapshot.
    }
    let source = &snapshot.spec.source;
    if source.persistent_volume_claim_name.is_some() == source.volume_snapshot_content_name.is_some() {
        let message = "Exactly one of PersistentVolumeClaimName and VolumeSnapshotContentName should be specified";
        update_error_status_with_event(snapshot, true, EventType::Warning, "SnapshotValidationError", message, ctx)?;
        return Ok(retry(ctx, &key));
    } else {
        // Valid (the CRD's CEL rules make sure of it).
    }
    match check_and_add_snapshot_finalizers(snapshot, ctx)? {
        Outcome::Continue => {}
        Outcome::Done(action) => return Ok(action),
    }
    if !is_snapshot_ready(snapshot) || bound_content_name(snapshot).is_none() {
        sync_unready_snapshot(snapshot, ctx)
    } else {
        sync_ready_snapshot(snapshot, ctx)
    }
}

/// The content a snapshot names or would have, checked against the snapshot; `Err` when an error
/// status was recorded.
fn content_for(
    snapshot: &VolumeSnapshot,
    ctx: &mut Ctx<'_>,
) -> Result<Result<Option<VolumeSnapshotContent>, ()>, ReconcileError> {
    if let Some(content_name) = snapshot.spec.source.volume_snapshot_content_name.as_deref() {
        // getPreprovisionedContentFromStore.
        let Some(content) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", content_name).cloned() else {
            return Ok(Ok(None));
        };
        if content.spec.source.snapshot_handle.is_none() {
            let message = "VolumeSnapshotContent is dynamically provisioned while expecting a pre-provisioned one";
            update_error_status_with_event(
                snapshot,
                true,
                EventType::Warning,
                "SnapshotContentMismatch",
                message,
                ctx,
            )?;
            return Ok(Err(()));
        }
        let reference = &content.spec.volume_snapshot_ref;
        let uid = reference.uid.as_deref().unwrap_or("");
        if reference.name.as_deref() != Some(name_of(&snapshot.metadata))
            || reference.namespace.as_deref() != Some(namespace_of(&snapshot.metadata))
            || (!uid.is_empty() && uid != uid_of(&snapshot.metadata))
        {
            let message = format!("VolumeSnapshotContent [{content_name}] is bound to a different snapshot");
            update_error_status_with_event(
                snapshot,
                true,
                EventType::Warning,
                "SnapshotContentMisbound",
                &message,
                ctx,
            )?;
            return Ok(Err(()));
        }
        Ok(Ok(Some(content)))
    } else {
        // getDynamicallyProvisionedContentFromStore.
        let content_name = content_name_for(snapshot);
        let Some(content) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &content_name).cloned() else {
            return Ok(Ok(None));
        };
        if content.spec.source.volume_handle.is_none() {
            let message = format!(
                "VolumeSnapshotContent {content_name} is pre-provisioned while expecting a dynamically provisioned one"
            );
            update_error_status_with_event(
                snapshot,
                true,
                EventType::Warning,
                "SnapshotContentMismatch",
                &message,
                ctx,
            )?;
            return Ok(Err(()));
        }
        if !is_volume_snapshot_ref_set(snapshot, &content) {
            let message = format!("VolumeSnapshotContent [{content_name}] is bound to a different snapshot");
            update_error_status_with_event(
                snapshot,
                true,
                EventType::Warning,
                "SnapshotContentMisbound",
                &message,
                ctx,
            )?;
            return Ok(Err(()));
        }
        Ok(Ok(Some(content)))
    }
}

/// `checkandAddSnapshotFinalizers`: as-source protection always; bound protection once bound to a
/// content whose deletion policy is Delete.
fn check_and_add_snapshot_finalizers(snapshot: &VolumeSnapshot, ctx: &mut Ctx<'_>) -> Result<Outcome, ReconcileError> {
    let content = match content_for(snapshot, ctx)? {
        Ok(content) => content,
        Err(()) => {
            let key = key_of(snapshot);
            return Ok(Outcome::Done(retry(ctx, &key)));
        }
    };
    let live = snapshot.metadata.deletion_timestamp.is_none();
    let add_source = live && !has_finalizer(&snapshot.metadata, FINALIZER_VS_AS_SOURCE);
    let add_bound = content.as_ref().is_some_and(|c| c.spec.deletion_policy == "Delete")
        && live
        && !has_finalizer(&snapshot.metadata, FINALIZER_VS_BOUND)
        && bound_content_name(snapshot).is_some();
    if add_source || add_bound {
        let mut updated = snapshot.clone();
        if add_source {
            add_finalizer(&mut updated.metadata, FINALIZER_VS_AS_SOURCE);
        }
        if add_bound {
            add_finalizer(&mut updated.metadata, FINALIZER_VS_BOUND);
        }
        ctx.api.update(Component::SnapshotController, updated.into_object())?;
        Ok(Outcome::Done(Action::await_change()))
    } else {
        Ok(Outcome::Continue)
    }
}

/// `syncReadySnapshot`: a ready, bound snapshot only needs its binding checked.
fn sync_ready_snapshot(snapshot: &VolumeSnapshot, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let key = key_of(snapshot);
    let content_name = bound_content_name(snapshot).unwrap_or("").to_string();
    let Some(content) = ctx.api.store().get_typed::<VolumeSnapshotContent>("", &content_name).cloned() else {
        update_error_status_with_event(
            snapshot,
            true,
            EventType::Warning,
            "SnapshotContentMissing",
            "VolumeSnapshotContent is missing",
            ctx,
        )?;
        return Ok(retry(ctx, &key));
    };
    if !is_volume_snapshot_ref_set(snapshot, &content) {
        let message = "VolumeSnapshotContent is not bound to the VolumeSnapshot correctly";
        update_error_status_with_event(snapshot, true, EventType::Warning, "SnapshotMisbound", message, ctx)?;
        return Ok(retry(ctx, &key));
    }
    ctx.backend.clear_failures(&failure_key(&key));
    Ok(Action::await_change())
}

/// `syncUnreadySnapshot`: bind a pre-provisioned content, or create the content of a dynamic
/// snapshot, and copy the content's status.
fn sync_unready_snapshot(snapshot: &VolumeSnapshot, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let key = key_of(snapshot);
    let unique_name = snapshot_key(snapshot);
    if snapshot.spec.source.volume_snapshot_content_name.is_some() {
        // [Test set 2] Pre-provisioned snapshot.
        let content = match content_for(snapshot, ctx)? {
            Ok(Some(content)) => content,
            Ok(None) => {
                update_error_status_with_event(
                    snapshot,
                    true,
                    EventType::Warning,
                    "SnapshotContentMissing",
                    "VolumeSnapshotContent is missing",
                    ctx,
                )?;
                return Ok(retry(ctx, &key));
            }
            Err(()) => return Ok(retry(ctx, &key)),
        };
        let content = match check_and_bind_snapshot_content(snapshot, &content, ctx)? {
            Ok(content) => content,
            Err(error) => {
                let message = format!("Snapshot failed to bind VolumeSnapshotContent, {error}");
                update_error_status_with_event(
                    snapshot,
                    true,
                    EventType::Warning,
                    "SnapshotBindFailed",
                    &message,
                    ctx,
                )?;
                return Ok(retry(ctx, &key));
            }
        };
        update_snapshot_status(snapshot, &content, ctx)?;
        return Ok(Action::await_change());
    }
    // [Test set 1] Dynamic snapshot.
    match content_for(snapshot, ctx)? {
        Ok(Some(content)) => {
            if content.spec.source.snapshot_handle.is_some() {
                let message =
                    format!("Snapshot handle should not be set in content {unique_name} for dynamic provisioning");
                update_error_status_with_event(snapshot, true, EventType::Warning, "SnapshotHandleSet", &message, ctx)?;
                return Ok(retry(ctx, &key));
            }
            // OBSERVATION: the content exists; copy its status (bindandUpdateVolumeSnapshot).
            update_snapshot_status(snapshot, &content, ctx)?;
            Ok(Action::await_change())
        }
        Ok(None) => {
            if snapshot.spec.source.persistent_volume_claim_name.is_none() {
                let message = format!("PVC source for snapshot {unique_name} is missing");
                update_error_status_with_event(
                    snapshot,
                    true,
                    EventType::Warning,
                    "SnapshotPVCSourceMissing",
                    &message,
                    ctx,
                )?;
                return Ok(retry(ctx, &key));
            }
            match create_snapshot_content(snapshot, ctx)? {
                Ok(content) => {
                    update_snapshot_status(snapshot, &content, ctx)?;
                    ctx.backend.clear_failures(&failure_key(&key));
                    Ok(Action::await_change())
                }
                Err(error) => {
                    let message = format!("Failed to create snapshot content with error {error}");
                    update_error_status_with_event(
                        snapshot,
                        true,
                        EventType::Warning,
                        "SnapshotContentCreationFailed",
                        &message,
                        ctx,
                    )?;
                    Ok(retry(ctx, &key))
                }
            }
        }
        Err(()) => Ok(retry(ctx, &key)),
    }
}

/// `checkandBindSnapshotContent`: writes the snapshot's uid (and class) into a pre-bound content.
fn check_and_bind_snapshot_content(
    snapshot: &VolumeSnapshot,
    content: &VolumeSnapshotContent,
    ctx: &mut Ctx<'_>,
) -> Result<Result<VolumeSnapshotContent, String>, ReconcileError> {
    let reference = &content.spec.volume_snapshot_ref;
    let uid = reference.uid.as_deref().unwrap_or("");
    let mismatch = || {
        format!(
            "Could not bind snapshot {} and content {}, the VolumeSnapshotRef does not match",
            name_of(&snapshot.metadata),
            name_of(&content.metadata)
        )
    };
    let other_name = reference.name.as_deref() != Some(name_of(&snapshot.metadata));
    let other_uid = !uid.is_empty() && uid != uid_of(&snapshot.metadata);
    if other_name || other_uid {
        return Ok(Err(mismatch()));
    } else if !uid.is_empty() && content.spec.volume_snapshot_class_name.is_some() {
        return Ok(Ok(content.clone()));
    } else {
        // Bind it.
    }
    let mut updated = content.clone();
    updated.spec.volume_snapshot_ref.uid = Some(uid_of(&snapshot.metadata).to_string());
    if let Some(class_name) = snapshot.spec.volume_snapshot_class_name.clone() {
        updated.spec.volume_snapshot_class_name = Some(class_name);
    }
    match ctx.api.update(Component::SnapshotController, updated.into_object()) {
        Ok(stored) => Ok(Ok(VolumeSnapshotContent::from_object(&stored).cloned().unwrap_or_else(|| content.clone()))),
        Err(error) if error.reason == StatusReason::Conflict => Err(error.into()),
        Err(error) => Ok(Err(error.message)),
    }
}

/// `ensurePVCFinalizer`: the source claim keeps `pvc-as-source-protection` while it is snapshotted.
fn ensure_claim_finalizer(snapshot: &VolumeSnapshot, ctx: &mut Ctx<'_>) -> Result<Result<(), String>, ReconcileError> {
    let Ok(claim) = claim_from_snapshot(ctx.api.store(), snapshot).cloned() else {
        return Ok(Err(controller_update_error(name_of(&snapshot.metadata), "cannot get claim from snapshot")));
    };
    if has_finalizer(&claim.metadata, FINALIZER_PVC_AS_SOURCE) {
        return Ok(Ok(()));
    }
    if claim.metadata.deletion_timestamp.is_some() {
        return Ok(Err(controller_update_error(
            name_of(&claim.metadata),
            "cannot add finalizer on claim because it is being deleted",
        )));
    }
    let mut updated = claim.clone();
    add_finalizer(&mut updated.metadata, FINALIZER_PVC_AS_SOURCE);
    match ctx.api.update(Component::SnapshotController, updated.into_object()) {
        Ok(_) => Ok(Ok(())),
        Err(error) if error.reason == StatusReason::Conflict => Err(error.into()),
        Err(error) => Ok(Err(controller_update_error(name_of(&claim.metadata), &error.message))),
    }
}

/// `createSnapshotContent`: the content `snapcontent-<uid>` for a dynamic snapshot.
fn create_snapshot_content(
    snapshot: &VolumeSnapshot,
    ctx: &mut Ctx<'_>,
) -> Result<Result<VolumeSnapshotContent, String>, ReconcileError> {
    if let Err(error) = ensure_claim_finalizer(snapshot, ctx)? {
        return Ok(Err(error));
    }
    let store = ctx.api.store();
    let input = (|| -> Result<(VolumeSnapshotClass, PersistentVolume), String> {
        let Some(class_name) = snapshot.spec.volume_snapshot_class_name.as_deref() else {
            return Err(format!("failed to take snapshot {} without a snapshot class", name_of(&snapshot.metadata)));
        };
        let class = store
            .get_typed::<VolumeSnapshotClass>("", class_name)
            .cloned()
            .ok_or_else(|| lister_not_found(Kind::VolumeSnapshotClass, class_name))?;
        let volume = volume_from_snapshot(store, snapshot)?;
        Ok((class, volume))
    })();
    let (class, volume) = match input {
        Ok(input) => input,
        Err(error) => {
            return Ok(Err(format!(
                "failed to get input parameters to create snapshot {}: {}",
                name_of(&snapshot.metadata),
                go_quote(&error)
            )));
        }
    };
    let Some(csi) = volume.spec.as_ref().and_then(|s| s.csi.as_ref()) else {
        return Ok(Err(format!("cannot find CSI PersistentVolumeSource for volume {}", name_of(&volume.metadata))));
    };
    let content_name = content_name_for(snapshot);
    let mut content = VolumeSnapshotContent::default();
    content.metadata.name = Some(content_name.clone());
    content.spec = VolumeSnapshotContentSpec {
        deletion_policy: class.deletion_policy.clone(),
        driver: class.driver.clone(),
        source: VolumeSnapshotContentSource { volume_handle: Some(csi.volume_handle.clone()), snapshot_handle: None },
        // --prevent-volume-mode-conversion is on by default in v8.
        source_volume_mode: Some(volume_volume_mode(&volume).to_string()),
        volume_snapshot_class_name: Some(name_of(&class.metadata).to_string()),
        volume_snapshot_ref: ObjectReference {
            api_version: Some("snapshot.storage.k8s.io/v1".to_string()),
            kind: Some("VolumeSnapshot".to_string()),
            name: Some(name_of(&snapshot.metadata).to_string()),
            namespace: Some(namespace_of(&snapshot.metadata).to_string()),
            uid: Some(uid_of(&snapshot.metadata).to_string()),
            resource_version: snapshot.metadata.resource_version.clone(),
            field_path: None,
        },
    };
    let created = match ctx.api.create(Component::SnapshotController, content.clone().into_object()) {
        Ok(stored) => VolumeSnapshotContent::from_object(&stored).cloned().unwrap_or(content),
        Err(error) if error.reason == StatusReason::AlreadyExists => {
            ctx.api.store().get_typed::<VolumeSnapshotContent>("", &content_name).cloned().unwrap_or(content)
        }
        Err(error) => {
            let key = key_of(snapshot);
            let message = format!(
                "Error creating volume snapshot content object for snapshot {}: {}.",
                snapshot_key(snapshot),
                error.message
            );
            ctx.api.record_event(EVENT_SOURCE, None, &key, EventType::Warning, "CreateSnapshotContentFailed", &message);
            return Ok(Err(controller_update_error(&snapshot_key(snapshot), &error.message)));
        }
    };
    let key = key_of(snapshot);
    let message = format!("Waiting for a snapshot {} to be created by the CSI driver.", snapshot_key(snapshot));
    ctx.api.record_event(EVENT_SOURCE, None, &key, EventType::Normal, "CreatingSnapshot", &message);
    Ok(Ok(created))
}

/// `updateSnapshotStatus`: copies the content's status to the snapshot, with the `SnapshotCreated`
/// and `SnapshotReady` events on the transitions.
fn update_snapshot_status(
    snapshot: &VolumeSnapshot,
    content: &VolumeSnapshotContent,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    let key = key_of(snapshot);
    let Some(current) = ctx.api.store().get_typed::<VolumeSnapshot>(&key.namespace, &key.name).cloned() else {
        return Ok(());
    };
    let content_status = content.status.clone().unwrap_or_default();
    let created_at = content_status.creation_time.map(rfc3339_from_unix_nanos);
    let size = content_status.restore_size.map(|s| quantity_from_bytes(u64::try_from(s).unwrap_or(0)).0);
    let ready = content_status.ready_to_use.unwrap_or(false);
    let mut status = current.status.clone().unwrap_or_default();
    let fresh = current.status.is_none();
    if fresh {
        status = VolumeSnapshotStatus {
            bound_volume_snapshot_content_name: Some(name_of(&content.metadata).to_string()),
            ready_to_use: Some(ready),
            creation_time: created_at,
            restore_size: size,
            error: content_status.error.clone(),
            volume_group_snapshot_name: None,
        };
    } else {
        if status.bound_volume_snapshot_content_name.is_none() {
            status.bound_volume_snapshot_content_name = Some(name_of(&content.metadata).to_string());
        }
        if status.creation_time.is_none() && created_at.is_some() {
            status.creation_time = created_at;
        }
        if status.ready_to_use != Some(ready) {
            status.ready_to_use = Some(ready);
            if ready {
                status.error = None;
            }
        }
        let zero = status.restore_size.as_deref().is_some_and(|q| q == "0");
        if (status.restore_size.is_none() || zero) && size.is_some() {
            status.restore_size = size;
        }
        if status.error.is_some() || content_status.error.is_some() {
            status.error = content_status.error.clone();
        }
    }
    if current.status.as_ref() == Some(&status) {
        return Ok(());
    }
    let mut updated = current.clone();
    updated.status = Some(status);
    if !is_snapshot_created(&current) && is_snapshot_created(&updated) {
        let message = format!("Snapshot {} was successfully created by the CSI driver.", snapshot_key(snapshot));
        ctx.api.record_event(EVENT_SOURCE, None, &key, EventType::Normal, "SnapshotCreated", &message);
    }
    if !is_snapshot_ready(&current) && is_snapshot_ready(&updated) {
        let message = format!("Snapshot {} is ready to use.", snapshot_key(snapshot));
        ctx.api.record_event(EVENT_SOURCE, None, &key, EventType::Normal, "SnapshotReady", &message);
    }
    ctx.api.update_status(Component::SnapshotController, updated.into_object())?;
    Ok(())
}

/// `updateSnapshotErrorStatusWithEvent`: records `message` in `status.error` (and readyToUse false
/// when asked) with a Warning event, once per distinct message.
fn update_error_status_with_event(
    snapshot: &VolumeSnapshot,
    set_ready_to_false: bool,
    event_type: EventType,
    reason: &str,
    message: &str,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    let key = key_of(snapshot);
    let Some(current) = ctx.api.store().get_typed::<VolumeSnapshot>(&key.namespace, &key.name).cloned() else {
        return Ok(());
    };
    if current.status.as_ref().and_then(|s| s.error.as_ref()).and_then(|e| e.message.as_deref()) == Some(message) {
        return Ok(());
    }
    let mut updated = current.clone();
    let status = updated.status.get_or_insert_with(VolumeSnapshotStatus::default);
    status.error = Some(VolumeSnapshotError { message: Some(message.to_string()), time: Some(ctx.now().rfc3339()) });
    if set_ready_to_false {
        status.ready_to_use = Some(false);
    }
    ctx.api.update_status(Component::SnapshotController, updated.into_object())?;
    ctx.api.record_event(EVENT_SOURCE, None, &key, event_type, reason, message);
    Ok(())
}

/// Whether a Pending claim restores from the snapshot (`isVolumeBeingCreatedFromSnapshot`).
pub fn is_volume_being_created_from_snapshot(store: &Store, snapshot: &VolumeSnapshot) -> bool {
    store.list_typed_in::<PersistentVolumeClaim>(namespace_of(&snapshot.metadata)).any(|claim| {
        let spec = claim.spec.as_ref();
        let from_source = spec.and_then(|s| s.data_source.as_ref()).is_some_and(|s| {
            s.name == name_of(&snapshot.metadata)
                && s.kind == "VolumeSnapshot"
                && s.api_group.as_deref() == Some(crate::snapshots::SNAPSHOT_API_GROUP)
        });
        let from_ref = spec.and_then(|s| s.data_source_ref.as_ref()).is_some_and(|s| {
            s.name == name_of(&snapshot.metadata)
                && s.kind == "VolumeSnapshot"
                && s.api_group.as_deref() == Some(crate::snapshots::SNAPSHOT_API_GROUP)
        });
        (from_source || from_ref) && claim_phase(claim) == "Pending"
    })
}

/// `processSnapshotWithDeletionTimestamp`.
fn process_snapshot_with_deletion_timestamp(
    snapshot: &VolumeSnapshot,
    ctx: &mut Ctx<'_>,
) -> Result<Action, ReconcileError> {
    let key = key_of(snapshot);
    let mut content_name = bound_content_name(snapshot).unwrap_or("").to_string();
    if content_name.is_empty() && snapshot.spec.source.persistent_volume_claim_name.is_some() {
        // The content may exist before the status names it.
        content_name = content_name_for(snapshot);
    }
    let content = ctx
        .api
        .store()
        .get_typed::<VolumeSnapshotContent>("", &content_name)
        .filter(|c| is_volume_snapshot_ref_set(snapshot, c))
        .cloned();
    let delete_content = content.as_ref().is_some_and(|c| c.spec.deletion_policy == "Delete");
    if !is_snapshot_deletion_candidate(snapshot) {
        return Ok(Action::await_change());
    }
    if content.is_some() && is_volume_being_created_from_snapshot(ctx.api.store(), snapshot) {
        // OBSERVATION: a Pending claim restores from this snapshot; deletion waits for it.
        ctx.api.record_event(
            EVENT_SOURCE,
            None,
            &key,
            EventType::Warning,
            "SnapshotDeletePending",
            "Snapshot is being used to restore a PVC",
        );
        return Ok(retry(ctx, &key));
    } else {
        // Not in use.
    }
    let content = match content {
        Some(content) => Some(set_ann_being_deleted(&content, ctx)?),
        None => None,
    };
    if let Some(content) = content.as_ref().filter(|_| delete_content) {
        let content_key = ObjectKey::cluster(Kind::VolumeSnapshotContent, name_of(&content.metadata));
        match ctx.api.delete(Component::SnapshotController, &content_key, DeleteOptions::default()) {
            Ok(_) => {}
            Err(error) if error.reason == StatusReason::NotFound => {}
            Err(error) => {
                ctx.api.record_event(
                    EVENT_SOURCE,
                    None,
                    &key,
                    EventType::Warning,
                    "SnapshotContentObjectDeleteError",
                    "Failed to delete snapshot content API object",
                );
                return Err(ReconcileError::Other(format!(
                    "failed to delete VolumeSnapshotContent {} from API server: {}",
                    name_of(&content.metadata),
                    go_quote(&error.message)
                )));
            }
        }
    } else {
        // Retain (or no content): the content stays.
    }
    // The bound finalizer stays until the content is gone when the deletion cascades to it.
    let remove_bound = !(content.is_some() && delete_content);
    remove_snapshot_finalizers(snapshot, true, remove_bound, ctx)?;
    Ok(Action::await_change())
}

/// `removeSnapshotFinalizer`.
fn remove_snapshot_finalizers(
    snapshot: &VolumeSnapshot,
    remove_source: bool,
    remove_bound: bool,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    if !remove_source && !remove_bound {
        return Ok(());
    }
    if check_and_remove_claim_finalizer(snapshot, true, ctx).is_err() {
        let key = key_of(snapshot);
        ctx.api.record_event(
            EVENT_SOURCE,
            None,
            &key,
            EventType::Warning,
            "ErrorPVCFinalizer",
            "Error check and remove PVC Finalizer for VolumeSnapshot",
        );
    }
    let key = key_of(snapshot);
    let Some(mut updated) = ctx.api.store().get_typed::<VolumeSnapshot>(&key.namespace, &key.name).cloned() else {
        return Ok(());
    };
    let before = updated.metadata.finalizers.clone();
    if remove_source {
        remove_finalizer(&mut updated.metadata, FINALIZER_VS_AS_SOURCE);
    }
    if remove_bound {
        remove_finalizer(&mut updated.metadata, FINALIZER_VS_BOUND);
    }
    if updated.metadata.finalizers != before {
        ctx.api.update(Component::SnapshotController, updated.into_object())?;
    }
    Ok(())
}

/// Whether another unready snapshot still takes a snapshot of the claim (`isPVCBeingUsed`).
fn is_claim_being_snapshotted(
    store: &Store,
    claim: &PersistentVolumeClaim,
    snapshot: &VolumeSnapshot,
    skip_current: bool,
) -> bool {
    store.list_typed_in::<VolumeSnapshot>(namespace_of(&claim.metadata)).any(|other| {
        if skip_current && name_of(&other.metadata) == name_of(&snapshot.metadata) {
            return false;
        }
        other.spec.source.persistent_volume_claim_name.as_deref() == Some(name_of(&claim.metadata))
            && !is_snapshot_ready(other)
    })
}

/// `checkandRemovePVCFinalizer`: the source claim is released once no unready snapshot uses it.
fn check_and_remove_claim_finalizer(
    snapshot: &VolumeSnapshot,
    skip_current: bool,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    if snapshot.spec.source.persistent_volume_claim_name.is_none() {
        return Ok(());
    }
    let Ok(claim) = claim_from_snapshot(ctx.api.store(), snapshot).cloned() else {
        return Ok(());
    };
    if has_finalizer(&claim.metadata, FINALIZER_PVC_AS_SOURCE)
        && !is_claim_being_snapshotted(ctx.api.store(), &claim, snapshot, skip_current)
    {
        let mut updated = claim;
        remove_finalizer(&mut updated.metadata, FINALIZER_PVC_AS_SOURCE);
        ctx.api.update(Component::SnapshotController, updated.into_object())?;
    } else {
        // Still snapshotted, or not protected.
    }
    Ok(())
}
