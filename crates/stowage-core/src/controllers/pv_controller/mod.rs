//! The PersistentVolume controller (kube-controller-manager's `persistentvolume-binder`): binds claims
//! to volumes, asks provisioners for new volumes, and reclaims released volumes.
//!
//! PLEASE DO NOT ATTEMPT TO SIMPLIFY THIS CODE. KEEP THE SPACE SHUTTLE FLYING. (Upstream's banner:
//! every `if` has an `else`, and things that may seem obvious are said explicitly.)
//!
//! Design:
//!
//! The fundamental key to this design is the bi-directional "pointer" between PersistentVolumes
//! (PVs) and PersistentVolumeClaims (PVCs), represented as `claim.spec.volumeName` and
//! `volume.spec.claimRef`. The bi-directionality is complicated to manage in a transactionless
//! system, but without it we cannot tell a bound pair from one half-written by a user.
//!
//! Binding is a two-step process: `volume.spec.claimRef` is written first (with the volume's phase
//! `Bound`), then `claim.spec.volumeName` with the `bind-completed` annotation (and the claim's
//! phase `Bound`). Any write may fail with a Conflict; the next sync sees the half-done state and
//! finishes it, because every sync starts from what is stored, never from what woke it.
//!
//! The annotation `pv.kubernetes.io/bound-by-controller` on either object says that this controller
//! made that half of the pointer (as opposed to a user pre-binding it); only such halves are undone
//! when the other side goes elsewhere.
//!
//! Sync entry points: [`sync_claim`] (split into `sync_unbound_claim` and `sync_bound_claim`) and
//! [`sync_volume`]. Branches are labelled `// OBSERVATION:` with the world state they assume and
//! `// [Unit test set N]` with the upstream `binder_test.go` cases that cover them.
//!
//! Matching uses an index ([`index::VolumeIndex`]) kept in the backend and synced from the watch
//! log before each reconcile. Events come from `persistentvolume-controller`.

pub mod helpers;
pub mod index;

use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::*;
use crate::api::{Kind, Object, ObjectKey, Typed};
use crate::apiserver::{ApiServer, DeleteOptions, EventType};
use crate::sim::{Component, SimDuration};
use crate::store::{Change, Store};
use helpers::*;
use index::MatchRequest;
use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use std::collections::BTreeSet;

/// The event source of this controller.
pub const SOURCE: &str = "persistentvolume-controller";

/// `--pvclaimbinder-sync-period`: every volume and claim is synced this often.
pub const RESYNC_PERIOD: SimDuration = SimDuration::from_secs(15);

/// Annotation on claims and volumes set when an in-tree plugin is migrated to its CSI driver.
pub const ANN_MIGRATED_TO: &str = "pv.kubernetes.io/migrated-to";

/// The PV controller.
#[derive(Debug)]
pub struct PvController;

