//! Guided lessons over the presets. Each step says what to do (and can do it), asks the learner to predict
//! what will happen before it is revealed, and knows it is done by looking at the cluster, not at the clock.
//! Progress, with the cluster as it was, is kept in the browser, so a reload continues where the learner was.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use leptos::prelude::*;
use ordinal_sim::controller::statefulset::utils::is_running_and_ready;
use ordinal_sim::kubectl;
use ordinal_sim::scenario::Action;
use ordinal_sim::{Cluster, ObjectKey, SimTime};
use serde_json::{json, Value};
use std::collections::BTreeMap;

use crate::console::{EntryView, Source, Terminal};
use crate::i18n::{lang, t, Lang, T};
use crate::player::Playback;
use crate::workspace::Workspace;

/// Text in English and in Chinese.
type Said = (&'static str, &'static str);

fn say(text: Said) -> &'static str {
    match lang() {
        Lang::En => text.0,
        Lang::Zh => text.1,
    }
}

/// The cluster as a step found it: what its check measures change against.
#[derive(Clone, Default)]
struct StepStart {
    /// Pod uids by name: what "recreated" is measured against.
    uids: BTreeMap<String, String>,
    /// When the step began, in simulated time.
    at: SimTime,
}

impl StepStart {
    fn of(cluster: &Cluster) -> StepStart {
        StepStart {
            uids: cluster
                .store()
                .list::<Pod>()
                .filter_map(|p| Some((p.metadata.name.clone()?, p.metadata.uid.clone()?)))
                .collect(),
            at: cluster.now(),
        }
    }
}

/// What the cluster looks like to a step's check.
pub struct Lab<'a> {
    cluster: &'a Cluster,
    start: &'a StepStart,
    /// Commands run (by the learner or by "Do it") since the step began, with the instant each ran at.
    commands: &'a [(SimTime, String)],
}

impl Lab<'_> {
    fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.cluster.store().list::<Pod>()
    }

    fn pod(&self, name: &str) -> Option<&Pod> {
        self.cluster
            .store()
            .get::<Pod>(&ObjectKey::new("default", name))
    }

    fn ready(&self, names: &[&str]) -> bool {
        names
            .iter()
            .all(|n| self.pod(n).is_some_and(is_running_and_ready))
    }

    /// Exactly these pods exist, all Running and Ready, none terminating.
    fn exactly_ready(&self, names: &[&str]) -> bool {
        self.pods().count() == names.len()
            && self.ready(names)
            && self.pods().all(|p| p.metadata.deletion_timestamp.is_none())
    }

    /// The pod is another one than when the step began, and Ready.
    fn recreated(&self, name: &str) -> bool {
        self.pod(name).is_some_and(|p| {
            is_running_and_ready(p) && p.metadata.uid.as_ref() != self.start.uids.get(name)
        })
    }

    fn runs_image(&self, names: &[&str], image: &str) -> bool {
        names.iter().all(|n| {
            self.pod(n).is_some_and(|p| {
                is_running_and_ready(p)
                    && p.spec
                        .as_ref()
                        .and_then(|s| s.containers.first()?.image.as_deref())
                        == Some(image)
            })
        })
    }

    /// The set has a new update revision its pods are not all on yet.
    fn update_pending(&self) -> bool {
        self.cluster
            .store()
            .get::<StatefulSet>(&ObjectKey::new("default", "web"))
            .and_then(|set| set.status.as_ref())
            .is_some_and(|status| status.current_revision != status.update_revision)
    }

    /// The pod's first container waits for one of these reasons (`ImagePullBackOff`, …).
    fn waiting_for(&self, name: &str, reasons: &[&str]) -> bool {
        self.pod(name)
            .and_then(|p| {
                p.status
                    .as_ref()?
                    .container_statuses
                    .as_ref()?
                    .first()
                    .cloned()
            })
            .and_then(|c| c.state?.waiting?.reason)
            .is_some_and(|reason| reasons.contains(&reason.as_str()))
    }

    /// The Service's EndpointSlices list exactly the pod's current address, ready: it reaches that pod alone.
    fn reaches_only(&self, service: &str, pod: &str) -> bool {
        let Some(ip) = self
            .pod(pod)
            .filter(|p| is_running_and_ready(p))
            .and_then(|p| p.status.as_ref()?.pod_ip.clone())
        else {
            return false;
        };
        let addresses: Vec<&String> = self
            .cluster
            .store()
            .list::<EndpointSlice>()
            .filter(|slice| {
                slice.metadata.namespace.as_deref() == Some("default")
                    && slice
                        .metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get("kubernetes.io/service-name"))
                        .is_some_and(|name| name == service)
            })
            .flat_map(|slice| &slice.endpoints)
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) == Some(true))
            .flat_map(|e| &e.addresses)
            .collect();
        addresses == [&ip]
    }

    /// A command containing `part` was run: the learner may order flags their own way.
    fn ran(&self, part: &str) -> bool {
        self.ran_at(part).is_some()
    }

    /// When the first command containing `part` ran.
    fn ran_at(&self, part: &str) -> Option<SimTime> {
        self.commands
            .iter()
            .find(|(_, command)| command.contains(part))
            .map(|(at, _)| *at)
    }

    /// How long the step has waited for the cluster, and how long it means to: from when its command ran (from
    /// when it began, for one that only plays), and the watch it keeps, if any. `None` before anything ran.
    fn waiting(&self, doing: Doing) -> Option<(SimTime, Option<SimTime>)> {
        let since = match doing {
            Doing::Play => Some(self.start.at).filter(|at| self.cluster.now() > *at),
            Doing::Run(command) => self.ran_at(command),
            Doing::RunAndWatch { after, .. } => self.ran_at(after),
        }?;
        let waited = SimTime::from_millis(self.cluster.now().as_millis() - since.as_millis());
        let watch = match doing {
            Doing::RunAndWatch { secs, .. } => Some(SimTime::from_secs(secs)),
            _ => None,
        };
        Some((waited, watch))
    }

    /// Whether the step is done: its check holds, and the watch it keeps, if any, is over.
    fn done(&self, step: &Step) -> bool {
        let watched = match self.waiting(step.doing) {
            Some((waited, Some(watch))) => waited >= watch,
            Some((_, None)) => true,
            None => !matches!(step.doing, Doing::RunAndWatch { .. }),
        };
        watched && (step.done)(self)
    }

    /// What `kubectl exec` would read from the pod's file now.
    fn file_holds(&self, pod: &str, path: &str, text: &str) -> bool {
        let mut cluster = self.cluster.clone();
        let read = kubectl::run(
            &mut cluster,
            &format!("kubectl exec {pod} -- cat {path}"),
            "",
        );
        read.exit_code == 0 && read.stdout.contains(text)
    }
}

