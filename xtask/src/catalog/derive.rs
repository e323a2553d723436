//! From endpoint lines to draft operations: one draft per documented operation (method, path and any fixed
//! query value), with its tool name, kind, our own title and description, typed parameters, and samples.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::group::Endpoint;
use super::openapi::{self, TypedOperation};
use super::paths::{self, DocPath, PathParam, PlaceholderKind, QueryValue, Shaped, Target};
use super::records::{Row, Sample};
use super::types::{self, Prop, Ty};
use super::words::{self, Noun, capitalise, with_article};

/// One documented operation before overrides.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    /// Stable identity: `METHOD /template` plus `?key=value` for a fixed query value or `?key=` for a
    /// quoted filter.
    pub(crate) key: String,
    pub(crate) tag: String,
    /// The operation in catalogue JSON form.
    pub(crate) spec: Value,
    /// Every sample of the operation's sections (any method or query); the import hands each to the operation
    /// that claims it.
    pub(crate) samples: Vec<Sample>,
    pub(crate) records: Vec<usize>,
    /// Reasons to hold the operation back; empty when it may become a tool.
    pub(crate) hold: Vec<String>,
}

/// A documented operation: endpoint lines sharing a key.
struct DocOp<'a> {
    key: String,
    method: String,
    shaped: Shaped,
    doc_paths: Vec<DocPath>,
    endpoints: Vec<&'a Endpoint>,
    literal: Option<(String, String)>,
    filter: Option<String>,
}

/// Whether a sample path (`/api/v2/...`) fits a template.
pub(crate) fn path_fits(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let template_segments: Vec<&str> = template.trim_matches('/').split('/').collect();
    let path_segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    if template_segments.len() != path_segments.len() {
        return None;
    }
    let mut values = Vec::new();
    for (expected, actual) in template_segments.iter().zip(&path_segments) {
        if let Some(name) = expected
            .strip_prefix('{')
            .and_then(|rest| rest.strip_suffix('}'))
        {
            if actual.is_empty() {
                return None;
            }
            values.push((name.to_owned(), super::records::percent_decode(actual)));
        } else if expected != actual {
            return None;
        }
    }
    Some(values)
}

fn is_fixed_value(value: &str) -> bool {
    !value.is_empty()
        && value.chars().any(|c| c.is_ascii_alphabetic())
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_')
}

fn quoted(value: &str) -> bool {
    value.len() >= 2 && value.starts_with('"') && value.ends_with('"')
}

/// Group endpoint lines into documented operations.
fn documented(endpoints: &[Endpoint]) -> (Vec<DocOp<'_>>, Vec<(usize, String)>) {
    let mut ops: Vec<DocOp<'_>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut failures = Vec::new();
    for endpoint in endpoints {
        let Some(doc_path) = paths::parse(&endpoint.raw_path) else {
            failures.push((
                endpoint.record,
                format!("path line `{}` does not parse", endpoint.raw_path),
            ));
            continue;
        };
        let shaped = match paths::shape(&doc_path) {
            Ok(shaped) => shaped,
            Err(error) => {
                failures.push((
                    endpoint.record,
                    format!("path `{}`: {error}", endpoint.raw_path),
                ));
                continue;
            }
        };
        let literal = doc_path.query.iter().find_map(|(key, value)| match value {
            QueryValue::Literal(value) if is_fixed_value(value) => {
                Some((key.clone(), value.clone()))
            }
            _ => None,
        });
        // A `query`/`filter` placeholder makes a separate operation only when the samples quote it: that is
        // the quoted filter language, which gets its own tool.
        let filter = doc_path.query.iter().find_map(|(key, value)| {
            let candidate = matches!(value, QueryValue::Placeholder)
                && matches!(key.as_str(), "query" | "filter")
                && endpoint.method == "GET";
            let quoted_in_samples = endpoint.samples.iter().any(|sample| {
                sample
                    .curl
                    .query()
                    .iter()
                    .any(|(sample_key, sample_value)| sample_key == key && quoted(sample_value))
            });
            (candidate && quoted_in_samples).then(|| key.clone())
        });
        let mut key = format!("{} {}", endpoint.method, shaped.template);
        if let Some((name, value)) = &literal {
            key.push_str(&format!("?{name}={value}"));
        } else if let Some(name) = &filter {
            key.push_str(&format!("?{name}="));
        }
        match index.get(&key) {
            Some(&position) => {
                ops[position].endpoints.push(endpoint);
                ops[position].doc_paths.push(doc_path);
            }
            None => {
                index.insert(key.clone(), ops.len());
                ops.push(DocOp {
                    key,
                    method: endpoint.method.clone(),
                    shaped,
                    doc_paths: vec![doc_path],
                    endpoints: vec![endpoint],
                    literal,
                    filter,
                });
            }
        }
    }
    (ops, failures)
}

/// Type knowledge shared by all operations: the most common type cell per field name.
struct TypeIndex {
    by_name: HashMap<String, Ty>,
}

