//! Response shaping: what a model reads of a Freshservice answer.
//!
//! Freshservice answers are built for programs: every attribute of every record, blank ones as
//! `null`, descriptions twice (HTML and text). A model pays for each byte in its context window,
//! so by default we drop empty values, keep the text form of HTML bodies, and cap the size with a
//! note on how to get the rest. `fields` projects records onto the dotted paths a caller names
//! (and keeps those even when empty), and `include_html` keeps HTML as sent.

use serde_json::{Map, Value};

/// The fields a list shows of each record by default, per records key. Lists are for finding
/// records; the full record is one get call away, and any other field is one `fields` away.
/// Modules not named here list every (non-empty) field.
const SUMMARY_FIELDS: &[(&str, &[&str])] = &[
    (
        "tickets",
        &[
            "id",
            "subject",
            "type",
            "status",
            "priority",
            "requester_id",
            "responder_id",
            "group_id",
            "due_by",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "changes",
        &[
            "id",
            "subject",
            "status",
            "priority",
            "risk",
            "change_type",
            "agent_id",
            "group_id",
            "planned_start_date",
            "planned_end_date",
            "updated_at",
        ],
    ),
    (
        "problems",
        &[
            "id",
            "subject",
            "status",
            "priority",
            "impact",
            "agent_id",
            "group_id",
            "due_by",
            "updated_at",
        ],
    ),
    (
        "releases",
        &[
            "id",
            "subject",
            "status",
            "priority",
            "release_type",
            "agent_id",
            "group_id",
            "planned_start_date",
            "planned_end_date",
            "updated_at",
        ],
    ),
    (
        "assets",
        &[
            "id",
            "display_id",
            "name",
            "asset_type_id",
            "asset_tag",
            "user_id",
            "department_id",
            "location_id",
            "updated_at",
        ],
    ),
];

/// Keys of a response object that describe the answer rather than hold records.
const ENVELOPE_KEYS: &[&str] = &["total", "meta", "next_page", "link"];

/// How to shape one answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShapeOptions {
    pub(crate) fields: Option<Vec<String>>,
    pub(crate) include_html: bool,
    pub(crate) max_bytes: usize,
}

/// The shaped answer and, when something was left out to fit the cap, a note saying how to get it.
pub(crate) fn shape(body: Value, options: &ShapeOptions) -> (Value, Option<String>) {
    let Value::Object(mut object) = body else {
        return (body, None);
    };
    let record_key = records_key(&object);
    match record_key.and_then(|key| object.remove(&key).map(|records| (key, records))) {
        Some((key, records)) => {
            let summary =
                summary_fields(&key).filter(|_| options.fields.is_none() && records.is_array());
            let shaped = match (records, summary) {
                (Value::Array(items), Some(fields)) => Value::Array(
                    items
                        .into_iter()
                        .map(|item| compact(project_static(&item, fields), options.include_html))
                        .collect(),
                ),
                (Value::Array(items), None) => Value::Array(
                    items
                        .into_iter()
                        .map(|item| shape_record(item, options))
                        .collect(),
                ),
                (single, _) => shape_record(single, options),
            };
            object.insert(key.clone(), shaped);
            let body = Value::Object(object);
            let (body, cap_note) = cap(body, &key, options.max_bytes);
            let summary_note = summary.map(|fields| {
                format!(
                    "Each of the {key} shows only {}; pass fields (dotted paths) to choose others, or read one in full with its get tool.",
                    fields.join(", ")
                )
            });
            let notes: Vec<String> = summary_note.into_iter().chain(cap_note).collect();
            (body, (!notes.is_empty()).then(|| notes.join(" ")))
        }
        None => {
            let shaped = shape_record(Value::Object(object), options);
            (shaped, None)
        }
    }
}

/// The key holding the records: the only key (besides envelope keys) whose value is an object
/// or an array, as in `{"tickets": [...], "total": 5}` or `{"change": {...}}`.
fn records_key(object: &Map<String, Value>) -> Option<String> {
    let mut candidates = object.iter().filter(|(key, value)| {
        !ENVELOPE_KEYS.contains(&key.as_str()) && (value.is_array() || value.is_object())
    });
    let (key, _) = candidates.next()?;
    candidates.next().is_none().then(|| key.clone())
}

fn summary_fields(key: &str) -> Option<&'static [&'static str]> {
    SUMMARY_FIELDS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, fields)| *fields)
}

fn project_static(record: &Value, fields: &[&str]) -> Value {
    let fields: Vec<String> = fields.iter().map(|field| (*field).to_owned()).collect();
    project(record, &fields)
}

