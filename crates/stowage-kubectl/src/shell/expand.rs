//! Word expansion: parameters, command substitution (replayed), arithmetic, field splitting and globbing.

use std::collections::BTreeMap;

use stowage_core::fs::FileKind;

use super::Host;
use super::arith::{self, ArithVars};
use super::ast::*;
use super::interp::{Expanded, ExpandedRedir, Machine, Target, Var};
use super::pattern;

/// Results of earlier attempts at expanding one command, replayed on the next attempt.
#[derive(Debug, Clone, Default)]
pub(crate) struct Replay {
    /// Outputs of the command substitutions run so far, in order.
    pub substs: Vec<String>,
    /// `$RANDOM` draws so far, in order.
    pub randoms: Vec<u32>,
    /// The exit status of the last command substitution.
    pub last_status: Option<i32>,
    subst_used: usize,
    random_used: usize,
}

impl Replay {
    /// Starts a new attempt: replay from the first recorded value.
    pub(crate) fn rewind(&mut self) {
        self.subst_used = 0;
        self.random_used = 0;
    }
}

/// Why an expansion attempt stopped.
pub(crate) enum ExpandError {
    /// Run this command substitution, then try again.
    NeedSubst(List),
    /// An error message after `sh: ` (`x: parameter not set`, `arithmetic syntax error`).
    Fatal(String),
}

type Result<T> = std::result::Result<T, ExpandError>;

#[derive(Default)]
struct Field {
    text: String,
    pattern: String,
    glob: bool,
}

/// Accumulates fields; `split` enables IFS splitting of unquoted expansion results.
struct Fields {
    done: Vec<Field>,
    current: Option<Field>,
    split: bool,
    ifs: String,
}

impl Fields {
    fn new(split: bool, ifs: String) -> Fields {
        Fields { done: Vec::new(), current: None, split, ifs }
    }

    fn current(&mut self) -> &mut Field {
        self.current.get_or_insert_with(Field::default)
    }

    fn push_text(&mut self, text: &str, quoted: bool) {
        let field = self.current();
        field.text.push_str(text);
        if quoted {
            field.pattern.push_str(&pattern::escape(text));
        } else {
            field.pattern.push_str(text);
            field.glob |= text.contains(['*', '?', '[']);
        }
    }

    fn push_value(&mut self, value: &str, quoted: bool) {
        if quoted || !self.split {
            self.push_text(value, quoted);
            return;
        }
        for c in value.chars() {
            if self.ifs.contains(c) {
                self.break_field();
            } else {
                let mut buffer = [0u8; 4];
                self.push_text(c.encode_utf8(&mut buffer), false);
            }
        }
    }

    fn break_field(&mut self) {
        if let Some(field) = self.current.take() {
            self.done.push(field);
        }
    }

    fn finish(mut self) -> Vec<Field> {
        self.break_field();
        self.done
    }
}

struct VarsView<'a>(&'a mut BTreeMap<String, Var>);

impl ArithVars for VarsView<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).map(|var| var.value.clone())
    }
    fn set(&mut self, name: &str, value: String) {
        match self.0.get_mut(name) {
            Some(var) => var.value = value,
            None => {
                self.0.insert(name.to_string(), Var { value, exported: false });
            }
        }
    }
}

fn join_path(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else if prefix.ends_with('/') {
        format!("{prefix}{name}")
    } else {
        format!("{prefix}/{name}")
    }
}

impl Machine {
    fn ifs(&self) -> String {
        self.get_var("IFS").unwrap_or_else(|| " \t\n".to_string())
    }