/// What "Do it for me" does.
#[derive(Clone, Copy)]
enum Doing {
    Play,
    Run(&'static str),
    /// Runs `command`, then watches the cluster for `secs` of simulated time from when a command containing
    /// `after` ran: for a step whose point is that nothing happens.
    RunAndWatch {
        command: &'static str,
        after: &'static str,
        secs: u64,
    },
}

impl Doing {
    fn command(self) -> Option<&'static str> {
        match self {
            Doing::Play => None,
            Doing::Run(command) | Doing::RunAndWatch { command, .. } => Some(command),
        }
    }
}

struct Prediction {
    question: Said,
    choices: &'static [Said],
    answer: usize,
    why: Said,
}

struct Step {
    task: Said,
    doing: Doing,
    predict: Prediction,
    done: fn(&Lab) -> bool,
}

pub struct Lesson {
    pub id: &'static str,
    title: Said,
    /// The preset whose manifests the lesson starts from, without its script.
    preset: &'static str,
    steps: &'static [Step],
}

const THREE: [&str; 3] = ["web-0", "web-1", "web-2"];
const HTML: &str = "/usr/share/nginx/html/index.html";

/// The choices for how a set's pods start: all at once, one after the other, or at random.
const START_ORDER: &[Said] = &[
    ("All at once", "同时启动"),
    (
        "web-0, then web-1, then web-2…, each once the one before is Ready",
        "先 web-0，再 web-1，再 web-2……前一个 Ready 后才创建下一个",
    ),
    ("In a random order", "随机顺序"),
];

/// The first step of most lessons: the set comes up, in order; `done` says when all of its pods are Ready.
const fn come_up(done: fn(&Lab) -> bool) -> Step {
    Step {
        task: (
            "Press Play (or Do it) and watch the pods of the web StatefulSet come up.",
            "按“播放”（或“替我执行”），观察 web 这个 StatefulSet 的 Pod 启动。",
        ),
        doing: Doing::Play,
        predict: Prediction {
            question: ("In what order do they start?", "它们按什么顺序启动？"),
            choices: START_ORDER,
            answer: 1,
            why: (
                "podManagementPolicy is OrderedReady: the controller creates web-N only once web-0 … web-(N-1) are Running and Ready. The stage says why it waits.",
                "podManagementPolicy 为 OrderedReady：只有 web-0 … web-(N-1) 都 Running 且 Ready，控制器才创建 web-N。舞台上会写出它在等什么。",
            ),
        },
        done,
    }
}

const COME_UP: Step = come_up(|lab| lab.ready(&THREE));
const FIVE: [&str; 5] = ["web-0", "web-1", "web-2", "web-3", "web-4"];
const NEW_IMAGE: &str = "nginx:1.27";
const OLD_IMAGE: &str = "nginx:1.9.1";

const IDENTITY: &[Step] = &[
    COME_UP,
    Step {
        task: ("Ask web-0 its hostname: kubectl exec web-0 -- hostname", "查看 web-0 的主机名：kubectl exec web-0 -- hostname"),
        doing: Doing::Run("kubectl exec web-0 -- hostname"),
        predict: Prediction {
            question: ("What does it print?", "它会输出什么？"),
            choices: &[("web-0", "web-0"), ("A random name such as web-7f9c4", "类似 web-7f9c4 的随机名字"), ("The node's name", "节点的名字")],
            answer: 0,
            why: ("A StatefulSet's pod is named <set>-<ordinal>, and its hostname is its name.", "StatefulSet 的 Pod 名为 <名称>-<序号>，主机名就是 Pod 名。"),
        },
        done: |lab| lab.ran("kubectl exec web-0 -- hostname"),
    },
    Step {
        task: (
            "Look web-0 up in the cluster DNS from a throwaway busybox pod (nginx has no nslookup): kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup web-0.nginx",
            "从一个临时的 busybox Pod 里查询集群 DNS（nginx 镜像里没有 nslookup）：kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup web-0.nginx",
        ),
        doing: Doing::Run("kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup web-0.nginx"),
        predict: Prediction {
            question: ("Which address does web-0.nginx resolve to?", "web-0.nginx 解析到哪个地址？"),
            choices: &[("web-0's own pod IP", "web-0 自己的 Pod IP"), ("The Service's cluster IP", "Service 的 ClusterIP"), ("Nothing: pods have no DNS names", "没有：Pod 没有 DNS 名称")],
            answer: 0,
            why: ("nginx is a headless Service (clusterIP: None): each pod gets its own record, <pod>.<service>.", "nginx 是 Headless Service（clusterIP: None）：每个 Pod 都有自己的记录 <pod>.<service>。"),
        },
        done: |lab| lab.ran("nslookup web-0.nginx"),
    },
    Step {
        task: ("Delete web-0: kubectl delete pod web-0", "删除 web-0：kubectl delete pod web-0"),
        doing: Doing::Run("kubectl delete pod web-0"),
        predict: Prediction {
            question: ("What comes back?", "之后会出现什么？"),
            choices: &[("A pod named web-3", "一个叫 web-3 的 Pod"), ("web-0 again, with the same IP", "又是 web-0，IP 不变"), ("web-0 again, with a new IP", "又是 web-0，但 IP 变了")],
            answer: 2,
            why: ("The controller recreates the same ordinal with the same name; the IP is the new pod's. Watch the DNS panel: the old address is struck through.", "控制器以相同序号、相同名字重建 Pod；IP 属于新 Pod。看 DNS 面板：旧地址被划掉了。"),
        },
        done: |lab| lab.recreated("web-0"),
    },
    Step {
        task: ("Look it up again: kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup web-0.nginx", "再查一次：kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup web-0.nginx"),
        doing: Doing::Run("kubectl run -i --rm --image busybox:1.28.4 dns-test --restart=Never -- nslookup web-0.nginx"),
        predict: Prediction {
            question: ("Which address now?", "现在解析到哪个地址？"),
            choices: &[("The old one", "旧地址"), ("The new pod's", "新 Pod 的地址")],
            answer: 1,
            why: ("The name is stable, the address is not: clients should use web-0.nginx, never the IP.", "名字是稳定的，地址不是：客户端应该使用 web-0.nginx，而不是 IP。"),
        },
        done: |lab| lab.ran("nslookup web-0.nginx"),
    },
];

