//! Bindings to the CodeMirror 6 editor bundle (`js/cm.js`, built from `web/js/editor.js` by scripts/setup.sh).
//!
//! [`Editor`] owns the JavaScript editor and the Rust closures it calls; dropping it destroys the editor.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::state::Diagnostic;

#[wasm_bindgen(module = "/js/cm.js")]
extern "C" {
    /// The handle `mount` returns.
    type EditorHandle;

    #[wasm_bindgen(js_name = mount)]
    fn mount_editor(
        parent: &web_sys::Element,
        doc: &str,
        on_change: &js_sys::Function,
        on_apply: &js_sys::Function,
    ) -> EditorHandle;

    #[wasm_bindgen(method, js_name = setDoc)]
    fn set_doc(this: &EditorHandle, doc: &str);

    #[wasm_bindgen(method, js_name = getDoc)]
    fn get_doc(this: &EditorHandle) -> String;

    #[wasm_bindgen(method, js_name = setDiagnostics)]
    fn set_diagnostics(this: &EditorHandle, diagnostics: &js_sys::Array);

    #[wasm_bindgen(method)]
    fn focus(this: &EditorHandle);

    #[wasm_bindgen(method)]
    fn destroy(this: &EditorHandle);
}

/// A mounted CodeMirror editor.
pub struct Editor {
    handle: EditorHandle,
    _on_change: Closure<dyn FnMut(String)>,
    _on_apply: Closure<dyn FnMut()>,
}

impl Editor {
    /// Mounts an editor into `parent` showing `doc`. `on_change` gets the whole text after every edit by the user
    /// (not after [`Editor::set_doc`]); `on_apply` runs on Ctrl+Enter / Cmd+Enter.
    pub fn mount(
        parent: &web_sys::Element,
        doc: &str,
        on_change: impl FnMut(String) + 'static,
        on_apply: impl FnMut() + 'static,
    ) -> Self {
        let on_change = Closure::<dyn FnMut(String)>::new(on_change);
        let on_apply = Closure::<dyn FnMut()>::new(on_apply);
        let handle = mount_editor(parent, doc, on_change.as_ref().unchecked_ref(), on_apply.as_ref().unchecked_ref());
        Self { handle, _on_change: on_change, _on_apply: on_apply }
    }

    /// Replaces the document; does not call `on_change`.
    pub fn set_doc(&self, doc: &str) {
        self.handle.set_doc(doc);
    }

    /// The current document.
    pub fn doc(&self) -> String {
        self.handle.get_doc()
    }

    /// Shows these problems as inline markers (an empty slice clears them).
    pub fn set_diagnostics(&self, diagnostics: &[Diagnostic]) {
        let list = js_sys::Array::new();
        for diagnostic in diagnostics {
            let item = js_sys::Object::new();
            let set = |key: &str, value: JsValue| {
                // Setting a property on a fresh plain object cannot fail.
                let _ = js_sys::Reflect::set(&item, &JsValue::from_str(key), &value);
            };
            set("line", diagnostic.line.into());
            set("column", diagnostic.column.into());
            set("message", JsValue::from_str(&diagnostic.message));
            list.push(&item);
        }
        self.handle.set_diagnostics(&list);
    }

    /// Moves keyboard focus into the editor.
    pub fn focus(&self) {
        self.handle.focus();
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        self.handle.destroy();
    }
}
