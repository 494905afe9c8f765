//! Table tests for the simulated API server: create, update, patch, delete, finalizers, namespaces,
//! events and determinism, through the `Cluster` façade.

use stowage_core::api::{Kind, Object, ObjectKey, StatusReason};
use stowage_core::apiserver::{DeleteOptions, Deleted, PatchType, Propagation};
use stowage_core::{Cluster, Profile, Seed};

fn object(yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml::from_str(yaml).expect("test manifest is valid YAML");
    let kind = Kind::from_api_version_and_kind(value["apiVersion"].as_str().unwrap(), value["kind"].as_str().unwrap())
        .unwrap();
    Object::from_value_reporting_unknown(kind, value, &mut |path| panic!("unknown field {path}"))
        .expect("test manifest decodes")
}

fn cluster() -> Cluster {
    let cluster = Cluster::new(Profile::Guide, Seed(1));
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
    cluster
}

const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\ndata:\n  a: b\n";

#[test]
fn every_profile_should_bootstrap_without_violations() {
    for profile in Profile::ALL {
        let cluster = Cluster::new(*profile, Seed(7));
        assert!(cluster.violations().is_empty(), "{profile}: {:?}", cluster.violations());
        let store = cluster.api().store();
        for namespace in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            assert!(
                store.get(&ObjectKey::cluster(Kind::Namespace, namespace)).is_some(),
                "{profile}: namespace {namespace}"
            );
        }
        assert!(
            store.get(&ObjectKey::namespaced(Kind::Service, "kube-system", "kube-dns")).is_some(),
            "{profile}: kube-dns"
        );
        assert!(store.list(Kind::Node).count() >= 1, "{profile}: nodes");
    }
}

#[test]
fn create_should_assign_identity_and_reject_duplicates() {
    let mut cluster = cluster();
    let created = cluster.create(object(CONFIG_MAP)).unwrap();
    assert_eq!(created.namespace(), "default");
    assert_eq!(created.uid().len(), 36);
    assert!(created.meta().creation_timestamp.is_some());
    let error = cluster.create(object(CONFIG_MAP)).unwrap_err();
    assert_eq!(error.reason, StatusReason::AlreadyExists);
    assert_eq!(error.message, "configmaps \"app-settings\" already exists");
}

#[test]
fn create_should_require_an_existing_live_namespace() {
    let mut cluster = cluster();
    let mut config_map = object(CONFIG_MAP);
    config_map.meta_mut().namespace = Some("production".to_string());
    let error = cluster.create(config_map.clone()).unwrap_err();
    assert_eq!((error.reason, error.message.as_str()), (StatusReason::NotFound, "namespaces \"production\" not found"));
    cluster.create(object("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\n")).unwrap();
    cluster.create(config_map.clone()).unwrap();
    cluster.delete(&ObjectKey::cluster(Kind::Namespace, "production"), DeleteOptions::default()).unwrap();
    let mut other = config_map;
    other.meta_mut().name = Some("other".to_string());
    let error = cluster.create(other).unwrap_err();
    assert_eq!(error.reason, StatusReason::Forbidden);
    assert_eq!(
        error.message,
        "configmaps \"other\" is forbidden: unable to create new content in namespace production because it is being terminated"
    );
    cluster.settle();
    assert!(
        cluster.api().store().get(&ObjectKey::cluster(Kind::Namespace, "production")).is_none(),
        "namespace finalized"
    );
    assert!(
        cluster.api().store().get(&ObjectKey::namespaced(Kind::ConfigMap, "production", "app-settings")).is_none(),
        "contents deleted"
    );
}

#[test]
fn update_should_enforce_resource_version_preconditions() {
    let mut cluster = cluster();
    let created = cluster.create(object(CONFIG_MAP)).unwrap();
    let mut first = created.clone();
    first.meta_mut().labels = Some([("a".to_string(), "1".to_string())].into());
    let updated = cluster.update(first).unwrap();
    assert_ne!(updated.meta().resource_version, created.meta().resource_version);
    let mut stale = created;
    stale.meta_mut().labels = Some([("a".to_string(), "2".to_string())].into());
    let error = cluster.update(stale).unwrap_err();
    assert_eq!(error.reason, StatusReason::Conflict);
    assert_eq!(
        error.message,
        "Operation cannot be fulfilled on configmaps \"app-settings\": the object has been modified; please apply your changes to the latest version and try again"
    );
}

