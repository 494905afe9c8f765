//! The kubelet's status manager: the pod status it reports from its sandbox (`generateAPIPodStatus`).

use super::world::{ContainerRuntimeState, ContainerState, PodRuntime, SandboxStage};
use super::{Wake, image_id, node_ip};
use crate::api::{ObjectKey, Typed};
use crate::controllers::{Ctx, ReconcileError};
use crate::sim::{Component, SimTime};
use k8s_openapi::api::core::v1::{
    ContainerState as K8sState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, HostIP, Pod, PodCondition, PodIP,
};

fn k8s_state(state: &ContainerState) -> K8sState {
    match state {
        ContainerState::Waiting { reason, message } => K8sState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.clone()),
                message: Some(message.clone()).filter(|m| !m.is_empty()),
            }),
            ..Default::default()
        },
        ContainerState::Running { started_at } => K8sState {
            running: Some(ContainerStateRunning { started_at: Some(started_at.to_k8s_time()) }),
            ..Default::default()
        },
        ContainerState::Terminated(t) => K8sState { terminated: Some(terminated(t)), ..Default::default() },
    }
}

fn terminated(t: &super::Terminated) -> ContainerStateTerminated {
    ContainerStateTerminated {
        exit_code: t.exit_code,
        reason: Some(t.reason.clone()),
        started_at: Some(t.started_at.to_k8s_time()),
        finished_at: Some(t.finished_at.to_k8s_time()),
        container_id: Some(t.container_id.clone()).filter(|id| !id.is_empty()),
        ..Default::default()
    }
}

fn container_status(pod: &Pod, c: &ContainerRuntimeState, now: SimTime, wake: &mut Wake) -> ContainerStatus {
    let _ = (now, wake);
    // The prober's verdicts; init containers are never ready while they run to completion.
    let ready = c.is_running() && c.ready && !c.init;
    let started = c.is_running() && (c.started || c.init);
    let image_id = if c.container_id.is_empty() { String::new() } else { image_id(&c.image) };
    let mounts = pod
        .spec
        .as_ref()
        .and_then(|s| s.containers.iter().chain(s.init_containers.iter().flatten()).find(|x| x.name == c.name))
        .and_then(|x| x.volume_mounts.clone())
        .map(|mounts| {
            mounts
                .into_iter()
                .map(|m| k8s_openapi::api::core::v1::VolumeMountStatus {
                    mount_path: m.mount_path,
                    name: m.name,
                    read_only: m.read_only.filter(|r| *r),
                    recursive_read_only: m.read_only.filter(|r| *r).map(|_| "Disabled".to_string()),
                })
                .collect::<Vec<_>>()
        })
        .filter(|m| !m.is_empty() && !c.container_id.is_empty());
    ContainerStatus {
        name: c.name.clone(),
        image: c.image.clone(),
        image_id,
        container_id: Some(c.container_id.clone()).filter(|id| !id.is_empty()),
        ready,
        started: Some(started),
        restart_count: c.restart_count,
        state: Some(k8s_state(&c.state)),
        last_state: Some(
            c.last_terminated
                .as_ref()
                .map_or_else(K8sState::default, |t| K8sState { terminated: Some(terminated(t)), ..Default::default() }),
        ),
        volume_mounts: mounts,
        ..Default::default()
    }
}

/// The pod phase from its containers (`getPhase` in the kubelet).
fn phase(pod: &Pod, runtime: &PodRuntime) -> &'static str {
    if runtime.evicted.is_some() {
        return "Failed";
    }
    let policy = pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    let inits: Vec<&ContainerRuntimeState> = runtime.containers.iter().filter(|c| c.init).collect();
    let init_failed = inits.iter().any(|c| matches!(&c.state, ContainerState::Terminated(t) if t.exit_code != 0));
    if init_failed && policy == "Never" {
        return "Failed";
    }
    let initialized = inits.iter().all(|c| matches!(&c.state, ContainerState::Terminated(t) if t.exit_code == 0));
    if !initialized {
        return "Pending";
    }
    let (mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for c in runtime.containers.iter().filter(|c| !c.init) {
        match &c.state {
            ContainerState::Running { .. } => running += 1,
            ContainerState::Terminated(t) => {
                stopped += 1;
                if t.exit_code == 0 {
                    succeeded += 1;
                }
            }
            ContainerState::Waiting { .. } if c.last_terminated.is_some() => stopped += 1,
            ContainerState::Waiting { .. } => waiting += 1,
        }
    }
    match () {
        _ if waiting > 0 => "Pending",
        _ if running > 0 => "Running",
        // A pod being deleted whose containers have all stopped is terminal (getPhase's podIsTerminal):
        // the kubelet reports Succeeded or Failed before it deletes the pod.
        _ if stopped > 0 && runtime.terminating => {
            if stopped == succeeded {
                "Succeeded"
            } else {
                "Failed"
            }
        }
        _ if stopped > 0 => {
            if policy == "Always" {
                "Running"
            } else if stopped == succeeded {
                "Succeeded"
            } else if policy == "Never" {
                "Failed"
            } else {
                "Running"
            }
        }
        _ => "Pending",
    }
}

