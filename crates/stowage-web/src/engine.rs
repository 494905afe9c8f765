//! The playground's handle on the engine: a kubectl session on a simulated cluster, the log of inputs that
//! built it, and checkpoints for the timeline (time travel).
//!
//! # Model
//! - The state of the playground is a pure function of (profile, seed, inputs): every [`Input`] the user gave
//!   (a terminal line, an applied manifest, one controller step, an advance of simulated time) is logged, and a
//!   fresh session that replays the log reaches the same cluster. Persistence stores inputs only.
//! - After each input a [`Checkpoint`] records what the input was and where the trace stood. Some checkpoints
//!   keep a clone of the session (the first, the newest [`RECENT_CLONES_KEPT`], and every
//!   [`CLONE_EVERY`]-th); the others are rebuilt by replaying inputs from the nearest kept clone.
//! - Scrubbing shows an earlier checkpoint read-only; [`Engine::continue_from`] makes it the present and
//!   discards the future.
//! - Browser timers decide only *when* to call [`Engine::advance`] or [`Engine::step`], never what happens.

use serde::{Deserialize, Serialize};
use stowage_core::sim::TraceEvent;
use stowage_core::view::status_word;
use stowage_core::{Kind, Profile, Seed, SimDuration};
use stowage_kubectl::session::{Output, Session};

/// The seed every playground session uses (the state is reproducible from the inputs alone).
pub const SEED: u64 = 1;

/// The file the editor's buffer is saved as before it is applied.
pub const MANIFEST_FILE: &str = "manifest.yaml";

/// How many of the newest checkpoints keep a session clone.
pub const RECENT_CLONES_KEPT: usize = 12;

/// Older checkpoints keep a clone when their index is a multiple of this.
pub const CLONE_EVERY: usize = 8;

/// The most checkpoints kept; the oldest inputs are folded into the first checkpoint beyond this.
pub const CHECKPOINTS_MAX: usize = 2_000;

/// One thing the user did to the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v")]
pub enum Input {
    /// A line typed in the terminal (possibly several physical lines: a heredoc).
    Run(String),
    /// The editor's text, saved as `manifest.yaml` and applied with `kubectl apply -f manifest.yaml`.
    Apply(String),
    /// A terminal line run without settling the cluster afterwards (step mode): its work stays queued.
    RunHeld(String),
    /// The editor's text applied without settling the cluster afterwards (step mode).
    ApplyHeld(String),
    /// One controller action (`Cluster::step`).
    Step,
    /// Several controller actions (a settle cancelled part way).
    Steps(u64),
    /// Simulated time passing, in milliseconds (play).
    Advance(u64),
}

impl Input {
    /// Whether this input is a user command (a terminal line or Apply), as opposed to time passing.
    pub fn is_command(&self) -> bool {
        matches!(self, Input::Run(_) | Input::Apply(_) | Input::RunHeld(_) | Input::ApplyHeld(_))
    }

    /// The same command without the settle afterwards (`Run` → `RunHeld`); other inputs are returned as they are.
    pub fn held(self) -> Input {
        match self {
            Input::Run(line) => Input::RunHeld(line),
            Input::Apply(text) => Input::ApplyHeld(text),
            other => other,
        }
    }

    /// Whether running this input settles the cluster afterwards.
    pub fn settles(&self) -> bool {
        matches!(self, Input::Run(_) | Input::Apply(_))
    }

    /// A short label for the timeline.
    pub fn label(&self) -> String {
        match self {
            Input::Run(line) | Input::RunHeld(line) => {
                let first = line.lines().next().unwrap_or_default();
                if line.contains('\n') { format!("{first} …") } else { first.to_string() }
            }
            Input::Apply(_) | Input::ApplyHeld(_) => format!("kubectl apply -f {MANIFEST_FILE}"),
            Input::Step => "step".to_string(),
            Input::Steps(n) => format!("{n} steps"),
            Input::Advance(ms) => format!("+{}", format_duration_ms(*ms)),
        }
    }
}

/// What happened after one input.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    /// The input (`None` for the fresh cluster).
    pub input: Option<Input>,
    /// Simulated time after the input, in milliseconds.
    pub at_ms: u64,
    /// The trace length before the input: its events are `trace_start..trace_end`.
    pub trace_start: u64,
    /// The trace length after the input.
    pub trace_end: u64,
    /// What the input did, in one line (the step's controller and object, for example).
    pub summary: String,
    /// Every PersistentVolume's phase after the input, by name (for the lifecycle diagram).
    pub volume_phases: Vec<(String, String)>,
    session: Option<Session>,
}

