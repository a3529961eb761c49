//! `persistentVolumeClaimRetentionPolicy` through ownerReferences (`stateful_set_utils.go`:
//! `isClaimOwnerUpToDate`, `updateClaimOwnerRefForSetAndPod`; `stateful_pod_control.go`:
//! `ClaimsMatchRetentionPolicy`, `UpdatePodClaimForRetentionPolicy`). The controller never deletes a claim: it
//! makes the set or the pod its owner, and the garbage collector deletes it when that owner goes.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::errors::SyncError;
use super::utils::{claim_keys, end_ordinal, get_ordinal, spec, start_ordinal};
use crate::controller::Ctx;
use crate::events::{self, component, EventType};
use crate::object::{controller_ref, name_of, ApiObject};

/// `getPersistentVolumeClaimRetentionPolicy`: (whenDeleted, whenScaled), each Retain unless set to Delete.
pub fn retention_policy(set: &StatefulSet) -> (bool, bool) {
    let policy = spec(set).persistent_volume_claim_retention_policy.as_ref();
    let deletes = |value: Option<&String>| value.is_some_and(|v| v == "Delete");
    (
        deletes(policy.and_then(|p| p.when_deleted.as_ref())),
        deletes(policy.and_then(|p| p.when_scaled.as_ref())),
    )
}

/// `matchesRef`: the reference names this very object (kind, name and uid).
fn matches_ref(reference: &OwnerReference, kind: &str, meta: &ObjectMeta) -> bool {
    reference.kind == kind
        && Some(&reference.name) == meta.name.as_ref()
        && Some(&reference.uid) == meta.uid.as_ref()
}

/// `hasStaleOwnerRef`: a reference to an earlier object of the same kind and name. Such a claim belongs to
/// the past and is left for the garbage collector.
fn has_stale_owner_ref(refs: &[OwnerReference], kind: &str, meta: &ObjectMeta) -> bool {
    refs.iter().any(|r| {
        r.kind == kind && Some(&r.name) == meta.name.as_ref() && Some(&r.uid) != meta.uid.as_ref()
    })
}

/// `hasUnexpectedController`: someone else manages the claim, so the policy does not apply to it.
fn has_unexpected_controller(refs: &[OwnerReference], set: &StatefulSet, pod: &Pod) -> bool {
    refs.iter().any(|r| {
        r.controller == Some(true)
            && !matches_ref(r, "StatefulSet", &set.metadata)
            && !matches_ref(r, "Pod", &pod.metadata)
    })
}

fn remove_owner_ref(refs: &mut Vec<OwnerReference>, kind: &str, meta: &ObjectMeta) -> bool {
    let before = refs.len();
    refs.retain(|r| !matches_ref(r, kind, meta));
    refs.len() != before
}

/// `setOwnerRef` with a controller reference: an existing reference without the controller flag is upgraded.
fn set_controller_ref<T: ApiObject>(refs: &mut Vec<OwnerReference>, owner: &T) -> bool {
    match refs
        .iter_mut()
        .find(|r| matches_ref(r, T::KIND, owner.metadata()))
    {
        Some(existing) if existing.controller == Some(true) => false,
        Some(existing) => {
            *existing = controller_ref(owner);
            true
        }
        None => {
            refs.push(controller_ref(owner));
            true
        }
    }
}

fn in_ordinal_range(set: &StatefulSet, pod: &Pod) -> bool {
    let ordinal = get_ordinal(pod);
    (i64::from(start_ordinal(set))..=i64::from(end_ordinal(set))).contains(&ordinal)
}

