//! Time: play, pause, step and speed with the scrubber over the branch (`player`), and a seek far ahead spread
//! over animation frames (`seeking`).

pub mod player;
pub mod seeking;

/// `mm:ss.s` of simulated time.
pub fn format_clock(ms: u64) -> String {
    format!(
        "{:02}:{:02}.{}",
        ms / 60_000,
        (ms / 1000) % 60,
        (ms / 100) % 10
    )
}
