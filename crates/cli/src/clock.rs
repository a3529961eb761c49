//! Simulated time as the wall clock moves it, at a chosen speed: what `ordinal console` and `ordinal
//! serve-api` play the cluster by. It can be paused and moved on, for the control endpoint's tests.

use std::time::Instant;

use ordinal_sim::SimTime;

pub struct Clock {
    /// The wall-clock instant `from` was read at.
    anchor: Instant,
    from: SimTime,
    speed: f64,
    paused: bool,
}

impl Clock {
    pub fn start(from: SimTime, speed: f64) -> Clock {
        Clock {
            anchor: Instant::now(),
            from,
            speed,
            paused: false,
        }
    }

    pub fn now(&self) -> SimTime {
        if self.paused {
            return self.from;
        }
        let elapsed = self.anchor.elapsed().as_secs_f64() * self.speed;
        self.from.plus_millis((elapsed * 1000.0) as u64)
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    pub fn pause(&mut self) {
        self.from = self.now();
        self.paused = true;
    }

    pub fn resume(&mut self) {
        self.anchor = Instant::now();
        self.paused = false;
    }

    /// Moves the clock on to `to`, paused or not.
    pub fn jump(&mut self, to: SimTime) {
        self.from = to;
        self.anchor = Instant::now();
    }
}

/// `--speed`: a number above 0.
pub fn parse_speed(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .ok_or_else(|| "--speed takes a number above 0, such as 1, 4 or 0.5".into())
}
