//! The workspace layout: editor and terminal on the left, cluster and flow views in the middle, the inspector on
//! the right and the event timeline along the bottom, separated by resize handles.
//!
//! Pane sizes are UI-only state: they live here (not in the playground state) and persist in local storage.
//! Below 760 px wide the CSS stacks the panes in one scrolling column and hides the handles.

use yew::prelude::*;

use crate::components::cluster_view::ClusterViewPane;
use crate::components::event_timeline::EventTimelinePane;
use crate::components::flow_view::FlowViewPane;
use crate::components::inspector::InspectorPane;
use crate::components::manifest_editor::ManifestPane;
use crate::components::splitter::{Axis, Splitter};
use crate::components::terminal::TerminalPane;

/// The local-storage key for the pane sizes.
const STORAGE_KEY: &str = "stowage.layout.v1";

/// The sizes of the resizable panes, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Width of the left column (editor and terminal).
    pub editor_width_px: i32,
    /// Height of the terminal.
    pub terminal_height_px: i32,
    /// Width of the inspector.
    pub inspector_width_px: i32,
    /// Height of the flow view.
    pub flow_height_px: i32,
    /// Height of the event timeline.
    pub timeline_height_px: i32,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            editor_width_px: 400,
            terminal_height_px: 210,
            inspector_width_px: 280,
            flow_height_px: 196,
            timeline_height_px: 168,
        }
    }
}

impl Layout {
    /// Encodes the sizes as `a,b,c,d,e`.
    pub fn encode(&self) -> String {
        format!(
            "{},{},{},{},{}",
            self.editor_width_px,
            self.terminal_height_px,
            self.inspector_width_px,
            self.flow_height_px,
            self.timeline_height_px
        )
    }

    /// Decodes [`Layout::encode`]'s output; anything else (old formats, garbage) gives `None`.
    pub fn decode(text: &str) -> Option<Self> {
        let mut values =
            text.split(',').map(|part| part.trim().parse::<i32>().ok().filter(|v| (0..=10_000).contains(v)));
        let layout = Self {
            editor_width_px: values.next()??,
            terminal_height_px: values.next()??,
            inspector_width_px: values.next()??,
            flow_height_px: values.next()??,
            timeline_height_px: values.next()??,
        };
        values.next().is_none().then_some(layout)
    }

    fn style(&self) -> String {
        format!(
            "--editor-width: {}px; --terminal-height: {}px; --inspector-width: {}px; --flow-height: {}px; \
             --timeline-height: {}px;",
            self.editor_width_px,
            self.terminal_height_px,
            self.inspector_width_px,
            self.flow_height_px,
            self.timeline_height_px
        )
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load_layout() -> Layout {
    local_storage()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| Layout::decode(&text))
        .unwrap_or_default()
}

/// The workspace: every pane and the handles between them.
#[component]
pub fn Workspace() -> Html {
    let layout = use_state_eq(load_layout);
    use_effect_with(*layout, |layout| {
        if let Some(storage) = local_storage() {
            // Storage can be full or disabled; the layout then simply is not remembered.
            let _ = storage.set_item(STORAGE_KEY, &layout.encode());
        }
    });
    let defaults = Layout::default();
    let resize = |update: fn(&mut Layout, i32)| {
        let layout = layout.clone();
        Callback::from(move |value: i32| {
            let mut next = *layout;
            update(&mut next, value);
            layout.set(next);
        })
    };

    html! {
        <main class="workspace" style={layout.style()}>
            <div class="column column-left">
                <ManifestPane />
                <Splitter label="Resize the terminal" axis={Axis::Rows} controls_next=true
                    value_px={layout.terminal_height_px} min_px={96} max_px={900}
                    default_px={defaults.terminal_height_px}
                    on_resize={resize(|layout, value| layout.terminal_height_px = value)} />
                <TerminalPane />
            </div>
            <Splitter label="Resize the editor column" axis={Axis::Columns}
                value_px={layout.editor_width_px} min_px={280} max_px={1400} default_px={defaults.editor_width_px}
                on_resize={resize(|layout, value| layout.editor_width_px = value)} />
            <div class="column column-main">
                <div class="row row-top">
                    <div class="column column-center">
                        <ClusterViewPane />
                        <Splitter label="Resize the flow view" axis={Axis::Rows} controls_next=true
                            value_px={layout.flow_height_px} min_px={80} max_px={900}
                            default_px={defaults.flow_height_px}
                            on_resize={resize(|layout, value| layout.flow_height_px = value)} />
                        <FlowViewPane />
                    </div>
                    <Splitter label="Resize the inspector" axis={Axis::Columns} controls_next=true
                        value_px={layout.inspector_width_px} min_px={200} max_px={900}
                        default_px={defaults.inspector_width_px}
                        on_resize={resize(|layout, value| layout.inspector_width_px = value)} />
                    <InspectorPane />
                </div>
                <Splitter label="Resize the event timeline" axis={Axis::Rows} controls_next=true
                    value_px={layout.timeline_height_px} min_px={72} max_px={900}
                    default_px={defaults.timeline_height_px}
                    on_resize={resize(|layout, value| layout.timeline_height_px = value)} />
                <EventTimelinePane />
            </div>
        </main>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn layout_should_round_trip_through_its_encoding() {
        let layout = Layout { editor_width_px: 500, ..Layout::default() };
        assert_eq!(Layout::decode(&layout.encode()), Some(layout));
    }

    #[test]
    fn layout_decode_should_reject_garbage() {
        for text in ["", "1,2,3,4", "1,2,3,4,5,6", "a,b,c,d,e", "1,2,3,4,-5", "1,2,3,4,99999"] {
            assert_eq!(Layout::decode(text), None, "{text:?}");
        }
    }
}
