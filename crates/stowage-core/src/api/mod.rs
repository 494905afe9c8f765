//! API object types: kinds, the typed object enum, snapshot CRDs and well-known names.

pub mod decode;
pub mod defaults;
mod error;
mod kind;
mod object;
pub mod quantity;
pub mod selector;
pub mod snapshot;
pub mod validation;
pub mod warnings;
pub mod well_known;

pub use error::{ApiError, FieldError, FieldErrorKind, StatusReason};
pub use kind::{Kind, KindInfo, Scope};
pub use object::{Object, ObjectKey, Typed};

/// Kubernetes API types, re-exported so that other crates name one version of them.
pub use k8s_openapi;
