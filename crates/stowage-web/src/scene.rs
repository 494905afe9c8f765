//! Plain data the playground's views draw, read from a cluster once per change: the objects of the cluster view
//! (zones, nodes, pods with containers and mounts, claims, volumes, snapshots, classes, drivers, backend disks),
//! the inspector's texts (YAML, describe, events) and the files in a volume.
//!
//! Read-only helpers over the engine's public surface ([`Cluster::view`], the store's objects as JSON, the
//! backend's volumes and snapshots, kubectl's printers). Components never see the engine, only these structs.

use serde_json::Value;
use stowage_core::api::Object;
use stowage_core::fs::FileKind;
use stowage_core::{Cluster, ClusterView, Kind, ObjectKey};
use stowage_kubectl::print;

/// The node label that names a node's zone.
const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

/// The namespace whose pods (CSI plugins, DNS) the diagram counts instead of drawing.
pub const SYSTEM_NAMESPACE: &str = "kube-system";

/// The most files listed for one volume.
pub const FILES_MAX: usize = 200;

/// Everything the cluster view draws.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scene {
    /// Zones in name order, each with its nodes.
    pub zones: Vec<ZoneItem>,
    /// Pods not scheduled on any node yet.
    pub unscheduled: Vec<PodItem>,
    /// PersistentVolumeClaims, by namespace and name.
    pub claims: Vec<Item>,
    /// VolumeSnapshots.
    pub snapshots: Vec<Item>,
    /// PersistentVolumes.
    pub volumes: Vec<Item>,
    /// VolumeSnapshotContents.
    pub contents: Vec<Item>,
    /// StorageClasses.
    pub classes: Vec<Item>,
    /// CSIDrivers.
    pub drivers: Vec<Item>,
    /// Disks and exports on the storage backend.
    pub disks: Vec<DiskItem>,
    /// Snapshots on the storage backend.
    pub backend_snapshots: Vec<DiskItem>,
}

/// A zone and its nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneItem {
    /// The zone's name (`us-east-1a`), or `no zone`.
    pub name: String,
    /// The nodes in it.
    pub nodes: Vec<NodeItem>,
}

/// A node and the pods on it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeItem {
    /// The node.
    pub item: Item,
    /// Its pods (without the system pods).
    pub pods: Vec<PodItem>,
    /// How many `kube-system` pods run on it (CSI plugins, DNS); not drawn.
    pub system_pods: usize,
}

/// A pod with its containers.
#[derive(Clone, Debug, PartialEq)]
pub struct PodItem {
    /// The pod.
    pub item: Item,
    /// Its containers.
    pub containers: Vec<ContainerItem>,
}

/// A container and its mounts.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerItem {
    /// The container's name.
    pub name: String,
    /// Its image.
    pub image: String,
    /// Its mounts.
    pub mounts: Vec<MountItem>,
}

/// A volume mount of a container.
#[derive(Clone, Debug, PartialEq)]
pub struct MountItem {
    /// The path in the container.
    pub path: String,
    /// The pod volume's name.
    pub volume: String,
    /// What the volume is (`pvc data-claim`, `emptyDir`, `configMap app-settings`).
    pub source: String,
    /// The claim it mounts, if it is a persistentVolumeClaim volume.
    pub claim: Option<ObjectKey>,
}

/// One Kubernetes object as a box of the diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Its key.
    pub key: ObjectKey,
    /// The status word (`Bound`, `Pending`, `Running`, `Terminating`, `Ready`...), or empty.
    pub status: String,
    /// Whether it is being deleted.
    pub terminating: bool,
    /// Short facts shown under the name (`100Gi RWX Retain`, `ebs.csi.aws.com`).
    pub detail: String,
    /// Arrows from this box: (meaning, target).
    pub links: Vec<(LinkKind, ObjectRefText)>,
}

/// Where an arrow points: an object's key, or a backend disk or snapshot by handle.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObjectRefText {
    /// A Kubernetes object.
    Object(ObjectKey),
    /// A backend disk or export.
    Disk(String),
    /// A backend snapshot.
    BackendSnapshot(String),
}

