//! The kubelet's volume manager: sets up a pod's volumes as trees and mounts them into containers.
//!
//! # Model
//! - emptyDir: a fresh tree per pod (tmpfs for `medium: Memory`), gone with the pod.
//! - hostPath: a directory (or file) of the node's root tree, after the type check of
//!   `pkg/volume/hostpath/host_path.go`; failures are `FailedMount` events with its exact words.
//! - configMap, secret, downwardAPI, projected: written as the AtomicWriter does: the files in a
//!   timestamped `..2026_05_14_09_00_03.123456789` directory, `..data` pointing at it, and one
//!   symlink per top-level name into `..data`. Updates write a new directory and swap `..data`.
//!   Always mounted read-only.
//! - persistentVolumeClaim: the claim must be bound; volumes whose driver needs attaching wait for
//!   their VolumeAttachment to be attached to this node; the data is the backend volume's tree.

use super::world::MountedVolume;
use crate::api::ObjectKey;
use crate::apiserver::ApiServer;
use crate::backend::Backend;
use crate::fs::{FileKind, FsId, FsTree, MountNamespace, MountSpec};
use crate::sim::{SimRng, SimTime};
use k8s_openapi::api::core::v1::{
    ConfigMap, DownwardAPIVolumeFile, KeyToPath, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume,
};
use k8s_openapi::api::storage::v1::{CSIDriver, VolumeAttachment};
use std::collections::BTreeMap;

/// Why a pod's volumes cannot be set up yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountFailure {
    /// The `FailedMount` event message, or empty when the kubelet only waits (unattached volume).
    pub message: String,
    /// Volumes still waiting for an attach.
    pub unattached: Vec<String>,
}

/// One file to project: relative path, contents, mode.
type Projection = Vec<(String, Vec<u8>, u32)>;

fn failure(volume: &str, error: impl std::fmt::Display) -> MountFailure {
    MountFailure {
        message: format!("MountVolume.SetUp failed for volume \"{volume}\" : {error}"),
        unattached: Vec::new(),
    }
}

/// Checks that every volume of `pod` can be set up on `node` now.
///
/// # Errors
/// The first failure, worded as the kubelet's `FailedMount` event.
pub fn check(api: &ApiServer, backend: &Backend, pod: &Pod, node: &str) -> Result<(), MountFailure> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut unattached = Vec::new();
    for volume in pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).into_iter().flatten() {
        if let Some(source) = &volume.host_path {
            let root = backend.node_roots.get(node).copied();
            let tree = root.and_then(|id| backend.fs.get(id));
            let kind = tree.and_then(|t| t.lookup_path(&source.path).ok().and_then(|ino| t.kind(ino).ok()));
            if let Err(error) = host_path_check(&source.path, source.type_.as_deref().unwrap_or(""), kind) {
                return Err(failure(&volume.name, error));
            }
        }
        if projection(api, pod, volume, namespace).is_err() {
            let Err(error) = projection(api, pod, volume, namespace) else {
                continue;
            };
            return Err(failure(&volume.name, error));
        }
        if let Some(source) = &volume.persistent_volume_claim {
            let claim = api.store().get_typed::<PersistentVolumeClaim>(namespace, &source.claim_name);
            let Some(claim) = claim else {
                let message = format!(
                    "Unable to attach or mount volumes: unmounted volumes=[{}], unattached volumes=[]: error processing PVC {namespace}/{}: failed to fetch PVC from API server: persistentvolumeclaims \"{}\" not found",
                    volume.name, source.claim_name, source.claim_name
                );
                return Err(MountFailure { message, unattached: Vec::new() });
            };
            let volume_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
            let bound = claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
            let pv = api.store().get_typed::<PersistentVolume>("", &volume_name);
            let Some(pv) = pv.filter(|_| bound && !volume_name.is_empty()) else {
                let message = format!(
                    "Unable to attach or mount volumes: unmounted volumes=[{}], unattached volumes=[]: error processing PVC {namespace}/{}: PVC is not bound",
                    volume.name, source.claim_name
                );
                return Err(MountFailure { message, unattached: Vec::new() });
            };
            if !is_attached(api, pv, node) {
                unattached.push(volume.name.clone());
            }
        }
    }
    if unattached.is_empty() { Ok(()) } else { Err(MountFailure { message: String::new(), unattached }) }
}

