//! `kubectl rollout status` and `kubectl rollout restart` for Deployments and StatefulSets, with
//! kubectl 1.34's status viewers' lines (`polymorphichelpers/rollout_status.go`) and the
//! `kubectl.kubernetes.io/restartedAt` template annotation of the object restarter.

use super::apply::{DryRun, print_result};
use super::args::{FlagSpec, bool_flag, optional_flag, value_flag};
use super::{Ctx, Failure, kind_of};
use serde_json::{Value, json};
use stowage_core::apiserver::PatchType;
use stowage_core::{ApiError, Kind, Object, ObjectKey, SimDuration};

const STATUS_FLAGS: &[FlagSpec] = &[
    bool_flag("watch", Some('w')),
    value_flag("timeout", None),
    value_flag("revision", None),
    value_flag("selector", Some('l')),
    values_flag_filename(),
];

const RESTART_FLAGS: &[FlagSpec] = &[
    optional_flag("dry-run", "unchanged"),
    value_flag("selector", Some('l')),
    value_flag("output", Some('o')),
    value_flag("field-manager", None),
    values_flag_filename(),
];

const fn values_flag_filename() -> FlagSpec {
    super::args::values_flag("filename", Some('f'), true)
}

/// The longest `rollout status` waits in simulated time when no `--timeout` is given.
const STATUS_WAIT_MAX_MS: u64 = 15 * 60 * 1000;

/// `kubectl rollout SUBCOMMAND`.
pub fn rollout(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let Some(sub) = args.first().filter(|a| !a.starts_with('-')) else {
        // A command group without its own Run: cobra prints the group's help.
        ctx.parse(args, super::info::PERMISSIVE)?;
        ctx.out.push_str(&super::info::command_help("rollout"));
        return Ok(());
    };
    let rest = &args[1..];
    ctx.command = format!("kubectl rollout {sub}");
    match sub.as_str() {
        "status" => status(ctx, rest),
        "restart" => restart(ctx, rest),
        "history" | "pause" | "resume" | "undo" => {
            ctx.parse(rest, super::info::PERMISSIVE)?;
            Err(Failure::msg(format!("\"kubectl rollout {sub}\" is not available in this playground yet")))
        }
        other => Err(Failure::msg(format!("unknown command \"{other}\" for \"kubectl rollout\""))),
    }
}

/// The one object `TYPE NAME` or `TYPE/NAME` names.
fn target(ctx: &Ctx<'_>, positionals: &[String], namespace: &str) -> Result<ObjectKey, Failure> {
    let (kind, name) = match positionals {
        [one] => match one.split_once('/') {
            Some((kind, name)) => (kind_of(kind)?, name.to_string()),
            None => return Err(Failure::msg("resource(s) were provided, but no name was specified")),
        },
        [kind, name] => (kind_of(kind)?, name.clone()),
        [] => return Err(Failure::msg("required resource not specified")),
        _ => return Err(Failure::msg("only one resource may be specified")),
    };
    let key = ObjectKey::namespaced(kind, namespace, &name);
    if ctx.cluster.api().store().get(&key).is_none() {
        return Err(Failure::Api(ApiError::not_found(kind, &name)));
    }
    Ok(key)
}

