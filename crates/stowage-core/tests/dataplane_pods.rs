//! Engine-level tests of the data plane: scheduling, pod lifecycle, volumes and restarts.

use k8s_openapi::api::core::v1::{Event, Pod};
use stowage_core::api::Typed;
use stowage_core::kubelet::NodeState;
use stowage_core::{Cluster, Kind, Object, ObjectKey, Profile, Seed, SimDuration};

fn object(kind: Kind, yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml::from_str(yaml).expect("yaml");
    Object::from_value_reporting_unknown(kind, value, &mut |_| {}).expect("object")
}

fn pod(cluster: &Cluster, name: &str) -> Pod {
    cluster.api().store().get_typed::<Pod>("default", name).cloned().expect("pod exists")
}

fn phase(cluster: &Cluster, name: &str) -> String {
    pod(cluster, name).status.and_then(|s| s.phase).unwrap_or_default()
}

fn events(cluster: &Cluster, name: &str) -> Vec<String> {
    stowage_core::testing::events_about(cluster.api(), name)
}

fn logs(cluster: &Cluster, name: &str, container: &str) -> String {
    cluster
        .container_logs("default", name, Some(container), false)
        .expect("logs")
        .iter()
        .map(|l| l.text.clone())
        .collect()
}

#[test]
fn busybox_pod_should_schedule_start_and_log() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(7));
    cluster
        .create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: hello}\nspec:\n  restartPolicy: Never\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, 'echo hello && sleep 10']\n"))
        .expect("create");
    cluster.settle();
    assert_eq!(phase(&cluster, "hello"), "Running");
    assert_eq!(logs(&cluster, "hello", "app"), "hello\n");
    let events = events(&cluster, "hello");
    assert!(events[0].starts_with("Normal Scheduled: Successfully assigned default/hello to node-"), "{events:?}");
    assert!(events.iter().any(|e| e == "Normal Pulling: Pulling image \"busybox\""), "{events:?}");
    assert!(
        events.iter().any(|e| e.starts_with("Normal Pulled: Successfully pulled image \"busybox\" in ")
            && e.ends_with("Image size: 2159953 bytes.")),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e == "Normal Created: Created container: app"), "{events:?}");
    assert!(events.iter().any(|e| e == "Normal Started: Started container app"), "{events:?}");
    let ip = pod(&cluster, "hello").status.and_then(|s| s.pod_ip).unwrap_or_default();
    assert!(ip.starts_with("10.244."), "{ip}");
    cluster.advance(SimDuration::from_secs(15));
    assert_eq!(phase(&cluster, "hello"), "Succeeded");
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

#[test]
fn crashing_container_should_back_off() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(3));
    cluster.create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: crash}\nspec:\n  containers:\n  - name: app\n    image: busybox:1.36\n    command: [sh, -c, 'echo boom && exit 1']\n")).expect("create");
    cluster.settle();
    cluster.advance(SimDuration::from_secs(45));
    let status = pod(&cluster, "crash").status.unwrap();
    assert_eq!(status.phase.as_deref(), Some("Running"));
    let container = &status.container_statuses.unwrap()[0];
    assert!(container.restart_count >= 2, "{container:?}");
    let waiting = container.state.as_ref().and_then(|s| s.waiting.as_ref());
    assert_eq!(waiting.and_then(|w| w.reason.as_deref()), Some("CrashLoopBackOff"));
    assert_eq!(container.last_state.as_ref().and_then(|s| s.terminated.as_ref()).map(|t| t.exit_code), Some(1));
    assert!(
        events(&cluster, "crash")
            .iter()
            .any(|e| e.starts_with("Warning BackOff: Back-off restarting failed container app in pod crash_default("))
    );
    assert_eq!(cluster.container_logs("default", "crash", None, true).unwrap().len(), 1);
}

#[test]
fn empty_dir_should_survive_restarts_but_not_the_writable_layer() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(5));
    cluster
        .create(object(
            Kind::Pod,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: scratch}\nspec:\n  restartPolicy: OnFailure\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, 'echo x >> /scratch/log && echo y >> /tmp/layer && cat /scratch/log && exit 1']\n    volumeMounts: [{name: s, mountPath: /scratch}]\n  volumes: [{name: s, emptyDir: {}}]\n",
        ))
        .expect("create");
    cluster.settle();
    cluster.advance(SimDuration::from_secs(12));
    let previous: String =
        cluster.container_logs("default", "scratch", None, true).unwrap().iter().map(|l| l.text.clone()).collect();
    assert_eq!(previous, "x\nx\n", "the emptyDir kept the first instance's line");
    assert!(cluster.violations().is_empty());
}

