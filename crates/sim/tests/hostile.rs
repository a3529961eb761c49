//! Input pasted by a stranger: every limit answers with a message that names it, at once, and nothing panics.

use k8s_openapi::api::core::v1::Pod;
use ordinal_sim::kubectl::run;
use ordinal_sim::kubectl::Apply;
use ordinal_sim::limits::{
    MAX_COMMAND_BYTES, MAX_DOCUMENTS, MAX_FLOW_DEPTH, MAX_MANIFEST_BYTES, MAX_REPLICAS,
};
use ordinal_sim::{Cluster, ClusterConfig, ObjectKey, Scenario, SimTime};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const WEB: &str = include_str!("../../../examples/web.yaml");

fn web_manifests() -> String {
    Scenario::parse(WEB).unwrap().manifests
}

fn refusal(manifest: &str) -> String {
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(manifest).unwrap_err().message
}

/// Nine anchors of nine references each: a billion strings once expanded.
fn billion_laughs() -> String {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n");
    text.push_str("  a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for (previous, name) in ('a'..='h').zip('b'..='i') {
        let refs = vec![format!("*{previous}"); 9].join(", ");
        text.push_str(&format!("  {name}: &{name} [{refs}]\n"));
    }
    text
}

#[test]
fn a_billion_laughs_is_refused_before_it_expands() {
    assert!(
        refusal(&billion_laughs()).contains("repetition limit exceeded"),
        "{}",
        refusal(&billion_laughs())
    );
}

#[test]
fn deep_nesting_is_refused_before_the_parser_sees_it() {
    let deep = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        refusal(&deep),
        format!("error: line 1: collections nested more than {MAX_FLOW_DEPTH} deep")
    );
    let scenario = format!("name: deep\nx: {}\n", "{a: ".repeat(MAX_FLOW_DEPTH + 1));
    assert!(Scenario::parse(&scenario)
        .unwrap_err()
        .to_string()
        .contains("nested more than"));
}

#[test]
fn a_manifest_too_big_or_with_too_many_documents_is_refused() {
    let big = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: \"{}\"\n",
        "x".repeat(MAX_MANIFEST_BYTES)
    );
    assert!(
        refusal(&big).starts_with("error: the manifest is 1048"),
        "{}",
        refusal(&big)
    );
    let many: String = (0..=MAX_DOCUMENTS)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"))
        .collect();
    assert_eq!(
        refusal(&many),
        format!(
            "error: the manifest has {} documents, more than this playground's limit of {MAX_DOCUMENTS}",
            MAX_DOCUMENTS + 1
        )
    );
}

#[test]
fn replicas_beyond_what_the_core_simulates_are_invalid_whichever_way_they_come() {
    let mut cluster = Cluster::new(ClusterConfig::default());
    let too_many = web_manifests().replace("replicas: 3", &format!("replicas: {}", i32::MAX));
    let outcomes = cluster.apply(&too_many).unwrap();
    let refused = outcomes[1].result.as_ref().unwrap_err();
    assert!(
        refused.ends_with(&format!(
            "spec.replicas: Invalid value: {}: this playground simulates at most {MAX_REPLICAS} replicas",
            i32::MAX
        )),
        "{refused}"
    );
    cluster.apply(&web_manifests()).unwrap();
    let scaled = run(
        &mut cluster,
        &format!("kubectl scale sts web --replicas={}", MAX_REPLICAS + 1),
        "",
    );
    assert_eq!(scaled.exit_code, 1);
    assert!(
        scaled.stderr.contains("at most 5000 replicas"),
        "{}",
        scaled.stderr
    );
}

#[test]
fn a_command_line_too_long_is_refused() {
    let mut cluster = Cluster::new(ClusterConfig::default());
    let line = format!("kubectl get pods {}", "x".repeat(MAX_COMMAND_BYTES));
    let output = run(&mut cluster, &line, "");
    assert_eq!(output.exit_code, 1);
    assert!(
        output.stderr.starts_with("error: the command line is "),
        "{}",
        output.stderr
    );
}

#[test]
fn a_grace_period_of_i64_max_saturates_instead_of_overflowing() {
    let mut cluster = Cluster::new(ClusterConfig::default());
    let forever = web_manifests().replace(
        "      containers:",
        "      terminationGracePeriodSeconds: 9223372036854775807\n      containers:",
    );
    for outcome in cluster.apply(&forever).unwrap() {
        outcome.result.unwrap();
    }
    cluster.run_until(SimTime::from_secs(60));
    let uid = |cluster: &Cluster| {
        cluster
            .store()
            .get::<Pod>(&ObjectKey::new("default", "web-0"))
            .and_then(|p| p.metadata.uid.clone())
    };
    let before = uid(&cluster);
    assert_eq!(
        run(&mut cluster, "kubectl delete pod web-0 --wait=false", "").exit_code,
        0
    );
    // nginx stops on SIGTERM long before the grace period ends: web-0 goes and comes back.
    cluster.run_until(SimTime::from_secs(3600));
    let after = uid(&cluster);
    assert!(
        after.is_some() && after != before,
        "{before:?} then {after:?}"
    );
    assert!(cluster.now() <= SimTime::END);
}

#[test]
fn a_name_that_is_not_a_name_is_refused_on_every_path_that_creates() {
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster.apply(&web_manifests()).unwrap();
    cluster.run_until(SimTime::from_secs(30));
    let markup = r#"x"><img src=x onerror=alert(1)>"#;
    let run_pod = run(
        &mut cluster,
        &format!("kubectl run '{markup}' --image=busybox"),
        "",
    );
    assert_eq!(
        run_pod.stderr,
        format!(
            "The Pod \"{markup}\" is invalid: metadata.name: Invalid value: \"{markup}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
        )
    );
    let exposed = run(&mut cluster, "kubectl expose pod web-0 --name=0web", "");
    assert!(
        exposed.stderr.starts_with("The Service \"0web\" is invalid: metadata.name: Invalid value: \"0web\": a DNS-1035 label"),
        "{}",
        exposed.stderr
    );
    let manifest = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: '{markup}'\n");
    let outcomes = cluster.apply(&manifest).unwrap();
    assert!(outcomes[0].result.is_err());
}
