//! `pkg/controller/statefulset/stateful_set_utils.go`: identity, storage, revisions and the health predicates
//! the control loop decides with.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodCondition, PodTemplateSpec,
    Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::labels::selector_matches;
use crate::object::{controller_ref, get_controller_of, name_of, ObjectKey};
use crate::time::SimTime;

pub const STATEFUL_SET_POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
pub const STATEFUL_SET_REVISION_LABEL: &str = "controller-revision-hash";
pub const CONTROLLER_REVISION_HASH_LABEL: &str = "controller.kubernetes.io/hash";

pub fn spec(set: &StatefulSet) -> &StatefulSetSpec {
    set.spec
        .as_ref()
        .expect("stored StatefulSets are validated to have a spec")
}

pub fn replicas(set: &StatefulSet) -> i32 {
    spec(set).replicas.unwrap_or(1)
}

pub fn start_ordinal(set: &StatefulSet) -> i32 {
    spec(set)
        .ordinals
        .as_ref()
        .and_then(|o| o.start)
        .unwrap_or(0)
}

/// The last ordinal in range, `start + replicas - 1`.
pub fn end_ordinal(set: &StatefulSet) -> i32 {
    start_ordinal(set) + replicas(set) - 1
}

pub fn min_ready_seconds(set: &StatefulSet) -> i32 {
    spec(set).min_ready_seconds.unwrap_or(0)
}

pub fn is_parallel(set: &StatefulSet) -> bool {
    spec(set).pod_management_policy.as_deref() == Some("Parallel")
}

pub fn is_on_delete(set: &StatefulSet) -> bool {
    spec(set)
        .update_strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        == Some("OnDelete")
}

/// `statefulPodRegex = "(.*)-([0-9]+)$"`: the parent is everything before the last dash-and-digits.
/// Returns `("", -1)` when the name has no ordinal.
pub fn get_parent_name_and_ordinal(pod_name: &str) -> (&str, i64) {
    let Some((parent, digits)) = pod_name.rsplit_once('-') else {
        return ("", -1);
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return ("", -1);
    }
    match digits.parse::<i32>() {
        Ok(ordinal) => (parent, i64::from(ordinal)),
        Err(_) => ("", -1),
    }
}

pub fn get_ordinal(pod: &Pod) -> i64 {
    get_parent_name_and_ordinal(name_of(&pod.metadata)).1
}

pub fn get_pod_name(set: &StatefulSet, ordinal: i32) -> String {
    format!("{}-{ordinal}", name_of(&set.metadata))
}

pub fn get_persistent_volume_claim_name(
    set: &StatefulSet,
    claim: &PersistentVolumeClaim,
    ordinal: i32,
) -> String {
    format!(
        "{}-{}-{ordinal}",
        name_of(&claim.metadata),
        name_of(&set.metadata)
    )
}

/// `isMemberOf`: the parent name parsed from the pod's name is the set's name.
pub fn is_member_of(set: &StatefulSet, pod: &Pod) -> bool {
    get_parent_name_and_ordinal(name_of(&pod.metadata)).0 == name_of(&set.metadata)
}

pub fn identity_matches(set: &StatefulSet, pod: &Pod) -> bool {
    let (parent, ordinal) = get_parent_name_and_ordinal(name_of(&pod.metadata));
    ordinal >= 0
        && parent == name_of(&set.metadata)
        && pod.metadata.namespace == set.metadata.namespace
        && pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(STATEFUL_SET_POD_NAME_LABEL))
            .map(String::as_str)
            == pod.metadata.name.as_deref()
}

