//! A lesson step's check, as a value a lesson file writes (`done: {ready: [web-0, web-1]}`), and the lab it
//! is evaluated in: the cluster now, the cluster as the step found it, and the commands run since.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Doing, Step};
use crate::view::{file_contents, PodQuery};
use crate::{Cluster, ObjectKey, SimTime};

/// When a step is done. Every name is of an object in the lesson's namespace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Every one of these pods is Running and Ready.
    Ready(Vec<String>),
    /// Exactly these pods exist, all Running and Ready, none terminating.
    ExactlyReady(Vec<String>),
    /// The pod is another one than when the step began (a new uid), and Ready.
    Recreated(String),
    /// Every one of these pods is Ready and runs this image in its first container.
    RunsImage { pods: Vec<String>, image: String },
    /// The StatefulSet has an update revision its pods are not all on yet.
    UpdatePending(String),
    /// The StatefulSet's current and update revisions are the same: no rollout is under way.
    UpdateDone(String),
    /// The pod's first container waits for one of these reasons.
    WaitingFor { pod: String, reasons: Vec<String> },
    /// The Service's EndpointSlices list exactly the pod's address, ready: it reaches that pod alone.
    ReachesOnly { service: String, pod: String },
    /// A command containing this text was run (by the learner, who may order flags their own way, or by
    /// "Do it").
    Ran(String),
    /// The file in the pod's first container contains this text.
    FileHolds {
        pod: String,
        path: String,
        text: String,
    },
    /// Every one of these checks holds.
    All(Vec<Check>),
}

/// An object a check names, for the test that every lesson names only what its cluster has.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Named {
    Pod(String),
    Service(String),
    StatefulSet(String),
}

impl Check {
    fn holds(&self, lab: &Lab) -> bool {
        let pods = lab.pods();
        match self {
            Check::Ready(names) => names.iter().all(|n| pods.is_ready(n)),
            Check::ExactlyReady(names) => {
                pods.pods().count() == names.len()
                    && names
                        .iter()
                        .all(|n| pods.is_ready(n) && !pods.is_terminating(n))
            }
            Check::Recreated(name) => {
                pods.is_ready(name)
                    && pods.uid(name) != lab.start.uids.get(name).map(String::as_str)
            }
            Check::RunsImage { pods: names, image } => names
                .iter()
                .all(|n| pods.is_ready(n) && pods.image(n) == Some(image.as_str())),
            Check::UpdatePending(set) => pods.update_pending(set),
            Check::UpdateDone(set) => pods.statefulset(set).is_some() && !pods.update_pending(set),
            Check::WaitingFor { pod, reasons } => pods
                .waiting_reason(pod)
                .is_some_and(|reason| reasons.iter().any(|r| r == reason)),
            Check::ReachesOnly { service, pod } => pods
                .ready_ip(pod)
                .is_some_and(|ip| pods.ready_addresses(service) == [ip]),
            Check::Ran(part) => lab.ran_at(part).is_some(),
            Check::FileHolds { pod, path, text } => file_contents(
                lab.cluster,
                &ObjectKey::new(lab.namespace, pod.as_str()),
                path,
            )
            .is_some_and(|content| content.contains(text.as_str())),
            Check::All(checks) => checks.iter().all(|c| c.holds(lab)),
        }
    }

    /// The objects the check names.
    pub fn names(&self) -> Vec<Named> {
        match self {
            Check::Ready(pods) | Check::ExactlyReady(pods) | Check::RunsImage { pods, .. } => {
                pods.iter().cloned().map(Named::Pod).collect()
            }
            Check::Recreated(pod)
            | Check::WaitingFor { pod, .. }
            | Check::FileHolds { pod, .. } => {
                vec![Named::Pod(pod.clone())]
            }
            Check::UpdatePending(set) | Check::UpdateDone(set) => {
                vec![Named::StatefulSet(set.clone())]
            }
            Check::ReachesOnly { service, pod } => {
                vec![Named::Service(service.clone()), Named::Pod(pod.clone())]
            }
            Check::Ran(_) => Vec::new(),
            Check::All(checks) => checks.iter().flat_map(Check::names).collect(),
        }
    }

    /// The command fragments the check waits for someone to run.
    pub fn commands(&self) -> Vec<&str> {
        match self {
            Check::Ran(part) => vec![part],
            Check::All(checks) => checks.iter().flat_map(Check::commands).collect(),
            _ => Vec::new(),
        }
    }
}

/// The cluster as a step found it: what its check measures change against.
#[derive(Clone, Debug, Default)]
pub struct StepStart {
    /// Pod uids by name: what "recreated" is measured against.
    uids: BTreeMap<String, String>,
    /// When the step began, in simulated time.
    at: SimTime,
}

impl StepStart {
    pub fn of(cluster: &Cluster, namespace: &str) -> StepStart {
        StepStart {
            uids: PodQuery::new(cluster, namespace)
                .pods()
                .filter_map(|p| Some((p.metadata.name.clone()?, p.metadata.uid.clone()?)))
                .collect(),
            at: cluster.now(),
        }
    }
}

/// What the cluster looks like to a step's check.
pub struct Lab<'a> {
    pub cluster: &'a Cluster,
    pub namespace: &'a str,
    pub start: &'a StepStart,
    /// Commands run (by the learner or by "Do it") since the step began, with the instant each ran at.
    pub commands: &'a [(SimTime, String)],
}

impl Lab<'_> {
    fn pods(&self) -> PodQuery<'_> {
        PodQuery::new(self.cluster, self.namespace)
    }

    /// When the first command containing `part` ran.
    fn ran_at(&self, part: &str) -> Option<SimTime> {
        self.commands
            .iter()
            .find(|(_, command)| command.contains(part))
            .map(|(at, _)| *at)
    }

    /// How long the step has waited for the cluster, and how long it means to: from when its command ran (from
    /// when it began, for one that only plays), and the watch it keeps, if any. `None` before anything ran.
    pub fn waiting(&self, doing: &Doing) -> Option<(SimTime, Option<SimTime>)> {
        let since = match doing {
            Doing::Play => Some(self.start.at).filter(|at| self.cluster.now() > *at),
            Doing::Run(command) => self.ran_at(command),
            Doing::RunThenWatch { after, .. } => self.ran_at(after),
        }?;
        let waited = SimTime::from_millis(self.cluster.now().as_millis() - since.as_millis());
        let watch = match doing {
            Doing::RunThenWatch { secs, .. } => Some(SimTime::from_secs(*secs)),
            _ => None,
        };
        Some((waited, watch))
    }

    /// Whether the step is done: its check holds, and the watch it keeps, if any, is over.
    pub fn done(&self, step: &Step) -> bool {
        let watched = match self.waiting(&step.doing) {
            Some((waited, Some(watch))) => waited >= watch,
            Some((_, None)) => true,
            None => !matches!(step.doing, Doing::RunThenWatch { .. }),
        };
        watched && step.done.holds(self)
    }

    /// Whether the object is in the cluster now.
    pub fn exists(&self, named: &Named) -> bool {
        let pods = self.pods();
        match named {
            Named::Pod(name) => pods.pod(name).is_some(),
            Named::Service(name) => pods.service_exists(name),
            Named::StatefulSet(name) => pods.statefulset(name).is_some(),
        }
    }
}
