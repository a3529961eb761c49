//! `ordinal console`: the page's console in a terminal. The same timeline and the same shell: a line typed at
//! the prompt runs at the cluster's current instant; simulated time follows the wall clock at `--speed`; a
//! command that goes on (a watch, `sleep`, a container's shell) prints as it runs until it ends, Ctrl-C
//! interrupts it, and a shell opened in a container reads the lines typed until `exit` or Ctrl-D.
//!
//! `--script FILE` types the file's lines instead, without the wall clock: each runs to its end (a command that
//! would run on is interrupted after `--wait` of simulated time, as Ctrl-C would), and what a terminal would show
//! is printed: the documentation transcript of a real run.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{parse_speed, Clock};
use crate::flags;
use ordinal_sim::scenario::Scenario;
use ordinal_sim::shell::syntax::wants_more;
use ordinal_sim::shell::Stream;
use ordinal_sim::time::parse_duration;
use ordinal_sim::timeline::Timeline;
use ordinal_sim::{ClusterConfig, SimTime};

pub struct Options {
    pub scenario: Option<String>,
    pub speed: f64,
    pub script: Option<String>,
    /// How long a scripted line may run on, in simulated time, before it is interrupted.
    pub wait: SimTime,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            scenario: None,
            speed: 1.0,
            script: None,
            wait: SimTime::from_secs(60),
        };
        options.scenario =
            flags::parse(args, &["--speed", "--script", "--wait"], |name, value| {
                match name {
                    "--speed" => options.speed = parse_speed(&value)?,
                    "--script" => options.script = Some(value),
                    _ => {
                        options.wait = parse_duration(&value).map_err(|e| format!("--wait: {e}"))?
                    }
                }
                Ok(())
            })?;
        Ok(options)
    }
}

/// The timeline of a scenario file, or of an empty cluster, and the scenario's name.
pub fn open(file: Option<&str>) -> Result<(Timeline, Option<String>), String> {
    match file {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            let scenario = Scenario::parse(&text).map_err(|e| format!("{file}: {e}"))?;
            Ok((Timeline::from_scenario(&scenario), scenario.name))
        }
        None => Ok((Timeline::new(ClusterConfig::default()), None)),
    }
}

/// Opens the console; the exit status is the last command's, as a shell's is.
pub fn run(options: Options) -> Result<i32, String> {
    let (mut timeline, _) = open(options.scenario.as_deref())?;
    match &options.script {
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
            Ok(script(&mut timeline, &text, options.wait))
        }
        None => interactive(&mut timeline, options.speed),
    }
}

/// Types each line of `text`: the transcript a terminal would show.
fn script(timeline: &mut Timeline, text: &str, wait: SimTime) -> i32 {
    let mut status = 0;
    let mut lines = text.lines();
    while let Some(first) = lines.next() {
        // A line that leaves a quote, a loop or a here-document open goes on on the next, after `> `.
        let mut line = first.to_string();
        println!("$ {first}");
        while wants_more(&line) {
            let Some(more) = lines.next() else { break };
            println!("> {more}");
            line.push('\n');
            line.push_str(more);
        }
        let typed = timeline.type_line(&line);
        show(typed.output.pieces());
        status = typed.output.exit_code;
        if !typed.running {
            continue;
        }
        let give_up = timeline.now().plus_millis(wait.as_millis());
        loop {
            // A shell in a container reads the next lines of the script, as it would read the terminal.
            if timeline.followed_reads_input() {
                timeline.key_followed(lines.next());
            } else if timeline.now() >= give_up {
                timeline.interrupt_followed();
            } else {
                step(timeline, give_up);
            }
            if let Some(code) = print_followed(timeline) {
                status = code;
                break;
            }
        }
    }
    status
}

/// The next instant anything happens, at most `limit`.
fn step(timeline: &mut Timeline, limit: SimTime) {
    let next = timeline
        .cluster()
        .next_event_at()
        .map_or(limit, |at| at.min(limit))
        .max(timeline.now().plus_millis(1));
    timeline.seek(next);
}

/// Prints what the followed line printed; its exit code once it has ended.
fn print_followed(timeline: &mut Timeline) -> Option<i32> {
    let followed = timeline.take_followed()?;
    show(followed.pieces());
    followed.exit_code
}

