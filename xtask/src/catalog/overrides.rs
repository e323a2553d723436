//! Hand corrections kept in `data/overrides.json`, applied on every import so a re-import keeps them.
//!
//! Shape (every entry carries a `reason`):
//!
//! ```text
//! {
//!   "records": {                      // fixes to a record's method/path line, by record index
//!     "240": {"title": "...", "method": "get", "path": "/api/v2/...", "reason": "..."}
//!   },
//!   "operations": {                   // by operation key: "METHOD /template[?key=value|?key=]"
//!     "GET /api/v2/tickets/{ticket_id}": {
//!       "reason": "...",
//!       "hold": "reason to hold it back",
//!       "replace": { whole operation },          // also adds an operation whose key is not derived (needs "tag")
//!       "tag": "tickets",
//!       "patch": {"name": "...", "title": "...", "description": "...", "kind": "...", "notes": "..."},
//!       "params": {"<name>": {field keys to merge} | null},   // null removes the parameter
//!       "add_params": [ {field} ],
//!       "samples": {"skip": "reason"} | {"skip_matching": {"<url or body part>": "reason"}} | {"unwrap": "<body key>"}
//!                  | {"drop": {"<body key>": "reason"}} | {"invalid_json": "reason"}
//!     }
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use super::derive::Draft;

/// The parsed overrides file.
#[derive(Debug, Default)]
pub(crate) struct Overrides {
    pub(crate) records: BTreeMap<usize, RecordFix>,
    pub(crate) operations: BTreeMap<String, OperationFix>,
}

/// A corrected method/path line.
#[derive(Debug, Clone)]
pub(crate) struct RecordFix {
    pub(crate) title: String,
    pub(crate) method: Option<String>,
    pub(crate) path: Option<String>,
}

/// Corrections to one operation.
#[derive(Debug, Clone, Default)]
pub(crate) struct OperationFix {
    pub(crate) hold: Option<String>,
    pub(crate) replace: Option<Value>,
    pub(crate) tag: Option<String>,
    pub(crate) patch: Map<String, Value>,
    pub(crate) params: Map<String, Value>,
    pub(crate) add_params: Vec<Value>,
    pub(crate) samples: SampleFix,
}

/// What to do with an operation's samples.
#[derive(Debug, Clone, Default)]
pub(crate) struct SampleFix {
    /// Skip every sample, with the reason.
    pub(crate) skip: Option<String>,
    /// Skip samples whose URL or body contains the key, with the reason.
    pub(crate) skip_matching: BTreeMap<String, String>,
    /// Take the body from inside this key (the sample wraps the fields in an object the tables do not have).
    pub(crate) unwrap: Option<String>,
    /// Skip samples whose body is not valid JSON, with the reason (the others are still checked).
    pub(crate) invalid_json: Option<String>,
    /// Body keys to leave out of the sample (it sends a field the operation does not take), with reasons.
    pub(crate) drop: BTreeMap<String, String>,
}

pub(crate) fn load(path: &Path) -> Result<Overrides> {
    if !path.exists() {
        return Ok(Overrides::default());
    }
    let value: Value = serde_json::from_str(&crate::read(path)?)
        .with_context(|| format!("parsing {}", path.display()))?;
    let mut overrides = Overrides::default();
    let Value::Object(root) = value else {
        bail!("{}: the top level must be an object", path.display());
    };
    for (key, value) in root {
        match key.as_str() {
            "records" => {
                for (index, fix) in value.as_object().into_iter().flatten() {
                    let index: usize = index.parse().with_context(|| {
                        format!("overrides: record key `{index}` is not an index")
                    })?;
                    require_reason(&format!("record {index}"), fix)?;
                    overrides.records.insert(
                        index,
                        RecordFix {
                            title: fix["title"].as_str().unwrap_or_default().to_owned(),
                            method: fix["method"].as_str().map(str::to_uppercase),
                            path: fix["path"].as_str().map(str::to_owned),
                        },
                    );
                }
            }
            "operations" => {
                for (key, fix) in value.as_object().into_iter().flatten() {
                    require_reason(key, fix)?;
                    overrides
                        .operations
                        .insert(key.clone(), operation_fix(key, fix)?);
                }
            }
            other => bail!("overrides: unknown section `{other}`; use records or operations"),
        }
    }
    Ok(overrides)
}

