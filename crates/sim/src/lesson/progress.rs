//! How far a learner has got: the lessons finished, and the one under way with the cluster as it was, so that
//! a reload continues where the learner was. The page keeps it in the browser's storage as this JSON.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The ids of the lessons finished, in the order they were.
    #[serde(default)]
    pub finished: Vec<String>,
    /// The lesson under way.
    #[serde(default)]
    pub current: Option<Current>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Current {
    pub lesson: String,
    pub step: usize,
    /// The page's shared state (`share::state_json`): the scenario and the instant it was at.
    pub state: String,
}

impl Progress {
    /// Reads saved progress; anything unreadable is no progress, as for a learner who never started.
    pub fn read(json: &str) -> Progress {
        serde_json::from_str(json).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("progress serialises")
    }

    pub fn is_finished(&self, id: &str) -> bool {
        self.finished.iter().any(|f| f == id)
    }

    /// The lesson is finished: it leaves the lessons under way.
    pub fn finish(&mut self, id: &str) {
        if !self.is_finished(id) {
            self.finished.push(id.into());
        }
        self.current = None;
    }
}
