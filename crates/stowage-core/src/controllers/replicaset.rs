//! The ReplicaSet controller: keeps `spec.replicas` pods of a template alive.
//!
//! Design (`replica_set.go`): a set owns the pods whose controller reference carries its uid, and
//! adopts live orphans its selector matches. Each reconcile counts the *active* pods (not
//! terminating, not Succeeded or Failed) and creates or deletes the difference. New pods are named
//! by the API server from `generateName: {set}-` (five random characters) and carry the template's
//! labels, annotations and spec and a controller reference to the set. When there are too many,
//! the pods that matter least go first (`getPodsToDelete`): unscheduled before scheduled, Pending
//! before Running, not ready before ready, doubled-up on a node before alone, ready for the shortest
//! time, most restarts, newest. Status counts active, fully labelled, ready and available pods
//! (available: ready for `minReadySeconds`); the controller's simulated writes are visible at once,
//! so it needs no expectations cache.

use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::selector::label_selector_matches;
use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::{ApiServer, DeleteOptions, EventType};
use crate::sim::{Component, SimDuration, SimTime};
use crate::store::Change;
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::BTreeMap;

/// The ReplicaSet controller.
#[derive(Debug)]
pub struct ReplicaSetController;

/// The `source.component` of the controller's events.
const SOURCE: &str = "replicaset-controller";

/// A controller reference to `set`, as the pods it creates carry.
pub(crate) fn controller_ref(api_version: &str, kind: &str, meta: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The controller reference of an object, if any.
pub(crate) fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.iter().flatten().find(|r| r.controller == Some(true))
}

