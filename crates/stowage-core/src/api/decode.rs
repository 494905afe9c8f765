//! Manifest decoding as kubectl and the API server do it, with YAML positions for the editor.
//!
//! # Model
//! The stages and their messages follow a real `kubectl apply -f` against a 1.34 API server:
//! 1. kubectl splits the text into documents on lines starting with `---` (`YAMLReader`);
//!    anything but a comment after the separator is `invalid Yaml document separator: ...`.
//! 2. Each document is converted from YAML to JSON (sigs.k8s.io/yaml on go-yaml v2, so YAML 1.1
//!    scalars: `yes`/`no`/`on`/`off` are booleans, `0400` is octal). Syntax errors are
//!    `error converting YAML to JSON: yaml: line N: <problem>` with go-yaml's line quirks (parser
//!    errors report the 0-based line of the problem, scanner errors the 1-based one). Documents that
//!    are empty or only comments are skipped.
//! 3. kubectl checks `apiVersion` and `kind` (`error validating data: kind not set`), then maps the
//!    kind (`no matches for kind "Widget" in version "v1"`).
//! 4. The API server decodes strictly: type errors use encoding/json's wording
//!    (`json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32`),
//!    bad quantities apimachinery's, and unknown fields are listed as
//!    `strict decoding error: unknown field "spec.acessModes"`.
//!
//! Missing required fields and `null`s decode to zero values, as Go does; validation reports them.
//! Lines and columns in [`Position`] are 1-based and absolute in the text; line numbers inside
//! messages are relative to the document, as kubectl prints them.

use super::k8s_openapi::api::apps::v1 as apps;
use super::k8s_openapi::api::core::v1 as core;
use super::k8s_openapi::api::discovery::v1 as discovery;
use super::k8s_openapi::api::storage::v1 as storage;
use super::snapshot::{VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent};
use super::{Kind, Object, Typed, quantity};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column in the manifest text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where a field's key and value are in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldPosition {
    /// The key (`accessModes` in `accessModes: [..]`), or the `-` item for list entries.
    pub key: Position,
    /// The start of the value.
    pub value: Position,
}

/// Field path (`spec.containers[0].image`) to position, for one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    entries: BTreeMap<String, FieldPosition>,
}

impl Positions {
    /// The key and value position of a field, by its exact path (`spec.accessModes[0]`).
    pub fn get(&self, path: &str) -> Option<FieldPosition> {
        self.entries.get(path).copied()
    }

    /// The best position for a field error's path: the field itself or its nearest present parent.
    /// Accepts the API server's forms: `spec.resources[storage]`, `metadata.labels[app]`, `spec.containers[0].name`.
    pub fn locate(&self, path: &str) -> Option<Position> {
        let mut candidate = normalize_field_path(path);
        loop {
            if let Some(found) = self.entries.get(&candidate) {
                return Some(found.key);
            }
            let cut = candidate.rfind(['.', '['])?;
            candidate.truncate(cut);
        }
    }

    /// The number of recorded fields.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no field was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The positions under `prefix` (a list item of a `List`), with the prefix removed.
    fn under(&self, prefix: &str) -> Positions {
        let mut entries = BTreeMap::new();
        for (path, position) in &self.entries {
            if let Some(rest) = path.strip_prefix(prefix)
                && let Some(rest) = rest.strip_prefix('.')
            {
                entries.insert(rest.to_string(), *position);
            }
        }
        Positions { entries }
    }
}

/// `spec.resources[storage]` → `spec.resources.storage`; numeric indices stay as `[0]`.
fn normalize_field_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close];
        if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(inner);
            out.push(']');
        } else {
            out.push('.');
            out.push_str(inner);
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// One decoded object, or why a document could not be decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedDocument {
    /// 0-based index of the document among the `---`-separated documents that have content.
    pub index: usize,
    /// Where the document (or the `List` item) starts.
    pub start: Position,
    /// Field positions of the object, to place validation errors.
    pub positions: Positions,
    /// The object, or the error kubectl would report for it.
    pub result: Result<Object, DecodeError>,
}

/// A document that failed to decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct DecodeError {
    /// 0-based index of the document.
    pub document: usize,
    /// Where the editor should mark the error, when known.
    pub position: Option<Position>,
    /// What went wrong; its `Display` is the message kubectl prints.
    pub error: Error,
}

impl DecodeError {
    /// Which part of kubectl or the API server reports the error.
    pub fn stage(&self) -> Stage {
        self.error.stage()
    }

    /// The whole line kubectl prints after `error: ` (client-side stages) or after
    /// `Error from server (BadRequest): ` (the server stage), for a file named `file` and a
    /// verb such as `creating`.
    pub fn kubectl_message(&self, file: &str, verb: &str) -> String {
        match &self.error {
            Error::NoKindMatch { name, namespace, .. } => format!(
                "resource mapping not found for name: {name:?} namespace: {namespace:?} from {file:?}: {}\nensure CRDs are installed first",
                self.error
            ),
            _ => match self.stage() {
                Stage::Parse => format!("error parsing {file}: {}", self.error),
                Stage::Validate => format!(
                    "error validating {file:?}: {}; if you choose to ignore these errors, turn validation off with --validate=false",
                    self.error
                ),
                Stage::Mapping => format!("unable to decode {file:?}: {}", self.error),
                Stage::Server => format!("error when {verb} {file:?}: {}", self.error),
            },
        }
    }
}

/// Where a decode error comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// kubectl could not split or parse the text.
    Parse,
    /// kubectl's client-side check of apiVersion and kind.
    Validate,
    /// kubectl's REST mapping or unstructured decoding.
    Mapping,
    /// The API server's decoder (a 400 BadRequest).
    Server,
}

/// One duplicated key reported by go-yaml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The document-relative 1-based line of the repeated key.
    pub line: usize,
    /// The key as Go's `%#v` prints it (`"name"`).
    pub key: String,
}

