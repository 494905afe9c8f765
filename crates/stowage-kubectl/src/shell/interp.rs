//! The interpreter: an explicit frame stack that can stop at any `sleep` and resume later.
//!
//! Design: every construct pushes frames; `run` pops one frame per step. A frame popped
//! after its children ran reads their status from `Machine::status`. Subshells,
//! pipeline stages and command substitutions push a `Boundary` frame holding the state to
//! restore; `exit`, `break`, `continue` and `return` unwind to the nearest frame that
//! handles them.

use std::collections::BTreeMap;
use std::sync::Arc;

use stowage_core::fs::{self, WriteMode};

use super::ast::*;
use super::expand::{ExpandError, Replay};
use super::parse::parse_program;
use super::utils::{self, Ctx};
use super::{Host, SleepOutcome, Stream};

/// How deep function calls and nested `sh -c` may go before `sh: function nesting too deep`.
const CALL_DEPTH_MAX: usize = 200;
/// Frames beyond this stop the process (runaway recursion).
const FRAMES_MAX: usize = 10_000;

/// Why `Machine::run` stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Run {
    /// Nothing left to run; the status is in `Machine::status`.
    Done,
    /// `exit` was called.
    Exited(i32),
    /// Suspended in `sleep` until this time.
    Sleep(u64),
    /// Suspended in `tail -f`.
    WaitInput,
    /// Out of steps.
    Busy,
}

