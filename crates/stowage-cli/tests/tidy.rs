//! Tidy checks that keep the codebase's rules true, run inside `cargo test` (rust-analyzer style).
//!
//! - every `.rs` file starts with a `//!` line;
//! - only `stowage-web` names browser crates;
//! - `stowage-core` has no wall clock and no hash-ordered collections;
//! - no test is ignored or expected to panic.

use std::fs;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && name != "node_modules" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn all_rust_files() -> Vec<(String, String)> {
    let root = workspace_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("tests"), &mut files);
    files
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap_or_default();
            let relative = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            (relative, text)
        })
        .collect()
}

/// Lines of code, without `//` comments, so that docs may name what the code must not use.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.split("//").next().unwrap_or("")))
        .filter(|(_, l)| !l.trim().is_empty())
}

fn report(problems: Vec<String>, rule: &str) {
    assert!(problems.is_empty(), "{rule}:\n{}", problems.join("\n"));
}

#[test]
fn tidy_should_find_rust_files() {
    let files = all_rust_files();
    assert!(files.len() > 10, "found only {} files; is the walk broken?", files.len());
    assert!(files.iter().any(|(path, _)| path == "crates/stowage-core/src/lib.rs"));
}

#[test]
fn every_rust_file_should_start_with_a_module_doc() {
    let problems: Vec<String> = all_rust_files()
        .into_iter()
        .filter(|(_, text)| !text.starts_with("//!"))
        .map(|(path, _)| format!("{path}: the first line must be a `//!` doc comment"))
        .collect();
    report(problems, "module docs");
}

#[test]
fn only_the_web_crate_should_touch_the_browser() {
    let browser = ["yew", "web_sys", "gloo", "js_sys", "wasm_bindgen"];
    let mut problems = Vec::new();
    for (path, text) in all_rust_files() {
        if path.starts_with("crates/stowage-web/") || path.ends_with("tidy.rs") {
            continue;
        }
        for (number, line) in code_lines(&text) {
            for name in browser {
                if line.contains(&format!("{name}::")) || line.contains(&format!("use {name}")) {
                    problems.push(format!("{path}:{number}: names `{name}` outside stowage-web"));
                }
            }
        }
    }
    let root = workspace_root();
    for krate in ["stowage-core", "stowage-kubectl", "stowage-cli"] {
        let manifest = fs::read_to_string(root.join("crates").join(krate).join("Cargo.toml")).unwrap_or_default();
        for dep in ["yew", "web-sys", "gloo", "js-sys", "wasm-bindgen"] {
            if manifest.lines().any(|l| {
                l.trim_start().starts_with(&format!("{dep} ")) || l.trim_start().starts_with(&format!("{dep}."))
            }) {
                problems.push(format!("crates/{krate}/Cargo.toml depends on {dep}"));
            }
        }
    }
    report(problems, "browser crates outside stowage-web");
}

#[test]
fn the_engine_should_have_no_wall_clock_and_no_hash_order() {
    let forbidden = ["Instant", "SystemTime", "HashMap", "HashSet", "std::fs", "std::env", "std::thread"];
    let mut problems = Vec::new();
    for (path, text) in all_rust_files() {
        if !path.starts_with("crates/stowage-core/src/") {
            continue;
        }
        for (number, line) in code_lines(&text) {
            for word in forbidden {
                let found = line.match_indices(word).any(|(i, _)| {
                    let before = line[..i].chars().next_back();
                    let after = line[i + word.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if found {
                    problems.push(format!("{path}:{number}: `{word}` in stowage-core"));
                }
            }
        }
    }
    report(problems, "determinism in stowage-core");
}

#[test]
fn no_test_should_be_ignored_or_expect_a_panic() {
    let ignore = concat!("#[", "ignore");
    let should_panic = concat!("#[", "should_panic");
    let mut problems = Vec::new();
    for (path, text) in all_rust_files() {
        for (number, line) in code_lines(&text) {
            if line.contains(ignore) || line.contains(should_panic) {
                problems.push(format!("{path}:{number}: tests are never ignored and never expect a panic"));
            }
        }
    }
    report(problems, "test hygiene");
}
