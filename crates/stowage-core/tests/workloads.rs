//! Engine-level tests of Deployments, ReplicaSets, Services, Endpoints, EndpointSlices and cluster DNS.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Endpoints, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use stowage_core::api::Typed;
use stowage_core::apiserver::DeleteOptions;
use stowage_core::{Cluster, Kind, Object, ObjectKey, Profile, Seed, SimDuration};

fn object(kind: Kind, yaml: &str) -> Object {
    let value: serde_json::Value = serde_yaml::from_str(yaml).expect("yaml");
    Object::from_value_reporting_unknown(kind, value, &mut |_| {}).expect("object")
}

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80, name: http}]
"#;

const WEB_SERVICE: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: web, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
"#;

fn cluster_with(seed: u64, manifests: &[(Kind, &str)]) -> Cluster {
    let mut cluster = Cluster::new(Profile::Guide, Seed(seed));
    for (kind, yaml) in manifests {
        cluster.create(object(*kind, yaml)).expect("create");
    }
    cluster.settle();
    cluster
}

fn deployment(cluster: &Cluster, name: &str) -> Deployment {
    cluster.api().store().get_typed::<Deployment>("default", name).cloned().expect("deployment")
}

fn replica_sets(cluster: &Cluster) -> Vec<ReplicaSet> {
    cluster.api().store().list_typed_in::<ReplicaSet>("default").cloned().collect()
}

/// Live (not terminating) pods whose name starts with `prefix`, as `name phase`.
fn pods(cluster: &Cluster, prefix: &str) -> Vec<Pod> {
    cluster
        .api()
        .store()
        .list_typed_in::<Pod>("default")
        .filter(|p| p.metadata.name.as_deref().unwrap_or("").starts_with(prefix))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .cloned()
        .collect()
}

fn name(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

fn events_of(cluster: &Cluster, involved: &str) -> Vec<String> {
    stowage_core::testing::events_about(cluster.api(), involved)
}

fn assert_no_violations(cluster: &Cluster) {
    assert!(cluster.violations().is_empty(), "{:?}", cluster.violations());
}

fn is_hash(text: &str) -> bool {
    !text.is_empty() && text.len() <= 10 && text.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c))
}

fn conditions(deployment: &Deployment) -> Vec<String> {
    deployment
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .map(|c| {
            format!(
                "{} {} {}: {}",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn deployment_should_create_one_replica_set_and_running_pods() {
    let cluster = cluster_with(11, &[(Kind::Deployment, WEB)]);
    let sets = replica_sets(&cluster);
    assert_eq!(sets.len(), 1, "{sets:?}");
    let set = &sets[0];
    let set_name = name(&set.metadata);
    let hash = set_name.strip_prefix("web-").expect("named after the deployment");
    assert!(is_hash(hash), "{set_name}");
    let labels = set.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("pod-template-hash").map(String::as_str), Some(hash));
    let annotations = set.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(annotations.get("deployment.kubernetes.io/revision").map(String::as_str), Some("1"));
    assert_eq!(annotations.get("deployment.kubernetes.io/desired-replicas").map(String::as_str), Some("3"));
    assert_eq!(annotations.get("deployment.kubernetes.io/max-replicas").map(String::as_str), Some("4"));
    let owner = &set.metadata.owner_references.as_ref().expect("owned")[0];
    assert_eq!((owner.kind.as_str(), owner.name.as_str()), ("Deployment", "web"));
    assert_eq!((owner.controller, owner.block_owner_deletion), (Some(true), Some(true)));

    let pods = pods(&cluster, "web-");
    assert_eq!(pods.len(), 3);
    for pod in &pods {
        let pod_name = name(&pod.metadata);
        let suffix = pod_name.strip_prefix(&format!("{set_name}-")).expect("named after the replica set");
        assert_eq!(suffix.len(), 5, "{pod_name}");
        assert!(suffix.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)), "{pod_name}");
        assert_eq!(pod.metadata.generate_name.as_deref(), Some(format!("{set_name}-").as_str()));
        assert_eq!(phase(pod), "Running", "{pod_name}");
        assert_eq!(
            pod.metadata.labels.as_ref().and_then(|l| l.get("pod-template-hash")).map(String::as_str),
            Some(hash)
        );
        let owner = &pod.metadata.owner_references.as_ref().expect("owned")[0];
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str(), owner.controller),
            ("ReplicaSet", set_name.as_str(), Some(true))
        );
    }

    let deployment = deployment(&cluster, "web");
    let status = deployment.status.clone().expect("status");
    assert_eq!(
        (status.replicas, status.ready_replicas, status.available_replicas, status.updated_replicas),
        (Some(3), Some(3), Some(3), Some(3))
    );
    assert_eq!(status.unavailable_replicas, None);
    assert_eq!(status.observed_generation, Some(1));
    assert_eq!(
        deployment
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("deployment.kubernetes.io/revision"))
            .map(String::as_str),
        Some("1")
    );
    assert_eq!(
        conditions(&deployment),
        [
            "Available True MinimumReplicasAvailable: Deployment has minimum availability.".to_string(),
            format!("Progressing True NewReplicaSetAvailable: ReplicaSet \"{set_name}\" has successfully progressed."),
        ]
    );
    let set_status = replica_sets(&cluster)[0].status.clone().expect("set status");
    assert_eq!((set_status.replicas, set_status.ready_replicas, set_status.available_replicas), (3, Some(3), Some(3)));

    assert_eq!(
        events_of(&cluster, "web"),
        [format!("Normal ScalingReplicaSet: Scaled up replica set {set_name} from 0 to 3")]
    );
    let set_events = events_of(&cluster, &set_name);
    assert_eq!(set_events.len(), 3, "{set_events:?}");
    for event in &set_events {
        assert!(event.starts_with(&format!("Normal SuccessfulCreate: Created pod: {set_name}-")), "{event}");
    }
    assert_no_violations(&cluster);
}

