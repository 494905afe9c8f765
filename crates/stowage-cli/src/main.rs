//! `stowage`: the native, headless front end of the engine.
//!
//! `stowage run [--profile NAME] [--seed N] [--format text|jsonl] [--hints] [FILE|-]` plays a
//! session script (each line as typed in the playground terminal) against a fresh simulated cluster
//! and prints what the terminal would show. The process exits 0 unless the script cannot be read.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{Read, Write};
use std::process::ExitCode;
use stowage_core::{Profile, Seed};
use stowage_kubectl::session::{Session, split_script, transcript};

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "stowage", version = stowage_core::VERSION, about = "A Kubernetes storage playground, headless.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a session script against a fresh simulated cluster.
    Run(RunArgs),
}

/// How `run` prints results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `$ COMMAND` and its output, like a terminal.
    Text,
    /// One JSON object per top-level command.
    Jsonl,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The cluster profile: guide, bare, minikube, kind, eks, gke or aks.
    #[arg(long, default_value = "guide", value_parser = parse_profile)]
    profile: Profile,
    /// The seed of every random choice.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also print teaching hints (text: `hint: ` lines; jsonl: a `hints` field).
    #[arg(long)]
    hints: bool,
    /// The script; `-` or nothing reads standard input.
    file: Option<String>,
}

fn parse_profile(text: &str) -> Result<Profile, String> {
    text.parse()
}

/// One top-level command's record in `--format jsonl`.
#[derive(serde::Serialize)]
struct Record<'a> {
    command: &'a str,
    stdout: &'a str,
    stderr: &'a str,
    exit_code: i32,
    /// Simulated milliseconds since the session started, when the command finished.
    time_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    hints: Option<&'a [String]>,
}

fn read_script(file: Option<&str>) -> Result<String, String> {
    match file {
        None | Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| format!("stowage: cannot read standard input: {e}"))?;
            Ok(text)
        }
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("stowage: cannot read {path}: {e}")),
    }
}

fn run(args: &RunArgs) -> ExitCode {
    let script = match read_script(args.file.as_deref()) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };
    let mut session = Session::new(args.profile, Seed(args.seed));
    let start = session.cluster().now();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for command in split_script(&script) {
        let output = session.run(&command);
        let text = match args.format {
            Format::Text => transcript::render_command(&command, &output, args.hints, false),
            Format::Jsonl => {
                let record = Record {
                    command: &command,
                    stdout: &output.stdout,
                    stderr: &output.stderr,
                    exit_code: output.exit_code,
                    time_ms: session.cluster().now().since(start).as_millis(),
                    hints: args.hints.then_some(output.hints.as_slice()),
                };
                let mut line = serde_json::to_string(&record).unwrap_or_default();
                line.push('\n');
                line
            }
        };
        if out.write_all(text.as_bytes()).is_err() {
            // A closed pipe (`stowage run x | head`): stop quietly.
            return ExitCode::SUCCESS;
        }
    }
    let _ = out.flush();
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Run(args) => run(args),
    }
}