impl TypeIndex {
    fn new(endpoints: &[Endpoint]) -> Self {
        let mut counts: HashMap<String, BTreeMap<String, usize>> = HashMap::new();
        for endpoint in endpoints {
            for row in endpoint.local_rows.iter().chain(&endpoint.module_rows) {
                *counts
                    .entry(row.name.clone())
                    .or_default()
                    .entry(row.value_type.clone())
                    .or_default() += 1;
            }
        }
        let by_name = counts
            .into_iter()
            .filter_map(|(name, cells)| {
                let (cell, _) = cells.iter().max_by_key(|(_, count)| **count)?;
                let ty = types::from_cell(cell, &name);
                (ty != Ty::Unknown).then_some((name, ty))
            })
            .collect();
        TypeIndex { by_name }
    }
}

/// Derive every documented operation. Returns the drafts and the endpoint lines that could not be read.
pub(crate) fn derive(
    endpoints: &[Endpoint],
    typed: &[TypedOperation],
    unwraps: &HashMap<String, String>,
) -> (Vec<Draft>, Vec<(usize, String)>) {
    let (ops, failures) = documented(endpoints);
    let index = TypeIndex::new(endpoints);

    // Samples are pooled per method and template, then handed to the operation they fit best.
    let mut pools: HashMap<(String, String), Vec<Sample>> = HashMap::new();
    for op in &ops {
        let pool = pools
            .entry((op.method.clone(), op.shaped.template.clone()))
            .or_default();
        for endpoint in &op.endpoints {
            for sample in &endpoint.samples {
                let duplicate = pool.iter().any(|known| {
                    known.curl.url == sample.curl.url && known.curl.body == sample.curl.body
                });
                if !duplicate {
                    pool.push(sample.clone());
                }
            }
        }
    }
    let siblings: Vec<Sibling> = ops
        .iter()
        .map(|op| {
            (
                op.method.clone(),
                op.shaped.template.clone(),
                op.literal.clone(),
                op.filter.clone(),
            )
        })
        .collect();

    let drafts = ops
        .iter()
        .map(|op| {
            let pool = pools
                .get(&(op.method.clone(), op.shaped.template.clone()))
                .map(Vec::as_slice)
                .unwrap_or_default();
            let samples = attribute_samples(op, pool, &siblings);
            draft(
                op,
                samples,
                typed,
                &index,
                unwraps.get(&op.key).map(String::as_str),
            )
        })
        .collect();
    (drafts, failures)
}

/// Method, template, fixed query value and filter key of an operation sharing a pool of samples.
type Sibling = (String, String, Option<(String, String)>, Option<String>);

fn attribute_samples(op: &DocOp<'_>, pool: &[Sample], siblings: &[Sibling]) -> Vec<Sample> {
    let others: Vec<_> = siblings
        .iter()
        .filter(|(method, template, literal, filter)| {
            *method == op.method
                && *template == op.shaped.template
                && (literal != &op.literal || filter != &op.filter)
        })
        .collect();
    let claims = |sample: &Sample, literal: &Option<(String, String)>, filter: &Option<String>| {
        let query = sample.curl.query();
        match (literal, filter) {
            (Some((key, value)), _) => query.iter().any(|(k, v)| k == key && v == value),
            (None, Some(key)) => query.iter().any(|(k, v)| k == key && quoted(v)),
            (None, None) => true,
        }
    };
    pool.iter()
        .filter(|sample| sample.curl.method == op.method)
        .filter(|sample| claims(sample, &op.literal, &op.filter))
        .filter(|sample| {
            op.literal.is_some()
                || op.filter.is_some()
                || !others
                    .iter()
                    .any(|(_, _, literal, filter)| claims(sample, literal, filter))
        })
        .cloned()
        .collect()
}

/// Names, kind, title and description of an operation.
struct Naming {
    name: String,
    kind: &'static str,
    title: String,
    description: String,
}

