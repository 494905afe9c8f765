//! Cluster profiles as data: the nodes, classes, drivers and system objects a new cluster starts with.

use crate::api::well_known::*;
use crate::api::{Object, Typed};
use k8s_openapi::api::core::v1::{
    Namespace, Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Service, ServicePort,
    ServiceSpec,
};
use k8s_openapi::api::storage::v1::{CSIDriver, CSIDriverSpec, CSINode, CSINodeDriver, CSINodeSpec, StorageClass};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A kind of cluster to start from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Profile {
    /// The storage guide's cluster: three nodes over three AWS zones, EBS and EFS CSI drivers with the
    /// snapshot controller, and no default StorageClass.
    #[default]
    Guide,
    /// Two nodes in two zones, no StorageClass, the hostpath CSI driver.
    Bare,
    /// One `minikube` node; default class `standard` (k8s.io/minikube-hostpath, Immediate).
    Minikube,
    /// One `kind-control-plane` node; default class `standard` (rancher.io/local-path, WaitForFirstConsumer).
    Kind,
    /// Three nodes over three zones of us-west-2; default class `gp2`, the EBS CSI driver.
    Eks,
    /// Three nodes over three zones of us-central1; default class `standard-rwo`, the PD CSI driver.
    Gke,
    /// Three nodes over three zones of eastus; default class `default`, the Azure Disk and File CSI drivers.
    Aks,
}

impl Profile {
    /// Every profile, in menu order.
    pub const ALL: &'static [Profile] =
        &[Profile::Guide, Profile::Bare, Profile::Minikube, Profile::Kind, Profile::Eks, Profile::Gke, Profile::Aks];

    /// The profile's name as users type it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Guide => "guide",
            Profile::Bare => "bare",
            Profile::Minikube => "minikube",
            Profile::Kind => "kind",
            Profile::Eks => "eks",
            Profile::Gke => "gke",
            Profile::Aks => "aks",
        }
    }

    /// One line on what the profile is.
    pub fn description(self) -> &'static str {
        match self {
            Profile::Guide => "the storage guide's cluster: 3 nodes in 3 AWS zones, EBS and EFS CSI, no default class",
            Profile::Bare => "2 nodes in 2 zones, the hostpath CSI driver, no StorageClass",
            Profile::Minikube => "1 node, default class standard (k8s.io/minikube-hostpath)",
            Profile::Kind => "1 node, default class standard (rancher.io/local-path, WaitForFirstConsumer)",
            Profile::Eks => "3 nodes in us-west-2, default class gp2 (ebs.csi.aws.com)",
            Profile::Gke => "3 nodes in us-central1, default class standard-rwo (pd.csi.storage.gke.io)",
            Profile::Aks => "3 nodes in eastus, default class default (disk.csi.azure.com)",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Profile, String> {
        Profile::ALL.iter().copied().find(|p| p.name() == s).ok_or_else(|| {
            let names: Vec<_> = Profile::ALL.iter().map(|p| p.name()).collect();
            format!("unknown profile {s:?}: expected one of {}", names.join(", "))
        })
    }
}

/// A node of a profile.
struct NodeSpecData {
    name: &'static str,
    zone: &'static str,
    region: &'static str,
    ip: &'static str,
    control_plane: bool,
}

/// A CSI driver installed by a profile, with what its node plugin's `NodeGetInfo` answers (the kubelet copies
/// that into the node's CSINode entry and labels the node with the topology segments).
struct DriverData {
    name: &'static str,
    attach_required: bool,
    /// How `NodeGetInfo` names the node.
    node_id: NodeIdStyle,
    /// The keys of `NodeGetInfo`'s accessible topology, sorted as the kubelet stores them
    /// (`nodeinfomanager` keeps `sets.List(topologyKeys)`). Values: [`topology_value`].
    topology_keys: &'static [&'static str],
    /// `NodeGetInfo`'s `max_volumes_per_node` (CSINode `allocatable.count`); 0 leaves it unset.
    max_volumes: i32,
}

