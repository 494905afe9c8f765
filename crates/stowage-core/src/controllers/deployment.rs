//! The Deployment controller: rolls a pod template out through ReplicaSets.
//!
//! Design (`deployment_controller.go`, `sync.go`, `rolling.go`, `recreate.go`, `progress.go`): a
//! Deployment owns ReplicaSets (controller references). The *new* ReplicaSet is the oldest one whose
//! template equals the Deployment's, ignoring the `pod-template-hash` label; it is named
//! `{deployment}-{hash}` where the hash is fnv32a of the template rendered with the alphabet of
//! `rand.SafeEncodeString` ([`pod_template_hash`]), and the hash is added to its selector, its
//! labels and its pods' labels. Every other owned ReplicaSet is *old*.
//!
//! Each reconcile does one of three things, from the current state only:
//! - a *scaling event* (an active ReplicaSet's `desired-replicas` annotation differs from
//!   `spec.replicas`), or a paused Deployment: resize the active ReplicaSets, proportionally when
//!   several are active (`scale`);
//! - `RollingUpdate`: scale the new ReplicaSet up within `replicas + maxSurge`, then scale old ones
//!   down while at least `replicas - maxUnavailable` pods stay available, unhealthy pods first;
//! - `Recreate`: scale every old ReplicaSet to zero, wait for their pods to be gone, then scale the
//!   new one up.
//!
//! The new ReplicaSet carries `deployment.kubernetes.io/revision` (one more than any old one), which
//! is copied to the Deployment; `desired-replicas` and `max-replicas` record the size it was scaled
//! for. A complete rollout prunes old, empty ReplicaSets beyond `revisionHistoryLimit`. Status sums
//! the ReplicaSets' counts; conditions `Available` and `Progressing` carry the upstream reasons and
//! messages, and `progressDeadlineSeconds` turns a stalled rollout into `ProgressDeadlineExceeded`.

use super::replicaset::{controller_of, controller_ref};
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::{ANN_LAST_APPLIED, LABEL_POD_TEMPLATE_HASH};
use crate::api::{ApiError, Kind, ObjectKey, Typed};
use crate::apiserver::{ApiServer, DeleteOptions, EventType};
use crate::sim::{Component, SimDuration, SimTime};
use crate::store::Change;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The Deployment controller.
#[derive(Debug)]
pub struct DeploymentController;

/// The `source.component` of the controller's events.
const SOURCE: &str = "deployment-controller";

/// On a Deployment and its ReplicaSets: the rollout revision, `"1"` for the first template.
pub const ANN_REVISION: &str = "deployment.kubernetes.io/revision";
/// On a ReplicaSet: earlier revisions it had, comma separated, when a rollback reused it.
pub const ANN_REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// On a ReplicaSet: the Deployment's `spec.replicas` when the set was last scaled.
pub const ANN_DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
/// On a ReplicaSet: `replicas + maxSurge` when the set was last scaled.
pub const ANN_MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";

/// Condition reasons, as `deployment_util.go` spells them.
mod reason {
    pub const NEW_REPLICA_SET_CREATED: &str = "NewReplicaSetCreated";
    pub const FOUND_NEW_REPLICA_SET: &str = "FoundNewReplicaSet";
    pub const REPLICA_SET_UPDATED: &str = "ReplicaSetUpdated";
    pub const NEW_REPLICA_SET_AVAILABLE: &str = "NewReplicaSetAvailable";
    pub const PROGRESS_DEADLINE_EXCEEDED: &str = "ProgressDeadlineExceeded";
    pub const MINIMUM_REPLICAS_AVAILABLE: &str = "MinimumReplicasAvailable";
    pub const MINIMUM_REPLICAS_UNAVAILABLE: &str = "MinimumReplicasUnavailable";
    pub const DEPLOYMENT_PAUSED: &str = "DeploymentPaused";
    pub const DEPLOYMENT_RESUMED: &str = "DeploymentResumed";
}

/// The `pod-template-hash` of a template: fnv32a of its canonical JSON, as `rand.SafeEncodeString`
/// of the decimal value (`controller.ComputeHash`; upstream hashes a spew dump of the Go struct,
/// which has no Rust equivalent, so hashes differ from a real cluster's but look the same).
pub fn pod_template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut text = serde_json::to_string(template).unwrap_or_default();
    if let Some(count) = collision_count {
        text.push_str(&count.to_string());
    }
    super::statefulset::safe_hash(&text)
}

/// `{deployment}-{hash}`.
pub fn replica_set_name(deployment: &str, hash: &str) -> String {
    format!("{deployment}-{hash}")
}

/// `GetScaledValueFromIntOrPercent`.
fn scaled_value(value: Option<&IntOrString>, total: i32, round_up: bool) -> i32 {
    match value {
        None => 0,
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(text)) => {
            let percent: i64 = text.trim_end_matches('%').parse().unwrap_or(0);
            let product = percent * i64::from(total);
            let scaled = if round_up { (product + 99).div_euclid(100) } else { product.div_euclid(100) };
            i32::try_from(scaled).unwrap_or(0)
        }
    }
}

fn replicas_of(deployment: &Deployment) -> i32 {
    deployment.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn is_rolling_update(deployment: &Deployment) -> bool {
    deployment.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.type_.as_deref()) != Some("Recreate")
}

