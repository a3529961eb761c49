//! Command-line flags as kubectl's cobra/pflag parser reads them: `--name=value`, `--name value` for flags
//! that take a value, `-x value`, grouped boolean shorthands (`-it`), and `--` ending the flags.

use super::CommandOutput;

/// Every flag this subset knows, and whether it takes a value. Each command then says which it accepts.
const FLAGS: &[(&str, bool)] = &[
    ("-A", false),
    ("--all-namespaces", false),
    ("--cascade", true),
    ("--chunk-size", true),
    ("--cluster-ip", true),
    ("-c", true),
    ("--container", true),
    ("--delete-emptydir-data", false),
    ("--dry-run", true),
    ("-f", true),
    ("--filename", true),
    ("--field-selector", true),
    ("--for", true),
    ("--force", false),
    ("--grace-period", true),
    ("-i", false),
    ("--stdin", false),
    ("--ignore-daemonsets", false),
    ("--image", true),
    ("-l", true),
    ("--labels", true),
    ("-L", true),
    ("--label-columns", true),
    ("--selector", true),
    ("-n", true),
    ("--name", true),
    ("--namespace", true),
    ("-o", true),
    ("--output", true),
    ("--overwrite", false),
    ("-p", true),
    ("--patch", true),
    ("--port", true),
    ("--protocol", true),
    ("--replicas", true),
    ("--restart", true),
    ("--revision", true),
    ("--rm", false),
    ("--show-labels", false),
    ("--no-headers", false),
    ("--timeout", true),
    ("--to-revision", true),
    ("-t", false),
    ("--target-port", true),
    ("--tty", false),
    ("--type", true),
    ("--wait", false),
    ("-w", false),
    ("--watch", false),
    ("--watch-only", false),
];

/// Flags a command defines for itself, over the meaning the others give them: `logs -f` is `--follow`, a
/// boolean, where `-f` is `--filename` elsewhere.
const BOOLEAN_IN: &[(&str, &str)] = &[("logs", "-f")];

/// Whether `name` takes a value in the command `verb` (not known yet while the flags before it are read).
fn takes_value(name: &str, verb: Option<&str>) -> bool {
    if BOOLEAN_IN
        .iter()
        .any(|(command, flag)| Some(*command) == verb && *flag == name)
    {
        return false;
    }
    FLAGS.iter().any(|(flag, value)| *flag == name && *value)
}

/// Flags and positional arguments of one command line.
#[derive(Debug, Default)]
pub struct Args {
    pub positional: Vec<String>,
    pub flags: Vec<(String, Option<String>)>,
    /// The words after `--`: the command `exec` and `run` start in the container.
    pub command: Vec<String>,
}

impl Args {
    pub fn parse(words: &[String]) -> Result<Args, CommandOutput> {
        let mut args = Args::default();
        let mut iter = words.iter();
        while let Some(word) = iter.next() {
            if word == "--" {
                args.command.extend(iter.by_ref().cloned());
                break;
            }
            let verb = args.positional.first().cloned();
            if let Some(long) = word.strip_prefix("--").filter(|w| !w.is_empty()) {
                args.push_long(long, verb.as_deref(), &mut iter)?;
            } else if let Some(short) = word.strip_prefix('-').filter(|w| !w.is_empty()) {
                args.push_short(short, verb.as_deref(), &mut iter)?;
            } else {
                args.positional.push(word.clone());
            }
        }
        Ok(args)
    }

