//! `kubectl events` (kubectl `pkg/cmd/events`) and the Events section of `kubectl describe`.

use super::PrintContext;
use super::columns::{event_ages, event_sort_ms};
use super::fields::{at, int_at, str_at};
use super::table::escape_terminal;
use super::tabwriter::layout_table;
use super::time::{parse_rfc3339_ms, since};
use serde_json::Value;
use stowage_core::{Kind, Object, ObjectKey};

/// The interval cell: `5s`, or `10s (x3 over 2m)` for a repeated event.
pub fn interval(v: &Value, ctx: &PrintContext<'_>) -> String {
    let (first, _) = event_ages(v, ctx);
    if !at(v, "series").is_null() {
        let last = at(v, "series.lastObservedTime").as_str().and_then(parse_rfc3339_ms);
        let last = last
            .map_or_else(|| "<unknown>".to_string(), |ms| super::time::human_duration_ms(ctx.now.unix_millis() - ms));
        return format!("{last} (x{} over {first})", int_at(v, "series.count").unwrap_or(0));
    }
    let count = int_at(v, "count").unwrap_or(0);
    if count > 1 {
        let last: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time> =
            serde_json::from_value(at(v, "lastTimestamp").clone()).ok();
        format!("{} (x{count} over {first})", since(ctx.now, last.as_ref()))
    } else {
        first
    }
}

/// Events in `namespace` (all namespaces when `None`), optionally only those about `for_object`,
/// oldest first.
pub fn collect<'a>(
    ctx: &PrintContext<'a>,
    namespace: Option<&str>,
    for_object: Option<&ObjectKey>,
) -> Vec<(&'a Object, Value)> {
    let objects: Vec<&Object> = match namespace {
        Some(ns) => ctx.store.list_in(Kind::Event, ns).collect(),
        None => ctx.store.list(Kind::Event).collect(),
    };
    let mut events: Vec<(&Object, Value)> = objects
        .into_iter()
        .map(|o| (o, o.to_value()))
        .filter(|(_, v)| match for_object {
            None => true,
            Some(key) => {
                str_at(v, "involvedObject.kind") == key.kind.info().name
                    && str_at(v, "involvedObject.apiVersion") == key.kind.info().api_version()
                    && str_at(v, "involvedObject.name") == key.name
            }
        })
        .collect();
    events.sort_by_key(|(_, v)| event_sort_ms(v));
    events
}

/// The `kubectl events` table; empty when there are no events.
pub fn events_table(
    ctx: &PrintContext<'_>,
    namespace: Option<&str>,
    for_object: Option<&ObjectKey>,
    no_headers: bool,
) -> String {
    let events = collect(ctx, namespace, for_object);
    if events.is_empty() {
        return String::new();
    }
    let mut text = String::new();
    if !no_headers {
        if namespace.is_none() {
            text.push_str("NAMESPACE\t");
        }
        text.push_str("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
    }
    for (object, v) in &events {
        if namespace.is_none() {
            text.push_str(object.namespace());
            text.push('\t');
        }
        text.push_str(&format!(
            "{}\t{}\t{}\t{}/{}\t{}\n",
            interval(v, ctx),
            escape_terminal(str_at(v, "type")),
            escape_terminal(str_at(v, "reason")),
            escape_terminal(str_at(v, "involvedObject.kind")),
            escape_terminal(str_at(v, "involvedObject.name")),
            escape_terminal(str_at(v, "message").trim()),
        ));
    }
    layout_table(&text)
}

/// The events `kubectl describe` shows for an object: same involved name, namespace, kind and uid.
pub fn for_describe<'a>(ctx: &PrintContext<'a>, object: &Object) -> Vec<Value> {
    let kind = object.kind().info().name;
    let mut events: Vec<Value> = ctx
        .store
        .list(Kind::Event)
        .map(Object::to_value)
        .filter(|v| {
            str_at(v, "involvedObject.name") == object.name()
                && str_at(v, "involvedObject.namespace") == object.namespace()
                && (object.kind() == Kind::Pod || str_at(v, "involvedObject.kind") == kind)
                && (object.uid().is_empty()
                    || str_at(v, "involvedObject.uid").is_empty()
                    || str_at(v, "involvedObject.uid") == object.uid())
        })
        .collect();
    // describe sorts by lastTimestamp only.
    events.sort_by_key(|v| at(v, "lastTimestamp").as_str().and_then(parse_rfc3339_ms).unwrap_or(i64::MIN));
    events
}

/// `DescribeEvents`: the Events section (tab-separated, laid out by the caller's tabwriter).
pub fn describe_events(events: &[Value], ctx: &PrintContext<'_>, out: &mut String) {
    if events.is_empty() {
        out.push_str("Events:\t<none>\n");
        return;
    }
    out.push_str("Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    out.push_str("  ----\t------\t----\t----\t-------\n");
    for v in events {
        let source = match str_at(v, "source.component") {
            "" => str_at(v, "reportingComponent"),
            s => s,
        };
        out.push_str(&format!(
            "  {}\t{}\t{}\t{}\t{}\n",
            str_at(v, "type"),
            str_at(v, "reason"),
            interval(v, ctx),
            source,
            str_at(v, "message").trim()
        ));
    }
}