/// `ResolveFenceposts`: (maxSurge, maxUnavailable) for the Deployment's size; never both zero.
fn fenceposts(deployment: &Deployment) -> (i32, i32) {
    let rolling = deployment.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.rolling_update.as_ref());
    let replicas = replicas_of(deployment);
    let default = IntOrString::String("25%".to_string());
    let surge = scaled_value(Some(rolling.and_then(|r| r.max_surge.as_ref()).unwrap_or(&default)), replicas, true);
    let unavailable =
        scaled_value(Some(rolling.and_then(|r| r.max_unavailable.as_ref()).unwrap_or(&default)), replicas, false);
    if surge == 0 && unavailable == 0 { (0, 1) } else { (surge, unavailable) }
}

/// `MaxSurge`.
fn max_surge(deployment: &Deployment) -> i32 {
    if is_rolling_update(deployment) { fenceposts(deployment).0 } else { 0 }
}

/// `MaxUnavailable`.
fn max_unavailable(deployment: &Deployment) -> i32 {
    let replicas = replicas_of(deployment);
    if !is_rolling_update(deployment) || replicas == 0 {
        return 0;
    }
    fenceposts(deployment).1.min(replicas)
}

fn set_replicas(set: &ReplicaSet) -> i32 {
    set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn status_replicas(set: &ReplicaSet) -> i32 {
    set.status.as_ref().map_or(0, |s| s.replicas)
}

fn available_replicas(set: &ReplicaSet) -> i32 {
    set.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

fn revision_of(set: &ReplicaSet) -> i64 {
    annotation(&set.metadata, ANN_REVISION).and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn created_ms(meta: &ObjectMeta) -> u64 {
    meta.creation_timestamp.as_ref().map_or(SimTime::ZERO, SimTime::from_k8s_time).as_millis()
}

/// The template without the `pod-template-hash` label, for comparison (`EqualIgnoreHash`).
fn template_without_hash(template: Option<&PodTemplateSpec>) -> serde_json::Value {
    let mut template = template.cloned().unwrap_or_default();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(LABEL_POD_TEMPLATE_HASH);
    }
    if let Some(meta) = template.metadata.as_mut()
        && meta.labels.as_ref().is_some_and(BTreeMap::is_empty)
    {
        meta.labels = None;
    }
    serde_json::to_value(template).unwrap_or_default()
}

/// Annotations a ReplicaSet does not copy from its Deployment (`skipCopyAnnotation`).
fn skips_copy(key: &str) -> bool {
    matches!(key, ANN_LAST_APPLIED | ANN_REVISION | ANN_REVISION_HISTORY | ANN_DESIRED_REPLICAS | ANN_MAX_REPLICAS)
}

fn record(ctx: &mut Ctx<'_>, key: &ObjectKey, event_type: EventType, reason: &str, message: &str) {
    ctx.api.record_event(SOURCE, None, key, event_type, reason, message);
}

fn condition<'a>(status: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.iter().flatten().find(|c| c.type_ == type_)
}

fn new_condition(type_: &str, status: &str, reason: &str, message: String, now: SimTime) -> DeploymentCondition {
    DeploymentCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message),
        last_update_time: Some(now.to_k8s_time()),
        last_transition_time: Some(now.to_k8s_time()),
    }
}

/// `SetDeploymentCondition`: no change for the same status and reason; a changed condition moves to
/// the end, keeping its transition time when only the reason changed.
fn set_condition(status: &mut DeploymentStatus, mut new: DeploymentCondition) {
    if let Some(current) = condition(status, &new.type_) {
        if current.status == new.status && current.reason == new.reason {
            return;
        }
        if current.status == new.status {
            new.last_transition_time = current.last_transition_time.clone();
        }
    }
    remove_condition(status, &new.type_);
    status.conditions.get_or_insert_with(Vec::new).push(new);
}

fn remove_condition(status: &mut DeploymentStatus, type_: &str) {
    if let Some(conditions) = status.conditions.as_mut() {
        conditions.retain(|c| c.type_ != type_);
    }
}

