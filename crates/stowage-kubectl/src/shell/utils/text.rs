//! Text utilities: head, tail, grep, wc, sort, uniq, cut, tr, sed, awk.

use regex_lite::{Regex, RegexBuilder};
use stowage_core::fs::WriteMode;

use super::{Ctx, Opts, getopt, lines};

/// Turns `-5` into `-n 5` (head, tail).
fn numeric_shorthand(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for arg in args {
        if arg.len() > 1 && arg.starts_with('-') && arg[1..].chars().all(|c| c.is_ascii_digit()) {
            out.push("-n".to_string());
            out.push(arg[1..].to_string());
        } else {
            out.push(arg.clone());
        }
    }
    out
}

fn join_lines(lines: &[String]) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn head_tail(applet: &str, args: &[String], ctx: &mut Ctx) -> i32 {
    let args = numeric_shorthand(args);
    let Some(opts) = getopt(applet, &args, "n:c:qvfF", ctx) else {
        return 1;
    };
    let (inputs, status) = ctx.read_inputs(applet, &opts.operands);
    let many = inputs.len() > 1;
    let count_spec = opts.value('n').unwrap_or("10").to_string();
    let from_start = count_spec.starts_with('+');
    let Ok(count) = count_spec.trim_start_matches(['+', '-']).parse::<usize>() else {
        ctx.eprint(&format!("{applet}: invalid number '{count_spec}'\n"));
        return 1;
    };
    for (index, (name, data)) in inputs.iter().enumerate() {
        if many {
            ctx.print(&format!("{}==> {name} <==\n", if index > 0 { "\n" } else { "" }));
        }
        if let Some(bytes) = opts.value('c').and_then(|c| c.parse::<usize>().ok()) {
            let slice = if applet == "head" {
                &data[..bytes.min(data.len())]
            } else {
                &data[data.len().saturating_sub(bytes)..]
            };
            ctx.out.extend_from_slice(slice);
            continue;
        }
        let all = lines(data);
        let chosen: &[String] = match (applet, from_start) {
            ("head", _) => &all[..count.min(all.len())],
            (_, true) => &all[count.saturating_sub(1).min(all.len())..],
            _ => &all[all.len().saturating_sub(count)..],
        };
        let mut text = join_lines(chosen);
        if !data.ends_with(b"\n") && !text.is_empty() && (applet == "tail" || chosen.len() == all.len()) {
            text.pop();
        }
        ctx.print(&text);
    }
    status
}

pub(super) fn head(args: &[String], ctx: &mut Ctx) -> i32 {
    head_tail("head", args, ctx)
}

pub(super) fn tail(args: &[String], ctx: &mut Ctx) -> i32 {
    head_tail("tail", args, ctx)
}

/// Translates a POSIX basic regular expression into regex-lite (extended) syntax.
fn bre_to_ere(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                let next = chars[i + 1];
                match next {
                    '(' | ')' | '{' | '}' | '|' | '+' | '?' => out.push(next),
                    _ => push_escaped(&mut out, next),
                }
                i += 2;
                continue;
            }
            '+' | '?' | '(' | ')' | '{' | '}' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '*' if i == 0 || (i == 1 && chars[0] == '^') => out.push_str("\\*"),
            '[' => {
                i = copy_bracket(&chars, i, &mut out);
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Makes an extended regular expression acceptable to regex-lite.
fn ere_to_lite(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                push_escaped(&mut out, chars[i + 1]);
                i += 2;
            }
            '[' => i = copy_bracket(&chars, i, &mut out),
            '{' if !chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                out.push_str("\\{");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        if matches!(c, 'w' | 'W' | 's' | 'S' | 'd' | 'D' | 'b' | 'B' | 'n' | 't') {
            out.push('\\');
            out.push(c);
        } else if c == '<' || c == '>' {
            out.push_str("\\b");
        } else {
            out.push(c);
        }
    } else if c == '<' || c == '>' {
        out.push_str("\\b");
    } else {
        out.push('\\');
        out.push(c);
    }
}