fn require_reason(what: &str, fix: &Value) -> Result<()> {
    if fix["reason"].as_str().is_none_or(str::is_empty) {
        bail!("overrides: `{what}` needs a non-empty `reason`");
    }
    Ok(())
}

fn operation_fix(key: &str, fix: &Value) -> Result<OperationFix> {
    let mut out = OperationFix::default();
    for (name, value) in fix.as_object().into_iter().flatten() {
        match name.as_str() {
            "reason" => {}
            "hold" => out.hold = value.as_str().map(str::to_owned),
            "replace" => out.replace = Some(value.clone()),
            "tag" => out.tag = value.as_str().map(str::to_owned),
            "patch" => out.patch = value.as_object().cloned().unwrap_or_default(),
            "params" => out.params = value.as_object().cloned().unwrap_or_default(),
            "add_params" => out.add_params = value.as_array().cloned().unwrap_or_default(),
            "samples" => {
                for (sample_key, sample_value) in value.as_object().into_iter().flatten() {
                    let text = || sample_value.as_str().map(str::to_owned);
                    let reasons = || -> BTreeMap<String, String> {
                        sample_value
                            .as_object()
                            .into_iter()
                            .flatten()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                            .collect()
                    };
                    match sample_key.as_str() {
                        "skip" => out.samples.skip = text(),
                        "unwrap" => out.samples.unwrap = text(),
                        "invalid_json" => out.samples.invalid_json = text(),
                        "skip_matching" => out.samples.skip_matching = reasons(),
                        "drop" => out.samples.drop = reasons(),
                        other => {
                            bail!("overrides: operation `{key}` has unknown samples key `{other}`")
                        }
                    }
                }
            }
            other => bail!("overrides: operation `{key}` has unknown key `{other}`"),
        }
    }
    Ok(out)
}