const STORAGE: &[Step] = &[
    COME_UP,
    Step {
        task: (
            "Write a file in web-0: kubectl exec web-0 -- sh -c 'echo hello from web-0 > /usr/share/nginx/html/index.html'",
            "在 web-0 中写一个文件：kubectl exec web-0 -- sh -c 'echo hello from web-0 > /usr/share/nginx/html/index.html'",
        ),
        doing: Doing::Run("kubectl exec web-0 -- sh -c 'echo hello from web-0 > /usr/share/nginx/html/index.html'"),
        predict: Prediction {
            question: ("Where does the file live?", "这个文件存在哪里？"),
            choices: &[("In the container", "容器里"), ("On the volume of claim www-web-0", "PVC www-web-0 对应的卷上"), ("On the node's disk", "节点的磁盘上")],
            answer: 1,
            why: ("/usr/share/nginx/html is where the www claim is mounted; the claim is bound to its own PersistentVolume.", "/usr/share/nginx/html 挂载的是 www 这个 PVC，它绑定到自己的 PersistentVolume。"),
        },
        done: |lab| lab.file_holds("web-0", HTML, "hello from web-0"),
    },
    Step {
        task: ("Delete web-0: kubectl delete pod web-0", "删除 web-0：kubectl delete pod web-0"),
        doing: Doing::Run("kubectl delete pod web-0"),
        predict: Prediction {
            question: ("Which claim does the new web-0 mount?", "新的 web-0 会挂载哪个 PVC？"),
            choices: &[("A new, empty claim", "一个新的空 PVC"), ("The same www-web-0, bound to the same volume", "同一个 www-web-0，绑定同一个卷"), ("None", "不挂载")],
            answer: 1,
            why: ("Claims are named <template>-<pod>, so web-0 always gets www-web-0; it outlives the pod. The line to its volume never moved.", "PVC 名为 <模板>-<Pod名>，所以 web-0 总是得到 www-web-0；PVC 比 Pod 活得久。它到卷的连线从未改变。"),
        },
        done: |lab| lab.recreated("web-0"),
    },
    Step {
        task: ("Read the file back: kubectl exec web-0 -- cat /usr/share/nginx/html/index.html", "读回这个文件：kubectl exec web-0 -- cat /usr/share/nginx/html/index.html"),
        doing: Doing::Run("kubectl exec web-0 -- cat /usr/share/nginx/html/index.html"),
        predict: Prediction {
            question: ("What does it print?", "它会输出什么？"),
            choices: &[("hello from web-0", "hello from web-0"), ("Nothing: the file is gone", "什么也没有：文件没了"), ("An error", "报错")],
            answer: 0,
            why: ("Stable storage: the new pod found the data its predecessor wrote.", "稳定的存储：新 Pod 读到了前一个 Pod 写下的数据。"),
        },
        done: |lab| lab.ran("kubectl exec web-0 -- cat /usr/share/nginx/html/index.html"),
    },
];

const ORDER: &[Step] = &[
    COME_UP,
    Step {
        task: ("Scale to five: kubectl scale sts web --replicas=5", "扩容到 5 个：kubectl scale sts web --replicas=5"),
        doing: Doing::Run("kubectl scale sts web --replicas=5"),
        predict: Prediction {
            question: ("How do web-3 and web-4 come?", "web-3 和 web-4 会怎样出现？"),
            choices: &[("web-3 first, web-4 once web-3 is Ready", "先 web-3，web-3 Ready 后再 web-4"), ("Both at once", "同时出现"), ("web-4 first", "先 web-4")],
            answer: 0,
            why: ("Scaling up follows the same order as creation: one ordinal at a time, lowest first.", "扩容和创建顺序一致：一次一个序号，从小到大。"),
        },
        done: |lab| lab.ready(&["web-0", "web-1", "web-2", "web-3", "web-4"]),
    },
    Step {
        task: ("Scale down to two: kubectl scale sts web --replicas=2", "缩容到 2 个：kubectl scale sts web --replicas=2"),
        doing: Doing::Run("kubectl scale sts web --replicas=2"),
        predict: Prediction {
            question: ("Which pod goes first?", "哪个 Pod 最先被删除？"),
            choices: &[("web-0", "web-0"), ("web-4, then web-3, then web-2, one at a time", "web-4，然后 web-3，然后 web-2，一次一个"), ("All three at once", "三个同时删除")],
            answer: 1,
            why: ("Scale-down goes from the highest ordinal, each pod gone before the next is deleted.", "缩容从最大的序号开始，前一个彻底删除后才删下一个。"),
        },
        done: |lab| lab.exactly_ready(&["web-0", "web-1"]),
    },
    Step {
        task: ("List the claims: kubectl get pvc", "列出 PVC：kubectl get pvc"),
        doing: Doing::Run("kubectl get pvc"),
        predict: Prediction {
            question: ("How many claims are left?", "还剩几个 PVC？"),
            choices: &[("2", "2 个"), ("5", "5 个")],
            answer: 1,
            why: ("By default (persistentVolumeClaimRetentionPolicy Retain) claims outlive a scale-down, so a later scale-up finds its data.", "默认（persistentVolumeClaimRetentionPolicy 为 Retain）缩容不删除 PVC，之后再扩容还能找到原来的数据。"),
        },
        done: |lab| lab.ran("kubectl get pvc"),
    },
];

