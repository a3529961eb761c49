//! The garbage collector (`pkg/controller/garbagecollector`): a graph of ownerReferences, kept from watch
//! events. A dependent whose owners are all gone is deleted (`attemptToDeleteItem`); an owner deleted with the
//! `orphan` finalizer has its dependents' references removed first (`orphanDependents`); an owner deleted in the
//! foreground waits for its blocking dependents. This is what enforces a StatefulSet's PVC retention policy:
//! the controller only sets ownerReferences, the collector deletes.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::{BTreeMap, BTreeSet};

use crate::api::delete_options::{DeleteOptions, PropagationPolicy};
use crate::api::well_known::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};
use crate::controller::{Controller, Ctx, WorkQueue};
use crate::object::{remove_owner_references, ApiObject, Object, ObjectKey};
use crate::store::{Store, WatchEvent, WatchEventType};

/// A node of the graph: an object by kind and key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Node {
    kind: &'static str,
    key: ObjectKey,
}

#[derive(Clone, Debug, Default)]
pub struct GarbageCollector {
    queue: WorkQueue,
    /// Dependents by owner uid.
    dependents: BTreeMap<String, BTreeSet<Node>>,
    /// The objects the graph knows, by uid, so an owner's key can be found from a dependent's reference.
    uids: BTreeMap<String, Node>,
    /// The node each queued key stands for: the work queue holds keys, the graph needs kinds too.
    pending: BTreeMap<ObjectKey, BTreeSet<&'static str>>,
}

impl Controller for GarbageCollector {
    fn observe(&mut self, event: &WatchEvent, _store: &Store) {
        // Events own nothing and are owned by nothing; there are many of them.
        if matches!(event.object, Object::Event(_)) {
            return;
        }
        let meta = event.object.metadata();
        let node = Node {
            kind: event.object.kind(),
            key: ObjectKey::of(meta),
        };
        let uid = meta.uid.clone().unwrap_or_default();
        if event.event_type != WatchEventType::Deleted {
            for owner in meta.owner_references.iter().flatten() {
                self.dependents
                    .entry(owner.uid.clone())
                    .or_default()
                    .insert(node.clone());
            }
        }
        if event.event_type == WatchEventType::Deleted {
            self.uids.remove(&uid);
            for owner in meta.owner_references.iter().flatten() {
                if let Some(siblings) = self.dependents.get_mut(&owner.uid) {
                    siblings.remove(&node);
                }
                // A foreground owner may have been waiting for this dependent.
                if let Some(owner) = self.uids.get(&owner.uid).cloned() {
                    self.enqueue(owner);
                }
            }
            // The owner is gone: each dependent must be looked at again.
            for dependent in self.dependents.remove(&uid).unwrap_or_default() {
                self.enqueue(dependent);
            }
            return;
        }
        self.uids.insert(uid, node.clone());
        let owned = meta
            .owner_references
            .as_ref()
            .is_some_and(|o| !o.is_empty());
        let deleting_with_finalizer = meta.deletion_timestamp.is_some()
            && (has_finalizer(meta, ORPHAN_FINALIZER) || has_finalizer(meta, FOREGROUND_FINALIZER));
        if owned || deleting_with_finalizer {
            self.enqueue(node);
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        for kind in self.pending.remove(key).unwrap_or_default() {
            let node = Node {
                kind,
                key: key.clone(),
            };
            let Some(meta) = metadata(ctx.store, &node) else {
                continue;
            };
            if meta.deletion_timestamp.is_some() {
                if has_finalizer(&meta, ORPHAN_FINALIZER) {
                    self.orphan_dependents(ctx, &node, &meta);
                } else if has_finalizer(&meta, FOREGROUND_FINALIZER) {
                    self.process_deleting_dependents(ctx, &node, &meta);
                }
                continue;
            }
            self.attempt_to_delete_item(ctx, &node, &meta);
        }
    }
}

impl GarbageCollector {
    fn enqueue(&mut self, node: Node) {
        self.pending
            .entry(node.key.clone())
            .or_default()
            .insert(node.kind);
        self.queue.add(node.key);
    }

    /// `attemptToDeleteItem` with `classifyReferences`: an owner that exists is solid, unless it is waiting in
    /// the foreground for its dependents; one that is gone (or has another uid) is dangling. With no solid
    /// owner the object is deleted, in the foreground when a waiting owner needs its own dependents gone
    /// first; with some, only the dangling references are removed.
    fn attempt_to_delete_item(&mut self, ctx: &mut Ctx, node: &Node, meta: &ObjectMeta) {
        let owners = meta.owner_references.clone().unwrap_or_default();
        let mut solid = 0;
        let mut waiting = 0;
        let mut dangling = BTreeSet::new();
        for owner in &owners {
            match self.owner_meta(ctx.store, node, owner) {
                None => {
                    dangling.insert(owner.uid.clone());
                }
                Some(m)
                    if m.deletion_timestamp.is_some()
                        && has_finalizer(&m, FOREGROUND_FINALIZER) =>
                {
                    waiting += 1;
                }
                Some(_) => solid += 1,
            }
        }
        if owners.is_empty() {
            return;
        }
        if solid == 0 {
            let has_dependents = meta
                .uid
                .as_ref()
                .and_then(|uid| self.dependents.get(uid))
                .is_some_and(|d| !d.is_empty());
            let policy = if waiting > 0 && has_dependents {
                PropagationPolicy::Foreground
            } else {
                PropagationPolicy::Background
            };
            delete(ctx.store, node, policy);
            return;
        }
        if !dangling.is_empty() {
            modify_meta(ctx.store, node, |m| {
                remove_owner_references(m, |r| dangling.contains(&r.uid));
            });
        }
    }