impl Controller for PvController {
    fn component(&self) -> Component {
        Component::PvController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::PersistentVolume, Kind::PersistentVolumeClaim]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        let store = api.store();
        match change.key.kind {
            Kind::PersistentVolume => {
                out.push(change.key.clone());
                // A volume change may complete a claim's binding (a provisioned volume appears).
                if let Some(claim_ref) = store
                    .get_typed::<PersistentVolume>("", &change.key.name)
                    .and_then(|v| v.spec.as_ref())
                    .and_then(|s| s.claim_ref.as_ref())
                {
                    let namespace = claim_ref.namespace.clone().unwrap_or_default();
                    let name = claim_ref.name.clone().unwrap_or_default();
                    if store.get_typed::<PersistentVolumeClaim>(&namespace, &name).is_some() {
                        out.push(ObjectKey::namespaced(Kind::PersistentVolumeClaim, namespace, name));
                    }
                }
            }
            Kind::PersistentVolumeClaim => {
                out.push(change.key.clone());
                match store.get_typed::<PersistentVolumeClaim>(&change.key.namespace, &change.key.name) {
                    Some(claim) => {
                        let volume_name = claim_volume_name(claim);
                        if !volume_name.is_empty() && store.get_typed::<PersistentVolume>("", volume_name).is_some() {
                            out.push(ObjectKey::cluster(Kind::PersistentVolume, volume_name));
                        }
                    }
                    None => {
                        // The claim is gone: the volumes that pointed at it are Released now.
                        for volume in store.list_typed::<PersistentVolume>() {
                            let claim_ref = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
                            if claim_ref.is_some_and(|r| {
                                r.name.as_deref() == Some(change.key.name.as_str())
                                    && r.namespace.as_deref() == Some(change.key.namespace.as_str())
                            }) {
                                out.push(ObjectKey::cluster(Kind::PersistentVolume, name_of(&volume.metadata)));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        ctx.backend.volume_index.sync(ctx.api.store());
        match key.kind {
            Kind::PersistentVolumeClaim => sync_claim(key, ctx)?,
            Kind::PersistentVolume => {
                sync_volume(key, ctx)?;
                if let Some(remaining) = recycle_in_flight(ctx.api.store(), &key.name, ctx.now()) {
                    // The recycler pod is running: the recycle completes when it succeeds.
                    return Ok(Action::wait_for(remaining));
                } else {
                    // No recycle in flight.
                }
            }
            _ => {}
        }
        Ok(Action::await_change())
    }

    fn resync_period(&self) -> Option<SimDuration> {
        Some(RESYNC_PERIOD)
    }
}

// ---------------------------------------------------------------------------------------------
// Writes.
// ---------------------------------------------------------------------------------------------

fn wrong_kind(object: &Object, wanted: Kind) -> ReconcileError {
    ReconcileError::Other(format!("the API server returned a {} for a {}", object.kind(), wanted))
}

/// The API server's answer as a volume, moved out of its box.
fn into_volume(object: Object) -> Result<PersistentVolume, ReconcileError> {
    match object {
        Object::PersistentVolume(volume) => Ok(*volume),
        other => Err(wrong_kind(&other, Kind::PersistentVolume)),
    }
}

/// The API server's answer as a claim, moved out of its box.
fn into_claim(object: Object) -> Result<PersistentVolumeClaim, ReconcileError> {
    match object {
        Object::PersistentVolumeClaim(claim) => Ok(*claim),
        other => Err(wrong_kind(&other, Kind::PersistentVolumeClaim)),
    }
}

fn update_volume(ctx: &mut Ctx<'_>, volume: PersistentVolume) -> Result<PersistentVolume, ReconcileError> {
    let stored = ctx.api.update(Component::PvController, volume.into_object())?;
    into_volume(stored)
}

fn update_volume_status(ctx: &mut Ctx<'_>, volume: PersistentVolume) -> Result<PersistentVolume, ReconcileError> {
    let stored = ctx.api.update_status(Component::PvController, volume.into_object())?;
    into_volume(stored)
}

fn update_claim(ctx: &mut Ctx<'_>, claim: PersistentVolumeClaim) -> Result<PersistentVolumeClaim, ReconcileError> {
    let stored = ctx.api.update(Component::PvController, claim.into_object())?;
    into_claim(stored)
}

fn update_claim_status(
    ctx: &mut Ctx<'_>,
    claim: PersistentVolumeClaim,
) -> Result<PersistentVolumeClaim, ReconcileError> {
    let stored = ctx.api.update_status(Component::PvController, claim.into_object())?;
    into_claim(stored)
}

fn claim_key(claim: &PersistentVolumeClaim) -> ObjectKey {
    ObjectKey::namespaced(Kind::PersistentVolumeClaim, namespace_of(&claim.metadata), name_of(&claim.metadata))
}

fn volume_key(volume: &PersistentVolume) -> ObjectKey {
    ObjectKey::cluster(Kind::PersistentVolume, name_of(&volume.metadata))
}

fn event(ctx: &mut Ctx<'_>, key: &ObjectKey, event_type: EventType, reason: &str, message: &str) {
    ctx.api.record_event(SOURCE, None, key, event_type, reason, message);
}

/// `updateVolumePhase`: sets phase and message (and `lastPhaseTransitionTime` on a phase change).
fn update_volume_phase(
    ctx: &mut Ctx<'_>,
    volume: PersistentVolume,
    phase: &str,
    message: &str,
) -> Result<PersistentVolume, ReconcileError> {
    let current_message = volume.status.as_ref().and_then(|s| s.message.as_deref()).unwrap_or("");
    if volume_phase(&volume) == phase && current_message == message {
        // Nothing to do.
        return Ok(volume);
    } else {
        // Phase or message changes.
    }
    let mut clone = volume;
    let status = clone.status.get_or_insert_with(Default::default);
    if status.phase.as_deref() != Some(phase) {
        status.last_phase_transition_time = Some(ctx.now().to_k8s_time());
    }
    status.phase = Some(phase.to_string());
    status.message = if message.is_empty() { None } else { Some(message.to_string()) };
    update_volume_status(ctx, clone)
}

/// `updateVolumePhaseWithEvent`: the event is emitted only when the phase changes.
fn update_volume_phase_with_event(
    ctx: &mut Ctx<'_>,
    volume: PersistentVolume,
    phase: &str,
    event_type: EventType,
    reason: &str,
    message: &str,
) -> Result<PersistentVolume, ReconcileError> {
    if volume_phase(&volume) == phase {
        // Nothing to do: the event was emitted when the phase changed.
        return Ok(volume);
    } else {
        // The phase changes; emit the event after the write.
    }
    let volume = update_volume_phase(ctx, volume, phase, message)?;
    event(ctx, &volume_key(&volume), event_type, reason, message);
    Ok(volume)
}

/// `updateClaimStatus`: phase, and access modes and capacity from the volume (cleared without one).
fn set_claim_status(
    ctx: &mut Ctx<'_>,
    claim: PersistentVolumeClaim,
    phase: &str,
    volume: Option<&PersistentVolume>,
) -> Result<PersistentVolumeClaim, ReconcileError> {
    let old_phase = claim_phase(&claim).to_string();
    let old_status = claim.status.clone();
    let claim_capacity = claim_status_capacity(&claim);
    let mut clone = claim;
    let status = clone.status.get_or_insert_with(Default::default);
    status.phase = Some(phase.to_string());
    match volume {
        None => {
            // Need to reset access modes and capacity.
            status.access_modes = None;
            status.capacity = None;
        }
        Some(volume) => {
            let modes = volume.spec.as_ref().and_then(|s| s.access_modes.clone());
            status.access_modes = modes;
            // Capacity is copied only when the claim becomes Bound: a later difference can be
            // intentional (the filesystem is smaller than the block device until node expansion).
            if old_phase != phase {
                let volume_capacity = volume.spec.as_ref().and_then(|s| s.capacity.clone());
                if claim_capacity.is_none() || claim_capacity != Some(helpers::volume_capacity(volume)) {
                    status.capacity = volume_capacity;
                } else {
                    // Same capacity already.
                }
            } else {
                // Already in this phase; keep capacity.
            }
        }
    }
    if clone.status == old_status {
        // Only the status was touched, and it is as it was: `clone` is the claim unchanged.
        return Ok(clone);
    } else {
        // Something changed.
    }
    update_claim_status(ctx, clone)
}

/// `updateClaimStatusWithEvent`: the event is emitted only when the phase changes.
fn set_claim_status_with_event(
    ctx: &mut Ctx<'_>,
    claim: PersistentVolumeClaim,
    phase: &str,
    volume: Option<&PersistentVolume>,
    event_type: EventType,
    reason: &str,
    message: &str,
) -> Result<PersistentVolumeClaim, ReconcileError> {
    if claim_phase(&claim) == phase {
        // Nothing to do.
        return Ok(claim);
    } else {
        // The phase changes.
    }
    let claim = set_claim_status(ctx, claim, phase, volume)?;
    event(ctx, &claim_key(&claim), event_type, reason, message);
    Ok(claim)
}

// ---------------------------------------------------------------------------------------------
// Claims.
// ---------------------------------------------------------------------------------------------

/// `syncClaim`: dispatches on whether the claim has finished binding once.
fn sync_claim(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let Some(claim) = ctx.api.store().get_typed::<PersistentVolumeClaim>(&key.namespace, &key.name).cloned() else {
        // The claim is gone; its volume's sync handles the rest.
        return Ok(());
    };
    if !has_annotation(&claim.metadata, ANN_BIND_COMPLETED) {
        sync_unbound_claim(claim, ctx)
    } else {
        sync_bound_claim(claim, ctx)
    }
}

/// `IsDelayBindingMode`: class `""` or missing class ⇒ false, no error.
pub fn is_delay_binding_mode(store: &Store, claim: &PersistentVolumeClaim) -> Result<bool, String> {
    let class_name = claim_class(claim);
    if class_name.is_empty() {
        return Ok(false);
    } else {
        // Look the class up.
    }
    let Some(class) = store.get_typed::<StorageClass>("", class_name) else {
        return Ok(false);
    };
    match class.volume_binding_mode.as_deref() {
        None => Err(format!("VolumeBindingMode not set for StorageClass {class_name:?}")),
        Some(mode) => Ok(mode == "WaitForFirstConsumer"),
    }
}

fn sync_unbound_claim(claim: PersistentVolumeClaim, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let volume_name = claim_volume_name(&claim).to_string();
    if volume_name.is_empty() {
        // [Unit test set 1]
        // User did not care which PV they get.
        let delay_binding = is_delay_binding_mode(ctx.api.store(), &claim).map_err(ReconcileError::Other)?;
        let excluded = BTreeSet::new();
        let request = MatchRequest { claim: &claim, node: None, excluded: &excluded, delay_binding };
        let found = ctx.backend.volume_index.find(ctx.api.store(), &request);
        match found {
            None => {
                // OBSERVATION: claim is "Pending", no volume matches; provision one if possible.
                if assign_default_class(&claim, ctx)? {
                    // The claim was updated; its next sync continues with the class.
                    return Ok(());
                } else {
                    // No default to assign (or the claim names a class already).
                }
                let has_selected_node = has_annotation(&claim.metadata, ANN_SELECTED_NODE);
                if delay_binding && !has_selected_node {
                    // The scheduler has not picked a node for a consumer yet.
                    emit_event_for_unbound_delay_binding_claim(&claim, ctx);
                } else if !claim_class(&claim).is_empty() {
                    // The provisioner updates the claim when it is done; the next sync binds.
                    provision_claim(claim, ctx)?;
                    return Ok(());
                } else {
                    event(
                        ctx,
                        &claim_key(&claim),
                        EventType::Normal,
                        "FailedBinding",
                        "no persistent volumes available for this claim and no storage class is set",
                    );
                }
                // Mark the claim as Pending and try to find a match in the next periodic sync.
                set_claim_status(ctx, claim, "Pending", None)?;
                Ok(())
            }
            Some(volume_name) => {
                // OBSERVATION: claim is "Pending", volume is "Available" (or pre-bound to the claim).
                let Some(volume) = ctx.api.store().get_typed::<PersistentVolume>("", &volume_name).cloned() else {
                    return Err(ReconcileError::Other(format!("volume {volume_name} vanished from the index")));
                };
                bind(volume, claim, ctx)
            }
        }
    } else {
        // [Unit test set 2]
        // The user asked for a specific volume.
        let Some(volume) = ctx.api.store().get_typed::<PersistentVolume>("", &volume_name).cloned() else {
            // OBSERVATION: claim is "Pending", volume does not exist; wait for it.
            set_claim_status(ctx, claim, "Pending", None)?;
            return Ok(());
        };
        let claim_ref = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
        if claim_ref.is_none() {
            // OBSERVATION: claim is "Pending", volume is "Available".
            match check_volume_satisfy_claim(&volume, &claim) {
                Err(reason) => {
                    let message = format!("Cannot bind to requested volume {volume_name:?}: {reason}");
                    event(ctx, &claim_key(&claim), EventType::Warning, "VolumeMismatch", &message);
                    set_claim_status(ctx, claim, "Pending", None)?;
                    Ok(())
                }
                Ok(()) => bind(volume, claim, ctx),
            }
        } else if is_volume_bound_to_claim(&volume, &claim) {
            // OBSERVATION: claim is "Pending", volume is "Bound" (or pre-bound) to this claim.
            // User asked for a volume that is claimed by this claim: finish the binding.
            bind(volume, claim, ctx)
        } else {
            // OBSERVATION: claim is "Pending", volume is bound to another claim.
            if !has_annotation(&claim.metadata, ANN_BOUND_BY_CONTROLLER) {
                // The user asked for a volume someone else has; wait for it to become free.
                let message = format!("volume {volume_name:?} already bound to a different claim.");
                event(ctx, &claim_key(&claim), EventType::Warning, "FailedBinding", &message);
                set_claim_status(ctx, claim, "Pending", None)?;
                Ok(())
            } else {
                // This should never happen: the controller bound the claim to a taken volume.
                let other = claim_ref
                    .map(|r| format!("{}/{}", r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or("")))
                    .unwrap_or_default();
                Err(ReconcileError::Other(format!(
                    "Invalid binding of claim {:?} to volume {volume_name:?}: volume already claimed by {other:?}",
                    format!("{}/{}", namespace_of(&claim.metadata), name_of(&claim.metadata))
                )))
            }
        }
    }
}

fn sync_bound_claim(claim: PersistentVolumeClaim, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    // [Unit test set 3]
    let volume_name = claim_volume_name(&claim).to_string();
    if volume_name.is_empty() {
        // OBSERVATION: claim was "Bound" and has lost its reference to a volume.
        set_claim_status_with_event(
            ctx,
            claim,
            "Lost",
            None,
            EventType::Warning,
            "ClaimLost",
            "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
        )?;
        return Ok(());
    } else {
        // The claim names a volume.
    }
    let Some(volume) = ctx.api.store().get_typed::<PersistentVolume>("", &volume_name).cloned() else {
        // OBSERVATION: claim is "Bound", volume does not exist.
        set_claim_status_with_event(
            ctx,
            claim,
            "Lost",
            None,
            EventType::Warning,
            "ClaimLost",
            "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
        )?;
        return Ok(());
    };
    let claim_ref_uid =
        volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).map(|r| r.uid.clone().unwrap_or_default());
    match claim_ref_uid {
        None => {
            // OBSERVATION: claim is "Bound", volume is "Available": the volume's half was undone.
            // Bind it again (3-3).
            bind(volume, claim, ctx)
        }
        Some(uid) if uid == uid_of(&claim.metadata) => {
            // OBSERVATION: claim is "Bound", volume is "Bound" to it. Make sure both phases say so
            // (3-5); a no-op when they do.
            bind(volume, claim, ctx)
        }
        Some(_) => {
            // OBSERVATION: claim is "Bound", volume is "Bound" to another claim.
            set_claim_status_with_event(
                ctx,
                claim,
                "Lost",
                None,
                EventType::Warning,
                "ClaimMisbound",
                "Two claims are bound to the same volume, this one is bound incorrectly",
            )?;
            Ok(())
        }
    }
}

/// `checkVolumeSatisfyClaim`: why a pre-bound claim cannot use the volume it names (the label
/// selector is not checked: a pre-bound claim binds whatever its labels).
pub fn check_volume_satisfy_claim(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> Result<(), String> {
    if volume.metadata.deletion_timestamp.is_some() {
        return Err(format!("the volume is marked for deletion {:?}", name_of(&volume.metadata)));
    } else {
        // Not being deleted.
    }
    if bytes(&volume_capacity(volume)) < bytes(&claim_request(claim)) {
        return Err("requested PV is too small".to_string());
    } else {
        // Large enough.
    }
    if volume_class(volume) != claim_class(claim) {
        return Err("storageClassName does not match".to_string());
    } else {
        // Same class.
    }
    if volume_volume_mode(volume) != claim_volume_mode(claim) {
        return Err("incompatible volumeMode".to_string());
    } else {
        // Same volume mode.
    }
    let wanted = claim_access_modes(claim);
    if volume_access_modes(volume) & wanted != wanted {
        return Err("incompatible accessMode".to_string());
    } else {
        // Access modes are a superset.
    }
    if volume_attributes_class(volume) != claim_attributes_class(claim) {
        return Err("volumeAttributesClassName does not match".to_string());
    } else {
        // Same VolumeAttributesClass.
    }
    Ok(())
}

/// Retroactive default StorageClass assignment: only for claims with no class at all (nil, no beta
/// annotation), and only when a default exists. Returns whether the claim was updated.
fn assign_default_class(claim: &PersistentVolumeClaim, ctx: &mut Ctx<'_>) -> Result<bool, ReconcileError> {
    if crate::apiserver::claim_has_class(claim) {
        // The claim has a class (even ""), nothing to do.
        return Ok(false);
    } else {
        // No class; look for a default.
    }
    let Some(class) = crate::apiserver::default_storage_class_name(ctx.api.store()) else {
        return Ok(false);
    };
    let mut clone = claim.clone();
    clone.spec.get_or_insert_with(Default::default).storage_class_name = Some(class);
    update_claim(ctx, clone)?;
    Ok(true)
}

/// `emitEventForUnboundDelayBindingClaim`.
fn emit_event_for_unbound_delay_binding_claim(claim: &PersistentVolumeClaim, ctx: &mut Ctx<'_>) {
    let namespace = namespace_of(&claim.metadata);
    let name = name_of(&claim.metadata);
    let pods: Vec<String> = ctx
        .api
        .store()
        .list_typed_in::<Pod>(namespace)
        .filter(|pod| !pod_is_terminated(pod) && pod_node(pod).is_empty() && pod_uses_claim(pod, name))
        .map(|pod| name_of(&pod.metadata).to_string())
        .collect();
    let (reason, message) = match pods.len() {
        0 => ("WaitForFirstConsumer", "waiting for first consumer to be created before binding".to_string()),
        1 => ("WaitForPodScheduled", format!("waiting for pod {} to be scheduled", pods[0])),
        _ => ("WaitForPodScheduled", format!("waiting for pods {} to be scheduled", pods.join(","))),
    };
    event(ctx, &claim_key(claim), EventType::Normal, reason, &message);
}

/// In-tree provisioner names that CSI migration (on in 1.34) hands to their CSI drivers.
pub fn migrated_driver(provisioner: &str) -> Option<&'static str> {
    match provisioner {
        "kubernetes.io/aws-ebs" => Some("ebs.csi.aws.com"),
        "kubernetes.io/gce-pd" => Some("pd.csi.storage.gke.io"),
        "kubernetes.io/azure-disk" => Some("disk.csi.azure.com"),
        "kubernetes.io/azure-file" => Some("file.csi.azure.com"),
        "kubernetes.io/cinder" => Some("cinder.csi.openstack.org"),
        "kubernetes.io/vsphere-volume" => Some("csi.vsphere.vmware.com"),
        "kubernetes.io/portworx-volume" => Some("pxd.portworx.com"),
        _ => None,
    }
}

/// `provisionClaim`: hand the claim to an external provisioner (there are no in-tree provisioners
/// left in 1.34 but migrated ones), or explain why not.
fn provision_claim(claim: PersistentVolumeClaim, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let class_name = claim_class(&claim).to_string();
    let key = claim_key(&claim);
    let Some(class) = ctx.api.store().get_typed::<StorageClass>("", &class_name).cloned() else {
        // [Unit test set 11] The class does not exist (yet): retried every sync.
        let message = format!("storageclass.storage.k8s.io {class_name:?} not found");
        event(ctx, &key, EventType::Warning, "ProvisioningFailed", &message);
        return Ok(());
    };
    let provisioner = class.provisioner.clone();
    let (provisioner_name, migrated) = match migrated_driver(&provisioner) {
        Some(driver) => (driver.to_string(), true),
        None if provisioner.starts_with("kubernetes.io/") => {
            // In-tree name without a plugin (`kubernetes.io/no-provisioner` included) (11-18).
            let message = format!("no volume plugin matched name: {provisioner}");
            event(ctx, &key, EventType::Warning, "ProvisioningFailed", &message);
            return Ok(());
        }
        None => (provisioner.clone(), false),
    };
    // OBSERVATION: claim is "Pending", an external provisioner is expected to create its volume.
    let mut clone = claim.clone();
    let mut dirty = false;
    for annotation in [ANN_STORAGE_PROVISIONER, ANN_BETA_STORAGE_PROVISIONER] {
        if helpers::annotation(&clone.metadata, annotation) != Some(provisioner_name.as_str()) {
            set_annotation(&mut clone.metadata, annotation, &provisioner_name);
            dirty = true;
        } else {
            // Already set.
        }
    }
    if migrated && helpers::annotation(&clone.metadata, ANN_MIGRATED_TO) != Some(provisioner_name.as_str()) {
        set_annotation(&mut clone.metadata, ANN_MIGRATED_TO, &provisioner_name);
        dirty = true;
    } else {
        // Not migrated, or already marked.
    }
    if dirty {
        update_claim(ctx, clone)?;
    } else {
        // Annotations already in place.
    }
    let message = format!(
        "Waiting for a volume to be created either by the external provisioner '{provisioner_name}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
    );
    event(ctx, &key, EventType::Normal, "ExternalProvisioning", &message);
    Ok(())
}

/// A claimRef to `claim` as `reference.GetReference` builds it.
pub fn claim_reference(claim: &PersistentVolumeClaim) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".to_string()),
        kind: Some("PersistentVolumeClaim".to_string()),
        name: claim.metadata.name.clone(),
        namespace: claim.metadata.namespace.clone(),
        uid: claim.metadata.uid.clone(),
        resource_version: claim.metadata.resource_version.clone(),
        field_path: None,
    }
}

/// `bind`: volume claimRef, volume phase, claim volumeName and annotations, claim phase.
fn bind(volume: PersistentVolume, claim: PersistentVolumeClaim, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let volume = bind_volume_to_claim(volume, &claim, ctx)?;
    let volume = update_volume_phase(ctx, volume, "Bound", "")?;
    let claim = bind_claim_to_volume(claim, &volume, ctx)?;
    set_claim_status(ctx, claim, "Bound", Some(&volume))?;
    Ok(())
}

/// `GetBindVolumeToClaim` + update.
fn bind_volume_to_claim(
    volume: PersistentVolume,
    claim: &PersistentVolumeClaim,
    ctx: &mut Ctx<'_>,
) -> Result<PersistentVolume, ReconcileError> {
    let should_set_bound_by_controller = !is_volume_bound_to_claim(&volume, claim);
    let claim_ref = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
    let points_exactly = claim_ref.is_some_and(|r| {
        r.name == claim.metadata.name && r.namespace == claim.metadata.namespace && r.uid == claim.metadata.uid
    });
    // Every change below sets `dirty`; an untouched `clone` is the volume as it came.
    let mut clone = volume;
    let mut dirty = false;
    if !points_exactly {
        clone.spec.get_or_insert_with(Default::default).claim_ref = Some(claim_reference(claim));
        dirty = true;
    } else {
        // Already points at the claim.
    }
    if should_set_bound_by_controller && !has_annotation(&clone.metadata, ANN_BOUND_BY_CONTROLLER) {
        set_annotation(&mut clone.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
        dirty = true;
    } else {
        // Pre-bound by the user, or already marked.
    }
    if dirty { update_volume(ctx, clone) } else { Ok(clone) }
}

/// `bindClaimToVolume`.
fn bind_claim_to_volume(
    claim: PersistentVolumeClaim,
    volume: &PersistentVolume,
    ctx: &mut Ctx<'_>,
) -> Result<PersistentVolumeClaim, ReconcileError> {
    let volume_name = name_of(&volume.metadata);
    let should_bind_claim = claim_volume_name(&claim) != volume_name;
    // Every change below sets `dirty`; an untouched `clone` is the claim as it came.
    let mut clone = claim;
    let mut dirty = false;
    if should_bind_claim {
        clone.spec.get_or_insert_with(Default::default).volume_name = Some(volume_name.to_string());
        dirty = true;
    } else {
        // The user pre-bound the claim to this volume.
    }
    if should_bind_claim && !has_annotation(&clone.metadata, ANN_BOUND_BY_CONTROLLER) {
        set_annotation(&mut clone.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
        dirty = true;
    } else {
        // Nothing to mark.
    }
    if !has_annotation(&clone.metadata, ANN_BIND_COMPLETED) {
        set_annotation(&mut clone.metadata, ANN_BIND_COMPLETED, "yes");
        dirty = true;
    } else {
        // Already completed once.
    }
    if dirty { update_claim(ctx, clone) } else { Ok(clone) }
}

// ---------------------------------------------------------------------------------------------
// Volumes.
// ---------------------------------------------------------------------------------------------

/// `syncVolume`.
fn sync_volume(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    if volume_is_settled_bound(ctx.api.store(), &key.name) {
        // OBSERVATION: volume is "Bound" to a claim that is bound to it (4-6) and says so already:
        // the sync below would write nothing. Decided on the stored objects, without copying them.
        return Ok(());
    } else {
        // Something may need doing; sync from a copy.
    }
    let Some(volume) = ctx.api.store().get_typed::<PersistentVolume>("", &key.name).cloned() else {
        // The volume is gone; nothing to do.
        return Ok(());
    };
    // [Unit test set 4]
    let Some(claim_ref) = volume.spec.as_ref().and_then(|s| s.claim_ref.clone()) else {
        // OBSERVATION: volume is "Pending" or "Available", unused.
        update_volume_phase(ctx, volume, "Available", "")?;
        return Ok(());
    };
    let claim_ref_uid = claim_ref.uid.clone().unwrap_or_default();
    if claim_ref_uid.is_empty() {
        // OBSERVATION: volume is pre-bound by the user to a claim that has not bound yet; the claim's
        // sync handles it.
        update_volume_phase(ctx, volume, "Available", "")?;
        return Ok(());
    } else {
        // The volume was bound to a claim with a uid.
    }
    let namespace = claim_ref.namespace.clone().unwrap_or_default();
    let claim_name = claim_ref.name.clone().unwrap_or_default();
    let claim = ctx
        .api
        .store()
        .get_typed::<PersistentVolumeClaim>(&namespace, &claim_name)
        .filter(|c| uid_of(&c.metadata) == claim_ref_uid)
        .cloned();
    match claim {
        None => {
            // OBSERVATION: volume is "Bound" or "Released", its claim is gone (a claim with the same
            // name but another uid counts as gone) (4-3, 4-4).
            let phase = volume_phase(&volume).to_string();
            let volume = if phase != "Released" && phase != "Failed" {
                update_volume_phase(ctx, volume, "Released", "")?
            } else {
                // Do not overwrite Failed: the user should see that something went wrong.
                volume
            };
            reclaim_volume(volume, ctx)
        }
        Some(claim) if claim_volume_name(&claim).is_empty() => {
            // OBSERVATION: volume is bound, its claim is "Pending" and names no volume yet.
            if volume_volume_mode(&volume) != claim_volume_mode(&claim) {
                // [Unit test set 14] (14-13)
                let volume_message = format!(
                    "Cannot bind PersistentVolume to requested PersistentVolumeClaim {:?} due to incompatible volumeMode.",
                    name_of(&claim.metadata)
                );
                event(ctx, &volume_key(&volume), EventType::Warning, "VolumeMismatch", &volume_message);
                let claim_message = format!(
                    "Cannot bind PersistentVolume {:?} to requested PersistentVolumeClaim due to incompatible volumeMode.",
                    name_of(&volume.metadata)
                );
                event(ctx, &claim_key(&claim), EventType::Warning, "VolumeMismatch", &claim_message);
                return Ok(());
            } else {
                // Compatible; the claim's sync completes the binding. Speed it up.
                ctx.wake(claim_key(&claim), SimDuration::from_millis(0), false);
            }
            Ok(())
        }
        Some(claim) if claim_volume_name(&claim) == name_of(&volume.metadata) => {
            // OBSERVATION: volume is bound, its claim is bound to it: make the phase say so (4-6).
            update_volume_phase(ctx, volume, "Bound", "")?;
            Ok(())
        }
        Some(_) => {
            // OBSERVATION: volume is bound to a claim that is bound to another volume.
            let dynamic = has_annotation(&volume.metadata, ANN_DYNAMICALLY_PROVISIONED);
            if dynamic && reclaim_policy(&volume) == "Delete" {
                // Provisioned for this claim, which went elsewhere: delete it (8-11).
                let phase = volume_phase(&volume).to_string();
                let volume = if phase != "Released" && phase != "Failed" {
                    update_volume_phase(ctx, volume, "Released", "")?
                } else {
                    volume
                };
                reclaim_volume(volume, ctx)
            } else if has_annotation(&volume.metadata, ANN_BOUND_BY_CONTROLLER) {
                // We bound it and the claim went elsewhere: undo our half (4-7).
                unbind_volume(volume, ctx)
            } else {
                // The user pre-bound it: only clear the uid, keep it reserved for the claim (4-8).
                unbind_volume(volume, ctx)
            }
        }
    }
}

/// Whether [`sync_volume`] would find nothing to do: the volume's claimRef names (with its uid) a
/// claim whose volumeName is this volume, and the volume is already `Bound` with no message (the
/// branch "volume is bound, its claim is bound to it", where `update_volume_phase` is a no-op).
fn volume_is_settled_bound(store: &Store, name: &str) -> bool {
    let Some(volume) = store.get_typed::<PersistentVolume>("", name) else {
        return false;
    };
    let Some(claim_ref) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
        return false;
    };
    let uid = claim_ref.uid.as_deref().unwrap_or("");
    if uid.is_empty() {
        return false;
    } else {
        // Bound to a claim with a uid.
    }
    let namespace = claim_ref.namespace.as_deref().unwrap_or("");
    let claim_name = claim_ref.name.as_deref().unwrap_or("");
    let Some(claim) =
        store.get_typed::<PersistentVolumeClaim>(namespace, claim_name).filter(|c| uid_of(&c.metadata) == uid)
    else {
        return false;
    };
    let volume_name = claim_volume_name(claim);
    let message = volume.status.as_ref().and_then(|s| s.message.as_deref()).unwrap_or("");
    !volume_name.is_empty()
        && volume_name == name_of(&volume.metadata)
        && volume_phase(volume) == "Bound"
        && message.is_empty()
}

fn reclaim_policy(volume: &PersistentVolume) -> &str {
    volume.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.as_deref()).unwrap_or("Retain")
}

/// `unbindVolume`: a controller-bound volume loses its claimRef, a user-pre-bound one only the uid;
/// either becomes Available.
fn unbind_volume(volume: PersistentVolume, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let mut clone = volume.clone();
    if has_annotation(&clone.metadata, ANN_BOUND_BY_CONTROLLER) {
        // Controller-bound: remove the whole pointer.
        if let Some(spec) = clone.spec.as_mut() {
            spec.claim_ref = None;
        }
        remove_annotation(&mut clone.metadata, ANN_BOUND_BY_CONTROLLER);
    } else {
        // User pre-bound: keep the reservation by name.
        if let Some(claim_ref) = clone.spec.as_mut().and_then(|s| s.claim_ref.as_mut()) {
            claim_ref.uid = None;
            claim_ref.resource_version = None;
        }
    }
    let volume = update_volume(ctx, clone)?;
    update_volume_phase(ctx, volume, "Available", "")?;
    Ok(())
}

/// `reclaimVolume`.
fn reclaim_volume(volume: PersistentVolume, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    if has_annotation(&volume.metadata, ANN_MIGRATED_TO) {
        // A migrated volume is reclaimed by its CSI driver's external provisioner.
        return Ok(());
    } else {
        // Not migrated.
    }
    match reclaim_policy(&volume) {
        "Retain" => {
            // [Unit test set 5] Nothing to do; the admin cleans up.
            Ok(())
        }
        "Recycle" => {
            // [Unit test set 6]
            recycle_volume(volume, ctx)
        }
        "Delete" => {
            // [Unit test set 8]
            delete_volume(volume, ctx)
        }
        _ => {
            // Unknown policy (only possible by bypassing validation) (6-10).
            update_volume_phase_with_event(
                ctx,
                volume,
                "Failed",
                EventType::Warning,
                "VolumeUnknownReclaimPolicy",
                "Volume has unrecognized PersistentVolumeReclaimPolicy",
            )?;
            Ok(())
        }
    }
}

/// The kind of volume source a static volume has, for finding a deleter or recycler.
fn volume_source_kind(volume: &PersistentVolume) -> &'static str {
    let Some(spec) = volume.spec.as_ref() else {
        return "";
    };
    if spec.host_path.is_some() {
        "hostPath"
    } else if spec.nfs.is_some() {
        "nfs"
    } else if spec.csi.is_some() {
        "csi"
    } else if spec.aws_elastic_block_store.is_some()
        || spec.gce_persistent_disk.is_some()
        || spec.azure_disk.is_some()
        || spec.azure_file.is_some()
        || spec.cinder.is_some()
        || spec.vsphere_volume.is_some()
        || spec.portworx_volume.is_some()
    {
        "migrated"
    } else if spec.local.is_some()
        || spec.iscsi.is_some()
        || spec.fc.is_some()
        || spec.rbd.is_some()
        || spec.cephfs.is_some()
        || spec.glusterfs.is_some()
        || spec.flex_volume.is_some()
        || spec.flocker.is_some()
        || spec.quobyte.is_some()
        || spec.storageos.is_some()
        || spec.scale_io.is_some()
        || spec.photon_persistent_disk.is_some()
    {
        "static"
    } else {
        ""
    }
}

/// Pods that use the volume's claim (by name), not terminated (`isVolumeUsed`).
fn pods_using_volume(volume: &PersistentVolume, store: &Store) -> Vec<String> {
    let Some(claim_ref) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
        return Vec::new();
    };
    let namespace = claim_ref.namespace.as_deref().unwrap_or("");
    let claim = claim_ref.name.as_deref().unwrap_or("");
    store
        .list_typed_in::<Pod>(namespace)
        .filter(|pod| !pod_is_terminated(pod) && pod_uses_claim(pod, claim))
        .map(|pod| format!("{namespace}/{}", name_of(&pod.metadata)))
        .collect()
}

