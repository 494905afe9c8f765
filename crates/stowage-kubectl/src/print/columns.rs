//! Column definitions per kind, as data (kubernetes `pkg/printers/internalversion/printers.go` and
//! the snapshot CRDs' `additionalPrinterColumns`), and the cells of one object's row.
//!
//! Cells are always computed for every column, as the API server does (it renders tables with
//! `Wide: true`); the table printer drops `priority > 0` columns unless `-o wide`.

use super::fields::{
    at, bool_at, format_label_selector, format_labels, int_at, list_at, map_len, opt_str, quantity, selector_string,
    str_at, string_map,
};
use super::time::{human_duration_ms, parse_rfc3339_ms, since, unix_ms};
use super::{PrintContext, access_modes_of};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::Value;
use stowage_core::{Kind, Object};

/// One column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header, as the server names it (`Access Modes`); printed uppercased.
    pub name: &'static str,
    /// 0 for default columns, 1 for `-o wide` only.
    pub priority: u8,
    /// Whether this is the object-name column (`Format: "name"`), which `--show-kind` prefixes.
    pub is_name: bool,
}

const fn col(name: &'static str) -> Column {
    Column { name, priority: 0, is_name: false }
}

const fn wide(name: &'static str) -> Column {
    Column { name, priority: 1, is_name: false }
}

/// A `'static` slice of columns built with the `const fn`s above.
macro_rules! cols {
    ($($column:expr),* $(,)?) => {{
        const COLUMNS: &[Column] = &[$($column),*];
        COLUMNS
    }};
}

const NAME: Column = Column { name: "Name", priority: 0, is_name: true };
const AGE: Column = col("Age");

/// The columns `kubectl get` prints for `kind`.
pub fn columns(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::Pod => cols![
            NAME,
            col("Ready"),
            col("Status"),
            col("Restarts"),
            AGE,
            wide("IP"),
            wide("Node"),
            wide("Nominated Node"),
            wide("Readiness Gates"),
        ],
        Kind::Node => cols![
            NAME,
            col("Status"),
            col("Roles"),
            AGE,
            col("Version"),
            wide("Internal-IP"),
            wide("External-IP"),
            wide("OS-Image"),
            wide("Kernel-Version"),
            wide("Container-Runtime"),
        ],
        Kind::Namespace => cols![NAME, col("Status"), AGE],
        Kind::Service => {
            cols![NAME, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), AGE, wide("Selector")]
        }
        Kind::Endpoints => cols![NAME, col("Endpoints"), AGE],
        Kind::EndpointSlice => cols![NAME, col("AddressType"), col("Ports"), col("Endpoints"), AGE],
        Kind::ConfigMap => cols![NAME, col("Data"), AGE],
        Kind::Secret => cols![NAME, col("Type"), col("Data"), AGE],
        Kind::ServiceAccount => cols![NAME, col("Secrets"), AGE],
        Kind::PersistentVolume => cols![
            NAME,
            col("Capacity"),
            col("Access Modes"),
            col("Reclaim Policy"),
            col("Status"),
            col("Claim"),
            col("StorageClass"),
            col("VolumeAttributesClass"),
            col("Reason"),
            AGE,
            wide("VolumeMode"),
        ],
        Kind::PersistentVolumeClaim => cols![
            NAME,
            col("Status"),
            col("Volume"),
            col("Capacity"),
            col("Access Modes"),
            col("StorageClass"),
            col("VolumeAttributesClass"),
            AGE,
            wide("VolumeMode"),
        ],
        Kind::StorageClass => cols![
            NAME,
            col("Provisioner"),
            col("ReclaimPolicy"),
            col("VolumeBindingMode"),
            col("AllowVolumeExpansion"),
            AGE,
        ],
        Kind::CSIDriver => cols![
            NAME,
            col("AttachRequired"),
            col("PodInfoOnMount"),
            col("StorageCapacity"),
            col("TokenRequests"),
            col("RequiresRepublish"),
            col("Modes"),
            AGE,
        ],
        Kind::CSINode => cols![NAME, col("Drivers"), AGE],
        // The server marks ATTACHER with the name format too; NAME comes first, so it is the one prefixed.
        Kind::VolumeAttachment => cols![NAME, col("Attacher"), col("PV"), col("Node"), col("Attached"), AGE],
        Kind::StatefulSet => cols![NAME, col("Ready"), AGE, wide("Containers"), wide("Images")],
        Kind::Deployment => cols![
            NAME,
            col("Ready"),
            col("Up-to-date"),
            col("Available"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        Kind::ReplicaSet => cols![
            NAME,
            col("Desired"),
            col("Current"),
            col("Ready"),
            AGE,
            wide("Containers"),
            wide("Images"),
            wide("Selector"),
        ],
        Kind::Event => cols![
            col("Last Seen"),
            col("Type"),
            col("Reason"),
            col("Object"),
            wide("Subobject"),
            wide("Source"),
            col("Message"),
            wide("First Seen"),
            wide("Count"),
            Column { name: "Name", priority: 1, is_name: true },
        ],
        Kind::VolumeSnapshot => cols![
            NAME,
            col("ReadyToUse"),
            col("SourcePVC"),
            col("SourceSnapshotContent"),
            col("RestoreSize"),
            col("SnapshotClass"),
            col("SnapshotContent"),
            col("CreationTime"),
            AGE,
        ],
        Kind::VolumeSnapshotContent => cols![
            NAME,
            col("ReadyToUse"),
            col("RestoreSize"),
            col("DeletionPolicy"),
            col("Driver"),
            col("VolumeSnapshotClass"),
            col("VolumeSnapshot"),
            col("VolumeSnapshotNamespace"),
            AGE,
        ],
        Kind::VolumeSnapshotClass => cols![NAME, col("Driver"), col("DeletionPolicy"), AGE],
    }
}