/// Copies a bracket expression starting at `chars[start] == '['`, returning the index after it.
fn copy_bracket(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut i = start + 1;
    let mut body = String::from("[");
    if chars.get(i) == Some(&'^') {
        body.push('^');
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        body.push_str("\\]");
        i += 1;
    }
    while i < chars.len() {
        let c = chars[i];
        if c == ']' {
            body.push(']');
            out.push_str(&body);
            return i + 1;
        }
        if c == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i..].iter().collect();
            if let Some(end) = rest.find(":]") {
                body.push_str(&rest[..end + 2]);
                i += rest[..end + 2].chars().count();
                continue;
            }
        }
        if matches!(c, '\\' | '[' | '&' | '~') || (c == '-' && chars.get(i + 1) == Some(&'-')) {
            body.push('\\');
        }
        body.push(c);
        i += 1;
    }
    out.push_str("\\[");
    out.push_str(&body[1..].replace('[', "\\["));
    chars.len()
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn compile(pattern: &str, extended: bool, fixed: bool, icase: bool) -> Result<Regex, String> {
    let source = if fixed {
        regex_escape(pattern)
    } else if extended {
        ere_to_lite(pattern)
    } else {
        ere_to_lite(&bre_to_ere(pattern))
    };
    RegexBuilder::new(&source).case_insensitive(icase).build().map_err(|error| error.to_string())
}

pub(super) fn grep(applet: &str, args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("grep", args, "EFGHhiclLnoqsvwxre:f:A:B:C:m:", ctx) else {
        return 2;
    };
    let mut operands = opts.operands.clone();
    let mut patterns = opts.values('e');
    if patterns.is_empty() {
        if operands.is_empty() {
            ctx.eprint("BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n");
            return 2;
        }
        patterns.push(operands.remove(0));
    }
    let extended = opts.has('E') || applet == "egrep";
    let fixed = opts.has('F') || applet == "fgrep";
    let mut regexes = Vec::new();
    for pattern in &patterns {
        let mut source = if fixed { regex_escape(pattern) } else { pattern.clone() };
        if opts.has('w') {
            source = if fixed || extended { format!("\\b({source})\\b") } else { format!("\\<\\({source}\\)\\>") };
        }
        if opts.has('x') {
            source = if fixed || extended { format!("^({source})$") } else { format!("^\\({source}\\)$") };
        }
        match compile(&source, extended || fixed, false, opts.has('i')) {
            Ok(regex) => regexes.push(regex),
            Err(error) => {
                ctx.eprint(&format!("grep: bad regex '{pattern}': {error}\n"));
                return 2;
            }
        }
    }
    let after = opts.value('A').or(opts.value('C')).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
    let before = opts.value('B').or(opts.value('C')).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
    let max = opts.value('m').and_then(|n| n.parse::<usize>().ok());
    let mut status = 1;
    let mut error = false;
    let mut inputs = Vec::new();
    if operands.is_empty() {
        inputs.push(("(standard input)".to_string(), ctx.stdin()));
    }
    for file in &operands {
        match ctx.read_input(file) {
            Ok(data) => inputs.push((file.clone(), data)),
            Err(err) => {
                if !opts.has('s') {
                    ctx.eprint(&format!("grep: {file}: {err}\n"));
                }
                error = true;
            }
        }
    }
    let show_names = (operands.len() > 1 || opts.has('H')) && !opts.has('h');
    let mut out = String::new();
    for (name, data) in &inputs {
        let all = lines(data);
        let mut count = 0;
        let mut last_printed: Option<usize> = None;
        let mut after_left = 0;
        for (index, line) in all.iter().enumerate() {
            let matched = regexes.iter().any(|regex| regex.is_match(line)) != opts.has('v');
            if max.is_some_and(|max| count >= max) {
                break;
            }
            let prefix = |sep: char| {
                let mut prefix = String::new();
                if show_names {
                    prefix.push_str(name);
                    prefix.push(sep);
                }
                if opts.has('n') {
                    prefix.push_str(&format!("{}{sep}", index + 1));
                }
                prefix
            };
            if matched {
                count += 1;
                status = 0;
                if opts.has('q') {
                    return 0;
                }
                if opts.has('c') || opts.has('l') || opts.has('L') {
                    continue;
                }
                let first_context = index.saturating_sub(before);
                let start = last_printed.map_or(first_context, |last| first_context.max(last + 1));
                if (before > 0 || after > 0) && last_printed.is_some_and(|last| start > last + 1) {
                    out.push_str("--\n");
                }
                for (context_index, context_line) in all.iter().enumerate().take(index).skip(start) {
                    let mut context_prefix = String::new();
                    if show_names {
                        context_prefix.push_str(&format!("{name}-"));
                    }
                    if opts.has('n') {
                        context_prefix.push_str(&format!("{}-", context_index + 1));
                    }
                    out.push_str(&format!("{context_prefix}{context_line}\n"));
                }
                if opts.has('o') && !opts.has('v') {
                    for regex in &regexes {
                        for found in regex.find_iter(line) {
                            if !found.as_str().is_empty() {
                                out.push_str(&format!("{}{}\n", prefix(':'), found.as_str()));
                            }
                        }
                    }
                } else {
                    out.push_str(&format!("{}{line}\n", prefix(':')));
                }
                last_printed = Some(index);
                after_left = after;
            } else if after_left > 0 && !opts.has('c') && !opts.has('l') {
                after_left -= 1;
                out.push_str(&format!("{}{line}\n", prefix('-')));
                last_printed = Some(index);
            }
        }
        if opts.has('c') {
            if show_names {
                out.push_str(&format!("{name}:{count}\n"));
            } else {
                out.push_str(&format!("{count}\n"));
            }
        } else if (opts.has('l') && count > 0) || (opts.has('L') && count == 0) {
            out.push_str(&format!("{name}\n"));
        }
    }
    ctx.print(&out);
    if error && status != 0 { 2 } else { status }
}

