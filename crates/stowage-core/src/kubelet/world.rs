//! The data plane's state: nodes' filesystems and health, pod sandboxes, containers and their logs.
//!
//! # Model
//! - Every node has a root filesystem (`/var/log/syslog`, `/var/lib/kubelet`, `/etc`...), a pod CIDR
//!   `10.244.<index>.0/24` and a [`NodeState`]. A stopped node runs nothing; a partitioned node keeps
//!   running what it runs but cannot talk to the API server.
//! - A pod sandbox lives on one node and is keyed by the pod's uid, so a replacement pod with the same
//!   name is a different sandbox (and a force-deleted pod on a partitioned node keeps running).
//! - Each container has its own root filesystem (the image plus its writable layer), recreated when
//!   the container restarts; volumes are trees shared exactly as the pod declares them.
//! - Logs are kept per container (current and previous instance), bounded.

use crate::api::ObjectKey;
use crate::backend::Backend;
use crate::fs::{FsId, FsTree, MountNamespace};
use crate::runtime::{BUILTIN_RUNTIME, ContainerRuntime, OutStream, Process};
use crate::sim::SimTime;
use std::collections::{BTreeMap, BTreeSet};

/// The health of a node as the playground sets it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum NodeState {
    /// Running and reporting to the API server.
    #[default]
    Ready,
    /// Powered off: nothing runs, nothing reports.
    Stopped,
    /// Cut off from the control plane: containers keep running, the kubelet cannot report.
    Partitioned,
}

/// One node's simulated machine.
#[derive(Clone, Debug)]
pub struct NodeRuntime {
    /// The node's name.
    pub name: String,
    /// Its health.
    pub state: NodeState,
    /// When the state last changed.
    pub state_since: SimTime,
    /// The node's root filesystem.
    pub root: FsId,
    /// The third octet of the node's pod CIDR (`10.244.<n>.0/24`).
    pub cidr_index: u8,
    /// The next host number to hand out in the pod CIDR.
    pub next_host: u8,
    /// Images already pulled.
    pub images: BTreeSet<String>,
}

impl NodeRuntime {
    /// The node's pod CIDR.
    pub fn pod_cidr(&self) -> String {
        format!("10.244.{}.0/24", self.cidr_index)
    }
}

/// One line of a container log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// When it was written.
    pub at: SimTime,
    /// Which stream.
    pub stream: OutStream,
    /// The text, with its newline when it had one.
    pub text: String,
}

/// A container's state, as the CRI reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerState {
    /// Not running: `ContainerCreating`, `CrashLoopBackOff`, `PodInitializing`, `ErrImagePull`...
    Waiting {
        /// The reason.
        reason: String,
        /// The message, may be empty.
        message: String,
    },
    /// Running since.
    Running {
        /// When it started.
        started_at: SimTime,
    },
    /// Exited.
    Terminated(Terminated),
}

/// How a container instance ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terminated {
    /// The exit code.
    pub exit_code: i32,
    /// `Completed`, `Error`, `OOMKilled`.
    pub reason: String,
    /// When it started.
    pub started_at: SimTime,
    /// When it ended.
    pub finished_at: SimTime,
    /// The CRI container id.
    pub container_id: String,
}

