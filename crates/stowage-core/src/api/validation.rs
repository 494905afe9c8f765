//! Create and update validation with the API server's field paths and messages.
//!
//! Follows `pkg/apis/core/validation/validation.go`, `pkg/apis/storage/validation`,
//! `pkg/apis/apps/validation` and, for snapshots, the CEL rules of external-snapshotter v8's CRDs.
//! Callers wrap the errors with [`ApiError::invalid`](super::ApiError::invalid).
//!
//! # Model
//! Objects are expected to be defaulted first (as the API server does). Errors whose real text ends
//! with a Go object diff (`spec is immutable after creation ...\n<diff>`) stop before the diff:
//! go-cmp randomises that output's whitespace, so no byte-exact copy exists.

use super::k8s_openapi::api::apps::v1 as apps;
use super::k8s_openapi::api::core::v1 as core;
use super::k8s_openapi::api::storage::v1 as storage;
use super::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use super::quantity::{self, Quantity};
use super::snapshot::{VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent};
use super::{FieldError, Kind, Object, selector};
use std::collections::{BTreeMap, BTreeSet};

/// `validation.DNS1123SubdomainErrorMsg` with its example and regex.
pub const DNS1123_SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
/// `validation.DNS1123LabelErrorMsg` with its examples (note the double space upstream) and regex.
pub const DNS1123_LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
/// `validation.DNS1035LabelErrorMsg`, used for Service names.
pub const DNS1035_LABEL_MESSAGE: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME_MESSAGE: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUALIFIED_NAME_WHOLE_MESSAGE: &str = "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const LABEL_VALUE_MESSAGE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY_MESSAGE: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const NOT_POSITIVE: &str = "must be greater than zero";
/// `TotalAnnotationSizeLimitB`.
const ANNOTATIONS_SIZE_MAX: usize = 256 * 1024;
const ACCESS_MODES: &[&str] = &["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const VOLUME_MODES: &[&str] = &["Block", "Filesystem"];

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn is_dns1123_label(value: &str) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && is_lower_alnum(bytes[0])
        && is_lower_alnum(bytes[bytes.len() - 1])
        && bytes.iter().all(|b| is_lower_alnum(*b) || *b == b'-')
}

/// `IsDNS1123Subdomain`: the messages for an invalid subdomain (empty when valid).
pub fn dns1123_subdomain_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 253 {
        errors.push("must be no more than 253 characters".to_string());
    }
    if !value.split('.').all(is_dns1123_label) {
        errors.push(DNS1123_SUBDOMAIN_MESSAGE.to_string());
    }
    errors
}

/// `IsDNS1123Label`: the messages for an invalid label (empty when valid).
pub fn dns1123_label_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 63 {
        errors.push("must be no more than 63 characters".to_string());
    }
    if !is_dns1123_label(value) {
        errors.push(DNS1123_LABEL_MESSAGE.to_string());
    }
    errors
}

/// `IsDNS1035Label`: the messages for an invalid DNS-1035 label (Service names).
pub fn dns1035_label_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 63 {
        errors.push("must be no more than 63 characters".to_string());
    }
    let valid = is_dns1123_label(value) && value.as_bytes()[0].is_ascii_lowercase();
    if !valid {
        errors.push(DNS1035_LABEL_MESSAGE.to_string());
    }
    errors
}

fn is_qualified_name_part(part: &str) -> bool {
    let bytes = part.as_bytes();
    !bytes.is_empty()
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `IsQualifiedName`: label keys, annotation keys, provisioner names.
pub fn qualified_name_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errors.push("prefix part must be non-empty".to_string());
            } else {
                for message in dns1123_subdomain_errors(prefix) {
                    errors.push(format!("prefix part {message}"));
                }
            }
            *name
        }
        _ => return vec![QUALIFIED_NAME_WHOLE_MESSAGE.to_string()],
    };
    if name.is_empty() {
        errors.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errors.push("name part must be no more than 63 characters".to_string());
    }
    if !name.is_empty() && !is_qualified_name_part(name) {
        errors.push(QUALIFIED_NAME_MESSAGE.to_string());
    }
    errors
}

/// `IsValidLabelValue`.
pub fn label_value_errors(value: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if value.len() > 63 {
        errors.push("must be no more than 63 characters".to_string());
    }
    if !value.is_empty() && !is_qualified_name_part(value) {
        errors.push(LABEL_VALUE_MESSAGE.to_string());
    }
    errors
}

/// `ValidateLabels` at `path` (`metadata.labels`).
pub fn validate_labels(labels: &BTreeMap<String, String>, path: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (key, value) in labels {
        for message in qualified_name_errors(key) {
            errors.push(FieldError::invalid_str(path, key, message));
        }
        for message in label_value_errors(value) {
            errors.push(FieldError::invalid_str(path, value, message));
        }
    }
    errors
}

fn validate_annotations(annotations: &BTreeMap<String, String>, path: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut total = 0;
    for (key, value) in annotations {
        for message in qualified_name_errors(&key.to_ascii_lowercase()) {
            errors.push(FieldError::invalid_str(path, key, message));
        }
        total += key.len() + value.len();
    }
    if total > ANNOTATIONS_SIZE_MAX {
        errors.push(FieldError {
            path: path.to_string(),
            kind: super::FieldErrorKind::TooLong { max: ANNOTATIONS_SIZE_MAX },
            detail: String::new(),
        });
    }
    errors
}

/// Which name rule a kind's `metadata.name` follows.
fn name_errors(kind: Kind, name: &str) -> Vec<String> {
    match kind {
        Kind::Namespace => dns1123_label_errors(name),
        Kind::Service => dns1035_label_errors(name),
        _ => dns1123_subdomain_errors(name),
    }
}

