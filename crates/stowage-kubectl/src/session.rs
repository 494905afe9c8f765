//! The terminal session: a simulated cluster plus the user's workstation (a home directory, the
//! shell's variables and working directory, history), driven one command line at a time.
//!
//! # Model
//! - Every line runs through the one shell ([`crate::shell`]); `kubectl` is an external command of
//!   the workstation, so pipes (`kubectl get pv -o name | wc -l`), `&&`, heredocs and redirections work.
//! - After each top-level line the cluster settles (every controller finishes what it can), unless the line
//!   runs with [`Session::run_unsettled`] (a UI's step mode).
//! - `sleep N` advances simulated time by N seconds (the cluster runs meanwhile).
//! - The workstation filesystem is an in-memory tree with `/root` as home and working directory;
//!   files the web editor holds are files here ([`Session::write_file`]).
//! - Scripts (`stowage run`, transcripts) are split into top-level commands by [`split_script`]:
//!   `\` continuations, heredoc bodies and unfinished compound commands join lines; lines that start
//!   with `#` are comments.

use crate::kubectl::{self, FileEntry, Files};
use crate::shell::{self, ExternalOutput, Host, Process, SleepOutcome, Stream};
use std::cell::RefCell;
use stowage_core::fs::{FsStore, FsTree, MountNamespace, MountSpec, Vfs, WriteMode, normalize};
use stowage_core::sim::SimRng;
use stowage_core::{Cluster, Profile, Seed, SimDuration};

/// The home directory and initial working directory of the workstation.
pub const HOME: &str = "/root";

/// The workstation's host name (`hostname`).
pub const HOSTNAME: &str = "workstation";

/// What one command line printed.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit status of the line (`$?`).
    pub exit_code: i32,
    /// Teaching hints, to show beside the output (never part of stdout or stderr).
    pub hints: Vec<String>,
}

/// A terminal session.
#[derive(Clone, Debug)]
pub struct Session {
    cluster: Cluster,
    fs: FsStore,
    mounts: MountNamespace,
    shell: Process,
    history: Vec<String>,
    rng: SimRng,
}

impl Session {
    /// A new session on a fresh cluster of `profile`, with an empty home directory.
    pub fn new(profile: Profile, seed: Seed) -> Session {
        let cluster = Cluster::with_runtime(profile, seed, &crate::runtime::SHELL_RUNTIME);
        let now_ms = cluster.now().unix_millis().max(0) as u64;
        let mut fs = FsStore::new();
        let root = fs.insert(FsTree::new("overlay", "overlay", None, now_ms));
        let mounts = MountNamespace::new(MountSpec { fs: root, subpath: String::new(), read_only: false });
        let mut session = Session {
            cluster,
            fs,
            mounts,
            shell: Process::interactive(),
            history: Vec::new(),
            rng: SimRng::new(seed, 7),
        };
        {
            let mut vfs = Vfs::new(&mut session.fs, &session.mounts);
            for dir in [HOME, "/tmp", "/etc", "/bin", "/usr/bin"] {
                let _ = vfs.create_dir_all(dir, now_ms);
            }
            let _ = vfs.write_file("/etc/hostname", format!("{HOSTNAME}\n").as_bytes(), WriteMode::Truncate, now_ms);
        }
        session
    }

    /// The simulated cluster.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The simulated cluster, to step it from a UI.
    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    /// The shell's working directory.
    pub fn cwd(&self) -> &str {
        let cwd = self.shell.cwd();
        if self.history.is_empty() || cwd.is_empty() { HOME } else { cwd }
    }

    /// Lines run so far, oldest first.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Whether `text` is an unfinished command (an open quote, heredoc, `if` or trailing `\`), so a
    /// terminal should show a continuation prompt and read another line.
    pub fn needs_more_input(text: &str) -> bool {
        text.ends_with('\\') || matches!(shell::check_syntax(text), Err(error) if error.incomplete)
    }

