//! Tab completion for the terminal: kubectl verbs, kinds, object names and flags, and the shell's commands.
//!
//! Completion looks only at the last word of the line and at the words before it: after `kubectl` come
//! verbs, after a verb that takes a resource come kinds, after a kind come names of that kind's objects (from
//! the plain-data [`ClusterView`]), and a word starting with `-` completes flags.

use stowage_core::{ClusterView, Kind};

/// kubectl's verbs the playground offers.
pub const VERBS: &[&str] = &[
    "annotate",
    "api-resources",
    "apply",
    "cluster-info",
    "cordon",
    "create",
    "delete",
    "describe",
    "drain",
    "events",
    "exec",
    "explain",
    "get",
    "label",
    "logs",
    "patch",
    "rollout",
    "run",
    "scale",
    "taint",
    "uncordon",
    "version",
    "wait",
];

/// Verbs followed by a resource kind.
const RESOURCE_VERBS: &[&str] =
    &["annotate", "delete", "describe", "explain", "get", "label", "patch", "scale", "wait"];

/// Verbs followed by a node's name.
const NODE_VERBS: &[&str] = &["cordon", "uncordon", "drain"];

/// Verbs followed by a pod's name.
const POD_VERBS: &[&str] = &["exec", "logs"];

/// `kubectl rollout` subcommands the playground runs, and the kinds they take.
const ROLLOUT_SUBCOMMANDS: &[&str] = &["restart", "status"];
const ROLLOUT_KINDS: &[&str] = &["deployment", "statefulset"];

/// Flags offered after `-`.
pub const FLAGS: &[&str] = &[
    "--all-namespaces",
    "--dry-run=client",
    "--field-selector",
    "--filename",
    "--for",
    "--force",
    "--grace-period",
    "--image",
    "--namespace",
    "--output",
    "--patch",
    "--replicas",
    "--restart",
    "--selector",
    "--show-labels",
    "--timeout",
    "--type",
    "--watch",
    "-A",
    "-f",
    "-l",
    "-n",
    "-o",
    "-p",
    "-w",
];

/// Commands the workstation's shell knows besides kubectl.
pub const SHELL_COMMANDS: &[&str] =
    &["cat", "clear", "echo", "grep", "head", "helm", "history", "kubectl", "ls", "sleep", "stowage", "tail", "wc"];

/// What pressing Tab does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// The line with its last word completed (as far as every candidate agrees).
    pub line: String,
    /// The candidates, when more than one fits (to list under the prompt).
    pub candidates: Vec<String>,
}

fn kind_words() -> Vec<String> {
    let mut words: Vec<String> = Kind::ALL
        .iter()
        .filter(|kind| **kind != Kind::Event)
        .flat_map(|kind| {
            let info = kind.info();
            std::iter::once(info.plural.to_string()).chain(info.short_names.iter().map(|s| s.to_string()))
        })
        .collect();
    words.sort();
    words.dedup();
    words
}

fn kind_of(word: &str) -> Option<Kind> {
    let word = word.split(',').next().unwrap_or(word).to_ascii_lowercase();
    Kind::ALL.iter().copied().find(|kind| {
        let info = kind.info();
        info.plural == word
            || info.singular == word
            || info.short_names.contains(&word.as_str())
            || info.name.eq_ignore_ascii_case(&word)
    })
}

fn names(view: &ClusterView, kind: Kind) -> Vec<String> {
    view.of_kind(kind).map(|o| o.key.name.clone()).collect()
}

fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut prefix = first.clone();
    for word in &words[1..] {
        while !word.starts_with(&prefix) {
            prefix.pop();
        }
    }
    prefix
}

