//! The simulated world outside the API: storage backends (cloud disks, file systems, NFS exports)
//! with their data, operations in flight, and the informer-like caches of stateless controllers.
//!
//! # Model
//! - Each backend volume has a handle (the CSI volume handle: `vol-0abc…`, `fs-…::fsap-…`), a
//!   driver, a zone, a block size, and a filesystem tree in [`Backend::fs`] holding its data.
//! - Data outlives pods and claims exactly as the reclaim policy says: a volume goes only when a
//!   deleter deletes it; `Retain` keeps it forever; `Recycle` scrubs it (`rm -rf /volume/*`).
//! - Expansion is two-step as on a real disk: the controller grows the block device
//!   ([`Backend::expand_volume`]), the node grows the filesystem ([`Backend::expand_filesystem`]);
//!   `df` shows the filesystem size.
//! - Static network volumes (NFS exports, pre-created CSI volumes) get their tree lazily, the first
//!   time something looks at them ([`Backend::volume_fs_for_pv`]).
//! - Operations (CreateVolume, attach, expand) complete after a driver latency on the simulated
//!   clock; [`Backend::begin`] and [`Backend::poll`] track them.
//! - Every filesystem of the simulation lives in [`Backend::fs`] (one [`FsStore`], so that a
//!   container's mount namespace can mount a backend volume next to its own root).
//!
//! Simplifications: no IOPS or throughput effects; hostPath and local volumes keep their data on
//! nodes (the kubelet's business), so their recycling only scrubs what the node trees hold.

use crate::controllers::pv_controller::index::VolumeIndex;
use crate::fs::{FsId, FsStore, FsTree};
use crate::sim::{SimDuration, SimTime};
use k8s_openapi::api::core::v1::PersistentVolume;
use std::collections::BTreeMap;

/// One volume on a storage backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendVolume {
    /// The volume handle, e.g. `vol-0abc1234def567890`.
    pub handle: String,
    /// The CSI driver (or plugin) that owns it.
    pub driver: String,
    /// The zone it lives in, if the backend is zonal.
    pub zone: Option<String>,
    /// Size of the block device (or quota) in bytes.
    pub capacity_bytes: u64,
    /// The filesystem holding the volume's data.
    pub fs: FsId,
    /// The filesystem type (`ext4`, `xfs`, `nfs4`).
    pub fs_type: String,
    /// Driver parameters that describe it (`type=gp3`, `iops=3000`).
    pub attributes: BTreeMap<String, String>,
    /// When it was created, in simulated milliseconds.
    pub created_ms: u64,
}

/// An operation in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// When it started.
    pub started: SimTime,
    /// When it completes.
    pub done_at: SimTime,
}

/// Where an operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationState {
    /// Never started (or already finished and forgotten).
    NotStarted,
    /// Still running for this long.
    InFlight(SimDuration),
    /// Completed; the caller collects the result and calls [`Backend::finish`].
    Done,
}

/// The storage backends and their volumes.
#[derive(Clone, Debug, Default)]
pub struct Backend {
    /// Volumes by handle.
    pub volumes: BTreeMap<String, BackendVolume>,
    /// Every filesystem of the simulation: backend volumes, and (for the kubelet) node and
    /// container trees.
    pub fs: FsStore,
    /// Node root filesystems, created on demand, by node name.
    pub node_roots: BTreeMap<String, FsId>,
    /// The data plane: nodes' machines, pod sandboxes, containers and their processes (the kubelet's).
    pub dataplane: crate::kubelet::Dataplane,
    /// Snapshots on the storage backends, with their frozen data (the snapshot engineer's).
    pub snapshots: crate::snapshots::SnapshotStore,
    /// The PV controller's volume index (controllers are stateless; their caches live here).
    pub(crate) volume_index: VolumeIndex,
    /// Volume handles by the name the provisioner gave them (the `CSIVolumeName` tag).
    names: BTreeMap<String, String>,
    /// Operations in flight by key (`create/<claim uid>`, `attach/<attachment>`).
    operations: BTreeMap<String, Operation>,
    /// Consecutive failures by operation key, for the sidecars' exponential backoff.
    failures: BTreeMap<String, u32>,
}

/// How full a volume is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    /// Bytes used by files.
    pub used_bytes: u64,
    /// Size of the filesystem.
    pub capacity_bytes: u64,
}

