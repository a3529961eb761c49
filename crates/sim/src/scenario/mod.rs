//! Scenario files (a public contract: change only compatibly) and the run that turns one into records.

use crate::limits;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::cluster::Cluster;
use crate::config::{ClusterConfig, FeatureGates, ImageBehaviour, NodeConfig};
use crate::endpoints::RecordedRequest;
use crate::fault::Fault;
use crate::kubectl::CommandOutput;
use crate::object::{Object, ObjectKey};
use crate::script::{self, Keystroke, Progress};
pub use crate::script::{Action, Step};
use crate::store::WatchEvent;
use crate::terminal::{Printed, Ran, Stream};
use crate::time::{format_seconds, go_duration, parse_duration, DurationError, SimTime};

mod errors;
pub use errors::{FaultFileError, NodesError, ScenarioError};

/// The default `until`: ten minutes.
pub const DEFAULT_UNTIL: SimTime = SimTime(600_000);

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: Option<String>,
    pub config: ClusterConfig,
    pub manifests: String,
    pub steps: Vec<Step>,
    pub until: SimTime,
}

// --- the file format -----------------------------------------------------------------------------------------

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cluster: Option<ClusterFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifests: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<Vec<StepFile>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<DurationFile>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ClusterFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<NodesFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_storage_class: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    images: Option<BTreeMap<String, ImageFile>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feature_gates: Option<BTreeMap<String, bool>>,
}

#[derive(Deserialize, Serialize)]
#[serde(untagged)]
enum NodesFile {
    Count(usize),
    List(Vec<NodeFile>),
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct NodeFile {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allocatable: Option<AllocatableFile>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct AllocatableFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu: Option<QuantityFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory: Option<QuantityFile>,
}

#[derive(Deserialize, Serialize)]
#[serde(untagged)]
enum QuantityFile {
    Number(f64),
    Text(String),
}

impl QuantityFile {
    fn text(&self) -> String {
        match self {
            QuantityFile::Number(n) => format_seconds(*n),
            QuantityFile::Text(t) => t.clone(),
        }
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ImageFile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pull: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<DurationFile>,
}

#[derive(Deserialize, Serialize)]
#[serde(untagged)]
enum DurationFile {
    Seconds(f64),
    Text(String),
}

impl DurationFile {
    fn parse(&self) -> Result<SimTime, DurationError> {
        match self {
            DurationFile::Seconds(s) => parse_duration(&s.to_string()),
            DurationFile::Text(t) => parse_duration(t),
        }
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    at: DurationFile,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<String>,
    /// The terminal the line is typed into; steps without one share the main terminal.
    #[serde(skip_serializing_if = "Option::is_none")]
    terminal: Option<String>,
    /// How long the line may run before it is interrupted as Ctrl-C interrupts it.
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<DurationFile>,
    /// What is typed at a shell the line opens in a container.
    #[serde(skip_serializing_if = "Option::is_none")]
    stdin: Option<StdinFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    apply: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inject: Option<InjectFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<RequestFile>,
}

/// A write to the apiserver, as `ordinal serve-api` records what a client sent: its method, path, query,
/// Content-Type and body.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RequestFile {
    method: String,
    path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    query: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    content_type: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    body: String,
}

/// `stdin: |` (lines typed as soon as they are read, then Ctrl-D), or lines each typed a while after the
/// command was issued (`{after: 5s, line: nslookup web-0.nginx}`; without `line`, Ctrl-D): what the page
/// records of a session.
#[derive(Deserialize, Serialize)]
#[serde(untagged)]
enum StdinFile {
    Text(String),
    Typed(Vec<KeyFile>),
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    after: DurationFile,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<String>,
}

impl StdinFile {
    fn keys(self, step: usize) -> Result<Vec<Keystroke>, ScenarioError> {
        match self {
            StdinFile::Text(text) => Ok(Keystroke::all_of(&text)),
            StdinFile::Typed(keys) => keys
                .into_iter()
                .enumerate()
                .map(|(index, key)| {
                    let after = key.after.parse().map_err(|error| ScenarioError::Duration {
                        field: format!("steps[{step}].stdin[{index}].after"),
                        error,
                    })?;
                    Ok(Keystroke {
                        after: Some(after),
                        line: key.line,
                    })
                })
                .collect(),
        }
    }

