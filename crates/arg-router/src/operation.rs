//! Compiled operations: construction-time checks, argument validation and routing.

use std::fmt;

use serde_json::{Map, Value};

use crate::template::{self, Piece};
use crate::{ArgumentProblem, Error, ParamLocation, ParamSpec, RoutedRequest};

/// Instances whose JSON text is longer than this are not echoed in messages, so that one huge
/// argument cannot swamp the problem list.
const MAX_ECHOED_INSTANCE: usize = 100;

/// A compiled operation: method, path template, parameters and input schema.
///
/// Build it once and route many calls through it.
/// The schema is compiled in [`Operation::new`], so routing only walks the arguments; `Operation`
/// is `Send + Sync` and can be shared behind an `Arc` or in a static table.
pub struct Operation {
    method: http::Method,
    path_template: String,
    pieces: Vec<Piece>,
    params: Vec<ParamSpec>,
    /// Per parameter: whether its property schema explicitly admits objects (query only).
    object_allowed: Vec<bool>,
    has_body: bool,
    input_schema: Value,
    validator: jsonschema::Validator,
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operation")
            .field("method", &self.method)
            .field("path_template", &self.path_template)
            .field("params", &self.params)
            .field("input_schema", &self.input_schema)
            .finish_non_exhaustive()
    }
}

impl Operation {
    /// Checks the description and compiles `input_schema`.
    ///
    /// `path_template` looks like `/api/v2/changes/{change_id}/notes`; every `{placeholder}` must
    /// be the wire name of exactly one [`ParamLocation::Path`] parameter and vice versa.
    /// Argument names must be unique, and so must wire names within one location.
    /// `input_schema` must be a JSON Schema object with `"type": "object"`; every name under its
    /// `properties` must be a parameter, because an argument the schema accepts but no parameter
    /// sends would be dropped silently.
    /// When the root sets `additionalProperties` or `unevaluatedProperties` to `false`, every
    /// parameter must in turn be under `properties`, or the schema would reject it on every call.
    /// The schema is compiled as draft 2020-12 unless its `$schema` names another draft; remote
    /// `$ref`s are never fetched.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidOperation`] naming the first inconsistency found.
    pub fn new(
        method: http::Method,
        path_template: &str,
        params: Vec<ParamSpec>,
        input_schema: Value,
    ) -> Result<Self, Error> {
        let pieces = template::parse(path_template)?;
        check_params(&params)?;
        check_placeholders(path_template, &pieces, &params)?;
        let properties = check_schema_shape(&input_schema, &params)?;
        let object_allowed = params
            .iter()
            .map(|param| {
                properties
                    .and_then(|properties| properties.get(&param.name))
                    .is_some_and(admits_objects)
            })
            .collect();
        let validator = compile(&input_schema)?;
        Ok(Self {
            method,
            path_template: path_template.to_owned(),
            pieces,
            has_body: params
                .iter()
                .any(|param| param.location == ParamLocation::Body),
            params,
            object_allowed,
            input_schema,
            validator,
        })
    }

    /// The HTTP method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The path template as given.
    pub fn path_template(&self) -> &str {
        &self.path_template
    }

    /// The parameters in declaration order.
    pub fn params(&self) -> &[ParamSpec] {
        &self.params
    }

    /// The input schema as given.
    pub fn input_schema(&self) -> &Value {
        &self.input_schema
    }

    /// Validates `arguments`, then splits them into path, query and body.
    ///
    /// `arguments` must be a JSON object; `null` counts as `{}`.
    /// Absent optional arguments are left out; a `null` query argument counts as absent, and an
    /// empty array query argument is left out too.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArguments`] with every problem found: schema violations, unknown argument
    /// names, and values that cannot be placed where their parameter goes.
    pub fn route(&self, arguments: &Value) -> Result<RoutedRequest, Error> {
        let empty = Map::new();
        let object = match arguments {
            Value::Null => &empty,
            Value::Object(object) => object,
            other => {
                return Err(Error::InvalidArguments {
                    problems: vec![ArgumentProblem::new(
                        "",
                        format!("must be a JSON object of arguments, not {}", kind(other)),
                    )],
                });
            }
        };
        let object_value;
        let instance = if arguments.is_null() {
            object_value = Value::Object(Map::new());
            &object_value
        } else {
            arguments
        };

        let mut problems = Vec::new();
        let unknown = self.unknown_arguments(object, &mut problems);
        self.schema_problems(instance, &unknown, &mut problems);
        let request = self.place(object, &mut problems);

        if problems.is_empty() {
            Ok(request)
        } else {
            // Sorting makes the list independent of schema and map iteration order and puts
            // problems about the same argument next to each other.
            problems.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
            problems.dedup();
            Err(Error::InvalidArguments { problems })
        }
    }

