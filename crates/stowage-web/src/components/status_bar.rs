//! The status bar: facts about the manifest on the left, keyboard hints on the right.

use yew::prelude::*;

use crate::context::use_playground;

/// The status bar along the bottom of the window.
#[component]
pub fn StatusBar() -> Html {
    let state = use_playground();
    let documents = state.manifest_documents();
    let lines = state.manifest.lines().count();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    html! {
        <footer class="statusbar">
            <span class="status-item"><span class="status-dot" aria-hidden="true"></span>{ "Engine idle" }</span>
            <span class="status-item">{ "YAML · " }{ plural(documents, "document", "documents") }{ " · " }
                { plural(lines, "line", "lines") }</span>
            <span class="status-spacer"></span>
            <span class="status-item status-hint"><kbd>{ "Ctrl" }</kbd><kbd>{ "Enter" }</kbd>{ " apply" }</span>
            <span class="status-item status-hint"><kbd>{ "Esc" }</kbd><kbd>{ "Tab" }</kbd>{ " leave the editor" }</span>
        </footer>
    }
}