#[test]
fn host_path_type_check_should_fail_mount_with_the_kubelet_words() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(9));
    cluster
        .create(object(
            Kind::Pod,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: hp}\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [sleep, '3600']\n    volumeMounts: [{name: h, mountPath: /h}]\n  volumes: [{name: h, hostPath: {path: /var/nope, type: Directory}}]\n",
        ))
        .expect("create");
    cluster.settle();
    assert_eq!(phase(&cluster, "hp"), "Pending");
    let events = events(&cluster, "hp");
    assert!(events.iter().any(|e| e == "Warning FailedMount: MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: /var/nope is not a directory"), "{events:?}");
    let waiting =
        pod(&cluster, "hp").status.unwrap().container_statuses.unwrap()[0].state.clone().unwrap().waiting.unwrap();
    assert_eq!(waiting.reason.as_deref(), Some("ContainerCreating"));
}

#[test]
fn graceful_delete_should_wait_for_the_grace_period_then_remove_the_pod() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(11));
    cluster.create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: sleeper}\nspec:\n  terminationGracePeriodSeconds: 30\n  containers:\n  - name: app\n    image: busybox\n    command: [sleep, '3600']\n")).expect("create");
    cluster.settle();
    let key = ObjectKey::namespaced(Kind::Pod, "default", "sleeper");
    cluster.delete(&key, Default::default()).expect("delete");
    cluster.advance(SimDuration::from_secs(10));
    assert!(
        cluster.api().store().get(&key).is_some(),
        "sh as PID 1 ignores SIGTERM: the pod waits out its grace period"
    );
    assert!(events(&cluster, "sleeper").iter().any(|e| e == "Normal Killing: Stopping container app"));
    cluster.settle();
    assert!(cluster.api().store().get(&key).is_none());
    assert!(!cluster.dataplane().pods.values().any(|p| p.key == key), "the sandbox is gone");
}

#[test]
fn node_selector_mismatch_should_stay_pending_with_failed_scheduling() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(1));
    cluster.create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: picky}\nspec:\n  nodeSelector: {disk: ssd}\n  containers:\n  - name: app\n    image: busybox\n")).expect("create");
    cluster.settle();
    let status = pod(&cluster, "picky").status.unwrap();
    assert_eq!(status.phase.as_deref(), Some("Pending"));
    let condition = status.conditions.unwrap().into_iter().find(|c| c.type_ == "PodScheduled").unwrap();
    assert_eq!(condition.reason.as_deref(), Some("Unschedulable"));
    assert_eq!(
        condition.message.as_deref(),
        Some(
            "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        )
    );
}

#[test]
fn cordoned_nodes_and_partition_should_be_respected() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(2));
    for node in ["node-1", "node-2"] {
        let key = ObjectKey::cluster(Kind::Node, node);
        cluster
            .patch(
                &key,
                stowage_core::apiserver::PatchType::Merge,
                &serde_json::json!({"spec": {"unschedulable": true}}),
            )
            .expect("cordon");
    }
    cluster.create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [sleep, '3600']\n")).expect("create");
    cluster.settle();
    assert_eq!(pod(&cluster, "p").spec.unwrap().node_name.as_deref(), Some("node-3"));
    cluster.set_node_state("node-3", NodeState::Partitioned);
    cluster.advance(SimDuration::from_secs(60));
    let node = cluster.api().store().get_typed::<k8s_openapi::api::core::v1::Node>("", "node-3").cloned().unwrap();
    let ready = node.status.unwrap().conditions.unwrap().into_iter().find(|c| c.type_ == "Ready").unwrap();
    assert_eq!((ready.status.as_str(), ready.reason.as_deref()), ("Unknown", Some("NodeStatusUnknown")));
    assert!(
        cluster.dataplane().pods.values().any(|p| p.containers[0].is_running()),
        "a partitioned node keeps running its pods"
    );
    let _ = Pod::KIND;
}

fn claims(cluster: &Cluster, namespace: &str) -> Vec<String> {
    cluster
        .api()
        .store()
        .list_typed_in::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(namespace)
        .map(|c| c.metadata.name.clone().unwrap_or_default())
        .collect()
}

fn set_pods(cluster: &Cluster) -> Vec<(String, String)> {
    cluster
        .api()
        .store()
        .list_typed_in::<Pod>("default")
        .filter(|p| p.metadata.name.as_deref().is_some_and(|n| n.starts_with("web-")))
        .map(|p| {
            (
                p.metadata.name.clone().unwrap_or_default(),
                p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
            )
        })
        .collect()
}

