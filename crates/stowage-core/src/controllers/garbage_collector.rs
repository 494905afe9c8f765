//! The garbage collector: deletes dependents whose owners are gone, and carries out foreground and
//! orphan deletion.
//!
//! Design: an object is a dependent of every object named in its `ownerReferences`. When no owner
//! exists any more (by uid), the dependent is deleted in the background. An owner with the
//! `foregroundDeletion` finalizer waits until its dependents are gone; one with the `orphan`
//! finalizer has its dependents' references to it removed, then loses the finalizer.

use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::{FINALIZER_FOREGROUND_DELETION, FINALIZER_ORPHAN};
use crate::api::{Kind, Object, ObjectKey};
use crate::apiserver::{ApiServer, DeleteOptions};
use crate::sim::Component;
use crate::store::Change;

/// The garbage collector.
#[derive(Debug)]
pub struct GarbageCollector;

/// Kinds that can be dependents through ownerReferences in this simulator.
const DEPENDENT_KINDS: &[Kind] = &[
    Kind::Pod,
    Kind::PersistentVolumeClaim,
    Kind::ReplicaSet,
    Kind::Endpoints,
    Kind::EndpointSlice,
    Kind::ConfigMap,
    Kind::Secret,
    Kind::VolumeSnapshot,
    Kind::VolumeSnapshotContent,
];

fn dependents_of<'a>(api: &'a ApiServer, owner_uid: &'a str) -> impl Iterator<Item = &'a Object> + 'a {
    DEPENDENT_KINDS.iter().flat_map(move |kind| {
        api.store().list(*kind).filter(move |o| {
            o.meta().owner_references.as_ref().is_some_and(|refs| refs.iter().any(|r| r.uid == owner_uid))
        })
    })
}

fn owner_exists(
    api: &ApiServer,
    dependent: &Object,
    reference: &k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference,
) -> bool {
    let Some(kind) = Kind::from_api_version_and_kind(&reference.api_version, &reference.kind) else { return true };
    let key = ObjectKey::new(kind, dependent.namespace(), reference.name.clone());
    api.store().get(&key).is_some_and(|owner| owner.uid() == reference.uid)
}

impl Controller for GarbageCollector {
    fn component(&self) -> Component {
        Component::GarbageCollector
    }

    fn reconciles(&self) -> &'static [Kind] {
        Kind::ALL
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        match api.store().get(&change.key) {
            // A deleted object: its dependents may be orphans now.
            None => {
                for kind in DEPENDENT_KINDS {
                    for object in api.store().list(*kind) {
                        let refs = object.meta().owner_references.as_deref().unwrap_or(&[]);
                        if refs.iter().any(|r| r.name == change.key.name && r.kind == change.key.kind.info().name) {
                            out.push(object.key());
                        }
                    }
                }
            }
            Some(object) => {
                let finalizers = object.meta().finalizers.as_deref().unwrap_or(&[]);
                if object.is_terminating()
                    && finalizers.iter().any(|f| f == FINALIZER_FOREGROUND_DELETION || f == FINALIZER_ORPHAN)
                {
                    out.push(change.key.clone());
                }
                if object.meta().owner_references.as_ref().is_some_and(|r| !r.is_empty()) {
                    out.push(change.key.clone());
                    // An owner waiting in the foreground may be done once this dependent goes.
                    for reference in object.meta().owner_references.iter().flatten() {
                        if let Some(kind) = Kind::from_api_version_and_kind(&reference.api_version, &reference.kind) {
                            out.push(ObjectKey::new(kind, object.namespace(), reference.name.clone()));
                        }
                    }
                }
            }
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(object) = ctx.api.store().get(key).cloned() else { return Ok(Action::await_change()) };
        let finalizers = object.meta().finalizers.clone().unwrap_or_default();
        if object.is_terminating() && finalizers.iter().any(|f| f == FINALIZER_ORPHAN) {
            let uid = object.uid().to_string();
            let dependents: Vec<Object> = dependents_of(ctx.api, &uid).cloned().collect();
            for mut dependent in dependents {
                if let Some(refs) = dependent.meta_mut().owner_references.as_mut() {
                    refs.retain(|r| r.uid != uid);
                }
                ctx.api.update(Component::GarbageCollector, dependent)?;
            }
            let mut owner = object.clone();
            owner.meta_mut().finalizers = Some(finalizers.iter().filter(|f| *f != FINALIZER_ORPHAN).cloned().collect());
            ctx.api.update(Component::GarbageCollector, owner)?;
            return Ok(Action::await_change());
        }
        if object.is_terminating() && finalizers.iter().any(|f| f == FINALIZER_FOREGROUND_DELETION) {
            let uid = object.uid().to_string();
            let dependents: Vec<ObjectKey> = dependents_of(ctx.api, &uid).map(Object::key).collect();
            if dependents.is_empty() {
                let mut owner = object.clone();
                owner.meta_mut().finalizers =
                    Some(finalizers.iter().filter(|f| *f != FINALIZER_FOREGROUND_DELETION).cloned().collect());
                ctx.api.update(Component::GarbageCollector, owner)?;
            } else {
                for dependent in dependents {
                    let terminating = ctx.api.store().get(&dependent).is_some_and(Object::is_terminating);
                    if !terminating {
                        let options = DeleteOptions {
                            propagation: crate::apiserver::Propagation::Foreground,
                            ..DeleteOptions::default()
                        };
                        ctx.api.delete(Component::GarbageCollector, &dependent, options)?;
                    }
                }
            }
            return Ok(Action::await_change());
        }
        let references = object.meta().owner_references.clone().unwrap_or_default();
        if !references.is_empty()
            && !object.is_terminating()
            && references.iter().all(|r| !owner_exists(ctx.api, &object, r))
        {
            ctx.api.delete(Component::GarbageCollector, key, DeleteOptions::default())?;
        }
        Ok(Action::await_change())
    }
}