pub fn storage_matches(set: &StatefulSet, pod: &Pod) -> bool {
    let ordinal = get_ordinal(pod);
    if ordinal < 0 {
        return false;
    }
    let volumes: BTreeMap<&str, &Volume> = pod_volumes(pod)
        .iter()
        .map(|v| (v.name.as_str(), v))
        .collect();
    claim_templates(set).iter().all(|claim| {
        volumes.get(name_of(&claim.metadata)).is_some_and(|v| {
            v.persistent_volume_claim
                .as_ref()
                .map(|c| c.claim_name.as_str())
                == Some(get_persistent_volume_claim_name(set, claim, ordinal as i32).as_str())
        })
    })
}

pub fn claim_templates(set: &StatefulSet) -> &[PersistentVolumeClaim] {
    spec(set)
        .volume_claim_templates
        .as_deref()
        .unwrap_or_default()
}

fn pod_volumes(pod: &Pod) -> &[Volume] {
    pod.spec
        .as_ref()
        .and_then(|s| s.volumes.as_deref())
        .unwrap_or_default()
}

/// `getPersistentVolumeClaims`: the claims a pod of this ordinal uses, keyed by template name. Labels are the
/// template's merged with the selector's matchLabels, the selector winning.
pub fn get_persistent_volume_claims(
    set: &StatefulSet,
    pod: &Pod,
) -> BTreeMap<String, PersistentVolumeClaim> {
    let ordinal = get_ordinal(pod) as i32;
    let selector_labels = spec(set).selector.match_labels.clone().unwrap_or_default();
    claim_templates(set)
        .iter()
        .map(|template| {
            let mut claim = template.clone();
            claim.metadata.name = Some(get_persistent_volume_claim_name(set, template, ordinal));
            claim.metadata.namespace = set.metadata.namespace.clone();
            let labels = claim.metadata.labels.get_or_insert_with(BTreeMap::new);
            labels.extend(selector_labels.clone());
            claim.status = None;
            (name_of(&template.metadata).to_string(), claim)
        })
        .collect()
}

/// The keys of the claims a pod of this ordinal uses, without building the claims: what the hot paths that
/// only look claims up need.
pub fn claim_keys(set: &StatefulSet, pod: &Pod) -> Vec<ObjectKey> {
    let templates = claim_templates(set);
    if templates.is_empty() {
        return Vec::new();
    }
    let ordinal = get_ordinal(pod) as i32;
    let namespace = set.metadata.namespace.as_deref().unwrap_or_default();
    templates
        .iter()
        .map(|t| ObjectKey::new(namespace, get_persistent_volume_claim_name(set, t, ordinal)))
        .collect()
}

/// `updateStorage`: every claim template becomes a volume of the same name pointing at the ordinal's PVC,
/// replacing a template volume of that name; the other volumes follow.
pub fn update_storage(set: &StatefulSet, pod: &mut Pod) {
    let claims = get_persistent_volume_claims(set, pod);
    let pod_spec = pod.spec.get_or_insert_with(Default::default);
    let existing = pod_spec.volumes.take().unwrap_or_default();
    let mut volumes: Vec<Volume> = claims
        .iter()
        .map(|(template_name, claim)| Volume {
            name: template_name.clone(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.metadata.name.clone().unwrap_or_default(),
                read_only: Some(false),
            }),
            ..Volume::default()
        })
        .collect();
    volumes.extend(
        existing
            .into_iter()
            .filter(|v| !claims.contains_key(&v.name)),
    );
    pod_spec.volumes = (!volumes.is_empty()).then_some(volumes);
}

/// `initIdentity`/`updateIdentity`: name, namespace, the pod-name and pod-index labels, and (only at creation,
/// because pod specs are immutable) hostname and subdomain.
pub fn init_identity(set: &StatefulSet, pod: &mut Pod) {
    update_identity(set, pod);
    let ordinal_name = pod.metadata.name.clone();
    let pod_spec = pod.spec.get_or_insert_with(Default::default);
    pod_spec.hostname = ordinal_name;
    pod_spec.subdomain = spec(set).service_name.clone().filter(|s| !s.is_empty());
}