/// `ValidateObjectMeta`: name (or generateName), namespace presence, labels and annotations.
fn validate_meta(kind: Kind, meta: &ObjectMeta) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = meta.name.as_deref().unwrap_or("");
    if name.is_empty() {
        if meta.generate_name.as_deref().unwrap_or("").is_empty() {
            errors.push(FieldError::required("metadata.name", "name or generateName is required"));
        }
    } else {
        for message in name_errors(kind, name) {
            errors.push(FieldError::invalid_str("metadata.name", name, message));
        }
    }
    let namespace = meta.namespace.as_deref().unwrap_or("");
    if kind.is_namespaced() {
        if namespace.is_empty() {
            errors.push(FieldError::required("metadata.namespace", ""));
        } else {
            for message in dns1123_label_errors(namespace) {
                errors.push(FieldError::invalid_str("metadata.namespace", namespace, message));
            }
        }
    } else if !namespace.is_empty() {
        errors.push(FieldError::forbidden("metadata.namespace", "not allowed on this type"));
    }
    if let Some(labels) = &meta.labels {
        errors.extend(validate_labels(labels, "metadata.labels"));
    }
    if let Some(annotations) = &meta.annotations {
        errors.extend(validate_annotations(annotations, "metadata.annotations"));
    }
    errors
}

/// Field errors for a new object, in the order the API server reports them.
pub fn validate_create(object: &Object) -> Vec<FieldError> {
    let mut errors = validate_meta(object.kind(), object.meta());
    match object {
        Object::PersistentVolume(volume) => errors.extend(validate_persistent_volume(volume)),
        Object::PersistentVolumeClaim(claim) => {
            let spec = claim.spec.clone().unwrap_or_default();
            errors.extend(validate_claim_spec(&spec, "spec"));
        }
        Object::StorageClass(class) => errors.extend(validate_storage_class(class)),
        Object::Pod(pod) => {
            let spec = pod.spec.clone().unwrap_or_default();
            errors.extend(validate_pod_spec(&spec, "spec"));
        }
        Object::StatefulSet(set) => errors.extend(validate_stateful_set(set)),
        Object::ConfigMap(map) => {
            let binary: BTreeSet<&String> = map.binary_data.iter().flatten().map(|(k, _)| k).collect();
            for key in map.data.iter().flatten().map(|(k, _)| k).chain(binary.iter().copied()) {
                for message in config_key_errors(key) {
                    let field = if binary.contains(key) { "binaryData" } else { "data" };
                    errors.push(FieldError::invalid_str(format!("{field}[{key}]"), key, message));
                }
            }
            for key in map.data.iter().flatten().map(|(k, _)| k) {
                if binary.contains(key) {
                    errors.push(FieldError::invalid_str(
                        format!("data[{key}]"),
                        key,
                        "duplicate of key present in binaryData",
                    ));
                }
            }
        }
        Object::Secret(secret) => {
            let keys: BTreeSet<&String> = secret
                .data
                .iter()
                .flatten()
                .map(|(k, _)| k)
                .chain(secret.string_data.iter().flatten().map(|(k, _)| k))
                .collect();
            for key in keys {
                for message in config_key_errors(key) {
                    errors.push(FieldError::invalid_str(format!("data[{key}]"), key, message));
                }
            }
        }
        Object::VolumeSnapshot(snapshot) => errors.extend(validate_volume_snapshot(snapshot)),
        Object::VolumeSnapshotContent(content) => errors.extend(validate_volume_snapshot_content(content)),
        Object::VolumeSnapshotClass(class) => errors.extend(validate_volume_snapshot_class(class)),
        _ => {}
    }
    errors
}

/// Field errors for an update from `old` to `new`: the new object's own validity plus immutability.
pub fn validate_update(old: &Object, new: &Object) -> Vec<FieldError> {
    let mut errors = validate_create(new);
    match (old, new) {
        (Object::PersistentVolume(old), Object::PersistentVolume(new)) => {
            let default = core::PersistentVolumeSpec::default();
            let (old_spec, new_spec) = (old.spec.as_ref().unwrap_or(&default), new.spec.as_ref().unwrap_or(&default));
            if normalized(&volume_source(old_spec)) != normalized(&volume_source(new_spec)) {
                errors.push(FieldError::forbidden(
                    "spec.persistentvolumesource",
                    "spec.persistentvolumesource is immutable after creation",
                ));
            }
            if old_spec.volume_mode != new_spec.volume_mode {
                errors.push(immutable("volumeMode", new_spec.volume_mode.as_deref()));
            }
        }
        (Object::PersistentVolumeClaim(old), Object::PersistentVolumeClaim(new)) => {
            errors.extend(validate_claim_update(old, new))
        }
        (Object::StorageClass(old), Object::StorageClass(new)) => {
            if old.parameters != new.parameters {
                errors.push(FieldError::forbidden("parameters", "updates to parameters are forbidden."));
            }
            if old.provisioner != new.provisioner {
                errors.push(FieldError::forbidden("provisioner", "updates to provisioner are forbidden."));
            }
            if old.reclaim_policy != new.reclaim_policy {
                errors.push(FieldError::forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
            }
            if old.volume_binding_mode != new.volume_binding_mode {
                errors.push(immutable("volumeBindingMode", new.volume_binding_mode.as_deref()));
            }
        }
        (Object::StatefulSet(old), Object::StatefulSet(new)) => {
            let mut clone = new.spec.clone().unwrap_or_default();
            let old_spec = old.spec.clone().unwrap_or_default();
            clone.replicas = old_spec.replicas;
            clone.template = old_spec.template.clone();
            clone.update_strategy = old_spec.update_strategy.clone();
            clone.min_ready_seconds = old_spec.min_ready_seconds;
            clone.ordinals = old_spec.ordinals.clone();
            clone.revision_history_limit = old_spec.revision_history_limit;
            clone.persistent_volume_claim_retention_policy = old_spec.persistent_volume_claim_retention_policy.clone();
            if normalized(&clone) != normalized(&old_spec) {
                errors.push(FieldError::forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                ));
            }
        }
        (Object::VolumeSnapshot(old), Object::VolumeSnapshot(new)) => {
            let (old_source, new_source) = (&old.spec.source, &new.spec.source);
            if old_source.persistent_volume_claim_name.is_some() && new_source.persistent_volume_claim_name.is_none() {
                errors.push(cel("spec.source", "object", "persistentVolumeClaimName is required once set"));
            }
            if old_source.volume_snapshot_content_name.is_some() && new_source.volume_snapshot_content_name.is_none() {
                errors.push(cel("spec.source", "object", "volumeSnapshotContentName is required once set"));
            }
            if old_source.persistent_volume_claim_name.is_some()
                && new_source.persistent_volume_claim_name.is_some()
                && old_source.persistent_volume_claim_name != new_source.persistent_volume_claim_name
            {
                errors.push(cel(
                    "spec.source.persistentVolumeClaimName",
                    "string",
                    "persistentVolumeClaimName is immutable",
                ));
            }
            if old_source.volume_snapshot_content_name.is_some()
                && new_source.volume_snapshot_content_name.is_some()
                && old_source.volume_snapshot_content_name != new_source.volume_snapshot_content_name
            {
                errors.push(cel(
                    "spec.source.volumeSnapshotContentName",
                    "string",
                    "volumeSnapshotContentName is immutable",
                ));
            }
        }
        (Object::VolumeSnapshotContent(old), Object::VolumeSnapshotContent(new)) => {
            if old.spec.source != new.spec.source {
                errors.push(cel("spec.source", "object", "source is immutable"));
            }
            if old.spec.source_volume_mode.is_some() && old.spec.source_volume_mode != new.spec.source_volume_mode {
                errors.push(cel("spec.sourceVolumeMode", "string", "sourceVolumeMode is immutable"));
            }
        }
        _ => {}
    }
    errors
}