pub(super) fn wc(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("wc", args, "lwcmL", ctx) else {
        return 1;
    };
    let (inputs, status) = ctx.read_inputs("wc", &opts.operands);
    let any = opts.has('l') || opts.has('w') || opts.has('c') || opts.has('m');
    let columns =
        [('l', !any || opts.has('l')), ('w', !any || opts.has('w')), ('c', !any || opts.has('c') || opts.has('m'))];
    let selected = columns.iter().filter(|(_, on)| *on).count();
    let mut totals = [0usize; 3];
    let mut text = String::new();
    let row = |counts: [usize; 3], name: &str| {
        let values: Vec<usize> =
            columns.iter().zip(counts).filter(|((_, on), _)| *on).map(|(_, value)| value).collect();
        let body = if selected == 1 {
            values[0].to_string()
        } else {
            values.iter().map(|value| format!("{value:>7}")).collect::<Vec<_>>().join(" ")
        };
        if name == "-" { format!("{body}\n") } else { format!("{body} {name}\n") }
    };
    for (name, data) in &inputs {
        let text_data = String::from_utf8_lossy(data);
        let counts = [
            data.iter().filter(|b| **b == b'\n').count(),
            text_data.split_whitespace().count(),
            if opts.has('m') { text_data.chars().count() } else { data.len() },
        ];
        for (total, value) in totals.iter_mut().zip(counts) {
            *total += value;
        }
        text.push_str(&row(counts, name));
    }
    if inputs.len() > 1 {
        text.push_str(&row(totals, "total"));
    }
    ctx.print(&text);
    status
}

fn leading_number(text: &str) -> f64 {
    let text = text.trim_start();
    let mut end = 0;
    for (index, c) in text.char_indices() {
        if c.is_ascii_digit() || c == '.' || (index == 0 && (c == '-' || c == '+')) {
            end = index + c.len_utf8();
        } else {
            break;
        }
    }
    text[..end].parse().unwrap_or(0.0)
}

fn sort_key(line: &str, opts: &Opts) -> String {
    let Some(spec) = opts.value('k') else {
        return line.to_string();
    };
    let (start, end) = match spec.split_once(',') {
        Some((start, end)) => (start, Some(end)),
        None => (spec, None),
    };
    let field = |s: &str| {
        s.trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .split('.')
            .next()
            .unwrap_or("1")
            .parse::<usize>()
            .unwrap_or(1)
            .max(1)
    };
    let start = field(start);
    let fields: Vec<&str> = match opts.value('t') {
        Some(separator) => line.split(separator.chars().next().unwrap_or('\t')).collect(),
        None => line.split_whitespace().collect(),
    };
    let end = end.map_or(fields.len(), field).min(fields.len());
    if start > end {
        return String::new();
    }
    fields[start - 1..end].join(opts.value('t').unwrap_or(" "))
}

