//! `-o yaml`, as kubectl's YAMLPrinter writes an object: sigs.k8s.io/yaml's JSONToYAML, which decodes the
//! JSON and encodes it with go-yaml v2. What that encoder decides, this decides the same way:
//!
//! - map keys in go-yaml's order (`keyList.Less`: letters by code point, digit runs by value, other
//!   characters before letters);
//! - a string that would read back as something else (a number, a boolean, null, a timestamp, a base-60
//!   float) in double quotes; one the emitter cannot write plain (`: ` inside, a leading `-`, `*`, `#`...) in
//!   single quotes; one with a line break as a literal block (`|`, `|-`, `|+`); one with characters YAML cannot
//!   print in double quotes with escapes;
//! - a sequence inside a mapping not indented (`key:` then `- item` at the key's column);
//! - long scalars folded at a space once the line is past 80 columns, the rest indented two more.

use serde_json::Value;

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

/// The YAML document kubectl prints for `value`, ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut emitter = Emitter::default();
    match value {
        Value::Object(map) if !map.is_empty() => emitter.mapping(map, 0),
        Value::Array(items) if !items.is_empty() => emitter.sequence(items, 0),
        scalar => {
            emitter.scalar(scalar, BEST_INDENT);
        }
    }
    if !emitter.out.ends_with('\n') {
        emitter.out.push('\n');
    }
    emitter.out
}

#[derive(Default)]
struct Emitter {
    out: String,
    /// Characters written on the current line.
    column: usize,
}

impl Emitter {
    fn write(&mut self, text: &str) {
        self.out.push_str(text);
        self.column += text.chars().count();
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Pads the line to `indent`, on a new line if the cursor is past it.
    fn indent(&mut self, indent: usize) {
        if self.column > indent {
            self.newline();
        }
        while self.column < indent {
            self.write(" ");
        }
    }

    /// The next entry's line: a new one, unless the last scalar ended with its own line break.
    fn next_line(&mut self, indent: usize) {
        if !self.out.ends_with('\n') {
            self.newline();
        }
        self.indent(indent);
    }

    /// A block mapping whose keys stand at column `indent`; the cursor is at the first key's place.
    fn mapping(&mut self, map: &serde_json::Map<String, Value>, indent: usize) {
        let mut keys: Vec<&String> = map.keys().collect();
        sort_keys(&mut keys);
        for (i, key) in keys.into_iter().enumerate() {
            if i > 0 {
                self.next_line(indent);
            }
            self.key(key);
            self.write(":");
            self.node(&map[key], indent, Parent::Mapping);
        }
    }

    /// A block sequence whose dashes stand at column `indent`; the cursor is at the first dash's place.
    fn sequence(&mut self, items: &[Value], indent: usize) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.next_line(indent);
            }
            self.write("-");
            self.node(item, indent, Parent::Sequence);
        }
    }

    /// A value after `key:` or `-`, its parent's entries at column `indent`.
    fn node(&mut self, value: &Value, indent: usize, parent: Parent) {
        match value {
            Value::Object(map) if !map.is_empty() => match parent {
                Parent::Mapping => {
                    self.newline();
                    self.indent(indent + BEST_INDENT);
                    self.mapping(map, indent + BEST_INDENT);
                }
                Parent::Sequence => {
                    self.write(" ");
                    self.mapping(map, indent + BEST_INDENT);
                }
            },
            Value::Array(items) if !items.is_empty() => match parent {
                // go-yaml does not indent a sequence inside a mapping.
                Parent::Mapping => {
                    self.newline();
                    self.indent(indent);
                    self.sequence(items, indent);
                }
                Parent::Sequence => {
                    self.write(" ");
                    self.sequence(items, indent + BEST_INDENT);
                }
            },
            Value::Object(_) => self.write(" {}"),
            Value::Array(_) => self.write(" []"),
            scalar => {
                self.write(" ");
                self.scalar(scalar, indent + BEST_INDENT);
            }
        }
    }

    /// A mapping key: never folded, never a block.
    fn key(&mut self, key: &str) {
        match string_style(key) {
            Style::Plain => self.write(key),
            Style::Single => self.single_quoted(key, false, 0),
            Style::Double | Style::Literal => self.double_quoted(key, false, 0),
        }
    }

    /// A scalar whose continuation lines are indented to `indent`.
    fn scalar(&mut self, value: &Value, indent: usize) {
        match value {
            Value::Null => self.write("null"),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Number(n) => self.write(&number(n)),
            Value::String(s) => match string_style(s) {
                Style::Plain => self.plain(s, indent),
                Style::Single => self.single_quoted(s, true, indent),
                Style::Double => self.double_quoted(s, true, indent),
                Style::Literal => self.literal(s, indent),
            },
            Value::Array(_) | Value::Object(_) => unreachable!("collections are not scalars"),
        }
    }

    /// Writes `text` word by word, breaking at a single space once the line is past the best width.
    fn folded(
        &mut self,
        text: &str,
        allow_breaks: bool,
        indent: usize,
        escape: impl Fn(char) -> String,
    ) {
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let inside = i > 0 && i + 1 < chars.len();
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && inside
                    && chars[i + 1] != ' '
                {
                    self.newline();
                    self.indent(indent);
                } else {
                    self.write(" ");
                }
                spaces = true;
            } else {
                self.write(&escape(c));
                spaces = false;
            }
        }
    }

    fn plain(&mut self, text: &str, indent: usize) {
        self.folded(text, true, indent, |c| c.to_string());
    }

    fn single_quoted(&mut self, text: &str, allow_breaks: bool, indent: usize) {
        self.write("'");
        self.folded(text, allow_breaks, indent, |c| {
            if c == '\'' {
                "''".into()
            } else {
                c.to_string()
            }
        });
        self.write("'");
    }

    fn double_quoted(&mut self, text: &str, allow_breaks: bool, indent: usize) {
        self.write("\"");
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                {
                    self.newline();
                    self.indent(indent);
                    // A space that starts the next line would be folded away: escape it.
                    if chars[i + 1] == ' ' {
                        self.write("\\");
                    }
                } else {
                    self.write(" ");
                }
                spaces = true;
            } else {
                self.write(&escaped(c));
                spaces = false;
            }
        }
        self.write("\"");
    }

    /// `|`, `|-` or `|+` (and `2` first when the text starts with a space or a break), then each line.
    fn literal(&mut self, text: &str, indent: usize) {
        let mut header = String::from("|");
        if text.starts_with([' ', '\n']) {
            header.push('2');
        }
        let trailing = text.len() - text.trim_end_matches('\n').len();
        match trailing {
            0 => header.push('-'),
            1 if text.len() > 1 => {}
            _ => header.push('+'),
        }
        self.write(&header);
        self.newline();
        let mut at_line_start = true;
        for c in text.chars() {
            if c == '\n' {
                self.newline();
                at_line_start = true;
            } else {
                if at_line_start {
                    self.indent(indent);
                    at_line_start = false;
                }
                self.out.push(c);
                self.column += 1;
            }
        }
        // The text's last break ended the line; what follows starts a new one.
        if text.ends_with('\n') {
            self.column = 0;
        }
    }
}

