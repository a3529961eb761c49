//! The upstream tests of reference §6 that apply to what Ordinal models, each as a scenario named after the
//! upstream test (unit tests in `stateful_set_control_test.go` / `stateful_set_test.go`, e2e tests in
//! `test/e2e/apps/statefulset.go`). Upstream drives a fake object manager; here the whole simulated cluster
//! runs, so "make pod Running and Ready" is the kubelet's doing and faults stand in for broken probes.

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, PodStatus};
use ordinal_sim::api::delete_options::DeleteOptions;
use ordinal_sim::controller::statefulset::utils::{
    is_running_and_ready, POD_INDEX_LABEL, STATEFUL_SET_REVISION_LABEL,
};
use ordinal_sim::kubectl::Apply;
use ordinal_sim::scenario::Scenario;
use ordinal_sim::store::WatchEventType;
use ordinal_sim::{kubectl, Cluster, ClusterConfig, Fault, Object, ObjectKey};

const WEB: &str = include_str!("../../../examples/web.yaml");

/// The course's `web` set with extra spec lines after `replicas`.
fn web(replicas: u32, extra_spec: &str) -> Cluster {
    let manifests = Scenario::parse(WEB)
        .unwrap()
        .manifests
        .replace("replicas: 3", &format!("replicas: {replicas}{extra_spec}"));
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(&manifests).unwrap();
    advance(&mut cluster, 30 + 10 * u64::from(replicas));
    cluster
}

fn advance(cluster: &mut Cluster, seconds: u64) {
    let until = cluster.now().plus_secs(seconds);
    cluster.run_until(until);
}

fn ok(cluster: &mut Cluster, line: &str) -> String {
    let output = kubectl::run(cluster, line, "");
    assert_eq!(output.exit_code, 0, "{line}: {}", output.stderr);
    output.stdout
}

fn set(cluster: &Cluster) -> StatefulSet {
    cluster
        .store()
        .get::<StatefulSet>(&ObjectKey::new("default", "web"))
        .cloned()
        .unwrap()
}

fn pods(cluster: &Cluster) -> Vec<Pod> {
    cluster
        .store()
        .list_namespace::<Pod>("default")
        .cloned()
        .collect()
}

fn pod(cluster: &Cluster, name: &str) -> Option<Pod> {
    cluster
        .store()
        .get::<Pod>(&ObjectKey::new("default", name))
        .cloned()
}

fn pod_names(cluster: &Cluster) -> Vec<String> {
    pods(cluster)
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect()
}

fn image_of(pod: &Pod) -> String {
    pod.spec.as_ref().unwrap().containers[0]
        .image
        .clone()
        .unwrap()
}

fn revision_of(pod: &Pod) -> String {
    pod.metadata.labels.as_ref().unwrap()[STATEFUL_SET_REVISION_LABEL].clone()
}

/// (replicas, readyReplicas, updatedReplicas, currentReplicas) from the status.
fn counts(cluster: &Cluster) -> (i32, i32, i32, i32) {
    let status = set(cluster).status.unwrap();
    (
        status.replicas,
        status.ready_replicas.unwrap_or(0),
        status.updated_replicas.unwrap_or(0),
        status.current_replicas.unwrap_or(0),
    )
}

fn all_ready(cluster: &Cluster) -> bool {
    pods(cluster).iter().all(is_running_and_ready)
}

fn hold_with_finalizer(cluster: &mut Cluster, name: &str) {
    cluster
        .with_store(|s| {
            s.modify::<Pod>(&ObjectKey::new("default", name), |p| {
                p.metadata.finalizers = Some(vec!["example.com/hold".into()]);
            })
        })
        .unwrap();
}

fn release_finalizer(cluster: &mut Cluster, name: &str) {
    cluster
        .with_store(|s| {
            s.modify::<Pod>(&ObjectKey::new("default", name), |p| {
                p.metadata.finalizers = None;
            })
        })
        .unwrap();
}