impl Controller for DeploymentController {
    fn component(&self) -> Component {
        Component::DeploymentController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Deployment]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        let namespace = &change.key.namespace;
        let wake_by_prefix = |name: &str, out: &mut Vec<ObjectKey>| {
            for deployment in api.store().list_typed_in::<Deployment>(namespace) {
                let deployment_name = deployment.metadata.name.clone().unwrap_or_default();
                if name.starts_with(&format!("{deployment_name}-")) {
                    out.push(ObjectKey::namespaced(Kind::Deployment, namespace.clone(), deployment_name));
                }
            }
        };
        match change.key.kind {
            Kind::Deployment => out.push(change.key.clone()),
            Kind::ReplicaSet => match api.store().get_typed::<ReplicaSet>(namespace, &change.key.name) {
                Some(set) => {
                    if let Some(owner) = controller_of(&set.metadata).filter(|r| r.kind == "Deployment") {
                        out.push(ObjectKey::namespaced(Kind::Deployment, namespace.clone(), owner.name.clone()));
                    }
                }
                None => wake_by_prefix(&change.key.name, out),
            },
            // Recreate waits for old pods to be gone; a pod's removal wakes its Deployment.
            Kind::Pod if api.store().get(&change.key).is_none() => wake_by_prefix(&change.key.name, out),
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(deployment) = ctx.api.store().get_typed::<Deployment>(&key.namespace, &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        if deployment.metadata.deletion_timestamp.is_some() {
            // OBSERVATION: being deleted; the garbage collector takes the ReplicaSets.
            return Ok(Action::await_change());
        }
        let paused = deployment.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        sync_paused_condition(key, &deployment, paused, ctx)?;
        if paused || is_scaling_event(&deployment, ctx.api) {
            sync_scale(key, ctx)?;
            return sync_status(key, ctx, false);
        }
        if is_rolling_update(&deployment) { rollout_rolling(key, ctx) } else { rollout_recreate(key, ctx) }
    }
}

/// The ReplicaSets the Deployment controls, oldest first.
fn owned_sets(api: &ApiServer, deployment: &Deployment) -> Vec<ReplicaSet> {
    let namespace = deployment.metadata.namespace.clone().unwrap_or_default();
    let uid = deployment.metadata.uid.clone().unwrap_or_default();
    let mut sets: Vec<ReplicaSet> = api
        .store()
        .list_typed_in::<ReplicaSet>(&namespace)
        .filter(|s| controller_of(&s.metadata).is_some_and(|r| r.uid == uid))
        .cloned()
        .collect();
    sets.sort_by_key(|s| (created_ms(&s.metadata), s.metadata.name.clone()));
    sets
}

/// Splits owned sets into the new one (if any) and the old ones (`FindNewReplicaSet`, `FindOldReplicaSets`).
fn split_sets(deployment: &Deployment, sets: Vec<ReplicaSet>) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
    let wanted = template_without_hash(deployment.spec.as_ref().map(|s| &s.template));
    let mut new = None;
    let mut old = Vec::new();
    for set in sets {
        let template = template_without_hash(set.spec.as_ref().and_then(|s| s.template.as_ref()));
        if new.is_none() && template == wanted {
            new = Some(set);
        } else {
            old.push(set);
        }
    }
    (new, old)
}

fn is_scaling_event(deployment: &Deployment, api: &ApiServer) -> bool {
    let replicas = replicas_of(deployment).to_string();
    owned_sets(api, deployment)
        .iter()
        .filter(|s| set_replicas(s) > 0)
        .filter_map(|s| annotation(&s.metadata, ANN_DESIRED_REPLICAS))
        .any(|desired| desired != replicas)
}

/// The Deployment's sets after making sure the new one exists (when `create`) and carries the
/// current revision (`getAllReplicaSetsAndSyncRevision`).
fn sync_revision(
    key: &ObjectKey,
    ctx: &mut Ctx<'_>,
    create: bool,
) -> Result<(Deployment, Option<ReplicaSet>, Vec<ReplicaSet>), ReconcileError> {
    let deployment = fresh(key, ctx)?;
    let (new, old) = split_sets(&deployment, owned_sets(ctx.api, &deployment));
    let max_old_revision = old.iter().map(revision_of).max().unwrap_or(0);
    let new_revision = max_old_revision + 1;
    let new = match new {
        Some(set) => Some(sync_existing_new_set(key, &deployment, set, new_revision, ctx)?),
        None if create => Some(create_new_set(key, &deployment, &old, new_revision, ctx)?),
        None => None,
    };
    let deployment = fresh(key, ctx)?;
    Ok((deployment, new, old))
}

fn fresh(key: &ObjectKey, ctx: &Ctx<'_>) -> Result<Deployment, ReconcileError> {
    ctx.api
        .store()
        .get_typed::<Deployment>(&key.namespace, &key.name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(Kind::Deployment, &key.name).into())
}

