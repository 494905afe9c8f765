//! A fingerprint of a session run: the same script must give the same fingerprint natively and in wasm.

use crate::session::Session;
use stowage_core::{Profile, Seed};

/// FNV-1a over bytes: tiny, stable across platforms, and enough to compare two runs.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Runs `script` (one terminal line per line; `#` comments skipped) in a fresh `guide` session with
/// `seed`, and hashes every command's output, the trace and the final cluster view.
pub fn fingerprint(script: &str, seed: u64) -> String {
    let mut session = Session::new(Profile::Guide, Seed(seed));
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for command in crate::session::split_script(script) {
        let output = session.run(&command);
        hash = fnv1a(hash, command.as_bytes());
        hash = fnv1a(hash, output.stdout.as_bytes());
        hash = fnv1a(hash, output.stderr.as_bytes());
        hash = fnv1a(hash, &output.exit_code.to_le_bytes());
    }
    let cluster = session.cluster();
    let events = cluster.api().trace().events();
    for event in events {
        hash = fnv1a(hash, event.to_string().as_bytes());
    }
    let view = serde_json::to_string(&cluster.view()).unwrap_or_default();
    hash = fnv1a(hash, view.as_bytes());
    format!("{hash:016x} trace={} now_ms={}", events.len(), cluster.now().as_millis())
}
