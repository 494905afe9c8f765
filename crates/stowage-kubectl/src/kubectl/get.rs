//! `kubectl get` (tables, `-o` formats, `-w` until the cluster settles) and `kubectl events`.

use super::args::{FlagSpec, bool_flag, optional_flag, value_flag, values_flag};
use super::resource::{self, Filter, Request};
use super::{Ctx, Failure};
use crate::print::{self, OutputFormat, TableOptions};
use stowage_core::api::ApiError;
use stowage_core::{Kind, Object, ObjectKey};

const GET_FLAGS: &[FlagSpec] = &[
    value_flag("output", Some('o')),
    value_flag("selector", Some('l')),
    value_flag("field-selector", None),
    bool_flag("all-namespaces", Some('A')),
    bool_flag("watch", Some('w')),
    bool_flag("watch-only", None),
    bool_flag("show-labels", None),
    bool_flag("no-headers", None),
    values_flag("label-columns", Some('L'), true),
    bool_flag("show-kind", None),
    values_flag("filename", Some('f'), true),
    bool_flag("recursive", Some('R')),
    value_flag("kustomize", Some('k')),
    value_flag("sort-by", None),
    value_flag("chunk-size", None),
    bool_flag("ignore-not-found", None),
    bool_flag("output-watch-events", None),
    value_flag("raw", None),
    value_flag("subresource", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    optional_flag("server-print", "true"),
];

/// The most simulation steps a watch follows before it stops.
const WATCH_STEPS_MAX: u64 = 20_000;

/// `kubectl get`.
pub fn get(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, GET_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let all_namespaces = parsed.bool("all-namespaces").map_err(Failure::msg)?;
    let output = parsed.value("output").unwrap_or("");
    let format =
        if output.is_empty() { OutputFormat::Table } else { OutputFormat::parse(output).map_err(Failure::msg)? };
    let files = ctx.files;
    let format = format.resolve_files(&|path| resource::read_text(files, path)).map_err(Failure::msg)?;
    let show_labels = parsed.bool("show-labels").map_err(Failure::msg)?;
    if show_labels && !matches!(format, OutputFormat::Table | OutputFormat::Wide) {
        return Err(Failure::msg(format!("--show-labels option cannot be used with {output} printer")));
    }
    let watch = parsed.bool("watch").map_err(Failure::msg)? || parsed.bool("watch-only").map_err(Failure::msg)?;
    let ignore_not_found = parsed.bool("ignore-not-found").map_err(Failure::msg)?;
    let filenames = parsed.values("filename");
    let kustomize = parsed.value("kustomize").map(str::to_string);

    // Which objects: from files, or from type/name arguments.
    let mut failures: Vec<Failure> = Vec::new();
    let mut found: Vec<ObjectKey> = Vec::new();
    let single_item;
    let mut kinds_requested: Vec<Kind> = Vec::new();
    let mut watch_filter = Filter::default();
    if !filenames.is_empty() || kustomize.is_some() {
        let manifests = if let Some(dir) = kustomize {
            super::apply::kustomize_manifests(ctx, &dir)?
        } else {
            let (manifests, errors) =
                resource::read_manifests(ctx, &filenames, parsed.bool("recursive").unwrap_or(false), "getting");
            failures.extend(errors);
            manifests
        };
        single_item = manifests.len() == 1;
        for mut manifest in manifests {
            resource::place_in_namespace(&mut manifest.object, &namespace, parsed.namespace().is_some())?;
            let key = manifest.object.key();
            if ctx.cluster.api().store().get(&key).is_some() {
                found.push(key);
            } else if !ignore_not_found {
                failures.push(Failure::Api(ApiError::not_found(key.kind, &key.name)));
            }
            if !kinds_requested.contains(&manifest.object.kind()) {
                kinds_requested.push(manifest.object.kind());
            }
        }
    } else {
        if parsed.positionals.is_empty() {
            ctx.err.push_str("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\n");
            return Err(ctx.usage(
                "Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).",
            ));
        }
        let requests = resource::parse_args(&parsed.positionals)?;
        kinds_requested = requests.iter().map(|r| r.kind).collect();
        let filter = Filter::new(ctx, parsed.value("selector"), parsed.value("field-selector"), &kinds_requested)?;
        watch_filter = filter.clone();
        single_item = requests.len() == 1 && requests[0].names.len() == 1;
        for Request { kind, names } in &requests {
            if names.is_empty() {
                let scope = if all_namespaces { None } else { Some(namespace.as_str()) };
                found.extend(resource::list(ctx, *kind, scope, &filter).iter().map(|o| o.key()));
            } else {
                for name in names {
                    let key = resource::key(*kind, &namespace, name);
                    match ctx.cluster.api().store().get(&key) {
                        Some(object) if filter.matches(object) => found.push(key),
                        Some(_) => {}
                        None if ignore_not_found => {}
                        None => failures.push(Failure::Api(ApiError::not_found(*kind, name))),
                    }
                }
            }
        }
        if parsed.value("field-selector").is_some() || parsed.value("selector").is_some() {
            super::hints::after_selector_get(ctx, &kinds_requested, parsed.value("field-selector"), found.is_empty());
        }
        super::hints::after_get(ctx, &found);
    }

    if kinds_requested.contains(&Kind::Endpoints) {
        // The API server's deprecation warning for core/v1 Endpoints (KEP-4974, 1.33+).
        ctx.err.push_str("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n");
    }
    let api = ctx.cluster.api();
    let objects: Vec<&Object> = found.iter().filter_map(|k| api.store().get(k)).collect();
    let mut objects = objects;
    if let Some(sort_by) = parsed.value("sort-by") {
        sort_objects(&mut objects, sort_by);
    }
    let table = matches!(format, OutputFormat::Table | OutputFormat::Wide);
    // The server answers each requested kind with a table, so several requested kinds print with
    // kind prefixes even when only one of them has objects.
    let with_kind = {
        let mut kinds = kinds_requested.clone();
        kinds.sort();
        kinds.dedup();
        kinds.len() > 1 || parsed.bool("show-kind").unwrap_or(false)
    };
    let options = TableOptions {
        wide: matches!(format, OutputFormat::Wide),
        show_labels,
        no_headers: parsed.bool("no-headers").map_err(Failure::msg)?,
        with_namespace: all_namespaces,
        with_kind,
        label_columns: parsed.values("label-columns"),
    };
    let mut printed = String::new();
    if !parsed.bool("watch-only").unwrap_or(false) {
        if table {
            // One table per run of objects of the same kind, separated by a blank line.
            let mut start = 0;
            while start < objects.len() {
                let kind = objects[start].kind();
                let mut end = start;
                while end < objects.len() && objects[end].kind() == kind {
                    end += 1;
                }
                let options =
                    TableOptions { with_namespace: options.with_namespace && kind.is_namespaced(), ..options.clone() };
                let text = print::table(kind, &objects[start..end], &options, api);
                if !printed.is_empty() && !text.is_empty() && !options.no_headers {
                    printed.push('\n');
                }
                printed.push_str(&text);
                start = end;
            }
        } else if !objects.is_empty() || !single_item {
            let format_options = print::FormatOptions {
                no_headers: options.no_headers,
                show_managed_fields: parsed.bool("show-managed-fields").unwrap_or(false),
            };
            printed = print::format_objects_at(
                &objects,
                &format,
                !single_item || objects.len() != 1,
                &format_options,
                &print::PrintContext::of(api),
            )
            .map_err(Failure::msg)?;
        }
    }
    ctx.out.push_str(&printed);
    // kubectl's watch path prints no "No resources found": it just waits for events.
    if objects.is_empty() && failures.is_empty() && !ignore_not_found && table && !watch {
        if all_namespaces || kinds_requested.iter().any(|k| !k.is_namespaced()) {
            ctx.err.push_str("No resources found\n");
        } else {
            ctx.err.push_str(&format!("No resources found in {namespace} namespace.\n"));
        }
    }
    if watch {
        if found.len() > 1 && single_item {
            return Err(Failure::msg(
                "watch is only supported on individual resources and resource collections - more than 1 resource was found",
            ));
        }
        let scope = if all_namespaces { None } else { Some(namespace.clone()) };
        let watched = Watched {
            kinds: &kinds_requested,
            namespace: scope.as_deref(),
            named: &found,
            single_item,
            filter: &watch_filter,
        };
        follow_watch(ctx, &watched, &format, &options);
    }
    finish(failures)
}

/// Turns collected failures into the command's result.
pub fn finish(mut failures: Vec<Failure>) -> Result<(), Failure> {
    match failures.len() {
        0 => Ok(()),
        1 => Err(failures.remove(0)),
        _ => Err(Failure::Many(failures)),
    }
}

/// Sorts by a `--sort-by` JSONPath such as `.metadata.name` or `{.spec.capacity.storage}`.
fn sort_objects(objects: &mut [&Object], path: &str) {
    let path = path.trim_start_matches('{').trim_end_matches('}').trim_start_matches('.');
    let value_at = |object: &Object| -> serde_json::Value {
        let mut value = object.to_value();
        for part in path.split('.').filter(|p| !p.is_empty()) {
            value = value.get(part).cloned().unwrap_or(serde_json::Value::Null);
        }
        value
    };
    objects.sort_by(|a, b| {
        let (a, b) = (value_at(a), value_at(b));
        match (&a, &b) {
            (serde_json::Value::Number(x), serde_json::Value::Number(y)) => {
                x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(std::cmp::Ordering::Equal)
            }
            _ => {
                let text = |v: &serde_json::Value| match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                text(&a).cmp(&text(&b))
            }
        }
    });
}

/// Steps the cluster until it settles, printing a row for every change to a watched object.
/// Rows keep the column widths of what was printed before, as kubectl's tabwriter remembers them.
/// What a watch follows: kinds in a namespace matching the selectors, or the named objects.
struct Watched<'a> {
    kinds: &'a [Kind],
    namespace: Option<&'a str>,
    named: &'a [ObjectKey],
    single_item: bool,
    filter: &'a Filter,
}

