//! `pods/exec` and `pods/attach`: what the apiserver checks before it hands a stream to the pod's kubelet
//! (pkg/registry/core/pod/strategy.go: `ExecLocation`, `AttachLocation`, `streamLocation`), and the stream
//! itself as the client meets it through the apiserver's WebSocket-to-SPDY translator
//! (k8s.io/apiserver/pkg/util/proxy/streamtranslator.go): the process's output, what the client types, and
//! its end as a `metav1.Status` on the error channel. The transport (`ordinal serve-api`) frames it as
//! `v5.channel.k8s.io` over a WebSocket; `Timeline::open_stream` runs it as a step of its own terminal, so that
//! what a client typed replays.

use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};

use super::handlers::route;
use super::status::StatusError;
use super::{query_parameter, segments, Request, Response};
use crate::cluster::Cluster;
use crate::container::process::{check_running, image_command, Exit, Process, Stdin};
use crate::object::ObjectKey;
use crate::shell::{Input, Io, Stream as Channel};

/// An exec or attach request the apiserver accepted: the pod's kubelet is asked for this stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exec {
    pub pod: ObjectKey,
    pub container: String,
    /// `command=` (exec); an attach reaches the container's own process.
    pub command: Vec<String>,
    pub stdin: bool,
    pub tty: bool,
    pub attach: bool,
}

/// Whether `request` asks for an exec or attach stream: None when it does not; else the stream to open, or
/// the apiserver's refusal.
pub fn open_stream(cluster: &Cluster, request: &Request) -> Option<Result<Exec, Response>> {
    let segments = segments(request.path);
    let ["api", "v1", rest @ ..] = segments.as_slice() else {
        return None;
    };
    let target = route("", "v1", rest).ok()?;
    let attach = match target.subresource? {
        "exec" => false,
        "attach" => true,
        _ => return None,
    };
    if !matches!(request.method, "GET" | "POST") {
        return Some(Err(StatusError::method_not_allowed().to_response()));
    }
    let name = target.name.unwrap_or_default();
    let opened = cluster
        .store()
        .get::<Pod>(&target.key(name))
        .ok_or_else(|| StatusError::not_found(target.kind, name))
        .and_then(|pod| {
            let container = stream_container(pod, request)?;
            if !crate::api::pod::has_host(pod) {
                return Err(StatusError::bad_request(format!(
                    "pod {name} does not have a host assigned"
                )));
            }
            let command = match attach {
                true => own_command(pod, &container),
                false => query_parameters(request.query, "command"),
            };
            Ok(Exec {
                pod: target.key(name),
                container,
                command,
                stdin: flag(request, "stdin"),
                tty: flag(request, "tty"),
                attach,
            })
        });
    Some(opened.map_err(|e| e.to_response()))
}

/// The kubelet's answer to a stream asked for without upgrading the connection (`curl` on the path): its
/// SPDY upgrader's refusal, without the request's headers it dumps after it.
pub fn not_upgraded() -> Response {
    Response {
        status: 400,
        content_type: "text/plain; charset=utf-8".into(),
        body: b"unable to upgrade: missing upgrade headers in request\n".to_vec(),
        warnings: Vec::new(),
    }
}

/// `streamLocation`'s choice of container: the one named, which must be the pod's; else the only one.
fn stream_container(pod: &Pod, request: &Request) -> Result<String, StatusError> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let names = |containers: &[k8s_openapi::api::core::v1::Container]| {
        containers
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match query_parameter(request.query, "container").filter(|c| !c.is_empty()) {
        Some(asked) => {
            let known = spec
                .containers
                .iter()
                .chain(spec.init_containers.iter().flatten())
                .any(|c| c.name == asked);
            if known {
                Ok(asked)
            } else {
                Err(StatusError::bad_request(format!(
                    "container {asked} is not valid for pod {name}"
                )))
            }
        }
        None => match spec.containers.as_slice() {
            [only] => Ok(only.name.clone()),
            [] => Err(StatusError::bad_request(format!(
                "a container name must be specified for pod {name}"
            ))),
            many => {
                let mut message = format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names(many)
                );
                if let Some(init) = spec.init_containers.as_deref().filter(|i| !i.is_empty()) {
                    message += &format!(" or one of the init containers: [{}]", names(init));
                }
                Err(StatusError::bad_request(message))
            }
        },
    }
}

/// What an attach reaches: the container's command and arguments, else its image's own.
fn own_command(pod: &Pod, container: &str) -> Vec<String> {
    let spec = pod
        .spec
        .iter()
        .flat_map(|s| &s.containers)
        .find(|c| c.name == container);
    let words: Vec<String> = spec
        .into_iter()
        .flat_map(|c| c.command.iter().flatten().chain(c.args.iter().flatten()))
        .cloned()
        .collect();
    match words.is_empty() {
        true => image_command(pod, container),
        false => words,
    }
}

