//! The cluster view: an SVG diagram of zones, nodes, pods, claims, volumes, snapshots, classes, drivers and
//! backend disks, laid out by [`crate::layout`] from the shown moment's plain data.
//!
//! Boxes are keyed by object, so a phase change recolours the same element (CSS transitions), a moved box
//! slides, new boxes fade in and removed ones fade out (kept for a moment as "leaving" ghosts). Clicking a box,
//! or Enter on it, opens the object in the inspector.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::components::pane::Pane;
use crate::context::use_playground;
use crate::icons::Icon;
use crate::layout::{Diagram, Shape, ShapeKind};
use crate::scene::LinkKind;
use crate::state::{PlaygroundAction, clock};

/// How long removed boxes stay on screen while they fade out, in milliseconds.
const LEAVE_MS: u32 = 650;

fn status_pill(shape: &Shape) -> Html {
    if shape.status.is_empty() {
        return html! {};
    }
    let width = 10.0 + shape.status.chars().count() as f64 * 5.6;
    let x = shape.w - 6.0 - width;
    html! {
        <g class="pill" transform={format!("translate({x:.1},5)")}>
            <rect width={format!("{width:.1}")} height="14" rx="7" />
            <text x={format!("{:.1}", width / 2.0)} y="10.5" text-anchor="middle">{ shape.status.clone() }</text>
        </g>
    }
}

fn shape_body(shape: &Shape) -> Html {
    match shape.kind {
        ShapeKind::Zone => html! {
            <>
                <rect class="group-box" width={shape.w.to_string()} height={shape.h.to_string()} rx="10" />
                <text class="group-label" x="10" y="13">{ format!("zone {}", shape.title) }</text>
            </>
        },
        ShapeKind::Node => html! {
            <>
                <rect class="group-box" width={shape.w.to_string()} height={shape.h.to_string()} rx="8" />
                <text class="shape-tag" x="8" y="14">{ "node" }</text>
                <text class="shape-title" x="8" y="26">{ shape.title.clone() }</text>
                <text class="shape-detail" x={format!("{:.1}", shape.w - 8.0)} y="26" text-anchor="end">{ shape.detail.clone() }</text>
                { status_pill(shape) }
            </>
        },
        _ => html! {
            <>
                <rect class="shape-box" width={shape.w.to_string()} height={shape.h.to_string()} rx="7" />
                <rect class="shape-stripe" width="4" height={shape.h.to_string()} rx="2" />
                <text class="shape-tag" x="10" y="15">{ shape.kind.name() }</text>
                { status_pill(shape) }
                <text class="shape-title" x="10" y="30">{ shape.title.clone() }</text>
                <text class="shape-detail" x="10" y="42">{ shape.detail.clone() }</text>
                { for shape.lines.iter().enumerate().map(|(index, line)| html! {
                    <text class="shape-line" x="10" y={format!("{:.1}", 55.0 + index as f64 * 12.0)}>{ line.clone() }</text>
                }) }
            </>
        },
    }
}

/// The diagram with selection and ghosts.
#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    /// The laid-out diagram.
    pub diagram: Rc<Diagram>,
    /// The id of the selected shape.
    #[prop_or_default]
    pub selected: Option<String>,
    /// Called with the clicked shape.
    #[prop_or_default]
    pub on_select: Callback<Shape>,
}

