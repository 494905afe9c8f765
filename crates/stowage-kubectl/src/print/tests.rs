//! Snapshot tests of the printers: every kind's table, describe, every `-o` format and the guide's
//! outputs, over objects built directly from YAML into a store at a chosen time.

use super::*;
use expect_test::{Expect, expect};

/// Seconds after the cluster's epoch at which tests print (AGE is measured from here).
const NOW_S: u64 = 40 * 86_400;

/// Parses one YAML manifest into an object; `created_s` sets its creationTimestamp (seconds after epoch).
fn object(yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml::from_str(yaml).expect("test YAML parses");
    let kind = Kind::from_api_version_and_kind(
        value["apiVersion"].as_str().expect("apiVersion"),
        value["kind"].as_str().expect("kind"),
    )
    .expect("known kind");
    Object::from_value_reporting_unknown(kind, value, &mut |path| panic!("unknown field {path}"))
        .expect("object decodes")
}

/// A store holding `manifests` (separated by `---`).
fn store_of(manifests: &str) -> Store {
    let mut store = Store::default();
    for doc in manifests.split("\n---\n").filter(|d| !d.trim().is_empty()) {
        store.put(object(doc));
    }
    store
}

fn ctx(store: &Store) -> PrintContext<'_> {
    PrintContext { store, now: SimTime(NOW_S * 1000) }
}

fn objects_of(store: &Store, kind: Kind) -> Vec<&Object> {
    store.list(kind).collect()
}

