//! Admission plugins, in the API server's order: NamespaceLifecycle, ServiceAccount, DefaultStorageClass,
//! StorageObjectInUseProtection, PersistentVolumeClaimResize and PodSecurity.

use crate::api::well_known::*;
use crate::api::{ApiError, Kind, Object, ObjectKey};
use crate::store::Store;
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;

/// Rejects writes into namespaces that do not exist or are being deleted (NamespaceLifecycle).
pub fn namespace_lifecycle(store: &Store, object: &Object) -> Result<(), ApiError> {
    if !object.kind().is_namespaced() || object.kind() == Kind::Event {
        return Ok(());
    }
    let namespace = object.namespace();
    match store.get(&ObjectKey::cluster(Kind::Namespace, namespace)) {
        None => Err(ApiError::not_found(Kind::Namespace, namespace)),
        Some(ns) if ns.is_terminating() => Err(ApiError::forbidden(
            object.kind(),
            object.name(),
            format!("unable to create new content in namespace {namespace} because it is being terminated"),
        )),
        Some(_) => Ok(()),
    }
}

/// Mutating admission on create.
pub fn mutate_create(store: &Store, object: &mut Object) {
    match object {
        Object::Pod(pod) => {
            let spec = pod.spec.get_or_insert_with(Default::default);
            if spec.service_account_name.as_deref().unwrap_or("").is_empty() {
                spec.service_account_name = Some("default".to_string());
            }
        }
        Object::PersistentVolumeClaim(claim) => {
            normalize_data_sources(claim.spec.get_or_insert_with(Default::default));
            default_storage_class(store, claim);
            add_finalizer(&mut claim.metadata.finalizers, FINALIZER_PVC_PROTECTION);
        }
        Object::PersistentVolume(volume) => {
            add_finalizer(&mut volume.metadata.finalizers, FINALIZER_PV_PROTECTION);
        }
        _ => {}
    }
}

/// The claim strategy on create (pkg/api/persistentvolumeclaim/util.go): `DropDisabledFields` clears
/// `dataSourceRef.namespace` (CrossNamespaceVolumeDataSource is alpha and off in 1.34), then `NormalizeDataSources`
/// copies `dataSource` to `dataSourceRef`, or `dataSourceRef` to `dataSource` when it names no other namespace.
fn normalize_data_sources(spec: &mut k8s_openapi::api::core::v1::PersistentVolumeClaimSpec) {
    use k8s_openapi::api::core::v1::{TypedLocalObjectReference, TypedObjectReference};
    if let Some(reference) = spec.data_source_ref.as_mut() {
        reference.namespace = None;
    }
    match (&spec.data_source, &spec.data_source_ref) {
        (Some(source), None) => {
            spec.data_source_ref = Some(TypedObjectReference {
                api_group: source.api_group.clone(),
                kind: source.kind.clone(),
                name: source.name.clone(),
                namespace: None,
            });
        }
        (None, Some(reference)) if reference.namespace.as_deref().unwrap_or("").is_empty() => {
            spec.data_source = Some(TypedLocalObjectReference {
                api_group: reference.api_group.clone(),
                kind: reference.kind.clone(),
                name: reference.name.clone(),
            });
        }
        _ => {}
    }
}

fn add_finalizer(finalizers: &mut Option<Vec<String>>, finalizer: &str) {
    let list = finalizers.get_or_insert_with(Vec::new);
    if !list.iter().any(|f| f == finalizer) {
        list.push(finalizer.to_string());
    }
}

