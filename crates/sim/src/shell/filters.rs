//! The filters a reader pipes kubectl's output into: `cat`, `grep`, `head`, `tail`, `wc`, `sort`, `uniq`,
//! `cut`, `awk` (programs of patterns and `print`), and `xargs`. GNU coreutils' and grep's behaviour and
//! words, mawk's for awk (Debian's and Ubuntu's default). Each reads its input as it comes down the pipe,
//! line by line where the real one does, so `kubectl get pods -w | grep web` streams.

use super::pattern::Pattern;
use super::syntax::{self, Word};
use super::{Dialect, FsError, Io};

#[derive(Clone, Debug)]
pub struct Filter {
    kind: Kind,
    /// Input after the last newline, waiting for the rest of its line.
    partial: String,
}

#[derive(Clone, Debug)]
enum Kind {
    Cat,
    Grep(Grep),
    Head {
        lines: usize,
        seen: usize,
    },
    Tail {
        lines: Tail,
        kept: Vec<String>,
    },
    Wc(Wc),
    Sort(Sort, Vec<String>),
    Uniq {
        count: bool,
        last: Option<(String, usize)>,
    },
    Cut(Cut),
    Awk(awk::Program),
}

#[derive(Clone, Debug)]
struct Grep {
    patterns: Vec<Pattern>,
    invert: bool,
    count: bool,
    quiet: bool,
    numbers: bool,
    line: usize,
    matched: usize,
}

#[derive(Clone, Copy, Debug)]
enum Tail {
    Last(usize),
    From(usize),
}

#[derive(Clone, Copy, Debug, Default)]
struct Wc {
    show_lines: bool,
    show_words: bool,
    show_bytes: bool,
    lines: usize,
    words: usize,
    bytes: usize,
}

#[derive(Clone, Debug, Default)]
struct Sort {
    reverse: bool,
    numeric: bool,
    unique: bool,
    key: Option<usize>,
    /// `-t`: fields are split at this character rather than at blanks.
    separator: Option<char>,
}

#[derive(Clone, Debug)]
struct Cut {
    delimiter: Option<char>,
    ranges: Vec<(usize, usize)>,
}

/// A filter's refusal of its arguments: what it prints and its exit status.
type Refusal = (String, i32);

impl Filter {
    /// The filter `argv` names, started: `None` when `argv[0]` is no filter; `Some(Err(status))` when it has
    /// already ended (bad arguments, or files to read instead of the pipe), having written into `io`.
    pub fn start(
        argv: &[String],
        dialect: Dialect,
        read: &dyn Fn(&str) -> Result<String, FsError>,
        io: &mut Io,
    ) -> Option<Result<Filter, i32>> {
        let name = argv[0].as_str();
        let args = &argv[1..];
        let parsed = match name {
            "cat" => Ok((Kind::Cat, args.to_vec())),
            "grep" => grep(args),
            "head" | "tail" => head_or_tail(name, args),
            "wc" => wc(args),
            "sort" => sort(args),
            "uniq" => Ok((
                Kind::Uniq {
                    count: args.iter().any(|a| a == "-c"),
                    last: None,
                },
                args.iter()
                    .filter(|a| !a.starts_with('-'))
                    .cloned()
                    .collect(),
            )),
            "cut" => cut(args),
            "awk" => awk::parse(args),
            _ => return None,
        };
        let (kind, files) = match parsed {
            Ok(parsed) => parsed,
            Err((message, status)) => {
                io.err(&message);
                return Some(Err(status));
            }
        };
        let mut filter = Filter {
            kind,
            partial: String::new(),
        };
        if files.is_empty() {
            return Some(Ok(filter));
        }
        let mut failed = false;
        for file in &files {
            match read(file) {
                Ok(text) => {
                    if filter.feed(&text, io).is_some() {
                        break;
                    }
                }
                Err(error) => {
                    io.error(cannot_read(name, file, error, dialect));
                    failed = true;
                }
            }
        }
        let status = filter.finish(io);
        Some(Err(if failed {
            if name == "grep" {
                2
            } else {
                1
            }
        } else {
            status
        }))
    }

