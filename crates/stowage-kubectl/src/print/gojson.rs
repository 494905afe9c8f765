//! JSON values as Go prints them: `encoding/json` (sorted keys, HTML-safe escapes, 4-space
//! `MarshalIndent`) and `fmt`'s `%v` of decoded JSON (`map[a:1 b:[x y]]`).
//!
//! kubectl works on unstructured objects (`map[string]interface{}`), so every map it prints has its
//! keys in Go's sorted order, whatever order the server sent.

use serde_json::Value;

/// `json.MarshalIndent(v, "", "    ")` plus the newline kubectl's JSON printer adds.
pub fn to_json_indent(value: &Value) -> String {
    let mut out = String::new();
    write_indent(value, 0, &mut out);
    out.push('\n');
    out
}

/// `json.Marshal(v)`: compact, sorted keys, HTML-safe.
pub fn to_json_compact(value: &Value) -> String {
    let mut out = String::new();
    write_compact(value, &mut out);
    out
}

fn sorted(map: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    entries
}

fn write_indent(value: &Value, depth: usize, out: &mut String) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(depth + 1, out);
                write_indent(item, depth + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(depth, out);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            let entries = sorted(map);
            for (i, (key, item)) in entries.iter().enumerate() {
                push_indent(depth + 1, out);
                write_string(key, out);
                out.push_str(": ");
                write_indent(item, depth + 1, out);
                if i + 1 < entries.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(depth, out);
            out.push('}');
        }
        other => write_compact(other, out),
    }
}

fn push_indent(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

fn write_compact(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_json(n)),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in sorted(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_compact(item, out);
            }
            out.push('}');
        }
    }
}

/// A number as Go's encoder writes a decoded JSON number (int64 or float64).
fn number_json(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f == f.trunc() && f.abs() < 1e21 { format!("{f:.0}") } else { go_float(f) }
}

/// A Go string literal as `encoding/json` writes it (HTML escaping on).
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` (what `%v` prints for a float64).
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".to_string() } else { "-Inf".to_string() };
    }
    if f == 0.0 {
        return "0".to_string();
    }
    // Shortest round-trip digits, then Go's %g rule: exponent form when exp < -4 || exp >= 21.
    let sci = format!("{f:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..21).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        format!("{f}")
    }
}

/// `fmt.Sprint` of a decoded JSON value: strings bare, `map[k:v]` with sorted keys, `[a b]`.
pub fn go_sprint(value: &Value) -> String {
    let mut out = String::new();
    write_sprint(value, &mut out);
    out
}

fn write_sprint(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => out.push_str(&i.to_string()),
            (None, Some(u)) => out.push_str(&u.to_string()),
            _ => out.push_str(&go_float(n.as_f64().unwrap_or(0.0))),
        },
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_sprint(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (key, item)) in sorted(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                write_sprint(item, out);
            }
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;
    use serde_json::json;

    #[test]
    fn json_should_sort_keys_and_indent_four_spaces() {
        let value = json!({"kind": "List", "apiVersion": "v1", "items": [], "metadata": {"resourceVersion": ""}, "m": {}, "a": [1, "<none> & co"]});
        expect![[r#"
            {
                "a": [
                    1,
                    "\u003cnone\u003e \u0026 co"
                ],
                "apiVersion": "v1",
                "items": [],
                "kind": "List",
                "m": {},
                "metadata": {
                    "resourceVersion": ""
                }
            }
        "#]]
        .assert_eq(&to_json_indent(&value));
    }

    #[test]
    fn sprint_should_print_go_maps_and_slices() {
        let value = json!({"b": [1, 2.5, true], "a": {"x": null}, "c": "s"});
        assert_eq!(go_sprint(&value), "map[a:map[x:<nil>] b:[1 2.5 true] c:s]");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1e20), "100000000000000000000");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(to_json_compact(&json!({"b": 1, "a": [true, null]})), r#"{"a":[true,null],"b":1}"#);
    }
}
