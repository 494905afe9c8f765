//! echo, printf, test, env, id, uname, date, seq, base64, kill, nslookup, wget, curl, basename, dirname.

use stowage_core::fs::FileKind;

use super::{Ctx, getopt};
use crate::shell::time::format_date;

/// Interprets backslash escapes (`echo -e`, `printf %b`); `false` in the result means `\c` stopped output.
fn unescape(text: &str, out: &mut String) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('e') => out.push('\x1b'),
            Some('\\') => out.push('\\'),
            Some('c') => return false,
            Some('0') => {
                let mut value = 0u32;
                for _ in 0..3 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(digit) => {
                            value = value * 8 + digit;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(value).unwrap_or('?'));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    true
}

pub(super) fn echo(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut index = 0;
    while let Some(arg) = args.get(index) {
        if arg.len() > 1 && arg.starts_with('-') && arg[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
            for c in arg[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            index += 1;
        } else {
            break;
        }
    }
    let text = args[index..].join(" ");
    let mut out = String::new();
    if escapes {
        if !unescape(&text, &mut out) {
            ctx.print(&out);
            return 0;
        }
    } else {
        out = text;
    }
    if newline {
        out.push('\n');
    }
    ctx.print(&out);
    0
}

fn parse_int(arg: &str) -> Option<i64> {
    let arg = arg.trim();
    if let Some(rest) = arg.strip_prefix('\'').or_else(|| arg.strip_prefix('"')) {
        return Some(rest.chars().next().map_or(0, |c| c as i64));
    }
    let (negative, digits) = match arg.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, arg.strip_prefix('+').unwrap_or(arg)),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(if negative { -value } else { value })
}

pub(super) fn printf(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some((format, mut rest)) = args.split_first() else {
        ctx.eprint("printf: usage: printf FORMAT [ARGUMENT]...\n");
        return 1;
    };
    let mut status = 0;
    let mut out = String::new();
    loop {
        let mut consumed = false;
        let chars: Vec<char> = format.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' {
                let mut escaped = String::from('\\');
                i += 1;
                if let Some(next) = chars.get(i) {
                    escaped.push(*next);
                    i += 1;
                    if *next == '0' {
                        while i < chars.len() && chars[i].is_digit(8) && escaped.len() < 5 {
                            escaped.push(chars[i]);
                            i += 1;
                        }
                    }
                }
                if !unescape(&escaped, &mut out) {
                    ctx.print(&out);
                    return status;
                }
                continue;
            }
            if c != '%' {
                out.push(c);
                i += 1;
                continue;
            }
            let start = i;
            i += 1;
            while i < chars.len() && "-+ #0".contains(chars[i]) {
                i += 1;
            }
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let Some(conversion) = chars.get(i).copied() else {
                out.push_str(&chars[start..].iter().collect::<String>());
                break;
            };
            i += 1;
            if conversion == '%' {
                out.push('%');
                continue;
            }
            let spec: String = chars[start + 1..i - 1].iter().collect();
            let arg = match rest.split_first() {
                Some((arg, tail)) => {
                    rest = tail;
                    consumed = true;
                    arg.clone()
                }
                None => String::new(),
            };
            let left = spec.contains('-');
            let zero = spec.starts_with('0') || spec.contains("+0") || spec.contains(" 0");
            let plus = spec.contains('+');
            let numbers: String = spec.chars().skip_while(|c| "-+ #0".contains(*c)).collect();
            let (width, precision) = match numbers.split_once('.') {
                Some((width, precision)) => {
                    (width.parse::<usize>().unwrap_or(0), Some(precision.parse::<usize>().unwrap_or(0)))
                }
                None => (numbers.parse::<usize>().unwrap_or(0), None),
            };
            let body = match conversion {
                's' => match precision {
                    Some(precision) => arg.chars().take(precision).collect(),
                    None => arg,
                },
                'b' => {
                    let mut text = String::new();
                    unescape(&arg, &mut text);
                    text
                }
                'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                    let value = if arg.is_empty() {
                        0
                    } else {
                        parse_int(&arg).unwrap_or_else(|| {
                            ctx.eprint(&format!("printf: invalid number '{arg}'\n"));
                            status = 1;
                            0
                        })
                    };
                    let text = match conversion {
                        'x' => format!("{value:x}"),
                        'X' => format!("{value:X}"),
                        'o' => format!("{value:o}"),
                        _ if plus && value >= 0 => format!("+{value}"),
                        _ => value.to_string(),
                    };
                    if zero && !left && text.len() < width {
                        let (sign, digits) =
                            if text.starts_with(['-', '+']) { text.split_at(1) } else { ("", text.as_str()) };
                        format!("{sign}{}{digits}", "0".repeat(width - text.len()))
                    } else {
                        text
                    }
                }
                'f' | 'e' | 'g' | 'F' | 'E' | 'G' => {
                    let value: f64 = if arg.is_empty() {
                        0.0
                    } else {
                        arg.trim().parse().unwrap_or_else(|_| {
                            ctx.eprint(&format!("printf: invalid number '{arg}'\n"));
                            status = 1;
                            0.0
                        })
                    };
                    let precision = precision.unwrap_or(6);
                    match conversion {
                        'e' | 'E' => format!("{value:.precision$e}"),
                        'g' | 'G' => format!("{value}"),
                        _ => format!("{value:.precision$}"),
                    }
                }
                other => {
                    ctx.eprint(&format!("printf: %{other}: invalid format\n"));
                    return 1;
                }
            };
            let pad = width.saturating_sub(body.chars().count());
            if left {
                out.push_str(&body);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(&body);
            }
        }
        if rest.is_empty() || !consumed {
            break;
        }
    }
    ctx.print(&out);
    status
}

