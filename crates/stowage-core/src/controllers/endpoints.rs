//! The Endpoints and EndpointSlice controllers: the addresses behind each Service with a selector.
//!
//! Design (`endpoints_controller.go`, `endpointslice_controller.go` and its reconciler): both
//! controllers reconcile Services and read the pods their selector matches, from the current state
//! only; any pod change wakes every Service in its namespace that has a selector.
//! - A pod takes part when it has an IP and is not Succeeded or Failed. The Endpoints object leaves
//!   terminating pods out (unless `publishNotReadyAddresses`); slices keep them, marked
//!   `terminating`.
//! - Endpoints: ready pods go to `addresses`, others to `notReadyAddresses`, one subset per distinct
//!   set of resolved ports, addresses sorted by IP (`RepackSubsets`). The object has the Service's
//!   name and labels plus `endpoints.kubernetes.io/managed-by: endpoint-controller`, and no owner: the
//!   controller deletes it with its Service.
//! - EndpointSlices: one IPv4 slice per distinct port set (at most 100 endpoints each), named by the
//!   API server from `generateName: {service}-`, labelled `kubernetes.io/service-name` and
//!   `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`, owned by the Service
//!   (the garbage collector removes them with it). Each endpoint has conditions `ready` (serving and
//!   not terminating), `serving` (pod Ready) and `terminating`, its node, zone and target pod. A
//!   Service with no endpoints keeps one empty placeholder slice.
//! - `hostname` is set when the pod has `spec.hostname` and its `spec.subdomain` names the Service
//!   (`ShouldSetHostname`): StatefulSet pods behind their governing headless Service.
//! - Headless Services (`clusterIP: None`) add the label `service.kubernetes.io/headless`.

use super::replicaset::is_pod_ready;
use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::well_known::LABEL_ZONE;
use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::{ApiServer, DeleteOptions};
use crate::sim::Component;
use crate::store::Change;
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Node, ObjectReference, Pod, Service, ServicePort,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The Endpoints controller.
#[derive(Debug)]
pub struct EndpointsController;

/// The EndpointSlice controller.
#[derive(Debug)]
pub struct EndpointSliceController;

/// On Endpoints: which controller manages them.
pub const LABEL_ENDPOINTS_MANAGED_BY: &str = "endpoints.kubernetes.io/managed-by";
/// The value of [`LABEL_ENDPOINTS_MANAGED_BY`] for the Endpoints controller.
pub const ENDPOINTS_CONTROLLER_NAME: &str = "endpoint-controller";
/// On EndpointSlices: the Service they belong to.
pub const LABEL_SERVICE_NAME: &str = "kubernetes.io/service-name";
/// On EndpointSlices: which controller manages them.
pub const LABEL_SLICE_MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
/// The value of [`LABEL_SLICE_MANAGED_BY`] for the EndpointSlice controller.
pub const ENDPOINTSLICE_CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
/// On Endpoints and EndpointSlices of a headless Service: present, with an empty value.
pub const LABEL_HEADLESS: &str = "service.kubernetes.io/headless";
/// On Endpoints and EndpointSlices: when the change they reflect happened.
pub const ANN_LAST_CHANGE_TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// The most endpoints in one slice (`--max-endpoints-per-slice`).
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// Wakes the Services of `change`'s namespace that a pod change may concern, or the Service an
/// Endpoints object or slice belongs to.
fn service_triggers(change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
    let namespace = &change.key.namespace;
    match change.key.kind {
        Kind::Service => out.push(change.key.clone()),
        Kind::Pod => {
            for service in api.store().list_typed_in::<Service>(namespace) {
                if service.spec.as_ref().and_then(|s| s.selector.as_ref()).is_some() {
                    let name = service.metadata.name.clone().unwrap_or_default();
                    out.push(ObjectKey::namespaced(Kind::Service, namespace.clone(), name));
                }
            }
        }
        Kind::Endpoints => out.push(ObjectKey::namespaced(Kind::Service, namespace.clone(), change.key.name.clone())),
        Kind::EndpointSlice => {
            let service = api
                .store()
                .get_typed::<EndpointSlice>(namespace, &change.key.name)
                .and_then(|s| s.metadata.labels.as_ref()?.get(LABEL_SERVICE_NAME).cloned());
            if let Some(service) = service {
                out.push(ObjectKey::namespaced(Kind::Service, namespace.clone(), service));
            }
        }
        _ => {}
    }
}

fn selector_of(service: &Service) -> Option<&BTreeMap<String, String>> {
    service.spec.as_ref()?.selector.as_ref()
}