/// Whether a pod counts toward its set: not terminating and not finished (`FilterActivePods`).
pub(crate) fn is_pod_active(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && !matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// The time a pod became Ready, when it is Ready.
pub(crate) fn ready_since(pod: &Pod) -> Option<SimTime> {
    let condition =
        pod.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready" && c.status == "True")?;
    Some(condition.last_transition_time.as_ref().map_or(SimTime::ZERO, SimTime::from_k8s_time))
}

/// Whether a pod is Ready.
pub(crate) fn is_pod_ready(pod: &Pod) -> bool {
    ready_since(pod).is_some()
}

/// Whether a pod has been Ready for `min_ready_seconds` at `now` (`IsPodAvailable`).
pub(crate) fn is_pod_available(pod: &Pod, min_ready_seconds: i32, now: SimTime) -> bool {
    ready_since(pod).is_some_and(|since| {
        let wait = SimDuration::from_secs(u64::try_from(min_ready_seconds).unwrap_or(0));
        min_ready_seconds <= 0 || since.plus(wait) <= now
    })
}

/// How long until a ready pod becomes available, if it is not yet.
fn until_available(pod: &Pod, min_ready_seconds: i32, now: SimTime) -> Option<SimDuration> {
    let since = ready_since(pod)?;
    let at = since.plus(SimDuration::from_secs(u64::try_from(min_ready_seconds).ok()?));
    (at > now).then(|| at.since(now))
}

fn labels_of(pod: &Pod) -> BTreeMap<String, String> {
    pod.metadata.labels.clone().unwrap_or_default()
}

impl Controller for ReplicaSetController {
    fn component(&self) -> Component {
        Component::DeploymentController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::ReplicaSet]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        match change.key.kind {
            Kind::ReplicaSet => out.push(change.key.clone()),
            Kind::Pod => {
                let namespace = &change.key.namespace;
                let owner =
                    api.store().get_typed::<Pod>(namespace, &change.key.name).map(|pod| controller_of(&pod.metadata));
                match owner {
                    // An owned pod wakes its set.
                    Some(Some(owner)) if owner.kind == "ReplicaSet" => {
                        out.push(ObjectKey::namespaced(Kind::ReplicaSet, namespace.clone(), owner.name.clone()));
                    }
                    // Another controller's pod: nothing to do.
                    Some(Some(_)) => {}
                    // An orphan may be adopted; a deleted pod may leave a set short: wake the sets
                    // whose selector or name could concern it.
                    Some(None) | None => {
                        for set in api.store().list_typed_in::<ReplicaSet>(namespace) {
                            let name = set.metadata.name.clone().unwrap_or_default();
                            if owner.is_some() || change.key.name.starts_with(&format!("{name}-")) {
                                out.push(ObjectKey::namespaced(Kind::ReplicaSet, namespace.clone(), name));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(set) = ctx.api.store().get_typed::<ReplicaSet>(&key.namespace, &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        let pods = claim_pods(&set, ctx)?;
        if set.metadata.deletion_timestamp.is_none() {
            manage_replicas(key, &set, &pods, ctx)?;
        } else {
            // OBSERVATION: the set is being deleted; the garbage collector takes its pods.
        }
        update_status(key, ctx)
    }
}

/// The set's pods: owned ones, plus live orphans its selector matches, which it adopts.
fn claim_pods(set: &ReplicaSet, ctx: &mut Ctx<'_>) -> Result<Vec<Pod>, ReconcileError> {
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    let uid = set.metadata.uid.clone().unwrap_or_default();
    let selector = set.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default();
    let selects_something = selector.match_labels.as_ref().is_some_and(|m| !m.is_empty())
        || selector.match_expressions.as_ref().is_some_and(|e| !e.is_empty());
    let mut owned = Vec::new();
    let mut orphans = Vec::new();
    for pod in ctx.api.store().list_typed_in::<Pod>(&namespace) {
        match controller_of(&pod.metadata) {
            Some(owner) if owner.uid == uid => owned.push(pod.clone()),
            Some(_) => {}
            None => {
                let adoptable = selects_something
                    && set.metadata.deletion_timestamp.is_none()
                    && pod.metadata.deletion_timestamp.is_none()
                    && label_selector_matches(&selector, &labels_of(pod));
                if adoptable {
                    orphans.push(pod.clone());
                }
            }
        }
    }
    for mut pod in orphans {
        pod.metadata.owner_references.get_or_insert_with(Vec::new).push(controller_ref(
            "apps/v1",
            "ReplicaSet",
            &set.metadata,
        ));
        let adopted = ctx.api.update(Component::DeploymentController, pod.into_object())?;
        if let Some(pod) = adopted.as_typed::<Pod>() {
            owned.push(pod.clone());
        }
    }
    Ok(owned)
}

fn record(ctx: &mut Ctx<'_>, key: &ObjectKey, event_type: EventType, reason: &str, message: &str) {
    ctx.api.record_event(SOURCE, None, key, event_type, reason, message);
}

/// Creates or deletes pods until the active ones number `spec.replicas` (`manageReplicas`).
fn manage_replicas(key: &ObjectKey, set: &ReplicaSet, pods: &[Pod], ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let replicas = set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1).max(0);
    let active: Vec<&Pod> = pods.iter().filter(|p| is_pod_active(p)).collect();
    let count = i32::try_from(active.len()).unwrap_or(i32::MAX);
    if count < replicas {
        // OBSERVATION: too few pods; create the difference (the simulated API never fails a batch
        // half-way for capacity, so `slowStartBatch` reduces to one loop that stops at the first error).
        for _ in count..replicas {
            create_pod(key, set, ctx)?;
        }
    } else if count > replicas {
        // OBSERVATION: too many pods; delete the least valuable ones first.
        let doomed = pods_to_delete(&active, usize::try_from(count - replicas).unwrap_or(0), ctx.now());
        for name in doomed {
            let pod_key = ObjectKey::namespaced(Kind::Pod, key.namespace.clone(), name.clone());
            match ctx.api.delete(Component::DeploymentController, &pod_key, DeleteOptions::default()) {
                Ok(_) => record(ctx, key, EventType::Normal, "SuccessfulDelete", &format!("Deleted pod: {name}")),
                Err(error) => {
                    record(ctx, key, EventType::Warning, "FailedDelete", &format!("Error deleting: {}", error.message));
                    return Err(error.into());
                }
            }
        }
    } else {
        // OBSERVATION: the set has exactly the pods it wants.
    }
    Ok(())
}

/// A pod from the set's template (`GetPodFromTemplate`): the API server names it.
fn create_pod(key: &ObjectKey, set: &ReplicaSet, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let template = set.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
    let template_meta = template.metadata.unwrap_or_default();
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", key.name)),
            namespace: Some(key.namespace.clone()),
            labels: template_meta.labels,
            annotations: template_meta.annotations,
            finalizers: template_meta.finalizers,
            owner_references: Some(vec![controller_ref("apps/v1", "ReplicaSet", &set.metadata)]),
            ..ObjectMeta::default()
        },
        spec: template.spec,
        status: None,
    };
    match ctx.api.create(Component::DeploymentController, pod.into_object()) {
        Ok(created) => {
            let message = format!("Created pod: {}", created.name());
            record(ctx, key, EventType::Normal, "SuccessfulCreate", &message);
            Ok(())
        }
        Err(error) => {
            record(ctx, key, EventType::Warning, "FailedCreate", &format!("Error creating: {}", error.message));
            Err(error.into())
        }
    }
}

/// The names of the `n` pods to delete first (`getPodsToDelete` with `ActivePodsWithRanks`).
fn pods_to_delete(active: &[&Pod], n: usize, now: SimTime) -> Vec<String> {
    let mut per_node: BTreeMap<String, u32> = BTreeMap::new();
    for pod in active {
        if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty()) {
            *per_node.entry(node).or_insert(0) += 1;
        }
    }
    let mut ranked: Vec<(_, String)> = active
        .iter()
        .map(|pod| {
            let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
            let scheduled = !node.is_empty();
            let phase_rank = match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
                Some("Pending") | None => 0,
                Some("Running") => 2,
                _ => 1,
            };
            let ready = is_pod_ready(pod);
            let siblings = per_node.get(&node).copied().unwrap_or(0);
            // Longer-ready pods are worth more; the log scale of `LogarithmicScaleDown` is dropped.
            let ready_for_ms = ready_since(pod).map_or(0, |since| now.since(since).as_millis());
            let restarts: i32 = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .map_or(0, |c| c.iter().map(|c| c.restart_count).sum());
            let created =
                pod.metadata.creation_timestamp.as_ref().map_or(SimTime::ZERO, SimTime::from_k8s_time).as_millis();
            let name = pod.metadata.name.clone().unwrap_or_default();
            let rank = (
                scheduled,
                phase_rank,
                ready,
                std::cmp::Reverse(siblings),
                ready_for_ms,
                std::cmp::Reverse(restarts),
                std::cmp::Reverse(created),
            );
            (rank, name)
        })
        .collect();
    ranked.sort();
    ranked.into_iter().take(n).map(|(_, name)| name).collect()
}

/// Writes the set's status from its pods (`calculateStatus`), and asks to look again when a ready
/// pod will become available.
fn update_status(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let Some(set) = ctx.api.store().get_typed::<ReplicaSet>(&key.namespace, &key.name).cloned() else {
        return Ok(Action::await_change());
    };
    let uid = set.metadata.uid.clone().unwrap_or_default();
    let spec = set.spec.clone().unwrap_or_default();
    let min_ready_seconds = spec.min_ready_seconds.unwrap_or(0);
    let template_labels =
        spec.template.as_ref().and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
    let now = ctx.now();
    let pods: Vec<Pod> = ctx
        .api
        .store()
        .list_typed_in::<Pod>(&key.namespace)
        .filter(|p| controller_of(&p.metadata).is_some_and(|r| r.uid == uid))
        .filter(|p| is_pod_active(p))
        .cloned()
        .collect();
    let count = |f: &dyn Fn(&Pod) -> bool| i32::try_from(pods.iter().filter(|p| f(p)).count()).unwrap_or(i32::MAX);
    let fully_labeled = count(&|p| template_labels.iter().all(|(k, v)| labels_of(p).get(k) == Some(v)));
    let ready = count(&|p| is_pod_ready(p));
    let available = count(&|p| is_pod_available(p, min_ready_seconds, now));
    let non_zero = |n: i32| (n != 0).then_some(n);
    let old = set.status.clone().unwrap_or_default();
    let status = ReplicaSetStatus {
        replicas: i32::try_from(pods.len()).unwrap_or(i32::MAX),
        fully_labeled_replicas: non_zero(fully_labeled),
        ready_replicas: non_zero(ready),
        available_replicas: non_zero(available),
        observed_generation: set.metadata.generation,
        conditions: old.conditions.clone().filter(|c| !c.is_empty()),
        terminating_replicas: None,
    };
    if set.status.as_ref() != Some(&status) {
        let mut updated = set;
        updated.status = Some(status);
        ctx.api.update_status(Component::DeploymentController, updated.into_object())?;
    }
    let next = pods.iter().filter_map(|p| until_available(p, min_ready_seconds, now)).min();
    Ok(next.map_or(Action::await_change(), Action::requeue))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, node: &str, phase: &str) -> Pod {
        let mut pod = Pod::default();
        pod.metadata.name = Some(name.to_string());
        pod.spec = Some(k8s_openapi::api::core::v1::PodSpec {
            node_name: (!node.is_empty()).then(|| node.to_string()),
            ..Default::default()
        });
        pod.status =
            Some(k8s_openapi::api::core::v1::PodStatus { phase: Some(phase.to_string()), ..Default::default() });
        pod
    }

    #[test]
    fn scale_down_should_delete_unscheduled_and_pending_pods_first() {
        let running = pod("web-a", "node-1", "Running");
        let pending = pod("web-b", "node-2", "Pending");
        let unscheduled = pod("web-c", "", "Pending");
        let active = [&running, &pending, &unscheduled];
        assert_eq!(pods_to_delete(&active, 2, SimTime::ZERO), ["web-c", "web-b"]);
    }
}