    fn owner_meta(
        &self,
        store: &Store,
        dependent: &Node,
        owner: &OwnerReference,
    ) -> Option<ObjectMeta> {
        let node = self.uids.get(&owner.uid).cloned().or_else(|| {
            // Not seen yet: a reference names its owner's kind and name in the dependent's namespace.
            let kind = stored_kind(&owner.kind)?;
            let namespace = if namespaced(kind) {
                dependent.key.namespace.clone()
            } else {
                String::new()
            };
            Some(Node {
                kind,
                key: ObjectKey::new(namespace, owner.name.clone()),
            })
        })?;
        metadata(store, &node).filter(|m| m.uid.as_deref() == Some(owner.uid.as_str()))
    }

    /// `orphanDependents`: remove the owner from each dependent's references, then the `orphan` finalizer.
    fn orphan_dependents(&mut self, ctx: &mut Ctx, owner: &Node, meta: &ObjectMeta) {
        let uid = meta.uid.clone().unwrap_or_default();
        for dependent in self.dependents.remove(&uid).unwrap_or_default() {
            modify_meta(ctx.store, &dependent, |m| {
                remove_owner_references(m, |r| r.uid == uid)
            });
        }
        remove_finalizer(ctx.store, owner, ORPHAN_FINALIZER);
    }

    /// `processDeletingDependentsItem`: the foreground owner's blocking dependents are deleted in the
    /// foreground too; once none is left, the finalizer goes and the apiserver removes the owner.
    fn process_deleting_dependents(&mut self, ctx: &mut Ctx, owner: &Node, meta: &ObjectMeta) {
        let uid = meta.uid.clone().unwrap_or_default();
        let mut blocking = false;
        for dependent in self.dependents.get(&uid).cloned().unwrap_or_default() {
            let Some(dependent_meta) = metadata(ctx.store, &dependent) else {
                continue;
            };
            let blocks = dependent_meta
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.uid == uid && r.block_owner_deletion == Some(true));
            if !blocks {
                continue;
            }
            blocking = true;
            if dependent_meta.deletion_timestamp.is_none() {
                delete(ctx.store, &dependent, PropagationPolicy::Foreground);
            }
        }
        if !blocking {
            remove_finalizer(ctx.store, owner, FOREGROUND_FINALIZER);
        }
    }
}

fn has_finalizer(meta: &ObjectMeta, finalizer: &str) -> bool {
    meta.finalizers.iter().flatten().any(|f| f == finalizer)
}

fn remove_finalizer(store: &mut Store, node: &Node, finalizer: &str) {
    modify_meta(store, node, |m| {
        if let Some(finalizers) = m.finalizers.as_mut() {
            finalizers.retain(|f| f != finalizer);
        }
    });
}

/// The store is typed; the graph is not. These dispatch a graph node to its kind.
macro_rules! by_kind {
    ($kind:expr, $T:ident => $body:expr) => {{
        use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
        use k8s_openapi::api::core::v1::{
            ConfigMap, Namespace, Node as NodeObject, PersistentVolume, PersistentVolumeClaim, Pod,
            Secret, Service,
        };
        use k8s_openapi::api::discovery::v1::EndpointSlice;
        use k8s_openapi::api::storage::v1::StorageClass;
        match $kind {
            "Pod" => {
                type $T = Pod;
                $body
            }
            "PersistentVolumeClaim" => {
                type $T = PersistentVolumeClaim;
                $body
            }
            "StatefulSet" => {
                type $T = StatefulSet;
                $body
            }
            "ControllerRevision" => {
                type $T = ControllerRevision;
                $body
            }
            "EndpointSlice" => {
                type $T = EndpointSlice;
                $body
            }
            "Service" => {
                type $T = Service;
                $body
            }
            "ConfigMap" => {
                type $T = ConfigMap;
                $body
            }
            "Secret" => {
                type $T = Secret;
                $body
            }
            "PersistentVolume" => {
                type $T = PersistentVolume;
                $body
            }
            "StorageClass" => {
                type $T = StorageClass;
                $body
            }
            "Namespace" => {
                type $T = Namespace;
                $body
            }
            "Node" => {
                type $T = NodeObject;
                $body
            }
            _ => None,
        }
    }};
}

/// The kind name as the store spells it, for a kind an ownerReference names.
fn stored_kind(kind: &str) -> Option<&'static str> {
    by_kind!(kind, T => Some(<T as k8s_openapi::Resource>::KIND))
}

fn namespaced(kind: &str) -> bool {
    by_kind!(kind, T => Some(<T as ApiObject>::NAMESPACED)).unwrap_or(true)
}

fn metadata(store: &Store, node: &Node) -> Option<ObjectMeta> {
    by_kind!(node.kind, T => store.get::<T>(&node.key).map(|o| o.metadata.clone()))
}

fn modify_meta(store: &mut Store, node: &Node, change: impl FnOnce(&mut ObjectMeta)) {
    let _: Option<()> = by_kind!(node.kind, T => {
        // The collector takes NotFound as the item already gone (attemptToDeleteItem).
        let _ = store.modify::<T>(&node.key, |o| change(&mut o.metadata));
        None
    });
}

fn delete(store: &mut Store, node: &Node, policy: PropagationPolicy) {
    let options = DeleteOptions {
        propagation_policy: Some(policy),
        ..DeleteOptions::default()
    };
    let _: Option<()> = by_kind!(node.kind, T => {
        // The collector takes NotFound as the item already gone (attemptToDeleteItem).
        let _ = store.delete::<T>(&node.key, options);
        None
    });
}
