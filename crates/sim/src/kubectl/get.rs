//! `kubectl get`: tables, `-o wide|name|json|yaml`, label and field selectors, several types at once, and
//! `-A`.

use serde_json::Value;
use std::collections::BTreeMap;

use super::args::Args;
use super::printers::{labels_column, render_table, to_json, TableWriter};
use super::{key_of, not_found, CommandOutput, Context, KindVisitor, Targets};
use crate::api::fields::{parse_field_selector, FieldTerm};
use crate::api::printers::{Columns, Printable};
use crate::api::resources::{resource_type, ResourceType};
use crate::cluster::Cluster;
use crate::kubectl::apply::resource_name;
use crate::labels::{parse_selector, requirements_match, Requirement};
use crate::time::SimTime;

const FLAGS: &[&str] = &[
    "-w",
    "--watch",
    "--watch-only",
    "-o",
    "--output",
    "-l",
    "--selector",
    "-A",
    "--all-namespaces",
    "--show-labels",
    "--no-headers",
    "-L",
    "--label-columns",
    "--field-selector",
    "--chunk-size",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Table { wide: bool },
    Name,
    Json,
    Yaml,
}

impl Format {
    fn parse(text: Option<&str>) -> Result<Format, CommandOutput> {
        Ok(match text.unwrap_or("") {
            "" => Format::Table { wide: false },
            "wide" => Format::Table { wide: true },
            "name" => Format::Name,
            "json" => Format::Json,
            "yaml" => Format::Yaml,
            other => return Err(CommandOutput::error(format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,wide,yaml"
            ))),
        })
    }
}

#[derive(Clone, Debug)]
pub(super) struct Options {
    namespace: String,
    all_namespaces: bool,
    selector: Vec<Requirement>,
    selector_text: String,
    fields: Vec<FieldTerm>,
    fields_text: String,
    format: Format,
    show_labels: bool,
    /// `--no-headers`: the rows alone.
    no_headers: bool,
    /// `-L app,tier`: one column per label key, headed by the key in capitals.
    label_columns: Vec<String>,
    /// Several types were asked for: tables name each object `kind/name`.
    with_kind: bool,
}

impl Options {
    pub(super) fn format(&self) -> Format {
        self.format
    }

    /// The namespace listed, or `None` for every namespace (`-A`, and kinds that have none).
    pub(super) fn namespace_of<T: Printable>(&self) -> Option<&str> {
        (T::NAMESPACED && !self.all_namespaces).then_some(self.namespace.as_str())
    }

    /// Whether the selectors take `object`, with its JSON form when the field selector or the output needs it.
    pub(super) fn select<T: Printable>(&self, object: &T) -> Option<Value> {
        let no_labels = BTreeMap::new();
        let labels = object.metadata().labels.as_ref().unwrap_or(&no_labels);
        if !requirements_match(&self.selector, labels) {
            return None;
        }
        let needs_value = !self.fields.is_empty() || !matches!(self.format, Format::Table { .. });
        let value = if needs_value {
            serde_json::to_value(object).expect("stored objects serialize")
        } else {
            Value::Null
        };
        self.fields
            .iter()
            .all(|term| term.holds(&value))
            .then_some(value)
    }

    /// The table's header for kind `T`.
    pub(super) fn header<T: Printable>(&self) -> Vec<String> {
        let wide = self.format == Format::Table { wide: true };
        let mut header: Vec<String> = Vec::new();
        if T::NAMESPACED && self.all_namespaces {
            header.push("NAMESPACE".into());
        }
        header.extend(T::Row::header(wide));
        header.extend(self.label_columns.iter().map(|key| key.to_uppercase()));
        if self.show_labels {
            header.push("LABELS".into());
        }
        header
    }

