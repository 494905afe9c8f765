//! kube-scheduler: places pods without a node on one, through the default plugins' filters.
//!
//! Design: one reconcile per unscheduled pod. PreFilter (VolumeBinding's claim lookup) can reject
//! the pod outright; then every node goes through the filters in the framework's order
//! (NodeUnschedulable, TaintToleration, NodeAffinity, NodeResourcesFit, VolumeRestrictions,
//! VolumeBinding, InterPodAffinity), stopping at a node's first failure. With no feasible node the
//! pod stays Pending with `PodScheduled=False` (`Unschedulable`) and a `FailedScheduling` event in
//! the real format (`0/3 nodes are available: <sorted histogram>. no new claims to deallocate,
//! preemption: ...`). Otherwise the best node wins (fewest pods of the same owner, then fewest
//! pods, then a seeded coin), the VolumeBinding PreBind writes (`selected-node`, static claimRefs)
//! are made, and the pod is bound once its claims are bound. The storage side lives in
//! [`volume_binding`] (pure functions).
//!
//! Pods with `spec.nodeName` already set never reach the scheduler (the kubelet runs them as they
//! are), exactly as in Kubernetes.

pub mod volume_binding;

use crate::api::{Kind, Object, ObjectKey, Typed};
use crate::apiserver::{ApiServer, EventType};
use crate::controllers::{Action, Controller, Ctx, ReconcileError};
use crate::sim::{Component, SimDuration, SimTime};
use crate::store::{Change, Store};
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeSelectorRequirement, NodeSelectorTerm, PersistentVolumeClaim, Pod, PodAffinityTerm,
    PodCondition, Toleration,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

/// How often an unschedulable pod is tried again without any change (podMaxInUnschedulablePodsDuration).
pub const UNSCHEDULABLE_RETRY: SimDuration = SimDuration::from_secs(300);

/// `ErrReasonUnschedulable` of NodeUnschedulable.
pub const REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";
/// NodeAffinity's `ErrReasonPod`.
pub const REASON_NODE_AFFINITY: &str = "node(s) didn't match Pod's node affinity/selector";
/// InterPodAffinity's reasons.
pub const REASON_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
/// InterPodAffinity: the incoming pod's required affinity.
pub const REASON_AFFINITY: &str = "node(s) didn't match pod affinity rules";
/// InterPodAffinity: an existing pod's anti-affinity.
pub const REASON_EXISTING_ANTI_AFFINITY: &str = "node(s) didn't satisfy existing pods anti-affinity rules";
/// VolumeRestrictions' ReadWriteOncePod conflict.
pub const REASON_RWOP_CONFLICT: &str =
    "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";

/// The scheduler.
#[derive(Debug)]
pub struct Scheduler;

/// Whether a failure can be fixed by preempting pods (`Unschedulable`) or not (`UnschedulableAndUnresolvable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    Unschedulable,
    Unresolvable,
}

fn is_unscheduled(pod: &Pod) -> bool {
    let spec = pod.spec.as_ref();
    spec.and_then(|s| s.node_name.as_deref()).is_none_or(str::is_empty)
        && pod.metadata.deletion_timestamp.is_none()
        && spec.and_then(|s| s.scheduler_name.as_deref()).is_none_or(|n| n.is_empty() || n == "default-scheduler")
        && !matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// Whether the scheduler already recorded this pod as unschedulable (`PodScheduled=False`).
fn marked_unschedulable(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "PodScheduled" && c.status == "False"))
}

fn pod_key(pod: &Pod) -> ObjectKey {
    ObjectKey::namespaced(
        Kind::Pod,
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    )
}

