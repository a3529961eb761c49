//! `persistentVolumeClaimRetentionPolicy` through ownerReferences (`stateful_set_utils.go`:
//! `isClaimOwnerUpToDate`, `updateClaimOwnerRefForSetAndPod`; `stateful_pod_control.go`:
//! `ClaimsMatchRetentionPolicy`, `UpdatePodClaimForRetentionPolicy`). The controller never deletes a claim: it
//! makes the set or the pod its owner, and the garbage collector deletes it when that owner goes.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::utils::{end_ordinal, get_ordinal, get_persistent_volume_claims, spec, start_ordinal};
use crate::controller::Ctx;
use crate::events::{self, component, EventType};
use crate::object::{controller_ref, name_of, ApiObject, ObjectKey};

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
fn has_stale_owner_ref(claim: &PersistentVolumeClaim, kind: &str, meta: &ObjectMeta) -> bool {
    claim.metadata.owner_references.iter().flatten().any(|r| {
        r.kind == kind && Some(&r.name) == meta.name.as_ref() && Some(&r.uid) != meta.uid.as_ref()
    })
}

/// `hasUnexpectedController`: someone else manages the claim, so the policy does not apply to it.
fn has_unexpected_controller(claim: &PersistentVolumeClaim, set: &StatefulSet, pod: &Pod) -> bool {
    claim.metadata.owner_references.iter().flatten().any(|r| {
        r.controller == Some(true)
            && !matches_ref(r, "StatefulSet", &set.metadata)
            && !matches_ref(r, "Pod", &pod.metadata)
    })
}

fn remove_owner_ref(claim: &mut PersistentVolumeClaim, kind: &str, meta: &ObjectMeta) -> bool {
    let Some(refs) = claim.metadata.owner_references.as_mut() else {
        return false;
    };
    let before = refs.len();
    refs.retain(|r| !matches_ref(r, kind, meta));
    refs.len() != before
}

/// `setOwnerRef` with a controller reference: an existing reference without the controller flag is upgraded.
fn set_controller_ref<T: ApiObject>(claim: &mut PersistentVolumeClaim, owner: &T) -> bool {
    let refs = claim.metadata.owner_references.get_or_insert_with(Vec::new);
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

/// `updateClaimOwnerRefForSetAndPod`: the references the policy table (reference §3.2) asks for. Returns
/// whether the claim changed.
pub fn update_claim_owner_ref_for_set_and_pod(
    claim: &mut PersistentVolumeClaim,
    set: &StatefulSet,
    pod: &Pod,
) -> bool {
    if has_stale_owner_ref(claim, "StatefulSet", &set.metadata)
        || has_stale_owner_ref(claim, "Pod", &pod.metadata)
    {
        return false;
    }
    let (when_deleted, when_scaled) = retention_policy(set);
    if (when_deleted || when_scaled) && has_unexpected_controller(claim, set, pod) {
        let a = remove_owner_ref(claim, "StatefulSet", &set.metadata);
        let b = remove_owner_ref(claim, "Pod", &pod.metadata);
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
        set_controller_ref(claim, set)
    } else {
        remove_owner_ref(claim, "StatefulSet", &set.metadata)
    };
    changed |= if pod_owns {
        set_controller_ref(claim, pod)
    } else {
        remove_owner_ref(claim, "Pod", &pod.metadata)
    };
    if claim
        .metadata
        .owner_references
        .as_ref()
        .is_some_and(Vec::is_empty)
    {
        claim.metadata.owner_references = None;
    }
    changed
}

/// `isClaimOwnerUpToDate`.
pub fn is_claim_owner_up_to_date(
    claim: &PersistentVolumeClaim,
    set: &StatefulSet,
    pod: &Pod,
) -> bool {
    !update_claim_owner_ref_for_set_and_pod(&mut claim.clone(), set, pod)
}

/// `ClaimsMatchRetentionPolicy`: every existing claim of the pod has the references the policy wants. A
/// missing claim matches: it is recreated with the right ones.
pub fn claims_match_retention_policy(ctx: &Ctx, set: &StatefulSet, pod: &Pod) -> bool {
    get_persistent_volume_claims(set, pod)
        .values()
        .all(|claim| {
            ctx.store
                .get::<PersistentVolumeClaim>(&ObjectKey::of(&claim.metadata))
                .is_none_or(|existing| is_claim_owner_up_to_date(existing, set, pod))
        })
}

/// `UpdatePodClaimForRetentionPolicy`: rewrites the references of each claim that does not match, warning
/// when another controller owns one.
pub fn update_pod_claim_for_retention_policy(
    ctx: &mut Ctx,
    set: &StatefulSet,
    pod: &Pod,
) -> Result<(), String> {
    for template_claim in get_persistent_volume_claims(set, pod).into_values() {
        let key = ObjectKey::of(&template_claim.metadata);
        let Some(existing) = ctx.store.get::<PersistentVolumeClaim>(&key).cloned() else {
            continue;
        };
        if is_claim_owner_up_to_date(&existing, set, pod) {
            continue;
        }
        let (when_deleted, when_scaled) = retention_policy(set);
        if (when_deleted || when_scaled) && has_unexpected_controller(&existing, set, pod) {
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
        ctx.store.update(updated).map_err(|error| {
            format!(
                "could not update claim {} for delete policy ownerRefs: {error}",
                key.name
            )
        })?;
    }
    Ok(())
}
