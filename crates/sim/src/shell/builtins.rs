//! The shell's own commands, with bash's behaviour and words: `echo`, `printf`, `true`, `false`, `:`,
//! `test` and `[`, `export`, `unset`, `exit`, `cd`, `pwd`, and the two coreutils a loop needs, `sleep` and
//! `seq`. dash and ash say the same things after their own prefix.

use super::{Dialect, Io, Session, System};
use crate::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Echo,
    Printf,
    True,
    False,
    Test,
    Bracket,
    Export,
    Unset,
    Exit,
    Cd,
    Pwd,
    Sleep,
    Seq,
}

/// How a builtin ended.
pub enum Outcome {
    Exited(i32),
    /// `sleep`: done at this instant.
    Sleep(SimTime),
    /// `exit N`: the shell ends with N.
    Exit(i32),
}

impl Builtin {
    pub fn named(name: &str) -> Option<Builtin> {
        Some(match name {
            "echo" => Builtin::Echo,
            "printf" => Builtin::Printf,
            "true" | ":" => Builtin::True,
            "false" => Builtin::False,
            "test" => Builtin::Test,
            "[" => Builtin::Bracket,
            "export" => Builtin::Export,
            "unset" => Builtin::Unset,
            "exit" => Builtin::Exit,
            "cd" => Builtin::Cd,
            "pwd" => Builtin::Pwd,
            "sleep" => Builtin::Sleep,
            "seq" => Builtin::Seq,
            _ => return None,
        })
    }
}

pub fn run<S: System>(
    builtin: Builtin,
    argv: &[String],
    session: &mut Session,
    system: &S,
    io: &mut Io,
) -> Outcome {
    let args = &argv[1..];
    let prefix = session.prefix();
    let status = match builtin {
        Builtin::Echo => echo(args, io),
        Builtin::Printf => printf(args, &prefix, io),
        Builtin::True => 0,
        Builtin::False => 1,
        Builtin::Test => test(args, "test", &prefix, io),
        Builtin::Bracket => match args.split_last() {
            Some((last, inner)) if last == "]" => test(inner, "[", &prefix, io),
            _ => {
                let bracket = match session.dialect {
                    Dialect::Bash => "`]'",
                    Dialect::Dash | Dialect::Ash => "]",
                };
                io.error(format!("{prefix}[: missing {bracket}"));
                2
            }
        },
        Builtin::Export => export(args, session, &prefix, io),
        Builtin::Cd => cd(args, session, system, io),
        Builtin::Pwd => {
            io.out(&format!("{}\n", session.cwd));
            0
        }
        Builtin::Unset => {
            for name in args {
                session.variables.unset(name);
            }
            0
        }
        Builtin::Exit => {
            return Outcome::Exit(match args.first() {
                None => session.status,
                Some(code) => match code.parse::<i64>() {
                    Ok(code) => code.rem_euclid(256) as i32,
                    Err(_) => {
                        io.error(match session.dialect {
                            Dialect::Bash => {
                                format!("{prefix}exit: {code}: numeric argument required")
                            }
                            Dialect::Dash | Dialect::Ash => {
                                format!("{prefix}exit: Illegal number: {code}")
                            }
                        });
                        2
                    }
                },
            })
        }
        Builtin::Sleep => match sleep_duration(args) {
            Ok(millis) => return Outcome::Sleep(system.now().plus_millis(millis)),
            Err(message) => {
                io.err(&message);
                1
            }
        },
        Builtin::Seq => seq(args, io),
    };
    Outcome::Exited(status)
}

/// bash's `echo`: `-n` leaves out the newline, `-e` interprets escapes; anything else is printed.
fn echo(args: &[String], io: &mut Io) -> i32 {
    let mut newline = true;
    let mut escapes = false;
    let mut words = args;
    while let Some(flag) = words.first().filter(|w| {
        w.len() > 1 && w.starts_with('-') && w[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
    }) {
        for c in flag[1..].chars() {
            match c {
                'n' => newline = false,
                'e' => escapes = true,
                _ => escapes = false,
            }
        }
        words = &words[1..];
    }
    let text = words.join(" ");
    if escapes {
        let (text, stop) = unescape(&text);
        io.out(&text);
        if stop {
            return 0;
        }
    } else {
        io.out(&text);
    }
    if newline {
        io.out("\n");
    }
    0
}

/// Backslash escapes as `echo -e` and `printf`'s format read them; the flag says `\c` stopped the output.
fn unescape(text: &str) -> (String, bool) {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('e') => out.push('\u{1b}'),
            Some('\\') => out.push('\\'),
            Some('c') => return (out, true),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

/// bash's `printf`: the format is reused while arguments remain; `%s`, `%d`, `%i`, `%c`, `%x`, `%o`, `%f`,
/// `%b`, `%%` with flags, width and precision.
fn printf(args: &[String], prefix: &str, io: &mut Io) -> i32 {
    let Some((format, mut rest)) = args.split_first() else {
        io.error(format!(
            "{prefix}printf: usage: printf [-v var] format [arguments]"
        ));
        return 2;
    };
    let mut status = 0;
    loop {
        let consumed_before = rest.len();
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    let mut escape = String::from('\\');
                    escape.extend(chars.next());
                    let (text, _) = unescape(&escape);
                    io.out(&text);
                }
                '%' => {
                    let mut spec = String::new();
                    while let Some(&c) = chars.peek().filter(|c| "-+ #0123456789.".contains(**c)) {
                        spec.push(c);
                        chars.next();
                    }
                    let Some(conversion) = chars.next() else {
                        io.out("%");
                        break;
                    };
                    if conversion == '%' {
                        io.out("%");
                        continue;
                    }
                    let argument = rest.first().cloned();
                    if !rest.is_empty() {
                        rest = &rest[1..];
                    }
                    match convert(conversion, &spec, argument.as_deref()) {
                        Ok(text) => io.out(&text),
                        Err(message) => {
                            io.error(format!("{prefix}printf: {message}"));
                            status = 1;
                        }
                    }
                }
                c => io.out(c.encode_utf8(&mut [0; 4])),
            }
        }
        if rest.is_empty() || rest.len() == consumed_before {
            return status;
        }
    }
}

