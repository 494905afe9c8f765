//! The cluster: the mutable host that owns the API server, the backend and the work queue, and steps
//! the simulation. UIs and kubectl read its plain-data [`ClusterView`] and the trace.

use crate::api::{ApiError, Object, ObjectKey};
use crate::apiserver::{ApiServer, DeleteOptions, Deleted, PatchType};
use crate::backend::Backend;
use crate::controllers::{Ctx, ReconcileError, registry};
use crate::profiles::Profile;
use crate::sim::{Component, Seed, SimDuration, SimRng, SimTime, TraceVerb, WorkQueue};
use crate::view::ClusterView;
use std::collections::BTreeMap;

/// How a bounded run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SettleReport {
    /// Reconciles run.
    pub steps: u64,
    /// Whether the bound was hit with foreground work still pending (a controller that never settles).
    pub hit_bound: bool,
    /// Simulated time when the run ended.
    pub now_ms: u64,
}

/// One step's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The controller that ran.
    pub component: Component,
    /// The key it reconciled.
    pub key: ObjectKey,
    /// When.
    pub at: SimTime,
}

/// A simulated cluster.
#[derive(Clone, Debug)]
pub struct Cluster {
    api: ApiServer,
    backend: Backend,
    rng: SimRng,
    queue: WorkQueue,
    /// The store resourceVersion up to which changes were dispatched to controllers.
    dispatched: u64,
    /// Consecutive failures per (controller, key), for backoff.
    failures: BTreeMap<(u16, ObjectKey), u32>,
    /// When each controller's last periodic resync ran.
    last_resync: BTreeMap<u16, SimTime>,
    profile: Profile,
    seed: Seed,
    steps: u64,
    violations: Vec<String>,
}

impl Cluster {
    /// The most steps `settle` runs before it reports that it hit its bound.
    pub const SETTLE_STEPS_MAX: u64 = 200_000;
    /// The cap of the error backoff.
    pub const BACKOFF_MAX: SimDuration = SimDuration::from_secs(300);

    /// A new cluster of `profile`, with every random choice drawn from `seed`.
    pub fn new(profile: Profile, seed: Seed) -> Cluster {
        let mut cluster = Cluster {
            api: ApiServer::new(seed),
            backend: Backend::default(),
            rng: SimRng::new(seed, 2),
            queue: WorkQueue::default(),
            dispatched: 0,
            failures: BTreeMap::new(),
            last_resync: BTreeMap::new(),
            profile,
            seed,
            steps: 0,
            violations: Vec::new(),
        };
        for object in crate::profiles::bootstrap_objects(profile) {
            // Bootstrap objects are well-formed by construction; a failure is a bug in the profile.
            if let Err(error) = cluster.api.bootstrap(object) {
                cluster.violations.push(format!("profile {profile}: {error}"));
            }
        }
        cluster.dispatch();
        cluster.settle();
        cluster
    }

    /// A cluster whose containers run on `runtime` (the playground passes the shell's runtime; `new`
    /// uses the engine's built-in one).
    pub fn with_runtime(
        profile: Profile,
        seed: Seed,
        runtime: &'static dyn crate::runtime::ContainerRuntime,
    ) -> Cluster {
        let mut cluster = Cluster::new(profile, seed);
        cluster.backend.dataplane.runtime = runtime;
        cluster
    }

    /// The API server, the backend and the controllers' random stream, for the data plane's API
    /// (`crate::kubelet::api`); call [`Cluster::after_write`] after writing through them.
    pub(crate) fn parts_mut(&mut self) -> (&mut ApiServer, &mut Backend, &mut SimRng) {
        (&mut self.api, &mut self.backend, &mut self.rng)
    }

    /// Dispatches writes made through [`Cluster::parts_mut`] and asks controllers of `keys` to look again.
    pub(crate) fn after_write(&mut self, keys: &[ObjectKey]) {
        let now = self.api.now();
        for key in keys {
            for (index, controller) in registry().iter().enumerate() {
                if controller.reconciles().contains(&key.kind) {
                    self.queue.add(index as u16, key.clone(), now, false);
                }
            }
        }
        self.dispatch();
    }