fn naming(op: &DocOp<'_>) -> Naming {
    let method = op.method.as_str();
    let target = &op.shaped.target;
    let noun = target.noun();
    let words = noun.words();
    let heading_verb = op
        .endpoints
        .first()
        .and_then(|endpoint| endpoint.heading.split_whitespace().next())
        .unwrap_or("");
    if let Some((_, value)) = &op.literal
        && let Some(action) = words::action(value)
    {
        return from_action(action, noun);
    }
    if op.filter.is_some()
        && let Some(action) = words::collection_action("filter")
    {
        return from_action(action, noun);
    }
    match (target, method) {
        (Target::ItemAction(action, noun) | Target::CollectionAction(action, noun), _) => {
            from_action(action, noun)
        }
        (Target::Item(_), "GET") => Naming {
            name: format!("get_single_freshservice_{}_by_id", noun.singular),
            kind: "get",
            title: format!("Get {words}"),
            description: format!("Fetches {} by ID.", noun.singular_phrase()),
        },
        (Target::Item(_), "PUT" | "PATCH") => Naming {
            name: format!("update_a_freshservice_{}_by_id", noun.singular),
            kind: "update",
            title: format!(
                "{} {words}",
                if heading_verb == "Cancel" {
                    "Cancel"
                } else {
                    "Update"
                }
            ),
            description: match heading_verb {
                "Cancel" => format!("Cancels {}.", noun.singular_phrase()),
                _ => format!(
                    "Changes the given fields of {}; fields left out keep their values.",
                    noun.singular_phrase()
                ),
            },
        },
        (Target::Item(_), "DELETE") => Naming {
            name: format!("delete_a_freshservice_{}_by_id", noun.singular),
            kind: "delete",
            title: format!(
                "{} {words}",
                if heading_verb == "Deactivate" {
                    "Deactivate"
                } else {
                    "Delete"
                }
            ),
            description: match heading_verb {
                "Deactivate" => format!(
                    "Deactivates {}; the record stays and can be reactivated.",
                    noun.singular_phrase()
                ),
                _ => format!("Deletes {}.", noun.singular_phrase()),
            },
        },
        (Target::Item(_), _) => Naming {
            name: format!("add_a_freshservice_{}_by_id", noun.singular),
            kind: "custom",
            title: format!("Add {words}"),
            description: format!("Adds {}.", noun.singular_phrase()),
        },
        (Target::Collection(_), "GET") => Naming {
            name: format!("list_all_freshservice_{}", noun.plural),
            kind: "list",
            title: format!("List {}", noun.plural_words()),
            description: format!("Lists {}.", the_plural(noun)),
        },
        (Target::Collection(_) | Target::Singleton(_), "POST") => Naming {
            name: format!("create_a_freshservice_{}", noun.singular),
            kind: "create",
            title: format!("Create {words}"),
            description: match &noun.parent {
                Some(parent) => format!(
                    "Adds {} to {}.",
                    with_article(&words::display(&words::spaced(&noun.leaf), true)),
                    with_article(&words::display(&words::spaced(parent), true))
                ),
                None => format!("Creates {}.", with_article(&words)),
            },
        },
        (Target::Collection(_), "DELETE") => Naming {
            name: format!("delete_freshservice_{}", noun.plural),
            kind: "custom",
            title: format!("Delete {} in bulk", noun.plural_words()),
            description: format!("Deletes several {} in one call.", noun.plural_phrase()),
        },
        (Target::Collection(_), _) => Naming {
            name: format!("update_freshservice_{}", noun.plural),
            kind: "custom",
            title: format!(
                "{} {}",
                if heading_verb == "Cancel" {
                    "Cancel"
                } else {
                    "Update"
                },
                noun.plural_words()
            ),
            description: format!("Changes several {} in one call.", noun.plural_phrase()),
        },
        (Target::Singleton(_), "GET") => match &noun.parent {
            Some(parent) => Naming {
                name: format!("get_single_freshservice_{}_by_id", noun.singular),
                kind: "get",
                title: format!("Get {words}"),
                description: format!(
                    "Fetches the {} of {}.",
                    words::display(&words::spaced(&noun.leaf), true),
                    with_article(&words::display(&words::spaced(parent), true))
                ),
            },
            None => Naming {
                name: format!("get_freshservice_{}", noun.singular),
                kind: "custom",
                title: format!("Get {words}"),
                description: format!("Fetches the {words}."),
            },
        },
        (Target::Singleton(_), "DELETE") => Naming {
            name: format!("delete_freshservice_{}", noun.singular),
            kind: "custom",
            title: format!("Delete {words}"),
            description: format!("Deletes the {words}."),
        },
        (Target::Singleton(_), _) => Naming {
            name: format!("update_freshservice_{}", noun.singular),
            kind: "custom",
            title: format!("Update {words}"),
            description: match &noun.parent {
                Some(parent) => format!(
                    "Sets the {} of {}.",
                    words::display(&words::spaced(&noun.leaf), true),
                    with_article(&words::display(&words::spaced(parent), true))
                ),
                None => format!("Sets the {words}."),
            },
        },
    }
}

fn the_plural(noun: &Noun) -> String {
    match &noun.parent {
        Some(_) => format!("the {}", noun.plural_phrase()),
        None => noun.plural_phrase(),
    }
}

fn from_action(action: &words::Action, noun: &Noun) -> Naming {
    Naming {
        name: words::fill(action.name, noun),
        kind: action.kind,
        title: capitalise(&words::fill(action.title, noun)),
        description: capitalise(&words::fill(action.description, noun)),
    }
}

/// Collected knowledge about one parameter before it becomes JSON.
#[derive(Debug, Clone)]
struct Collected {
    name: String,
    location: &'static str,
    ty: Ty,
    required: bool,
    /// A sample sends `null` for it.
    nullable: bool,
    /// Allowed string values listed by its table row.
    values: Vec<String>,
}

