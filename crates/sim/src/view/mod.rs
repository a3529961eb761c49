//! What every viewer may read of a simulation: the page, the lessons, embeds and tests. The rest of the core
//! is how the cluster works; this is what it looks like, answered by the core so that no viewer re-derives a
//! rule of Kubernetes from the objects themselves.

pub mod pods;

pub use pods::{file_contents, PodQuery};
