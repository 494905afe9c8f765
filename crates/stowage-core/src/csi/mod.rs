//! The CSI driver catalog: what each storage driver (and the two hostPath provisioners) supports,
//! how long its operations take, how it names volumes, and how it rejects bad parameters, in its
//! own words.
//!
//! # Model
//! Each entry is data ([`DriverInfo`]); behaviour that differs between drivers is a function of that
//! data plus [`validate_create_volume`], which reproduces the driver's `CreateVolume` argument checks
//! and error texts. Error texts are given as the external-provisioner reports them
//! (`rpc error: code = InvalidArgument desc = ...`).
//!
//! Simplifications: latencies are typical values with ±25 % seeded jitter; IOPS and throughput are
//! recorded but have no effect; capacity checks of the backends (quotas, pool sizes) do not exist.

mod pods;
pub mod sha256;

pub use pods::bootstrap_objects;

use crate::controllers::pv_controller::helpers::{ROX, RWO, RWOP, RWX};
use crate::sim::{SimDuration, SimRng};
use std::collections::BTreeMap;

/// Who provisions for a driver name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProvisionerKind {
    /// A CSI driver behind the external-provisioner sidecar.
    Csi,
    /// minikube's `storage-provisioner` (hostPath volumes under `/tmp/hostpath-provisioner`).
    MinikubeHostPath,
    /// Rancher's local-path-provisioner (hostPath volumes with node affinity).
    LocalPath,
}

/// Whether and how a driver expands volumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expansion {
    /// No `EXPAND_VOLUME` capability: no resizer runs.
    None,
    /// Only while detached (the claim must not be in use).
    Offline,
    /// While in use.
    Online,
}

/// How a driver names its volumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandleStyle {
    /// EBS: `vol-` and 17 hex digits.
    Ebs,
    /// EFS access point: `<fileSystemId>::fsap-<17 hex>`.
    EfsAccessPoint,
    /// GCE PD: `projects/<project>/zones/<zone>/disks/<pv>`.
    GcePd,
    /// Azure managed disk: an ARM resource id ending in the PV name.
    AzureDisk,
    /// Azure Files: `<resource group>#<account>#<share>###<namespace>`.
    AzureFile,
    /// Ceph CSI: `0001-0009-rook-ceph-<pool id>-<uuid>`.
    Ceph,
    /// csi-driver-nfs: `<server>#<share>#<pv>##`.
    Nfs,
    /// A bare uuid (hostpath CSI).
    Uuid,
    /// A hostPath directory (the non-CSI provisioners).
    Path,
}

/// One driver's facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DriverInfo {
    /// The driver (provisioner) name.
    pub name: &'static str,
    /// Who provisions.
    pub kind: ProvisionerKind,
    /// Whether volumes must be attached to a node (`CSIDriver.spec.attachRequired`).
    pub attach_required: bool,
    /// Access modes accepted for filesystem volumes.
    pub filesystem_access_modes: u8,
    /// Access modes accepted for block volumes.
    pub block_access_modes: u8,
    /// Whether `volumeMode: Block` is supported.
    pub block: bool,
    /// The topology key the driver puts in provisioned volumes' node affinity (zonal drivers).
    pub topology_key: Option<&'static str>,
    /// Expansion support.
    pub expansion: Expansion,
    /// Whether expansion needs a NodeExpandVolume (a filesystem to grow) after the controller's.
    pub node_expansion: bool,
    /// Whether the driver takes snapshots.
    pub snapshots: bool,
    /// Default filesystem type (`--default-fstype` of its provisioner; `""` for file services).
    pub default_fs_type: &'static str,
    /// Sizes are rounded up to a multiple of this many bytes.
    pub round_up_bytes: u64,
    /// The smallest volume the backend creates.
    pub minimum_bytes: u64,
    /// Typical CreateVolume latency.
    pub create_ms: u64,
    /// Typical DeleteVolume latency.
    pub delete_ms: u64,
    /// Typical ControllerPublish (attach) latency.
    pub attach_ms: u64,
    /// Typical ControllerUnpublish (detach) latency.
    pub detach_ms: u64,
    /// Typical ControllerExpandVolume latency.
    pub expand_ms: u64,
    /// How volume handles look.
    pub handle_style: HandleStyle,
    /// The name of the backend lane in flow views and of its API in trace lines.
    pub cloud_api: &'static str,
}

const GIB: u64 = 1 << 30;

