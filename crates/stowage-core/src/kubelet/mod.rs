//! The kubelet: runs the pods bound to each node, sets up their volumes, runs their containers'
//! processes on simulated time, restarts them by policy and reports status.
//!
//! Design: one reconcile per pod key. The sandbox (keyed by pod uid, so a replacement pod is a new
//! sandbox) moves through stages: volumes (wait until every volume can be set up: claims bound and
//! attached, configMaps present, hostPath type checks pass), starting (pull, create and start each
//! container in order, init containers first, each to completion), running (resume processes when
//! they wake; restart exited containers by `restartPolicy` with the crash-loop backoff 10 s, 20 s,
//! ... 5 min), finished. A pod with a deletionTimestamp gets SIGTERM (`Killing`), then SIGKILL at its
//! deadline, and is removed with [`ApiServer::finish_pod_deletion`]. Status is written only when it
//! changes. A partitioned node keeps running its sandboxes but writes nothing; a stopped node runs
//! nothing.
//!
//! Images (the image manager): a reference that does not parse is `InvalidImageName`
//! (`InspectFailed`, retried every sync); one the simulated registry does not have
//! ([`crate::runtime::resolve_image`]) fails its pull with containerd's error (`Failed`,
//! `ErrImagePull`) and then waits in `ImagePullBackOff` (10 s doubling to 5 min per pod and image,
//! the waiting message carrying the last error, as 1.34 does). A failing image holds up the
//! containers after it in the pod (the real kubelet starts the others meanwhile). Probes are run by
//! [`prober`]: readiness sets the container's `ready`, liveness and startup failures kill it.

pub mod api;
mod node_lifecycle;
mod node_status;
pub mod prober;
mod status;
mod sys;
pub mod volumes;
mod world;

pub use node_lifecycle::{NodeLifecycleController, TAINT_OUT_OF_SERVICE};
use std::collections::BTreeMap;
pub use sys::{ContainerSys, NGINX_INDEX};
pub use world::{
    ContainerRuntimeState, ContainerState, Dataplane, LogLine, MountedVolume, NodeRuntime, NodeState, PodRuntime,
    ProbeWorker, ProbeWorkers, SandboxStage, Terminated, ensure_node,
};

use crate::api::{Kind, Object, ObjectKey};
use crate::apiserver::{ApiServer, EventType};
use crate::backend::Backend;
use crate::controllers::{Action, Controller, Ctx, ReconcileError};
use crate::fs::FsTree;
use crate::runtime::{OutStream, ProcessPoll, image_model, image_tag};
use crate::sim::{Component, SimDuration, SimRng, SimTime};
use crate::store::Change;
use k8s_openapi::api::core::v1::{Container, Node, Pod};

/// The step budget a container process gets per resume.
pub const STEP_BUDGET: u32 = 200_000;
/// The crash-loop backoff's first delay.
pub const BACKOFF_INITIAL_MS: u64 = 10_000;
/// The crash-loop backoff's cap.
pub const BACKOFF_MAX_MS: u64 = 300_000;
/// The kubelet's `syncFrequency`: how often a running pod is synced (and its configMap, secret and
/// projected volumes refreshed).
pub const SYNC_FREQUENCY: SimDuration = SimDuration::from_secs(60);
/// How long the kubelet waits for attachments before the `FailedMount` timeout event (2m3s).
pub const ATTACH_TIMEOUT: SimDuration = SimDuration::from_secs(123);

/// The kubelet of every node.
#[derive(Debug)]
pub struct Kubelet;

