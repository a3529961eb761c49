//! The lines from each claim to the PersistentVolume it is bound to, drawn over the stage. They follow the
//! layout, not the simulation: they are drawn again after every redraw of the stage and on a resize, from
//! where the claim and the volume happen to be on the page.

use leptos::prelude::*;
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// Above this many claims on the stage the lines would be a thicket: the claims name their volume instead.
pub const MOST_LINES: usize = 200;

/// An SVG layer over `stage` (its positioned parent) with one curve per binding: solid when the claim is Bound,
/// dashed while it is not. A Released volume has no claim to draw to. `drawn` says whether there are lines to
/// draw, and changes whenever the stage has been redrawn.
#[component]
pub fn BindingLines(stage: NodeRef<leptos::html::Div>, drawn: Signal<bool>) -> impl IntoView {
    let layer = NodeRef::<leptos::svg::Svg>::new();
    let draw = move || {
        if let (Some(stage), Some(layer)) = (stage.get_untracked(), layer.get_untracked()) {
            layer.set_inner_html(&paths(&stage));
        }
    };
    // After the effects of this redraw have reached the DOM and before the browser paints. Without lines to
    // draw, the stage's layout is not read at all: with a thousand slots that is what would cost.
    Effect::new(move |was_drawn: Option<bool>| {
        let drawn = drawn.get();
        if drawn || was_drawn == Some(true) {
            request_animation_frame(draw);
        }
        drawn
    });
    let _ = window_event_listener(leptos::ev::resize, move |_| draw());
    view! { <svg class="bindings" aria-hidden="true" node_ref=layer></svg> }
}

/// The curves between `.claim[data-volume]` and `.volume[data-pv]` elements inside `stage`, in its coordinates.
fn paths(stage: &web_sys::HtmlDivElement) -> String {
    let claims = elements(stage, ".claim[data-volume]");
    let origin = stage.get_bounding_client_rect();
    let volumes: HashMap<String, web_sys::DomRect> = elements(stage, ".volume[data-pv]")
        .into_iter()
        .filter_map(|v| Some((v.get_attribute("data-pv")?, v.get_bounding_client_rect())))
        .collect();
    claims
        .into_iter()
        .filter_map(|claim| {
            let volume = claim.get_attribute("data-volume")?;
            let to = volumes.get(&volume)?;
            let from = claim.get_bounding_client_rect();
            let bound = claim.get_attribute("data-phase").as_deref() == Some("Bound");
            let (x1, y1) = (
                from.left() - origin.left() + 12.0,
                from.bottom() - origin.top(),
            );
            let (x2, y2) = (
                to.left() - origin.left() + to.width() / 2.0,
                to.top() - origin.top(),
            );
            let bend = ((y2 - y1) / 2.0).max(24.0);
            // Names are validated by the core, and escaped here all the same: this string is parsed as markup.
            let claim_name = escape_attribute(&claim.get_attribute("data-claim").unwrap_or_default());
            let volume = escape_attribute(&volume);
            Some(format!(
                r#"<path class="binding {}" data-from-claim="{claim_name}" data-to-pv="{volume}" d="M{x1:.1} {y1:.1} C{x1:.1} {:.1} {x2:.1} {:.1} {x2:.1} {y2:.1}"/>"#,
                if bound { "bound" } else { "pending" },
                y1 + bend,
                y2 - bend,
            ))
        })
        .collect()
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn elements(root: &web_sys::HtmlDivElement, selector: &str) -> Vec<web_sys::Element> {
    let Ok(found) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|i| found.item(i)?.dyn_into::<web_sys::Element>().ok())
        .collect()
}
