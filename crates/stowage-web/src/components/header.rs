//! The top bar: product name, engine and Kubernetes versions, the cluster profile menu and the theme switch.

use stowage_core::Profile;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::context::use_playground;
use crate::icons::{Icon, icon};
use crate::state::{PlaygroundAction, profile_named};
use crate::theme::Theme;

/// The top bar.
#[component]
pub fn Header() -> Html {
    let state = use_playground();
    let theme = state.theme();
    let toggle_theme = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(PlaygroundAction::ToggleTheme))
    };
    let (theme_icon, theme_label) = match theme {
        Theme::Light => (Icon::Moon, "Switch to the dark theme"),
        Theme::Dark => (Icon::Sun, "Switch to the light theme"),
    };
    let on_profile = {
        let dispatcher = state.dispatcher();
        Callback::from(move |event: Event| {
            let name = event.target_unchecked_into::<HtmlSelectElement>().value();
            dispatcher.dispatch(PlaygroundAction::SwitchProfile(profile_named(&name)));
        })
    };
    html! {
        <header class="topbar">
            <div class="brand">
                <span class="brand-mark">{ icon(Icon::Logo) }</span>
                <h1 class="brand-name">{ "Stowage" }</h1>
                <span class="brand-tagline">{ "Kubernetes storage playground" }</span>
            </div>
            <div class="topbar-versions">
                <span class="chip" id="engine-version" title="Engine version">
                    <span class="chip-label">{ "engine" }</span>
                    <span class="chip-value">{ format!("v{}", stowage_core::VERSION) }</span>
                </span>
                <span class="chip" id="kubernetes-version" title="The Kubernetes version the engine imitates">
                    <span class="chip-label">{ "Kubernetes" }</span>
                    <span class="chip-value">{ stowage_core::KUBERNETES_VERSION }</span>
                </span>
            </div>
            <div class="topbar-spacer"></div>
            <label class="chip chip-profile" id="profile" title={state.profile.description()}>
                <span class="chip-label">{ "profile" }</span>
                <select id="profile-select" class="chip-select" aria-label="Cluster profile (starts a fresh cluster)"
                    onchange={on_profile}>
                    { for Profile::ALL.iter().map(|profile| html! {
                        <option value={profile.name()} selected={*profile == state.profile}
                            title={profile.description()}>{ profile.name() }</option>
                    }) }
                </select>
            </label>
            <button type="button" class="icon-button" id="theme-toggle" aria-label={theme_label} title={theme_label}
                onclick={toggle_theme}>
                { icon(theme_icon) }
            </button>
        </header>
    }
}