fn convert(conversion: char, spec: &str, argument: Option<&str>) -> Result<String, String> {
    let left = spec.contains('-');
    let zero = spec.starts_with('0') || spec.contains("-0") && !left;
    let digits = spec.trim_start_matches(['-', '+', ' ', '#', '0']);
    // Past the output bound the line is stopped anyway: a width or precision beyond it is not laid out.
    let bounded = |text: &str| {
        text.parse::<usize>()
            .unwrap_or(0)
            .min(super::MAX_OUTPUT_BYTES)
    };
    let (width, precision) = match digits.split_once('.') {
        Some((w, p)) => (bounded(w), Some(bounded(p))),
        None => (bounded(digits), None),
    };
    let argument = argument.unwrap_or("");
    let number = |text: &str| -> Result<i64, String> {
        if text.is_empty() {
            return Ok(0);
        }
        text.trim()
            .parse::<i64>()
            .map_err(|_| format!("{text}: invalid number"))
    };
    let body = match conversion {
        's' => match precision {
            Some(p) => argument.chars().take(p).collect(),
            None => argument.to_string(),
        },
        'b' => unescape(argument).0,
        'c' => argument
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default(),
        'd' | 'i' => number(argument)?.to_string(),
        'x' => format!("{:x}", number(argument)?),
        'X' => format!("{:X}", number(argument)?),
        'o' => format!("{:o}", number(argument)?),
        'f' => {
            let value: f64 = if argument.is_empty() {
                0.0
            } else {
                argument
                    .parse()
                    .map_err(|_| format!("{argument}: invalid number"))?
            };
            // Rust's formatter takes a precision of at most 65,535 digits.
            let digits = precision.unwrap_or(6).min(usize::from(u16::MAX));
            format!("{value:.*}", digits)
        }
        other => return Err(format!("%{other}: invalid format character")),
    };
    let padding = width.saturating_sub(body.chars().count());
    Ok(if left {
        format!("{body}{}", " ".repeat(padding))
    } else if zero && "dixXof".contains(conversion) {
        match body.strip_prefix('-') {
            Some(digits) => format!("-{}{digits}", "0".repeat(padding)),
            None => format!("{}{body}", "0".repeat(padding)),
        }
    } else {
        format!("{}{body}", " ".repeat(padding))
    })
}

/// `test EXPR` and `[ EXPR ]`: strings, integers, `!`, `-a` and `-o`; files are the terminal's own.
fn test(args: &[String], name: &str, prefix: &str, io: &mut Io) -> i32 {
    match evaluate(args) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(message) => {
            io.error(format!("{prefix}{name}: {message}"));
            2
        }
    }
}

fn evaluate(args: &[String]) -> Result<bool, String> {
    if let Some(split) = args.iter().rposition(|a| a == "-o").filter(|&i| i > 0) {
        return Ok(evaluate(&args[..split])? || evaluate(&args[split + 1..])?);
    }
    if let Some(split) = args.iter().rposition(|a| a == "-a").filter(|&i| i > 0) {
        return Ok(evaluate(&args[..split])? && evaluate(&args[split + 1..])?);
    }
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] => Ok(false),
        ["!", rest @ ..] if !rest.is_empty() => evaluate(&args[1..]).map(|b| !b),
        [single] => Ok(!single.is_empty()),
        ["-n", text] => Ok(!text.is_empty()),
        ["-z", text] => Ok(text.is_empty()),
        [op, _] if op.starts_with('-') && op.len() == 2 => {
            if "edfrwxs".contains(&op[1..]) {
                // The terminal's files are what `>` wrote; there are none of the machine's own to test.
                Ok(false)
            } else {
                Err(format!("{op}: unary operator expected"))
            }
        }
        [a, "=" | "==", b] => Ok(a == b),
        [a, "!=", b] => Ok(a != b),
        [a, "<", b] => Ok(a < b),
        [a, ">", b] => Ok(a > b),
        [a, op @ ("-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge"), b] => {
            let number = |text: &str| {
                text.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("{text}: integer expression expected"))
            };
            let (a, b) = (number(a)?, number(b)?);
            Ok(match *op {
                "-eq" => a == b,
                "-ne" => a != b,
                "-lt" => a < b,
                "-le" => a <= b,
                "-gt" => a > b,
                _ => a >= b,
            })
        }
        [_, op, _] => Err(format!("{op}: binary operator expected")),
        _ => Err("too many arguments".into()),
    }
}