/// The ServiceAccount admission plugin: mounts the API access token volume
/// (`kube-api-access-<suffix>`, a projected volume of the token, `kube-root-ca.crt` and the namespace)
/// into every container, unless the pod or a container opts out or already mounts it.
pub fn service_account(pod: &mut Pod, suffix: &str) {
    use k8s_openapi::api::core::v1::{
        ConfigMapProjection, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath, ObjectFieldSelector,
        ProjectedVolumeSource, ServiceAccountTokenProjection, Volume, VolumeMount, VolumeProjection,
    };
    const MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
    let Some(spec) = pod.spec.as_mut() else { return };
    if spec.automount_service_account_token == Some(false) {
        return;
    }
    let mounted = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .any(|c| c.volume_mounts.iter().flatten().any(|m| m.mount_path == MOUNT_PATH));
    if mounted {
        return;
    }
    let name = format!("kube-api-access-{suffix}");
    let projected = ProjectedVolumeSource {
        default_mode: Some(420),
        sources: Some(vec![
            VolumeProjection {
                service_account_token: Some(ServiceAccountTokenProjection {
                    expiration_seconds: Some(3607),
                    path: "token".to_string(),
                    audience: None,
                }),
                ..VolumeProjection::default()
            },
            VolumeProjection {
                config_map: Some(ConfigMapProjection {
                    name: "kube-root-ca.crt".to_string(),
                    items: Some(vec![KeyToPath { key: "ca.crt".to_string(), path: "ca.crt".to_string(), mode: None }]),
                    optional: None,
                }),
                ..VolumeProjection::default()
            },
            VolumeProjection {
                downward_api: Some(DownwardAPIProjection {
                    items: Some(vec![DownwardAPIVolumeFile {
                        path: "namespace".to_string(),
                        field_ref: Some(ObjectFieldSelector {
                            api_version: Some("v1".to_string()),
                            field_path: "metadata.namespace".to_string(),
                        }),
                        ..DownwardAPIVolumeFile::default()
                    }]),
                }),
                ..VolumeProjection::default()
            },
        ]),
    };
    spec.volumes.get_or_insert_with(Vec::new).push(Volume {
        name: name.clone(),
        projected: Some(projected),
        ..Volume::default()
    });
    let mount =
        VolumeMount { name, mount_path: MOUNT_PATH.to_string(), read_only: Some(true), ..VolumeMount::default() };
    for container in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        container.volume_mounts.get_or_insert_with(Vec::new).push(mount.clone());
    }
}

