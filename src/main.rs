//! Ordinal in the browser: a Leptos page over the simulation core.

mod app;
mod autosave;
mod bindings;
mod comfort;
mod console;
mod crash;
mod details;
mod editor;
mod embed;
mod field_line;
mod i18n;
mod lessons;
mod linking;
mod player;
mod presets;
mod seeking;
mod share;
mod stage;
mod view_model;
mod workspace;

fn main() {
    crash::install_panic_hook();
    leptos::mount::mount_to_body(app::App);
}
