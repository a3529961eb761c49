//! A process the container runtime starts in a running container: what `kubectl exec` runs (the CRI's
//! `Exec`, containerd's exec session) and what `kubectl attach` reaches. The console's `kubectl exec` and the
//! apiserver's exec stream (`ordinal serve-api`) each run one, so a command behaves alike whichever client
//! started it; what a client prints about it (its exit code, its prompts) stays with the client.
//!
//! The container's main process is not simulated beyond its output: an attach starts the image's or the
//! pod's command afresh, as if it were the one the container runs.

use k8s_openapi::api::core::v1::Pod;

use super::{image_of, is_shell, ContainerFs, Image, Machine, Program, Userland};
use crate::cluster::Cluster;
use crate::object::ObjectKey;
use crate::shell::{self, Dialect, Input, Io, Job, Poll, Stream};
use crate::time::SimTime;

/// Where a process's standard input comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stdin {
    /// What was piped to the client, whole: a shell given a script this way runs it rather than read lines.
    Piped(String),
    /// A terminal: a shell reads each line typed at it, and shows its prompt if it has a tty.
    Terminal,
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// It exited by itself with this status.
    Status(i32),
    /// Its container stopped under it (the pod deleted or gone): SIGKILL, status 137.
    Killed,
}

impl Exit {
    pub fn status(self) -> i32 {
        match self {
            Exit::Status(status) => status,
            Exit::Killed => 137,
        }
    }
}

/// Why the runtime will not exec into a pod's container, checked before any process starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The pod has ended (`Succeeded`, `Failed`): kubectl refuses before asking.
    Completed { phase: String },
    /// The scheduler has not placed it: the apiserver has no kubelet to send the stream to.
    NoHost { pod: String },
    /// The kubelet finds no running container of that name.
    NotRunning { container: String },
}

/// The refusals of an exec into `container` of `pod` that is not running it, as the apiserver and the kubelet
/// check.
pub fn check_running(pod: &Pod, container: &str) -> Result<(), Refusal> {
    let status = pod.status.clone().unwrap_or_default();
    let phase = status.phase.clone().unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Err(Refusal::Completed { phase });
    }
    if !crate::api::pod::has_host(pod) {
        return Err(Refusal::NoHost {
            pod: pod.metadata.name.clone().unwrap_or_default(),
        });
    }
    let running = status
        .container_statuses
        .iter()
        .flatten()
        .any(|c| c.name == container && c.state.as_ref().is_some_and(|s| s.running.is_some()));
    if !running {
        return Err(Refusal::NotRunning {
            container: container.to_string(),
        });
    }
    Ok(())
}

/// The command an image runs when the pod gives none: busybox's `sh`, and for the other images the server
/// they ship (nginx), which reads nothing and prints nothing to a terminal attached to it.
pub fn image_command(pod: &Pod, container: &str) -> Vec<String> {
    match ContainerFs::userland_of(pod, container) {
        Userland::BusyBox => vec!["sh".to_string()],
        Userland::Debian => Vec::new(),
    }
}

/// A process in a container: a command, or a shell reading the lines typed at its terminal.
#[derive(Clone, Debug)]
pub struct Process {
    pod: ObjectKey,
    uid: Option<String>,
    container: String,
    command: Vec<String>,
    tty: bool,
    stdin: Stdin,
    /// Whether the lines a shell reads are echoed with its output: the console shows what was typed where a
    /// terminal would; a remote tty echoes keystrokes as they come instead.
    echo_lines: bool,
    /// The container's shell between lines, once a process that reads the terminal has started.
    shell: Option<shell::Session>,
    /// What runs now: the command, or a line typed at the shell.
    running: Option<Job<Program>>,
    /// When what runs asked to be woken (a `sleep`).
    wake_at: Option<SimTime>,
}