impl Controller for Kubelet {
    fn component(&self) -> Component {
        Component::Kubelet
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Pod]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        match change.key.kind {
            Kind::Pod => out.push(change.key.clone()),
            Kind::ConfigMap | Kind::Secret | Kind::PersistentVolumeClaim => {
                for pod in api.store().list_typed_in::<Pod>(&change.key.namespace) {
                    if pod_references(pod, change.key.kind, &change.key.name) {
                        out.push(ObjectKey::namespaced(
                            Kind::Pod,
                            change.key.namespace.clone(),
                            pod.metadata.name.clone().unwrap_or_default(),
                        ));
                    }
                }
            }
            Kind::VolumeAttachment | Kind::PersistentVolume => {
                for pod in api.store().list_typed::<Pod>() {
                    let bound = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty());
                    let pending = pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending");
                    let uses_claims = pod
                        .spec
                        .as_ref()
                        .and_then(|s| s.volumes.as_ref())
                        .is_some_and(|v| v.iter().any(|v| v.persistent_volume_claim.is_some()));
                    if bound && pending && uses_claims {
                        out.push(ObjectKey::namespaced(
                            Kind::Pod,
                            pod.metadata.namespace.clone().unwrap_or_default(),
                            pod.metadata.name.clone().unwrap_or_default(),
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        // The nodes whose mounted volumes this sync may change: the pod's and its old sandboxes'.
        let dataplane = &ctx.backend.dataplane;
        let mut nodes: Vec<String> =
            dataplane.pods_of(key).iter().filter_map(|uid| dataplane.pods.get(uid)).map(|p| p.node.clone()).collect();
        let pod = ctx.api.store().get_typed::<Pod>(&key.namespace, &key.name);
        nodes.extend(pod.and_then(|p| p.spec.as_ref()).and_then(|s| s.node_name.clone()));
        nodes.sort();
        nodes.dedup();
        let action = sync_pod(key, ctx)?;
        for node in &nodes {
            node_status::sync_volumes_in_use(ctx, node)?;
        }
        Ok(action)
    }
}

fn pod_references(pod: &Pod, kind: Kind, name: &str) -> bool {
    pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).into_iter().flatten().any(|v| match kind {
        Kind::ConfigMap => {
            v.config_map.as_ref().is_some_and(|c| c.name == name)
                || v.projected
                    .iter()
                    .flat_map(|p| p.sources.iter().flatten())
                    .any(|s| s.config_map.as_ref().is_some_and(|c| c.name == name))
        }
        Kind::Secret => {
            v.secret.as_ref().is_some_and(|s| s.secret_name.as_deref() == Some(name))
                || v.projected
                    .iter()
                    .flat_map(|p| p.sources.iter().flatten())
                    .any(|s| s.secret.as_ref().is_some_and(|c| c.name == name))
        }
        Kind::PersistentVolumeClaim => v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == name),
        _ => false,
    })
}

/// When to look at the pod again: foreground for work in flight, background for sleeping processes.
#[derive(Clone, Copy, Debug, Default)]
struct Wake {
    foreground: Option<SimTime>,
    background: Option<SimTime>,
}

impl Wake {
    fn fg(&mut self, at: SimTime) {
        self.foreground = Some(self.foreground.map_or(at, |t| t.min(at)));
    }
    fn bg(&mut self, at: SimTime) {
        self.background = Some(self.background.map_or(at, |t| t.min(at)));
    }
    fn action(self, now: SimTime) -> Action {
        match (self.foreground, self.background) {
            (Some(f), b) if b.is_none_or(|b| f <= b) => Action::wait_for(f.since(now)),
            (_, Some(b)) if b.as_millis() < u64::MAX / 2 => Action::requeue(b.since(now)),
            (Some(f), _) => Action::wait_for(f.since(now)),
            _ => Action::await_change(),
        }
    }
}

fn sync_pod(key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
    let now = ctx.now();
    let pod = ctx.api.store().get_typed::<Pod>(&key.namespace, &key.name).cloned();
    let live_uid = pod.as_ref().and_then(|p| p.metadata.uid.clone());
    let mut wake = Wake::default();
    // OBSERVATION: sandboxes of this name whose pod is gone (force-deleted, or replaced).
    for uid in ctx.backend.dataplane.pods_of(key) {
        if Some(&uid) == live_uid.as_ref() {
            continue;
        }
        let node = ctx.backend.dataplane.pods.get(&uid).map(|p| p.node.clone()).unwrap_or_default();
        match ctx.backend.dataplane.node_state(&node) {
            NodeState::Partitioned => {
                // The kubelet cannot see that the pod is gone: it keeps running (split brain).
                run_processes(ctx.api, ctx.backend, ctx.rng, &uid, now, &mut wake);
            }
            NodeState::Stopped => {}
            NodeState::Ready => {
                kill_all(ctx.backend, &uid, now);
                tear_down(ctx.backend, &uid);
            }
        }
    }
    let Some(pod) = pod else {
        return Ok(wake.action(now));
    };
    let uid = live_uid.unwrap_or_default();
    let node_name = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    if node_name.is_empty() {
        return Ok(wake.action(now));
    }
    let Some(node_index) = ctx.api.store().list(Kind::Node).position(|n| n.name() == node_name) else {
        // Bound to a node that does not exist: nobody runs it.
        return Ok(wake.action(now));
    };
    ensure_node(ctx.backend, &node_name, node_index, now);
    match ctx.backend.dataplane.node_state(&node_name) {
        NodeState::Stopped => return Ok(wake.action(now)),
        NodeState::Partitioned => {
            if ctx.backend.dataplane.pods.contains_key(&uid) {
                run_processes(ctx.api, ctx.backend, ctx.rng, &uid, now, &mut wake);
            }
            return Ok(wake.action(now));
        }
        NodeState::Ready => {}
    }
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if !ctx.backend.dataplane.pods.contains_key(&uid) {
        if pod.metadata.deletion_timestamp.is_some() {
            ctx.api.finish_pod_deletion(Component::Kubelet, key);
            return Ok(wake.action(now));
        }
        if phase == "Succeeded" || phase == "Failed" {
            return Ok(wake.action(now));
        }
        admit(ctx.backend, &pod, &node_name, now);
    }
    if pod.metadata.deletion_timestamp.is_some() {
        return terminate(key, &pod, &uid, ctx, wake);
    }
    let stage = ctx.backend.dataplane.pods.get(&uid).map(|p| p.stage);
    if stage == Some(SandboxStage::Volumes) {
        set_up_volumes(&pod, &uid, &node_name, ctx, &mut wake);
    }
    if ctx.backend.dataplane.pods.get(&uid).is_some_and(|p| p.stage == SandboxStage::Starting) {
        start_containers(&pod, &uid, &node_name, ctx, &mut wake);
    }
    let running = ctx.backend.dataplane.pods.get(&uid).map(|p| p.stage);
    if matches!(running, Some(SandboxStage::Running | SandboxStage::Starting)) {
        run_processes(ctx.api, ctx.backend, ctx.rng, &uid, now, &mut wake);
        handle_exits(&pod, &uid, &node_name, ctx, &mut wake);
        prober::run(&pod, &uid, &node_name, ctx, &mut wake);
        check_eviction(&pod, &uid, &node_name, ctx);
        let versions = volumes::projected_versions(ctx.api, &pod);
        let changed = ctx.backend.dataplane.pods.get(&uid).is_some_and(|p| p.projected_versions != versions);
        if changed {
            // Updated sources reach the volume at the pod's next periodic sync (the kubelet's
            // syncFrequency, one minute), not at once.
            let due = ctx.backend.dataplane.pods.get_mut(&uid).map(|runtime| {
                let seen = *runtime.projection_change_seen.get_or_insert(now);
                next_periodic_sync(runtime.admitted_at, seen)
            });
            if due.is_some_and(|due| now >= due) {
                volumes::refresh_projections(ctx.api, ctx.backend, &pod, &uid, now, ctx.rng);
                if let Some(runtime) = ctx.backend.dataplane.pods.get_mut(&uid) {
                    runtime.projected_versions = versions;
                    runtime.projection_change_seen = None;
                }
            } else if let Some(due) = due {
                wake.bg(due);
            }
        }
    }
    status::write(key, &pod, &uid, &node_name, ctx, &mut wake)?;
    Ok(wake.action(now))
}

/// Creates the sandbox record for a pod the kubelet sees for the first time.
fn admit(backend: &mut Backend, pod: &Pod, node: &str, now: SimTime) {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let mut containers = Vec::new();
    for c in spec.init_containers.iter().flatten() {
        containers.push(ContainerRuntimeState::new(&c.name, c.image.as_deref().unwrap_or(""), true));
    }
    for c in &spec.containers {
        containers.push(ContainerRuntimeState::new(&c.name, c.image.as_deref().unwrap_or(""), false));
    }
    let name = pod.metadata.name.clone().unwrap_or_default();
    let hostname = spec.hostname.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| name.clone());
    let key = ObjectKey::namespaced(Kind::Pod, pod.metadata.namespace.clone().unwrap_or_default(), name);
    backend.dataplane.pods.insert(
        uid.clone(),
        PodRuntime {
            key,
            uid,
            node: node.to_string(),
            ip: String::new(),
            admitted_at: now,
            stage: SandboxStage::Volumes,
            next_start: 0,
            next_at: now,
            start_phase: 0,
            pull_ms: 0,
            volumes: Default::default(),
            containers,
            hostname,
            terminating: false,
            evicted: None,
            last_mount_event: None,
            mount_failures: 0,
            pull_backoff: BTreeMap::new(),
            projected_versions: Default::default(),
            projection_change_seen: None,
        },
    );
}

fn record(ctx: &mut Ctx<'_>, key: &ObjectKey, node: &str, event_type: EventType, reason: &str, message: &str) {
    ctx.api.record_event("kubelet", Some(node), key, event_type, reason, message);
}

/// The kubelet's `fieldPath` for a container's events: `spec.containers{NAME}` or
/// `spec.initContainers{NAME}`.
fn container_field_path(backend: &Backend, uid: &str, name: &str) -> Option<String> {
    let c = backend.dataplane.pods.get(uid)?.containers.iter().find(|c| c.name == name)?;
    let list = if c.init { "initContainers" } else { "containers" };
    Some(format!("spec.{list}{{{name}}}"))
}

/// Records a kubelet event about one container (its field path keeps the events of two
/// containers apart, as the real recorder's aggregation does).
#[allow(clippy::too_many_arguments)]
fn record_container(
    ctx: &mut Ctx<'_>,
    key: &ObjectKey,
    node: &str,
    uid: &str,
    container: &str,
    event_type: EventType,
    reason: &str,
    message: &str,
) {
    let path = container_field_path(ctx.backend, uid, container);
    ctx.api.record_event_at("kubelet", Some(node), key, path.as_deref(), event_type, reason, message);
}

fn set_up_volumes(pod: &Pod, uid: &str, node: &str, ctx: &mut Ctx<'_>, wake: &mut Wake) {
    let now = ctx.now();
    let key = pod_key(pod);
    match volumes::check(ctx.api, ctx.backend, pod, node) {
        Err(failure) if !failure.message.is_empty() => {
            let (last, failures) =
                ctx.backend.dataplane.pods.get(uid).map_or((None, 0), |p| (p.last_mount_event, p.mount_failures));
            // The volume manager retries a failed SetUp with exponential backoff (500ms doubling to
            // 2m2s, nestedpendingoperations); every failure is a FailedMount event.
            let due = last.map(|t| t.plus(mount_retry_delay(failures)));
            let (last, failures) = if due.is_none_or(|d| now >= d) {
                record(ctx, &key, node, EventType::Warning, "FailedMount", &failure.message);
                if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                    p.last_mount_event = Some(now);
                    p.mount_failures = failures + 1;
                }
                (now, failures + 1)
            } else {
                (last.unwrap_or(now), failures)
            };
            wake.bg(last.plus(mount_retry_delay(failures)));
        }
        Err(failure) => {
            let admitted = ctx.backend.dataplane.pods.get(uid).map_or(now, |p| p.admitted_at);
            let last = ctx.backend.dataplane.pods.get(uid).and_then(|p| p.last_mount_event).unwrap_or(admitted);
            if now.since(last) >= ATTACH_TIMEOUT {
                record(
                    ctx,
                    &key,
                    node,
                    EventType::Warning,
                    "FailedMount",
                    &volumes::attach_timeout_message(&failure.unattached),
                );
                if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                    p.last_mount_event = Some(now);
                }
            }
            wake.bg(last.plus(ATTACH_TIMEOUT).max(now.plus(SimDuration::from_secs(1))));
        }
        Ok(()) => {
            let mounted = volumes::set_up(ctx.api, ctx.backend, pod, node, now, ctx.rng);
            let versions = volumes::projected_versions(ctx.api, pod);
            let ip = assign_ip(ctx.backend, node, ctx.rng);
            if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                p.volumes = mounted;
                p.projected_versions = versions;
                p.ip = ip;
                p.stage = SandboxStage::Starting;
                // Creating the sandbox (pause container, network) takes a moment.
                p.next_at = now.plus(SimDuration::from_millis(400));
            }
            wake.fg(now.plus(SimDuration::from_millis(400)));
        }
    }
}

