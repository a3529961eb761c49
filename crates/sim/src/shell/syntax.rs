//! The shell's grammar: a command line read into lists, pipelines, simple and compound commands and words,
//! after the POSIX shell grammar (XCU 2.10) as bash reads it, with bash's words for what it cannot read.

use std::sync::Arc;

/// How deep `$(…)`, `( … )` and compound commands may nest: deeper than any line a person types, shallow
/// enough that a hostile line cannot exhaust the stack of the page.
const MAX_NESTING: usize = 64;

/// Commands separated by `;` or newlines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Script {
    pub items: Vec<AndOr>,
}

/// Pipelines joined by `&&` and `||`.
#[derive(Clone, Debug, PartialEq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(Connector, Pipeline)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    And,
    Or,
}

/// Commands joined by `|`, the whole optionally negated with `!`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub negated: bool,
    pub commands: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Simple(Simple),
    /// `for NAME in WORDS; do BODY; done`
    For {
        variable: String,
        words: Vec<Word>,
        body: Arc<Script>,
    },
    /// `while COND; do BODY; done`, or `until` when `until` is set.
    Loop {
        until: bool,
        condition: Arc<Script>,
        body: Arc<Script>,
    },
    /// `if C; then B; elif C; then B; else B; fi`
    If {
        branches: Vec<(Arc<Script>, Arc<Script>)>,
        otherwise: Option<Arc<Script>>,
    },
    /// `{ LIST; }`, run in this shell.
    Group(Arc<Script>),
    /// `( LIST )`, run in a copy of this shell.
    Subshell(Arc<Script>),
}

/// Assignments, words and redirections, in any order on the line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Simple {
    pub assignments: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Redirect {
    /// The file descriptor redirected: 0 for input, 1 for output unless a number is given.
    pub fd: u32,
    pub kind: RedirectKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RedirectKind {
    /// `> FILE`, `>> FILE` (append).
    Write { target: Word, append: bool },
    /// `< FILE`
    Read(Word),
    /// `N>&M`
    Duplicate(u32),
    /// `<< DELIM` with the body read from the lines after the command.
    HereDocument(Word),
}

/// A word as written: pieces of text and expansions, each quoted or not.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Word {
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Text {
        text: String,
        quoted: bool,
    },
    /// `$NAME`, `${NAME}`, `${NAME:-default}`, `${#NAME}`, `$?`.
    Parameter {
        name: String,
        operation: Option<ParameterOperation>,
        quoted: bool,
    },
    /// `$(…)` or `` `…` ``.
    Substitution {
        script: Arc<Script>,
        quoted: bool,
    },
    /// `$((…))`: integer arithmetic.
    Arithmetic {
        expression: String,
        quoted: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParameterOperation {
    /// `${NAME:-WORD}` (or `${NAME-WORD}` when `colon` is false): WORD when unset (or empty).
    Default { word: String, colon: bool },
    /// `${#NAME}`
    Length,
}

impl Word {
    /// A word that is exactly `text`, as if single-quoted.
    pub fn literal(text: &str) -> Word {
        Word {
            parts: vec![Part::Text {
                text: text.into(),
                quoted: true,
            }],
        }
    }

    /// The word's text when it is plain unquoted text: what a reserved word or an assignment's name must be.
    pub fn plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text {
                text,
                quoted: false,
            }] => Some(text),
            _ => None,
        }
    }

    /// Whether any part was quoted: a here-document's delimiter quoted turns off expansion in its body.
    fn any_quoted(&self) -> bool {
        self.parts.iter().any(|part| match part {
            Part::Text { quoted, .. }
            | Part::Parameter { quoted, .. }
            | Part::Substitution { quoted, .. }
            | Part::Arithmetic { quoted, .. } => *quoted,
        })
    }

    /// The word's text with quotes removed and expansions as written: a here-document's delimiter.
    fn unquoted_text(&self) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text { text, .. } => text.clone(),
                Part::Parameter { name, .. } => format!("${name}"),
                Part::Arithmetic { expression, .. } => format!("$(({expression}))"),
                Part::Substitution { .. } => String::new(),
            })
            .collect()
    }
}