fn follow_watch(ctx: &mut Ctx<'_>, watched: &Watched<'_>, format: &OutputFormat, options: &TableOptions) {
    let Watched { kinds, namespace, named, single_item, filter } = *watched;
    let mut cursor = ctx.cluster.api().store().last_resource_version();
    let mut steps = 0;
    // What each kind's table printed so far (snapshots), to keep column widths.
    let mut printed: Vec<(Kind, Vec<Object>)> = Vec::new();
    for key in named {
        if let Some(object) = ctx.cluster.api().store().get(key).cloned() {
            match printed.iter_mut().find(|(k, _)| *k == key.kind) {
                Some((_, rows)) => rows.push(object),
                None => printed.push((key.kind, vec![object])),
            }
        }
    }
    let mut header_printed = !ctx.out.is_empty();
    while !ctx.cluster.is_settled() && steps < WATCH_STEPS_MAX {
        if ctx.cluster.step().is_none() {
            break;
        }
        steps += 1;
        let changes: Vec<_> = ctx.cluster.api().store().changes_after(cursor).to_vec();
        if let Some(last) = changes.last() {
            cursor = last.resource_version;
        }
        for change in changes {
            let key = &change.key;
            let watched = if single_item {
                named.contains(key)
            } else {
                kinds.contains(&key.kind) && namespace.is_none_or(|ns| !key.kind.is_namespaced() || key.namespace == ns)
            };
            if !watched {
                continue;
            }
            let api = ctx.cluster.api();
            // Selectors apply to the watch as to the list (an object leaving the selection is not shown).
            if api.store().get(key).is_some_and(|o| !filter.matches(o)) {
                continue;
            }
            // An object already gone is printed as it was when deleted (a DELETED event's object).
            let Some(object) =
                api.store().get(key).or_else(|| api.store().deleted_since(key, change.resource_version)).cloned()
            else {
                continue;
            };
            let text = match format {
                OutputFormat::Table | OutputFormat::Wide => {
                    let rows = match printed.iter_mut().find(|(k, _)| *k == key.kind) {
                        Some((_, rows)) => rows,
                        None => {
                            printed.push((key.kind, Vec::new()));
                            &mut printed.last_mut().expect("just pushed").1
                        }
                    };
                    rows.push(object);
                    let refs: Vec<&Object> = rows.iter().collect();
                    let table = print::table(key.kind, &refs, options, api);
                    let lines: Vec<&str> = table.lines().collect();
                    let mut text = String::new();
                    if !header_printed && !options.no_headers && lines.len() > 1 {
                        text.push_str(lines[0]);
                        text.push('\n');
                    }
                    if let Some(last) = lines.last() {
                        text.push_str(last);
                        text.push('\n');
                    }
                    text
                }
                other => print::format_objects(&[&object], other, false, api).unwrap_or_default(),
            };
            ctx.out.push_str(&text);
            header_printed = true;
        }
    }
}

