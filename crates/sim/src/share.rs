//! The state a share link carries: the current branch as a scenario file, the moment on the timeline and the
//! editor's text, as versioned JSON. The page compresses it into the address's fragment; reading it back is
//! here, in the core, so that the fuzzer and the native tests exercise the same code the page runs.
//!
//! Work the playground saves for itself is the same, with every branch of the timeline instead of one.

use serde_json::{json, Value};
use std::collections::BTreeMap;

use crate::config::ClusterConfig;
use crate::scenario::ScenarioError;
use crate::scenario::{Scenario, Step};
use crate::time::SimTime;
use crate::timeline::{Branch, BranchProblem, History, HistoryError};

/// The version of the JSON inside a link; the page versions the encoding around it (`#v1.`).
pub const STATE_VERSION: u64 = 1;

/// How far into the simulation a link may point: opening it simulates that far, which must stay quick.
pub const MOST_SHARED_TIME: SimTime = SimTime(24 * 3600 * 1000);

/// The state a link carries.
#[derive(Debug, PartialEq)]
pub struct SharedState {
    pub scenario: Scenario,
    pub at: SimTime,
    /// The editor's text, when it is not the scenario's manifests.
    pub editor: Option<String>,
}

/// Why a link's state was refused: the reason a person can act on.
#[derive(Clone, Debug, PartialEq)]
pub enum StateError {
    /// The JSON parser's words.
    Damaged(String),
    NoVersion,
    NewerState(u64),
    NoScenario,
    /// The scenario parser's refusal, as `ordinal run` prints it.
    BadScenario(ScenarioError),
    NoMoment,
    TooFar(SimTime),
    EditorNotText,
    /// Saved work only: its branches do not read, or do not make a timeline (`Timeline::from_history`).
    BadHistory(HistoryError),
}

pub fn state_json(state: &SharedState) -> String {
    let mut value = json!({
        "v": STATE_VERSION,
        "scenario": state.scenario.to_yaml(),
        "at": state.at.as_millis(),
    });
    if let Some(editor) = &state.editor {
        value["editor"] = Value::from(editor.as_str());
    }
    value.to_string()
}

/// Reads what a link carries, refusing anything else.
pub fn read_state(json: &str) -> Result<SharedState, StateError> {
    let value = versioned(json)?;
    let scenario = scenario_in(&value, "scenario")?;
    let at = moment(&value)?;
    if at > MOST_SHARED_TIME {
        return Err(StateError::TooFar(at));
    }
    Ok(SharedState {
        scenario,
        at,
        editor: editor(&value)?,
    })
}

/// The JSON, once it reads and is of a version this core knows.
fn versioned(json: &str) -> Result<Value, StateError> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| StateError::Damaged(e.to_string()))?;
    match value.get("v").and_then(Value::as_u64) {
        Some(STATE_VERSION) => Ok(value),
        Some(other) => Err(StateError::NewerState(other)),
        None => Err(StateError::NoVersion),
    }
}

/// The scenario file in `field`.
fn scenario_in(value: &Value, field: &str) -> Result<Scenario, StateError> {
    let text = value
        .get(field)
        .and_then(Value::as_str)
        .ok_or(StateError::NoScenario)?;
    Scenario::parse(text).map_err(StateError::BadScenario)
}

fn moment(value: &Value) -> Result<SimTime, StateError> {
    value
        .get("at")
        .and_then(Value::as_u64)
        .map(SimTime::from_millis)
        .ok_or(StateError::NoMoment)
}

fn editor(value: &Value) -> Result<Option<String>, StateError> {
    match value.get("editor") {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(StateError::EditorNotText),
    }
}

/// Work as the playground saves it: every branch, where it stands, and the editor's text when that is not the
/// current branch's manifests. It is the learner's own, so it may stand further in than a link may point.
#[derive(Debug, PartialEq)]
pub struct SavedWork {
    pub history: History,
    pub at: SimTime,
    pub editor: Option<String>,
}

