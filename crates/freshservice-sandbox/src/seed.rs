//! Seed data: the workspaces of each account mode, and the story records from `fixtures/story.json`.
//!
//! Dates in the fixture are written relative to the sandbox's start time, so the story is always current:
//! `@now`, `@now-2d`, `@now+3h`, `@now-90m` (timestamps), `@tonight` (the next 22:00 UTC after the start, within 24
//! hours), `@tonight+2h`, and `@today`, `@today+7d` (dates, `YYYY-MM-DD`).
//! A record with `"_modes": [...]` is only loaded in those workspace modes (`single`, `multi_workspace`, `msp`).

use serde_json::{Map, Value};

use crate::{
    Seed, State, WorkspaceMode,
    clock::{DAY, format_date, format_timestamp},
    resources::resource,
    rules::new_record,
};

/// The story data set.
const STORY: &str = include_str!("../fixtures/story.json");

/// Fills `state` for a new sandbox.
pub(crate) fn load(state: &mut State, seed: Seed, mode: WorkspaceMode, now: i64) {
    // The fixture is committed and a unit test parses it, so a parse failure cannot reach users.
    let story: Value = serde_json::from_str(STORY).unwrap_or(Value::Null);
    let workspaces = story
        .get("workspaces")
        .and_then(|modes| modes.get(mode_name(mode)))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for workspace in workspaces {
        insert(state, "workspaces", workspace, mode, now);
    }
    if seed == Seed::Empty {
        return;
    }
    let Some(collections) = story.get("collections").and_then(Value::as_object) else {
        return;
    };
    for (collection, records) in collections {
        for record in records.as_array().into_iter().flatten() {
            insert(state, collection, record.clone(), mode, now);
        }
    }
}

/// The name of a mode in `_modes` lists and the `workspaces` object.
pub(crate) fn mode_name(mode: WorkspaceMode) -> &'static str {
    match mode {
        WorkspaceMode::Single => "single",
        WorkspaceMode::MultiWorkspace => "multi_workspace",
        WorkspaceMode::Msp => "msp",
    }
}

fn insert(state: &mut State, collection: &str, record: Value, mode: WorkspaceMode, now: i64) {
    let Value::Object(mut fields) = resolve(record, now) else {
        return;
    };
    if let Some(modes) = fields.remove("_modes") {
        let wanted = Value::from(mode_name(mode));
        if !modes
            .as_array()
            .is_some_and(|modes| modes.contains(&wanted))
        {
            return;
        }
    }
    let (key, record) = prepare(state, collection, fields, mode, now);
    state.put(collection, key, record);
}

/// A complete record for `collection`: defaults, the primary workspace where the collection is scoped, key and
/// timestamps.
pub(crate) fn prepare(
    state: &mut State,
    collection: &str,
    mut fields: Map<String, Value>,
    mode: WorkspaceMode,
    now: i64,
) -> (i64, Value) {
    if let Some(resource) = resource(collection)
        && crate::handlers::workspace_scoped(resource, mode)
    {
        fields
            .entry("workspace_id")
            .or_insert(Value::from(freshservice_schema::PRIMARY_WORKSPACE_ID));
    }
    new_record(state, collection, fields, now)
}

/// Replaces every `@...` time expression in the value.
pub(crate) fn resolve(value: Value, now: i64) -> Value {
    match value {
        Value::String(text) => match expression(&text, now) {
            Some(resolved) => Value::String(resolved),
            None => Value::String(text),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|item| resolve(item, now)).collect())
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, item)| (key, resolve(item, now)))
                .collect(),
        ),
        other => other,
    }
}

fn expression(text: &str, now: i64) -> Option<String> {
    let rest = text.strip_prefix('@')?;
    let (base, offsets, is_date) = if let Some(offsets) = rest.strip_prefix("now") {
        (now, offsets, false)
    } else if let Some(offsets) = rest.strip_prefix("tonight") {
        let today = now.div_euclid(DAY) * DAY;
        let tonight = today + 22 * 3600;
        (
            if tonight > now {
                tonight
            } else {
                tonight + DAY
            },
            offsets,
            false,
        )
    } else if let Some(offsets) = rest.strip_prefix("today") {
        (now, offsets, true)
    } else {
        return None;
    };
    let seconds = base + offset_seconds(offsets)?;
    Some(if is_date {
        format_date(seconds)
    } else {
        format_timestamp(seconds)
    })
}

/// Sums offsets such as `+2d-3h+30m`.
fn offset_seconds(mut text: &str) -> Option<i64> {
    let mut total = 0;
    while !text.is_empty() {
        let sign = match text.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        text = &text[1..];
        let digits = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let amount: i64 = text[..digits].parse().ok()?;
        let unit = match text[digits..].chars().next()? {
            'd' => DAY,
            'h' => 3600,
            'm' => 60,
            _ => return None,
        };
        total += sign * amount * unit;
        text = &text[digits + 1..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Collection;
    use crate::clock::parse_timestamp;

    #[test]
    fn time_expressions() {
        let now = parse_timestamp("2025-03-10T15:30:00Z").unwrap();
        let late = parse_timestamp("2025-03-10T23:00:00Z").unwrap();
        let check = |text: &str, at: i64, expected: &str| {
            assert_eq!(
                resolve(Value::from(text), at),
                Value::from(expected),
                "{text}"
            );
        };
        check("@now", now, "2025-03-10T15:30:00Z");
        check("@now-2d+3h-30m", now, "2025-03-08T18:00:00Z");
        check("@tonight", now, "2025-03-10T22:00:00Z");
        check("@tonight+2h", now, "2025-03-11T00:00:00Z");
        check("@tonight", late, "2025-03-11T22:00:00Z");
        check("@today+7d", now, "2025-03-17");
        check("@later", now, "@later");
        check("@now+2w", now, "@now+2w");
        check("@now+", now, "@now+");
        check("plain", now, "plain");
    }

    #[test]
    fn story_parses_and_loads_in_every_mode() {
        let story: Value = serde_json::from_str(STORY).unwrap();
        assert!(story["collections"].is_object());
        for mode in [
            WorkspaceMode::Single,
            WorkspaceMode::MultiWorkspace,
            WorkspaceMode::Msp,
        ] {
            let mut state = State::default();
            load(&mut state, Seed::Story, mode, 1_700_000_000);
            assert!(state.get(Collection::Workspaces, 2).is_some(), "{mode:?}");
            assert!(!state.records(Collection::Tickets).is_empty(), "{mode:?}");
            for collection in state.collections() {
                assert!(
                    resource(collection).is_some() || collection == "conversations",
                    "unknown collection {collection} in the story"
                );
                for record in state.records_in(collection) {
                    let text = record.to_string();
                    assert!(
                        !text.contains("\"@"),
                        "unresolved expression in {collection}: {text}"
                    );
                    assert!(!text.contains("_modes"), "{text}");
                }
            }
            let mut empty = State::default();
            load(&mut empty, Seed::Empty, mode, 0);
            assert_eq!(empty.collections(), vec!["workspaces"]);
        }
    }
}
