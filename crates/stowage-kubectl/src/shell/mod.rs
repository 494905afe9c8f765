//! The one POSIX-subset shell: the playground terminal, simulated containers and node shells.
//!
//! The same interpreter runs everywhere; what differs is the [`Host`] it runs against:
//! the terminal's host supplies `kubectl` as an external command and advances the
//! cluster when a script sleeps, while a container's host suspends the [`Process`] on
//! `sleep` and sends its output to the pod's log as it is written.
//!
//! # Model
//!
//! - **Language:** pipelines, `;`, `&&`, `||`, `!`, redirections (`>`, `>>`, `<`, `2>&1`,
//!   `&>`, here-documents `<<EOF`, `<<'EOF'`, `<<-EOF`), quoting and escapes, variables
//!   and `export`, `${VAR:-x}`-style operators, `$(...)`, backquotes, `$((...))`, `$?`,
//!   `$$`, `$!`, `$RANDOM`, `if`/`while`/`until`/`for`/`case`, functions, subshells,
//!   `break`/`continue`/`return`/`exit`, pathname globbing and `~`.
//! - **Suspension:** the interpreter keeps an explicit frame stack instead of Rust
//!   recursion, so a [`Process`] can stop in the middle of any construct (a loop inside a
//!   function inside a command substitution) at `sleep` or `tail -f`, be cloned by the
//!   engine, and [`Process::resume`] later.
//! - **Steps:** every frame the interpreter pops is one step. [`Process::resume`] runs at
//!   most `budget_steps` and returns [`Poll::Busy`] when they run out, so a busy loop
//!   never hangs the engine. [`run_to_completion`] reports
//!   `sh: step budget exhausted (N steps)` with exit code [`EXIT_BUDGET`].
//! - **Pipelines** run their stages one after another, each in a subshell, with the whole
//!   output of one stage as the input of the next. A stage that suspends (`tail -f | grep`)
//!   suspends the whole pipeline and its output reaches the next stage only when it ends.
//! - **Background jobs** (`cmd &`) run as separate machines inside the same process,
//!   after the foreground one in each `resume`; their `sleep` always suspends (it never
//!   advances the terminal's clock). They die with the process.
//! - **Command substitution** re-runs the word's expansion after each substitution,
//!   replaying earlier substitution outputs and `$RANDOM` draws, with variables restored,
//!   so side effects in the word happen once.
//! - **Not simulated:** signals and `trap` (accepted, ignored), `set -e`/`-u`/`-x`
//!   (accepted, ignored), job control (`fg`, `jobs`), `read` from a terminal (stdin of the
//!   top-level process is empty), file descriptors above 2, aliases, `chroot` (runs the
//!   command without changing the root), arrays and other bash extensions.
//!
//! Utilities imitate busybox: the same output formats and error texts where we know
//! them. Unknown commands go to [`Host::external`]; if it declines,
//! `sh: NAME: not found` and exit code 127.

mod arith;
mod ast;
mod expand;
mod interp;
pub mod node_cmd;
mod parse;
mod pattern;
mod time;
mod utils;

#[cfg(test)]
mod tests;

pub use parse::SyntaxError;
pub use time::format_date;

use stowage_core::fs::Vfs;

use interp::{Machine, Run};

/// The step budget the terminal uses for one command line.
pub const STEP_BUDGET_DEFAULT: u32 = 1_000_000;

/// The exit code [`run_to_completion`] reports when the step budget ran out.
pub const EXIT_BUDGET: i32 = 124;

/// The exit code [`run_to_completion`] reports when the process had to wait (like Ctrl-C).
pub const EXIT_INTERRUPTED: i32 = 130;

/// An output stream of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// File descriptor 1.
    Stdout,
    /// File descriptor 2.
    Stderr,
}

/// What the host did with a `sleep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SleepOutcome {
    /// The host advanced simulated time itself (the terminal): the script continues now.
    Done,
    /// The process should suspend until `now + duration` (a container).
    Suspend,
}

/// The result of an external command run by the host (`kubectl ...` on the workstation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalOutput {
    /// Bytes written to standard output.
    pub stdout: Vec<u8>,
    /// Bytes written to standard error.
    pub stderr: Vec<u8>,
    /// The exit code.
    pub exit_code: i32,
}

