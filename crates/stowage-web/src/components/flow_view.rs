//! The flow view: the controllers' messages as a sequence diagram (lanes like the storage guide's, messages
//! animated in order), and the guide's PersistentVolume lifecycle with the selected volume's path highlighted.

use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::pane::Pane;
use crate::context::use_playground;
use crate::flow::{LIFECYCLE_TRANSITIONS, Lifecycle, Sequence, VolumeState, lane_id, lane_label};
use crate::icons::Icon;
use crate::state::{PlaygroundAction, TimelineEntry, clock};

/// The width of one lane, in view-box units.
const LANE_WIDTH: f64 = 118.0;
/// The height of one message row.
const ROW_HEIGHT: f64 = 24.0;
/// The height of the lane headings.
const HEAD_HEIGHT: f64 = 34.0;
/// The animation delay between messages, in milliseconds.
const STAGGER_MS: usize = 90;
/// Messages after this many share the last delay.
const STAGGER_MAX: usize = 30;

/// Props of [`SequenceDiagram`].
#[derive(Properties, PartialEq)]
pub struct SequenceDiagramProps {
    /// The diagram.
    pub sequence: Rc<Sequence>,
    /// Messages from this trace sequence number on just happened (the last step or played time): highlighted.
    #[prop_or_default]
    pub fresh_from: Option<u64>,
}

/// The sequence diagram as SVG.
#[component]
pub fn SequenceDiagram(props: &SequenceDiagramProps) -> Html {
    let sequence = &props.sequence;
    if sequence.messages.is_empty() {
        return html! {
            <p class="canvas-hint">{ "No controller activity in this range. Apply a manifest or run kubectl to see who talks to whom." }</p>
        };
    }
    let lanes = sequence.lanes.len();
    let width = lanes as f64 * LANE_WIDTH;
    let height = HEAD_HEIGHT + sequence.messages.len() as f64 * ROW_HEIGHT + 10.0;
    let center = |lane: usize| lane as f64 * LANE_WIDTH + LANE_WIDTH / 2.0;
    html! {
        <svg class="sequence-svg" viewBox={format!("0 0 {width:.0} {height:.0}")} width={format!("{width:.0}")}
            height={format!("{height:.0}")} role="group" aria-label="Sequence diagram of the controllers' messages">
            <defs>
                <marker id="seq-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
                    <path d="M0,1 L9,5 L0,9 z" />
                </marker>
            </defs>
            { for sequence.lanes.iter().enumerate().map(|(index, lane)| {
                let x = center(index);
                html! {
                    <g class={format!("lane lane-{}", lane_id(*lane))} key={lane_id(*lane)} data-lane={lane_id(*lane)}>
                        <line class="lifeline" x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="26" y2={format!("{height:.0}")} />
                        <rect class="lane-head" x={format!("{:.1}", x - LANE_WIDTH / 2.0 + 4.0)} y="4"
                            width={format!("{:.1}", LANE_WIDTH - 8.0)} height="22" rx="5" />
                        <text class="lane-label" x={format!("{x:.1}")} y="19" text-anchor="middle">{ lane_label(*lane) }</text>
                    </g>
                }
            }) }
            { for sequence.messages.iter().enumerate().map(|(index, message)| {
                let y = HEAD_HEIGHT + index as f64 * ROW_HEIGHT + 16.0;
                let (x1, x2) = (center(message.from), center(message.to));
                let current = props.fresh_from.is_some_and(|from| message.seq >= from);
                let delay = index.min(STAGGER_MAX) * STAGGER_MS;
                let class = classes!("msg", format!("msg-{}", message.style), current.then_some("msg-current"));
                let path = if message.from == message.to {
                    format!("M{x1:.1},{:.1} h26 v10 h-22", y - 6.0)
                } else {
                    format!("M{x1:.1},{y:.1} L{x2:.1},{y:.1}")
                };
                let label_x = if message.from == message.to { x1 + 30.0 } else { (x1 + x2) / 2.0 };
                let anchor = if message.from == message.to { "start" } else { "middle" };
                let from_lane = lane_id(sequence.lanes[message.from]);
                let to_lane = lane_id(sequence.lanes[message.to]);
                html! {
                    <g key={message.seq.to_string()} {class} style={format!("animation-delay: {delay}ms")}
                        data-from={from_lane} data-to={to_lane} data-seq={message.seq.to_string()}>
                        <title>{ format!("{} (t={})", message.detail, clock(message.at_ms)) }</title>
                        <path class="msg-line" d={path} marker-end="url(#seq-arrow)" />
                        <text class="msg-label" x={format!("{label_x:.1}")} y={format!("{:.1}", y - 4.0)} text-anchor={anchor}>
                            { message.text.clone() }
                        </text>
                    </g>
                }
            }) }
        </svg>
    }
}

