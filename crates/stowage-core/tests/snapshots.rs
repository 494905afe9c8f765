//! Table tests for volume snapshots: the snapshot controller and the csi-snapshotter sidecar
//! (case ids grouped by the controller branch they cover, as external-snapshotter's tests are),
//! the provisioner's data-source checks, and capture and restore of data.

use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim};
use stowage_core::api::Typed;
use stowage_core::api::snapshot::{VolumeSnapshot, VolumeSnapshotContent};
use stowage_core::apiserver::DeleteOptions;
use stowage_core::snapshots::{self, DataSource};
use stowage_core::{Cluster, Kind, Object, ObjectKey, Profile, Seed, SimDuration};

/// What `resolve_data_source` answers for one table row.
type Resolved = Result<Option<DataSource>, String>;

fn object(yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml::from_str(yaml).expect("test manifest is valid YAML");
    let kind = Kind::from_api_version_and_kind(value["apiVersion"].as_str().unwrap(), value["kind"].as_str().unwrap())
        .unwrap();
    Object::from_value_reporting_unknown(kind, value, &mut |path| panic!("unknown field {path}"))
        .expect("test manifest decodes")
}

const EBS_CLASS: &str = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: ebs}\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: Immediate\n";
const EBS_WFFC_CLASS: &str = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: ebs-wffc}\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: WaitForFirstConsumer\n";
const DATA_CLAIM: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: ebs\n  resources: {requests: {storage: 1Gi}}\n";
const PENDING_CLAIM: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: ebs-wffc\n  resources: {requests: {storage: 1Gi}}\n";
const SNAPCLASS_DELETE: &str = "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotClass\nmetadata: {name: ebs-snap}\ndriver: ebs.csi.aws.com\ndeletionPolicy: Delete\n";
const SNAPCLASS_RETAIN: &str = "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotClass\nmetadata: {name: ebs-snap}\ndriver: ebs.csi.aws.com\ndeletionPolicy: Retain\n";
const SNAPCLASS_DEFAULT: &str = "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotClass\nmetadata:\n  name: ebs-default\n  annotations: {snapshot.storage.kubernetes.io/is-default-class: \"true\"}\ndriver: ebs.csi.aws.com\ndeletionPolicy: Delete\n";
const SNAPCLASS_DEFAULT_EFS: &str = "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotClass\nmetadata:\n  name: efs-default\n  annotations: {snapshot.storage.kubernetes.io/is-default-class: \"true\"}\ndriver: efs.csi.aws.com\ndeletionPolicy: Delete\n";
const SNAPCLASS_EFS: &str = "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotClass\nmetadata: {name: ebs-snap}\ndriver: efs.csi.aws.com\ndeletionPolicy: Delete\n";

fn snapshot_of(claim: &str, class: Option<&str>) -> String {
    let class = class.map(|c| format!("  volumeSnapshotClassName: {c}\n")).unwrap_or_default();
    format!(
        "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshot\nmetadata: {{name: snap}}\nspec:\n{class}  source: {{persistentVolumeClaimName: {claim}}}\n"
    )
}

fn cluster(profile: Profile, manifests: &[&str]) -> Cluster {
    let mut cluster = Cluster::new(profile, Seed(11));
    for manifest in manifests {
        cluster.create(object(manifest)).unwrap_or_else(|e| panic!("create {manifest}: {e:?}"));
        cluster.settle();
    }
    cluster
}

fn run(cluster: &mut Cluster) {
    cluster.settle();
    cluster.advance(SimDuration::from_secs(30));
    cluster.settle();
}

fn snapshot(cluster: &Cluster, name: &str) -> Option<VolumeSnapshot> {
    cluster.api().store().get_typed::<VolumeSnapshot>("default", name).cloned()
}

fn content(cluster: &Cluster, name: &str) -> Option<VolumeSnapshotContent> {
    cluster.api().store().get_typed::<VolumeSnapshotContent>("", name).cloned()
}

fn claim(cluster: &Cluster, name: &str) -> PersistentVolumeClaim {
    cluster.api().store().get_typed::<PersistentVolumeClaim>("default", name).cloned().expect("claim exists")
}

fn events(cluster: &Cluster, name: &str) -> Vec<String> {
    let mut events: Vec<&Event> = cluster
        .api()
        .store()
        .list_typed::<Event>()
        .filter(|e| e.involved_object.name.as_deref() == Some(name))
        .collect();
    events.sort_by_key(|e| (e.first_timestamp.clone().map(|t| t.0), e.metadata.name.clone()));
    events
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e.type_.as_deref().unwrap_or(""),
                e.reason.as_deref().unwrap_or(""),
                e.message.as_deref().unwrap_or("")
            )
        })
        .collect()
}

