//! Busybox-like utilities: pure functions of argv, stdin, the filesystem and the host.
//!
//! Each utility runs to completion at once and returns its exit code; output is buffered
//! in [`Ctx`] and routed by the interpreter. Error texts follow busybox.

mod disk;
mod files;
mod misc;
mod text;

use std::collections::BTreeMap;

use stowage_core::fs;

use super::Host;

/// What a utility sees: the host, working directory, environment, stdin, and output buffers.
pub(crate) struct Ctx<'a> {
    pub host: &'a mut dyn Host,
    pub cwd: String,
    pub env: BTreeMap<String, String>,
    stdin: &'a [u8],
    pub out: Vec<u8>,
    pub err: Vec<u8>,
    pub stdin_used: bool,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(host: &'a mut dyn Host, cwd: &str, env: BTreeMap<String, String>, stdin: &'a [u8]) -> Ctx<'a> {
        Ctx { host, cwd: cwd.to_string(), env, stdin, out: Vec::new(), err: Vec::new(), stdin_used: false }
    }

    /// The rest of stdin (consumed).
    pub(crate) fn stdin(&mut self) -> Vec<u8> {
        self.stdin_used = true;
        self.stdin.to_vec()
    }

    pub(crate) fn print(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
    }

    pub(crate) fn eprint(&mut self, text: &str) {
        self.err.extend_from_slice(text.as_bytes());
    }

    pub(crate) fn now_ms(&self) -> u64 {
        self.host.now_ms()
    }

    /// An absolute, normalized path for an argument.
    pub(crate) fn path(&self, arg: &str) -> String {
        if arg.starts_with('/') { fs::normalize(arg) } else { fs::normalize(&format!("{}/{}", self.cwd, arg)) }
    }

    /// Reads a file argument; `-` is stdin.
    pub(crate) fn read_input(&mut self, arg: &str) -> Result<Vec<u8>, fs::Error> {
        if arg == "-" {
            return Ok(self.stdin());
        }
        if arg == "/dev/null" {
            return Ok(Vec::new());
        }
        let path = self.path(arg);
        self.host.fs().read_file(&path)
    }

    /// Reads each file argument (or stdin without any), reporting `APPLET: can't open 'x': error`.
    pub(crate) fn read_inputs(&mut self, applet: &str, files: &[String]) -> (Vec<(String, Vec<u8>)>, i32) {
        if files.is_empty() {
            return (vec![("-".to_string(), self.stdin())], 0);
        }
        let mut inputs = Vec::new();
        let mut status = 0;
        for file in files {
            match self.read_input(file) {
                Ok(data) => inputs.push((file.clone(), data)),
                Err(error) => {
                    self.eprint(&format!("{applet}: can't open '{file}': {error}\n"));
                    status = 1;
                }
            }
        }
        (inputs, status)
    }
}

/// Parsed command-line options: flags with optional values, then operands.
pub(crate) struct Opts {
    pub flags: Vec<(char, Option<String>)>,
    pub operands: Vec<String>,
}

impl Opts {
    pub(crate) fn has(&self, flag: char) -> bool {
        self.flags.iter().any(|(c, _)| *c == flag)
    }

    pub(crate) fn value(&self, flag: char) -> Option<&str> {
        self.flags.iter().rev().find(|(c, _)| *c == flag).and_then(|(_, value)| value.as_deref())
    }

    pub(crate) fn values(&self, flag: char) -> Vec<String> {
        self.flags.iter().filter(|(c, _)| *c == flag).filter_map(|(_, value)| value.clone()).collect()
    }
}

/// getopt: `spec` lists flag letters, a `:` after one means it takes a value.
/// Long options (`--color=auto`) are ignored; `--` ends options.
pub(crate) fn getopt(applet: &str, args: &[String], spec: &str, ctx: &mut Ctx) -> Option<Opts> {
    let mut flags = Vec::new();
    let mut operands = Vec::new();
    let mut index = 0;
    let takes_value = |c: char| spec.find(c).is_some_and(|at| spec[at + c.len_utf8()..].starts_with(':'));
    while index < args.len() {
        let arg = &args[index];
        index += 1;
        if arg == "--" {
            operands.extend(args[index..].iter().cloned());
            break;
        }
        if arg.starts_with("--") {
            continue;
        }
        if !arg.starts_with('-') || arg == "-" {
            operands.push(arg.clone());
            continue;
        }
        let chars: Vec<char> = arg.chars().skip(1).collect();
        let mut at = 0;
        while at < chars.len() {
            let c = chars[at];
            if !spec.contains(c) || c == ':' {
                ctx.eprint(&format!("{applet}: invalid option -- '{c}'\n"));
                return None;
            }
            if takes_value(c) {
                let rest: String = chars[at + 1..].iter().collect();
                let value = if !rest.is_empty() {
                    rest
                } else if let Some(next) = args.get(index) {
                    index += 1;
                    next.clone()
                } else {
                    ctx.eprint(&format!("{applet}: option requires an argument -- '{c}'\n"));
                    return None;
                };
                flags.push((c, Some(value)));
                break;
            }
            flags.push((c, None));
            at += 1;
        }
    }
    Some(Opts { flags, operands })
}

