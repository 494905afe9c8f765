//! The storage side of volume snapshots: the backend's snapshot store, and restoring or cloning data
//! into newly provisioned volumes (external-provisioner's `getSnapshotSource` and `getPVCSource`).
//!
//! # Model
//! - A backend snapshot has a handle in its driver's style (`snap-0abc…` on EBS, a uuid on the
//!   hostpath driver), the source volume's handle, the size of the source volume (the restore
//!   size), the instant it was cut, and a frozen copy of the volume's filesystem tree at that
//!   instant: crash-consistent, exactly what the writers had written, nothing they write later.
//! - CreateSnapshot cuts at once when the storage system receives the call; the reply comes after
//!   the driver's latency; cloud snapshots then stay `pending` (readyToUse false) until their
//!   upload finishes ([`SnapshotTiming`]).
//! - Restoring copies the frozen tree into the new volume's filesystem; cloning copies the source
//!   volume's current tree. The new filesystem keeps its own size (a larger restore is allowed).
//!
//! Simplifications: no incremental snapshots or shared blocks (each snapshot is a full copy); no
//! application-consistency hooks; no cross-region copies; no quota on the number of snapshots.

use crate::api::Kind;
use crate::api::snapshot::{VolumeSnapshot, VolumeSnapshotContent};
use crate::backend::Backend;
use crate::controllers::pv_controller::helpers::{
    bytes, claim_class, claim_phase, claim_request, claim_volume_mode, name_of, namespace_of, uid_of, volume_phase,
};
use crate::controllers::pv_controller::migrated_driver;
use crate::fs::{FileKind, FsTree, Ino};
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::store::Store;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use std::collections::BTreeMap;

/// The API group of VolumeSnapshots, as a claim's `dataSource.apiGroup` must name it.
pub const SNAPSHOT_API_GROUP: &str = "snapshot.storage.k8s.io";

/// The most inodes one copy walks (every loop is bounded).
pub const COPY_INODES_MAX: usize = 1_000_000;

/// One snapshot on a storage backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendSnapshot {
    /// The snapshot id (`snap-0abc…`), `status.snapshotHandle` of its content.
    pub handle: String,
    /// The name the csi-snapshotter asked for (`snapshot-<VolumeSnapshot uid>`), for idempotency.
    pub name: String,
    /// The driver that holds it.
    pub driver: String,
    /// The handle of the volume it was cut from.
    pub source_volume: String,
    /// The size of the source volume when cut: the restore size, in bytes.
    pub size_bytes: u64,
    /// The filesystem type of the source volume.
    pub fs_type: String,
    /// When it was cut.
    pub created: SimTime,
    /// When it becomes usable (`readyToUse`).
    pub ready_at: SimTime,
    /// The volume's data as it was at `created`.
    pub tree: FsTree,
}

impl BackendSnapshot {
    /// Whether it can be restored from at `now`.
    pub fn is_ready(&self, now: SimTime) -> bool {
        now >= self.ready_at
    }
}

/// The snapshots of every backend, by handle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SnapshotStore {
    snapshots: BTreeMap<String, BackendSnapshot>,
}

impl SnapshotStore {
    /// A snapshot by handle.
    pub fn get(&self, handle: &str) -> Option<&BackendSnapshot> {
        self.snapshots.get(handle)
    }

    /// The snapshot a CreateSnapshot call of this name made, if any (CreateSnapshot is idempotent).
    pub fn by_name(&self, name: &str) -> Option<&BackendSnapshot> {
        self.snapshots.values().find(|s| s.name == name)
    }

    /// Every snapshot in handle order.
    pub fn iter(&self) -> impl Iterator<Item = &BackendSnapshot> {
        self.snapshots.values()
    }

    /// How many snapshots exist.
    pub fn len(&self) -> usize {
        self.snapshots.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }

    /// Stores a snapshot (replacing one with the same handle).
    pub fn insert(&mut self, snapshot: BackendSnapshot) {
        self.snapshots.insert(snapshot.handle.clone(), snapshot);
    }

