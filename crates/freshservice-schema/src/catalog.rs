//! The endpoint catalogue: operations with fully expanded parameter schemas, built from the data files.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::{
    enums::CodedEnum,
    error::Error,
    spec::{FieldSpec, FileSpec, InSpec, KindSpec, OperationSpec},
};

/// The whole endpoint catalogue: every operation, plus the coded enums its schemas use.
///
/// Get the committed catalogue with [`catalog()`](crate::catalog); build one from other data with
/// [`Catalog::from_sources`].
#[derive(Debug)]
pub struct Catalog {
    operations: Vec<Operation>,
    enums: Vec<CodedEnum>,
}

/// What an operation does to its resource; used for naming rules and for filtering tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationKind {
    /// Read a collection; filter and query endpoints are lists too.
    List,
    /// Read one record by id.
    Get,
    /// Make a new record.
    Create,
    /// Change an existing record.
    Update,
    /// Remove a record.
    Delete,
    /// Anything else (actions such as restore, move or reply).
    Custom,
}

impl OperationKind {
    /// The lowercase name used in the data files: `list`, `get`, `create`, `update`, `delete` or `custom`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::List => "list",
            OperationKind::Get => "get",
            OperationKind::Create => "create",
            OperationKind::Update => "update",
            OperationKind::Delete => "delete",
            OperationKind::Custom => "custom",
        }
    }

    fn from_spec(kind: KindSpec) -> Self {
        match kind {
            KindSpec::List => OperationKind::List,
            KindSpec::Get => OperationKind::Get,
            KindSpec::Create => OperationKind::Create,
            KindSpec::Update => OperationKind::Update,
            KindSpec::Delete => OperationKind::Delete,
            KindSpec::Custom => OperationKind::Custom,
        }
    }
}

impl std::fmt::Display for OperationKind {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Where a parameter travels in the HTTP request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamLocation {
    /// Substituted into a `{placeholder}` of the path.
    Path,
    /// Sent in the query string.
    Query,
    /// A top-level key of the JSON body.
    Body,
}

impl ParamLocation {
    /// The lowercase name used in the data files: `path`, `query` or `body`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Body => "body",
        }
    }

    fn from_spec(location: InSpec) -> Self {
        match location {
            InSpec::Path => ParamLocation::Path,
            InSpec::Query => ParamLocation::Query,
            InSpec::Body => ParamLocation::Body,
        }
    }
}

/// One input of an operation.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Param {
    /// Wire name: the placeholder, query key or body key. Also the tool argument name.
    pub name: String,
    /// Where the value goes.
    pub location: ParamLocation,
    /// Whether the caller must supply it.
    pub required: bool,
    /// Fully expanded JSON Schema of the value, including `description`.
    pub schema: Value,
    /// The query value must be wrapped in double quotes before encoding (Freshservice filter queries).
    pub quoted: bool,
    /// The coded enum the value is a code of (`ticket_status`, `change_type`, ...), when it is one.
    pub coded_enum: Option<String>,
}

impl Param {
    /// The schema's `description`, or `""` if it has none.
    pub fn description(&self) -> &str {
        self.schema
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// One Freshservice endpoint, described as data.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Operation {
    /// Stable snake_case id, also used as the tool name, e.g. `list_all_freshservice_changes`.
    pub name: String,
    /// Short human title, e.g. `List changes`.
    pub title: String,
    /// One or two sentences saying what the operation does.
    pub description: String,
    /// HTTP method.
    pub method: http::Method,
    /// Path template with `{placeholder}`s, e.g. `/api/v2/changes/{change_id}`.
    pub path: String,
    /// Module tag, e.g. `tickets` or `changes`; one data file per tag.
    pub tag: String,
    /// What the operation does to its resource.
    pub kind: OperationKind,
    /// OAuth 2.0 scope the endpoint needs, when documented.
    pub oauth_scope: Option<String>,
    /// Heading of the upstream documentation section the operation was taken from.
    pub doc_section: Option<String>,
    /// Maintainer notes about deliberate gaps or choices (not shown to callers).
    pub notes: Option<String>,
    /// Inputs, in declaration order.
    pub params: Vec<Param>,
}

impl Operation {
    /// True when the operation only reads (its method is GET).
    pub fn is_read_only(&self) -> bool {
        self.method == http::Method::GET
    }

