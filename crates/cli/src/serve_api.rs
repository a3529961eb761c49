//! `ordinal serve-api`: the simulated cluster behind the Kubernetes REST API, for a real kubectl (or any
//! client-go program) to talk to over plain HTTP. The answers are the core's (`ordinal_sim::endpoints`); this
//! carries them over HTTP, plays the cluster by the wall clock at `--speed`, writes a kubeconfig, and serves a
//! small control endpoint outside the Kubernetes paths for tests and scripts:
//!
//! - `GET /ordinal/clock`: the simulated instant, and whether the clock is paused;
//! - `POST /ordinal/pause`, `POST /ordinal/resume`;
//! - `POST /ordinal/step?to=DURATION`: runs the cluster on to that instant (`90s`, `2m`), paused or not.
//!
//! Watches (`?watch=true`) stay open: each is streamed, chunk by chunk as the clock plays, the store's events
//! it selects (`endpoints::Watch`).
//!
//! There is no authentication, as with `kubectl proxy`: it listens on 127.0.0.1 unless `--address` says
//! otherwise.

use std::collections::VecDeque;
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ordinal_sim::cluster::Cluster;
use ordinal_sim::endpoints::exec::{self, Exec};
use ordinal_sim::endpoints::{self, LogFollow, Request, Response, Watch};
use ordinal_sim::store::WatchEvent;
use ordinal_sim::time::parse_duration;
use ordinal_sim::timeline::Timeline;
use ordinal_sim::SimTime;
use serde_json::{json, Value};

use crate::clock::{parse_speed, Clock};
use crate::flags;
use crate::http::{self, Chunked, Connection, Incoming, WebSocket};
use crate::websocket::{Frame, NORMAL_CLOSURE};

pub struct Options {
    pub scenario: Option<String>,
    pub address: IpAddr,
    /// 0: any free port.
    pub port: u16,
    pub speed: f64,
    /// Where to write the kubeconfig; by default `<temporary directory>/ordinal/<name>.kubeconfig`.
    pub kubeconfig: Option<PathBuf>,
    /// What object timestamps count from, in seconds since 1970: the wall clock at start unless `--epoch`
    /// names an instant (the tests name the scenarios' own, 2025-01-01T00:00:00Z, to compare with the console).
    pub epoch: Option<i64>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            scenario: None,
            address: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            speed: 1.0,
            kubeconfig: None,
            epoch: None,
        };
        let known = ["--speed", "--port", "--address", "--kubeconfig", "--epoch"];
        options.scenario = flags::parse(args, &known, |name, value| {
            match name {
                "--speed" => options.speed = parse_speed(&value)?,
                "--port" => {
                    options.port = value
                        .parse()
                        .map_err(|_| "--port takes a port number, 0 for any free one")?
                }
                "--address" => {
                    options.address = value
                        .parse()
                        .map_err(|_| "--address takes an IP address, such as 127.0.0.1")?
                }
                "--epoch" => {
                    options.epoch = Some(
                        ordinal_sim::time::instant_seconds(&value)
                            .ok_or("--epoch takes an instant, such as 2025-01-01T00:00:00Z")?,
                    )
                }
                _ => options.kubeconfig = Some(value.into()),
            }
            Ok(())
        })?;
        Ok(options)
    }
}

