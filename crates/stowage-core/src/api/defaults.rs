//! API server defaulting, after `pkg/apis/*/v1/defaults.go` and the admission plugins that fill fields.
//!
//! # Model
//! Defaults only fill unset fields; applying them twice changes nothing. Quantities are rewritten in
//! their canonical form, as the API server serializes them (`1024Mi` → `1Gi`). Not simulated: the
//! service-account token volume, cluster IP allocation and pod QoS class (set by other components).

use super::k8s_openapi::api::apps::v1 as apps;
use super::k8s_openapi::api::core::v1 as core;
use super::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use super::{Object, quantity, well_known};

/// `SecretVolumeSourceDefaultMode`, `ConfigMapVolumeSourceDefaultMode` and friends: 0644.
const DEFAULT_MODE: i32 = 0o644;

fn fill<T>(field: &mut Option<T>, value: T) {
    if field.is_none() {
        *field = Some(value);
    }
}

fn set_str(field: &mut Option<String>, value: &str) {
    if field.as_deref().is_none_or(str::is_empty) {
        *field = Some(value.to_string());
    }
}

/// Applies the API server's defaults to `object`.
pub fn apply_defaults(object: &mut Object) {
    match object {
        Object::PersistentVolume(volume) => {
            let spec = volume.spec.get_or_insert_with(Default::default);
            set_str(&mut spec.persistent_volume_reclaim_policy, "Retain");
            set_str(&mut spec.volume_mode, "Filesystem");
            if let Some(host_path) = spec.host_path.as_mut() {
                fill(&mut host_path.type_, String::new());
            }
            set_str(&mut volume.status.get_or_insert_with(Default::default).phase, "Pending");
        }
        Object::PersistentVolumeClaim(claim) => default_claim(claim),
        Object::StorageClass(class) => {
            set_str(&mut class.reclaim_policy, "Delete");
            set_str(&mut class.volume_binding_mode, "Immediate");
        }
        Object::Pod(pod) => {
            let spec = pod.spec.get_or_insert_with(Default::default);
            default_pod_spec(spec);
            // The ServiceAccount admission plugin.
            set_str(&mut spec.service_account_name, "default");
            set_str(&mut spec.service_account, "default");
        }
        Object::Service(service) => {
            let spec = service.spec.get_or_insert_with(Default::default);
            set_str(&mut spec.type_, "ClusterIP");
            set_str(&mut spec.session_affinity, "None");
            if spec.type_.as_deref() != Some("ExternalName") {
                set_str(&mut spec.internal_traffic_policy, "Cluster");
            }
            for port in spec.ports.iter_mut().flatten() {
                set_str(&mut port.protocol, "TCP");
                if port.target_port.is_none()
                    || port.target_port == Some(IntOrString::Int(0))
                    || port.target_port == Some(IntOrString::String(String::new()))
                {
                    port.target_port = Some(IntOrString::Int(port.port));
                }
            }
        }
        Object::StatefulSet(set) => default_stateful_set(set),
        Object::Deployment(deployment) => {
            let spec = deployment.spec.get_or_insert_with(Default::default);
            fill(&mut spec.replicas, 1);
            fill(&mut spec.revision_history_limit, 10);
            fill(&mut spec.progress_deadline_seconds, 600);
            let strategy = spec.strategy.get_or_insert_with(Default::default);
            set_str(&mut strategy.type_, "RollingUpdate");
            if strategy.type_.as_deref() == Some("RollingUpdate") {
                let rolling = strategy.rolling_update.get_or_insert_with(Default::default);
                fill(&mut rolling.max_unavailable, IntOrString::String("25%".to_string()));
                fill(&mut rolling.max_surge, IntOrString::String("25%".to_string()));
            }
            if let Some(pod) = spec.template.spec.as_mut() {
                default_pod_spec(pod);
            }
        }
        Object::ReplicaSet(set) => {
            let spec = set.spec.get_or_insert_with(Default::default);
            set_field_replicas(&mut spec.replicas);
            if let Some(pod) = spec.template.as_mut().and_then(|t| t.spec.as_mut()) {
                default_pod_spec(pod);
            }
        }
        Object::CSIDriver(driver) => {
            let spec = &mut driver.spec;
            fill(&mut spec.attach_required, true);
            fill(&mut spec.pod_info_on_mount, false);
            fill(&mut spec.storage_capacity, false);
            set_str(&mut spec.fs_group_policy, "ReadWriteOnceWithFSType");
            fill(&mut spec.requires_republish, false);
            fill(&mut spec.volume_lifecycle_modes, vec!["Persistent".to_string()]);
            fill(&mut spec.se_linux_mount, false);
        }
        Object::Namespace(namespace) => {
            let name = namespace.metadata.name.clone().unwrap_or_default();
            if !name.is_empty() {
                namespace
                    .metadata
                    .labels
                    .get_or_insert_with(Default::default)
                    .insert(well_known::LABEL_METADATA_NAME.to_string(), name);
            }
        }
        Object::Secret(secret) => set_str(&mut secret.type_, "Opaque"),
        _ => {}
    }
    quantity::visit_quantities_mut(object, &mut |_, value| {
        if let Some(canonical) = quantity::canonical(value) {
            *value = canonical;
        }
    });
}

