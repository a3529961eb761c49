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
    if embed::options().is_some() {
        leptos::mount::mount_to_body(app::App);
        return;
    }
    // Which saved work is this tab's is settled with the other tabs (Web Locks) before the page is drawn.
    wasm_bindgen_futures::spawn_local(async {
        autosave::start(app::address_fits).await;
        leptos::mount::mount_to_body(app::App);
    });
}
