//! Share links, exports and imports. A link carries the state `ordinal_sim::view::share` writes and reads, which
//! web/share.js compresses into the address's fragment; opening one rebuilds the page from it, paused at that
//! moment. Exports are the scenario file (what
//! `ordinal run` reads), the console's transcript, the events as `kubectl get events -o json` prints them, and
//! a picture of the stage.

use leptos::prelude::*;
use leptos::task::spawn_local;
pub use ordinal_sim::view::share::{state_json, SharedState};
use ordinal_sim::view::share::{StateError, STATE_VERSION};
use ordinal_sim::view::{go_duration, kubectl, Scenario, SimTime};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::console::Terminal;
use crate::i18n::{lang, t, Lang, T};
use crate::workspace::Workspace;

/// A scenario file to import: far beyond any written by hand.
const MOST_IMPORTED_BYTES: f64 = 1024.0 * 1024.0;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = OrdinalShare, js_name = encode)]
    fn encode_state(json: &str) -> js_sys::Promise;

    #[wasm_bindgen(js_namespace = OrdinalShare, js_name = decode)]
    fn decode_state(fragment: &str) -> js_sys::Promise;

    #[wasm_bindgen(js_namespace = OrdinalShare)]
    fn download(filename: &str, mime: &str, text: &str);

    #[wasm_bindgen(js_namespace = OrdinalShare, js_name = pictureSvg)]
    fn picture_svg(element: &web_sys::Element) -> String;

    #[wasm_bindgen(js_namespace = OrdinalShare, js_name = copyText)]
    fn copy_text(text: &str) -> js_sys::Promise;

    #[wasm_bindgen(js_namespace = OrdinalShare, js_name = readFile)]
    fn read_file(input: &JsValue, most_bytes: f64) -> js_sys::Promise;
}

/// Why the share link in the address could not be opened, shown until dismissed.
#[derive(Clone, Copy)]
pub struct ShareProblem(pub RwSignal<Option<Problem>>);

/// Why a link or a file could not be opened, worded in the page's language when said.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// Not `#v1.…`.
    Foreign,
    /// Made by a later format (`v7`).
    Newer(String),
    /// The characters in the fragment.
    TooLong(String),
    /// The megabytes it would unpack past.
    TooBig(String),
    /// What broke, in the browser's words (`StateError::Damaged`) or the core's.
    State(StateError),
    NoFile,
    /// The file's name and its size in KB.
    FileTooBig(String),
}

/// Reads what a link carries, refusing with the reason a person can act on.
pub fn read_state(json: &str) -> Result<SharedState, Problem> {
    ordinal_sim::view::share::read_state(json).map_err(Problem::State)
}

/// Why the core refused a link's state, in the page's language.
fn state_refusal(error: &StateError, zh: bool) -> String {
    match error {
        StateError::Damaged(why) if zh => format!("它已损坏（{why}）"),
        StateError::Damaged(why) => format!("it is damaged ({why})"),
        StateError::NoVersion if zh => "它没有说明由哪个版本的 Ordinal 生成".into(),
        StateError::NoVersion => "it does not say which version of Ordinal made it".into(),
        StateError::NewerState(v) if zh => {
            format!("它由更新版本的 Ordinal 生成（状态版本 {v}，本版本读取 {STATE_VERSION}）")
        }
        StateError::NewerState(v) => format!(
            "it was made by a newer Ordinal (state version {v}; this one reads {STATE_VERSION})"
        ),
        StateError::NoScenario if zh => "它不包含场景".into(),
        StateError::NoScenario => "it holds no scenario".into(),
        StateError::BadScenario(why) if zh => format!("其中的场景被拒绝：{why}"),
        StateError::BadScenario(why) => format!("its scenario is refused: {why}"),
        StateError::NoMoment if zh => "它没有说明要显示哪个时刻".into(),
        StateError::NoMoment => "it does not say which moment to show".into(),
        StateError::TooFar(at) => {
            let at = go_duration(at.as_millis());
            if zh {
                format!("它指向模拟开始后 {at}，链接最多只能指向 24 小时以内")
            } else {
                format!("it points {at} into the simulation; a link may point at most 24 hours in")
            }
        }
        StateError::EditorNotText if zh => "其中的编辑器内容不是文本".into(),
        StateError::EditorNotText => "its editor text is not text".into(),
        StateError::BadHistory(why) if zh => format!("其中的历史被拒绝：{why}"),
        StateError::BadHistory(why) => format!("its history is refused: {why}"),
    }
}