/// Copies the Deployment's annotations and the new revision onto a set (`SetNewReplicaSetAnnotations`).
/// Returns whether anything changed.
fn set_new_set_annotations(deployment: &Deployment, set: &mut ReplicaSet, revision: i64, exists: bool) -> bool {
    let before = set.metadata.annotations.clone();
    let annotations = set.metadata.annotations.get_or_insert_with(BTreeMap::new);
    for (k, v) in deployment.metadata.annotations.iter().flatten() {
        if !skips_copy(k) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let old_revision: i64 = annotations.get(ANN_REVISION).and_then(|r| r.parse().ok()).unwrap_or(0);
    if old_revision < revision {
        if old_revision > 0 {
            let history = annotations.get(ANN_REVISION_HISTORY).cloned().unwrap_or_default();
            let history =
                if history.is_empty() { old_revision.to_string() } else { format!("{history},{old_revision}") };
            annotations.insert(ANN_REVISION_HISTORY.to_string(), history);
        }
        annotations.insert(ANN_REVISION.to_string(), revision.to_string());
    }
    if !exists {
        set_replicas_annotations(set, deployment);
    }
    set.metadata.annotations != before
}

/// Records the size a set was scaled for (`SetReplicasAnnotations`). Returns whether anything changed.
fn set_replicas_annotations(set: &mut ReplicaSet, deployment: &Deployment) -> bool {
    let desired = replicas_of(deployment);
    let max = desired + max_surge(deployment);
    let annotations = set.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let before = (annotations.get(ANN_DESIRED_REPLICAS).cloned(), annotations.get(ANN_MAX_REPLICAS).cloned());
    annotations.insert(ANN_DESIRED_REPLICAS.to_string(), desired.to_string());
    annotations.insert(ANN_MAX_REPLICAS.to_string(), max.to_string());
    before != (Some(desired.to_string()), Some(max.to_string()))
}

fn sync_existing_new_set(
    key: &ObjectKey,
    deployment: &Deployment,
    set: ReplicaSet,
    revision: i64,
    ctx: &mut Ctx<'_>,
) -> Result<ReplicaSet, ReconcileError> {
    let mut updated = set.clone();
    let annotations_changed = set_new_set_annotations(deployment, &mut updated, revision, true);
    let min_ready = deployment.spec.as_ref().and_then(|s| s.min_ready_seconds);
    let spec = updated.spec.get_or_insert_with(Default::default);
    let min_ready_changed = spec.min_ready_seconds != min_ready;
    spec.min_ready_seconds = min_ready;
    let set = if annotations_changed || min_ready_changed {
        let stored = ctx.api.update(Component::DeploymentController, updated.into_object())?;
        stored.as_typed::<ReplicaSet>().cloned().unwrap_or(set)
    } else {
        set
    };
    let set_revision = annotation(&set.metadata, ANN_REVISION).unwrap_or("").to_string();
    set_deployment_revision(key, &set_revision, ctx)?;
    let deployment = fresh(key, ctx)?;
    let status = deployment.status.clone().unwrap_or_default();
    if has_progress_deadline(&deployment) && condition(&status, "Progressing").is_none() {
        let name = set.metadata.name.clone().unwrap_or_default();
        let message = format!("Found new replica set {name:?}");
        let mut status = status;
        set_condition(
            &mut status,
            new_condition("Progressing", "True", reason::FOUND_NEW_REPLICA_SET, message, ctx.now()),
        );
        let mut deployment = deployment;
        deployment.status = Some(status);
        ctx.api.update_status(Component::DeploymentController, deployment.into_object())?;
    }
    Ok(set)
}

fn set_deployment_revision(key: &ObjectKey, revision: &str, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let mut deployment = fresh(key, ctx)?;
    if revision.is_empty() || annotation(&deployment.metadata, ANN_REVISION) == Some(revision) {
        return Ok(());
    }
    deployment
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(ANN_REVISION.to_string(), revision.to_string());
    ctx.api.update(Component::DeploymentController, deployment.into_object())?;
    Ok(())
}

fn has_progress_deadline(deployment: &Deployment) -> bool {
    deployment.spec.as_ref().and_then(|s| s.progress_deadline_seconds).is_some_and(|s| s != i32::MAX)
}

fn create_new_set(
    key: &ObjectKey,
    deployment: &Deployment,
    old: &[ReplicaSet],
    revision: i64,
    ctx: &mut Ctx<'_>,
) -> Result<ReplicaSet, ReconcileError> {
    let spec = deployment.spec.clone().unwrap_or_default();
    let collision_count = deployment.status.as_ref().and_then(|s| s.collision_count);
    let hash = pod_template_hash(&spec.template, collision_count);
    let name = replica_set_name(&key.name, &hash);
    let mut template = spec.template.clone();
    let template_meta = template.metadata.get_or_insert_with(Default::default);
    template_meta.labels.get_or_insert_with(BTreeMap::new).insert(LABEL_POD_TEMPLATE_HASH.to_string(), hash.clone());
    let labels = template_meta.labels.clone();
    let mut selector: LabelSelector = spec.selector.clone();
    selector.match_labels.get_or_insert_with(BTreeMap::new).insert(LABEL_POD_TEMPLATE_HASH.to_string(), hash);
    let mut set = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(key.namespace.clone()),
            labels,
            owner_references: Some(vec![controller_ref("apps/v1", "Deployment", &deployment.metadata)]),
            ..ObjectMeta::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(0),
            min_ready_seconds: spec.min_ready_seconds,
            selector,
            template: Some(template),
        }),
        status: None,
    };
    let mut all: Vec<ReplicaSet> = old.to_vec();
    all.push(set.clone());
    let replicas = new_set_replicas(deployment, &all, &set);
    set.spec.get_or_insert_with(Default::default).replicas = Some(replicas);
    set_new_set_annotations(deployment, &mut set, revision, false);
    let created = match ctx.api.create(Component::DeploymentController, set.into_object()) {
        Ok(created) => created.as_typed::<ReplicaSet>().cloned().unwrap_or_default(),
        Err(error) => {
            // OBSERVATION: a set with this name exists and is not ours or has another template: a hash
            // collision. Bump `collisionCount` so that the next attempt hashes differently.
            if error.reason == crate::api::StatusReason::AlreadyExists {
                let mut deployment = fresh(key, ctx)?;
                let status = deployment.status.get_or_insert_with(Default::default);
                status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
                ctx.api.update_status(Component::DeploymentController, deployment.into_object())?;
            } else {
                let message = format!("Failed to create new replica set {name:?}: {}", error.message);
                record(ctx, key, EventType::Warning, "ReplicaSetCreateError", &message);
            }
            return Err(error.into());
        }
    };
    if replicas > 0 {
        let message = format!("Scaled up replica set {name} from 0 to {replicas}");
        record(ctx, key, EventType::Normal, "ScalingReplicaSet", &message);
    }
    set_deployment_revision(key, &revision.to_string(), ctx)?;
    if has_progress_deadline(deployment) {
        let mut deployment = fresh(key, ctx)?;
        let status = deployment.status.get_or_insert_with(Default::default);
        let message = format!("Created new replica set {name:?}");
        set_condition(
            status,
            new_condition("Progressing", "True", reason::NEW_REPLICA_SET_CREATED, message, ctx.now()),
        );
        ctx.api.update_status(Component::DeploymentController, deployment.into_object())?;
    }
    Ok(created)
}

