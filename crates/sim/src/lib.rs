//! Ordinal's simulation core: a deterministic Kubernetes cluster around the StatefulSet controller.
//!
//! No web dependency and no wall clock: the page, the CLI and the tests run this same crate, and the same
//! scenario and seed always give the same watch stream.

pub mod api;
pub mod cluster;
pub mod config;
pub mod container;
pub mod controller;
pub mod dns;
pub mod endpoints;
pub mod event_correlator;
pub mod events;
pub mod fault;
pub mod kubectl;
pub mod labels;
pub mod lesson;
pub mod limits;
pub mod object;
pub mod quantity;
pub mod rng;
pub mod scenario;
mod script;
pub mod share;
pub mod shell;
mod sort;
pub mod store;
pub mod terminal;
pub mod time;
pub mod timeline;
pub mod vfs;
pub mod view;
pub mod volume;
pub mod workloads;

pub use cluster::Cluster;
pub use config::ClusterConfig;
pub use fault::Fault;
pub use object::{Object, ObjectKey};
pub use scenario::Scenario;
pub use time::SimTime;
