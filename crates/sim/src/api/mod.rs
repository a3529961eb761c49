//! The apiserver's rules: decoding manifests, defaulting, validation, each kind's strategy, and the
//! well-known names they share with the controllers.

pub mod decode;
pub mod defaults;
pub mod delete_options;
pub mod fields;
pub mod pod;
pub mod printers;
pub mod resources;
pub mod storage;
pub mod strategy;
pub mod validation;
pub mod well_known;