const fn csi(name: &'static str) -> DriverInfo {
    DriverInfo {
        name,
        kind: ProvisionerKind::Csi,
        attach_required: false,
        filesystem_access_modes: RWO | ROX | RWX | RWOP,
        block_access_modes: RWO | ROX | RWX | RWOP,
        block: false,
        topology_key: None,
        expansion: Expansion::None,
        node_expansion: false,
        snapshots: false,
        default_fs_type: "",
        round_up_bytes: 1,
        minimum_bytes: 1,
        create_ms: 1000,
        delete_ms: 500,
        attach_ms: 0,
        detach_ms: 0,
        expand_ms: 1000,
        handle_style: HandleStyle::Uuid,
        cloud_api: "storage",
    }
}

/// Every driver the simulator knows, in name order.
pub const DRIVERS: &[DriverInfo] = &[
    DriverInfo {
        filesystem_access_modes: RWO | ROX | RWX | RWOP,
        block_access_modes: RWO | ROX | RWX | RWOP,
        expansion: Expansion::Online,
        snapshots: true,
        create_ms: 6000,
        delete_ms: 3000,
        handle_style: HandleStyle::Ceph,
        cloud_api: "Ceph MDS",
        ..csi("cephfs.csi.ceph.com")
    },
    DriverInfo {
        attach_required: true,
        filesystem_access_modes: RWO | RWOP,
        block_access_modes: RWO | RWOP | RWX,
        block: true,
        topology_key: Some("topology.disk.csi.azure.com/zone"),
        expansion: Expansion::Online,
        node_expansion: true,
        snapshots: true,
        default_fs_type: "ext4",
        round_up_bytes: GIB,
        minimum_bytes: GIB,
        create_ms: 4000,
        delete_ms: 4000,
        attach_ms: 8000,
        detach_ms: 6000,
        expand_ms: 5000,
        handle_style: HandleStyle::AzureDisk,
        cloud_api: "Azure Resource Manager",
        ..csi("disk.csi.azure.com")
    },
    DriverInfo {
        attach_required: true,
        filesystem_access_modes: RWO | RWOP,
        block_access_modes: RWO | RWOP | RWX,
        block: true,
        topology_key: Some("topology.kubernetes.io/zone"),
        expansion: Expansion::Online,
        node_expansion: true,
        snapshots: true,
        default_fs_type: "ext4",
        round_up_bytes: GIB,
        minimum_bytes: GIB,
        create_ms: 2500,
        delete_ms: 1500,
        attach_ms: 3000,
        detach_ms: 2500,
        expand_ms: 4000,
        handle_style: HandleStyle::Ebs,
        cloud_api: "EC2",
        ..csi("ebs.csi.aws.com")
    },
    DriverInfo {
        filesystem_access_modes: RWO | ROX | RWX | RWOP,
        block_access_modes: 0,
        create_ms: 1500,
        delete_ms: 1000,
        handle_style: HandleStyle::EfsAccessPoint,
        cloud_api: "EFS",
        ..csi("efs.csi.aws.com")
    },
    DriverInfo {
        filesystem_access_modes: RWO | ROX | RWX | RWOP,
        block_access_modes: 0,
        expansion: Expansion::Online,
        snapshots: true,
        round_up_bytes: GIB,
        minimum_bytes: GIB,
        create_ms: 6000,
        delete_ms: 4000,
        handle_style: HandleStyle::AzureFile,
        cloud_api: "Azure Resource Manager",
        ..csi("file.csi.azure.com")
    },
    DriverInfo {
        attach_required: true,
        expansion: Expansion::Online,
        node_expansion: true,
        snapshots: true,
        block: true,
        create_ms: 50,
        delete_ms: 50,
        attach_ms: 100,
        detach_ms: 100,
        expand_ms: 50,
        handle_style: HandleStyle::Uuid,
        cloud_api: "hostpath",
        ..csi("hostpath.csi.k8s.io")
    },
    DriverInfo {
        kind: ProvisionerKind::MinikubeHostPath,
        create_ms: 50,
        delete_ms: 50,
        handle_style: HandleStyle::Path,
        cloud_api: "node filesystem",
        ..csi("k8s.io/minikube-hostpath")
    },
    DriverInfo {
        filesystem_access_modes: RWO | ROX | RWX | RWOP,
        block_access_modes: 0,
        expansion: Expansion::Online,
        snapshots: true,
        create_ms: 500,
        delete_ms: 500,
        handle_style: HandleStyle::Nfs,
        cloud_api: "NFS server",
        ..csi("nfs.csi.k8s.io")
    },
    DriverInfo {
        attach_required: true,
        filesystem_access_modes: RWO | ROX | RWOP,
        block_access_modes: RWO | ROX | RWX | RWOP,
        block: true,
        topology_key: Some("topology.gke.io/zone"),
        expansion: Expansion::Online,
        node_expansion: true,
        snapshots: true,
        default_fs_type: "ext4",
        round_up_bytes: GIB,
        minimum_bytes: GIB,
        create_ms: 3000,
        delete_ms: 2000,
        attach_ms: 5000,
        detach_ms: 4000,
        expand_ms: 4000,
        handle_style: HandleStyle::GcePd,
        cloud_api: "Compute Engine",
        ..csi("pd.csi.storage.gke.io")
    },
    DriverInfo {
        kind: ProvisionerKind::LocalPath,
        filesystem_access_modes: RWO | RWOP,
        block_access_modes: 0,
        topology_key: Some("kubernetes.io/hostname"),
        create_ms: 1000,
        delete_ms: 1000,
        handle_style: HandleStyle::Path,
        cloud_api: "node filesystem",
        ..csi("rancher.io/local-path")
    },
    DriverInfo {
        attach_required: true,
        filesystem_access_modes: RWO | ROX | RWOP,
        block_access_modes: RWO | ROX | RWX | RWOP,
        block: true,
        expansion: Expansion::Online,
        node_expansion: true,
        snapshots: true,
        default_fs_type: "ext4",
        create_ms: 1000,
        delete_ms: 1000,
        attach_ms: 1500,
        detach_ms: 1000,
        expand_ms: 1000,
        handle_style: HandleStyle::Ceph,
        cloud_api: "Ceph RBD",
        ..csi("rbd.csi.ceph.com")
    },
];

