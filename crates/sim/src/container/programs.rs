//! The programs of a container's image that are not the shell's own: coreutils (or BusyBox's applets) over
//! the container's files, `hostname`, `env`, `ps`, `df` and `mount`, and the network tools of `net`. Each
//! speaks in its userland's words.

use k8s_openapi::api::core::v1::PersistentVolume;

use super::{net, Machine, Userland};
use crate::object::ObjectKey;
use crate::quantity::parse_quantity;
use crate::shell::{FsError, Io, Session};
use crate::vfs::{Entry, TreeId};

/// Runs `name`; `None` when the image's programs do not include it here.
pub fn run(
    machine: &mut Machine,
    name: &str,
    args: &[String],
    session: &Session,
    io: &mut Io,
) -> Option<i32> {
    Some(match name {
        "ls" => ls(machine, args, session, io),
        "touch" => touch(machine, args, session, io),
        "rm" => rm(machine, args, session, io),
        "mkdir" => mkdir(machine, args, session, io),
        "chmod" => chmod(machine, args, session, io),
        "hostname" => hostname(machine, args, io),
        "whoami" => {
            io.out("root\n");
            0
        }
        "date" => {
            let now = machine.cluster.now().to_k8s().0;
            io.stdout
                .push_str(&format!("{}\n", now.strftime("%a %b %e %H:%M:%S UTC %Y")));
            0
        }
        "env" | "printenv" => env(machine, args, session, io),
        "ps" => ps(machine, session, io),
        "df" => df(machine, args, io),
        "mount" => mount(machine, io),
        "nslookup" => net::nslookup(machine, args, io),
        "curl" => net::curl(machine, args, session, io),
        "wget" => net::wget(machine, args, session, io),
        _ => return None,
    })
}

/// A program's complaint, and its status.
fn fail(io: &mut Io, program: &str, message: String, status: i32) -> i32 {
    io.error(format!("{program}: {message}"));
    status
}

fn split_flags(args: &[String]) -> (Vec<&String>, Vec<&String>) {
    args.iter().partition(|a| a.starts_with('-') && a.len() > 1)
}

fn ls(machine: &mut Machine, args: &[String], session: &Session, io: &mut Io) -> i32 {
    let (flags, paths) = split_flags(args);
    let all = flags.iter().any(|f| f.contains('a'));
    let paths: Vec<String> = if paths.is_empty() {
        vec![".".into()]
    } else {
        paths.into_iter().cloned().collect()
    };
    let userland = machine.image.userland;
    let mut status = 0;
    let many = paths.len() > 1;
    let mut listings = Vec::new();
    for path in &paths {
        let absolute = session.absolute(path);
        match machine.look(|fs| fs.entry(&absolute).map(|e| (e, fs.list(&absolute)))) {
            None => {
                status = match userland {
                    Userland::Debian => fail(
                        io,
                        "ls",
                        format!("cannot access '{path}': No such file or directory"),
                        2,
                    ),
                    Userland::BusyBox => {
                        fail(io, "ls", format!("{path}: No such file or directory"), 1)
                    }
                };
            }
            Some((Entry::Dir, names)) => {
                let mut names = names.unwrap_or_default();
                if all {
                    names.splice(0..0, [".".to_string(), "..".to_string()]);
                }
                listings.push((Some(path.clone()), names));
            }
            Some(_) => listings.push((None, vec![path.clone()])),
        }
    }
    let blocks: Vec<String> = listings
        .into_iter()
        .map(|(dir, names)| {
            let body = columns(&names, machine.tty);
            match dir {
                Some(dir) if many => format!("{dir}:\n{body}"),
                _ => body,
            }
        })
        .collect();
    io.out(&blocks.join("\n"));
    status
}

/// One name per line when piped; in a row on a terminal.
fn columns(names: &[String], tty: bool) -> String {
    if names.is_empty() {
        String::new()
    } else if tty {
        format!("{}\n", names.join("  "))
    } else {
        names.iter().map(|n| format!("{n}\n")).collect()
    }
}

fn touch(machine: &mut Machine, args: &[String], session: &Session, io: &mut Io) -> i32 {
    let userland = machine.image.userland;
    let mut status = 0;
    for file in split_flags(args).1 {
        let path = session.absolute(file);
        let written = machine.with_fs(|fs| match fs.entry(&path) {
            Some(_) => Ok(()),
            None => fs.write(&path, "", false),
        });
        if let Err(error) = written {
            let message = match userland {
                Userland::Debian => format!("cannot touch '{file}': {}", error.text()),
                Userland::BusyBox => format!("{file}: {}", error.text()),
            };
            status = fail(io, "touch", message, 1);
        }
    }
    status
}

