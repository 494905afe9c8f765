//! `kubectl describe` (kubectl `pkg/describe/describe.go`): the dedicated describers for
//! PersistentVolume, PersistentVolumeClaim, StorageClass, Pod, StatefulSet, Node and CSINode, and the
//! generic describer kubectl uses for every other kind (CSIDriver, VolumeSnapshot...).
//!
//! Output is built as tab-separated text, two spaces per level, and laid out by one tabwriter
//! (minwidth 0, padding 2), as kubectl's `tabbedString` does.

use super::PrintContext;
use super::access_modes_of;
use super::columns::{claim_class, is_default_class, node_roles, volume_class};
use super::events::{describe_events, for_describe};
use super::fields::{
    at, bool_at, format_labels, go_string_slice, int_at, list_at, opt_str, quantity, selector_string, str_at,
    string_map,
};
use super::gojson::go_float;
use super::table::escape_terminal;
use super::tabwriter::layout_describe;
use super::time::{rfc1123z, since};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::Value;
use std::collections::BTreeMap;
use stowage_core::api::quantity::Quantity;
use stowage_core::{Kind, Object};

/// Describes one object.
pub fn describe(object: &Object, ctx: &PrintContext<'_>) -> String {
    let v = object.to_value();
    let mut w = W::default();
    match object.kind() {
        Kind::PersistentVolume => persistent_volume(&v, &mut w, ctx),
        Kind::PersistentVolumeClaim => persistent_volume_claim(&v, &mut w, ctx),
        Kind::StorageClass => storage_class(&v, &mut w),
        Kind::Pod => pod(&v, &mut w, ctx),
        Kind::StatefulSet => stateful_set(&v, &mut w, ctx),
        Kind::Node => node(&v, &mut w, ctx),
        Kind::CSINode => csi_node(&v, &mut w),
        Kind::ConfigMap => config_map(&v, &mut w),
        Kind::Secret => {
            // kubectl's SecretDescriber shows no events.
            secret(&v, &mut w);
            return layout_describe(&escape_terminal(&w.0));
        }
        _ => generic(&v, &mut w),
    }
    let events = for_describe(ctx, object);
    let mut text = w.0;
    describe_events(&events, ctx, &mut text);
    layout_describe(&escape_terminal(&text))
}

/// The prefix writer: `level` adds two spaces per level.
#[derive(Default)]
struct W(String);

impl W {
    fn write(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.0.push_str("  ");
        }
        self.0.push_str(text);
    }
}

fn time_at(v: &Value, path: &str) -> Option<Time> {
    serde_json::from_value(at(v, path).clone()).ok()
}

fn labels_multiline(w: &mut W, initial_indent: &str, title: &str, labels: &BTreeMap<String, String>) {
    w.write(0, &format!("{initial_indent}{title}:\t"));
    if labels.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, (key, value)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(0, &format!("{initial_indent}\t"));
        }
        w.write(0, &format!("{key}={value}\n"));
    }
}

const MAX_ANNOTATION_LEN: usize = 140;

fn annotations_multiline(w: &mut W, title: &str, annotations: &BTreeMap<String, String>) {
    w.write(0, &format!("{title}:\t"));
    let keys: Vec<&String> =
        annotations.keys().filter(|k| *k != "kubectl.kubernetes.io/last-applied-configuration").collect();
    if keys.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    for (i, key) in keys.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let value = annotations[*key].strip_suffix('\n').unwrap_or(&annotations[*key]);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.write(0, &format!("{key}:\n"));
            for line in value.split('\n') {
                let shown = if line.len() > MAX_ANNOTATION_LEN - 2 {
                    let mut cut = MAX_ANNOTATION_LEN - 2;
                    while !line.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    format!("{}...", &line[..cut])
                } else {
                    line.to_string()
                };
                w.write(0, &format!("\t  {shown}\n"));
            }
        } else {
            w.write(0, &format!("{key}: {value}\n"));
        }
    }
}

fn finalizers(v: &Value) -> String {
    go_string_slice(list_at(v, "metadata.finalizers"))
}

fn status_or_terminating(v: &Value, ctx: &PrintContext<'_>, phase: &str) -> String {
    match time_at(v, "metadata.deletionTimestamp") {
        Some(t) => format!("Terminating (lasts {})", since(ctx.now, Some(&t))),
        None => phase.to_string(),
    }
}