/// Why a document could not be decoded. `Display` is the message exactly as kubectl or the API server words it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A `---` line followed by something other than a comment.
    #[error("invalid Yaml document separator: {0}")]
    InvalidSeparator(String),
    /// A YAML syntax error; `line` is what go-yaml reports (document-relative), if anything.
    #[error("error converting YAML to JSON: yaml: {}{problem}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Syntax {
        /// The line go-yaml names.
        line: Option<usize>,
        /// go-yaml's problem text.
        problem: String,
    },
    /// Keys repeated in one mapping.
    #[error("error converting YAML to JSON: yaml: unmarshal errors:\n{}", duplicate_lines(.0))]
    DuplicateKeys(Vec<DuplicateKey>),
    /// A JSON syntax error.
    #[error("{0}")]
    Json(String),
    /// kubectl's client-side check of `apiVersion` and `kind` failed; the list is what it found missing.
    #[error("error validating data: {}", aggregate(.0))]
    Validation(Vec<String>),
    /// A `List` item without `kind`.
    #[error("Object 'Kind' is missing in '{0}'")]
    KindMissing(String),
    /// The kind is not served.
    #[error("no matches for kind {kind:?} in version {api_version:?}")]
    NoKindMatch {
        /// The kind as written.
        kind: String,
        /// The apiVersion as written.
        api_version: String,
        /// `metadata.name`, for kubectl's message.
        name: String,
        /// `metadata.namespace`, for kubectl's message.
        namespace: String,
    },
    /// The API server's decoder refused the object.
    #[error("{kind} in version \"{}\" cannot be handled as a {kind}: {detail}", kind.info().version)]
    NotHandled {
        /// The object's kind.
        kind: Kind,
        /// The decoder's own message.
        detail: String,
    },
}

impl Error {
    /// Which part of kubectl or the API server reports the error.
    pub fn stage(&self) -> Stage {
        match self {
            Error::InvalidSeparator(_) | Error::Syntax { .. } | Error::DuplicateKeys(_) | Error::Json(_) => {
                Stage::Parse
            }
            Error::Validation(_) => Stage::Validate,
            Error::KindMissing(_) | Error::NoKindMatch { .. } => Stage::Mapping,
            Error::NotHandled { .. } => Stage::Server,
        }
    }
}

fn duplicate_lines(keys: &[DuplicateKey]) -> String {
    keys.iter().map(|d| format!("  line {}: key {} already set in map", d.line, d.key)).collect::<Vec<_>>().join("\n")
}

/// `utilerrors.NewAggregate(...).Error()`: one message bare, several in brackets.
fn aggregate(messages: &[String]) -> String {
    match messages {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// Results of this module.
pub type Result<T, E = DecodeError> = std::result::Result<T, E>;

/// Decodes every document of a manifest text: multi-document YAML, a JSON object (or a stream of them),
/// and `kind: List` documents (one entry per item). Empty documents are skipped. Never panics.
pub fn decode_documents(text: &str) -> Vec<DecodedDocument> {
    let mut out = Vec::new();
    if text.trim_start().starts_with('{') {
        decode_json_stream(text, &mut out);
        return out;
    }
    let mut index = 0;
    for chunk in split_documents(text) {
        match chunk {
            Chunk::Document { start_line, text } => {
                if let Some(document) = parse_yaml_document(&text, start_line, index) {
                    expand_document(document, index, &mut out);
                    index += 1;
                }
            }
            Chunk::BadSeparator { line, rest } => {
                out.push(failed(index, Position { line, column: 1 }, Error::InvalidSeparator(rest)));
                break;
            }
        }
    }
    out
}

fn failed(index: usize, position: Position, error: Error) -> DecodedDocument {
    DecodedDocument {
        index,
        start: position,
        positions: Positions::default(),
        result: Err(DecodeError { document: index, position: Some(position), error }),
    }
}

enum Chunk {
    Document { start_line: usize, text: String },
    BadSeparator { line: usize, rest: String },
}

/// kubectl's `YAMLReader`: a line starting with `---` ends a document; consecutive separators yield nothing.
fn split_documents(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut buffer = String::new();
    let mut buffer_start = 1;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let line_number = number + 1;
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                if !buffer.is_empty() {
                    chunks.push(Chunk::Document { start_line: buffer_start, text: std::mem::take(&mut buffer) });
                }
                chunks.push(Chunk::BadSeparator { line: line_number, rest: trimmed.to_string() });
                return chunks;
            }
            if !buffer.is_empty() {
                chunks.push(Chunk::Document { start_line: buffer_start, text: std::mem::take(&mut buffer) });
            }
            buffer_start = line_number + 1;
            continue;
        }
        if buffer.is_empty() {
            buffer_start = line_number;
        }
        buffer.push_str(line);
    }
    if !buffer.is_empty() {
        chunks.push(Chunk::Document { start_line: buffer_start, text: buffer });
    }
    chunks
}

/// A document converted to JSON, with its positions.
struct ParsedDocument {
    value: Value,
    start: Position,
    positions: Positions,
}

/// Parses one YAML document. `None` for a document without content (empty or only comments).
fn parse_yaml_document(
    text: &str,
    start_line: usize,
    index: usize,
) -> Option<std::result::Result<ParsedDocument, DecodedDocument>> {
    let converted = yaml_to_json(text, start_line - 1);
    match converted {
        Err(YamlError { problem, line: relative, column, parser }) => {
            // libyaml marks an unterminated quoted scalar at the end of the input, not at its start.
            let (relative, column) = if problem == "found unexpected end of stream" {
                (text.matches('\n').count() + 1, 0)
            } else {
                (relative, column)
            };
            let position = Position { line: relative + start_line - 1, column: column + 1 };
            // go-yaml: parser errors name `problem_mark.line` (0-based), scanner errors add one;
            // a zero line falls back to no line at all.
            let line =
                if parser { relative.checked_sub(1).filter(|l| *l > 0) } else { Some(relative).filter(|l| *l > 0) };
            Some(Err(failed(index, position, Error::Syntax { line, problem })))
        }
        Ok(Converted { value: Value::Null, .. }) => None,
        Ok(Converted { duplicates, positions, value, start }) => {
            let start = start.unwrap_or(Position { line: start_line, column: 1 });
            if !duplicates.is_empty() {
                let position = duplicates[0].0;
                let keys = duplicates.into_iter().map(|(_, key)| key).collect();
                return Some(Err(failed(index, position, Error::DuplicateKeys(keys))));
            }
            Some(Ok(ParsedDocument { value, start, positions: Positions { entries: positions } }))
        }
    }
}