#[test]
fn deployment_names_should_repeat_for_the_same_seed() {
    let names = |seed| {
        let cluster = cluster_with(seed, &[(Kind::Deployment, WEB)]);
        pods(&cluster, "web-").iter().map(|p| name(&p.metadata)).collect::<Vec<_>>()
    };
    assert_eq!(names(5), names(5));
    assert_ne!(names(5), names(6));
}

#[test]
fn scale_down_should_delete_two_pods() {
    let mut cluster = cluster_with(12, &[(Kind::Deployment, WEB)]);
    let set_name = name(&replica_sets(&cluster)[0].metadata);
    let key = ObjectKey::namespaced(Kind::Deployment, "default", "web");
    cluster
        .patch(&key, stowage_core::apiserver::PatchType::Merge, &serde_json::json!({"spec": {"replicas": 1}}))
        .expect("scale");
    cluster.settle();
    cluster.advance(SimDuration::from_secs(60));
    assert_eq!(replica_sets(&cluster).len(), 1, "scaling does not roll out");
    assert_eq!(pods(&cluster, "web-").len(), 1);
    let all_pods = cluster.api().store().list_typed_in::<Pod>("default").count();
    assert_eq!(all_pods, 1, "the deleted pods are gone after their grace period");
    assert!(
        events_of(&cluster, "web")
            .contains(&format!("Normal ScalingReplicaSet: Scaled down replica set {set_name} from 3 to 1")),
        "{:?}",
        events_of(&cluster, "web")
    );
    let deletes = events_of(&cluster, &set_name)
        .iter()
        .filter(|e| e.starts_with("Normal SuccessfulDelete: Deleted pod: "))
        .count();
    assert_eq!(deletes, 2);
    let status = deployment(&cluster, "web").status.expect("status");
    assert_eq!((status.replicas, status.available_replicas, status.observed_generation), (Some(1), Some(1), Some(2)));
    let set = &replica_sets(&cluster)[0];
    let annotations = set.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(annotations.get("deployment.kubernetes.io/desired-replicas").map(String::as_str), Some("1"));
    assert_no_violations(&cluster);
}

