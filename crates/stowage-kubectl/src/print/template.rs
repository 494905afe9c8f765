//! `-o go-template`: a Go `text/template` subset over decoded JSON, with kubectl's extra functions
//! `exists` and `base64decode` and `missingkey=default` (a missing key prints `<no value>`).
//!
//! # Model
//! - Actions: `{{pipeline}}`, `{{if}}`/`{{else if}}`/`{{else}}`/`{{end}}`, `{{range}}` (with
//!   `$i, $e :=` and `{{else}}`), `{{with}}`, variables (`$x := ...`, `$`), comments, and the
//!   `{{-`/`-}}` trim markers.
//! - Operands: `.a.b` chains, `$x.a`, strings (`"..."`, `` `raw` ``), numbers, `true`/`false`/`nil`,
//!   parenthesized pipelines; pipes pass the value as the last argument.
//! - Functions: `and or not len index print printf println eq ne lt le gt ge exists base64decode`.
//! - Named templates: `{{define "n"}}...{{end}}`, `{{template "n" pipeline}}`, `{{block "n" pipeline}}...{{end}}`.
//! - Maps range in sorted key order, as Go does.

use super::gojson::{go_float, go_sprint};
use serde_json::Value;
use std::collections::BTreeMap;

/// A parsed go-template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
    defines: BTreeMap<String, Vec<Node>>,
}

