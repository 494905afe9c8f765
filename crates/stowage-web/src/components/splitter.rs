//! A drag handle between two panes: resizes one of them with the pointer or the keyboard.
//!
//! It is an ARIA window splitter (`role="separator"`, focusable, with `aria-valuenow`): arrow keys move it by
//! 16 px (64 px with Shift), Home and End jump to the limits, and a double click restores the default size.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{HtmlElement, KeyboardEvent, PointerEvent};
use yew::prelude::*;

/// The arrow-key step, in pixels.
const STEP_PX: i32 = 16;
/// The arrow-key step with Shift held, in pixels.
const STEP_LARGE_PX: i32 = 64;

/// Which way the handle moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// A vertical bar between two columns; it changes a width.
    Columns,
    /// A horizontal bar between two rows; it changes a height.
    Rows,
}

/// Props of [`Splitter`].
#[derive(Properties, PartialEq)]
pub struct SplitterProps {
    /// What the handle resizes, read by screen readers ("Resize the terminal").
    pub label: AttrValue,
    /// Which way the handle moves.
    pub axis: Axis,
    /// The size of the pane it controls, in pixels.
    pub value_px: i32,
    /// The smallest size, in pixels.
    pub min_px: i32,
    /// The largest size, in pixels.
    pub max_px: i32,
    /// The size a double click restores, in pixels.
    pub default_px: i32,
    /// True when the controlled pane comes after the handle (right or below), so moving the handle towards it
    /// makes it smaller.
    #[prop_or_default]
    pub controls_next: bool,
    /// Called with the new size, already clamped to the limits.
    pub on_resize: Callback<i32>,
}

struct Drag {
    pointer_id: i32,
    start_coordinate: i32,
    start_value_px: i32,
}

/// A resize handle between two panes.
#[component]
pub fn Splitter(props: &SplitterProps) -> Html {
    let drag: Rc<RefCell<Option<Drag>>> = use_mut_ref(|| None);
    let dragging = use_state_eq(|| false);
    let axis = props.axis;
    let sign = if props.controls_next { -1 } else { 1 };
    let clamp = {
        let (min, max) = (props.min_px, props.max_px.max(props.min_px));
        move |value: i32| value.clamp(min, max)
    };
    let coordinate = move |event: &PointerEvent| match axis {
        Axis::Columns => event.client_x(),
        Axis::Rows => event.client_y(),
    };

    let onpointerdown = {
        let (drag, dragging, value) = (drag.clone(), dragging.clone(), props.value_px);
        Callback::from(move |event: PointerEvent| {
            if event.button() != 0 {
                return;
            }
            event.prevent_default();
            if let Some(handle) = event.target_dyn_into::<HtmlElement>() {
                // Capture keeps the drag alive when the pointer leaves the thin handle; focus shows which one moves.
                let _ = handle.set_pointer_capture(event.pointer_id());
                let _ = handle.focus();
            }
            *drag.borrow_mut() = Some(Drag {
                pointer_id: event.pointer_id(),
                start_coordinate: coordinate(&event),
                start_value_px: value,
            });
            dragging.set(true);
        })
    };
    let onpointermove = {
        let (drag, on_resize) = (drag.clone(), props.on_resize.clone());
        Callback::from(move |event: PointerEvent| {
            if let Some(active) = drag.borrow().as_ref().filter(|d| d.pointer_id == event.pointer_id()) {
                let delta = coordinate(&event) - active.start_coordinate;
                on_resize.emit(clamp(active.start_value_px + sign * delta));
            }
        })
    };
    let end_drag = {
        let (drag, dragging) = (drag.clone(), dragging.clone());
        Callback::from(move |_: PointerEvent| {
            drag.borrow_mut().take();
            dragging.set(false);
        })
    };
    let onkeydown = {
        let (on_resize, value, min, max) = (props.on_resize.clone(), props.value_px, props.min_px, props.max_px);
        Callback::from(move |event: KeyboardEvent| {
            let step = if event.shift_key() { STEP_LARGE_PX } else { STEP_PX };
            let next = match (event.key().as_str(), axis) {
                ("ArrowLeft", Axis::Columns) | ("ArrowUp", Axis::Rows) => value - sign * step,
                ("ArrowRight", Axis::Columns) | ("ArrowDown", Axis::Rows) => value + sign * step,
                ("Home", _) => min,
                ("End", _) => max,
                _ => return,
            };
            event.prevent_default();
            on_resize.emit(clamp(next));
        })
    };
    let ondblclick = {
        let (on_resize, default) = (props.on_resize.clone(), props.default_px);
        Callback::from(move |_: MouseEvent| on_resize.emit(clamp(default)))
    };

    let orientation = match axis {
        Axis::Columns => "vertical",
        Axis::Rows => "horizontal",
    };
    let class = classes!(
        "splitter",
        match axis {
            Axis::Columns => "splitter-columns",
            Axis::Rows => "splitter-rows",
        },
        dragging.then_some("dragging"),
    );
    html! {
        <div {class} role="separator" tabindex="0" aria-label={props.label.clone()} title={props.label.clone()}
            aria-orientation={orientation}
            aria-valuenow={props.value_px.to_string()}
            aria-valuemin={props.min_px.to_string()}
            aria-valuemax={props.max_px.to_string()}
            {onpointerdown} {onpointermove} onpointerup={end_drag.clone()} onpointercancel={end_drag}
            {onkeydown} {ondblclick}>
        </div>
    }
}
