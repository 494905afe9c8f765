//! The flow view's data: a sequence diagram built from trace events, and the PersistentVolume lifecycle
//! state diagram of the storage guide with one volume's path through it.
//!
//! # Model
//! Lanes are the trace's components, in the order of the guide's diagrams (the user and kubectl, the API
//! server, the PV controller, the scheduler, external-provisioner, the CSI controller plugin, the cloud, then
//! the attach, kubelet and node-plugin lanes); only lanes that appear are drawn. Every trace event is one
//! message, in trace order; a note is a message from a lane to itself.

use stowage_core::sim::{Component, TraceEvent, TraceVerb};

/// The most messages one diagram draws (the newest are kept).
pub const MESSAGES_MAX: usize = 400;

/// Lanes in the order the guide draws them.
pub const LANE_ORDER: &[Component] = &[
    Component::User,
    Component::ApiServer,
    Component::PvController,
    Component::Scheduler,
    Component::ExternalProvisioner,
    Component::CsiController,
    Component::Cloud,
    Component::ExternalAttacher,
    Component::AttachDetachController,
    Component::Kubelet,
    Component::CsiNode,
    Component::ExternalResizer,
    Component::ExpandController,
    Component::SnapshotController,
    Component::CsiSnapshotter,
    Component::StatefulSetController,
    Component::DeploymentController,
    Component::GarbageCollector,
    Component::NamespaceController,
    Component::EndpointsController,
];

/// A lane's heading, in the guide's words.
pub fn lane_label(component: Component) -> &'static str {
    match component {
        Component::User => "you · kubectl",
        Component::ApiServer => "API server",
        Component::PvController => "PV controller",
        Component::Scheduler => "scheduler",
        Component::ExternalProvisioner => "external-provisioner",
        Component::ExternalAttacher => "external-attacher",
        Component::ExternalResizer => "external-resizer",
        Component::SnapshotController => "snapshot-controller",
        Component::CsiSnapshotter => "csi-snapshotter",
        Component::CsiController => "CSI controller plugin",
        Component::Cloud => "cloud",
        Component::AttachDetachController => "attach/detach controller",
        Component::Kubelet => "kubelet",
        Component::CsiNode => "CSI node plugin",
        Component::StatefulSetController => "statefulset controller",
        Component::DeploymentController => "deployment controller",
        Component::GarbageCollector => "garbage collector",
        Component::NamespaceController => "namespace controller",
        Component::EndpointsController => "endpoints controller",
        Component::ExpandController => "expand controller",
    }
}

/// A stable CSS-friendly lane id.
pub fn lane_id(component: Component) -> &'static str {
    match component {
        Component::User => "user",
        Component::ApiServer => "apiserver",
        Component::PvController => "pv-controller",
        Component::Scheduler => "scheduler",
        Component::ExternalProvisioner => "external-provisioner",
        Component::ExternalAttacher => "external-attacher",
        Component::ExternalResizer => "external-resizer",
        Component::SnapshotController => "snapshot-controller",
        Component::CsiSnapshotter => "csi-snapshotter",
        Component::CsiController => "csi-controller",
        Component::Cloud => "cloud",
        Component::AttachDetachController => "attach-detach",
        Component::Kubelet => "kubelet",
        Component::CsiNode => "csi-node",
        Component::StatefulSetController => "statefulset-controller",
        Component::DeploymentController => "deployment-controller",
        Component::GarbageCollector => "garbage-collector",
        Component::NamespaceController => "namespace-controller",
        Component::EndpointsController => "endpoints-controller",
        Component::ExpandController => "expand-controller",
    }
}

/// One arrow of the sequence diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// The trace sequence number.
    pub seq: u64,
    /// Simulated time in milliseconds.
    pub at_ms: u64,
    /// The sending lane's index.
    pub from: usize,
    /// The receiving lane's index.
    pub to: usize,
    /// The label on the arrow.
    pub text: String,
    /// The full trace line, for the tooltip.
    pub detail: String,
    /// `call`, `reply`, `write`, `event`, `note` or `violation`: the arrow's style.
    pub style: &'static str,
}

/// A sequence diagram.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sequence {
    /// The lanes, left to right.
    pub lanes: Vec<Component>,
    /// The messages, in order.
    pub messages: Vec<Message>,
    /// How many older messages were left out.
    pub omitted: usize,
}