/// How deep `{{template}}` calls may nest (Go's `maxExecDepth`).
const MAX_EXEC_DEPTH: usize = 100_000;
/// Our own bound below Go's, so that a self-calling template never overflows the stack.
const CALL_DEPTH_MAX: usize = 200;

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Action(Pipeline),
    If {
        pipe: Pipeline,
        then: Vec<Node>,
        otherwise: Vec<Node>,
    },
    Range {
        pipe: Pipeline,
        key: Option<String>,
        elem: Option<String>,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    With {
        pipe: Pipeline,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    /// `{{template "name" pipeline}}`.
    Call {
        name: String,
        pipe: Option<Pipeline>,
    },
}

#[derive(Clone, Debug, PartialEq)]
struct Pipeline {
    declare: Vec<String>,
    assign: bool,
    commands: Vec<Vec<Operand>>,
}

#[derive(Clone, Debug, PartialEq)]
enum Operand {
    Dot(Vec<String>),
    Var(String, Vec<String>),
    Func(String),
    Literal(Value),
    Nil,
    Sub(Box<Pipeline>, Vec<String>),
}

/// A lexed action or text.
enum Token {
    Text(String),
    Action(String),
}

fn lex(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = input;
    let mut line = 1;
    while let Some(start) = rest.find("{{") {
        let mut text = rest[..start].to_string();
        let after = &rest[start + 2..];
        let trim_left = after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n");
        if trim_left {
            text = text.trim_end().to_string();
        }
        line += rest[..start].matches('\n').count();
        let body_start = if trim_left { 2 } else { 0 };
        let Some(end) = after.find("}}") else {
            return Err(format!("template: output:{line}: unclosed action"));
        };
        let mut body = &after[body_start..end];
        let trim_right = body.ends_with(" -") || body.ends_with("\t-") || body.ends_with("\n-");
        if trim_right {
            body = &body[..body.len() - 2];
        }
        if !text.is_empty() {
            tokens.push(Token::Text(text));
        }
        let body = body.trim();
        if !(body.starts_with("/*") && body.ends_with("*/")) {
            tokens.push(Token::Action(body.to_string()));
        }
        rest = &after[end + 2..];
        if trim_right {
            rest = rest.trim_start();
        }
    }
    if !rest.is_empty() {
        tokens.push(Token::Text(rest.to_string()));
    }
    Ok(tokens)
}

impl Template {
    /// Parses a template.
    ///
    /// # Errors
    /// `template: output:1: ...` messages in the style of Go's parser.
    pub fn parse(text: &str) -> Result<Template, String> {
        let tokens = lex(text)?;
        let mut pos = 0;
        let mut defines = BTreeMap::new();
        let (nodes, end) = parse_list(&tokens, &mut pos, &mut defines)?;
        match end {
            None => Ok(Template { nodes, defines }),
            Some(word) => Err(format!("template: output:1: unexpected {{{{{word}}}}}")),
        }
    }

    /// Runs the template on `data`.
    ///
    /// # Errors
    /// The output written before the failure and the error.
    pub fn execute(&self, data: &Value) -> Result<String, (String, String)> {
        let mut state =
            State { out: String::new(), vars: vec![("$".to_string(), data.clone())], defines: &self.defines, depth: 0 };
        match state.walk(&self.nodes, data) {
            Ok(()) => Ok(state.out),
            Err(e) => Err((state.out, format!("template: output:1: {e}"))),
        }
    }
}

/// Parses nodes until `{{end}}` or `{{else...}}`, returning which keyword stopped it.
fn parse_list(
    tokens: &[Token],
    pos: &mut usize,
    defines: &mut BTreeMap<String, Vec<Node>>,
) -> Result<(Vec<Node>, Option<String>), String> {
    let mut nodes = Vec::new();
    while *pos < tokens.len() {
        let token = &tokens[*pos];
        *pos += 1;
        match token {
            Token::Text(text) => nodes.push(Node::Text(text.clone())),
            Token::Action(action) => {
                let (word, rest) = split_word(action);
                match word {
                    "end" => return Ok((nodes, Some("end".to_string()))),
                    "else" => return Ok((nodes, Some(format!("else {rest}").trim().to_string()))),
                    "if" | "with" => {
                        let pipe = parse_pipeline(rest)?;
                        let (body, otherwise) = parse_branches(tokens, pos, word, defines)?;
                        nodes.push(if word == "if" {
                            Node::If { pipe, then: body, otherwise }
                        } else {
                            Node::With { pipe, body, otherwise }
                        });
                    }
                    "range" => {
                        let mut pipe = parse_pipeline(rest)?;
                        let (key, elem) = match pipe.declare.len() {
                            0 => (None, None),
                            1 => (None, Some(pipe.declare[0].clone())),
                            _ => (Some(pipe.declare[0].clone()), Some(pipe.declare[1].clone())),
                        };
                        pipe.declare.clear();
                        let (body, otherwise) = parse_branches(tokens, pos, word, defines)?;
                        nodes.push(Node::Range { pipe, key, elem, body, otherwise });
                    }
                    "define" | "template" | "block" => {
                        let (name, rest) = template_name(rest, word)?;
                        let pipe = if rest.is_empty() { None } else { Some(parse_pipeline(rest)?) };
                        if word == "define" && pipe.is_some() {
                            return Err(format!("template: output:1: unexpected {rest:?} in define clause"));
                        }
                        if word != "template" {
                            let (body, end) = parse_list(tokens, pos, defines)?;
                            if end.as_deref() != Some("end") {
                                return Err(format!("template: output:1: unexpected EOF in {word}"));
                            }
                            defines.insert(name.clone(), body);
                        }
                        if word != "define" {
                            nodes.push(Node::Call { name, pipe });
                        }
                    }
                    _ => nodes.push(Node::Action(parse_pipeline(action)?)),
                }
            }
        }
    }
    Ok((nodes, None))
}

/// The quoted name that starts a `define`, `template` or `block` action, and the rest.
fn template_name<'a>(rest: &'a str, word: &str) -> Result<(String, &'a str), String> {
    let rest = rest.trim();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '`');
    let Some(quote) = quote else {
        return Err(format!(
            "template: output:1: unexpected {:?} in {word} clause",
            rest.split_whitespace().next().unwrap_or("")
        ));
    };
    let Some(end) = rest[1..].find(quote) else {
        return Err("template: output:1: unterminated quoted string".to_string());
    };
    Ok((rest[1..=end].to_string(), rest[end + 2..].trim()))
}

