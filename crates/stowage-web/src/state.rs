//! The playground's state: plain data, the actions that change it, and the reducer.
//!
//! Everything the panes show is derived from [`PlaygroundState`]. Components never mutate it; they dispatch a
//! [`PlaygroundAction`] through the context (`crate::context`).
//!
//! This module is the only one that talks to the engine: the state owns an [`Engine`] (a kubectl session plus
//! the input log and checkpoints) behind a shared cell, and after every change it derives a [`Frame`] of plain
//! data (the cluster view, the diagram, the flow, the timeline) that the components read. Side effects on the
//! browser (theme attribute, local storage, timers, the editor widget) live in effects next to the components
//! that own them.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use stowage_core::api::decode::decode_documents;
use stowage_core::sim::TraceVerb;
use stowage_core::{ClusterView, ObjectKey, Profile};
use stowage_kubectl::session::Output;
use yew::prelude::*;

use crate::engine::{Engine, Input, MANIFEST_FILE, format_duration_ms};
use crate::flow::{Lifecycle, Sequence, lifecycle, sequence};
use crate::layout::{Diagram, layout};
use crate::scene::{Inspection, Scene, inspect};
use crate::theme::{Theme, ThemeChoice};

/// The default scenario's manifest: the `production` namespace, then the storage guide's static NFS
/// PersistentVolume and a claim that selects it.
pub const DEFAULT_MANIFEST: &str = include_str!("examples/05-static-nfs-pv-and-claim.yaml");

/// The command the terminal suggests first.
pub const SUGGESTED_COMMAND: &str = "kubectl get pv,pvc -A";

/// The file name the editor's document is applied as (`kubectl apply -f <name>`).
pub const MANIFEST_FILE_NAME: &str = MANIFEST_FILE;

/// How many lines the terminal keeps; older lines are dropped first.
pub const SCROLLBACK_LINES_MAX: usize = 2_000;

/// The simulation speeds offered, as multiples of real time.
pub const SPEEDS: &[f64] = &[0.25, 0.5, 1.0, 2.0, 4.0, 8.0];

/// The index of 1× in [`SPEEDS`].
pub const SPEED_DEFAULT: usize = 2;

/// How often the play timer ticks, in real milliseconds.
pub const TICK_MS: u32 = 250;

/// How many logged inputs a restore replays per animation frame.
pub const RESTORE_CHUNK: usize = 4;

/// How many controller actions a long settle runs before it yields to the browser.
pub const SETTLE_CHUNK: u64 = 120;

/// The newest Kubernetes events the timeline lists.
pub const EVENTS_MAX: usize = 200;

/// What kind of line the terminal shows; each kind has its own style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// A command the user ran, shown after a `$` prompt (continuation lines after `>`).
    Command,
    /// Normal output of a command.
    Output,
    /// An error message (stderr).
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

/// The shared engine. Equality is identity plus a revision bumped on every change, so Yew re-renders when
/// (and only when) the engine changed.
#[derive(Clone, Debug)]
pub struct EngineCell {
    inner: Rc<RefCell<Engine>>,
    revision: u64,
}

impl PartialEq for EngineCell {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner) && self.revision == other.revision
    }
}

impl EngineCell {
    fn new(engine: Engine) -> Self {
        Self { inner: Rc::new(RefCell::new(engine)), revision: 0 }
    }

    /// Reads the engine.
    pub fn with<R>(&self, read: impl FnOnce(&Engine) -> R) -> R {
        read(&self.inner.borrow())
    }

    fn update<R>(&mut self, change: impl FnOnce(&mut Engine) -> R) -> R {
        self.revision += 1;
        change(&mut self.inner.borrow_mut())
    }
}

/// One checkpoint as the timeline shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    /// The label (the command, `step`, `+5s`).
    pub label: String,
    /// What it did.
    pub summary: String,
    /// Simulated time after it, in milliseconds.
    pub at_ms: u64,
    /// Whether it was a user command.
    pub command: bool,
}

/// A Kubernetes event as the timeline lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    /// Trace sequence number (the element key).
    pub seq: u64,
    /// Simulated time in milliseconds.
    pub at_ms: u64,
    /// `Normal` or `Warning`.
    pub kind: String,
    /// The reason (`ProvisioningSucceeded`).
    pub reason: String,
    /// The object (`pvc/production/data-claim`).
    pub object: String,
    /// The message.
    pub message: String,
}

/// Plain data derived from the engine at the shown moment: what the panes draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The cluster view.
    pub view: ClusterView,
    /// The scene behind the diagram.
    pub scene: Scene,
    /// The laid-out cluster diagram.
    pub diagram: Diagram,
    /// The flow view's sequence diagram.
    pub sequence: Sequence,
    /// The checkpoints the flow covers (`from..=to`).
    pub flow_range: (usize, usize),
    /// Every checkpoint, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The checkpoint shown.
    pub shown: usize,
    /// Whether the shown checkpoint is in the past (read-only).
    pub viewing_past: bool,
    /// The newest Kubernetes events at the shown moment, oldest first.
    pub events: Vec<EventRow>,
    /// When the shown checkpoint is time passing (a step, played time), the first trace sequence number it
    /// added: the flow view highlights those messages as the ones that just happened.
    pub fresh_from: Option<u64>,
}

