//! Helpers on storage objects shared by admission, kubectl and the read API, after
//! `pkg/apis/storage/util/helpers.go`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::well_known::{BETA_IS_DEFAULT_CLASS_ANNOTATION, IS_DEFAULT_CLASS_ANNOTATION};

/// `IsDefaultAnnotation`: the class is marked default, under the GA or the beta annotation.
pub fn is_default_class(meta: &ObjectMeta) -> bool {
    let annotations = meta.annotations.as_ref();
    [
        IS_DEFAULT_CLASS_ANNOTATION,
        BETA_IS_DEFAULT_CLASS_ANNOTATION,
    ]
    .iter()
    .any(|key| {
        annotations
            .and_then(|a| a.get(*key))
            .is_some_and(|v| v == "true")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn annotated(key: &str, value: &str) -> ObjectMeta {
        ObjectMeta {
            annotations: Some(BTreeMap::from([(key.into(), value.into())])),
            ..ObjectMeta::default()
        }
    }

    #[test]
    fn either_annotation_marks_the_default_and_only_true_counts() {
        assert!(is_default_class(&annotated(
            IS_DEFAULT_CLASS_ANNOTATION,
            "true"
        )));
        assert!(is_default_class(&annotated(
            BETA_IS_DEFAULT_CLASS_ANNOTATION,
            "true"
        )));
        assert!(!is_default_class(&annotated(
            IS_DEFAULT_CLASS_ANNOTATION,
            "yes"
        )));
        assert!(!is_default_class(&ObjectMeta::default()));
    }
}
