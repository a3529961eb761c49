//! Simulated time. The core never reads a wall clock: every timestamp is an epoch plus simulated time, and
//! the epoch is fixed (2025-01-01) unless the process sets another (`set_epoch`, which only `ordinal serve-api`
//! does), so the same scenario gives the same output on every machine and in the browser.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

/// Simulated instant, in milliseconds since the cluster started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// 2025-01-01T00:00:00Z: what `creationTimestamp` and friends count from, unless the process says otherwise.
pub const EPOCH_SECONDS: i64 = 1_735_689_600;

/// The epoch of this process, in seconds since 1970.
static EPOCH: AtomicI64 = AtomicI64::new(EPOCH_SECONDS);

/// Makes timestamps count from `seconds` since 1970 instead of 2025-01-01, for the rest of the process: what
/// `ordinal serve-api` does with the wall clock at its start, so that a real kubectl's own ages (`describe`,
/// events) read naturally. Set it before any cluster is made; scenario runs and the page never set it.
pub fn set_epoch(seconds: i64) {
    EPOCH.store(seconds.clamp(0, LAST_TIMESTAMP_SECONDS), Ordering::Relaxed);
}

/// An RFC 3339 instant (`2025-01-01T00:00:00Z`) as seconds since 1970, for `set_epoch`.
pub fn instant_seconds(text: &str) -> Option<i64> {
    text.parse::<Timestamp>().ok().map(|t| t.as_second())
}

fn epoch() -> i64 {
    EPOCH.load(Ordering::Relaxed)
}

/// 9999-12-31T23:59:59Z, the last second jiff (and so a Kubernetes timestamp) can show.
const LAST_TIMESTAMP_SECONDS: i64 = 253_402_207_199;

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    /// The last instant a timestamp can show. Arithmetic on simulated time saturates here, so a grace period
    /// of `i64::MAX` seconds is a deletion that never comes rather than an overflow.
    pub const END: SimTime = SimTime((LAST_TIMESTAMP_SECONDS - EPOCH_SECONDS) as u64 * 1000);

    pub fn from_secs(secs: u64) -> Self {
        Self::from_millis(secs.saturating_mul(1000))
    }

    pub fn from_millis(ms: u64) -> Self {
        SimTime(ms.min(Self::END.0))
    }

    pub fn as_millis(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    pub fn plus_millis(self, ms: u64) -> Self {
        Self::from_millis(self.0.saturating_add(ms))
    }

    pub fn plus_secs(self, secs: u64) -> Self {
        self.plus_millis(secs.saturating_mul(1000))
    }

    /// Kubernetes timestamps have whole-second precision, like `metav1.Time` on the wire.
    pub fn to_k8s(self) -> Time {
        let secs = (epoch() + (self.0.min(Self::END.0) / 1000) as i64).min(LAST_TIMESTAMP_SECONDS);
        Time(
            Timestamp::from_second(secs)
                .expect("at most SimTime::END, which is inside jiff's range"),
        )
    }

    /// The simulated instant a Kubernetes timestamp stands for (whole seconds).
    pub fn from_k8s(time: &Time) -> Self {
        SimTime::from_secs(time.0.as_second().saturating_sub(epoch()).max(0) as u64)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_seconds(self.0 as f64 / 1000.0))
    }
}

/// Seconds as JSON prints them: `3`, `3.25`.
pub fn format_seconds(secs: f64) -> String {
    let rounded = (secs * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded}")
    }
}

/// Why a duration does not read, naming the text it was given.
#[derive(Clone, Debug, PartialEq)]
pub enum DurationError {
    Empty,
    NumberExpected { text: String, rest: String },
    NotANumber { text: String },
    MissingUnit { text: String, value: f64 },
    UnknownUnit { text: String, unit: String },
    OutOfRange { text: String },
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Empty => f.write_str("empty duration"),
            DurationError::NumberExpected { text, rest } => {
                write!(
                    f,
                    "invalid duration {text:?}: expected a number before {rest:?}"
                )
            }
            DurationError::NotANumber { text } => write!(f, "invalid duration {text:?}"),
            DurationError::MissingUnit { text, value } => {
                write!(f, "invalid duration {text:?}: missing unit after {value}")
            }
            DurationError::UnknownUnit { text, unit } => write!(
                f,
                "invalid duration {text:?}: unknown unit {unit:?} (use ms, s, m or h)"
            ),
            DurationError::OutOfRange { text } => {
                write!(
                    f,
                    "invalid duration {text:?}: must be between 0 and 100 years"
                )
            }
        }
    }
}