/// The kubelet's periodic sync of a pod admitted at `admitted` that first follows `seen`.
fn next_periodic_sync(admitted: SimTime, seen: SimTime) -> SimTime {
    let period = SYNC_FREQUENCY.as_millis();
    let ticks = seen.since(admitted).as_millis() / period + 1;
    admitted.plus(SimDuration::from_millis(ticks * period))
}

/// The wait after `failures` failed mount attempts: 500ms, doubling, at most 2m2s
/// (`exponentialbackoff.initialDurationBeforeRetry` / `maxDurationBeforeRetry`).
fn mount_retry_delay(failures: u32) -> SimDuration {
    const MAX_MS: u64 = 122_000;
    let shift = failures.saturating_sub(1).min(20);
    SimDuration::from_millis((500u64 << shift).min(MAX_MS))
}

fn assign_ip(backend: &mut Backend, node: &str, rng: &mut SimRng) -> String {
    let Some(machine) = backend.dataplane.nodes.get_mut(node) else {
        return String::new();
    };
    if machine.next_host == 0 {
        machine.next_host = 2 + u8::try_from(rng.below(40)).unwrap_or(0);
    }
    let host = machine.next_host;
    machine.next_host = if host >= 254 { 2 } else { host + 1 };
    format!("10.244.{}.{host}", machine.cidr_index)
}

fn pod_key(pod: &Pod) -> ObjectKey {
    ObjectKey::namespaced(
        Kind::Pod,
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    )
}

/// The spec of the container at `index` (init containers first).
fn container_spec(pod: &Pod, index: usize) -> Option<&Container> {
    let spec = pod.spec.as_ref()?;
    let inits = spec.init_containers.as_deref().unwrap_or(&[]);
    if index < inits.len() { inits.get(index) } else { spec.containers.get(index - inits.len()) }
}

/// Always for `:latest` or untagged images, else IfNotPresent (the API's default).
fn pull_policy(container: &Container) -> String {
    container.image_pull_policy.clone().unwrap_or_else(|| {
        let image = container.image.as_deref().unwrap_or("");
        if image_tag(image) == "latest" && !image.contains('@') {
            "Always".to_string()
        } else {
            "IfNotPresent".to_string()
        }
    })
}

/// Image sizes as the registry reports them, for the `Pulled` event.
pub fn image_size_bytes(image: &str) -> u64 {
    match crate::runtime::image_base(image) {
        "busybox" => 2_159_953,
        "nginx" => 72_225_394,
        "postgres" => 158_347_690,
        "mysql" => 234_851_012,
        "redis" => 45_327_883,
        "alpine" => 3_642_946,
        "ubuntu" => 29_754_237,
        "pause" => 320_368,
        other => 8_000_000 + (fnv32(other) as u64 % 50_000_000),
    }
}