    /// Runs one command line (or several lines forming one command) and lets the cluster settle.
    ///
    /// The same as [`Session::run_unsettled`] followed by [`Cluster::settle`], so a front end may instead settle
    /// in slices of [`Cluster::step`] until [`Cluster::is_settled`] and reach the same state.
    ///
    /// # Guarantees
    /// Never panics and never hangs: the shell runs under a step budget and the cluster's settle is bounded.
    pub fn run(&mut self, line: &str) -> Output {
        let output = self.run_unsettled(line);
        self.cluster.settle();
        output
    }

    /// Runs one command line without settling the cluster afterwards: the line's API writes are made and the
    /// work they cause stays queued, for a front end to run one controller action at a time ([`Cluster::step`])
    /// or on simulated time ([`Cluster::advance`]).
    ///
    /// Commands that wait on the cluster keep their meaning: `sleep` advances simulated time, and `kubectl wait`,
    /// `logs -f`, `get -w`, `exec` into a starting pod and `delete` (which waits for finalizers) run the cluster
    /// as far as they need to.
    pub fn run_unsettled(&mut self, line: &str) -> Output {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return Output::default();
        }
        self.history.push(line.to_string());
        let mut hints = Vec::new();
        let output = {
            let mut host = TerminalHost {
                cluster: &mut self.cluster,
                fs: &mut self.fs,
                mounts: &self.mounts,
                rng: &mut self.rng,
                hints: &mut hints,
                history: &self.history,
            };
            self.shell.run_line(line, &mut host, shell::STEP_BUDGET_DEFAULT)
        };
        if self.shell.exit_code().is_some() {
            // `exit` ends the shell; the terminal starts a fresh one in the home directory.
            self.shell = Process::interactive();
        }
        Output { stdout: output.stdout, stderr: output.stderr, exit_code: output.exit_code, hints }
    }

    /// Writes a file in the workstation filesystem (the editor's buffer), creating parent directories.
    /// A relative path is taken from the working directory.
    ///
    /// # Errors
    /// The filesystem's error text.
    pub fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        let path = absolute(self.cwd(), path);
        let now_ms = self.cluster.now().unix_millis().max(0) as u64;
        let mut vfs = Vfs::new(&mut self.fs, &self.mounts);
        if let Some((parent, _)) = path.rsplit_once('/')
            && !parent.is_empty()
        {
            vfs.create_dir_all(parent, now_ms).map_err(|e| e.to_string())?;
        }
        vfs.write_file(&path, text.as_bytes(), WriteMode::Truncate, now_ms).map_err(|e| e.to_string())
    }

    /// Reads a file of the workstation filesystem as text (relative paths from the working directory).
    pub fn read_file(&mut self, path: &str) -> Option<String> {
        let path = absolute(self.cwd(), path);
        let vfs = Vfs::new(&mut self.fs, &self.mounts);
        vfs.read_file(&path).ok().map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// An absolute, normalized path for `path` seen from `cwd`.
fn absolute(cwd: &str, path: &str) -> String {
    if path.starts_with('/') {
        normalize(path)
    } else if let Some(rest) = path.strip_prefix("~/") {
        normalize(&format!("{HOME}/{rest}"))
    } else {
        normalize(&format!("{cwd}/{path}"))
    }
}

/// The workstation as the shell's host.
struct TerminalHost<'a> {
    cluster: &'a mut Cluster,
    fs: &'a mut FsStore,
    mounts: &'a MountNamespace,
    rng: &'a mut SimRng,
    hints: &'a mut Vec<String>,
    history: &'a [String],
}

/// The workstation's files as kubectl reads them.
struct WorkstationFiles<'a> {
    fs: RefCell<&'a mut FsStore>,
    mounts: &'a MountNamespace,
    cwd: String,
}

impl Files for WorkstationFiles<'_> {
    fn open(&self, path: &str) -> Result<FileEntry, String> {
        let path = absolute(&self.cwd, path);
        let mut store = self.fs.borrow_mut();
        let vfs = Vfs::new(&mut store, self.mounts);
        let metadata = vfs.metadata(&path).map_err(|e| e.to_string())?;
        if metadata.kind == stowage_core::fs::FileKind::Directory {
            let mut names: Vec<String> =
                vfs.read_dir(&path).map_err(|e| e.to_string())?.into_iter().map(|e| e.name).collect();
            names.sort();
            Ok(FileEntry::Dir(names))
        } else {
            vfs.read_file(&path).map(FileEntry::File).map_err(|e| e.to_string())
        }
    }
}