/// The cluster as a scenario file without steps, and each branch's steps as a scenario file of those alone: a
/// fork keeps its parent's steps up to the fork, so only the ones after it are written (the manifests, a
/// megabyte perhaps, are written once however many branches there are).
pub fn work_json(work: &SavedWork) -> String {
    let History {
        config,
        branches,
        current,
    } = &work.history;
    let branches: Vec<Value> = branches
        .iter()
        .map(|branch| {
            let shared = shared_steps(branch, &work.history.branches);
            json!({
                "from": branch.forked_from.map(|(parent, at)| json!([parent, at.as_millis()])),
                "shared": shared,
                "steps": scenario_file(&Default::default(), &branch.steps[shared..]),
                "horizon": branch.horizon.as_millis(),
                "scriptEnd": branch.script_end.as_millis(),
                "events": branch.events_per_second.iter().map(|(s, n)| json!([s, n])).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut value = json!({
        "v": STATE_VERSION,
        "cluster": scenario_file(config, &[]),
        "branches": branches,
        "current": current,
        "at": work.at.as_millis(),
    });
    if let Some(editor) = &work.editor {
        value["editor"] = Value::from(editor.as_str());
    }
    value.to_string()
}

/// How many of a branch's first steps are its parent's.
fn shared_steps(branch: &Branch, branches: &[Branch]) -> usize {
    let Some((parent, _)) = branch.forked_from else {
        return 0;
    };
    branches[parent].steps_shared_with(branch)
}

/// A scenario file of the cluster and the steps alone.
fn scenario_file(config: &ClusterConfig, steps: &[Step]) -> String {
    Scenario {
        name: None,
        config: config.clone(),
        manifests: String::new(),
        steps: steps.to_vec(),
        until: SimTime::ZERO,
    }
    .to_yaml()
}

/// Reads saved work, refusing what does not read; `Timeline::from_history` refuses branches that read but do
/// not make a timeline.
pub fn read_work(json: &str) -> Result<SavedWork, StateError> {
    let value = versioned(json)?;
    let config = scenario_in(&value, "cluster")?.config;
    let listed = value
        .get("branches")
        .and_then(Value::as_array)
        .ok_or(StateError::BadHistory(HistoryError::NoBranchList))?;
    let mut branches: Vec<Branch> = Vec::with_capacity(listed.len());
    for (index, entry) in listed.iter().enumerate() {
        let branch = read_branch(entry, &branches)
            .map_err(|problem| StateError::BadHistory(HistoryError::Branch { index, problem }))?;
        branches.push(branch);
    }
    let current = value
        .get("current")
        .and_then(as_index)
        .ok_or(StateError::BadHistory(HistoryError::NoCurrent))?;
    let at = moment(&value)?;
    // A current branch that is not there is `Timeline::from_history`'s to refuse.
    if branches
        .get(current)
        .is_some_and(|branch| at > branch.horizon)
    {
        return Err(StateError::BadHistory(HistoryError::BeyondHorizon));
    }
    let history = History {
        config,
        branches,
        current,
    };
    Ok(SavedWork {
        history,
        at,
        editor: editor(&value)?,
    })
}

/// A count or a position: a number that fits in `usize`, which on wasm32 is 32 bits.
fn as_index(value: &Value) -> Option<usize> {
    usize::try_from(value.as_u64()?).ok()
}

fn read_branch(entry: &Value, earlier: &[Branch]) -> Result<Branch, BranchProblem> {
    let millis = |field: &'static str| {
        entry
            .get(field)
            .and_then(Value::as_u64)
            .map(SimTime::from_millis)
            .ok_or(BranchProblem::Missing(field))
    };
    let forked_from = match entry.get("from") {
        None | Some(Value::Null) => None,
        Some(from) => {
            let pair = from
                .as_array()
                .filter(|pair| pair.len() == 2)
                .and_then(|pair| Some((as_index(&pair[0])?, pair[1].as_u64()?)))
                .ok_or(BranchProblem::BadFrom)?;
            Some((pair.0, SimTime::from_millis(pair.1)))
        }
    };
    let shared = entry
        .get("shared")
        .and_then(as_index)
        .ok_or(BranchProblem::Missing("shared"))?;
    let parent_steps = match forked_from {
        Some((parent, _)) => {
            &earlier
                .get(parent)
                .ok_or(BranchProblem::ParentNotBefore)?
                .steps
        }
        None => &Vec::new(),
    };
    let own = entry
        .get("steps")
        .and_then(Value::as_str)
        .ok_or(BranchProblem::Missing("steps"))?;
    let own = Scenario::parse(own)
        .map_err(|error| BranchProblem::Steps(Box::new(error)))?
        .steps;
    let steps = parent_steps
        .get(..shared)
        .ok_or(BranchProblem::SharesTooMany)?
        .iter()
        .cloned()
        .chain(own)
        .collect();
    let mut events_per_second = BTreeMap::new();
    for pair in entry
        .get("events")
        .and_then(Value::as_array)
        .ok_or(BranchProblem::Missing("events"))?
    {
        let (second, count) = pair
            .as_array()
            .filter(|pair| pair.len() == 2)
            .and_then(|pair| Some((pair[0].as_u64()?, u32::try_from(pair[1].as_u64()?).ok()?)))
            .ok_or(BranchProblem::BadEventsEntry)?;
        events_per_second.insert(second, count);
    }
    Ok(Branch {
        steps,
        horizon: millis("horizon")?,
        forked_from,
        events_per_second,
        script_end: millis("scriptEnd")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = include_str!("../../../examples/web.yaml");

    /// The web example scaled at 30 s, then, back at 10 s, scaled otherwise: two branches, the second current.
    fn branched() -> crate::timeline::Timeline {
        use crate::scenario::Action;
        let scenario = Scenario {
            steps: Vec::new(),
            ..Scenario::parse(WEB).unwrap()
        };
        let mut timeline = crate::timeline::Timeline::from_scenario(&scenario);
        timeline.seek(SimTime::from_secs(30));
        timeline.act(Action::Run("kubectl scale sts web --replicas=5".into()));
        timeline.seek(SimTime::from_secs(50));
        timeline.seek(SimTime::from_secs(10));
        timeline.act(Action::Run("kubectl scale sts web --replicas=1".into()));
        timeline.seek(SimTime::from_secs(25));
        timeline
    }

    #[test]
    fn saved_work_brings_back_every_branch_where_it_stood() {
        use crate::timeline::Timeline;
        let mut saved_from = branched();
        assert_eq!(saved_from.branches().len(), 2);
        let work = SavedWork {
            history: saved_from.history(),
            at: saved_from.now(),
            editor: Some("kind: Pod\n".into()),
        };
        let json = work_json(&work);
        // The manifests are written once, with the first branch; the fork writes only its own step.
        assert_eq!(json.matches("volumeClaimTemplates").count(), 1, "{json}");
        let read = read_work(&json).unwrap();
        assert_eq!(read, work);

        let mut reopened = Timeline::from_history(read.history).unwrap();
        reopened.seek(read.at);
        assert_eq!(reopened.branches(), saved_from.branches());
        assert_eq!(reopened.current_branch(), 1);
        let objects = |t: &Timeline| t.cluster().store().resource_version();
        assert_eq!(objects(&reopened), objects(&saved_from));
        // The branch left behind is there too, as far as it went.
        reopened.switch_branch(0, SimTime::from_secs(50));
        saved_from.switch_branch(0, SimTime::from_secs(50));
        assert_eq!(reopened.now(), SimTime::from_secs(50));
        assert_eq!(objects(&reopened), objects(&saved_from));
    }

    #[test]
    fn saved_branches_that_make_no_timeline_are_refused() {
        use crate::timeline::Timeline;
        let work = |change: &dyn Fn(&mut Value)| {
            let history = branched().history();
            let mut value: Value = serde_json::from_str(&work_json(&SavedWork {
                history,
                at: SimTime::from_secs(25),
                editor: None,
            }))
            .unwrap();
            change(&mut value);
            read_work(&value.to_string()).and_then(|work| {
                Timeline::from_history(work.history).map_err(StateError::BadHistory)
            })
        };
        let refusal = |change: &dyn Fn(&mut Value)| match work(change) {
            Err(StateError::BadHistory(why)) => why.to_string(),
            other => panic!("not refused as a history: {:?}", other.map(|_| ())),
        };
        assert!(work(&|_| {}).is_ok());
        assert_eq!(
            refusal(&|v| v["branches"][1]["from"] = json!([1, 10_000])),
            "branch 1: its parent is not before it"
        );
        assert_eq!(
            refusal(&|v| v["branches"][1]["shared"] = json!(9)),
            "branch 1: it shares more steps than its parent has"
        );
        assert_eq!(
            refusal(&|v| v["branches"][1]["from"] = json!([0, 20_000])),
            "branch 1: its steps before the fork are not its parent's"
        );
        assert_eq!(
            refusal(&|v| v["current"] = json!(2)),
            "the current branch 2 is not one of the 2 branches"
        );
        assert_eq!(
            refusal(&|v| v["at"] = json!(3_600_000)),
            "it stands beyond where its branch was simulated to"
        );
        assert_eq!(
            refusal(&|v| v["branches"][0]["from"] = json!([0, 0])),
            "branch 0: its parent is not before it"
        );
        assert!(matches!(
            work(&|v| v["branches"][1]["steps"] = json!("steps: [{at: 1s}]")),
            Err(StateError::BadHistory(why)) if why.to_string().starts_with("branch 1: invalid scenario: steps[0]")
        ));
    }

    #[test]
    fn a_state_reads_back_as_written() {
        let state = SharedState {
            scenario: Scenario::parse(WEB).unwrap(),
            at: SimTime::from_secs(90),
            editor: Some("kind: Pod\n".into()),
        };
        assert_eq!(read_state(&state_json(&state)).unwrap(), state);
    }

    #[test]
    fn each_missing_or_wrong_part_is_named() {
        let scenario = serde_json::to_string(&Scenario::parse(WEB).unwrap().to_yaml()).unwrap();
        let cases = [
            (
                "{",
                StateError::Damaged("EOF while parsing an object at line 1 column 1".into()),
            ),
            ("{}", StateError::NoVersion),
            (r#"{"v": 2}"#, StateError::NewerState(2)),
            (r#"{"v": 1}"#, StateError::NoScenario),
            (
                &format!(r#"{{"v": 1, "scenario": {scenario}}}"#),
                StateError::NoMoment,
            ),
            (
                &format!(r#"{{"v": 1, "scenario": {scenario}, "at": 86400001}}"#),
                StateError::TooFar(SimTime::from_millis(86_400_001)),
            ),
            (
                &format!(r#"{{"v": 1, "scenario": {scenario}, "at": 0, "editor": 7}}"#),
                StateError::EditorNotText,
            ),
        ];
        for (json, error) in cases {
            assert_eq!(read_state(json).unwrap_err(), error, "{json}");
        }
        assert!(matches!(
            read_state(r#"{"v": 1, "scenario": "name: [", "at": 0}"#),
            Err(StateError::BadScenario(_))
        ));
    }
}