#[test]
fn creates_pods_with_pod_index_label_feature() {
    let cluster = web(3, "");
    assert_eq!(counts(&cluster), (3, 3, 3, 3));
    for pod in pods(&cluster) {
        let name = pod.metadata.name.clone().unwrap();
        let index = &pod.metadata.labels.as_ref().unwrap()[POD_INDEX_LABEL];
        assert_eq!(format!("web-{index}"), name);
    }
}

#[test]
fn scales_up_and_scales_down() {
    let mut cluster = web(3, "");
    ok(&mut cluster, "kubectl scale sts web --replicas=4");
    advance(&mut cluster, 60);
    assert_eq!(counts(&cluster), (4, 4, 4, 4));
    ok(&mut cluster, "kubectl scale sts web --replicas=0");
    advance(&mut cluster, 120);
    assert_eq!(counts(&cluster), (0, 0, 0, 0));
    assert!(pods(&cluster).is_empty());
}

#[test]
fn replaces_pods() {
    let mut cluster = web(5, "");
    let old: Vec<String> = pods(&cluster)
        .iter()
        .map(|p| p.metadata.uid.clone().unwrap())
        .collect();
    for name in ["web-0", "web-2", "web-4"] {
        cluster
            .with_store(|s| s.delete::<Pod>(&ObjectKey::new("default", name), DeleteOptions::NOW))
            .unwrap();
    }
    advance(&mut cluster, 120);
    assert_eq!(pods(&cluster).len(), 5);
    assert!(all_ready(&cluster));
    let recreated = pods(&cluster)
        .iter()
        .filter(|p| !old.contains(p.metadata.uid.as_ref().unwrap()))
        .count();
    assert_eq!(recreated, 3);
    for claim in cluster
        .store()
        .list_namespace::<PersistentVolumeClaim>("default")
    {
        assert!(claim.metadata.owner_references.is_none());
    }
}

fn finish_pod(cluster: &mut Cluster, name: &str, phase: &str) -> String {
    let uid = pod(cluster, name).unwrap().metadata.uid.unwrap();
    cluster
        .with_store(|s| {
            s.modify::<Pod>(&ObjectKey::new("default", name), |p| {
                p.status = Some(PodStatus {
                    phase: Some(phase.into()),
                    ..p.status.clone().unwrap_or_default()
                });
            })
        })
        .unwrap();
    uid
}

#[test]
fn recreates_failed_pod_and_recreates_succeeded_pod() {
    for phase in ["Failed", "Succeeded"] {
        let mut cluster = web(3, "");
        let old_uid = finish_pod(&mut cluster, "web-0", phase);
        // The finished pod is deleted at once (no grace: it has no running containers) and created again.
        advance(&mut cluster, 60);
        let new = pod(&cluster, "web-0").unwrap();
        assert_ne!(new.metadata.uid.unwrap(), old_uid, "{phase}");
        assert!(is_running_and_ready(&pod(&cluster, "web-0").unwrap()));
    }
}

#[test]
fn create_pods_with_start_ordinal() {
    let cluster = web(3, "\n  ordinals:\n    start: 2");
    assert_eq!(pod_names(&cluster), ["web-2", "web-3", "web-4"]);
    assert!(all_ready(&cluster));
}