impl Controller for Scheduler {
    fn component(&self) -> Component {
        Component::Scheduler
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Pod]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        let all_pending = |out: &mut Vec<ObjectKey>| {
            for pod in api.store().list_typed::<Pod>().filter(|p| is_unscheduled(p)) {
                out.push(pod_key(pod));
            }
        };
        match change.key.kind {
            Kind::Pod => match api.store().get_typed::<Pod>(&change.key.namespace, &change.key.name) {
                // The scheduler's own `PodScheduled=False` write is a status-only update, which the
                // scheduling queue ignores (`isPodUpdated` strips the status): an unschedulable pod
                // waits for another cluster event or the periodic flush, and records one
                // FailedScheduling per attempt.
                Some(pod) if is_unscheduled(pod) && !marked_unschedulable(pod) => out.push(change.key.clone()),
                Some(pod) if is_unscheduled(pod) => {}
                // A pod went away or is going: its node has room (and no anti-affinity) again.
                None => all_pending(out),
                Some(pod) if pod.metadata.deletion_timestamp.is_some() => all_pending(out),
                Some(_) => {}
            },
            Kind::Node | Kind::PersistentVolume | Kind::StorageClass | Kind::CSINode => all_pending(out),
            Kind::PersistentVolumeClaim => {
                for pod in api.store().list_typed_in::<Pod>(&change.key.namespace).filter(|p| is_unscheduled(p)) {
                    out.push(pod_key(pod));
                }
            }
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(pod) = ctx.api.store().get_typed::<Pod>(&key.namespace, &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        if !is_unscheduled(&pod) {
            return Ok(Action::await_change());
        }
        schedule(key, &pod, ctx)
    }
}

fn schedule(key: &ObjectKey, pod: &Pod, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let nodes: Vec<Node> = ctx.api.store().list_typed::<Node>().cloned().collect();
    let total = nodes.len();
    let claims = match volume_binding::pre_filter(ctx.api.store(), pod) {
        Ok(claims) => claims,
        Err(message) => {
            // An UnschedulableAndUnresolvable PreFilter stops the PreFilter loop before DynamicResources
            // (GA and on in 1.34) writes its cycle state, so its PostFilter fails reading it ("not found")
            // and preemption never runs: `0/1 nodes are available: pod has unbound immediate
            // PersistentVolumeClaims. not found` is what 1.34 clusters print.
            return unschedulable(key, pod, ctx, &format!("0/{total} nodes are available: {message}. not found"));
        }
    };
    let store = ctx.api.store();
    let placed = placed_pods(store);
    let mut reasons: BTreeMap<String, (usize, Code)> = BTreeMap::new();
    let mut feasible: Vec<(Node, volume_binding::PodVolumes)> = Vec::new();
    for node in &nodes {
        match filter(store, pod, node, &placed, &claims) {
            Ok(decisions) => feasible.push((node.clone(), decisions)),
            Err(failures) => {
                for (reason, code) in failures {
                    let entry = reasons.entry(reason).or_insert((0, code));
                    entry.0 += 1;
                }
            }
        }
    }
    if feasible.is_empty() {
        let mut histogram: Vec<String> =
            reasons.iter().map(|(reason, (count, _))| format!("{count} {reason}")).collect();
        histogram.sort();
        let mut failed_nodes: BTreeMap<&'static str, usize> = BTreeMap::new();
        for node in &nodes {
            // Each node counts once in preemption's summary, by whether its first failure could be resolved.
            let code = match filter(store, pod, node, &placed, &claims) {
                Err(failures) if failures.iter().all(|(_, c)| *c == Code::Unschedulable) => Code::Unschedulable,
                _ => Code::Unresolvable,
            };
            let text = if code == Code::Unschedulable {
                "No preemption victims found for incoming pod"
            } else {
                "Preemption is not helpful for scheduling"
            };
            *failed_nodes.entry(text).or_insert(0) += 1;
        }
        let mut preemption: Vec<String> = failed_nodes.iter().map(|(text, count)| format!("{count} {text}")).collect();
        preemption.sort();
        let mut message = format!("0/{total} nodes are available");
        if !histogram.is_empty() {
            message.push_str(&format!(": {}.", histogram.join(", ")));
        } else {
            message.push('.');
        }
        // PostFilter plugins run in order, DynamicResources first: a pod without ResourceClaims adds
        // "no new claims to deallocate", then DefaultPreemption its summary (`RunPostFilterPlugins`
        // joins their reasons with ", ").
        message.push_str(&format!(
            " no new claims to deallocate, preemption: 0/{total} nodes are available: {}.",
            preemption.join(", ")
        ));
        if total == 0 {
            message = "no nodes available to schedule pods".to_string();
        }
        return unschedulable(key, pod, ctx, &message);
    }
    let chosen = pick(store, pod, &placed, &feasible, ctx.rng);
    let (node, decisions) = feasible.swap_remove(chosen);
    let node_name = node.metadata.name.clone().unwrap_or_default();
    if !decisions.static_bindings.is_empty() || !decisions.dynamic_provisions.is_empty() {
        volume_binding::bind_pod_volumes(ctx.api, pod, &decisions, &node_name)?;
        match volume_binding::check_bindings(ctx.api.store(), pod, &decisions, &node) {
            Ok(true) => {}
            Ok(false) => return Ok(Action::await_change()),
            Err(error) => {
                let message = format!("running PreBind plugin \"VolumeBinding\": binding volumes: {error}");
                return unschedulable(key, pod, ctx, &message);
            }
        }
    }
    bind(key, pod, &node_name, ctx)
}

/// Writes `spec.nodeName` (the Binding subresource) and `PodScheduled=True`.
fn bind(key: &ObjectKey, pod: &Pod, node: &str, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let now = ctx.now();
    let mut bound = pod.clone();
    bound.spec.get_or_insert_with(Default::default).node_name = Some(node.to_string());
    let stored = ctx.api.update(Component::Scheduler, bound.into_object())?;
    let mut with_status = Pod::from_object(&stored).cloned().unwrap_or_default();
    set_scheduled(&mut with_status, true, None, now);
    ctx.api.update_status(Component::Scheduler, with_status.into_object())?;
    let message = format!("Successfully assigned {}/{} to {node}", key.namespace, key.name);
    ctx.api.record_event("default-scheduler", None, key, EventType::Normal, "Scheduled", &message);
    Ok(Action::await_change())
}

fn set_scheduled(pod: &mut Pod, ok: bool, message: Option<&str>, now: SimTime) {
    let status = pod.status.get_or_insert_with(Default::default);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let value = if ok { "True" } else { "False" };
    let previous = conditions.iter().find(|c| c.type_ == "PodScheduled").cloned();
    let same = previous.as_ref().is_some_and(|p| p.status == value && p.message.as_deref() == message);
    if same {
        return;
    }
    let since = match &previous {
        Some(p) if p.status == value => p.last_transition_time.clone(),
        _ => Some(now.to_k8s_time()),
    };
    conditions.retain(|c| c.type_ != "PodScheduled");
    conditions.push(PodCondition {
        type_: "PodScheduled".to_string(),
        status: value.to_string(),
        reason: (!ok).then(|| "Unschedulable".to_string()),
        message: message.map(str::to_string),
        last_transition_time: since,
        last_probe_time: None,
        ..Default::default()
    });
}

fn unschedulable(key: &ObjectKey, pod: &Pod, ctx: &mut Ctx<'_>, message: &str) -> Result<Action, ReconcileError> {
    let now = ctx.now();
    let mut updated = pod.clone();
    set_scheduled(&mut updated, false, Some(message), now);
    if updated.status != pod.status {
        ctx.api.update_status(Component::Scheduler, updated.into_object())?;
    }
    ctx.api.record_event("default-scheduler", None, key, EventType::Warning, "FailedScheduling", message);
    Ok(Action::requeue(UNSCHEDULABLE_RETRY))
}

/// Pods that occupy nodes: bound, not finished.
fn placed_pods(store: &Store) -> Vec<&Pod> {
    store
        .list_typed::<Pod>()
        .filter(|p| {
            p.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty())
                && !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
        })
        .collect()
}