/// Work in progress (restoring a session, settling after a large apply), for the progress bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// What is happening.
    pub label: String,
    /// Parts done (inputs of a restore); with `total` 0 the amount of work is unknown.
    pub done: usize,
    /// Parts in all, or 0 when unknown (a settle: the controllers decide how much work there is).
    pub total: usize,
    /// Controller actions run so far by the current settle.
    pub steps: u64,
    /// Whether the user may cancel it (a settle may; a restore may not).
    pub cancellable: bool,
}

/// What persistence stores: inputs only.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Saved {
    /// The format version.
    pub v: u32,
    /// The profile's name.
    pub profile: String,
    /// The editor's text.
    pub manifest: String,
    /// The inputs, oldest first.
    pub inputs: Vec<Input>,
    /// Whether step mode was on.
    #[serde(default)]
    pub step_mode: bool,
}

/// The format version [`Saved`] is written with.
pub const SAVED_VERSION: u32 = 1;

/// The whole state of the playground UI.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaygroundState {
    /// The simulated cluster's profile.
    pub profile: Profile,
    /// The engine.
    pub engine: EngineCell,
    /// What the panes draw.
    pub frame: Rc<Frame>,
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
    /// The object open in the inspector.
    pub selected: Option<ObjectKey>,
    /// The inspector's texts for it.
    pub inspection: Rc<Inspection>,
    /// The selected volume's lifecycle, when a PersistentVolume is selected.
    pub lifecycle: Option<Rc<(String, Lifecycle)>>,
    /// A chosen flow range (`None`: the last operation).
    pub flow_choice: Option<(usize, usize)>,
    /// Whether simulated time is running.
    pub playing: bool,
    /// The index into [`SPEEDS`].
    pub speed: usize,
    /// Step mode: commands make their API writes and leave the cluster unsettled, for Step (one controller
    /// action) and Play (simulated time) to run. Off by default: each command settles the cluster.
    pub step_mode: bool,
    /// Inputs still to replay (restoring a saved session).
    pub pending: Rc<VecDeque<Input>>,
    /// Progress of long work.
    pub progress: Option<Progress>,
    /// Bumped when the inputs change, so persistence saves.
    pub inputs_revision: u32,
}

/// Everything that can change the playground's state.
#[derive(Clone, Debug, PartialEq)]
pub enum PlaygroundAction {
    /// The user edited the manifest in the editor.
    EditManifest(AttrValue),
    /// Replace the manifest from outside the editor (an example, a restore); the editor reloads it.
    LoadManifest(AttrValue),
    /// Show these problems in the editor (an empty list clears them).
    SetDiagnostics(Vec<Diagnostic>),
    /// Apply the editor's manifest to the cluster (`kubectl apply -f manifest.yaml`).
    Apply,
    /// Run a command typed in the terminal.
    RunCommand(AttrValue),
    /// Show a line that was typed but cancelled (Ctrl+C).
    CancelInput(AttrValue),
    /// Show completion candidates under the prompt.
    ShowCandidates(Vec<String>),
    /// Empty the terminal's scrollback.
    ClearTerminal,
    /// Open an object in the inspector (or close it).
    Select(Option<ObjectKey>),
    /// One controller action.
    Step,
    /// The play timer fired.
    Tick,
    /// Start or stop simulated time.
    TogglePlay,
    /// Choose a speed (an index into [`SPEEDS`]).
    SetSpeed(usize),
    /// Turn step mode on or off.
    ToggleStepMode,
    /// Show checkpoint N read-only.
    Scrub(usize),
    /// Make the shown checkpoint the present, discarding later inputs.
    ContinueFromHere,
    /// Return to the present.
    BackToNow,
    /// Show the flow of checkpoints `from..=to` (`None`: the last operation).
    SetFlowRange(Option<(usize, usize)>),
    /// Start a fresh cluster of another profile.
    SwitchProfile(Profile),
    /// Restore a saved session: load the manifest and replay the inputs in chunks.
    Restore(Saved),
    /// Do the next slice of long work: replay restored inputs, run the next controller actions of a settle.
    RestoreChunk,
    /// Stop a long settle where it is (the rest of the work stays queued).
    CancelWork,
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

/// Finds the profile with this name (`guide` when unknown).
pub fn profile_named(name: &str) -> Profile {
    name.parse().unwrap_or(Profile::Guide)
}

impl PlaygroundState {
    /// The initial state: the default scenario on the guide profile, a greeting in the terminal and the theme.
    pub fn new(theme_choice: ThemeChoice, system_dark: bool) -> Self {
        let engine = Engine::new(Profile::Guide);
        let mut state = Self {
            profile: Profile::Guide,
            frame: Rc::new(build_frame(&engine, None)),
            engine: EngineCell::new(engine),
            manifest: AttrValue::Static(DEFAULT_MANIFEST),
            manifest_revision: 0,
            diagnostics: Rc::default(),
            terminal: Rc::default(),
            next_line_id: 0,
            theme_choice,
            system_dark,
            selected: None,
            inspection: Rc::default(),
            lifecycle: None,
            flow_choice: None,
            playing: false,
            speed: SPEED_DEFAULT,
            step_mode: false,
            pending: Rc::default(),
            progress: None,
            inputs_revision: 0,
        };
        state.greet();
        state
    }

