//! `-o custom-columns=HEADER:PATH,...` and `-o custom-columns-file` (kubectl `customcolumn.go`).
//!
//! Paths are relaxed (`metadata.name`, `.metadata.name`, `{metadata.name}` all mean
//! `{.metadata.name}`); a column with no result prints `<none>`; several results join with commas;
//! values print as Go's `fmt.Sprint` (`map[k:v]`, `[a b]`).

use super::gojson::go_sprint;
use super::jsonpath::JsonPath;
use super::table::escape_terminal;
use super::tabwriter::layout_table;
use serde_json::Value;

/// One custom column: its header and its JSONPath template.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomColumn {
    /// Printed as given.
    pub header: String,
    /// A full template such as `{.metadata.name}`.
    pub field_spec: String,
}

/// `RelaxedJSONPathExpression`.
fn relaxed(path: &str) -> Result<String, String> {
    if path.is_empty() {
        return Ok(String::new());
    }
    let error = || {
        "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"
            .to_string()
    };
    let inner = match path.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        Some(inner) => inner,
        None => path,
    };
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err(error());
    }
    Ok(format!("{{.{inner}}}"))
}

/// Parses `HEADER:PATH,...`.
///
/// # Errors
/// kubectl's texts, e.g. `unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>`.
pub fn parse_spec(spec: &str) -> Result<Vec<CustomColumn>, String> {
    if spec.is_empty() {
        return Err("custom-columns format specified but no custom columns given".to_string());
    }
    spec.split(',')
        .map(|part| match part.split_once(':') {
            Some((header, path)) => Ok(CustomColumn { header: header.to_string(), field_spec: relaxed(path)? }),
            None => Err(format!("unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")),
        })
        .collect()
}

/// Parses a custom-columns file: a line of headers and a line of paths, whitespace-separated.
///
/// # Errors
/// kubectl's texts for a missing line or a count mismatch.
pub fn parse_template(text: &str) -> Result<Vec<CustomColumn>, String> {
    let mut lines = text.lines();
    let headers: Vec<&str> = lines
        .next()
        .ok_or("invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs.")?
        .split_whitespace()
        .collect();
    let specs: Vec<&str> = lines
        .next()
        .ok_or("invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs.")?
        .split_whitespace()
        .collect();
    if headers.len() != specs.len() {
        return Err(format!(
            "number of headers ({}) and field specifications ({}) don't match",
            headers.len(),
            specs.len()
        ));
    }
    headers
        .iter()
        .zip(specs)
        .map(|(header, spec)| Ok(CustomColumn { header: header.to_string(), field_spec: relaxed(spec)? }))
        .collect()
}

/// Prints the columns for `data`: every item of a `List`, or the one object.
///
/// # Errors
/// JSONPath parse or evaluation errors, unwrapped.
pub fn render(columns: &[CustomColumn], data: &Value, no_headers: bool) -> Result<String, String> {
    let mut parsers = Vec::new();
    for column in columns {
        parsers.push(JsonPath::parse(&column.field_spec)?);
    }
    let mut text = String::new();
    if !no_headers {
        text.push_str(&columns.iter().map(|c| c.header.as_str()).collect::<Vec<_>>().join("\t"));
        text.push('\n');
    }
    let items: Vec<&Value> = match (data.get("kind").and_then(Value::as_str), data.get("items")) {
        (Some(kind), Some(Value::Array(items))) if kind.ends_with("List") => items.iter().collect(),
        _ => vec![data],
    };
    for item in items {
        let mut row = Vec::new();
        for parser in &parsers {
            let results = parser.find_results(item, true)?;
            let mut values: Vec<String> = Vec::new();
            if results.first().is_none_or(Vec::is_empty) {
                values.push("<none>".to_string());
            }
            for result in &results {
                values.extend(result.iter().map(|v| escape_terminal(&go_sprint(v))));
            }
            row.push(values.join(","));
        }
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    Ok(layout_table(&text))
}
