//! What the tests that hold Ordinal against the real kubectl share.
// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What a command printed, and how it exited.
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

/// `ordinal serve-api`, stopped when dropped.
pub struct Server {
    child: Child,
    port: u16,
    pub kubeconfig: PathBuf,
}

impl Server {
    /// Serves `scenario` with `extra` flags besides the kubeconfig and the scenarios' epoch.
    pub fn start(scenario: &Path, kubeconfig: PathBuf, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ordinal"))
            .arg("serve-api")
            .arg(scenario)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            // The scenarios' epoch, so that timestamps are the console's.
            .arg("--epoch")
            .arg("2025-01-01T00:00:00Z")
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("ordinal serve-api starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let first = lines
            .next()
            .expect("serve-api says where it serves")
            .expect("UTF-8");
        let port = first
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        let export = lines.next().expect("the export line").expect("UTF-8");
        assert_eq!(
            export,
            format!("export KUBECONFIG={}", kubeconfig.display())
        );
        // Whatever else it says is read, so that it never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server {
            child,
            port,
            kubeconfig,
        }
    }

    /// The port it listens on, at 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection that has sent a request without a body (`closing`: asking the server to close after it),
    /// to read the answer from.
    pub fn send(&self, method: &str, path: &str, closing: bool) -> TcpStream {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("serve-api listens");
        let close = if closing { "Connection: close\r\n" } else { "" };
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nContent-Length: 0\r\n{close}\r\n"
        )
        .unwrap();
        stream
    }

    /// A request answered whole, the connection closed after it: the status line, headers and body.
    pub fn fetch(&self, method: &str, path: &str) -> String {
        let mut response = String::new();
        self.send(method, path, true)
            .read_to_string(&mut response)
            .unwrap();
        response
    }

    /// A request to the control endpoint; its body.
    pub fn control(&self, method: &str, path: &str) -> String {
        let response = self.fetch(method, &format!("/ordinal/{path}"));
        assert!(
            response.starts_with("HTTP/1.1 200"),
            "{method} {path}: {response}"
        );
        response
            .split("\r\n\r\n")
            .nth(1)
            .unwrap_or_default()
            .to_string()
    }

    /// The simulated instant, in milliseconds, as the control endpoint reads it.
    pub fn clock_millis(&self) -> u64 {
        Server::millis_in(&self.control("GET", "clock"))
    }

    /// The instant a control endpoint's answer names.
    pub fn millis_in(state: &str) -> u64 {
        state
            .split("\"nowMillis\":")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no instant in {state}"))
    }

    pub fn run(&self, kubectl: &Path, line: &str) -> Answer {
        let output = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "kubectl() {{ \"$ORDINAL_REAL_KUBECTL\" \"$@\"; }}\n{line}"
            ))
            .env("ORDINAL_REAL_KUBECTL", kubectl)
            .env("KUBECONFIG", &self.kubeconfig)
            .env_remove("KUBECTL_KUBERC")
            .current_dir(repository())
            .output()
            .expect("bash runs");
        Answer {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            exit_code: output.status.code().unwrap_or(-1),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The machine image's kubectl 1.33 (Google Cloud SDK): the last resort, a release behind the simulated one.
const IMAGE_KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

/// The real kubectl: `$ORDINAL_KUBECTL`; else the simulated release's (1.34), as `scripts/kubectl.sh 1.34`
/// installs it in the cache; else the machine image's 1.33. The test fails, saying how to give one, when there
/// is none.
pub fn real_kubectl() -> PathBuf {
    let cached = std::env::var_os("ORDINAL_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("ordinal")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/ordinal")))
        .map(|cache| cache.join("kubectl/v1.34/kubectl"));
    let path = std::env::var_os("ORDINAL_KUBECTL")
        .map(PathBuf::from)
        .or(cached.filter(|c| c.exists()))
        .unwrap_or_else(|| PathBuf::from(IMAGE_KUBECTL));
    assert!(
        path.exists(),
        "the real kubectl is not at {}: run `bash scripts/kubectl.sh 1.34`, or set ORDINAL_KUBECTL to a kubectl binary",
        path.display()
    );
    path
}