fn node_name(node: &Node) -> &str {
    node.metadata.name.as_deref().unwrap_or("")
}

fn pod_node(pod: &Pod) -> &str {
    pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("")
}

/// The filters, in the default profile's order; a node stops at its first failing plugin.
fn filter(
    store: &Store,
    pod: &Pod,
    node: &Node,
    placed: &[&Pod],
    claims: &volume_binding::PodVolumeClaims,
) -> Result<volume_binding::PodVolumes, Vec<(String, Code)>> {
    let spec = pod.spec.clone().unwrap_or_default();
    let tolerations = spec.tolerations.clone().unwrap_or_default();
    let node_spec = node.spec.clone().unwrap_or_default();
    // NodeUnschedulable.
    if node_spec.unschedulable.unwrap_or(false)
        && !tolerates(&tolerations, "node.kubernetes.io/unschedulable", "", "NoSchedule")
    {
        return Err(vec![(REASON_UNSCHEDULABLE.to_string(), Code::Unresolvable)]);
    }
    // TaintToleration.
    for taint in node_spec.taints.iter().flatten() {
        if (taint.effect == "NoSchedule" || taint.effect == "NoExecute")
            && !tolerates(&tolerations, &taint.key, taint.value.as_deref().unwrap_or(""), &taint.effect)
        {
            let reason =
                format!("node(s) had untolerated taint {{{}: {}}}", taint.key, taint.value.as_deref().unwrap_or(""));
            return Err(vec![(reason, Code::Unresolvable)]);
        }
    }
    // NodeAffinity (nodeSelector and required node affinity).
    if !matches_node_selector(pod, node) {
        return Err(vec![(REASON_NODE_AFFINITY.to_string(), Code::Unresolvable)]);
    }
    // NodeResourcesFit.
    let insufficient = insufficient_resources(pod, node, placed);
    if !insufficient.is_empty() {
        return Err(insufficient.into_iter().map(|r| (format!("Insufficient {r}"), Code::Unschedulable)).collect());
    }
    // VolumeRestrictions: ReadWriteOncePod claims used by another pod.
    if rwop_conflict(store, pod, placed) {
        return Err(vec![(REASON_RWOP_CONFLICT.to_string(), Code::Unschedulable)]);
    }
    // VolumeBinding.
    let (decisions, reasons) = volume_binding::find_pod_volumes(store, pod, claims, node);
    if !reasons.is_empty() {
        return Err(reasons.into_iter().map(|r| (r.to_string(), Code::Unresolvable)).collect());
    }
    // InterPodAffinity.
    if let Some(reason) = inter_pod_affinity(store, pod, node, placed) {
        return Err(vec![(reason.to_string(), Code::Unschedulable)]);
    }
    Ok(decisions)
}

