//! The kubectl subset against a running cluster: exact output, stderr and exit codes as kubectl 1.34 prints
//! them, checked on the nginx `web` example of the course notes.

use k8s_openapi::api::core::v1::{Pod, Service};
use ordinal_sim::kubectl::{run, CommandOutput};
use ordinal_sim::{Cluster, ObjectKey};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::web_running as web;

fn ok(cluster: &mut Cluster, line: &str) -> String {
    let output = run(cluster, line, "");
    assert_eq!(output.exit_code, 0, "{line}: {}", output.stderr);
    output.stdout
}

fn failed(cluster: &mut Cluster, line: &str) -> CommandOutput {
    let output = run(cluster, line, "");
    assert_ne!(output.exit_code, 0, "{line} should fail: {}", output.stdout);
    output
}

fn advance(cluster: &mut Cluster, secs: u64) {
    let until = cluster.now().plus_secs(secs);
    cluster.run_until(until);
}

#[test]
fn several_types_print_one_table_each_with_kind_prefixed_names() {
    let mut cluster = web();
    let out = ok(&mut cluster, "kubectl get pods,pvc");
    let tables: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(tables.len(), 2);
    assert!(tables[0].starts_with("NAME        READY   STATUS    RESTARTS   AGE\npod/web-0   1/1     Running   0          60s\n"));
    assert!(tables[1].contains("\npersistentvolumeclaim/www-web-0   Bound "));
    let names = ok(&mut cluster, "kubectl get sts,svc -o name");
    assert_eq!(
        names,
        "statefulset.apps/web\nservice/kubernetes\nservice/nginx\n"
    );
}

#[test]
fn all_namespaces_and_labels_add_their_columns() {
    let mut cluster = web();
    let out = ok(
        &mut cluster,
        "kubectl get pods -A --show-labels -l apps.kubernetes.io/pod-index=1",
    );
    assert_eq!(
        out,
        "NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   LABELS\ndefault     web-1   1/1     Running   0          55s   app=nginx,apps.kubernetes.io/pod-index=1,controller-revision-hash=web-9bc76bb94,statefulset.kubernetes.io/pod-name=web-1\n"
    );
    let none = run(
        &mut cluster,
        "kubectl get endpointslices -n kube-public",
        "",
    );
    assert_eq!(
        (none.stdout.as_str(), none.stderr.as_str()),
        ("", "No resources found in kube-public namespace.\n")
    );
}

#[test]
fn events_filter_by_involved_object_and_refuse_unknown_fields() {
    let mut cluster = web();
    let out = ok(
        &mut cluster,
        "kubectl get events --field-selector involvedObject.name=web-0,reason=Scheduled",
    );
    assert_eq!(
        out,
        "LAST SEEN   TYPE     REASON      OBJECT      MESSAGE\n59s         Normal   Scheduled   pod/web-0   Successfully assigned default/web-0 to kind-worker2\n"
    );
    let error = failed(
        &mut cluster,
        "kubectl get pods --field-selector spec.bogus=x",
    );
    assert_eq!(
        error.stderr,
        "Error from server (BadRequest): Unable to find \"/v1, Resource=pods\" that match label selector \"\", field selector \"spec.bogus=x\": field label not supported: spec.bogus\n"
    );
}