fn rm(machine: &mut Machine, args: &[String], session: &Session, io: &mut Io) -> i32 {
    let (flags, files) = split_flags(args);
    let recursive = flags.iter().any(|f| f.contains('r') || f.contains('R'));
    let force = flags.iter().any(|f| f.contains('f'));
    let userland = machine.image.userland;
    let mut status = 0;
    for file in files {
        let path = session.absolute(file);
        match machine.with_fs(|fs| fs.remove(&path, recursive)) {
            Ok(()) => {}
            Err(FsError::NotFound) if force => {}
            Err(error) => {
                let message = match (userland, error) {
                    (Userland::Debian, _) => format!("cannot remove '{file}': {}", error.text()),
                    (Userland::BusyBox, FsError::IsADirectory) => {
                        format!("'{file}' is a directory")
                    }
                    (Userland::BusyBox, _) => format!("can't remove '{file}': {}", error.text()),
                };
                status = fail(io, "rm", message, 1);
            }
        }
    }
    status
}

fn mkdir(machine: &mut Machine, args: &[String], session: &Session, io: &mut Io) -> i32 {
    let (flags, dirs) = split_flags(args);
    let parents = flags.iter().any(|f| f.contains('p'));
    let userland = machine.image.userland;
    let mut status = 0;
    for dir in dirs {
        let path = session.absolute(dir);
        if let Err(error) = machine.with_fs(|fs| fs.mkdir(&path, parents)) {
            let message = match userland {
                Userland::Debian => format!("cannot create directory '{dir}': {}", error.text()),
                Userland::BusyBox => format!("can't create directory '{dir}': {}", error.text()),
            };
            status = fail(io, "mkdir", message, 1);
        }
    }
    status
}

/// `chmod MODE FILE…`: files here have no modes (every process is root), so it only checks that they exist.
fn chmod(machine: &mut Machine, args: &[String], session: &Session, io: &mut Io) -> i32 {
    let operands = split_flags(args).1;
    let Some((_mode, files)) = operands.split_first().filter(|(_, f)| !f.is_empty()) else {
        return fail(io, "chmod", "missing operand".into(), 1);
    };
    let userland = machine.image.userland;
    let mut status = 0;
    for file in files {
        let path = session.absolute(file);
        if machine.look(|fs| fs.entry(&path)).is_none() {
            let message = match userland {
                Userland::Debian => format!("cannot access '{file}': No such file or directory"),
                Userland::BusyBox => format!("{file}: No such file or directory"),
            };
            status = fail(io, "chmod", message, 1);
        }
    }
    status
}

/// `hostname`, and `hostname -f`, which resolves the name through `/etc/hosts` as the kubelet wrote it.
fn hostname(machine: &mut Machine, args: &[String], io: &mut Io) -> i32 {
    let (short, fqdn) = machine.look(|fs| (fs.hostname.clone(), fs.fqdn.clone()));
    let name = match args.first().map(String::as_str) {
        Some("-f" | "--fqdn" | "--long") => fqdn.unwrap_or(short),
        Some("-s" | "--short") | None => short,
        Some(other) => {
            let option = other.trim_start_matches('-');
            return fail(io, "hostname", format!("invalid option -- '{option}'"), 1);
        }
    };
    io.out(&format!("{name}\n"));
    0
}

/// `env` and `printenv [NAME…]`: the shell's exported variables, in the order the container's process got
/// them, then those exported since.
fn env(machine: &mut Machine, args: &[String], session: &Session, io: &mut Io) -> i32 {
    let initial = machine.environment();
    let mut names: Vec<String> = initial.into_iter().map(|(name, _)| name).collect();
    for (name, _) in session.variables.exported() {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    let value = |name: &str| {
        session
            .variables
            .exported()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v)
    };
    if !args.is_empty() {
        let mut status = 0;
        for name in args {
            match value(name) {
                Some(v) => io.out(&format!("{v}\n")),
                None => status = 1,
            }
        }
        return status;
    }
    for name in names {
        if let Some(v) = value(&name) {
            io.out(&format!("{name}={v}\n"));
        }
    }
    0
}

/// BusyBox's `ps`: the container's main process as PID 1, the shell this runs in, and `ps` itself.
fn ps(machine: &mut Machine, session: &Session, io: &mut Io) -> i32 {
    let container = machine
        .pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .find(|c| c.name == machine.container)
        .cloned()
        .unwrap_or_default();
    let main: Vec<String> = container
        .command
        .iter()
        .flatten()
        .chain(container.args.iter().flatten())
        .cloned()
        .collect();
    let main = if main.is_empty() {
        "sh".to_string()
    } else {
        main.join(" ")
    };
    let shell = match session.dialect {
        crate::shell::Dialect::Bash => "bash",
        _ => "sh",
    };
    io.out("PID   USER     TIME  COMMAND\n");
    for (pid, command) in [(1, main.as_str()), (7, shell), (13, "ps")] {
        io.stdout
            .push_str(&format!("{pid:>5} root      0:00 {command}\n"));
    }
    0
}

/// A mounted filesystem as `df` and `mount` show it.
struct Filesystem {
    source: String,
    kind: &'static str,
    target: String,
    /// Size and use in bytes.
    size: u64,
    used: u64,
}