/// How a driver's `NodeGetInfo` names a node.
#[derive(Clone, Copy)]
enum NodeIdStyle {
    /// The Kubernetes node name (Azure Disk and Files use the VM name, the hostpath driver
    /// `--nodeid=$(KUBE_NODE_NAME)`).
    NodeName,
    /// The EC2 instance ID from the instance metadata (`i-0` and 16 hex digits), as the EBS and EFS drivers return.
    Ec2Instance,
    /// GCE PD's `projects/<project>/zones/<zone>/instances/<name>` (`common.CreateNodeID`).
    GceInstance,
}

/// The EC2 instance ID of a node: derived from its name so that profiles stay data (17 hex digits, the
/// current long format, which starts with `0` for instances launched since 2016).
pub fn ec2_instance_id(node: &str) -> String {
    let hex = crate::csi::sha256::hex(node.as_bytes());
    format!("i-0{}", &hex[..16])
}

fn node_id(style: NodeIdStyle, spec: &NodeSpecData) -> String {
    match style {
        NodeIdStyle::NodeName => spec.name.to_string(),
        NodeIdStyle::Ec2Instance => ec2_instance_id(spec.name),
        NodeIdStyle::GceInstance => format!("projects/stowage-project/zones/{}/instances/{}", spec.zone, spec.name),
    }
}

/// The value a node reports for one of its drivers' topology keys.
fn topology_value(key: &str, spec: &NodeSpecData) -> String {
    match key {
        LABEL_OS => "linux".to_string(),
        HOSTPATH_TOPOLOGY_KEY => spec.name.to_string(),
        _ => spec.zone.to_string(),
    }
}

/// The hostpath driver's topology key (`TopologyKeyNode`), one segment per node.
const HOSTPATH_TOPOLOGY_KEY: &str = "topology.hostpath.csi/node";

/// The plugins whose in-tree code the kubelet reports as migrated to CSI
/// (`storage.alpha.kubernetes.io/migrated-plugins` on every CSINode: every CSIMigration* gate is on in 1.34,
/// Portworx's since 1.31), sorted as `setMigrationAnnotation` joins them.
const MIGRATED_PLUGINS: &str = "kubernetes.io/aws-ebs,kubernetes.io/azure-disk,kubernetes.io/azure-file,\
kubernetes.io/cinder,kubernetes.io/gce-pd,kubernetes.io/portworx-volume,kubernetes.io/vsphere-volume";

/// A StorageClass shipped by a profile.
struct ClassData {
    name: &'static str,
    provisioner: &'static str,
    default: bool,
    binding_mode: &'static str,
    reclaim_policy: &'static str,
    allow_expansion: Option<bool>,
    parameters: &'static [(&'static str, &'static str)],
}

struct ProfileData {
    nodes: &'static [NodeSpecData],
    drivers: &'static [DriverData],
    classes: &'static [ClassData],
    /// How long before the simulation starts the cluster was created (ages of system objects).
    age_days: i64,
}

const fn node(name: &'static str, zone: &'static str, region: &'static str, ip: &'static str) -> NodeSpecData {
    NodeSpecData { name, zone, region, ip, control_plane: false }
}