fn object_text(event: &TraceEvent) -> String {
    match &event.object {
        Some(object) => {
            let info = object.kind.info();
            let kind = info.short_names.first().copied().unwrap_or(info.singular);
            if object.namespace.is_empty() {
                format!("{kind}/{}", object.name)
            } else {
                format!("{kind}/{}/{}", object.namespace, object.name)
            }
        }
        None => String::new(),
    }
}

fn label(event: &TraceEvent) -> (String, &'static str) {
    let object = object_text(event);
    let with = |verb: &str| {
        if object.is_empty() { verb.to_string() } else { format!("{verb} {object}") }
    };
    match event.verb {
        TraceVerb::Create => (with("create"), "write"),
        TraceVerb::Update => (with("update"), "write"),
        TraceVerb::UpdateStatus => (with("update status"), "write"),
        TraceVerb::MarkDeleted => (with("delete"), "write"),
        TraceVerb::Delete => (with("remove"), "write"),
        TraceVerb::Reject => (format!("rejected: {}", first_clause(&event.message)), "violation"),
        TraceVerb::Call => (first_clause(&event.message), "call"),
        TraceVerb::Reply => (first_clause(&event.message), "reply"),
        TraceVerb::Event => {
            // "Normal ProvisioningSucceeded: Successfully provisioned …" → "event ProvisioningSucceeded".
            let head = event.message.split(':').next().unwrap_or_default();
            let reason = head.split_whitespace().last().unwrap_or(head);
            (format!("event {reason}"), "event")
        }
        TraceVerb::Note => (first_clause(&event.message), "note"),
        TraceVerb::Violation => (first_clause(&event.message), "violation"),
    }
}

fn first_clause(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    crate::layout::shorten(line, 64)
}

/// Builds the sequence diagram of `events` (in trace order); notes and API writes keep their own lanes.
pub fn sequence(events: &[TraceEvent]) -> Sequence {
    let omitted = events.len().saturating_sub(MESSAGES_MAX);
    let events = &events[omitted..];
    let lanes: Vec<Component> =
        LANE_ORDER.iter().copied().filter(|lane| events.iter().any(|e| e.from == *lane || e.to == *lane)).collect();
    let index = |component: Component| lanes.iter().position(|l| *l == component).unwrap_or(0);
    let messages = events
        .iter()
        .map(|event| {
            let (text, style) = label(event);
            Message {
                seq: event.seq,
                at_ms: event.at_ms,
                from: index(event.from),
                to: index(event.to),
                text,
                detail: event.to_string(),
                style,
            }
        })
        .collect();
    Sequence { lanes, messages, omitted }
}

/// A state of the guide's PersistentVolume lifecycle diagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VolumeState {
    /// `[*]`: before the volume exists.
    Start,
    /// Available: no claim.
    Available,
    /// Bound to a claim.
    Bound,
    /// Released: its claim was deleted.
    Released,
    /// Failed: reclamation failed.
    Failed,
    /// Deleted: the volume (and with the Delete policy its storage) is gone.
    Deleted,
}

impl VolumeState {
    /// The phase word, as the diagram labels the state.
    pub fn name(self) -> &'static str {
        match self {
            VolumeState::Start => "[*]",
            VolumeState::Available => "Available",
            VolumeState::Bound => "Bound",
            VolumeState::Released => "Released",
            VolumeState::Failed => "Failed",
            VolumeState::Deleted => "Deleted",
        }
    }

    fn of(phase: Option<&str>) -> Option<VolumeState> {
        match phase {
            None => Some(VolumeState::Deleted),
            Some("Available") => Some(VolumeState::Available),
            Some("Bound") => Some(VolumeState::Bound),
            Some("Released") => Some(VolumeState::Released),
            Some("Failed") => Some(VolumeState::Failed),
            Some("Terminating") => Some(VolumeState::Released),
            Some(_) => None,
        }
    }
}

