//! Keyboard shortcuts with a `?` overlay, the theme and the motion switch. Preferences live in the browser's
//! localStorage and show as attributes on `<html>` that the style sheet reads.

use leptos::ev;
use leptos::prelude::*;
use ordinal_sim::view::SimTime;

use crate::app::Simulation;
use crate::i18n::{t, LanguagePicker, T};
use crate::time::player::{Playback, SPEEDS};
use crate::time::seeking::Seeker;

/// The keys, as printed on a keyboard (Space in the page's language), and what they do.
const SHORTCUTS: &[(Option<&str>, T)] = &[
    (None, T::ShortcutPlay),
    (Some("→"), T::ShortcutStep),
    (Some("←"), T::ShortcutBack),
    (Some("Shift + ← / →"), T::ShortcutJump),
    (Some("Home / End"), T::ShortcutEnds),
    (Some("+ / −"), T::ShortcutSpeed),
    (Some("?"), T::ShortcutHelp),
];

/// Whether a key press belongs to a field the user is typing in (the editor, the console, a filter).
fn typing_in_a_field(event: &ev::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|element| {
            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || element
                    .closest("[contenteditable=true], .editor")
                    .ok()
                    .flatten()
                    .is_some()
        })
}

fn nudge_speed(playback: Playback, faster: bool) {
    let current = playback.speed.get_untracked();
    let index = SPEEDS.iter().position(|s| *s == current).unwrap_or(2);
    let next = if faster {
        (index + 1).min(SPEEDS.len() - 1)
    } else {
        index.saturating_sub(1)
    };
    playback.speed.set(SPEEDS[next]);
}

/// Whether the shortcuts overlay is open.
#[derive(Clone, Copy)]
pub struct Help(pub RwSignal<bool>);

#[component]
pub fn Shortcuts() -> impl IntoView {
    let simulation = expect_context::<Simulation>();
    let playback = expect_context::<Playback>();
    let Help(help) = expect_context::<Help>();
    let seeker = expect_context::<Seeker>();
    let seek_by = move |delta_ms: i64| {
        let target = simulation.timeline.with_value(|timeline| {
            let target = timeline.now().as_millis() as i64 + delta_ms;
            let end = timeline.branch().horizon.max(timeline.now()).as_millis() as i64;
            // Forward past the furthest instant runs the simulation on; backward stops at zero.
            if delta_ms > 0 {
                target
            } else {
                target.clamp(0, end)
            }
        });
        seeker.seek(SimTime::from_millis(target as u64));
    };
    let handle = window_event_listener(ev::keydown, move |event| {
        if typing_in_a_field(&event) || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        let shift = event.shift_key();
        let handled = match event.key().as_str() {
            " " => {
                playback.playing.update(|p| *p = !*p);
                true
            }
            "ArrowRight" if shift => {
                seek_by(10_000);
                true
            }
            "ArrowRight" => {
                playback.playing.set(false);
                simulation.update(|timeline| timeline.step());
                true
            }
            "ArrowLeft" => {
                seek_by(if shift { -10_000 } else { -1_000 });
                true
            }
            "Home" => {
                seek_by(i64::MIN / 2);
                true
            }
            "End" => {
                seeker.seek(
                    simulation
                        .timeline
                        .with_value(|t| t.branch().horizon.max(t.now())),
                );
                true
            }
            "+" | "=" => {
                nudge_speed(playback, true);
                true
            }
            "-" | "_" => {
                nudge_speed(playback, false);
                true
            }
            "?" => {
                help.update(|h| *h = !*h);
                true
            }
            "Escape" if help.get_untracked() => {
                help.set(false);
                true
            }
            _ => false,
        };
        if handled {
            event.prevent_default();
        }
    });
    on_cleanup(move || handle.remove());
    view! {
        <Show when=move || help.get()>
            <div class="overlay" role="dialog" aria-modal="true" aria-label=move || t(T::KeyboardShortcuts) on:click=move |_| help.set(false)>
                <div class="help" on:click=|event| event.stop_propagation()>
                    <h2>{move || t(T::KeyboardShortcuts)}</h2>
                    <dl>
                        {SHORTCUTS
                            .iter()
                            .map(|(keys, what)| {
                                let keys = *keys;
                                let what = *what;
                                view! {
                                    <dt><kbd>{move || keys.unwrap_or_else(|| t(T::KeySpace))}</kbd></dt>
                                    <dd>{move || t(what)}</dd>
                                }
                            })
                            .collect_view()}
                    </dl>
                    <button class="close" on:click=move |_| help.set(false)>{move || t(T::Close)}</button>
                </div>
            </div>
        </Show>
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// A choice kept in localStorage and mirrored as `data-<name>` on `<html>`.
fn preference(name: &'static str, default: &'static str) -> RwSignal<String> {
    let stored = local_storage()
        .and_then(|s| s.get_item(&format!("ordinal.{name}")).ok().flatten())
        .unwrap_or_else(|| default.to_string());
    let choice = RwSignal::new(stored);
    Effect::new(move |_| {
        let value = choice.get();
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(&format!("ordinal.{name}"), &value);
        }
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute(&format!("data-{name}"), &value);
        }
    });
    choice
}

/// A checkbox for a two-valued preference: `values` is (checked, unchecked).
fn switch(
    label: T,
    title: T,
    choice: RwSignal<String>,
    values: (&'static str, &'static str),
) -> impl IntoView {
    let (on, off) = values;
    view! {
        <label class="switch" title=move || t(title)>
            <input
                type="checkbox"
                aria-label=move || t(label)
                prop:checked=move || choice.get() == on
                on:change=move |ev| choice.set(if event_target_checked(&ev) { on } else { off }.into())
            />
            " " {move || t(label)}
        </label>
    }
}

/// Light, dark or the system's theme; motion as the system prefers, or reduced; presenter mode, which
/// enlarges everything for a projector.
#[component]
pub fn Preferences() -> impl IntoView {
    let help = expect_context::<Help>();
    let theme = preference("theme", "system");
    let motion = preference("motion", "system");
    let presenter = preference("presenter", "off");
    view! {
        <div class="preferences">
            <LanguagePicker/>
            <label>
                <span class="visually-hidden">{move || t(T::Theme)}</span>
                <select aria-label=move || t(T::Theme) prop:value=move || theme.get() on:change=move |ev| theme.set(event_target_value(&ev))>
                    <option value="system">{move || t(T::ThemeSystem)}</option>
                    <option value="light">{move || t(T::ThemeLight)}</option>
                    <option value="dark">{move || t(T::ThemeDark)}</option>
                </select>
            </label>
            {switch(T::ReduceMotion, T::ReduceMotionTitle, motion, ("reduce", "system"))}
            {switch(T::Presenter, T::PresenterTitle, presenter, ("on", "off"))}
            <button class="help-button" aria-label=move || t(T::KeyboardShortcutsButton) title=move || t(T::KeyboardShortcutsButton) on:click=move |_| help.0.update(|h| *h = !*h)>"?"</button>
        </div>
    }
}