/// Serves until Ctrl-C.
pub fn run(options: Options) -> Result<(), String> {
    // Before the cluster is made: its first objects are stamped as it starts.
    let epoch = options.epoch.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs() as i64)
    });
    ordinal_sim::time::set_epoch(epoch);
    let (mut timeline, scenario_name) = crate::console::open(options.scenario.as_deref())?;
    let name = context_name(scenario_name.as_deref(), options.scenario.as_deref());
    let (bound, requests) = http::serve(options.address, options.port)
        .map_err(|e| format!("cannot listen on {}:{}: {e}", options.address, options.port))?;
    let port = bound.port();
    let url = format!("http://{}:{port}", host_in_url(options.address));
    let kubeconfig = options.kubeconfig.clone().unwrap_or_else(|| {
        std::env::temp_dir()
            .join("ordinal")
            .join(format!("{name}.kubeconfig"))
    });
    write_kubeconfig(&kubeconfig, &name, &url)?;

    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let interrupted = interrupted.clone();
        ctrlc::set_handler(move || interrupted.store(true, Ordering::SeqCst))
            .map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
    }
    let mut banner = format!(
        "Serving the simulated cluster {name:?} on {url}, its clock at {}x the wall clock.\n",
        options.speed
    );
    if !options.address.is_loopback() {
        banner += &format!("Warning: there is no authentication; anyone who reaches {url} can read and change this cluster.\n");
    }
    banner += &format!(
        "export KUBECONFIG={}\nCtrl-C stops it.\n",
        kubeconfig.display()
    );
    say(&banner);

    let mut clock = Clock::start(timeline.now(), options.speed);
    let mut watches = Watches::open(&mut timeline);
    let mut follows = Follows::default();
    let mut streams = Streams::default();
    while !interrupted.load(Ordering::SeqCst) {
        let incoming = match requests.recv_timeout(Duration::from_millis(20)) {
            Ok(incoming) => Some(incoming),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err("the server stopped".into()),
        };
        timeline.seek(clock.now().max(timeline.now()));
        watches.deliver(&mut timeline);
        follows.deliver(timeline.cluster());
        streams.deliver(&mut timeline);
        if let Some(incoming) = incoming {
            let answer = answer(&incoming, &mut timeline, &mut clock);
            let connection = incoming.connection;
            match answer {
                Answer::Whole(response) => connection.respond(&response),
                Answer::Watch(watch) => watches.start(connection, watch, &timeline),
                Answer::Follow(follow) => follows.start(connection, follow, timeline.cluster()),
                Answer::Stream {
                    key,
                    protocol,
                    exec,
                    opened,
                } => streams.start(connection, &key, protocol, exec, opened),
            }
        }
    }
    watches.close_all();
    follows.close_all();
    streams.close_all(&mut timeline);
    say("Stopped.\n");
    Ok(())
}

/// How many watch events are kept for watches that start from a resourceVersion, as the watch cache keeps a
/// window of them; one older than the window is refused with 410 Expired.
const HISTORY: usize = 10_000;

/// The watches clients hold open, fed from one cluster watch per served kind.
struct Watches {
    feeds: Vec<u64>,
    history: VecDeque<WatchEvent>,
    /// The resourceVersion of the last event dropped from the history, if any was.
    dropped_up_to: Option<u64>,
    open: Vec<Open>,
}

/// A watch and the connection it streams to.
struct Open {
    watch: Watch,
    writer: Chunked,
    ends: Option<Instant>,
    /// When it is sent its next BOOKMARK, if it takes them.
    bookmark_at: Option<Instant>,
}

/// How often a watch that takes bookmarks is sent one (the watch cache's `bookmarkFrequency`).
const BOOKMARK_FREQUENCY: Duration = Duration::from_secs(60);

/// When a watch is next sent a bookmark, as `cacheWatcher.nextBookmarkTime` decides: a minute on, or two
/// seconds before it times out if that comes first; none once that instant has passed, or for a watch that
/// does not take them.
fn next_bookmark(watch: &Watch, ends: Option<Instant>, now: Instant) -> Option<Instant> {
    if !watch.bookmarks {
        return None;
    }
    let heartbeat = now + BOOKMARK_FREQUENCY;
    let at = match ends {
        Some(ends) => heartbeat.min(ends.checked_sub(Duration::from_secs(2))?),
        None => heartbeat,
    };
    (at >= now).then_some(at)
}

