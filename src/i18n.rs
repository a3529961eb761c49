//! English and Simplified Chinese. The language comes from the browser (`navigator.language`), can be switched
//! in the toolbar and is remembered. Only Ordinal's own words are translated: Kubernetes terms (StatefulSet,
//! Running, Ready, OrderedReady), resource names, kubectl commands and everything kubectl prints stay as
//! Kubernetes prints them, as the course notes keep them.

use leptos::prelude::*;
use ordinal_sim::view::{Cause, HeldBack, SimTime, Wait};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    pub fn from_code(code: &str) -> Lang {
        if code.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

static LOCALE: OnceLock<RwSignal<Lang>> = OnceLock::new();

/// The page's language, as a signal: reading it in a view makes the view follow a switch.
pub fn locale() -> RwSignal<Lang> {
    *LOCALE.get_or_init(|| RwSignal::new(first_language()))
}

pub fn lang() -> Lang {
    locale().get()
}

/// What the person chose before, or else the browser's language.
fn first_language() -> Lang {
    let stored = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("ordinal.lang").ok().flatten());
    let browser = web_sys::window().and_then(|w| w.navigator().language());
    Lang::from_code(&stored.or(browser).unwrap_or_default())
}

/// Ordinal's words in the page's language.
pub fn t(text: T) -> &'static str {
    text.in_lang(lang())
}

macro_rules! texts {
    ($( $key:ident: $en:literal, $zh:literal; )*) => {
        /// A piece of the interface's text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum T { $( $key, )* }

        impl T {
            #[cfg(test)]
            pub const ALL: &'static [T] = &[ $( T::$key, )* ];

            pub fn in_lang(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( (T::$key, Lang::En) => $en, (T::$key, Lang::Zh) => $zh, )*
                }
            }
        }
    };
}

