//! Response envelopes: [`One`] for `{"ticket": {...}}` and [`Many`] for `{"tickets": [...]}`.
//!
//! Freshservice wraps every object in a member named after its entity.
//! A few documented responses use the other key (an MSP `View a Location` returns `{"locations": {...}}`, a
//! contact list once answers `{"requester": [...]}`); the envelopes accept that and remember the key, so those
//! responses round-trip too.
//! Members beside the entity (e.g. `total` or `meta` on lists) are kept in `extra`.

use serde::{
    Deserialize, Deserializer, Serialize, Serializer, de::DeserializeOwned, ser::SerializeMap,
};
use serde_json::{Map, Value};

use crate::entity::Entity;

/// One entity in its response envelope, e.g. `{"ticket": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct One<T> {
    /// The entity.
    pub entity: T,
    /// Other top-level members of the response, kept verbatim.
    pub extra: Map<String, Value>,
    key: &'static str,
}

/// A list of entities in its response envelope, e.g. `{"tickets": [...], "total": 2}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Many<T> {
    /// The entities, in response order.
    pub entities: Vec<T>,
    /// Other top-level members of the response (e.g. `total`, `meta`), kept verbatim.
    pub extra: Map<String, Value>,
    key: &'static str,
}

impl<T: Entity> One<T> {
    /// Wraps an entity under its singular key.
    pub fn new(entity: T) -> Self {
        One {
            entity,
            extra: Map::new(),
            key: T::SINGULAR,
        }
    }

    /// The envelope key this response used (or will use), normally [`Entity::SINGULAR`].
    pub fn key(&self) -> &'static str {
        self.key
    }
}

impl<T: Entity> Many<T> {
    /// Wraps entities under their plural key.
    pub fn new(entities: Vec<T>) -> Self {
        Many {
            entities,
            extra: Map::new(),
            key: T::PLURAL,
        }
    }

    /// The envelope key this response used (or will use), normally [`Entity::PLURAL`].
    pub fn key(&self) -> &'static str {
        self.key
    }
}

impl<T: Entity> From<T> for One<T> {
    fn from(entity: T) -> Self {
        One::new(entity)
    }
}

impl<T: Entity> From<Vec<T>> for Many<T> {
    fn from(entities: Vec<T>) -> Self {
        Many::new(entities)
    }
}

/// Serialises `{key: payload, ...extra}`.
fn serialize_envelope<S: Serializer, P: Serialize>(
    serializer: S,
    key: &str,
    payload: &P,
    extra: &Map<String, Value>,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(extra.len() + 1))?;
    map.serialize_entry(key, payload)?;
    for (name, value) in extra {
        map.serialize_entry(name, value)?;
    }
    map.end()
}

/// Takes the payload out of an envelope: the preferred key, or the other key if it holds the expected shape.
fn take_payload<P: DeserializeOwned, E: serde::de::Error>(
    object: &mut Map<String, Value>,
    preferred: &'static str,
    other: &'static str,
    wants_list: bool,
) -> Result<(P, &'static str), E> {
    let key = if object.contains_key(preferred) {
        preferred
    } else if object
        .get(other)
        .is_some_and(|value| value.is_array() == wants_list)
    {
        other
    } else {
        let shape = if wants_list { "an array" } else { "an object" };
        return Err(E::custom(format_args!(
            "the response has no `{preferred}` member; expected `{{\"{preferred}\": {shape}}}`"
        )));
    };
    let payload = object.shift_remove(key).unwrap_or(Value::Null);
    let parsed = P::deserialize(payload)
        .map_err(|error| E::custom(format_args!("member `{key}`: {error}")))?;
    Ok((parsed, key))
}

impl<T: Entity> Serialize for One<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_envelope(serializer, self.key, &self.entity, &self.extra)
    }
}

impl<'de, T: Entity> Deserialize<'de> for One<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut extra = Map::deserialize(deserializer)?;
        let (entity, key) = take_payload(&mut extra, T::SINGULAR, T::PLURAL, false)?;
        Ok(One { entity, extra, key })
    }
}

impl<T: Entity> Serialize for Many<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_envelope(serializer, self.key, &self.entities, &self.extra)
    }
}

impl<'de, T: Entity> Deserialize<'de> for Many<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut extra = Map::deserialize(deserializer)?;
        let (entities, key) = take_payload(&mut extra, T::PLURAL, T::SINGULAR, true)?;
        Ok(Many {
            entities,
            extra,
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::entity::{Code, Department, Ticket, TicketStatus};

    #[test]
    fn new_envelopes_use_the_canonical_keys() {
        let ticket = Ticket {
            id: 7.into(),
            status: Code::<TicketStatus>::new(2).into(),
            ..Ticket::default()
        };
        assert_eq!(
            serde_json::to_value(One::new(ticket.clone())).unwrap(),
            json!({"ticket": {"id": 7, "status": 2}})
        );
        assert_eq!(
            serde_json::to_value(Many::from(vec![ticket])).unwrap(),
            json!({"tickets": [{"id": 7, "status": 2}]})
        );
    }

    fn check<E: Serialize + DeserializeOwned>(input: Value, key: &str, key_of: fn(&E) -> &str) {
        let envelope: E = serde_json::from_value(input.clone()).unwrap();
        assert_eq!(key_of(&envelope), key, "{input}");
        assert_eq!(serde_json::to_value(&envelope).unwrap(), input);
    }

    #[test]
    fn envelopes_round_trip_with_their_key_and_extras() {
        check::<One<Department>>(json!({"department": {"id": 1}}), "department", One::key);
        check::<One<Department>>(json!({"departments": {"id": 1}}), "departments", One::key);
        check::<Many<Department>>(
            json!({"departments": [{"id": 1}], "total": 1}),
            "departments",
            Many::key,
        );
        check::<Many<Department>>(json!({"department": []}), "department", Many::key);
    }

    #[test]
    fn wrong_envelopes_name_the_expected_member() {
        for (input, expected) in [
            (json!({"problem": {}}), "no `ticket` member"),
            (json!({"tickets": []}), "no `ticket` member"),
            (json!({"ticket": []}), "member `ticket`"),
            (json!([]), "map"),
        ] {
            let error = serde_json::from_value::<One<Ticket>>(input.clone()).unwrap_err();
            assert!(error.to_string().contains(expected), "{input}: {error}");
        }
        let error = serde_json::from_value::<Many<Ticket>>(json!({"ticket": {}})).unwrap_err();
        assert!(error.to_string().contains("no `tickets` member"), "{error}");
    }
}