fn fnv32(text: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// A duration as Go prints it after `Truncate(time.Millisecond)`: `1.234s`, `800ms`, `2m3.5s`.
pub fn go_duration(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let minutes = ms / 60_000;
    let rest = ms % 60_000;
    let seconds = format!("{}.{:03}", rest / 1000, rest % 1000);
    let seconds = seconds.trim_end_matches('0').trim_end_matches('.').to_string();
    if minutes > 0 { format!("{minutes}m{seconds}s") } else { format!("{seconds}s") }
}

/// A 64-hex-digit id from the random stream (containerd ids, image digests).
fn hex_id(rng: &mut SimRng) -> String {
    (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect()
}

/// The image digest the registry reports (stable per image reference).
pub fn image_id(image: &str) -> String {
    let base = crate::runtime::image_base(image);
    let repo = if image.contains('/') {
        image.split(':').next().unwrap_or(image).to_string()
    } else {
        format!("docker.io/library/{base}")
    };
    let mut digest = String::new();
    let mut seed = fnv32(image);
    for _ in 0..8 {
        seed = seed.wrapping_mul(0x0100_0193) ^ 0x5bd1_e995;
        digest.push_str(&format!("{seed:08x}"));
    }
    format!("{repo}@sha256:{digest}")
}

fn start_containers(pod: &Pod, uid: &str, node: &str, ctx: &mut Ctx<'_>, wake: &mut Wake) {
    let key = pod_key(pod);
    for _ in 0..64 {
        let now = ctx.now();
        let Some(runtime) = ctx.backend.dataplane.pods.get(uid) else {
            return;
        };
        if runtime.next_at > now {
            // Waiting out an image pull back-off (or an unparsable image) is background work.
            let stuck = runtime.containers.get(runtime.next_start).is_some_and(|c| {
                matches!(&c.state, ContainerState::Waiting { reason, .. } if IMAGE_ERRORS[1..].contains(&reason.as_str()))
            });
            if stuck && runtime.start_phase == 0 {
                wake.bg(runtime.next_at)
            } else {
                wake.fg(runtime.next_at)
            }
            return;
        }
        let index = runtime.next_start;
        let phase = runtime.start_phase;
        let Some(spec) = container_spec(pod, index).cloned() else {
            if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                p.stage = SandboxStage::Running;
            }
            return;
        };
        let image = spec.image.clone().unwrap_or_default();
        match phase {
            0 => {
                if let Err(crate::runtime::ImageError::InvalidName(message)) = crate::runtime::normalize_image(&image) {
                    // Every sync tries again (the pod worker's 10 s back-off after an error).
                    let name = spec.name.clone();
                    record_container(ctx, &key, node, uid, &name, EventType::Warning, "InspectFailed", &message);
                    record_container(
                        ctx,
                        &key,
                        node,
                        uid,
                        &name,
                        EventType::Warning,
                        "Failed",
                        "Error: InvalidImageName",
                    );
                    set_waiting(ctx.backend, uid, index, "InvalidImageName", &message);
                    set_start(ctx.backend, uid, 0, now.plus(SimDuration::from_secs(10)));
                    continue;
                }
                let policy = pull_policy(&spec);
                let present = ctx.backend.dataplane.nodes.get(node).is_some_and(|n| n.images.contains(&image));
                let backoff = ctx.backend.dataplane.pods.get(uid).and_then(|p| p.pull_backoff.get(&image).cloned());
                let in_backoff =
                    backoff.as_ref().filter(|(delay, updated, _)| now.since(*updated).as_millis() < *delay);
                if !(policy != "Always" && present)
                    && let Some((delay, updated, error)) = in_backoff.cloned()
                {
                    let name = spec.name.clone();
                    let message = format!("Back-off pulling image \"{image}\"");
                    record_container(ctx, &key, node, uid, &name, EventType::Normal, "BackOff", &message);
                    record_container(
                        ctx,
                        &key,
                        node,
                        uid,
                        &name,
                        EventType::Warning,
                        "Failed",
                        "Error: ImagePullBackOff",
                    );
                    set_waiting(
                        ctx.backend,
                        uid,
                        index,
                        "ImagePullBackOff",
                        &format!("{message}: ErrImagePull: {error}"),
                    );
                    set_start(ctx.backend, uid, 0, updated.plus(SimDuration::from_millis(delay)));
                    continue;
                }
                if policy != "Always" && present {
                    record_container(
                        ctx,
                        &key,
                        node,
                        uid,
                        spec.name.as_str(),
                        EventType::Normal,
                        "Pulled",
                        &format!("Container image \"{image}\" already present on machine"),
                    );
                    set_start(ctx.backend, uid, 2, now);
                } else {
                    record_container(
                        ctx,
                        &key,
                        node,
                        uid,
                        spec.name.as_str(),
                        EventType::Normal,
                        "Pulling",
                        &format!("Pulling image \"{image}\""),
                    );
                    let size = image_size_bytes(&image);
                    // Resolving a reference the registry does not have fails quickly.
                    let missing = crate::runtime::resolve_image(&image).is_err();
                    let base_ms = if missing {
                        400
                    } else if present {
                        300
                    } else {
                        600 + size / 60_000
                    };
                    let pull_ms = base_ms + ctx.rng.below(base_ms / 2 + 1);
                    set_start(ctx.backend, uid, 1, now.plus(SimDuration::from_millis(pull_ms)));
                    if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                        p.pull_ms = pull_ms;
                    }
                }
            }
            1 => {
                if let Err(crate::runtime::ImageError::NotFound(error)) = crate::runtime::resolve_image(&image) {
                    let name = spec.name.clone();
                    let message = format!("Failed to pull image \"{image}\": {error}");
                    record_container(ctx, &key, node, uid, &name, EventType::Warning, "Failed", &message);
                    record_container(ctx, &key, node, uid, &name, EventType::Warning, "Failed", "Error: ErrImagePull");
                    set_waiting(ctx.backend, uid, index, "ErrImagePull", &error);
                    if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                        // flowcontrol.Backoff.Next: 10 s, doubling to 5 min; forgotten after 10 min.
                        let delay = match p.pull_backoff.get(&image) {
                            Some((delay, updated, _)) if now.since(*updated).as_millis() <= 2 * BACKOFF_MAX_MS => {
                                (delay * 2).min(BACKOFF_MAX_MS)
                            }
                            _ => BACKOFF_INITIAL_MS,
                        };
                        p.pull_backoff.insert(image.clone(), (delay, now, error));
                    }
                    // The status update wakes the pod worker again a moment later, in back-off.
                    set_start(ctx.backend, uid, 0, now.plus(SimDuration::from_secs(1)));
                    wake.fg(now.plus(SimDuration::from_secs(1)));
                    return;
                }
                if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                    p.pull_backoff.remove(&image);
                }
                let pull_ms = ctx.backend.dataplane.pods.get(uid).map_or(1000, |p| p.pull_ms);
                let took = go_duration(pull_ms);
                let size = image_size_bytes(&image);
                record_container(
                    ctx,
                    &key,
                    node,
                    uid,
                    spec.name.as_str(),
                    EventType::Normal,
                    "Pulled",
                    &format!(
                        "Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {size} bytes."
                    ),
                );
                if let Some(n) = ctx.backend.dataplane.nodes.get_mut(node) {
                    n.images.insert(image.clone());
                }
                set_start(ctx.backend, uid, 2, now);
            }
            _ => {
                start_container(pod, uid, index, node, ctx);
                run_processes(ctx.api, ctx.backend, ctx.rng, uid, now, wake);
                let is_init = ctx.backend.dataplane.pods.get(uid).is_some_and(|p| p.containers[index].init);
                if is_init {
                    // Init containers run to completion, one by one, before anything else starts.
                    handle_exits(pod, uid, node, ctx, wake);
                    let done = ctx.backend.dataplane.pods.get(uid).is_some_and(
                        |p| matches!(&p.containers[index].state, ContainerState::Terminated(t) if t.exit_code == 0),
                    );
                    if !done {
                        return;
                    }
                }
                if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                    p.next_start = index + 1;
                    p.start_phase = 0;
                    p.next_at = now.plus(SimDuration::from_millis(100));
                }
            }
        }
    }
}

/// The waiting reasons of a container whose image cannot be had (the first one is followed at
/// once by the next sync; the others wait).
const IMAGE_ERRORS: [&str; 3] = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName"];

fn set_waiting(backend: &mut Backend, uid: &str, index: usize, reason: &str, message: &str) {
    if let Some(c) = backend.dataplane.pods.get_mut(uid).and_then(|p| p.containers.get_mut(index)) {
        c.state = ContainerState::Waiting { reason: reason.to_string(), message: message.to_string() };
    }
}

