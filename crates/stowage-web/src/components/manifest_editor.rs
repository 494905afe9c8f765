//! The manifest editor: CodeMirror 6 with YAML, inline diagnostics, Apply (button or Ctrl+Enter) and the
//! examples menu (every manifest of the storage guide).

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::codemirror::Editor;
use crate::components::pane::Pane;
use crate::context::use_playground;
use crate::examples;
use crate::icons::{Icon, icon};
use crate::state::{Diagnostic, PlaygroundAction};

/// Props of [`ManifestEditor`].
#[derive(Properties, PartialEq)]
pub struct ManifestEditorProps {
    /// The document. The editor reads it when it mounts and whenever `revision` changes; the user's own edits
    /// come back through `on_change` and do not reload the editor.
    pub doc: AttrValue,
    /// Bump this to make the editor load `doc` again.
    #[prop_or_default]
    pub revision: u32,
    /// Problems to mark inline.
    #[prop_or_default]
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// Called with the whole text after each edit by the user.
    #[prop_or_default]
    pub on_change: Callback<String>,
    /// Called on Ctrl+Enter (Cmd+Enter on macOS).
    #[prop_or_default]
    pub on_apply: Callback<()>,
}

/// The CodeMirror editor, as a component.
#[component]
pub fn ManifestEditor(props: &ManifestEditorProps) -> Html {
    let host = use_node_ref();
    let editor: Rc<RefCell<Option<Editor>>> = use_mut_ref(|| None);
    // The JavaScript side holds closures made once; they read the newest callbacks from here.
    let callbacks = use_mut_ref(|| (props.on_change.clone(), props.on_apply.clone()));
    *callbacks.borrow_mut() = (props.on_change.clone(), props.on_apply.clone());

    {
        let (host, editor, callbacks, doc) = (host.clone(), editor.clone(), callbacks.clone(), props.doc.clone());
        use_effect_with((), move |()| {
            if let Some(parent) = host.cast::<web_sys::Element>() {
                let on_change = {
                    let callbacks = callbacks.clone();
                    move |text: String| {
                        let on_change = callbacks.borrow().0.clone();
                        on_change.emit(text);
                    }
                };
                let on_apply = move || {
                    let on_apply = callbacks.borrow().1.clone();
                    on_apply.emit(());
                };
                *editor.borrow_mut() = Some(Editor::mount(&parent, &doc, on_change, on_apply));
            }
            move || drop(editor.borrow_mut().take())
        });
    }
    {
        let (editor, doc) = (editor.clone(), props.doc.clone());
        use_effect_with(props.revision, move |_| {
            if let Some(editor) = editor.borrow().as_ref() {
                editor.set_doc(&doc);
            }
        });
    }
    {
        let editor = editor.clone();
        use_effect_with(props.diagnostics.clone(), move |diagnostics| {
            if let Some(editor) = editor.borrow().as_ref() {
                editor.set_diagnostics(diagnostics);
            }
        });
    }

    html! { <div class="editor-host" ref={host}></div> }
}

/// The editor pane, connected to the playground state.
#[component]
pub fn ManifestPane() -> Html {
    let state = use_playground();
    let on_change = {
        let dispatcher = state.dispatcher();
        use_callback((), move |text: String, ()| {
            dispatcher.dispatch(PlaygroundAction::EditManifest(text.into()));
        })
    };
    let on_apply = {
        let dispatcher = state.dispatcher();
        use_callback((), move |(), ()| dispatcher.dispatch(PlaygroundAction::Apply))
    };
    let on_example = {
        let dispatcher = state.dispatcher();
        Callback::from(move |event: Event| {
            let select = event.target_unchecked_into::<HtmlSelectElement>();
            if let Some(example) = examples::find(&select.value()) {
                dispatcher.dispatch(PlaygroundAction::LoadManifest(AttrValue::Static(example.text)));
            }
            select.set_value("");
        })
    };
    let actions = html! {
        <>
        <select id="examples-select" class="select" aria-label="Load an example from the storage guide"
            title="Load a manifest from the storage guide" onchange={on_example}>
            <option value="" selected=true>{ "Examples…" }</option>
            { for examples::EXAMPLES.iter().map(|example| html! {
                <option value={example.id}>{ example.title }</option>
            }) }
        </select>
        <button type="button" class="button button-primary" id="apply-button" title="Apply the manifest (Ctrl+Enter)"
            disabled={state.busy()} onclick={on_apply.reform(|_: MouseEvent| ())}>
            { icon(Icon::Play) }<span>{ "Apply" }</span>
        </button>
        </>
    };
    html! {
        <Pane id="editor" title="manifest.yaml" icon={Icon::File} {actions} body_class="pane-body-flush">
            <ManifestEditor doc={state.manifest.clone()} revision={state.manifest_revision}
                diagnostics={state.diagnostics.clone()} {on_change} {on_apply} />
        </Pane>
    }
}
