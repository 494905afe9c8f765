//! The cluster view: will draw pods, claims, volumes, disks and snapshots from the engine's `ClusterView`.

use yew::prelude::*;

use crate::components::pane::{EmptyState, Pane};
use crate::icons::Icon;

/// The cluster view pane (empty until the engine is wired).
#[component]
pub fn ClusterViewPane() -> Html {
    html! {
        <Pane id="cluster" title="Cluster" icon={Icon::Cluster}>
            <EmptyState icon={Icon::Cluster} title="No objects yet">
                { "Apply the manifest or run " }<code>{ "kubectl apply" }</code>
                { " to see volumes, claims and pods appear here." }
            </EmptyState>
        </Pane>
    }
}
