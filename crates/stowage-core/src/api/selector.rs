//! Label selectors (kubectl's string syntax and `LabelSelector` objects) and field selectors.
//!
//! The string parser follows apimachinery's `labels.Parse` (lexer, grammar and error texts);
//! field selectors follow `fields.ParseSelector` and each registry's `ToSelectableFields`.

use super::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use super::validation::{label_value_errors, qualified_name_errors};
use super::{FieldError, Kind, Object};
use std::collections::BTreeMap;

/// Why a selector string is not valid; `Display` is apimachinery's text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A label selector that `labels.Parse` refuses.
    #[error("{0}")]
    Label(String),
    /// A field selector that `fields.ParseSelector` refuses.
    #[error("invalid selector: '{selector}'; can't understand '{part}'")]
    Field {
        /// The whole selector.
        selector: String,
        /// The part that is not a requirement.
        part: String,
    },
    /// A field the kind does not index.
    #[error("field label not supported: {0}")]
    FieldNotSupported(String),
}

/// Results of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A label requirement operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `key in (a,b)`.
    In,
    /// `key notin (a,b)`.
    NotIn,
    /// `key=a` or `key==a`.
    Equals,
    /// `key!=a`.
    NotEquals,
    /// `key`.
    Exists,
    /// `!key`.
    DoesNotExist,
    /// `key>1`.
    GreaterThan,
    /// `key<1`.
    LessThan,
}

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// The operator.
    pub operator: Operator,
    /// The values, sorted and de-duplicated.
    pub values: Vec<String>,
}

impl Requirement {
    /// Whether `labels` satisfy this requirement (`Requirement.Matches`).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        match self.operator {
            Operator::In | Operator::Equals => value.is_some_and(|v| self.values.contains(v)),
            Operator::NotIn | Operator::NotEquals => value.is_none_or(|v| !self.values.contains(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(actual), Some(bound)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    self.values.first().and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan { actual > bound } else { actual < bound }
            }
        }
    }
}

/// A parsed label selector: all requirements must hold. Empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    /// The requirements, in input order.
    pub requirements: Vec<Requirement>,
}

impl Selector {
    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    End,
    Identifier(String),
    DoesNotExist,
    Equals,
    DoubleEquals,
    NotEquals,
    GreaterThan,
    LessThan,
    OpenPar,
    ClosedPar,
    Comma,
    Error(String),
}

impl Token {
    fn literal(&self) -> String {
        match self {
            Token::End => String::new(),
            Token::Identifier(s) | Token::Error(s) => s.clone(),
            Token::DoesNotExist => "!".into(),
            Token::Equals => "=".into(),
            Token::DoubleEquals => "==".into(),
            Token::NotEquals => "!=".into(),
            Token::GreaterThan => ">".into(),
            Token::LessThan => "<".into(),
            Token::OpenPar => "(".into(),
            Token::ClosedPar => ")".into(),
            Token::Comma => ",".into(),
        }
    }
}

fn is_special(c: char) -> bool {
    matches!(c, '!' | '=' | '>' | '<' | '(' | ')' | ',')
}

fn lex(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if is_special(c) {
            let mut j = i;
            while j < chars.len() && is_special(chars[j]) {
                j += 1;
            }
            // Longest special symbol that is a token, as apimachinery's scanner does.
            let run: String = chars[i..j].iter().collect();
            let mut best = None;
            for len in (1..=run.chars().count()).rev() {
                let candidate: String = run.chars().take(len).collect();
                let token = match candidate.as_str() {
                    "!" => Some(Token::DoesNotExist),
                    "=" => Some(Token::Equals),
                    "==" => Some(Token::DoubleEquals),
                    "!=" => Some(Token::NotEquals),
                    ">" => Some(Token::GreaterThan),
                    "<" => Some(Token::LessThan),
                    "(" => Some(Token::OpenPar),
                    ")" => Some(Token::ClosedPar),
                    "," => Some(Token::Comma),
                    _ => None,
                };
                if let Some(token) = token {
                    best = Some((token, len));
                    break;
                }
            }
            match best {
                Some((token, len)) => {
                    tokens.push(token);
                    i += len;
                }
                None => {
                    tokens.push(Token::Error(format!("error expected: keyword found '{run}'")));
                    i = j;
                }
            }
        } else {
            let mut j = i;
            while j < chars.len() && !chars[j].is_whitespace() && !is_special(chars[j]) {
                j += 1;
            }
            tokens.push(Token::Identifier(chars[i..j].iter().collect()));
            i = j;
        }
    }
    tokens.push(Token::End);
    tokens
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
}

