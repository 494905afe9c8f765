//! The inspector: will show the selected object's fields, status, events and owners.

use yew::prelude::*;

use crate::components::pane::{EmptyState, Pane};
use crate::icons::Icon;

/// The inspector pane (empty until there is something to select).
#[component]
pub fn InspectorPane() -> Html {
    html! {
        <Pane id="inspector" title="Inspector" icon={Icon::Inspect}>
            <EmptyState icon={Icon::Inspect} title="Nothing selected">
                { "Select an object in the cluster view to see its spec, status and events." }
            </EmptyState>
        </Pane>
    }
}