    fn of(keys: &[Keystroke]) -> Option<StdinFile> {
        if keys.is_empty() {
            return None;
        }
        let text: Option<String> = keys
            .split_last()
            .filter(|(last, lines)| {
                last.after.is_none()
                    && last.line.is_none()
                    && lines.iter().all(|k| k.after.is_none() && k.line.is_some())
            })
            .map(|(_, lines)| {
                lines
                    .iter()
                    .map(|k| format!("{}\n", k.line.as_deref().unwrap_or_default()))
                    .collect()
            });
        Some(match text {
            Some(text) => StdinFile::Text(text),
            None => StdinFile::Typed(
                keys.iter()
                    .map(|k| KeyFile {
                        after: duration_file(k.after.unwrap_or(SimTime::ZERO)),
                        line: k.line.clone(),
                    })
                    .collect(),
            ),
        })
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct InjectFile {
    fault: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<String>,
}

impl InjectFile {
    /// `not-ready`, `ready` and `crash` name a pod (`web-1`, or `namespace/web-1`); `node-down` and `node-up`
    /// a node.
    fn fault(self) -> Result<Fault, FaultFileError> {
        let pod = |pod: Option<String>, node: Option<String>| match (pod, node) {
            (Some(pod), None) => Ok(match pod.split_once('/') {
                Some((namespace, name)) => ObjectKey::new(namespace, name),
                None => ObjectKey::new("default", pod),
            }),
            _ => Err(FaultFileError::TakesPod(self.fault.clone())),
        };
        let node = |pod: Option<String>, node: Option<String>| match (pod, node) {
            (None, Some(node)) => Ok(node),
            _ => Err(FaultFileError::TakesNode(self.fault.clone())),
        };
        match self.fault.as_str() {
            "not-ready" => Ok(Fault::NotReady {
                pod: pod(self.pod, self.node)?,
            }),
            "ready" => Ok(Fault::Ready {
                pod: pod(self.pod, self.node)?,
            }),
            "crash" => Ok(Fault::Crash {
                pod: pod(self.pod, self.node)?,
            }),
            "node-down" => Ok(Fault::NodeDown {
                node: node(self.pod, self.node)?,
            }),
            "node-up" => Ok(Fault::NodeUp {
                node: node(self.pod, self.node)?,
            }),
            other => Err(FaultFileError::Unknown(other.into())),
        }
    }
}

/// Nodes a scenario may ask for: enough for any lesson, few enough to draw.
pub(crate) const MAX_NODES: usize = 100;

impl Scenario {
    /// Reads a scenario file. Every problem is reported with where it is, so `ordinal run` can exit 2 with it.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        limits::check_size("the scenario", text, limits::MAX_SCENARIO_BYTES)
            .and_then(|()| limits::check_flow_depth(text))
            .map_err(ScenarioError::Limit)?;
        let file: ScenarioFile =
            serde_yaml_ng::from_str(text).map_err(|e| ScenarioError::Syntax(e.to_string()))?;
        let mut config = ClusterConfig {
            seed: file.seed.unwrap_or(0),
            ..ClusterConfig::default()
        };
        if let Some(cluster) = file.cluster {
            apply_cluster_settings(&mut config, cluster)?;
        }
        let mut steps = Vec::new();
        for (index, step) in file.steps.unwrap_or_default().into_iter().enumerate() {
            let at = step.at.parse().map_err(|error| ScenarioError::Duration {
                field: format!("steps[{index}].at"),
                error,
            })?;
            // What goes on in a terminal: a command line, or an exec or attach stream a client opened.
            let opens_stream = step
                .request
                .as_ref()
                .is_some_and(|r| crate::endpoints::opens_stream(&r.path));
            let is_run = step.run.is_some() || opens_stream;
            for (field, given) in [
                ("terminal", step.terminal.is_some()),
                ("timeout", step.timeout.is_some()),
                ("stdin", step.stdin.is_some()),
            ] {
                if given && !is_run {
                    return Err(ScenarioError::RunOnly { step: index, field });
                }
            }
            let timeout = step
                .timeout
                .map(|t| t.parse())
                .transpose()
                .map_err(|error| ScenarioError::Duration {
                    field: format!("steps[{index}].timeout"),
                    error,
                })?;
            let action = match (step.run, step.apply, step.inject, step.request) {
                (Some(run), None, None, None) => Action::Run(run),
                (None, Some(apply), None, None) => Action::Apply(apply),
                (None, None, Some(inject), None) => Action::Inject(
                    inject
                        .fault()
                        .map_err(|error| ScenarioError::Fault { step: index, error })?,
                ),
                (None, None, None, Some(request)) => Action::Request(RecordedRequest {
                    method: request.method,
                    path: request.path,
                    query: request.query,
                    content_type: request.content_type,
                    body: request.body,
                }),
                _ => return Err(ScenarioError::StepAction { step: index }),
            };
            let stdin = match step.stdin {
                Some(stdin) => stdin.keys(index)?,
                None => Vec::new(),
            };
            steps.push(Step {
                terminal: step.terminal.unwrap_or_default(),
                timeout,
                stdin,
                ..Step::new(at, action)
            });
        }
        if let Some(pair) = steps.windows(2).position(|w| w[1].at < w[0].at) {
            return Err(ScenarioError::StepOrder { step: pair + 1 });
        }
        let until =
            file.until
                .map(|u| u.parse())
                .transpose()
                .map_err(|error| ScenarioError::Duration {
                    field: "until".into(),
                    error,
                })?;
        let manifests = file.manifests.unwrap_or_default();
        crate::api::decode::parse_documents(&manifests).map_err(ScenarioError::Manifests)?;
        Ok(Scenario {
            name: file.name,
            config,
            manifests,
            steps,
            until: until.unwrap_or(DEFAULT_UNTIL),
        })
    }

    /// The scenario as a file `parse` reads back to the same scenario: what the page exports and shares.
    /// Settings at their defaults are left out, as a person would leave them out.
    pub fn to_yaml(&self) -> String {
        let file = ScenarioFile {
            name: self.name.clone(),
            seed: Some(self.config.seed),
            cluster: cluster_file(&self.config),
            manifests: (!self.manifests.is_empty()).then(|| self.manifests.clone()),
            steps: (!self.steps.is_empty()).then(|| self.steps.iter().map(step_file).collect()),
            until: Some(duration_file(self.until)),
        };
        serde_yaml_ng::to_string(&file).expect("scenario files are maps of strings and numbers")
    }

    /// Runs the scenario from t = 0 to `until`, handing every record to `emit` in simulated-time order.
    pub fn run(&self, mut emit: impl FnMut(Record)) {
        let mut cluster = Cluster::new(self.config.clone());
        for event in cluster.take_journal() {
            emit(Record::Watch(event));
        }
        let initial = (!self.manifests.trim().is_empty())
            .then(|| Step::new(SimTime::ZERO, Action::Apply(self.manifests.clone())));
        let steps: Vec<Step> = initial.into_iter().chain(self.steps.clone()).collect();
        let first_step = steps.len() - self.steps.len();
        let mut streamer = Streamer {
            emit: &mut emit,
            until: self.until,
            first_step,
            held: Vec::new(),
        };
        script::run(
            &mut cluster,
            &steps,
            &mut Progress::default(),
            self.until,
            &mut streamer,
        );
        // Records stay in time order even when a waiting command ran past `until`.
        emit(Record::End {
            at: self.until.max(cluster.now()),
        });
    }
}

/// Hands a run's watch events and command outputs to `emit` in simulated-time order. A command's record
/// carries the instant it was issued and everything it printed, so while a command issued earlier is still
/// running, what comes after its issue is held, behind a place kept for its record.
struct Streamer<'a, F: FnMut(Record)> {
    emit: &'a mut F,
    until: SimTime,
    /// The place of the scenario's first step among those run (after the manifests, when there are some).
    first_step: usize,
    held: Vec<Held>,
}

enum Held {
    Record(Record),
    /// The place of the record of the step still running.
    Running(usize),
}

impl<F: FnMut(Record)> Streamer<'_, F> {
    fn send(&mut self, record: Record) {
        if self.held.is_empty() {
            (self.emit)(record);
        } else {
            self.held.push(Held::Record(record));
        }
    }