/// Whether a toleration covers a taint (`ToleratesTaint`).
fn tolerates(tolerations: &[Toleration], key: &str, value: &str, effect: &str) -> bool {
    tolerations.iter().any(|t| {
        let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == effect);
        let key_ok = t.key.as_deref().is_none_or(|k| k.is_empty() || k == key);
        let operator = t.operator.as_deref().unwrap_or("Equal");
        let value_ok = match operator {
            "Exists" => true,
            _ => t.value.as_deref().unwrap_or("") == value,
        };
        let wildcard = t.key.as_deref().is_none_or(str::is_empty) && operator != "Exists";
        effect_ok && key_ok && value_ok && !wildcard
    })
}

fn matches_node_selector(pod: &Pod, node: &Node) -> bool {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let spec = pod.spec.as_ref();
    if let Some(selector) = spec.and_then(|s| s.node_selector.as_ref())
        && !selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    {
        return false;
    }
    let required = spec
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref());
    match required {
        Some(selector) => selector.node_selector_terms.iter().any(|term| term_matches(term, node)),
        None => true,
    }
}

fn term_matches(term: &NodeSelectorTerm, node: &Node) -> bool {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let expressions = term.match_expressions.as_deref().unwrap_or(&[]);
    let fields = term.match_fields.as_deref().unwrap_or(&[]);
    if expressions.is_empty() && fields.is_empty() {
        return false;
    }
    let name = BTreeMap::from([("metadata.name".to_string(), node_name(node).to_string())]);
    expressions.iter().all(|r| requirement_matches(r, &labels)) && fields.iter().all(|r| requirement_matches(r, &name))
}

fn requirement_matches(requirement: &NodeSelectorRequirement, labels: &BTreeMap<String, String>) -> bool {
    let values = requirement.values.clone().unwrap_or_default();
    let value = labels.get(&requirement.key);
    match requirement.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(bound)) =
                (value.and_then(|v| v.parse::<i64>().ok()), values.first().and_then(|b| b.parse::<i64>().ok()))
            else {
                return false;
            };
            if requirement.operator == "Gt" { v > bound } else { v < bound }
        }
        _ => false,
    }
}