fn persistent_volume(v: &Value, w: &mut W, ctx: &PrintContext<'_>) {
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    w.write(0, &format!("Finalizers:\t{}\n", finalizers(v)));
    w.write(0, &format!("StorageClass:\t{}\n", volume_class(v)));
    w.write(0, &format!("Status:\t{}\n", status_or_terminating(v, ctx, str_at(v, "status.phase"))));
    let claim = match at(v, "spec.claimRef") {
        Value::Null => String::new(),
        r => format!("{}/{}", str_at(r, "namespace"), str_at(r, "name")),
    };
    w.write(0, &format!("Claim:\t{claim}\n"));
    w.write(0, &format!("Reclaim Policy:\t{}\n", str_at(v, "spec.persistentVolumeReclaimPolicy")));
    w.write(0, &format!("Access Modes:\t{}\n", access_modes_of(list_at(v, "spec.accessModes"))));
    if let Some(mode) = opt_str(v, "spec.volumeMode") {
        w.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    w.write(0, &format!("Capacity:\t{}\n", quantity(opt_str(v, "spec.capacity.storage"))));
    w.write(0, "Node Affinity:\t");
    match at(v, "spec.nodeAffinity.required") {
        Value::Null => w.write(0, "<none>\n"),
        required => {
            w.write(0, "\n");
            w.write(1, "Required Terms:\t");
            let terms = list_at(required, "nodeSelectorTerms");
            if terms.is_empty() {
                w.write(0, "<none>\n");
            } else {
                w.write(0, "\n");
                for (i, term) in terms.iter().enumerate() {
                    w.write(2, &format!("Term {i}:\t"));
                    let expressions = list_at(term, "matchExpressions");
                    if expressions.is_empty() {
                        w.write(0, "<none>\n");
                    }
                    for (j, req) in expressions.iter().enumerate() {
                        if j != 0 {
                            w.write(2, "\t");
                        }
                        let mut expr =
                            format!("{} {}", str_at(req, "key"), str_at(req, "operator").to_ascii_lowercase());
                        let values: Vec<&str> = list_at(req, "values").iter().filter_map(Value::as_str).collect();
                        if !values.is_empty() {
                            expr = format!("{expr} [{}]", values.join(", "));
                        }
                        w.write(0, &format!("{expr}\n"));
                    }
                }
            }
        }
    }
    w.write(0, &format!("Message:\t{}\n", str_at(v, "status.message")));
    w.write(0, "Source:\n");
    volume_source(&v["spec"], w, true);
}

/// The `Type: ...` block of a volume source (pod volume or PV source).
fn volume_source(spec: &Value, w: &mut W, persistent: bool) {
    let b = |value: &Value, path: &str| bool_at(value, path).unwrap_or(false);
    if let Some(s) = spec.get("hostPath") {
        w.write(
            2,
            &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                str_at(s, "path"),
                opt_str(s, "type").unwrap_or("<none>")
            ),
        );
    } else if let Some(s) = spec.get("emptyDir") {
        let size = match opt_str(s, "sizeLimit") {
            Some(q) if quantity(Some(q)) != "0" => quantity(Some(q)),
            _ => "<unset>".to_string(),
        };
        w.write(
            2,
            &format!(
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
                str_at(s, "medium")
            ),
        );
    } else if let Some(s) = spec.get("secret") {
        w.write(
            2,
            &format!(
                "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                str_at(s, "secretName"),
                b(s, "optional")
            ),
        );
    } else if let Some(s) = spec.get("configMap") {
        w.write(
            2,
            &format!(
                "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                str_at(s, "name"),
                b(s, "optional")
            ),
        );
    } else if let Some(s) = spec.get("nfs") {
        w.write(
            2,
            &format!(
                "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                str_at(s, "server"),
                str_at(s, "path"),
                b(s, "readOnly")
            ),
        );
    } else if let Some(s) = spec.get("persistentVolumeClaim") {
        w.write(
            2,
            &format!(
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                str_at(s, "claimName"),
                b(s, "readOnly")
            ),
        );
    } else if let Some(s) = spec.get("ephemeral") {
        w.write(2, "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n");
        if let Some(template) = s.get("volumeClaimTemplate") {
            let mut inner = W::default();
            claim_fields(template, &mut inner, None);
            for line in inner.0.lines() {
                w.write(2, &format!("{line}\n"));
            }
        }
    } else if let Some(s) = spec.get("downwardAPI") {
        w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
        for item in list_at(s, "items") {
            if let Some(path) = opt_str(item, "fieldRef.fieldPath") {
                w.write(3, &format!("{path} -> {}\n", str_at(item, "path")));
            }
            if let Some(resource) = opt_str(item, "resourceFieldRef.resource") {
                w.write(3, &format!("{resource} -> {}\n", str_at(item, "path")));
            }
        }
    } else if let Some(s) = spec.get("projected") {
        w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
        for source in list_at(s, "sources") {
            if let Some(secret) = source.get("secret") {
                w.write(
                    2,
                    &format!("SecretName:\t{}\n    Optional:\t{}\n", str_at(secret, "name"), b(secret, "optional")),
                );
            } else if source.get("downwardAPI").is_some() {
                w.write(2, "DownwardAPI:\ttrue\n");
            } else if let Some(config_map) = source.get("configMap") {
                w.write(
                    2,
                    &format!(
                        "ConfigMapName:\t{}\n    Optional:\t{}\n",
                        str_at(config_map, "name"),
                        b(config_map, "optional")
                    ),
                );
            } else if let Some(token) = source.get("serviceAccountToken") {
                w.write(2, &format!("TokenExpirationSeconds:\t{}\n", int_at(token, "expirationSeconds").unwrap_or(0)));
            }
        }
    } else if let Some(s) = spec.get("local") {
        w.write(
            2,
            &format!(
                "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
                str_at(s, "path")
            ),
        );
    } else if let Some(s) = spec.get("csi") {
        if persistent {
            w.write(
                2,
                &format!(
                    "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    VolumeHandle:\t{}\n    ReadOnly:\t{}\n",
                    str_at(s, "driver"),
                    str_at(s, "fsType"),
                    str_at(s, "volumeHandle"),
                    b(s, "readOnly")
                ),
            );
        } else {
            w.write(
                2,
                &format!(
                    "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
                    str_at(s, "driver"),
                    str_at(s, "fsType"),
                    b(s, "readOnly")
                ),
            );
        }
        let attributes = string_map(s, "volumeAttributes");
        w.write(2, "VolumeAttributes:\t");
        if attributes.is_empty() {
            w.write(0, "<none>\n");
        }
        for (i, (key, value)) in attributes.iter().enumerate() {
            if i != 0 {
                w.write(2, "");
                w.write(2, "\t");
            }
            let line = format!("{key}={value}");
            if line.len() > MAX_ANNOTATION_LEN {
                w.write(2, &format!("{}...\n", &line[..MAX_ANNOTATION_LEN]));
            } else {
                w.write(2, &format!("{line}\n"));
            }
        }
    } else if let Some(s) = spec.get("awsElasticBlockStore") {
        w.write(
            2,
            &format!(
                "Type:\tAWSElasticBlockStore (a Persistent Disk resource in AWS)\n    VolumeID:\t{}\n    FSType:\t{}\n    Partition:\t{}\n    ReadOnly:\t{}\n",
                str_at(s, "volumeID"),
                str_at(s, "fsType"),
                int_at(s, "partition").unwrap_or(0),
                b(s, "readOnly")
            ),
        );
    } else if let Some(s) = spec.get("gcePersistentDisk") {
        w.write(
            2,
            &format!(
                "Type:\tGCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)\n    PDName:\t{}\n    FSType:\t{}\n    Partition:\t{}\n    ReadOnly:\t{}\n",
                str_at(s, "pdName"),
                str_at(s, "fsType"),
                int_at(s, "partition").unwrap_or(0),
                b(s, "readOnly")
            ),
        );
    } else if let Some(s) = spec.get("image") {
        w.write(
            2,
            &format!(
                "Type:\tImage (a container image or OCI artifact)\n    Reference:\t{}\n    PullPolicy:\t{}\n",
                str_at(s, "reference"),
                str_at(s, "pullPolicy")
            ),
        );
    } else {
        w.write(1, "<unknown>\n");
    }
}

