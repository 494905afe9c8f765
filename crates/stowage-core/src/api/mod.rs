//! API object types: kinds, the typed object enum, snapshot CRDs and well-known names.

mod error;
mod kind;
mod object;
pub mod defaults;
pub mod decode;
pub mod quantity;
pub mod validation;
pub mod selector;
pub mod snapshot;
pub mod well_known;

pub use error::{ApiError, FieldError, FieldErrorKind, StatusReason};
pub use kind::{Kind, KindInfo, Scope};
pub use object::{Object, ObjectKey, Typed};

/// Kubernetes API types, re-exported so that other crates name one version of them.
pub use k8s_openapi;