const PARTITION: &[Step] = &[
    come_up(|lab| lab.ready(&FIVE)),
    Step {
        task: (
            "This set has updateStrategy.rollingUpdate.partition: 3. Roll out a new image: kubectl set image statefulset/web nginx=nginx:1.27",
            "这个 StatefulSet 设置了 updateStrategy.rollingUpdate.partition: 3。发布新镜像：kubectl set image statefulset/web nginx=nginx:1.27",
        ),
        doing: Doing::Run("kubectl set image statefulset/web nginx=nginx:1.27"),
        predict: Prediction {
            question: ("Which pods get the new image?", "哪些 Pod 会换成新镜像？"),
            choices: &[("All five, from web-4 down", "全部五个，从 web-4 往下"), ("Only web-4 and web-3", "只有 web-4 和 web-3"), ("None until the partition is removed", "在去掉 partition 之前一个都不会")],
            answer: 1,
            why: (
                "A partition keeps every ordinal below it on the current revision: only web-3 and web-4 are updated, highest first. A canary.",
                "partition 让小于它的序号保持当前版本：只有 web-3 和 web-4 被更新，从大到小。这就是金丝雀发布。",
            ),
        },
        done: |lab| lab.runs_image(&["web-3", "web-4"], NEW_IMAGE) && lab.runs_image(&THREE, OLD_IMAGE),
    },
    Step {
        task: (
            "The canaries are healthy: lower the partition to 0. kubectl patch statefulset web -p '{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0}}}}'",
            "金丝雀运行正常：把 partition 降到 0。kubectl patch statefulset web -p '{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0}}}}'",
        ),
        doing: Doing::Run("kubectl patch statefulset web -p '{\"spec\":{\"updateStrategy\":{\"rollingUpdate\":{\"partition\":0}}}}'"),
        predict: Prediction {
            question: ("How do web-0 to web-2 update?", "web-0 到 web-2 会怎样更新？"),
            choices: &[("web-2, then web-1, then web-0, one at a time", "先 web-2，再 web-1，再 web-0，一次一个"), ("All three at once", "三个同时更新"), ("web-0 first", "先 web-0")],
            answer: 0,
            why: ("A rolling update goes from the highest ordinal down, each pod Ready before the next is replaced.", "滚动更新从最大的序号往下进行，每个 Pod Ready 之后才替换下一个。"),
        },
        done: |lab| lab.runs_image(&FIVE, NEW_IMAGE),
    },
];

const PARALLEL: &[Step] = &[
    Step {
        task: (
            "This set has podManagementPolicy: Parallel. Press Play (or Do it) and watch its pods come up.",
            "这个 StatefulSet 设置了 podManagementPolicy: Parallel。按“播放”（或“替我执行”），观察它的 Pod 启动。",
        ),
        doing: Doing::Play,
        predict: Prediction {
            question: ("In what order do they start?", "它们按什么顺序启动？"),
            choices: START_ORDER,
            answer: 0,
            why: (
                "Parallel: the controller creates every missing pod in one sync, without waiting for the ones before it to be Running and Ready. Each still has its ordinal, its name and its own claim.",
                "Parallel：控制器在一次同步中创建所有缺少的 Pod，不等前面的 Pod Running 且 Ready。每个 Pod 仍有自己的序号、名字和 PVC。",
            ),
        },
        done: |lab| lab.ready(&THREE),
    },
    Step {
        task: ("Scale to five: kubectl scale sts web --replicas=5", "扩容到 5 个：kubectl scale sts web --replicas=5"),
        doing: Doing::Run("kubectl scale sts web --replicas=5"),
        predict: Prediction {
            question: ("How do web-3 and web-4 come?", "web-3 和 web-4 会怎样出现？"),
            choices: &[("web-3 first, web-4 once web-3 is Ready", "先 web-3，web-3 Ready 后再 web-4"), ("Both at once", "同时出现")],
            answer: 1,
            why: ("Scaling up a Parallel set creates all the new ordinals together.", "Parallel 的 StatefulSet 扩容时，新序号的 Pod 一起创建。"),
        },
        done: |lab| lab.ready(&FIVE),
    },
    Step {
        task: ("Roll out a new image: kubectl set image statefulset/web nginx=nginx:1.27", "发布新镜像：kubectl set image statefulset/web nginx=nginx:1.27"),
        doing: Doing::Run("kubectl set image statefulset/web nginx=nginx:1.27"),
        predict: Prediction {
            question: ("How are the five pods replaced?", "这五个 Pod 会怎样被替换？"),
            choices: &[
                ("All at once: the set is Parallel", "同时替换：它是 Parallel 的"),
                ("One at a time, from web-4 down, each Ready before the next", "一次一个，从 web-4 往下，每个 Ready 后才替换下一个"),
                ("Not at all: Parallel sets do not roll", "不替换：Parallel 不做滚动更新"),
            ],
            answer: 1,
            why: (
                "podManagementPolicy changes scaling only. A rolling update still replaces one pod at a time, highest ordinal first (rollingUpdate.maxUnavailable, which would allow more, is behind a feature gate that is off in Kubernetes 1.34).",
                "podManagementPolicy 只影响扩缩容。滚动更新仍然一次替换一个 Pod，从最大的序号开始（允许同时替换多个的 rollingUpdate.maxUnavailable 在 Kubernetes 1.34 中受默认关闭的特性门控限制）。",
            ),
        },
        done: |lab| lab.runs_image(&FIVE, NEW_IMAGE),
    },
    Step {
        task: ("Scale down to one: kubectl scale sts web --replicas=1", "缩容到 1 个：kubectl scale sts web --replicas=1"),
        doing: Doing::Run("kubectl scale sts web --replicas=1"),
        predict: Prediction {
            question: ("Which pods go, and how?", "哪些 Pod 会被删除？怎样删除？"),
            choices: &[
                ("web-4, web-3, web-2 and web-1, all at once", "web-4、web-3、web-2 和 web-1 同时删除"),
                ("web-4 first, each next once the one before is gone", "先删 web-4，前一个彻底删除后再删下一个"),
                ("web-0 to web-3", "web-0 到 web-3"),
            ],
            answer: 0,
            why: (
                "Scaling down a Parallel set deletes every pod above the new count in one sync. The highest ordinals still go, and their claims stay.",
                "Parallel 的 StatefulSet 缩容时，在一次同步中删除所有超出副本数的 Pod。被删除的仍是序号最大的那些，它们的 PVC 保留。",
            ),
        },
        done: |lab| lab.exactly_ready(&["web-0"]),
    },
];

