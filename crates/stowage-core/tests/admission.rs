//! Table tests for admission: DefaultStorageClass, StorageObjectInUseProtection, PersistentVolumeClaimResize,
//! PodSecurity and defaulting, with the API server's exact messages.

use stowage_core::api::{Kind, Object, ObjectKey, StatusReason};
use stowage_core::apiserver::PatchType;
use stowage_core::{Cluster, Profile, Seed, SimDuration};

fn object(yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml::from_str(yaml).expect("test manifest is valid YAML");
    let kind = Kind::from_api_version_and_kind(value["apiVersion"].as_str().unwrap(), value["kind"].as_str().unwrap())
        .unwrap();
    Object::from_value_reporting_unknown(kind, value, &mut |path| panic!("unknown field {path}"))
        .expect("test manifest decodes")
}

fn class(name: &str, default: bool, expansion: bool) -> Object {
    object(&format!(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: {name}\n  annotations:\n    storageclass.kubernetes.io/is-default-class: \"{default}\"\nprovisioner: kubernetes.io/no-provisioner\nallowVolumeExpansion: {expansion}\n"
    ))
}

fn claim(name: &str, class: Option<&str>) -> Object {
    let class_line = class.map(|c| format!("  storageClassName: \"{c}\"\n")).unwrap_or_default();
    object(&format!(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n{class_line}  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n"
    ))
}

fn class_of(object: &Object) -> Option<String> {
    let Object::PersistentVolumeClaim(claim) = object else { panic!("not a claim") };
    claim.spec.as_ref().and_then(|s| s.storage_class_name.clone())
}

#[test]
fn default_storage_class_should_be_the_newest_default_and_never_replace_an_explicit_class() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(3));
    assert_eq!(
        class_of(&cluster.create(claim("no-default-yet", None)).unwrap()),
        None,
        "no default class: stays unset"
    );
    cluster.create(class("older", true, false)).unwrap();
    cluster.advance(SimDuration::from_secs(5));
    cluster.create(class("newer", true, false)).unwrap();
    cluster.create(class("not-default", false, false)).unwrap();
    let cases =
        [("unset", None, Some("newer")), ("empty", Some(""), Some("")), ("explicit", Some("older"), Some("older"))];
    for (name, requested, expected) in cases {
        let created = cluster.create(claim(name, requested)).unwrap();
        assert_eq!(class_of(&created).as_deref(), expected, "{name}");
    }
}

#[test]
fn protection_finalizers_should_be_added_on_create() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(3));
    let created = cluster.create(claim("c", Some(""))).unwrap();
    assert_eq!(created.meta().finalizers.as_deref(), Some(&["kubernetes.io/pvc-protection".to_string()][..]));
    let volume = object(
        "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: v\nspec:\n  capacity:\n    storage: 1Gi\n  accessModes: [ReadWriteOnce]\n  hostPath:\n    path: /tmp/v\n",
    );
    let created = cluster.create(volume).unwrap();
    assert_eq!(created.meta().finalizers.as_deref(), Some(&["kubernetes.io/pv-protection".to_string()][..]));
    let Object::PersistentVolume(volume) = &created else { panic!("kind") };
    let spec = volume.spec.as_ref().unwrap();
    assert_eq!(spec.persistent_volume_reclaim_policy.as_deref(), Some("Retain"), "defaulted");
    assert_eq!(spec.volume_mode.as_deref(), Some("Filesystem"), "defaulted");
    assert_eq!(volume.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Pending"), "status is reset on create");
}

#[test]
fn resize_admission_should_need_a_bound_claim_and_an_expandable_class() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(3));
    cluster.create(class("fixed", false, false)).unwrap();
    cluster.create(claim("pending", Some("fixed"))).unwrap();
    let key = ObjectKey::namespaced(Kind::PersistentVolumeClaim, "default", "pending");
    let grow = serde_json::json!({"spec": {"resources": {"requests": {"storage": "2Gi"}}}});
    let error = cluster.patch(&key, PatchType::Merge, &grow).unwrap_err();
    assert!(
        matches!(error.reason, StatusReason::Forbidden | StatusReason::Invalid),
        "a pending claim cannot be expanded: {error:?}"
    );
    // Bind it by hand (status is the API server's to keep; a test may write it as a controller would).
    let mut bound = cluster.api().get(&key).unwrap().clone();
    if let Object::PersistentVolumeClaim(claim) = &mut bound {
        claim.status.get_or_insert_with(Default::default).phase = Some("Bound".to_string());
    }
    cluster.update_status(bound).unwrap();
    let error = cluster.patch(&key, PatchType::Merge, &grow).unwrap_err();
    assert_eq!(error.reason, StatusReason::Forbidden);
    assert_eq!(
        error.message,
        "persistentvolumeclaims \"pending\" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize"
    );
}

