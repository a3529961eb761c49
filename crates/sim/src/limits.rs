//! What the playground refuses instead of exhausting itself on. A sandbox that strangers paste into must answer
//! every input quickly, with a message that says which limit was reached; none of these limits is one a real
//! manifest or a classroom scenario comes near.

use std::fmt;

/// One `kubectl apply`, or the manifests of a scenario: the apiserver's own request limit is 3 MiB, and a
/// hand-written manifest is a few kilobytes.
pub const MAX_MANIFEST_BYTES: usize = 1 << 20;

/// A scenario file: its manifests, its steps and the manifests they apply.
pub const MAX_SCENARIO_BYTES: usize = 2 << 20;

/// Documents in one manifest.
pub const MAX_DOCUMENTS: usize = 500;

/// Nested flow collections (`[[[…]]]`, `{a: {a: …}}`): the YAML parser's time grows with the square of this
/// depth before its own recursion limit (128) refuses the document, so deeper text is refused before parsing.
pub const MAX_FLOW_DEPTH: usize = 100;

/// Replicas of one StatefulSet the core simulates: scaling a Parallel set from 0 to 5,000 on 50 nodes takes
/// about 30 s natively (benchmark B, bench/results.md). The page draws as many, all sets together, and stays
/// usable at that size (bench/results.md: a click while 5,000 pods play at 32×).
pub const MAX_REPLICAS: i32 = 5_000;

/// One command line in the console or a scenario step.
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;

/// A text past one of the playground's limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitError {
    /// `what` ("the manifest", "the scenario", …) is `bytes` long, more than `max`.
    TooLarge {
        what: &'static str,
        bytes: usize,
        max: usize,
    },
    /// Flow collections nest deeper than `MAX_FLOW_DEPTH` on this line (1-based).
    TooDeep { line: usize },
    /// A manifest of more than `MAX_DOCUMENTS` documents.
    TooManyDocuments { documents: usize },
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitError::TooLarge { what, bytes, max } => write!(
                f,
                "{what} is {bytes} bytes, more than this playground's limit of {max} bytes"
            ),
            LimitError::TooDeep { line } => write!(
                f,
                "line {line}: collections nested more than {MAX_FLOW_DEPTH} deep"
            ),
            LimitError::TooManyDocuments { documents } => write!(
                f,
                "the manifest has {documents} documents, more than this playground's limit of \
                 {MAX_DOCUMENTS}"
            ),
        }
    }
}

impl std::error::Error for LimitError {}

/// `what` is at most `max` bytes.
pub fn check_size(what: &'static str, text: &str, max: usize) -> Result<(), LimitError> {
    if text.len() > max {
        return Err(LimitError::TooLarge {
            what,
            bytes: text.len(),
            max,
        });
    }
    Ok(())
}

/// The YAML (or JSON) text nests flow collections no deeper than `MAX_FLOW_DEPTH`. Brackets inside quoted
/// scalars and comments do not count; a block scalar's brackets do, which can only over-count.
pub fn check_flow_depth(text: &str) -> Result<(), LimitError> {
    let mut depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        let mut quote = None;
        let mut previous = ' ';
        for c in line.chars() {
            match (quote, c) {
                (Some('"'), '\\') if previous == '\\' => {
                    previous = ' ';
                    continue;
                }
                (Some(q), _) if c == q && !(q == '"' && previous == '\\') => quote = None,
                (Some(_), _) => {}
                (None, '#') if previous.is_whitespace() => break,
                (None, '"' | '\'') if previous.is_whitespace() || "[{,:".contains(previous) => {
                    quote = Some(c)
                }
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(LimitError::TooDeep { line: index + 1 });
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                (None, _) => {}
            }
            previous = c;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_depth_counts_brackets_outside_quotes_and_comments() {
        let deep = "[".repeat(MAX_FLOW_DEPTH + 1);
        assert!(check_flow_depth(&deep).is_err());
        assert!(check_flow_depth(&"[".repeat(MAX_FLOW_DEPTH)).is_ok());
        let quoted = format!("a: \"{deep}\"\nb: '{deep}'\nc: 1 # {deep}\n");
        assert!(
            check_flow_depth(&quoted).is_ok(),
            "quoted and commented brackets do not nest"
        );
        let escaped = format!("a: \"\\\" {deep}\"\n");
        assert!(check_flow_depth(&escaped).is_ok());
        let spread = format!("a: {}\n{}", "{a: ".repeat(60), "[".repeat(60));
        assert!(
            check_flow_depth(&spread).is_err(),
            "depth carries across lines"
        );
    }

    #[test]
    fn size_names_what_is_too_big() {
        assert_eq!(
            check_size("the manifest", "abc", 2)
                .unwrap_err()
                .to_string(),
            "the manifest is 3 bytes, more than this playground's limit of 2 bytes"
        );
        assert!(check_size("the manifest", "ab", 2).is_ok());
    }
}
