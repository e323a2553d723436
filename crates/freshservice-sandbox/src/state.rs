//! The records the sandbox holds: named collections of JSON objects keyed by id.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Collection as Name;

/// A snapshot of every record in the sandbox, for assertions in tests.
///
/// Collections are named after the API resource in the plural, with sub-resources prefixed by their parent:
/// `tickets`, `conversations`, `ticket_tasks`, `ticket_time_entries`, `changes`, `change_notes`, `change_tasks`,
/// `change_time_entries`, `problems` (and `problem_notes`, ...), `releases` (and `release_notes`, ...), `assets`
/// (keyed by `display_id`), `asset_types`, `relationships`, `relationship_types`, `projects`, `project_tasks`,
/// `onboarding_requests`, `agents`, `requesters`, `groups`, `departments`, `locations`, `workspaces`.
/// Catalogue operations the sandbox does not model answer without keeping anything.
#[derive(Debug, Clone, Default)]
pub struct State {
    collections: BTreeMap<String, Collection>,
    counters: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Default)]
struct Collection {
    next_id: i64,
    records: BTreeMap<i64, Value>,
}

impl State {
    /// The names of the collections that hold or have held records, sorted.
    pub fn collections(&self) -> Vec<&str> {
        self.collections.keys().map(String::as_str).collect()
    }

    /// Every record of a collection in key order.
    pub fn records(&self, collection: Name) -> Vec<Value> {
        self.records_in(collection.name())
    }

    /// One record by key: `display_id` for assets, `id` everywhere else.
    pub fn get(&self, collection: Name, key: i64) -> Option<Value> {
        self.get_in(collection.name(), key)
    }

    /// Every record of the collection named `collection` in key order (empty for an unknown one).
    pub(crate) fn records_in(&self, collection: &str) -> Vec<Value> {
        self.collections
            .get(collection)
            .map(|stored| stored.records.values().cloned().collect())
            .unwrap_or_default()
    }

    /// One record of the collection named `collection` by key.
    pub(crate) fn get_in(&self, collection: &str, key: i64) -> Option<Value> {
        self.record(collection, key).cloned()
    }

    pub(crate) fn record(&self, collection: &str, key: i64) -> Option<&Value> {
        self.collections.get(collection)?.records.get(&key)
    }

    pub(crate) fn record_mut(&mut self, collection: &str, key: i64) -> Option<&mut Value> {
        self.collections.get_mut(collection)?.records.get_mut(&key)
    }

    pub(crate) fn iter(&self, collection: &str) -> impl Iterator<Item = &Value> {
        self.collections
            .get(collection)
            .into_iter()
            .flat_map(|stored| stored.records.values())
    }

    /// A fresh key for a new record. Agents and requesters share one id space, as users do in Freshservice.
    pub(crate) fn allocate(&mut self, collection: &str) -> i64 {
        let shared: &[&str] = match collection {
            "agents" | "requesters" => &["agents", "requesters"],
            _ => &[],
        };
        let mut next = self.next_id(collection);
        for other in shared {
            next = next.max(self.next_id(other));
        }
        for name in shared.iter().copied().chain([collection]) {
            self.collections.entry(name.to_owned()).or_default().next_id = next + 1;
        }
        next
    }

    fn next_id(&self, collection: &str) -> i64 {
        self.collections
            .get(collection)
            .map_or(1, |stored| stored.next_id.max(1))
    }

    /// The next number of a named counter, starting at 1 (ids for records the sandbox does not keep).
    pub(crate) fn allocate_counter(&mut self, name: &str) -> i64 {
        let counter = self.counters.entry(name.to_owned()).or_insert(0);
        *counter += 1;
        *counter
    }

    /// Stores a record under `key`, replacing any record with that key.
    pub(crate) fn put(&mut self, collection: &str, key: i64, record: Value) {
        let stored = self.collections.entry(collection.to_owned()).or_default();
        stored.next_id = stored.next_id.max(key + 1);
        stored.records.insert(key, record);
    }

    pub(crate) fn remove(&mut self, collection: &str, key: i64) -> Option<Value> {
        self.collections.get_mut(collection)?.records.remove(&key)
    }
}

/// The field a collection is keyed by.
pub(crate) fn key_field(collection: &str) -> &'static str {
    if collection == "assets" {
        "display_id"
    } else {
        "id"
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn agents_and_requesters_share_ids() {
        let mut state = State::default();
        state.put("agents", 5, json!({"id": 5}));
        assert_eq!(state.allocate("requesters"), 6);
        assert_eq!(state.allocate("agents"), 7);
        assert_eq!(state.allocate("tickets"), 1);
        assert_eq!(state.allocate("tickets"), 2);
    }

    #[test]
    fn put_moves_the_counter_past_the_key() {
        let mut state = State::default();
        state.put("tickets", 40, json!({"id": 40}));
        assert_eq!(state.allocate("tickets"), 41);
        assert_eq!(state.records(Name::Tickets).len(), 1);
        assert_eq!(state.get(Name::Tickets, 40), Some(json!({"id": 40})));
        assert!(state.remove("tickets", 40).is_some());
        assert_eq!(state.collections(), vec!["tickets"]);
    }
}
