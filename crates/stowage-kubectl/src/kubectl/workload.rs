//! `kubectl run`, `exec`, `logs` and `wait`.
//!
//! The simulated cluster does not run container processes yet: `exec` and `logs` answer as a real
//! cluster answers for a pod whose containers are not running, and `run --attach` times out waiting.

use super::apply::{DryRun, print_result};
use super::args::{FlagSpec, bool_flag, optional_flag, value_flag, values_flag};
use super::resource::{self, SelectOptions, name_with_kind};
use super::{Ctx, Failure};
use k8s_openapi::api::core::v1::{Container, EnvVar, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::collections::BTreeMap;
use stowage_core::api::{StatusReason, Typed};
use stowage_core::apiserver::DeleteOptions;
use stowage_core::kubelet::api::ContainerError;
use stowage_core::{ApiError, Kind, Object, ObjectKey, SimDuration};

/// Parses a Go duration (`30s`, `1m30s`, `500ms`, `2h`); a bare number is seconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(seconds.saturating_mul(1000));
    }
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut total_ms: f64 = 0.0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ns" => 0.000_001,
            "us" | "µs" => 0.001,
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => return None,
        };
        total_ms += number * factor;
        rest = &rest[unit_len..];
    }
    let ms = total_ms as i64;
    Some(if negative { -ms } else { ms })
}

const RUN_FLAGS: &[FlagSpec] = &[
    value_flag("image", None),
    value_flag("restart", None),
    bool_flag("rm", None),
    bool_flag("stdin", Some('i')),
    bool_flag("tty", Some('t')),
    bool_flag("attach", None),
    bool_flag("command", None),
    values_flag("env", None, false),
    values_flag("annotations", None, false),
    value_flag("labels", Some('l')),
    value_flag("port", None),
    bool_flag("expose", None),
    value_flag("image-pull-policy", None),
    value_flag("output", Some('o')),
    optional_flag("dry-run", "unchanged"),
    value_flag("overrides", None),
    value_flag("override-type", None),
    bool_flag("quiet", Some('q')),
    bool_flag("privileged", None),
    value_flag("pod-running-timeout", None),
    bool_flag("save-config", None),
    value_flag("field-manager", None),
    bool_flag("leave-stdin-open", None),
    optional_flag("cascade", "background"),
    value_flag("grace-period", None),
    value_flag("timeout", None),
    bool_flag("wait", None),
    bool_flag("force", None),
    values_flag("filename", Some('f'), true),
    bool_flag("recursive", Some('R')),
    value_flag("kustomize", Some('k')),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
];

/// `kubectl run NAME --image=IMAGE [-- ARGS]`.
/// Applies `kubectl run --overrides` to the generated pod: a JSON merge patch by default
/// (`--override-type` json, merge or strategic, as `cmdutil.Merge` and friends do).
fn run_overrides(pod: Object, text: &str, override_type: &str) -> Result<Object, Failure> {
    use stowage_core::apiserver::{PatchType, apply_patch};
    let patch_type = match override_type {
        "merge" => PatchType::Merge,
        "strategic" => PatchType::Strategic,
        "json" => PatchType::Json,
        other => return Err(Failure::msg(format!("invalid override type: {other}"))),
    };
    let patch: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Failure::msg(format!("error: invalid JSON Patch: {e}")))?;
    let merged = apply_patch(&pod.to_value(), &patch, patch_type).map_err(Failure::msg)?;
    Object::from_value_reporting_unknown(pod.kind(), merged, &mut |_| {}).map_err(|e| Failure::msg(e.to_string()))
}

