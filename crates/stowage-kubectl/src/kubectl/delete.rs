//! `kubectl delete`: names, `-f`, `-k`, `-l`, `--all`, grace periods, `--force`, `--cascade`, `--wait`.

use super::args::{FlagSpec, bool_flag, optional_flag, value_flag, values_flag};
use super::resource::{self, SelectOptions, with_source};
use super::{Ctx, Failure};
use stowage_core::ObjectKey;
use stowage_core::api::StatusReason;
use stowage_core::apiserver::{DeleteOptions, Propagation};

const DELETE_FLAGS: &[FlagSpec] = &[
    values_flag("filename", Some('f'), true),
    value_flag("kustomize", Some('k')),
    bool_flag("recursive", Some('R')),
    value_flag("selector", Some('l')),
    value_flag("field-selector", None),
    bool_flag("all", None),
    bool_flag("all-namespaces", Some('A')),
    bool_flag("force", None),
    optional_flag("cascade", "background"),
    bool_flag("now", None),
    value_flag("grace-period", None),
    value_flag("timeout", None),
    bool_flag("ignore-not-found", None),
    bool_flag("wait", None),
    value_flag("output", Some('o')),
    value_flag("raw", None),
    bool_flag("interactive", Some('i')),
    optional_flag("dry-run", "unchanged"),
];

/// Parses `--cascade` as kubectl does (booleans are deprecated spellings).
///
/// # Errors
/// kubectl's message for other values.
pub fn parse_cascade(ctx: &mut Ctx<'_>, value: Option<&str>) -> Result<Propagation, Failure> {
    match value {
        None | Some("background") => Ok(Propagation::Background),
        Some("foreground") => Ok(Propagation::Foreground),
        Some("orphan") => Ok(Propagation::Orphan),
        Some(value) => match super::args::parse_bool(value) {
            Some(true) => {
                ctx.err.push_str(&format!("warning: --cascade={value} is deprecated (boolean value) and can be replaced with --cascade=background.\n"));
                Ok(Propagation::Background)
            }
            Some(false) => {
                ctx.err.push_str(&format!("warning: --cascade={value} is deprecated (boolean value) and can be replaced with --cascade=orphan.\n"));
                Ok(Propagation::Orphan)
            }
            None => Err(Failure::msg(format!(
                "invalid cascade value ({value}). Must be \"background\", \"foreground\", or \"orphan\""
            ))),
        },
    }
}