const STATEFUL_SET: &str = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: busybox
        command: [sh, -c, 'echo ready >> /data/log && sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
";

#[test]
fn statefulset_should_create_claims_and_pods_in_order_and_keep_claims_on_scale_down() {
    let mut cluster = Cluster::new(Profile::Minikube, Seed(21));
    cluster.create(object(Kind::Service, "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  clusterIP: None\n  selector: {app: web}\n  ports: [{port: 80}]\n")).expect("service");
    cluster.create(object(Kind::StatefulSet, STATEFUL_SET)).expect("statefulset");
    cluster.settle();
    assert_eq!(claims(&cluster, "default"), ["data-web-0", "data-web-1", "data-web-2"]);
    assert_eq!(
        set_pods(&cluster),
        [
            ("web-0".to_string(), "Running".to_string()),
            ("web-1".into(), "Running".into()),
            ("web-2".into(), "Running".into())
        ]
    );
    let set_events = events(&cluster, "web");
    assert!(
        set_events.contains(
            &"Normal SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success".to_string()
        ),
        "{set_events:?}"
    );
    assert!(
        set_events.contains(&"Normal SuccessfulCreate: create Pod web-2 in StatefulSet web successful".to_string()),
        "{set_events:?}"
    );
    let answer = cluster.dns_lookup("default", "web-1.web");
    assert_eq!(answer.records.len(), 1, "{answer:?}");
    assert_eq!(answer.records[0].0, "web-1.web.default.svc.cluster.local");
    let key = ObjectKey::namespaced(Kind::StatefulSet, "default", "web");
    cluster
        .patch(&key, stowage_core::apiserver::PatchType::Merge, &serde_json::json!({"spec": {"replicas": 2}}))
        .expect("scale");
    cluster.settle();
    assert_eq!(set_pods(&cluster).len(), 2);
    assert_eq!(claims(&cluster, "default").len(), 3, "scale down keeps claims");
    cluster
        .patch(&key, stowage_core::apiserver::PatchType::Merge, &serde_json::json!({"spec": {"replicas": 3}}))
        .expect("scale");
    cluster.settle();
    assert_eq!(set_pods(&cluster).len(), 3);
    let out = cluster.exec("default", "web-2", None, &["cat".to_string(), "/data/log".to_string()]).expect("exec");
    assert_eq!(out.stdout, "ready\nready\n", "web-2 got its claim back with the first instance's line");
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

fn container_status(cluster: &Cluster, name: &str) -> k8s_openapi::api::core::v1::ContainerStatus {
    pod(cluster, name).status.and_then(|s| s.container_statuses).and_then(|c| c.into_iter().next()).expect("status")
}

fn pod_condition(cluster: &Cluster, name: &str, type_: &str) -> String {
    pod(cluster, name)
        .status
        .and_then(|s| s.conditions)
        .and_then(|c| c.into_iter().find(|c| c.type_ == type_))
        .map(|c| c.status)
        .unwrap_or_default()
}

#[test]
fn failing_liveness_probe_should_kill_and_restart_the_container() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(21));
    cluster
        .create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: live}\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, 'sleep 3600']\n    livenessProbe:\n      exec: {command: [cat, /tmp/healthy]}\n      periodSeconds: 5\n"))
        .expect("create");
    cluster.settle();
    assert_eq!(container_status(&cluster, "live").restart_count, 0);
    // Three failures 5 s apart, then SIGTERM, which a shell ignores: SIGKILL after 30 s.
    cluster.advance(SimDuration::from_secs(60));
    let status = container_status(&cluster, "live");
    assert_eq!(status.restart_count, 1, "{status:?}");
    let last = status.last_state.and_then(|s| s.terminated).expect("terminated");
    assert_eq!((last.exit_code, last.reason.as_deref()), (137, Some("Error")));
    let events = events(&cluster, "live");
    assert!(
        events.iter().any(|e| e
            == "Warning Unhealthy: Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"),
        "{events:?}"
    );
    assert!(
        events.iter().any(|e| e == "Normal Killing: Container app failed liveness probe, will be restarted"),
        "{events:?}"
    );
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