fn volume_phases(session: &Session) -> Vec<(String, String)> {
    session
        .cluster()
        .api()
        .store()
        .list(Kind::PersistentVolume)
        .map(|volume| (volume.name().to_string(), status_word(volume)))
        .collect()
}

/// The engine, its input log and its checkpoints.
#[derive(Clone, Debug)]
pub struct Engine {
    profile: Profile,
    seed: u64,
    live: Session,
    checkpoints: Vec<Checkpoint>,
    /// The checkpoint shown read-only, and its rebuilt session.
    viewing: Option<(usize, Session)>,
    /// A command whose settle runs in slices ([`Engine::begin_input`]).
    settling: Option<Settling>,
}

/// A command whose API writes are made and whose settle is still running in slices.
#[derive(Clone, Debug)]
struct Settling {
    /// The input as it will be recorded once settled (`Run`, `Apply`).
    input: Input,
    /// Controller actions run so far.
    steps: u64,
}

/// How far a sliced settle got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SettleProgress {
    /// Controller actions run so far for the current command.
    pub steps: u64,
    /// Whether the cluster settled (or nothing was settling).
    pub done: bool,
}

/// What [`Engine::apply_input`] reports back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputOutcome {
    /// The terminal output (empty for time inputs).
    pub output: Output,
    /// A one-line summary for the timeline.
    pub summary: String,
}

impl Engine {
    /// A fresh cluster of `profile`.
    pub fn new(profile: Profile) -> Engine {
        let live = Session::new(profile, Seed(SEED));
        let trace_end = live.cluster().api().trace().next_seq();
        let at_ms = live.cluster().now().as_millis();
        let phases = volume_phases(&live);
        Engine {
            profile,
            seed: SEED,
            live,
            checkpoints: vec![Checkpoint {
                input: None,
                at_ms,
                trace_start: 0,
                trace_end,
                summary: "cluster created".to_string(),
                volume_phases: phases,
                session: None,
            }],
            viewing: None,
            settling: None,
        }
        .with_first_clone()
    }

    fn with_first_clone(mut self) -> Engine {
        self.checkpoints[0].session = Some(self.live.clone());
        self
    }

    /// The profile the cluster was created from.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Every checkpoint, oldest first (index 0 is the fresh cluster).
    pub fn checkpoints(&self) -> &[Checkpoint] {
        &self.checkpoints
    }

    /// The inputs given so far, oldest first: what persistence stores.
    pub fn inputs(&self) -> Vec<Input> {
        self.checkpoints.iter().filter_map(|c| c.input.clone()).collect()
    }

    /// The checkpoint being shown read-only, if the user scrubbed back.
    pub fn viewing(&self) -> Option<usize> {
        self.viewing.as_ref().map(|(index, _)| *index)
    }

    /// The checkpoint the views show: the one scrubbed to, or the newest.
    pub fn shown_index(&self) -> usize {
        self.viewing().unwrap_or(self.checkpoints.len() - 1)
    }

    /// The session the views show (read-only when scrubbed back).
    pub fn shown(&self) -> &Session {
        match &self.viewing {
            Some((_, session)) => session,
            None => &self.live,
        }
    }

    /// The live session.
    pub fn live(&self) -> &Session {
        &self.live
    }

    /// The live session, for reads that need `&mut` (the workstation's files).
    pub fn live_mut(&mut self) -> &mut Session {
        &mut self.live
    }

    /// Runs one input on the live session and records a checkpoint. Scrubbed-back views end first.
    pub fn apply_input(&mut self, input: Input) -> InputOutcome {
        self.finish_settling();
        self.viewing = None;
        let trace_start = self.live.cluster().api().trace().next_seq();
        let outcome = run_input(&mut self.live, &input);
        // Consecutive advances (playing) merge into one checkpoint so the log stays short.
        let merge = self.checkpoints.len() > 1;
        if let (Input::Advance(ms), Some(last)) = (&input, self.checkpoints.last_mut())
            && let Some(Input::Advance(previous)) = &mut last.input
            && merge
        {
            *previous += ms;
            last.at_ms = self.live.cluster().now().as_millis();
            last.trace_end = self.live.cluster().api().trace().next_seq();
            last.summary = outcome.summary.clone();
            last.volume_phases = volume_phases(&self.live);
            last.session = None;
            self.thin_clones();
            return outcome;
        }
        self.checkpoints.push(Checkpoint {
            input: Some(input),
            at_ms: self.live.cluster().now().as_millis(),
            trace_start,
            trace_end: self.live.cluster().api().trace().next_seq(),
            summary: outcome.summary.clone(),
            volume_phases: volume_phases(&self.live),
            session: None,
        });
        if self.checkpoints.len() > CHECKPOINTS_MAX {
            // Fold the oldest input into the start: its state is kept by the clone made below.
            let index = 1;
            let session = self.session_at(index);
            self.checkpoints.remove(0);
            self.checkpoints[0].session = Some(session);
        }
        self.thin_clones();
        outcome
    }

