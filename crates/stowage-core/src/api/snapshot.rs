//! `snapshot.storage.k8s.io/v1` kinds, typed after external-snapshotter v8's CRD schema.
//!
//! k8s-openapi does not ship CRDs, so these structs are ours. Field names, optionality and
//! types follow `client/config/crd/snapshot.storage.k8s.io_*.yaml` of external-snapshotter v8.2.0:
//! a VolumeSnapshot's `status.restoreSize` is a quantity string, a VolumeSnapshotContent's is an
//! integer number of bytes, and its `status.creationTime` is integer nanoseconds.

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const API_VERSION: &str = "snapshot.storage.k8s.io/v1";

fn api_version() -> String {
    API_VERSION.to_string()
}

macro_rules! snapshot_kind {
    ($ty:ident, $kind:literal, $plural:literal, $scope:ty) => {
        impl k8s_openapi::Resource for $ty {
            const API_VERSION: &'static str = API_VERSION;
            const GROUP: &'static str = "snapshot.storage.k8s.io";
            const KIND: &'static str = $kind;
            const VERSION: &'static str = "v1";
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = $scope;
        }

        impl k8s_openapi::Metadata for $ty {
            type Ty = ObjectMeta;
            fn metadata(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn metadata_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }

        impl Default for $ty {
            fn default() -> Self {
                $ty { api_version: api_version(), kind: $kind.to_string(), ..Self::empty() }
            }
        }
    };
}

/// A user's request for a snapshot of a claim, or a binding to a pre-provisioned content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshot {
    /// Always `snapshot.storage.k8s.io/v1`.
    #[serde(default = "api_version")]
    pub api_version: String,
    /// Always `VolumeSnapshot`.
    #[serde(default)]
    pub kind: String,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// What to snapshot and with which class.
    pub spec: VolumeSnapshotSpec,
    /// Observed state, written by the snapshot controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VolumeSnapshotStatus>,
}

impl VolumeSnapshot {
    fn empty() -> Self {
        VolumeSnapshot {
            api_version: String::new(),
            kind: String::new(),
            metadata: ObjectMeta::default(),
            spec: VolumeSnapshotSpec::default(),
            status: None,
        }
    }
}
snapshot_kind!(VolumeSnapshot, "VolumeSnapshot", "volumesnapshots", k8s_openapi::NamespaceResourceScope);

/// `spec` of a VolumeSnapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotSpec {
    /// Exactly one of the claim to snapshot or the pre-provisioned content to bind.
    pub source: VolumeSnapshotSource,
    /// The VolumeSnapshotClass; the default class for the source's driver when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_snapshot_class_name: Option<String>,
}

/// `spec.source` of a VolumeSnapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotSource {
    /// A claim in the snapshot's namespace, for a dynamically created snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim_name: Option<String>,
    /// A pre-provisioned VolumeSnapshotContent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_snapshot_content_name: Option<String>,
}

/// An error recorded on a snapshot or content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotError {
    /// The error message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the error happened (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// `status` of a VolumeSnapshot.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotStatus {
    /// The content this snapshot is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_volume_snapshot_content_name: Option<String>,
    /// When the storage system cut the snapshot (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    /// The last error, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<VolumeSnapshotError>,
    /// Whether a volume can be restored from this snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_to_use: Option<bool>,
    /// The minimum size of a volume restored from this snapshot (a quantity, e.g. `100Gi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_size: Option<String>,
    /// The group snapshot this snapshot belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_group_snapshot_name: Option<String>,
}

/// The cluster-scoped record of a snapshot on the storage system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotContent {
    /// Always `snapshot.storage.k8s.io/v1`.
    #[serde(default = "api_version")]
    pub api_version: String,
    /// Always `VolumeSnapshotContent`.
    #[serde(default)]
    pub kind: String,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The storage-side snapshot and its binding.
    pub spec: VolumeSnapshotContentSpec,
    /// Observed state, written by the CSI snapshotter sidecar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VolumeSnapshotContentStatus>,
}

impl VolumeSnapshotContent {
    fn empty() -> Self {
        VolumeSnapshotContent {
            api_version: String::new(),
            kind: String::new(),
            metadata: ObjectMeta::default(),
            spec: VolumeSnapshotContentSpec::default(),
            status: None,
        }
    }
}
snapshot_kind!(
    VolumeSnapshotContent,
    "VolumeSnapshotContent",
    "volumesnapshotcontents",
    k8s_openapi::ClusterResourceScope
);

/// `spec` of a VolumeSnapshotContent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotContentSpec {
    /// `Delete` or `Retain`: what happens to the storage snapshot when the VolumeSnapshot goes.
    pub deletion_policy: String,
    /// The CSI driver that holds the snapshot.
    pub driver: String,
    /// Exactly one of the source volume handle (dynamic) or the snapshot handle (pre-provisioned).
    pub source: VolumeSnapshotContentSource,
    /// `Filesystem` or `Block`, the mode of the snapshotted volume.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_volume_mode: Option<String>,
    /// The class used to create the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_snapshot_class_name: Option<String>,
    /// The VolumeSnapshot this content is bound to; name and namespace are required.
    pub volume_snapshot_ref: ObjectReference,
}

/// `spec.source` of a VolumeSnapshotContent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotContentSource {
    /// The existing snapshot on the storage system (pre-provisioned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_handle: Option<String>,
    /// The volume to snapshot (dynamic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_handle: Option<String>,
}

/// `status` of a VolumeSnapshotContent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotContentStatus {
    /// When the snapshot was cut, in nanoseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<i64>,
    /// The last error, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<VolumeSnapshotError>,
    /// Whether a volume can be restored from this snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_to_use: Option<bool>,
    /// The restore size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_size: Option<i64>,
    /// The storage system's snapshot id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_handle: Option<String>,
    /// The group snapshot handle, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_group_snapshot_handle: Option<String>,
}

/// A class of snapshots: which driver takes them and what happens to them on deletion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeSnapshotClass {
    /// Always `snapshot.storage.k8s.io/v1`.
    #[serde(default = "api_version")]
    pub api_version: String,
    /// Always `VolumeSnapshotClass`.
    #[serde(default)]
    pub kind: String,
    /// Standard object metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `Delete` or `Retain`.
    pub deletion_policy: String,
    /// The CSI driver that takes snapshots of this class.
    pub driver: String,
    /// Driver-specific parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<BTreeMap<String, String>>,
}

impl VolumeSnapshotClass {
    fn empty() -> Self {
        VolumeSnapshotClass {
            api_version: String::new(),
            kind: String::new(),
            metadata: ObjectMeta::default(),
            deletion_policy: String::new(),
            driver: String::new(),
            parameters: None,
        }
    }
}
snapshot_kind!(VolumeSnapshotClass, "VolumeSnapshotClass", "volumesnapshotclasses", k8s_openapi::ClusterResourceScope);
