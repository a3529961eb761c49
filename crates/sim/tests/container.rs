//! Inside the containers: the image's shell and programs, nginx serving each pod's volume to curl and wget,
//! the access log `kubectl logs` shows, and what each image has and has not, typed as the StatefulSet Basics
//! tutorial types it (its image is `registry.k8s.io/nginx-slim`, which carries curl and bash).

use ordinal_sim::kubectl::Apply;
use ordinal_sim::terminal::{run_line, Ran};
use ordinal_sim::{Cluster, ClusterConfig, Scenario, SimTime};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// The course notes' nginx example.
const WEB: &str = include_str!("../../../examples/web.yaml");

/// The `web` example with the tutorial's image, a minute in, and `HOST` from the downward API as seed 000
/// sets it.
fn tutorial_web() -> Cluster {
    let manifests = WEB
        .replace("image: nginx:1.9.1", "image: registry.k8s.io/nginx-slim:0.24\n          env:\n          - name: HOST\n            valueFrom:\n              fieldRef:\n                fieldPath: status.podIP");
    let mut cluster = Cluster::new(ClusterConfig::default());
    cluster
        .apply(&Scenario::parse(&manifests).unwrap().manifests)
        .unwrap();
    cluster.run_until(SimTime::from_secs(60));
    cluster
}

fn type_line(cluster: &mut Cluster, line: &str) -> Ran {
    let deadline = cluster.now().plus_secs(120);
    run_line(cluster, "main", line, deadline)
}

fn stdout(cluster: &mut Cluster, line: &str) -> String {
    let ran = type_line(cluster, line);
    assert_eq!(ran.output.exit_code, 0, "{line}: {}", ran.output.stderr);
    ran.output.stdout
}

#[test]
fn curl_gets_what_each_pod_wrote_and_its_volume_keeps_it_across_recreation() {
    let mut cluster = tutorial_web();
    let before = type_line(
        &mut cluster,
        "kubectl exec web-0 -- curl -s http://localhost/",
    );
    assert!(
        before
            .output
            .stdout
            .contains("<title>403 Forbidden</title>"),
        "an empty document root is forbidden: {}",
        before.output.stdout
    );
    stdout(
        &mut cluster,
        r#"for i in 0 1; do kubectl exec "web-$i" -- sh -c 'echo "$(hostname)" > /usr/share/nginx/html/index.html'; done"#,
    );
    let loop_line =
        r#"for i in 0 1; do kubectl exec -i -t "web-$i" -- curl http://localhost/; done"#;
    assert_eq!(stdout(&mut cluster, loop_line), "web-0\nweb-1\n");
    stdout(&mut cluster, "kubectl delete pod web-0");
    cluster.run_until(cluster.now().plus_secs(30));
    assert_eq!(stdout(&mut cluster, loop_line), "web-0\nweb-1\n");
    // Across pods, by their stable DNS names.
    assert_eq!(
        stdout(&mut cluster, "kubectl exec web-1 -- curl -s web-0.nginx"),
        "web-0\n"
    );
}

#[test]
fn nginx_answers_with_its_status_codes_and_logs_every_request() {
    let mut cluster = tutorial_web();
    stdout(
        &mut cluster,
        "kubectl exec web-0 -- sh -c 'echo hi > /usr/share/nginx/html/index.html; mkdir /usr/share/nginx/html/sub'",
    );
    let missing = type_line(
        &mut cluster,
        "kubectl exec web-0 -- curl -sf localhost/nope",
    );
    assert_eq!(missing.output.exit_code, 22);
    assert_eq!(
        missing.output.stderr, "command terminated with exit code 22\n",
        "-s keeps curl's own message back"
    );
    let shown = type_line(
        &mut cluster,
        "kubectl exec web-0 -- curl -sS -f localhost/nope",
    );
    assert!(shown
        .output
        .stderr
        .starts_with("curl: (22) The requested URL returned error: 404 Not Found\n"));
    let redirect = stdout(&mut cluster, "kubectl exec web-0 -- curl -si localhost/sub");
    assert!(redirect.starts_with("HTTP/1.1 301 Moved Permanently\r\nServer: nginx/1.13.5\r\n"));
    assert!(redirect.contains("Location: http://localhost/sub/\r\n"));
    let logs = stdout(&mut cluster, "kubectl logs web-0");
    let lines: Vec<&str> = logs.lines().collect();
    assert_eq!(lines.len(), 5, "{logs}");
    assert!(lines[0].contains(
        "[error] 29#29: *1 open() \"/usr/share/nginx/html/nope\" failed (2: No such file or directory), client: 127.0.0.1"
    ));
    assert_eq!(
        lines[1],
        "127.0.0.1 - - [01/Jan/2025:00:01:00 +0000] \"GET /nope HTTP/1.1\" 404 169 \"-\" \"curl/7.47.0\""
    );
    assert!(lines[4].contains("\"GET /sub HTTP/1.1\" 301 "));
    // Not Ready, not there: the name does not resolve.
    let gone = type_line(&mut cluster, "kubectl exec web-0 -- curl web-7.nginx");
    assert_eq!(gone.output.exit_code, 6);
    assert!(gone
        .output
        .stderr
        .starts_with("curl: (6) Could not resolve host: web-7.nginx\n"));
}

