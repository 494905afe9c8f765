//! The StatefulSet controller: stable pod names, per-pod claims, ordered start and stop.
//!
//! Design (`stateful_set_control.go`): identity is built in one place ([`pod_name`],
//! [`claim_name`]). Each reconcile looks at the set's pods by ordinal. Claims are created before
//! their pod and reused when they exist. With `OrderedReady` (the default) ordinals start one at a
//! time, each only after its predecessors are Running and Ready, and condemned pods (ordinal >=
//! replicas) go one at a time from the highest, each waited for until it is gone; `Parallel` does
//! both all at once. Rolling updates replace pods whose revision is not the update revision, from
//! the highest ordinal down to `partition`, one at a time. `persistentVolumeClaimRetentionPolicy`
//! sets claims' owner references: `whenDeleted: Delete` makes the set own every claim, `whenScaled:
//! Delete` makes a condemned pod own its claims. Status counts replicas, ready, current and updated
//! pods and names both revisions (`{set}-{hash}`, the pods' `controller-revision-hash` label).

use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::*;
use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::{ApiServer, DeleteOptions, EventType};
use crate::sim::Component;
use crate::store::Change;
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::BTreeMap;

/// The StatefulSet controller.
#[derive(Debug)]
pub struct StatefulSetController;

/// `{set}-{ordinal}`.
pub fn pod_name(set: &str, ordinal: i32) -> String {
    format!("{set}-{ordinal}")
}

/// `{template}-{set}-{ordinal}`.
pub fn claim_name(template: &str, set: &str, ordinal: i32) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// The ordinal of a pod of `set`, from its name.
pub fn ordinal_of(set: &str, pod: &str) -> Option<i32> {
    pod.strip_prefix(set)?.strip_prefix('-')?.parse().ok()
}

/// The revision name of the set's current template: `{set}-{hash}` (fnv32a of the template,
/// encoded with the alphabet of `rand.SafeEncodeString`).
pub fn revision_name(set: &StatefulSet) -> String {
    let template = serde_json::to_string(&set.spec.as_ref().map(|s| s.template.clone())).unwrap_or_default();
    format!("{}-{}", set.metadata.name.as_deref().unwrap_or(""), safe_hash(&template))
}

/// fnv32a of `text`, as `rand.SafeEncodeString` of its decimal form.
pub fn safe_hash(text: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash.to_string().bytes().map(|b| ALPHABET[usize::from(b) % ALPHABET.len()] as char).collect()
}