    pub(crate) fn expand_target(&mut self, target: &Target, rp: &mut Replay, host: &mut dyn Host) -> Result<Expanded> {
        match target {
            Target::Simple(command) => {
                let Command::Simple(simple) = &**command else {
                    return Ok(Expanded::Words(Vec::new()));
                };
                let mut assigns = Vec::new();
                for (name, word) in &simple.assigns {
                    assigns.push((name.clone(), self.expand_string(word, rp, host, true)?));
                }
                let mut argv = Vec::new();
                for word in &simple.words {
                    argv.extend(self.expand_fields(word, rp, host)?);
                }
                let redirs = self.expand_redirs(&simple.redirs, rp, host)?;
                Ok(Expanded::Simple { assigns, argv, redirs })
            }
            Target::Compound(command) => match &**command {
                Command::Compound(_, redirs) => Ok(Expanded::Redirs(self.expand_redirs(redirs, rp, host)?)),
                _ => Ok(Expanded::Redirs(Vec::new())),
            },
            Target::ForWords(node) => match &node.words {
                None => Ok(Expanded::Words(self.positional.clone())),
                Some(words) => {
                    let mut values = Vec::new();
                    for word in words {
                        values.extend(self.expand_fields(word, rp, host)?);
                    }
                    Ok(Expanded::Words(values))
                }
            },
            Target::Case(node) => {
                let subject = self.expand_string(&node.word, rp, host, true)?;
                for (index, (patterns, _)) in node.arms.iter().enumerate() {
                    for word in patterns {
                        let pattern = self.expand_pattern(word, rp, host)?;
                        if pattern::matches(&pattern, &subject) {
                            return Ok(Expanded::Arm(Some(index)));
                        }
                    }
                }
                Ok(Expanded::Arm(None))
            }
        }
    }

    fn expand_redirs(&mut self, redirs: &[Redir], rp: &mut Replay, host: &mut dyn Host) -> Result<Vec<ExpandedRedir>> {
        let mut out = Vec::new();
        for redir in redirs {
            let target = self.expand_string(&redir.target, rp, host, redir.op != RedirOp::HereDoc)?;
            out.push(ExpandedRedir { fd: redir.fd, op: redir.op, target });
        }
        Ok(out)
    }

    fn expand_into(
        &mut self,
        word: &Word,
        rp: &mut Replay,
        host: &mut dyn Host,
        fields: &mut Fields,
        tilde: bool,
    ) -> Result<()> {
        let mut parts = word.as_slice();
        if tilde
            && let Some(WordPart::Lit(first)) = parts.first()
            && (first == "~" || first.starts_with("~/"))
        {
            let home = self.get_var("HOME").unwrap_or_else(|| "/".to_string());
            fields.push_text(&home, true);
            fields.push_text(&first[1..], false);
            parts = &parts[1..];
        }
        self.expand_parts(parts, false, rp, host, fields)
    }

    /// Expands to fields: split on IFS and globbed.
    pub(crate) fn expand_fields(&mut self, word: &Word, rp: &mut Replay, host: &mut dyn Host) -> Result<Vec<String>> {
        let mut fields = Fields::new(true, self.ifs());
        self.expand_into(word, rp, host, &mut fields, true)?;
        let mut out = Vec::new();
        for field in fields.finish() {
            if field.glob && pattern::has_glob(&field.pattern) {
                let matches = self.glob(&field.pattern, host);
                if !matches.is_empty() {
                    out.extend(matches);
                    continue;
                }
            }
            out.push(field.text);
        }
        Ok(out)
    }

    /// Expands to one string: no splitting, no globbing.
    pub(crate) fn expand_string(
        &mut self,
        word: &Word,
        rp: &mut Replay,
        host: &mut dyn Host,
        tilde: bool,
    ) -> Result<String> {
        let mut fields = Fields::new(false, String::new());
        self.expand_into(word, rp, host, &mut fields, tilde)?;
        Ok(fields.finish().into_iter().map(|field| field.text).collect::<Vec<_>>().join(" "))
    }

    /// Expands to a glob pattern: quoted characters are escaped.
    fn expand_pattern(&mut self, word: &Word, rp: &mut Replay, host: &mut dyn Host) -> Result<String> {
        let mut fields = Fields::new(false, String::new());
        self.expand_into(word, rp, host, &mut fields, true)?;
        Ok(fields.finish().into_iter().map(|field| field.pattern).collect::<Vec<_>>().join(" "))
    }

