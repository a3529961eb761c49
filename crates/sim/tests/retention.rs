//! The garbage collector and `persistentVolumeClaimRetentionPolicy` (reference §3.2, e2e "Non-retain
//! StatefulSetPersistentVolumeClaimPolicy", unit `TestStaleOwnerRefOnScaleup`): the controller sets owners,
//! the collector deletes.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use ordinal_sim::kubectl;
use ordinal_sim::kubectl::Apply;
use ordinal_sim::object::controller_ref;
use ordinal_sim::scenario::Scenario;
use ordinal_sim::{Cluster, ClusterConfig, ObjectKey, SimTime};

const WEB: &str = include_str!("../../../examples/web.yaml");

fn web_with_policy(when_deleted: &str, when_scaled: &str) -> Cluster {
    let manifests = Scenario::parse(WEB).unwrap().manifests.replace(
        "replicas: 3",
        &format!(
            "replicas: 3\n  persistentVolumeClaimRetentionPolicy:\n    whenDeleted: {when_deleted}\n    whenScaled: {when_scaled}"
        ),
    );
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(&manifests).unwrap();
    cluster.run_until(SimTime::from_secs(60));
    cluster
}

fn kubectl(cluster: &mut Cluster, line: &str) -> String {
    let output = kubectl::run(cluster, line, "");
    assert_eq!(output.exit_code, 0, "{line}: {}", output.stderr);
    output.stdout
}

fn advance(cluster: &mut Cluster, seconds: u64) {
    let until = cluster.now().plus_secs(seconds);
    cluster.run_until(until);
}

fn names<T: ordinal_sim::object::ApiObject>(cluster: &Cluster) -> Vec<String> {
    cluster
        .store()
        .list_namespace::<T>("default")
        .map(|o| o.metadata().name.clone().unwrap())
        .collect()
}

fn claim(cluster: &Cluster, name: &str) -> PersistentVolumeClaim {
    cluster
        .store()
        .get::<PersistentVolumeClaim>(&ObjectKey::new("default", name))
        .cloned()
        .unwrap_or_else(|| panic!("claim {name} exists"))
}

fn owner_kinds(claim: &PersistentVolumeClaim) -> Vec<String> {
    claim
        .metadata
        .owner_references
        .iter()
        .flatten()
        .map(|r| format!("{}/{}", r.kind, r.name))
        .collect()
}

#[test]
fn claims_of_a_retain_policy_have_no_owner_and_outlive_the_set() {
    let mut cluster = web_with_policy("Retain", "Retain");
    assert!(owner_kinds(&claim(&cluster, "www-web-0")).is_empty());
    kubectl(&mut cluster, "kubectl delete sts web");
    advance(&mut cluster, 60);
    assert!(
        names::<Pod>(&cluster).is_empty(),
        "the collector deletes the pods"
    );
    assert!(names::<ControllerRevision>(&cluster).is_empty());
    assert_eq!(
        names::<PersistentVolumeClaim>(&cluster),
        ["www-web-0", "www-web-1", "www-web-2"]
    );
}

#[test]
fn should_delete_pvcs_with_a_when_deleted_policy() {
    let mut cluster = web_with_policy("Delete", "Retain");
    for ordinal in 0..3 {
        assert_eq!(
            owner_kinds(&claim(&cluster, &format!("www-web-{ordinal}"))),
            ["StatefulSet/web"]
        );
    }
    // Scaling down keeps the claims: only the set owns them.
    kubectl(&mut cluster, "kubectl scale sts web --replicas=1");
    advance(&mut cluster, 60);
    assert_eq!(names::<PersistentVolumeClaim>(&cluster).len(), 3);
    kubectl(&mut cluster, "kubectl delete sts web");
    advance(&mut cluster, 60);
    assert!(names::<PersistentVolumeClaim>(&cluster).is_empty());
    assert!(names::<Pod>(&cluster).is_empty());
}

#[test]
fn should_delete_pvcs_with_a_on_scaledown_policy() {
    let mut cluster = web_with_policy("Retain", "Delete");
    assert!(owner_kinds(&claim(&cluster, "www-web-2")).is_empty());
    kubectl(&mut cluster, "kubectl scale sts web --replicas=1");
    advance(&mut cluster, 90);
    assert_eq!(names::<Pod>(&cluster), ["web-0"]);
    assert_eq!(names::<PersistentVolumeClaim>(&cluster), ["www-web-0"]);
}

