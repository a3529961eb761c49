//! The kubectl subset, shared by scenarios, the CLI and the browser console. It talks to the cluster only
//! through the store, as kubectl talks to the apiserver; commands that wait (`drain`, `run -i`) let the
//! simulation run while they wait, as the real cluster goes on while kubectl blocks.

pub mod apply;
pub use apply::Apply;
pub mod args;
mod delete;
mod describe;
mod edit;
pub mod errors;
mod exec;
mod expose;
mod get;
pub mod help;
mod logs;
mod node;
pub mod printers;
mod rollout;
mod tabwriter;
mod urls;
mod wait;
mod watch;
pub mod yaml;

use crate::labels;
use crate::limits;
use crate::shell::{Input, Interleaving, Io, Stream};
use serde::Serialize;

use crate::api::printers::Printable;
use crate::api::resources::{resource_type, KindVisitor, ResourceType};
use crate::cluster::Cluster;
use crate::object::{ApiObject, ObjectKey};
use crate::time::SimTime;
use args::Args;

/// The namespace of kubectl's context, which commands act in without `-n`.
pub const DEFAULT_NAMESPACE: &str = "default";

/// How long kubectl waits when told to wait "forever" (`delete --timeout=0`, `wait --timeout=-1s`): a week.
const WAIT_A_WEEK: SimTime = SimTime(168 * 3600 * 1000);

/// What a command printed, and how it exited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandOutput {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The order stdout and stderr were written in, for a terminal to show them as they came.
    #[serde(skip)]
    pub order: Interleaving,
}

impl CommandOutput {
    fn ok(stdout: impl Into<String>) -> Self {
        let mut output = CommandOutput::default();
        output.write(Stream::Stdout, &stdout.into());
        output
    }

    /// Writes `text` to one of its streams.
    pub fn write(&mut self, stream: Stream, text: &str) {
        match stream {
            Stream::Stdout => self.stdout.push_str(text),
            Stream::Stderr => self.stderr.push_str(text),
        }
        self.order.record(stream, text.len());
    }

    /// What it printed, in the order printed.
    pub fn pieces(&self) -> Vec<(Stream, &str)> {
        self.order.pieces(&self.stdout, &self.stderr)
    }

    /// Appends what a program in the shell wrote, in its order.
    pub fn append_io(&mut self, io: &Io) {
        for (stream, text) in io.pieces() {
            self.write(stream, text);
        }
    }

    fn error(stderr: impl Into<String>) -> Self {
        let mut output = CommandOutput::default();
        output.fail(stderr);
        output
    }

    /// Adds a line to stdout.
    fn say(&mut self, line: impl AsRef<str>) {
        self.write(Stream::Stdout, line.as_ref());
        self.write(Stream::Stdout, "\n");
    }

    /// Adds a line to stderr without failing the command (warnings).
    fn warn(&mut self, line: impl AsRef<str>) {
        self.write(Stream::Stderr, line.as_ref());
        self.write(Stream::Stderr, "\n");
    }

    /// Adds an error line to stderr and fails the command.
    fn fail(&mut self, line: impl Into<String>) {
        let mut line = line.into();
        if !line.ends_with('\n') {
            line.push('\n');
        }
        self.write(Stream::Stderr, &line);
        self.exit_code = 1;
    }

    /// Appends what another command printed, keeping the first failure's exit code.
    fn extend(&mut self, other: CommandOutput) {
        for (stream, text) in other.pieces() {
            self.write(stream, text);
        }
        if self.exit_code == 0 {
            self.exit_code = other.exit_code;
        }
    }
}

/// Splits a command line the way a POSIX shell would for simple cases: whitespace, single and double quotes,
/// backslash escapes.
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(other) => word.push(other),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => word.extend(chars.next()),
                        Some(other) => word.push(other),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// A command line split into its verb, its flags and the namespace it acts in.
struct Parsed {
    verb: String,
    args: Args,
    namespace: String,
}

/// The line's verb and flags, or else the whole answer: an error, or kubectl's overview when it asks for that.
fn parse(line: &str) -> Result<Parsed, CommandOutput> {
    limits::check_size("the command line", line, limits::MAX_COMMAND_BYTES)
        .map_err(|e| CommandOutput::error(format!("error: {e}")))?;
    let words =
        split_command_line(line).map_err(|e| CommandOutput::error(format!("error: {e}")))?;
    let words = match words.first().map(String::as_str) {
        Some("kubectl") => &words[1..],
        _ => &words[..],
    };
    parse_words(words)
}