fn set_start(backend: &mut Backend, uid: &str, phase: u8, at: SimTime) {
    if let Some(p) = backend.dataplane.pods.get_mut(uid) {
        p.start_phase = phase;
        p.next_at = at;
    }
}

/// The environment of a container: image defaults, service links, then `envFrom` and `env`.
fn container_env(api: &ApiServer, pod: &Pod, container: &Container, hostname: &str) -> Vec<(String, String)> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut env: Vec<(String, String)> = vec![
        ("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()),
        ("HOSTNAME".to_string(), hostname.to_string()),
        ("HOME".to_string(), "/root".to_string()),
        ("KUBERNETES_SERVICE_HOST".to_string(), "10.96.0.1".to_string()),
        ("KUBERNETES_SERVICE_PORT".to_string(), "443".to_string()),
        ("KUBERNETES_SERVICE_PORT_HTTPS".to_string(), "443".to_string()),
        ("KUBERNETES_PORT".to_string(), "tcp://10.96.0.1:443".to_string()),
        ("KUBERNETES_PORT_443_TCP".to_string(), "tcp://10.96.0.1:443".to_string()),
        ("KUBERNETES_PORT_443_TCP_PROTO".to_string(), "tcp".to_string()),
        ("KUBERNETES_PORT_443_TCP_PORT".to_string(), "443".to_string()),
        ("KUBERNETES_PORT_443_TCP_ADDR".to_string(), "10.96.0.1".to_string()),
    ];
    if crate::runtime::image_model(container.image.as_deref().unwrap_or(""))
        == Some(crate::runtime::ImageModel::Postgres)
    {
        env.push(("PGDATA".to_string(), "/var/lib/postgresql/data".to_string()));
    }
    if pod.spec.as_ref().and_then(|s| s.enable_service_links).unwrap_or(true) {
        for service in api.store().list_typed_in::<k8s_openapi::api::core::v1::Service>(namespace) {
            let name = service.metadata.name.clone().unwrap_or_default();
            if name == "kubernetes" {
                continue;
            }
            let ip = service.spec.as_ref().and_then(|s| s.cluster_ip.clone()).unwrap_or_default();
            if ip.is_empty() || ip == "None" {
                continue;
            }
            let prefix = name.to_ascii_uppercase().replace('-', "_");
            if let Some(port) = service.spec.as_ref().and_then(|s| s.ports.as_ref()).and_then(|p| p.first()) {
                env.push((format!("{prefix}_SERVICE_HOST"), ip.clone()));
                env.push((format!("{prefix}_SERVICE_PORT"), port.port.to_string()));
                env.push((format!("{prefix}_PORT"), format!("tcp://{ip}:{}", port.port)));
            }
        }
    }
    for source in container.env_from.iter().flatten() {
        let prefix = source.prefix.clone().unwrap_or_default();
        if let Some(cm) = &source.config_map_ref
            && let Some(map) = api.store().get_typed::<k8s_openapi::api::core::v1::ConfigMap>(namespace, &cm.name)
        {
            for (k, v) in map.data.iter().flatten() {
                env.push((format!("{prefix}{k}"), v.clone()));
            }
        }
        if let Some(secret) = &source.secret_ref
            && let Some(s) = api.store().get_typed::<k8s_openapi::api::core::v1::Secret>(namespace, &secret.name)
        {
            for (k, v) in s.data.iter().flatten() {
                env.push((format!("{prefix}{k}"), String::from_utf8_lossy(&v.0).into_owned()));
            }
        }
    }
    for var in container.env.iter().flatten() {
        let value = if let Some(value) = &var.value {
            volumes::expand_env(value, &env)
        } else if let Some(from) = &var.value_from {
            if let Some(field) = &from.field_ref {
                volumes::field_value(pod, &field.field_path).unwrap_or_default()
            } else if let Some(resource) = &from.resource_field_ref {
                let name = resource.container_name.clone().unwrap_or_else(|| container.name.clone());
                volumes::resource_value(api, pod, &name, &resource.resource, resource.divisor.as_ref())
                    .unwrap_or_default()
            } else if let Some(cm) = &from.config_map_key_ref {
                api.store()
                    .get_typed::<k8s_openapi::api::core::v1::ConfigMap>(namespace, &cm.name)
                    .and_then(|m| m.data.as_ref()?.get(&cm.key).cloned())
                    .unwrap_or_default()
            } else if let Some(sk) = &from.secret_key_ref {
                api.store()
                    .get_typed::<k8s_openapi::api::core::v1::Secret>(namespace, &sk.name)
                    .and_then(|s| s.data.as_ref()?.get(&sk.key).map(|b| String::from_utf8_lossy(&b.0).into_owned()))
                    .unwrap_or_default()
            } else {
                String::new()
            }
        } else {
            String::new()
        };
        env.retain(|(k, _)| *k != var.name);
        env.push((var.name.clone(), value));
    }
    env
}

/// Creates a container's root filesystem: the image's files plus the kubelet-managed `/etc` files.
fn container_root(
    backend: &mut Backend,
    pod: &Pod,
    runtime_ip: &str,
    hostname: &str,
    image: &str,
    now: SimTime,
) -> crate::fs::FsId {
    let ms = now.unix_millis() as u64;
    let mut tree = FsTree::new("overlay", "overlay", None, ms);
    for dir in [
        "/bin",
        "/dev",
        "/etc",
        "/home",
        "/proc",
        "/root",
        "/sys",
        "/tmp",
        "/usr/bin",
        "/usr/sbin",
        "/var/log",
        "/var/run",
        "/run",
    ] {
        let _ = tree.mkdir_all(dir, ms);
    }
    if let Ok(tmp) = tree.lookup_path("/tmp") {
        let _ = tree.set_mode(tmp, 0o1777);
    }
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let subdomain = pod.spec.as_ref().and_then(|s| s.subdomain.clone()).filter(|s| !s.is_empty());
    let host_line = match subdomain {
        Some(sub) => {
            format!("{runtime_ip}\t{hostname}.{sub}.{namespace}.svc.cluster.local\t{hostname}\n")
        }
        None => format!("{runtime_ip}\t{hostname}\n"),
    };
    let hosts = format!(
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{host_line}"
    );
    let files = [
        ("/etc/hostname", format!("{hostname}\n")),
        ("/etc/hosts", hosts),
        ("/etc/resolv.conf", crate::dns::resolv_conf(namespace)),
        ("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n".to_string()),
        ("/etc/group", "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n".to_string()),
    ];
    for (path, text) in files {
        let _ = tree.write_file_at(path, text.as_bytes(), ms);
    }
    match image_model(image) {
        Some(crate::runtime::ImageModel::Nginx) => {
            let _ = tree.write_file_at("/usr/share/nginx/html/index.html", sys::NGINX_INDEX.as_bytes(), ms);
            let _ = tree.write_file_at("/usr/share/nginx/html/50x.html", b"<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n</body>\n</html>\n", ms);
            let _ = tree.write_file_at("/etc/nginx/nginx.conf", b"user  nginx;\nworker_processes  auto;\n", ms);
            let _ = tree.write_file_at("/etc/nginx/conf.d/default.conf", b"server {\n    listen       80;\n    server_name  localhost;\n    location / {\n        root   /usr/share/nginx/html;\n        index  index.html index.htm;\n    }\n}\n", ms);
            let _ = tree.mkdir_all("/var/log/nginx", ms);
            let _ = tree.mkdir_all("/docker-entrypoint.d", ms);
        }
        Some(crate::runtime::ImageModel::Postgres) => {
            let _ = tree.mkdir_all("/var/lib/postgresql/data", ms);
            let _ = tree.mkdir_all("/docker-entrypoint-initdb.d", ms);
        }
        Some(crate::runtime::ImageModel::Mysql) => {
            let _ = tree.mkdir_all("/var/lib/mysql", ms);
        }
        Some(crate::runtime::ImageModel::Redis) => {
            let _ = tree.mkdir_all("/data", ms);
        }
        None => {}
    }
    backend.fs.insert(tree)
}