#[test]
fn get_set_revisions_create_on_update_and_renumber_on_rollback() {
    let mut cluster = web(1, "");
    let revisions = |c: &Cluster| -> Vec<(String, i64)> {
        let mut list: Vec<(String, i64)> = c
            .store()
            .list_namespace::<ControllerRevision>("default")
            .map(|r| (r.metadata.name.clone().unwrap(), r.revision))
            .collect();
        list.sort_by_key(|(_, n)| *n);
        list
    };
    let first = revisions(&cluster);
    assert_eq!(first.len(), 1, "creates initial revision");
    ok(&mut cluster, "kubectl set image sts web nginx=nginx:1.25");
    advance(&mut cluster, 60);
    let second = revisions(&cluster);
    assert_eq!(second.len(), 2, "creates revision on update");
    // The same template again does not make a third revision.
    ok(&mut cluster, "kubectl set image sts web nginx=nginx:1.25");
    assert_eq!(
        revisions(&cluster).len(),
        2,
        "must not recreate a new revision of same set"
    );
    ok(&mut cluster, "kubectl set image sts web nginx=nginx:1.9.1");
    advance(&mut cluster, 60);
    let rolled_back = revisions(&cluster);
    assert_eq!(rolled_back.len(), 2, "must rollback to a previous revision");
    assert_eq!(
        rolled_back[1],
        (first[0].0.clone(), 3),
        "renumbered, not copied"
    );
    let status = set(&cluster).status.unwrap();
    assert_eq!(status.update_revision, Some(first[0].0.clone()));
    assert_eq!(status.current_revision, status.update_revision);
}