    /// The profile this cluster was created from.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The seed this cluster was created with.
    pub fn seed(&self) -> Seed {
        self.seed
    }

    /// Read access to the API server.
    pub fn api(&self) -> &ApiServer {
        &self.api
    }

    /// The simulated backend.
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.api.now()
    }

    /// Invariant violations found so far (always empty unless the simulator has a bug).
    pub fn violations(&self) -> &[String] {
        &self.violations
    }

    /// The server-side warnings of the user's last create, update or patch (kubectl prints them), emptied.
    pub fn take_warnings(&mut self) -> Vec<String> {
        self.api.take_warnings()
    }

    /// Creates an object as the user.
    ///
    /// # Errors
    /// As [`ApiServer::create`].
    pub fn create(&mut self, object: Object) -> Result<Object, ApiError> {
        let result = self.api.create(Component::User, object);
        self.dispatch();
        result
    }

    /// Replaces an object as the user.
    ///
    /// # Errors
    /// As [`ApiServer::update`].
    pub fn update(&mut self, object: Object) -> Result<Object, ApiError> {
        let result = self.api.update(Component::User, object);
        self.dispatch();
        result
    }

    /// Replaces an object's status as the user (`kubectl ... --subresource=status`).
    ///
    /// # Errors
    /// As [`ApiServer::update_status`].
    pub fn update_status(&mut self, object: Object) -> Result<Object, ApiError> {
        let result = self.api.update_status(Component::User, object);
        self.dispatch();
        result
    }

    /// Patches an object as the user.
    ///
    /// # Errors
    /// As [`ApiServer::patch`].
    pub fn patch(
        &mut self,
        key: &ObjectKey,
        patch_type: PatchType,
        patch: &serde_json::Value,
    ) -> Result<Object, ApiError> {
        let result = self.api.patch(Component::User, key, patch_type, patch);
        self.dispatch();
        result
    }

    /// Deletes an object as the user.
    ///
    /// # Errors
    /// As [`ApiServer::delete`].
    pub fn delete(&mut self, key: &ObjectKey, options: DeleteOptions) -> Result<Deleted, ApiError> {
        let result = self.api.delete(Component::User, key, options);
        self.dispatch();
        result
    }

    /// Hands new watch-log entries to the controllers that care.
    fn dispatch(&mut self) {
        let changes = self.api.store().changes_after(self.dispatched);
        let Some(last) = changes.last() else { return };
        self.dispatched = last.resource_version;
        let now = self.api.now();
        let mut keys = Vec::new();
        for change in changes {
            for (index, controller) in registry().iter().enumerate() {
                keys.clear();
                controller.triggers(change, &self.api, &mut keys);
                for key in keys.drain(..) {
                    self.queue.add(index as u16, key, now, false);
                }
            }
        }
    }

    /// Runs one reconcile: the earliest due entry, jumping the clock forward to it if needed.
    /// Returns `None` when the queue is empty.
    pub fn step(&mut self) -> Option<Step> {
        self.schedule_resyncs_until(self.queue.next_due().unwrap_or(self.api.now()));
        let due = self.queue.next_due()?;
        if due > self.api.now() {
            self.api.set_now(due);
        }
        let entry = self.queue.pop_due(self.api.now())?;
        let controller = registry()[usize::from(entry.controller)];
        let mut wakeups = Vec::new();
        let mut ctx = Ctx { api: &mut self.api, backend: &mut self.backend, rng: &mut self.rng, wakeups: &mut wakeups };
        let result = controller.reconcile(&entry.key, &mut ctx);
        let now = self.api.now();
        match result {
            Ok(action) => {
                if !self.failures.is_empty() {
                    self.failures.remove(&(entry.controller, entry.key.clone()));
                }
                if let Some(after) = action.requeue_after() {
                    self.queue.add(entry.controller, entry.key.clone(), now.plus(after), !action.is_pending());
                }
            }
            Err(error) => {
                let failures = self.failures.entry((entry.controller, entry.key.clone())).or_insert(0);
                *failures += 1;
                let conflict =
                    matches!(&error, ReconcileError::Api(e) if e.reason == crate::api::StatusReason::Conflict);
                let delay = if conflict && *failures <= 5 {
                    SimDuration::from_millis(0)
                } else {
                    let exponent = (*failures).min(20);
                    SimDuration::from_millis((5u64 << exponent).min(Self::BACKOFF_MAX.as_millis()))
                };
                // Retries after repeated failures are polls: a controller that keeps failing must not
                // keep `settle` from finishing.
                let background = *failures > 5;
                self.api.note(
                    controller.component(),
                    controller.component(),
                    TraceVerb::Note,
                    Some(&entry.key),
                    format!("reconcile failed (retry in {}ms): {error}", delay.as_millis()),
                );
                self.queue.add(entry.controller, entry.key.clone(), now.plus(delay), background);
            }
        }
        for (key, at, background) in wakeups {
            for (index, other) in registry().iter().enumerate() {
                if other.reconciles().contains(&key.kind) {
                    self.queue.add(index as u16, key.clone(), at, background);
                }
            }
        }
        self.steps += 1;
        self.dispatch();
        self.check_invariants();
        Some(Step { component: controller.component(), key: entry.key, at: now })
    }

    /// Enqueues periodic resyncs that fall due up to `until`, as background work.
    fn schedule_resyncs_until(&mut self, until: SimTime) {
        for (index, controller) in registry().iter().enumerate() {
            let Some(period) = controller.resync_period() else { continue };
            let index = index as u16;
            let last = *self.last_resync.entry(index).or_insert(SimTime::ZERO);
            let next = last.plus(period);
            if next > until {
                continue;
            }
            self.last_resync.insert(index, next);
            let keys: Vec<ObjectKey> = controller
                .reconciles()
                .iter()
                .flat_map(|kind| self.api.store().list(*kind).map(Object::key).collect::<Vec<_>>())
                .collect();
            for key in keys {
                self.queue.add(index, key, next, true);
            }
        }
    }

    /// Runs everything due within `duration` from now, then sets the clock to the end of it.
    pub fn advance(&mut self, duration: SimDuration) -> SettleReport {
        let end = self.api.now().plus(duration);
        let mut steps = 0;
        loop {
            self.schedule_resyncs_until(end);
            match self.queue.next_due() {
                Some(due) if due <= end && steps < Self::SETTLE_STEPS_MAX => {
                    self.step();
                    steps += 1;
                }
                _ => break,
            }
        }
        let hit_bound = steps >= Self::SETTLE_STEPS_MAX;
        if self.api.now() < end {
            self.api.set_now(end);
        }
        SettleReport { steps, hit_bound, now_ms: self.api.now().as_millis() }
    }

    /// Runs until no foreground work is pending (in-flight operations finished, reconciles done),
    /// jumping the clock from one due entry to the next. Background polls due before the last
    /// foreground entry run too. Bounded by [`Cluster::SETTLE_STEPS_MAX`].
    pub fn settle(&mut self) -> SettleReport {
        let mut steps = 0;
        while self.queue.has_foreground() && steps < Self::SETTLE_STEPS_MAX {
            if self.step().is_none() {
                break;
            }
            steps += 1;
        }
        let hit_bound = self.queue.has_foreground();
        if hit_bound {
            self.api.note(
                Component::ApiServer,
                Component::ApiServer,
                TraceVerb::Note,
                None,
                format!("settle stopped after {steps} steps with work still pending"),
            );
        }
        SettleReport { steps, hit_bound, now_ms: self.api.now().as_millis() }
    }

    /// Whether foreground work is pending.
    pub fn is_settled(&self) -> bool {
        !self.queue.has_foreground()
    }

    /// Steps run since the cluster was created.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// A plain-data snapshot for UIs.
    pub fn view(&self) -> ClusterView {
        crate::view::build(self)
    }

    fn check_invariants(&mut self) {
        if cfg!(debug_assertions) || cfg!(test) {
            let mut violations = crate::invariants::check(&self.api);
            violations.extend(crate::invariants::check_dataplane(&self.api, &self.backend));
            for violation in violations {
                self.api.note(
                    Component::ApiServer,
                    Component::ApiServer,
                    TraceVerb::Violation,
                    None,
                    violation.clone(),
                );
                if self.violations.len() < 100 {
                    self.violations.push(violation);
                }
            }
        }
    }
}
