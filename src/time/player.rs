//! Play, pause, step and speed, and the timeline under them. Simulated time advances by real elapsed time
//! (from `performance.now()`, never `Instant`) times the speed; the scrubber moves to any instant of the
//! branch, exactly, and lists the branches that acting in the past created.

use leptos::prelude::*;
use ordinal_sim::view::SimTime;
use std::time::Duration;

use super::format_clock;
use super::seeking::Seeker;
use crate::app::Simulation;
use crate::i18n::{t, T};

pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
/// How often the page advances the simulation while playing.
const FRAME_MS: f64 = 50.0;
/// The most real time one frame stands for. A frame that comes late (a cluster of thousands of pods, a tab in
/// the background) moves the simulation on by this much at the speed chosen, not by all the time it waited:
/// otherwise each late frame has more to simulate than the one before, and the page never catches up.
const MOST_FRAME_MS: f64 = 2.0 * FRAME_MS;
/// The scrubber's resolution.
const SCRUB_STEP_MS: u64 = 100;

#[derive(Clone, Copy)]
pub struct Playback {
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
}

impl Playback {
    pub fn new() -> Self {
        Playback {
            playing: RwSignal::new(true),
            speed: RwSignal::new(1.0),
        }
    }
}

fn performance_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Advances the simulation by the real time since the last frame times the speed, then waits for the next
/// frame: at least what is left of `FRAME_MS`, and at least half as long as this frame took, so that however
/// slow the cluster is to simulate, clicks and drawing get a third of the page's time.
fn keep_playing(simulation: Simulation, playback: Playback, last_frame: StoredValue<f64>) {
    let started = performance_now();
    let elapsed_ms = (started - last_frame.get_value()).clamp(0.0, MOST_FRAME_MS);
    last_frame.set_value(started);
    if playback.playing.get_untracked() {
        let advance = (elapsed_ms * playback.speed.get_untracked()).round() as u64;
        let advanced =
            simulation.update(|timeline| timeline.seek(timeline.now().plus_millis(advance)));
        if advanced.is_none() {
            return; // The page is being torn down.
        }
    }
    // Measured once the views this frame woke have redrawn: they run as tasks queued before this one.
    leptos::task::spawn_local(async move {
        let took = performance_now() - started;
        let wait = (FRAME_MS - took).max(took / 2.0);
        set_timeout(
            move || keep_playing(simulation, playback, last_frame),
            Duration::from_millis(wait as u64),
        );
    });
}

