//! `kubectl describe`, `explain`, `api-resources`, `api-versions`, `version`, `cluster-info`, `config`
//! and the root help.

use super::args::{FlagSpec, bool_flag, value_flag, values_flag};
use super::resource::{self, Filter};
use super::{Ctx, Failure};
use crate::print;
use stowage_core::{ApiError, KUBERNETES_VERSION, Kind, ObjectKey};

/// Flags accepted by commands the playground does not implement, so that their errors are about
/// the command, not a flag.
pub const PERMISSIVE: &[FlagSpec] = &[
    bool_flag("stdin", Some('i')),
    bool_flag("tty", Some('t')),
    value_flag("image", None),
    value_flag("container", Some('c')),
    value_flag("output", Some('o')),
    values_flag("filename", Some('f'), true),
    value_flag("selector", Some('l')),
    bool_flag("all-namespaces", Some('A')),
    value_flag("profile", None),
];

/// `kubectl` with no command.
pub const ROOT_HELP: &str = "kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  certificate     Modify certificate resources
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  proxy           Run a proxy to the Kubernetes API server
  cp              Copy files and directories to and from containers
  auth            Inspect authorization
  debug           Create debugging sessions for troubleshooting workloads and nodes
  events          List events

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources
  kustomize       Build a kustomization target from a directory or URL

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource
  completion      Output shell completion code for the specified shell (bash, zsh, fish, or powershell)

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of \"group/version\"
  config          Modify kubeconfig files
  plugin          Provides utilities for interacting with plugins
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use \"kubectl <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

/// A short `kubectl COMMAND --help`: the command's summary and its usage line.
pub fn command_help(command: &str) -> String {
    let summary = ROOT_HELP
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix("  ")?;
            let (name, description) = rest.split_once(' ')?;
            (name == command).then(|| description.trim().to_string())
        })
        .unwrap_or_else(|| format!("The {command} command."));
    format!(
        "{summary}.\n\nUsage:\n  kubectl {command} [options]\n\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n"
    )
}

const DESCRIBE_FLAGS: &[FlagSpec] = &[
    value_flag("selector", Some('l')),
    bool_flag("all-namespaces", Some('A')),
    values_flag("filename", Some('f'), true),
    value_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    bool_flag("show-events", None),
    value_flag("chunk-size", None),
];

/// `kubectl describe`.
pub fn describe(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, DESCRIBE_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let all_namespaces = parsed.bool("all-namespaces").map_err(Failure::msg)?;
    let mut keys: Vec<ObjectKey> = Vec::new();
    let mut failures = Vec::new();
    let filenames = parsed.values("filename");
    if !filenames.is_empty() {
        let (manifests, errors) =
            resource::read_manifests(ctx, &filenames, parsed.bool("recursive").unwrap_or(false), "describing");
        failures.extend(errors);
        for mut manifest in manifests {
            resource::place_in_namespace(&mut manifest.object, &namespace, parsed.namespace().is_some())?;
            let key = manifest.object.key();
            if ctx.cluster.api().store().get(&key).is_some() {
                keys.push(key);
            } else {
                failures.push(Failure::Api(ApiError::not_found(key.kind, &key.name)));
            }
        }
    } else {
        if parsed.positionals.is_empty() {
            ctx.err.push_str("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\n");
            return Err(ctx.usage("Required resource not specified."));
        }
        let requests = resource::parse_args(&parsed.positionals)?;
        let kinds: Vec<Kind> = requests.iter().map(|r| r.kind).collect();
        let filter = Filter::new(ctx, parsed.value("selector"), None, &kinds)?;
        let scope = if all_namespaces { None } else { Some(namespace.as_str()) };
        for request in &requests {
            if request.names.is_empty() {
                keys.extend(resource::list(ctx, request.kind, scope, &filter).iter().map(|o| o.key()));
                continue;
            }
            for name in &request.names {
                let key = resource::key(request.kind, &namespace, name);
                if ctx.cluster.api().store().get(&key).is_some() {
                    keys.push(key);
                    continue;
                }
                // With exactly `TYPE NAME`, describe falls back to a prefix match, as kubectl does.
                if parsed.positionals.len() == 2 && !request.names.is_empty() {
                    let matches: Vec<ObjectKey> = resource::list(ctx, request.kind, Some(namespace.as_str()), &filter)
                        .iter()
                        .filter(|o| o.name().starts_with(name.as_str()))
                        .map(|o| o.key())
                        .collect();
                    if !matches.is_empty() {
                        for key in &matches {
                            if let Some(text) = print::describe(ctx.cluster.api(), key) {
                                ctx.out.push_str(&text);
                                ctx.out.push('\n');
                            }
                            super::hints::after_describe(ctx, key);
                        }
                        return Ok(());
                    }
                }
                failures.push(Failure::Api(ApiError::not_found(request.kind, name)));
            }
        }
        if keys.is_empty() && failures.is_empty() {
            if all_namespaces {
                ctx.err.push_str("No resources found\n");
            } else {
                ctx.err.push_str(&format!("No resources found in {namespace} namespace.\n"));
            }
        }
    }
    let mut first = true;
    for key in &keys {
        if let Some(text) = print::describe(ctx.cluster.api(), key) {
            if !first {
                ctx.out.push_str("\n\n");
            }
            first = false;
            ctx.out.push_str(&text);
        }
        super::hints::after_describe(ctx, key);
    }
    super::get::finish(failures)
}