/// Marks the end of lines that end in spaces with `$`, so that expectations keep no trailing
/// whitespace while still pinning kubectl's padding.
fn visible(text: &str) -> String {
    text.split('\n')
        .map(|line| if line.ends_with(' ') { format!("{line}$") } else { line.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

#[track_caller]
fn check_table(manifests: &str, kind: Kind, options: TableOptions, expect: Expect) {
    let store = store_of(manifests);
    let objects = objects_of(&store, kind);
    expect.assert_eq(&visible(&table_at(kind, &objects, &options, &ctx(&store))));
}

#[track_caller]
fn check_describe(manifests: &str, key: ObjectKey, expect: Expect) {
    let store = store_of(manifests);
    expect.assert_eq(&visible(&describe_at(&ctx(&store), &key).unwrap_or_else(|| "<missing>".to_string())));
}

#[track_caller]
fn check_format(manifests: &str, kind: Kind, format: &str, as_list: bool, expect: Expect) {
    let store = store_of(manifests);
    let objects = objects_of(&store, kind);
    let out = OutputFormat::parse(format)
        .and_then(|f| format_objects_at(&objects, &f, as_list, &FormatOptions::default(), &ctx(&store)));
    match out {
        Ok(text) => expect.assert_eq(&visible(&text)),
        Err(e) => expect.assert_eq(&visible(&format!("ERR {e}"))),
    }
}

/// The creationTimestamp `s` seconds after the cluster's epoch.
fn at_s(s: u64) -> String {
    SimTime(s * 1000).rfc3339()
}

fn guide_pv() -> String {
    format!(
        r#"apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-nfs-data
  creationTimestamp: "{}"
  labels:
    type: nfs
    environment: production
  annotations:
    pv.kubernetes.io/bound-by-controller: "yes"
  finalizers:
  - kubernetes.io/pv-protection
spec:
  capacity:
    storage: 100Gi
  accessModes:
  - ReadWriteMany
  persistentVolumeReclaimPolicy: Retain
  volumeMode: Filesystem
  claimRef:
    kind: PersistentVolumeClaim
    namespace: production
    name: data-claim
    uid: 7d3c
  nfs:
    server: 10.0.1.50
    path: /exports/data
  mountOptions:
  - hard
  - nfsvers=4.1
status:
  phase: Bound
"#,
        at_s(NOW_S - 5)
    )
}

fn guide_pvc() -> String {
    format!(
        r#"apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data-claim
  namespace: production
  uid: 7d3c
  creationTimestamp: "{}"
  annotations:
    pv.kubernetes.io/bind-completed: "yes"
    pv.kubernetes.io/bound-by-controller: "yes"
  finalizers:
  - kubernetes.io/pvc-protection
spec:
  accessModes:
  - ReadWriteMany
  resources:
    requests:
      storage: 50Gi
  selector:
    matchLabels:
      type: nfs
      environment: production
  volumeMode: Filesystem
  volumeName: pv-nfs-data
  storageClassName: ""
status:
  phase: Bound
  accessModes:
  - ReadWriteMany
  capacity:
    storage: 100Gi
"#,
        at_s(NOW_S - 5)
    )
}

#[test]
fn guide_static_nfs_pv_table() {
    check_table(
        &guide_pv(),
        Kind::PersistentVolume,
        TableOptions::default(),
        expect![[r#"
            NAME          CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM                   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE
            pv-nfs-data   100Gi      RWX            Retain           Bound    production/data-claim                  <unset>                          5s
        "#]],
    );
}

#[test]
fn guide_static_nfs_pvc_table() {
    check_table(
        &guide_pvc(),
        Kind::PersistentVolumeClaim,
        TableOptions::default(),
        expect![[r#"
        NAME         STATUS   VOLUME        CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE
        data-claim   Bound    pv-nfs-data   100Gi      RWX                           <unset>                 5s
    "#]],
    );
    check_table(
        &guide_pvc(),
        Kind::PersistentVolumeClaim,
        TableOptions { wide: true, with_namespace: true, ..TableOptions::default() },
        expect![[r#"
        NAMESPACE    NAME         STATUS   VOLUME        CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE   VOLUMEMODE
        production   data-claim   Bound    pv-nfs-data   100Gi      RWX                           <unset>                 5s    Filesystem
    "#]],
    );
}

#[test]
fn pv_table_options() {
    let manifests = format!(
        "{}---\napiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pvc-1f2e\n  creationTimestamp: \"{}\"\n  deletionTimestamp: \"{}\"\n  labels:\n    app.kubernetes.io/name: db\nspec:\n  capacity:\n    storage: 1536Mi\n  accessModes: [ReadWriteOnce, ReadOnlyMany, ReadWriteOnce, ReadWriteOncePod]\n  persistentVolumeReclaimPolicy: Delete\n  storageClassName: fast-ssd\n  csi:\n    driver: ebs.csi.aws.com\n    volumeHandle: vol-0abc123\nstatus:\n  phase: Released\n",
        guide_pv(),
        at_s(NOW_S - 3 * 86_400 - 7_200),
        at_s(NOW_S - 10)
    );
    check_table(
        &manifests,
        Kind::PersistentVolume,
        TableOptions { wide: true, show_labels: true, ..TableOptions::default() },
        expect![[r#"
        NAME          CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS        CLAIM                   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE    VOLUMEMODE   LABELS
        pv-nfs-data   100Gi      RWX            Retain           Bound         production/data-claim                  <unset>                          5s     Filesystem   environment=production,type=nfs
        pvc-1f2e      1536Mi     RWO,ROX,RWOP   Delete           Terminating                           fast-ssd       <unset>                          3d2h   <unset>      app.kubernetes.io/name=db
    "#]],
    );
    check_table(
        &manifests,
        Kind::PersistentVolume,
        TableOptions {
            no_headers: true,
            with_kind: true,
            label_columns: vec!["type".into(), "app.kubernetes.io/name".into()],
            ..TableOptions::default()
        },
        expect![[r#"
            persistentvolume/pv-nfs-data   100Gi    RWX            Retain   Bound         production/data-claim              <unset>         5s     nfs   $
            persistentvolume/pvc-1f2e      1536Mi   RWO,ROX,RWOP   Delete   Terminating                           fast-ssd   <unset>         3d2h         db
        "#]],
    );
}

fn storage_classes() -> String {
    format!(
        r#"apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast-ssd
  creationTimestamp: "{}"
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: ebs.csi.aws.com
parameters:
  type: gp3
  iops: "5000"
reclaimPolicy: Delete
allowVolumeExpansion: true
volumeBindingMode: WaitForFirstConsumer
mountOptions:
- noatime
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: regional-ssd
  creationTimestamp: "{}"
provisioner: pd.csi.storage.gke.io
parameters:
  type: pd-ssd
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
allowedTopologies:
- matchLabelExpressions:
  - key: topology.gke.io/zone
    values:
    - us-central1-a
    - us-central1-b
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  creationTimestamp: "{}"
provisioner: kubernetes.io/no-provisioner
"#,
        at_s(0),
        at_s(NOW_S - 150),
        at_s(NOW_S - 7_300)
    )
}

#[test]
fn storage_class_table() {
    check_table(
        &storage_classes(),
        Kind::StorageClass,
        TableOptions::default(),
        expect![[r#"
        NAME                 PROVISIONER                    RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE
        fast-ssd (default)   ebs.csi.aws.com                Delete          WaitForFirstConsumer   true                   40d
        regional-ssd         pd.csi.storage.gke.io          Retain          WaitForFirstConsumer   false                  2m30s
        standard             kubernetes.io/no-provisioner   Delete          Immediate              false                  121m
    "#]],
    );
}

fn pods() -> String {
    format!(
        r#"apiVersion: v1
kind: Pod
metadata:
  name: postgres-0
  namespace: production
  uid: pod-uid-0
  creationTimestamp: "{created}"
  labels:
    app: postgres
  ownerReferences:
  - apiVersion: apps/v1
    kind: StatefulSet
    name: postgres
    uid: sts-uid
    controller: true
spec:
  nodeName: node-1
  serviceAccountName: default
  containers:
  - name: postgres
    image: postgres:16
    ports:
    - containerPort: 5432
      name: postgres
      protocol: TCP
    env:
    - name: PGDATA
      value: /var/lib/postgresql/data/pgdata
    resources:
      requests:
        memory: 2Gi
        cpu: 1000m
      limits:
        memory: 4Gi
    volumeMounts:
    - name: data
      mountPath: /var/lib/postgresql/data
    - name: wal
      mountPath: /var/lib/postgresql/wal
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data-postgres-0
  - name: wal
    persistentVolumeClaim:
      claimName: wal-postgres-0
  - name: scratch
    emptyDir:
      medium: Memory
      sizeLimit: 128Mi
  - name: config
    configMap:
      name: app-settings
  - name: creds
    secret:
      secretName: app-credentials
  - name: host
    hostPath:
      path: /var/log
      type: Directory
  - name: info
    downwardAPI:
      items:
      - path: labels
        fieldRef:
          fieldPath: metadata.labels
  tolerations:
  - key: node.kubernetes.io/not-ready
    operator: Exists
    effect: NoExecute
    tolerationSeconds: 300
status:
  phase: Running
  hostIP: 10.0.1.11
  podIP: 10.244.1.15
  podIPs:
  - ip: 10.244.1.15
  qosClass: Burstable
  startTime: "{created}"
  conditions:
  - type: Ready
    status: "True"
  - type: PodScheduled
    status: "True"
  containerStatuses:
  - name: postgres
    ready: true
    restartCount: 2
    image: postgres:16
    imageID: docker.io/library/postgres@sha256:abc
    containerID: containerd://0123
    started: true
    state:
      running:
        startedAt: "{created}"
    lastState:
      terminated:
        exitCode: 1
        reason: Error
        startedAt: "{created}"
        finishedAt: "{restarted}"
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: production
  creationTimestamp: "{created}"
spec:
  containers:
  - name: web
    image: nginx
  - name: sidecar
    image: busybox
status:
  phase: Pending
  containerStatuses:
  - name: web
    ready: false
    restartCount: 0
    image: nginx
    imageID: ""
    state:
      waiting:
        reason: ContainerCreating
  - name: sidecar
    ready: false
    restartCount: 0
    image: busybox
    imageID: ""
    state:
      waiting:
        reason: ContainerCreating
---
apiVersion: v1
kind: Pod
metadata:
  name: crash
  namespace: production
  creationTimestamp: "{created}"
spec:
  nodeName: node-2
  containers:
  - name: app
    image: busybox
status:
  phase: Running
  containerStatuses:
  - name: app
    ready: false
    restartCount: 5
    image: busybox
    imageID: ""
    state:
      waiting:
        reason: CrashLoopBackOff
    lastState:
      terminated:
        exitCode: 1
        reason: Error
        finishedAt: "{restarted}"
---
apiVersion: v1
kind: Pod
metadata:
  name: job-done
  namespace: production
  creationTimestamp: "{created}"
spec:
  containers:
  - name: app
    image: busybox
status:
  phase: Succeeded
  containerStatuses:
  - name: app
    ready: false
    restartCount: 0
    image: busybox
    imageID: ""
    state:
      terminated:
        exitCode: 0
        reason: Completed
---
apiVersion: v1
kind: Pod
metadata:
  name: leaving
  namespace: production
  creationTimestamp: "{created}"
  deletionTimestamp: "{deleted}"
  deletionGracePeriodSeconds: 30
spec:
  containers:
  - name: app
    image: busybox
status:
  phase: Running
---
apiVersion: v1
kind: Pod
metadata:
  name: failed
  namespace: production
  creationTimestamp: "{created}"
spec:
  containers:
  - name: app
    image: busybox
status:
  phase: Failed
  containerStatuses:
  - name: app
    ready: false
    restartCount: 0
    image: busybox
    imageID: ""
    state:
      terminated:
        exitCode: 2
"#,
        created = at_s(NOW_S - 600),
        restarted = at_s(NOW_S - 45),
        deleted = at_s(NOW_S + 20),
    )
}

#[test]
fn pod_table() {
    check_table(
        &pods(),
        Kind::Pod,
        TableOptions::default(),
        expect![[r#"
        NAME         READY   STATUS              RESTARTS      AGE
        crash        0/1     CrashLoopBackOff    5 (45s ago)   10m
        failed       0/1     ExitCode:2          0             10m
        job-done     0/1     Completed           0             10m
        leaving      0/1     Terminating         0             10m
        postgres-0   1/1     Running             2 (45s ago)   10m
        web-1        0/2     ContainerCreating   0             10m
    "#]],
    );
    check_table(
        &pods(),
        Kind::Pod,
        TableOptions { wide: true, ..TableOptions::default() },
        expect![[r#"
        NAME         READY   STATUS              RESTARTS      AGE   IP            NODE     NOMINATED NODE   READINESS GATES
        crash        0/1     CrashLoopBackOff    5 (45s ago)   10m   <none>        node-2   <none>           <none>
        failed       0/1     ExitCode:2          0             10m   <none>        <none>   <none>           <none>
        job-done     0/1     Completed           0             10m   <none>        <none>   <none>           <none>
        leaving      0/1     Terminating         0             10m   <none>        <none>   <none>           <none>
        postgres-0   1/1     Running             2 (45s ago)   10m   10.244.1.15   node-1   <none>           <none>
        web-1        0/2     ContainerCreating   0             10m   <none>        <none>   <none>           <none>
    "#]],
    );
}

fn cluster_objects() -> String {
    format!(
        r#"apiVersion: v1
kind: Node
metadata:
  name: node-1
  creationTimestamp: "{c}"
  labels:
    node-role.kubernetes.io/control-plane: ""
    kubernetes.io/hostname: node-1
spec:
  unschedulable: true
status:
  conditions:
  - type: Ready
    status: "True"
  addresses:
  - type: InternalIP
    address: 10.0.1.11
  nodeInfo:
    kubeletVersion: v1.34.1
    osImage: Ubuntu 24.04 LTS
    kernelVersion: 6.8.0
    containerRuntimeVersion: containerd://2.1.0
    machineID: m
    systemUUID: s
    bootID: b
    operatingSystem: linux
    architecture: amd64
    kubeProxyVersion: ""
---
apiVersion: v1
kind: Node
metadata:
  name: node-2
  creationTimestamp: "{c}"
status:
  conditions:
  - type: Ready
    status: "False"
  nodeInfo:
    kubeletVersion: v1.34.1
    machineID: m
    systemUUID: s
    bootID: b
    kernelVersion: ""
    osImage: ""
    containerRuntimeVersion: ""
    operatingSystem: linux
    architecture: amd64
    kubeProxyVersion: ""
---
apiVersion: v1
kind: Namespace
metadata:
  name: production
  creationTimestamp: "{c}"
status:
  phase: Active
---
apiVersion: v1
kind: Service
metadata:
  name: postgres-headless
  namespace: production
  creationTimestamp: "{c}"
spec:
  clusterIP: None
  clusterIPs: [None]
  type: ClusterIP
  selector:
    app: postgres
  ports:
  - port: 5432
    targetPort: 5432
    name: postgres
    protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: production
  creationTimestamp: "{c}"
spec:
  clusterIP: 10.96.0.12
  clusterIPs: [10.96.0.12]
  type: NodePort
  ports:
  - port: 80
    nodePort: 30080
    protocol: TCP
  - port: 443
    nodePort: 30443
    protocol: TCP
---
apiVersion: v1
kind: Endpoints
metadata:
  name: postgres-headless
  namespace: production
  creationTimestamp: "{c}"
subsets:
- addresses:
  - ip: 10.244.1.15
  - ip: 10.244.2.15
  - ip: 10.244.3.15
  - ip: 10.244.4.15
  ports:
  - port: 5432
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: postgres-headless-x7k2p
  namespace: production
  creationTimestamp: "{c}"
addressType: IPv4
ports:
- port: 5432
  name: postgres
endpoints:
- addresses: [10.244.1.15]
- addresses: [10.244.2.15]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-settings
  namespace: production
  creationTimestamp: "{c}"
data:
  database.conf: "host=db"
  config.yaml: "a: 1"
---
apiVersion: v1
kind: Secret
metadata:
  name: app-credentials
  namespace: production
  creationTimestamp: "{c}"
type: Opaque
data:
  api-key: c2VjcmV0
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: production
  creationTimestamp: "{c}"
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: postgres
  namespace: production
  uid: sts-uid
  creationTimestamp: "{c}"
spec:
  serviceName: postgres-headless
  replicas: 3
  selector:
    matchLabels:
      app: postgres
  template:
    metadata:
      labels:
        app: postgres
    spec:
      containers:
      - name: postgres
        image: postgres:16
        volumeMounts:
        - name: data
          mountPath: /var/lib/postgresql/data
  updateStrategy:
    type: RollingUpdate
    rollingUpdate:
      partition: 0
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast-ssd
      resources:
        requests:
          storage: 100Gi
status:
  replicas: 2
  readyReplicas: 1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: production
  creationTimestamp: "{c}"
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
status:
  readyReplicas: 2
  updatedReplicas: 2
  availableReplicas: 2
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8f7
  namespace: production
  creationTimestamp: "{c}"
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
      pod-template-hash: 5d8f7
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
status:
  replicas: 2
  readyReplicas: 2
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: ebs.csi.aws.com
  creationTimestamp: "{c}"
spec:
  attachRequired: true
  podInfoOnMount: false
  volumeLifecycleModes: [Persistent]
---
apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: efs.csi.aws.com
  creationTimestamp: "{c}"
spec:
  attachRequired: false
  storageCapacity: false
  tokenRequests:
  - audience: sts.amazonaws.com
  volumeLifecycleModes: [Persistent, Ephemeral]
---
apiVersion: storage.k8s.io/v1
kind: CSINode
metadata:
  name: node-1
  creationTimestamp: "{old}"
spec:
  drivers:
  - name: ebs.csi.aws.com
    nodeID: i-0abc
    topologyKeys: [topology.ebs.csi.aws.com/zone]
    allocatable:
      count: 25
---
apiVersion: storage.k8s.io/v1
kind: VolumeAttachment
metadata:
  name: csi-0a1b2c
  creationTimestamp: "{c}"
spec:
  attacher: ebs.csi.aws.com
  nodeName: node-1
  source:
    persistentVolumeName: pvc-1f2e
status:
  attached: true
---
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata:
  name: ebs-snapshot-class
  creationTimestamp: "{c}"
driver: ebs.csi.aws.com
deletionPolicy: Retain
---
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: db-snapshot-2026-05-14
  namespace: production
  creationTimestamp: "{snap}"
spec:
  volumeSnapshotClassName: ebs-snapshot-class
  source:
    persistentVolumeClaimName: postgres-data
status:
  boundVolumeSnapshotContentName: snapcontent-abc123
  creationTime: "{snap}"
  readyToUse: true
  restoreSize: 100Gi
---
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: pending-snap
  namespace: production
  creationTimestamp: "{snap}"
spec:
  source:
    persistentVolumeClaimName: postgres-data
status:
  creationTime: "yesterday"
---
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotContent
metadata:
  name: snapcontent-abc123
  creationTimestamp: "{snap}"
spec:
  deletionPolicy: Retain
  driver: ebs.csi.aws.com
  source:
    volumeHandle: vol-0abc123
  volumeSnapshotClassName: ebs-snapshot-class
  volumeSnapshotRef:
    name: db-snapshot-2026-05-14
    namespace: production
status:
  readyToUse: true
  restoreSize: 107374182400
  snapshotHandle: snap-0123
  creationTime: 1778752680000000000
"#,
        c = at_s(NOW_S - 1_800),
        old = at_s(0),
        snap = at_s(NOW_S - 120),
    )
}

#[test]
fn every_kind_has_a_table() {
    let store = store_of(&format!(
        "{}---\n{}---\n{}---\n{}---\n{}",
        cluster_objects(),
        pods(),
        storage_classes(),
        guide_pv(),
        guide_pvc()
    ));
    let mut out = String::new();
    for &kind in Kind::ALL {
        let objects = objects_of(&store, kind);
        out.push_str(&format!("== {kind} ==\n"));
        out.push_str(&table_at(kind, &objects, &TableOptions::default(), &ctx(&store)));
        if columns(kind).iter().any(|c| c.priority > 0) {
            out.push_str(&format!("== {kind} wide ==\n"));
            out.push_str(&table_at(
                kind,
                &objects,
                &TableOptions { wide: true, ..TableOptions::default() },
                &ctx(&store),
            ));
        }
    }
    out = visible(&out);
    expect![[r#"
        == Namespace ==
        NAME         STATUS   AGE
        production   Active   30m
        == Node ==
        NAME     STATUS                     ROLES           AGE   VERSION
        node-1   Ready,SchedulingDisabled   control-plane   30m   v1.34.1
        node-2   NotReady                   <none>          30m   v1.34.1
        == Node wide ==
        NAME     STATUS                     ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE           KERNEL-VERSION   CONTAINER-RUNTIME
        node-1   Ready,SchedulingDisabled   control-plane   30m   v1.34.1   10.0.1.11     <none>        Ubuntu 24.04 LTS   6.8.0            containerd://2.1.0
        node-2   NotReady                   <none>          30m   v1.34.1   <none>        <none>        <unknown>          <unknown>        <unknown>
        == Pod ==
        NAME         READY   STATUS              RESTARTS      AGE
        crash        0/1     CrashLoopBackOff    5 (45s ago)   10m
        failed       0/1     ExitCode:2          0             10m
        job-done     0/1     Completed           0             10m
        leaving      0/1     Terminating         0             10m
        postgres-0   1/1     Running             2 (45s ago)   10m
        web-1        0/2     ContainerCreating   0             10m
        == Pod wide ==
        NAME         READY   STATUS              RESTARTS      AGE   IP            NODE     NOMINATED NODE   READINESS GATES
        crash        0/1     CrashLoopBackOff    5 (45s ago)   10m   <none>        node-2   <none>           <none>
        failed       0/1     ExitCode:2          0             10m   <none>        <none>   <none>           <none>
        job-done     0/1     Completed           0             10m   <none>        <none>   <none>           <none>
        leaving      0/1     Terminating         0             10m   <none>        <none>   <none>           <none>
        postgres-0   1/1     Running             2 (45s ago)   10m   10.244.1.15   node-1   <none>           <none>
        web-1        0/2     ContainerCreating   0             10m   <none>        <none>   <none>           <none>
        == Service ==
        NAME                TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                      AGE
        postgres-headless   ClusterIP   None         <none>        5432/TCP                     30m
        web                 NodePort    10.96.0.12   <none>        80:30080/TCP,443:30443/TCP   30m
        == Service wide ==
        NAME                TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                      AGE   SELECTOR
        postgres-headless   ClusterIP   None         <none>        5432/TCP                     30m   app=postgres
        web                 NodePort    10.96.0.12   <none>        80:30080/TCP,443:30443/TCP   30m   <none>
        == Endpoints ==
        NAME                ENDPOINTS                                                        AGE
        postgres-headless   10.244.1.15:5432,10.244.2.15:5432,10.244.3.15:5432 + 1 more...   30m
        == EndpointSlice ==
        NAME                      ADDRESSTYPE   PORTS   ENDPOINTS                 AGE
        postgres-headless-x7k2p   IPv4          5432    10.244.1.15,10.244.2.15   30m
        == ConfigMap ==
        NAME           DATA   AGE
        app-settings   2      30m
        == Secret ==
        NAME              TYPE     DATA   AGE
        app-credentials   Opaque   1      30m
        == ServiceAccount ==
        NAME      SECRETS   AGE
        default   0         30m
        == PersistentVolume ==
        NAME          CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM                   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE
        pv-nfs-data   100Gi      RWX            Retain           Bound    production/data-claim                  <unset>                          5s
        == PersistentVolume wide ==
        NAME          CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS   CLAIM                   STORAGECLASS   VOLUMEATTRIBUTESCLASS   REASON   AGE   VOLUMEMODE
        pv-nfs-data   100Gi      RWX            Retain           Bound    production/data-claim                  <unset>                          5s    Filesystem
        == PersistentVolumeClaim ==
        NAME         STATUS   VOLUME        CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE
        data-claim   Bound    pv-nfs-data   100Gi      RWX                           <unset>                 5s
        == PersistentVolumeClaim wide ==
        NAME         STATUS   VOLUME        CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE   VOLUMEMODE
        data-claim   Bound    pv-nfs-data   100Gi      RWX                           <unset>                 5s    Filesystem
        == StorageClass ==
        NAME                 PROVISIONER                    RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE
        fast-ssd (default)   ebs.csi.aws.com                Delete          WaitForFirstConsumer   true                   40d
        regional-ssd         pd.csi.storage.gke.io          Retain          WaitForFirstConsumer   false                  2m30s
        standard             kubernetes.io/no-provisioner   Delete          Immediate              false                  121m
        == CSIDriver ==
        NAME              ATTACHREQUIRED   PODINFOONMOUNT   STORAGECAPACITY   TOKENREQUESTS       REQUIRESREPUBLISH   MODES                  AGE
        ebs.csi.aws.com   true             false            false             <unset>             false               Persistent             30m
        efs.csi.aws.com   false            false            false             sts.amazonaws.com   false               Persistent,Ephemeral   30m
        == CSINode ==
        NAME     DRIVERS   AGE
        node-1   1         40d
        == VolumeAttachment ==
        NAME         ATTACHER          PV         NODE     ATTACHED   AGE
        csi-0a1b2c   ebs.csi.aws.com   pvc-1f2e   node-1   true       30m
        == StatefulSet ==
        NAME       READY   AGE
        postgres   1/3     30m
        == StatefulSet wide ==
        NAME       READY   AGE   CONTAINERS   IMAGES
        postgres   1/3     30m   postgres     postgres:16
        == Deployment ==
        NAME   READY   UP-TO-DATE   AVAILABLE   AGE
        web    2/2     2            2           30m
        == Deployment wide ==
        NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS   IMAGES       SELECTOR
        web    2/2     2            2           30m   web          nginx:1.27   app=web
        == ReplicaSet ==
        NAME        DESIRED   CURRENT   READY   AGE
        web-5d8f7   2         2         2       30m
        == ReplicaSet wide ==
        NAME        DESIRED   CURRENT   READY   AGE   CONTAINERS   IMAGES       SELECTOR
        web-5d8f7   2         2         2       30m   web          nginx:1.27   app=web,pod-template-hash=5d8f7
        == Event ==
        == Event wide ==
        == VolumeSnapshot ==
        NAME                     READYTOUSE   SOURCEPVC       SOURCESNAPSHOTCONTENT   RESTORESIZE   SNAPSHOTCLASS        SNAPSHOTCONTENT      CREATIONTIME   AGE
        db-snapshot-2026-05-14   true         postgres-data                           100Gi         ebs-snapshot-class   snapcontent-abc123   2m             2m
        pending-snap                          postgres-data                                                                                   <invalid>      2m
        == VolumeSnapshotContent ==
        NAME                 READYTOUSE   RESTORESIZE    DELETIONPOLICY   DRIVER            VOLUMESNAPSHOTCLASS   VOLUMESNAPSHOT           VOLUMESNAPSHOTNAMESPACE   AGE
        snapcontent-abc123   true         107374182400   Retain           ebs.csi.aws.com   ebs-snapshot-class    db-snapshot-2026-05-14   production                2m
        == VolumeSnapshotClass ==
        NAME                 DRIVER            DELETIONPOLICY   AGE
        ebs-snapshot-class   ebs.csi.aws.com   Retain           30m
    "#]].assert_eq(&out);
}

fn events() -> String {
    format!(
        r#"apiVersion: v1
kind: Event
metadata:
  name: data-claim.1
  namespace: production
  creationTimestamp: "{t1}"
involvedObject:
  apiVersion: v1
  kind: PersistentVolumeClaim
  name: data-claim
  namespace: production
  uid: 7d3c
reason: ExternalProvisioning
message: "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
source:
  component: persistentvolume-controller
firstTimestamp: "{t1}"
lastTimestamp: "{t2}"
count: 3
type: Normal
---
apiVersion: v1
kind: Event
metadata:
  name: data-claim.2
  namespace: production
  creationTimestamp: "{t2}"
involvedObject:
  apiVersion: v1
  kind: PersistentVolumeClaim
  name: data-claim
  namespace: production
  uid: 7d3c
reason: ProvisioningSucceeded
message: "Successfully provisioned volume pvc-1f2e"
source:
  component: ebs.csi.aws.com_ebs-csi-controller-7d9
firstTimestamp: "{t3}"
lastTimestamp: "{t3}"
count: 1
type: Normal
---
apiVersion: v1
kind: Event
metadata:
  name: crash.1
  namespace: production
  creationTimestamp: "{t2}"
involvedObject:
  apiVersion: v1
  kind: Pod
  name: crash
  namespace: production
  fieldPath: spec.containers{{app}}
reason: BackOff
message: "Back-off restarting failed container app in pod crash_production(uid)"
source:
  component: kubelet
  host: node-2
firstTimestamp: "{t1}"
lastTimestamp: "{t2}"
count: 12
type: Warning
"#,
        t1 = at_s(NOW_S - 130),
        t2 = at_s(NOW_S - 20),
        t3 = at_s(NOW_S - 5),
    )
}

#[test]
fn describe_pv() {
    check_describe(
        &format!("{}---\n{}", guide_pv(), events()),
        ObjectKey::cluster(Kind::PersistentVolume, "pv-nfs-data"),
        expect![[r#"
            Name:            pv-nfs-data
            Labels:          environment=production
                             type=nfs
            Annotations:     pv.kubernetes.io/bound-by-controller: yes
            Finalizers:      [kubernetes.io/pv-protection]
            StorageClass:    $
            Status:          Bound
            Claim:           production/data-claim
            Reclaim Policy:  Retain
            Access Modes:    RWX
            VolumeMode:      Filesystem
            Capacity:        100Gi
            Node Affinity:   <none>
            Message:         $
            Source:
                Type:      NFS (an NFS mount that lasts the lifetime of a pod)
                Server:    10.0.1.50
                Path:      /exports/data
                ReadOnly:  false
            Events:        <none>
        "#]],
    );
}

#[test]
fn describe_pvc() {
    let manifests = format!(
        "{}---\n{}---\n{}",
        guide_pvc(),
        events(),
        pods().replace("claimName: data-postgres-0", "claimName: data-claim")
    );
    check_describe(
        &manifests,
        ObjectKey::namespaced(Kind::PersistentVolumeClaim, "production", "data-claim"),
        expect![[r#"
            Name:          data-claim
            Namespace:     production
            StorageClass:  $
            Status:        Bound
            Volume:        pv-nfs-data
            Labels:        <none>
            Annotations:   pv.kubernetes.io/bind-completed: yes
                           pv.kubernetes.io/bound-by-controller: yes
            Finalizers:    [kubernetes.io/pvc-protection]
            Capacity:      100Gi
            Access Modes:  RWX
            VolumeMode:    Filesystem
            Used By:       postgres-0
            Events:
              Type    Reason                 Age                  From                                    Message
              ----    ------                 ----                 ----                                    -------
              Normal  ExternalProvisioning   20s (x3 over 2m10s)  persistentvolume-controller             Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.
              Normal  ProvisioningSucceeded  5s                   ebs.csi.aws.com_ebs-csi-controller-7d9  Successfully provisioned volume pvc-1f2e
        "#]],
    );
}

#[test]
fn describe_secret_and_config_map_like_kubectl() {
    let manifests = concat!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\n  namespace: default\ntype: Opaque\n",
        "data:\n  api-key: YWstN2YzYzllMjE=\n  password: UzNjcjN0IQ==\n---\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n",
        "data:\n  mode: production\n",
    );
    check_describe(
        manifests,
        ObjectKey::namespaced(Kind::Secret, "default", "creds"),
        expect![[r#"
            Name:         creds
            Namespace:    default
            Labels:       <none>
            Annotations:  <none>

            Type:  Opaque

            Data
            ====
            api-key:   11 bytes
            password:  7 bytes
        "#]],
    );
    check_describe(
        manifests,
        ObjectKey::namespaced(Kind::ConfigMap, "default", "settings"),
        expect![[r#"
            Name:         settings
            Namespace:    default
            Labels:       <none>
            Annotations:  <none>

            Data
            ====
            mode:
            ----
            production

            BinaryData
            ====

            Events:  <none>
        "#]],
    );
}

#[test]
fn describe_storage_classes() {
    check_describe(
        &storage_classes(),
        ObjectKey::cluster(Kind::StorageClass, "fast-ssd"),
        expect![[r#"
        Name:                  fast-ssd
        IsDefaultClass:        Yes
        Annotations:           storageclass.kubernetes.io/is-default-class=true
        Provisioner:           ebs.csi.aws.com
        Parameters:            iops=5000,type=gp3
        AllowVolumeExpansion:  True
        MountOptions:
          noatime
        ReclaimPolicy:      Delete
        VolumeBindingMode:  WaitForFirstConsumer
        Events:             <none>
    "#]],
    );
    check_describe(
        &storage_classes(),
        ObjectKey::cluster(Kind::StorageClass, "regional-ssd"),
        expect![[r#"
            Name:                  regional-ssd
            IsDefaultClass:        No
            Annotations:           <none>
            Provisioner:           pd.csi.storage.gke.io
            Parameters:            type=pd-ssd
            AllowVolumeExpansion:  <unset>
            MountOptions:          <none>
            ReclaimPolicy:         Retain
            VolumeBindingMode:     WaitForFirstConsumer
            AllowedTopologies:     $
              Term 0:              topology.gke.io/zone in [us-central1-a, us-central1-b]
            Events:                <none>
        "#]],
    );
    check_describe(
        &storage_classes(),
        ObjectKey::cluster(Kind::StorageClass, "standard"),
        expect![[r#"
        Name:                  standard
        IsDefaultClass:        No
        Annotations:           <none>
        Provisioner:           kubernetes.io/no-provisioner
        Parameters:            <none>
        AllowVolumeExpansion:  <unset>
        MountOptions:          <none>
        Events:                <none>
    "#]],
    );
}

#[test]
fn describe_pod() {
    check_describe(
        &format!("{}---\n{}", pods(), events()),
        ObjectKey::namespaced(Kind::Pod, "production", "postgres-0"),
        expect![[r#"
            Name:             postgres-0
            Namespace:        production
            Service Account:  default
            Node:             node-1/10.0.1.11
            Start Time:       Tue, 23 Jun 2026 08:50:00 +0000
            Labels:           app=postgres
            Annotations:      <none>
            Status:           Running
            IP:               10.244.1.15
            IPs:
              IP:           10.244.1.15
            Controlled By:  StatefulSet/postgres
            Containers:
              postgres:
                Container ID:   containerd://0123
                Image:          postgres:16
                Image ID:       docker.io/library/postgres@sha256:abc
                Port:           5432/TCP (postgres)
                Host Port:      0/TCP (postgres)
                State:          Running
                  Started:      Tue, 23 Jun 2026 08:50:00 +0000
                Last State:     Terminated
                  Reason:       Error
                  Exit Code:    1
                  Started:      Tue, 23 Jun 2026 08:50:00 +0000
                  Finished:     Tue, 23 Jun 2026 08:59:15 +0000
                Ready:          True
                Restart Count:  2
                Limits:
                  memory:  4Gi
                Requests:
                  cpu:     1
                  memory:  2Gi
                Environment:
                  PGDATA:  /var/lib/postgresql/data/pgdata
                Mounts:
                  /var/lib/postgresql/data from data (rw)
                  /var/lib/postgresql/wal from wal (rw)
            Conditions:
              Type           Status
              Ready          True $
              PodScheduled   True $
            Volumes:
              data:
                Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
                ClaimName:  data-postgres-0
                ReadOnly:   false
              wal:
                Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)
                ClaimName:  wal-postgres-0
                ReadOnly:   false
              scratch:
                Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
                Medium:     Memory
                SizeLimit:  128Mi
              config:
                Type:      ConfigMap (a volume populated by a ConfigMap)
                Name:      app-settings
                Optional:  false
              creds:
                Type:        Secret (a volume populated by a Secret)
                SecretName:  app-credentials
                Optional:    false
              host:
                Type:          HostPath (bare host directory volume)
                Path:          /var/log
                HostPathType:  Directory
              info:
                Type:  DownwardAPI (a volume populated by information about the pod)
                Items:
                  metadata.labels -> labels
            QoS Class:       Burstable
            Node-Selectors:  <none>
            Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
            Events:          <none>
        "#]],
    );
    check_describe(
        &format!("{}---\n{}", pods(), events()),
        ObjectKey::namespaced(Kind::Pod, "production", "crash"),
        expect![[r#"
            Name:         crash
            Namespace:    production
            Node:         node-2/
            Labels:       <none>
            Annotations:  <none>
            Status:       Running
            IP:           $
            IPs:          <none>
            Containers:
              app:
                Container ID:   $
                Image:          busybox
                Image ID:       $
                Port:           <none>
                Host Port:      <none>
                State:          Waiting
                  Reason:       CrashLoopBackOff
                Last State:     Terminated
                  Reason:       Error
                  Exit Code:    1
                  Started:      Mon, 01 Jan 0001 00:00:00 +0000
                  Finished:     Tue, 23 Jun 2026 08:59:15 +0000
                Ready:          False
                Restart Count:  5
                Environment:    <none>
                Mounts:         <none>
            Volumes:            <none>
            QoS Class:          BestEffort
            Node-Selectors:     <none>
            Tolerations:        <none>
            Events:
              Type     Reason   Age                   From     Message
              ----     ------   ----                  ----     -------
              Warning  BackOff  20s (x12 over 2m10s)  kubelet  Back-off restarting failed container app in pod crash_production(uid)
        "#]],
    );
}

#[test]
fn describe_other_kinds() {
    let all = format!("{}---\n{}", cluster_objects(), pods());
    check_describe(
        &all,
        ObjectKey::namespaced(Kind::StatefulSet, "production", "postgres"),
        expect![[r#"
        Name:               postgres
        Namespace:          production
        CreationTimestamp:  Tue, 23 Jun 2026 08:30:00 +0000
        Selector:           app=postgres
        Labels:             <none>
        Annotations:        <none>
        Replicas:           3 desired | 2 total
        Update Strategy:    RollingUpdate
          Partition:        0
        Pods Status:        1 Running / 0 Waiting / 0 Succeeded / 0 Failed
        Pod Template:
          Labels:  app=postgres
          Containers:
           postgres:
            Image:        postgres:16
            Port:         <none>
            Host Port:    <none>
            Environment:  <none>
            Mounts:
              /var/lib/postgresql/data from data (rw)
          Volumes:         <none>
          Node-Selectors:  <none>
          Tolerations:     <none>
        Volume Claims:
          Name:          data
          StorageClass:  fast-ssd
          Labels:        <none>
          Annotations:   <none>
          Capacity:      100Gi
          Access Modes:  [ReadWriteOnce]
        Events:          <none>
    "#]],
    );
    check_describe(
        &all,
        ObjectKey::cluster(Kind::CSINode, "node-1"),
        expect![[r#"
        Name:               node-1
        Labels:             <none>
        Annotations:        <none>
        CreationTimestamp:  Thu, 14 May 2026 09:00:00 +0000
        Spec:
          Drivers:
            ebs.csi.aws.com:
              Node ID:  i-0abc
              Allocatables:
                Count:        25
              Topology Keys:  [topology.ebs.csi.aws.com/zone]
        Events:               <none>
    "#]],
    );
    check_describe(
        &all,
        ObjectKey::cluster(Kind::CSIDriver, "efs.csi.aws.com"),
        expect![[r#"
            Name:         efs.csi.aws.com
            Namespace:    $
            Labels:       <none>
            Annotations:  <none>
            API Version:  storage.k8s.io/v1
            Kind:         CSIDriver
            Metadata:
              Creation Timestamp:  2026-06-23T08:30:00Z
              Resource Version:    15
            Spec:
              Attach Required:   false
              Storage Capacity:  false
              Token Requests:
                Audience:  sts.amazonaws.com
              Volume Lifecycle Modes:
                Persistent
                Ephemeral
            Events:  <none>
        "#]],
    );
    check_describe(
        &all,
        ObjectKey::namespaced(Kind::VolumeSnapshot, "production", "db-snapshot-2026-05-14"),
        expect![[r#"
        Name:         db-snapshot-2026-05-14
        Namespace:    production
        Labels:       <none>
        Annotations:  <none>
        API Version:  snapshot.storage.k8s.io/v1
        Kind:         VolumeSnapshot
        Metadata:
          Creation Timestamp:  2026-06-23T08:58:00Z
          Resource Version:    19
        Spec:
          Source:
            Persistent Volume Claim Name:  postgres-data
          Volume Snapshot Class Name:      ebs-snapshot-class
        Status:
          Bound Volume Snapshot Content Name:  snapcontent-abc123
          Creation Time:                       2026-06-23T08:58:00Z
          Ready To Use:                        true
          Restore Size:                        100Gi
        Events:                                <none>
    "#]],
    );
    check_describe(
        &all,
        ObjectKey::cluster(Kind::Node, "node-1"),
        expect![[r#"
            Name:               node-1
            Roles:              control-plane
            Labels:             kubernetes.io/hostname=node-1
                                node-role.kubernetes.io/control-plane=
            Annotations:        <none>
            CreationTimestamp:  Tue, 23 Jun 2026 08:30:00 +0000
            Taints:             <none>
            Unschedulable:      true
            Conditions:
              Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason  Message
              ----    ------  -----------------                 ------------------                ------  -------
              Ready   True    Mon, 01 Jan 0001 00:00:00 +0000   Mon, 01 Jan 0001 00:00:00 +0000           $
            Addresses:
              InternalIP:  10.0.1.11
            System Info:
              Machine ID:                 m
              System UUID:                s
              Boot ID:                    b
              Kernel Version:             6.8.0
              OS Image:                   Ubuntu 24.04 LTS
              Operating System:           linux
              Architecture:               amd64
              Container Runtime Version:  containerd://2.1.0
              Kubelet Version:            v1.34.1
              Kube-Proxy Version:         $
            Non-terminated Pods:          (1 in total)
              Namespace                   Name          CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
              ---------                   ----          ------------  ----------  ---------------  -------------  ---
              production                  postgres-0    1 (0%)        0 (0%)      2Gi (0%)         4Gi (0%)       10m
            Allocated resources:
              (Total limits may be over 100 percent, i.e., overcommitted.)
              Resource           Requests  Limits
              --------           --------  ------
              cpu                1 (0%)    0 (0%)
              memory             2Gi (0%)  4Gi (0%)
              ephemeral-storage  0 (0%)    0 (0%)
            Events:              <none>
        "#]],
    );
}

#[test]
fn events_tables() {
    let store = store_of(&events());
    let c = ctx(&store);
    let mut out = events_table_at(&c, Some("production"), None, false);
    out.push_str("--\n");
    out.push_str(&events_table_at(
        &c,
        None,
        Some(&ObjectKey::namespaced(Kind::PersistentVolumeClaim, "production", "data-claim")),
        false,
    ));
    out.push_str("--\n");
    let objects = objects_of(&store, Kind::Event);
    out.push_str(&table_at(Kind::Event, &objects, &TableOptions::default(), &c));
    out.push_str("--\n");
    out.push_str(&events_table_at(&c, Some("default"), None, false));
    out.push_str(&no_events_found(Some("default")));
    out = visible(&out);
    expect![[r#"
        LAST SEEN              TYPE      REASON                  OBJECT                             MESSAGE
        20s (x12 over 2m10s)   Warning   BackOff                 Pod/crash                          Back-off restarting failed container app in pod crash_production(uid)
        20s (x3 over 2m10s)    Normal    ExternalProvisioning    PersistentVolumeClaim/data-claim   Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.
        5s                     Normal    ProvisioningSucceeded   PersistentVolumeClaim/data-claim   Successfully provisioned volume pvc-1f2e
        --
        NAMESPACE    LAST SEEN             TYPE     REASON                  OBJECT                             MESSAGE
        production   20s (x3 over 2m10s)   Normal   ExternalProvisioning    PersistentVolumeClaim/data-claim   Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.
        production   5s                    Normal   ProvisioningSucceeded   PersistentVolumeClaim/data-claim   Successfully provisioned volume pvc-1f2e
        --
        LAST SEEN   TYPE      REASON                  OBJECT                             MESSAGE
        20s         Warning   BackOff                 pod/crash                          Back-off restarting failed container app in pod crash_production(uid)
        20s         Normal    ExternalProvisioning    persistentvolumeclaim/data-claim   Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.
        5s          Normal    ProvisioningSucceeded   persistentvolumeclaim/data-claim   Successfully provisioned volume pvc-1f2e
        --
        No events found in default namespace."#]].assert_eq(&out);
}

#[test]
fn output_formats() {
    let pv = guide_pv();
    check_format(
        &pv,
        Kind::PersistentVolume,
        "json",
        false,
        expect![[r#"
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "annotations": {
                    "pv.kubernetes.io/bound-by-controller": "yes"
                },
                "creationTimestamp": "2026-06-23T08:59:55Z",
                "finalizers": [
                    "kubernetes.io/pv-protection"
                ],
                "labels": {
                    "environment": "production",
                    "type": "nfs"
                },
                "name": "pv-nfs-data",
                "resourceVersion": "1"
            },
            "spec": {
                "accessModes": [
                    "ReadWriteMany"
                ],
                "capacity": {
                    "storage": "100Gi"
                },
                "claimRef": {
                    "kind": "PersistentVolumeClaim",
                    "name": "data-claim",
                    "namespace": "production",
                    "uid": "7d3c"
                },
                "mountOptions": [
                    "hard",
                    "nfsvers=4.1"
                ],
                "nfs": {
                    "path": "/exports/data",
                    "server": "10.0.1.50"
                },
                "persistentVolumeReclaimPolicy": "Retain",
                "volumeMode": "Filesystem"
            },
            "status": {
                "phase": "Bound"
            }
        }
    "#]],
    );
    check_format(
        &pv,
        Kind::PersistentVolume,
        "yaml",
        false,
        expect![[r#"
        apiVersion: v1
        kind: PersistentVolume
        metadata:
          annotations:
            pv.kubernetes.io/bound-by-controller: "yes"
          creationTimestamp: "2026-06-23T08:59:55Z"
          finalizers:
          - kubernetes.io/pv-protection
          labels:
            environment: production
            type: nfs
          name: pv-nfs-data
          resourceVersion: "1"
        spec:
          accessModes:
          - ReadWriteMany
          capacity:
            storage: 100Gi
          claimRef:
            kind: PersistentVolumeClaim
            name: data-claim
            namespace: production
            uid: 7d3c
          mountOptions:
          - hard
          - nfsvers=4.1
          nfs:
            path: /exports/data
            server: 10.0.1.50
          persistentVolumeReclaimPolicy: Retain
          volumeMode: Filesystem
        status:
          phase: Bound
    "#]],
    );
    check_format(
        &pv,
        Kind::PersistentVolume,
        "yaml",
        true,
        expect![[r#"
        apiVersion: v1
        items:
        - apiVersion: v1
          kind: PersistentVolume
          metadata:
            annotations:
              pv.kubernetes.io/bound-by-controller: "yes"
            creationTimestamp: "2026-06-23T08:59:55Z"
            finalizers:
            - kubernetes.io/pv-protection
            labels:
              environment: production
              type: nfs
            name: pv-nfs-data
            resourceVersion: "1"
          spec:
            accessModes:
            - ReadWriteMany
            capacity:
              storage: 100Gi
            claimRef:
              kind: PersistentVolumeClaim
              name: data-claim
              namespace: production
              uid: 7d3c
            mountOptions:
            - hard
            - nfsvers=4.1
            nfs:
              path: /exports/data
              server: 10.0.1.50
            persistentVolumeReclaimPolicy: Retain
            volumeMode: Filesystem
          status:
            phase: Bound
        kind: List
        metadata:
          resourceVersion: ""
    "#]],
    );
    check_format(
        &storage_classes(),
        Kind::StorageClass,
        "name",
        true,
        expect![[r#"
        storageclass.storage.k8s.io/fast-ssd
        storageclass.storage.k8s.io/regional-ssd
        storageclass.storage.k8s.io/standard
    "#]],
    );
    check_format(
        &storage_classes(),
        Kind::StorageClass,
        "jsonpath={.items[*].metadata.name}",
        true,
        expect!["fast-ssd regional-ssd standard"],
    );
    check_format(
        &storage_classes(),
        Kind::StorageClass,
        r#"jsonpath={range .items[*]}{.metadata.name}{"\t"}{.provisioner}{"\n"}{end}"#,
        true,
        expect![[r#"
            fast-ssd	ebs.csi.aws.com
            regional-ssd	pd.csi.storage.gke.io
            standard	kubernetes.io/no-provisioner
        "#]],
    );
    check_format(
        &storage_classes(),
        Kind::StorageClass,
        "jsonpath-as-json={.items[0].parameters}",
        true,
        expect![[r#"
        [
            {
                "iops": "5000",
                "type": "gp3"
            }
        ]
    "#]],
    );
    check_format(
        &pv,
        Kind::PersistentVolume,
        "jsonpath={.spec.accessModes[5]}",
        false,
        expect![[r#"
            ERR error: error executing jsonpath "{.spec.accessModes[5]}": Error executing template: array index out of bounds: index 5, length 1. Printing more information for debugging the template:
            	template was:
            		{.spec.accessModes[5]}
            	object given to jsonpath engine was:
            		map[string]interface {}{"apiVersion":"v1", "kind":"PersistentVolume", "metadata":map[string]interface {}{"annotations":map[string]interface {}{"pv.kubernetes.io/bound-by-controller":"yes"}, "creationTimestamp":"2026-06-23T08:59:55Z", "finalizers":[]interface {}{"kubernetes.io/pv-protection"}, "labels":map[string]interface {}{"environment":"production", "type":"nfs"}, "name":"pv-nfs-data", "resourceVersion":"1"}, "spec":map[string]interface {}{"accessModes":[]interface {}{"ReadWriteMany"}, "capacity":map[string]interface {}{"storage":"100Gi"}, "claimRef":map[string]interface {}{"kind":"PersistentVolumeClaim", "name":"data-claim", "namespace":"production", "uid":"7d3c"}, "mountOptions":[]interface {}{"hard", "nfsvers=4.1"}, "nfs":map[string]interface {}{"path":"/exports/data", "server":"10.0.1.50"}, "persistentVolumeReclaimPolicy":"Retain", "volumeMode":"Filesystem"}, "status":map[string]interface {}{"phase":"Bound"}}


        "#]],
    );
    check_format(
        &guide_pvc(),
        Kind::PersistentVolumeClaim,
        "custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,STATUS:.status.phase,CAPACITY:.status.capacity.storage,STORAGECLASS:.spec.storageClassName,MODES:.spec.accessModes,SEL:.spec.selector.matchLabels,NOPE:.x",
        true,
        expect![[r#"
            NAMESPACE    NAME         STATUS   CAPACITY   STORAGECLASS   MODES             SEL                                    NOPE
            production   data-claim   Bound    100Gi                     [ReadWriteMany]   map[environment:production type:nfs]   <none>
        "#]],
    );
    check_format(
        &storage_classes(),
        Kind::StorageClass,
        "go-template={{range .items}}{{.metadata.name}} {{.reclaimPolicy}}{{\"\\n\"}}{{end}}",
        true,
        expect![[r#"
        fast-ssd Delete
        regional-ssd Retain
        standard <no value>
    "#]],
    );
    check_format(
        &storage_classes(),
        Kind::StorageClass,
        "wide",
        true,
        expect![[r#"
        NAME                 PROVISIONER                    RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE
        fast-ssd (default)   ebs.csi.aws.com                Delete          WaitForFirstConsumer   true                   40d
        regional-ssd         pd.csi.storage.gke.io          Retain          WaitForFirstConsumer   false                  2m30s
        standard             kubernetes.io/no-provisioner   Delete          Immediate              false                  121m
    "#]],
    );
}

#[test]
fn output_format_errors() {
    let mut out = String::new();
    for flag in [
        "xyz",
        "jsonpath",
        "jsonpath={.items[*}",
        "custom-columns=NAME",
        "custom-columns=NAME:{{.x}}",
        "custom-columns",
        "go-template={{.x",
        "JSON",
        "go-template-file=/tmp/t",
    ] {
        out.push_str(&format!("{flag}: {:?}\n", OutputFormat::parse(flag)));
    }
    expect![[r#"
        xyz: Err("error: unable to match a printer suitable for the output format \"xyz\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml")
        jsonpath: Err("error: template format specified but no template given")
        jsonpath={.items[*}: Err("error: error parsing jsonpath {.items[*}, unterminated array")
        custom-columns=NAME: Err("error: unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>")
        custom-columns=NAME:{{.x}}: Err("error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'")
        custom-columns: Err("error: custom-columns format specified but no custom columns given")
        go-template={{.x: Err("error: error parsing template {{.x, template: output:1: unclosed action")
        JSON: Ok(Json)
        go-template-file=/tmp/t: Ok(GoTemplateFile("/tmp/t"))
    "#]].assert_eq(&out);
}

#[test]
fn small_helpers() {
    assert_eq!(age(SimTime(130_000), SimTime(0)), "2m10s");
    assert_eq!(access_modes(&["ReadWriteOncePod".into(), "ReadWriteOnce".into(), "ReadWriteOnce".into()]), "RWO,RWOP");
    assert_eq!(resource_name(Kind::StorageClass, "fast-ssd", None), "storageclass.storage.k8s.io/fast-ssd");
    assert_eq!(
        resource_name(Kind::PersistentVolumeClaim, "data-claim", Some("created")),
        "persistentvolumeclaim/data-claim created"
    );
    assert_eq!(no_resources_found(Some("production")), "No resources found in production namespace.");
}