/// What keeps a line from being read, in bash's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxError {
    /// A token where none of its kind may stand: `done` with no loop, `;` first, `|` at the end of a list.
    UnexpectedToken(String),
    /// The line ends inside a construct (`for` without `done`, a trailing `|` or `&&`): a terminal would ask
    /// for the next line.
    UnexpectedEnd,
    /// The line ends inside quotes or `$(`, and the character that would close it.
    UnmatchedQuote(char),
    /// Nesting deeper than `MAX_NESTING`.
    TooDeep,
    /// `&`: nothing here runs in the background.
    Background,
}

impl SyntaxError {
    /// Whether a terminal would ask for another line (`> `) rather than refuse this one.
    pub fn wants_more(&self) -> bool {
        matches!(
            self,
            SyntaxError::UnexpectedEnd | SyntaxError::UnmatchedQuote(_)
        )
    }
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyntaxError::UnexpectedToken(token) => {
                write!(f, "syntax error near unexpected token `{token}'")
            }
            SyntaxError::UnexpectedEnd => write!(f, "syntax error: unexpected end of file"),
            SyntaxError::UnmatchedQuote(close) => {
                write!(f, "unexpected EOF while looking for matching `{close}'")
            }
            SyntaxError::TooDeep => write!(
                f,
                "syntax error: commands nest more than {MAX_NESTING} deep, this console's limit"
            ),
            SyntaxError::Background => write!(
                f,
                "`&': background jobs are not available in this console; run the command in the foreground"
            ),
        }
    }
}

/// Reads a whole command line (or several lines: a scenario step, a here-document's body).
pub fn parse(text: &str) -> Result<Script, SyntaxError> {
    read(text).map(|(script, _)| script)
}

/// Whether a terminal would ask for another line (`> `) before running `text`: a quote, a `$(`, a compound
/// command or a pipeline is still open, or a here-document has not met its delimiter.
pub fn wants_more(text: &str) -> bool {
    match read(text) {
        Ok((_, open)) => open,
        Err(error) => error.wants_more(),
    }
}

/// The script, and whether the text is open at its end: a here-document without its delimiter, or a
/// trailing backslash.
fn read(text: &str) -> Result<(Script, bool), SyntaxError> {
    let mut parser = Parser::new(text, 0);
    let mut script = parser.script(&[])?;
    if let Some(token) = parser.peek_token() {
        return Err(SyntaxError::UnexpectedToken(token));
    }
    parser.read_here_document_bodies()?;
    if !parser.pending_here_documents.is_empty() {
        let bodies: Vec<Word> = parser
            .pending_here_documents
            .into_iter()
            .map(|pending| pending.body)
            .collect();
        fill_here_documents(&mut script, &bodies);
    }
    Ok((script, parser.here_document_open || parser.line_continues))
}

/// Puts each here-document's body, read after its line ended, where its redirection stands.
fn fill_here_documents(script: &mut Script, bodies: &[Word]) {
    let fill_script = |script: &mut Arc<Script>| fill_here_documents(Arc::make_mut(script), bodies);
    for item in &mut script.items {
        let pipelines =
            std::iter::once(&mut item.first).chain(item.rest.iter_mut().map(|(_, p)| p));
        for command in pipelines.flat_map(|p| p.commands.iter_mut()) {
            match command {
                Command::Simple(simple) => {
                    for redirect in &mut simple.redirects {
                        if let RedirectKind::HereDocument(word) = &mut redirect.kind {
                            let index = word
                                .unquoted_text()
                                .strip_prefix(HERE_DOCUMENT_MARK)
                                .and_then(|i| i.parse::<usize>().ok());
                            if let Some(body) = index.and_then(|i| bodies.get(i)) {
                                *word = body.clone();
                            }
                        }
                    }
                }
                Command::For { body, .. } => fill_script(body),
                Command::Loop {
                    condition, body, ..
                } => {
                    fill_script(condition);
                    fill_script(body);
                }
                Command::If {
                    branches,
                    otherwise,
                } => {
                    for (condition, body) in branches {
                        fill_script(condition);
                        fill_script(body);
                    }
                    if let Some(otherwise) = otherwise {
                        fill_script(otherwise);
                    }
                }
                Command::Group(body) | Command::Subshell(body) => fill_script(body),
            }
        }
    }
}

/// What stands for a here-document's body until the line after its command is read.
const HERE_DOCUMENT_MARK: &str = "\u{0}here-document ";