/// `ValidateImmutableField`: `<path>: Invalid value: "<new>": field is immutable` (`null` when unset).
fn immutable(path: &str, new: Option<&str>) -> FieldError {
    match new {
        Some(value) => FieldError::invalid_str(path, value, "field is immutable"),
        None => FieldError::invalid(path, "null", "field is immutable"),
    }
}

/// A CEL rule's error: the value is rendered as its type name (`"object"`, `"string"`).
fn cel(path: &str, type_name: &str, message: &str) -> FieldError {
    FieldError::invalid_str(path, type_name, message)
}

/// A JSON form for semantic comparison: nulls, empty lists and empty maps dropped, quantities canonical.
fn normalized<T: serde::Serialize>(value: &T) -> serde_json::Value {
    fn clean(value: serde_json::Value) -> Option<serde_json::Value> {
        match value {
            serde_json::Value::Null => None,
            serde_json::Value::Array(items) => {
                let items: Vec<_> = items.into_iter().map(|v| clean(v).unwrap_or(serde_json::Value::Null)).collect();
                (!items.is_empty()).then_some(serde_json::Value::Array(items))
            }
            serde_json::Value::Object(map) => {
                let map: serde_json::Map<_, _> =
                    map.into_iter().filter_map(|(k, v)| clean(v).map(|v| (k, v))).collect();
                (!map.is_empty()).then_some(serde_json::Value::Object(map))
            }
            other => Some(other),
        }
    }
    clean(serde_json::to_value(value).unwrap_or_default()).unwrap_or_default()
}

fn config_key_errors(key: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if key.len() > 253 {
        errors.push("must be no more than 253 characters".to_string());
    }
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        errors.push(CONFIG_KEY_MESSAGE.to_string());
    }
    if key == "." {
        errors.push("must not be '.'".to_string());
    } else if key == ".." {
        errors.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        errors.push("must not start with '..'".to_string());
    }
    errors
}

fn validate_access_modes(modes: &[String], path: &str, required_detail: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if modes.is_empty() {
        errors.push(FieldError::required(path, required_detail));
    }
    if modes.iter().any(|m| m == "ReadWriteOncePod") && modes.len() > 1 {
        errors.push(FieldError::forbidden(path, "may not use ReadWriteOncePod with other access modes"));
    }
    for mode in modes {
        if !ACCESS_MODES.contains(&mode.as_str()) {
            errors.push(FieldError::not_supported(path, mode, ACCESS_MODES));
        }
    }
    errors
}

fn validate_class_name(name: Option<&str>, path: &str) -> Vec<FieldError> {
    match name {
        Some(name) if !name.is_empty() => {
            dns1123_subdomain_errors(name).into_iter().map(|m| FieldError::invalid_str(path, name, m)).collect()
        }
        _ => Vec::new(),
    }
}

/// `ValidatePositiveQuantityValue`: `<path>: Invalid value: "0": must be greater than zero`.
fn validate_positive(text: &str, path: &str) -> Vec<FieldError> {
    match Quantity::parse(text.trim()) {
        Ok(q) if q <= Quantity::parse("0").unwrap_or(q) => {
            vec![FieldError::invalid_str(path, &q.to_string(), NOT_POSITIVE)]
        }
        _ => Vec::new(),
    }
}

fn volume_source(spec: &core::PersistentVolumeSpec) -> Vec<(&'static str, serde_json::Value)> {
    let mut sources = Vec::new();
    let mut add = |name: &'static str, value: Option<serde_json::Value>| {
        if let Some(value) = value {
            sources.push((name, value));
        }
    };
    let json = |v: &dyn erased::Serialize| v.to_json();
    add("hostPath", spec.host_path.as_ref().map(|v| json(v)));
    add("gcePersistentDisk", spec.gce_persistent_disk.as_ref().map(|v| json(v)));
    add("awsElasticBlockStore", spec.aws_elastic_block_store.as_ref().map(|v| json(v)));
    add("glusterfs", spec.glusterfs.as_ref().map(|v| json(v)));
    add("nfs", spec.nfs.as_ref().map(|v| json(v)));
    add("rbd", spec.rbd.as_ref().map(|v| json(v)));
    add("quobyte", spec.quobyte.as_ref().map(|v| json(v)));
    add("cephfs", spec.cephfs.as_ref().map(|v| json(v)));
    add("iscsi", spec.iscsi.as_ref().map(|v| json(v)));
    add("cinder", spec.cinder.as_ref().map(|v| json(v)));
    add("fc", spec.fc.as_ref().map(|v| json(v)));
    add("flocker", spec.flocker.as_ref().map(|v| json(v)));
    add("flexVolume", spec.flex_volume.as_ref().map(|v| json(v)));
    add("azureFile", spec.azure_file.as_ref().map(|v| json(v)));
    add("vsphereVolume", spec.vsphere_volume.as_ref().map(|v| json(v)));
    add("photonPersistentDisk", spec.photon_persistent_disk.as_ref().map(|v| json(v)));
    add("portworxVolume", spec.portworx_volume.as_ref().map(|v| json(v)));
    add("azureDisk", spec.azure_disk.as_ref().map(|v| json(v)));
    add("scaleIO", spec.scale_io.as_ref().map(|v| json(v)));
    add("local", spec.local.as_ref().map(|v| json(v)));
    add("storageos", spec.storageos.as_ref().map(|v| json(v)));
    add("csi", spec.csi.as_ref().map(|v| json(v)));
    sources
}