fn condition(
    old: &[PodCondition],
    type_: &str,
    ok: bool,
    reason: Option<&str>,
    message: Option<String>,
    now: SimTime,
) -> PodCondition {
    let status = if ok { "True" } else { "False" }.to_string();
    let previous = old.iter().find(|c| c.type_ == type_);
    let since = match previous {
        Some(p) if p.status == status => p.last_transition_time.clone(),
        _ => Some(now.to_k8s_time()),
    };
    PodCondition {
        type_: type_.to_string(),
        status,
        reason: reason.map(str::to_string),
        message,
        last_transition_time: since,
        last_probe_time: None,
        ..Default::default()
    }
}

/// Computes the status the kubelet reports and writes it when it changed.
pub(super) fn write(
    key: &ObjectKey,
    pod: &Pod,
    uid: &str,
    node: &str,
    ctx: &mut Ctx<'_>,
    wake: &mut Wake,
) -> Result<(), ReconcileError> {
    let now = ctx.now();
    let Some(runtime) = ctx.backend.dataplane.pods.get(uid).cloned() else {
        return Ok(());
    };
    let old = pod.status.clone().unwrap_or_default();
    let old_conditions = old.conditions.clone().unwrap_or_default();
    let mut status = old.clone();
    let phase = phase(pod, &runtime);
    status.phase = Some(phase.to_string());
    let host_ip = node_ip(ctx.api, node);
    status.host_ip = Some(host_ip.clone());
    status.host_ips = Some(vec![HostIP { ip: host_ip }]);
    status.start_time = Some(runtime.admitted_at.to_k8s_time());
    if !runtime.ip.is_empty() {
        status.pod_ip = Some(runtime.ip.clone());
        status.pod_ips = Some(vec![PodIP { ip: runtime.ip.clone() }]);
    }
    let mut statuses = Vec::new();
    let mut init_statuses = Vec::new();
    for c in &runtime.containers {
        let s = container_status(pod, c, now, wake);
        if c.init { init_statuses.push(s) } else { statuses.push(s) }
    }
    let terminal = phase == "Succeeded" || phase == "Failed";
    if terminal {
        for s in statuses.iter_mut() {
            s.ready = false;
        }
    }
    let unready: Vec<String> = statuses.iter().filter(|s| !s.ready).map(|s| s.name.clone()).collect();
    let incomplete: Vec<String> = runtime
        .containers
        .iter()
        .filter(|c| c.init && !matches!(&c.state, ContainerState::Terminated(t) if t.exit_code == 0))
        .map(|c| c.name.clone())
        .collect();
    status.container_statuses = Some(statuses);
    status.init_container_statuses = if init_statuses.is_empty() { None } else { Some(init_statuses) };
    let sandbox = runtime.stage != SandboxStage::Volumes && !(terminal && runtime.stage == SandboxStage::Finished);
    let mut conditions = Vec::new();
    if runtime.evicted.is_some() {
        conditions.push(PodCondition {
            type_: "DisruptionTarget".to_string(),
            status: "True".to_string(),
            reason: Some("TerminationByKubelet".to_string()),
            message: runtime.evicted.clone().map(|m| m.trim_end().to_string()),
            last_transition_time: Some(now.to_k8s_time()),
            ..Default::default()
        });
    }
    conditions.push(condition(&old_conditions, "PodReadyToStartContainers", sandbox, None, None, now));
    let init_message =
        (!incomplete.is_empty()).then(|| format!("containers with incomplete status: [{}]", incomplete.join(" ")));
    let init_ok = incomplete.is_empty() || (terminal && runtime.containers.iter().all(|c| !c.init));
    conditions.push(condition(
        &old_conditions,
        "Initialized",
        init_ok,
        (!init_ok).then_some("ContainersNotInitialized"),
        init_message,
        now,
    ));
    let ready = unready.is_empty() && !terminal;
    let (reason, message) = if ready {
        (None, None)
    } else if terminal {
        (Some("PodCompleted"), None)
    } else {
        (Some("ContainersNotReady"), Some(format!("containers with unready status: [{}]", unready.join(" "))))
    };
    // The node lifecycle controller marks pods of an unreachable node not ready; keep its verdict.
    conditions.push(condition(&old_conditions, "Ready", ready, reason, message.clone(), now));
    conditions.push(condition(&old_conditions, "ContainersReady", ready, reason, message, now));
    match old_conditions.iter().find(|c| c.type_ == "PodScheduled") {
        Some(scheduled) => conditions.push(scheduled.clone()),
        None => conditions.push(condition(&old_conditions, "PodScheduled", true, None, None, now)),
    }
    if let Some(existing) = old_conditions.iter().find(|c| c.type_ == "DisruptionTarget")
        && runtime.evicted.is_none()
    {
        conditions.insert(0, existing.clone());
    }
    status.conditions = Some(conditions);
    if let Some(message) = &runtime.evicted {
        status.reason = Some("Evicted".to_string());
        status.message = Some(message.clone());
    }
    if terminal && let Some(p) = ctx.backend.dataplane.pods.get_mut(uid) {
        p.stage = SandboxStage::Finished;
    }
    if serde_json::to_value(&status).ok() == serde_json::to_value(&old).ok() {
        return Ok(());
    }
    let mut updated = pod.clone();
    updated.status = Some(status);
    ctx.api.update_status(Component::Kubelet, updated.into_object())?;
    let _ = key;
    Ok(())
}
