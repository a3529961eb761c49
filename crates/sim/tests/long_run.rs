//! A day of faults (`ordinal_sim::workloads::day_of_faults`: 50 replicas, something going wrong every three
//! minutes for 24 simulated hours), run through the timeline the page keeps. What it holds must stay bounded: the store (the
//! Events expire after an hour, as the apiserver's --event-ttl has them) and the snapshots (thinned past their
//! budget), however long the run.

use k8s_openapi::api::core::v1::Event;
use ordinal_sim::timeline::{Timeline, SNAPSHOT_BUDGET};
use ordinal_sim::workloads::day_of_faults;
use ordinal_sim::SimTime;

#[test]
fn a_day_of_faults_on_fifty_replicas_keeps_what_it_holds_bounded() {
    let mut timeline = Timeline::from_scenario(&day_of_faults());
    let mut stored_per_hour = Vec::new();
    for hour in 1..=24 {
        timeline.seek(SimTime::from_secs(hour * 3600));
        let store = timeline.cluster().store();
        stored_per_hour.push((store.len(), store.list::<Event>().count()));
        assert!(
            timeline.snapshot_objects() <= SNAPSHOT_BUDGET,
            "hour {hour}: {} objects in snapshots",
            timeline.snapshot_objects()
        );
    }
    eprintln!("objects and events stored, per hour: {stored_per_hour:?}");
    let (second_hour, last_hour) = (stored_per_hour[1], stored_per_hour[23]);
    assert!(
        last_hour.0 <= second_hour.0 * 2,
        "the store grows with the length of the run: {stored_per_hour:?}"
    );
    // Seeking back to the start of the day and forward again stays exact.
    let at_noon = {
        timeline.seek(SimTime::from_secs(12 * 3600));
        timeline.cluster().store().resource_version()
    };
    timeline.seek(SimTime::from_secs(60));
    timeline.seek(SimTime::from_secs(12 * 3600));
    assert_eq!(timeline.cluster().store().resource_version(), at_noon);
}
