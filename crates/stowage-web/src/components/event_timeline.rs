//! The timeline: play and pause, one controller step, the speed, step mode, a scrubber over every checkpoint
//! (each command, step and stretch of played time) with "continue from here", and the cluster's events.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::components::pane::Pane;
use crate::context::use_playground;
use crate::icons::{Icon, icon};
use crate::state::{PlaygroundAction, SPEEDS, clock};

fn speed_label(speed: f64) -> String {
    if speed < 1.0 { format!("{speed}×") } else { format!("{speed:.0}×") }
}

/// The timeline pane.
#[component]
pub fn EventTimelinePane() -> Html {
    let state = use_playground();
    let frame = state.frame.clone();
    let dispatcher = state.dispatcher();
    let send = |action: PlaygroundAction| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(action.clone()))
    };
    let on_speed = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            dispatcher.dispatch(PlaygroundAction::SetSpeed(value.parse().unwrap_or(2)));
        })
    };
    let on_scrub = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |event: InputEvent| {
            let value = event.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(index) = value.parse() {
                dispatcher.dispatch(PlaygroundAction::Scrub(index));
            }
        })
    };
    let on_step_mode = {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: Event| dispatcher.dispatch(PlaygroundAction::ToggleStepMode))
    };
    let last = frame.timeline.len() - 1;
    let shown = &frame.timeline[frame.shown];
    let (play_label, play_icon) = if state.playing { ("Pause", Icon::Pause) } else { ("Play", Icon::Play) };
    let busy = state.busy();
    let step_title = "Run one controller action (one reconcile), jumping simulated time to when it is due";
    let (mode_class, mode_text, mode_title) = match (state.step_mode, frame.view.settled) {
        (false, _) => (
            "mode-settle",
            "auto-settle",
            "Each command settles the cluster: every controller finishes before the prompt returns",
        ),
        (true, false) => (
            "mode-paused",
            "paused · work queued",
            "Step mode: the controllers' work waits for Step (one action) or Play (simulated time)",
        ),
        (true, true) => ("mode-paused", "paused · settled", "Step mode: nothing is queued"),
    };
    let actions = html! {
        <span class="chip chip-time" id="timeline-position" title="The checkpoint shown, of all checkpoints">
            <span class="chip-label">{ format!("#{}/{}", frame.shown, last) }</span>
            <span class="chip-value">{ clock(shown.at_ms) }</span>
        </span>
    };
    html! {
        <Pane id="timeline" title="Time" icon={Icon::Timeline} {actions} body_class="pane-body-flush">
            <div class="timeline">
                <div class="time-controls" role="toolbar" aria-label="Simulated time">
                    <button type="button" class={classes!("button", state.playing.then_some("button-active"))} id="play-button"
                        aria-pressed={state.playing.to_string()} title={format!("{play_label} simulated time")}
                        disabled={frame.viewing_past || busy} onclick={send(PlaygroundAction::TogglePlay)}>
                        { icon(play_icon) }<span>{ play_label }</span>
                    </button>
                    <button type="button" class="button" id="step-button" title={step_title}
                        disabled={frame.viewing_past || busy} onclick={send(PlaygroundAction::Step)}>
                        { icon(Icon::Step) }<span>{ "Step" }</span>
                    </button>
                    <label class="control">
                        <span class="control-label">{ "Speed" }</span>
                        <select id="speed-select" class="select" aria-label="Speed" onchange={on_speed}>
                            { for SPEEDS.iter().enumerate().map(|(index, speed)| html! {
                                <option value={index.to_string()} selected={index == state.speed}>{ speed_label(*speed) }</option>
                            }) }
                        </select>
                    </label>
                    <label class="control control-check" title="Step mode: commands make their API writes and leave the controllers' work queued for Step and Play">
                        <input type="checkbox" id="step-mode" checked={state.step_mode} onchange={on_step_mode} />
                        <span>{ "Step mode" }</span>
                    </label>
                    <span class={classes!("chip", "chip-mode", mode_class)} id="time-mode" title={mode_title} role="status">
                        { mode_text }
                    </span>
                    <input type="range" id="timeline-scrub" class="scrubber" min="0" max={last.to_string()}
                        value={frame.shown.to_string()} aria-label="Scrub to an earlier moment"
                        aria-valuetext={format!("#{} {} at {}", frame.shown, shown.label, clock(shown.at_ms))}
                        oninput={on_scrub} disabled={last == 0 || busy} />
                </div>
                if frame.viewing_past {
                    <div class="past-banner" id="past-banner" role="status">
                        <span>{ format!("Viewing #{} · {} · t={} (read-only)", frame.shown, shown.label, clock(shown.at_ms)) }</span>
                        <button type="button" class="button button-primary" id="continue-button"
                            onclick={send(PlaygroundAction::ContinueFromHere)}
                            title="Make this moment the present and discard what came after">{ "Continue from here" }</button>
                        <button type="button" class="button" id="now-button" onclick={send(PlaygroundAction::BackToNow)}>{ "Back to now" }</button>
                    </div>
                }
                <ol class="checkpoints" aria-label="Checkpoints">
                    { for frame.timeline.iter().enumerate().rev().take(40).map(|(index, entry)| {
                        let current = index == frame.shown;
                        html! {
                            <li key={index}>
                                <button type="button" id={format!("checkpoint-{index}")}
                                    class={classes!("checkpoint", entry.command.then_some("checkpoint-command"), current.then_some("current"))}
                                    aria-current={current.then_some("true")}
                                    title={format!("{} → {} (t={})", entry.label, entry.summary, clock(entry.at_ms))}
                                    onclick={send(PlaygroundAction::Scrub(index))}>
                                    <span class="checkpoint-index">{ format!("#{index}") }</span>
                                    <span class="checkpoint-label">{ crate::layout::shorten(&entry.label, 28) }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
                <div class="events" id="events">
                    if frame.events.is_empty() {
                        <p class="canvas-hint">{ "No Kubernetes events yet." }</p>
                    } else {
                        <table class="events-table">
                            <thead><tr><th>{ "time" }</th><th>{ "type" }</th><th>{ "reason" }</th><th>{ "object" }</th><th>{ "message" }</th></tr></thead>
                            <tbody>
                                { for frame.events.iter().rev().map(|event| html! {
                                    <tr key={event.seq.to_string()} class={classes!((event.kind == "Warning").then_some("event-warning"))}>
                                        <td class="event-time">{ clock(event.at_ms) }</td>
                                        <td>{ event.kind.clone() }</td>
                                        <td class="event-reason">{ event.reason.clone() }</td>
                                        <td class="event-object">{ event.object.clone() }</td>
                                        <td class="event-message">{ event.message.clone() }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    }
                </div>
            </div>
        </Pane>
    }
}
