//! kubectl's printers: `get` tables, `describe`, `events`, and the `-o` formats (json, yaml, name,
//! jsonpath, custom-columns, go-template), byte for byte as kubectl 1.34 prints them.
//!
//! Every function reads a [`PrintContext`] (the store and the current simulated time); the
//! `ApiServer`-taking functions are shorthands that read both from the API server.
//!
//! # Errors
//! Every `Err(String)` here is the complete message kubectl writes to stderr, `error: ` prefix
//! included. Like kubectl's `CheckErr`, the command layer appends a newline unless the message
//! already ends with one (template execution errors do).

mod columns;
mod custom_columns;
mod describe;
mod events;
mod fields;
mod gojson;
mod jsonpath;
mod table;
mod tabwriter;
mod template;
mod time;
mod yaml;

#[cfg(test)]
mod tests;

pub use columns::{Column, columns};
pub use jsonpath::JsonPath;
pub use table::kind_prefix;
pub use tabwriter::{layout_describe, layout_table};

use serde_json::Value;
use stowage_core::apiserver::ApiServer;
use stowage_core::store::Store;
use stowage_core::{Kind, Object, ObjectKey, SimTime};

/// What printers read: the stored objects (for events, pods using a claim...) and the clock (AGE).
#[derive(Clone, Copy, Debug)]
pub struct PrintContext<'a> {
    /// The object store.
    pub store: &'a Store,
    /// The current simulated time.
    pub now: SimTime,
}

impl<'a> PrintContext<'a> {
    /// The API server's store at its current time.
    pub fn of(api: &'a ApiServer) -> PrintContext<'a> {
        PrintContext { store: api.store(), now: api.now() }
    }
}

/// Options of `kubectl get`'s table printer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// `-o wide`: also the priority-1 columns.
    pub wide: bool,
    /// `--show-labels`: a LABELS column last.
    pub show_labels: bool,
    /// `--no-headers`.
    pub no_headers: bool,
    /// `-A` on a namespaced kind: a NAMESPACE column first.
    pub with_namespace: bool,
    /// Several kinds printed together: names as `persistentvolume/pv-1`.
    pub with_kind: bool,
    /// `-L key`: one column per label key, headed by the key's last path segment uppercased.
    pub label_columns: Vec<String>,
}

/// One table (header + rows) for objects of one kind, as `kubectl get` prints it.
/// Empty when `objects` is empty: kubectl then prints nothing on stdout (see [`no_resources_found`]).
pub fn table(kind: Kind, objects: &[&Object], options: &TableOptions, api: &ApiServer) -> String {
    table_at(kind, objects, options, &PrintContext::of(api))
}

/// [`table`] for an explicit context.
pub fn table_at(kind: Kind, objects: &[&Object], options: &TableOptions, ctx: &PrintContext<'_>) -> String {
    table::render(kind, objects, options, ctx)
}

/// kubectl's stderr line when a `get` printed nothing: `No resources found in <ns> namespace.` for a
/// namespaced request, `No resources found` otherwise (cluster-scoped kinds and `-A`).
pub fn no_resources_found(namespace: Option<&str>) -> String {
    match namespace {
        Some(namespace) => format!("No resources found in {namespace} namespace."),
        None => "No resources found".to_string(),
    }
}

/// `kubectl describe` output for one object, with its Events section; `None` if it does not exist.
pub fn describe(api: &ApiServer, key: &ObjectKey) -> Option<String> {
    describe_at(&PrintContext::of(api), key)
}

/// [`describe`] for an explicit context.
pub fn describe_at(ctx: &PrintContext<'_>, key: &ObjectKey) -> Option<String> {
    let object = ctx.store.get(key)?;
    Some(describe::describe(object, ctx))
}

/// kubectl's AGE cell (`HumanDuration`): `5s`, `2m10s`, `30d`, `3y45d`.
pub fn age(now: SimTime, created: SimTime) -> String {
    time::human_duration_ms(now.as_millis() as i64 - created.as_millis() as i64)
}