#[test]
fn describe_pod_follows_kubectls_layout_and_events_table() {
    let mut cluster = web();
    let out = ok(&mut cluster, "kubectl describe pod web-0");
    assert!(out.starts_with("Name:         web-0\nNamespace:    default\nPriority:     0\nNode:         kind-worker2/172.18.0.3\nStart Time:   Wed, 01 Jan 2025 00:00:01 +0000\nLabels:       app=nginx\n              apps.kubernetes.io/pod-index=0\n"));
    assert!(out.contains("Status:       Running\nIP:           10.244.2.2\nIPs:\n  IP:           10.244.2.2\nControlled By:  StatefulSet/web\nContainers:\n  nginx:\n"));
    assert!(out.contains("    State:          Running\n      Started:      Wed, 01 Jan 2025 00:00:05 +0000\n    Ready:          True\n"));
    assert!(out.contains("Volumes:\n  www:\n    Type:        PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:   www-web-0\n    ReadOnly:    false\nQoS Class:       BestEffort\n"));
    assert!(out.contains("Events:\n  Type    Reason     Age   From               Message\n  ----    ------     ----  ----               -------\n  Normal  Scheduled  59s   default-scheduler  Successfully assigned default/web-0 to kind-worker2\n"));
    let set = ok(&mut cluster, "kubectl describe sts web");
    assert!(set.contains("Replicas:           3 desired | 3 total\nUpdate Strategy:    RollingUpdate\n  Partition:        0\nPods Status:        3 Running / 0 Waiting / 0 Succeeded / 0 Failed\nPod Template:\n  Labels:  app=nginx\n  Containers:\n   nginx:\n"));
    assert!(set.contains("Volume Claims:\n  Name:          www\n  StorageClass:  \n  Labels:        <none>\n  Annotations:   <none>\n  Capacity:      1Gi\n  Access Modes:  [ReadWriteOnce]\n"));
    let claim = ok(&mut cluster, "kubectl describe pvc www-web-0");
    assert!(claim.contains("Finalizers:    [kubernetes.io/pvc-protection]\nCapacity:      1Gi\nAccess Modes:  RWO\nVolumeMode:    Filesystem\nUsed By:       web-0\n"));
    let missing = failed(&mut cluster, "kubectl describe pod web-7");
    assert_eq!(
        missing.stderr,
        "Error from server (NotFound): pods \"web-7\" not found\n"
    );
}

#[test]
fn rollout_status_history_undo_and_restart_follow_the_statefulset_helpers() {
    let mut cluster = web();
    assert_eq!(
        ok(&mut cluster, "kubectl rollout status sts/web"),
        "partitioned roll out complete: 3 new pods have been updated...\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl rollout history sts/web"),
        "statefulset.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl rollout undo sts/web").stderr,
        "error: no last revision to roll back to\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl set image sts/web nginx=nginx:1.25"),
        "statefulset.apps/web image updated\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl rollout status sts/web"),
        "Waiting for partitioned roll out to finish: 0 out of 3 new pods have been updated...\n"
    );
    let revision = ok(&mut cluster, "kubectl rollout history sts/web --revision=1");
    assert!(revision.starts_with("statefulset.apps/web with revision #1\nPod Template:\n  Labels:\tapp=nginx\n  Containers:\n   nginx:\n    Image:\tnginx:1.9.1\n"));
    assert_eq!(
        failed(&mut cluster, "kubectl rollout history sts/web --revision=9").stderr,
        "error: unable to find the specified revision\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl rollout undo sts/web"),
        "statefulset.apps/web rolled back\n"
    );
    advance(&mut cluster, 1);
    assert_eq!(
        ok(&mut cluster, "kubectl rollout undo sts/web --to-revision=3"),
        "statefulset.apps/web skipped rollback (current template already matches revision 3)\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl rollout undo sts/web --to-revision=7").stderr,
        "error: unable to find specified revision 7 in history\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl rollout restart sts/web"),
        "statefulset.apps/web restarted\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl rollout restart sts/web").stderr,
        "error: failed to create patch for web: if restart has already been triggered within the past second, please wait before attempting to trigger another\n"
    );
}

#[test]
fn rollout_refuses_what_statefulsets_do_not_support() {
    let mut cluster = web();
    assert_eq!(
        failed(&mut cluster, "kubectl rollout pause sts/web").stderr,
        "error: statefulsets.apps \"web\" pausing is not supported\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl rollout resume sts/web").stderr,
        "error: statefulsets.apps \"web\" resuming is not supported\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl rollout history pod/web-0").stderr,
        "error: no history viewer has been implemented for \"Pod\"\n"
    );
    ok(&mut cluster, "kubectl patch sts web -p '{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\",\"rollingUpdate\":null}}}'");
    assert_eq!(
        failed(&mut cluster, "kubectl rollout status sts/web").stderr,
        "error: rollout status is only available for RollingUpdate strategy type\n"
    );
}