fn parse_branches(
    tokens: &[Token],
    pos: &mut usize,
    keyword: &str,
    defines: &mut BTreeMap<String, Vec<Node>>,
) -> Result<(Vec<Node>, Vec<Node>), String> {
    let (body, end) = parse_list(tokens, pos, defines)?;
    match end.as_deref() {
        Some("end") => Ok((body, Vec::new())),
        Some("else") => {
            let (otherwise, end) = parse_list(tokens, pos, defines)?;
            if end.as_deref() != Some("end") {
                return Err(format!("template: output:1: unexpected EOF in {keyword}"));
            }
            Ok((body, otherwise))
        }
        Some(else_if) if else_if.starts_with("else if ") && keyword == "if" => {
            // `{{else if x}}` is `{{else}}{{if x}}...{{end}}` sharing the outer end.
            let pipe = parse_pipeline(&else_if["else if ".len()..])?;
            let (then, otherwise) = parse_branches(tokens, pos, "if", defines)?;
            Ok((body, vec![Node::If { pipe, then, otherwise }]))
        }
        _ => Err(format!("template: output:1: unexpected EOF in {keyword}")),
    }
}

fn split_word(action: &str) -> (&str, &str) {
    let action = action.trim();
    match action.find(char::is_whitespace) {
        Some(i) => (&action[..i], action[i..].trim()),
        None => (action, ""),
    }
}

/// Splits an action into words, keeping strings and parentheses together.
fn words(text: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == '"' || c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                if c == '"' && chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            if i >= chars.len() {
                return Err("template: output:1: unterminated quoted string".to_string());
            }
            i += 1;
        } else if c == '(' {
            let mut depth = 0;
            while i < chars.len() {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            if i >= chars.len() {
                return Err("template: output:1: unclosed left paren".to_string());
            }
            i += 1;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '|' {
                i += 1;
            }
        } else if c == '|' {
            i += 1;
        } else {
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '|' && chars[i] != '(' {
                i += 1;
            }
        }
        out.push(chars[start..i].iter().collect());
    }
    Ok(out)
}

fn parse_pipeline(text: &str) -> Result<Pipeline, String> {
    let mut words = words(text)?;
    let mut declare = Vec::new();
    let mut assign = false;
    if let Some(i) = words.iter().position(|w| w == ":=" || w == "=") {
        assign = words[i] == "=";
        declare = words[..i].iter().map(|w| w.trim_end_matches(',').to_string()).collect();
        words.drain(..=i);
    }
    let mut commands = vec![Vec::new()];
    for word in words {
        if word == "|" {
            commands.push(Vec::new());
            continue;
        }
        if let Some(last) = commands.last_mut() {
            last.push(parse_operand(&word)?);
        }
    }
    if commands.iter().any(Vec::is_empty) {
        return Err("template: output:1: missing value for command".to_string());
    }
    Ok(Pipeline { declare, assign, commands })
}

fn field_chain(text: &str) -> Vec<String> {
    text.split('.').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn parse_operand(word: &str) -> Result<Operand, String> {
    if let Some(rest) = word.strip_prefix('(') {
        let close = rest.rfind(')').ok_or("template: output:1: unclosed left paren")?;
        let inner = parse_pipeline(&rest[..close])?;
        return Ok(Operand::Sub(Box::new(inner), field_chain(&rest[close + 1..])));
    }
    if word.starts_with('.') {
        return Ok(Operand::Dot(field_chain(word)));
    }
    if let Some(rest) = word.strip_prefix('$') {
        let (name, chain) = match rest.find('.') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        return Ok(Operand::Var(format!("${name}"), field_chain(chain)));
    }
    if word.starts_with('"') {
        let s: String = serde_json::from_str(word).map_err(|_| format!("template: output:1: invalid syntax {word}"))?;
        return Ok(Operand::Literal(Value::String(s)));
    }
    if let Some(raw) = word.strip_prefix('`').and_then(|w| w.strip_suffix('`')) {
        return Ok(Operand::Literal(Value::String(raw.to_string())));
    }
    match word {
        "true" => return Ok(Operand::Literal(Value::Bool(true))),
        "false" => return Ok(Operand::Literal(Value::Bool(false))),
        "nil" => return Ok(Operand::Nil),
        _ => {}
    }
    if let Ok(i) = word.parse::<i64>() {
        return Ok(Operand::Literal(Value::from(i)));
    }
    if let Some(n) = word.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        return Ok(Operand::Literal(Value::Number(n)));
    }
    if word.chars().all(|c| c.is_alphanumeric() || c == '_') {
        if !FUNCTIONS.contains(&word) {
            return Err(format!("template: output:1: function \"{word}\" not defined"));
        }
        return Ok(Operand::Func(word.to_string()));
    }
    Err(format!("template: output:1: unexpected \"{word}\" in command"))
}

