//! The image manager, after `pkg/kubelet/images/image_manager.go`, with the backoff of
//! `pkg/util/flowcontrol/backoff.go`: pulls go through the simulated registry (`ClusterConfig::images`) and the
//! node's serial puller, and an image whose pull failed backs off.

use k8s_openapi::api::core::v1::{Container, Pod};

use super::pod_workers::PodRuntime;
use super::runtime::{start_failed, Run};
use super::{container_spec, record, Kubelet, Slot};
use crate::controller::Ctx;
use crate::events::EventType;
use crate::time::{go_duration, SimTime};

/// `flowcontrol.Backoff` for one key: the first failure waits the initial period, each further one twice the
/// last, up to the cap; an entry untouched for twice the cap is forgotten.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Backoff {
    pub(super) duration_ms: u64,
    last_update: SimTime,
}

impl Backoff {
    /// `Next`.
    pub(super) fn next(
        entry: Option<Backoff>,
        event_time: SimTime,
        now: SimTime,
        ctx: &Ctx,
    ) -> Backoff {
        let (initial, max) = (
            ctx.config.timing.backoff_initial_ms,
            ctx.config.timing.backoff_max_ms,
        );
        let duration_ms = match entry.filter(|b| !b.has_expired(event_time, max)) {
            Some(b) => (b.duration_ms * 2).min(max),
            None => initial,
        };
        Backoff {
            duration_ms,
            last_update: now,
        }
    }

    fn has_expired(&self, event_time: SimTime, max_ms: u64) -> bool {
        event_time.0.saturating_sub(self.last_update.0) > 2 * max_ms
    }

    /// `IsInBackOffSince`: whether less than the backoff has passed since `event_time`.
    pub(super) fn is_in_back_off_since(
        &self,
        event_time: SimTime,
        now: SimTime,
        max_ms: u64,
    ) -> bool {
        !self.has_expired(event_time, max_ms)
            && now.0.saturating_sub(event_time.0) < self.duration_ms
    }

    /// `IsInBackOffSinceUpdate`: whether less than the backoff has passed since the last failure.
    fn is_in_back_off_since_update(&self, now: SimTime, max_ms: u64) -> bool {
        self.is_in_back_off_since(self.last_update, now, max_ms)
    }
}

/// An image pull for one container: requested at `requested`, pulled from `began` (the node's puller is
/// serial) until `until`, ending in `fails` or the image on the node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Pull {
    pub(super) requested: SimTime,
    pub(super) began: SimTime,
    pub(super) until: SimTime,
    pub(super) fails: bool,
}

impl Kubelet {
    /// `startContainer` up to the image: `EnsureImageExists` with the pull policy and the image backoff, then
    /// create and start when the image is there.
    pub(super) fn start_container(
        &mut self,
        ctx: &mut Ctx,
        pod: &Pod,
        runtime: &mut PodRuntime,
        slot: Slot,
        spec: &Container,
    ) -> bool {
        let now = ctx.now();
        let node = runtime.node.clone();
        let image = spec.image.clone().unwrap_or_default();
        let present = self.images.get(&node).is_some_and(|i| i.contains(&image));
        let policy = spec.image_pull_policy.as_deref().unwrap_or("IfNotPresent");
        if present && policy != "Always" {
            let message = format!("Container image \"{image}\" already present on machine");
            record(ctx, pod, &node, EventType::Normal, "Pulled", message);
            let at = now.plus_millis(ctx.draw_ms(ctx.config.timing.container_start_ms));
            runtime.container_mut(slot).run = Run::Starting { at };
            return false;
        }
        if policy == "Never" {
            let message =
                format!("Container image \"{image}\" is not present with pull policy of Never");
            record(
                ctx,
                pod,
                &node,
                EventType::Warning,
                "ErrImageNeverPull",
                message.clone(),
            );
            return start_failed(ctx, pod, runtime, slot, "ErrImageNeverPull", message);
        }
        let max = ctx.config.timing.backoff_max_ms;
        if runtime
            .pull_backoff
            .get(&image)
            .is_some_and(|b| b.is_in_back_off_since_update(now, max))
        {
            let message = format!("Back-off pulling image \"{image}\"");
            record(
                ctx,
                pod,
                &node,
                EventType::Normal,
                "BackOff",
                message.clone(),
            );
            return start_failed(ctx, pod, runtime, slot, "ImagePullBackOff", message);
        }
        record(
            ctx,
            pod,
            &node,
            EventType::Normal,
            "Pulling",
            format!("Pulling image \"{image}\""),
        );
        let fails = ctx.config.images.get(&image).is_some_and(|b| b.pull_fails);
        let timing = &ctx.config.timing;
        let duration = match (fails, present) {
            (true, _) => timing.image_pull_failure_ms,
            (false, true) => timing.image_repull_ms,
            (false, false) => timing.image_pull_ms,
        };
        let began = self
            .puller_free_at
            .get(&node)
            .copied()
            .unwrap_or(now)
            .max(now);
        let until = began.plus_millis(ctx.draw_ms(duration));
        self.puller_free_at.insert(node, until);
        runtime.container_mut(slot).run = Run::Pulling(Pull {
            requested: now,
            began,
            until,
            fails,
        });
        false
    }