const STUCK: &[Step] = &[
    COME_UP,
    Step {
        task: (
            "Roll out an image that cannot be pulled: kubectl set image statefulset/web nginx=nginx:broken",
            "发布一个拉取不到的镜像：kubectl set image statefulset/web nginx=nginx:broken",
        ),
        doing: Doing::Run("kubectl set image statefulset/web nginx=nginx:broken"),
        predict: Prediction {
            question: ("What happens?", "会发生什么？"),
            choices: &[
                ("All three pods are replaced, and all fail", "三个 Pod 都被替换，全部失败"),
                ("web-2 is replaced, cannot pull its image, and the rollout stops there", "web-2 被替换，拉不到镜像，发布停在这里"),
                ("Nothing: the controller checks the image first", "什么也不发生：控制器会先检查镜像"),
            ],
            answer: 1,
            why: (
                "The rolling update replaced the highest ordinal first. web-2 never becomes Ready (ImagePullBackOff), and the controller replaces the next pod only once every pod is Ready: web-0 and web-1 keep serving on the old image.",
                "滚动更新先替换序号最大的 Pod。web-2 永远不会 Ready（ImagePullBackOff），而控制器要等所有 Pod 都 Ready 才替换下一个：web-0 和 web-1 继续用旧镜像提供服务。",
            ),
        },
        done: |lab| {
            lab.waiting_for("web-2", &["ErrImagePull", "ImagePullBackOff"])
                && lab.runs_image(&["web-0", "web-1"], OLD_IMAGE)
        },
    },
    Step {
        task: (
            "Revert the template: kubectl rollout undo statefulset/web — then watch web-2 for a minute.",
            "回滚模板：kubectl rollout undo statefulset/web，然后观察 web-2 一分钟。",
        ),
        doing: Doing::RunAndWatch {
            command: "kubectl rollout undo statefulset/web",
            after: "rollout undo",
            secs: 60,
        },
        predict: Prediction {
            question: ("Does web-2 come back on the old image?", "web-2 会换回旧镜像吗？"),
            choices: &[
                ("Yes, at once", "会，马上换回"),
                ("No: it stays broken until someone deletes it", "不会：在有人删除它之前一直是坏的"),
            ],
            answer: 1,
            why: (
                "The stuck rollout (kubernetes#67250): the undo made the old revision the update revision again, but the controller still waits for web-2 to be Ready before it would replace it, and it never will be. A Parallel set would replace it; an OrderedReady one does not.",
                "卡住的发布（kubernetes#67250）：回滚让旧版本重新成为更新版本，但控制器仍在等 web-2 Ready 之后才会替换它，而它永远不会 Ready。Parallel 的 StatefulSet 会替换它，OrderedReady 的不会。",
            ),
        },
        done: |lab| {
            lab.ran("rollout undo")
                && !lab.update_pending()
                && lab.waiting_for("web-2", &["ErrImagePull", "ImagePullBackOff"])
        },
    },
    Step {
        task: ("Delete the broken pod: kubectl delete pod web-2", "删除坏掉的 Pod：kubectl delete pod web-2"),
        doing: Doing::Run("kubectl delete pod web-2"),
        predict: Prediction {
            question: ("What comes back?", "之后会出现什么？"),
            choices: &[
                ("web-2 on the old image, and it becomes Ready", "web-2 使用旧镜像，并且 Ready"),
                ("web-2, still broken", "web-2，仍然是坏的"),
                ("Nothing", "什么也没有"),
            ],
            answer: 0,
            why: (
                "A pod deleted by hand is recreated from the update revision, now the reverted template: what the documentation calls a forced rollback. After reverting a broken rollout, delete the pods it had already replaced.",
                "手动删除的 Pod 会按更新版本重建，也就是回滚后的模板：这就是官方文档所说的“强制回滚”。回滚失败的发布之后，要删除已经被替换的那些 Pod。",
            ),
        },
        done: |lab| lab.recreated("web-2") && lab.runs_image(&THREE, OLD_IMAGE),
    },
];