impl Usage {
    /// Used space in percent, rounded up as `df` does.
    pub fn percent(&self) -> u64 {
        if self.capacity_bytes == 0 { 0 } else { (self.used_bytes * 100).div_ceil(self.capacity_bytes) }
    }
}

fn unix_ms(now: SimTime) -> u64 {
    u64::try_from(now.unix_millis()).unwrap_or(0)
}

fn new_tree(source: &str, fs_type: &str, capacity_bytes: Option<u64>, now: SimTime) -> FsTree {
    let mut tree = FsTree::new(source, fs_type, capacity_bytes, unix_ms(now));
    if fs_type.starts_with("ext") {
        // mkfs.ext4 leaves lost+found (mode 0700) in the root of every new filesystem.
        let root = tree.root();
        if let Ok(ino) = tree.mkdir(root, "lost+found", 0o700, unix_ms(now)) {
            let _ = tree.set_mode(ino, 0o700);
        }
    }
    tree
}

/// The attribute naming the volume as its provisioner asked (`CSIVolumeName` tag on EBS).
pub const ATTRIBUTE_VOLUME_NAME: &str = "CSIVolumeName";

impl Backend {
    /// The volume a provisioner created under `name` (`pvc-<uid>`), if any.
    pub fn volume_named(&self, name: &str) -> Option<&BackendVolume> {
        self.names.get(name).and_then(|handle| self.volumes.get(handle))
    }

    /// Creates a volume with an empty filesystem and returns it.
    #[allow(clippy::too_many_arguments, reason = "a volume's facts, all required; a struct would only rename them")]
    pub fn create_volume(
        &mut self,
        handle: &str,
        driver: &str,
        zone: Option<&str>,
        capacity_bytes: u64,
        fs_type: &str,
        attributes: BTreeMap<String, String>,
        now: SimTime,
    ) -> &BackendVolume {
        if !self.volumes.contains_key(handle) {
            let source = device_source(driver, handle);
            let fs = self.fs.insert(new_tree(&source, fs_type, Some(capacity_bytes), now));
            let volume = BackendVolume {
                handle: handle.to_string(),
                driver: driver.to_string(),
                zone: zone.map(str::to_string),
                capacity_bytes,
                fs,
                fs_type: fs_type.to_string(),
                attributes,
                created_ms: now.as_millis(),
            };
            if let Some(name) = volume.attributes.get(ATTRIBUTE_VOLUME_NAME) {
                self.names.insert(name.clone(), handle.to_string());
            }
            self.volumes.insert(handle.to_string(), volume);
        }
        &self.volumes[handle]
    }

    /// Deletes a volume and its data. Returns whether it existed.
    pub fn delete_volume(&mut self, handle: &str) -> bool {
        match self.volumes.remove(handle) {
            Some(volume) => {
                self.fs.remove(volume.fs);
                if let Some(name) = volume.attributes.get(ATTRIBUTE_VOLUME_NAME) {
                    self.names.remove(name);
                }
                true
            }
            None => false,
        }
    }

    /// Records a directory a hostPath provisioner made on a node (`attributes["node"]`) as a backend
    /// volume, so that its completion and deletion find it. Its data is the node's directory.
    pub fn register_directory(
        &mut self,
        path: &str,
        driver: &str,
        capacity_bytes: u64,
        attributes: BTreeMap<String, String>,
        now: SimTime,
    ) {
        let node = attributes.get("node").cloned().unwrap_or_default();
        let fs = self.node_root(&node, now);
        if let Some(name) = attributes.get(ATTRIBUTE_VOLUME_NAME) {
            self.names.insert(name.clone(), path.to_string());
        }
        let volume = BackendVolume {
            handle: path.to_string(),
            driver: driver.to_string(),
            zone: None,
            capacity_bytes,
            fs,
            fs_type: "hostPath".to_string(),
            attributes,
            created_ms: now.as_millis(),
        };
        self.volumes.insert(path.to_string(), volume);
    }

    /// Removes a directory volume and its data from its node.
    pub fn remove_directory(&mut self, path: &str, now: SimTime) {
        let Some(volume) = self.volumes.remove(path) else {
            return;
        };
        if let Some(name) = volume.attributes.get(ATTRIBUTE_VOLUME_NAME) {
            self.names.remove(name);
        }
        if let Some(tree) = self.fs.get_mut(volume.fs) {
            let _ = tree.remove_at(path, unix_ms(now));
        }
    }

