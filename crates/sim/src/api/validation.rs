//! `pkg/apis/apps/validation` and the metadata rules, rendered as the apiserver renders field errors.

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use std::collections::BTreeMap;

use crate::labels::{selector_is_empty, selector_matches};
use crate::limits;

const DNS1123_LABEL_MESSAGE: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MESSAGE: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

pub fn is_dns1123_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

pub fn is_dns1123_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns1123_label)
}

const DNS1035_LABEL_MESSAGE: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// The `metadata.name` rule of a kind: a Service's name is a DNS-1035 label (it becomes a DNS name and an
/// environment variable), every other kind's a DNS-1123 subdomain.
pub fn validate_name_of(kind: &str, name: &str) -> Vec<String> {
    if kind != "Service" || name.is_empty() {
        return validate_subdomain_name(name);
    }
    if is_dns1123_label(name) && name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Vec::new();
    }
    vec![format!(
        "metadata.name: Invalid value: \"{name}\": {DNS1035_LABEL_MESSAGE}"
    )]
}

/// The `metadata.name` rule of most kinds: a DNS-1123 subdomain.
pub fn validate_subdomain_name(name: &str) -> Vec<String> {
    if name.is_empty() {
        return vec!["metadata.name: Required value: name or generateName is required".into()];
    }
    if is_dns1123_subdomain(name) {
        return Vec::new();
    }
    vec![format!(
        "metadata.name: Invalid value: \"{name}\": {DNS1123_SUBDOMAIN_MESSAGE}"
    )]
}

/// `ValidateStatefulSet`: the name is a DNS-1123 label (since 1.26), then the spec.
pub fn validate_stateful_set(set: &StatefulSet) -> Vec<String> {
    let name = set.metadata.name.clone().unwrap_or_default();
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push("metadata.name: Required value: name or generateName is required".into());
    } else if !is_dns1123_label(&name) {
        errors.push(format!(
            "metadata.name: Invalid value: \"{name}\": {DNS1123_LABEL_MESSAGE}"
        ));
    }
    match &set.spec {
        Some(spec) => errors.extend(validate_stateful_set_spec(spec)),
        None => errors.push("spec: Required value".into()),
    }
    errors
}

fn non_negative(errors: &mut Vec<String>, path: &str, value: Option<i32>) {
    if let Some(value) = value.filter(|v| *v < 0) {
        errors.push(format!(
            "{path}: Invalid value: {value}: must be greater than or equal to 0"
        ));
    }
}

/// `ValidateStatefulSetSpec`.
pub fn validate_stateful_set_spec(spec: &StatefulSetSpec) -> Vec<String> {
    let mut errors = Vec::new();
    match spec.pod_management_policy.as_deref() {
        None | Some("") => errors.push("spec.podManagementPolicy: Required value".into()),
        Some("OrderedReady" | "Parallel") => {}
        Some(other) => errors.push(format!(
            "spec.podManagementPolicy: Invalid value: \"{other}\": must be 'OrderedReady' or 'Parallel'"
        )),
    }
    if let Some(strategy) = &spec.update_strategy {
        match strategy.type_.as_deref() {
            Some("RollingUpdate") => {
                if let Some(rolling) = &strategy.rolling_update {
                    non_negative(&mut errors, "spec.updateStrategy.rollingUpdate.partition", rolling.partition);
                }
            }
            Some("OnDelete") => {
                if strategy.rolling_update.is_some() {
                    errors.push(
                        "spec.updateStrategy.rollingUpdate: Invalid value: \"rollingUpdate\": only allowed for updateStrategy 'RollingUpdate'".into(),
                    );
                }
            }
            None | Some("") => errors.push("spec.updateStrategy: Required value".into()),
            Some(other) => errors.push(format!(
                "spec.updateStrategy: Invalid value: \"{other}\": must be 'RollingUpdate' or 'OnDelete'"
            )),
        }
    }
    if let Some(policy) = &spec.persistent_volume_claim_retention_policy {
        for (field, value) in [
            ("whenDeleted", &policy.when_deleted),
            ("whenScaled", &policy.when_scaled),
        ] {
            if let Some(value) = value
                .as_deref()
                .filter(|v| *v != "Retain" && *v != "Delete")
            {
                errors.push(format!(
                    "spec.persistentVolumeClaimRetentionPolicy.{field}: Unsupported value: \"{value}\": supported values: \"Retain\", \"Delete\""
                ));
            }
        }
    }
    non_negative(&mut errors, "spec.replicas", spec.replicas);
    if let Some(replicas) = spec.replicas.filter(|r| *r > limits::MAX_REPLICAS) {
        errors.push(format!(
            "spec.replicas: Invalid value: {replicas}: this playground simulates at most {} replicas",
            limits::MAX_REPLICAS
        ));
    }
    non_negative(&mut errors, "spec.minReadySeconds", spec.min_ready_seconds);
    non_negative(
        &mut errors,
        "spec.ordinals.start",
        spec.ordinals.as_ref().and_then(|o| o.start),
    );
    if let Some(service) = spec
        .service_name
        .as_deref()
        .filter(|s| !s.is_empty() && !is_dns1123_label(s))
    {
        errors.push(format!(
            "spec.serviceName: Invalid value: \"{service}\": {DNS1123_LABEL_MESSAGE}"
        ));
    }
    if selector_is_empty(&spec.selector) {
        errors.push("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset".into());
    } else {
        let labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        if !selector_matches(&spec.selector, &labels) {
            errors.push(format!(
                "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                go_map(&labels)
            ));
        }
    }
    if let Some(pod_spec) = &spec.template.spec {
        if let Some(policy) = pod_spec
            .restart_policy
            .as_deref()
            .filter(|p| *p != "Always")
        {
            errors.push(format!(
                "spec.template.spec.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\""
            ));
        }
        if pod_spec.active_deadline_seconds.is_some() {
            errors.push("spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported".into());
        }
    }
    errors
}

