//! A share link's state, as the page reads it after inflating the fragment, and saved work, as it reads it from
//! localStorage; each then opened as the page opens it: the timeline taken to the moment it stands at (at most a
//! minute in, to keep each run short; the limit on how far a link may point is tested natively). Saved work's
//! other branches are visited too, as a click on each would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordinal_sim::share::{read_state, read_work};
use ordinal_sim::timeline::Timeline;
use ordinal_sim::SimTime;

const MOST: SimTime = SimTime(60_000);

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(state) = read_state(json) {
        let mut timeline = Timeline::from_scenario(&state.scenario);
        timeline.seek(state.at.min(MOST));
    }
    if let Ok(work) = read_work(json) {
        let Ok(mut timeline) = Timeline::from_history(work.history) else {
            return;
        };
        timeline.seek(work.at.min(MOST));
        for branch in 0..timeline.branches().len() {
            timeline.switch_branch(branch, MOST);
        }
    }
});