texts! {
    Manifests: "Manifests", "清单";
    Cluster: "Cluster", "集群";
    Example: "Example", "示例";
    OpenAnExample: "Open an example…", "打开一个示例…";
    FromTheCourseNotes: "From the course notes", "来自课程笔记";
    OneBehaviourEach: "One behaviour each", "每个示例讲一种行为";
    Play: "Play", "播放";
    Pause: "Pause", "暂停";
    PlayButton: "▶ Play", "▶ 播放";
    PauseButton: "❚❚ Pause", "❚❚ 暂停";
    StepToNextEvent: "Step to the next event", "单步到下一个事件";
    StepButton: "▶| Step", "▶| 单步";
    Speed: "Speed", "速度";
    SimulatedTime: "Simulated time", "模拟时间";
    Playback: "Playback", "播放控制";
    Timeline: "Timeline", "时间线";
    Branches: "Branches", "分支";
    MainBranch: "main", "主线";
    Theme: "Theme", "主题";
    ThemeSystem: "◐ System", "◐ 跟随系统";
    ThemeLight: "☀ Light", "☀ 浅色";
    ThemeDark: "☾ Dark", "☾ 深色";
    ReduceMotion: "Reduce motion", "减少动画";
    ReduceMotionTitle: "Motion as instant changes", "以瞬间变化代替动画";
    Presenter: "Presenter", "演示模式";
    PresenterTitle: "Everything larger, for the back of a classroom", "全部放大，后排也看得清";
    Language: "Language", "语言";
    KeyboardShortcuts: "Keyboard shortcuts", "键盘快捷键";
    KeyboardShortcutsButton: "Keyboard shortcuts (?)", "键盘快捷键 (?)";
    Close: "Close", "关闭";
    KeySpace: "Space", "空格";
    ShortcutPlay: "play or pause", "播放或暂停";
    ShortcutStep: "step to the next event", "单步到下一个事件";
    ShortcutBack: "back one second", "后退一秒";
    ShortcutJump: "back or forward ten seconds", "后退或前进十秒";
    ShortcutEnds: "the start, or the furthest instant simulated", "回到开头，或到已模拟的最远时刻";
    ShortcutSpeed: "faster or slower", "加速或减速";
    ShortcutHelp: "show or hide this help", "显示或隐藏本帮助";
    Share: "Share", "分享";
    ShareAndExport: "Share and export", "分享与导出";
    CopyLink: "Copy a link to this moment", "复制指向此刻的链接";
    CopyEmbed: "Copy embed code (iframe)", "复制嵌入代码 (iframe)";
    LinkOrEmbedCode: "Link or embed code", "链接或嵌入代码";
    LinkCopied: "Link copied.", "链接已复制。";
    EmbedCopied: "Embed code copied.", "嵌入代码已复制。";
    CopyFromBelow: "Copy it from below.", "请从下方复制。";
    CannotCompress: "This browser cannot compress the link.", "此浏览器无法压缩链接。";
    Download: "Download", "下载";
    ScenarioFile: "Scenario file (.yaml)", "场景文件 (.yaml)";
    ConsoleTranscript: "Console transcript (.txt)", "控制台记录 (.txt)";
    EventsJson: "Events (.json)", "事件 (.json)";
    StagePicture: "Picture of the stage (.svg)", "舞台截图 (.svg)";
    OpenScenarioFile: "Open a scenario file…", "打开场景文件…";
    ReplaceYourWork: "Opening this file replaces what you have done here. Open it?", "打开此文件会替换你在这里所做的操作。要打开吗？";
    NotOpened: "Not opened: ", "未打开：";
    Opened: "Opened ", "已打开 ";
    TheScenario: "the scenario", "该场景";
    ShareLinkProblem: "This share link could not be opened: ", "无法打开此分享链接：";
    ShareLinkFallback: ". The page shows the web example instead.", "。页面改为显示 web 示例。";
    Dismiss: "Dismiss", "关闭提示";
    WorkSetAside: "Your earlier work was set aside when something else opened:", "打开其他内容时，你之前的工作已被暂存：";
    OpenInAnotherTab: "It is open in another tab.", "它已在另一个标签页中打开。";
    RecentWork: "Recent work", "最近的工作";
    NoRecentWork: "Nothing else is kept yet.", "暂时没有保存其他工作。";
    Sandbox: "the web sandbox", "web 沙盒";
    BringItBack: "Bring it back", "恢复它";
    Simulating: "Simulating", "正在模拟";
    StopHere: "Stop here", "停在这里";
    DiscardIt: "Discard it", "丢弃";
    OpenInOrdinal: "Open in Ordinal ↗", "在 Ordinal 中打开 ↗";
    Waiting: "waiting", "等待中";
    NoPod: "(no pod)", "（无 Pod）";
    NoIp: "no IP", "无 IP";
    Unbound: "(unbound)", "（未绑定）";
    NoClaim: "no claim", "无声明";
    NoRecord: "no record (not ready)", "无记录（未就绪）";
    NoReadyEndpoint: "no ready endpoint", "无就绪端点";
    GracePeriodLeft: "Grace period left", "剩余宽限期";
    Current: "current", "当前";
    Update: "update", "更新";
    Old: "old", "旧";
    Nodes: "Nodes", "节点";
    Details: "Details", "详情";
    CloseDetails: "Close the details", "关闭详情";
    Describe: "Describe", "Describe";
    Events: "Events", "事件";
    Console: "Console", "控制台";
    EventsAndConsole: "Events and console", "事件与控制台";
    Yaml: "YAML", "YAML 清单";
    Object: "Object", "对象";
    ShowEventsOfObject: "Show the events of one object", "只显示一个对象的事件";
    KubectlCommand: "kubectl command", "kubectl 命令";
    Script: "script", "脚本";
    ConsoleHelpIntro: "This console is a bash prompt with kubectl, at the moment the timeline shows: for loops, pipes into grep, head, tail, wc, sort, awk, cut and xargs, $(…), variables, echo, printf, test and sleep (which lets simulated time pass). A command that changes the cluster in the past starts a branch. kubectl here understands:", "这个控制台是带 kubectl 的 bash 提示符，作用于时间线当前所在的时刻：支持 for 循环、管道到 grep、head、tail、wc、sort、awk、cut 和 xargs，$(…)、变量、echo、printf、test 和 sleep（让模拟时间流逝）。在过去的时刻修改集群会开出一个分支。这里的 kubectl 能理解：";
    ConsoleRunning: "running — Ctrl-C stops it", "运行中 — Ctrl-C 停止";
    ConsolePaused: "waiting: the clock is paused, press Play to let it run", "等待中：时钟已暂停，按播放让它继续";
    ConsoleStop: "Stop (Ctrl-C)", "停止 (Ctrl-C)";
    ConsoleSession: "in the container's shell: exit or Ctrl-D leaves it", "在容器的 shell 中：exit 或 Ctrl-D 退出";
    ConsoleHelpKubectl: "kubectl's own overview of these commands", "kubectl 自己对这些命令的概览";
    ConsoleHelpClear: "clear the screen (↑ still recalls earlier commands)", "清屏（↑ 仍可找回之前的命令）";
    ConsoleHelpHelp: "this help", "显示本帮助";
    ConsoleHelpKeys: "↑ and ↓ recall the commands typed before. Output follows the newest line unless you scroll up to read.", "↑ 和 ↓ 找回之前输入的命令。输出会跟随最新一行，除非你向上滚动阅读。";
    WholeManifest: "manifest", "清单";
    Delete: "Delete", "删除";
    ForceDelete: "Force delete", "强制删除";
    Crash: "Crash", "使其崩溃";
    MakeNotReady: "Make not ready", "设为未就绪";
    MakeReady: "Make ready", "设为就绪";
    Cordon: "Cordon", "封锁 (cordon)";
    Uncordon: "Uncordon", "解除封锁 (uncordon)";
    Drain: "Drain", "排空 (drain)";
    NodeDown: "Down", "宕机";
    NodeUp: "Up", "恢复";
    Lessons: "Lessons", "课程";
    Predict: "Predict:", "先预测：";
    PredictFirst: "Choose what you think will happen; then do the step.", "先选出你认为会发生的情况，再执行这一步。";
    DoItForMe: "Do it for me", "替我执行";
    OrDoItYourself: "…or type the command in the Console tab.", "……或在“控制台”标签中自己输入命令。";
    YouWereRight: "You were right.", "预测正确。";
    NotQuite: "Not quite.", "不完全对。";
    NextStep: "Next step", "下一步";
    FinishLesson: "Finish the lesson", "完成本课";
    AllLessons: "All lessons", "全部课程";
    Continue: "Continue:", "继续：";
    Finished: "finished", "已完成";
    CrashTitle: "Ordinal stopped because of an internal error. ", "Ordinal 因内部错误而停止。";
    ReloadPage: "Reload the page", "重新加载页面";
}

