//! The prober's workers, after `pkg/kubelet/prober/worker.go`: readiness probes are counted against their
//! thresholds, but only where an answer can change something: probes succeed unless a fault says otherwise, so
//! a ready container that keeps succeeding is not woken every period. Liveness probes have no fault that could
//! fail them, so they never restart anything and are not modelled.

use k8s_openapi::api::core::v1::{Pod, Probe};

use super::pod_workers::PodRuntime;
use super::{container_spec, record, Slot};
use crate::controller::Ctx;
use crate::events::EventType;
use crate::time::SimTime;

/// A readiness probe's worker: one probe per period from `initialDelaySeconds` after the start, a result taking
/// effect after `successThreshold` or `failureThreshold` equal results in a row.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ProbeWorker {
    next: SimTime,
    period_ms: u64,
    success_threshold: u32,
    failure_threshold: u32,
    /// `lastResult` and `resultRun`; a readiness worker starts from a failure that is not counted.
    last_success: bool,
    run: u32,
    pub(super) ready: bool,
    /// Ready and succeeding when last looked at: nothing wakes the worker, so the probes it skips succeed.
    steady: bool,
}

impl ProbeWorker {
    /// The first probe is at `start + initialDelaySeconds`, or on the first period after the startup probe passed.
    pub(super) fn new(probe: &Probe, started_at: SimTime, started_from: SimTime) -> ProbeWorker {
        let period_ms = probe.period_seconds.unwrap_or(10).max(1) as u64 * 1000;
        let first = started_at.plus_secs(probe.initial_delay_seconds.unwrap_or(0).max(0) as u64);
        let late_by = started_from.0.saturating_sub(first.0);
        ProbeWorker {
            next: first.plus_millis(late_by.div_ceil(period_ms) * period_ms),
            period_ms,
            success_threshold: probe.success_threshold.unwrap_or(1).max(1) as u32,
            failure_threshold: probe.failure_threshold.unwrap_or(3).max(1) as u32,
            last_success: false,
            run: 0,
            ready: false,
            steady: false,
        }
    }

    /// Runs the probes due by `now` and returns how many failed. A ready container whose probe keeps succeeding
    /// cannot change, so the worker is not woken for those probes: the ones it skipped were successes.
    fn probe_until(&mut self, now: SimTime, healthy: bool) -> u32 {
        if self.steady {
            self.skip_to(now);
        }
        let mut failures = 0;
        while self.next <= now {
            if healthy && self.ready {
                break;
            }
            if self.last_success == healthy {
                self.run += 1;
            } else {
                self.last_success = healthy;
                self.run = 1;
            }
            if healthy && self.run >= self.success_threshold {
                self.ready = true;
            } else if !healthy {
                failures += 1;
                if self.run >= self.failure_threshold {
                    self.ready = false;
                }
            }
            self.next = self.next.plus_millis(self.period_ms);
        }
        self.steady = healthy && self.ready;
        failures
    }

    /// Moves the next probe to the first period boundary at or after `now`, past probes no one ran.
    pub(super) fn skip_to(&mut self, now: SimTime) {
        let behind = now.0.saturating_sub(self.next.0);
        self.next = self
            .next
            .plus_millis(behind.div_ceil(self.period_ms) * self.period_ms);
    }

    pub(super) fn wake_at(&self, healthy: bool) -> Option<SimTime> {
        (!(healthy && self.ready)).then_some(self.next)
    }
}

/// The readiness probes due now, with an `Unhealthy` event for each that fails.
pub(super) fn run_readiness_probes(ctx: &mut Ctx, pod: &Pod, runtime: &mut PodRuntime) {
    let now = ctx.now();
    let healthy = !ctx.faults.readiness_fails(&runtime.uid);
    let ip = runtime.ip.clone().unwrap_or_default();
    let node = runtime.node.clone();
    for (index, container) in runtime.containers.iter_mut().enumerate() {
        let Some(worker) = container.readiness.as_mut() else {
            continue;
        };
        let failures = worker.probe_until(now, healthy);
        let spec = container_spec(pod, Slot::App(index));
        let probe = spec.readiness_probe.clone().unwrap_or_default();
        for _ in 0..failures {
            let message = format!("Readiness probe failed: {}", probe_failure(&probe, &ip));
            record(ctx, pod, &node, EventType::Warning, "Unhealthy", message);
        }
    }
}

/// What a failing probe of each kind reports.
fn probe_failure(probe: &Probe, ip: &str) -> String {
    if let Some(socket) = &probe.tcp_socket {
        let port = int_or_string(&socket.port);
        return format!("dial tcp {ip}:{port}: connect: connection refused");
    }
    if probe.grpc.is_some() {
        return "service unhealthy (responded with \"NOT_SERVING\")".into();
    }
    if probe.exec.is_some() {
        return "command terminated with non-zero exit code: exit status 1".into();
    }
    "HTTP probe failed with statuscode: 503".into()
}

fn int_or_string(value: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> String {
    match value {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_goes_unready_after_failure_threshold_failures_and_back_after_success_threshold() {
        let probe = Probe {
            initial_delay_seconds: Some(5),
            period_seconds: Some(10),
            success_threshold: Some(2),
            failure_threshold: Some(3),
            ..Probe::default()
        };
        let start = SimTime::from_secs(100);
        let mut worker = ProbeWorker::new(&probe, start, start);
        assert_eq!(worker.next, SimTime::from_secs(105));
        assert_eq!(worker.probe_until(SimTime::from_secs(105), true), 0);
        assert!(!worker.ready, "one success of two");
        worker.probe_until(SimTime::from_secs(115), true);
        assert!(worker.ready);
        assert_eq!(worker.wake_at(true), None, "steady health needs no probing");
        // Unhealthy from 150 on: the probes at 125-145 ran healthy, unseen; those at 155 and 165 fail.
        assert_eq!(worker.probe_until(SimTime::from_secs(150), false), 0);
        assert_eq!(worker.probe_until(SimTime::from_secs(165), false), 2);
        assert!(worker.ready, "two failures of three");
        assert_eq!(worker.probe_until(SimTime::from_secs(175), false), 1);
        assert!(!worker.ready);
    }
}