    /// The argument router of the operation: each parameter placed in path, query or body (a
    /// `quoted` query value is sent double-quoted), validated against [`input_schema`]. The one
    /// mapping the service, the sandbox, the sample checks, the bench and the fuzzer all use.
    ///
    /// [`input_schema`]: Self::input_schema
    ///
    /// # Errors
    ///
    /// When the path template, the parameters and the schema disagree (a catalogue bug).
    pub fn router(&self) -> Result<arg_router::Operation, arg_router::Error> {
        self.router_with_schema(self.input_schema())
    }

    /// The router of [`router`](Self::router), validating against `schema` (an overlay of [`input_schema`]).
    ///
    /// [`input_schema`]: Self::input_schema
    pub(crate) fn router_with_schema(
        &self,
        schema: Value,
    ) -> Result<arg_router::Operation, arg_router::Error> {
        let params = self
            .params
            .iter()
            .map(|param| {
                let spec = match param.location {
                    ParamLocation::Path => arg_router::ParamSpec::path(&param.name),
                    ParamLocation::Query => arg_router::ParamSpec::query(&param.name),
                    _ => arg_router::ParamSpec::body(&param.name),
                };
                if param.quoted {
                    spec.with_query_style(arg_router::QueryStyle::DoubleQuoted)
                } else {
                    spec
                }
            })
            .collect();
        arg_router::Operation::new(self.method.clone(), &self.path, params, schema)
    }

    /// The flat JSON Schema (2020-12) of all inputs, properties in declaration order.
    ///
    /// Shape: `{"type":"object","properties":{..},"required":[..],"additionalProperties":false}`.
    pub fn input_schema(&self) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for param in &self.params {
            properties.insert(param.name.clone(), param.schema.clone());
            if param.required {
                required.push(Value::String(param.name.clone()));
            }
        }
        json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        })
    }

    /// The parameter with this wire name, if any.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|param| param.name == name)
    }
}

impl Catalog {
    /// Parse and resolve catalogue data given as `(file name, file text)` pairs.
    ///
    /// Shared parameters (`"ref"`) and coded enums (`"enum"`) may be defined in any of the files;
    /// operations are sorted by name.
    ///
    /// # Errors
    ///
    /// Returns an [`Error`] naming the file or operation when a file does not parse, a name is defined twice,
    /// a reference is unknown, a method is unsupported or a definition is incomplete.
    pub fn from_sources<'a, I>(sources: I) -> Result<Catalog, Error>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut files = Vec::new();
        for (file, text) in sources {
            let spec: FileSpec = serde_json::from_str(text).map_err(|source| Error::Parse {
                file: file.to_owned(),
                source,
            })?;
            files.push((file, spec));
        }

        let mut enum_specs = BTreeMap::new();
        let mut shared_params = HashMap::new();
        for (file, spec) in &files {
            for coded in &spec.enums {
                if let Some((first, _)) = enum_specs.insert(coded.name.as_str(), (*file, coded)) {
                    return Err(duplicate("coded enum", &coded.name, first, file));
                }
            }
            for shared in &spec.params {
                let context = format!("data/{file}: shared parameter");
                let Some(id) = shared.id.as_deref() else {
                    return Err(invalid(context, "every shared parameter needs an `id`"));
                };
                if shared.reference.is_some() {
                    return Err(invalid(
                        format!("{context} `{id}`"),
                        "a shared parameter cannot itself use `ref`; define it in full",
                    ));
                }
                if let Some((first, _)) = shared_params.insert(id, (*file, shared)) {
                    return Err(duplicate("shared parameter", id, first, file));
                }
            }
        }

        let enums: Vec<CodedEnum> = enum_specs
            .values()
            .map(|(_, coded)| CodedEnum::from_spec(coded))
            .collect();
        let enum_index: HashMap<&str, &CodedEnum> = enums
            .iter()
            .map(|coded| (coded.name.as_str(), coded))
            .collect();
        let resolver = Resolver {
            enums: &enum_index,
            shared: shared_params
                .iter()
                .map(|(id, (_, field))| (*id, *field))
                .collect(),
        };