/// The DefaultTolerationSeconds admission plugin: pods tolerate not-ready and unreachable nodes for 300 s.
pub fn default_toleration_seconds(pod: &mut Pod) {
    use k8s_openapi::api::core::v1::Toleration;
    let Some(spec) = pod.spec.as_mut() else { return };
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let tolerated = tolerations
            .iter()
            .any(|t| t.key.as_deref() == Some(key) && matches!(t.effect.as_deref(), None | Some("NoExecute")));
        if !tolerated {
            tolerations.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".to_string()),
                effect: Some("NoExecute".to_string()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
}

/// Whether a StorageClass is marked default (the annotation must be exactly `"true"`).
pub fn is_default_class(class: &StorageClass) -> bool {
    let annotations = class.metadata.annotations.as_ref();
    let get = |key: &str| annotations.and_then(|a| a.get(key)).map(String::as_str);
    get(ANN_DEFAULT_STORAGE_CLASS) == Some("true") || get(ANN_BETA_DEFAULT_STORAGE_CLASS) == Some("true")
}

/// The default StorageClass: the newest of the classes marked default, ties broken by name (`GetDefaultClass`).
pub fn default_storage_class_name(store: &Store) -> Option<String> {
    let mut defaults: Vec<&StorageClass> = store.list_typed::<StorageClass>().filter(|c| is_default_class(c)).collect();
    defaults.sort_by(|a, b| {
        b.metadata
            .creation_timestamp
            .cmp(&a.metadata.creation_timestamp)
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
    defaults.first().and_then(|c| c.metadata.name.clone())
}

/// Whether a claim names a class at all (`""` counts; only nil without the beta annotation does not).
pub fn claim_has_class(claim: &PersistentVolumeClaim) -> bool {
    let beta = claim.metadata.annotations.as_ref().is_some_and(|a| a.contains_key(ANN_BETA_STORAGE_CLASS));
    beta || claim.spec.as_ref().is_some_and(|s| s.storage_class_name.is_some())
}

fn default_storage_class(store: &Store, claim: &mut PersistentVolumeClaim) {
    if claim_has_class(claim) {
        return;
    }
    if let Some(name) = default_storage_class_name(store) {
        claim.spec.get_or_insert_with(Default::default).storage_class_name = Some(name);
    }
}

/// Validating admission on create: PodSecurity for pods in labelled namespaces.
pub fn validate_create(store: &Store, object: &Object) -> Result<(), ApiError> {
    if let Object::Pod(pod) = object {
        pod_security(store, pod)?;
    }
    Ok(())
}

/// Validating admission on update: the PersistentVolumeClaimResize plugin.
pub fn validate_update(store: &Store, old: &Object, new: &Object) -> Result<(), ApiError> {
    if let (Object::PersistentVolumeClaim(old), Object::PersistentVolumeClaim(new)) = (old, new) {
        claim_resize(store, old, new)?;
    }
    Ok(())
}

fn requested_storage(claim: &PersistentVolumeClaim) -> Option<crate::api::quantity::Quantity> {
    let text = claim.spec.as_ref()?.resources.as_ref()?.requests.as_ref()?.get("storage")?;
    crate::api::quantity::Quantity::parse(&text.0).ok()
}

fn claim_resize(store: &Store, old: &PersistentVolumeClaim, new: &PersistentVolumeClaim) -> Result<(), ApiError> {
    let (Some(old_size), Some(new_size)) = (requested_storage(old), requested_storage(new)) else {
        return Ok(());
    };
    if new_size <= old_size {
        return Ok(());
    }
    let name = new.metadata.name.as_deref().unwrap_or("");
    let bound = old.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
    if !bound {
        return Err(ApiError::forbidden(
            Kind::PersistentVolumeClaim,
            name,
            "Only bound persistent volume claims can be expanded",
        ));
    }
    let class_of =
        |c: &PersistentVolumeClaim| c.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default();
    let class_name = class_of(new);
    let allowed = !class_name.is_empty()
        && class_name == class_of(old)
        && store.get_typed::<StorageClass>("", &class_name).is_some_and(|c| c.allow_volume_expansion == Some(true));
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            Kind::PersistentVolumeClaim,
            name,
            "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
        ))
    }
}

/// Pod Security levels, as the `pod-security.kubernetes.io/enforce` label names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Privileged,
    Baseline,
    Restricted,
}

fn pod_security(store: &Store, pod: &Pod) -> Result<(), ApiError> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
    let level = store
        .get_typed::<Namespace>("", namespace)
        .and_then(|ns| ns.metadata.labels.as_ref())
        .and_then(|labels| labels.get(LABEL_POD_SECURITY_ENFORCE))
        .map(|value| match value.as_str() {
            "restricted" => Level::Restricted,
            "baseline" => Level::Baseline,
            _ => Level::Privileged,
        })
        .unwrap_or(Level::Privileged);
    if level == Level::Privileged {
        return Ok(());
    }
    let violations = pod_security_violations(pod, level);
    if violations.is_empty() {
        return Ok(());
    }
    let level_name = if level == Level::Restricted { "restricted" } else { "baseline" };
    Err(ApiError::forbidden(
        Kind::Pod,
        pod.metadata.name.as_deref().unwrap_or(""),
        format!("violates PodSecurity \"{level_name}:latest\": {}", violations.join(", ")),
    ))
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