/// Where each lifecycle state is drawn.
fn state_position(state: VolumeState) -> (f64, f64) {
    match state {
        VolumeState::Start => (16.0, 70.0),
        VolumeState::Available => (116.0, 70.0),
        VolumeState::Bound => (280.0, 70.0),
        VolumeState::Released => (444.0, 70.0),
        VolumeState::Deleted => (570.0, 26.0),
        VolumeState::Failed => (570.0, 120.0),
    }
}

fn transition_path(from: VolumeState, to: VolumeState) -> String {
    let (x1, y1) = state_position(from);
    let (x2, y2) = state_position(to);
    let half = 44.0;
    match (from, to) {
        (VolumeState::Bound, VolumeState::Bound) => {
            format!(
                "M{:.1},{:.1} C{:.1},14 {:.1},14 {:.1},{:.1}",
                x1 - 16.0,
                y1 - 14.0,
                x1 - 30.0,
                x1 + 30.0,
                x1 + 16.0,
                y1 - 14.0
            )
        }
        (VolumeState::Released, VolumeState::Available) => {
            format!("M{x1:.1},{:.1} C{x1:.1},150 {x2:.1},150 {x2:.1},{:.1}", y1 + 14.0, y2 + 14.0)
        }
        (VolumeState::Start, _) => format!("M{:.1},{y1:.1} L{:.1},{y2:.1}", x1 + 8.0, x2 - half),
        _ if y1 == y2 => format!("M{:.1},{y1:.1} L{:.1},{y2:.1}", x1 + half, x2 - half),
        _ => format!(
            "M{:.1},{y1:.1} C{:.1},{y1:.1} {:.1},{y2:.1} {:.1},{y2:.1}",
            x1 + half,
            x1 + 80.0,
            x2 - 80.0,
            x2 - half
        ),
    }
}

/// Props of [`LifecycleDiagram`].
#[derive(Properties, PartialEq)]
pub struct LifecycleDiagramProps {
    /// The selected volume's name and path, if a PersistentVolume is selected.
    #[prop_or_default]
    pub lifecycle: Option<Rc<(String, Lifecycle)>>,
}