/// `printPersistentVolumeClaim`; `full` carries the claim's name, namespace, status and finalizers.
fn claim_fields(v: &Value, w: &mut W, full: Option<&PrintContext<'_>>) {
    if full.is_some() {
        w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
        w.write(0, &format!("Namespace:\t{}\n", str_at(v, "metadata.namespace")));
    }
    w.write(0, &format!("StorageClass:\t{}\n", claim_class(v)));
    if let Some(ctx) = full {
        w.write(0, &format!("Status:\t{}\n", status_or_terminating(v, ctx, str_at(v, "status.phase"))));
    }
    w.write(0, &format!("Volume:\t{}\n", str_at(v, "spec.volumeName")));
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    if full.is_some() {
        w.write(0, &format!("Finalizers:\t{}\n", finalizers(v)));
    }
    let (capacity, modes) = if str_at(v, "spec.volumeName").is_empty() {
        (String::new(), String::new())
    } else {
        (quantity(opt_str(v, "status.capacity.storage")), access_modes_of(list_at(v, "status.accessModes")))
    };
    w.write(0, &format!("Capacity:\t{capacity}\n"));
    w.write(0, &format!("Access Modes:\t{modes}\n"));
    if let Some(mode) = opt_str(v, "spec.volumeMode") {
        w.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    if let Some(source) = v["spec"].get("dataSource").filter(|s| !s.is_null()) {
        w.write(0, "DataSource:\n");
        if let Some(group) = opt_str(source, "apiGroup") {
            w.write(1, &format!("APIGroup:\t{group}\n"));
        }
        w.write(1, &format!("Kind:\t{}\n", str_at(source, "kind")));
        w.write(1, &format!("Name:\t{}\n", str_at(source, "name")));
    }
}

fn persistent_volume_claim(v: &Value, w: &mut W, ctx: &PrintContext<'_>) {
    claim_fields(v, w, Some(ctx));
    let name = str_at(v, "metadata.name");
    let namespace = str_at(v, "metadata.namespace");
    let mut pods: Vec<String> = Vec::new();
    for pod in ctx.store.list_in(Kind::Pod, namespace) {
        let pv = pod.to_value();
        for volume in list_at(&pv, "spec.volumes") {
            if str_at(volume, "persistentVolumeClaim.claimName") == name {
                pods.push(pod.name().to_string());
            }
        }
    }
    for owner in list_at(v, "metadata.ownerReferences") {
        if str_at(owner, "kind") == "Pod"
            && let Some(pod) = ctx.store.list_in(Kind::Pod, namespace).find(|p| p.uid() == str_at(owner, "uid"))
            && !pods.iter().any(|p| p == pod.name())
        {
            pods.push(pod.name().to_string());
        }
    }
    pods.sort();
    w.write(0, "Used By:\t");
    if pods.is_empty() {
        w.write(0, "<none>\n");
    }
    for (i, pod) in pods.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        w.write(0, &format!("{pod}\n"));
    }
    let conditions = list_at(v, "status.conditions");
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n");
        w.write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    str_at(c, "type"),
                    str_at(c, "status"),
                    rfc1123z(time_at(c, "lastProbeTime").as_ref()),
                    rfc1123z(time_at(c, "lastTransitionTime").as_ref()),
                    str_at(c, "reason"),
                    str_at(c, "message")
                ),
            );
        }
    }
}

fn storage_class(v: &Value, w: &mut W) {
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    w.write(0, &format!("IsDefaultClass:\t{}\n", if is_default_class(v) { "Yes" } else { "No" }));
    w.write(0, &format!("Annotations:\t{}\n", format_labels(&string_map(v, "metadata.annotations"))));
    w.write(0, &format!("Provisioner:\t{}\n", str_at(v, "provisioner")));
    w.write(0, &format!("Parameters:\t{}\n", format_labels(&string_map(v, "parameters"))));
    let expansion = match bool_at(v, "allowVolumeExpansion") {
        None => "<unset>",
        Some(true) => "True",
        Some(false) => "False",
    };
    w.write(0, &format!("AllowVolumeExpansion:\t{expansion}\n"));
    let options = list_at(v, "mountOptions");
    if options.is_empty() {
        w.write(0, "MountOptions:\t<none>\n");
    } else {
        w.write(0, "MountOptions:\n");
        for option in options {
            w.write(1, &format!("{}\n", option.as_str().unwrap_or("")));
        }
    }
    if let Some(policy) = opt_str(v, "reclaimPolicy") {
        w.write(0, &format!("ReclaimPolicy:\t{policy}\n"));
    }
    if let Some(mode) = opt_str(v, "volumeBindingMode") {
        w.write(0, &format!("VolumeBindingMode:\t{mode}\n"));
    }
    if let Value::Array(terms) = at(v, "allowedTopologies") {
        w.write(0, "AllowedTopologies:\t");
        if terms.is_empty() {
            w.write(0, "<none>\n");
        } else {
            w.write(0, "\n");
        }
        for (i, term) in terms.iter().enumerate() {
            w.write(1, &format!("Term {i}:\t"));
            let requirements = list_at(term, "matchLabelExpressions");
            if requirements.is_empty() {
                w.write(0, "<none>\n");
            }
            for (j, req) in requirements.iter().enumerate() {
                if j != 0 {
                    w.write(1, "\t");
                }
                let values: Vec<&str> = list_at(req, "values").iter().filter_map(Value::as_str).collect();
                w.write(0, &format!("{} in [{}]\n", str_at(req, "key"), values.join(", ")));
            }
        }
    }
}

fn resources(v: &Value, w: &mut W, level: usize) {
    for (title, path) in [("Limits", "limits"), ("Requests", "requests")] {
        let list = string_map(v, path);
        if !list.is_empty() {
            w.write(level, &format!("{title}:\n"));
        }
        for (name, value) in &list {
            w.write(level + 1, &format!("{name}:\t{}\n", quantity(Some(value))));
        }
    }
}

fn container_state(title: &str, state: &Value, w: &mut W) {
    if let Some(running) = state.get("running") {
        w.write(2, &format!("{title}:\tRunning\n"));
        w.write(3, &format!("Started:\t{}\n", rfc1123z(time_at(running, "startedAt").as_ref())));
    } else if let Some(terminated) = state.get("terminated") {
        w.write(2, &format!("{title}:\tTerminated\n"));
        if let Some(reason) = opt_str(terminated, "reason").filter(|r| !r.is_empty()) {
            w.write(3, &format!("Reason:\t{reason}\n"));
        }
        if let Some(message) = opt_str(terminated, "message").filter(|r| !r.is_empty()) {
            w.write(3, &format!("Message:\t{message}\n"));
        }
        w.write(3, &format!("Exit Code:\t{}\n", int_at(terminated, "exitCode").unwrap_or(0)));
        if let Some(signal) = int_at(terminated, "signal").filter(|s| *s > 0) {
            w.write(3, &format!("Signal:\t{signal}\n"));
        }
        w.write(3, &format!("Started:\t{}\n", rfc1123z(time_at(terminated, "startedAt").as_ref())));
        w.write(3, &format!("Finished:\t{}\n", rfc1123z(time_at(terminated, "finishedAt").as_ref())));
    } else {
        w.write(2, &format!("{title}:\tWaiting\n"));
        if let Some(reason) = opt_str(state, "waiting.reason").filter(|r| !r.is_empty()) {
            w.write(3, &format!("Reason:\t{reason}\n"));
        }
    }
}