impl Problem {
    /// From web/share.js's `{ problem, detail }`.
    fn from_js(problem: &str, detail: String) -> Problem {
        match problem {
            "foreign" => Problem::Foreign,
            "newer" => Problem::Newer(detail),
            "too-long" => Problem::TooLong(detail),
            "too-big" => Problem::TooBig(detail),
            "no-file" => Problem::NoFile,
            "file-too-big" => Problem::FileTooBig(detail),
            _ => Problem::State(StateError::Damaged(detail)),
        }
    }

    pub fn text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Problem::Foreign if zh => "它不是 Ordinal 的分享链接".into(),
            Problem::Foreign => "it is not an Ordinal share link".into(),
            Problem::Newer(v) if zh => {
                format!("它由更新版本的 Ordinal 生成（格式 {v}），本版本只能读取 v1")
            }
            Problem::Newer(v) => {
                format!("it was made by a newer Ordinal (format {v}); this one reads v1")
            }
            Problem::TooLong(n) if zh => format!("它有 {n} 个字符，超出了分享链接的长度上限"),
            Problem::TooLong(n) => {
                format!("it is {n} characters long, longer than a share link can be")
            }
            Problem::TooBig(mb) if zh => format!("它解压后超过 {mb} MB"),
            Problem::TooBig(mb) => format!("it unpacks to more than {mb} MB"),
            Problem::State(error) => state_refusal(error, zh),
            Problem::NoFile if zh => "没有选择文件".into(),
            Problem::NoFile => "no file was chosen".into(),
            Problem::FileTooBig(file) if zh => {
                format!(
                    "{file} KB，场景文件最多 {} KB",
                    MOST_IMPORTED_BYTES / 1024.0
                )
            }
            Problem::FileTooBig(file) => {
                format!(
                    "{file} KB; a scenario file is at most {} KB",
                    MOST_IMPORTED_BYTES / 1024.0
                )
            }
        }
    }
}