/// The cells of `object`'s row, one per column of [`columns`] (all priorities).
pub fn cells(object: &Object, ctx: &PrintContext<'_>) -> Vec<String> {
    let v = object.to_value();
    let name = object.name().to_string();
    let age = age_of(&v, ctx);
    match object.kind() {
        Kind::Pod => pod_cells(&v, name, age, ctx),
        Kind::Node => node_cells(&v, name, age),
        Kind::Namespace => vec![name, str_at(&v, "status.phase").to_string(), age],
        Kind::Service => service_cells(&v, name, age),
        Kind::Endpoints => vec![name, format_endpoints(&v), age],
        Kind::EndpointSlice => vec![
            name,
            str_at(&v, "addressType").to_string(),
            format_discovery_ports(list_at(&v, "ports")),
            format_discovery_endpoints(list_at(&v, "endpoints")),
            age,
        ],
        Kind::ConfigMap => vec![name, (map_len(&v, "data") + map_len(&v, "binaryData")).to_string(), age],
        Kind::Secret => vec![name, str_at(&v, "type").to_string(), map_len(&v, "data").to_string(), age],
        Kind::ServiceAccount => vec![name, list_at(&v, "secrets").len().to_string(), age],
        Kind::PersistentVolume => {
            let claim = match at(&v, "spec.claimRef") {
                Value::Null => String::new(),
                r => format!("{}/{}", str_at(r, "namespace"), str_at(r, "name")),
            };
            let phase = if object.is_terminating() { "Terminating" } else { str_at(&v, "status.phase") };
            vec![
                name,
                quantity(opt_str(&v, "spec.capacity.storage")),
                access_modes_of(list_at(&v, "spec.accessModes")),
                str_at(&v, "spec.persistentVolumeReclaimPolicy").to_string(),
                phase.to_string(),
                claim,
                volume_class(&v),
                opt_str(&v, "spec.volumeAttributesClassName").unwrap_or("<unset>").to_string(),
                str_at(&v, "status.reason").to_string(),
                age,
                opt_str(&v, "spec.volumeMode").unwrap_or("<unset>").to_string(),
            ]
        }
        Kind::PersistentVolumeClaim => {
            let phase = if object.is_terminating() { "Terminating" } else { str_at(&v, "status.phase") };
            let volume = str_at(&v, "spec.volumeName");
            let (capacity, modes) = if volume.is_empty() {
                (String::new(), String::new())
            } else {
                (quantity(opt_str(&v, "status.capacity.storage")), access_modes_of(list_at(&v, "status.accessModes")))
            };
            vec![
                name,
                phase.to_string(),
                volume.to_string(),
                capacity,
                modes,
                claim_class(&v),
                opt_str(&v, "spec.volumeAttributesClassName").unwrap_or("<unset>").to_string(),
                age,
                opt_str(&v, "spec.volumeMode").unwrap_or("<unset>").to_string(),
            ]
        }
        Kind::StorageClass => {
            let display = if is_default_class(&v) { format!("{name} (default)") } else { name };
            vec![
                display,
                str_at(&v, "provisioner").to_string(),
                opt_str(&v, "reclaimPolicy").unwrap_or("Delete").to_string(),
                opt_str(&v, "volumeBindingMode").unwrap_or("Immediate").to_string(),
                bool_at(&v, "allowVolumeExpansion").unwrap_or(false).to_string(),
                age,
            ]
        }
        Kind::CSIDriver => {
            let modes: Vec<&str> = list_at(&v, "spec.volumeLifecycleModes").iter().filter_map(Value::as_str).collect();
            let token_requests = match at(&v, "spec.tokenRequests") {
                Value::Array(requests) => requests.iter().map(|r| str_at(r, "audience")).collect::<Vec<_>>().join(","),
                _ => "<unset>".to_string(),
            };
            vec![
                name,
                bool_at(&v, "spec.attachRequired").unwrap_or(true).to_string(),
                bool_at(&v, "spec.podInfoOnMount").unwrap_or(false).to_string(),
                bool_at(&v, "spec.storageCapacity").unwrap_or(false).to_string(),
                token_requests,
                bool_at(&v, "spec.requiresRepublish").unwrap_or(false).to_string(),
                if modes.is_empty() { "<none>".to_string() } else { modes.join(",") },
                age,
            ]
        }
        Kind::CSINode => vec![name, list_at(&v, "spec.drivers").len().to_string(), age],
        Kind::VolumeAttachment => vec![
            name,
            str_at(&v, "spec.attacher").to_string(),
            str_at(&v, "spec.source.persistentVolumeName").to_string(),
            str_at(&v, "spec.nodeName").to_string(),
            bool_at(&v, "status.attached").unwrap_or(false).to_string(),
            age,
        ],
        Kind::StatefulSet => {
            let (names, images) = container_cells(list_at(&v, "spec.template.spec.containers"));
            let ready = int_at(&v, "status.readyReplicas").unwrap_or(0);
            let desired = int_at(&v, "spec.replicas").unwrap_or(1);
            vec![name, format!("{ready}/{desired}"), age, names, images]
        }
        Kind::Deployment => {
            let (names, images) = container_cells(list_at(&v, "spec.template.spec.containers"));
            let ready = int_at(&v, "status.readyReplicas").unwrap_or(0);
            let desired = int_at(&v, "spec.replicas").unwrap_or(1);
            vec![
                name,
                format!("{ready}/{desired}"),
                int_at(&v, "status.updatedReplicas").unwrap_or(0).to_string(),
                int_at(&v, "status.availableReplicas").unwrap_or(0).to_string(),
                age,
                names,
                images,
                selector_string(at(&v, "spec.selector")),
            ]
        }
        Kind::ReplicaSet => {
            let (names, images) = container_cells(list_at(&v, "spec.template.spec.containers"));
            vec![
                name,
                int_at(&v, "spec.replicas").unwrap_or(1).to_string(),
                int_at(&v, "status.replicas").unwrap_or(0).to_string(),
                int_at(&v, "status.readyReplicas").unwrap_or(0).to_string(),
                age,
                names,
                images,
                format_label_selector(at(&v, "spec.selector")),
            ]
        }
        Kind::Event => event_cells(&v, name, ctx),
        Kind::VolumeSnapshot => vec![
            name,
            crd_bool(&v, "status.readyToUse"),
            str_at(&v, "spec.source.persistentVolumeClaimName").to_string(),
            str_at(&v, "spec.source.volumeSnapshotContentName").to_string(),
            crd_string(&v, "status.restoreSize"),
            str_at(&v, "spec.volumeSnapshotClassName").to_string(),
            str_at(&v, "status.boundVolumeSnapshotContentName").to_string(),
            crd_date(&v, "status.creationTime", ctx),
            crd_date(&v, "metadata.creationTimestamp", ctx),
        ],
        Kind::VolumeSnapshotContent => vec![
            name,
            crd_bool(&v, "status.readyToUse"),
            int_at(&v, "status.restoreSize").map(|i| i.to_string()).unwrap_or_default(),
            str_at(&v, "spec.deletionPolicy").to_string(),
            str_at(&v, "spec.driver").to_string(),
            str_at(&v, "spec.volumeSnapshotClassName").to_string(),
            str_at(&v, "spec.volumeSnapshotRef.name").to_string(),
            str_at(&v, "spec.volumeSnapshotRef.namespace").to_string(),
            crd_date(&v, "metadata.creationTimestamp", ctx),
        ],
        Kind::VolumeSnapshotClass => vec![
            name,
            str_at(&v, "driver").to_string(),
            str_at(&v, "deletionPolicy").to_string(),
            crd_date(&v, "metadata.creationTimestamp", ctx),
        ],
    }
}