/// `test` and `[`: 0 true, 1 false, 2 error.
pub(super) fn test(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut parser = TestParser { args, pos: 0 };
    if args.is_empty() {
        return 1;
    }
    match parser.or(ctx) {
        Ok(value) if parser.pos == args.len() => i32::from(!value),
        Ok(_) => {
            ctx.eprint(&format!("sh: {}: unknown operand\n", args[parser.pos]));
            2
        }
        Err(message) => {
            ctx.eprint(&format!("sh: {message}\n"));
            2
        }
    }
}

struct TestParser<'a> {
    args: &'a [String],
    pos: usize,
}

const UNARY: &[&str] = &[
    "-e", "-f", "-d", "-s", "-r", "-w", "-x", "-L", "-h", "-n", "-z", "-p", "-b", "-c", "-S", "-t", "-g", "-u", "-k",
    "-O", "-G",
];
const BINARY: &[&str] = &["=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"];

impl TestParser<'_> {
    fn next(&mut self) -> Option<&str> {
        let arg = self.args.get(self.pos)?;
        self.pos += 1;
        Some(arg)
    }

    fn or(&mut self, ctx: &mut Ctx) -> Result<bool, String> {
        let mut value = self.and(ctx)?;
        while self.args.get(self.pos).is_some_and(|arg| arg == "-o") {
            self.pos += 1;
            let rhs = self.and(ctx)?;
            value = value || rhs;
        }
        Ok(value)
    }

    fn and(&mut self, ctx: &mut Ctx) -> Result<bool, String> {
        let mut value = self.not(ctx)?;
        while self.args.get(self.pos).is_some_and(|arg| arg == "-a") {
            self.pos += 1;
            let rhs = self.not(ctx)?;
            value = value && rhs;
        }
        Ok(value)
    }

    fn not(&mut self, ctx: &mut Ctx) -> Result<bool, String> {
        let remaining = self.args.len() - self.pos;
        if remaining > 1 && self.args[self.pos] == "!" {
            self.pos += 1;
            return Ok(!self.not(ctx)?);
        }
        self.primary(ctx)
    }

    fn primary(&mut self, ctx: &mut Ctx) -> Result<bool, String> {
        let remaining = self.args.len() - self.pos;
        let Some(first) = self.args.get(self.pos).cloned() else {
            return Err("argument expected".into());
        };
        if remaining >= 3 && BINARY.contains(&self.args[self.pos + 1].as_str()) {
            self.pos += 3;
            let (op, rhs) = (&self.args[self.pos - 2], &self.args[self.pos - 1]);
            return binary(&first, op, rhs, ctx);
        }
        if first == "(" && remaining >= 3 {
            self.pos += 1;
            let value = self.or(ctx)?;
            if self.next() != Some(")") {
                return Err("missing )".into());
            }
            return Ok(value);
        }
        if remaining >= 2 && UNARY.contains(&first.as_str()) {
            self.pos += 2;
            return Ok(unary(&first, &self.args[self.pos - 1], ctx));
        }
        self.pos += 1;
        Ok(!first.is_empty())
    }
}