fn finalizers(object: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Vec<String> {
    object.finalizers.clone().unwrap_or_default()
}

/// One case of the snapshot controllers' table.
struct Case {
    name: &'static str,
    profile: Profile,
    initial: &'static [&'static str],
    snapshot: String,
    ready: Option<bool>,
    error: Option<&'static str>,
    events: &'static [&'static str],
    content: bool,
}

#[test]
fn snapshot_controller_table() {
    let cases = vec![
        Case {
            name: "1-1 successful dynamic snapshot with an explicit class",
            profile: Profile::Guide,
            initial: &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_DELETE],
            snapshot: snapshot_of("data", Some("ebs-snap")),
            ready: Some(true),
            error: None,
            events: &[
                "Normal CreatingSnapshot Waiting for a snapshot default/snap to be created by the CSI driver.",
                "Normal SnapshotCreated Snapshot default/snap was successfully created by the CSI driver.",
                "Normal SnapshotReady Snapshot default/snap is ready to use.",
            ],
            content: true,
        },
        Case {
            name: "1-2 default class by annotation and driver",
            profile: Profile::Guide,
            initial: &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_DEFAULT_EFS, SNAPCLASS_DEFAULT],
            snapshot: snapshot_of("data", None),
            ready: Some(true),
            error: None,
            events: &[
                "Normal CreatingSnapshot Waiting for a snapshot default/snap to be created by the CSI driver.",
                "Normal SnapshotCreated Snapshot default/snap was successfully created by the CSI driver.",
                "Normal SnapshotReady Snapshot default/snap is ready to use.",
            ],
            content: true,
        },
        Case {
            name: "1-3 no default class for the driver",
            profile: Profile::Guide,
            initial: &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_DELETE, SNAPCLASS_DEFAULT_EFS],
            snapshot: snapshot_of("data", None),
            ready: None,
            error: Some("Failed to set default snapshot class with error cannot find default snapshot class"),
            events: &[
                "Warning SetDefaultSnapshotClassFailed Failed to set default snapshot class with error cannot find default snapshot class",
            ],
            content: false,
        },
        Case {
            name: "1-4 missing snapshot class",
            profile: Profile::Guide,
            initial: &[EBS_CLASS, DATA_CLAIM],
            snapshot: snapshot_of("data", Some("missing")),
            ready: None,
            error: Some(
                "Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \"missing\" not found",
            ),
            events: &[
                "Warning GetSnapshotClassFailed Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \"missing\" not found",
            ],
            content: false,
        },
        Case {
            name: "1-5 source claim not found",
            profile: Profile::Guide,
            initial: &[SNAPCLASS_DELETE],
            snapshot: snapshot_of("nope", Some("ebs-snap")),
            ready: Some(false),
            error: Some(
                "Failed to create snapshot content with error snapshot controller failed to update snap on API server: cannot get claim from snapshot",
            ),
            events: &[
                "Warning SnapshotContentCreationFailed Failed to create snapshot content with error snapshot controller failed to update snap on API server: cannot get claim from snapshot",
            ],
            content: false,
        },
        Case {
            name: "1-6 source claim not found with the default class",
            profile: Profile::Guide,
            initial: &[SNAPCLASS_DEFAULT],
            snapshot: snapshot_of("nope", None),
            ready: None,
            error: Some(
                "Failed to set default snapshot class with error failed to retrieve PVC nope from the lister: \"persistentvolumeclaim \\\"nope\\\" not found\"",
            ),
            events: &[
                "Warning SetDefaultSnapshotClassFailed Failed to set default snapshot class with error failed to retrieve PVC nope from the lister: \"persistentvolumeclaim \\\"nope\\\" not found\"",
            ],
            content: false,
        },
        Case {
            name: "1-7 source claim not bound",
            profile: Profile::Guide,
            initial: &[EBS_WFFC_CLASS, PENDING_CLAIM, SNAPCLASS_DELETE],
            snapshot: snapshot_of("data", Some("ebs-snap")),
            ready: Some(false),
            error: Some(
                "Failed to create snapshot content with error failed to get input parameters to create snapshot snap: \"the PVC data is not yet bound to a PV, will not attempt to take a snapshot\"",
            ),
            events: &[
                "Warning SnapshotContentCreationFailed Failed to create snapshot content with error failed to get input parameters to create snapshot snap: \"the PVC data is not yet bound to a PV, will not attempt to take a snapshot\"",
            ],
            content: false,
        },
        Case {
            name: "1-8 class of a driver without a snapshotter waits forever",
            profile: Profile::Guide,
            initial: &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_EFS],
            snapshot: snapshot_of("data", Some("ebs-snap")),
            ready: Some(false),
            error: None,
            events: &["Normal CreatingSnapshot Waiting for a snapshot default/snap to be created by the CSI driver."],
            content: true,
        },
    ];
    for case in cases {
        let mut cluster = cluster(case.profile, case.initial);
        cluster.create(object(&case.snapshot)).expect("create snapshot");
        run(&mut cluster);
        let snapshot = snapshot(&cluster, "snap").expect("snapshot exists");
        let status = snapshot.status.clone().unwrap_or_default();
        assert_eq!(status.ready_to_use, case.ready, "{}: readyToUse {status:?}", case.name);
        assert_eq!(status.error.as_ref().and_then(|e| e.message.as_deref()), case.error, "{}: error", case.name);
        assert_eq!(events(&cluster, "snap"), case.events, "{}: events", case.name);
        let content_name = format!("snapcontent-{}", snapshot.metadata.uid.clone().unwrap_or_default());
        assert_eq!(content(&cluster, &content_name).is_some(), case.content, "{}: content", case.name);
        assert!(cluster.violations().is_empty(), "{}: {:?}", case.name, cluster.violations());
    }
}