/// `parse` of the words after `kubectl`, as a shell hands them over.
fn parse_words(words: &[String]) -> Result<Parsed, CommandOutput> {
    if help::asks_for_help(words) {
        return Err(CommandOutput::ok(help::overview()));
    }
    let mut args = Args::parse(words)?;
    if args.positional.is_empty() {
        return Err(CommandOutput::error(
            "error: no command given; try `kubectl get pods`",
        ));
    }
    let verb = args.positional.remove(0);
    let namespace = args
        .value(&["-n", "--namespace"])
        .unwrap_or(DEFAULT_NAMESPACE)
        .to_string();
    Ok(Parsed {
        verb,
        args,
        namespace,
    })
}

/// Runs a command that only reads (`get`, `describe`) without needing the cluster mutably: what a view that
/// redraws on every change can afford. Any other verb is refused.
pub fn query(cluster: &Cluster, line: &str) -> CommandOutput {
    let parsed = match parse(line) {
        Ok(parsed) => parsed,
        Err(output) => return output,
    };
    let context = Context {
        namespace: &parsed.namespace,
        stdin: "",
    };
    match parsed.verb.as_str() {
        "get" => get::get(cluster, &parsed.args, &context),
        "describe" => describe::describe(cluster, &parsed.args, &context),
        other => CommandOutput::error(format!("error: \"{other}\" changes the cluster; use run")),
    }
}

/// Runs one kubectl command line against the cluster and returns what it printed at once. `stdin` feeds
/// `apply -f -`. A command that would go on (a watch) is stopped there: a terminal lets it go on instead
/// (`start_words`).
pub fn run(cluster: &mut Cluster, line: &str, stdin: &str) -> CommandOutput {
    let started = match parse(line) {
        Ok(parsed) => start(cluster, parsed, stdin),
        Err(output) => return output,
    };
    match started {
        Started::Done(output) => output,
        Started::Waiting(mut output, mut waiting) => {
            // Without a terminal to wait in, the command is carried on to its end here; one that never ends
            // by itself (a watch) is stopped.
            let mut input = Input {
                closed: true,
                ..Input::default()
            };
            loop {
                if let Some(code) = waiting.poll(cluster, &mut input, &mut output) {
                    output.exit_code = code;
                    return output;
                }
                // The next instant anything happens: in the cluster, or the command's own (a `sleep` in a
                // container, a timeout).
                let next = [cluster.next_event_at(), waiting.wake()]
                    .into_iter()
                    .flatten()
                    .filter(|at| *at > cluster.now())
                    .min();
                match waiting.ends_by_itself().then_some(next) {
                    Some(Some(at)) => cluster.run_until(at),
                    _ => break,
                }
            }
            waiting.stop(cluster);
            output
        }
    }
}

/// A kubectl command that has printed what it prints at once, and may go on.
pub enum Started {
    Done(CommandOutput),
    /// It goes on: a watch prints as the cluster changes until it is interrupted.
    Waiting(CommandOutput, Waiting),
}

/// A kubectl command still running.
#[derive(Clone, Debug)]
pub enum Waiting {
    Watch(Box<watch::GetWatch>),
    RolloutStatus(rollout::StatusWatch),
    Delete(delete::DeleteWait),
    /// `exec -it … sh`, `run -i`: a process in a container, an interactive shell reading the terminal.
    Session(Box<exec::Session>),
    /// `logs -f`.
    Logs(logs::Follow),
    /// `drain`, waiting for the pods it evicted to go.
    Drain(node::DrainWait),
    /// `wait --for=…`.
    Wait(wait::Wait),
}

impl Waiting {
    /// Lets the command go on at the cluster's instant, printing into `output`; its exit code once it has
    /// ended.
    pub fn poll(
        &mut self,
        cluster: &mut Cluster,
        input: &mut Input,
        output: &mut CommandOutput,
    ) -> Option<i32> {
        match self {
            Waiting::Watch(watch) => watch.poll(cluster, output),
            Waiting::RolloutStatus(status) => status.poll(cluster, output),
            Waiting::Delete(delete) => delete.poll(cluster, output),
            Waiting::Session(session) => session.poll(cluster, input, output),
            Waiting::Logs(follow) => follow.poll(cluster, output),
            Waiting::Drain(drain) => drain.poll(cluster, output),
            Waiting::Wait(wait) => wait.poll(cluster, output),
        }
    }