const ZK: [&str; 3] = ["zk-0", "zk-1", "zk-2"];
const EXPOSE_ZK_0: &str = "kubectl expose pod zk-0 --port=2181 --name=zk-0-external --type=NodePort --selector=statefulset.kubernetes.io/pod-name=zk-0";

const FROM_OUTSIDE: &[Step] = &[
    Step {
        task: (
            "Press Play (or Do it) and watch the ZooKeeper ensemble zk come up on a cluster of three nodes.",
            "按“播放”（或“替我执行”），观察 ZooKeeper 集群 zk 在三个节点上启动。",
        ),
        doing: Doing::Play,
        predict: Prediction {
            question: ("Where do zk-0, zk-1 and zk-2 run?", "zk-0、zk-1 和 zk-2 运行在哪里？"),
            choices: &[("All on one node", "都在同一个节点上"), ("Each on a different node", "各在不同的节点上"), ("Wherever there is room", "哪里有空间就在哪里")],
            answer: 1,
            why: (
                "Required pod anti-affinity on kubernetes.io/hostname: no two members may share a node, so a fourth would stay Pending.",
                "基于 kubernetes.io/hostname 的必需 Pod 反亲和：任何两个成员不能在同一节点上，所以第四个成员会一直 Pending。",
            ),
        },
        done: |lab| lab.ready(&ZK),
    },
    Step {
        task: ("Look at zk-0's labels: kubectl get pod zk-0 --show-labels", "查看 zk-0 的标签：kubectl get pod zk-0 --show-labels"),
        doing: Doing::Run("kubectl get pod zk-0 --show-labels"),
        predict: Prediction {
            question: ("Which label picks out zk-0 alone?", "哪个标签只选中 zk-0？"),
            choices: &[
                ("app=zookeeper", "app=zookeeper"),
                ("statefulset.kubernetes.io/pod-name=zk-0", "statefulset.kubernetes.io/pod-name=zk-0"),
                ("controller-revision-hash=…", "controller-revision-hash=…"),
            ],
            answer: 1,
            why: (
                "The StatefulSet controller labels every pod with its name (and apps.kubernetes.io/pod-index with its ordinal). app=zookeeper matches every member; controller-revision-hash changes with each rollout.",
                "StatefulSet 控制器给每个 Pod 打上带有其名字的标签（以及带有序号的 apps.kubernetes.io/pod-index）。app=zookeeper 会选中所有成员；controller-revision-hash 每次发布都会变。",
            ),
        },
        done: |lab| lab.ran("--show-labels"),
    },
    Step {
        task: (
            "Expose zk-0 alone on every node: kubectl expose pod zk-0 --port=2181 --name=zk-0-external --type=NodePort --selector=statefulset.kubernetes.io/pod-name=zk-0",
            "把 zk-0 单独暴露在每个节点上：kubectl expose pod zk-0 --port=2181 --name=zk-0-external --type=NodePort --selector=statefulset.kubernetes.io/pod-name=zk-0",
        ),
        doing: Doing::Run(EXPOSE_ZK_0),
        predict: Prediction {
            question: ("Where can a client outside the cluster reach zk-0 now?", "现在集群外的客户端在哪里能访问到 zk-0？"),
            choices: &[
                ("At zk-0's pod IP", "zk-0 的 Pod IP"),
                ("At any node's IP, on the Service's node port", "任意节点的 IP，加上 Service 的节点端口"),
                ("Only on the node zk-0 runs on", "只在 zk-0 所在的节点上"),
            ],
            answer: 1,
            why: (
                "A NodePort Service opens one port (from 30000–32767) on every node and forwards it to the pods it selects: here zk-0 alone. kubectl get svc shows it as 2181:3xxxx/TCP.",
                "NodePort 类型的 Service 在每个节点上打开同一个端口（30000–32767 之间），转发到它选中的 Pod：这里只有 zk-0。kubectl get svc 显示为 2181:3xxxx/TCP。",
            ),
        },
        done: |lab| lab.reaches_only("zk-0-external", "zk-0"),
    },
    Step {
        task: ("Delete zk-0: kubectl delete pod zk-0", "删除 zk-0：kubectl delete pod zk-0"),
        doing: Doing::Run("kubectl delete pod zk-0"),
        predict: Prediction {
            question: ("Where does zk-0-external send clients afterwards?", "之后 zk-0-external 把客户端转发到哪里？"),
            choices: &[
                ("Nowhere: its pod is gone", "哪里也不去：它的 Pod 没了"),
                ("To the new zk-0, at its new IP", "新的 zk-0，使用新的 IP"),
                ("To zk-1", "zk-1"),
            ],
            answer: 1,
            why: (
                "The new pod has the same name, so the same pod-name label: the Service selects it, and its EndpointSlice follows the new IP. The node port does not change, so clients outside notice nothing but the restart.",
                "新 Pod 名字相同，所以 pod-name 标签也相同：Service 会选中它，EndpointSlice 跟着换成新的 IP。节点端口不变，集群外的客户端只会感觉到一次重启。",
            ),
        },
        done: |lab| lab.recreated("zk-0") && lab.reaches_only("zk-0-external", "zk-0"),
    },
    Step {
        task: (
            "See where the Service points: kubectl get endpointslices -l kubernetes.io/service-name=zk-0-external",
            "查看 Service 指向哪里：kubectl get endpointslices -l kubernetes.io/service-name=zk-0-external",
        ),
        doing: Doing::Run("kubectl get endpointslices -l kubernetes.io/service-name=zk-0-external"),
        predict: Prediction {
            question: ("How many endpoints does it list?", "它列出几个端点？"),
            choices: &[("One: zk-0", "一个：zk-0"), ("Three: every member", "三个：所有成员")],
            answer: 0,
            why: (
                "One Service per pod, selecting its pod-name label, is how a client outside reaches one chosen member; the headless zk-headless lists all three, for the members to find each other.",
                "为每个 Pod 建一个按 pod-name 标签选择的 Service，集群外的客户端就能访问指定的成员；Headless 的 zk-headless 列出全部三个，供成员之间互相发现。",
            ),
        },
        done: |lab| lab.ran("endpointslices"),
    },
];