fn pod_security_violations(pod: &Pod, level: Level) -> Vec<String> {
    let mut violations = Vec::new();
    let Some(spec) = pod.spec.as_ref() else { return violations };
    let containers: Vec<_> = spec.init_containers.iter().flatten().chain(spec.containers.iter()).collect();
    let volumes = spec.volumes.as_deref().unwrap_or(&[]);

    let mut host_namespaces = Vec::new();
    if spec.host_network == Some(true) {
        host_namespaces.push("hostNetwork=true");
    }
    if spec.host_pid == Some(true) {
        host_namespaces.push("hostPID=true");
    }
    if spec.host_ipc == Some(true) {
        host_namespaces.push("hostIPC=true");
    }
    if !host_namespaces.is_empty() {
        violations.push(format!("host namespaces ({})", host_namespaces.join(", ")));
    }
    let privileged: Vec<String> = containers
        .iter()
        .filter(|c| c.security_context.as_ref().and_then(|s| s.privileged) == Some(true))
        .map(|c| c.name.clone())
        .collect();
    if !privileged.is_empty() {
        let noun = if privileged.len() == 1 { "container" } else { "containers" };
        violations.push(format!(
            "privileged ({noun} {} must not set securityContext.privileged=true)",
            quoted_list(&privileged)
        ));
    }
    let host_paths: Vec<String> = volumes.iter().filter(|v| v.host_path.is_some()).map(|v| v.name.clone()).collect();
    if !host_paths.is_empty() {
        let noun = if host_paths.len() == 1 { "volume" } else { "volumes" };
        violations.push(format!("hostPath volumes ({noun} {})", quoted_list(&host_paths)));
    }
    if level < Level::Restricted {
        return violations;
    }
    let restricted_volumes: Vec<String> = volumes
        .iter()
        .filter(|v| v.host_path.is_none())
        .filter(|v| {
            !(v.config_map.is_some()
                || v.csi.is_some()
                || v.downward_api.is_some()
                || v.empty_dir.is_some()
                || v.ephemeral.is_some()
                || v.persistent_volume_claim.is_some()
                || v.projected.is_some()
                || v.secret.is_some())
        })
        .map(|v| v.name.clone())
        .collect();
    if !restricted_volumes.is_empty() {
        let noun = if restricted_volumes.len() == 1 { "volume" } else { "volumes" };
        violations.push(format!("restricted volume types ({noun} {})", quoted_list(&restricted_volumes)));
    }
    let failing = |check: &dyn Fn(&k8s_openapi::api::core::v1::Container) -> bool| -> Vec<String> {
        containers.iter().filter(|c| !check(c)).map(|c| c.name.clone()).collect()
    };
    let container_noun = |names: &[String]| if names.len() == 1 { "container" } else { "containers" };
    let escalation =
        failing(&|c| c.security_context.as_ref().and_then(|s| s.allow_privilege_escalation) == Some(false));
    if !escalation.is_empty() {
        violations.push(format!(
            "allowPrivilegeEscalation != false ({} {} must set securityContext.allowPrivilegeEscalation=false)",
            container_noun(&escalation),
            quoted_list(&escalation)
        ));
    }
    let capabilities = failing(&|c| {
        c.security_context
            .as_ref()
            .and_then(|s| s.capabilities.as_ref())
            .and_then(|caps| caps.drop.as_ref())
            .is_some_and(|drop| drop.iter().any(|d| d == "ALL"))
    });
    if !capabilities.is_empty() {
        violations.push(format!(
            "unrestricted capabilities ({} {} must set securityContext.capabilities.drop=[\"ALL\"])",
            container_noun(&capabilities),
            quoted_list(&capabilities)
        ));
    }
    let pod_context = spec.security_context.as_ref();
    let pod_non_root = pod_context.and_then(|s| s.run_as_non_root) == Some(true);
    let non_root = failing(&|c| c.security_context.as_ref().and_then(|s| s.run_as_non_root).unwrap_or(pod_non_root));
    if !non_root.is_empty() {
        violations.push(format!(
            "runAsNonRoot != true (pod or {} {} must set securityContext.runAsNonRoot=true)",
            container_noun(&non_root),
            quoted_list(&non_root)
        ));
    }
    let pod_seccomp = pod_context.and_then(|s| s.seccomp_profile.as_ref()).is_some();
    let seccomp =
        failing(&|c| pod_seccomp || c.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref()).is_some());
    if !seccomp.is_empty() {
        violations.push(format!(
            "seccompProfile (pod or {} {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
            container_noun(&seccomp),
            quoted_list(&seccomp)
        ));
    }
    violations
}