/// The recycler pod's image (pkg/volume/plugins.go `NewPersistentVolumeRecyclerPodTemplate`).
pub const RECYCLER_IMAGE: &str = "registry.k8s.io/build-image/debian-base:bookworm-v1.0.4";

/// The recycler pod's container name.
pub const RECYCLER_CONTAINER: &str = "pv-recycler";

/// How long the recycler pod takes from creation to `Succeeded` (pull, start, scrub).
pub const RECYCLE_DURATION: SimDuration = SimDuration::from_secs(3);

/// `recycleVolumeOperation`: the recycler pod `recycler-for-<pv>` (default namespace) scrubs the
/// volume mounted at `/scrub` (`test -e /scrub && find /scrub -mindepth 1 -delete && test -z
/// "$(ls -A /scrub)" || exit 1`); every event of the pod is repeated on the volume as `RecyclerPod`
/// (pkg/volume/util/recyclerclient). When the pod succeeds it is deleted, the volume gets
/// `VolumeRecycled` and becomes Available.
///
/// The pod is not stored as an object: its run is simulated here, from the moment the volume went
/// Released (`lastPhaseTransitionTime`) to [`RECYCLE_DURATION`] later, with the events its scheduler
/// and kubelet would record.
fn recycle_volume(volume: PersistentVolume, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let used = pods_using_volume(&volume, ctx.api.store());
    if !used.is_empty() {
        // Still in use: try again at the next sync (6-11, 6-12).
        let message = format!("Volume is used by pods: {}", used.join(","));
        event(ctx, &volume_key(&volume), EventType::Normal, "VolumeFailedRecycle", &message);
        return Ok(());
    } else {
        // Nobody uses it (completed pods do not count, 6-13).
    }
    match volume_source_kind(&volume) {
        "nfs" | "hostPath" => {
            let key = volume_key(&volume);
            let released_at = released_at(&volume).unwrap_or_else(|| ctx.now());
            if !recycler_started(ctx.api.store(), &key.name, released_at) {
                // Start the recycler pod: its events are the volume's `RecyclerPod` events.
                start_recycler_pod(ctx, &key);
            } else {
                // The recycler pod is running already.
            }
            if ctx.now() < released_at.plus(RECYCLE_DURATION) {
                // The pod has not finished yet: `reconcile` looks again when it has.
                return Ok(());
            } else {
                // The pod succeeded: the data is gone, the pod is deleted.
            }
            ctx.backend.scrub_static_volume(&volume, ctx.api.now());
            ctx.api.note(
                Component::PvController,
                Component::ApiServer,
                crate::sim::TraceVerb::Delete,
                Some(&key),
                format!("recycler pod default/recycler-for-{} succeeded and deleted", key.name),
            );
            event(ctx, &key, EventType::Normal, "VolumeRecycled", "Volume recycled");
            unbind_volume(volume, ctx)
        }
        _ => {
            // No recycler for this kind of volume (6-3).
            update_volume_phase_with_event(
                ctx,
                volume,
                "Failed",
                EventType::Warning,
                "VolumeFailedRecycle",
                "No recycler plugin found for the volume!",
            )?;
            Ok(())
        }
    }
}

