//! Inside a container: what `kubectl exec` and `kubectl run -i` reach. The container is a machine the shell
//! (`crate::shell`) runs on, with the image's shell (dash, BusyBox's ash, bash), its programs, its files (its
//! image, the kubelet's `/etc` files, its volumes), its environment (the pod's `env`, the downward API, the
//! Services' link variables) and its network (cluster DNS, and nginx serving its document root to curl and
//! wget, each request written to the serving container's log).

mod fs;
mod image;
mod net;
pub mod process;
mod programs;

pub use fs::{image_of, ContainerFs};
pub use image::Image;

use k8s_openapi::api::core::v1::{Pod, Service};

use crate::cluster::Cluster;
use crate::shell::{Dialect, FsError, Input, Io, Job, Poll, Session, Start, System};
use crate::time::SimTime;
use crate::vfs::Entry;

/// Which userland the image ships: error messages differ between BusyBox and Debian's coreutils and dash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Userland {
    BusyBox,
    Debian,
}

/// A program in a container that has not exited: a shell running a script (`sh -c 'sleep 5; …'`).
#[derive(Clone, Debug)]
pub struct Program(Box<Job<Program>>);

/// One container of a pod as a shell's machine.
pub struct Machine<'a> {
    pub cluster: &'a mut Cluster,
    pub pod: Pod,
    pub container: String,
    pub image: Image,
    /// Whether stdout is a terminal (`exec -t`): `ls` then prints in a row, as it does on a terminal.
    pub tty: bool,
}

impl<'a> Machine<'a> {
    pub fn new(cluster: &'a mut Cluster, pod: Pod, container: &str, tty: bool) -> Self {
        let image = Image::of(&image_of(&pod, container));
        Machine {
            cluster,
            pod,
            container: container.to_string(),
            image,
            tty,
        }
    }

    /// The shell `program` (`sh`, `/bin/bash`, `ash`) is in this image: dash or ash for `sh`, bash for bash.
    pub fn dialect_of(&self, program: &str) -> Dialect {
        match (basename(program), self.image.userland) {
            ("bash", _) => Dialect::Bash,
            (_, Userland::BusyBox) => Dialect::Ash,
            (_, Userland::Debian) => Dialect::Dash,
        }
    }

    /// A new shell of `dialect` in the container, started in `cwd` with the container's environment.
    pub fn shell(&self, dialect: Dialect, cwd: &str) -> Session {
        let mut session = Session::new(dialect, cwd);
        for (name, value) in self.environment() {
            session.variables.set(&name, &value);
            session.variables.export(&name);
        }
        session.variables.set("PWD", cwd);
        session
    }

