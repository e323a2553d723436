//! [`Field`]: one member of a Freshservice object, telling an absent member from an explicit `null`.
//!
//! Design note: Freshservice sends blank fields as `null`, and accounts add members this model cannot know.
//! A plain `Option<T>` would either drop the `null`s on the way out (`skip_serializing_if`) or invent `null`s
//! for members that never came in; both break a byte-for-byte round trip, which the sandbox and the tests rely on.
//! So every member is a four-state [`Field`]: absent, `null`, a typed value, or (when the documentation and the
//! wire disagree, e.g. a phone number sent as a number) the raw JSON, kept verbatim rather than failing the
//! whole object.
//! Absent members are skipped when serialising, so `deserialize → serialize` gives back the same JSON value.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::DeserializeOwned};
use serde_json::{Map, Number, Value};

/// One member of a Freshservice object: absent, `null`, a typed value, or raw JSON that does not fit the type.
///
/// Struct fields of this type use `#[serde(default, skip_serializing_if = "Field::is_absent")]`, so an absent
/// member stays absent and a `null` stays `null` through a round trip.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    /// The member is not in the object.
    #[default]
    Absent,
    /// The member is present with the value `null` (Freshservice's blank field).
    Null,
    /// The member is present and has the documented type.
    Value(T),
    /// The member is present but its JSON does not fit the documented type; kept verbatim.
    Raw(Value),
}

impl<T> Field<T> {
    /// True when the member is not in the object; used by `skip_serializing_if`.
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// True when the member is present as `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    /// The typed value, if the member is present and has the documented type.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The typed value, mutably.
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Field::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The typed value by value, if there is one.
    pub fn into_value(self) -> Option<T> {
        match self {
            Field::Value(value) => Some(value),
            _ => None,
        }
    }

    /// The raw JSON of a member whose value did not fit the documented type.
    pub fn raw(&self) -> Option<&Value> {
        match self {
            Field::Raw(value) => Some(value),
            _ => None,
        }
    }
}

impl<T> From<T> for Field<T> {
    fn from(value: T) -> Self {
        Field::Value(value)
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `None` becomes an explicit `null`, the way Freshservice clears a field.
    fn from(value: Option<T>) -> Self {
        value.map_or(Field::Null, Field::Value)
    }
}

impl From<&str> for Field<String> {
    fn from(value: &str) -> Self {
        Field::Value(value.to_owned())
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Absent members are skipped by the containing struct; anywhere else (e.g. inside a list) the closest
            // JSON is `null`.
            Field::Absent | Field::Null => serializer.serialize_none(),
            Field::Value(value) => value.serialize(serializer),
            Field::Raw(value) => value.serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Field::Null);
        }
        // A value of an unexpected type is kept rather than rejected: one odd member must not make a whole
        // ticket unreadable, and `Entity::unexpected_fields` reports it.
        Ok(match T::deserialize(&value) {
            Ok(typed) => Field::Value(typed),
            Err(_) => Field::Raw(value),
        })
    }
}

/// Collects the dotted paths of members kept as [`Field::Raw`], descending into typed nested objects.
pub(crate) trait Walk {
    /// Appends to `found` the path of every raw member at or below `path`.
    fn walk(&self, path: &str, found: &mut Vec<String>);
}

impl<T: Walk> Walk for Field<T> {
    fn walk(&self, path: &str, found: &mut Vec<String>) {
        match self {
            Field::Raw(_) => found.push(path.to_owned()),
            Field::Value(value) => value.walk(path, found),
            Field::Absent | Field::Null => {}
        }
    }
}

impl<T: Walk> Walk for Vec<T> {
    fn walk(&self, path: &str, found: &mut Vec<String>) {
        for (index, item) in self.iter().enumerate() {
            item.walk(&format!("{path}[{index}]"), found);
        }
    }
}

macro_rules! leaf_walk {
    ($($leaf:ty),* $(,)?) => {
        $(impl Walk for $leaf {
            fn walk(&self, _path: &str, _found: &mut Vec<String>) {}
        })*
    };
}

leaf_walk!(i64, bool, String, Number, Value, Map<String, Value>);

/// `parent.member`, or `member` at the top level.
pub(crate) fn member_path(parent: &str, member: &str) -> String {
    let member = member.trim_start_matches("r#");
    if parent.is_empty() {
        member.to_owned()
    } else {
        format!("{parent}.{member}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    struct Probe {
        #[serde(default, skip_serializing_if = "Field::is_absent")]
        count: Field<i64>,
    }

    fn check(input: Value, expected: Field<i64>) {
        let probe: Probe = serde_json::from_value(input.clone()).unwrap();
        assert_eq!(probe.count, expected, "{input}");
        assert_eq!(
            serde_json::to_value(&probe).unwrap(),
            input,
            "round trip of {input}"
        );
    }

    #[test]
    fn four_states_round_trip() {
        check(json!({}), Field::Absent);
        check(json!({"count": null}), Field::Null);
        check(json!({"count": 3}), Field::Value(3));
        check(json!({"count": "3"}), Field::Raw(json!("3")));
        check(json!({"count": 1.5}), Field::Raw(json!(1.5)));
    }

    #[test]
    fn accessors_and_conversions() {
        let mut field = Field::from(4_i64);
        assert_eq!(field.value(), Some(&4));
        if let Some(value) = field.value_mut() {
            *value += 1;
        }
        assert_eq!(field.clone().into_value(), Some(5));
        assert_eq!(Field::<i64>::from(None), Field::Null);
        assert!(Field::<i64>::from(None).is_null());
        assert!(Field::<i64>::default().is_absent());
        assert_eq!(Field::<i64>::Raw(json!("x")).raw(), Some(&json!("x")));
        assert_eq!(Field::from("text"), Field::Value("text".to_owned()));
    }

    #[test]
    fn walk_reports_raw_members_with_paths() {
        let mut found = Vec::new();
        let list: Field<Vec<Field<i64>>> =
            Field::Value(vec![Field::Value(1), Field::Raw(json!("2"))]);
        list.walk(&member_path("outer", "r#type"), &mut found);
        assert_eq!(found, ["outer.type[1]"]);
    }
}
