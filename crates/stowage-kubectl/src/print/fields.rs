//! Small accessors over an object's JSON (`Object::to_value()`), the way kubectl's printers read
//! unstructured objects: a missing field reads as the Go zero value.

use serde_json::Value;
use std::collections::BTreeMap;

static NULL: Value = Value::Null;

/// The value at a dotted path (`spec.claimRef.name`), `null` when any step is missing.
pub fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    let mut current = value;
    for step in path.split('.').filter(|s| !s.is_empty()) {
        current = match current {
            Value::Object(map) => map.get(step).unwrap_or(&NULL),
            Value::Array(items) => step.parse::<usize>().ok().and_then(|i| items.get(i)).unwrap_or(&NULL),
            _ => &NULL,
        };
    }
    current
}

/// The string at `path`, `""` when missing.
pub fn str_at<'a>(value: &'a Value, path: &str) -> &'a str {
    at(value, path).as_str().unwrap_or("")
}

/// The string at `path`, `None` when missing (a Go `*string`).
pub fn opt_str<'a>(value: &'a Value, path: &str) -> Option<&'a str> {
    at(value, path).as_str()
}

/// The list at `path`, empty when missing.
pub fn list_at<'a>(value: &'a Value, path: &str) -> &'a [Value] {
    at(value, path).as_array().map(Vec::as_slice).unwrap_or(&[])
}

/// The integer at `path`.
pub fn int_at(value: &Value, path: &str) -> Option<i64> {
    let v = at(value, path);
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

/// The boolean at `path` (a Go `*bool`).
pub fn bool_at(value: &Value, path: &str) -> Option<bool> {
    at(value, path).as_bool()
}

/// The string map at `path` (labels, annotations, parameters), sorted by key.
pub fn string_map(value: &Value, path: &str) -> BTreeMap<String, String> {
    match at(value, path) {
        Value::Object(map) => {
            map.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect()
        }
        _ => BTreeMap::new(),
    }
}

/// The number of entries of the map at `path`.
pub fn map_len(value: &Value, path: &str) -> usize {
    at(value, path).as_object().map_or(0, serde_json::Map::len)
}

/// `labels.FormatLabels`: `k=v,k2=v2` sorted, `<none>` when empty.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".to_string();
    }
    labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

/// `metav1.LabelSelectorAsSelector(s).String()`: requirements sorted by key; `""` for no selector.
pub fn selector_string(selector: &Value) -> String {
    let mut requirements: Vec<(String, String)> = Vec::new();
    for (key, value) in string_map(selector, "matchLabels") {
        requirements.push((key.clone(), format!("{key}={value}")));
    }
    for expression in list_at(selector, "matchExpressions") {
        let key = str_at(expression, "key").to_string();
        let mut values: Vec<&str> = list_at(expression, "values").iter().filter_map(Value::as_str).collect();
        values.sort_unstable();
        let text = match str_at(expression, "operator") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other} ({})", values.join(",")),
        };
        requirements.push((key, text));
    }
    requirements.sort_by(|a, b| a.0.cmp(&b.0));
    requirements.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join(",")
}

/// `metav1.FormatLabelSelector`: like [`selector_string`], `<none>` when empty.
pub fn format_label_selector(selector: &Value) -> String {
    let text = selector_string(selector);
    if text.is_empty() { "<none>".to_string() } else { text }
}

/// A quantity string as `Quantity.String()` prints it; `0` when missing.
pub fn quantity(text: Option<&str>) -> String {
    match text {
        None => "0".to_string(),
        Some(text) => stowage_core::api::quantity::canonical(text).unwrap_or_else(|| text.to_string()),
    }
}

/// Go's `%v` of a `[]string`: `[a b]`.
pub fn go_string_slice(items: &[Value]) -> String {
    let parts: Vec<String> =
        items.iter().map(|v| v.as_str().map_or_else(|| super::gojson::go_sprint(v), str::to_string)).collect();
    format!("[{}]", parts.join(" "))
}