fn age_of(v: &Value, ctx: &PrintContext<'_>) -> String {
    let created: Option<Time> = serde_json::from_value(at(v, "metadata.creationTimestamp").clone()).ok();
    since(ctx.now, created.as_ref())
}

/// A CRD `boolean` column: empty when missing or not a boolean.
fn crd_bool(v: &Value, path: &str) -> String {
    bool_at(v, path).map(|b| b.to_string()).unwrap_or_default()
}

/// A CRD `string` column: jsonpath's text of the value.
fn crd_string(v: &Value, path: &str) -> String {
    match at(v, path) {
        Value::Null => String::new(),
        other => super::jsonpath::text_of(other),
    }
}

/// A CRD `date` column: the age of the timestamp, `<invalid>` when it does not parse.
fn crd_date(v: &Value, path: &str, ctx: &PrintContext<'_>) -> String {
    match at(v, path) {
        Value::String(text) => match parse_rfc3339_ms(text) {
            Some(ms) => human_duration_ms(ctx.now.unix_millis() - ms),
            None => "<invalid>".to_string(),
        },
        _ => String::new(),
    }
}

/// `GetPersistentVolumeClass`: the beta annotation wins over `spec.storageClassName`.
pub fn volume_class(v: &Value) -> String {
    match opt_str(&v["metadata"]["annotations"], "volume.beta.kubernetes.io/storage-class") {
        Some(class) => class.to_string(),
        None => str_at(v, "spec.storageClassName").to_string(),
    }
}