fn unary(op: &str, arg: &str, ctx: &mut Ctx) -> bool {
    match op {
        "-n" => return !arg.is_empty(),
        "-z" => return arg.is_empty(),
        "-t" | "-p" | "-b" | "-c" | "-S" | "-g" | "-u" | "-k" => return false,
        _ => {}
    }
    let path = ctx.path(arg);
    let fs = ctx.host.fs();
    if matches!(op, "-L" | "-h") {
        return fs.symlink_metadata(&path).is_ok_and(|meta| meta.kind == FileKind::Symlink);
    }
    let Ok(meta) = fs.metadata(&path) else {
        return false;
    };
    match op {
        "-f" => meta.kind == FileKind::File,
        "-d" => meta.kind == FileKind::Directory,
        "-s" => meta.kind == FileKind::File && meta.size_bytes > 0,
        "-x" => meta.kind == FileKind::Directory || meta.mode & 0o111 != 0,
        _ => true,
    }
}

fn binary(lhs: &str, op: &str, rhs: &str, ctx: &mut Ctx) -> Result<bool, String> {
    let number = |text: &str| text.trim().parse::<i64>().map_err(|_| format!("invalid number '{text}'"));
    Ok(match op {
        "=" | "==" => lhs == rhs,
        "!=" => lhs != rhs,
        "<" => lhs < rhs,
        ">" => lhs > rhs,
        "-eq" => number(lhs)? == number(rhs)?,
        "-ne" => number(lhs)? != number(rhs)?,
        "-lt" => number(lhs)? < number(rhs)?,
        "-le" => number(lhs)? <= number(rhs)?,
        "-gt" => number(lhs)? > number(rhs)?,
        "-ge" => number(lhs)? >= number(rhs)?,
        _ => {
            let (left, right) = (ctx.path(lhs), ctx.path(rhs));
            let fs = ctx.host.fs();
            let (a, b) = (fs.metadata(&left).ok(), fs.metadata(&right).ok());
            match (op, a, b) {
                ("-nt", Some(a), Some(b)) => a.mtime_ms > b.mtime_ms,
                ("-nt", Some(_), None) => true,
                ("-ot", Some(a), Some(b)) => a.mtime_ms < b.mtime_ms,
                ("-ot", None, Some(_)) => true,
                ("-ef", Some(a), Some(b)) => a.fs == b.fs && a.ino == b.ino,
                _ => false,
            }
        }
    })
}

pub(super) fn printenv(name: &str, args: &[String], ctx: &mut Ctx) -> i32 {
    let names: Vec<&String> = args.iter().filter(|arg| !arg.starts_with('-')).collect();
    if names.is_empty() || name == "env" {
        let text: String = ctx.env.iter().map(|(key, value)| format!("{key}={value}\n")).collect();
        ctx.print(&text);
        return 0;
    }
    let mut status = 0;
    for key in names {
        match ctx.env.get(key.as_str()).cloned() {
            Some(value) => ctx.print(&format!("{value}\n")),
            None => status = 1,
        }
    }
    status
}

pub(super) fn id(args: &[String], ctx: &mut Ctx) -> i32 {
    let flags: String = args.iter().filter(|arg| arg.starts_with('-')).map(|arg| &arg[1..]).collect();
    let text = match (flags.contains('u') || flags.contains('g') || flags.contains('G'), flags.contains('n')) {
        (true, true) => "root",
        (true, false) => "0",
        _ => {
            "uid=0(root) gid=0(root) groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)"
        }
    };
    ctx.print(&format!("{text}\n"));
    0
}