    /// Validates `arguments` without building a request; reports exactly what [`Operation::route`] would.
    ///
    /// # Errors
    ///
    /// The same [`Error::InvalidArguments`] as [`Operation::route`].
    pub fn validate(&self, arguments: &Value) -> Result<(), Error> {
        self.route(arguments).map(|_| ())
    }

    /// Reports every argument name that is not a parameter and returns those names.
    fn unknown_arguments(
        &self,
        object: &Map<String, Value>,
        problems: &mut Vec<ArgumentProblem>,
    ) -> Vec<String> {
        let mut unknown: Vec<String> = object
            .keys()
            .filter(|key| !self.params.iter().any(|param| &param.name == *key))
            .cloned()
            .collect();
        unknown.sort();
        if unknown.is_empty() {
            return unknown;
        }
        let mut known: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
        known.sort_unstable();
        let hint = if known.is_empty() {
            "this operation takes no arguments".to_owned()
        } else {
            let quoted: Vec<String> = known.iter().map(|name| format!("{name:?}")).collect();
            format!("known arguments: {}", quoted.join(", "))
        };
        for key in &unknown {
            problems.push(ArgumentProblem::new(
                pointer_for(key),
                format!("unknown argument {key:?}; {hint}"),
            ));
        }
        unknown
    }

    fn schema_problems(
        &self,
        instance: &Value,
        unknown: &[String],
        problems: &mut Vec<ArgumentProblem>,
    ) {
        for error in self.validator.iter_errors(instance) {
            let pointer = error.instance_path().as_str().to_owned();
            if pointer.is_empty() && only_repeats_unknown(error.kind(), unknown) {
                continue;
            }
            problems.push(ArgumentProblem::new(
                pointer.clone(),
                describe(&error, pointer.is_empty()),
            ));
        }
    }

    /// Builds the request, adding a problem for every value that cannot go where its parameter
    /// goes. Values that already have a schema problem are skipped to avoid saying it twice.
    fn place(
        &self,
        object: &Map<String, Value>,
        problems: &mut Vec<ArgumentProblem>,
    ) -> RoutedRequest {
        let mut path_values: Vec<(&str, String)> = Vec::new();
        let mut query = Vec::new();
        let mut body = Map::new();
        for (param, object_allowed) in self.params.iter().zip(&self.object_allowed) {
            let pointer = pointer_for(&param.name);
            let value = object.get(&param.name);
            if value.is_some() && has_problem_at_or_below(problems, &pointer) {
                continue;
            }
            match param.location {
                ParamLocation::Path => match path_text(value) {
                    Ok(text) => match template::encode_segment(&text) {
                        Ok(segment) => path_values.push((param.wire_name.as_str(), segment)),
                        Err(message) => problems.push(ArgumentProblem::new(pointer, message)),
                    },
                    Err(PathProblem::Missing) => problems.push(ArgumentProblem::new(
                        "",
                        format!("missing required argument {:?}", param.name),
                    )),
                    Err(PathProblem::NotScalar(found)) => problems.push(ArgumentProblem::new(
                        pointer,
                        format!(
                            "must be a string, number or boolean to fill path placeholder {{{}}}, not {found}",
                            param.wire_name
                        ),
                    )),
                },
                ParamLocation::Query => {
                    if let Some(text) = query_text(value, *object_allowed, &pointer, problems) {
                        query.push((param.wire_name.clone(), param.query_style.apply(text)));
                    }
                }
                ParamLocation::Body => {
                    if let Some(value) = value {
                        body.insert(param.wire_name.clone(), value.clone());
                    }
                }
            }
        }
        let mut path = String::with_capacity(self.path_template.len());
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => path.push_str(text),
                Piece::Placeholder(name) => {
                    if let Some((_, segment)) = path_values.iter().find(|(wire, _)| wire == name) {
                        path.push_str(segment);
                    }
                }
            }
        }
        RoutedRequest {
            method: self.method.clone(),
            path,
            query,
            body: self.has_body.then_some(Value::Object(body)),
        }
    }
}

enum PathProblem {
    Missing,
    NotScalar(&'static str),
}

fn path_text(value: Option<&Value>) -> Result<String, PathProblem> {
    match value {
        None => Err(PathProblem::Missing),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Number(number)) => Ok(number.to_string()),
        Some(Value::Bool(flag)) => Ok(flag.to_string()),
        Some(other) => Err(PathProblem::NotScalar(kind(other))),
    }
}

