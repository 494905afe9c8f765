//! The simulated kube-apiserver: the only way objects are written.
//!
//! Every write goes through here: defaulting, admission, validation, resourceVersion preconditions,
//! finalizers and graceful deletion, and a trace line naming who wrote what. Controllers, the kubelet
//! and kubectl all call the same methods; none holds `&mut` to a stored object.
//!
//! # Model
//! - `create` assigns uid, resourceVersion, generation 1 and creationTimestamp, and resets status as
//!   the real strategies' `PrepareForCreate` do (a new claim is `Pending` whatever the manifest says).
//! - `update` keeps the stored status; `update_status` keeps everything but status.
//! - An update with a resourceVersion that is not the stored one fails with `Conflict`; an update with
//!   no resourceVersion is unconditional (as `kubectl replace --force` and apply's patches are).
//! - `delete` removes an object at once unless it has finalizers or is a scheduled pod with a grace
//!   period; then it sets `deletionTimestamp` and the object is removed when the last finalizer goes.

mod admission;
mod allocation;
mod patch;

pub use admission::{claim_has_class, default_storage_class_name, is_default_class};
pub use patch::{PatchType, apply_patch};

use crate::api::well_known::*;
use crate::api::{ApiError, Kind, Object, ObjectKey, StatusReason, Typed};
use crate::sim::{Component, ObjectRef, Seed, SimRng, SimTime, Trace, TraceVerb};
use crate::store::{Store, parse_resource_version};
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use std::collections::BTreeMap;

/// How dependents are treated when their owner is deleted (`kubectl delete --cascade`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Propagation {
    /// Delete the owner now; the garbage collector deletes dependents afterwards.
    #[default]
    Background,
    /// Delete dependents first; the owner waits with the `foregroundDeletion` finalizer.
    Foreground,
    /// Keep dependents and remove their owner references.
    Orphan,
}

/// Options of a delete request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// Dependents' fate.
    pub propagation: Propagation,
    /// Seconds of grace for pods; `None` uses the pod's `terminationGracePeriodSeconds`.
    pub grace_period_seconds: Option<i64>,
}

/// What a delete request did.
#[derive(Clone, Debug, PartialEq)]
pub enum Deleted {
    /// The object is gone from storage.
    Removed(Object),
    /// The object was marked (deletionTimestamp set) and waits for finalizers or its kubelet.
    Marked(Object),
}

/// The type of a Kubernetes Event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    /// `Normal`.
    Normal,
    /// `Warning`.
    Warning,
}

impl EventType {
    /// The spelling in `Event.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// The API server and its storage.
#[derive(Clone, Debug)]
pub struct ApiServer {
    store: Store,
    now: SimTime,
    uids: SimRng,
    trace: Trace,
    /// Event aggregation: (involved key, involved uid + field path, type, reason, source, message) → the Event's key.
    event_index: BTreeMap<(ObjectKey, String, EventType, String, String, String), ObjectKey>,
    event_counter: u64,
    /// The `Warning` headers of the user's last create/update/patch (controllers' writes leave it alone).
    warnings: Vec<String>,
}

impl ApiServer {
    /// A new, empty API server whose uids come from `seed`.
    pub fn new(seed: Seed) -> ApiServer {
        ApiServer {
            store: Store::default(),
            now: SimTime::ZERO,
            uids: SimRng::new(seed, 1),
            trace: Trace::default(),
            event_index: BTreeMap::new(),
            event_counter: 0,
            warnings: Vec::new(),
        }
    }

    /// Read access to storage.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Moves the API server's clock (only the cluster's step loop does this).
    pub(crate) fn set_now(&mut self, now: SimTime) {
        debug_assert!(now >= self.now, "time never goes back");
        self.now = now;
    }

    /// The trace of every write and call.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Appends a trace line for something that is not an API write (a CSI call, a decision).
    pub fn note(
        &mut self,
        from: Component,
        to: Component,
        verb: TraceVerb,
        object: Option<&ObjectKey>,
        message: impl Into<String>,
    ) {
        self.trace.push(self.now.as_millis(), from, to, verb, object.map(ObjectRef::from), message);
    }

