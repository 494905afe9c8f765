//! kubectl's JSONPath templates (`k8s.io/client-go/util/jsonpath`): text with `{...}` actions,
//! fields, `[*]`, slices, unions, `..` recursion, `[?(@.x=="y")]` filters and `{range}`/`{end}`.
//!
//! # Model
//! - Parsing follows client-go's parser rule for rule, and its error texts (`unclosed action`,
//!   `unterminated array`, `unrecognized character in action: U+0021 '!'`...).
//! - Evaluation runs over decoded JSON. Missing keys give no result when `allow_missing_keys` (what
//!   `kubectl get -o jsonpath` uses), else `<key> is not found`.
//! - Printing: maps and lists print as compact JSON, everything else as Go's `fmt.Print` would;
//!   values of one action are joined by spaces. `jsonpath-as-json` prints each action's results as
//!   an indented JSON array.
//! - Simplification: Go iterates maps (`*` on an object) in random order; we use sorted keys.

use super::gojson::{go_float, to_json_compact, to_json_indent};
use serde_json::Value;

/// A parsed JSONPath template.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonPath {
    root: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    List(Vec<Node>),
    Text(String),
    Field(String),
    Array([Param; 3]),
    Filter { left: Vec<Node>, right: Vec<Node>, operator: String },
    Int(i64),
    Float(f64),
    Bool(bool),
    Wildcard,
    Recursive,
    Union(Vec<Vec<Node>>),
    Identifier(String),
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Param {
    value: i64,
    known: bool,
    derived: bool,
}

impl JsonPath {
    /// Parses a template.
    ///
    /// # Errors
    /// client-go's parser messages, e.g. `unclosed action`.
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let mut parser = Parser { input: text, pos: 0, start: 0, root: Vec::new() };
        parser.parse_text()?;
        Ok(JsonPath { root: parser.root })
    }

    /// Evaluates the template against `data` and prints the results as kubectl does.
    ///
    /// # Errors
    /// Evaluation errors such as `array index out of bounds: index 3, length 1`.
    pub fn execute(&self, data: &Value, allow_missing_keys: bool, output_json: bool) -> Result<String, String> {
        let results = self.find_results(data, allow_missing_keys)?;
        let mut out = String::new();
        for result in &results {
            print_results(result, output_json, &mut out);
        }
        Ok(out)
    }

    /// The results of each top-level action, as client-go's `FindResults` returns them.
    ///
    /// # Errors
    /// As [`JsonPath::execute`].
    pub fn find_results(&self, data: &Value, allow_missing_keys: bool) -> Result<Vec<Vec<Value>>, String> {
        let items = structure(&self.root);
        let mut eval = Eval { allow_missing_keys, in_range: 0 };
        let mut out = Vec::new();
        eval.run(&items, data, &mut out)?;
        Ok(out)
    }
}

/// A template as a tree: `{range}` ... `{end}` become nested blocks.
#[derive(Debug)]
enum Item<'a> {
    Node(&'a Node),
    Range { expr: &'a [Node], body: Vec<Item<'a>>, closed: bool },
    End,
}

fn is_range(node: &Node) -> Option<&[Node]> {
    match node {
        Node::List(nodes) if matches!(nodes.first(), Some(Node::Identifier(name)) if name == "range") => {
            Some(&nodes[1..])
        }
        _ => None,
    }
}

fn is_end(node: &Node) -> bool {
    matches!(node, Node::List(nodes) if nodes.len() == 1 && matches!(&nodes[0], Node::Identifier(name) if name == "end"))
}

fn structure(nodes: &[Node]) -> Vec<Item<'_>> {
    fn build<'a>(nodes: &'a [Node], pos: &mut usize, depth: usize) -> (Vec<Item<'a>>, bool) {
        let mut items = Vec::new();
        while *pos < nodes.len() {
            let node = &nodes[*pos];
            *pos += 1;
            if let Some(expr) = is_range(node) {
                let (body, closed) = build(nodes, pos, depth + 1);
                items.push(Item::Range { expr, body, closed });
            } else if is_end(node) {
                if depth > 0 {
                    return (items, true);
                }
                items.push(Item::End);
            } else {
                items.push(Item::Node(node));
            }
        }
        (items, false)
    }
    let mut pos = 0;
    build(nodes, &mut pos, 0).0
}

struct Eval {
    allow_missing_keys: bool,
    in_range: usize,
}