#[test]
fn a_dynamic_snapshot_should_carry_upstream_fields_and_finalizers() {
    let mut cluster = cluster(Profile::Guide, &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_DEFAULT]);
    cluster.create(object(&snapshot_of("data", None))).unwrap();
    // While the snapshot is being taken, the claim is protected.
    for _ in 0..200 {
        if content(&cluster, &format!("snapcontent-{}", snapshot(&cluster, "snap").unwrap().metadata.uid.unwrap()))
            .is_some()
        {
            break;
        }
        cluster.step();
    }
    assert!(
        finalizers(&claim(&cluster, "data").metadata)
            .contains(&"snapshot.storage.kubernetes.io/pvc-as-source-protection".to_string())
    );
    run(&mut cluster);
    let snapshot = snapshot(&cluster, "snap").unwrap();
    assert_eq!(snapshot.spec.volume_snapshot_class_name.as_deref(), Some("ebs-default"));
    assert_eq!(
        finalizers(&snapshot.metadata),
        [
            "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection",
            "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection"
        ]
    );
    let status = snapshot.status.clone().unwrap();
    let content_name = format!("snapcontent-{}", snapshot.metadata.uid.clone().unwrap());
    assert_eq!(status.bound_volume_snapshot_content_name.as_deref(), Some(content_name.as_str()));
    assert_eq!(status.restore_size.as_deref(), Some("1Gi"));
    assert!(
        status.creation_time.as_deref().is_some_and(|t| t.starts_with("2026-05-14T09:") && t.ends_with('Z')),
        "{status:?}"
    );
    let content = content(&cluster, &content_name).unwrap();
    assert_eq!(
        finalizers(&content.metadata),
        ["snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection"]
    );
    assert_eq!(content.spec.driver, "ebs.csi.aws.com");
    assert_eq!(content.spec.deletion_policy, "Delete");
    assert_eq!(content.spec.source_volume_mode.as_deref(), Some("Filesystem"));
    assert_eq!(content.spec.volume_snapshot_ref.uid, snapshot.metadata.uid);
    let claim = claim(&cluster, "data");
    let volume = cluster
        .api()
        .store()
        .get_typed::<k8s_openapi::api::core::v1::PersistentVolume>(
            "",
            claim.spec.as_ref().unwrap().volume_name.as_deref().unwrap(),
        )
        .unwrap();
    assert_eq!(
        content.spec.source.volume_handle.as_deref(),
        Some(volume.spec.as_ref().unwrap().csi.as_ref().unwrap().volume_handle.as_str())
    );
    let content_status = content.status.clone().unwrap();
    assert_eq!(content_status.restore_size, Some(1 << 30));
    assert_eq!(content_status.ready_to_use, Some(true));
    let handle = content_status.snapshot_handle.clone().unwrap();
    assert!(handle.starts_with("snap-0") && handle.len() == 22, "{handle}");
    assert!(
        content
            .metadata
            .annotations
            .as_ref()
            .is_none_or(|a| { !a.contains_key("snapshot.storage.kubernetes.io/volumesnapshot-being-created") })
    );
    assert!(
        !finalizers(&claim.metadata).contains(&"snapshot.storage.kubernetes.io/pvc-as-source-protection".to_string()),
        "released once ready"
    );
    assert!(cluster.backend().snapshots.get(&handle).is_some());
    // The trace draws the lanes: controller to API, sidecar to CSI, CSI to cloud and back.
    let trace: Vec<String> =
        cluster.api().trace().events().iter().map(|e| format!("{} -> {}: {}", e.from, e.to, e.message)).collect();
    let find = |needle: &str| {
        trace.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} in {trace:#?}"))
    };
    let call = find("csi-snapshotter -> csi-controller: CreateSnapshot snapshot-");
    let cloud = find("csi-controller -> cloud: EC2 CreateSnapshot vol-");
    let reply = find("csi-controller -> csi-snapshotter: CreateSnapshot: snapshot_id=snap-");
    assert!(call < cloud && cloud < reply);
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