pub fn update_identity(set: &StatefulSet, pod: &mut Pod) {
    let ordinal = get_ordinal(pod);
    let name = get_pod_name(set, ordinal as i32);
    pod.metadata.name = Some(name.clone());
    pod.metadata.namespace = set.metadata.namespace.clone();
    let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
    labels.insert(STATEFUL_SET_POD_NAME_LABEL.into(), name);
    labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
}

/// `newStatefulSetPod`: the template, owned by the set, with identity and storage for the ordinal.
pub fn new_stateful_set_pod(set: &StatefulSet, ordinal: i32) -> Pod {
    let template = &spec(set).template;
    let template_meta = template.metadata.clone().unwrap_or_default();
    let mut pod = Pod {
        metadata: ObjectMeta {
            name: Some(get_pod_name(set, ordinal)),
            labels: template_meta.labels,
            annotations: template_meta.annotations,
            finalizers: template_meta.finalizers,
            owner_references: Some(vec![controller_ref(set)]),
            ..ObjectMeta::default()
        },
        spec: template.spec.clone(),
        status: None,
    };
    init_identity(set, &mut pod);
    update_storage(set, &mut pod);
    pod
}

/// `newVersionedStatefulSetPod`: which revision a (re)created pod gets. Go's `A && B || C` precedence is kept.
pub fn new_versioned_stateful_set_pod(
    current_set: &StatefulSet,
    update_set: &StatefulSet,
    current_revision: &str,
    update_revision: &str,
    ordinal: i32,
) -> Pod {
    let (set, revision) = if new_pod_uses_current_revision(current_set, ordinal) {
        (current_set, current_revision)
    } else {
        (update_set, update_revision)
    };
    let mut pod = new_stateful_set_pod(set, ordinal);
    set_pod_revision(&mut pod, revision);
    pod
}

/// Whether a new pod of this ordinal is made from the current revision rather than the update revision:
/// below the partition, or (for a rolling update without parameters) among the current replicas.
pub fn new_pod_uses_current_revision(current_set: &StatefulSet, ordinal: i32) -> bool {
    let strategy = spec(current_set).update_strategy.as_ref();
    let is_rolling_update = strategy.and_then(|s| s.type_.as_deref()) == Some("RollingUpdate");
    let rolling_update = strategy.and_then(|s| s.rolling_update.as_ref());
    let start = start_ordinal(current_set);
    let current_replicas = current_set
        .status
        .as_ref()
        .and_then(|s| s.current_replicas)
        .unwrap_or(0);
    (is_rolling_update && rolling_update.is_none() && ordinal < start + current_replicas)
        || rolling_update.is_some_and(|r| ordinal < start + r.partition.unwrap_or(0))
}

/// A missing ordinal as a sync reasons about it: name, namespace and the revision it will get, no phase.
/// The whole pod is built only when it is created; a large set would otherwise build every missing pod on
/// every sync.
pub fn missing_stateful_set_pod(set: &StatefulSet, ordinal: i32, revision: &str) -> Pod {
    let mut pod = Pod {
        metadata: ObjectMeta {
            name: Some(get_pod_name(set, ordinal)),
            namespace: set.metadata.namespace.clone(),
            ..ObjectMeta::default()
        },
        ..Pod::default()
    };
    set_pod_revision(&mut pod, revision);
    pod
}

pub fn set_pod_revision(pod: &mut Pod, revision: &str) {
    pod.metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(STATEFUL_SET_REVISION_LABEL.into(), revision.into());
}

pub fn get_pod_revision(pod: &Pod) -> &str {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(STATEFUL_SET_REVISION_LABEL))
        .map_or("", String::as_str)
}

// --- health predicates -------------------------------------------------------------------------------------

fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

/// A pod from the API always has a phase; only the controller's placeholder for a missing ordinal has none.
pub fn is_created(pod: &Pod) -> bool {
    !phase(pod).is_empty()
}

pub fn is_pending(pod: &Pod) -> bool {
    phase(pod) == "Pending"
}