    /// Reads more input; `Some(status)` when the filter has exited before its input ended (`head`).
    pub fn feed(&mut self, input: &str, io: &mut Io) -> Option<i32> {
        if let Kind::Cat = self.kind {
            io.out(input);
            return None;
        }
        self.partial.push_str(input);
        while let Some(end) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=end).collect();
            if let Some(status) = self.line(&line[..line.len() - 1], true, io) {
                return Some(status);
            }
        }
        None
    }

    /// The input has ended: the last line without its newline, then what the filter prints at the end.
    pub fn finish(&mut self, io: &mut Io) -> i32 {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            if let Some(status) = self.line(&line, false, io) {
                return status;
            }
        }
        match &mut self.kind {
            Kind::Cat | Kind::Head { .. } | Kind::Cut(_) => 0,
            Kind::Grep(grep) => {
                if grep.count {
                    io.out(&format!("{}\n", grep.matched));
                }
                i32::from(grep.matched == 0)
            }
            Kind::Tail { kept, .. } => {
                for line in kept.drain(..) {
                    io.out(&line);
                    io.out("\n");
                }
                0
            }
            Kind::Wc(wc) => {
                let counts: Vec<usize> = [
                    (wc.show_lines, wc.lines),
                    (wc.show_words, wc.words),
                    (wc.show_bytes, wc.bytes),
                ]
                .iter()
                .filter(|(shown, _)| *shown)
                .map(|(_, n)| *n)
                .collect();
                // GNU wc pads to seven columns when it prints several counts of its standard input.
                let text: Vec<String> = if counts.len() == 1 {
                    vec![counts[0].to_string()]
                } else {
                    counts.iter().map(|n| format!("{n:>7}")).collect()
                };
                io.out(&text.join(" "));
                io.out("\n");
                0
            }
            Kind::Sort(sort, lines) => {
                sort_lines(sort, lines);
                for line in lines.drain(..) {
                    io.out(&line);
                    io.out("\n");
                }
                0
            }
            Kind::Uniq { count, last } => {
                if let Some((line, n)) = last.take() {
                    print_uniq(*count, &line, n, io);
                }
                0
            }
            Kind::Awk(program) => program.end(io),
        }
    }

    /// One line of input (`terminated` unless it is a last line without its newline); `Some(status)` when
    /// the filter has exited.
    fn line(&mut self, line: &str, terminated: bool, io: &mut Io) -> Option<i32> {
        match &mut self.kind {
            Kind::Cat => io.out(line),
            Kind::Grep(grep) => {
                grep.line += 1;
                let hit = grep.patterns.iter().any(|p| p.is_match(line)) != grep.invert;
                if hit {
                    grep.matched += 1;
                    if grep.quiet {
                        return Some(0);
                    }
                    if !grep.count {
                        if grep.numbers {
                            io.out(&format!("{}:", grep.line));
                        }
                        io.out(line);
                        io.out("\n");
                    }
                }
            }
            Kind::Head { lines, seen } => {
                if *seen >= *lines {
                    return Some(0);
                }
                *seen += 1;
                io.out(line);
                io.out("\n");
                if *seen >= *lines {
                    return Some(0);
                }
            }
            Kind::Tail { lines, kept } => match lines {
                Tail::Last(n) => {
                    kept.push(line.to_string());
                    if kept.len() > *n {
                        kept.remove(0);
                    }
                }
                Tail::From(n) => {
                    if *n <= 1 {
                        io.out(line);
                        io.out("\n");
                    } else {
                        *n -= 1;
                    }
                }
            },
            Kind::Wc(wc) => {
                wc.lines += usize::from(terminated);
                wc.words += line.split_whitespace().count();
                wc.bytes += line.len() + usize::from(terminated);
            }
            Kind::Sort(_, lines) => lines.push(line.to_string()),
            Kind::Uniq { count, last } => match last {
                Some((previous, n)) if previous == line => *n += 1,
                _ => {
                    if let Some((previous, n)) = last.replace((line.to_string(), 1)) {
                        print_uniq(*count, &previous, n, io);
                    }
                }
            },
            Kind::Cut(cut) => {
                io.out(&cut.line(line));
                io.out("\n");
            }
            Kind::Awk(program) => program.line(line, io),
        }
        None
    }
}

fn print_uniq(count: bool, line: &str, n: usize, io: &mut Io) {
    if count {
        io.out(&format!("{n:>7} "));
    }
    io.out(line);
    io.out("\n");
}

/// Short options as given, each with its value if it takes one.
type Flags = Vec<(char, Option<String>)>;