/// The guide's PV lifecycle state diagram.
#[component]
pub fn LifecycleDiagram(props: &LifecycleDiagramProps) -> Html {
    let (name, lifecycle) = match &props.lifecycle {
        Some(pair) => (Some(pair.0.clone()), pair.1.clone()),
        None => (None, Lifecycle::default()),
    };
    let states =
        [VolumeState::Available, VolumeState::Bound, VolumeState::Released, VolumeState::Deleted, VolumeState::Failed];
    let visited = |state: VolumeState| lifecycle.taken.iter().any(|(_, to)| *to == state);
    html! {
        <div class="lifecycle">
            <p class="lifecycle-caption" id="lifecycle-caption">
                { match &name {
                    Some(name) => format!("PersistentVolume {name}: {}", lifecycle.current.map_or("not created yet", VolumeState::name)),
                    None => "The PV lifecycle from the guide. Select a PersistentVolume in the cluster view to trace its path.".to_string(),
                } }
            </p>
            <svg class="lifecycle-svg" viewBox="0 0 620 160" role="img"
                aria-label={format!("PersistentVolume lifecycle{}", name.as_ref().map(|n| format!(" of {n}")).unwrap_or_default())}>
                <defs>
                    <marker id="life-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
                        <path d="M0,1 L9,5 L0,9 z" />
                    </marker>
                    <marker id="life-arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
                        <path d="M0,1 L9,5 L0,9 z" />
                    </marker>
                </defs>
                { for LIFECYCLE_TRANSITIONS.iter().map(|(from, to, label)| {
                    let taken = lifecycle.taken.contains(&(*from, *to));
                    let (x1, y1) = state_position(*from);
                    let (x2, y2) = state_position(*to);
                    let (lx, ly) = match (from, to) {
                        (VolumeState::Bound, VolumeState::Bound) => (x1, 10.0),
                        (VolumeState::Released, VolumeState::Available) => ((x1 + x2) / 2.0, 152.0),
                        (VolumeState::Start, _) => ((x1 + x2 - 44.0) / 2.0 + 4.0, y1 - 8.0),
                        (VolumeState::Released, VolumeState::Deleted) => (x1 + 66.0, y2 + 4.0),
                        (VolumeState::Released, VolumeState::Failed) => (x1 + 66.0, y2 - 2.0),
                        _ => ((x1 + x2) / 2.0, (y1 + y2) / 2.0 - 8.0),
                    };
                    html! {
                        <g class={classes!("transition", taken.then_some("taken"))}
                            data-transition={format!("{}-{}", from.name(), to.name())}>
                            <path d={transition_path(*from, *to)}
                                marker-end={if taken { "url(#life-arrow-taken)" } else { "url(#life-arrow)" }} />
                            <text x={format!("{lx:.1}")} y={format!("{ly:.1}")} text-anchor="middle">{ *label }</text>
                        </g>
                    }
                }) }
                <circle class={classes!("state-start", (!lifecycle.taken.is_empty()).then_some("visited"))}
                    cx={state_position(VolumeState::Start).0.to_string()} cy="70" r="8" />
                { for states.iter().map(|state| {
                    let (x, y) = state_position(*state);
                    let current = lifecycle.current == Some(*state);
                    html! {
                        <g class={classes!("state", format!("state-{}", state.name().to_ascii_lowercase()),
                                current.then_some("current"), visited(*state).then_some("visited"))}
                            data-state={state.name()}>
                            <rect x={format!("{:.1}", x - 44.0)} y={format!("{:.1}", y - 14.0)} width="88" height="28" rx="14" />
                            <text x={format!("{x:.1}")} y={format!("{:.1}", y + 4.5)} text-anchor="middle">{ state.name() }</text>
                        </g>
                    }
                }) }
            </svg>
        </div>
    }
}

/// Which part of the flow pane is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlowTab {
    Sequence,
    Lifecycle,
}

/// The flow-range menu's options: (value, label).
fn range_options(timeline: &[TimelineEntry]) -> Vec<(String, String)> {
    let commands: Vec<usize> = (1..timeline.len()).filter(|&i| timeline[i].command).collect();
    let last = timeline.len() - 1;
    let mut options = vec![("".to_string(), "Last operation".to_string())];
    for (position, &index) in commands.iter().enumerate().rev().take(30) {
        let end = commands.get(position + 1).map_or(last, |next| next - 1);
        options.push((
            format!("{index}-{end}"),
            format!("#{index} {}", crate::layout::shorten(&timeline[index].label, 34)),
        ));
    }
    options.push((format!("0-{last}"), "The whole session".to_string()));
    options
}

