//! Word expansion (XCU 2.6): parameters, command substitution (already run: its outputs are handed in),
//! field splitting of what was expanded unquoted, and quote removal. No pathname expansion: the terminal has
//! no files worth globbing, and a `*` stays a `*`, as bash leaves a pattern that matches nothing.

use super::syntax::{ParameterOperation, Part, Simple, Word};
use super::Session;

/// Expands words with the variables of the shell and the outputs of the substitutions they contain, in the
/// order the words contain them.
pub struct Expander<'a> {
    session: &'a Session,
    substitutions: &'a [String],
    next: usize,
}

impl<'a> Expander<'a> {
    pub fn new(session: &'a Session, substitutions: &'a [String]) -> Self {
        Expander {
            session,
            substitutions,
            next: 0,
        }
    }

    /// The fields a word expands to: none for an unquoted expansion of nothing, several where an unquoted
    /// expansion holds blanks.
    pub fn fields(&mut self, word: &Word) -> Vec<String> {
        let mut fields = Vec::new();
        let mut field = String::new();
        // Whether `field` exists even if empty: a quoted part, even `""`, makes a field.
        let mut started = false;
        for part in &word.parts {
            let (value, quoted) = self.part(part);
            if quoted {
                field.push_str(&value);
                started = true;
                continue;
            }
            if matches!(part, Part::Text { .. }) {
                field.push_str(&value);
                started |= !value.is_empty();
                continue;
            }
            let mut pieces = value.split([' ', '\t', '\n']).peekable();
            if let Some(first) = pieces.next() {
                field.push_str(first);
                started |= !first.is_empty();
            }
            for piece in pieces {
                if started {
                    fields.push(std::mem::take(&mut field));
                }
                field.push_str(piece);
                started = !piece.is_empty();
            }
        }
        if started {
            fields.push(field);
        }
        fields
    }

    /// A word expanded without field splitting: an assignment's value, a redirection's target, a
    /// here-document.
    pub fn text(&mut self, word: &Word) -> String {
        word.parts.iter().map(|part| self.part(part).0).collect()
    }

    fn part(&mut self, part: &Part) -> (String, bool) {
        match part {
            Part::Text { text, quoted } => (text.clone(), *quoted),
            Part::Parameter {
                name,
                operation,
                quoted,
            } => (self.parameter(name, operation.as_ref()), *quoted),
            Part::Substitution { quoted, .. } => {
                let output = self
                    .substitutions
                    .get(self.next)
                    .cloned()
                    .unwrap_or_default();
                self.next += 1;
                (output, *quoted)
            }
        }
    }

    fn parameter(&self, name: &str, operation: Option<&ParameterOperation>) -> String {
        let status = self.session.status.to_string();
        let value = match name {
            "?" => Some(status.as_str()),
            name => self.session.variables.get(name),
        };
        match operation {
            None => value.unwrap_or_default().to_string(),
            Some(ParameterOperation::Length) => {
                value.unwrap_or_default().chars().count().to_string()
            }
            Some(ParameterOperation::Default { word, colon }) => match value {
                Some(v) if !(*colon && v.is_empty()) => v.to_string(),
                _ => word.clone(),
            },
        }
    }
}

/// The command substitutions of a simple command, in the order expansion meets them: assignments, words,
/// then redirection targets.
pub fn substitutions(simple: &Simple) -> Vec<std::sync::Arc<super::syntax::Script>> {
    let words = simple
        .assignments
        .iter()
        .map(|(_, w)| w)
        .chain(&simple.words)
        .chain(simple.redirects.iter().filter_map(|r| r.kind.word()));
    words
        .flat_map(|w| w.parts.iter())
        .filter_map(|part| match part {
            Part::Substitution { script, .. } => Some(script.clone()),
            _ => None,
        })
        .collect()
}
