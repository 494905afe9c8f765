//! The application root: the state provider around the shell (top bar, workspace, status bar), and the effects
//! that connect the state to the browser: the play timer, chunked restore, and saving the session.

use gloo::timers::callback::{Interval, Timeout};
use yew::prelude::*;

use crate::components::header::Header;
use crate::components::status_bar::StatusBar;
use crate::components::workspace::Workspace;
use crate::context::{PlaygroundProvider, use_playground};
use crate::persist;
use crate::state::{PlaygroundAction, TICK_MS};
use crate::theme;

/// Props of [`App`].
#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// Whether to restore and save the session in local storage (on in the real app).
    #[prop_or(true)]
    pub persist: bool,
}

impl Default for AppProps {
    fn default() -> Self {
        Self { persist: true }
    }
}

/// The whole playground.
#[component]
pub fn App(props: &AppProps) -> Html {
    html! {
        <PlaygroundProvider>
            <Shell persist={props.persist} />
        </PlaygroundProvider>
    }
}

/// Props of [`Shell`].
#[derive(Properties, PartialEq)]
pub struct ShellProps {
    /// Whether to restore and save the session.
    #[prop_or(true)]
    pub persist: bool,
}

/// The window's chrome around the workspace; also keeps the page's theme, timers and storage in step with the
/// state.
#[component]
pub fn Shell(props: &ShellProps) -> Html {
    let state = use_playground();
    use_effect_with(state.theme_choice, |choice| theme::apply_choice(*choice));
    let dispatcher = state.dispatcher();
    {
        let dispatcher = dispatcher.clone();
        theme::use_system_theme_listener(Callback::from(move |dark| {
            dispatcher.dispatch(PlaygroundAction::SystemThemeChanged { dark });
        }));
    }
    // Restore the saved session once, on mount.
    let restored = use_mut_ref(|| !props.persist);
    {
        let (dispatcher, restored) = (dispatcher.clone(), restored.clone());
        use_effect_with((), move |()| {
            if !*restored.borrow() {
                if let Some(saved) = persist::load() {
                    dispatcher.dispatch(PlaygroundAction::Restore(saved));
                }
                *restored.borrow_mut() = true;
            }
        });
    }
    // Long work (replaying a restored session, settling after a large apply) runs a slice per timer callback, so
    // the browser paints and handles input between slices; the progress changes with every slice.
    {
        let dispatcher = dispatcher.clone();
        use_effect_with(state.progress.clone(), move |progress| {
            let timer = progress
                .is_some()
                .then(|| Timeout::new(0, move || dispatcher.dispatch(PlaygroundAction::RestoreChunk)));
            move || drop(timer)
        });
    }
    // Save inputs only, whenever they or the editor text change (never mid-restore).
    {
        let state = state.clone();
        let persist = props.persist;
        use_effect_with((state.inputs_revision, state.manifest.clone(), state.pending.len()), move |(_, _, left)| {
            if persist && *left == 0 {
                persist::save(&state.saved());
            }
        });
    }
    // The play timer decides only when to ask for the next tick; the reducer decides what happens.
    {
        let dispatcher = dispatcher.clone();
        use_effect_with(state.playing, move |playing| {
            let timer = playing.then(|| Interval::new(TICK_MS, move || dispatcher.dispatch(PlaygroundAction::Tick)));
            move || drop(timer)
        });
    }
    let cancel = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(PlaygroundAction::CancelWork))
    };
    html! {
        <div class="app" data-theme-shown={state.theme().name()}>
            if let Some(progress) = &state.progress {
                <div class={classes!("progress-bar", (progress.total == 0).then_some("progress-indeterminate"))}
                    role="progressbar" aria-label={progress.label.clone()} aria-valuemin="0"
                    aria-valuemax={(progress.total > 0).then(|| progress.total.to_string())}
                    aria-valuenow={(progress.total > 0).then(|| progress.done.to_string())}
                    aria-valuetext={format!("{} controller actions", progress.steps)}>
                    <span style={(progress.total > 0).then(|| format!("width: {:.1}%", 100.0 * progress.done as f64 / progress.total as f64))}></span>
                </div>
                <div class="work-banner" id="work-banner" role="status">
                    <span class="work-spinner" aria-hidden="true"></span>
                    <span id="work-text">
                        { if progress.total > 0 {
                            format!("{}: {} of {} inputs · {} controller actions", progress.label, progress.done, progress.total, progress.steps)
                        } else {
                            format!("{}: {} controller actions", progress.label, progress.steps)
                        } }
                    </span>
                    if progress.cancellable {
                        <button type="button" class="button" id="cancel-work" onclick={cancel}
                            title="Stop here; the rest of the work stays queued for Step and Play">{ "Cancel" }</button>
                    }
                </div>
            }
            <Header />
            <Workspace />
            <StatusBar />
        </div>
    }
}