#[test]
fn readiness_probe_should_drive_ready_and_conditions() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(22));
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n    readinessProbe:\n      httpGet: {path: /healthz, port: 80}\n      periodSeconds: 5\n      failureThreshold: 1\n    livenessProbe:\n      tcpSocket: {port: 80}\n";
    cluster.create(object(Kind::Pod, yaml)).expect("create");
    cluster.settle();
    cluster.advance(SimDuration::from_secs(20));
    assert!(!container_status(&cluster, "web").ready);
    assert_eq!(pod_condition(&cluster, "web", "Ready"), "False");
    assert_eq!(pod_condition(&cluster, "web", "ContainersReady"), "False");
    let events = events(&cluster, "web");
    assert!(
        events.iter().any(|e| e == "Warning Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 404"),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| e.contains("Liveness")), "{events:?}");
    // The page appears: the next probe makes the pod ready; nothing restarted.
    let argv: Vec<String> =
        ["sh", "-c", "echo ok >> /usr/share/nginx/html/healthz"].iter().map(|s| s.to_string()).collect();
    cluster.exec("default", "web", None, &argv).expect("exec");
    cluster.advance(SimDuration::from_secs(6));
    assert!(container_status(&cluster, "web").ready);
    assert_eq!(pod_condition(&cluster, "web", "Ready"), "True");
    assert_eq!(container_status(&cluster, "web").restart_count, 0);
    let log = logs(&cluster, "web", "nginx");
    assert!(log.contains("\"GET /healthz HTTP/1.1\" 200 3 \"-\" \"kube-probe/1.34\" \"-\""), "{log}");
}

#[test]
fn probes_on_a_closed_port_should_be_refused_and_startup_should_gate_liveness() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(23));
    let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: slow}\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, 'sleep 3600']\n    startupProbe:\n      tcpSocket: {port: 8080}\n      periodSeconds: 10\n      failureThreshold: 3\n    livenessProbe:\n      exec: {command: [cat, /nope]}\n";
    cluster.create(object(Kind::Pod, yaml)).expect("create");
    cluster.settle();
    cluster.advance(SimDuration::from_secs(25));
    let status = container_status(&cluster, "slow");
    assert_eq!((status.started, status.ready), (Some(false), false));
    let ip = pod(&cluster, "slow").status.and_then(|s| s.pod_ip).unwrap_or_default();
    let events = events(&cluster, "slow");
    let refused = format!("Warning Unhealthy: Startup probe failed: dial tcp {ip}:8080: connect: connection refused");
    assert!(events.contains(&refused), "{events:?}");
    // The liveness probe never ran: the startup probe gates it.
    assert!(!events.iter().any(|e| e.contains("Liveness")), "{events:?}");
    cluster.advance(SimDuration::from_secs(40));
    let events = self::events(&cluster, "slow");
    assert!(
        events.iter().any(|e| e == "Normal Killing: Container app failed startup probe, will be restarted"),
        "{events:?}"
    );
}

fn waiting(cluster: &Cluster, name: &str) -> (String, String) {
    let state = container_status(cluster, name).state.and_then(|s| s.waiting).expect("waiting");
    (state.reason.unwrap_or_default(), state.message.unwrap_or_default())
}

#[test]
fn missing_image_tags_should_fail_to_pull_and_back_off() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(24));
    cluster
        .create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: nope}\nspec:\n  containers:\n  - name: web\n    image: nginx:nope\n"))
        .expect("create");
    cluster.settle();
    let error = "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:nope\": failed to resolve reference \"docker.io/library/nginx:nope\": docker.io/library/nginx:nope: not found";
    assert_eq!(
        waiting(&cluster, "nope"),
        ("ImagePullBackOff".to_string(), format!("Back-off pulling image \"nginx:nope\": ErrImagePull: {error}"))
    );
    assert_eq!(phase(&cluster, "nope"), "Pending");
    let events = events(&cluster, "nope");
    for expected in [
        "Normal Pulling: Pulling image \"nginx:nope\"".to_string(),
        format!("Warning Failed: Failed to pull image \"nginx:nope\": {error}"),
        "Warning Failed: Error: ErrImagePull".to_string(),
        "Normal BackOff: Back-off pulling image \"nginx:nope\"".to_string(),
        "Warning Failed: Error: ImagePullBackOff".to_string(),
    ] {
        assert!(events.contains(&expected), "{expected}\n{events:#?}");
    }
    // The back-off ends after 10 s: another pull, another failure.
    cluster.advance(SimDuration::from_secs(10));
    let pulls = cluster
        .api()
        .store()
        .list_typed::<Event>()
        .find(|e| e.involved_object.name.as_deref() == Some("nope") && e.reason.as_deref() == Some("Pulling"))
        .and_then(|e| e.count)
        .unwrap_or(0);
    assert_eq!(pulls, 2);
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

