//! `ordinal console --script`: the lines of a file typed at the console, printed as a terminal shows them.

use std::process::Command;

fn console(scenario: &str, lines: &str, extra: &[&str]) -> (String, String, i32) {
    let dir = std::env::temp_dir().join(format!("ordinal-console-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join(format!("lines-{}.sh", lines.len()));
    std::fs::write(&script, lines).unwrap();
    let scenario = format!("{}/../../examples/{scenario}", env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_ordinal"))
        .args(["console", &scenario, "--script"])
        .arg(&script)
        .args(extra)
        .output()
        .expect("the ordinal binary runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_course_notes_dialogue_runs_in_a_busybox_shell_and_the_pod_is_removed() {
    let (stdout, stderr, status) = console(
        "web.yaml",
        "sleep 30\nkubectl run -i --tty --image busybox:1.28.4 dns-test --restart=Never --rm /bin/sh\nnslookup web-0.nginx\nexit 3\n",
        &[],
    );
    assert!(
        stdout.starts_with("$ sleep 30\n$ kubectl run -i --tty --image busybox:1.28.4 dns-test --restart=Never --rm /bin/sh\n/ # nslookup web-0.nginx\nServer:    10.96.0.10\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Name:      web-0.nginx\nAddress 1: 10.244."),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("/ # exit 3\nSession ended, resume using 'kubectl attach dns-test -c dns-test -n default -i -t' command\npod \"dns-test\" deleted from default namespace\n"),
        "{stdout}"
    );
    assert!(
        stderr.starts_with("All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\nIf you don't see a command prompt, try pressing enter.\n"),
        "{stderr}"
    );
    assert_eq!(
        status, 3,
        "the last command's: kubectl exits as the shell in the container did"
    );
}

#[test]
fn a_here_document_continues_over_lines_and_a_watch_is_interrupted_after_wait() {
    let (stdout, _, status) = console(
        "web.yaml",
        "cat <<EOF | wc -l\none\ntwo\nEOF\nkubectl get sts web -w\necho \"watch exited $?\"\n",
        &["--wait", "5s"],
    );
    assert!(
        stdout.starts_with("$ cat <<EOF | wc -l\n> one\n> two\n> EOF\n2\n$ kubectl get sts web -w\nNAME   READY   AGE\nweb    0/3     0s\n"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("^C\n$ echo \"watch exited $?\"\nwatch exited 1\n"),
        "{stdout}"
    );
    assert_eq!(status, 0);
}