    /// Deletes a snapshot; returns whether it existed.
    pub fn delete(&mut self, handle: &str) -> bool {
        self.snapshots.remove(handle).is_some()
    }
}

/// How long a driver's snapshot operations take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnapshotTiming {
    /// CreateSnapshot: from the call to the reply with the snapshot id.
    pub create_ms: u64,
    /// After the reply, until the snapshot is ready to use (cloud uploads; 0 when ready at once).
    pub ready_ms: u64,
    /// DeleteSnapshot.
    pub delete_ms: u64,
}

/// The snapshot latencies of a driver (typical values, scaled down for a playground: EBS snapshots
/// take minutes in real life).
pub fn timing(driver: &str) -> SnapshotTiming {
    match driver {
        "ebs.csi.aws.com" => SnapshotTiming { create_ms: 1500, ready_ms: 8000, delete_ms: 1000 },
        "pd.csi.storage.gke.io" => SnapshotTiming { create_ms: 2000, ready_ms: 6000, delete_ms: 1500 },
        "disk.csi.azure.com" => SnapshotTiming { create_ms: 2000, ready_ms: 5000, delete_ms: 1500 },
        "file.csi.azure.com" => SnapshotTiming { create_ms: 2000, ready_ms: 0, delete_ms: 1000 },
        "hostpath.csi.k8s.io" => SnapshotTiming { create_ms: 100, ready_ms: 0, delete_ms: 50 },
        "nfs.csi.k8s.io" => SnapshotTiming { create_ms: 800, ready_ms: 0, delete_ms: 300 },
        _ => SnapshotTiming { create_ms: 1000, ready_ms: 0, delete_ms: 500 },
    }
}

/// Whether a driver reports the `CLONE_VOLUME` capability (aws-ebs-csi-driver only from v1.51,
/// newer than the profiles' v1.48; EFS never).
pub fn supports_clone(driver: &str) -> bool {
    matches!(
        driver,
        "pd.csi.storage.gke.io"
            | "disk.csi.azure.com"
            | "file.csi.azure.com"
            | "hostpath.csi.k8s.io"
            | "nfs.csi.k8s.io"
            | "rbd.csi.ceph.com"
            | "cephfs.csi.ceph.com"
    )
}

/// Whether a driver reports `CREATE_DELETE_SNAPSHOT`.
pub fn supports_snapshots(driver: &str) -> bool {
    crate::csi::driver(driver).is_some_and(|d| d.snapshots)
}

fn hex_digits(rng: &mut SimRng, n: usize) -> String {
    (0..n).map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0')).collect()
}

/// A new snapshot id in the driver's style. `name` is the requested name (`snapshot-<uid>`).
pub fn snapshot_handle(driver: &str, rng: &mut SimRng, name: &str, source_volume: &str) -> String {
    match driver {
        "ebs.csi.aws.com" => format!("snap-0{}", hex_digits(rng, 16)),
        "pd.csi.storage.gke.io" => format!("projects/stowage-project/global/snapshots/{name}"),
        "disk.csi.azure.com" => format!(
            "/subscriptions/{}/resourceGroups/mc_stowage-rg_stowage-aks_eastus/providers/Microsoft.Compute/snapshots/{name}",
            rng.uuid()
        ),
        "rbd.csi.ceph.com" | "cephfs.csi.ceph.com" => {
            format!("0001-0009-rook-ceph-0000000000000002-{}", rng.uuid())
        }
        "nfs.csi.k8s.io" => format!("{}#{name}#{source_volume}", source_volume.split('#').next().unwrap_or("")),
        _ => rng.uuid(),
    }
}

