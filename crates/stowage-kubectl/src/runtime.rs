//! The container runtime of the playground: containers run their commands with the shell.
//!
//! The engine defines what a process is ([`stowage_core::runtime::Process`]) and what it may do
//! ([`ProcessSys`]); this adapter runs [`crate::shell::Process`] against a [`Host`] made from the
//! container's `ProcessSys`. Server images started without a command (nginx, postgres, mysql,
//! redis) run the engine's image models. Pass [`SHELL_RUNTIME`] to
//! [`stowage_core::Cluster::with_runtime`].

use crate::shell::{self, DnsAnswer, ExternalOutput, Host, HttpResponse, Poll, SleepOutcome, Stream};
use stowage_core::SimTime;
use stowage_core::fs::Vfs;
use stowage_core::runtime::{
    ContainerRuntime, ImageProcess, OutStream, Process, ProcessPoll, ProcessSys, container_argv, image_model,
};

/// How long `tail -f` waits before it looks at its file again (busybox polls once a second).
const TAIL_POLL_MS: u64 = 1_000;

/// The shell-backed runtime.
#[derive(Debug)]
pub struct ShellRuntime;

/// The runtime to give a playground cluster.
pub static SHELL_RUNTIME: ShellRuntime = ShellRuntime;

impl ContainerRuntime for ShellRuntime {
    fn spawn(&self, image: &str, command: &[String], args: &[String], env: &[(String, String)]) -> Box<dyn Process> {
        let _ = env;
        if command.is_empty()
            && args.is_empty()
            && let Some(model) = image_model(image)
        {
            return Box::new(ImageProcess::new(model));
        }
        Box::new(ShellProcess {
            inner: shell::Process::from_argv(&container_argv(image, command, args)),
            gnu: gnu_userland(image),
        })
    }
}

/// A shell process running as a container's program.
#[derive(Debug, Clone)]
pub struct ShellProcess {
    inner: shell::Process,
    /// The image's userland is GNU coreutils, not busybox.
    gnu: bool,
}

/// Whether an image ships GNU coreutils: the Debian- and Oracle-Linux-based official images do;
/// busybox, alpine and `*-alpine` tags have busybox.
pub fn gnu_userland(image: &str) -> bool {
    let base = stowage_core::runtime::image_base(image);
    let tag = stowage_core::runtime::image_tag(image);
    !(matches!(base, "busybox" | "alpine") || tag.contains("alpine") || tag.contains("busybox"))
}

fn epoch_ms() -> u64 {
    u64::try_from(SimTime::ZERO.unix_millis()).unwrap_or(0)
}

impl Process for ShellProcess {
    fn resume(&mut self, sys: &mut dyn ProcessSys, budget_steps: u32) -> ProcessPoll {
        let now = sys.now();
        let mut host = SysHost { sys, gnu: self.gnu };
        match self.inner.resume(&mut host, budget_steps) {
            Poll::Sleep { until_ms } => ProcessPoll::Sleep { until: SimTime(until_ms.saturating_sub(epoch_ms())) },
            Poll::WaitInput => {
                ProcessPoll::Wait { retry_at: now.plus(stowage_core::SimDuration::from_millis(TAIL_POLL_MS)) }
            }
            Poll::Busy => ProcessPoll::BudgetExhausted,
            Poll::Exited(code) => ProcessPoll::Exited(code),
        }
    }

    fn clone_box(&self) -> Box<dyn Process> {
        Box::new(self.clone())
    }

    fn interrupt(&mut self, sys: &mut dyn ProcessSys) {
        let mut host = SysHost { sys, gnu: self.gnu };
        self.inner.interrupt(&mut host, stowage_core::kubelet::STEP_BUDGET);
    }
}

/// A container's `ProcessSys` seen as the shell's [`Host`].
pub struct SysHost<'a> {
    /// The container's view of the world.
    pub sys: &'a mut dyn ProcessSys,
    /// The image's userland is GNU coreutils.
    pub gnu: bool,
}

impl Host for SysHost<'_> {
    fn fs(&mut self) -> Vfs<'_> {
        self.sys.fs()
    }
    fn gnu_coreutils(&self) -> bool {
        self.gnu
    }
    fn now_ms(&self) -> u64 {
        u64::try_from(self.sys.now().unix_millis()).unwrap_or(0)
    }
    fn random_u32(&mut self) -> u32 {
        (self.sys.random_u64() >> 32) as u32
    }
    fn write(&mut self, stream: Stream, bytes: &[u8]) {
        let stream = match stream {
            Stream::Stdout => OutStream::Stdout,
            Stream::Stderr => OutStream::Stderr,
        };
        self.sys.write(stream, bytes);
    }
    fn sleep(&mut self, duration_ms: u64) -> SleepOutcome {
        let _ = duration_ms;
        SleepOutcome::Suspend
    }
    fn hostname(&self) -> String {
        self.sys.hostname()
    }
    fn environment(&self) -> Vec<(String, String)> {
        self.sys.env()
    }
    fn pid(&self) -> u32 {
        self.sys.pid()
    }
    fn external(&mut self, argv: &[String], env: &[(String, String)], stdin: &[u8]) -> Option<ExternalOutput> {
        let _ = (argv, env, stdin);
        None
    }
    fn dns_lookup(&mut self, name: &str) -> DnsAnswer {
        let answer = self.sys.dns_lookup(name);
        DnsAnswer { server: answer.server, records: answer.records }
    }
    fn http_get(&mut self, url: &str) -> Result<HttpResponse, String> {
        self.sys.http_get(url).map(|r| HttpResponse { status: r.status, body: r.body })
    }
}