fn int(value: &Value, pointer: &str) -> i64 {
    value.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

/// The status viewer: (message, done).
fn rollout_status(object: &Object) -> Result<(String, bool), String> {
    let v = object.to_value();
    let name = object.name();
    match object.kind() {
        Kind::Deployment => {
            if int(&v, "/metadata/generation") > int(&v, "/status/observedGeneration") {
                return Ok(("Waiting for deployment spec update to be observed...\n".to_string(), false));
            }
            let timed_out = v.pointer("/status/conditions").and_then(Value::as_array).is_some_and(|c| {
                c.iter().any(|c| {
                    c["type"] == "Progressing"
                        && c.get("reason").and_then(Value::as_str) == Some("ProgressDeadlineExceeded")
                })
            });
            if timed_out {
                return Err(format!("deployment {name:?} exceeded its progress deadline"));
            }
            let updated = int(&v, "/status/updatedReplicas");
            let replicas = int(&v, "/status/replicas");
            let available = int(&v, "/status/availableReplicas");
            if let Some(desired) = v.pointer("/spec/replicas").and_then(Value::as_i64)
                && updated < desired
            {
                return Ok((
                    format!(
                        "Waiting for deployment {name:?} rollout to finish: {updated} out of {desired} new replicas have been updated...\n"
                    ),
                    false,
                ));
            }
            if replicas > updated {
                return Ok((
                    format!(
                        "Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...\n",
                        replicas - updated
                    ),
                    false,
                ));
            }
            if available < updated {
                return Ok((
                    format!(
                        "Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available...\n"
                    ),
                    false,
                ));
            }
            Ok((format!("deployment {name:?} successfully rolled out\n"), true))
        }
        Kind::StatefulSet => {
            if v.pointer("/spec/updateStrategy/type").and_then(Value::as_str) != Some("RollingUpdate") {
                return Err("rollout status is only available for RollingUpdate strategy type".to_string());
            }
            let observed = int(&v, "/status/observedGeneration");
            if observed == 0 || int(&v, "/metadata/generation") > observed {
                return Ok(("Waiting for statefulset spec update to be observed...\n".to_string(), false));
            }
            let desired = v.pointer("/spec/replicas").and_then(Value::as_i64);
            let ready = int(&v, "/status/readyReplicas");
            if let Some(desired) = desired
                && ready < desired
            {
                return Ok((format!("Waiting for {} pods to be ready...\n", desired - ready), false));
            }
            let updated = int(&v, "/status/updatedReplicas");
            if let Some(rolling) = v.pointer("/spec/updateStrategy/rollingUpdate").filter(|r| r.is_object()) {
                if let (Some(desired), Some(partition)) = (desired, rolling.get("partition").and_then(Value::as_i64))
                    && updated < desired - partition
                {
                    return Ok((
                        format!(
                            "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n",
                            desired - partition
                        ),
                        false,
                    ));
                }
                return Ok((format!("partitioned roll out complete: {updated} new pods have been updated...\n"), true));
            }
            let update_revision = v.pointer("/status/updateRevision").and_then(Value::as_str).unwrap_or("");
            let current_revision = v.pointer("/status/currentRevision").and_then(Value::as_str).unwrap_or("");
            if update_revision != current_revision {
                return Ok((
                    format!(
                        "waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}...\n"
                    ),
                    false,
                ));
            }
            Ok((
                format!(
                    "statefulset rolling update complete {} pods at revision {current_revision}...\n",
                    int(&v, "/status/currentReplicas")
                ),
                true,
            ))
        }
        other => Err(format!("no status viewer has been implemented for {}", other.info().name)),
    }
}

/// `kubectl rollout status`: prints the viewer's line at the start and at every change of the
/// object, until the rollout is done (or once with `--watch=false`).
fn status(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, STATUS_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let watch = if parsed.has("watch") { parsed.bool("watch").map_err(Failure::msg)? } else { true };
    let timeout_ms = match parsed.value("timeout") {
        Some(text) => super::workload::parse_duration(text)
            .ok_or_else(|| Failure::msg(format!("invalid argument \"{text}\" for \"--timeout\" flag")))?
            .max(0) as u64,
        None => 0,
    };
    let key = target(ctx, &parsed.positionals, &namespace)?;
    if !matches!(key.kind, Kind::Deployment | Kind::StatefulSet) {
        return Err(Failure::msg(format!("no status viewer has been implemented for {}", key.kind.info().name)));
    }
    let start = ctx.cluster.now().as_millis();
    let limit = if timeout_ms == 0 { STATUS_WAIT_MAX_MS } else { timeout_ms };
    let deadline = start.saturating_add(limit);
    let mut seen: Option<String> = None;
    for _ in 0..200_000 {
        let Some(object) = ctx.cluster.api().store().get(&key).cloned() else {
            return Err(Failure::Api(ApiError::not_found(key.kind, &key.name)));
        };
        let version = object.meta().resource_version.clone().unwrap_or_default();
        if seen.as_deref() != Some(version.as_str()) {
            seen = Some(version);
            let (message, done) = rollout_status(&object).map_err(Failure::msg)?;
            ctx.out.push_str(&message);
            if done || !watch {
                return Ok(());
            }
        }
        let now = ctx.cluster.now().as_millis();
        if now >= deadline {
            return Err(Failure::msg("timed out waiting for the condition"));
        }
        if ctx.cluster.is_settled() || ctx.cluster.step().is_none() {
            ctx.cluster.advance(SimDuration::from_millis((deadline - now).min(1000)));
        }
    }
    Err(Failure::msg("timed out waiting for the condition"))
}

/// `resource.Info.ObjectName()`: `deployments.apps/web`, `pods/bb`.
fn object_name(key: &ObjectKey) -> String {
    let info = key.kind.info();
    if info.group.is_empty() {
        format!("{}/{}", info.plural, key.name)
    } else {
        format!("{}.{}/{}", info.plural, info.group, key.name)
    }
}

/// `kubectl rollout restart`: a new `restartedAt` annotation on the pod template starts a rollout.
fn restart(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, RESTART_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let output = parsed.value("output").map(str::to_string);
    let key = target(ctx, &parsed.positionals, &namespace)?;
    let Some(object) = ctx.cluster.api().store().get(&key).cloned() else {
        return Err(Failure::Api(ApiError::not_found(key.kind, &key.name)));
    };
    match key.kind {
        Kind::Deployment => {
            if object.to_value().pointer("/spec/paused").and_then(Value::as_bool) == Some(true) {
                return Err(Failure::msg(format!(
                    "{} can't restart paused deployment (run rollout resume first)",
                    object_name(&key)
                )));
            }
        }
        Kind::StatefulSet => {}
        _ => {
            return Err(Failure::msg(format!("{} restarting is not supported", object_name(&key))));
        }
    }
    let at = ctx.cluster.now().rfc3339();
    let patch = json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}});
    if dry_run != DryRun::None {
        return print_result(ctx, &object, "restarted", dry_run, output.as_deref());
    }
    let after = ctx.cluster.patch(&key, PatchType::Strategic, &patch)?;
    print_result(ctx, &after, "restarted", dry_run, output.as_deref())
}

