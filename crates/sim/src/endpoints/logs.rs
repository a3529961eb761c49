//! `GET .../pods/<name>/log`: what a container has written, as the kubelet serves it through the apiserver
//! (pkg/registry/core/pod/rest/log.go and the kubelet's `/containerLogs`): the container to read is named by
//! `container=` unless the pod has only one; `tailLines=` keeps the last lines. A follow (`follow=true`) is
//! answered with what is there so far; the transport keeps it open (`Follow`).

use k8s_openapi::api::core::v1::Pod;

use super::handlers::Target;
use super::status::StatusError;
use super::{query_parameter, Request, Response};
use crate::cluster::Cluster;

/// The log of the container a request names, or the apiserver's refusal.
pub(super) fn log(
    cluster: &Cluster,
    request: &Request,
    target: &Target,
) -> Result<Response, StatusError> {
    let (pod, container) = container_of(cluster, request, target)?;
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    let text = cluster.vfs().log(uid, &container);
    let text = match query_parameter(request.query, "tailLines") {
        Some(tail) => {
            let tail: usize = tail.parse().map_err(|_| {
                StatusError::bad_request(format!("tailLines: Invalid value: \"{tail}\""))
            })?;
            last_lines(text, tail)
        }
        None => text,
    };
    Ok(Response {
        status: 200,
        content_type: "text/plain".into(),
        body: text.as_bytes().to_vec(),
        warnings: Vec::new(),
    })
}

/// A log being followed: the pod's uid and container, and how much of its log was sent.
#[derive(Clone, Debug)]
pub struct LogFollow {
    uid: String,
    container: String,
    sent: usize,
}

/// Whether `request` follows a log (`follow=true`): None when it does not; else the follow, whose start is
/// the response `log` gives, or the refusal.
pub fn open_follow(cluster: &Cluster, request: &Request) -> Option<Result<LogFollow, Response>> {
    let following = query_parameter(request.query, "follow").is_some_and(|f| f == "true");
    if !following || request.method != "GET" {
        return None;
    }
    let opened = match super::segments(request.path).as_slice() {
        ["api", "v1", rest @ ..] => super::handlers::route("", "v1", rest),
        _ => return None,
    }
    .ok()
    .filter(|target| target.subresource == Some("log"))?;
    let followed = container_of(cluster, request, &opened).map(|(pod, container)| LogFollow {
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        container,
        sent: 0,
    });
    Some(followed.map_err(|e| e.to_response()))
}

impl LogFollow {
    /// What the container wrote since the last call (everything, the first time); None once the container is
    /// gone with its pod, when the stream ends.
    pub fn next(&mut self, cluster: &Cluster) -> Option<Vec<u8>> {
        let present = cluster
            .store()
            .list::<Pod>()
            .any(|p| p.metadata.uid.as_deref() == Some(self.uid.as_str()));
        if !present {
            return None;
        }
        let log = cluster.vfs().log(&self.uid, &self.container);
        let new = log.get(self.sent..).unwrap_or_default().as_bytes().to_vec();
        self.sent = log.len();
        Some(new)
    }
}

/// The pod and the container a log request reads.
fn container_of(
    cluster: &Cluster,
    request: &Request,
    target: &Target,
) -> Result<(Pod, String), StatusError> {
    let name = target.name.unwrap_or_default();
    let pod = cluster
        .store()
        .get::<Pod>(&target.key(name))
        .cloned()
        .ok_or_else(|| StatusError::not_found(target.kind, name))?;
    let containers: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|spec| &spec.containers)
        .map(|c| c.name.clone())
        .collect();
    let container = match (
        query_parameter(request.query, "container"),
        containers.as_slice(),
    ) {
        (Some(named), _) if !named.is_empty() => named,
        (_, [only]) => only.clone(),
        _ => {
            return Err(StatusError::bad_request(format!(
                "a container name must be specified for pod {name}, choose one of: [{}]",
                containers.join(" ")
            )))
        }
    };
    if !containers.contains(&container) {
        return Err(StatusError::bad_request(format!(
            "container {container} is not valid for pod {name}"
        )));
    }
    if let Some(message) = crate::api::pod::waiting_to_start(&pod, &container) {
        return Err(StatusError::bad_request(message));
    }
    Ok((pod, container))
}

/// The last `count` lines of a log.
fn last_lines(text: &str, count: usize) -> &str {
    let body = text.strip_suffix('\n').unwrap_or(text);
    match body.rmatch_indices('\n').nth(count.saturating_sub(1)) {
        _ if count == 0 => "",
        Some((index, _)) => &text[index + 1..],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::last_lines;

    #[test]
    fn tails_count_lines_from_the_end() {
        assert_eq!(last_lines("a\nb\nc\n", 2), "b\nc\n");
        assert_eq!(last_lines("a\nb\nc\n", 5), "a\nb\nc\n");
        assert_eq!(last_lines("a\nb\nc\n", 0), "");
        assert_eq!(last_lines("a\nb", 1), "b");
    }
}