/// The API groups the simulated server serves, in `api-versions` order.
fn api_versions_list() -> Vec<String> {
    let mut versions: Vec<String> = Kind::ALL.iter().map(|k| k.info().api_version()).collect();
    versions.sort();
    versions.dedup();
    versions
}

/// `kubectl api-versions`.
pub fn api_versions(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    ctx.parse(args, &[])?;
    for version in api_versions_list() {
        ctx.out.push_str(&version);
        ctx.out.push('\n');
    }
    Ok(())
}

const API_RESOURCES_FLAGS: &[FlagSpec] = &[
    value_flag("namespaced", None),
    value_flag("api-group", None),
    value_flag("output", Some('o')),
    bool_flag("no-headers", None),
    values_flag("verbs", None, true),
    value_flag("sort-by", None),
    bool_flag("cached", None),
    values_flag("categories", None, true),
];

/// `kubectl api-resources`.
pub fn api_resources(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, API_RESOURCES_FLAGS)?;
    let namespaced = match parsed.value("namespaced") {
        None => None,
        Some(text) => Some(super::args::parse_bool(text).ok_or_else(|| {
            Failure::msg(format!("invalid argument \"{text}\" for \"--namespaced\" flag: strconv.ParseBool: parsing \"{text}\": invalid syntax"))
        })?),
    };
    let output = parsed.value("output").unwrap_or("");
    if !matches!(output, "" | "wide" | "name") {
        return Err(Failure::msg(format!("--output {output} is not available")));
    }
    let mut kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| namespaced.is_none_or(|n| k.is_namespaced() == n))
        .filter(|k| parsed.value("api-group").is_none_or(|g| k.info().group == g))
        .collect();
    match parsed.value("sort-by") {
        Some("name") => kinds.sort_by_key(|k| k.info().plural),
        Some("kind") => kinds.sort_by_key(|k| k.info().name),
        Some(other) => {
            return Err(Failure::msg(format!("--sort-by accepts only name or kind, got {other:?}")));
        }
        None => kinds.sort_by(|a, b| a.info().group.cmp(b.info().group).then(a.info().plural.cmp(b.info().plural))),
    }
    if output == "name" {
        for kind in kinds {
            ctx.out.push_str(&kind.info().qualified_plural());
            ctx.out.push('\n');
        }
        return Ok(());
    }
    let mut text = String::new();
    if !parsed.bool("no-headers").unwrap_or(false) {
        text.push_str("NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND");
        if output == "wide" {
            text.push_str("\tVERBS\tCATEGORIES");
        }
        text.push('\n');
    }
    for kind in kinds {
        let info = kind.info();
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}",
            info.plural,
            info.short_names.join(","),
            info.api_version(),
            kind.is_namespaced(),
            info.name
        ));
        if output == "wide" {
            let verbs = "[create delete deletecollection get list patch update watch]";
            let categories = if matches!(
                kind,
                Kind::Pod | Kind::Service | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet
            ) {
                "all"
            } else {
                ""
            };
            text.push_str(&format!("\t{verbs}\t{categories}"));
        }
        text.push('\n');
    }
    ctx.out.push_str(&print::layout_table(&text));
    Ok(())
}

/// The client build the playground imitates.
const GIT_COMMIT: &str = "93248f9ae092f571eb870b7664c534bfc7d00f03";
const BUILD_DATE: &str = "2025-09-09T19:44:50Z";
const GO_VERSION: &str = "go1.24.6";
const KUSTOMIZE_VERSION: &str = "v5.7.1";