fn ports_text(ports: &[Value], field: &str) -> String {
    ports
        .iter()
        .map(|p| {
            let text = format!("{}/{}", int_at(p, field).unwrap_or(0), str_at(p, "protocol"));
            match opt_str(p, "name") {
                Some(name) if !name.is_empty() => format!("{text} ({name})"),
                _ => text,
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An IntOrString port as Go's `IntOrString.String()` prints it.
fn port_string(port: &Value) -> String {
    match port {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

/// `DescribeProbe`: the probe's action and its timing, as one line.
fn describe_probe(probe: &Value) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        int_at(probe, "initialDelaySeconds").unwrap_or(0),
        int_at(probe, "timeoutSeconds").unwrap_or(0),
        int_at(probe, "periodSeconds").unwrap_or(0),
        int_at(probe, "successThreshold").unwrap_or(0),
        int_at(probe, "failureThreshold").unwrap_or(0)
    );
    if let Some(exec) = probe.get("exec") {
        let command: Vec<&str> = list_at(exec, "command").iter().map(|c| c.as_str().unwrap_or("")).collect();
        return format!("exec [{}] {attrs}", command.join(" "));
    }
    if let Some(http) = probe.get("httpGet") {
        // net/url's URL.String() of {scheme, JoinHostPort(host, port), path}.
        let scheme = str_at(http, "scheme").to_ascii_lowercase();
        let host = str_at(http, "host");
        let port = port_string(&http["port"]);
        let host = match (port.is_empty(), host.contains(':')) {
            (true, _) => host.to_string(),
            (false, true) => format!("[{host}]:{port}"),
            (false, false) => format!("{host}:{port}"),
        };
        let path = str_at(http, "path");
        let mut url = String::new();
        if !scheme.is_empty() {
            url.push_str(&scheme);
            url.push(':');
        }
        if !scheme.is_empty() || !host.is_empty() {
            url.push_str("//");
            url.push_str(&host);
        }
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            url.push('/');
        }
        url.push_str(path);
        return format!("http-get {url} {attrs}");
    }
    if let Some(tcp) = probe.get("tcpSocket") {
        return format!("tcp-socket {}:{} {attrs}", str_at(tcp, "host"), port_string(&tcp["port"]));
    }
    if let Some(grpc) = probe.get("grpc") {
        return format!("grpc <pod>:{} {} {attrs}", int_at(grpc, "port").unwrap_or(0), str_at(grpc, "service"));
    }
    format!("unknown {attrs}")
}

fn containers(label: &str, containers: &[Value], statuses: &[Value], w: &mut W, space: &str) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for container in containers {
        let name = str_at(container, "name");
        let status = statuses.iter().find(|s| str_at(s, "name") == name);
        w.write(1, &format!("{name_indent}{name}:\n"));
        if let Some(status) = status {
            w.write(2, &format!("Container ID:\t{}\n", str_at(status, "containerID")));
        }
        w.write(2, &format!("Image:\t{}\n", str_at(container, "image")));
        if let Some(status) = status {
            w.write(2, &format!("Image ID:\t{}\n", str_at(status, "imageID")));
        }
        let ports = list_at(container, "ports");
        let or_none = |s: String| {
            if s.is_empty() { "<none>".to_string() } else { s }
        };
        let port_text = ports_text(ports, "containerPort");
        if port_text.contains(',') {
            w.write(2, &format!("Ports:\t{port_text}\n"));
        } else {
            w.write(2, &format!("Port:\t{}\n", or_none(port_text)));
        }
        let host_text = ports_text(ports, "hostPort");
        if host_text.contains(',') {
            w.write(2, &format!("Host Ports:\t{host_text}\n"));
        } else {
            w.write(2, &format!("Host Port:\t{}\n", or_none(host_text)));
        }
        for (title, path) in [("Command", "command"), ("Args", "args")] {
            let items = list_at(container, path);
            if !items.is_empty() {
                w.write(2, &format!("{title}:\n"));
                for item in items {
                    for line in item.as_str().unwrap_or("").split('\n') {
                        w.write(3, &format!("{line}\n"));
                    }
                }
            }
        }
        if let Some(status) = status {
            container_state("State", &status["state"], w);
            if status["lastState"].get("terminated").is_some() {
                container_state("Last State", &status["lastState"], w);
            }
            w.write(2, &format!("Ready:\t{}\n", if bool_at(status, "ready") == Some(true) { "True" } else { "False" }));
            w.write(2, &format!("Restart Count:\t{}\n", int_at(status, "restartCount").unwrap_or(0)));
        }
        resources(&container["resources"], w, 2);
        for (title, field) in
            [("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"), ("Startup", "startupProbe")]
        {
            if let Some(probe) = container.get(field).filter(|p| p.is_object()) {
                w.write(2, &format!("{title}:\t{}\n", describe_probe(probe)));
            }
        }
        let env = list_at(container, "env");
        w.write(2, &format!("Environment:{}\n", if env.is_empty() { "\t<none>" } else { "" }));
        for e in env {
            let name = str_at(e, "name");
            match e.get("valueFrom") {
                None => {
                    for (i, line) in str_at(e, "value").split('\n').enumerate() {
                        if i == 0 {
                            w.write(3, &format!("{name}:\t{line}\n"));
                        } else {
                            w.write(3, &format!("\t{line}\n"));
                        }
                    }
                }
                Some(from) => {
                    if let Some(r) = from.get("fieldRef") {
                        w.write(3, &format!("{name}:\t ({}:{})\n", str_at(r, "apiVersion"), str_at(r, "fieldPath")));
                    } else if let Some(r) = from.get("resourceFieldRef") {
                        w.write(3, &format!("{name}:\t ({})\n", str_at(r, "resource")));
                    } else if let Some(r) = from.get("secretKeyRef") {
                        w.write(
                            3,
                            &format!(
                                "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                                str_at(r, "key"),
                                str_at(r, "name"),
                                bool_at(r, "optional").unwrap_or(false)
                            ),
                        );
                    } else if let Some(r) = from.get("configMapKeyRef") {
                        w.write(
                            3,
                            &format!(
                                "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                                str_at(r, "key"),
                                str_at(r, "name"),
                                bool_at(r, "optional").unwrap_or(false)
                            ),
                        );
                    }
                }
            }
        }
        let mut mounts: Vec<&Value> = list_at(container, "volumeMounts").iter().collect();
        mounts.sort_by(|a, b| str_at(a, "mountPath").cmp(str_at(b, "mountPath")));
        w.write(2, &format!("Mounts:{}\n", if mounts.is_empty() { "\t<none>" } else { "" }));
        for mount in mounts {
            let mut flags =
                vec![if bool_at(mount, "readOnly") == Some(true) { "ro".to_string() } else { "rw".to_string() }];
            if let Some(sub) = opt_str(mount, "subPath").filter(|s| !s.is_empty()) {
                flags.push(format!("path={}", super::go_quote(sub)));
            }
            w.write(
                3,
                &format!("{} from {} ({})\n", str_at(mount, "mountPath"), str_at(mount, "name"), flags.join(",")),
            );
        }
    }
}

fn volumes(volumes: &[Value], w: &mut W, space: &str) {
    if volumes.is_empty() {
        w.write(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for volume in volumes {
        w.write(1, &format!("{name_indent}{}:\n", str_at(volume, "name")));
        volume_source(volume, w, false);
    }
}

fn tolerations(w: &mut W, title: &str, tolerations: &[Value]) {
    w.write(0, &format!("{title}:\t"));
    if tolerations.is_empty() {
        w.write(0, "<none>\n");
        return;
    }
    let mut sorted: Vec<&Value> = tolerations.iter().collect();
    sorted.sort_by(|a, b| str_at(a, "key").cmp(str_at(b, "key")));
    for (i, t) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let mut text = str_at(t, "key").to_string();
        if !str_at(t, "value").is_empty() {
            text.push_str(&format!("={}", str_at(t, "value")));
        }
        if !str_at(t, "effect").is_empty() {
            text.push_str(&format!(":{}", str_at(t, "effect")));
        }
        if str_at(t, "operator") == "Exists" && str_at(t, "value").is_empty() {
            if !str_at(t, "key").is_empty() || !str_at(t, "effect").is_empty() {
                text.push_str(" op=Exists");
            } else {
                text.push_str("op=Exists");
            }
        }
        if let Some(seconds) = int_at(t, "tolerationSeconds") {
            text.push_str(&format!(" for {seconds}s"));
        }
        w.write(0, &format!("{text}\n"));
    }
}

fn pod(v: &Value, w: &mut W, ctx: &PrintContext<'_>) {
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    w.write(0, &format!("Namespace:\t{}\n", str_at(v, "metadata.namespace")));
    if let Some(priority) = int_at(v, "spec.priority") {
        w.write(0, &format!("Priority:\t{priority}\n"));
    }
    if let Some(class) = opt_str(v, "spec.priorityClassName").filter(|s| !s.is_empty()) {
        w.write(0, &format!("Priority Class Name:\t{class}\n"));
    }
    if let Some(account) = opt_str(v, "spec.serviceAccountName").filter(|s| !s.is_empty()) {
        w.write(0, &format!("Service Account:\t{account}\n"));
    }
    match str_at(v, "spec.nodeName") {
        "" => w.write(0, "Node:\t<none>\n"),
        node => w.write(0, &format!("Node:\t{node}/{}\n", str_at(v, "status.hostIP"))),
    }
    if let Some(start) = time_at(v, "status.startTime") {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(Some(&start))));
    }
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    let phase = str_at(v, "status.phase");
    match time_at(v, "metadata.deletionTimestamp") {
        Some(t) if phase != "Failed" && phase != "Succeeded" => {
            w.write(0, &format!("Status:\tTerminating (lasts {})\n", since(ctx.now, Some(&t))));
            w.write(
                0,
                &format!(
                    "Termination Grace Period:\t{}s\n",
                    int_at(v, "metadata.deletionGracePeriodSeconds").unwrap_or(0)
                ),
            );
        }
        _ => w.write(0, &format!("Status:\t{phase}\n")),
    }
    if let Some(reason) = opt_str(v, "status.reason").filter(|s| !s.is_empty()) {
        w.write(0, &format!("Reason:\t{reason}\n"));
    }
    if let Some(message) = opt_str(v, "status.message").filter(|s| !s.is_empty()) {
        w.write(0, &format!("Message:\t{message}\n"));
    }
    w.write(0, &format!("IP:\t{}\n", str_at(v, "status.podIP")));
    let ips = list_at(v, "status.podIPs");
    if ips.is_empty() {
        w.write(0, "IPs:\t<none>\n");
    } else {
        w.write(0, "IPs:\n");
        for ip in ips {
            w.write(1, &format!("IP:\t{}\n", str_at(ip, "ip")));
        }
    }
    if let Some(owner) = list_at(v, "metadata.ownerReferences").iter().find(|o| bool_at(o, "controller") == Some(true))
    {
        w.write(0, &format!("Controlled By:\t{}/{}\n", str_at(owner, "kind"), str_at(owner, "name")));
    }
    if let Some(nominated) = opt_str(v, "status.nominatedNodeName").filter(|s| !s.is_empty()) {
        w.write(0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    let init = list_at(v, "spec.initContainers");
    if !init.is_empty() {
        containers("Init Containers", init, list_at(v, "status.initContainerStatuses"), w, "");
    }
    containers("Containers", list_at(v, "spec.containers"), list_at(v, "status.containerStatuses"), w, "");
    let conditions = list_at(v, "status.conditions");
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.write(1, &format!("{} \t{} \n", str_at(c, "type"), str_at(c, "status")));
        }
    }
    volumes(list_at(v, "spec.volumes"), w, "");
    w.write(0, &format!("QoS Class:\t{}\n", qos_class(v)));
    labels_multiline(w, "", "Node-Selectors", &string_map(v, "spec.nodeSelector"));
    tolerations(w, "Tolerations", list_at(v, "spec.tolerations"));
}

/// `qos.GetPodQOS`: the status field, else computed from the containers' requests and limits.
fn qos_class(v: &Value) -> String {
    if let Some(class) = opt_str(v, "status.qosClass").filter(|c| !c.is_empty()) {
        return class.to_string();
    }
    let containers: Vec<&Value> =
        list_at(v, "spec.containers").iter().chain(list_at(v, "spec.initContainers")).collect();
    let mut any = false;
    let mut guaranteed = true;
    for container in &containers {
        let requests = string_map(container, "resources.requests");
        let limits = string_map(container, "resources.limits");
        if !requests.is_empty() || !limits.is_empty() {
            any = true;
        }
        for resource in ["cpu", "memory"] {
            let limit = limits.get(resource).map(|q| quantity(Some(q)));
            let request = requests.get(resource).map(|q| quantity(Some(q))).or_else(|| limit.clone());
            if limit.is_none() || request != limit {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort".to_string()
    } else if guaranteed {
        "Guaranteed".to_string()
    } else {
        "Burstable".to_string()
    }
}

fn stateful_set(v: &Value, w: &mut W, ctx: &PrintContext<'_>) {
    let namespace = str_at(v, "metadata.namespace");
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    w.write(0, &format!("Namespace:\t{namespace}\n"));
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(time_at(v, "metadata.creationTimestamp").as_ref())));
    w.write(0, &format!("Selector:\t{}\n", selector_string(at(v, "spec.selector"))));
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    w.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            int_at(v, "spec.replicas").unwrap_or(1),
            int_at(v, "status.replicas").unwrap_or(0)
        ),
    );
    w.write(0, &format!("Update Strategy:\t{}\n", str_at(v, "spec.updateStrategy.type")));
    if let Some(partition) = int_at(v, "spec.updateStrategy.rollingUpdate.partition") {
        w.write(1, &format!("Partition:\t{partition}\n"));
        if let Some(max) = at(v, "spec.updateStrategy.rollingUpdate.maxUnavailable").as_str() {
            w.write(1, &format!("MaxUnavailable:\t{max}\n"));
        } else if let Some(max) = int_at(v, "spec.updateStrategy.rollingUpdate.maxUnavailable") {
            w.write(1, &format!("MaxUnavailable:\t{max}\n"));
        }
    }
    let uid = str_at(v, "metadata.uid");
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for pod in ctx.store.list_in(Kind::Pod, namespace) {
        let pv = pod.to_value();
        let controlled = list_at(&pv, "metadata.ownerReferences")
            .iter()
            .any(|o| bool_at(o, "controller") == Some(true) && str_at(o, "uid") == uid);
        if !controlled {
            continue;
        }
        match str_at(&pv, "status.phase") {
            "Running" => running += 1,
            "Pending" => waiting += 1,
            "Succeeded" => succeeded += 1,
            "Failed" => failed += 1,
            _ => {}
        }
    }
    w.write(
        0,
        &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"),
    );
    let template = at(v, "spec.template");
    w.write(0, "Pod Template:\n");
    labels_multiline(w, "  ", "Labels", &string_map(template, "metadata.labels"));
    let annotations = string_map(template, "metadata.annotations");
    if !annotations.is_empty() {
        annotations_multiline(w, "  Annotations", &annotations);
    }
    if let Some(account) = opt_str(template, "spec.serviceAccountName").filter(|s| !s.is_empty()) {
        w.write(1, &format!("Service Account:\t{account}\n"));
    }
    let init = list_at(template, "spec.initContainers");
    if !init.is_empty() {
        containers("Init Containers", init, &[], w, "  ");
    }
    containers("Containers", list_at(template, "spec.containers"), &[], w, "  ");
    volumes(list_at(template, "spec.volumes"), w, "  ");
    if let Some(class) = opt_str(template, "spec.priorityClassName").filter(|s| !s.is_empty()) {
        w.write(1, &format!("Priority Class Name:\t{class}\n"));
    }
    labels_multiline(w, "  ", "Node-Selectors", &string_map(template, "spec.nodeSelector"));
    tolerations(w, "  Tolerations", list_at(template, "spec.tolerations"));
    let templates = list_at(v, "spec.volumeClaimTemplates");
    if templates.is_empty() {
        w.write(0, "Volume Claims:\t<none>\n");
    } else {
        w.write(0, "Volume Claims:\n");
        for claim in templates {
            w.write(1, &format!("Name:\t{}\n", str_at(claim, "metadata.name")));
            w.write(1, &format!("StorageClass:\t{}\n", claim_class(claim)));
            labels_multiline(w, "  ", "Labels", &string_map(claim, "metadata.labels"));
            labels_multiline(w, "  ", "Annotations", &string_map(claim, "metadata.annotations"));
            let capacity = opt_str(claim, "spec.resources.requests.storage")
                .map_or_else(|| "<default>".to_string(), |q| quantity(Some(q)));
            w.write(1, &format!("Capacity:\t{capacity}\n"));
            w.write(1, &format!("Access Modes:\t{}\n", go_string_slice(list_at(claim, "spec.accessModes"))));
        }
    }
}

