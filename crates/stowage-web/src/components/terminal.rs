//! The terminal: a scrollback of lines and a command line with history (Up/Down), tab completion, Ctrl+C
//! (cancel the line), Ctrl+L (clear the screen), and multi-line input: Enter on an unfinished command (an open
//! heredoc, quote or trailing `\`) adds a line behind a `> ` prompt, and pasted scripts run command by command.
//!
//! [`Terminal`] only displays lines and reports what the user did through callbacks; what a command does is
//! decided by the state (the kubectl session).

use std::rc::Rc;

use stowage_core::ClusterView;
use stowage_kubectl::session::{Session, split_script};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement, KeyboardEvent};
use yew::prelude::*;

use crate::completion::complete;
use crate::components::pane::Pane;
use crate::context::use_playground;
use crate::icons::Icon;
use crate::state::{LineKind, PlaygroundAction, SUGGESTED_COMMAND, TerminalLine};

/// Props of [`Terminal`].
#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    /// The scrollback, oldest first.
    pub lines: Rc<Vec<TerminalLine>>,
    /// Called with each complete command the user enters (never empty).
    pub on_command: Callback<String>,
    /// Called with the text of a line cancelled by Ctrl+C.
    #[prop_or_default]
    pub on_cancel: Callback<String>,
    /// Called on Ctrl+L.
    #[prop_or_default]
    pub on_clear: Callback<()>,
    /// Called with completion candidates to list.
    #[prop_or_default]
    pub on_candidates: Callback<Vec<String>>,
    /// The cluster, for completing object names.
    #[prop_or_default]
    pub view: Option<Rc<ClusterView>>,
    /// Shown in the empty command line.
    #[prop_or_default]
    pub placeholder: AttrValue,
    /// Whether the command line is disabled (a past moment is shown), with the reason as placeholder.
    #[prop_or_default]
    pub disabled: bool,
}

/// Where the user is in the command history while pressing Up and Down.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HistoryCursor {
    /// Editing a fresh line.
    Fresh,
    /// Showing the history entry at this index (0 = oldest).
    At(usize),
}