/// A boolean query parameter as `Convert_Slice_string_To_bool` reads it.
fn flag(request: &Request, name: &str) -> bool {
    query_parameter(request.query, name)
        .is_some_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "false" | "0"))
}

/// Every value of a repeated query parameter, in order (`command=sh&command=-c&command=…`).
fn query_parameters(query: &str, name: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (super::percent_decode(key) == name).then(|| super::percent_decode(value))
        })
        .collect()
}

/// The kubelet's refusal of a stream the apiserver accepted, sent on the error channel once the client's
/// WebSocket is open: no running container of that name (the translator's SPDY upgrade fails), or a program
/// the image does not have (the runtime's error, which the translator wraps a second time).
pub fn refusal(cluster: &Cluster, exec: &Exec) -> Option<Value> {
    let pod = cluster.store().get::<Pod>(&exec.pod)?;
    if check_running(pod, &exec.container).is_err() {
        let cause = format!(
            "unable to upgrade connection: container not found (\"{}\")",
            exec.container
        );
        return Some(internal_error(&cause));
    }
    let process = Process::new(
        pod,
        &exec.container,
        exec.command.clone(),
        exec.tty,
        Stdin::Terminal,
    );
    let missing = process.missing_program(cluster)?;
    let runtime =
        format!("Internal error occurred: error executing command in container: {missing}");
    Some(internal_error(&runtime))
}

/// `errors.NewInternalError`, as the error channel carries it.
fn internal_error(cause: &str) -> Value {
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!("Internal error occurred: {cause}"),
        "reason": "InternalError",
        "details": { "causes": [{ "message": cause }] },
        "code": 500,
    })
}

impl Exec {
    /// The error channel's last word on a stream whose process ended with `status`: for an exec, success or
    /// the exit code as the translator words it (`codeExitToStatusError`); an attach ends in success
    /// whatever the process did, the pod's status telling the rest.
    pub fn end_status(&self, status: i32) -> Value {
        if status == 0 || self.attach {
            return json!({ "metadata": {}, "status": "Success" });
        }
        json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("command terminated with non-zero exit code: command terminated with exit code {status}"),
            "reason": "NonZeroExitCode",
            "details": { "causes": [{ "reason": "ExitCode", "message": status.to_string() }] },
        })
    }
}

/// The kubelet's side of a stream: the process, what the client types into it, and what it writes back.
/// Without a tty, input sent with `stdin` is collected until the client closes it and piped whole, as a
/// script piped to `kubectl exec -i` is; with one, it goes through the terminal's line discipline: echoed,
/// assembled into lines, `^C` and `^D` understood, and output lines end in `\r\n`.
#[derive(Clone, Debug)]
pub struct ExecStream {
    /// None when the pod was gone before the stream opened.
    process: Option<Process>,
    exec: Exec,
    /// Without a tty: what has come on stdin, until the client closes it.
    piped: Option<String>,
    /// What the process reads from its terminal: whole lines, and the end of input.
    input: Input,
    /// With a tty: what was typed since the last line.
    line: String,
    /// What it wrote that the client has not been sent.
    io: Io,
    exit: Option<i32>,
    /// What the client sent that the process has not been given yet (`None`: it closed its input).
    sent: Vec<Option<String>>,
}

impl ExecStream {
    /// The stream for `exec`, started at once unless it waits for its piped input.
    pub fn open(cluster: &mut Cluster, exec: &Exec) -> ExecStream {
        let pod = cluster.store().get::<Pod>(&exec.pod).cloned();
        let waits_for_input = exec.stdin && !exec.tty;
        let stdin = match waits_for_input {
            true => Stdin::Piped(String::new()),
            false => Stdin::Terminal,
        };
        let process = pod.as_ref().map(|pod| {
            Process::new(pod, &exec.container, exec.command.clone(), exec.tty, stdin)
                .echoing_nothing()
        });
        let mut stream = ExecStream {
            process,
            exec: exec.clone(),
            piped: waits_for_input.then(String::new),
            input: Input::default(),
            line: String::new(),
            io: Io::default(),
            exit: None,
            sent: Vec::new(),
        };
        if stream.process.is_none() {
            stream.exit = Some(Exit::Killed.status());
        } else if stream.piped.is_none() {
            stream.start(cluster);
        }
        stream
    }

    fn start(&mut self, cluster: &mut Cluster) {
        let Some(process) = self.process.as_mut() else {
            return;
        };
        match process.start(cluster, &mut self.io) {
            Ok(Some(status)) => self.end(cluster, status),
            Ok(None) => {}
            // The transport refused this before the stream opened (`refusal`); a replay meets it only if the
            // cluster changed under it, and ends as a shell does for a command it cannot run.
            Err(refusal) => {
                self.io.write(Channel::Stderr, &format!("{refusal}\n"));
                self.end(cluster, 126);
            }
        }
    }

