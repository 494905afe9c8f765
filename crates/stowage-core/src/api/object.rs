//! The typed object enum the store holds, and keys that name objects.

use super::Kind;
use super::snapshot::{VolumeSnapshot, VolumeSnapshotClass, VolumeSnapshotContent};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::fmt;

/// Names one object: kind, namespace (empty for cluster-scoped kinds) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct ObjectKey {
    /// The object's kind.
    pub kind: Kind,
    /// The namespace; empty for cluster-scoped kinds.
    pub namespace: String,
    /// The object's name.
    pub name: String,
}

impl ObjectKey {
    /// A key for a namespaced object.
    pub fn namespaced(kind: Kind, namespace: impl Into<String>, name: impl Into<String>) -> ObjectKey {
        ObjectKey { kind, namespace: namespace.into(), name: name.into() }
    }

    /// A key for a cluster-scoped object.
    pub fn cluster(kind: Kind, name: impl Into<String>) -> ObjectKey {
        ObjectKey { kind, namespace: String::new(), name: name.into() }
    }

    /// A key, ignoring `namespace` when the kind is cluster-scoped.
    pub fn new(kind: Kind, namespace: &str, name: impl Into<String>) -> ObjectKey {
        if kind.is_namespaced() { ObjectKey::namespaced(kind, namespace, name) } else { ObjectKey::cluster(kind, name) }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// A Rust type that is one of the engine's kinds.
pub trait Typed:
    k8s_openapi::Metadata<Ty = ObjectMeta> + Clone + serde::Serialize + serde::de::DeserializeOwned + Sized
{
    /// The kind this type represents.
    const KIND: Kind;
    /// Wraps the value in the object enum.
    fn into_object(self) -> Object;
    /// Borrows the value out of the object enum, if the kind matches.
    fn from_object(object: &Object) -> Option<&Self>;
}

macro_rules! objects {
    ($( $variant:ident => $ty:ty ),* $(,)?) => {
        /// Any object the simulated API server stores. Variants are boxed: the store holds many.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $(
                #[doc = concat!("A `", stringify!($variant), "`.")]
                $variant(Box<$ty>),
            )*
        }

        impl Object {
            /// The object's kind.
            pub fn kind(&self) -> Kind {
                match self { $(Object::$variant(_) => Kind::$variant,)* }
            }

            /// The object's metadata.
            pub fn meta(&self) -> &ObjectMeta {
                match self { $(Object::$variant(o) => k8s_openapi::Metadata::metadata(&**o),)* }
            }

            /// The object's metadata, for the store and admission only.
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self { $(Object::$variant(o) => k8s_openapi::Metadata::metadata_mut(&mut **o),)* }
            }

            /// Serializes the object as the API server returns it (apiVersion and kind first).
            pub fn to_value(&self) -> serde_json::Value {
                let result = match self { $(Object::$variant(o) => serde_json::to_value(&**o),)* };
                // Serializing plain data to a JSON value cannot fail: every map key is a string.
                result.unwrap_or(serde_json::Value::Null)
            }

            /// Deserializes a JSON value of a known kind, reporting every field the type does not have
            /// to `on_unknown` as a dotted path (`spec.acessModes`).
            pub fn from_value_reporting_unknown(
                kind: Kind,
                value: serde_json::Value,
                on_unknown: &mut dyn FnMut(String),
            ) -> Result<Object, serde_json::Error> {
                match kind {
                    $(Kind::$variant => {
                        let typed: $ty = serde_ignored::deserialize(value, |path| on_unknown(path.to_string()))?;
                        Ok(Object::$variant(Box::new(typed)))
                    })*
                }
            }
        }

        $(
            impl Typed for $ty {
                const KIND: Kind = Kind::$variant;
                fn into_object(self) -> Object {
                    Object::$variant(Box::new(self))
                }
                fn from_object(object: &Object) -> Option<&Self> {
                    match object {
                        Object::$variant(o) => Some(o),
                        #[allow(unreachable_patterns, reason = "the macro covers every kind uniformly")]
                        _ => None,
                    }
                }
            }
        )*
    };
}

use k8s_openapi::api::apps::v1 as apps;
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::api::discovery::v1 as discovery;
use k8s_openapi::api::storage::v1 as storage;

objects! {
    Namespace => core::Namespace,
    Node => core::Node,
    Pod => core::Pod,
    Service => core::Service,
    Endpoints => core::Endpoints,
    EndpointSlice => discovery::EndpointSlice,
    ConfigMap => core::ConfigMap,
    Secret => core::Secret,
    ServiceAccount => core::ServiceAccount,
    PersistentVolume => core::PersistentVolume,
    PersistentVolumeClaim => core::PersistentVolumeClaim,
    StorageClass => storage::StorageClass,
    CSIDriver => storage::CSIDriver,
    CSINode => storage::CSINode,
    VolumeAttachment => storage::VolumeAttachment,
    StatefulSet => apps::StatefulSet,
    Deployment => apps::Deployment,
    ReplicaSet => apps::ReplicaSet,
    Event => core::Event,
    VolumeSnapshot => VolumeSnapshot,
    VolumeSnapshotContent => VolumeSnapshotContent,
    VolumeSnapshotClass => VolumeSnapshotClass,
}

impl Object {
    /// The object's name (empty only for objects that were never admitted).
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }

    /// The object's namespace (empty for cluster-scoped kinds).
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or("")
    }

    /// The key that names this object in the store.
    pub fn key(&self) -> ObjectKey {
        ObjectKey::new(self.kind(), self.namespace(), self.name())
    }

    /// The object's uid, empty before it is stored.
    pub fn uid(&self) -> &str {
        self.meta().uid.as_deref().unwrap_or("")
    }

    /// Whether the object has a deletionTimestamp (kubectl shows it as Terminating).
    pub fn is_terminating(&self) -> bool {
        self.meta().deletion_timestamp.is_some()
    }

    /// Borrows the typed value, if this object is of type `T`.
    pub fn as_typed<T: Typed>(&self) -> Option<&T> {
        T::from_object(self)
    }
}

macro_rules! status_kinds {
    ($( $variant:ident ),* $(,)?) => {
        impl Object {
            /// Replaces this object's status with `other`'s when both are of the same kind;
            /// kinds without a status are left as they are.
            pub fn copy_status_from(&mut self, other: &Object) {
                match (self, other) {
                    $((Object::$variant(this), Object::$variant(that)) => this.status = that.status.clone(),)*
                    _ => {}
                }
            }

            /// Removes this object's status (kinds without a status are unchanged).
            pub fn clear_status(&mut self) {
                match self {
                    $(Object::$variant(this) => this.status = None,)*
                    _ => {}
                }
            }
        }
    };
}

status_kinds!(
    Namespace,
    Node,
    Pod,
    Service,
    PersistentVolume,
    PersistentVolumeClaim,
    VolumeAttachment,
    StatefulSet,
    Deployment,
    ReplicaSet,
    VolumeSnapshot,
    VolumeSnapshotContent,
);