fn node(v: &Value, w: &mut W, ctx: &PrintContext<'_>) {
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    let roles = node_roles(v);
    w.write(0, &format!("Roles:\t{}\n", if roles.is_empty() { "<none>".to_string() } else { roles.join(",") }));
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(time_at(v, "metadata.creationTimestamp").as_ref())));
    let taints = list_at(v, "spec.taints");
    w.write(0, "Taints:\t");
    if taints.is_empty() {
        w.write(0, "<none>\n");
    }
    let mut sorted: Vec<&Value> = taints.iter().collect();
    sorted.sort_by_key(|t| format!("{},{}", str_at(t, "effect"), str_at(t, "key")));
    for (i, taint) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let value =
            if str_at(taint, "value").is_empty() { String::new() } else { format!("={}", str_at(taint, "value")) };
        w.write(0, &format!("{}{value}:{}\n", str_at(taint, "key"), str_at(taint, "effect")));
    }
    w.write(0, &format!("Unschedulable:\t{}\n", bool_at(v, "spec.unschedulable").unwrap_or(false)));
    let conditions = list_at(v, "status.conditions");
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    str_at(c, "type"),
                    str_at(c, "status"),
                    rfc1123z(time_at(c, "lastHeartbeatTime").as_ref()),
                    rfc1123z(time_at(c, "lastTransitionTime").as_ref()),
                    str_at(c, "reason"),
                    str_at(c, "message")
                ),
            );
        }
    }
    w.write(0, "Addresses:\n");
    for address in list_at(v, "status.addresses") {
        w.write(1, &format!("{}:\t{}\n", str_at(address, "type"), str_at(address, "address")));
    }
    for (title, path) in [("Capacity", "status.capacity"), ("Allocatable", "status.allocatable")] {
        let list = string_map(v, path);
        if !list.is_empty() {
            w.write(0, &format!("{title}:\n"));
            for (name, value) in &list {
                w.write(0, &format!("  {name}:\t{}\n", quantity(Some(value))));
            }
        }
    }
    let info = at(v, "status.nodeInfo");
    w.write(0, "System Info:\n");
    for (title, field) in [
        ("Machine ID", "machineID"),
        ("System UUID", "systemUUID"),
        ("Boot ID", "bootID"),
        ("Kernel Version", "kernelVersion"),
        ("OS Image", "osImage"),
        ("Operating System", "operatingSystem"),
        ("Architecture", "architecture"),
        ("Container Runtime Version", "containerRuntimeVersion"),
        ("Kubelet Version", "kubeletVersion"),
        ("Kube-Proxy Version", "kubeProxyVersion"),
    ] {
        w.write(0, &format!("  {title}:\t{}\n", str_at(info, field)));
    }
    if let Some(cidr) = opt_str(v, "spec.podCIDR").filter(|s| !s.is_empty()) {
        w.write(0, &format!("PodCIDR:\t{cidr}\n"));
    }
    let cidrs: Vec<&str> = list_at(v, "spec.podCIDRs").iter().filter_map(Value::as_str).collect();
    if !cidrs.is_empty() {
        w.write(0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    if let Some(provider) = opt_str(v, "spec.providerID").filter(|s| !s.is_empty()) {
        w.write(0, &format!("ProviderID:\t{provider}\n"));
    }
    let name = str_at(v, "metadata.name");
    let pods: Vec<Value> = ctx
        .store
        .list(Kind::Pod)
        .map(Object::to_value)
        .filter(|p| str_at(p, "spec.nodeName") == name && !matches!(str_at(p, "status.phase"), "Succeeded" | "Failed"))
        .collect();
    let allocatable_path =
        if string_map(v, "status.allocatable").is_empty() { "status.capacity" } else { "status.allocatable" };
    let allocatable = |resource: &str, milli: bool| -> i64 {
        opt_str(v, &format!("{allocatable_path}.{resource}"))
            .and_then(|q| Quantity::parse(q).ok())
            .map_or(0, |q| if milli { q.milli_value() } else { q.value() })
    };
    let percent = |amount: i64, total: i64| {
        if total == 0 { 0 } else { (amount as f64 / total as f64 * 100.0) as i64 }
    };
    w.write(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let mut totals = [
        ResourceSum::default(),
        ResourceSum::default(),
        ResourceSum::default(),
        ResourceSum::default(),
        ResourceSum::default(),
        ResourceSum::default(),
    ];
    for p in &pods {
        let sums = [
            pod_sum(p, "requests", "cpu", true),
            pod_sum(p, "limits", "cpu", true),
            pod_sum(p, "requests", "memory", false),
            pod_sum(p, "limits", "memory", false),
            pod_sum(p, "requests", "ephemeral-storage", false),
            pod_sum(p, "limits", "ephemeral-storage", false),
        ];
        let created = time_at(p, "metadata.creationTimestamp");
        w.write(
            1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                str_at(p, "metadata.namespace"),
                str_at(p, "metadata.name"),
                sums[0].text(),
                percent(sums[0].amount, allocatable("cpu", true)),
                sums[1].text(),
                percent(sums[1].amount, allocatable("cpu", true)),
                sums[2].text(),
                percent(sums[2].amount, allocatable("memory", false)),
                sums[3].text(),
                percent(sums[3].amount, allocatable("memory", false)),
                since(ctx.now, created.as_ref())
            ),
        );
        for (total, sum) in totals.iter_mut().zip(sums) {
            total.add(sum);
        }
    }
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.write(1, "Resource\tRequests\tLimits\n");
    w.write(1, "--------\t--------\t------\n");
    for (i, (resource, milli)) in
        [("cpu", true), ("memory", false), ("ephemeral-storage", false)].into_iter().enumerate()
    {
        let (requests, limits) = (&totals[2 * i], &totals[2 * i + 1]);
        let total = allocatable(resource, milli);
        w.write(
            1,
            &format!(
                "{resource}\t{} ({}%)\t{} ({}%)\n",
                requests.text(),
                percent(requests.amount, total),
                limits.text(),
                percent(limits.amount, total)
            ),
        );
    }
}

/// A sum of container quantities, printed as `Quantity.String()` of the sum.
#[derive(Default)]
struct ResourceSum {
    amount: i64,
    milli: bool,
    /// The canonical text while the sum has a single non-zero term (keeps its format: `500M`).
    single: Option<String>,
    terms: usize,
}

impl ResourceSum {
    fn add(&mut self, other: ResourceSum) {
        self.milli |= other.milli;
        if other.amount != 0 {
            self.terms += other.terms.max(1);
            self.single = if self.terms == 1 { other.single } else { None };
        }
        self.amount += other.amount;
    }

    fn text(&self) -> String {
        if self.amount == 0 {
            return "0".to_string();
        }
        if let Some(single) = &self.single {
            return single.clone();
        }
        if self.milli {
            if self.amount % 1000 == 0 { (self.amount / 1000).to_string() } else { format!("{}m", self.amount) }
        } else {
            Quantity::from_bytes(self.amount).to_string()
        }
    }
}

fn pod_sum(pod: &Value, kind: &str, resource: &str, milli: bool) -> ResourceSum {
    let mut sum = ResourceSum { milli, ..ResourceSum::default() };
    for container in list_at(pod, "spec.containers") {
        if let Some(text) = opt_str(container, &format!("resources.{kind}.{resource}"))
            && let Ok(q) = Quantity::parse(text)
        {
            let amount = if milli { q.milli_value() } else { q.value() };
            sum.add(ResourceSum { amount, milli, single: Some(q.to_string()), terms: 1 });
        }
    }
    sum
}

fn csi_node(v: &Value, w: &mut W) {
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    w.write(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(time_at(v, "metadata.creationTimestamp").as_ref())));
    w.write(0, "Spec:\n");
    if let Value::Array(drivers) = at(v, "spec.drivers") {
        w.write(1, "Drivers:\n");
        for driver in drivers {
            w.write(2, &format!("{}:\n", str_at(driver, "name")));
            w.write(3, &format!("Node ID:\t{}\n", str_at(driver, "nodeID")));
            if let Some(count) = int_at(driver, "allocatable.count") {
                w.write(3, "Allocatables:\n");
                w.write(4, &format!("Count:\t{count}\n"));
            }
            if let Value::Array(keys) = at(driver, "topologyKeys") {
                w.write(3, &format!("Topology Keys:\t{}\n", go_string_slice(keys)));
            }
        }
    }
}