/// How long a lesson's step has waited for the cluster: `Waiting for the cluster: 0:12`, or, for a step that
/// watches for a while, `Watching: 0:23 of 1:00`.
pub fn step_waiting(waited: SimTime, watch: Option<SimTime>) -> String {
    let clock = |t: SimTime| {
        let secs = t.as_millis() / 1000;
        format!("{}:{:02}", secs / 60, secs % 60)
    };
    match (watch, lang()) {
        (None, Lang::En) => format!("Waiting for the cluster: {}", clock(waited)),
        (None, Lang::Zh) => format!("等待集群：{}", clock(waited)),
        (Some(watch), Lang::En) => {
            format!("Watching: {} of {}", clock(waited.min(watch)), clock(watch))
        }
        (Some(watch), Lang::Zh) => {
            format!("观察中：{} / {}", clock(waited.min(watch)), clock(watch))
        }
    }
}

/// A kept work in a line: `web: the documentation's nginx set (3 replicas) at 01:23.4, 2 branches`.
pub fn work_summary(example: &str, at: &str, branches: usize) -> String {
    match (lang(), branches) {
        (Lang::En, 1) => format!("{example} at {at}"),
        (Lang::En, n) => format!("{example} at {at}, {n} branches"),
        (Lang::Zh, 1) => format!("{example}，停在 {at}"),
        (Lang::Zh, n) => format!("{example}，停在 {at}，{n} 个分支"),
    }
}

/// How long ago a work was saved, from milliseconds.
pub fn saved_ago(ms: f64) -> String {
    let minutes = (ms / 60_000.0).floor().max(0.0) as u64;
    let (hours, days) = (minutes / 60, minutes / 1440);
    match lang() {
        Lang::En if minutes < 1 => "saved just now".into(),
        Lang::En if hours < 1 => format!("saved {minutes} min ago"),
        Lang::En if days < 1 => format!("saved {hours} h ago"),
        Lang::En => format!("saved {days} d ago"),
        Lang::Zh if minutes < 1 => "刚刚保存".into(),
        Lang::Zh if hours < 1 => format!("{minutes} 分钟前保存"),
        Lang::Zh if days < 1 => format!("{hours} 小时前保存"),
        Lang::Zh => format!("{days} 天前保存"),
    }
}

