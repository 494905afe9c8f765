//! The pods that run storage drivers in a profile: CSI controller plugins with their sidecars,
//! per-node plugins, and the hostPath provisioners, as `kubectl get pods -n kube-system` shows them.

use crate::api::{Object, Typed};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStatus, Namespace, NamespaceSpec, NamespaceStatus, Pod,
    PodCondition, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use std::collections::BTreeMap;

/// A pod template of a driver component.
struct Component {
    /// The workload name (Deployment, DaemonSet or StatefulSet).
    workload: &'static str,
    /// Pod name suffixes: per replica for controllers, unused for per-node pods.
    replicas: &'static [&'static str],
    /// Whether one pod runs per node (a DaemonSet).
    per_node: bool,
    namespace: &'static str,
    labels: &'static [(&'static str, &'static str)],
    containers: &'static [(&'static str, &'static str)],
}

fn components(driver: &str) -> &'static [Component] {
    const EBS: &[Component] = &[
        Component {
            workload: "ebs-csi-controller",
            replicas: &["6d9f8c7b5-x2k4m", "6d9f8c7b5-p8qzn"],
            per_node: false,
            namespace: "kube-system",
            labels: &[
                ("app", "ebs-csi-controller"),
                ("app.kubernetes.io/name", "aws-ebs-csi-driver"),
                ("pod-template-hash", "6d9f8c7b5"),
            ],
            containers: &[
                ("ebs-plugin", "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.48.0"),
                ("csi-provisioner", "public.ecr.aws/csi-components/csi-provisioner:v5.3.0"),
                ("csi-attacher", "public.ecr.aws/csi-components/csi-attacher:v4.9.0"),
                ("csi-snapshotter", "public.ecr.aws/csi-components/csi-snapshotter:v8.3.0"),
                ("csi-resizer", "public.ecr.aws/csi-components/csi-resizer:v1.14.0"),
                ("liveness-probe", "public.ecr.aws/csi-components/livenessprobe:v2.16.0"),
            ],
        },
        Component {
            workload: "ebs-csi-node",
            replicas: &[],
            per_node: true,
            namespace: "kube-system",
            labels: &[("app", "ebs-csi-node"), ("app.kubernetes.io/name", "aws-ebs-csi-driver")],
            containers: &[
                ("ebs-plugin", "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.48.0"),
                ("node-driver-registrar", "public.ecr.aws/csi-components/csi-node-driver-registrar:v2.14.0"),
                ("liveness-probe", "public.ecr.aws/csi-components/livenessprobe:v2.16.0"),
            ],
        },
    ];
    const EFS: &[Component] = &[
        Component {
            workload: "efs-csi-controller",
            replicas: &["7c4b9d6f8-4hq2w", "7c4b9d6f8-n7vzt"],
            per_node: false,
            namespace: "kube-system",
            labels: &[
                ("app", "efs-csi-controller"),
                ("app.kubernetes.io/name", "aws-efs-csi-driver"),
                ("pod-template-hash", "7c4b9d6f8"),
            ],
            containers: &[
                ("efs-plugin", "public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v2.1.10"),
                ("csi-provisioner", "public.ecr.aws/eks-distro/kubernetes-csi/external-provisioner:v5.3.0-eks-1-34-1"),
                ("liveness-probe", "public.ecr.aws/eks-distro/kubernetes-csi/livenessprobe:v2.16.0-eks-1-34-1"),
            ],
        },
        Component {
            workload: "efs-csi-node",
            replicas: &[],
            per_node: true,
            namespace: "kube-system",
            labels: &[("app", "efs-csi-node"), ("app.kubernetes.io/name", "aws-efs-csi-driver")],
            containers: &[
                ("efs-plugin", "public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v2.1.10"),
                (
                    "csi-driver-registrar",
                    "public.ecr.aws/eks-distro/kubernetes-csi/node-driver-registrar:v2.14.0-eks-1-34-1",
                ),
                ("liveness-probe", "public.ecr.aws/eks-distro/kubernetes-csi/livenessprobe:v2.16.0-eks-1-34-1"),
            ],
        },
    ];
    // GKE and AKS run their controller plugins on the managed control plane: only node pods show.
    const PD: &[Component] = &[Component {
        workload: "pdcsi-node",
        replicas: &[],
        per_node: true,
        namespace: "kube-system",
        labels: &[("k8s-app", "gcp-compute-persistent-disk-csi-driver")],
        containers: &[
            ("csi-driver-registrar", "gke.gcr.io/csi-node-driver-registrar:v2.14.0-gke.3"),
            ("gce-pd-driver", "gke.gcr.io/gcp-compute-persistent-disk-csi-driver:v1.20.4-gke.0"),
        ],
    }];
    const AZURE_DISK: &[Component] = &[Component {
        workload: "csi-azuredisk-node",
        replicas: &[],
        per_node: true,
        namespace: "kube-system",
        labels: &[("app", "csi-azuredisk-node")],
        containers: &[
            ("liveness-probe", "mcr.microsoft.com/oss/v2/kubernetes-csi/livenessprobe:v2.16.0"),
            ("node-driver-registrar", "mcr.microsoft.com/oss/v2/kubernetes-csi/csi-node-driver-registrar:v2.14.0"),
            ("azuredisk", "mcr.microsoft.com/oss/v2/kubernetes-csi/azuredisk-csi:v1.33.3"),
        ],
    }];
    const AZURE_FILE: &[Component] = &[Component {
        workload: "csi-azurefile-node",
        replicas: &[],
        per_node: true,
        namespace: "kube-system",
        labels: &[("app", "csi-azurefile-node")],
        containers: &[
            ("liveness-probe", "mcr.microsoft.com/oss/v2/kubernetes-csi/livenessprobe:v2.16.0"),
            ("node-driver-registrar", "mcr.microsoft.com/oss/v2/kubernetes-csi/csi-node-driver-registrar:v2.14.0"),
            ("azurefile", "mcr.microsoft.com/oss/v2/kubernetes-csi/azurefile-csi:v1.33.3"),
        ],
    }];
    const HOSTPATH: &[Component] = &[Component {
        workload: "csi-hostpathplugin",
        replicas: &["0"],
        per_node: false,
        namespace: "kube-system",
        labels: &[("app.kubernetes.io/name", "csi-hostpathplugin"), ("app.kubernetes.io/component", "plugin")],
        containers: &[
            ("hostpath", "registry.k8s.io/sig-storage/hostpathplugin:v1.17.0"),
            (
                "csi-external-health-monitor-controller",
                "registry.k8s.io/sig-storage/csi-external-health-monitor-controller:v0.15.0",
            ),
            ("node-driver-registrar", "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.14.0"),
            ("liveness-probe", "registry.k8s.io/sig-storage/livenessprobe:v2.16.0"),
            ("csi-attacher", "registry.k8s.io/sig-storage/csi-attacher:v4.9.0"),
            ("csi-provisioner", "registry.k8s.io/sig-storage/csi-provisioner:v5.3.0"),
            ("csi-resizer", "registry.k8s.io/sig-storage/csi-resizer:v1.14.0"),
            ("csi-snapshotter", "registry.k8s.io/sig-storage/csi-snapshotter:v8.3.0"),
        ],
    }];
    const MINIKUBE: &[Component] = &[Component {
        workload: "storage-provisioner",
        replicas: &[""],
        per_node: false,
        namespace: "kube-system",
        labels: &[("addonmanager.kubernetes.io/mode", "Reconcile"), ("integration-test", "storage-provisioner")],
        containers: &[("storage-provisioner", "gcr.io/k8s-minikube/storage-provisioner:v5")],
    }];
    const LOCAL_PATH: &[Component] = &[Component {
        workload: "local-path-provisioner",
        replicas: &["7dc846544d-9wtkz"],
        per_node: false,
        namespace: "local-path-storage",
        labels: &[("app", "local-path-provisioner"), ("pod-template-hash", "7dc846544d")],
        containers: &[("local-path-provisioner", "docker.io/kindest/local-path-provisioner:v20250214-acbabc1a")],
    }];
    match driver {
        "ebs.csi.aws.com" | "kubernetes.io/aws-ebs" => EBS,
        "efs.csi.aws.com" => EFS,
        "pd.csi.storage.gke.io" | "kubernetes.io/gce-pd" => PD,
        "disk.csi.azure.com" => AZURE_DISK,
        "file.csi.azure.com" => AZURE_FILE,
        "hostpath.csi.k8s.io" => HOSTPATH,
        "k8s.io/minikube-hostpath" => MINIKUBE,
        "rancher.io/local-path" => LOCAL_PATH,
        _ => &[],
    }
}

