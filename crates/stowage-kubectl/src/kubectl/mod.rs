//! kubectl 1.34 over the simulated cluster: argument parsing, one module per verb or group,
//! and error texts exactly as kubectl prints them.
//!
//! Entry point: [`run`] takes argv (`["kubectl", "get", "pv"]`), the cluster, the
//! workstation's files and standard input, and returns what kubectl would print.
//!
//! # Model
//! - Flags parse as cobra and pflag parse them ([`args`]): interspersed, `--x=y`, `-it`, `--`.
//! - Errors render as `cmdutil.CheckErr` renders them: `Error from server (Reason): message` for API
//!   errors, `The Kind "name" is invalid: ...` for validation errors, `error: ...` for the rest,
//!   exit code 1.
//! - Not simulated: kubeconfig contexts, authentication, server-side apply field managers,
//!   `--dry-run=server` admission without persistence (treated as client dry run), interactive
//!   prompts, `edit`, `port-forward`, `proxy`, `cp`, `attach`.

mod apply;
pub mod args;
mod create;
mod delete;
mod explain;
mod get;
mod hints;
mod info;
mod modify;
mod node;
mod resource;
mod rollout;
mod taint;
mod workload;

use args::{FlagSpec, Parsed};
use stowage_core::api::{ApiError, StatusReason};
use stowage_core::{Cluster, Kind, ObjectKey};

pub use hints::hints_for_claim_pending;
pub use resource::name_with_kind;

/// What a kubectl invocation printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit code (0, or 1 on error as `cmdutil.CheckErr` exits).
    pub exit_code: i32,
    /// Teaching hints: shown beside the output, never part of it.
    pub hints: Vec<String>,
}

/// A directory entry kind, for `-f DIR` and `--from-file=DIR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileEntry {
    /// A regular file and its bytes.
    File(Vec<u8>),
    /// A directory and its entry names, sorted.
    Dir(Vec<String>),
}

/// The workstation's files as kubectl sees them (paths are relative to the shell's working directory).
pub trait Files {
    /// Opens a path: a file's contents or a directory's entry names.
    ///
    /// # Errors
    /// The errno text (`No such file or directory`).
    fn open(&self, path: &str) -> Result<FileEntry, String>;
}

/// No files at all (tests, or a host without a filesystem).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFiles;

impl Files for NoFiles {
    fn open(&self, _path: &str) -> Result<FileEntry, String> {
        Err("No such file or directory".to_string())
    }
}

/// Why a command failed, rendered as kubectl renders it.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// An API error: `Error from server (NotFound): ...`, or the Invalid rendering.
    Api(ApiError),
    /// `error: <message>`.
    Message(String),
    /// A usage error: `error: <message>\nSee 'kubectl get -h' for help and examples`.
    Usage {
        /// The message.
        message: String,
        /// The command path, `kubectl get`.
        command: String,
    },
    /// A flag error: `error: <message>\nSee 'kubectl get --help' for usage.`.
    Flag {
        /// pflag's message.
        message: String,
        /// The command path.
        command: String,
    },
    /// Printed exactly as is.
    Raw(String),
    /// Several errors, one per line (`utilerrors.Aggregate`).
    Many(Vec<Failure>),
    /// An exit code with no message (`kubectl exec` of a command that failed).
    Exit(i32),
}

impl Failure {
    /// `error: message`.
    pub fn msg(message: impl Into<String>) -> Failure {
        Failure::Message(message.into())
    }