        let mut operations = Vec::new();
        let mut seen = HashMap::new();
        for (file, spec) in &files {
            if spec.operations.is_empty() {
                continue;
            }
            let tag = match spec.tag.as_deref() {
                Some(tag) if !tag.is_empty() => tag,
                _ => {
                    return Err(invalid(
                        format!("data/{file}"),
                        "a file with operations needs a non-empty `tag`",
                    ));
                }
            };
            for operation in &spec.operations {
                if let Some(first) = seen.insert(operation.name.as_str(), *file) {
                    return Err(duplicate("operation", &operation.name, first, file));
                }
                operations.push(resolver.operation(file, tag, operation)?);
            }
        }
        operations.sort_by(|a, b| a.name.cmp(&b.name));

        Ok(Catalog { operations, enums })
    }

    /// Every operation, sorted by name.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this name (which is also its tool name).
    pub fn get(&self, name: &str) -> Option<&Operation> {
        self.operations
            .binary_search_by(|operation| operation.name.as_str().cmp(name))
            .ok()
            .and_then(|index| self.operations.get(index))
    }

    /// The distinct module tags, sorted.
    pub fn tags(&self) -> Vec<&str> {
        let mut tags: Vec<&str> = self
            .operations
            .iter()
            .map(|operation| operation.tag.as_str())
            .collect();
        tags.sort_unstable();
        tags.dedup();
        tags
    }

    /// Every coded enum, sorted by name.
    pub fn coded_enums(&self) -> &[CodedEnum] {
        &self.enums
    }

    /// The coded enum with this name, e.g. `ticket_status`.
    pub fn coded_enum(&self, name: &str) -> Option<&CodedEnum> {
        self.enums
            .binary_search_by(|coded| coded.name.as_str().cmp(name))
            .ok()
            .and_then(|index| self.enums.get(index))
    }
}

/// How an extensible coded enum's description ends, after its documented codes: `; or custom:
/// ticket_form_fields`, naming the list tool (`list_all_freshservice_ticket_form_fields`) by its noun, which is
/// also its path, to stay within the description budget of a 16-code enum.
pub(crate) fn extensible_note(tool: &str) -> String {
    let noun = tool.strip_prefix("list_all_freshservice_").unwrap_or(tool);
    format!("; or custom: {noun}")
}

struct Resolver<'a> {
    enums: &'a HashMap<&'a str, &'a CodedEnum>,
    shared: HashMap<&'a str, &'a FieldSpec>,
}

