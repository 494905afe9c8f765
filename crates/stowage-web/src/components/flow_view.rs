//! The flow view: will show the controllers' messages as a sequence diagram, read from the engine's trace.

use yew::prelude::*;

use crate::components::pane::{EmptyState, Pane};
use crate::icons::Icon;

/// The flow view pane (empty until the engine is wired).
#[component]
pub fn FlowViewPane() -> Html {
    html! {
        <Pane id="flow" title="Flow" icon={Icon::Flow}>
            <EmptyState icon={Icon::Flow} title="No controller activity">
                { "When controllers bind, provision or attach volumes, each step shows up here in order." }
            </EmptyState>
        </Pane>
    }
}
