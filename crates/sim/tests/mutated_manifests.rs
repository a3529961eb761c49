//! proptest over the apply path: the course notes' `web` manifests with any of their fields replaced by any
//! value (numbers at the ends of their range, strings that are not names, nulls, lists where maps belong),
//! applied and simulated for a minute, then scaled to any number. Whatever is refused must be refused with a
//! message; nothing may panic.
#![cfg(not(target_arch = "wasm32"))]

use ordinal_sim::kubectl::Apply;
use ordinal_sim::{kubectl, Cluster, ClusterConfig, Scenario, SimTime};
use proptest::prelude::*;
use serde_json::Value;

const WEB: &str = include_str!("../../../examples/web.yaml");

/// The manifests as JSON documents, and the path of every leaf in them.
fn documents() -> (Vec<Value>, Vec<(usize, Vec<String>)>) {
    let manifests = Scenario::parse(WEB).unwrap().manifests;
    let documents: Vec<Value> = manifests
        .split("\n---\n")
        .map(|text| serde_yaml_ng::from_str(text).unwrap())
        .collect();
    let mut leaves = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        collect_leaves(document, &mut Vec::new(), &mut |path| {
            leaves.push((index, path))
        });
    }
    (documents, leaves)
}

fn collect_leaves(value: &Value, path: &mut Vec<String>, found: &mut impl FnMut(Vec<String>)) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => {
            found(path.clone());
            return;
        }
    };
    for (key, child) in children {
        path.push(key);
        collect_leaves(child, path, found);
        path.pop();
    }
}

fn replace(document: &mut Value, path: &[String], with: Value) {
    let mut at = document;
    for key in path {
        at = match at {
            Value::Object(map) => map.get_mut(key).unwrap(),
            Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
            _ => unreachable!("collect_leaves only descends into maps and lists"),
        };
    }
    *at = with;
}

fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(i64::from(i32::MAX)),
            Just(i64::from(i32::MIN)),
            Just(-1),
            Just(0)
        ]
        .prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z0-9.-]{0,70}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_field_replaced_by_any_value_is_applied_or_refused(
        picks in prop::collection::vec((any::<prop::sample::Index>(), any_value()), 1..4),
        replicas in prop_oneof![any::<i64>(), -2i64..8],
    ) {
        let (mut documents, leaves) = documents();
        for (pick, value) in picks {
            let (document, path) = pick.get(&leaves);
            replace(&mut documents[*document], path, value);
        }
        let manifest = documents.iter().map(Value::to_string).collect::<Vec<_>>().join("\n---\n");
        let mut cluster = Cluster::new(ClusterConfig::default());
        if let Ok(outcomes) = cluster.apply(&manifest) {
            for outcome in outcomes {
                if let Err(refusal) = outcome.result {
                    prop_assert!(!refusal.trim().is_empty());
                }
            }
        }
        cluster.run_until(SimTime::from_secs(60));
        kubectl::run(&mut cluster, &format!("kubectl scale sts web --replicas={replicas}"), "");
        cluster.run_until(SimTime::from_secs(120));
        prop_assert_eq!(kubectl::run(&mut cluster, "kubectl get pods,pvc,sts", "").exit_code, 0);
    }
}
