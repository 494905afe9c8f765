//! The playground's components: the shell's chrome, the layout, and one file per pane.

pub mod cluster_view;
pub mod event_timeline;
pub mod flow_view;
pub mod header;
pub mod inspector;
pub mod manifest_editor;
pub mod pane;
pub mod splitter;
pub mod status_bar;
pub mod terminal;
pub mod workspace;
