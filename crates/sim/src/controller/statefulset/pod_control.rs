//! `pkg/controller/statefulset/stateful_pod_control.go`: the writes the control loop makes, each with the event
//! upstream records for it.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};

use super::errors::SyncError;
use super::retention::{
    claims_match_retention_policy, update_claim_owner_ref_for_set_and_pod,
    update_pod_claim_for_retention_policy,
};
use super::utils::{
    claim_keys, get_persistent_volume_claims, identity_matches, storage_matches, update_identity,
};
use crate::api::delete_options::DeleteOptions;
use crate::api::validation::POD_UPDATE_MESSAGE;
use crate::controller::Ctx;
use crate::events::{self, component, EventType};
use crate::object::{name_of, ObjectKey};
use crate::store::ApiError;

/// `CreateStatefulPod`: the pod's claims first; any claim error leaves the pod uncreated.
pub fn create_stateful_pod(ctx: &mut Ctx, set: &StatefulSet, pod: &Pod) -> Result<(), SyncError> {
    if let Err(error) = create_persistent_volume_claims(ctx, set, pod) {
        record_pod_event(ctx, "create", set, pod, Some(&error));
        return Err(error);
    }
    match ctx.store.create(pod.clone()) {
        // Someone else holds the name (a released pod): no event, the sync fails and is retried.
        Err(error @ ApiError::AlreadyExists { .. }) => Err(error.into()),
        Err(error) => {
            let error = error.into();
            record_pod_event(ctx, "create", set, pod, Some(&error));
            Err(error)
        }
        Ok(_) => {
            record_pod_event(ctx, "create", set, pod, None);
            Ok(())
        }
    }
}

/// `createPersistentVolumeClaims`: creates each missing claim; an existing claim is reused as it is.
pub fn create_persistent_volume_claims(
    ctx: &mut Ctx,
    set: &StatefulSet,
    pod: &Pod,
) -> Result<(), SyncError> {
    let mut errors = Vec::new();
    // Most calls find every claim in place (a pending pod is checked on each sync): look before building.
    let missing = claim_keys(set, pod).into_iter().any(|key| {
        ctx.store
            .get::<PersistentVolumeClaim>(&key)
            .is_none_or(|c| c.metadata.deletion_timestamp.is_some())
    });
    if !missing {
        return Ok(());
    }
    for mut claim in get_persistent_volume_claims(set, pod).into_values() {
        // A new claim is born with the owner the retention policy gives it.
        update_claim_owner_ref_for_set_and_pod(&mut claim, set, pod);
        let key = ObjectKey::of(&claim.metadata);
        match ctx.store.get::<PersistentVolumeClaim>(&key) {
            Some(existing) if existing.metadata.deletion_timestamp.is_some() => {
                errors.push(SyncError::ClaimBeingDeleted { claim: key.name });
            }
            Some(_) => {}
            None => match ctx.store.create(claim.clone()) {
                Ok(_) => record_claim_event(ctx, set, pod, &claim, None),
                Err(error @ ApiError::AlreadyExists { .. }) => {
                    errors.push(SyncError::CreateClaim {
                        claim: key.name,
                        error,
                    });
                }
                Err(error) => {
                    let error = SyncError::CreateClaim {
                        claim: key.name,
                        error,
                    };
                    record_claim_event(ctx, set, pod, &claim, Some(&error));
                    errors.push(error);
                }
            },
        }
    }
    SyncError::aggregate(errors).map_or(Ok(()), Err)
}

/// `UpdateStatefulPod`: brings the claims' owners in line with the retention policy and restores the pod's
/// identity labels. A pod whose volumes are wrong cannot be fixed in
/// place, because pod specs are immutable: the apiserver refuses and the controller records the failure.
pub fn update_stateful_pod(ctx: &mut Ctx, set: &StatefulSet, pod: &Pod) -> Result<(), SyncError> {
    if !storage_matches(set, pod) {
        let error = SyncError::Api(ApiError::Invalid {
            kind: "Pod",
            name: name_of(&pod.metadata).into(),
            causes: vec![POD_UPDATE_MESSAGE.into()],
        });
        record_pod_event(ctx, "update", set, pod, Some(&error));
        return Err(error);
    }
    if !claims_match_retention_policy(ctx, set, pod) {
        update_pod_claim_for_retention_policy(ctx, set, pod)?;
    }
    if identity_matches(set, pod) {
        return Ok(());
    }
    let mut fixed = pod.clone();
    update_identity(set, &mut fixed);
    match ctx.store.update(fixed) {
        Ok(_) => {
            record_pod_event(ctx, "update", set, pod, None);
            Ok(())
        }
        Err(error) => {
            let error = error.into();
            record_pod_event(ctx, "update", set, pod, Some(&error));
            Err(error)
        }
    }
}

/// `DeleteStatefulPod`: a graceful delete; the kubelet does the rest.
pub fn delete_stateful_pod(ctx: &mut Ctx, set: &StatefulSet, pod: &Pod) -> Result<(), SyncError> {
    match ctx
        .store
        .delete::<Pod>(&ObjectKey::of(&pod.metadata), DeleteOptions::default())
    {
        Ok(_) => {
            record_pod_event(ctx, "delete", set, pod, None);
            Ok(())
        }
        Err(error) => {
            let error = error.into();
            record_pod_event(ctx, "delete", set, pod, Some(&error));
            Err(error)
        }
    }
}

/// `recordPodEvent`: `Successful<Verb>` / `Failed<Verb>` on the set.
fn record_pod_event(
    ctx: &mut Ctx,
    verb: &str,
    set: &StatefulSet,
    pod: &Pod,
    error: Option<&SyncError>,
) {
    let (pod_name, set_name) = (name_of(&pod.metadata), name_of(&set.metadata));
    let capitalized = capitalize(verb);
    let (event_type, reason, message) = match error {
        None => (
            EventType::Normal,
            format!("Successful{capitalized}"),
            format!("{verb} Pod {pod_name} in StatefulSet {set_name} successful"),
        ),
        Some(error) => (
            EventType::Warning,
            format!("Failed{capitalized}"),
            format!("{verb} Pod {pod_name} in StatefulSet {set_name} failed error: {error}"),
        ),
    };
    events::record(
        ctx.store,
        set,
        event_type,
        &reason,
        message,
        component::STATEFULSET,
        None,
    );
}

/// `recordClaimEvent`: note upstream's "success" here, against "successful" for pods.
fn record_claim_event(
    ctx: &mut Ctx,
    set: &StatefulSet,
    pod: &Pod,
    claim: &PersistentVolumeClaim,
    error: Option<&SyncError>,
) {
    let (pod_name, set_name, claim_name) = (
        name_of(&pod.metadata),
        name_of(&set.metadata),
        name_of(&claim.metadata),
    );
    let (event_type, reason, message) = match error {
        None => (
            EventType::Normal,
            "SuccessfulCreate",
            format!("create Claim {claim_name} Pod {pod_name} in StatefulSet {set_name} success"),
        ),
        Some(error) => (
            EventType::Warning,
            "FailedCreate",
            format!("create Claim {claim_name} for Pod {pod_name} in StatefulSet {set_name} failed error: {error}"),
        ),
    };
    events::record(
        ctx.store,
        set,
        event_type,
        reason,
        message,
        component::STATEFULSET,
        None,
    );
}

fn capitalize(verb: &str) -> String {
    let mut chars = verb.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}
