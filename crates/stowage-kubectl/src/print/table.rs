//! `kubectl get`'s human-readable table: server-side rows decorated client-side with a NAMESPACE
//! column (`-A`), `kind/` name prefixes, `-L` label columns and `--show-labels` (cli-runtime
//! `tableprinter.go`), then laid out by the tabwriter.

use super::columns::{cells, columns};
use super::fields::{format_labels, string_map};
use super::tabwriter::layout_table;
use super::{PrintContext, TableOptions};
use stowage_core::{Kind, Object};

/// The table for `objects` of one kind. Empty when there are no objects (kubectl prints no header).
pub fn render(kind: Kind, objects: &[&Object], options: &TableOptions, ctx: &PrintContext<'_>) -> String {
    if objects.is_empty() {
        return String::new();
    }
    let columns = columns(kind);
    let visible: Vec<usize> = (0..columns.len()).filter(|&i| options.wide || columns[i].priority == 0).collect();
    let name_column = columns.iter().position(|c| c.is_name);
    let prefix = format!("{}/", kind_prefix(kind));
    let mut text = String::new();
    if !options.no_headers {
        let mut headers: Vec<String> = Vec::new();
        if options.with_namespace {
            headers.push("NAMESPACE".to_string());
        }
        headers.extend(visible.iter().map(|&i| columns[i].name.to_uppercase()));
        headers.extend(options.label_columns.iter().map(|l| l.rsplit('/').next().unwrap_or(l).to_uppercase()));
        if options.show_labels {
            headers.push("LABELS".to_string());
        }
        text.push_str(&headers.join("\t"));
        text.push('\n');
    }
    for object in objects {
        let mut row = cells(object, ctx);
        if options.with_kind
            && let Some(i) = name_column
        {
            row[i] = format!("{prefix}{}", row[i]);
        }
        let mut out: Vec<String> = Vec::new();
        if options.with_namespace {
            out.push(object.namespace().to_string());
        }
        out.extend(visible.iter().map(|&i| escape_cell(&row[i])));
        let labels = string_map(&object.to_value(), "metadata.labels");
        for key in &options.label_columns {
            out.push(labels.get(key).cloned().unwrap_or_default());
        }
        if options.show_labels {
            out.push(format_labels(&labels));
        }
        text.push_str(&out.join("\t"));
        text.push('\n');
    }
    layout_table(&text)
}

/// `strings.ToLower(GroupKind.String())`: `persistentvolume`, `storageclass.storage.k8s.io`.
pub fn kind_prefix(kind: Kind) -> String {
    let info = kind.info();
    if info.group.is_empty() {
        info.name.to_ascii_lowercase()
    } else {
        format!("{}.{}", info.name.to_ascii_lowercase(), info.group)
    }
}

/// A string cell as the table printer writes it: cut at the first line break (with `...`), and
/// terminal escapes made visible.
pub fn escape_cell(cell: &str) -> String {
    let (text, truncated) = match cell.find(['\n', '\r', '\u{c}']) {
        Some(i) => (&cell[..i], true),
        None => (cell, false),
    };
    let mut out = escape_terminal(text);
    if truncated {
        out.push_str("...");
    }
    out
}

/// `printers.EscapeTerminal`: ESC shows as `^[`, CR as `\r`.
pub fn escape_terminal(text: &str) -> String {
    text.replace('\u{1b}', "^[").replace('\r', "\\r")
}