/// The flow pane.
#[component]
pub fn FlowViewPane() -> Html {
    let state = use_playground();
    let tab = use_state(|| FlowTab::Sequence);
    let frame = state.frame.clone();
    let sequence = use_memo(frame.clone(), |frame| Rc::new(frame.sequence.clone()));
    // Selecting a volume shows its lifecycle.
    {
        let tab = tab.clone();
        use_effect_with(state.lifecycle.as_ref().map(|l| l.0.clone()), move |selected| {
            if selected.is_some() {
                tab.set(FlowTab::Lifecycle);
            }
        });
    }
    let on_range = {
        let dispatcher = state.dispatcher();
        Callback::from(move |event: Event| {
            let value = event.target_unchecked_into::<HtmlSelectElement>().value();
            let range = value.split_once('-').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
            dispatcher.dispatch(PlaygroundAction::SetFlowRange(range));
        })
    };
    let choose = |which: FlowTab| {
        let tab = tab.clone();
        Callback::from(move |_: MouseEvent| tab.set(which))
    };
    // While stepping, keep the newest messages in sight.
    let scroller = use_node_ref();
    {
        let scroller = scroller.clone();
        use_effect_with((sequence.messages.len(), frame.fresh_from), move |(_, fresh)| {
            if fresh.is_some()
                && let Some(element) = scroller.cast::<web_sys::Element>()
            {
                element.set_scroll_top(element.scroll_height());
            }
        });
    }
    let range_value = state.flow_choice.map(|(a, b)| format!("{a}-{b}")).unwrap_or_default();
    let (from, to) = frame.flow_range;
    let span = frame.timeline[to].at_ms.saturating_sub(frame.timeline[from.saturating_sub(1)].at_ms);
    let actions = html! {
        <>
            <div class="tabs" role="tablist" aria-label="Flow views">
                <button type="button" role="tab" id="flow-tab-sequence" class="tab" aria-selected={(*tab == FlowTab::Sequence).to_string()}
                    onclick={choose(FlowTab::Sequence)}>{ "Sequence" }</button>
                <button type="button" role="tab" id="flow-tab-lifecycle" class="tab" aria-selected={(*tab == FlowTab::Lifecycle).to_string()}
                    onclick={choose(FlowTab::Lifecycle)}>{ "PV lifecycle" }</button>
            </div>
            <select id="flow-range" class="select" aria-label="Which operation the sequence diagram shows" onchange={on_range}>
                { for range_options(&frame.timeline).into_iter().map(|(value, label)| html! {
                    <option selected={value == range_value} value={value.clone()}>{ label }</option>
                }) }
            </select>
        </>
    };
    let fresh = frame.fresh_from.map_or(0, |from| sequence.messages.iter().filter(|m| m.seq >= from).count());
    let summary = format!(
        "{} messages across {} lanes · {} simulated{}{}",
        sequence.messages.len(),
        sequence.lanes.len(),
        crate::state::duration(span),
        if sequence.omitted > 0 { format!(" · {} older left out", sequence.omitted) } else { String::new() },
        match (state.step_mode, frame.view.settled, frame.fresh_from.is_some()) {
            (true, false, _) => format!(" · step mode: work queued, {fresh} new (press Step or Play)"),
            (true, true, _) => format!(" · step mode: settled, {fresh} new"),
            (false, _, true) => format!(" · {fresh} new"),
            (false, _, false) => String::new(),
        }
    );
    html! {
        <Pane id="flow" title="Flow" icon={Icon::Flow} {actions} body_class="pane-body-flush">
            <div class="flow-body">
                if *tab == FlowTab::Sequence {
                    <p class="flow-summary" id="flow-summary">{ summary }</p>
                    <div class="sequence-scroll" ref={scroller}>
                        <SequenceDiagram sequence={(*sequence).clone()} fresh_from={frame.fresh_from} />
                    </div>
                } else {
                    <LifecycleDiagram lifecycle={state.lifecycle.clone()} />
                }
            </div>
        </Pane>
    }
}
