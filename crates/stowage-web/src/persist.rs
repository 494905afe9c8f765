//! Local storage of the session: the editor's text, the profile and the input log (inputs only, never derived
//! state). A reload replays the inputs into a fresh session with the same profile and seed.

use crate::state::{SAVED_VERSION, Saved};

/// The local-storage key of the saved session.
pub const STORAGE_KEY: &str = "stowage.session.v1";

/// The largest saved session kept with its inputs; beyond it only the editor text and profile are kept
/// (local storage quotas are a few megabytes).
pub const SAVED_CHARS_MAX: usize = 1_000_000;

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Encodes a session for storage, dropping the inputs when they would be too large.
pub fn encode(saved: &Saved) -> String {
    let text = serde_json::to_string(saved).unwrap_or_default();
    if text.len() <= SAVED_CHARS_MAX {
        return text;
    }
    let trimmed = Saved { inputs: Vec::new(), ..saved.clone() };
    serde_json::to_string(&trimmed).unwrap_or_default()
}

/// Decodes a stored session; anything unreadable or of another version is ignored.
pub fn decode(text: &str) -> Option<Saved> {
    let saved: Saved = serde_json::from_str(text).ok()?;
    (saved.v == SAVED_VERSION).then_some(saved)
}

/// The saved session, if there is one.
pub fn load() -> Option<Saved> {
    decode(&local_storage()?.get_item(STORAGE_KEY).ok()??)
}

/// Saves the session. Storage failures (private mode, quota) are ignored: the session is simply not kept.
pub fn save(saved: &Saved) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(STORAGE_KEY, &encode(saved));
    }
}

/// Forgets the saved session.
pub fn clear() {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::engine::Input;

    #[test]
    fn saved_sessions_should_round_trip_and_reject_other_versions() {
        let saved = Saved {
            v: SAVED_VERSION,
            profile: "kind".into(),
            manifest: "kind: X\n".into(),
            inputs: vec![Input::Run("kubectl get pv".into()), Input::Step],
            step_mode: false,
        };
        assert_eq!(decode(&encode(&saved)), Some(saved.clone()));
        let other = encode(&Saved { v: 99, ..saved });
        assert_eq!(decode(&other), None);
        assert_eq!(decode("not json"), None);
    }

    #[test]
    fn huge_sessions_should_keep_only_the_editor_and_profile() {
        let saved = Saved {
            v: SAVED_VERSION,
            profile: "guide".into(),
            manifest: "a".into(),
            inputs: vec![Input::Apply("x".repeat(SAVED_CHARS_MAX))],
            step_mode: false,
        };
        let back = decode(&encode(&saved)).expect("decodes");
        assert!(back.inputs.is_empty());
        assert_eq!(back.manifest, "a");
    }
}