fn query_text(
    value: Option<&Value>,
    object_allowed: bool,
    pointer: &str,
    problems: &mut Vec<ArgumentProblem>,
) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => {
            let mut parts = Vec::with_capacity(items.len());
            let mut ok = true;
            for (index, item) in items.iter().enumerate() {
                match scalar_text(item) {
                    Some(text) => parts.push(text),
                    None => {
                        ok = false;
                        problems.push(ArgumentProblem::new(
                            format!("{pointer}/{index}"),
                            format!(
                                "query list items must be strings, numbers or booleans, not {}",
                                kind(item)
                            ),
                        ));
                    }
                }
            }
            ok.then(|| parts.join(","))
        }
        Value::Object(_) if object_allowed => value.map(Value::to_string),
        Value::Object(_) => {
            problems.push(ArgumentProblem::new(
                pointer,
                "must be a string, number, boolean or list of those to go in the query, not an object",
            ));
            None
        }
        scalar => scalar_text(scalar),
    }
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

fn has_problem_at_or_below(problems: &[ArgumentProblem], pointer: &str) -> bool {
    problems.iter().any(|problem| {
        problem
            .pointer
            .strip_prefix(pointer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// A root `additionalProperties: false` (or `unevaluatedProperties: false`) failure that only
/// names arguments already reported as unknown adds nothing but noise.
fn only_repeats_unknown(kind: &jsonschema::error::ValidationErrorKind, unknown: &[String]) -> bool {
    use jsonschema::error::ValidationErrorKind as Kind;
    match kind {
        Kind::AdditionalProperties { unexpected } | Kind::UnevaluatedProperties { unexpected } => {
            unexpected.iter().all(|name| unknown.contains(name))
        }
        _ => false,
    }
}

fn describe(error: &jsonschema::ValidationError<'_>, at_root: bool) -> String {
    if let jsonschema::error::ValidationErrorKind::Required { property } = error.kind() {
        let noun = if at_root { "argument" } else { "property" };
        return format!("missing required {noun} {property}");
    }
    let echoed_length =
        serde_json::to_string(error.instance().as_ref()).map_or(usize::MAX, |s| s.len());
    if echoed_length > MAX_ECHOED_INSTANCE {
        error.masked().to_string()
    } else {
        error.to_string()
    }
}

/// The JSON pointer (RFC 6901) of a top-level member.
fn pointer_for(name: &str) -> String {
    format!("/{}", name.replace('~', "~0").replace('/', "~1"))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn check_params(params: &[ParamSpec]) -> Result<(), Error> {
    for (index, param) in params.iter().enumerate() {
        if param.name.is_empty() {
            return Err(Error::operation(format!(
                "parameter {index} has an empty name; give every parameter a name"
            )));
        }
        if param.wire_name.is_empty() {
            return Err(Error::operation(format!(
                "parameter {:?} has an empty wire name; leave wire_name equal to the name or set a non-empty one",
                param.name
            )));
        }
        let earlier = &params[..index];
        if earlier.iter().any(|other| other.name == param.name) {
            return Err(Error::operation(format!(
                "parameter {:?} is declared twice; argument names must be unique",
                param.name
            )));
        }
        if earlier
            .iter()
            .any(|other| other.location == param.location && other.wire_name == param.wire_name)
        {
            return Err(Error::operation(format!(
                "parameter {:?} reuses wire name {:?} in the same location; wire names must be unique per location",
                param.name, param.wire_name
            )));
        }
    }
    Ok(())
}

fn check_placeholders(template: &str, pieces: &[Piece], params: &[ParamSpec]) -> Result<(), Error> {
    for piece in pieces {
        if let Piece::Placeholder(name) = piece {
            let is_path_param = params
                .iter()
                .any(|param| param.location == ParamLocation::Path && &param.wire_name == name);
            if !is_path_param {
                return Err(Error::operation(format!(
                    "path template {template:?} has placeholder {{{name}}} but no path parameter with that wire name; add ParamSpec::path({name:?})"
                )));
            }
        }
    }
    for param in params
        .iter()
        .filter(|param| param.location == ParamLocation::Path)
    {
        let in_template = pieces
            .iter()
            .any(|piece| matches!(piece, Piece::Placeholder(name) if name == &param.wire_name));
        if !in_template {
            return Err(Error::operation(format!(
                "path parameter {:?} has no placeholder {{{}}} in path template {template:?}; add it to the template or make the parameter a query or body parameter",
                param.name, param.wire_name
            )));
        }
    }
    Ok(())
}

/// Checks the parts of the schema the router relies on and returns its `properties`, if any.
fn check_schema_shape<'a>(
    schema: &'a Value,
    params: &[ParamSpec],
) -> Result<Option<&'a Map<String, Value>>, Error> {
    let Some(object) = schema.as_object() else {
        return Err(Error::operation(format!(
            "input schema must be a JSON object with \"type\": \"object\", not {}",
            kind(schema)
        )));
    };
    if object.get("type") != Some(&Value::String("object".to_owned())) {
        return Err(Error::operation(
            "input schema must declare \"type\": \"object\" at its root",
        ));
    }
    let properties = match object.get("properties") {
        None => None,
        Some(Value::Object(properties)) => Some(properties),
        Some(_) => {
            return Err(Error::operation(
                "input schema \"properties\" must be an object mapping argument names to schemas",
            ));
        }
    };
    if let Some(properties) = properties {
        for name in properties.keys() {
            if !params.iter().any(|param| &param.name == name) {
                return Err(Error::operation(format!(
                    "input schema property {name:?} has no parameter; add a ParamSpec for it or remove it from the schema"
                )));
            }
        }
    }
    let closed = ["additionalProperties", "unevaluatedProperties"]
        .iter()
        .any(|keyword| object.get(*keyword) == Some(&Value::Bool(false)));
    if closed {
        for param in params {
            if !properties.is_some_and(|properties| properties.contains_key(&param.name)) {
                return Err(Error::operation(format!(
                    "parameter {:?} is not under the input schema's \"properties\", which forbids other properties; add it to \"properties\"",
                    param.name
                )));
            }
        }
    }
    Ok(properties)
}

fn admits_objects(property_schema: &Value) -> bool {
    match property_schema.get("type") {
        Some(Value::String(name)) => name == "object",
        Some(Value::Array(names)) => names.iter().any(|name| name == "object"),
        _ => false,
    }
}

/// `date-time` as HTTP APIs accept it in practice: RFC 3339, and the ISO 8601 forms they also
/// take (a bare date, no seconds, fractional seconds, offsets such as `+5:30`). RFC 3339 alone
/// would refuse values the upstream service documents.
fn is_iso8601_date_time(text: &str) -> bool {
    let digits =
        |part: &str, count: usize| part.len() == count && part.bytes().all(|b| b.is_ascii_digit());
    let (date, time) = match text.split_once(['T', 't', ' ']) {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut date_parts = date.split('-');
    let (Some(year), Some(month), Some(day), None) = (
        date_parts.next(),
        date_parts.next(),
        date_parts.next(),
        date_parts.next(),
    ) else {
        return false;
    };
    let in_range = |part: &str, low: u32, high: u32| {
        part.parse::<u32>().is_ok_and(|n| (low..=high).contains(&n))
    };
    if !digits(year, 4)
        || !digits(month, 2)
        || !digits(day, 2)
        || !in_range(month, 1, 12)
        || !in_range(day, 1, 31)
    {
        return false;
    }
    let Some(time) = time else {
        return true;
    };
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(index) => time.split_at(index),
        None => (time, ""),
    };
    let clock = clock.split_once('.').map_or(clock, |(whole, fraction)| {
        if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            "invalid"
        } else {
            whole
        }
    });
    let parts: Vec<&str> = clock.split(':').collect();
    let clock_ok = matches!(parts.len(), 2 | 3)
        && parts.iter().all(|part| digits(part, 2))
        && in_range(parts[0], 0, 23)
        && in_range(parts[1], 0, 59)
        && parts.get(2).is_none_or(|seconds| in_range(seconds, 0, 60));
    let offset_ok = match offset {
        "" | "Z" | "z" => true,
        _ => {
            let body = &offset[1..];
            let (hours, minutes) = body.split_once(':').unwrap_or((body, "00"));
            (1..=2).contains(&hours.len())
                && hours.bytes().all(|b| b.is_ascii_digit())
                && in_range(hours, 0, 23)
                && digits(minutes, 2)
                && in_range(minutes, 0, 59)
        }
    };
    clock_ok && offset_ok
}

fn compile(schema: &Value) -> Result<jsonschema::Validator, Error> {
    // An explicit `$schema` is honoured; without one the draft is 2020-12, as JSON Schema
    // consumers such as MCP expect.
    let options = if schema.get("$schema").is_some() {
        jsonschema::options()
    } else {
        jsonschema::options().with_draft(jsonschema::Draft::Draft202012)
    };
    // 2020-12 treats `format` as an annotation unless told otherwise; we assert it, because
    // an argument that claims to be an email or a date-time must be one before it is sent.
    options
        .should_validate_formats(true)
        .with_format("date-time", is_iso8601_date_time)
        .build(schema)
        .map_err(|error| {
            Error::operation(format!("input schema is not a valid JSON Schema: {error}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_date_time_trials() {
        for good in [
            "2025-01-31",
            "2025-01-31T10:00:00Z",
            "2025-01-31T10:00Z",
            "2025-01-31T10:00:00.123+05:30",
            "2021-09-27T00:00:00+5:30",
            "2025-01-31 10:00:00",
        ] {
            assert!(is_iso8601_date_time(good), "{good}");
        }
        for bad in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-01-32",
            "2025-1-31",
            "2025-01-31T25:00:00Z",
            "2025-01-31T10",
            "2025-01-31T10:00:00+99:00",
            "2025-01-31T10:00:00.Z",
        ] {
            assert!(!is_iso8601_date_time(bad), "{bad}");
        }
    }
}