fn decode_json_stream(text: &str, out: &mut Vec<DecodedDocument>) {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut index = 0;
    loop {
        let begin = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(value)) => {
                let end = stream.byte_offset();
                let slice = text.get(begin..end).unwrap_or("");
                let leading = slice.len() - slice.trim_start().len();
                let start_line = text[..begin + leading].matches('\n').count() + 1;
                let positions =
                    yaml_to_json(&slice[leading..], start_line - 1).map(|c| c.positions).unwrap_or_default();
                let document = ParsedDocument {
                    value,
                    start: Position { line: start_line, column: 1 },
                    positions: Positions { entries: positions },
                };
                if !document.value.is_null() {
                    expand_document(Ok(document), index, out);
                    index += 1;
                }
            }
            Some(Err(error)) => {
                let position = Position { line: error.line().max(1), column: error.column().max(1) };
                let message = error.to_string();
                let message = match message.rfind(" at line ") {
                    Some(cut) => message[..cut].to_string(),
                    None => message,
                };
                out.push(failed(index, position, Error::Json(format!("json: {message}"))));
                break;
            }
        }
    }
}

/// Turns one parsed document into decoded objects (several for a `List`).
fn expand_document(
    document: std::result::Result<ParsedDocument, DecodedDocument>,
    index: usize,
    out: &mut Vec<DecodedDocument>,
) {
    let document = match document {
        Ok(document) => document,
        Err(failed) => {
            out.push(failed);
            return;
        }
    };
    let ParsedDocument { value, start, positions } = document;
    if let Err(messages) = check_type_meta(&value) {
        let position = positions.get("apiVersion").or(positions.get("kind")).map(|p| p.key).unwrap_or(start);
        out.push(DecodedDocument {
            index,
            start,
            positions,
            result: Err(DecodeError { document: index, position: Some(position), error: Error::Validation(messages) }),
        });
        return;
    }
    let is_list = value.get("kind").and_then(Value::as_str) == Some("List")
        && value.get("apiVersion").and_then(Value::as_str) == Some("v1");
    if !is_list {
        let result = decode_object(value, index, &positions, start, false).map_err(|e| *e);
        out.push(DecodedDocument { index, start, positions, result });
        return;
    }
    let items = match value.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    for (i, item) in items.into_iter().enumerate() {
        let prefix = format!("items[{i}]");
        let item_positions = positions.under(&prefix);
        let item_start = positions.get(&prefix).map(|p| p.value).unwrap_or(start);
        let result = decode_object(item, index, &item_positions, item_start, true).map_err(|e| *e);
        out.push(DecodedDocument { index, start: item_start, positions: item_positions, result });
    }
}