/// When a Released volume's recycler pod started (the volume went Released then).
fn released_at(volume: &PersistentVolume) -> Option<crate::sim::SimTime> {
    volume.status.as_ref().and_then(|s| s.last_phase_transition_time.as_ref()).map(crate::sim::SimTime::from_k8s_time)
}

/// How long the recycler pod of volume `name` still runs, if it is running.
fn recycle_in_flight(store: &Store, name: &str, now: crate::sim::SimTime) -> Option<SimDuration> {
    let volume = store.get_typed::<PersistentVolume>("", name)?;
    let recycling = volume_phase(volume) == "Released"
        && reclaim_policy(volume) == "Recycle"
        && matches!(volume_source_kind(volume), "nfs" | "hostPath")
        && pods_using_volume(volume, store).is_empty();
    let done_at = released_at(volume)?.plus(RECYCLE_DURATION);
    (recycling && now < done_at).then(|| done_at.since(now))
}

/// Whether the volume already has `RecyclerPod` events since it went Released at `since`.
fn recycler_started(store: &Store, volume: &str, since: crate::sim::SimTime) -> bool {
    store.list_typed::<k8s_openapi::api::core::v1::Event>().any(|e| {
        e.reason.as_deref() == Some("RecyclerPod")
            && e.involved_object.kind.as_deref() == Some("PersistentVolume")
            && e.involved_object.name.as_deref() == Some(volume)
            && e.last_timestamp.as_ref().is_some_and(|t| crate::sim::SimTime::from_k8s_time(t) >= since)
    })
}