fn version_info() -> serde_json::Value {
    let minor = KUBERNETES_VERSION.trim_start_matches('v').split('.').nth(1).unwrap_or("34");
    serde_json::json!({
        "major": "1",
        "minor": minor,
        "emulationMajor": "1",
        "emulationMinor": minor,
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": (minor.parse::<u32>().unwrap_or(34) - 1).to_string(),
        "gitVersion": KUBERNETES_VERSION,
        "gitCommit": GIT_COMMIT,
        "gitTreeState": "clean",
        "buildDate": BUILD_DATE,
        "goVersion": GO_VERSION,
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// `kubectl version`.
pub fn version(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed =
        ctx.parse(args, &[bool_flag("client", None), value_flag("output", Some('o')), bool_flag("version", None)])?;
    let client_only = parsed.bool("client").map_err(Failure::msg)?;
    let mut client = version_info();
    if let Some(map) = client.as_object_mut() {
        for key in ["emulationMajor", "emulationMinor", "minCompatibilityMajor", "minCompatibilityMinor"] {
            map.shift_remove(key);
        }
    }
    match parsed.value("output") {
        None | Some("") => {
            ctx.out
                .push_str(&format!("Client Version: {KUBERNETES_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"));
            if !client_only {
                ctx.out.push_str(&format!("Server Version: {KUBERNETES_VERSION}\n"));
            }
        }
        Some(format @ ("json" | "yaml")) => {
            let mut value = serde_json::json!({"clientVersion": client, "kustomizeVersion": KUSTOMIZE_VERSION});
            if !client_only {
                value["serverVersion"] = version_info();
            }
            if format == "json" {
                ctx.out.push_str(&serde_json::to_string_pretty(&value).unwrap_or_default());
                ctx.out.push('\n');
            } else {
                ctx.out.push_str(&serde_yaml::to_string(&value).unwrap_or_default());
            }
        }
        Some(_) => return Err(Failure::msg("--output must be 'yaml' or 'json'")),
    }
    Ok(())
}

/// The API server URL the playground's kubeconfig points at.
pub const SERVER_URL: &str = "https://127.0.0.1:6443";

/// `kubectl cluster-info`.
pub fn cluster_info(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(
        args,
        &[
            value_flag("output-directory", None),
            bool_flag("all-namespaces", Some('A')),
            values_flag("namespaces", None, true),
            value_flag("output", Some('o')),
        ],
    )?;
    if parsed.positionals.first().map(String::as_str) == Some("dump") {
        return Err(Failure::msg("\"kubectl cluster-info dump\" is not available in this playground yet"));
    }
    ctx.out.push_str(&format!("Kubernetes control plane is running at {SERVER_URL}\n"));
    let services: Vec<(String, String)> = ctx
        .cluster
        .api()
        .store()
        .list_in(Kind::Service, "kube-system")
        .filter(|s| {
            s.meta().labels.as_ref().and_then(|l| l.get("kubernetes.io/cluster-service")).is_some_and(|v| v == "true")
        })
        .map(|s| {
            let title = s
                .meta()
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/name"))
                .cloned()
                .unwrap_or_else(|| s.name().to_string());
            let port = s
                .to_value()
                .pointer("/spec/ports/0/name")
                .and_then(serde_json::Value::as_str)
                .map(|p| format!("{}:{}", s.name(), p))
                .unwrap_or_else(|| s.name().to_string());
            (title, port)
        })
        .collect();
    for (title, port) in services {
        ctx.out.push_str(&format!(
            "{title} is running at {SERVER_URL}/api/v1/namespaces/kube-system/services/{port}/proxy\n"
        ));
    }
    ctx.out.push_str("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    Ok(())
}

/// The kubeconfig context name of the playground.
fn context_name(ctx: &Ctx<'_>) -> String {
    match ctx.cluster.profile().name() {
        "minikube" => "minikube".to_string(),
        "kind" => "kind-kind".to_string(),
        other => format!("stowage-{other}"),
    }
}

/// `kubectl config` (read-only subset).
pub fn config(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(
        args,
        &[
            bool_flag("minify", None),
            bool_flag("raw", None),
            value_flag("output", Some('o')),
            bool_flag("no-headers", None),
            bool_flag("flatten", None),
            value_flag("current", None),
        ],
    )?;
    let context = context_name(ctx);
    match parsed.positionals.first().map(String::as_str) {
        Some("current-context") => {
            ctx.out.push_str(&format!("{context}\n"));
            Ok(())
        }
        Some("get-contexts") => {
            let text = format!("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n*\t{context}\t{context}\t{context}\t\n");
            ctx.out.push_str(&print::layout_table(&text));
            Ok(())
        }
        Some("view") => {
            ctx.out.push_str(&format!(
                "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: {SERVER_URL}\n  name: {context}\ncontexts:\n- context:\n    cluster: {context}\n    user: {context}\n  name: {context}\ncurrent-context: {context}\nkind: Config\npreferences: {{}}\nusers:\n- name: {context}\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n"
            ));
            Ok(())
        }
        Some("set-context") | Some("use-context") | Some("set") | Some("unset") => {
            Err(Failure::msg("the playground's kubeconfig is read-only"))
        }
        Some(other) => Err(Failure::Message(format!("unknown command \"{other}\" for \"kubectl config\""))),
        None => Err(ctx.usage("kubectl config SUBCOMMAND")),
    }
}