/// Splits pasted or entered text into complete commands and an unfinished rest.
pub fn split_input(text: &str) -> (Vec<String>, String) {
    let mut commands = split_script(text);
    let rest = match commands.last() {
        Some(last) if Session::needs_more_input(last) => commands.pop().unwrap_or_default(),
        _ => String::new(),
    };
    (commands, rest)
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
            .filter(|line| line.kind == LineKind::Command && !line.text.is_empty() && !line.text.ends_with("^C"))
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

    // Runs every complete command in `text` and keeps the unfinished rest on the command line.
    let submit = {
        let (input, cursor, on_command) = (input.clone(), cursor.clone(), props.on_command.clone());
        move |text: String| {
            let (commands, rest) = split_input(&text);
            for command in commands {
                on_command.emit(command);
            }
            input.set(rest);
            cursor.set(HistoryCursor::Fresh);
        }
    };
    let oninput = {
        let input = input.clone();
        Callback::from(move |event: InputEvent| input.set(event.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };
    let onpaste = {
        let submit = submit.clone();
        let input = input.clone();
        Callback::from(move |event: Event| {
            let Some(text) = event
                .dyn_ref::<web_sys::ClipboardEvent>()
                .and_then(web_sys::ClipboardEvent::clipboard_data)
                .and_then(|data| data.get_data("text/plain").ok())
            else {
                return;
            };
            if !text.contains('\n') {
                return;
            }
            // A pasted script: run its complete commands now, keep the rest for editing.
            event.prevent_default();
            let combined = format!("{}{}", *input, text.replace("\r\n", "\n"));
            let ends_complete = combined.ends_with('\n');
            let (commands, rest) = split_input(&combined);
            if ends_complete || !rest.is_empty() {
                submit(combined);
            } else {
                // The last line has no newline yet: leave it on the command line.
                let mut commands = commands;
                let last = commands.pop().unwrap_or_default();
                let head: String = commands.iter().map(|c| format!("{c}\n")).collect();
                if !head.is_empty() {
                    submit(head);
                }
                input.set(last);
            }
        })
    };
    let onkeydown = {
        let (input, cursor, history) = (input.clone(), cursor.clone(), history.clone());
        let (on_cancel, on_clear, on_candidates, view) =
            (props.on_cancel.clone(), props.on_clear.clone(), props.on_candidates.clone(), props.view.clone());
        let submit = submit.clone();
        Callback::from(move |event: KeyboardEvent| {
            let key = event.key();
            let control = event.ctrl_key() && !event.alt_key() && !event.meta_key();
            if control && (key == "c" || key == "C") {
                let area = event.target_unchecked_into::<HtmlTextAreaElement>();
                let selecting = area.selection_start().ok().flatten() != area.selection_end().ok().flatten();
                if selecting {
                    return; // Copy the selection.
                }
                event.prevent_default();
                on_cancel.emit((*input).clone());
                input.set(String::new());
                cursor.set(HistoryCursor::Fresh);
                return;
            }
            if control && (key == "l" || key == "L") {
                event.prevent_default();
                on_clear.emit(());
                return;
            }
            if key == "Tab" && !event.shift_key() {
                if input.is_empty() {
                    return; // Let Tab move focus out of an empty command line.
                }
                event.prevent_default();
                let Some(view) = &view else { return };
                let line = (*input).clone();
                let current = line.rsplit('\n').next().unwrap_or("").to_string();
                let completion = complete(&current, view);
                let head = &line[..line.len() - current.len()];
                input.set(format!("{head}{}", completion.line));
                if !completion.candidates.is_empty() {
                    on_candidates.emit(completion.candidates);
                }
                return;
            }
            if key == "Enter" && !event.shift_key() {
                event.prevent_default();
                let text = (*input).clone();
                if text.trim().is_empty() {
                    input.set(String::new());
                    return;
                }
                if Session::needs_more_input(&text) {
                    input.set(format!("{text}\n"));
                } else {
                    submit(format!("{text}\n"));
                }
                return;
            }
            if input.contains('\n') {
                return; // Up and Down move between the lines of a multi-line command.
            }
            let next = match (key.as_str(), *cursor) {
                ("ArrowUp", HistoryCursor::Fresh) if !history.is_empty() => HistoryCursor::At(history.len() - 1),
                ("ArrowUp", HistoryCursor::At(index)) => HistoryCursor::At(index.saturating_sub(1)),
                ("ArrowDown", HistoryCursor::At(index)) if index + 1 < history.len() => HistoryCursor::At(index + 1),
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
                    { for line.text.split('\n').enumerate().map(|(index, text)| html! {
                        <div class="term-command-line">
                            <span class="term-prompt" aria-hidden="true">{ if index == 0 { "$" } else { ">" } }</span>
                            <span class="term-text">{ text.to_string() }</span>
                        </div>
                    }) }
                </div>
            },
            LineKind::Suggestion => {
                let (input, command, focus_input) = (input.clone(), line.text.to_string(), focus_input.clone());
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
                // Output keeps kubectl's columns: no wrapping; a wide block scrolls sideways on its own (and can
                // be focused to scroll it with the arrow keys).
                let wide = line.kind != LineKind::Hint && line.text.lines().any(|text| text.chars().count() > 72);
                html! {
                    <div key={line.id} class={classes!("term-line", "term-block", class, wide.then_some("term-wide"))}
                        tabindex={wide.then_some("0")} role={wide.then_some("region")}
                        aria-label={wide.then_some("Wide output: scroll sideways")}>{ line.text.clone() }</div>
                }
            }
        }
    };

    let rows = input.split('\n').count().max(1);
    let onsubmit = {
        let submit = submit.clone();
        let input = input.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if !input.trim().is_empty() {
                submit(format!("{}\n", *input));
            }
        })
    };
    html! {
        <div class="terminal">
            <div class="term-scrollback" ref={scrollback} role="log" aria-live="polite" aria-label="Terminal output"
                tabindex="0" {onmouseup}>
                { for props.lines.iter().map(render_line) }
            </div>
            <form class="term-input-row" {onsubmit}>
                <span class="term-prompts" aria-hidden="true">
                    { for (0..rows).map(|index| html! { <span class="term-prompt">{ if index == 0 { "$" } else { ">" } }</span> }) }
                </span>
                <textarea ref={input_ref} id="terminal-input" class="term-input" aria-label="Command"
                    rows={rows.to_string()} autocomplete="off" autocapitalize="off" spellcheck="false"
                    enterkeyhint="send" disabled={props.disabled}
                    placeholder={props.placeholder.clone()} value={(*input).clone()} {oninput} {onkeydown} {onpaste} />
            </form>
        </div>
    }
}

/// The terminal pane, connected to the playground state.
#[component]
pub fn TerminalPane() -> Html {
    let state = use_playground();
    // Stable callbacks keep the scrollback from re-rendering while the user types in the editor.
    let dispatcher = state.dispatcher();
    let on_command = {
        let dispatcher = dispatcher.clone();
        use_callback((), move |command: String, ()| {
            dispatcher.dispatch(PlaygroundAction::RunCommand(command.into()));
        })
    };
    let on_cancel = {
        let dispatcher = dispatcher.clone();
        use_callback((), move |text: String, ()| {
            dispatcher.dispatch(PlaygroundAction::CancelInput(text.into()));
        })
    };
    let on_candidates = {
        let dispatcher = dispatcher.clone();
        use_callback((), move |candidates: Vec<String>, ()| {
            dispatcher.dispatch(PlaygroundAction::ShowCandidates(candidates));
        })
    };
    let clear = {
        let dispatcher = dispatcher.clone();
        use_callback((), move |(), ()| dispatcher.dispatch(PlaygroundAction::ClearTerminal))
    };
    let view = use_memo(state.frame.clone(), |frame| Rc::new(frame.view.clone()));
    let actions = html! {
        <button type="button" class="button button-ghost" onclick={clear.reform(|_: MouseEvent| ())}
            title="Clear the scrollback (Ctrl+L, or type clear)">
            { "Clear" }
        </button>
    };
    let (disabled, placeholder) = if state.frame.viewing_past {
        (true, AttrValue::from("Viewing the past: continue from here or go back to now to type"))
    } else if state.busy() {
        (true, AttrValue::from("Working… (cancel from the banner to type now)"))
    } else {
        (false, AttrValue::from(SUGGESTED_COMMAND))
    };
    html! {
        <Pane id="terminal" title="Terminal" icon={Icon::Terminal} {actions} body_class="pane-body-flush">
            <Terminal lines={state.terminal.clone()} {on_command} {on_cancel} on_clear={clear}
                {on_candidates} view={Some((*view).clone())} {placeholder} {disabled} />
        </Pane>
    }
}
