//! The awk a reader uses on kubectl's tables: rules of a pattern (`NR>1`, `/web/`, `$3 == "Running"`, `&&`,
//! `||`, `!`) and an action of `print` statements over fields, `NR`, `NF`, strings and numbers; `BEGIN` and
//! `END`; `-F`. What it cannot read it refuses in mawk's words.

use super::{Io, Kind, Pattern, Refusal};

#[derive(Clone, Debug)]
pub struct Program {
    begin: Vec<Statement>,
    rules: Vec<Rule>,
    end: Vec<Statement>,
    separator: Option<String>,
    records: usize,
    begun: bool,
}

#[derive(Clone, Debug)]
struct Rule {
    pattern: Option<Expr>,
    /// `None`: print the line.
    action: Option<Vec<Statement>>,
}

#[derive(Clone, Debug)]
enum Statement {
    Print(Vec<Expr>),
}

#[derive(Clone, Debug)]
enum Expr {
    Field(Box<Expr>),
    Records,
    Fields,
    Text(String),
    Number(f64),
    /// `/re/` alone: matches the whole line.
    Regex(Pattern),
    Concat(Vec<Expr>),
    Compare(Box<Expr>, Comparison, Box<Expr>),
    Matches(Box<Expr>, Pattern, bool),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug)]
enum Comparison {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// A value: a string, a number, or a field that may be read as either.
#[derive(Clone, Debug)]
enum Value {
    Text(String),
    Number(f64),
    Field(String),
}

impl Value {
    fn number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::Field(text) => text.trim().parse().ok(),
            Value::Text(_) => None,
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Text(text) | Value::Field(text) => text.clone(),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e16 => format!("{}", *n as i64),
            Value::Number(n) => format!("{n}"),
        }
    }

    fn truthy(&self) -> bool {
        match self {
            Value::Number(n) => *n != 0.0,
            Value::Text(text) => !text.is_empty(),
            Value::Field(text) => match text.trim().parse::<f64>() {
                Ok(n) => n != 0.0,
                Err(_) => !text.is_empty(),
            },
        }
    }
}

pub fn parse(args: &[String]) -> Result<(Kind, Vec<String>), Refusal> {
    let mut separator = None;
    let mut rest = args.iter();
    let mut source = None;
    let mut files = Vec::new();
    while let Some(arg) = rest.next() {
        if arg == "-F" {
            separator = rest.next().cloned();
        } else if let Some(sep) = arg.strip_prefix("-F") {
            separator = Some(sep.to_string());
        } else if source.is_none() {
            source = Some(arg.clone());
        } else {
            files.push(arg.clone());
        }
    }
    let Some(source) = source else {
        return Err((
            "usage: mawk [-F value] [-v var=value] [--] 'program text' [file ...]\n".into(),
            2,
        ));
    };
    let mut parser = Parser {
        tokens: tokenize(&source)?,
        at: 0,
    };
    let mut program = Program {
        begin: Vec::new(),
        rules: Vec::new(),
        end: Vec::new(),
        separator: separator.map(|s| if s == "\\t" { "\t".into() } else { s }),
        records: 0,
        begun: false,
    };
    while parser.peek().is_some() {
        if parser.eat(&Token::Name("BEGIN".into())) {
            program.begin.extend(parser.action()?);
        } else if parser.eat(&Token::Name("END".into())) {
            program.end.extend(parser.action()?);
        } else {
            let pattern = if parser.peek() == Some(&Token::Punct("{")) {
                None
            } else {
                Some(parser.expr()?)
            };
            let action = if parser.peek() == Some(&Token::Punct("{")) {
                Some(parser.action()?)
            } else {
                None
            };
            program.rules.push(Rule { pattern, action });
        }
        while parser.eat(&Token::Punct(";")) || parser.eat(&Token::Newline) {}
    }
    Ok((Kind::Awk(program), files))
}

impl Program {
    pub fn line(&mut self, line: &str, io: &mut Io) {
        self.start(io);
        self.records += 1;
        let fields = self.split(line);
        let record = Record {
            line,
            fields: &fields,
            number: self.records,
        };
        for rule in &self.rules {
            let selected = rule
                .pattern
                .as_ref()
                .is_none_or(|p| record.eval(p).truthy());
            if !selected {
                continue;
            }
            match &rule.action {
                Some(statements) => record.run(statements, io),
                None => {
                    io.out(line);
                    io.out("\n");
                }
            }
        }
    }

    pub fn end(&mut self, io: &mut Io) -> i32 {
        self.start(io);
        let record = Record {
            line: "",
            fields: &[],
            number: self.records,
        };
        record.run(&self.end, io);
        0
    }

    fn start(&mut self, io: &mut Io) {
        if !self.begun {
            self.begun = true;
            let record = Record {
                line: "",
                fields: &[],
                number: 0,
            };
            record.run(&self.begin, io);
        }
    }

    fn split(&self, line: &str) -> Vec<String> {
        match self.separator.as_deref() {
            None | Some(" ") => line.split_whitespace().map(String::from).collect(),
            Some(separator) => line.split(separator).map(String::from).collect(),
        }
    }
}

