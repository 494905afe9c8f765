//! The trace: an append-only log of who did what to which object, and why, in Kubernetes words.
//!
//! The trace and the cluster view are all a UI reads. Flow views draw one lane per [`Component`].

use crate::api::{Kind, ObjectKey};
use std::fmt;

/// A participant in the control plane; each is one lane of a sequence diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Component {
    /// The person at the keyboard, through kubectl.
    User,
    /// kube-apiserver with its admission chain and etcd.
    ApiServer,
    /// kube-controller-manager's persistentvolume-binder (and claim/volume protection).
    PvController,
    /// kube-scheduler, including its VolumeBinding plugin.
    Scheduler,
    /// The csi-provisioner sidecar (external-provisioner).
    ExternalProvisioner,
    /// The csi-attacher sidecar (external-attacher).
    ExternalAttacher,
    /// The csi-resizer sidecar (external-resizer).
    ExternalResizer,
    /// The snapshot-controller (common controller).
    SnapshotController,
    /// The csi-snapshotter sidecar.
    CsiSnapshotter,
    /// A CSI driver's controller plugin (CreateVolume, ControllerPublish, CreateSnapshot...).
    CsiController,
    /// The storage backend: a cloud API or a storage system.
    Cloud,
    /// kube-controller-manager's attach/detach controller.
    AttachDetachController,
    /// The kubelet on a node.
    Kubelet,
    /// A CSI driver's node plugin (NodeStage, NodePublish, NodeExpand).
    CsiNode,
    /// kube-controller-manager's statefulset controller.
    StatefulSetController,
    /// kube-controller-manager's deployment and replicaset controllers.
    DeploymentController,
    /// kube-controller-manager's garbage collector.
    GarbageCollector,
    /// kube-controller-manager's namespace controller.
    NamespaceController,
    /// kube-controller-manager's endpoints and endpointslice controllers.
    EndpointsController,
    /// kube-controller-manager's expand controller.
    ExpandController,
}

impl Component {
    /// The name Kubernetes uses for this component (events' `source.component`, log prefixes).
    pub fn name(self) -> &'static str {
        match self {
            Component::User => "kubectl",
            Component::ApiServer => "kube-apiserver",
            Component::PvController => "persistentvolume-controller",
            Component::Scheduler => "default-scheduler",
            Component::ExternalProvisioner => "external-provisioner",
            Component::ExternalAttacher => "external-attacher",
            Component::ExternalResizer => "external-resizer",
            Component::SnapshotController => "snapshot-controller",
            Component::CsiSnapshotter => "csi-snapshotter",
            Component::CsiController => "csi-controller",
            Component::Cloud => "cloud",
            Component::AttachDetachController => "attachdetach-controller",
            Component::Kubelet => "kubelet",
            Component::CsiNode => "csi-node",
            Component::StatefulSetController => "statefulset-controller",
            Component::DeploymentController => "deployment-controller",
            Component::GarbageCollector => "garbage-collector",
            Component::NamespaceController => "namespace-controller",
            Component::EndpointsController => "endpoints-controller",
            Component::ExpandController => "volume_expand",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An object named in the trace.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ObjectRef {
    /// Kind.
    pub kind: Kind,
    /// Namespace, empty for cluster-scoped kinds.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl From<&ObjectKey> for ObjectRef {
    fn from(key: &ObjectKey) -> ObjectRef {
        ObjectRef { kind: key.kind, namespace: key.namespace.clone(), name: key.name.clone() }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind.info().singular, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind.info().singular, self.namespace, self.name)
        }
    }
}

/// What a trace event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TraceVerb {
    /// An object was created through the API server.
    Create,
    /// An object's spec or metadata was updated.
    Update,
    /// An object's status was updated.
    UpdateStatus,
    /// An object was marked for deletion (deletionTimestamp set).
    MarkDeleted,
    /// An object was removed from storage.
    Delete,
    /// A request was refused (validation, admission, conflict).
    Reject,
    /// A call between components that is not an API write: a CSI RPC, a cloud API call, a reply.
    Call,
    /// A reply to an earlier call.
    Reply,
    /// A Kubernetes Event was recorded.
    Event,
    /// A component decided something worth showing (a reconcile outcome).
    Note,
    /// An invariant check failed: the simulator itself is wrong.
    Violation,
}

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TraceEvent {
    /// Position in the trace, from 0.
    pub seq: u64,
    /// Simulated time in milliseconds.
    pub at_ms: u64,
    /// Who acted.
    pub from: Component,
    /// Who was addressed (the API server for writes).
    pub to: Component,
    /// What kind of step.
    pub verb: TraceVerb,
    /// The object concerned, if any.
    pub object: Option<ObjectRef>,
    /// What happened, in Kubernetes words.
    pub message: String,
}

impl fmt::Display for TraceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>9} {} -> {} {:?}", format!("{}ms", self.at_ms), self.from, self.to, self.verb)?;
        if let Some(object) = &self.object {
            write!(f, " {object}")?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// The append-only trace, bounded so a long session cannot exhaust memory.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    events: Vec<TraceEvent>,
    next_seq: u64,
    dropped: u64,
}

impl Trace {
    /// The most events kept; older ones are dropped first (their count is kept).
    pub const EVENTS_MAX: usize = 200_000;

    /// Appends an event and returns its sequence number.
    pub fn push(
        &mut self,
        at_ms: u64,
        from: Component,
        to: Component,
        verb: TraceVerb,
        object: Option<ObjectRef>,
        message: impl Into<String>,
    ) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.events.len() >= Self::EVENTS_MAX {
            let drop = Self::EVENTS_MAX / 10;
            self.events.drain(..drop);
            self.dropped += drop as u64;
        }
        self.events.push(TraceEvent { seq, at_ms, from, to, verb, object, message: message.into() });
        seq
    }

    /// Every kept event, oldest first.
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// The events with `seq >= from_seq`.
    pub fn since(&self, from_seq: u64) -> &[TraceEvent] {
        let start = self.events.partition_point(|e| e.seq < from_seq);
        &self.events[start..]
    }

    /// The sequence number the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// How many old events were dropped to keep the trace bounded.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}
