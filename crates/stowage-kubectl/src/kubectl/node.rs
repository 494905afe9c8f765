//! `kubectl cordon`, `uncordon` and `drain`.

use super::apply::DryRun;
use super::args::{FlagSpec, bool_flag, optional_flag, value_flag};
use super::resource::{self, Filter};
use super::{Ctx, Failure};
use serde_json::{Value, json};
use stowage_core::apiserver::{DeleteOptions, PatchType};
use stowage_core::{ApiError, Kind, Object, ObjectKey};

const CORDON_FLAGS: &[FlagSpec] = &[optional_flag("dry-run", "unchanged"), value_flag("selector", Some('l'))];

const DRAIN_FLAGS: &[FlagSpec] = &[
    optional_flag("dry-run", "unchanged"),
    value_flag("selector", Some('l')),
    bool_flag("force", None),
    bool_flag("ignore-daemonsets", None),
    bool_flag("delete-emptydir-data", None),
    bool_flag("delete-local-data", None),
    value_flag("grace-period", None),
    value_flag("timeout", None),
    value_flag("pod-selector", None),
    bool_flag("disable-eviction", None),
    value_flag("skip-wait-for-delete-timeout", None),
    value_flag("chunk-size", None),
    bool_flag("ignore-errors", None),
];

/// The nodes named by arguments or `-l`.
fn nodes(ctx: &mut Ctx<'_>, positionals: &[String], selector: Option<&str>) -> Result<Vec<ObjectKey>, Failure> {
    if !positionals.is_empty() && selector.is_some() {
        return Err(ctx.usage("error: cannot specify both a node name and a --selector option"));
    }
    if positionals.is_empty() && selector.is_none() {
        return Err(ctx.usage(format!("USAGE: {} NODE [flags]", ctx.command.trim_start_matches("kubectl "))));
    }
    if let Some(selector) = selector {
        let filter = Filter::new(ctx, Some(selector), None, &[Kind::Node])?;
        return Ok(resource::list(ctx, Kind::Node, None, &filter).iter().map(|o| o.key()).collect());
    }
    let mut keys = Vec::new();
    for name in positionals {
        let name = name.strip_prefix("node/").or_else(|| name.strip_prefix("nodes/")).unwrap_or(name);
        let key = ObjectKey::cluster(Kind::Node, name);
        if ctx.cluster.api().store().get(&key).is_none() {
            return Err(Failure::Api(ApiError::not_found(Kind::Node, name)));
        }
        keys.push(key);
    }
    Ok(keys)
}

fn is_unschedulable(object: &Object) -> bool {
    object.to_value().pointer("/spec/unschedulable").and_then(Value::as_bool).unwrap_or(false)
}

fn set_unschedulable(ctx: &mut Ctx<'_>, keys: &[ObjectKey], desired: bool, dry_run: DryRun) -> Result<(), Failure> {
    for key in keys {
        let Some(object) = ctx.cluster.api().store().get(key).cloned() else {
            continue;
        };
        let name = format!("node/{}", key.name);
        if is_unschedulable(&object) == desired {
            let word = if desired { "already cordoned" } else { "already uncordoned" };
            ctx.out.push_str(&format!("{name} {word}{}\n", dry_run.suffix()));
            continue;
        }
        if dry_run == DryRun::None {
            let value = if desired { json!(true) } else { Value::Null };
            ctx.cluster.patch(key, PatchType::Strategic, &json!({"spec": {"unschedulable": value}}))?;
        }
        let word = if desired { "cordoned" } else { "uncordoned" };
        ctx.out.push_str(&format!("{name} {word}{}\n", dry_run.suffix()));
    }
    Ok(())
}