impl Eval {
    fn run(&mut self, items: &[Item<'_>], data: &Value, out: &mut Vec<Vec<Value>>) -> Result<(), String> {
        for item in items {
            match item {
                Item::Node(node) => out.push(self.walk(vec![data.clone()], node)?),
                Item::End => return Err("not in range, nothing to end".to_string()),
                Item::Range { expr, body, closed } => {
                    let values = self.eval_list(vec![data.clone()], expr)?;
                    self.in_range += 1;
                    for value in &values {
                        self.run(body, value, out)?;
                    }
                    self.in_range -= 1;
                    if !closed {
                        // client-go resumes after the range's nodes at the outer level when no end was found.
                        self.run(body, data, out)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn walk(&mut self, input: Vec<Value>, node: &Node) -> Result<Vec<Value>, String> {
        match node {
            Node::List(nodes) => self.eval_list(input, nodes),
            Node::Text(text) => Ok(vec![Value::String(text.clone())]),
            Node::Field(name) => self.eval_field(input, name),
            Node::Array(params) => eval_array(input, *params),
            Node::Filter { left, right, operator } => self.eval_filter(input, left, right, operator),
            Node::Int(i) => Ok(input.iter().map(|_| Value::from(*i)).collect()),
            Node::Float(f) => {
                Ok(input.iter().map(|_| serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)).collect())
            }
            Node::Bool(b) => Ok(input.iter().map(|_| Value::Bool(*b)).collect()),
            Node::Wildcard => Ok(input.iter().flat_map(children).collect()),
            Node::Recursive => Ok(eval_recursive(&input)),
            Node::Union(lists) => {
                let mut result = Vec::new();
                for list in lists {
                    result.extend(self.eval_list(input.clone(), list)?);
                }
                Ok(result)
            }
            Node::Identifier(name) => match name.as_str() {
                "range" => Ok(input),
                "end" if self.in_range > 0 => Ok(Vec::new()),
                "end" => Err("not in range, nothing to end".to_string()),
                other => Err(format!("unrecognized identifier {other}")),
            },
        }
    }

    fn eval_list(&mut self, input: Vec<Value>, nodes: &[Node]) -> Result<Vec<Value>, String> {
        let mut current = input;
        for node in nodes {
            current = self.walk(current, node)?;
        }
        Ok(current)
    }

    fn eval_field(&self, input: Vec<Value>, name: &str) -> Result<Vec<Value>, String> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let results: Vec<Value> =
            input.iter().filter_map(|value| value.as_object().and_then(|map| map.get(name)).cloned()).collect();
        if results.is_empty() && !self.allow_missing_keys {
            return Err(format!("{name} is not found"));
        }
        Ok(results)
    }

    fn eval_filter(
        &mut self,
        input: Vec<Value>,
        left: &[Node],
        right: &[Node],
        operator: &str,
    ) -> Result<Vec<Value>, String> {
        let mut results = Vec::new();
        for value in &input {
            let Value::Array(items) = value else {
                return Err(format!("{} is not array or slice and cannot be filtered", go_sprint_value(value)));
            };
            for item in items {
                let lefts = self.eval_list(vec![item.clone()], left);
                if operator == "exists" {
                    if lefts.is_ok_and(|l| !l.is_empty()) {
                        results.push(item.clone());
                    }
                    continue;
                }
                let lefts = lefts?;
                match lefts.len() {
                    0 => continue,
                    1 => {}
                    _ => return Err("can only compare one element at a time".to_string()),
                }
                let rights = self.eval_list(vec![item.clone()], right)?;
                match rights.len() {
                    0 => continue,
                    1 => {}
                    _ => return Err("can only compare one element at a time".to_string()),
                }
                if compare(&lefts[0], &rights[0], operator)? {
                    results.push(item.clone());
                }
            }
        }
        Ok(results)
    }
}

fn children(value: &Value) -> Vec<Value> {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            keys.into_iter().map(|k| map[k].clone()).collect()
        }
        Value::Array(items) => items.clone(),
        _ => Vec::new(),
    }
}

fn eval_recursive(input: &[Value]) -> Vec<Value> {
    let mut result = Vec::new();
    for value in input {
        let kids = children(value);
        let has_children = !kids.is_empty() || matches!(value, Value::String(s) if !s.is_empty());
        if has_children {
            result.push(value.clone());
            result.extend(eval_recursive(&kids));
        }
    }
    result
}

fn eval_array(input: Vec<Value>, params: [Param; 3]) -> Result<Vec<Value>, String> {
    let mut result = Vec::new();
    for value in &input {
        if value.is_null() {
            continue;
        }
        let Value::Array(items) = value else {
            return Err(format!("{} is not array or slice", go_type(value)));
        };
        let len = items.len() as i64;
        let mut p = params;
        if !p[0].known {
            p[0].value = 0;
        }
        if p[0].value < 0 {
            p[0].value += len;
        }
        if !p[1].known {
            p[1].value = len;
        }
        if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
            p[1].value += len;
        }
        if p[1].value == p[0].value {
            return Ok(result);
        }
        if p[0].value >= len || p[0].value < 0 {
            return Err(format!("array index out of bounds: index {}, length {}", p[0].value, len));
        }
        if p[1].value > len || p[1].value < 0 {
            return Err(format!("array index out of bounds: index {}, length {}", p[1].value - 1, len));
        }
        if p[0].value > p[1].value {
            return Err(format!("starting index {} is greater than ending index {}", p[0].value, p[1].value));
        }
        let mut step = 1;
        if p[2].known {
            if p[2].value <= 0 {
                return Err("step must be > 0".to_string());
            }
            step = p[2].value as usize;
        }
        let slice = &items[p[0].value as usize..p[1].value as usize];
        result.extend(slice.iter().step_by(step).cloned());
    }
    Ok(result)
}

/// The forked `text/template` comparisons client-go uses for filters.
fn compare(left: &Value, right: &Value, operator: &str) -> Result<bool, String> {
    use std::cmp::Ordering;
    let bad_type = || "invalid type for comparison".to_string();
    let incompatible = || "incompatible types for comparison".to_string();
    let ordering: Option<Ordering> = match (left, right) {
        (Value::Number(a), Value::Number(b)) => match (a.is_f64(), b.is_f64()) {
            (false, false) => a
                .as_i64()
                .zip(b.as_i64())
                .map(|(x, y)| x.cmp(&y))
                .or_else(|| a.as_u64().zip(b.as_u64()).map(|(x, y)| x.cmp(&y))),
            (true, true) => a.as_f64().zip(b.as_f64()).and_then(|(x, y)| x.partial_cmp(&y)),
            _ => return Err(incompatible()),
        },
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => {
            return match operator {
                "==" => Ok(a == b),
                "!=" => Ok(a != b),
                _ => Err(bad_type()),
            };
        }
        (Value::Null, _) | (_, Value::Null) | (Value::Object(_), _) | (Value::Array(_), _) => {
            return Err(bad_type());
        }
        _ => return Err(incompatible()),
    };
    let Some(ordering) = ordering else {
        return Err(incompatible());
    };
    match operator {
        "<" => Ok(ordering == Ordering::Less),
        ">" => Ok(ordering == Ordering::Greater),
        "==" => Ok(ordering == Ordering::Equal),
        "!=" => Ok(ordering != Ordering::Equal),
        "<=" => Ok(ordering != Ordering::Greater),
        ">=" => Ok(ordering != Ordering::Less),
        other => Err(format!("unrecognized filter operator {other}")),
    }
}

/// Go's type name of a decoded JSON value, for error messages.
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

fn go_sprint_value(value: &Value) -> String {
    super::gojson::go_sprint(value)
}

fn print_results(results: &[Value], output_json: bool, out: &mut String) {
    if output_json {
        out.push_str(&to_json_indent(&Value::Array(results.to_vec())));
        return;
    }
    for (i, value) in results.iter().enumerate() {
        match value {
            Value::Object(_) | Value::Array(_) => out.push_str(&to_json_compact(value)),
            other => out.push_str(&text_of(other)),
        }
        if i + 1 != results.len() {
            out.push(' ');
        }
    }
}

/// `fmt.Fprint` of a scalar JSON value; `null` for nil.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(u)) => u.to_string(),
            _ => go_float(n.as_f64().unwrap_or(0.0)),
        },
        other => super::gojson::go_sprint(other),
    }
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    root: Vec<Node>,
}