    /// The process ended: an attached one was the container's own, which then exits with it.
    fn end(&mut self, cluster: &mut Cluster, status: i32) {
        self.exit = Some(status);
        if self.exec.attach && self.process.as_ref().is_some_and(Process::has_command) {
            cluster.exit_container(&self.exec.pod, &self.exec.container, status);
        }
    }

    /// What the client sent on stdin (`None`: it closed it), given to the process when it is next polled.
    pub fn key(&mut self, sent: Option<&str>) {
        self.sent.push(sent.map(str::to_string));
    }

    fn give(&mut self, cluster: &mut Cluster, sent: Option<&str>) {
        if self.exit.is_some() || !self.exec.stdin {
            return;
        }
        if let Some(piped) = self.piped.as_mut() {
            match sent {
                Some(text) => piped.push_str(text),
                None => {
                    let text = self.piped.take().unwrap_or_default();
                    if let Some(process) = self.process.as_mut() {
                        process.pipe(text);
                    }
                    self.start(cluster);
                }
            }
            return;
        }
        match sent {
            None => self.input.closed = true,
            Some(text) if self.exec.tty => self.type_at_terminal(cluster, text),
            Some(text) => {
                self.line.push_str(text);
                while let Some(end) = self.line.find('\n') {
                    let line: String = self.line.drain(..=end).collect();
                    self.input
                        .lines
                        .push_back(line.trim_end_matches('\n').to_string());
                }
            }
        }
    }

    /// A tty's canonical line discipline: each key echoed, Enter ending a line, Backspace erasing, `^C`
    /// interrupting what runs, `^D` on an empty line ending input.
    fn type_at_terminal(&mut self, cluster: &mut Cluster, text: &str) {
        for key in text.chars() {
            match key {
                '\r' | '\n' => {
                    self.io.write(Channel::Stdout, "\n");
                    self.input.lines.push_back(std::mem::take(&mut self.line));
                }
                '\u{7f}' | '\u{8}' => {
                    if self.line.pop().is_some() {
                        self.io.write(Channel::Stdout, "\u{8} \u{8}");
                    }
                }
                '\u{3}' => {
                    self.io.write(Channel::Stdout, "^C\n");
                    self.line.clear();
                    let exit = self
                        .process
                        .as_mut()
                        .and_then(|process| process.ctrl_c(cluster, &mut self.io));
                    if let Some(exit) = exit {
                        self.end(cluster, exit.status());
                        return;
                    }
                }
                '\u{4}' if self.line.is_empty() => self.input.closed = true,
                key => {
                    self.line.push(key);
                    self.io.write(Channel::Stdout, &key.to_string());
                }
            }
        }
    }

    /// Lets the process go on at the cluster's instant. Returns whether it has ended.
    pub fn poll(&mut self, cluster: &mut Cluster) -> bool {
        for sent in std::mem::take(&mut self.sent) {
            self.give(cluster, sent.as_deref());
        }
        let exit = match self.process.as_mut() {
            Some(process) if self.exit.is_none() && process.started() => {
                process.poll(cluster, &mut self.input, &mut self.io)
            }
            _ => None,
        };
        if let Some(exit) = exit {
            self.end(cluster, exit.status());
        }
        self.exit.is_some()
    }

    /// Its exit status, once it has ended.
    pub fn exit(&self) -> Option<i32> {
        self.exit
    }

    pub fn wake(&self) -> Option<crate::time::SimTime> {
        self.process.as_ref().and_then(Process::wake)
    }

    /// Whether what is typed now is read: by a shell at its prompt, or by the client's stdin.
    pub fn reads_input(&self) -> bool {
        self.exit.is_none() && self.exec.stdin
    }

    /// The client went away: what runs is interrupted, and an exec ends as SIGHUP ends it.
    pub fn interrupt(&mut self, cluster: &mut Cluster) {
        if self.exit.is_none() {
            if let Some(process) = self.process.as_mut() {
                process.interrupt(cluster);
            }
            self.exit = Some(129);
        }
    }

    /// What it wrote since the last call: with a tty, one stream whose lines end in `\r\n`, as the terminal's
    /// output processing (ONLCR) sends them.
    pub fn take_output(&mut self) -> Io {
        let io = std::mem::take(&mut self.io);
        if !self.exec.tty {
            return io;
        }
        let mut out = Io::default();
        for (_, text) in io.pieces() {
            out.write(Channel::Stdout, &text.replace('\n', "\r\n"));
        }
        out
    }
}
