//! Field types as the importer reasons about them, and their translation into catalogue field JSON.

use serde_json::{Map, Value, json};

/// A field type built from table cells, typed spec fields and sample values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    Str(Option<&'static str>),
    Int,
    Num,
    Bool,
    /// An object with known properties (possibly none).
    Obj(Vec<Prop>),
    Arr(Box<Ty>),
    /// Nothing says what it is.
    Unknown,
}

/// A property of an object type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prop {
    pub(crate) name: String,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
    /// A sample sends `null` for it.
    pub(crate) nullable: bool,
}

impl Ty {
    /// The JSON Schema type keyword.
    pub(crate) fn keyword(&self) -> &'static str {
        match self {
            Ty::Str(_) => "string",
            Ty::Int => "integer",
            Ty::Num => "number",
            Ty::Bool => "boolean",
            Ty::Obj(_) => "object",
            Ty::Arr(_) => "array",
            Ty::Unknown => "",
        }
    }

    pub(crate) fn is_known(&self) -> bool {
        match self {
            Ty::Unknown => false,
            Ty::Arr(items) => items.is_known(),
            Ty::Obj(props) => props.iter().all(|prop| prop.ty.is_known()),
            _ => true,
        }
    }

    /// Fill unknown parts of `self` from `other` (same shape), keeping what `self` already knows.
    pub(crate) fn refine(self, other: &Ty) -> Ty {
        match (self, other) {
            (Ty::Unknown, other) => other.clone(),
            (Ty::Arr(items), Ty::Arr(other_items)) => Ty::Arr(Box::new(items.refine(other_items))),
            (Ty::Obj(mut props), Ty::Obj(other_props)) => {
                for other_prop in other_props {
                    match props.iter_mut().find(|prop| prop.name == other_prop.name) {
                        Some(prop) => {
                            prop.ty =
                                std::mem::replace(&mut prop.ty, Ty::Unknown).refine(&other_prop.ty);
                            prop.required |= other_prop.required;
                            prop.nullable |= other_prop.nullable;
                        }
                        None => props.push(other_prop.clone()),
                    }
                }
                Ty::Obj(props)
            }
            (Ty::Int, Ty::Num) => Ty::Num,
            (Ty::Str(None), Ty::Str(Some(format))) => Ty::Str(Some(format)),
            (mine, _) => mine,
        }
    }
}

/// A type cell from a documentation table, e.g. `array of numbers` or `datetime`.
pub(crate) fn from_cell(cell: &str, name: &str) -> Ty {
    let cell = cell.trim().to_lowercase();
    if cell.starts_with("array") || cell.ends_with("array") {
        let item = if cell.contains("string") {
            string_for(name, true)
        } else if cell.contains("number") || cell.contains("integer") {
            Ty::Int
        } else if cell.contains("object") || cell.contains("hash") {
            Ty::Obj(Vec::new())
        } else {
            Ty::Unknown
        };
        return Ty::Arr(Box::new(item));
    }
    let first = cell
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .next()
        .unwrap_or("");
    match first {
        "string" | "text" | "url" => string_for(name, false),
        "email" => Ty::Str(Some("email")),
        "number" | "integer" | "int" => {
            if super::words::is_decimal_field(name) {
                Ty::Num
            } else {
                Ty::Int
            }
        }
        "float" | "decimal" => Ty::Num,
        "boolean" | "bool" => Ty::Bool,
        "datetime" | "date-time" | "timestamp" => Ty::Str(Some("date-time")),
        "date" if cell.contains("time") => Ty::Str(Some("date-time")),
        "date" => Ty::Str(Some("date")),
        "time" => Ty::Str(None),
        "hash" | "dictionary" | "object" | "json" => Ty::Obj(Vec::new()),
        _ => Ty::Unknown,
    }
}

/// A type from the typed spec: `string`, `integer`, `array<object>`, ...
pub(crate) fn from_spec(spec: &str, format: Option<&str>, fields: &[String], name: &str) -> Ty {
    let object = || {
        Ty::Obj(
            fields
                .iter()
                .map(|field| Prop {
                    name: field.clone(),
                    ty: Ty::Unknown,
                    required: false,
                    nullable: false,
                })
                .collect(),
        )
    };
    match spec {
        "string" => match format {
            Some("date-time") => Ty::Str(Some("date-time")),
            _ => string_for(name, false),
        },
        "integer" => Ty::Int,
        "number" => Ty::Num,
        "boolean" => Ty::Bool,
        "object" => object(),
        "array<string>" => Ty::Arr(Box::new(string_for(name, true))),
        "array<integer>" => Ty::Arr(Box::new(Ty::Int)),
        "array<object>" => Ty::Arr(Box::new(object())),
        _ => Ty::Unknown,
    }
}

/// Strings named like email addresses carry the email format.
pub(crate) fn string_for(name: &str, item: bool) -> Ty {
    let emailish = name == "email"
        || name.ends_with("_email")
        || (item && (name.ends_with("emails") || name.ends_with("_emails")));
    Ty::Str(emailish.then_some("email"))
}

/// What a sample value says about its type.
pub(crate) fn from_value(value: &Value, name: &str) -> Ty {
    match value {
        Value::Null => Ty::Unknown,
        Value::Bool(_) => Ty::Bool,
        Value::Number(number) => {
            if number.is_i64() || number.is_u64() {
                if super::words::is_decimal_field(name) {
                    Ty::Num
                } else {
                    Ty::Int
                }
            } else {
                Ty::Num
            }
        }
        Value::String(text) => {
            if looks_like_date_time(text) {
                Ty::Str(Some("date-time"))
            } else {
                string_for(name, false)
            }
        }
        Value::Array(items) => {
            let mut item = Ty::Unknown;
            for element in items {
                item = item.refine(&from_value(element, name));
            }
            if item == Ty::Unknown && name.ends_with("ids") {
                item = Ty::Int;
            }
            if let Ty::Str(None) = item {
                item = string_for(name, true);
            }
            Ty::Arr(Box::new(item))
        }
        Value::Object(map) => Ty::Obj(
            map.iter()
                .map(|(key, value)| Prop {
                    name: key.clone(),
                    ty: from_value(value, key),
                    required: false,
                    nullable: value.is_null(),
                })
                .collect(),
        ),
    }
}