#[test]
fn invalid_image_names_should_be_invalid_image_name() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(25));
    cluster
        .create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: upper}\nspec:\n  containers:\n  - name: app\n    image: Busybox\n"))
        .expect("create");
    cluster.settle();
    let message = "Failed to apply default image tag \"Busybox\": couldn't parse image name \"Busybox\": invalid reference format: repository name (library/Busybox) must be lowercase";
    assert_eq!(waiting(&cluster, "upper"), ("InvalidImageName".to_string(), message.to_string()));
    let events = events(&cluster, "upper");
    assert!(events.contains(&format!("Warning InspectFailed: {message}")), "{events:#?}");
    assert!(events.contains(&"Warning Failed: Error: InvalidImageName".to_string()), "{events:#?}");
    assert!(!events.iter().any(|e| e.contains("Pulling")), "{events:#?}");
}

#[test]
fn unreachable_node_should_mark_pods_not_ready_evict_them_and_honour_out_of_service() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(26));
    cluster
        .create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  nodeName: node-2\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, 'sleep 3600']\n"))
        .expect("create");
    cluster.settle();
    cluster.set_node_state("node-2", NodeState::Partitioned);
    cluster.advance(SimDuration::from_secs(55));
    // MarkPodsNotReady: the Ready condition only; the container statuses stay as last reported.
    assert_eq!(pod_condition(&cluster, "p", "Ready"), "False");
    assert_eq!(pod_condition(&cluster, "p", "ContainersReady"), "True");
    assert!(container_status(&cluster, "p").ready);
    assert!(events(&cluster, "p").contains(&"Warning NodeNotReady: Node is not ready".to_string()));
    let node = cluster.api().store().get_typed::<k8s_openapi::api::core::v1::Node>("", "node-2").cloned().unwrap();
    let taints: Vec<(String, String)> =
        node.spec.unwrap().taints.unwrap().into_iter().map(|t| (t.key, t.effect)).collect();
    assert_eq!(
        taints,
        [
            ("node.kubernetes.io/unreachable".to_string(), "NoSchedule".to_string()),
            ("node.kubernetes.io/unreachable".to_string(), "NoExecute".to_string())
        ]
    );
    // The default toleration (300 s) runs out: evicted, Terminating for good.
    cluster.advance(SimDuration::from_secs(300));
    assert!(pod(&cluster, "p").metadata.deletion_timestamp.is_some());
    cluster.advance(SimDuration::from_secs(120));
    assert!(cluster.api().store().get_typed::<Pod>("default", "p").is_some(), "nobody confirms the deletion");
    // The administrator declares the node out of service: the pod GC force-deletes the pod.
    let key = ObjectKey::cluster(Kind::Node, "node-2");
    let mut taints = serde_json::to_value(
        cluster
            .api()
            .store()
            .get_typed::<k8s_openapi::api::core::v1::Node>("", "node-2")
            .unwrap()
            .spec
            .clone()
            .unwrap()
            .taints,
    )
    .unwrap();
    taints.as_array_mut().unwrap().push(
        serde_json::json!({"key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown", "effect": "NoExecute"}),
    );
    cluster
        .patch(&key, stowage_core::apiserver::PatchType::Merge, &serde_json::json!({"spec": {"taints": taints}}))
        .expect("taint");
    cluster.advance(SimDuration::from_secs(5));
    assert!(cluster.api().store().get_typed::<Pod>("default", "p").is_none());
    // The machine itself still runs the container until it is reachable again.
    let orphan = |cluster: &Cluster| cluster.dataplane().pods.values().any(|s| s.key.name == "p");
    assert!(orphan(&cluster));
    cluster.set_node_state("node-2", NodeState::Ready);
    cluster.advance(SimDuration::from_secs(5));
    assert!(!orphan(&cluster), "the kubelet kills what the API no longer has");
}

#[test]
fn exec_probes_should_time_out_after_timeout_seconds() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(27));
    cluster
        .create(object(Kind::Pod, "apiVersion: v1\nkind: Pod\nmetadata: {name: slowprobe}\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, 'sleep 3600']\n    readinessProbe:\n      exec: {command: [sleep, '5']}\n      timeoutSeconds: 1\n"))
        .expect("create");
    cluster.settle();
    assert!(!container_status(&cluster, "slowprobe").ready);
    let events = events(&cluster, "slowprobe");
    assert!(
        events.contains(&"Warning Unhealthy: Readiness probe failed: command \"sleep 5\" timed out".to_string()),
        "{events:#?}"
    );
}