/// A tiny object-safe serialisation helper, so one list can hold every volume source type.
mod erased {
    pub trait Serialize {
        fn to_json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Serialize for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

fn validate_persistent_volume(volume: &core::PersistentVolume) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let spec = volume.spec.clone().unwrap_or_default();
    errors.extend(validate_access_modes(spec.access_modes.as_deref().unwrap_or(&[]), "spec.accessModes", ""));
    let capacity = spec.capacity.clone().unwrap_or_default();
    if capacity.is_empty() {
        errors.push(FieldError::required("spec.capacity", ""));
    }
    if !capacity.contains_key("storage") || capacity.len() > 1 {
        let rendered = if capacity.is_empty() {
            "core.ResourceList(nil)".to_string()
        } else {
            let entries: Vec<String> = capacity.iter().map(|(k, v)| format!("{k:?}:{:?}", v.0)).collect();
            format!("core.ResourceList{{{}}}", entries.join(", "))
        };
        errors.push(FieldError {
            path: "spec.capacity".to_string(),
            kind: super::FieldErrorKind::NotSupported { value: rendered, supported: vec!["storage".to_string()] },
            detail: String::new(),
        });
    }
    for (name, value) in &capacity {
        errors.extend(validate_positive(&value.0, &format!("spec.capacity[{name}]")));
    }
    errors.extend(validate_class_name(spec.storage_class_name.as_deref(), "spec.storageClassName"));
    if let Some(policy) = spec.persistent_volume_reclaim_policy.as_deref()
        && !["Delete", "Recycle", "Retain"].contains(&policy)
    {
        errors.push(FieldError::not_supported(
            "spec.persistentVolumeReclaimPolicy",
            policy,
            &["Delete", "Recycle", "Retain"],
        ));
    }
    if let Some(mode) = spec.volume_mode.as_deref()
        && !VOLUME_MODES.contains(&mode)
    {
        errors.push(FieldError::not_supported("spec.volumeMode", mode, VOLUME_MODES));
    }
    let sources = volume_source(&spec);
    let first = sources.first().map(|(name, _)| *name);
    for (name, _) in sources.iter().skip(1) {
        errors.push(FieldError::forbidden(format!("spec.{name}"), "may not specify more than 1 volume type"));
    }
    // Only the first source is validated; the others are already refused.
    if let Some(host_path) = spec.host_path.as_ref().filter(|_| first == Some("hostPath")) {
        errors.extend(validate_host_path(host_path, "spec.hostPath", true));
    }
    if let Some(nfs) = spec.nfs.as_ref().filter(|_| first == Some("nfs")) {
        if nfs.server.is_empty() {
            errors.push(FieldError::required("spec.nfs.server", ""));
        }
        if nfs.path.is_empty() {
            errors.push(FieldError::required("spec.nfs.path", ""));
        } else if !nfs.path.starts_with('/') {
            errors.push(FieldError::invalid_str("spec.nfs.path", &nfs.path, "must be an absolute path"));
        }
    }
    if let Some(local) = spec.local.as_ref().filter(|_| first == Some("local")) {
        if local.path.is_empty() {
            errors.push(FieldError::required("spec.local.path", ""));
        }
        if spec.node_affinity.is_none() {
            errors.push(FieldError::required("spec.nodeAffinity", "Local volume requires node affinity"));
        }
    }
    if let Some(csi) = spec.csi.as_ref().filter(|_| first == Some("csi")) {
        if csi.driver.is_empty() {
            errors.push(FieldError::required("spec.csi.driver", ""));
        }
        if csi.volume_handle.is_empty() {
            errors.push(FieldError::required("spec.csi.volumeHandle", ""));
        }
    }
    if sources.is_empty() {
        errors.push(FieldError::required("spec", "must specify a volume type"));
    }
    if let Some(host_path) = &spec.host_path
        && host_path.path.trim_end_matches('/').is_empty()
        && !host_path.path.is_empty()
        && spec.persistent_volume_reclaim_policy.as_deref() == Some("Recycle")
    {
        errors.push(FieldError::forbidden(
            "spec.persistentVolumeReclaimPolicy",
            "may not be 'recycle' for a hostPath mount of '/'",
        ));
    }
    errors
}

const HOST_PATH_TYPES: &[&str] =
    &["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"];

fn validate_host_path(host_path: &core::HostPathVolumeSource, path: &str, persistent: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if host_path.path.is_empty() {
        errors.push(FieldError::required(format!("{path}.path"), ""));
        return errors;
    }
    if persistent && host_path.path.split('/').any(|part| part == "..") {
        errors.push(FieldError::invalid_str(format!("{path}.path"), &host_path.path, "must not contain '..'"));
    }
    if let Some(kind) = host_path.type_.as_deref()
        && !HOST_PATH_TYPES.contains(&kind)
    {
        errors.push(FieldError::not_supported(format!("{path}.type"), kind, HOST_PATH_TYPES));
    }
    errors
}

/// `ValidatePersistentVolumeClaimSpec` at `path` (`spec`, or a claim template's `spec`).
fn validate_claim_spec(spec: &core::PersistentVolumeClaimSpec, path: &str) -> Vec<FieldError> {
    let mut errors = validate_access_modes(
        spec.access_modes.as_deref().unwrap_or(&[]),
        &format!("{path}.accessModes"),
        "at least 1 access mode is required",
    );
    if let Some(selector) = &spec.selector {
        errors.extend(selector::validate_label_selector(selector, &format!("{path}.selector")));
    }
    let requests = spec.resources.as_ref().and_then(|r| r.requests.clone()).unwrap_or_default();
    match requests.get("storage") {
        None => errors.push(FieldError::required(format!("{path}.resources[storage]"), "")),
        Some(storage) => errors.extend(validate_positive(&storage.0, &format!("{path}.resources[storage]"))),
    }
    errors.extend(validate_class_name(spec.storage_class_name.as_deref(), &format!("{path}.storageClassName")));
    if let Some(mode) = spec.volume_mode.as_deref()
        && !VOLUME_MODES.contains(&mode)
    {
        errors.push(FieldError::not_supported(format!("{path}.volumeMode"), mode, VOLUME_MODES));
    }
    if let Some(source) = &spec.data_source {
        if source.name.is_empty() {
            errors.push(FieldError::required(format!("{path}.dataSource.name"), ""));
        }
        if source.kind.is_empty() {
            errors.push(FieldError::required(format!("{path}.dataSource.kind"), ""));
        }
    }
    errors
}

fn storage_request(claim: &core::PersistentVolumeClaim) -> Option<Quantity> {
    let requests = claim.spec.as_ref()?.resources.as_ref()?.requests.as_ref()?;
    quantity::parse(requests.get("storage")?).ok()
}

/// `ValidatePersistentVolumeClaimUpdate` (1.34, RecoverVolumeExpansionFailure on).
fn validate_claim_update(old: &core::PersistentVolumeClaim, new: &core::PersistentVolumeClaim) -> Vec<FieldError> {
    const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";
    let mut errors = Vec::new();
    let mut old_spec = old.spec.clone().unwrap_or_default();
    let mut new_spec = new.spec.clone().unwrap_or_default();
    let bound = old.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
    if old_spec.volume_name.as_deref().unwrap_or("").is_empty() {
        old_spec.volume_name = new_spec.volume_name.clone();
    }
    let annotation = |claim: &core::PersistentVolumeClaim| {
        claim.metadata.annotations.as_ref().and_then(|a| a.get(BETA_CLASS)).cloned()
    };
    let (old_annotation, new_annotation) = (annotation(old), annotation(new));
    if old_annotation != new_annotation {
        errors.push(FieldError::forbidden(format!("metadata.annotations[{BETA_CLASS}]"), "field is immutable"));
    }
    if old_annotation.is_none() && old_spec.storage_class_name.is_none() && new_spec.storage_class_name.is_some() {
        new_spec.storage_class_name = None;
    }
    if bound {
        if let Some(requests) = new_spec.resources.as_mut().and_then(|r| r.requests.as_mut()) {
            match old_spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")) {
                Some(storage) => requests.insert("storage".to_string(), storage.clone()),
                None => requests.remove("storage"),
            };
        }
        if new_spec.volume_attributes_class_name.is_some() {
            new_spec.volume_attributes_class_name = old_spec.volume_attributes_class_name.clone();
        }
    }
    let canonical = |spec: &core::PersistentVolumeClaimSpec| {
        let mut claim = core::PersistentVolumeClaim { spec: Some(spec.clone()), ..Default::default() };
        let mut object = Object::PersistentVolumeClaim(Box::new(claim.clone()));
        quantity::visit_quantities_mut(&mut object, &mut |_, value| {
            if let Some(c) = quantity::canonical(value) {
                *value = c;
            }
        });
        if let Object::PersistentVolumeClaim(c) = object {
            claim = *c;
        }
        normalized(&claim.spec)
    };
    // Equal specs have equal canonical forms; only different ones are canonicalized and compared.
    if new_spec != old_spec && canonical(&new_spec) != canonical(&old_spec) {
        errors.push(FieldError::forbidden(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        ));
    }
    if let (Some(old_size), Some(new_size)) = (storage_request(old), storage_request(new))
        && new_size < old_size
    {
        let status_size = old
            .status
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage"))
            .and_then(|q| quantity::parse(q).ok())
            .unwrap_or_else(|| Quantity::from_bytes(0));
        if new_size <= status_size {
            errors.push(FieldError::forbidden(
                "spec.resources.requests.storage",
                "field can not be less than status.capacity",
            ));
        }
    }
    let (old_mode, new_mode) = (
        old.spec.as_ref().and_then(|s| s.volume_mode.as_deref()),
        new.spec.as_ref().and_then(|s| s.volume_mode.as_deref()),
    );
    if old_mode != new_mode {
        errors.push(immutable("volumeMode", new_mode));
    }
    errors
}