    /// The object under `key`, or NotFound.
    pub fn get(&self, key: &ObjectKey) -> Result<&Object, ApiError> {
        self.store.get(key).ok_or_else(|| ApiError::not_found(key.kind, &key.name))
    }

    /// A fresh random uid.
    pub fn new_uid(&mut self) -> String {
        self.uids.uuid()
    }

    /// A random suffix for generated names.
    pub fn name_suffix(&mut self, n: usize) -> String {
        self.uids.name_suffix(n)
    }

    fn reject(&mut self, actor: Component, key: &ObjectKey, error: ApiError) -> ApiError {
        self.note(actor, Component::ApiServer, TraceVerb::Reject, Some(key), error.message.clone());
        error
    }

    /// The warnings (`Warning` response headers) of the user's last create, update or patch, emptied.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Starts a user request's warnings: a new request drops what the previous one left.
    fn begin_request(&mut self, actor: Component) {
        if actor == Component::User {
            self.warnings.clear();
        }
    }

    /// Records the warnings of a user's successful write of `object`.
    fn warn(&mut self, actor: Component, object: &Object) {
        if actor == Component::User {
            self.warnings = crate::api::warnings::warnings_for(object);
        }
    }

    /// Creates an object, as `POST` does.
    ///
    /// # Errors
    /// NotFound for a missing namespace, AlreadyExists, Invalid from validation, Forbidden from admission.
    pub fn create(&mut self, actor: Component, mut object: Object) -> Result<Object, ApiError> {
        self.begin_request(actor);
        if object.kind().is_namespaced() {
            if object.namespace().is_empty() {
                object.meta_mut().namespace = Some("default".to_string());
            }
        } else {
            object.meta_mut().namespace = None;
        }
        if object.name().is_empty()
            && let Some(prefix) = object.meta().generate_name.clone().filter(|p| !p.is_empty())
        {
            let suffix = self.uids.name_suffix(5);
            object.meta_mut().name = Some(format!("{prefix}{suffix}"));
        }
        let key = object.key();
        if let Err(error) = self.admit_create(&mut object) {
            return Err(self.reject(actor, &key, error));
        }
        if self.store.get(&key).is_some() {
            let error = ApiError::already_exists(key.kind, &key.name);
            return Err(self.reject(actor, &key, error));
        }
        let meta = object.meta_mut();
        meta.uid = Some(self.uids.uuid());
        meta.creation_timestamp = Some(self.now.to_k8s_time());
        meta.deletion_timestamp = None;
        meta.deletion_grace_period_seconds = None;
        if has_generation(key.kind) {
            meta.generation = Some(1);
        }
        if key.kind == Kind::Namespace {
            let labels = meta.labels.get_or_insert_with(BTreeMap::new);
            labels.insert(LABEL_METADATA_NAME.to_string(), key.name.clone());
        }
        prepare_for_create(&mut object);
        if let Err(error) = allocation::allocate_on_create(&self.store, &mut object) {
            return Err(self.reject(actor, &key, error));
        }
        let stored = self.store.put(object).clone();
        self.note(actor, Component::ApiServer, TraceVerb::Create, Some(&key), "");
        self.warn(actor, &stored);
        Ok(stored)
    }

    fn admit_create(&mut self, object: &mut Object) -> Result<(), ApiError> {
        admission::namespace_lifecycle(&self.store, object)?;
        crate::api::defaults::apply_defaults(object);
        admission::mutate_create(&self.store, object);
        if let Object::Pod(pod) = object {
            let suffix = self.uids.name_suffix(5);
            admission::service_account(pod, &suffix);
            admission::default_toleration_seconds(pod);
        }
        let errors = crate::api::validation::validate_create(object);
        if !errors.is_empty() {
            return Err(ApiError::invalid(object.kind(), object.name(), errors));
        }
        admission::validate_create(&self.store, object)
    }

    /// Replaces an object's spec and metadata, as `PUT` does; status is kept from storage.
    ///
    /// # Errors
    /// NotFound, Conflict on a stale resourceVersion, Invalid, Forbidden.
    pub fn update(&mut self, actor: Component, object: Object) -> Result<Object, ApiError> {
        self.write(actor, object, false)
    }