#[test]
fn patch_should_merge_and_report_no_change() {
    let mut cluster = cluster();
    cluster.create(object(CONFIG_MAP)).unwrap();
    let key = ObjectKey::namespaced(Kind::ConfigMap, "default", "app-settings");
    let patched = cluster.patch(&key, PatchType::Merge, &serde_json::json!({"data": {"c": "d"}})).unwrap();
    let Object::ConfigMap(map) = &patched else { panic!("kind") };
    assert_eq!(map.data.as_ref().unwrap().len(), 2);
    let again = cluster.patch(&key, PatchType::Merge, &serde_json::json!({"data": {"c": "d"}})).unwrap();
    assert_eq!(again.meta().resource_version, patched.meta().resource_version, "a no-op patch writes nothing");
    let error = cluster.patch(&key, PatchType::Merge, &serde_json::json!({"dta": {}})).unwrap_err();
    assert_eq!(error.reason, StatusReason::BadRequest);
    assert_eq!(error.message, "strict decoding error: unknown field \"dta\"");
}

#[test]
fn finalizers_should_hold_an_object_terminating_until_removed() {
    let mut cluster = cluster();
    let mut config_map = object(CONFIG_MAP);
    config_map.meta_mut().finalizers = Some(vec!["example.com/hold".to_string()]);
    cluster.create(config_map).unwrap();
    let key = ObjectKey::namespaced(Kind::ConfigMap, "default", "app-settings");
    let Deleted::Marked(marked) = cluster.delete(&key, DeleteOptions::default()).unwrap() else { panic!("must wait") };
    assert!(marked.is_terminating());
    let mut release = marked;
    release.meta_mut().finalizers = None;
    cluster.update(release).unwrap();
    assert!(cluster.api().store().get(&key).is_none());
    let error = cluster.delete(&key, DeleteOptions::default()).unwrap_err();
    assert_eq!(error.message, "configmaps \"app-settings\" not found");
}

#[test]
fn garbage_collector_should_follow_owner_references_and_propagation() {
    for (propagation, dependent_survives) in
        [(Propagation::Background, false), (Propagation::Foreground, false), (Propagation::Orphan, true)]
    {
        let mut cluster = cluster();
        let owner = cluster.create(object(CONFIG_MAP)).unwrap();
        let dependent = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: dep\n  ownerReferences:\n  - apiVersion: v1\n    kind: ConfigMap\n    name: app-settings\n    uid: {}\n",
            owner.uid()
        );
        cluster.create(object(&dependent)).unwrap();
        cluster.delete(&owner.key(), DeleteOptions { propagation, ..DeleteOptions::default() }).unwrap();
        cluster.settle();
        let store = cluster.api().store();
        assert!(store.get(&owner.key()).is_none(), "{propagation:?}: owner gone");
        let secret = store.get(&ObjectKey::namespaced(Kind::Secret, "default", "dep"));
        assert_eq!(secret.is_some(), dependent_survives, "{propagation:?}");
        if let Some(secret) = secret {
            assert!(
                secret.meta().owner_references.as_ref().is_none_or(Vec::is_empty),
                "orphaned dependents lose the reference"
            );
        }
        assert!(cluster.violations().is_empty());
    }
}

#[test]
fn events_should_aggregate_repeats() {
    let mut cluster = cluster();
    let created = cluster.create(object(CONFIG_MAP)).unwrap();
    let _ = cluster.api();
    let mut api = cluster.api().clone();
    for _ in 0..3 {
        api.record_event(
            "persistentvolume-controller",
            None,
            &created.key(),
            stowage_core::apiserver::EventType::Normal,
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set",
        );
    }
    let events: Vec<_> = api.store().list_typed_in::<k8s_openapi::api::core::v1::Event>("default").collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].count, Some(3));
    assert_eq!(events[0].source.as_ref().and_then(|s| s.component.as_deref()), Some("persistentvolume-controller"));
}

#[test]
fn same_seed_should_give_the_same_trace() {
    let run = || {
        let mut cluster = Cluster::new(Profile::Guide, Seed(42));
        cluster.create(object(CONFIG_MAP)).unwrap();
        cluster.settle();
        let trace: Vec<String> = cluster.api().trace().events().iter().map(ToString::to_string).collect();
        let uids: Vec<String> = cluster.api().store().all().map(|o| o.uid().to_string()).collect();
        (trace, uids)
    };
    assert_eq!(run(), run());
    let other = {
        let mut cluster = Cluster::new(Profile::Guide, Seed(43));
        cluster.create(object(CONFIG_MAP)).unwrap();
        cluster.api().store().all().map(|o| o.uid().to_string()).collect::<Vec<_>>()
    };
    assert_ne!(run().1, other, "another seed gives other uids");
}