/// The generic describer: Name, Namespace, Labels, Annotations, then every other field sorted,
/// nested with smart labels (`apiVersion` → `API Version`).
/// kubectl's `describeSecret`: the type and each key's length (never the values). Go ranges over
/// the data map in random order; the playground lists keys sorted.
fn secret(v: &Value, w: &mut W) {
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    w.write(0, &format!("Namespace:\t{}\n", str_at(v, "metadata.namespace")));
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    let type_ = str_at(v, "type");
    w.write(0, &format!("\nType:\t{type_}\n"));
    w.write(0, "\nData\n====\n");
    if let Value::Object(data) = at(v, "data") {
        for (key, value) in data {
            let bytes = base64_decoded_len(value.as_str().unwrap_or_default());
            if key == "token" && type_ == "kubernetes.io/service-account-token" {
                let decoded = super::template::base64_decode(value.as_str().unwrap_or_default()).unwrap_or_default();
                w.write(0, &format!("{key}:\t{}\n", String::from_utf8_lossy(&decoded)));
            } else {
                w.write(0, &format!("{key}:\t{bytes} bytes\n"));
            }
        }
    }
}

/// The length of the bytes a standard base64 string encodes.
fn base64_decoded_len(text: &str) -> usize {
    let text = text.trim_end_matches('=');
    text.len() * 3 / 4
}

