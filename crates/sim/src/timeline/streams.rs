//! Exec and attach streams a client opened through the apiserver (`ordinal serve-api`): each is a step of a
//! terminal of its own, started at the instant it opened, with what the client sent kept as that step's
//! keystrokes and the instant it went away as its timeout, so that a replay runs the same process with the
//! same input at the same instants.

use serde_json::Value;

use super::Timeline;
use crate::endpoints::exec::{refusal, Exec};
use crate::endpoints::Request;
use crate::scenario::{Action, Step};

impl Timeline {
    /// Opens the stream `exec` that `request` asked for, now. Its step's index, by which the transport feeds
    /// it and reads what it wrote (`step_output`); or the kubelet's refusal, which the transport sends on the error
    /// channel, nothing having run.
    pub fn open_stream(&mut self, request: &Request, exec: &Exec) -> Result<usize, Value> {
        if let Some(refused) = refusal(&self.live, exec) {
            return Err(refused);
        }
        let at = self.live.now();
        let executed = self.progress.executed;
        if self.has_future(at, executed) {
            self.fork_at(at, executed);
        }
        let steps = &mut self.branches[self.current].steps;
        let index = steps.len();
        steps.push(Step {
            terminal: format!("stream {index}"),
            ..Step::new(at, Action::Request(request.to_recorded()))
        });
        // Copies taken after the instant do not contain it.
        self.snapshots.retain(|s| s.cluster.now() <= at);
        self.advance(at);
        Ok(index)
    }

    /// What the client of stream `index` sent on its stdin (`None`: it closed it), given to the process now.
    pub fn send_to_stream(&mut self, index: usize, sent: Option<&str>) {
        self.key_step(index, sent);
        self.advance(self.live.now());
    }

