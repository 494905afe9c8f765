//! The kubelet's prober: readiness, liveness and startup probes on simulated time.
//!
//! Design: one worker per (container, probe kind), as `pkg/kubelet/prober/worker.go`. A worker
//! ticks every `periodSeconds` from the moment the kubelet admitted the pod; a tick probes only once
//! the container has run for `initialDelaySeconds`. Startup probes gate the other two: until the
//! startup probe succeeds, liveness and readiness are not run. A readiness probe also runs at once
//! when its container becomes started and is not ready (the prober manager's manual trigger), so a
//! probe without an initial delay makes the container ready right away.
//!
//! Results count in runs: a result changes the worker's verdict only after `successThreshold`
//! successes or `failureThreshold` failures in a row. Every failed probe is an `Unhealthy` event
//! (`Readiness probe failed: <output>`). A liveness or startup verdict of failure puts the worker on
//! hold and kills the container (`Killing`, `Container X failed liveness probe, will be restarted`):
//! SIGTERM, then SIGKILL when the grace period (the probe's `terminationGracePeriodSeconds`, else the
//! pod's) ends; the restart policy then restarts it, with the crash-loop back-off. A new container
//! instance resets every worker: not ready, not started.
//!
//! Handlers: `exec` runs the command in the container with the container runtime (its combined
//! output is the probe's output; sleeping past `timeoutSeconds` is `command "..." timed out`);
//! `httpGet` asks the pod's nginx (the only HTTP server modelled) on port 80 and succeeds on 200-399;
//! `tcpSocket` connects when a modelled server listens on the port (nginx 80, postgres 5432, mysql
//! 3306, redis 6379). Anything else is `connection refused`, in Go's words. `grpc` probes succeed.
//!
//! Determinism: probe times derive from the pod's admission time, the container's start time and
//! the probe's periods only.

use super::sys::ContainerSys;
use super::world::{ContainerState, ProbeWorker};
use super::{Wake, record_container, signal_term};
use crate::apiserver::{ApiServer, EventType};
use crate::backend::Backend;
use crate::controllers::Ctx;
use crate::fs::{FsId, MountNamespace, MountSpec};
use crate::runtime::{ImageModel, OutStream, ProcessPoll, image_model};
use crate::sim::{SimDuration, SimRng, SimTime};
use k8s_openapi::api::core::v1::{Container, Pod, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// The three kinds of probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeKind {
    /// readinessProbe.
    Readiness,
    /// livenessProbe.
    Liveness,
    /// startupProbe.
    Startup,
}

impl ProbeKind {
    /// The word the kubelet's events use.
    pub fn word(self) -> &'static str {
        match self {
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Liveness => "Liveness",
            ProbeKind::Startup => "Startup",
        }
    }
}

/// A probe's settings with the API's defaults applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProbeTiming {
    /// initialDelaySeconds (0).
    pub initial_delay_ms: u64,
    /// periodSeconds (10).
    pub period_ms: u64,
    /// timeoutSeconds (1).
    pub timeout_ms: u64,
    /// successThreshold (1).
    pub success_threshold: u32,
    /// failureThreshold (3).
    pub failure_threshold: u32,
}

impl ProbeTiming {
    /// The settings of `probe`.
    pub fn of(probe: &Probe) -> ProbeTiming {
        let secs = |v: Option<i32>, default: i32, min: i32| u64::try_from(v.unwrap_or(default).max(min)).unwrap_or(0);
        ProbeTiming {
            initial_delay_ms: secs(probe.initial_delay_seconds, 0, 0) * 1000,
            period_ms: secs(probe.period_seconds, 10, 1) * 1000,
            timeout_ms: secs(probe.timeout_seconds, 1, 1) * 1000,
            success_threshold: u32::try_from(probe.success_threshold.unwrap_or(1).max(1)).unwrap_or(1),
            failure_threshold: u32::try_from(probe.failure_threshold.unwrap_or(3).max(1)).unwrap_or(3),
        }
    }
}

