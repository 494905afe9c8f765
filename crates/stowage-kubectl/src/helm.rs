//! A small `helm` (v3) for the workstation: `repo add|list|remove`, `install`, `list`, `uninstall`, `version`,
//! for the CSI driver charts the playground knows.
//!
//! Repositories live in the workstation's `~/.config/helm/repositories.yaml`; releases live, as with helm's
//! default storage driver, in `sh.helm.release.v1.NAME.vN` Secrets of type `helm.sh/release.v1` in the
//! release's namespace. Installing creates the chart's CSIDriver and driver pods through the API server.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::storage::v1::{CSIDriver, CSIDriverSpec, CSINode, CSINodeDriver};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use stowage_core::api::Typed;
use stowage_core::apiserver::DeleteOptions;
use stowage_core::fs::{Vfs, WriteMode};
use stowage_core::{Cluster, Kind, Object, ObjectKey};

use crate::shell::format_date;

const REPOSITORIES: &str = "/root/.config/helm/repositories.yaml";

/// What `helm` printed.
#[derive(Debug, Default)]
pub struct HelmOutput {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status.
    pub exit_code: i32,
}

/// A chart the playground can install.
struct Chart {
    repo_url: &'static str,
    name: &'static str,
    version: &'static str,
    app_version: &'static str,
    driver: &'static str,
    topology_key: Option<&'static str>,
    attach_required: bool,
}

const CHARTS: &[Chart] = &[
    Chart {
        repo_url: "https://kubernetes-sigs.github.io/aws-ebs-csi-driver",
        name: "aws-ebs-csi-driver",
        version: "2.48.0",
        app_version: "1.48.0",
        driver: "ebs.csi.aws.com",
        topology_key: Some("topology.ebs.csi.aws.com/zone"),
        attach_required: true,
    },
    Chart {
        repo_url: "https://kubernetes-sigs.github.io/aws-efs-csi-driver",
        name: "aws-efs-csi-driver",
        version: "3.2.2",
        app_version: "2.1.11",
        driver: "efs.csi.aws.com",
        topology_key: None,
        attach_required: false,
    },
];

fn normalize_url(url: &str) -> &str {
    url.trim_end_matches('/')
}

fn read_repos(fs: &Vfs<'_>) -> Vec<(String, String)> {
    let Ok(bytes) = fs.read_file(REPOSITORIES) else { return Vec::new() };
    let text = String::from_utf8_lossy(&bytes);
    let mut repos = Vec::new();
    let mut name = None;
    for line in text.lines() {
        let line = line.trim_start_matches(['-', ' ']);
        if let Some(value) = line.strip_prefix("name: ") {
            name = Some(value.trim().to_string());
        } else if let Some(value) = line.strip_prefix("url: ")
            && let Some(name) = name.take()
        {
            repos.push((name, value.trim().to_string()));
        }
    }
    repos
}

fn write_repos(fs: &mut Vfs<'_>, repos: &[(String, String)], now_ms: u64) -> Result<(), String> {
    let mut text = String::from("apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n");
    for (name, url) in repos {
        text.push_str(&format!(
            "- caFile: \"\"\n  certFile: \"\"\n  insecure_skip_tls_verify: false\n  keyFile: \"\"\n  name: {name}\n  pass_credentials_all: false\n  password: \"\"\n  url: {url}\n  username: \"\"\n"
        ));
    }
    fs.create_dir_all("/root/.config/helm", now_ms).map_err(|e| e.to_string())?;
    fs.write_file(REPOSITORIES, text.as_bytes(), WriteMode::Truncate, now_ms).map_err(|e| e.to_string())
}

/// helm's uitable: every cell padded to its column's width, cells joined by a tab.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> =
            row.iter().enumerate().map(|(c, s)| format!("{s:<width$}", width = widths[c])).collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

/// A release as its storage Secret records it.
struct Release {
    name: String,
    namespace: String,
    revision: u32,
    updated_ms: i64,
    status: String,
    chart: String,
    app_version: String,
}