fn validate_storage_class(class: &storage::StorageClass) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if class.provisioner.is_empty() {
        errors.push(FieldError::required("provisioner", ""));
    } else {
        if class.provisioner.len() > 63 {
            errors.push(FieldError {
                path: "provisioner".to_string(),
                kind: super::FieldErrorKind::TooLong { max: 63 },
                detail: String::new(),
            });
        }
        for message in qualified_name_errors(&class.provisioner.to_ascii_lowercase()) {
            errors.push(FieldError::invalid_str("provisioner", &class.provisioner, message));
        }
    }
    if let Some(policy) = class.reclaim_policy.as_deref()
        && !["Delete", "Retain"].contains(&policy)
    {
        errors.push(FieldError::not_supported("reclaimPolicy", policy, &["Delete", "Retain"]));
    }
    match class.volume_binding_mode.as_deref() {
        None => errors.push(FieldError::required("volumeBindingMode", "")),
        Some(mode) if !["Immediate", "WaitForFirstConsumer"].contains(&mode) => {
            errors.push(FieldError::not_supported("volumeBindingMode", mode, &["Immediate", "WaitForFirstConsumer"]))
        }
        Some(_) => {}
    }
    errors
}

const VOLUME_SOURCE_FIELDS: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// The pod checks the playground needs: containers, names, volumes and mounts, policies.
fn validate_pod_spec(spec: &core::PodSpec, path: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut volume_names = BTreeSet::new();
    for (i, volume) in spec.volumes.iter().flatten().enumerate() {
        let volume_path = format!("{path}.volumes[{i}]");
        let mut volume_errors = Vec::new();
        let json = serde_json::to_value(volume).unwrap_or_default();
        let sources: Vec<&str> =
            VOLUME_SOURCE_FIELDS.iter().copied().filter(|f| json.get(*f).is_some_and(|v| !v.is_null())).collect();
        for source in sources.iter().skip(1) {
            volume_errors.push(FieldError::forbidden(
                format!("{volume_path}.{source}"),
                "may not specify more than 1 volume type",
            ));
        }
        match sources.first().copied() {
            Some("hostPath") => {
                if let Some(host_path) = &volume.host_path {
                    volume_errors.extend(validate_host_path(host_path, &format!("{volume_path}.hostPath"), false));
                }
            }
            Some("persistentVolumeClaim") => {
                if volume.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name.is_empty()) {
                    volume_errors
                        .push(FieldError::required(format!("{volume_path}.persistentVolumeClaim.claimName"), ""));
                }
            }
            Some(_) => {}
            None => volume_errors.push(FieldError::required(volume_path.clone(), "must specify a volume type")),
        }
        if volume.name.is_empty() {
            volume_errors.push(FieldError::required(format!("{volume_path}.name"), ""));
        } else {
            for message in dns1123_label_errors(&volume.name) {
                volume_errors.push(FieldError::invalid_str(format!("{volume_path}.name"), &volume.name, message));
            }
        }
        if volume_names.contains(&volume.name) {
            volume_errors.push(FieldError::duplicate(format!("{volume_path}.name"), &volume.name));
        }
        if volume_errors.is_empty() {
            volume_names.insert(volume.name.clone());
        }
        errors.extend(volume_errors);
    }
    if spec.containers.is_empty() {
        errors.push(FieldError::required(format!("{path}.containers"), ""));
    }
    let mut container_names = BTreeSet::new();
    let groups = [
        ("containers", spec.containers.as_slice()),
        ("initContainers", spec.init_containers.as_deref().unwrap_or(&[])),
    ];
    for (group, containers) in groups {
        for (i, container) in containers.iter().enumerate() {
            let container_path = format!("{path}.{group}[{i}]");
            if container.name.is_empty() {
                errors.push(FieldError::required(format!("{container_path}.name"), ""));
            } else {
                for message in dns1123_label_errors(&container.name) {
                    errors.push(FieldError::invalid_str(format!("{container_path}.name"), &container.name, message));
                }
                if !container_names.insert(container.name.clone()) {
                    errors.push(FieldError::duplicate(format!("{container_path}.name"), &container.name));
                }
            }
            if container.image.as_deref().unwrap_or("").trim().is_empty() {
                errors.push(FieldError::required(format!("{container_path}.image"), ""));
            }
            let mut mount_paths = BTreeSet::new();
            for (j, mount) in container.volume_mounts.iter().flatten().enumerate() {
                let mount_path = format!("{container_path}.volumeMounts[{j}]");
                if mount.name.is_empty() {
                    errors.push(FieldError::required(format!("{mount_path}.name"), ""));
                } else if !volume_names.contains(&mount.name) {
                    errors.push(FieldError::not_found(format!("{mount_path}.name"), &mount.name));
                }
                if mount.mount_path.is_empty() {
                    errors.push(FieldError::required(format!("{mount_path}.mountPath"), ""));
                } else if !mount_paths.insert(mount.mount_path.clone()) {
                    errors.push(FieldError::invalid_str(
                        format!("{mount_path}.mountPath"),
                        &mount.mount_path,
                        "must be unique",
                    ));
                }
            }
        }
    }
    if let Some(policy) = spec.restart_policy.as_deref()
        && !["Always", "Never", "OnFailure"].contains(&policy)
    {
        errors.push(FieldError::not_supported(
            format!("{path}.restartPolicy"),
            policy,
            &["Always", "Never", "OnFailure"],
        ));
    }
    if let Some(policy) = spec.dns_policy.as_deref()
        && !["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"].contains(&policy)
    {
        errors.push(FieldError::not_supported(
            format!("{path}.dnsPolicy"),
            policy,
            &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
        ));
    }
    errors
}