fn is_headless(service: &Service) -> bool {
    service.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

fn publishes_not_ready(service: &Service) -> bool {
    service.spec.as_ref().and_then(|s| s.publish_not_ready_addresses).unwrap_or(false)
}

/// The live pods a Service selects that have an IP and have not finished, in name order.
fn selected_pods<'a>(api: &'a ApiServer, service: &'a Service) -> Vec<&'a Pod> {
    let Some(selector) = selector_of(service) else { return Vec::new() };
    let namespace = service.metadata.namespace.clone().unwrap_or_default();
    api.store()
        .list_typed_in::<Pod>(&namespace)
        .filter(|pod| {
            let labels = pod.metadata.labels.as_ref();
            selector.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
        })
        .filter(|pod| pod_ip(pod).is_some())
        .filter(|pod| !matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")))
        .collect()
}

fn pod_ip(pod: &Pod) -> Option<String> {
    pod.status.as_ref()?.pod_ip.clone().filter(|ip| !ip.is_empty())
}

/// `ShouldSetHostname`: the pod's hostname when its subdomain names the Service.
fn hostname_for(pod: &Pod, service: &Service) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let hostname = spec.hostname.clone().filter(|h| !h.is_empty())?;
    let same_namespace = pod.metadata.namespace == service.metadata.namespace;
    (spec.subdomain.is_some() && spec.subdomain == service.metadata.name && same_namespace).then_some(hostname)
}

fn target_ref(pod: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".to_string()),
        namespace: pod.metadata.namespace.clone(),
        name: pod.metadata.name.clone(),
        uid: pod.metadata.uid.clone(),
        ..ObjectReference::default()
    }
}

/// `findPort`: the container port a Service port targets on this pod, if the pod has it.
fn find_port(pod: &Pod, port: &ServicePort) -> Option<i32> {
    match port.target_port.as_ref() {
        None => Some(port.port),
        Some(IntOrString::Int(number)) => Some(*number),
        Some(IntOrString::String(name)) => {
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            pod.spec.as_ref()?.containers.iter().flat_map(|c| c.ports.iter().flatten()).find_map(|p| {
                (p.name.as_deref() == Some(name.as_str()) && p.protocol.as_deref().unwrap_or("TCP") == protocol)
                    .then_some(p.container_port)
            })
        }
    }
}

/// Resolved ports of a pod for a Service: (name, port, protocol, appProtocol).
type ResolvedPort = (String, i32, String, Option<String>);

fn resolved_ports(pod: &Pod, service: &Service) -> Vec<ResolvedPort> {
    service
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|port| {
            let number = find_port(pod, port)?;
            let name = port.name.clone().unwrap_or_default();
            let protocol = port.protocol.clone().unwrap_or_else(|| "TCP".to_string());
            Some((name, number, protocol, port.app_protocol.clone()))
        })
        .collect()
}

/// The labels of a managed object: the Service's, with the controller's own on top.
fn managed_labels(service: &Service, own: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut labels = service.metadata.labels.clone().unwrap_or_default();
    for (key, value) in own {
        labels.insert((*key).to_string(), (*value).to_string());
    }
    if is_headless(service) {
        labels.insert(LABEL_HEADLESS.to_string(), String::new());
    } else {
        labels.remove(LABEL_HEADLESS);
    }
    labels
}

fn trigger_annotation(ctx: &Ctx<'_>) -> BTreeMap<String, String> {
    BTreeMap::from([(ANN_LAST_CHANGE_TRIGGER_TIME.to_string(), ctx.now().rfc3339())])
}