/// What an arrow means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkKind {
    /// A claim's `spec.volumeName` (solid), drawn together with the volume's claimRef.
    VolumeName,
    /// A volume's `spec.claimRef` without the claim pointing back (dashed).
    ClaimRef,
    /// A pod mounts a claim.
    Mounts,
    /// A claim or volume's StorageClass: the provisioning path.
    Class,
    /// A claim's dataSource.
    DataSource,
    /// A snapshot's source claim.
    SnapshotOf,
    /// A snapshot's content.
    BoundContent,
    /// A volume's backing disk, or a content's backend snapshot.
    Backing,
    /// A class's provisioner driver.
    Provisioner,
}

impl LinkKind {
    /// The CSS class suffix and legend name.
    pub fn name(self) -> &'static str {
        match self {
            LinkKind::VolumeName => "bound",
            LinkKind::ClaimRef => "claimref",
            LinkKind::Mounts => "mounts",
            LinkKind::Class => "class",
            LinkKind::DataSource => "datasource",
            LinkKind::SnapshotOf => "snapshot-of",
            LinkKind::BoundContent => "content",
            LinkKind::Backing => "backing",
            LinkKind::Provisioner => "provisioner",
        }
    }
}

/// A disk, export or snapshot on the storage backend.
#[derive(Clone, Debug, PartialEq)]
pub struct DiskItem {
    /// The handle (`vol-0abc…`, `10.0.1.50:/exports/data`, `snap-…`).
    pub handle: String,
    /// The driver that owns it.
    pub driver: String,
    /// Its zone, if it has one.
    pub zone: Option<String>,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Bytes used (volumes) or 0.
    pub used_bytes: u64,
    /// `available`, `ready` or `creating`.
    pub status: String,
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn access_modes(value: &Value, pointer: &str) -> String {
    let modes: Vec<String> = value
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    print::access_modes(&modes)
}

fn join_nonempty(parts: &[&str]) -> String {
    parts.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" · ")
}

/// The backend handle of a PersistentVolume's storage (CSI volumeHandle, NFS `server:path`, EBS volume id).
pub fn volume_handle(volume: &Value) -> Option<String> {
    let spec = volume.get("spec")?;
    if let Some(handle) = spec.pointer("/csi/volumeHandle").and_then(Value::as_str) {
        return Some(handle.to_string());
    }
    if let Some(nfs) = spec.get("nfs") {
        return Some(format!("{}:{}", text(nfs, "/server"), text(nfs, "/path")));
    }
    let ebs = spec.pointer("/awsElasticBlockStore/volumeID").and_then(Value::as_str)?;
    Some(ebs.rsplit('/').next().unwrap_or(ebs).to_string())
}

fn volume_source(volume: &Value) -> String {
    let spec = &volume["spec"];
    if let Some(csi) = spec.get("csi") {
        return format!("csi {}", text(csi, "/driver"));
    }
    for (field, name) in [
        ("nfs", "nfs"),
        ("hostPath", "hostPath"),
        ("local", "local"),
        ("awsElasticBlockStore", "awsEBS"),
        ("gcePersistentDisk", "gcePD"),
        ("azureDisk", "azureDisk"),
    ] {
        if spec.get(field).is_some() {
            return name.to_string();
        }
    }
    String::new()
}

fn item(object: &Object, view: &ClusterView) -> Item {
    let key = object.key();
    let shown = view.objects.iter().find(|o| o.key == key);
    Item {
        status: shown.map(|o| o.status.clone()).unwrap_or_default(),
        terminating: object.is_terminating(),
        key,
        detail: String::new(),
        links: Vec::new(),
    }
}

