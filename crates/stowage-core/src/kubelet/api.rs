//! The data plane's API on [`Cluster`]: node failure, `kubectl exec`, `kubectl logs`, node shells, DNS.

use super::world::{LogLine, NodeState};
use super::{ContainerSys, ensure_node, pods_on_node};
use crate::api::{Kind, ObjectKey};
use crate::apiserver::DeleteOptions;
use crate::cluster::Cluster;
use crate::fs::{FsId, FsStore};
use crate::runtime::{DnsAnswer, OutStream, ProcessPoll, ProcessSys};
use crate::sim::{Component, SimDuration, TraceVerb};
use k8s_openapi::api::core::v1::Pod;

/// Why `exec` or `logs` cannot reach a container.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContainerError {
    /// No such pod.
    #[error("pods \"{0}\" not found")]
    PodNotFound(String),
    /// No such container in the pod.
    #[error("container {container} is not valid for pod {pod}")]
    ContainerNotFound {
        /// The pod.
        pod: String,
        /// The container asked for.
        container: String,
    },
    /// The pod has no running sandbox yet (Pending) or any more (Succeeded, Failed).
    #[error("pod {pod} does not have a host assigned")]
    NotScheduled {
        /// The pod.
        pod: String,
    },
    /// `kubectl exec` into a finished pod.
    #[error("cannot exec into a container in a completed pod; current phase is {phase}")]
    Completed {
        /// The phase.
        phase: String,
    },
    /// The container is not running.
    #[error("unable to upgrade connection: container not found (\"{container}\")")]
    NotRunning {
        /// The container.
        container: String,
    },
    /// `kubectl logs` of a container that has not started yet.
    #[error("container \"{container}\" in pod \"{pod}\" is waiting to start: {reason}")]
    Waiting {
        /// The container.
        container: String,
        /// The pod.
        pod: String,
        /// Its waiting reason (`ContainerCreating`).
        reason: String,
    },
    /// `kubectl logs --previous` without a previous instance.
    #[error("previous terminated container \"{container}\" in pod \"{pod}\" not found")]
    NoPrevious {
        /// The container.
        container: String,
        /// The pod.
        pod: String,
    },
}

/// The output of a command run with `kubectl exec`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecOutput {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit code (130 when it would wait for input forever, like `tail -f` interrupted).
    pub exit_code: i32,
}

/// The longest simulated time one `exec` may sleep through before it is interrupted.
pub const EXEC_SLEEP_MAX: SimDuration = SimDuration::from_secs(3600);

impl Cluster {
    /// Stops, partitions or restores a node. The control plane notices after the grace period.
    pub fn set_node_state(&mut self, node: &str, state: NodeState) {
        let now = self.now();
        let index = self.api().store().list(Kind::Node).position(|n| n.name() == node).unwrap_or(0);
        let (api, backend, _) = self.parts_mut();
        let machine = ensure_node(backend, node, index, now);
        if machine.state == state {
            return;
        }
        let was_stopped = machine.state == NodeState::Stopped;
        machine.state = state;
        machine.state_since = now;
        api.note(
            Component::User,
            Component::Kubelet,
            TraceVerb::Note,
            Some(&ObjectKey::cluster(Kind::Node, node)),
            format!("node is now {state:?}"),
        );
        if was_stopped && state == NodeState::Ready {
            // The machine rebooted: every container of its sandboxes starts again.
            let uids: Vec<String> =
                backend.dataplane.pods.values().filter(|p| p.node == node).map(|p| p.uid.clone()).collect();
            for uid in uids {
                if let Some(sandbox) = backend.dataplane.pods.get_mut(&uid) {
                    for c in sandbox.containers.iter_mut().filter(|c| c.is_running()) {
                        if let super::ContainerState::Running { started_at } = c.state {
                            c.process = None;
                            c.state = super::ContainerState::Terminated(super::Terminated {
                                exit_code: 255,
                                reason: "Unknown".to_string(),
                                started_at,
                                finished_at: now,
                                container_id: c.container_id.clone(),
                            });
                        }
                    }
                }
            }
        }
        let mut keys = pods_on_node(api, &backend.dataplane, node);
        keys.push(ObjectKey::cluster(Kind::Node, node));
        self.after_write(&keys);
    }

    /// A node's state as the playground set it.
    pub fn node_state(&self, node: &str) -> NodeState {
        self.backend().dataplane.node_state(node)
    }

    /// A node's root filesystem (for `kubectl debug node/x` and `ssh`), created on first use.
    pub fn node_root(&mut self, node: &str) -> FsId {
        let now = self.now();
        let index = self.api().store().list(Kind::Node).position(|n| n.name() == node).unwrap_or(0);
        let (_, backend, _) = self.parts_mut();
        ensure_node(backend, node, index, now).root
    }

    /// Every filesystem, mutably (node shells write through a mount namespace of their own).
    pub fn fs_mut(&mut self) -> &mut FsStore {
        let (_, backend, _) = self.parts_mut();
        &mut backend.fs
    }