#[test]
fn deletion_policy_delete_should_remove_the_content_and_the_storage_snapshot() {
    let mut cluster = cluster(Profile::Guide, &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_DELETE]);
    cluster.create(object(&snapshot_of("data", Some("ebs-snap")))).unwrap();
    run(&mut cluster);
    let content_name = snapshot(&cluster, "snap").unwrap().status.unwrap().bound_volume_snapshot_content_name.unwrap();
    assert_eq!(cluster.backend().snapshots.len(), 1);
    cluster.delete(&ObjectKey::namespaced(Kind::VolumeSnapshot, "default", "snap"), DeleteOptions::default()).unwrap();
    run(&mut cluster);
    assert!(snapshot(&cluster, "snap").is_none());
    assert!(content(&cluster, &content_name).is_none());
    assert!(cluster.backend().snapshots.is_empty());
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

#[test]
fn deletion_policy_retain_should_keep_the_content_and_allow_pre_provisioned_rebinding() {
    let mut cluster = cluster(Profile::Guide, &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_RETAIN]);
    cluster.create(object(&snapshot_of("data", Some("ebs-snap")))).unwrap();
    run(&mut cluster);
    let old = snapshot(&cluster, "snap").unwrap();
    assert_eq!(
        finalizers(&old.metadata),
        ["snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection"],
        "no bound protection with Retain"
    );
    let content_name = old.status.unwrap().bound_volume_snapshot_content_name.unwrap();
    cluster.delete(&ObjectKey::namespaced(Kind::VolumeSnapshot, "default", "snap"), DeleteOptions::default()).unwrap();
    run(&mut cluster);
    assert!(snapshot(&cluster, "snap").is_none());
    let retained = content(&cluster, &content_name).expect("Retain keeps the content");
    assert_eq!(
        retained
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("snapshot.storage.kubernetes.io/volumesnapshot-being-deleted"))
            .map(String::as_str),
        Some("yes")
    );
    let handle = retained.status.unwrap().snapshot_handle.unwrap();
    assert!(cluster.backend().snapshots.get(&handle).is_some());

    // [Test set 2] Pre-provisioned: a new content names the retained storage snapshot.
    let content_yaml = format!(
        "apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotContent\nmetadata: {{name: imported}}\nspec:\n  deletionPolicy: Retain\n  driver: ebs.csi.aws.com\n  source: {{snapshotHandle: {handle}}}\n  volumeSnapshotRef: {{name: restored, namespace: default}}\n"
    );
    cluster.create(object(&content_yaml)).unwrap();
    cluster.create(object("apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshot\nmetadata: {name: restored}\nspec:\n  source: {volumeSnapshotContentName: imported}\n")).unwrap();
    run(&mut cluster);
    let restored = snapshot(&cluster, "restored").unwrap();
    let status = restored.status.clone().unwrap();
    assert_eq!(status.ready_to_use, Some(true), "{status:?}");
    assert_eq!(status.bound_volume_snapshot_content_name.as_deref(), Some("imported"));
    assert_eq!(status.restore_size.as_deref(), Some("1Gi"));
    let imported = content(&cluster, "imported").unwrap();
    assert_eq!(imported.spec.volume_snapshot_ref.uid, restored.metadata.uid);
    assert_eq!(
        finalizers(&imported.metadata),
        ["snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection"]
    );

    // [Test set 2] A content naming a storage snapshot that does not exist.
    cluster.create(object("apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshotContent\nmetadata: {name: bogus}\nspec:\n  deletionPolicy: Retain\n  driver: ebs.csi.aws.com\n  source: {snapshotHandle: snap-0000000000000000}\n  volumeSnapshotRef: {name: bogus, namespace: default}\n")).unwrap();
    cluster.create(object("apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshot\nmetadata: {name: bogus}\nspec:\n  source: {volumeSnapshotContentName: bogus}\n")).unwrap();
    cluster.create(object("apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshot\nmetadata: {name: orphan}\nspec:\n  source: {volumeSnapshotContentName: nothing}\n")).unwrap();
    run(&mut cluster);
    let message = "Failed to check and update snapshot content: failed to list snapshot for content bogus: \"can not find snapshot for snapshotID snap-0000000000000000\"";
    assert_eq!(
        events(&cluster, "bogus")
            .iter()
            .filter(|e| e.starts_with("Warning SnapshotContentCheckandUpdateFailed"))
            .collect::<Vec<_>>(),
        [&format!("Warning SnapshotContentCheckandUpdateFailed {message}")]
    );
    let bogus = snapshot(&cluster, "bogus").unwrap().status.unwrap();
    assert_eq!((bogus.ready_to_use, bogus.error.and_then(|e| e.message)), (Some(false), Some(message.to_string())));
    assert_eq!(events(&cluster, "orphan"), ["Warning SnapshotContentMissing VolumeSnapshotContent is missing"]);
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