/// `kubectl cordon` (`desired = true`) and `kubectl uncordon`.
pub fn cordon(ctx: &mut Ctx<'_>, args: &[String], desired: bool) -> Result<(), Failure> {
    let parsed = ctx.parse(args, CORDON_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let keys = nodes(ctx, &parsed.positionals, parsed.value("selector"))?;
    set_unschedulable(ctx, &keys, desired, dry_run)
}

fn controller_kind(object: &Object) -> Option<String> {
    object
        .meta()
        .owner_references
        .as_ref()
        .and_then(|refs| refs.iter().find(|r| r.controller == Some(true)))
        .map(|r| r.kind.clone())
}

fn has_local_storage(object: &Object) -> bool {
    object
        .to_value()
        .pointer("/spec/volumes")
        .and_then(Value::as_array)
        .is_some_and(|volumes| volumes.iter().any(|v| v.get("emptyDir").is_some()))
}

/// `kubectl drain`.
pub fn drain(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, DRAIN_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let force = parsed.bool("force").map_err(Failure::msg)?;
    let ignore_daemonsets = parsed.bool("ignore-daemonsets").map_err(Failure::msg)?;
    let delete_local = parsed.bool("delete-emptydir-data").map_err(Failure::msg)?
        || parsed.bool("delete-local-data").map_err(Failure::msg)?;
    let grace = parsed.int("grace-period").map_err(Failure::msg)?.filter(|g| *g >= 0);
    let keys = nodes(ctx, &parsed.positionals, parsed.value("selector"))?;
    set_unschedulable(ctx, &keys, true, dry_run)?;
    let mut fatal: Vec<String> = Vec::new();
    let mut remaining: Vec<String> = Vec::new();
    for key in &keys {
        let pods: Vec<Object> = ctx
            .cluster
            .api()
            .store()
            .list(Kind::Pod)
            .filter(|p| p.to_value().pointer("/spec/nodeName").and_then(Value::as_str) == Some(key.name.as_str()))
            .filter(|p| {
                !matches!(p.to_value().pointer("/status/phase").and_then(Value::as_str), Some("Succeeded" | "Failed"))
            })
            .cloned()
            .collect();
        let mut errors: Vec<(String, Vec<String>)> = Vec::new();
        let mut warnings: Vec<(String, Vec<String>)> = Vec::new();
        let mut to_delete: Vec<ObjectKey> = Vec::new();
        let note = |list: &mut Vec<(String, Vec<String>)>, message: &str, pod: &Object| {
            let name = format!("{}/{}", pod.namespace(), pod.name());
            match list.iter_mut().find(|(m, _)| m == message) {
                Some((_, pods)) => pods.push(name),
                None => list.push((message.to_string(), vec![name])),
            }
        };
        for pod in &pods {
            let controller = controller_kind(pod);
            if pod.meta().annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/config.mirror")) {
                continue;
            }
            if controller.as_deref() == Some("DaemonSet") {
                if ignore_daemonsets {
                    note(&mut warnings, "ignoring DaemonSet-managed Pods", pod);
                } else {
                    note(&mut errors, "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)", pod);
                }
                continue;
            }
            if has_local_storage(pod) {
                if delete_local {
                    note(&mut warnings, "deleting Pods with local storage", pod);
                } else {
                    note(&mut errors, "Pods with local storage (use --delete-emptydir-data to override)", pod);
                    continue;
                }
            }
            if controller.is_none() {
                if force {
                    note(&mut warnings, "deleting Pods that declare no controller", pod);
                } else {
                    note(&mut errors, "cannot delete Pods that declare no controller (use --force to override)", pod);
                    continue;
                }
            }
            to_delete.push(pod.key());
        }
        if !errors.is_empty() {
            let message =
                errors.iter().map(|(m, pods)| format!("cannot delete {m}: {}", pods.join(", "))).collect::<Vec<_>>();
            let text = if message.len() == 1 { message[0].clone() } else { format!("[{}]", message.join(", ")) };
            ctx.err.push_str(&format!(
                "error: unable to drain node \"{}\" due to error: {text}, continuing command...\n",
                key.name
            ));
            fatal.extend(message);
            remaining.push(key.name.clone());
            continue;
        }
        if !warnings.is_empty() {
            let text =
                warnings.iter().map(|(m, pods)| format!("{m}: {}", pods.join(", "))).collect::<Vec<_>>().join("; ");
            ctx.warn(&text);
        }
        for pod in &to_delete {
            if dry_run != DryRun::None {
                ctx.out.push_str(&format!("evicting pod {}/{}{}\n", pod.namespace, pod.name, dry_run.suffix()));
                continue;
            }
            ctx.out.push_str(&format!("evicting pod {}/{}\n", pod.namespace, pod.name));
            let _ = ctx.cluster.delete(pod, DeleteOptions { grace_period_seconds: grace, ..DeleteOptions::default() });
        }
        if dry_run == DryRun::None && !to_delete.is_empty() {
            ctx.cluster.settle();
            for pod in &to_delete {
                ctx.out.push_str(&format!("pod/{} evicted\n", pod.name));
            }
        }
        ctx.out.push_str(&format!("node/{} drained{}\n", key.name, dry_run.suffix()));
    }
    if !remaining.is_empty() {
        ctx.err.push_str("There are pending nodes to be drained:\n");
        for name in &remaining {
            ctx.err.push_str(&format!(" {name}\n"));
        }
        return super::get::finish(fatal.into_iter().map(Failure::msg).collect());
    }
    Ok(())
}
