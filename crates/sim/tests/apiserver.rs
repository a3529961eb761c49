//! The store is the apiserver: every writer, a controller as much as kubectl, goes through its kind's strategy
//! (defaulting, gates, update validation, generation), and the refusals are the apiserver's typed errors.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use ordinal_sim::kubectl;
use ordinal_sim::store::{ApiError, StatusReason};
use ordinal_sim::{Cluster, ObjectKey};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::web_running as web;

fn web_0() -> ObjectKey {
    ObjectKey::new("default", "web-0")
}

fn stored<T: ordinal_sim::object::ApiObject>(cluster: &Cluster, key: &ObjectKey) -> T {
    cluster.store().get::<T>(key).cloned().unwrap()
}

#[test]
fn a_controllers_write_that_breaks_the_kinds_rules_is_refused_and_nothing_changes() {
    let mut cluster = web();
    let before: Pod = stored(&cluster, &web_0());
    let refused = cluster.with_store(|store| {
        store.modify::<Pod>(&web_0(), |pod| {
            pod.spec.as_mut().unwrap().containers[0].name = "renamed".into();
        })
    });
    let Err(ApiError::Invalid { kind, name, causes }) = refused else {
        panic!("a pod's container name is immutable, whoever writes it: {refused:?}");
    };
    assert_eq!((kind, name.as_str()), ("Pod", "web-0"));
    assert!(
        causes[0].starts_with("spec: Forbidden: pod updates may not change fields other than"),
        "{causes:?}"
    );
    assert_eq!(stored::<Pod>(&cluster, &web_0()), before);
}

#[test]
fn an_update_is_defaulted_and_bumps_the_generation_only_when_the_spec_changes() {
    let mut cluster = web();
    let key = ObjectKey::new("default", "web");
    let generation = |cluster: &Cluster| stored::<StatefulSet>(cluster, &key).metadata.generation;
    let first = generation(&cluster);
    cluster
        .with_store(|store| {
            store.modify::<StatefulSet>(&key, |set| {
                set.spec.as_mut().unwrap().revision_history_limit = None;
            })
        })
        .unwrap();
    let set: StatefulSet = stored(&cluster, &key);
    assert_eq!(
        set.spec.unwrap().revision_history_limit,
        Some(10),
        "SetDefaults_StatefulSet runs on every write"
    );
    assert_eq!(
        generation(&cluster),
        first,
        "defaulted back: the spec is as it was"
    );
    cluster
        .with_store(|store| {
            store.modify::<StatefulSet>(&key, |set| {
                set.status.as_mut().unwrap().observed_generation = Some(99);
            })
        })
        .unwrap();
    assert_eq!(generation(&cluster), first, "a status write");
    cluster
        .with_store(|store| {
            store.modify::<StatefulSet>(&key, |set| {
                set.spec.as_mut().unwrap().min_ready_seconds = Some(5);
            })
        })
        .unwrap();
    assert_eq!(generation(&cluster), first.map(|g| g + 1));
}

#[test]
fn binding_a_pod_that_is_on_a_node_is_a_conflict_on_pods_binding() {
    let mut cluster = web();
    let node = stored::<Pod>(&cluster, &web_0())
        .spec
        .unwrap()
        .node_name
        .unwrap();
    let error = cluster
        .with_store(|store| store.bind_pod(&web_0(), "kind-worker2"))
        .unwrap_err();
    assert_eq!(error.reason(), StatusReason::Conflict);
    assert_eq!(
        kubectl::errors::from_server(&error),
        format!(
            "Error from server (Conflict): Operation cannot be fulfilled on pods/binding \"web-0\": \
             pod web-0 is already assigned to node \"{node}\""
        )
    );
    kubectl::run(&mut cluster, "kubectl delete pod web-0 --wait=false", "");
    let error = cluster
        .with_store(|store| store.bind_pod(&web_0(), "kind-worker2"))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Operation cannot be fulfilled on pods/binding \"web-0\": pod web-0 is being deleted, cannot be \
         assigned to a host"
    );
}
