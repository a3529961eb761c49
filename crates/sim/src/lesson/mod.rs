//! Guided lessons as data. Each lesson is a file of `lessons/` (steps, the prediction each asks for, the
//! reveal, and the check that says the step is done, in English and in Chinese), embedded at build time; the
//! core reads it, runs its checks against the cluster, and keeps nothing of the viewer. Writing a lesson needs
//! no Rust: see `lessons/README.md`.

mod check;
mod progress;

use serde::{Deserialize, Serialize};

pub use check::{Check, Lab, Named, StepStart};
pub use progress::{Current, Progress};

/// Text in English and in Chinese.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

/// What "Do it for me" does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Doing {
    /// Plays the clock: the step is the cluster's to do.
    Play,
    /// Runs a command line in the console.
    Run(String),
    /// Runs `command`, then watches the cluster for `secs` of simulated time from when a command containing
    /// `after` ran: for a step whose point is that nothing happens.
    RunThenWatch {
        command: String,
        after: String,
        secs: u64,
    },
}

impl Doing {
    pub fn command(&self) -> Option<&str> {
        match self {
            Doing::Play => None,
            Doing::Run(command) | Doing::RunThenWatch { command, .. } => Some(command),
        }
    }
}

/// The question a step asks before it lets the learner act, and what the reveal says afterwards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    pub question: Text,
    pub choices: Vec<Text>,
    /// The index of the right choice.
    pub answer: usize,
    pub why: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub task: Text,
    #[serde(rename = "do")]
    pub doing: Doing,
    pub predict: Prediction,
    /// When the step is done, read from the cluster and the commands run since it began.
    pub done: Check,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub id: String,
    pub title: Text,
    /// The example (`examples/<preset>.yaml`) whose manifests the lesson starts from, without its script.
    pub preset: String,
    /// Where the objects its checks name live.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    pub steps: Vec<Step>,
}

fn default_namespace() -> String {
    "default".into()
}

/// A lesson file that does not say what a lesson must.
#[derive(Debug, PartialEq)]
pub enum LessonError {
    Yaml { file: String, message: String },
    NoSteps { file: String },
    AnswerOutOfRange { file: String, step: usize },
    DuplicateId { id: String },
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LessonError::Yaml { file, message } => write!(f, "{file}: {message}"),
            LessonError::NoSteps { file } => write!(f, "{file}: a lesson needs at least one step"),
            LessonError::AnswerOutOfRange { file, step } => {
                write!(f, "{file}: step {step}'s answer is not one of its choices")
            }
            LessonError::DuplicateId { id } => write!(f, "two lessons have the id {id}"),
        }
    }
}

impl std::error::Error for LessonError {}

impl Lesson {
    /// Reads one lesson file; `file` names it in errors.
    pub fn parse(file: &str, yaml: &str) -> Result<Lesson, LessonError> {
        let yaml_error = |message: String| LessonError::Yaml {
            file: file.into(),
            message,
        };
        // Through JSON's data model: YAML's would want a tag (`!ready`) for each check, where a lesson writes
        // the map `ready: [web-0]` as Kubernetes manifests do.
        let value: serde_json::Value =
            serde_yaml_ng::from_str(yaml).map_err(|e| yaml_error(e.to_string()))?;
        let lesson: Lesson =
            serde_json::from_value(value).map_err(|e| yaml_error(e.to_string()))?;
        if lesson.steps.is_empty() {
            return Err(LessonError::NoSteps { file: file.into() });
        }
        if let Some(step) = lesson
            .steps
            .iter()
            .position(|s| s.predict.answer >= s.predict.choices.len())
        {
            return Err(LessonError::AnswerOutOfRange {
                file: file.into(),
                step,
            });
        }
        Ok(lesson)
    }
}

// `FILES`: every `lessons/*.yaml`, by file name, in name order (the order the page lists them in).
include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// Every lesson of `lessons/`, in the order of their file names.
pub fn catalogue() -> Result<Vec<Lesson>, LessonError> {
    let mut lessons: Vec<Lesson> = Vec::with_capacity(FILES.len());
    for (file, yaml) in FILES {
        let lesson = Lesson::parse(file, yaml)?;
        if lessons.iter().any(|l| l.id == lesson.id) {
            return Err(LessonError::DuplicateId { id: lesson.id });
        }
        lessons.push(lesson);
    }
    Ok(lessons)
}