fn shape_record(record: Value, options: &ShapeOptions) -> Value {
    match &options.fields {
        Some(fields) => project(&record, fields),
        None => compact(record, options.include_html),
    }
}

/// Keeps only the dotted paths named (arrays are walked through: `assets.display_id` keeps the
/// `display_id` of every linked asset). Named fields are kept even when empty.
fn project(record: &Value, fields: &[String]) -> Value {
    let mut out = Value::Object(Map::new());
    for field in fields {
        let path: Vec<&str> = field.split('.').filter(|part| !part.is_empty()).collect();
        copy_path(record, &mut out, &path);
    }
    out
}

fn copy_path(source: &Value, target: &mut Value, path: &[&str]) {
    let Some((head, rest)) = path.split_first() else {
        return;
    };
    let Value::Object(source_object) = source else {
        return;
    };
    let Some(value) = source_object.get(*head) else {
        return;
    };
    let Value::Object(target_object) = target else {
        return;
    };
    if rest.is_empty() {
        target_object.insert((*head).to_owned(), value.clone());
        return;
    }
    let slot = target_object
        .entry((*head).to_owned())
        .or_insert_with(|| match value {
            Value::Array(items) => Value::Array(vec![Value::Object(Map::new()); items.len()]),
            _ => Value::Object(Map::new()),
        });
    copy_path_into(value, slot, rest);
}

fn copy_path_into(source: &Value, slot: &mut Value, rest: &[&str]) {
    match (source, slot) {
        (Value::Array(items), Value::Array(slots)) => {
            for (item, slot) in items.iter().zip(slots.iter_mut()) {
                if item.is_object() {
                    copy_path(item, slot, rest);
                }
            }
        }
        (source @ Value::Object(_), slot @ Value::Object(_)) => copy_path(source, slot, rest),
        _ => {}
    }
}