impl std::error::Error for DurationError {}

/// Parses a scenario duration: `90`, `90s`, `2m`, `1m30s`, `1h`, `500ms`, `1.5s`.
pub fn parse_duration(text: &str) -> Result<SimTime, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    if let Ok(secs) = text.parse::<f64>() {
        return seconds_to_time(secs, text);
    }
    let mut total_ms: f64 = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number_len == 0 {
            return Err(DurationError::NumberExpected {
                text: text.into(),
                rest: rest.into(),
            });
        }
        let value: f64 = rest[..number_len]
            .parse()
            .map_err(|_| DurationError::NotANumber { text: text.into() })?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit_ms = match &rest[..unit_len] {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "" => {
                return Err(DurationError::MissingUnit {
                    text: text.into(),
                    value,
                })
            }
            other => {
                return Err(DurationError::UnknownUnit {
                    text: text.into(),
                    unit: other.into(),
                })
            }
        };
        total_ms += value * unit_ms;
        rest = &rest[unit_len..];
    }
    seconds_to_time(total_ms / 1000.0, text)
}

fn seconds_to_time(secs: f64, text: &str) -> Result<SimTime, DurationError> {
    // A century of simulated time is far beyond any run the core is meant for.
    const MAX_SECS: f64 = 100.0 * 365.0 * 24.0 * 3600.0;
    if !secs.is_finite() || !(0.0..=MAX_SECS).contains(&secs) {
        return Err(DurationError::OutOfRange { text: text.into() });
    }
    Ok(SimTime((secs * 1000.0).round() as u64))
}

/// A duration as Go's `time.Duration.String` prints it, to the millisecond: `850ms`, `2.3s`, `1m20s`, `5m0s`.
pub fn go_duration(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let (hours, minutes) = (ms / 3_600_000, ms / 60_000 % 60);
    let seconds = format_seconds((ms % 60_000) as f64 / 1000.0) + "s";
    match (hours, minutes) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

/// `kubectl`'s AGE column (`duration.HumanDuration`).
pub fn human_duration(ms: u64) -> String {
    let secs = ms / 1000;
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if days < 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{days}d")
        } else {
            format!("{days}d{h}h")
        };
    }
    if days < 365 * 2 {
        return format!("{days}d");
    }
    format!("{}y", days / 365)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_the_scenario_format_says() {
        assert_eq!(parse_duration("90").unwrap(), SimTime::from_secs(90));
        assert_eq!(parse_duration("90s").unwrap(), SimTime::from_secs(90));
        assert_eq!(parse_duration("2m").unwrap(), SimTime::from_secs(120));
        assert_eq!(parse_duration("1m30s").unwrap(), SimTime::from_secs(90));
        assert_eq!(parse_duration("1.5s").unwrap(), SimTime::from_millis(1500));
        assert_eq!(parse_duration("250ms").unwrap(), SimTime::from_millis(250));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("-3").is_err());
        assert!(parse_duration("m").is_err());
    }

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(850), "850ms");
        assert_eq!(go_duration(2300), "2.3s");
        assert_eq!(go_duration(10_000), "10s");
        assert_eq!(go_duration(80_000), "1m20s");
        assert_eq!(go_duration(300_000), "5m0s");
        assert_eq!(go_duration(3_725_500), "1h2m5.5s");
    }

    #[test]
    fn ages_print_like_kubectl() {
        assert_eq!(human_duration(45_000), "45s");
        assert_eq!(human_duration(119_000), "119s");
        assert_eq!(human_duration(328_000), "5m28s");
        assert_eq!(human_duration(13 * 60_000), "13m");
        assert_eq!(human_duration(77 * 24 * 3_600_000), "77d");
    }

    #[test]
    fn timestamps_count_from_the_fixed_epoch() {
        let t = SimTime::from_millis(65_400);
        assert_eq!(t.to_k8s().0.to_string(), "2025-01-01T00:01:05Z");
        assert_eq!(SimTime::from_k8s(&t.to_k8s()), SimTime::from_secs(65));
    }
}