/// Access modes as kubectl prints them: `RWO,ROX,RWX,RWOP` order, duplicates and unknowns dropped.
pub fn access_modes(modes: &[String]) -> String {
    let has = |m: &str| modes.iter().any(|x| x == m);
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(mode, _)| has(mode))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

fn access_modes_of(modes: &[Value]) -> String {
    let modes: Vec<String> = modes.iter().filter_map(Value::as_str).map(str::to_string).collect();
    access_modes(&modes)
}

/// The `kind.group/name` line `-o name` prints for one object (`persistentvolumeclaim/data`,
/// `storageclass.storage.k8s.io/fast`); with `operation` (`created`, `deleted`...) appended as
/// kubectl's success messages do.
pub fn resource_name(kind: Kind, name: &str, operation: Option<&str>) -> String {
    match operation {
        Some(op) => format!("{}/{name} {op}", kind_prefix(kind)),
        None => format!("{}/{name}", kind_prefix(kind)),
    }
}

/// `kubectl events` (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; NAMESPACE first when `namespace` is
/// `None`, i.e. `-A`), sorted by time; `for_object` narrows to one involved object (`--for`).
/// Empty when there are no events (see [`no_events_found`]).
pub fn events_table(api: &ApiServer, namespace: Option<&str>, for_object: Option<&ObjectKey>) -> String {
    events::events_table(&PrintContext::of(api), namespace, for_object, false)
}

/// [`events_table`] for an explicit context, with `--no-headers`.
pub fn events_table_at(
    ctx: &PrintContext<'_>,
    namespace: Option<&str>,
    for_object: Option<&ObjectKey>,
    no_headers: bool,
) -> String {
    events::events_table(ctx, namespace, for_object, no_headers)
}

/// kubectl events' stderr line when nothing matched.
pub fn no_events_found(namespace: Option<&str>) -> String {
    match namespace {
        Some(namespace) => format!("No events found in {namespace} namespace."),
        None => "No events found.".to_string(),
    }
}

/// A value of `-o`.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputFormat {
    /// No `-o`: the table.
    Table,
    /// `-o wide`.
    Wide,
    /// `-o json`.
    Json,
    /// `-o yaml`.
    Yaml,
    /// `-o name`.
    Name,
    /// `-o jsonpath=TEMPLATE`.
    JsonPath(String),
    /// `-o jsonpath-as-json=TEMPLATE`.
    JsonPathAsJson(String),
    /// `-o jsonpath-file=PATH` (resolve with [`OutputFormat::resolve_files`]).
    JsonPathFile(String),
    /// `-o custom-columns=SPEC`.
    CustomColumns(String),
    /// `-o custom-columns-file=PATH` (resolve with [`OutputFormat::resolve_files`]).
    CustomColumnsFile(String),
    /// Custom columns read from a file: its header line and its spec line.
    CustomColumnsTemplate(String),
    /// `-o go-template=TEMPLATE` or `-o template=TEMPLATE`.
    GoTemplate(String),
    /// `-o go-template-file=PATH` or `-o templatefile=PATH` (resolve with [`OutputFormat::resolve_files`]).
    GoTemplateFile(String),
}

const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