    fn push_long<'a>(
        &mut self,
        long: &str,
        verb: Option<&str>,
        rest: &mut impl Iterator<Item = &'a String>,
    ) -> Result<(), CommandOutput> {
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (format!("--{name}"), Some(value.to_string())),
            None => (format!("--{long}"), None),
        };
        let value = match inline {
            Some(value) => Some(value),
            None if takes_value(&name, verb) => Some(rest.next().cloned().ok_or_else(|| {
                CommandOutput::error(format!("error: flag needs an argument: --{}", &name[2..]))
            })?),
            None => None,
        };
        self.flags.push((name, value));
        Ok(())
    }

    /// `-n default`, `-ndefault`, `-n=default`, and grouped booleans such as `-it`.
    fn push_short<'a>(
        &mut self,
        short: &str,
        verb: Option<&str>,
        rest: &mut impl Iterator<Item = &'a String>,
    ) -> Result<(), CommandOutput> {
        for (index, letter) in short.char_indices() {
            let name = format!("-{letter}");
            let tail = &short[index + letter.len_utf8()..];
            if !takes_value(&name, verb) {
                self.flags.push((name, None));
                continue;
            }
            let value = match tail.strip_prefix('=').unwrap_or(tail) {
                "" => rest.next().cloned().ok_or_else(|| {
                    CommandOutput::error(format!(
                        "error: flag needs an argument: '{letter}' in -{letter}"
                    ))
                })?,
                inline => inline.to_string(),
            };
            self.flags.push((name, Some(value)));
            return Ok(());
        }
        Ok(())
    }

    /// Every value given for any of `names`, in order: for flags that may be repeated.
    pub fn values(&self, names: &[&str]) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(name, _)| names.contains(&name.as_str()))
            .filter_map(|(_, value)| value.as_deref())
            .collect()
    }

    /// The last value given for any of `names`.
    pub fn value(&self, names: &[&str]) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| names.contains(&n.as_str()))
            .and_then(|(_, v)| v.as_deref())
    }

    /// The last value of an integer flag, read as pflag reads it (`strconv.ParseInt`); a value it cannot read
    /// is `command`'s usage error.
    pub fn integer(&self, command: &str, flag: &str) -> Result<Option<i64>, CommandOutput> {
        let Some(text) = self.value(&[flag]) else {
            return Ok(None);
        };
        text.parse::<i64>().map(Some).map_err(|error| {
            let why = match error.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    "value out of range"
                }
                _ => "invalid syntax",
            };
            CommandOutput::error(format!(
                "error: invalid argument \"{text}\" for \"{flag}\" flag: strconv.ParseInt: parsing \"{text}\": {why}\nSee 'kubectl {command} --help' for usage."
            ))
        })
    }

    /// Whether a boolean flag is on: given bare or as `=true`.
    pub fn has(&self, names: &[&str]) -> bool {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| names.contains(&n.as_str()))
            .is_some_and(|(_, v)| v.as_deref().is_none_or(|v| v == "true"))
    }

    /// `--timeout` as a duration (`30s`, `5m`), `None` when absent or 0: kubectl's "no timeout of my own".
    pub fn timeout(&self) -> Result<Option<crate::time::SimTime>, CommandOutput> {
        let timeout = self
            .value(&["--timeout"])
            .map(crate::time::parse_duration)
            .transpose()
            .map_err(|error| {
                CommandOutput::error(format!(
                    "error: invalid argument for \"--timeout\" flag: {error}"
                ))
            })?;
        Ok(timeout.filter(|t| t.0 > 0))
    }

    /// pflag's error for the first flag `command` does not define.
    pub fn reject_unknown(&self, command: &str, known: &[&str]) -> Result<(), CommandOutput> {
        const GLOBAL: &[&str] = &["-n", "--namespace"];
        let Some((name, _)) = self
            .flags
            .iter()
            .find(|(name, _)| !known.contains(&name.as_str()) && !GLOBAL.contains(&name.as_str()))
        else {
            return Ok(());
        };
        let message = match name.strip_prefix("--") {
            Some(_) => format!("error: unknown flag: {name}"),
            None => format!("error: unknown shorthand flag: '{}' in {name}", &name[1..]),
        };
        Err(CommandOutput::error(format!(
            "{message}\nSee 'kubectl {command} --help' for usage."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Args {
        let words: Vec<String> = line.split_whitespace().map(String::from).collect();
        Args::parse(&words).unwrap()
    }

    #[test]
    fn values_attach_in_every_form() {
        let args = parse("get pods -n kube-system --output=wide -lapp=web");
        assert_eq!(args.positional, ["get", "pods"]);
        assert_eq!(args.value(&["-n"]), Some("kube-system"));
        assert_eq!(args.value(&["-o", "--output"]), Some("wide"));
        assert_eq!(args.value(&["-l"]), Some("app=web"));
    }

    #[test]
    fn grouped_shorthands_and_the_command_after_dashes() {
        let args = parse("exec -it web-0 -- sh -c ls");
        assert!(args.has(&["-i"]) && args.has(&["-t"]));
        assert_eq!(args.positional, ["exec", "web-0"]);
        assert_eq!(args.command, ["sh", "-c", "ls"]);
    }

    #[test]
    fn unknown_flags_get_pflags_message() {
        let args = parse("get pods --bogus");
        let error = args.reject_unknown("get", &["-o"]).unwrap_err();
        assert_eq!(
            error.stderr,
            "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"
        );
    }
}