    /// The text on stderr, with a trailing newline.
    pub fn render(&self) -> String {
        let mut text = match self {
            Failure::Api(error) => render_api_error(error),
            Failure::Message(message) => {
                if message.starts_with("error: ") {
                    message.clone()
                } else {
                    format!("error: {message}")
                }
            }
            Failure::Usage { message, command } => {
                format!("error: {message}\nSee '{command} -h' for help and examples")
            }
            Failure::Flag { message, command } => {
                format!("error: {message}\nSee '{command} --help' for usage.")
            }
            Failure::Raw(text) => text.clone(),
            Failure::Many(failures) => {
                let mut out = String::new();
                for failure in failures {
                    let line = match failure {
                        Failure::Message(m) => m.clone(),
                        other => other.render(),
                    };
                    out.push_str(line.trim_end_matches('\n'));
                    out.push('\n');
                }
                out
            }
            Failure::Exit(_) => String::new(),
        };
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    fn exit_code(&self) -> i32 {
        match self {
            Failure::Exit(code) => *code,
            _ => 1,
        }
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Failure {
        Failure::Api(error)
    }
}

/// Renders an API error as `cmdutil.CheckErr` does.
pub fn render_api_error(error: &ApiError) -> String {
    if error.reason == StatusReason::Invalid {
        // kubectl prints `The <details.kind> "<details.name>" is invalid: <causes>`; the server's
        // message starts with `<Kind>[.<group>] "<name>" is invalid`.
        let Some((subject, _)) = error.message.split_once(" is invalid") else {
            return error.message.clone();
        };
        if error.causes.is_empty() {
            return error.message.clone();
        }
        let (kind, name) = subject.split_once(' ').unwrap_or((subject, ""));
        let kind = kind.split('.').next().unwrap_or(kind);
        let head = format!("The {kind} {name} is invalid: ");
        return match error.causes.as_slice() {
            [one] => format!("{head}{one}"),
            many => {
                let mut out = format!("{head}\n");
                for cause in many {
                    out.push_str(&format!("* {cause}\n"));
                }
                out
            }
        };
    }
    format!("Error from server ({}): {}", error.reason, error.message)
}

/// Everything a command needs while it runs.
pub struct Ctx<'a> {
    /// The cluster, written as the user.
    pub cluster: &'a mut Cluster,
    /// The workstation's files.
    pub files: &'a dyn Files,
    /// Standard input (`-f -`).
    pub stdin: &'a [u8],
    /// Standard output so far.
    pub out: String,
    /// Standard error so far.
    pub err: String,
    /// Hints so far.
    pub hints: Vec<String>,
    /// The command path for usage messages, `kubectl get`.
    pub command: String,
    /// Objects this command wrote, for hints once it is done.
    pub written: Vec<ObjectKey>,
}

impl Ctx<'_> {
    /// Prints a warning the way `printers.WarningPrinter` does.
    pub fn warn(&mut self, message: &str) {
        self.err.push_str("Warning: ");
        self.err.push_str(message);
        self.err.push('\n');
    }

    /// Adds a teaching hint once.
    pub fn hint(&mut self, hint: impl Into<String>) {
        let hint = hint.into();
        if !self.hints.contains(&hint) {
            self.hints.push(hint);
        }
    }

    /// Parses this command's flags, mapping pflag errors to kubectl's flag error text.
    ///
    /// # Errors
    /// [`Failure::Flag`].
    pub fn parse(&self, args: &[String], specs: &[FlagSpec]) -> Result<Parsed, Failure> {
        args::parse(args, specs).map_err(|message| Failure::Flag { message, command: self.command.clone() })
    }

    /// A usage error for this command.
    pub fn usage(&self, message: impl Into<String>) -> Failure {
        Failure::Usage { message: message.into(), command: self.command.clone() }
    }

    /// The namespace a command works in: `-n`, else `default`.
    pub fn namespace(&self, parsed: &Parsed) -> String {
        parsed.namespace().filter(|n| !n.is_empty()).unwrap_or("default").to_string()
    }
}