fn data(profile: Profile) -> ProfileData {
    // aws-ebs-csi-driver node.go NodeGetInfo: the instance ID, segments ZoneTopologyKey, WellKnownZoneTopologyKey
    // and OSTopologyKey, and the attachment slots a Nitro instance has left (28 shared with ENIs and the root
    // volume: an m5.large with two ENIs reports 25).
    const EBS: DriverData = DriverData {
        name: "ebs.csi.aws.com",
        attach_required: true,
        node_id: NodeIdStyle::Ec2Instance,
        topology_keys: &[LABEL_OS, "topology.ebs.csi.aws.com/zone", LABEL_ZONE],
        max_volumes: 25,
    };
    // aws-efs-csi-driver NodeGetInfo: the instance ID, no topology, no volume limit.
    const EFS: DriverData = DriverData {
        name: "efs.csi.aws.com",
        attach_required: false,
        node_id: NodeIdStyle::Ec2Instance,
        topology_keys: &[],
        max_volumes: 0,
    };
    match profile {
        Profile::Guide => ProfileData {
            nodes: {
                const NODES: &[NodeSpecData] = &[
                    node("node-1", "us-east-1a", "us-east-1", "10.0.1.11"),
                    node("node-2", "us-east-1b", "us-east-1", "10.0.2.12"),
                    node("node-3", "us-east-1c", "us-east-1", "10.0.3.13"),
                ];
                NODES
            },
            drivers: &[EBS, EFS],
            classes: &[],
            age_days: 30,
        },
        Profile::Bare => ProfileData {
            nodes: {
                const NODES: &[NodeSpecData] = &[
                    node("node-a", "zone-a", "region-1", "10.0.0.11"),
                    node("node-b", "zone-b", "region-1", "10.0.0.12"),
                ];
                NODES
            },
            // csi-driver-host-path NodeGetInfo: `--nodeid`, TopologyKeyNode when topology is enabled (its deploy
            // scripts enable it), MaxVolumesPerNode unset.
            drivers: &[DriverData {
                name: "hostpath.csi.k8s.io",
                attach_required: false,
                node_id: NodeIdStyle::NodeName,
                topology_keys: &[HOSTPATH_TOPOLOGY_KEY],
                max_volumes: 0,
            }],
            classes: &[],
            age_days: 1,
        },
        Profile::Minikube => ProfileData {
            nodes: &[NodeSpecData { name: "minikube", zone: "", region: "", ip: "192.168.49.2", control_plane: true }],
            drivers: &[],
            classes: &[ClassData {
                name: "standard",
                provisioner: "k8s.io/minikube-hostpath",
                default: true,
                binding_mode: "Immediate",
                reclaim_policy: "Delete",
                allow_expansion: None,
                parameters: &[],
            }],
            age_days: 1,
        },
        Profile::Kind => ProfileData {
            nodes: &[NodeSpecData {
                name: "kind-control-plane",
                zone: "",
                region: "",
                ip: "172.18.0.2",
                control_plane: true,
            }],
            drivers: &[],
            classes: &[ClassData {
                name: "standard",
                provisioner: "rancher.io/local-path",
                default: true,
                binding_mode: "WaitForFirstConsumer",
                reclaim_policy: "Delete",
                allow_expansion: None,
                parameters: &[],
            }],
            age_days: 1,
        },
        Profile::Eks => ProfileData {
            nodes: {
                const NODES: &[NodeSpecData] = &[
                    node("ip-192-168-12-34.us-west-2.compute.internal", "us-west-2a", "us-west-2", "192.168.12.34"),
                    node("ip-192-168-45-67.us-west-2.compute.internal", "us-west-2b", "us-west-2", "192.168.45.67"),
                    node("ip-192-168-78-90.us-west-2.compute.internal", "us-west-2c", "us-west-2", "192.168.78.90"),
                ];
                NODES
            },
            drivers: &[EBS],
            classes: &[ClassData {
                name: "gp2",
                provisioner: "kubernetes.io/aws-ebs",
                default: true,
                binding_mode: "WaitForFirstConsumer",
                reclaim_policy: "Delete",
                allow_expansion: None,
                parameters: &[("fsType", "ext4"), ("type", "gp2")],
            }],
            age_days: 12,
        },
        Profile::Gke => ProfileData {
            nodes: {
                const NODES: &[NodeSpecData] = &[
                    node("gke-cluster-1-default-pool-1a2b3c4d-abcd", "us-central1-a", "us-central1", "10.128.0.2"),
                    node("gke-cluster-1-default-pool-5e6f7a8b-efgh", "us-central1-b", "us-central1", "10.128.0.3"),
                    node("gke-cluster-1-default-pool-9c0d1e2f-ijkl", "us-central1-c", "us-central1", "10.128.0.4"),
                ];
                NODES
            },
            // gcp-compute-persistent-disk-csi-driver NodeGetInfo: CreateNodeID(project, zone, name), the zone under
            // TopologyKeyZone, and GetVolumeLimits: 15 for shared-core machines (GKE's default e2-medium), else 127.
            drivers: &[DriverData {
                name: "pd.csi.storage.gke.io",
                attach_required: true,
                node_id: NodeIdStyle::GceInstance,
                topology_keys: &["topology.gke.io/zone"],
                max_volumes: 15,
            }],
            classes: &[
                ClassData {
                    name: "premium-rwo",
                    provisioner: "pd.csi.storage.gke.io",
                    default: false,
                    binding_mode: "WaitForFirstConsumer",
                    reclaim_policy: "Delete",
                    allow_expansion: Some(true),
                    parameters: &[("type", "pd-ssd")],
                },
                ClassData {
                    name: "standard",
                    provisioner: "kubernetes.io/gce-pd",
                    default: false,
                    binding_mode: "Immediate",
                    reclaim_policy: "Delete",
                    allow_expansion: Some(true),
                    parameters: &[("type", "pd-standard")],
                },
                ClassData {
                    name: "standard-rwo",
                    provisioner: "pd.csi.storage.gke.io",
                    default: true,
                    binding_mode: "WaitForFirstConsumer",
                    reclaim_policy: "Delete",
                    allow_expansion: Some(true),
                    parameters: &[("type", "pd-balanced")],
                },
            ],
            age_days: 12,
        },
        Profile::Aks => ProfileData {
            nodes: {
                const NODES: &[NodeSpecData] = &[
                    node("aks-nodepool1-12345678-vmss000000", "eastus-1", "eastus", "10.224.0.4"),
                    node("aks-nodepool1-12345678-vmss000001", "eastus-2", "eastus", "10.224.0.5"),
                    node("aks-nodepool1-12345678-vmss000002", "eastus-3", "eastus", "10.224.0.6"),
                ];
                NODES
            },
            drivers: &[
                // azuredisk-csi-driver NodeGetInfo: the VM name, the zone under its own key and the well-known one,
                // and the VM size's data disk count (Standard_DS2_v2: 8).
                DriverData {
                    name: "disk.csi.azure.com",
                    attach_required: true,
                    node_id: NodeIdStyle::NodeName,
                    topology_keys: &["topology.disk.csi.azure.com/zone", LABEL_ZONE],
                    max_volumes: 8,
                },
                // azurefile-csi-driver NodeGetInfo: the node name only.
                DriverData {
                    name: "file.csi.azure.com",
                    attach_required: false,
                    node_id: NodeIdStyle::NodeName,
                    topology_keys: &[],
                    max_volumes: 0,
                },
            ],
            classes: &[
                ClassData {
                    name: "azurefile-csi",
                    provisioner: "file.csi.azure.com",
                    default: false,
                    binding_mode: "Immediate",
                    reclaim_policy: "Delete",
                    allow_expansion: Some(true),
                    parameters: &[("skuName", "Standard_LRS")],
                },
                ClassData {
                    name: "default",
                    provisioner: "disk.csi.azure.com",
                    default: true,
                    binding_mode: "WaitForFirstConsumer",
                    reclaim_policy: "Delete",
                    allow_expansion: Some(true),
                    parameters: &[("skuname", "StandardSSD_LRS")],
                },
                ClassData {
                    name: "managed-csi-premium",
                    provisioner: "disk.csi.azure.com",
                    default: false,
                    binding_mode: "WaitForFirstConsumer",
                    reclaim_policy: "Delete",
                    allow_expansion: Some(true),
                    parameters: &[("skuname", "Premium_LRS")],
                },
            ],
            age_days: 12,
        },
    }
}

