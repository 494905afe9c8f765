//! `-o yaml` as kubectl writes it: `sigs.k8s.io/yaml`, i.e. JSON decoded by go-yaml v2 and
//! re-emitted by its libyaml port.
//!
//! # Model
//! - Map keys are sorted with go-yaml's `keyList.Less` (letters before other runes, digit runs
//!   compared as numbers).
//! - Strings that would read back as another type (`"true"`, `"5000"`, `""`, timestamps) are
//!   double-quoted; strings with a newline use a literal block (`|`, `|-`, `|+`); strings that plain
//!   style cannot carry (leading `-`, `: `, ` #`, quotes...) are single-quoted.
//! - Sequences inside mappings are not indented (`- a` under `key:`); empty maps and lists print
//!   as `{}` and `[]`.
//! - Long scalars are folded at spaces once a line passes 80 columns, continuing two spaces deeper
//!   than their key, exactly as libyaml's emitter does.

use serde_json::Value;
use std::cmp::Ordering;

const BEST_WIDTH: usize = 80;
const BEST_INDENT: i32 = 2;

/// Serializes a JSON value as kubectl's YAML printer does (always ends with a newline).
pub fn to_yaml(value: &Value) -> String {
    let mut emitter =
        Emitter { out: String::new(), column: 0, whitespace: true, indention: true, indent: -1, indents: Vec::new() };
    emitter.node(value, Context { mapping: false, simple_key: false });
    // Document end: an implicit end still breaks the last line.
    emitter.write_indent();
    emitter.out
}

