//! Patches as `kubectl patch` sends them: JSON merge (RFC 7386), JSON patch (RFC 6902) and strategic merge.
//!
//! # Model
//! Strategic merge is JSON merge plus, for the lists whose Kubernetes schema declares
//! `patchStrategy: merge`, merging list items by their merge key (containers by `name`,
//! volumeMounts by `mountPath`, ...). `$patch` directives are not supported; a list without a
//! known merge key is replaced, as for JSON merge.

use serde_json::{Map, Value};

/// Which patch format a request uses (`kubectl patch --type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    /// `--type strategic`, the default.
    Strategic,
    /// `--type merge`.
    Merge,
    /// `--type json`.
    Json,
}

/// Applies `patch` to `target`; the error text is what the API server answers with.
pub fn apply_patch(target: &Value, patch: &Value, patch_type: PatchType) -> Result<Value, String> {
    match patch_type {
        PatchType::Merge => Ok(merge(target, patch, None)),
        PatchType::Strategic => Ok(merge(target, patch, Some(""))),
        PatchType::Json => json_patch(target, patch),
    }
}

/// The merge key of a list field in a strategic merge, by the field's name.
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "volumeClaimTemplates" => Some("name"),
        "volumeMounts" | "volumeDevices" => Some("mountPath"),
        "ownerReferences" => Some("uid"),
        "conditions" => Some("type"),
        "ports" => Some("port"),
        _ => None,
    }
}

fn merge(target: &Value, patch: &Value, strategic_field: Option<&str>) -> Value {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            let mut out: Map<String, Value> = target.clone();
            for (key, value) in patch {
                if value.is_null() {
                    out.remove(key);
                    continue;
                }
                let merged = match out.get(key) {
                    Some(existing) => merge(existing, value, strategic_field.map(|_| key.as_str())),
                    None => merge(&Value::Null, value, strategic_field.map(|_| key.as_str())),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(target), Value::Array(patch)) => match strategic_field.and_then(merge_key) {
            Some(key) => merge_list(target, patch, key),
            None => Value::Array(patch.iter().map(strip_nulls).collect()),
        },
        (_, patch) => strip_nulls(patch),
    }
}

fn merge_list(target: &[Value], patch: &[Value], key: &str) -> Value {
    let mut out: Vec<Value> = target.to_vec();
    for item in patch {
        let item_key = item.get(key);
        let position = item_key.and_then(|k| out.iter().position(|existing| existing.get(key) == Some(k)));
        match position {
            Some(index) => out[index] = merge(&out[index], item, Some("")),
            None => out.push(strip_nulls(item)),
        }
    }
    Value::Array(out)
}

fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), strip_nulls(v))).collect())
        }
        other => other.clone(),
    }
}

fn json_patch(target: &Value, patch: &Value) -> Result<Value, String> {
    let operations = patch
        .as_array()
        .ok_or_else(|| "json: cannot unmarshal object into Go value of type jsonpatch.Patch".to_string())?;
    let mut doc = target.clone();
    for operation in operations {
        let op = operation.get("op").and_then(Value::as_str).unwrap_or("");
        let path = operation.get("path").and_then(Value::as_str).unwrap_or("");
        let value = operation.get("value").cloned();
        match op {
            "add" => add(&mut doc, path, value.ok_or("missing value")?)?,
            "replace" => {
                remove(&mut doc, path)?;
                add(&mut doc, path, value.ok_or("missing value")?)?;
            }
            "remove" => {
                remove(&mut doc, path)?;
            }
            "test" => {
                let actual = doc.pointer(path).ok_or_else(|| format!("testing value {path} failed: not found"))?;
                if Some(actual) != value.as_ref() {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            "move" | "copy" => {
                let from = operation.get("from").and_then(Value::as_str).unwrap_or("");
                let moved = doc.pointer(from).cloned().ok_or_else(|| format!("doc is missing from path: {from}"))?;
                if op == "move" {
                    remove(&mut doc, from)?;
                }
                add(&mut doc, path, moved)?;
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(doc)
}

fn split_pointer(path: &str) -> Result<(String, String), String> {
    let index = path.rfind('/').ok_or_else(|| format!("doc is missing path: \"{path}\": missing value"))?;
    let last = path[index + 1..].replace("~1", "/").replace("~0", "~");
    Ok((path[..index].to_string(), last))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (parent_path, last) = split_pointer(path)?;
    let parent =
        doc.pointer_mut(&parent_path).ok_or_else(|| format!("doc is missing path: \"{path}\": missing value"))?;
    match parent {
        Value::Object(map) => {
            map.insert(last, value);
            Ok(())
        }
        Value::Array(items) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let index: usize =
                last.parse().map_err(|_| format!("add operation does not apply: doc is missing path: \"{path}\""))?;
            if index > items.len() {
                return Err(format!("add operation does not apply: doc is missing path: \"{path}\": missing value"));
            }
            items.insert(index, value);
            Ok(())
        }
        _ => Err(format!("doc is missing path: \"{path}\": missing value")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (parent_path, last) = split_pointer(path)?;
    let missing = || format!("{} operation does not apply: doc is missing path: \"{path}\"", "remove");
    let parent = doc.pointer_mut(&parent_path).ok_or_else(missing)?;
    match parent {
        Value::Object(map) => map.remove(&last).ok_or_else(missing),
        Value::Array(items) => {
            let index: usize = last.parse().map_err(|_| missing())?;
            if index < items.len() { Ok(items.remove(index)) } else { Err(missing()) }
        }
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patches_should_apply_as_the_api_server_does() {
        let target = json!({"spec": {"resources": {"requests": {"storage": "1Gi"}}, "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}, "metadata": {"labels": {"k": "v", "drop": "me"}}});
        let merged = apply_patch(&target, &json!({"metadata": {"labels": {"drop": null, "n": "1"}}, "spec": {"resources": {"requests": {"storage": "2Gi"}}}}), PatchType::Merge).unwrap();
        assert_eq!(merged["metadata"]["labels"], json!({"k": "v", "n": "1"}));
        assert_eq!(merged["spec"]["resources"]["requests"]["storage"], "2Gi");

        let strategic =
            apply_patch(&target, &json!({"spec": {"containers": [{"name": "b", "image": "z"}]}}), PatchType::Strategic)
                .unwrap();
        assert_eq!(strategic["spec"]["containers"], json!([{"name": "a", "image": "x"}, {"name": "b", "image": "z"}]));
        let plain =
            apply_patch(&target, &json!({"spec": {"containers": [{"name": "b", "image": "z"}]}}), PatchType::Merge)
                .unwrap();
        assert_eq!(plain["spec"]["containers"], json!([{"name": "b", "image": "z"}]));

        let json_patched = apply_patch(&target, &json!([{"op": "replace", "path": "/spec/containers/0/image", "value": "q"}, {"op": "add", "path": "/metadata/labels/x", "value": "y"}, {"op": "remove", "path": "/metadata/labels/drop"}]), PatchType::Json).unwrap();
        assert_eq!(json_patched["spec"]["containers"][0]["image"], "q");
        assert_eq!(json_patched["metadata"]["labels"], json!({"k": "v", "x": "y"}));
        assert!(apply_patch(&target, &json!([{"op": "remove", "path": "/nope/x"}]), PatchType::Json).is_err());
        assert!(apply_patch(&target, &json!({"op": "remove"}), PatchType::Json).is_err());
    }
}