#[test]
fn whenscaled_delete_and_whendeleted_delete_move_a_condemned_claim_from_the_set_to_the_pod() {
    let mut cluster = web_with_policy("Delete", "Delete");
    assert_eq!(
        owner_kinds(&claim(&cluster, "www-web-2")),
        ["StatefulSet/web"]
    );
    // A finalizer keeps web-2 terminating, so the owner switch of phase (B) can be seen before it goes.
    cluster
        .with_store(|store| {
            store.modify::<Pod>(&ObjectKey::new("default", "web-2"), |p| {
                p.metadata.finalizers = Some(vec!["example.com/hold".into()]);
            })
        })
        .unwrap();
    kubectl(&mut cluster, "kubectl scale sts web --replicas=2");
    advance(&mut cluster, 5);
    assert_eq!(owner_kinds(&claim(&cluster, "www-web-2")), ["Pod/web-2"]);
    assert_eq!(
        owner_kinds(&claim(&cluster, "www-web-1")),
        ["StatefulSet/web"]
    );
    cluster
        .with_store(|store| {
            store.modify::<Pod>(&ObjectKey::new("default", "web-2"), |p| {
                p.metadata.finalizers = None;
            })
        })
        .unwrap();
    advance(&mut cluster, 30);
    assert_eq!(
        names::<PersistentVolumeClaim>(&cluster),
        ["www-web-0", "www-web-1"]
    );
}

#[test]
fn stale_owner_ref_on_scaleup_waits_for_the_old_claim_to_go_then_creates_a_new_one() {
    let mut cluster = web_with_policy("Retain", "Delete");
    let old_uid = claim(&cluster, "www-web-2").metadata.uid.unwrap();
    kubectl(&mut cluster, "kubectl scale sts web --replicas=2");
    advance(&mut cluster, 60);
    kubectl(&mut cluster, "kubectl scale sts web --replicas=3");
    advance(&mut cluster, 60);
    let new_claim = claim(&cluster, "www-web-2");
    assert_ne!(new_claim.metadata.uid.clone().unwrap(), old_uid);
    assert!(
        owner_kinds(&new_claim).is_empty(),
        "in range again: no owner"
    );
    assert_eq!(names::<Pod>(&cluster).len(), 3);
}

#[test]
fn should_not_delete_pvc_with_onscaledown_policy_if_another_controller_owns_the_pvc() {
    let mut cluster = web_with_policy("Retain", "Delete");
    cluster
        .apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keeper\n")
        .unwrap();
    let keeper = cluster
        .store()
        .get::<ConfigMap>(&ObjectKey::new("default", "keeper"))
        .cloned()
        .unwrap();
    cluster
        .with_store(|store| {
            store.modify::<PersistentVolumeClaim>(&ObjectKey::new("default", "www-web-1"), |c| {
                c.metadata.owner_references = Some(vec![controller_ref(&keeper)]);
            })
        })
        .unwrap();
    kubectl(&mut cluster, "kubectl scale sts web --replicas=0");
    advance(&mut cluster, 120);
    assert_eq!(names::<PersistentVolumeClaim>(&cluster), ["www-web-1"]);
    // Its references were already what the policy allows (none of ours), so upstream has nothing to update
    // and records no ConflictingController event either.
    let events = kubectl(&mut cluster, "kubectl get events");
    assert!(!events.contains("ConflictingController"), "{events}");
}

#[test]
fn cascade_orphan_keeps_the_pods_and_strips_their_owner() {
    let mut cluster = web_with_policy("Retain", "Retain");
    let out = kubectl(&mut cluster, "kubectl delete sts web --cascade=orphan");
    assert_eq!(
        out,
        "statefulset.apps \"web\" deleted from default namespace\n"
    );
    advance(&mut cluster, 30);
    assert!(names::<StatefulSet>(&cluster).is_empty());
    assert_eq!(names::<Pod>(&cluster), ["web-0", "web-1", "web-2"]);
    for pod in cluster.store().list_namespace::<Pod>("default") {
        assert!(pod
            .metadata
            .owner_references
            .as_ref()
            .is_none_or(|r| r.is_empty()));
    }
    // Recreating the set adopts the orphans instead of replacing them.
    cluster
        .apply(&Scenario::parse(WEB).unwrap().manifests)
        .unwrap();
    advance(&mut cluster, 10);
    for pod in cluster.store().list_namespace::<Pod>("default") {
        let owner = &pod.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(owner.name, "web");
    }
}

#[test]
fn foreground_deletion_keeps_the_set_until_its_pods_are_gone() {
    let mut cluster = web_with_policy("Retain", "Retain");
    kubectl(&mut cluster, "kubectl delete sts web --cascade=foreground");
    let set = cluster
        .store()
        .get::<StatefulSet>(&ObjectKey::new("default", "web"))
        .cloned()
        .expect("the set waits for its dependents");
    assert_eq!(set.metadata.finalizers.unwrap(), ["foregroundDeletion"]);
    advance(&mut cluster, 90);
    assert!(names::<StatefulSet>(&cluster).is_empty());
    assert!(names::<Pod>(&cluster).is_empty());
}

#[test]
fn deleting_a_service_collects_its_endpoint_slices() {
    let mut cluster = web_with_policy("Retain", "Retain");
    assert_eq!(names::<EndpointSlice>(&cluster).len(), 1);
    kubectl(&mut cluster, "kubectl delete svc nginx");
    assert!(names::<EndpointSlice>(&cluster).is_empty());
}