    /// Emits the records held before the first place still waiting for its command.
    fn release(&mut self) {
        let waiting = self
            .held
            .iter()
            .position(|h| matches!(h, Held::Running(_)))
            .unwrap_or(self.held.len());
        for held in self.held.drain(..waiting) {
            if let Held::Record(record) = held {
                (self.emit)(record);
            }
        }
    }

    fn flush(&mut self, cluster: &mut Cluster) {
        for event in cluster.take_journal() {
            self.send(Record::Watch(event));
        }
    }
}

impl<F: FnMut(Record)> script::Watcher for Streamer<'_, F> {
    fn deadline(&self) -> SimTime {
        self.until
    }

    fn every_instant(&self) -> bool {
        true
    }

    fn ran(&mut self, cluster: &mut Cluster) {
        self.flush(cluster);
    }

    fn started(&mut self, index: usize, _issued: SimTime) {
        self.held.push(Held::Running(index));
    }

    fn printed(&mut self, index: usize, printed: Printed) {
        self.send(Record::Output {
            at: printed.at,
            step: index.saturating_sub(self.first_step),
            stream: printed.stream,
            text: printed.text,
        });
    }

    fn carried_out(
        &mut self,
        cluster: &mut Cluster,
        index: usize,
        issued: SimTime,
        step: &Step,
        ran: Ran,
    ) {
        let record = Record::Command {
            at: issued,
            command: step.action.command(),
            output: ran.output,
        };
        match self
            .held
            .iter()
            .position(|h| matches!(h, Held::Running(i) if *i == index))
        {
            Some(place) => self.held[place] = Held::Record(record),
            None => self.send(record),
        }
        self.flush(cluster);
        self.release();
    }
}