#[test]
fn pod_security_should_enforce_the_namespace_level() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(3));
    cluster
        .create(object("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: secure\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n"))
        .unwrap();
    let pod = |namespace: &str| {
        object(&format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hostpath-demo\n  namespace: {namespace}\nspec:\n  containers:\n  - name: log-reader\n    image: busybox\n    volumeMounts:\n    - name: host-logs\n      mountPath: /host-logs\n  volumes:\n  - name: host-logs\n    hostPath:\n      path: /var/log\n      type: Directory\n"
        ))
    };
    let error = cluster.create(pod("secure")).unwrap_err();
    assert_eq!(error.reason, StatusReason::Forbidden);
    assert_eq!(
        error.message,
        "pods \"hostpath-demo\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"host-logs\")"
    );
    cluster.create(pod("default")).expect("the default namespace enforces nothing");
}

#[test]
fn validation_should_reject_with_the_api_servers_words() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(3));
    let bad = object(
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: bad\nspec:\n  resources:\n    requests:\n      storage: 1Gi\n",
    );
    let error = cluster.create(bad).unwrap_err();
    assert_eq!(error.reason, StatusReason::Invalid);
    assert_eq!(
        error.message,
        "PersistentVolumeClaim \"bad\" is invalid: spec.accessModes: Required value: at least 1 access mode is required"
    );
    let class = object(
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: x\nprovisioner: ebs.csi.aws.com\nreclaimPolicy: Recycle\n",
    );
    let error = cluster.create(class).unwrap_err();
    assert!(
        error
            .message
            .starts_with("StorageClass.storage.k8s.io \"x\" is invalid: reclaimPolicy: Unsupported value: \"Recycle\""),
        "{}",
        error.message
    );
}

#[test]
fn data_sources_should_be_normalized_on_create_like_the_claim_strategy() {
    let mut cluster = Cluster::new(Profile::Guide, Seed(3));
    let with = |name: &str, source: &str| {
        object(&format!(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n{source}"
        ))
    };
    let sources = |object: &Object| {
        let Object::PersistentVolumeClaim(claim) = object else { panic!("not a claim") };
        let spec = claim.spec.as_ref().unwrap();
        (
            spec.data_source.as_ref().map(|s| format!("{:?}/{}/{}", s.api_group, s.kind, s.name)),
            spec.data_source_ref.as_ref().map(|s| format!("{:?}/{}/{}/{:?}", s.api_group, s.kind, s.name, s.namespace)),
        )
    };
    let snapshot = "    apiGroup: snapshot.storage.k8s.io\n    kind: VolumeSnapshot\n    name: snap\n";
    let cases = [
        (
            "old-field",
            format!("  dataSource:\n{snapshot}"),
            (
                Some("Some(\"snapshot.storage.k8s.io\")/VolumeSnapshot/snap".to_string()),
                Some("Some(\"snapshot.storage.k8s.io\")/VolumeSnapshot/snap/None".to_string()),
            ),
        ),
        (
            "new-field",
            format!("  dataSourceRef:\n{snapshot}"),
            (
                Some("Some(\"snapshot.storage.k8s.io\")/VolumeSnapshot/snap".to_string()),
                Some("Some(\"snapshot.storage.k8s.io\")/VolumeSnapshot/snap/None".to_string()),
            ),
        ),
        (
            "cross-namespace",
            format!("  dataSourceRef:\n{snapshot}    namespace: other\n"),
            // CrossNamespaceVolumeDataSource is off: the namespace is dropped, then both fields are set.
            (
                Some("Some(\"snapshot.storage.k8s.io\")/VolumeSnapshot/snap".to_string()),
                Some("Some(\"snapshot.storage.k8s.io\")/VolumeSnapshot/snap/None".to_string()),
            ),
        ),
        ("none", String::new(), (None, None)),
    ];
    for (name, source, expected) in cases {
        let created = cluster.create(with(name, &source)).unwrap();
        assert_eq!(sources(&created), expected, "{name}");
    }
}