    /// Grows the block device (ControllerExpandVolume). The filesystem keeps its size until
    /// [`Backend::expand_filesystem`], unless the backend has no separate filesystem (NFS, EFS).
    pub fn expand_volume(&mut self, handle: &str, capacity_bytes: u64, node_expansion: bool) {
        let Some(volume) = self.volumes.get_mut(handle) else {
            return;
        };
        volume.capacity_bytes = volume.capacity_bytes.max(capacity_bytes);
        if !node_expansion {
            let size = volume.capacity_bytes;
            if let Some(tree) = self.fs.get_mut(volume.fs) {
                tree.set_capacity_bytes(Some(size));
            }
        }
    }

    /// Grows the filesystem to the block device's size (NodeExpandVolume: `resize2fs`).
    pub fn expand_filesystem(&mut self, handle: &str) {
        let Some(volume) = self.volumes.get(handle) else {
            return;
        };
        let size = volume.capacity_bytes;
        if let Some(tree) = self.fs.get_mut(volume.fs) {
            tree.set_capacity_bytes(Some(size));
        }
    }

    /// Removes everything in a filesystem's root (the recycler's `rm -rf /scrub/*`).
    pub fn scrub(&mut self, fs: FsId, now: SimTime) {
        let Some(tree) = self.fs.get_mut(fs) else {
            return;
        };
        let root = tree.root();
        let names: Vec<String> =
            tree.read_dir(root).map(|entries| entries.into_iter().map(|e| e.name).collect()).unwrap_or_default();
        for name in names {
            let _ = tree.remove_tree(root, &name, unix_ms(now));
        }
    }

    /// Scrubs the data of a static volume (NFS export or hostPath directory on every node).
    pub fn scrub_static_volume(&mut self, volume: &PersistentVolume, now: SimTime) {
        let spec = volume.spec.as_ref();
        if let Some(fs) = self.volume_fs_for_pv(volume, now) {
            self.scrub(fs, now);
        } else if let Some(path) = spec.and_then(|s| s.host_path.as_ref()).map(|h| h.path.clone()) {
            let roots: Vec<FsId> = self.node_roots.values().copied().collect();
            for root in roots {
                let Some(tree) = self.fs.get_mut(root) else {
                    continue;
                };
                let Ok(dir) = tree.lookup_path(&path) else {
                    continue;
                };
                let names: Vec<String> =
                    tree.read_dir(dir).map(|e| e.into_iter().map(|e| e.name).collect()).unwrap_or_default();
                for name in names {
                    let _ = tree.remove_tree(dir, &name, unix_ms(now));
                }
            }
        } else {
            // Nothing the simulator holds data for.
        }
    }

    /// The filesystem holding a volume's data, creating trees for static network volumes on first
    /// use. `None` for node-local sources (hostPath, local), whose data lives on the node.
    ///
    /// The tree takes the volume's `mountOptions`: the kubelet passes them to NodeStageVolume and
    /// NodePublishVolume (or to mount(8) for in-tree sources), so `mount` in a container shows them.
    pub fn volume_fs_for_pv(&mut self, volume: &PersistentVolume, now: SimTime) -> Option<FsId> {
        let fs = self.volume_fs_for_pv_source(volume, now)?;
        let options = volume.spec.as_ref().and_then(|s| s.mount_options.clone()).unwrap_or_default();
        if let Some(tree) = self.fs.get_mut(fs)
            && tree.mount_options() != options.as_slice()
        {
            tree.set_mount_options(options);
        }
        Some(fs)
    }

