//! Determinism: one scenario, run twice natively, gives one fingerprint, and that fingerprint is the
//! committed one that the wasm build must reproduce too (`crates/stowage-web/tests/determinism.rs`).
//! `UPDATE_EXPECT=1 cargo test` re-blesses the committed fingerprint after an intended change.

use std::path::Path;

const SCENARIO: &str = include_str!("../../../tests/scenarios/determinism.txt");

#[test]
fn same_inputs_should_give_the_same_fingerprint_natively_and_in_wasm() {
    let first = stowage_kubectl::fingerprint::fingerprint(SCENARIO, 1);
    let second = stowage_kubectl::fingerprint::fingerprint(SCENARIO, 1);
    assert_eq!(first, second, "two native runs differ: hidden non-determinism (reproduce with seed=1)");
    let other_seed = stowage_kubectl::fingerprint::fingerprint(SCENARIO, 2);
    assert_ne!(first, other_seed, "the seed must matter");

    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/determinism.fingerprint");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&golden, format!("{first}\n")).expect("write the fingerprint");
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(expected.trim(), first, "the engine's behaviour changed; if intended, re-bless with UPDATE_EXPECT=1");
}
