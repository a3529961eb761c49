//! The apiserver's front door: decoding manifests, defaulting, validation, and `kubectl apply`.

pub mod apply;
pub mod decode;
pub mod defaults;
pub mod validation;
pub mod well_known;