    /// Replaces an object's status, as `PUT .../status` does; everything else is kept from storage.
    ///
    /// # Errors
    /// NotFound, Conflict on a stale resourceVersion.
    pub fn update_status(&mut self, actor: Component, object: Object) -> Result<Object, ApiError> {
        self.write(actor, object, true)
    }

    fn write(&mut self, actor: Component, mut object: Object, status_only: bool) -> Result<Object, ApiError> {
        self.begin_request(actor);
        if !object.kind().is_namespaced() {
            object.meta_mut().namespace = None;
        } else if object.namespace().is_empty() {
            object.meta_mut().namespace = Some("default".to_string());
        }
        let key = object.key();
        // The stored object is borrowed, not copied: a write copies only what it keeps.
        let prepared = match self.store.get(&key) {
            None => Err(ApiError::not_found(key.kind, &key.name)),
            Some(old) => prepare_write(&self.store, old, object, status_only, &key),
        };
        let new = match prepared {
            Err(error) => return Err(self.reject(actor, &key, error)),
            Ok(Prepared::Unchanged(old)) => {
                if !status_only {
                    self.warn(actor, &old);
                }
                return Ok(old);
            }
            Ok(Prepared::Write(new)) => new,
        };
        if new.is_terminating() && new.meta().finalizers.as_ref().is_none_or(Vec::is_empty) && !waits_for_kubelet(&new)
        {
            self.store.remove(&key);
            let verb = if status_only { TraceVerb::UpdateStatus } else { TraceVerb::Update };
            self.note(actor, Component::ApiServer, verb, Some(&key), "last finalizer removed");
            self.note(Component::ApiServer, Component::ApiServer, TraceVerb::Delete, Some(&key), "");
            return Ok(new);
        }
        let stored = self.store.put(new).clone();
        let verb = if status_only { TraceVerb::UpdateStatus } else { TraceVerb::Update };
        self.note(actor, Component::ApiServer, verb, Some(&key), "");
        if !status_only {
            self.warn(actor, &stored);
        }
        Ok(stored)
    }

    /// Patches an object, as `PATCH` does.
    ///
    /// # Errors
    /// NotFound, BadRequest for a patch that does not apply or decode, then as [`ApiServer::update`].
    pub fn patch(
        &mut self,
        actor: Component,
        key: &ObjectKey,
        patch_type: PatchType,
        patch: &serde_json::Value,
    ) -> Result<Object, ApiError> {
        self.begin_request(actor);
        let old = self.get(key)?.clone();
        let patched = apply_patch(&old.to_value(), patch, patch_type).map_err(ApiError::bad_request)?;
        let mut unknown = Vec::new();
        let mut object = Object::from_value_reporting_unknown(key.kind, patched, &mut |path| unknown.push(path))
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        if !unknown.is_empty() {
            let fields = unknown.iter().map(|p| format!("unknown field \"{p}\"")).collect::<Vec<_>>().join(", ");
            return Err(ApiError::bad_request(format!("strict decoding error: {fields}")));
        }
        object.meta_mut().resource_version = None;
        let with_status = self.update(actor, object)?;
        Ok(with_status)
    }

