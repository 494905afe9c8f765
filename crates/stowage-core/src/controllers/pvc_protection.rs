//! The PVC protection controller (`pvcprotection`): a claim marked for deletion keeps its
//! `kubernetes.io/pvc-protection` finalizer while a scheduled pod uses it.
//!
//! Design: admission adds the finalizer on create; this controller re-adds it to live claims that
//! lost it, and removes it from a terminating claim once no pod with `spec.nodeName` set references
//! the claim (through `persistentVolumeClaim.claimName`, or as the generic ephemeral volume
//! `<pod>-<volume>`, where pods that have finished do not count). The pod's phase does not matter
//! otherwise: a completed pod still blocks deletion, as upstream. Unscheduled pods never block.

use super::pv_controller::helpers::*;
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::FINALIZER_PVC_PROTECTION;
use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::ApiServer;
use crate::sim::Component;
use crate::store::{Change, Store};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};

/// The PVC protection controller.
#[derive(Debug)]
pub struct PvcProtectionController;

/// Whether a scheduled pod in the claim's namespace still uses it (`podUsesPVC`).
pub fn claim_in_use(store: &Store, namespace: &str, claim: &str) -> bool {
    store.list_typed_in::<Pod>(namespace).any(|pod| {
        if pod_node(pod).is_empty() {
            return false;
        }
        let pod_name = name_of(&pod.metadata);
        pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).into_iter().flatten().any(|volume| {
            if let Some(source) = &volume.persistent_volume_claim {
                source.claim_name == claim
            } else if volume.ephemeral.is_some() {
                // Generic ephemeral volumes: a pod that has shut down no longer holds its claim.
                format!("{pod_name}-{}", volume.name) == claim && !pod_is_terminated(pod)
            } else {
                false
            }
        })
    })
}

impl Controller for PvcProtectionController {
    fn component(&self) -> Component {
        Component::PvController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::PersistentVolumeClaim]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        match change.key.kind {
            Kind::PersistentVolumeClaim => {
                // Only claims that are going away or lost their finalizer need a look (a predicate
                // on the level, as kube-rs filters do).
                let needs_look = api
                    .store()
                    .get_typed::<PersistentVolumeClaim>(&change.key.namespace, &change.key.name)
                    .is_some_and(|claim| {
                        claim.metadata.deletion_timestamp.is_some()
                            || !has_finalizer(&claim.metadata, FINALIZER_PVC_PROTECTION)
                    });
                if needs_look {
                    out.push(change.key.clone());
                }
            }
            Kind::Pod => {
                // A pod changed or went away: terminating claims of its namespace may be free now.
                for claim in api.store().list_typed_in::<PersistentVolumeClaim>(&change.key.namespace) {
                    if claim.metadata.deletion_timestamp.is_some() {
                        out.push(ObjectKey::namespaced(
                            Kind::PersistentVolumeClaim,
                            change.key.namespace.clone(),
                            name_of(&claim.metadata),
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(claim) = ctx.api.store().get_typed::<PersistentVolumeClaim>(&key.namespace, &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        let protected = has_finalizer(&claim.metadata, FINALIZER_PVC_PROTECTION);
        if claim.metadata.deletion_timestamp.is_none() {
            // A live claim must carry the finalizer.
            if !protected {
                let mut clone = claim.clone();
                add_finalizer(&mut clone.metadata, FINALIZER_PVC_PROTECTION);
                ctx.api.update(Component::PvController, clone.into_object())?;
            } else {
                // Protected already.
            }
        } else if protected && !claim_in_use(ctx.api.store(), &key.namespace, &key.name) {
            // Terminating and unused: let it go.
            let mut clone = claim.clone();
            remove_finalizer(&mut clone.metadata, FINALIZER_PVC_PROTECTION);
            ctx.api.update(Component::PvController, clone.into_object())?;
        } else {
            // Terminating but used by a scheduled pod (kubectl shows Terminating), or not protected.
        }
        Ok(Action::await_change())
    }
}