/// kubectl's `getObjectKind` check.
fn check_type_meta(value: &Value) -> std::result::Result<(), Vec<String>> {
    let Value::Object(fields) = value else {
        return Err(vec!["invalid object to validate".to_string()]);
    };
    let mut errors = Vec::new();
    match fields.get("apiVersion") {
        None | Some(Value::Null) => errors.push("apiVersion not set".to_string()),
        Some(Value::String(api_version)) => {
            if api_version.matches('/').count() > 1 {
                errors.push(format!("unexpected GroupVersion string: {api_version}"));
            }
        }
        Some(_) => errors.push("apiVersion isn't string type".to_string()),
    }
    match fields.get("kind") {
        None | Some(Value::Null) => errors.push("kind not set".to_string()),
        Some(Value::String(_)) => {}
        Some(_) => errors.push("kind isn't string type".to_string()),
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn decode_object(
    value: Value,
    index: usize,
    positions: &Positions,
    start: Position,
    list_item: bool,
) -> Result<Object, Box<DecodeError>> {
    let fail = |position: Option<Position>, error: Error| {
        Box::new(DecodeError { document: index, position: position.or(Some(start)), error })
    };
    let kind_name = value.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or("").to_string();
    if list_item && kind_name.is_empty() {
        let json = serde_json::to_string(&value).unwrap_or_default();
        return Err(fail(None, Error::KindMissing(json)));
    }
    let Some(kind) = Kind::from_api_version_and_kind(&api_version, &kind_name) else {
        let meta = |field: &str| {
            value.get("metadata").and_then(|m| m.get(field)).and_then(Value::as_str).unwrap_or("").to_string()
        };
        return Err(fail(
            positions.get("kind").map(|p| p.value),
            Error::NoKindMatch {
                kind: kind_name.clone(),
                api_version: api_version.clone(),
                name: meta("name"),
                namespace: meta("namespace"),
            },
        ));
    };
    let not_handled = |detail: String| Error::NotHandled { kind, detail };
    let mut value = value;
    let mut filled: BTreeSet<String> = BTreeSet::new();
    // Each round fixes one field that Go would have zero-filled; the bound keeps hostile input finite.
    for _ in 0..64 {
        let attempt = decode_typed(kind, value.clone());
        let (segments, message) = match attempt {
            Ok((mut object, unknown)) => {
                if let Some((path, error)) = first_bad_quantity(&mut object) {
                    return Err(fail(positions.get(&path).map(|p| p.value), not_handled(error.to_string())));
                }
                if unknown.is_empty() {
                    return Ok(object);
                }
                let position = positions.get(&unknown[0]).map(|p| p.key);
                let detail =
                    unknown.iter().map(|path| format!("unknown field {path:?}")).collect::<Vec<_>>().join(", ");
                return Err(fail(position, not_handled(format!("strict decoding error: {detail}"))));
            }
            Err(failure) => failure,
        };
        let path = segments_path(&segments);
        if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
            let mut target = segments.clone();
            target.push(Segment::Key(field.to_string()));
            if set_at(&mut value, &target, Value::String(String::new())) && filled.insert(segments_path(&target)) {
                continue;
            }
        }
        if let Some((unexpected, expected)) = parse_invalid(&message) {
            let zero_fill = unexpected == "null" || unexpected == "unit value" || filled.contains(&path);
            if zero_fill && let Some(zero) = zero_value(&expected) {
                filled.insert(path.clone());
                if set_at(&mut value, &segments, zero) {
                    continue;
                }
            }
            let detail = go_type_error(kind, &value, &segments, &unexpected, &expected);
            return Err(fail(positions.get(&path).map(|p| p.value), not_handled(detail)));
        }
        return Err(fail(positions.get(&path).map(|p| p.value), not_handled(format!("json: {message}"))));
    }
    Err(fail(None, not_handled("json: too many missing fields".to_string())))
}

/// A path segment into a JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn segments_path(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

fn set_at(root: &mut Value, segments: &[Segment], new: Value) -> bool {
    let Some((last, parents)) = segments.split_last() else {
        *root = new;
        return true;
    };
    let mut current = root;
    for segment in parents {
        current = match (segment, current) {
            (Segment::Key(key), Value::Object(map)) => match map.get_mut(key) {
                Some(next) => next,
                None => return false,
            },
            (Segment::Index(i), Value::Array(items)) => match items.get_mut(*i) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, current) {
        (Segment::Key(key), Value::Object(map)) => {
            map.insert(key.clone(), new);
            true
        }
        (Segment::Index(i), Value::Array(items)) if *i < items.len() => {
            items[*i] = new;
            true
        }
        _ => false,
    }
}

/// Decodes a value of a known kind, returning the object and its unknown-field paths (API server style),
/// or the failing path and serde's message.
fn decode_typed(kind: Kind, value: Value) -> std::result::Result<(Object, Vec<String>), (Vec<Segment>, String)> {
    fn typed<T: Typed>(value: Value) -> std::result::Result<(Object, Vec<String>), (Vec<Segment>, String)> {
        let mut unknown = Vec::new();
        let mut track = serde_path_to_error::Track::new();
        let deserializer = serde_path_to_error::Deserializer::new(value, &mut track);
        let result: std::result::Result<T, _> =
            serde_ignored::deserialize(deserializer, |path| unknown.push(ignored_path(&path)));
        match result {
            Ok(typed) => Ok((typed.into_object(), unknown)),
            Err(error) => {
                let segments = track
                    .path()
                    .iter()
                    .filter_map(|segment| match segment {
                        serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                        serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
                        _ => None,
                    })
                    .collect();
                Err((segments, error.to_string()))
            }
        }
    }
    match kind {
        Kind::Namespace => typed::<core::Namespace>(value),
        Kind::Node => typed::<core::Node>(value),
        Kind::Pod => typed::<core::Pod>(value),
        Kind::Service => typed::<core::Service>(value),
        Kind::Endpoints => typed::<core::Endpoints>(value),
        Kind::EndpointSlice => typed::<discovery::EndpointSlice>(value),
        Kind::ConfigMap => typed::<core::ConfigMap>(value),
        Kind::Secret => typed::<core::Secret>(value),
        Kind::ServiceAccount => typed::<core::ServiceAccount>(value),
        Kind::PersistentVolume => typed::<core::PersistentVolume>(value),
        Kind::PersistentVolumeClaim => typed::<core::PersistentVolumeClaim>(value),
        Kind::StorageClass => typed::<storage::StorageClass>(value),
        Kind::CSIDriver => typed::<storage::CSIDriver>(value),
        Kind::CSINode => typed::<storage::CSINode>(value),
        Kind::VolumeAttachment => typed::<storage::VolumeAttachment>(value),
        Kind::StatefulSet => typed::<apps::StatefulSet>(value),
        Kind::Deployment => typed::<apps::Deployment>(value),
        Kind::ReplicaSet => typed::<apps::ReplicaSet>(value),
        Kind::Event => typed::<core::Event>(value),
        Kind::VolumeSnapshot => typed::<VolumeSnapshot>(value),
        Kind::VolumeSnapshotContent => typed::<VolumeSnapshotContent>(value),
        Kind::VolumeSnapshotClass => typed::<VolumeSnapshotClass>(value),
        #[allow(unreachable_patterns, reason = "kinds added later decode without field paths")]
        _ => {
            let mut unknown = Vec::new();
            Object::from_value_reporting_unknown(kind, value, &mut |path| unknown.push(dotted_to_api_path(&path)))
                .map(|object| (object, unknown))
                .map_err(|error| (Vec::new(), error.to_string()))
        }
    }
}

/// serde_ignored's path (`spec.containers.0.imagee`) in the API server's form (`spec.containers[0].imagee`).
fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    dotted_to_api_path(&path.to_string())
}

fn dotted_to_api_path(dotted: &str) -> String {
    let mut out = String::new();
    for part in dotted.split('.') {
        if part == "?" {
            continue;
        }
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(part);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

/// Splits serde's `invalid type: string "x", expected i32` (or `invalid value: ...`) into its two parts.
fn parse_invalid(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "))?;
    let cut = rest.rfind(", expected ")?;
    Some((rest[..cut].to_string(), rest[cut + ", expected ".len()..].to_string()))
}

/// The JSON zero value Go would leave in a field of the type serde expected.
fn zero_value(expected: &str) -> Option<Value> {
    Some(match expected {
        "a string" | "Quantity" | "ByteString" => Value::String(String::new()),
        "a boolean" => Value::Bool(false),
        "a sequence" => Value::Array(Vec::new()),
        "a map" => Value::Object(Map::new()),
        e if e.starts_with('i') || e.starts_with('u') || e.starts_with('f') => Value::from(0),
        e if e.starts_with(|c: char| c.is_ascii_uppercase()) => Value::Object(Map::new()),
        _ => return None,
    })
}

/// Fields whose JSON objects are Go maps: their keys are not part of encoding/json's field path.
fn is_map_field(kind: Kind, name: &str) -> bool {
    matches!(
        name,
        "labels"
            | "annotations"
            | "data"
            | "binaryData"
            | "stringData"
            | "parameters"
            | "capacity"
            | "requests"
            | "limits"
            | "allocatable"
            | "nodeSelector"
            | "volumeAttributes"
            | "matchLabels"
            | "allocatedResources"
            | "allocatedResourceStatuses"
            | "overhead"
            | "hard"
            | "used"
    ) || (name == "selector" && kind == Kind::Service)
}

/// encoding/json's `json: cannot unmarshal <what> into Go struct field <Struct>.<path> of type <type>`.
fn go_type_error(kind: Kind, root: &Value, segments: &[Segment], unexpected: &str, expected: &str) -> String {
    let go_type = go_type_name(kind, root, segments, expected);
    let what = match unexpected.split_once(' ').map(|(w, _)| w).unwrap_or(unexpected) {
        "string" => "string".to_string(),
        "boolean" => "bool".to_string(),
        "sequence" => "array".to_string(),
        "map" => "object".to_string(),
        "integer" | "floating" => {
            let number = unexpected.split('`').nth(1).unwrap_or("");
            let into_integer = go_type.starts_with("int") || go_type.starts_with("uint");
            if into_integer { format!("number {number}") } else { "number".to_string() }
        }
        other => other.to_string(),
    };
    // The field path keeps struct fields only: list indices and map keys are not named.
    let mut fields = Vec::new();
    let mut previous: Option<&str> = None;
    for segment in segments {
        if let Segment::Key(key) = segment {
            if previous.is_some_and(|p| is_map_field(kind, p)) {
                previous = None;
                continue;
            }
            fields.push(key.as_str());
            previous = Some(key);
        }
    }
    if fields.is_empty() {
        return format!("json: cannot unmarshal {what} into Go value of type v1.{kind}");
    }
    // The struct that holds the field: the innermost non-map parent.
    let field_index = segments.iter().rposition(|s| match s {
        Segment::Key(key) => fields.last() == Some(&key.as_str()),
        Segment::Index(_) => false,
    });
    let parent = &segments[..field_index.unwrap_or(0)];
    let struct_name = if parent.is_empty() {
        kind.to_string()
    } else {
        probe_expected(kind, root, parent, Value::Bool(true)).unwrap_or_else(|| kind.to_string())
    };
    format!("json: cannot unmarshal {what} into Go struct field {struct_name}.{} of type {go_type}", fields.join("."))
}

/// Asks the typed decoder what it expects at `segments` by putting a deliberately wrong value there.
fn probe_expected(kind: Kind, root: &Value, segments: &[Segment], replacement: Value) -> Option<String> {
    let mut probe = root.clone();
    if !set_at(&mut probe, segments, replacement) {
        return None;
    }
    let (at, message) = decode_typed(kind, probe).err()?;
    if at.as_slice() != segments {
        return None;
    }
    parse_invalid(&message).map(|(_, expected)| expected)
}

fn go_type_name(kind: Kind, root: &Value, segments: &[Segment], expected: &str) -> String {
    let scalar = |e: &str| -> Option<String> {
        Some(
            match e {
                "i32" => "int32",
                "i64" => "int64",
                "u32" => "uint32",
                "u64" => "uint64",
                "f64" => "float64",
                "a boolean" => "bool",
                "a string" => "string",
                "Quantity" => "resource.Quantity",
                "IntOrString" => "intstr.IntOrString",
                "ByteString" => "[]uint8",
                other if other.starts_with(|c: char| c.is_ascii_uppercase()) => {
                    return Some(format!("v1.{other}"));
                }
                _ => return None,
            }
            .to_string(),
        )
    };
    if let Some(name) = scalar(expected) {
        return name;
    }
    match expected {
        "a sequence" => {
            let mut element = segments.to_vec();
            element.push(Segment::Index(0));
            let inner = probe_expected(
                kind,
                &replace_with(root, segments, Value::Array(vec![Value::Array(Vec::new())])),
                &element,
                Value::Array(Vec::new()),
            )
            .and_then(|e| scalar(&e))
            .unwrap_or_else(|| "interface {}".to_string());
            format!("[]{inner}")
        }
        "a map" => {
            let mut element = segments.to_vec();
            element.push(Segment::Key("k".to_string()));
            let mut object = Map::new();
            object.insert("k".to_string(), Value::Array(Vec::new()));
            let inner = probe_expected(
                kind,
                &replace_with(root, segments, Value::Object(object)),
                &element,
                Value::Array(Vec::new()),
            )
            .and_then(|e| scalar(&e))
            .unwrap_or_else(|| "string".to_string());
            format!("map[string]{inner}")
        }
        other => other.to_string(),
    }
}

fn replace_with(root: &Value, segments: &[Segment], new: Value) -> Value {
    let mut copy = root.clone();
    set_at(&mut copy, segments, new);
    copy
}

/// The first quantity that the API server's decoder would refuse, with its path.
fn first_bad_quantity(object: &mut Object) -> Option<(String, quantity::Error)> {
    let mut first = None;
    quantity::visit_quantities_mut(object, &mut |path, value| {
        if first.is_none()
            && let Err(error) = quantity::Quantity::parse(value.trim())
        {
            first = Some((path.to_string(), error));
        }
    });
    first
}

// ---------------------------------------------------------------------------------------------
// YAML → JSON, the sigs.k8s.io/yaml way (go-yaml v2 resolution rules).

struct YamlError {
    problem: String,
    /// 1-based document-relative line and 0-based column.
    line: usize,
    column: usize,
    /// Parser (not scanner) errors: go-yaml reports their line one lower.
    parser: bool,
}

struct Converted {
    value: Value,
    start: Option<Position>,
    positions: BTreeMap<String, FieldPosition>,
    duplicates: Vec<(Position, DuplicateKey)>,
}

/// Converts the first YAML document of `text`. `line_offset` is added to lines for absolute positions.
fn yaml_to_json(text: &str, line_offset: usize) -> std::result::Result<Converted, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut events = Vec::new();
    let mut documents = 0;
    loop {
        match parser.next_token() {
            Ok((event, marker)) => {
                match event {
                    Event::StreamEnd => break,
                    Event::DocumentStart => documents += 1,
                    Event::DocumentEnd if documents == 1 => {
                        events.push((event, marker));
                        break;
                    }
                    _ => {}
                }
                events.push((event, marker));
                if events.len() > 1_000_000 {
                    break;
                }
            }
            Err(error) => {
                let (problem, parser) = go_yaml_problem(error.info());
                return Err(YamlError { problem, line: error.marker().line(), column: error.marker().col(), parser });
            }
        }
    }
    let mut converter = Converter {
        events,
        next: 0,
        anchors: BTreeMap::new(),
        positions: BTreeMap::new(),
        duplicates: Vec::new(),
        line_offset,
    };
    // Skip to the document's root node.
    while let Some((event, _)) = converter.events.get(converter.next) {
        if matches!(event, Event::StreamStart | Event::DocumentStart) {
            converter.next += 1;
        } else {
            break;
        }
    }
    let start = match converter.events.get(converter.next) {
        Some((Event::DocumentEnd | Event::StreamEnd, _)) | None => None,
        Some(_) => converter.start_of(converter.next).map(|marker| converter.position(&marker)),
    };
    if start.is_none() {
        return Ok(Converted { value: Value::Null, start, positions: BTreeMap::new(), duplicates: Vec::new() });
    }
    let value = converter.node("", 0)?;
    Ok(Converted { value, start, positions: converter.positions, duplicates: converter.duplicates })
}

/// Maps yaml-rust2's messages to go-yaml's (libyaml's) problem texts, and says whether the parser raised it.
fn go_yaml_problem(info: &str) -> (String, bool) {
    let parser_problems = [
        ("while parsing a block mapping, did not find expected key", "did not find expected key"),
        (
            "while parsing a block collection, did not find expected '-' indicator",
            "did not find expected '-' indicator",
        ),
        ("while parsing a node, did not find expected node content", "did not find expected node content"),
        ("while parsing a flow mapping, did not find expected ',' or '}'", "did not find expected ',' or '}'"),
        ("while parsing a flow sequence, expected ',' or ']'", "did not find expected ',' or ']'"),
        ("did not find expected <document start>", "did not find expected <document start>"),
        ("invalid indentation", "did not find expected key"),
    ];
    for (theirs, ours) in parser_problems {
        if info == theirs {
            return (ours.to_string(), true);
        }
    }
    if info.starts_with("unexpected character") || info.contains("tab") {
        return ("found character that cannot start any token".to_string(), false);
    }
    if info == "simple key expect ':'" {
        return ("could not find expected ':'".to_string(), false);
    }
    if info.contains("found unknown anchor") {
        return ("unknown anchor referenced".to_string(), true);
    }
    let problem = match info.split_once(", ") {
        Some((context, problem)) if context.starts_with("while ") => problem,
        _ => info,
    };
    (problem.to_string(), info.starts_with("while parsing"))
}

struct Converter {
    events: Vec<(Event, Marker)>,
    next: usize,
    anchors: BTreeMap<usize, Value>,
    positions: BTreeMap<String, FieldPosition>,
    duplicates: Vec<(Position, DuplicateKey)>,
    line_offset: usize,
}

/// Deeper nesting than this is refused rather than recursed into.
const DEPTH_MAX: usize = 200;

impl Converter {
    fn position(&self, marker: &Marker) -> Position {
        Position { line: marker.line() + self.line_offset, column: marker.col() + 1 }
    }

    /// Where the node at event `index` starts: a block collection's start event is marked after its
    /// first key, so the first child's marker is used when it is earlier.
    fn start_of(&self, index: usize) -> Option<Marker> {
        let (event, marker) = self.events.get(index)?;
        let mut best = *marker;
        if matches!(event, Event::MappingStart(..) | Event::SequenceStart(..))
            && let Some((_, next)) = self.events.get(index + 1)
            && (next.line(), next.col()) < (best.line(), best.col())
        {
            best = *next;
        }
        Some(best)
    }

    fn fail(&self, marker: Marker, problem: &str) -> YamlError {
        YamlError { problem: problem.to_string(), line: marker.line(), column: marker.col(), parser: false }
    }

    fn node(&mut self, path: &str, depth: usize) -> std::result::Result<Value, YamlError> {
        let Some((event, marker)) = self.events.get(self.next).cloned() else {
            let (line, column) = self.events.last().map(|(_, m)| (m.line(), m.col())).unwrap_or((1, 0));
            return Err(YamlError {
                problem: "did not find expected node content".to_string(),
                line,
                column,
                parser: true,
            });
        };
        if depth > DEPTH_MAX {
            return Err(self.fail(marker, "exceeded max depth"));
        }
        self.next += 1;
        match event {
            Event::Alias(id) => match self.anchors.get(&id) {
                Some(value) => Ok(value.clone()),
                None => Err(YamlError {
                    problem: "unknown anchor referenced".to_string(),
                    line: marker.line(),
                    column: marker.col(),
                    parser: true,
                }),
            },
            Event::Scalar(text, style, anchor, tag) => {
                let value = if style == TScalarStyle::Plain && tag.as_ref().is_none_or(|t| t.suffix != "str") {
                    resolve_plain(&text)
                } else {
                    Value::String(text)
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                Ok(value)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                loop {
                    match self.events.get(self.next) {
                        Some((Event::SequenceEnd, _)) => {
                            self.next += 1;
                            break;
                        }
                        Some(_) => {
                            let item_path = format!("{path}[{}]", items.len());
                            let item_marker = self.start_of(self.next).unwrap_or(marker);
                            let position = self.position(&item_marker);
                            self.positions.insert(item_path.clone(), FieldPosition { key: position, value: position });
                            items.push(self.node(&item_path, depth + 1)?);
                        }
                        None => {
                            return Err(self.fail(marker, "did not find expected '-' indicator"));
                        }
                    }
                }
                let value = Value::Array(items);
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                Ok(value)
            }
            Event::MappingStart(anchor, _) => {
                let mut map = Map::new();
                let mut merges = Vec::new();
                loop {
                    let key_marker = match self.events.get(self.next) {
                        Some((Event::MappingEnd, _)) => {
                            self.next += 1;
                            break;
                        }
                        Some((_, key_marker)) => *key_marker,
                        None => return Err(self.fail(marker, "did not find expected key")),
                    };
                    let is_merge = matches!(self.events.get(self.next), Some((Event::Scalar(text, TScalarStyle::Plain, _, _), _)) if text == "<<");
                    let key_value = self.node("\u{0}", depth + 1)?;
                    let Some(value_marker) = self.start_of(self.next) else {
                        return Err(self.fail(key_marker, "did not find expected node content"));
                    };
                    if is_merge {
                        let merged = self.node("\u{0}", depth + 1)?;
                        merges.push(merged);
                        continue;
                    }
                    let key = key_string(&key_value);
                    let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    let value = self.node(&child, depth + 1)?;
                    if map.contains_key(&key) {
                        let line = key_marker.line();
                        let repr = match &key_value {
                            Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
                            other => other.to_string(),
                        };
                        let position = self.position(&key_marker);
                        self.duplicates.push((position, DuplicateKey { line, key: repr }));
                    }
                    if !path.starts_with('\u{0}') {
                        let field =
                            FieldPosition { key: self.position(&key_marker), value: self.position(&value_marker) };
                        self.positions.insert(child, field);
                    }
                    map.insert(key, value);
                }
                for merged in merges {
                    let sources = match merged {
                        Value::Array(items) => items,
                        other => vec![other],
                    };
                    for source in sources {
                        if let Value::Object(entries) = source {
                            for (key, value) in entries {
                                map.entry(key).or_insert(value);
                            }
                        }
                    }
                }
                let value = Value::Object(map);
                if anchor > 0 {
                    self.anchors.insert(anchor, value.clone());
                }
                Ok(value)
            }
            _ => Err(self.fail(marker, "did not find expected node content")),
        }
    }
}

/// sigs.k8s.io/yaml's conversion of a map key to a JSON object key.
fn key_string(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// go-yaml v2's `resolve` for a plain scalar: null, YAML 1.1 booleans, Go-style integers, floats, else string.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return Value::String(text.to_string());
    }
    let plain: String = text.chars().filter(|c| *c != '_').collect();
    if let Some(value) = parse_go_int(&plain) {
        return value;
    }
    if is_yaml_float(&plain)
        && let Ok(float) = plain.parse::<f64>()
        && float.is_finite()
    {
        if float.fract() == 0.0 && float.abs() < 9.0e15 {
            return Value::from(float as i64);
        }
        if let Some(number) = serde_json::Number::from_f64(float) {
            return Value::Number(number);
        }
    }
    Value::String(text.to_string())
}

/// `strconv.ParseInt(s, 0, 64)` then `ParseUint`: sign, `0x`/`0o`/`0b`/leading-zero octal.
fn parse_go_int(text: &str) -> Option<Value> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, rest)
    } else if let Some(rest) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, rest)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude).ok().map(|v| -v).or((magnitude == 1u64 << 63).then_some(i64::MIN))?;
        Some(Value::from(value))
    } else {
        Some(Value::from(magnitude))
    }
}

