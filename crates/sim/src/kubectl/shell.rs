//! The commands a container answers to in `kubectl exec`, and `sh -c` with `;`, `&&`, `||`, `>` and `>>`.
//! Messages are the image's own: BusyBox for busybox and alpine images, coreutils and dash otherwise.

use super::container::{ContainerFs, FsError, Userland};
use super::split_command_line;
use crate::dns::{resolve, CLUSTER_DOMAIN, DNS_SERVICE_IP};
use crate::store::Store;
use crate::vfs::{normalize, Entry};

/// What a process wrote and how it exited.
#[derive(Debug, Default)]
pub struct Process {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

pub struct Shell<'a, 'b> {
    pub fs: &'a mut ContainerFs<'b>,
    /// What the cluster DNS answers from.
    pub store: &'a Store,
    pub cwd: String,
    /// Whether stdout is a terminal (`exec -t`): `ls` then prints in a row, as it does on a terminal.
    pub tty: bool,
    pub now: String,
    /// Set by `exit`: the shell has ended, with this status.
    pub exited: Option<i32>,
}

/// How one command of a list is joined to the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Join {
    Always,
    IfSucceeded,
    IfFailed,
}

impl Shell<'_, '_> {
    /// Runs a program the image has (see `has_program`) with its arguments.
    pub fn exec(&mut self, argv: &[String], out: &mut Process) {
        let Some(program) = argv.first() else {
            return;
        };
        if is_shell(program) {
            self.shell(&argv[1..], out);
        } else {
            self.command(argv, out);
        }
    }

    /// Whether the image has `program` on its PATH.
    pub fn has_program(&self, program: &str) -> bool {
        const PROGRAMS: &[&str] = &[
            "echo", "cat", "ls", "touch", "rm", "mkdir", "pwd", "hostname", "true", "false",
            "date", "whoami",
        ];
        let name = basename(program);
        is_shell(program)
            || PROGRAMS.contains(&name)
            || (name == "nslookup" && self.fs.userland == Userland::BusyBox)
    }

    /// `sh -c SCRIPT`; `sh` alone reads nothing here, as with an empty stdin, and exits.
    fn shell(&mut self, args: &[String], out: &mut Process) {
        match args {
            [flag, script, ..] if flag == "-c" => self.script(script, out),
            [flag] if flag == "-c" => {
                out.stderr.push_str(&match self.fs.userland {
                    Userland::BusyBox => "sh: -c requires an argument\n".to_string(),
                    Userland::Debian => "sh: 0: -c requires an argument\n".to_string(),
                });
                out.status = 2;
            }
            _ => {}
        }
    }

    pub fn script(&mut self, script: &str, out: &mut Process) {
        for (join, command) in split_list(script) {
            let run = match join {
                Join::Always => true,
                Join::IfSucceeded => out.status == 0,
                Join::IfFailed => out.status != 0,
            };
            if !run {
                continue;
            }
            let command = self.expand(&command, out.status);
            let words = match split_command_line(&command) {
                Ok(words) => words,
                Err(_) => {
                    self.shell_error(out, "Syntax error: Unterminated quoted string", 2);
                    return;
                }
            };
            if words.first().map(String::as_str) == Some("exit") {
                out.status = words
                    .get(1)
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(out.status);
                self.exited = Some(out.status);
                return;
            }
            self.simple_command(&words, out);
        }
    }