const FUNCTIONS: &[&str] = &[
    "and",
    "or",
    "not",
    "len",
    "index",
    "print",
    "printf",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "exists",
    "base64decode",
];

/// A value during execution; `Missing` is a map key that is not there (prints `<no value>`).
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Json(Value),
    Missing,
}

impl Val {
    fn json(&self) -> Value {
        match self {
            Val::Json(v) => v.clone(),
            Val::Missing => Value::Null,
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Val::Missing => false,
            Val::Json(v) => match v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(m) => !m.is_empty(),
            },
        }
    }

    fn print(&self) -> String {
        match self {
            Val::Missing => "<no value>".to_string(),
            Val::Json(Value::Null) => "<nil>".to_string(),
            Val::Json(v) => go_sprint(v),
        }
    }
}

struct State<'t> {
    out: String,
    vars: Vec<(String, Value)>,
    defines: &'t BTreeMap<String, Vec<Node>>,
    depth: usize,
}

impl State<'_> {
    fn walk(&mut self, nodes: &[Node], dot: &Value) -> Result<(), String> {
        for node in nodes {
            match node {
                Node::Text(text) => self.out.push_str(text),
                Node::Action(pipe) => {
                    let value = self.pipeline(pipe, dot)?;
                    if pipe.declare.is_empty() {
                        self.out.push_str(&value.print());
                    }
                }
                Node::If { pipe, then, otherwise } => {
                    let mark = self.vars.len();
                    let branch = if self.pipeline(pipe, dot)?.truthy() { then } else { otherwise };
                    self.walk(branch, dot)?;
                    self.vars.truncate(mark);
                }
                Node::Call { name, pipe } => {
                    let Some(body) = self.defines.get(name) else {
                        return Err(format!(
                            "executing \"output\" at <{{{{template \"{name}\"}}}}>: template \"{name}\" not defined"
                        ));
                    };
                    if self.depth >= CALL_DEPTH_MAX {
                        return Err(format!("exceeded maximum template depth ({MAX_EXEC_DEPTH})"));
                    }
                    let data = match pipe {
                        Some(pipe) => self.pipeline(pipe, dot)?.json(),
                        None => Value::Null,
                    };
                    // A template sees only its data: `$` is the argument, the caller's variables are gone.
                    let saved = std::mem::replace(&mut self.vars, vec![("$".to_string(), data.clone())]);
                    self.depth += 1;
                    let result = self.walk(body, &data);
                    self.depth -= 1;
                    self.vars = saved;
                    result?;
                }
                Node::With { pipe, body, otherwise } => {
                    let mark = self.vars.len();
                    let value = self.pipeline(pipe, dot)?;
                    if value.truthy() {
                        self.walk(body, &value.json())?;
                    } else {
                        self.walk(otherwise, dot)?;
                    }
                    self.vars.truncate(mark);
                }
                Node::Range { pipe, key, elem, body, otherwise } => {
                    let mark = self.vars.len();
                    let value = self.pipeline(pipe, dot)?.json();
                    let entries: Vec<(Value, Value)> = match &value {
                        Value::Array(items) => {
                            items.iter().enumerate().map(|(i, v)| (Value::from(i as i64), v.clone())).collect()
                        }
                        Value::Object(map) => {
                            let mut keys: Vec<&String> = map.keys().collect();
                            keys.sort();
                            keys.into_iter().map(|k| (Value::String(k.clone()), map[k].clone())).collect()
                        }
                        Value::Null => Vec::new(),
                        other => {
                            return Err(format!("range can't iterate over {}", go_sprint(other)));
                        }
                    };
                    if entries.is_empty() {
                        self.walk(otherwise, dot)?;
                    }
                    for (k, v) in entries {
                        let inner = self.vars.len();
                        if let Some(key) = key {
                            self.vars.push((key.clone(), k));
                        }
                        if let Some(elem) = elem {
                            self.vars.push((elem.clone(), v.clone()));
                        }
                        self.walk(body, &v)?;
                        self.vars.truncate(inner);
                    }
                    self.vars.truncate(mark);
                }
            }
        }
        Ok(())
    }

    fn pipeline(&mut self, pipe: &Pipeline, dot: &Value) -> Result<Val, String> {
        let mut value: Option<Val> = None;
        for command in &pipe.commands {
            value = Some(self.command(command, dot, value)?);
        }
        let value = value.unwrap_or(Val::Json(Value::Null));
        for name in &pipe.declare {
            if pipe.assign {
                match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 = value.json(),
                    None => return Err(format!("undefined variable: {name}")),
                }
            } else {
                self.vars.push((name.clone(), value.json()));
            }
        }
        Ok(value)
    }

    fn command(&mut self, command: &[Operand], dot: &Value, piped: Option<Val>) -> Result<Val, String> {
        if let Operand::Func(name) = &command[0] {
            let mut args = Vec::new();
            for operand in &command[1..] {
                args.push(self.operand(operand, dot)?);
            }
            if let Some(piped) = piped {
                args.push(piped);
            }
            return call(name, &args);
        }
        if command.len() > 1 || piped.is_some() {
            return Err("can't give argument to non-function".to_string());
        }
        self.operand(&command[0], dot)
    }

    fn operand(&mut self, operand: &Operand, dot: &Value) -> Result<Val, String> {
        match operand {
            Operand::Dot(chain) => Ok(follow(Val::Json(dot.clone()), chain)),
            Operand::Var(name, chain) => {
                let value = self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone());
                match value {
                    Some(v) => Ok(follow(Val::Json(v), chain)),
                    None => Err(format!("undefined variable: {name}")),
                }
            }
            Operand::Literal(value) => Ok(Val::Json(value.clone())),
            Operand::Nil => Err("nil is not a command".to_string()),
            Operand::Func(name) => call(name, &[]),
            Operand::Sub(pipe, chain) => {
                let value = self.pipeline(pipe, dot)?;
                Ok(follow(value, chain))
            }
        }
    }
}