fn draft(
    op: &DocOp<'_>,
    samples: Vec<Sample>,
    typed: &[TypedOperation],
    index: &TypeIndex,
    unwrap: Option<&str>,
) -> Draft {
    let naming = naming(op);
    let noun = op.shaped.target.noun().clone();
    let typed_op = typed.iter().find(|candidate| {
        candidate.method == op.method && candidate.shape == openapi::shape(&op.shaped.template)
    });
    let mut notes: Vec<String> = Vec::new();
    let mut hold: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    let resource_words = words::display(&words::spaced(&noun.leaf), true);
    // Coded enums follow the record the body describes: the parent for actions on it.
    let enum_resource = noun.singular.clone();

    for path_param in &op.shaped.params {
        params.push(path_field(path_param));
    }
    if let Some((key, value)) = &op.literal {
        params.push(types::field(
            key,
            "query",
            true,
            {
                let mut keys = Map::new();
                keys.insert("type".into(), "string".into());
                keys.insert("values".into(), json!([value]));
                keys
            },
            format!("Always {value}; selects this action"),
        ));
    }
    if let Some(key) = &op.filter {
        let example = samples
            .iter()
            .flat_map(|sample| sample.curl.query())
            .find(|(k, v)| k == key && quoted(v))
            .map(|(_, v)| v.trim_matches('"').to_owned())
            .filter(|example| example.len() <= 80);
        let mut description = format!(
            "Condition over {} fields",
            words::display(&words::spaced(&noun.singular), true)
        );
        if let Some(example) = example {
            description.push_str(&format!(", e.g. {example}"));
        }
        description
            .push_str("; strings in single quotes; the outer double quotes are added for you");
        let mut keys = Map::new();
        keys.insert("type".into(), "string".into());
        keys.insert("max_length".into(), 512.into());
        let mut field = types::field(key, "query", true, keys, description);
        if let Value::Object(map) = &mut field {
            map.insert("quoted".into(), true.into());
        }
        params.push(field);
    }

    // Query parameters.
    let (query, seen_values) = collect_query(op, &samples, typed_op, index, &naming);
    for collected in &query {
        let seen = seen_values
            .get(&collected.name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let includes = include_values(seen);
        let mut field = query_field(
            collected,
            &resource_words,
            &enum_resource,
            &op.method,
            &includes,
        );
        // Values the samples always wrap in double quotes (asset `search`) use the quoted style.
        let always_quoted = !seen.is_empty() && seen.iter().all(|value| quoted(value));
        if always_quoted
            && let Value::Object(map) = &mut field
            && map.get("type").and_then(Value::as_str) == Some("string")
        {
            map.insert("quoted".into(), true.into());
        }
        params.push(field);
    }

    // Body fields.
    if matches!(op.method.as_str(), "POST" | "PUT" | "PATCH") {
        let (body, body_notes) = collect_body(op, &samples, typed_op, index, naming.kind, unwrap);
        notes.extend(body_notes);
        for collected in body {
            // Tables list the record's own identity (`project_id`, `ticket_id`) among its attributes; the
            // path or query already carries it, so it is not a body field.
            if query.iter().any(|q| q.name == collected.name)
                || op.shaped.params.iter().any(|p| p.name == collected.name)
            {
                continue;
            }
            match body_field(
                &collected,
                &resource_words,
                &enum_resource,
                naming.kind,
                &naming.name,
            ) {
                Some(field) => params.push(field),
                None => notes
                    .push("The workspace cannot be changed here; use the move tool.".to_owned()),
            }
        }
    }
    notes.dedup();

    for param in &params {
        if let Some(name) = untyped(param) {
            hold.push(format!("parameter `{name}` has no documented type"));
        }
    }

    let endpoint = op.endpoints[0];
    let mut spec = Map::new();
    spec.insert("name".into(), naming.name.into());
    spec.insert("title".into(), naming.title.into());
    spec.insert("description".into(), naming.description.into());
    spec.insert("kind".into(), naming.kind.into());
    spec.insert("method".into(), op.method.clone().into());
    spec.insert("path".into(), op.shaped.template.clone().into());
    if let Some(scope) = op
        .endpoints
        .iter()
        .find_map(|endpoint| endpoint.scope.clone())
    {
        spec.insert("oauth_scope".into(), scope.into());
    }
    spec.insert("doc_section".into(), endpoint.heading.clone().into());
    if !notes.is_empty() {
        spec.insert("notes".into(), notes.join(" ").into());
    }
    spec.insert("params".into(), Value::Array(params));

    // Every sample of the section, whatever its method or query, so the import can report the ones that
    // fit no operation.
    let mut all_samples: Vec<Sample> = Vec::new();
    for sample in op
        .endpoints
        .iter()
        .flat_map(|endpoint| endpoint.samples.iter())
    {
        let known = all_samples
            .iter()
            .any(|known| known.curl.url == sample.curl.url && known.curl.body == sample.curl.body);
        if !known {
            all_samples.push(sample.clone());
        }
    }
    drop(samples);
    Draft {
        key: op.key.clone(),
        tag: words::tag_for(&op.shaped.template).to_owned(),
        spec: Value::Object(spec),
        samples: all_samples,
        records: op
            .endpoints
            .iter()
            .map(|endpoint| endpoint.record)
            .collect(),
        hold,
    }
}

/// The name of a field (or nested field) without a type, if any.
fn untyped(field: &Value) -> Option<String> {
    let name = field["name"]
        .as_str()
        .or(field["ref"].as_str())
        .unwrap_or("?")
        .to_owned();
    if field.get("ref").is_some() {
        return None;
    }
    fn walk(value: &Value, at: &str) -> Option<String> {
        if value.get("type").is_none() && value.get("enum").is_none() {
            return Some(at.to_owned());
        }
        if let Some(items) = value.get("items") {
            walk(items, &format!("{at}[]"))?;
        }
        if let Some(properties) = value.get("properties").and_then(Value::as_array) {
            for property in properties {
                let name = property["name"].as_str().unwrap_or("?");
                if let Some(found) = walk(property, &format!("{at}.{name}")) {
                    return Some(found);
                }
            }
        }
        None
    }
    walk(field, &name)
}

fn path_field(param: &PathParam) -> Value {
    let mut keys = Map::new();
    match param.kind {
        PlaceholderKind::ModuleName => {
            keys.insert("type".into(), "string".into());
            keys.insert(
                "values".into(),
                json!(["tickets", "problems", "changes", "releases", "assets"]),
            );
            types::field(
                &param.name,
                "path",
                true,
                keys,
                "Module of the associated records".to_owned(),
            )
        }
        PlaceholderKind::DisplayId => {
            keys.insert("type".into(), "integer".into());
            keys.insert("minimum".into(), 1.into());
            let description = format!("Display ID of the {}", param.of);
            types::field(&param.name, "path", true, keys, description)
        }
        PlaceholderKind::Id => {
            keys.insert("type".into(), "integer".into());
            keys.insert("minimum".into(), 1.into());
            let description = format!("ID of the {}", param.of);
            types::field(&param.name, "path", true, keys, description)
        }
    }
}

const SHARED_QUERY: &[&str] = &["page", "per_page", "updated_since", "order_type"];

fn collect_query(
    op: &DocOp<'_>,
    samples: &[Sample],
    typed_op: Option<&TypedOperation>,
    index: &TypeIndex,
    naming: &Naming,
) -> (Vec<Collected>, HashMap<String, Vec<String>>) {
    let template_shape = openapi::shape(&op.shaped.template);
    let mut names: Vec<String> = Vec::new();
    let mut values: HashMap<String, Vec<String>> = HashMap::new();
    let mut push = |name: &str, value: Option<&str>, names: &mut Vec<String>| {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return;
        }
        if !names.iter().any(|known| known == name) {
            names.push(name.to_owned());
        }
        if let Some(value) = value {
            values
                .entry(name.to_owned())
                .or_default()
                .push(value.to_owned());
        }
    };
    for doc_path in &op.doc_paths {
        for (key, value) in &doc_path.query {
            match value {
                QueryValue::Literal(value) => push(key, Some(value), &mut names),
                QueryValue::Placeholder => push(key, None, &mut names),
            }
        }
    }
    for endpoint in &op.endpoints {
        for line in &endpoint.urls {
            for url in line
                .split_whitespace()
                .filter(|word| word.contains("/api/v2/"))
            {
                let Some(doc_path) = paths::parse(url) else {
                    continue;
                };
                let Ok(shaped) = paths::shape(&doc_path) else {
                    continue;
                };
                if openapi::shape(&shaped.template) != template_shape {
                    continue;
                }
                for (key, value) in &doc_path.query {
                    match value {
                        QueryValue::Literal(value) => push(
                            key,
                            Some(&super::records::percent_decode(value)),
                            &mut names,
                        ),
                        QueryValue::Placeholder => push(key, None, &mut names),
                    }
                }
            }
        }
    }
    for sample in samples {
        for (key, value) in sample.curl.query() {
            push(&key, Some(&value), &mut names);
        }
    }
    if let Some(typed_op) = typed_op {
        for field in &typed_op.query {
            push(&field.name, None, &mut names);
        }
    }
    let is_read = op.method == "GET";
    let is_list =
        matches!(naming.kind, "list") || matches!(op.shaped.target, Target::Collection(_));
    let text: String = op
        .endpoints
        .iter()
        .map(|endpoint| endpoint.text.as_str())
        .collect();
    if is_read && is_list {
        // The Pagination section makes every list paginated with page and per_page; lists with a paging
        // scheme of their own keep it, and the quoted filters document page alone unless they say per_page.
        let own_paging = names
            .iter()
            .any(|name| matches!(name.as_str(), "page_size" | "start_token" | "cursor"));
        if !own_paging {
            push("page", None, &mut names);
            if op.filter.is_none() || text.contains("per_page") {
                push("per_page", None, &mut names);
            }
        }
        for extra in ["workspace_id", "updated_since", "order_type"] {
            if text.contains(&format!("{extra}=")) {
                push(extra, None, &mut names);
            }
        }
    }

    let mut collected = Vec::new();
    for name in names {
        if op.literal.as_ref().is_some_and(|(key, _)| *key == name)
            || op.filter.as_ref() == Some(&name)
        {
            continue;
        }
        let required = !matches!(name.as_str(), "page" | "per_page" | "workspace_id")
            && op.doc_paths.iter().all(|doc_path| {
                doc_path
                    .query
                    .iter()
                    .any(|(key, value)| *key == name && *value == QueryValue::Placeholder)
            })
            && samples
                .iter()
                .all(|sample| sample.curl.query().iter().any(|(key, _)| *key == name));
        let seen = values.get(&name).cloned().unwrap_or_default();
        let mut ty = query_type(&name, &seen, op, typed_op, index);
        // Embeds documented as comma lists take a list; the router joins it with commas.
        if name == "include" && seen.iter().any(|value| value.contains(',')) {
            ty = Ty::Arr(Box::new(Ty::Str(None)));
        }
        collected.push(Collected {
            name,
            location: "query",
            ty,
            required,
            nullable: false,
            values: Vec::new(),
        });
    }
    (collected, values)
}