#[test]
fn patches_go_through_validation() {
    let mut cluster = web();
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl patch sts web -p '{\"spec\":{\"replicas\":2}}'"
        ),
        "statefulset.apps/web patched\n"
    );
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl patch sts web --type=merge -p '{\"spec\":{\"replicas\":2}}'"
        ),
        "statefulset.apps/web patched (no change)\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl patch sts web --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/updateStrategy/rollingUpdate/partition\",\"value\":1}]'"),
        "statefulset.apps/web patched\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl patch sts web --type=merge -p '{\"spec\":{\"serviceName\":\"other\"}}'").stderr,
        "The StatefulSet \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl patch sts web --type=merge -p '{\"spec\":{\"foo\":1}}'").stderr,
        "Error from server (BadRequest): StatefulSet in version \"v1\" cannot be handled as a StatefulSet: strict decoding error: unknown field \"spec.foo\"\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl patch sts web --type=xml -p '{}'").stderr,
        "error: --type must be one of [json merge strategic], not \"xml\"\n"
    );
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl patch node kind-worker -p '{\"spec\":{\"unschedulable\":true}}'"
        ),
        "node/kind-worker patched\n"
    );
    let pod = failed(
        &mut cluster,
        "kubectl patch pod web-0 -p '{\"spec\":{\"hostname\":\"x\"}}'",
    );
    assert!(pod.stderr.starts_with("The Pod \"web-0\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"));
}

#[test]
fn labels_and_annotations_need_overwrite_to_change_a_value() {
    let mut cluster = web();
    assert_eq!(
        ok(&mut cluster, "kubectl label pod web-1 tier=fe"),
        "pod/web-1 labeled\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl label pod web-1 tier=be").stderr,
        "error: 'tier' already has a value (fe), and --overwrite is false\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl label pod web-1 tier=be --overwrite"),
        "pod/web-1 labeled\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl label pod web-1 tier=be --overwrite"),
        "pod/web-1 not labeled\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl label pod web-1 tier-"),
        "pod/web-1 unlabeled\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl label pod web-1 gone-"),
        "label \"gone\" not found.\npod/web-1 not labeled\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl annotate sts web note=one"),
        "statefulset.apps/web annotated\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl annotate sts web note=two").stderr,
        "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (one)\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl label pod web-1").stderr,
        "error: at least one label update is required\n"
    );
}

#[test]
fn drain_cordons_and_evicts_and_the_statefulset_recreates_the_pod() {
    let mut cluster = web();
    assert_eq!(
        ok(&mut cluster, "kubectl cordon kind-worker3"),
        "node/kind-worker3 cordoned\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl cordon kind-worker3"),
        "node/kind-worker3 already cordoned\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl uncordon kind-worker3"),
        "node/kind-worker3 uncordoned\n"
    );
    let before = cluster.now();
    assert_eq!(
        ok(&mut cluster, "kubectl drain kind-worker2"),
        "node/kind-worker2 cordoned\nevicting pod default/web-0\npod/web-0 evicted\nnode/kind-worker2 drained\n"
    );
    assert!(
        cluster.now() > before,
        "drain waits, with the cluster running, for the eviction"
    );
    let nodes = ok(&mut cluster, "kubectl get nodes");
    assert!(nodes.contains("kind-worker2   Ready,SchedulingDisabled"));
    // The recreated web-0 needs its local volume, which lives on the cordoned node.
    assert!(ok(&mut cluster, "kubectl get pod web-0").contains("web-0   0/1     Pending"));
}

#[test]
fn drain_refuses_unmanaged_pods_without_force() {
    let mut cluster = web();
    ok(&mut cluster, "kubectl run lonely --image=busybox:1.28");
    advance(&mut cluster, 30);
    let node = ok(&mut cluster, "kubectl get pod lonely -o wide");
    let node = node
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .nth(6)
        .unwrap()
        .to_string();
    let refused = failed(&mut cluster, &format!("kubectl drain {node}"));
    assert_eq!(refused.stdout, format!("node/{node} cordoned\n"));
    assert_eq!(
        refused.stderr,
        format!("error: unable to drain node \"{node}\" due to error: cannot delete Pods that declare no controller (use --force to override): default/lonely, continuing command...\nThere are pending nodes to be drained:\n {node}\nerror: cannot delete Pods that declare no controller (use --force to override): default/lonely\n")
    );
    let forced = ok(&mut cluster, &format!("kubectl drain {node} --force"));
    assert!(forced.contains("pod/lonely evicted\n"));
}