/// Drops empty values and, unless asked, HTML that has a text twin (or turns HTML into text).
fn compact(value: Value, include_html: bool) -> Value {
    match value {
        Value::Object(object) => {
            // Decided on the record as sent, before anything in it is compacted away.
            let html_twins: Vec<bool> = object
                .iter()
                .map(|(key, value)| {
                    !include_html
                        && value.as_str().is_some_and(looks_like_html)
                        && object.contains_key(&format!("{key}_text"))
                })
                .collect();
            let mut out = Map::with_capacity(object.len());
            for ((key, value), html_twin) in object.into_iter().zip(html_twins) {
                if html_twin {
                    continue;
                }
                let value = compact(value, include_html);
                if !is_empty(&value) {
                    out.insert(key, value);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| compact(item, include_html))
                .collect(),
        ),
        Value::String(text) if !include_html && looks_like_html(&text) => {
            Value::String(html_to_text(&text))
        }
        other => other,
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(object) => object.is_empty(),
        _ => false,
    }
}

fn looks_like_html(text: &str) -> bool {
    let Some(open) = text.find('<') else {
        return false;
    };
    let rest = &text[open + 1..];
    rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!')
        && rest.contains('>')
}

/// A plain-text rendering of HTML: tags dropped (block tags become line breaks), the common
/// entities decoded, runs of blank space collapsed.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            text.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close]
            .trim_start_matches('/')
            .to_ascii_lowercase();
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if matches!(
            name.as_str(),
            "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "ul" | "ol" | "table"
        ) {
            text.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    let decoded = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let lines: Vec<String> = decoded
        .lines()
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect();
    lines.join("\n")
}

/// Keeps the answer under `max_bytes` by dropping trailing records, and says so.
/// The length of `value` as compact JSON text, counted without writing the text anywhere.
fn json_len(value: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    // Writing a `Value` to a sink that never fails cannot fail.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}

fn cap(body: Value, key: &str, max_bytes: usize) -> (Value, Option<String>) {
    let size = json_len(&body);
    if max_bytes == 0 || size <= max_bytes {
        return (body, None);
    }
    let Value::Object(mut object) = body else {
        return (body, None);
    };
    let Some(Value::Array(items)) = object.remove(key) else {
        let note = format!(
            "The answer is {size} bytes, above this server's {max_bytes}-byte limit; it was left whole. \
             Pass fields to ask for less."
        );
        return (Value::Object(object), Some(note));
    };
    let total = items.len();
    let overhead = json_len(&Value::Object(object.clone())) + key.len() + 8;
    let mut kept = Vec::new();
    let mut used = overhead;
    for item in items {
        let item_size = json_len(&item) + 1;
        if used + item_size > max_bytes && !kept.is_empty() {
            break;
        }
        used += item_size;
        kept.push(item);
    }
    let note = format!(
        "Showing {} of the {total} {key} on this page: the full answer ({size} bytes) is above this server's \
         {max_bytes}-byte limit. To see the rest, pass fields with only what you need, or a smaller per_page.",
        kept.len()
    );
    object.insert(key.to_owned(), Value::Array(kept));
    (Value::Object(object), Some(note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options(fields: Option<&[&str]>) -> ShapeOptions {
        ShapeOptions {
            fields: fields.map(|fields| fields.iter().map(|f| (*f).to_owned()).collect()),
            include_html: false,
            max_bytes: 100_000,
        }
    }

    #[test]
    fn json_len_is_the_length_of_the_text() {
        for value in [
            json!(null),
            json!({"a": [1, 2.5, "x\"y\u{e9}"], "b": {"c": false}}),
            json!("<p>\n</p>"),
        ] {
            assert_eq!(json_len(&value), value.to_string().len(), "{value}");
        }
    }

    #[test]
    fn compaction_drops_empties_and_html_twins() {
        let body = json!({"conversations": [{"id": 1, "agent_id": null, "tags": [], "description": "<div>Printer <b>down</b></div>",
            "description_text": "Printer down", "note": "<p>a&amp;b</p><p>c</p>", "spam": false}], "total": 1});
        let (shaped, note) = shape(body, &options(None));
        assert_eq!(
            shaped,
            json!({"conversations": [{"id": 1, "description_text": "Printer down", "note": "a&b\nc", "spam": false}], "total": 1})
        );
        assert!(note.is_none());
    }

    #[test]
    fn lists_of_known_modules_show_summaries_and_say_so() {
        let body = json!({"tickets": [{"id": 1, "subject": "Printer", "description_text": "long", "category": "Hardware", "status": 2}]});
        let (shaped, note) = shape(body.clone(), &options(None));
        assert_eq!(
            shaped,
            json!({"tickets": [{"id": 1, "subject": "Printer", "status": 2}]})
        );
        assert!(note.unwrap().contains("pass fields"));
        let (asked, _) = shape(body, &options(Some(&["category"])));
        assert_eq!(asked, json!({"tickets": [{"category": "Hardware"}]}));
        // A single record is never summarised.
        let (one, note) = shape(
            json!({"ticket": {"id": 1, "category": "Hardware"}}),
            &options(None),
        );
        assert_eq!(one, json!({"ticket": {"id": 1, "category": "Hardware"}}));
        assert!(note.is_none());
    }

    #[test]
    fn projection_keeps_named_paths_even_when_empty() {
        let body = json!({"change": {"id": 7, "subject": "VPN", "agent_id": null, "assets": [{"display_id": 1, "name": "a"}, {"display_id": 2}],
            "planning_fields": {"reason_for_change": {"description": "x"}, "rollout_plan": {"description": "y"}}}});
        let (shaped, _) = shape(
            body,
            &options(Some(&[
                "id",
                "agent_id",
                "assets.display_id",
                "planning_fields.rollout_plan",
                "missing.path",
            ])),
        );
        assert_eq!(
            shaped,
            json!({"change": {"id": 7, "agent_id": null, "assets": [{"display_id": 1}, {"display_id": 2}],
            "planning_fields": {"rollout_plan": {"description": "y"}}}})
        );
    }

    #[test]
    fn the_cap_keeps_whole_records_and_says_how_to_get_the_rest() {
        let tickets: Vec<Value> = (0..50)
            .map(|id| json!({"id": id, "subject": "x".repeat(100)}))
            .collect();
        let mut small = options(None);
        small.max_bytes = 1_000;
        let (shaped, note) = shape(json!({"notes": tickets}), &small);
        let kept = shaped["notes"].as_array().unwrap().len();
        assert!(kept > 0 && kept < 50);
        assert!(shaped.to_string().len() <= 1_000);
        let note = note.unwrap();
        assert!(
            note.contains(&format!("Showing {kept} of the 50 notes")) && note.contains("per_page"),
            "{note}"
        );
    }

    #[test]
    fn html_to_text_trials() {
        for (html, text) in [
            ("<div>Hello<br/>world</div>", "Hello\nworld"),
            ("a &lt;b&gt; &amp; c", "a <b> & c"),
            ("<p>  spaced   out </p>", "spaced out"),
            ("no tags", "no tags"),
            ("<unclosed", "<unclosed"),
        ] {
            assert_eq!(html_to_text(html), text, "{html}");
        }
        assert!(looks_like_html("<div>x</div>"));
        assert!(!looks_like_html("a < b and c > d"));
        assert!(!looks_like_html("1 <2"));
    }
}