pub fn run(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, RUN_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let namespace = ctx.namespace(&parsed);
    let Some(name) = parsed.positionals.first().cloned() else {
        return Err(ctx.usage("NAME is required for run"));
    };
    let image = parsed.value("image").unwrap_or("").to_string();
    if image.is_empty() {
        return Err(Failure::msg("--image is required"));
    }
    if image.contains(char::is_whitespace) || image.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(Failure::msg(format!("Invalid image name \"{image}\": invalid reference format")));
    }
    let interactive = parsed.bool("stdin").map_err(Failure::msg)?;
    let tty = parsed.bool("tty").map_err(Failure::msg)?;
    let remove = parsed.bool("rm").map_err(Failure::msg)?;
    let attach = parsed.bool_or("attach", interactive).map_err(Failure::msg)?;
    if tty && !interactive {
        return Err(ctx.usage("-i/--stdin is required for containers with -t/--tty=true"));
    }
    if remove && !attach {
        return Err(ctx.usage("--rm should only be used for attached containers"));
    }
    if dry_run != DryRun::None && attach {
        return Err(ctx.usage(
            "--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
        ));
    }
    let restart = match parsed.value("restart").unwrap_or("Always") {
        "" | "Always" => "Always",
        "OnFailure" => "OnFailure",
        "Never" => "Never",
        other => return Err(ctx.usage(format!("invalid restart policy: {other}"))),
    };
    let mut extra: Vec<String> = parsed.positionals[1..].to_vec();
    if let Some(after) = &parsed.after_dash {
        extra.extend(after.iter().cloned());
    }
    let use_command = parsed.bool("command").map_err(Failure::msg)?;
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    match parsed.value("labels") {
        Some(text) => {
            for pair in text.split(',').filter(|p| !p.is_empty()) {
                let Some((k, v)) = pair.split_once('=') else {
                    return Err(Failure::msg(format!("invalid label spec: {pair}")));
                };
                labels.insert(k.to_string(), v.to_string());
            }
        }
        None => {
            labels.insert("run".to_string(), name.clone());
        }
    }
    let mut annotations = BTreeMap::new();
    for pair in parsed.values("annotations") {
        if let Some((k, v)) = pair.split_once('=') {
            annotations.insert(k.to_string(), v.to_string());
        }
    }
    let env: Vec<EnvVar> = parsed
        .values("env")
        .iter()
        .filter_map(|pair| {
            pair.split_once('=').map(|(k, v)| EnvVar {
                name: k.to_string(),
                value: Some(v.to_string()),
                ..EnvVar::default()
            })
        })
        .collect();
    let mut container = Container {
        name: name.clone(),
        image: Some(image.clone()),
        resources: Some(Default::default()),
        env: if env.is_empty() { None } else { Some(env) },
        image_pull_policy: parsed.value("image-pull-policy").map(str::to_string),
        ..Container::default()
    };
    if !extra.is_empty() {
        if use_command {
            container.command = Some(extra);
        } else {
            container.args = Some(extra);
        }
    }
    if attach {
        container.stdin = Some(interactive);
        container.stdin_once = Some(interactive);
        container.tty = Some(tty);
    }
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(namespace.clone()),
            labels: Some(labels),
            annotations: if annotations.is_empty() { None } else { Some(annotations) },
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers: vec![container],
            restart_policy: Some(restart.to_string()),
            dns_policy: Some("ClusterFirst".to_string()),
            ..PodSpec::default()
        }),
        ..Pod::default()
    };
    let output = parsed.value("output").map(str::to_string);
    let pod = match parsed.value("overrides") {
        Some(text) => run_overrides(pod.into_object(), text, parsed.value("override-type").unwrap_or("merge"))?,
        None => pod.into_object(),
    };
    if dry_run != DryRun::None {
        return print_result(ctx, &pod, "created", dry_run, output.as_deref());
    }
    let created = ctx.cluster.create(pod)?;
    if !attach {
        return print_result(ctx, &created, "created", dry_run, output.as_deref());
    }
    // Attach: wait for the pod to run (the default --pod-running-timeout is one minute).
    let key = created.key();
    let timeout_ms = parsed.value("pod-running-timeout").and_then(parse_duration).unwrap_or(60_000).max(0);
    let running = wait_until_key(ctx, &key, timeout_ms, |object| {
        object.is_some_and(|o| matches!(pod_phase(o).as_str(), "Running" | "Succeeded" | "Failed"))
    });
    let result = if running {
        if interactive && tty {
            ctx.err.push_str("If you don't see a command prompt, try pressing enter.\n");
        }
        ctx.cluster.settle();
        let lines = ctx.cluster.container_logs(&namespace, &name, Some(&name), false).unwrap_or_default();
        for line in &lines {
            ctx.out.push_str(&line.text);
        }
        let phase = ctx.cluster.api().store().get(&key).map(pod_phase).unwrap_or_default();
        if phase == "Failed" && restart != "Always" {
            Err(Failure::msg(format!("pod {namespace}/{name} terminated (Error)")))
        } else {
            Ok(())
        }
    } else {
        super::hints::pod_not_running(ctx, &key);
        Err(Failure::msg("timed out waiting for the condition"))
    };
    if remove {
        ctx.cluster.settle();
        if ctx.cluster.delete(&key, DeleteOptions::default()).is_ok() {
            ctx.out.push_str(&format!("pod \"{name}\" deleted from {namespace} namespace\n"));
            ctx.cluster.settle();
        }
    }
    result
}

