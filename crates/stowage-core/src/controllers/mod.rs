//! The controller framework: level-triggered reconciles on the simulated clock, and the registry.
//!
//! A controller maps watch-log changes to the keys it must look at ([`Controller::triggers`]) and
//! reconciles one key at a time from the current state ([`Controller::reconcile`]). It never sees
//! which change woke it (kube-rs hides `ReconcileReason` for the same reason: level triggering).
//! Controllers are stateless values; all state lives in the API server and the [`crate::backend`].

pub mod attach_detach;
pub mod csi_snapshotter;
pub mod deployment;
pub mod endpoints;
pub mod external_attacher;
mod garbage_collector;
mod namespace;
mod namespace_contents;
pub mod provisioner;
pub mod pv_controller;
pub mod pv_protection;
pub mod pvc_protection;
pub mod replicaset;
pub mod resizer;
pub mod snapshot_controller;
pub mod statefulset;

use crate::api::{ApiError, Kind, ObjectKey};
use crate::apiserver::ApiServer;
use crate::backend::Backend;
use crate::sim::{Component, SimDuration, SimRng, SimTime};
use crate::store::Change;
use std::fmt;

/// What a reconcile asks for next. Built only by its constructors (kube-rs style).
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    requeue_after: Option<SimDuration>,
    pending: bool,
}

impl Action {
    /// Nothing more until a watched object changes.
    pub const fn await_change() -> Action {
        Action { requeue_after: None, pending: false }
    }

    /// Look again after `duration`, as a poll: it does not keep `settle` running.
    pub const fn requeue(duration: SimDuration) -> Action {
        Action { requeue_after: Some(duration), pending: false }
    }

    /// An operation is in flight and completes after `duration` (a CSI call, an attach): `settle`
    /// waits for it.
    pub const fn wait_for(duration: SimDuration) -> Action {
        Action { requeue_after: Some(duration), pending: true }
    }

    /// When to look again, if at all.
    pub fn requeue_after(self) -> Option<SimDuration> {
        self.requeue_after
    }

    /// Whether the requeue is for work in flight.
    pub fn is_pending(self) -> bool {
        self.pending
    }
}

/// A reconcile that failed; it is retried with capped exponential backoff in simulated time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReconcileError {
    /// An API call failed (a Conflict is the usual case: the next reconcile sees fresh state).
    #[error("{0}")]
    Api(#[from] ApiError),
    /// Anything else, in words.
    #[error("{0}")]
    Other(String),
}

/// What a reconcile may use: the API server (reads and writes), the backend, randomness and the clock.
pub struct Ctx<'a> {
    /// The API server; every write goes through it.
    pub api: &'a mut ApiServer,
    /// The simulated world outside the API: storage backends, node runtimes.
    pub backend: &'a mut Backend,
    /// The controller's random stream.
    pub rng: &'a mut SimRng,
    /// Requests to reconcile other keys (with any controller that watches them) at a time.
    pub(crate) wakeups: &'a mut Vec<(ObjectKey, SimTime, bool)>,
}

impl Ctx<'_> {
    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.api.now()
    }

    /// Asks every controller that watches `key`'s kind to look at it after `delay`; `background`
    /// entries do not keep `settle` running (sleeping processes, periodic work).
    pub fn wake(&mut self, key: ObjectKey, delay: SimDuration, background: bool) {
        let at = self.api.now().plus(delay);
        self.wakeups.push((key, at, background));
    }
}

/// A control loop.
pub trait Controller: Sync + fmt::Debug {
    /// The component that runs this loop (its lane in flow views).
    fn component(&self) -> Component;

    /// The kinds whose keys this controller reconciles.
    fn reconciles(&self) -> &'static [Kind];

    /// Appends the keys to reconcile because of `change`. The default reconciles the changed object
    /// itself when it is of a reconciled kind.
    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        let _ = api;
        if self.reconciles().contains(&change.key.kind) {
            out.push(change.key.clone());
        }
    }

    /// Brings the world one step closer to what `key` asks for, from the current state only.
    ///
    /// # Errors
    /// Any error is retried with backoff; a Conflict is normal and retried at once.
    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError>;

    /// Periodic full resync: every object of the reconciled kinds is looked at again this often.
    fn resync_period(&self) -> Option<SimDuration> {
        None
    }
}

/// Every controller, in a fixed order (the order is part of determinism).
pub fn registry() -> &'static [&'static dyn Controller] {
    static REGISTRY: &[&dyn Controller] = &[
        &namespace::NamespaceController,
        &namespace_contents::NamespaceContents,
        &garbage_collector::GarbageCollector,
        &pv_controller::PvController,
        &pvc_protection::PvcProtectionController,
        &pv_protection::PvProtectionController,
        &provisioner::ExternalProvisioner,
        &resizer::ExpandController,
        &resizer::ExternalResizer,
        &attach_detach::AttachDetachController,
        &external_attacher::ExternalAttacher,
        &snapshot_controller::SnapshotController,
        &csi_snapshotter::CsiSnapshotter,
        &statefulset::StatefulSetController,
        &deployment::DeploymentController,
        &replicaset::ReplicaSetController,
        &endpoints::EndpointsController,
        &endpoints::EndpointSliceController,
        &crate::scheduler::Scheduler,
        &crate::kubelet::Kubelet,
        &crate::kubelet::NodeLifecycleController,
    ];
    REGISTRY
}
