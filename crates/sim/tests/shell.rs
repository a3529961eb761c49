//! The console's shell: its grammar, builtins and filters held against the real bash, GNU coreutils, GNU
//! grep and mawk of this machine (the same programs a learner's Debian or Ubuntu terminal has), and its bounds
//! and waits against what the issue asks of them.
#![cfg(not(target_arch = "wasm32"))]

use ordinal_sim::shell::{MAX_ITERATIONS, MAX_OUTPUT_BYTES};
use ordinal_sim::terminal::{run_line, Ran, Stream};
use ordinal_sim::{Cluster, ClusterConfig, SimTime};
use std::process::Command;

/// Lines without kubectl: each is run by Ordinal's shell and by `bash -c` in an empty directory, and must print
/// the same on stdout and exit the same.
const LIKE_BASH: &[&str] = &[
    "echo hello world",
    "echo a \\\n  b",
    "echo trailing\\",
    "echo -n no newline; echo",
    "echo -e 'a\\tb\\nc'",
    "echo 'single $HOME' \"double\" back\\ slash",
    "X=1; echo $X ${X} \"$X\" '$X'",
    "X='a   b'; echo $X; echo \"$X\"",
    "echo ${UNSET:-fallback} ${#PATH_LIKE} x${EMPTY}y",
    "A=abc; echo ${#A} ${A:-no} ${B-none}",
    "true && echo yes || echo no",
    "false && echo yes || echo no",
    "false; echo $?",
    "! false; echo $?",
    "for i in 0 1 2; do echo \"web-$i\"; done",
    "for i in $(seq 0 2); do echo $i; done",
    "for i in `seq 3 5`; do echo $i; done | sort -r",
    "for i in a b; do for j in 1 2; do echo $i$j; done; done",
    "i=0; while [ $i -lt 3 ]; do echo $i; i=$(expr_not_here 2>/dev/null || echo 3); done",
    "n=x; until [ \"$n\" = xxx ]; do n=${n}x; echo $n; done",
    "if [ 1 -eq 1 ]; then echo one; else echo other; fi",
    "if false; then echo a; elif true; then echo b; else echo c; fi",
    "if false; then echo a; fi; echo $?",
    "[ -z '' ] && [ -n x ] && [ a != b ] && echo ok",
    "test 3 -gt 2 -a 1 -lt 2 && echo both",
    "[ abc ]; echo $?; [ '' ]; echo $?",
    "[ 1 -eq x ]; echo $?",
    "printf '%s-%s\\n' a b c d",
    "printf '%5d|%-4s|%05d|%x\\n' 42 ab 7 255",
    "printf 'no newline'",
    "printf '%s\\n'",
    "seq 3; seq 2 4; seq 10 -3 1",
    "echo $(echo inner $(echo nested))",
    "echo \"$(printf 'a\\n\\n\\n')\"end",
    "{ echo a; echo b; } | wc -l",
    "(echo sub; exit 3); echo $?",
    "echo a | grep b; echo $?",
    "printf 'web-0 Running\\nweb-1 Pending\\nweb-2 Running\\n' | grep Running",
    "printf 'web-0 Running\\nweb-1 Pending\\n' | grep -v Running",
    "printf 'WEB\\nweb\\n' | grep -i web | wc -l",
    "printf 'web-0\\nnginx\\nweb-1\\n' | grep -E 'web-(0|1)'",
    "printf 'a+b\\naab\\n' | grep 'a+b'",
    "printf 'a\\nb\\na\\n' | grep -c a",
    "printf 'one\\ntwo\\n' | grep -n two",
    "printf 'x.y\\nxzy\\n' | grep -F x.y",
    "printf '1\\n2\\n3\\n4\\n5\\n' | head -n 2",
    "printf '1\\n2\\n3\\n4\\n5\\n' | head -3",
    "printf '1\\n2\\n3\\n4\\n5\\n' | tail -n 2",
    "printf '1\\n2\\n3\\n4\\n5\\n' | tail -n +4",
    "printf 'a b\\nc d e\\n' | wc -l",
    "printf 'a b\\nc d e\\n' | wc -w",
    "printf 'a b\\nc d e' | wc",
    "printf 'b\\na\\nc\\n' | sort",
    "printf '10\\n9\\n100\\n' | sort -n",
    "printf '10\\n9\\n100\\n' | sort -rn",
    "printf 'b 2\\na 3\\nc 1\\n' | sort -k 2",
    "printf 'a\\na\\nb\\na\\n' | uniq -c",
    "printf 'x:2\\ny:1\\n' | sort -t: -k2",
    "printf 'b\\na\\nb\\n' | sort -u",
    "printf 'NAME READY\\nweb-0 1/1\\nweb-1 0/1\\n' | awk '{print $1}'",
    "printf 'NAME READY\\nweb-0 1/1\\nweb-1 0/1\\n' | awk 'NR>1 {print $2, $1}'",
    "printf 'a b c\\n' | awk '{print $NF; print NF}'",
    "printf 'x 1\\ny 2\\n' | awk '$2 == 2'",
    "printf 'x 1\\ny 2\\n' | awk '/y/ {print \"found \" $1}'",
    "printf 'x 1\\ny 2\\n' | awk '$1 ~ /x/ || $2 > 1 {print NR\": \"$0}'",
    "printf 'a:b:c\\n' | awk -F: '{print $2}'",
    "printf 'a\\nb\\n' | awk 'END {print NR}'",
    "printf 'a:b:c\\n' | cut -d: -f2",
    "printf 'a:b:c:d\\n' | cut -d: -f1,3-",
    "printf 'hello\\n' | cut -c2-4",
    "echo a b c | xargs -n 1 echo item",
    "echo a b | xargs echo",
    "printf 'x\\ny\\n' | xargs -I {} echo '<{}>'",
    "echo 1 2 3 | xargs",
    "echo out > f; echo more >> f; cat f; wc -l < f",
    "echo hidden > /dev/null; echo shown",
    "echo err 1>&2 2>/dev/null; echo after",
    "X=v; cat <<EOF\nvalue $X\nEOF",
    "X=v; cat <<'EOF'\nvalue $X\nEOF",
    "grep -c x <<EOF\nx\ny\nx\nEOF",
    "export A=1 B; echo $A",
    "export L=\"$(printf 'a b\\nc')\" M=$(printf 'x y'); echo \"$L|$M\"",
    "A=1; unset A; echo \"[$A]\"",
    "exit 4",
    "echo before; exit 0; echo after",
    "sleep 0 && echo slept",
    "seq 5 | head -2 | tail -1",
    "i=3; echo $((i + 1)) $(( (2+3)*4 % 7 )) $((-i)) $((i > 2)) $((j)); echo \"$((10/3))\"",
    "for i in 0 1 2; do echo \"web-$((i * 2))\"; done",
    "echo $((1/0)); echo after",
    "echo 'a # not a comment' # a comment",
    "echo a\\\nb",
    "printf '%s\\n' \"$(seq 3 | sort -r)\"",
];