/// kubectl's `ConfigMapDescriber`: every key with its value, then the binary keys' sizes.
fn config_map(v: &Value, w: &mut W) {
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    w.write(0, &format!("Namespace:\t{}\n", str_at(v, "metadata.namespace")));
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    w.write(0, "\nData\n====\n");
    if let Value::Object(data) = at(v, "data") {
        for (key, value) in data {
            w.write(0, &format!("{key}:\n----\n{}\n", value.as_str().unwrap_or_default()));
        }
    }
    w.write(0, "\nBinaryData\n====\n");
    if let Value::Object(data) = at(v, "binaryData") {
        for (key, value) in data {
            w.write(0, &format!("{key}: {} bytes\n", base64_decoded_len(value.as_str().unwrap_or_default())));
        }
    }
    w.write(0, "\n");
}

fn generic(v: &Value, w: &mut W) {
    w.write(0, &format!("Name:\t{}\n", str_at(v, "metadata.name")));
    w.write(0, &format!("Namespace:\t{}\n", str_at(v, "metadata.namespace")));
    labels_multiline(w, "", "Labels", &string_map(v, "metadata.labels"));
    annotations_multiline(w, "Annotations", &string_map(v, "metadata.annotations"));
    if let Value::Object(map) = v {
        unstructured(
            w,
            0,
            map,
            "",
            &[
                ".metadata.managedFields",
                ".metadata.name",
                ".metadata.namespace",
                ".metadata.labels",
                ".metadata.annotations",
            ],
        );
    }
}