/// The distinct embed names seen in `include=` values, in first-seen order; comma lists are split.
fn include_values(seen: &[String]) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    for value in seen {
        for part in value.split(',') {
            let part = part.trim();
            let plain =
                !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            if plain && !values.iter().any(|known| known == part) {
                values.push(part.to_owned());
            }
        }
    }
    values
}

fn query_type(
    name: &str,
    seen: &[String],
    op: &DocOp<'_>,
    typed_op: Option<&TypedOperation>,
    index: &TypeIndex,
) -> Ty {
    let mut ty = Ty::Unknown;
    for endpoint in &op.endpoints {
        if let Some(row) = endpoint.local_rows.iter().find(|row| row.name == name) {
            ty = ty.refine(&types::from_cell(&row.value_type, name));
        }
    }
    if let Some(field) =
        typed_op.and_then(|typed_op| typed_op.query.iter().find(|field| field.name == name))
    {
        ty = ty.refine(&types::from_spec(
            &field.value_type,
            field.format.as_deref(),
            &field.fields,
            name,
        ));
    }
    for value in seen {
        let value = value.trim_matches('[').trim_matches(']');
        // A comma-separated list of numbers: the table types one element, the query takes a list.
        let list = value.contains(',')
            && value
                .split(',')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()));
        if list && matches!(ty, Ty::Int | Ty::Unknown) {
            ty = Ty::Arr(Box::new(Ty::Int));
        } else if !value.is_empty() {
            ty = ty.refine(&types::from_query_value(value, name));
        }
    }
    if ty == Ty::Unknown
        && let Some(known) = index.by_name.get(name)
    {
        ty = known.clone();
    }
    if ty == Ty::Unknown && (name.ends_with("_id") || name == "id") {
        ty = Ty::Int;
    }
    // Nothing more specific is documented; on the wire a query value is text.
    if ty == Ty::Unknown {
        ty = Ty::Str(None);
    }
    ty
}

