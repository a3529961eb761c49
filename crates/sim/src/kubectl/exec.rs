//! `kubectl exec` into a running container, and `kubectl run`, which creates a pod the simulation schedules
//! and starts; with `-i` the command's output comes back once the pod runs, and `--rm` deletes the pod after.
//!
//! The container's main process is not simulated beyond its output: a `run` pod without `--rm` goes on
//! running after its command has printed, because the kubelet here does not model a process that exits.

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

use super::args::Args;
use super::container::ContainerFs;
use super::shell::{is_shell, Process, Shell};
use super::{fetch, wait_for, CommandOutput, Context};
use crate::api::defaults::default_pod_spec;
use crate::api::delete_options::DeleteOptions;
use crate::cluster::Cluster;
use crate::object::ObjectKey;
use crate::time::SimTime;

/// `--pod-running-timeout`'s default.
const POD_RUNNING_TIMEOUT: SimTime = SimTime(60_000);

pub fn exec(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    const FLAGS: &[&str] = &["-c", "--container", "-i", "--stdin", "-t", "--tty"];
    if let Err(output) = args.reject_unknown("exec", FLAGS) {
        return output;
    }
    let Some(target) = args.positional.first() else {
        return CommandOutput::error("error: pod, type/name or --filename must be specified");
    };
    let mut command: Vec<String> = args.positional[1..].to_vec();
    command.extend(args.command.iter().cloned());
    if command.is_empty() {
        return CommandOutput::error(
            "error: you must specify at least one command for the container",
        );
    }
    let name = target
        .strip_prefix("pod/")
        .or_else(|| target.strip_prefix("pods/"))
        .unwrap_or(target);
    let pod: Pod = match fetch(cluster, context.namespace, name) {
        Ok(pod) => pod,
        Err(output) => return output,
    };
    let stdin = args.has(&["-i", "--stdin"]).then_some(context.stdin);
    let tty = args.has(&["-t", "--tty"]);
    let mut output = CommandOutput::default();
    let container = match choose_container(&pod, args.value(&["-c", "--container"]), &mut output) {
        Ok(container) => container,
        Err(error) => return error,
    };
    if let Err(error) = check_running(&pod, &container) {
        return error;
    }
    output.extend(run_process(cluster, &pod, &container, &command, stdin, tty));
    output
}

/// `-c`, else the `kubectl.kubernetes.io/default-container` annotation, else the first container, with
/// kubectl's note when the pod has several.
fn choose_container(
    pod: &Pod,
    asked: Option<&str>,
    output: &mut CommandOutput,
) -> Result<String, CommandOutput> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let names: Vec<String> = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter().map(|c| c.name.clone()))
        .collect();
    if let Some(asked) = asked {
        if !names.iter().any(|n| n == asked) {
            return Err(CommandOutput::error(format!(
                "Error from server (BadRequest): container {asked} is not valid for pod {pod_name}"
            )));
        }
        return Ok(asked.to_string());
    }
    let annotated = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .filter(|n| names.contains(n));
    let chosen = annotated.or(names.first()).cloned().unwrap_or_default();
    if names.len() > 1 && annotated.is_none() {
        output.warn(format!(
            "Defaulted container \"{chosen}\" out of: {}",
            names.join(", ")
        ));
    }
    Ok(chosen)
}

/// The apiserver's and kubelet's refusals to exec into a pod that is not running the container.
fn check_running(pod: &Pod, container: &str) -> Result<(), CommandOutput> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let phase = status.phase.clone().unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Err(CommandOutput::error(format!(
            "error: cannot exec into a container in a completed pod; current phase is {phase}"
        )));
    }
    let node = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .unwrap_or_default();
    if node.is_empty() {
        return Err(CommandOutput::error(format!(
            "Error from server (BadRequest): pod {name} does not have a host assigned"
        )));
    }
    let running = status
        .container_statuses
        .iter()
        .flatten()
        .any(|c| c.name == container && c.state.as_ref().is_some_and(|s| s.running.is_some()));
    if !running {
        return Err(CommandOutput::error(format!(
            "error: unable to upgrade connection: container not found (\"{container}\")"
        )));
    }
    Ok(())
}

