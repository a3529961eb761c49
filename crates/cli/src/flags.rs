//! The arguments of `ordinal console` and `ordinal serve-api`: flags that each take a value (`--flag value` or
//! `--flag=value`), and at most one positional argument, the scenario file.

/// Reads `args`: each flag of `known` goes with its value to `set`; the positional argument is returned.
pub fn parse(
    args: &[String],
    known: &[&str],
    mut set: impl FnMut(&str, String) -> Result<(), String>,
) -> Result<Option<String>, String> {
    let mut scenario = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if !arg.starts_with('-') {
            if scenario.is_some() {
                return Err("give one scenario file".into());
            }
            scenario = Some(arg.clone());
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        if !known.contains(&name) {
            return Err(format!("unknown flag {name:?}"));
        }
        let value = inline
            .or_else(|| iter.next().cloned())
            .ok_or(format!("{name} needs a value"))?;
        set(name, value)?;
    }
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_take_their_value_either_way_and_one_file_stands_alone() {
        let mut seen = Vec::new();
        let file = parse(
            &words("--a 1 web.yaml --b=2"),
            &["--a", "--b"],
            |name, value| {
                seen.push(format!("{name}={value}"));
                Ok(())
            },
        );
        assert_eq!(file, Ok(Some("web.yaml".into())));
        assert_eq!(seen, ["--a=1", "--b=2"]);
        let ignore = |_: &str, _: String| Ok(());
        assert_eq!(
            parse(&words("--c 1"), &["--a"], ignore),
            Err("unknown flag \"--c\"".into())
        );
        assert_eq!(
            parse(&words("--a"), &["--a"], ignore),
            Err("--a needs a value".into())
        );
        assert_eq!(
            parse(&words("x y"), &[], ignore),
            Err("give one scenario file".into())
        );
    }
}