fn apply_cluster_settings(
    config: &mut ClusterConfig,
    cluster: ClusterFile,
) -> Result<(), ScenarioError> {
    match cluster.nodes {
        Some(NodesFile::Count(0)) => return Err(ScenarioError::Nodes(NodesError::NoNode)),
        Some(NodesFile::Count(n)) if n > MAX_NODES => {
            return Err(ScenarioError::Nodes(NodesError::TooMany))
        }
        Some(NodesFile::Count(n)) => config.nodes = NodeConfig::kind_workers(n),
        Some(NodesFile::List(list)) => {
            if list.is_empty() || list.len() > MAX_NODES {
                return Err(ScenarioError::Nodes(NodesError::ListLength));
            }
            let mut nodes = Vec::new();
            for node in list {
                if !crate::api::validation::is_dns1123_subdomain(&node.name) {
                    return Err(ScenarioError::Nodes(NodesError::BadName(node.name)));
                }
                if nodes.iter().any(|n: &NodeConfig| n.name == node.name) {
                    return Err(ScenarioError::Nodes(NodesError::Twice(node.name)));
                }
                let mut config = NodeConfig::named(node.name);
                config.labels = node.labels.unwrap_or_default();
                if let Some(allocatable) = node.allocatable {
                    if let Some(cpu) = allocatable.cpu {
                        config.cpu = cpu.text();
                    }
                    if let Some(memory) = allocatable.memory {
                        config.memory = memory.text();
                    }
                }
                nodes.push(config);
            }
            config.nodes = nodes;
        }
        None => {}
    }
    if let Some(default_class) = cluster.default_storage_class {
        config.default_storage_class = default_class;
    }
    for (image, behaviour) in cluster.images.unwrap_or_default() {
        let pull_fails = match behaviour.pull.as_deref() {
            None | Some("ok") => false,
            Some("fail") => true,
            Some(other) => {
                return Err(ScenarioError::ImagePull {
                    image,
                    pull: other.into(),
                })
            }
        };
        let after = behaviour
            .after
            .map(|a| a.parse())
            .transpose()
            .map_err(|error| ScenarioError::Duration {
                field: format!("cluster.images[{image:?}].after"),
                error,
            })?;
        let exit = behaviour
            .exit_code
            .map(|code| (code, after.unwrap_or(SimTime::ZERO)));
        config
            .images
            .insert(image, ImageBehaviour { pull_fails, exit });
    }
    for (gate, enabled) in cluster.feature_gates.unwrap_or_default() {
        match gate.as_str() {
            "MaxUnavailableStatefulSet" => {
                config.feature_gates = FeatureGates {
                    max_unavailable_stateful_set: enabled,
                }
            }
            other => return Err(ScenarioError::UnknownFeatureGate(other.into())),
        }
    }
    Ok(())
}

fn duration_file(at: SimTime) -> DurationFile {
    DurationFile::Text(go_duration(at.as_millis()))
}

