//! A seek far ahead can mean hours of simulation: a link into the end of a day of faults runs for seconds. Such a
//! seek is spread over animation frames, a few tens of milliseconds of simulation each, so that the page keeps
//! answering, shows how far it has come and can be stopped where it is. A seek that fits in one frame is done
//! at once, as before.

use leptos::prelude::*;
use ordinal_sim::view::SimTime;

use super::format_clock;
use super::player::Playback;
use crate::app::Simulation;
use crate::i18n::{t, T};

/// Wall time a frame may spend simulating, leaving the rest of a 60 Hz frame or two to draw the progress. A
/// frame stops at the first slice that ends past it, so slices are kept under half of it.
const FRAME_BUDGET_MS: f64 = 25.0;
/// Simulated time a slice runs at first. A quiet cluster runs hours a frame, a busy one seconds: the slice
/// doubles while slices come back quickly and halves when one overruns the frame. It grows to half a minute
/// at most: a longer one that runs into a burst (a rolling update of 50 pods) held a frame for 217 ms.
const FIRST_SLICE: SimTime = SimTime(5_000);
const SMALLEST_SLICE: SimTime = SimTime(1_000);
const LONGEST_SLICE: SimTime = SimTime(30_000);

/// A seek under way: where it goes, where it started and where it is, for the progress shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Journey {
    pub from: SimTime,
    pub to: SimTime,
    pub at: SimTime,
}

#[derive(Clone, Copy)]
pub struct Seeker {
    simulation: Simulation,
    playback: Playback,
    /// The seek under way, if it has outlasted a frame.
    pub journey: RwSignal<Option<Journey>>,
    /// Where the seek under way goes; `None` when there is none.
    target: StoredValue<Option<SimTime>>,
    /// Where it started from, for its progress.
    from: StoredValue<SimTime>,
    slice: StoredValue<SimTime>,
    /// Whether a frame is already asked for: a new target while one is waits for it rather than asking again.
    frame_asked: StoredValue<bool>,
    /// What to do once the seek under way has settled, arrived or stopped: what opening a scenario still has to
    /// do at its moment (the editor's diagnostics there).
    settled: StoredValue<Option<Box<dyn FnOnce() + Send + Sync>>>,
}

impl Seeker {
    pub fn new(simulation: Simulation, playback: Playback) -> Self {
        Seeker {
            simulation,
            playback,
            journey: RwSignal::new(None),
            target: StoredValue::new(None),
            from: StoredValue::new(SimTime::ZERO),
            slice: StoredValue::new(FIRST_SLICE),
            frame_asked: StoredValue::new(false),
            settled: StoredValue::new(None),
        }
    }

    /// Pauses and goes to `to` on the current branch, in one frame if it can.
    pub fn seek(self, to: SimTime) {
        self.seek_then(to, || {});
    }

    /// `seek`, and then `settled` once it arrives or is stopped. A seek asked for before it settles replaces it,
    /// and its `settled` is dropped with it.
    pub fn seek_then(self, to: SimTime, settled: impl FnOnce() + Send + Sync + 'static) {
        self.playback.playing.set(false);
        self.simulation.interrupt_running();
        self.target.set_value(Some(to));
        self.settled.set_value(Some(Box::new(settled)));
        let from = self.simulation.timeline.with_value(|t| t.now());
        // Going back starts from a copy before the target; the progress then counts from t = 0.
        self.from
            .set_value(if from > to { SimTime::ZERO } else { from });
        self.journey.set(None);
        self.run_frame();
    }

    /// Stops the seek under way where it has come to.
    pub fn stop(self) {
        self.target.set_value(None);
        self.settle();
    }

    fn run_frame(self) {
        let Some(to) = self.target.get_value() else {
            return;
        };
        // Play pressed during a seek plays on from where it has come to.
        if self.playback.playing.get_untracked() {
            self.stop();
            return;
        }
        let started = now_ms();
        let arrived = loop {
            let slice = self.slice.get_value();
            let slice_started = now_ms();
            let arrived = self
                .simulation
                .timeline
                .try_update_value(|t| t.seek_toward(to, slice))
                .unwrap_or(true);
            let took = now_ms() - slice_started;
            self.slice.set_value(next_slice(slice, took));
            if arrived || now_ms() - started > FRAME_BUDGET_MS {
                break arrived;
            }
        };
        if arrived {
            self.target.set_value(None);
            self.settle();
            return;
        }
        let at = self.simulation.timeline.with_value(|t| t.now());
        let from = self.from.get_value();
        self.journey.set(Some(Journey { from, to, at }));
        if !self.frame_asked.get_value() {
            self.frame_asked.set_value(true);
            request_animation_frame(move || {
                self.frame_asked.set_value(false);
                self.run_frame();
            });
        }
    }

    /// Shows the cluster where the seek came to, and does what waited for it.
    fn settle(self) {
        self.journey.set(None);
        self.simulation.update(|_| ());
        if let Some(settled) = self.settled.try_update_value(Option::take).flatten() {
            settled();
        }
    }
}

/// The next slice: twice as long (up to `LONGEST_SLICE`) while a slice takes under a quarter of the budget,
/// half as long (down to `SMALLEST_SLICE`) once one takes more than half of it.
fn next_slice(slice: SimTime, took_ms: f64) -> SimTime {
    if took_ms < FRAME_BUDGET_MS / 4.0 {
        SimTime((slice.as_millis() * 2).min(LONGEST_SLICE.as_millis()))
    } else if took_ms > FRAME_BUDGET_MS / 2.0 {
        SimTime((slice.as_millis() / 2).max(SMALLEST_SLICE.as_millis()))
    } else {
        slice
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// How far a long seek has come, with a button to stop it there.
#[component]
pub fn SeekProgress() -> impl IntoView {
    let seeker = expect_context::<Seeker>();
    let fraction = move || {
        seeker.journey.get().map_or(0.0, |j| {
            let span = j.to.as_millis().saturating_sub(j.from.as_millis()).max(1);
            j.at.as_millis().saturating_sub(j.from.as_millis()) as f64 / span as f64
        })
    };
    let clock = move |pick: fn(&Journey) -> SimTime| {
        move || {
            seeker
                .journey
                .get()
                .map(|j| format_clock(pick(&j).as_millis()))
        }
    };
    view! {
        <Show when=move || seeker.journey.with(Option::is_some)>
            <div class="seeking" role="status">
                <span>{move || t(T::Simulating)}" "{clock(|j| j.at)}" / "{clock(|j| j.to)}</span>
                <progress
                    max="1"
                    prop:value=fraction
                    aria-label=move || t(T::Simulating)
                ></progress>
                <button class="stop-seeking" on:click=move |_| seeker.stop()>
                    {move || t(T::StopHere)}
                </button>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_grows_while_quick_and_shrinks_once_it_takes_half_the_frame() {
        assert_eq!(next_slice(SimTime(5_000), 1.0), SimTime(10_000));
        assert_eq!(next_slice(SimTime(5_000), 10.0), SimTime(5_000));
        assert_eq!(next_slice(SimTime(5_000), 13.0), SimTime(2_500));
        assert_eq!(next_slice(SimTime(1_500), 45.0), SMALLEST_SLICE);
        assert_eq!(next_slice(SimTime(20_000), 1.0), LONGEST_SLICE);
    }
}