fn owner_of(set: &StatefulSet) -> OwnerReference {
    OwnerReference {
        api_version: "apps/v1".to_string(),
        kind: "StatefulSet".to_string(),
        name: set.metadata.name.clone().unwrap_or_default(),
        uid: set.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

fn is_running_and_ready(pod: &Pod) -> bool {
    let status = pod.status.as_ref();
    status.and_then(|s| s.phase.as_deref()) == Some("Running")
        && status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        && pod.metadata.deletion_timestamp.is_none()
}

fn is_finished(pod: &Pod) -> bool {
    matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

impl Controller for StatefulSetController {
    fn component(&self) -> Component {
        Component::StatefulSetController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::StatefulSet]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        match change.key.kind {
            Kind::StatefulSet => out.push(change.key.clone()),
            Kind::Pod => {
                // Owned pods wake their set; a deleted pod wakes every set whose name prefixes it.
                match api.store().get_typed::<Pod>(&change.key.namespace, &change.key.name) {
                    Some(pod) => {
                        for r in pod.metadata.owner_references.iter().flatten().filter(|r| r.kind == "StatefulSet") {
                            out.push(ObjectKey::namespaced(
                                Kind::StatefulSet,
                                change.key.namespace.clone(),
                                r.name.clone(),
                            ));
                        }
                    }
                    None => {
                        for set in api.store().list_typed_in::<StatefulSet>(&change.key.namespace) {
                            let name = set.metadata.name.clone().unwrap_or_default();
                            if ordinal_of(&name, &change.key.name).is_some() {
                                out.push(ObjectKey::namespaced(Kind::StatefulSet, change.key.namespace.clone(), name));
                            }
                        }
                    }
                }
            }
            Kind::PersistentVolumeClaim => {
                for set in api.store().list_typed_in::<StatefulSet>(&change.key.namespace) {
                    let name = set.metadata.name.clone().unwrap_or_default();
                    if change.key.name.contains(&format!("-{name}-")) {
                        out.push(ObjectKey::namespaced(Kind::StatefulSet, change.key.namespace.clone(), name));
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(set) = ctx.api.store().get_typed::<StatefulSet>(&key.namespace, &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        if set.metadata.deletion_timestamp.is_some() {
            return Ok(Action::await_change());
        }
        sync(key, &set, ctx)?;
        update_status(key, &set, ctx)?;
        Ok(Action::await_change())
    }
}

fn pods_of(api: &ApiServer, set: &StatefulSet) -> BTreeMap<i32, Pod> {
    let name = set.metadata.name.clone().unwrap_or_default();
    let uid = set.metadata.uid.clone().unwrap_or_default();
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    api.store()
        .list_typed_in::<Pod>(&namespace)
        .filter(|p| p.metadata.owner_references.iter().flatten().any(|r| r.uid == uid))
        .filter_map(|p| Some((ordinal_of(&name, p.metadata.name.as_deref()?)?, p.clone())))
        .collect()
}

fn record(ctx: &mut Ctx<'_>, key: &ObjectKey, event_type: EventType, reason: &str, message: &str) {
    ctx.api.record_event("statefulset-controller", None, key, event_type, reason, message);
}

fn sync(key: &ObjectKey, set: &StatefulSet, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let spec = set.spec.clone().unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(1);
    let start = spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0);
    let parallel = spec.pod_management_policy.as_deref() == Some("Parallel");
    let revision = revision_name(set);
    let pods = pods_of(ctx.api, set);
    // OBSERVATION: failed or finished pods are deleted and recreated.
    for (ordinal, pod) in &pods {
        if is_finished(pod) && pod.metadata.deletion_timestamp.is_none() {
            let name = pod_name(&key.name, *ordinal);
            ctx.api.delete(
                Component::StatefulSetController,
                &ObjectKey::namespaced(Kind::Pod, key.namespace.clone(), name.clone()),
                DeleteOptions::default(),
            )?;
            record(
                ctx,
                key,
                EventType::Normal,
                "SuccessfulDelete",
                &format!("delete Pod {name} in StatefulSet {} successful", key.name),
            );
            return Ok(());
        }
    }
    // Scale up (and replace missing pods) in ordinal order.
    for ordinal in start..start + replicas {
        match pods.get(&ordinal) {
            Some(pod) => {
                if !parallel && !is_running_and_ready(pod) {
                    // OBSERVATION: monotonic: wait for this ordinal before touching the next.
                    return Ok(());
                }
            }
            None => {
                create_pod(key, set, ordinal, &revision, ctx)?;
                if !parallel {
                    return Ok(());
                }
            }
        }
    }
    // Scale down from the highest ordinal.
    let condemned: Vec<(&i32, &Pod)> =
        pods.iter().filter(|(o, _)| **o < start || **o >= start + replicas).rev().collect();
    for (ordinal, pod) in condemned {
        if pod.metadata.deletion_timestamp.is_some() {
            if !parallel {
                return Ok(());
            }
            continue;
        }
        if !parallel && pods.values().any(|p| p.metadata.deletion_timestamp.is_some()) {
            return Ok(());
        }
        let name = pod_name(&key.name, *ordinal);
        claim_owner_for_scale_down(set, pod, *ordinal, ctx)?;
        ctx.api.delete(
            Component::StatefulSetController,
            &ObjectKey::namespaced(Kind::Pod, key.namespace.clone(), name.clone()),
            DeleteOptions::default(),
        )?;
        record(
            ctx,
            key,
            EventType::Normal,
            "SuccessfulDelete",
            &format!("delete Pod {name} in StatefulSet {} successful", key.name),
        );
        if !parallel {
            return Ok(());
        }
    }
    // Rolling update from the highest ordinal down to the partition.
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref() == Some("OnDelete") {
        return Ok(());
    }
    let partition = strategy.rolling_update.as_ref().and_then(|r| r.partition).unwrap_or(0);
    let pods = pods_of(ctx.api, set);
    if pods.values().any(|p| !is_running_and_ready(p)) {
        return Ok(());
    }
    for (ordinal, pod) in pods.iter().rev() {
        if *ordinal < partition || *ordinal >= start + replicas {
            continue;
        }
        let current = pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(LABEL_CONTROLLER_REVISION_HASH))
            .cloned()
            .unwrap_or_default();
        if current != revision {
            let name = pod_name(&key.name, *ordinal);
            ctx.api.delete(
                Component::StatefulSetController,
                &ObjectKey::namespaced(Kind::Pod, key.namespace.clone(), name.clone()),
                DeleteOptions::default(),
            )?;
            record(
                ctx,
                key,
                EventType::Normal,
                "SuccessfulDelete",
                &format!("delete Pod {name} in StatefulSet {} successful", key.name),
            );
            return Ok(());
        }
    }
    Ok(())
}

/// The claims of an ordinal, as `getPersistentVolumeClaims` builds them.
fn claims_for(set: &StatefulSet, ordinal: i32) -> Vec<PersistentVolumeClaim> {
    let spec = set.spec.clone().unwrap_or_default();
    let set_name = set.metadata.name.clone().unwrap_or_default();
    let selector = spec.selector.match_labels.clone().unwrap_or_default();
    spec.volume_claim_templates
        .unwrap_or_default()
        .into_iter()
        .map(|template| {
            let template_name = template.metadata.name.clone().unwrap_or_default();
            let mut labels = template.metadata.labels.clone().unwrap_or_default();
            labels.extend(selector.clone());
            PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(claim_name(&template_name, &set_name, ordinal)),
                    namespace: set.metadata.namespace.clone(),
                    labels: Some(labels),
                    annotations: template.metadata.annotations.clone(),
                    ..ObjectMeta::default()
                },
                spec: template.spec.clone(),
                status: None,
            }
        })
        .collect()
}

fn retention(set: &StatefulSet) -> (bool, bool) {
    let policy = set.spec.as_ref().and_then(|s| s.persistent_volume_claim_retention_policy.clone()).unwrap_or_default();
    (policy.when_deleted.as_deref() == Some("Delete"), policy.when_scaled.as_deref() == Some("Delete"))
}

fn create_pod(
    key: &ObjectKey,
    set: &StatefulSet,
    ordinal: i32,
    revision: &str,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    let name = pod_name(&key.name, ordinal);
    let (delete_with_set, _) = retention(set);
    let mut volumes = Vec::new();
    for mut claim in claims_for(set, ordinal) {
        let claim_name = claim.metadata.name.clone().unwrap_or_default();
        let template_name =
            claim_name.strip_suffix(&format!("-{}-{ordinal}", key.name)).unwrap_or(&claim_name).to_string();
        volumes.push(Volume {
            name: template_name,
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name.clone(),
                read_only: None,
            }),
            ..Volume::default()
        });
        match ctx.api.store().get_typed::<PersistentVolumeClaim>(&key.namespace, &claim_name) {
            Some(existing) if existing.metadata.deletion_timestamp.is_some() => {
                return Err(ReconcileError::Other(format!("pvc {claim_name} is being deleted")));
            }
            Some(_) => {}
            None => {
                if delete_with_set {
                    claim.metadata.owner_references = Some(vec![owner_of(set)]);
                }
                match ctx.api.create(Component::StatefulSetController, claim.into_object()) {
                    Ok(_) => record(
                        ctx,
                        key,
                        EventType::Normal,
                        "SuccessfulCreate",
                        &format!("create Claim {claim_name} Pod {name} in StatefulSet {} success", key.name),
                    ),
                    Err(error) => {
                        record(
                            ctx,
                            key,
                            EventType::Warning,
                            "FailedCreate",
                            &format!(
                                "create Claim {claim_name} for Pod {name} in StatefulSet {} failed error: {error}",
                                key.name
                            ),
                        );
                        return Err(error.into());
                    }
                }
            }
        }
    }
    let spec = set.spec.clone().unwrap_or_default();
    let template = spec.template.clone();
    let mut labels = template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    labels.insert(LABEL_STATEFULSET_POD_NAME.to_string(), name.clone());
    labels.insert(LABEL_POD_INDEX.to_string(), ordinal.to_string());
    labels.insert(LABEL_CONTROLLER_REVISION_HASH.to_string(), revision.to_string());
    let mut pod_spec = template.spec.clone().unwrap_or_default();
    pod_spec.hostname = Some(name.clone());
    if let Some(service) = spec.service_name.clone().filter(|s| !s.is_empty()) {
        pod_spec.subdomain = Some(service);
    }
    let mut all_volumes: Vec<Volume> = pod_spec.volumes.take().unwrap_or_default();
    all_volumes.retain(|v| !volumes.iter().any(|c| c.name == v.name));
    all_volumes.extend(volumes);
    pod_spec.volumes = Some(all_volumes);
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(key.namespace.clone()),
            labels: Some(labels),
            annotations: template.metadata.as_ref().and_then(|m| m.annotations.clone()),
            owner_references: Some(vec![owner_of(set)]),
            ..ObjectMeta::default()
        },
        spec: Some(pod_spec),
        status: None,
    };
    match ctx.api.create(Component::StatefulSetController, pod.into_object()) {
        Ok(_) => {
            record(
                ctx,
                key,
                EventType::Normal,
                "SuccessfulCreate",
                &format!("create Pod {name} in StatefulSet {} successful", key.name),
            );
            Ok(())
        }
        Err(error) => {
            record(
                ctx,
                key,
                EventType::Warning,
                "FailedCreate",
                &format!("create Pod {name} in StatefulSet {} failed error: {error}", key.name),
            );
            Err(error.into())
        }
    }
}

