//! Regular expressions as `grep` and `awk` read them: POSIX basic (with GNU's `\+`, `\?`, `\|`) and
//! extended syntax, bracket expressions with character classes, anchors and intervals. A pattern is compiled
//! to an NFA and run over the line with every state at once (Thompson's construction, Pike's simulation), so
//! no pattern takes more than time proportional to the line times the pattern: `(a*)*c` cannot hang the page
//! as backtracking would.

#[derive(Clone, Debug)]
pub struct Pattern {
    program: Vec<Inst>,
    ignore_case: bool,
}

/// An instruction of the compiled NFA.
#[derive(Clone, Debug)]
enum Inst {
    /// Consumes one character the node accepts (`Char`, `Any` or `Class`).
    Consume(Node),
    /// An assertion that consumes nothing (`Start` or `End`).
    Assert(Node),
    /// Goes on at both.
    Split(usize, usize),
    Jump(usize),
    Match,
}

/// How many times a bounded repetition is written out: `a{1000}` is as far as a person goes.
const MAX_REPEAT: usize = 1000;

/// How many instructions a compiled pattern may have: nested intervals (`(a{1000}){1000}`) are refused, as
/// GNU's regex refuses a pattern too big for it.
const MAX_PROGRAM: usize = 100_000;

#[derive(Clone, Debug)]
struct Piece {
    node: Node,
    min: usize,
    max: Option<usize>,
}

#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Class {
        items: Vec<ClassItem>,
        negated: bool,
    },
    Start,
    End,
    Group(Vec<Vec<Piece>>),
}

#[derive(Clone, Debug)]
enum ClassItem {
    Range(char, char),
    Named(fn(char) -> bool),
}

/// GNU grep's words for a pattern it cannot read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    UnmatchedParen,
    UnmatchedBracket,
    UnmatchedBrace,
    TrailingBackslash,
    TooBig,
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PatternError::UnmatchedParen => "Unmatched ( or \\(",
            PatternError::UnmatchedBracket => "Unmatched [, [^, [:, [., or [=",
            PatternError::UnmatchedBrace => "Unmatched \\{",
            PatternError::TrailingBackslash => "Trailing backslash",
            PatternError::TooBig => "Regular expression too big",
        })
    }
}

impl Pattern {
    /// `extended` for `grep -E` and awk; basic otherwise.
    pub fn new(text: &str, extended: bool, ignore_case: bool) -> Result<Pattern, PatternError> {
        let mut parser = Parser {
            chars: text.chars().collect(),
            at: 0,
            extended,
            ignore_case,
        };
        let alternatives = parser.alternatives(0)?;
        if parser.at < parser.chars.len() {
            return Err(PatternError::UnmatchedParen);
        }
        let mut compiler = Compiler {
            program: Vec::new(),
            work: 0,
        };
        compiler.alternatives(&alternatives);
        if compiler.work >= MAX_PROGRAM {
            return Err(PatternError::TooBig);
        }
        let mut program = compiler.program;
        program.push(Inst::Match);
        Ok(Pattern {
            program,
            ignore_case,
        })
    }

    /// Whether the pattern matches anywhere in `line`.
    pub fn is_match(&self, line: &str) -> bool {
        let text: Vec<char> = if self.ignore_case {
            line.chars().map(fold).collect()
        } else {
            line.chars().collect()
        };
        let mut current = Threads::new(self.program.len());
        let mut next = Threads::new(self.program.len());
        for at in 0..=text.len() {
            // A match may start anywhere: a new thread at every position.
            self.add(&mut current, 0, at, &text);
            if current
                .list
                .iter()
                .any(|&pc| matches!(self.program[pc], Inst::Match))
            {
                return true;
            }
            let Some(&c) = text.get(at) else { break };
            next.clear();
            for &pc in &current.list {
                if let Inst::Consume(node) = &self.program[pc] {
                    if accepts(node, c) {
                        self.add(&mut next, pc + 1, at + 1, &text);
                    }
                }
            }
            std::mem::swap(&mut current, &mut next);
        }
        false
    }