const ON_DELETE: &[Step] = &[
    COME_UP,
    Step {
        task: (
            "This set has updateStrategy: OnDelete. Change the image: kubectl set image statefulset/web nginx=nginx:1.27",
            "这个 StatefulSet 的 updateStrategy 是 OnDelete。修改镜像：kubectl set image statefulset/web nginx=nginx:1.27",
        ),
        doing: Doing::Run("kubectl set image statefulset/web nginx=nginx:1.27"),
        predict: Prediction {
            question: ("What happens to the pods?", "Pod 会怎样？"),
            choices: &[("They roll, from web-2 down", "从 web-2 往下滚动更新"), ("Nothing: they keep running the old image", "什么也不发生：继续运行旧镜像"), ("They are all deleted at once", "全部同时被删除")],
            answer: 1,
            why: (
                "OnDelete: the controller records the new update revision (see the stage's revisions) but replaces no pod by itself.",
                "OnDelete：控制器记下新的更新版本（见舞台上的 revision），但不会自己替换任何 Pod。",
            ),
        },
        done: |lab| lab.update_pending() && lab.runs_image(&THREE, OLD_IMAGE),
    },
    Step {
        task: ("Delete web-1 by hand: kubectl delete pod web-1", "手动删除 web-1：kubectl delete pod web-1"),
        doing: Doing::Run("kubectl delete pod web-1"),
        predict: Prediction {
            question: ("Which image does the new web-1 run?", "新的 web-1 运行哪个镜像？"),
            choices: &[("The old one, nginx:1.9.1", "旧的 nginx:1.9.1"), ("The new one, nginx:1.27", "新的 nginx:1.27")],
            answer: 1,
            why: ("A pod deleted by hand comes back from the update revision; the others stay as they are.", "手动删除的 Pod 会按更新版本重建；其他 Pod 保持不变。"),
        },
        done: |lab| lab.recreated("web-1") && lab.runs_image(&["web-1"], NEW_IMAGE),
    },
];

pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "identity",
        title: ("Stable network identity", "稳定的网络标识"),
        preset: "web",
        steps: IDENTITY,
    },
    Lesson {
        id: "storage",
        title: ("Stable storage", "稳定的存储"),
        preset: "web",
        steps: STORAGE,
    },
    Lesson {
        id: "order",
        title: ("Ordered creation and scale-down", "有序创建与缩容"),
        preset: "web",
        steps: ORDER,
    },
    Lesson {
        id: "parallel",
        title: ("Parallel pod management", "Parallel 的 Pod 管理策略"),
        preset: "parallel",
        steps: PARALLEL,
    },
    Lesson {
        id: "partition",
        title: ("Rolling update with a partition", "带 partition 的滚动更新"),
        preset: "partition-canary",
        steps: PARTITION,
    },
    Lesson {
        id: "ondelete",
        title: ("OnDelete updates", "OnDelete 更新策略"),
        preset: "ondelete",
        steps: ON_DELETE,
    },
    Lesson {
        id: "stuck",
        title: ("When a rollout fails", "发布失败时"),
        preset: "stuck-rollout",
        steps: STUCK,
    },
    Lesson {
        id: "outside",
        title: ("Reaching one pod from outside", "从集群外访问某一个 Pod"),
        preset: "zookeeper",
        steps: FROM_OUTSIDE,
    },
];

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
fn saved_progress() -> Value {
    storage()
        .and_then(|s| s.get_item(PROGRESS_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| json!({}))
}

fn save_progress(progress: &Value) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(PROGRESS_KEY, &progress.to_string());
    }
}

