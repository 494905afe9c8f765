//! The data plane with the real shell: the guide's emptyDir scratch pod and ephemeral demo.

use stowage_core::{Cluster, Kind, Object, ObjectKey, Profile, Seed, SimDuration};
use stowage_kubectl::runtime::SHELL_RUNTIME;

fn object(kind: Kind, yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml::from_str(yaml).expect("yaml");
    Object::from_value_reporting_unknown(kind, value, &mut |_| {}).expect("object")
}

fn logs(cluster: &Cluster, pod: &str, container: &str) -> String {
    cluster
        .container_logs("default", pod, Some(container), false)
        .expect("logs")
        .iter()
        .map(|l| l.text.clone())
        .collect()
}

#[test]
fn shared_scratch_reader_should_follow_the_writer() {
    let mut cluster = Cluster::with_runtime(Profile::Guide, Seed(4), &SHELL_RUNTIME);
    let pod = "apiVersion: v1
kind: Pod
metadata: {name: shared-scratch}
spec:
  containers:
  - name: writer
    image: busybox
    command: [sh, -c, 'while true; do date >> /scratch/log.txt; sleep 5; done']
    volumeMounts: [{name: scratch-volume, mountPath: /scratch}]
  - name: reader
    image: busybox
    command: [sh, -c, 'tail -f /data/log.txt']
    volumeMounts: [{name: scratch-volume, mountPath: /data}]
  volumes:
  - name: scratch-volume
    emptyDir: {}
";
    cluster.create(object(Kind::Pod, pod)).expect("create");
    cluster.settle();
    cluster.advance(SimDuration::from_secs(20));
    let written = cluster
        .exec("default", "shared-scratch", Some("writer"), &["cat".to_string(), "/scratch/log.txt".to_string()])
        .expect("exec");
    let lines = written.stdout.lines().count();
    assert!((4..=5).contains(&lines), "{written:?}");
    assert!(written.stdout.lines().all(|l| l.ends_with("UTC 2026")), "{written:?}");
    let seen = logs(&cluster, "shared-scratch", "reader");
    assert!(seen.lines().count() >= 4, "the reader follows the file: {seen:?}");
    assert!(written.stdout.starts_with(&seen.lines().next().map(|l| format!("{l}\n")).unwrap_or_default()));
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

#[test]
fn ephemeral_data_should_vanish_with_the_pod() {
    let mut cluster = Cluster::with_runtime(Profile::Guide, Seed(8), &SHELL_RUNTIME);
    let first = "apiVersion: v1\nkind: Pod\nmetadata: {name: ephemeral-demo}\nspec:\n  restartPolicy: Never\n  containers:\n  - name: ephemeral-demo\n    image: busybox\n    args: [sh, -c, \"echo 'important data' > /tmp/data.txt && sleep 3600\"]\n";
    cluster.create(object(Kind::Pod, first)).expect("create");
    cluster.settle();
    let out = cluster
        .exec("default", "ephemeral-demo", None, &["cat".to_string(), "/tmp/data.txt".to_string()])
        .expect("exec");
    assert_eq!(out.stdout, "important data\n");
    cluster.delete(&ObjectKey::namespaced(Kind::Pod, "default", "ephemeral-demo"), Default::default()).expect("delete");
    cluster.settle();
    let second = "apiVersion: v1\nkind: Pod\nmetadata: {name: ephemeral-demo}\nspec:\n  restartPolicy: Never\n  containers:\n  - name: ephemeral-demo\n    image: busybox\n    args: [sh, -c, \"cat /tmp/data.txt 2>/dev/null || echo 'FILE NOT FOUND'\"]\n";
    cluster.create(object(Kind::Pod, second)).expect("create again");
    cluster.settle();
    assert_eq!(logs(&cluster, "ephemeral-demo", "ephemeral-demo"), "FILE NOT FOUND\n");
}
