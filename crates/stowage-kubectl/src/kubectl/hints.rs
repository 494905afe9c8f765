//! Teaching hints: short explanations shown beside kubectl's exact output where a learner would be
//! surprised (an unsupported field selector, a claim waiting for its first consumer, a typo in a
//! field name). Hints never change stdout or stderr.

use super::Ctx;
use serde_json::Value;
use stowage_core::api::well_known::FINALIZER_PVC_PROTECTION;
use stowage_core::apiserver::ApiServer;
use stowage_core::{ApiError, Kind, Object, ObjectKey};

/// After an unsupported field selector.
pub fn unsupported_field_selector(ctx: &mut Ctx<'_>, kind: Kind, selector: &str) {
    let info = kind.info();
    let supported: Vec<&str> = ["metadata.name", "metadata.namespace"]
        .into_iter()
        .filter(|f| *f == "metadata.name" || kind.is_namespaced())
        .collect();
    let field = selector.split(',').find_map(|part| {
        let field = part.split(['=', '!']).next().unwrap_or(part);
        (!stowage_core::api::selector::field_selector_supported(kind, field)).then(|| field.to_string())
    });
    let field = field.unwrap_or_default();
    let value = selector.split_once('=').map(|(_, v)| v.trim_start_matches('=')).unwrap_or("");
    let mut hint = format!(
        "{} only support field selectors on {}; the command fails on a real cluster too.",
        info.name.to_string() + "s",
        supported.join(" and ")
    );
    if field == "status.phase" && !value.is_empty() {
        hint.push_str(&format!(
            " Try: kubectl get {} | grep {value}",
            info.short_names.first().copied().unwrap_or(info.plural)
        ));
    } else {
        hint.push_str(&format!(
            " Try: kubectl get {} -o custom-columns=NAME:.metadata.name,FIELD:.{field}",
            info.plural
        ));
    }
    ctx.hint(hint);
}

/// After a `get` with selectors.
pub fn after_selector_get(ctx: &mut Ctx<'_>, kinds: &[Kind], field: Option<&str>, empty: bool) {
    let _ = (kinds, field, empty, &ctx);
}

/// The hint for a claim that waits for its first consumer, if it does.
pub fn hints_for_claim_pending(api: &ApiServer, claim: &Object) -> Option<String> {
    if claim.kind() != Kind::PersistentVolumeClaim {
        return None;
    }
    let value = claim.to_value();
    if value.pointer("/status/phase").and_then(Value::as_str) != Some("Pending") {
        return None;
    }
    if value.pointer("/spec/volumeName").and_then(Value::as_str).is_some_and(|v| !v.is_empty()) {
        return None;
    }
    let class_name = value
        .pointer("/spec/storageClassName")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| stowage_core::apiserver::default_storage_class_name(api.store()))?;
    if class_name.is_empty() {
        return None;
    }
    let class = api.store().get(&ObjectKey::cluster(Kind::StorageClass, class_name.as_str()));
    let Some(class) = class else {
        return Some(format!(
            "{} is Pending because StorageClass \"{class_name}\" does not exist; create it or change spec.storageClassName.",
            claim.name()
        ));
    };
    let mode =
        class.to_value().pointer("/volumeBindingMode").and_then(Value::as_str).unwrap_or("Immediate").to_string();
    if mode != "WaitForFirstConsumer" {
        return None;
    }
    let used = api.store().list_in(Kind::Pod, claim.namespace()).any(|pod| {
        pod.to_value().pointer("/spec/volumes").and_then(Value::as_array).is_some_and(|volumes| {
            volumes
                .iter()
                .any(|v| v.pointer("/persistentVolumeClaim/claimName").and_then(Value::as_str) == Some(claim.name()))
        })
    });
    if used {
        return None;
    }
    Some(format!(
        "{} stays Pending on purpose: StorageClass {class_name} uses volumeBindingMode: WaitForFirstConsumer, so nothing is provisioned until a pod that mounts the claim is scheduled. Create such a pod and the claim binds.",
        claim.name()
    ))
}