fn releases(cluster: &Cluster, namespace: Option<&str>) -> Vec<Release> {
    let store = cluster.api().store();
    let mut out = Vec::new();
    for object in store.list(Kind::Secret) {
        let Some(secret) = Secret::from_object(object) else { continue };
        if secret.type_.as_deref() != Some("helm.sh/release.v1") {
            continue;
        }
        let meta = &secret.metadata;
        let ns = meta.namespace.clone().unwrap_or_default();
        if namespace.is_some_and(|n| n != ns) {
            continue;
        }
        let labels = meta.labels.clone().unwrap_or_default();
        let annotations = meta.annotations.clone().unwrap_or_default();
        let get = |m: &BTreeMap<String, String>, k: &str| m.get(k).cloned().unwrap_or_default();
        out.push(Release {
            name: get(&labels, "name"),
            namespace: ns,
            revision: get(&labels, "version").parse().unwrap_or(1),
            updated_ms: get(&labels, "modifiedAt").parse::<i64>().unwrap_or(0) * 1000
                + get(&annotations, "stowage.dev/modified-ms").parse::<i64>().unwrap_or(0),
            status: get(&labels, "status"),
            chart: get(&annotations, "stowage.dev/chart"),
            app_version: get(&annotations, "stowage.dev/app-version"),
        });
    }
    out.sort_by(|a, b| (a.name.as_str(), a.namespace.as_str()).cmp(&(b.name.as_str(), b.namespace.as_str())));
    out
}

/// Go's `time.Time.String()` in UTC, as helm prints UPDATED.
fn go_time(ms: i64) -> String {
    let ms = ms.max(0) as u64;
    let base = format_date(ms, "%Y-%m-%d %H:%M:%S");
    let frac = ms % 1000;
    if frac == 0 {
        format!("{base} +0000 UTC")
    } else {
        format!("{base}.{} +0000 UTC", format!("{frac:03}").trim_end_matches('0'))
    }
}

fn err(out: &mut HelmOutput, message: impl AsRef<str>) {
    out.stderr.push_str(&format!("Error: {}\n", message.as_ref()));
    out.exit_code = 1;
}

/// Splits helm's arguments into positionals and flags (`--flag value`, `--flag=value`, `-n value`).
fn parse(args: &[String]) -> (Vec<String>, Vec<(String, String)>) {
    const BOOL: &[&str] = &["all-namespaces", "A", "create-namespace", "wait", "atomic", "dry-run", "debug", "all"];
    let mut positionals = Vec::new();
    let mut flags = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')).filter(|_| arg.len() > 1) {
            if let Some((name, value)) = flag.split_once('=') {
                flags.push((name.to_string(), value.to_string()));
            } else if BOOL.contains(&flag) {
                flags.push((flag.to_string(), "true".to_string()));
            } else {
                flags.push((flag.to_string(), args.get(i + 1).cloned().unwrap_or_default()));
                i += 1;
            }
        } else {
            positionals.push(arg.clone());
        }
        i += 1;
    }
    (positionals, flags)
}

fn flag<'a>(flags: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    flags.iter().rev().find(|(n, _)| names.contains(&n.as_str())).map(|(_, v)| v.as_str())
}