/// The size the new set may have now (`NewRSNewReplicas`).
fn new_set_replicas(deployment: &Deployment, all: &[ReplicaSet], new: &ReplicaSet) -> i32 {
    let replicas = replicas_of(deployment);
    if !is_rolling_update(deployment) {
        return replicas;
    }
    let current: i32 = all.iter().map(set_replicas).sum();
    let max_total = replicas + max_surge(deployment);
    if current >= max_total {
        return set_replicas(new);
    }
    let scale_up = (max_total - current).min(replicas - set_replicas(new));
    set_replicas(new) + scale_up
}

/// Resizes a set and records `ScalingReplicaSet` (`scaleReplicaSetAndRecordEvent`). Returns whether
/// the size changed.
fn scale_set(key: &ObjectKey, set: &ReplicaSet, size: i32, ctx: &mut Ctx<'_>) -> Result<bool, ReconcileError> {
    let deployment = fresh(key, ctx)?;
    let current = set_replicas(set);
    let stored = ctx
        .api
        .store()
        .get_typed::<ReplicaSet>(&key.namespace, set.metadata.name.as_deref().unwrap_or(""))
        .cloned()
        .unwrap_or_else(|| set.clone());
    let mut updated = stored;
    let annotations_changed = set_replicas_annotations(&mut updated, &deployment);
    if current == size && !annotations_changed {
        return Ok(false);
    }
    updated.spec.get_or_insert_with(Default::default).replicas = Some(size);
    ctx.api.update(Component::DeploymentController, updated.into_object())?;
    if current != size {
        let operation = if current < size { "up" } else { "down" };
        let name = set.metadata.name.clone().unwrap_or_default();
        let message = format!("Scaled {operation} replica set {name} from {current} to {size}");
        record(ctx, key, EventType::Normal, "ScalingReplicaSet", &message);
    }
    Ok(current != size)
}

fn refreshed(ctx: &Ctx<'_>, set: &ReplicaSet) -> ReplicaSet {
    let namespace = set.metadata.namespace.as_deref().unwrap_or("");
    let name = set.metadata.name.as_deref().unwrap_or("");
    ctx.api.store().get_typed::<ReplicaSet>(namespace, name).cloned().unwrap_or_else(|| set.clone())
}

/// A scaling event or a paused Deployment: resize without rolling (`sync` and `scale`).
fn sync_scale(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let (deployment, new, old) = sync_revision(key, ctx, false)?;
    let replicas = replicas_of(&deployment);
    let active: Vec<ReplicaSet> = new.iter().chain(old.iter()).filter(|s| set_replicas(s) > 0).cloned().collect();
    // OBSERVATION: one active set (or none): it takes the whole size.
    let single = match active.as_slice() {
        [] => new.clone().or_else(|| old.iter().max_by_key(|s| created_ms(&s.metadata)).cloned()),
        [only] => Some(only.clone()),
        _ => None,
    };
    if let Some(set) = single {
        scale_set(key, &set, replicas, ctx)?;
        return cleanup_if_complete(key, ctx);
    }
    // OBSERVATION: the new set is saturated: the old ones go to zero.
    let saturated = new.as_ref().is_some_and(|s| set_replicas(s) == replicas && available_replicas(s) == replicas);
    if saturated {
        for set in old.iter().filter(|s| set_replicas(s) > 0) {
            scale_set(key, set, 0, ctx)?;
        }
        return Ok(());
    }
    if is_rolling_update(&deployment) {
        scale_proportionally(key, &deployment, &active, ctx)?;
    } else {
        // OBSERVATION: Recreate never has two active sets for long; the rollout settles it.
    }
    Ok(())
}

/// Spreads a size change over the active sets in proportion to their sizes (`scale`, rolling case).
fn scale_proportionally(
    key: &ObjectKey,
    deployment: &Deployment,
    active: &[ReplicaSet],
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    let replicas = replicas_of(deployment);
    let allowed = if replicas > 0 { replicas + max_surge(deployment) } else { 0 };
    let current: i32 = active.iter().map(set_replicas).sum();
    let to_add = allowed - current;
    let mut sets = active.to_vec();
    // Larger first; newer first when scaling up, older first when scaling down.
    if to_add > 0 {
        sets.sort_by_key(|s| (std::cmp::Reverse(set_replicas(s)), std::cmp::Reverse(created_ms(&s.metadata))));
    } else {
        sets.sort_by_key(|s| (std::cmp::Reverse(set_replicas(s)), created_ms(&s.metadata)));
    }
    let status_replicas = deployment.status.as_ref().and_then(|s| s.replicas).unwrap_or(0);
    let mut added = 0;
    let mut sizes: Vec<i32> = Vec::new();
    for set in &sets {
        let size = set_replicas(set);
        let proportion = if size == 0 || to_add == 0 || to_add == added {
            0
        } else {
            let fraction = if replicas == 0 {
                -size
            } else {
                let annotated = annotation(&set.metadata, ANN_MAX_REPLICAS)
                    .and_then(|v| v.parse::<i32>().ok())
                    .unwrap_or(status_replicas)
                    .max(1);
                let scaled = f64::from(size) * f64::from(allowed) / f64::from(annotated);
                (scaled.round() as i32) - size
            };
            let remaining = to_add - added;
            if to_add > 0 { fraction.min(remaining) } else { fraction.max(remaining) }
        };
        added += proportion;
        sizes.push(size + proportion);
    }
    if let Some(first) = sizes.first_mut()
        && to_add != added
    {
        *first = (*first + to_add - added).max(0);
    }
    for (set, size) in sets.iter().zip(sizes) {
        scale_set(key, set, size.max(0), ctx)?;
    }
    Ok(())
}