#[derive(Clone, Copy)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i32,
    indents: Vec<i32>,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn node(&mut self, value: &Value, context: Context) {
        match value {
            Value::Object(map) if !map.is_empty() => self.block_mapping(map),
            Value::Array(items) if !items.is_empty() => self.block_sequence(items, context),
            Value::Object(_) => self.flow_empty("{", "}"),
            Value::Array(_) => self.flow_empty("[", "]"),
            Value::Null => self.scalar("null", Style::Plain, context),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, context),
            Value::Number(n) => self.scalar(&number_text(n), Style::Plain, context),
            Value::String(s) => self.scalar(s, string_style(s), context),
        }
    }

    fn flow_empty(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn block_mapping(&mut self, map: &serde_json::Map<String, Value>) {
        self.increase_indent(false, false);
        let mut entries: Vec<(&String, &Value)> = map.iter().collect();
        entries.sort_by(|a, b| key_order(a.0, b.0));
        for (key, value) in entries {
            self.write_indent();
            let analysis = analyze(key);
            if !analysis.multiline && key.len() <= 128 {
                self.scalar(key, string_style(key), Context { mapping: true, simple_key: true });
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.scalar(key, string_style(key), Context { mapping: true, simple_key: false });
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(value, Context { mapping: true, simple_key: false });
        }
        self.pop_indent();
    }

    fn block_sequence(&mut self, items: &[Value], context: Context) {
        self.increase_indent(false, context.mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context { mapping: false, simple_key: false });
        }
        self.pop_indent();
    }

    fn scalar(&mut self, value: &str, requested: Style, context: Context) {
        let analysis = analyze(value);
        let mut style = requested;
        if context.simple_key && analysis.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain {
            if !analysis.block_plain_allowed {
                style = Style::SingleQuoted;
            }
            if value.is_empty() && context.simple_key {
                style = Style::SingleQuoted;
            }
        }
        if style == Style::SingleQuoted && !analysis.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!analysis.block_allowed || context.simple_key) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        let allow_breaks = !context.simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(value, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_is_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_is_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < chars.len() && !next_is_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let code = c as u32;
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    _ => {
                        let (prefix, digits) = if code <= 0xFF {
                            ('x', 2)
                        } else if code <= 0xFFFF {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(prefix);
                        for k in (0..digits).rev() {
                            let digit = (code >> (4 * k)) & 0xF;
                            self.put(char::from_digit(digit, 16).unwrap_or('0').to_ascii_uppercase());
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < chars.len() {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints: an indentation hint for leading blanks, a chomping indicator for the end.
        let chars: Vec<char> = value.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let chomp = match chars.as_slice() {
            [] => Some("-"),
            [.., last] if !is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., before, _] if is_break(*before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.put_break();
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// The style go-yaml's `stringv` asks for: literal for multi-line text, double quotes for text that
/// would resolve to a non-string, plain otherwise.
fn string_style(s: &str) -> Style {
    if s.contains('\n') {
        Style::Literal
    } else if resolves_to_string(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// go-yaml v2 `resolve("", s)` returns the string tag.
fn resolves_to_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO", "false",
        "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf",
        ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return false;
    }
    let Some(first) = s.chars().next() else {
        return false;
    };
    match first {
        '.' => s.parse::<f64>().is_err() || !looks_like_go_float(s),
        '+' | '-' | '0'..='9' => {
            if is_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            !(parses_as_go_int(&plain) || is_yaml_float(&plain) || parses_as_binary(&plain))
        }
        _ => true,
    }
}

/// `strconv.ParseFloat` acceptance for the `.5` family (digits after a leading dot, optional exponent).
fn looks_like_go_float(s: &str) -> bool {
    is_yaml_float(s)
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint`: optional sign, then decimal, `0x`, `0o`, `0b` or
/// leading-zero octal digits.
fn parses_as_go_int(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(rest) = lower.strip_prefix("0x") {
        (rest.to_string(), 16)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (rest.to_string(), 8)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (rest.to_string(), 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].to_string(), 8)
    } else {
        (lower, 10)
    };
    !digits.is_empty() && u128::from_str_radix(&digits, radix).is_ok_and(|v| v <= u128::from(u64::MAX))
}

fn parses_as_binary(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    body.strip_prefix("0b").is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c == '0' || c == '1'))
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

/// go-yaml's `parseTimestamp`: `YYYY-` then one of its few layouts (checked loosely: date, or date
/// and time separated by `T`, `t` or a space).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let date_ok = parts.len() == 3
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        && parts[1].len() <= 2
        && parts[2].len() <= 2
        && (1..=12).contains(&parts[1].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&parts[2].parse::<u32>().unwrap_or(0));
    if !date_ok {
        return false;
    }
    match time {
        None => true,
        Some(time) => {
            let time = time.trim_end_matches('Z');
            let time = time.split(['+', '-']).next().unwrap_or("");
            let hms: Vec<&str> = time.split(':').collect();
            hms.len() == 3
                && hms.iter().all(|p| !p.is_empty() && p.split('.').all(|q| q.bytes().all(|c| c.is_ascii_digit())))
        }
    }
}

/// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int_part, frac) = match body.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    if frac.is_some_and(|f| !f.bytes().all(|c| c.is_ascii_digit() || c == b'_')) {
        return false;
    }
    let mut groups = int_part.split(':');
    let Some(head) = groups.next() else {
        return false;
    };
    let head_ok = head.bytes().next().is_some_and(|c| c.is_ascii_digit())
        && head.bytes().all(|c| c.is_ascii_digit() || c == b'_');
    let rest: Vec<&str> = groups.collect();
    head_ok
        && !rest.is_empty()
        && rest.iter().all(|g| match g.as_bytes() {
            [d] => d.is_ascii_digit(),
            [a, b] => (b'0'..=b'5').contains(a) && b.is_ascii_digit(),
            _ => false,
        })
}

fn number_text(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        let f = n.as_f64().unwrap_or(0.0);
        match super::gojson::go_float(f).as_str() {
            "+Inf" => ".inf".to_string(),
            "-Inf" => "-.inf".to_string(),
            "NaN" => ".nan".to_string(),
            other => other.to_string(),
        }
    }
}

fn is_printable(c: char) -> bool {
    let code = c as u32;
    c == '\n'
        || (0x20..=0x7E).contains(&code)
        || (0xA0..=0xD7FF).contains(&code)
        || ((0xE000..=0xFFFD).contains(&code) && code != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// libyaml's `yaml_emitter_analyze_scalar` (block context only).
fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let chars: Vec<char> = value.chars().collect();
    let mut block_indicators = value.starts_with("---") || value.starts_with("...");
    let (mut line_breaks, mut special_characters) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_whitespace = chars.get(i + 1).is_none_or(|&n| is_blank(n));
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    block_indicators = true
                }
                '?' | ':' | '-' if followed_by_whitespace => block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => block_indicators = true,
                '#' if preceded_by_whitespace => block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special_characters = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == chars.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == chars.len() {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank(c) || is_break(c) || c == '\0';
    }
    let mut analysis = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        analysis.block_plain_allowed = false;
    }
    if trailing_space {
        analysis.block_allowed = false;
    }
    if break_space {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
        analysis.block_allowed = false;
    }
    if line_breaks || block_indicators {
        analysis.block_plain_allowed = false;
    }
    analysis
}

/// go-yaml v2's `keyList.Less` for string keys.
fn key_order(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if key_less(a, b) { Ordering::Less } else { Ordering::Greater }
}

fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.saturating_mul(10).saturating_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.saturating_mul(10).saturating_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;
    use serde_json::json;

    #[test]
    fn yaml_should_quote_like_go_yaml_v2() {
        let value = json!({
            "kind": "PersistentVolume",
            "apiVersion": "v1",
            "metadata": {
                "annotations": {"pv.kubernetes.io/bound-by-controller": "yes", "x": "5000", "when": "2026-05-14T09:00:00Z", "e": ""},
                "finalizers": ["kubernetes.io/pv-protection"],
                "labels": {},
            },
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "capacity": {"storage": "100Gi"},
                "mountOptions": ["hard", "nfsvers=4.1"],
                "items": [{"b": 1, "a": [ ]}, [1, 2], "- dash", "a: b", "it's"],
                "n": null, "t": true, "f": 0.5,
            },
        });
        expect![[r#"
            apiVersion: v1
            kind: PersistentVolume
            metadata:
              annotations:
                e: ""
                pv.kubernetes.io/bound-by-controller: "yes"
                when: "2026-05-14T09:00:00Z"
                x: "5000"
              finalizers:
              - kubernetes.io/pv-protection
              labels: {}
            spec:
              accessModes:
              - ReadWriteMany
              capacity:
                storage: 100Gi
              f: 0.5
              items:
              - a: []
                b: 1
              - - 1
                - 2
              - '- dash'
              - 'a: b'
              - it's
              mountOptions:
              - hard
              - nfsvers=4.1
              "n": null
              t: true
        "#]]
        .assert_eq(&to_yaml(&value));
    }

    #[test]
    fn long_strings_should_fold_at_eighty_columns() {
        let message = "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.";
        let value = json!({"status": {"conditions": [{"message": message, "plain": "no volume plugin matched name: kubernetes.io/no-provisioner and some more words to fold the line"}]}});
        expect![[r#"
            status:
              conditions:
              - message: Waiting for a volume to be created either by the external provisioner
                  'ebs.csi.aws.com' or manually by the system administrator. If volume creation
                  is delayed, please verify that the provisioner is running and correctly registered.
                plain: 'no volume plugin matched name: kubernetes.io/no-provisioner and some more
                  words to fold the line'
        "#]]
        .assert_eq(&to_yaml(&value));
    }

    #[test]
    fn multi_line_strings_should_use_literal_blocks() {
        let value = json!({"a": "{\"x\":1}\n", "b": "one\ntwo", "c": "tab\there", "d": "x\n\n"});
        expect![[r#"
            a: |
              {"x":1}
            b: |-
              one
              two
            c: "tab\there"
            d: |+
              x

        "#]]
        .assert_eq(&to_yaml(&value));
    }

    #[test]
    fn keys_should_sort_with_numeric_runs() {
        let mut keys = vec!["a10", "a9", "b", "A", "a-b", "ab"];
        keys.sort_by(|a, b| key_order(a, b));
        assert_eq!(keys, ["A", "a-b", "a9", "a10", "ab", "b"]);
    }
}