fn set_field_replicas(replicas: &mut Option<i32>) {
    fill(replicas, 1);
}

fn default_claim(claim: &mut core::PersistentVolumeClaim) {
    set_str(&mut claim.spec.get_or_insert_with(Default::default).volume_mode, "Filesystem");
    set_str(&mut claim.status.get_or_insert_with(Default::default).phase, "Pending");
}

fn default_stateful_set(set: &mut apps::StatefulSet) {
    let spec = set.spec.get_or_insert_with(Default::default);
    set_field_replicas(&mut spec.replicas);
    set_str(&mut spec.pod_management_policy, "OrderedReady");
    fill(&mut spec.revision_history_limit, 10);
    let strategy = spec.update_strategy.get_or_insert_with(Default::default);
    set_str(&mut strategy.type_, "RollingUpdate");
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let rolling = strategy.rolling_update.get_or_insert_with(Default::default);
        fill(&mut rolling.partition, 0);
    }
    let retention = spec.persistent_volume_claim_retention_policy.get_or_insert_with(Default::default);
    set_str(&mut retention.when_deleted, "Retain");
    set_str(&mut retention.when_scaled, "Retain");
    for template in spec.volume_claim_templates.iter_mut().flatten() {
        default_claim(template);
    }
    if let Some(pod) = spec.template.spec.as_mut() {
        default_pod_spec(pod);
    }
}

/// Go's "zero means unset" defaulting of an int32 field.
fn fill_nonzero(field: &mut Option<i32>, value: i32) {
    if field.is_none_or(|v| v == 0) {
        *field = Some(value);
    }
}

/// `SetDefaults_Probe` and the defaults of its HTTP action.
fn default_probe(probe: &mut core::Probe) {
    fill_nonzero(&mut probe.timeout_seconds, 1);
    fill_nonzero(&mut probe.period_seconds, 10);
    fill_nonzero(&mut probe.success_threshold, 1);
    fill_nonzero(&mut probe.failure_threshold, 3);
    if let Some(http) = probe.http_get.as_mut() {
        default_http_get(http);
    }
}

/// `SetDefaults_HTTPGetAction`: path `/`, scheme `HTTP`.
fn default_http_get(action: &mut core::HTTPGetAction) {
    set_str(&mut action.path, "/");
    set_str(&mut action.scheme, "HTTP");
}