/// The catalog entry for a driver or provisioner name (in-tree names are resolved to the CSI
/// drivers they migrate to).
pub fn driver(name: &str) -> Option<&'static DriverInfo> {
    let name = crate::controllers::pv_controller::migrated_driver(name).unwrap_or(name);
    DRIVERS.iter().find(|d| d.name == name)
}

/// Whether the driver needs VolumeAttachments; unknown drivers need them (CSIDriver default).
pub fn attach_required(name: &str) -> bool {
    driver(name).is_none_or(|d| d.attach_required)
}

/// The CSI access mode an external-provisioner requests for a Kubernetes access mode.
pub fn csi_access_mode(bit: u8) -> &'static str {
    match bit {
        RWO => "SINGLE_NODE_WRITER",
        ROX => "MULTI_NODE_READER_ONLY",
        RWX => "MULTI_NODE_MULTI_WRITER",
        RWOP => "SINGLE_NODE_SINGLE_WRITER",
        _ => "UNKNOWN",
    }
}

/// A `CreateVolume` request as the provisioner builds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateVolumeRequest<'a> {
    /// The volume name (`pvc-<claim uid>`).
    pub name: &'a str,
    /// Class parameters, with the `csi.storage.k8s.io/` keys already stripped.
    pub parameters: &'a BTreeMap<String, String>,
    /// Requested access modes.
    pub access_modes: u8,
    /// `Filesystem` or `Block`.
    pub volume_mode: &'a str,
    /// Requested bytes.
    pub capacity_bytes: u64,
}

/// What the driver would create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateVolumePlan {
    /// The size it creates (rounded up to its allocation unit).
    pub capacity_bytes: u64,
    /// Attributes recorded on the backend volume (`type`, `iops`).
    pub attributes: BTreeMap<String, String>,
}

fn invalid_argument(message: impl AsRef<str>) -> String {
    format!("rpc error: code = InvalidArgument desc = {}", message.as_ref())
}