impl Controller for EndpointsController {
    fn component(&self) -> Component {
        Component::EndpointsController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Service]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        if change.key.kind != Kind::EndpointSlice {
            service_triggers(change, api, out);
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let endpoints_key = ObjectKey::namespaced(Kind::Endpoints, key.namespace.clone(), key.name.clone());
        let Some(service) = ctx.api.store().get_typed::<Service>(&key.namespace, &key.name).cloned() else {
            // OBSERVATION: the Service is gone; its Endpoints go with it.
            if ctx.api.store().get(&endpoints_key).is_some() {
                ctx.api.delete(Component::EndpointsController, &endpoints_key, DeleteOptions::default())?;
            }
            return Ok(Action::await_change());
        };
        if selector_of(&service).is_none() {
            // OBSERVATION: no selector: the user manages this Service's Endpoints.
            return Ok(Action::await_change());
        }
        let subsets = desired_subsets(ctx.api, &service);
        let labels = managed_labels(&service, &[(LABEL_ENDPOINTS_MANAGED_BY, ENDPOINTS_CONTROLLER_NAME)]);
        let subsets = (!subsets.is_empty()).then_some(subsets);
        match ctx.api.store().get_typed::<Endpoints>(&key.namespace, &key.name).cloned() {
            Some(existing) if existing.subsets == subsets && existing.metadata.labels.as_ref() == Some(&labels) => {}
            Some(mut existing) => {
                existing.subsets = subsets;
                existing.metadata.labels = Some(labels);
                existing.metadata.annotations.get_or_insert_with(BTreeMap::new).extend(trigger_annotation(ctx));
                ctx.api.update(Component::EndpointsController, existing.into_object())?;
            }
            None => {
                let endpoints = Endpoints {
                    metadata: ObjectMeta {
                        name: Some(key.name.clone()),
                        namespace: Some(key.namespace.clone()),
                        labels: Some(labels),
                        annotations: Some(trigger_annotation(ctx)),
                        ..ObjectMeta::default()
                    },
                    subsets,
                };
                ctx.api.create(Component::EndpointsController, endpoints.into_object())?;
            }
        }
        Ok(Action::await_change())
    }
}

/// The Endpoints subsets for a Service (`syncService` then `RepackSubsets`).
fn desired_subsets(api: &ApiServer, service: &Service) -> Vec<EndpointSubset> {
    let tolerate_unready = publishes_not_ready(service);
    let has_ports = service.spec.as_ref().and_then(|s| s.ports.as_ref()).is_some_and(|p| !p.is_empty());
    // Port set → (ready, not ready) addresses.
    let mut groups: BTreeMap<Vec<ResolvedPort>, (Vec<EndpointAddress>, Vec<EndpointAddress>)> = BTreeMap::new();
    for pod in selected_pods(api, service) {
        if pod.metadata.deletion_timestamp.is_some() && !tolerate_unready {
            continue;
        }
        let ports = resolved_ports(pod, service);
        if has_ports && ports.is_empty() {
            continue;
        }
        if !has_ports && !is_headless(service) {
            continue;
        }
        let address = EndpointAddress {
            ip: pod_ip(pod).unwrap_or_default(),
            hostname: hostname_for(pod, service),
            node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(target_ref(pod)),
        };
        let group = groups.entry(ports).or_default();
        if tolerate_unready || is_pod_ready(pod) {
            group.0.push(address);
        } else {
            group.1.push(address);
        }
    }
    groups
        .into_iter()
        .map(|(ports, (mut ready, mut not_ready))| {
            let order = |a: &EndpointAddress, b: &EndpointAddress| {
                (a.ip.as_str(), a.target_ref.as_ref().and_then(|r| r.uid.clone()))
                    .cmp(&(b.ip.as_str(), b.target_ref.as_ref().and_then(|r| r.uid.clone())))
            };
            ready.sort_by(order);
            not_ready.sort_by(order);
            let ports: Vec<EndpointPort> = ports
                .into_iter()
                .map(|(name, port, protocol, app_protocol)| EndpointPort {
                    name: (!name.is_empty()).then_some(name),
                    port,
                    protocol: Some(protocol),
                    app_protocol,
                })
                .collect();
            EndpointSubset {
                addresses: (!ready.is_empty()).then_some(ready),
                not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
                ports: (!ports.is_empty()).then_some(ports),
            }
        })
        .collect()
}