/// When a worker probes next: the first tick (`anchor + k * period`) after its last probe at which
/// the container has run for the initial delay; or at once (`trigger`) when given and eligible.
pub fn next_probe_at(
    timing: ProbeTiming,
    anchor: SimTime,
    started_at: SimTime,
    last_at: Option<SimTime>,
    trigger: Option<SimTime>,
) -> SimTime {
    let eligible = started_at.plus(SimDuration::from_millis(timing.initial_delay_ms));
    if let Some(at) = trigger
        && at >= eligible
        && last_at.is_none_or(|last| last < at)
    {
        return at;
    }
    let floor = match last_at {
        Some(last) => eligible.max(last.plus(SimDuration::from_millis(1))),
        None => eligible,
    };
    if floor <= anchor {
        return anchor;
    }
    let period = timing.period_ms.max(1);
    let ticks = floor.since(anchor).as_millis().div_ceil(period);
    anchor.plus(SimDuration::from_millis(ticks * period))
}

/// Feeds one raw result to a worker; returns the verdict when it changed the results manager's
/// value (a run reached its threshold).
pub fn record_result(worker: &mut ProbeWorker, timing: ProbeTiming, success: bool) -> Option<bool> {
    if worker.last == Some(success) {
        worker.run = worker.run.saturating_add(1);
    } else {
        worker.last = Some(success);
        worker.run = 1;
    }
    let threshold = if success { timing.success_threshold } else { timing.failure_threshold };
    if worker.run < threshold {
        return None;
    }
    worker.result = Some(success);
    Some(success)
}

/// What a probe handler returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// Success.
    pub success: bool,
    /// The output the event quotes.
    pub output: String,
}

fn kind_probe(container: &Container, kind: ProbeKind) -> Option<&Probe> {
    match kind {
        ProbeKind::Readiness => container.readiness_probe.as_ref(),
        ProbeKind::Liveness => container.liveness_probe.as_ref(),
        ProbeKind::Startup => container.startup_probe.as_ref(),
    }
}

fn worker_mut(c: &mut super::ContainerRuntimeState, kind: ProbeKind) -> &mut ProbeWorker {
    match kind {
        ProbeKind::Readiness => &mut c.probes.readiness,
        ProbeKind::Liveness => &mut c.probes.liveness,
        ProbeKind::Startup => &mut c.probes.startup,
    }
}

/// Runs the probes of every running container of the sandbox that are due, kills containers whose
/// grace period after a failed liveness probe ended, and asks to be woken for the next ones.
pub(super) fn run(pod: &Pod, uid: &str, node: &str, ctx: &mut Ctx<'_>, wake: &mut Wake) {
    let Some(spec) = pod.spec.as_ref() else {
        return;
    };
    let key = super::pod_key(pod);
    let grace_default = spec.termination_grace_period_seconds.unwrap_or(30).max(0);
    for container in &spec.containers {
        let now = ctx.now();
        let Some((index, anchor, started_at)) = ctx.backend.dataplane.pods.get(uid).and_then(|p| {
            let index = p.containers.iter().position(|c| c.name == container.name && !c.init)?;
            match p.containers[index].state {
                ContainerState::Running { started_at } => Some((index, p.admitted_at, started_at)),
                _ => None,
            }
        }) else {
            continue;
        };
        // A kill in progress: SIGKILL when the grace period is over.
        let kill_at = ctx.backend.dataplane.pods.get(uid).and_then(|p| p.containers[index].kill_at);
        if let Some(at) = kill_at {
            // Like the probes that caused it, the kill is background: `settle` does not wait out
            // the grace period.
            if now >= at {
                sigkill(ctx.backend, uid, index, now);
                wake.fg(now);
            } else {
                wake.bg(at);
            }
            continue;
        }
        // Without a startup probe the container counts as started; without a readiness probe,
        // started means ready.
        if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
            let c = &mut p.containers[index];
            if container.startup_probe.is_none() {
                c.started = true;
            }
            if container.readiness_probe.is_none() {
                c.ready = c.started;
            }
        }
        for kind in [ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness] {
            let Some(probe) = kind_probe(container, kind) else {
                continue;
            };
            let timing = ProbeTiming::of(probe);
            let Some((started, ready, worker)) = ctx.backend.dataplane.pods.get(uid).map(|p| {
                let c = &p.containers[index];
                let worker = match kind {
                    ProbeKind::Readiness => c.probes.readiness.clone(),
                    ProbeKind::Liveness => c.probes.liveness.clone(),
                    ProbeKind::Startup => c.probes.startup.clone(),
                };
                (c.started, c.ready, worker)
            }) else {
                return;
            };
            if worker.on_hold
                || ctx.backend.dataplane.pods.get(uid).is_some_and(|p| p.containers[index].kill_at.is_some())
            {
                continue;
            }
            if (kind == ProbeKind::Startup) == started {
                // Startup probes stop once started; the others wait for it.
                continue;
            }
            // The manual trigger: a started, unready container's readiness is probed at once.
            let trigger = (kind == ProbeKind::Readiness && !ready && worker.last_at.is_none())
                .then(|| started_since(ctx.backend, uid, index).unwrap_or(started_at));
            let due = next_probe_at(timing, anchor, started_at, worker.last_at, trigger);
            if due > now {
                schedule(wake, kind, &worker, ready, due);
                continue;
            }
            let outcome = probe_once(ctx, pod, container, probe, uid, index, timing, now);
            if !outcome.success {
                let message = format!("{} probe failed: {}", kind.word(), outcome.output.trim_end());
                record_container(ctx, &key, node, uid, &container.name, EventType::Warning, "Unhealthy", &message);
            }
            let verdict = ctx.backend.dataplane.pods.get_mut(uid).and_then(|p| {
                let c = &mut p.containers[index];
                let worker = worker_mut(c, kind);
                worker.last_at = Some(now);
                record_result(worker, timing, outcome.success)
            });
            match (kind, verdict) {
                (ProbeKind::Readiness, Some(ok)) => {
                    if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                        p.containers[index].ready = ok;
                    }
                }
                (ProbeKind::Startup, Some(true)) => {
                    if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                        let c = &mut p.containers[index];
                        c.started = true;
                        c.probes.startup.last_at = Some(now);
                        if container.readiness_probe.is_none() {
                            c.ready = true;
                        }
                    }
                    // Readiness (and liveness) start now; look again at once.
                    wake.fg(now);
                }
                (ProbeKind::Liveness | ProbeKind::Startup, Some(false)) => {
                    let grace = probe.termination_grace_period_seconds.unwrap_or(grace_default).max(0);
                    kill_for_probe(ctx, &key, node, uid, index, kind, grace, now, wake);
                }
                _ => {}
            }
            if let Some((worker, ready)) = ctx.backend.dataplane.pods.get(uid).map(|p| {
                let c = &p.containers[index];
                let worker = match kind {
                    ProbeKind::Readiness => c.probes.readiness.clone(),
                    ProbeKind::Liveness => c.probes.liveness.clone(),
                    ProbeKind::Startup => c.probes.startup.clone(),
                };
                (worker, c.ready)
            }) && !worker.on_hold
            {
                let next = next_probe_at(timing, anchor, started_at, worker.last_at, None);
                schedule(wake, kind, &worker, ready, next);
            }
        }
    }
}