const EOF: Option<char> = None;

impl<'a> Parser<'a> {
    fn next(&mut self) -> Option<char> {
        let c = self.input[self.pos..].chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
        }
    }

    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn consume(&mut self) -> &'a str {
        let text = &self.input[self.start..self.pos];
        self.start = self.pos;
        text
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    /// Text outside actions, up to the next `{`.
    fn parse_text(&mut self) -> Result<(), String> {
        loop {
            if self.rest().starts_with('{') {
                if self.pos > self.start {
                    let text = self.consume().to_string();
                    self.root.push(Node::Text(text));
                }
                self.pos += 1;
                self.consume();
                let mut list = Vec::new();
                let closed = self.parse_inside_action(&mut list)?;
                self.root.push(Node::List(list));
                if !closed {
                    return Ok(());
                }
                continue;
            }
            if self.next() == EOF {
                break;
            }
        }
        if self.pos > self.start {
            let text = self.consume().to_string();
            self.root.push(Node::Text(text));
        }
        Ok(())
    }

    /// The inside of one action; returns after its closing `}`.
    fn parse_inside_action(&mut self, cur: &mut Vec<Node>) -> Result<bool, String> {
        loop {
            let rest = self.rest();
            if rest.starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(true);
            }
            if rest.starts_with("[?(") {
                self.parse_filter(cur)?;
                continue;
            }
            if rest.starts_with("..") {
                if matches!(cur.last(), Some(Node::Recursive)) {
                    return Err("invalid multiple recursive descent".to_string());
                }
                self.pos += 2;
                self.consume();
                cur.push(Node::Recursive);
                if self.peek().is_some_and(is_alphanumeric) {
                    self.parse_field(cur);
                }
                continue;
            }
            let c = self.next();
            match c {
                None | Some('\r' | '\n') => return Err("unclosed action".to_string()),
                Some(' ' | '@' | '$') => {
                    self.consume();
                }
                Some('[') => self.parse_array(cur)?,
                Some(quote @ ('"' | '\'')) => self.parse_quote(cur, quote)?,
                Some('.') => self.parse_field(cur),
                Some(d) if d == '+' || d == '-' || d.is_ascii_digit() => {
                    self.backup(c);
                    self.parse_number(cur)?;
                }
                Some(a) if is_alphanumeric(a) => {
                    self.backup(c);
                    self.parse_identifier(cur);
                }
                Some(other) => {
                    return Err(format!("unrecognized character in action: U+{:04X} '{other}'", other as u32));
                }
            }
        }
    }

    fn parse_identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let c = self.next();
            if is_terminator(c) {
                self.backup(c);
                break;
            }
        }
        let value = self.consume();
        match value {
            "true" => cur.push(Node::Bool(true)),
            "false" => cur.push(Node::Bool(false)),
            other => cur.push(Node::Identifier(other.to_string())),
        }
    }

    fn parse_number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        loop {
            let c = self.next();
            if !matches!(c, Some(d) if d == '.' || d.is_ascii_digit()) {
                self.backup(c);
                break;
            }
        }
        let value = self.consume();
        if let Ok(i) = value.parse::<i64>() {
            cur.push(Node::Int(i));
        } else if let Some(f) = value.parse::<f64>().ok().filter(|_| value.bytes().any(|b| b.is_ascii_digit())) {
            cur.push(Node::Float(f));
        } else {
            return Err(format!("cannot parse number {value}"));
        }
        Ok(())
    }

    fn parse_array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated array".to_string()),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let text = self.consume();
        let mut text = &text[1..text.len() - 1];
        if text == "*" {
            text = ":";
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let mut union = Vec::new();
            for part in parts {
                union.push(parse_action(&format!("[{}]", part.trim_matches(' ')))?);
            }
            cur.push(Node::Union(union));
            return Ok(());
        }
        if let Some(key) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')).filter(|k| !k.contains('\'')) {
            cur.extend(parse_action(&format!(".{key}"))?);
            return Ok(());
        }
        let params = parse_slice(text).ok_or_else(|| format!("invalid array index {text}"))?;
        cur.push(Node::Array(params));
        Ok(())
    }

    fn parse_filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume();
        let (mut begin, mut end) = (false, false);
        let mut pair = '"';
        loop {
            let c = self.next();
            match c {
                None | Some('\n') => return Err("unterminated filter".to_string()),
                Some(quote @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = quote;
                        continue;
                    }
                    let escaped = self.pos >= 2 && self.input.as_bytes()[self.pos - 2] == b'\\';
                    if !escaped && quote == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return Err("unclosed array expect ]".to_string());
        }
        let text = self.consume();
        let text = &text[..text.len() - 2];
        match split_filter(text) {
            None => {
                cur.push(Node::Filter { left: parse_action(text)?, right: Vec::new(), operator: "exists".to_string() })
            }
            Some((left, operator, right)) => cur.push(Node::Filter {
                left: parse_action(left)?,
                right: parse_action(right)?,
                operator: operator.to_string(),
            }),
        }
        Ok(())
    }

    fn parse_quote(&mut self, cur: &mut Vec<Node>, quote: char) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated quoted string".to_string()),
                Some(c) if c == quote && self.input.as_bytes()[self.pos - 2] != b'\\' => break,
                Some(_) => {}
            }
        }
        let value = self.consume();
        let text = unquote(value).map_err(|e| format!("unquote string {value} error {e}"))?;
        cur.push(Node::Text(text));
        Ok(())
    }

    fn parse_field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            let c = self.next();
            if c == Some('\\') {
                self.next();
            } else if is_terminator(c) {
                self.backup(c);
                break;
            }
        }
        let value = self.consume();
        if value == "*" {
            cur.push(Node::Wildcard);
        } else {
            cur.push(Node::Field(value.replace('\\', "")));
        }
    }
}