fn query_field(
    collected: &Collected,
    resource: &str,
    enum_resource: &str,
    method: &str,
    values: &[String],
) -> Value {
    let name = collected.name.as_str();
    if op_is_shared(name) {
        return types::reference(name, collected.required);
    }
    if name == "workspace_id" {
        // Reads take 0 for "every workspace"; anything else addresses one real workspace.
        if method == "GET" {
            return types::reference("workspace_id", collected.required);
        }
        let mut keys = Map::new();
        keys.insert("type".into(), "integer".into());
        keys.insert("minimum".into(), 1.into());
        return types::field(
            name,
            "query",
            collected.required,
            keys,
            words::describe_field(name, resource, "integer"),
        );
    }
    let describe = |field: &str, ty: &Ty| words::describe_field(field, resource, ty.keyword());
    let coded = |field: &str| words::coded_enum(enum_resource, field);
    let mut keys = types::schema_keys(&collected.ty, name, &describe, &coded);
    if let Some(coded) = words::coded_enum(enum_resource, name)
        && matches!(collected.ty, Ty::Int | Ty::Num | Ty::Unknown)
    {
        keys = Map::new();
        keys.insert("enum".into(), coded.into());
    } else if collected.ty == Ty::Int && (name.ends_with("_id") || name == "id") {
        keys.insert("minimum".into(), 1.into());
    } else if name == "include" && !values.is_empty() {
        if collected.ty == Ty::Arr(Box::new(Ty::Str(None))) {
            keys.insert(
                "items".into(),
                json!({"type": "string", "values": values, "description": "One embed"}),
            );
        } else {
            keys.insert("values".into(), json!(values));
        }
    }
    types::field(
        name,
        "query",
        collected.required,
        keys,
        describe(name, &collected.ty),
    )
}

fn op_is_shared(name: &str) -> bool {
    SHARED_QUERY.contains(&name)
}

/// Rows that describe request fields: not read-only, not unsupported, not filled by the server.
fn writable(rows: &[Row]) -> Vec<&Row> {
    rows.iter()
        .filter(|row| !row.read_only && !row.unsupported && !words::is_server_field(&row.name))
        .collect()
}