fn restore_claim(name: &str, namespace: &str, size: &str, class: &str, source_kind: &str, source: &str) -> String {
    let group = if source_kind == "VolumeSnapshot" { "\n    apiGroup: snapshot.storage.k8s.io" } else { "" };
    format!(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {name}, namespace: {namespace}}}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: {class}\n  resources: {{requests: {{storage: {size}}}}}\n  dataSource:\n    name: {source}\n    kind: {source_kind}{group}\n"
    )
}

fn resolve(cluster: &Cluster, yaml: &str, class: &str) -> Result<Option<DataSource>, String> {
    let claim_object = object(yaml);
    let claim = PersistentVolumeClaim::from_object(&claim_object).unwrap();
    let class = cluster
        .api()
        .store()
        .get_typed::<k8s_openapi::api::storage::v1::StorageClass>("", class)
        .cloned()
        .unwrap_or_else(|| {
            k8s_openapi::api::storage::v1::StorageClass::from_object(&object(&format!(
                "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: {class}}}\nprovisioner: {class}\n"
            )))
            .unwrap()
            .clone()
        });
    snapshots::resolve_data_source(cluster.api().store(), claim, &class)
}

#[test]
fn restore_checks_should_use_the_provisioner_words() {
    let mut cluster = cluster(Profile::Guide, &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_DELETE]);
    cluster.create(object("apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n")).unwrap();
    cluster.create(object(&snapshot_of("data", Some("ebs-snap")))).unwrap();
    // Bound to its content, not ready yet: EBS snapshots stay pending for a while.
    cluster.advance(SimDuration::from_millis(2500));
    let prefix = "error getting handle for DataSource Type VolumeSnapshot by Name snap: ";
    let restore =
        |size: &str, namespace: &str| restore_claim("restored", namespace, size, "ebs", "VolumeSnapshot", "snap");
    assert_eq!(
        resolve(&cluster, &restore("1Gi", "default"), "ebs"),
        Err(format!("{prefix}snapshot snap is not Ready"))
    );
    run(&mut cluster);
    let handle = content(
        &cluster,
        &snapshot(&cluster, "snap").unwrap().status.unwrap().bound_volume_snapshot_content_name.unwrap(),
    )
    .unwrap()
    .status
    .unwrap()
    .snapshot_handle
    .unwrap();
    let rows: Vec<(&str, String, &str, Resolved)> = vec![
        ("4-1 restore of a ready snapshot", restore("1Gi", "default"), "ebs", Ok(Some(DataSource::Snapshot { name: "snap".to_string(), snapshot_handle: handle.clone() }))),
        ("4-2 a larger restore is allowed", restore("5Gi", "default"), "ebs", Ok(Some(DataSource::Snapshot { name: "snap".to_string(), snapshot_handle: handle.clone() }))),
        ("4-3 request smaller than restoreSize", restore("512Mi", "default"), "ebs", Err(format!("{prefix}requested volume size 536870912 is less than the size 1073741824 for the source snapshot snap"))),
        ("4-4 snapshot in another namespace", restore("1Gi", "other"), "ebs", Err(format!("{prefix}error getting snapshot snap from api server: volumesnapshots.snapshot.storage.k8s.io \"snap\" not found"))),
        ("4-5 content of another driver", restore("1Gi", "default"), "hostpath.csi.k8s.io", Err(format!("{prefix}snapshot snap not bound"))),
        ("4-6 driver without snapshots", restore("1Gi", "default"), "efs.csi.aws.com", Err("CSI driver does not support snapshot restore: controller CREATE_DELETE_SNAPSHOT capability is not reported".to_string())),
        ("4-7 wrong api group", restore_claim("restored", "default", "1Gi", "ebs", "VolumeSnapshot", "snap").replace("apiGroup: snapshot.storage.k8s.io", "apiGroup: example.com"), "ebs", Err("the PVC source does not belong to the right APIGroup. Expected snapshot.storage.k8s.io, Got example.com".to_string())),
        ("4-8 clone on a driver without CLONE_VOLUME", restore_claim("clone", "default", "1Gi", "ebs", "PersistentVolumeClaim", "data"), "ebs", Err("CSI driver does not support clone operations: controller CLONE_VOLUME capability is not reported".to_string())),
        ("4-9 external populator", restore_claim("pop", "default", "1Gi", "ebs", "Widget", "w"), "ebs", Ok(Some(DataSource::Populator { kind: "Widget".to_string() }))),
    ];
    for (name, yaml, class, expected) in rows {
        assert_eq!(resolve(&cluster, &yaml, class), expected, "{name}");
    }
    // A snapshot without a bound content.
    cluster.create(object("apiVersion: snapshot.storage.k8s.io/v1\nkind: VolumeSnapshot\nmetadata: {name: unbound}\nspec:\n  volumeSnapshotClassName: missing\n  source: {persistentVolumeClaimName: data}\n")).unwrap();
    run(&mut cluster);
    let yaml = restore_claim("restored", "default", "1Gi", "ebs", "VolumeSnapshot", "unbound");
    assert_eq!(
        resolve(&cluster, &yaml, "ebs"),
        Err("error getting handle for DataSource Type VolumeSnapshot by Name unbound: snapshot unbound not bound"
            .to_string())
    );
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

