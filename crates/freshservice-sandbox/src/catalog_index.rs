//! Finds the catalogue operation for a request by method and path template.

use freshservice_schema::Operation;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder(String),
}

/// The catalogue's path templates, split into segments once.
#[derive(Debug)]
pub(crate) struct CatalogIndex {
    entries: Vec<(Vec<Segment>, &'static Operation)>,
}

/// A matched operation and the values of its path placeholders.
#[derive(Debug)]
pub(crate) struct Matched {
    pub(crate) operation: &'static Operation,
    pub(crate) placeholders: Vec<(String, String)>,
    /// The template ends in a fixed word (`/onboarding_requests/form`) rather than a placeholder.
    pub(crate) last_is_literal: bool,
}

impl CatalogIndex {
    pub(crate) fn new(operations: &'static [Operation]) -> Self {
        let entries = operations
            .iter()
            .map(|operation| (split_template(&operation.path), operation))
            .collect();
        CatalogIndex { entries }
    }

    /// The operation for `method` whose template fits `segments` (the path after `/api/v2`).
    /// When several fit, the one with the most literal segments wins, so `/tickets/filter` beats
    /// `/tickets/{ticket_id}`.
    pub(crate) fn find(&self, method: &http::Method, segments: &[&str]) -> Option<Matched> {
        self.entries
            .iter()
            .filter(|(_, operation)| operation.method == *method)
            .filter_map(|(template, operation)| {
                fit(template, segments).map(|literals| (literals, template, *operation))
            })
            .max_by_key(|(literals, _, _)| *literals)
            .map(|(_, template, operation)| Matched {
                operation,
                last_is_literal: matches!(template.last(), Some(Segment::Literal(_))),
                placeholders: template
                    .iter()
                    .zip(segments)
                    .filter_map(|(segment, value)| match segment {
                        Segment::Placeholder(name) => Some((name.clone(), (*value).to_owned())),
                        Segment::Literal(_) => None,
                    })
                    .collect(),
            })
    }

    /// Whether any operation, whatever its method, has a template fitting `segments`.
    pub(crate) fn knows_path(&self, segments: &[&str]) -> bool {
        self.entries
            .iter()
            .any(|(template, _)| fit(template, segments).is_some())
    }
}

/// The path template after `/api/v2`, split into segments.
fn split_template(path: &str) -> Vec<Segment> {
    let path = path.strip_prefix("/api/v2").unwrap_or(path);
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            match segment
                .strip_prefix('{')
                .and_then(|rest| rest.strip_suffix('}'))
            {
                Some(name) => Segment::Placeholder(name.to_owned()),
                None => Segment::Literal(segment.to_owned()),
            }
        })
        .collect()
}

/// The number of literal segments when the template fits, `None` otherwise.
fn fit(template: &[Segment], segments: &[&str]) -> Option<usize> {
    if template.len() != segments.len() {
        return None;
    }
    let mut literals = 0;
    for (segment, value) in template.iter().zip(segments) {
        match segment {
            Segment::Literal(literal) if literal == value => literals += 1,
            Segment::Literal(_) => return None,
            Segment::Placeholder(_) if value.is_empty() => return None,
            Segment::Placeholder(_) => {}
        }
    }
    Some(literals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_segments_win() {
        let index = CatalogIndex::new(freshservice_schema::catalog().operations());
        let check = |method: http::Method, path: &[&str], expected: Option<&str>| {
            let found = index
                .find(&method, path)
                .map(|matched| matched.operation.name.as_str());
            assert_eq!(found, expected, "{method} {path:?}");
        };
        check(
            http::Method::GET,
            &["tickets", "filter"],
            Some("freshservice_tickets_filter"),
        );
        check(
            http::Method::GET,
            &["tickets", "12"],
            Some("get_single_freshservice_ticket_by_id"),
        );
        check(http::Method::DELETE, &["no", "such", "path"], None);
        let matched = index.find(&http::Method::GET, &["tickets", "12"]).unwrap();
        assert_eq!(
            matched.placeholders,
            vec![("ticket_id".to_owned(), "12".to_owned())]
        );
        assert!(index.knows_path(&["tickets", "12"]));
        assert!(!index.knows_path(&["tickets", "12", "nothing"]));
    }
}