/// `SetDefaults_PodSpec`, `SetDefaults_Container`, `SetDefaults_Volume` and the volume source defaults.
fn default_pod_spec(spec: &mut core::PodSpec) {
    set_str(&mut spec.restart_policy, "Always");
    set_str(&mut spec.dns_policy, "ClusterFirst");
    set_str(&mut spec.scheduler_name, "default-scheduler");
    fill(&mut spec.termination_grace_period_seconds, 30);
    fill(&mut spec.security_context, Default::default());
    fill(&mut spec.enable_service_links, true);
    set_str(&mut spec.preemption_policy, "PreemptLowerPriority");
    fill(&mut spec.priority, 0);
    for container in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        set_str(&mut container.termination_message_path, "/dev/termination-log");
        set_str(&mut container.termination_message_policy, "File");
        let policy =
            if image_tag(container.image.as_deref().unwrap_or("")) == "latest" { "Always" } else { "IfNotPresent" };
        set_str(&mut container.image_pull_policy, policy);
        for port in container.ports.iter_mut().flatten() {
            set_str(&mut port.protocol, "TCP");
        }
        for probe in [&mut container.liveness_probe, &mut container.readiness_probe, &mut container.startup_probe] {
            if let Some(probe) = probe.as_mut() {
                default_probe(probe);
            }
        }
        if let Some(lifecycle) = container.lifecycle.as_mut() {
            for handler in [lifecycle.post_start.as_mut(), lifecycle.pre_stop.as_mut()].into_iter().flatten() {
                if let Some(http) = handler.http_get.as_mut() {
                    default_http_get(http);
                }
            }
        }
    }
    for volume in spec.volumes.iter_mut().flatten() {
        let json = serde_json::to_value(&*volume).unwrap_or_default();
        let has_source = json.as_object().is_some_and(|fields| fields.keys().any(|k| k != "name"));
        if !has_source {
            volume.empty_dir = Some(Default::default());
        }
        if let Some(host_path) = volume.host_path.as_mut() {
            fill(&mut host_path.type_, String::new());
        }
        if let Some(config_map) = volume.config_map.as_mut() {
            fill(&mut config_map.default_mode, DEFAULT_MODE);
        }
        if let Some(secret) = volume.secret.as_mut() {
            fill(&mut secret.default_mode, DEFAULT_MODE);
        }
        if let Some(downward) = volume.downward_api.as_mut() {
            fill(&mut downward.default_mode, DEFAULT_MODE);
        }
        if let Some(projected) = volume.projected.as_mut() {
            fill(&mut projected.default_mode, DEFAULT_MODE);
        }
        if let Some(claim) = volume.ephemeral.as_mut().and_then(|e| e.volume_claim_template.as_mut()) {
            set_str(&mut claim.spec.volume_mode, "Filesystem");
        }
    }
}