    /// Every filesystem.
    pub fn fs(&self) -> &FsStore {
        &self.backend().fs
    }

    /// Resolves `name` as a pod in `namespace` would.
    pub fn dns_lookup(&self, namespace: &str, name: &str) -> DnsAnswer {
        crate::dns::resolve(self.api(), namespace, name)
    }

    /// Evicts a pod (the Eviction API `kubectl drain` uses): a graceful delete.
    ///
    /// # Errors
    /// NotFound.
    pub fn evict(&mut self, namespace: &str, name: &str) -> Result<(), crate::ApiError> {
        let key = ObjectKey::namespaced(Kind::Pod, namespace, name);
        let (api, _, _) = self.parts_mut();
        api.delete(Component::User, &key, DeleteOptions::default())?;
        self.after_write(&[]);
        Ok(())
    }

    fn running_sandbox(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
    ) -> Result<(String, usize), ContainerError> {
        let object = self
            .api()
            .store()
            .get_typed::<Pod>(namespace, pod)
            .ok_or_else(|| ContainerError::PodNotFound(pod.to_string()))?;
        let uid = object.metadata.uid.clone().unwrap_or_default();
        let spec = object.spec.clone().unwrap_or_default();
        let name = container
            .map(str::to_string)
            .unwrap_or_else(|| spec.containers.first().map(|c| c.name.clone()).unwrap_or_default());
        let known = spec.containers.iter().chain(spec.init_containers.iter().flatten()).any(|c| c.name == name);
        if !known {
            return Err(ContainerError::ContainerNotFound { pod: pod.to_string(), container: name });
        }
        let phase = object.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
        if phase == "Succeeded" || phase == "Failed" {
            return Err(ContainerError::Completed { phase });
        }
        if spec.node_name.as_deref().is_none_or(str::is_empty) {
            return Err(ContainerError::NotScheduled { pod: pod.to_string() });
        }
        let sandbox =
            self.backend().dataplane.pods.get(&uid).ok_or(ContainerError::NotRunning { container: name.clone() })?;
        let index = sandbox
            .containers
            .iter()
            .position(|c| c.name == name)
            .ok_or(ContainerError::NotRunning { container: name.clone() })?;
        if !sandbox.containers[index].is_running() {
            return Err(ContainerError::NotRunning { container: name });
        }
        Ok((uid, index))
    }