fn export(args: &[String], session: &mut Session, prefix: &str, io: &mut Io) -> i32 {
    if args.is_empty() || args == ["-p"] {
        for (name, value) in session.variables.exported() {
            match value {
                Some(value) => io.out(&format!(
                    "declare -x {name}=\"{}\"\n",
                    value.replace('\\', "\\\\").replace('"', "\\\"")
                )),
                None => io.out(&format!("declare -x {name}\n")),
            }
        }
        return 0;
    }
    let mut status = 0;
    for arg in args {
        let (name, value) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg.as_str(), None),
        };
        if !super::syntax::is_name(name) {
            io.error(format!("{prefix}export: `{arg}': not a valid identifier"));
            status = 1;
            continue;
        }
        if let Some(value) = value {
            session.variables.set(name, value);
        }
        session.variables.export(name);
    }
    status
}

/// `cd DIR` (home without one, `-` for the previous directory), in each shell's words when `DIR` is not a
/// directory.
fn cd<S: System>(args: &[String], session: &mut Session, system: &S, io: &mut Io) -> i32 {
    let target = match args.first().map(String::as_str) {
        None => session.variables.get("HOME").unwrap_or("/").to_string(),
        Some("-") => session.variables.get("OLDPWD").unwrap_or("/").to_string(),
        Some(dir) => dir.to_string(),
    };
    if !system.is_directory(session, &target) {
        let prefix = session.prefix();
        io.error(match session.dialect {
            Dialect::Bash => format!("{prefix}cd: {target}: No such file or directory"),
            Dialect::Dash => format!("{prefix}cd: can't cd to {target}"),
            Dialect::Ash => format!("{prefix}cd: can't cd to {target}: No such file or directory"),
        });
        return if session.dialect == Dialect::Bash {
            1
        } else {
            2
        };
    }
    let directory = session.absolute(&target);
    let previous = std::mem::replace(&mut session.cwd, directory);
    session.variables.set("OLDPWD", &previous);
    session.variables.set("PWD", &session.cwd.clone());
    0
}

/// GNU `sleep`: each argument a number with an optional `s`, `m`, `h` or `d`; the sum is slept.
fn sleep_duration(args: &[String]) -> Result<u64, String> {
    if args.is_empty() {
        return Err("sleep: missing operand\nTry 'sleep --help' for more information.\n".into());
    }
    let mut total = 0.0;
    for arg in args {
        let (number, unit) = match arg.char_indices().last() {
            Some((i, c @ ('s' | 'm' | 'h' | 'd'))) => (&arg[..i], c),
            _ => (arg.as_str(), 's'),
        };
        let seconds: f64 = number
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite() && *n >= 0.0)
            .ok_or_else(|| {
                format!(
                    "sleep: invalid time interval '{arg}'\nTry 'sleep --help' for more information.\n"
                )
            })?;
        total += seconds
            * match unit {
                'm' => 60.0,
                'h' => 3600.0,
                'd' => 86_400.0,
                _ => 1.0,
            };
    }
    Ok((total * 1000.0).round().min(u64::MAX as f64 / 2.0) as u64)
}

/// GNU `seq [FIRST [INCREMENT]] LAST`, integers only; it stops where output would pass the job's bound.
fn seq(args: &[String], io: &mut Io) -> i32 {
    let numbers: Result<Vec<i64>, &String> = args
        .iter()
        .map(|a| a.parse::<i64>().map_err(|_| a))
        .collect();
    let numbers = match numbers {
        Ok(numbers) => numbers,
        Err(bad) => {
            io.error(format!(
                "seq: invalid floating point argument: '{bad}'\nTry 'seq --help' for more information."
            ));
            return 1;
        }
    };
    let (first, step, last) = match numbers.as_slice() {
        [last] => (1, 1, *last),
        [first, last] => (*first, 1, *last),
        [first, step, last] => (*first, *step, *last),
        [] => {
            io.error("seq: missing operand\nTry 'seq --help' for more information.");
            return 1;
        }
        _ => {
            io.error(format!(
                "seq: extra operand '{}'\nTry 'seq --help' for more information.",
                args[3]
            ));
            return 1;
        }
    };
    if step == 0 {
        io.error(format!(
            "seq: invalid Zero increment value: '{}'\nTry 'seq --help' for more information.",
            args[1]
        ));
        return 1;
    }
    let mut value = first;
    while (step > 0 && value <= last) || (step < 0 && value >= last) {
        io.out(&format!("{value}\n"));
        if io.stdout.len() > super::MAX_OUTPUT_BYTES {
            break;
        }
        let Some(next) = value.checked_add(step) else {
            break;
        };
        value = next;
    }
    0
}
