//! A pane: a titled, labelled region of the workspace with optional header actions, and its empty state.

use yew::prelude::*;

use crate::icons::{Icon, icon};

/// Props of [`Pane`].
#[derive(Properties, PartialEq)]
pub struct PaneProps {
    /// A short stable name; the section's id is `pane-<id>`.
    pub id: AttrValue,
    /// The heading.
    pub title: AttrValue,
    /// The icon before the heading.
    pub icon: Icon,
    /// Buttons and labels on the right of the header.
    #[prop_or_default]
    pub actions: Html,
    /// Extra classes for the body.
    #[prop_or_default]
    pub body_class: Classes,
    /// The pane's content.
    #[prop_or_default]
    pub children: Html,
}

/// A titled region of the workspace.
#[component]
pub fn Pane(props: &PaneProps) -> Html {
    let section_id = format!("pane-{}", props.id);
    let title_id = format!("{section_id}-title");
    html! {
        <section class="pane" id={section_id} aria-labelledby={title_id.clone()}>
            <header class="pane-header">
                <h2 class="pane-title" id={title_id}>{ icon(props.icon) }<span>{ props.title.clone() }</span></h2>
                <div class="pane-actions">{ props.actions.clone() }</div>
            </header>
            <div class={classes!("pane-body", props.body_class.clone())}>{ props.children.clone() }</div>
        </section>
    }
}

/// Props of [`EmptyState`].
#[derive(Properties, PartialEq)]
pub struct EmptyStateProps {
    /// The large icon.
    pub icon: Icon,
    /// One short line saying what will be here.
    pub title: AttrValue,
    /// One or two sentences on how to fill it.
    pub children: Html,
}

/// What a pane shows while it has nothing to show.
#[component]
pub fn EmptyState(props: &EmptyStateProps) -> Html {
    html! {
        <div class="empty-state">
            <div class="empty-icon">{ icon(props.icon) }</div>
            <p class="empty-title">{ props.title.clone() }</p>
            <p class="empty-body">{ props.children.clone() }</p>
        </div>
    }
}