/// Splits short options given together (`-vi`) and separates those that take a value from the operands;
/// an option missing its value is the error.
fn options<'a>(args: &'a [String], with_value: &str) -> Result<(Flags, Vec<&'a String>), char> {
    let mut flags = Vec::new();
    let mut operands = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            operands.extend(iter.by_ref());
            break;
        }
        let Some(letters) = arg.strip_prefix('-').filter(|l| !l.is_empty()) else {
            operands.push(arg);
            continue;
        };
        for (i, c) in letters.char_indices() {
            if with_value.contains(c) {
                let rest = &letters[i + c.len_utf8()..];
                let value = if rest.is_empty() {
                    iter.next().cloned().ok_or(c)?
                } else {
                    rest.to_string()
                };
                flags.push((c, Some(value)));
                break;
            }
            flags.push((c, None));
        }
    }
    Ok((flags, operands))
}

fn grep(args: &[String]) -> Result<(Kind, Vec<String>), Refusal> {
    const USAGE: &str =
        "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n";
    let (flags, operands) = options(args, "e").map_err(|_| (USAGE.to_string(), 2))?;
    let has = |c: char| flags.iter().any(|(f, _)| *f == c);
    let mut texts: Vec<String> = flags
        .iter()
        .filter_map(|(f, v)| (*f == 'e').then(|| v.clone()).flatten())
        .collect();
    let mut operands = operands.into_iter();
    if texts.is_empty() {
        texts.push(operands.next().ok_or((USAGE.to_string(), 2))?.clone());
    }
    if let Some((bad, _)) = flags.iter().find(|(f, _)| !"viEFcqne".contains(*f)) {
        return Err((format!("grep: invalid option -- '{bad}'\n{USAGE}"), 2));
    }
    let mut patterns = Vec::new();
    for text in texts.iter().flat_map(|t| t.split('\n')) {
        let source = if has('F') {
            escape_fixed(text)
        } else {
            text.to_string()
        };
        let pattern =
            Pattern::new(&source, has('E'), has('i')).map_err(|e| (format!("grep: {e}\n"), 2))?;
        patterns.push(pattern);
    }
    Ok((
        Kind::Grep(Grep {
            patterns,
            invert: has('v'),
            count: has('c'),
            quiet: has('q'),
            numbers: has('n'),
            line: 0,
            matched: 0,
        }),
        operands.cloned().collect(),
    ))
}

/// A fixed string as a basic pattern that matches it literally.
fn escape_fixed(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = ".[]*^$\\".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

fn head_or_tail(name: &str, args: &[String]) -> Result<(Kind, Vec<String>), Refusal> {
    let mut count = "10".to_string();
    let mut files = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "-n" {
            count = iter.next().cloned().ok_or_else(|| {
                (
                    format!("{name}: option requires an argument -- 'n'\nTry '{name} --help' for more information.\n"),
                    1,
                )
            })?;
        } else if let Some(n) = arg.strip_prefix("-n") {
            count = n.to_string();
        } else if arg.len() > 1
            && arg.starts_with('-')
            && arg[1..].chars().all(|c| c.is_ascii_digit())
        {
            count = arg[1..].to_string();
        } else if arg == "-f" || arg == "--follow" {
            // Following a pipe is reading it to its end, which is what the pipe gives anyway.
        } else {
            files.push(arg.clone());
        }
    }
    let invalid = || {
        let what = if name == "head" {
            "lines"
        } else {
            "number of lines"
        };
        (format!("{name}: invalid {what}: '{count}'\n"), 1)
    };
    let kind = if let Some(from) = count.strip_prefix('+').filter(|_| name == "tail") {
        Kind::Tail {
            lines: Tail::From(from.parse().map_err(|_| invalid())?),
            kept: Vec::new(),
        }
    } else {
        let n: usize = count.parse().map_err(|_| invalid())?;
        if name == "head" {
            Kind::Head { lines: n, seen: 0 }
        } else {
            Kind::Tail {
                lines: Tail::Last(n),
                kept: Vec::new(),
            }
        }
    };
    Ok((kind, files))
}

fn wc(args: &[String]) -> Result<(Kind, Vec<String>), Refusal> {
    let (flags, files) = options(args, "").map_err(|_| (String::new(), 1))?;
    let has = |c: char| flags.iter().any(|(f, _)| *f == c);
    let none = !has('l') && !has('w') && !has('c');
    Ok((
        Kind::Wc(Wc {
            show_lines: none || has('l'),
            show_words: none || has('w'),
            show_bytes: none || has('c'),
            ..Wc::default()
        }),
        files.into_iter().cloned().collect(),
    ))
}

