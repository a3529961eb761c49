//! Compiler Explorer-style linking: the manifest field under the pointer lights up what it governs on the
//! stage (replicas the slots, volumeClaimTemplates the claims, serviceName the DNS names).

use leptos::prelude::*;

/// A field of one manifest: `StatefulSet`, `web`, `spec.replicas`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub kind: String,
    pub name: String,
    pub path: String,
}

impl Field {
    fn is_under(&self, prefix: &str) -> bool {
        self.path == prefix || self.path.starts_with(&format!("{prefix}."))
    }
}

/// The field under the pointer in the editor, shared with the stage.
#[derive(Clone, Copy)]
pub struct Hovered(pub RwSignal<Option<Field>>);

/// What on a StatefulSet's part of the stage a field governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Governs {
    /// replicas and ordinals: which slots exist.
    Slots,
    /// The pod template and the selector: the pods.
    Pods,
    /// volumeClaimTemplates and the retention policy: the claims.
    Claims,
    /// The update strategy and the revision history: revisions.
    Revisions,
    /// podManagementPolicy and minReadySeconds: how the controller goes through the slots.
    Policy,
    /// serviceName, or the Service itself: the DNS names.
    Names,
}

impl Governs {
    pub fn class(self) -> &'static str {
        match self {
            Governs::Slots => "linked-slots",
            Governs::Pods => "linked-pods",
            Governs::Claims => "linked-claims",
            Governs::Revisions => "linked-revisions",
            Governs::Policy => "linked-policy",
            Governs::Names => "linked-names",
        }
    }
}

/// What `field` governs of the set `set`, whose pods the Service `service` names.
pub fn governs(field: &Field, set: &str, service: &str) -> Option<Governs> {
    if field.kind == "Service" {
        return (field.name == service).then_some(Governs::Names);
    }
    if field.kind != "StatefulSet" || field.name != set {
        return None;
    }
    let table = [
        ("spec.replicas", Governs::Slots),
        ("spec.ordinals", Governs::Slots),
        ("spec.template", Governs::Pods),
        ("spec.selector", Governs::Pods),
        ("spec.volumeClaimTemplates", Governs::Claims),
        ("spec.persistentVolumeClaimRetentionPolicy", Governs::Claims),
        ("spec.updateStrategy", Governs::Revisions),
        ("spec.revisionHistoryLimit", Governs::Revisions),
        ("spec.podManagementPolicy", Governs::Policy),
        ("spec.minReadySeconds", Governs::Policy),
        ("spec.serviceName", Governs::Names),
    ];
    table
        .iter()
        .find(|(prefix, _)| field.is_under(prefix))
        .map(|(_, governs)| *governs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Kind/name/path`, as the tests write a field.
    fn field(text: &str) -> Field {
        let mut parts = text.splitn(3, '/').map(str::to_string);
        let mut part = || parts.next().expect("Kind/name/path");
        Field {
            kind: part(),
            name: part(),
            path: part(),
        }
    }

    #[test]
    fn each_field_lights_up_what_it_governs() {
        let governed = |text: &str| governs(&field(text), "web", "nginx");
        assert_eq!(
            governed("StatefulSet/web/spec.replicas"),
            Some(Governs::Slots)
        );
        assert_eq!(
            governed("StatefulSet/web/spec.template.spec.containers.image"),
            Some(Governs::Pods)
        );
        assert_eq!(
            governed("StatefulSet/web/spec.volumeClaimTemplates.spec.resources"),
            Some(Governs::Claims)
        );
        assert_eq!(
            governed("StatefulSet/web/spec.serviceName"),
            Some(Governs::Names)
        );
        assert_eq!(
            governed("Service/nginx/spec.clusterIP"),
            Some(Governs::Names)
        );
        // Another set's fields, another Service, and fields that govern nothing on the stage.
        assert_eq!(governed("StatefulSet/db/spec.replicas"), None);
        assert_eq!(governed("Service/other/spec.clusterIP"), None);
        assert_eq!(governed("StatefulSet/web/metadata.name"), None);
        assert_eq!(governed("StatefulSet/web/spec.replicasX"), None);
    }
}