/// CPU (millicores) and memory (bytes) a pod requests.
fn requests(pod: &Pod) -> (i64, i64) {
    let mut cpu = 0;
    let mut memory = 0;
    for c in pod.spec.as_ref().map(|s| s.containers.as_slice()).unwrap_or(&[]) {
        let resources = c.resources.as_ref();
        let get = |name: &str| {
            resources
                .and_then(|r| {
                    r.requests
                        .as_ref()
                        .and_then(|m| m.get(name))
                        .or_else(|| r.limits.as_ref().and_then(|m| m.get(name)))
                })
                .and_then(|q| crate::api::quantity::parse(q).ok())
        };
        cpu += get("cpu").map_or(0, |q| q.milli_value());
        memory += get("memory").map_or(0, |q| q.value());
    }
    (cpu, memory)
}

fn insufficient_resources(pod: &Pod, node: &Node, placed: &[&Pod]) -> Vec<&'static str> {
    let (cpu, memory) = requests(pod);
    let allocatable = node.status.as_ref().and_then(|s| s.allocatable.clone()).unwrap_or_default();
    let get = |name: &str| allocatable.get(name).and_then(|q| crate::api::quantity::parse(q).ok());
    let (used_cpu, used_memory) = placed
        .iter()
        .filter(|p| pod_node(p) == node_name(node))
        .map(|p| requests(p))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let mut out = Vec::new();
    if let Some(total) = get("cpu").map(|q| q.milli_value())
        && cpu > 0
        && used_cpu + cpu > total
    {
        out.push("cpu");
    }
    if let Some(total) = get("memory").map(|q| q.value())
        && memory > 0
        && used_memory + memory > total
    {
        out.push("memory");
    }
    out
}

fn claim_names(pod: &Pod) -> Vec<String> {
    pod.spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone()))
        .collect()
}

fn rwop_conflict(store: &Store, pod: &Pod, placed: &[&Pod]) -> bool {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let rwop: Vec<String> = claim_names(pod)
        .into_iter()
        .filter(|name| {
            store
                .get_typed::<PersistentVolumeClaim>(namespace, name)
                .and_then(|c| c.spec.as_ref()?.access_modes.as_ref())
                .is_some_and(|m| m.iter().any(|m| m == "ReadWriteOncePod"))
        })
        .collect();
    if rwop.is_empty() {
        return false;
    }
    placed.iter().any(|other| {
        other.metadata.namespace.as_deref() == Some(namespace)
            && other.metadata.uid != pod.metadata.uid
            && claim_names(other).iter().any(|c| rwop.contains(c))
    })
}

fn selector_matches(selector: Option<&LabelSelector>, labels: &BTreeMap<String, String>) -> bool {
    let Some(selector) = selector else {
        return false;
    };
    let labels_ok = selector.match_labels.iter().flatten().all(|(k, v)| labels.get(k) == Some(v));
    let expressions_ok = selector.match_expressions.iter().flatten().all(|e| {
        let value = labels.get(&e.key);
        let values = e.values.clone().unwrap_or_default();
        match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    labels_ok && expressions_ok
}

fn term_selects(term: &PodAffinityTerm, owner: &Pod, other: &Pod) -> bool {
    let owner_ns = owner.metadata.namespace.clone().unwrap_or_default();
    let namespaces = term.namespaces.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| vec![owner_ns]);
    let in_namespace =
        term.namespace_selector.is_some() || namespaces.iter().any(|n| Some(n) == other.metadata.namespace.as_ref());
    in_namespace
        && selector_matches(term.label_selector.as_ref(), other.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()))
}

fn same_topology(store: &Store, node: &Node, other_node: &str, key: &str) -> bool {
    let Some(value) = node.metadata.labels.as_ref().and_then(|l| l.get(key)) else {
        return false;
    };
    store.get_typed::<Node>("", other_node).and_then(|n| n.metadata.labels.as_ref()?.get(key).cloned()).as_ref()
        == Some(value)
}

