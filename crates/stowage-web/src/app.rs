//! The application root: the state provider around the shell (top bar, workspace, status bar).

use yew::prelude::*;

use crate::components::header::Header;
use crate::components::status_bar::StatusBar;
use crate::components::workspace::Workspace;
use crate::context::{PlaygroundProvider, use_playground};
use crate::state::PlaygroundAction;
use crate::theme;

/// The whole playground.
#[component]
pub fn App() -> Html {
    html! {
        <PlaygroundProvider>
            <Shell />
        </PlaygroundProvider>
    }
}

/// The window's chrome around the workspace; also keeps the page's theme in step with the state.
#[component]
pub fn Shell() -> Html {
    let state = use_playground();
    use_effect_with(state.theme_choice, |choice| theme::apply_choice(*choice));
    let dispatcher = state.dispatcher();
    theme::use_system_theme_listener(Callback::from(move |dark| {
        dispatcher.dispatch(PlaygroundAction::SystemThemeChanged { dark });
    }));
    html! {
        <div class="app" data-theme-shown={state.theme().name()}>
            <Header />
            <Workspace />
            <StatusBar />
        </div>
    }
}