fn pod_phase(object: &Object) -> String {
    object.to_value().pointer("/status/phase").and_then(Value::as_str).unwrap_or("").to_string()
}

/// Steps the cluster (then lets simulated time pass) until `done` holds for the watched object or `timeout_ms` elapses.
fn wait_until_key(
    ctx: &mut Ctx<'_>,
    key: &ObjectKey,
    timeout_ms: i64,
    mut done: impl FnMut(Option<&Object>) -> bool,
) -> bool {
    let deadline = ctx.cluster.now().as_millis().saturating_add(timeout_ms.max(0) as u64);
    for _ in 0..200_000 {
        if done(ctx.cluster.api().store().get(key)) {
            return true;
        }
        let now = ctx.cluster.now().as_millis();
        if now >= deadline {
            return false;
        }
        if !ctx.cluster.is_settled() {
            if ctx.cluster.step().is_none() {
                ctx.cluster.advance(SimDuration::from_millis((deadline - now).min(1000)));
            }
        } else {
            ctx.cluster.advance(SimDuration::from_millis((deadline - now).min(1000)));
        }
    }
    false
}

const EXEC_FLAGS: &[FlagSpec] = &[
    value_flag("container", Some('c')),
    bool_flag("stdin", Some('i')),
    bool_flag("tty", Some('t')),
    bool_flag("quiet", Some('q')),
    values_flag("filename", Some('f'), true),
    value_flag("pod-running-timeout", None),
];

/// Finds the pod a target names: `POD`, `pod/POD`, or a workload (`deployment/x`, `sts/x`) whose first pod is used.
fn target_pod(ctx: &mut Ctx<'_>, target: &str, namespace: &str) -> Result<ObjectKey, Failure> {
    target_pods(ctx, target, namespace).map(|(key, _)| key)
}

/// [`target_pod`], with how many pods the workload selected (`kubectl logs` says `Found N pods`).
fn target_pods(ctx: &mut Ctx<'_>, target: &str, namespace: &str) -> Result<(ObjectKey, usize), Failure> {
    let (kind, name) = match target.split_once('/') {
        Some((kind, name)) => (super::kind_of(kind)?, name.to_string()),
        None => (Kind::Pod, target.to_string()),
    };
    let key = resource::key(kind, namespace, &name);
    let Some(object) = ctx.cluster.api().store().get(&key).cloned() else {
        return Err(Failure::Api(ApiError::not_found(kind, &name)));
    };
    if kind == Kind::Pod {
        return Ok((key, 1));
    }
    let selector = object.to_value().pointer("/spec/selector/matchLabels").cloned().unwrap_or(Value::Null);
    let Some(selector) = selector.as_object().filter(|s| !s.is_empty()).cloned() else {
        return Err(Failure::msg(format!(
            "cannot attach to {}: selector for {} not implemented",
            name_with_kind(kind, &name),
            kind.info().name
        )));
    };
    let pods: Vec<&Object> = ctx
        .cluster
        .api()
        .store()
        .list_in(Kind::Pod, namespace)
        .filter(|pod| {
            let labels = pod.meta().labels.clone().unwrap_or_default();
            selector.iter().all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str())
        })
        .collect();
    // kubectl takes the most active pod (podutils.ActivePods): scheduled, running, ready, then oldest.
    let rank = |pod: &Object| {
        let value = pod.to_value();
        let scheduled = value.pointer("/spec/nodeName").is_some_and(|n| n.as_str().is_some_and(|n| !n.is_empty()));
        let running = value.pointer("/status/phase").and_then(Value::as_str) == Some("Running");
        let ready = value
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"));
        let created = pod.meta().creation_timestamp.as_ref().map(|t| t.0.as_second()).unwrap_or(i64::MAX);
        (!scheduled, !running, !ready, created)
    };
    let count = pods.len();
    match pods.into_iter().min_by_key(|pod| rank(pod)) {
        Some(pod) => Ok((pod.key(), count)),
        None => Err(Failure::msg(format!("no pods found for {}", name_with_kind(kind, &name)))),
    }
}