/// The references the policy table (reference §3.2) asks for, applied to a claim's owner references.
/// Returns whether they changed.
fn reconcile_owner_refs(refs: &mut Vec<OwnerReference>, set: &StatefulSet, pod: &Pod) -> bool {
    if has_stale_owner_ref(refs, "StatefulSet", &set.metadata)
        || has_stale_owner_ref(refs, "Pod", &pod.metadata)
    {
        return false;
    }
    let (when_deleted, when_scaled) = retention_policy(set);
    if (when_deleted || when_scaled) && has_unexpected_controller(refs, set, pod) {
        let a = remove_owner_ref(refs, "StatefulSet", &set.metadata);
        let b = remove_owner_ref(refs, "Pod", &pod.metadata);
        return a || b;
    }
    let scaled_down = !in_ordinal_range(set, pod);
    let (set_owns, pod_owns) = match (when_scaled, when_deleted) {
        (false, false) => (false, false),
        (false, true) => (true, false),
        (true, false) => (false, scaled_down),
        (true, true) => (!scaled_down, scaled_down),
    };
    let mut changed = if set_owns {
        set_controller_ref(refs, set)
    } else {
        remove_owner_ref(refs, "StatefulSet", &set.metadata)
    };
    changed |= if pod_owns {
        set_controller_ref(refs, pod)
    } else {
        remove_owner_ref(refs, "Pod", &pod.metadata)
    };
    changed
}

/// `updateClaimOwnerRefForSetAndPod`. Returns whether the claim changed.
pub fn update_claim_owner_ref_for_set_and_pod(
    claim: &mut PersistentVolumeClaim,
    set: &StatefulSet,
    pod: &Pod,
) -> bool {
    let mut refs = claim.metadata.owner_references.take().unwrap_or_default();
    let changed = reconcile_owner_refs(&mut refs, set, pod);
    claim.metadata.owner_references = (!refs.is_empty()).then_some(refs);
    changed
}

/// `isClaimOwnerUpToDate`: only the references are copied to find out.
pub fn is_claim_owner_up_to_date(
    claim: &PersistentVolumeClaim,
    set: &StatefulSet,
    pod: &Pod,
) -> bool {
    let mut refs = claim.metadata.owner_references.clone().unwrap_or_default();
    !reconcile_owner_refs(&mut refs, set, pod)
}

/// `ClaimsMatchRetentionPolicy`: every existing claim of the pod has the references the policy wants. A
/// missing claim matches: it is recreated with the right ones.
pub fn claims_match_retention_policy(ctx: &Ctx, set: &StatefulSet, pod: &Pod) -> bool {
    claim_keys(set, pod).iter().all(|key| {
        ctx.store
            .get::<PersistentVolumeClaim>(key)
            .is_none_or(|existing| is_claim_owner_up_to_date(existing, set, pod))
    })
}

/// `UpdatePodClaimForRetentionPolicy`: rewrites the references of each claim that does not match, warning
/// when another controller owns one.
pub fn update_pod_claim_for_retention_policy(
    ctx: &mut Ctx,
    set: &StatefulSet,
    pod: &Pod,
) -> Result<(), SyncError> {
    for key in claim_keys(set, pod) {
        let Some(existing) = ctx.store.get::<PersistentVolumeClaim>(&key).cloned() else {
            continue;
        };
        if is_claim_owner_up_to_date(&existing, set, pod) {
            continue;
        }
        let (when_deleted, when_scaled) = retention_policy(set);
        let refs = existing
            .metadata
            .owner_references
            .as_deref()
            .unwrap_or_default();
        if (when_deleted || when_scaled) && has_unexpected_controller(refs, set, pod) {
            events::record(
                ctx.store,
                set,
                EventType::Warning,
                "ConflictingController",
                format!(
                    "PersistentVolumeClaim {} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim",
                    name_of(&existing.metadata)
                ),
                component::STATEFULSET,
                None,
            );
        }
        let mut updated = existing;
        update_claim_owner_ref_for_set_and_pod(&mut updated, set, pod);
        ctx.store
            .update(updated)
            .map_err(|error| SyncError::ClaimOwnerRefs {
                claim: key.name,
                error,
            })?;
    }
    Ok(())
}
