//! `kubectl patch`, `kubectl scale`, `kubectl label` and `kubectl annotate`.

use super::apply::{DryRun, print_result};
use super::args::{FlagSpec, bool_flag, optional_flag, value_flag, values_flag};
use super::resource::{self, SelectOptions, with_source};
use super::{Ctx, Failure, FileEntry};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use stowage_core::apiserver::PatchType;
use stowage_core::{ApiError, Kind, Object};

const PATCH_FLAGS: &[FlagSpec] = &[
    value_flag("patch", Some('p')),
    value_flag("patch-file", None),
    value_flag("type", None),
    values_flag("filename", Some('f'), true),
    value_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    value_flag("output", Some('o')),
    optional_flag("dry-run", "unchanged"),
    bool_flag("local", None),
    value_flag("subresource", None),
    value_flag("field-manager", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
];

/// `kubectl patch`.
pub fn patch(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, PATCH_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let namespace = ctx.namespace(&parsed);
    let patch_text = match (parsed.value("patch"), parsed.value("patch-file")) {
        (Some(_), Some(_)) => {
            return Err(Failure::msg("cannot specify --patch and --patch-file together"));
        }
        (None, None) => {
            return Err(Failure::msg("must specify --patch or --patch-file containing the contents of the patch"));
        }
        (Some(text), None) => text.to_string(),
        (None, Some(path)) => match ctx.files.open(path) {
            Ok(FileEntry::File(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            _ => {
                return Err(Failure::msg(format!("unable to read patch file: open {path}: no such file or directory")));
            }
        },
    };
    let patch_type = match parsed.value("type").unwrap_or("strategic") {
        "strategic" => PatchType::Strategic,
        "merge" => PatchType::Merge,
        "json" => PatchType::Json,
        other => {
            return Err(Failure::msg(format!("--type must be one of [json merge strategic], not \"{other}\"")));
        }
    };
    let patch: Value = match serde_json::from_str(&patch_text) {
        Ok(value) => value,
        Err(_) => match stowage_core::api::decode::yaml_value(&patch_text) {
            Ok(value) if !value.is_null() && !value.is_string() => value,
            Ok(_) => {
                return Err(Failure::msg(format!(
                    "unable to parse \"{patch_text}\": json: cannot unmarshal string into Go value of type map[string]interface {{}}"
                )));
            }
            Err(error) => {
                return Err(Failure::msg(format!(
                    "unable to parse \"{patch_text}\": {}",
                    error.to_string().replace("error converting YAML to JSON: ", "")
                )));
            }
        },
    };
    let filenames = parsed.values("filename");
    let options = SelectOptions {
        args: &parsed.positionals,
        filenames: &filenames,
        recursive: parsed.bool("recursive").unwrap_or(false),
        label: None,
        field: None,
        all: false,
        all_namespaces: false,
        namespace: &namespace,
        explicit_namespace: parsed.namespace().is_some(),
        verb: "patching",
    };
    if parsed.positionals.is_empty() && filenames.is_empty() {
        return Err(Failure::msg(
            "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        ));
    }
    let selection = resource::select(ctx, &options)?;
    if !selection.by_name {
        return Err(Failure::msg("resource(s) were provided, but no name was specified"));
    }
    let mut failures = selection.failures;
    let output = parsed.value("output").map(str::to_string);
    for key in selection.keys {
        let Some(before) = ctx.cluster.api().store().get(&key).cloned() else {
            continue;
        };
        if dry_run != DryRun::None {
            print_result(ctx, &before, "patched", dry_run, output.as_deref())?;
            continue;
        }
        let result = ctx.cluster.patch(&key, patch_type, &patch);
        super::apply::print_warnings(ctx);
        match result {
            Ok(after) => {
                let changed = after.meta().resource_version != before.meta().resource_version;
                super::hints::after_patch(ctx, &before, &after);
                print_result(
                    ctx,
                    &after,
                    if changed { "patched" } else { "patched (no change)" },
                    dry_run,
                    output.as_deref(),
                )?;
            }
            Err(error) => {
                super::hints::after_failed_patch(ctx, &before, &patch, &error);
                failures.push(Failure::Api(error));
            }
        }
    }
    super::get::finish(failures)
}

const SCALE_FLAGS: &[FlagSpec] = &[
    value_flag("replicas", None),
    value_flag("current-replicas", None),
    value_flag("resource-version", None),
    value_flag("selector", Some('l')),
    bool_flag("all", None),
    values_flag("filename", Some('f'), true),
    value_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    value_flag("output", Some('o')),
    optional_flag("dry-run", "unchanged"),
    value_flag("timeout", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
];

fn replicas_of(object: &Object) -> Option<i32> {
    object.to_value().pointer("/spec/replicas").and_then(Value::as_i64).map(|r| r as i32)
}

/// `kubectl scale`.
pub fn scale(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, SCALE_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let namespace = ctx.namespace(&parsed);
    let replicas = parsed.int("replicas").map_err(Failure::msg)?.unwrap_or(-1);
    if replicas < 0 {
        return Err(Failure::msg(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        ));
    }
    let current = parsed.int("current-replicas").map_err(Failure::msg)?.unwrap_or(-1);
    if current < -1 {
        return Err(Failure::msg("The --current-replicas must specify an integer of -1 or greater"));
    }
    let filenames = parsed.values("filename");
    let all = parsed.bool("all").map_err(Failure::msg)?;
    let options = SelectOptions {
        args: &parsed.positionals,
        filenames: &filenames,
        recursive: parsed.bool("recursive").unwrap_or(false),
        label: parsed.value("selector"),
        field: None,
        all,
        all_namespaces: false,
        namespace: &namespace,
        explicit_namespace: parsed.namespace().is_some(),
        verb: "scaling",
    };
    if parsed.positionals.is_empty() && filenames.is_empty() {
        return Err(ctx.usage(
            "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        ));
    }
    let selection = resource::select(ctx, &options)?;
    let mut failures = selection.failures;
    if selection.keys.is_empty() && failures.is_empty() {
        return Err(Failure::msg("no objects passed to scale"));
    }
    let output = parsed.value("output").map(str::to_string);
    for key in selection.keys {
        if !matches!(key.kind, Kind::StatefulSet | Kind::Deployment | Kind::ReplicaSet) {
            failures.push(Failure::Api(ApiError::new(
                stowage_core::api::StatusReason::NotFound,
                "the server could not find the requested resource",
            )));
            continue;
        }
        let Some(object) = ctx.cluster.api().store().get(&key).cloned() else {
            continue;
        };
        if current >= 0 {
            let actual = replicas_of(&object).unwrap_or(1);
            if i64::from(actual) != current {
                failures.push(Failure::msg(format!("Expected replicas to be {current}, was {actual}")));
                continue;
            }
        }
        if dry_run != DryRun::None {
            print_result(ctx, &object, "scaled", dry_run, output.as_deref())?;
            continue;
        }
        match ctx.cluster.patch(&key, PatchType::Merge, &json!({"spec": {"replicas": replicas}})) {
            Ok(after) => print_result(ctx, &after, "scaled", dry_run, output.as_deref())?,
            Err(error) => failures.push(Failure::Api(error)),
        }
    }
    super::get::finish(failures)
}

/// Which metadata map `label` or `annotate` edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetaField {
    /// `kubectl label`.
    Labels,
    /// `kubectl annotate`.
    Annotations,
}

const LABEL_FLAGS: &[FlagSpec] = &[
    bool_flag("overwrite", None),
    bool_flag("all", None),
    bool_flag("all-namespaces", Some('A')),
    value_flag("selector", Some('l')),
    value_flag("field-selector", None),
    bool_flag("list", None),
    bool_flag("local", None),
    values_flag("filename", Some('f'), true),
    value_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    value_flag("output", Some('o')),
    optional_flag("dry-run", "unchanged"),
    value_flag("resource-version", None),
    value_flag("field-manager", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
];

/// `kubectl label` and `kubectl annotate`.
pub fn label(ctx: &mut Ctx<'_>, args: &[String], field: MetaField) -> Result<(), Failure> {
    let parsed = ctx.parse(args, LABEL_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let namespace = ctx.namespace(&parsed);
    let overwrite = parsed.bool("overwrite").map_err(Failure::msg)?;
    let list = parsed.bool("list").map_err(Failure::msg)?;
    let all = parsed.bool("all").map_err(Failure::msg)?;
    let (noun, past) = match field {
        MetaField::Labels => ("label", "labeled"),
        MetaField::Annotations => ("annotation", "annotated"),
    };
    if list && parsed.has("output") {
        return Err(Failure::msg("--list and --output may not be specified together"));
    }
    if all && parsed.has("selector") {
        return Err(Failure::msg("cannot set --all and --selector at the same time"));
    }
    // Resources come first; `key=value` and `key-` are the changes.
    let mut resources = Vec::new();
    let mut changes = Vec::new();
    for arg in &parsed.positionals {
        if arg.contains('=') || (arg.ends_with('-') && !resources.is_empty()) {
            changes.push(arg.clone());
        } else if changes.is_empty() {
            resources.push(arg.clone());
        } else {
            return Err(Failure::msg(format!("unknown {noun} spec: {arg}")));
        }
    }
    let mut set: BTreeMap<String, String> = BTreeMap::new();
    let mut remove: Vec<String> = Vec::new();
    for change in &changes {
        if let Some((key, value)) = change.split_once('=') {
            if key.is_empty() {
                return Err(Failure::msg(format!("invalid {noun} spec: {change}")));
            }
            set.insert(key.to_string(), value.to_string());
        } else if let Some(key) = change.strip_suffix('-') {
            remove.push(key.to_string());
        }
    }
    if let Some(both) = remove.iter().find(|k| set.contains_key(*k)) {
        return Err(Failure::msg(match field {
            MetaField::Labels => "can not both modify and remove a label in the same command".to_string(),
            MetaField::Annotations => {
                format!("can not both modify and remove the following annotation(s) in the same command: {both}")
            }
        }));
    }
    let filenames = parsed.values("filename");
    if resources.is_empty() && filenames.is_empty() {
        return Err(ctx.usage("one or more resources must be specified as <resource> <name> or <resource>/<name>"));
    }
    if set.is_empty() && remove.is_empty() && !list {
        return Err(ctx.usage(format!("at least one {noun} update is required")));
    }
    let options = SelectOptions {
        args: &resources,
        filenames: &filenames,
        recursive: parsed.bool("recursive").unwrap_or(false),
        label: parsed.value("selector"),
        field: parsed.value("field-selector"),
        all,
        all_namespaces: parsed.bool("all-namespaces").unwrap_or(false),
        namespace: &namespace,
        explicit_namespace: parsed.namespace().is_some(),
        verb: "labeling",
    };
    let selection = resource::select(ctx, &options)?;
    if !(selection.by_name || all || parsed.has("selector") || parsed.has("field-selector")) {
        return Err(Failure::msg("resource(s) were provided, but no name was specified"));
    }
    let mut failures = selection.failures;
    let output = parsed.value("output").map(str::to_string);
    for (index, key) in selection.keys.iter().enumerate() {
        let Some(object) = ctx.cluster.api().store().get(key).cloned() else {
            continue;
        };
        let current: BTreeMap<String, String> = match field {
            MetaField::Labels => object.meta().labels.clone().unwrap_or_default(),
            MetaField::Annotations => object.meta().annotations.clone().unwrap_or_default(),
        };
        if list {
            let info = key.kind.info();
            let title = if field == MetaField::Labels { "labels" } else { "annotations" };
            ctx.out.push_str(&format!("Listing {title} for {}.{}/{}:\n", info.name, info.group, key.name));
            for (k, v) in &current {
                ctx.out.push_str(&format!(" {k}={v}\n"));
            }
            continue;
        }
        if !overwrite {
            let conflicts: Vec<String> = set
                .iter()
                .filter_map(|(k, v)| {
                    current.get(k).filter(|old| *old != v).map(|old| format!("'{k}' already has a value ({old})"))
                })
                .collect();
            if !conflicts.is_empty() {
                failures.push(Failure::msg(match field {
                    MetaField::Labels => format!("{}, and --overwrite is false", conflicts[0]),
                    MetaField::Annotations => {
                        format!(
                            "--overwrite is false but found the following declared annotation(s): {}",
                            conflicts.join("; ")
                        )
                    }
                }));
                continue;
            }
        }
        let mut new = current.clone();
        let mut patch_map = Map::new();
        for key_name in &remove {
            if new.remove(key_name).is_none() {
                if field == MetaField::Labels {
                    ctx.out.push_str(&format!("label \"{key_name}\" not found.\n"));
                }
            } else {
                patch_map.insert(key_name.clone(), Value::Null);
            }
        }
        for (k, v) in &set {
            new.insert(k.clone(), v.clone());
            patch_map.insert(k.clone(), Value::String(v.clone()));
        }
        let operation = match field {
            MetaField::Labels if new == current => "not labeled",
            MetaField::Labels if !overwrite && new.len() < current.len() => "unlabeled",
            _ => past,
        };
        if dry_run != DryRun::None || patch_map.is_empty() {
            print_result(ctx, &object, operation, dry_run, output.as_deref())?;
            continue;
        }
        let map_name = if field == MetaField::Labels { "labels" } else { "annotations" };
        let patch = json!({"metadata": {map_name: Value::Object(patch_map)}});
        match ctx.cluster.patch(key, PatchType::Merge, &patch) {
            Ok(after) => print_result(ctx, &after, operation, dry_run, output.as_deref())?,
            Err(error) => {
                let source = selection.sources.get(index).cloned().unwrap_or_default();
                failures.push(Failure::Api(with_source(error, "labeling", &source)));
            }
        }
    }
    super::get::finish(failures)
}