fn collect_body(
    op: &DocOp<'_>,
    samples: &[Sample],
    typed_op: Option<&TypedOperation>,
    index: &TypeIndex,
    kind: &str,
    unwrap: Option<&str>,
) -> (Vec<Collected>, Vec<String>) {
    let mut notes = Vec::new();
    // Sample bodies, plus the request bodies some sections show on their own.
    let bodies: Vec<Map<String, Value>> = samples
        .iter()
        .filter(|sample| !sample.curl.multipart)
        .filter_map(|sample| sample.curl.body.as_deref())
        .filter_map(|body| serde_json::from_str::<Value>(body).ok())
        .chain(
            op.endpoints
                .iter()
                .flat_map(|endpoint| endpoint.requests.iter().cloned()),
        )
        // Overrides may record that a sample wraps its fields in one key.
        .map(|value| match (unwrap, &value) {
            (Some(key), Value::Object(map)) if map.contains_key(key) => map[key].clone(),
            _ => value,
        })
        .filter_map(|value| match value {
            Value::Object(map) => Some(map),
            _ => None,
        })
        .collect();
    // Tables sometimes list nested fields flat (`line1` for `address.line1`); the samples show where they go.
    let top_keys: Vec<&String> = bodies.iter().flat_map(|body| body.keys()).collect();
    // Where each nested key sits (`group_id` → `service_item.agent_group_visibilities`), first sighting wins.
    let mut nested_parent: HashMap<String, String> = HashMap::new();
    fn walk(value: &Value, at: &str, found: &mut HashMap<String, String>) {
        let inner = match value {
            Value::Array(items) => items.first(),
            other => Some(other),
        };
        if let Some(Value::Object(map)) = inner {
            for (child, child_value) in map {
                found.entry(child.clone()).or_insert_with(|| at.to_owned());
                walk(child_value, &format!("{at}.{child}"), found);
            }
        }
    }
    for body in &bodies {
        for (key, value) in body {
            walk(value, key, &mut nested_parent);
        }
    }
    let relocate = |row: &Row| -> Row {
        let mut row = row.clone();
        let head = row.name.split('.').next().unwrap_or_default().to_owned();
        if !top_keys.iter().any(|key| **key == head)
            && let Some(parent) = nested_parent.get(&head)
        {
            row.name = format!("{parent}.{}", row.name);
        }
        row
    };
    let local: Vec<Row> = op
        .endpoints
        .iter()
        .flat_map(|endpoint| writable(&endpoint.local_rows))
        .map(relocate)
        .collect();
    let module: Vec<Row> = op
        .endpoints
        .iter()
        .flat_map(|endpoint| writable(&endpoint.module_rows))
        .map(relocate)
        .collect();
    let plain_crud = matches!(kind, "create" | "update");
    let use_module = local.is_empty() && typed_op.is_none_or(|t| t.body.is_empty()) && plain_crud;

    let mut names: Vec<String> = Vec::new();
    let push = |name: &str, names: &mut Vec<String>| {
        let top = name.split('.').next().unwrap_or(name);
        if !top.is_empty() && !names.iter().any(|known| known == top) {
            names.push(top.to_owned());
        }
    };
    for row in &local {
        push(&row.name, &mut names);
    }
    // The typed spec is older than the records: where the section has a table of its own, the spec adds only
    // fields the records still know (in the module's table or the samples), so renamed fields drop out.
    if let Some(typed_op) = typed_op {
        let known = |name: &str| {
            local.is_empty()
                || module.iter().any(|row| row.name == name)
                || bodies.iter().any(|body| body.contains_key(name))
        };
        for field in typed_op
            .body
            .iter()
            .filter(|field| !words::is_server_field(&field.name) && known(&field.name))
        {
            push(&field.name, &mut names);
        }
    }
    if use_module {
        for row in &module {
            push(&row.name, &mut names);
        }
    }
    for body in &bodies {
        for key in body.keys() {
            push(key, &mut names);
        }
    }

    let mut collected = Vec::new();
    for name in names {
        if name == "attachments" || name.starts_with("attachments[") {
            notes.push("Attachments need a multipart upload and are left out.".to_owned());
            continue;
        }
        // Type sources, strongest first: the section's own table, the typed spec, the samples, the module's
        // overview table, then the same name anywhere in the documentation.
        let mut ty = Ty::Unknown;
        let mut required = false;
        if let Some(row) = local.iter().find(|row| row.name == name) {
            ty = ty.refine(&types::from_cell(&row.value_type, &name));
            required |= row.mandatory && !row.starred;
        }
        if let Some(field) =
            typed_op.and_then(|typed_op| typed_op.body.iter().find(|field| field.name == name))
        {
            ty = ty.refine(&types::from_spec(
                &field.value_type,
                field.format.as_deref(),
                &field.fields,
                &name,
            ));
            required |= field.required;
        }
        let mut nullable = false;
        for body in &bodies {
            if let Some(value) = body.get(&name) {
                ty = ty.refine(&types::from_value(value, &name));
                nullable |= value.is_null();
            }
        }
        if let Some(row) = module.iter().find(|row| row.name == name) {
            ty = ty.refine(&types::from_cell(&row.value_type, &name));
            if use_module {
                required |= row.mandatory && !row.starred;
            }
        }
        if !ty.is_known()
            && let Some(known) = index.by_name.get(&name)
        {
            ty = ty.refine(known);
        }
        // Nested fields documented as `parent.child` rows.
        let dotted: Vec<&Row> = local
            .iter()
            .chain(module.iter())
            .filter(|row| row.name.starts_with(&format!("{name}.")))
            .collect();
        if ty == Ty::Unknown && !dotted.is_empty() {
            ty = Ty::Obj(Vec::new());
        }
        ty = nest(ty, &name, &dotted, index);
        // Required only when the documented samples agree: every sample sends it.
        if !bodies.is_empty() && !bodies.iter().all(|body| body.contains_key(&name)) {
            required = false;
        }
        if kind == "update" {
            required = false;
        }
        let values = local
            .iter()
            .find(|row| row.name == name)
            .map(|row| row.values.clone())
            .unwrap_or_default();
        collected.push(Collected {
            name,
            location: "body",
            ty,
            required,
            nullable,
            values,
        });
    }
    if use_module && !collected.is_empty() {
        notes.push("Body fields come from the module's attribute table.".to_owned());
    }
    (collected, notes)
}