    /// `object`'s row of the table, its ages counted up to `now`.
    pub(super) fn row<T: Printable>(&self, object: &T, now: SimTime) -> Vec<String> {
        let wide = self.format == Format::Table { wide: true };
        let mut row = Vec::new();
        if T::NAMESPACED && self.all_namespaces {
            row.push(object.metadata().namespace.clone().unwrap_or_default());
        }
        let mut cells = object.row(now, wide);
        if self.with_kind {
            cells[0] = resource_name::<T>(&cells[0]);
        }
        row.extend(cells);
        let labels = object.metadata().labels.as_ref();
        row.extend(
            self.label_columns
                .iter()
                .map(|key| labels.and_then(|l| l.get(key)).cloned().unwrap_or_default()),
        );
        if self.show_labels {
            row.push(labels_column(object.metadata()));
        }
        row
    }
}

/// What one resource type contributed.
#[derive(Default)]
struct Found {
    table: Option<String>,
    names: Vec<String>,
    values: Vec<Value>,
    missing: Vec<String>,
    namespaced: bool,
}

struct Listing<'a> {
    cluster: &'a Cluster,
    names: &'a [String],
    options: &'a Options,
}

impl KindVisitor for Listing<'_> {
    type Output = Result<Found, CommandOutput>;

    fn visit<T: Printable>(self) -> Result<Found, CommandOutput> {
        let options = self.options;
        self.check_fields::<T>()?;
        let store = self.cluster.store();
        let mut found = Found {
            namespaced: T::NAMESPACED,
            ..Found::default()
        };
        let mut objects: Vec<&T> = Vec::new();
        if self.names.is_empty() {
            objects = match options.namespace_of::<T>() {
                Some(namespace) => store.list_namespace::<T>(namespace).collect(),
                None => store.list::<T>().collect(),
            };
        } else {
            for name in self.names {
                match store.get::<T>(&key_of::<T>(&options.namespace, name)) {
                    Some(object) => objects.push(object),
                    None => found.missing.push(not_found::<T>(name)),
                }
            }
        }
        let kept: Vec<(&T, Value)> = objects
            .into_iter()
            .filter_map(|object| Some((object, options.select(object)?)))
            .collect();
        found.names = kept
            .iter()
            .map(|(o, _)| resource_name::<T>(o.metadata().name.as_deref().unwrap_or_default()))
            .collect();
        if let Format::Table { .. } = options.format {
            if !kept.is_empty() {
                let now = self.cluster.now();
                let header = options.header::<T>();
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                let rows: Vec<Vec<String>> =
                    kept.iter().map(|(o, _)| options.row(*o, now)).collect();
                found.table = Some(if options.no_headers {
                    TableWriter::default().write(None, &rows)
                } else {
                    render_table(&header, &rows)
                });
            }
        }
        found.values = kept.into_iter().map(|(_, v)| v).collect();
        Ok(found)
    }
}

impl Listing<'_> {
    fn check_fields<T: Printable>(&self) -> Result<(), CommandOutput> {
        let options = self.options;
        let unsupported = options
            .fields
            .iter()
            .find(|term| !term.supported_for(T::KIND));
        match unsupported {
            None => Ok(()),
            Some(term) => Err(unable_to_find(
                resource_type::<T>(),
                &options.selector_text,
                &options.fields_text,
                &format!("field label not supported: {}", term.path),
            )),
        }
    }
}

/// The apiserver's refusal of a selector, as kubectl's resource builder words it for a list.
fn unable_to_find(kind: ResourceType, labels: &str, fields: &str, reason: &str) -> CommandOutput {
    let group_version = match kind.group_version() {
        ("", version) => format!("/{version}"),
        (group, version) => format!("{group}/{version}"),
    };
    CommandOutput::error(format!(
        "Error from server (BadRequest): Unable to find \"{group_version}, Resource={}\" that match label selector \"{labels}\", field selector \"{fields}\": {reason}",
        kind.plural()
    ))
}

/// The objects `get` is to print, and how: what `get` and its watch share.
pub(super) fn request(args: &Args, context: &Context) -> Result<(Targets, Options), CommandOutput> {
    args.reject_unknown("get", FLAGS)?;
    // `--chunk-size`: how many objects kubectl asks for a page at a time (`?limit=`). The console reads its
    // cluster whole, and a chunked list prints as one table, so only a value pflag cannot read shows.
    args.integer("get", "--chunk-size")?;
    let missing = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples";
    let targets = Targets::parse_required(&args.positional, missing)?;
    let options = options(args, context, &targets)?;
    Ok((targets, options))
}

