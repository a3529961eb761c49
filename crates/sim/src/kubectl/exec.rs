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
use crate::container::{is_shell, ContainerFs, Machine, Program, Userland};
use crate::object::ObjectKey;
use crate::shell::{self, Dialect, Input, Job, Poll, Stream};
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
    check_running(&pod, &container)?;
    // A shell whose input is the terminal (nothing piped to kubectl) is a session; a command runs, and
    // kubectl waits while it does.
    let mut session = Session::new(&pod, container, command, tty, false);
    if attach {
        session.stdin = context.stdin.to_string();
    }
    Ok(match session.open(cluster, &mut output) {
        Some(code) => {
            output.exit_code = code;
            Started::Done(output)
        }
        None => Started::Waiting(output, Waiting::Session(Box::new(session))),
    })
}

/// The command an image runs when the pod gives none: busybox's `sh`, and for the other images the server
/// they ship (nginx), which reads nothing and prints nothing to the terminal attached to it.
fn image_command(pod: &Pod, container: &str) -> Vec<String> {
    match ContainerFs::userland_of(pod, container) {
        Userland::BusyBox => vec!["sh".to_string()],
        Userland::Debian => Vec::new(),
    }
}

/// Whether `command` is a shell that reads its commands from its input: `sh`, `/bin/sh`, `bash`, with no
/// script of its own (`sh -c …`).
fn is_interactive(command: &[String]) -> bool {
    matches!(command, [shell] if is_shell(shell))
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

/// The directory a process starts in: the container's `workingDir`, else `/`.
fn working_dir(pod: &Pod, container: &str) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.working_dir.clone())
        .unwrap_or_else(|| "/".into())
}

/// The runtime's refusal to start a program the image does not have.
fn not_found(pod: &Pod, command: &[String]) -> CommandOutput {
    CommandOutput::error(format!(
        "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown",
        exec_id(pod, command),
        command[0]
    ))
}