#[test]
fn delete_maps_cascade_to_a_propagation_policy() {
    let mut cluster = web();
    let orphan = run(&mut cluster, "kubectl delete sts web --cascade=false", "");
    assert_eq!(
        orphan.stdout,
        "statefulset.apps \"web\" deleted from default namespace\n"
    );
    assert_eq!(orphan.stderr, "warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n");
    // The collector strips the set from its pods, then lets the set go; the pods stay.
    assert_eq!(
        failed(&mut cluster, "kubectl get sts web").stderr,
        "Error from server (NotFound): statefulsets.apps \"web\" not found\n"
    );
    let pod = ok(&mut cluster, "kubectl get pod web-0 -o json");
    assert!(!pod.contains("ownerReferences"), "{pod}");
    assert_eq!(
        failed(&mut cluster, "kubectl delete pod web-0 --cascade=sideways").stderr,
        "error: invalid cascade value (sideways). Must be \"background\", \"foreground\", or \"orphan\"\n"
    );
    let forced = ok(&mut cluster, "kubectl delete pod web-1 --force");
    assert_eq!(
        forced,
        "pod \"web-1\" force deleted from default namespace\n"
    );
}

#[test]
fn what_a_pod_writes_to_its_claim_survives_recreation_and_the_rest_does_not() {
    let mut cluster = web();
    let out = ok(&mut cluster, "kubectl exec web-0 -- sh -c 'cd /usr/share/nginx/html && touch newfile && echo hi > /tmp/scratch && ls'");
    assert_eq!(out, "newfile\n");
    ok(&mut cluster, "kubectl delete pod web-0");
    advance(&mut cluster, 30);
    // Seed 002: after the failure the recreated pod still has its data.
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl exec web-0 -- ls /usr/share/nginx/html"
        ),
        "newfile\n"
    );
    let lost = failed(&mut cluster, "kubectl exec web-0 -- cat /tmp/scratch");
    assert_eq!(
        lost.stderr,
        "cat: /tmp/scratch: No such file or directory\ncommand terminated with exit code 1\n"
    );
    // Another pod's claim is another volume.
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl exec web-1 -- ls /usr/share/nginx/html"
        ),
        ""
    );
}

#[test]
fn deleting_the_volume_deletes_its_data() {
    let mut cluster = web();
    ok(
        &mut cluster,
        "kubectl exec web-2 -- sh -c 'echo data > /usr/share/nginx/html/f'",
    );
    ok(&mut cluster, "kubectl scale sts web --replicas=2");
    advance(&mut cluster, 30);
    ok(&mut cluster, "kubectl delete pvc www-web-2");
    advance(&mut cluster, 30);
    ok(&mut cluster, "kubectl scale sts web --replicas=3");
    advance(&mut cluster, 30);
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl exec web-2 -- ls /usr/share/nginx/html"
        ),
        ""
    );
}

#[test]
fn the_container_knows_its_identity() {
    let mut cluster = web();
    assert_eq!(
        ok(&mut cluster, "kubectl exec web-0 -- hostname"),
        "web-0\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl exec web-0 -- hostname -f"),
        "web-0.nginx.default.svc.cluster.local\n"
    );
    assert!(ok(&mut cluster, "kubectl exec web-0 -- cat /etc/hosts")
        .ends_with("\n10.244.2.2\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"));
    assert_eq!(
        ok(&mut cluster, "kubectl exec web-0 -- cat /etc/resolv.conf"),
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
}

#[test]
fn exec_reports_errors_as_kubectl_and_the_shell_do() {
    let mut cluster = web();
    let unknown = failed(&mut cluster, "kubectl exec web-0 -- sh -c 'foo'");
    assert_eq!(
        (unknown.stderr.as_str(), unknown.exit_code),
        (
            "sh: 1: foo: not found\ncommand terminated with exit code 127\n",
            127
        )
    );
    let missing = failed(&mut cluster, "kubectl exec web-0 -- ls /nope");
    assert_eq!(missing.stderr, "ls: cannot access '/nope': No such file or directory\ncommand terminated with exit code 2\n");
    assert_eq!(
        failed(&mut cluster, "kubectl exec -c sidecar web-0 -- ls").stderr,
        "Error from server (BadRequest): container sidecar is not valid for pod web-0\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl exec web-0").stderr,
        "error: you must specify at least one command for the container\n"
    );
    ok(&mut cluster, "kubectl scale sts web --replicas=4");
    let unscheduled = failed(&mut cluster, "kubectl exec web-3 -- ls");
    assert_eq!(
        unscheduled.stderr,
        "Error from server (BadRequest): pod web-3 does not have a host assigned\n"
    );
    while !ok(&mut cluster, "kubectl get pod web-3 -o wide").contains("kind-worker") {
        let next = cluster.next_event_at().unwrap();
        cluster.run_until(next);
    }
    let creating = failed(&mut cluster, "kubectl exec web-3 -- ls");
    assert_eq!(
        creating.stderr,
        "error: Internal error occurred: unable to upgrade connection: container not found (\"nginx\")\n"
    );
}