/// When the container became started (the startup probe's success, else its start).
fn started_since(backend: &Backend, uid: &str, index: usize) -> Option<SimTime> {
    let c = &backend.dataplane.pods.get(uid)?.containers[index];
    c.probes.startup.last_at.filter(|_| c.probes.startup.result == Some(true))
}

/// Probes that decide whether a new container becomes ready or started are foreground work (so
/// `settle` waits for them, as StatefulSets wait for readiness); periodic re-probing is background.
fn schedule(wake: &mut Wake, kind: ProbeKind, worker: &ProbeWorker, ready: bool, at: SimTime) {
    let deciding = match kind {
        ProbeKind::Readiness => !ready && worker.last_at.is_none(),
        ProbeKind::Startup => worker.last_at.is_none(),
        ProbeKind::Liveness => false,
    };
    if deciding { wake.fg(at) } else { wake.bg(at) }
}

#[allow(clippy::too_many_arguments)]
fn kill_for_probe(
    ctx: &mut Ctx<'_>,
    key: &crate::api::ObjectKey,
    node: &str,
    uid: &str,
    index: usize,
    kind: ProbeKind,
    grace_seconds: i64,
    now: SimTime,
    wake: &mut Wake,
) {
    let Some(name) = ctx.backend.dataplane.pods.get(uid).map(|p| p.containers[index].name.clone()) else {
        return;
    };
    let word = if kind == ProbeKind::Startup { "startup" } else { "liveness" };
    let message = format!("Container {name} failed {word} probe, will be restarted");
    record_container(ctx, key, node, uid, &name, EventType::Normal, "Killing", &message);
    if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
        let c = &mut p.containers[index];
        worker_mut(c, kind).on_hold = true;
        worker_mut(c, kind).run = 0;
    }
    let handled = signal_term(ctx.api, ctx.backend, ctx.rng, uid, index, now);
    let deadline = now.plus(SimDuration::from_secs(u64::try_from(grace_seconds).unwrap_or(0)));
    if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
        let c = &mut p.containers[index];
        c.kill_at = Some(deadline);
        if handled {
            c.stopping = true;
            c.wake_at = Some(now.plus(SimDuration::from_millis(300)));
            wake.bg(now.plus(SimDuration::from_millis(300)));
        }
    }
    if grace_seconds == 0 {
        sigkill(ctx.backend, uid, index, now);
        wake.fg(now);
    }
    wake.bg(deadline);
}