pub fn is_failed(pod: &Pod) -> bool {
    phase(pod) == "Failed"
}

pub fn is_succeeded(pod: &Pod) -> bool {
    phase(pod) == "Succeeded"
}

pub fn is_terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

pub fn ready_condition(pod: &Pod) -> Option<&PodCondition> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
}

pub fn is_pod_ready(pod: &Pod) -> bool {
    ready_condition(pod).is_some_and(|c| c.status == "True")
}

pub fn is_running_and_ready(pod: &Pod) -> bool {
    phase(pod) == "Running" && is_pod_ready(pod)
}

/// What a sync needs to know about a pod that depends on the pod object alone and on its set's name and claim
/// templates, which cannot change. A sync asks every pod the same questions several times, and each answer
/// means parsing the name or searching maps and lists of strings; the answers are read once per version of
/// the pod (see `PodFactsCache`), so that a sync over a thousand pods stays cheap.
#[derive(Clone, Debug)]
pub struct PodFacts {
    ordinal: i64,
    revision: String,
    created: bool,
    phase_is: PhaseIs,
    terminating: bool,
    /// The Ready condition is True, and since when (if the condition says).
    ready: Option<Option<SimTime>>,
    identity_and_storage_match: bool,
    /// Matches the set's selector and has its name pattern: what `ClaimPods` adopts or keeps.
    pub claimable: bool,
    pub controller: ControllerRef,
}

/// The pod's controllerRef, against the set (by uid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerRef {
    ThisSet,
    Other,
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PhaseIs {
    Pending,
    Running,
    Failed,
    Succeeded,
    Other,
}

impl PodFacts {
    pub fn of(set: &StatefulSet, pod: &Pod) -> Self {
        let phase_is = match phase(pod) {
            "Pending" => PhaseIs::Pending,
            "Running" => PhaseIs::Running,
            "Failed" => PhaseIs::Failed,
            "Succeeded" => PhaseIs::Succeeded,
            _ => PhaseIs::Other,
        };
        PodFacts {
            ordinal: get_ordinal(pod),
            revision: get_pod_revision(pod).to_string(),
            created: is_created(pod),
            phase_is,
            terminating: is_terminating(pod),
            ready: ready_condition(pod)
                .filter(|c| c.status == "True")
                .map(|c| c.last_transition_time.as_ref().map(SimTime::from_k8s)),
            identity_and_storage_match: identity_matches(set, pod) && storage_matches(set, pod),
            claimable: selector_matches(
                &spec(set).selector,
                pod.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
            ) && is_member_of(set, pod),
            controller: match get_controller_of(&pod.metadata) {
                Some(owner) if Some(&owner.uid) == set.metadata.uid.as_ref() => {
                    ControllerRef::ThisSet
                }
                Some(_) => ControllerRef::Other,
                None => ControllerRef::None,
            },
        }
    }
}

/// The facts of one set's pods, kept between syncs and keyed by the stored object's address: every write
/// stores a new object, so an address names one version of a pod, and holding the object keeps its address
/// from being reused. A sync keeps only the entries of the pods it read.
#[derive(Clone, Debug, Default)]
pub struct PodFactsCache {
    set_uid: Option<String>,
    round: u64,
    by_version: BTreeMap<usize, (Arc<Pod>, PodFacts, u64)>,
}

impl PodFactsCache {
    /// Starts a sync's reading; facts are about one incarnation of the set, whose selector cannot change.
    pub fn start(&mut self, set: &StatefulSet) {
        if self.set_uid != set.metadata.uid {
            self.set_uid = set.metadata.uid.clone();
            self.by_version.clear();
        }
        self.round += 1;
    }

    pub fn facts(&mut self, set: &StatefulSet, pod: &Arc<Pod>) -> &PodFacts {
        let round = self.round;
        let entry = self
            .by_version
            .entry(Arc::as_ptr(pod) as usize)
            .or_insert_with(|| (pod.clone(), PodFacts::of(set, pod), round));
        entry.2 = round;
        &entry.1
    }