    /// Runs `f` with a running container's view of the world (its filesystem, DNS, HTTP), as
    /// `kubectl exec -it ... sh` does for an interactive shell.
    ///
    /// # Errors
    /// [`ContainerError`] when the pod or container does not exist or does not run.
    pub fn with_container_sys<R>(
        &mut self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        f: impl FnOnce(&mut dyn ProcessSys) -> R,
    ) -> Result<R, ContainerError> {
        let (uid, index) = self.running_sandbox(namespace, pod, container)?;
        let now = self.now();
        let (api, backend, rng) = self.parts_mut();
        let sandbox = &backend.dataplane.pods[&uid];
        let c = &sandbox.containers[index];
        let mounts = c.mounts.clone().unwrap_or_else(|| {
            crate::fs::MountNamespace::new(crate::fs::MountSpec {
                fs: FsId(0),
                subpath: String::new(),
                read_only: false,
            })
        });
        let (hostname, env, ip, ns) =
            (sandbox.hostname.clone(), c.env.clone(), sandbox.ip.clone(), sandbox.key.namespace.clone());
        let crate::backend::Backend { fs, dataplane, .. } = backend;
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
            namespace: ns,
            pods: &dataplane.pods,
            side_logs: Vec::new(),
            client_ip: ip,
        };
        let result = f(&mut sys);
        let side_logs = std::mem::take(&mut sys.side_logs);
        drop(sys);
        for (target, name, line) in side_logs {
            if let Some(c) =
                backend.dataplane.pods.get_mut(&target).and_then(|p| p.containers.iter_mut().find(|c| c.name == name))
            {
                c.append_log(now, OutStream::Stdout, line.as_bytes());
            }
        }
        Ok(result)
    }

    /// Runs `argv` in a running container to completion, as `kubectl exec POD -- ARGV` does.
    /// A `sleep` lets simulated time pass (the cluster runs meanwhile); waiting for input
    /// (`tail -f`) ends the command with exit code 130.
    ///
    /// # Errors
    /// [`ContainerError`] when the pod or container does not exist or does not run.
    pub fn exec(
        &mut self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        argv: &[String],
    ) -> Result<ExecOutput, ContainerError> {
        let (uid, index) = self.running_sandbox(namespace, pod, container)?;
        let (image, env) = {
            let c = &self.backend().dataplane.pods[&uid].containers[index];
            (c.image.clone(), c.env.clone())
        };
        let runtime = self.backend().dataplane.runtime;
        let mut process = runtime.spawn(&image, argv, &[], &env);
        let mut output = ExecOutput::default();
        let deadline = self.now().plus(EXEC_SLEEP_MAX);
        for _ in 0..10_000 {
            let (poll, written) = self.with_container_sys(namespace, pod, container, |sys| {
                let mut capture = Capture { inner: sys, out: Vec::new() };
                let poll = process.resume(&mut capture, super::STEP_BUDGET);
                (poll, capture.out)
            })?;
            for (stream, bytes) in written {
                let text = String::from_utf8_lossy(&bytes);
                match stream {
                    OutStream::Stdout => output.stdout.push_str(&text),
                    OutStream::Stderr => output.stderr.push_str(&text),
                }
            }
            match poll {
                ProcessPoll::Exited(code) => {
                    output.exit_code = code;
                    return Ok(output);
                }
                ProcessPoll::Sleep { until } if until <= deadline => {
                    let now = self.now();
                    self.advance(until.since(now));
                }
                ProcessPoll::BudgetExhausted => {}
                ProcessPoll::Sleep { .. } | ProcessPoll::Wait { .. } => {
                    // Ctrl-C: the later stages of a waiting pipeline flush what they have.
                    let written = self.with_container_sys(namespace, pod, container, |sys| {
                        let mut capture = Capture { inner: sys, out: Vec::new() };
                        process.interrupt(&mut capture);
                        capture.out
                    })?;
                    for (stream, bytes) in written {
                        let text = String::from_utf8_lossy(&bytes);
                        match stream {
                            OutStream::Stdout => output.stdout.push_str(&text),
                            OutStream::Stderr => output.stderr.push_str(&text),
                        }
                    }
                    output.exit_code = 130;
                    return Ok(output);
                }
            }
        }
        output.exit_code = 124;
        Ok(output)
    }

    /// A container's log (`kubectl logs`), or its previous instance's (`--previous`).
    ///
    /// # Errors
    /// [`ContainerError`] when there is no such pod, container or instance.
    pub fn container_logs(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
    ) -> Result<Vec<LogLine>, ContainerError> {
        let object = self
            .api()
            .store()
            .get_typed::<Pod>(namespace, pod)
            .ok_or_else(|| ContainerError::PodNotFound(pod.to_string()))?;
        let uid = object.metadata.uid.clone().unwrap_or_default();
        let spec = object.spec.clone().unwrap_or_default();
        let name = container
            .map(str::to_string)
            .unwrap_or_else(|| spec.containers.first().map(|c| c.name.clone()).unwrap_or_default());
        let known = spec.containers.iter().chain(spec.init_containers.iter().flatten()).any(|c| c.name == name);
        if !known {
            return Err(ContainerError::ContainerNotFound { pod: pod.to_string(), container: name });
        }
        let sandbox = self.backend().dataplane.pods.get(&uid);
        let Some(c) = sandbox.and_then(|s| s.containers.iter().find(|c| c.name == name)) else {
            return Err(ContainerError::Waiting {
                container: name,
                pod: pod.to_string(),
                reason: "ContainerCreating".to_string(),
            });
        };
        if previous {
            if c.restart_count == 0 {
                return Err(ContainerError::NoPrevious { container: name, pod: pod.to_string() });
            }
            return Ok(c.previous_log.clone());
        }
        if c.container_id.is_empty() {
            let reason = match &c.state {
                super::ContainerState::Waiting { reason, .. } => reason.clone(),
                _ => "ContainerCreating".to_string(),
            };
            return Err(ContainerError::Waiting { container: name, pod: pod.to_string(), reason });
        }
        let mut lines = c.log.clone();
        for (stream, text) in &c.partial {
            if !text.is_empty() {
                lines.push(LogLine { at: self.now(), stream: *stream, text: text.clone() });
            }
        }
        Ok(lines)
    }

    /// The data plane, read-only (UIs draw sandboxes and node states from it).
    pub fn dataplane(&self) -> &super::Dataplane {
        &self.backend().dataplane
    }
}

/// Keeps an exec's output instead of writing it to the container's log.
struct Capture<'a> {
    inner: &'a mut dyn ProcessSys,
    out: Vec<(OutStream, Vec<u8>)>,
}

impl ProcessSys for Capture<'_> {
    fn fs(&mut self) -> crate::fs::Vfs<'_> {
        self.inner.fs()
    }
    fn now(&self) -> crate::SimTime {
        self.inner.now()
    }
    fn random_u64(&mut self) -> u64 {
        self.inner.random_u64()
    }
    fn hostname(&self) -> String {
        self.inner.hostname()
    }
    fn env(&self) -> Vec<(String, String)> {
        self.inner.env()
    }
    fn write(&mut self, stream: OutStream, bytes: &[u8]) {
        match self.out.last_mut() {
            Some((last, buffer)) if *last == stream => buffer.extend_from_slice(bytes),
            _ => self.out.push((stream, bytes.to_vec())),
        }
    }
    fn dns_lookup(&mut self, name: &str) -> DnsAnswer {
        self.inner.dns_lookup(name)
    }
    fn http_get(&mut self, url: &str) -> Result<crate::runtime::HttpResponse, String> {
        self.inner.http_get(url)
    }
}