/// go-yaml v2's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

/// Converts YAML text to a JSON value as kubectl would send it (first document only); for callers
/// that want the raw value (e.g. `kubectl apply` patches).
///
/// # Errors
/// The syntax or duplicate-key error, worded as kubectl does.
pub fn yaml_value(text: &str) -> std::result::Result<Value, Error> {
    match yaml_to_json(text, 0) {
        Err(YamlError { problem, line: relative, parser, .. }) => {
            let line =
                if parser { relative.checked_sub(1).filter(|l| *l > 0) } else { Some(relative).filter(|l| *l > 0) };
            Err(Error::Syntax { line, problem })
        }
        Ok(converted) if !converted.duplicates.is_empty() => {
            Err(Error::DuplicateKeys(converted.duplicates.into_iter().map(|(_, key)| key).collect()))
        }
        Ok(converted) => Ok(converted.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    /// Renders every decoded document: `doc 0 @1:1 ok PersistentVolumeClaim/x` or `doc 0 err @3:5 <message>`.
    #[track_caller]
    fn check(input: &str, expect: Expect) {
        let mut out = String::new();
        for document in decode_documents(input) {
            match &document.result {
                Ok(object) => out.push_str(&format!(
                    "doc {} @{} ok {}/{}\n",
                    document.index,
                    document.start,
                    object.kind(),
                    object.name()
                )),
                Err(error) => {
                    let at = error.position.map(|p| p.to_string()).unwrap_or_else(|| "?".to_string());
                    out.push_str(&format!("doc {} err @{at} {:?}: {}\n", error.document, error.stage(), error));
                }
            }
        }
        expect.assert_eq(&out);
    }

    #[test]
    fn documents_should_split_and_skip_empty_ones() {
        check(
            r#"---
# only a comment
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: fast
provisioner: example.com/csi
"#,
            expect![[r#"
                doc 0 @4:1 ok PersistentVolumeClaim/data
                doc 1 @15:1 ok StorageClass/fast
            "#]],
        );
    }

    #[test]
    fn unknown_fields_should_be_reported_with_api_server_paths() {
        check(
            r#"apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  acessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
    foo: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    imagee: busybox
"#,
            expect![[r#"
                doc 0 err @6:3 Server: PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: strict decoding error: unknown field "spec.acessModes", unknown field "spec.resources.foo"
                doc 1 err @19:5 Server: Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"
            "#]],
        );
    }

    #[test]
    fn type_errors_should_use_encoding_json_wording() {
        check(
            r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  replicas: "3"
  selector:
    matchLabels:
      app: web
  serviceName: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: c
        image: nginx
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    app: 1
spec:
  containers:
  - name: c
    image: x
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: x
    ports:
    - containerPort: 80.5
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers: oops
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: s
provisioner: [a]
"#,
            expect![[r#"
                doc 0 err @6:13 Server: StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32
                doc 1 err @25:10 Server: Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string
                doc 2 err @40:22 Server: Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32
                doc 3 err @47:15 Server: Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container
                doc 4 err @53:14 Server: StorageClass in version "v1" cannot be handled as a StorageClass: json: cannot unmarshal array into Go struct field StorageClass.provisioner of type string
            "#]],
        );
    }

    #[test]
    fn type_meta_problems_should_be_reported_like_kubectl() {
        check(
            r#"apiVersion: v1
metadata:
  name: x
---
kind: Pod
metadata:
  name: x
---
metadata:
  name: x
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
---
apiVersion: v1
kind: StorageClass
metadata:
  name: s
  namespace: ns
---
just a string
---
apiVersion: 1
kind: true
"#,
            expect![[r#"
                doc 0 err @1:1 Validate: error validating data: kind not set
                doc 1 err @5:1 Validate: error validating data: apiVersion not set
                doc 2 err @9:1 Validate: error validating data: [apiVersion not set, kind not set]
                doc 3 err @13:7 Mapping: no matches for kind "Widget" in version "example.com/v1"
                doc 4 err @18:7 Mapping: no matches for kind "StorageClass" in version "v1"
                doc 5 err @23:1 Validate: error validating data: invalid object to validate
                doc 6 err @25:1 Validate: error validating data: [apiVersion isn't string type, kind isn't string type]
            "#]],
        );
    }

    #[test]
    fn yaml_syntax_errors_should_carry_go_yaml_lines() {
        check(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n    labels: y\n",
            expect![[r#"
                doc 0 err @5:11 Parse: error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context
            "#]],
        );
        check(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n labels: y\n",
            expect![[r#"
                doc 0 err @5:8 Parse: error converting YAML to JSON: yaml: line 4: did not find expected key
            "#]],
        );
        check(
            "a: 1\n---\napiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n",
            expect![[r#"
                doc 0 err @1:1 Validate: error validating data: [apiVersion not set, kind not set]
                doc 1 err @6:2 Parse: error converting YAML to JSON: yaml: line 4: found character that cannot start any token
            "#]],
        );
        check(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"x\n",
            expect![[r#"
                doc 0 err @5:1 Parse: error converting YAML to JSON: yaml: line 5: found unexpected end of stream
            "#]],
        );
        check(
            "apiVersion: v1\n--- junk\nkind: Pod\n",
            expect![[r#"
                doc 0 err @1:1 Validate: error validating data: kind not set
                doc 1 err @2:1 Parse: invalid Yaml document separator: junk
            "#]],
        );
    }

    #[test]
    fn duplicate_keys_should_be_reported_like_sigs_yaml() {
        check(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\ndata:\n  k: v\n  k: w\n",
            expect![[r#"
                doc 0 err @5:3 Parse: error converting YAML to JSON: yaml: unmarshal errors:
                  line 5: key "name" already set in map
                  line 8: key "k" already set in map
            "#]],
        );
    }

    #[test]
    fn bad_quantities_should_fail_at_decode() {
        check(
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: d\nspec:\n  resources:\n    requests:\n      storage: 10Gb\n",
            expect![[r#"
                doc 0 err @8:16 Server: PersistentVolumeClaim in version "v1" cannot be handled as a PersistentVolumeClaim: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
            "#]],
        );
    }

    #[test]
    fn lists_and_json_should_decode() {
        check(
            r#"apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: one
- apiVersion: v1
  metadata:
    name: two
"#,
            expect![[r#"
                doc 0 @4:3 ok ConfigMap/one
                doc 0 err @8:3 Mapping: Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"two"}}'
            "#]],
        );
        check(
            "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"j\"}}\n{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"}, \"bogus\": 1}",
            expect![[r#"
                doc 0 @1:1 ok ConfigMap/j
                doc 1 err @2:67 Server: Secret in version "v1" cannot be handled as a Secret: strict decoding error: unknown field "bogus"
            "#]],
        );
    }

    #[test]
    fn missing_required_fields_should_decode_to_zero_values() {
        let docs = decode_documents(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - image: x\n    name: null\n",
        );
        let Ok(Object::Pod(pod)) = &docs[0].result else { panic!("{docs:?}") };
        let container = &pod.spec.as_ref().unwrap().containers[0];
        assert_eq!(container.name, "");
        assert_eq!(docs[0].positions.locate("spec.containers[0].name").unwrap(), Position { line: 8, column: 5 });
        assert_eq!(
            docs[0].positions.locate("spec.containers[0].resources[storage]").unwrap(),
            Position { line: 7, column: 5 }
        );
    }

    #[test]
    fn yaml_scalars_should_resolve_like_go_yaml_v2() {
        let value = yaml_value(
            "a: yes\nb: off\nc: 0400\nd: 1e3\ne: 1.5\nf: 0x1F\ng: '0400'\nh: ~\ni: 08\nj: 1_000\nk: 2024-01-01\nl: -7\nm: .5\nn: 3000000000\n",
        )
        .unwrap();
        expect![[r#"{"a":true,"b":false,"c":256,"d":1000,"e":1.5,"f":31,"g":"0400","h":null,"i":8,"j":1000,"k":"2024-01-01","l":-7,"m":0.5,"false":3000000000}"#]]
            .assert_eq(&value.to_string());
        let merged = yaml_value("base: &b {x: 1, y: 2}\nderived:\n  <<: *b\n  y: 3\n").unwrap();
        expect![[r#"{"base":{"x":1,"true":2},"derived":{"true":3,"x":1}}"#]].assert_eq(&merged.to_string());
    }

    #[test]
    fn hostile_input_should_never_panic() {
        let valid = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\n  labels: {a: b}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: c\n        image: \"nginx\"\n        resources: {requests: {storage: 1Gi}}\n  volumeClaimTemplates:\n  - metadata: {name: d}\n    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n---\n[1, {a: *x}]\n";
        for cut in 0..=valid.len() {
            if valid.is_char_boundary(cut) {
                let _ = decode_documents(&valid[..cut]);
            }
        }
        // A fixed linear congruential generator: deterministic "random" inputs without an OS seed.
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let alphabet = b"ab:- \n\t{}[],'\"&*!|>#%@`?0123456789.~\\";
        for round in 0..400 {
            let mut bytes = Vec::new();
            for _ in 0..(round % 90 + 1) {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let pick = (state >> 33) as usize;
                if round % 3 == 0 {
                    bytes.push((pick % 256) as u8);
                } else {
                    bytes.push(alphabet[pick % alphabet.len()]);
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            let _ = decode_documents(&text);
            let mixed = format!("{}{}", &valid[..valid.len() / 2], text);
            let _ = decode_documents(&mixed);
        }
        let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        let _ = decode_documents(&deep);
        let deep_block = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>();
        let _ = decode_documents(&deep_block);
    }
}
