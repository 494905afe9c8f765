//! The PV protection controller (`pvprotection`): a volume marked for deletion keeps its
//! `kubernetes.io/pv-protection` finalizer while it is Bound.
//!
//! Design: admission adds the finalizer on create; this controller re-adds it to live volumes that
//! lost it, and removes it from a terminating volume whose phase is not `Bound` (its claim was
//! deleted and it became Released, or it was never bound).

use super::pv_controller::helpers::*;
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::FINALIZER_PV_PROTECTION;
use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::ApiServer;
use crate::sim::Component;
use crate::store::Change;
use k8s_openapi::api::core::v1::PersistentVolume;

/// The PV protection controller.
#[derive(Debug)]
pub struct PvProtectionController;

impl Controller for PvProtectionController {
    fn component(&self) -> Component {
        Component::PvController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::PersistentVolume]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        // Only volumes that are going away or lost their finalizer need a look.
        let needs_look = change.key.kind == Kind::PersistentVolume
            && api.store().get_typed::<PersistentVolume>("", &change.key.name).is_some_and(|volume| {
                volume.metadata.deletion_timestamp.is_some()
                    || !has_finalizer(&volume.metadata, FINALIZER_PV_PROTECTION)
            });
        if needs_look {
            out.push(change.key.clone());
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(volume) = ctx.api.store().get_typed::<PersistentVolume>("", &key.name).cloned() else {
            return Ok(Action::await_change());
        };
        let protected = has_finalizer(&volume.metadata, FINALIZER_PV_PROTECTION);
        if volume.metadata.deletion_timestamp.is_none() {
            if !protected {
                let mut clone = volume.clone();
                add_finalizer(&mut clone.metadata, FINALIZER_PV_PROTECTION);
                ctx.api.update(Component::PvController, clone.into_object())?;
            } else {
                // Protected already.
            }
        } else if protected && volume_phase(&volume) != "Bound" {
            let mut clone = volume.clone();
            remove_finalizer(&mut clone.metadata, FINALIZER_PV_PROTECTION);
            ctx.api.update(Component::PvController, clone.into_object())?;
        } else {
            // Terminating while Bound: kubectl shows Terminating until the claim lets go.
        }
        Ok(Action::await_change())
    }
}