impl Host for TerminalHost<'_> {
    fn fs(&mut self) -> Vfs<'_> {
        Vfs::new(self.fs, self.mounts)
    }

    fn now_ms(&self) -> u64 {
        self.cluster.now().unix_millis().max(0) as u64
    }

    fn random_u32(&mut self) -> u32 {
        (self.rng.next_u64() >> 32) as u32
    }

    fn write(&mut self, _stream: Stream, _bytes: &[u8]) {
        // `run_line` captures output itself; nothing is written past it.
    }

    fn sleep(&mut self, duration_ms: u64) -> SleepOutcome {
        self.cluster.advance(SimDuration::from_millis(duration_ms));
        SleepOutcome::Done
    }

    fn hostname(&self) -> String {
        HOSTNAME.to_string()
    }

    fn environment(&self) -> Vec<(String, String)> {
        vec![
            ("HOME".to_string(), HOME.to_string()),
            ("PWD".to_string(), HOME.to_string()),
            ("USER".to_string(), "root".to_string()),
            ("LOGNAME".to_string(), "root".to_string()),
            ("SHELL".to_string(), "/bin/sh".to_string()),
            ("PATH".to_string(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()),
            ("TERM".to_string(), "xterm-256color".to_string()),
            ("KUBECONFIG".to_string(), format!("{HOME}/.kube/config")),
        ]
    }

    fn external(&mut self, argv: &[String], env: &[(String, String)], stdin: &[u8]) -> Option<ExternalOutput> {
        let program = argv.first()?.rsplit('/').next().unwrap_or("").to_string();
        match program.as_str() {
            "kubectl" | "k" => {
                let cwd = env.iter().find(|(k, _)| k == "PWD").map_or(HOME.to_string(), |(_, v)| v.clone());
                let files = WorkstationFiles { fs: RefCell::new(&mut *self.fs), mounts: self.mounts, cwd };
                let outcome = kubectl::run(self.cluster, &files, argv, stdin);
                for hint in outcome.hints {
                    if !self.hints.contains(&hint) {
                        self.hints.push(hint);
                    }
                }
                Some(ExternalOutput {
                    stdout: outcome.stdout.into_bytes(),
                    stderr: outcome.stderr.into_bytes(),
                    exit_code: outcome.exit_code,
                })
            }
            "stowage" => Some(shell::node_cmd::run(self.cluster, argv)),
            "clear" | "reset" => Some(ExternalOutput::default()),
            "history" => {
                let mut out = String::new();
                for (index, line) in self.history.iter().enumerate() {
                    out.push_str(&format!("{:5}  {}\n", index + 1, line));
                }
                Some(ExternalOutput { stdout: out.into_bytes(), ..ExternalOutput::default() })
            }
            "helm" => {
                let mut fs = Vfs::new(self.fs, self.mounts);
                let out = crate::helm::run(self.cluster, &mut fs, argv);
                Some(ExternalOutput {
                    stdout: out.stdout.into_bytes(),
                    stderr: out.stderr.into_bytes(),
                    exit_code: out.exit_code,
                })
            }
            "kind" | "minikube" | "eksctl" | "gcloud" | "aws" | "az" => {
                let hint = format!(
                    "{program} is not installed in this playground; the cluster's profile already provides its nodes, CSI drivers and StorageClasses (see kubectl get csidriver,sc)."
                );
                if !self.hints.contains(&hint) {
                    self.hints.push(hint);
                }
                None
            }
            _ => None,
        }
    }
}