const EVENTS_FLAGS: &[FlagSpec] = &[
    bool_flag("all-namespaces", Some('A')),
    value_flag("output", Some('o')),
    value_flag("for", None),
    values_flag("types", None, true),
    bool_flag("watch", Some('w')),
    bool_flag("no-headers", None),
    value_flag("chunk-size", None),
    bool_flag("show-managed-fields", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
];

/// `kubectl events`.
pub fn events(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, EVENTS_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let all_namespaces = parsed.bool("all-namespaces").map_err(Failure::msg)?;
    if !parsed.positionals.is_empty() {
        return Err(ctx.usage(format!("unknown command {:?}", parsed.positionals[0])));
    }
    let for_object = match parsed.value("for") {
        Some(target) => {
            let Some((kind, name)) = target.split_once('/') else {
                return Err(Failure::msg("--for must be in resource/name form"));
            };
            let kind = super::kind_of(kind)?;
            Some(resource::key(kind, &namespace, name))
        }
        None => None,
    };
    let scope = if all_namespaces { None } else { Some(namespace.as_str()) };
    if let Some(output) = parsed.value("output") {
        let format = OutputFormat::parse(output).map_err(Failure::msg)?;
        let api = ctx.cluster.api();
        let events: Vec<&Object> =
            api.store().list(Kind::Event).filter(|e| scope.is_none_or(|ns| e.namespace() == ns)).collect();
        let text = print::format_objects(&events, &format, true, api).map_err(Failure::msg)?;
        ctx.out.push_str(&text);
        return Ok(());
    }
    let text = print::events_table(ctx.cluster.api(), scope, for_object.as_ref());
    if text.is_empty() {
        if all_namespaces {
            ctx.err.push_str("No events found.\n");
        } else {
            ctx.err.push_str(&format!("No events found in {namespace} namespace.\n"));
        }
    } else {
        ctx.out.push_str(&text);
    }
    Ok(())
}
