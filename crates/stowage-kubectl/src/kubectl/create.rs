//! `kubectl create`: from files, and the generators `namespace`, `secret generic`, `configmap`,
//! `serviceaccount` and `deployment`.

use super::apply::{DryRun, print_result};
use super::args::{FlagSpec, bool_flag, optional_flag, value_flag, values_flag};
use super::{Ctx, Failure, FileEntry};
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{ConfigMap, Container, Namespace, PodSpec, PodTemplateSpec, Secret, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;
use stowage_core::Object;
use stowage_core::api::Typed;

const GENERATOR_FLAGS: &[FlagSpec] = &[
    values_flag("from-literal", None, false),
    values_flag("from-file", None, true),
    values_flag("from-env-file", None, false),
    value_flag("type", None),
    bool_flag("append-hash", None),
    value_flag("output", Some('o')),
    optional_flag("dry-run", "unchanged"),
    bool_flag("save-config", None),
    optional_flag("validate", "strict"),
    value_flag("field-manager", None),
    value_flag("template", None),
    bool_flag("allow-missing-template-keys", None),
    bool_flag("show-managed-fields", None),
    value_flag("image", None),
    value_flag("replicas", Some('r')),
    value_flag("port", None),
];

/// `kubectl create ...`.
pub fn create(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let sub = args.iter().position(|a| !a.starts_with('-'));
    let Some(index) = sub else {
        return super::apply::create_from_files(ctx, args);
    };
    // A positional after flags that take values is not a subcommand (`create -f x.yaml`).
    let word = args[index].as_str();
    let value_flag_before = index > 0 && {
        let previous = args[index - 1].as_str();
        matches!(
            previous,
            "-f" | "--filename" | "-n" | "--namespace" | "-o" | "--output" | "-k" | "--kustomize" | "-l" | "--selector"
        )
    };
    if value_flag_before {
        return super::apply::create_from_files(ctx, args);
    }
    let mut rest: Vec<String> = args[..index].to_vec();
    match word {
        "namespace" | "ns" => {
            ctx.command = "kubectl create namespace".to_string();
            rest.extend_from_slice(&args[index + 1..]);
            generator(ctx, &rest, Generator::Namespace)
        }
        "serviceaccount" | "sa" => {
            ctx.command = "kubectl create serviceaccount".to_string();
            rest.extend_from_slice(&args[index + 1..]);
            generator(ctx, &rest, Generator::ServiceAccount)
        }
        "configmap" | "cm" => {
            ctx.command = "kubectl create configmap".to_string();
            rest.extend_from_slice(&args[index + 1..]);
            generator(ctx, &rest, Generator::ConfigMap)
        }
        "deployment" | "deploy" => {
            ctx.command = "kubectl create deployment".to_string();
            rest.extend_from_slice(&args[index + 1..]);
            generator(ctx, &rest, Generator::Deployment)
        }
        "secret" => {
            let kind_index = args[index + 1..].iter().position(|a| !a.starts_with('-')).map(|i| i + index + 1);
            let Some(kind_index) = kind_index else {
                ctx.command = "kubectl create secret".to_string();
                ctx.parse(&args[index + 1..], GENERATOR_FLAGS)?;
                ctx.out.push_str(SECRET_HELP);
                return Ok(());
            };
            rest.extend_from_slice(&args[index + 1..kind_index]);
            rest.extend_from_slice(&args[kind_index + 1..]);
            match args[kind_index].as_str() {
                "generic" => {
                    ctx.command = "kubectl create secret generic".to_string();
                    generator(ctx, &rest, Generator::Secret)
                }
                "docker-registry" | "tls" => Err(Failure::msg(format!(
                    "\"kubectl create secret {}\" is not available in this playground yet",
                    args[kind_index]
                ))),
                other => {
                    ctx.command = "kubectl create secret".to_string();
                    Err(Failure::Message(format!("unknown command \"{other}\" for \"kubectl create secret\"")))
                }
            }
        }
        "clusterrole"
        | "clusterrolebinding"
        | "cronjob"
        | "cj"
        | "ingress"
        | "ing"
        | "job"
        | "poddisruptionbudget"
        | "pdb"
        | "priorityclass"
        | "pc"
        | "quota"
        | "resourcequota"
        | "role"
        | "rolebinding"
        | "service"
        | "svc"
        | "token" => Err(Failure::msg(format!("\"kubectl create {word}\" is not available in this playground yet"))),
        _ => super::apply::create_from_files(ctx, args),
    }
}

const SECRET_HELP: &str = "Create a secret with specified type.

 A docker-registry type secret is for accessing a container registry.

 A generic type secret indicate an Opaque secret type.

 A tls type secret holds TLS certificate and its associated key.

Available Commands:
  docker-registry   Create a secret for use with a Docker registry
  generic           Create a secret from a local file, directory, or literal value
  tls               Create a TLS secret

Usage:
  kubectl create secret (docker-registry | generic | tls) [options]

Use \"kubectl create secret <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Generator {
    Namespace,
    ServiceAccount,
    ConfigMap,
    Secret,
    Deployment,
}