/// Splits a script into top-level commands as a terminal would read them: `\` continuations,
/// heredoc bodies and unfinished compound commands join lines; blank lines and lines starting with
/// `#` between commands are skipped. Each command keeps its own line breaks.
pub fn split_script(text: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if current.is_empty() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
        if !Session::needs_more_input(&current) {
            commands.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        commands.push(current);
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_script_should_join_continuations_and_heredocs() {
        let script = "# comment\nkubectl get pv\n\ncat <<EOF > a.yaml\nkind: X\n# not a comment\nEOF\nkubectl get pvc -A -o custom-columns=\\\nNAME:.metadata.name\n";
        let commands = split_script(script);
        assert_eq!(
            commands,
            [
                "kubectl get pv",
                "cat <<EOF > a.yaml\nkind: X\n# not a comment\nEOF",
                "kubectl get pvc -A -o custom-columns=\\\nNAME:.metadata.name"
            ]
        );
    }

    #[test]
    fn session_should_apply_a_file_written_by_a_heredoc() {
        let mut session = Session::new(Profile::Guide, Seed(1));
        let out =
            session.run("cat <<EOF > ns.yaml\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\nEOF");
        assert_eq!(out.exit_code, 0, "{out:?}");
        let out = session.run("kubectl apply -f ns.yaml");
        assert_eq!(out.stdout, "namespace/production created\n", "{out:?}");
        let out = session.run("kubectl get ns production -o name | wc -l");
        assert_eq!(out.stdout.trim(), "1", "{out:?}");
    }

    #[test]
    fn write_file_should_be_visible_to_kubectl() {
        let mut session = Session::new(Profile::Guide, Seed(1));
        session
            .write_file("manifests/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n")
            .unwrap();
        let out = session.run("kubectl apply -f manifests/");
        assert_eq!(out.stdout, "configmap/c created\n", "{out:?}");
        assert_eq!(
            session.read_file("manifests/cm.yaml").as_deref(),
            Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n")
        );
    }

    #[test]
    fn odd_input_should_fail_cleanly_without_panicking() {
        let mut session = Session::new(Profile::Guide, Seed(1));
        let lines = [
            "kubectl get -",
            "kubectl get pv/",
            "kubectl -n",
            "kubectl get pods -o jsonpath={",
            "echo '{' | kubectl apply -f -",
            "echo 'kind: [' | kubectl apply -f -",
            "kubectl patch pv x -p '['",
            "kubectl wait --for=jsonpath= pod/x",
            "kubectl wait --for=condition=Ready pod/x --timeout=-1s",
            "kubectl logs",
            "kubectl create secret generic x --from-file==",
            "kubectl create configmap é --from-literal=ü=ß",
            "kubectl label pv a =b",
            "kubectl scale sts x --replicas=-1",
            "kubectl delete --grace-period=abc pod x",
            "kubectl explain",
            "kubectl apply -k .",
            "kubectl get -µ",
            "kubectl drain",
            "kubectl events --for=pod",
            "kubectl api-resources --sort-by=size",
            "kubectl version -o xml",
            "kubectl config",
            "kubectl debug",
            "kubectl cordon -l 'a in ('",
        ];
        let unexpected: Vec<String> = lines
            .iter()
            .map(|line| (line, session.run(line)))
            .filter(|(_, out)| out.exit_code == 0 || out.stderr.is_empty())
            .map(|(line, out)| format!("{line}: {out:?}"))
            .collect();
        assert!(unexpected.is_empty(), "{unexpected:#?}");
        // These succeed; they must simply come back.
        for line in ["kubectl get all -A", "kubectl get pv -w", "kubectl get pods --sort-by=", "while true; do :; done"]
        {
            session.run(line);
        }
    }

    #[test]
    fn run_unsettled_should_leave_the_work_queued_and_settling_should_reach_the_same_state() {
        let claim = "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: c\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\nEOF";
        let mut settled = Session::new(Profile::Guide, Seed(1));
        let out = settled.run(claim);
        assert_eq!(out.stdout, "persistentvolumeclaim/c created\n", "{out:?}");
        let mut held = Session::new(Profile::Guide, Seed(1));
        assert_eq!(held.run_unsettled(claim), out);
        assert!(!held.cluster().is_settled(), "the claim's reconciles are still queued");
        let steps = std::iter::from_fn(|| (!held.cluster().is_settled()).then(|| held.cluster_mut().step()))
            .take(10_000)
            .count();
        assert!(steps > 0);
        assert_eq!(held.cluster().view(), settled.cluster().view());
        assert_eq!(held.cluster().api().trace().events(), settled.cluster().api().trace().events());
    }

    #[test]
    fn sleep_should_advance_simulated_time() {
        let mut session = Session::new(Profile::Guide, Seed(1));
        let before = session.cluster().now();
        session.run("sleep 90");
        assert_eq!(session.cluster().now().since(before).as_millis(), 90_000);
    }
}

/// Golden transcripts: a header (`# profile: guide`, `# seed: 1`), then commands as typed
/// (`$ first line`, `> continuation`), each followed by what the terminal showed.
pub mod transcript {
    use super::{Output, Session};
    use stowage_core::{Profile, Seed};

    /// A parsed transcript.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Transcript {
        /// The header comment lines, kept verbatim.
        pub header: Vec<String>,
        /// The profile (`# profile: NAME`, default `guide`).
        pub profile: Profile,
        /// The seed (`# seed: N`, default 1).
        pub seed: u64,
        /// The commands, in order, each with its own line breaks.
        pub commands: Vec<String>,
    }

    /// Parses a transcript file; expected outputs are ignored (they are re-rendered and compared).
    ///
    /// # Errors
    /// An unknown profile or a malformed seed.
    pub fn parse(text: &str) -> Result<Transcript, String> {
        let mut header = Vec::new();
        let mut commands: Vec<String> = Vec::new();
        let mut profile = Profile::Guide;
        let mut seed = 1;
        let mut in_command = false;
        for line in text.lines() {
            if let Some(command) = line.strip_prefix("$ ") {
                commands.push(command.to_string());
                in_command = true;
            } else if in_command && let Some(more) = line.strip_prefix("> ") {
                if let Some(last) = commands.last_mut() {
                    last.push('\n');
                    last.push_str(more);
                }
            } else if line == ">" && in_command {
                if let Some(last) = commands.last_mut() {
                    last.push('\n');
                }
            } else {
                in_command = false;
                if commands.is_empty() && line.starts_with('#') {
                    if let Some(name) = line.strip_prefix("# profile:") {
                        profile = name.trim().parse()?;
                    } else if let Some(value) = line.strip_prefix("# seed:") {
                        seed = value.trim().parse().map_err(|_| format!("invalid seed {:?}", value.trim()))?;
                    }
                    header.push(line.to_string());
                }
            }
        }
        Ok(Transcript { header, profile, seed, commands })
    }

    /// Renders one command and its output as a terminal shows it: `$ ` and `> ` prompts, stdout,
    /// stderr, then (with `exit_marker`) `[exit N]` for a failure, and `hint: ` lines when `hints` is set.
    pub fn render_command(command: &str, output: &Output, hints: bool, exit_marker: bool) -> String {
        let mut out = String::new();
        for (index, line) in command.split('\n').enumerate() {
            out.push_str(if index == 0 {
                "$ "
            } else if line.is_empty() {
                ">"
            } else {
                "> "
            });
            out.push_str(line);
            out.push('\n');
        }
        for stream in [&output.stdout, &output.stderr] {
            out.push_str(stream);
            if !stream.is_empty() && !stream.ends_with('\n') {
                out.push('\n');
            }
        }
        if exit_marker && output.exit_code != 0 {
            out.push_str(&format!("[exit {}]\n", output.exit_code));
        }
        if hints {
            for hint in &output.hints {
                out.push_str(&format!("hint: {hint}\n"));
            }
        }
        out
    }

    /// Runs a transcript in a fresh session and renders the whole file as it should read.
    pub fn run(transcript: &Transcript) -> String {
        let mut session = Session::new(transcript.profile, Seed(transcript.seed));
        let mut out = String::new();
        for line in &transcript.header {
            out.push_str(line);
            out.push('\n');
        }
        for command in &transcript.commands {
            let output = session.run(command);
            out.push_str(&render_command(command, &output, true, true));
        }
        out
    }
}