/// The `FailedMount` message after the kubelet gave up waiting for attachments (2m3s in real life).
pub fn attach_timeout_message(unattached: &[String]) -> String {
    let list = unattached.join(" ");
    format!(
        "Unable to attach or mount volumes: unmounted volumes=[{list}], unattached volumes=[{list}]: timed out waiting for the condition"
    )
}

/// Whether `pv` can be used on `node`: it needs no attach, or its VolumeAttachment is attached there.
pub fn is_attached(api: &ApiServer, pv: &PersistentVolume, node: &str) -> bool {
    let Some(csi) = pv.spec.as_ref().and_then(|s| s.csi.as_ref()) else {
        return true;
    };
    let driver = api.store().get_typed::<CSIDriver>("", &csi.driver);
    // Without a CSIDriver object the kubelet assumes attach is required.
    let attach_required = driver.is_none_or(|d| d.spec.attach_required.unwrap_or(true));
    if !attach_required {
        return true;
    }
    let pv_name = pv.metadata.name.as_deref().unwrap_or("");
    api.store().list_typed::<VolumeAttachment>().any(|attachment| {
        attachment.spec.node_name == node
            && attachment.spec.source.persistent_volume_name.as_deref() == Some(pv_name)
            && attachment.status.as_ref().is_some_and(|s| s.attached)
            && attachment.metadata.deletion_timestamp.is_none()
    })
}

/// The hostPath type check, worded as `host_path.go` words it. `kind` is what exists at the path.
pub fn host_path_check(path: &str, type_: &str, kind: Option<FileKind>) -> Result<(), String> {
    let is_dir = kind == Some(FileKind::Directory);
    let is_file = kind == Some(FileKind::File);
    match type_ {
        "" => Ok(()),
        "DirectoryOrCreate" if kind.is_none() => Ok(()),
        "DirectoryOrCreate" | "Directory" if !is_dir => {
            Err(format!("hostPath type check failed: {path} is not a directory"))
        }
        "FileOrCreate" if kind.is_none() => Ok(()),
        "FileOrCreate" | "File" if !is_file => Err(format!("hostPath type check failed: {path} is not a file")),
        "Socket" => Err(format!("hostPath type check failed: {path} is not a socket file")),
        "CharDevice" => Err(format!("hostPath type check failed: {path} is not a character device")),
        "BlockDevice" => Err(format!("hostPath type check failed: {path} is not a block device")),
        _ => Ok(()),
    }
}

/// The files a configMap, secret, downwardAPI or projected volume holds, or `None` for other kinds.
///
/// # Errors
/// `configmap "x" not found`, `configmap references non-existent config key: k` and the secret forms.
pub fn projection(api: &ApiServer, pod: &Pod, volume: &Volume, namespace: &str) -> Result<Option<Projection>, String> {
    let mut files = Vec::new();
    if let Some(source) = &volume.config_map {
        let mode = source.default_mode.unwrap_or(0o644) as u32;
        let data = config_map_data(api, namespace, &source.name, source.optional.unwrap_or(false))?;
        project_items(&mut files, &data, source.items.as_deref(), mode, source.optional.unwrap_or(false), "configmap")?;
        return Ok(Some(files));
    }
    if let Some(source) = &volume.secret {
        let mode = source.default_mode.unwrap_or(0o644) as u32;
        let name = source.secret_name.clone().unwrap_or_default();
        let data = secret_data(api, namespace, &name, source.optional.unwrap_or(false))?;
        project_items(&mut files, &data, source.items.as_deref(), mode, source.optional.unwrap_or(false), "secret")?;
        return Ok(Some(files));
    }
    if let Some(source) = &volume.downward_api {
        let mode = source.default_mode.unwrap_or(0o644) as u32;
        for item in source.items.iter().flatten() {
            files.push((
                item.path.clone(),
                downward_value(api, pod, item)?.into_bytes(),
                item.mode.map_or(mode, |m| m as u32),
            ));
        }
        return Ok(Some(files));
    }
    if let Some(projected) = &volume.projected {
        let mode = projected.default_mode.unwrap_or(0o644) as u32;
        for source in projected.sources.iter().flatten() {
            if let Some(cm) = &source.config_map {
                let optional = cm.optional.unwrap_or(false);
                let data = config_map_data(api, namespace, &cm.name, optional)?;
                project_items(&mut files, &data, cm.items.as_deref(), mode, optional, "configmap")?;
            }
            if let Some(secret) = &source.secret {
                let optional = secret.optional.unwrap_or(false);
                let data = secret_data(api, namespace, &secret.name, optional)?;
                project_items(&mut files, &data, secret.items.as_deref(), mode, optional, "secret")?;
            }
            if let Some(downward) = &source.downward_api {
                for item in downward.items.iter().flatten() {
                    files.push((
                        item.path.clone(),
                        downward_value(api, pod, item)?.into_bytes(),
                        item.mode.map_or(mode, |m| m as u32),
                    ));
                }
            }
            if let Some(token) = &source.service_account_token {
                let account = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.service_account_name.clone())
                    .unwrap_or_else(|| "default".to_string());
                let jwt = service_account_token(namespace, &account, pod.metadata.name.as_deref().unwrap_or(""));
                files.push((token.path.clone(), jwt.into_bytes(), mode));
            }
            if source.cluster_trust_bundle.is_some() || source.pod_certificate.is_some() {
                // Not simulated: cluster trust bundles and pod certificates project nothing.
            }
        }
        return Ok(Some(files));
    }
    Ok(None)
}