fn version_of(event: &WatchEvent) -> u64 {
    let version = event.object.metadata().resource_version.as_deref();
    version.and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl Watches {
    fn open(timeline: &mut Timeline) -> Watches {
        Watches {
            feeds: endpoints::served_kinds()
                .into_iter()
                .map(|kind| timeline.open_watch(kind))
                .collect(),
            history: VecDeque::new(),
            dropped_up_to: None,
            open: Vec::new(),
        }
    }

    /// Sends every open watch what happened since the last call, in resourceVersion order, and ends the
    /// watches whose time is up or whose client has gone.
    fn deliver(&mut self, timeline: &mut Timeline) {
        let mut fresh: Vec<WatchEvent> = self
            .feeds
            .iter()
            .flat_map(|feed| timeline.take_watched(*feed))
            .collect();
        fresh.sort_by_key(version_of);
        let now = Instant::now();
        let version = timeline.cluster().store().resource_version();
        self.open.retain_mut(|open| {
            let mut sent = fresh
                .iter()
                .filter_map(|event| open.watch.event(event))
                .try_for_each(|line| open.writer.chunk(&line));
            if open.bookmark_at.is_some_and(|at| now >= at) {
                sent = sent.and_then(|()| open.writer.chunk(&open.watch.bookmark(version)));
                open.bookmark_at = next_bookmark(&open.watch, open.ends, now);
            }
            // A watch whose time is up is dropped, which ends its stream.
            let expired = open.ends.is_some_and(|ends| now >= ends);
            sent.is_ok() && !expired
        });
        self.history.extend(fresh);
        while self.history.len() > HISTORY {
            self.dropped_up_to = self.history.pop_front().map(|e| version_of(&e));
        }
    }

    /// Answers a watch request: the stream's head, what the watch starts with, then it stays open.
    fn start(&mut self, connection: Connection, watch: Watch, timeline: &Timeline) {
        if let (Some(since), Some(dropped)) = (watch.since(), self.dropped_up_to) {
            if since < dropped {
                let oldest = self.history.front().map_or(dropped + 1, version_of);
                return connection.respond(&endpoints::expired(since, oldest));
            }
        }
        let cluster = timeline.cluster();
        let lines: Vec<Vec<u8>> = match watch.since() {
            _ if watch.starts_with_objects() => watch.initial(cluster),
            Some(_) => self
                .history
                .iter()
                .filter_map(|event| watch.event(event))
                .collect(),
            // From now: what happens next.
            None => Vec::new(),
        };
        let Ok(mut writer) = connection.stream(watch.content_type()) else {
            return;
        };
        if lines.iter().try_for_each(|line| writer.chunk(line)).is_ok() {
            let now = Instant::now();
            let ends = watch
                .timeout_seconds
                .map(|seconds| now + Duration::from_secs(seconds));
            let bookmark_at = next_bookmark(&watch, ends, now);
            self.open.push(Open {
                watch,
                writer,
                ends,
                bookmark_at,
            });
        }
    }

    /// Ends every stream, as a server that stops closes its watches.
    fn close_all(&mut self) {
        self.open.clear();
    }
}

/// The logs clients follow (`kubectl logs -f`), each streamed as its container writes.
#[derive(Default)]
struct Follows {
    open: Vec<(LogFollow, Chunked)>,
}

impl Follows {
    /// Answers a follow: the head of a chunked text stream, what the container has written so far, then
    /// what it writes.
    fn start(&mut self, connection: Connection, mut follow: LogFollow, cluster: &Cluster) {
        let Ok(mut writer) = connection.stream("text/plain") else {
            return;
        };
        let first = follow.next(cluster).unwrap_or_default();
        if writer.chunk(&first).is_ok() {
            self.open.push((follow, writer));
        }
    }

    /// Sends what each followed container wrote since; a stream ends when its container is gone.
    fn deliver(&mut self, cluster: &Cluster) {
        self.open
            .retain_mut(|(follow, writer)| match follow.next(cluster) {
                Some(new) => writer.chunk(&new).is_ok(),
                // Dropped, which ends its stream.
                None => false,
            });
    }

    fn close_all(&mut self) {
        self.open.clear();
    }
}

/// The exec and attach streams clients hold open, each a step of the timeline (`Timeline::open_stream`).
#[derive(Default)]
struct Streams {
    open: Vec<OpenStream>,
}

/// A stream and its client's WebSocket.
struct OpenStream {
    step: usize,
    exec: Exec,
    socket: WebSocket,
    frames: Receiver<Frame>,
    /// How much of the step's stdout and stderr the client has been sent.
    sent: (usize, usize),
}

/// The channels of `v5.channel.k8s.io`: the first byte of each binary message.
mod channel {
    pub const STDIN: u8 = 0;
    pub const STDOUT: u8 = 1;
    pub const STDERR: u8 = 2;
    /// The process's end, as a `metav1.Status`.
    pub const ERROR: u8 = 3;
    /// A message on it closes the channel its second byte names (v5).
    pub const CLOSE: u8 = 255;
}

impl Streams {
    /// Upgrades the connection and starts the stream, or sends the kubelet's refusal and closes.
    fn start(
        &mut self,
        connection: Connection,
        key: &str,
        protocol: &str,
        exec: Exec,
        opened: Result<usize, Value>,
    ) {
        let Ok((mut socket, frames)) = connection.upgrade(key, protocol) else {
            return;
        };
        match opened {
            Ok(step) => self.open.push(OpenStream {
                step,
                exec,
                socket,
                frames,
                sent: (0, 0),
            }),
            Err(refusal) => end(&mut socket, &refusal),
        }
    }

    /// Hands each stream's process what its client sent, and the client what the process wrote; a stream
    /// whose process ended is sent its status and closed, and one whose client went away is interrupted.
    fn deliver(&mut self, timeline: &mut Timeline) {
        self.open.retain_mut(|stream| {
            loop {
                match stream.frames.try_recv() {
                    Ok(Frame::Binary(message)) => match message.split_first() {
                        Some((&channel::STDIN, data)) => timeline
                            .send_to_stream(stream.step, Some(&String::from_utf8_lossy(data))),
                        Some((&channel::CLOSE, [channel::STDIN])) => {
                            timeline.send_to_stream(stream.step, None)
                        }
                        // Terminal resizes change nothing a simulated shell prints.
                        _ => {}
                    },
                    Ok(Frame::Ping(data)) => {
                        let _ = stream.socket.send(&Frame::Pong(data));
                    }
                    Ok(Frame::Close(_)) | Err(TryRecvError::Disconnected) => {
                        timeline.close_stream(stream.step);
                        let _ = stream.socket.send(&Frame::Close(Some(NORMAL_CLOSURE)));
                        return false;
                    }
                    Ok(Frame::Text(_) | Frame::Pong(_)) => {}
                    Err(TryRecvError::Empty) => break,
                }
            }
            let Some((output, running)) = timeline.step_output(stream.step) else {
                return false;
            };
            let (out, err) = stream.sent;
            let sent = [
                (channel::STDOUT, &output.stdout.as_bytes()[out..]),
                (channel::STDERR, &output.stderr.as_bytes()[err..]),
            ]
            .into_iter()
            .filter(|(_, new)| !new.is_empty())
            .try_for_each(|(channel, new)| {
                let mut message = vec![channel];
                message.extend_from_slice(new);
                stream.socket.send(&Frame::Binary(message))
            });
            stream.sent = (output.stdout.len(), output.stderr.len());
            if sent.is_err() {
                timeline.close_stream(stream.step);
                return false;
            }
            if !running {
                end(
                    &mut stream.socket,
                    &stream.exec.end_status(output.exit_code),
                );
            }
            running
        });
    }

    /// The server stops: every stream's process is interrupted and its client's connection closed.
    fn close_all(&mut self, timeline: &mut Timeline) {
        for mut stream in self.open.drain(..) {
            timeline.close_stream(stream.step);
            let _ = stream.socket.send(&Frame::Close(Some(NORMAL_CLOSURE)));
        }
    }
}

/// Ends a stream: its status on the error channel, then the closing handshake.
fn end(socket: &mut WebSocket, status: &Value) {
    let mut message = vec![channel::ERROR];
    message.extend_from_slice(status.to_string().as_bytes());
    let _ = socket
        .send(&Frame::Binary(message))
        .and_then(|()| socket.send(&Frame::Close(Some(NORMAL_CLOSURE))));
}

/// Prints to stdout; a reader that has gone away (`| head -2`) does not stop the server.
fn say(text: &str) {
    let mut stdout = std::io::stdout();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// The kubeconfig's cluster, user and context name: the scenario's name, its file's, or `ordinal`.
fn context_name(scenario_name: Option<&str>, file: Option<&str>) -> String {
    let from_file = file.and_then(|f| {
        std::path::Path::new(f)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
    });
    let raw = scenario_name
        .map(str::to_string)
        .or(from_file)
        .unwrap_or_else(|| "ordinal".into());
    // A name kubectl's --context takes without quoting.
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.trim_matches('-').is_empty() {
        "ordinal".into()
    } else {
        name
    }
}

fn host_in_url(address: IpAddr) -> String {
    match address {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Writes a kubeconfig whose cluster, user and context are `name`, the cluster at `url`.
fn write_kubeconfig(path: &std::path::Path, name: &str, url: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let text = format!(
        "apiVersion: v1
kind: Config
clusters:
- name: {name}
  cluster:
    server: {url}
users:
- name: {name}
  user: {{}}
contexts:
- name: {name}
  context:
    cluster: {name}
    user: {name}
    namespace: default
current-context: {name}
preferences: {{}}
"
    );
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The request as the endpoints read it.
fn api_request(incoming: &Incoming) -> Request<'_> {
    let (path, query) = incoming
        .target
        .split_once('?')
        .unwrap_or((&incoming.target, ""));
    Request {
        method: &incoming.method,
        path,
        query,
        accept: incoming.header("Accept"),
        host: incoming.header("Host"),
        content_type: incoming.header("Content-Type"),
        body: &incoming.body,
    }
}

/// How a request is answered.
enum Answer {
    /// With a response, whole.
    Whole(Response),
    /// With a watch's stream, which stays open.
    Watch(Watch),
    /// With a followed log's stream.
    Follow(LogFollow),
    /// By upgrading to a WebSocket for an exec or attach stream: the step it runs as, or the kubelet's refusal
    /// to send on the error channel.
    Stream {
        key: String,
        protocol: &'static str,
        exec: Exec,
        opened: Result<usize, Value>,
    },
}

/// The channel protocols of remote commands over WebSocket, newest first; v5 adds closing stdin, which
/// kubectl 1.30 and later ask for alone.
const STREAM_PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// The answer to a request: the control endpoint's, or the apiserver's, which records a write (and a stream)
/// as a step of the timeline.
fn answer(incoming: &Incoming, timeline: &mut Timeline, clock: &mut Clock) -> Answer {
    let api = api_request(incoming);
    if let Some(control_path) = api.path.strip_prefix("/ordinal/") {
        return Answer::Whole(control(
            api.method,
            control_path,
            api.query,
            timeline,
            clock,
        ));
    }
    if let Some(opened) = endpoints::open_watch(&api) {
        return opened.map_or_else(Answer::Whole, Answer::Watch);
    }
    if let Some(opened) = endpoints::open_follow(timeline.cluster(), &api) {
        return opened.map_or_else(Answer::Whole, Answer::Follow);
    }
    if let Some(opened) = exec::open_stream(timeline.cluster(), &api) {
        let exec = match opened {
            Ok(exec) => exec,
            Err(refusal) => return Answer::Whole(refusal),
        };
        let key = incoming.header("Sec-WebSocket-Key");
        let websocket =
            incoming.header("Upgrade").eq_ignore_ascii_case("websocket") && !key.is_empty();
        let offered: Vec<&str> = incoming
            .header("Sec-WebSocket-Protocol")
            .split(',')
            .map(str::trim)
            .collect();
        let protocol = STREAM_PROTOCOLS.into_iter().find(|p| offered.contains(p));
        return match (websocket, protocol) {
            (true, Some(protocol)) => Answer::Stream {
                key: key.to_string(),
                protocol,
                opened: timeline.open_stream(&api, &exec),
                exec,
            },
            // SPDY, the protocol before WebSockets, is not served; nor is a stream without an upgrade.
            _ => Answer::Whole(exec::not_upgraded()),
        };
    }
    Answer::Whole(timeline.request(&api))
}

/// The control endpoint.
fn control(
    method: &str,
    path: &str,
    query: &str,
    timeline: &mut Timeline,
    clock: &mut Clock,
) -> Response {
    match (method, path) {
        ("GET", "clock") => {}
        ("POST", "pause") => {
            // The cluster stops where the clock stops, which may be a little after the loop last moved it.
            clock.pause();
            timeline.seek(clock.now().max(timeline.now()));
        }
        ("POST", "resume") => clock.resume(),
        ("POST", "step") => {
            let to = query
                .split('&')
                .find_map(|pair| pair.strip_prefix("to="))
                .ok_or("step needs ?to=DURATION, such as ?to=90s")
                .and_then(|text| {
                    parse_duration(text)
                        .map_err(|_| "step: ?to= takes a duration, such as 90s or 2m")
                });
            match to {
                Ok(to) if to < timeline.now() => {
                    return plain(409, "the clock only moves forward");
                }
                Ok(to) => {
                    timeline.seek(to);
                    clock.jump(to);
                }
                Err(message) => return plain(400, message),
            }
        }
        _ => {
            return plain(
                404,
                "not a control path: GET clock, POST pause, resume, step?to=DURATION",
            )
        }
    }
    clock_state(timeline.now(), clock)
}

fn clock_state(now: SimTime, clock: &Clock) -> Response {
    let body = json!({
        "now": now.to_string(),
        "nowMillis": now.as_millis(),
        "paused": clock.paused(),
        "speed": clock.speed(),
    });
    Response {
        status: 200,
        content_type: "application/json".into(),
        body: format!("{body}\n").into_bytes(),
        warnings: Vec::new(),
    }
}

fn plain(status: u16, message: &str) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8".into(),
        body: format!("{message}\n").into_bytes(),
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_named_after_the_scenario() {
        assert_eq!(context_name(Some("web"), Some("examples/web.yaml")), "web");
        assert_eq!(
            context_name(None, Some("examples/zookeeper.yaml")),
            "zookeeper"
        );
        assert_eq!(context_name(Some("a canary: 2/5"), None), "a-canary--2-5");
        assert_eq!(context_name(None, None), "ordinal");
    }
}
