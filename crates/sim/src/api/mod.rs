//! The apiserver's rules: decoding manifests, defaulting, validation, each kind's strategy, patches, and the
//! well-known names they share with the controllers.

pub mod decode;
pub mod defaults;
pub mod delete_options;
pub mod fields;
pub mod patch;
pub mod pod;
pub mod printers;
pub mod resources;
pub mod storage;
pub mod strategy;
pub mod validation;
pub mod well_known;

/// Replaces `object`'s status with `live`'s: a write to the main resource of a kind with a status
/// subresource keeps the status it finds (`PrepareForUpdate` of each registry strategy).
pub(crate) fn keep_status<T: crate::object::ApiObject>(object: &mut T, live: &T) {
    let mut value = serde_json::to_value(&*object).expect("stored objects serialize");
    let live_value = serde_json::to_value(live).expect("stored objects serialize");
    let serde_json::Value::Object(map) = &mut value else {
        return;
    };
    match live_value.get("status") {
        Some(status) => map.insert("status".into(), status.clone()),
        None => map.remove("status"),
    };
    if let Ok(restored) = T::deserialize(&value) {
        *object = restored;
    }
}