impl Process {
    pub fn new(pod: &Pod, container: &str, command: Vec<String>, tty: bool, stdin: Stdin) -> Self {
        Process {
            pod: ObjectKey::of(&pod.metadata),
            uid: pod.metadata.uid.clone(),
            container: container.to_string(),
            command,
            tty,
            stdin,
            echo_lines: true,
            shell: None,
            running: None,
            wake_at: None,
        }
    }

    /// The process with the lines its shell reads left unechoed: its terminal echoes them.
    pub fn echoing_nothing(mut self) -> Self {
        self.echo_lines = false;
        self
    }

    /// The pod it runs in, if it is still the one it started in.
    pub fn pod(&self, cluster: &Cluster) -> Option<Pod> {
        cluster
            .store()
            .get::<Pod>(&self.pod)
            .filter(|p| p.metadata.uid == self.uid)
            .cloned()
    }

    pub fn tty(&self) -> bool {
        self.tty
    }

    /// Whether what it reads was piped whole rather than typed at a terminal.
    pub fn stdin_piped(&self) -> bool {
        matches!(self.stdin, Stdin::Piped(_))
    }

    pub fn container(&self) -> &str {
        &self.container
    }

    pub fn pod_key(&self) -> &ObjectKey {
        &self.pod
    }

    /// Whether it has a command to run: attached to an image's server (nginx), there is none.
    pub fn has_command(&self) -> bool {
        !self.command.is_empty()
    }

    /// Whether it is a shell that reads the lines typed at its terminal.
    pub fn reads_terminal(&self) -> bool {
        matches!(self.command.as_slice(), [shell] if is_shell(shell))
            && self.stdin == Stdin::Terminal
    }

    /// Whether it has started and reads what is typed now.
    pub fn reads_input(&self) -> bool {
        self.reads_terminal() && (self.shell.is_some() || self.running.is_some())
    }

    /// Whether it has started.
    pub fn started(&self) -> bool {
        self.shell.is_some() || self.running.is_some()
    }

    pub fn wake(&self) -> Option<SimTime> {
        self.wake_at
    }

