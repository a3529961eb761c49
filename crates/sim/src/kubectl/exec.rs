//! `kubectl exec` into a running container, and `kubectl run`, which creates a pod the simulation schedules
//! and starts; with `-i` the command's output comes back once the pod runs, and `--rm` deletes the pod after.
//! A shell started with `-i` and no script (`exec -it web-0 -- sh`, `run -it … /bin/sh`) is a session: it
//! shows its prompt and runs each line typed at the terminal in the container until `exit` or Ctrl-D.
//!
//! The container's main process is not simulated beyond its output: a `run` pod without `--rm` goes on
//! running after its command has printed, because the kubelet here does not model a process that exits.

use k8s_openapi::api::core::v1::{Container, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

use super::args::Args;
use super::{fetch, CommandOutput, Context, Started, Waiting};
use crate::api::defaults::default_pod_spec;
use crate::api::delete_options::DeleteOptions;
use crate::cluster::Cluster;
use crate::container::process::{check_running, image_command, Exit, Process, Refusal, Stdin};
use crate::shell::{Input, Io};
use crate::time::SimTime;

/// `--pod-running-timeout`'s default.
const POD_RUNNING_TIMEOUT: SimTime = SimTime(60_000);

pub fn exec(cluster: &mut Cluster, args: &Args, context: &Context) -> Started {
    match exec_in(cluster, args, context) {
        Ok(started) => started,
        Err(output) => Started::Done(output),
    }
}

fn exec_in(
    cluster: &mut Cluster,
    args: &Args,
    context: &Context,
) -> Result<Started, CommandOutput> {
    const FLAGS: &[&str] = &["-c", "--container", "-i", "--stdin", "-t", "--tty"];
    args.reject_unknown("exec", FLAGS)?;
    let Some(target) = args.positional.first() else {
        return Err(CommandOutput::error(
            "error: pod, type/name or --filename must be specified",
        ));
    };
    let mut command: Vec<String> = args.positional[1..].to_vec();
    command.extend(args.command.iter().cloned());
    if command.is_empty() {
        return Err(CommandOutput::error(
            "error: you must specify at least one command for the container",
        ));
    }
    let pod: Pod = fetch(cluster, context.namespace, pod_name(target))?;
    let attach = args.has(&["-i", "--stdin"]);
    let tty = args.has(&["-t", "--tty"]);
    let mut output = CommandOutput::default();
    let container = choose_container(&pod, args.value(&["-c", "--container"]), &mut output)?;
    check_running(&pod, &container).map_err(|refusal| refused(&refusal))?;
    // kubectl's `SetupTTY`: a terminal only with `-i`, and only when what kubectl reads is one.
    let tty = tty && attach && {
        let piped = !context.stdin.is_empty();
        if piped {
            output.warn(NO_TERMINAL);
        }
        !piped
    };
    // A shell whose input is the terminal (nothing piped to kubectl) is a session; a command runs, and
    // kubectl waits while it does.
    let piped = if attach { context.stdin } else { "" };
    let mut session = Session::new(&pod, &container, command, tty, piped, false);
    Ok(match session.open(cluster, &mut output) {
        Some(code) => {
            output.exit_code = code;
            Started::Done(output)
        }
        None => Started::Waiting(output, Waiting::Session(Box::new(session))),
    })
}

/// The pod a command names: `web-0`, `pod/web-0` or `pods/web-0`.
pub(super) fn pod_name(target: &str) -> &str {
    target
        .strip_prefix("pod/")
        .or_else(|| target.strip_prefix("pods/"))
        .unwrap_or(target)
}

/// `-c`, else the `kubectl.kubernetes.io/default-container` annotation, else the first container, with
/// kubectl's note when the pod has several.
pub(super) fn choose_container(
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

/// kubectl's words for the apiserver's and the kubelet's refusals to exec: the apiserver's as `Error from
/// server`, the kubelet's as the error its stream ends with.
fn refused(refusal: &Refusal) -> CommandOutput {
    CommandOutput::error(match refusal {
        Refusal::Completed { phase } => format!(
            "error: cannot exec into a container in a completed pod; current phase is {phase}"
        ),
        Refusal::NoHost { pod } => {
            format!("Error from server (BadRequest): pod {pod} does not have a host assigned")
        }
        // The apiserver's stream translator reports the kubelet's refusal of its SPDY stream as an internal
        // error on the WebSocket's error channel.
        Refusal::NotRunning { container } => format!(
            "error: Internal error occurred: unable to upgrade connection: container not found (\"{container}\")"
        ),
    })
}

// --- run -----------------------------------------------------------------------------------------------------

pub fn run(cluster: &mut Cluster, args: &Args, context: &Context) -> Started {
    match run_pod_and_attach(cluster, args, context) {
        Ok(started) => started,
        Err(output) => Started::Done(output),
    }
}

fn run_pod_and_attach(
    cluster: &mut Cluster,
    args: &Args,
    context: &Context,
) -> Result<Started, CommandOutput> {
    const FLAGS: &[&str] = &[
        "--image",
        "--restart",
        "-i",
        "--stdin",
        "-t",
        "--tty",
        "--rm",
    ];
    args.reject_unknown("run", FLAGS)?;
    let Some(image) = args.value(&["--image"]) else {
        return Err(CommandOutput::error(
            "error: required flag(s) \"image\" not set",
        ));
    };
    let Some(name) = args.positional.first() else {
        return Err(CommandOutput::error(
            "error: NAME is required for run\nSee 'kubectl run -h' for help and examples",
        ));
    };
    let restart = args.value(&["--restart"]).unwrap_or("Always");
    if !matches!(restart, "Always" | "OnFailure" | "Never") {
        return Err(CommandOutput::error(format!(
            "error: invalid restart policy: {restart}"
        )));
    }
    let attach = args.has(&["-i", "--stdin"]);
    let tty = args.has(&["-t", "--tty"]);
    let remove = args.has(&["--rm"]);
    if remove && !attach {
        return Err(CommandOutput::error(
            "error: --rm should only be used for attached containers",
        ));
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
    let created = cluster
        .with_store(|store| store.create(pod))
        .map_err(|error| CommandOutput::error(super::errors::from_server(&error)))?;
    if !attach {
        return Ok(Started::Done(CommandOutput::ok(format!(
            "pod/{name} created\n"
        ))));
    }
    // Without a command the container runs its image's own: a shell for busybox.
    let command = match command.is_empty() {
        true => image_command(&created, name),
        false => command,
    };
    let mut session = Session::new(&created, name, command, tty, context.stdin, remove);
    session.attaching = true;
    session.exit_report = match restart {
        "Always" => ExitReport::Ignored,
        _ => ExitReport::PodPhase,
    };
    session.deadline = Some(cluster.now().plus_millis(POD_RUNNING_TIMEOUT.0));
    Ok(Started::Waiting(
        CommandOutput::default(),
        Waiting::Session(Box::new(session)),
    ))
}

/// A process in a container that kubectl is attached to: the command `exec` or `run -i` started (once the pod
/// runs, for `run`), or an interactive shell that runs each line typed at the terminal. The process is the
/// container's (`container::Process`); the session is kubectl's side of it: waiting for `run`'s pod, what it
/// says about the process's end, and `--rm`.
#[derive(Clone, Debug)]
pub struct Session {
    process: Process,
    /// `run --rm`: the pod is deleted when the session ends.
    remove: bool,
    /// `run`: when it gives up waiting for the pod to run.
    deadline: Option<SimTime>,
    status: i32,
    /// `run` attaches to the pod's container, and says to press enter if no prompt shows; `exec` does not.
    attaching: bool,
    exit_report: ExitReport,
}

/// What kubectl says when `-t` asks for a terminal and what it reads is not one (`SetupTTY`).
const NO_TERMINAL: &str = "Unable to use a TTY - input is not a terminal or the right kind of file";

/// What kubectl's attach warns of before it attaches (`AttachOptions.Run`).
const RECORDED: &str = "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.";

/// How kubectl learns the process's exit and says it: `exec` from the stream (`command terminated with exit
/// code N`); `run` from the pod's phase once attached (`pod NS/NAME terminated (Error)`), except with
/// `--restart=Always`, where it does not wait for one (kubectl's `RunOptions.Run`).
#[derive(Clone, Copy, Debug)]
enum ExitReport {
    Stream,
    PodPhase,
    Ignored,
}

impl Session {
    /// A session for `command` in `container`; `piped` is what was piped to kubectl (`-i`), none meaning the
    /// terminal.
    fn new(
        pod: &Pod,
        container: &str,
        command: Vec<String>,
        tty: bool,
        piped: &str,
        remove: bool,
    ) -> Session {
        let stdin = match piped {
            "" => Stdin::Terminal,
            text => Stdin::Piped(text.to_string()),
        };
        Session {
            process: Process::new(pod, container, command, tty, stdin),
            remove,
            deadline: None,
            status: 0,
            attaching: false,
            exit_report: ExitReport::Stream,
        }
    }

    /// Whether it is a shell that has opened and reads the lines typed at the terminal.
    pub fn reads_input(&self) -> bool {
        self.process.reads_input()
    }

    pub fn wake(&self) -> Option<SimTime> {
        self.deadline.or(self.process.wake())
    }

    /// The pod runs: kubectl attaches. A shell reading the terminal shows its prompt; a command starts.
    fn open(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> Option<i32> {
        if self.attaching {
            // The container has a terminal (`run --tty`), but what kubectl reads is not one.
            if self.process.tty() && self.process.stdin_piped() {
                output.warn(NO_TERMINAL);
            }
            // kubectl's attach says both whenever it is not `--quiet`, a terminal or not.
            output.warn(RECORDED);
            output.warn("If you don't see a command prompt, try pressing enter.");
        }
        self.process.pod(cluster)?;
        self.deadline = None;
        let mut io = Io::default();
        let started = self.process.start(cluster, &mut io);
        output.append_io(&io);
        match started {
            Ok(None) => None,
            Ok(Some(status)) => Some(self.finish(cluster, status, output)),
            Err(refusal) => {
                // The runtime's error is an internal error of the kubelet's stream, which the apiserver's
                // translator wraps as one of its own.
                output.fail(format!(
                    "error: Internal error occurred: Internal error occurred: error executing command in container: {refusal}"
                ));
                self.status = 1;
                Some(self.end(cluster, output))
            }
        }
    }

    /// The process ended with `status`: kubectl says so when it failed, and exits with it.
    fn finish(&mut self, cluster: &mut Cluster, status: i32, output: &mut CommandOutput) -> i32 {
        self.status = status;
        // Attached from a terminal in raw mode, kubectl says how to attach again (`reattachMessage`).
        if self.attaching && self.process.tty() && self.process.reads_terminal() {
            let pod = self.process.pod_key();
            output.say(format!(
                "Session ended, resume using 'kubectl attach {0} -c {1} -n {2} -i -t' command",
                pod.name,
                self.process.container(),
                pod.namespace
            ));
        }
        match self.exit_report {
            ExitReport::Stream => {
                if status != 0 {
                    output.warn(format!("command terminated with exit code {status}"));
                }
                self.end(cluster, output)
            }
            ExitReport::PodPhase => {
                // `--rm`'s deletion is deferred in kubectl's run, and so comes before the error it returns.
                self.end(cluster, output);
                if status != 0 {
                    let pod = self.process.pod_key();
                    output.warn(format!(
                        "pod {}/{} terminated (Error)",
                        pod.namespace, pod.name
                    ));
                }
                status
            }
            ExitReport::Ignored => {
                self.end(cluster, output);
                0
            }
        }
    }

    /// Waits for the pod to run, then runs the command, or each line typed as the terminal echoes it; `exit`
    /// or Ctrl-D ends a shell, and so does the pod going away under it.
    pub fn poll(
        &mut self,
        cluster: &mut Cluster,
        input: &mut Input,
        output: &mut CommandOutput,
    ) -> Option<i32> {
        if !self.process.has_command() && self.deadline.is_none() {
            return None;
        }
        if !self.process.started() {
            return self.wait_for_pod(cluster, output);
        }
        let mut io = Io::default();
        let exit = self.process.poll(cluster, input, &mut io);
        output.append_io(&io);
        match exit? {
            Exit::Killed => {
                output.fail("command terminated with exit code 137");
                self.status = 137;
                Some(self.end(cluster, output))
            }
            Exit::Status(status) => Some(self.finish(cluster, status, output)),
        }
    }

    fn wait_for_pod(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> Option<i32> {
        let phase = self
            .process
            .pod(cluster)
            .and_then(|p| p.status?.phase)
            .unwrap_or_default();
        if phase == "Running" {
            return self.open(cluster, output);
        }
        if self.deadline.is_some_and(|at| cluster.now() >= at) {
            output.fail("error: timed out waiting for the condition");
            return Some(1);
        }
        None
    }

    /// The session is over: `--rm` deletes the pod, and kubectl exits as the process did.
    fn end(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> i32 {
        self.deadline = None;
        if self.remove {
            let pod = self.process.pod_key().clone();
            let deleted =
                cluster.with_store(|store| store.delete::<Pod>(&pod, DeleteOptions::default()));
            if deleted.is_ok() {
                output.say(super::delete::deleted_line::<Pod>(
                    "pod",
                    &pod.name,
                    "deleted",
                    &pod.namespace,
                ));
            }
        }
        self.status
    }

    /// Ctrl-C ends kubectl and what it ran, and `--rm` still deletes the pod.
    pub fn stop(&mut self, cluster: &mut Cluster) {
        self.process.interrupt(cluster);
        let mut output = CommandOutput::default();
        self.end(cluster, &mut output);
    }

    /// Whether it ends by itself: a command does; a shell reading the terminal waits for input until it ends,
    /// and an image's server (nothing to run) until it is interrupted.
    pub fn ends_by_itself(&self) -> bool {
        self.process.ends_by_itself()
    }
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
