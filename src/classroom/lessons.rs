//! Guided lessons, as the page shows them. The lessons themselves are data (`lessons/*.yaml`, read by the
//! core's `lesson` module): each step says what to do (and can do it), asks the learner to predict what will
//! happen before it is revealed, and the core says when it is done by looking at the cluster, not at the
//! clock. Progress, with the cluster as it was, is kept in the browser, so a reload continues where the
//! learner was.

use std::sync::OnceLock;

use leptos::prelude::*;
use ordinal_sim::view::lesson::{
    catalogue, Current, Doing, Lab, Lesson, Progress, Step, StepStart, Text,
};
use ordinal_sim::view::{Action, Scenario, SimTime};

use crate::console::{EntryView, Source, Terminal};
use crate::i18n::{lang, t, Lang, T};
use crate::time::player::Playback;
use crate::workspace::Workspace;

fn say(text: &Text) -> &str {
    match lang() {
        Lang::En => &text.en,
        Lang::Zh => &text.zh,
    }
}

/// Every lesson of `lessons/`, read once.
fn lessons() -> &'static [Lesson] {
    static LESSONS: OnceLock<Vec<Lesson>> = OnceLock::new();
    LESSONS.get_or_init(|| {
        catalogue().expect("lessons/ parse: crates/sim/tests/lessons.rs checks them")
    })
}

/// Where a learner is: the lesson, the step, what they predicted, whether the step has been seen done.
#[derive(Clone, Debug, PartialEq)]
struct Place {
    lesson: usize,
    step: usize,
    predicted: Option<usize>,
    done: bool,
}

const PROGRESS_KEY: &str = "ordinal.lessons";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Lessons finished, and the one under way with the cluster as it was.
fn saved_progress() -> Progress {
    storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .map(|json| Progress::read(&json))
        .unwrap_or_default()
}

fn save_progress(progress: &Progress) {
    if let Some(storage) = storage() {
        // A full or refused storage loses the progress, not the lesson: the learner can go on.
        let _ = storage.set_item(PROGRESS_KEY, &progress.to_json());
    }
}