/// Why the work on the page is not saved, and what to do about it.
pub fn save_problem(problem: crate::sharing::autosave::SaveProblem) -> String {
    use crate::sharing::autosave::{SaveProblem, MOST_BYTES};
    let mb = |bytes: usize| format!("{:.1} MB", bytes as f64 / 1e6);
    match (problem, lang()) {
        (SaveProblem::TooLarge(bytes), Lang::En) => format!(
            "This work is too large to keep in the browser ({} of at most {}); what a reload finds is its last save. Keep it with Share ▸ Scenario file.",
            mb(bytes),
            mb(MOST_BYTES)
        ),
        (SaveProblem::TooLarge(bytes), Lang::Zh) => format!(
            "这份工作太大，浏览器无法保存（{}，上限 {}）；重新加载时只能找回上一次保存的内容。请用“分享 ▸ 场景文件”保存它。",
            mb(bytes),
            mb(MOST_BYTES)
        ),
        (SaveProblem::Refused, Lang::En) => "The browser refused to save this work (its storage for this site is full). Keep it with Share ▸ Scenario file.".into(),
        (SaveProblem::Refused, Lang::Zh) => "浏览器拒绝保存这份工作（本站点的存储已满）。请用“分享 ▸ 场景文件”保存它。".into(),
    }
}

/// A hint under a shell's "command not found": `Did you mean: kubectl get pods`.
pub fn did_you_mean(command: &str) -> String {
    match lang() {
        Lang::En => format!("Did you mean: {command}"),
        Lang::Zh => format!("你是不是想输入：{command}"),
    }
}

/// `Actions for web-0`.
pub fn actions_for(name: &str) -> String {
    match lang() {
        Lang::En => format!("Actions for {name}"),
        Lang::Zh => format!("{name} 的操作"),
    }
}

/// `web-0: details`.
pub fn details_of(name: &str) -> String {
    match lang() {
        Lang::En => format!("{name}: details"),
        Lang::Zh => format!("{name}：详情"),
    }
}

/// `branch 2 · from 01:20.0`.
pub fn branch_from(index: usize, at: &str) -> String {
    match lang() {
        Lang::En => format!("branch {index} · from {at}"),
        Lang::Zh => format!("分支 {index} · 始于 {at}"),
    }
}

/// `12 events` on a burst of the timeline.
pub fn events_count(events: u32) -> String {
    match lang() {
        Lang::En if events == 1 => "1 event".into(),
        Lang::En => format!("{events} events"),
        Lang::Zh => format!("{events} 个事件"),
    }
}

/// `3 pods` on a node.
pub fn pods_count(pods: usize) -> String {
    match lang() {
        Lang::En if pods == 1 => "1 pod".into(),
        Lang::En => format!("{pods} pods"),
        Lang::Zh => format!("{pods} 个 Pod"),
    }
}

/// `web-1000 … web-4999: 4000 more slots, not drawn: 3990 Running · 10 Pending`.
pub fn undrawn_slots(undrawn: &crate::stage::view_model::Undrawn) -> String {
    let statuses = undrawn
        .statuses
        .iter()
        .map(|(status, count)| format!("{count} {status}"))
        .collect::<Vec<_>>()
        .join(" · ");
    let (first, last, slots) = (&undrawn.first, &undrawn.last, undrawn.slots);
    match lang() {
        Lang::En => format!("{first} … {last}: {slots} more slots, not drawn: {statuses}"),
        Lang::Zh => format!("{first} … {last}：另有 {slots} 个槽位未绘制：{statuses}"),
    }
}

/// Under the events panel when it lists only the latest.
pub fn unlisted_events(unlisted: usize, listed: usize) -> String {
    match lang() {
        Lang::En => format!(
            "The {listed} events written last; {unlisted} older events are left out here, and kubectl get events in the console lists them all."
        ),
        Lang::Zh => format!(
            "这里列出最近写入的 {listed} 条事件，省略了 {unlisted} 条较早的事件；在控制台运行 kubectl get events 可列出全部。"
        ),
    }
}

/// `and 4000 more PersistentVolumes, not drawn`.
pub fn undrawn_volumes(count: usize) -> String {
    match lang() {
        Lang::En => format!("and {count} more PersistentVolumes, not drawn"),
        Lang::Zh => format!("另有 {count} 个 PersistentVolume 未绘制"),
    }
}