/// Records the recycler pod's scheduling and start-up as the volume's `RecyclerPod` events.
fn start_recycler_pod(ctx: &mut Ctx<'_>, key: &ObjectKey) {
    let pod = format!("recycler-for-{}", key.name);
    ctx.api.note(
        Component::PvController,
        Component::ApiServer,
        crate::sim::TraceVerb::Create,
        Some(key),
        format!("recycler pod default/{pod}: {RECYCLER_IMAGE} /bin/sh -c \"test -e /scrub && find /scrub -mindepth 1 -delete && test -z \\\"$(ls -A /scrub)\\\" || exit 1\""),
    );
    let node = ctx
        .api
        .store()
        .list_typed::<k8s_openapi::api::core::v1::Node>()
        .find(|n| n.spec.as_ref().and_then(|s| s.unschedulable) != Some(true))
        .map(|n| name_of(&n.metadata).to_string());
    let Some(node) = node else {
        // No node to run it: the pod stays Pending.
        return;
    };
    let took = crate::kubelet::go_duration(300 + ctx.rng.below(400));
    let size = crate::kubelet::image_size_bytes(RECYCLER_IMAGE);
    let messages = [
        format!("Successfully assigned default/{pod} to {node}"),
        format!("Pulling image \"{RECYCLER_IMAGE}\""),
        format!(
            "Successfully pulled image \"{RECYCLER_IMAGE}\" in {took} ({took} including waiting). Image size: {size} bytes."
        ),
        format!("Created container: {RECYCLER_CONTAINER}"),
        format!("Started container {RECYCLER_CONTAINER}"),
    ];
    for message in messages {
        event(ctx, key, EventType::Normal, "RecyclerPod", &format!("Recycler pod: {message}"));
    }
}