    /// The end of `pull`, the container's: the image is on the node and the container is created, or the pull
    /// failed and the image backs off.
    pub(super) fn finish_pull(
        &mut self,
        ctx: &mut Ctx,
        pod: &Pod,
        runtime: &mut PodRuntime,
        slot: Slot,
        pull: Pull,
    ) -> bool {
        let now = ctx.now();
        let Pull {
            requested,
            began,
            until,
            fails,
        } = pull;
        let node = runtime.node.clone();
        let image = container_spec(pod, slot).image.clone().unwrap_or_default();
        if fails {
            let error = pull_error(&image);
            let message = format!("Failed to pull image \"{image}\": {error}");
            record(ctx, pod, &node, EventType::Warning, "Failed", message);
            let backoff = Backoff::next(runtime.pull_backoff.get(&image).copied(), now, now, ctx);
            runtime.pull_backoff.insert(image, backoff);
            runtime.container_mut(slot).run = Run::Waiting;
            return start_failed(ctx, pod, runtime, slot, "ErrImagePull", error);
        }
        self.images
            .entry(node.clone())
            .or_default()
            .insert(image.clone());
        let message = format!(
            "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {} bytes.",
            go_duration(until.0 - began.0),
            go_duration(until.0 - requested.0),
            image_size(&image)
        );
        record(ctx, pod, &node, EventType::Normal, "Pulled", message);
        let at = now.plus_millis(ctx.draw_ms(ctx.config.timing.container_start_ms));
        runtime.container_mut(slot).run = Run::Starting { at };
        false
    }
}

/// What containerd says when the registry has no such image, with the name fully qualified as it resolves it.
fn pull_error(image: &str) -> String {
    let reference = fully_qualified(image);
    format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": {reference}: not found"
    )
}

/// Docker's normalisation: `nginx` is `docker.io/library/nginx:latest`.
fn fully_qualified(image: &str) -> String {
    let (domain, rest) = match image.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (first.to_string(), rest.to_string())
        }
        Some(_) => ("docker.io".to_string(), image.to_string()),
        None => ("docker.io".to_string(), format!("library/{image}")),
    };
    let last = rest.rsplit('/').next().unwrap_or(&rest);
    let tagged = last.contains(':') || rest.contains('@');
    format!("{domain}/{rest}{}", if tagged { "" } else { ":latest" })
}

/// A plausible image size, stable per image name.
fn image_size(image: &str) -> u64 {
    let hash = image.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    20_000_000 + hash % 150_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_resolve_like_docker_references() {
        assert_eq!(fully_qualified("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(fully_qualified("nginx:1.9"), "docker.io/library/nginx:1.9");
        assert_eq!(
            fully_qualified("bitnami/redis"),
            "docker.io/bitnami/redis:latest"
        );
        assert_eq!(
            fully_qualified("registry:5000/app:v2"),
            "registry:5000/app:v2"
        );
    }

    #[test]
    fn backoff_doubles_to_the_cap_and_is_forgotten_after_twice_the_cap() {
        let mut backoff = Backoff {
            duration_ms: 10_000,
            last_update: SimTime::ZERO,
        };
        let max = 300_000;
        assert!(backoff.is_in_back_off_since_update(SimTime::from_secs(9), max));
        assert!(!backoff.is_in_back_off_since_update(SimTime::from_secs(10), max));
        backoff.duration_ms = 300_000;
        assert!(!backoff.is_in_back_off_since(
            SimTime::from_secs(601),
            SimTime::from_secs(602),
            max
        ));
    }
}
