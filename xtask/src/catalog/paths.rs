//! Documented paths: repair the scrape's placeholder spellings, name every placeholder, and work out what the
//! path addresses (a record, a collection, a singleton or an action) so one naming rule can apply.

use super::words::{self, Noun};

/// One segment of a documented path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    /// A placeholder with the name the documentation gave it.
    Placeholder(String),
}

/// A query pair written in a documented path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QueryValue {
    /// `key=[name]`: a parameter.
    Placeholder,
    /// `key=value`: a fixed value (e.g. `operation=approve`) or a sample value.
    Literal(String),
}

/// A documented path, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocPath {
    pub(crate) segments: Vec<Segment>,
    pub(crate) query: Vec<(String, QueryValue)>,
}

/// Parse a path line such as `/api/v2/tickets/[id]`, `api/v2/cabs/[id]` or
/// `/api/v2/solutions/folders?category_id={id}`, repairing the known scrape damage.
pub(crate) fn parse(raw: &str) -> Option<DocPath> {
    // `&order_by` was read as the HTML entity `&order;` followed by `_by`.
    let text = raw.trim().replace('ℴ', "&order");
    let start = text.find("api/v2")?;
    let mut rest = text[start + "api/v2".len()..].to_owned();
    // One filter path is written `workspaces/query=[query]`.
    if !rest.contains('?')
        && let Some(position) = rest.find("/query=")
    {
        rest.replace_range(position..position + 1, "?");
    }
    let (path, query) = rest.split_once('?').unwrap_or((&rest, ""));
    let mut segments = Vec::new();
    for piece in path.split('/').filter(|piece| !piece.is_empty()) {
        let trimmed = piece.trim_matches(|c| matches!(c, '[' | ']' | '{' | '}'));
        let bracketed = piece != trimmed;
        if trimmed.is_empty() {
            return None;
        }
        // `onboarding_requests/id` uses a bare `id` for the placeholder.
        if bracketed || trimmed == "id" {
            segments.push(Segment::Placeholder(trimmed.to_owned()));
        } else {
            segments.push(Segment::Literal(trimmed.to_owned()));
        }
    }
    let query = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = if value.starts_with(['[', '{']) {
                QueryValue::Placeholder
            } else {
                QueryValue::Literal(value.to_owned())
            };
            (key.to_owned(), value)
        })
        .collect();
    Some(DocPath { segments, query })
}

/// How a path placeholder is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlaceholderKind {
    /// A numeric record ID.
    Id,
    /// A numeric display ID (assets, service items).
    DisplayId,
    /// The module name of a project association (`tickets`, `problems`, ...).
    ModuleName,
}

/// A named path placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathParam {
    pub(crate) name: String,
    /// Words for the record it identifies, e.g. `ticket` or `time entry`.
    pub(crate) of: String,
    pub(crate) kind: PlaceholderKind,
}

/// What a path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// One record: the path ends with its ID.
    Item(Noun),
    /// A plural collection.
    Collection(Noun),
    /// A singular resource without an ID (a form, a rule, a response).
    Singleton(Noun),
    /// An action on one record.
    ItemAction(&'static words::Action, Noun),
    /// An action on a whole collection.
    CollectionAction(&'static words::Action, Noun),
}

impl Target {
    pub(crate) fn noun(&self) -> &Noun {
        match self {
            Target::Item(noun)
            | Target::Collection(noun)
            | Target::Singleton(noun)
            | Target::ItemAction(_, noun)
            | Target::CollectionAction(_, noun) => noun,
        }
    }
}

/// A path with named placeholders and its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shaped {
    /// `/api/v2/...` with `{name}` placeholders.
    pub(crate) template: String,
    pub(crate) params: Vec<PathParam>,
    pub(crate) target: Target,
}

fn noun(parent: Option<&Noun>, prefix: Option<&str>, run: &[String]) -> Noun {
    let mut parts: Vec<String> = Vec::new();
    for (index, element) in run.iter().enumerate() {
        if index + 1 == run.len() {
            parts.push(element.clone());
        } else {
            parts.push(words::singular(element));
        }
    }
    let last = parts.pop().unwrap_or_default();
    let head = parts.join("_");
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_owned()
        } else {
            format!("{a}_{b}")
        }
    };
    let (leaf_singular, leaf_plural) = if words::is_plural(&last) {
        (join(&head, &words::singular(&last)), join(&head, &last))
    } else {
        (join(&head, &last), join(&head, &words::plural(&last)))
    };
    // A scope prefix (`oncall`) names only the first resource under it.
    let prefix = if parent.is_none() {
        prefix.unwrap_or("")
    } else {
        ""
    };
    let leaf_singular = join(prefix, &leaf_singular);
    let leaf_plural = join(prefix, &leaf_plural);
    match parent {
        Some(parent) => Noun {
            singular: format!("{}_{leaf_singular}", parent.singular),
            plural: format!("{}_{leaf_plural}", parent.singular),
            leaf: leaf_singular,
            leaf_plural,
            parent: Some(parent.singular.clone()),
        },
        None => Noun {
            singular: leaf_singular.clone(),
            plural: leaf_plural.clone(),
            leaf: leaf_singular,
            leaf_plural,
            parent: None,
        },
    }
}