fn validate_stateful_set(set: &apps::StatefulSet) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let spec = set.spec.clone().unwrap_or_default();
    if let Some(policy) = spec.pod_management_policy.as_deref()
        && !["OrderedReady", "Parallel"].contains(&policy)
    {
        errors.push(FieldError::not_supported("spec.podManagementPolicy", policy, &["OrderedReady", "Parallel"]));
    }
    for (i, template) in spec.volume_claim_templates.iter().flatten().enumerate() {
        let claim_spec = template.spec.clone().unwrap_or_default();
        errors.extend(validate_claim_spec(&claim_spec, &format!("spec.volumeClaimTemplates[{i}].spec")));
    }
    if let Some(replicas) = spec.replicas
        && replicas < 0
    {
        errors.push(FieldError::invalid("spec.replicas", replicas.to_string(), "must be greater than or equal to 0"));
    }
    let selector_empty = spec.selector.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && spec.selector.match_expressions.as_ref().is_none_or(Vec::is_empty);
    if selector_empty {
        errors.push(FieldError::invalid(
            "spec.selector",
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}",
            "empty selector is invalid for statefulset",
        ));
    } else {
        errors.extend(selector::validate_label_selector(&spec.selector, "spec.selector"));
        let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
        if !selector::label_selector_matches(&spec.selector, &labels) {
            let rendered = format!(
                "map[string]string{{{}}}",
                labels.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect::<Vec<_>>().join(", ")
            );
            errors.push(FieldError::invalid(
                "spec.template.metadata.labels",
                rendered,
                "`selector` does not match template `labels`",
            ));
        }
    }
    let pod_spec = spec.template.spec.clone().unwrap_or_default();
    // Upstream `ValidatePodTemplateSpecForStatefulSet` does not validate the template's pod spec: its
    // volume mounts may name volumeClaimTemplates, which are not volumes of the template. Invalid pod
    // specs surface later, as FailedCreate events when the controller creates the pods.
    if let Some(policy) = pod_spec.restart_policy.as_deref()
        && policy != "Always"
    {
        errors.push(FieldError::not_supported("spec.template.spec.restartPolicy", policy, &["Always"]));
    }
    errors
}

fn validate_deletion_policy(policy: &str, path: &str) -> Vec<FieldError> {
    if ["Delete", "Retain"].contains(&policy) {
        Vec::new()
    } else {
        vec![FieldError::not_supported(path, policy, &["Delete", "Retain"])]
    }
}