#[test]
fn template_change_should_roll_out_a_new_replica_set() {
    let mut cluster = cluster_with(13, &[(Kind::Deployment, WEB)]);
    let old_name = name(&replica_sets(&cluster)[0].metadata);
    let key = ObjectKey::namespaced(Kind::Deployment, "default", "web");
    let patch =
        serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.28"}]}}}});
    cluster.patch(&key, stowage_core::apiserver::PatchType::Strategic, &patch).expect("patch");
    let mut max_pods = 0;
    let mut min_available = i32::MAX;
    for _ in 0..200 {
        if cluster.step().is_none() {
            break;
        }
        let live = pods(&cluster, "web-").len();
        max_pods = max_pods.max(live);
        let available = deployment(&cluster, "web").status.and_then(|s| s.available_replicas).unwrap_or(0);
        min_available = min_available.min(available);
    }
    cluster.settle();
    cluster.advance(SimDuration::from_secs(60));
    let sets = replica_sets(&cluster);
    assert_eq!(sets.len(), 2, "the old set is kept for history");
    let new = sets.iter().find(|s| name(&s.metadata) != old_name).expect("new set");
    let new_name = name(&new.metadata);
    assert!(is_hash(new_name.strip_prefix("web-").unwrap_or("")), "{new_name}");
    let old = sets.iter().find(|s| name(&s.metadata) == old_name).expect("old set");
    assert_eq!(old.spec.as_ref().and_then(|s| s.replicas), Some(0));
    assert_eq!(new.spec.as_ref().and_then(|s| s.replicas), Some(3));
    let revision = |s: &ReplicaSet| {
        s.metadata.annotations.as_ref().and_then(|a| a.get("deployment.kubernetes.io/revision")).cloned()
    };
    assert_eq!((revision(old).as_deref(), revision(new).as_deref()), (Some("1"), Some("2")));
    let live = pods(&cluster, "web-");
    assert_eq!(live.len(), 3);
    assert!(live.iter().all(|p| name(&p.metadata).starts_with(&format!("{new_name}-")) && phase(p) == "Running"));
    assert!(max_pods <= 4, "maxSurge 25% of 3 allows one extra pod, saw {max_pods}");
    assert!(min_available >= 3, "maxUnavailable 25% of 3 rounds down to 0, saw {min_available}");
    let events = events_of(&cluster, "web");
    assert!(
        events.contains(&format!("Normal ScalingReplicaSet: Scaled up replica set {new_name} from 0 to 1")),
        "{events:?}"
    );
    assert!(
        events.contains(&format!("Normal ScalingReplicaSet: Scaled down replica set {old_name} from 3 to 2")),
        "{events:?}"
    );
    let deployment = deployment(&cluster, "web");
    assert_eq!(
        deployment
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("deployment.kubernetes.io/revision"))
            .map(String::as_str),
        Some("2")
    );
    assert_eq!(deployment.status.as_ref().and_then(|s| s.updated_replicas), Some(3));
    assert!(
        conditions(&deployment).last().is_some_and(|c| c.contains("NewReplicaSetAvailable") && c.contains(&new_name))
    );
    assert_no_violations(&cluster);
}

#[test]
fn revision_history_limit_should_prune_old_replica_sets() {
    let manifest = WEB.replace("replicas: 3", "replicas: 1\n  revisionHistoryLimit: 1");
    let mut cluster = cluster_with(14, &[(Kind::Deployment, manifest.as_str())]);
    let key = ObjectKey::namespaced(Kind::Deployment, "default", "web");
    for image in ["nginx:1.28", "nginx:1.29", "nginx:1.30"] {
        let patch =
            serde_json::json!({"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": image}]}}}});
        cluster.patch(&key, stowage_core::apiserver::PatchType::Strategic, &patch).expect("patch");
        cluster.settle();
    }
    let sets = replica_sets(&cluster);
    assert_eq!(sets.len(), 2, "the current set and one old one");
    let mut revisions: Vec<String> = sets
        .iter()
        .filter_map(|s| s.metadata.annotations.as_ref()?.get("deployment.kubernetes.io/revision").cloned())
        .collect();
    revisions.sort();
    assert_eq!(revisions, ["3", "4"]);
    assert_no_violations(&cluster);
}

#[test]
fn deleting_a_deployment_should_remove_its_replica_sets_and_pods() {
    let mut cluster = cluster_with(15, &[(Kind::Deployment, WEB)]);
    cluster
        .delete(&ObjectKey::namespaced(Kind::Deployment, "default", "web"), DeleteOptions::default())
        .expect("delete");
    cluster.settle();
    cluster.advance(SimDuration::from_secs(60));
    assert!(replica_sets(&cluster).is_empty());
    assert_eq!(cluster.api().store().list_typed_in::<Pod>("default").count(), 0);
    assert_no_violations(&cluster);
}