/// What the page shows now, as a link carries it.
pub fn current_state(workspace: Workspace) -> SharedState {
    let (scenario, at) = workspace
        .simulation
        .timeline
        .with_value(|t| (t.to_scenario(), t.now()));
    let editor = workspace.manifests.get_untracked();
    SharedState {
        editor: (editor != scenario.manifests).then_some(editor),
        scenario,
        at,
    }
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The address's fragment without `#`, when there is one.
fn fragment() -> Option<String> {
    let hash = location()?.hash().ok()?;
    let fragment = hash.strip_prefix('#').unwrap_or(&hash);
    (!fragment.is_empty()).then(|| fragment.to_string())
}

pub fn has_shared_state() -> bool {
    fragment().is_some()
}

/// The string a resolved promise holds, or its `field` when it holds an object; otherwise the problem its
/// `{ problem, detail }` names.
async fn settle(promise: js_sys::Promise, field: &str) -> Result<String, Problem> {
    let value = JsFuture::from(promise).await.map_err(|e| {
        Problem::State(StateError::Damaged(
            e.as_string().unwrap_or_else(|| format!("{e:?}")),
        ))
    })?;
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    let get = |key: &str| {
        js_sys::Reflect::get(&value, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    };
    if let Some(text) = get(field) {
        return Ok(text);
    }
    Err(Problem::from_js(
        &get("problem").unwrap_or_default(),
        get("detail").unwrap_or_default(),
    ))
}

/// The address of this page with the state in its fragment: the full playground, or the embedded player.
pub async fn link_to(json: &str, embed: bool) -> Result<String, Problem> {
    let fragment = settle(encode_state(json), "").await?;
    let no_address = || Problem::State(StateError::Damaged("the page has no address".into()));
    let location = location().ok_or_else(no_address)?;
    let search = location.search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&search).map_err(|_| no_address())?;
    // The state says what to show: a preset named in the address would only be overridden by it.
    params.delete("preset");
    if embed {
        params.set("embed", "");
    } else {
        params.delete("embed");
    }
    let query = String::from(params.to_string());
    let query = if query.is_empty() {
        query
    } else {
        format!("?{query}")
    };
    Ok(format!(
        "{}{}{query}#{fragment}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
    ))
}

/// The `<iframe>` that embeds what the page shows now, for a documentation page.
fn iframe_snippet(link: &str) -> String {
    let link = link.replace('&', "&amp;").replace('"', "&quot;");
    format!(
        "<iframe src=\"{link}\" title=\"Ordinal: a StatefulSet, simulated\" width=\"900\" height=\"520\" \
         style=\"border: 1px solid #d5dae3; border-radius: 8px\" loading=\"lazy\"></iframe>"
    )
}

/// Opens the state in the address's fragment, if there is one; says why not, otherwise.
pub fn open_shared_state(workspace: Workspace) {
    let Some(fragment) = fragment() else {
        return;
    };
    let ShareProblem(problem) = expect_context::<ShareProblem>();
    spawn_local(async move {
        let opened = settle(decode_state(&fragment), "json")
            .await
            .and_then(|json| read_state(&json));
        match opened {
            Ok(state) => workspace.open(&state.scenario, state.at, state.editor),
            Err(reason) => problem.set(Some(reason)),
        }
    });
}

#[component]
pub fn ShareProblemBanner() -> impl IntoView {
    let ShareProblem(problem) = expect_context::<ShareProblem>();
    view! {
        <Show when=move || problem.with(Option::is_some)>
            <div class="share-problem" role="alert">
                <p>
                    {move || t(T::ShareLinkProblem)}
                    {move || problem.with(|p| p.as_ref().map(|p| p.text(lang())))}
                    {move || t(T::ShareLinkFallback)}
                </p>
                <button on:click=move |_| problem.set(None)>{move || t(T::Dismiss)}</button>
            </div>
        </Show>
    }
}

fn transcript(terminal: Terminal) -> String {
    let entries = terminal.entries.get_untracked();
    if entries.is_empty() {
        return "# No command has been run in the console yet.\n".into();
    }
    entries
        .iter()
        .map(|e| format!("# {}\n$ {}\n{}{}", e.clock(), e.command, e.stdout, e.stderr))
        .collect::<Vec<_>>()
        .join("\n")
}

fn events_json(workspace: Workspace) -> String {
    let mut cluster = workspace
        .simulation
        .timeline
        .with_value(|t| t.cluster().clone());
    kubectl::run(&mut cluster, "kubectl get events -A -o json", "").stdout
}

/// A file name that says when: `ordinal-03m20s.yaml`.
fn file_name(workspace: Workspace, extension: &str) -> String {
    let seconds = workspace
        .simulation
        .timeline
        .with_value(|t| t.now().as_millis() / 1000);
    let name = workspace.preset.get_untracked();
    let name = if name.is_empty() {
        "ordinal".into()
    } else {
        name
    };
    format!(
        "{name}-{:02}m{:02}s.{extension}",
        seconds / 60,
        seconds % 60
    )
}

#[component]
pub fn ShareMenu() -> impl IntoView {
    let workspace = expect_context::<Workspace>();
    let terminal = expect_context::<Terminal>();
    let link = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());

    let copy_link = move |embed: bool| {
        let json = state_json(&current_state(workspace));
        spawn_local(async move {
            let Ok(address) = link_to(&json, embed).await else {
                status.set(t(T::CannotCompress).into());
                return;
            };
            let text = if embed {
                iframe_snippet(&address)
            } else {
                address
            };
            let copied = settle(copy_text(&text), "").await.is_ok();
            link.set(text);
            status.set(
                t(match (embed, copied) {
                    (false, true) => T::LinkCopied,
                    (true, true) => T::EmbedCopied,
                    (_, false) => T::CopyFromBelow,
                })
                .into(),
            );
        });
    };
    let save_scenario = move |_| {
        let scenario = workspace
            .simulation
            .timeline
            .with_value(|t| t.to_scenario());
        download(
            &file_name(workspace, "yaml"),
            "text/yaml",
            &scenario.to_yaml(),
        );
    };
    let save_transcript = move |_| {
        download(
            &file_name(workspace, "txt"),
            "text/plain",
            &transcript(terminal),
        );
    };
    let save_events = move |_| {
        download(
            &file_name(workspace, "events.json"),
            "application/json",
            &events_json(workspace),
        );
    };
    let save_picture = move |_| {
        if let Some(stage) = document().query_selector(".stage").ok().flatten() {
            download(
                &file_name(workspace, "svg"),
                "image/svg+xml",
                &picture_svg(&stage),
            );
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target() else { return };
        let input: JsValue = input.into();
        spawn_local(async move {
            let opened = settle(read_file(&input, MOST_IMPORTED_BYTES), "text")
                .await
                .map_err(|problem| problem.text(lang()))
                .and_then(|text| Scenario::parse(&text).map_err(|error| error.to_string()));
            let _ =
                js_sys::Reflect::set(&input, &JsValue::from_str("value"), &JsValue::from_str(""));
            let scenario = match opened {
                Ok(scenario) => scenario,
                Err(reason) => {
                    status.set(format!("{}{reason}", t(T::NotOpened)));
                    return;
                }
            };
            let replace = !workspace.has_own_work()
                || window()
                    .confirm_with_message(t(T::ReplaceYourWork))
                    .unwrap_or(false);
            if replace {
                workspace.open(&scenario, SimTime::ZERO, None);
                crate::app::set_address(None);
                let name = scenario.name.as_deref().unwrap_or(t(T::TheScenario));
                status.set(format!("{}{name}.", t(T::Opened)));
            }
        });
    };

    view! {
        <details class="share-menu">
            <summary>{move || t(T::Share)}</summary>
            <div class="menu-panel" role="group" aria-label=move || t(T::ShareAndExport)>
                <button class="copy-link" on:click=move |_| copy_link(false)>{move || t(T::CopyLink)}</button>
                <button class="copy-embed" on:click=move |_| copy_link(true)>{move || t(T::CopyEmbed)}</button>
                <Show when=move || link.with(|l| !l.is_empty())>
                    <input class="share-link" readonly aria-label=move || t(T::LinkOrEmbedCode) prop:value=move || link.get()/>
                </Show>
                <p class="share-status" role="status">{move || status.get()}</p>
                <p class="menu-heading">{move || t(T::Download)}</p>
                <button data-export="scenario" on:click=save_scenario>{move || t(T::ScenarioFile)}</button>
                <button data-export="transcript" on:click=save_transcript>{move || t(T::ConsoleTranscript)}</button>
                <button data-export="events" on:click=save_events>{move || t(T::EventsJson)}</button>
                <button data-export="picture" on:click=save_picture>{move || t(T::StagePicture)}</button>
                <label class="import">
                    {move || t(T::OpenScenarioFile)}
                    <input type="file" accept=".yaml,.yml,text/yaml" aria-label=move || t(T::OpenScenarioFile) on:change=import/>
                </label>
            </div>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> SharedState {
        let scenario = Scenario::parse(include_str!("../../examples/stuck-rollout.yaml")).unwrap();
        SharedState {
            scenario,
            at: SimTime::from_secs(95),
            editor: Some("apiVersion: v1\nkind: Namespace\n".into()),
        }
    }

    #[test]
    fn a_broken_state_says_why_in_the_pages_language() {
        let json = state_json(&shared());
        let refusal = |json: &str| read_state(json).unwrap_err().text(Lang::En);
        assert!(refusal("{").starts_with("it is damaged"));
        assert_eq!(
            refusal(&json.replace("\"v\":1", "\"v\":2")),
            "it was made by a newer Ordinal (state version 2; this one reads 1)"
        );
        assert_eq!(
            refusal(&json.replace("\"at\":95000", "\"at\":90000000")),
            "it points 25h0m0s into the simulation; a link may point at most 24 hours in"
        );
        assert!(refusal(&json.replace("seed: 0", "seed: x"))
            .starts_with("its scenario is refused: invalid scenario"));
        assert_eq!(refusal(r#"{"v":1,"at":0}"#), "it holds no scenario");
        assert_eq!(
            read_state(r#"{"v":1,"at":0}"#).unwrap_err().text(Lang::Zh),
            "它不包含场景"
        );
    }
}
