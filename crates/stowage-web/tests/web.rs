//! Component tests in headless Chromium: mount the app (or one component), flush the scheduler, assert on the DOM.
//!
//! Run with `source scripts/env.sh && cargo test -p stowage-web --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use stowage_web::App;
use stowage_web::app::AppProps;
use stowage_web::components::manifest_editor::ManifestEditor;
use stowage_web::state::{Diagnostic, SUGGESTED_COMMAND};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlFormElement, HtmlSelectElement, HtmlTextAreaElement, KeyboardEvent, KeyboardEventInit};
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
        let list = self.root.query_selector_all(selector).expect("valid selector");
        (0..list.length()).filter_map(|i| list.get(i)).filter_map(|node| node.dyn_into::<Element>().ok()).collect()
    }

    fn text(&self, selector: &str) -> String {
        self.find(selector).text_content().unwrap_or_default()
    }
}

fn new_root() -> Element {
    let document = gloo::utils::document();
    let root = document.create_element("div").expect("create a div");
    gloo::utils::body().append_child(&root).expect("append the root");
    root
}

async fn mount_app() -> Mounted<App> {
    let root = new_root();
    let handle = yew::Renderer::<App>::with_root_and_props(root.clone(), AppProps { persist: false }).render();
    yew::scheduler::flush().await;
    Mounted { root, handle }
}

fn click(element: &Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).expect("a click");
    element.dispatch_event(&event).expect("dispatch click");
}

fn key_down(element: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("a keyboard event");
    element.dispatch_event(&event).expect("dispatch keydown");
}

#[wasm_bindgen_test]
async fn header_should_show_the_engine_and_kubernetes_versions() {
    let app = mount_app().await;
    assert_eq!(app.text(".brand-name"), "Stowage");
    assert!(app.text("#engine-version").contains(&format!("v{}", stowage_core::VERSION)));
    assert!(app.text("#kubernetes-version").contains(stowage_core::KUBERNETES_VERSION));
    assert!(app.text("#profile").contains("guide"));
    app.unmount();
}