    fn greet(&mut self) {
        self.push_line(
            LineKind::Hint,
            format!("Cluster profile {}: {}.", self.profile.name(), self.profile.description()),
        );
        self.push_line(
            LineKind::Hint,
            "The editor holds a namespace, a static NFS PersistentVolume and a claim that selects it. Press Apply (Ctrl+Enter) to create them, then:",
        );
        self.push_line(LineKind::Suggestion, SUGGESTED_COMMAND);
    }

    /// The theme actually shown: the user's choice, or the system's preference.
    pub fn theme(&self) -> Theme {
        self.theme_choice.resolve(self.system_dark)
    }

    /// The playing speed as a multiple of real time.
    pub fn speed_factor(&self) -> f64 {
        SPEEDS[self.speed.min(SPEEDS.len() - 1)]
    }

    /// The terminal's command history, oldest first (each entry may span lines).
    pub fn history(&self) -> Vec<AttrValue> {
        self.terminal
            .iter()
            .filter(|line| line.kind == LineKind::Command && !line.text.is_empty())
            .map(|line| line.text.clone())
            .collect()
    }

    /// What persistence stores now.
    pub fn saved(&self) -> Saved {
        Saved {
            v: SAVED_VERSION,
            profile: self.profile.name().to_string(),
            manifest: self.manifest.to_string(),
            inputs: self.engine.with(Engine::inputs),
            step_mode: self.step_mode,
        }
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
        lines.push(TerminalLine { id: self.next_line_id, kind, text: text.into() });
        self.next_line_id = self.next_line_id.wrapping_add(1);
    }

    fn push_output(&mut self, output: &Output) {
        for (text, kind) in [(&output.stdout, LineKind::Output), (&output.stderr, LineKind::Error)] {
            let text = text.strip_suffix('\n').unwrap_or(text);
            if !text.is_empty() {
                self.push_line(kind, text.to_string());
            }
        }
        for hint in &output.hints {
            self.push_line(LineKind::Hint, format!("hint: {hint}"));
        }
    }

    /// Runs an input on the engine, echoes it and its output, and refreshes the frame. A command's settle runs
    /// its first slice here; if work is left, [`PlaygroundState::progress`] asks the app to run more slices.
    fn run_input(&mut self, input: Input) {
        match &input {
            Input::Run(line) | Input::RunHeld(line) => self.push_line(LineKind::Command, line.clone()),
            Input::Apply(_) | Input::ApplyHeld(_) => {
                self.push_line(LineKind::Command, format!("kubectl apply -f {MANIFEST_FILE}"));
            }
            Input::Step | Input::Steps(_) | Input::Advance(_) => {}
        }
        let outcome = self.engine.update(|engine| engine.begin_input(input));
        self.push_output(&outcome.output);
        self.flow_choice = None;
        self.inputs_revision = self.inputs_revision.wrapping_add(1);
        self.progress = None;
        self.settle_slice();
    }

    /// A command as the current mode runs it: held (unsettled) in step mode.
    fn mode_input(&self, input: Input) -> Input {
        if self.step_mode { input.held() } else { input }
    }

    /// Runs the next slice of a settle; refreshes the frame when it finishes.
    fn settle_slice(&mut self) {
        let progress = self.engine.update(|engine| engine.settle_some(SETTLE_CHUNK));
        if progress.done {
            if self.progress.as_ref().is_some_and(|p| p.cancellable) {
                self.progress = None;
            }
            if progress.steps > 0 {
                // The command is now recorded as settled: save that.
                self.inputs_revision = self.inputs_revision.wrapping_add(1);
            }
            self.refresh();
            return;
        }
        let first = self.progress.is_none();
        self.progress = Some(match self.progress.take() {
            Some(previous) => Progress { steps: progress.steps, ..previous },
            None => Progress {
                label: "Settling the cluster".to_string(),
                done: 0,
                total: 0,
                steps: progress.steps,
                cancellable: true,
            },
        });
        if first {
            // Show the objects the command wrote while the controllers work.
            self.refresh();
        }
    }

    /// Whether long work (a restore or a settle) is under way.
    pub fn busy(&self) -> bool {
        self.progress.is_some()
    }

    /// Rebuilds the frame and the inspector after the engine changed.
    fn refresh(&mut self) {
        self.frame = Rc::new(self.engine.with(|engine| build_frame(engine, self.flow_choice)));
        self.refresh_inspection();
    }

    fn refresh_inspection(&mut self) {
        let Some(key) = self.selected.clone() else {
            self.inspection = Rc::default();
            self.lifecycle = None;
            return;
        };
        let (inspection, lifecycle) = self.engine.with(|engine| {
            let inspection = inspect(engine.shown().cluster(), &key);
            let lifecycle = (key.kind == stowage_core::Kind::PersistentVolume)
                .then(|| Rc::new((key.name.clone(), lifecycle(&engine.volume_history(&key.name)))));
            (inspection, lifecycle)
        });
        self.inspection = Rc::new(inspection);
        self.lifecycle = lifecycle;
    }