fn sort(args: &[String]) -> Result<(Kind, Vec<String>), Refusal> {
    let (flags, files) = options(args, "kt").map_err(|c| {
        (
            format!("sort: option requires an argument -- '{c}'\nTry 'sort --help' for more information.\n"),
            2,
        )
    })?;
    let mut sort = Sort::default();
    for (flag, value) in &flags {
        match flag {
            'r' => sort.reverse = true,
            'n' => sort.numeric = true,
            'u' => sort.unique = true,
            'k' => {
                let field = value
                    .as_deref()
                    .unwrap_or("")
                    .split([',', '.'])
                    .next()
                    .unwrap_or("");
                let field = field.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                sort.key = Some(field.parse().map_err(|_| {
                    (
                        format!(
                            "sort: invalid number at field start: invalid count at start of '{}'\n",
                            value.as_deref().unwrap_or("")
                        ),
                        2,
                    )
                })?);
                sort.numeric |= value.as_deref().unwrap_or("").ends_with('n');
            }
            't' => sort.separator = value.as_deref().and_then(|v| v.chars().next()),
            other => {
                return Err((
                    format!(
                    "sort: invalid option -- '{other}'\nTry 'sort --help' for more information.\n"
                ),
                    2,
                ))
            }
        }
    }
    Ok((
        Kind::Sort(sort, Vec::new()),
        files.into_iter().cloned().collect(),
    ))
}

fn sort_lines(sort: &Sort, lines: &mut Vec<String>) {
    let key = |line: &str| -> String {
        match sort.key {
            Some(field) => {
                let index = field.saturating_sub(1);
                let found = match sort.separator {
                    Some(separator) => line.split(separator).nth(index),
                    None => line.split_whitespace().nth(index),
                };
                found.unwrap_or("").to_string()
            }
            None => line.to_string(),
        }
    };
    let number = |text: &str| -> f64 {
        let digits: String = text
            .trim_start()
            .chars()
            .enumerate()
            .take_while(|(i, c)| c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-'))
            .map(|(_, c)| c)
            .collect();
        digits.parse().unwrap_or(0.0)
    };
    lines.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        let order = if sort.numeric {
            number(&ka)
                .partial_cmp(&number(&kb))
                .unwrap_or(std::cmp::Ordering::Equal)
        } else {
            ka.cmp(&kb)
        };
        // Equal keys fall back to the whole line, as GNU sort's last-resort comparison does.
        let order = order.then_with(|| a.cmp(b));
        if sort.reverse {
            order.reverse()
        } else {
            order
        }
    });
    if sort.unique {
        lines.dedup_by(|a, b| key(a) == key(b));
    }
}

fn cut(args: &[String]) -> Result<(Kind, Vec<String>), Refusal> {
    const TRY: &str = "Try 'cut --help' for more information.\n";
    let (flags, files) = options(args, "dfc").map_err(|c| {
        (
            format!("cut: option requires an argument -- '{c}'\n{TRY}"),
            1,
        )
    })?;
    let mut delimiter = Some('\t');
    let mut list = None;
    for (flag, value) in flags {
        let value = value.unwrap_or_default();
        match flag {
            'd' => {
                let mut chars = value.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => delimiter = Some(c),
                    _ => {
                        return Err((
                            format!("cut: the delimiter must be a single character\n{TRY}"),
                            1,
                        ))
                    }
                }
            }
            'f' => list = Some(value),
            'c' => {
                delimiter = None;
                list = Some(value);
            }
            other => return Err((format!("cut: invalid option -- '{other}'\n{TRY}"), 1)),
        }
    }
    let Some(list) = list else {
        return Err((
            format!("cut: you must specify a list of bytes, characters, or fields\n{TRY}"),
            1,
        ));
    };
    let mut ranges = Vec::new();
    for part in list.split(',') {
        let bad = || (format!("cut: invalid field value '{part}'\n{TRY}"), 1);
        let range = match part.split_once('-') {
            None => {
                let n = part.parse().map_err(|_| bad())?;
                (n, n)
            }
            Some((a, b)) => (
                if a.is_empty() {
                    1
                } else {
                    a.parse().map_err(|_| bad())?
                },
                if b.is_empty() {
                    usize::MAX
                } else {
                    b.parse().map_err(|_| bad())?
                },
            ),
        };
        if range.0 == 0 {
            return Err((
                format!("cut: fields and positions are numbered from 1\n{TRY}"),
                1,
            ));
        }
        ranges.push(range);
    }
    Ok((
        Kind::Cut(Cut { delimiter, ranges }),
        files.into_iter().cloned().collect(),
    ))
}

impl Cut {
    fn selected(&self, index: usize) -> bool {
        self.ranges.iter().any(|(a, b)| (*a..=*b).contains(&index))
    }

