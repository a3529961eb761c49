//! Ordinal in the browser: a Leptos page over the simulation core.

// The shell: the page's frame, what it has open, its languages, its comforts and its crash banner.
mod app;
mod comfort;
mod crash;
mod i18n;
mod workspace;

// The page's regions.
mod classroom;
mod console;
mod editor;
mod sharing;
mod stage;
mod time;

fn main() {
    crash::install_panic_hook();
    if sharing::embed::options().is_some() {
        leptos::mount::mount_to_body(app::App);
        return;
    }
    // Which saved work is this tab's is settled with the other tabs (Web Locks) before the page is drawn.
    wasm_bindgen_futures::spawn_local(async {
        sharing::autosave::start(app::address_fits).await;
        leptos::mount::mount_to_body(app::App);
    });
}