/// The transitions of the guide's diagram, with their labels.
pub const LIFECYCLE_TRANSITIONS: &[(VolumeState, VolumeState, &str)] = &[
    (VolumeState::Start, VolumeState::Available, "created"),
    (VolumeState::Available, VolumeState::Bound, "PVC claims PV"),
    (VolumeState::Bound, VolumeState::Bound, "pod using PVC"),
    (VolumeState::Bound, VolumeState::Released, "PVC deleted"),
    (VolumeState::Released, VolumeState::Available, "Recycle, or admin clears claimRef (Retain)"),
    (VolumeState::Released, VolumeState::Deleted, "Delete policy"),
    (VolumeState::Released, VolumeState::Failed, "reclaim failed"),
];

/// One volume's path through the lifecycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// The state now (`None` before the volume exists).
    pub current: Option<VolumeState>,
    /// The transitions taken, in order.
    pub taken: Vec<(VolumeState, VolumeState)>,
}

/// The lifecycle of a volume from its phase after each checkpoint (`None`: it did not exist then). States the
/// diagram requires in between (every volume is Available before it is Bound) are filled in.
pub fn lifecycle(phases: &[Option<&str>]) -> Lifecycle {
    let mut out = Lifecycle::default();
    let Some(first) = phases.iter().position(Option::is_some) else {
        return out;
    };
    let mut state = VolumeState::Start;
    let step = |out: &mut Lifecycle, from: VolumeState, to: VolumeState| {
        if out.taken.last() != Some(&(from, to)) {
            out.taken.push((from, to));
        }
    };
    for phase in &phases[first..] {
        let Some(next) = VolumeState::of(*phase) else {
            continue;
        };
        if next == state {
            continue;
        }
        // Fill in the states the diagram passes through.
        let path: &[VolumeState] = match (state, next) {
            (VolumeState::Start, VolumeState::Bound) => &[VolumeState::Available, VolumeState::Bound],
            (VolumeState::Start, VolumeState::Released) => {
                &[VolumeState::Available, VolumeState::Bound, VolumeState::Released]
            }
            (VolumeState::Available, VolumeState::Released) => &[VolumeState::Bound, VolumeState::Released],
            (VolumeState::Bound, VolumeState::Deleted) => &[VolumeState::Released, VolumeState::Deleted],
            (VolumeState::Start, VolumeState::Deleted) => &[],
            _ => std::slice::from_ref(&next),
        };
        for &to in path {
            step(&mut out, state, to);
            state = to;
        }
    }
    out.current = (state != VolumeState::Start).then_some(state);
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::engine::{Engine, Input};
    use stowage_core::Profile;

    const DYNAMIC: &str = "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: fast\nprovisioner: ebs.csi.aws.com\nvolumeBindingMode: Immediate\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: dyn\nspec:\n  storageClassName: fast\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 5Gi\n";

    #[test]
    fn dynamic_provisioning_should_use_the_guides_lanes_in_order() {
        let mut engine = Engine::new(Profile::Guide);
        engine.apply_input(Input::Apply(DYNAMIC.into()));
        let index = engine.last_command_index();
        let sequence = sequence(&engine.trace_between(index, index, 1_000));
        let lanes: Vec<&str> = sequence.lanes.iter().map(|l| lane_id(*l)).collect();
        assert_eq!(lanes, ["user", "apiserver", "pv-controller", "external-provisioner", "csi-controller", "cloud"]);
        let first = &sequence.messages[0];
        assert_eq!((first.from, first.to, first.text.as_str()), (0, 1, "create sc/fast"));
        assert!(sequence.messages.iter().any(|m| m.style == "call" && m.text.starts_with("CreateVolume")));
        assert!(sequence.messages.iter().any(|m| m.text == "event ProvisioningSucceeded"));
    }

    #[test]
    fn lifecycle_should_fill_in_the_states_the_diagram_passes() {
        let path = lifecycle(&[None, Some("Bound"), Some("Bound"), Some("Released"), None]);
        assert_eq!(path.current, Some(VolumeState::Deleted));
        assert_eq!(
            path.taken,
            [
                (VolumeState::Start, VolumeState::Available),
                (VolumeState::Available, VolumeState::Bound),
                (VolumeState::Bound, VolumeState::Released),
                (VolumeState::Released, VolumeState::Deleted),
            ]
        );
        assert_eq!(lifecycle(&[None, None]), Lifecycle::default());
        let available = lifecycle(&[Some("Available")]);
        assert_eq!(available.current, Some(VolumeState::Available));
    }
}