/// Prints each piece to its stream, in the order printed.
fn show(pieces: Vec<(Stream, &str)>) {
    for (stream, text) in pieces {
        match stream {
            Stream::Stdout => {
                print!("{text}");
                let _ = std::io::stdout().flush();
            }
            Stream::Stderr => eprint!("{text}"),
        }
    }
}

/// A prompt with line editing and history, a clock that follows the wall clock, and Ctrl-C for the command
/// that runs.
fn interactive(timeline: &mut Timeline, speed: f64) -> Result<i32, String> {
    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let interrupted = interrupted.clone();
        ctrlc::set_handler(move || interrupted.store(true, Ordering::SeqCst))
            .map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
    }
    let mut editor =
        rustyline::DefaultEditor::new().map_err(|e| format!("cannot read the terminal: {e}"))?;
    let clock = Clock::start(timeline.now(), speed);
    eprintln!(
        "Ordinal console: a simulated cluster, its clock at {speed}x the wall clock. kubectl and a small bash; Ctrl-D leaves."
    );
    let mut status = 0;
    loop {
        let mut line = match editor.readline("$ ") {
            Ok(line) => line,
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => return Ok(status),
        };
        while wants_more(&line) {
            match editor.readline("> ") {
                Ok(more) => {
                    line.push('\n');
                    line.push_str(&more);
                }
                Err(_) => break,
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(line.as_str());
        timeline.seek(clock.now().max(timeline.now()));
        let typed = timeline.type_line(&line);
        show(typed.output.pieces());
        status = typed.output.exit_code;
        if typed.running {
            status = follow(timeline, &clock, &mut editor, &interrupted);
        }
    }
}

/// Plays the clock while the typed line runs, printing what it prints; Ctrl-C interrupts it, and a shell in a
/// container reads lines from the editor. The terminal has already shown what this prints for a transcript:
/// the line typed (the editor echoed it) and `^C` (the terminal echoes it).
fn follow(
    timeline: &mut Timeline,
    clock: &Clock,
    editor: &mut rustyline::DefaultEditor,
    interrupted: &AtomicBool,
) -> i32 {
    interrupted.store(false, Ordering::SeqCst);
    let mut echoed = String::new();
    loop {
        let mut stopped = false;
        if timeline.followed_reads_input() {
            let line = match editor.readline("") {
                Ok(line) => Some(line),
                Err(rustyline::error::ReadlineError::Interrupted) => {
                    timeline.interrupt_followed();
                    stopped = true;
                    None
                }
                Err(_) => None,
            };
            timeline.seek(clock.now().max(timeline.now()));
            if let Some(line) = &line {
                echoed = format!("{line}\n");
            }
            if !stopped {
                timeline.key_followed(line.as_deref());
            }
        } else if interrupted.swap(false, Ordering::SeqCst) {
            timeline.interrupt_followed();
            stopped = true;
        } else {
            std::thread::sleep(Duration::from_millis(50));
            timeline.seek(clock.now().max(timeline.now()));
        }
        let Some(followed) = timeline.take_followed() else {
            continue;
        };
        let mut pieces: Vec<(Stream, String)> = followed
            .pieces()
            .into_iter()
            .map(|(stream, text)| (stream, text.to_string()))
            .collect();
        // The terminal has shown the typed line already; the session's echo of it is not shown twice.
        if let Some((_, first)) = pieces.iter_mut().find(|(s, _)| *s == Stream::Stdout) {
            if let Some(rest) = first.strip_prefix(echoed.as_str()) {
                *first = rest.to_string();
                echoed.clear();
            }
        }
        if stopped {
            let last = pieces.iter_mut().rev().find(|(s, _)| *s == Stream::Stdout);
            if let Some((_, last)) = last {
                if let Some(kept) = last.strip_suffix("^C\n") {
                    *last = format!("{kept}\n");
                }
            }
        }
        show(pieces.iter().map(|(s, t)| (*s, t.as_str())).collect());
        let exit_code = followed.exit_code;
        if let Some(code) = exit_code {
            return code;
        }
    }
}