struct Record<'a> {
    line: &'a str,
    fields: &'a [String],
    number: usize,
}

impl Record<'_> {
    fn run(&self, statements: &[Statement], io: &mut Io) {
        for statement in statements {
            match statement {
                Statement::Print(exprs) if exprs.is_empty() => io.out(self.line),
                Statement::Print(exprs) => {
                    let texts: Vec<String> = exprs.iter().map(|e| self.eval(e).text()).collect();
                    io.out(&texts.join(" "));
                }
            }
            io.out("\n");
        }
    }

    fn eval(&self, expr: &Expr) -> Value {
        match expr {
            Expr::Field(index) => {
                let index = self.eval(index).number().unwrap_or(0.0) as usize;
                Value::Field(match index {
                    0 => self.line.to_string(),
                    n => self.fields.get(n - 1).cloned().unwrap_or_default(),
                })
            }
            Expr::Records => Value::Number(self.number as f64),
            Expr::Fields => Value::Number(self.fields.len() as f64),
            Expr::Text(text) => Value::Text(text.clone()),
            Expr::Number(n) => Value::Number(*n),
            Expr::Regex(pattern) => Value::Number(f64::from(u8::from(pattern.is_match(self.line)))),
            Expr::Concat(parts) => Value::Text(parts.iter().map(|p| self.eval(p).text()).collect()),
            Expr::Compare(a, comparison, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                let order = match (a.number(), b.number()) {
                    (Some(x), Some(y)) => x.partial_cmp(&y),
                    _ => Some(a.text().cmp(&b.text())),
                };
                let holds = order.is_some_and(|o| match comparison {
                    Comparison::Equal => o.is_eq(),
                    Comparison::NotEqual => o.is_ne(),
                    Comparison::Less => o.is_lt(),
                    Comparison::LessOrEqual => o.is_le(),
                    Comparison::Greater => o.is_gt(),
                    Comparison::GreaterOrEqual => o.is_ge(),
                });
                Value::Number(f64::from(u8::from(holds)))
            }
            Expr::Matches(a, pattern, negated) => {
                let hit = pattern.is_match(&self.eval(a).text()) != *negated;
                Value::Number(f64::from(u8::from(hit)))
            }
            Expr::Not(a) => Value::Number(f64::from(u8::from(!self.eval(a).truthy()))),
            Expr::And(a, b) => Value::Number(f64::from(u8::from(
                self.eval(a).truthy() && self.eval(b).truthy(),
            ))),
            Expr::Or(a, b) => Value::Number(f64::from(u8::from(
                self.eval(a).truthy() || self.eval(b).truthy(),
            ))),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Name(String),
    Number(f64),
    Text(String),
    Regex(String),
    Punct(&'static str),
    Newline,
}

impl Token {
    fn shown(&self) -> String {
        match self {
            Token::Name(name) => name.clone(),
            Token::Number(n) => n.to_string(),
            Token::Text(text) => format!("\"{text}\""),
            Token::Regex(re) => format!("/{re}/"),
            Token::Punct(p) => p.to_string(),
            Token::Newline => "end of line".into(),
        }
    }
}

fn syntax_error(near: &str) -> Refusal {
    (format!("mawk: line 1: syntax error at or near {near}\n"), 2)
}

fn tokenize(source: &str) -> Result<Vec<Token>, Refusal> {
    const PUNCT: &[&str] = &[
        "==", "!=", "<=", ">=", "&&", "||", "!~", "{", "}", "(", ")", ";", ",", "$", "!", "~", "<",
        ">",
    ];
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let rest: String = chars[at..].iter().take(2).collect();
        if c == ' ' || c == '\t' {
            at += 1;
        } else if c == '\n' {
            tokens.push(Token::Newline);
            at += 1;
        } else if c == '"' {
            let mut text = String::new();
            at += 1;
            loop {
                match chars.get(at) {
                    None => return Err(("mawk: line 1: runaway string constant \"…\n".into(), 2)),
                    Some('"') => break,
                    Some('\\') => {
                        at += 1;
                        match chars.get(at) {
                            Some('n') => text.push('\n'),
                            Some('t') => text.push('\t'),
                            Some(other) => text.push(*other),
                            None => {}
                        }
                    }
                    Some(other) => text.push(*other),
                }
                at += 1;
            }
            at += 1;
            tokens.push(Token::Text(text));
        } else if c == '/' && expects_operand(tokens.last()) {
            let mut text = String::new();
            at += 1;
            while let Some(&c) = chars.get(at) {
                if c == '/' {
                    break;
                }
                if c == '\\' && chars.get(at + 1) == Some(&'/') {
                    at += 1;
                }
                text.push(chars[at]);
                at += 1;
            }
            if at >= chars.len() {
                return Err(("mawk: line 1: runaway regular expression /…\n".into(), 2));
            }
            at += 1;
            tokens.push(Token::Regex(text));
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(at + 1).is_some_and(char::is_ascii_digit))
        {
            let start = at;
            while chars
                .get(at)
                .is_some_and(|c| c.is_ascii_digit() || *c == '.')
            {
                at += 1;
            }
            let text: String = chars[start..at].iter().collect();
            tokens.push(Token::Number(
                text.parse().map_err(|_| syntax_error(&text))?,
            ));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = at;
            while chars
                .get(at)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
            {
                at += 1;
            }
            tokens.push(Token::Name(chars[start..at].iter().collect()));
        } else if let Some(p) = PUNCT.iter().find(|p| rest.starts_with(**p)) {
            at += p.len();
            tokens.push(Token::Punct(p));
        } else {
            return Err(syntax_error(&c.to_string()));
        }
    }
    Ok(tokens)
}

/// Whether a `/` here starts a regular expression rather than dividing.
fn expects_operand(previous: Option<&Token>) -> bool {
    !matches!(
        previous,
        Some(Token::Name(_) | Token::Number(_) | Token::Text(_) | Token::Punct(")"))
    )
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, token: &Token) -> bool {
        let found = self.peek() == Some(token);
        if found {
            self.at += 1;
        }
        found
    }

    fn error(&self) -> Refusal {
        syntax_error(&self.peek().map_or("end of file".to_string(), Token::shown))
    }

    fn action(&mut self) -> Result<Vec<Statement>, Refusal> {
        if !self.eat(&Token::Punct("{")) {
            return Err(self.error());
        }
        let mut statements = Vec::new();
        loop {
            while self.eat(&Token::Punct(";")) || self.eat(&Token::Newline) {}
            if self.eat(&Token::Punct("}")) {
                return Ok(statements);
            }
            if !self.eat(&Token::Name("print".into())) {
                return Err(self.error());
            }
            let mut exprs = Vec::new();
            let ends = |p: &Parser| {
                matches!(
                    p.peek(),
                    None | Some(Token::Punct(";" | "}") | Token::Newline)
                )
            };
            if !ends(self) {
                exprs.push(self.concat()?);
                while self.eat(&Token::Punct(",")) {
                    exprs.push(self.concat()?);
                }
            }
            statements.push(Statement::Print(exprs));
        }
    }

    fn expr(&mut self) -> Result<Expr, Refusal> {
        let mut left = self.and()?;
        while self.eat(&Token::Punct("||")) {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, Refusal> {
        let mut left = self.comparison()?;
        while self.eat(&Token::Punct("&&")) {
            left = Expr::And(Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, Refusal> {
        if self.eat(&Token::Punct("!")) {
            return Ok(Expr::Not(Box::new(self.comparison()?)));
        }
        let left = self.concat()?;
        let comparison = match self.peek() {
            Some(Token::Punct("==")) => Comparison::Equal,
            Some(Token::Punct("!=")) => Comparison::NotEqual,
            Some(Token::Punct("<")) => Comparison::Less,
            Some(Token::Punct("<=")) => Comparison::LessOrEqual,
            Some(Token::Punct(">")) => Comparison::Greater,
            Some(Token::Punct(">=")) => Comparison::GreaterOrEqual,
            Some(Token::Punct(op @ ("~" | "!~"))) => {
                let negated = *op == "!~";
                self.at += 1;
                let Some(Token::Regex(re)) = self.peek().cloned() else {
                    return Err(self.error());
                };
                self.at += 1;
                let pattern = Pattern::new(&re, true, false).map_err(|e| {
                    (
                        format!("mawk: line 1: regular expression compile failed ({e})\n"),
                        2,
                    )
                })?;
                return Ok(Expr::Matches(Box::new(left), pattern, negated));
            }
            _ => return Ok(left),
        };
        self.at += 1;
        let right = self.concat()?;
        Ok(Expr::Compare(Box::new(left), comparison, Box::new(right)))
    }

    fn concat(&mut self) -> Result<Expr, Refusal> {
        let mut parts = vec![self.primary()?];
        while matches!(
            self.peek(),
            Some(Token::Punct("$" | "(") | Token::Name(_) | Token::Number(_) | Token::Text(_))
        ) {
            parts.push(self.primary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Concat(parts)
        })
    }

    fn primary(&mut self) -> Result<Expr, Refusal> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error());
        };
        self.at += 1;
        Ok(match token {
            Token::Punct("$") => Expr::Field(Box::new(self.primary()?)),
            Token::Punct("(") => {
                let inner = self.expr()?;
                if !self.eat(&Token::Punct(")")) {
                    return Err(self.error());
                }
                inner
            }
            Token::Name(name) if name == "NR" || name == "FNR" => Expr::Records,
            Token::Name(name) if name == "NF" => Expr::Fields,
            Token::Number(n) => Expr::Number(n),
            Token::Text(text) => Expr::Text(text),
            Token::Regex(re) => Expr::Regex(Pattern::new(&re, true, false).map_err(|e| {
                (
                    format!("mawk: line 1: regular expression compile failed ({e})\n"),
                    2,
                )
            })?),
            other => {
                self.at -= 1;
                return Err(syntax_error(&other.shown()));
            }
        })
    }
}
