//! The status bar: the engine's state and simulated time, facts about the manifest, progress of long work, and
//! keyboard hints.

use yew::prelude::*;

use crate::context::use_playground;
use crate::state::clock;

/// The status bar along the bottom of the window.
#[component]
pub fn StatusBar() -> Html {
    let state = use_playground();
    let documents = state.manifest_documents();
    let lines = state.manifest.lines().count();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let view = &state.frame.view;
    let (engine_class, engine_text) = if let Some(progress) = &state.progress {
        (
            "status-busy",
            if progress.total > 0 {
                format!("{} {}/{}", progress.label, progress.done, progress.total)
            } else {
                format!("{} · {} actions", progress.label, progress.steps)
            },
        )
    } else if state.frame.viewing_past {
        ("status-past", "Viewing the past".to_string())
    } else if state.playing {
        ("status-busy", "Playing".to_string())
    } else if state.step_mode && !view.settled {
        ("status-busy", "Paused · work queued".to_string())
    } else if view.settled {
        ("status-idle", "Settled".to_string())
    } else {
        ("status-busy", "Work queued".to_string())
    };
    html! {
        <footer class="statusbar">
            <span class={classes!("status-item", engine_class)} id="engine-status">
                <span class="status-dot" aria-hidden="true"></span>{ engine_text }
            </span>
            if let Some(progress) = &state.progress {
                <progress class="status-progress" id="progress" max={(progress.total > 0).then(|| progress.total.to_string())}
                    value={(progress.total > 0).then(|| progress.done.to_string())} aria-label={progress.label.clone()}></progress>
            }
            <span class="status-item" id="sim-time">{ format!("t = {}", clock(view.now_ms)) }</span>
            <span class="status-item">{ plural(view.objects.len(), "object", "objects") }</span>
            if !view.violations.is_empty() {
                <span class="status-item status-violation" title={view.violations.join("\n")}>
                    { plural(view.violations.len(), "invariant violation", "invariant violations") }
                </span>
            }
            <span class="status-item">{ "YAML · " }{ plural(documents, "document", "documents") }{ " · " }
                { plural(lines, "line", "lines") }</span>
            <span class="status-spacer"></span>
            <span class="status-item status-hint"><kbd>{ "Ctrl" }</kbd><kbd>{ "Enter" }</kbd>{ " apply" }</span>
            <span class="status-item status-hint"><kbd>{ "Tab" }</kbd>{ " complete" }</span>
            <span class="status-item status-hint"><kbd>{ "Esc" }</kbd><kbd>{ "Tab" }</kbd>{ " leave the editor" }</span>
        </footer>
    }
}