/// The answer to a DNS query, for `nslookup`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsAnswer {
    /// The DNS server that answered (`10.96.0.10`).
    pub server: String,
    /// `(name, address)` records; empty means NXDOMAIN.
    pub records: Vec<(String, String)>,
}

/// The answer to an HTTP GET, for `wget` and `curl`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code (200).
    pub status: u16,
    /// The response body.
    pub body: Vec<u8>,
}

/// Everything the shell needs from its embedder. Object-safe; most methods have defaults.
pub trait Host {
    /// The filesystem as this process sees it (its mount namespace).
    fn fs(&mut self) -> Vfs<'_>;
    /// Simulated time, in milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// A seeded pseudo-random number (`$RANDOM`).
    fn random_u32(&mut self) -> u32;
    /// Output as it is written: the terminal's screen or the container's log.
    fn write(&mut self, stream: Stream, bytes: &[u8]);
    /// `sleep` for `duration_ms`: advance simulated time ([`SleepOutcome::Done`]) or suspend.
    fn sleep(&mut self, duration_ms: u64) -> SleepOutcome;
    /// The host name (`hostname`, `uname -n`).
    fn hostname(&self) -> String {
        "localhost".to_string()
    }
    /// The initial environment (exported variables; `PWD` or `HOME` sets the working directory).
    fn environment(&self) -> Vec<(String, String)> {
        Vec::new()
    }
    /// The process id for `$$`.
    fn pid(&self) -> u32 {
        1
    }
    /// Whether the userland is GNU coreutils (Debian-based images: nginx, postgres, mysql, redis)
    /// rather than busybox; `ls -l` and some error texts differ.
    fn gnu_coreutils(&self) -> bool {
        false
    }
    /// Runs a command the shell does not know; `None` means "not handled" (`sh: x: not found`).
    fn external(&mut self, argv: &[String], env: &[(String, String)], stdin: &[u8]) -> Option<ExternalOutput> {
        let _ = (argv, env, stdin);
        None
    }
    /// Resolves a name for `nslookup`.
    fn dns_lookup(&mut self, name: &str) -> DnsAnswer {
        let _ = name;
        DnsAnswer { server: "10.96.0.10".to_string(), records: Vec::new() }
    }
    /// Fetches a URL for `wget` and `curl`; the error is a message like `Connection refused`.
    fn http_get(&mut self, url: &str) -> Result<HttpResponse, String> {
        let _ = url;
        Err("Connection refused".to_string())
    }
    /// Sends a signal to another process (`kill`); `false` if there is no such process.
    fn kill(&mut self, pid: i64, signal: i32) -> bool {
        let _ = (pid, signal);
        false
    }
}

/// Why [`Process::resume`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// Suspended in `sleep`: resume at or after `until_ms`.
    Sleep {
        /// Simulated time at which the sleep ends.
        until_ms: u64,
    },
    /// Waiting for more input (`tail -f`): resume whenever files may have changed.
    WaitInput,
    /// The step budget ran out; the process is still runnable.
    Busy,
    /// The process exited with this code.
    Exited(i32),
}

/// Collected output of a finished command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
    /// The exit code.
    pub exit_code: i32,
}

/// A shell process: a script with its variables, working directory and suspended state.
///
/// Plain data: cloning it snapshots the process for time travel.
#[derive(Debug, Clone)]
pub struct Process {
    main: Machine,
    jobs: Vec<Machine>,
    exit_code: Option<i32>,
    started: bool,
    steps_total: u64,
}

impl Process {
    /// A process running `script` (as `sh -c script`). A syntax error makes it print the
    /// error and exit with code 2.
    pub fn new(script: &str) -> Process {
        let mut process = Process::idle();
        process.main.load_script(script);
        process
    }

    /// A process for a container's `command`/`args`: `["sh", "-c", "..."]` or `["sleep", "3600"]`.
    pub fn from_argv(argv: &[String]) -> Process {
        let mut process = Process::idle();
        process.main.load_argv(argv);
        process
    }

    /// A shell with nothing to run, for [`Process::run_line`] (the terminal).
    pub fn interactive() -> Process {
        let mut process = Process::idle();
        process.main.interactive = true;
        process
    }