impl Parser {
    fn lookahead(&self) -> Token {
        self.tokens.get(self.position).cloned().unwrap_or(Token::End)
    }

    fn consume(&mut self) -> Token {
        let token = self.lookahead();
        if self.position < self.tokens.len() {
            self.position += 1;
        }
        token
    }
}

/// Parses kubectl's label selector syntax (`app=x,tier!=y`, `env in (a,b)`, `!key`), as `labels.Parse`.
///
/// # Errors
/// [`Error::Label`] with apimachinery's message.
pub fn parse_label_selector(input: &str) -> Result<Selector> {
    let mut parser = Parser { tokens: lex(input), position: 0 };
    let mut requirements = Vec::new();
    loop {
        match parser.lookahead() {
            Token::Identifier(_) | Token::DoesNotExist => {
                let requirement = parse_requirement(&mut parser)
                    .map_err(|e| Error::Label(format!("unable to parse requirement: {e}")))?;
                requirements.push(requirement);
                match parser.consume() {
                    Token::End => return Ok(Selector { requirements }),
                    Token::Comma => {
                        let next = parser.lookahead();
                        if !matches!(next, Token::Identifier(_) | Token::DoesNotExist) {
                            return Err(Error::Label(format!(
                                "found '{}', expected: identifier after ','",
                                next.literal()
                            )));
                        }
                    }
                    other => {
                        return Err(Error::Label(format!(
                            "found '{}', expected: ',' or 'end of string'",
                            other.literal()
                        )));
                    }
                }
            }
            Token::End => return Ok(Selector { requirements }),
            other => {
                return Err(Error::Label(format!(
                    "found '{}', expected: !, identifier, or 'end of string'",
                    other.literal()
                )));
            }
        }
    }
}

fn parse_requirement(parser: &mut Parser) -> std::result::Result<Requirement, String> {
    let mut token = parser.consume();
    let mut operator = None;
    if token == Token::DoesNotExist {
        operator = Some(Operator::DoesNotExist);
        token = parser.consume();
    }
    let Token::Identifier(key) = token else {
        return Err(format!("found '{}', expected: identifier", token.literal()));
    };
    let key_errors = qualified_name_errors(&key);
    if !key_errors.is_empty() {
        return Err(format!("<nil>: Invalid value: {key:?}: {}", key_errors.join("; ")));
    }
    if matches!(parser.lookahead(), Token::End | Token::Comma) && operator.is_none() {
        operator = Some(Operator::Exists);
    }
    if let Some(operator) = operator {
        return Ok(Requirement { key, operator, values: Vec::new() });
    }
    let operator = match parser.consume() {
        Token::Identifier(word) if word == "in" => Operator::In,
        Token::Identifier(word) if word == "notin" => Operator::NotIn,
        Token::Equals | Token::DoubleEquals => Operator::Equals,
        Token::NotEquals => Operator::NotEquals,
        Token::GreaterThan => Operator::GreaterThan,
        Token::LessThan => Operator::LessThan,
        other => {
            return Err(format!("found '{}', expected: in, notin, =, ==, !=, gt, lt", other.literal()));
        }
    };
    let mut values = match operator {
        Operator::In | Operator::NotIn => parse_values(parser)?,
        _ => parse_exact_value(parser)?,
    };
    values.sort();
    values.dedup();
    if matches!(operator, Operator::GreaterThan | Operator::LessThan) {
        for value in &values {
            if value.parse::<i64>().is_err() {
                return Err(format!(
                    "<nil>: Invalid value: {value:?}: for 'Gt', 'Lt' operators, the value must be an integer"
                ));
            }
        }
    }
    for value in &values {
        let errors = label_value_errors(value);
        if !errors.is_empty() {
            return Err(format!("<nil>: Invalid value: {value:?}: {}", errors.join("; ")));
        }
    }
    Ok(Requirement { key, operator, values })
}

