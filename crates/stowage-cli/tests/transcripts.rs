//! Golden transcripts: every `tests/transcripts/*.txt` is replayed in a fresh session and must read
//! exactly as recorded. `UPDATE_EXPECT=1 cargo test` re-blesses them.

use std::fs;
use std::path::{Path, PathBuf};
use stowage_kubectl::session::transcript;

fn transcripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/transcripts")
}

fn first_difference(expected: &str, actual: &str) -> String {
    for (index, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  expected: {e:?}\n  actual:   {a:?}", index + 1);
        }
    }
    format!("lengths differ: expected {} lines, actual {} lines", expected.lines().count(), actual.lines().count())
}

/// Every `tests/transcripts/*.txt`, sorted; there is at least one.
fn transcript_paths() -> Vec<PathBuf> {
    let dir = transcripts_dir();
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/transcripts exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no transcripts in {}", dir.display());
    paths
}

#[test]
fn transcripts_should_replay_exactly() {
    let paths = transcript_paths();
    let bless = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for path in &paths {
        let expected = fs::read_to_string(path).expect("transcript is readable");
        let parsed = match transcript::parse(&expected) {
            Ok(parsed) => parsed,
            Err(error) => {
                failures.push(format!("{}: {error}", path.display()));
                continue;
            }
        };
        assert!(!parsed.commands.is_empty(), "{} has no commands", path.display());
        let actual = transcript::run(&parsed);
        if actual != expected {
            if bless {
                fs::write(path, &actual).expect("transcript is writable");
            } else {
                failures.push(format!("{}: {}", path.display(), first_difference(&expected, &actual)));
            }
        }
    }
    assert!(failures.is_empty(), "transcripts differ (UPDATE_EXPECT=1 re-blesses):\n{}", failures.join("\n"));
}

#[test]
fn transcript_runs_should_be_deterministic() {
    let path = transcripts_dir().join("pv_pvc_guide.txt");
    let text = fs::read_to_string(&path).expect("the guide transcript exists");
    let parsed = transcript::parse(&text).expect("it parses");
    assert_eq!(transcript::run(&parsed), transcript::run(&parsed));
}

#[test]
fn transcripts_should_keep_the_engine_invariants_after_every_command() {
    let paths = transcript_paths();
    let mut failures = Vec::new();
    for path in &paths {
        let text = fs::read_to_string(path).expect("transcript is readable");
        let Ok(parsed) = transcript::parse(&text) else { continue };
        let mut session = stowage_kubectl::session::Session::new(parsed.profile, stowage_core::Seed(parsed.seed));
        for command in &parsed.commands {
            session.run(command);
            if let Some(violation) = session.cluster().violations().first() {
                failures.push(format!("{} after `{command}`: {violation}", path.display()));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "invariants broken:\n{}", failures.join("\n"));
}
