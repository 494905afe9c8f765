//! API errors shaped like `metav1.Status`, and field errors shaped like apimachinery's `field.Error`.

use super::{Kind, ObjectKey};
use std::fmt;

/// Why a request failed, as `metav1.StatusReason` spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StatusReason {
    /// 404.
    NotFound,
    /// 409, on create.
    AlreadyExists,
    /// 409, stale resourceVersion.
    Conflict,
    /// 422, validation failed.
    Invalid,
    /// 400, the request could not be decoded.
    BadRequest,
    /// 403, admission refused.
    Forbidden,
    /// 405.
    MethodNotAllowed,
    /// 500.
    InternalError,
}

impl StatusReason {
    /// The HTTP status code the API server answers with.
    pub fn code(self) -> u16 {
        match self {
            StatusReason::NotFound => 404,
            StatusReason::AlreadyExists | StatusReason::Conflict => 409,
            StatusReason::Invalid => 422,
            StatusReason::BadRequest => 400,
            StatusReason::Forbidden => 403,
            StatusReason::MethodNotAllowed => 405,
            StatusReason::InternalError => 500,
        }
    }
}

impl fmt::Display for StatusReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A failed API request. kubectl prints it as `Error from server (<reason>): <message>`,
/// except `Invalid`, which it prints as the bare message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{message}")]
pub struct ApiError {
    /// The status reason.
    pub reason: StatusReason,
    /// The full message, exactly as the API server words it.
    pub message: String,
    /// Field errors behind an `Invalid` reason, for editors that mark fields.
    pub causes: Vec<FieldError>,
}

impl ApiError {
    /// An error with no field causes.
    pub fn new(reason: StatusReason, message: impl Into<String>) -> ApiError {
        ApiError { reason, message: message.into(), causes: Vec::new() }
    }

    /// `persistentvolumeclaims "x" not found`.
    pub fn not_found(kind: Kind, name: &str) -> ApiError {
        ApiError::new(StatusReason::NotFound, format!("{} \"{}\" not found", kind.info().qualified_plural(), name))
    }

    /// `persistentvolumeclaims "x" already exists`.
    pub fn already_exists(kind: Kind, name: &str) -> ApiError {
        ApiError::new(
            StatusReason::AlreadyExists,
            format!("{} \"{}\" already exists", kind.info().qualified_plural(), name),
        )
    }

    /// The optimistic-concurrency failure on update.
    pub fn conflict(key: &ObjectKey) -> ApiError {
        ApiError::new(
            StatusReason::Conflict,
            format!(
                "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                key.kind.info().qualified_plural(),
                key.name
            ),
        )
    }

    /// `The PersistentVolumeClaim "x" is invalid: <errors>`, as `apierrors.NewInvalid` words it.
    pub fn invalid(kind: Kind, name: &str, causes: Vec<FieldError>) -> ApiError {
        let detail = match causes.as_slice() {
            [one] => one.to_string(),
            many => format!("[{}]", many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
        };
        ApiError {
            reason: StatusReason::Invalid,
            message: format!("{} \"{}\" is invalid: {}", group_kind(kind), name, detail),
            causes,
        }
    }

    /// `<plural> "<name>" is forbidden: <why>`.
    pub fn forbidden(kind: Kind, name: &str, why: impl fmt::Display) -> ApiError {
        ApiError::new(
            StatusReason::Forbidden,
            format!("{} \"{}\" is forbidden: {}", kind.info().qualified_plural(), name, why),
        )
    }

    /// A request that could not be decoded.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusReason::BadRequest, message)
    }
}

/// A kind qualified by its API group as `schema.GroupKind` prints it: `PersistentVolumeClaim`,
/// `StorageClass.storage.k8s.io`, `StatefulSet.apps`.
pub fn group_kind(kind: Kind) -> String {
    let info = kind.info();
    if info.group.is_empty() { info.name.to_string() } else { format!("{}.{}", info.name, info.group) }
}

/// What is wrong with a field, as `field.ErrorType` spells it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FieldErrorKind {
    /// `Required value`.
    Required,
    /// `Invalid value: <value>`.
    Invalid {
        /// The offending value, already rendered as the API server renders it (quoted strings).
        value: String,
    },
    /// `Unsupported value: <value>: supported values: "a", "b"`.
    NotSupported {
        /// The offending value, rendered.
        value: String,
        /// The supported values, unquoted.
        supported: Vec<String>,
    },
    /// `Forbidden`.
    Forbidden,
    /// `Duplicate value: <value>`.
    Duplicate {
        /// The duplicated value, rendered.
        value: String,
    },
    /// `Not found: <value>`.
    NotFound {
        /// The missing value, rendered.
        value: String,
    },
    /// `Too long: may not be more than <n> bytes`.
    TooLong {
        /// The limit.
        max: usize,
    },
}

/// One validation error on one field path.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    /// The field path, e.g. `spec.accessModes` or `metadata.name`.
    pub path: String,
    /// What is wrong.
    pub kind: FieldErrorKind,
    /// Extra detail after the type, may be empty.
    pub detail: String,
}

impl FieldError {
    /// `<path>: Required value[: detail]`.
    pub fn required(path: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError { path: path.into(), kind: FieldErrorKind::Required, detail: detail.into() }
    }
    /// `<path>: Invalid value: "<value>": detail` for a string value.
    pub fn invalid_str(path: impl Into<String>, value: &str, detail: impl Into<String>) -> FieldError {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Invalid { value: format!("{value:?}") },
            detail: detail.into(),
        }
    }
    /// `<path>: Invalid value: <value>: detail` with a pre-rendered value.
    pub fn invalid(path: impl Into<String>, value: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError { path: path.into(), kind: FieldErrorKind::Invalid { value: value.into() }, detail: detail.into() }
    }
    /// `<path>: Unsupported value: "<value>": supported values: "a", "b"`.
    pub fn not_supported(path: impl Into<String>, value: &str, supported: &[&str]) -> FieldError {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::NotSupported {
                value: format!("{value:?}"),
                supported: supported.iter().map(|s| s.to_string()).collect(),
            },
            detail: String::new(),
        }
    }
    /// `<path>: Forbidden: detail`.
    pub fn forbidden(path: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError { path: path.into(), kind: FieldErrorKind::Forbidden, detail: detail.into() }
    }
    /// `<path>: Not found: "<value>"`.
    pub fn not_found(path: impl Into<String>, value: &str) -> FieldError {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::NotFound { value: format!("{value:?}") },
            detail: String::new(),
        }
    }
    /// `<path>: Duplicate value: "<value>"`.
    pub fn duplicate(path: impl Into<String>, value: &str) -> FieldError {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Duplicate { value: format!("{value:?}") },
            detail: String::new(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = match &self.kind {
            FieldErrorKind::Required => "Required value".to_string(),
            FieldErrorKind::Invalid { value } => format!("Invalid value: {value}"),
            FieldErrorKind::NotSupported { value, supported } => {
                let list = supported.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
                format!("Unsupported value: {value}: supported values: {list}")
            }
            FieldErrorKind::Forbidden => "Forbidden".to_string(),
            FieldErrorKind::Duplicate { value } => format!("Duplicate value: {value}"),
            FieldErrorKind::NotFound { value } => format!("Not found: {value}"),
            FieldErrorKind::TooLong { max } => format!("Too long: may not be more than {max} bytes"),
        };
        if self.detail.is_empty() {
            write!(f, "{}: {}", self.path, body)
        } else {
            write!(f, "{}: {}: {}", self.path, body, self.detail)
        }
    }
}