#[test]
fn services_should_get_cluster_ips_and_node_ports() {
    let mut cluster = cluster_with(16, &[(Kind::Service, WEB_SERVICE)]);
    let service = cluster.api().store().get_typed::<Service>("default", "web").cloned().expect("service");
    let spec = service.spec.clone().expect("spec");
    let ip = spec.cluster_ip.clone().expect("clusterIP");
    let octets: Vec<u32> = ip.split('.').map(|o| o.parse().expect("octet")).collect();
    assert_eq!(octets[0], 10, "{ip}");
    assert!((96..=111).contains(&octets[1]), "{ip} is in 10.96.0.0/12");
    assert_ne!(ip, "10.96.0.1");
    assert_ne!(ip, "10.96.0.10");
    assert_eq!(spec.cluster_ips, Some(vec![ip.clone()]));
    assert_eq!(spec.ip_families, Some(vec!["IPv4".to_string()]));
    assert_eq!(spec.ip_family_policy.as_deref(), Some("SingleStack"));

    let headless =
        "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  clusterIP: None\n  selector: {app: db}\n";
    let created = cluster.create(object(Kind::Service, headless)).expect("headless");
    let spec = created.as_typed::<Service>().and_then(|s| s.spec.clone()).expect("spec");
    assert_eq!(spec.cluster_ip.as_deref(), Some("None"));
    assert_eq!(spec.cluster_ips, Some(vec!["None".to_string()]));

    let node_port = "apiVersion: v1\nkind: Service\nmetadata: {name: np}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let created = cluster.create(object(Kind::Service, node_port)).expect("nodeport");
    let spec = created.as_typed::<Service>().and_then(|s| s.spec.clone()).expect("spec");
    let port = spec.ports.as_ref().and_then(|p| p[0].node_port).expect("nodePort");
    assert!((30000..=32767).contains(&port), "{port}");
    assert_eq!(spec.external_traffic_policy.as_deref(), Some("Cluster"));

    let taken = format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: dup}}\nspec:\n  clusterIP: {ip}\n  ports: [{{port: 80}}]\n"
    );
    let error = cluster.create(object(Kind::Service, &taken)).expect_err("the IP is taken");
    assert!(
        error.message.contains(&format!("failed to allocate IP {ip}: provided IP is already allocated")),
        "{}",
        error.message
    );
    let outside = "apiVersion: v1\nkind: Service\nmetadata: {name: out}\nspec:\n  clusterIP: 192.168.0.1\n  ports: [{port: 80}]\n";
    let error = cluster.create(object(Kind::Service, outside)).expect_err("outside the range");
    assert!(
        error.message.contains("is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
        "{}",
        error.message
    );

    // A replace without clusterIP keeps the allocated one.
    let mut replaced = service.clone();
    replaced.metadata.resource_version = None;
    if let Some(spec) = replaced.spec.as_mut() {
        spec.cluster_ip = None;
        spec.cluster_ips = None;
    }
    let updated = cluster.update(replaced.into_object()).expect("replace");
    let kept = updated.as_typed::<Service>().and_then(|s| s.spec.as_ref()?.cluster_ip.clone());
    assert_eq!(kept, Some(ip));
    assert_no_violations(&cluster);
}

