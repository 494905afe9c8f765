//! The simulated world outside the API: storage backends (cloud disks, NFS servers) and their data.
//!
//! # Model
//! Each backend volume has an id (the CSI volume handle), a driver, a zone, a size and a filesystem
//! tree that holds its data. Data outlives pods and claims exactly as the reclaim policy says: the
//! volume goes only when a deleter deletes it. Operations complete after driver latencies, on the
//! simulated clock.

use std::collections::BTreeMap;

/// One volume on a storage backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendVolume {
    /// The volume handle, e.g. `vol-0abc1234def567890`.
    pub handle: String,
    /// The CSI driver (or in-tree plugin) that owns it.
    pub driver: String,
    /// The zone it lives in, if the backend is zonal.
    pub zone: Option<String>,
    /// Size in bytes.
    pub capacity_bytes: u64,
}

/// The storage backends and their volumes.
#[derive(Clone, Debug, Default)]
pub struct Backend {
    /// Volumes by handle.
    pub volumes: BTreeMap<String, BackendVolume>,
}