/// Picks the container, printing kubectl's `Defaulted container` note when there are several.
fn pick_container(ctx: &mut Ctx<'_>, pod: &Pod, requested: Option<&str>, for_logs: bool) -> Result<String, Failure> {
    let names: Vec<String> =
        pod.spec.as_ref().map(|s| s.containers.iter().map(|c| c.name.clone()).collect()).unwrap_or_default();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    match requested {
        Some(name) => {
            if names.iter().any(|n| n == name) {
                Ok(name.to_string())
            } else {
                if for_logs {
                    Err(Failure::Api(ApiError::new(
                        StatusReason::BadRequest,
                        format!("container {name} is not valid for pod {pod_name}"),
                    )))
                } else {
                    Err(Failure::msg(format!("container {name} not found in pod {pod_name}")))
                }
            }
        }
        None => {
            let Some(first) = names.first().cloned() else {
                return Err(Failure::msg(format!("pod {pod_name} does not have any containers")));
            };
            if names.len() > 1 {
                ctx.err.push_str(&format!("Defaulted container \"{first}\" out of: {}\n", names.join(", ")));
            }
            Ok(first)
        }
    }
}

/// The exit code `Cluster::exec` reports for a command interrupted while it waits (128 + SIGINT).
const INTERRUPTED_EXIT_CODE: i32 = 130;

/// `kubectl exec`.
pub fn exec(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, EXEC_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let Some(target) = parsed.positionals.first().cloned() else {
        return Err(ctx.usage("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead"));
    };
    if parsed.positionals.len() > 1 {
        return Err(Failure::msg("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead"));
    }
    let command = parsed.after_dash.clone().unwrap_or_default();
    if command.is_empty() {
        return Err(ctx.usage("you must specify at least one command for the container"));
    }
    let key = target_pod(ctx, &target, &namespace)?;
    let Some(pod) = ctx.cluster.api().store().get(&key).and_then(|o| o.as_typed::<Pod>()).cloned() else {
        return Err(Failure::Api(ApiError::not_found(Kind::Pod, &key.name)));
    };
    let container = pick_container(ctx, &pod, parsed.value("container"), false)?;
    match ctx.cluster.exec(&key.namespace, &key.name, Some(&container), &command) {
        Ok(output) => {
            ctx.out.push_str(&output.stdout);
            ctx.err.push_str(&output.stderr);
            if output.exit_code != 0 {
                // 130 is the playground's Ctrl-C: a command still waiting when the cluster settled. Real kubectl
                // dies of the signal and prints nothing; the shell's `$?` is still 130. (ExecOutput does not tell
                // an interrupt from a command that itself exits 130, which kubectl would report.)
                if output.exit_code != INTERRUPTED_EXIT_CODE {
                    ctx.err.push_str(&format!("command terminated with exit code {}\n", output.exit_code));
                }
                return Err(Failure::Exit(output.exit_code));
            }
            Ok(())
        }
        Err(error) => {
            super::hints::pod_not_running(ctx, &key);
            Err(container_failure(error))
        }
    }
}

/// kubectl's rendering of the data plane's refusals.
fn container_failure(error: ContainerError) -> Failure {
    let message = error.to_string();
    match error {
        ContainerError::PodNotFound(name) => Failure::Api(ApiError::not_found(Kind::Pod, &name)),
        ContainerError::NotScheduled { .. } | ContainerError::Waiting { .. } | ContainerError::NoPrevious { .. } => {
            Failure::Api(ApiError::new(StatusReason::BadRequest, message))
        }
        ContainerError::Completed { .. }
        | ContainerError::NotRunning { .. }
        | ContainerError::ContainerNotFound { .. } => Failure::msg(message),
    }
}

const LOGS_FLAGS: &[FlagSpec] = &[
    bool_flag("follow", Some('f')),
    value_flag("tail", None),
    value_flag("container", Some('c')),
    bool_flag("previous", Some('p')),
    value_flag("since", None),
    value_flag("since-time", None),
    bool_flag("timestamps", None),
    bool_flag("all-containers", None),
    bool_flag("all-pods", None),
    value_flag("selector", Some('l')),
    bool_flag("prefix", None),
    value_flag("max-log-requests", None),
    value_flag("limit-bytes", None),
    bool_flag("ignore-errors", None),
    value_flag("pod-running-timeout", None),
    bool_flag("insecure-skip-tls-verify-backend", None),
];

/// `kubectl logs` options that shape the output.
#[derive(Clone, Debug, Default)]
struct LogOptions {
    previous: bool,
    tail: Option<i64>,
    timestamps: bool,
    follow: bool,
    prefix: bool,
}

