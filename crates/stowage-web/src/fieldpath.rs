//! Server-side errors placed in the editor: the API server's `is invalid` and `is forbidden` messages (as kubectl
//! prints them on stderr) mapped to the line and column of the offending field, in the right document of a
//! multi-document manifest.
//!
//! # Model
//! - kubectl prints one error per object: `The PersistentVolumeClaim "x" is invalid: spec.accessModes: Required
//!   value`, or the header then one `* path: message` line per field error; admission refusals read
//!   `persistentvolumeclaims "x" is forbidden: why`.
//! - The object is found among the manifest's decoded documents by kind (when known) and name; the field path is
//!   placed with the decoder's field positions ([`Positions::locate`]): the field itself, or its nearest parent
//!   that is present (a missing required field is marked at its parent's key).
//! - Pure functions of text: tested natively.
//!
//! [`Positions::locate`]: stowage_core::api::decode::Positions::locate

use stowage_core::Kind;
use stowage_core::api::decode::{Position, decode_documents};

use crate::state::Diagnostic;

/// One server-side error about one object, as read from kubectl's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerError {
    /// The kind as printed (`PersistentVolumeClaim`), or `None` when only the resource was named.
    pub kind: Option<Kind>,
    /// The object's name.
    pub name: String,
    /// The field path (`spec.accessModes`), or empty for an error about the whole object.
    pub path: String,
    /// The whole message line.
    pub message: String,
}

/// Reads the server-side errors from kubectl's stderr.
pub fn parse_server_errors(stderr: &str) -> Vec<ServerError> {
    let mut errors = Vec::new();
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some((head, rest)) = line.split_once(" is invalid:") {
            let Some((kind, name)) = subject(head) else { continue };
            let kind = kind.and_then(kind_named);
            let rest = rest.trim();
            let mut push = |field: &str| {
                let path = field.split_once(": ").map_or("", |(path, _)| path).trim();
                let path = if path.contains(' ') { "" } else { path };
                errors.push(ServerError {
                    kind,
                    name: name.clone(),
                    path: path.to_string(),
                    message: format!("{} is invalid: {field}", head.trim_start_matches("The ")),
                });
            };
            if rest.is_empty() {
                while let Some(field) = lines.peek().and_then(|next| next.strip_prefix("* ")) {
                    push(field);
                    lines.next();
                }
            } else if let Some(list) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                // `utilerrors.NewAggregate` form: `[a: x, b: y]`.
                for field in list.split(", ").filter(|f| f.contains(": ")) {
                    push(field);
                }
            } else {
                push(rest);
            }
        } else if let Some((head, _)) = line.split_once(" is forbidden:") {
            let Some((resource, name)) = subject(head) else { continue };
            let kind = resource.and_then(|r| Kind::from_resource_name(r.split('.').next().unwrap_or(r)));
            errors.push(ServerError { kind, name, path: String::new(), message: line.to_string() });
        }
    }
    errors
}

/// `... The PersistentVolumeClaim "x"` → (`Some("PersistentVolumeClaim")`, `x`).
fn subject(head: &str) -> Option<(Option<&str>, String)> {
    let head = head.trim_end();
    let without_close = head.strip_suffix('"')?;
    let open = without_close.rfind('"')?;
    let name = without_close[open + 1..].to_string();
    let before = without_close[..open].trim_end();
    let word = before.rsplit([' ', ':']).next().filter(|w| !w.is_empty());
    Some((word, name))
}

fn kind_named(name: &str) -> Option<Kind> {
    Kind::ALL.iter().copied().find(|kind| kind.info().name == name)
}

/// Where a server error belongs in the manifest: the field's position in the document that holds the object.
pub fn locate(manifest: &str, error: &ServerError) -> Option<Position> {
    let documents = decode_documents(manifest);
    let document = documents.iter().find(|document| {
        document
            .result
            .as_ref()
            .is_ok_and(|object| object.name() == error.name && error.kind.is_none_or(|kind| object.kind() == kind))
    })?;
    let path = if error.path.is_empty() { "metadata.name" } else { error.path.as_str() };
    Some(document.positions.locate(path).unwrap_or(document.start))
}