pub(super) fn sort(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("sort", args, "nrufbdghMsVzt:k:o:", ctx) else {
        return 1;
    };
    let (inputs, status) = ctx.read_inputs("sort", &opts.operands);
    let mut all: Vec<String> = inputs.iter().flat_map(|(_, data)| lines(data)).collect();
    let numeric = opts.has('n') || opts.has('g') || opts.has('h') || opts.value('k').is_some_and(|k| k.contains('n'));
    let fold = opts.has('f');
    all.sort_by(|a, b| {
        let (key_a, key_b) = (sort_key(a, &opts), sort_key(b, &opts));
        let primary = if numeric {
            leading_number(&key_a).partial_cmp(&leading_number(&key_b)).unwrap_or(std::cmp::Ordering::Equal)
        } else if fold {
            key_a.to_lowercase().cmp(&key_b.to_lowercase())
        } else {
            key_a.cmp(&key_b)
        };
        primary.then_with(|| if opts.has('s') { std::cmp::Ordering::Equal } else { a.cmp(b) })
    });
    if opts.has('r') {
        all.reverse();
    }
    if opts.has('u') {
        all.dedup_by(|a, b| sort_key(a, &opts) == sort_key(b, &opts));
    }
    let text = join_lines(&all);
    if let Some(file) = opts.value('o') {
        let path = ctx.path(file);
        let now = ctx.now_ms();
        if let Err(error) = ctx.host.fs().write_file(&path, text.as_bytes(), WriteMode::Truncate, now) {
            ctx.eprint(&format!("sort: can't open '{file}': {error}\n"));
            return 1;
        }
        return status;
    }
    ctx.print(&text);
    status
}

pub(super) fn uniq(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("uniq", args, "cduif:s:w:", ctx) else {
        return 1;
    };
    let (inputs, status) = ctx.read_inputs("uniq", &opts.operands[..opts.operands.len().min(1)]);
    let all: Vec<String> = inputs.iter().flat_map(|(_, data)| lines(data)).collect();
    let mut groups: Vec<(String, usize)> = Vec::new();
    for line in all {
        match groups.last_mut() {
            Some((last, count)) if (opts.has('i') && last.eq_ignore_ascii_case(&line)) || *last == line => *count += 1,
            _ => groups.push((line, 1)),
        }
    }
    let mut text = String::new();
    for (line, count) in groups {
        if (opts.has('d') && count < 2) || (opts.has('u') && count > 1) {
            continue;
        }
        if opts.has('c') {
            text.push_str(&format!("{count:>7} {line}\n"));
        } else {
            text.push_str(&format!("{line}\n"));
        }
    }
    ctx.print(&text);
    status
}

/// A cut list like `1,3-5,7-` as inclusive 1-based ranges.
fn parse_list(spec: &str) -> Option<Vec<(usize, usize)>> {
    let mut ranges = Vec::new();
    for part in spec.split(',') {
        let range = match part.split_once('-') {
            Some(("", "")) => return None,
            Some((start, "")) => (start.parse().ok()?, usize::MAX),
            Some(("", end)) => (1, end.parse().ok()?),
            Some((start, end)) => (start.parse().ok()?, end.parse().ok()?),
            None => {
                let value = part.parse().ok()?;
                (value, value)
            }
        };
        if range.0 == 0 {
            return None;
        }
        ranges.push(range);
    }
    Some(ranges)
}

pub(super) fn cut(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("cut", args, "d:f:c:b:sn", ctx) else {
        return 1;
    };
    let (spec, by_field) = match (opts.value('f'), opts.value('c').or(opts.value('b'))) {
        (Some(spec), _) => (spec.to_string(), true),
        (None, Some(spec)) => (spec.to_string(), false),
        (None, None) => {
            ctx.eprint("cut: expected a list of bytes, characters, or fields\n");
            return 1;
        }
    };
    let Some(ranges) = parse_list(&spec) else {
        ctx.eprint(&format!("cut: invalid list '{spec}'\n"));
        return 1;
    };
    let selected = |index: usize| ranges.iter().any(|(start, end)| *start <= index && index <= *end);
    let delimiter = opts.value('d').and_then(|d| d.chars().next()).unwrap_or('\t');
    let (inputs, status) = ctx.read_inputs("cut", &opts.operands);
    let mut text = String::new();
    for (_, data) in &inputs {
        for line in lines(data) {
            if by_field {
                if !line.contains(delimiter) {
                    if !opts.has('s') {
                        text.push_str(&line);
                        text.push('\n');
                    }
                    continue;
                }
                let fields: Vec<&str> = line
                    .split(delimiter)
                    .enumerate()
                    .filter(|(index, _)| selected(index + 1))
                    .map(|(_, field)| field)
                    .collect();
                text.push_str(&fields.join(&delimiter.to_string()));
            } else {
                let chosen: String =
                    line.chars().enumerate().filter(|(index, _)| selected(index + 1)).map(|(_, c)| c).collect();
                text.push_str(&chosen);
            }
            text.push('\n');
        }
    }
    ctx.print(&text);
    status
}