fn validate_volume_snapshot(snapshot: &VolumeSnapshot) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let source = &snapshot.spec.source;
    if source.persistent_volume_claim_name.is_some() == source.volume_snapshot_content_name.is_some() {
        errors.push(cel(
            "spec.source",
            "object",
            "exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set",
        ));
    }
    if snapshot.spec.volume_snapshot_class_name.as_deref() == Some("") {
        errors.push(cel(
            "spec.volumeSnapshotClassName",
            "string",
            "volumeSnapshotClassName must not be the empty string when set",
        ));
    }
    errors
}

fn validate_volume_snapshot_content(content: &VolumeSnapshotContent) -> Vec<FieldError> {
    let mut errors = validate_deletion_policy(&content.spec.deletion_policy, "spec.deletionPolicy");
    if content.spec.driver.is_empty() {
        errors.push(FieldError::required("spec.driver", ""));
    }
    let source = &content.spec.source;
    if source.volume_handle.is_some() == source.snapshot_handle.is_some() {
        errors.push(cel("spec.source", "object", "exactly one of volumeHandle and snapshotHandle must be set"));
    }
    let reference = &content.spec.volume_snapshot_ref;
    if reference.name.as_deref().unwrap_or("").is_empty() || reference.namespace.as_deref().unwrap_or("").is_empty() {
        errors.push(cel(
            "spec.volumeSnapshotRef",
            "object",
            "both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set",
        ));
    }
    if let Some(mode) = content.spec.source_volume_mode.as_deref()
        && !VOLUME_MODES.contains(&mode)
    {
        errors.push(FieldError::not_supported("spec.sourceVolumeMode", mode, VOLUME_MODES));
    }
    errors
}