/// A container of a pod sandbox.
#[derive(Clone, Debug)]
pub struct ContainerRuntimeState {
    /// The container's name.
    pub name: String,
    /// Its image.
    pub image: String,
    /// Whether it is an init container.
    pub init: bool,
    /// The CRI id of the current instance (`containerd://` + 64 hex).
    pub container_id: String,
    /// The current instance's root filesystem (image plus writable layer).
    pub root: Option<FsId>,
    /// The current instance's mount namespace.
    pub mounts: Option<MountNamespace>,
    /// The running program.
    pub process: Option<Box<dyn Process>>,
    /// When the process wants to run again.
    pub wake_at: Option<SimTime>,
    /// The current state.
    pub state: ContainerState,
    /// How the previous instance ended.
    pub last_terminated: Option<Terminated>,
    /// Restarts so far.
    pub restart_count: i32,
    /// The crash-loop backoff (kubelet's per-container backoff entry).
    pub backoff_ms: u64,
    /// When the backoff entry was last updated (the finish time it was computed from).
    pub backoff_updated: Option<SimTime>,
    /// The current instance's log.
    pub log: Vec<LogLine>,
    /// The previous instance's log (`kubectl logs --previous`).
    pub previous_log: Vec<LogLine>,
    /// An unfinished last line of output.
    pub partial: BTreeMap<OutStream, String>,
    /// SIGTERM was sent and the process handles it.
    pub stopping: bool,
    /// The environment it was started with.
    pub env: Vec<(String, String)>,
    /// The prober's workers for this container (reset when a new instance starts).
    pub probes: ProbeWorkers,
    /// Whether the readiness probe (or, without one, the start) says the container is ready.
    pub ready: bool,
    /// Whether the startup probe passed (true at start without one).
    pub started: bool,
    /// A kill in progress (liveness or startup failure): SIGKILL at this instant if still running.
    pub kill_at: Option<SimTime>,
}

/// One probe worker's state (the kubelet's `prober/worker.go`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeWorker {
    /// The last raw result (`Some(true)` success), for counting runs.
    pub last: Option<bool>,
    /// How many times in a row `last` came back.
    pub run: u32,
    /// The result past its threshold, as the results manager holds it.
    pub result: Option<bool>,
    /// When this worker last probed.
    pub last_at: Option<SimTime>,
    /// Stopped after a liveness/startup failure until the next container instance.
    pub on_hold: bool,
}

/// The three probe workers of a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeWorkers {
    /// readinessProbe.
    pub readiness: ProbeWorker,
    /// livenessProbe.
    pub liveness: ProbeWorker,
    /// startupProbe.
    pub startup: ProbeWorker,
}

impl ContainerRuntimeState {
    /// A container not started yet.
    pub fn new(name: &str, image: &str, init: bool) -> ContainerRuntimeState {
        ContainerRuntimeState {
            name: name.to_string(),
            image: image.to_string(),
            init,
            container_id: String::new(),
            root: None,
            mounts: None,
            process: None,
            wake_at: None,
            state: ContainerState::Waiting {
                reason: if init { "PodInitializing".to_string() } else { "ContainerCreating".to_string() },
                message: String::new(),
            },
            last_terminated: None,
            restart_count: 0,
            backoff_ms: 0,
            backoff_updated: None,
            log: Vec::new(),
            previous_log: Vec::new(),
            partial: BTreeMap::new(),
            stopping: false,
            env: Vec::new(),
            probes: ProbeWorkers::default(),
            ready: false,
            started: false,
            kill_at: None,
        }
    }

    /// Whether the current instance runs.
    pub fn is_running(&self) -> bool {
        matches!(self.state, ContainerState::Running { .. })
    }

    /// Appends output to the log, splitting it into lines.
    pub fn append_log(&mut self, at: SimTime, stream: OutStream, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let partial = self.partial.entry(stream).or_default();
        partial.push_str(&text);
        while let Some(newline) = partial.find('\n') {
            let line: String = partial.drain(..=newline).collect();
            self.log.push(LogLine { at, stream, text: line });
        }
        if self.log.len() > LOG_LINES_MAX {
            let drop = self.log.len() - LOG_LINES_MAX;
            self.log.drain(..drop);
        }
    }

    /// SIGKILL of a running container: its process is gone and it terminates with exit code 137.
    pub fn kill(&mut self, now: SimTime) {
        if let ContainerState::Running { started_at } = self.state {
            self.flush_log(now);
            self.process = None;
            self.wake_at = None;
            self.state = ContainerState::Terminated(Terminated {
                exit_code: 137,
                reason: "Error".to_string(),
                started_at,
                finished_at: now,
                container_id: self.container_id.clone(),
            });
        }
    }

    /// Flushes an unfinished last line (the process exited).
    pub fn flush_log(&mut self, at: SimTime) {
        let partial = std::mem::take(&mut self.partial);
        for (stream, text) in partial {
            if !text.is_empty() {
                self.log.push(LogLine { at, stream, text });
            }
        }
    }
}

