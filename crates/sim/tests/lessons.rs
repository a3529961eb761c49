//! Every lesson file of `lessons/`: it parses, starts from an example that exists, can be done step by step
//! with "Do it for me" within ten minutes of simulated time each, is not done before its command runs, and its
//! checks name only objects its cluster has when the step is done (a check on a pod that never exists would
//! wait for ever; one that denies something of a missing object would hold for nothing).

// The lessons read `examples/` from disk; the same core runs them in the browser through the page's tests.
#![cfg(not(target_arch = "wasm32"))]

use ordinal_sim::lesson::{catalogue, Doing, Lab, Lesson, StepStart};
use ordinal_sim::scenario::{Action, Scenario};
use ordinal_sim::timeline::Timeline;
use ordinal_sim::SimTime;

fn scenario_of(lesson: &Lesson) -> Scenario {
    let path = format!(
        "{}/../../examples/{}.yaml",
        env!("CARGO_MANIFEST_DIR"),
        lesson.preset
    );
    let yaml = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: preset {}: {e}", lesson.id, lesson.preset));
    Scenario {
        steps: Vec::new(),
        ..Scenario::parse(&yaml).unwrap()
    }
}

/// Runs a lesson as a learner who does every step with "Do it".
fn run_through(lesson: &Lesson) {
    let mut timeline = Timeline::from_scenario(&scenario_of(lesson));
    for (index, step) in lesson.steps.iter().enumerate() {
        let start = StepStart::of(timeline.cluster(), &lesson.namespace);
        let lab = |timeline: &'_ Timeline, commands: &'_ [(SimTime, String)]| -> bool {
            Lab {
                cluster: timeline.cluster(),
                namespace: &lesson.namespace,
                start: &start,
                commands,
            }
            .done(step)
        };
        let mut commands = Vec::new();
        if let Some(command) = step.doing.command() {
            assert!(
                !lab(&timeline, &[]),
                "{} step {index} is done before it is done",
                lesson.id
            );
            for part in step.done.commands() {
                assert!(
                    command.contains(part),
                    "{} step {index} waits for `{part}`, which its own command does not run",
                    lesson.id
                );
            }
            let ran = timeline.now();
            let mut output = timeline.act(Action::Run(command.to_string()));
            // A command that waits (`run -i`, `delete`) runs on as the clock moves, as on the page.
            while timeline.is_following() {
                assert!(
                    timeline.step().is_some(),
                    "{} step {index}: {command} never ends",
                    lesson.id
                );
                if let Some(more) = timeline.take_followed() {
                    output.stderr.push_str(&more.stderr);
                    output.exit_code = more.exit_code.unwrap_or(output.exit_code);
                }
            }
            assert_eq!(
                output.exit_code, 0,
                "{} step {index}: {command}: {}",
                lesson.id, output.stderr
            );
            commands.push((ran, command.to_string()));
        }
        let deadline = timeline.now().plus_millis(600_000);
        while !lab(&timeline, &commands) {
            let moved = timeline.step().is_some();
            assert!(
                moved && timeline.now() < deadline,
                "{} step {index} never gets done",
                lesson.id
            );
        }
        if let Doing::RunThenWatch { secs, .. } = step.doing {
            let (ran, _) = commands[0];
            assert!(
                timeline.now() >= ran.plus_secs(secs),
                "{} step {index} is done before its watch is over",
                lesson.id
            );
        }
        let lab = Lab {
            cluster: timeline.cluster(),
            namespace: &lesson.namespace,
            start: &start,
            commands: &commands,
        };
        for named in step.done.names() {
            assert!(
                lab.exists(&named),
                "{} step {index} checks {named:?}, which the cluster does not have",
                lesson.id
            );
        }
    }
}

#[test]
fn every_lesson_can_be_done_step_by_step() {
    let lessons = catalogue().unwrap();
    assert!(
        lessons.len() >= 8,
        "the lessons of lessons/ are all embedded"
    );
    for lesson in &lessons {
        run_through(lesson);
    }
}

#[test]
fn a_lesson_file_that_breaks_the_rules_is_refused_with_its_name() {
    let good = include_str!("../../../lessons/1-identity.yaml");
    let unknown_check = good.replacen("recreated: web-0", "reborn: web-0", 1);
    let error = Lesson::parse("x.yaml", &unknown_check)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("x.yaml: ") && error.contains("reborn"),
        "{error}"
    );
    let wrong_answer = good.replacen("answer: 1", "answer: 7", 1);
    assert_eq!(
        Lesson::parse("x.yaml", &wrong_answer)
            .unwrap_err()
            .to_string(),
        "x.yaml: step 0's answer is not one of its choices"
    );
}

#[test]
fn a_check_on_a_pod_that_never_exists_is_caught() {
    let mut lesson =
        Lesson::parse("x.yaml", include_str!("../../../lessons/3-order.yaml")).unwrap();
    // A rollout of a set the lesson's cluster does not have can never be seen over: the run-through must
    // refuse the step.
    lesson.steps.truncate(1);
    lesson.steps[0].done = ordinal_sim::lesson::Check::All(vec![
        ordinal_sim::lesson::Check::Ready(vec!["web-0".into()]),
        ordinal_sim::lesson::Check::UpdateDone("nosuchset".into()),
    ]);
    let refused = std::panic::catch_unwind(|| run_through(&lesson)).unwrap_err();
    let message = refused.downcast_ref::<String>().unwrap();
    assert!(message.contains("order step 0"), "{message}");
}
