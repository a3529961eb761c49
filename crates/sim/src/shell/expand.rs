//! Word expansion (XCU 2.6): parameters, command substitution (already run: its outputs are handed in),
//! field splitting of what was expanded unquoted, and quote removal. No pathname expansion: the terminal has
//! no files worth globbing, and a `*` stays a `*`, as bash leaves a pattern that matches nothing.

use super::syntax::{ParameterOperation, Part, Word};
use super::Session;

/// Expands words with the variables of the shell and the outputs of the substitutions they contain, in the
/// order the words contain them.
pub struct Expander<'a> {
    session: &'a Session,
    substitutions: &'a [String],
    next: usize,
    /// What could not be expanded (`$((1/0))`), in bash's words: the command does not run.
    pub errors: Vec<String>,
}

impl<'a> Expander<'a> {
    pub fn new(session: &'a Session, substitutions: &'a [String]) -> Self {
        Expander {
            session,
            substitutions,
            next: 0,
            errors: Vec::new(),
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
            Part::Arithmetic { expression, quoted } => (
                match arithmetic(expression, self.session) {
                    Ok(value) => value.to_string(),
                    Err(message) => {
                        self.errors.push(message);
                        String::new()
                    }
                },
                *quoted,
            ),
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

/// `$((…))`: integers with `+ - * / %`, unary minus, parentheses and comparisons, variables by name (an unset
/// or non-numeric one is 0, as in bash).
fn arithmetic(expression: &str, session: &Session) -> Result<i64, String> {
    let tokens = tokenize(expression).ok_or_else(|| syntax_error(expression, expression.trim()))?;
    let mut reader = Arithmetic {
        tokens: &tokens,
        at: 0,
        session,
        text: expression,
    };
    let value = reader.comparison()?;
    match reader.tokens.get(reader.at) {
        None => Ok(value),
        Some(token) => Err(syntax_error(expression, &token.text())),
    }
}

fn syntax_error(expression: &str, token: &str) -> String {
    format!(
        "{}: syntax error: invalid arithmetic operator (error token is \"{token}\")",
        expression.trim()
    )
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(i64),
    Name(String),
    Op(&'static str),
}

impl Token {
    fn text(&self) -> String {
        match self {
            Token::Number(n) => n.to_string(),
            Token::Name(name) => name.clone(),
            Token::Op(op) => op.to_string(),
        }
    }
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    const OPS: &[&str] = &[
        "<=", ">=", "==", "!=", "+", "-", "*", "/", "%", "(", ")", "<", ">",
    ];
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c.is_whitespace() {
            at += 1;
        } else if c.is_ascii_digit() {
            let start = at;
            while at < chars.len() && chars[at].is_ascii_digit() {
                at += 1;
            }
            let digits: String = chars[start..at].iter().collect();
            tokens.push(Token::Number(digits.parse().ok()?));
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let start = if c == '$' { at + 1 } else { at };
            at = start;
            while at < chars.len() && (chars[at].is_ascii_alphanumeric() || chars[at] == '_') {
                at += 1;
            }
            tokens.push(Token::Name(chars[start..at].iter().collect()));
        } else {
            let rest: String = chars[at..].iter().take(2).collect();
            let op = OPS.iter().find(|op| rest.starts_with(**op))?;
            at += op.len();
            tokens.push(Token::Op(op));
        }
    }
    Some(tokens)
}

struct Arithmetic<'a> {
    tokens: &'a [Token],
    at: usize,
    session: &'a Session,
    text: &'a str,
}

impl Arithmetic<'_> {
    fn eat(&mut self, op: &str) -> bool {
        let found = matches!(self.tokens.get(self.at), Some(Token::Op(o)) if *o == op);
        if found {
            self.at += 1;
        }
        found
    }

    fn comparison(&mut self) -> Result<i64, String> {
        let left = self.sum()?;
        for op in ["<=", ">=", "==", "!=", "<", ">"] {
            if self.eat(op) {
                let right = self.sum()?;
                let holds = match op {
                    "<=" => left <= right,
                    ">=" => left >= right,
                    "==" => left == right,
                    "!=" => left != right,
                    "<" => left < right,
                    _ => left > right,
                };
                return Ok(i64::from(holds));
            }
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<i64, String> {
        let mut value = self.product()?;
        loop {
            if self.eat("+") {
                value = value.wrapping_add(self.product()?);
            } else if self.eat("-") {
                value = value.wrapping_sub(self.product()?);
            } else {
                return Ok(value);
            }
        }
    }

    fn product(&mut self) -> Result<i64, String> {
        let mut value = self.unary()?;
        loop {
            let op = if self.eat("*") {
                '*'
            } else if self.eat("/") {
                '/'
            } else if self.eat("%") {
                '%'
            } else {
                return Ok(value);
            };
            let right = self.unary()?;
            value = match op {
                '*' => value.wrapping_mul(right),
                _ if right == 0 => {
                    return Err(format!(
                        "{}: division by 0 (error token is \"{right}\")",
                        self.text.trim()
                    ))
                }
                '/' => value.wrapping_div(right),
                _ => value.wrapping_rem(right),
            };
        }
    }

    fn unary(&mut self) -> Result<i64, String> {
        if self.eat("-") {
            return Ok(self.unary()?.wrapping_neg());
        }
        if self.eat("+") {
            return self.unary();
        }
        if self.eat("(") {
            let value = self.comparison()?;
            if !self.eat(")") {
                return Err(syntax_error(self.text, ")"));
            }
            return Ok(value);
        }
        match self.tokens.get(self.at).cloned() {
            Some(Token::Number(n)) => {
                self.at += 1;
                Ok(n)
            }
            Some(Token::Name(name)) => {
                self.at += 1;
                let value = match name.as_str() {
                    "?" => Some(self.session.status.to_string()),
                    name => self.session.variables.get(name).map(str::to_string),
                };
                Ok(value.and_then(|v| v.trim().parse().ok()).unwrap_or(0))
            }
            other => Err(syntax_error(
                self.text,
                &other.map_or(String::new(), |t| t.text()),
            )),
        }
    }
}
