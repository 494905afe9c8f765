//! The attach/detach controller against the kubelet's `status.volumesInUse`: no detach while a
//! volume is still mounted, except after maxWaitForUnmountDuration on an unhealthy node or at once
//! on a node tainted `node.kubernetes.io/out-of-service`.

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::storage::v1::VolumeAttachment;
use stowage_core::apiserver::{DeleteOptions, PatchType};
use stowage_core::kubelet::NodeState;
use stowage_core::sim::TraceVerb;
use stowage_core::{Cluster, Kind, Object, ObjectKey, Profile, Seed, SimDuration};

fn object(kind: Kind, yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml::from_str(yaml).expect("yaml");
    Object::from_value_reporting_unknown(kind, value, &mut |_| {}).expect("object")
}

/// A gp3 claim and a pod using it on `node-2`; settled, attached and mounted.
fn cluster_with_mounted_disk() -> Cluster {
    let mut cluster = Cluster::new(Profile::Guide, Seed(3));
    cluster
        .create(object(
            Kind::StorageClass,
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: WaitForFirstConsumer\n",
        ))
        .expect("class");
    cluster
        .create(object(
            Kind::PersistentVolumeClaim,
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: default}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: gp3\n  resources: {requests: {storage: 1Gi}}\n",
        ))
        .expect("claim");
    cluster
        .create(object(
            Kind::Pod,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: default}\nspec:\n  nodeSelector: {kubernetes.io/hostname: node-2}\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, 'sleep 36000']\n    volumeMounts: [{name: data, mountPath: /data}]\n  volumes:\n  - name: data\n    persistentVolumeClaim: {claimName: data}\n",
        ))
        .expect("pod");
    cluster.settle();
    let pod = cluster.api().store().get_typed::<Pod>("default", "db").cloned().expect("pod");
    assert_eq!(pod.status.and_then(|s| s.phase).as_deref(), Some("Running"));
    cluster
}

fn attachments(cluster: &Cluster) -> Vec<String> {
    cluster.api().store().list_typed::<VolumeAttachment>().map(|a| a.spec.node_name.clone()).collect()
}

fn node(cluster: &Cluster, name: &str) -> Node {
    cluster.api().store().get_typed::<Node>("", name).cloned().expect("node")
}

fn in_use(cluster: &Cluster, name: &str) -> Vec<String> {
    node(cluster, name).status.and_then(|s| s.volumes_in_use).unwrap_or_default()
}

fn attached(cluster: &Cluster, name: &str) -> Vec<(String, String)> {
    node(cluster, name)
        .status
        .and_then(|s| s.volumes_attached)
        .unwrap_or_default()
        .into_iter()
        .map(|v| (v.name, v.device_path))
        .collect()
}

fn pod_key() -> ObjectKey {
    ObjectKey::namespaced(Kind::Pod, "default", "db")
}

fn force_delete(cluster: &mut Cluster) {
    cluster
        .delete(&pod_key(), DeleteOptions { grace_period_seconds: Some(0), ..Default::default() })
        .expect("force delete");
}

fn notes(cluster: &Cluster, needle: &str) -> usize {
    cluster.api().trace().events().iter().filter(|e| e.verb == TraceVerb::Note && e.message.contains(needle)).count()
}

#[test]
fn kubelet_should_report_volumes_in_use_and_the_controller_volumes_attached() {
    let cluster = cluster_with_mounted_disk();
    let names = in_use(&cluster, "node-2");
    assert_eq!(names.len(), 1);
    assert!(names[0].starts_with("kubernetes.io/csi/ebs.csi.aws.com^vol-"), "{names:?}");
    assert_eq!(attached(&cluster, "node-2"), vec![(names[0].clone(), String::new())]);
    assert!(in_use(&cluster, "node-1").is_empty());
}

#[test]
fn healthy_node_should_detach_after_the_kubelet_unmounts() {
    let mut cluster = cluster_with_mounted_disk();
    cluster.delete(&pod_key(), DeleteOptions::default()).expect("delete");
    cluster.settle();
    assert!(cluster.api().store().get_typed::<Pod>("default", "db").is_none());
    assert!(in_use(&cluster, "node-2").is_empty());
    assert!(attachments(&cluster).is_empty());
    assert!(attached(&cluster, "node-2").is_empty());
    assert_eq!(notes(&cluster, "force detaching"), 0);
}

#[test]
fn partitioned_node_should_keep_the_disk_until_max_wait_for_unmount() {
    let mut cluster = cluster_with_mounted_disk();
    cluster.set_node_state("node-2", NodeState::Partitioned);
    cluster.advance(SimDuration::from_secs(60));
    force_delete(&mut cluster);
    cluster.advance(SimDuration::from_secs(355));
    assert_eq!(attachments(&cluster), ["node-2"], "still mounted as far as the API knows");
    assert_eq!(in_use(&cluster, "node-2").len(), 1, "the partitioned kubelet cannot clear volumesInUse");
    cluster.advance(SimDuration::from_secs(10));
    assert!(attachments(&cluster).is_empty(), "force-detached after 6 minutes");
    assert_eq!(notes(&cluster, "maxWaitForUnmountDuration expired, force detaching"), 1);
    assert!(attached(&cluster, "node-2").is_empty());
    // Back online: the kubelet unmounts what the API no longer has and clears the list.
    cluster.set_node_state("node-2", NodeState::Ready);
    cluster.advance(SimDuration::from_secs(30));
    assert!(in_use(&cluster, "node-2").is_empty());
}

#[test]
fn out_of_service_taint_should_detach_at_once() {
    let mut cluster = cluster_with_mounted_disk();
    cluster.set_node_state("node-2", NodeState::Partitioned);
    cluster.advance(SimDuration::from_secs(60));
    force_delete(&mut cluster);
    cluster.advance(SimDuration::from_secs(30));
    assert_eq!(attachments(&cluster), ["node-2"]);
    let mut taints = serde_json::to_value(node(&cluster, "node-2").spec.and_then(|s| s.taints)).expect("taints");
    taints.as_array_mut().expect("unreachable taints").push(
        serde_json::json!({"key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute"}),
    );
    let key = ObjectKey::cluster(Kind::Node, "node-2");
    cluster.patch(&key, PatchType::Merge, &serde_json::json!({"spec": {"taints": taints}})).expect("taint");
    cluster.advance(SimDuration::from_secs(5));
    assert!(attachments(&cluster).is_empty());
    assert_eq!(notes(&cluster, "force detaching"), 0);
}

#[test]
fn max_wait_should_count_from_the_detach_request_not_from_not_ready() {
    // Force-deleted while the node still shows Ready (the 50 s grace period): the controller waits
    // for the unmount; the node turns unhealthy at 50 s, and the 6 minutes run from the delete.
    let mut cluster = cluster_with_mounted_disk();
    cluster.set_node_state("node-2", NodeState::Partitioned);
    force_delete(&mut cluster);
    cluster.advance(SimDuration::from_secs(45));
    assert_eq!(attachments(&cluster), ["node-2"], "node still Ready: wait for the unmount");
    // Unhealthy from 50 s on, and the 6 minutes count from the detach request, not from NotReady.
    cluster.advance(SimDuration::from_secs(300));
    assert_eq!(attachments(&cluster), ["node-2"]);
    cluster.advance(SimDuration::from_secs(30));
    assert!(attachments(&cluster).is_empty());
}