    fn idle() -> Process {
        Process { main: Machine::new(), jobs: Vec::new(), exit_code: None, started: false, steps_total: 0 }
    }

    /// The exit code once the process has exited.
    pub fn exit_code(&self) -> Option<i32> {
        self.exit_code
    }

    /// The working directory.
    pub fn cwd(&self) -> &str {
        &self.main.cwd
    }

    /// Steps run so far, over all resumes.
    pub fn steps_total(&self) -> u64 {
        self.steps_total
    }

    /// Kills the process with a signal (exit code `128 + signal`), as the kubelet does.
    pub fn kill(&mut self, signal: i32) {
        if self.exit_code.is_none() {
            self.exit_code = Some(128 + signal);
            self.main.clear();
            self.jobs.clear();
        }
    }

    /// SIGINT from an attached terminal while the process waits (`tail -f FILE | grep x` when the
    /// cluster settles): the waiting pipeline stage ends, the stages after it finish on what it
    /// wrote (what they would have streamed so far), and the process exits with
    /// [`EXIT_INTERRUPTED`].
    pub fn interrupt(&mut self, host: &mut dyn Host, budget_steps: u32) {
        if self.exit_code.is_none() {
            let mut budget = budget_steps;
            self.main.interrupt(host, &mut budget);
            self.exit_code = Some(EXIT_INTERRUPTED);
            self.jobs.clear();
        }
    }

    /// Drops the background jobs `kill` ended.
    fn reap_killed_jobs(&mut self) {
        let killed = std::mem::take(&mut self.main.killed_jobs);
        self.jobs.retain(|j| !killed.contains(&j.pid));
    }

    fn start(&mut self, host: &mut dyn Host) {
        if !self.started {
            self.started = true;
            self.main.init(host);
        }
    }

    /// Runs until the process suspends, exits, or has used `budget_steps`.
    ///
    /// # Guarantees
    /// Never runs more than `budget_steps` interpreter steps, never panics on any script.
    pub fn resume(&mut self, host: &mut dyn Host, budget_steps: u32) -> Poll {
        if let Some(code) = self.exit_code {
            return Poll::Exited(code);
        }
        self.start(host);
        let mut budget = budget_steps;
        let mut poll = Poll::Busy;
        // A second pass lets a waiting `tail -f` see what background jobs just wrote.
        for pass in 0..2 {
            self.main.live_jobs = self.jobs.iter().map(|j| j.pid).collect();
            let run = self.main.run(host, &mut budget);
            self.reap_killed_jobs();
            let main = match run {
                Run::Done => Poll::Exited(self.main.status),
                Run::Exited(code) => Poll::Exited(code),
                Run::Sleep(until_ms) => Poll::Sleep { until_ms },
                Run::WaitInput => Poll::WaitInput,
                Run::Busy => Poll::Busy,
            };
            self.jobs.append(&mut self.main.take_spawned());
            if let Poll::Exited(code) = main {
                self.exit_code = Some(code);
                self.jobs.clear();
                poll = main;
                break;
            }
            poll = self.resume_jobs(host, &mut budget, main);
            if main != Poll::WaitInput || self.jobs.is_empty() || pass == 1 {
                break;
            }
        }
        self.steps_total += u64::from(budget_steps - budget);
        poll
    }

    fn resume_jobs(&mut self, host: &mut dyn Host, budget: &mut u32, mut poll: Poll) -> Poll {
        let mut index = 0;
        while index < self.jobs.len() {
            let run = self.jobs[index].run(host, budget);
            let spawned = self.jobs[index].take_spawned();
            self.jobs.extend(spawned);
            match run {
                Run::Done | Run::Exited(_) => {
                    self.jobs.remove(index);
                    continue;
                }
                Run::Sleep(until_ms) => {
                    poll = match poll {
                        Poll::Sleep { until_ms: main } => Poll::Sleep { until_ms: main.min(until_ms) },
                        Poll::WaitInput => Poll::Sleep { until_ms },
                        other => other,
                    }
                }
                Run::Busy => poll = Poll::Busy,
                Run::WaitInput => {}
            }
            index += 1;
        }
        poll
    }

