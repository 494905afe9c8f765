//! Determinism in the browser: the wasm build replays the committed scenario and must reproduce the
//! fingerprint that the native test committed (`crates/stowage-cli/tests/determinism.rs`).

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SCENARIO: &str = include_str!("../../../tests/scenarios/determinism.txt");
const EXPECTED: &str = include_str!("../../../tests/scenarios/determinism.fingerprint");

#[wasm_bindgen_test]
fn wasm_should_reproduce_the_native_fingerprint() {
    let fingerprint = stowage_kubectl::fingerprint::fingerprint(SCENARIO, 1);
    assert_eq!(fingerprint, EXPECTED.trim(), "wasm and native runs of the same inputs differ");
}