/// Field names that end in a record ID (`cost_25`) belong to one account's configuration.
fn is_account_specific(name: &str) -> bool {
    name.rsplit_once('_')
        .is_some_and(|(_, tail)| !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit()))
}

/// Add dotted-row properties to an object (or array of objects) and type unknown properties by name.
fn nest(ty: Ty, name: &str, dotted: &[&Row], index: &TypeIndex) -> Ty {
    match ty {
        Ty::Obj(mut props) => {
            for row in dotted {
                let rest = &row.name[name.len() + 1..];
                let child = rest.split('.').next().unwrap_or(rest);
                if rest.contains('.') {
                    if !props.iter().any(|prop| prop.name == child) {
                        props.push(Prop {
                            name: child.to_owned(),
                            ty: Ty::Obj(Vec::new()),
                            required: false,
                            nullable: false,
                        });
                    }
                    continue;
                }
                let cell = types::from_cell(&row.value_type, child);
                match props.iter_mut().find(|prop| prop.name == child) {
                    Some(prop) => {
                        prop.ty = std::mem::replace(&mut prop.ty, Ty::Unknown).refine(&cell)
                    }
                    None => props.push(Prop {
                        name: child.to_owned(),
                        ty: cell,
                        required: false,
                        nullable: false,
                    }),
                }
            }
            for prop in &mut props {
                let child_rows: Vec<&Row> = dotted
                    .iter()
                    .copied()
                    .filter(|row| row.name.starts_with(&format!("{name}.{}.", prop.name)))
                    .collect();
                let renamed: Vec<Row> = child_rows
                    .iter()
                    .map(|row| Row {
                        name: row.name[name.len() + 1..].to_owned(),
                        ..(*row).clone()
                    })
                    .collect();
                let renamed_refs: Vec<&Row> = renamed.iter().collect();
                let own = std::mem::replace(&mut prop.ty, Ty::Unknown);
                let mut typed = nest(own, &prop.name, &renamed_refs, index);
                if !typed.is_known()
                    && let Some(known) = index.by_name.get(&prop.name)
                {
                    typed = typed.refine(known);
                }
                if typed == Ty::Unknown && prop.name.ends_with("_id") {
                    typed = Ty::Int;
                }
                prop.ty = typed;
            }
            // Nested fields nothing types are left out, and so are account-specific names such as
            // `product_25` (a field of asset type 25); the object stays open, so both can still be sent.
            props.retain(|prop| prop.ty.is_known() && !is_account_specific(&prop.name));
            Ty::Obj(props)
        }
        Ty::Arr(items) => Ty::Arr(Box::new(nest(*items, name, dotted, index))),
        other => other,
    }
}

fn body_field(
    collected: &Collected,
    resource: &str,
    enum_resource: &str,
    kind: &str,
    operation: &str,
) -> Option<Value> {
    let name = collected.name.as_str();
    match name {
        "custom_fields" if matches!(collected.ty, Ty::Obj(_)) => {
            return Some(types::reference("custom_fields", collected.required));
        }
        "workspace_id" => {
            if kind == "create" {
                let shared = if words::rejects_global_workspace(enum_resource) {
                    "workspace_id_assignable"
                } else {
                    "workspace_id_create"
                };
                return Some(types::reference(shared, collected.required));
            }
            if !operation.starts_with("move_") && kind == "update" {
                return None;
            }
        }
        "assets"
            if matches!(enum_resource, "ticket" | "change" | "problem" | "release")
                && matches!(&collected.ty, Ty::Arr(items) if matches!(**items, Ty::Obj(ref props) if props.iter().all(|p| p.name == "display_id"))) =>
        {
            return Some(types::reference("linked_assets", collected.required));
        }
        _ => {}
    }
    let describe = |field: &str, ty: &Ty| words::describe_field(field, resource, ty.keyword());
    let coded = |field: &str| words::coded_enum(enum_resource, field);
    let mut keys = types::schema_keys(&collected.ty, name, &describe, &coded);
    if let Some(coded) = words::coded_enum(enum_resource, name)
        && matches!(collected.ty, Ty::Int | Ty::Num | Ty::Unknown)
    {
        keys = Map::new();
        keys.insert("enum".into(), coded.into());
    } else if collected.ty == Ty::Int && name.ends_with("_id") {
        keys.insert("minimum".into(), 1.into());
    } else if matches!(collected.ty, Ty::Str(None)) && !collected.values.is_empty() {
        keys.insert("values".into(), json!(collected.values));
    }
    let required = collected.required || (name == "workspace_id" && operation.starts_with("move_"));
    if collected.nullable && !required {
        keys.insert("nullable".into(), true.into());
    }
    Some(types::field(
        name,
        collected.location,
        required,
        keys,
        describe(name, &collected.ty),
    ))
}
