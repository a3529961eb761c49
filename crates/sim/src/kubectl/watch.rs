//! `kubectl get --watch` and `--watch-only`: the listing (or the one object named), then, as the cluster
//! changes, the object of every change that the listing would show, until the command is interrupted. After
//! `GetOptions.watch` in k8s.io/kubectl/pkg/cmd/get/get.go: one resource type at a time; a table's header is
//! printed once, with the first row, and its columns widen as kubectl's tabwriter widens them.

use serde_json::Value;

use super::apply::resource_name;
use super::get::{self, Format, Options};
use super::printers::{to_json, TableWriter};
use super::{
    key_of, not_found, CommandOutput, Context, KindVisitor, ResourceType, Started, Waiting,
};
use crate::api::printers::Printable;
use crate::cluster::Cluster;
use crate::kubectl::args::Args;
use crate::shell::Stream;
use crate::store::WatchEvent;
use crate::time::SimTime;

#[derive(Clone, Debug)]
pub struct GetWatch {
    /// The cluster's watch this command holds open.
    watch: u64,
    kind: ResourceType,
    /// The one object named, if one was.
    name: Option<String>,
    options: Options,
    printer: Printer,
}

/// What kubectl's printer remembers between the objects of a watch.
#[derive(Clone, Debug, Default)]
struct Printer {
    table: TableWriter,
    /// Whether the table's header has been printed.
    headed: bool,
    /// YAML documents printed: each after the first starts with `---`.
    documents: usize,
}

impl Printer {
    fn print<T: Printable>(
        &mut self,
        options: &Options,
        object: &T,
        value: Value,
        now: SimTime,
        output: &mut CommandOutput,
    ) {
        match options.format() {
            Format::Table { .. } => {
                let header = (!self.headed).then(|| options.header::<T>());
                self.headed = true;
                let header: Option<Vec<&str>> = header
                    .as_ref()
                    .map(|h| h.iter().map(String::as_str).collect());
                let row = options.row(object, now);
                output
                    .stdout
                    .push_str(&self.table.write(header.as_deref(), &[row]));
            }
            Format::Name => output.say(resource_name::<T>(
                object.metadata().name.as_deref().unwrap_or_default(),
            )),
            Format::Json => output.write(Stream::Stdout, &to_json(&value)),
            Format::Yaml => {
                if self.documents > 0 {
                    output.write(Stream::Stdout, "---\n");
                }
                self.documents += 1;
                output.write(Stream::Stdout, &super::yaml::to_yaml(&value));
            }
        }
    }
}

pub fn start(cluster: &mut Cluster, args: &Args, context: &Context) -> Started {
    let (targets, options) = match get::request(args, context) {
        Ok(request) => request,
        Err(output) => return Started::Done(output),
    };
    let [(kind, names)] = targets.groups.as_slice() else {
        return Started::Done(CommandOutput::error(
            "error: watch is only supported on individual resources and resource collections - more than 1 resource was found",
        ));
    };
    let mut watch = GetWatch {
        watch: 0,
        kind: *kind,
        name: names.first().cloned(),
        options,
        printer: Printer::default(),
    };
    let mut output = CommandOutput::default();
    let listing = Listing {
        cluster,
        watch: &mut watch,
        output: &mut output,
        print: !args.has(&["--watch-only"]),
    };
    if let Err(refused) = kind.visit(listing) {
        return Started::Done(refused);
    }
    watch.watch = cluster.open_watch(kind.kind());
    Started::Waiting(output, Waiting::Watch(Box::new(watch)))
}

impl GetWatch {
    /// Prints the changes since the last poll. A watch never ends by itself.
    pub fn poll(&mut self, cluster: &mut Cluster, output: &mut CommandOutput) -> Option<i32> {
        for event in cluster.take_watched(self.watch) {
            let kind = self.kind;
            kind.visit(Change {
                watch: self,
                event: &event,
                output,
            });
        }
        None
    }

    pub fn stop(&mut self, cluster: &mut Cluster) {
        cluster.close_watch(self.watch);
    }

    /// Whether the watch shows `object`: in its namespace, the one named if one was, and taken by the
    /// selectors; with the object's JSON form when the output needs it.
    fn shows<T: Printable>(&self, object: &T) -> Option<Value> {
        let meta = object.metadata();
        let namespace = self.options.namespace_of::<T>();
        if namespace.is_some_and(|n| meta.namespace.as_deref() != Some(n)) {
            return None;
        }
        if self
            .name
            .as_ref()
            .is_some_and(|n| meta.name.as_ref() != Some(n))
        {
            return None;
        }
        self.options.select(object)
    }
}

/// Prints what the watch starts with: the listing, or the object named (which must exist).
struct Listing<'a> {
    cluster: &'a Cluster,
    watch: &'a mut GetWatch,
    output: &'a mut CommandOutput,
    print: bool,
}

impl KindVisitor for Listing<'_> {
    type Output = Result<(), CommandOutput>;

    fn visit<T: Printable>(self) -> Result<(), CommandOutput> {
        let store = self.cluster.store();
        let GetWatch {
            printer,
            options,
            name,
            ..
        } = self.watch;
        let objects: Vec<&T> = match name {
            Some(name) => {
                let key = key_of::<T>(options.namespace_of::<T>().unwrap_or("default"), name);
                let object = store
                    .get::<T>(&key)
                    .ok_or_else(|| CommandOutput::error(not_found::<T>(name)))?;
                vec![object]
            }
            None => match options.namespace_of::<T>() {
                Some(namespace) => store.list_namespace::<T>(namespace).collect(),
                None => store.list::<T>().collect(),
            },
        };
        if !self.print {
            return Ok(());
        }
        let now = self.cluster.now();
        for object in objects {
            if let Some(value) = options.select(object) {
                printer.print(options, object, value, now, self.output);
            }
        }
        Ok(())
    }
}

/// Prints one change, if the watch shows its object: as it was then, its ages counted to then.
struct Change<'a> {
    watch: &'a mut GetWatch,
    event: &'a WatchEvent,
    output: &'a mut CommandOutput,
}

impl KindVisitor for Change<'_> {
    type Output = ();

    fn visit<T: Printable>(self) {
        let Some(object) = T::of_object(&self.event.object) else {
            return;
        };
        if let Some(value) = self.watch.shows(object) {
            let GetWatch {
                printer, options, ..
            } = self.watch;
            printer.print(options, object, value, self.event.at, self.output);
        }
    }
}