/// `kubectl logs`: one pod (`POD`, `TYPE/NAME`) or every pod a selector matches (`-l`).
pub fn logs(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, LOGS_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let selector = parsed.value("selector").map(str::to_string);
    let all_containers = parsed.bool("all-containers").map_err(Failure::msg)?;
    let mut options = LogOptions {
        previous: parsed.bool("previous").map_err(Failure::msg)?,
        tail: parsed.int("tail").map_err(Failure::msg)?,
        timestamps: parsed.bool("timestamps").map_err(Failure::msg)?,
        follow: parsed.bool("follow").map_err(Failure::msg)?,
        prefix: parsed.bool("prefix").map_err(Failure::msg)?,
    };
    let max_requests = match parsed.value("max-log-requests") {
        Some(text) => text.parse::<i64>().map_err(|_| {
            Failure::msg(format!("invalid argument \"{text}\" for \"--max-log-requests\" flag: strconv.ParseInt: parsing \"{text}\": invalid syntax"))
        })?,
        None => 5,
    };
    if max_requests < 1 {
        return Err(Failure::msg("--max-log-requests must be greater than 0"));
    }
    if all_containers && parsed.has("container") {
        return Err(Failure::msg("--container cannot be used with --all-containers"));
    }
    let mut targets: Vec<(ObjectKey, Option<String>)> = Vec::new();
    match (parsed.positionals.as_slice(), &selector) {
        ([_, ..], Some(_)) => return Err(Failure::msg("only a selector (-l) or a POD name is allowed")),
        ([], Some(selector)) => {
            // With a selector kubectl shows the last 10 lines of each container unless --tail says otherwise.
            if options.tail.is_none() {
                options.tail = Some(10);
            }
            let filter = resource::Filter::new(ctx, Some(selector), None, &[Kind::Pod])?;
            let pods: Vec<ObjectKey> =
                resource::list(ctx, Kind::Pod, Some(&namespace), &filter).into_iter().map(Object::key).collect();
            if pods.is_empty() {
                ctx.err.push_str(&format!("No resources found in {namespace} namespace.\n"));
                return Ok(());
            }
            for key in pods {
                targets.push((key, parsed.value("container").map(str::to_string)));
            }
        }
        ([], None) => return Err(ctx.usage("expected POD_NAME or TYPE/NAME argument")),
        ([target], None) => {
            let key = logs_target(ctx, target, &namespace)?;
            targets.push((key, parsed.value("container").map(str::to_string)));
        }
        ([target, container], None) if !parsed.has("container") => {
            let key = logs_target(ctx, target, &namespace)?;
            targets.push((key, Some(container.clone())));
        }
        _ => return Err(ctx.usage("expected POD_NAME or TYPE/NAME argument")),
    }
    // Resolve each pod's containers: the named one, all of them, or the default.
    let mut requests: Vec<(ObjectKey, String)> = Vec::new();
    for (key, container) in targets {
        let Some(pod) = ctx.cluster.api().store().get(&key).and_then(|o| o.as_typed::<Pod>()).cloned() else {
            return Err(Failure::Api(ApiError::not_found(Kind::Pod, &key.name)));
        };
        if all_containers {
            let spec = pod.spec.clone().unwrap_or_default();
            for c in spec.init_containers.unwrap_or_default().iter().chain(spec.containers.iter()) {
                requests.push((key.clone(), c.name.clone()));
            }
        } else {
            let name = pick_container(ctx, &pod, container.as_deref(), true)?;
            requests.push((key, name));
        }
    }
    if options.follow && requests.len() > 1 && requests.len() as i64 > max_requests {
        return Err(Failure::msg(format!(
            "you are attempting to follow {} log streams, but maximum allowed concurrency is {max_requests}, use --max-log-requests to increase the limit",
            requests.len()
        )));
    }
    if options.follow {
        // `-f` follows until the cluster has nothing more to do.
        ctx.cluster.settle();
        ctx.hint("kubectl logs -f keeps following on a real cluster; the playground prints what was logged until the cluster settled.");
    }
    for (key, container) in requests {
        logs_of(ctx, &key, &container, &options)?;
    }
    Ok(())
}

/// The pod `kubectl logs TYPE/NAME` reads, with its `Found N pods, using pod/NAME` note.
fn logs_target(ctx: &mut Ctx<'_>, target: &str, namespace: &str) -> Result<ObjectKey, Failure> {
    let (key, count) = target_pods(ctx, target, namespace)?;
    if count > 1 {
        ctx.err.push_str(&format!("Found {count} pods, using pod/{}\n", key.name));
    }
    Ok(key)
}