    fn line(&self, line: &str) -> String {
        match self.delimiter {
            None => line
                .chars()
                .enumerate()
                .filter(|(i, _)| self.selected(i + 1))
                .map(|(_, c)| c)
                .collect(),
            // A line without the delimiter is printed whole, as GNU cut does without -s.
            Some(d) if !line.contains(d) => line.to_string(),
            Some(d) => line
                .split(d)
                .enumerate()
                .filter(|(i, _)| self.selected(i + 1))
                .map(|(_, f)| f)
                .collect::<Vec<_>>()
                .join(&d.to_string()),
        }
    }
}

/// `xargs [-n N] [-I R] [-r] [COMMAND...]`: reads all its input, then runs the command with the items.
#[derive(Clone, Debug)]
pub struct Xargs {
    command: Vec<String>,
    per_command: Option<usize>,
    replace: Option<String>,
    skip_empty: bool,
}

impl Xargs {
    pub fn parse(argv: &[String]) -> Result<Xargs, Refusal> {
        let mut xargs = Xargs {
            command: Vec::new(),
            per_command: None,
            replace: None,
            skip_empty: false,
        };
        let mut iter = argv[1..].iter();
        while let Some(arg) = iter.next() {
            // `-n 1` or `-n1`, `-I {}` or `-I{}`.
            let option = ["-n", "-I", "-L"]
                .into_iter()
                .find(|o| arg.starts_with(o) && xargs.command.is_empty());
            if let Some(option) = option {
                let attached = &arg[option.len()..];
                let value = if attached.is_empty() {
                    iter.next().cloned().ok_or_else(|| {
                        (
                            format!("xargs: option requires an argument -- '{}'\nTry 'xargs --help' for more information.\n", &option[1..]),
                            1,
                        )
                    })?
                } else {
                    attached.to_string()
                };
                if option == "-I" {
                    xargs.replace = Some(value);
                } else {
                    xargs.per_command = Some(value.parse().map_err(|_| {
                        (format!("xargs: invalid number \"{value}\" for -{} option\nTry 'xargs --help' for more information.\n", &option[1..]), 1)
                    })?);
                }
                continue;
            }
            match arg.as_str() {
                "-r" | "--no-run-if-empty" => xargs.skip_empty = true,
                option if option.starts_with('-') && option.len() > 1 => {
                    return Err((
                        format!("xargs: invalid option -- '{}'\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\nTry 'xargs --help' for more information.\n", option.chars().nth(1).unwrap_or('-')),
                        1,
                    ))
                }
                _ => {
                    xargs.command.push(arg.clone());
                    xargs.command.extend(iter.by_ref().cloned());
                }
            }
        }
        if xargs.command.is_empty() {
            xargs.command.push("echo".into());
        }
        Ok(xargs)
    }

    /// The commands to run for `input`, as a script of literal words.
    pub fn script(&self, input: &str) -> syntax::Script {
        let commands: Vec<Vec<String>> = match &self.replace {
            Some(replace) => input
                .lines()
                .map(str::trim_start)
                .filter(|l| !l.is_empty())
                .map(|line| {
                    self.command
                        .iter()
                        .map(|word| word.replace(replace.as_str(), line))
                        .collect()
                })
                .collect(),
            None => {
                let items: Vec<&str> = input.split_whitespace().collect();
                if items.is_empty() {
                    if self.skip_empty {
                        Vec::new()
                    } else {
                        vec![self.command.clone()]
                    }
                } else {
                    items
                        .chunks(self.per_command.unwrap_or(items.len()).max(1))
                        .map(|chunk| {
                            let mut argv = self.command.clone();
                            argv.extend(chunk.iter().map(|s| s.to_string()));
                            argv
                        })
                        .collect()
                }
            }
        };
        syntax::Script {
            items: commands
                .into_iter()
                .map(|argv| syntax::AndOr {
                    first: syntax::Pipeline {
                        negated: false,
                        commands: vec![syntax::Command::Simple(syntax::Simple {
                            words: argv.iter().map(|w| Word::literal(w)).collect(),
                            ..syntax::Simple::default()
                        })],
                    },
                    rest: Vec::new(),
                })
                .collect(),
        }
    }
}

mod awk;

/// A filter's words for a file it cannot read: GNU's, or BusyBox's, whose `cat` says it cannot open it.
fn cannot_read(name: &str, file: &str, error: FsError, dialect: Dialect) -> String {
    if dialect.busybox() && name == "cat" {
        format!("cat: can't open '{file}': {}", error.text())
    } else {
        format!("{name}: {file}: {}", error.text())
    }
}