#[cfg(test)]
mod tests {
    use super::rollout_status;
    use stowage_core::{Kind, Object};

    fn object(kind: Kind, value: serde_json::Value) -> Object {
        Object::from_value_reporting_unknown(kind, value, &mut |_| {}).expect("object")
    }

    #[test]
    fn deployment_status_should_follow_the_viewer_order() {
        let deployment = |status: serde_json::Value| {
            object(
                Kind::Deployment,
                serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": "web", "generation": 2},
                    "spec": {"replicas": 3, "selector": {}, "template": {}}, "status": status}),
            )
        };
        let line = |status| rollout_status(&deployment(status)).unwrap();
        assert_eq!(
            line(serde_json::json!({"observedGeneration": 1})),
            ("Waiting for deployment spec update to be observed...\n".to_string(), false)
        );
        assert_eq!(
            line(serde_json::json!({"observedGeneration": 2, "replicas": 4, "updatedReplicas": 1})).0,
            "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n"
        );
        assert_eq!(
            line(serde_json::json!({"observedGeneration": 2, "replicas": 4, "updatedReplicas": 3})).0,
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n"
        );
        assert_eq!(
            line(serde_json::json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 1})).0,
            "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available...\n"
        );
        assert_eq!(
            line(
                serde_json::json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3})
            ),
            ("deployment \"web\" successfully rolled out\n".to_string(), true)
        );
    }

    #[test]
    fn statefulset_status_should_report_partitioned_roll_outs() {
        let sts = |status: serde_json::Value, partition: i64| {
            object(
                Kind::StatefulSet,
                serde_json::json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                    "metadata": {"name": "db", "generation": 1},
                    "spec": {"replicas": 3, "selector": {}, "serviceName": "db", "template": {},
                        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": partition}}},
                    "status": status}),
            )
        };
        let line = |status, partition| rollout_status(&sts(status, partition)).unwrap();
        assert_eq!(
            line(serde_json::json!({"observedGeneration": 1, "replicas": 3, "readyReplicas": 1}), 0).0,
            "Waiting for 2 pods to be ready...\n"
        );
        assert_eq!(
            line(
                serde_json::json!({"observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "updatedReplicas": 1}),
                1
            )
            .0,
            "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...\n"
        );
        assert_eq!(
            line(
                serde_json::json!({"observedGeneration": 1, "replicas": 3, "readyReplicas": 3, "updatedReplicas": 3}),
                0
            ),
            ("partitioned roll out complete: 3 new pods have been updated...\n".to_string(), true)
        );
    }
}