/// Runs `command` in the container, with its stdin for an interactive shell, and renders the result as
/// kubectl does: output as it came, then `command terminated with exit code N` for a failure.
fn run_process(
    cluster: &mut Cluster,
    pod: &Pod,
    container: &str,
    command: &[String],
    stdin: Option<&str>,
    tty: bool,
) -> CommandOutput {
    let mut vfs = std::mem::take(cluster.vfs_mut());
    let now = cluster
        .now()
        .to_k8s()
        .0
        .strftime("%a %b %e %H:%M:%S UTC %Y")
        .to_string();
    let working_dir = pod
        .spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.working_dir.clone())
        .unwrap_or_else(|| "/".into());
    let mut process = Process::default();
    let startable = {
        let mut fs = ContainerFs::new(&mut vfs, cluster.store(), pod, container);
        let mut shell = Shell {
            fs: &mut fs,
            store: cluster.store(),
            cwd: working_dir,
            tty,
            now,
        };
        let startable = shell.has_program(&command[0]);
        if startable {
            // An interactive shell reads its commands from stdin.
            match stdin {
                Some(script) if command.len() == 1 && is_shell(&command[0]) => {
                    shell.script(script, &mut process)
                }
                _ => shell.exec(command, &mut process),
            }
        }
        startable
    };
    *cluster.vfs_mut() = vfs;
    if !startable {
        return CommandOutput::error(format!(
            "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown",
            exec_id(pod, command),
            command[0]
        ));
    }
    let mut output = CommandOutput {
        exit_code: process.status,
        stdout: process.stdout,
        stderr: process.stderr,
    };
    if process.status != 0 {
        output.warn(format!(
            "command terminated with exit code {}",
            process.status
        ));
    }
    output
}

/// A 64-hex-digit exec id, as containerd names exec sessions, that follows from the pod and command alone.
fn exec_id(pod: &Pod, command: &[String]) -> String {
    let seed = format!(
        "{}{}",
        pod.metadata.uid.clone().unwrap_or_default(),
        command.join(" ")
    );
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    (0..4)
        .map(|round| {
            for byte in seed.bytes().chain([round as u8]) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
            }
            format!("{hash:016x}")
        })
        .collect()
}

// --- run -----------------------------------------------------------------------------------------------------

pub fn run(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    const FLAGS: &[&str] = &[
        "--image",
        "--restart",
        "-i",
        "--stdin",
        "-t",
        "--tty",
        "--rm",
    ];
    if let Err(output) = args.reject_unknown("run", FLAGS) {
        return output;
    }
    let Some(image) = args.value(&["--image"]) else {
        return CommandOutput::error("error: required flag(s) \"image\" not set");
    };
    let Some(name) = args.positional.first() else {
        return CommandOutput::error(
            "error: NAME is required for run\nSee 'kubectl run -h' for help and examples",
        );
    };
    let restart = args.value(&["--restart"]).unwrap_or("Always");
    if !matches!(restart, "Always" | "OnFailure" | "Never") {
        return CommandOutput::error(format!("error: invalid restart policy: {restart}"));
    }
    let attach = args.has(&["-i", "--stdin"]);
    let tty = args.has(&["-t", "--tty"]);
    let remove = args.has(&["--rm"]);
    if remove && !attach {
        return CommandOutput::error("error: --rm should only be used for attached containers");
    }
    let mut command: Vec<String> = args.positional[1..].to_vec();
    command.extend(args.command.iter().cloned());
    let pod = run_pod(
        name,
        context.namespace,
        image,
        restart,
        &command,
        attach,
        tty,
    );
    let key = ObjectKey::of(&pod.metadata);
    if let Err(error) = cluster.with_store(|store| store.create(pod)) {
        return CommandOutput::error(super::errors::from_server(&error));
    }
    if !attach {
        return CommandOutput::ok(format!("pod/{name} created\n"));
    }
    let mut output = CommandOutput::default();
    let deadline = cluster.now().plus_millis(POD_RUNNING_TIMEOUT.0);
    let running = |cluster: &Cluster| {
        cluster
            .store()
            .get::<Pod>(&key)
            .and_then(|p| p.status.as_ref()?.phase.clone())
            .is_some_and(|phase| phase == "Running")
    };
    if !wait_for(cluster, deadline, running) {
        output.fail("error: timed out waiting for the condition");
        return output;
    }
    if tty {
        output.warn("If you don't see a command prompt, try pressing enter.");
    }
    let pod = cluster
        .store()
        .get::<Pod>(&key)
        .cloned()
        .unwrap_or_default();
    if !command.is_empty() {
        let stdin = Some(context.stdin);
        let process = run_process(cluster, &pod, name, &command, stdin, tty);
        output.extend(process);
    }
    if remove {
        let deleted =
            cluster.with_store(|store| store.delete::<Pod>(&key, DeleteOptions::default()));
        if deleted.is_ok() {
            output.say(format!("pod \"{name}\" deleted"));
        }
    }
    output
}

/// The pod `kubectl run` sends: one container named after the pod, labelled `run=NAME`.
fn run_pod(
    name: &str,
    namespace: &str,
    image: &str,
    restart: &str,
    args: &[String],
    attach: bool,
    tty: bool,
) -> Pod {
    let mut spec = PodSpec {
        containers: vec![Container {
            name: name.to_string(),
            image: Some(image.to_string()),
            args: (!args.is_empty()).then(|| args.to_vec()),
            stdin: attach.then_some(true),
            stdin_once: attach.then_some(true),
            tty: tty.then_some(true),
            ..Container::default()
        }],
        restart_policy: Some(restart.to_string()),
        ..PodSpec::default()
    };
    default_pod_spec(&mut spec);
    Pod {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(namespace.to_string()),
            labels: Some(BTreeMap::from([("run".to_string(), name.to_string())])),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: None,
    }
}