/// Apply operation fixes to the drafts; returns the keys of fixes that matched nothing derived and added
/// nothing, so stale entries are noticed.
pub(crate) fn apply(drafts: &mut Vec<Draft>, overrides: &Overrides) -> Result<Vec<String>> {
    let mut unused = Vec::new();
    for (key, fix) in &overrides.operations {
        let position = drafts.iter().position(|draft| draft.key == *key);
        let draft = match position {
            Some(position) => &mut drafts[position],
            None => {
                let (Some(replace), Some(tag)) = (&fix.replace, &fix.tag) else {
                    unused.push(key.clone());
                    continue;
                };
                drafts.push(Draft {
                    key: key.clone(),
                    tag: tag.clone(),
                    spec: replace.clone(),
                    samples: Vec::new(),
                    records: Vec::new(),
                    hold: Vec::new(),
                });
                continue;
            }
        };
        if let Some(replace) = &fix.replace {
            draft.spec = replace.clone();
            // A whole replacement is the hand-checked truth; derived doubts no longer apply.
            draft.hold.clear();
        }
        if let Some(tag) = &fix.tag {
            draft.tag = tag.clone();
        }
        let Value::Object(spec) = &mut draft.spec else {
            bail!("operation `{key}` is not an object");
        };
        for (field, value) in &fix.patch {
            if value.is_null() {
                spec.remove(field);
            } else {
                spec.insert(field.clone(), value.clone());
            }
        }
        if !fix.params.is_empty() || !fix.add_params.is_empty() {
            let params = spec
                .entry("params")
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(list) = params else {
                bail!("operation `{key}`: params is not a list");
            };
            for (name, patch) in &fix.params {
                let found = list.iter().position(|param| {
                    param["name"].as_str() == Some(name) || param["ref"].as_str() == Some(name)
                });
                let Some(found) = found else {
                    bail!("overrides: operation `{key}` has no parameter `{name}` to patch");
                };
                if patch.is_null() {
                    list.remove(found);
                    continue;
                }
                let Value::Object(target) = &mut list[found] else {
                    continue;
                };
                for (field, value) in patch.as_object().into_iter().flatten() {
                    if value.is_null() {
                        target.remove(field);
                    } else {
                        target.insert(field.clone(), value.clone());
                    }
                }
            }
            list.extend(fix.add_params.iter().cloned());
            // Derived doubts about parameters that were just fixed no longer hold.
            draft.hold.retain(|reason| {
                !fix.params
                    .keys()
                    .any(|name| reason.contains(&format!("`{name}`")))
            });
        }
        if let Some(reason) = &fix.hold {
            draft.hold.push(reason.clone());
        }
    }
    Ok(unused)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn draft(key: &str, spec: Value) -> Draft {
        Draft {
            key: key.to_owned(),
            tag: "things".to_owned(),
            spec,
            samples: Vec::new(),
            records: vec![1],
            hold: vec!["parameter `colour` has no documented type".to_owned()],
        }
    }

    fn fixes(value: Value) -> Overrides {
        let mut overrides = Overrides::default();
        for (key, fix) in value.as_object().unwrap() {
            overrides
                .operations
                .insert(key.clone(), operation_fix(key, fix).unwrap());
        }
        overrides
    }

    #[test]
    fn patches_params_and_adds_replacements() {
        let mut drafts = vec![draft(
            "GET /api/v2/things",
            json!({"name": "list_all_freshservice_things", "params": [
                {"name": "colour", "in": "query"}, {"name": "size", "in": "query", "type": "integer"}]}),
        )];
        let overrides = fixes(json!({
            "GET /api/v2/things": {"reason": "r", "patch": {"title": "Things"},
                "params": {"colour": {"type": "string"}, "size": null}},
            "GET /api/v2/things?query=": {"reason": "r", "tag": "things", "replace": {"name": "freshservice_things_filter"}},
            "GET /api/v2/nothing": {"reason": "r", "params": {"x": null}},
        }));
        let unused = apply(&mut drafts, &overrides).unwrap();
        assert_eq!(unused, ["GET /api/v2/nothing"]);
        assert_eq!(drafts[0].spec["title"], "Things");
        assert_eq!(
            drafts[0].spec["params"],
            json!([{"name": "colour", "in": "query", "type": "string"}])
        );
        assert!(
            drafts[0].hold.is_empty(),
            "fixing the parameter clears its doubt"
        );
        assert_eq!(drafts[1].spec["name"], "freshservice_things_filter");
        assert_eq!(drafts[1].tag, "things");
    }

    #[test]
    fn holds_and_rejects_unknown_parameters() {
        let mut drafts = vec![draft(
            "GET /api/v2/things",
            json!({"name": "n", "params": []}),
        )];
        let held = fixes(json!({"GET /api/v2/things": {"reason": "r", "hold": "not yet"}}));
        apply(&mut drafts, &held).unwrap();
        assert!(drafts[0].hold.contains(&"not yet".to_owned()));
        let missing =
            fixes(json!({"GET /api/v2/things": {"reason": "r", "params": {"ghost": {}}}}));
        let error = apply(&mut drafts, &missing).unwrap_err().to_string();
        assert!(error.contains("no parameter `ghost`"), "{error}");
    }

    #[test]
    fn entries_need_reasons_and_known_keys() {
        assert!(require_reason("k", &json!({})).is_err());
        assert!(require_reason("k", &json!({"reason": "why"})).is_ok());
        let error = operation_fix("k", &json!({"reason": "r", "colour": 1})).unwrap_err();
        assert!(error.to_string().contains("unknown key `colour`"));
        let error =
            operation_fix("k", &json!({"reason": "r", "samples": {"maybe": 1}})).unwrap_err();
        assert!(error.to_string().contains("unknown samples key `maybe`"));
    }
}