/// Cuts a snapshot of the backend volume `source_volume` now, as the storage system does when it
/// receives CreateSnapshot: the tree is copied at this instant.
///
/// # Errors
/// The driver's gRPC error when the volume does not exist on this driver's backend.
pub fn cut(
    backend: &mut Backend,
    rng: &mut SimRng,
    driver: &str,
    name: &str,
    source_volume: &str,
    now: SimTime,
    latency: SimDuration,
) -> Result<BackendSnapshot, String> {
    if let Some(existing) = backend.snapshots.by_name(name) {
        return Ok(existing.clone());
    }
    let Some(volume) = backend.volumes.get(source_volume).filter(|v| v.driver == driver) else {
        return Err(volume_not_found(driver, source_volume));
    };
    let Some(tree) = backend.fs.get(volume.fs).cloned() else {
        return Err(volume_not_found(driver, source_volume));
    };
    let timing = timing(driver);
    let snapshot = BackendSnapshot {
        handle: snapshot_handle(driver, rng, name, source_volume),
        name: name.to_string(),
        driver: driver.to_string(),
        source_volume: source_volume.to_string(),
        size_bytes: volume.capacity_bytes,
        fs_type: volume.fs_type.clone(),
        created: now,
        ready_at: now.plus(latency).plus(SimDuration::from_millis(timing.ready_ms)),
        tree,
    };
    backend.snapshots.insert(snapshot.clone());
    Ok(snapshot)
}

/// The driver's error for a CreateSnapshot of a volume it does not have.
pub fn volume_not_found(driver: &str, source_volume: &str) -> String {
    match driver {
        // [infer] aws-ebs-csi-driver maps ErrNotFound of its cloud layer to NotFound.
        "ebs.csi.aws.com" => {
            format!("rpc error: code = NotFound desc = Source volume {source_volume} not found")
        }
        _ => format!("rpc error: code = NotFound desc = source volume {source_volume} not found"),
    }
}

/// Copies every entry of `from` into `to`, replacing what `to` held (modes, owners and modification
/// times included). Returns how many inodes were copied.
///
/// # Errors
/// [`crate::fs::Error::NoSpace`] when the data does not fit, or any error of the trees.
pub fn copy_tree(from: &FsTree, to: &mut FsTree, now_ms: u64) -> Result<usize, crate::fs::Error> {
    let root = to.root();
    let names: Vec<String> = to.read_dir(root)?.into_iter().map(|e| e.name).collect();
    for name in names {
        to.remove_tree(root, &name, now_ms)?;
    }
    // (source dir, destination dir) pairs still to copy; directories' times are set at the end,
    // since creating entries touches them.
    let mut stack: Vec<(Ino, Ino)> = vec![(from.root(), root)];
    let mut directories: Vec<(Ino, Ino)> = Vec::new();
    let mut copied = 0usize;
    while let Some((source_dir, target_dir)) = stack.pop() {
        directories.push((source_dir, target_dir));
        for entry in from.read_dir(source_dir)? {
            copied += 1;
            if copied > COPY_INODES_MAX {
                return Err(crate::fs::Error::NoSpace);
            }
            let Some(source) = from.lookup(source_dir, &entry.name)? else {
                continue;
            };
            let meta = from.metadata(source)?;
            let target = match entry.kind {
                FileKind::File => {
                    let ino = to.create_file(target_dir, &entry.name, meta.mode, meta.mtime_ms)?;
                    to.set_contents(ino, from.read(source)?, meta.mtime_ms)?;
                    ino
                }
                FileKind::Directory => {
                    let ino = to.mkdir(target_dir, &entry.name, meta.mode, meta.mtime_ms)?;
                    stack.push((source, ino));
                    ino
                }
                FileKind::Symlink => to.symlink(target_dir, &entry.name, from.read_link(source)?, meta.mtime_ms)?,
            };
            to.set_mode(target, meta.mode)?;
            to.set_owner(target, meta.uid, meta.gid)?;
            to.set_mtime(target, meta.mtime_ms)?;
        }
    }
    for (source, target) in directories {
        let meta = from.metadata(source)?;
        to.set_mode(target, meta.mode)?;
        to.set_owner(target, meta.uid, meta.gid)?;
        to.set_mtime(target, meta.mtime_ms)?;
    }
    Ok(copied)
}

/// Where a new volume's data comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataSource {
    /// Restore from a VolumeSnapshot: its content's snapshot handle.
    Snapshot {
        /// The VolumeSnapshot's name.
        name: String,
        /// `status.snapshotHandle` of its bound content.
        snapshot_handle: String,
    },
    /// Clone a claim: its volume's handle.
    Claim {
        /// The source claim's name.
        name: String,
        /// The CSI volume handle of its volume.
        volume_handle: String,
    },
    /// Any other kind: an external volume populator fills the volume; the provisioner does nothing
    /// (it records `Normal Provisioning Assuming an external populator will provision the volume`).
    Populator {
        /// The data source's kind.
        kind: String,
    },
}