    /// Adds the thread at `pc` and every thread it reaches without consuming, at position `at`.
    fn add(&self, threads: &mut Threads, pc: usize, at: usize, text: &[char]) {
        let mut stack = vec![pc];
        while let Some(pc) = stack.pop() {
            if threads.seen[pc] {
                continue;
            }
            threads.seen[pc] = true;
            match &self.program[pc] {
                Inst::Split(a, b) => {
                    stack.push(*b);
                    stack.push(*a);
                }
                Inst::Jump(to) => stack.push(*to),
                Inst::Assert(Node::Start) if at == 0 => stack.push(pc + 1),
                Inst::Assert(Node::End) if at == text.len() => stack.push(pc + 1),
                Inst::Assert(_) => {}
                Inst::Consume(_) | Inst::Match => threads.list.push(pc),
            }
        }
    }
}

/// The live states of the simulation at one position.
struct Threads {
    list: Vec<usize>,
    seen: Vec<bool>,
}

impl Threads {
    fn new(size: usize) -> Threads {
        Threads {
            list: Vec::new(),
            seen: vec![false; size],
        }
    }

    fn clear(&mut self) {
        self.list.clear();
        self.seen.iter_mut().for_each(|s| *s = false);
    }
}

fn accepts(node: &Node, c: char) -> bool {
    match node {
        Node::Any => true,
        Node::Char(expected) => *expected == c,
        Node::Class { items, negated } => {
            let inside = items.iter().any(|item| match item {
                ClassItem::Range(a, b) => (*a..=*b).contains(&c),
                ClassItem::Named(test) => test(c),
            });
            inside != *negated
        }
        Node::Start | Node::End | Node::Group(_) => false,
    }
}

/// Compiles a pattern, counting its work: nodes written out, even those that write nothing (`(){1000}`).
struct Compiler {
    program: Vec<Inst>,
    work: usize,
}

impl Compiler {
    /// Alternatives: a split before each but the last, each jumping past the rest when it is done.
    fn alternatives(&mut self, alternatives: &[Vec<Piece>]) {
        let mut jumps = Vec::new();
        for (index, sequence) in alternatives.iter().enumerate() {
            let last = index + 1 == alternatives.len();
            let split = self.program.len();
            if !last {
                self.program.push(Inst::Split(split + 1, 0));
            }
            for piece in sequence {
                self.piece(piece);
            }
            if !last {
                jumps.push(self.program.len());
                self.program.push(Inst::Jump(0));
                let after = self.program.len();
                self.program[split] = Inst::Split(split + 1, after);
            }
        }
        let end = self.program.len();
        for jump in jumps {
            self.program[jump] = Inst::Jump(end);
        }
    }

    /// A piece repeated `min` times, then up to `max` more (or any number more).
    fn piece(&mut self, piece: &Piece) {
        let min = piece.min.min(MAX_REPEAT);
        for _ in 0..min {
            self.node(&piece.node);
        }
        match piece.max {
            None => {
                let split = self.program.len();
                self.program.push(Inst::Split(split + 1, 0));
                self.node(&piece.node);
                self.program.push(Inst::Jump(split));
                let after = self.program.len();
                self.program[split] = Inst::Split(split + 1, after);
            }
            Some(max) => {
                let optional = max.min(MAX_REPEAT).saturating_sub(min);
                let mut splits = Vec::new();
                for _ in 0..optional {
                    splits.push(self.program.len());
                    self.program.push(Inst::Split(self.program.len() + 1, 0));
                    self.node(&piece.node);
                }
                let after = self.program.len();
                for split in splits {
                    self.program[split] = Inst::Split(split + 1, after);
                }
            }
        }
    }

    fn node(&mut self, node: &Node) {
        self.work += 1;
        if self.work >= MAX_PROGRAM {
            return;
        }
        match node {
            Node::Group(alternatives) => self.alternatives(alternatives),
            Node::Start | Node::End => self.program.push(Inst::Assert(node.clone())),
            _ => self.program.push(Inst::Consume(node.clone())),
        }
    }
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    extended: bool,
    ignore_case: bool,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Whether the cursor is at `c` as an operator: bare in extended syntax, escaped in basic.
    fn at_operator(&self, c: char) -> bool {
        if self.extended {
            self.peek() == Some(c)
        } else {
            self.peek() == Some('\\') && self.chars.get(self.at + 1) == Some(&c)
        }
    }

