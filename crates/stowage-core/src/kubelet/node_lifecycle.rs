//! The node lifecycle controller and taint-based eviction: what the control plane does when a
//! kubelet stops reporting.
//!
//! Design: a node that is stopped or partitioned stops posting status. After the node monitor
//! grace period (50 s in 1.34) its Ready condition becomes `Unknown` (`NodeStatusUnknown`,
//! `Kubelet stopped posting node status.`), it gets the `node.kubernetes.io/unreachable` taints
//! (NoSchedule and NoExecute), and its pods' Ready condition becomes False (their container
//! statuses, and so kubectl's READY column, stay as the kubelet last reported them). Pods that tolerate the NoExecute
//! taint for `tolerationSeconds` (300 s by default) are then deleted gracefully; they stay
//! Terminating, because their kubelet cannot confirm. When the node reports again, the condition and
//! taints go back.

use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::{DeleteOptions, EventType};
use crate::controllers::{Action, Controller, Ctx, ReconcileError};
use crate::sim::{Component, SimDuration, SimTime};
use k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, Taint};

/// How long a silent node stays Ready (`--node-monitor-grace-period`, 50 s since 1.32).
pub const NODE_MONITOR_GRACE: SimDuration = SimDuration::from_secs(50);
/// The default `tolerationSeconds` for not-ready and unreachable nodes (DefaultTolerationSeconds).
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;
/// The taint of an unreachable node.
pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// The taint an administrator puts on a node known to be down.
pub const TAINT_OUT_OF_SERVICE: &str = "node.kubernetes.io/out-of-service";

/// The node lifecycle controller (kube-controller-manager's node-lifecycle and taint-eviction loops).
#[derive(Debug)]
pub struct NodeLifecycleController;

impl Controller for NodeLifecycleController {
    fn component(&self) -> Component {
        Component::Kubelet
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Node]
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let now = ctx.now();
        let Some(node) = ctx.api.store().get_typed::<Node>("", &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        let (state, since) = ctx
            .backend
            .dataplane
            .nodes
            .get(&key.name)
            .map_or((super::NodeState::Ready, SimTime::ZERO), |n| (n.state, n.state_since));
        let ready_now = ready_status(&node);
        if state == super::NodeState::Ready {
            if ready_now != "True" {
                let mut updated = node.clone();
                set_ready(&mut updated, "True", "KubeletReady", "kubelet is posting ready status", now);
                if let Some(spec) = updated.spec.as_mut() {
                    if let Some(taints) = spec.taints.as_mut() {
                        taints.retain(|t| t.key != TAINT_UNREACHABLE);
                    }
                    if spec.taints.as_ref().is_some_and(Vec::is_empty) {
                        spec.taints = None;
                    }
                }
                let stored = ctx.api.update(Component::Kubelet, updated.clone().into_object())?;
                let mut with_status = Node::from_object(&stored).cloned().unwrap_or(updated);
                set_ready(&mut with_status, "True", "KubeletReady", "kubelet is posting ready status", now);
                ctx.api.update_status(Component::Kubelet, with_status.into_object())?;
                let message = format!("Node {} status is now: NodeReady", key.name);
                ctx.api.record_event("kubelet", Some(&key.name), key, EventType::Normal, "NodeReady", &message);
            }
            return Ok(Action::await_change());
        }
        let unknown_at = since.plus(NODE_MONITOR_GRACE);
        if now < unknown_at {
            return Ok(Action::requeue(unknown_at.since(now)));
        }
        if ready_now != "Unknown" {
            let mut updated = node.clone();
            let taints = updated.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new);
            for effect in ["NoSchedule", "NoExecute"] {
                if !taints.iter().any(|t| t.key == TAINT_UNREACHABLE && t.effect == effect) {
                    taints.push(Taint {
                        key: TAINT_UNREACHABLE.to_string(),
                        effect: effect.to_string(),
                        time_added: (effect == "NoExecute").then(|| now.to_k8s_time()),
                        value: None,
                    });
                }
            }
            let stored = ctx.api.update(Component::Kubelet, updated.clone().into_object())?;
            let mut with_status = Node::from_object(&stored).cloned().unwrap_or(updated);
            set_ready(&mut with_status, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", now);
            set_heartbeat(&mut with_status, since);
            ctx.api.update_status(Component::Kubelet, with_status.into_object())?;
            let message = format!("Node {} status is now: NodeNotReady", key.name);
            ctx.api.record_event("node-controller", None, key, EventType::Normal, "NodeNotReady", &message);
            mark_pods_not_ready(ctx, &key.name, now)?;
        }
        let out_of_service = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .is_some_and(|t| t.iter().any(|t| t.key == TAINT_OUT_OF_SERVICE && t.effect == "NoExecute"));
        if out_of_service {
            collect_out_of_service(ctx, &key.name)?;
        }
        evict_pods(ctx, &key.name, unknown_at, now)
    }
}

