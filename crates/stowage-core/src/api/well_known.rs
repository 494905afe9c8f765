//! Well-known annotation, label and finalizer keys, each with what it means (PV controller style).

/// On a claim: the lifecycle has passed initial binding setup; the value does not matter (`"yes"`).
/// Its presence switches the PV controller from `syncUnboundClaim` to `syncBoundClaim`.
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
/// On a volume or claim: the binding was made by the controller, not pre-bound by the user (`"yes"`).
pub const ANN_BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
/// On a claim: the node the scheduler chose for a WaitForFirstConsumer claim to be provisioned for.
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
/// On a volume: the plugin or CSI driver that dynamically provisioned it.
pub const ANN_DYNAMICALLY_PROVISIONED: &str = "pv.kubernetes.io/provisioned-by";
/// On a claim: the provisioner expected to provision it (set by the PV controller).
pub const ANN_STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
/// On a claim: the beta spelling of [`ANN_STORAGE_PROVISIONER`]; both are set.
pub const ANN_BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
/// On a claim: the beta storage-class annotation; wins over `spec.storageClassName` when present.
pub const ANN_BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";
/// On a claim: the resizer that handles its expansion.
pub const ANN_STORAGE_RESIZER: &str = "volume.kubernetes.io/storage-resizer";
/// On a StorageClass: `"true"` (exactly) marks the cluster default.
pub const ANN_DEFAULT_STORAGE_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
/// On a StorageClass: the beta spelling of [`ANN_DEFAULT_STORAGE_CLASS`].
pub const ANN_BETA_DEFAULT_STORAGE_CLASS: &str = "storageclass.beta.kubernetes.io/is-default-class";
/// On a VolumeSnapshotClass: `"true"` marks the default class for its driver.
pub const ANN_DEFAULT_SNAPSHOT_CLASS: &str = "snapshot.storage.kubernetes.io/is-default-class";
/// On a volume: the external provisioner that owns deletion.
pub const ANN_PROVISIONER_DELETION_SECRET: &str = "volume.kubernetes.io/provisioner-deletion-secret-name";
/// On objects created by `kubectl apply`: the last applied configuration.
pub const ANN_LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// On CSINodes: the in-tree plugins the kubelet treats as migrated to CSI drivers.
pub const ANN_MIGRATED_PLUGINS: &str = "storage.alpha.kubernetes.io/migrated-plugins";

/// Finalizer on claims while a pod may use them (StorageObjectInUseProtection).
pub const FINALIZER_PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
/// Finalizer on volumes while they are Bound (StorageObjectInUseProtection).
pub const FINALIZER_PV_PROTECTION: &str = "kubernetes.io/pv-protection";
/// Finalizer on dynamically provisioned volumes until the external provisioner deleted the asset.
pub const FINALIZER_EXTERNAL_PROVISIONER: &str = "external-provisioner.volume.kubernetes.io/finalizer";
/// On a claim while external-provisioner clones a volume from it (`dataSource` kind PersistentVolumeClaim).
pub const FINALIZER_CLONING_PROTECTION: &str = "provisioner.storage.kubernetes.io/cloning-protection";
/// Finalizer on in-tree dynamically provisioned volumes with reclaim policy Delete.
pub const FINALIZER_PV_CONTROLLER: &str = "kubernetes.io/pv-controller";
/// Finalizer on a VolumeSnapshot used as a restore source.
pub const FINALIZER_VS_AS_SOURCE: &str = "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection";
/// Finalizer on a VolumeSnapshot bound to a content.
pub const FINALIZER_VS_BOUND: &str = "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";
/// Finalizer on a bound VolumeSnapshotContent.
pub const FINALIZER_VSC_BOUND: &str = "snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection";
/// Finalizer on a claim while a snapshot of it is being taken.
pub const FINALIZER_PVC_AS_SOURCE: &str = "snapshot.storage.kubernetes.io/pvc-as-source-protection";
/// Finalizer used by the garbage collector for foreground deletion.
pub const FINALIZER_FOREGROUND_DELETION: &str = "foregroundDeletion";
/// Finalizer used by the garbage collector for orphan deletion.
pub const FINALIZER_ORPHAN: &str = "orphan";
/// Finalizer the namespace controller uses in `spec.finalizers`.
pub const FINALIZER_KUBERNETES: &str = "kubernetes";

/// Node label: the node's name.
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
/// Node label: the operating system.
pub const LABEL_OS: &str = "kubernetes.io/os";
/// Node label: the CPU architecture.
pub const LABEL_ARCH: &str = "kubernetes.io/arch";
/// Node label: the zone.
pub const LABEL_ZONE: &str = "topology.kubernetes.io/zone";
/// Node label: the region.
pub const LABEL_REGION: &str = "topology.kubernetes.io/region";
/// Namespace label set by the API server to the namespace's own name.
pub const LABEL_METADATA_NAME: &str = "kubernetes.io/metadata.name";
/// Namespace label selecting the Pod Security level enforced.
pub const LABEL_POD_SECURITY_ENFORCE: &str = "pod-security.kubernetes.io/enforce";
/// Pod label set by the StatefulSet controller: the pod's name.
pub const LABEL_STATEFULSET_POD_NAME: &str = "statefulset.kubernetes.io/pod-name";
/// Pod label set by the StatefulSet controller: the pod's ordinal.
pub const LABEL_POD_INDEX: &str = "apps.kubernetes.io/pod-index";
/// Pod label: the controller revision hash.
pub const LABEL_CONTROLLER_REVISION_HASH: &str = "controller-revision-hash";
/// Pod label set by the Deployment controller.
pub const LABEL_POD_TEMPLATE_HASH: &str = "pod-template-hash";