/// Runs `helm ARGS...` (argv\[0\] is `helm`).
pub fn run(cluster: &mut Cluster, fs: &mut Vfs<'_>, argv: &[String]) -> HelmOutput {
    let mut out = HelmOutput::default();
    let now_ms = cluster.now().unix_millis().max(0) as u64;
    let (positionals, flags) = parse(argv.get(1..).unwrap_or_default());
    let namespace = flag(&flags, &["namespace", "n"]).unwrap_or("default").to_string();
    let words: Vec<&str> = positionals.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] => {
            out.stdout.push_str("The Kubernetes package manager\n\nUsage:\n  helm [command]\n");
        }
        ["version", ..] => {
            out.stdout.push_str(
                "version.BuildInfo{Version:\"v3.19.0\", GitCommit:\"3d8990f0836691f0229297773f3524598f46bda6\", GitTreeState:\"clean\", GoVersion:\"go1.24.7\"}\n",
            );
        }
        ["repo", "add", name, url] => {
            let mut repos = read_repos(fs);
            if let Some((_, existing)) = repos.iter().find(|(n, _)| n == name) {
                if normalize_url(existing) == normalize_url(url) {
                    out.stdout.push_str(&format!("\"{name}\" already exists with the same configuration, skipping\n"));
                } else {
                    err(&mut out, format!("repository name ({name}) already exists, please specify a different name"));
                }
                return out;
            }
            if !CHARTS.iter().any(|c| c.repo_url == normalize_url(url)) {
                err(
                    &mut out,
                    format!(
                        "looks like \"{url}\" is not a valid chart repository or cannot be reached: failed to fetch {}/index.yaml : 404 Not Found",
                        normalize_url(url)
                    ),
                );
                return out;
            }
            repos.push((name.to_string(), url.to_string()));
            if let Err(e) = write_repos(fs, &repos, now_ms) {
                err(&mut out, e);
                return out;
            }
            out.stdout.push_str(&format!("\"{name}\" has been added to your repositories\n"));
        }
        ["repo", "add", ..] => {
            err(&mut out, "\"helm repo add\" requires 2 arguments\n\nUsage:  helm repo add [NAME] [URL] [flags]")
        }
        ["repo", "list" | "ls"] => {
            let repos = read_repos(fs);
            if repos.is_empty() {
                err(&mut out, "no repositories to show");
                return out;
            }
            let mut rows = vec![vec!["NAME".to_string(), "URL".to_string()]];
            rows.extend(repos.into_iter().map(|(n, u)| vec![n, u]));
            out.stdout.push_str(&table(&rows));
        }
        ["repo", "update" | "up", ..] => {
            let repos = read_repos(fs);
            if repos.is_empty() {
                err(&mut out, "no repositories found. You must add one before updating");
                return out;
            }
            out.stdout.push_str("Hang tight while we grab the latest from your chart repositories...\n");
            for (name, _) in &repos {
                out.stdout.push_str(&format!("...Successfully got an update from the \"{name}\" chart repository\n"));
            }
            out.stdout.push_str("Update Complete. ⎈Happy Helming!⎈\n");
        }
        ["repo", "remove" | "rm", names @ ..] if !names.is_empty() => {
            let mut repos = read_repos(fs);
            for name in names {
                let before = repos.len();
                repos.retain(|(n, _)| n != name);
                if repos.len() == before {
                    err(&mut out, format!("no repo named \"{name}\" found"));
                    return out;
                }
                out.stdout.push_str(&format!("\"{name}\" has been removed from your repositories\n"));
            }
            if let Err(e) = write_repos(fs, &repos, now_ms) {
                err(&mut out, e);
            }
        }
        ["install", name, chart] => install(cluster, fs, &mut out, name, chart, &namespace, now_ms),
        ["install", ..] => err(&mut out, "INSTALLATION FAILED: must either provide a name or specify --generate-name"),
        ["list" | "ls"] => {
            let all = flag(&flags, &["all-namespaces", "A"]).is_some();
            let list = releases(cluster, if all { None } else { Some(&namespace) });
            let mut rows = vec![
                ["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>(),
            ];
            for r in list {
                rows.push(vec![
                    r.name,
                    r.namespace,
                    r.revision.to_string(),
                    go_time(r.updated_ms),
                    r.status,
                    r.chart,
                    r.app_version,
                ]);
            }
            out.stdout.push_str(&table(&rows));
        }
        ["uninstall" | "delete" | "del" | "un", names @ ..] if !names.is_empty() => {
            for name in names {
                uninstall(cluster, &mut out, name, &namespace);
                if out.exit_code != 0 {
                    return out;
                }
            }
        }
        ["uninstall" | "delete" | "del" | "un"] => err(
            &mut out,
            "\"helm uninstall\" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]",
        ),
        [other, ..] => {
            out.stderr
                .push_str(&format!("Error: unknown command \"{other}\" for \"helm\"\nRun 'helm --help' for usage.\n"));
            out.exit_code = 1;
        }
    }
    out
}

fn helm_meta(name: &str, namespace: Option<&str>, release: &str, release_ns: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(BTreeMap::from([
            ("app.kubernetes.io/managed-by".to_string(), "Helm".to_string()),
            ("app.kubernetes.io/instance".to_string(), release.to_string()),
        ])),
        annotations: Some(BTreeMap::from([
            ("meta.helm.sh/release-name".to_string(), release.to_string()),
            ("meta.helm.sh/release-namespace".to_string(), release_ns.to_string()),
        ])),
        ..ObjectMeta::default()
    }
}

/// helm's adoption check: an existing object must carry the release's ownership metadata.
fn ownership_error(meta: &ObjectMeta, release: &str, release_ns: &str) -> Option<String> {
    let labels = meta.labels.clone().unwrap_or_default();
    let annotations = meta.annotations.clone().unwrap_or_default();
    let mut errors = Vec::new();
    match labels.get("app.kubernetes.io/managed-by").map(String::as_str) {
        Some("Helm") => {}
        Some(other) => errors.push(format!(
            "label validation error: key \"app.kubernetes.io/managed-by\" must equal \"Helm\": current value is \"{other}\""
        )),
        None => errors
            .push("label validation error: missing key \"app.kubernetes.io/managed-by\": must be set to \"Helm\"".to_string()),
    }
    for (key, want) in [("meta.helm.sh/release-name", release), ("meta.helm.sh/release-namespace", release_ns)] {
        match annotations.get(key) {
            Some(v) if v == want => {}
            Some(v) => errors.push(format!(
                "annotation validation error: key \"{key}\" must equal \"{want}\": current value is \"{v}\""
            )),
            None => {
                errors.push(format!("annotation validation error: missing key \"{key}\": must be set to \"{want}\""))
            }
        }
    }
    if errors.is_empty() { None } else { Some(format!("invalid ownership metadata; {}", errors.join("; "))) }
}

