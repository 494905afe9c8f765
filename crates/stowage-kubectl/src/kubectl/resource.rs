//! kubectl's resource builder: `TYPE[,TYPE] [NAME...]`, `TYPE/NAME`, `-f FILE|DIR|-`, `-l`,
//! `--field-selector`, `--all`, `-A`, and the objects they select.

use super::{Ctx, Failure, FileEntry, kind_of};
use stowage_core::api::decode::{self, Stage};
use stowage_core::api::{ApiError, StatusReason};
use stowage_core::{Kind, Object, ObjectKey};

/// What the positional arguments asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The kind.
    pub kind: Kind,
    /// Names; empty means every object of the kind (in scope).
    pub names: Vec<String>,
}

/// `kind.group/name` as kubectl's name printer writes it: `persistentvolumeclaim/x`, `statefulset.apps/y`.
pub fn name_with_kind(kind: Kind, name: &str) -> String {
    format!("{}/{}", kind.info().qualified_singular(), name)
}

/// The `all` category as kubectl expands it (for the kinds we serve).
const ALL_CATEGORY: &[Kind] = &[Kind::Pod, Kind::Service, Kind::Deployment, Kind::ReplicaSet, Kind::StatefulSet];

/// Parses `ResourceTypeOrNameArgs`.
///
/// # Errors
/// kubectl's messages for unknown types and mixed forms.
pub fn parse_args(args: &[String]) -> Result<Vec<Request>, Failure> {
    let Some(first) = args.first() else {
        return Ok(Vec::new());
    };
    if first.contains('/') {
        let mut requests: Vec<Request> = Vec::new();
        for arg in args {
            let Some((kind, name)) = arg.split_once('/') else {
                return Err(Failure::msg(
                    "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
                ));
            };
            if name.is_empty() {
                return Err(Failure::msg("arguments in resource/name form must have a single resource and name"));
            }
            let kind = kind_of(kind)?;
            match requests.last_mut() {
                Some(last) if last.kind == kind => last.names.push(name.to_string()),
                _ => requests.push(Request { kind, names: vec![name.to_string()] }),
            }
        }
        return Ok(requests);
    }
    if args[1..].iter().any(|a| a.contains('/')) {
        return Err(Failure::msg(
            "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
        ));
    }
    let mut kinds = Vec::new();
    for part in first.split(',').filter(|p| !p.is_empty()) {
        if part.eq_ignore_ascii_case("all") {
            kinds.extend_from_slice(ALL_CATEGORY);
        } else {
            let kind = kind_of(part)?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    let names: Vec<String> = args[1..].to_vec();
    if kinds.len() > 1 && !names.is_empty() {
        // kubectl accepts `get pv,pvc name`, looking the name up in each kind.
    }
    Ok(kinds.into_iter().map(|kind| Request { kind, names: names.clone() }).collect())
}

/// A workstation file as text, for `-o *-file=PATH` and `--patch-file`.
///
/// # Errors
/// Go's `open PATH: no such file or directory` style message.
pub fn read_text(files: &dyn super::Files, path: &str) -> Result<String, String> {
    match files.open(path) {
        Ok(FileEntry::File(bytes)) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Ok(FileEntry::Dir(_)) => Err(format!("read {path}: is a directory")),
        Err(_) => Err(format!("open {path}: no such file or directory")),
    }
}

/// One object read from a manifest.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The decoded object.
    pub object: Object,
    /// The file it came from (`-` for stdin), as kubectl names sources.
    pub source: String,
}

/// Reads `-f` arguments: files, directories (their `.yaml`, `.yml`, `.json` files) and `-` (stdin).
/// Decode errors are returned in order, next to the objects that did decode.
pub fn read_manifests(
    ctx: &mut Ctx<'_>,
    filenames: &[String],
    recursive: bool,
    verb: &str,
) -> (Vec<Manifest>, Vec<Failure>) {
    let mut manifests = Vec::new();
    let mut failures = Vec::new();
    for filename in filenames {
        if filename == "-" {
            let text = String::from_utf8_lossy(ctx.stdin).into_owned();
            decode_text(&text, "STDIN", verb, &mut manifests, &mut failures);
            continue;
        }
        if filename.starts_with("http://") || filename.starts_with("https://") {
            failures.push(Failure::msg(format!(
                "unable to read URL \"{filename}\", server reported 404 Not Found, status code=404"
            )));
            continue;
        }
        read_path(ctx, filename, recursive, true, verb, &mut manifests, &mut failures);
    }
    (manifests, failures)
}

fn read_path(
    ctx: &Ctx<'_>,
    path: &str,
    recursive: bool,
    top: bool,
    verb: &str,
    manifests: &mut Vec<Manifest>,
    failures: &mut Vec<Failure>,
) {
    match ctx.files.open(path) {
        Err(_) => {
            if top {
                failures.push(Failure::msg(format!("the path \"{path}\" does not exist")));
            }
        }
        Ok(FileEntry::File(bytes)) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            decode_text(&text, path, verb, manifests, failures);
        }
        Ok(FileEntry::Dir(entries)) => {
            for entry in entries {
                let child = format!("{}/{}", path.trim_end_matches('/'), entry);
                match ctx.files.open(&child) {
                    Ok(FileEntry::Dir(_)) if recursive => {
                        read_path(ctx, &child, recursive, false, verb, manifests, failures)
                    }
                    Ok(FileEntry::File(_)) if [".yaml", ".yml", ".json"].iter().any(|ext| entry.ends_with(ext)) => {
                        read_path(ctx, &child, recursive, false, verb, manifests, failures);
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Decodes one text, as kubectl's builder does for one source.
pub fn decode_text(text: &str, source: &str, verb: &str, manifests: &mut Vec<Manifest>, failures: &mut Vec<Failure>) {
    for document in decode::decode_documents(text) {
        match document.result {
            Ok(object) => manifests.push(Manifest { object, source: source.to_string() }),
            Err(error) => {
                let message = error.kubectl_message(source, verb);
                let failure = match error.stage() {
                    Stage::Server => Failure::Api(ApiError::new(StatusReason::BadRequest, message)),
                    _ => Failure::Message(message),
                };
                failures.push(failure);
            }
        }
    }
}

/// `cmdutil.AddSourceToErr`: `error when creating "file.yaml": ...` (validation errors keep their form).
pub fn with_source(error: ApiError, verb: &str, source: &str) -> ApiError {
    if source.is_empty() || error.reason == StatusReason::Invalid {
        return error;
    }
    ApiError { message: format!("error when {verb} \"{source}\": {}", error.message), ..error }
}

/// Sets the namespace of a manifest object as kubectl's builder does, checking `-n` against it.
///
/// # Errors
/// kubectl's mismatch message.
pub fn place_in_namespace(object: &mut Object, namespace: &str, explicit: bool) -> Result<(), Failure> {
    if !object.kind().is_namespaced() {
        return Ok(());
    }
    let current = object.namespace().to_string();
    if current.is_empty() {
        object.meta_mut().namespace = Some(namespace.to_string());
    } else if explicit && current != namespace {
        return Err(Failure::msg(format!(
            "the namespace from the provided object \"{current}\" does not match the namespace \"{namespace}\". You must pass '--namespace={current}' to perform this operation."
        )));
    }
    Ok(())
}

/// Label and field selectors, parsed once.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    label: Option<stowage_core::api::selector::Selector>,
    field: Option<Vec<stowage_core::api::selector::FieldRequirement>>,
}

/// The resource builder's wording for a failed list with selectors.
fn unable_to_find(kind: Kind, label: Option<&str>, field: Option<&str>, message: &str) -> Failure {
    let info = kind.info();
    Failure::Api(ApiError::new(
        StatusReason::BadRequest,
        format!(
            "Unable to find \"{}/{}, Resource={}\" that match label selector \"{}\", field selector \"{}\": {message}",
            info.group,
            info.version,
            info.plural,
            label.unwrap_or(""),
            field.unwrap_or("")
        ),
    ))
}

impl Filter {
    /// Parses `-l` and `--field-selector` for `kinds`.
    ///
    /// # Errors
    /// The API server's answer, as the resource builder words it
    /// (`Unable to find "/v1, Resource=persistentvolumes" that match ...: field label not supported: status.phase`).
    pub fn new(ctx: &mut Ctx<'_>, label: Option<&str>, field: Option<&str>, kinds: &[Kind]) -> Result<Filter, Failure> {
        use stowage_core::api::selector;
        let first = kinds.first().copied().unwrap_or(Kind::Pod);
        let parsed_label = match label {
            Some(text) => Some(
                selector::parse_label_selector(text)
                    .map_err(|e| unable_to_find(first, label, field, &e.to_string()))?,
            ),
            None => None,
        };
        let parsed_field = match field {
            Some(text) => {
                let parsed = selector::parse_field_selector(text)
                    .map_err(|e| unable_to_find(first, label, field, &e.to_string()))?;
                for kind in kinds {
                    if let Err(error) = selector::check_field_selector(*kind, &parsed) {
                        super::hints::unsupported_field_selector(ctx, *kind, text);
                        return Err(unable_to_find(*kind, label, field, &error.to_string()));
                    }
                }
                Some(parsed)
            }
            None => None,
        };
        Ok(Filter { label: parsed_label, field: parsed_field })
    }

    /// Whether the object passes both selectors.
    pub fn matches(&self, object: &Object) -> bool {
        let empty = std::collections::BTreeMap::new();
        let labels = object.meta().labels.as_ref().unwrap_or(&empty);
        let labels_ok = self.label.as_ref().is_none_or(|s| s.matches(labels));
        let fields_ok =
            self.field.as_ref().is_none_or(|r| stowage_core::api::selector::field_selector_matches(object, r));
        labels_ok && fields_ok
    }
}

/// Lists objects of `kind` in scope (`namespace`, or every namespace when `None`) passing `filter`.
pub fn list<'a>(ctx: &'a Ctx<'_>, kind: Kind, namespace: Option<&str>, filter: &Filter) -> Vec<&'a Object> {
    let store = ctx.cluster.api().store();
    let objects: Vec<&Object> = match namespace {
        Some(ns) if kind.is_namespaced() => store.list_in(kind, ns).collect(),
        _ => store.list(kind).collect(),
    };
    objects.into_iter().filter(|o| filter.matches(o)).collect()
}

/// The key for a named object of `kind` in `namespace`.
pub fn key(kind: Kind, namespace: &str, name: &str) -> ObjectKey {
    ObjectKey::new(kind, namespace, name)
}

/// Keys selected by positional args, `-f`, `-l`/`--field-selector`/`--all`, as the builder does for
/// delete, label, annotate, wait and describe. Missing names produce NotFound failures (in order).
pub struct Selection {
    /// Selected keys, in order.
    pub keys: Vec<ObjectKey>,
    /// Sources for `-f` objects (same order as `keys` for those entries).
    pub sources: Vec<String>,
    /// Errors met while selecting (NotFound, decode errors).
    pub failures: Vec<Failure>,
    /// Whether anything was asked for by name or file (vs a selector or `--all`).
    pub by_name: bool,
}

/// Options for [`select`].
pub struct SelectOptions<'s> {
    /// Positional arguments.
    pub args: &'s [String],
    /// `-f` values.
    pub filenames: &'s [String],
    /// `-R`.
    pub recursive: bool,
    /// `-l`.
    pub label: Option<&'s str>,
    /// `--field-selector`.
    pub field: Option<&'s str>,
    /// `--all`.
    pub all: bool,
    /// `-A`.
    pub all_namespaces: bool,
    /// The namespace.
    pub namespace: &'s str,
    /// Whether `-n` was given.
    pub explicit_namespace: bool,
    /// The verb, for decode errors.
    pub verb: &'s str,
}

/// Resolves what a command operates on.
///
/// # Errors
/// Argument errors (unknown types, nothing specified).
pub fn select(ctx: &mut Ctx<'_>, options: &SelectOptions<'_>) -> Result<Selection, Failure> {
    let mut selection = Selection { keys: Vec::new(), sources: Vec::new(), failures: Vec::new(), by_name: false };
    if !options.filenames.is_empty() {
        let (manifests, failures) = read_manifests(ctx, options.filenames, options.recursive, options.verb);
        selection.failures.extend(failures);
        selection.by_name = true;
        for mut manifest in manifests {
            place_in_namespace(&mut manifest.object, options.namespace, options.explicit_namespace)?;
            selection.keys.push(manifest.object.key());
            selection.sources.push(manifest.source);
        }
        return Ok(selection);
    }
    let requests = parse_args(options.args)?;
    if requests.is_empty() {
        return Ok(selection);
    }
    let selecting = options.label.is_some() || options.field.is_some() || options.all;
    let kinds: Vec<Kind> = requests.iter().map(|r| r.kind).collect();
    let filter = Filter::new(ctx, options.label, options.field, &kinds)?;
    for request in requests {
        if request.names.is_empty() {
            if !selecting {
                continue;
            }
            let scope = if options.all_namespaces { None } else { Some(options.namespace) };
            let keys: Vec<ObjectKey> = list(ctx, request.kind, scope, &filter).iter().map(|o| o.key()).collect();
            selection.keys.extend(keys);
        } else {
            selection.by_name = true;
            for name in &request.names {
                let key = key(request.kind, options.namespace, name);
                if ctx.cluster.api().store().get(&key).is_some() {
                    selection.keys.push(key);
                } else {
                    selection.failures.push(Failure::Api(ApiError::not_found(request.kind, name)));
                }
            }
        }
    }
    Ok(selection)
}