#[wasm_bindgen_test]
async fn every_pane_should_exist_with_a_heading() {
    let app = mount_app().await;
    for pane in ["editor", "terminal", "cluster", "flow", "timeline", "inspector"] {
        let section = app.find(&format!("section#pane-{pane}"));
        let heading_id = section.get_attribute("aria-labelledby").expect("aria-labelledby");
        assert!(app.find(&format!("#{heading_id}")).text_content().is_some_and(|t| !t.is_empty()));
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
    assert!(app.find_all("#pane-editor .cm-lineNumbers .cm-gutterElement").len() > 10);
    assert!(app.find_all("#pane-editor .cm-line span[class]").len() > 10, "no highlighted tokens");
    app.unmount();
}

#[wasm_bindgen_test]
async fn terminal_should_run_commands_through_the_session() {
    let app = mount_app().await;
    assert_eq!(app.text(".term-chip").trim(), SUGGESTED_COMMAND);

    // Picking the suggestion puts it on the command line.
    click(&app.find(".term-chip"));
    yew::scheduler::flush().await;
    let input: HtmlTextAreaElement = app.find("#terminal-input").unchecked_into();
    assert_eq!(input.value(), SUGGESTED_COMMAND);

    app.find(".term-input-row").unchecked_ref::<HtmlFormElement>().request_submit().expect("submit");
    yew::scheduler::flush().await;
    let commands: Vec<String> = app.find_all(".term-command").iter().filter_map(|line| line.text_content()).collect();
    assert_eq!(commands, [format!("${SUGGESTED_COMMAND}")]);
    assert_eq!(app.text(".term-error"), "No resources found");
    assert_eq!(input.value(), "");

    // Up recalls the last command.
    key_down(&input, "ArrowUp");
    yew::scheduler::flush().await;
    assert_eq!(input.value(), SUGGESTED_COMMAND);
    app.unmount();
}

fn type_into(input: &HtmlTextAreaElement, text: &str) {
    input.set_value(text);
    let event = web_sys::InputEvent::new("input").expect("an input event");
    input.dispatch_event(&event).expect("dispatch input");
}

#[wasm_bindgen_test]
async fn terminal_should_continue_a_heredoc_and_complete_with_tab() {
    let app = mount_app().await;
    let input: HtmlTextAreaElement = app.find("#terminal-input").unchecked_into();
    type_into(&input, "cat <<EOF > ns.yaml");
    yew::scheduler::flush().await;
    key_down(&input, "Enter");
    yew::scheduler::flush().await;
    assert_eq!(input.value(), "cat <<EOF > ns.yaml\n", "an open heredoc asks for more");
    assert_eq!(app.find_all(".term-prompts .term-prompt").len(), 2);
    type_into(&input, "cat <<EOF > ns.yaml\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\nEOF");
    yew::scheduler::flush().await;
    key_down(&input, "Enter");
    yew::scheduler::flush().await;
    assert_eq!(input.value(), "");
    type_into(&input, "kubectl apply -f ns.yaml");
    yew::scheduler::flush().await;
    key_down(&input, "Enter");
    yew::scheduler::flush().await;
    assert!(app.text(".term-scrollback").contains("namespace/team created"));

    type_into(&input, "kubectl desc");
    yew::scheduler::flush().await;
    key_down(&input, "Tab");
    yew::scheduler::flush().await;
    assert_eq!(input.value(), "kubectl describe ");

    // Ctrl+C cancels the line.
    let init = KeyboardEventInit::new();
    init.set_key("c");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("keydown");
    input.dispatch_event(&event).expect("dispatch");
    yew::scheduler::flush().await;
    assert_eq!(input.value(), "");
    assert!(app.text(".term-scrollback").contains("kubectl describe ^C"));
    app.unmount();
}

#[wasm_bindgen_test]
async fn apply_button_should_bind_the_static_volume_and_claim_in_the_diagram() {
    let app = mount_app().await;
    assert_eq!(app.find_all(".shape-node").len(), 3, "the guide profile has three nodes");
    click(&app.find("#apply-button"));
    yew::scheduler::flush().await;
    assert!(app.text(".term-scrollback").contains("persistentvolumeclaim/data-claim created"));
    let status =
        |id: &str| app.find(&format!(".shape[data-id='{id}']")).get_attribute("data-status").unwrap_or_default();
    assert_eq!(status("PersistentVolume/pv-nfs-data"), "Bound");
    assert_eq!(status("PersistentVolumeClaim/production/data-claim"), "Bound");
    assert_eq!(app.find_all("path.edge-bound").len(), 1);
    // The flow shows the PV controller's messages, after the user's and the API server's lanes.
    let lanes: Vec<String> = app.find_all(".lane").iter().filter_map(|l| l.get_attribute("data-lane")).collect();
    assert_eq!(lanes[..2], ["user", "apiserver"]);
    assert!(lanes.iter().any(|l| l == "pv-controller"), "{lanes:?}");

    // Clicking the volume opens the inspector.
    click(&app.find(".shape[data-id='PersistentVolume/pv-nfs-data']"));
    yew::scheduler::flush().await;
    assert_eq!(app.text("#inspector-name"), "pv-nfs-data");
    assert!(app.text("#inspector-describe").contains("Status:"));
    click(&app.find("#inspector-tab-yaml"));
    yew::scheduler::flush().await;
    assert!(app.text("#inspector-yaml").contains("kind: PersistentVolume"));
    click(&app.find("#inspector-tab-files"));
    yew::scheduler::flush().await;
    assert!(!app.text("#inspector-files").is_empty());
    // Selecting a volume shows its lifecycle with the current state highlighted.
    assert_eq!(app.text(".state.current"), "Bound");
    assert_eq!(app.find_all(".transition.taken").len(), 2);
    app.unmount();
}

#[wasm_bindgen_test]
async fn examples_menu_should_load_a_manifest_into_the_editor() {
    let app = mount_app().await;
    let select: HtmlSelectElement = app.find("#examples-select").unchecked_into();
    select.set_value("10-headless-service");
    select.dispatch_event(&web_sys::Event::new("change").expect("change")).expect("dispatch change");
    yew::scheduler::flush().await;
    assert!(app.text("#pane-editor .cm-content").contains("postgres-headless"));
    assert_eq!(select.value(), "", "the menu resets");
    app.unmount();
}

#[wasm_bindgen_test]
async fn stepping_scrubbing_and_step_mode_should_work() {
    let app = mount_app().await;
    click(&app.find("#apply-button"));
    yew::scheduler::flush().await;
    let input: HtmlTextAreaElement = app.find("#terminal-input").unchecked_into();
    type_into(&input, "kubectl delete pvc data-claim -n production");
    yew::scheduler::flush().await;
    key_down(&input, "Enter");
    yew::scheduler::flush().await;
    let status =
        || app.find(".shape[data-id='PersistentVolume/pv-nfs-data']").get_attribute("data-status").unwrap_or_default();
    assert_eq!(status(), "Released");
    click(&app.find("#checkpoint-1"));
    yew::scheduler::flush().await;
    assert_eq!(status(), "Bound");
    assert!(app.find("#past-banner").text_content().unwrap_or_default().contains("read-only"));
    assert!(app.find("#terminal-input").unchecked_ref::<HtmlTextAreaElement>().disabled());
    click(&app.find("#now-button"));
    yew::scheduler::flush().await;
    assert_eq!(status(), "Released");

    app.unmount();
}

#[wasm_bindgen_test]
async fn step_mode_should_run_one_controller_action_per_step() {
    let app = mount_app().await;
    assert_eq!(app.text("#time-mode"), "auto-settle", "commands settle by default");
    click(&app.find("#step-mode"));
    yew::scheduler::flush().await;
    click(&app.find("#apply-button"));
    yew::scheduler::flush().await;
    assert_eq!(app.text("#time-mode"), "paused · work queued");
    let status =
        |id: &str| app.find(&format!(".shape[data-id='{id}']")).get_attribute("data-status").unwrap_or_default();
    assert_eq!(status("PersistentVolumeClaim/production/data-claim"), "Pending");
    let mut steps = 0;
    let mut messages = app.find_all(".msg").len();
    while status("PersistentVolumeClaim/production/data-claim") != "Bound" {
        click(&app.find("#step-button"));
        yew::scheduler::flush().await;
        steps += 1;
        assert!(steps < 60, "the claim binds within 60 steps");
        let now = app.find_all(".msg").len();
        assert!(now >= messages, "the flow only grows while stepping");
        messages = now;
    }
    assert!(steps > 1);
    assert!(!app.find_all(".msg-current").is_empty(), "the last step's messages are highlighted");
    assert!(app.text("#flow-summary").contains("step mode"));
    assert_eq!(app.find_all(".checkpoint").len(), steps + 2, "each step is a checkpoint");
    app.unmount();
}

#[wasm_bindgen_test]
async fn cluster_view_should_zoom_with_buttons_and_keys() {
    let app = mount_app().await;
    let zoom = || app.find(".cluster-canvas").get_attribute("data-zoom").unwrap_or_default().parse::<f64>().unwrap();
    let width = || app.find(".cluster-svg").get_attribute("width").unwrap_or_default().parse::<f64>().unwrap();
    let auto = zoom();
    assert!(auto >= 0.85, "text stays readable: {auto}");
    let (auto_width, auto_text) = (width(), app.text("#zoom-level"));
    click(&app.find("#zoom-in"));
    yew::scheduler::flush().await;
    assert!((zoom() - (auto * 1.25 * 100.0).round() / 100.0).abs() < 0.011, "{} vs {auto}", zoom());
    assert!(width() > auto_width);
    assert_ne!(app.text("#zoom-level"), auto_text);
    click(&app.find("#zoom-out"));
    yew::scheduler::flush().await;
    click(&app.find("#zoom-out"));
    yew::scheduler::flush().await;
    assert!(zoom() < auto);
    click(&app.find("#zoom-fit"));
    yew::scheduler::flush().await;
    assert!(zoom() >= 0.3 && zoom() <= 3.0);
    key_down(&app.find(".cluster-canvas"), "0");
    yew::scheduler::flush().await;
    assert_eq!(zoom(), auto, "0 returns to the automatic zoom");
    key_down(&app.find(".cluster-canvas"), "+");
    yew::scheduler::flush().await;
    assert!(zoom() > auto);
    app.unmount();
}

fn context_menu(element: &Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("contextmenu", &init).expect("a contextmenu");
    element.dispatch_event(&event).expect("dispatch contextmenu");
}

#[wasm_bindgen_test]
async fn node_menu_and_inspector_should_send_node_commands_through_the_terminal() {
    let app = mount_app().await;
    context_menu(&app.find(".shape[data-id='Node/node-1']"));
    yew::scheduler::flush().await;
    let items: Vec<String> =
        app.find_all("#node-menu [role=menuitem]").iter().filter_map(|i| i.text_content()).collect();
    assert_eq!(items, ["Stop node", "Partition node", "Start node", "Inspect"]);
    assert!(app.find("#node-menu-start").unchecked_ref::<web_sys::HtmlButtonElement>().disabled());
    click(&app.find("#node-menu-stop"));
    yew::scheduler::flush().await;
    assert!(app.find_all("#node-menu").is_empty(), "the menu closes");
    let commands: Vec<String> =
        app.find_all(".term-command .term-text").iter().filter_map(|l| l.text_content()).collect();
    assert!(commands.iter().any(|c| c == "stowage node stop node-1"), "{commands:?}");
    // The inspector offers the same actions for a selected node.
    click(&app.find(".shape[data-id='Node/node-2']"));
    yew::scheduler::flush().await;
    assert_eq!(app.text("#node-machine-state"), "machine: Ready");
    click(&app.find("#node-partition"));
    yew::scheduler::flush().await;
    let commands: Vec<String> =
        app.find_all(".term-command .term-text").iter().filter_map(|l| l.text_content()).collect();
    assert!(commands.iter().any(|c| c == "stowage node partition node-2"), "{commands:?}");
    app.unmount();
}

#[wasm_bindgen_test]
async fn wide_output_should_keep_its_columns_and_scroll_by_itself() {
    let app = mount_app().await;
    click(&app.find("#apply-button"));
    yew::scheduler::flush().await;
    let input: HtmlTextAreaElement = app.find("#terminal-input").unchecked_into();
    type_into(&input, "kubectl get pvc -A -o wide");
    yew::scheduler::flush().await;
    key_down(&input, "Enter");
    yew::scheduler::flush().await;
    let block = app.find(".term-output.term-wide");
    assert!(block.text_content().unwrap_or_default().contains("VOLUMEATTRIBUTESCLASS"));
    // The stylesheet (white-space: pre, overflow-x: auto per block) is checked by the end-to-end test; here the
    // block is marked wide and can take focus to scroll with the keyboard.
    assert_eq!(block.get_attribute("tabindex").as_deref(), Some("0"));
    assert!(block.class_list().contains("term-block"));
    // Hints wrap and are never wide blocks.
    assert!(app.find_all(".term-hint.term-wide").is_empty());
    app.unmount();
}

#[wasm_bindgen_test]
fn server_errors_should_map_to_the_field_in_the_right_document() {
    let manifest = "kind: Namespace\napiVersion: v1\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: x\nspec:\n  resources: {}\n";
    let diagnostics = stowage_web::fieldpath::server_diagnostics(
        manifest,
        "The PersistentVolumeClaim \"x\" is invalid: spec.accessModes: Required value",
    );
    assert_eq!(diagnostics.iter().map(|d| (d.line, d.column)).collect::<Vec<_>>(), [(10, 1)]);
    let diagnostics = stowage_web::fieldpath::server_diagnostics(
        manifest,
        "The PersistentVolumeClaim \"x\" is invalid: \n* spec.resources: Required value\n* metadata.name: Invalid value",
    );
    assert_eq!(diagnostics.iter().map(|d| (d.line, d.column)).collect::<Vec<_>>(), [(11, 3), (9, 3)]);
}

#[wasm_bindgen_test]
async fn theme_toggle_should_force_the_other_theme() {
    let app = mount_app().await;
    let html = gloo::utils::document_element();
    let shown = app.find(".app").get_attribute("data-theme-shown").expect("data-theme-shown");
    click(&app.find("#theme-toggle"));
    yew::scheduler::flush().await;
    let expected = if shown == "dark" { "light" } else { "dark" };
    assert_eq!(html.get_attribute("data-theme").as_deref(), Some(expected));
    assert_eq!(app.find(".app").get_attribute("data-theme-shown").as_deref(), Some(expected));
    app.unmount();
    // Leave the page as we found it for the other tests.
    html.remove_attribute("data-theme").expect("remove data-theme");
    if let Ok(Some(storage)) = gloo::utils::window().local_storage() {
        storage.remove_item("stowage.theme").expect("clear the stored theme");
    }
}

#[wasm_bindgen_test]
async fn splitter_should_resize_with_the_keyboard() {
    let app = mount_app().await;
    let handle = app.find(".splitter[aria-label='Resize the terminal']");
    let before: i32 = handle.get_attribute("aria-valuenow").and_then(|v| v.parse().ok()).expect("a value");
    key_down(&handle, "ArrowUp");
    yew::scheduler::flush().await;
    let after: i32 = handle.get_attribute("aria-valuenow").and_then(|v| v.parse().ok()).expect("a value");
    assert_eq!(after, before + 16, "moving the handle up grows the terminal below it");
    key_down(&handle, "Home");
    yew::scheduler::flush().await;
    assert_eq!(handle.get_attribute("aria-valuenow").as_deref(), Some("96"));
    app.unmount();
    if let Ok(Some(storage)) = gloo::utils::window().local_storage() {
        storage.remove_item("stowage.layout.v1").expect("clear the stored layout");
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
    let diagnostics =
        Rc::new(vec![Diagnostic { line: 2, column: 7, message: "spec.capacity: unknown unit \"Gx\"".into() }]);
    let props = EditorHarnessProps { doc: "kind: PersistentVolume\nsize: 10Gx\n".into(), revision: 0, diagnostics };
    let handle = yew::Renderer::<EditorHarness>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    let mut app = Mounted { root, handle };

    let marked = app.find(".cm-lintRange-error");
    assert_eq!(marked.text_content().as_deref(), Some("10Gx"));
    assert_eq!(app.find_all(".cm-lint-marker-error").len(), 1);

    // A new document without a new revision is the echo of the user's own typing: the editor keeps its text.
    app.handle.update(EditorHarnessProps { doc: "kind: Ignored\n".into(), revision: 0, diagnostics: Rc::default() });
    yew::scheduler::flush().await;
    assert!(app.text(".cm-content").contains("size: 10Gx"));
    assert!(app.find_all(".cm-lintRange-error").is_empty(), "an empty list clears the markers");

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
