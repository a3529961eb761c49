//! The console's `-o yaml` printer held against the real kubectl's, with no cluster at all: kubectl prints a
//! ConfigMap it builds itself (`create configmap --dry-run=client`) once as JSON and once as YAML; the JSON,
//! given to Ordinal's printer, must come out as the same YAML. The values and keys are the ones a YAML
//! encoder has to decide about: what would read back as another type, what the emitter cannot write plain,
//! line breaks, characters YAML does not print, long lines, and key order.
//!
//! The real kubectl: `$ORDINAL_KUBECTL`, or the machine image's kubectl 1.33 (Google Cloud SDK).

use std::process::Command;

mod common;
use common::real_kubectl;

use ordinal_sim::kubectl::yaml::to_yaml;

fn kubectl_prints(literals: &[(String, String)], output: &str) -> String {
    let mut command = Command::new(real_kubectl());
    command.args([
        "create",
        "configmap",
        "demo",
        "--dry-run=client",
        "-o",
        output,
    ]);
    for (key, value) in literals {
        command.arg(format!("--from-literal={key}={value}"));
    }
    let result = command
        .env("KUBECONFIG", "/dev/null")
        .output()
        .expect("kubectl runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    String::from_utf8(result.stdout).expect("UTF-8")
}

const VALUES: &[&str] = &[
    "plain", "nginx:1.9.1", "with: colon", "trailing:", "- dash", "-", "-1", "+1", "#hash", "a #b", "a#b",
    "123", "0", "08", "017", "0o17", "0x1F", "0b101", "1_000", "1.5", ".5", "1e3", "1.9.1", "true", "True",
    "yes", "y", "n", "on", "off", "~", "null", "Null", ".inf", "-.inf", ".nan", "", " leading", "trailing ",
    "in  between", "2025-01-01", "2025-1-1", "2025-02-30", "2025-01-01T00:00:00Z", "2025-01-01t00:00:00+01:00",
    "2025-01-01 10:20:30", "2025-01-01T10:20", "10:30", "1:20:30.5", "61:00", "it's", "quote\"d",
    "back\\slash", "tab\there", "multi\nline", "multi\nline\n", "multi\nline\n\n", " lead\nx", "\nfirst",
    "a \nb", "unicode é 中文", "emoji 😀", "nbsp\u{a0}x", "*star", "&amp", "!bang", "%pct", "@at", "`tick",
    "'q", "\"dq", "{brace", "[br", "]", ",comma", "?q", "? q", ": c", "key=value", "a,b", "a [b]", "a {b}",
    "<none>", "x & y", "---", "--- x", "...", "a...", "=", "<<",
    "a long message that goes on and on past the eighty columns go-yaml folds plain scalars at, and further",
    "a long message: with a colon so that it is single quoted, and long enough to be folded by the emitter too",
    "a long message that must be double quoted because of a tab\there and is long enough to fold at spaces too",
    "averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongwordwithoutspaces x",
    "two  spaces at the fold point: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  bbbbb ccccc",
    "line one\nline two that is rather long and goes well past the eighty column limit of the emitter ok\n",
];

#[test]
fn values_are_written_as_kubectl_writes_them() {
    let literals: Vec<(String, String)> = VALUES
        .iter()
        .enumerate()
        .map(|(i, value)| (format!("v{i:03}"), value.to_string()))
        .collect();
    let json = kubectl_prints(&literals, "json");
    let yaml = kubectl_prints(&literals, "yaml");
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ours = to_yaml(&value);
    let differing: Vec<String> = yaml
        .lines()
        .zip(ours.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .take(10)
        .map(|(i, (a, b))| format!("line {}:\n  kubectl: {a:?}\n  ordinal: {b:?}", i + 1))
        .collect();
    assert!(differing.is_empty(), "{}", differing.join("\n"));
    assert_eq!(yaml, ours);
}

#[test]
fn keys_are_ordered_and_quoted_as_kubectl_orders_and_quotes_them() {
    let keys = [
        "a", "B", "b", "a2", "a10", "a02", "a_b", "aB", "a.b", "a-b", "_x", "80", "true", "x1y",
        "x10y", "Z", "z", "a0", "a00", "n9", "n09", "n009", "k8s", "k08s",
    ];
    let literals: Vec<(String, String)> =
        keys.iter().map(|k| (k.to_string(), "v".into())).collect();
    let value: serde_json::Value =
        serde_json::from_str(&kubectl_prints(&literals, "json")).unwrap();
    assert_eq!(kubectl_prints(&literals, "yaml"), to_yaml(&value));
}
