//! The state a share link carries: the current branch as a scenario file, the moment on the timeline and the
//! editor's text, as versioned JSON. The page compresses it into the address's fragment; reading it back is
//! here, in the core, so that the fuzzer and the native tests exercise the same code the page runs.

use serde_json::{json, Value};

use crate::scenario::Scenario;
use crate::time::SimTime;

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
    /// The scenario parser's message, as `ordinal run` prints it.
    BadScenario(String),
    NoMoment,
    TooFar(SimTime),
    EditorNotText,
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
    let value: Value =
        serde_json::from_str(json).map_err(|e| StateError::Damaged(e.to_string()))?;
    match value.get("v").and_then(Value::as_u64) {
        Some(STATE_VERSION) => {}
        Some(other) => return Err(StateError::NewerState(other)),
        None => return Err(StateError::NoVersion),
    }
    let text = value
        .get("scenario")
        .and_then(Value::as_str)
        .ok_or(StateError::NoScenario)?;
    let scenario = Scenario::parse(text).map_err(StateError::BadScenario)?;
    let at = value
        .get("at")
        .and_then(Value::as_u64)
        .map(SimTime::from_millis)
        .ok_or(StateError::NoMoment)?;
    if at > MOST_SHARED_TIME {
        return Err(StateError::TooFar(at));
    }
    let editor = match value.get("editor") {
        None => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => return Err(StateError::EditorNotText),
    };
    Ok(SharedState {
        scenario,
        at,
        editor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: &str = include_str!("../../../examples/web.yaml");

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
