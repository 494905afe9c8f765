//! Component tests in headless Chromium: mount the app (or one component), flush the scheduler, assert on the DOM.
//!
//! Run with `source scripts/env.sh && cargo test -p stowage-web --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use stowage_web::App;
use stowage_web::components::manifest_editor::ManifestEditor;
use stowage_web::state::{Diagnostic, NOT_WIRED, SUGGESTED_COMMAND};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, HtmlElement, HtmlFormElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit,
};
use yew::AppHandle;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element under `<body>` that a test renders into; removed again by [`Mounted::unmount`].
struct Mounted<C: BaseComponent> {
    root: Element,
    handle: AppHandle<C>,
}

impl<C: BaseComponent> Mounted<C> {
    fn unmount(self) {
        self.handle.destroy();
        self.root.remove();
    }

    fn find(&self, selector: &str) -> Element {
        self.root
            .query_selector(selector)
            .expect("valid selector")
            .unwrap_or_else(|| panic!("no element matches {selector:?}"))
    }

    fn find_all(&self, selector: &str) -> Vec<Element> {
        let list = self
            .root
            .query_selector_all(selector)
            .expect("valid selector");
        (0..list.length())
            .filter_map(|i| list.get(i))
            .filter_map(|node| node.dyn_into::<Element>().ok())
            .collect()
    }

    fn text(&self, selector: &str) -> String {
        self.find(selector).text_content().unwrap_or_default()
    }
}

fn new_root() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("create a div");
    gloo::utils::body()
        .append_child(&root)
        .expect("append the root");
    root
}

async fn mount_app() -> Mounted<App> {
    let root = new_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    Mounted { root, handle }
}

fn click(element: &Element) {
    element.unchecked_ref::<HtmlElement>().click();
}

fn key_down(element: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
        .expect("a keyboard event");
    element.dispatch_event(&event).expect("dispatch keydown");
}

#[wasm_bindgen_test]
async fn header_should_show_the_engine_and_kubernetes_versions() {
    let app = mount_app().await;
    assert_eq!(app.text(".brand-name"), "Stowage");
    assert!(
        app.text("#engine-version")
            .contains(&format!("v{}", stowage_core::VERSION))
    );
    assert!(
        app.text("#kubernetes-version")
            .contains(stowage_core::KUBERNETES_VERSION)
    );
    assert!(app.text("#profile").contains("guide"));
    app.unmount();
}

#[wasm_bindgen_test]
async fn every_pane_should_exist_with_a_heading() {
    let app = mount_app().await;
    for pane in [
        "editor",
        "terminal",
        "cluster",
        "flow",
        "timeline",
        "inspector",
    ] {
        let section = app.find(&format!("section#pane-{pane}"));
        let heading_id = section
            .get_attribute("aria-labelledby")
            .expect("aria-labelledby");
        assert!(
            app.find(&format!("#{heading_id}"))
                .text_content()
                .is_some_and(|t| !t.is_empty())
        );
    }
    assert_eq!(app.find_all(".splitter[role=separator]").len(), 5);
    app.unmount();
}

#[wasm_bindgen_test]
async fn editor_should_hold_the_default_scenario_with_highlighting() {
    let app = mount_app().await;
    let content = app.text("#pane-editor .cm-content");
    assert!(content.contains("name: pv-nfs-data"), "{content}");
    assert!(content.contains("kind: PersistentVolumeClaim"), "{content}");
    assert!(
        app.find_all("#pane-editor .cm-lineNumbers .cm-gutterElement")
            .len()
            > 10
    );
    assert!(
        app.find_all("#pane-editor .cm-line span[class]").len() > 10,
        "no highlighted tokens"
    );
    app.unmount();
}

#[wasm_bindgen_test]
async fn terminal_should_suggest_a_command_and_echo_what_is_entered() {
    let app = mount_app().await;
    assert_eq!(app.text(".term-chip").trim(), SUGGESTED_COMMAND);

    // Picking the suggestion puts it on the command line.
    click(&app.find(".term-chip"));
    yew::scheduler::flush().await;
    let input: HtmlInputElement = app.find("#terminal-input").unchecked_into();
    assert_eq!(input.value(), SUGGESTED_COMMAND);

    app.find(".term-input-row")
        .unchecked_ref::<HtmlFormElement>()
        .request_submit()
        .expect("submit");
    yew::scheduler::flush().await;
    let commands: Vec<String> = app
        .find_all(".term-command")
        .iter()
        .filter_map(|line| line.text_content())
        .collect();
    assert_eq!(commands, [format!("${SUGGESTED_COMMAND}")]);
    assert!(app.text(".term-scrollback").contains(NOT_WIRED));
    assert_eq!(input.value(), "");

    // Up recalls the last command.
    key_down(&input, "ArrowUp");
    yew::scheduler::flush().await;
    assert_eq!(input.value(), SUGGESTED_COMMAND);
    app.unmount();
}

