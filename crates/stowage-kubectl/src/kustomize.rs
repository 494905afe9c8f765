//! The kustomization subset the storage documentation uses: `resources`, `namespace`,
//! `namePrefix`/`nameSuffix`, `commonLabels`, `commonAnnotations`, `secretGenerator` and
//! `configMapGenerator` (literals, files, envs) with kustomize's name hashes, and the rewriting of
//! references to generated names in pod templates.
//!
//! # Model
//! - The name hash is kustomize's `hasher`: SHA-256 of the JSON encoding (keys sorted, HTML
//!   characters escaped as Go does) of `{"data","kind","name"}` for ConfigMaps and
//!   `{"data","kind","name","type"}` for Secrets, first ten hex digits with `0 1 3 a e` mapped to
//!   `g h k m t`.
//! - Output is in kustomize's legacy order (Namespace, StorageClass, ..., ConfigMap, Secret, Service,
//!   PersistentVolume, PersistentVolumeClaim, Deployment, StatefulSet, then the other kinds).
//! - Not simulated: patches, images, replacements, components, remote bases, `behavior: merge`.

use crate::kubectl::{FileEntry, Files};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One generated or read resource, as JSON (kustomize works on unstructured objects).
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// The object.
    pub value: Value,
}

/// Builds a kustomization directory into resources.
///
/// # Errors
/// kustomize's message, without the `error: ` prefix.
pub fn build(files: &dyn Files, dir: &str) -> Result<Vec<Value>, String> {
    let mut out = build_dir(files, dir, 0)?;
    out.sort_by_key(order_key);
    Ok(out)
}

const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

fn order_key(value: &Value) -> (usize, String, String, String) {
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    let rank = match ORDER_FIRST.iter().position(|k| *k == kind) {
        Some(i) => i,
        None => match ORDER_LAST.iter().position(|k| *k == kind) {
            Some(i) => 1000 + i,
            None => 500,
        },
    };
    let meta = value.get("metadata");
    let namespace = meta.and_then(|m| m.get("namespace")).and_then(Value::as_str).unwrap_or("").to_string();
    let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("").to_string();
    (rank, if rank == 500 { kind } else { String::new() }, namespace, name)
}

fn join(dir: &str, path: &str) -> String {
    if path.starts_with('/') || dir.is_empty() || dir == "." {
        path.to_string()
    } else {
        format!("{}/{}", dir.trim_end_matches('/'), path.trim_start_matches("./"))
    }
}

fn read_text(files: &dyn Files, path: &str) -> Result<String, String> {
    match files.open(path) {
        Ok(FileEntry::File(bytes)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Ok(FileEntry::Dir(_)) => Err(format!("read {path}: is a directory")),
        Err(_) => Err(format!("open {path}: no such file or directory")),
    }
}

fn build_dir(files: &dyn Files, dir: &str, depth: u32) -> Result<Vec<Value>, String> {
    if depth > 10 {
        return Err(format!("cycle detected: kustomization in '{dir}' includes itself"));
    }
    let mut found = None;
    for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        let path = join(dir, name);
        if let Ok(FileEntry::File(bytes)) = files.open(&path) {
            found = Some(String::from_utf8_lossy(&bytes).into_owned());
            break;
        }
    }
    let Some(text) = found else {
        return Err(format!(
            "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{dir}'"
        ));
    };
    let kustomization = stowage_core::api::decode::yaml_value(&text).map_err(|e| e.to_string())?;
    let field = |name: &str| kustomization.get(name).cloned().unwrap_or(Value::Null);
    let mut resources: Vec<Value> = Vec::new();
    for entry in field("resources").as_array().cloned().unwrap_or_default() {
        let Some(path) = entry.as_str() else { continue };
        let full = join(dir, path);
        match files.open(&full) {
            Ok(FileEntry::Dir(_)) => resources.extend(build_dir(files, &full, depth + 1)?),
            Ok(FileEntry::File(bytes)) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                for document in split_documents(&text) {
                    let value = stowage_core::api::decode::yaml_value(&document).map_err(|e| e.to_string())?;
                    if value.is_object() {
                        resources.push(value);
                    }
                }
            }
            Err(_) => {
                return Err(format!(
                    "accumulating resources: accumulation err='accumulating resources from '{path}': open {full}: no such file or directory': must build at directory: not a valid directory: evalsymlink failure on '{full}' : lstat {full}: no such file or directory"
                ));
            }
        }
    }
    let options = field("generatorOptions");
    let disable_hash = options.get("disableNameSuffixHash").and_then(Value::as_bool).unwrap_or(false);
    let mut renamed: BTreeMap<(String, String), String> = BTreeMap::new();
    for (generator, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
        for spec in field(generator).as_array().cloned().unwrap_or_default() {
            let generated = generate(files, dir, kind, &spec, &options)?;
            let name = generated.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
            let mut generated = generated;
            let spec_disables =
                spec.pointer("/options/disableNameSuffixHash").and_then(Value::as_bool).unwrap_or(false);
            if !disable_hash && !spec_disables {
                let hash = name_hash(&generated);
                let hashed = format!("{name}-{hash}");
                renamed.insert((kind.to_string(), name.clone()), hashed.clone());
                set_path(&mut generated, &["metadata", "name"], Value::String(hashed));
            }
            resources.push(generated);
        }
    }
    let namespace = field("namespace").as_str().map(str::to_string);
    let prefix = field("namePrefix").as_str().unwrap_or("").to_string();
    let suffix = field("nameSuffix").as_str().unwrap_or("").to_string();
    let labels = field("commonLabels");
    let annotations = field("commonAnnotations");
    for resource in &mut resources {
        if let Some(ns) = &namespace {
            let kind = resource.get("kind").and_then(Value::as_str).unwrap_or("");
            let namespaced =
                stowage_core::Kind::ALL.iter().find(|k| k.info().name == kind).is_none_or(|k| k.is_namespaced());
            if namespaced {
                set_path(resource, &["metadata", "namespace"], Value::String(ns.clone()));
            }
        }
        if !prefix.is_empty() || !suffix.is_empty() {
            let kind = resource.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
            if let Some(name) = resource.pointer("/metadata/name").and_then(Value::as_str).map(str::to_string) {
                let new = format!("{prefix}{name}{suffix}");
                if kind == "ConfigMap" || kind == "Secret" {
                    let original = renamed.iter().find(|(_, v)| **v == name).map(|(k, _)| k.1.clone());
                    let key = (kind.clone(), original.unwrap_or_else(|| name.clone()));
                    renamed.insert(key, new.clone());
                }
                set_path(resource, &["metadata", "name"], Value::String(new));
            }
        }
        if let Some(labels) = labels.as_object() {
            for (key, value) in labels {
                set_path(resource, &["metadata", "labels", key], value.clone());
            }
        }
        if let Some(annotations) = annotations.as_object() {
            for (key, value) in annotations {
                set_path(resource, &["metadata", "annotations", key], value.clone());
            }
        }
    }
    for resource in &mut resources {
        rewrite_references(resource, &renamed);
    }
    Ok(resources)
}