#[test]
fn logs_follow_streams_requests_until_interrupted() {
    let mut cluster = tutorial_web();
    let mut follow =
        ordinal_sim::terminal::Running::start(&mut cluster, "one", "kubectl logs -f web-1");
    assert!(!follow.ended());
    cluster.run_until(cluster.now().plus_secs(5));
    stdout(&mut cluster, "kubectl exec web-0 -- curl -s web-1.nginx");
    follow.poll(&mut cluster);
    let printed = follow.take_printed();
    assert_eq!(printed.len(), 1, "{printed:?}");
    assert!(printed[0].text.contains("\"GET / HTTP/1.1\" 403 169"));
    follow.interrupt(&mut cluster);
    let ran = follow.finish(&mut cluster);
    assert_eq!(ran.output.exit_code, 130);
}

#[test]
fn each_image_has_what_its_dockerfile_installs() {
    let mut cluster = tutorial_web();
    let no_nslookup = type_line(&mut cluster, "kubectl exec web-0 -- nslookup web-1.nginx");
    assert!(no_nslookup
        .output
        .stderr
        .contains("exec: \"nslookup\": executable file not found in $PATH: unknown"));
    stdout(&mut cluster, "kubectl run old --image=nginx:1.9.1");
    stdout(&mut cluster, "sleep 30");
    let no_curl = type_line(&mut cluster, "kubectl exec old -- sh -c 'curl localhost'");
    assert_eq!(
        no_curl.output.stderr,
        "sh: 1: curl: not found\ncommand terminated with exit code 127\n"
    );
    let busybox = type_line(
        &mut cluster,
        "kubectl run -i --rm --image busybox:1.28 dns-test --restart=Never -- sh -c 'wget -qO- web-1.nginx; curl web-1.nginx'",
    );
    assert_eq!(
        busybox.output.stderr,
        "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\nIf you don't see a command prompt, try pressing enter.\nwget: server returned error: HTTP/1.1 403 Forbidden\nsh: curl: not found\npod default/dns-test terminated (Error)\n"
    );
    // kubectl run learns the exit from the pod, after --rm's deletion (kubectl's RunOptions.Run).
    assert_eq!(
        busybox.output.stdout,
        "pod \"dns-test\" deleted from default namespace\n"
    );
    assert_eq!(busybox.output.exit_code, 127);
}

#[test]
fn the_environment_has_the_downward_api_and_the_service_links() {
    let mut cluster = tutorial_web();
    let env = stdout(&mut cluster, "kubectl exec web-1 -- env");
    let ip = stdout(
        &mut cluster,
        "kubectl get pod web-1 -o wide | awk 'NR>1 {print $6}'",
    );
    let ip = ip.trim_end();
    assert!(env.starts_with(
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOSTNAME=web-1\n"
    ));
    assert!(env.contains(&format!("\nHOST={ip}\n")), "{env}");
    assert!(env.contains("\nKUBERNETES_SERVICE_HOST=10.96.0.1\n"));
    assert!(env.ends_with("\nHOME=/root\n"));
    assert_eq!(
        stdout(
            &mut cluster,
            "kubectl exec web-1 -- sh -c 'echo $HOST; export A=b; printenv A'"
        ),
        format!("{ip}\nb\n")
    );
}

#[test]
fn df_and_mount_show_the_claim_with_its_size() {
    let mut cluster = tutorial_web();
    stdout(
        &mut cluster,
        "kubectl exec web-0 -- sh -c 'echo web-0 > /usr/share/nginx/html/index.html'",
    );
    let df = stdout(&mut cluster, "kubectl exec web-0 -- df -h");
    assert!(
        df.starts_with("Filesystem Size Used Avail Use% Mounted on\n"),
        "{df}"
    );
    assert!(
        df.ends_with("/dev/sdb   1.0G 4.0K  1.0G   1% /usr/share/nginx/html\n"),
        "{df}"
    );
    let mount = stdout(&mut cluster, "kubectl exec web-0 -- mount");
    assert!(mount.contains("/dev/sdb on /usr/share/nginx/html type ext4 (rw,relatime)\n"));
}

#[test]
fn each_shell_speaks_its_own_words() {
    let mut cluster = tutorial_web();
    let dash = type_line(
        &mut cluster,
        "kubectl exec web-0 -- sh -c 'cd /nope; echo x > /nope/f; done'",
    );
    assert_eq!(
        dash.output.stderr,
        "sh: 1: Syntax error: \"done\" unexpected\ncommand terminated with exit code 2\n"
    );
    let dash = type_line(
        &mut cluster,
        "kubectl exec web-0 -- sh -c 'cd /nope; echo x > /nope/f'",
    );
    assert_eq!(
        dash.output.stderr,
        "sh: 1: cd: can't cd to /nope\nsh: 1: cannot create /nope/f: Directory nonexistent\ncommand terminated with exit code 2\n"
    );
    let bash = type_line(&mut cluster, "kubectl exec web-0 -- bash -c 'foo'");
    assert_eq!(
        bash.output.stderr,
        "bash: foo: command not found\ncommand terminated with exit code 127\n"
    );
    let ash = type_line(
        &mut cluster,
        "kubectl run -i --rm --image busybox:1.28 t --restart=Never -- sh -c 'cat < /nope; bash'",
    );
    assert_eq!(
        ash.output.stderr,
        "All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\nIf you don't see a command prompt, try pressing enter.\nsh: can't open /nope: no such file\nsh: bash: not found\npod default/t terminated (Error)\n"
    );
}

#[test]
fn a_command_that_sleeps_in_a_container_runs_to_its_end_from_a_menu_too() {
    let mut cluster = tutorial_web();
    // `kubectl::run` is what a menu or a lesson runs: no terminal to wait in, so it carries the command on.
    let output = ordinal_sim::kubectl::run(
        &mut cluster,
        "kubectl exec web-0 -- sh -c 'sleep 5; echo slept'",
        "",
    );
    assert_eq!(output.stdout, "slept\n");
    assert_eq!(output.exit_code, 0);
}