    fn expand_parts(
        &mut self,
        parts: &[WordPart],
        quoted: bool,
        rp: &mut Replay,
        host: &mut dyn Host,
        fields: &mut Fields,
    ) -> Result<()> {
        for part in parts {
            match part {
                WordPart::Lit(text) => fields.push_text(text, quoted),
                WordPart::Quoted(text) => fields.push_text(text, true),
                WordPart::Double(inner) => {
                    let only_at = matches!(inner.as_slice(), [WordPart::Param(Param { name, op: ParamOp::Plain, .. })] if name == "@");
                    if only_at && self.positional.is_empty() {
                        continue;
                    }
                    fields.current();
                    self.expand_parts(inner, true, rp, host, fields)?;
                }
                WordPart::Param(param) => self.expand_param(param, quoted, rp, host, fields)?,
                WordPart::CommandSubst(list) => {
                    let value = match rp.substs.get(rp.subst_used) {
                        Some(value) => value.clone(),
                        None => return Err(ExpandError::NeedSubst(list.clone())),
                    };
                    rp.subst_used += 1;
                    fields.push_value(&value, quoted);
                }
                WordPart::Arith(inner) => {
                    let text = self.expand_parts_string(inner, rp, host)?;
                    let value = arith::eval(&text, &mut VarsView(&mut self.vars)).map_err(ExpandError::Fatal)?;
                    fields.push_value(&value.to_string(), quoted);
                }
            }
        }
        Ok(())
    }

    fn expand_parts_string(&mut self, parts: &[WordPart], rp: &mut Replay, host: &mut dyn Host) -> Result<String> {
        let mut fields = Fields::new(false, String::new());
        self.expand_parts(parts, true, rp, host, &mut fields)?;
        Ok(fields.finish().into_iter().map(|field| field.text).collect::<Vec<_>>().join(" "))
    }

    fn param_value(&mut self, name: &str, rp: &mut Replay, host: &mut dyn Host) -> Option<String> {
        match name {
            "?" => Some(self.status.to_string()),
            "$" => Some(self.pid.to_string()),
            "#" => Some(self.positional.len().to_string()),
            "!" => self.last_background.map(|pid| pid.to_string()),
            "0" => Some(self.arg0.clone()),
            "-" => Some(String::new()),
            "@" | "*" => Some(self.positional.join(" ")),
            "RANDOM" => {
                let value = match rp.randoms.get(rp.random_used) {
                    Some(value) => *value,
                    None => {
                        let value = host.random_u32();
                        rp.randoms.push(value);
                        value
                    }
                };
                rp.random_used += 1;
                Some((value % 32_768).to_string())
            }
            digits if digits.chars().all(|c| c.is_ascii_digit()) => {
                let index: usize = digits.parse().ok()?;
                self.positional.get(index.checked_sub(1)?).cloned()
            }
            _ => self.get_var(name),
        }
    }

