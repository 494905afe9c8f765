//! The inspector: the selected object's YAML, `kubectl describe`, its events, and the files in its volume.

use yew::prelude::*;

use crate::components::pane::{EmptyState, Pane};
use crate::context::use_playground;
use crate::icons::Icon;
use crate::layout::format_bytes;
use crate::state::{NodeAction, PlaygroundAction};

/// The inspector's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InspectorTab {
    /// `kubectl get -o yaml`.
    Yaml,
    /// `kubectl describe`.
    Describe,
    /// `kubectl events --for`.
    Events,
    /// The files in the volume.
    Files,
}

impl InspectorTab {
    const ALL: [InspectorTab; 4] =
        [InspectorTab::Yaml, InspectorTab::Describe, InspectorTab::Events, InspectorTab::Files];

    fn label(self) -> &'static str {
        match self {
            InspectorTab::Yaml => "YAML",
            InspectorTab::Describe => "Describe",
            InspectorTab::Events => "Events",
            InspectorTab::Files => "Files",
        }
    }

    fn id(self) -> &'static str {
        match self {
            InspectorTab::Yaml => "yaml",
            InspectorTab::Describe => "describe",
            InspectorTab::Events => "events",
            InspectorTab::Files => "files",
        }
    }
}

/// The inspector pane.
#[component]
pub fn InspectorPane() -> Html {
    let state = use_playground();
    let tab = use_state(|| InspectorTab::Describe);
    let Some(key) = state.selected.clone() else {
        return html! {
            <Pane id="inspector" title="Inspector" icon={Icon::Inspect}>
                <EmptyState icon={Icon::Inspect} title="Nothing selected">
                    { "Select an object in the cluster view to see its YAML, description, events and files." }
                </EmptyState>
            </Pane>
        };
    };
    let inspection = state.inspection.clone();
    let close = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(PlaygroundAction::Select(None)))
    };
    let actions = html! {
        <button type="button" class="button button-ghost" id="inspector-close" onclick={close}
            title="Close the inspector">{ "Close" }</button>
    };
    let body = match *tab {
        _ if inspection.key.is_none() => html! {
            <p class="canvas-hint">{ inspection.files_note.clone() }</p>
        },
        InspectorTab::Yaml => {
            html! { <pre class="inspector-text" id="inspector-yaml">{ inspection.yaml.clone() }</pre> }
        }
        InspectorTab::Describe => {
            html! { <pre class="inspector-text" id="inspector-describe">{ inspection.describe.clone() }</pre> }
        }
        InspectorTab::Events => {
            html! { <pre class="inspector-text" id="inspector-events">{ inspection.events.clone() }</pre> }
        }
        InspectorTab::Files => match &inspection.files {
            Some(files) if !files.is_empty() => html! {
                <div id="inspector-files">
                    <p class="inspector-note">{ inspection.files_note.clone() }</p>
                    <ul class="file-list">
                        { for files.iter().map(|file| html! {
                            <li class={classes!("file", file.directory.then_some("file-dir"))}>
                                <span class="file-path">{ if file.directory { format!("{}/", file.path) } else { file.path.clone() } }</span>
                                if !file.directory { <span class="file-size">{ format_bytes(file.size_bytes) }</span> }
                                if !file.preview.is_empty() { <pre class="file-preview">{ file.preview.clone() }</pre> }
                            </li>
                        }) }
                    </ul>
                </div>
            },
            _ => html! { <p class="inspector-note" id="inspector-files">{ inspection.files_note.clone() }</p> },
        },
    };
    let title = format!("{}", key.kind);
    let node_actions = (key.kind == stowage_core::Kind::Node).then(|| {
        let machine = crate::state::machine_state(&state.frame.view, &key.name).to_string();
        let past = state.frame.viewing_past || state.busy();
        html! {
            <div class="node-actions" role="group" aria-label="Node machine">
                <span class={classes!("chip", "chip-machine", format!("machine-{}", machine.to_ascii_lowercase()))}
                    id="node-machine-state">{ format!("machine: {machine}") }</span>
                { for NodeAction::ALL.iter().map(|action| {
                    let (dispatcher, command) = (state.dispatcher(), action.command(&key.name));
                    let title = format!("Runs `{command}` in the terminal");
                    html! {
                        <button type="button" class="button" id={format!("node-{}", action.verb())} {title}
                            disabled={past || !action.applies_to(&machine)}
                            onclick={Callback::from(move |_: MouseEvent| {
                                dispatcher.dispatch(PlaygroundAction::RunCommand(command.clone().into()))
                            })}>
                            { action.label() }
                        </button>
                    }
                }) }
            </div>
        }
    });
    html! {
        <Pane id="inspector" title="Inspector" icon={Icon::Inspect} {actions} body_class="pane-body-flush">
            <div class="inspector">
                <div class="inspector-head">
                    <span class="inspector-kind">{ title }</span>
                    <span class="inspector-name" id="inspector-name">{
                        if key.namespace.is_empty() { key.name.clone() } else { format!("{}/{}", key.namespace, key.name) }
                    }</span>
                </div>
                { node_actions.unwrap_or_default() }
                <div class="tabs" role="tablist" aria-label="Inspector views">
                    { for InspectorTab::ALL.iter().map(|which| {
                        let tab_handle = tab.clone();
                        let which = *which;
                        html! {
                            <button type="button" role="tab" class="tab" id={format!("inspector-tab-{}", which.id())}
                                aria-selected={(*tab == which).to_string()}
                                onclick={Callback::from(move |_: MouseEvent| tab_handle.set(which))}>
                                { which.label() }
                            </button>
                        }
                    }) }
                </div>
                <div class="inspector-body" role="tabpanel">{ body }</div>
            </div>
        </Pane>
    }
}