    /// Parameter expansion and command substitution, outside single quotes: `$(cmd)`, `${NAME}`, `$NAME`
    /// and `$?`. The variables are the few a container's shell has without a pod env: HOSTNAME (what
    /// `hostname` prints), HOME, PWD; anything else is unset and expands to nothing.
    fn expand(&mut self, command: &str, last_status: i32) -> String {
        let mut expanded = String::new();
        let mut in_single = false;
        let mut chars = command.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                in_single = !in_single;
                expanded.push(c);
                continue;
            }
            if c != '$' || in_single {
                expanded.push(c);
                continue;
            }
            match chars.peek().copied() {
                Some('(') => {
                    chars.next();
                    let inner = take_until_close(&mut chars, '(', ')');
                    let mut sub = Process::default();
                    self.script(&inner, &mut sub);
                    expanded.push_str(sub.stdout.trim_end_matches('\n'));
                }
                Some('{') => {
                    chars.next();
                    let name = take_until_close(&mut chars, '{', '}');
                    expanded.push_str(&self.variable(&name, last_status));
                }
                Some('?') => {
                    chars.next();
                    expanded.push_str(&last_status.to_string());
                }
                Some(n) if n.is_ascii_alphabetic() || n == '_' => {
                    let mut name = String::new();
                    while let Some(&n) = chars
                        .peek()
                        .filter(|n| n.is_ascii_alphanumeric() || **n == '_')
                    {
                        name.push(n);
                        chars.next();
                    }
                    expanded.push_str(&self.variable(&name, last_status));
                }
                _ => expanded.push('$'),
            }
        }
        expanded
    }

    fn variable(&mut self, name: &str, last_status: i32) -> String {
        match name {
            "HOSTNAME" => {
                let mut sub = Process::default();
                self.hostname(&[], &mut sub);
                sub.stdout.trim_end().to_string()
            }
            "HOME" => "/root".into(),
            "PWD" => self.cwd.clone(),
            "?" => last_status.to_string(),
            _ => String::new(),
        }
    }

    /// One command with its redirections.
    fn simple_command(&mut self, words: &[String], out: &mut Process) {
        let mut argv = Vec::new();
        let mut redirect: Option<(String, bool)> = None;
        let mut iter = words.iter();
        while let Some(word) = iter.next() {
            let (append, target) = if let Some(rest) = word.strip_prefix(">>") {
                (true, rest)
            } else if let Some(rest) = word.strip_prefix('>') {
                (false, rest)
            } else {
                argv.push(word.clone());
                continue;
            };
            let target = if target.is_empty() {
                iter.next().cloned().unwrap_or_default()
            } else {
                target.to_string()
            };
            redirect = Some((target, append));
        }
        let mut inner = Process::default();
        match argv.first().map(String::as_str) {
            None => {}
            Some("cd") => self.cd(argv.get(1).map(String::as_str), &mut inner),
            Some(name) if !self.has_program(name) => {
                let message = format!("{name}: not found");
                self.shell_error(&mut inner, &message, 127);
            }
            Some(_) => self.exec(&argv, &mut inner),
        }
        out.stderr.push_str(&inner.stderr);
        out.status = inner.status;
        let Some((target, append)) = redirect else {
            out.stdout.push_str(&inner.stdout);
            return;
        };
        let path = normalize(&self.cwd, &target);
        if let Err(error) = self.fs.write(&path, &inner.stdout, append) {
            let message = match (self.fs.userland, error) {
                (Userland::Debian, FsError::NotFound) => {
                    format!("cannot create {target}: Directory nonexistent")
                }
                (Userland::Debian, _) => format!("cannot create {target}: {}", error.text()),
                (Userland::BusyBox, FsError::NotFound) => {
                    format!("can't create {target}: nonexistent directory")
                }
                (Userland::BusyBox, _) => format!("can't create {target}: {}", error.text()),
            };
            self.shell_error(out, &message, 2);
        }
    }

    /// An error of the shell itself: dash numbers the script line, BusyBox's ash does not.
    fn shell_error(&self, out: &mut Process, message: &str, status: i32) {
        out.stderr.push_str(&match self.fs.userland {
            Userland::Debian => format!("sh: 1: {message}\n"),
            Userland::BusyBox => format!("sh: {message}\n"),
        });
        out.status = status;
    }

    fn cd(&mut self, target: Option<&str>, out: &mut Process) {
        let target = target.unwrap_or("/root");
        let path = normalize(&self.cwd, target);
        match self.fs.entry(&path) {
            Some(Entry::Dir) => self.cwd = path,
            _ => {
                let message = match self.fs.userland {
                    Userland::Debian => format!("cd: can't cd to {target}"),
                    Userland::BusyBox => {
                        format!("cd: can't cd to {target}: No such file or directory")
                    }
                };
                self.shell_error(out, &message, 2);
            }
        }
    }

    /// The programs of the image.
    fn command(&mut self, argv: &[String], out: &mut Process) {
        let args = &argv[1..];
        match basename(&argv[0]) {
            "echo" => echo(args, out),
            "cat" => self.cat(args, out),
            "ls" => self.ls(args, out),
            "touch" => self.touch(args, out),
            "rm" => self.rm(args, out),
            "mkdir" => self.mkdir(args, out),
            "pwd" => out.stdout.push_str(&format!("{}\n", self.cwd)),
            "hostname" => self.hostname(args, out),
            "true" => out.status = 0,
            "false" => out.status = 1,
            "whoami" => out.stdout.push_str("root\n"),
            "date" => out.stdout.push_str(&format!("{}\n", self.now)),
            "nslookup" => self.nslookup(args, out),
            // `has_program` admits only the names above.
            _ => {}
        }
    }

    fn fail(&self, out: &mut Process, program: &str, message: String, status: i32) {
        out.stderr.push_str(&format!("{program}: {message}\n"));
        out.status = status;
    }

    fn cat(&mut self, args: &[String], out: &mut Process) {
        out.status = 0;
        for file in args {
            match self.fs.read(&normalize(&self.cwd, file)) {
                Ok(content) => out.stdout.push_str(&content),
                Err(error) => {
                    let message = match self.fs.userland {
                        Userland::Debian => format!("{file}: {}", error.text()),
                        Userland::BusyBox => format!("can't open '{file}': {}", error.text()),
                    };
                    self.fail(out, "cat", message, 1);
                }
            }
        }
    }

    fn ls(&mut self, args: &[String], out: &mut Process) {
        let (flags, paths): (Vec<&String>, Vec<&String>) =
            args.iter().partition(|a| a.starts_with('-'));
        let all = flags.iter().any(|f| f.contains('a'));
        let paths: Vec<String> = if paths.is_empty() {
            vec![".".into()]
        } else {
            paths.into_iter().cloned().collect()
        };
        out.status = 0;
        let many = paths.len() > 1;
        let mut listings = Vec::new();
        for path in &paths {
            let absolute = normalize(&self.cwd, path);
            match self.fs.entry(&absolute) {
                None => {
                    let message = match self.fs.userland {
                        Userland::Debian => {
                            format!("cannot access '{path}': No such file or directory")
                        }
                        Userland::BusyBox => format!("{path}: No such file or directory"),
                    };
                    let status = if self.fs.userland == Userland::Debian {
                        2
                    } else {
                        1
                    };
                    self.fail(out, "ls", message, status);
                }
                Some(Entry::Dir) => {
                    let mut names = self.fs.list(&absolute).unwrap_or_default();
                    if all {
                        names.splice(0..0, [".".to_string(), "..".to_string()]);
                    }
                    listings.push((Some(path.clone()), names));
                }
                Some(_) => listings.push((None, vec![path.clone()])),
            }
        }
        let blocks: Vec<String> = listings
            .into_iter()
            .map(|(dir, names)| {
                let body = self.columns(&names);
                match dir {
                    Some(dir) if many => format!("{dir}:\n{body}"),
                    _ => body,
                }
            })
            .collect();
        out.stdout.push_str(&blocks.join("\n"));
    }

    /// One name per line when piped; in a row on a terminal.
    fn columns(&self, names: &[String]) -> String {
        if names.is_empty() {
            return String::new();
        }
        if self.tty {
            format!("{}\n", names.join("  "))
        } else {
            names.iter().map(|n| format!("{n}\n")).collect()
        }
    }

    fn touch(&mut self, args: &[String], out: &mut Process) {
        out.status = 0;
        for file in args.iter().filter(|a| !a.starts_with('-')) {
            let path = normalize(&self.cwd, file);
            if self.fs.entry(&path).is_some() {
                continue;
            }
            if let Err(error) = self.fs.write(&path, "", false) {
                let message = match self.fs.userland {
                    Userland::Debian => format!("cannot touch '{file}': {}", error.text()),
                    Userland::BusyBox => format!("{file}: {}", error.text()),
                };
                self.fail(out, "touch", message, 1);
            }
        }
    }

    fn rm(&mut self, args: &[String], out: &mut Process) {
        let (flags, files): (Vec<&String>, Vec<&String>) =
            args.iter().partition(|a| a.starts_with('-'));
        let recursive = flags.iter().any(|f| f.contains('r') || f.contains('R'));
        let force = flags.iter().any(|f| f.contains('f'));
        out.status = 0;
        for file in files {
            let path = normalize(&self.cwd, file);
            match self.fs.remove(&path, recursive) {
                Ok(()) => {}
                Err(FsError::NotFound) if force => {}
                Err(error) => {
                    let message = match (self.fs.userland, error) {
                        (Userland::Debian, _) => {
                            format!("cannot remove '{file}': {}", error.text())
                        }
                        (Userland::BusyBox, FsError::IsADirectory) => {
                            format!("'{file}' is a directory")
                        }
                        (Userland::BusyBox, _) => {
                            format!("can't remove '{file}': {}", error.text())
                        }
                    };
                    self.fail(out, "rm", message, 1);
                }
            }
        }
    }

    fn mkdir(&mut self, args: &[String], out: &mut Process) {
        let (flags, dirs): (Vec<&String>, Vec<&String>) =
            args.iter().partition(|a| a.starts_with('-'));
        let parents = flags.iter().any(|f| f.contains('p'));
        out.status = 0;
        for dir in dirs {
            if let Err(error) = self.fs.mkdir(&normalize(&self.cwd, dir), parents) {
                let message = match self.fs.userland {
                    Userland::Debian => {
                        format!("cannot create directory '{dir}': {}", error.text())
                    }
                    Userland::BusyBox => {
                        format!("can't create directory '{dir}': {}", error.text())
                    }
                };
                self.fail(out, "mkdir", message, 1);
            }
        }
    }

    /// `hostname`, and `hostname -f`, which resolves the name through `/etc/hosts` as the kubelet wrote it.
    fn hostname(&mut self, args: &[String], out: &mut Process) {
        let name = match args.first().map(String::as_str) {
            Some("-f" | "--fqdn" | "--long") => self
                .fs
                .fqdn
                .clone()
                .unwrap_or_else(|| self.fs.hostname.clone()),
            Some("-s" | "--short") | None => self.fs.hostname.clone(),
            Some(other) => {
                self.fail(
                    out,
                    "hostname",
                    format!("invalid option -- '{}'", other.trim_start_matches('-')),
                    1,
                );
                return;
            }
        };
        out.stdout.push_str(&format!("{name}\n"));
    }

    /// BusyBox 1.28's `nslookup`: the server, then every address with the name it maps back to.
    fn nslookup(&mut self, args: &[String], out: &mut Process) {
        let Some(query) = args.first() else {
            out.stderr.push_str("BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n");
            out.status = 1;
            return;
        };
        out.stdout.push_str(&format!(
            "Server:    {DNS_SERVICE_IP}\nAddress 1: {DNS_SERVICE_IP} kube-dns.kube-system.svc.{CLUSTER_DOMAIN}\n\n"
        ));
        match resolve(self.store, query, &self.fs.namespace) {
            Some(addresses) if !addresses.is_empty() => {
                out.stdout.push_str(&format!("Name:      {query}\n"));
                for (index, address) in addresses.iter().enumerate() {
                    let name = address
                        .name
                        .as_ref()
                        .map(|n| format!(" {n}"))
                        .unwrap_or_default();
                    out.stdout
                        .push_str(&format!("Address {}: {}{name}\n", index + 1, address.ip));
                }
                out.status = 0;
            }
            _ => {
                out.stderr
                    .push_str(&format!("nslookup: can't resolve '{query}'\n"));
                out.status = 1;
            }
        }
    }
}

