//! The playground's state: plain data, the actions that change it, and the reducer.
//!
//! Everything the panes show is derived from [`PlaygroundState`]. Components never mutate it; they dispatch a
//! [`PlaygroundAction`] through the context (`crate::context`). The reducer is pure: side effects (theme
//! attribute, local storage, the editor widget) live in effects next to the components that own them.
//!
//! Seam for later work: the engine handle (`stowage_core`'s cluster and `ClusterView`) and the kubectl session
//! will live here, so that `RunCommand` and `Apply` run through them instead of printing the placeholder line.

use std::rc::Rc;

use yew::prelude::*;

use crate::theme::{Theme, ThemeChoice};

/// The default scenario's manifest: the storage guide's static NFS PersistentVolume and a claim that selects it.
pub const DEFAULT_MANIFEST: &str = include_str!("default_manifest.yaml");

/// The command the terminal suggests first.
pub const SUGGESTED_COMMAND: &str = "kubectl get pv,pvc";

/// The line printed for every command until the terminal is wired to the kubectl crate.
pub const NOT_WIRED: &str = "kubectl is not wired yet";

/// The file name the editor's document is applied as (`kubectl apply -f <name>`).
pub const MANIFEST_FILE_NAME: &str = "manifest.yaml";

/// How many lines the terminal keeps; older lines are dropped first.
pub const SCROLLBACK_LINES_MAX: usize = 2_000;

/// The simulated cluster the playground starts on (a label for now; the engine will own the real profiles).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterProfile {
    /// The short name users type and share (`guide`, `bare`, `minikube`, `kind`, `eks`, `gke`, `aks`).
    pub name: &'static str,
    /// One line describing the cluster.
    pub summary: &'static str,
}

impl ClusterProfile {
    /// The storage guide's cluster, the default profile.
    pub const GUIDE: Self = Self {
        name: "guide",
        summary: "The storage guide's three-zone AWS-like cluster",
    };
}

/// What kind of line the terminal shows; each kind has its own style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// A command the user ran, shown after a `$` prompt.
    Command,
    /// Normal output of a command.
    Output,
    /// An error message.
    Error,
    /// A teaching hint or a greeting from the playground.
    Hint,
    /// A suggested command the user can pick (the text is the command).
    Suggestion,
}

/// One line of terminal scrollback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalLine {
    /// A number unique within the session, used as the element key.
    pub id: u32,
    /// How the line is styled.
    pub kind: LineKind,
    /// The text, without the prompt.
    pub text: AttrValue,
}

/// A problem in the manifest, at the 1-based line and column the engine reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column number.
    pub column: u32,
    /// What is wrong, in one sentence.
    pub message: AttrValue,
}

/// The whole state of the playground UI.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaygroundState {
    /// The simulated cluster's profile.
    pub profile: ClusterProfile,
    /// The editor's current text.
    pub manifest: AttrValue,
    /// Bumped whenever the manifest is replaced from outside the editor, so the editor reloads its document.
    pub manifest_revision: u32,
    /// Problems the engine found in the manifest, shown inline in the editor.
    pub diagnostics: Rc<Vec<Diagnostic>>,
    /// The terminal's scrollback, oldest first.
    pub terminal: Rc<Vec<TerminalLine>>,
    /// The next terminal line's id.
    next_line_id: u32,
    /// The user's theme choice (system, light or dark).
    pub theme_choice: ThemeChoice,
    /// Whether the operating system currently prefers a dark theme.
    pub system_dark: bool,
}

/// Everything that can change the playground's state.
#[derive(Clone, Debug, PartialEq)]
pub enum PlaygroundAction {
    /// The user edited the manifest in the editor.
    EditManifest(AttrValue),
    /// Replace the manifest from outside the editor (a scenario, a share link); the editor reloads it.
    LoadManifest(AttrValue),
    /// Show these problems in the editor (an empty list clears them).
    SetDiagnostics(Vec<Diagnostic>),
    /// Apply the editor's manifest to the cluster (`kubectl apply -f manifest.yaml`).
    Apply,
    /// Run a command typed in the terminal.
    RunCommand(AttrValue),
    /// Empty the terminal's scrollback.
    ClearTerminal,
    /// Switch between the light and the dark theme (remembers the choice).
    ToggleTheme,
    /// The operating system's colour-scheme preference changed.
    SystemThemeChanged {
        /// Whether the system now prefers dark.
        dark: bool,
    },
}