#[component]
pub fn Lessons() -> impl IntoView {
    let workspace = expect_context::<Workspace>();
    let playback = expect_context::<Playback>();
    let terminal = expect_context::<Terminal>();
    let simulation = workspace.simulation;
    let place = RwSignal::new(None::<Place>);
    let progress = RwSignal::new(saved_progress());
    // What a step's check measures against, and the console's length when the step began.
    let step_start = StoredValue::new((StepStart::default(), 0usize));

    let begin_step = move |lesson: &Lesson| {
        let start = simulation
            .timeline
            .with_value(|t| StepStart::of(t.cluster(), &lesson.namespace));
        step_start.set_value((start, terminal.entries.with_untracked(Vec::len)));
    };
    let remember = move |at: &Place| {
        let state =
            crate::sharing::share::state_json(&crate::sharing::share::current_state(workspace));
        progress.update(|p| {
            p.current = Some(Current {
                lesson: lessons()[at.lesson].id.clone(),
                step: at.step,
                state,
            });
        });
        save_progress(&progress.get_untracked());
    };
    let start = move |index: usize| {
        let lesson = &lessons()[index];
        let Some(preset) = super::presets::find(&lesson.preset) else {
            return;
        };
        let scenario = Scenario {
            steps: Vec::new(),
            ..super::presets::scenario_of(preset)
        };
        workspace.open(&scenario, SimTime::ZERO, None);
        begin_step(lesson);
        let at = Place {
            lesson: index,
            step: 0,
            predicted: None,
            done: false,
        };
        remember(&at);
        place.set(Some(at));
    };
    let resume = move || {
        let current = progress.get_untracked().current?;
        let lesson = lessons().iter().position(|l| l.id == current.lesson)?;
        let state = crate::sharing::share::read_state(&current.state).ok()?;
        workspace.open(&state.scenario, state.at, state.editor);
        begin_step(&lessons()[lesson]);
        place.set(Some(Place {
            lesson,
            step: current.step.min(lessons()[lesson].steps.len() - 1),
            predicted: None,
            done: false,
        }));
        Some(())
    };

    // The console's entries since the step began: what its check reads, and what the step shows.
    let step_entries = move || {
        let from = step_start.with_value(|(_, from)| *from);
        terminal
            .entries
            .with(|entries| entries.get(from..).unwrap_or_default().to_vec())
    };
    // Reads the step as the cluster is now: whether it is done, and how long it has waited.
    let look = move |lesson: &'static Lesson, step: &'static Step| {
        let commands: Vec<(SimTime, String)> = step_entries()
            .into_iter()
            .map(|e| (e.instant, e.command))
            .collect();
        simulation.read(|timeline| {
            step_start.with_value(|(start, _)| {
                let lab = Lab {
                    cluster: timeline.cluster(),
                    namespace: &lesson.namespace,
                    start,
                    commands: &commands,
                };
                (lab.done(step), lab.waiting(&step.doing))
            })
        })
    };

    // The check, whenever the cluster or the console changes.
    Effect::new(move |_| {
        let Some(at) = place.get() else { return };
        if at.done {
            return;
        }
        let lesson = &lessons()[at.lesson];
        let (done, _) = look(lesson, &lesson.steps[at.step]);
        if done {
            playback.playing.set(false);
            place.set(Some(Place { done: true, ..at }));
        }
    });

    let next = move || {
        let Some(at) = place.get_untracked() else {
            return;
        };
        let lesson = &lessons()[at.lesson];
        if at.step + 1 < lesson.steps.len() {
            begin_step(lesson);
            let following = Place {
                step: at.step + 1,
                predicted: None,
                done: false,
                ..at
            };
            remember(&following);
            place.set(Some(following));
            playback.playing.set(true);
        } else {
            progress.update(|p| p.finish(&lesson.id));
            save_progress(&progress.get_untracked());
            place.set(None);
        }
    };
    // The cluster plays while a step unfolds, whoever ran its command; it pauses at the reveal, to be read.
    let do_it = move |doing: &Doing| {
        if let Some(command) = doing.command() {
            terminal.run(simulation, Action::Run(command.into()), Source::Lesson);
        }
        playback.playing.set(true);
    };

    view! {
        <div class="lessons" role="tabpanel">
            {move || match place.get() {
                None => view! { <LessonList progress=progress start=start resume=resume/> }.into_any(),
                Some(at) => {
                    let lesson = &lessons()[at.lesson];
                    let step = &lesson.steps[at.step];
                    let doing = &step.doing;
                    view! {
                        <article class="lesson" data-lesson=lesson.id.clone() data-step=at.step data-done=at.done.to_string()>
                            <h3>
                                {say(&lesson.title)}
                                <small>{format!(" · {} / {}", at.step + 1, lesson.steps.len())}</small>
                            </h3>
                            <p class="task">{say(&step.task)}</p>
                            <fieldset class="predict" disabled=at.done>
                                <legend>{t(T::Predict)} " " {say(&step.predict.question)}</legend>
                                {step.predict.choices.iter().enumerate().map(|(index, choice)| {
                                    let chosen = at.predicted == Some(index);
                                    let verdict = if !at.done || at.predicted.is_none() {
                                        ""
                                    } else if index == step.predict.answer {
                                        "right"
                                    } else if chosen {
                                        "wrong"
                                    } else {
                                        ""
                                    };
                                    view! {
                                        <label class=format!("choice {verdict}")>
                                            <input type="radio" name="prediction" prop:checked=chosen
                                                on:change=move |_| place.update(|p| if let Some(p) = p { p.predicted = Some(index) })/>
                                            " " {say(choice)}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                            {match (at.predicted, at.done) {
                                (None, _) => view! { <p class="hint">{t(T::PredictFirst)}</p> }.into_any(),
                                (Some(_), false) => {
                                    // Once the step's command has run, by "Do it" or by hand, running it again
                                    // would undo what the step waits for (a second rollback rolls forward).
                                    let waiting = Memo::new(move |_| look(lesson, step).1);
                                    // A step that only plays is under way as soon as the clock runs.
                                    let spent = move || {
                                        waiting.with(Option::is_some)
                                            || (*doing == Doing::Play && playback.playing.get())
                                    };
                                    view! {
                                        <button class="do-it" disabled=spent on:click=move |_| do_it(doing)>
                                            {t(T::DoItForMe)}
                                        </button>
                                        {move || match waiting.get() {
                                            Some((waited, watch)) => view! {
                                                <p class="waiting" role="status">{crate::i18n::step_waiting(waited, watch)}</p>
                                            }.into_any(),
                                            None => view! { <p class="hint">{t(T::OrDoItYourself)}</p> }.into_any(),
                                        }}
                                    }.into_any()
                                }
                                (Some(predicted), true) => view! {
                                    <p class="reveal" role="status">
                                        <strong>{t(if predicted == step.predict.answer { T::YouWereRight } else { T::NotQuite })}</strong>
                                        " " {say(&step.predict.why)}
                                    </p>
                                    <button class="next" on:click=move |_| next()>
                                        {t(if at.step + 1 < lesson.steps.len() { T::NextStep } else { T::FinishLesson })}
                                    </button>
                                }.into_any(),
                            }}
                            // What the step's commands printed, beside it: the learner is looking here, not at the
                            // Console tab.
                            {move || {
                                let entries = step_entries();
                                (!entries.is_empty()).then(|| view! {
                                    <ol class="entries step-output" aria-live="polite">
                                        {entries.into_iter().map(|entry| view! { <EntryView entry=entry/> }).collect_view()}
                                    </ol>
                                })
                            }}
                            <button class="leave" on:click=move |_| place.set(None)>{t(T::AllLessons)}</button>
                        </article>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}

#[component]
fn LessonList(
    progress: RwSignal<Progress>,
    start: impl Fn(usize) + Copy + Send + Sync + 'static,
    resume: impl Fn() -> Option<()> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let under_way = move || {
        progress.with(|p| {
            let id = &p.current.as_ref()?.lesson;
            lessons().iter().find(|l| &l.id == id)
        })
    };
    view! {
        <ul class="lesson-list">
            {move || under_way().map(|lesson| view! {
                <li>
                    <button class="resume" on:click=move |_| { let _ = resume(); }>
                        {t(T::Continue)} " " {say(&lesson.title)}
                    </button>
                </li>
            })}
            {lessons().iter().enumerate().map(|(index, lesson)| view! {
                <li>
                    <button class="start" data-lesson=lesson.id.clone() on:click=move |_| start(index)>
                        {move || say(&lesson.title)}
                    </button>
                    {move || progress.with(|p| p.is_finished(&lesson.id)).then(|| view! { <span class="finished">" ✓ " {t(T::Finished)}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
}
