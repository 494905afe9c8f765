//! `stowage node ...`: the workstation command that fails and restores nodes. kubectl has no such
//! verb; in a real cluster you would power a VM off or cut its network. The playground's buttons
//! type these same lines, so they are recorded and replayed like any other terminal input.
//!
//! ```text
//! stowage node stop NODE        power the machine off: nothing runs, nothing reports
//! stowage node partition NODE   cut it off from the control plane: containers keep running
//! stowage node start NODE       power it on / heal the partition
//! stowage node list             every node's machine state
//! ```

use super::ExternalOutput;
use stowage_core::kubelet::NodeState;
use stowage_core::{Cluster, Kind};

/// The usage text, printed on stderr for a malformed line.
pub const USAGE: &str = "Usage:\n  stowage node stop NODE        power a node off (nothing runs, nothing reports)\n  stowage node partition NODE   cut a node off from the control plane (its containers keep running)\n  stowage node start NODE       power a node on, or heal its partition\n  stowage node list             show every node's machine state\n";

fn fail(message: String, code: i32) -> ExternalOutput {
    ExternalOutput { stdout: Vec::new(), stderr: message.into_bytes(), exit_code: code }
}

fn state_word(state: NodeState) -> &'static str {
    match state {
        NodeState::Ready => "Running",
        NodeState::Stopped => "Stopped",
        NodeState::Partitioned => "Partitioned",
    }
}

/// Runs `stowage ARGS...` on the workstation.
pub fn run(cluster: &mut Cluster, argv: &[String]) -> ExternalOutput {
    let args: Vec<&str> = argv.iter().skip(1).map(String::as_str).collect();
    match args.as_slice() {
        ["node", "list"] | ["node", "ls"] | ["nodes"] => list(cluster),
        ["node", verb @ ("stop" | "partition" | "start"), node] => {
            let exists = cluster.api().store().list(Kind::Node).any(|n| n.name() == *node);
            if !exists {
                return fail(format!("stowage: node \"{node}\" not found\n"), 1);
            }
            let (state, done) = match *verb {
                "stop" => (NodeState::Stopped, "stopped"),
                "partition" => (NodeState::Partitioned, "partitioned"),
                _ => (NodeState::Ready, "started"),
            };
            let before = cluster.node_state(node);
            if before == state {
                let already = match state {
                    NodeState::Ready => "running",
                    _ => done,
                };
                return ExternalOutput {
                    stdout: format!("node/{node} already {already}\n").into_bytes(),
                    ..ExternalOutput::default()
                };
            }
            cluster.set_node_state(node, state);
            let done = if state == NodeState::Ready && before == NodeState::Partitioned { "reconnected" } else { done };
            ExternalOutput { stdout: format!("node/{node} {done}\n").into_bytes(), ..ExternalOutput::default() }
        }
        ["node", "stop" | "partition" | "start"] => fail(format!("stowage: a node name is required\n{USAGE}"), 1),
        ["node", verb, ..] if !["stop", "partition", "start", "list", "ls"].contains(verb) => {
            fail(format!("stowage: unknown command \"node {verb}\"\n{USAGE}"), 1)
        }
        ["help" | "--help" | "-h"] | ["node", "--help" | "-h" | "help"] => {
            ExternalOutput { stdout: USAGE.as_bytes().to_vec(), ..ExternalOutput::default() }
        }
        _ => fail(USAGE.to_string(), 1),
    }
}

fn list(cluster: &Cluster) -> ExternalOutput {
    let now = cluster.now();
    let mut rows = vec![["NAME".to_string(), "STATE".to_string(), "SINCE".to_string()]];
    for node in cluster.api().store().list(Kind::Node) {
        let name = node.name().to_string();
        let machine = cluster.dataplane().nodes.get(&name);
        let state = machine.map_or(NodeState::Ready, |m| m.state);
        let since = match machine {
            Some(m) if m.state != NodeState::Ready || m.state_since.as_millis() > 0 => {
                crate::print::age(now, m.state_since)
            }
            _ => "-".to_string(),
        };
        rows.push([name, state_word(state).to_string(), since]);
    }
    let widths: Vec<usize> = (0..3).map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        out.push_str(&format!("{:w0$}   {:w1$}   {}\n", row[0], row[1], row[2], w0 = widths[0], w1 = widths[1]));
    }
    ExternalOutput { stdout: out.into_bytes(), ..ExternalOutput::default() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stowage_core::{Profile, Seed};

    fn line(cluster: &mut Cluster, text: &str) -> (String, String, i32) {
        let argv: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        let out = run(cluster, &argv);
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.exit_code,
        )
    }

    #[test]
    fn node_commands_should_change_machine_state_and_name_unknown_nodes() {
        let mut cluster = Cluster::new(Profile::Guide, Seed(1));
        // (line, stdout, stderr prefix, exit code)
        let rows: [(&str, &str, &str, i32); 8] = [
            ("stowage node partition node-2", "node/node-2 partitioned\n", "", 0),
            ("stowage node partition node-2", "node/node-2 already partitioned\n", "", 0),
            ("stowage node start node-2", "node/node-2 reconnected\n", "", 0),
            ("stowage node stop node-3", "node/node-3 stopped\n", "", 0),
            ("stowage node start node-3", "node/node-3 started\n", "", 0),
            ("stowage node stop x", "", "stowage: node \"x\" not found\n", 1),
            ("stowage node reboot node-1", "", "stowage: unknown command \"node reboot\"", 1),
            ("stowage node stop", "", "stowage: a node name is required", 1),
        ];
        for (text, stdout, stderr, code) in rows {
            let (out, err, exit) = line(&mut cluster, text);
            assert_eq!((out.as_str(), exit), (stdout, code), "{text}: {err}");
            assert!(err.starts_with(stderr), "{text}: {err}");
        }
        line(&mut cluster, "stowage node partition node-1");
        let (out, _, _) = line(&mut cluster, "stowage node list");
        assert!(out.starts_with("NAME     STATE         SINCE\nnode-1   Partitioned   0s\n"), "{out}");
    }
}