#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub value: String,
    pub exported: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Stdin {
    id: u64,
    data: Arc<[u8]>,
    pos: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sink {
    Host(Stream),
    Capture(usize),
    File(String),
    Null,
}

#[derive(Debug, Clone)]
pub(crate) struct Io {
    stdin: Stdin,
    stdout: Sink,
    stderr: Sink,
}

#[derive(Debug, Clone)]
struct Saved {
    vars: BTreeMap<String, Var>,
    positional: Vec<String>,
    functions: BTreeMap<String, Arc<Command>>,
    cwd: String,
    arg0: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Boundary {
    Subshell,
    Stage,
    Subst,
}

#[derive(Debug, Clone)]
pub(crate) enum Target {
    Simple(Arc<Command>),
    Compound(Arc<Command>),
    ForWords(Arc<ForNode>),
    Case(Arc<CaseNode>),
}

#[derive(Debug, Clone)]
enum Frame {
    List {
        list: List,
        next: usize,
    },
    AndOr {
        node: Arc<AndOr>,
        next: usize,
    },
    Pipeline {
        node: Arc<Pipeline>,
        next: usize,
    },
    Negate,
    Run(Arc<Command>),
    Expand {
        target: Target,
        replay: Replay,
        saved: Option<Box<(BTreeMap<String, Var>, i32)>>,
    },
    If {
        node: Arc<IfNode>,
        branch: usize,
    },
    Loop {
        node: Arc<LoopNode>,
        testing: bool,
        body_status: i32,
    },
    For {
        node: Arc<ForNode>,
        values: Arc<[String]>,
        next: usize,
        body_status: i32,
    },
    IoPop,
    Boundary {
        kind: Boundary,
        saved: Box<Saved>,
    },
    Function {
        positional: Vec<String>,
    },
    Tail {
        path: String,
        offset: usize,
    },
    /// Sets `$?` (after a frame sequence that must end with a given status).
    Status(i32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    Break(u32),
    Continue(u32),
    Return(i32),
    Exit(i32),
}

/// What a step asks the run loop to do.
pub(crate) enum Flow {
    Next,
    Stop(Run),
    Unwind(Control),
}

#[derive(Debug, Clone)]
pub(crate) struct Machine {
    frames: Vec<Frame>,
    pub vars: BTreeMap<String, Var>,
    pub positional: Vec<String>,
    pub arg0: String,
    functions: BTreeMap<String, Arc<Command>>,
    pub cwd: String,
    pub status: i32,
    io: Vec<Io>,
    captures: Vec<Vec<u8>>,
    /// Pipe captures whose reader is `head`: it stops reading after this many lines, and the
    /// writer's next write raises SIGPIPE (what ends `yes | head` and `while ...; done | head`).
    pipe_limits: BTreeMap<usize, usize>,
    /// A write hit a pipe whose reader is gone.
    sigpipe: bool,
    next_stdin_id: u64,
    subst: Option<(String, i32)>,
    wait_until_ms: Option<u64>,
    exited: Option<i32>,
    spawned: Vec<Machine>,
    /// Pids of the process's running background jobs (set by the process before each run).
    pub live_jobs: Vec<u32>,
    /// Background jobs `kill` ended during the run (the process drops them).
    pub killed_jobs: Vec<u32>,
    pub pid: u32,
    pub last_background: Option<u32>,
    next_job_pid: u32,
    is_job: bool,
    /// A terminal session: expansion errors end the line, not the shell.
    pub interactive: bool,
}

fn errmsg(error: fs::Error, missing: &str) -> String {
    match error {
        fs::Error::NotFound | fs::Error::NotADirectory => missing.to_string(),
        other => other.to_string(),
    }
}

impl Machine {
    pub(crate) fn new() -> Machine {
        Machine {
            frames: Vec::new(),
            vars: BTreeMap::new(),
            positional: Vec::new(),
            arg0: "sh".to_string(),
            functions: BTreeMap::new(),
            cwd: "/".to_string(),
            status: 0,
            io: vec![Io {
                stdin: Stdin { id: 0, data: Arc::from(Vec::new()), pos: 0 },
                stdout: Sink::Host(Stream::Stdout),
                stderr: Sink::Host(Stream::Stderr),
            }],
            captures: Vec::new(),
            pipe_limits: BTreeMap::new(),
            sigpipe: false,
            next_stdin_id: 1,
            subst: None,
            wait_until_ms: None,
            exited: None,
            spawned: Vec::new(),
            live_jobs: Vec::new(),
            killed_jobs: Vec::new(),
            pid: 1,
            last_background: None,
            next_job_pid: 0,
            is_job: false,
            interactive: false,
        }
    }

    /// Reads the environment from the host, once, before the first step.
    pub(crate) fn init(&mut self, host: &mut dyn Host) {
        for (name, value) in host.environment() {
            self.vars.insert(name, Var { value, exported: true });
        }
        for (name, value) in
            [("HOME", "/root"), ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")]
        {
            self.vars.entry(name.to_string()).or_insert(Var { value: value.to_string(), exported: true });
        }
        self.vars.entry("IFS".into()).or_insert(Var { value: " \t\n".into(), exported: false });
        self.vars.insert("HOSTNAME".into(), Var { value: host.hostname(), exported: true });
        let cwd = self.get_var("PWD").filter(|dir| dir.starts_with('/')).unwrap_or_else(|| "/".to_string());
        self.cwd = cwd.clone();
        self.vars.insert("PWD".into(), Var { value: cwd, exported: true });
        self.pid = host.pid();
        self.next_job_pid = self.pid + 1;
    }

    pub(crate) fn clear(&mut self) {
        self.frames.clear();
        self.io.truncate(1);
        self.captures.clear();
        self.pipe_limits.clear();
        self.sigpipe = false;
        self.subst = None;
        self.wait_until_ms = None;
    }

    pub(crate) fn take_spawned(&mut self) -> Vec<Machine> {
        std::mem::take(&mut self.spawned)
    }

    /// Queues a script; a syntax error is reported when it runs.
    pub(crate) fn load_script(&mut self, script: &str) {
        self.clear();
        match parse_program(script) {
            Ok(list) => self.frames.push(Frame::List { list, next: 0 }),
            Err(error) => {
                self.frames.push(Frame::Status(2));
                self.pending_error(format!("sh: {error}\n"));
            }
        }
    }

    /// Queues a command given as argv (a container's `command` and `args`).
    pub(crate) fn load_argv(&mut self, argv: &[String]) {
        self.clear();
        let words = argv.iter().map(|arg| vec![WordPart::Quoted(arg.clone())]).collect();
        let command = Command::Simple(Simple { assigns: Vec::new(), words, redirs: Vec::new() });
        self.frames.push(Frame::Run(Arc::new(command)));
    }

    fn pending_error(&mut self, message: String) {
        // Written at the first step, when a host is at hand: a here-document of the message.
        let stdin = Stdin { id: 0, data: Arc::from(message.into_bytes()), pos: 0 };
        let command = Command::Simple(Simple {
            assigns: Vec::new(),
            words: vec![vec![WordPart::Quoted("cat".into())]],
            redirs: vec![Redir { fd: Some(1), op: RedirOp::DupOut, target: vec![WordPart::Quoted("2".into())] }],
        });
        self.frames.push(Frame::IoPop);
        self.frames.push(Frame::Run(Arc::new(command)));
        let mut io = self.io_top().clone();
        io.stdin = stdin;
        self.io.push(io);
    }

    pub(crate) fn get_var(&self, name: &str) -> Option<String> {
        self.vars.get(name).map(|var| var.value.clone())
    }

    pub(crate) fn set_var(&mut self, name: &str, value: String) {
        match self.vars.get_mut(name) {
            Some(var) => var.value = value,
            None => {
                self.vars.insert(name.to_string(), Var { value, exported: false });
            }
        }
    }

    pub(crate) fn exported_env(&self) -> BTreeMap<String, String> {
        self.vars.iter().filter(|(_, var)| var.exported).map(|(name, var)| (name.clone(), var.value.clone())).collect()
    }

    fn io_top(&self) -> &Io {
        // The base io is never popped.
        &self.io[self.io.len() - 1]
    }

    fn io_top_mut(&mut self) -> &mut Io {
        let last = self.io.len() - 1;
        &mut self.io[last]
    }

    fn pop_io(&mut self) {
        if self.io.len() > 1
            && let Some(popped) = self.io.pop()
        {
            let top = self.io_top_mut();
            if top.stdin.id == popped.stdin.id {
                top.stdin.pos = popped.stdin.pos;
            }
        }
    }

    /// Writes to fd 1 or 2 of the current io.
    pub(crate) fn emit(&mut self, host: &mut dyn Host, stream: Stream, bytes: &[u8]) -> Result<(), fs::Error> {
        if bytes.is_empty() {
            return Ok(());
        }
        let sink = match stream {
            Stream::Stdout => self.io_top().stdout.clone(),
            Stream::Stderr => self.io_top().stderr.clone(),
        };
        match sink {
            Sink::Host(stream) => host.write(stream, bytes),
            Sink::Capture(index) => {
                if let Some(capture) = self.captures.get_mut(index) {
                    let limit = self.pipe_limits.get(&index).copied();
                    if limit.is_some_and(|lines| capture.iter().filter(|b| **b == b'\n').count() >= lines) {
                        self.sigpipe = true;
                    } else {
                        capture.extend_from_slice(bytes);
                    }
                }
            }
            Sink::File(path) => {
                let now = host.now_ms();
                host.fs().write_file(&path, bytes, WriteMode::Append, now)?;
            }
            Sink::Null => {}
        }
        Ok(())
    }

    pub(crate) fn eprint(&mut self, host: &mut dyn Host, message: &str) {
        let _ = self.emit(host, Stream::Stderr, message.as_bytes());
    }

    pub(crate) fn abs_path(&self, path: &str) -> String {
        if path.starts_with('/') { fs::normalize(path) } else { fs::normalize(&format!("{}/{}", self.cwd, path)) }
    }

    fn push_boundary(&mut self, kind: Boundary, stdin: Option<Stdin>, stdout: Option<Sink>) {
        let saved = Box::new(Saved {
            vars: self.vars.clone(),
            positional: self.positional.clone(),
            functions: self.functions.clone(),
            cwd: self.cwd.clone(),
            arg0: self.arg0.clone(),
        });
        self.frames.push(Frame::Boundary { kind, saved });
        let mut io = self.io_top().clone();
        if let Some(stdin) = stdin {
            io.stdin = stdin;
        }
        if let Some(stdout) = stdout {
            io.stdout = stdout;
        }
        self.io.push(io);
    }

    fn finish_boundary(&mut self, kind: Boundary, saved: Saved) {
        self.pop_io();
        self.vars = saved.vars;
        self.positional = saved.positional;
        self.functions = saved.functions;
        self.cwd = saved.cwd;
        self.arg0 = saved.arg0;
        if kind == Boundary::Subst {
            let bytes = self.captures.pop().unwrap_or_default();
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            while text.ends_with('\n') {
                text.pop();
            }
            self.subst = Some((text, self.status));
        }
    }

    fn new_stdin(&mut self, data: Vec<u8>) -> Stdin {
        self.next_stdin_id += 1;
        Stdin { id: self.next_stdin_id, data: Arc::from(data), pos: 0 }
    }

    /// Runs steps until done, suspended or out of budget.
    pub(crate) fn run(&mut self, host: &mut dyn Host, budget: &mut u32) -> Run {
        self.run_above(host, budget, 0)
    }

    /// SIGINT to a line that waits (`tail -f`, a `sleep` the host suspends): the waiting pipeline
    /// stage ends, the stages after it read what it wrote so far and finish (what they would
    /// have streamed before the interrupt), and the rest of the line is abandoned.
    pub(crate) fn interrupt(&mut self, host: &mut dyn Host, budget: &mut u32) {
        self.wait_until_ms = None;
        for _ in 0..16 {
            let Some(floor) = self.frames.iter().position(|f| matches!(f, Frame::Pipeline { .. })) else {
                break;
            };
            if self.unwind(Control::Exit(super::EXIT_INTERRUPTED)).is_some() {
                break;
            }
            self.wait_until_ms = None;
            match self.run_above(host, budget, floor + 1) {
                Run::Sleep(_) | Run::WaitInput => self.wait_until_ms = None,
                _ => break,
            }
        }
        self.clear();
    }

    /// Runs steps until done, suspended or out of budget, or until the stack is back to `floor`
    /// frames (when `floor` is not 0).
    fn run_above(&mut self, host: &mut dyn Host, budget: &mut u32, floor: usize) -> Run {
        if let Some(code) = self.exited {
            return Run::Exited(code);
        }
        if let Some(until) = self.wait_until_ms {
            if host.now_ms() < until {
                return Run::Sleep(until);
            }
            self.wait_until_ms = None;
            self.status = 0;
        }
        loop {
            if floor > 0 && self.frames.len() < floor {
                return Run::Done;
            }
            if *budget == 0 {
                return Run::Busy;
            }
            *budget -= 1;
            if self.frames.len() > FRAMES_MAX {
                self.clear();
                self.eprint(host, "sh: stack overflow\n");
                self.exited = Some(2);
                return Run::Exited(2);
            }
            let Some(frame) = self.frames.pop() else {
                return Run::Done;
            };
            let flow = self.step(frame, host);
            // A write into a pipe whose reader has gone: SIGPIPE ends the writer (status 141).
            let flow = if std::mem::take(&mut self.sigpipe) { Flow::Unwind(Control::Exit(141)) } else { flow };
            match flow {
                Flow::Next => {}
                Flow::Stop(run) => return run,
                Flow::Unwind(control) => {
                    if let Some(code) = self.unwind(control) {
                        self.clear();
                        self.exited = Some(code);
                        return Run::Exited(code);
                    }
                }
            }
        }
    }

    /// Pops frames for `exit`/`break`/`continue`/`return`; `Some(code)` when the process exits.
    fn unwind(&mut self, control: Control) -> Option<i32> {
        let mut control = control;
        loop {
            let Some(frame) = self.frames.pop() else {
                return match control {
                    Control::Exit(code) | Control::Return(code) => Some(code),
                    Control::Break(_) | Control::Continue(_) => None,
                };
            };
            match frame {
                Frame::IoPop => self.pop_io(),
                Frame::Boundary { kind, saved } => {
                    if let Control::Exit(code) | Control::Return(code) = control {
                        self.status = code;
                    }
                    self.finish_boundary(kind, *saved);
                    return None;
                }
                Frame::Function { positional } => {
                    self.positional = positional;
                    if let Control::Return(code) = control {
                        self.status = code;
                        return None;
                    }
                }
                Frame::Loop { node, body_status, .. } => match control {
                    Control::Break(1) => {
                        self.status = 0;
                        return None;
                    }
                    Control::Continue(1) => {
                        self.frames.push(Frame::Loop { node: node.clone(), testing: true, body_status });
                        self.frames.push(Frame::List { list: node.cond.clone(), next: 0 });
                        return None;
                    }
                    Control::Break(n) => control = Control::Break(n - 1),
                    Control::Continue(n) => control = Control::Continue(n - 1),
                    _ => {}
                },
                Frame::For { node, values, next, body_status } => match control {
                    Control::Break(1) => {
                        self.status = 0;
                        return None;
                    }
                    Control::Continue(1) => {
                        self.frames.push(Frame::For { node, values, next, body_status });
                        return None;
                    }
                    Control::Break(n) => control = Control::Break(n - 1),
                    Control::Continue(n) => control = Control::Continue(n - 1),
                    _ => {}
                },
                Frame::Pipeline { next, .. } if next > 0 => {
                    self.captures.pop();
                    self.pipe_limits.remove(&self.captures.len());
                }
                _ => {}
            }
        }
    }

    fn push_pipeline(&mut self, pipeline: &Arc<Pipeline>) {
        if pipeline.commands.len() == 1 {
            if pipeline.bang {
                self.frames.push(Frame::Negate);
            }
            self.frames.push(Frame::Run(pipeline.commands[0].clone()));
        } else {
            self.frames.push(Frame::Pipeline { node: pipeline.clone(), next: 0 });
        }
    }

    fn step(&mut self, frame: Frame, host: &mut dyn Host) -> Flow {
        match frame {
            Frame::List { list, next } => {
                if let Some(item) = list.get(next).cloned() {
                    if next + 1 < list.len() {
                        self.frames.push(Frame::List { list, next: next + 1 });
                    }
                    if item.background {
                        self.spawn_job(item);
                    } else {
                        self.frames.push(Frame::AndOr { node: item, next: 0 });
                    }
                }
            }
            Frame::AndOr { node, next } => {
                if next == 0 {
                    if !node.rest.is_empty() {
                        self.frames.push(Frame::AndOr { node: node.clone(), next: 1 });
                    }
                    self.push_pipeline(&node.first);
                } else if let Some((is_and, pipeline)) = node.rest.get(next - 1).cloned() {
                    if next < node.rest.len() {
                        self.frames.push(Frame::AndOr { node, next: next + 1 });
                    }
                    if is_and == (self.status == 0) {
                        self.push_pipeline(&pipeline);
                    }
                }
            }
            Frame::Pipeline { node, next } => {
                let input = if next > 0 {
                    let bytes = self.captures.pop().unwrap_or_default();
                    self.pipe_limits.remove(&self.captures.len());
                    Some(self.new_stdin(bytes))
                } else {
                    None
                };
                let Some(command) = node.commands.get(next).cloned() else {
                    return Flow::Next;
                };
                if next + 1 == node.commands.len() {
                    if node.bang {
                        self.frames.push(Frame::Negate);
                    }
                    self.push_boundary(Boundary::Stage, input, None);
                } else {
                    let reader_lines = node.commands.get(next + 1).and_then(|c| head_lines(c));
                    self.frames.push(Frame::Pipeline { node, next: next + 1 });
                    self.captures.push(Vec::new());
                    let index = self.captures.len() - 1;
                    match reader_lines {
                        Some(lines) => self.pipe_limits.insert(index, lines),
                        None => self.pipe_limits.remove(&index),
                    };
                    let capture = Sink::Capture(index);
                    self.push_boundary(Boundary::Stage, input, Some(capture));
                }
                self.frames.push(Frame::Run(command));
            }
            Frame::Negate => self.status = i32::from(self.status == 0),
            Frame::Status(status) => self.status = status,
            Frame::Run(command) => match &*command {
                Command::Simple(_) => self.frames.push(Frame::Expand {
                    target: Target::Simple(command),
                    replay: Replay::default(),
                    saved: None,
                }),
                Command::FunctionDef(name, body) => {
                    self.functions.insert(name.clone(), body.clone());
                    self.status = 0;
                }
                Command::Compound(compound, redirs) => {
                    if redirs.is_empty() {
                        self.start_compound(compound);
                    } else {
                        self.frames.push(Frame::Expand {
                            target: Target::Compound(command.clone()),
                            replay: Replay::default(),
                            saved: None,
                        });
                    }
                }
            },
            Frame::Expand { target, replay, saved } => return self.step_expand(target, replay, saved, host),
            Frame::If { node, branch } => {
                if self.status == 0 {
                    if let Some((_, body)) = node.branches.get(branch) {
                        self.frames.push(Frame::List { list: body.clone(), next: 0 });
                    }
                } else if let Some((cond, _)) = node.branches.get(branch + 1) {
                    let cond = cond.clone();
                    self.frames.push(Frame::If { node, branch: branch + 1 });
                    self.frames.push(Frame::List { list: cond, next: 0 });
                } else if let Some(otherwise) = &node.otherwise {
                    self.frames.push(Frame::List { list: otherwise.clone(), next: 0 });
                } else {
                    self.status = 0;
                }
            }
            Frame::Loop { node, testing, body_status } => {
                if testing {
                    if (self.status == 0) != node.until {
                        let body = node.body.clone();
                        self.frames.push(Frame::Loop { node, testing: false, body_status });
                        self.frames.push(Frame::List { list: body, next: 0 });
                    } else {
                        self.status = body_status;
                    }
                } else {
                    let cond = node.cond.clone();
                    self.frames.push(Frame::Loop { node, testing: true, body_status: self.status });
                    self.frames.push(Frame::List { list: cond, next: 0 });
                }
            }
            Frame::For { node, values, next, body_status } => {
                let body_status = if next > 0 { self.status } else { body_status };
                if let Some(value) = values.get(next).cloned() {
                    self.set_var(&node.var, value);
                    let body = node.body.clone();
                    self.frames.push(Frame::For { node, values, next: next + 1, body_status });
                    self.frames.push(Frame::List { list: body, next: 0 });
                } else {
                    self.status = body_status;
                }
            }
            Frame::IoPop => self.pop_io(),
            Frame::Boundary { kind, saved } => self.finish_boundary(kind, *saved),
            Frame::Function { positional } => self.positional = positional,
            Frame::Tail { path, offset } => return self.step_tail(path, offset, host),
        }
        Flow::Next
    }

    fn start_compound(&mut self, compound: &Compound) {
        match compound {
            Compound::Brace(list) => self.frames.push(Frame::List { list: list.clone(), next: 0 }),
            Compound::Subshell(list) => {
                self.push_boundary(Boundary::Subshell, None, None);
                self.frames.push(Frame::List { list: list.clone(), next: 0 });
            }
            Compound::If(node) => {
                if let Some((cond, _)) = node.branches.first() {
                    let cond = cond.clone();
                    self.frames.push(Frame::If { node: node.clone(), branch: 0 });
                    self.frames.push(Frame::List { list: cond, next: 0 });
                }
            }
            Compound::Loop(node) => {
                self.frames.push(Frame::Loop { node: node.clone(), testing: true, body_status: 0 });
                self.frames.push(Frame::List { list: node.cond.clone(), next: 0 });
            }
            Compound::For(node) => self.frames.push(Frame::Expand {
                target: Target::ForWords(node.clone()),
                replay: Replay::default(),
                saved: None,
            }),
            Compound::Case(node) => self.frames.push(Frame::Expand {
                target: Target::Case(node.clone()),
                replay: Replay::default(),
                saved: None,
            }),
        }
    }

    fn spawn_job(&mut self, item: Arc<AndOr>) {
        let mut job = self.clone();
        job.frames = vec![Frame::AndOr { node: item, next: 0 }];
        job.spawned = Vec::new();
        job.captures = Vec::new();
        job.pipe_limits = BTreeMap::new();
        job.wait_until_ms = None;
        job.is_job = true;
        let mut io = self.io_top().clone();
        for sink in [&mut io.stdout, &mut io.stderr] {
            if let Sink::Capture(_) = sink {
                *sink = Sink::Null;
            }
        }
        io.stdin = Stdin { id: 0, data: Arc::from(Vec::new()), pos: 0 };
        job.io = vec![io];
        job.pid = self.next_job_pid;
        job.next_job_pid = self.next_job_pid + 1000;
        self.last_background = Some(job.pid);
        self.next_job_pid += 1;
        self.spawned.push(job);
        self.status = 0;
    }

    fn step_expand(
        &mut self,
        target: Target,
        mut replay: Replay,
        mut saved: Option<Box<(BTreeMap<String, Var>, i32)>>,
        host: &mut dyn Host,
    ) -> Flow {
        if let Some((text, status)) = self.subst.take() {
            replay.substs.push(text);
            replay.last_status = Some(status);
        }
        match &saved {
            Some(state) => {
                self.vars = state.0.clone();
                self.status = state.1;
            }
            None if target_has_subst(&target) => saved = Some(Box::new((self.vars.clone(), self.status))),
            None => {}
        }
        replay.rewind();
        match self.expand_target(&target, &mut replay, host) {
            Ok(expanded) => self.finish_expand(target, expanded, replay.last_status, host),
            Err(ExpandError::NeedSubst(list)) => {
                self.frames.push(Frame::Expand { target, replay, saved });
                self.captures.push(Vec::new());
                self.pipe_limits.remove(&(self.captures.len() - 1));
                let capture = Sink::Capture(self.captures.len() - 1);
                self.push_boundary(Boundary::Subst, None, Some(capture));
                self.frames.push(Frame::List { list, next: 0 });
                Flow::Next
            }
            Err(ExpandError::Fatal(message)) => {
                self.eprint(host, &format!("sh: {message}\n"));
                self.status = 2;
                if self.interactive {
                    self.clear();
                    Flow::Stop(Run::Done)
                } else {
                    Flow::Unwind(Control::Exit(2))
                }
            }
        }
    }

    fn finish_expand(
        &mut self,
        target: Target,
        expanded: Expanded,
        subst_status: Option<i32>,
        host: &mut dyn Host,
    ) -> Flow {
        match (target, expanded) {
            (Target::Simple(_), Expanded::Simple { assigns, argv, redirs }) => {
                if argv.len() == 1 && argv[0] == "exec" {
                    // `exec >file 2>&1`: the redirections stay for the rest of the shell.
                    match self.open_redirs(&redirs, host) {
                        Ok(io) => *self.io_top_mut() = io,
                        Err(message) => {
                            self.eprint(host, &format!("sh: {message}\n"));
                            self.status = 1;
                            return Flow::Next;
                        }
                    }
                    self.status = 0;
                    return Flow::Next;
                }
                if !redirs.is_empty() {
                    match self.open_redirs(&redirs, host) {
                        Ok(io) => {
                            self.frames.push(Frame::IoPop);
                            self.io.push(io);
                        }
                        Err(message) => {
                            self.eprint(host, &format!("sh: {message}\n"));
                            self.status = 1;
                            return Flow::Next;
                        }
                    }
                }
                if argv.is_empty() {
                    for (name, value) in assigns {
                        self.set_var(&name, value);
                    }
                    self.status = subst_status.unwrap_or(0);
                    return Flow::Next;
                }
                self.dispatch(argv, assigns, host)
            }
            (Target::Compound(command), Expanded::Redirs(redirs)) => {
                match self.open_redirs(&redirs, host) {
                    Ok(io) => {
                        self.frames.push(Frame::IoPop);
                        self.io.push(io);
                    }
                    Err(message) => {
                        self.eprint(host, &format!("sh: {message}\n"));
                        self.status = 1;
                        return Flow::Next;
                    }
                }
                if let Command::Compound(compound, _) = &*command {
                    self.start_compound(compound);
                }
                Flow::Next
            }
            (Target::ForWords(node), Expanded::Words(values)) => {
                self.status = 0;
                self.frames.push(Frame::For { node, values: values.into(), next: 0, body_status: 0 });
                Flow::Next
            }
            (Target::Case(node), Expanded::Arm(arm)) => {
                self.status = 0;
                if let Some((_, body)) = arm.and_then(|index| node.arms.get(index)) {
                    self.frames.push(Frame::List { list: body.clone(), next: 0 });
                }
                Flow::Next
            }
            _ => Flow::Next,
        }
    }

    fn open_redirs(&mut self, redirs: &[ExpandedRedir], host: &mut dyn Host) -> Result<Io, String> {
        let mut io = self.io_top().clone();
        for redir in redirs {
            let fd = redir.fd.unwrap_or(match redir.op {
                RedirOp::In | RedirOp::DupIn | RedirOp::HereDoc | RedirOp::ReadWrite => 0,
                _ => 1,
            });
            match redir.op {
                RedirOp::Out | RedirOp::Append | RedirOp::OutErr | RedirOp::ReadWrite => {
                    let sink = match redir.target.as_str() {
                        "/dev/null" => Sink::Null,
                        "/dev/stdout" => io.stdout.clone(),
                        "/dev/stderr" => io.stderr.clone(),
                        "" => {
                            return Err(format!("can't create {}: nonexistent directory", redir.target));
                        }
                        target => {
                            let path = self.abs_path(target);
                            let mode = if redir.op == RedirOp::Out { WriteMode::Truncate } else { WriteMode::Append };
                            let now = host.now_ms();
                            host.fs().write_file(&path, b"", mode, now).map_err(|e| {
                                format!("can't create {target}: {}", errmsg(e, "nonexistent directory"))
                            })?;
                            Sink::File(path)
                        }
                    };
                    match (redir.op, fd) {
                        (RedirOp::OutErr, _) => {
                            io.stdout = sink.clone();
                            io.stderr = sink;
                        }
                        (RedirOp::ReadWrite, 0) => {}
                        (_, 1) => io.stdout = sink,
                        (_, 2) => io.stderr = sink,
                        _ => {}
                    }
                }
                RedirOp::In => {
                    let data = match redir.target.as_str() {
                        "/dev/null" => Vec::new(),
                        target => {
                            let path = self.abs_path(target);
                            host.fs()
                                .read_file(&path)
                                .map_err(|e| format!("can't open {target}: {}", errmsg(e, "no such file")))?
                        }
                    };
                    if fd == 0 {
                        io.stdin = self.new_stdin(data);
                    }
                }
                RedirOp::HereDoc => {
                    if fd == 0 {
                        io.stdin = self.new_stdin(redir.target.clone().into_bytes());
                    }
                }
                RedirOp::DupOut | RedirOp::DupIn => {
                    let sink = match redir.target.as_str() {
                        "1" => Some(io.stdout.clone()),
                        "2" => Some(io.stderr.clone()),
                        "-" => Some(Sink::Null),
                        "0" => None,
                        other => return Err(format!("{other}: bad file descriptor")),
                    };
                    if let Some(sink) = sink {
                        match fd {
                            1 => io.stdout = sink,
                            2 => io.stderr = sink,
                            _ => {}
                        }
                    }
                }
            }
        }
        Ok(io)
    }

    fn step_tail(&mut self, path: String, offset: usize, host: &mut dyn Host) -> Flow {
        let data = host.fs().read_file(&path).unwrap_or_default();
        let mut offset = offset;
        if data.len() < offset {
            self.eprint(host, &format!("tail: {path}: file truncated\n"));
            offset = 0;
        }
        if data.len() > offset {
            let _ = self.emit(host, Stream::Stdout, &data[offset..]);
        }
        self.frames.push(Frame::Tail { path, offset: data.len() });
        Flow::Stop(Run::WaitInput)
    }

    /// Runs a command by name: functions, builtins, utilities, then the host.
    pub(crate) fn dispatch(&mut self, argv: Vec<String>, assigns: Vec<(String, String)>, host: &mut dyn Host) -> Flow {
        let mut argv = argv;
        let mut env_overlay = assigns;
        // Wrappers that run their arguments as a command.
        loop {
            let Some(name) = argv.first().cloned() else {
                self.status = 0;
                return Flow::Next;
            };
            let name = strip_bin_dir(&name).to_string();
            argv[0] = name.clone();
            match name.as_str() {
                "sudo" | "nohup" | "exec" | "command" | "time" | "builtin" => {
                    let mut rest = 1;
                    while argv.get(rest).is_some_and(|arg| arg.starts_with('-') && arg.len() > 1) {
                        let takes_value = name == "sudo" && matches!(argv[rest].as_str(), "-u" | "-g");
                        rest += if takes_value { 2 } else { 1 };
                    }
                    if name == "command" && argv.get(1).is_some_and(|arg| arg == "-v") {
                        break;
                    }
                    argv.drain(..rest.min(argv.len()));
                }
                "chroot" => {
                    if argv.len() < 2 {
                        self.eprint(host, "BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: chroot NEWROOT [PROG ARGS]\n");
                        self.status = 1;
                        return Flow::Next;
                    }
                    argv.drain(..2);
                    if argv.is_empty() {
                        argv.push("sh".into());
                    }
                }
                "timeout" => {
                    let mut rest = 1;
                    while argv.get(rest).is_some_and(|arg| arg.starts_with('-')) {
                        rest += 1;
                    }
                    argv.drain(..(rest + 1).min(argv.len()));
                }
                "env" => {
                    let mut rest = 1;
                    while let Some(arg) = argv.get(rest) {
                        if arg == "-i" || arg == "-" {
                            rest += 1;
                        } else if let Some((key, value)) = arg.split_once('=') {
                            env_overlay.push((key.to_string(), value.to_string()));
                            rest += 1;
                        } else {
                            break;
                        }
                    }
                    if rest >= argv.len() {
                        let mut env = self.exported_env();
                        env.extend(env_overlay);
                        let mut out = String::new();
                        for (key, value) in env {
                            out.push_str(&format!("{key}={value}\n"));
                        }
                        let _ = self.emit(host, Stream::Stdout, out.as_bytes());
                        self.status = 0;
                        return Flow::Next;
                    }
                    argv.drain(..rest);
                }
                _ => break,
            }
        }
        if argv.is_empty() {
            self.status = 0;
            return Flow::Next;
        }
        let name = argv[0].clone();
        if let Some(body) = self.functions.get(&name).cloned() {
            if self.frames.iter().filter(|frame| matches!(frame, Frame::Function { .. })).count() >= CALL_DEPTH_MAX {
                self.eprint(host, "sh: function nesting too deep\n");
                self.status = 2;
                return Flow::Next;
            }
            for (key, value) in env_overlay {
                self.set_var(&key, value);
            }
            let positional = std::mem::replace(&mut self.positional, argv[1..].to_vec());
            self.frames.push(Frame::Function { positional });
            self.frames.push(Frame::Run(body));
            return Flow::Next;
        }
        if let Some(flow) = self.builtin(&argv, &env_overlay, host) {
            return flow;
        }
        // Utilities run to completion at once, on the remaining stdin.
        let mut env = self.exported_env();
        env.extend(env_overlay.iter().cloned());
        let stdin_data = self.io_top().stdin.data.clone();
        let stdin_pos = self.io_top().stdin.pos.min(stdin_data.len());
        let mut ctx = Ctx::new(host, &self.cwd, env, &stdin_data[stdin_pos..]);
        let status = utils::run(&argv, &mut ctx);
        let (out, err, stdin_used) = (ctx.out, ctx.err, ctx.stdin_used);
        if let Some(status) = status {
            if stdin_used {
                self.io_top_mut().stdin.pos = stdin_data.len();
            }
            return self.finish_utility(&name, status, &out, &err, host);
        }
        let env_pairs: Vec<(String, String)> = {
            let mut env = self.exported_env();
            env.extend(env_overlay);
            env.into_iter().collect()
        };
        if let Some(output) = host.external(&argv, &env_pairs, &stdin_data[stdin_pos..]) {
            self.io_top_mut().stdin.pos = stdin_data.len();
            return self.finish_utility(&name, output.exit_code, &output.stdout, &output.stderr, host);
        }
        self.eprint(host, &format!("sh: {name}: not found\n"));
        self.status = 127;
        Flow::Next
    }

    fn finish_utility(&mut self, name: &str, status: i32, out: &[u8], err: &[u8], host: &mut dyn Host) -> Flow {
        self.status = status;
        if let Err(error) = self.emit(host, Stream::Stdout, out) {
            self.eprint(host, &format!("{name}: write error: {error}\n"));
            self.status = 1;
        }
        let _ = self.emit(host, Stream::Stderr, err);
        Flow::Next
    }

    /// Shell builtins that need the interpreter's state; `None` if `argv[0]` is not one.
    fn builtin(&mut self, argv: &[String], env_overlay: &[(String, String)], host: &mut dyn Host) -> Option<Flow> {
        let name = argv[0].as_str();
        let args = &argv[1..];
        let flow = match name {
            ":" | "true" => self.done(0),
            "false" => self.done(1),
            // `kill $!`: the shell's own background jobs are ended here, other pids by the utility.
            "kill"
                if !args.is_empty()
                    && args.iter().filter(|a| !a.starts_with('-')).all(|a| {
                        a.parse::<u32>()
                            .is_ok_and(|pid| self.spawned.iter().any(|j| j.pid == pid) || self.live_jobs.contains(&pid))
                    })
                    && args.iter().any(|a| !a.starts_with('-')) =>
            {
                for pid in args.iter().filter_map(|a| a.parse::<u32>().ok()) {
                    self.spawned.retain(|j| j.pid != pid);
                    if self.live_jobs.contains(&pid) {
                        self.live_jobs.retain(|p| *p != pid);
                        self.killed_jobs.push(pid);
                    }
                }
                self.done(0)
            }
            "exit" => {
                let code = match args.first() {
                    None => self.status,
                    Some(arg) => match arg.parse::<i64>() {
                        Ok(code) => (code & 0xff) as i32,
                        Err(_) => {
                            self.eprint(host, &format!("sh: exit: Illegal number: {arg}\n"));
                            2
                        }
                    },
                };
                Flow::Unwind(Control::Exit(code))
            }
            "return" => {
                let code = args.first().and_then(|arg| arg.parse::<i32>().ok()).unwrap_or(self.status);
                Flow::Unwind(Control::Return(code & 0xff))
            }
            "break" | "continue" => {
                let levels = args.first().and_then(|arg| arg.parse::<u32>().ok()).unwrap_or(1).max(1);
                let loops =
                    self.frames.iter().filter(|frame| matches!(frame, Frame::Loop { .. } | Frame::For { .. })).count();
                if loops == 0 {
                    return Some(self.done(0));
                }
                let levels = levels.min(loops as u32);
                self.status = 0;
                Flow::Unwind(if name == "break" { Control::Break(levels) } else { Control::Continue(levels) })
            }
            "cd" => {
                let target = match args.iter().find(|arg| !arg.starts_with('-') || arg.as_str() == "-") {
                    None => self.get_var("HOME").unwrap_or_else(|| "/".into()),
                    Some(arg) if arg == "-" => self.get_var("OLDPWD").unwrap_or_else(|| self.cwd.clone()),
                    Some(arg) => arg.clone(),
                };
                let path = self.abs_path(&target);
                let resolved = host.fs().canonicalize(&path);
                match resolved.and_then(|real| host.fs().metadata(&real).map(|meta| (real, meta))) {
                    Ok((_, meta)) if meta.kind != fs::FileKind::Directory => {
                        self.eprint(host, &format!("sh: cd: can't cd to {target}: Not a directory\n"));
                        self.done(2)
                    }
                    Ok(_) => {
                        let old = std::mem::replace(&mut self.cwd, path.clone());
                        self.set_var("OLDPWD", old);
                        self.set_var("PWD", path);
                        if args.first().is_some_and(|arg| arg == "-") {
                            let line = format!("{}\n", self.cwd);
                            let _ = self.emit(host, Stream::Stdout, line.as_bytes());
                        }
                        self.done(0)
                    }
                    Err(error) => {
                        self.eprint(host, &format!("sh: cd: can't cd to {target}: {error}\n"));
                        self.done(2)
                    }
                }
            }
            "pwd" => {
                let line = format!("{}\n", self.cwd);
                let _ = self.emit(host, Stream::Stdout, line.as_bytes());
                self.done(0)
            }
            "export" | "readonly" | "local" | "declare" | "typeset" => {
                if args.is_empty() || args.iter().all(|arg| arg == "-p") {
                    let mut out = String::new();
                    for (key, var) in &self.vars {
                        if var.exported {
                            out.push_str(&format!("export {key}='{}'\n", var.value.replace('\'', "'\\''")));
                        }
                    }
                    let _ = self.emit(host, Stream::Stdout, out.as_bytes());
                    return Some(self.done(0));
                }
                let export = name == "export";
                let mut status = 0;
                for arg in args.iter().filter(|arg| !arg.starts_with('-')) {
                    let (key, value) = match arg.split_once('=') {
                        Some((key, value)) => (key, Some(value.to_string())),
                        None => (arg.as_str(), None),
                    };
                    if !is_name(key) {
                        self.eprint(host, &format!("sh: {name}: bad variable name\n"));
                        status = 1;
                        continue;
                    }
                    let var = self.vars.entry(key.to_string()).or_insert(Var { value: String::new(), exported: false });
                    if let Some(value) = value {
                        var.value = value;
                    }
                    var.exported |= export;
                }
                self.done(status)
            }
            "unset" => {
                for arg in args.iter().filter(|arg| !arg.starts_with('-')) {
                    if args.first().is_some_and(|flag| flag == "-f") {
                        self.functions.remove(arg);
                    } else {
                        self.vars.remove(arg);
                    }
                }
                self.done(0)
            }
            "set" => {
                if args.is_empty() {
                    let mut out = String::new();
                    for (key, var) in &self.vars {
                        out.push_str(&format!("{key}='{}'\n", var.value.replace('\'', "'\\''")));
                    }
                    let _ = self.emit(host, Stream::Stdout, out.as_bytes());
                    return Some(self.done(0));
                }
                let mut rest = 0;
                while let Some(arg) = args.get(rest) {
                    if arg == "--" {
                        rest += 1;
                        self.positional = args[rest..].to_vec();
                        return Some(self.done(0));
                    }
                    if arg == "-o" || arg == "+o" {
                        rest += 2;
                    } else if arg.starts_with('-') || arg.starts_with('+') {
                        rest += 1;
                    } else {
                        self.positional = args[rest..].to_vec();
                        break;
                    }
                }
                self.done(0)
            }
            "shift" => {
                let count = args.first().and_then(|arg| arg.parse::<usize>().ok()).unwrap_or(1);
                if count > self.positional.len() {
                    return Some(self.done(1));
                }
                self.positional.drain(..count);
                self.done(0)
            }
            "trap" | "wait" | "ulimit" | "umask" | "alias" | "unalias" | "hash" | "jobs" => self.done(0),
            "eval" => {
                let script = args.join(" ");
                match parse_program(&script) {
                    Ok(list) => {
                        self.frames.push(Frame::List { list, next: 0 });
                        self.status = 0;
                        Flow::Next
                    }
                    Err(error) => {
                        self.eprint(host, &format!("sh: eval: {error}\n"));
                        self.done(2)
                    }
                }
            }
            "." | "source" => {
                let Some(file) = args.first() else {
                    self.eprint(host, "sh: .: filename argument required\n");
                    return Some(self.done(2));
                };
                let path = self.abs_path(file);
                match host.fs().read_file(&path) {
                    Ok(data) => match parse_program(&String::from_utf8_lossy(&data)) {
                        Ok(list) => {
                            self.frames.push(Frame::List { list, next: 0 });
                            self.status = 0;
                            Flow::Next
                        }
                        Err(error) => {
                            self.eprint(host, &format!("sh: {file}: {error}\n"));
                            self.done(2)
                        }
                    },
                    Err(_) => {
                        self.eprint(host, &format!("sh: .: can't open '{file}'\n"));
                        self.done(2)
                    }
                }
            }
            "read" => self.builtin_read(args),
            "sleep" => return Some(self.builtin_sleep(args, host)),
            "tail"
                if args.iter().any(|arg| {
                    arg == "-f" || arg == "-F" || (arg.starts_with('-') && arg.contains('f') && !arg.starts_with("--"))
                }) =>
            {
                return Some(self.builtin_tail_follow(argv, host));
            }
            "sh" | "bash" | "ash" | "dash" => return Some(self.builtin_sh(argv, host)),
            "type" | "which" => {
                let mut status = 0;
                let mut out = String::new();
                for arg in args.iter().filter(|arg| !arg.starts_with('-')) {
                    if self.functions.contains_key(arg) {
                        out.push_str(&if name == "type" { format!("{arg} is a function\n") } else { String::new() });
                    } else if is_builtin(arg) {
                        out.push_str(&if name == "type" {
                            format!("{arg} is a shell builtin\n")
                        } else {
                            String::new()
                        });
                    } else if utils::is_utility(arg) {
                        out.push_str(&if name == "type" {
                            format!("{arg} is /bin/{arg}\n")
                        } else {
                            format!("/bin/{arg}\n")
                        });
                    } else {
                        if name == "type" {
                            out.push_str(&format!("{arg}: not found\n"));
                        }
                        status = 1;
                    }
                }
                let _ = self.emit(host, Stream::Stdout, out.as_bytes());
                self.done(status)
            }
            _ if name.contains('/') => return Some(self.run_script_file(argv, host)),
            _ => {
                let _ = env_overlay;
                return None;
            }
        };
        Some(flow)
    }

    fn done(&mut self, status: i32) -> Flow {
        self.status = status;
        Flow::Next
    }

    fn builtin_read(&mut self, args: &[String]) -> Flow {
        let names: Vec<&String> = args.iter().filter(|arg| !arg.starts_with('-')).collect();
        let raw = args.iter().any(|arg| arg == "-r");
        let stdin = &mut self.io_top_mut().stdin;
        let rest = &stdin.data[stdin.pos.min(stdin.data.len())..];
        if rest.is_empty() {
            for name in &names {
                self.set_var(name, String::new());
            }
            return self.done(1);
        }
        let (line, consumed, complete) = match rest.iter().position(|b| *b == b'\n') {
            Some(end) => (&rest[..end], end + 1, true),
            None => (rest, rest.len(), false),
        };
        let mut line = String::from_utf8_lossy(line).into_owned();
        stdin.pos += consumed;
        if !raw {
            line = line.replace("\\\n", "").replace('\\', "");
        }
        let ifs = self.get_var("IFS").unwrap_or_else(|| " \t\n".into());
        let names: Vec<String> =
            if names.is_empty() { vec!["REPLY".into()] } else { names.into_iter().cloned().collect() };
        let mut rest = line.trim_matches(|c| ifs.contains(c)).to_string();
        for (index, name) in names.iter().enumerate() {
            if index + 1 == names.len() {
                self.set_var(name, rest.clone());
                break;
            }
            let (field, remainder) = match rest.find(|c| ifs.contains(c)) {
                Some(at) => (rest[..at].to_string(), rest[at..].trim_start_matches(|c| ifs.contains(c)).to_string()),
                None => (rest.clone(), String::new()),
            };
            self.set_var(name, field);
            rest = remainder;
        }
        self.done(if complete { 0 } else { 1 })
    }

    fn builtin_sleep(&mut self, args: &[String], host: &mut dyn Host) -> Flow {
        let mut total_ms: u64 = 0;
        if args.is_empty() {
            self.eprint(host, "BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: sleep [N]...\n");
            return self.done(1);
        }
        for arg in args {
            match parse_duration_ms(arg) {
                Some(ms) => total_ms = total_ms.saturating_add(ms),
                None => {
                    self.eprint(host, &format!("sleep: invalid number '{arg}'\n"));
                    return self.done(1);
                }
            }
        }
        self.status = 0;
        if !self.is_job && host.sleep(total_ms) == SleepOutcome::Done {
            return Flow::Next;
        }
        let until = host.now_ms().saturating_add(total_ms);
        self.wait_until_ms = Some(until);
        Flow::Stop(Run::Sleep(until))
    }

    fn builtin_tail_follow(&mut self, argv: &[String], host: &mut dyn Host) -> Flow {
        let mut plain: Vec<String> = Vec::new();
        let mut files = Vec::new();
        let mut iter = argv.iter().skip(1);
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "-f" | "-F" => {}
                "-n" | "-c" => {
                    plain.push(arg.clone());
                    if let Some(value) = iter.next() {
                        plain.push(value.clone());
                    }
                }
                flag if flag.starts_with('-') && flag.len() > 1 => {
                    let rest: String = flag.chars().filter(|c| *c != 'f' && *c != 'F').collect();
                    if rest != "-" {
                        plain.push(rest);
                    }
                }
                file => files.push(file.to_string()),
            }
        }
        let Some(file) = files.last().cloned() else {
            // Following stdin: print it and end.
            return self.dispatch([vec!["tail".to_string()], plain].concat(), Vec::new(), host);
        };
        let path = self.abs_path(&file);
        let data = match host.fs().read_file(&path) {
            Ok(data) => data,
            Err(error) => {
                self.eprint(host, &format!("tail: can't open '{file}': {error}\n"));
                return self.done(1);
            }
        };
        let mut args = vec!["tail".to_string()];
        args.extend(plain);
        args.push(file);
        let mut ctx = Ctx::new(host, &self.cwd, self.exported_env(), &[]);
        let status = utils::run(&args, &mut ctx).unwrap_or(1);
        let (out, err) = (ctx.out, ctx.err);
        self.finish_utility("tail", status, &out, &err, host);
        self.frames.push(Frame::Tail { path, offset: data.len() });
        Flow::Next
    }

    fn builtin_sh(&mut self, argv: &[String], host: &mut dyn Host) -> Flow {
        let mut index = 1;
        let mut command = None;
        while let Some(arg) = argv.get(index) {
            if arg == "-c" {
                command = argv.get(index + 1).cloned();
                index += 2;
                break;
            } else if arg.starts_with('-') && arg.len() > 1 {
                if arg.contains('c') {
                    command = argv.get(index + 1).cloned();
                    index += 2;
                    break;
                }
                index += 1;
            } else {
                break;
            }
        }
        let (script, arg0, positional) = match command {
            Some(script) => {
                let arg0 = argv.get(index).cloned().unwrap_or_else(|| argv[0].clone());
                (script, arg0, argv.get(index + 1..).map(<[String]>::to_vec).unwrap_or_default())
            }
            None => match argv.get(index) {
                Some(file) => {
                    let path = self.abs_path(file);
                    match host.fs().read_file(&path) {
                        Ok(data) => {
                            (String::from_utf8_lossy(&data).into_owned(), file.clone(), argv[index + 1..].to_vec())
                        }
                        Err(_) => {
                            self.eprint(
                                host,
                                &format!("{}: can't open '{file}': No such file or directory\n", argv[0]),
                            );
                            return self.done(2);
                        }
                    }
                }
                None => {
                    // Commands from stdin.
                    let stdin = &self.io_top().stdin;
                    let (rest, end) = (stdin.data[stdin.pos.min(stdin.data.len())..].to_vec(), stdin.data.len());
                    self.io_top_mut().stdin.pos = end;
                    (String::from_utf8_lossy(&rest).into_owned(), argv[0].clone(), Vec::new())
                }
            },
        };
        self.run_nested(&script, arg0, positional, host)
    }

    fn run_nested(&mut self, script: &str, arg0: String, positional: Vec<String>, host: &mut dyn Host) -> Flow {
        let depth = self.frames.iter().filter(|frame| matches!(frame, Frame::Boundary { .. })).count();
        if depth >= CALL_DEPTH_MAX {
            self.eprint(host, "sh: nesting too deep\n");
            return self.done(2);
        }
        match parse_program(script) {
            Ok(list) => {
                self.push_boundary(Boundary::Subshell, None, None);
                // Only exported variables survive into a new shell.
                self.vars.retain(|name, var| var.exported || name == "IFS");
                self.functions.clear();
                self.positional = positional;
                self.arg0 = arg0;
                self.frames.push(Frame::List { list, next: 0 });
                self.status = 0;
                Flow::Next
            }
            Err(error) => {
                self.eprint(host, &format!("sh: {error}\n"));
                self.done(2)
            }
        }
    }

    fn run_script_file(&mut self, argv: &[String], host: &mut dyn Host) -> Flow {
        let file = &argv[0];
        let path = self.abs_path(file);
        match host.fs().metadata(&path) {
            Ok(meta) if meta.kind == fs::FileKind::Directory || meta.mode & 0o111 == 0 => {
                self.eprint(host, &format!("sh: {file}: Permission denied\n"));
                self.done(126)
            }
            Ok(_) => match host.fs().read_file(&path) {
                Ok(data) => {
                    let script = String::from_utf8_lossy(&data).into_owned();
                    self.run_nested(&script, file.clone(), argv[1..].to_vec(), host)
                }
                Err(error) => {
                    self.eprint(host, &format!("sh: {file}: {error}\n"));
                    self.done(126)
                }
            },
            Err(_) => {
                self.eprint(host, &format!("sh: {file}: not found\n"));
                self.done(127)
            }
        }
    }
}

/// Expansion results, by target.
pub(crate) enum Expanded {
    Simple { assigns: Vec<(String, String)>, argv: Vec<String>, redirs: Vec<ExpandedRedir> },
    Redirs(Vec<ExpandedRedir>),
    Words(Vec<String>),
    Arm(Option<usize>),
}

pub(crate) struct ExpandedRedir {
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: String,
}

fn target_has_subst(target: &Target) -> bool {
    let words_have = |words: &[Word]| words.iter().flatten().any(WordPart::has_command_subst);
    let redirs_have = |redirs: &[Redir]| redirs.iter().flat_map(|redir| &redir.target).any(WordPart::has_command_subst);
    match target {
        Target::Simple(command) | Target::Compound(command) => match &**command {
            Command::Simple(simple) => {
                words_have(&simple.words)
                    || redirs_have(&simple.redirs)
                    || simple.assigns.iter().flat_map(|(_, word)| word).any(WordPart::has_command_subst)
            }
            Command::Compound(_, redirs) => redirs_have(redirs),
            Command::FunctionDef(..) => false,
        },
        Target::ForWords(node) => node.words.as_deref().is_some_and(words_have),
        Target::Case(node) => {
            node.word.iter().any(WordPart::has_command_subst)
                || node.arms.iter().any(|(patterns, _)| words_have(patterns))
        }
    }
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        ":" | "true"
            | "false"
            | "exit"
            | "return"
            | "break"
            | "continue"
            | "cd"
            | "pwd"
            | "export"
            | "readonly"
            | "local"
            | "unset"
            | "set"
            | "shift"
            | "trap"
            | "wait"
            | "eval"
            | "."
            | "source"
            | "read"
            | "type"
            | "command"
            | "exec"
            | "umask"
            | "ulimit"
            | "alias"
            | "jobs"
    )
}

fn strip_bin_dir(name: &str) -> &str {
    for dir in ["/usr/local/bin/", "/usr/local/sbin/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"] {
        if let Some(rest) = name.strip_prefix(dir)
            && !rest.contains('/')
            && !rest.is_empty()
        {
            return rest;
        }
    }
    name
}

/// `sleep` arguments: `5`, `0.5`, `2m`, `1h`, `1d`.
/// The lines `head` reads from stdin when a pipeline stage is `head [-n N | -N]` with literal words.
fn head_lines(command: &Command) -> Option<usize> {
    let Command::Simple(simple) = command else { return None };
    if !simple.redirs.is_empty() {
        return None;
    }
    let mut words = Vec::new();
    for word in &simple.words {
        let mut text = String::new();
        for part in word {
            match part {
                WordPart::Lit(t) | WordPart::Quoted(t) => text.push_str(t),
                _ => return None,
            }
        }
        words.push(text);
    }
    let (first, args) = words.split_first()?;
    if first != "head" {
        return None;
    }
    let mut lines = 10;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "-n" {
            lines = iter.next()?.parse().ok()?;
        } else if let Some(n) = arg.strip_prefix("-n").or_else(|| arg.strip_prefix('-')) {
            lines = n.parse().ok()?;
        } else {
            // A file operand or another option: head does not read the pipe this way.
            return None;
        }
    }
    Some(lines)
}

fn parse_duration_ms(arg: &str) -> Option<u64> {
    // busybox and coreutils sleep accept `inf` and `infinity` (strtod's spellings).
    if matches!(arg.to_ascii_lowercase().as_str(), "inf" | "infinity") {
        return Some(u64::MAX / 2);
    }
    let (number, unit_ms) = match arg.chars().last()? {
        's' => (&arg[..arg.len() - 1], 1000.0),
        'm' => (&arg[..arg.len() - 1], 60_000.0),
        'h' => (&arg[..arg.len() - 1], 3_600_000.0),
        'd' => (&arg[..arg.len() - 1], 86_400_000.0),
        _ => (arg, 1000.0),
    };
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let ms = value * unit_ms;
    if !ms.is_finite() || ms < 0.0 {
        return None;
    }
    Some(if ms > 1e18 { u64::MAX / 2 } else { ms.round() as u64 })
}