fn validate_volume_snapshot_class(class: &VolumeSnapshotClass) -> Vec<FieldError> {
    let mut errors = validate_deletion_policy(&class.deletion_policy, "deletionPolicy");
    if class.driver.is_empty() {
        errors.push(FieldError::required("driver", ""));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::decode::decode_documents;
    use crate::api::defaults::apply_defaults;
    use expect_test::{Expect, expect};

    fn object(yaml: &str) -> Object {
        let mut object = decode_documents(yaml).remove(0).result.expect("test manifests decode");
        if object.kind().is_namespaced() && object.namespace().is_empty() {
            object.meta_mut().namespace = Some("default".to_string());
        }
        apply_defaults(&mut object);
        object
    }

    /// Validates each `---` document on create and prints its errors, one per line.
    #[track_caller]
    fn check(input: &str, expect: Expect) {
        let mut out = String::new();
        for (i, document) in input.split("\n---\n").enumerate() {
            let object = object(document);
            out.push_str(&format!("#{i} {}/{}\n", object.kind(), object.name()));
            for error in validate_create(&object) {
                out.push_str(&format!("  {error}\n"));
            }
        }
        expect.assert_eq(&out);
    }

    /// Validates an update from the first document to the second.
    #[track_caller]
    fn check_update(input: &str, expect: Expect) {
        let (old, new) = input.split_once("\n---\n").expect("two documents");
        let errors = validate_update(&object(old), &object(new));
        let out: String = errors.iter().map(|e| format!("{e}\n")).collect();
        expect.assert_eq(&out);
    }

    #[test]
    fn names_labels_and_annotations_should_use_apimachinery_messages() {
        check(
            r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: Bad_Name
  labels:
    -bad: ok
    good: "bad value"
    example.com/fine: "yes"
---
apiVersion: v1
kind: Namespace
metadata:
  name: a.b
---
apiVersion: v1
kind: Service
metadata:
  name: 1abc
---
apiVersion: v1
kind: ConfigMap
metadata:
  generateName: x-
data:
  "bad key": v
  ok.key: v"#,
            expect![[r#"
                #0 ConfigMap/Bad_Name
                  metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
                  metadata.labels: Invalid value: "-bad": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')
                  metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')
                #1 Namespace/a.b
                  metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')
                #2 Service/1abc
                  metadata.name: Invalid value: "1abc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')
                #3 ConfigMap/
                  data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')
            "#]],
        );
    }

    #[test]
    fn persistent_volumes_should_be_validated_on_create() {
        check(
            r#"apiVersion: v1
kind: PersistentVolume
metadata:
  name: empty
spec: {}
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: bad
spec:
  accessModes: [ReadWriteOncePod, ReadWriteOnce, ReadWriteSometimes]
  capacity:
    storage: "0"
  persistentVolumeReclaimPolicy: Keep
  volumeMode: Raw
  storageClassName: Fast
  hostPath:
    path: /data
    type: Folder
  nfs:
    server: nfs.example.com
    path: exports
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: local
spec:
  accessModes: [ReadWriteOnce]
  capacity:
    storage: 10Gi
  local:
    path: /mnt/disks/ssd1
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: good
spec:
  accessModes: [ReadWriteOnce]
  capacity:
    storage: 1Gi
  hostPath:
    path: /tmp/data"#,
            expect![[r##"
                #0 PersistentVolume/empty
                  spec.accessModes: Required value
                  spec.capacity: Required value
                  spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"
                  spec: Required value: must specify a volume type
                #1 PersistentVolume/bad
                  spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes
                  spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"
                  spec.capacity[storage]: Invalid value: "0": must be greater than zero
                  spec.storageClassName: Invalid value: "Fast": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
                  spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"
                  spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"
                  spec.nfs: Forbidden: may not specify more than 1 volume type
                  spec.hostPath.type: Unsupported value: "Folder": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"
                #2 PersistentVolume/local
                  spec.nodeAffinity: Required value: Local volume requires node affinity
                #3 PersistentVolume/good
            "##]],
        );
    }

    #[test]
    fn claims_and_classes_should_be_validated_on_create() {
        check(
            r#"apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: empty
spec: {}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: bad
spec:
  accessModes: [ReadWriteOncePod, ReadWriteMany]
  volumeMode: Raw
  resources:
    requests:
      storage: "0"
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: bad
provisioner: "not a name"
reclaimPolicy: Recycle
volumeBindingMode: Later"#,
            expect![[r#"
                #0 PersistentVolumeClaim/empty
                  spec.accessModes: Required value: at least 1 access mode is required
                  spec.resources[storage]: Required value
                #1 PersistentVolumeClaim/bad
                  spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes
                  spec.resources[storage]: Invalid value: "0": must be greater than zero
                  spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"
                #2 StorageClass/bad
                  provisioner: Invalid value: "not a name": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')
                  reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"
                  volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"
            "#]],
        );
    }

    #[test]
    fn pods_and_stateful_sets_should_be_validated_on_create() {
        check(
            r#"apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers: []
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  volumes:
  - name: data
    hostPath:
      path: /d
    emptyDir: {}
  - name: data
    persistentVolumeClaim:
      claimName: ""
  - name: none
  containers:
  - name: App
    image: ""
    volumeMounts:
    - name: missing
      mountPath: /a
    - name: data
      mountPath: /a
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  podManagementPolicy: Random
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: other
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: nginx
        volumeMounts:
        - name: data
          mountPath: /usr/share/nginx/html
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      resources:
        requests:
          storage: 1Gi"#,
            expect![[r##"
                #0 Pod/p
                  spec.containers: Required value
                #1 Pod/p
                  spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type
                  spec.volumes[1].persistentVolumeClaim.claimName: Required value
                  spec.containers[0].name: Invalid value: "App": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')
                  spec.containers[0].image: Required value
                  spec.containers[0].volumeMounts[0].name: Not found: "missing"
                  spec.containers[0].volumeMounts[1].name: Not found: "data"
                  spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique
                #2 StatefulSet/web
                  spec.podManagementPolicy: Unsupported value: "Random": supported values: "OrderedReady", "Parallel"
                  spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required
                  spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`
                  spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"
            "##]],
        );
    }

    #[test]
    fn snapshots_should_follow_the_crd_cel_rules() {
        check(
            r#"apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata:
  name: s
spec:
  volumeSnapshotClassName: ""
  source:
    persistentVolumeClaimName: a
    volumeSnapshotContentName: b
---
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotContent
metadata:
  name: c
spec:
  deletionPolicy: Keep
  driver: ""
  source: {}
  volumeSnapshotRef:
    name: s
---
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata:
  name: k
driver: hostpath.csi.k8s.io
deletionPolicy: Destroy"#,
            expect![[r#"
                #0 VolumeSnapshot/s
                  spec.source: Invalid value: "object": exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set
                  spec.volumeSnapshotClassName: Invalid value: "string": volumeSnapshotClassName must not be the empty string when set
                #1 VolumeSnapshotContent/c
                  spec.deletionPolicy: Unsupported value: "Keep": supported values: "Delete", "Retain"
                  spec.driver: Required value
                  spec.source: Invalid value: "object": exactly one of volumeHandle and snapshotHandle must be set
                  spec.volumeSnapshotRef: Invalid value: "object": both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set
                #2 VolumeSnapshotClass/k
                  deletionPolicy: Unsupported value: "Destroy": supported values: "Delete", "Retain"
            "#]],
        );
    }

    const CLAIM: &str = r#"apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 10Gi
status:
  phase: Bound
  capacity:
    storage: 10Gi"#;

    #[test]
    fn claim_updates_should_allow_only_resizes_of_bound_claims() {
        check_update(
            &format!("{CLAIM}\n---\n{}", CLAIM.replace("storage: 10Gi\nstatus", "storage: 20Gi\nstatus")),
            expect![""],
        );
        check_update(
            &format!("{CLAIM}\n---\n{}", CLAIM.replace("storage: 10Gi\nstatus", "storage: 5Gi\nstatus")),
            expect![[r#"
                spec.resources.requests.storage: Forbidden: field can not be less than status.capacity
            "#]],
        );
        check_update(
            &format!(
                "{CLAIM}\n---\n{}",
                CLAIM
                    .replace("[ReadWriteOnce]", "[ReadWriteMany]")
                    .replace("name: data\n", "name: data\n  annotations: {a: b}\n")
            ),
            expect![[r#"
                spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims
            "#]],
        );
        let pending = CLAIM.replace("phase: Bound", "phase: Pending");
        check_update(
            &format!("{pending}\n---\n{}", pending.replace("storage: 10Gi\nstatus", "storage: 20Gi\nstatus")),
            expect![[r#"
                spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims
            "#]],
        );
        // A nil class may be set once (retroactive default class), and volumeName filled in once.
        check_update(
            &format!(
                "{pending}\n---\n{}",
                pending.replace("accessModes", "storageClassName: standard\n  volumeName: pv-1\n  accessModes")
            ),
            expect![""],
        );
    }

    #[test]
    fn class_and_volume_updates_should_enforce_immutability() {
        let class = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\nprovisioner: a.example.com\nparameters:\n  type: ssd";
        check_update(
            &format!(
                "{class}\n---\n{}",
                class.replace("a.example.com", "b.example.com").replace("ssd", "hdd")
                    + "\nreclaimPolicy: Retain\nvolumeBindingMode: WaitForFirstConsumer\nallowVolumeExpansion: true"
            ),
            expect![[r#"
                parameters: Forbidden: updates to parameters are forbidden.
                provisioner: Forbidden: updates to provisioner are forbidden.
                reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.
                volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable
            "#]],
        );
        let volume = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: v\nspec:\n  accessModes: [ReadWriteOnce]\n  capacity:\n    storage: 1Gi\n  hostPath:\n    path: /tmp/a";
        check_update(
            &format!("{volume}\n---\n{}", volume.replace("/tmp/a", "/tmp/b") + "\n  volumeMode: Block"),
            expect![[r#"
                spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation
                volumeMode: Invalid value: "Block": field is immutable
            "#]],
        );
        let set = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  serviceName: web\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: c\n        image: nginx";
        check_update(
            &format!(
                "{set}\n---\n{}",
                set.replace("replicas: 1", "replicas: 3").replace("image: nginx", "image: nginx:2")
            ),
            expect![""],
        );
        check_update(
            &format!("{set}\n---\n{}", set.replace("serviceName: web", "serviceName: other")),
            expect![[r#"
                spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden
            "#]],
        );
    }
}
