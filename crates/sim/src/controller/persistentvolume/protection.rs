//! The pvc-protection controller, after `pkg/controller/volume/pvcprotection`: a claim being deleted keeps its
//! `kubernetes.io/pvc-protection` finalizer while a pod that may still run uses it.

use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};

use crate::api::well_known::PVC_PROTECTION_FINALIZER;
use crate::controller::Ctx;
use crate::object::{name_of, ApiObject};

/// pvc-protection: the finalizer comes off once no pod that may still run uses the claim.
pub(super) fn release_protection_if_unused(ctx: &mut Ctx, claim: &PersistentVolumeClaim) {
    let namespace = claim.metadata.namespace.clone().unwrap_or_default();
    let claim_name = name_of(&claim.metadata);
    let in_use = ctx.store.list_namespace::<Pod>(&namespace).any(|pod| {
        let finished = matches!(
            pod.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Succeeded" | "Failed")
        );
        !finished
            && pod
                .spec
                .as_ref()
                .and_then(|s| s.volumes.as_deref())
                .unwrap_or_default()
                .iter()
                .any(|v| {
                    v.persistent_volume_claim
                        .as_ref()
                        .is_some_and(|c| c.claim_name == claim_name)
                })
    });
    if in_use {
        return;
    }
    // Only NotFound can come back (see `Store::modify`): the claim is gone, which the finalizer was holding.
    let _ = ctx
        .store
        .modify::<PersistentVolumeClaim>(&claim.key(), |c| {
            if let Some(finalizers) = c.metadata.finalizers.as_mut() {
                finalizers.retain(|f| f != PVC_PROTECTION_FINALIZER);
            }
        });
}