fn parse_values(parser: &mut Parser) -> std::result::Result<Vec<String>, String> {
    let token = parser.consume();
    if token != Token::OpenPar {
        return Err(format!("found '{}' expected: '('", token.literal()));
    }
    match parser.lookahead() {
        Token::Identifier(_) | Token::Comma => {
            let values = parse_identifiers(parser)?;
            let closing = parser.consume();
            if closing != Token::ClosedPar {
                return Err(format!("found '{}', expected: ')'", closing.literal()));
            }
            Ok(values)
        }
        Token::ClosedPar => {
            parser.consume();
            Ok(vec![String::new()])
        }
        other => Err(format!("found '{}', expected: ',', ')' or identifier", other.literal())),
    }
}

fn parse_identifiers(parser: &mut Parser) -> std::result::Result<Vec<String>, String> {
    let mut values: Vec<String> = Vec::new();
    loop {
        match parser.consume() {
            Token::Identifier(value) => {
                values.push(value);
                match parser.lookahead() {
                    Token::Comma => continue,
                    Token::ClosedPar => return Ok(values),
                    other => {
                        return Err(format!("found '{}', expected: ',' or ')'", other.literal()));
                    }
                }
            }
            Token::Comma => {
                if values.is_empty() {
                    values.push(String::new());
                }
                match parser.lookahead() {
                    Token::ClosedPar => {
                        values.push(String::new());
                        return Ok(values);
                    }
                    Token::Comma => {
                        parser.consume();
                        values.push(String::new());
                    }
                    _ => {}
                }
            }
            other => {
                return Err(format!("found '{}', expected: ',', or identifier", other.literal()));
            }
        }
    }
}

fn parse_exact_value(parser: &mut Parser) -> std::result::Result<Vec<String>, String> {
    if matches!(parser.lookahead(), Token::End | Token::Comma) {
        return Ok(vec![String::new()]);
    }
    match parser.consume() {
        Token::Identifier(value) => Ok(vec![value]),
        other => Err(format!("found '{}', expected: identifier", other.literal())),
    }
}

/// Whether a `LabelSelector` object selects `labels` (matchLabels and matchExpressions all hold).
/// An empty selector selects everything; an unknown operator selects nothing.
pub fn label_selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let labels_match = selector.match_labels.iter().flatten().all(|(k, v)| labels.get(k) == Some(v));
    let expressions_match = selector.match_expressions.iter().flatten().all(|expression| {
        let operator = match expression.operator.as_str() {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            _ => return false,
        };
        Requirement { key: expression.key.clone(), operator, values: expression.values.clone().unwrap_or_default() }
            .matches(labels)
    });
    labels_match && expressions_match
}