/// `GetPersistentVolumeClaimClass`.
pub fn claim_class(v: &Value) -> String {
    match v["metadata"]["annotations"].get("volume.beta.kubernetes.io/storage-class").and_then(Value::as_str) {
        Some(class) => class.to_string(),
        None => str_at(v, "spec.storageClassName").to_string(),
    }
}

/// `storageutil.IsDefaultAnnotation`.
pub fn is_default_class(v: &Value) -> bool {
    let annotations = &v["metadata"]["annotations"];
    annotations.get("storageclass.kubernetes.io/is-default-class").and_then(Value::as_str) == Some("true")
        || annotations.get("storageclass.beta.kubernetes.io/is-default-class").and_then(Value::as_str) == Some("true")
}

fn container_cells(containers: &[Value]) -> (String, String) {
    let names: Vec<&str> = containers.iter().map(|c| str_at(c, "name")).collect();
    let images: Vec<&str> = containers.iter().map(|c| str_at(c, "image")).collect();
    (names.join(","), images.join(","))
}

fn time_ms(v: &Value, path: &str) -> Option<i64> {
    at(v, path).as_str().and_then(parse_rfc3339_ms)
}

fn is_restartable_init(container: Option<&Value>) -> bool {
    container.is_some_and(|c| str_at(c, "restartPolicy") == "Always")
}