/// SIGKILL: exit code 137.
fn sigkill(backend: &mut Backend, uid: &str, index: usize, now: SimTime) {
    let Some(p) = backend.dataplane.pods.get_mut(uid) else {
        return;
    };
    let c = &mut p.containers[index];
    c.kill_at = None;
    c.kill(now);
}

/// The port a probe names: a number, or a container port's name.
fn resolve_port(port: &IntOrString, container: &Container) -> Result<i32, String> {
    match port {
        IntOrString::Int(n) => Ok(*n),
        IntOrString::String(name) => container
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| p.container_port)
            .or_else(|| name.parse().ok())
            .ok_or_else(|| format!("strconv.Atoi: parsing {name:?}: invalid syntax")),
    }
}

/// The ports the modelled servers of a sandbox listen on.
fn listening(backend: &Backend, uid: &str) -> Vec<(i32, Option<ImageModel>)> {
    let Some(p) = backend.dataplane.pods.get(uid) else {
        return Vec::new();
    };
    let mut ports = Vec::new();
    for c in p.containers.iter().filter(|c| c.is_running() && c.process.is_some() && !c.stopping) {
        let model = image_model(&c.image);
        let port = match model {
            Some(ImageModel::Nginx) => 80,
            Some(ImageModel::Postgres) => 5432,
            Some(ImageModel::Mysql) => 3306,
            Some(ImageModel::Redis) => 6379,
            None => continue,
        };
        ports.push((port, model));
    }
    ports
}

#[allow(clippy::too_many_arguments)]
fn probe_once(
    ctx: &mut Ctx<'_>,
    pod: &Pod,
    container: &Container,
    probe: &Probe,
    uid: &str,
    index: usize,
    timing: ProbeTiming,
    now: SimTime,
) -> ProbeOutcome {
    let ip = ctx.backend.dataplane.pods.get(uid).map(|p| p.ip.clone()).unwrap_or_default();
    if let Some(exec) = &probe.exec {
        let argv = exec.command.clone().unwrap_or_default();
        return exec_probe(ctx.api, ctx.backend, ctx.rng, uid, index, &argv, timing.timeout_ms, now);
    }
    if let Some(http) = &probe.http_get {
        let port = match resolve_port(&http.port, container) {
            Ok(port) => port,
            Err(message) => return ProbeOutcome { success: false, output: message },
        };
        let scheme = http.scheme.as_deref().unwrap_or("HTTP").to_ascii_lowercase();
        let host = http.host.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| ip.clone());
        let path = http.path.clone().unwrap_or_default();
        let path = if path.is_empty() || path.starts_with('/') { path } else { format!("/{path}") };
        let url = format!("{scheme}://{host}:{port}{path}");
        let ports = listening(ctx.backend, uid);
        let refused = || ProbeOutcome {
            success: false,
            output: format!("Get \"{url}\": dial tcp {host}:{port}: connect: connection refused"),
        };
        if host != ip {
            return refused();
        }
        match ports.iter().find(|(p, _)| *p == port) {
            Some((_, Some(ImageModel::Nginx))) if scheme == "http" => {
                let node_gw = gateway(&ip);
                let status = serve(ctx.api, ctx.backend, ctx.rng, uid, &path, &node_gw, now);
                match status {
                    Ok(code) if (200..400).contains(&code) => ProbeOutcome { success: true, output: String::new() },
                    Ok(code) => {
                        ProbeOutcome { success: false, output: format!("HTTP probe failed with statuscode: {code}") }
                    }
                    Err(_) => refused(),
                }
            }
            Some(_) => ProbeOutcome { success: false, output: format!("Get \"{url}\": EOF") },
            None => refused(),
        }
    } else if let Some(tcp) = &probe.tcp_socket {
        let port = match resolve_port(&tcp.port, container) {
            Ok(port) => port,
            Err(message) => return ProbeOutcome { success: false, output: message },
        };
        let host = tcp.host.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| ip.clone());
        if host == ip && listening(ctx.backend, uid).iter().any(|(p, _)| *p == port) {
            ProbeOutcome { success: true, output: String::new() }
        } else {
            ProbeOutcome { success: false, output: format!("dial tcp {host}:{port}: connect: connection refused") }
        }
    } else {
        let _ = pod;
        ProbeOutcome { success: true, output: String::new() }
    }
}

