//! `kubectl taint`: adds, replaces and removes node taints the way kubectl 1.34's
//! `pkg/cmd/taint` does (its parsing, validation order, messages and `tainted` / `untainted` /
//! `modified` operations).

use super::apply::{DryRun, print_result};
use super::args::{FlagSpec, bool_flag, optional_flag, value_flag};
use super::resource::{self, Filter};
use super::{Ctx, Failure, kind_of};
use serde_json::{Value, json};
use stowage_core::api::validation::{label_value_errors, qualified_name_errors};
use stowage_core::apiserver::PatchType;
use stowage_core::{ApiError, Kind, ObjectKey};

const TAINT_FLAGS: &[FlagSpec] = &[
    optional_flag("dry-run", "unchanged"),
    value_flag("selector", Some('l')),
    bool_flag("overwrite", None),
    bool_flag("all", None),
    value_flag("output", Some('o')),
    value_flag("field-manager", None),
    optional_flag("validate", "strict"),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
];

/// One taint as kubectl parses it; `effect` is empty for `key-` removals.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Spec {
    key: String,
    value: String,
    effect: String,
}

impl Spec {
    /// `Taint.ToString`.
    fn to_text(&self) -> String {
        match (self.value.is_empty(), self.effect.is_empty()) {
            (true, true) => self.key.clone(),
            (false, true) => format!("{}={}:", self.key, self.value),
            (true, false) => format!("{}:{}", self.key, self.effect),
            (false, false) => format!("{}={}:{}", self.key, self.value, self.effect),
        }
    }
}

/// A node taint as stored (key, value, effect, timeAdded).
#[derive(Clone, Debug, PartialEq)]
struct Stored {
    key: String,
    value: Option<String>,
    effect: String,
    rest: Value,
}

fn stored_taints(node: &Value) -> Vec<Stored> {
    node.pointer("/spec/taints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| Stored {
            key: t.get("key").and_then(Value::as_str).unwrap_or_default().to_string(),
            value: t.get("value").and_then(Value::as_str).map(str::to_string),
            effect: t.get("effect").and_then(Value::as_str).unwrap_or_default().to_string(),
            rest: t.clone(),
        })
        .collect()
}

fn validate_effect(effect: &str) -> Result<(), String> {
    if matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
        Ok(())
    } else {
        Err(format!("invalid taint effect: {effect}, unsupported taint effect"))
    }
}

/// `parseTaint`: `<key>=<value>:<effect>`, `<key>:<effect>` or `<key>`.
fn parse_taint(text: &str) -> Result<Spec, String> {
    let parts: Vec<&str> = text.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [key] => ((*key).to_string(), String::new(), String::new()),
        [kv, effect] => {
            validate_effect(effect)?;
            let kv: Vec<&str> = kv.split('=').collect();
            if kv.len() > 2 {
                return Err(format!("invalid taint spec: {text}"));
            }
            let value = kv.get(1).copied().unwrap_or_default().to_string();
            if kv.len() == 2 {
                let errors = label_value_errors(&value);
                if !errors.is_empty() {
                    return Err(format!("invalid taint spec: {text}, {}", errors.join("; ")));
                }
            }
            (kv[0].to_string(), value, (*effect).to_string())
        }
        _ => return Err(format!("invalid taint spec: {text}")),
    };
    let errors = qualified_name_errors(&key);
    if !errors.is_empty() {
        return Err(format!("invalid taint spec: {text}, {}", errors.join("; ")));
    }
    Ok(Spec { key, value, effect })
}

/// `parseTaints`: the taints to add and to remove.
fn parse_taints(specs: &[String]) -> Result<(Vec<Spec>, Vec<Spec>), String> {
    let mut add: Vec<Spec> = Vec::new();
    let mut remove = Vec::new();
    for text in specs {
        if let Some(stripped) = text.strip_suffix('-') {
            let taint = parse_taint(stripped)?;
            remove.push(Spec { key: taint.key, value: String::new(), effect: taint.effect });
            continue;
        }
        let taint = parse_taint(text)?;
        if taint.effect.is_empty() {
            return Err(format!("invalid taint spec: {text}"));
        }
        if add.iter().any(|t| t.key == taint.key && t.effect == taint.effect) {
            // Go's %v of a core/v1 Taint: {key value effect timeAdded}.
            return Err(format!(
                "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                taint.key, taint.value, taint.effect
            ));
        }
        add.push(taint);
    }
    Ok((add, remove))
}