impl Resolver<'_> {
    fn operation(&self, file: &str, tag: &str, spec: &OperationSpec) -> Result<Operation, Error> {
        let context = format!("data/{file}: operation `{}`", spec.name);
        let method = match spec.method.as_str() {
            "GET" => http::Method::GET,
            "POST" => http::Method::POST,
            "PUT" => http::Method::PUT,
            "PATCH" => http::Method::PATCH,
            "DELETE" => http::Method::DELETE,
            other => {
                return Err(Error::InvalidMethod {
                    context,
                    method: other.to_owned(),
                });
            }
        };
        let mut params = Vec::with_capacity(spec.params.len());
        let mut names = HashSet::new();
        for field in &spec.params {
            let param = self.param(&context, field)?;
            if !names.insert(param.name.clone()) {
                return Err(duplicate("parameter", &param.name, &context, &context));
            }
            params.push(param);
        }
        Ok(Operation {
            name: spec.name.clone(),
            title: spec.title.clone(),
            description: spec.description.clone(),
            method,
            path: spec.path.clone(),
            tag: tag.to_owned(),
            kind: OperationKind::from_spec(spec.kind),
            oauth_scope: spec.oauth_scope.clone(),
            doc_section: spec.doc_section.clone(),
            notes: spec.notes.clone(),
            params,
        })
    }

    fn param(&self, context: &str, field: &FieldSpec) -> Result<Param, Error> {
        let resolved;
        let field = match field.reference.as_deref() {
            Some(reference) => {
                let Some(shared) = self.shared.get(reference) else {
                    return Err(Error::UnknownReference {
                        context: context.to_owned(),
                        what: "shared parameter",
                        name: reference.to_owned(),
                        file: "common.json",
                    });
                };
                if !only_overrides(field) {
                    return Err(invalid(
                        format!("{context}, parameter ref `{reference}`"),
                        "a `ref` entry may only add `required` or `description`; define a new parameter for anything else",
                    ));
                }
                let mut merged = (*shared).clone();
                merged.id = None;
                if field.required.is_some() {
                    merged.required = field.required;
                }
                if field.description.is_some() {
                    merged.description.clone_from(&field.description);
                }
                resolved = merged;
                &resolved
            }
            None => {
                if field.id.is_some() {
                    return Err(invalid(
                        context.to_owned(),
                        "`id` belongs only on shared parameters in a `params` section",
                    ));
                }
                field
            }
        };
        let Some(name) = field.name.clone() else {
            return Err(invalid(
                context.to_owned(),
                "every parameter needs a `name` (or a `ref`)",
            ));
        };
        let context = format!("{context}, parameter `{name}`");
        let Some(location) = field.location else {
            return Err(invalid(
                context,
                "every parameter needs `in`: path, query or body",
            ));
        };
        let schema = self.schema(&context, field)?;
        Ok(Param {
            name,
            location: ParamLocation::from_spec(location),
            required: field.required.unwrap_or(false),
            schema,
            quoted: field.quoted,
            coded_enum: field.coded_enum.clone(),
        })
    }

    /// Expand a field into a JSON Schema. Nested fields may not carry parameter-only keys.
    fn schema(&self, context: &str, field: &FieldSpec) -> Result<Value, Error> {
        let mut schema = Map::new();
        let mut description = field.description.clone();

        if let Some(enum_name) = field.coded_enum.as_deref() {
            let Some(coded) = self.enums.get(enum_name) else {
                return Err(Error::UnknownReference {
                    context: context.to_owned(),
                    what: "coded enum",
                    name: enum_name.to_owned(),
                    file: "enums.json",
                });
            };
            if field.value_type.as_deref().is_some_and(|t| t != "integer")
                || !field.values.is_empty()
            {
                return Err(invalid(
                    context.to_owned(),
                    "a coded `enum` is always an integer; drop `type` and `values`",
                ));
            }
            schema.insert("type".into(), "integer".into());
            let lead = description.unwrap_or_else(|| coded.description.clone());
            if let Some(tool) = &coded.extensible_via {
                // An account can add codes (custom statuses, sources): refusing every code but the
                // documented ones would refuse valid calls, so the codes are named, not enumerated.
                description = Some(format!(
                    "{lead}: {}{}",
                    coded.describe_codes(),
                    extensible_note(tool)
                ));
            } else {
                schema.insert(
                    "enum".into(),
                    coded
                        .codes
                        .iter()
                        .map(|(code, _)| Value::from(*code))
                        .collect(),
                );
                description = Some(format!("{lead}: {}", coded.describe_codes()));
            }
        } else if let Some(value_type) = field.value_type.as_deref() {
            if !matches!(
                value_type,
                "string" | "integer" | "number" | "boolean" | "object" | "array"
            ) {
                return Err(invalid(
                    context.to_owned(),
                    format!(
                        "unknown `type` `{value_type}`; use string, integer, number, boolean, object or array"
                    ),
                ));
            }
            schema.insert("type".into(), value_type.into());
        }

        let value_type = schema.get("type").and_then(Value::as_str).unwrap_or("");
        if !field.values.is_empty() && value_type != "string" {
            return Err(invalid(
                context.to_owned(),
                "`values` needs `\"type\": \"string\"`",
            ));
        }
        if field.items.is_some() != (value_type == "array") {
            return Err(invalid(
                context.to_owned(),
                "arrays need `items`, and only arrays may have it",
            ));
        }
        if (!field.properties.is_empty() || field.additional_properties.is_some())
            && value_type != "object"
        {
            return Err(invalid(
                context.to_owned(),
                "`properties` and `additional_properties` need `\"type\": \"object\"`",
            ));
        }

        if let Some(format) = &field.format {
            schema.insert("format".into(), format.as_str().into());
        }
        if !field.values.is_empty() {
            schema.insert(
                "enum".into(),
                field
                    .values
                    .iter()
                    .map(|value| Value::from(value.as_str()))
                    .collect(),
            );
        }
        if let Some(minimum) = field.minimum {
            schema.insert("minimum".into(), minimum.into());
        }
        if let Some(maximum) = field.maximum {
            schema.insert("maximum".into(), maximum.into());
        }
        if let Some(min_length) = field.min_length {
            schema.insert("minLength".into(), min_length.into());
        }
        if let Some(max_length) = field.max_length {
            schema.insert("maxLength".into(), max_length.into());
        }
        if let Some(items) = &field.items {
            let item_context = format!("{context} items");
            self.check_nested(&item_context, items, false)?;
            schema.insert("items".into(), self.schema(&item_context, items)?);
        }
        if !field.properties.is_empty() {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for property in &field.properties {
                let Some(name) = property.name.as_deref() else {
                    return Err(invalid(
                        context.to_owned(),
                        "every nested property needs a `name`",
                    ));
                };
                let property_context = format!("{context}.{name}");
                self.check_nested(&property_context, property, true)?;
                if properties
                    .insert(name.to_owned(), self.schema(&property_context, property)?)
                    .is_some()
                {
                    return Err(duplicate("property", name, context, context));
                }
                if property.required == Some(true) {
                    required.push(Value::from(name));
                }
            }
            schema.insert("properties".into(), Value::Object(properties));
            if !required.is_empty() {
                schema.insert("required".into(), Value::Array(required));
            }
        }
        if let Some(additional) = field.additional_properties {
            schema.insert("additionalProperties".into(), additional.into());
        }
        if field.nullable {
            // `null` joins the type and, for enumerations, the allowed values.
            if let Some(Value::String(single)) = schema.get("type").cloned() {
                schema.insert("type".into(), json!([single, "null"]));
            } else {
                return Err(invalid(
                    context.to_owned(),
                    "`nullable` needs a `type` or a coded `enum`",
                ));
            }
            if let Some(Value::Array(values)) = schema.get_mut("enum") {
                values.push(Value::Null);
            }
        }
        if let Some(description) = description {
            schema.insert("description".into(), description.into());
        }
        Ok(Value::Object(schema))
    }

    fn check_nested(
        &self,
        context: &str,
        field: &FieldSpec,
        is_property: bool,
    ) -> Result<(), Error> {
        let misplaced = field.id.is_some()
            || field.reference.is_some()
            || field.location.is_some()
            || field.quoted
            || (!is_property && (field.name.is_some() || field.required.is_some()));
        if misplaced {
            return Err(invalid(
                context.to_owned(),
                "nested fields take only schema keys (plus `name` and `required` on object properties)",
            ));
        }
        Ok(())
    }
}

/// A `ref` entry may add `required` and `description` and nothing else.
fn only_overrides(field: &FieldSpec) -> bool {
    let FieldSpec {
        id,
        reference: _,
        name,
        location,
        required: _,
        quoted,
        value_type,
        nullable,
        format,
        coded_enum,
        values,
        minimum,
        maximum,
        min_length,
        max_length,
        items,
        properties,
        additional_properties,
        description: _,
    } = field;
    id.is_none()
        && name.is_none()
        && location.is_none()
        && !quoted
        && value_type.is_none()
        && !nullable
        && format.is_none()
        && coded_enum.is_none()
        && values.is_empty()
        && minimum.is_none()
        && maximum.is_none()
        && min_length.is_none()
        && max_length.is_none()
        && items.is_none()
        && properties.is_empty()
        && additional_properties.is_none()
}

fn duplicate(what: &'static str, name: &str, first: &str, second: &str) -> Error {
    Error::Duplicate {
        what,
        name: name.to_owned(),
        first: first.to_owned(),
        second: second.to_owned(),
    }
}

fn invalid(context: String, message: impl Into<String>) -> Error {
    Error::InvalidDefinition {
        context,
        message: message.into(),
    }
}