fn pod_item(object: &Object, value: &Value, view: &ClusterView) -> PodItem {
    let namespace = object.namespace();
    let volumes: Vec<&Value> =
        value.pointer("/spec/volumes").and_then(Value::as_array).map(|v| v.iter().collect()).unwrap_or_default();
    let describe_volume = |name: &str| -> (String, Option<ObjectKey>) {
        let Some(volume) = volumes.iter().find(|v| text(v, "/name") == name) else {
            return (String::new(), None);
        };
        if let Some(claim) = volume.pointer("/persistentVolumeClaim/claimName").and_then(Value::as_str) {
            let key = ObjectKey::namespaced(Kind::PersistentVolumeClaim, namespace, claim);
            return (format!("pvc {claim}"), Some(key));
        }
        let source =
            volume.as_object().and_then(|o| o.keys().find(|k| k.as_str() != "name").cloned()).unwrap_or_default();
        (source, None)
    };
    let containers = value
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|container| ContainerItem {
            name: text(container, "/name").to_string(),
            image: text(container, "/image").to_string(),
            mounts: container
                .get("volumeMounts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|mount| {
                    let volume = text(mount, "/name").to_string();
                    let (source, claim) = describe_volume(&volume);
                    MountItem { path: text(mount, "/mountPath").to_string(), volume, source, claim }
                })
                .collect(),
        })
        .collect();
    let mut pod = item(object, view);
    let mut claims: Vec<ObjectKey> = volumes
        .iter()
        .filter_map(|v| v.pointer("/persistentVolumeClaim/claimName").and_then(Value::as_str))
        .map(|claim| ObjectKey::namespaced(Kind::PersistentVolumeClaim, namespace, claim))
        .collect();
    claims.dedup();
    pod.links = claims.into_iter().map(|claim| (LinkKind::Mounts, ObjectRefText::Object(claim))).collect();
    pod.detail = namespace.to_string();
    PodItem { item: pod, containers }
}