fn generator(ctx: &mut Ctx<'_>, args: &[String], which: Generator) -> Result<(), Failure> {
    let parsed = ctx.parse(args, GENERATOR_FLAGS)?;
    let dry_run = DryRun::parse(parsed.value("dry-run"))?;
    let name = match parsed.positionals.as_slice() {
        [name] => name.clone(),
        other => {
            return Err(ctx.usage(format!("exactly one NAME is required, got {}", other.len())));
        }
    };
    let namespace = ctx.namespace(&parsed);
    let meta = |namespaced: bool| ObjectMeta {
        name: Some(name.clone()),
        namespace: if namespaced { Some(namespace.clone()) } else { None },
        ..ObjectMeta::default()
    };
    let object: Object = match which {
        Generator::Namespace => Namespace { metadata: meta(false), ..Namespace::default() }.into_object(),
        Generator::ServiceAccount => ServiceAccount { metadata: meta(true), ..ServiceAccount::default() }.into_object(),
        Generator::Deployment => {
            let Some(image) = parsed.value("image") else {
                return Err(Failure::msg("required flag(s) \"image\" not set"));
            };
            let replicas = parsed.int("replicas").map_err(Failure::msg)?.unwrap_or(1) as i32;
            let labels: BTreeMap<String, String> = [("app".to_string(), name.clone())].into();
            let container_name =
                image.rsplit('/').next().unwrap_or(image).split([':', '@']).next().unwrap_or(image).to_string();
            Deployment {
                metadata: ObjectMeta { labels: Some(labels.clone()), ..meta(true) },
                spec: Some(DeploymentSpec {
                    replicas: Some(replicas),
                    selector: LabelSelector { match_labels: Some(labels.clone()), ..LabelSelector::default() },
                    template: PodTemplateSpec {
                        metadata: Some(ObjectMeta { labels: Some(labels), ..ObjectMeta::default() }),
                        spec: Some(PodSpec {
                            containers: vec![Container {
                                name: container_name,
                                image: Some(image.to_string()),
                                // `-- COMMAND [args...]` becomes the container's command.
                                command: parsed.after_dash.clone().filter(|c| !c.is_empty()),
                                ..Container::default()
                            }],
                            ..PodSpec::default()
                        }),
                    },
                    ..DeploymentSpec::default()
                }),
                ..Deployment::default()
            }
            .into_object()
        }
        Generator::ConfigMap | Generator::Secret => {
            let kind_name = if which == Generator::ConfigMap { "ConfigMap" } else { "Secret" };
            let mut data: BTreeMap<String, Vec<u8>> = BTreeMap::new();
            let mut add = |key: String, value: Vec<u8>| -> Result<(), Failure> {
                if data.contains_key(&key) {
                    let field = if which == Generator::ConfigMap { "Data" } else { "data" };
                    return Err(Failure::msg(format!(
                        "cannot add key \"{key}\", another key by that name already exists in {field} for {kind_name} \"{name}\""
                    )));
                }
                if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
                    return Err(Failure::msg(format!(
                        "\"{key}\" is not a valid key name for a {kind_name}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
                    )));
                }
                data.insert(key, value);
                Ok(())
            };
            for literal in parsed.values("from-literal") {
                let Some((key, value)) = literal.split_once('=').filter(|(k, _)| !k.is_empty()) else {
                    return Err(Failure::msg(format!("invalid literal source {literal}, expected key=value")));
                };
                add(key.to_string(), value.as_bytes().to_vec())?;
            }
            for source in parsed.values("from-file") {
                let (key, path) = match source.split_once('=') {
                    Some((key, path)) if !key.is_empty() && !path.is_empty() => {
                        (Some(key.to_string()), path.to_string())
                    }
                    Some(_) => {
                        return Err(Failure::msg("key names or file paths cannot contain '='".to_string()));
                    }
                    None => (None, source.clone()),
                };
                match ctx.files.open(&path) {
                    Err(_) => {
                        return Err(Failure::msg(format!("error reading {path}: no such file or directory")));
                    }
                    Ok(FileEntry::File(bytes)) => {
                        let key = key.unwrap_or_else(|| {
                            path.trim_end_matches('/').rsplit('/').next().unwrap_or(&path).to_string()
                        });
                        add(key, bytes)?;
                    }
                    Ok(FileEntry::Dir(entries)) => {
                        if key.is_some() {
                            return Err(Failure::msg("cannot give a key name for a directory path"));
                        }
                        for entry in entries {
                            let child = format!("{}/{}", path.trim_end_matches('/'), entry);
                            if let Ok(FileEntry::File(bytes)) = ctx.files.open(&child) {
                                add(entry, bytes)?;
                            }
                        }
                    }
                }
            }
            for env_file in parsed.values("from-env-file") {
                let Ok(FileEntry::File(bytes)) = ctx.files.open(&env_file) else {
                    return Err(Failure::msg(format!("error reading {env_file}: no such file or directory")));
                };
                for line in String::from_utf8_lossy(&bytes).lines() {
                    let line = line.trim_start();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    match line.split_once('=') {
                        Some((key, value)) => add(key.to_string(), value.as_bytes().to_vec())?,
                        None => add(line.to_string(), Vec::new())?,
                    }
                }
            }
            if which == Generator::ConfigMap {
                let mut text = BTreeMap::new();
                let mut binary = BTreeMap::new();
                for (key, value) in data {
                    match String::from_utf8(value) {
                        Ok(s) => {
                            text.insert(key, s);
                        }
                        Err(e) => {
                            binary.insert(key, ByteString(e.into_bytes()));
                        }
                    }
                }
                ConfigMap {
                    metadata: meta(true),
                    data: if text.is_empty() { None } else { Some(text) },
                    binary_data: if binary.is_empty() { None } else { Some(binary) },
                    ..ConfigMap::default()
                }
                .into_object()
            } else {
                let secret_type = parsed.value("type").unwrap_or("Opaque").to_string();
                Secret {
                    metadata: meta(true),
                    data: if data.is_empty() {
                        None
                    } else {
                        Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect())
                    },
                    type_: Some(secret_type),
                    ..Secret::default()
                }
                .into_object()
            }
        }
    };
    let mut object = object;
    if parsed.bool("append-hash").unwrap_or(false) && matches!(which, Generator::ConfigMap | Generator::Secret) {
        let value = crate::kustomize::sort_keys(&object.to_value());
        let hash = crate::kustomize::name_hash(&value);
        object.meta_mut().name = Some(format!("{name}-{hash}"));
    }
    let output = parsed.value("output").map(str::to_string);
    if dry_run != DryRun::None {
        return print_result(ctx, &object, "created", dry_run, output.as_deref());
    }
    let created = ctx.cluster.create(object);
    super::apply::print_warnings(ctx);
    print_result(ctx, &created?, "created", dry_run, output.as_deref())
}