/// The event message external-provisioner records for a claim left to an external populator.
pub const POPULATOR_MESSAGE: &str = "Assuming an external populator will provision the volume";

/// external-provisioner's `prepareProvision` data-source checks for `claim` of `class`: the data
/// source (from `dataSource`, else `dataSourceRef`), the driver's capabilities, then
/// `getSnapshotSource` or `getPVCSource`. `Ok(None)` for a claim without a data source.
///
/// # Errors
/// The provisioner's error text, to be reported as `ProvisioningFailed failed to provision volume
/// with StorageClass "<class>": <error>` (external-provisioner v5.3 wording).
pub fn resolve_data_source(
    store: &Store,
    claim: &PersistentVolumeClaim,
    class: &StorageClass,
) -> Result<Option<DataSource>, String> {
    let Some(spec) = claim.spec.as_ref() else {
        return Ok(None);
    };
    let namespace = namespace_of(&claim.metadata);
    // The API server drops dataSourceRef.namespace while CrossNamespaceVolumeDataSource is off (its
    // default), so a source is always looked up in the claim's own namespace.
    let (kind, name, api_group) = if let Some(source) = spec.data_source.as_ref() {
        (source.kind.clone(), source.name.clone(), source.api_group.clone().unwrap_or_default())
    } else if let Some(source) = spec.data_source_ref.as_ref() {
        (source.kind.clone(), source.name.clone(), source.api_group.clone().unwrap_or_default())
    } else {
        return Ok(None);
    };
    if name.is_empty() {
        return Err(format!("the PVC source not found for PVC {}", name_of(&claim.metadata)));
    }
    let driver = migrated_driver(&class.provisioner).unwrap_or(&class.provisioner).to_string();
    let wrap = |error: String| format!("error getting handle for DataSource Type {kind} by Name {name}: {error}");
    match kind.as_str() {
        "VolumeSnapshot" => {
            if api_group != SNAPSHOT_API_GROUP {
                return Err(format!(
                    "the PVC source does not belong to the right APIGroup. Expected {SNAPSHOT_API_GROUP}, Got {api_group}"
                ));
            }
            if !supports_snapshots(&driver) {
                return Err("CSI driver does not support snapshot restore: controller CREATE_DELETE_SNAPSHOT capability is not reported".to_string());
            }
            snapshot_source(store, claim, namespace, &name, &driver).map(Some).map_err(wrap)
        }
        "PersistentVolumeClaim" if api_group.is_empty() => {
            if !supports_clone(&driver) {
                return Err(
                    "CSI driver does not support clone operations: controller CLONE_VOLUME capability is not reported"
                        .to_string(),
                );
            }
            claim_source(store, claim, class, namespace, &name, &driver).map(Some).map_err(wrap)
        }
        _ => Ok(Some(DataSource::Populator { kind })),
    }
}

