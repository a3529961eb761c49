//! The resource types the apiserver serves, as its discovery documents name them: plural, singular, short
//! names and categories (the `ShortNames()` and `Categories()` of each kind's REST storage upstream), and a way
//! to run code over the kind as a type. kubectl resolves what a user types against these names, as its
//! RESTMapper resolves them against discovery.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret,
    Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;

use crate::api::printers::Printable;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResourceType {
    Pods,
    StatefulSets,
    Claims,
    Volumes,
    Services,
    Nodes,
    StorageClasses,
    Revisions,
    Events,
    EndpointSlices,
    Namespaces,
    ConfigMaps,
    Secrets,
}

/// Code that works on any kind, given the kind as a type parameter.
pub(crate) trait KindVisitor {
    type Output;
    fn visit<T: Printable>(self) -> Self::Output;
}

impl ResourceType {
    pub(crate) const ALL: [ResourceType; 13] = [
        ResourceType::Pods,
        ResourceType::StatefulSets,
        ResourceType::Claims,
        ResourceType::Volumes,
        ResourceType::Services,
        ResourceType::Nodes,
        ResourceType::StorageClasses,
        ResourceType::Revisions,
        ResourceType::Events,
        ResourceType::EndpointSlices,
        ResourceType::Namespaces,
        ResourceType::ConfigMaps,
        ResourceType::Secrets,
    ];

    /// The resource type a name stands for: its plural, its singular or a short name, in any case, with or
    /// without its group (`statefulsets.apps`).
    pub(crate) fn resolve(name: &str) -> Option<ResourceType> {
        let base = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
        ResourceType::ALL.into_iter().find(|t| {
            t.plural() == base || t.singular() == base || t.short_names().contains(&base.as_str())
        })
    }

    /// The short names its storage declares (`sts`).
    pub(crate) fn short_names(self) -> &'static [&'static str] {
        match self {
            ResourceType::Pods => &["po"],
            ResourceType::StatefulSets => &["sts"],
            ResourceType::Claims => &["pvc"],
            ResourceType::Volumes => &["pv"],
            ResourceType::Services => &["svc"],
            ResourceType::Nodes => &["no"],
            ResourceType::StorageClasses => &["sc"],
            ResourceType::Events => &["ev"],
            ResourceType::Namespaces => &["ns"],
            ResourceType::ConfigMaps => &["cm"],
            ResourceType::Revisions | ResourceType::EndpointSlices | ResourceType::Secrets => &[],
        }
    }

    /// The categories it belongs to: `all` for what `kubectl get all` lists.
    #[cfg(feature = "apiserver")]
    pub(crate) fn categories(self) -> &'static [&'static str] {
        match self {
            ResourceType::Pods | ResourceType::StatefulSets | ResourceType::Services => &["all"],
            _ => &[],
        }
    }

    /// The kind's name: `StatefulSet`.
    pub(crate) fn kind(self) -> &'static str {
        struct KindName;
        impl KindVisitor for KindName {
            type Output = &'static str;
            fn visit<T: Printable>(self) -> &'static str {
                T::KIND
            }
        }
        self.visit(KindName)
    }

    /// The singular name: the kind in lower case.
    pub(crate) fn singular(self) -> String {
        self.kind().to_ascii_lowercase()
    }

    /// The plural, as it appears in the path: `statefulsets`.
    pub(crate) fn plural(self) -> &'static str {
        struct Plural;
        impl KindVisitor for Plural {
            type Output = &'static str;
            fn visit<T: Printable>(self) -> &'static str {
                T::URL_PATH_SEGMENT
            }
        }
        self.visit(Plural)
    }

    /// The API group (`apps`; empty for the core group) and version.
    pub(crate) fn group_version(self) -> (&'static str, &'static str) {
        struct GroupVersion;
        impl KindVisitor for GroupVersion {
            type Output = (&'static str, &'static str);
            fn visit<T: Printable>(self) -> (&'static str, &'static str) {
                (T::GROUP, T::VERSION)
            }
        }
        self.visit(GroupVersion)
    }

    /// Whether its objects live in a namespace.
    #[cfg(feature = "apiserver")]
    pub(crate) fn namespaced(self) -> bool {
        struct Namespaced;
        impl KindVisitor for Namespaced {
            type Output = bool;
            fn visit<T: Printable>(self) -> bool {
                T::NAMESPACED
            }
        }
        self.visit(Namespaced)
    }

    /// The kind with its API group, as Go prints a `GroupKind`: `StatefulSet.apps`, `PersistentVolumeClaim`.
    pub(crate) fn group_kind(self) -> String {
        match self.group_version().0 {
            "" => self.kind().to_string(),
            group => format!("{}.{group}", self.kind()),
        }
    }

    /// The resource as kubectl names it in errors: `statefulsets.apps`.
    pub(crate) fn resource(self) -> &'static str {
        struct ResourceName;
        impl KindVisitor for ResourceName {
            type Output = &'static str;
            fn visit<T: Printable>(self) -> &'static str {
                T::RESOURCE
            }
        }
        self.visit(ResourceName)
    }

    /// Runs `visitor` with the Rust type of this resource type.
    pub(crate) fn visit<V: KindVisitor>(self, visitor: V) -> V::Output {
        match self {
            ResourceType::Pods => visitor.visit::<Pod>(),
            ResourceType::StatefulSets => visitor.visit::<StatefulSet>(),
            ResourceType::Claims => visitor.visit::<PersistentVolumeClaim>(),
            ResourceType::Volumes => visitor.visit::<PersistentVolume>(),
            ResourceType::Services => visitor.visit::<Service>(),
            ResourceType::Nodes => visitor.visit::<Node>(),
            ResourceType::StorageClasses => visitor.visit::<StorageClass>(),
            ResourceType::Revisions => visitor.visit::<ControllerRevision>(),
            ResourceType::Events => visitor.visit::<Event>(),
            ResourceType::EndpointSlices => visitor.visit::<EndpointSlice>(),
            ResourceType::Namespaces => visitor.visit::<Namespace>(),
            ResourceType::ConfigMaps => visitor.visit::<ConfigMap>(),
            ResourceType::Secrets => visitor.visit::<Secret>(),
        }
    }
}

/// The resource type of kind `T`.
pub(crate) fn resource_type<T: Printable>() -> ResourceType {
    ResourceType::ALL
        .into_iter()
        .find(|kind| kind.kind() == T::KIND)
        .expect("every printable kind is a resource type")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_as_kubectl_resolves_them_against_discovery() {
        for (typed, wanted) in [
            ("po", ResourceType::Pods),
            ("Pods", ResourceType::Pods),
            ("statefulsets.apps", ResourceType::StatefulSets),
            ("sts", ResourceType::StatefulSets),
            ("persistentvolumeclaim", ResourceType::Claims),
            ("controllerrevisions", ResourceType::Revisions),
            ("endpointslice", ResourceType::EndpointSlices),
            ("ev", ResourceType::Events),
        ] {
            assert_eq!(ResourceType::resolve(typed), Some(wanted), "{typed}");
        }
        assert_eq!(ResourceType::resolve("deployments"), None);
        assert_eq!(ResourceType::StatefulSets.group_kind(), "StatefulSet.apps");
        assert_eq!(ResourceType::Claims.group_kind(), "PersistentVolumeClaim");
    }
}
