//! The plain-data view of a cluster: what UIs draw. Public fields, no behaviour, serializable.

use crate::api::{Kind, Object, ObjectKey};
use crate::cluster::Cluster;
use crate::sim::TraceEvent;

/// How one object points at another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum LinkRel {
    /// A volume's `spec.claimRef`.
    ClaimRef,
    /// A claim's `spec.volumeName`.
    VolumeName,
    /// A pod mounts a claim.
    Mounts,
    /// A pod runs on a node.
    ScheduledOn,
    /// An `ownerReferences` entry.
    OwnedBy,
    /// A claim's `dataSource` / `dataSourceRef`.
    DataSource,
    /// A snapshot's source claim.
    SnapshotOf,
    /// A snapshot's bound content.
    BoundContent,
    /// A claim or volume's StorageClass.
    Class,
}

/// An arrow from one object to another.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// What the arrow means.
    pub rel: LinkRel,
    /// Where it points.
    pub target: ObjectKey,
}

/// One object as a diagram shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ObjectView {
    /// Its key.
    pub key: ObjectKey,
    /// Its uid.
    pub uid: String,
    /// The status word kubectl shows (`Bound`, `Pending`, `Running`, `Terminating`, ...), or empty.
    pub status: String,
    /// Whether it has a deletionTimestamp.
    pub terminating: bool,
    /// Creation time in simulated milliseconds (0 for objects older than the simulation).
    pub created_ms: u64,
    /// Arrows to other objects.
    pub links: Vec<Link>,
}

/// A snapshot of the whole cluster for UIs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ClusterView {
    /// Simulated time in milliseconds.
    pub now_ms: u64,
    /// The profile name.
    pub profile: String,
    /// The seed.
    pub seed: u64,
    /// Whether no foreground work is pending.
    pub settled: bool,
    /// Every object but Events, in key order.
    pub objects: Vec<ObjectView>,
    /// The number of trace events so far.
    pub trace_len: u64,
    /// Invariant violations (empty unless the simulator has a bug).
    pub violations: Vec<String>,
    /// Nodes the playground stopped or partitioned, by name, with `Stopped` or `Partitioned`, in name order.
    /// Running nodes are not listed (so the serialized view of a healthy cluster is unchanged).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub node_states: Vec<(String, String)>,
}

impl ClusterView {
    /// The objects of one kind.
    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = &ObjectView> {
        self.objects.iter().filter(move |o| o.key.kind == kind)
    }
}

/// The status word for an object, as kubectl's STATUS column shows it.
pub fn status_word(object: &Object) -> String {
    if object.is_terminating() {
        return "Terminating".to_string();
    }
    match object {
        Object::PersistentVolume(v) => v.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
        Object::PersistentVolumeClaim(c) => c.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
        Object::Pod(p) => p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
        Object::Namespace(n) => n.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
        Object::VolumeSnapshot(s) => match s.status.as_ref().and_then(|s| s.ready_to_use) {
            Some(true) => "Ready".to_string(),
            _ => "Pending".to_string(),
        },
        Object::Node(n) => {
            let ready = n
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
            match ready.map(|c| c.status.as_str()) {
                Some("True") => "Ready".to_string(),
                _ => "NotReady".to_string(),
            }
        }
        _ => String::new(),
    }
}