fn to_json(taint: &Spec) -> Value {
    let mut object = json!({"key": taint.key, "effect": taint.effect});
    if !taint.value.is_empty() {
        object["value"] = Value::String(taint.value.clone());
    }
    object
}

/// `reorganizeTaints`: the node's new taint list and the operation word.
fn reorganize(
    old: &[Stored],
    overwrite: bool,
    add: &[Spec],
    remove: &[Spec],
) -> (&'static str, Vec<Value>, Vec<String>) {
    let mut new: Vec<(String, String, Value)> =
        add.iter().map(|t| (t.key.clone(), t.effect.clone(), to_json(t))).collect();
    for taint in old {
        if !new.iter().any(|(k, e, _)| *k == taint.key && *e == taint.effect) {
            new.push((taint.key.clone(), taint.effect.clone(), taint.rest.clone()));
        }
    }
    let added = old.len() != new.len();
    let mut errors = Vec::new();
    let mut deleted = false;
    for taint in remove {
        let before = new.len();
        new.retain(|(k, e, _)| !(*k == taint.key && (taint.effect.is_empty() || *e == taint.effect)));
        deleted = new.len() != before;
        if !deleted {
            errors.push(format!("taint {:?} not found", taint.to_text()));
        }
    }
    let operation = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    (operation, new.into_iter().map(|(_, _, v)| v).collect(), errors)
}

