//! External provisioners: the csi-provisioner sidecar of every CSI driver (sig-storage-lib-external-
//! provisioner v11 inside external-provisioner v5), minikube's `storage-provisioner` and Rancher's
//! local-path-provisioner, as one controller that dispatches on the claim's provisioner annotation.
//!
//! Design: the PV controller marks a claim with `volume.kubernetes.io/storage-provisioner`; the
//! provisioner of that name (if it runs: a CSIDriver object for CSI drivers, its pod for the hostPath
//! provisioners) provisions when the claim has no volume yet and, for WaitForFirstConsumer classes,
//! once the scheduler wrote `volume.kubernetes.io/selected-node`.
//!
//! Provisioning is an operation in flight: `Provisioning` event, `CreateVolume` to the CSI controller
//! plugin, the plugin's call to its cloud API, then after the driver's latency the reply with the
//! volume id, the PV `pvc-<claim uid>` created pre-bound to the claim (claimRef with uid), and the
//! `ProvisioningSucceeded` event. The PV controller then completes the binding. Failures are
//! `ProvisioningFailed` events, retried with exponential backoff (1 s doubling to 5 min).
//!
//! Cloning protection: before CreateVolume of a clone (`dataSource` kind PersistentVolumeClaim) the source claim
//! gets `provisioner.storage.kubernetes.io/cloning-protection`; the sidecar's CloningProtectionController removes
//! it once the source is being deleted and no claim cloning it is Pending (so a deleted source stays Terminating
//! while a clone is in progress, and a source never deleted keeps the finalizer).
//!
//! Deletion: a Released volume with reclaim policy Delete provisioned by this driver is deleted on
//! the backend (`DeleteVolume`), then its finalizer is removed and the PV object deleted.