#[test]
fn rolling_update_goes_in_reverse_ordinal_order_and_completes() {
    let mut cluster = web(3, "");
    cluster.take_journal();
    ok(&mut cluster, "kubectl set image sts web nginx=nginx:1.25");
    advance(&mut cluster, 120);
    let deleted: Vec<String> = cluster
        .take_journal()
        .into_iter()
        .filter(|e| e.event_type == WatchEventType::Deleted)
        .filter_map(|e| match e.object {
            Object::Pod(p) => p.metadata.name.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(deleted, ["web-2", "web-1", "web-0"]);
    assert!(pods(&cluster).iter().all(|p| image_of(p) == "nginx:1.25"));
    let status = set(&cluster).status.unwrap();
    assert_eq!(
        status.current_revision, status.update_revision,
        "completeRollingUpdate"
    );
    assert_eq!(counts(&cluster), (3, 3, 3, 3));
}

#[test]
fn rolling_update_with_partition() {
    let mut cluster = web(
        5,
        "\n  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      partition: 2",
    );
    ok(&mut cluster, "kubectl set image sts web nginx=nginx:1.25");
    advance(&mut cluster, 180);
    for pod in pods(&cluster) {
        let ordinal: u32 = pod.metadata.name.as_ref().unwrap()[4..].parse().unwrap();
        let expected = if ordinal < 2 {
            "nginx:1.9.1"
        } else {
            "nginx:1.25"
        };
        assert_eq!(image_of(&pod), expected, "web-{ordinal}");
    }
    let status = set(&cluster).status.unwrap();
    assert_ne!(status.current_revision, status.update_revision);
    assert_eq!(
        ok(&mut cluster, "kubectl rollout status sts/web"),
        "partitioned roll out complete: 3 new pods have been updated...\n"
    );
}

#[test]
fn should_perform_canary_updates_and_phased_rolling_updates_of_template_modifications() {
    let mut cluster = web(
        3,
        "\n  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      partition: 3",
    );
    ok(&mut cluster, "kubectl set image sts web nginx=nginx:1.25");
    advance(&mut cluster, 60);
    assert!(
        pods(&cluster).iter().all(|p| image_of(p) == "nginx:1.9.1"),
        "partition 3 > replicas: no pod is updated"
    );
    let patch = |p: u32| {
        format!(
            "kubectl patch sts web -p '{{\"spec\":{{\"updateStrategy\":{{\"rollingUpdate\":{{\"partition\":{p}}}}}}}}}'"
        )
    };
    ok(&mut cluster, &patch(2));
    advance(&mut cluster, 60);
    let images: Vec<String> = pods(&cluster).iter().map(image_of).collect();
    assert_eq!(
        images,
        ["nginx:1.9.1", "nginx:1.9.1", "nginx:1.25"],
        "canary"
    );
    // Deleted pods come back at the revision their ordinal should have.
    for name in ["web-0", "web-2"] {
        cluster
            .with_store(|s| {
                s.delete::<Pod>(&ObjectKey::new("default", name), DeleteOptions::default())
            })
            .unwrap();
    }
    advance(&mut cluster, 90);
    let images: Vec<String> = pods(&cluster).iter().map(image_of).collect();
    assert_eq!(images, ["nginx:1.9.1", "nginx:1.9.1", "nginx:1.25"]);
    ok(&mut cluster, &patch(1));
    advance(&mut cluster, 60);
    ok(&mut cluster, &patch(0));
    advance(&mut cluster, 60);
    assert!(
        pods(&cluster).iter().all(|p| image_of(p) == "nginx:1.25"),
        "phased"
    );
    let status = set(&cluster).status.unwrap();
    assert_eq!(status.current_revision, status.update_revision);
}

#[test]
fn should_implement_legacy_replacement_when_the_update_strategy_is_on_delete() {
    let mut cluster = web(3, "\n  updateStrategy:\n    type: OnDelete");
    ok(&mut cluster, "kubectl set image sts web nginx=nginx:1.25");
    advance(&mut cluster, 120);
    assert!(
        pods(&cluster).iter().all(|p| image_of(p) == "nginx:1.9.1"),
        "nothing changes by itself"
    );
    cluster
        .with_store(|s| {
            s.delete::<Pod>(
                &ObjectKey::new("default", "web-1"),
                DeleteOptions::default(),
            )
        })
        .unwrap();
    advance(&mut cluster, 60);
    assert_eq!(image_of(&pod(&cluster, "web-1").unwrap()), "nginx:1.25");
    assert_eq!(image_of(&pod(&cluster, "web-0").unwrap()), "nginx:1.9.1");
    // Reference §1.9: under OnDelete the current revision never advances in 1.34.
    let status = set(&cluster).status.unwrap();
    assert_ne!(status.current_revision, status.update_revision);
    let rollout = kubectl::run(&mut cluster, "kubectl rollout status sts/web", "");
    assert_eq!(
        rollout.stderr,
        "error: rollout status is only available for RollingUpdate strategy type\n"
    );
}

#[test]
fn statefulset_controller_blocks_scaling() {
    let mut cluster = web(3, "");
    hold_with_finalizer(&mut cluster, "web-0");
    cluster
        .with_store(|s| {
            s.delete::<Pod>(
                &ObjectKey::new("default", "web-0"),
                DeleteOptions::default(),
            )
        })
        .unwrap();
    ok(&mut cluster, "kubectl scale sts web --replicas=5");
    advance(&mut cluster, 120);
    assert_eq!(
        pod_names(&cluster),
        ["web-0", "web-1", "web-2"],
        "nothing proceeds past a terminating pod"
    );
    let wait = cluster
        .wait_of(&ObjectKey::new("default", "web"))
        .map(ToString::to_string);
    // nginx exits 0 on SIGTERM, so the held pod is Succeeded: upstream's finished-pod branch is what waits.
    assert_eq!(
        wait.as_deref(),
        Some("web-0 is not recreated yet: web-0 is Succeeded and being removed")
    );
    release_finalizer(&mut cluster, "web-0");
    advance(&mut cluster, 120);
    assert_eq!(pods(&cluster).len(), 5);
    assert!(all_ready(&cluster));
}

#[test]
fn statefulset_controller_respects_termination() {
    let mut cluster = web(5, "");
    for name in ["web-3", "web-4"] {
        hold_with_finalizer(&mut cluster, name);
    }
    ok(&mut cluster, "kubectl scale sts web --replicas=3");
    advance(&mut cluster, 60);
    // web-4 was deleted and waits on its finalizer; OrderedReady does not touch web-3 meanwhile.
    assert_eq!(pods(&cluster).len(), 5);
    assert!(pod(&cluster, "web-4")
        .unwrap()
        .metadata
        .deletion_timestamp
        .is_some());
    assert!(pod(&cluster, "web-3")
        .unwrap()
        .metadata
        .deletion_timestamp
        .is_none());
    release_finalizer(&mut cluster, "web-4");
    advance(&mut cluster, 60);
    assert!(pod(&cluster, "web-3")
        .unwrap()
        .metadata
        .deletion_timestamp
        .is_some());
    release_finalizer(&mut cluster, "web-3");
    advance(&mut cluster, 60);
    assert_eq!(pod_names(&cluster), ["web-0", "web-1", "web-2"]);
}

#[test]
fn should_not_deadlock_when_a_pods_predecessor_fails() {
    let mut cluster = web(2, "");
    cluster
        .inject(Fault::NotReady {
            pod: ObjectKey::new("default", "web-1"),
        })
        .unwrap();
    advance(&mut cluster, 60);
    let old = pod(&cluster, "web-0").unwrap().metadata.uid.unwrap();
    cluster
        .with_store(|s| {
            s.delete::<Pod>(
                &ObjectKey::new("default", "web-0"),
                DeleteOptions::default(),
            )
        })
        .unwrap();
    advance(&mut cluster, 60);
    let web0 = pod(&cluster, "web-0").unwrap();
    assert_ne!(web0.metadata.uid.unwrap(), old);
    assert!(is_running_and_ready(&pod(&cluster, "web-0").unwrap()));
    cluster
        .inject(Fault::Ready {
            pod: ObjectKey::new("default", "web-1"),
        })
        .unwrap();
    advance(&mut cluster, 60);
    assert!(all_ready(&cluster));
}

#[test]
fn scaling_should_happen_in_predictable_order_and_halt_if_any_stateful_pod_is_unhealthy() {
    let mut cluster = web(1, "");
    cluster
        .inject(Fault::NotReady {
            pod: ObjectKey::new("default", "web-0"),
        })
        .unwrap();
    advance(&mut cluster, 60);
    ok(&mut cluster, "kubectl scale sts web --replicas=3");
    advance(&mut cluster, 30);
    assert_eq!(pod_names(&cluster), ["web-0"], "scale-up halts");
    cluster
        .inject(Fault::Ready {
            pod: ObjectKey::new("default", "web-0"),
        })
        .unwrap();
    advance(&mut cluster, 90);
    assert_eq!(pods(&cluster).len(), 3);
    // As the e2e test does, every pod's probe is broken: only the lowest unavailable pod could go first,
    // and web-2 is not it.
    for ordinal in 0..3 {
        cluster
            .inject(Fault::NotReady {
                pod: ObjectKey::new("default", format!("web-{ordinal}")),
            })
            .unwrap();
    }
    advance(&mut cluster, 60);
    ok(&mut cluster, "kubectl scale sts web --replicas=0");
    advance(&mut cluster, 60);
    assert_eq!(
        pods(&cluster).len(),
        3,
        "scale-down halts while pods are unhealthy"
    );
    for ordinal in 0..3 {
        cluster
            .inject(Fault::Ready {
                pod: ObjectKey::new("default", format!("web-{ordinal}")),
            })
            .unwrap();
    }
    cluster.take_journal();
    advance(&mut cluster, 180);
    let deleted: Vec<String> = cluster
        .take_journal()
        .into_iter()
        .filter(|e| e.event_type == WatchEventType::Deleted)
        .filter_map(|e| match e.object {
            Object::Pod(p) => p.metadata.name.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(deleted, ["web-2", "web-1", "web-0"]);
}

#[test]
fn burst_scaling_should_run_to_completion_even_with_unhealthy_pods() {
    let mut cluster = web(1, "\n  podManagementPolicy: Parallel");
    cluster
        .inject(Fault::NotReady {
            pod: ObjectKey::new("default", "web-0"),
        })
        .unwrap();
    ok(&mut cluster, "kubectl scale sts web --replicas=3");
    advance(&mut cluster, 60);
    assert_eq!(pods(&cluster).len(), 3);
    ok(&mut cluster, "kubectl scale sts web --replicas=0");
    advance(&mut cluster, 60);
    assert!(pods(&cluster).is_empty());
}

#[test]
fn parallel_scale_creates_and_deletes_in_doubling_batches() {
    let mut cluster = web(3, "\n  podManagementPolicy: Parallel");
    cluster.take_journal();
    ok(&mut cluster, "kubectl scale sts web --replicas=30");
    let created_at_once = cluster
        .take_journal()
        .into_iter()
        .filter(|e| e.event_type == WatchEventType::Added && matches!(e.object, Object::Pod(_)))
        .count();
    assert_eq!(created_at_once, 27, "all 27 created in the same instant");
    advance(&mut cluster, 120);
    assert_eq!(counts(&cluster).1, 30);
    ok(&mut cluster, "kubectl scale sts web --replicas=1");
    let deleting = pods(&cluster)
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_some())
        .count();
    assert_eq!(deleting, 29);
}

#[test]
fn statefulset_availability_honours_min_ready_seconds() {
    let mut cluster = web(2, "\n  minReadySeconds: 30");
    // Each pod must be Ready 30 s before the next is created.
    let status = set(&cluster).status.unwrap();
    assert!(status.available_replicas.unwrap_or(0) < 2);
    advance(&mut cluster, 120);
    let status = set(&cluster).status.unwrap();
    assert_eq!(status.available_replicas, Some(2));
    assert_eq!(status.ready_replicas, Some(2));
}

#[test]
fn pvc_should_be_recreated_when_pod_is_pending_due_to_missing_pvc() {
    let mut cluster = web(1, "");
    let node = pod(&cluster, "web-0")
        .unwrap()
        .spec
        .unwrap()
        .node_name
        .unwrap();
    let old_claim = cluster
        .store()
        .get::<PersistentVolumeClaim>(&ObjectKey::new("default", "www-web-0"))
        .and_then(|c| c.metadata.uid.clone())
        .unwrap();
    ok(&mut cluster, &format!("kubectl cordon {node}"));
    ok(&mut cluster, "kubectl delete pod web-0");
    kubectl::run(
        &mut cluster,
        "kubectl delete pvc www-web-0 --wait=false",
        "",
    );
    advance(&mut cluster, 30);
    ok(&mut cluster, &format!("kubectl uncordon {node}"));
    advance(&mut cluster, 60);
    let claim = cluster
        .store()
        .get::<PersistentVolumeClaim>(&ObjectKey::new("default", "www-web-0"))
        .cloned()
        .expect("recreated for the pending pod");
    assert!(claim.metadata.deletion_timestamp.is_none());
    assert_ne!(claim.metadata.uid.unwrap(), old_claim);
    assert!(is_running_and_ready(&pod(&cluster, "web-0").unwrap()));
}

#[test]
fn should_adopt_matching_orphans_and_release_non_matching_pods() {
    let mut cluster = web(1, "");
    ok(&mut cluster, "kubectl label pod web-0 app-");
    let released = pod(&cluster, "web-0").unwrap();
    assert!(released.metadata.owner_references.is_none(), "released");
    ok(&mut cluster, "kubectl label pod web-0 app=nginx");
    let adopted = pod(&cluster, "web-0").unwrap();
    let owner = &adopted.metadata.owner_references.clone().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.name.as_str()),
        ("StatefulSet", "web")
    );
    assert_eq!(
        revision_of(&adopted),
        set(&cluster).status.unwrap().update_revision.unwrap()
    );
}

#[test]
fn statefulset_honor_revision_history_limit() {
    let mut cluster = web(1, "\n  revisionHistoryLimit: 2");
    for tag in ["1.21", "1.22", "1.23", "1.24", "1.25"] {
        ok(
            &mut cluster,
            &format!("kubectl set image sts web nginx=nginx:{tag}"),
        );
        advance(&mut cluster, 60);
    }
    let count = cluster
        .store()
        .list_namespace::<ControllerRevision>("default")
        .count();
    assert!(
        count <= 2 + 2,
        "at most limit + current + update, got {count}"
    );
}