fn install(
    cluster: &mut Cluster,
    fs: &Vfs<'_>,
    out: &mut HelmOutput,
    name: &str,
    chart_ref: &str,
    namespace: &str,
    now_ms: u64,
) {
    let repos = read_repos(fs);
    let Some((repo_name, chart_name)) = chart_ref.split_once('/') else {
        err(
            out,
            format!(
                "INSTALLATION FAILED: non-absolute URLs should be in form of repo_name/path_to_chart, got: {chart_ref}"
            ),
        );
        return;
    };
    let Some((_, url)) = repos.iter().find(|(n, _)| n == repo_name) else {
        err(out, format!("INSTALLATION FAILED: repo {repo_name} not found"));
        return;
    };
    let Some(chart) = CHARTS.iter().find(|c| c.repo_url == normalize_url(url) && c.name == chart_name) else {
        err(
            out,
            format!(
                "INSTALLATION FAILED: chart \"{chart_name}\" matching  not found in {repo_name} index. (try 'helm repo update'): no chart name found"
            ),
        );
        return;
    };
    let store = cluster.api().store();
    if store.get(&ObjectKey::cluster(Kind::Namespace, namespace)).is_none() {
        err(out, format!("INSTALLATION FAILED: create: failed to create: namespaces \"{namespace}\" not found"));
        return;
    }
    if releases(cluster, Some(namespace)).iter().any(|r| r.name == name) {
        err(out, "INSTALLATION FAILED: cannot re-use a name that is still in use");
        return;
    }
    let store = cluster.api().store();
    if let Some(existing) = store.get(&ObjectKey::cluster(Kind::CSIDriver, chart.driver))
        && let Some(problem) = ownership_error(existing.meta(), name, namespace)
    {
        err(
            out,
            format!(
                "INSTALLATION FAILED: Unable to continue with install: CSIDriver \"{}\" in namespace \"\" exists and cannot be imported into the current release: {problem}",
                chart.driver
            ),
        );
        return;
    }
    // The chart's objects: the CSIDriver, the controller and node pods, and the node registrations.
    let nodes: Vec<(String, String)> = store
        .list(Kind::Node)
        .map(|n| {
            let ip = match n {
                Object::Node(node) => node
                    .status
                    .as_ref()
                    .and_then(|s| s.addresses.as_ref())
                    .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
                    .map(|a| a.address.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            (n.meta().name.clone().unwrap_or_default(), ip)
        })
        .collect();
    let created = cluster.now().to_k8s_time();
    let node_refs: Vec<(&str, &str)> = nodes.iter().map(|(n, ip)| (n.as_str(), ip.as_str())).collect();
    let mut objects = vec![
        CSIDriver {
            metadata: helm_meta(chart.driver, None, name, namespace),
            spec: CSIDriverSpec { attach_required: Some(chart.attach_required), ..CSIDriverSpec::default() },
        }
        .into_object(),
    ];
    for mut pod in stowage_core::csi::bootstrap_objects(&[chart.driver], &node_refs, &created) {
        if let Object::Pod(p) = &mut pod {
            p.status = None;
            p.metadata.creation_timestamp = None;
            let labels = p.metadata.labels.get_or_insert_with(BTreeMap::new);
            labels.insert("app.kubernetes.io/instance".to_string(), name.to_string());
            labels.insert("app.kubernetes.io/managed-by".to_string(), "Helm".to_string());
        }
        objects.push(pod);
    }
    for object in objects {
        if let Err(e) = cluster.create(object) {
            err(out, format!("INSTALLATION FAILED: {}", e.message));
            return;
        }
    }
    for (node, _) in &nodes {
        let key = ObjectKey::cluster(Kind::CSINode, node.as_str());
        let Some(Object::CSINode(existing)) = cluster.api().store().get(&key).cloned() else { continue };
        let mut csinode: CSINode = *existing;
        if csinode.spec.drivers.iter().any(|d| d.name == chart.driver) {
            continue;
        }
        csinode.spec.drivers.push(CSINodeDriver {
            name: chart.driver.to_string(),
            node_id: node.clone(),
            topology_keys: chart.topology_key.map(|k| vec![k.to_string()]),
            allocatable: None,
        });
        let _ = cluster.update(csinode.into_object());
    }
    // The release record, as helm's Secret storage driver keeps it.
    let seconds = now_ms / 1000;
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(format!("sh.helm.release.v1.{name}.v1")),
            namespace: Some(namespace.to_string()),
            labels: Some(BTreeMap::from([
                ("modifiedAt".to_string(), seconds.to_string()),
                ("name".to_string(), name.to_string()),
                ("owner".to_string(), "helm".to_string()),
                ("status".to_string(), "deployed".to_string()),
                ("version".to_string(), "1".to_string()),
            ])),
            annotations: Some(BTreeMap::from([
                ("stowage.dev/chart".to_string(), format!("{}-{}", chart.name, chart.version)),
                ("stowage.dev/app-version".to_string(), chart.app_version.to_string()),
                ("stowage.dev/modified-ms".to_string(), (now_ms % 1000).to_string()),
            ])),
            ..ObjectMeta::default()
        },
        type_: Some("helm.sh/release.v1".to_string()),
        data: Some(BTreeMap::from([(
            "release".to_string(),
            ByteString(format!("{{\"name\":\"{name}\",\"chart\":\"{}-{}\"}}", chart.name, chart.version).into_bytes()),
        )])),
        ..Secret::default()
    };
    if let Err(e) = cluster.create(secret.into_object()) {
        err(out, format!("INSTALLATION FAILED: {}", e.message));
        return;
    }
    out.stdout.push_str(&format!(
        "NAME: {name}\nLAST DEPLOYED: {}\nNAMESPACE: {namespace}\nSTATUS: deployed\nREVISION: 1\nTEST SUITE: None\nNOTES:\nTo verify that {} has started, run:\n\n    kubectl get pod -n {namespace} -l \"app.kubernetes.io/name={},app.kubernetes.io/instance={name}\"\n",
        format_date(now_ms, "%a %b %e %H:%M:%S %Y"),
        chart.name,
        chart.name,
    ));
}