/// `12s of 30s grace`.
pub fn grace_left(left: u64, period: u64) -> String {
    match lang() {
        Lang::En => format!("{left}s of {period}s grace"),
        Lang::Zh => format!("宽限期剩余 {left}s / {period}s"),
    }
}

/// `line 12`, or where a message without a line belongs.
pub fn place_of(line: Option<usize>) -> String {
    match line {
        Some(line) if lang() == Lang::Zh => format!("第 {line} 行"),
        Some(line) => format!("line {line}"),
        None => t(T::WholeManifest).to_string(),
    }
}

/// Why the controller waits, in the words of the page's language: "web-2 is not created yet: web-1 is not
/// Running and Ready". Kubernetes' own terms stay as they are.
pub fn wait_text(wait: &Wait, lang: Lang) -> String {
    // The core says it in English, as the controller's log would.
    if lang == Lang::En {
        return wait.to_string();
    }
    let held_back = match &wait.held_back {
        HeldBack::Create(pod) => format!("{pod} 尚未创建"),
        HeldBack::Recreate(pod) => format!("{pod} 尚未重建"),
        HeldBack::Delete(pod) => format!("{pod} 尚未删除"),
        HeldBack::Update(pod) => format!("{pod} 尚未更新"),
    };
    let cause = match &wait.cause {
        Cause::NotRunningAndReady { pod } => format!("{pod} 还不是 Running 且 Ready"),
        Cause::NotAvailable {
            pod,
            min_ready_seconds,
        } => format!("{pod} 处于 Ready 的时间还不满 minReadySeconds（{min_ready_seconds}s）"),
        Cause::Terminating { pod } => format!("{pod} 仍在终止中"),
        Cause::Finished { pod, phase } => format!("{pod} 已 {phase}，正在被移除"),
        Cause::StaleClaim { pod } => format!("{pod} 的某个 PVC 仍属于它之前的 Pod"),
        Cause::MaxUnavailable {
            max_unavailable,
            unavailable,
            pod,
        } => format!("{unavailable} 个 Pod 不可用，上限为 {max_unavailable}（例如 {pod}）"),
        Cause::Error { message } => format!("上一次尝试失败：{message}"),
    };
    format!("{held_back}：{cause}")
}

/// English or 中文, remembered; `<html lang>` follows, so screen readers and fonts do too.
#[component]
pub fn LanguagePicker() -> impl IntoView {
    let locale = locale();
    Effect::new(move |_| {
        let lang = locale.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.code());
        }
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = storage.set_item("ordinal.lang", lang.code());
        }
    });
    view! {
        <label>
            <span class="visually-hidden">{move || t(T::Language)}</span>
            <select
                aria-label=move || t(T::Language)
                prop:value=move || locale.get().code()
                on:change=move |ev| locale.set(Lang::from_code(&event_target_value(&ev)))
            >
                <option value="en">"English"</option>
                <option value="zh-CN">"中文"</option>
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_chinese_is_not_english_by_mistake() {
        for text in T::ALL {
            assert!(!text.in_lang(Lang::En).is_empty(), "{text:?}");
            assert!(!text.in_lang(Lang::Zh).is_empty(), "{text:?}");
        }
        let untranslated: Vec<&T> = T::ALL
            .iter()
            .filter(|t| t.in_lang(Lang::En) == t.in_lang(Lang::Zh) && **t != T::Describe)
            .collect();
        assert!(untranslated.is_empty(), "{untranslated:?}");
    }

    #[test]
    fn waits_are_said_in_both_languages_with_kubernetes_terms_kept() {
        let wait = Wait {
            held_back: HeldBack::Create("web-2".into()),
            cause: Cause::NotRunningAndReady {
                pod: "web-1".into(),
            },
        };
        assert_eq!(
            wait_text(&wait, Lang::En),
            "web-2 is not created yet: web-1 is not Running and Ready"
        );
        assert_eq!(
            wait_text(&wait, Lang::Zh),
            "web-2 尚未创建：web-1 还不是 Running 且 Ready"
        );
    }

    #[test]
    fn the_browsers_language_picks_chinese_for_any_chinese() {
        assert_eq!(Lang::from_code("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_code("zh-TW"), Lang::Zh);
        assert_eq!(Lang::from_code("en-US"), Lang::En);
        assert_eq!(Lang::from_code(""), Lang::En);
    }
}