const HOSTPATH_CLASS: &str = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: csi-hostpath}\nprovisioner: hostpath.csi.k8s.io\nvolumeBindingMode: Immediate\n";

#[test]
fn clone_checks_should_use_the_provisioner_words() {
    let source = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: source}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: csi-hostpath\n  resources: {requests: {storage: 2Gi}}\n";
    let cluster = cluster(Profile::Bare, &[HOSTPATH_CLASS, source]);
    assert_eq!(claim(&cluster, "source").status.and_then(|s| s.phase).as_deref(), Some("Bound"));
    let volume_name = claim(&cluster, "source").spec.unwrap().volume_name.unwrap();
    let volume =
        cluster.api().store().get_typed::<k8s_openapi::api::core::v1::PersistentVolume>("", &volume_name).unwrap();
    let handle = volume.spec.as_ref().unwrap().csi.as_ref().unwrap().volume_handle.clone();
    let prefix = "error getting handle for DataSource Type PersistentVolumeClaim by Name ";
    let clone = |size: &str, source: &str| {
        restore_claim("clone", "default", size, "csi-hostpath", "PersistentVolumeClaim", source)
    };
    let rows: Vec<(&str, String, Resolved)> = vec![
        (
            "5-1 clone",
            clone("2Gi", "source"),
            Ok(Some(DataSource::Claim { name: "source".to_string(), volume_handle: handle.clone() })),
        ),
        (
            "5-2 clone smaller than the source request",
            clone("1Gi", "source"),
            Err(format!(
                "{prefix}source: error, new PVC request must be greater than or equal in size to the specified PVC data source, requested 1073741824 but source is 2147483648"
            )),
        ),
        (
            "5-3 source not found",
            clone("2Gi", "nope"),
            Err(format!(
                "{prefix}nope: error getting PVC nope (namespace \"default\") from api server: persistentvolumeclaim \"nope\" not found"
            )),
        ),
        (
            "5-4 block from filesystem",
            clone("2Gi", "source").replace("  dataSource:", "  volumeMode: Block\n  dataSource:"),
            Err(format!(
                "{prefix}source: the source PVC and destination PVCs must have the same volume mode for cloning.  Source is Filesystem, but new PVC requested Block"
            )),
        ),
    ];
    for (name, yaml, expected) in rows {
        assert_eq!(resolve(&cluster, &yaml, "csi-hostpath"), expected, "{name}");
    }
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

