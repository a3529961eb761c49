//! `ordinal`: runs Ordinal scenarios over the same simulation core the page uses.

use std::io::Write;
use std::process::ExitCode;

use ordinal_sim::scenario::{Record, Scenario};

mod clock;
mod console;
mod flags;
mod http;
mod serve_api;
mod transcript;
mod websocket;

const USAGE: &str = "usage: ordinal run FILE [--output jsonl|transcript]
       ordinal console [FILE] [--speed X] [--script LINES [--wait DURATION]]
       ordinal serve-api [FILE] [--port N] [--speed X] [--address IP] [--kubeconfig FILE]

run: runs a scenario file and prints what happens, in simulated-time order:
  --output transcript   (default) kubectl-style lines: the commands with their output and pod changes
  --output jsonl        one JSON object per line: watch events, COMMAND results, and END last
Exit status: 0 when the scenario ran (failing commands included), 2 when the file is invalid.

console: a terminal on the simulated cluster (the scenario's, or an empty one): bash with kubectl, line
editing and history; the clock follows the wall clock at --speed (default 1); Ctrl-C interrupts a command
that runs on, Ctrl-D leaves. --script types the file's lines instead, without the wall clock, and prints
the transcript; a line that runs on is interrupted after --wait of simulated time (default 60s).
Exit status: the last command's.

serve-api: the simulated cluster (the scenario's, or an empty one) behind the Kubernetes REST API over plain
HTTP, for a real kubectl. It listens on 127.0.0.1 (--address for another; there is no authentication) at
--port (default: any free port), writes a kubeconfig (to --kubeconfig, or a temporary directory), prints the
`export KUBECONFIG=...` line, and plays the clock at --speed times the wall clock. GET /ordinal/clock, POST
/ordinal/pause, /ordinal/resume and /ordinal/step?to=DURATION control the clock. Ctrl-C stops it.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args) {
        Ok(Invocation::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Invocation::Run { file, output }) => run(&file, output),
        Ok(Invocation::ServeApi(options)) => match serve_api::run(options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("ordinal: {message}");
                ExitCode::from(2)
            }
        },
        Ok(Invocation::Console(options)) => match console::run(options) {
            Ok(status) => ExitCode::from(status.clamp(0, 255) as u8),
            Err(message) => {
                eprintln!("ordinal: {message}");
                ExitCode::from(2)
            }
        },
        Err(message) => {
            eprintln!("ordinal: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Jsonl,
    Transcript,
}

enum Invocation {
    Help,
    Run { file: String, output: Output },
    Console(console::Options),
    ServeApi(serve_api::Options),
}

fn parse_args(args: &[String]) -> Result<Invocation, String> {
    let mut iter = args.iter();
    match iter.next().map(String::as_str) {
        None | Some("-h" | "--help" | "help") => return Ok(Invocation::Help),
        Some("run") => {}
        Some("console") => {
            let rest: Vec<String> = iter.cloned().collect();
            return console::Options::parse(&rest).map(Invocation::Console);
        }
        Some("serve-api") => {
            let rest: Vec<String> = iter.cloned().collect();
            return serve_api::Options::parse(&rest).map(Invocation::ServeApi);
        }
        Some(other) => return Err(format!("unknown command {other:?}")),
    }
    let mut file = None;
    let mut output = Output::Transcript;
    while let Some(arg) = iter.next() {
        let value = match arg.split_once('=') {
            Some(("--output" | "-o", value)) => Some(value.to_string()),
            None if arg == "--output" || arg == "-o" => {
                Some(iter.next().cloned().ok_or("--output needs a value")?)
            }
            _ => None,
        };
        match value.as_deref() {
            Some("jsonl") => output = Output::Jsonl,
            Some("transcript") => output = Output::Transcript,
            Some(other) => {
                return Err(format!(
                    "unknown output {other:?} (use jsonl or transcript)"
                ))
            }
            None if arg.starts_with('-') => return Err(format!("unknown flag {arg:?}")),
            None if file.is_some() => return Err("give one scenario file".into()),
            None => file = Some(arg.clone()),
        }
    }
    Ok(Invocation::Run {
        file: file.ok_or("missing scenario file")?,
        output,
    })
}

fn run(file: &str, output: Output) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("ordinal: cannot read {file}: {error}");
            return ExitCode::from(2);
        }
    };
    let scenario = match Scenario::parse(&text) {
        Ok(scenario) => scenario,
        Err(message) => {
            eprintln!("ordinal: {file}: {message}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut transcript = transcript::Transcript::default();
    let mut write_error = None;
    scenario.run(|record: Record| {
        if write_error.is_some() {
            return;
        }
        let text = match output {
            Output::Jsonl => Some(record.to_json_line() + "\n"),
            Output::Transcript => transcript.render(&record),
        };
        if let Some(text) = text {
            if let Err(error) = out.write_all(text.as_bytes()) {
                write_error = Some(error);
            }
        }
    });
    match write_error.map_or_else(|| out.flush(), Err) {
        // A closed pipe (`| head`) is the reader's choice, not a failure of the run.
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("ordinal: {error}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}