#[derive(Clone, Copy)]
enum Parent {
    Mapping,
    Sequence,
}

#[derive(Debug, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// How go-yaml v2 writes a string: `encoder.stringv`, then the emitter's `select_scalar_style`.
fn string_style(s: &str) -> Style {
    let analysis = Analysis::of(s);
    let can_use_plain = resolves_to_string(s) && !is_base60_float(s);
    if s.contains('\n') {
        return if analysis.block_allowed {
            Style::Literal
        } else {
            Style::Double
        };
    }
    if !can_use_plain {
        return Style::Double;
    }
    if analysis.block_plain_allowed {
        Style::Plain
    } else if analysis.single_quoted_allowed {
        Style::Single
    } else {
        Style::Double
    }
}

/// `yaml_emitter_analyze_scalar`, for the block context.
struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

impl Analysis {
    fn of(s: &str) -> Analysis {
        if s.is_empty() {
            return Analysis {
                block_plain_allowed: true,
                single_quoted_allowed: true,
                block_allowed: false,
            };
        }
        let chars: Vec<char> = s.chars().collect();
        let mut block_indicators = s.starts_with("---") || s.starts_with("...");
        let (mut leading_space, mut trailing_space, mut leading_break, mut trailing_break) =
            (false, false, false, false);
        let (mut break_space, mut space_break, mut special, mut line_breaks) =
            (false, false, false, false);
        let (mut previous_space, mut previous_break) = (false, false);
        let blank = |c: Option<&char>| matches!(c, None | Some(' ' | '\t' | '\n' | '\r'));
        for (i, &c) in chars.iter().enumerate() {
            let first = i == 0;
            let last = i + 1 == chars.len();
            let followed_by_whitespace = blank(chars.get(i + 1));
            let preceded_by_whitespace = i == 0 || blank(chars.get(i - 1));
            if first {
                if "#,[]{}&*!|>'\"%@`".contains(c) {
                    block_indicators = true;
                }
                if (c == '?' || c == ':' || c == '-') && followed_by_whitespace {
                    block_indicators = true;
                }
            } else {
                if c == ':' && followed_by_whitespace {
                    block_indicators = true;
                }
                if c == '#' && preceded_by_whitespace {
                    block_indicators = true;
                }
            }
            if !printable(c) {
                special = true;
            }
            if c == '\n' {
                line_breaks = true;
            }
            if c == ' ' {
                leading_space |= first;
                trailing_space |= last;
                break_space |= previous_break;
                previous_space = true;
                previous_break = false;
            } else if c == '\n' {
                leading_break |= first;
                trailing_break |= last;
                space_break |= previous_space;
                previous_space = false;
                previous_break = true;
            } else {
                previous_space = false;
                previous_break = false;
            }
        }
        let mut analysis = Analysis {
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
        if leading_space || leading_break || trailing_space || trailing_break {
            analysis.block_plain_allowed = false;
        }
        if trailing_space {
            analysis.block_allowed = false;
        }
        if break_space {
            analysis.block_plain_allowed = false;
            analysis.single_quoted_allowed = false;
        }
        if space_break || special {
            analysis.block_plain_allowed = false;
            analysis.single_quoted_allowed = false;
            analysis.block_allowed = false;
        }
        if line_breaks || block_indicators {
            analysis.block_plain_allowed = false;
        }
        analysis
    }
}

/// go-yaml's `is_printable`: what it writes as it is; anything else is escaped in double quotes.
fn printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}')
        || (('\u{E000}'..='\u{FFFD}').contains(&c) && c != '\u{FEFF}')
}