/// Expands a `tr` set: ranges, escapes and `[:class:]`.
fn tr_set(spec: &str) -> Vec<char> {
    let mut chars: Vec<char> = Vec::new();
    let raw: Vec<char> = spec.chars().collect();
    let mut i = 0;
    let mut literal = Vec::new();
    while i < raw.len() {
        if raw[i] == '[' && raw.get(i + 1) == Some(&':') {
            let rest: String = raw[i..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[2..end];
                let members: Vec<char> = (0u8..128)
                    .map(char::from)
                    .filter(|c| match class {
                        "upper" => c.is_ascii_uppercase(),
                        "lower" => c.is_ascii_lowercase(),
                        "digit" => c.is_ascii_digit(),
                        "alpha" => c.is_ascii_alphabetic(),
                        "alnum" => c.is_ascii_alphanumeric(),
                        "space" => c.is_ascii_whitespace(),
                        "blank" => *c == ' ' || *c == '\t',
                        "punct" => c.is_ascii_punctuation(),
                        _ => false,
                    })
                    .collect();
                literal.extend(members.into_iter().map(|c| (c, true)));
                i += end + 2;
                continue;
            }
        }
        let c = if raw[i] == '\\' && i + 1 < raw.len() {
            i += 1;
            match raw[i] {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' => '\\',
                other => other,
            }
        } else {
            raw[i]
        };
        literal.push((c, false));
        i += 1;
    }
    let mut j = 0;
    while j < literal.len() {
        let (c, from_class) = literal[j];
        if !from_class && j + 2 < literal.len() && literal[j + 1] == ('-', false) && !literal[j + 2].1 {
            let end = literal[j + 2].0;
            if c <= end {
                chars.extend((c as u32..=end as u32).filter_map(char::from_u32));
            }
            j += 3;
        } else {
            chars.push(c);
            j += 1;
        }
    }
    chars
}

pub(super) fn tr(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("tr", args, "dscC", ctx) else {
        return 1;
    };
    let Some(first) = opts.operands.first() else {
        ctx.eprint("tr: missing operand\n");
        return 1;
    };
    let set1 = tr_set(first);
    let set2 = opts.operands.get(1).map(|s| tr_set(s)).unwrap_or_default();
    let complement = opts.has('c') || opts.has('C');
    let in_set1 = |c: char| set1.contains(&c) != complement;
    let input = String::from_utf8_lossy(&ctx.stdin()).into_owned();
    let mut out = String::new();
    let squeeze_set: &[char] = if opts.has('d') || set2.is_empty() { &set1 } else { &set2 };
    for c in input.chars() {
        let mapped = if opts.has('d') {
            if in_set1(c) {
                continue;
            }
            c
        } else if !set2.is_empty() && in_set1(c) {
            let index = if complement { set2.len() - 1 } else { set1.iter().position(|x| *x == c).unwrap_or(0) };
            set2.get(index).or(set2.last()).copied().unwrap_or(c)
        } else {
            c
        };
        if opts.has('s') && squeeze_set.contains(&mapped) && out.ends_with(mapped) {
            continue;
        }
        out.push(mapped);
    }
    ctx.print(&out);
    0
}

#[derive(Debug, Clone)]
enum Address {
    Line(usize),
    Last,
    Regex(Regex),
}

#[derive(Debug, Clone)]
enum SedCommand {
    Substitute { regex: Regex, replacement: String, global: bool, print: bool, occurrence: usize },
    Print,
    Delete,
    Quit,
    LineNumber,
    Append(String),
    Insert(String),
    Change(String),
}

#[derive(Debug, Clone)]
struct SedLine {
    start: Option<Address>,
    end: Option<Address>,
    negate: bool,
    command: SedCommand,
}