/// client-go's `parseAction`: parses `{text}` and returns the action's nodes.
fn parse_action(text: &str) -> Result<Vec<Node>, String> {
    let wrapped = format!("{{{text}}}");
    let parsed = JsonPath::parse(&wrapped)?;
    match parsed.root.into_iter().next() {
        Some(Node::List(nodes)) => Ok(nodes),
        _ => Ok(Vec::new()),
    }
}

/// `^([^!<>=]+)([!<>=]+)(.+?)$`
fn split_filter(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |c: char| matches!(c, '!' | '<' | '>' | '=');
    let op_start = text.find(is_op)?;
    if op_start == 0 {
        return None;
    }
    let after = &text[op_start..];
    let op_len = after.find(|c: char| !is_op(c)).unwrap_or(after.len());
    let right = &after[op_len..];
    if right.is_empty() {
        return None;
    }
    Some((&text[..op_start], &after[..op_len], right))
}

/// `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$` into client-go's three slice parameters.
fn parse_slice(text: &str) -> Option<[Param; 3]> {
    let groups: Vec<&str> = text.split(':').collect();
    if groups.len() > 3 {
        return None;
    }
    let valid = |g: &str| {
        let digits = g.strip_prefix('-').unwrap_or(g);
        digits.bytes().all(|b| b.is_ascii_digit())
    };
    if !groups.iter().all(|g| valid(g)) {
        return None;
    }
    let mut params = [Param::default(); 3];
    for i in 0..3 {
        match groups.get(i) {
            Some(g) if !g.is_empty() => {
                params[i] = Param { value: g.parse().ok()?, known: true, derived: false };
            }
            Some(_) if i > 0 => params[i].known = false,
            Some(_) | None => {
                if i == 1 && groups.len() == 1 {
                    params[1] = Param { value: params[0].value + 1, known: true, derived: true };
                } else if i == 0 && groups[0].is_empty() {
                    params[0] = Param::default();
                }
            }
        }
    }
    if groups.len() == 1 && groups[0].is_empty() {
        // `[]`: an empty first group derives `[0:1]`, as the regexp's empty match does.
        params[1] = Param { value: 1, known: true, derived: true };
    }
    Some(params)
}

