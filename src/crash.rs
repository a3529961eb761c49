//! A panic must never leave a dead page: the hook writes a banner with the message straight into the DOM
//! (the reactive runtime may be unusable after a panic) and offers a reload.

use wasm_bindgen::prelude::{wasm_bindgen, Closure};
use wasm_bindgen::JsCast;

use crate::i18n::{Lang, T};

pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&format!("Ordinal crashed: {message}").into());
        show_crash_banner(&message);
    }));
}

fn show_crash_banner(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else { return };
    let banner = document.get_element_by_id("crash-banner").or_else(|| {
        let banner = document.create_element("div").ok()?;
        banner.set_id("crash-banner");
        banner.set_attribute("role", "alert").ok()?;
        body.prepend_with_node_1(&banner).ok()?;
        Some(banner)
    });
    let Some(banner) = banner else { return };
    // Text only: the message may contain user input and must never be parsed as HTML.
    banner.set_text_content(None);
    let title = document.create_element("strong").ok();
    let detail = document.create_element("pre").ok();
    let reload = document.create_element("button").ok();
    // The language from `<html lang>`, not from the reactive runtime, which may be what panicked.
    let lang = Lang::from_code(
        &document
            .document_element()
            .and_then(|root| root.get_attribute("lang"))
            .unwrap_or_default(),
    );
    if let (Some(title), Some(detail), Some(reload)) = (title, detail, reload) {
        title.set_text_content(Some(T::CrashTitle.in_lang(lang)));
        detail.set_text_content(Some(message));
        reload.set_text_content(Some(T::ReloadPage.in_lang(lang)));
        // A listener, not an `onclick` attribute: the page's Content-Security-Policy refuses inline handlers.
        let reload_page = Closure::<dyn Fn()>::new(|| {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
        let _ =
            reload.add_event_listener_with_callback("click", reload_page.as_ref().unchecked_ref());
        // The banner stays until the page is reloaded, and with it the listener.
        reload_page.forget();
        let _ = banner.append_child(&title);
        let _ = banner.append_child(&reload);
        let _ = banner.append_child(&detail);
    }
}

/// Raises a panic on purpose, so the end-to-end tests can check that the banner replaces a dead page.
#[wasm_bindgen]
pub fn raise_test_panic() {
    panic!("a test asked for a panic");
}
