//! The namespace controller: deletes everything in a Terminating namespace, then the namespace.

use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::{Kind, ObjectKey};
use crate::apiserver::{ApiServer, DeleteOptions};
use crate::sim::Component;
use crate::store::Change;

/// Empties and finalizes namespaces marked for deletion.
#[derive(Debug)]
pub struct NamespaceController;

impl Controller for NamespaceController {
    fn component(&self) -> Component {
        Component::NamespaceController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Namespace]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        let _ = api;
        if change.key.kind == Kind::Namespace {
            out.push(change.key.clone());
        } else if change.key.kind.is_namespaced() && !change.key.namespace.is_empty() {
            // Something in a namespace went away: a Terminating namespace may now be empty.
            out.push(ObjectKey::cluster(Kind::Namespace, change.key.namespace.clone()));
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(namespace) = ctx.api.store().get(key) else { return Ok(Action::await_change()) };
        if !namespace.is_terminating() {
            return Ok(Action::await_change());
        }
        let contents: Vec<ObjectKey> = Kind::ALL
            .iter()
            .filter(|kind| kind.is_namespaced())
            .flat_map(|kind| ctx.api.store().list_in(*kind, &key.name).map(|o| o.key()).collect::<Vec<_>>())
            .collect();
        let mut remaining = 0;
        for content in contents {
            let terminating = ctx.api.store().get(&content).is_some_and(|o| o.is_terminating());
            remaining += 1;
            if !terminating {
                ctx.api.delete(Component::NamespaceController, &content, DeleteOptions::default())?;
            }
        }
        let left = Kind::ALL
            .iter()
            .filter(|kind| kind.is_namespaced() && **kind != Kind::Event)
            .map(|kind| ctx.api.store().list_in(*kind, &key.name).count())
            .sum::<usize>();
        if left == 0 {
            let events: Vec<ObjectKey> = ctx.api.store().list_in(Kind::Event, &key.name).map(|o| o.key()).collect();
            for event in events {
                ctx.api.delete(Component::NamespaceController, &event, DeleteOptions::default())?;
            }
            ctx.api.finish_namespace_deletion(Component::NamespaceController, &key.name);
            Ok(Action::await_change())
        } else {
            let _ = remaining;
            Ok(Action::await_change())
        }
    }
}