    fn eat_operator(&mut self, c: char) -> bool {
        let found = self.at_operator(c);
        if found {
            self.at += if self.extended { 1 } else { 2 };
        }
        found
    }

    fn alternatives(&mut self, depth: usize) -> Result<Vec<Vec<Piece>>, PatternError> {
        let mut alternatives = vec![self.sequence(depth)?];
        while self.eat_operator('|') {
            alternatives.push(self.sequence(depth)?);
        }
        Ok(alternatives)
    }

    fn sequence(&mut self, depth: usize) -> Result<Vec<Piece>, PatternError> {
        let mut pieces: Vec<Piece> = Vec::new();
        loop {
            if self.peek().is_none() || self.at_operator('|') {
                return Ok(pieces);
            }
            if self.at_operator(')') {
                if depth == 0 {
                    if self.extended {
                        // An unmatched `)` is an ordinary character in an extended pattern.
                        self.at += 1;
                        pieces.push(self.literal(')'));
                        continue;
                    }
                    return Err(PatternError::UnmatchedParen);
                }
                return Ok(pieces);
            }
            let node = self.atom(depth, pieces.is_empty())?;
            let mut piece = Piece {
                node,
                min: 1,
                max: Some(1),
            };
            self.quantifiers(&mut piece)?;
            pieces.push(piece);
        }
    }

    fn literal(&self, c: char) -> Piece {
        Piece {
            node: Node::Char(if self.ignore_case { fold(c) } else { c }),
            min: 1,
            max: Some(1),
        }
    }

    fn atom(&mut self, depth: usize, first: bool) -> Result<Node, PatternError> {
        if self.eat_operator('(') {
            let inner = self.alternatives(depth + 1)?;
            if !self.eat_operator(')') {
                return Err(PatternError::UnmatchedParen);
            }
            return Ok(Node::Group(inner));
        }
        let c = self.peek().expect("not at the end");
        self.at += 1;
        Ok(match c {
            '.' => Node::Any,
            '^' if self.extended || first => Node::Start,
            '$' if self.extended
                || self.peek().is_none()
                || self.at_operator('|')
                || self.at_operator(')') =>
            {
                Node::End
            }
            '[' => self.bracket()?,
            '*' if first && !self.extended => self.literal('*').node,
            '\\' => {
                let Some(escaped) = self.peek() else {
                    return Err(PatternError::TrailingBackslash);
                };
                self.at += 1;
                match escaped {
                    'w' => named(is_word, false),
                    'W' => named(is_word, true),
                    's' => named(char::is_whitespace, false),
                    'S' => named(char::is_whitespace, true),
                    other => self.literal(other).node,
                }
            }
            other => self.literal(other).node,
        })
    }

    fn quantifiers(&mut self, piece: &mut Piece) -> Result<(), PatternError> {
        loop {
            let (min, max) = if self.peek() == Some('*') {
                self.at += 1;
                (0, None)
            } else if self.eat_operator('+') {
                (1, None)
            } else if self.eat_operator('?') {
                (0, Some(1))
            } else if self.eat_operator('{') {
                self.interval()?
            } else {
                return Ok(());
            };
            let inner = std::mem::replace(
                piece,
                Piece {
                    node: Node::Any,
                    min,
                    max,
                },
            );
            piece.node = if inner.min == 1 && inner.max == Some(1) {
                inner.node
            } else {
                Node::Group(vec![vec![inner]])
            };
        }
    }