/// The pod network's gateway on the node (`10.244.N.1`), where the kubelet's probes come from.
fn gateway(pod_ip: &str) -> String {
    match pod_ip.rsplit_once('.') {
        Some((net, _)) => format!("{net}.1"),
        None => String::new(),
    }
}

fn empty_mounts() -> MountNamespace {
    MountNamespace::new(MountSpec { fs: FsId(0), subpath: String::new(), read_only: false })
}

fn serve(
    api: &ApiServer,
    backend: &mut Backend,
    rng: &mut SimRng,
    uid: &str,
    path: &str,
    client: &str,
    now: SimTime,
) -> Result<u16, String> {
    let mounts = empty_mounts();
    let (result, side_logs) = {
        let Backend { fs, dataplane, .. } = &mut *backend;
        let mut sys = ContainerSys {
            fs,
            mounts: &mounts,
            now,
            rng,
            hostname: String::new(),
            env: Vec::new(),
            uid: 0,
            output: Vec::new(),
            api,
            namespace: String::new(),
            pods: &dataplane.pods,
            side_logs: Vec::new(),
            client_ip: client.to_string(),
        };
        let result = sys.serve_status(uid, path, "kube-probe/1.34").map(|(status, _)| status);
        (result, sys.side_logs)
    };
    append_side_logs(backend, side_logs, now);
    result
}

fn append_side_logs(backend: &mut Backend, side_logs: Vec<(String, String, String)>, now: SimTime) {
    for (target, container, line) in side_logs {
        if let Some(c) =
            backend.dataplane.pods.get_mut(&target).and_then(|p| p.containers.iter_mut().find(|c| c.name == container))
        {
            c.append_log(now, OutStream::Stdout, line.as_bytes());
        }
    }
}

/// The most resumes one exec probe gets before it counts as timed out.
const EXEC_RESUMES_MAX: usize = 64;
/// The most step budgets a busy exec probe may use up.
const EXEC_BUSY_RESUMES_MAX: usize = 3;