#[test]
fn run_attaches_to_a_real_pod_and_removes_it() {
    let mut cluster = web();
    let out = run(
        &mut cluster,
        "kubectl run -i --tty --rm dns-test --image=busybox:1.28 --restart=Never -- hostname",
        "",
    );
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "dns-test\npod \"dns-test\" deleted from default namespace\n"
    );
    assert_eq!(
        out.stderr,
        "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\nIf you don't see a command prompt, try pressing enter.\n"
    );
    let busybox = failed(&mut cluster, "kubectl run x --image=busybox --rm");
    assert_eq!(
        busybox.stderr,
        "error: --rm should only be used for attached containers\n"
    );
    assert_eq!(
        ok(&mut cluster, "kubectl run shell --image=busybox:1.28"),
        "pod/shell created\n"
    );
    advance(&mut cluster, 30);
    let interactive = run(
        &mut cluster,
        "kubectl exec -i shell -- sh",
        "mkdir -p /data/x\ncd /data && ls\nrm /nope",
    );
    assert_eq!(interactive.stdout, "x\n");
    assert_eq!(interactive.stderr, "rm: can't remove '/nope': No such file or directory\ncommand terminated with exit code 1\n");
}

#[test]
fn unknown_commands_and_flags_are_refused_like_kubectl() {
    let mut cluster = web();
    assert_eq!(
        failed(&mut cluster, "kubectl frobnicate").stderr,
        "error: unknown command \"frobnicate\" for \"kubectl\"\nRun 'kubectl --help' for usage.\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl get pods --bogus").stderr,
        "error: unknown flag: --bogus\nSee 'kubectl get --help' for usage.\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl rollout frob sts/web").stderr,
        "error: unknown command \"frob\"\nSee 'kubectl rollout -h' for help and examples\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl get pds").stderr,
        "error: the server doesn't have a resource type \"pds\"\n"
    );
}

#[test]
fn nslookup_from_busybox_answers_as_in_the_course_notes() {
    let mut cluster = web();
    let ip = |cluster: &mut Cluster, pod: &str| {
        let wide = ok(cluster, &format!("kubectl get pod {pod} -o wide"));
        wide.lines()
            .nth(1)
            .unwrap()
            .split_whitespace()
            .nth(5)
            .unwrap()
            .to_string()
    };
    let web0 = ip(&mut cluster, "web-0");
    let out = run(&mut cluster, "kubectl run -i --tty --rm dns-test --image=busybox:1.28 --restart=Never -- nslookup web-0.nginx", "");
    // Seed 002, with this cluster's address for web-0.
    assert_eq!(
        out.stdout,
        format!("Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web-0.nginx\nAddress 1: {web0} web-0.nginx.default.svc.cluster.local\npod \"dns-test\" deleted from default namespace\n")
    );
    ok(&mut cluster, "kubectl run shell --image=busybox:1.28");
    advance(&mut cluster, 30);
    let service = ok(&mut cluster, "kubectl exec shell -- nslookup nginx");
    assert_eq!(
        service.matches("Address ").count(),
        4,
        "the server and the three ready pods: {service}"
    );
    let missing = failed(&mut cluster, "kubectl exec shell -- nslookup web-9.nginx");
    assert_eq!(
        missing.stderr,
        "nslookup: can't resolve 'web-9.nginx'\ncommand terminated with exit code 1\n"
    );
    // nginx's Debian image has no nslookup.
    let absent = failed(&mut cluster, "kubectl exec web-0 -- sh -c 'nslookup nginx'");
    assert_eq!(
        absent.stderr,
        "sh: 1: nslookup: not found\ncommand terminated with exit code 127\n"
    );
    let slices = ok(
        &mut cluster,
        "kubectl get endpointslices -l kubernetes.io/service-name=nginx",
    );
    let row: Vec<&str> = slices.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(row[1..3], ["IPv4", "80"]);
    assert_eq!(row[3].split(',').count(), 3, "{slices}");
}