    /// Deletes an object, as `DELETE` does.
    ///
    /// # Errors
    /// NotFound.
    pub fn delete(&mut self, actor: Component, key: &ObjectKey, options: DeleteOptions) -> Result<Deleted, ApiError> {
        let Some(mut object) = self.store.get(key).cloned() else {
            let error = ApiError::not_found(key.kind, &key.name);
            return Err(self.reject(actor, key, error));
        };
        let force_now = options.grace_period_seconds == Some(0);
        let graceful_pod = match &object {
            Object::Pod(pod) => {
                let scheduled = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| !n.is_empty());
                let finished =
                    matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"));
                scheduled && !finished && !force_now
            }
            _ => false,
        };
        let mut finalizers = object.meta().finalizers.clone().unwrap_or_default();
        match options.propagation {
            Propagation::Foreground if !finalizers.iter().any(|f| f == FINALIZER_FOREGROUND_DELETION) => {
                finalizers.push(FINALIZER_FOREGROUND_DELETION.to_string());
            }
            Propagation::Orphan if !finalizers.iter().any(|f| f == FINALIZER_ORPHAN) => {
                finalizers.push(FINALIZER_ORPHAN.to_string());
            }
            _ => {}
        }
        let is_namespace = key.kind == Kind::Namespace;
        if finalizers.is_empty() && !graceful_pod && !is_namespace {
            self.store.remove(key);
            self.note(actor, Component::ApiServer, TraceVerb::Delete, Some(key), "");
            return Ok(Deleted::Removed(object));
        }
        if object.is_terminating() && !(graceful_pod && force_now) {
            return Ok(Deleted::Marked(object));
        }
        let meta = object.meta_mut();
        meta.finalizers = if finalizers.is_empty() { None } else { Some(finalizers) };
        let mut grace_seconds = 0;
        if let Object::Pod(pod) = &mut object {
            grace_seconds = options
                .grace_period_seconds
                .or_else(|| pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
                .unwrap_or(30)
                .max(0);
            pod.metadata.deletion_grace_period_seconds = Some(grace_seconds);
        } else if let Object::Namespace(namespace) = &mut object {
            namespace.status.get_or_insert_with(Default::default).phase = Some("Terminating".to_string());
            namespace.metadata.deletion_grace_period_seconds = Some(0);
        } else {
            object.meta_mut().deletion_grace_period_seconds = Some(0);
        }
        let deadline = self.now.plus(crate::sim::SimDuration::from_secs(u64::try_from(grace_seconds).unwrap_or(0)));
        object.meta_mut().deletion_timestamp = Some(deadline.to_k8s_time());
        let stored = self.store.put(object).clone();
        self.note(actor, Component::ApiServer, TraceVerb::MarkDeleted, Some(key), "");
        Ok(Deleted::Marked(stored))
    }

    /// Removes a pod whose kubelet finished terminating it (grace period zero, finalizers permitting).
    pub fn finish_pod_deletion(&mut self, actor: Component, key: &ObjectKey) {
        let Some(object) = self.store.get(key) else { return };
        if object.meta().finalizers.as_ref().is_none_or(Vec::is_empty) {
            self.store.remove(key);
            self.note(actor, Component::ApiServer, TraceVerb::Delete, Some(key), "grace period 0");
        }
    }

    /// Removes a namespace whose contents are gone (the namespace controller's last step).
    pub fn finish_namespace_deletion(&mut self, actor: Component, name: &str) {
        let key = ObjectKey::cluster(Kind::Namespace, name);
        if self.store.get(&key).is_some_and(Object::is_terminating) {
            self.store.remove(&key);
            self.note(actor, Component::ApiServer, TraceVerb::Delete, Some(&key), "namespace finalized");
        }
    }

    /// Records a Kubernetes Event about `involved`, aggregating repeats as the real recorder does
    /// (count and lastTimestamp grow; the first timestamp stays).
    pub fn record_event(
        &mut self,
        source: &str,
        host: Option<&str>,
        involved: &ObjectKey,
        event_type: EventType,
        reason: &str,
        message: &str,
    ) {
        self.record_event_at(source, host, involved, None, event_type, reason, message);
    }