/// Runs `argv` in the container as the CRI's ExecSync does, on a clock of its own that starts at
/// `now` and may run `timeout_ms`.
#[allow(clippy::too_many_arguments)]
fn exec_probe(
    api: &ApiServer,
    backend: &mut Backend,
    rng: &mut SimRng,
    uid: &str,
    index: usize,
    argv: &[String],
    timeout_ms: u64,
    now: SimTime,
) -> ProbeOutcome {
    let Some((image, env, mounts, hostname, namespace, ip)) = backend.dataplane.pods.get(uid).map(|p| {
        let c = &p.containers[index];
        (c.image.clone(), c.env.clone(), c.mounts.clone(), p.hostname.clone(), p.key.namespace.clone(), p.ip.clone())
    }) else {
        return ProbeOutcome { success: false, output: String::new() };
    };
    let Some(mounts) = mounts else {
        return ProbeOutcome { success: false, output: String::new() };
    };
    let timed_out = || ProbeOutcome { success: false, output: format!("command {:?} timed out", argv.join(" ")) };
    if argv.is_empty() {
        return ProbeOutcome { success: false, output: String::new() };
    }
    let mut process = backend.dataplane.runtime.spawn(&image, argv, &[], &env);
    let deadline = now.plus(SimDuration::from_millis(timeout_ms));
    let mut clock = now;
    let mut output = String::new();
    let mut busy = 0;
    for _ in 0..EXEC_RESUMES_MAX {
        let (poll, written, side_logs) = {
            let Backend { fs, dataplane, .. } = &mut *backend;
            let mut sys = ContainerSys {
                fs,
                mounts: &mounts,
                now: clock,
                rng,
                hostname: hostname.clone(),
                env: env.clone(),
                uid: 0,
                output: Vec::new(),
                api,
                namespace: namespace.clone(),
                pods: &dataplane.pods,
                side_logs: Vec::new(),
                client_ip: ip.clone(),
            };
            let poll = process.resume(&mut sys, super::STEP_BUDGET);
            (poll, sys.output, sys.side_logs)
        };
        append_side_logs(backend, side_logs, clock);
        for (_, bytes) in written {
            output.push_str(&String::from_utf8_lossy(&bytes));
        }
        match poll {
            ProcessPoll::Exited(code) => return ProbeOutcome { success: code == 0, output },
            ProcessPoll::Sleep { until } if until < deadline => clock = until.max(clock),
            // A busy command gets a few budgets' worth of steps, then counts as timed out.
            ProcessPoll::BudgetExhausted if busy < EXEC_BUSY_RESUMES_MAX => busy += 1,
            ProcessPoll::BudgetExhausted | ProcessPoll::Sleep { .. } | ProcessPoll::Wait { .. } => return timed_out(),
        }
    }
    timed_out()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(initial: u64, period: u64, success: u32, failure: u32) -> ProbeTiming {
        ProbeTiming {
            initial_delay_ms: initial * 1000,
            period_ms: period * 1000,
            timeout_ms: 1000,
            success_threshold: success,
            failure_threshold: failure,
        }
    }

    fn at(secs: u64) -> SimTime {
        SimTime::ZERO.plus(SimDuration::from_secs(secs))
    }

    #[test]
    fn probe_times_should_follow_the_worker_ticks_after_the_initial_delay() {
        // (name, initial, period, anchor, started, last, trigger, expected)
        type Row = (&'static str, u64, u64, u64, u64, Option<u64>, Option<u64>, u64);
        let rows: [Row; 8] = [
            ("first tick is the worker's start", 0, 10, 100, 100, None, None, 100),
            ("container starts between ticks", 0, 10, 100, 103, None, None, 110),
            ("initial delay skips ticks", 15, 10, 100, 103, None, None, 120),
            ("initial delay on a tick", 17, 10, 100, 103, None, None, 120),
            ("after a probe, the next tick", 0, 10, 100, 103, Some(110), None, 120),
            ("trigger runs at once when eligible", 0, 10, 100, 103, None, Some(103), 103),
            ("trigger waits for the initial delay", 5, 10, 100, 103, None, Some(103), 110),
            ("period 3", 0, 3, 100, 101, Some(103), None, 106),
        ];
        for (name, initial, period, anchor, started, last, trigger, expected) in rows {
            let got =
                next_probe_at(timing(initial, period, 1, 3), at(anchor), at(started), last.map(at), trigger.map(at));
            assert_eq!(got, at(expected), "{name}");
        }
    }

    #[test]
    fn results_should_change_only_after_their_threshold() {
        // (name, success threshold, failure threshold, results, verdicts)
        type Row = (&'static str, u32, u32, &'static [bool], &'static [Option<bool>]);
        let rows: [Row; 4] = [
            ("one success", 1, 3, &[true], &[Some(true)]),
            ("three failures", 1, 3, &[false, false, false], &[None, None, Some(false)]),
            ("a success breaks the run", 1, 3, &[false, false, true, false], &[None, None, Some(true), None]),
            ("two successes needed", 2, 1, &[true, true, false], &[None, Some(true), Some(false)]),
        ];
        for (name, success, failure, results, verdicts) in rows {
            let mut worker = ProbeWorker::default();
            let got: Vec<Option<bool>> =
                results.iter().map(|r| record_result(&mut worker, timing(0, 10, success, failure), *r)).collect();
            assert_eq!(got, verdicts, "{name}");
        }
    }

    #[test]
    fn probe_settings_should_default_like_the_api() {
        let probe = Probe::default();
        assert_eq!(ProbeTiming::of(&probe), timing(0, 10, 1, 3));
        let probe = Probe { period_seconds: Some(0), failure_threshold: Some(-1), ..Probe::default() };
        assert_eq!(ProbeTiming::of(&probe), timing(0, 1, 1, 1));
    }

    #[test]
    fn ports_should_resolve_by_number_or_name() {
        let container = Container {
            ports: Some(vec![k8s_openapi::api::core::v1::ContainerPort {
                name: Some("http".into()),
                container_port: 8080,
                ..Default::default()
            }]),
            ..Default::default()
        };
        assert_eq!(resolve_port(&IntOrString::Int(80), &container), Ok(80));
        assert_eq!(resolve_port(&IntOrString::String("http".into()), &container), Ok(8080));
        assert_eq!(resolve_port(&IntOrString::String("81".into()), &container), Ok(81));
        assert!(resolve_port(&IntOrString::String("web".into()), &container).is_err());
        assert_eq!(gateway("10.244.2.17"), "10.244.2.1");
    }
}