/// The SVG diagram.
#[component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let previous = use_mut_ref(|| props.diagram.clone());
    let ghosts = use_state(Vec::<Shape>::new);
    {
        let (previous, ghosts) = (previous.clone(), ghosts.clone());
        use_effect_with(props.diagram.clone(), move |diagram| {
            let removed: Vec<Shape> = previous
                .borrow()
                .shapes
                .iter()
                .filter(|old| old.kind != ShapeKind::Zone && diagram.shape(&old.id).is_none())
                .cloned()
                .collect();
            *previous.borrow_mut() = diagram.clone();
            let timer = (!removed.is_empty()).then(|| {
                ghosts.set(removed);
                let ghosts = ghosts.clone();
                Timeout::new(LEAVE_MS, move || ghosts.set(Vec::new()))
            });
            move || drop(timer)
        });
    }
    let diagram = &props.diagram;
    let render_shape = |shape: &Shape, leaving: bool| -> Html {
        let selectable = shape.key.is_some() && !leaving;
        let selected = props.selected.as_deref() == Some(shape.id.as_str());
        let class = classes!(
            "shape",
            format!("shape-{}", shape.kind.name()),
            format!("phase-{}", shape.phase),
            selected.then_some("selected"),
            selectable.then_some("selectable"),
            leaving.then_some("leaving"),
        );
        let style = format!("transform: translate({:.1}px, {:.1}px)", shape.x, shape.y);
        let label = if shape.status.is_empty() {
            shape.full_title.clone()
        } else {
            format!("{} {}, {}", shape.kind.name(), shape.full_title, shape.status)
        };
        let (onclick, onkeydown) = if selectable {
            let (on_select, clicked) = (props.on_select.clone(), shape.clone());
            let pressed = clicked.clone();
            let on_key = props.on_select.clone();
            (
                Some(Callback::from(move |event: MouseEvent| {
                    event.stop_propagation();
                    on_select.emit(clicked.clone());
                })),
                Some(Callback::from(move |event: KeyboardEvent| {
                    if event.key() == "Enter" || event.key() == " " {
                        event.prevent_default();
                        on_key.emit(pressed.clone());
                    }
                })),
            )
        } else {
            (None, None)
        };
        let key = if leaving { format!("leaving:{}", shape.id) } else { shape.id.clone() };
        let (data_id, data_leaving) =
            if leaving { (None, Some(shape.id.clone())) } else { (Some(shape.id.clone()), None) };
        html! {
            <g {key} {class} {style} data-id={data_id} data-leaving={data_leaving} data-status={(!leaving).then(|| shape.status.clone())}
                tabindex={selectable.then_some("0")} role={selectable.then_some("button")}
                aria-label={label.clone()} aria-pressed={selectable.then(|| selected.to_string())} {onclick} {onkeydown}>
                <title>{ label }</title>
                <g class="shape-inner">{ shape_body(shape) }</g>
            </g>
        }
    };
    let markers = [
        LinkKind::VolumeName,
        LinkKind::ClaimRef,
        LinkKind::Mounts,
        LinkKind::Class,
        LinkKind::DataSource,
        LinkKind::SnapshotOf,
        LinkKind::BoundContent,
        LinkKind::Backing,
        LinkKind::Provisioner,
    ];
    html! {
        <svg class="cluster-svg" viewBox={format!("0 0 {:.0} {:.0}", diagram.width, diagram.height)}
            width="100%" preserveAspectRatio="xMinYMin meet" role="group"
            aria-label="Cluster diagram: zones, nodes, pods, claims, volumes, classes and backend storage">
            <defs>
                { for markers.iter().map(|rel| html! {
                    <marker id={format!("arrow-{}", rel.name())} class={format!("marker marker-{}", rel.name())}
                        viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0,1 L9,5 L0,9 z" />
                    </marker>
                }) }
            </defs>
            { for diagram.headings.iter().map(|heading| html! {
                <text class="column-heading" x={format!("{:.1}", heading.x)} y={format!("{:.1}", heading.y)}>{ heading.text }</text>
            }) }
            { for diagram.shapes.iter().filter(|s| matches!(s.kind, ShapeKind::Zone | ShapeKind::Node)).map(|s| render_shape(s, false)) }
            <g class="edges">
                { for diagram.edges.iter().map(|edge| {
                    let both = edge.rel == LinkKind::VolumeName;
                    html! {
                        <path key={edge.id.clone()} class={format!("edge edge-{}", edge.rel.name())} d={edge.path.clone()}
                            data-from={edge.from.clone()} data-to={edge.to.clone()}
                            marker-end={format!("url(#arrow-{})", edge.rel.name())}
                            marker-start={both.then(|| format!("url(#arrow-{})", edge.rel.name()))}>
                            <title>{ format!("{} → {} ({})", edge.from, edge.to, edge.rel.name()) }</title>
                        </path>
                    }
                }) }
            </g>
            { for diagram.shapes.iter().filter(|s| !matches!(s.kind, ShapeKind::Zone | ShapeKind::Node)).map(|s| render_shape(s, false)) }
            { for ghosts.iter().map(|s| render_shape(s, true)) }
        </svg>
    }
}

/// The cluster view pane.
#[component]
pub fn ClusterViewPane() -> Html {
    let state = use_playground();
    let frame = state.frame.clone();
    let diagram = use_memo(frame.clone(), |frame| Rc::new(frame.diagram.clone()));
    let on_select = {
        let dispatcher = state.dispatcher();
        use_callback((), move |shape: Shape, ()| {
            dispatcher.dispatch(PlaygroundAction::Select(shape.key.clone()));
        })
    };
    let selected = state.selected.as_ref().map(crate::layout::object_id);
    let storage_objects = frame.scene.claims.len() + frame.scene.volumes.len() + frame.scene.snapshots.len();
    let actions = html! {
        <span class={classes!("chip", "chip-time", frame.viewing_past.then_some("chip-past"))} id="cluster-time"
            title="Simulated time of the moment shown">
            <span class="chip-label">{ if frame.viewing_past { "past" } else { "now" } }</span>
            <span class="chip-value">{ clock(frame.view.now_ms) }</span>
        </span>
    };
    html! {
        <Pane id="cluster" title="Cluster" icon={Icon::Cluster} {actions} body_class="pane-body-flush">
            <div class={classes!("cluster-canvas", frame.viewing_past.then_some("viewing-past"))}>
                if storage_objects == 0 {
                    <p class="canvas-hint">{ "No claims or volumes yet: press Apply (Ctrl+Enter) to create the manifest's objects." }</p>
                }
                <ClusterDiagram diagram={(*diagram).clone()} {selected} {on_select} />
                <ul class="legend" aria-label="Legend">
                    <li><span class="legend-line edge-bound"></span>{ "bound (volumeName ⇄ claimRef)" }</li>
                    <li><span class="legend-line edge-mounts"></span>{ "mounts" }</li>
                    <li><span class="legend-line edge-class"></span>{ "provisioning (class)" }</li>
                    <li><span class="legend-line edge-datasource"></span>{ "dataSource" }</li>
                    <li><span class="legend-swatch phase-pending"></span>{ "Pending" }</li>
                    <li><span class="legend-swatch phase-bound"></span>{ "Bound" }</li>
                    <li><span class="legend-swatch phase-available"></span>{ "Available" }</li>
                    <li><span class="legend-swatch phase-released"></span>{ "Released" }</li>
                    <li><span class="legend-swatch phase-failed"></span>{ "Failed" }</li>
                    <li><span class="legend-swatch phase-terminating"></span>{ "Terminating" }</li>
                </ul>
            </div>
        </Pane>
    }
}