    fn apply_manifest(&mut self) {
        let mut diagnostics = diagnostics_of(&self.manifest);
        let input = self.mode_input(Input::Apply(self.manifest.to_string()));
        self.run_input(input);
        if diagnostics.is_empty() {
            let stderr: String = self
                .terminal
                .iter()
                .rev()
                .take_while(|line| line.kind != LineKind::Command)
                .filter(|line| line.kind == LineKind::Error)
                .map(|line| format!("{}\n", line.text))
                .collect();
            diagnostics = crate::fieldpath::server_diagnostics(&self.manifest, &stderr);
        }
        self.diagnostics = Rc::new(diagnostics);
    }

    fn run_command(&mut self, command: &str) {
        let command = command.trim_end();
        if command.trim() == "clear" {
            Rc::make_mut(&mut self.terminal).clear();
            return;
        }
        if command.trim().is_empty() {
            self.push_line(LineKind::Command, "");
            return;
        }
        let input = self.mode_input(Input::Run(command.to_string()));
        self.run_input(input);
    }

    fn switch_profile(&mut self, profile: Profile) {
        self.profile = profile;
        self.engine = EngineCell::new(Engine::new(profile));
        self.selected = None;
        self.flow_choice = None;
        self.playing = false;
        self.pending = Rc::default();
        self.progress = None;
        self.diagnostics = Rc::default();
        Rc::make_mut(&mut self.terminal).clear();
        self.inputs_revision = self.inputs_revision.wrapping_add(1);
        self.refresh();
        self.greet();
    }

    fn step(&mut self) {
        if self.frame.viewing_past || self.busy() {
            return;
        }
        self.run_input(Input::Step);
    }

    fn tick(&mut self) {
        if !self.playing || self.busy() {
            return;
        }
        if self.frame.viewing_past {
            self.playing = false;
            return;
        }
        let ms = (f64::from(TICK_MS) * self.speed_factor()).round() as u64;
        self.run_input(Input::Advance(ms.max(1)));
    }
}

/// The editor markers for a manifest: every document that does not decode, at the position the engine gives.
pub fn diagnostics_of(text: &str) -> Vec<Diagnostic> {
    decode_documents(text)
        .into_iter()
        .filter_map(|document| document.result.err())
        .map(|error| {
            let position = error.position.unwrap_or(stowage_core::api::decode::Position { line: 1, column: 1 });
            Diagnostic {
                line: u32::try_from(position.line).unwrap_or(1),
                column: u32::try_from(position.column).unwrap_or(1),
                message: error.kubectl_message(MANIFEST_FILE, "creating").into(),
            }
        })
        .collect()
}

/// Derives the frame of the shown checkpoint.
fn build_frame(engine: &Engine, flow_choice: Option<(usize, usize)>) -> Frame {
    let cluster = engine.shown().cluster();
    let view = cluster.view();
    let scene = crate::scene::build(cluster, &view);
    let diagram = layout(&scene);
    let shown = engine.shown_index();
    let flow_range = flow_choice.unwrap_or_else(|| {
        let last = engine.last_command_index();
        (last, shown)
    });
    let flow_range = (flow_range.0.min(shown), flow_range.1.min(shown));
    let events = engine.trace_between(flow_range.0, flow_range.1, crate::flow::MESSAGES_MAX * 4);
    let sequence = sequence(&events);
    let timeline = engine
        .checkpoints()
        .iter()
        .map(|checkpoint| TimelineEntry {
            label: checkpoint.input.as_ref().map_or_else(|| "cluster created".to_string(), Input::label),
            summary: checkpoint.summary.clone(),
            at_ms: checkpoint.at_ms,
            command: checkpoint.input.as_ref().is_some_and(Input::is_command),
        })
        .collect();
    let trace = cluster.api().trace().events();
    let events = trace
        .iter()
        .rev()
        .filter(|event| event.verb == TraceVerb::Event)
        .take(EVENTS_MAX)
        .map(|event| {
            let (head, message) = event.message.split_once(": ").unwrap_or(("", &event.message));
            let (kind, reason) = head.split_once(' ').unwrap_or(("Normal", head));
            EventRow {
                seq: event.seq,
                at_ms: event.at_ms,
                kind: kind.to_string(),
                reason: reason.to_string(),
                object: event.object.as_ref().map(ToString::to_string).unwrap_or_default(),
                message: message.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Frame {
        view,
        scene,
        diagram,
        sequence,
        flow_range,
        timeline,
        shown,
        viewing_past: engine.viewing().is_some(),
        events,
        fresh_from: engine.checkpoints()[shown]
            .input
            .as_ref()
            .filter(|input| !input.is_command())
            .map(|_| engine.checkpoints()[shown].trace_start),
    }
}

/// What the playground can do to a node's machine (`stowage node stop|partition|start NODE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeAction {
    /// Power the machine off.
    Stop,
    /// Cut it off from the control plane.
    Partition,
    /// Bring it back.
    Start,
}

impl NodeAction {
    /// Every action, in menu order.
    pub const ALL: [NodeAction; 3] = [NodeAction::Stop, NodeAction::Partition, NodeAction::Start];

    /// The shell's verb.
    pub fn verb(self) -> &'static str {
        match self {
            NodeAction::Stop => "stop",
            NodeAction::Partition => "partition",
            NodeAction::Start => "start",
        }
    }

    /// The button's label.
    pub fn label(self) -> &'static str {
        match self {
            NodeAction::Stop => "Stop node",
            NodeAction::Partition => "Partition node",
            NodeAction::Start => "Start node",
        }
    }

    /// The terminal line that does it (run through the session, so it is recorded as an input).
    pub fn command(self, node: &str) -> String {
        format!("stowage node {} {node}", self.verb())
    }

    /// Whether the action changes a machine in `state` (`Ready`, `Stopped`, `Partitioned`).
    pub fn applies_to(self, state: &str) -> bool {
        match self {
            NodeAction::Stop => state != "Stopped",
            NodeAction::Partition => state == "Ready",
            NodeAction::Start => state != "Ready",
        }
    }
}

/// A node machine's state as the view reports it: `Ready` unless the playground stopped or partitioned it.
pub fn machine_state<'a>(view: &'a ClusterView, node: &str) -> &'a str {
    view.node_states.iter().find(|(name, _)| name == node).map_or("Ready", |(_, state)| state.as_str())
}