    /// Starts an input whose settle may be long: a command (`Run`, `Apply`) makes its API writes now and is
    /// recorded as its held variant until [`Engine::settle_some`] finishes the settle, which then records it as the
    /// settling command (so replay reaches the same state). Other inputs run at once, as [`Engine::apply_input`].
    pub fn begin_input(&mut self, input: Input) -> InputOutcome {
        if !input.settles() {
            return self.apply_input(input);
        }
        let outcome = self.apply_input(input.clone().held());
        if !self.live.cluster().is_settled() {
            self.settling = Some(Settling { input, steps: 0 });
        } else if let Some(last) = self.checkpoints.last_mut() {
            last.input = Some(input);
        }
        outcome
    }

    /// Whether a command's settle is still running in slices.
    pub fn is_settling(&self) -> bool {
        self.settling.is_some()
    }

    /// Runs up to `max_steps` controller actions of the settling command. When the cluster settles, the command's
    /// checkpoint is updated to the settled state (the same state as one [`Session::run`]).
    pub fn settle_some(&mut self, max_steps: u64) -> SettleProgress {
        let Some(settling) = &mut self.settling else {
            return SettleProgress { steps: 0, done: true };
        };
        let mut ran = 0;
        while ran < max_steps
            && !self.live.cluster().is_settled()
            && settling.steps < stowage_core::Cluster::SETTLE_STEPS_MAX
        {
            if self.live.cluster_mut().step().is_none() {
                break;
            }
            ran += 1;
            settling.steps += 1;
        }
        let steps = settling.steps;
        if !self.live.cluster().is_settled() && steps < stowage_core::Cluster::SETTLE_STEPS_MAX {
            return SettleProgress { steps, done: false };
        }
        let input = settling.input.clone();
        self.settling = None;
        if !self.live.cluster().is_settled() {
            // The bound: settle the rest the way `Session::run` does, so replay agrees (it notes the bound).
            self.live.cluster_mut().settle();
        }
        let live = &self.live;
        if let Some(last) = self.checkpoints.last_mut() {
            last.input = Some(input);
            last.at_ms = live.cluster().now().as_millis();
            last.trace_end = live.cluster().api().trace().next_seq();
            last.volume_phases = volume_phases(live);
            last.session = Some(live.clone());
        }
        SettleProgress { steps, done: true }
    }

    /// Stops a sliced settle where it is: the command stays recorded without its settle, followed by the
    /// controller actions that ran (`Steps`), so replay reaches this same state. The rest of the work stays queued.
    pub fn cancel_settling(&mut self) -> u64 {
        let Some(settling) = self.settling.take() else {
            return 0;
        };
        if settling.steps > 0 {
            let trace_start = self.checkpoints.last().map_or(0, |c| c.trace_end);
            self.checkpoints.push(Checkpoint {
                input: Some(Input::Steps(settling.steps)),
                at_ms: self.live.cluster().now().as_millis(),
                trace_start,
                trace_end: self.live.cluster().api().trace().next_seq(),
                summary: format!("{} controller actions, then cancelled", settling.steps),
                volume_phases: volume_phases(&self.live),
                session: None,
            });
            self.thin_clones();
        }
        settling.steps
    }

    /// Finishes a sliced settle at once.
    pub fn finish_settling(&mut self) {
        while !self.settle_some(u64::MAX).done {}
    }

    /// Keeps clones where the model says and drops the others; the newest always keeps one.
    fn thin_clones(&mut self) {
        let len = self.checkpoints.len();
        let last = len - 1;
        if self.checkpoints[last].session.is_none() {
            self.checkpoints[last].session = Some(self.live.clone());
        }
        for (index, checkpoint) in self.checkpoints.iter_mut().enumerate() {
            let keep = index == 0 || len - index <= RECENT_CLONES_KEPT || index % CLONE_EVERY == 0;
            if !keep {
                checkpoint.session = None;
            }
        }
    }