/// The out-of-service path (NodeOutOfServiceVolumeDetach, GA in 1.28): an administrator who knows
/// the node is really down taints it `node.kubernetes.io/out-of-service:NoExecute`. The taint
/// manager evicts the pods that do not tolerate it at once, and the pod garbage collector
/// force-deletes the pods terminating there (`gcTerminating`: phase Failed, then a delete with no
/// grace), so their volumes detach without waiting for the 6 minutes of maxWaitForUnmountDuration.
fn collect_out_of_service(ctx: &mut Ctx<'_>, node: &str) -> Result<(), ReconcileError> {
    for pod in pods_on(ctx, node) {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let key = ObjectKey::namespaced(Kind::Pod, namespace.clone(), name.clone());
        let tolerates = pod.spec.as_ref().and_then(|s| s.tolerations.as_ref()).is_some_and(|t| {
            t.iter().any(|t| {
                (t.key.as_deref() == Some(TAINT_OUT_OF_SERVICE)
                    || (t.key.is_none() && t.operator.as_deref() == Some("Exists")))
                    && t.effect.as_deref().is_none_or(|e| e == "NoExecute")
            })
        });
        if pod.metadata.deletion_timestamp.is_none() {
            if tolerates {
                continue;
            }
            ctx.api.record_event(
                "taint-eviction-controller",
                None,
                &key,
                EventType::Normal,
                "TaintManagerEviction",
                &format!("Marking for deletion Pod {namespace}/{name}"),
            );
            ctx.api.delete(Component::Kubelet, &key, DeleteOptions::default())?;
        }
        let Some(mut current) = ctx.api.store().get_typed::<Pod>(&namespace, &name).cloned() else {
            continue;
        };
        let status = current.status.get_or_insert_with(Default::default);
        if status.phase.as_deref() != Some("Failed") && status.phase.as_deref() != Some("Succeeded") {
            status.phase = Some("Failed".to_string());
            ctx.api.update_status(Component::Kubelet, current.into_object())?;
        }
        ctx.api.delete(
            Component::Kubelet,
            &key,
            DeleteOptions { grace_period_seconds: Some(0), ..Default::default() },
        )?;
    }
    Ok(())
}

fn ready_status(node: &Node) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .map_or_else(|| "True".to_string(), |c| c.status.clone())
}

fn set_ready(node: &mut Node, status: &str, reason: &str, message: &str, now: SimTime) {
    let conditions = node.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
    if !conditions.iter().any(|c| c.type_ == "Ready") {
        conditions.push(NodeCondition { type_: "Ready".to_string(), ..Default::default() });
    }
    let unknown = status == "Unknown";
    for condition in conditions.iter_mut() {
        // The controller turns every condition the kubelet posts Unknown (tryUpdateNodeHealth); the
        // kubelet posts them all again when it is back.
        let (new_status, new_reason, new_message) = match (condition.type_.as_str(), unknown) {
            ("Ready", _) => (status, reason, message),
            ("NetworkUnavailable", _) => continue,
            (_, true) => ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."),
            ("MemoryPressure", false) => {
                ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
            }
            ("DiskPressure", false) => ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            ("PIDPressure", false) => ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            _ => continue,
        };
        if condition.status != new_status {
            condition.last_transition_time = Some(now.to_k8s_time());
        }
        condition.status = new_status.to_string();
        condition.reason = Some(new_reason.to_string());
        condition.message = Some(new_message.to_string());
        condition.last_heartbeat_time = Some(now.to_k8s_time());
    }
}

/// The controller leaves the kubelet's last heartbeat alone: the last one it posted, when the node
/// went silent.
fn set_heartbeat(node: &mut Node, at: SimTime) {
    for condition in node.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
        condition.last_heartbeat_time = Some(at.to_k8s_time());
    }
}

fn pods_on(ctx: &Ctx<'_>, node: &str) -> Vec<Pod> {
    ctx.api
        .store()
        .list_typed::<Pod>()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .cloned()
        .collect()
}

fn mark_pods_not_ready(ctx: &mut Ctx<'_>, node: &str, now: SimTime) -> Result<(), ReconcileError> {
    for mut pod in pods_on(ctx, node) {
        let key = ObjectKey::namespaced(
            Kind::Pod,
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default(),
        );
        let Some(conditions) = pod.status.as_mut().and_then(|s| s.conditions.as_mut()) else {
            continue;
        };
        let mut changed = false;
        // MarkPodsNotReady: only the Ready condition; container statuses (the READY column) stay.
        for condition in conditions.iter_mut().filter(|c| c.type_ == "Ready") {
            if condition.status != "False" {
                condition.status = "False".to_string();
                condition.last_transition_time = Some(now.to_k8s_time());
                changed = true;
            }
        }
        if changed {
            ctx.api.update_status(Component::Kubelet, pod.into_object())?;
            ctx.api.record_event(
                "node-controller",
                None,
                &key,
                EventType::Warning,
                "NodeNotReady",
                "Node is not ready",
            );
        }
    }
    Ok(())
}

fn evict_pods(ctx: &mut Ctx<'_>, node: &str, tainted_at: SimTime, now: SimTime) -> Result<Action, ReconcileError> {
    let mut next: Option<SimTime> = None;
    for pod in pods_on(ctx, node) {
        if pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let tolerations = pod.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
        let explicit = tolerations.iter().find(|t| {
            (t.key.as_deref() == Some(TAINT_UNREACHABLE)
                || (t.key.is_none() && t.operator.as_deref() == Some("Exists")))
                && t.effect.as_deref().is_none_or(|e| e == "NoExecute")
        });
        let seconds = match explicit {
            Some(t) => match t.toleration_seconds {
                Some(s) => s,
                None => continue,
            },
            None => DEFAULT_TOLERATION_SECONDS,
        };
        let due = tainted_at.plus(SimDuration::from_secs(u64::try_from(seconds.max(0)).unwrap_or(0)));
        if now < due {
            next = Some(next.map_or(due, |n| n.min(due)));
            continue;
        }
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let key = ObjectKey::namespaced(Kind::Pod, namespace.clone(), name.clone());
        ctx.api.record_event(
            "taint-eviction-controller",
            None,
            &key,
            EventType::Normal,
            "TaintManagerEviction",
            &format!("Marking for deletion Pod {namespace}/{name}"),
        );
        ctx.api.delete(Component::Kubelet, &key, DeleteOptions::default())?;
    }
    Ok(match next {
        Some(at) => Action::requeue(at.since(now)),
        None => Action::await_change(),
    })
}
