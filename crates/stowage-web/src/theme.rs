//! Light and dark themes: the user's choice, the system preference, and applying them to the page.
//!
//! The colours live in `web/styles/app.css` as `light-dark()` custom properties. With no `data-theme` attribute
//! on `<html>` the page follows `prefers-color-scheme`; `data-theme="light"` or `"dark"` forces one.

use gloo::events::EventListener;
use yew::prelude::*;

/// The local-storage key that remembers an explicit choice.
const STORAGE_KEY: &str = "stowage.theme";

/// The media query that matches when the system prefers a dark theme.
const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

/// A theme as shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Dark text on light surfaces.
    Light,
    /// Light text on dark surfaces.
    Dark,
}

/// What the user asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Follow the operating system.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    /// The name used in the `data-theme` attribute and in labels.
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

impl ThemeChoice {
    /// The theme to show, given whether the system prefers dark.
    pub fn resolve(self, system_dark: bool) -> Theme {
        match self {
            ThemeChoice::Light => Theme::Light,
            ThemeChoice::Dark => Theme::Dark,
            ThemeChoice::System if system_dark => Theme::Dark,
            ThemeChoice::System => Theme::Light,
        }
    }

    fn stored_name(self) -> Option<&'static str> {
        match self {
            ThemeChoice::System => None,
            ThemeChoice::Light => Some("light"),
            ThemeChoice::Dark => Some("dark"),
        }
    }

    fn from_stored_name(name: &str) -> Self {
        match name {
            "light" => ThemeChoice::Light,
            "dark" => ThemeChoice::Dark,
            _ => ThemeChoice::System,
        }
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn dark_query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?.match_media(DARK_QUERY).ok().flatten()
}

/// The choice remembered from an earlier visit, or [`ThemeChoice::System`].
pub fn load_choice() -> ThemeChoice {
    local_storage()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .map_or(ThemeChoice::System, |name| ThemeChoice::from_stored_name(&name))
}

/// Whether the system prefers a dark theme right now.
pub fn system_prefers_dark() -> bool {
    dark_query().is_some_and(|query| query.matches())
}

/// Sets or removes `data-theme` on `<html>` and remembers the choice. Storage failures (private mode) are ignored.
pub fn apply_choice(choice: ThemeChoice) {
    if let Some(root) =
        web_sys::window().and_then(|window| window.document()).and_then(|document| document.document_element())
    {
        let _ = match choice.stored_name() {
            Some(name) => root.set_attribute("data-theme", name),
            None => root.remove_attribute("data-theme"),
        };
    }
    if let Some(storage) = local_storage() {
        let _ = match choice.stored_name() {
            Some(name) => storage.set_item(STORAGE_KEY, name),
            None => storage.remove_item(STORAGE_KEY),
        };
    }
}

/// Calls `on_change` with the new preference whenever the system's colour scheme changes, while mounted.
#[hook]
pub fn use_system_theme_listener(on_change: Callback<bool>) {
    use_effect_with((), move |()| {
        let listener = dark_query().map(|query| {
            let target = query.clone();
            EventListener::new(&target, "change", move |_| on_change.emit(query.matches()))
        });
        move || drop(listener)
    });
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn choice_should_resolve_against_the_system() {
        assert_eq!(ThemeChoice::System.resolve(true), Theme::Dark);
        assert_eq!(ThemeChoice::System.resolve(false), Theme::Light);
        assert_eq!(ThemeChoice::Light.resolve(true), Theme::Light);
        assert_eq!(ThemeChoice::Dark.resolve(false), Theme::Dark);
    }

    #[test]
    fn stored_names_should_round_trip() {
        for choice in [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark] {
            let name = choice.stored_name().unwrap_or("system");
            assert_eq!(ThemeChoice::from_stored_name(name), choice);
        }
    }
}