/// Creates and starts (or restarts) the container at `index`: a fresh root, its mounts, its process.
fn start_container(pod: &Pod, uid: &str, index: usize, node: &str, ctx: &mut Ctx<'_>) {
    let now = ctx.now();
    let key = pod_key(pod);
    let Some(spec) = container_spec(pod, index).cloned() else {
        return;
    };
    let Some(runtime) = ctx.backend.dataplane.pods.get(uid) else {
        return;
    };
    let (ip, hostname, volumes) = (runtime.ip.clone(), runtime.hostname.clone(), runtime.volumes.clone());
    let old_root = runtime.containers[index].root;
    let image = spec.image.clone().unwrap_or_default();
    let env = container_env(ctx.api, pod, &spec, &hostname);
    if let Some(old) = old_root {
        ctx.backend.fs.remove(old);
    }
    let root = container_root(ctx.backend, pod, &ip, &hostname, &image, now);
    let mounts = volumes::container_mounts(ctx.backend, root, &volumes, &spec, &env, now);
    let command: Vec<String> = spec.command.iter().flatten().map(|c| volumes::expand_env(c, &env)).collect();
    let args: Vec<String> = spec.args.iter().flatten().map(|c| volumes::expand_env(c, &env)).collect();
    let process = ctx.backend.dataplane.runtime.spawn(&image, &command, &args, &env);
    let container_id = format!("containerd://{}", hex_id(ctx.rng));
    let Some(runtime) = ctx.backend.dataplane.pods.get_mut(uid) else {
        return;
    };
    let c = &mut runtime.containers[index];
    c.root = Some(root);
    c.mounts = Some(mounts);
    c.process = Some(process);
    c.wake_at = Some(now);
    c.state = ContainerState::Running { started_at: now };
    c.container_id = container_id;
    c.env = env;
    c.stopping = false;
    c.probes = ProbeWorkers::default();
    c.ready = false;
    c.started = false;
    c.kill_at = None;
    let name = c.name.clone();
    let line = format!(
        "May 14 {} {node} containerd[812]: time=\"{}\" level=info msg=\"StartContainer for \\\"{}\\\" returns successfully\"\n",
        &now.rfc3339()[11..19],
        now.rfc3339(),
        &c.container_id["containerd://".len()..]
    );
    if let Some(root) = ctx.backend.dataplane.nodes.get(node).map(|n| n.root) {
        let mounts =
            crate::fs::MountNamespace::new(crate::fs::MountSpec { fs: root, subpath: String::new(), read_only: false });
        let _ = crate::fs::Vfs::new(&mut ctx.backend.fs, &mounts).write_file(
            "/var/log/syslog",
            line.as_bytes(),
            crate::fs::WriteMode::Append,
            now.unix_millis() as u64,
        );
    }
    record_container(ctx, &key, node, uid, &name, EventType::Normal, "Created", &format!("Created container: {name}"));
    record_container(ctx, &key, node, uid, &name, EventType::Normal, "Started", &format!("Started container {name}"));
}

/// Resumes every process of a sandbox that is due; records output and exits.
fn run_processes(api: &ApiServer, backend: &mut Backend, rng: &mut SimRng, uid: &str, now: SimTime, wake: &mut Wake) {
    let Some(count) = backend.dataplane.pods.get(uid).map(|p| p.containers.len()) else {
        return;
    };
    for index in 0..count {
        let Some(runtime) = backend.dataplane.pods.get(uid) else {
            return;
        };
        let c = &runtime.containers[index];
        if c.process.is_none() || !c.is_running() {
            continue;
        }
        if let Some(at) = c.wake_at.filter(|at| *at > now) {
            wake.bg(at);
            continue;
        }
        let poll = resume_one(api, backend, rng, uid, index, now);
        let Some(runtime) = backend.dataplane.pods.get_mut(uid) else {
            return;
        };
        let c = &mut runtime.containers[index];
        match poll {
            ProcessPoll::Sleep { until } => {
                c.wake_at = Some(until);
                wake.bg(until);
            }
            ProcessPoll::Wait { retry_at } => {
                let at = retry_at.max(now.plus(SimDuration::from_millis(100)));
                c.wake_at = Some(at);
                wake.bg(at);
            }
            ProcessPoll::BudgetExhausted => {
                let at = now.plus(SimDuration::from_secs(1));
                c.wake_at = Some(at);
                wake.bg(at);
            }
            ProcessPoll::Exited(code) => {
                c.flush_log(now);
                c.process = None;
                c.wake_at = None;
                let started_at = match c.state {
                    ContainerState::Running { started_at } => started_at,
                    _ => now,
                };
                c.state = ContainerState::Terminated(Terminated {
                    exit_code: code,
                    reason: if code == 0 { "Completed".to_string() } else { "Error".to_string() },
                    started_at,
                    finished_at: now,
                    container_id: c.container_id.clone(),
                });
                wake.fg(now);
            }
        }
    }
}

/// Runs one container's process until it suspends, with the container's view of the world.
fn resume_one(
    api: &ApiServer,
    backend: &mut Backend,
    rng: &mut SimRng,
    uid: &str,
    index: usize,
    now: SimTime,
) -> ProcessPoll {
    let Some(runtime) = backend.dataplane.pods.get_mut(uid) else {
        return ProcessPoll::Exited(0);
    };
    let namespace = runtime.key.namespace.clone();
    let hostname = runtime.hostname.clone();
    let ip = runtime.ip.clone();
    let c = &mut runtime.containers[index];
    let Some(mut process) = c.process.take() else {
        return ProcessPoll::Exited(0);
    };
    let Some(mounts) = c.mounts.clone() else {
        return ProcessPoll::Exited(0);
    };
    let env = c.env.clone();
    let (poll, output, side_logs) = {
        let Backend { fs, dataplane, .. } = &mut *backend;
        let mut sys = ContainerSys {
            fs,
            mounts: &mounts,
            now,
            rng,
            hostname,
            env,
            uid: 0,
            output: Vec::new(),
            api,
            namespace,
            pods: &dataplane.pods,
            side_logs: Vec::new(),
            client_ip: ip,
        };
        let poll = process.resume(&mut sys, STEP_BUDGET);
        (poll, sys.output, sys.side_logs)
    };
    apply_output(backend, uid, index, process, output, side_logs, now);
    poll
}