/// Name the placeholders and find the target.
///
/// # Errors
///
/// A message when the path has no resource segment or repeats a placeholder name.
pub(crate) fn shape(path: &DocPath) -> Result<Shaped, String> {
    let segments = &path.segments;
    let mut index = 0;
    // Silent family prefixes (`pm`, `ams`) take no part in names.
    let mut after_pm = false;
    while let Some(Segment::Literal(literal)) = segments.get(index) {
        if words::SILENT_PREFIXES.contains(&literal.as_str()) {
            after_pm |= literal == "pm";
            index += 1;
        } else {
            break;
        }
    }
    let mut template = String::from("/api/v2");
    for segment in &segments[..index] {
        if let Segment::Literal(literal) = segment {
            template.push('/');
            template.push_str(literal);
        }
    }
    let mut params: Vec<PathParam> = Vec::new();
    let mut parent: Option<Noun> = None;
    let mut prefix: Option<String> = None;
    let mut first = true;
    let mut target = None;
    while index < segments.len() {
        let mut run = Vec::new();
        while let Some(Segment::Literal(literal)) = segments.get(index) {
            template.push('/');
            template.push_str(literal);
            run.push(words::rename_segment(
                literal,
                first && run.is_empty(),
                after_pm,
            ));
            index += 1;
        }
        first = false;
        let next = segments.get(index);
        let at_end = next.is_none();
        if run == ["oncall", "ws"]
            && let Some(Segment::Placeholder(_)) = next
        {
            prefix = Some("oncall".to_owned());
            push_param(
                &mut params,
                &mut template,
                "workspace_id",
                "workspace",
                PlaceholderKind::Id,
            )?;
            index += 1;
            continue;
        }
        if run.is_empty() {
            // A placeholder right after a placeholder: only the project association module name.
            let Some(Segment::Placeholder(doc_name)) = next else {
                return Err("empty path".to_owned());
            };
            if doc_name != "module_name" {
                return Err(format!(
                    "placeholder [{doc_name}] follows another placeholder"
                ));
            }
            let association = noun(parent.as_ref(), None, &["associations".to_owned()]);
            push_param(
                &mut params,
                &mut template,
                "module_name",
                "module",
                PlaceholderKind::ModuleName,
            )?;
            index += 1;
            if let Some(Segment::Placeholder(_)) = segments.get(index) {
                push_param(
                    &mut params,
                    &mut template,
                    "association_id",
                    "associated record",
                    PlaceholderKind::Id,
                )?;
                index += 1;
                if index == segments.len() {
                    target = Some(Target::Item(association.clone()));
                }
                parent = Some(association);
            } else if index == segments.len() {
                target = Some(Target::Collection(association));
            }
            continue;
        }
        if at_end {
            let last = run.last().cloned().unwrap_or_default();
            if run.len() == 1
                && let Some(parent_noun) = &parent
                && let Some(action) = words::action(&last)
            {
                target = Some(Target::ItemAction(action, parent_noun.clone()));
                break;
            }
            if run.len() > 1
                && let Some(action) = words::collection_action(&last)
            {
                let base = noun(parent.as_ref(), prefix.as_deref(), &run[..run.len() - 1]);
                target = Some(Target::CollectionAction(action, base));
                break;
            }
            let resource = noun(parent.as_ref(), prefix.as_deref(), &run);
            target = Some(if words::is_plural(&last) {
                Target::Collection(resource)
            } else {
                Target::Singleton(resource)
            });
            break;
        }
        let resource = noun(parent.as_ref(), prefix.as_deref(), &run);
        let Some(Segment::Placeholder(doc_name)) = next else {
            return Err("unexpected segment".to_owned());
        };
        let (name, kind) = match doc_name.as_str() {
            "display_id" => ("display_id".to_owned(), PlaceholderKind::DisplayId),
            _ => {
                let own = resource
                    .leaf
                    .strip_prefix("oncall_")
                    .unwrap_or(&resource.leaf)
                    .to_owned();
                (format!("{own}_id"), PlaceholderKind::Id)
            }
        };
        let of = words::spaced(
            resource
                .leaf
                .strip_prefix("oncall_")
                .unwrap_or(&resource.leaf),
        );
        push_param(&mut params, &mut template, &name, &of, kind)?;
        index += 1;
        if index == segments.len() {
            target = Some(Target::Item(resource.clone()));
        }
        parent = Some(resource);
    }
    let target = target.ok_or_else(|| "no resource in the path".to_owned())?;
    Ok(Shaped {
        template,
        params,
        target,
    })
}