    /// Whether it ends by itself: a command does; a shell reading the terminal waits for input until it ends,
    /// and an image's server (nothing to run) until it is stopped.
    pub fn ends_by_itself(&self) -> bool {
        self.has_command() && !self.reads_terminal()
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
    fn show_prompt(&self, io: &mut Io) {
        if let (true, Some(shell)) = (self.tty, &self.shell) {
            io.write(Stream::Stdout, &self.prompt(shell));
        }
    }

    /// Pipes `text` to it whole, before it starts: what a client sent on stdin and then closed.
    pub fn pipe(&mut self, text: String) {
        self.stdin = Stdin::Piped(text);
    }

    /// The runtime's refusal to start it, checked without starting it: a program its image does not have.
    pub fn missing_program(&self, cluster: &Cluster) -> Option<String> {
        let pod = self.pod(cluster)?;
        let program = self.command.first()?;
        let image = Image::of(&image_of(&pod, &self.container));
        (!self.reads_terminal() && !image.has(program)).then(|| not_found(&pod, &self.command))
    }

    /// Starts it in its container, which runs: a shell reading the terminal shows its prompt; a command runs
    /// as far as it can now. Its exit, if it has already ended; the runtime's refusal of a program the image
    /// does not have.
    pub fn start(&mut self, cluster: &mut Cluster, io: &mut Io) -> Result<Option<i32>, String> {
        let Some(pod) = self.pod(cluster) else {
            return Ok(None);
        };
        if !self.has_command() {
            return Ok(None);
        }
        let machine = Machine::new(cluster, pod.clone(), &self.container, self.tty);
        let cwd = working_dir(&pod, &self.container);
        if self.reads_terminal() {
            let dialect = machine.dialect_of(&self.command[0]);
            self.shell = Some(machine.shell(dialect, &cwd));
            self.show_prompt(io);
            return Ok(None);
        }
        if !machine.image.has(&self.command[0]) {
            return Err(not_found(&pod, &self.command));
        }
        // The command runs as its words, in the image's shell only for the words' sake.
        let dialect = machine.dialect_of("sh");
        let script: Vec<String> = self.command.iter().map(|w| quote(w)).collect();
        let mut job = Job::start(&script.join(" "), machine.shell(dialect, &cwd));
        if let Stdin::Piped(text) = &self.stdin {
            if !text.is_empty() {
                job = job.with_stdin(text);
            }
        }
        self.running = Some(job);
        Ok(self.run(cluster, io))
    }

    /// Lets what runs go on; its status once it has ended.
    fn run(&mut self, cluster: &mut Cluster, io: &mut Io) -> Option<i32> {
        let pod = self.pod(cluster)?;
        let job = self.running.as_mut()?;
        let mut machine = Machine::new(cluster, pod, &self.container, self.tty);
        let poll = job.poll(&mut machine);
        io.append(&job.take_output());
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

    /// Lets it go on at the cluster's instant, a shell running each line typed (`input`) in turn; `exit` or
    /// the end of input ends a shell, and its container stopping kills it. How it ended, once it has.
    pub fn poll(&mut self, cluster: &mut Cluster, input: &mut Input, io: &mut Io) -> Option<Exit> {
        let running = self.pod(cluster).is_some_and(|pod| {
            pod.metadata.deletion_timestamp.is_none()
                && check_running(&pod, &self.container).is_ok()
        });
        if !running {
            self.wake_at = None;
            return Some(Exit::Killed);
        }
        loop {
            if self.running.is_some() {
                let status = self.run(cluster, io)?;
                let job = self.running.take().expect("it ran");
                if !self.reads_terminal() {
                    return Some(Exit::Status(status));
                }
                let exited = job.exit_called();
                self.shell = Some(job.into_session());
                if exited {
                    return Some(Exit::Status(status));
                }
                self.show_prompt(io);
            }
            let Some(line) = input.lines.pop_front() else {
                break;
            };
            if self.echo_lines {
                io.write(Stream::Stdout, &format!("{line}\n"));
            }
            let shell = self.shell.take()?;
            self.running = Some(Job::start(&line, shell));
        }
        if input.closed && self.shell.is_some() {
            // The end of input at the prompt: the shell exits with its last status, and the terminal moves to a
            // new line.
            io.write(Stream::Stdout, "\n");
            let status = self.shell.as_ref().map_or(0, |s| s.status);
            return Some(Exit::Status(status));
        }
        None
    }

    /// Ctrl-C at its terminal: what runs in the foreground is interrupted. A shell reading the terminal lives
    /// on and prompts again; a command ends, with the status the interrupt left it.
    pub fn ctrl_c(&mut self, cluster: &mut Cluster, io: &mut Io) -> Option<Exit> {
        let pod = self.pod(cluster)?;
        if let Some(mut job) = self.running.take() {
            job.interrupt(&mut Machine::new(cluster, pod, &self.container, self.tty));
            io.append(&job.take_output());
            self.wake_at = None;
            let status = job.status().unwrap_or(130);
            if !self.reads_terminal() {
                return Some(Exit::Status(status));
            }
            let mut shell = job.into_session();
            shell.status = status;
            self.shell = Some(shell);
        }
        self.show_prompt(io);
        None
    }

    /// The client gone: what runs is interrupted, and nothing follows.
    pub fn interrupt(&mut self, cluster: &mut Cluster) {
        self.wake_at = None;
        if let (Some(mut job), Some(pod)) = (self.running.take(), self.pod(cluster)) {
            job.interrupt(&mut Machine::new(cluster, pod, &self.container, self.tty));
        }
    }
}

/// The directory a process starts in: the container's `workingDir`, else `/`.
fn working_dir(pod: &Pod, container: &str) -> String {
    pod.spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.working_dir.clone())
        .unwrap_or_else(|| "/".into())
}

/// The runtime's refusal to start a program the image does not have, as containerd words it.
fn not_found(pod: &Pod, command: &[String]) -> String {
    format!(
        "failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": executable file not found in $PATH: unknown",
        exec_id(pod, command),
        command[0]
    )
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