    fn expand_param(
        &mut self,
        param: &Param,
        quoted: bool,
        rp: &mut Replay,
        host: &mut dyn Host,
        fields: &mut Fields,
    ) -> Result<()> {
        if param.name == "@" && param.op == ParamOp::Plain && quoted {
            for (index, arg) in self.positional.clone().iter().enumerate() {
                if index > 0 {
                    fields.break_field();
                }
                fields.push_text(arg, true);
            }
            return Ok(());
        }
        let value = self.param_value(&param.name, rp, host);
        let is_unset = |colon: bool| match &value {
            None => true,
            Some(text) => colon && text.is_empty(),
        };
        match param.op {
            ParamOp::Plain => fields.push_value(&value.unwrap_or_default(), quoted),
            ParamOp::Length => fields.push_value(&value.unwrap_or_default().chars().count().to_string(), quoted),
            ParamOp::Default { colon } => {
                if is_unset(colon) {
                    let text = self.expand_parts_string(&param.word, rp, host)?;
                    fields.push_value(&text, quoted);
                } else {
                    fields.push_value(&value.unwrap_or_default(), quoted);
                }
            }
            ParamOp::Assign { colon } => {
                if is_unset(colon) {
                    let text = self.expand_parts_string(&param.word, rp, host)?;
                    self.set_var(&param.name, text.clone());
                    fields.push_value(&text, quoted);
                } else {
                    fields.push_value(&value.unwrap_or_default(), quoted);
                }
            }
            ParamOp::Error { colon } => {
                if is_unset(colon) {
                    let text = self.expand_parts_string(&param.word, rp, host)?;
                    let message = match (text.is_empty(), colon) {
                        (false, _) => text,
                        (true, true) => "parameter null or not set".to_string(),
                        (true, false) => "parameter not set".to_string(),
                    };
                    return Err(ExpandError::Fatal(format!("{}: {message}", param.name)));
                }
                fields.push_value(&value.unwrap_or_default(), quoted);
            }
            ParamOp::Alternative { colon } => {
                if !is_unset(colon) {
                    let text = self.expand_parts_string(&param.word, rp, host)?;
                    fields.push_value(&text, quoted);
                }
            }
            ParamOp::TrimPrefix { longest } | ParamOp::TrimSuffix { longest } => {
                let mut pattern_fields = Fields::new(false, String::new());
                self.expand_parts(&param.word, false, rp, host, &mut pattern_fields)?;
                let pattern: String = pattern_fields.finish().into_iter().map(|field| field.pattern).collect();
                let text = value.unwrap_or_default();
                let boundaries: Vec<usize> =
                    text.char_indices().map(|(index, _)| index).chain(std::iter::once(text.len())).collect();
                let prefix = matches!(param.op, ParamOp::TrimPrefix { .. });
                let mut result = text.clone();
                let candidates: Vec<usize> =
                    if prefix == longest { boundaries.iter().rev().copied().collect() } else { boundaries.clone() };
                for at in candidates {
                    let (matched, rest) = if prefix { (&text[..at], &text[at..]) } else { (&text[at..], &text[..at]) };
                    if pattern::matches(&pattern, matched) {
                        result = rest.to_string();
                        break;
                    }
                }
                fields.push_value(&result, quoted);
            }
        }
        Ok(())
    }

    /// Pathname expansion; sorted matches, empty when nothing matches.
    fn glob(&mut self, pattern_text: &str, host: &mut dyn Host) -> Vec<String> {
        let absolute = pattern_text.starts_with('/');
        let components: Vec<&str> = pattern_text.split('/').filter(|c| !c.is_empty()).collect();
        let mut results = vec![if absolute { "/".to_string() } else { String::new() }];
        for (index, component) in components.iter().enumerate() {
            let last = index + 1 == components.len();
            let mut next = Vec::new();
            for prefix in &results {
                let dir = if prefix.is_empty() { self.cwd.clone() } else { self.abs_path(prefix) };
                if pattern::has_glob(component) {
                    let Ok(entries) = host.fs().read_dir(&dir) else {
                        continue;
                    };
                    for entry in entries {
                        if entry.name.starts_with('.') && !component.starts_with('.') {
                            continue;
                        }
                        if !pattern::matches(component, &entry.name) {
                            continue;
                        }
                        let candidate = join_path(prefix, &entry.name);
                        if last
                            || host
                                .fs()
                                .metadata(&self.abs_path(&candidate))
                                .is_ok_and(|m| m.kind == FileKind::Directory)
                        {
                            next.push(candidate);
                        }
                    }
                } else {
                    let candidate = join_path(prefix, &pattern::unescape(component));
                    if host.fs().symlink_metadata(&self.abs_path(&candidate)).is_ok() {
                        next.push(candidate);
                    }
                }
            }
            results = next;
            if results.is_empty() {
                break;
            }
        }
        if components.is_empty() {
            return Vec::new();
        }
        results.sort();
        results
    }
}