/// `rolloutRolling`.
fn rollout_rolling(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let (deployment, new, old) = sync_revision(key, ctx, true)?;
    let Some(new) = new else { return sync_status(key, ctx, true) };
    // Scale up the new set, if the surge allows.
    let all: Vec<ReplicaSet> = old.iter().cloned().chain(std::iter::once(new.clone())).collect();
    let replicas = replicas_of(&deployment);
    let new_size = set_replicas(&new);
    let scaled_up = if new_size == replicas {
        false
    } else if new_size > replicas {
        scale_set(key, &new, replicas, ctx)?
    } else {
        scale_set(key, &new, new_set_replicas(&deployment, &all, &new), ctx)?
    };
    if scaled_up {
        return sync_status(key, ctx, true);
    }
    // Scale down old sets, as availability allows.
    if reconcile_old_sets(key, &deployment, &new, &old, ctx)? {
        return sync_status(key, ctx, true);
    }
    cleanup_if_complete(key, ctx)?;
    sync_status(key, ctx, true)
}

/// `reconcileOldReplicaSets`. Returns whether anything was scaled down.
fn reconcile_old_sets(
    key: &ObjectKey,
    deployment: &Deployment,
    new: &ReplicaSet,
    old: &[ReplicaSet],
    ctx: &mut Ctx<'_>,
) -> Result<bool, ReconcileError> {
    let old_count: i32 = old.iter().map(set_replicas).sum();
    if old_count == 0 {
        return Ok(false);
    }
    let new = refreshed(ctx, new);
    let all_count = old_count + set_replicas(&new);
    let min_available = replicas_of(deployment) - max_unavailable(deployment);
    let new_unavailable = set_replicas(&new) - available_replicas(&new);
    let max_scaled_down = all_count - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return Ok(false);
    }
    // Unhealthy old pods first: they would block the rollout otherwise (`cleanupUnhealthyReplicas`).
    let mut old: Vec<ReplicaSet> = old.to_vec();
    let mut cleaned = 0;
    for set in &mut old {
        if cleaned >= max_scaled_down {
            break;
        }
        let size = set_replicas(set);
        let unhealthy = size - available_replicas(set);
        if size == 0 || unhealthy <= 0 {
            continue;
        }
        let count = (max_scaled_down - cleaned).min(unhealthy);
        scale_set(key, set, size - count, ctx)?;
        cleaned += count;
        *set = refreshed(ctx, set);
    }
    // Then healthy ones, while enough pods stay available (`scaleDownOldReplicaSetsForRollingUpdate`).
    let available: i32 = old.iter().chain(std::iter::once(&new)).map(available_replicas).sum();
    let mut scaled = 0;
    if available > min_available {
        let total = available - min_available;
        for set in &old {
            if scaled >= total {
                break;
            }
            let size = set_replicas(set);
            if size == 0 {
                continue;
            }
            let count = size.min(total - scaled);
            scale_set(key, set, size - count, ctx)?;
            scaled += count;
        }
    }
    Ok(cleaned + scaled > 0)
}

/// `rolloutRecreate`.
fn rollout_recreate(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let (_, new, old) = sync_revision(key, ctx, false)?;
    let mut scaled_down = false;
    for set in old.iter().filter(|s| set_replicas(s) > 0) {
        scaled_down |= scale_set(key, set, 0, ctx)?;
    }
    if scaled_down {
        return sync_status(key, ctx, true);
    }
    // OBSERVATION: wait until no pod of an old set is left running (terminating ones included).
    let old_uids: Vec<String> = old.iter().filter_map(|s| s.metadata.uid.clone()).collect();
    let old_pods_running = ctx.api.store().list_typed_in::<Pod>(&key.namespace).any(|pod| {
        controller_of(&pod.metadata).is_some_and(|r| old_uids.contains(&r.uid))
            && !matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
    });
    if old_pods_running {
        return sync_status(key, ctx, true);
    }
    let new = match new {
        Some(set) => set,
        None => match sync_revision(key, ctx, true)?.1 {
            Some(set) => set,
            None => return sync_status(key, ctx, true),
        },
    };
    let deployment = fresh(key, ctx)?;
    if scale_set(key, &new, replicas_of(&deployment), ctx)? {
        return sync_status(key, ctx, true);
    }
    cleanup_if_complete(key, ctx)?;
    sync_status(key, ctx, true)
}