/// The most log lines kept per container instance.
pub const LOG_LINES_MAX: usize = 10_000;

/// What backs a pod volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountedVolume {
    /// The tree.
    pub fs: FsId,
    /// The directory in the tree that is the volume's root.
    pub subpath: String,
    /// Whether the volume is read-only whatever the mount says (ROX, `readOnly` claims, projections).
    pub read_only: bool,
    /// Whether the tree belongs to the pod and goes with it (emptyDir, configMap...).
    pub owned: bool,
    /// For claims: the PersistentVolume's name.
    pub volume_name: Option<String>,
    /// For claims: the claim's name.
    pub claim_name: Option<String>,
    /// emptyDir sizeLimit in bytes.
    pub size_limit_bytes: Option<u64>,
}

/// How far a pod sandbox got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SandboxStage {
    /// Waiting for volumes to be mountable.
    Volumes,
    /// Starting containers one by one (index into init containers then containers).
    Starting,
    /// All containers were started once.
    Running,
    /// Terminal: nothing restarts any more.
    Finished,
}

/// A pod on a node.
#[derive(Clone, Debug)]
pub struct PodRuntime {
    /// The pod's key.
    pub key: ObjectKey,
    /// The pod's uid.
    pub uid: String,
    /// The node.
    pub node: String,
    /// The pod IP.
    pub ip: String,
    /// When the kubelet admitted the pod.
    pub admitted_at: SimTime,
    /// How far it got.
    pub stage: SandboxStage,
    /// The next start step and when it is due.
    pub next_start: usize,
    /// When the next start step is due.
    pub next_at: SimTime,
    /// Sub-step of the current container start: 0 pull, 1 create and start.
    pub start_phase: u8,
    /// How long the current image pull takes.
    pub pull_ms: u64,
    /// Mounted volumes by name.
    pub volumes: BTreeMap<String, MountedVolume>,
    /// Init containers then containers.
    pub containers: Vec<ContainerRuntimeState>,
    /// The hostname processes see.
    pub hostname: String,
    /// SIGTERM sent (termination started).
    pub terminating: bool,
    /// Evicted with this message.
    pub evicted: Option<String>,
    /// When the last FailedMount event was recorded.
    pub last_mount_event: Option<SimTime>,
    /// Failed MountVolume.SetUp attempts so far (the volume manager's exponential backoff).
    pub mount_failures: u32,
    /// Image pull back-off per image (`podUID_image`): (current delay ms, last update, last error).
    pub pull_backoff: BTreeMap<String, (u64, SimTime, String)>,
    /// Revisions of configMaps and secrets projected, to notice updates.
    pub projected_versions: BTreeMap<String, String>,
    /// When a change to a projected source was first noticed (applied at the next periodic sync).
    pub projection_change_seen: Option<SimTime>,
}

impl PodRuntime {
    /// The container named `name`.
    pub fn container(&self, name: &str) -> Option<&ContainerRuntimeState> {
        self.containers.iter().find(|c| c.name == name)
    }
}

/// The data plane: every node's machine and every pod sandbox.
#[derive(Clone, Debug)]
pub struct Dataplane {
    /// Who starts processes.
    pub runtime: &'static dyn ContainerRuntime,
    /// Nodes by name.
    pub nodes: BTreeMap<String, NodeRuntime>,
    /// Pod sandboxes by pod uid.
    pub pods: BTreeMap<String, PodRuntime>,
    /// Trees (in [`crate::backend::Backend::fs`]) for volumes no backend keeps, by identity.
    pub volume_trees: BTreeMap<String, FsId>,
    /// ClusterIPs handed out.
    pub cluster_ips: BTreeSet<String>,
    /// The attach/detach controller's `detachRequestedTime` per VolumeAttachment name: when it first
    /// found no pod needing the attachment (its actual state of world lives here, outside the API).
    pub detach_requested: BTreeMap<String, SimTime>,
}

impl Default for Dataplane {
    fn default() -> Dataplane {
        Dataplane {
            runtime: &BUILTIN_RUNTIME,
            nodes: BTreeMap::new(),
            pods: BTreeMap::new(),
            volume_trees: BTreeMap::new(),
            cluster_ips: BTreeSet::new(),
            detach_requested: BTreeMap::new(),
        }
    }
}