/// `whenScaled: Delete`: a condemned pod owns its claims, so they go with it.
fn claim_owner_for_scale_down(
    set: &StatefulSet,
    pod: &Pod,
    ordinal: i32,
    ctx: &mut Ctx<'_>,
) -> Result<(), ReconcileError> {
    let (_, delete_on_scale) = retention(set);
    if !delete_on_scale {
        return Ok(());
    }
    let namespace = set.metadata.namespace.clone().unwrap_or_default();
    for template in claims_for(set, ordinal) {
        let name = template.metadata.name.clone().unwrap_or_default();
        let Some(mut claim) = ctx.api.store().get_typed::<PersistentVolumeClaim>(&namespace, &name).cloned() else {
            continue;
        };
        let reference = OwnerReference {
            api_version: "v1".to_string(),
            kind: "Pod".to_string(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        };
        claim.metadata.owner_references = Some(vec![reference]);
        ctx.api.update(Component::StatefulSetController, claim.into_object())?;
    }
    Ok(())
}

fn update_status(key: &ObjectKey, set: &StatefulSet, ctx: &mut Ctx<'_>) -> Result<(), ReconcileError> {
    let Some(current) = ctx.api.store().get_typed::<StatefulSet>(&key.namespace, &key.name).cloned() else {
        return Ok(());
    };
    let pods = pods_of(ctx.api, set);
    let revision = revision_name(set);
    let old = current.status.clone().unwrap_or_default();
    let current_revision = match old.current_revision.clone() {
        Some(r)
            if pods.values().any(|p| {
                p.metadata.labels.as_ref().and_then(|l| l.get(LABEL_CONTROLLER_REVISION_HASH)) == Some(&r)
            }) =>
        {
            r
        }
        _ => revision.clone(),
    };
    let live: Vec<&Pod> = pods.values().collect();
    let with_revision = |r: &str| {
        live.iter()
            .filter(|p| {
                p.metadata.labels.as_ref().and_then(|l| l.get(LABEL_CONTROLLER_REVISION_HASH)).map(String::as_str)
                    == Some(r)
            })
            .count() as i32
    };
    let ready = live.iter().filter(|p| is_running_and_ready(p)).count() as i32;
    let updated = with_revision(&revision);
    let all_updated =
        updated == live.len() as i32 && updated == set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let status = StatefulSetStatus {
        observed_generation: set.metadata.generation,
        replicas: live.len() as i32,
        ready_replicas: Some(ready),
        current_replicas: Some(if all_updated { updated } else { with_revision(&current_revision) }),
        updated_replicas: Some(updated),
        available_replicas: Some(ready),
        current_revision: Some(if all_updated { revision.clone() } else { current_revision }),
        update_revision: Some(revision),
        collision_count: Some(0),
        conditions: old.conditions.clone(),
    };
    if Some(&status) == current.status.as_ref() {
        return Ok(());
    }
    let mut updated_set = current;
    updated_set.status = Some(status);
    ctx.api.update_status(Component::StatefulSetController, updated_set.into_object())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_should_follow_the_controller() {
        assert_eq!(pod_name("postgres", 2), "postgres-2");
        assert_eq!(claim_name("data", "postgres", 0), "data-postgres-0");
        assert_eq!(ordinal_of("web", "web-12"), Some(12));
        assert_eq!(ordinal_of("web", "webby-1"), None);
        assert!(safe_hash("x").chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
    }
}
