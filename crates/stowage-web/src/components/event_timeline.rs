//! The event timeline: will list the cluster's events on simulated time, with play, pause, step and scrubbing.

use yew::prelude::*;

use crate::components::pane::{EmptyState, Pane};
use crate::icons::Icon;

/// The event timeline pane (empty until the engine is wired).
#[component]
pub fn EventTimelinePane() -> Html {
    html! {
        <Pane id="timeline" title="Events" icon={Icon::Timeline}>
            <EmptyState icon={Icon::Timeline} title="No events yet">
                { "Kubernetes events and simulated time appear here as the cluster changes." }
            </EmptyState>
        </Pane>
    }
}