impl OutputFormat {
    /// Parses the value of `-o` and checks its template, as kubectl does before it fetches anything.
    ///
    /// # Errors
    /// `error: unable to match a printer suitable for the output format "xyz", allowed formats are: ...`,
    /// `error: template format specified but no template given`, template parse errors.
    pub fn parse(flag_value: &str) -> Result<OutputFormat, String> {
        let lower = flag_value.to_ascii_lowercase();
        match lower.as_str() {
            "" => return Ok(OutputFormat::Table),
            "wide" => return Ok(OutputFormat::Wide),
            "json" => return Ok(OutputFormat::Json),
            "yaml" => return Ok(OutputFormat::Yaml),
            _ => {}
        }
        if flag_value == "name" {
            return Ok(OutputFormat::Name);
        }
        let (format, value) = match flag_value.split_once('=') {
            Some((format, value)) => (format, value),
            None => (flag_value, ""),
        };
        let no_template = || Err("error: template format specified but no template given".to_string());
        match format {
            "jsonpath" | "jsonpath-as-json" | "jsonpath-file" => {
                if value.is_empty() {
                    return no_template();
                }
                if format == "jsonpath-file" {
                    return Ok(OutputFormat::JsonPathFile(value.to_string()));
                }
                JsonPath::parse(value).map_err(|e| format!("error: error parsing jsonpath {value}, {e}"))?;
                Ok(if format == "jsonpath" {
                    OutputFormat::JsonPath(value.to_string())
                } else {
                    OutputFormat::JsonPathAsJson(value.to_string())
                })
            }
            "go-template" | "template" | "go-template-file" | "templatefile" => {
                if value.is_empty() {
                    return no_template();
                }
                if format.ends_with("file") {
                    return Ok(OutputFormat::GoTemplateFile(value.to_string()));
                }
                template::Template::parse(value).map_err(|e| format!("error: error parsing template {value}, {e}"))?;
                Ok(OutputFormat::GoTemplate(value.to_string()))
            }
            "custom-columns" | "custom-columns-file" => {
                if value.is_empty() {
                    return Err("error: custom-columns format specified but no custom columns given".to_string());
                }
                if format == "custom-columns-file" {
                    return Ok(OutputFormat::CustomColumnsFile(value.to_string()));
                }
                custom_columns::parse_spec(value).map_err(|e| format!("error: {e}"))?;
                Ok(OutputFormat::CustomColumns(value.to_string()))
            }
            _ => Err(format!(
                "error: unable to match a printer suitable for the output format \"{flag_value}\", allowed formats are: {ALLOWED_FORMATS}"
            )),
        }
    }

    /// Replaces the `*-file` formats by their contents, read with `read(path)`.
    ///
    /// # Errors
    /// `error: error reading --template PATH, <read error>` and the parse errors of the contents.
    pub fn resolve_files(self, read: &dyn Fn(&str) -> Result<String, String>) -> Result<OutputFormat, String> {
        match self {
            OutputFormat::JsonPathFile(path) => {
                let text = read(&path).map_err(|e| format!("error: error reading --template {path}, {e}"))?;
                JsonPath::parse(&text).map_err(|e| format!("error: error parsing jsonpath {text}, {e}"))?;
                Ok(OutputFormat::JsonPath(text))
            }
            OutputFormat::GoTemplateFile(path) => {
                let text = read(&path).map_err(|e| format!("error: error reading --template {path}, {e}"))?;
                template::Template::parse(&text).map_err(|e| format!("error: error parsing template {text}, {e}"))?;
                Ok(OutputFormat::GoTemplate(text))
            }
            OutputFormat::CustomColumnsFile(path) => {
                let text = read(&path).map_err(|e| format!("error: error reading template {path}, {e}"))?;
                custom_columns::parse_template(&text).map_err(|e| format!("error: {e}"))?;
                Ok(OutputFormat::CustomColumnsTemplate(text))
            }
            other => Ok(other),
        }
    }
}

/// Options of the non-table printers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormatOptions {
    /// `--no-headers` (custom-columns; tables).
    pub no_headers: bool,
    /// `--show-managed-fields` (json, yaml).
    pub show_managed_fields: bool,
}

/// Prints objects in a non-table format. `as_list`: the result is a `kind: List` (several objects
/// or a list request), as `kubectl get` wraps it. Table formats print one table per kind.
///
/// # Errors
/// Template execution errors, as kubectl words them (`error: error executing jsonpath ...`).
pub fn format_objects(
    objects: &[&Object],
    format: &OutputFormat,
    as_list: bool,
    api: &ApiServer,
) -> Result<String, String> {
    format_objects_at(objects, format, as_list, &FormatOptions::default(), &PrintContext::of(api))
}