fn read_delimited(chars: &[char], i: &mut usize, delimiter: char) -> Option<String> {
    let mut out = String::new();
    while *i < chars.len() {
        let c = chars[*i];
        *i += 1;
        if c == '\\' && *i < chars.len() {
            let next = chars[*i];
            *i += 1;
            if next == delimiter {
                out.push(next);
            } else if next == 'n' {
                out.push('\n');
            } else {
                out.push('\\');
                out.push(next);
            }
        } else if c == delimiter {
            return Some(out);
        } else {
            out.push(c);
        }
    }
    None
}

fn parse_sed(script: &str, extended: bool) -> Result<Vec<SedLine>, String> {
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut commands = Vec::new();
    let address = |chars: &[char], i: &mut usize| -> Result<Option<Address>, String> {
        match chars.get(*i) {
            Some('$') => {
                *i += 1;
                Ok(Some(Address::Last))
            }
            Some(c) if c.is_ascii_digit() => {
                let start = *i;
                while chars.get(*i).is_some_and(char::is_ascii_digit) {
                    *i += 1;
                }
                let text: String = chars[start..*i].iter().collect();
                Ok(Some(Address::Line(text.parse().unwrap_or(0))))
            }
            Some('/') => {
                *i += 1;
                let pattern = read_delimited(chars, i, '/').ok_or("unterminated address regex")?;
                Ok(Some(Address::Regex(compile(&pattern, extended, false, false)?)))
            }
            _ => Ok(None),
        }
    };
    loop {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ';' || chars[i] == '}' || chars[i] == '{') {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = address(&chars, &mut i)?;
        let mut end = None;
        if chars.get(i) == Some(&',') {
            i += 1;
            end = address(&chars, &mut i)?;
        }
        let negate = chars.get(i) == Some(&'!');
        if negate {
            i += 1;
        }
        while chars.get(i).is_some_and(|c| *c == ' ') {
            i += 1;
        }
        let Some(&c) = chars.get(i) else {
            return Err("missing command".into());
        };
        i += 1;
        let command = match c {
            's' => {
                let delimiter = *chars.get(i).ok_or("unterminated `s' command")?;
                i += 1;
                let pattern = read_delimited(&chars, &mut i, delimiter).ok_or("unterminated `s' command")?;
                let replacement = read_delimited(&chars, &mut i, delimiter).ok_or("unterminated `s' command")?;
                let (mut global, mut print, mut icase, mut occurrence) = (false, false, false, 1);
                while let Some(&flag) = chars.get(i) {
                    match flag {
                        'g' => global = true,
                        'p' => print = true,
                        'i' | 'I' => icase = true,
                        d if d.is_ascii_digit() => occurrence = d.to_digit(10).unwrap_or(1) as usize,
                        _ => break,
                    }
                    i += 1;
                }
                let regex = compile(&pattern, extended, false, icase)?;
                SedCommand::Substitute { regex, replacement, global, print, occurrence }
            }
            'p' => SedCommand::Print,
            'd' => SedCommand::Delete,
            'q' => SedCommand::Quit,
            '=' => SedCommand::LineNumber,
            'a' | 'i' | 'c' => {
                if chars.get(i) == Some(&'\\') {
                    i += 1;
                }
                while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\n') {
                    i += 1;
                }
                let begin = i;
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                let text: String = chars[begin..i].iter().collect();
                match c {
                    'a' => SedCommand::Append(text),
                    'i' => SedCommand::Insert(text),
                    _ => SedCommand::Change(text),
                }
            }
            other => return Err(format!("unsupported command {other}")),
        };
        commands.push(SedLine { start, end, negate, command });
    }
    Ok(commands)
}