    /// The session as it was at checkpoint `index`: a kept clone, or one rebuilt by replaying inputs.
    fn session_at(&self, index: usize) -> Session {
        let index = index.min(self.checkpoints.len() - 1);
        let base = (0..=index).rev().find(|&i| self.checkpoints[i].session.is_some()).unwrap_or(0);
        let mut session = match &self.checkpoints[base].session {
            Some(session) => session.clone(),
            None => Session::new(self.profile, Seed(self.seed)),
        };
        for checkpoint in &self.checkpoints[base + 1..=index] {
            if let Some(input) = &checkpoint.input {
                run_input(&mut session, input);
            }
        }
        session
    }

    /// Shows checkpoint `index` read-only (the newest index returns to the present).
    pub fn view_checkpoint(&mut self, index: usize) {
        self.finish_settling();
        let index = index.min(self.checkpoints.len() - 1);
        if index == self.checkpoints.len() - 1 {
            self.viewing = None;
        } else if self.viewing() != Some(index) {
            self.viewing = Some((index, self.session_at(index)));
        }
    }

    /// Makes checkpoint `index` the present: later checkpoints and their inputs are discarded.
    pub fn continue_from(&mut self, index: usize) {
        self.finish_settling();
        let index = index.min(self.checkpoints.len() - 1);
        let session = match self.viewing.take() {
            Some((shown, session)) if shown == index => session,
            _ => self.session_at(index),
        };
        self.live = session;
        self.checkpoints.truncate(index + 1);
        self.thin_clones();
    }

    /// The trace events of checkpoints `from..=to` as the shown session holds them, at most `max` (the newest).
    pub fn trace_between(&self, from: usize, to: usize, max: usize) -> Vec<TraceEvent> {
        let last = self.checkpoints.len() - 1;
        let (from, to) = (from.min(last), to.min(last));
        let (from, to) = (from.min(to), from.max(to));
        let start = self.checkpoints[from].trace_start;
        let end = self.checkpoints[to].trace_end;
        let events = self.shown().cluster().api().trace().since(start);
        let events: Vec<TraceEvent> = events.iter().take_while(|e| e.seq < end).cloned().collect();
        let skip = events.len().saturating_sub(max);
        events.into_iter().skip(skip).collect()
    }

    /// A volume's phase after each checkpoint up to the shown one (`None`: it did not exist then).
    pub fn volume_history(&self, name: &str) -> Vec<Option<&str>> {
        self.checkpoints[..=self.shown_index()]
            .iter()
            .map(|checkpoint| {
                checkpoint.volume_phases.iter().find(|(volume, _)| volume == name).map(|(_, phase)| phase.as_str())
            })
            .collect()
    }

    /// The index of the last command (terminal line or Apply) at or before the shown checkpoint, or 0.
    pub fn last_command_index(&self) -> usize {
        let shown = self.shown_index();
        (1..=shown).rev().find(|&i| self.checkpoints[i].input.as_ref().is_some_and(Input::is_command)).unwrap_or(0)
    }
}

/// Runs one input on a session.
fn run_input(session: &mut Session, input: &Input) -> InputOutcome {
    match input {
        Input::Run(line) => {
            let output = session.run(line);
            InputOutcome { summary: summarize_output(&output), output }
        }
        Input::RunHeld(line) => {
            let output = session.run_unsettled(line);
            InputOutcome { summary: summarize_output(&output), output }
        }
        Input::Apply(text) | Input::ApplyHeld(text) => {
            let settle = matches!(input, Input::Apply(_));
            let output = match session.write_file(MANIFEST_FILE, text) {
                Ok(()) if settle => session.run(&format!("kubectl apply -f {MANIFEST_FILE}")),
                Ok(()) => session.run_unsettled(&format!("kubectl apply -f {MANIFEST_FILE}")),
                Err(error) => Output {
                    stderr: format!("cannot save {MANIFEST_FILE}: {error}\n"),
                    exit_code: 1,
                    ..Output::default()
                },
            };
            InputOutcome { summary: summarize_output(&output), output }
        }
        Input::Step => {
            let summary = match session.cluster_mut().step() {
                Some(step) => format!("{} reconciled {}", step.component, step.key),
                None => "nothing to do: no controller has work queued".to_string(),
            };
            InputOutcome { output: Output::default(), summary }
        }
        Input::Steps(n) => {
            let ran = (0..*n).take_while(|_| session.cluster_mut().step().is_some()).count();
            InputOutcome { output: Output::default(), summary: format!("{ran} controller actions") }
        }
        Input::Advance(ms) => {
            let report = session.cluster_mut().advance(SimDuration::from_millis(*ms));
            InputOutcome { output: Output::default(), summary: format!("{} controller actions", report.steps) }
        }
    }
}