/// What `findDeletablePlugin` finds.
enum Deleter {
    /// An external provisioner deletes it (CSI, migrated, or provisioned by a non-`kubernetes.io/` name).
    External,
    /// The in-tree hostPath deleter.
    HostPath(String),
}

fn find_deletable_plugin(volume: &PersistentVolume) -> Result<Deleter, String> {
    let name = name_of(&volume.metadata);
    if let Some(provisioner) = helpers::annotation(&volume.metadata, ANN_DYNAMICALLY_PROVISIONED) {
        if !provisioner.starts_with("kubernetes.io/") || migrated_driver(provisioner).is_some() {
            // External provisioner deletes it (8-10-1).
            return Ok(Deleter::External);
        } else {
            // An in-tree name: find the plugin by spec below.
        }
    } else {
        // Not dynamically provisioned.
    }
    match volume_source_kind(volume) {
        "csi" | "migrated" => Ok(Deleter::External),
        "hostPath" => {
            let path =
                volume.spec.as_ref().and_then(|s| s.host_path.as_ref()).map(|h| h.path.clone()).unwrap_or_default();
            Ok(Deleter::HostPath(path))
        }
        "nfs" | "static" => {
            Err(format!("error getting deleter volume plugin for volume {name:?}: no deletable volume plugin matched"))
        }
        _ => Err(format!("error getting deleter volume plugin for volume {name:?}: no volume plugin matched")),
    }
}

/// `deleteVolumeOperation`.
fn delete_volume(volume: PersistentVolume, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    match find_deletable_plugin(&volume) {
        Err(message) => {
            // No deleter: mark Failed (8-3).
            update_volume_phase_with_event(ctx, volume, "Failed", EventType::Warning, "VolumeFailedDelete", &message)?;
            Ok(())
        }
        Ok(Deleter::External) => {
            // Left Released for the external provisioner (8-10-1, 8-10-2).
            Ok(())
        }
        Ok(Deleter::HostPath(path)) => {
            let allowed = path.strip_prefix("/tmp/").is_some_and(|rest| !rest.is_empty());
            if !allowed {
                let message = format!("host_path deleter only supports /tmp/.+ but received provided {path}");
                update_volume_phase_with_event(
                    ctx,
                    volume,
                    "Failed",
                    EventType::Warning,
                    "VolumeFailedDelete",
                    &message,
                )?;
                return Ok(());
            } else {
                // The deleter removes the directory from kube-controller-manager's own filesystem,
                // which is not any node's: nothing visible happens to node data.
            }
            let key = volume_key(&volume);
            ctx.api.delete(Component::PvController, &key, DeleteOptions::default())?;
            Ok(())
        }
    }
}
