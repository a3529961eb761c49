//! `kubectl logs POD [-c CONTAINER] [-f]`: what a container has written, as the kubelet keeps it on the node
//! (nginx's access and error logs, here); `-f` follows it until the container goes or Ctrl-C.

use k8s_openapi::api::core::v1::Pod;

use super::args::Args;
use super::exec::{choose_container, pod_name};
use super::{fetch, CommandOutput, Context, Started, Waiting};
use crate::cluster::Cluster;
use crate::object::ObjectKey;
use crate::shell::Stream;

pub fn logs(cluster: &mut Cluster, args: &Args, context: &Context) -> Started {
    match start(cluster, args, context) {
        Ok(started) => started,
        Err(output) => Started::Done(output),
    }
}

fn start(cluster: &mut Cluster, args: &Args, context: &Context) -> Result<Started, CommandOutput> {
    const FLAGS: &[&str] = &["-c", "--container", "-f", "--follow"];
    args.reject_unknown("logs", FLAGS)?;
    let Some(target) = args.positional.first() else {
        return Err(CommandOutput::error(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
        ));
    };
    let pod: Pod = fetch(cluster, context.namespace, pod_name(target))?;
    let mut output = CommandOutput::default();
    let container = choose_container(&pod, args.value(&["-c", "--container"]), &mut output)?;
    check_started(&pod, &container)?;
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let written = cluster.vfs().log(&uid, &container).to_string();
    output.write(Stream::Stdout, &written);
    if !args.has(&["-f", "--follow"]) {
        return Ok(Started::Done(output));
    }
    let follow = Follow {
        pod: ObjectKey::of(&pod.metadata),
        uid,
        container,
        printed: written.len(),
    };
    Ok(Started::Waiting(output, Waiting::Logs(follow)))
}

/// The kubelet has no log for a container that has not started.
fn check_started(pod: &Pod, container: &str) -> Result<(), CommandOutput> {
    match crate::api::pod::waiting_to_start(pod, container) {
        Some(message) => Err(CommandOutput::error(format!(
            "Error from server (BadRequest): {message}"
        ))),
        None => Ok(()),
    }
}

/// `logs -f`: prints what the container writes as it writes it.
#[derive(Clone, Debug)]
pub struct Follow {
    pod: ObjectKey,
    uid: String,
    container: String,
    /// How much of the log has been printed.
    printed: usize,
}

impl Follow {
    /// Prints what was written since; ends when the pod is gone, as the stream ends with its container.
    pub fn poll(&mut self, cluster: &Cluster, output: &mut CommandOutput) -> Option<i32> {
        let log = cluster.vfs().log(&self.uid, &self.container);
        if let Some(new) = log.get(self.printed..) {
            output.write(Stream::Stdout, new);
            self.printed = log.len();
        }
        let present = cluster
            .store()
            .get::<Pod>(&self.pod)
            .is_some_and(|p| p.metadata.uid.as_deref() == Some(self.uid.as_str()));
        (!present).then_some(0)
    }
}