#[test]
fn endpoints_should_track_ready_pods() {
    let mut cluster = cluster_with(17, &[(Kind::Service, WEB_SERVICE), (Kind::Deployment, WEB)]);
    let endpoints = cluster.api().store().get_typed::<Endpoints>("default", "web").cloned().expect("endpoints");
    let labels = endpoints.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("endpoints.kubernetes.io/managed-by").map(String::as_str), Some("endpoint-controller"));
    assert_eq!(labels.get("app").map(String::as_str), Some("web"));
    let subsets = endpoints.subsets.clone().expect("subsets");
    assert_eq!(subsets.len(), 1);
    let addresses = subsets[0].addresses.clone().unwrap_or_default();
    let mut pod_ips: Vec<String> =
        pods(&cluster, "web-").iter().filter_map(|p| p.status.as_ref()?.pod_ip.clone()).collect();
    pod_ips.sort();
    let ips: Vec<String> = addresses.iter().map(|a| a.ip.clone()).collect();
    assert_eq!(ips, pod_ips);
    assert!(addresses.iter().all(|a| a.target_ref.as_ref().and_then(|r| r.kind.as_deref()) == Some("Pod")));
    let ports = subsets[0].ports.clone().unwrap_or_default();
    assert_eq!((ports[0].port, ports[0].protocol.as_deref(), ports[0].name.as_deref()), (80, Some("TCP"), None));

    let slices: Vec<EndpointSlice> = cluster.api().store().list_typed_in::<EndpointSlice>("default").cloned().collect();
    let slice = slices.iter().find(|s| name(&s.metadata).starts_with("web-")).expect("slice");
    let suffix = name(&slice.metadata).strip_prefix("web-").unwrap_or("").to_string();
    assert_eq!(suffix.len(), 5);
    let labels = slice.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("kubernetes.io/service-name").map(String::as_str), Some("web"));
    assert_eq!(
        labels.get("endpointslice.kubernetes.io/managed-by").map(String::as_str),
        Some("endpointslice-controller.k8s.io")
    );
    assert_eq!(slice.address_type, "IPv4");
    assert_eq!(slice.endpoints.len(), 3);
    assert!(slice.endpoints.iter().all(|e| {
        let c = e.conditions.clone().unwrap_or_default();
        (c.ready, c.serving, c.terminating) == (Some(true), Some(true), Some(false)) && e.zone.is_some()
    }));
    let owner = &slice.metadata.owner_references.as_ref().expect("owned")[0];
    assert_eq!((owner.kind.as_str(), owner.name.as_str()), ("Service", "web"));

    // Scaling to zero empties both; the slice stays as a placeholder.
    let key = ObjectKey::namespaced(Kind::Deployment, "default", "web");
    cluster
        .patch(&key, stowage_core::apiserver::PatchType::Merge, &serde_json::json!({"spec": {"replicas": 0}}))
        .expect("scale");
    cluster.settle();
    let endpoints = cluster.api().store().get_typed::<Endpoints>("default", "web").cloned().expect("endpoints");
    assert_eq!(endpoints.subsets, None);
    let slices: Vec<EndpointSlice> = cluster.api().store().list_typed_in::<EndpointSlice>("default").cloned().collect();
    let web_slices: Vec<&EndpointSlice> = slices.iter().filter(|s| name(&s.metadata).starts_with("web-")).collect();
    assert_eq!(web_slices.len(), 1);
    assert!(web_slices[0].endpoints.is_empty());

    // Deleting the Service removes its Endpoints and slices.
    cluster.delete(&ObjectKey::namespaced(Kind::Service, "default", "web"), DeleteOptions::default()).expect("delete");
    cluster.settle();
    assert!(cluster.api().store().get_typed::<Endpoints>("default", "web").is_none());
    assert_eq!(
        cluster
            .api()
            .store()
            .list_typed_in::<EndpointSlice>("default")
            .filter(|s| name(&s.metadata).starts_with("web-"))
            .count(),
        0
    );
    assert_no_violations(&cluster);
}

#[test]
fn unready_pods_should_be_not_ready_addresses() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: slow, labels: {app: slow}}\nspec:\n  containers:\n  - name: app\n    image: busybox\n    command: [sh, -c, 'sleep 3600']\n    readinessProbe:\n      exec: {command: [cat, /tmp/ready]}\n      initialDelaySeconds: 600\n      periodSeconds: 5\n";
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: slow}\nspec:\n  selector: {app: slow}\n  ports: [{port: 80}]\n";
    let mut cluster = Cluster::new(Profile::Guide, Seed(18));
    cluster.create(object(Kind::Service, service)).expect("service");
    cluster.create(object(Kind::Pod, pod)).expect("pod");
    // Not `settle`: that would wait for the readiness probe's first success.
    cluster.advance(SimDuration::from_secs(30));
    let endpoints = cluster.api().store().get_typed::<Endpoints>("default", "slow").cloned().expect("endpoints");
    let subset = endpoints.subsets.clone().expect("subsets")[0].clone();
    assert_eq!(subset.addresses, None);
    assert_eq!(subset.not_ready_addresses.map(|a| a.len()), Some(1));
    let slice = cluster
        .api()
        .store()
        .list_typed_in::<EndpointSlice>("default")
        .find(|s| name(&s.metadata).starts_with("slow-"))
        .cloned()
        .expect("slice");
    let conditions = slice.endpoints[0].conditions.clone().unwrap_or_default();
    assert_eq!((conditions.ready, conditions.serving, conditions.terminating), (Some(false), Some(false), Some(false)));
    // The probe's file appears; once the probe runs (after its initial delay) the address moves over.
    let argv: Vec<String> = ["sh", "-c", "echo ok >> /tmp/ready"].iter().map(|s| s.to_string()).collect();
    cluster.exec("default", "slow", None, &argv).expect("exec");
    cluster.settle();
    let endpoints = cluster.api().store().get_typed::<Endpoints>("default", "slow").cloned().expect("endpoints");
    let subset = endpoints.subsets.clone().expect("subsets")[0].clone();
    assert_eq!((subset.addresses.map(|a| a.len()), subset.not_ready_addresses), (Some(1), None));
    assert_no_violations(&cluster);
}

