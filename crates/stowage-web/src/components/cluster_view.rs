//! The cluster view: an SVG diagram of zones, nodes, pods, claims, volumes, snapshots, classes, drivers and
//! backend disks, laid out by [`crate::layout`] from the shown moment's plain data.
//!
//! Boxes are keyed by object, so a phase change recolours the same element (CSS transitions), a moved box
//! slides, new boxes fade in and removed ones fade out (kept for a moment as "leaving" ghosts). Clicking a box,
//! or Enter on it, opens the object in the inspector.

use std::rc::Rc;

use gloo::timers::callback::Timeout;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::pane::Pane;
use crate::context::use_playground;
use crate::icons::Icon;
use crate::layout::{Diagram, Shape, ShapeKind};
use crate::scene::LinkKind;
use crate::state::{NodeAction, PlaygroundAction, clock};
use stowage_core::ObjectKey;

/// How long removed boxes stay on screen while they fade out, in milliseconds.
const LEAVE_MS: u32 = 650;

fn status_pill(shape: &Shape) -> Html {
    if shape.status.is_empty() {
        return html! {};
    }
    let width = 12.0 + shape.status.chars().count() as f64 * 6.3;
    let x = shape.w - 6.0 - width;
    html! {
        <g class="pill" transform={format!("translate({x:.1},5)")}>
            <rect width={format!("{width:.1}")} height="16" rx="8" />
            <text x={format!("{:.1}", width / 2.0)} y="12" text-anchor="middle">{ shape.status.clone() }</text>
        </g>
    }
}