    /// Forgets the pods this sync did not read: they are gone or were replaced by a newer version.
    pub fn finish(&mut self) {
        let round = self.round;
        self.by_version.retain(|_, entry| entry.2 == round);
    }
}

/// A pod as one sync sees it: its facts, and whether it is at the sync's current and update revisions.
#[derive(Clone, Debug)]
pub struct StatefulPod {
    pub pod: Arc<Pod>,
    pub ordinal: i64,
    created: bool,
    phase_is: PhaseIs,
    terminating: bool,
    ready: Option<Option<SimTime>>,
    identity_and_storage_match: bool,
    at_current_revision: bool,
    at_update_revision: bool,
}

impl StatefulPod {
    pub fn new(
        pod: Arc<Pod>,
        facts: &PodFacts,
        current_revision: &str,
        update_revision: &str,
    ) -> Self {
        StatefulPod {
            pod,
            ordinal: facts.ordinal,
            created: facts.created,
            phase_is: facts.phase_is,
            terminating: facts.terminating,
            ready: facts.ready,
            identity_and_storage_match: facts.identity_and_storage_match,
            at_current_revision: facts.revision == current_revision,
            at_update_revision: facts.revision == update_revision,
        }
    }

    pub fn name(&self) -> &str {
        name_of(&self.pod.metadata)
    }

    pub fn is_created(&self) -> bool {
        self.created
    }

    pub fn is_pending(&self) -> bool {
        self.phase_is == PhaseIs::Pending
    }

    pub fn is_failed(&self) -> bool {
        self.phase_is == PhaseIs::Failed
    }

    pub fn is_succeeded(&self) -> bool {
        self.phase_is == PhaseIs::Succeeded
    }

    pub fn is_terminating(&self) -> bool {
        self.terminating
    }

    pub fn is_running_and_ready(&self) -> bool {
        self.phase_is == PhaseIs::Running && self.ready.is_some()
    }

    pub fn is_at_current_revision(&self) -> bool {
        self.at_current_revision
    }

    pub fn is_at_update_revision(&self) -> bool {
        self.at_update_revision
    }

    /// `identityMatches` and `storageMatches`.
    pub fn identity_and_storage_match(&self) -> bool {
        self.identity_and_storage_match
    }

    /// `podutil.IsPodAvailable`: Ready, and for at least `min_ready_seconds` (the phase is not checked).
    pub fn is_running_and_available(&self, min_ready_seconds: i32, now: SimTime) -> bool {
        match self.ready {
            None => false,
            Some(_) if min_ready_seconds <= 0 => true,
            Some(since) => {
                since.is_some_and(|since| since.plus_secs(min_ready_seconds as u64) < now)
            }
        }
    }

    /// `isUnavailable` (1.33+): not available for minReadySeconds, or terminating.
    pub fn is_unavailable(&self, min_ready_seconds: i32, now: SimTime) -> bool {
        !self.is_running_and_available(min_ready_seconds, now) || self.terminating
    }
}

// --- revisions -----------------------------------------------------------------------------------------------

/// `getPatch`: only the pod template is versioned, as a strategic-merge patch that replaces it.
pub fn get_patch(set: &StatefulSet) -> serde_json::Value {
    let mut template = serde_json::to_value(&spec(set).template).expect("pod templates serialize");
    if let serde_json::Value::Object(map) = &mut template {
        map.insert("$patch".into(), serde_json::Value::String("replace".into()));
    }
    serde_json::json!({ "spec": { "template": template } })
}

