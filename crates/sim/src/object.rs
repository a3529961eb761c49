//! The kinds the simulated apiserver stores, and one enum over them for watch streams.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret,
    Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::{Metadata, Resource};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Where an object lives: namespace (empty for cluster-scoped kinds) and name.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ObjectKey {
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    pub fn cluster(name: impl Into<String>) -> Self {
        ObjectKey {
            namespace: String::new(),
            name: name.into(),
        }
    }

    pub fn of(meta: &ObjectMeta) -> Self {
        ObjectKey {
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// Objects are shared, not copied, between the store, watch events and readers: listing a thousand pods or
/// snapshotting the whole cluster clones pointers, and a write replaces one entry. Arc rather than Rc because
/// the page keeps the cluster in storage that must be Send.
pub type Collection<T> = BTreeMap<ObjectKey, Arc<T>>;

/// A kind the store keeps. Implemented by `stored_kinds!` below for every kind in `Object`.
pub trait ApiObject:
    Resource + Metadata<Ty = ObjectMeta> + Clone + PartialEq + Serialize + DeserializeOwned + 'static
{
    const NAMESPACED: bool;
    /// The resource name kubectl uses (`pods`, `statefulsets.apps`, ...).
    const RESOURCE: &'static str;
    fn collection(collections: &Collections) -> &Collection<Self>;
    fn collection_mut(collections: &mut Collections) -> &mut Collection<Self>;
    fn into_object(self: Arc<Self>) -> Object;
    /// The object, if it is of this kind.
    fn of_object(object: &Object) -> Option<&Self>;
    fn key(&self) -> ObjectKey {
        ObjectKey::of(self.metadata())
    }
}

macro_rules! stored_kinds {
    ($( $variant:ident : $ty:ty, $field:ident, $namespaced:expr, $resource:expr; )*) => {
        /// Any stored object, as a watch stream carries it.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $( $variant(Arc<$ty>), )*
        }

        impl Object {
            pub fn kind(&self) -> &'static str {
                match self { $( Object::$variant(_) => <$ty as Resource>::KIND, )* }
            }

            pub fn metadata(&self) -> &ObjectMeta {
                match self { $( Object::$variant(o) => o.metadata(), )* }
            }

            pub fn to_json(&self) -> serde_json::Value {
                match self {
                    $( Object::$variant(o) => serde_json::to_value(o.as_ref())
                        .expect("k8s-openapi types always serialize to JSON"), )*
                }
            }
        }

        $(
            impl ApiObject for $ty {
                const NAMESPACED: bool = $namespaced;
                const RESOURCE: &'static str = $resource;
                fn collection(collections: &Collections) -> &Collection<Self> { &collections.$field }
                fn collection_mut(collections: &mut Collections) -> &mut Collection<Self> {
                    &mut collections.$field
                }
                fn into_object(self: Arc<Self>) -> Object { Object::$variant(self) }
                fn of_object(object: &Object) -> Option<&Self> {
                    match object {
                        Object::$variant(o) => Some(o),
                        _ => None,
                    }
                }
            }
        )*

        /// Every collection of the store, one field per kind.
        #[derive(Clone, Debug, Default)]
        pub struct Collections {
            $( pub $field: Collection<$ty>, )*
        }

        impl Collections {
            /// How many objects are stored, of every kind.
            pub fn len(&self) -> usize {
                0 $( + self.$field.len() )*
            }

            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Every stored object: kind by kind, each kind in key order.
            pub fn objects(&self) -> impl Iterator<Item = Object> + '_ {
                std::iter::empty()
                    $( .chain(self.$field.values().map(|o| Object::$variant(o.clone()))) )*
            }
        }
    };
}

stored_kinds! {
    Namespace: Namespace, namespaces, false, "namespaces";
    Node: Node, nodes, false, "nodes";
    StorageClass: StorageClass, storage_classes, false, "storageclasses.storage.k8s.io";
    PersistentVolume: PersistentVolume, persistent_volumes, false, "persistentvolumes";
    Service: Service, services, true, "services";
    ConfigMap: ConfigMap, config_maps, true, "configmaps";
    Secret: Secret, secrets, true, "secrets";
    StatefulSet: StatefulSet, stateful_sets, true, "statefulsets.apps";
    ControllerRevision: ControllerRevision, controller_revisions, true, "controllerrevisions.apps";
    PersistentVolumeClaim: PersistentVolumeClaim, persistent_volume_claims, true, "persistentvolumeclaims";
    Pod: Pod, pods, true, "pods";
    EndpointSlice: EndpointSlice, endpoint_slices, true, "endpointslices.discovery.k8s.io";
    Event: Event, events, true, "events";
}

/// The owner reference that marks `owner` as the managing controller of a dependent.
pub fn controller_ref<T: ApiObject>(owner: &T) -> OwnerReference {
    let meta = owner.metadata();
    OwnerReference {
        api_version: T::API_VERSION.to_string(),
        kind: T::KIND.to_string(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Removes the owner references `remove` picks; an emptied list is dropped, as the apiserver omits an empty
/// `ownerReferences`.
pub fn remove_owner_references(meta: &mut ObjectMeta, remove: impl Fn(&OwnerReference) -> bool) {
    if let Some(refs) = meta.owner_references.as_mut() {
        refs.retain(|r| !remove(r));
        if refs.is_empty() {
            meta.owner_references = None;
        }
    }
}

/// The controlling owner reference of an object, if it has one.
pub fn get_controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .as_deref()?
        .iter()
        .find(|r| r.controller == Some(true))
}

pub fn name_of(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or_default()
}