    /// The client of stream `index` went away: what still runs is interrupted.
    pub fn close_stream(&mut self, index: usize) {
        self.interrupt_step(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::exec::open_stream;
    use crate::scenario::Scenario;
    use crate::time::SimTime;

    const WEB: &str = include_str!("../../../../examples/web.yaml");

    /// Opens a stream as serve-api would for `query` on web-0's `exec`.
    fn open(timeline: &mut Timeline, query: &str) -> Result<usize, Value> {
        let request = Request {
            method: "GET",
            path: "/api/v1/namespaces/default/pods/web-0/exec",
            query,
            ..Request::default()
        };
        let exec = open_stream(timeline.cluster(), &request)
            .expect("an exec path")
            .expect("web-0 runs");
        timeline.open_stream(&request, &exec)
    }

    /// A file in web-0's container, as `cat` in it would read it.
    fn file(timeline: &Timeline, path: &str) -> Option<String> {
        let mut cluster = timeline.cluster().clone();
        let key = crate::ObjectKey::new("default", "web-0");
        let pod = cluster
            .store()
            .get::<k8s_openapi::api::core::v1::Pod>(&key)
            .cloned()?;
        let store = cluster.store().clone();
        let fs = crate::container::ContainerFs::new(cluster.vfs_mut(), &store, &pod, "nginx");
        fs.read(path).ok()
    }

    #[test]
    fn what_a_client_types_into_a_shell_is_kept_and_replays_at_its_instants() {
        let mut timeline = Timeline::from_scenario(&Scenario::parse(WEB).unwrap());
        timeline.seek(SimTime::from_secs(60));
        let step = open(
            &mut timeline,
            "command=sh&stdin=true&stdout=true&stderr=true",
        )
        .unwrap();
        // Without a tty, the shell reads what is piped to it once the client closes its input.
        timeline.seek(SimTime::from_secs(61));
        timeline.send_to_stream(step, Some("echo typed > /tmp/x; hostna"));
        timeline.send_to_stream(step, Some("me\n"));
        timeline.seek(SimTime::from_secs(62));
        assert!(timeline.step_output(step).unwrap().1, "it reads on");
        timeline.send_to_stream(step, None);
        let (output, running) = timeline.step_output(step).unwrap();
        assert!(!running);
        assert_eq!((output.stdout.as_str(), output.exit_code), ("web-0\n", 0));
        assert_eq!(file(&timeline, "/tmp/x").as_deref(), Some("typed\n"));
        let recorded = &timeline.branch().steps[step];
        assert_eq!(recorded.terminal, format!("stream {step}"));
        assert_eq!(recorded.stdin.len(), 3);
        assert_eq!(recorded.stdin[2].after, Some(SimTime::from_secs(2)));

        // Back before the stream opened the file is not there; forward again, the step replays it.
        timeline.seek(SimTime::from_secs(30));
        assert_eq!(file(&timeline, "/tmp/x"), None);
        timeline.seek(SimTime::from_secs(70));
        assert_eq!(file(&timeline, "/tmp/x").as_deref(), Some("typed\n"));
        assert_eq!(timeline.step_output(step).unwrap().0.stdout, "web-0\n");
    }

    #[test]
    fn a_terminal_echoes_keys_ends_lines_in_crlf_and_a_failed_command_reports_its_code() {
        let mut timeline = Timeline::from_scenario(&Scenario::parse(WEB).unwrap());
        timeline.seek(SimTime::from_secs(60));
        let step = open(&mut timeline, "command=sh&stdin=true&stdout=true&tty=true").unwrap();
        timeline.send_to_stream(step, Some("ech"));
        timeline.send_to_stream(step, Some("o x\u{7f}hi\r"));
        timeline.send_to_stream(step, Some("exit 4\r"));
        let (output, running) = timeline.step_output(step).unwrap();
        assert!(!running);
        // dash's prompt, the keys echoed as typed (the erased x wiped), then what the line printed.
        assert_eq!(output.stdout, "# echo x\u{8} \u{8}hi\r\nhi\r\n# exit 4\r\n");
        assert_eq!(output.exit_code, 4);

        let refused = open(&mut timeline, "command=nosuch&stdout=true").unwrap_err();
        assert_eq!(refused["reason"], "InternalError");
        assert!(refused["message"]
            .as_str()
            .unwrap()
            .starts_with("Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec"));
        assert_eq!(
            timeline.branch().steps.len(),
            step + 1,
            "a refused stream ran nothing and is not kept"
        );
    }

    #[test]
    fn a_stream_step_in_a_scenario_file_replays_what_its_client_sent() {
        let text = WEB.replace(
            "until: 120s",
            r#"  - at: 100s
    terminal: stream 7
    request: {method: GET, path: /api/v1/namespaces/default/pods/web-0/exec,
              query: command=sh&stdin=true&stdout=true&stderr=true}
    stdin: [{after: 1s, line: "echo hi > /tmp/x; cat /tmp/x\n"}, {after: 2s}]
  - at: 110s
    run: kubectl exec web-0 -- cat /tmp/x
until: 120s"#,
        );
        let scenario = Scenario::parse(&text).expect("a stream step parses");
        let mut outputs = Vec::new();
        scenario.run(|record| {
            if let crate::scenario::Record::Command {
                command, output, ..
            } = record
            {
                outputs.push((command, output.stdout, output.exit_code));
            }
        });
        let last: Vec<_> = outputs.iter().rev().take(2).rev().cloned().collect();
        assert_eq!(
            last,
            [
                (
                    "GET /api/v1/namespaces/default/pods/web-0/exec?command=sh&stdin=true&stdout=true&stderr=true".to_string(),
                    "hi\n".to_string(),
                    0
                ),
                ("kubectl exec web-0 -- cat /tmp/x".to_string(), "hi\n".to_string(), 0),
            ]
        );
        assert_eq!(
            Scenario::parse(&scenario.to_yaml()).unwrap(),
            scenario,
            "it round-trips"
        );
    }
}