    /// Whether it is a shell in a container reading the lines typed at the terminal.
    pub fn reads_input(&self) -> bool {
        matches!(self, Waiting::Session(session) if session.reads_input())
    }

    /// Whether `run` (which has no terminal to wait in) carries it on to its end: `run -i`'s command always
    /// ran to its end; a watch, a rollout's status and a delete's wait are stopped, as they always were.
    fn ends_by_itself(&self) -> bool {
        match self {
            Waiting::Session(session) => session.ends_by_itself(),
            // It always ran to its end, as a blocking call: kubectl's own wait has a timeout.
            Waiting::Drain(_) | Waiting::Wait(_) => true,
            Waiting::Watch(_)
            | Waiting::RolloutStatus(_)
            | Waiting::Delete(_)
            | Waiting::Logs(_) => false,
        }
    }

    /// An instant to be polled at even if the cluster does not change: a timeout.
    pub fn wake(&self) -> Option<SimTime> {
        match self {
            Waiting::Watch(_) | Waiting::Logs(_) => None,
            Waiting::RolloutStatus(status) => status.wake(),
            Waiting::Delete(delete) => delete.wake(),
            Waiting::Session(session) => session.wake(),
            Waiting::Drain(drain) => drain.wake(),
            Waiting::Wait(wait) => wait.wake(),
        }
    }

    /// Ctrl-C. A watch and `rollout status` catch it (kubectl's interrupt handler) and exit 1; `delete`'s
    /// wait does not, and SIGINT kills it: 130.
    pub fn interrupt(&mut self, cluster: &mut Cluster) -> i32 {
        self.stop(cluster);
        match self {
            Waiting::Watch(_) | Waiting::RolloutStatus(_) | Waiting::Wait(_) => 1,
            Waiting::Delete(_) | Waiting::Session(_) | Waiting::Logs(_) | Waiting::Drain(_) => {
                crate::shell::INTERRUPTED
            }
        }
    }

    fn stop(&mut self, cluster: &mut Cluster) {
        match self {
            Waiting::Watch(watch) => watch.stop(cluster),
            Waiting::RolloutStatus(status) => status.stop(cluster),
            Waiting::Delete(_) | Waiting::Logs(_) | Waiting::Drain(_) | Waiting::Wait(_) => {}
            Waiting::Session(session) => session.stop(cluster),
        }
    }
}

/// Starts kubectl with the words after `kubectl` as a shell splits them.
pub fn start_words(cluster: &mut Cluster, words: &[String], stdin: &str) -> Started {
    match parse_words(words) {
        Ok(parsed) => start(cluster, parsed, stdin),
        Err(output) => Started::Done(output),
    }
}

fn start(cluster: &mut Cluster, parsed: Parsed, stdin: &str) -> Started {
    let Parsed {
        verb,
        mut args,
        namespace,
    } = parsed;
    let context = Context {
        namespace: &namespace,
        stdin,
    };
    if verb == "get" && get::watches(&args) {
        return watch::start(cluster, &args, &context);
    }
    match verb.as_str() {
        "rollout" => return rollout::rollout(cluster, &mut args, &context),
        "delete" => return delete::delete(cluster, &args, &context),
        "run" => return exec::run(cluster, &args, &context),
        "exec" => return exec::exec(cluster, &args, &context),
        "logs" => return logs::logs(cluster, &args, &context),
        "drain" => return node::drain(cluster, &args),
        "wait" => return wait::wait(cluster, &args, &context),
        _ => {}
    }
    Started::Done(carry_out(cluster, &verb, &mut args, &context))
}

