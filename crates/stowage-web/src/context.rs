//! The playground context: the reducer handle shared by every pane, its provider and the hook that reads it.

use yew::prelude::*;

use crate::state::PlaygroundState;
use crate::theme;

/// The shared state handle. Read it like a [`PlaygroundState`]; change it with `dispatch(PlaygroundAction::…)`.
pub type PlaygroundContext = UseReducerHandle<PlaygroundState>;

/// Props of [`PlaygroundProvider`].
#[derive(Properties, PartialEq)]
pub struct PlaygroundProviderProps {
    /// The initial state; when absent, the default scenario with the remembered theme.
    #[prop_or_default]
    pub initial: Option<PlaygroundState>,
    /// The components that read the context.
    #[prop_or_default]
    pub children: Html,
}

/// Owns the playground state and provides it to its children.
#[component]
pub fn PlaygroundProvider(props: &PlaygroundProviderProps) -> Html {
    let initial = props.initial.clone();
    let state = use_reducer(move || {
        initial.unwrap_or_else(|| PlaygroundState::new(theme::load_choice(), theme::system_prefers_dark()))
    });
    html! {
        <ContextProvider<PlaygroundContext> context={state}>
            { props.children.clone() }
        </ContextProvider<PlaygroundContext>>
    }
}

/// The playground context. Panics with a clear message if used outside [`PlaygroundProvider`].
#[hook]
pub fn use_playground() -> PlaygroundContext {
    use_context::<PlaygroundContext>().expect("use_playground() must be called inside <PlaygroundProvider>")
}
