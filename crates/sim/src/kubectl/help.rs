//! `kubectl`, `kubectl --help` and `kubectl help`: kubectl's own overview of its commands (staging/src/k8s.io/
//! kubectl/pkg/cmd/cmd.go, `NewKubectlCommand`, whose groups and one-line descriptions these are, as kubectl 1.33
//! prints them), listing the commands this subset carries out. A command it does not carry out is left out
//! rather than listed and then refused.

/// kubectl's command groups, in its order, each command with its one-line description.
const GROUPS: &[(&str, &[(&str, &str)])] = &[
    (
        "Basic Commands (Beginner)",
        &[
            ("create", "Create a resource from a file or from stdin"),
            ("expose", "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service"),
            ("run", "Run a particular image on the cluster"),
            ("set", "Set specific features on objects"),
        ],
    ),
    (
        "Basic Commands (Intermediate)",
        &[
            ("explain", "Get documentation for a resource"),
            ("get", "Display one or many resources"),
            ("edit", "Edit a resource on the server"),
            ("delete", "Delete resources by file names, stdin, resources and names, or by resources and label selector"),
        ],
    ),
    (
        "Deploy Commands",
        &[
            ("rollout", "Manage the rollout of a resource"),
            ("scale", "Set a new size for a deployment, replica set, or replication controller"),
            ("autoscale", "Auto-scale a deployment, replica set, stateful set, or replication controller"),
        ],
    ),
    (
        "Cluster Management Commands",
        &[
            ("certificate", "Modify certificate resources"),
            ("cluster-info", "Display cluster information"),
            ("top", "Display resource (CPU/memory) usage"),
            ("cordon", "Mark node as unschedulable"),
            ("uncordon", "Mark node as schedulable"),
            ("drain", "Drain node in preparation for maintenance"),
            ("taint", "Update the taints on one or more nodes"),
        ],
    ),
    (
        "Troubleshooting and Debugging Commands",
        &[
            ("describe", "Show details of a specific resource or group of resources"),
            ("logs", "Print the logs for a container in a pod"),
            ("attach", "Attach to a running container"),
            ("exec", "Execute a command in a container"),
            ("port-forward", "Forward one or more local ports to a pod"),
            ("proxy", "Run a proxy to the Kubernetes API server"),
            ("cp", "Copy files and directories to and from containers"),
            ("auth", "Inspect authorization"),
            ("debug", "Create debugging sessions for troubleshooting workloads and nodes"),
            ("events", "List events"),
        ],
    ),
    (
        "Advanced Commands",
        &[
            ("diff", "Diff the live version against a would-be applied version"),
            ("apply", "Apply a configuration to a resource by file name or stdin"),
            ("patch", "Update fields of a resource"),
            ("replace", "Replace a resource by file name or stdin"),
            ("wait", "Experimental: Wait for a specific condition on one or many resources"),
            ("kustomize", "Build a kustomization target from a directory or URL"),
        ],
    ),
    (
        "Settings Commands",
        &[
            ("label", "Update the labels on a resource"),
            ("annotate", "Update the annotations on a resource"),
            ("completion", "Output shell completion code for the specified shell (bash, zsh, fish, or powershell)"),
        ],
    ),
    ("Subcommands provided by plugins", &[]),
    (
        "Other Commands",
        &[
            ("api-resources", "Print the supported API resources on the server"),
            ("api-versions", "Print the supported API versions on the server, in the form of \"group/version\""),
            ("config", "Modify kubeconfig files"),
            ("plugin", "Provides utilities for interacting with plugins"),
            ("version", "Print the client and server version information"),
        ],
    ),
];

/// The commands `kubectl::run` carries out. Kept beside kubectl's list, which a test holds against `run`.
pub const CARRIED_OUT: &[&str] = &[
    "expose", "run", "set", "get", "delete", "rollout", "scale", "cordon", "uncordon", "drain",
    "describe", "logs", "exec", "apply", "patch", "wait", "label", "annotate",
];

/// Whether the words after `kubectl` ask for its overview: none, `--help`, `-h`, or `help` alone.
pub fn asks_for_help(words: &[String]) -> bool {
    matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        [] | ["--help"] | ["-h"] | ["help"]
    )
}

/// The commands carried out, with kubectl's description of each, in kubectl's order.
pub fn commands() -> impl Iterator<Item = (&'static str, &'static str)> {
    GROUPS
        .iter()
        .flat_map(|(_, commands)| commands.iter().copied())
        .filter(|(name, _)| CARRIED_OUT.contains(name))
}

/// What `kubectl --help` prints, with the commands carried out.
pub fn overview() -> String {
    let mut text = String::from(
        "kubectl controls the Kubernetes cluster manager.\n\n Find more information at: https://kubernetes.io/docs/reference/kubectl/\n\n",
    );
    for (group, commands) in GROUPS {
        let listed: Vec<_> = commands
            .iter()
            .filter(|(name, _)| CARRIED_OUT.contains(name))
            .collect();
        // kubectl prints the plugins' heading even with none; a group of ours with none carried out goes.
        if listed.is_empty() && !commands.is_empty() {
            continue;
        }
        text.push_str(group);
        text.push_str(":\n");
        for (name, description) in listed {
            text.push_str(&format!("  {name:<16}{description}\n"));
        }
        text.push('\n');
    }
    text.push_str(
        "Usage:\n  kubectl [flags] [options]\n\nUse \"kubectl <command> --help\" for more information about a given command.\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Cluster;
    use crate::config::ClusterConfig;

    #[test]
    fn the_overview_lists_exactly_the_commands_run_carries_out() {
        let mut cluster = Cluster::new(ClusterConfig::default());
        for (_, commands) in GROUPS {
            for (name, _) in *commands {
                let output = super::super::run(&mut cluster, &format!("kubectl {name}"), "");
                let unknown = output.stderr.contains("unknown command");
                assert_eq!(
                    unknown,
                    !CARRIED_OUT.contains(name),
                    "kubectl {name}: {}",
                    output.stderr
                );
            }
        }
        assert_eq!(commands().count(), CARRIED_OUT.len());
    }

    #[test]
    fn the_overview_is_kubectls_layout() {
        let text = overview();
        assert!(text.starts_with("kubectl controls the Kubernetes cluster manager.\n\n"));
        assert!(text.contains(
            "\nDeploy Commands:\n  rollout         Manage the rollout of a resource\n  scale           Set a new size"
        ));
        assert!(text.contains("\nSubcommands provided by plugins:\n\nUsage:\n"));
        assert!(!text.contains("  attach "), "not carried out, not listed");
        assert!(text.ends_with("(applies to all commands).\n"));
    }
}