const KERNEL_RELEASE: &str = "6.8.0-stowage";

pub(super) fn uname(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("uname", args, "asnrvmpio", ctx) else {
        return 1;
    };
    let hostname = ctx.host.hostname();
    let version = "#1 SMP PREEMPT_DYNAMIC Mon Nov 24 00:00:00 UTC 2026";
    let fields: [(char, &str); 5] =
        [('s', "Linux"), ('n', &hostname), ('r', KERNEL_RELEASE), ('v', version), ('m', "x86_64")];
    let mut parts: Vec<&str> = Vec::new();
    for (flag, value) in fields {
        if opts.has('a') || opts.has(flag) {
            parts.push(value);
        }
    }
    if opts.has('a') || opts.has('o') {
        parts.push("GNU/Linux");
    }
    if parts.is_empty() {
        parts.push("Linux");
    }
    ctx.print(&format!("{}\n", parts.join(" ")));
    0
}

pub(super) fn date(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut now_ms = ctx.now_ms();
    let mut format = "%a %b %e %H:%M:%S %Z %Y".to_string();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-u" | "--utc" => {}
            "-R" => format = "%a, %d %b %Y %H:%M:%S +0000".into(),
            "-I" | "-Idate" => format = "%Y-%m-%d".into(),
            "-Iseconds" => format = "%Y-%m-%dT%H:%M:%S+00:00".into(),
            "-d" => match iter.next().and_then(|value| value.strip_prefix('@')).and_then(|s| s.parse::<u64>().ok()) {
                Some(seconds) => now_ms = seconds * 1000,
                None => {
                    ctx.eprint("date: invalid date\n");
                    return 1;
                }
            },
            "-s" => {
                ctx.eprint("date: can't set date: Operation not permitted\n");
                return 1;
            }
            plus if plus.starts_with('+') => format = plus[1..].to_string(),
            other => {
                ctx.eprint(&format!("date: invalid date '{other}'\n"));
                return 1;
            }
        }
    }
    ctx.print(&format!("{}\n", format_date(now_ms, &format)));
    0
}

pub(super) fn seq(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut separator = "\n".to_string();
    let mut width = false;
    let mut numbers = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-s" => separator = iter.next().cloned().unwrap_or_default(),
            "-w" => width = true,
            number => match number.parse::<i64>() {
                Ok(value) => numbers.push(value),
                Err(_) => {
                    ctx.eprint(&format!("seq: invalid number '{number}'\n"));
                    return 1;
                }
            },
        }
    }
    let (first, step, last) = match numbers.as_slice() {
        [last] => (1, 1, *last),
        [first, last] => (*first, 1, *last),
        [first, step, last] => (*first, *step, *last),
        _ => {
            ctx.eprint("BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n");
            return 1;
        }
    };
    if step == 0 {
        return 0;
    }
    let pad = if width { first.to_string().len().max(last.to_string().len()) } else { 0 };
    let mut parts = Vec::new();
    let mut value = first;
    while (step > 0 && value <= last) || (step < 0 && value >= last) {
        parts.push(format!("{value:0pad$}"));
        if parts.len() > 1_000_000 {
            break;
        }
        match value.checked_add(step) {
            Some(next) => value = next,
            None => break,
        }
    }
    if !parts.is_empty() {
        ctx.print(&format!("{}\n", parts.join(&separator)));
    }
    0
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            break;
        }
        let value = BASE64.iter().position(|b| *b == c)? as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