    /// Records an Event about a part of `involved` (`fieldPath`, e.g. `spec.containers{web}` for
    /// the kubelet's container events). The field path is part of the aggregation key, so two
    /// containers pulling the same image get an event each.
    #[allow(clippy::too_many_arguments)]
    pub fn record_event_at(
        &mut self,
        source: &str,
        host: Option<&str>,
        involved: &ObjectKey,
        field_path: Option<&str>,
        event_type: EventType,
        reason: &str,
        message: &str,
    ) {
        let Some(object) = self.store.get(involved) else { return };
        let involved_ref = ObjectReference {
            api_version: Some(involved.kind.info().api_version()),
            kind: Some(involved.kind.info().name.to_string()),
            name: Some(involved.name.clone()),
            namespace: object.meta().namespace.clone(),
            uid: object.meta().uid.clone(),
            resource_version: object.meta().resource_version.clone(),
            field_path: field_path.map(str::to_string),
        };
        let namespace = if involved.namespace.is_empty() { "default".to_string() } else { involved.namespace.clone() };
        // The recorder's aggregation key includes the involved object's UID: a new pod that reuses a
        // deleted pod's name gets its own events.
        let uid = format!("{}{}", involved_ref.uid.as_deref().unwrap_or_default(), field_path.unwrap_or_default());
        let index_key =
            (involved.clone(), uid, event_type, reason.to_string(), source.to_string(), message.to_string());
        let now = self.now.to_k8s_time();
        self.note(
            component_for_source(source),
            Component::ApiServer,
            TraceVerb::Event,
            Some(involved),
            format!("{} {}: {}", event_type.as_str(), reason, message),
        );
        if let Some(existing) =
            self.event_index.get(&index_key).and_then(|k| self.store.get(k)).and_then(Event::from_object)
        {
            let mut event = existing.clone();
            event.count = Some(event.count.unwrap_or(1) + 1);
            event.last_timestamp = Some(now);
            self.store.put(event.into_object());
            return;
        }
        self.event_counter += 1;
        let unique = (self.now.unix_millis() as u64).wrapping_mul(1_000_000).wrapping_add(self.event_counter);
        let mut event = Event {
            involved_object: involved_ref,
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            type_: Some(event_type.as_str().to_string()),
            source: Some(EventSource { component: Some(source.to_string()), host: host.map(str::to_string) }),
            first_timestamp: Some(now.clone()),
            last_timestamp: Some(now.clone()),
            count: Some(1),
            reporting_component: Some(String::new()),
            reporting_instance: Some(String::new()),
            ..Event::default()
        };
        event.metadata.name = Some(format!("{}.{:x}", involved.name, unique));
        event.metadata.namespace = Some(namespace);
        event.metadata.uid = Some(self.uids.uuid());
        event.metadata.creation_timestamp = Some(now);
        let key = ObjectKey::namespaced(
            Kind::Event,
            event.metadata.namespace.clone().unwrap_or_default(),
            event.metadata.name.clone().unwrap_or_default(),
        );
        self.store.put(event.into_object());
        self.event_index.insert(index_key, key);
    }

    /// Inserts an object as the cluster's bootstrap does (nodes, system pods): admitted and defaulted,
    /// with status kept as given.
    pub(crate) fn bootstrap(&mut self, mut object: Object) -> Result<Object, ApiError> {
        let status = object.clone();
        crate::api::defaults::apply_defaults(&mut object);
        object.copy_status_from(&status);
        let meta = object.meta_mut();
        meta.uid = Some(self.uids.uuid());
        if meta.creation_timestamp.is_none() {
            meta.creation_timestamp = Some(self.now.to_k8s_time());
        }
        if has_generation(object.kind()) {
            object.meta_mut().generation = Some(1);
        }
        if let Object::Namespace(ns) = &mut object {
            let name = ns.metadata.name.clone().unwrap_or_default();
            ns.metadata.labels.get_or_insert_with(BTreeMap::new).insert(LABEL_METADATA_NAME.to_string(), name);
        }
        let key = object.key();
        if self.store.get(&key).is_some() {
            return Err(ApiError::already_exists(key.kind, &key.name));
        }
        Ok(self.store.put(object).clone())
    }
}

/// Maps an event source string to the lane it belongs to in flow views.
fn component_for_source(source: &str) -> Component {
    match source {
        "persistentvolume-controller" => Component::PvController,
        "default-scheduler" => Component::Scheduler,
        "kubelet" => Component::Kubelet,
        "attachdetach-controller" => Component::AttachDetachController,
        "statefulset-controller" => Component::StatefulSetController,
        "snapshot-controller" => Component::SnapshotController,
        "volume_expand" => Component::ExpandController,
        s if s.starts_with("csi-snapshotter") => Component::CsiSnapshotter,
        s if s.starts_with("external-resizer") => Component::ExternalResizer,
        s if s.starts_with("external-attacher") || s.starts_with("csi-attacher") => Component::ExternalAttacher,
        s if s.contains("deployment") || s.contains("replicaset") => Component::DeploymentController,
        _ => Component::ExternalProvisioner,
    }
}

/// Kinds whose `metadata.generation` tracks spec changes: those whose registry strategy sets `Generation = 1` on
/// create (pods since 1.33, the apps workloads, EndpointSlices) and every custom resource (the snapshot CRDs).
/// PersistentVolumes, claims, StorageClasses, Services, the CSI objects and VolumeAttachments have none.
fn has_generation(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Pod
            | Kind::StatefulSet
            | Kind::Deployment
            | Kind::ReplicaSet
            | Kind::EndpointSlice
            | Kind::VolumeSnapshot
            | Kind::VolumeSnapshotContent
            | Kind::VolumeSnapshotClass
    )
}

