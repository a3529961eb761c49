//! The slot model a viewer reads (`ordinal_sim::view`): a StatefulSet's slots by ordinal, with their pods,
//! claims and DNS names, as the controller and the cluster DNS make them.

use std::sync::Arc;

use ordinal_sim::view::{
    nodes, stateful_sets, volume_rows, Action, Cluster, PodViews, Scenario, SimTime,
    StatefulSetView, Timeline, UpdateStrategy,
};

const WEB: &str = include_str!("../../../examples/web.yaml");

fn web_at(secs: u64) -> Timeline {
    let scenario = Scenario {
        steps: Vec::new(),
        ..Scenario::parse(WEB).unwrap()
    };
    let mut timeline = Timeline::from_scenario(&scenario);
    timeline.seek(SimTime::from_secs(secs));
    timeline
}

fn web(cluster: &Cluster, pods: &mut PodViews) -> StatefulSetView {
    let mut sets = stateful_sets(cluster, pods);
    assert_eq!(sets.len(), 1);
    sets.remove(0)
}

#[test]
fn each_ordinal_is_a_slot_with_its_pod_its_claim_and_its_name() {
    let timeline = web_at(120);
    let cluster = timeline.cluster();
    let set = web(cluster, &mut PodViews::default());
    assert_eq!(
        (set.name.as_str(), set.policy.as_str(), set.strategy),
        (
            "web",
            "OrderedReady",
            UpdateStrategy::RollingUpdate { partition: 0 }
        )
    );
    assert_eq!((set.replicas, set.ready, set.wait.clone()), (3, 3, None));
    assert_eq!(set.current_revision, set.update_revision);
    let dns = set.dns.clone().expect("the Service nginx exists");
    assert_eq!(dns.service, "nginx.default.svc.cluster.local");
    let mut addresses = Vec::new();
    for (ordinal, slot) in set.slots.iter().enumerate() {
        assert_eq!(slot.ordinal, ordinal as i64);
        assert_eq!(slot.name, format!("web-{ordinal}"));
        assert!(slot.in_range);
        let pod = slot.pod.as_ref().expect("every slot has its pod");
        assert_eq!(
            (pod.status.as_str(), pod.ready_text.as_str(), pod.ready),
            ("Running", "1/1", true)
        );
        assert_eq!(pod.revision, set.update_revision);
        assert!(!pod.node.is_empty());
        let [claim] = slot.claims.as_slice() else {
            panic!("one claim per slot: {:?}", slot.claims);
        };
        assert_eq!(claim.name, format!("www-web-{ordinal}"));
        assert_eq!(
            (claim.phase.as_str(), claim.capacity.as_str()),
            ("Bound", "1Gi")
        );
        let name = slot.dns.clone().expect("a name in the Service's domain");
        assert_eq!(
            name.name,
            format!("web-{ordinal}.nginx.default.svc.cluster.local")
        );
        assert_eq!(name.address.as_deref(), Some(pod.ip.as_str()));
        addresses.push(pod.ip.clone());
    }
    let mut service_addresses = dns.service_addresses.clone();
    service_addresses.sort();
    addresses.sort();
    assert_eq!(service_addresses, addresses);
    // Each claim's volume is in the pool, bound back to it.
    let volumes: Vec<_> = volume_rows(cluster).collect();
    for claim in set.slots.iter().flat_map(|slot| &slot.claims) {
        let volume = volumes.iter().find(|v| v.name == claim.volume).unwrap();
        assert_eq!(volume.claim, format!("default/{}", claim.name));
    }
    let nodes = nodes(cluster);
    assert_eq!(nodes.len(), 3);
    assert!(nodes.iter().map(|n| n.pods).sum::<usize>() >= 3);
}

#[test]
fn a_scaled_away_ordinal_keeps_its_claim_and_a_pod_unchanged_keeps_its_view() {
    let mut timeline = web_at(60);
    let mut pods = PodViews::default();
    let before = web(timeline.cluster(), &mut pods);
    let again = web(timeline.cluster(), &mut pods);
    for (a, b) in before.slots.iter().zip(&again.slots) {
        assert!(Arc::ptr_eq(
            a.pod.as_ref().unwrap(),
            b.pod.as_ref().unwrap()
        ));
    }

    let output = timeline.act(Action::Run("kubectl scale sts web --replicas=2".into()));
    assert_eq!(output.stderr, "");
    timeline.seek(SimTime::from_secs(120));
    let after = web(timeline.cluster(), &mut pods);
    let slot = after.slots.last().unwrap();
    assert_eq!((slot.name.as_str(), slot.in_range), ("web-2", false));
    assert!(slot.pod.is_none(), "web-2 is gone: {:?}", slot.pod);
    assert_eq!(slot.claims.len(), 1, "its claim stays");
    assert_eq!(slot.claims[0].name, "www-web-2");
    assert_eq!(slot.dns.as_ref().and_then(|d| d.address.clone()), None);
}