#[test]
fn label_columns_add_one_column_per_key() {
    let mut cluster = web();
    let out = ok(
        &mut cluster,
        "kubectl get pods -L app -L apps.kubernetes.io/pod-index,missing -l apps.kubernetes.io/pod-index=0",
    );
    assert_eq!(
        out,
        "NAME    READY   STATUS    RESTARTS   AGE   APP     APPS.KUBERNETES.IO/POD-INDEX   MISSING\nweb-0   1/1     Running   0          60s   nginx   0                              \n"
    );
}

#[test]
fn wide_nodes_show_addresses_and_the_runtime() {
    let mut cluster = web();
    let out = ok(&mut cluster, "kubectl get node kind-worker -o wide");
    assert_eq!(
        out,
        "NAME          STATUS   ROLES    AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME\nkind-worker   Ready    <none>   60s   v1.34.0   172.18.0.2    <none>        Debian GNU/Linux 12 (bookworm)   6.8.0            containerd://2.1.1\n"
    );
}

#[test]
fn the_shell_expands_variables_and_command_substitutions_outside_single_quotes() {
    let mut cluster = web();
    // The StatefulSet tutorial's way of giving each pod its own page.
    let out = ok(
        &mut cluster,
        "kubectl exec web-1 -- sh -c 'echo $(hostname) > /usr/share/nginx/html/index.html; cat /usr/share/nginx/html/index.html'",
    );
    assert_eq!(out, "web-1\n");
    let out = ok(
        &mut cluster,
        r#"kubectl exec web-1 -- sh -c 'echo "$HOSTNAME in ${HOME}" $(echo a; echo b) $UNSET; false; echo $?; echo '"'"'$HOME'"'"''"#,
    );
    // Unquoted, the substitution is split into words, as sh does.
    assert_eq!(out, "web-1 in /root a b\n1\n$HOME\n");
}

fn service(cluster: &Cluster, name: &str) -> Service {
    cluster
        .store()
        .get::<Service>(&ObjectKey::new("default", name))
        .unwrap()
        .clone()
}

#[test]
fn expose_selects_all_of_a_pods_labels_unless_told_one() {
    let mut cluster = web();
    assert_eq!(
        ok(&mut cluster, "kubectl expose pod web-0"),
        "service/web-0 exposed\n"
    );
    let every_label = service(&cluster, "web-0");
    let spec = every_label.spec.as_ref().unwrap();
    let selector = spec.selector.clone().unwrap();
    assert_eq!(selector["statefulset.kubernetes.io/pod-name"], "web-0");
    assert!(selector.contains_key("controller-revision-hash"));
    assert_eq!(every_label.metadata.labels.as_ref(), Some(&selector));
    let port = &spec.ports.as_ref().unwrap()[0];
    assert_eq!((port.port, port.name.as_deref()), (80, None));

    ok(
        &mut cluster,
        "kubectl expose pod web-1 --port=8080 --target-port=80 --name=web-1-external --type=NodePort --selector=statefulset.kubernetes.io/pod-name=web-1",
    );
    let one_label = service(&cluster, "web-1-external");
    let spec = one_label.spec.as_ref().unwrap();
    assert_eq!(spec.selector.as_ref().unwrap().len(), 1);
    let port = &spec.ports.as_ref().unwrap()[0];
    assert_eq!(port.port, 8080);
    assert!(
        port.node_port.is_some(),
        "a NodePort Service gets a node port"
    );
    let listed = ok(&mut cluster, "kubectl get svc web-1-external");
    assert!(
        listed.contains("NodePort") && listed.contains("8080:3"),
        "{listed}"
    );
    advance(&mut cluster, 5);
    let slices = ok(
        &mut cluster,
        "kubectl get endpointslices -l kubernetes.io/service-name=web-1-external",
    );
    let web_1_ip = cluster
        .store()
        .get::<Pod>(&ObjectKey::new("default", "web-1"))
        .and_then(|p| p.status.as_ref()?.pod_ip.clone())
        .unwrap();
    assert!(slices.contains(&web_1_ip), "{slices}");
}