/// Words that end a list inside a compound command; they are words only where a command could start.
const RESERVED: &[&str] = &[
    "then", "else", "elif", "fi", "do", "done", "}", "in", "esac",
];

struct Parser {
    chars: Vec<char>,
    at: usize,
    depth: usize,
    /// Here-documents whose bodies start after the next newline: the redirection to fill and its delimiter.
    pending_here_documents: Vec<PendingHereDocument>,
    /// A here-document's body ran to the end of the text without its delimiter.
    here_document_open: bool,
    /// The text ends with a backslash, which at a prompt continues the line.
    line_continues: bool,
}

impl Parser {
    fn new(text: &str, depth: usize) -> Parser {
        Parser {
            chars: text.chars().collect(),
            at: 0,
            depth,
            pending_here_documents: Vec::new(),
            here_document_open: false,
            line_continues: false,
        }
    }
}

struct PendingHereDocument {
    delimiter: String,
    expand: bool,
    strip_tabs: bool,
    body: Word,
    filled: bool,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.at + offset).copied()
    }

    fn eat(&mut self, text: &str) -> bool {
        let matches = text
            .chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c));
        if matches {
            self.at += text.chars().count();
        }
        matches
    }

    fn nest(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(SyntaxError::TooDeep);
        }
        Ok(())
    }

    /// Skips blanks, escaped newlines and a comment, but not a newline.
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r') => self.at += 1,
                Some('\\') if self.peek_at(1) == Some('\n') => self.at += 2,
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.at += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// The operator at the cursor, if any, without consuming it.
    fn operator(&self) -> Option<&'static str> {
        const OPERATORS: &[&str] = &[
            "&&", "||", ";;", ">>", ">&", "<<-", "<<", "<&", ";", "|", "&", "(", ")", "<", ">",
            "\n",
        ];
        OPERATORS.iter().copied().find(|op| {
            op.chars()
                .enumerate()
                .all(|(i, c)| self.peek_at(i) == Some(c))
        })
    }

    /// The next token as bash names it in an error: an operator, `newline`, or the next word's text.
    fn peek_token(&mut self) -> Option<String> {
        self.skip_blanks();
        if let Some(op) = self.operator() {
            return Some(if op == "\n" {
                "newline".into()
            } else {
                op.into()
            });
        }
        let start = self.at;
        let word = self.word().ok().flatten();
        self.at = start;
        word.map(|w| w.unquoted_text())
    }

    /// The next word when it is plain text (no quote, escape or expansion), which a reserved word always
    /// is: read by looking at characters only, so that looking ahead never parses a `$(…)` again.
    fn peek_plain(&self) -> Option<String> {
        let mut word = String::new();
        for &c in &self.chars[self.at..] {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')' => break,
                '$' | '`' | '\'' | '"' | '\\' => return None,
                c => word.push(c),
            }
        }
        (!word.is_empty()).then_some(word)
    }

    /// The next word if it is the reserved word `reserved`, consumed.
    fn eat_reserved(&mut self, reserved: &str) -> bool {
        self.skip_blanks();
        if self.peek_plain().as_deref() == Some(reserved) {
            self.at += reserved.chars().count();
            return true;
        }
        false
    }

    /// Whether the next word is one of `words`, reserved here; not consumed.
    fn at_reserved(&mut self, words: &[&str]) -> bool {
        self.skip_blanks();
        self.peek_plain()
            .is_some_and(|w| words.contains(&w.as_str()))
    }

    /// Skips newlines (and the here-document bodies they start) and blanks between commands.
    fn skip_newlines(&mut self) -> Result<(), SyntaxError> {
        loop {
            self.skip_blanks();
            if self.peek() == Some('\n') {
                self.at += 1;
                self.read_here_document_bodies()?;
            } else {
                return Ok(());
            }
        }
    }

    /// A list of and-or lists up to the end of the text or to one of `until` (reserved words, or `)`).
    fn script(&mut self, until: &[&str]) -> Result<Script, SyntaxError> {
        self.nest()?;
        let mut script = Script::default();
        loop {
            self.skip_newlines()?;
            let closes = |p: &mut Parser| {
                p.peek().is_none()
                    || (until.contains(&")") && p.peek() == Some(')'))
                    || p.at_reserved(until)
            };
            if closes(self) {
                break;
            }
            script.items.push(self.and_or()?);
            self.skip_blanks();
            match self.operator() {
                Some(";") => self.at += 1,
                Some("\n") => {}
                Some("&") => return Err(SyntaxError::Background),
                Some(")") if until.contains(&")") => {}
                None if self.peek().is_none() => {}
                None if self.at_reserved(until) => {}
                _ => {
                    return Err(SyntaxError::UnexpectedToken(
                        self.peek_token().unwrap_or_default(),
                    ))
                }
            }
        }
        self.depth -= 1;
        Ok(script)
    }

    fn and_or(&mut self) -> Result<AndOr, SyntaxError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            self.skip_blanks();
            let connector = if self.eat("&&") {
                Connector::And
            } else if self.eat("||") {
                Connector::Or
            } else {
                return Ok(AndOr { first, rest });
            };
            self.skip_newlines()?;
            rest.push((connector, self.pipeline()?));
        }
    }

    fn pipeline(&mut self) -> Result<Pipeline, SyntaxError> {
        let negated = self.eat_reserved("!");
        let mut commands = vec![self.command()?];
        loop {
            self.skip_blanks();
            if self.operator() != Some("|") {
                return Ok(Pipeline { negated, commands });
            }
            self.at += 1;
            self.skip_newlines()?;
            commands.push(self.command()?);
        }
    }

    /// One command: compound when it starts with a reserved word or `(`, simple otherwise.
    fn command(&mut self) -> Result<Command, SyntaxError> {
        self.skip_blanks();
        match self.peek() {
            None => return Err(SyntaxError::UnexpectedEnd),
            Some('(') => {
                self.at += 1;
                let body = self.script(&[")"])?;
                if !self.eat(")") {
                    return Err(self.unexpected());
                }
                if body.items.is_empty() {
                    return Err(SyntaxError::UnexpectedToken(")".into()));
                }
                return Ok(Command::Subshell(Arc::new(body)));
            }
            _ => {}
        }
        if let Some(op) = self.operator() {
            if op != "<" && op != ">" && op != ">>" && op != "<<" && op != "<<-" {
                return Err(self.unexpected());
            }
        }
        let first = self.peek_plain();
        let keyword = first.as_deref().filter(|w| {
            matches!(*w, "for" | "while" | "until" | "if" | "{") || RESERVED.contains(w)
        });
        if let Some(keyword) = keyword {
            self.at += keyword.chars().count();
        }
        match keyword {
            Some("for") => self.for_loop(),
            Some(keyword @ ("while" | "until")) => {
                let until = keyword == "until";
                let condition = self.script(&["do"])?;
                self.expect_reserved("do")?;
                let body = self.script(&["done"])?;
                self.expect_reserved("done")?;
                Ok(Command::Loop {
                    until,
                    condition: Arc::new(condition),
                    body: Arc::new(body),
                })
            }
            Some("if") => self.if_clause(),
            Some("{") => {
                let body = self.script(&["}"])?;
                self.expect_reserved("}")?;
                Ok(Command::Group(Arc::new(body)))
            }
            Some(reserved) => Err(SyntaxError::UnexpectedToken(reserved.into())),
            None => self.simple().map(Command::Simple),
        }
    }

    fn unexpected(&mut self) -> SyntaxError {
        match self.peek_token() {
            None => SyntaxError::UnexpectedEnd,
            Some(token) => SyntaxError::UnexpectedToken(token),
        }
    }

    fn expect_reserved(&mut self, word: &str) -> Result<(), SyntaxError> {
        if self.eat_reserved(word) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn for_loop(&mut self) -> Result<Command, SyntaxError> {
        self.skip_blanks();
        let variable = match self.word()? {
            Some(word) => match word.plain() {
                Some(name) if is_name(name) => name.to_string(),
                _ => {
                    return Err(SyntaxError::UnexpectedToken(word.unquoted_text()));
                }
            },
            None => return Err(self.unexpected()),
        };
        self.skip_newlines()?;
        let mut words = Vec::new();
        if self.eat_reserved("in") {
            loop {
                self.skip_blanks();
                if self.operator().is_some() || self.peek().is_none() {
                    break;
                }
                if let Some(word) = self.word()? {
                    words.push(word);
                }
            }
        }
        self.skip_blanks();
        if self.operator() == Some(";") {
            self.at += 1;
        }
        self.skip_newlines()?;
        self.expect_reserved("do")?;
        let body = self.script(&["done"])?;
        self.expect_reserved("done")?;
        Ok(Command::For {
            variable,
            words,
            body: Arc::new(body),
        })
    }

    fn if_clause(&mut self) -> Result<Command, SyntaxError> {
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let condition = self.script(&["then"])?;
            self.expect_reserved("then")?;
            let body = self.script(&["elif", "else", "fi"])?;
            branches.push((Arc::new(condition), Arc::new(body)));
            if self.eat_reserved("elif") {
                continue;
            }
            if self.eat_reserved("else") {
                otherwise = Some(Arc::new(self.script(&["fi"])?));
            }
            self.expect_reserved("fi")?;
            return Ok(Command::If {
                branches,
                otherwise,
            });
        }
    }

    fn simple(&mut self) -> Result<Simple, SyntaxError> {
        let mut simple = Simple::default();
        loop {
            self.skip_blanks();
            if let Some(redirect) = self.redirect()? {
                simple.redirects.push(redirect);
                continue;
            }
            if self.operator().is_some() || self.peek().is_none() {
                break;
            }
            let Some(word) = self.word()? else { break };
            match assignment(&word) {
                Some((name, value)) if simple.words.is_empty() => {
                    simple.assignments.push((name, value))
                }
                _ => simple.words.push(word),
            }
        }
        if simple.words.is_empty() && simple.assignments.is_empty() && simple.redirects.is_empty() {
            return Err(self.unexpected());
        }
        Ok(simple)
    }

    /// A redirection at the cursor: `>`, `>>`, `<`, `N>&M`, `<<DELIM`, each with an optional fd number.
    fn redirect(&mut self) -> Result<Option<Redirect>, SyntaxError> {
        let start = self.at;
        let mut digits = String::new();
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            digits.push(c);
            self.at += 1;
        }
        let op = self.operator();
        let kind_default_fd = match op {
            Some(">" | ">>" | ">&") => 1,
            Some("<" | "<<" | "<<-" | "<&") => 0,
            _ => {
                self.at = start;
                return Ok(None);
            }
        };
        let op = op.unwrap_or_default();
        self.at += op.len();
        let fd = digits.parse().unwrap_or(kind_default_fd);
        self.skip_blanks();
        let target = match self.word()? {
            Some(word) => word,
            // As typed at a prompt, the line goes on to its newline.
            None if self.peek().is_none() => {
                return Err(SyntaxError::UnexpectedToken("newline".into()))
            }
            None => return Err(self.unexpected()),
        };
        let kind = match op {
            ">" => RedirectKind::Write {
                target,
                append: false,
            },
            ">>" => RedirectKind::Write {
                target,
                append: true,
            },
            "<" => RedirectKind::Read(target),
            ">&" | "<&" => match target.plain().and_then(|t| t.parse().ok()) {
                Some(to) => RedirectKind::Duplicate(to),
                None => RedirectKind::Write {
                    target,
                    append: false,
                },
            },
            _ => {
                self.pending_here_documents.push(PendingHereDocument {
                    delimiter: target.unquoted_text(),
                    expand: !target.any_quoted(),
                    strip_tabs: op == "<<-",
                    body: Word::default(),
                    filled: false,
                });
                let index = self.pending_here_documents.len() - 1;
                RedirectKind::HereDocument(Word {
                    parts: vec![Part::Text {
                        text: format!("{HERE_DOCUMENT_MARK}{index}"),
                        quoted: true,
                    }],
                })
            }
        };
        Ok(Some(Redirect { fd, kind }))
    }

    /// Reads the bodies of the here-documents started on the line just ended, each up to its delimiter line.
    /// Without one the body runs to the end of the text, as bash takes it (with a warning it prints).
    fn read_here_document_bodies(&mut self) -> Result<(), SyntaxError> {
        for index in 0..self.pending_here_documents.len() {
            if self.pending_here_documents[index].filled {
                continue;
            }
            let (delimiter, strip_tabs, expand) = {
                let pending = &self.pending_here_documents[index];
                (
                    pending.delimiter.clone(),
                    pending.strip_tabs,
                    pending.expand,
                )
            };
            let mut body = String::new();
            let mut delimited = false;
            while self.peek().is_some() {
                let mut line = String::new();
                while let Some(c) = self.peek() {
                    self.at += 1;
                    if c == '\n' {
                        break;
                    }
                    line.push(c);
                }
                let line = if strip_tabs {
                    line.trim_start_matches('\t').to_string()
                } else {
                    line
                };
                if line == delimiter {
                    delimited = true;
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            self.here_document_open |= !delimited;
            let word = if expand {
                let mut inner = Parser::new(&body, self.depth);
                inner.double_quoted_until(None)?
            } else {
                Word::literal(&body)
            };
            let pending = &mut self.pending_here_documents[index];
            pending.body = word;
            pending.filled = true;
        }
        Ok(())
    }

    /// The next word, or `None` at an operator or the end. Quotes and expansions are kept as parts.
    fn word(&mut self) -> Result<Option<Word>, SyntaxError> {
        let mut word = Word::default();
        let mut started = false;
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')' => break,
                '\\' => {
                    self.at += 1;
                    match self.peek() {
                        Some('\n') => self.at += 1,
                        Some(escaped) => {
                            self.at += 1;
                            push_text(&mut word, &escaped.to_string(), true);
                        }
                        // A backslash that ends the text is itself (`bash -c 'echo a\'` prints `a\`); typed at
                        // a prompt, it continues the line on the next.
                        None => {
                            push_text(&mut word, "\\", true);
                            self.line_continues = true;
                        }
                    }
                    started = true;
                }
                '\'' => {
                    self.at += 1;
                    let mut text = String::new();
                    loop {
                        match self.peek() {
                            Some('\'') => break,
                            Some(c) => text.push(c),
                            None => return Err(SyntaxError::UnmatchedQuote('\'')),
                        }
                        self.at += 1;
                    }
                    self.at += 1;
                    push_text(&mut word, &text, true);
                    started = true;
                }
                '"' => {
                    self.at += 1;
                    let inner = self.double_quoted_until(Some('"'))?;
                    if inner.parts.is_empty() {
                        push_text(&mut word, "", true);
                    }
                    word.parts.extend(inner.parts);
                    started = true;
                }
                '$' | '`' => {
                    self.dollar_or_backquote(&mut word, false)?;
                    started = true;
                }
                c => {
                    self.at += 1;
                    push_text(&mut word, &c.to_string(), false);
                    started = true;
                }
            }
        }
        Ok(started.then_some(word))
    }

    /// The inside of double quotes up to `close` (or the end of the text, for a here-document): `\` escapes
    /// only `$`, `` ` ``, `"`, `\` and newline there.
    fn double_quoted_until(&mut self, close: Option<char>) -> Result<Word, SyntaxError> {
        let mut word = Word::default();
        loop {
            match self.peek() {
                None => match close {
                    Some(close) => return Err(SyntaxError::UnmatchedQuote(close)),
                    None => return Ok(word),
                },
                Some(c) if Some(c) == close => {
                    self.at += 1;
                    return Ok(word);
                }
                Some('\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some('\n') => self.at += 1,
                        Some(e @ ('$' | '`' | '"' | '\\')) => {
                            self.at += 1;
                            push_text(&mut word, &e.to_string(), true);
                        }
                        _ => push_text(&mut word, "\\", true),
                    }
                }
                Some('$' | '`') => self.dollar_or_backquote(&mut word, true)?,
                Some(c) => {
                    self.at += 1;
                    push_text(&mut word, &c.to_string(), true);
                }
            }
        }
    }

    /// `$…` or `` `…` `` at the cursor.
    fn dollar_or_backquote(&mut self, word: &mut Word, quoted: bool) -> Result<(), SyntaxError> {
        if self.eat("`") {
            let mut inner = String::new();
            loop {
                match self.peek() {
                    None => return Err(SyntaxError::UnmatchedQuote('`')),
                    Some('`') => break,
                    Some('\\') if matches!(self.peek_at(1), Some('`' | '\\' | '$')) => {
                        inner.push(self.peek_at(1).unwrap_or_default());
                        self.at += 2;
                        continue;
                    }
                    Some(c) => inner.push(c),
                }
                self.at += 1;
            }
            self.at += 1;
            let mut sub = Parser::new(&inner, self.depth);
            let script = sub.script(&[])?;
            word.parts.push(Part::Substitution {
                script: Arc::new(script),
                quoted,
            });
            return Ok(());
        }
        self.at += 1; // `$`
        match self.peek() {
            Some('(') if self.peek_at(1) == Some('(') => {
                self.at += 2;
                let mut expression = String::new();
                let mut depth = 0;
                loop {
                    match self.peek() {
                        None => return Err(SyntaxError::UnmatchedQuote(')')),
                        Some(')') if depth == 0 && self.peek_at(1) == Some(')') => break,
                        Some(c) => {
                            depth += i32::from(c == '(') - i32::from(c == ')');
                            expression.push(c);
                        }
                    }
                    self.at += 1;
                }
                self.at += 2;
                word.parts.push(Part::Arithmetic { expression, quoted });
            }
            Some('(') => {
                self.at += 1;
                let script = self.script(&[")"])?;
                if !self.eat(")") {
                    return Err(match self.peek() {
                        None => SyntaxError::UnmatchedQuote(')'),
                        _ => self.unexpected(),
                    });
                }
                word.parts.push(Part::Substitution {
                    script: Arc::new(script),
                    quoted,
                });
            }
            Some('{') => {
                self.at += 1;
                let mut inner = String::new();
                loop {
                    match self.peek() {
                        None => return Err(SyntaxError::UnmatchedQuote('}')),
                        Some('}') => break,
                        Some(c) => inner.push(c),
                    }
                    self.at += 1;
                }
                self.at += 1;
                let (name, operation) = braced_parameter(&inner);
                word.parts.push(Part::Parameter {
                    name,
                    operation,
                    quoted,
                });
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(c) = self
                    .peek()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                {
                    name.push(c);
                    self.at += 1;
                }
                word.parts.push(Part::Parameter {
                    name,
                    operation: None,
                    quoted,
                });
            }
            Some(c @ ('?' | '$' | '#' | '@' | '*' | '!' | '0'..='9')) => {
                self.at += 1;
                word.parts.push(Part::Parameter {
                    name: c.to_string(),
                    operation: None,
                    quoted,
                });
            }
            _ => push_text(word, "$", quoted),
        }
        Ok(())
    }
}