#[component]
pub fn Player() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let playback = expect_context::<Playback>();
    keep_playing(simulation, playback, StoredValue::new(performance_now()));
    // Motion takes 200-400 ms at 1× and keeps pace with faster playback, within what the eye can follow.
    Effect::new(move |_| {
        let scale = (1.0 / playback.speed.get()).clamp(0.2, 2.0);
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("style", &format!("--motion-scale: {scale}"));
        }
    });
    let clock = move || simulation.read(|t| format_clock(t.now().as_millis()));
    let step = move |_| {
        playback.playing.set(false);
        simulation.update(|timeline| timeline.step());
    };
    view! {
        <div class="player" role="group" aria-label=move || t(T::Playback)>
            <button
                class="play"
                aria-label=move || t(if playback.playing.get() { T::Pause } else { T::Play })
                on:click=move |_| playback.playing.update(|p| *p = !*p)
            >
                {move || t(if playback.playing.get() { T::PauseButton } else { T::PlayButton })}
            </button>
            <button class="step" aria-label=move || t(T::StepToNextEvent) on:click=step>{move || t(T::StepButton)}</button>
            <label class="speed">
                {move || t(T::Speed)}
                " "
                <select
                    aria-label=move || t(T::Speed)
                    on:change=move |ev| {
                        if let Ok(speed) = event_target_value(&ev).parse::<f64>() {
                            playback.speed.set(speed);
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .map(|s| {
                            let speed = *s;
                            view! {
                                <option value=speed.to_string() prop:selected=move || playback.speed.get() == speed>
                                    {format!("{speed}×")}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <output class="clock" aria-label=move || t(T::SimulatedTime)>{clock}</output>
        </div>
    }
}

/// An intervention or a burst of events, on the scrubber.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Marker {
    at_ms: u64,
    kind: &'static str,
    label: String,
}

/// The timeline: a slider over the current branch from 0 to the furthest instant simulated, a marker for each
/// intervention, and the branches.
#[component]
pub fn Scrubber() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let now_ms = move || simulation.read(|t| t.now().as_millis());
    // A script's length is on the track from the start, with the markers of its steps still to come.
    let end_ms = Memo::new(move |_| {
        simulation
            .read(|t| {
                let branch = t.branch();
                [branch.horizon, branch.script_end, t.now()]
                    .into_iter()
                    .max()
                    .map_or(0, |end| end.as_millis())
            })
            .max(SCRUB_STEP_MS)
    });
    let markers = Memo::new(move |_| {
        simulation.read(|t| {
            let bursts = t.branch().bursts().into_iter().map(|burst| Marker {
                at_ms: burst.from.as_millis(),
                kind: "burst",
                label: format!(
                    "{}–{} {}",
                    format_clock(burst.from.as_millis()),
                    format_clock(burst.to.as_millis() + 999),
                    crate::i18n::events_count(burst.events)
                ),
            });
            let interventions = t.branch().steps.iter().map(|step| Marker {
                at_ms: step.at.as_millis(),
                kind: "intervention",
                label: format!(
                    "{} {}",
                    format_clock(step.at.as_millis()),
                    step.action.command()
                ),
            });
            // Interventions last, to be drawn over the bursts they cause.
            bursts.chain(interventions).collect::<Vec<_>>()
        })
    });
    let seeker = expect_context::<Seeker>();
    // The track reaches a script's end before it has been simulated: a seek there may be a long one.
    let seek = move |ms: u64| seeker.seek(SimTime::from_millis(ms));
    view! {
        <div class="timeline" role="group" aria-label=move || t(T::Timeline)>
            <div class="track">
                <input
                    type="range"
                    class="scrub"
                    aria-label=move || t(T::SimulatedTime)
                    aria-valuetext=move || format_clock(now_ms())
                    min="0"
                    step=SCRUB_STEP_MS.to_string()
                    prop:max=move || end_ms.get().to_string()
                    prop:value=move || now_ms().to_string()
                    on:input=move |ev| {
                        if let Ok(ms) = event_target_value(&ev).parse::<u64>() {
                            seek(ms);
                        }
                    }
                />
                <div class="markers">
                    <For
                        each=move || markers.get()
                        key=|marker| marker.clone()
                        children=move |marker| {
                            let at = marker.at_ms;
                            let left = move || format!("left: {:.3}%", at as f64 / end_ms.get() as f64 * 100.0);
                            view! {
                                <button
                                    class=format!("marker {}", marker.kind)
                                    style=left
                                    title=marker.label.clone()
                                    aria-label=marker.label.clone()
                                    data-at=at
                                    on:click=move |_| seek(at)
                                ></button>
                            }
                        }
                    />
                </div>
            </div>
            <Branches/>
        </div>
    }
}

/// The branches, once acting in the past has made more than one: each names the instant it forked at.
#[component]
fn Branches() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let branches = Memo::new(move |_| {
        simulation.read(|t| {
            let current = t.current_branch();
            t.branches()
                .iter()
                .enumerate()
                .map(|(index, branch)| {
                    let name = match branch.forked_from {
                        None => T::MainBranch.in_lang(crate::i18n::lang()).to_string(),
                        Some((_, at)) => {
                            crate::i18n::branch_from(index, &format_clock(at.as_millis()))
                        }
                    };
                    (index, name, index == current)
                })
                .collect::<Vec<_>>()
        })
    });
    let seeker = expect_context::<Seeker>();
    // The other branch may hold hours that were never copied: it is entered at its start and run to the
    // moment shown (at most its horizon) as any long seek is.
    let switch = move |index: usize| {
        simulation.interrupt_running();
        let to = simulation.update(|timeline| {
            let to = timeline.now().min(timeline.branches()[index].horizon);
            timeline.switch_branch(index, SimTime::ZERO);
            to
        });
        if let Some(to) = to {
            seeker.seek(to);
        }
    };
    view! {
        <Show when=move || branches.with(|b| b.len() > 1)>
            <div class="branches" role="group" aria-label=move || t(T::Branches)>
                {move || {
                    branches
                        .get()
                        .into_iter()
                        .map(|(index, name, current)| {
                            view! {
                                <button
                                    class="branch"
                                    aria-pressed=current.to_string()
                                    data-branch=index
                                    on:click=move |_| switch(index)
                                >
                                    {name}
                                </button>
                            }
                        })
                        .collect_view()
                }}
            </div>
        </Show>
    }
}
