//! The Stowage engine: a simulated Kubernetes API server and storage control plane on deterministic time.
//!
//! Entry point: [`Cluster`]. Create one from a [`Profile`] and a [`Seed`], write objects through it,
//! and step the simulation with [`Cluster::step`], [`Cluster::advance`] or [`Cluster::settle`]. UIs
//! read [`Cluster::view`] and the trace; nothing else.

pub mod api;
pub mod apiserver;
pub mod backend;
pub mod cluster;
pub mod controllers;
pub mod csi;
pub mod dns;
pub mod fs;
pub mod invariants;
pub mod kubelet;
pub mod profiles;
pub mod runtime;
pub mod scheduler;
pub mod sim;
pub mod snapshots;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod view;

pub use api::{ApiError, Kind, Object, ObjectKey};
pub use cluster::{Cluster, SettleReport};
pub use profiles::Profile;
pub use sim::{Seed, SimDuration, SimTime};
pub use view::ClusterView;

/// The engine's version, shown by the playground and `stowage --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The Kubernetes version the engine imitates.
pub const KUBERNETES_VERSION: &str = "v1.34.1";