fn split_documents(text: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for line in text.lines() {
        if line.starts_with("---") {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    out.into_iter().filter(|d| d.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))).collect()
}

fn set_path(value: &mut Value, path: &[&str], new: Value) {
    let mut current = value;
    for (index, part) in path.iter().enumerate() {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Some(map) = current.as_object_mut() else {
            return;
        };
        if index == path.len() - 1 {
            map.insert((*part).to_string(), new);
            return;
        }
        current = map.entry((*part).to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
}

fn generate(files: &dyn Files, dir: &str, kind: &str, spec: &Value, options: &Value) -> Result<Value, String> {
    let name = spec.get("name").and_then(Value::as_str).unwrap_or("").to_string();
    let mut data: BTreeMap<String, String> = BTreeMap::new();
    for literal in spec.get("literals").and_then(Value::as_array).cloned().unwrap_or_default() {
        let text = literal.as_str().unwrap_or("");
        let Some((key, value)) = text.split_once('=') else {
            return Err(format!("literal {text:?} must have the form key=value"));
        };
        let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        data.insert(key.to_string(), value.to_string());
    }
    for file in spec.get("files").and_then(Value::as_array).cloned().unwrap_or_default() {
        let text = file.as_str().unwrap_or("");
        let (key, path) = match text.split_once('=') {
            Some((key, path)) => (key.to_string(), path.to_string()),
            None => (text.rsplit('/').next().unwrap_or(text).to_string(), text.to_string()),
        };
        data.insert(key, read_text(files, &join(dir, &path))?);
    }
    for env in spec.get("envs").and_then(Value::as_array).cloned().unwrap_or_default() {
        let path = env.as_str().unwrap_or("");
        for line in read_text(files, &join(dir, path))?.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((key, value)) = line.split_once('=') {
                data.insert(key.to_string(), value.to_string());
            }
        }
    }
    let mut object = Map::new();
    object.insert("apiVersion".to_string(), Value::String("v1".to_string()));
    object.insert("kind".to_string(), Value::String(kind.to_string()));
    let mut meta = Map::new();
    meta.insert("name".to_string(), Value::String(name));
    if let Some(ns) = spec.get("namespace").and_then(Value::as_str) {
        meta.insert("namespace".to_string(), Value::String(ns.to_string()));
    }
    for (field, source) in [("labels", options.get("labels")), ("annotations", options.get("annotations"))] {
        if let Some(map) = source.and_then(Value::as_object) {
            meta.insert(field.to_string(), Value::Object(map.clone()));
        }
    }
    object.insert("metadata".to_string(), Value::Object(meta));
    if kind == "Secret" {
        let encoded: Map<String, Value> =
            data.iter().map(|(k, v)| (k.clone(), Value::String(base64(v.as_bytes())))).collect();
        object.insert("data".to_string(), Value::Object(encoded));
        let secret_type = spec.get("type").and_then(Value::as_str).unwrap_or("Opaque");
        object.insert("type".to_string(), Value::String(secret_type.to_string()));
    } else {
        let plain: Map<String, Value> = data.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        object.insert("data".to_string(), Value::Object(plain));
    }
    Ok(Value::Object(object))
}

/// kustomize's name hash for a generated ConfigMap or Secret.
pub fn name_hash(object: &Value) -> String {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let name = object.pointer("/metadata/name").cloned().unwrap_or(Value::String(String::new()));
    let data = match object.get("data") {
        Some(Value::Object(map)) => Value::Object(map.clone()),
        _ => Value::String(String::new()),
    };
    let mut map = BTreeMap::new();
    map.insert("kind", Value::String(kind.to_string()));
    map.insert("name", name);
    map.insert("data", data);
    if kind == "Secret" {
        map.insert("type", object.get("type").cloned().unwrap_or(Value::String(String::new())));
    }
    let encoded = go_json(&map);
    encode_hash(&sha256_hex(encoded.as_bytes()))
}

/// `json.Marshal` of a sorted map as Go writes it (HTML characters escaped).
fn go_json(map: &BTreeMap<&str, Value>) -> String {
    let sorted: Map<String, Value> = map.iter().map(|(k, v)| ((*k).to_string(), sort_keys(v))).collect();
    let text = serde_json::to_string(&Value::Object(sorted)).unwrap_or_default();
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A value with every object's keys sorted (Go's map encoding order).
pub fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k.clone(), sort_keys(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

fn encode_hash(hex: &str) -> String {
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { ALPHABET[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { ALPHABET[n as usize & 63] as char } else { '=' });
    }
    out
}

/// SHA-256 (FIPS 180-4) as lowercase hex; the engine's implementation, which also names VolumeAttachments.
pub fn sha256_hex(data: &[u8]) -> String {
    stowage_core::csi::sha256::hex(data)
}

/// Rewrites references to generated ConfigMaps and Secrets in pod templates (kustomize's name reference transformer).
fn rewrite_references(resource: &mut Value, renamed: &BTreeMap<(String, String), String>) {
    if renamed.is_empty() {
        return;
    }
    let kind = resource.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    let spec_path: &[&str] = match kind.as_str() {
        "Pod" => &["spec"],
        "Deployment" | "StatefulSet" | "ReplicaSet" | "DaemonSet" | "Job" => &["spec", "template", "spec"],
        _ => return,
    };
    let mut current = &mut *resource;
    for part in spec_path {
        match current.get_mut(*part) {
            Some(next) => current = next,
            None => return,
        }
    }
    let rename = |value: &mut Value, kind: &str| {
        if let Some(name) = value.as_str()
            && let Some(new) = renamed.get(&(kind.to_string(), name.to_string()))
        {
            *value = Value::String(new.clone());
        }
    };
    if let Some(volumes) = current.get_mut("volumes").and_then(Value::as_array_mut) {
        for volume in volumes {
            if let Some(name) = volume.pointer_mut("/configMap/name") {
                rename(name, "ConfigMap");
            }
            if let Some(name) = volume.pointer_mut("/secret/secretName") {
                rename(name, "Secret");
            }
            if let Some(sources) = volume.pointer_mut("/projected/sources").and_then(Value::as_array_mut) {
                for source in sources {
                    if let Some(name) = source.pointer_mut("/configMap/name") {
                        rename(name, "ConfigMap");
                    }
                    if let Some(name) = source.pointer_mut("/secret/name") {
                        rename(name, "Secret");
                    }
                }
            }
        }
    }
    for list in ["containers", "initContainers"] {
        if let Some(containers) = current.get_mut(list).and_then(Value::as_array_mut) {
            for container in containers {
                if let Some(env) = container.get_mut("env").and_then(Value::as_array_mut) {
                    for var in env {
                        if let Some(name) = var.pointer_mut("/valueFrom/configMapKeyRef/name") {
                            rename(name, "ConfigMap");
                        }
                        if let Some(name) = var.pointer_mut("/valueFrom/secretKeyRef/name") {
                            rename(name, "Secret");
                        }
                    }
                }
                if let Some(env_from) = container.get_mut("envFrom").and_then(Value::as_array_mut) {
                    for source in env_from {
                        if let Some(name) = source.pointer_mut("/configMapRef/name") {
                            rename(name, "ConfigMap");
                        }
                        if let Some(name) = source.pointer_mut("/secretRef/name") {
                            rename(name, "Secret");
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_should_match_known_digests() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn base64_should_pad_like_go() {
        assert_eq!(base64(b"admin"), "YWRtaW4=");
        assert_eq!(base64(b"1f2d1e2e67df"), "MWYyZDFlMmU2N2Rm");
    }

    #[test]
    fn name_hash_should_follow_kustomize_hasher() {
        // The cases of kustomize's hasher tests (unnamed ConfigMaps).
        let one: Value =
            serde_json::json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":""},"data":{"one":""}});
        assert_eq!(name_hash(&one), "9g67k2htb6");
        let three: Value =
            serde_json::json!({"kind":"ConfigMap","metadata":{"name":""},"data":{"two":"2","one":"","three":"3"}});
        assert_eq!(name_hash(&three), "f5h7t85m9b");
        let empty: Value = serde_json::json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":""},"data":{}});
        assert_eq!(name_hash(&empty), "42745tchd9");
    }
}