/// What a write would store.
enum Prepared {
    /// Nothing but the resourceVersion would change: the stored object, as the write's answer.
    Unchanged(Object),
    /// The object to store.
    Write(Object),
}

/// The checks and field copies of `PUT` (and `PUT .../status`) against the stored `old`.
fn prepare_write(
    store: &Store,
    old: &Object,
    object: Object,
    status_only: bool,
    key: &ObjectKey,
) -> Result<Prepared, ApiError> {
    if let Some(requested) = object.meta().resource_version.as_deref().filter(|rv| !rv.is_empty())
        && parse_resource_version(requested) != old.meta().resource_version.as_deref().and_then(parse_resource_version)
    {
        return Err(ApiError::conflict(key));
    }
    let mut new = if status_only {
        let mut new = old.clone();
        new.copy_status_from(&object);
        new
    } else {
        let mut new = object;
        new.copy_status_from(old);
        new
    };
    if !status_only {
        crate::api::defaults::apply_defaults(&mut new);
        allocation::keep_on_update(old, &mut new)?;
        // Fields only the API server sets are kept from storage.
        let (old_meta, meta) = (old.meta(), new.meta_mut());
        meta.uid.clone_from(&old_meta.uid);
        meta.creation_timestamp.clone_from(&old_meta.creation_timestamp);
        meta.deletion_timestamp.clone_from(&old_meta.deletion_timestamp);
        meta.deletion_grace_period_seconds = old_meta.deletion_grace_period_seconds;
        meta.generation = old_meta.generation;
        if meta.generate_name.is_none() {
            meta.generate_name.clone_from(&old_meta.generate_name);
        }
        if key.kind == Kind::Namespace {
            let labels = meta.labels.get_or_insert_with(BTreeMap::new);
            labels.insert(LABEL_METADATA_NAME.to_string(), key.name.clone());
        }
        let errors = crate::api::validation::validate_update(old, &new);
        if !errors.is_empty() {
            return Err(ApiError::invalid(key.kind, &key.name, errors));
        }
        admission::validate_update(store, old, &new)?;
        if has_generation(key.kind) && !same_spec(old, &new) {
            new.meta_mut().generation = Some(old.meta().generation.unwrap_or(0) + 1);
        }
    } else {
        new.meta_mut().resource_version.clone_from(&old.meta().resource_version);
    }
    if same_except_resource_version(old, &mut new) {
        return Ok(Prepared::Unchanged(old.clone()));
    }
    Ok(Prepared::Write(new))
}

/// A pod marked for deletion stays until its kubelet has stopped it.
fn waits_for_kubelet(object: &Object) -> bool {
    match object {
        Object::Pod(pod) => pod.metadata.deletion_grace_period_seconds.unwrap_or(0) > 0,
        _ => false,
    }
}