/// `ValidateLabelSelector` at `path`: labels, keys, operators and values.
pub fn validate_label_selector(selector: &LabelSelector, path: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(labels) = &selector.match_labels {
        errors.extend(super::validation::validate_labels(labels, &format!("{path}.matchLabels")));
    }
    for (i, expression) in selector.match_expressions.iter().flatten().enumerate() {
        let item = format!("{path}.matchExpressions[{i}]");
        let values = expression.values.as_deref().unwrap_or(&[]);
        match expression.operator.as_str() {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errors.push(FieldError::required(
                        format!("{item}.values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errors.push(FieldError::forbidden(
                        format!("{item}.values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            other => {
                errors.push(FieldError::invalid_str(format!("{item}.operator"), other, "not a valid selector operator"))
            }
        }
        for message in qualified_name_errors(&expression.key) {
            errors.push(FieldError::invalid_str(format!("{item}.key"), &expression.key, message));
        }
    }
    errors
}

/// One `field=value` / `field!=value` requirement of a field selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldRequirement {
    /// The field, e.g. `status.phase`.
    pub field: String,
    /// `false` for `!=`.
    pub equals: bool,
    /// The value to compare with.
    pub value: String,
}

/// Parses a field selector (`a=b,c!=d`, `==`), as `fields.ParseSelector`.
///
/// # Errors
/// [`Error::Field`] for a part without an operator.
pub fn parse_field_selector(selector: &str) -> Result<Vec<FieldRequirement>> {
    let mut requirements = Vec::new();
    for part in selector.split(',') {
        if part.is_empty() {
            continue;
        }
        let parsed = if let Some((field, value)) = part.split_once("!=") {
            Some((field, false, value))
        } else if let Some((field, value)) = part.split_once("==") {
            Some((field, true, value))
        } else {
            part.split_once('=').map(|(field, value)| (field, true, value))
        };
        match parsed {
            Some((field, equals, value)) => {
                requirements.push(FieldRequirement { field: field.to_string(), equals, value: value.to_string() })
            }
            None => {
                return Err(Error::Field { selector: selector.to_string(), part: part.to_string() });
            }
        }
    }
    Ok(requirements)
}

/// The fields each kind's registry indexes, beyond `metadata.name` (and `metadata.namespace`).
fn extra_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        ],
        Kind::Event => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        Kind::Secret => &["type"],
        Kind::Namespace => &["status.phase"],
        Kind::Node => &["spec.unschedulable"],
        Kind::ReplicaSet => &["status.replicas"],
        _ => &[],
    }
}

/// Whether the API server accepts `field` in a field selector for `kind`.
pub fn field_selector_supported(kind: Kind, field: &str) -> bool {
    field == "metadata.name"
        || (field == "metadata.namespace" && kind.is_namespaced())
        || extra_fields(kind).contains(&field)
}

/// Checks every requirement's field against the kind.
///
/// # Errors
/// [`Error::FieldNotSupported`] for the first unsupported field.
pub fn check_field_selector(kind: Kind, requirements: &[FieldRequirement]) -> Result<()> {
    match requirements.iter().find(|r| !field_selector_supported(kind, &r.field)) {
        Some(requirement) => Err(Error::FieldNotSupported(requirement.field.clone())),
        None => Ok(()),
    }
}

/// The value of a selectable field, as the registry's `ToSelectableFields` renders it; `None` if unsupported.
pub fn field_value(object: &Object, field: &str) -> Option<String> {
    if !field_selector_supported(object.kind(), field) {
        return None;
    }
    match field {
        "metadata.name" => return Some(object.name().to_string()),
        "metadata.namespace" => return Some(object.namespace().to_string()),
        _ => {}
    }
    let text = |value: Option<&String>| value.cloned().unwrap_or_default();
    Some(match object {
        Object::Pod(pod) => {
            let spec = pod.spec.as_ref();
            let status = pod.status.as_ref();
            match field {
                "spec.nodeName" => text(spec.and_then(|s| s.node_name.as_ref())),
                "spec.restartPolicy" => text(spec.and_then(|s| s.restart_policy.as_ref())),
                "spec.schedulerName" => text(spec.and_then(|s| s.scheduler_name.as_ref())),
                "spec.serviceAccountName" => text(spec.and_then(|s| s.service_account_name.as_ref())),
                "spec.hostNetwork" => spec.and_then(|s| s.host_network).unwrap_or(false).to_string(),
                "status.phase" => text(status.and_then(|s| s.phase.as_ref())),
                "status.podIP" => text(status.and_then(|s| s.pod_ip.as_ref())),
                "status.podIPs" => status
                    .and_then(|s| s.pod_ips.as_ref())
                    .map(|ips| ips.iter().map(|ip| ip.ip.clone()).collect::<Vec<_>>().join(","))
                    .unwrap_or_default(),
                "status.nominatedNodeName" => text(status.and_then(|s| s.nominated_node_name.as_ref())),
                _ => return None,
            }
        }
        Object::Event(event) => {
            let involved = &event.involved_object;
            match field {
                "involvedObject.kind" => text(involved.kind.as_ref()),
                "involvedObject.namespace" => text(involved.namespace.as_ref()),
                "involvedObject.name" => text(involved.name.as_ref()),
                "involvedObject.uid" => text(involved.uid.as_ref()),
                "involvedObject.apiVersion" => text(involved.api_version.as_ref()),
                "involvedObject.resourceVersion" => text(involved.resource_version.as_ref()),
                "involvedObject.fieldPath" => text(involved.field_path.as_ref()),
                "reason" => text(event.reason.as_ref()),
                "reportingComponent" => text(event.reporting_component.as_ref()),
                "source" => text(event.source.as_ref().and_then(|s| s.component.as_ref())),
                "type" => text(event.type_.as_ref()),
                _ => return None,
            }
        }
        Object::Secret(secret) => text(secret.type_.as_ref()),
        Object::Namespace(namespace) => text(namespace.status.as_ref().and_then(|s| s.phase.as_ref())),
        Object::Node(node) => node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false).to_string(),
        Object::ReplicaSet(set) => set.status.as_ref().map(|s| s.replicas).unwrap_or(0).to_string(),
        _ => return None,
    })
}