/// The driver's own `CreateVolume` checks, with its error texts.
///
/// # Errors
/// The gRPC error the external-provisioner reports (`rpc error: code = ... desc = ...`).
pub fn validate_create_volume(
    info: &DriverInfo,
    request: &CreateVolumeRequest<'_>,
) -> Result<CreateVolumePlan, String> {
    let supported = if request.volume_mode == "Block" { info.block_access_modes } else { info.filesystem_access_modes };
    let unsupported = request.access_modes & !supported;
    let mut attributes = BTreeMap::new();
    let mut capacity = request.capacity_bytes.max(info.minimum_bytes);
    if info.round_up_bytes > 1 {
        capacity = capacity.div_ceil(info.round_up_bytes) * info.round_up_bytes;
    }
    match info.name {
        "ebs.csi.aws.com" => {
            // aws-ebs-csi-driver pkg/driver/controller.go CreateVolume: validateCreateVolumeRequest
            // (capabilities) first, then the parameter keys, then cloud.CreateDisk.
            if unsupported != 0 {
                return Err(invalid_argument("Volume capabilities not supported"));
            }
            let mut volume_type = "gp3".to_string();
            let mut iops: Option<i64> = None;
            for (key, value) in request.parameters {
                // The parse errors format the function's outer `err`, which is nil at that point.
                let parse_error = |name: &str| invalid_argument(format!("Could not parse invalid {name}: <nil>"));
                match key.to_ascii_lowercase().as_str() {
                    "fstype"
                    | "encrypted"
                    | "kmskeyid"
                    | "allowautoiopspergbincrease"
                    | "blockexpress"
                    | "blocksize"
                    | "inodesize"
                    | "bytesperinode"
                    | "numberofinodes"
                    | "ext4bigalloc"
                    | "ext4clustersize"
                    | "outpostarn"
                    | "volumeinitializationrate"
                    | "allowautoiopsincreaseonmodify" => {}
                    "type" => volume_type = value.clone(),
                    "iops" => match value.parse::<i32>() {
                        Ok(parsed) => iops = Some(i64::from(parsed)),
                        Err(_) => return Err(parse_error("iops")),
                    },
                    "iopspergb" => {
                        if value.parse::<i32>().is_err() {
                            return Err(parse_error("iopsPerGB"));
                        }
                    }
                    "throughput" => {
                        if value.parse::<i32>().is_err() {
                            return Err(parse_error("throughput"));
                        }
                    }
                    // `strings.HasPrefix(key, TagKeyPrefix)` on the key as written.
                    _ if key.starts_with("tagSpecification") => {}
                    _ => {
                        return Err(invalid_argument(format!("Invalid parameter key {key} for CreateVolume")));
                    }
                }
            }
            let valid_types = ["io1", "io2", "gp2", "gp3", "sc1", "st1", "sbg1", "sbp1", "standard"];
            if !valid_types.contains(&volume_type.as_str()) {
                // cloud.CreateDisk's own switch, before any EC2 call; the driver wraps every CreateDisk
                // error but NotFound/AlreadyExists as Internal.
                return Err(format!(
                    "rpc error: code = Internal desc = Could not create volume {:?}: invalid AWS VolumeType {volume_type:?}",
                    request.name
                ));
            }
            if let Some(requested) = iops {
                // capIOPS: the driver caps IOPS at the type's maximum and at 500 IOPS/GiB for gp3 instead
                // of failing (gp3FallbackMaxIOPS = 16000 when EC2 does not tell).
                let gib = i64::try_from(capacity / GIB).unwrap_or(i64::MAX);
                let (min, max, per_gib) = match volume_type.as_str() {
                    "gp3" => (3000, 16000, 500),
                    "io1" => (100, 64000, 50),
                    "io2" => (100, 64000, 500),
                    _ => (0, 0, 0),
                };
                if max > 0 {
                    let mut effective = requested.min(max);
                    if per_gib * gib >= min && effective > per_gib * gib {
                        effective = per_gib * gib;
                    }
                    if effective < min {
                        // [infer] EC2 rejects IOPS below the type's minimum.
                        return Err(format!(
                            "rpc error: code = Internal desc = Could not create volume {:?}: could not create volume in EC2: operation error EC2: CreateVolume, https response error StatusCode: 400, api error InvalidParameterValue: Volume iops of {effective} is too low; minimum is {min}.",
                            request.name
                        ));
                    }
                    attributes.insert("iops".to_string(), effective.to_string());
                }
            } else if volume_type == "gp3" {
                attributes.insert("iops".to_string(), "3000".to_string());
            }
            attributes.insert("type".to_string(), volume_type);
        }
        "efs.csi.aws.com" => {
            if unsupported != 0 {
                let modes: Vec<&str> = [RWO, ROX, RWX, RWOP]
                    .into_iter()
                    .filter(|b| request.access_modes & b != 0)
                    .map(csi_access_mode)
                    .collect();
                return Err(invalid_argument(format!(
                    "Volume capabilities {} not supported. Only AccessModes[ReadWriteMany] supported.",
                    modes.join(", ")
                )));
            }
            match request.parameters.get("provisioningMode").map(String::as_str) {
                None => return Err(invalid_argument("Missing provisioningMode parameter")),
                Some("efs-ap") => {}
                Some(mode) => {
                    return Err(invalid_argument(format!(
                        "Provisioning mode {mode} is not supported. Only Access point provisioning: 'efs-ap' is supported"
                    )));
                }
            }
            match request.parameters.get("fileSystemId") {
                None => return Err(invalid_argument("Missing fileSystemId parameter")),
                Some(id) if id.trim().is_empty() => {
                    return Err(invalid_argument("Parameter fileSystemId cannot be empty"));
                }
                Some(id) => {
                    attributes.insert("fileSystemId".to_string(), id.clone());
                }
            }
            // EFS is elastic: the "capacity" is whatever was asked.
            capacity = request.capacity_bytes;
        }
        "pd.csi.storage.gke.io" => {
            if unsupported != 0 {
                return Err(invalid_argument(
                    "VolumeCapabilities is invalid: specified multi writer with mount access type",
                ));
            }
            let disk_type = request.parameters.get("type").cloned().unwrap_or_else(|| "pd-standard".to_string());
            attributes.insert("type".to_string(), disk_type);
        }
        "nfs.csi.k8s.io" => {
            for key in ["server", "share"] {
                if !request.parameters.contains_key(key) {
                    // [infer] csi-driver-nfs requires both.
                    return Err(invalid_argument(format!("{key} is a required parameter")));
                }
            }
        }
        "rancher.io/local-path" => {
            if unsupported != 0 {
                return Err(
                    "NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes".to_string()
                );
            }
            capacity = request.capacity_bytes;
        }
        "k8s.io/minikube-hostpath" => {
            capacity = request.capacity_bytes;
        }
        _ => {
            if unsupported != 0 {
                return Err(invalid_argument("Volume capabilities not supported"));
            }
        }
    }
    if request.volume_mode == "Block" && !info.block {
        return Err(invalid_argument("Block volume not supported"));
    }
    Ok(CreateVolumePlan { capacity_bytes: capacity, attributes })
}