fn shape_body(shape: &Shape) -> Html {
    match shape.kind {
        ShapeKind::Zone => html! {
            <>
                <rect class="group-box" width={shape.w.to_string()} height={shape.h.to_string()} rx="10" />
                <text class="group-label" x="10" y="14">{ format!("zone {}", shape.title) }</text>
            </>
        },
        ShapeKind::Node => html! {
            <>
                <rect class="group-box" width={shape.w.to_string()} height={shape.h.to_string()} rx="8" />
                <text class="shape-tag" x="8" y="15">{ "node" }</text>
                <text class="shape-title" x="8" y="30">{ shape.title.clone() }</text>
                <text class="shape-detail" x={format!("{:.1}", shape.w - 8.0)} y="30" text-anchor="end">{ shape.detail.clone() }</text>
                { status_pill(shape) }
            </>
        },
        _ => html! {
            <>
                <rect class="shape-box" width={shape.w.to_string()} height={shape.h.to_string()} rx="7" />
                <rect class="shape-stripe" width="4" height={shape.h.to_string()} rx="2" />
                <text class="shape-tag" x="10" y="16">{ shape.kind.name() }</text>
                { status_pill(shape) }
                <text class="shape-title" x="10" y="33">{ shape.title.clone() }</text>
                <text class="shape-detail" x="10" y="47">{ shape.detail.clone() }</text>
                { for shape.lines.iter().enumerate().map(|(index, line)| html! {
                    <text class="shape-line" x="10" y={format!("{:.1}", 60.0 + index as f64 * crate::layout::LINE_HEIGHT)}>{ line.clone() }</text>
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
    /// Screen pixels per view-box unit.
    #[prop_or(1.0)]
    pub zoom: f64,
    /// Called with a node's shape and the pointer's client position when its context menu is asked for
    /// (right click, the context-menu key, Shift+F10).
    #[prop_or_default]
    pub on_node_menu: Callback<(Shape, i32, i32)>,
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
            let on_menu = props.on_node_menu.clone();
            (
                Some(Callback::from(move |event: MouseEvent| {
                    event.stop_propagation();
                    on_select.emit(clicked.clone());
                })),
                Some(Callback::from(move |event: KeyboardEvent| {
                    if event.key() == "Enter" || event.key() == " " {
                        event.prevent_default();
                        on_key.emit(pressed.clone());
                    } else if pressed.kind == ShapeKind::Node
                        && (event.key() == "ContextMenu" || (event.shift_key() && event.key() == "F10"))
                    {
                        // The keyboard's context menu: open it at the node's corner.
                        event.prevent_default();
                        event.stop_propagation();
                        if let Some(target) = event.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        {
                            let rect = target.get_bounding_client_rect();
                            on_menu.emit((pressed.clone(), (rect.left() + 16.0) as i32, (rect.top() + 34.0) as i32));
                        }
                    }
                })),
            )
        } else {
            (None, None)
        };
        let oncontextmenu = (selectable && shape.kind == ShapeKind::Node).then(|| {
            let (on_menu, shape) = (props.on_node_menu.clone(), shape.clone());
            Callback::from(move |event: MouseEvent| {
                event.prevent_default();
                event.stop_propagation();
                on_menu.emit((shape.clone(), event.client_x(), event.client_y()));
            })
        });
        let key = if leaving { format!("leaving:{}", shape.id) } else { shape.id.clone() };
        let (data_id, data_leaving) =
            if leaving { (None, Some(shape.id.clone())) } else { (Some(shape.id.clone()), None) };
        html! {
            <g {key} {class} {style} data-id={data_id} data-leaving={data_leaving} data-status={(!leaving).then(|| shape.status.clone())}
                tabindex={selectable.then_some("0")} role={selectable.then_some("button")}
                aria-label={label.clone()} aria-pressed={selectable.then(|| selected.to_string())} {onclick} {onkeydown}
                {oncontextmenu}>
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
            width={format!("{:.0}", diagram.width * props.zoom)} height={format!("{:.0}", diagram.height * props.zoom)}
            preserveAspectRatio="xMinYMin meet" role="group"
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

/// The smallest and largest zoom.
pub const ZOOM_MIN: f64 = 0.3;
/// The largest zoom.
pub const ZOOM_MAX: f64 = 3.0;
/// One zoom step of the buttons, the keys and the wheel.
pub const ZOOM_STEP: f64 = 1.25;
/// The automatic zoom (fit the diagram's width) never goes below this, so text stays readable; the canvas scrolls.
pub const ZOOM_AUTO_MIN: f64 = 0.85;
/// Nor above this.
pub const ZOOM_AUTO_MAX: f64 = 1.25;

/// The zoom that fits `content` (view-box units) into `available` (pixels), both dimensions when `both`.
pub fn fit_zoom(content: (f64, f64), available: (f64, f64), both: bool) -> f64 {
    let width = available.0 / content.0.max(1.0);
    let zoom = if both { width.min(available.1 / content.1.max(1.0)) } else { width };
    if zoom.is_finite() { zoom.clamp(ZOOM_MIN, ZOOM_MAX) } else { 1.0 }
}

/// The automatic zoom: fit the width, kept within [`ZOOM_AUTO_MIN`]..[`ZOOM_AUTO_MAX`].
pub fn auto_zoom(content: (f64, f64), available: (f64, f64)) -> f64 {
    fit_zoom(content, available, false).clamp(ZOOM_AUTO_MIN, ZOOM_AUTO_MAX)
}

/// The next zoom after `steps` steps in (positive) or out (negative), rounded to whole percents.
pub fn zoom_by(zoom: f64, steps: f64) -> f64 {
    let next = (zoom * ZOOM_STEP.powf(steps)).clamp(ZOOM_MIN, ZOOM_MAX);
    (next * 100.0).round() / 100.0
}

/// The scroll offset that keeps the point under `pointer` (pixels from the canvas's corner) in place when the zoom
/// changes by `ratio`.
pub fn anchored_scroll(scroll: f64, pointer: f64, ratio: f64) -> f64 {
    ((scroll + pointer) * ratio - pointer).max(0.0)
}

/// The cluster view pane: the diagram in a canvas that zooms (buttons, Ctrl/⌘ + wheel, `+` `-` `0` keys) and pans
/// (drag the background, the scroll bars, or the arrow keys).
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
    let canvas = use_node_ref();
    // The user's zoom; `None` follows the canvas's width (auto).
    let chosen = use_state_eq(|| None::<f64>);
    let available = use_state_eq(|| (600.0_f64, 400.0_f64));
    // After a zoom, where to scroll (so the point under the pointer stays put).
    let pending_scroll = use_mut_ref(|| None::<(f64, f64)>);
    let content = (diagram.width, diagram.height);
    let zoom = chosen.unwrap_or_else(|| auto_zoom(content, *available));
    // Measure the canvas now and whenever it is resized (window, splitters).
    {
        let (canvas, available) = (canvas.clone(), available.clone());
        use_effect_with((), move |()| {
            let measure = {
                let canvas = canvas.clone();
                move || {
                    // The border box, less room for scroll bars: it does not change when scroll bars come and go,
                    // so the automatic zoom cannot flip back and forth.
                    if let Some(element) = canvas.cast::<web_sys::Element>() {
                        let rect = element.get_bounding_client_rect();
                        available
                            .set(((rect.width() - 28.0).max(1.0).round(), (rect.height() - 28.0).max(1.0).round()));
                    }
                }
            };
            measure();
            let observer = canvas.cast::<web_sys::Element>().and_then(|element| {
                let callback = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure);
                let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&element);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    // Apply a pending scroll after the zoomed diagram rendered.
    {
        let (canvas, pending_scroll) = (canvas.clone(), pending_scroll.clone());
        use_effect_with(zoom.to_bits(), move |_| {
            if let (Some((left, top)), Some(element)) =
                (pending_scroll.borrow_mut().take(), canvas.cast::<web_sys::Element>())
            {
                element.set_scroll_left(left.round() as i32);
                element.set_scroll_top(top.round() as i32);
            }
        });
    }
    let set_zoom = {
        let (chosen, canvas, pending_scroll) = (chosen.clone(), canvas.clone(), pending_scroll.clone());
        Rc::new(move |next: f64, anchor: Option<(f64, f64)>| {
            let next = next.clamp(ZOOM_MIN, ZOOM_MAX);
            if let Some(element) = canvas.cast::<web_sys::Element>() {
                let (x, y) = anchor
                    .unwrap_or((f64::from(element.client_width()) / 2.0, f64::from(element.client_height()) / 2.0));
                let ratio = next / zoom;
                *pending_scroll.borrow_mut() = Some((
                    anchored_scroll(f64::from(element.scroll_left()), x, ratio),
                    anchored_scroll(f64::from(element.scroll_top()), y, ratio),
                ));
            }
            chosen.set(Some(next));
        })
    };
    // Ctrl/⌘ + wheel zooms around the pointer. The listener is not passive, so the page itself does not zoom.
    {
        let (canvas, set_zoom) = (canvas.clone(), set_zoom.clone());
        use_effect_with(zoom.to_bits(), move |_| {
            let listener = canvas.cast::<web_sys::Element>().map(|element| {
                let target = element.clone();
                gloo::events::EventListener::new_with_options(
                    &element,
                    "wheel",
                    gloo::events::EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let Some(event) = event.dyn_ref::<web_sys::WheelEvent>() else { return };
                        if !(event.ctrl_key() || event.meta_key()) {
                            return;
                        }
                        event.prevent_default();
                        let rect = target.get_bounding_client_rect();
                        let anchor =
                            (f64::from(event.client_x()) - rect.left(), f64::from(event.client_y()) - rect.top());
                        let steps = (-event.delta_y() / 100.0).clamp(-1.0, 1.0);
                        set_zoom(zoom_by(zoom, steps), Some(anchor));
                    },
                )
            });
            move || drop(listener)
        });
    }
    // Dragging the background pans.
    let drag = use_mut_ref(|| None::<(i32, i32, i32, i32)>);
    // The node context menu: the node and where to draw it (pixels inside the canvas's content).
    let menu = use_state_eq(|| None::<(ObjectKey, f64, f64)>);
    let on_pointer_down = {
        let (canvas, drag, close_menu) = (canvas.clone(), drag.clone(), menu.clone());
        Callback::from(move |event: PointerEvent| {
            let on_shape = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|t| t.closest(".shape.selectable, button, a, .legend, .node-menu").ok().flatten())
                .is_some();
            if on_shape || event.button() != 0 {
                return;
            }
            close_menu.set(None);
            if let Some(element) = canvas.cast::<web_sys::Element>() {
                *drag.borrow_mut() =
                    Some((event.client_x(), event.client_y(), element.scroll_left(), element.scroll_top()));
                let _ = element.set_pointer_capture(event.pointer_id());
                let _ = element.class_list().add_1("panning");
            }
        })
    };
    let on_pointer_move = {
        let (canvas, drag) = (canvas.clone(), drag.clone());
        Callback::from(move |event: PointerEvent| {
            if let (Some((x, y, left, top)), Some(element)) = (*drag.borrow(), canvas.cast::<web_sys::Element>()) {
                element.set_scroll_left(left - (event.client_x() - x));
                element.set_scroll_top(top - (event.client_y() - y));
            }
        })
    };
    let on_pointer_up = {
        let (canvas, drag) = (canvas.clone(), drag.clone());
        Callback::from(move |_: PointerEvent| {
            *drag.borrow_mut() = None;
            if let Some(element) = canvas.cast::<web_sys::Element>() {
                let _ = element.class_list().remove_1("panning");
            }
        })
    };
    let on_key = {
        let (canvas, set_zoom, chosen) = (canvas.clone(), set_zoom.clone(), chosen.clone());
        Callback::from(move |event: KeyboardEvent| {
            if event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            let pan = |dx: i32, dy: i32| {
                if let Some(element) = canvas.cast::<web_sys::Element>() {
                    element.set_scroll_left(element.scroll_left() + dx);
                    element.set_scroll_top(element.scroll_top() + dy);
                }
            };
            // Only keys on the canvas itself: Enter and Space on a box open it in the inspector.
            let on_canvas = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|t| t.class_list().contains("cluster-canvas"));
            match event.key().as_str() {
                "+" | "=" => set_zoom(zoom_by(zoom, 1.0), None),
                "-" | "_" => set_zoom(zoom_by(zoom, -1.0), None),
                "0" => chosen.set(None),
                "ArrowLeft" if on_canvas => pan(-60, 0),
                "ArrowRight" if on_canvas => pan(60, 0),
                "ArrowUp" if on_canvas => pan(0, -60),
                "ArrowDown" if on_canvas => pan(0, 60),
                _ => return,
            }
            event.prevent_default();
        })
    };
    let zoom_button = |id: &'static str, label: &'static str, text: &'static str, action: Rc<dyn Fn()>| {
        html! {
            <button type="button" class="icon-button zoom-button" {id} aria-label={label} title={label}
                onclick={Callback::from(move |_: MouseEvent| action())}>{ text }</button>
        }
    };
    let zoom_out = {
        let set_zoom = set_zoom.clone();
        Rc::new(move || set_zoom(zoom_by(zoom, -1.0), None)) as Rc<dyn Fn()>
    };
    let zoom_in = {
        let set_zoom = set_zoom.clone();
        Rc::new(move || set_zoom(zoom_by(zoom, 1.0), None)) as Rc<dyn Fn()>
    };
    let fit = {
        let (set_zoom, canvas, available) = (set_zoom.clone(), canvas.clone(), available.clone());
        Rc::new(move || {
            set_zoom(fit_zoom(content, *available, true), Some((0.0, 0.0)));
            if let Some(element) = canvas.cast::<web_sys::Element>() {
                element.set_scroll_left(0);
                element.set_scroll_top(0);
            }
        }) as Rc<dyn Fn()>
    };
    let on_node_menu = {
        let (menu, canvas) = (menu.clone(), canvas.clone());
        Callback::from(move |(shape, x, y): (Shape, i32, i32)| {
            let (Some(key), Some(element)) = (shape.key.clone(), canvas.cast::<web_sys::Element>()) else { return };
            let rect = element.get_bounding_client_rect();
            let (mut x, mut y) = (f64::from(x) - rect.left(), f64::from(y) - rect.top());
            // The context-menu key reports (0, 0): open beside the node instead.
            if x < 0.0 || y < 0.0 {
                (x, y) = (24.0, 24.0);
            }
            menu.set(Some((key, x + f64::from(element.scroll_left()), y + f64::from(element.scroll_top()))));
        })
    };
    {
        // Focus the menu's first enabled item when it opens, so the keyboard can choose.
        let canvas = canvas.clone();
        use_effect_with(menu.is_some(), move |open| {
            if *open
                && let Some(element) = canvas.cast::<web_sys::Element>()
                && let Ok(Some(item)) = element.query_selector(".node-menu button:not([disabled])")
                && let Ok(item) = item.dyn_into::<web_sys::HtmlElement>()
            {
                let _ = item.focus();
            }
        });
    }
    let node_menu = menu.as_ref().map(|(key, x, y)| {
        let machine = crate::state::machine_state(&frame.view, &key.name).to_string();
        let close = {
            let menu = menu.clone();
            Callback::from(move |event: KeyboardEvent| {
                if event.key() == "Escape" {
                    event.stop_propagation();
                    menu.set(None);
                }
            })
        };
        html! {
            <div class="node-menu" id="node-menu" role="menu" aria-label={format!("Node {}", key.name)}
                style={format!("left: {x:.0}px; top: {y:.0}px")} onkeydown={close}>
                <div class="node-menu-title">{ format!("{} · {machine}", key.name) }</div>
                { for NodeAction::ALL.iter().map(|action| {
                    let (dispatcher, menu, command) = (state.dispatcher(), menu.clone(), action.command(&key.name));
                    html! {
                        <button type="button" role="menuitem" class="node-menu-item" id={format!("node-menu-{}", action.verb())}
                            disabled={frame.viewing_past || state.busy() || !action.applies_to(&machine)} title={command.clone()}
                            onclick={Callback::from(move |_: MouseEvent| {
                                menu.set(None);
                                dispatcher.dispatch(PlaygroundAction::RunCommand(command.clone().into()));
                            })}>
                            { action.label() }
                        </button>
                    }
                }) }
                <button type="button" role="menuitem" class="node-menu-item" id="node-menu-inspect"
                    onclick={let (dispatcher, menu, key) = (state.dispatcher(), menu.clone(), key.clone());
                        Callback::from(move |_: MouseEvent| {
                            menu.set(None);
                            dispatcher.dispatch(PlaygroundAction::Select(Some(key.clone())));
                        })}>
                    { "Inspect" }
                </button>
            </div>
        }
    });
    let selected = state.selected.as_ref().map(crate::layout::object_id);
    let storage_objects = frame.scene.claims.len() + frame.scene.volumes.len() + frame.scene.snapshots.len();
    let actions = html! {
        <>
            <div class="zoom-controls" role="group" aria-label="Zoom">
                { zoom_button("zoom-out", "Zoom out (-)", "−", zoom_out) }
                <button type="button" class="zoom-level" id="zoom-level" title="Back to automatic zoom (0)"
                    aria-label={format!("Zoom {:.0}%, press to reset", zoom * 100.0)}
                    onclick={let chosen = chosen.clone(); Callback::from(move |_: MouseEvent| chosen.set(None))}>
                    { format!("{:.0}%", zoom * 100.0) }
                </button>
                { zoom_button("zoom-in", "Zoom in (+)", "+", zoom_in) }
                { zoom_button("zoom-fit", "Fit the whole diagram", "⤢", fit) }
            </div>
            <span class={classes!("chip", "chip-time", frame.viewing_past.then_some("chip-past"))} id="cluster-time"
                title="Simulated time of the moment shown">
                <span class="chip-label">{ if frame.viewing_past { "past" } else { "now" } }</span>
                <span class="chip-value">{ clock(frame.view.now_ms) }</span>
            </span>
        </>
    };
    html! {
        <Pane id="cluster" title="Cluster" icon={Icon::Cluster} {actions} body_class="pane-body-flush">
            <div class={classes!("cluster-canvas", frame.viewing_past.then_some("viewing-past"))} ref={canvas}
                tabindex="0" aria-label="Cluster diagram canvas: + and - zoom, 0 resets, arrow keys pan"
                data-zoom={format!("{zoom:.2}")}
                onpointerdown={on_pointer_down} onpointermove={on_pointer_move} onpointerup={on_pointer_up.clone()}
                onpointercancel={on_pointer_up} onkeydown={on_key}>
                if storage_objects == 0 {
                    <p class="canvas-hint">{ "No claims or volumes yet: press Apply (Ctrl+Enter) to create the manifest's objects." }</p>
                }
                <ClusterDiagram diagram={(*diagram).clone()} {selected} {on_select} {zoom} {on_node_menu} />
                { node_menu.unwrap_or_default() }
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
                    <li><span class="legend-swatch node-stopped"></span>{ "node stopped" }</li>
                    <li><span class="legend-swatch node-partitioned"></span>{ "node partitioned" }</li>
                </ul>
            </div>
        </Pane>
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn zoom_should_fit_step_and_stay_in_bounds() {
        assert_eq!(fit_zoom((1000.0, 500.0), (500.0, 500.0), false), 0.5);
        assert_eq!(fit_zoom((1000.0, 2000.0), (500.0, 500.0), true), 0.3);
        assert_eq!(fit_zoom((0.0, 0.0), (500.0, 500.0), true), ZOOM_MAX);
        assert_eq!(auto_zoom((1000.0, 500.0), (500.0, 500.0)), ZOOM_AUTO_MIN);
        assert_eq!(auto_zoom((400.0, 500.0), (500.0, 500.0)), 1.25);
        assert_eq!(zoom_by(1.0, 1.0), 1.25);
        assert_eq!(zoom_by(1.0, -1.0), 0.8);
        assert_eq!(zoom_by(2.9, 1.0), ZOOM_MAX);
        assert_eq!(zoom_by(0.31, -1.0), ZOOM_MIN);
        // The point under the pointer stays put: (scroll + pointer) scales by the ratio.
        assert_eq!(anchored_scroll(100.0, 50.0, 2.0), 250.0);
        assert_eq!(anchored_scroll(0.0, 50.0, 0.5), 0.0);
    }
}