/// `kubectl delete`.
pub fn delete(ctx: &mut Ctx<'_>, args: &[String]) -> Result<(), Failure> {
    let parsed = ctx.parse(args, DELETE_FLAGS)?;
    let namespace = ctx.namespace(&parsed);
    let all = parsed.bool("all").map_err(Failure::msg)?;
    let all_namespaces = parsed.bool("all-namespaces").map_err(Failure::msg)?;
    let force = parsed.bool("force").map_err(Failure::msg)?;
    let now = parsed.bool("now").map_err(Failure::msg)?;
    let wait = parsed.bool_or("wait", true).map_err(Failure::msg)?;
    let dry_run = super::apply::DryRun::parse(parsed.value("dry-run"))?;
    let label = parsed.value("selector");
    let field = parsed.value("field-selector");
    let propagation = parse_cascade(ctx, parsed.value("cascade"))?;
    let mut grace: i64 = parsed.int("grace-period").map_err(Failure::msg)?.unwrap_or(-1);
    if now {
        if grace != -1 {
            return Err(Failure::msg("--now and --grace-period cannot be specified together"));
        }
        grace = 1;
    }
    if grace == 0 && !force {
        grace = 1;
    }
    if force && grace < 0 {
        grace = 0;
    }
    let output = parsed.value("output");
    if output.is_some_and(|o| o != "name") {
        return Err(Failure::msg(format!(
            "unexpected -o output mode: {}. We only support '-o name'",
            output.unwrap_or("")
        )));
    }
    let name_output = output == Some("name");
    if all && label.is_some() {
        return Err(Failure::msg("cannot set --all and --selector at the same time"));
    }
    if all && field.is_some() {
        return Err(Failure::msg("cannot set --all and --field-selector at the same time"));
    }
    if grace == 0 && force {
        ctx.warn("Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
    } else if grace > 0 && force {
        return Err(Failure::msg("--force and --grace-period greater than 0 cannot be specified together"));
    }
    let ignore_not_found = if parsed.has("ignore-not-found") {
        parsed.bool("ignore-not-found").map_err(Failure::msg)?
    } else {
        all || label.is_some() || field.is_some()
    };

    let filenames = parsed.values("filename");
    let (keys, sources, mut failures, by_name) = if let Some(dir) = parsed.value("kustomize") {
        let manifests = super::apply::kustomize_manifests(ctx, dir)?;
        let mut keys = Vec::new();
        let mut sources = Vec::new();
        for mut manifest in manifests {
            resource::place_in_namespace(&mut manifest.object, &namespace, parsed.namespace().is_some())?;
            keys.push(manifest.object.key());
            sources.push(dir.to_string());
        }
        (keys, sources, Vec::new(), true)
    } else {
        if filenames.is_empty() && parsed.positionals.is_empty() {
            return Err(Failure::msg(
                "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
            ));
        }
        let options = SelectOptions {
            args: &parsed.positionals,
            filenames: &filenames,
            recursive: parsed.bool("recursive").unwrap_or(false),
            label,
            field,
            all,
            all_namespaces,
            namespace: &namespace,
            explicit_namespace: parsed.namespace().is_some(),
            verb: "deleting",
        };
        let selection = resource::select(ctx, &options)?;
        if filenames.is_empty() && !selection.by_name && !(all || label.is_some() || field.is_some()) {
            return Err(Failure::msg("resource(s) were provided, but no name was specified"));
        }
        let sources =
            if selection.sources.is_empty() { vec![String::new(); selection.keys.len()] } else { selection.sources };
        (selection.keys, sources, selection.failures, selection.by_name)
    };
    if ignore_not_found {
        failures.retain(|f| !matches!(f, Failure::Api(e) if e.reason == StatusReason::NotFound));
    }
    let options = DeleteOptions { propagation, grace_period_seconds: if grace >= 0 { Some(grace) } else { None } };
    let mut deleted: Vec<ObjectKey> = Vec::new();
    for (key, source) in keys.iter().zip(sources.iter().chain(std::iter::repeat(&String::new()))) {
        if dry_run == super::apply::DryRun::None
            && let Err(error) = ctx.cluster.delete(key, options)
        {
            if !(ignore_not_found && error.reason == StatusReason::NotFound) {
                failures.push(Failure::Api(with_source(error, "deleting", source)));
            }
            continue;
        }
        deleted.push(key.clone());
        let kind_string = key.kind.info().qualified_singular();
        if name_output {
            ctx.out.push_str(&format!("{kind_string}/{}\n", key.name));
        } else {
            let mut operation = if grace == 0 { "force deleted".to_string() } else { "deleted".to_string() };
            if key.kind.is_namespaced() {
                operation = format!("{operation} from {} namespace", key.namespace);
            }
            operation.push_str(dry_run.suffix());
            ctx.out.push_str(&format!("{kind_string} \"{}\" {operation}\n", key.name));
        }
    }
    if deleted.is_empty() && failures.is_empty() && !by_name {
        ctx.out.push_str("No resources found\n");
    }
    if wait && !deleted.is_empty() && dry_run == super::apply::DryRun::None {
        ctx.cluster.settle();
        let remaining: Vec<ObjectKey> =
            deleted.into_iter().filter(|k| ctx.cluster.api().store().get(k).is_some()).collect();
        for key in remaining {
            super::hints::deletion_blocked(ctx, &key);
        }
    }
    super::get::finish(failures)
}