fn hex_digits(rng: &mut SimRng, n: usize) -> String {
    (0..n).map(|_| char::from_digit(rng.below(16) as u32, 16).unwrap_or('0')).collect()
}

/// A new volume handle in the driver's style.
pub fn volume_handle(
    info: &DriverInfo,
    rng: &mut SimRng,
    volume_name: &str,
    zone: Option<&str>,
    parameters: &BTreeMap<String, String>,
    namespace: &str,
) -> String {
    match info.handle_style {
        HandleStyle::Ebs => format!("vol-0{}", hex_digits(rng, 16)),
        HandleStyle::EfsAccessPoint => {
            let file_system =
                parameters.get("fileSystemId").cloned().unwrap_or_else(|| format!("fs-0{}", hex_digits(rng, 16)));
            format!("{file_system}::fsap-0{}", hex_digits(rng, 16))
        }
        HandleStyle::GcePd => {
            format!("projects/stowage-project/zones/{}/disks/{volume_name}", zone.unwrap_or("us-central1-a"))
        }
        HandleStyle::AzureDisk => format!(
            "/subscriptions/{}/resourceGroups/mc_stowage-rg_stowage-aks_eastus/providers/Microsoft.Compute/disks/{volume_name}",
            rng.uuid()
        ),
        HandleStyle::AzureFile => {
            format!("mc_stowage-rg_stowage-aks_eastus#f{}#{volume_name}###{namespace}", hex_digits(rng, 22))
        }
        HandleStyle::Ceph => format!("0001-0009-rook-ceph-0000000000000002-{}", rng.uuid()),
        HandleStyle::Nfs => {
            let server = parameters.get("server").map(String::as_str).unwrap_or("");
            let share = parameters.get("share").map(String::as_str).unwrap_or("");
            format!("{server}#{}#{volume_name}##", share.trim_start_matches('/'))
        }
        HandleStyle::Uuid => rng.uuid(),
        HandleStyle::Path => volume_name.to_string(),
    }
}

/// A latency with ±25 % seeded jitter.
pub fn jittered(rng: &mut SimRng, base_ms: u64) -> SimDuration {
    if base_ms == 0 {
        return SimDuration::from_millis(0);
    }
    let spread = base_ms / 2;
    SimDuration::from_millis(base_ms - base_ms / 4 + rng.below(spread + 1))
}

/// The VolumeAttachment name for a volume on a node: `csi-` and the SHA-256 of handle, driver and
/// node name (`getAttachmentName` in the kubelet's CSI plugin).
pub fn volume_attachment_name(volume_handle: &str, driver: &str, node: &str) -> String {
    format!("csi-{}", sha256::hex(format!("{volume_handle}{driver}{node}").as_bytes()))
}