/// `NAME`, `NAME:-default`, `NAME-default`, `#NAME` inside `${…}`.
fn braced_parameter(inner: &str) -> (String, Option<ParameterOperation>) {
    if let Some(name) = inner.strip_prefix('#').filter(|n| !n.is_empty()) {
        return (name.to_string(), Some(ParameterOperation::Length));
    }
    let end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '?'))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(end);
    let operation = if let Some(word) = rest.strip_prefix(":-") {
        Some(ParameterOperation::Default {
            word: word.into(),
            colon: true,
        })
    } else {
        rest.strip_prefix('-')
            .map(|word| ParameterOperation::Default {
                word: word.into(),
                colon: false,
            })
    };
    (name.to_string(), operation)
}

/// Appends text to the word, merging it into the last part when that is text quoted the same way.
fn push_text(word: &mut Word, text: &str, quoted: bool) {
    if let Some(Part::Text {
        text: last,
        quoted: last_quoted,
    }) = word.parts.last_mut()
    {
        if *last_quoted == quoted {
            last.push_str(text);
            return;
        }
    }
    word.parts.push(Part::Text {
        text: text.into(),
        quoted,
    });
}

/// `NAME=value` as an assignment: the name unquoted and a valid name.
fn assignment(word: &Word) -> Option<(String, Word)> {
    let Some(Part::Text {
        text,
        quoted: false,
    }) = word.parts.first()
    else {
        return None;
    };
    let (name, value) = text.split_once('=')?;
    if !is_name(name) {
        return None;
    }
    let mut rest = word.parts[1..].to_vec();
    if !value.is_empty() {
        rest.insert(
            0,
            Part::Text {
                text: value.into(),
                quoted: false,
            },
        );
    }
    Some((name.to_string(), Word { parts: rest }))
}

/// Whether the word is written as an assignment, `NAME=…`.
pub fn is_assignment(word: &Word) -> bool {
    assignment(word).is_some()
}

pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl RedirectKind {
    /// The word the redirection expands, if any.
    pub fn word(&self) -> Option<&Word> {
        match self {
            RedirectKind::Write { target, .. } => Some(target),
            RedirectKind::Read(word) | RedirectKind::HereDocument(word) => Some(word),
            RedirectKind::Duplicate(_) => None,
        }
    }
}
