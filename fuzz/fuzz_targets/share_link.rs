//! A share link's state, as the page reads it after inflating the fragment, and then opened as the page opens
//! it: the scenario's timeline, taken to the moment the link points at (at most a minute in, to keep each run
//! short; the limit on how far a link may point is tested natively).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordinal_sim::share::read_state;
use ordinal_sim::timeline::Timeline;
use ordinal_sim::SimTime;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(state) = read_state(json) else {
        return;
    };
    let mut timeline = Timeline::from_scenario(&state.scenario);
    timeline.seek(state.at.min(SimTime::from_secs(60)));
});