    fn interval(&mut self) -> Result<(usize, Option<usize>), PatternError> {
        let mut text = String::new();
        while !self.at_operator('}') {
            let Some(c) = self.peek() else {
                return Err(PatternError::UnmatchedBrace);
            };
            text.push(c);
            self.at += 1;
        }
        self.eat_operator('}');
        let number = |t: &str| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| PatternError::UnmatchedBrace)
        };
        Ok(match text.split_once(',') {
            None => {
                let n = number(&text)?;
                (n, Some(n))
            }
            Some((min, "")) => (number(min)?, None),
            Some(("", max)) => (0, Some(number(max)?)),
            Some((min, max)) => (number(min)?, Some(number(max)?)),
        })
    }

    fn bracket(&mut self) -> Result<Node, PatternError> {
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(PatternError::UnmatchedBracket);
            };
            self.at += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.peek() == Some(':') {
                let rest: String = self.chars[self.at + 1..].iter().collect();
                let Some(end) = rest.find(":]") else {
                    return Err(PatternError::UnmatchedBracket);
                };
                let class = &rest[..end];
                self.at += class.chars().count() + 3;
                items.push(ClassItem::Named(match class {
                    "alpha" => char::is_alphabetic,
                    "digit" => |c: char| c.is_ascii_digit(),
                    "alnum" => char::is_alphanumeric,
                    "upper" => char::is_uppercase,
                    "lower" => char::is_lowercase,
                    "space" => char::is_whitespace,
                    "punct" => |c: char| c.is_ascii_punctuation(),
                    "xdigit" => |c: char| c.is_ascii_hexdigit(),
                    _ => return Err(PatternError::UnmatchedBracket),
                }));
                continue;
            }
            let is_range =
                self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&n| n != ']');
            if is_range {
                let end = self.chars[self.at + 1];
                self.at += 2;
                items.push(ClassItem::Range(c, end));
            } else {
                items.push(ClassItem::Range(c, c));
            }
        }
        if self.ignore_case {
            for item in &mut items {
                if let ClassItem::Range(a, b) = item {
                    if a == b {
                        *a = fold(*a);
                        *b = *a;
                    }
                }
            }
        }
        Ok(Node::Class { items, negated })
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn named(test: fn(char) -> bool, negated: bool) -> Node {
    Node::Class {
        items: vec![ClassItem::Named(test)],
        negated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, extended: bool, line: &str) -> bool {
        Pattern::new(pattern, extended, false)
            .unwrap()
            .is_match(line)
    }

    #[test]
    fn basic_and_extended_syntax_read_operators_as_grep_does() {
        assert!(matches("web", false, "web-0   1/1   Running"));
        assert!(!matches("^web", false, "NAME  web"));
        assert!(matches("web-[0-2]$", false, "pod/web-1"));
        assert!(matches("web|nginx", true, "nginx"));
        assert!(!matches("web|nginx", false, "nginx"));
        assert!(matches("web\\|nginx", false, "nginx"));
        assert!(matches("a+b", false, "a+b"));
        assert!(matches("^a+b$", true, "aaab"));
        assert!(matches("(ab){2}", true, "xabab"));
        assert!(!matches("^(ab){3}$", true, "abab"));
        assert!(matches("[[:digit:]]\\{2\\}", false, "web-10"));
        assert!(matches("Runn.*g", false, "Running"));
        assert!(matches("[^a-z]", false, "abc1"));
        assert!(!matches("[^a-z]", false, "abc"));
        assert!(Pattern::new("NAME", false, true).unwrap().is_match("name"));
        assert_eq!(
            Pattern::new("(a", true, false).unwrap_err(),
            PatternError::UnmatchedParen
        );
        assert_eq!(
            Pattern::new("[a", false, false).unwrap_err(),
            PatternError::UnmatchedBracket
        );
    }

    #[test]
    fn a_pattern_that_would_backtrack_forever_answers_at_once() {
        let line = "a".repeat(5_000);
        assert!(!matches("(a*)*(a*)*(a*)*(a*)*(a*)*c", true, &line));
        assert!(matches("(a|aa)*$", true, &line));
        assert!(!matches("((((a*)*)*)*)*b", true, &line));
        assert_eq!(
            Pattern::new("(a{1000}){1000}", true, false).unwrap_err(),
            PatternError::TooBig
        );
    }
}