/// `newRevision`: a ControllerRevision of the set's template, named by the hash of its data.
pub fn new_revision(set: &StatefulSet, revision: i64, collision_count: i32) -> ControllerRevision {
    let data = get_patch(set);
    let mut labels = spec(set)
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let hash = hash_controller_revision(&data, collision_count);
    labels.insert(CONTROLLER_REVISION_HASH_LABEL.into(), hash.clone());
    let set_name = name_of(&set.metadata);
    ControllerRevision {
        metadata: ObjectMeta {
            name: Some(format!("{}-{hash}", &set_name[..set_name.len().min(223)])),
            namespace: set.metadata.namespace.clone(),
            labels: Some(labels),
            // The set's annotations travel along: `kubernetes.io/change-cause` is what `rollout history` shows.
            annotations: set.metadata.annotations.clone(),
            owner_references: Some(vec![controller_ref(set)]),
            ..ObjectMeta::default()
        },
        data: Some(RawExtension(data)),
        revision,
    }
}

/// `ApplyRevision`: the set with the revision's template.
pub fn apply_revision(set: &StatefulSet, revision: &ControllerRevision) -> StatefulSet {
    let mut applied = set.clone();
    let template = revision
        .data
        .as_ref()
        .and_then(|d| d.0.get("spec"))
        .and_then(|s| s.get("template"))
        .cloned()
        .map(|mut t| {
            if let serde_json::Value::Object(map) = &mut t {
                map.remove("$patch");
            }
            t
        });
    if let Some(template) = template.and_then(|t| PodTemplateSpec::deserialize(&t).ok()) {
        applied
            .spec
            .as_mut()
            .expect("stored StatefulSets have a spec")
            .template = template;
    }
    applied
}

/// `history.HashControllerRevision`: FNV-1 (32 bit) over the data and the decimal collision count, printed in
/// decimal and safe-encoded.
pub fn hash_controller_revision(data: &serde_json::Value, collision_count: i32) -> String {
    let raw = serde_json::to_vec(data).expect("JSON values serialize");
    let mut hash: u32 = 0x811c_9dc5;
    for byte in raw.iter().chain(collision_count.to_string().as_bytes()) {
        hash = hash.wrapping_mul(0x0100_0193);
        hash ^= u32::from(*byte);
    }
    safe_encode_string(&hash.to_string())
}

/// `rand.SafeEncodeString`: maps every byte onto an alphabet without vowels or look-alike characters.
pub fn safe_encode_string(text: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    text.bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_and_ordinal_follow_the_greedy_regex() {
        // TestGetParentNameAndOrdinal
        assert_eq!(get_parent_name_and_ordinal("web-1"), ("web", 1));
        assert_eq!(get_parent_name_and_ordinal("web-1-2"), ("web-1", 2));
        assert_eq!(get_parent_name_and_ordinal("1-bar"), ("", -1));
        assert_eq!(get_parent_name_and_ordinal("web"), ("", -1));
        assert_eq!(get_parent_name_and_ordinal("web-"), ("", -1));
    }

    #[test]
    fn safe_encoding_uses_the_upstream_alphabet() {
        // '0' is byte 48, 48 % 27 = 21 -> '4'; '9' is 57 % 27 = 3 -> 'f'.
        assert_eq!(safe_encode_string("09"), "4f");
    }

    #[test]
    fn revision_hashes_depend_on_data_and_collision_count_only() {
        let data =
            serde_json::json!({"spec": {"template": {"metadata": {"labels": {"app": "nginx"}}}}});
        let other =
            serde_json::json!({"spec": {"template": {"metadata": {"labels": {"app": "redis"}}}}});
        let hash = hash_controller_revision(&data, 0);
        assert_eq!(hash, hash_controller_revision(&data.clone(), 0));
        assert_ne!(hash, hash_controller_revision(&data, 1));
        assert_ne!(hash, hash_controller_revision(&other, 0));
        // A u32 in decimal is at most 10 digits, each mapped to one character of the alphabet.
        assert!(
            hash.len() <= 10
                && hash
                    .bytes()
                    .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b))
        );
    }
}