fn meta(name: &str, namespace: Option<&str>, created: &Time) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        creation_timestamp: Some(created.clone()),
        ..ObjectMeta::default()
    }
}

/// The objects a new cluster of `profile` starts with, in creation order.
pub fn bootstrap_objects(profile: Profile) -> Vec<Object> {
    let data = data(profile);
    let created = {
        let ms = crate::sim::SimTime::ZERO.unix_millis() - data.age_days * 86_400_000;
        Time(k8s_openapi::jiff::Timestamp::from_millisecond(ms).unwrap_or(k8s_openapi::jiff::Timestamp::UNIX_EPOCH))
    };
    let mut objects = Vec::new();
    for name in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let mut namespace = Namespace { metadata: meta(name, None, &created), ..Namespace::default() };
        namespace.status = Some(k8s_openapi::api::core::v1::NamespaceStatus {
            phase: Some("Active".to_string()),
            ..Default::default()
        });
        namespace.spec = Some(k8s_openapi::api::core::v1::NamespaceSpec {
            finalizers: Some(vec![FINALIZER_KUBERNETES.to_string()]),
        });
        objects.push(namespace.into_object());
    }
    for spec in data.nodes {
        objects.push(node_object(spec, &created, data.drivers).into_object());
    }
    for driver in data.drivers {
        let csi_driver = CSIDriver {
            metadata: meta(driver.name, None, &created),
            spec: CSIDriverSpec { attach_required: Some(driver.attach_required), ..CSIDriverSpec::default() },
        };
        objects.push(csi_driver.into_object());
    }
    for spec in data.nodes {
        let drivers = data
            .drivers
            .iter()
            .map(|driver| CSINodeDriver {
                name: driver.name.to_string(),
                node_id: node_id(driver.node_id, spec),
                // An empty list does not survive the API server's protobuf storage: `topologyKeys: null`.
                topology_keys: (!driver.topology_keys.is_empty())
                    .then(|| driver.topology_keys.iter().map(|k| k.to_string()).collect()),
                allocatable: (driver.max_volumes > 0)
                    .then_some(k8s_openapi::api::storage::v1::VolumeNodeResources { count: Some(driver.max_volumes) }),
            })
            .collect();
        let mut metadata = meta(spec.name, None, &created);
        metadata.annotations = Some(BTreeMap::from([(ANN_MIGRATED_PLUGINS.to_string(), MIGRATED_PLUGINS.to_string())]));
        let csi_node = CSINode { metadata, spec: CSINodeSpec { drivers } };
        objects.push(csi_node.into_object());
    }
    // The pods that run the storage drivers and provisioners (CSI controller and node plugins).
    let node_addresses: Vec<(&str, &str)> = data.nodes.iter().map(|n| (n.name, n.ip)).collect();
    let mut storage_drivers: Vec<&str> = data.drivers.iter().map(|d| d.name).collect();
    storage_drivers.extend(data.classes.iter().map(|c| c.provisioner));
    objects.extend(crate::csi::bootstrap_objects(&storage_drivers, &node_addresses, &created));
    for class in data.classes {
        let mut metadata = meta(class.name, None, &created);
        if class.default {
            metadata.annotations = Some(BTreeMap::from([(ANN_DEFAULT_STORAGE_CLASS.to_string(), "true".to_string())]));
        }
        let storage_class = StorageClass {
            metadata,
            provisioner: class.provisioner.to_string(),
            reclaim_policy: Some(class.reclaim_policy.to_string()),
            volume_binding_mode: Some(class.binding_mode.to_string()),
            allow_volume_expansion: class.allow_expansion,
            parameters: if class.parameters.is_empty() {
                None
            } else {
                Some(class.parameters.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
            },
            ..StorageClass::default()
        };
        objects.push(storage_class.into_object());
    }
    let mut kube_dns = Service { metadata: meta("kube-dns", Some("kube-system"), &created), ..Service::default() };
    kube_dns.metadata.labels = Some(BTreeMap::from([
        ("k8s-app".to_string(), "kube-dns".to_string()),
        ("kubernetes.io/cluster-service".to_string(), "true".to_string()),
        ("kubernetes.io/name".to_string(), "CoreDNS".to_string()),
    ]));
    kube_dns.spec = Some(ServiceSpec {
        cluster_ip: Some("10.96.0.10".to_string()),
        cluster_ips: Some(vec!["10.96.0.10".to_string()]),
        selector: Some(BTreeMap::from([("k8s-app".to_string(), "kube-dns".to_string())])),
        ports: Some(vec![
            ServicePort {
                name: Some("dns".to_string()),
                port: 53,
                protocol: Some("UDP".to_string()),
                target_port: Some(IntOrString::Int(53)),
                ..Default::default()
            },
            ServicePort {
                name: Some("dns-tcp".to_string()),
                port: 53,
                protocol: Some("TCP".to_string()),
                target_port: Some(IntOrString::Int(53)),
                ..Default::default()
            },
        ]),
        ..ServiceSpec::default()
    });
    objects.push(kube_dns.into_object());
    let mut kubernetes = Service { metadata: meta("kubernetes", Some("default"), &created), ..Service::default() };
    kubernetes.metadata.labels = Some(BTreeMap::from([
        ("component".to_string(), "apiserver".to_string()),
        ("provider".to_string(), "kubernetes".to_string()),
    ]));
    kubernetes.spec = Some(ServiceSpec {
        cluster_ip: Some("10.96.0.1".to_string()),
        cluster_ips: Some(vec!["10.96.0.1".to_string()]),
        ports: Some(vec![ServicePort {
            name: Some("https".to_string()),
            port: 443,
            protocol: Some("TCP".to_string()),
            target_port: Some(IntOrString::Int(6443)),
            ..Default::default()
        }]),
        ..ServiceSpec::default()
    });
    objects.push(kubernetes.into_object());
    objects
}