fn inter_pod_affinity(store: &Store, pod: &Pod, node: &Node, placed: &[&Pod]) -> Option<&'static str> {
    let affinity: Affinity = pod.spec.as_ref().and_then(|s| s.affinity.clone()).unwrap_or_default();
    // Existing pods' required anti-affinity against the incoming pod.
    for other in placed {
        let terms = other
            .spec
            .as_ref()
            .and_then(|s| s.affinity.as_ref())
            .and_then(|a| a.pod_anti_affinity.as_ref())
            .and_then(|a| a.required_during_scheduling_ignored_during_execution.clone());
        for term in terms.iter().flatten() {
            if term_selects(term, other, pod) && same_topology(store, node, pod_node(other), &term.topology_key) {
                return Some(REASON_EXISTING_ANTI_AFFINITY);
            }
        }
    }
    let required_affinity = affinity
        .pod_affinity
        .as_ref()
        .and_then(|a| a.required_during_scheduling_ignored_during_execution.clone())
        .unwrap_or_default();
    for term in &required_affinity {
        let satisfied = placed.iter().any(|other| {
            term_selects(term, pod, other) && same_topology(store, node, pod_node(other), &term.topology_key)
        });
        // The first pod of a group that selects itself may go anywhere (the affinity would be unsatisfiable otherwise).
        let self_match = term_selects(term, pod, pod) && !placed.iter().any(|other| term_selects(term, pod, other));
        if !satisfied && !self_match {
            return Some(REASON_AFFINITY);
        }
    }
    let anti = affinity
        .pod_anti_affinity
        .as_ref()
        .and_then(|a| a.required_during_scheduling_ignored_during_execution.clone())
        .unwrap_or_default();
    for term in &anti {
        if placed.iter().any(|other| {
            other.metadata.uid != pod.metadata.uid
                && term_selects(term, pod, other)
                && same_topology(store, node, pod_node(other), &term.topology_key)
        }) {
            return Some(REASON_ANTI_AFFINITY);
        }
    }
    None
}

/// Scores the feasible nodes (spread the pod's siblings, then all pods) and picks one; ties are
/// broken by the seeded random stream, as the real scheduler samples among equal scores.
fn pick(
    store: &Store,
    pod: &Pod,
    placed: &[&Pod],
    feasible: &[(Node, volume_binding::PodVolumes)],
    rng: &mut crate::sim::SimRng,
) -> usize {
    let owner = pod
        .metadata
        .owner_references
        .as_ref()
        .and_then(|r| r.iter().find(|r| r.controller == Some(true)).map(|r| r.uid.clone()));
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let zone_of = |name: &str| {
        store
            .get_typed::<Node>("", name)
            .and_then(|n| n.metadata.labels.as_ref()?.get(crate::api::well_known::LABEL_ZONE).cloned())
    };
    let sibling = |other: &&&Pod| match &owner {
        Some(uid) => other.metadata.owner_references.iter().flatten().any(|r| &r.uid == uid),
        None => !labels.is_empty() && other.metadata.labels.as_ref() == Some(&labels),
    };
    let scores: Vec<(usize, usize, usize)> = feasible
        .iter()
        .map(|(node, _)| {
            let name = node_name(node);
            let zone = zone_of(name);
            let on_node = placed.iter().filter(|p| pod_node(p) == name);
            let siblings_here = on_node.clone().filter(sibling).count();
            let siblings_zone = if zone.is_some() {
                placed.iter().filter(sibling).filter(|p| zone_of(pod_node(p)) == zone).count()
            } else {
                0
            };
            (siblings_here, siblings_zone, on_node.count())
        })
        .collect();
    let best = scores.iter().min().copied().unwrap_or_default();
    let candidates: Vec<usize> = (0..feasible.len()).filter(|i| scores[*i] == best).collect();
    candidates[rng.below(candidates.len() as u64) as usize]
}

/// Whether the object is a pod waiting for the scheduler (for views).
pub fn is_pending_scheduling(object: &Object) -> bool {
    Pod::from_object(object).is_some_and(is_unscheduled)
}