fn finished(progress: &Value, id: &str) -> bool {
    progress["finished"]
        .as_array()
        .is_some_and(|ids| ids.iter().any(|v| v == id))
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

    let begin_step = move || {
        let start = simulation
            .timeline
            .with_value(|t| StepStart::of(t.cluster()));
        step_start.set_value((start, terminal.entries.with_untracked(Vec::len)));
    };
    let remember = move |at: &Place| {
        let state = crate::share::state_json(&crate::share::current_state(workspace));
        progress.update(|p| {
            p["current"] =
                json!({ "lesson": LESSONS[at.lesson].id, "step": at.step, "state": state });
        });
        save_progress(&progress.get_untracked());
    };
    let start = move |index: usize| {
        let lesson = &LESSONS[index];
        let Some(preset) = crate::presets::find(lesson.preset) else {
            return;
        };
        let scenario = ordinal_sim::Scenario {
            steps: Vec::new(),
            ..crate::presets::scenario_of(preset)
        };
        workspace.open(&scenario, SimTime::ZERO, None);
        begin_step();
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
        let current = progress.get_untracked()["current"].clone();
        let lesson = LESSONS.iter().position(|l| current["lesson"] == l.id)?;
        let step = current["step"].as_u64()? as usize;
        let state = crate::share::read_state(current["state"].as_str()?).ok()?;
        workspace.open(&state.scenario, state.at, state.editor);
        begin_step();
        place.set(Some(Place {
            lesson,
            step: step.min(LESSONS[lesson].steps.len() - 1),
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
    let look = move |step: &'static Step| {
        let commands: Vec<(SimTime, String)> = step_entries()
            .into_iter()
            .map(|e| (e.instant, e.command))
            .collect();
        simulation.read(|timeline| {
            step_start.with_value(|(start, _)| {
                let lab = Lab {
                    cluster: timeline.cluster(),
                    start,
                    commands: &commands,
                };
                (lab.done(step), lab.waiting(step.doing))
            })
        })
    };

    // The check, whenever the cluster or the console changes.
    Effect::new(move |_| {
        let Some(at) = place.get() else { return };
        if at.done {
            return;
        }
        let (done, _) = look(&LESSONS[at.lesson].steps[at.step]);
        if done {
            playback.playing.set(false);
            place.set(Some(Place { done: true, ..at }));
        }
    });

    let next = move || {
        let Some(at) = place.get_untracked() else {
            return;
        };
        let lesson = &LESSONS[at.lesson];
        if at.step + 1 < lesson.steps.len() {
            begin_step();
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
            progress.update(|p| {
                let mut ids: Vec<Value> = p["finished"].as_array().cloned().unwrap_or_default();
                if !ids.iter().any(|v| v == lesson.id) {
                    ids.push(lesson.id.into());
                }
                p["finished"] = ids.into();
                p["current"] = Value::Null;
            });
            save_progress(&progress.get_untracked());
            place.set(None);
        }
    };
    // The cluster plays while a step unfolds, whoever ran its command; it pauses at the reveal, to be read.
    let do_it = move |doing: Doing| {
        if let Some(command) = doing.command() {
            terminal.run(simulation, Action::Run(command.to_string()), Source::Lesson);
        }
        playback.playing.set(true);
    };

    view! {
        <div class="lessons" role="tabpanel">
            {move || match place.get() {
                None => view! { <LessonList progress=progress start=start resume=resume/> }.into_any(),
                Some(at) => {
                    let lesson = &LESSONS[at.lesson];
                    let step = &lesson.steps[at.step];
                    let doing = step.doing;
                    view! {
                        <article class="lesson" data-lesson=lesson.id data-step=at.step data-done=at.done.to_string()>
                            <h3>
                                {say(lesson.title)}
                                <small>{format!(" · {} / {}", at.step + 1, lesson.steps.len())}</small>
                            </h3>
                            <p class="task">{say(step.task)}</p>
                            <fieldset class="predict" disabled=at.done>
                                <legend>{t(T::Predict)} " " {say(step.predict.question)}</legend>
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
                                            " " {say(*choice)}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                            {match (at.predicted, at.done) {
                                (None, _) => view! { <p class="hint">{t(T::PredictFirst)}</p> }.into_any(),
                                (Some(_), false) => {
                                    // Once the step's command has run, by "Do it" or by hand, running it again
                                    // would undo what the step waits for (a second rollback rolls forward).
                                    let waiting = Memo::new(move |_| look(step).1);
                                    // A step that only plays is under way as soon as the clock runs.
                                    let spent = move || {
                                        waiting.with(Option::is_some)
                                            || (matches!(doing, Doing::Play) && playback.playing.get())
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
                                        " " {say(step.predict.why)}
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
    progress: RwSignal<Value>,
    start: impl Fn(usize) + Copy + Send + Sync + 'static,
    resume: impl Fn() -> Option<()> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let under_way = move || {
        progress.with(|p| {
            let id = p["current"]["lesson"].as_str()?;
            LESSONS.iter().find(|l| l.id == id)
        })
    };
    view! {
        <ul class="lesson-list">
            {move || under_way().map(|lesson| view! {
                <li>
                    <button class="resume" on:click=move |_| { let _ = resume(); }>
                        {t(T::Continue)} " " {say(lesson.title)}
                    </button>
                </li>
            })}
            {LESSONS.iter().enumerate().map(|(index, lesson)| view! {
                <li>
                    <button class="start" data-lesson=lesson.id on:click=move |_| start(index)>
                        {move || say(lesson.title)}
                    </button>
                    {move || progress.with(|p| finished(p, lesson.id)).then(|| view! { <span class="finished">" ✓ " {t(T::Finished)}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ordinal_sim::timeline::Timeline;

    /// Runs a lesson as a learner who does every step with "Do it": each check must pass within ten minutes
    /// of simulated time, and none before its step is done.
    fn run_through(lesson: &Lesson) {
        let preset = crate::presets::find(lesson.preset).unwrap();
        let scenario = ordinal_sim::Scenario {
            steps: Vec::new(),
            ..crate::presets::scenario_of(preset)
        };
        let mut timeline = Timeline::from_scenario(&scenario);
        for (index, step) in lesson.steps.iter().enumerate() {
            let start = StepStart::of(timeline.cluster());
            let check = |timeline: &Timeline, commands: &[(SimTime, String)]| {
                Lab {
                    cluster: timeline.cluster(),
                    start: &start,
                    commands,
                }
                .done(step)
            };
            let mut commands = Vec::new();
            if let Some(command) = step.doing.command() {
                assert!(
                    !check(&timeline, &[]),
                    "{} step {index} is done before it is done",
                    lesson.id
                );
                let ran = timeline.now();
                let output = timeline.act(Action::Run(command.to_string()));
                assert_eq!(
                    output.exit_code, 0,
                    "{} step {index}: {command}: {}",
                    lesson.id, output.stderr
                );
                commands.push((ran, command.to_string()));
            }
            let deadline = timeline.now().plus_millis(600_000);
            while !check(&timeline, &commands) {
                let moved = timeline.step().is_some();
                assert!(
                    moved && timeline.now() < deadline,
                    "{} step {index} never gets done",
                    lesson.id
                );
            }
            if let Doing::RunAndWatch { secs, .. } = step.doing {
                let (ran, _) = commands[0];
                assert!(
                    timeline.now() >= ran.plus_secs(secs),
                    "{} step {index} is done before its watch is over",
                    lesson.id
                );
            }
            assert!(step.predict.answer < step.predict.choices.len());
        }
    }

    #[test]
    fn every_lesson_can_be_done_step_by_step() {
        for lesson in LESSONS {
            run_through(lesson);
        }
    }
}
