//! `kubectl apply` (client-side, with the last-applied annotation and a three-way patch),
//! `kubectl create -f`, `kubectl replace` and `kubectl kustomize`.

use super::args::{FlagSpec, bool_flag, optional_flag, value_flag, values_flag};
use super::resource::{self, Manifest, name_with_kind, with_source};
use super::{Ctx, Failure};
use crate::print::{self, OutputFormat};
use serde_json::{Map, Value};
use stowage_core::Object;
use stowage_core::api::well_known::ANN_LAST_APPLIED;
use stowage_core::apiserver::{DeleteOptions, PatchType};

const APPLY_FLAGS: &[FlagSpec] = &[
    values_flag("filename", Some('f'), true),
    value_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    value_flag("output", Some('o')),
    optional_flag("dry-run", "unchanged"),
    bool_flag("server-side", None),
    bool_flag("force", None),
    bool_flag("prune", None),
    value_flag("selector", Some('l')),
    bool_flag("all", None),
    optional_flag("validate", "strict"),
    bool_flag("overwrite", None),
    value_flag("field-manager", None),
    bool_flag("force-conflicts", None),
    bool_flag("wait", None),
    value_flag("timeout", None),
    value_flag("grace-period", None),
    optional_flag("cascade", "background"),
    bool_flag("record", None),
    bool_flag("show-managed-fields", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    values_flag("prune-allowlist", None, false),
    value_flag("applyset", None),
    value_flag("subresource", None),
];

/// A dry run, as `--dry-run` selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DryRun {
    /// Not a dry run.
    None,
    /// `--dry-run=client`.
    Client,
    /// `--dry-run=server`.
    Server,
}

impl DryRun {
    /// Parses `--dry-run`.
    ///
    /// # Errors
    /// kubectl's message.
    pub fn parse(value: Option<&str>) -> Result<DryRun, Failure> {
        match value {
            None | Some("none") | Some("false") => Ok(DryRun::None),
            Some("client") | Some("true") => Ok(DryRun::Client),
            Some("server") => Ok(DryRun::Server),
            Some("unchanged") => Err(Failure::msg(
                "--dry-run flag without a value was specified. A value must be set: \"none\", \"server\", or \"client\".",
            )),
            Some(other) => Err(Failure::msg(format!(
                "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ))),
        }
    }

    /// The suffix kubectl adds to operations.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// Prints the server's `Warning` headers of the last write, as client-go's warning handler does on stderr.
pub fn print_warnings(ctx: &mut Ctx<'_>) {
    for warning in ctx.cluster.take_warnings() {
        ctx.err.push_str(&format!("Warning: {warning}\n"));
    }
}

/// Prints `kind/name operation`, or the object in the `-o` format.
pub fn print_result(
    ctx: &mut Ctx<'_>,
    object: &Object,
    operation: &str,
    dry_run: DryRun,
    output: Option<&str>,
) -> Result<(), Failure> {
    match output {
        None | Some("") => {
            ctx.out.push_str(&format!(
                "{} {}{}\n",
                name_with_kind(object.kind(), object.name()),
                operation,
                dry_run.suffix()
            ));
        }
        Some("name") => {
            ctx.out.push_str(&format!("{}\n", name_with_kind(object.kind(), object.name())));
        }
        Some(output) => {
            let format = OutputFormat::parse(output).map_err(Failure::msg)?;
            let text = print::format_objects(&[object], &format, false, ctx.cluster.api()).map_err(Failure::msg)?;
            ctx.out.push_str(&text);
        }
    }
    Ok(())
}

/// Reads `-f`/`-k` for a writing command, returning objects and decode failures.
fn manifests_for(
    ctx: &mut Ctx<'_>,
    parsed: &super::args::Parsed,
    verb: &str,
) -> Result<(Vec<Manifest>, Vec<Failure>), Failure> {
    let filenames = parsed.values("filename");
    if let Some(dir) = parsed.value("kustomize") {
        if !filenames.is_empty() {
            return Err(Failure::msg("only one of -f or -k can be specified"));
        }
        return Ok((kustomize_manifests(ctx, dir)?, Vec::new()));
    }
    if filenames.is_empty() {
        return Err(Failure::msg("must specify one of -f and -k"));
    }
    Ok(resource::read_manifests(ctx, &filenames, parsed.bool("recursive").unwrap_or(false), verb))
}

/// Objects from a kustomization directory.
///
/// # Errors
/// kustomize's message.
pub fn kustomize_manifests(ctx: &mut Ctx<'_>, dir: &str) -> Result<Vec<Manifest>, Failure> {
    let values = crate::kustomize::build(ctx.files, dir).map_err(Failure::msg)?;
    let mut manifests = Vec::new();
    let mut failures = Vec::new();
    for value in values {
        let text = serde_json::to_string(&value).unwrap_or_default();
        resource::decode_text(&text, dir, "creating", &mut manifests, &mut failures);
    }
    if let Some(failure) = failures.into_iter().next() {
        return Err(failure);
    }
    Ok(manifests)
}

/// `kubectl kustomize DIR`: prints the built YAML.
pub fn kustomize_build(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, &[value_flag("output", Some('o')), bool_flag("enable-helm", None)])?;
    let dir = parsed.positionals.first().map_or(".", String::as_str).to_string();
    let values = crate::kustomize::build(ctx.files, &dir).map_err(Failure::msg)?;
    let mut out = String::new();
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            out.push_str("---\n");
        }
        out.push_str(&serde_yaml::to_string(&crate::kustomize::sort_keys(value)).unwrap_or_default());
    }
    ctx.out.push_str(&out);
    Ok(())
}

/// The last-applied-configuration: the manifest as compact JSON with sorted keys and a newline.
fn last_applied(object: &Object) -> String {
    let mut value = object.to_value();
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
        if let Some(map) = annotations.as_object_mut() {
            map.remove(ANN_LAST_APPLIED);
        }
        for field in ["resourceVersion", "uid", "creationTimestamp", "generation"] {
            meta.remove(field);
        }
    }
    if let Some(map) = value.as_object_mut() {
        map.remove("status");
    }
    prune_nulls(&mut value);
    let mut text = serde_json::to_string(&crate::kustomize::sort_keys(&value)).unwrap_or_default();
    text.push('\n');
    text
}

fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// Whether every value in `modified` is present and equal in `current`.
fn is_subset(modified: &Value, current: &Value) -> bool {
    match (modified, current) {
        (Value::Object(m), Value::Object(c)) => m.iter().all(|(k, v)| match c.get(k) {
            Some(cv) => is_subset(v, cv),
            None => v.is_null() || v.as_object().is_some_and(Map::is_empty) || v.as_array().is_some_and(Vec::is_empty),
        }),
        (Value::Array(m), Value::Array(c)) => m.len() == c.len() && m.iter().zip(c).all(|(a, b)| is_subset(a, b)),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

/// The patch that takes `current` to `modified`, deleting what `original` had and `modified` dropped.
fn three_way(original: Option<&Value>, modified: &Value, current: &Value) -> Map<String, Value> {
    let mut patch = Map::new();
    let (Some(m), Some(c)) = (modified.as_object(), current.as_object()) else {
        return patch;
    };
    for (key, value) in m {
        match c.get(key) {
            Some(cv) if is_subset(value, cv) => {}
            Some(cv) if value.is_object() && cv.is_object() => {
                let nested = three_way(original.and_then(|o| o.get(key)), value, cv);
                if !nested.is_empty() {
                    patch.insert(key.clone(), Value::Object(nested));
                }
            }
            _ => {
                patch.insert(key.clone(), value.clone());
            }
        }
    }
    if let Some(o) = original.and_then(Value::as_object) {
        for key in o.keys() {
            if !m.contains_key(key) && c.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            } else if let (Some(mv), Some(cv), Some(ov)) = (m.get(key), c.get(key), o.get(key))
                && mv.is_object()
                && cv.is_object()
                && !patch.contains_key(key)
            {
                let nested = three_way(Some(ov), mv, cv);
                if !nested.is_empty() {
                    patch.insert(key.clone(), Value::Object(nested));
                }
            }
        }
    }
    patch
}

/// `kubectl apply`.
pub fn apply(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    if args.first().map(String::as_str) == Some("view-last-applied") {
        return view_last_applied(ctx, &args[1..]);
    }
    let parsed = ctx.parse(args, APPLY_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    if !parsed.positionals.is_empty() {
        return Err(ctx.usage(format!("Unexpected args: [{}]", parsed.positionals.join(" "))));
    }
    if parsed.values("filename").is_empty() && parsed.value("kustomize").is_none() {
        return Err(Failure::msg("error: must specify one of -f and -k"));
    }
    let namespace = ctx.namespace(&parsed);
    let explicit = parsed.namespace().is_some();
    let output = parsed.value("output").map(str::to_string);
    let (manifests, mut failures) = manifests_for(ctx, &parsed, "creating")?;
    if manifests.is_empty() && failures.is_empty() {
        return Err(Failure::msg("no objects passed to apply"));
    }
    for manifest in manifests {
        if let Err(failure) = apply_one(ctx, manifest, &namespace, explicit, dry_run, output.as_deref()) {
            failures.push(failure);
        }
    }
    super::get::finish(failures)
}

fn apply_one(
    ctx: &mut Ctx<'_>,
    manifest: Manifest,
    namespace: &str,
    explicit: bool,
    dry_run: DryRun,
    output: Option<&str>,
) -> Result<(), Failure> {
    let Manifest { mut object, source } = manifest;
    resource::place_in_namespace(&mut object, namespace, explicit)?;
    if object.name().is_empty()
        && let Some(generate) = object.meta().generate_name.clone().filter(|g| !g.is_empty())
    {
        return Err(Failure::msg(format!("from {generate}: cannot use generate name with apply")));
    }
    let annotation = last_applied(&object);
    object.meta_mut().annotations.get_or_insert_with(Default::default).insert(ANN_LAST_APPLIED.to_string(), annotation);
    let key = object.key();
    let current = ctx.cluster.api().store().get(&key).cloned();
    let Some(current) = current else {
        if dry_run != DryRun::None {
            return print_result(ctx, &object, "created", dry_run, output);
        }
        let created = ctx.cluster.create(object);
        print_warnings(ctx);
        let created = created.map_err(|e| Failure::Api(with_source(e, "creating", &source)))?;
        super::hints::after_write(ctx, &created);
        return print_result(ctx, &created, "created", dry_run, output);
    };
    let original: Option<Value> = current
        .meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get(ANN_LAST_APPLIED))
        .and_then(|text| serde_json::from_str(text).ok());
    if original.is_none() {
        ctx.err.push_str(&format!(
            "Warning: resource {} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
            key.kind.info().qualified_plural() + "/" + &key.name
        ));
    }
    let mut modified = object.to_value();
    prune_nulls(&mut modified);
    let patch = three_way(original.as_ref(), &modified, &current.to_value());
    if patch.is_empty() {
        return print_result(ctx, &current, "unchanged", dry_run, output);
    }
    if dry_run != DryRun::None {
        return print_result(ctx, &current, "configured", dry_run, output);
    }
    let patch = Value::Object(patch);
    let result = ctx.cluster.patch(&key, PatchType::Strategic, &patch);
    print_warnings(ctx);
    match result {
        Ok(patched) => {
            if patched.is_terminating() {
                ctx.err.push_str(&format!(
                    "Warning: Detected changes to resource {} which is currently being deleted.\n",
                    key.name
                ));
            }
            super::hints::after_write(ctx, &patched);
            print_result(ctx, &patched, "configured", dry_run, output)
        }
        Err(error) => {
            let info = key.kind.info();
            let verb = format!(
                "applying patch:\n{}\nto:\nResource: \"{}/{}, Resource={}\", GroupVersionKind: \"{}/{}, Kind={}\"\nName: \"{}\", Namespace: \"{}\"\nfor:",
                serde_json::to_string(&crate::kustomize::sort_keys(&patch)).unwrap_or_default(),
                info.group,
                info.version,
                info.plural,
                info.group,
                info.version,
                info.name,
                key.name,
                key.namespace
            );
            Err(Failure::Api(with_source(error, &verb, &source)))
        }
    }
}

fn view_last_applied(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(
        args,
        &[
            value_flag("output", Some('o')),
            values_flag("filename", Some('f'), true),
            value_flag("selector", Some('l')),
            bool_flag("all", None),
        ],
    )?;
    let namespace = ctx.namespace(&parsed);
    let requests = resource::parse_args(&parsed.positionals)?;
    for request in requests {
        for name in &request.names {
            let key = resource::key(request.kind, &namespace, name);
            let Some(object) = ctx.cluster.api().store().get(&key) else {
                return Err(Failure::Api(stowage_core::ApiError::not_found(request.kind, name)));
            };
            let Some(text) = object.meta().annotations.as_ref().and_then(|a| a.get(ANN_LAST_APPLIED)).cloned() else {
                return Err(Failure::msg(format!(
                    "no last-applied-configuration annotation found on resource: {name}"
                )));
            };
            let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if parsed.value("output") == Some("json") {
                ctx.out.push_str(&serde_json::to_string_pretty(&value).unwrap_or_default());
                ctx.out.push('\n');
            } else {
                ctx.out.push_str(&serde_yaml::to_string(&value).unwrap_or_default());
            }
        }
    }
    Ok(())
}

const CREATE_FLAGS: &[FlagSpec] = &[
    values_flag("filename", Some('f'), true),
    value_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    value_flag("output", Some('o')),
    optional_flag("dry-run", "unchanged"),
    bool_flag("save-config", None),
    optional_flag("validate", "strict"),
    bool_flag("edit", None),
    value_flag("raw", None),
    bool_flag("windows-line-endings", None),
    value_flag("field-manager", None),
    value_flag("selector", Some('l')),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
];

/// `kubectl create -f`.
pub fn create_from_files(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, CREATE_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    if !parsed.positionals.is_empty() {
        return Err(ctx.usage(format!("Unexpected args: [{}]", parsed.positionals.join(" "))));
    }
    if parsed.values("filename").is_empty() && parsed.value("kustomize").is_none() {
        return Err(ctx.usage("must specify one of -f and -k"));
    }
    let namespace = ctx.namespace(&parsed);
    let explicit = parsed.namespace().is_some();
    let save_config = parsed.bool("save-config").map_err(Failure::msg)?;
    let output = parsed.value("output").map(str::to_string);
    let (manifests, mut failures) = manifests_for(ctx, &parsed, "creating")?;
    if manifests.is_empty() && failures.is_empty() {
        return Err(Failure::msg("no objects passed to create"));
    }
    for Manifest { mut object, source } in manifests {
        if let Err(failure) = resource::place_in_namespace(&mut object, &namespace, explicit) {
            failures.push(failure);
            continue;
        }
        if save_config {
            let annotation = last_applied(&object);
            object
                .meta_mut()
                .annotations
                .get_or_insert_with(Default::default)
                .insert(ANN_LAST_APPLIED.to_string(), annotation);
        }
        if dry_run != DryRun::None {
            print_result(ctx, &object, "created", dry_run, output.as_deref())?;
            continue;
        }
        let result = ctx.cluster.create(object);
        print_warnings(ctx);
        match result {
            Ok(created) => {
                super::hints::after_write(ctx, &created);
                print_result(ctx, &created, "created", dry_run, output.as_deref())?;
            }
            Err(error) => failures.push(Failure::Api(with_source(error, "creating", &source))),
        }
    }
    super::get::finish(failures)
}

const REPLACE_FLAGS: &[FlagSpec] = &[
    values_flag("filename", Some('f'), true),
    value_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    value_flag("output", Some('o')),
    bool_flag("force", None),
    optional_flag("cascade", "background"),
    value_flag("grace-period", None),
    value_flag("timeout", None),
    bool_flag("wait", None),
    optional_flag("dry-run", "unchanged"),
    bool_flag("save-config", None),
    optional_flag("validate", "strict"),
    value_flag("subresource", None),
    value_flag("raw", None),
    value_flag("field-manager", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
];

/// `kubectl replace -f` (and `--force`: delete, then create).
pub fn replace(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, REPLACE_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    if parsed.values("filename").is_empty() && parsed.value("kustomize").is_none() {
        return Err(ctx.usage("must specify --filename to replace"));
    }
    let namespace = ctx.namespace(&parsed);
    let explicit = parsed.namespace().is_some();
    let force = parsed.bool("force").map_err(Failure::msg)?;
    let output = parsed.value("output").map(str::to_string);
    let (manifests, mut failures) = manifests_for(ctx, &parsed, "replacing")?;
    for Manifest { mut object, source } in manifests {
        if let Err(failure) = resource::place_in_namespace(&mut object, &namespace, explicit) {
            failures.push(failure);
            continue;
        }
        let key = object.key();
        if dry_run != DryRun::None {
            print_result(ctx, &object, "replaced", dry_run, output.as_deref())?;
            continue;
        }
        if force {
            match ctx.cluster.delete(&key, DeleteOptions::default()) {
                Ok(_) => {
                    let location = if key.kind.is_namespaced() {
                        format!(" from {} namespace", key.namespace)
                    } else {
                        String::new()
                    };
                    ctx.out.push_str(&format!(
                        "{} \"{}\" deleted{}\n",
                        key.kind.info().qualified_singular(),
                        key.name,
                        location
                    ));
                    ctx.cluster.settle();
                }
                Err(error) if error.reason == stowage_core::api::StatusReason::NotFound => {}
                Err(error) => {
                    failures.push(Failure::Api(with_source(error, "deleting", &source)));
                    continue;
                }
            }
            object.meta_mut().resource_version = None;
            let result = ctx.cluster.create(object);
            print_warnings(ctx);
            match result {
                Ok(created) => print_result(ctx, &created, "replaced", dry_run, output.as_deref())?,
                Err(error) => failures.push(Failure::Api(with_source(error, "replacing", &source))),
            }
            continue;
        }
        let result = ctx.cluster.update(object);
        print_warnings(ctx);
        match result {
            Ok(updated) => print_result(ctx, &updated, "replaced", dry_run, output.as_deref())?,
            Err(error) => failures.push(Failure::Api(with_source(error, "replacing", &source))),
        }
    }
    super::get::finish(failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn three_way_should_ignore_server_defaults_and_delete_dropped_fields() {
        let original = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"x": 1}});
        let modified = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 1}});
        let current =
            json!({"metadata": {"labels": {"a": "1", "b": "2"}, "uid": "u"}, "spec": {"x": 1, "defaulted": true}});
        let patch = three_way(Some(&original), &modified, &current);
        assert_eq!(Value::Object(patch), json!({"metadata": {"labels": {"b": null}}}));
        let unchanged = three_way(Some(&modified), &modified, &current);
        assert!(unchanged.is_empty());
    }
}