fn push_param(
    params: &mut Vec<PathParam>,
    template: &mut String,
    name: &str,
    of: &str,
    kind: PlaceholderKind,
) -> Result<(), String> {
    if params.iter().any(|param| param.name == name) {
        return Err(format!("placeholder name `{name}` would repeat"));
    }
    template.push_str("/{");
    template.push_str(name);
    template.push('}');
    params.push(PathParam {
        name: name.to_owned(),
        of: of.to_owned(),
        kind,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, template: &str, target: &str) {
        let shaped = shape(&parse(raw).unwrap()).unwrap();
        assert_eq!(shaped.template, template, "{raw}");
        let described = match &shaped.target {
            Target::Item(noun) => format!("item {}", noun.singular),
            Target::Collection(noun) => format!("collection {}", noun.plural),
            Target::Singleton(noun) => format!("singleton {}", noun.singular),
            Target::ItemAction(action, noun) => format!("{} {}", action.segment, noun.singular),
            Target::CollectionAction(action, noun) => {
                format!("{} {}", action.segment, noun.plural)
            }
        };
        assert_eq!(described, target, "{raw}");
    }

    #[test]
    fn shapes() {
        check(
            "/api/v2/tickets/[id]",
            "/api/v2/tickets/{ticket_id}",
            "item ticket",
        );
        check(
            "/api/v2/tickets/[ticket_id]/time_entries/[id]",
            "/api/v2/tickets/{ticket_id}/time_entries/{time_entry_id}",
            "item ticket_time_entry",
        );
        check("api/v2/cabs", "/api/v2/cabs", "collection cabs");
        check(
            "/api/v2/tickets/filter?query=[query]",
            "/api/v2/tickets/filter",
            "filter tickets",
        );
        check(
            "/api/v2/tickets/id]/csat_response",
            "/api/v2/tickets/{ticket_id}/csat_response",
            "singleton ticket_csat_response",
        );
        check(
            "/api/v2/problems/[id]/restore",
            "/api/v2/problems/{problem_id}/restore",
            "restore problem",
        );
        check(
            "/api/v2/assets/[display_id]/components/[component_id]",
            "/api/v2/assets/{display_id}/components/{component_id}",
            "item asset_component",
        );
        check(
            "/api/v2/pm/projects/[project_id]/task/[id]",
            "/api/v2/pm/projects/{project_id}/task/{task_id}",
            "item project_task",
        );
        check(
            "/api/v2/pm/projects/[project_id]/[module_name]/[id]",
            "/api/v2/pm/projects/{project_id}/{module_name}/{association_id}",
            "item project_association",
        );
        check(
            "/api/v2/projects/[id]/tasks",
            "/api/v2/projects/{legacy_project_id}/tasks",
            "collection legacy_project_tasks",
        );
        check(
            "/api/v2/oncall/ws/[workspace_id]/schedules/[schedule_id]/shifts",
            "/api/v2/oncall/ws/{workspace_id}/schedules/{schedule_id}/shifts",
            "collection oncall_schedule_shifts",
        );
        check(
            "/api/v2/onboarding_requests/id/tickets",
            "/api/v2/onboarding_requests/{onboarding_request_id}/tickets",
            "collection onboarding_request_tickets",
        );
        check(
            "/api/v2/applications/",
            "/api/v2/applications",
            "collection software",
        );
        check(
            "/api/v2/solutions/categories/{id}",
            "/api/v2/solutions/categories/{solution_category_id}",
            "item solution_category",
        );
        check(
            "api/v2/workspaces/query=[query]",
            "/api/v2/workspaces",
            "collection workspaces",
        );
        check(
            "/api/v2/relationships/bulk-create",
            "/api/v2/relationships/bulk-create",
            "bulk-create relationships",
        );
    }

    #[test]
    fn query_pairs() {
        let path = parse("/api/v2/contracts/[contract_id]?operation=approve").unwrap();
        assert_eq!(
            path.query,
            [(
                "operation".to_owned(),
                QueryValue::Literal("approve".to_owned())
            )]
        );
        let alerts =
            parse("/api/v2/ams/alerts?query=[query]ℴ_by=[order_by_field]&page=[page]").unwrap();
        let keys: Vec<&str> = alerts.query.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["query", "order_by", "page"]);
    }
}