impl Default for PlaygroundState {
    fn default() -> Self {
        Self::new(ThemeChoice::System, false)
    }
}

impl PlaygroundState {
    /// The initial state: the default scenario, a greeting in the terminal and the given theme.
    pub fn new(theme_choice: ThemeChoice, system_dark: bool) -> Self {
        let mut state = Self {
            profile: ClusterProfile::GUIDE,
            manifest: AttrValue::Static(DEFAULT_MANIFEST),
            manifest_revision: 0,
            diagnostics: Rc::default(),
            terminal: Rc::default(),
            next_line_id: 0,
            theme_choice,
            system_dark,
        };
        state.push_line(
            LineKind::Hint,
            "The editor holds a static NFS PersistentVolume and a claim that selects it. Press Apply (Ctrl+Enter) to create them.",
        );
        state.push_line(LineKind::Suggestion, SUGGESTED_COMMAND);
        state
    }

    /// The theme actually shown: the user's choice, or the system's preference.
    pub fn theme(&self) -> Theme {
        self.theme_choice.resolve(self.system_dark)
    }

    /// How many YAML documents the manifest holds (non-empty parts between `---` lines).
    pub fn manifest_documents(&self) -> usize {
        let mut documents = 0;
        let mut current_has_content = false;
        for line in self.manifest.lines() {
            if line.trim_end() == "---" {
                documents += usize::from(current_has_content);
                current_has_content = false;
            } else if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
                current_has_content = true;
            }
        }
        documents + usize::from(current_has_content)
    }

    fn push_line(&mut self, kind: LineKind, text: impl Into<AttrValue>) {
        let lines = Rc::make_mut(&mut self.terminal);
        if lines.len() >= SCROLLBACK_LINES_MAX {
            lines.drain(..=lines.len() - SCROLLBACK_LINES_MAX);
        }
        lines.push(TerminalLine {
            id: self.next_line_id,
            kind,
            text: text.into(),
        });
        self.next_line_id = self.next_line_id.wrapping_add(1);
    }

    fn run_command(&mut self, command: &str) {
        let command = command.trim();
        if command == "clear" {
            Rc::make_mut(&mut self.terminal).clear();
            return;
        }
        self.push_line(LineKind::Command, command.to_owned());
        if !command.is_empty() {
            self.push_line(LineKind::Error, NOT_WIRED);
        }
    }
}

impl Reducible for PlaygroundState {
    type Action = PlaygroundAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PlaygroundAction::EditManifest(text) => {
                if text == self.manifest {
                    return self;
                }
                next.manifest = text;
            }
            PlaygroundAction::LoadManifest(text) => {
                next.manifest = text;
                next.manifest_revision = next.manifest_revision.wrapping_add(1);
                next.diagnostics = Rc::default();
            }
            PlaygroundAction::SetDiagnostics(diagnostics) => {
                if *self.diagnostics == diagnostics {
                    return self;
                }
                next.diagnostics = Rc::new(diagnostics);
            }
            PlaygroundAction::Apply => {
                next.run_command(&format!("kubectl apply -f {MANIFEST_FILE_NAME}"));
            }
            PlaygroundAction::RunCommand(command) => next.run_command(&command),
            PlaygroundAction::ClearTerminal => Rc::make_mut(&mut next.terminal).clear(),
            PlaygroundAction::ToggleTheme => {
                next.theme_choice = match self.theme() {
                    Theme::Light => ThemeChoice::Dark,
                    Theme::Dark => ThemeChoice::Light,
                };
            }
            PlaygroundAction::SystemThemeChanged { dark } => {
                if dark == self.system_dark {
                    return self;
                }
                next.system_dark = dark;
            }
        }
        Rc::new(next)
    }
}