/// Deletes old, empty sets beyond `revisionHistoryLimit` once the rollout is complete
/// (`cleanupDeployment`).
fn cleanup_if_complete(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let deployment = fresh(key, ctx)?;
    let (new, old) = split_sets(&deployment, owned_sets(ctx.api, &deployment));
    let status = calculate_status(&deployment, new.as_ref(), &old, ctx.now());
    if !is_complete(&deployment, &status) {
        return Ok(());
    }
    let Some(limit) = deployment.spec.as_ref().and_then(|s| s.revision_history_limit) else { return Ok(()) };
    let mut cleanable: Vec<ReplicaSet> = old.into_iter().filter(|s| s.metadata.deletion_timestamp.is_none()).collect();
    let excess = i32::try_from(cleanable.len()).unwrap_or(i32::MAX) - limit;
    if excess <= 0 {
        return Ok(());
    }
    cleanable.sort_by_key(|s| (revision_of(s), created_ms(&s.metadata)));
    for set in cleanable.iter().take(usize::try_from(excess).unwrap_or(0)) {
        let observed = set.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0);
        if status_replicas(set) != 0 || set_replicas(set) != 0 || set.metadata.generation.unwrap_or(0) > observed {
            continue;
        }
        let set_key = ObjectKey::namespaced(
            Kind::ReplicaSet,
            key.namespace.clone(),
            set.metadata.name.clone().unwrap_or_default(),
        );
        ctx.api.delete(Component::DeploymentController, &set_key, DeleteOptions::default())?;
    }
    Ok(())
}

/// `calculateStatus`: counts summed over the sets, and the `Available` condition.
fn calculate_status(
    deployment: &Deployment,
    new: Option<&ReplicaSet>,
    old: &[ReplicaSet],
    now: SimTime,
) -> DeploymentStatus {
    let all: Vec<&ReplicaSet> = old.iter().chain(new).collect();
    let available: i32 = all.iter().map(|s| available_replicas(s)).sum();
    let total: i32 = all.iter().map(|s| set_replicas(s)).sum();
    let non_zero = |n: i32| (n != 0).then_some(n);
    let old_status = deployment.status.clone().unwrap_or_default();
    let mut status = DeploymentStatus {
        observed_generation: deployment.metadata.generation,
        replicas: non_zero(all.iter().map(|s| status_replicas(s)).sum()),
        updated_replicas: non_zero(new.map_or(0, status_replicas)),
        ready_replicas: non_zero(
            all.iter().map(|s| s.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)).sum(),
        ),
        available_replicas: non_zero(available),
        unavailable_replicas: non_zero((total - available).max(0)),
        collision_count: old_status.collision_count,
        conditions: old_status.conditions.clone(),
        terminating_replicas: None,
    };
    if available >= replicas_of(deployment) - max_unavailable(deployment) {
        let message = "Deployment has minimum availability.".to_string();
        set_condition(
            &mut status,
            new_condition("Available", "True", reason::MINIMUM_REPLICAS_AVAILABLE, message, now),
        );
    } else {
        let message = "Deployment does not have minimum availability.".to_string();
        set_condition(
            &mut status,
            new_condition("Available", "False", reason::MINIMUM_REPLICAS_UNAVAILABLE, message, now),
        );
    }
    status
}

/// `DeploymentComplete`.
fn is_complete(deployment: &Deployment, status: &DeploymentStatus) -> bool {
    let replicas = replicas_of(deployment);
    status.updated_replicas.unwrap_or(0) == replicas
        && status.replicas.unwrap_or(0) == replicas
        && status.available_replicas.unwrap_or(0) == replicas
        && status.observed_generation.unwrap_or(0) >= deployment.metadata.generation.unwrap_or(0)
}

/// `DeploymentProgressing`: more updated, ready or available pods, or fewer old ones.
fn is_progressing(old: &DeploymentStatus, new: &DeploymentStatus) -> bool {
    let n = |v: Option<i32>| v.unwrap_or(0);
    let old_old = n(old.replicas) - n(old.updated_replicas);
    let new_old = n(new.replicas) - n(new.updated_replicas);
    n(new.updated_replicas) > n(old.updated_replicas)
        || new_old < old_old
        || n(new.ready_replicas) > n(old.ready_replicas)
        || n(new.available_replicas) > n(old.available_replicas)
}