fn pod_cells(v: &Value, name: String, age: String, ctx: &PrintContext<'_>) -> Vec<String> {
    let containers = list_at(v, "spec.containers");
    let init_containers = list_at(v, "spec.initContainers");
    let mut restarts: i64 = 0;
    let mut restartable_init_restarts: i64 = 0;
    let mut total = containers.len();
    let mut ready = 0;
    let mut last_restart: Option<i64> = None;
    let mut last_restartable_init_restart: Option<i64> = None;
    let phase = str_at(v, "status.phase");
    let mut reason = match str_at(v, "status.reason") {
        "" => phase.to_string(),
        r => r.to_string(),
    };
    for condition in list_at(v, "status.conditions") {
        if str_at(condition, "type") == "PodScheduled" && str_at(condition, "reason") == "SchedulingGated" {
            reason = "SchedulingGated".to_string();
        }
    }
    let init_by_name = |n: &str| init_containers.iter().find(|c| str_at(c, "name") == n);
    total += init_containers.iter().filter(|c| is_restartable_init(Some(c))).count();
    let later = |current: Option<i64>, candidate: Option<i64>| match (current, candidate) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    let mut initializing = false;
    let init_statuses = list_at(v, "status.initContainerStatuses");
    for (i, status) in init_statuses.iter().enumerate() {
        restarts += int_at(status, "restartCount").unwrap_or(0);
        let finished = time_ms(status, "lastState.terminated.finishedAt");
        if !at(status, "lastState.terminated").is_null() {
            last_restart = later(last_restart, finished);
        }
        let restartable = is_restartable_init(init_by_name(str_at(status, "name")));
        if restartable {
            restartable_init_restarts += int_at(status, "restartCount").unwrap_or(0);
            if !at(status, "lastState.terminated").is_null() {
                last_restartable_init_restart = later(last_restartable_init_restart, finished);
            }
        }
        let terminated = at(status, "state.terminated");
        let waiting_reason = str_at(status, "state.waiting.reason");
        if !terminated.is_null() && int_at(terminated, "exitCode").unwrap_or(0) == 0 {
            continue;
        }
        if restartable && bool_at(status, "started") == Some(true) {
            if bool_at(status, "ready") == Some(true) {
                ready += 1;
            }
            continue;
        }
        if !terminated.is_null() {
            reason = match str_at(terminated, "reason") {
                "" => match int_at(terminated, "signal").unwrap_or(0) {
                    0 => format!("Init:ExitCode:{}", int_at(terminated, "exitCode").unwrap_or(0)),
                    signal => format!("Init:Signal:{signal}"),
                },
                r => format!("Init:{r}"),
            };
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            reason = format!("Init:{waiting_reason}");
        } else {
            reason = format!("Init:{i}/{}", init_containers.len());
        }
        initializing = true;
        break;
    }
    let initialized = list_at(v, "status.conditions")
        .iter()
        .any(|c| str_at(c, "type") == "Initialized" && str_at(c, "status") == "True");
    if !initializing || initialized {
        restarts = restartable_init_restarts;
        last_restart = last_restartable_init_restart;
        let mut has_running = false;
        for status in list_at(v, "status.containerStatuses").iter().rev() {
            restarts += int_at(status, "restartCount").unwrap_or(0);
            if !at(status, "lastState.terminated").is_null() {
                last_restart = later(last_restart, time_ms(status, "lastState.terminated.finishedAt"));
            }
            let waiting_reason = str_at(status, "state.waiting.reason");
            let terminated = at(status, "state.terminated");
            if !waiting_reason.is_empty() {
                reason = waiting_reason.to_string();
            } else if !terminated.is_null() && !str_at(terminated, "reason").is_empty() {
                reason = str_at(terminated, "reason").to_string();
            } else if !terminated.is_null() {
                reason = match int_at(terminated, "signal").unwrap_or(0) {
                    0 => format!("ExitCode:{}", int_at(terminated, "exitCode").unwrap_or(0)),
                    signal => format!("Signal:{signal}"),
                };
            } else if bool_at(status, "ready") == Some(true) && !at(status, "state.running").is_null() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = list_at(v, "status.conditions")
                .iter()
                .any(|c| str_at(c, "type") == "Ready" && str_at(c, "status") == "True");
            reason = if pod_ready { "Running".to_string() } else { "NotReady".to_string() };
        }
    }
    let terminal = phase == "Succeeded" || phase == "Failed";
    let deleting = !at(v, "metadata.deletionTimestamp").is_null();
    if deleting && str_at(v, "status.reason") == "NodeLost" {
        reason = "Unknown".to_string();
    } else if deleting && !terminal {
        reason = "Terminating".to_string();
    }
    let restarts_text = match last_restart {
        Some(ms) if restarts != 0 => format!("{restarts} ({} ago)", human_duration_ms(ctx.now.unix_millis() - ms)),
        _ => restarts.to_string(),
    };
    let pod_ip = list_at(v, "status.podIPs").first().map(|ip| str_at(ip, "ip")).unwrap_or("");
    let or_none = |s: &str| {
        if s.is_empty() { "<none>".to_string() } else { s.to_string() }
    };
    let gates = list_at(v, "spec.readinessGates");
    let readiness_gates = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let conditions = list_at(v, "status.conditions");
        let true_count = gates
            .iter()
            .filter(|gate| {
                conditions
                    .iter()
                    .find(|c| str_at(c, "type") == str_at(gate, "conditionType"))
                    .is_some_and(|c| str_at(c, "status") == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    vec![
        name,
        format!("{ready}/{total}"),
        reason,
        restarts_text,
        age,
        or_none(pod_ip),
        or_none(str_at(v, "spec.nodeName")),
        or_none(str_at(v, "status.nominatedNodeName")),
        readiness_gates,
    ]
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`, sorted.
pub fn node_roles(v: &Value) -> Vec<String> {
    let mut roles = std::collections::BTreeSet::new();
    for (key, value) in string_map(v, "metadata.labels") {
        if let Some(role) = key.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if key == "kubernetes.io/role" && !value.is_empty() {
            roles.insert(value);
        }
    }
    roles.into_iter().collect()
}

fn node_cells(v: &Value, name: String, age: String) -> Vec<String> {
    let mut status: Vec<String> = Vec::new();
    if let Some(condition) = list_at(v, "status.conditions").iter().rev().find(|c| str_at(c, "type") == "Ready") {
        status.push(if str_at(condition, "status") == "True" { "Ready".to_string() } else { "NotReady".to_string() });
    }
    if status.is_empty() {
        status.push("Unknown".to_string());
    }
    if bool_at(v, "spec.unschedulable") == Some(true) {
        status.push("SchedulingDisabled".to_string());
    }
    let roles = node_roles(v);
    let address = |kind: &str| {
        list_at(v, "status.addresses")
            .iter()
            .find(|a| str_at(a, "type") == kind)
            .map_or_else(|| "<none>".to_string(), |a| str_at(a, "address").to_string())
    };
    let unknown = |s: &str| {
        if s.is_empty() { "<unknown>".to_string() } else { s.to_string() }
    };
    vec![
        name,
        status.join(","),
        if roles.is_empty() { "<none>".to_string() } else { roles.join(",") },
        age,
        str_at(v, "status.nodeInfo.kubeletVersion").to_string(),
        address("InternalIP"),
        address("ExternalIP"),
        unknown(str_at(v, "status.nodeInfo.osImage")),
        unknown(str_at(v, "status.nodeInfo.kernelVersion")),
        unknown(str_at(v, "status.nodeInfo.containerRuntimeVersion")),
    ]
}

fn service_cells(v: &Value, name: String, age: String) -> Vec<String> {
    let service_type = str_at(v, "spec.type");
    let cluster_ip = list_at(v, "spec.clusterIPs").first().and_then(Value::as_str).unwrap_or("<none>").to_string();
    let external_ips: Vec<&str> = list_at(v, "spec.externalIPs").iter().filter_map(Value::as_str).collect();
    let external = match service_type {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let mut ingress: Vec<&str> = list_at(v, "status.loadBalancer.ingress")
                .iter()
                .map(|i| if str_at(i, "ip").is_empty() { str_at(i, "hostname") } else { str_at(i, "ip") })
                .filter(|s| !s.is_empty())
                .collect();
            ingress.sort_unstable();
            ingress.dedup();
            let mut lb = ingress.join(",");
            if lb.len() > 16 {
                lb = format!("{}...", &lb[..13]);
            }
            if !external_ips.is_empty() {
                let mut all: Vec<&str> = if lb.is_empty() { Vec::new() } else { lb.split(',').collect() };
                all.extend(external_ips.iter());
                all.join(",")
            } else if !lb.is_empty() {
                lb
            } else {
                "<pending>".to_string()
            }
        }
        "ExternalName" => str_at(v, "spec.externalName").to_string(),
        _ => "<unknown>".to_string(),
    };
    let ports: Vec<String> = list_at(v, "spec.ports")
        .iter()
        .map(|p| {
            let port = int_at(p, "port").unwrap_or(0);
            let protocol = str_at(p, "protocol");
            match int_at(p, "nodePort").unwrap_or(0) {
                0 => format!("{port}/{protocol}"),
                node_port => format!("{port}:{node_port}/{protocol}"),
            }
        })
        .collect();
    let ports = if ports.is_empty() { "<none>".to_string() } else { ports.join(",") };
    vec![
        name,
        service_type.to_string(),
        cluster_ip,
        external,
        ports,
        age,
        format_labels(&string_map(v, "spec.selector")),
    ]
}

fn format_endpoints(v: &Value) -> String {
    let subsets = list_at(v, "subsets");
    if subsets.is_empty() {
        return "<none>".to_string();
    }
    let max = 3;
    let (mut list, mut more, mut count) = (Vec::new(), false, 0);
    for subset in subsets {
        let addresses = list_at(subset, "addresses");
        let ports = list_at(subset, "ports");
        if ports.is_empty() {
            count += addresses.len();
            for address in addresses {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(str_at(address, "ip").to_string());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for address in addresses {
                if list.len() == max {
                    more = true;
                    break;
                }
                let ip = str_at(address, "ip");
                let host = if ip.contains(':') { format!("[{ip}]") } else { ip.to_string() };
                list.push(format!("{host}:{}", int_at(port, "port").unwrap_or(0)));
            }
        }
    }
    let joined = list.join(",");
    if more { format!("{joined} + {} more...", count - max) } else { joined }
}

fn list_with_more(list: Vec<String>, more: bool, count: usize, max: usize) -> String {
    let joined = list.join(",");
    if more {
        return format!("{joined} + {} more...", count - max);
    }
    if joined.is_empty() { "<unset>".to_string() } else { joined }
}

fn format_discovery_ports(ports: &[Value]) -> String {
    let max = 3;
    let (mut list, mut more) = (Vec::new(), false);
    for port in ports {
        if list.len() < max {
            let text = match int_at(port, "port") {
                Some(p) => p.to_string(),
                None => opt_str(port, "name").unwrap_or("*").to_string(),
            };
            list.push(text);
        } else if list.len() == max {
            more = true;
        }
    }
    list_with_more(list, more, ports.len(), max)
}

fn format_discovery_endpoints(endpoints: &[Value]) -> String {
    let max = 3;
    let (mut list, mut more, mut count) = (Vec::new(), false, 0);
    for endpoint in endpoints {
        for address in list_at(endpoint, "addresses") {
            if list.len() < max {
                list.push(address.as_str().unwrap_or("").to_string());
            } else if list.len() == max {
                more = true;
            }
            count += 1;
        }
    }
    list_with_more(list, more, count, max)
}

fn event_time(v: &Value, path: &str) -> Option<Time> {
    serde_json::from_value(at(v, path).clone()).ok()
}

/// The LAST SEEN / interval cell of an event and its first-seen age.
pub fn event_ages(v: &Value, ctx: &PrintContext<'_>) -> (String, String) {
    let first = match event_time(v, "firstTimestamp") {
        Some(t) => since(ctx.now, Some(&t)),
        None => since(ctx.now, event_time(v, "eventTime").as_ref()),
    };
    let last = match event_time(v, "lastTimestamp") {
        Some(t) => since(ctx.now, Some(&t)),
        None => first.clone(),
    };
    (first, last)
}

/// The time an event sorts by (`kubectl events`): series last observed, else lastTimestamp, else eventTime.
pub fn event_sort_ms(v: &Value) -> i64 {
    event_time(v, "series.lastObservedTime")
        .or_else(|| event_time(v, "lastTimestamp"))
        .or_else(|| event_time(v, "eventTime"))
        .map_or(i64::MIN, |t| unix_ms(&t))
}

fn event_cells(v: &Value, name: String, ctx: &PrintContext<'_>) -> Vec<String> {
    let (first, mut last) = event_ages(v, ctx);
    let mut count = int_at(v, "count").unwrap_or(0);
    if !at(v, "series").is_null() {
        last = since(ctx.now, event_time(v, "series.lastObservedTime").as_ref());
        count = int_at(v, "series.count").unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }
    let kind = str_at(v, "involvedObject.kind").to_ascii_lowercase();
    let target = match str_at(v, "involvedObject.name") {
        "" => kind,
        n => format!("{kind}/{n}"),
    };
    let component = match str_at(v, "source.component") {
        "" => str_at(v, "reportingComponent"),
        c => c,
    };
    let host = match str_at(v, "source.host") {
        "" => str_at(v, "reportingInstance"),
        h => h,
    };
    let source = if host.is_empty() { component.to_string() } else { format!("{component}, {host}") };
    vec![
        last,
        str_at(v, "type").to_string(),
        str_at(v, "reason").to_string(),
        target,
        str_at(v, "involvedObject.fieldPath").to_string(),
        source,
        str_at(v, "message").trim().to_string(),
        first,
        count.to_string(),
        name,
    ]
}