fn cluster_file(config: &ClusterConfig) -> Option<ClusterFile> {
    let defaults = ClusterConfig::default();
    let nodes = (config.nodes != defaults.nodes).then(|| {
        if config.nodes == NodeConfig::kind_workers(config.nodes.len()) {
            NodesFile::Count(config.nodes.len())
        } else {
            NodesFile::List(config.nodes.iter().map(node_file).collect())
        }
    });
    let images = (!config.images.is_empty()).then(|| {
        config
            .images
            .iter()
            .map(|(image, behaviour)| {
                let file = ImageFile {
                    pull: behaviour.pull_fails.then(|| "fail".to_string()),
                    exit_code: behaviour.exit.map(|(code, _)| code),
                    after: behaviour.exit.map(|(_, after)| duration_file(after)),
                };
                (image.clone(), file)
            })
            .collect()
    });
    let feature_gates = (config.feature_gates != defaults.feature_gates).then(|| {
        BTreeMap::from([(
            "MaxUnavailableStatefulSet".to_string(),
            config.feature_gates.max_unavailable_stateful_set,
        )])
    });
    let cluster = ClusterFile {
        nodes,
        default_storage_class: (config.default_storage_class != defaults.default_storage_class)
            .then_some(config.default_storage_class),
        images,
        feature_gates,
    };
    let is_default = cluster.nodes.is_none()
        && cluster.default_storage_class.is_none()
        && cluster.images.is_none()
        && cluster.feature_gates.is_none();
    (!is_default).then_some(cluster)
}

fn node_file(node: &NodeConfig) -> NodeFile {
    let defaults = NodeConfig::named(node.name.clone());
    let cpu = (node.cpu != defaults.cpu).then(|| QuantityFile::Text(node.cpu.clone()));
    let memory = (node.memory != defaults.memory).then(|| QuantityFile::Text(node.memory.clone()));
    NodeFile {
        name: node.name.clone(),
        labels: (!node.labels.is_empty()).then(|| node.labels.clone()),
        allocatable: (cpu.is_some() || memory.is_some()).then_some(AllocatableFile { cpu, memory }),
    }
}

fn step_file(step: &Step) -> StepFile {
    let mut file = StepFile {
        at: duration_file(step.at),
        run: None,
        terminal: (!step.terminal.is_empty()).then(|| step.terminal.clone()),
        timeout: step.timeout.map(duration_file),
        stdin: StdinFile::of(&step.stdin),
        apply: None,
        inject: None,
        request: None,
    };
    match &step.action {
        Action::Run(line) => file.run = Some(line.clone()),
        Action::Apply(manifest) => file.apply = Some(manifest.clone()),
        Action::Inject(fault) => file.inject = Some(inject_file(fault)),
        Action::Request(request) => {
            file.request = Some(RequestFile {
                method: request.method.clone(),
                path: request.path.clone(),
                query: request.query.clone(),
                content_type: request.content_type.clone(),
                body: request.body.clone(),
            })
        }
    }
    file
}

fn inject_file(fault: &Fault) -> InjectFile {
    let pod = |fault: &str, key: &ObjectKey| InjectFile {
        fault: fault.into(),
        pod: Some(if key.namespace == "default" {
            key.name.clone()
        } else {
            key.to_string()
        }),
        node: None,
    };
    let node = |fault: &str, node: &str| InjectFile {
        fault: fault.into(),
        pod: None,
        node: Some(node.into()),
    };
    match fault {
        Fault::NotReady { pod: key } => pod("not-ready", key),
        Fault::Ready { pod: key } => pod("ready", key),
        Fault::Crash { pod: key } => pod("crash", key),
        Fault::NodeDown { node: name } => node("node-down", name),
        Fault::NodeUp { node: name } => node("node-up", name),
    }
}

/// One line of `ordinal run --output jsonl`.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    Watch(WatchEvent),
    Command {
        at: SimTime,
        command: String,
        output: CommandOutput,
    },
    /// What a command still running printed at `at`; `step` is its place in the scenario's `steps`.
    Output {
        at: SimTime,
        step: usize,
        stream: Stream,
        text: String,
    },
    End {
        at: SimTime,
    },
}

impl Record {
    pub fn at(&self) -> SimTime {
        match self {
            Record::Watch(event) => event.at,
            Record::Command { at, .. } | Record::Output { at, .. } | Record::End { at } => *at,
        }
    }