/// Go's `%#v` of a `map[string]string`, as the selector error prints template labels.
fn go_map(labels: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!("map[string]string{{{}}}", pairs.join(", "))
}

/// The 1.33/1.34 message for a change to an immutable StatefulSet field.
pub const IMMUTABLE_SPEC_MESSAGE: &str = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

/// `ValidateStatefulSetUpdate`: the new spec must be valid, and apart from the mutable fields it must equal
/// the old one.
pub fn validate_stateful_set_update(new: &StatefulSet, old: &StatefulSet) -> Vec<String> {
    let mut errors = validate_stateful_set(new);
    let (Some(new_spec), Some(old_spec)) = (&new.spec, &old.spec) else {
        return errors;
    };
    let mut comparable = new_spec.clone();
    comparable.replicas = old_spec.replicas;
    comparable.template = old_spec.template.clone();
    comparable.update_strategy = old_spec.update_strategy.clone();
    comparable.min_ready_seconds = old_spec.min_ready_seconds;
    comparable.ordinals = old_spec.ordinals.clone();
    comparable.persistent_volume_claim_retention_policy =
        old_spec.persistent_volume_claim_retention_policy.clone();
    comparable.revision_history_limit = old_spec.revision_history_limit;
    if &comparable != old_spec {
        errors.push(IMMUTABLE_SPEC_MESSAGE.into());
    }
    errors
}

/// The first line of the apiserver's message for a change to an immutable pod field (it goes on with a diff).
pub const POD_UPDATE_MESSAGE: &str = "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidatePodUpdate`, for the fields simulated here: apart from container images the spec is immutable.
pub fn validate_pod_update(new: &Pod, old: &Pod) -> Vec<String> {
    let (Some(new_spec), Some(old_spec)) = (&new.spec, &old.spec) else {
        return Vec::new();
    };
    let mut comparable = new_spec.clone();
    for (container, old_container) in comparable
        .containers
        .iter_mut()
        .chain(comparable.init_containers.iter_mut().flatten())
        .zip(
            old_spec
                .containers
                .iter()
                .chain(old_spec.init_containers.iter().flatten()),
        )
    {
        container.image.clone_from(&old_container.image);
    }
    comparable.active_deadline_seconds = old_spec.active_deadline_seconds;
    if &comparable == old_spec {
        Vec::new()
    } else {
        vec![POD_UPDATE_MESSAGE.into()]
    }
}

pub const CLAIM_UPDATE_MESSAGE: &str = "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";

/// `ValidatePersistentVolumeClaimUpdate`: once created, only the requests (and the attributes class) change.
/// The binder's write of `volumeName` into an unbound claim is the one other change.
pub fn validate_claim_update(
    new: &PersistentVolumeClaim,
    old: &PersistentVolumeClaim,
) -> Vec<String> {
    let (Some(new_spec), Some(old_spec)) = (&new.spec, &old.spec) else {
        return Vec::new();
    };
    let mut comparable = new_spec.clone();
    comparable.resources.clone_from(&old_spec.resources);
    comparable
        .volume_attributes_class_name
        .clone_from(&old_spec.volume_attributes_class_name);
    if old_spec
        .volume_name
        .as_deref()
        .unwrap_or_default()
        .is_empty()
    {
        comparable.volume_name.clone_from(&old_spec.volume_name);
    }
    if &comparable == old_spec {
        Vec::new()
    } else {
        vec![CLAIM_UPDATE_MESSAGE.into()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::defaults::default_stateful_set;

    fn web() -> StatefulSet {
        let mut set: StatefulSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web"},
            "spec": {"serviceName": "nginx", "selector": {"matchLabels": {"app": "nginx"}},
                     "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}
        }))
        .unwrap();
        default_stateful_set(&mut set);
        set
    }

    #[test]
    fn a_valid_set_passes() {
        assert_eq!(validate_stateful_set(&web()), Vec::<String>::new());
    }

    #[test]
    fn selector_must_match_template_labels() {
        let mut set = web();
        set.spec
            .as_mut()
            .unwrap()
            .template
            .metadata
            .as_mut()
            .unwrap()
            .labels = Some(BTreeMap::from([("app".to_string(), "x".to_string())]));
        assert_eq!(
            validate_stateful_set(&set),
            vec!["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"]
        );
    }

    #[test]
    fn negative_counts_and_bad_enums_are_refused() {
        let mut set = web();
        let spec = set.spec.as_mut().unwrap();
        spec.replicas = Some(-1);
        spec.pod_management_policy = Some("Sometimes".into());
        let errors = validate_stateful_set(&set);
        assert!(errors.contains(
            &"spec.replicas: Invalid value: -1: must be greater than or equal to 0".to_string()
        ));
        assert!(errors.contains(&"spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'".to_string()));
    }

    #[test]
    fn immutable_fields_give_the_single_forbidden_error() {
        let old = web();
        let mut new = web();
        new.spec.as_mut().unwrap().service_name = Some("other".into());
        assert_eq!(
            validate_stateful_set_update(&new, &old),
            vec![IMMUTABLE_SPEC_MESSAGE.to_string()]
        );
        let mut scaled = web();
        scaled.spec.as_mut().unwrap().replicas = Some(5);
        assert!(validate_stateful_set_update(&scaled, &old).is_empty());
    }

    #[test]
    fn names_must_be_dns_labels() {
        let mut set = web();
        set.metadata.name = Some("Web".into());
        assert!(validate_stateful_set(&set)[0]
            .starts_with("metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 label"));
    }
}