impl Dataplane {
    /// The sandboxes of the pod named by `key` (normally one; more when a force-deleted pod lingers).
    pub fn pods_of(&self, key: &ObjectKey) -> Vec<String> {
        self.pods.iter().filter(|(_, p)| &p.key == key).map(|(uid, _)| uid.clone()).collect()
    }

    /// The node's state (Ready for nodes never touched).
    pub fn node_state(&self, name: &str) -> NodeState {
        self.nodes.get(name).map_or(NodeState::Ready, |n| n.state)
    }
}

/// The node's machine, created on first use; its root tree is the backend's node root, populated once.
pub fn ensure_node<'a>(backend: &'a mut Backend, name: &str, index: usize, now: SimTime) -> &'a mut NodeRuntime {
    let root = backend.node_root(name, now);
    if let Some(tree) = backend.fs.get_mut(root)
        && tree.lookup_path("/etc/hostname").is_err()
    {
        populate_node_tree(tree, name, now);
    }
    let dp = &mut backend.dataplane;
    if !dp.nodes.contains_key(name) {
        let cidr_index = u8::try_from(index % 250).unwrap_or(0);
        dp.nodes.insert(
            name.to_string(),
            NodeRuntime {
                name: name.to_string(),
                state: NodeState::Ready,
                state_since: SimTime::ZERO,
                root,
                cidr_index,
                next_host: 0,
                images: BTreeSet::new(),
            },
        );
    }
    dp.nodes.get_mut(name).expect("inserted above")
}

/// A node's root filesystem: enough of an Ubuntu host for `ls /var/log` and `tail /var/log/syslog`.
fn populate_node_tree(tree: &mut FsTree, name: &str, now: SimTime) {
    let ms = now.unix_millis() as u64;
    for dir in [
        "/bin",
        "/boot",
        "/dev",
        "/etc/kubernetes/manifests",
        "/home/ubuntu",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/tmp",
        "/usr/bin",
        "/usr/lib",
        "/usr/local/bin",
        "/var/lib/kubelet/pods",
        "/var/lib/kubelet/plugins",
        "/var/lib/containerd",
        "/var/log/containers",
        "/var/log/pods",
        "/var/log/journal",
        "/data",
    ] {
        let _ = tree.mkdir_all(dir, ms);
    }
    let boot = crate::runtime::civil(now.unix_seconds() - 86_400);
    let stamp = format!("May {:2} {:02}:{:02}:{:02}", boot.2, boot.3, boot.4, boot.5);
    let syslog = format!(
        "{stamp} {name} systemd[1]: Started containerd.service - containerd container runtime.\n\
{stamp} {name} systemd[1]: Started kubelet.service - kubelet: The Kubernetes Node Agent.\n\
{stamp} {name} kubelet[1042]: I0514 09:00:00.000000    1042 server.go:484] \"Kubelet version\" kubeletVersion=\"v1.34.1\"\n\
{stamp} {name} kubelet[1042]: I0514 09:00:00.000000    1042 kubelet_node_status.go:75] \"Successfully registered node\" node=\"{name}\"\n"
    );
    let files: [(&str, String); 8] = [
        ("/etc/hostname", format!("{name}\n")),
        (
            "/etc/os-release",
            "PRETTY_NAME=\"Ubuntu 24.04.2 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nID=ubuntu\n".to_string(),
        ),
        ("/etc/hosts", format!("127.0.0.1 localhost\n127.0.1.1 {name}\n")),
        ("/var/log/syslog", syslog),
        ("/var/log/auth.log", String::new()),
        ("/var/log/kern.log", format!("{stamp} {name} kernel: Linux version 6.8.0-1024-aws\n")),
        ("/var/log/dpkg.log", String::new()),
        ("/etc/kubernetes/kubelet.conf", "apiVersion: v1\nkind: Config\n".to_string()),
    ];
    for (path, text) in files {
        let _ = tree.write_file_at(path, text.as_bytes(), ms);
    }
}