fn summarize_output(output: &Output) -> String {
    let text = if output.exit_code == 0 { &output.stdout } else { &output.stderr };
    text.lines().next().unwrap_or_default().to_string()
}

/// `90000` → `1m30s`, `1500` → `1.5s`.
pub fn format_duration_ms(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        if ms.is_multiple_of(1_000) { format!("{}s", ms / 1_000) } else { format!("{:.1}s", ms as f64 / 1_000.0) }
    } else {
        let seconds = ms / 1_000;
        let (minutes, seconds) = (seconds / 60, seconds % 60);
        if minutes >= 60 {
            format!("{}h{:02}m", minutes / 60, minutes % 60)
        } else {
            format!("{minutes}m{seconds:02}s")
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\n";

    #[test]
    fn inputs_should_round_trip_through_json() {
        let inputs = vec![
            Input::Run("kubectl get pv".into()),
            Input::Apply("kind: X\n".into()),
            Input::Step,
            Input::Advance(250),
        ];
        let text = serde_json::to_string(&inputs).unwrap();
        assert_eq!(
            text,
            r#"[{"t":"Run","v":"kubectl get pv"},{"t":"Apply","v":"kind: X\n"},{"t":"Step"},{"t":"Advance","v":250}]"#
        );
        let back: Vec<Input> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, inputs);
    }

    #[test]
    fn apply_should_save_the_buffer_and_run_kubectl_apply() {
        let mut engine = Engine::new(Profile::Guide);
        let outcome = engine.apply_input(Input::Apply(NAMESPACE.into()));
        assert_eq!(outcome.output.stdout, "namespace/production created\n");
        assert_eq!(engine.live_mut().read_file(MANIFEST_FILE).as_deref(), Some(NAMESPACE));
        assert_eq!(engine.checkpoints().len(), 2);
    }

    #[test]
    fn advances_should_merge_into_one_checkpoint() {
        let mut engine = Engine::new(Profile::Guide);
        engine.apply_input(Input::Advance(250));
        engine.apply_input(Input::Advance(500));
        assert_eq!(engine.inputs(), vec![Input::Advance(750)]);
        engine.apply_input(Input::Step);
        engine.apply_input(Input::Advance(100));
        assert_eq!(engine.inputs().len(), 3);
    }

    #[test]
    fn scrubbing_back_should_show_the_old_cluster_and_continuing_should_discard_the_future() {
        let mut engine = Engine::new(Profile::Guide);
        engine.apply_input(Input::Apply(NAMESPACE.into()));
        for i in 0..30 {
            engine.apply_input(Input::Run(format!("kubectl create configmap c{i} -n production")));
        }
        let has =
            |engine: &Engine, name: &str| engine.shown().cluster().view().objects.iter().any(|o| o.key.name == name);
        assert!(has(&engine, "c29"));
        // Checkpoint 3 is rebuilt by replay (its clone was thinned away).
        engine.view_checkpoint(3);
        assert_eq!(engine.viewing(), Some(3));
        assert!(has(&engine, "c1") && !has(&engine, "c2"));
        assert!(!has(&engine, "c29"));
        // The live cluster is untouched.
        assert!(engine.live().cluster().view().objects.iter().any(|o| o.key.name == "c29"));
        engine.continue_from(3);
        assert_eq!(engine.viewing(), None);
        assert_eq!(engine.checkpoints().len(), 4);
        assert!(has(&engine, "c1") && !has(&engine, "c2"));
        let out = engine.apply_input(Input::Run("kubectl get cm -n production -o name".into()));
        assert!(out.output.stdout.contains("configmap/c1\n"), "{}", out.output.stdout);
        assert!(!out.output.stdout.contains("configmap/c2\n"), "{}", out.output.stdout);
    }

    #[test]
    fn replaying_the_inputs_should_reach_the_same_cluster() {
        let mut engine = Engine::new(Profile::Guide);
        engine.apply_input(Input::Apply(NAMESPACE.into()));
        engine.apply_input(Input::Run("kubectl create configmap a -n production".into()));
        engine.apply_input(Input::Advance(5_000));
        engine.apply_input(Input::Step);
        let mut replayed = Engine::new(Profile::Guide);
        for input in engine.inputs() {
            replayed.apply_input(input);
        }
        assert_eq!(replayed.live().cluster().view(), engine.live().cluster().view());
    }

    #[test]
    fn trace_between_should_hold_the_last_operation() {
        let mut engine = Engine::new(Profile::Guide);
        engine.apply_input(Input::Apply(NAMESPACE.into()));
        let index = engine.last_command_index();
        assert_eq!(index, 1);
        let events = engine.trace_between(index, index, 1_000);
        assert!(!events.is_empty());
        assert!(events.iter().all(|e| e.seq >= engine.checkpoints()[1].trace_start));
    }

    const STATEFULSET: &str = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  serviceName: web\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: c\n        image: busybox\n        command: [sleep, \"3600\"]\n        volumeMounts:\n        - name: data\n          mountPath: /data\n  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      accessModes: [ReadWriteOnce]\n      resources:\n        requests:\n          storage: 1Gi\n";

    fn replayed(engine: &Engine) -> Engine {
        let mut replayed = Engine::new(engine.profile());
        for input in engine.inputs() {
            replayed.apply_input(input);
        }
        replayed
    }

    #[test]
    fn a_settle_in_slices_should_reach_the_same_state_as_one_settle() {
        let mut whole = Engine::new(Profile::Minikube);
        whole.apply_input(Input::Apply(STATEFULSET.into()));
        let mut sliced = Engine::new(Profile::Minikube);
        let outcome = sliced.begin_input(Input::Apply(STATEFULSET.into()));
        assert_eq!(outcome.output.stdout, "statefulset.apps/web created\n");
        assert!(sliced.is_settling());
        assert_eq!(sliced.inputs(), vec![Input::ApplyHeld(STATEFULSET.into())]);
        let mut slices = 0;
        while !sliced.settle_some(7).done {
            slices += 1;
        }
        assert!(slices > 3, "{slices} slices");
        assert_eq!(sliced.inputs(), whole.inputs());
        assert_eq!(sliced.live().cluster().view(), whole.live().cluster().view());
        assert_eq!(sliced.checkpoints()[1].trace_end, whole.checkpoints()[1].trace_end);
        assert_eq!(replayed(&sliced).live().cluster().view(), whole.live().cluster().view());
    }

    #[test]
    fn a_cancelled_settle_should_replay_to_the_same_state() {
        let mut engine = Engine::new(Profile::Minikube);
        engine.begin_input(Input::Apply(STATEFULSET.into()));
        assert!(!engine.settle_some(5).done);
        assert_eq!(engine.cancel_settling(), 5);
        assert!(!engine.is_settling());
        assert!(!engine.live().cluster().is_settled());
        assert_eq!(engine.inputs(), vec![Input::ApplyHeld(STATEFULSET.into()), Input::Steps(5)]);
        assert_eq!(replayed(&engine).live().cluster().view(), engine.live().cluster().view());
        // A later command finishes nothing by itself: the queued work stays until stepped or settled.
        engine.view_checkpoint(1);
        assert_eq!(engine.viewing(), Some(1));
    }

    #[test]
    fn held_commands_should_leave_work_for_steps() {
        let mut engine = Engine::new(Profile::Minikube);
        engine.apply_input(Input::ApplyHeld(STATEFULSET.into()));
        assert!(!engine.live().cluster().is_settled());
        let mut steps = 0;
        while !engine.live().cluster().is_settled() && steps < 10_000 {
            engine.apply_input(Input::Step);
            steps += 1;
        }
        let mut settled = Engine::new(Profile::Minikube);
        settled.apply_input(Input::Apply(STATEFULSET.into()));
        assert_eq!(engine.live().cluster().view(), settled.live().cluster().view());
        assert_eq!(replayed(&engine).live().cluster().view(), engine.live().cluster().view());
    }

    #[test]
    fn durations_should_read_like_kubectl() {
        assert_eq!(format_duration_ms(250), "250ms");
        assert_eq!(format_duration_ms(1_500), "1.5s");
        assert_eq!(format_duration_ms(90_000), "1m30s");
        assert_eq!(format_duration_ms(3_600_000), "1h00m");
    }
}