/// external-provisioner's cloning protection (controller.go `setCloneFinalizer`, clone_controller.go `syncClaim`):
/// the source gets `provisioner.storage.kubernetes.io/cloning-protection` before CreateVolume; deleting it while
/// the clone is Pending leaves it Terminating; once no clone of it is Pending the finalizer goes and so does the
/// claim. A source that is not deleted keeps the finalizer.
#[test]
fn a_claim_being_cloned_should_stay_terminating_until_the_clone_binds() {
    const CLONING: &str = "provisioner.storage.kubernetes.io/cloning-protection";
    let source = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: source}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: csi-hostpath\n  resources: {requests: {storage: 2Gi}}\n";
    let mut cluster = cluster(Profile::Bare, &[HOSTPATH_CLASS, source]);
    assert_eq!(finalizers(&claim(&cluster, "source").metadata), ["kubernetes.io/pvc-protection"]);
    let clone = |name: &str| restore_claim(name, "default", "2Gi", "csi-hostpath", "PersistentVolumeClaim", "source");
    cluster.create(object(&clone("clone-1"))).unwrap();
    // Step until the provisioner has started the clone (the source carries the finalizer), the clone still Pending.
    let mut steps = 0;
    while !finalizers(&claim(&cluster, "source").metadata).contains(&CLONING.to_string()) {
        assert!(cluster.step().is_some() && steps < 1000, "the provisioner never protected the source");
        steps += 1;
    }
    assert_eq!(claim(&cluster, "clone-1").status.and_then(|s| s.phase).as_deref(), Some("Pending"));
    cluster
        .delete(&ObjectKey::namespaced(Kind::PersistentVolumeClaim, "default", "source"), DeleteOptions::default())
        .unwrap();
    let terminating = claim(&cluster, "source");
    assert!(terminating.metadata.deletion_timestamp.is_some());
    assert_eq!(finalizers(&terminating.metadata), ["kubernetes.io/pvc-protection", CLONING]);
    run(&mut cluster);
    assert_eq!(claim(&cluster, "clone-1").status.and_then(|s| s.phase).as_deref(), Some("Bound"));
    assert!(
        cluster.api().store().get_typed::<PersistentVolumeClaim>("default", "source").is_none(),
        "released once the clone is Bound"
    );
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());

    // Not deleted: the finalizer stays after the clone is done.
    let mut cluster = self::cluster(Profile::Bare, &[HOSTPATH_CLASS, source]);
    cluster.create(object(&clone("clone-2"))).unwrap();
    run(&mut cluster);
    assert_eq!(claim(&cluster, "clone-2").status.and_then(|s| s.phase).as_deref(), Some("Bound"));
    assert_eq!(finalizers(&claim(&cluster, "source").metadata), ["kubernetes.io/pvc-protection", CLONING]);
    // Any clone that is Pending holds a deleted source (the upstream caveat): one in a WaitForFirstConsumer class
    // that no pod uses never provisions.
    let wffc = HOSTPATH_CLASS
        .replace("name: csi-hostpath", "name: csi-hostpath-wffc")
        .replace("Immediate", "WaitForFirstConsumer");
    cluster.create(object(&wffc)).unwrap();
    cluster.create(object(&clone("clone-3").replace("csi-hostpath", "csi-hostpath-wffc"))).unwrap();
    run(&mut cluster);
    cluster
        .delete(&ObjectKey::namespaced(Kind::PersistentVolumeClaim, "default", "source"), DeleteOptions::default())
        .unwrap();
    run(&mut cluster);
    assert_eq!(claim(&cluster, "clone-3").status.and_then(|s| s.phase).as_deref(), Some("Pending"));
    assert!(claim(&cluster, "source").metadata.deletion_timestamp.is_some(), "Terminating while a clone is Pending");
    assert_eq!(finalizers(&claim(&cluster, "source").metadata), [CLONING]);
    cluster
        .delete(&ObjectKey::namespaced(Kind::PersistentVolumeClaim, "default", "clone-3"), DeleteOptions::default())
        .unwrap();
    // Promptly, without waiting for a resync: the deleted clone wakes its source.
    cluster.settle();
    assert!(cluster.api().store().get_typed::<PersistentVolumeClaim>("default", "source").is_none());
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