/// Busybox's human-readable sizes: `512`, `4.0K`, `1.5M`, `19.6G`.
pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [char; 6] = ['K', 'M', 'G', 'T', 'P', 'E'];
    if bytes < 1024 {
        return bytes.to_string();
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1023.95 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1}{}", UNITS[unit])
}

/// Splits text into lines without their newlines (a final newline does not add an empty line).
pub(crate) fn lines(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    if text.ends_with('\n') || text.is_empty() {
        lines.pop();
    }
    lines
}

const UTILITIES: &[&str] = &[
    "echo", "printf", "cat", "ls", "mkdir", "touch", "rm", "rmdir", "cp", "mv", "ln", "readlink", "realpath", "stat",
    "date", "seq", "head", "tail", "grep", "egrep", "fgrep", "wc", "sort", "uniq", "cut", "tr", "sed", "awk", "base64",
    "test", "[", "env", "printenv", "hostname", "id", "whoami", "df", "du", "mount", "kill", "nslookup", "wget",
    "curl", "uname", "basename", "dirname", "tee", "chmod", "chown", "yes", "clear", "sync", "usleep", "ps",
];

/// Whether `name` is a utility (for `which` and `type`).
pub(crate) fn is_utility(name: &str) -> bool {
    UTILITIES.contains(&name)
}

/// Runs a utility; `None` if `argv[0]` is not one.
pub(crate) fn run(argv: &[String], ctx: &mut Ctx) -> Option<i32> {
    let name = argv.first()?.as_str();
    let args = &argv[1..];
    Some(match name {
        "echo" => misc::echo(args, ctx),
        "printf" => misc::printf(args, ctx),
        "test" => misc::test(args, ctx),
        "[" => match args.split_last() {
            Some((last, rest)) if last == "]" => misc::test(rest, ctx),
            _ => {
                ctx.eprint("sh: missing ]\n");
                2
            }
        },
        "env" | "printenv" => misc::printenv(name, args, ctx),
        "hostname" => {
            let name = ctx.host.hostname();
            ctx.print(&format!("{name}\n"));
            0
        }
        "id" => misc::id(args, ctx),
        "whoami" => {
            ctx.print("root\n");
            0
        }
        "uname" => misc::uname(args, ctx),
        "date" => misc::date(args, ctx),
        "seq" => misc::seq(args, ctx),
        "base64" => misc::base64(args, ctx),
        "kill" => misc::kill(args, ctx),
        "nslookup" => misc::nslookup(args, ctx),
        "wget" => misc::wget(args, ctx),
        "curl" => misc::curl(args, ctx),
        "basename" => misc::basename(args, ctx),
        "dirname" => misc::dirname(args, ctx),
        "sync" | "clear" => 0,
        "usleep" => 0,
        "yes" => {
            ctx.eprint("yes: output is infinite; not simulated\n");
            1
        }
        "ps" => {
            ctx.print("PID   USER     TIME  COMMAND\n    1 root      0:00 sh\n");
            0
        }
        "cat" => files::cat(args, ctx),
        "ls" => files::ls(args, ctx),
        "mkdir" => files::mkdir(args, ctx),
        "touch" => files::touch(args, ctx),
        "rm" => files::rm(args, ctx),
        "rmdir" => files::rmdir(args, ctx),
        "cp" => files::cp(args, ctx),
        "mv" => files::mv(args, ctx),
        "ln" => files::ln(args, ctx),
        "readlink" | "realpath" => files::readlink(name, args, ctx),
        "stat" => files::stat(args, ctx),
        "df" => disk::df(args, ctx),
        "du" => files::du(args, ctx),
        "mount" => disk::mount(args, ctx),
        "tee" => files::tee(args, ctx),
        "chmod" => files::chmod(args, ctx),
        "chown" => 0,
        "head" => text::head(args, ctx),
        "tail" => text::tail(args, ctx),
        "grep" | "egrep" | "fgrep" => text::grep(name, args, ctx),
        "wc" => text::wc(args, ctx),
        "sort" => text::sort(args, ctx),
        "uniq" => text::uniq(args, ctx),
        "cut" => text::cut(args, ctx),
        "tr" => text::tr(args, ctx),
        "sed" => text::sed(args, ctx),
        "awk" => text::awk(args, ctx),
        _ => return None,
    })
}