/// Builds the scene of `cluster` (its `view` is passed in so it is computed once).
pub fn build(cluster: &Cluster, view: &ClusterView) -> Scene {
    let store = cluster.api().store();
    let mut scene = Scene::default();
    let mut nodes: Vec<(String, NodeItem)> = Vec::new();
    let mut pods: Vec<(String, PodItem)> = Vec::new();
    for object in store.all() {
        let kind = object.kind();
        if !matches!(
            kind,
            Kind::Node
                | Kind::Pod
                | Kind::PersistentVolumeClaim
                | Kind::PersistentVolume
                | Kind::StorageClass
                | Kind::CSIDriver
                | Kind::VolumeSnapshot
                | Kind::VolumeSnapshotContent
        ) {
            continue;
        }
        let value = object.to_value();
        let key = object.key();
        let mut entry = item(object, view);
        let link = |rel: LinkKind, kind: Kind, namespace: &str, name: &str| {
            (rel, ObjectRefText::Object(ObjectKey::new(kind, namespace, name)))
        };
        match kind {
            Kind::Node => {
                let zone = value
                    .pointer("/metadata/labels")
                    .and_then(|l| l.get(ZONE_LABEL))
                    .and_then(Value::as_str)
                    .unwrap_or("no zone")
                    .to_string();
                entry.detail = text(&value, "/status/nodeInfo/kubeletVersion").to_string();
                // A machine the playground stopped or partitioned shows that, whatever the API still says.
                if let Some((_, machine)) = view.node_states.iter().find(|(name, _)| *name == key.name) {
                    entry.detail = format!("{} · {}", entry.status, entry.detail);
                    entry.status = machine.clone();
                }
                nodes.push((zone, NodeItem { item: entry, pods: Vec::new(), system_pods: 0 }));
            }
            Kind::Pod => {
                let node = text(&value, "/spec/nodeName").to_string();
                pods.push((node, pod_item(object, &value, view)));
            }
            Kind::PersistentVolumeClaim => {
                let request = text(&value, "/spec/resources/requests/storage");
                let capacity = text(&value, "/status/capacity/storage");
                let size = if capacity.is_empty() { request } else { capacity };
                let modes = access_modes(&value, "/spec/accessModes");
                let class = text(&value, "/spec/storageClassName");
                entry.detail = join_nonempty(&[size, &modes, class]);
                let volume = text(&value, "/spec/volumeName");
                if !volume.is_empty() {
                    entry.links.push(link(LinkKind::VolumeName, Kind::PersistentVolume, "", volume));
                }
                if !class.is_empty() {
                    entry.links.push(link(LinkKind::Class, Kind::StorageClass, "", class));
                }
                let source = value.pointer("/spec/dataSourceRef").or_else(|| value.pointer("/spec/dataSource"));
                if let Some(source) = source {
                    let source_kind = if text(source, "/kind") == "VolumeSnapshot" {
                        Kind::VolumeSnapshot
                    } else {
                        Kind::PersistentVolumeClaim
                    };
                    entry.links.push(link(LinkKind::DataSource, source_kind, &key.namespace, text(source, "/name")));
                }
                scene.claims.push(entry);
            }
            Kind::PersistentVolume => {
                let capacity = text(&value, "/spec/capacity/storage");
                let modes = access_modes(&value, "/spec/accessModes");
                let reclaim = text(&value, "/spec/persistentVolumeReclaimPolicy");
                let source = volume_source(&value);
                entry.detail = join_nonempty(&[capacity, &modes, reclaim, &source]);
                if let Some(claim) = value.pointer("/spec/claimRef") {
                    let claim_key = ObjectKey::namespaced(
                        Kind::PersistentVolumeClaim,
                        text(claim, "/namespace"),
                        text(claim, "/name"),
                    );
                    entry.links.push((LinkKind::ClaimRef, ObjectRefText::Object(claim_key)));
                }
                let class = text(&value, "/spec/storageClassName");
                if !class.is_empty() {
                    entry.links.push(link(LinkKind::Class, Kind::StorageClass, "", class));
                }
                if let Some(handle) = volume_handle(&value)
                    && cluster.backend().volumes.contains_key(&handle)
                {
                    entry.links.push((LinkKind::Backing, ObjectRefText::Disk(handle)));
                }
                scene.volumes.push(entry);
            }
            Kind::StorageClass => {
                let default = value
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
                    .and_then(Value::as_str)
                    == Some("true");
                let mode = text(&value, "/volumeBindingMode");
                let mode = match mode {
                    "WaitForFirstConsumer" => "WaitForFirstConsumer",
                    "" => "Immediate",
                    other => other,
                };
                entry.detail =
                    join_nonempty(&[text(&value, "/provisioner"), mode, if default { "default" } else { "" }]);
                let provisioner = text(&value, "/provisioner");
                if store.get(&ObjectKey::cluster(Kind::CSIDriver, provisioner)).is_some() {
                    entry.links.push(link(LinkKind::Provisioner, Kind::CSIDriver, "", provisioner));
                }
                scene.classes.push(entry);
            }
            Kind::CSIDriver => {
                let attach = value.pointer("/spec/attachRequired").and_then(Value::as_bool).unwrap_or(true);
                entry.detail = if attach { "attach required".to_string() } else { "no attach".to_string() };
                scene.drivers.push(entry);
            }
            Kind::VolumeSnapshot => {
                let source = text(&value, "/spec/source/persistentVolumeClaimName");
                entry.detail = join_nonempty(&[
                    text(&value, "/status/restoreSize"),
                    text(&value, "/spec/volumeSnapshotClassName"),
                ]);
                if !source.is_empty() {
                    entry.links.push(link(LinkKind::SnapshotOf, Kind::PersistentVolumeClaim, &key.namespace, source));
                }
                let content = text(&value, "/status/boundVolumeSnapshotContentName");
                if !content.is_empty() {
                    entry.links.push(link(LinkKind::BoundContent, Kind::VolumeSnapshotContent, "", content));
                }
                scene.snapshots.push(entry);
            }
            Kind::VolumeSnapshotContent => {
                let ready = value.pointer("/status/readyToUse").and_then(Value::as_bool);
                entry.status = match ready {
                    Some(true) => "Ready".to_string(),
                    _ if entry.terminating => "Terminating".to_string(),
                    _ => "Pending".to_string(),
                };
                entry.detail = join_nonempty(&[text(&value, "/spec/driver"), text(&value, "/spec/deletionPolicy")]);
                let handle = text(&value, "/status/snapshotHandle");
                if !handle.is_empty() {
                    entry.links.push((LinkKind::Backing, ObjectRefText::BackendSnapshot(handle.to_string())));
                }
                scene.contents.push(entry);
            }
            _ => {}
        }
    }
    nodes.sort_by(|a, b| (&a.0, &a.1.item.key).cmp(&(&b.0, &b.1.item.key)));
    for (node_name, pod) in pods {
        if pod.item.key.namespace == SYSTEM_NAMESPACE {
            if let Some((_, node)) = nodes.iter_mut().find(|(_, node)| node.item.key.name == node_name) {
                node.system_pods += 1;
            }
            continue;
        }
        match nodes.iter_mut().find(|(_, node)| node.item.key.name == node_name) {
            Some((_, node)) => node.pods.push(pod),
            None => scene.unscheduled.push(pod),
        }
    }
    for (zone, node) in nodes {
        match scene.zones.last_mut() {
            Some(last) if last.name == zone => last.nodes.push(node),
            _ => scene.zones.push(ZoneItem { name: zone, nodes: vec![node] }),
        }
    }
    let backend = cluster.backend();
    let now = cluster.now();
    for volume in backend.volumes.values() {
        let used = backend.usage(&volume.handle).map_or(0, |u| u.used_bytes);
        scene.disks.push(DiskItem {
            handle: volume.handle.clone(),
            driver: volume.driver.clone(),
            zone: volume.zone.clone(),
            size_bytes: volume.capacity_bytes,
            used_bytes: used,
            status: "available".to_string(),
        });
    }
    for snapshot in backend.snapshots.iter() {
        scene.backend_snapshots.push(DiskItem {
            handle: snapshot.handle.clone(),
            driver: snapshot.driver.clone(),
            zone: None,
            size_bytes: snapshot.size_bytes,
            used_bytes: 0,
            status: if snapshot.is_ready(now) { "ready".to_string() } else { "creating".to_string() },
        });
    }
    scene
}