/// Whether two versions of an object have the same spec (everything but metadata and status).
fn same_spec(old: &Object, new: &Object) -> bool {
    use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
    // The hot kinds compare their one spec field in place (the patterns name every field, so a
    // new field in k8s-openapi fails to compile here instead of being ignored).
    match (old, new) {
        (Object::PersistentVolume(old), Object::PersistentVolume(new)) => {
            let (
                PersistentVolume { metadata: _, spec: a, status: _ },
                PersistentVolume { metadata: _, spec: b, status: _ },
            ) = (&**old, &**new);
            a == b
        }
        (Object::PersistentVolumeClaim(old), Object::PersistentVolumeClaim(new)) => {
            let (
                PersistentVolumeClaim { metadata: _, spec: a, status: _ },
                PersistentVolumeClaim { metadata: _, spec: b, status: _ },
            ) = (&**old, &**new);
            a == b
        }
        (Object::Pod(old), Object::Pod(new)) => {
            let (Pod { metadata: _, spec: a, status: _ }, Pod { metadata: _, spec: b, status: _ }) = (&**old, &**new);
            a == b
        }
        _ => {
            let (mut old, mut new) = (old.clone(), new.clone());
            *old.meta_mut() = Default::default();
            *new.meta_mut() = Default::default();
            old.clear_status();
            new.clear_status();
            old == new
        }
    }
}

/// Whether two versions of an object differ in nothing but their resourceVersion (a no-op write).
fn same_except_resource_version(old: &Object, new: &mut Object) -> bool {
    let own = std::mem::replace(&mut new.meta_mut().resource_version, old.meta().resource_version.clone());
    let same = *old == *new;
    new.meta_mut().resource_version = own;
    same
}

/// Resets status on create, as the registry strategies do.
fn prepare_for_create(object: &mut Object) {
    use k8s_openapi::api::core::v1::{NamespaceStatus, PersistentVolumeClaimStatus, PersistentVolumeStatus, PodStatus};
    match object {
        Object::PersistentVolume(volume) => {
            volume.status = Some(PersistentVolumeStatus { phase: Some("Pending".to_string()), ..Default::default() });
        }
        Object::PersistentVolumeClaim(claim) => {
            claim.status =
                Some(PersistentVolumeClaimStatus { phase: Some("Pending".to_string()), ..Default::default() });
        }
        Object::Pod(pod) => {
            pod.status = Some(PodStatus {
                phase: Some("Pending".to_string()),
                qos_class: Some(qos_class(pod)),
                ..Default::default()
            });
        }
        Object::Namespace(namespace) => {
            namespace.status = Some(NamespaceStatus { phase: Some("Active".to_string()), ..Default::default() });
            namespace.spec = Some(k8s_openapi::api::core::v1::NamespaceSpec {
                finalizers: Some(vec![FINALIZER_KUBERNETES.to_string()]),
            });
        }
        Object::StatefulSet(set) => {
            set.status = Some(k8s_openapi::api::apps::v1::StatefulSetStatus { replicas: 0, ..Default::default() });
        }
        Object::Deployment(deployment) => deployment.status = None,
        Object::ReplicaSet(set) => {
            set.status = Some(k8s_openapi::api::apps::v1::ReplicaSetStatus { replicas: 0, ..Default::default() });
        }
        Object::VolumeSnapshot(snapshot) => snapshot.status = None,
        Object::VolumeAttachment(attachment) => attachment.status = None,
        _ => {}
    }
}

/// The pod's QoS class from its containers' requests and limits.
fn qos_class(pod: &k8s_openapi::api::core::v1::Pod) -> String {
    let containers = pod.spec.as_ref().map(|s| s.containers.as_slice()).unwrap_or(&[]);
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for container in containers {
        let resources = container.resources.as_ref();
        let requests = resources.and_then(|r| r.requests.as_ref());
        let limits = resources.and_then(|r| r.limits.as_ref());
        if requests.is_some_and(|r| !r.is_empty()) || limits.is_some_and(|l| !l.is_empty()) {
            any = true;
        }
        for resource in ["cpu", "memory"] {
            let limit = limits.and_then(|l| l.get(resource));
            let request = requests.and_then(|r| r.get(resource)).or(limit);
            if limit.is_none() || request != limit {
                guaranteed = false;
            }
        }
    }
    if guaranteed {
        "Guaranteed".to_string()
    } else if any {
        "Burstable".to_string()
    } else {
        "BestEffort".to_string()
    }
}

impl From<StatusReason> for u16 {
    fn from(reason: StatusReason) -> u16 {
        reason.code()
    }
}