/// client-go's `UnquoteExtend`: Go string unquoting for `"..."` and `'...'`.
fn unquote(s: &str) -> Result<String, &'static str> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return Err("invalid syntax");
    }
    let quote = chars[0];
    if quote != chars[chars.len() - 1] || (quote != '"' && quote != '\'') {
        return Err("invalid syntax");
    }
    let body = &chars[1..chars.len() - 1];
    let mut out = String::new();
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c == quote {
            return Err("invalid syntax");
        }
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&e) = body.get(i) else {
            return Err("invalid syntax");
        };
        i += 1;
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '\\' => out.push('\\'),
            '\'' | '"' if e == quote => out.push(e),
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = body.get(i..i + n).ok_or("invalid syntax")?.iter().collect();
                let code = u32::from_str_radix(&hex, 16).map_err(|_| "invalid syntax")?;
                out.push(char::from_u32(code).ok_or("invalid syntax")?);
                i += n;
            }
            '0'..='7' => {
                let oct: String = body.get(i - 1..i + 2).ok_or("invalid syntax")?.iter().collect();
                let code = u32::from_str_radix(&oct, 8).map_err(|_| "invalid syntax")?;
                out.push(char::from_u32(code).filter(|_| code <= 255).ok_or("invalid syntax")?);
                i += 2;
            }
            _ => return Err("invalid syntax"),
        }
    }
    Ok(out)
}