/// After `get` listed objects: explain surprising states.
pub fn after_get(ctx: &mut Ctx<'_>, keys: &[ObjectKey]) {
    let mut hints = Vec::new();
    for key in keys.iter().filter(|k| k.kind == Kind::PersistentVolumeClaim).take(20) {
        if let Some(claim) = ctx.cluster.api().store().get(key)
            && let Some(hint) = hints_for_claim_pending(ctx.cluster.api(), claim)
        {
            hints.push(hint);
        }
    }
    for hint in hints.into_iter().take(3) {
        ctx.hint(hint);
    }
}

/// After `describe`.
pub fn after_describe(ctx: &mut Ctx<'_>, key: &ObjectKey) {
    after_get(ctx, std::slice::from_ref(key));
}

/// After `create` or `apply` wrote an object: remembered until the command is done.
pub fn after_write(ctx: &mut Ctx<'_>, object: &Object) {
    ctx.written.push(object.key());
}

/// Once a command is done: explain claims it wrote that stay Pending after the cluster settled.
pub fn after_command(ctx: &mut Ctx<'_>) {
    let claims: Vec<ObjectKey> =
        ctx.written.iter().filter(|k| k.kind == Kind::PersistentVolumeClaim).cloned().collect();
    if claims.is_empty() {
        return;
    }
    for key in claims.iter().take(3) {
        if let Some(claim) = ctx.cluster.api().store().get(key).cloned()
            && let Some(hint) = hints_for_claim_pending(ctx.cluster.api(), &claim)
        {
            ctx.hint(hint);
        }
    }
}

/// After a patch that changed an object.
pub fn after_patch(ctx: &mut Ctx<'_>, before: &Object, after: &Object) {
    if before.kind() == Kind::PersistentVolumeClaim {
        let requested = |o: &Object| o.to_value().pointer("/spec/resources/requests/storage").cloned();
        if requested(before) != requested(after) {
            ctx.hint("Expanding a claim changes spec.resources.requests; status.capacity follows only once the resize finishes (and the class must allow expansion).");
        }
    }
}

/// After a patch the API server refused.
pub fn after_failed_patch(ctx: &mut Ctx<'_>, before: &Object, patch: &Value, error: &ApiError) {
    let _ = (before, patch);
    typo_hint(ctx, &error.message);
}

/// A field-name vocabulary for typo suggestions.
const FIELD_WORDS: &[&str] = &[
    "accessModes",
    "allowVolumeExpansion",
    "allowedTopologies",
    "annotations",
    "apiGroup",
    "apiVersion",
    "args",
    "capacity",
    "claimName",
    "claimRef",
    "command",
    "configMap",
    "containerPort",
    "containers",
    "csi",
    "dataSource",
    "dataSourceRef",
    "defaultMode",
    "deletionPolicy",
    "driver",
    "emptyDir",
    "env",
    "hostPath",
    "image",
    "items",
    "key",
    "kind",
    "labels",
    "limits",
    "matchExpressions",
    "matchLabels",
    "medium",
    "metadata",
    "mountOptions",
    "mountPath",
    "name",
    "namespace",
    "nfs",
    "nodeAffinity",
    "nodeName",
    "parameters",
    "path",
    "persistentVolumeClaim",
    "persistentVolumeClaimName",
    "persistentVolumeReclaimPolicy",
    "ports",
    "projected",
    "provisioner",
    "readOnly",
    "reclaimPolicy",
    "replicas",
    "requests",
    "resources",
    "restartPolicy",
    "secret",
    "secretName",
    "selector",
    "server",
    "serviceName",
    "sizeLimit",
    "source",
    "sources",
    "spec",
    "storage",
    "storageClassName",
    "subPath",
    "template",
    "terminationGracePeriodSeconds",
    "type",
    "value",
    "volumeBindingMode",
    "volumeClaimTemplates",
    "volumeHandle",
    "volumeMode",
    "volumeMounts",
    "volumeName",
    "volumeSnapshotClassName",
    "volumes",
];