/// The editor markers for kubectl's stderr after an apply of `manifest`.
pub fn server_diagnostics(manifest: &str, stderr: &str) -> Vec<Diagnostic> {
    parse_server_errors(stderr)
        .into_iter()
        .filter_map(|error| {
            let position = locate(manifest, &error)?;
            Some(Diagnostic {
                line: u32::try_from(position.line).unwrap_or(1),
                column: u32::try_from(position.column).unwrap_or(1),
                message: error.message.into(),
            })
        })
        .collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const MANIFEST: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: x
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: x
spec:
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    app: web
spec:
  containers:
  - name: c
    image: \"\"
    volumeMounts:
    - name: v
      mountPath: rel
";

    fn at(stderr: &str) -> Vec<(u32, u32)> {
        server_diagnostics(MANIFEST, stderr).iter().map(|d| (d.line, d.column)).collect()
    }

    #[test]
    fn field_paths_should_map_to_the_field_in_the_right_document() {
        let cases: &[(&str, &[(u32, u32)])] = &[
            // A missing field: its parent's key, in the second document (the namespace is also named x).
            (
                "The PersistentVolumeClaim \"x\" is invalid: spec.accessModes: Required value: at least 1 access mode is required",
                &[(10, 1)],
            ),
            // A map key in brackets; a path that is not in the text falls back to its nearest present parent.
            ("The PersistentVolumeClaim \"x\" is invalid: spec.resources[storage]: Invalid value", &[(11, 3)]),
            ("The PersistentVolumeClaim \"x\" is invalid: spec.resources.requests[storage]: Invalid value", &[(13, 7)]),
            // Several errors, one per line, with list indices.
            (
                "The Pod \"p\" is invalid: \n* spec.containers[0].image: Required value\n* spec.containers[0].volumeMounts[0].name: Not found: \"v\"",
                &[(24, 5), (26, 7)],
            ),
            // The aggregate form.
            (
                "The Pod \"p\" is invalid: [metadata.labels[app]: Invalid value, spec.nodeName: Invalid value]",
                &[(20, 5), (21, 1)],
            ),
            // The namespace document, by kind.
            ("The Namespace \"x\" is invalid: metadata.name: Invalid value", &[(4, 3)]),
            // Admission: the whole object, at its name.
            ("persistentvolumeclaims \"x\" is forbidden: exceeded quota", &[(9, 3)]),
            (
                "Error from server (Forbidden): error when creating \"manifest.yaml\": pods \"p\" is forbidden: no",
                &[(18, 3)],
            ),
            // Objects not in the manifest, and other errors, are not placed.
            ("The Pod \"q\" is invalid: spec: Required value", &[]),
            ("error: the server doesn't have a resource type \"pvcs\"", &[]),
            ("", &[]),
        ];
        for (stderr, expected) in cases {
            assert_eq!(at(stderr), *expected, "{stderr}");
        }
    }

    #[test]
    fn messages_should_name_the_object_and_the_field() {
        let diagnostics = server_diagnostics(
            MANIFEST,
            "The PersistentVolumeClaim \"x\" is invalid: spec.accessModes: Required value",
        );
        assert_eq!(
            diagnostics[0].message.as_str(),
            "PersistentVolumeClaim \"x\" is invalid: spec.accessModes: Required value"
        );
    }

    #[test]
    fn odd_text_should_not_panic() {
        for stderr in ["\" is invalid:", "The \"\" is invalid: : ", "x is forbidden:", "\"\"\" is invalid: [", "* a: b"]
        {
            let _ = server_diagnostics(MANIFEST, stderr);
            let _ = server_diagnostics("", stderr);
        }
    }
}