fn logs_of(ctx: &mut Ctx<'_>, key: &ObjectKey, container: &str, options: &LogOptions) -> Result<(), Failure> {
    let lines = match ctx.cluster.container_logs(&key.namespace, &key.name, Some(container), options.previous) {
        Ok(lines) => lines,
        Err(error) => {
            super::hints::pod_not_running(ctx, key);
            return Err(container_failure(error));
        }
    };
    let skip = match options.tail {
        Some(tail) if tail >= 0 => lines.len().saturating_sub(usize::try_from(tail).unwrap_or(usize::MAX)),
        _ => 0,
    };
    for line in &lines[skip..] {
        if options.prefix {
            ctx.out.push_str(&format!("[pod/{}/{container}] ", key.name));
        }
        if options.timestamps {
            ctx.out.push_str(&line.at.rfc3339());
            ctx.out.push(' ');
        }
        ctx.out.push_str(&line.text);
    }
    Ok(())
}

const DEBUG_FLAGS: &[FlagSpec] = &[
    bool_flag("stdin", Some('i')),
    bool_flag("tty", Some('t')),
    value_flag("image", None),
    value_flag("container", Some('c')),
    value_flag("profile", None),
    bool_flag("quiet", Some('q')),
    bool_flag("attach", None),
    values_flag("env", None, false),
    value_flag("image-pull-policy", None),
    value_flag("target", None),
    value_flag("copy-to", None),
    bool_flag("replace", None),
    bool_flag("same-node", None),
    values_flag("set-image", None, true),
    bool_flag("share-processes", None),
    value_flag("custom", None),
    bool_flag("keep-annotations", None),
    bool_flag("keep-labels", None),
    bool_flag("keep-liveness", None),
    bool_flag("keep-readiness", None),
    bool_flag("keep-startup", None),
    bool_flag("keep-init-containers", None),
    values_flag("filename", Some('f'), true),
];

/// `kubectl debug node/NAME -it --image=IMAGE [-- COMMAND]`: a pod on the node with its root
/// filesystem at `/host` (the legacy profile), attached like `kubectl run -it`.
pub fn debug(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    use k8s_openapi::api::core::v1::{HostPathVolumeSource, Toleration, Volume, VolumeMount};
    let parsed = ctx.parse(args, DEBUG_FLAGS)?;
    let interactive = parsed.bool("stdin").map_err(Failure::msg)?;
    let tty = parsed.bool("tty").map_err(Failure::msg)?;
    let attach = parsed.bool_or("attach", interactive).map_err(Failure::msg)?;
    let image = parsed.value("image").unwrap_or("").to_string();
    let Some(target) = parsed.positionals.first().cloned() else {
        return Err(Failure::msg("NAME or filename is required for debug"));
    };
    if image.is_empty() {
        return Err(Failure::msg(if attach {
            "you must specify --container or create a new container using --image in order to attach."
        } else {
            "you must specify --image, --set-image or command arguments."
        }));
    }
    if tty && !interactive {
        return Err(Failure::msg("-i/--stdin is required for containers with -t/--tty=true"));
    }
    let node = match target.split_once('/') {
        Some(("node" | "nodes" | "no", name)) => name.to_string(),
        _ => {
            return Err(Failure::msg(
                "debugging pods is not available in this playground yet; try kubectl debug node/NAME",
            ));
        }
    };
    if ctx.cluster.api().store().get(&ObjectKey::cluster(Kind::Node, node.as_str())).is_none() {
        return Err(Failure::Api(ApiError::not_found(Kind::Node, &node)));
    }
    let profile = parsed.value("profile").unwrap_or("legacy");
    if profile == "legacy" {
        ctx.err.push_str("--profile=legacy is deprecated and will be removed in the future. It is recommended to explicitly specify a profile, for example \"--profile=general\".\n");
    }
    let container_name = parsed.value("container").unwrap_or("debugger").to_string();
    let command = parsed.after_dash.clone().unwrap_or_default();
    let labels: BTreeMap<String, String> =
        [("app.kubernetes.io/managed-by".to_string(), "kubectl-debug".to_string())].into();
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("node-debugger-{node}-")),
            namespace: Some(ctx.namespace(&parsed)),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: container_name.clone(),
                image: Some(image),
                stdin: Some(interactive),
                tty: Some(tty),
                termination_message_policy: Some("File".to_string()),
                command: if command.is_empty() { None } else { Some(command) },
                volume_mounts: Some(vec![VolumeMount {
                    name: "host-root".to_string(),
                    mount_path: "/host".to_string(),
                    ..VolumeMount::default()
                }]),
                ..Container::default()
            }],
            node_name: Some(node.clone()),
            restart_policy: Some("Never".to_string()),
            host_network: Some(true),
            host_pid: Some(true),
            host_ipc: Some(true),
            tolerations: Some(vec![Toleration { operator: Some("Exists".to_string()), ..Toleration::default() }]),
            volumes: Some(vec![Volume {
                name: "host-root".to_string(),
                host_path: Some(HostPathVolumeSource { path: "/".to_string(), type_: Some(String::new()) }),
                ..Volume::default()
            }]),
            ..PodSpec::default()
        }),
        ..Pod::default()
    };
    let created = ctx.cluster.create(pod.into_object())?;
    let key = created.key();
    if !parsed.bool("quiet").unwrap_or(false) {
        ctx.out.push_str(&format!(
            "Creating debugging pod {} with container {container_name} on node {node}.\n",
            key.name
        ));
    }
    if !attach {
        return Ok(());
    }
    let running = wait_until_key(ctx, &key, 60_000, |object| {
        object.is_some_and(|o| matches!(pod_phase(o).as_str(), "Running" | "Succeeded" | "Failed"))
    });
    if !running {
        super::hints::pod_not_running(ctx, &key);
        return Err(Failure::msg("timed out waiting for the condition"));
    }
    if interactive && tty {
        ctx.err.push_str("If you don't see a command prompt, try pressing enter.\n");
    }
    ctx.cluster.settle();
    let lines = ctx.cluster.container_logs(&key.namespace, &key.name, Some(&container_name), false).unwrap_or_default();
    for line in &lines {
        ctx.out.push_str(&line.text);
    }
    Ok(())
}