/// What the inspector shows for one object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inspection {
    /// The object, or `None` when it does not exist at the shown moment.
    pub key: Option<ObjectKey>,
    /// `kubectl get -o yaml`.
    pub yaml: String,
    /// `kubectl describe`.
    pub describe: String,
    /// `kubectl events --for`.
    pub events: String,
    /// The files in the volume (claims and volumes), as `(path, size in bytes, is a directory)`.
    pub files: Option<Vec<FileEntry>>,
    /// Why there are no files to show, when `files` is `None`.
    pub files_note: String,
}

/// One file of a volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// The path from the volume's root (`/data/log.txt`).
    pub path: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Whether it is a directory.
    pub directory: bool,
    /// The start of the file's text (for small text files).
    pub preview: String,
}

/// The inspector's texts for `key` in `cluster`.
pub fn inspect(cluster: &Cluster, key: &ObjectKey) -> Inspection {
    let api = cluster.api();
    let Some(object) = api.store().get(key) else {
        return Inspection {
            key: None,
            files_note: format!("{key} does not exist at this moment."),
            ..Inspection::default()
        };
    };
    let yaml = print::format_objects(&[object], &print::OutputFormat::Yaml, false, api).unwrap_or_else(|error| error);
    let describe = print::describe(api, key).unwrap_or_default();
    let events = print::events_table(api, None, Some(key));
    let events = if events.is_empty() { "No events found.".to_string() } else { events };
    let (files, files_note) = volume_files(cluster, object);
    Inspection { key: Some(key.clone()), yaml, describe, events, files, files_note }
}