#[test]
fn a_snapshot_restoring_a_pending_claim_should_wait_to_be_deleted() {
    let mut cluster = cluster(Profile::Guide, &[EBS_CLASS, EBS_WFFC_CLASS, DATA_CLAIM, SNAPCLASS_DELETE]);
    cluster.create(object(&snapshot_of("data", Some("ebs-snap")))).unwrap();
    run(&mut cluster);
    // WaitForFirstConsumer and no pod: the restoring claim stays Pending.
    cluster.create(object(&restore_claim("restored", "default", "1Gi", "ebs-wffc", "VolumeSnapshot", "snap"))).unwrap();
    cluster.delete(&ObjectKey::namespaced(Kind::VolumeSnapshot, "default", "snap"), DeleteOptions::default()).unwrap();
    run(&mut cluster);
    assert!(snapshot(&cluster, "snap").is_some_and(|s| s.metadata.deletion_timestamp.is_some()));
    assert!(
        events(&cluster, "snap")
            .contains(&"Warning SnapshotDeletePending Snapshot is being used to restore a PVC".to_string())
    );
    cluster
        .delete(&ObjectKey::namespaced(Kind::PersistentVolumeClaim, "default", "restored"), DeleteOptions::default())
        .unwrap();
    run(&mut cluster);
    cluster.advance(SimDuration::from_secs(120));
    assert!(snapshot(&cluster, "snap").is_none(), "released once no claim restores from it");
    assert!(cluster.backend().snapshots.is_empty());
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

fn counter_lines(cluster: &Cluster, tree: &stowage_core::fs::FsTree) -> usize {
    let _ = cluster;
    tree.lookup_path("/counter")
        .ok()
        .and_then(|ino| tree.read(ino).ok())
        .map(|data| data.iter().filter(|b| **b == b'\n').count())
        .unwrap_or(0)
}

#[test]
fn a_snapshot_should_capture_what_the_writer_had_written_at_that_moment() {
    let mut cluster = cluster(Profile::Guide, &[EBS_CLASS, DATA_CLAIM, SNAPCLASS_DELETE]);
    let script: Vec<String> = (1..=200).map(|n| format!("echo {n} >> /data/counter && sleep 1")).collect();
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: writer}}\nspec:\n  restartPolicy: Never\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, '{}']\n    volumeMounts: [{{name: data, mountPath: /data}}]\n  volumes: [{{name: data, persistentVolumeClaim: {{claimName: data}}}}]\n",
        script.join(" && ")
    );
    cluster.create(object(&pod)).unwrap();
    let volume_name = claim(&cluster, "data").spec.unwrap().volume_name.unwrap();
    let pv = cluster
        .api()
        .store()
        .get_typed::<k8s_openapi::api::core::v1::PersistentVolume>("", &volume_name)
        .cloned()
        .unwrap();
    let handle = pv.spec.unwrap().csi.unwrap().volume_handle;
    let volume_tree =
        |cluster: &Cluster| cluster.backend().fs.get(cluster.backend().volumes[&handle].fs).cloned().unwrap();
    for _ in 0..600 {
        if counter_lines(&cluster, &volume_tree(&cluster)) >= 100 {
            break;
        }
        cluster.advance(SimDuration::from_millis(250));
    }
    assert_eq!(counter_lines(&cluster, &volume_tree(&cluster)), 100, "the writer reached 100");
    cluster.create(object(&snapshot_of("data", Some("ebs-snap")))).unwrap();
    cluster.advance(SimDuration::from_secs(150));
    assert_eq!(counter_lines(&cluster, &volume_tree(&cluster)), 200, "the writer went on to 200");
    let snapshot = snapshot(&cluster, "snap").unwrap();
    assert_eq!(snapshot.status.as_ref().and_then(|s| s.ready_to_use), Some(true));
    let handle = content(&cluster, snapshot.status.unwrap().bound_volume_snapshot_content_name.as_deref().unwrap())
        .unwrap()
        .status
        .unwrap()
        .snapshot_handle
        .unwrap();
    let frozen = &cluster.backend().snapshots.get(&handle).unwrap().tree;
    let lines = counter_lines(&cluster, frozen);
    assert!(
        (100..=101).contains(&lines),
        "the snapshot holds what was written when CreateSnapshot reached the storage: {lines}"
    );
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}