fn carry_out(
    cluster: &mut Cluster,
    verb: &str,
    args: &mut Args,
    context: &Context,
) -> CommandOutput {
    let (args, context) = (args, context);
    match verb {
        "get" => get::get(cluster, args, context),
        "describe" => describe::describe(cluster, args, context),
        "scale" => edit::scale(cluster, args, context),
        "apply" => apply(cluster, args, context),
        "patch" => edit::patch(cluster, args, context),
        "set" => edit::set(cluster, args, context),
        "label" => edit::label(cluster, args, context),
        "annotate" => edit::annotate(cluster, args, context),
        "cordon" => node::cordon(cluster, args, true),
        "uncordon" => node::cordon(cluster, args, false),
        "expose" => expose::expose(cluster, args, context),
        other => CommandOutput::error(format!(
            "error: unknown command \"{other}\" for \"kubectl\"\nRun 'kubectl --help' for usage."
        )),
    }
}

/// What every command reads besides its own flags.
pub struct Context<'a> {
    pub namespace: &'a str,
    pub stdin: &'a str,
}

/// The resource type a name typed on the command line stands for.
fn resolve(name: &str) -> Result<ResourceType, CommandOutput> {
    ResourceType::resolve(name).ok_or_else(|| {
        CommandOutput::error(format!(
            "error: the server doesn't have a resource type \"{name}\""
        ))
    })
}

/// The names of the objects of a kind in the namespace whose labels the selector takes, in the order the
/// apiserver lists them.
struct Selecting<'a> {
    cluster: &'a Cluster,
    namespace: &'a str,
    requirements: &'a [labels::Requirement],
}

impl KindVisitor for Selecting<'_> {
    type Output = Vec<String>;

    fn visit<T: Printable>(self) -> Vec<String> {
        let store = self.cluster.store();
        let objects: Vec<&T> = if T::NAMESPACED {
            store.list_namespace::<T>(self.namespace).collect()
        } else {
            store.list::<T>().collect()
        };
        let no_labels = labels::Labels::new();
        objects
            .into_iter()
            .filter(|o| {
                labels::requirements_match(
                    self.requirements,
                    o.metadata().labels.as_ref().unwrap_or(&no_labels),
                )
            })
            .filter_map(|o| o.metadata().name.clone())
            .collect()
    }
}

/// The objects named on a command line: `TYPE NAME...`, `TYPE/NAME...`, `TYPE1,TYPE2` or just `TYPE`.
#[derive(Debug)]
struct Targets {
    groups: Vec<(ResourceType, Vec<String>)>,
}

impl Targets {
    fn parse(positional: &[String]) -> Result<Targets, CommandOutput> {
        let Some(first) = positional.first() else {
            return Ok(Targets { groups: Vec::new() });
        };
        if first.contains('/') {
            let mut groups: Vec<(ResourceType, Vec<String>)> = Vec::new();
            for word in positional {
                let Some((type_name, name)) = word.split_once('/') else {
                    return Err(CommandOutput::error(format!(
                        "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'\n{word}"
                    )));
                };
                groups.push((resolve(type_name)?, vec![name.to_string()]));
            }
            return Ok(Targets { groups });
        }
        let names = positional[1..].to_vec();
        let groups = first
            .split(',')
            .filter(|t| !t.is_empty())
            .map(|t| Ok((resolve(t)?, names.clone())))
            .collect::<Result<_, CommandOutput>>()?;
        Ok(Targets { groups })
    }

    /// `parse` for a command that needs a type at least: without one, `missing` is the error it prints.
    /// Names the objects `-l SELECTOR` or `--all` choose, for types given without names; refuses names and a
    /// selector together, and types without either. Returns whether that left nothing to act on.
    fn select(
        &mut self,
        cluster: &Cluster,
        args: &Args,
        namespace: &str,
    ) -> Result<bool, CommandOutput> {
        let selector = args.value(&["-l", "--selector"]);
        let all = args.has(&["--all"]);
        let named = self.groups.iter().any(|(_, names)| !names.is_empty());
        if named && (selector.is_some() || all) {
            return Err(CommandOutput::error(
                "error: name cannot be provided when a selector is specified",
            ));
        }
        if named {
            return Ok(false);
        }
        if selector.is_none() && !all {
            return Err(CommandOutput::error(
                "error: resource(s) were provided, but no name was specified",
            ));
        }
        let requirements = labels::parse_selector(selector.unwrap_or_default())
            .map_err(|error| CommandOutput::error(format!("error: {error}")))?;
        for (kind, names) in &mut self.groups {
            *names = kind.visit(Selecting {
                cluster,
                namespace,
                requirements: &requirements,
            });
        }
        Ok(self.groups.iter().all(|(_, names)| names.is_empty()))
    }