/// The top-level commands kubectl 1.34 has, sorted (for suggestions and `kubectl help`).
pub const COMMANDS: &[&str] = &[
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "cluster-info",
    "completion",
    "config",
    "cordon",
    "cp",
    "create",
    "debug",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "help",
    "kustomize",
    "label",
    "logs",
    "options",
    "patch",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

/// Runs one kubectl invocation. `argv[0]` is the program name.
///
/// # Guarantees
/// Never panics on any input; every loop (watch, wait) is bounded by the cluster's settle bound.
pub fn run(cluster: &mut Cluster, files: &dyn Files, argv: &[String], stdin: &[u8]) -> Outcome {
    let mut ctx = Ctx {
        cluster,
        files,
        stdin,
        out: String::new(),
        err: String::new(),
        hints: Vec::new(),
        command: "kubectl".to_string(),
        written: Vec::new(),
    };
    let result = dispatch(&mut ctx, argv.get(1..).unwrap_or(&[]));
    let exit_code = match result {
        Ok(()) => 0,
        Err(failure) => {
            let text = failure.render();
            if text.contains("unknown field \"") {
                hints::typo_hint(&mut ctx, &text);
            }
            ctx.err.push_str(&text);
            failure.exit_code()
        }
    };
    hints::after_command(&mut ctx);
    Outcome { stdout: ctx.out, stderr: ctx.err, exit_code, hints: ctx.hints }
}

/// Splits off global flags that precede the command word (`kubectl -n prod get pods`).
fn split_command(args: &[String]) -> Result<(Option<String>, Vec<String>), String> {
    let mut rest = Vec::new();
    let mut command = None;
    let mut index = 0;
    while index < args.len() {
        let arg = &args[index];
        if command.is_none() && arg.starts_with('-') && arg != "-" {
            rest.push(arg.clone());
            let needs_value = args::GLOBAL_FLAGS.iter().any(|spec| {
                spec.kind != args::FlagKind::Bool
                    && (arg == &format!("--{}", spec.long) || spec.short.is_some_and(|c| arg == &format!("-{c}")))
            });
            if needs_value && index + 1 < args.len() {
                rest.push(args[index + 1].clone());
                index += 1;
            }
        } else if command.is_none() {
            command = Some(arg.clone());
        } else {
            rest.push(arg.clone());
        }
        index += 1;
    }
    Ok((command, rest))
}

fn dispatch(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let (command, rest) = split_command(args).map_err(Failure::msg)?;
    let Some(command) = command else {
        // Validate flags given without a command, then print the short help.
        let parsed = ctx.parse(&rest, &[bool_version()])?;
        if parsed.has("version") {
            return info::version(ctx, &[]);
        }
        ctx.out.push_str(info::ROOT_HELP);
        return Ok(());
    };
    ctx.command = format!("kubectl {command}");
    let before_dash = rest.iter().take_while(|a| a.as_str() != "--");
    if COMMANDS.contains(&command.as_str()) && before_dash.clone().any(|a| a == "-h" || a == "--help") {
        ctx.out.push_str(&info::command_help(&command));
        return Ok(());
    }
    match command.as_str() {
        "get" => get::get(ctx, &rest),
        "describe" => info::describe(ctx, &rest),
        "apply" => apply::apply(ctx, &rest),
        "create" => create::create(ctx, &rest),
        "replace" => apply::replace(ctx, &rest),
        "delete" => delete::delete(ctx, &rest),
        "patch" => modify::patch(ctx, &rest),
        "scale" => modify::scale(ctx, &rest),
        "label" => modify::label(ctx, &rest, modify::MetaField::Labels),
        "annotate" => modify::label(ctx, &rest, modify::MetaField::Annotations),
        "exec" => workload::exec(ctx, &rest),
        "logs" => workload::logs(ctx, &rest),
        "run" => workload::run(ctx, &rest),
        "wait" => workload::wait(ctx, &rest),
        "events" => get::events(ctx, &rest),
        "explain" => explain::explain(ctx, &rest),
        "api-resources" => info::api_resources(ctx, &rest),
        "api-versions" => info::api_versions(ctx, &rest),
        "version" => info::version(ctx, &rest),
        "cluster-info" => info::cluster_info(ctx, &rest),
        "cordon" => node::cordon(ctx, &rest, true),
        "uncordon" => node::cordon(ctx, &rest, false),
        "drain" => node::drain(ctx, &rest),
        "taint" => taint::taint(ctx, &rest),
        "rollout" => rollout::rollout(ctx, &rest),
        "config" => info::config(ctx, &rest),
        "kustomize" => apply::kustomize_build(ctx, &rest),
        "help" => {
            ctx.out.push_str(info::ROOT_HELP);
            Ok(())
        }
        "debug" => workload::debug(ctx, &rest),
        "edit" | "attach" | "port-forward" | "proxy" | "cp" | "top" | "diff" | "auth" | "autoscale" | "certificate"
        | "completion" | "expose" | "options" | "plugin" | "set" => {
            ctx.parse(&rest, info::PERMISSIVE)?;
            Err(Failure::msg(format!("\"kubectl {command}\" is not available in this playground yet")))
        }
        other => Err(Failure::Message(unknown_command(other))),
    }
}

fn bool_version() -> FlagSpec {
    args::bool_flag("version", None)
}

/// cobra's `unknown command` error with its suggestions.
fn unknown_command(typed: &str) -> String {
    let lower = typed.to_ascii_lowercase();
    let suggestions: Vec<&str> = COMMANDS
        .iter()
        .copied()
        .filter(|c| *c != "help" && (levenshtein(&lower, c) <= 2 || c.starts_with(&lower)))
        .collect();
    let mut message = format!("unknown command \"{typed}\" for \"kubectl\"");
    if !suggestions.is_empty() {
        message.push_str("\n\nDid you mean this?\n");
        for s in suggestions {
            message.push('\t');
            message.push_str(s);
            message.push('\n');
        }
    }
    message
}

/// Edit distance, for suggestions.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current.push((previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The kind a user typed, or kubectl's error for an unknown resource type.
///
/// # Errors
/// `the server doesn't have a resource type "foo"`.
pub fn kind_of(name: &str) -> Result<Kind, Failure> {
    Kind::from_resource_name(name)
        .ok_or_else(|| Failure::msg(format!("the server doesn't have a resource type \"{name}\"")))
}

#[cfg(test)]
mod tests;