    /// Runs one command line to completion in this (interactive) shell, keeping variables,
    /// functions and the working directory for the next line.
    ///
    /// Output goes to the returned [`Output`], not to [`Host::write`].
    /// If the line would wait (`tail -f`, or a `sleep` the host suspends), it is
    /// interrupted with exit code [`EXIT_INTERRUPTED`]; if it runs out of steps, it is
    /// stopped with `sh: step budget exhausted (N steps)` and [`EXIT_BUDGET`].
    pub fn run_line(&mut self, line: &str, host: &mut dyn Host, budget_steps: u32) -> Output {
        let mut capture = CaptureHost { inner: host, stdout: Vec::new(), stderr: Vec::new() };
        if let Some(code) = self.exit_code {
            return Output { stdout: String::new(), stderr: String::new(), exit_code: code };
        }
        self.start(&mut capture);
        self.main.load_script(line);
        let mut budget = budget_steps;
        self.main.live_jobs = self.jobs.iter().map(|j| j.pid).collect();
        let run = self.main.run(&mut capture, &mut budget);
        self.reap_killed_jobs();
        self.steps_total += u64::from(budget_steps - budget);
        self.jobs.append(&mut self.main.take_spawned());
        let mut job_budget = budget_steps;
        let _ = self.resume_jobs(&mut capture, &mut job_budget, Poll::WaitInput);
        let exit_code = match run {
            Run::Done => self.main.status,
            Run::Exited(code) => {
                self.exit_code = Some(code);
                code
            }
            Run::Sleep(_) | Run::WaitInput => {
                let mut flush_budget = budget_steps;
                self.main.interrupt(&mut capture, &mut flush_budget);
                EXIT_INTERRUPTED
            }
            Run::Busy => {
                self.main.clear();
                let message = format!("sh: step budget exhausted ({budget_steps} steps)\n");
                capture.stderr.extend_from_slice(message.as_bytes());
                EXIT_BUDGET
            }
        };
        self.main.status = exit_code;
        Output {
            stdout: String::from_utf8_lossy(&capture.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&capture.stderr).into_owned(),
            exit_code,
        }
    }
}

/// Runs a script in a fresh shell and collects its output (the terminal's convenience).
///
/// See [`Process::run_line`] for suspension and budget handling.
pub fn run_to_completion(script: &str, host: &mut dyn Host, budget_steps: u32) -> Output {
    Process::interactive().run_line(script, host, budget_steps)
}

/// Checks a script's syntax; a terminal uses [`SyntaxError::incomplete`] to ask for more lines.
pub fn check_syntax(script: &str) -> Result<(), SyntaxError> {
    parse::parse_program(script).map(|_| ())
}

/// Forwards to another host but keeps the output.
struct CaptureHost<'a> {
    inner: &'a mut dyn Host,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

impl Host for CaptureHost<'_> {
    fn fs(&mut self) -> Vfs<'_> {
        self.inner.fs()
    }
    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
    fn random_u32(&mut self) -> u32 {
        self.inner.random_u32()
    }
    fn write(&mut self, stream: Stream, bytes: &[u8]) {
        match stream {
            Stream::Stdout => self.stdout.extend_from_slice(bytes),
            Stream::Stderr => self.stderr.extend_from_slice(bytes),
        }
    }
    fn sleep(&mut self, duration_ms: u64) -> SleepOutcome {
        self.inner.sleep(duration_ms)
    }
    fn hostname(&self) -> String {
        self.inner.hostname()
    }
    fn environment(&self) -> Vec<(String, String)> {
        self.inner.environment()
    }
    fn pid(&self) -> u32 {
        self.inner.pid()
    }
    fn gnu_coreutils(&self) -> bool {
        self.inner.gnu_coreutils()
    }
    fn external(&mut self, argv: &[String], env: &[(String, String)], stdin: &[u8]) -> Option<ExternalOutput> {
        self.inner.external(argv, env, stdin)
    }
    fn dns_lookup(&mut self, name: &str) -> DnsAnswer {
        self.inner.dns_lookup(name)
    }
    fn http_get(&mut self, url: &str) -> Result<HttpResponse, String> {
        self.inner.http_get(url)
    }
    fn kill(&mut self, pid: i64, signal: i32) -> bool {
        self.inner.kill(pid, signal)
    }
}
