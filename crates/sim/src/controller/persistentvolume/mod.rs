//! The PV controller (`pkg/controller/volume/persistentvolume`), the pvc-protection controller, and kind's
//! local-path provisioner: binding, provisioning, release and reclaim.
//!
//! This file holds the controller and its informer handlers, as `pv_controller_base.go` does; the parts follow
//! upstream's: `binder` (`pv_controller.go`: claims and volumes, binding and reclaim), `protection`
//! (`pkg/controller/volume/pvcprotection`), and `provisioner` (rancher's local-path-provisioner).

mod binder;
mod protection;
mod provisioner;

use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use std::collections::BTreeMap;

use crate::controller::{Controller, Ctx, WorkQueue};
use crate::events::{self, component, EventType};
use crate::object::{ApiObject, Object, ObjectKey};
use crate::store::{Store, WatchEvent};
use crate::time::SimTime;
use binder::{is_claim_bound, sync_volume};

#[derive(Clone, Debug, Default)]
pub struct PersistentVolumeController {
    /// Claims (namespaced keys) and volumes (cluster-scoped keys, empty namespace) to sync.
    queue: WorkQueue,
    /// Claims whose volume the provisioner is creating, and when it will be done.
    provisioning: BTreeMap<ObjectKey, SimTime>,
}

impl Controller for PersistentVolumeController {
    fn observe(&mut self, event: &WatchEvent, store: &Store) {
        match &event.object {
            Object::PersistentVolumeClaim(claim) => {
                self.queue.add(claim.key());
                if let Some(volume) = claim.spec.as_ref().and_then(|s| s.volume_name.clone()) {
                    self.queue.add(ObjectKey::cluster(volume));
                }
            }
            Object::PersistentVolume(volume) => {
                self.queue.add(volume.key());
                if let Some(claim) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                    self.queue.add(ObjectKey::new(
                        claim.namespace.clone().unwrap_or_default(),
                        claim.name.clone().unwrap_or_default(),
                    ));
                }
            }
            // pvc-protection: a claim being deleted waits for the last pod that uses it.
            Object::Pod(pod) => {
                let namespace = pod.metadata.namespace.clone().unwrap_or_default();
                for volume in pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.volumes.as_deref())
                    .unwrap_or_default()
                {
                    if let Some(source) = &volume.persistent_volume_claim {
                        self.queue
                            .add(ObjectKey::new(namespace.clone(), source.claim_name.clone()));
                    }
                }
            }
            Object::StorageClass(_) => {
                for claim in store
                    .list::<PersistentVolumeClaim>()
                    .filter(|c| !is_claim_bound(c))
                {
                    self.queue.add(claim.key());
                }
            }
            _ => {}
        }
    }

    fn queue(&mut self) -> &mut WorkQueue {
        &mut self.queue
    }

    fn sync(&mut self, key: &ObjectKey, ctx: &mut Ctx) {
        if key.namespace.is_empty() {
            sync_volume(ctx, key);
        } else {
            self.sync_claim(ctx, key);
        }
    }
}

fn record(
    ctx: &mut Ctx,
    claim: &PersistentVolumeClaim,
    event_type: EventType,
    reason: &str,
    message: &str,
) {
    events::record(
        ctx.store,
        claim,
        event_type,
        reason,
        message,
        component::PERSISTENT_VOLUME,
        None,
    );
}