/// A fake but well-formed service account JWT.
fn service_account_token(namespace: &str, account: &str, pod: &str) -> String {
    let payload = format!(
        "{{\"aud\":[\"https://kubernetes.default.svc.cluster.local\"],\"kubernetes.io\":{{\"namespace\":\"{namespace}\",\"pod\":{{\"name\":\"{pod}\"}},\"serviceaccount\":{{\"name\":\"{account}\"}}}},\"sub\":\"system:serviceaccount:{namespace}:{account}\"}}"
    );
    format!("eyJhbGciOiJSUzI1NiIsImtpZCI6InN0b3dhZ2UifQ.{}.c2lnbmF0dXJl", base64_url(payload.as_bytes()))
}

fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn config_map_data(
    api: &ApiServer,
    namespace: &str,
    name: &str,
    optional: bool,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    match api.store().get_typed::<ConfigMap>(namespace, name) {
        Some(cm) => {
            let mut data: BTreeMap<String, Vec<u8>> =
                cm.data.iter().flatten().map(|(k, v)| (k.clone(), v.clone().into_bytes())).collect();
            for (k, v) in cm.binary_data.iter().flatten() {
                data.insert(k.clone(), v.0.clone());
            }
            Ok(data)
        }
        None if optional => Ok(BTreeMap::new()),
        None => Err(format!("configmap \"{name}\" not found")),
    }
}

fn secret_data(
    api: &ApiServer,
    namespace: &str,
    name: &str,
    optional: bool,
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    match api.store().get_typed::<Secret>(namespace, name) {
        Some(secret) => {
            let mut data: BTreeMap<String, Vec<u8>> =
                secret.data.iter().flatten().map(|(k, v)| (k.clone(), v.0.clone())).collect();
            for (k, v) in secret.string_data.iter().flatten() {
                data.insert(k.clone(), v.clone().into_bytes());
            }
            Ok(data)
        }
        None if optional => Ok(BTreeMap::new()),
        None => Err(format!("secret \"{name}\" not found")),
    }
}