/// Completes the last word of `line`.
pub fn complete(line: &str, view: &ClusterView) -> Completion {
    let (head, word) = match line.rfind(char::is_whitespace) {
        Some(at) => (&line[..=at], &line[at + 1..]),
        None => ("", line),
    };
    let words: Vec<&str> = head.split_whitespace().collect();
    let candidates: Vec<String> = if words.is_empty() {
        SHELL_COMMANDS.iter().map(|s| s.to_string()).collect()
    } else if word.starts_with('-') {
        FLAGS.iter().map(|s| s.to_string()).collect()
    } else if matches!(words.last(), Some(&"-n" | &"--namespace")) {
        view.of_kind(Kind::Namespace).map(|o| o.key.name.clone()).collect()
    } else if matches!(words[0], "kubectl" | "k") {
        let positional: Vec<&str> = words[1..].iter().copied().filter(|w| !w.starts_with('-')).collect();
        match positional.as_slice() {
            [] => VERBS.iter().map(|s| s.to_string()).collect(),
            [verb] if RESOURCE_VERBS.contains(verb) => kind_words(),
            [verb, kind, ..] if RESOURCE_VERBS.contains(verb) => match kind_of(kind) {
                Some(kind) => view.of_kind(kind).map(|o| o.key.name.clone()).collect(),
                None => Vec::new(),
            },
            [verb] if NODE_VERBS.contains(verb) => names(view, Kind::Node),
            ["taint"] => std::iter::once("nodes".to_string()).chain(names(view, Kind::Node)).collect(),
            ["taint", "nodes" | "node" | "no"] => names(view, Kind::Node),
            [verb] if POD_VERBS.contains(verb) => names(view, Kind::Pod),
            ["rollout"] => ROLLOUT_SUBCOMMANDS.iter().map(|s| s.to_string()).collect(),
            ["rollout", _] => ROLLOUT_KINDS.iter().map(|s| s.to_string()).collect(),
            ["rollout", _, kind] => match kind_of(kind) {
                Some(kind) => names(view, kind),
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    } else if words == ["stowage"] {
        vec!["node".to_string()]
    } else if words == ["stowage", "node"] {
        ["list", "partition", "start", "stop"].iter().map(|s| s.to_string()).collect()
    } else if words.len() == 3 && words[..2] == ["stowage", "node"] && words[2] != "list" {
        names(view, Kind::Node)
    } else {
        Vec::new()
    };
    let mut matching: Vec<String> = candidates.into_iter().filter(|c| c.starts_with(word)).collect();
    matching.sort();
    matching.dedup();
    match matching.as_slice() {
        [] => Completion { line: line.to_string(), candidates: Vec::new() },
        [only] => Completion { line: format!("{head}{only} "), candidates: Vec::new() },
        many => Completion { line: format!("{head}{}", common_prefix(many)), candidates: many.to_vec() },
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use stowage_core::{Cluster, Profile, Seed};

    fn view() -> ClusterView {
        Cluster::new(Profile::Guide, Seed(1)).view()
    }

    #[test]
    fn tab_should_complete_verbs_kinds_names_and_flags() {
        let view = view();
        assert_eq!(complete("kub", &view).line, "kubectl ");
        assert_eq!(complete("kubectl desc", &view).line, "kubectl describe ");
        assert_eq!(complete("kubectl get persistentvolumec", &view).line, "kubectl get persistentvolumeclaims ");
        assert_eq!(complete("kubectl get nodes node-", &view).candidates, ["node-1", "node-2", "node-3"]);
        assert_eq!(complete("kubectl get pv --all-n", &view).line, "kubectl get pv --all-namespaces ");
        assert_eq!(complete("kubectl get pvc -n kube-s", &view).line, "kubectl get pvc -n kube-system ");
    }

    #[test]
    fn tab_should_list_candidates_when_several_fit() {
        let completion = complete("kubectl c", &view());
        assert_eq!(completion.line, "kubectl c");
        assert_eq!(completion.candidates, ["cluster-info", "cordon", "create"]);
        assert_eq!(complete("nothing-matches zz", &view()).line, "nothing-matches zz");
    }

    #[test]
    fn tab_should_complete_nodes_pods_rollouts_and_the_node_command() {
        let view = view();
        assert_eq!(complete("kubectl cordon node-", &view).candidates, ["node-1", "node-2", "node-3"]);
        assert_eq!(complete("kubectl taint ", &view).candidates, ["node-1", "node-2", "node-3", "nodes"]);
        assert_eq!(complete("kubectl taint nodes node-", &view).candidates, ["node-1", "node-2", "node-3"]);
        assert_eq!(complete("kubectl rollout st", &view).line, "kubectl rollout status ");
        assert_eq!(complete("kubectl rollout status state", &view).line, "kubectl rollout status statefulset ");
        assert_eq!(complete("stowage node pa", &view).line, "stowage node partition ");
        assert_eq!(complete("stowage node stop node-", &view).candidates, ["node-1", "node-2", "node-3"]);
        assert!(complete("kubectl logs ", &view).candidates.iter().all(|name| !name.is_empty()));
    }
}