/// The external-attacher's finalizer name for a driver (`external-attacher/ebs-csi-aws-com`).
pub fn attacher_finalizer(driver: &str) -> String {
    let sanitized: String =
        driver.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    format!("external-attacher/{sanitized}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(parameters: &'a BTreeMap<String, String>, modes: u8) -> CreateVolumeRequest<'a> {
        CreateVolumeRequest {
            name: "pvc-1",
            parameters,
            access_modes: modes,
            volume_mode: "Filesystem",
            capacity_bytes: 5 * GIB + 1,
        }
    }

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn ebs_should_reject_what_the_driver_rejects() {
        let ebs = driver("ebs.csi.aws.com").unwrap();
        let p = params(&[("type", "gp3")]);
        assert_eq!(
            validate_create_volume(ebs, &request(&p, RWX)).unwrap_err(),
            "rpc error: code = InvalidArgument desc = Volume capabilities not supported"
        );
        let plan = validate_create_volume(ebs, &request(&p, RWO)).unwrap();
        assert_eq!(plan.capacity_bytes, 6 * GIB, "EBS rounds up to whole GiB");
        let p = params(&[("encrypt", "true")]);
        assert!(
            validate_create_volume(ebs, &request(&p, RWX)).unwrap_err().ends_with("Volume capabilities not supported"),
            "validateCreateVolumeRequest checks the capabilities before the parameter keys"
        );
        let p = params(&[("tagSpecification_1", "team=db")]);
        assert!(validate_create_volume(ebs, &request(&p, RWO)).is_ok());
        let p = params(&[("iops", "lots")]);
        assert_eq!(
            validate_create_volume(ebs, &request(&p, RWO)).unwrap_err(),
            "rpc error: code = InvalidArgument desc = Could not parse invalid iops: <nil>"
        );
        let p = params(&[("type", "gp3"), ("iops", "20000")]);
        let plan = validate_create_volume(ebs, &request(&p, RWO)).unwrap();
        assert_eq!(plan.attributes["iops"], "3000", "capped at 500 IOPS/GiB of a 6 GiB volume");
        let p = params(&[("iops", "lots")]);
        assert!(validate_create_volume(ebs, &request(&p, RWO)).unwrap_err().contains("Could not parse invalid iops"));
        let p = params(&[("zone", "x")]);
        assert!(
            validate_create_volume(ebs, &request(&p, RWO))
                .unwrap_err()
                .ends_with("Invalid parameter key zone for CreateVolume")
        );
        let p = params(&[("type", "gp9")]);
        assert!(
            validate_create_volume(ebs, &request(&p, RWO)).unwrap_err().ends_with(": invalid AWS VolumeType \"gp9\"")
        );
    }

    #[test]
    fn efs_should_require_access_point_mode_and_a_file_system() {
        let efs = driver("efs.csi.aws.com").unwrap();
        let none = params(&[]);
        assert!(
            validate_create_volume(efs, &request(&none, RWX))
                .unwrap_err()
                .ends_with("Missing provisioningMode parameter")
        );
        let mode = params(&[("provisioningMode", "efs-ap")]);
        assert!(
            validate_create_volume(efs, &request(&mode, RWX)).unwrap_err().ends_with("Missing fileSystemId parameter")
        );
        let ok = params(&[("provisioningMode", "efs-ap"), ("fileSystemId", "fs-12345678")]);
        assert!(validate_create_volume(efs, &request(&ok, RWX)).is_ok());
    }

    #[test]
    fn in_tree_names_should_resolve_to_their_csi_drivers() {
        assert_eq!(driver("kubernetes.io/aws-ebs").map(|d| d.name), Some("ebs.csi.aws.com"));
        assert_eq!(driver("kubernetes.io/gce-pd").map(|d| d.name), Some("pd.csi.storage.gke.io"));
        assert!(driver("kubernetes.io/no-provisioner").is_none());
    }

    #[test]
    fn attachment_names_should_hash_handle_driver_and_node() {
        let name = volume_attachment_name("vol-0abc", "ebs.csi.aws.com", "node-1");
        assert_eq!(name, format!("csi-{}", sha256::hex(b"vol-0abcebs.csi.aws.comnode-1")));
        assert_eq!(name.len(), 68);
        assert_eq!(attacher_finalizer("ebs.csi.aws.com"), "external-attacher/ebs-csi-aws-com");
    }
}
