//! Tool search: ranks the catalogue's operations for a request written the way people describe
//! service-desk work ("raise an incident for the broken printer", "who approved the emergency change").
//!
//! Ranking is BM25F over each operation's name, title, documentation heading, module tag, description and
//! parameter names, with the words of the request first mapped to the catalogue's words by the
//! vocabulary in `data/search/vocabulary.json` (synonyms, phrases, stop words, kind verbs). The kind the
//! request asks for (read, create, update, delete; one record or many) then boosts the operations of that
//! kind and damps the others; it never filters.

mod index;
mod query;
mod text;

use std::sync::OnceLock;

use crate::catalog::{Catalog, Operation};

use self::index::{Class, Index};
use self::query::Query;
use self::text::{Hint, Vocabulary};

/// The built-in vocabulary, embedded like the catalogue data.
const VOCABULARY: &str = include_str!("../../data/search/vocabulary.json");

/// Boost for an operation of the kind the request asks for, per unit of hint strength.
const KIND_BOOST: f32 = 0.35;
/// Damping for an operation of another kind than the request asks for.
const KIND_PENALTY: f32 = 0.35;
/// Boost (and damping) for reading one record vs many, per unit of hint strength.
const SHAPE_BOOST: f32 = 0.15;
/// Boost for an operation that takes the id of the resource the request gives an id for ("ticket 4521"),
/// damping for one that takes none of the ids given.
const ID_MATCH: f32 = 0.3;
/// Damping for each record id an operation's path needs that the request does not give.
const ID_MISSING: f32 = 0.15;
/// Boost for reads when the request says nothing about the kind: reading is the safe guess.
const READ_PRIOR: f32 = 0.1;

/// An index over a catalogue's operations, built once; [`search`](Self::search) ranks them for a request.
#[derive(Debug)]
pub struct ToolSearch<'a> {
    vocabulary: Vocabulary,
    index: Index<'a>,
}

/// One ranked operation.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SearchHit<'a> {
    /// The operation; its `name` is the tool name.
    pub operation: &'a Operation,
    /// Relevance, higher is better; only comparable within one search.
    pub score: f32,
}

impl<'a> ToolSearch<'a> {
    /// Indexes every operation of `catalog` with the built-in vocabulary.
    pub fn new(catalog: &'a Catalog) -> Self {
        // The embedded vocabulary is parsed by the unit tests, so this cannot fail for a build whose tests pass.
        let vocabulary = Vocabulary::from_json(VOCABULARY).expect(
            "the committed vocabulary parses; `cargo test -p freshservice-schema search` shows why not",
        );
        let index = Index::new(catalog.operations(), &vocabulary);
        ToolSearch { vocabulary, index }
    }

    /// The `limit` best operations for `query` among those `allowed` accepts, best first. Operations
    /// that share no word with the request are left out, so the result may be shorter than `limit` or
    /// empty. Equal scores are ordered by shorter name, then by name.
    pub fn search(
        &self,
        query: &str,
        allowed: impl Fn(&Operation) -> bool,
        limit: usize,
    ) -> Vec<SearchHit<'a>> {
        if limit == 0 {
            return Vec::new();
        }
        let query = query::analyse(query, &self.vocabulary, &self.index);
        let count = self.index.docs.len();
        let mut scores = vec![0.0f32; count];
        self.index.score(&query.concepts, &mut scores);
        let mut hits: Vec<SearchHit<'a>> = self
            .index
            .docs
            .iter()
            .zip(scores)
            .filter(|(_, score)| *score > 0.0)
            .filter(|(doc, _)| allowed(doc.operation))
            .map(|(doc, score)| SearchHit {
                operation: doc.operation,
                score: score * kind_factor(&query, doc),
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.operation.name.len().cmp(&b.operation.name.len()))
                .then_with(|| a.operation.name.cmp(&b.operation.name))
        });
        hits.truncate(limit);
        hits
    }
}

/// How well the operation's kind fits what the request asks for (1 when the request says nothing).
fn kind_factor(query: &Query, doc: &index::Doc<'_>) -> f32 {
    let read = query.hint(Hint::Read);
    let create = query.hint(Hint::Create);
    let update = query.hint(Hint::Update);
    let delete = query.hint(Hint::Delete);
    let strongest = read.max(create).max(update).max(delete);
    let (fit, misfit) = match doc.class {
        Class::List | Class::Get => (read, strongest - read),
        Class::Create => (create, strongest - create),
        Class::Update => (update, strongest - update),
        Class::Delete => (delete, strongest - delete),
        // Restore, merge, approve...: a write, but not one the kind verbs name exactly.
        Class::Action => (0.5 * update, 0.5 * (strongest - update)),
    };
    let mut factor = 1.0 + KIND_BOOST * fit - KIND_PENALTY * misfit;
    let reads = matches!(doc.class, Class::List | Class::Get);
    if strongest == 0.0 && reads {
        factor *= 1.0 + READ_PRIOR;
    }
    if !query.ids.is_empty() {
        let given = |term: u32| query.ids.iter().any(|resource| resource.contains(&term));
        let matched = doc.ids.iter().any(|&(term, _)| given(term));
        let missing = doc
            .ids
            .iter()
            .filter(|&&(term, in_path)| in_path && !given(term))
            .count();
        factor *= if matched {
            1.0 + ID_MATCH
        } else {
            1.0 - ID_MATCH
        };
        factor *= (1.0 - ID_MISSING).powi(missing.min(2) as i32);
    }
    let one = query.hint(Hint::One);
    let many = query.hint(Hint::List);
    factor *= if doc.takes_id {
        1.0 + SHAPE_BOOST * one
    } else {
        1.0 - SHAPE_BOOST * one
    };
    if doc.class == Class::List {
        factor *= 1.0 + SHAPE_BOOST * many;
    } else if doc.class == Class::Get && doc.targets_one {
        factor *= 1.0 - SHAPE_BOOST * many;
    }
    factor.max(0.05)
}

/// The search over the built-in [`catalog()`](crate::catalog), built on first use and shared afterwards.
pub fn tool_search() -> &'static ToolSearch<'static> {
    static SEARCH: OnceLock<ToolSearch<'static>> = OnceLock::new();
    SEARCH.get_or_init(|| ToolSearch::new(crate::catalog()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(query: &str, count: usize) -> Vec<&'static str> {
        tool_search()
            .search(query, |_| true, count)
            .iter()
            .map(|hit| hit.operation.name.as_str())
            .collect()
    }

    #[track_caller]
    fn check_first(query: &str, want: &str) {
        let got = top(query, 5);
        assert_eq!(
            got.first().copied(),
            Some(want),
            "{query:?} ranked {got:#?}"
        );
    }

    #[test]
    fn vocabulary_parses() {
        let vocabulary = Vocabulary::from_json(VOCABULARY).unwrap();
        assert!(vocabulary.longest_phrase >= 3);
        assert!(vocabulary.is_stop_word("the"));
    }

    #[test]
    fn the_reported_requests_rank_the_right_tool_first() {
        for (query, want) in [
            (
                "list the workspaces on this account",
                "list_all_freshservice_workspaces",
            ),
            (
                "search the knowledge base for password reset",
                "search_freshservice_solution_articles",
            ),
            (
                "who approved the emergency change",
                "list_all_freshservice_change_approvals",
            ),
            (
                "raise a new incident for the broken printer",
                "create_a_freshservice_ticket",
            ),
        ] {
            check_first(query, want);
        }
    }
}