const WAIT_FLAGS: &[FlagSpec] = &[
    values_flag("for", None, false),
    value_flag("timeout", None),
    value_flag("selector", Some('l')),
    value_flag("field-selector", None),
    bool_flag("all", None),
    bool_flag("all-namespaces", Some('A')),
    values_flag("filename", Some('f'), true),
    bool_flag("recursive", Some('R')),
    value_flag("kustomize", Some('k')),
    value_flag("output", Some('o')),
    bool_flag("local", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
];

/// What `--for` asks for.
enum Condition {
    Delete,
    Create,
    Status { name: String, value: String },
    JsonPath { path: String, value: Option<String> },
}

fn parse_condition(text: &str) -> Result<Condition, Failure> {
    let lower = text.to_ascii_lowercase();
    if lower == "delete" {
        return Ok(Condition::Delete);
    }
    if lower == "create" {
        return Ok(Condition::Create);
    }
    if let Some(rest) = text.strip_prefix("condition=") {
        let (name, value) = match rest.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => (rest.to_string(), "true".to_string()),
        };
        return Ok(Condition::Status { name, value });
    }
    if let Some(rest) = text.strip_prefix("jsonpath=") {
        let (path, value) = if let Some(close) = rest.rfind('}') {
            let (path, tail) = rest.split_at(close + 1);
            match tail.strip_prefix('=') {
                Some(value) => (path.to_string(), Some(value.to_string())),
                None if tail.is_empty() => (path.to_string(), None),
                None => {
                    return Err(Failure::msg(
                        "jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'",
                    ));
                }
            }
        } else {
            match rest.split_once('=') {
                Some((path, value)) => (path.to_string(), Some(value.to_string())),
                None => (rest.to_string(), None),
            }
        };
        if path.is_empty() {
            return Err(Failure::msg("jsonpath expression cannot be empty"));
        }
        return Ok(Condition::JsonPath { path, value });
    }
    Err(Failure::msg(format!("unrecognized condition: \"{text}\"")))
}