fn apply_output(
    backend: &mut Backend,
    uid: &str,
    index: usize,
    process: Box<dyn crate::runtime::Process>,
    output: Vec<(OutStream, Vec<u8>)>,
    side_logs: Vec<(String, String, String)>,
    now: SimTime,
) {
    if let Some(runtime) = backend.dataplane.pods.get_mut(uid) {
        let c = &mut runtime.containers[index];
        c.process = Some(process);
        for (stream, bytes) in output {
            c.append_log(now, stream, &bytes);
        }
    }
    for (target, container, line) in side_logs {
        if let Some(c) =
            backend.dataplane.pods.get_mut(&target).and_then(|p| p.containers.iter_mut().find(|c| c.name == container))
        {
            c.append_log(now, OutStream::Stdout, line.as_bytes());
        }
    }
}

/// Decides what happens to exited containers: restart now, back off, or stay terminated.
fn handle_exits(pod: &Pod, uid: &str, node: &str, ctx: &mut Ctx<'_>, wake: &mut Wake) {
    let now = ctx.now();
    let key = pod_key(pod);
    let policy = pod.spec.as_ref().and_then(|s| s.restart_policy.clone()).unwrap_or_else(|| "Always".to_string());
    let Some(count) = ctx.backend.dataplane.pods.get(uid).map(|p| p.containers.len()) else {
        return;
    };
    let started = ctx
        .backend
        .dataplane
        .pods
        .get(uid)
        .map_or(0, |p| if p.stage == SandboxStage::Running { count } else { p.next_start + 1 });
    for index in 0..count.min(started) {
        let Some(runtime) = ctx.backend.dataplane.pods.get(uid) else {
            return;
        };
        let c = &runtime.containers[index];
        let finished = match &c.state {
            ContainerState::Terminated(t) => t.clone(),
            ContainerState::Waiting { reason, .. } if reason == "CrashLoopBackOff" => match &c.last_terminated {
                Some(t) => t.clone(),
                None => continue,
            },
            _ => continue,
        };
        let restart = match policy.as_str() {
            "Never" => false,
            "OnFailure" => finished.exit_code != 0,
            _ => !(c.init && finished.exit_code == 0),
        };
        let restart = restart && !(c.init && finished.exit_code == 0);
        if !restart {
            continue;
        }
        // The kubelet's per-container backoff (IsInBackOffSince / Next).
        let in_backoff = c.backoff_updated.is_some_and(|updated| {
            finished.finished_at.since(updated).as_millis() <= 2 * BACKOFF_MAX_MS
                && now.since(finished.finished_at).as_millis() < c.backoff_ms
        });
        let name = c.name.clone();
        if in_backoff {
            let pod_name = format!("{}_{}({uid})", key.name, key.namespace);
            let due = finished.finished_at.plus(SimDuration::from_millis(c.backoff_ms));
            if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                let c = &mut p.containers[index];
                c.last_terminated = Some(finished.clone());
                c.state = ContainerState::Waiting {
                    reason: "CrashLoopBackOff".to_string(),
                    message: format!(
                        "back-off {} restarting failed container={name} pod={pod_name}",
                        go_backoff(c.backoff_ms)
                    ),
                };
            }
            record_container(
                ctx,
                &key,
                node,
                uid,
                &name,
                EventType::Warning,
                "BackOff",
                &format!("Back-off restarting failed container {name} in pod {pod_name}"),
            );
            wake.bg(due);
            continue;
        }
        if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
            let c = &mut p.containers[index];
            let expired = c
                .backoff_updated
                .is_none_or(|updated| finished.finished_at.since(updated).as_millis() > 2 * BACKOFF_MAX_MS);
            c.backoff_ms = if expired { BACKOFF_INITIAL_MS } else { (c.backoff_ms * 2).min(BACKOFF_MAX_MS) };
            c.backoff_updated = Some(finished.finished_at);
            c.last_terminated = Some(finished);
            c.restart_count += 1;
            c.previous_log = std::mem::take(&mut c.log);
        }
        let image = container_spec(pod, index).and_then(|s| s.image.clone()).unwrap_or_default();
        let spec_policy = container_spec(pod, index).map(pull_policy).unwrap_or_default();
        if spec_policy == "Always" {
            record_container(
                ctx,
                &key,
                node,
                uid,
                &name,
                EventType::Normal,
                "Pulling",
                &format!("Pulling image \"{image}\""),
            );
            let took = go_duration(300 + ctx.rng.below(400));
            let size = image_size_bytes(&image);
            record_container(
                ctx,
                &key,
                node,
                uid,
                &name,
                EventType::Normal,
                "Pulled",
                &format!(
                    "Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {size} bytes."
                ),
            );
        } else {
            record_container(
                ctx,
                &key,
                node,
                uid,
                &name,
                EventType::Normal,
                "Pulled",
                &format!("Container image \"{image}\" already present on machine"),
            );
        }
        start_container(pod, uid, index, node, ctx);
        run_processes(ctx.api, ctx.backend, ctx.rng, uid, now, wake);
    }
}

/// `10s`, `20s`, `40s`, `1m20s`, `2m40s`, `5m0s` as the kubelet's message prints the backoff.
fn go_backoff(ms: u64) -> String {
    let seconds = ms / 1000;
    if seconds < 60 { format!("{seconds}s") } else { format!("{}m{}s", seconds / 60, seconds % 60) }
}

/// Evicts a pod whose disk-backed emptyDir exceeds its sizeLimit (the eviction manager's check).
fn check_eviction(pod: &Pod, uid: &str, node: &str, ctx: &mut Ctx<'_>) {
    let now = ctx.now();
    let Some(runtime) = ctx.backend.dataplane.pods.get(uid) else {
        return;
    };
    if runtime.evicted.is_some() {
        return;
    }
    let mut message = None;
    for (name, volume) in &runtime.volumes {
        let Some(limit) = volume.size_limit_bytes else {
            continue;
        };
        let used = ctx.backend.fs.get(volume.fs).map_or(0, FsTree::used_bytes);
        let memory = ctx.backend.fs.get(volume.fs).is_some_and(|t| t.fs_type() == "tmpfs");
        if used > limit && !memory {
            let spec_limit = pod
                .spec
                .as_ref()
                .and_then(|s| s.volumes.as_ref())
                .and_then(|v| v.iter().find(|v| v.name == *name))
                .and_then(|v| v.empty_dir.as_ref()?.size_limit.as_ref().map(|q| q.0.clone()))
                .unwrap_or_default();
            message = Some(format!("Usage of EmptyDir volume \"{name}\" exceeds the limit \"{spec_limit}\". "));
            break;
        }
    }
    let Some(message) = message else { return };
    let key = pod_key(pod);
    record(ctx, &key, node, EventType::Warning, "Evicted", &message);
    let names: Vec<String> = ctx
        .backend
        .dataplane
        .pods
        .get(uid)
        .map(|p| p.containers.iter().filter(|c| c.is_running()).map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    for name in names {
        record_container(
            ctx,
            &key,
            node,
            uid,
            &name,
            EventType::Normal,
            "Killing",
            &format!("Stopping container {name}"),
        );
    }
    kill_all(ctx.backend, uid, now);
    if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
        p.evicted = Some(message);
        p.stage = SandboxStage::Finished;
    }
}