/// `kubectl taint`.
pub fn taint(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, TAINT_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let overwrite = parsed.bool("overwrite").map_err(Failure::msg)?;
    let all = parsed.bool("all").map_err(Failure::msg)?;
    let selector = parsed.value("selector").filter(|s| !s.is_empty()).map(str::to_string);
    let output = parsed.value("output").map(str::to_string);
    // Complete: resources first, then taint changes.
    let mut resources: Vec<String> = Vec::new();
    let mut changes: Vec<String> = Vec::new();
    for arg in &parsed.positionals {
        let is_taint = arg.contains('=') || arg.contains(':') || arg.ends_with('-');
        match (changes.is_empty(), is_taint) {
            (_, true) => changes.push(arg.clone()),
            (true, false) => resources.push(arg.clone()),
            (false, false) => {
                return Err(Failure::msg(format!("all resources must be specified before taint changes: {arg}")));
            }
        }
    }
    if resources.is_empty() {
        return Err(Failure::msg("one or more resources must be specified as <resource> <name>"));
    }
    if changes.is_empty() {
        return Err(Failure::msg("at least one taint update is required"));
    }
    let (add, remove) = parse_taints(&changes).map_err(|message| ctx.usage(message))?;
    // Validate: node types only, no taint both added and removed, names or a selector or --all.
    let resource_type = resources[0].to_ascii_lowercase();
    if kind_of(&resource_type)? != Kind::Node {
        return Err(Failure::msg(format!("invalid resource type {resource_type}, only node types are supported")));
    }
    let conflicts: Vec<String> = remove
        .iter()
        .filter(|r| add.iter().any(|a| a.key == r.key && (r.effect.is_empty() || a.effect == r.effect)))
        .map(|r| format!("{{\"{}\":\"{}\"}}", r.key, r.effect))
        .collect();
    if !conflicts.is_empty() {
        return Err(Failure::msg(format!(
            "can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        )));
    }
    if all && selector.is_some() {
        return Err(Failure::msg("setting 'all' parameter with a non empty selector is prohibited"));
    }
    if !all && selector.is_none() && resources.len() < 2 {
        return Err(Failure::msg("at least one resource name must be specified since 'all' parameter is not set"));
    }
    // RunTaint: every node, continuing on errors.
    let mut failures: Vec<Failure> = Vec::new();
    let keys: Vec<ObjectKey> = if all || selector.is_some() {
        let filter = Filter::new(ctx, selector.as_deref(), None, &[Kind::Node])?;
        resource::list(ctx, Kind::Node, None, &filter).iter().map(|o| o.key()).collect()
    } else {
        resources[1..].iter().map(|name| ObjectKey::cluster(Kind::Node, name)).collect()
    };
    for key in keys {
        let Some(object) = ctx.cluster.api().store().get(&key).cloned() else {
            failures.push(Failure::Api(ApiError::not_found(Kind::Node, &key.name)));
            continue;
        };
        let old = stored_taints(&object.to_value());
        if !overwrite {
            let exists: Vec<&str> = add
                .iter()
                .flat_map(|t| {
                    old.iter().filter(move |o| o.key == t.key && o.effect == t.effect).map(|_| t.key.as_str())
                })
                .collect();
            if !exists.is_empty() {
                failures.push(Failure::msg(format!(
                    "node {} already has {} taint(s) with same effect(s) and --overwrite is false",
                    key.name,
                    exists.join(",")
                )));
                continue;
            }
        }
        let (operation, new, errors) = reorganize(&old, overwrite, &add, &remove);
        if !errors.is_empty() {
            let message = if errors.len() == 1 { errors[0].clone() } else { format!("[{}]", errors.join(", ")) };
            failures.push(Failure::msg(message));
            continue;
        }
        if dry_run != DryRun::None {
            let mut preview = object.to_value();
            preview["spec"]["taints"] = Value::Array(new);
            let preview =
                stowage_core::Object::from_value_reporting_unknown(Kind::Node, preview, &mut |_| {}).unwrap_or(object);
            print_result(ctx, &preview, operation, dry_run, output.as_deref())?;
            continue;
        }
        let taints = if new.is_empty() { Value::Null } else { Value::Array(new) };
        match ctx.cluster.patch(&key, PatchType::Merge, &json!({"spec": {"taints": taints}})) {
            Ok(after) => print_result(ctx, &after, operation, dry_run, output.as_deref())?,
            Err(error) => failures.push(Failure::Api(error)),
        }
    }
    super::get::finish(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_taint_should_follow_kubectl_forms_and_messages() {
        assert_eq!(
            parse_taint("dedicated=special-user:NoSchedule"),
            Ok(Spec { key: "dedicated".into(), value: "special-user".into(), effect: "NoSchedule".into() })
        );
        assert_eq!(parse_taint("bar:NoExecute").map(|t| t.value), Ok(String::new()));
        assert_eq!(
            parse_taint("a=b:Sometimes"),
            Err("invalid taint effect: Sometimes, unsupported taint effect".into())
        );
        assert_eq!(parse_taint("a=b=c:NoSchedule"), Err("invalid taint spec: a=b=c:NoSchedule".into()));
        assert_eq!(parse_taint("a:b:c"), Err("invalid taint spec: a:b:c".into()));
        assert!(parse_taints(&["a=b".to_string()]).unwrap_err().starts_with("invalid taint spec: a=b, "));
        assert_eq!(
            parse_taints(&["a=1:NoSchedule".to_string(), "a=2:NoSchedule".to_string()]).unwrap_err(),
            "duplicated taints with the same key and effect: {a 2 NoSchedule <nil>}"
        );
    }

    #[test]
    fn reorganize_should_name_the_operation_as_kubectl_does() {
        let old = vec![Stored {
            key: "a".into(),
            value: None,
            effect: "NoSchedule".into(),
            rest: json!({"key": "a", "effect": "NoSchedule"}),
        }];
        let add = |k: &str, e: &str| Spec { key: k.into(), value: String::new(), effect: e.into() };
        assert_eq!(reorganize(&old, false, &[add("b", "NoExecute")], &[]).0, "tainted");
        assert_eq!(reorganize(&old, false, &[], &[add("a", "")]).0, "untainted");
        assert_eq!(reorganize(&old, true, &[add("a", "NoSchedule")], &[]).0, "modified");
        let (_, list, errors) = reorganize(&old, false, &[], &[add("zz", "NoSchedule")]);
        assert_eq!(list.len(), 1);
        assert_eq!(errors, vec!["taint \"zz:NoSchedule\" not found".to_string()]);
    }
}