/// `getSnapshotSource` (external-provisioner v5.3).
fn snapshot_source(
    store: &Store,
    claim: &PersistentVolumeClaim,
    namespace: &str,
    name: &str,
    driver: &str,
) -> Result<DataSource, String> {
    let Some(snapshot) = store.get_typed::<VolumeSnapshot>(namespace, name) else {
        let not_found = crate::api::ApiError::not_found(Kind::VolumeSnapshot, name);
        return Err(format!("error getting snapshot {name} from api server: {}", not_found.message));
    };
    if snapshot.metadata.deletion_timestamp.is_some() {
        return Err(format!("snapshot {name} is currently being deleted"));
    }
    let not_bound = || format!("snapshot {name} not bound");
    let status = snapshot.status.as_ref();
    let Some(content_name) = status.and_then(|s| s.bound_volume_snapshot_content_name.as_deref()) else {
        return Err(not_bound());
    };
    let Some(content) = store.get_typed::<VolumeSnapshotContent>("", content_name) else {
        return Err(not_bound());
    };
    let reference = &content.spec.volume_snapshot_ref;
    if reference.uid.as_deref() != Some(uid_of(&snapshot.metadata))
        || reference.namespace.as_deref() != Some(namespace)
        || reference.name.as_deref() != Some(name)
    {
        return Err(not_bound());
    }
    if content.spec.driver != driver {
        // v5.3 reports a content of another driver as not bound (and logs the reason).
        return Err(not_bound());
    }
    if status.and_then(|s| s.ready_to_use) != Some(true) {
        return Err(format!("snapshot {name} is not Ready"));
    }
    let Some(snapshot_handle) = content.status.as_ref().and_then(|s| s.snapshot_handle.clone()) else {
        return Err(format!("snapshot handle {name} is not available"));
    };
    if let Some(restore_size) = status.and_then(|s| s.restore_size.as_deref()) {
        let has_request = claim
            .spec
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref())
            .is_some_and(|r| r.contains_key("storage"));
        if !has_request {
            return Err(format!(
                "error getting capacity for PVC {} when creating snapshot {name}",
                name_of(&claim.metadata)
            ));
        }
        let requested = bytes(&claim_request(claim));
        let restore = crate::api::quantity::Quantity::parse(restore_size)
            .map(|q| u64::try_from(q.value()).unwrap_or(0))
            .unwrap_or(0);
        if requested < restore {
            return Err(format!(
                "requested volume size {requested} is less than the size {restore} for the source snapshot {name}"
            ));
        }
    }
    Ok(DataSource::Snapshot { name: name.to_string(), snapshot_handle })
}

/// `getPVCSource` (external-provisioner v5.3).
fn claim_source(
    store: &Store,
    claim: &PersistentVolumeClaim,
    class: &StorageClass,
    namespace: &str,
    name: &str,
    driver: &str,
) -> Result<DataSource, String> {
    let _ = class;
    let Some(source) = store.get_typed::<PersistentVolumeClaim>(namespace, name) else {
        return Err(format!(
            "error getting PVC {name} (namespace {namespace:?}) from api server: {} {name:?} not found",
            Kind::PersistentVolumeClaim.info().qualified_singular()
        ));
    };
    if claim_phase(source) != "Bound" {
        return Err(format!("the PVC DataSource {name} must have a status of Bound.  Got {}", go_claim_status(source)));
    }
    if source.metadata.deletion_timestamp.is_some() {
        return Err(format!("the PVC DataSource {name} is currently being deleted"));
    }
    if source.spec.as_ref().and_then(|s| s.storage_class_name.as_ref()).is_none() {
        return Err(format!("the source PVC ({name}) storageclass cannot be empty"));
    }
    if claim.spec.as_ref().and_then(|s| s.storage_class_name.as_ref()).is_none() && claim_class(claim).is_empty() {
        return Err(format!("the requested PVC ({}) storageclass cannot be empty", name_of(&claim.metadata)));
    }
    let requested = bytes(&claim_request(claim));
    let source_request = bytes(&claim_request(source));
    if requested < source_request {
        return Err(format!(
            "error, new PVC request must be greater than or equal in size to the specified PVC data source, requested {requested} but source is {source_request}"
        ));
    }
    let volume_name = source.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or("");
    if volume_name.is_empty() {
        return Err(format!("volume name is empty in source PVC {name}"));
    }
    let invalid = || "claim in dataSource not bound or invalid".to_string();
    let Some(volume) = store.get_typed::<PersistentVolume>("", volume_name) else {
        return Err(invalid());
    };
    let Some(csi) = volume.spec.as_ref().and_then(|s| s.csi.as_ref()) else {
        return Err(invalid());
    };
    if csi.driver != driver {
        return Err(invalid());
    }
    let Some(claim_ref) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
        return Err(invalid());
    };
    if claim_ref.uid.as_deref() != Some(uid_of(&source.metadata))
        || claim_ref.namespace.as_deref() != Some(namespace)
        || claim_ref.name.as_deref() != Some(name)
    {
        return Err(invalid());
    }
    if volume_phase(volume) != "Bound" {
        return Err(invalid());
    }
    let source_mode = volume.spec.as_ref().and_then(|s| s.volume_mode.as_deref()).unwrap_or("Filesystem");
    let requested_mode = claim_volume_mode(claim);
    if requested_mode == "Filesystem" && source_mode != "Filesystem" {
        return Err("the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Block, but new PVC requested Filesystem".to_string());
    }
    if requested_mode == "Block" && source_mode != "Block" {
        return Err("the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Filesystem, but new PVC requested Block".to_string());
    }
    Ok(DataSource::Claim { name: name.to_string(), volume_handle: csi.volume_handle.clone() })
}