use super::pv_controller::helpers::*;
use super::pv_controller::{ANN_MIGRATED_TO, claim_reference, migrated_driver};
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::*;
use crate::api::{ApiError, Kind, ObjectKey, StatusReason, Typed};
use crate::apiserver::{DeleteOptions, EventType};
use crate::backend::{ATTRIBUTE_VOLUME_NAME, OperationState};
use crate::csi::{self, CreateVolumeRequest, DriverInfo, HandleStyle, ProvisionerKind};
use crate::sim::{Component, SimDuration, TraceVerb};
use crate::store::Store;
use k8s_openapi::api::core::v1::{
    AWSElasticBlockStoreVolumeSource, CSIPersistentVolumeSource, GCEPersistentDiskVolumeSource, HostPathVolumeSource,
    Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeSpec, Pod, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::{CSIDriver, CSINode, StorageClass};
use std::collections::{BTreeMap, BTreeSet};

/// Annotation the external-provisioner sets (empty) on every volume it creates.
pub const ANN_DELETION_SECRET_NAME: &str = "volume.kubernetes.io/provisioner-deletion-secret-name";
/// Annotation the external-provisioner sets (empty) on every volume it creates.
pub const ANN_DELETION_SECRET_NAMESPACE: &str = "volume.kubernetes.io/provisioner-deletion-secret-namespace";
/// The volume attribute naming the provisioner instance that created a CSI volume.
pub const ATTRIBUTE_PROVISIONER_IDENTITY: &str = "storage.kubernetes.io/csiProvisionerIdentity";
/// minikube's storage-provisioner directory.
pub const MINIKUBE_HOSTPATH_DIR: &str = "/tmp/hostpath-provisioner";
/// kind's local-path-provisioner directory.
pub const LOCAL_PATH_DIR: &str = "/var/local-path-provisioner";

/// The external provisioners.
#[derive(Debug)]
pub struct ExternalProvisioner;

/// The event source of a provisioner: `<driver>_<controller pod>_<instance uuid>` as the lib's
/// leader-election identity reads.
pub fn event_source(info: &DriverInfo) -> String {
    let host = match info.name {
        "ebs.csi.aws.com" => "ebs-csi-controller-6d9f8c7b5-x2k4m",
        "efs.csi.aws.com" => "efs-csi-controller-7c4b9d6f8-4hq2w",
        "k8s.io/minikube-hostpath" => "minikube",
        "rancher.io/local-path" => "local-path-provisioner-7dc846544d-9wtkz",
        "hostpath.csi.k8s.io" => "csi-hostpathplugin-0",
        _ => "csi-controller-0",
    };
    let digest = csi::sha256::hex(info.name.as_bytes());
    format!(
        "{}_{host}_{}-{}-4{}-a{}-{}",
        info.name,
        &digest[0..8],
        &digest[8..12],
        &digest[13..16],
        &digest[17..20],
        &digest[20..32]
    )
}

/// Whether the provisioner for `info` runs in this cluster.
pub fn provisioner_running(store: &Store, info: &DriverInfo) -> bool {
    match info.kind {
        ProvisionerKind::Csi => store.get_typed::<CSIDriver>("", info.name).is_some(),
        ProvisionerKind::MinikubeHostPath => store.get_typed::<Pod>("kube-system", "storage-provisioner").is_some(),
        ProvisionerKind::LocalPath => store.list_typed_in::<Pod>("local-path-storage").any(|p| {
            p.metadata.labels.as_ref().and_then(|l| l.get("app")).map(String::as_str) == Some("local-path-provisioner")
        }),
    }
}

fn claim_provisioner(claim: &PersistentVolumeClaim) -> Option<&str> {
    annotation(&claim.metadata, ANN_STORAGE_PROVISIONER)
        .or_else(|| annotation(&claim.metadata, ANN_BETA_STORAGE_PROVISIONER))
}

impl Controller for ExternalProvisioner {
    fn component(&self) -> Component {
        Component::ExternalProvisioner
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::PersistentVolumeClaim, Kind::PersistentVolume]
    }

    fn triggers(&self, change: &crate::store::Change, api: &crate::apiserver::ApiServer, out: &mut Vec<ObjectKey>) {
        // Claims handed to a provisioner and not bound yet; Released volumes someone provisioned.
        let store = api.store();
        // (A deleted clone is read from its tombstone, the final state its DELETED event carries.)
        let changed_claim = (change.key.kind == Kind::PersistentVolumeClaim)
            .then(|| {
                store.get_typed::<PersistentVolumeClaim>(&change.key.namespace, &change.key.name).or_else(|| {
                    store
                        .deleted_since(&change.key, change.resource_version)
                        .and_then(PersistentVolumeClaim::from_object)
                })
            })
            .flatten();
        if let Some(claim) = changed_claim
            && let Some(source) = clone_source(claim)
            && store
                .get_typed::<PersistentVolumeClaim>(&change.key.namespace, source)
                .is_some_and(|source| cloning_protection_pending(&source.metadata))
        {
            // A clone changed (it bound, or went away): its deleted source may be released.
            out.push(ObjectKey::namespaced(Kind::PersistentVolumeClaim, &change.key.namespace, source));
        }
        let wanted = match change.key.kind {
            Kind::PersistentVolumeClaim => {
                store.get_typed::<PersistentVolumeClaim>(&change.key.namespace, &change.key.name).is_some_and(|claim| {
                    (claim_provisioner(claim).is_some() && claim_volume_name(claim).is_empty())
                        || cloning_protection_pending(&claim.metadata)
                })
            }
            Kind::PersistentVolume => store.get_typed::<PersistentVolume>("", &change.key.name).is_some_and(|volume| {
                volume_phase(volume) == "Released" && has_annotation(&volume.metadata, ANN_DYNAMICALLY_PROVISIONED)
            }),
            _ => false,
        };
        if wanted {
            out.push(change.key.clone());
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        match key.kind {
            Kind::PersistentVolumeClaim => {
                release_clone_source(key, ctx)?;
                provision(key, ctx)
            }
            Kind::PersistentVolume => delete(key, ctx),
            _ => Ok(Action::await_change()),
        }
    }

    fn resync_period(&self) -> Option<SimDuration> {
        Some(SimDuration::from_secs(60))
    }
}

/// The claim a claim clones (`dataSource` of kind PersistentVolumeClaim in the core group).
fn clone_source(claim: &PersistentVolumeClaim) -> Option<&str> {
    let source = claim.spec.as_ref()?.data_source.as_ref()?;
    (source.kind == "PersistentVolumeClaim" && source.api_group.as_deref().unwrap_or("").is_empty())
        .then_some(source.name.as_str())
}

/// A claim being deleted that still carries the cloning-protection finalizer.
fn cloning_protection_pending(metadata: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> bool {
    metadata.deletion_timestamp.is_some() && has_finalizer(metadata, FINALIZER_CLONING_PROTECTION)
}

/// external-provisioner's `setCloneFinalizer`: before CreateVolume of a clone, the source claim gets
/// `provisioner.storage.kubernetes.io/cloning-protection` (an Update of the claim).
fn set_clone_finalizer(namespace: &str, source: &str, ctx: &mut Ctx<'_>) -> Result<Result<(), String>, ReconcileError> {
    let Some(claim) = ctx.api.store().get_typed::<PersistentVolumeClaim>(namespace, source).cloned() else {
        return Ok(Err(format!("persistentvolumeclaim {source:?} not found")));
    };
    if has_finalizer(&claim.metadata, FINALIZER_CLONING_PROTECTION) {
        return Ok(Ok(()));
    }
    let mut updated = claim;
    add_finalizer(&mut updated.metadata, FINALIZER_CLONING_PROTECTION);
    match ctx.api.update(Component::ExternalProvisioner, updated.into_object()) {
        Ok(_) => Ok(Ok(())),
        Err(error) if error.reason == StatusReason::Conflict => Err(error.into()),
        Err(error) => Ok(Err(error.message)),
    }
}

/// external-provisioner's CloningProtectionController (`syncClaim`): once a claim with the
/// cloning-protection finalizer is being deleted, the finalizer goes as soon as no claim in its
/// namespace that clones it is still Pending. Until then the claim stays Terminating. (The sidecar
/// requeues with backoff; here a clone's change wakes the source.) A source that is not deleted keeps
/// the finalizer.
fn release_clone_source(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let store = ctx.api.store();
    let Some(claim) = store.get_typed::<PersistentVolumeClaim>(&key.namespace, &key.name) else {
        return Ok(());
    };
    if !cloning_protection_pending(&claim.metadata) {
        return Ok(());
    }
    let cloning = store
        .list_typed_in::<PersistentVolumeClaim>(&key.namespace)
        .any(|clone| clone_source(clone) == Some(key.name.as_str()) && claim_phase(clone) == "Pending");
    if cloning {
        return Ok(());
    }
    let mut updated = claim.clone();
    remove_finalizer(&mut updated.metadata, FINALIZER_CLONING_PROTECTION);
    match ctx.api.update(Component::ExternalProvisioner, updated.into_object()) {
        Ok(_) => Ok(()),
        Err(error) if error.reason == StatusReason::NotFound => Ok(()),
        Err(error) => Err(error.into()),
    }
}

fn claim_key(claim: &PersistentVolumeClaim) -> ObjectKey {
    ObjectKey::namespaced(Kind::PersistentVolumeClaim, namespace_of(&claim.metadata), name_of(&claim.metadata))
}

/// Zones (values of the driver's topology key or `topology.kubernetes.io/zone`) a volume may be
/// created in: from the selected node for WaitForFirstConsumer, else every node running the driver
/// that the class's allowedTopologies admits.
fn candidate_zones(store: &Store, info: &DriverInfo, class: &StorageClass, selected: Option<&Node>) -> Vec<String> {
    let zone_of = |node: &Node| -> Option<String> {
        let labels = node.metadata.labels.as_ref()?;
        info.topology_key.and_then(|k| labels.get(k)).or_else(|| labels.get(LABEL_ZONE)).cloned()
    };
    if let Some(node) = selected {
        return zone_of(node).into_iter().collect();
    }
    let mut zones = BTreeSet::new();
    for node in store.list_typed::<Node>() {
        let runs_driver = store.get_typed::<CSINode>("", name_of(&node.metadata)).is_none_or(|csi_node| {
            csi_node.spec.drivers.iter().any(|d| d.name == info.name) || info.kind != ProvisionerKind::Csi
        });
        let empty = BTreeMap::new();
        let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
        let allowed = class.allowed_topologies.as_ref().is_none_or(|terms| {
            terms.is_empty()
                || terms.iter().any(|term| {
                    term.match_label_expressions
                        .iter()
                        .flatten()
                        .all(|r| labels.get(&r.key).is_some_and(|v| r.values.contains(v)))
                })
        });
        if runs_driver
            && allowed
            && let Some(zone) = zone_of(node)
        {
            zones.insert(zone);
        }
    }
    zones.into_iter().collect()
}

fn provision(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let store = ctx.api.store();
    let Some(claim) = store.get_typed::<PersistentVolumeClaim>(&key.namespace, &key.name).cloned() else {
        return Ok(Action::await_change());
    };
    let Some(provisioner) = claim_provisioner(&claim).map(str::to_string) else {
        // The PV controller has not asked anyone to provision it.
        return Ok(Action::await_change());
    };
    let Some(info) = csi::driver(&provisioner) else {
        // A provisioner the simulator does not run: nobody answers (the claim stays Pending).
        return Ok(Action::await_change());
    };
    let operation = format!("create/{}", uid_of(&claim.metadata));
    if !claim_volume_name(&claim).is_empty() || claim.metadata.deletion_timestamp.is_some() {
        // Bound (or going away): nothing to provision.
        ctx.backend.finish(&operation);
        return Ok(Action::await_change());
    }
    if !provisioner_running(store, info) {
        return Ok(Action::await_change());
    }
    let class_name = claim_class(&claim).to_string();
    let Some(class) = store.get_typed::<StorageClass>("", &class_name).cloned() else {
        return Ok(Action::await_change());
    };
    let class_driver = migrated_driver(&class.provisioner).unwrap_or(&class.provisioner);
    if class_driver != info.name {
        return Ok(Action::await_change());
    }
    let delayed = class.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer");
    let selected_node = annotation(&claim.metadata, ANN_SELECTED_NODE).map(str::to_string);
    if delayed && selected_node.is_none() {
        // The scheduler has not chosen a node yet.
        return Ok(Action::await_change());
    }
    let volume_name = format!("pvc-{}", uid_of(&claim.metadata));
    if store.get_typed::<PersistentVolume>("", &volume_name).is_some() {
        // Already provisioned; the PV controller binds it.
        ctx.backend.finish(&operation);
        return Ok(Action::await_change());
    }
    let source = event_source(info);
    let claim_key = claim_key(&claim);
    match ctx.backend.poll(&operation, ctx.now()) {
        OperationState::InFlight(remaining) => Ok(Action::wait_for(remaining)),
        OperationState::NotStarted => {
            start_provisioning(&claim, &class, info, selected_node.as_deref(), &volume_name, &operation, &source, ctx)
        }
        OperationState::Done => {
            ctx.backend.finish(&operation);
            ctx.backend.clear_failures(&operation);
            let Some(backend_volume) = ctx.backend.volume_named(&volume_name).cloned() else {
                // The backend lost it: start over.
                return Ok(Action::wait_for(SimDuration::from_millis(0)));
            };
            let reply = match info.handle_style {
                HandleStyle::Path => format!("created {}", backend_volume.handle),
                _ => format!("{} available", backend_volume.handle),
            };
            ctx.api.note(Component::Cloud, Component::CsiController, TraceVerb::Reply, Some(&claim_key), reply);
            ctx.api.note(
                Component::CsiController,
                Component::ExternalProvisioner,
                TraceVerb::Reply,
                Some(&claim_key),
                format!("CreateVolume: volume_id={}", backend_volume.handle),
            );
            let volume = build_volume(&claim, &class, info, &backend_volume, selected_node.as_deref(), &volume_name);
            match ctx.api.create(Component::ExternalProvisioner, volume.into_object()) {
                Ok(_) => {}
                Err(error) if error.reason == StatusReason::AlreadyExists => {}
                Err(error) => return Err(error.into()),
            }
            let message = match info.kind {
                ProvisionerKind::Csi => format!("Successfully provisioned volume {volume_name}"),
                _ => format!("Successfully provisioned volume {volume_name}"),
            };
            ctx.api.record_event(&source, None, &claim_key, EventType::Normal, "ProvisioningSucceeded", &message);
            Ok(Action::await_change())
        }
    }
}

#[allow(clippy::too_many_arguments, reason = "one call site; the arguments are the provisioning request")]
fn start_provisioning(
    claim: &PersistentVolumeClaim,
    class: &StorageClass,
    info: &'static DriverInfo,
    selected_node: Option<&str>,
    volume_name: &str,
    operation: &str,
    source: &str,
    ctx: &mut Ctx<'_>,
) -> Result<Action, ReconcileError> {
    let claim_key = claim_key(claim);
    let namespace = namespace_of(&claim.metadata).to_string();
    let message =
        format!("External provisioner is provisioning volume for claim \"{namespace}/{}\"", name_of(&claim.metadata));
    ctx.api.record_event(source, None, &claim_key, EventType::Normal, "Provisioning", &message);
    let class_name = name_of(&class.metadata).to_string();
    let fail = |ctx: &mut Ctx<'_>, error: String| -> Result<Action, ReconcileError> {
        let message = format!("failed to provision volume with StorageClass {class_name:?}: {error}");
        ctx.api.record_event(source, None, &claim_key, EventType::Warning, "ProvisioningFailed", &message);
        let backoff = ctx.backend.record_failure(operation);
        Ok(Action::requeue(backoff))
    };
    // external-provisioner's data-source checks come first: a restore or clone that cannot work
    // fails before any volume is created.
    let data_source = match crate::snapshots::resolve_data_source(ctx.api.store(), claim, class) {
        Ok(Some(crate::snapshots::DataSource::Populator { .. })) => {
            let message = crate::snapshots::POPULATOR_MESSAGE;
            ctx.api.record_event(source, None, &claim_key, EventType::Normal, "Provisioning", message);
            return Ok(Action::await_change());
        }
        Ok(data_source) => data_source,
        Err(error) => return fail(ctx, error),
    };
    if let Some(crate::snapshots::DataSource::Claim { name, .. }) = &data_source
        && let Err(error) = set_clone_finalizer(&namespace, name, ctx)?
    {
        return fail(ctx, error);
    }
    // The node the volume must be reachable from.
    let node = match selected_node {
        Some(name) => match ctx.api.store().get_typed::<Node>("", name).cloned() {
            Some(node) => Some(node),
            None => {
                return fail(ctx, format!("failed to get target node: node {name:?} not found"));
            }
        },
        None => None,
    };
    if info.kind == ProvisionerKind::LocalPath && node.is_none() {
        return fail(ctx, "configuration error, no node was specified".to_string());
    }
    // Parameters reach the driver without the provisioner's own `csi.storage.k8s.io/` keys.
    let parameters: BTreeMap<String, String> = class
        .parameters
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("csi.storage.k8s.io/"))
        .collect();
    let request_bytes = bytes(&claim_request(claim));
    let request = CreateVolumeRequest {
        name: volume_name,
        parameters: &parameters,
        access_modes: claim_access_modes(claim),
        volume_mode: claim_volume_mode(claim),
        capacity_bytes: request_bytes,
    };
    ctx.api.note(
        Component::ExternalProvisioner,
        Component::CsiController,
        TraceVerb::Call,
        Some(&claim_key),
        format!("CreateVolume {volume_name} ({} bytes)", request_bytes),
    );
    let plan = match csi::validate_create_volume(info, &request) {
        Ok(plan) => plan,
        Err(error) => {
            ctx.api.note(
                Component::CsiController,
                Component::ExternalProvisioner,
                TraceVerb::Reply,
                Some(&claim_key),
                error.clone(),
            );
            return fail(ctx, error);
        }
    };
    let zones = candidate_zones(ctx.api.store(), info, class, node.as_ref());
    let zone = if info.topology_key.is_some() && info.kind == ProvisionerKind::Csi {
        if zones.is_empty() {
            None
        } else {
            let index = ctx.rng.below(zones.len() as u64) as usize;
            Some(zones[index].clone())
        }
    } else {
        None
    };
    let fs_type = class
        .parameters
        .as_ref()
        .and_then(|p| p.get("csi.storage.k8s.io/fstype").or_else(|| p.get("fsType")).or_else(|| p.get("fstype")))
        .cloned()
        .unwrap_or_else(|| info.default_fs_type.to_string());
    let (handle, fs_type) = match info.kind {
        ProvisionerKind::Csi => (
            csi::volume_handle(info, ctx.rng, volume_name, zone.as_deref(), &parameters, &namespace),
            if fs_type.is_empty() { "nfs4".to_string() } else { fs_type },
        ),
        ProvisionerKind::MinikubeHostPath => {
            (format!("{MINIKUBE_HOSTPATH_DIR}/{namespace}/{}", name_of(&claim.metadata)), "ext4".to_string())
        }
        ProvisionerKind::LocalPath => {
            (format!("{LOCAL_PATH_DIR}/{volume_name}_{namespace}_{}", name_of(&claim.metadata)), "ext4".to_string())
        }
    };
    let mut attributes = plan.attributes.clone();
    attributes.insert(ATTRIBUTE_VOLUME_NAME.to_string(), volume_name.to_string());
    if let Some(node) = node.as_ref() {
        attributes.insert("node".to_string(), name_of(&node.metadata).to_string());
    }
    let call = match (info.kind, zone.as_deref()) {
        (ProvisionerKind::Csi, Some(zone)) => {
            format!("{} CreateVolume {} GiB in {zone}", info.cloud_api, plan.capacity_bytes.div_ceil(1 << 30))
        }
        (ProvisionerKind::Csi, None) => format!("{} CreateVolume {volume_name}", info.cloud_api),
        _ => format!("mkdir -m 0777 -p {handle}"),
    };
    ctx.api.note(Component::CsiController, Component::Cloud, TraceVerb::Call, Some(&claim_key), call);
    let now = ctx.now();
    match info.kind {
        ProvisionerKind::Csi => {
            ctx.backend.create_volume(
                &handle,
                info.name,
                zone.as_deref(),
                plan.capacity_bytes,
                &fs_type,
                attributes,
                now,
            );
            if let Some(data_source) = &data_source
                && let Err(error) = crate::snapshots::populate(ctx.backend, data_source, &handle, now)
            {
                ctx.backend.delete_volume(&handle);
                return fail(ctx, error);
            }
        }
        ProvisionerKind::MinikubeHostPath | ProvisionerKind::LocalPath => {
            // The directory is made on the node (minikube's only node, or the selected node).
            let node_name = node
                .as_ref()
                .map(|n| name_of(&n.metadata).to_string())
                .or_else(|| ctx.api.store().list_typed::<Node>().next().map(|n| name_of(&n.metadata).to_string()));
            if let Some(node_name) = node_name {
                let root = ctx.backend.node_root(&node_name, now);
                if let Some(tree) = ctx.backend.fs.get_mut(root) {
                    let unix = u64::try_from(now.unix_millis()).unwrap_or(0);
                    if let Ok(dir) = tree.mkdir_all(&handle, unix) {
                        let _ = tree.set_mode(dir, 0o777);
                    }
                }
                attributes.insert("node".to_string(), node_name);
            }
            // Registered so the completion finds it; the data is the node directory.
            ctx.backend.register_directory(&handle, info.name, plan.capacity_bytes, attributes, now);
        }
    }
    let latency = csi::jittered(ctx.rng, info.create_ms);
    ctx.backend.begin(operation, now, latency);
    Ok(Action::wait_for(latency))
}