/// The files of the volume behind a claim or volume, read-only.
fn volume_files(cluster: &Cluster, object: &Object) -> (Option<Vec<FileEntry>>, String) {
    let store = cluster.api().store();
    let volume = match object.kind() {
        Kind::PersistentVolume => object.to_value(),
        Kind::PersistentVolumeClaim => {
            let value = object.to_value();
            let name = text(&value, "/spec/volumeName");
            match store.get(&ObjectKey::cluster(Kind::PersistentVolume, name)) {
                Some(volume) if !name.is_empty() => volume.to_value(),
                _ => {
                    return (None, "The claim is not bound to a volume yet: there are no files to show.".to_string());
                }
            }
        }
        _ => return (None, "Only claims and volumes hold files.".to_string()),
    };
    let backend = cluster.backend();
    let Some(handle) = volume_handle(&volume) else {
        return (
            None,
            "This volume's data lives on a node (hostPath or local); the inspector cannot show it.".to_string(),
        );
    };
    let Some(tree) = backend.volumes.get(&handle).and_then(|disk| backend.fs.get(disk.fs)) else {
        return (
            None,
            format!("The backend has no data for {handle} yet: it is created when a pod first mounts the volume."),
        );
    };
    let mut files = Vec::new();
    let mut stack = vec![(tree.root(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let Ok(entries) = tree.read_dir(dir) else {
            continue;
        };
        for entry in entries {
            if files.len() >= FILES_MAX {
                break;
            }
            let path = format!("{prefix}/{}", entry.name);
            let Ok(Some(ino)) = tree.lookup(dir, &entry.name) else {
                continue;
            };
            let size_bytes = tree.metadata(ino).map_or(0, |m| m.size_bytes);
            let directory = entry.kind == FileKind::Directory;
            let preview = if entry.kind == FileKind::File {
                tree.read(ino)
                    .ok()
                    .map(|bytes| {
                        let head = &bytes[..bytes.len().min(160)];
                        String::from_utf8_lossy(head).into_owned()
                    })
                    .unwrap_or_default()
            } else {
                String::new()
            };
            if directory {
                stack.push((ino, path.clone()));
            }
            files.push(FileEntry { path, size_bytes, directory, preview });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let note = if files.is_empty() { format!("The volume {handle} is empty.") } else { format!("Files on {handle}") };
    (Some(files), note)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::engine::{Engine, Input};
    use stowage_core::Profile;

    fn engine_with_default() -> Engine {
        let mut engine = Engine::new(Profile::Guide);
        let text = include_str!("examples/05-static-nfs-pv-and-claim.yaml").to_string();
        engine.apply_input(Input::Apply(text));
        engine
    }

    #[test]
    fn scene_should_place_nodes_in_zones_and_link_claim_and_volume() {
        let engine = engine_with_default();
        let cluster = engine.live().cluster();
        let scene = build(cluster, &cluster.view());
        let zones: Vec<&str> = scene.zones.iter().map(|z| z.name.as_str()).collect();
        assert_eq!(zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
        assert_eq!(scene.drivers.len(), 2);
        let claim = &scene.claims[0];
        assert_eq!(claim.key.name, "data-claim");
        assert_eq!(claim.status, "Bound");
        assert!(claim.links.iter().any(|(rel, _)| *rel == LinkKind::VolumeName));
        let volume = &scene.volumes[0];
        assert_eq!(volume.status, "Bound");
        assert_eq!(volume.detail, "100Gi · RWX · Retain · nfs");
    }

    #[test]
    fn inspect_should_give_yaml_describe_and_events() {
        let engine = engine_with_default();
        let key = ObjectKey::cluster(Kind::PersistentVolume, "pv-nfs-data");
        let inspection = inspect(engine.live().cluster(), &key);
        assert!(inspection.yaml.contains("name: pv-nfs-data"), "{}", inspection.yaml);
        assert!(inspection.describe.starts_with("Name:"), "{}", inspection.describe);
        assert!(!inspection.events.is_empty());
        let missing = inspect(engine.live().cluster(), &ObjectKey::cluster(Kind::PersistentVolume, "nope"));
        assert_eq!(missing.key, None);
    }

    #[test]
    fn volume_handles_should_cover_csi_nfs_and_ebs() {
        let csi = serde_json::json!({"spec": {"csi": {"driver": "d", "volumeHandle": "vol-1"}}});
        let nfs = serde_json::json!({"spec": {"nfs": {"server": "10.0.1.50", "path": "/x"}}});
        let ebs = serde_json::json!({"spec": {"awsElasticBlockStore": {"volumeID": "aws://us-east-1a/vol-2"}}});
        assert_eq!(volume_handle(&csi).as_deref(), Some("vol-1"));
        assert_eq!(volume_handle(&nfs).as_deref(), Some("10.0.1.50:/x"));
        assert_eq!(volume_handle(&ebs).as_deref(), Some("vol-2"));
    }
}