fn cluster() -> Cluster {
    Cluster::new(ClusterConfig::default())
}

fn ordinal(line: &str) -> Ran {
    let mut cluster = cluster();
    run_line(&mut cluster, "", line, SimTime::END)
}

fn bash(line: &str) -> (String, i32) {
    let dir = std::env::temp_dir().join(format!("ordinal-shell-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", line])
        .current_dir(&dir)
        .env_clear()
        .env("LC_ALL", "C")
        .output()
        .expect("bash is on this machine, as on every machine Ordinal is tested on");
    let _ = std::fs::remove_dir_all(&dir);
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn lines_without_kubectl_print_and_exit_as_bash_does() {
    let mut differences = Vec::new();
    for line in LIKE_BASH {
        let ran = ordinal(line);
        let (stdout, status) = bash(line);
        if ran.output.stdout != stdout || ran.output.exit_code != status {
            differences.push(format!(
                "{line:?}\n  ordinal: {:?} exit {} (stderr {:?})\n  bash:    {stdout:?} exit {status}",
                ran.output.stdout, ran.output.exit_code, ran.output.stderr
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn what_cannot_be_read_is_refused_in_bashs_words() {
    for (line, stderr) in [
        ("done", "bash: syntax error near unexpected token `done'\n"),
        ("echo )", "bash: syntax error near unexpected token `)'\n"),
        ("; ls", "bash: syntax error near unexpected token `;'\n"),
        (
            "a && && b",
            "bash: syntax error near unexpected token `&&'\n",
        ),
        (
            "echo >",
            "bash: syntax error near unexpected token `newline'\n",
        ),
        (
            "for i in 1; do echo",
            "bash: syntax error: unexpected end of file\n",
        ),
        ("echo a |", "bash: syntax error: unexpected end of file\n"),
        (
            "if true; then echo",
            "bash: syntax error: unexpected end of file\n",
        ),
        (
            "echo 'open",
            "bash: unexpected EOF while looking for matching `''\n",
        ),
        (
            "echo \"open",
            "bash: unexpected EOF while looking for matching `\"'\n",
        ),
        (
            "echo $(echo a",
            "bash: unexpected EOF while looking for matching `)'\n",
        ),
    ] {
        let ran = ordinal(line);
        assert_eq!(
            (ran.output.stderr.as_str(), ran.output.exit_code),
            (stderr, 2),
            "{line}"
        );
        assert_eq!(ran.output.stdout, "", "{line}");
    }
}

#[test]
fn unknown_commands_are_not_found_as_bash_says() {
    let ran = ordinal("get pods; echo $?");
    assert_eq!(ran.output.stderr, "bash: get: command not found\n");
    assert_eq!(ran.output.stdout, "127\n");
    let ran = ordinal("curl http://web-0.nginx");
    assert_eq!(ran.output.exit_code, 127);
}

#[test]
fn a_runaway_loop_and_a_flood_of_output_stop_with_a_message() {
    let ran = ordinal("while true; do :; done; echo never");
    assert_eq!(
        ran.output.stderr,
        format!("bash: loop stopped after {MAX_ITERATIONS} iterations, this console's limit\n")
    );
    assert_eq!((ran.output.stdout.as_str(), ran.output.exit_code), ("", 1));

    let ran = ordinal("for i in 1 2; do for j in $(seq 6000); do :; done; done");
    assert_eq!(ran.output.exit_code, 1, "nested loops share the bound");

    let ran = ordinal("while true; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done");
    assert!(ran.output.stdout.len() <= MAX_OUTPUT_BYTES);
    assert!(
        ran.output.stderr.contains("output stopped after 1 MiB"),
        "{}",
        ran.output.stderr
    );
    let ran = ordinal("seq 100000000 | tail -1");
    assert!(ran.output.stderr.contains("output stopped after 1 MiB"));
}

#[test]
fn sleep_lets_simulated_time_pass_and_output_is_kept_with_its_instant() {
    let mut cluster = cluster();
    let ran = run_line(
        &mut cluster,
        "",
        "echo one; sleep 2; echo two; sleep 1.5",
        SimTime::END,
    );
    assert_eq!(cluster.now(), SimTime::from_millis(3_500));
    assert_eq!(ran.output.stdout, "one\ntwo\n");
    let printed: Vec<(u64, Stream, &str)> = ran
        .printed
        .iter()
        .map(|p| (p.at.as_millis(), p.stream, p.text.as_str()))
        .collect();
    assert_eq!(
        printed,
        [
            (0, Stream::Stdout, "one\n"),
            (2_000, Stream::Stdout, "two\n")
        ]
    );
    // A command that returns at once prints nothing while running.
    assert!(run_line(&mut cluster, "", "echo now", SimTime::END)
        .printed
        .is_empty());
}

#[test]
fn a_command_still_running_at_the_deadline_is_interrupted() {
    let mut cluster = cluster();
    let ran = run_line(
        &mut cluster,
        "",
        "echo start; sleep 60; echo never",
        SimTime::from_secs(10),
    );
    assert_eq!(ran.output.stdout, "start\n^C\n");
    assert_eq!(ran.output.exit_code, 130);
    assert_eq!(cluster.now(), SimTime::from_secs(10));
    let ran = run_line(&mut cluster, "", "echo $?", SimTime::END);
    assert_eq!(ran.output.stdout, "130\n");
}

#[test]
fn a_terminal_keeps_its_variables_and_files_between_lines() {
    let mut cluster = cluster();
    run_line(
        &mut cluster,
        "",
        "export NS=kube-system; echo x > notes",
        SimTime::END,
    );
    let ran = run_line(&mut cluster, "", "echo $NS; cat notes", SimTime::END);
    assert_eq!(ran.output.stdout, "kube-system\nx\n");
    let other = run_line(&mut cluster, "second", "echo \"[$NS]\"", SimTime::END);
    assert_eq!(
        other.output.stdout, "[]\n",
        "another terminal has its own shell"
    );
}

#[test]
fn kubectl_runs_inside_loops_pipes_and_substitutions() {
    let mut cluster = cluster();
    let ran = run_line(
        &mut cluster,
        "",
        "for n in kind-worker kind-worker2; do kubectl get node $n -o name; done | sort -r",
        SimTime::END,
    );
    assert_eq!(ran.output.stdout, "node/kind-worker2\nnode/kind-worker\n");
    let ran = run_line(
        &mut cluster,
        "",
        "kubectl get nodes -o name | wc -l; kubectl get nodes | awk 'NR>1 {print $2}' | sort -u",
        SimTime::END,
    );
    assert_eq!(ran.output.stdout, "3\nReady\n");
    let ran = run_line(
        &mut cluster,
        "",
        "kubectl get nodes -o name | head -1 | xargs kubectl get -o name",
        SimTime::END,
    );
    assert_eq!(ran.output.stdout, "node/kind-worker\n");
    let ran = run_line(
        &mut cluster,
        "",
        "kubectl get pod nope 2>/dev/null || echo \"missing: $?\"",
        SimTime::END,
    );
    assert_eq!(ran.output.stdout, "missing: 1\n");
}

#[test]
fn here_documents_feed_kubectl_apply() {
    let mut cluster = cluster();
    let ran = run_line(
        &mut cluster,
        "",
        "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Service\nmetadata:\n  name: nginx\nspec:\n  clusterIP: None\n  ports: [{port: 80}]\nEOF\n",
        SimTime::END,
    );
    assert_eq!(
        (ran.output.stdout.as_str(), ran.output.stderr.as_str()),
        ("service/nginx created\n", "")
    );
}

#[test]
fn hostile_lines_are_answered_at_once_and_never_panic() {
    let started = std::time::Instant::now();
    let nested = format!("{}:{}", "$(".repeat(40), ")".repeat(40));
    for line in [
        nested.as_str(),
        "echo $($($($($($($($($($($($($($($($(:)))))))))))))))",
        "echo a | grep '[[:]'",
        "echo a | awk '/[[:]/'",
        "echo a | grep -E '((((){1000}){1000}){1000}){1000}'",
        "printf '%999999999999s' x",
        "printf '%.9999999999f' 1",
        "echo a | xargs -é",
        "seq 1 9223372036854775807 9223372036854775807",
        "while :; do (while :; do :; done); done",
        "for i in 1 2 3; do seq 1 5000 | xargs -n 1 echo > /dev/null; done",
    ] {
        let ran = ordinal(line);
        assert!(ran.output.stdout.len() <= MAX_OUTPUT_BYTES, "{line}");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_terminal_asks_for_another_line_where_bash_does() {
    use ordinal_sim::shell::syntax::wants_more;
    for open in [
        "for i in 0 1",
        "echo 'open",
        "echo \"$(date",
        "kubectl expose pod zk-0 --port=2181 \\",
        "cat <<EOF",
        "kubectl get pods |",
    ] {
        assert!(wants_more(open), "{open}");
    }
    for complete in [
        "echo done",
        "echo escaped\\\\",
        "echo 'a \\'",
        "for i in 0; do echo $i; done",
    ] {
        assert!(!wants_more(complete), "{complete}");
    }
}