fn unstructured(w: &mut W, level: usize, content: &serde_json::Map<String, Value>, prefix: &str, skip: &[&str]) {
    let mut fields: Vec<&String> = content.keys().collect();
    fields.sort();
    for field in fields {
        let value = &content[field];
        let path = format!("{prefix}.{field}");
        if skip.contains(&path.as_str()) {
            continue;
        }
        match value {
            Value::Object(map) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                unstructured(w, level + 1, map, &path, skip);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(map) => unstructured(w, level + 1, map, &path, skip),
                        other => w.write(level + 1, &format!("{}\n", scalar_v(other))),
                    }
                }
            }
            other => w.write(level, &format!("{}:\t{}\n", smart_label(field), scalar_v(other))),
        }
    }
}

/// Go's `%v` of a decoded JSON scalar.
fn scalar_v(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_i64().map_or_else(|| go_float(n.as_f64().unwrap_or(0.0)), |i| i.to_string()),
        other => super::gojson::go_sprint(other),
    }
}

/// kubectl's `smartLabelFor`: `creationTimestamp` → `Creation Timestamp`, `uid` → `UID`.
pub fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: [&str; 5] = ["API", "URL", "UID", "OSB", "GUID"];
    camel_split(field)
        .into_iter()
        .filter(|part| part != "_")
        .map(|part| {
            let upper = part.to_uppercase();
            if ACRONYMS.contains(&upper.as_str()) {
                upper
            } else {
                let mut chars = part.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `fatih/camelcase.Split`: runs of lower, upper, digit and other characters; an upper run followed
/// by a lower run gives its last letter to the lower run (`HTTPServer` → `HTTP`, `Server`).
fn camel_split(text: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in text.chars() {
        let k = class(c);
        if k == last {
            if let Some(run) = runs.last_mut() {
                run.push(c);
            }
        } else {
            runs.push(vec![c]);
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower =
            runs[i].first().is_some_and(|c| c.is_uppercase()) && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower && let Some(moved) = runs[i].pop() {
            runs[i + 1].insert(0, moved);
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).map(|r| r.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_labels_should_match_kubectl() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("volumeSnapshotClassName"), "Volume Snapshot Class Name");
        assert_eq!(smart_label("HTTPServer"), "HTTP Server");
        assert_eq!(smart_label("k8s.io/x"), "k8s.io/x");
    }
}

#[cfg(test)]
mod probe_tests {
    use super::describe_probe;
    use serde_json::json;

    #[test]
    fn probes_should_read_as_describe_probe_prints_them() {
        let timing = json!({"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3});
        let with = |action: serde_json::Value| {
            let mut probe = timing.clone();
            probe.as_object_mut().unwrap().extend(action.as_object().unwrap().clone());
            describe_probe(&probe)
        };
        let attrs = "delay=0s timeout=1s period=10s #success=1 #failure=3";
        assert_eq!(
            with(json!({"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTPS", "host": "10.0.0.1"}})),
            format!("http-get https://10.0.0.1:8080/healthz {attrs}")
        );
        assert_eq!(
            with(json!({"httpGet": {"path": "healthz", "port": "web", "scheme": "HTTP", "host": "::1"}})),
            format!("http-get http://[::1]:web/healthz {attrs}")
        );
        assert_eq!(with(json!({"tcpSocket": {"port": 5432}})), format!("tcp-socket :5432 {attrs}"));
        assert_eq!(with(json!({"grpc": {"port": 9090, "service": ""}})), format!("grpc <pod>:9090  {attrs}"));
        assert_eq!(
            with(json!({"initialDelaySeconds": 7})),
            format!("unknown delay=7s timeout=1s period=10s #success=1 #failure=3")
        );
    }
}