/// A claim's status as Go's `%v` prints the struct (`&{Pending [] map[] [] map[] map[] <nil> <nil>}`),
/// abbreviated to what a Pending claim shows.
fn go_claim_status(claim: &PersistentVolumeClaim) -> String {
    format!("&{{{} [] map[] [] map[] map[] <nil> <nil>}}", claim_phase(claim))
}

/// Fills the new backend volume `volume_handle` from `source`: the snapshot's frozen tree, or the
/// source volume's current tree. A populator source leaves the volume as it is.
///
/// # Errors
/// The driver's error when the snapshot or source volume is gone, or the data does not fit.
pub fn populate(backend: &mut Backend, source: &DataSource, volume_handle: &str, now: SimTime) -> Result<(), String> {
    let now_ms = u64::try_from(now.unix_millis()).unwrap_or(0);
    let tree = match source {
        DataSource::Snapshot { snapshot_handle, .. } => match backend.snapshots.get(snapshot_handle) {
            Some(snapshot) => snapshot.tree.clone(),
            None => {
                return Err(format!("rpc error: code = NotFound desc = snapshot {snapshot_handle} not found"));
            }
        },
        DataSource::Claim { volume_handle: source_handle, .. } => {
            match backend.volumes.get(source_handle).and_then(|v| backend.fs.get(v.fs)) {
                Some(tree) => tree.clone(),
                None => {
                    return Err(format!("rpc error: code = NotFound desc = source volume {source_handle} not found"));
                }
            }
        }
        DataSource::Populator { .. } => return Ok(()),
    };
    let Some(target) = backend.volumes.get(volume_handle).map(|v| v.fs) else {
        return Err(format!("rpc error: code = NotFound desc = volume {volume_handle} not found"));
    };
    let Some(target_tree) = backend.fs.get_mut(target) else {
        return Err(format!("rpc error: code = NotFound desc = volume {volume_handle} not found"));
    };
    copy_tree(&tree, target_tree, now_ms)
        .map(|_| ())
        .map_err(|e| format!("rpc error: code = Internal desc = restoring data: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend_with_volume() -> Backend {
        let mut backend = Backend::default();
        backend.create_volume(
            "vol-1",
            "ebs.csi.aws.com",
            Some("us-east-1a"),
            1 << 30,
            "ext4",
            BTreeMap::new(),
            SimTime::ZERO,
        );
        backend
    }

    fn write(backend: &mut Backend, handle: &str, path: &str, data: &[u8]) {
        let fs = backend.volumes[handle].fs;
        backend.fs.get_mut(fs).unwrap().write_file_at(path, data, 0).unwrap();
    }

    fn read(backend: &Backend, handle: &str, path: &str) -> Option<Vec<u8>> {
        let tree = backend.fs.get(backend.volumes[handle].fs)?;
        let ino = tree.lookup_path(path).ok()?;
        tree.read(ino).ok().map(<[u8]>::to_vec)
    }

    #[test]
    fn a_snapshot_should_keep_the_data_of_the_moment_it_was_cut() {
        let mut backend = backend_with_volume();
        let mut rng = SimRng::new(crate::sim::Seed(1), 9);
        write(&mut backend, "vol-1", "/counter", b"100\n");
        let snapshot = cut(
            &mut backend,
            &mut rng,
            "ebs.csi.aws.com",
            "snapshot-1",
            "vol-1",
            SimTime(1000),
            SimDuration::from_secs(1),
        )
        .unwrap();
        assert!(snapshot.handle.starts_with("snap-0") && snapshot.handle.len() == 22, "{}", snapshot.handle);
        assert_eq!(snapshot.size_bytes, 1 << 30);
        assert!(!snapshot.is_ready(SimTime(2000)), "EBS snapshots stay pending after the reply");
        write(&mut backend, "vol-1", "/counter", b"200\n");
        let again = cut(
            &mut backend,
            &mut rng,
            "ebs.csi.aws.com",
            "snapshot-1",
            "vol-1",
            SimTime(5000),
            SimDuration::from_secs(1),
        )
        .unwrap();
        assert_eq!(again.handle, snapshot.handle, "CreateSnapshot is idempotent by name");

        backend.create_volume(
            "vol-2",
            "ebs.csi.aws.com",
            Some("us-east-1a"),
            2 << 30,
            "ext4",
            BTreeMap::new(),
            SimTime(6000),
        );
        let source = DataSource::Snapshot { name: "snap".to_string(), snapshot_handle: snapshot.handle.clone() };
        populate(&mut backend, &source, "vol-2", SimTime(6000)).unwrap();
        assert_eq!(read(&backend, "vol-2", "/counter").as_deref(), Some(&b"100\n"[..]));
        assert_eq!(read(&backend, "vol-1", "/counter").as_deref(), Some(&b"200\n"[..]));
        assert!(read(&backend, "vol-2", "/lost+found").is_none(), "lost+found is a directory");
        assert_eq!(backend.usage("vol-2").unwrap().capacity_bytes, 2 << 30, "the new volume keeps its own size");
    }

    #[test]
    fn a_clone_should_copy_the_current_data_with_modes_and_links() {
        let mut backend = backend_with_volume();
        write(&mut backend, "vol-1", "/db/data", b"rows");
        let fs = backend.volumes["vol-1"].fs;
        let tree = backend.fs.get_mut(fs).unwrap();
        let ino = tree.lookup_path("/db/data").unwrap();
        tree.set_mode(ino, 0o600).unwrap();
        tree.set_owner(ino, 999, 999).unwrap();
        tree.symlink_at("/current", "db/data", 0).unwrap();
        backend.create_volume("vol-2", "ebs.csi.aws.com", None, 1 << 30, "ext4", BTreeMap::new(), SimTime::ZERO);
        write(&mut backend, "vol-2", "/stale", b"x");
        populate(
            &mut backend,
            &DataSource::Claim { name: "src".to_string(), volume_handle: "vol-1".to_string() },
            "vol-2",
            SimTime::ZERO,
        )
        .unwrap();
        let copy = backend.fs.get(backend.volumes["vol-2"].fs).unwrap();
        let ino = copy.lookup_path("/db/data").unwrap();
        let meta = copy.metadata(ino).unwrap();
        assert_eq!((meta.mode, meta.uid, meta.gid), (0o600, 999, 999));
        assert_eq!(copy.read_link(copy.lookup_path("/current").unwrap()).unwrap(), "db/data");
        assert!(copy.lookup_path("/stale").is_err(), "the target's old contents are replaced");
        assert_eq!(copy.used_bytes(), 4);
    }

    #[test]
    fn cutting_a_missing_volume_should_fail_like_the_driver() {
        let mut backend = backend_with_volume();
        let mut rng = SimRng::new(crate::sim::Seed(1), 9);
        let error = cut(
            &mut backend,
            &mut rng,
            "ebs.csi.aws.com",
            "snapshot-1",
            "vol-9",
            SimTime::ZERO,
            SimDuration::from_millis(0),
        )
        .unwrap_err();
        assert_eq!(error, "rpc error: code = NotFound desc = Source volume vol-9 not found");
        let error = cut(
            &mut backend,
            &mut rng,
            "hostpath.csi.k8s.io",
            "snapshot-1",
            "vol-1",
            SimTime::ZERO,
            SimDuration::from_millis(0),
        )
        .unwrap_err();
        assert!(error.contains("source volume vol-1 not found"), "another driver's volume is unknown to it");
    }
}