const NGINX_SET: &str = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 2
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers:
      - name: nginx
        image: nginx
        ports: [{containerPort: 80, name: web}]
"#;

const NGINX_HEADLESS: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: nginx, labels: {app: nginx}}
spec:
  clusterIP: None
  selector: {app: nginx}
  ports: [{port: 80, name: web}]
"#;

const BUSYBOX: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: client}\nspec:\n  containers:\n  - name: shell\n    image: busybox:1.36\n    command: [sh, -c, 'sleep 3600']\n";

/// What busybox `nslookup NAME` prints in a pod of `default` (the shell itself lives in kubectl).
fn nslookup(cluster: &mut Cluster, name: &str) -> (String, i32) {
    let answer = cluster.dns_lookup("default", name);
    let (out, err, code) = stowage_core::dns::nslookup_output(name, &answer);
    (out + &err, code)
}

fn pod_ip(cluster: &Cluster, name: &str) -> String {
    cluster
        .api()
        .store()
        .get_typed::<Pod>("default", name)
        .and_then(|p| p.status.as_ref()?.pod_ip.clone())
        .expect("pod ip")
}

#[test]
fn nslookup_should_answer_service_cluster_ips() {
    let mut cluster = cluster_with(19, &[(Kind::Service, WEB_SERVICE), (Kind::Deployment, WEB), (Kind::Pod, BUSYBOX)]);
    let ip = cluster
        .api()
        .store()
        .get_typed::<Service>("default", "web")
        .and_then(|s| s.spec.as_ref()?.cluster_ip.clone())
        .expect("ip");
    let (out, code) = nslookup(&mut cluster, "web");
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        format!(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: {ip}\n\n"
        )
    );
    // An endpoint without a hostname answers to its dashed IP under the Service.
    let backend =
        pods(&cluster, "web-").iter().filter_map(|p| p.status.as_ref()?.pod_ip.clone()).next().expect("pod ip");
    let (out, code) = nslookup(&mut cluster, &format!("{}.web", backend.replace('.', "-")));
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with(&format!("Address: {backend}\n\n")), "{out}");
    let (out, code) = nslookup(&mut cluster, "nope");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("** server can't find nope: NXDOMAIN"), "{out}");
    assert_no_violations(&cluster);
}

#[test]
fn nslookup_should_answer_stateful_set_pods_through_the_headless_service() {
    let mut cluster =
        cluster_with(20, &[(Kind::Service, NGINX_HEADLESS), (Kind::StatefulSet, NGINX_SET), (Kind::Pod, BUSYBOX)]);
    let web0 = pod_ip(&cluster, "web-0");
    let web1 = pod_ip(&cluster, "web-1");

    // The slice names each pod's hostname, because its subdomain is the Service.
    let slice = cluster
        .api()
        .store()
        .list_typed_in::<EndpointSlice>("default")
        .find(|s| name(&s.metadata).starts_with("nginx-"))
        .cloned()
        .expect("slice");
    let labels = slice.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels.get("service.kubernetes.io/headless").map(String::as_str), Some(""));
    let mut hostnames: Vec<String> = slice.endpoints.iter().filter_map(|e| e.hostname.clone()).collect();
    hostnames.sort();
    assert_eq!(hostnames, ["web-0", "web-1"]);
    let endpoints = cluster.api().store().get_typed::<Endpoints>("default", "nginx").cloned().expect("endpoints");
    let addresses = endpoints.subsets.clone().expect("subsets")[0].addresses.clone().unwrap_or_default();
    assert!(addresses.iter().any(|a| a.hostname.as_deref() == Some("web-0") && a.ip == web0));

    let (out, code) = nslookup(&mut cluster, "web-0.nginx");
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        format!(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb-0.nginx.default.svc.cluster.local\nAddress: {web0}\n\n"
        )
    );
    let (out, _) = nslookup(&mut cluster, "web-1.nginx.default.svc.cluster.local");
    assert!(out.contains(&format!("Name:\tweb-1.nginx.default.svc.cluster.local\nAddress: {web1}\n")), "{out}");
    let (out, code) = nslookup(&mut cluster, "nginx");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("Address: {web0}\n")) && out.contains(&format!("Address: {web1}\n")), "{out}");

    // A pod that is gone is gone from DNS, and so is one that is not ready.
    let key = ObjectKey::namespaced(Kind::StatefulSet, "default", "web");
    cluster
        .patch(&key, stowage_core::apiserver::PatchType::Merge, &serde_json::json!({"spec": {"replicas": 1}}))
        .expect("scale");
    cluster.settle();
    cluster.advance(SimDuration::from_secs(60));
    let (out, code) = nslookup(&mut cluster, "web-1.nginx");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("** server can't find web-1.nginx: NXDOMAIN"), "{out}");
    assert_no_violations(&cluster);
}