fn build_volume(
    claim: &PersistentVolumeClaim,
    class: &StorageClass,
    info: &DriverInfo,
    backend_volume: &crate::backend::BackendVolume,
    selected_node: Option<&str>,
    volume_name: &str,
) -> PersistentVolume {
    let mut volume = PersistentVolume::default();
    volume.metadata.name = Some(volume_name.to_string());
    let migrated_from =
        if migrated_driver(&class.provisioner).is_some() { Some(class.provisioner.clone()) } else { None };
    let provisioned_by = migrated_from.clone().unwrap_or_else(|| info.name.to_string());
    set_annotation(&mut volume.metadata, ANN_DYNAMICALLY_PROVISIONED, &provisioned_by);
    let mut spec = PersistentVolumeSpec {
        access_modes: claim.spec.as_ref().and_then(|s| s.access_modes.clone()),
        capacity: Some(BTreeMap::from([("storage".to_string(), quantity_from_bytes(backend_volume.capacity_bytes))])),
        claim_ref: Some(claim_reference(claim)),
        persistent_volume_reclaim_policy: Some(class.reclaim_policy.clone().unwrap_or_else(|| "Delete".to_string())),
        storage_class_name: Some(name_of(&class.metadata).to_string()),
        volume_mode: Some(claim_volume_mode(claim).to_string()),
        mount_options: class.mount_options.clone(),
        ..PersistentVolumeSpec::default()
    };
    let term = |key: &str, value: &str| VolumeNodeAffinity {
        required: Some(NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: Some(vec![NodeSelectorRequirement {
                    key: key.to_string(),
                    operator: "In".to_string(),
                    values: Some(vec![value.to_string()]),
                }]),
                match_fields: None,
            }],
        }),
    };
    match info.kind {
        ProvisionerKind::Csi => {
            set_annotation(&mut volume.metadata, ANN_DELETION_SECRET_NAME, "");
            set_annotation(&mut volume.metadata, ANN_DELETION_SECRET_NAMESPACE, "");
            add_finalizer(&mut volume.metadata, FINALIZER_EXTERNAL_PROVISIONER);
            if let (Some(key), Some(zone)) = (info.topology_key, backend_volume.zone.as_deref()) {
                spec.node_affinity = Some(term(key, zone));
            }
            let fs_type = if claim_volume_mode(claim) == "Block" || backend_volume.fs_type == "nfs4" {
                None
            } else {
                Some(backend_volume.fs_type.clone())
            };
            match migrated_from.as_deref() {
                Some("kubernetes.io/aws-ebs") => {
                    set_annotation(&mut volume.metadata, ANN_MIGRATED_TO, info.name);
                    spec.aws_elastic_block_store = Some(AWSElasticBlockStoreVolumeSource {
                        volume_id: backend_volume.handle.clone(),
                        fs_type,
                        ..Default::default()
                    });
                }
                Some("kubernetes.io/gce-pd") => {
                    set_annotation(&mut volume.metadata, ANN_MIGRATED_TO, info.name);
                    spec.gce_persistent_disk = Some(GCEPersistentDiskVolumeSource {
                        pd_name: volume_name.to_string(),
                        fs_type,
                        ..Default::default()
                    });
                }
                _ => {
                    let identity =
                        format!("{}-8081-{}", crate::sim::SimTime::ZERO.unix_millis() - 3_600_000, info.name);
                    spec.csi = Some(CSIPersistentVolumeSource {
                        driver: info.name.to_string(),
                        volume_handle: backend_volume.handle.clone(),
                        fs_type,
                        volume_attributes: Some(BTreeMap::from([(
                            ATTRIBUTE_PROVISIONER_IDENTITY.to_string(),
                            identity,
                        )])),
                        ..Default::default()
                    });
                }
            }
        }
        ProvisionerKind::MinikubeHostPath => {
            set_annotation(&mut volume.metadata, "hostPathProvisionerIdentity", "f2b4c2a0-6f0e-4b8c-9d39-8e0b2b7e5c11");
            spec.capacity = claim
                .spec
                .as_ref()
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(|q| BTreeMap::from([("storage".to_string(), q.clone())]));
            spec.host_path =
                Some(HostPathVolumeSource { path: backend_volume.handle.clone(), type_: Some(String::new()) });
        }
        ProvisionerKind::LocalPath => {
            spec.capacity = claim
                .spec
                .as_ref()
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(|q| BTreeMap::from([("storage".to_string(), q.clone())]));
            spec.host_path = Some(HostPathVolumeSource {
                path: backend_volume.handle.clone(),
                type_: Some("DirectoryOrCreate".to_string()),
            });
            let node = selected_node
                .map(str::to_string)
                .or_else(|| backend_volume.attributes.get("node").cloned())
                .unwrap_or_default();
            spec.node_affinity = Some(term(LABEL_HOSTNAME, &node));
        }
    }
    volume.spec = Some(spec);
    volume
}