fn project_items(
    files: &mut Projection,
    data: &BTreeMap<String, Vec<u8>>,
    items: Option<&[KeyToPath]>,
    mode: u32,
    optional: bool,
    what: &str,
) -> Result<(), String> {
    match items {
        None => {
            for (key, value) in data {
                files.push((key.clone(), value.clone(), mode));
            }
        }
        Some(items) => {
            for item in items {
                match data.get(&item.key) {
                    Some(value) => files.push((item.path.clone(), value.clone(), item.mode.map_or(mode, |m| m as u32))),
                    None if optional => {}
                    None => {
                        return Err(format!(
                            "{what} references non-existent {} key: {}",
                            if what == "secret" { "secret" } else { "config" },
                            item.key
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// `key="value"` lines, sorted, Go-quoted, no trailing newline (`fieldpath.FormatMap`).
pub fn format_map(map: Option<&BTreeMap<String, String>>) -> String {
    map.into_iter().flatten().map(|(k, v)| format!("{k}={}", go_quote(v))).collect::<Vec<_>>().join("\n")
}

/// Go's `%q` for the strings labels and annotations hold.
pub fn go_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn downward_value(api: &ApiServer, pod: &Pod, item: &DownwardAPIVolumeFile) -> Result<String, String> {
    if let Some(field) = &item.field_ref {
        return field_value(pod, &field.field_path);
    }
    if let Some(resource) = &item.resource_field_ref {
        let container = resource.container_name.as_deref().unwrap_or("");
        return resource_value(api, pod, container, &resource.resource, resource.divisor.as_ref());
    }
    Ok(String::new())
}

/// The value of a downward API `fieldRef` (`metadata.labels`, `metadata.labels['app']`, `status.podIP`...).
///
/// # Errors
/// `unsupported fieldPath: x`.
pub fn field_value(pod: &Pod, path: &str) -> Result<String, String> {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    if let Some(rest) = path.strip_prefix("metadata.labels['").and_then(|r| r.strip_suffix("']")) {
        return Ok(meta.labels.as_ref().and_then(|l| l.get(rest)).cloned().unwrap_or_default());
    }
    if let Some(rest) = path.strip_prefix("metadata.annotations['").and_then(|r| r.strip_suffix("']")) {
        return Ok(meta.annotations.as_ref().and_then(|l| l.get(rest)).cloned().unwrap_or_default());
    }
    Ok(match path {
        "metadata.name" => meta.name.clone().unwrap_or_default(),
        "metadata.namespace" => meta.namespace.clone().unwrap_or_default(),
        "metadata.uid" => meta.uid.clone().unwrap_or_default(),
        "metadata.labels" => format_map(meta.labels.as_ref()),
        "metadata.annotations" => format_map(meta.annotations.as_ref()),
        "spec.nodeName" => spec.and_then(|s| s.node_name.clone()).unwrap_or_default(),
        "spec.serviceAccountName" => {
            spec.and_then(|s| s.service_account_name.clone()).unwrap_or_else(|| "default".to_string())
        }
        "status.hostIP" => status.and_then(|s| s.host_ip.clone()).unwrap_or_default(),
        "status.podIP" => status.and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
        other => return Err(format!("unsupported fieldPath: {other}")),
    })
}

/// The value of a `resourceFieldRef`: the container's limit or request in divisor units, rounded up;
/// an unset limit reads as the node's allocatable.
///
/// # Errors
/// `unsupported container resource : x`.
pub fn resource_value(
    api: &ApiServer,
    pod: &Pod,
    container: &str,
    resource: &str,
    divisor: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
) -> Result<String, String> {
    let spec = pod.spec.as_ref();
    let found = spec.and_then(|s| s.containers.iter().find(|c| c.name == container).or_else(|| s.containers.first()));
    let resources = found.and_then(|c| c.resources.as_ref());
    let (map, name) = match resource.split_once('.') {
        Some(("limits", name)) => (resources.and_then(|r| r.limits.as_ref()), name),
        Some(("requests", name)) => (resources.and_then(|r| r.requests.as_ref()), name),
        _ => return Err(format!("unsupported container resource : {resource}")),
    };
    let node_name = spec.and_then(|s| s.node_name.as_deref()).unwrap_or("");
    let allocatable = || {
        api.store()
            .get_typed::<k8s_openapi::api::core::v1::Node>("", node_name)
            .and_then(|n| n.status.as_ref()?.allocatable.as_ref()?.get(name).cloned())
    };
    let value = map
        .and_then(|m| m.get(name).cloned())
        .or_else(|| if resource.starts_with("limits") { allocatable() } else { None });
    let milli = |q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity| {
        crate::api::quantity::parse(q).map(|q| q.milli_value()).unwrap_or(0)
    };
    let default_divisor = k8s_openapi::apimachinery::pkg::api::resource::Quantity("1".to_string());
    let divisor_milli = milli(divisor.unwrap_or(&default_divisor)).max(1);
    let value_milli = value.as_ref().map_or(0, milli);
    let result = (value_milli + divisor_milli - 1) / divisor_milli;
    // Requests of CPU default to 0 but are reported as at least 1 in divisor units when set.
    Ok(result.to_string())
}

/// Writes `files` into `tree` at `dir` as the AtomicWriter does; returns the new timestamped directory.
pub fn write_atomic(tree: &mut FsTree, files: &Projection, now: SimTime, rng: &mut SimRng) -> String {
    let ms = now.unix_millis() as u64;
    let (y, mo, d, h, mi, s) = crate::runtime::civil(now.unix_seconds());
    let stamp = format!("..{y:04}_{mo:02}_{d:02}_{h:02}_{mi:02}_{s:02}.{}", 100_000_000 + rng.below(900_000_000));
    let old = tree.lookup_path("..data").ok().and_then(|ino| tree.read_link(ino).ok().map(str::to_string));
    let _ = tree.mkdir_all(&stamp, ms);
    let mut top_level = Vec::new();
    for (path, data, mode) in files {
        let full = format!("{stamp}/{path}");
        if let Ok(ino) = tree.write_file_at(&full, data, ms) {
            let _ = tree.set_mode(ino, *mode & 0o777);
        }
        let first = path.split('/').next().unwrap_or(path).to_string();
        if !top_level.contains(&first) {
            top_level.push(first);
        }
    }
    let _ = tree.remove_at("..data_tmp", ms);
    let _ = tree.symlink_at("..data_tmp", &stamp, ms);
    let root = tree.root();
    let _ = tree.remove_at("..data", ms);
    let _ = tree.rename(root, "..data_tmp", root, "..data", ms);
    for name in &top_level {
        if tree.lookup_path(name).is_err() {
            let _ = tree.symlink_at(name, &format!("..data/{name}"), ms);
        }
    }
    // Names that no longer exist lose their symlink.
    let stale: Vec<String> = tree
        .read_dir(root)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !e.name.starts_with("..") && !top_level.contains(&e.name))
        .map(|e| e.name)
        .collect();
    for name in stale {
        let _ = tree.remove_at(&name, ms);
    }
    if let Some(old) = old.filter(|o| *o != stamp) {
        let _ = tree.remove_at(&old, ms);
    }
    stamp
}

/// The identity under which a PersistentVolume's data is kept when no backend volume holds it.
pub fn volume_identity(pv: &PersistentVolume) -> String {
    let name = pv.metadata.name.clone().unwrap_or_default();
    let Some(spec) = pv.spec.as_ref() else {
        return format!("pv:{name}");
    };
    if let Some(csi) = &spec.csi {
        return format!("csi:{}:{}", csi.driver, csi.volume_handle);
    }
    if let Some(nfs) = &spec.nfs {
        return format!("nfs:{}:{}", nfs.server, nfs.path);
    }
    if let Some(ebs) = &spec.aws_elastic_block_store {
        return format!("ebs:{}", ebs.volume_id);
    }
    if let Some(pd) = &spec.gce_persistent_disk {
        return format!("pd:{}", pd.pd_name);
    }
    format!("pv:{name}")
}

/// Sets up every volume of `pod` on `node`. Call [`check`] first.
pub fn set_up(
    api: &ApiServer,
    backend: &mut Backend,
    pod: &Pod,
    node: &str,
    now: SimTime,
    rng: &mut SimRng,
) -> BTreeMap<String, MountedVolume> {
    let ms = now.unix_millis() as u64;
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let node_root = backend.node_roots.get(node).copied();
    let mut mounted = BTreeMap::new();
    for volume in pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).into_iter().flatten() {
        let plain = |fs: FsId| MountedVolume {
            fs,
            subpath: String::new(),
            read_only: false,
            owned: true,
            volume_name: None,
            claim_name: None,
            size_limit_bytes: None,
        };
        if let Some(empty_dir) = &volume.empty_dir {
            let memory = empty_dir.medium.as_deref() == Some("Memory");
            let limit = empty_dir
                .size_limit
                .as_ref()
                .and_then(|q| crate::api::quantity::parse(q).ok())
                .map(|q| q.value().max(0) as u64);
            // The emptyDir plugin makes its directory 0777; a tmpfs mounted over it has tmpfs's 1777.
            let mut tree = if memory {
                FsTree::new("tmpfs", "tmpfs", Some(limit.unwrap_or(16_786_731_008 / 2)), ms)
            } else {
                FsTree::new("/dev/nvme0n1p1", "ext4", None, ms)
            };
            let root = tree.root();
            let _ = tree.set_mode(root, if memory { 0o1777 } else { 0o777 });
            let id = backend.fs.insert(tree);
            mounted.insert(volume.name.clone(), MountedVolume { size_limit_bytes: limit, ..plain(id) });
            continue;
        }
        if let Some(source) = &volume.host_path {
            let Some(root) = node_root else { continue };
            let type_ = source.type_.as_deref().unwrap_or("");
            if let Some(tree) = backend.fs.get_mut(root) {
                let exists = tree.lookup_path(&source.path).is_ok();
                if !exists && type_ == "FileOrCreate" {
                    if let Ok(ino) = tree.write_file_at(&source.path, b"", ms) {
                        let _ = tree.set_mode(ino, 0o644);
                    }
                } else if !exists {
                    let _ = tree.mkdir_all(&source.path, ms);
                }
            }
            let subpath = source.path.trim_start_matches('/').to_string();
            mounted.insert(volume.name.clone(), MountedVolume { subpath, owned: false, ..plain(root) });
            continue;
        }
        if let Ok(Some(files)) = projection(api, pod, volume, namespace) {
            // Secret, downwardAPI and projected volumes wrap a memory emptyDir (a tmpfs, mode 1777);
            // configMap volumes wrap a disk emptyDir (mode 0777).
            let secretish = volume.secret.is_some() || volume.projected.is_some() || volume.downward_api.is_some();
            let mut tree = if secretish {
                FsTree::new("tmpfs", "tmpfs", None, ms)
            } else {
                FsTree::new("/dev/nvme0n1p1", "ext4", None, ms)
            };
            let root = tree.root();
            let _ = tree.set_mode(root, if secretish { 0o1777 } else { 0o777 });
            write_atomic(&mut tree, &files, now, rng);
            let id = backend.fs.insert(tree);
            mounted.insert(volume.name.clone(), MountedVolume { read_only: true, ..plain(id) });
            continue;
        }
        if let Some(source) = &volume.persistent_volume_claim {
            let claim = api.store().get_typed::<PersistentVolumeClaim>(namespace, &source.claim_name);
            let volume_name = claim.and_then(|c| c.spec.as_ref()?.volume_name.clone()).unwrap_or_default();
            let Some(pv) = api.store().get_typed::<PersistentVolume>("", &volume_name) else {
                continue;
            };
            let modes = pv.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default();
            let rox_only = !modes.is_empty() && modes.iter().all(|m| m == "ReadOnlyMany");
            let (fs, subpath) = persistent_tree(backend, pv, node_root, now);
            mounted.insert(
                volume.name.clone(),
                MountedVolume {
                    fs,
                    subpath,
                    read_only: source.read_only.unwrap_or(false) || rox_only,
                    owned: false,
                    volume_name: Some(volume_name),
                    claim_name: Some(source.claim_name.clone()),
                    size_limit_bytes: None,
                },
            );
            continue;
        }
        // Other volume kinds (ephemeral, image, iscsi...) are not simulated: an empty scratch tree.
        let id = backend.fs.insert(FsTree::new("none", "tmpfs", None, ms));
        mounted.insert(volume.name.clone(), plain(id));
    }
    let _ = uid;
    mounted
}

/// The tree holding a PersistentVolume's data (and the directory in it).
fn persistent_tree(
    backend: &mut Backend,
    pv: &PersistentVolume,
    node_root: Option<FsId>,
    now: SimTime,
) -> (FsId, String) {
    let ms = now.unix_millis() as u64;
    let spec = pv.spec.as_ref();
    let node_path = spec.and_then(|s| {
        s.host_path.as_ref().map(|h| h.path.clone()).or_else(|| s.local.as_ref().map(|l| l.path.clone()))
    });
    if let (Some(path), Some(root)) = (node_path, node_root) {
        if let Some(tree) = backend.fs.get_mut(root) {
            let _ = tree.mkdir_all(&path, ms);
        }
        return (root, path.trim_start_matches('/').to_string());
    }
    if let Some(fs) = backend.volume_fs_for_pv(pv, now) {
        return (fs, String::new());
    }
    let identity = volume_identity(pv);
    if let Some(id) = backend.dataplane.volume_trees.get(&identity).copied().filter(|id| backend.fs.get(*id).is_some())
    {
        return (id, String::new());
    }
    let capacity = spec
        .and_then(|s| s.capacity.as_ref()?.get("storage").cloned())
        .and_then(|q| crate::api::quantity::parse(&q).ok())
        .map(|q| q.value().max(0) as u64);
    let source = match spec {
        Some(s) if s.nfs.is_some() => {
            let nfs = s.nfs.as_ref().map(|n| format!("{}:{}", n.server, n.path)).unwrap_or_default();
            (nfs, "nfs4")
        }
        _ => ("/dev/nvme1n1".to_string(), "ext4"),
    };
    let id = backend.fs.insert(FsTree::new(&source.0, source.1, capacity, ms));
    backend.dataplane.volume_trees.insert(identity, id);
    (id, String::new())
}

/// The mount namespace of a container: its root and its volume mounts (with subPath).
pub fn container_mounts(
    backend: &mut Backend,
    root: FsId,
    volumes: &BTreeMap<String, MountedVolume>,
    container: &k8s_openapi::api::core::v1::Container,
    env: &[(String, String)],
    now: SimTime,
) -> MountNamespace {
    let ms = now.unix_millis() as u64;
    let mut ns = MountNamespace::new(MountSpec { fs: root, subpath: String::new(), read_only: false });
    for mount in container.volume_mounts.iter().flatten() {
        let Some(volume) = volumes.get(&mount.name) else {
            continue;
        };
        let mut subpath = volume.subpath.clone();
        let sub = match (&mount.sub_path, &mount.sub_path_expr) {
            (Some(p), _) if !p.is_empty() => Some(p.clone()),
            (_, Some(expr)) if !expr.is_empty() => Some(expand_env(expr, env)),
            _ => None,
        };
        if let Some(sub) = sub {
            subpath = if subpath.is_empty() { sub.clone() } else { format!("{subpath}/{sub}") };
            if let Some(tree) = backend.fs.get_mut(volume.fs)
                && tree.lookup_path(&subpath).is_err()
            {
                let _ = tree.mkdir_all(&subpath, ms);
            }
        }
        let read_only = volume.read_only || mount.read_only.unwrap_or(false);
        ns.mount(&mount.mount_path, MountSpec { fs: volume.fs, subpath, read_only });
        // The mount point exists in the container's root, as runc creates it.
        if let Some(tree) = backend.fs.get_mut(root) {
            let _ = tree.mkdir_all(&mount.mount_path, ms);
        }
    }
    ns
}

/// `$(VAR)` expansion as Kubernetes does for command, args and subPathExpr.
pub fn expand_env(text: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("$(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find(')') {
            Some(end) => {
                let name = &after[..end];
                match env.iter().rev().find(|(k, _)| k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push_str("$(");
                        out.push_str(name);
                        out.push(')');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace("$$(", "$(")
}

/// The versions of configMaps and secrets a pod projects, to notice updates.
pub fn projected_versions(api: &ApiServer, pod: &Pod) -> BTreeMap<String, String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut out = BTreeMap::new();
    let mut note = |kind: crate::api::Kind, name: &str| {
        let key = ObjectKey::namespaced(kind, namespace, name);
        let version = api.store().get(&key).and_then(|o| o.meta().resource_version.clone()).unwrap_or_default();
        out.insert(format!("{kind:?}/{name}"), version);
    };
    for volume in pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).into_iter().flatten() {
        if let Some(cm) = &volume.config_map {
            note(crate::api::Kind::ConfigMap, &cm.name);
        }
        if let Some(secret) = &volume.secret {
            note(crate::api::Kind::Secret, secret.secret_name.as_deref().unwrap_or(""));
        }
        for source in volume.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
            if let Some(cm) = &source.config_map {
                note(crate::api::Kind::ConfigMap, &cm.name);
            }
            if let Some(secret) = &source.secret {
                note(crate::api::Kind::Secret, &secret.name);
            }
        }
    }
    // Downward API files follow the pod's labels and annotations.
    let downward = pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).into_iter().flatten().any(|v| {
        v.downward_api.is_some()
            || v.projected.iter().flat_map(|p| p.sources.iter().flatten()).any(|s| s.downward_api.is_some())
    });
    if downward {
        out.insert("Pod/labels".to_string(), format_map(pod.metadata.labels.as_ref()));
        out.insert("Pod/annotations".to_string(), format_map(pod.metadata.annotations.as_ref()));
    }
    out
}

/// Rewrites the projected volumes of a running pod after their sources changed (subPath mounts keep
/// their old files, as in real life, because they point into the old timestamped directory).
pub fn refresh_projections(
    api: &ApiServer,
    backend: &mut Backend,
    pod: &Pod,
    uid: &str,
    now: SimTime,
    rng: &mut SimRng,
) {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default").to_string();
    let Some(runtime) = backend.dataplane.pods.get(uid) else {
        return;
    };
    let targets: Vec<(String, FsId)> = runtime.volumes.iter().map(|(name, v)| (name.clone(), v.fs)).collect();
    for volume in pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).into_iter().flatten() {
        if volume.downward_api.is_some() && volume.projected.is_none() {
            // Labels and annotations update too; keep it simple: rewrite as well.
        }
        let Ok(Some(files)) = projection(api, pod, volume, &namespace) else {
            continue;
        };
        let Some((_, fs)) = targets.iter().find(|(name, _)| *name == volume.name) else {
            continue;
        };
        if let Some(tree) = backend.fs.get_mut(*fs) {
            write_atomic(tree, &files, now, rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_map_should_quote_sorted_pairs_without_trailing_newline() {
        let labels =
            BTreeMap::from([("version".to_string(), "v2".to_string()), ("app".to_string(), "my\"app".to_string())]);
        assert_eq!(format_map(Some(&labels)), "app=\"my\\\"app\"\nversion=\"v2\"");
    }

    #[test]
    fn host_path_check_should_word_failures_as_the_kubelet() {
        assert_eq!(host_path_check("/var/log", "Directory", Some(FileKind::Directory)), Ok(()));
        assert_eq!(
            host_path_check("/nope", "Directory", None),
            Err("hostPath type check failed: /nope is not a directory".to_string())
        );
        assert_eq!(
            host_path_check("/etc/hosts", "Directory", Some(FileKind::File)),
            Err("hostPath type check failed: /etc/hosts is not a directory".to_string())
        );
        assert_eq!(
            host_path_check("/x", "File", None),
            Err("hostPath type check failed: /x is not a file".to_string())
        );
        assert_eq!(host_path_check("/x", "FileOrCreate", None), Ok(()));
        assert_eq!(
            host_path_check("/run/x.sock", "Socket", None),
            Err("hostPath type check failed: /run/x.sock is not a socket file".to_string())
        );
    }

    #[test]
    fn atomic_writer_should_link_keys_through_data() {
        let mut tree = FsTree::new("tmpfs", "tmpfs", None, 0);
        let mut rng = SimRng::new(crate::sim::Seed(1), 9);
        let files = vec![("db.conf".to_string(), b"x=1".to_vec(), 0o644)];
        let stamp = write_atomic(&mut tree, &files, SimTime(3_000), &mut rng);
        assert!(stamp.starts_with("..2026_05_14_09_00_03."));
        let link = tree.lookup_path("db.conf").unwrap();
        assert_eq!(tree.read_link(link).unwrap(), "..data/db.conf");
        let data = tree.lookup_path("..data").unwrap();
        assert_eq!(tree.read_link(data).unwrap(), stamp);
        let second =
            write_atomic(&mut tree, &vec![("other".to_string(), b"y".to_vec(), 0o400)], SimTime(9_000), &mut rng);
        assert!(tree.lookup_path(&stamp).is_err(), "the old directory goes");
        assert!(tree.lookup_path("db.conf").is_err(), "stale names go");
        assert_eq!(tree.read_link(tree.lookup_path("..data").unwrap()).unwrap(), second);
    }
}