fn json_path_value(object: &Object, path: &str) -> Option<Value> {
    let inner = path.trim().trim_start_matches('{').trim_end_matches('}').trim_start_matches('.');
    let mut value = object.to_value();
    for part in inner.split('.').filter(|p| !p.is_empty()) {
        let (field, index) = match part.split_once('[') {
            Some((field, rest)) => (field, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        value = value.get(field)?.clone();
        if let Some(index) = index {
            value = value.get(index)?.clone();
        }
    }
    Some(value)
}

fn condition_met(object: &Object, condition: &Condition) -> bool {
    match condition {
        Condition::Delete => false,
        Condition::Create => true,
        Condition::Status { name, value } => {
            let conditions = object.to_value().pointer("/status/conditions").cloned().unwrap_or(Value::Null);
            conditions.as_array().is_some_and(|list| {
                list.iter().any(|c| {
                    c.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case(name))
                        && c.get("status").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(value))
                })
            })
        }
        Condition::JsonPath { path, value } => match (json_path_value(object, path), value) {
            (Some(found), Some(expected)) => {
                let text = match &found {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                text == *expected
            }
            (Some(found), None) => !found.is_null(),
            (None, _) => false,
        },
    }
}

/// `kubectl wait`.
pub fn wait(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, WAIT_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let Some(for_text) = parsed.values("for").last().cloned() else {
        return Err(Failure::msg("--for must be specified"));
    };
    let condition = parse_condition(&for_text)?;
    let timeout_ms = match parsed.value("timeout") {
        Some(text) => match parse_duration(text) {
            Some(ms) if ms < 0 => 7 * 24 * 3_600_000,
            Some(ms) => ms,
            None => {
                return Err(Failure::msg(format!(
                    "invalid argument \"{text}\" for \"--timeout\" flag: time: invalid duration \"{text}\""
                )));
            }
        },
        None => 30_000,
    };
    let filenames = parsed.values("filename");
    let all = parsed.bool("all").map_err(Failure::msg)?;
    if parsed.positionals.is_empty() && filenames.is_empty() {
        return Err(Failure::msg(
            "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        ));
    }
    let is_delete = matches!(condition, Condition::Delete);
    let is_create = matches!(condition, Condition::Create);
    if is_create {
        // Poll until the named objects exist.
        let requests = resource::parse_args(&parsed.positionals)?;
        let keys: Vec<ObjectKey> =
            requests.iter().flat_map(|r| r.names.iter().map(|n| resource::key(r.kind, &namespace, n))).collect();
        for key in &keys {
            if !wait_until_key(ctx, key, timeout_ms, |o| o.is_some()) {
                return Err(Failure::msg("timed out waiting for the condition"));
            }
        }
    }
    let options = SelectOptions {
        args: &parsed.positionals,
        filenames: &filenames,
        recursive: parsed.bool("recursive").unwrap_or(false),
        label: parsed.value("selector"),
        field: parsed.value("field-selector"),
        all,
        all_namespaces: parsed.bool("all-namespaces").unwrap_or(false),
        namespace: &namespace,
        explicit_namespace: parsed.namespace().is_some(),
        verb: "waiting",
    };
    let selection = resource::select(ctx, &options)?;
    let mut failures: Vec<Failure> = selection.failures;
    if is_delete {
        failures.retain(|f| !matches!(f, Failure::Api(e) if e.reason == StatusReason::NotFound));
        // A named object that is already gone is skipped silently, as kubectl's visitor ignores NotFound.
    }
    if let Some(first) = failures.into_iter().next() {
        return Err(first);
    }
    if selection.keys.is_empty() && !is_delete {
        return Err(Failure::msg("no matching resources found"));
    }
    for key in selection.keys {
        let met = if is_delete {
            wait_until_key(ctx, &key, timeout_ms, |o| o.is_none())
        } else {
            let mut vanished = false;
            let met = wait_until_key(ctx, &key, timeout_ms, |o| match o {
                Some(object) => condition_met(object, &condition),
                None => {
                    vanished = true;
                    true
                }
            });
            if vanished {
                return Err(Failure::Api(ApiError::not_found(key.kind, &key.name)));
            }
            met
        };
        if met {
            ctx.out.push_str(&format!("{} condition met\n", name_with_kind(key.kind, &key.name)));
        } else {
            super::hints::wait_timed_out(ctx, &key);
            return Err(Failure::msg(format!(
                "timed out waiting for the condition on {}/{}",
                key.kind.info().plural,
                key.name
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_should_parse_like_go() {
        assert_eq!(parse_duration("30s"), Some(30_000));
        assert_eq!(parse_duration("1m30s"), Some(90_000));
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("2h"), Some(7_200_000));
        assert_eq!(parse_duration("5"), Some(5_000));
        assert_eq!(parse_duration("abc"), None);
        assert_eq!(parse_duration(""), None);
    }
}