/// [`format_objects`] with options and an explicit context.
///
/// # Errors
/// As [`format_objects`].
pub fn format_objects_at(
    objects: &[&Object],
    format: &OutputFormat,
    as_list: bool,
    options: &FormatOptions,
    ctx: &PrintContext<'_>,
) -> Result<String, String> {
    let item = |object: &Object| {
        let mut value = object.to_value();
        if !options.show_managed_fields
            && let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.remove("managedFields");
        }
        value
    };
    let data = || {
        if as_list || objects.len() != 1 {
            serde_json::json!({
                "apiVersion": "v1",
                "items": objects.iter().map(|o| item(o)).collect::<Vec<_>>(),
                "kind": "List",
                "metadata": {"resourceVersion": ""},
            })
        } else {
            item(objects[0])
        }
    };
    match format {
        OutputFormat::Table | OutputFormat::Wide => {
            let wide = *format == OutputFormat::Wide;
            let mut kinds: Vec<Kind> = Vec::new();
            for object in objects {
                if !kinds.contains(&object.kind()) {
                    kinds.push(object.kind());
                }
            }
            let options = TableOptions {
                wide,
                no_headers: options.no_headers,
                with_kind: kinds.len() > 1,
                ..TableOptions::default()
            };
            let tables: Vec<String> = kinds
                .iter()
                .map(|&kind| {
                    let of_kind: Vec<&Object> = objects.iter().copied().filter(|o| o.kind() == kind).collect();
                    table_at(kind, &of_kind, &options, ctx)
                })
                .collect();
            Ok(tables.join("\n"))
        }
        OutputFormat::Json => Ok(gojson::to_json_indent(&data())),
        OutputFormat::Yaml => Ok(yaml::to_yaml(&data())),
        OutputFormat::Name => Ok(objects.iter().map(|o| resource_name(o.kind(), o.name(), None) + "\n").collect()),
        OutputFormat::JsonPath(template) | OutputFormat::JsonPathAsJson(template) => {
            let path =
                JsonPath::parse(template).map_err(|e| format!("error: error parsing jsonpath {template}, {e}"))?;
            let data = data();
            let as_json = matches!(format, OutputFormat::JsonPathAsJson(_));
            path.execute(&data, true, as_json).map_err(|e| jsonpath_execute_error(template, &e, &data))
        }
        OutputFormat::CustomColumns(spec) => {
            let columns = custom_columns::parse_spec(spec).map_err(|e| format!("error: {e}"))?;
            custom_columns::render(&columns, &data(), options.no_headers).map_err(|e| format!("error: {e}"))
        }
        OutputFormat::CustomColumnsTemplate(text) => {
            let columns = custom_columns::parse_template(text).map_err(|e| format!("error: {e}"))?;
            custom_columns::render(&columns, &data(), false).map_err(|e| format!("error: {e}"))
        }
        OutputFormat::GoTemplate(text) => {
            let template =
                template::Template::parse(text).map_err(|e| format!("error: error parsing template {text}, {e}"))?;
            template
                .execute(&data())
                .map_err(|(partial, e)| format!("{partial}error: error executing template \"{text}\": {e}"))
        }
        OutputFormat::JsonPathFile(path) | OutputFormat::GoTemplateFile(path) => {
            Err(format!("error: error reading --template {path}, open {path}: no such file or directory"))
        }
        OutputFormat::CustomColumnsFile(path) => {
            Err(format!("error: error reading template {path}, open {path}: no such file or directory"))
        }
    }
}

/// The message kubectl's JSONPath printer gives when a template fails on an object.
fn jsonpath_execute_error(template: &str, error: &str, data: &Value) -> String {
    format!(
        "error: error executing jsonpath {}: Error executing template: {error}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}\n\tobject given to jsonpath engine was:\n\t\t{}\n\n\n",
        go_quote(template),
        go_sharp_v(data)
    )
}

/// Go's `%q` of a string.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%#v` of decoded JSON (`map[string]interface {}{"a":1}`).
fn go_sharp_v(value: &Value) -> String {
    match value {
        Value::Null => "interface {}(nil)".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(_) => jsonpath::text_of(value),
        Value::String(s) => go_quote(s),
        Value::Array(items) => {
            format!("[]interface {{}}{{{}}}", items.iter().map(go_sharp_v).collect::<Vec<_>>().join(", "))
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let entries: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", go_quote(k), go_sharp_v(&map[*k]))).collect();
            format!("map[string]interface {{}}{{{}}}", entries.join(", "))
        }
    }
}