fn uninstall(cluster: &mut Cluster, out: &mut HelmOutput, name: &str, namespace: &str) {
    if !releases(cluster, Some(namespace)).iter().any(|r| r.name == name) {
        err(out, format!("uninstall: Release not loaded: {name}: release: not found"));
        return;
    }
    let store = cluster.api().store();
    let owned = |o: &Object| {
        let meta = o.meta();
        let annotations = meta.annotations.clone().unwrap_or_default();
        annotations.get("meta.helm.sh/release-name").map(String::as_str) == Some(name)
            && annotations.get("meta.helm.sh/release-namespace").map(String::as_str) == Some(namespace)
    };
    let mut doomed: Vec<ObjectKey> = store.list(Kind::CSIDriver).filter(|o| owned(o)).map(Object::key).collect();
    doomed.extend(
        store
            .list(Kind::Pod)
            .filter(|o| {
                o.meta().labels.as_ref().and_then(|l| l.get("app.kubernetes.io/instance")).map(String::as_str)
                    == Some(name)
                    && o.meta().labels.as_ref().and_then(|l| l.get("app.kubernetes.io/managed-by")).map(String::as_str)
                        == Some("Helm")
            })
            .map(Object::key),
    );
    doomed.extend(
        store
            .list_in(Kind::Secret, namespace)
            .filter(|o| {
                o.meta().labels.as_ref().and_then(|l| l.get("owner")).map(String::as_str) == Some("helm")
                    && o.meta().labels.as_ref().and_then(|l| l.get("name")).map(String::as_str) == Some(name)
            })
            .map(Object::key),
    );
    let driver = doomed.iter().find(|k| k.kind == Kind::CSIDriver).map(|k| k.name.clone());
    for key in doomed {
        let _ = cluster.delete(&key, DeleteOptions::default());
    }
    // The node plugins are gone: the kubelets unregister the driver from their CSINodes.
    if let Some(driver) = driver {
        let nodes: Vec<CSINode> = cluster
            .api()
            .store()
            .list(Kind::CSINode)
            .filter_map(|o| match o {
                Object::CSINode(n) => Some((**n).clone()),
                _ => None,
            })
            .collect();
        for mut node in nodes {
            if node.spec.drivers.iter().any(|d| d.name == driver) {
                node.spec.drivers.retain(|d| d.name != driver);
                let _ = cluster.update(node.into_object());
            }
        }
    }
    out.stdout.push_str(&format!("release \"{name}\" uninstalled\n"));
}