pub fn basename(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

pub fn is_shell(program: &str) -> bool {
    matches!(basename(program), "sh" | "bash" | "ash")
}

fn echo(args: &[String], out: &mut Process) {
    let (newline, words) = match args.first().map(String::as_str) {
        Some("-n") => (false, &args[1..]),
        _ => (true, args),
    };
    out.stdout.push_str(&words.join(" "));
    if newline {
        out.stdout.push('\n');
    }
    out.status = 0;
}

/// The text up to the bracket that closes an opening one already consumed, nested pairs included.
fn take_until_close(
    chars: &mut std::iter::Peekable<std::str::Chars>,
    open: char,
    close: char,
) -> String {
    let mut depth = 1;
    let mut text = String::new();
    for c in chars.by_ref() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                break;
            }
        }
        text.push(c);
    }
    text
}

/// Splits a script at `;`, `&&`, `||` and newlines outside quotes.
fn split_list(script: &str) -> Vec<(Join, String)> {
    let mut commands = Vec::new();
    let mut current = String::new();
    let mut join = Join::Always;
    let mut quote: Option<char> = None;
    // Inside `$( … )` the separators belong to the substituted command.
    let mut substitution_depth = 0usize;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        if quote != Some('\'') {
            if c == '$' && chars.peek() == Some(&'(') {
                substitution_depth += 1;
                current.push(c);
                current.push(chars.next().expect("peeked"));
                continue;
            }
            if c == ')' && substitution_depth > 0 {
                substitution_depth -= 1;
                current.push(c);
                continue;
            }
        }
        if substitution_depth > 0 {
            current.push(c);
            continue;
        }
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, ';' | '\n') => {
                commands.push((join, std::mem::take(&mut current)));
                join = Join::Always;
            }
            (None, '&') if chars.peek() == Some(&'&') => {
                chars.next();
                commands.push((join, std::mem::take(&mut current)));
                join = Join::IfSucceeded;
            }
            (None, '|') if chars.peek() == Some(&'|') => {
                chars.next();
                commands.push((join, std::mem::take(&mut current)));
                join = Join::IfFailed;
            }
            (None, c) => current.push(c),
        }
    }
    commands.push((join, current));
    commands
        .into_iter()
        .filter(|(_, command)| !command.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_outside_quotes() {
        let parts = split_list("cd /tmp && echo 'a;b' > f; cat f || echo no");
        let joins: Vec<Join> = parts.iter().map(|(j, _)| *j).collect();
        assert_eq!(
            joins,
            [
                Join::Always,
                Join::IfSucceeded,
                Join::Always,
                Join::IfFailed
            ]
        );
        assert_eq!(parts[1].1.trim(), "echo 'a;b' > f");
    }
}