    fn volume_fs_for_pv_source(&mut self, volume: &PersistentVolume, now: SimTime) -> Option<FsId> {
        let spec = volume.spec.as_ref()?;
        let capacity = spec
            .capacity
            .as_ref()
            .and_then(|c| c.get("storage"))
            .and_then(|q| crate::api::quantity::Quantity::parse(&q.0).ok())
            .map(|q| u64::try_from(q.value()).unwrap_or(0))
            .unwrap_or(0);
        if let Some(csi) = spec.csi.as_ref() {
            if !self.volumes.contains_key(&csi.volume_handle) {
                // A static CSI volume an admin pointed at: it exists on the backend already.
                let fs_type = csi.fs_type.clone().unwrap_or_else(|| "ext4".to_string());
                self.create_volume(&csi.volume_handle, &csi.driver, None, capacity, &fs_type, BTreeMap::new(), now);
            }
            return self.volumes.get(&csi.volume_handle).map(|v| v.fs);
        }
        if let Some(nfs) = spec.nfs.as_ref() {
            let handle = format!("{}:{}", nfs.server, nfs.path);
            if !self.volumes.contains_key(&handle) {
                // An NFS export is as big as its server's disk, whatever the PV says.
                self.create_volume(&handle, "nfs", None, capacity.max(1 << 40), "nfs4", BTreeMap::new(), now);
            }
            return self.volumes.get(&handle).map(|v| v.fs);
        }
        if let Some(ebs) = spec.aws_elastic_block_store.as_ref() {
            let handle = ebs.volume_id.rsplit('/').next().unwrap_or(&ebs.volume_id).to_string();
            if !self.volumes.contains_key(&handle) {
                self.create_volume(&handle, "ebs.csi.aws.com", None, capacity, "ext4", BTreeMap::new(), now);
            }
            return self.volumes.get(&handle).map(|v| v.fs);
        }
        None
    }

    /// The root filesystem of a node, created on first use.
    pub fn node_root(&mut self, node: &str, now: SimTime) -> FsId {
        if let Some(fs) = self.node_roots.get(node) {
            return *fs;
        }
        let fs = self.fs.insert(FsTree::new("/dev/root", "ext4", Some(100 << 30), unix_ms(now)));
        self.node_roots.insert(node.to_string(), fs);
        fs
    }

    /// Used and total bytes of a volume's filesystem (what `df` shows).
    pub fn usage(&self, handle: &str) -> Option<Usage> {
        let volume = self.volumes.get(handle)?;
        let tree = self.fs.get(volume.fs)?;
        Some(Usage {
            used_bytes: tree.used_bytes(),
            capacity_bytes: tree.capacity_bytes().unwrap_or(volume.capacity_bytes),
        })
    }

    /// Starts an operation that completes after `latency`; an operation already in flight keeps its
    /// completion time. Returns when it completes.
    pub fn begin(&mut self, key: &str, now: SimTime, latency: SimDuration) -> SimTime {
        self.operations.entry(key.to_string()).or_insert(Operation { started: now, done_at: now.plus(latency) }).done_at
    }

    /// Where an operation is.
    pub fn poll(&self, key: &str, now: SimTime) -> OperationState {
        match self.operations.get(key) {
            None => OperationState::NotStarted,
            Some(operation) if operation.done_at <= now => OperationState::Done,
            Some(operation) => OperationState::InFlight(operation.done_at.since(now)),
        }
    }

    /// Forgets a completed (or abandoned) operation.
    pub fn finish(&mut self, key: &str) {
        self.operations.remove(key);
    }

    /// Records a failed attempt and returns the backoff before the next one (the sidecars'
    /// exponential backoff: 1 s doubling up to 5 min).
    pub fn record_failure(&mut self, key: &str) -> SimDuration {
        let failures = self.failures.entry(key.to_string()).or_insert(0);
        *failures += 1;
        let exponent = (*failures - 1).min(9);
        SimDuration::from_millis((1000u64 << exponent).min(300_000))
    }