/// SIGKILLs every running container of a sandbox (exit code 137).
fn kill_all(backend: &mut Backend, uid: &str, now: SimTime) {
    let Some(runtime) = backend.dataplane.pods.get_mut(uid) else {
        return;
    };
    for c in &mut runtime.containers {
        c.kill(now);
    }
}

/// Removes a sandbox: its containers' roots and the volumes it owns.
fn tear_down(backend: &mut Backend, uid: &str) {
    let Some(runtime) = backend.dataplane.pods.remove(uid) else {
        return;
    };
    for c in &runtime.containers {
        if let Some(root) = c.root {
            backend.fs.remove(root);
        }
    }
    for volume in runtime.volumes.values() {
        if volume.owned {
            backend.fs.remove(volume.fs);
        }
    }
}

/// Graceful termination: SIGTERM and `Killing` events once, SIGKILL at the deadline, then removal.
fn terminate(
    key: &ObjectKey,
    pod: &Pod,
    uid: &str,
    ctx: &mut Ctx<'_>,
    mut wake: Wake,
) -> Result<Action, ReconcileError> {
    let now = ctx.now();
    let node = ctx.backend.dataplane.pods.get(uid).map(|p| p.node.clone()).unwrap_or_default();
    let deadline = pod.metadata.deletion_timestamp.as_ref().map_or(now, SimTime::from_k8s_time);
    let first = ctx.backend.dataplane.pods.get(uid).is_some_and(|p| !p.terminating);
    if first {
        if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
            p.terminating = true;
        }
        let running: Vec<usize> = ctx
            .backend
            .dataplane
            .pods
            .get(uid)
            .map(|p| (0..p.containers.len()).filter(|i| p.containers[*i].is_running()).collect())
            .unwrap_or_default();
        for index in running {
            let name =
                ctx.backend.dataplane.pods.get(uid).map(|p| p.containers[index].name.clone()).unwrap_or_default();
            record_container(
                ctx,
                key,
                &node,
                uid,
                &name,
                EventType::Normal,
                "Killing",
                &format!("Stopping container {name}"),
            );
            let handled = signal_term(ctx.api, ctx.backend, ctx.rng, uid, index, now);
            if let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
                let c = &mut p.containers[index];
                if handled {
                    c.stopping = true;
                    c.wake_at = Some(now.plus(SimDuration::from_millis(300)));
                }
            }
        }
    }
    run_processes(ctx.api, ctx.backend, ctx.rng, uid, now, &mut Wake::default());
    if now >= deadline {
        kill_all(ctx.backend, uid, now);
    }
    let still_running =
        ctx.backend.dataplane.pods.get(uid).map_or(Vec::new(), |p| {
            p.containers.iter().filter(|c| c.is_running()).map(|c| c.wake_at).collect::<Vec<_>>()
        });
    if still_running.is_empty() {
        // The status manager reports the stopped containers (and the terminal phase) first.
        status::write(key, pod, uid, &node, ctx, &mut wake)?;
        tear_down(ctx.backend, uid);
        ctx.api.finish_pod_deletion(Component::Kubelet, key);
        return Ok(Action::await_change());
    }
    let mut next = deadline;
    for at in still_running.into_iter().flatten() {
        next = next.min(at);
    }
    wake.fg(next.max(now));
    Ok(wake.action(now))
}

fn signal_term(
    api: &ApiServer,
    backend: &mut Backend,
    rng: &mut SimRng,
    uid: &str,
    index: usize,
    now: SimTime,
) -> bool {
    let Some(runtime) = backend.dataplane.pods.get_mut(uid) else {
        return false;
    };
    let namespace = runtime.key.namespace.clone();
    let hostname = runtime.hostname.clone();
    let ip = runtime.ip.clone();
    let c = &mut runtime.containers[index];
    let Some(mut process) = c.process.take() else {
        return false;
    };
    let Some(mounts) = c.mounts.clone() else {
        return false;
    };
    let env = c.env.clone();
    let (handled, output, side_logs) = {
        let Backend { fs, dataplane, .. } = &mut *backend;
        let mut sys = ContainerSys {
            fs,
            mounts: &mounts,
            now,
            rng,
            hostname,
            env,
            uid: 0,
            output: Vec::new(),
            api,
            namespace,
            pods: &dataplane.pods,
            side_logs: Vec::new(),
            client_ip: ip,
        };
        let handled = process.terminate(&mut sys);
        (handled, sys.output, sys.side_logs)
    };
    apply_output(backend, uid, index, process, output, side_logs, now);
    handled
}

/// The node object of a pod's node, for its InternalIP.
fn node_ip(api: &ApiServer, node: &str) -> String {
    api.store()
        .get_typed::<Node>("", node)
        .and_then(|n| {
            n.status.as_ref()?.addresses.as_ref()?.iter().find(|a| a.type_ == "InternalIP").map(|a| a.address.clone())
        })
        .unwrap_or_default()
}

/// Pods whose sandboxes run on `node`, and pods bound to it, for waking them when the node changes.
pub fn pods_on_node(api: &ApiServer, dataplane: &Dataplane, node: &str) -> Vec<ObjectKey> {
    let mut keys: Vec<ObjectKey> = dataplane.pods.values().filter(|p| p.node == node).map(|p| p.key.clone()).collect();
    for object in api.store().list(Kind::Pod) {
        if let Object::Pod(pod) = object
            && pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node)
        {
            keys.push(object.key());
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_duration_should_print_like_go() {
        assert_eq!(go_duration(800), "800ms");
        assert_eq!(go_duration(1200), "1.2s");
        assert_eq!(go_duration(1234), "1.234s");
        assert_eq!(go_duration(2000), "2s");
        assert_eq!(go_duration(123_500), "2m3.5s");
        assert_eq!(go_backoff(10_000), "10s");
        assert_eq!(go_backoff(80_000), "1m20s");
        assert_eq!(go_backoff(300_000), "5m0s");
    }

    #[test]
    fn projection_updates_should_wait_for_the_next_periodic_sync() {
        let admitted = SimTime::ZERO.plus(SimDuration::from_secs(1000));
        let seen = admitted.plus(SimDuration::from_secs(75));
        assert_eq!(next_periodic_sync(admitted, seen), admitted.plus(SimDuration::from_secs(120)));
        assert_eq!(next_periodic_sync(admitted, admitted), admitted.plus(SimDuration::from_secs(60)));
    }

    #[test]
    fn mount_retries_should_back_off_exponentially_up_to_two_minutes() {
        let delays: Vec<u64> = (1..=10).map(|n| mount_retry_delay(n).as_millis()).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 122_000, 122_000]);
    }
}