#[wasm_bindgen_test]
async fn apply_button_should_run_kubectl_apply() {
    let app = mount_app().await;
    click(&app.find("#apply-button"));
    yew::scheduler::flush().await;
    assert!(
        app.text(".term-scrollback")
            .contains("kubectl apply -f manifest.yaml")
    );
    app.unmount();
}

#[wasm_bindgen_test]
async fn theme_toggle_should_force_the_other_theme() {
    let app = mount_app().await;
    let html = gloo::utils::document_element();
    let shown = app
        .find(".app")
        .get_attribute("data-theme-shown")
        .expect("data-theme-shown");
    click(&app.find("#theme-toggle"));
    yew::scheduler::flush().await;
    let expected = if shown == "dark" { "light" } else { "dark" };
    assert_eq!(html.get_attribute("data-theme").as_deref(), Some(expected));
    assert_eq!(
        app.find(".app")
            .get_attribute("data-theme-shown")
            .as_deref(),
        Some(expected)
    );
    app.unmount();
    // Leave the page as we found it for the other tests.
    html.remove_attribute("data-theme")
        .expect("remove data-theme");
    if let Ok(Some(storage)) = gloo::utils::window().local_storage() {
        storage
            .remove_item("stowage.theme")
            .expect("clear the stored theme");
    }
}

#[wasm_bindgen_test]
async fn splitter_should_resize_with_the_keyboard() {
    let app = mount_app().await;
    let handle = app.find(".splitter[aria-label='Resize the terminal']");
    let before: i32 = handle
        .get_attribute("aria-valuenow")
        .and_then(|v| v.parse().ok())
        .expect("a value");
    key_down(&handle, "ArrowUp");
    yew::scheduler::flush().await;
    let after: i32 = handle
        .get_attribute("aria-valuenow")
        .and_then(|v| v.parse().ok())
        .expect("a value");
    assert_eq!(
        after,
        before + 16,
        "moving the handle up grows the terminal below it"
    );
    key_down(&handle, "Home");
    yew::scheduler::flush().await;
    assert_eq!(handle.get_attribute("aria-valuenow").as_deref(), Some("96"));
    app.unmount();
    if let Ok(Some(storage)) = gloo::utils::window().local_storage() {
        storage
            .remove_item("stowage.layout.v1")
            .expect("clear the stored layout");
    }
}

#[derive(Properties, PartialEq)]
struct EditorHarnessProps {
    doc: AttrValue,
    revision: u32,
    diagnostics: Rc<Vec<Diagnostic>>,
}

#[component]
fn EditorHarness(props: &EditorHarnessProps) -> Html {
    html! {
        <ManifestEditor doc={props.doc.clone()} revision={props.revision} diagnostics={props.diagnostics.clone()} />
    }
}

#[wasm_bindgen_test]
async fn editor_should_mark_diagnostics_and_reload_on_a_new_revision() {
    let root = new_root();
    let diagnostics = Rc::new(vec![Diagnostic {
        line: 2,
        column: 7,
        message: "spec.capacity: unknown unit \"Gx\"".into(),
    }]);
    let props = EditorHarnessProps {
        doc: "kind: PersistentVolume\nsize: 10Gx\n".into(),
        revision: 0,
        diagnostics,
    };
    let handle = yew::Renderer::<EditorHarness>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    let mut app = Mounted { root, handle };

    let marked = app.find(".cm-lintRange-error");
    assert_eq!(marked.text_content().as_deref(), Some("10Gx"));
    assert_eq!(app.find_all(".cm-lint-marker-error").len(), 1);

    // A new document without a new revision is the echo of the user's own typing: the editor keeps its text.
    app.handle.update(EditorHarnessProps {
        doc: "kind: Ignored\n".into(),
        revision: 0,
        diagnostics: Rc::default(),
    });
    yew::scheduler::flush().await;
    assert!(app.text(".cm-content").contains("size: 10Gx"));
    assert!(
        app.find_all(".cm-lintRange-error").is_empty(),
        "an empty list clears the markers"
    );

    // A new revision loads the document.
    app.handle.update(EditorHarnessProps {
        doc: "kind: PersistentVolumeClaim\n".into(),
        revision: 1,
        diagnostics: Rc::default(),
    });
    yew::scheduler::flush().await;
    assert_eq!(app.text(".cm-content"), "kind: PersistentVolumeClaim");
    app.unmount();
}