pub(super) fn base64(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("base64", args, "dw:", ctx) else {
        return 1;
    };
    let (inputs, status) = ctx.read_inputs("base64", &opts.operands);
    let Some((_, data)) = inputs.into_iter().next() else {
        return status;
    };
    if opts.has('d') {
        match base64_decode(&String::from_utf8_lossy(&data)) {
            Some(bytes) => {
                ctx.out.extend_from_slice(&bytes);
                0
            }
            None => {
                ctx.eprint("base64: invalid input\n");
                1
            }
        }
    } else {
        let encoded = base64_encode(&data);
        let wrap = opts.value('w').and_then(|w| w.parse::<usize>().ok()).unwrap_or(76);
        let mut text = String::new();
        if wrap == 0 {
            text = encoded;
            text.push('\n');
        } else {
            for line in encoded.as_bytes().chunks(wrap) {
                text.push_str(&String::from_utf8_lossy(line));
                text.push('\n');
            }
        }
        ctx.print(&text);
        0
    }
}

const SIGNALS: &[(&str, i32)] = &[
    ("HUP", 1),
    ("INT", 2),
    ("QUIT", 3),
    ("KILL", 9),
    ("USR1", 10),
    ("USR2", 12),
    ("TERM", 15),
    ("STOP", 19),
    ("CONT", 18),
];

pub(super) fn kill(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut signal = 15;
    let mut pids = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "-l" {
            let names: Vec<&str> = SIGNALS.iter().map(|(name, _)| *name).collect();
            ctx.print(&format!("{}\n", names.join(" ")));
            return 0;
        }
        let spec = if arg == "-s" { iter.next().map(String::as_str) } else { arg.strip_prefix('-') };
        match spec {
            Some(spec) if pids.is_empty() => {
                let name = spec.trim_start_matches("SIG");
                match spec.parse::<i32>().ok().or_else(|| SIGNALS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)) {
                    Some(number) => signal = number,
                    None => {
                        ctx.eprint(&format!("kill: bad signal name '{spec}'\n"));
                        return 1;
                    }
                }
            }
            _ => pids.push(arg.clone()),
        }
    }
    let mut status = 0;
    for pid in pids {
        let delivered = pid.parse::<i64>().is_ok_and(|number| ctx.host.kill(number, signal));
        if !delivered {
            ctx.eprint(&format!("kill: can't kill pid {pid}: No such process\n"));
            status = 1;
        }
    }
    status
}

pub(super) fn nslookup(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(name) = args.iter().find(|arg| !arg.starts_with('-')) else {
        ctx.eprint("BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n");
        return 1;
    };
    let answer = ctx.host.dns_lookup(name);
    let mut text = format!("Server:\t\t{}\nAddress:\t{}:53\n\n", answer.server, answer.server);
    if answer.records.is_empty() {
        text.push_str(&format!("** server can't find {name}: NXDOMAIN\n\n"));
        ctx.print(&text);
        return 1;
    }
    for (record_name, address) in &answer.records {
        text.push_str(&format!("Name:\t{record_name}\nAddress: {address}\n"));
    }
    text.push('\n');
    ctx.print(&text);
    0
}

fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or_default().to_string()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "",
    }
}

pub(super) fn wget(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("wget", args, "qO:T:t:Scs", ctx) else {
        return 1;
    };
    let Some(url) = opts.operands.first().cloned() else {
        ctx.eprint(
            "BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: wget [-cqS] [-O FILE] URL...\n",
        );
        return 1;
    };
    let quiet = opts.has('q');
    let host_port = {
        let host = url_host(&url);
        if host.contains(':') { host } else { format!("{host}:80") }
    };
    if !quiet {
        ctx.eprint(&format!("Connecting to {} ({host_port})\n", url_host(&url)));
    }
    let response = match ctx.host.http_get(&url) {
        Ok(response) => response,
        Err(message) => {
            ctx.eprint(&format!("wget: can't connect to remote host: {message}\n"));
            return 1;
        }
    };
    if response.status >= 400 {
        ctx.eprint(&format!("wget: server returned error: HTTP/1.1 {} {}\n", response.status, reason(response.status)));
        return 1;
    }
    let target = opts.value('O').map(str::to_string).unwrap_or_else(|| {
        let path = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
        match path.split_once('/') {
            Some((_, rest)) if !rest.is_empty() && !rest.ends_with('/') => {
                rest.rsplit('/').next().unwrap_or("index.html").to_string()
            }
            _ => "index.html".to_string(),
        }
    });
    if target == "-" {
        if !quiet {
            ctx.eprint("writing to stdout\n");
        }
        ctx.out.extend_from_slice(&response.body);
        if !quiet {
            ctx.eprint("written to stdout\n");
        }
        return 0;
    }
    if !quiet {
        ctx.eprint(&format!("saving to '{target}'\n"));
    }
    let path = ctx.path(&target);
    let now = ctx.now_ms();
    if let Err(error) = ctx.host.fs().write_file(&path, &response.body, stowage_core::fs::WriteMode::Truncate, now) {
        ctx.eprint(&format!("wget: can't open '{target}': {error}\n"));
        return 1;
    }
    if !quiet {
        ctx.eprint(&format!("'{target}' saved\n"));
    }
    0
}