    /// Clears the failure count after a success.
    pub fn clear_failures(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

/// The device a volume shows as in `mount` and `df` on a node.
fn device_source(driver: &str, handle: &str) -> String {
    match driver {
        "ebs.csi.aws.com" => "/dev/nvme1n1".to_string(),
        "pd.csi.storage.gke.io" => "/dev/sdb".to_string(),
        "disk.csi.azure.com" => "/dev/sdc".to_string(),
        "rbd.csi.ceph.com" => "/dev/rbd0".to_string(),
        "efs.csi.aws.com" => "127.0.0.1:/".to_string(),
        "nfs" => handle.to_string(),
        _ => handle.to_string(),
    }
}

/// How full one claim's volume is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimUsage {
    /// The claim.
    pub claim: crate::api::ObjectKey,
    /// Its volume.
    pub volume: String,
    /// Used and total bytes.
    pub usage: Usage,
}

/// The usage of a claim's volume (what `df` in a pod mounting it shows), if the backend holds its
/// data.
pub fn claim_usage(
    api: &crate::apiserver::ApiServer,
    backend: &Backend,
    namespace: &str,
    claim: &str,
) -> Option<Usage> {
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    let claim = api.store().get_typed::<PersistentVolumeClaim>(namespace, claim)?;
    let volume_name = claim.spec.as_ref()?.volume_name.as_deref()?;
    let volume = api.store().get_typed::<PersistentVolume>("", volume_name)?;
    let spec = volume.spec.as_ref()?;
    let handle = if let Some(csi) = spec.csi.as_ref() {
        csi.volume_handle.clone()
    } else if let Some(nfs) = spec.nfs.as_ref() {
        format!("{}:{}", nfs.server, nfs.path)
    } else if let Some(ebs) = spec.aws_elastic_block_store.as_ref() {
        ebs.volume_id.clone()
    } else {
        return None;
    };
    backend.usage(&handle)
}

/// Bound claims whose volumes are more than `threshold_percent` full, in key order (the guide's
/// "alert on PVC usage > 80 %").
pub fn claims_over_usage(
    api: &crate::apiserver::ApiServer,
    backend: &Backend,
    threshold_percent: u64,
) -> Vec<ClaimUsage> {
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    let mut out = Vec::new();
    for claim in api.store().list_typed::<PersistentVolumeClaim>() {
        let namespace = claim.metadata.namespace.as_deref().unwrap_or("");
        let name = claim.metadata.name.as_deref().unwrap_or("");
        let Some(usage) = claim_usage(api, backend, namespace, name) else {
            continue;
        };
        if usage.capacity_bytes > 0 && usage.used_bytes * 100 > usage.capacity_bytes * threshold_percent {
            out.push(ClaimUsage {
                claim: crate::api::ObjectKey::namespaced(crate::api::Kind::PersistentVolumeClaim, namespace, name),
                volume: claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default(),
                usage,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volumes_should_keep_data_until_deleted_and_scrub_should_empty_them() {
        let mut backend = Backend::default();
        let fs = backend
            .create_volume(
                "vol-1",
                "ebs.csi.aws.com",
                Some("us-east-1a"),
                1 << 30,
                "ext4",
                BTreeMap::new(),
                SimTime::ZERO,
            )
            .fs;
        let tree = backend.fs.get_mut(fs).unwrap();
        tree.write_file_at("/data.txt", b"important data", 0).unwrap();
        assert_eq!(backend.usage("vol-1").unwrap().used_bytes, 14);
        backend.scrub(fs, SimTime::ZERO);
        assert_eq!(backend.usage("vol-1").unwrap().used_bytes, 0);
        assert!(backend.delete_volume("vol-1"));
        assert!(backend.fs.get(fs).is_none());
    }

    #[test]
    fn expansion_should_grow_the_filesystem_only_after_node_expansion() {
        let mut backend = Backend::default();
        backend.create_volume("vol-1", "ebs.csi.aws.com", None, 1 << 30, "ext4", BTreeMap::new(), SimTime::ZERO);
        backend.expand_volume("vol-1", 2 << 30, true);
        assert_eq!(backend.usage("vol-1").unwrap().capacity_bytes, 1 << 30);
        backend.expand_filesystem("vol-1");
        assert_eq!(backend.usage("vol-1").unwrap().capacity_bytes, 2 << 30);
    }

    #[test]
    fn operations_should_complete_after_their_latency() {
        let mut backend = Backend::default();
        let done = backend.begin("create/x", SimTime(0), SimDuration::from_secs(2));
        assert_eq!(done, SimTime(2000));
        assert_eq!(backend.poll("create/x", SimTime(500)), OperationState::InFlight(SimDuration::from_millis(1500)));
        assert_eq!(backend.poll("create/x", SimTime(2000)), OperationState::Done);
        backend.finish("create/x");
        assert_eq!(backend.poll("create/x", SimTime(2000)), OperationState::NotStarted);
        assert_eq!(backend.record_failure("create/x"), SimDuration::from_secs(1));
        assert_eq!(backend.record_failure("create/x"), SimDuration::from_secs(2));
    }
}