#[test]
fn expose_says_why_it_cannot() {
    let mut cluster = web();
    let cases = [
        (
            "kubectl expose sts web",
            "error: cannot expose a StatefulSet.apps\n",
        ),
        (
            "kubectl expose pod web-9",
            "Error from server (NotFound): pods \"web-9\" not found\n",
        ),
        (
            "kubectl expose pod web-0 --type=nodeport",
            "The Service \"web-0\" is invalid: spec.type: Unsupported value: \"nodeport\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"\n",
        ),
        (
            "kubectl expose pod web-0 --selector=app",
            "error: invalid label spec: app\n",
        ),
        (
            "kubectl expose svc nginx",
            "Error from server (AlreadyExists): services \"nginx\" already exists\n",
        ),
    ];
    for (line, stderr) in cases {
        assert_eq!(failed(&mut cluster, line).stderr, stderr, "{line}");
    }
}

#[test]
fn wait_lets_the_cluster_run_until_each_condition_holds_or_the_timeout() {
    let mut cluster = web();
    ok(&mut cluster, "kubectl delete pod web-1 --wait=false");
    let started = cluster.now();
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl wait --for=delete pod/web-1 --timeout=60s"
        ),
        "pod/web-1 condition met\n"
    );
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl wait --for=condition=Ready pod -l app=nginx --timeout=2m"
        ),
        "pod/web-0 condition met\npod/web-1 condition met\npod/web-2 condition met\n"
    );
    assert!(
        cluster.now() > started,
        "the cluster ran while kubectl waited"
    );
    assert_eq!(
        ok(
            &mut cluster,
            "kubectl wait --for=jsonpath={.status.readyReplicas}=3 statefulset/web"
        ),
        "statefulset.apps/web condition met\n"
    );
    let timed_out = failed(
        &mut cluster,
        "kubectl wait --for=condition=Ready=false pod/web-0 --timeout=5s",
    );
    assert_eq!(
        timed_out.stderr,
        "error: timed out waiting for the condition on pods/web-0\n"
    );
    assert_eq!(
        failed(
            &mut cluster,
            "kubectl wait --for=condition=Ready=false pod/web-0 --timeout=0"
        )
        .stderr,
        "error: condition not met for pods/web-0\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl wait --for=condition=Ready pod/web-9").stderr,
        "Error from server (NotFound): pods \"web-9\" not found\n"
    );
    assert_eq!(
        failed(&mut cluster, "kubectl wait pod/web-0").stderr,
        "error: unrecognized condition: []\n"
    );
    assert_eq!(ok(&mut cluster, "kubectl wait --for=delete pod/web-9"), "");
}

/// `kubectl apply` says `unchanged` only when it has no patch to send: a re-applied Service is unchanged, but a
/// StatefulSet with volumeClaimTemplates is `configured` every time, because the live templates carry the
/// defaults the manifest leaves out and kubectl replaces such a list whole (kubernetes/kubernetes#66450). The
/// annotation records the manifest as kubectl encodes it: an empty annotations map and the namespace added,
/// `&` escaped as Go escapes it.
#[test]
fn apply_says_unchanged_only_when_kubectl_would_send_no_patch() {
    let scenario = ordinal_sim::scenario::Scenario::parse(common::WEB).unwrap();
    let manifests = scenario.manifests.replace(
        "  selector:\n    app: nginx",
        "  selector:\n    app: nginx\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: scripts\ndata:\n  run: a && b",
    );
    let mut cluster = web();
    let again = run(&mut cluster, "kubectl apply -f -", &manifests);
    assert_eq!(
        again.stdout,
        "service/nginx unchanged\nconfigmap/scripts created\nstatefulset.apps/web configured\n"
    );
    let once_more = run(&mut cluster, "kubectl apply -f -", &manifests);
    assert!(
        once_more.stdout.contains("configmap/scripts unchanged\n"),
        "{}",
        once_more.stdout
    );
    let yaml = ok(&mut cluster, "kubectl get cm scripts -o yaml");
    assert!(
        yaml.contains(r#"{"apiVersion":"v1","data":{"run":"a \u0026\u0026 b"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"scripts","namespace":"default"}}"#),
        "{yaml}"
    );
}