/// The driver that deletes a volume: the one named by `provisioned-by` (or `migrated-to`).
fn deleting_driver(volume: &PersistentVolume) -> Option<&'static DriverInfo> {
    let provisioned_by = annotation(&volume.metadata, ANN_DYNAMICALLY_PROVISIONED)?;
    let name = annotation(&volume.metadata, ANN_MIGRATED_TO).unwrap_or(provisioned_by);
    csi::driver(name)
}

fn volume_handle_of(volume: &PersistentVolume) -> Option<String> {
    let spec = volume.spec.as_ref()?;
    if let Some(csi) = spec.csi.as_ref() {
        Some(csi.volume_handle.clone())
    } else if let Some(ebs) = spec.aws_elastic_block_store.as_ref() {
        Some(ebs.volume_id.clone())
    } else if let Some(host_path) = spec.host_path.as_ref() {
        Some(host_path.path.clone())
    } else {
        spec.gce_persistent_disk.as_ref().map(|_| volume.metadata.name.clone().unwrap_or_default())
    }
}

fn delete(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let store = ctx.api.store();
    let Some(volume) = store.get_typed::<PersistentVolume>("", &key.name).cloned() else {
        return Ok(Action::await_change());
    };
    let Some(info) = deleting_driver(&volume) else {
        return Ok(Action::await_change());
    };
    let policy = volume.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.as_deref()).unwrap_or("Retain");
    if volume_phase(&volume) != "Released" || policy != "Delete" || !provisioner_running(store, info) {
        return Ok(Action::await_change());
    }
    let operation = format!("delete/{}", key.name);
    let source = event_source(info);
    match ctx.backend.poll(&operation, ctx.now()) {
        OperationState::InFlight(remaining) => Ok(Action::wait_for(remaining)),
        OperationState::NotStarted => {
            let handle = volume_handle_of(&volume).unwrap_or_default();
            let attached = ctx
                .api
                .store()
                .list_typed::<k8s_openapi::api::storage::v1::VolumeAttachment>()
                .any(|a| a.spec.source.persistent_volume_name.as_deref() == Some(key.name.as_str()));
            ctx.api.note(
                Component::ExternalProvisioner,
                Component::CsiController,
                TraceVerb::Call,
                Some(key),
                format!("DeleteVolume {handle}"),
            );
            if attached && info.attach_required {
                // The cloud refuses to delete a disk that is still attached.
                let message = format!(
                    "rpc error: code = Internal desc = Could not delete volume ID {handle:?}: DeleteDisk could not delete volume: VolumeInUse: Volume {handle} is currently attached"
                );
                ctx.api.record_event(&source, None, key, EventType::Warning, "VolumeFailedDelete", &message);
                let backoff = ctx.backend.record_failure(&operation);
                return Ok(Action::requeue(backoff));
            }
            let call = match info.kind {
                ProvisionerKind::Csi => format!("{} DeleteVolume {handle}", info.cloud_api),
                _ => format!("rm -rf {handle}"),
            };
            ctx.api.note(Component::CsiController, Component::Cloud, TraceVerb::Call, Some(key), call);
            let latency = csi::jittered(ctx.rng, info.delete_ms);
            ctx.backend.begin(&operation, ctx.now(), latency);
            Ok(Action::wait_for(latency))
        }
        OperationState::Done => {
            ctx.backend.finish(&operation);
            ctx.backend.clear_failures(&operation);
            let handle = volume_handle_of(&volume).unwrap_or_default();
            match info.kind {
                ProvisionerKind::Csi => {
                    ctx.backend.delete_volume(&handle);
                }
                ProvisionerKind::MinikubeHostPath | ProvisionerKind::LocalPath => {
                    ctx.backend.remove_directory(&handle, ctx.now());
                }
            }
            ctx.api.note(
                Component::Cloud,
                Component::CsiController,
                TraceVerb::Reply,
                Some(key),
                format!("{handle} deleted"),
            );
            ctx.api.note(
                Component::CsiController,
                Component::ExternalProvisioner,
                TraceVerb::Reply,
                Some(key),
                "DeleteVolume: ok",
            );
            if volume.metadata.deletion_timestamp.is_none() {
                match ctx.api.delete(Component::ExternalProvisioner, key, DeleteOptions::default()) {
                    Ok(_) => {}
                    Err(error) if error.reason == StatusReason::NotFound => {
                        return Ok(Action::await_change());
                    }
                    Err(error) => return Err(error.into()),
                }
            }
            remove_provisioner_finalizer(key, ctx)?;
            Ok(Action::await_change())
        }
    }
}

fn remove_provisioner_finalizer(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
    let Some(mut volume) = ctx.api.store().get_typed::<PersistentVolume>("", &key.name).cloned() else {
        return Ok(());
    };
    if has_finalizer(&volume.metadata, FINALIZER_EXTERNAL_PROVISIONER) {
        remove_finalizer(&mut volume.metadata, FINALIZER_EXTERNAL_PROVISIONER);
        ctx.api.update(Component::ExternalProvisioner, volume.into_object())?;
    }
    Ok(())
}
