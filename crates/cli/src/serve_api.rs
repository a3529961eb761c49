//! `ordinal serve-api`: the simulated cluster behind the Kubernetes REST API, for a real kubectl (or any
//! client-go program) to talk to over plain HTTP. The answers are the core's (`ordinal_sim::endpoints`); this
//! carries them over HTTP, plays the cluster by the wall clock at `--speed`, writes a kubeconfig, and serves a
//! small control endpoint outside the Kubernetes paths for tests and scripts:
//!
//! - `GET /ordinal/clock`: the simulated instant, and whether the clock is paused;
//! - `POST /ordinal/pause`, `POST /ordinal/resume`;
//! - `POST /ordinal/step?to=DURATION`: runs the cluster on to that instant (`90s`, `2m`), paused or not.
//!
//! There is no authentication, as with `kubectl proxy`: it listens on 127.0.0.1 unless `--address` says
//! otherwise.

use std::io::{Read, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ordinal_sim::endpoints::{self, Request, Response};
use ordinal_sim::time::parse_duration;
use ordinal_sim::timeline::Timeline;
use ordinal_sim::SimTime;
use serde_json::json;

use crate::clock::{parse_speed, Clock};
use crate::flags;

pub struct Options {
    pub scenario: Option<String>,
    pub address: IpAddr,
    /// 0: any free port.
    pub port: u16,
    pub speed: f64,
    /// Where to write the kubeconfig; by default `<temporary directory>/ordinal/<name>.kubeconfig`.
    pub kubeconfig: Option<PathBuf>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            scenario: None,
            address: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            speed: 1.0,
            kubeconfig: None,
        };
        let known = ["--speed", "--port", "--address", "--kubeconfig"];
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
                _ => options.kubeconfig = Some(value.into()),
            }
            Ok(())
        })?;
        Ok(options)
    }
}

/// Serves until Ctrl-C.
pub fn run(options: Options) -> Result<(), String> {
    let (mut timeline, scenario_name) = crate::console::open(options.scenario.as_deref())?;
    let name = context_name(scenario_name.as_deref(), options.scenario.as_deref());
    let server = tiny_http::Server::http((options.address, options.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", options.address, options.port))?;
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .ok_or("the server has no IP address")?;
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
    while !interrupted.load(Ordering::SeqCst) {
        let request = server
            .recv_timeout(Duration::from_millis(20))
            .map_err(|e| format!("the server stopped: {e}"))?;
        timeline.seek(clock.now().max(timeline.now()));
        if let Some(request) = request {
            answer(request, &mut timeline, &mut clock);
        }
    }
    say("Stopped.\n");
    Ok(())
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

fn header<'a>(request: &'a tiny_http::Request, name: &str) -> &'a str {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map_or("", |h| h.value.as_str())
}

fn answer(mut request: tiny_http::Request, timeline: &mut Timeline, clock: &mut Clock) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let method = request.method().as_str().to_string();
    // The body is not read by any verb served yet; draining it keeps the connection usable.
    let _ = std::io::copy(&mut request.as_reader().take(1 << 20), &mut std::io::sink());
    let response = match path.strip_prefix("/ordinal/") {
        Some(control_path) => control(&method, control_path, query, timeline, clock),
        None => endpoints::serve(
            timeline.cluster(),
            &Request {
                method: &method,
                path,
                query,
                accept: header(&request, "Accept"),
                host: header(&request, "Host"),
            },
        ),
    };
    let content_type = tiny_http::Header::from_bytes("Content-Type", response.content_type)
        .expect("content types are ASCII");
    let reply = tiny_http::Response::from_data(response.body)
        .with_status_code(response.status)
        .with_header(content_type);
    // A client that went away is not the server's failure.
    let _ = request.respond(reply);
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
        ("POST", "pause") => clock.pause(),
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
    }
}

fn plain(status: u16, message: &str) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8".into(),
        body: format!("{message}\n").into_bytes(),
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