// Plain unit tests run natively (`cargo test -p stowage-web --lib`); browser tests live in tests/web.rs.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn reduce(state: PlaygroundState, action: PlaygroundAction) -> Rc<PlaygroundState> {
        Rc::new(state).reduce(action)
    }

    fn texts(state: &PlaygroundState) -> Vec<(LineKind, String)> {
        state
            .terminal
            .iter()
            .map(|line| (line.kind.clone(), line.text.to_string()))
            .collect()
    }

    #[test]
    fn initial_state_should_hold_the_default_scenario() {
        let state = PlaygroundState::default();
        assert!(state.manifest.contains("name: pv-nfs-data"));
        assert!(state.manifest.contains("name: data-claim"));
        assert_eq!(state.manifest_documents(), 2);
        assert_eq!(state.profile.name, "guide");
        assert_eq!(
            state
                .terminal
                .last()
                .map(|line| (line.kind.clone(), line.text.to_string())),
            Some((LineKind::Suggestion, SUGGESTED_COMMAND.to_owned()))
        );
    }

    #[test]
    fn run_command_should_echo_and_say_not_wired() {
        let state = reduce(
            PlaygroundState::default(),
            PlaygroundAction::RunCommand("  kubectl get pv  ".into()),
        );
        let lines = texts(&state);
        assert_eq!(
            lines[lines.len() - 2..],
            [
                (LineKind::Command, "kubectl get pv".to_owned()),
                (LineKind::Error, NOT_WIRED.to_owned()),
            ]
        );
    }

    #[test]
    fn clear_should_empty_the_scrollback() {
        let state = reduce(
            PlaygroundState::default(),
            PlaygroundAction::RunCommand("clear".into()),
        );
        assert!(state.terminal.is_empty());
    }

    #[test]
    fn scrollback_should_stay_bounded() {
        let mut state = PlaygroundState::default();
        for i in 0..SCROLLBACK_LINES_MAX + 10 {
            state.push_line(LineKind::Output, format!("line {i}"));
        }
        assert_eq!(state.terminal.len(), SCROLLBACK_LINES_MAX);
        assert_eq!(
            state.terminal.last().map(|line| line.text.to_string()),
            Some(format!("line {}", SCROLLBACK_LINES_MAX + 9))
        );
    }

    #[test]
    fn unchanged_edit_should_keep_the_same_rc() {
        let state = Rc::new(PlaygroundState::default());
        let next = state
            .clone()
            .reduce(PlaygroundAction::EditManifest(AttrValue::Static(
                DEFAULT_MANIFEST,
            )));
        assert!(Rc::ptr_eq(&state, &next));
    }

    #[test]
    fn load_manifest_should_bump_the_revision_and_clear_diagnostics() {
        let state = reduce(
            PlaygroundState::default(),
            PlaygroundAction::SetDiagnostics(vec![Diagnostic {
                line: 1,
                column: 1,
                message: "bad".into(),
            }]),
        );
        let state = (*state).clone();
        let next = reduce(state, PlaygroundAction::LoadManifest("kind: Pod\n".into()));
        assert_eq!(next.manifest_revision, 1);
        assert!(next.diagnostics.is_empty());
        assert_eq!(next.manifest_documents(), 1);
    }

    #[test]
    fn toggle_theme_should_flip_the_shown_theme() {
        let state = reduce(
            PlaygroundState::new(ThemeChoice::System, true),
            PlaygroundAction::ToggleTheme,
        );
        assert_eq!(state.theme(), Theme::Light);
        let state = reduce((*state).clone(), PlaygroundAction::ToggleTheme);
        assert_eq!(state.theme(), Theme::Dark);
        assert_eq!(state.theme_choice, ThemeChoice::Dark);
    }

    #[test]
    fn manifest_documents_should_ignore_empty_parts_and_comments() {
        let state = reduce(
            PlaygroundState::default(),
            PlaygroundAction::EditManifest("---\n# only a comment\n---\nkind: A\n---\n\n".into()),
        );
        assert_eq!(state.manifest_documents(), 1);
    }
}