/// Per-node pod name suffixes (DaemonSet pods get 5 random characters; these are fixed).
const NODE_SUFFIXES: &[&str] = &["8xkqz", "m2w7d", "t5rvc", "j9hlp", "q4zbn", "w6fxs"];

fn pod(name: String, component: &Component, node: &str, ip: &str, created: &Time) -> Pod {
    let mut labels: BTreeMap<String, String> =
        component.labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if component.per_node {
        labels.insert("controller-revision-hash".to_string(), "5f8b7d9c4b".to_string());
        labels.insert("pod-template-generation".to_string(), "1".to_string());
    }
    let containers: Vec<Container> = component
        .containers
        .iter()
        .map(|(name, image)| Container {
            name: name.to_string(),
            image: Some(image.to_string()),
            ..Container::default()
        })
        .collect();
    let statuses: Vec<ContainerStatus> = component
        .containers
        .iter()
        .map(|(name, image)| ContainerStatus {
            name: name.to_string(),
            image: image.to_string(),
            image_id: String::new(),
            ready: true,
            started: Some(true),
            restart_count: 0,
            state: Some(ContainerState {
                running: Some(ContainerStateRunning { started_at: Some(created.clone()) }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        })
        .collect();
    let conditions = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        .iter()
        .map(|t| PodCondition {
            type_: t.to_string(),
            status: "True".to_string(),
            last_transition_time: Some(created.clone()),
            ..PodCondition::default()
        })
        .collect();
    Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(component.namespace.to_string()),
            labels: Some(labels),
            creation_timestamp: Some(created.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers,
            node_name: Some(node.to_string()),
            service_account_name: Some(component.workload.split('-').take(3).collect::<Vec<_>>().join("-")),
            priority_class_name: Some(
                if component.per_node { "system-node-critical" } else { "system-cluster-critical" }.to_string(),
            ),
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            phase: Some("Running".to_string()),
            conditions: Some(conditions),
            container_statuses: Some(statuses),
            host_ip: Some(ip.to_string()),
            pod_ip: Some(if component.per_node {
                ip.to_string()
            } else {
                format!("10.244.{}.{}", ip.len() % 7, 10 + ip.len())
            }),
            qos_class: Some("BestEffort".to_string()),
            start_time: Some(created.clone()),
            ..PodStatus::default()
        }),
    }
}

/// The driver pods (and the namespaces they need) of a profile with these drivers and provisioners
/// on these nodes (`(name, internal IP)`), created at `created`.
pub fn bootstrap_objects(drivers: &[&str], nodes: &[(&str, &str)], created: &Time) -> Vec<Object> {
    let mut objects = Vec::new();
    if nodes.is_empty() {
        return objects;
    }
    let mut seen = Vec::new();
    for driver in drivers {
        for component in components(driver) {
            if seen.contains(&component.workload) {
                continue;
            }
            seen.push(component.workload);
            if component.namespace == "local-path-storage" {
                let namespace = Namespace {
                    metadata: ObjectMeta {
                        name: Some("local-path-storage".to_string()),
                        creation_timestamp: Some(created.clone()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(NamespaceSpec { finalizers: Some(vec!["kubernetes".to_string()]) }),
                    status: Some(NamespaceStatus { phase: Some("Active".to_string()), ..NamespaceStatus::default() }),
                };
                objects.push(namespace.into_object());
            }
            if component.per_node {
                for (index, (node, ip)) in nodes.iter().enumerate() {
                    let suffix = NODE_SUFFIXES[index % NODE_SUFFIXES.len()];
                    objects.push(
                        pod(format!("{}-{suffix}", component.workload), component, node, ip, created).into_object(),
                    );
                }
            } else {
                for (index, replica) in component.replicas.iter().enumerate() {
                    let (node, ip) = nodes[index % nodes.len()];
                    let name = if replica.is_empty() {
                        component.workload.to_string()
                    } else {
                        format!("{}-{replica}", component.workload)
                    };
                    objects.push(pod(name, component, node, ip, created).into_object());
                }
            }
        }
    }
    objects
}
