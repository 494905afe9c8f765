//! The controllers that give every namespace its standard contents: the serviceaccount controller's
//! `default` ServiceAccount and the root-ca-cert-publisher's `kube-root-ca.crt` ConfigMap.

use super::{Action, Controller, Ctx, ReconcileError};
use crate::api::{Kind, ObjectKey, Typed};
use crate::apiserver::ApiServer;
use crate::sim::Component;
use crate::store::Change;
use k8s_openapi::api::core::v1::{ConfigMap, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// The cluster's simulated root CA, as `kube-root-ca.crt` publishes it.
const ROOT_CA: &str = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIStowageRootCAwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczAeFw0yNjA1MTQwOTAwMDBaFw0zNjA1MTIwOTAwMDBaMBUx\nEzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK\n-----END CERTIFICATE-----\n";

/// Ensures each live namespace has its `default` ServiceAccount and `kube-root-ca.crt` ConfigMap.
#[derive(Debug)]
pub struct NamespaceContents;

impl Controller for NamespaceContents {
    fn component(&self) -> Component {
        Component::NamespaceController
    }

    fn reconciles(&self) -> &'static [Kind] {
        &[Kind::Namespace]
    }

    fn triggers(&self, change: &Change, api: &ApiServer, out: &mut Vec<ObjectKey>) {
        let _ = api;
        let watched = matches!(change.key.kind, Kind::ServiceAccount | Kind::ConfigMap);
        if change.key.kind == Kind::Namespace {
            out.push(change.key.clone());
        } else if watched && !change.key.namespace.is_empty() {
            out.push(ObjectKey::cluster(Kind::Namespace, change.key.namespace.clone()));
        }
    }

    fn reconcile(&self, key: &ObjectKey, ctx: &mut Ctx<'_>) -> Result<Action, ReconcileError> {
        let live = ctx.api.store().get(key).is_some_and(|ns| !ns.is_terminating());
        if !live {
            return Ok(Action::await_change());
        }
        let namespace = key.name.clone();
        if ctx.api.store().get_typed::<ServiceAccount>(&namespace, "default").is_none() {
            let account = ServiceAccount {
                metadata: ObjectMeta {
                    name: Some("default".to_string()),
                    namespace: Some(namespace.clone()),
                    ..ObjectMeta::default()
                },
                ..ServiceAccount::default()
            };
            ctx.api.create(Component::NamespaceController, account.into_object())?;
        }
        if ctx.api.store().get_typed::<ConfigMap>(&namespace, "kube-root-ca.crt").is_none() {
            let config_map = ConfigMap {
                metadata: ObjectMeta {
                    name: Some("kube-root-ca.crt".to_string()),
                    namespace: Some(namespace.clone()),
                    annotations: Some(BTreeMap::from([(
                        "kubernetes.io/description".to_string(),
                        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.".to_string(),
                    )])),
                    ..ObjectMeta::default()
                },
                data: Some(BTreeMap::from([("ca.crt".to_string(), ROOT_CA.to_string())])),
                ..ConfigMap::default()
            };
            ctx.api.create(Component::NamespaceController, config_map.into_object())?;
        }
        Ok(Action::await_change())
    }
}