/// `9479` → `0:09.479` (simulated time since the cluster started).
pub fn clock(ms: u64) -> String {
    let seconds = ms / 1_000;
    format!("{}:{:02}.{:03}", seconds / 60, seconds % 60, ms % 1_000)
}

/// `+2.4s` style label of a duration.
pub fn duration(ms: u64) -> String {
    format_duration_ms(ms)
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
            PlaygroundAction::Apply => next.apply_manifest(),
            PlaygroundAction::RunCommand(command) => next.run_command(&command),
            PlaygroundAction::CancelInput(text) => {
                next.push_line(LineKind::Command, format!("{text}^C"));
            }
            PlaygroundAction::ShowCandidates(candidates) => {
                next.push_line(LineKind::Output, candidates.join("  "));
            }
            PlaygroundAction::ClearTerminal => Rc::make_mut(&mut next.terminal).clear(),
            PlaygroundAction::Select(key) => {
                if key == self.selected {
                    return self;
                }
                next.selected = key;
                next.refresh_inspection();
            }
            PlaygroundAction::Step => next.step(),
            PlaygroundAction::Tick => {
                if !self.playing {
                    return self;
                }
                next.tick();
            }
            PlaygroundAction::TogglePlay => {
                next.playing = !self.playing;
                if next.playing && self.frame.viewing_past {
                    next.playing = false;
                }
            }
            PlaygroundAction::SetSpeed(speed) => next.speed = speed.min(SPEEDS.len() - 1),
            PlaygroundAction::ToggleStepMode => {
                next.step_mode = !self.step_mode;
                next.inputs_revision = next.inputs_revision.wrapping_add(1);
            }
            PlaygroundAction::Scrub(index) => {
                if self.busy() {
                    return self;
                }
                next.playing = false;
                next.engine.update(|engine| engine.view_checkpoint(index));
                next.flow_choice = None;
                next.refresh();
            }
            PlaygroundAction::ContinueFromHere => {
                let shown = self.frame.shown;
                next.engine.update(|engine| engine.continue_from(shown));
                next.inputs_revision = next.inputs_revision.wrapping_add(1);
                next.push_line(
                    LineKind::Hint,
                    format!(
                        "Continuing from {} (simulated time {}); later inputs were discarded.",
                        self.frame.timeline[shown].label,
                        clock(self.frame.timeline[shown].at_ms)
                    ),
                );
                next.refresh();
            }
            PlaygroundAction::BackToNow => {
                next.engine.update(|engine| {
                    let last = engine.checkpoints().len() - 1;
                    engine.view_checkpoint(last);
                });
                next.refresh();
            }
            PlaygroundAction::SetFlowRange(range) => {
                next.flow_choice = range;
                next.refresh();
            }
            PlaygroundAction::SwitchProfile(profile) => next.switch_profile(profile),
            PlaygroundAction::Restore(saved) => {
                next.switch_profile(profile_named(&saved.profile));
                next.manifest = saved.manifest.into();
                next.manifest_revision = next.manifest_revision.wrapping_add(1);
                next.step_mode = saved.step_mode;
                let total = saved.inputs.len();
                next.pending = Rc::new(saved.inputs.into());
                next.progress = (total > 0).then(|| Progress {
                    label: "Restoring your session".to_string(),
                    done: 0,
                    total,
                    steps: 0,
                    cancellable: false,
                });
                if total == 0 {
                    next.inputs_revision = next.inputs_revision.wrapping_add(1);
                }
            }
            PlaygroundAction::RestoreChunk => {
                let settling = self.engine.with(Engine::is_settling);
                if self.pending.is_empty() && !settling {
                    return self;
                }
                let restoring = self.progress.as_ref().filter(|p| !p.cancellable).cloned();
                if settling {
                    next.settle_slice();
                }
                // Restored inputs run as recorded (held or settling), a few per frame.
                if let Some(restoring) = restoring {
                    let mut ran = 0;
                    while ran < RESTORE_CHUNK && !next.engine.with(Engine::is_settling) {
                        let Some(input) = Rc::make_mut(&mut next.pending).pop_front() else {
                            break;
                        };
                        next.run_input(input);
                        ran += 1;
                    }
                    let settling = next.engine.with(Engine::is_settling);
                    let left = next.pending.len() + usize::from(settling);
                    let steps = next.progress.as_ref().map_or(0, |p| p.steps);
                    next.progress = (left > 0).then(|| Progress { done: restoring.total - left, steps, ..restoring });
                    if left == 0 {
                        next.refresh();
                    }
                }
            }
            PlaygroundAction::CancelWork => {
                if !self.progress.as_ref().is_some_and(|p| p.cancellable) {
                    return self;
                }
                let steps = next.engine.update(Engine::cancel_settling);
                next.progress = None;
                next.inputs_revision = next.inputs_revision.wrapping_add(1);
                next.push_line(
                    LineKind::Hint,
                    format!(
                        "Settling cancelled after {steps} controller actions; the rest of the work stays queued \
                         (Step or Play runs it)."
                    ),
                );
                next.refresh();
            }
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

    fn reduce(state: PlaygroundState, action: PlaygroundAction) -> PlaygroundState {
        (*Rc::new(state).reduce(action)).clone()
    }

    fn texts(state: &PlaygroundState) -> Vec<(LineKind, String)> {
        state.terminal.iter().map(|line| (line.kind.clone(), line.text.to_string())).collect()
    }

    fn status(state: &PlaygroundState, id: &str) -> String {
        state.frame.diagram.shape(id).map(|s| s.status.clone()).unwrap_or_default()
    }

    #[test]
    fn initial_state_should_hold_the_default_scenario() {
        let state = PlaygroundState::default();
        assert!(state.manifest.contains("name: pv-nfs-data"));
        assert!(state.manifest.contains("name: data-claim"));
        assert!(state.manifest.contains("kind: Namespace"));
        assert_eq!(state.manifest_documents(), 3);
        assert_eq!(state.profile, Profile::Guide);
        assert_eq!(
            state.terminal.last().map(|line| (line.kind.clone(), line.text.to_string())),
            Some((LineKind::Suggestion, SUGGESTED_COMMAND.to_owned()))
        );
        assert_eq!(state.frame.diagram.shapes.iter().filter(|s| s.kind == crate::layout::ShapeKind::Node).count(), 3);
    }

    #[test]
    fn apply_should_bind_the_static_volume_and_claim() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::Apply);
        let lines = texts(&state);
        assert!(lines.contains(&(LineKind::Command, "kubectl apply -f manifest.yaml".into())));
        assert!(lines.contains(&(
            LineKind::Output,
            "namespace/production created\npersistentvolume/pv-nfs-data created\npersistentvolumeclaim/data-claim created".into()
        )));
        assert_eq!(status(&state, "PersistentVolume/pv-nfs-data"), "Bound");
        assert_eq!(status(&state, "PersistentVolumeClaim/production/data-claim"), "Bound");
        assert!(state.diagnostics.is_empty());
        let lanes: Vec<&str> = state.frame.sequence.lanes.iter().map(|l| crate::flow::lane_id(*l)).collect();
        assert_eq!(lanes[..3], ["user", "apiserver", "pv-controller"]);
    }

    #[test]
    fn run_command_should_print_stdout_and_stderr() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::RunCommand("kubectl get pv".into()));
        let lines = texts(&state);
        assert_eq!(
            lines[lines.len() - 2..],
            [(LineKind::Command, "kubectl get pv".to_owned()), (LineKind::Error, "No resources found".to_owned()),]
        );
        assert_eq!(state.history(), ["kubectl get pv"]);
    }

    #[test]
    fn a_bad_manifest_should_get_a_marker_at_the_reported_line() {
        let state = reduce(
            PlaygroundState::default(),
            PlaygroundAction::EditManifest("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: [\n".into()),
        );
        let state = reduce(state, PlaygroundAction::Apply);
        assert_eq!(state.diagnostics.len(), 1, "{:?}", state.diagnostics);
        assert!(state.diagnostics[0].line >= 4, "{:?}", state.diagnostics);
        assert!(texts(&state).iter().any(|(kind, _)| *kind == LineKind::Error));
    }

    #[test]
    fn clear_should_empty_the_scrollback() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::RunCommand("clear".into()));
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
        let next = state.clone().reduce(PlaygroundAction::EditManifest(AttrValue::Static(DEFAULT_MANIFEST)));
        assert!(Rc::ptr_eq(&state, &next));
    }

    #[test]
    fn load_manifest_should_bump_the_revision_and_clear_diagnostics() {
        let state = reduce(
            PlaygroundState::default(),
            PlaygroundAction::SetDiagnostics(vec![Diagnostic { line: 1, column: 1, message: "bad".into() }]),
        );
        let next = reduce(state, PlaygroundAction::LoadManifest("kind: Pod\n".into()));
        assert_eq!(next.manifest_revision, 1);
        assert!(next.diagnostics.is_empty());
        assert_eq!(next.manifest_documents(), 1);
    }

    #[test]
    fn toggle_theme_should_flip_the_shown_theme() {
        let state = reduce(PlaygroundState::new(ThemeChoice::System, true), PlaygroundAction::ToggleTheme);
        assert_eq!(state.theme(), Theme::Light);
        let state = reduce(state, PlaygroundAction::ToggleTheme);
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

    #[test]
    fn scrubbing_back_and_continuing_should_discard_the_future() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::Apply);
        let state = reduce(state, PlaygroundAction::RunCommand("kubectl delete pvc data-claim -n production".into()));
        assert_eq!(status(&state, "PersistentVolume/pv-nfs-data"), "Released");
        let state = reduce(state, PlaygroundAction::Scrub(1));
        assert!(state.frame.viewing_past);
        assert_eq!(status(&state, "PersistentVolume/pv-nfs-data"), "Bound");
        let forward = reduce(state.clone(), PlaygroundAction::BackToNow);
        assert_eq!(status(&forward, "PersistentVolume/pv-nfs-data"), "Released");
        let state = reduce(state, PlaygroundAction::ContinueFromHere);
        assert!(!state.frame.viewing_past);
        assert_eq!(state.frame.timeline.len(), 2);
        assert_eq!(status(&state, "PersistentVolumeClaim/production/data-claim"), "Bound");
    }

    #[test]
    fn selecting_a_volume_should_show_its_lifecycle() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::Apply);
        let state = reduce(state, PlaygroundAction::RunCommand("kubectl delete pvc data-claim -n production".into()));
        let key = ObjectKey::cluster(stowage_core::Kind::PersistentVolume, "pv-nfs-data");
        let state = reduce(state, PlaygroundAction::Select(Some(key)));
        assert!(state.inspection.yaml.contains("pv-nfs-data"));
        let lifecycle = state.lifecycle.as_ref().expect("a lifecycle");
        assert_eq!(lifecycle.1.current, Some(crate::flow::VolumeState::Released));
        assert_eq!(lifecycle.1.taken.len(), 3);
    }

    #[test]
    fn step_mode_should_leave_the_work_queued_for_one_controller_action_per_step() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::ToggleStepMode);
        let mut state = reduce(state, PlaygroundAction::Apply);
        // The API writes are made; the controllers have not run.
        assert!(!state.frame.view.settled);
        assert_eq!(status(&state, "PersistentVolumeClaim/production/data-claim"), "Pending");
        assert_eq!(status(&state, "PersistentVolume/pv-nfs-data"), "Pending");
        let mut steps = 0;
        let mut statuses = Vec::new();
        while !state.frame.view.settled && steps < 100 {
            let messages = state.frame.sequence.messages.len();
            state = reduce(state, PlaygroundAction::Step);
            steps += 1;
            assert!(state.frame.fresh_from.is_some());
            assert!(state.frame.sequence.messages.len() >= messages, "the flow grows with each step");
            statuses.push(status(&state, "PersistentVolume/pv-nfs-data"));
        }
        assert!(steps > 1, "{steps} steps");
        assert_eq!(status(&state, "PersistentVolumeClaim/production/data-claim"), "Bound");
        assert!(statuses.contains(&"Available".to_string()), "{statuses:?}");
        // The same state as settling at once, and replay reproduces it.
        let settled = reduce(PlaygroundState::default(), PlaygroundAction::Apply);
        assert_eq!(state.frame.view.objects, settled.frame.view.objects);
        let saved = state.saved();
        assert!(saved.step_mode);
        assert!(matches!(saved.inputs[0], Input::ApplyHeld(_)));
        let mut restored = reduce(PlaygroundState::default(), PlaygroundAction::Restore(saved));
        while restored.busy() {
            restored = reduce(restored, PlaygroundAction::RestoreChunk);
        }
        assert!(restored.step_mode);
        assert_eq!(restored.frame.view, state.frame.view);
    }

    #[test]
    fn play_in_step_mode_should_run_the_queued_work_on_simulated_time() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::ToggleStepMode);
        let state = reduce(state, PlaygroundAction::Apply);
        let mut state = reduce(state, PlaygroundAction::TogglePlay);
        for _ in 0..40 {
            state = reduce(state, PlaygroundAction::Tick);
        }
        assert_eq!(status(&state, "PersistentVolumeClaim/production/data-claim"), "Bound");
    }

    fn statefulset(replicas: u32) -> String {
        format!(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n  serviceName: web\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        command: [sleep, \"3600\"]\n        volumeMounts:\n        - name: data\n          mountPath: /data\n  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      accessModes: [ReadWriteOnce]\n      resources:\n        requests:\n          storage: 1Gi\n"
        )
    }

    #[test]
    fn a_long_settle_should_run_in_slices_with_progress() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::SwitchProfile(Profile::Minikube));
        let state = reduce(state, PlaygroundAction::LoadManifest(statefulset(4).into()));
        let mut state = reduce(state, PlaygroundAction::Apply);
        let progress = state.progress.clone().expect("settling in slices");
        assert!(progress.cancellable && progress.total == 0 && progress.steps == SETTLE_CHUNK);
        let mut slices = 1;
        while state.busy() {
            state = reduce(state, PlaygroundAction::RestoreChunk);
            slices += 1;
            assert!(slices < 1_000);
        }
        assert!(slices > 1);
        assert_eq!(status(&state, "Pod/default/web-3"), "Running");
        let mut engine = Engine::new(Profile::Minikube);
        engine.apply_input(Input::Apply(statefulset(4)));
        assert_eq!(state.frame.view, engine.live().cluster().view());
        assert_eq!(state.saved().inputs, engine.inputs());
    }

    #[test]
    fn cancelling_a_settle_should_keep_the_rest_queued_and_replay_the_same() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::SwitchProfile(Profile::Minikube));
        let state = reduce(state, PlaygroundAction::LoadManifest(statefulset(4).into()));
        let state = reduce(state, PlaygroundAction::Apply);
        assert!(state.busy());
        let state = reduce(state, PlaygroundAction::CancelWork);
        assert!(!state.busy());
        assert!(!state.frame.view.settled);
        assert!(
            texts(&state).iter().any(|(_, text)| text.starts_with("Settling cancelled after 120 controller actions"))
        );
        let mut restored = reduce(PlaygroundState::default(), PlaygroundAction::Restore(state.saved()));
        while restored.busy() {
            restored = reduce(restored, PlaygroundAction::RestoreChunk);
        }
        assert_eq!(restored.frame.view, state.frame.view);
    }

    #[test]
    fn a_server_side_validation_error_should_get_a_marker_at_the_field() {
        let manifest = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: x\n  namespace: production\nspec:\n  resources:\n    requests:\n      storage: 1Gi\n";
        let state = reduce(PlaygroundState::default(), PlaygroundAction::LoadManifest(manifest.into()));
        let state = reduce(state, PlaygroundAction::Apply);
        assert!(texts(&state).iter().any(|(kind, text)| *kind == LineKind::Error && text.contains("spec.accessModes")));
        assert_eq!(state.diagnostics.len(), 1, "{:?}", state.diagnostics);
        assert_eq!((state.diagnostics[0].line, state.diagnostics[0].column), (11, 1));
        assert!(state.diagnostics[0].message.contains("spec.accessModes: Required value"));
    }

    #[test]
    fn restore_should_replay_the_saved_inputs_in_chunks() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::Apply);
        let state = reduce(state, PlaygroundAction::RunCommand("kubectl get pv".into()));
        let saved = state.saved();
        let json = serde_json::to_string(&saved).unwrap();
        let saved: Saved = serde_json::from_str(&json).unwrap();
        let mut restored = reduce(PlaygroundState::default(), PlaygroundAction::Restore(saved));
        assert_eq!(restored.progress.as_ref().map(|p| p.total), Some(2));
        while !restored.pending.is_empty() {
            restored = reduce(restored, PlaygroundAction::RestoreChunk);
        }
        assert_eq!(restored.progress, None);
        assert_eq!(restored.frame.view, state.frame.view);
        assert_eq!(restored.history(), state.history());
    }

    #[test]
    fn playing_should_advance_simulated_time_at_the_chosen_speed() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::SetSpeed(5));
        let before = state.frame.view.now_ms;
        let state = reduce(state, PlaygroundAction::TogglePlay);
        let state = reduce(state, PlaygroundAction::Tick);
        assert_eq!(state.frame.view.now_ms - before, u64::from(TICK_MS) * 8);
        let state = reduce(state, PlaygroundAction::TogglePlay);
        let paused = reduce(state.clone(), PlaygroundAction::Tick);
        assert_eq!(paused.frame.view.now_ms, state.frame.view.now_ms);
    }

    #[test]
    fn node_actions_should_be_shell_lines_for_the_states_they_change() {
        assert_eq!(NodeAction::Stop.command("node-1"), "stowage node stop node-1");
        assert_eq!(NodeAction::Partition.command("node-2"), "stowage node partition node-2");
        assert_eq!(NodeAction::Start.command("node-3"), "stowage node start node-3");
        let applicable = |state: &str| -> Vec<&str> {
            NodeAction::ALL.iter().filter(|a| a.applies_to(state)).map(|a| a.verb()).collect()
        };
        assert_eq!(applicable("Ready"), ["stop", "partition"]);
        assert_eq!(applicable("Stopped"), ["start"]);
        assert_eq!(applicable("Partitioned"), ["stop", "start"]);
        let view = PlaygroundState::default().frame.view.clone();
        assert_eq!(machine_state(&view, "node-1"), "Ready");
    }

    #[test]
    fn switching_profile_should_start_a_fresh_cluster() {
        let state = reduce(PlaygroundState::default(), PlaygroundAction::Apply);
        let state = reduce(state, PlaygroundAction::SwitchProfile(Profile::Minikube));
        assert_eq!(state.profile, Profile::Minikube);
        assert_eq!(state.frame.timeline.len(), 1);
        assert!(state.frame.diagram.shape("StorageClass/standard").is_some());
    }
}
