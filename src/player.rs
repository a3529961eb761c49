//! Play, pause, step and speed. Simulated time advances by real elapsed time (from `performance.now()`,
//! never `Instant`) times the speed.

use leptos::prelude::*;
use std::time::Duration;

use crate::app::Simulation;
use crate::view_model::format_clock;

pub const SPEEDS: [f64; 8] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
/// How often the page advances the simulation while playing.
const FRAME: Duration = Duration::from_millis(50);

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

#[component]
pub fn Player() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let playback = expect_context::<Playback>();
    let last_frame = StoredValue::new(performance_now());
    // Real time keeps flowing while paused; only the frames while playing move the simulation.
    let _ = set_interval_with_handle(
        move || {
            let now = performance_now();
            let elapsed_ms = (now - last_frame.get_value()).max(0.0);
            last_frame.set_value(now);
            if !playback.playing.get_untracked() {
                return;
            }
            let advance = (elapsed_ms * playback.speed.get_untracked()).round() as u64;
            simulation.update(|cluster| {
                let target = cluster.now().plus_millis(advance);
                cluster.run_until(target);
            });
        },
        FRAME,
    );
    let clock = move || {
        simulation.version.get();
        simulation
            .cluster
            .with_value(|c| format_clock(c.now().as_millis()))
    };
    let step = move |_| {
        playback.playing.set(false);
        simulation.update(|cluster| cluster.step());
    };
    view! {
        <div class="player" role="group" aria-label="Playback">
            <button
                class="play"
                aria-label=move || if playback.playing.get() { "Pause" } else { "Play" }
                on:click=move |_| playback.playing.update(|p| *p = !*p)
            >
                {move || if playback.playing.get() { "❚❚ Pause" } else { "▶ Play" }}
            </button>
            <button class="step" aria-label="Step to the next event" on:click=step>"▶| Step"</button>
            <label class="speed">
                "Speed "
                <select
                    aria-label="Speed"
                    on:change=move |ev| {
                        if let Ok(speed) = event_target_value(&ev).parse::<f64>() {
                            playback.speed.set(speed);
                        }
                    }
                >
                    {SPEEDS
                        .iter()
                        .map(|s| view! { <option value=s.to_string() selected=*s == 1.0>{format!("{s}×")}</option> })
                        .collect_view()}
                </select>
            </label>
            <output class="clock" aria-label="Simulated time">{clock}</output>
        </div>
    }
}