fn follow(mut value: Val, chain: &[String]) -> Val {
    for step in chain {
        value = match value {
            Val::Json(Value::Object(map)) => map.get(step).cloned().map_or(Val::Missing, Val::Json),
            _ => Val::Missing,
        };
    }
    value
}

fn compare(a: &Val, b: &Val) -> Result<std::cmp::Ordering, String> {
    match (a.json(), b.json()) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .zip(y.as_f64())
            .and_then(|(x, y)| x.partial_cmp(&y))
            .ok_or_else(|| "incompatible types for comparison".to_string()),
        (Value::String(x), Value::String(y)) => Ok(x.cmp(&y)),
        (Value::Bool(x), Value::Bool(y)) => Ok(x.cmp(&y)),
        _ => Err("incompatible types for comparison".to_string()),
    }
}

fn call(name: &str, args: &[Val]) -> Result<Val, String> {
    let want = |n: usize| {
        if args.len() < n {
            Err(format!("wrong number of args for {name}: want at least {n} got {}", args.len()))
        } else {
            Ok(())
        }
    };
    match name {
        "and" => {
            want(1)?;
            Ok(args.iter().find(|a| !a.truthy()).unwrap_or(&args[args.len() - 1]).clone())
        }
        "or" => {
            want(1)?;
            Ok(args.iter().find(|a| a.truthy()).unwrap_or(&args[args.len() - 1]).clone())
        }
        "not" => {
            want(1)?;
            Ok(Val::Json(Value::Bool(!args[0].truthy())))
        }
        "len" => {
            want(1)?;
            match args[0].json() {
                Value::String(s) => Ok(Val::Json(Value::from(s.len() as i64))),
                Value::Array(a) => Ok(Val::Json(Value::from(a.len() as i64))),
                Value::Object(m) => Ok(Val::Json(Value::from(m.len() as i64))),
                other => Err(format!("error calling len: len of type {}", go_type(&other))),
            }
        }
        "index" => {
            want(1)?;
            let mut value = args[0].clone();
            for key in &args[1..] {
                value = match (value.json(), key.json()) {
                    (Value::Object(map), Value::String(k)) => map.get(&k).cloned().map_or(Val::Missing, Val::Json),
                    (Value::Array(items), Value::Number(n)) => {
                        let i = n.as_i64().unwrap_or(-1);
                        match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                            Some(v) => Val::Json(v.clone()),
                            None => {
                                return Err(format!("error calling index: index out of range: {i}"));
                            }
                        }
                    }
                    (Value::Null, _) => Val::Missing,
                    (other, _) => {
                        return Err(format!("error calling index: can't index item of type {}", go_type(&other)));
                    }
                };
            }
            Ok(value)
        }
        "exists" => {
            want(1)?;
            let mut value = args[0].json();
            for key in &args[1..] {
                value = match (&value, key.json()) {
                    (Value::Object(map), Value::String(k)) => match map.get(&k) {
                        Some(v) => v.clone(),
                        None => Value::Null,
                    },
                    (Value::Array(items), Value::Number(n)) => match n.as_u64().and_then(|i| items.get(i as usize)) {
                        Some(v) => v.clone(),
                        None => return Ok(Val::Json(Value::Bool(false))),
                    },
                    _ => return Ok(Val::Json(Value::Bool(false))),
                };
            }
            Ok(Val::Json(Value::Bool(!value.is_null())))
        }
        "print" | "println" => {
            let mut out = String::new();
            for (i, arg) in args.iter().enumerate() {
                let is_string = matches!(arg, Val::Json(Value::String(_)));
                let prev_string = i > 0 && matches!(args[i - 1], Val::Json(Value::String(_)));
                if i > 0 && (name == "println" || (!is_string && !prev_string)) {
                    out.push(' ');
                }
                out.push_str(&arg.print());
            }
            if name == "println" {
                out.push('\n');
            }
            Ok(Val::Json(Value::String(out)))
        }
        "printf" => {
            want(1)?;
            let format = args[0].json().as_str().map(str::to_string).unwrap_or_default();
            Ok(Val::Json(Value::String(printf(&format, &args[1..]))))
        }
        "eq" => {
            want(2)?;
            for other in &args[1..] {
                if compare(&args[0], other)? == std::cmp::Ordering::Equal {
                    return Ok(Val::Json(Value::Bool(true)));
                }
            }
            Ok(Val::Json(Value::Bool(false)))
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            want(2)?;
            let ordering = compare(&args[0], &args[1])?;
            let result = match name {
                "ne" => ordering.is_ne(),
                "lt" => ordering.is_lt(),
                "le" => ordering.is_le(),
                "gt" => ordering.is_gt(),
                _ => ordering.is_ge(),
            };
            Ok(Val::Json(Value::Bool(result)))
        }
        "base64decode" => {
            want(1)?;
            let text = args[0].json().as_str().map(str::to_string).unwrap_or_default();
            match base64_decode(&text) {
                Some(bytes) => Ok(Val::Json(Value::String(String::from_utf8_lossy(&bytes).into_owned()))),
                None => {
                    Err("error calling base64decode: base64 decode failed: illegal base64 data at input byte 0"
                        .to_string())
                }
            }
        }
        other => Err(format!("function \"{other}\" not defined")),
    }
}

fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// A small `fmt.Sprintf`: `%s %v %d %q %f %%`, with an optional width.
fn printf(format: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut width = String::new();
        let mut left = false;
        while let Some(&n) = chars.peek() {
            if n == '-' {
                left = true;
                chars.next();
            } else if n.is_ascii_digit() {
                width.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.next() else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        let text = match verb {
            'q' => super::go_quote(&arg.print()),
            'd' => match arg.json() {
                Value::Number(n) => n
                    .as_i64()
                    .map_or_else(|| format!("%!d(float64={})", go_float(n.as_f64().unwrap_or(0.0))), |i| i.to_string()),
                other => format!("%!d({}={})", go_type(&other), arg.print()),
            },
            'f' => match arg.json() {
                Value::Number(n) => format!("{:.6}", n.as_f64().unwrap_or(0.0)),
                other => format!("%!f({}={})", go_type(&other), arg.print()),
            },
            _ => arg.print(),
        };
        let width: usize = width.parse().unwrap_or(0);
        let pad = width.saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    for extra in args {
        out.push_str(&format!("%!(EXTRA {})", extra.print()));
    }
    out
}

/// Standard base64 with padding, as Go's `base64.StdEncoding.DecodeString`.
pub(super) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n: u32 = 0;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let decoded = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&decoded[..3 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};
    use serde_json::json;

    #[track_caller]
    fn check(template: &str, expect: Expect) {
        let data = json!({"kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"app": "x"}}, "spec": {"replicas": 2}, "data": {"k": "aGVsbG8="}},
            {"metadata": {"name": "b"}, "spec": {"replicas": 0}},
        ]});
        let out = match Template::parse(template) {
            Ok(t) => match t.execute(&data) {
                Ok(out) => out,
                Err((partial, e)) => format!("{partial}[error: {e}]"),
            },
            Err(e) => format!("[parse error: {e}]"),
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn go_templates_should_cover_kubectl_idioms() {
        check(
            "{{range .items}}{{.metadata.name}}{{\"\\n\"}}{{end}}",
            expect![[r#"
            a
            b
        "#]],
        );
        check("{{range $i, $e := .items}}{{$i}}={{$e.metadata.name}} {{end}}", expect!["0=a 1=b "]);
        check("{{(index .items 0).metadata.labels}}", expect!["map[app:x]"]);
        check(
            "{{range .items}}{{if .spec.replicas}}{{.metadata.name}} {{else}}none {{end}}{{end}}",
            expect!["a none "],
        );
        check("{{range .items}}{{.metadata.labels.app}},{{end}}", expect!["x,<no value>,"]);
        check("{{len .items}} {{printf \"%-3s|\" \"ab\"}}", expect!["2 ab |"]);
        check("{{range .items}}{{with .data}}{{base64decode .k}}{{end}}{{end}}", expect!["hello"]);
        check("{{- range .items }} {{ .metadata.name -}} {{ end }}", expect![" a b"]);
        check("{{if eq .kind \"List\"}}list{{else if true}}x{{end}}", expect!["list"]);
        check("{{range .items}}{{if exists . \"data\"}}{{.metadata.name}}{{end}}{{end}}", expect!["a"]);
        check("{{.items | len}}", expect!["2"]);
        check("{{range .items}}", expect!["[parse error: template: output:1: unexpected EOF in range]"]);
        check("{{nope .x}}", expect![[r#"[parse error: template: output:1: function "nope" not defined]"#]]);
        check("{{range .kind}}x{{end}}", expect!["[error: template: output:1: range can't iterate over List]"]);
        check(
            "{{define \"n\"}}<{{.metadata.name}}>{{end}}{{range .items}}{{template \"n\" .}}{{end}}",
            expect!["<a><b>"],
        );
        check("{{block \"k\" .kind}}[{{.}}]{{end}}", expect!["[List]"]);
        check(
            "{{template \"x\"}}",
            expect![[
                r#"[error: template: output:1: executing "output" at <{{template "x"}}>: template "x" not defined]"#
            ]],
        );
        check(
            "{{define \"r\"}}{{template \"r\" .}}{{end}}{{template \"r\" .}}",
            expect!["[error: template: output:1: exceeded maximum template depth (100000)]"],
        );
    }
}
