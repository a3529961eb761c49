//! Regular expressions as `grep` and `awk` read them: POSIX basic (with GNU's `\+`, `\?`, `\|`) and
//! extended syntax, bracket expressions with character classes, anchors and intervals, matched by
//! backtracking. Lines of kubectl output are short, so backtracking is fast enough and keeps the page small.

#[derive(Clone, Debug)]
pub struct Pattern {
    alternatives: Vec<Vec<Piece>>,
    ignore_case: bool,
}

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
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PatternError::UnmatchedParen => "Unmatched ( or \\(",
            PatternError::UnmatchedBracket => "Unmatched [, [^, [:, [., or [=",
            PatternError::UnmatchedBrace => "Unmatched \\{",
            PatternError::TrailingBackslash => "Trailing backslash",
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
        Ok(Pattern {
            alternatives,
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
        let matcher = Matcher { text: &text };
        (0..=text.len()).any(|start| {
            self.alternatives
                .iter()
                .any(|seq| matcher.sequence(seq, start, &mut |_| true))
        })
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
                let rest: String = self.chars[self.at..].iter().collect();
                let Some(end) = rest.find(":]") else {
                    return Err(PatternError::UnmatchedBracket);
                };
                let class = &rest[1..end];
                self.at += end + 2;
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

struct Matcher<'t> {
    text: &'t [char],
}

impl Matcher<'_> {
    fn sequence(&self, pieces: &[Piece], at: usize, next: &mut dyn FnMut(usize) -> bool) -> bool {
        let Some((piece, rest)) = pieces.split_first() else {
            return next(at);
        };
        self.repeat(piece, 0, at, &mut |after| self.sequence(rest, after, next))
    }

    /// Matches `piece` once more than `count` times where it can (greedily), else hands on.
    fn repeat(
        &self,
        piece: &Piece,
        count: usize,
        at: usize,
        next: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        if piece.max.is_none_or(|max| count < max) {
            let more = self.node(&piece.node, at, &mut |after| {
                (after != at || count < piece.min) && self.repeat(piece, count + 1, after, next)
            });
            if more {
                return true;
            }
        }
        count >= piece.min && next(at)
    }

    fn node(&self, node: &Node, at: usize, next: &mut dyn FnMut(usize) -> bool) -> bool {
        let here = self.text.get(at).copied();
        match node {
            Node::Start => at == 0 && next(at),
            Node::End => at == self.text.len() && next(at),
            Node::Group(alternatives) => {
                alternatives.iter().any(|seq| self.sequence(seq, at, next))
            }
            Node::Any => here.is_some() && next(at + 1),
            Node::Char(c) => here == Some(*c) && next(at + 1),
            Node::Class { items, negated } => {
                let Some(c) = here else { return false };
                let inside = items.iter().any(|item| match item {
                    ClassItem::Range(a, b) => (*a..=*b).contains(&c),
                    ClassItem::Named(test) => test(c),
                });
                inside != *negated && next(at + 1)
            }
        }
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
}