/// Whether `object` satisfies every field requirement (unsupported fields never match).
pub fn field_selector_matches(object: &Object, requirements: &[FieldRequirement]) -> bool {
    requirements.iter().all(|r| match field_value(object, &r.field) {
        Some(value) => (value == r.value) == r.equals,
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    #[track_caller]
    fn check(inputs: &[&str], expect: Expect) {
        let labels: BTreeMap<String, String> = [("app", "web"), ("tier", "front"), ("n", "5")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut out = String::new();
        for input in inputs {
            let line = match parse_label_selector(input) {
                Ok(selector) => format!(
                    "{input:?} -> {} requirement(s), matches={}",
                    selector.requirements.len(),
                    selector.matches(&labels)
                ),
                Err(error) => format!("{input:?} -> error: {error}"),
            };
            out.push_str(&line);
            out.push('\n');
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn label_selectors_should_parse_like_apimachinery() {
        check(
            &[
                "",
                "app=web",
                "app==web,tier!=back",
                "app in (web, api),tier notin (back)",
                "app,!missing",
                "!app",
                "n>3",
                "n<3",
                "app=",
                "env in ()",
                "app=web,",
                "=web",
                "app in web",
                "app in (web",
                "app web",
                "Bad Key=1",
                "-x=1",
                "app=bad value",
                "n>x",
                "app=(web)",
            ],
            expect![[r#"
                "" -> 0 requirement(s), matches=true
                "app=web" -> 1 requirement(s), matches=true
                "app==web,tier!=back" -> 2 requirement(s), matches=true
                "app in (web, api),tier notin (back)" -> 2 requirement(s), matches=true
                "app,!missing" -> 2 requirement(s), matches=true
                "!app" -> 1 requirement(s), matches=false
                "n>3" -> 1 requirement(s), matches=true
                "n<3" -> 1 requirement(s), matches=false
                "app=" -> 1 requirement(s), matches=false
                "env in ()" -> 1 requirement(s), matches=false
                "app=web," -> error: found '', expected: identifier after ','
                "=web" -> error: found '=', expected: !, identifier, or 'end of string'
                "app in web" -> error: unable to parse requirement: found 'web' expected: '('
                "app in (web" -> error: unable to parse requirement: found '', expected: ',' or ')'
                "app web" -> error: unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt
                "Bad Key=1" -> error: unable to parse requirement: found 'Key', expected: in, notin, =, ==, !=, gt, lt
                "-x=1" -> error: unable to parse requirement: <nil>: Invalid value: "-x": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')
                "app=bad value" -> error: found 'value', expected: ',' or 'end of string'
                "n>x" -> error: unable to parse requirement: <nil>: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer
                "app=(web)" -> error: unable to parse requirement: found '(', expected: identifier
            "#]],
        );
    }

    #[test]
    fn label_selector_objects_should_match_and_validate() {
        let selector: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front", "api"]},
                {"key": "legacy", "operator": "DoesNotExist"},
            ],
        }))
        .unwrap();
        let labels = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>()
        };
        assert!(label_selector_matches(&selector, &labels(&[("app", "web"), ("tier", "front")])));
        assert!(!label_selector_matches(&selector, &labels(&[("app", "web"), ("tier", "front"), ("legacy", "")])));
        assert!(!label_selector_matches(&selector, &labels(&[("app", "web")])));
        assert!(label_selector_matches(&LabelSelector::default(), &labels(&[])));
        let bad: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchExpressions": [
                {"key": "a", "operator": "Equals", "values": ["x"]},
                {"key": "b", "operator": "In"},
                {"key": "c", "operator": "Exists", "values": ["x"]},
            ],
        }))
        .unwrap();
        let errors: String = validate_label_selector(&bad, "spec.selector").iter().map(|e| format!("{e}\n")).collect();
        expect![[r#"
            spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator
            spec.selector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'
            spec.selector.matchExpressions[2].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'
        "#]]
        .assert_eq(&errors);
    }

    #[test]
    fn field_selectors_should_be_supported_per_kind() {
        let cases = [
            (Kind::Pod, "status.phase=Running,spec.nodeName!=n1"),
            (Kind::PersistentVolume, "status.phase=Bound"),
            (Kind::PersistentVolume, "metadata.namespace=x"),
            (Kind::PersistentVolumeClaim, "metadata.namespace==default"),
            (Kind::VolumeSnapshot, "spec.source.persistentVolumeClaimName=x"),
            (Kind::Event, "involvedObject.kind=Pod,type=Warning"),
            (Kind::Secret, "type=Opaque"),
            (Kind::Node, "spec.unschedulable=true"),
            (Kind::Pod, "status.phase"),
        ];
        let mut out = String::new();
        for (kind, selector) in cases {
            let result =
                parse_field_selector(selector).and_then(|requirements| check_field_selector(kind, &requirements));
            let line = match result {
                Ok(()) => "ok".to_string(),
                Err(error) => error.to_string(),
            };
            out.push_str(&format!("{kind} {selector:?}: {line}\n"));
        }
        expect![[r#"
            Pod "status.phase=Running,spec.nodeName!=n1": ok
            PersistentVolume "status.phase=Bound": field label not supported: status.phase
            PersistentVolume "metadata.namespace=x": field label not supported: metadata.namespace
            PersistentVolumeClaim "metadata.namespace==default": ok
            VolumeSnapshot "spec.source.persistentVolumeClaimName=x": field label not supported: spec.source.persistentVolumeClaimName
            Event "involvedObject.kind=Pod,type=Warning": ok
            Secret "type=Opaque": ok
            Node "spec.unschedulable=true": ok
            Pod "status.phase": invalid selector: 'status.phase'; can't understand 'status.phase'
        "#]]
        .assert_eq(&out);
        let pod: super::super::k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [], "nodeName": "n1", "hostNetwork": true},
            "status": {"phase": "Running"},
        }))
        .unwrap();
        let pod = Object::Pod(Box::new(pod));
        assert_eq!(field_value(&pod, "spec.hostNetwork").as_deref(), Some("true"));
        assert_eq!(field_value(&pod, "spec.schedulerName").as_deref(), Some(""));
        assert!(field_selector_matches(
            &pod,
            &parse_field_selector("status.phase=Running,spec.nodeName!=n2,metadata.namespace=default").unwrap()
        ));
        assert!(!field_selector_matches(&pod, &parse_field_selector("spec.nodeName=n2").unwrap()));
    }
}
