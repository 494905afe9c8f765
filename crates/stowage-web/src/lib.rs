//! The Stowage playground: a Yew app over the engine, and the only crate that touches the browser.
//!
//! Layout: [`state`] (data, actions, reducer), [`context`] (provider and hook), [`components`] (one file per
//! pane plus the shell's chrome), [`codemirror`] (the editor binding), [`theme`] (light and dark).

pub mod app;
pub mod codemirror;
pub mod completion;
pub mod components;
pub mod context;
pub mod engine;
pub mod examples;
pub mod fieldpath;
pub mod flow;
pub mod icons;
pub mod layout;
pub mod persist;
pub mod scene;
pub mod state;
pub mod theme;

pub use app::App;

/// Mounts the playground into the element with id `app` (replacing its loading placeholder), or into `<body>`.
pub fn start() {
    let root =
        web_sys::window().and_then(|window| window.document()).and_then(|document| document.get_element_by_id("app"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}