/// Writes status; with `rollout`, also the `Progressing` condition (`syncRolloutStatus`).
fn sync_status(key: &ObjectKey, ctx: &mut Ctx<'_>, rollout: bool) -> Result<Action, ReconcileError> {
    let deployment = fresh(key, ctx)?;
    let (new, old) = split_sets(&deployment, owned_sets(ctx.api, &deployment));
    let now = ctx.now();
    let mut status = calculate_status(&deployment, new.as_ref(), &old, now);
    let old_status = deployment.status.clone().unwrap_or_default();
    let paused = deployment.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
    let mut action = Action::await_change();
    if !has_progress_deadline(&deployment) {
        remove_condition(&mut status, "Progressing");
    }
    if rollout && has_progress_deadline(&deployment) && !paused {
        let current = condition(&old_status, "Progressing").cloned();
        let already_complete = status.replicas == status.updated_replicas
            && current.as_ref().is_some_and(|c| c.reason.as_deref() == Some(reason::NEW_REPLICA_SET_AVAILABLE));
        let subject = match new.as_ref() {
            Some(set) => format!("ReplicaSet {:?}", set.metadata.name.clone().unwrap_or_default()),
            None => format!("Deployment {:?}", key.name),
        };
        if already_complete {
            // OBSERVATION: a resync of a finished rollout; no progress to estimate.
        } else if is_complete(&deployment, &status) {
            let message = format!("{subject} has successfully progressed.");
            set_condition(
                &mut status,
                new_condition("Progressing", "True", reason::NEW_REPLICA_SET_AVAILABLE, message, now),
            );
        } else if is_progressing(&old_status, &status) {
            let message = format!("{subject} is progressing.");
            let mut progressing = new_condition("Progressing", "True", reason::REPLICA_SET_UPDATED, message, now);
            if let Some(current) = current.as_ref().filter(|c| c.status == "True") {
                progressing.last_transition_time = current.last_transition_time.clone();
            }
            remove_condition(&mut status, "Progressing");
            set_condition(&mut status, progressing);
        } else if let Some(current) = current.as_ref() {
            // OBSERVATION: no progress since the condition was last updated: time out at the deadline.
            let deadline = deployment.spec.as_ref().and_then(|s| s.progress_deadline_seconds).unwrap_or(600);
            let since = current.last_update_time.as_ref().map_or(now, SimTime::from_k8s_time);
            let at = since.plus(SimDuration::from_secs(u64::try_from(deadline).unwrap_or(0)));
            let timed_out = current.reason.as_deref() == Some(reason::PROGRESS_DEADLINE_EXCEEDED) || at <= now;
            if timed_out {
                let message = format!("{subject} has timed out progressing.");
                set_condition(
                    &mut status,
                    new_condition("Progressing", "False", reason::PROGRESS_DEADLINE_EXCEEDED, message, now),
                );
            } else {
                action = Action::requeue(at.since(now));
            }
        } else {
            // OBSERVATION: no Progressing condition yet; the next change sets one.
        }
    }
    if deployment.status.as_ref() != Some(&status) {
        let mut updated = deployment;
        updated.status = Some(status);
        ctx.api.update_status(Component::DeploymentController, updated.into_object())?;
    }
    Ok(action)
}

/// `checkPausedConditions`: `Progressing Unknown DeploymentPaused` while paused, and
/// `DeploymentResumed` once it is not.
fn sync_paused_condition(
    key: &ObjectKey,
    deployment: &Deployment,
    paused: bool,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    if !has_progress_deadline(deployment) {
        return Ok(());
    }
    let mut status = deployment.status.clone().unwrap_or_default();
    let current = condition(&status, "Progressing");
    let paused_now = current.is_some_and(|c| c.reason.as_deref() == Some(reason::DEPLOYMENT_PAUSED));
    let now = ctx.now();
    if paused && !paused_now {
        let message = "Deployment is paused".to_string();
        set_condition(&mut status, new_condition("Progressing", "Unknown", reason::DEPLOYMENT_PAUSED, message, now));
    } else if !paused && paused_now {
        let message = "Deployment is resumed".to_string();
        set_condition(&mut status, new_condition("Progressing", "Unknown", reason::DEPLOYMENT_RESUMED, message, now));
    } else {
        return Ok(());
    }
    let mut updated = fresh(key, ctx)?;
    updated.status = Some(status);
    ctx.api.update_status(Component::DeploymentController, updated.into_object())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(replicas: i32, surge: &str, unavailable: &str) -> Deployment {
        let mut deployment = Deployment::default();
        let spec = deployment.spec.get_or_insert_with(Default::default);
        spec.replicas = Some(replicas);
        let rolling =
            spec.strategy.get_or_insert_with(Default::default).rolling_update.get_or_insert_with(Default::default);
        rolling.max_surge = Some(IntOrString::String(surge.to_string()));
        rolling.max_unavailable = Some(IntOrString::String(unavailable.to_string()));
        deployment
    }

    #[test]
    fn fenceposts_should_round_surge_up_and_unavailable_down() {
        assert_eq!(fenceposts(&deployment(3, "25%", "25%")), (1, 0));
        assert_eq!(fenceposts(&deployment(10, "25%", "25%")), (3, 2));
        assert_eq!(fenceposts(&deployment(4, "0%", "0%")), (0, 1));
        assert_eq!(max_unavailable(&deployment(0, "25%", "25%")), 0);
    }

    #[test]
    fn hash_should_use_the_safe_alphabet_and_follow_the_template() {
        let template = PodTemplateSpec::default();
        let hash = pod_template_hash(&template, None);
        assert!(!hash.is_empty() && hash.len() <= 10, "{hash}");
        assert!(hash.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)), "{hash}");
        assert_ne!(hash, pod_template_hash(&template, Some(1)));
        assert_eq!(replica_set_name("web", &hash), format!("web-{hash}"));
    }

    #[test]
    fn changed_condition_should_move_to_the_end() {
        let mut status = DeploymentStatus::default();
        let now = SimTime::ZERO;
        set_condition(&mut status, new_condition("Progressing", "True", "A", "a".into(), now));
        set_condition(&mut status, new_condition("Available", "False", "B", "b".into(), now));
        set_condition(&mut status, new_condition("Progressing", "True", "C", "c".into(), now));
        let types: Vec<&str> = status.conditions.iter().flatten().map(|c| c.type_.as_str()).collect();
        assert_eq!(types, ["Available", "Progressing"]);
    }
}