fn expand_replacement(replacement: &str, captures: &regex_lite::Captures) -> String {
    let mut out = String::new();
    let mut chars = replacement.chars();
    while let Some(c) = chars.next() {
        match c {
            '&' => out.push_str(captures.get(0).map_or("", |m| m.as_str())),
            '\\' => match chars.next() {
                Some(d) if d.is_ascii_digit() => {
                    let group = d.to_digit(10).unwrap_or(0) as usize;
                    out.push_str(captures.get(group).map_or("", |m| m.as_str()));
                }
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            other => out.push(other),
        }
    }
    out
}

fn address_matches(address: &Address, line: &str, number: usize, last: bool) -> bool {
    match address {
        Address::Line(n) => *n == number,
        Address::Last => last,
        Address::Regex(regex) => regex.is_match(line),
    }
}

fn run_sed(commands: &[SedLine], input: &[String], quiet: bool) -> String {
    let mut out = String::new();
    let mut in_range = vec![false; commands.len()];
    for (index, original) in input.iter().enumerate() {
        let number = index + 1;
        let last = number == input.len();
        let mut line = original.clone();
        let mut deleted = false;
        let mut quit = false;
        let mut appended = Vec::new();
        for (command_index, sed_line) in commands.iter().enumerate() {
            let selected = match (&sed_line.start, &sed_line.end) {
                (None, _) => true,
                (Some(start), None) => address_matches(start, &line, number, last),
                (Some(start), Some(end)) => {
                    if in_range[command_index] {
                        if address_matches(end, &line, number, last) || matches!(end, Address::Line(n) if *n <= number)
                        {
                            in_range[command_index] = false;
                        }
                        true
                    } else if address_matches(start, &line, number, last) {
                        in_range[command_index] = !matches!(end, Address::Line(n) if *n <= number);
                        true
                    } else {
                        false
                    }
                }
            };
            if selected == sed_line.negate {
                continue;
            }
            match &sed_line.command {
                SedCommand::Substitute { regex, replacement, global, print, occurrence } => {
                    let mut result = String::new();
                    let mut last_end = 0;
                    let mut replaced = false;
                    for (count, captures) in regex.captures_iter(&line).enumerate() {
                        let Some(whole) = captures.get(0) else {
                            continue;
                        };
                        if count + 1 < *occurrence {
                            continue;
                        }
                        result.push_str(&line[last_end..whole.start()]);
                        result.push_str(&expand_replacement(replacement, &captures));
                        last_end = whole.end();
                        replaced = true;
                        if !global {
                            break;
                        }
                    }
                    if replaced {
                        result.push_str(&line[last_end..]);
                        line = result;
                        if *print {
                            out.push_str(&line);
                            out.push('\n');
                        }
                    }
                }
                SedCommand::Print => {
                    out.push_str(&line);
                    out.push('\n');
                }
                SedCommand::Delete => {
                    deleted = true;
                    break;
                }
                SedCommand::Quit => {
                    quit = true;
                    break;
                }
                SedCommand::LineNumber => out.push_str(&format!("{number}\n")),
                SedCommand::Append(text) => appended.push(text.clone()),
                SedCommand::Insert(text) => {
                    out.push_str(text);
                    out.push('\n');
                }
                SedCommand::Change(text) => {
                    out.push_str(text);
                    out.push('\n');
                    deleted = true;
                    break;
                }
            }
        }
        if !deleted && !quiet {
            out.push_str(&line);
            out.push('\n');
        }
        for text in appended {
            out.push_str(&text);
            out.push('\n');
        }
        if quit {
            break;
        }
    }
    out
}

pub(super) fn sed(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("sed", args, "nrEie:f:s", ctx) else {
        return 1;
    };
    let mut operands = opts.operands.clone();
    let mut scripts = opts.values('e');
    if scripts.is_empty() {
        if operands.is_empty() {
            ctx.eprint("BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...\n");
            return 1;
        }
        scripts.push(operands.remove(0));
    }
    let commands = match parse_sed(&scripts.join("\n"), opts.has('r') || opts.has('E')) {
        Ok(commands) => commands,
        Err(message) => {
            ctx.eprint(&format!("sed: {message}\n"));
            return 1;
        }
    };
    if opts.has('i') {
        let mut status = 0;
        let now = ctx.now_ms();
        for file in &operands {
            let path = ctx.path(file);
            match ctx.host.fs().read_file(&path) {
                Ok(data) => {
                    let out = run_sed(&commands, &lines(&data), opts.has('n'));
                    if let Err(error) = ctx.host.fs().write_file(&path, out.as_bytes(), WriteMode::Truncate, now) {
                        ctx.eprint(&format!("sed: {file}: {error}\n"));
                        status = 1;
                    }
                }
                Err(error) => {
                    ctx.eprint(&format!("sed: {file}: {error}\n"));
                    status = 1;
                }
            }
        }
        return status;
    }
    let (inputs, status) = ctx.read_inputs("sed", &operands);
    let all: Vec<String> = inputs.iter().flat_map(|(_, data)| lines(data)).collect();
    let out = run_sed(&commands, &all, opts.has('n'));
    ctx.print(&out);
    status
}

#[derive(Debug)]
enum AwkTerm {
    Field(usize),
    LastField,
    Nr,
    Nf,
    Text(String),
}

/// Parses `[/re/] { print a, b c }` (or `{print}`); `None` for anything else.
fn parse_awk(program: &str) -> Option<(Option<Regex>, Vec<Vec<AwkTerm>>)> {
    let program = program.trim();
    let (pattern, rest) = if let Some(rest) = program.strip_prefix('/') {
        let end = rest.find('/')?;
        (Some(compile(&rest[..end], true, false, false).ok()?), rest[end + 1..].trim())
    } else {
        (None, program)
    };
    let body = rest.strip_prefix('{')?.strip_suffix('}')?.trim().trim_end_matches(';').trim();
    let args = if body.is_empty() { "" } else { body.strip_prefix("print")?.trim() };
    if args.is_empty() {
        return Some((pattern, vec![vec![AwkTerm::Field(0)]]));
    }
    let mut items = vec![Vec::new()];
    let chars: Vec<char> = args.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            ' ' | '\t' => i += 1,
            ',' => {
                items.push(Vec::new());
                i += 1;
            }
            '"' => {
                let mut text = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                        text.push(match chars[i] {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    } else {
                        text.push(chars[i]);
                    }
                    i += 1;
                }
                i += 1;
                items.last_mut()?.push(AwkTerm::Text(text));
            }
            '$' => {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                let term = if name == "NF" { AwkTerm::LastField } else { AwkTerm::Field(name.parse().ok()?) };
                items.last_mut()?.push(term);
            }
            _ => {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                let name: String = chars[start..i].iter().collect();
                let term = match name.as_str() {
                    "NR" => AwkTerm::Nr,
                    "NF" => AwkTerm::Nf,
                    _ => return None,
                };
                items.last_mut()?.push(term);
            }
        }
    }
    Some((pattern, items))
}

