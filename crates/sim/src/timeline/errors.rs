//! Why saved work's branches do not make a timeline: what `Timeline::from_history` refuses, and what
//! `share::read_work` finds missing or malformed in a saved branch before that.

use std::fmt;

use crate::scenario::ScenarioError;

#[derive(Clone, Debug, PartialEq)]
pub enum HistoryError {
    NoBranch,
    NoSuchCurrent {
        current: usize,
        branches: usize,
    },
    Branch {
        index: usize,
        problem: BranchProblem,
    },
    /// Saved work without a list of branches.
    NoBranchList,
    /// Saved work that does not say which branch is current.
    NoCurrent,
    /// Saved work that stands past its branch's horizon.
    BeyondHorizon,
}

/// What is wrong with one branch.
#[derive(Clone, Debug, PartialEq)]
pub enum BranchProblem {
    StepOrder {
        step: usize,
    },
    /// A branch after the first that names no parent.
    NoParent,
    ForksFromLater {
        parent: usize,
    },
    BeyondHorizon,
    PastDiffers,
    /// A saved branch without this field.
    Missing(&'static str),
    BadFrom,
    /// A saved branch whose parent index is not an earlier branch.
    ParentNotBefore,
    Steps(Box<ScenarioError>),
    SharesTooMany,
    BadEventsEntry,
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::NoBranch => f.write_str("a history has at least one branch"),
            HistoryError::NoSuchCurrent { current, branches } => write!(
                f,
                "the current branch {current} is not one of the {branches} branches"
            ),
            HistoryError::Branch { index, problem } => write!(f, "branch {index}: {problem}"),
            HistoryError::NoBranchList => f.write_str("it lists no branches"),
            HistoryError::NoCurrent => f.write_str("it does not say which branch is current"),
            HistoryError::BeyondHorizon => {
                f.write_str("it stands beyond where its branch was simulated to")
            }
        }
    }
}

impl fmt::Display for BranchProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BranchProblem::StepOrder { step } => {
                write!(f, "step {step} is earlier than the step before it")
            }
            BranchProblem::NoParent => f.write_str("only the first branch has no parent"),
            BranchProblem::ForksFromLater { parent } => {
                write!(f, "it forks from branch {parent}, which is not before it")
            }
            BranchProblem::BeyondHorizon => f.write_str("it forks beyond a horizon"),
            BranchProblem::PastDiffers => {
                f.write_str("its steps before the fork are not its parent's")
            }
            BranchProblem::Missing(field) => write!(f, "no {field}"),
            BranchProblem::BadFrom => f.write_str("`from` is not [branch, instant]"),
            BranchProblem::ParentNotBefore => f.write_str("its parent is not before it"),
            BranchProblem::Steps(error) => write!(f, "{error}"),
            BranchProblem::SharesTooMany => f.write_str("it shares more steps than its parent has"),
            BranchProblem::BadEventsEntry => f.write_str("an events entry is not [second, count]"),
        }
    }
}

impl std::error::Error for HistoryError {}