fn looks_like_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 16
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
}

/// Guess what a query-string value is.
pub(crate) fn from_query_value(value: &str, name: &str) -> Ty {
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()) {
        return Ty::Int;
    }
    if value == "true" || value == "false" {
        return Ty::Bool;
    }
    if looks_like_date_time(value) {
        return Ty::Str(Some("date-time"));
    }
    if name.ends_with("ids")
        && value
            .split(',')
            .all(|part| part.chars().all(|c| c.is_ascii_digit()))
    {
        return Ty::Arr(Box::new(Ty::Int));
    }
    string_for(name, false)
}

/// Schema keys of a type, in catalogue field form (`type`, `format`, `items`, `properties`), without name,
/// location or description. `describe` writes a nested field's description.
pub(crate) fn schema_keys(
    ty: &Ty,
    name: &str,
    describe: &dyn Fn(&str, &Ty) -> String,
    coded: &dyn Fn(&str) -> Option<&'static str>,
) -> Map<String, Value> {
    let mut map = Map::new();
    if !ty.keyword().is_empty() {
        map.insert("type".into(), ty.keyword().into());
    }
    match ty {
        Ty::Str(Some(format)) => {
            map.insert("format".into(), (*format).into());
        }
        Ty::Arr(items) => {
            let mut item = schema_keys(items, name, describe, coded);
            item.insert(
                "description".into(),
                super::words::describe_item(name).into(),
            );
            map.insert("items".into(), Value::Object(item));
        }
        Ty::Obj(props) if !props.is_empty() => {
            let properties: Vec<Value> = props
                .iter()
                .map(|prop| {
                    let mut field = Map::new();
                    field.insert("name".into(), prop.name.clone().into());
                    if prop.required {
                        field.insert("required".into(), true.into());
                    }
                    match coded(&prop.name) {
                        Some(coded_enum) if matches!(prop.ty, Ty::Int | Ty::Num) => {
                            field.insert("enum".into(), coded_enum.into());
                        }
                        _ => {
                            for (key, value) in schema_keys(&prop.ty, &prop.name, describe, coded) {
                                field.insert(key, value);
                            }
                        }
                    }
                    if prop.nullable && !prop.required {
                        field.insert("nullable".into(), true.into());
                    }
                    field.insert("description".into(), describe(&prop.name, &prop.ty).into());
                    Value::Object(field)
                })
                .collect();
            map.insert("properties".into(), Value::Array(properties));
        }
        _ => {}
    }
    map
}

/// A catalogue field (`name`, `in`, `required`, type keys, `description`).
pub(crate) fn field(
    name: &str,
    location: &str,
    required: bool,
    keys: Map<String, Value>,
    description: String,
) -> Value {
    let mut map = Map::new();
    map.insert("name".into(), name.into());
    map.insert("in".into(), location.into());
    if required {
        map.insert("required".into(), true.into());
    }
    for (key, value) in keys {
        map.insert(key, value);
    }
    map.insert("description".into(), description.into());
    Value::Object(map)
}

/// A reference to a shared parameter, optionally marked required.
pub(crate) fn reference(id: &str, required: bool) -> Value {
    if required {
        json!({"ref": id, "required": true})
    } else {
        json!({"ref": id})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        for (cell, name, expect) in [
            ("string", "subject", Ty::Str(None)),
            ("string", "email", Ty::Str(Some("email"))),
            ("number", "group_id", Ty::Int),
            ("number", "cost", Ty::Num),
            ("datetime", "due_by", Ty::Str(Some("date-time"))),
            ("date", "start_date", Ty::Str(Some("date"))),
            (
                "array of numbers",
                "department_ids",
                Ty::Arr(Box::new(Ty::Int)),
            ),
            (
                "array of strings",
                "cc_emails",
                Ty::Arr(Box::new(Ty::Str(Some("email")))),
            ),
            ("hash", "custom_fields", Ty::Obj(Vec::new())),
            ("array", "things", Ty::Arr(Box::new(Ty::Unknown))),
            ("widget", "x", Ty::Unknown),
        ] {
            assert_eq!(from_cell(cell, name), expect, "{cell} {name}");
        }
    }

    #[test]
    fn refine_fills_gaps() {
        let known = Ty::Arr(Box::new(Ty::Unknown)).refine(&Ty::Arr(Box::new(Ty::Int)));
        assert_eq!(known, Ty::Arr(Box::new(Ty::Int)));
        assert_eq!(Ty::Int.refine(&Ty::Num), Ty::Num);
        assert_eq!(Ty::Bool.refine(&Ty::Int), Ty::Bool);
    }

    #[test]
    fn sample_values() {
        assert_eq!(
            from_value(&json!("2020-04-03T10:26:13.067Z"), "due_date"),
            Ty::Str(Some("date-time"))
        );
        assert_eq!(
            from_value(&json!([1, 2]), "ids"),
            Ty::Arr(Box::new(Ty::Int))
        );
        assert_eq!(from_query_value("1,2,3", "ids"), Ty::Arr(Box::new(Ty::Int)));
        assert_eq!(from_query_value("42", "page"), Ty::Int);
    }
}