/// Suggests the closest field for every `unknown field "a.b.c"` in an error text.
pub fn typo_hint(ctx: &mut Ctx<'_>, text: &str) {
    let mut rest = text;
    while let Some(start) = rest.find("unknown field \"") {
        let after = &rest[start + 15..];
        let Some(end) = after.find('"') else { break };
        let path = &after[..end];
        rest = &after[end..];
        let last = path.rsplit('.').next().unwrap_or(path);
        let last_plain = last.split('[').next().unwrap_or(last);
        let best = FIELD_WORDS
            .iter()
            .map(|w| (super::levenshtein(&last_plain.to_ascii_lowercase(), &w.to_ascii_lowercase()), *w))
            .min();
        if let Some((distance, word)) = best
            && distance <= 3
            && distance > 0
        {
            let fixed = match path.rsplit_once('.') {
                Some((parent, _)) => format!("{parent}.{word}"),
                None => word.to_string(),
            };
            ctx.hint(format!("\"{path}\" is not a field of this kind; did you mean \"{fixed}\"? The API server rejects unknown fields."));
        } else {
            ctx.hint(format!(
                "\"{path}\" is not a field of this kind; check its spelling and indentation with kubectl explain."
            ));
        }
    }
}

/// After a deleted object is still there once the cluster settled (a finalizer holds it).
pub fn deletion_blocked(ctx: &mut Ctx<'_>, key: &ObjectKey) {
    let Some(object) = ctx.cluster.api().store().get(key).cloned() else {
        return;
    };
    let finalizers = object.meta().finalizers.clone().unwrap_or_default();
    if finalizers.iter().any(|f| f == FINALIZER_PVC_PROTECTION) {
        let users: Vec<String> = ctx
            .cluster
            .api()
            .store()
            .list_in(Kind::Pod, &key.namespace)
            .filter(|pod| {
                pod.to_value().pointer("/spec/volumes").and_then(Value::as_array).is_some_and(|volumes| {
                    volumes.iter().any(|v| {
                        v.pointer("/persistentVolumeClaim/claimName").and_then(Value::as_str) == Some(key.name.as_str())
                    })
                })
            })
            .map(|pod| pod.name().to_string())
            .collect();
        if users.is_empty() {
            ctx.hint(format!(
                "{} is still Terminating: the kubernetes.io/pvc-protection finalizer keeps a claim until no pod uses it. A real kubectl would keep waiting here.",
                key.name
            ));
        } else {
            ctx.hint(format!(
                "{} is Terminating: the kubernetes.io/pvc-protection finalizer keeps a claim while a pod uses it (pod {}). A real kubectl would keep waiting here; delete the pod and the claim goes away.",
                key.name,
                users.join(", ")
            ));
        }
    } else if !finalizers.is_empty() {
        ctx.hint(format!(
            "{} is Terminating and waits for its finalizers ({}). A real kubectl would keep waiting here until they are removed.",
            key.name,
            finalizers.join(", ")
        ));
    }
}

/// When a pod is not running.
pub fn pod_not_running(ctx: &mut Ctx<'_>, key: &ObjectKey) {
    let Some(pod) = ctx.cluster.api().store().get(key) else {
        return;
    };
    let value = pod.to_value();
    let phase = value.pointer("/status/phase").and_then(Value::as_str).unwrap_or("Pending").to_string();
    let node = value.pointer("/spec/nodeName").and_then(Value::as_str).unwrap_or("").to_string();
    if node.is_empty() {
        ctx.hint(format!(
            "Pod {} is {phase} and not scheduled to a node yet; `kubectl describe pod {}` shows why (its events).",
            key.name, key.name
        ));
    } else {
        ctx.hint(format!("Pod {} is {phase} on {node}; its containers are not running.", key.name));
    }
}

/// After `wait` timed out.
pub fn wait_timed_out(ctx: &mut Ctx<'_>, key: &ObjectKey) {
    if key.kind == Kind::PersistentVolumeClaim
        && let Some(claim) = ctx.cluster.api().store().get(key).cloned()
        && let Some(hint) = hints_for_claim_pending(ctx.cluster.api(), &claim)
    {
        ctx.hint(hint);
    }
}