fn node_object(spec: &NodeSpecData, created: &Time, drivers: &[DriverData]) -> Node {
    let mut labels = BTreeMap::from([
        (LABEL_ARCH.to_string(), "amd64".to_string()),
        (LABEL_OS.to_string(), "linux".to_string()),
        (LABEL_HOSTNAME.to_string(), spec.name.to_string()),
        ("beta.kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("beta.kubernetes.io/os".to_string(), "linux".to_string()),
    ]);
    if !spec.zone.is_empty() {
        labels.insert(LABEL_ZONE.to_string(), spec.zone.to_string());
        labels.insert(LABEL_REGION.to_string(), spec.region.to_string());
    }
    // The kubelet labels the node with every topology segment its drivers report (nodeinfomanager
    // updateNodeLabels); zone segments only exist on nodes with a zone.
    for driver in drivers {
        for key in driver.topology_keys {
            let value = topology_value(key, spec);
            if !value.is_empty() {
                labels.insert(key.to_string(), value);
            }
        }
    }
    if spec.control_plane {
        labels.insert("node-role.kubernetes.io/control-plane".to_string(), String::new());
    }
    let quantity = |s: &str| Quantity(s.to_string());
    let resources = BTreeMap::from([
        ("cpu".to_string(), quantity("4")),
        ("ephemeral-storage".to_string(), quantity("101430960Ki")),
        ("memory".to_string(), quantity("16393292Ki")),
        ("pods".to_string(), quantity("110")),
    ]);
    Node {
        metadata: ObjectMeta { labels: Some(labels), ..meta(spec.name, None, created) },
        spec: Some(NodeSpec { pod_cidr: None, ..NodeSpec::default() }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress { type_: "InternalIP".to_string(), address: spec.ip.to_string() },
                NodeAddress { type_: "Hostname".to_string(), address: spec.name.to_string() },
            ]),
            allocatable: Some(resources.clone()),
            capacity: Some(resources),
            conditions: Some(vec![NodeCondition {
                type_: "Ready".to_string(),
                status: "True".to_string(),
                reason: Some("KubeletReady".to_string()),
                message: Some("kubelet is posting ready status".to_string()),
                last_heartbeat_time: Some(created.clone()),
                last_transition_time: Some(created.clone()),
            }]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".to_string(),
                boot_id: String::new(),
                container_runtime_version: "containerd://2.1.4".to_string(),
                kernel_version: "6.8.0-1024".to_string(),
                kube_proxy_version: String::new(),
                kubelet_version: crate::KUBERNETES_VERSION.to_string(),
                machine_id: String::new(),
                operating_system: "linux".to_string(),
                os_image: "Ubuntu 24.04.2 LTS".to_string(),
                system_uuid: String::new(),
                ..NodeSystemInfo::default()
            }),
            ..NodeStatus::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(driver, node ID, topology keys, allocatable count)`: one driver of a CSINode.
    type DriverRow = (String, String, Option<Vec<String>>, Option<i32>);

    /// The drivers of a profile's first node's CSINode.
    fn csi_node_drivers(profile: Profile) -> Vec<DriverRow> {
        let objects = bootstrap_objects(profile);
        let csi_node = objects.iter().find_map(CSINode::from_object).expect("a CSINode");
        assert_eq!(
            csi_node.metadata.annotations.as_ref().and_then(|a| a.get(ANN_MIGRATED_PLUGINS)).map(String::as_str),
            Some(MIGRATED_PLUGINS)
        );
        csi_node
            .spec
            .drivers
            .iter()
            .map(|d| {
                let count = d.allocatable.as_ref().and_then(|a| a.count);
                (d.name.clone(), d.node_id.clone(), d.topology_keys.clone(), count)
            })
            .collect()
    }

    #[test]
    fn csi_nodes_should_hold_what_node_get_info_answers() {
        let keys = |keys: &[&str]| Some(keys.iter().map(|k| k.to_string()).collect::<Vec<_>>());
        let instance = ec2_instance_id("node-1");
        assert!(instance.starts_with("i-0") && instance.len() == 19, "{instance}");
        let rows = [
            (
                Profile::Guide,
                vec![
                    (
                        "ebs.csi.aws.com".to_string(),
                        instance.clone(),
                        keys(&["kubernetes.io/os", "topology.ebs.csi.aws.com/zone", "topology.kubernetes.io/zone"]),
                        Some(25),
                    ),
                    ("efs.csi.aws.com".to_string(), instance.clone(), None, None),
                ],
            ),
            (
                Profile::Gke,
                vec![(
                    "pd.csi.storage.gke.io".to_string(),
                    "projects/stowage-project/zones/us-central1-a/instances/gke-cluster-1-default-pool-1a2b3c4d-abcd"
                        .to_string(),
                    keys(&["topology.gke.io/zone"]),
                    Some(15),
                )],
            ),
            (
                Profile::Aks,
                vec![
                    (
                        "disk.csi.azure.com".to_string(),
                        "aks-nodepool1-12345678-vmss000000".to_string(),
                        keys(&["topology.disk.csi.azure.com/zone", "topology.kubernetes.io/zone"]),
                        Some(8),
                    ),
                    ("file.csi.azure.com".to_string(), "aks-nodepool1-12345678-vmss000000".to_string(), None, None),
                ],
            ),
            (
                Profile::Bare,
                vec![(
                    "hostpath.csi.k8s.io".to_string(),
                    "node-a".to_string(),
                    keys(&["topology.hostpath.csi/node"]),
                    None,
                )],
            ),
        ];
        for (profile, expected) in rows {
            assert_eq!(csi_node_drivers(profile), expected, "{profile}");
        }
    }

    #[test]
    fn nodes_should_carry_their_drivers_topology_labels() {
        let objects = bootstrap_objects(Profile::Guide);
        let node = objects.iter().find_map(Node::from_object).expect("a Node");
        let labels = node.metadata.labels.clone().unwrap_or_default();
        assert_eq!(labels.get("topology.ebs.csi.aws.com/zone").map(String::as_str), Some("us-east-1a"));
        assert_eq!(labels.get(LABEL_OS).map(String::as_str), Some("linux"));
        let bare = bootstrap_objects(Profile::Bare);
        let node = bare.iter().find_map(Node::from_object).expect("a Node");
        let labels = node.metadata.labels.clone().unwrap_or_default();
        assert_eq!(labels.get(HOSTPATH_TOPOLOGY_KEY).map(String::as_str), Some("node-a"));
    }
}