impl Controller for EndpointSliceController {
    fn component(&self) -> Component {
        Component::EndpointsController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Service]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        if change.key.kind != Kind::Endpoints {
            service_triggers(change, api, out);
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let Some(service) = ctx.api.store().get_typed::<Service>(&key.namespace, &key.name).cloned() else {
            // OBSERVATION: the Service is gone; the garbage collector removes its slices (they are owned).
            return Ok(Action::await_change());
        };
        if selector_of(&service).is_none() || service.metadata.deletion_timestamp.is_some() {
            return Ok(Action::await_change());
        }
        let desired = desired_slices(ctx.api, &service);
        let mut existing: Vec<EndpointSlice> = ctx
            .api
            .store()
            .list_typed_in::<EndpointSlice>(&key.namespace)
            .filter(|s| {
                let labels = s.metadata.labels.as_ref();
                labels.and_then(|l| l.get(LABEL_SERVICE_NAME)) == Some(&key.name)
                    && labels.and_then(|l| l.get(LABEL_SLICE_MANAGED_BY)).map(String::as_str)
                        == Some(ENDPOINTSLICE_CONTROLLER_NAME)
            })
            .cloned()
            .collect();
        let labels = managed_labels(
            &service,
            &[(LABEL_SERVICE_NAME, key.name.as_str()), (LABEL_SLICE_MANAGED_BY, ENDPOINTSLICE_CONTROLLER_NAME)],
        );
        for (ports, endpoints) in desired {
            // Reuse a slice with the same ports, else any other existing slice, else create one.
            let reuse = existing.iter().position(|s| s.ports == ports).or_else(|| (!existing.is_empty()).then_some(0));
            match reuse.map(|index| existing.remove(index)) {
                Some(slice)
                    if slice.ports == ports
                        && slice.endpoints == endpoints
                        && slice.metadata.labels.as_ref() == Some(&labels) => {}
                Some(mut slice) => {
                    slice.ports = ports;
                    slice.endpoints = endpoints;
                    slice.metadata.labels = Some(labels.clone());
                    slice.metadata.annotations.get_or_insert_with(BTreeMap::new).extend(trigger_annotation(ctx));
                    ctx.api.update(Component::EndpointsController, slice.into_object())?;
                }
                None => {
                    let slice = EndpointSlice {
                        metadata: ObjectMeta {
                            generate_name: Some(format!("{}-", key.name)),
                            namespace: Some(key.namespace.clone()),
                            labels: Some(labels.clone()),
                            annotations: Some(trigger_annotation(ctx)),
                            owner_references: Some(vec![OwnerReference {
                                api_version: "v1".to_string(),
                                kind: "Service".to_string(),
                                name: key.name.clone(),
                                uid: service.metadata.uid.clone().unwrap_or_default(),
                                controller: Some(true),
                                block_owner_deletion: Some(true),
                            }]),
                            ..ObjectMeta::default()
                        },
                        address_type: "IPv4".to_string(),
                        endpoints,
                        ports,
                    };
                    ctx.api.create(Component::EndpointsController, slice.into_object())?;
                }
            }
        }
        for slice in existing {
            let slice_key = ObjectKey::namespaced(
                Kind::EndpointSlice,
                key.namespace.clone(),
                slice.metadata.name.unwrap_or_default(),
            );
            ctx.api.delete(Component::EndpointsController, &slice_key, DeleteOptions::default())?;
        }
        Ok(Action::await_change())
    }
}

/// Slice contents: (ports, endpoints) per slice, a placeholder when there is nothing to publish.
fn desired_slices(api: &ApiServer, service: &Service) -> Vec<(Option<Vec<SlicePort>>, Vec<Endpoint>)> {
    let publish_not_ready = publishes_not_ready(service);
    let mut groups: BTreeMap<Vec<ResolvedPort>, Vec<Endpoint>> = BTreeMap::new();
    for pod in selected_pods(api, service) {
        let serving = publish_not_ready || is_pod_ready(pod);
        let terminating = pod.metadata.deletion_timestamp.is_some();
        let ready = publish_not_ready || (serving && !terminating);
        let node_name = pod.spec.as_ref().and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty());
        let zone = node_name
            .as_deref()
            .and_then(|n| api.store().get_typed::<Node>("", n))
            .and_then(|n| n.metadata.labels.as_ref()?.get(LABEL_ZONE).cloned())
            .filter(|z| !z.is_empty());
        let endpoint = Endpoint {
            addresses: vec![pod_ip(pod).unwrap_or_default()],
            conditions: Some(EndpointConditions {
                ready: Some(ready),
                serving: Some(serving),
                terminating: Some(terminating),
            }),
            hostname: hostname_for(pod, service),
            node_name,
            target_ref: Some(target_ref(pod)),
            zone,
            ..Endpoint::default()
        };
        groups.entry(resolved_ports(pod, service)).or_default().push(endpoint);
    }
    let mut slices = Vec::new();
    for (ports, endpoints) in groups {
        let ports: Vec<SlicePort> = ports
            .into_iter()
            .map(|(name, port, protocol, app_protocol)| SlicePort {
                name: Some(name),
                port: Some(port),
                protocol: Some(protocol),
                app_protocol,
            })
            .collect();
        let ports = (!ports.is_empty()).then_some(ports);
        for chunk in endpoints.chunks(MAX_ENDPOINTS_PER_SLICE) {
            slices.push((ports.clone(), chunk.to_vec()));
        }
    }
    if slices.is_empty() {
        slices.push((None, Vec::new()));
    }
    slices
}