pub(super) fn awk(args: &[String], ctx: &mut Ctx) -> i32 {
    let Some(opts) = getopt("awk", args, "F:v:f:", ctx) else {
        return 1;
    };
    let mut operands = opts.operands.clone();
    if operands.is_empty() {
        ctx.eprint("BusyBox v1.36.1 (2023-07-27 16:12:13 UTC) multi-call binary.\n\nUsage: awk [OPTIONS] [AWK_PROGRAM] [FILE]...\n");
        return 1;
    }
    let program = operands.remove(0);
    let Some((pattern, items)) = parse_awk(&program) else {
        ctx.eprint("awk: cmd. line:1: Unexpected token (only [/regex/] { print ... } is simulated)\n");
        return 2;
    };
    let separator = opts.value('F').map(|sep| if sep == "\\t" { "\t".to_string() } else { sep.to_string() });
    let (inputs, status) = ctx.read_inputs("awk", &operands);
    let mut out = String::new();
    let mut record = 0;
    for (_, data) in &inputs {
        for line in lines(data) {
            record += 1;
            if pattern.as_ref().is_some_and(|regex| !regex.is_match(&line)) {
                continue;
            }
            let fields: Vec<&str> = match &separator {
                Some(sep) if sep == " " || sep.is_empty() => line.split_whitespace().collect(),
                Some(sep) => line.split(sep.as_str()).collect(),
                None => line.split_whitespace().collect(),
            };
            let field = |index: usize| {
                if index == 0 { line.clone() } else { fields.get(index - 1).map(|s| s.to_string()).unwrap_or_default() }
            };
            let values: Vec<String> = items
                .iter()
                .map(|terms| {
                    terms
                        .iter()
                        .map(|term| match term {
                            AwkTerm::Field(index) => field(*index),
                            AwkTerm::LastField => field(fields.len()),
                            AwkTerm::Nr => record.to_string(),
                            AwkTerm::Nf => fields.len().to_string(),
                            AwkTerm::Text(text) => text.clone(),
                        })
                        .collect::<String>()
                })
                .collect();
            out.push_str(&values.join(" "));
            out.push('\n');
        }
    }
    ctx.print(&out);
    status
}