/// Quotes a word for the shell, so that a command given as words runs as those words.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
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
    let mut session = Session::new(&created, name.clone(), command, tty, remove);
    session.stdin = context.stdin.to_string();
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
/// runs, for `run`), or an interactive shell that runs each line typed at the terminal.
#[derive(Clone, Debug)]
pub struct Session {
    pod: ObjectKey,
    uid: Option<String>,
    container: String,
    command: Vec<String>,
    tty: bool,
    /// `run --rm`: the pod is deleted when the session ends.
    remove: bool,
    /// What was piped to kubectl: a shell given a script this way runs it rather than read the terminal.
    stdin: String,
    /// `run`: when it gives up waiting for the pod to run.
    deadline: Option<SimTime>,
    /// The container's shell between lines, once a session that reads the terminal is open.
    shell: Option<shell::Session>,
    /// What runs in the container now: the command, or a line typed at the shell.
    running: Option<Job<Program>>,
    /// When what runs asked to be woken (a `sleep`).
    wake_at: Option<SimTime>,
    status: i32,
    /// `run` attaches to the pod's container, and says to press enter if no prompt shows; `exec` does not.
    attaching: bool,
    exit_report: ExitReport,
}

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
    fn new(pod: &Pod, container: String, command: Vec<String>, tty: bool, remove: bool) -> Session {
        Session {
            pod: ObjectKey::of(&pod.metadata),
            uid: pod.metadata.uid.clone(),
            container,
            command,
            tty,
            remove,
            stdin: String::new(),
            deadline: None,
            shell: None,
            running: None,
            wake_at: None,
            status: 0,
            attaching: false,
            exit_report: ExitReport::Stream,
        }
    }

    /// Whether it is a shell that has opened and reads the lines typed at the terminal.
    pub fn reads_input(&self) -> bool {
        self.reads_terminal() && (self.shell.is_some() || self.running.is_some())
    }

    pub fn wake(&self) -> Option<SimTime> {
        self.deadline.or(self.wake_at)
    }

    /// The pod, if it is still the one attached to.
    fn pod(&self, cluster: &Cluster) -> Option<Pod> {
        cluster
            .store()
            .get::<Pod>(&self.pod)
            .filter(|p| p.metadata.uid == self.uid)
            .cloned()
    }

    /// The shell's prompt, as the image's shell prints it for root: BusyBox's ash shows the directory, dash
    /// does not, bash shows user, host and directory.
    fn prompt(&self, shell: &shell::Session) -> String {
        match shell.dialect {
            Dialect::Bash => {
                let shown = if shell.cwd == "/root" {
                    "~"
                } else {
                    shell.cwd.as_str()
                };
                format!("root@{}:{shown}# ", self.pod.name)
            }
            Dialect::Ash => format!("{} # ", shell.cwd),
            Dialect::Dash => "# ".into(),
        }
    }

    /// A shell prints its prompt only to a terminal (`-t`).
    fn show_prompt(&self, output: &mut CommandOutput) {
        if let (true, Some(shell)) = (self.tty, &self.shell) {
            output.write(Stream::Stdout, &self.prompt(shell));
        }
    }

    /// The pod runs: kubectl attaches. A shell reading the terminal shows its prompt; a command starts.
    fn open(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> Option<i32> {
        if self.tty && self.attaching {
            output.warn("If you don't see a command prompt, try pressing enter.");
        }
        let pod = self.pod(cluster)?;
        self.deadline = None;
        if self.command.is_empty() {
            // Attached to the image's server: nothing to run, nothing printed, until Ctrl-C.
            return None;
        }
        let machine = Machine::new(cluster, pod.clone(), &self.container, self.tty);
        let cwd = working_dir(&pod, &self.container);
        if self.reads_terminal() {
            let dialect = machine.dialect_of(&self.command[0]);
            self.shell = Some(machine.shell(dialect, &cwd));
            self.show_prompt(output);
            return None;
        }
        if !machine.image.has(&self.command[0]) {
            let refused = not_found(&pod, &self.command);
            self.status = refused.exit_code;
            output.extend(refused);
            return Some(self.end(cluster, output));
        }
        // The command runs as its words, in the image's shell only for the words' sake.
        let dialect = machine.dialect_of("sh");
        let script: Vec<String> = self.command.iter().map(|w| quote(w)).collect();
        let mut job = Job::start(&script.join(" "), machine.shell(dialect, &cwd));
        if !self.stdin.is_empty() {
            job = job.with_stdin(&self.stdin);
        }
        self.running = Some(job);
        let status = self.run(cluster, output)?;
        Some(self.finish(cluster, status, output))
    }

    /// Lets what runs in the container go on; its status once it has ended.
    fn run(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> Option<i32> {
        let pod = self.pod(cluster)?;
        let job = self.running.as_mut()?;
        let mut machine = Machine::new(cluster, pod, &self.container, self.tty);
        let poll = job.poll(&mut machine);
        let io = job.take_output();
        output.append_io(&io);
        match poll {
            Poll::Waiting(wake) => {
                self.wake_at = wake;
                None
            }
            Poll::Exited(status) => {
                self.wake_at = None;
                Some(status)
            }
        }
    }

    /// The process ended with `status`: kubectl says so when it failed, and exits with it.
    fn finish(&mut self, cluster: &mut Cluster, status: i32, output: &mut CommandOutput) -> i32 {
        self.status = status;
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
                    output.warn(format!(
                        "pod {}/{} terminated (Error)",
                        self.pod.namespace, self.pod.name
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
        if self.command.is_empty() && self.deadline.is_none() {
            return None;
        }
        if self.shell.is_none() && self.running.is_none() {
            return self.wait_for_pod(cluster, output);
        }
        let running = self.pod(cluster).is_some_and(|pod| {
            pod.metadata.deletion_timestamp.is_none()
                && check_running(&pod, &self.container).is_ok()
        });
        if !running {
            output.fail("command terminated with exit code 137");
            self.status = 137;
            return Some(self.end(cluster, output));
        }
        loop {
            if self.running.is_some() {
                let status = self.run(cluster, output)?;
                let job = self.running.take().expect("it ran");
                if !self.reads_terminal() {
                    return Some(self.finish(cluster, status, output));
                }
                let exited = job.exit_called();
                self.shell = Some(job.into_session());
                if exited {
                    return Some(self.finish(cluster, status, output));
                }
                self.show_prompt(output);
            }
            let Some(line) = input.lines.pop_front() else {
                break;
            };
            output.say(&line);
            let shell = self.shell.take().expect("a session reading the terminal");
            self.running = Some(Job::start(&line, shell));
        }
        if input.closed {
            // Ctrl-D at the prompt: the shell exits with its last status, and the terminal moves to a new line.
            output.write(Stream::Stdout, "\n");
            let status = self.shell.as_ref().map_or(0, |s| s.status);
            return Some(self.finish(cluster, status, output));
        }
        None
    }

    fn wait_for_pod(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> Option<i32> {
        let phase = self
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
        self.wake_at = None;
        if self.remove {
            let deleted = cluster
                .with_store(|store| store.delete::<Pod>(&self.pod, DeleteOptions::default()));
            if deleted.is_ok() {
                output.say(super::delete::deleted_line::<Pod>(
                    "pod",
                    &self.pod.name,
                    "deleted",
                    &self.pod.namespace,
                ));
            }
        }
        self.status
    }

    /// Ctrl-C ends kubectl and what it ran, and `--rm` still deletes the pod.
    pub fn stop(&mut self, cluster: &mut Cluster) {
        if let (Some(mut job), Some(pod)) = (self.running.take(), self.pod(cluster)) {
            job.interrupt(&mut Machine::new(cluster, pod, &self.container, self.tty));
        }
        let mut output = CommandOutput::default();
        self.end(cluster, &mut output);
    }

    /// Whether it ends by itself: a command does; a shell reading the terminal waits for input until it ends,
    /// and an image's server (nothing to run) until it is interrupted.
    pub fn ends_by_itself(&self) -> bool {
        !self.command.is_empty() && !self.reads_terminal()
    }

    fn reads_terminal(&self) -> bool {
        is_interactive(&self.command) && self.stdin.is_empty()
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