    /// The container's environment as its process starts with it: the runtime's PATH and HOSTNAME, the
    /// container's `env` (values, and the downward API's fields), the Services' link variables, the image's
    /// own, and HOME.
    pub fn environment(&self) -> Vec<(String, String)> {
        let mut env = vec![
            (
                "PATH".to_string(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            ),
            ("HOSTNAME".to_string(), self.hostname()),
        ];
        let spec_env = self
            .pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .find(|c| c.name == self.container)
            .and_then(|c| c.env.clone())
            .unwrap_or_default();
        for var in spec_env {
            let value = match (&var.value, &var.value_from) {
                (Some(value), _) => Some(value.clone()),
                (None, Some(source)) => source
                    .field_ref
                    .as_ref()
                    .map(|field| self.field(&field.field_path)),
                (None, None) => Some(String::new()),
            };
            // A value from a ConfigMap or Secret is not simulated: the variable is left out.
            if let Some(value) = value {
                env.push((var.name, value));
            }
        }
        env.extend(self.service_links());
        env.extend(self.image.env.iter().cloned());
        env.push(("HOME".to_string(), "/root".to_string()));
        env
    }

    /// A downward API field (`fieldRef.fieldPath`).
    fn field(&self, path: &str) -> String {
        let status = self.pod.status.clone().unwrap_or_default();
        let spec = self.pod.spec.clone().unwrap_or_default();
        let meta = &self.pod.metadata;
        match path {
            "metadata.name" => meta.name.clone(),
            "metadata.namespace" => meta.namespace.clone(),
            "metadata.uid" => meta.uid.clone(),
            "spec.nodeName" => spec.node_name,
            "spec.serviceAccountName" => spec.service_account_name,
            "status.podIP" => status.pod_ip,
            "status.hostIP" => status.host_ip,
            other => other
                .strip_prefix("metadata.labels['")
                .and_then(|k| k.strip_suffix("']"))
                .and_then(|k| meta.labels.as_ref()?.get(k).cloned()),
        }
        .unwrap_or_default()
    }

    /// The kubelet's Service link variables (`pkg/kubelet/envvars`): for each Service with a ClusterIP in the
    /// pod's namespace, and the `kubernetes` Service, `NAME_SERVICE_HOST`, `NAME_SERVICE_PORT`, and the
    /// Docker-link forms; sorted by name.
    fn service_links(&self) -> Vec<(String, String)> {
        let namespace = self.pod.metadata.namespace.clone().unwrap_or_default();
        let mut links = Vec::new();
        for service in self.cluster.store().list::<Service>() {
            let service_namespace = service.metadata.namespace.as_deref().unwrap_or_default();
            let name = service.metadata.name.clone().unwrap_or_default();
            let master = service_namespace == "default" && name == "kubernetes";
            if service_namespace != namespace && !master {
                continue;
            }
            let spec = service.spec.clone().unwrap_or_default();
            let Some(ip) = spec.cluster_ip.filter(|ip| !ip.is_empty() && ip != "None") else {
                continue;
            };
            let prefix = name.to_uppercase().replace('-', "_");
            let ports = spec.ports.unwrap_or_default();
            let Some(first) = ports.first() else {
                continue;
            };
            links.push((format!("{prefix}_SERVICE_HOST"), ip.clone()));
            links.push((format!("{prefix}_SERVICE_PORT"), first.port.to_string()));
            for port in &ports {
                if let Some(port_name) = port.name.as_ref().filter(|n| !n.is_empty()) {
                    let port_name = port_name.to_uppercase().replace('-', "_");
                    links.push((
                        format!("{prefix}_SERVICE_PORT_{port_name}"),
                        port.port.to_string(),
                    ));
                }
            }
            let protocol = |p: &k8s_openapi::api::core::v1::ServicePort| {
                p.protocol.clone().unwrap_or_else(|| "TCP".into())
            };
            links.push((
                format!("{prefix}_PORT"),
                format!("{}://{ip}:{}", protocol(first).to_lowercase(), first.port),
            ));
            for port in &ports {
                let proto = protocol(port);
                let base = format!("{prefix}_PORT_{}_{proto}", port.port);
                links.push((
                    base.clone(),
                    format!("{}://{ip}:{}", proto.to_lowercase(), port.port),
                ));
                links.push((format!("{base}_PROTO"), proto.to_lowercase()));
                links.push((format!("{base}_PORT"), port.port.to_string()));
                links.push((format!("{base}_ADDR"), ip.clone()));
            }
        }
        crate::sort::sort_by_key(&mut links, |(name, _)| name.clone());
        links
    }

    pub fn hostname(&self) -> String {
        self.pod
            .spec
            .as_ref()
            .and_then(|s| s.hostname.clone())
            .or_else(|| self.pod.metadata.name.clone())
            .unwrap_or_default()
    }

    /// Runs `f` over the container's files, taken out of the cluster for the while as a process holds its
    /// filesystem.
    pub fn with_fs<R>(&mut self, f: impl FnOnce(&mut ContainerFs) -> R) -> R {
        let mut vfs = std::mem::take(self.cluster.vfs_mut());
        let result = {
            let mut fs =
                ContainerFs::new(&mut vfs, self.cluster.store(), &self.pod, &self.container);
            f(&mut fs)
        };
        *self.cluster.vfs_mut() = vfs;
        result
    }

    /// Reads through a copy of the files (their trees are shared, so a copy is cheap), for a question that
    /// changes nothing.
    pub fn look<R>(&self, f: impl FnOnce(&ContainerFs) -> R) -> R {
        let mut vfs = self.cluster.vfs().clone();
        let fs = ContainerFs::new(&mut vfs, self.cluster.store(), &self.pod, &self.container);
        f(&fs)
    }

    /// A shell program: `sh -c SCRIPT`, or `sh` reading a script piped to it; a shell with neither reads an
    /// empty stdin and exits.
    fn start_shell(
        &mut self,
        argv: &[String],
        stdin: &str,
        session: &Session,
        io: &mut Io,
    ) -> Start<Program> {
        let dialect = self.dialect_of(&argv[0]);
        let script = match argv.get(1).map(String::as_str) {
            Some("-c") => match argv.get(2) {
                Some(script) => script.clone(),
                None => {
                    io.error(match dialect {
                        Dialect::Dash => "sh: 0: -c requires an argument",
                        Dialect::Ash => "sh: -c requires an argument",
                        Dialect::Bash => "bash: -c: option requires an argument",
                    });
                    return Start::Exited(2);
                }
            },
            _ => stdin.to_string(),
        };
        let mut shell = Session::new(dialect, &session.cwd);
        shell.variables = session.variables.clone();
        let mut program = Program(Box::new(Job::start(&script, shell)));
        match self.poll(&mut program, &mut Input::default(), io) {
            Poll::Exited(status) => Start::Exited(status),
            Poll::Waiting(_) => Start::Running(program),
        }
    }
}

impl System for Machine<'_> {
    type Program = Program;

    fn now(&self) -> SimTime {
        self.cluster.now()
    }

    fn start(
        &mut self,
        argv: &[String],
        stdin: &str,
        session: &Session,
        io: &mut Io,
    ) -> Start<Program> {
        if !self.image.has(&argv[0]) {
            return Start::NotFound;
        }
        if is_shell(&argv[0]) {
            return self.start_shell(argv, stdin, session, io);
        }
        match programs::run(self, basename(&argv[0]), &argv[1..], session, io) {
            Some(status) => Start::Exited(status),
            None => Start::NotFound,
        }
    }

    fn poll(&mut self, program: &mut Program, _input: &mut Input, io: &mut Io) -> Poll {
        let poll = program.0.poll(self);
        let out = program.0.take_output();
        io.append(&out);
        poll
    }

    fn interrupt(&mut self, program: &mut Program, io: &mut Io) -> i32 {
        program.0.interrupt(self);
        let out = program.0.take_output();
        io.err(&out.stderr);
        crate::shell::INTERRUPTED
    }

    fn read_file(&self, session: &Session, path: &str) -> Result<String, FsError> {
        let path = session.absolute(path);
        self.look(|fs| fs.read(&path))
    }

    fn write_file(
        &mut self,
        session: &mut Session,
        path: &str,
        text: &str,
        append: bool,
    ) -> Result<(), FsError> {
        let path = session.absolute(path);
        self.with_fs(|fs| fs.write(&path, text, append))
    }

    fn is_directory(&self, session: &Session, path: &str) -> bool {
        let path = session.absolute(path);
        self.look(|fs| fs.entry(&path) == Some(Entry::Dir))
    }
}

pub fn basename(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// Whether `program` is a shell: `sh`, `bash`, `ash`, by name or path.
pub fn is_shell(program: &str) -> bool {
    matches!(basename(program), "sh" | "bash" | "ash")
}