/// The tag `parsers.ParseImageName` finds: `latest` when an image has neither tag nor digest.
fn image_tag(image: &str) -> &str {
    let (name, has_digest) = match image.split_once('@') {
        Some((name, _)) => (name, true),
        None => (image, false),
    };
    let last_segment = name.rsplit('/').next().unwrap_or(name);
    match last_segment.rsplit_once(':') {
        Some((_, tag)) => tag,
        None if has_digest => "",
        None => "latest",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::decode::decode_documents;
    use expect_test::{Expect, expect};

    /// Decodes, defaults and prints the object as the API server would return it (YAML).
    #[track_caller]
    fn check(input: &str, expect: Expect) {
        let mut object = decode_documents(input).remove(0).result.expect("test manifests decode");
        apply_defaults(&mut object);
        let once = object.clone();
        apply_defaults(&mut object);
        assert_eq!(once, object, "defaulting is idempotent");
        expect.assert_eq(&serde_yaml::to_string(&object.to_value()).unwrap_or_default());
    }

    #[test]
    fn storage_objects_should_be_defaulted() {
        check(
            "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: v\nspec:\n  capacity: {storage: 1024Mi}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /tmp/v}\n",
            expect![[r#"
                apiVersion: v1
                kind: PersistentVolume
                metadata:
                  name: v
                spec:
                  accessModes:
                  - ReadWriteOnce
                  capacity:
                    storage: 1Gi
                  hostPath:
                    path: /tmp/v
                    type: ''
                  persistentVolumeReclaimPolicy: Retain
                  volumeMode: Filesystem
                status:
                  phase: Pending
            "#]],
        );
        check(
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: s\nprovisioner: x.example.com\n",
            expect![[r#"
                apiVersion: storage.k8s.io/v1
                kind: StorageClass
                metadata:
                  name: s
                provisioner: x.example.com
                reclaimPolicy: Delete
                volumeBindingMode: Immediate
            "#]],
        );
        check(
            "apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata:\n  name: d\nspec: {}\n",
            expect![[r#"
                apiVersion: storage.k8s.io/v1
                kind: CSIDriver
                metadata:
                  name: d
                spec:
                  attachRequired: true
                  fsGroupPolicy: ReadWriteOnceWithFSType
                  podInfoOnMount: false
                  requiresRepublish: false
                  seLinuxMount: false
                  storageCapacity: false
                  volumeLifecycleModes:
                  - Persistent
            "#]],
        );
    }

    #[test]
    fn workloads_should_be_defaulted() {
        check(
            r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx
        ports: [{containerPort: 80}]
      volumes:
      - name: scratch
      - name: cfg
        configMap: {name: cfg}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 0.5Gi}}
"#,
            expect![[r#"
                apiVersion: apps/v1
                kind: StatefulSet
                metadata:
                  name: web
                spec:
                  persistentVolumeClaimRetentionPolicy:
                    whenDeleted: Retain
                    whenScaled: Retain
                  podManagementPolicy: OrderedReady
                  replicas: 1
                  revisionHistoryLimit: 10
                  selector:
                    matchLabels:
                      app: web
                  template:
                    metadata:
                      labels:
                        app: web
                    spec:
                      containers:
                      - image: nginx
                        imagePullPolicy: Always
                        name: c
                        ports:
                        - containerPort: 80
                          protocol: TCP
                        terminationMessagePath: /dev/termination-log
                        terminationMessagePolicy: File
                      dnsPolicy: ClusterFirst
                      enableServiceLinks: true
                      preemptionPolicy: PreemptLowerPriority
                      priority: 0
                      restartPolicy: Always
                      schedulerName: default-scheduler
                      securityContext: {}
                      terminationGracePeriodSeconds: 30
                      volumes:
                      - emptyDir: {}
                        name: scratch
                      - configMap:
                          defaultMode: 420
                          name: cfg
                        name: cfg
                  updateStrategy:
                    rollingUpdate:
                      partition: 0
                    type: RollingUpdate
                  volumeClaimTemplates:
                  - apiVersion: v1
                    kind: PersistentVolumeClaim
                    metadata:
                      name: data
                    spec:
                      accessModes:
                      - ReadWriteOnce
                      resources:
                        requests:
                          storage: 512Mi
                      volumeMode: Filesystem
                    status:
                      phase: Pending
            "#]],
        );
        check(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [{port: 80}]\n",
            expect![[r#"
                apiVersion: v1
                kind: Service
                metadata:
                  name: s
                spec:
                  internalTrafficPolicy: Cluster
                  ports:
                  - port: 80
                    protocol: TCP
                    targetPort: 80
                  sessionAffinity: None
                  type: ClusterIP
            "#]],
        );
    }

    #[test]
    fn probes_should_get_set_defaults_probe_and_http_get_defaults() {
        let input = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    livenessProbe: {httpGet: {port: 80}, periodSeconds: 0}\n    readinessProbe: {exec: {command: [cat, /ready]}, periodSeconds: 5, failureThreshold: 1}\n";
        let mut object = decode_documents(input).remove(0).result.expect("decodes");
        apply_defaults(&mut object);
        let value = object.to_value();
        let liveness = &value["spec"]["containers"][0]["livenessProbe"];
        assert_eq!(
            liveness,
            &serde_json::json!({"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"}, "timeoutSeconds": 1,
                "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
        let readiness = &value["spec"]["containers"][0]["readinessProbe"];
        assert_eq!(readiness["periodSeconds"], 5);
        assert_eq!(readiness["failureThreshold"], 1);
        assert_eq!(readiness["successThreshold"], 1);
    }

    #[test]
    fn image_pull_policy_should_follow_the_tag() {
        let cases = [
            ("nginx", "latest"),
            ("nginx:1.27", "1.27"),
            ("registry:5000/app", "latest"),
            ("registry:5000/app:v2", "v2"),
            ("app@sha256:abc", ""),
            ("app:latest", "latest"),
        ];
        for (image, tag) in cases {
            assert_eq!(image_tag(image), tag, "{image}");
        }
    }
}