fn is_terminator(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(c, ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'),
    }
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};
    use serde_json::json;

    fn list() -> Value {
        json!({
            "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
            "items": [
                {"kind": "PersistentVolumeClaim", "metadata": {"name": "data-0", "labels": {"app": "pg"}}, "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}}, "spec": {"accessModes": ["ReadWriteOnce"]}},
                {"kind": "PersistentVolumeClaim", "metadata": {"name": "data-1"}, "status": {"phase": "Pending"}, "spec": {"accessModes": ["ReadWriteOnce", "ReadOnlyMany"], "n": 3}},
            ]
        })
    }

    #[track_caller]
    fn check(template: &str, expect: Expect) {
        let out = match JsonPath::parse(template) {
            Ok(path) => match path.execute(&list(), true, false) {
                Ok(text) => text,
                Err(e) => format!("execute error: {e}"),
            },
            Err(e) => format!("parse error: {e}"),
        };
        expect.assert_eq(&out);
    }

    #[test]
    fn fields_and_wildcards() {
        check("{.items[*].metadata.name}", expect!["data-0 data-1"]);
        check("{.items[0].status}", expect![[r#"{"capacity":{"storage":"10Gi"},"phase":"Bound"}"#]]);
        check("{.items[-1:].metadata.name}", expect!["data-1"]);
        check("{.items[0:2:2].metadata.name}", expect!["data-0"]);
        check("{.items[*]['metadata.name']}", expect!["data-0 data-1"]);
        check("{.items[0]['metadata']['name']}", expect!["data-0"]);
        check("{.items[*].spec.n}", expect!["3"]);
        check("{..phase}", expect!["Bound Pending"]);
        check("{.items[0,1].metadata.name}", expect!["data-0 data-1"]);
        check("{.nope}", expect![""]);
        check("{.kind}{\"\\t\"}{.apiVersion}", expect!["List\tv1"]);
    }

    #[test]
    fn ranges_and_filters() {
        check(
            r#"{range .items[*]}{.metadata.name}{"\n"}{end}"#,
            expect![[r#"
            data-0
            data-1
        "#]],
        );
        check(
            r#"{range .items[*]}[{.metadata.name}, {.status.phase}] {end}"#,
            expect!["[data-0, Bound] [data-1, Pending] "],
        );
        check(r#"{.items[?(@.status.phase=="Pending")].metadata.name}"#, expect!["data-1"]);
        check(r#"{.items[?(@.metadata.labels.app)].metadata.name}"#, expect!["data-0"]);
        check(r#"{.items[?(@.spec.n>2)].metadata.name}"#, expect!["data-1"]);
        check(
            r#"{.items[?(@.spec.n>2.5)].metadata.name}"#,
            expect!["execute error: incompatible types for comparison"],
        );
    }

    #[test]
    fn errors_should_use_client_go_texts() {
        check("{.items[*}", expect!["parse error: unterminated array"]);
        check("{.items", expect!["parse error: unclosed action"]);
        check("{!}", expect!["parse error: unrecognized character in action: U+0021 '!'"]);
        check("{.items[x]}", expect!["parse error: invalid array index x"]);
        check("{.items[5]}", expect!["execute error: array index out of bounds: index 5, length 2"]);
        check("{.kind[0]}", expect!["execute error: string is not array or slice"]);
        check("{end}", expect!["execute error: not in range, nothing to end"]);
        check("{.items[?(@.x==\"y\"}", expect!["parse error: unterminated filter"]);
        check("{..a..b}", expect![""]);
    }

    #[test]
    fn as_json_should_print_arrays() {
        let path = JsonPath::parse("{.items[*].metadata.name}").unwrap();
        expect![[r#"
            [
                "data-0",
                "data-1"
            ]
        "#]]
        .assert_eq(&path.execute(&list(), true, true).unwrap());
    }

    #[test]
    fn missing_keys_should_error_when_not_allowed() {
        let path = JsonPath::parse("{.nope}").unwrap();
        assert_eq!(path.execute(&list(), false, false), Err("nope is not found".to_string()));
    }
}