/// The node's disk, which backs the container's root, the kubelet's files and its emptyDirs.
const NODE_DISK: u64 = 62_725_623_808;
const NODE_DISK_USED: u64 = 13_958_643_712;

/// What is mounted in the container: its root, `/dev`, the kubelet's `/etc` files and its volumes.
fn filesystems(machine: &Machine) -> Vec<Filesystem> {
    let node = |target: &str| Filesystem {
        source: "/dev/vda1".into(),
        kind: "ext4",
        target: target.into(),
        size: NODE_DISK,
        used: NODE_DISK_USED,
    };
    let mut list = vec![
        Filesystem {
            source: "overlay".into(),
            kind: "overlay",
            target: "/".into(),
            size: NODE_DISK,
            used: NODE_DISK_USED,
        },
        Filesystem {
            source: "tmpfs".into(),
            kind: "tmpfs",
            target: "/dev".into(),
            size: 64 << 20,
            used: 0,
        },
        node("/etc/hosts"),
        node("/etc/hostname"),
        node("/etc/resolv.conf"),
    ];
    let volumes: Vec<(String, TreeId, u64)> = machine.look(|fs| {
        let mut mounts: Vec<(String, TreeId, u64)> = fs
            .volume_mounts()
            .map(|(path, tree)| (path.to_string(), tree.clone(), fs.bytes_in(tree) as u64))
            .collect();
        mounts.reverse();
        mounts
    });
    let mut disks = 0u8;
    for (path, tree, bytes) in volumes {
        // Each file takes whole 4 KiB blocks.
        let used = bytes.div_ceil(4096) * 4096;
        match tree {
            TreeId::Volume { name, .. } => {
                let size = machine
                    .cluster
                    .store()
                    .get::<PersistentVolume>(&ObjectKey::cluster(name))
                    .and_then(|pv| pv.spec.as_ref()?.capacity.as_ref()?.get("storage").cloned())
                    .and_then(|q| parse_quantity(&q.0))
                    .map_or(0, |q| u64::try_from(q).unwrap_or(u64::MAX));
                list.push(Filesystem {
                    source: format!("/dev/sd{}", char::from(b'b' + disks % 24)),
                    kind: "ext4",
                    target: path,
                    size,
                    used,
                });
                disks += 1;
            }
            _ => list.push(Filesystem {
                used: NODE_DISK_USED + used,
                ..node(&path)
            }),
        }
    }
    list
}

/// `df [-h]`, in GNU's layout or BusyBox's.
fn df(machine: &mut Machine, args: &[String], io: &mut Io) -> i32 {
    let human = args.iter().any(|a| a.starts_with('-') && a.contains('h'));
    let size = |bytes: u64| {
        if human {
            human_size(bytes)
        } else {
            bytes.div_ceil(1024).to_string()
        }
    };
    let busybox = machine.image.userland == Userland::BusyBox;
    let mut rows = vec![[
        "Filesystem".to_string(),
        if human { "Size" } else { "1K-blocks" }.to_string(),
        "Used".into(),
        if busybox { "Available" } else { "Avail" }.to_string(),
        "Use%".into(),
        "Mounted on".into(),
    ]];
    for fs in filesystems(machine) {
        let available = fs.size.saturating_sub(fs.used);
        let percent = if fs.size == 0 {
            0
        } else {
            (fs.used * 100).div_ceil(fs.size)
        };
        rows.push([
            fs.source,
            size(fs.size),
            size(fs.used),
            size(available),
            format!("{percent}%"),
            fs.target,
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let mut line = format!("{:<w$}", row[0], w = widths[0]);
        for (i, cell) in row.iter().enumerate().take(5).skip(1) {
            line.push_str(&format!(" {:>w$}", cell, w = widths[i].max(4)));
        }
        line.push_str(&format!(" {}\n", row[5]));
        io.out(&line);
    }
    0
}

/// Sizes as `df -h` prints them: powers of 1024, rounded up, one decimal below 10; a value that rounds up
/// to 1024 is shown in the next unit.
fn human_size(bytes: u64) -> String {
    if bytes == 0 {
        return "0".into();
    }
    let units = ["K", "M", "G", "T", "P"];
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    loop {
        let shown = if value < 10.0 {
            (value * 10.0).ceil() / 10.0
        } else {
            value.ceil()
        };
        if shown < 1024.0 || unit == units.len() - 1 {
            return if shown < 10.0 {
                format!("{shown:.1}{}", units[unit])
            } else {
                format!("{shown}{}", units[unit])
            };
        }
        value /= 1024.0;
        unit += 1;
    }
}

/// `mount` with no arguments: what is mounted where.
fn mount(machine: &mut Machine, io: &mut Io) -> i32 {
    for fs in filesystems(machine) {
        let options = match fs.kind {
            "tmpfs" => "rw,nosuid,size=65536k,mode=755",
            _ => "rw,relatime",
        };
        io.out(&format!(
            "{} on {} type {} ({options})\n",
            fs.source, fs.target, fs.kind
        ));
    }
    0
}