    /// The JSON line. Objects keep their fields in the order k8s-openapi writes them (apiVersion, kind,
    /// metadata, spec, status), as `kubectl get -o json` does.
    pub fn to_json_line(&self) -> String {
        let t = format_seconds(self.at().as_secs_f64());
        match self {
            Record::Watch(event) => {
                let object = object_json(&event.object);
                format!("{{\"t\":{t},\"type\":\"{}\",\"object\":{object}}}", event.event_type.as_str())
            }
            Record::Command { command, output, .. } => format!(
                "{{\"t\":{t},\"type\":\"COMMAND\",\"command\":{},\"exitCode\":{},\"stdout\":{},\"stderr\":{}}}",
                json_string(command),
                output.exit_code,
                json_string(&output.stdout),
                json_string(&output.stderr)
            ),
            Record::Output {
                step, stream, text, ..
            } => format!(
                "{{\"t\":{t},\"type\":\"OUTPUT\",\"step\":{step},\"stream\":\"{}\",\"text\":{}}}",
                stream.as_str(),
                json_string(text)
            ),
            Record::End { .. } => format!("{{\"t\":{t},\"type\":\"END\"}}"),
        }
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

fn object_json(object: &Object) -> String {
    serde_json::to_string(&object.to_json()).expect("JSON values serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_accept_numbers_and_strings() {
        let scenario =
            Scenario::parse("until: 90\nsteps:\n- at: 1m30s\n  run: kubectl get pods\n").unwrap();
        assert_eq!(scenario.until, SimTime::from_secs(90));
        assert_eq!(scenario.steps[0].at, SimTime::from_secs(90));
    }

    #[test]
    fn unknown_keys_and_ambiguous_steps_are_refused() {
        assert!(Scenario::parse("sede: 3\n")
            .unwrap_err()
            .to_string()
            .contains("unknown field `sede`"));
        let both = "steps:\n- at: 1\n  run: kubectl get pods\n  apply: 'x: 1'\n";
        assert!(Scenario::parse(both)
            .unwrap_err()
            .to_string()
            .contains("exactly one of"));
    }

    #[test]
    fn inject_steps_name_a_fault_and_its_target() {
        let scenario = Scenario::parse(
            "steps:\n- at: 130s\n  inject: {fault: not-ready, pod: web-1}\n- at: 140s\n  inject: {fault: node-down, node: kind-worker2}\n",
        )
        .unwrap();
        assert_eq!(
            scenario.steps[0].action,
            Action::Inject(Fault::NotReady {
                pod: ObjectKey::new("default", "web-1")
            })
        );
        assert_eq!(
            scenario.steps[1].action.command(),
            "inject node-down node/kind-worker2"
        );
        let wrong = "steps:\n- at: 1\n  inject: {fault: crash, node: kind-worker}\n";
        assert!(Scenario::parse(wrong)
            .unwrap_err()
            .to_string()
            .contains("steps[0].inject: fault \"crash\" takes a pod"));
        let unknown = "steps:\n- at: 1\n  inject: {fault: explode, pod: web-0}\n";
        assert!(Scenario::parse(unknown)
            .unwrap_err()
            .to_string()
            .contains("unknown fault \"explode\""));
    }

    #[test]
    fn records_stay_in_time_order_when_a_command_waits_past_the_next_step_and_until() {
        let text = "steps:\n- at: 10\n  run: kubectl run -i --rm --image busybox t --restart=Never -- true\n\
                    - at: 11\n  run: kubectl get pods\nuntil: 11\n";
        let mut records = Vec::new();
        Scenario::parse(text).unwrap().run(|r| records.push(r));
        assert!(records.windows(2).all(|w| w[0].at() <= w[1].at()));
        let run = records
            .iter()
            .find_map(|r| match r {
                Record::Command { at, output, .. } if *at == SimTime::from_secs(10) => Some(output),
                _ => None,
            })
            .expect("the run step's record");
        assert_eq!(
            (run.exit_code, run.stdout.as_str()),
            (130, "^C\n"),
            "the pod was not running yet at until: interrupted there"
        );
        let get = records.iter().find(
            |r| matches!(r, Record::Command { command, .. } if command == "kubectl get pods"),
        );
        assert_eq!(get.map(Record::at), Some(SimTime::from_secs(11)));
        assert_eq!(
            records.last(),
            Some(&Record::End {
                at: SimTime::from_secs(11)
            })
        );
    }

    #[test]
    fn a_broken_manifest_makes_the_scenario_invalid() {
        let error = Scenario::parse("manifests: |\n  a: b\n   c: d\n").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("error converting YAML to JSON: yaml: line 2"),
            "{error}"
        );
    }
}
