//! The terminal: a scrollback of lines and a command line with history (Up/Down).
//!
//! [`Terminal`] only displays lines and reports commands through `on_command`; what a command does is decided
//! by whoever owns the lines (today the reducer's placeholder, later the kubectl session).

use std::rc::Rc;

use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::components::pane::Pane;
use crate::context::use_playground;
use crate::icons::Icon;
use crate::state::{LineKind, PlaygroundAction, SUGGESTED_COMMAND, TerminalLine};

/// Props of [`Terminal`].
#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    /// The scrollback, oldest first.
    pub lines: Rc<Vec<TerminalLine>>,
    /// Called with each command the user enters (trimmed, never empty).
    pub on_command: Callback<String>,
    /// Shown in the empty command line.
    #[prop_or_default]
    pub placeholder: AttrValue,
}

/// Where the user is in the command history while pressing Up and Down.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HistoryCursor {
    /// Editing a fresh line.
    Fresh,
    /// Showing the history entry at this index (0 = oldest).
    At(usize),
}

/// A scrollback and a command line.
#[component]
pub fn Terminal(props: &TerminalProps) -> Html {
    let input = use_state(String::new);
    let cursor = use_state(|| HistoryCursor::Fresh);
    let scrollback = use_node_ref();
    let input_ref = use_node_ref();

    // Keep the newest line in view.
    {
        let scrollback = scrollback.clone();
        let newest = props.lines.last().map(|line| line.id);
        use_effect_with(newest, move |_| {
            if let Some(element) = scrollback.cast::<HtmlElement>() {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }

    let history: Rc<Vec<AttrValue>> = use_memo(props.lines.clone(), |lines| {
        lines
            .iter()
            .filter(|line| line.kind == LineKind::Command && !line.text.is_empty())
            .map(|line| line.text.clone())
            .collect()
    });

    let focus_input = {
        let input_ref = input_ref.clone();
        move || {
            if let Some(element) = input_ref.cast::<HtmlElement>() {
                let _ = element.focus();
            }
        }
    };

    let onsubmit = {
        let (input, cursor, on_command) = (input.clone(), cursor.clone(), props.on_command.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let command = input.trim().to_owned();
            input.set(String::new());
            cursor.set(HistoryCursor::Fresh);
            if !command.is_empty() {
                on_command.emit(command);
            }
        })
    };
    let oninput = {
        let input = input.clone();
        Callback::from(move |event: InputEvent| {
            input.set(event.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let onkeydown = {
        let (input, cursor, history) = (input.clone(), cursor.clone(), history.clone());
        Callback::from(move |event: KeyboardEvent| {
            let next = match (event.key().as_str(), *cursor) {
                ("ArrowUp", HistoryCursor::Fresh) if !history.is_empty() => {
                    HistoryCursor::At(history.len() - 1)
                }
                ("ArrowUp", HistoryCursor::At(index)) => HistoryCursor::At(index.saturating_sub(1)),
                ("ArrowDown", HistoryCursor::At(index)) if index + 1 < history.len() => {
                    HistoryCursor::At(index + 1)
                }
                ("ArrowDown", HistoryCursor::At(_)) => HistoryCursor::Fresh,
                _ => return,
            };
            event.prevent_default();
            input.set(match next {
                HistoryCursor::At(index) => history[index].to_string(),
                HistoryCursor::Fresh => String::new(),
            });
            cursor.set(next);
        })
    };
    // A click on the scrollback moves focus to the command line, unless the user was selecting text.
    let onmouseup = {
        let focus_input = focus_input.clone();
        Callback::from(move |_: MouseEvent| {
            let selecting = web_sys::window()
                .and_then(|window| window.get_selection().ok().flatten())
                .is_some_and(|selection| !selection.is_collapsed());
            if !selecting {
                focus_input();
            }
        })
    };

    let render_line = |line: &TerminalLine| -> Html {
        match line.kind {
            LineKind::Command => html! {
                <div key={line.id} class="term-line term-command">
                    <span class="term-prompt" aria-hidden="true">{ "$" }</span>
                    <span class="term-text">{ line.text.clone() }</span>
                </div>
            },
            LineKind::Suggestion => {
                let (input, command, focus_input) =
                    (input.clone(), line.text.to_string(), focus_input.clone());
                let onclick = Callback::from(move |_: MouseEvent| {
                    input.set(command.clone());
                    focus_input();
                });
                html! {
                    <div key={line.id} class="term-line term-suggestion">
                        <span class="term-muted">{ "Try " }</span>
                        <button type="button" class="term-chip" title="Put this command on the command line" {onclick}>
                            { line.text.clone() }
                        </button>
                    </div>
                }
            }
            LineKind::Output | LineKind::Error | LineKind::Hint => {
                let class = match line.kind {
                    LineKind::Error => "term-error",
                    LineKind::Hint => "term-hint",
                    _ => "term-output",
                };
                html! { <div key={line.id} class={classes!("term-line", class)}>{ line.text.clone() }</div> }
            }
        }
    };

    html! {
        <div class="terminal">
            <div class="term-scrollback" ref={scrollback} role="log" aria-live="polite" aria-label="Terminal output"
                tabindex="0" {onmouseup}>
                { for props.lines.iter().map(render_line) }
            </div>
            <form class="term-input-row" {onsubmit}>
                <span class="term-prompt" aria-hidden="true">{ "$" }</span>
                <input ref={input_ref} id="terminal-input" class="term-input" type="text" aria-label="Command"
                    autocomplete="off" autocapitalize="off" spellcheck="false" enterkeyhint="send"
                    placeholder={props.placeholder.clone()} value={(*input).clone()} {oninput} {onkeydown} />
            </form>
        </div>
    }
}

/// The terminal pane, connected to the playground state.
#[component]
pub fn TerminalPane() -> Html {
    let state = use_playground();
    // A stable callback keeps the scrollback from re-rendering while the user types in the editor.
    let on_command = {
        let dispatcher = state.dispatcher();
        use_callback((), move |command: String, ()| {
            dispatcher.dispatch(PlaygroundAction::RunCommand(command.into()));
        })
    };
    let on_clear = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(PlaygroundAction::ClearTerminal))
    };
    let actions = html! {
        <button type="button" class="button button-ghost" onclick={on_clear} title="Clear the scrollback (or type clear)">
            { "Clear" }
        </button>
    };
    html! {
        <Pane id="terminal" title="Terminal" icon={Icon::Terminal} {actions} body_class="pane-body-flush">
            <Terminal lines={state.terminal.clone()} {on_command} placeholder={SUGGESTED_COMMAND} />
        </Pane>
    }
}