    fn parse_required(positional: &[String], missing: &str) -> Result<Targets, CommandOutput> {
        let targets = Targets::parse(positional)?;
        if targets.groups.is_empty() {
            return Err(CommandOutput::error(missing));
        }
        Ok(targets)
    }

    /// The one named object a command such as `rollout` or `patch` works on.
    fn single(positional: &[String]) -> Result<(ResourceType, String), CommandOutput> {
        let targets = Targets::parse(positional)?;
        match targets.groups.as_slice() {
            [(kind, names)] if names.len() == 1 => Ok((*kind, names[0].clone())),
            [] => Err(CommandOutput::error(
                "error: You must provide one or more resources by argument or filename.",
            )),
            [(_, names)] if names.is_empty() => Err(CommandOutput::error(
                "error: resource(s) were provided, but no name was specified",
            )),
            _ => Err(CommandOutput::error(
                "error: this playground takes one resource at a time here, as TYPE/NAME or TYPE NAME",
            )),
        }
    }
}

/// The store key of `name` for kind `T`: namespaced kinds live in `namespace`.
fn key_of<T: ApiObject>(namespace: &str, name: &str) -> ObjectKey {
    if T::NAMESPACED {
        ObjectKey::new(namespace, name)
    } else {
        ObjectKey::cluster(name)
    }
}

/// `Error from server (NotFound): pods "web-9" not found`.
fn not_found<T: ApiObject>(name: &str) -> String {
    format!(
        "Error from server (NotFound): {} \"{name}\" not found",
        T::RESOURCE
    )
}

/// Reads one object, or kubectl's NotFound error.
fn fetch<T: ApiObject>(cluster: &Cluster, namespace: &str, name: &str) -> Result<T, CommandOutput> {
    cluster
        .store()
        .get::<T>(&key_of::<T>(namespace, name))
        .cloned()
        .ok_or_else(|| CommandOutput::error(not_found::<T>(name)))
}

fn apply(cluster: &mut Cluster, args: &Args, context: &Context) -> CommandOutput {
    if let Err(output) = args.reject_unknown("apply", &["-f", "--filename"]) {
        return output;
    }
    let (manifests, source) = match args.value(&["-f", "--filename"]) {
        Some("-") => (context.stdin, "STDIN".to_string()),
        Some(file) if urls::is_url(file) => match urls::read(file) {
            Ok(text) => (text, file.to_string()),
            Err(error) => return CommandOutput::error(error.message(file)),
        },
        Some(file) => {
            return CommandOutput::error(format!(
                "error: the path \"{file}\" does not exist (this playground has no files: use `kubectl apply -f -` with the manifest as input)"
            ))
        }
        None => return CommandOutput::error("error: must specify one of -f and -k"),
    };
    match cluster.apply(manifests) {
        Err(error) => {
            CommandOutput::error(format!("error: error parsing {source}: {}", error.message))
        }
        Ok(documents) => {
            let mut output = CommandOutput::default();
            for document in documents {
                match document.result {
                    Ok(line) => output.say(line),
                    Err(line) => output.fail(line),
                }
            }
            output
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_like_a_shell() {
        assert_eq!(
            split_command_line("kubectl get pods -l 'app=web'").unwrap(),
            ["kubectl", "get", "pods", "-l", "app=web"]
        );
        assert_eq!(
            split_command_line(r#"sh -c "echo hi > f""#).unwrap(),
            ["sh", "-c", "echo hi > f"]
        );
        assert!(split_command_line("echo 'open").is_err());
    }

    #[test]
    fn targets_take_every_form() {
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let targets = Targets::parse(&words("pods,pvc web-0")).unwrap();
        assert_eq!(
            targets.groups,
            vec![
                (ResourceType::Pods, vec!["web-0".to_string()]),
                (ResourceType::Claims, vec!["web-0".to_string()])
            ]
        );
        let targets = Targets::parse(&words("sts/web pod/web-0")).unwrap();
        assert_eq!(targets.groups.len(), 2);
        assert!(Targets::parse(&words("pods sts/web")).is_ok());
    }
}