/// A character inside double quotes: itself, or its escape (`yaml_emitter_write_double_quoted_scalar`).
fn escaped(c: char) -> String {
    if printable(c) && c != '\n' && c != '"' && c != '\\' && c != '\u{FEFF}' {
        return c.to_string();
    }
    match c {
        '\0' => "\\0".into(),
        '\u{07}' => "\\a".into(),
        '\u{08}' => "\\b".into(),
        '\t' => "\\t".into(),
        '\n' => "\\n".into(),
        '\u{0B}' => "\\v".into(),
        '\u{0C}' => "\\f".into(),
        '\r' => "\\r".into(),
        '\u{1B}' => "\\e".into(),
        '"' => "\\\"".into(),
        '\\' => "\\\\".into(),
        '\u{85}' => "\\N".into(),
        '\u{A0}' => "\\_".into(),
        '\u{2028}' => "\\L".into(),
        '\u{2029}' => "\\P".into(),
        c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
        c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
        c => format!("\\U{:08X}", c as u32),
    }
}

/// A JSON number as go-yaml writes the Go value JSON decoding gives: integers as they are, floats with
/// `strconv.FormatFloat(f, 'g', -1, 64)`.
fn number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or_default();
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    go_format_float(f)
}

/// Go's `%g` with the shortest precision: exponent form below 1e-4 and from 1e21 on.
fn go_format_float(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let exponent = f.abs().log10().floor() as i32;
    if (-4..21).contains(&exponent) {
        let text = format!("{f}");
        text.strip_suffix(".0").map_or(text.clone(), str::to_string)
    } else {
        let text = format!("{f:e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    }
}

/// Whether go-yaml's `resolve` reads the plain text back as a string.
fn resolves_to_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no",
        "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null",
        "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF",
    ];
    let hint = s.chars().next();
    match hint {
        None => false,
        Some('y' | 'Y' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' | '~') => {
            !SPECIAL.contains(&s)
        }
        Some('.') => !SPECIAL.contains(&s) && s.parse::<f64>().is_err(),
        Some('+' | '-' | '0'..='9') => {
            if SPECIAL.contains(&s) || is_timestamp(s) {
                return false;
            }
            let plain = s.replace('_', "");
            !(is_go_int(&plain) || is_yaml_float(&plain) || is_binary(&plain))
        }
        Some(_) => true,
    }
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint`: a sign, then decimal, `0x` hex, `0o` or `0` octal, `0b` binary.
fn is_go_int(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (digits, radix) = if let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        (hex, 16)
    } else if let Some(bin) = unsigned
        .strip_prefix("0b")
        .or_else(|| unsigned.strip_prefix("0B"))
    {
        (bin, 2)
    } else if let Some(oct) = unsigned
        .strip_prefix("0o")
        .or_else(|| unsigned.strip_prefix("0O"))
    {
        (oct, 8)
    } else if unsigned.len() > 1 && unsigned.starts_with('0') {
        (&unsigned[1..], 8)
    } else {
        (unsigned, 10)
    };
    !digits.is_empty() && u64::from_str_radix(digits, radix).is_ok()
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

/// `-0b...` and `0b...`, which go-yaml reads as binary integers after ParseInt refused them.
fn is_binary(s: &str) -> bool {
    let digits = s.strip_prefix("-0b").or_else(|| s.strip_prefix("0b"));
    digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b == b'0' || b == b'1'))
}

/// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
fn is_base60_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (body, fraction) = match s.split_once('.') {
        Some((body, fraction)) => (body, Some(fraction)),
        None => (s, None),
    };
    if fraction.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit() || b == b'_')) {
        return false;
    }
    let mut parts = body.split(':');
    let head = parts.next().unwrap_or_default();
    let head_ok = head.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let sixties: Vec<&str> = parts.collect();
    head_ok
        && !sixties.is_empty()
        && sixties.iter().all(|p| {
            let b = p.as_bytes();
            match b.len() {
                1 => b[0].is_ascii_digit(),
                2 => (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit(),
                _ => false,
            }
        })
}

/// go-yaml's `parseTimestamp`: `YYYY-M-D`, optionally `T`/`t`/` ` then `H:M:S[.fraction]`, with a zone
/// (`Z`, `±hh:mm`) after `T` or `t` and none after a space, each as Go's `time.Parse` checks it.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let number = |t: &str, most: usize| -> Option<u32> {
        (!t.is_empty() && t.len() <= most && t.bytes().all(|c| c.is_ascii_digit()))
            .then(|| t.parse().ok())?
    };
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(at) => (&s[..at], Some((s.as_bytes()[at], &s[at + 1..]))),
        None => (s, None),
    };
    let mut fields = date.splitn(3, '-');
    let year = fields.next().and_then(|y| number(y, 4));
    let month = fields.next().and_then(|m| number(m, 2));
    let day = fields.next().and_then(|d| number(d, 2));
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    let Some((separator, time)) = time else {
        return true;
    };
    let (clock, zone) = if separator == b' ' {
        (time, None)
    } else {
        match time.find(['Z', '+', '-']) {
            Some(at) => (&time[..at], Some(&time[at..])),
            None => return false,
        }
    };
    let (clock, fraction) = match clock.split_once('.') {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (clock, None),
    };
    if fraction
        .is_some_and(|f| f.is_empty() || f.len() > 9 || !f.bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    let mut parts = clock.split(':');
    let (Some(h), Some(m), Some(sec), None) = (
        parts.next().and_then(|t| number(t, 2)),
        parts.next().and_then(|t| number(t, 2)),
        parts.next().and_then(|t| number(t, 2)),
        parts.next(),
    ) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    match zone {
        None | Some("Z") => true,
        Some(offset) => {
            let b = offset.as_bytes();
            b.len() == 6
                && b[3] == b':'
                && b[1..3].iter().all(u8::is_ascii_digit)
                && b[4..6].iter().all(u8::is_ascii_digit)
        }
    }
}

/// Keys in go-yaml's order. Its `keyList.Less` is not transitive for some digit runs (`x10y` < `x1y` <
/// `x01y` < `x10y`), where go-yaml's order depends on Go's map iteration and so differs from run to run; an
/// insertion sort (Go's own for up to 12 keys) gives its order wherever there is one, and never fails where
/// there is none, as a sort that trusts its comparison may.
fn sort_keys(keys: &mut [&String]) {
    for i in 1..keys.len() {
        let mut j = i;
        while j > 0 && go_yaml_key_less(keys[j], keys[j - 1]) {
            keys.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// go-yaml's `keyList.Less` for string keys.
fn go_yaml_key_less(a: &str, b: &str) -> bool {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}