#[test]
fn deployment_should_mount_a_claim_as_in_the_storage_tutorials() {
    let class = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: gp3}\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: WaitForFirstConsumer\n";
    let claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: gp3\n  resources: {requests: {storage: 1Gi}}\n";
    let app = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: app
        image: busybox
        command: [sh, -c, 'echo hello > /data/out.txt && sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
      volumes:
      - name: data
        persistentVolumeClaim: {claimName: data}
"#;
    let mut cluster =
        cluster_with(21, &[(Kind::StorageClass, class), (Kind::PersistentVolumeClaim, claim), (Kind::Deployment, app)]);
    cluster.advance(SimDuration::from_secs(30));
    let live = pods(&cluster, "app-");
    assert_eq!(live.len(), 1);
    assert_eq!(phase(&live[0]), "Running");
    let claim = cluster
        .api()
        .store()
        .get_typed::<k8s_openapi::api::core::v1::PersistentVolumeClaim>("default", "data")
        .and_then(|c| c.status.as_ref()?.phase.clone());
    assert_eq!(claim.as_deref(), Some("Bound"));

    // Recreate: the old pod goes before the new one starts, so the RWO volume is never shared.
    let key = ObjectKey::namespaced(Kind::Deployment, "default", "app");
    let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {"restarted": "1"}}}}});
    cluster.patch(&key, stowage_core::apiserver::PatchType::Strategic, &patch).expect("restart");
    let mut most = 0;
    for _ in 0..500 {
        if cluster.step().is_none() {
            break;
        }
        most = most.max(
            cluster
                .api()
                .store()
                .list_typed_in::<Pod>("default")
                .filter(|p| name(&p.metadata).starts_with("app-"))
                .count(),
        );
    }
    cluster.advance(SimDuration::from_secs(60));
    assert_eq!(most, 1, "Recreate never runs old and new pods together");
    let live = pods(&cluster, "app-");
    assert_eq!(live.len(), 1);
    assert_eq!(phase(&live[0]), "Running");
    assert_eq!(replica_sets(&cluster).len(), 2);
    assert_no_violations(&cluster);
}

#[test]
fn ordered_ready_should_wait_for_the_readiness_probe() {
    let set = "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: gate}
spec:
  serviceName: gate
  replicas: 2
  selector: {matchLabels: {app: gate}}
  template:
    metadata: {labels: {app: gate}}
    spec:
      containers:
      - name: app
        image: busybox
        command: [sh, -c, 'sleep 3600']
        readinessProbe:
          exec: {command: [cat, /tmp/ready]}
          periodSeconds: 5
";
    let mut cluster = cluster_with(19, &[(Kind::StatefulSet, set)]);
    cluster.advance(SimDuration::from_secs(60));
    // gate-0 runs but its probe fails: OrderedReady does not start gate-1.
    let names: Vec<String> = pods(&cluster, "gate-").iter().map(|p| name(&p.metadata)).collect();
    assert_eq!(names, ["gate-0"]);
    let argv: Vec<String> = ["sh", "-c", "echo ok >> /tmp/ready"].iter().map(|s| s.to_string()).collect();
    cluster.exec("default", "gate-0", None, &argv).expect("exec");
    cluster.advance(SimDuration::from_secs(10));
    cluster.settle();
    let names: Vec<String> = pods(&cluster, "gate-").iter().map(|p| name(&p.metadata)).collect();
    assert_eq!(names, ["gate-0", "gate-1"]);
    assert_no_violations(&cluster);
}