/// Whether `get` is asked to watch.
pub(super) fn watches(args: &Args) -> bool {
    args.has(&["-w", "--watch", "--watch-only"])
}

pub fn get(cluster: &Cluster, args: &Args, context: &Context) -> CommandOutput {
    let (targets, options) = match request(args, context) {
        Ok(request) => request,
        Err(output) => return output,
    };
    let mut results = Vec::new();
    for (kind, names) in &targets.groups {
        let listing = Listing {
            cluster,
            names,
            options: &options,
        };
        match kind.visit(listing) {
            Ok(found) => results.push(found),
            Err(output) => return output,
        }
    }
    print(&results, &options, &targets)
}

pub(super) fn options(
    args: &Args,
    context: &Context,
    targets: &Targets,
) -> Result<Options, CommandOutput> {
    let selector_text = args.value(&["-l", "--selector"]).unwrap_or("").to_string();
    let fields_text = args.value(&["--field-selector"]).unwrap_or("").to_string();
    // The apiserver parses the selector, and refuses it for the first kind listed.
    let selector =
        parse_selector(&selector_text).map_err(|error| match targets.groups.first() {
            Some((kind, _)) => unable_to_find(*kind, &selector_text, &fields_text, &error),
            None => CommandOutput::error(format!("error: {error}")),
        })?;
    let fields = parse_field_selector(&fields_text)
        .map_err(|error| CommandOutput::error(format!("error: {error}")))?;
    Ok(Options {
        namespace: context.namespace.to_string(),
        all_namespaces: args.has(&["-A", "--all-namespaces"]),
        selector,
        selector_text,
        fields,
        fields_text,
        format: Format::parse(args.value(&["-o", "--output"]))?,
        show_labels: args.has(&["--show-labels"]),
        no_headers: args.has(&["--no-headers"]),
        label_columns: args
            .values(&["-L", "--label-columns"])
            .into_iter()
            .flat_map(|list| list.split(','))
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .map(str::to_string)
            .collect(),
        with_kind: targets.groups.len() > 1,
    })
}

fn print(results: &[Found], options: &Options, targets: &Targets) -> CommandOutput {
    let mut output = CommandOutput::default();
    for missing in results.iter().flat_map(|f| &f.missing) {
        output.fail(missing.clone());
    }
    match options.format {
        Format::Table { .. } => {
            let tables: Vec<&str> = results.iter().filter_map(|f| f.table.as_deref()).collect();
            // A blank line between the kinds' tables, as kubectl separates their headers; none without them.
            output.stdout = tables.join(if options.no_headers { "" } else { "\n" });
            let asked_by_name = results.iter().any(|f| !f.missing.is_empty())
                || targets.groups.iter().any(|(_, names)| !names.is_empty());
            if tables.is_empty() && !asked_by_name {
                output.warn(no_resources_found(results, options));
            }
        }
        Format::Name => {
            for name in results.iter().flat_map(|f| &f.names) {
                output.say(name);
            }
        }
        Format::Json | Format::Yaml => {
            let values: Vec<&Value> = results.iter().flat_map(|f| &f.values).collect();
            let single =
                targets.groups.len() == 1 && targets.groups[0].1.len() == 1 && values.len() == 1;
            let document = if single {
                values[0].clone()
            } else {
                serde_json::json!({
                    "apiVersion": "v1",
                    "items": values,
                    "kind": "List",
                    "metadata": {"resourceVersion": ""}
                })
            };
            output.stdout = if options.format == Format::Json {
                to_json(&document)
            } else {
                super::yaml::to_yaml(&document)
            };
        }
    }
    output
}

/// `No resources found in default namespace.`, or without the scope for `-A` and cluster-scoped kinds.
fn no_resources_found(results: &[Found], options: &Options) -> String {
    let namespaced = results.iter().any(|f| f.namespaced);
    if namespaced && !options.all_namespaces {
        format!("No resources found in {} namespace.", options.namespace)
    } else {
        "No resources found".into()
    }
}
