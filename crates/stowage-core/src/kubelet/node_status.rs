//! The volume part of the kubelet's Node status: `status.volumesInUse`.
//!
//! The kubelet's volume manager reports every attachable volume that is mounted (or about to be)
//! on its node, sorted, as `kubernetes.io/csi/<driver>^<volume handle>`. The attach/detach
//! controller does not detach a volume listed there: a partitioned kubelet cannot clear the list,
//! so its volumes stay attached until the pod is gone and the list says so, until the node is
//! tainted out-of-service, or until `maxWaitForUnmountDuration` passes on the unhealthy node.
//! (`status.volumesAttached` is written by the attach/detach controller, not here.)

use super::NodeState;
use crate::api::Typed;
use crate::controllers::attach_detach::{attachable, unique_volume_name};
use crate::controllers::{Ctx, ReconcileError};
use crate::sim::Component;
use k8s_openapi::api::core::v1::{Node, PersistentVolume};
use std::collections::BTreeSet;

/// The attachable volumes mounted on `node`, as the kubelet names them in `volumesInUse`.
pub fn volumes_in_use(ctx: &Ctx<'_>, node: &str) -> Vec<String> {
    let store = ctx.api.store();
    let mut names = BTreeSet::new();
    for sandbox in ctx.backend.dataplane.pods.values().filter(|p| p.node == node) {
        for volume in sandbox.volumes.values() {
            let Some(name) = volume.volume_name.as_deref() else {
                continue;
            };
            let Some(pv) = store.get_typed::<PersistentVolume>("", name) else {
                continue;
            };
            if let Some((driver, handle)) = attachable(store, pv) {
                names.insert(unique_volume_name(&driver, &handle));
            }
        }
    }
    names.into_iter().collect()
}

/// Posts `status.volumesInUse` on `node` when it changed and the kubelet can reach the API server.
///
/// # Errors
/// The status update's error (a Conflict is retried by the caller's reconcile).
pub fn sync_volumes_in_use(ctx: &mut Ctx<'_>, node: &str) -> Result<(), ReconcileError> {
    if node.is_empty() || ctx.backend.dataplane.node_state(node) != NodeState::Ready {
        return Ok(());
    }
    let Some(current) = ctx.api.store().get_typed::<Node>("", node).cloned() else {
        return Ok(());
    };
    let desired = volumes_in_use(ctx, node);
    let reported = current.status.as_ref().and_then(|s| s.volumes_in_use.clone()).unwrap_or_default();
    if reported == desired {
        return Ok(());
    }
    let mut updated = current;
    updated.status.get_or_insert_with(Default::default).volumes_in_use =
        if desired.is_empty() { None } else { Some(desired) };
    ctx.api.update_status(Component::Kubelet, updated.into_object())?;
    Ok(())
}
