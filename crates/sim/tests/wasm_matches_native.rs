//! The wasm build against the native CLI. scripts/test.sh runs `ordinal run --output jsonl` natively on every
//! example, writes what it printed to $ORDINAL_NATIVE_JSONL with an index of the examples, and then runs this
//! test compiled to wasm in headless Chromium: each example must give the same JSONL there, byte for byte.
#![cfg(target_arch = "wasm32")]

use ordinal_sim::Scenario;
use wasm_bindgen_test::wasm_bindgen_test as test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `(name, scenario file, native JSONL)` for every example, as scripts/test.sh listed them.
const EXAMPLES: &[(&str, &str, &str)] =
    include!(concat!(env!("ORDINAL_NATIVE_JSONL"), "/examples.rs"));

fn jsonl(scenario: &str) -> String {
    let mut out = String::new();
    Scenario::parse(scenario).unwrap().run(|record| {
        out.push_str(&record.to_json_line());
        out.push('\n');
    });
    out
}

#[test]
fn every_example_gives_the_native_clis_jsonl_in_the_browser() {
    assert!(EXAMPLES.len() >= 14, "the index lists every example");
    for (name, scenario, native) in EXAMPLES {
        let browser = jsonl(scenario);
        if browser != *native {
            let line = browser
                .lines()
                .zip(native.lines())
                .position(|(b, n)| b != n)
                .unwrap_or_else(|| browser.lines().count().min(native.lines().count()));
            panic!(
                "{name}: the wasm build differs from the native CLI at line {}:\n  wasm:   {}\n  native: {}",
                line + 1,
                browser.lines().nth(line).unwrap_or("(end)"),
                native.lines().nth(line).unwrap_or("(end)")
            );
        }
    }
}