pub(super) fn curl(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut silent = false;
    let mut show_error = false;
    let mut fail = false;
    let mut head = false;
    let mut include = false;
    let mut output = None;
    let mut url = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "-s" | "--silent" => silent = true,
            "-S" | "--show-error" => show_error = true,
            "-f" | "--fail" => fail = true,
            "-I" | "--head" => head = true,
            "-i" | "--include" => include = true,
            "-o" | "--output" => output = iter.next().cloned(),
            "-m" | "--max-time" | "--connect-timeout" | "-H" | "--header" | "-X" | "--request" | "-w" | "-d"
            | "--data" => {
                iter.next();
            }
            flag if flag.starts_with('-') && flag.len() > 1 => {
                silent |= !flag.starts_with("--") && flag.contains('s');
                show_error |= !flag.starts_with("--") && flag.contains('S');
                fail |= !flag.starts_with("--") && flag.contains('f');
            }
            other => url = Some(other.to_string()),
        }
    }
    let Some(url) = url else {
        ctx.eprint("curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
        return 2;
    };
    let report = !silent || show_error;
    let response = match ctx.host.http_get(&url) {
        Ok(response) => response,
        Err(message) => {
            if report {
                ctx.eprint(&format!("curl: (7) Failed to connect to {} port 80: {message}\n", url_host(&url)));
            }
            return 7;
        }
    };
    if fail && response.status >= 400 {
        if report {
            ctx.eprint(&format!("curl: (22) The requested URL returned error: {}\n", response.status));
        }
        return 22;
    }
    let mut body = Vec::new();
    if head || include {
        body.extend_from_slice(format!("HTTP/1.1 {} {}\r\n\r\n", response.status, reason(response.status)).as_bytes());
    }
    if !head {
        body.extend_from_slice(&response.body);
    }
    match output {
        Some(file) => {
            let path = ctx.path(&file);
            let now = ctx.now_ms();
            if let Err(error) = ctx.host.fs().write_file(&path, &body, stowage_core::fs::WriteMode::Truncate, now) {
                ctx.eprint(&format!("curl: (23) Failure writing output to destination: {error}\n"));
                return 23;
            }
        }
        None => ctx.out.extend_from_slice(&body),
    }
    0
}

pub(super) fn basename(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(path) = args.first() else {
        ctx.eprint("basename: missing operand\n");
        return 1;
    };
    let trimmed = path.trim_end_matches('/');
    let mut name =
        if trimmed.is_empty() && !path.is_empty() { "/" } else { trimmed.rsplit('/').next().unwrap_or("") }.to_string();
    if let Some(suffix) = args.get(1)
        && name != *suffix
        && let Some(stripped) = name.strip_suffix(suffix.as_str())
    {
        name = stripped.to_string();
    }
    ctx.print(&format!("{name}\n"));
    0
}

pub(super) fn dirname(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(path) = args.first() else {
        ctx.eprint("dirname: missing operand\n");
        return 1;
    };
    let trimmed = path.trim_end_matches('/');
    let dir = match trimmed.rfind('/') {
        Some(0) => "/".to_string(),
        Some(at) => trimmed[..at].trim_end_matches('/').to_string(),
        None if path.starts_with('/') => "/".to_string(),
        None => ".".to_string(),
    };
    ctx.print(&format!("{}\n", if dir.is_empty() { "/" } else { &dir }));
    0
}