fn links(object: &Object) -> Vec<Link> {
    let mut links = Vec::new();
    let namespace = object.namespace().to_string();
    for owner in object.meta().owner_references.iter().flatten() {
        if let Some(kind) = Kind::from_api_version_and_kind(&owner.api_version, &owner.kind) {
            links.push(Link { rel: LinkRel::OwnedBy, target: ObjectKey::new(kind, &namespace, owner.name.clone()) });
        }
    }
    match object {
        Object::PersistentVolume(volume) => {
            if let Some(claim) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                let target = ObjectKey::namespaced(
                    Kind::PersistentVolumeClaim,
                    claim.namespace.clone().unwrap_or_default(),
                    claim.name.clone().unwrap_or_default(),
                );
                links.push(Link { rel: LinkRel::ClaimRef, target });
            }
            if let Some(class) =
                volume.spec.as_ref().and_then(|s| s.storage_class_name.clone()).filter(|c| !c.is_empty())
            {
                links.push(Link { rel: LinkRel::Class, target: ObjectKey::cluster(Kind::StorageClass, class) });
            }
        }
        Object::PersistentVolumeClaim(claim) => {
            let spec = claim.spec.as_ref();
            if let Some(volume) = spec.and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty()) {
                links.push(Link {
                    rel: LinkRel::VolumeName,
                    target: ObjectKey::cluster(Kind::PersistentVolume, volume),
                });
            }
            if let Some(class) = spec.and_then(|s| s.storage_class_name.clone()).filter(|c| !c.is_empty()) {
                links.push(Link { rel: LinkRel::Class, target: ObjectKey::cluster(Kind::StorageClass, class) });
            }
            if let Some(source) = spec.and_then(|s| s.data_source.as_ref()) {
                let kind =
                    if source.kind == "VolumeSnapshot" { Kind::VolumeSnapshot } else { Kind::PersistentVolumeClaim };
                links.push(Link {
                    rel: LinkRel::DataSource,
                    target: ObjectKey::namespaced(kind, &namespace, source.name.clone()),
                });
            }
        }
        Object::Pod(pod) => {
            let spec = pod.spec.as_ref();
            if let Some(node) = spec.and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty()) {
                links.push(Link { rel: LinkRel::ScheduledOn, target: ObjectKey::cluster(Kind::Node, node) });
            }
            for volume in spec.and_then(|s| s.volumes.as_ref()).into_iter().flatten() {
                if let Some(claim) = &volume.persistent_volume_claim {
                    links.push(Link {
                        rel: LinkRel::Mounts,
                        target: ObjectKey::namespaced(
                            Kind::PersistentVolumeClaim,
                            &namespace,
                            claim.claim_name.clone(),
                        ),
                    });
                }
            }
        }
        Object::VolumeSnapshot(snapshot) => {
            if let Some(claim) = &snapshot.spec.source.persistent_volume_claim_name {
                links.push(Link {
                    rel: LinkRel::SnapshotOf,
                    target: ObjectKey::namespaced(Kind::PersistentVolumeClaim, &namespace, claim.clone()),
                });
            }
            if let Some(content) = snapshot.status.as_ref().and_then(|s| s.bound_volume_snapshot_content_name.clone()) {
                links.push(Link {
                    rel: LinkRel::BoundContent,
                    target: ObjectKey::cluster(Kind::VolumeSnapshotContent, content),
                });
            }
        }
        _ => {}
    }
    links
}

/// Builds the view of `cluster`.
pub fn build(cluster: &Cluster) -> ClusterView {
    let store = cluster.api().store();
    let objects = store
        .all()
        .filter(|o| o.kind() != Kind::Event)
        .map(|object| ObjectView {
            key: object.key(),
            uid: object.uid().to_string(),
            status: status_word(object),
            terminating: object.is_terminating(),
            created_ms: object
                .meta()
                .creation_timestamp
                .as_ref()
                .map(|t| crate::sim::SimTime::from_k8s_time(t).as_millis())
                .unwrap_or(0),
            links: links(object),
        })
        .collect();
    ClusterView {
        now_ms: cluster.now().as_millis(),
        profile: cluster.profile().name().to_string(),
        seed: cluster.seed().0,
        settled: cluster.is_settled(),
        objects,
        trace_len: cluster.api().trace().next_seq(),
        violations: cluster.violations().to_vec(),
        node_states: store
            .list(Kind::Node)
            .filter_map(|node| match cluster.node_state(node.name()) {
                crate::kubelet::NodeState::Ready => None,
                state => Some((node.name().to_string(), format!("{state:?}"))),
            })
            .collect(),
    }
}

/// The trace events since `from_seq`, for UIs that follow the trace incrementally.
pub fn trace_since(cluster: &Cluster, from_seq: u64) -> Vec<TraceEvent> {
    cluster.api().trace().since(from_seq).to_vec()
}
