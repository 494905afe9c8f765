//! kubectl, its printers and the playground shell, over the Stowage engine.

pub mod fingerprint;
pub mod helm;
pub mod kubectl;
pub mod kustomize;
pub mod print;
pub mod runtime;
pub mod session;
pub mod shell;
