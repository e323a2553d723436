//! The inverted index over the catalogue and its BM25F scoring.
//!
//! BM25F is written here (about fifty lines) rather than taken from a crate: the `bm25` crate scores one
//! text per document, and this ranking needs per-field weights and length normalisation, synonym groups
//! that share one IDF, and kind boosts on top, over only a few hundred short documents.

use std::collections::{HashMap, HashSet};

use crate::catalog::{Operation, OperationKind, ParamLocation};

use super::text::Vocabulary;

/// The text fields of an operation, with their weight and length normalisation (`b`).
#[derive(Debug, Clone, Copy)]
enum Field {
    Name,
    Title,
    Heading,
    Tag,
    Description,
    Params,
}

impl Field {
    const ALL: [Field; 6] = [
        Field::Name,
        Field::Title,
        Field::Heading,
        Field::Tag,
        Field::Description,
        Field::Params,
    ];

    /// `(weight, b)`: how much a match counts, and how much a long field dilutes it.
    fn tuning(self) -> (f32, f32) {
        match self {
            Field::Name => (2.0, 0.8),
            Field::Title => (2.0, 0.8),
            Field::Heading => (1.0, 0.5),
            Field::Tag => (1.5, 0.3),
            Field::Description => (0.7, 0.6),
            Field::Params => (0.3, 0.5),
        }
    }
}

/// BM25 term-frequency saturation; high because the field weights add up to several per match.
const K1: f32 = 1.2;

/// Stands for a word of a query phrase that no document holds: it matches nothing but counts in the
/// phrase's length. Its postings list is empty.
pub(super) const NO_TERM: u32 = 0;

/// A parameter-name word shared by more than this share of operations (`workspace`, `page`) is not indexed.
const COMMON_PARAM_SHARE: f32 = 0.15;

/// What an operation does, as the query's kind words see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// Reads a collection.
    List,
    /// Reads one record.
    Get,
    Create,
    Update,
    Delete,
    /// A write that is none of the above (restore, merge, move, approve...).
    Action,
}

/// One indexed operation.
#[derive(Debug)]
pub(super) struct Doc<'a> {
    pub(super) operation: &'a Operation,
    pub(super) class: Class,
    /// The path has a `{placeholder}`: the operation works on a record the caller names by id.
    pub(super) takes_id: bool,
    /// The resource (as a term) of each id the operation takes in its path or its query,
    /// and whether it is a path placeholder: `ticket` for `{ticket_id}`, `entri` for `{time_entry_id}`.
    pub(super) ids: Vec<(u32, bool)>,
    /// The path ends with a `{placeholder}`: the operation works on exactly that record.
    pub(super) targets_one: bool,
    /// Terms of the body parameters of a write (`priority`, `due date`, `planning fields`, `group` of
    /// `group_id`), sorted: the fields a request can set through it.
    pub(super) fields: Vec<u32>,
    /// Terms of the operation's name: a field is only a field where it does not name the operation.
    pub(super) name_terms: Vec<u32>,
    /// Terms of the operation's name after its verb (`ticket`, `approv`, `group` for
    /// `update_freshservice_ticket_approval_groups`), without `id`.
    pub(super) name_content: Vec<u32>,
    /// A write on many records at once, named by a list of ids (`delete_freshservice_software`).
    pub(super) bulk: bool,
    /// A search over free text (`search_term`): words the catalogue does not know are its input.
    pub(super) free_text: bool,
    /// The name holds a qualifier (`legacy`) that only a request saying it deserves.
    pub(super) qualified: Vec<u32>,
}

/// One document's BM25F term score before IDF: the weighted, length-normalised frequency of a term,
/// all fields summed, then saturated.
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    score: f32,
    /// The same without the parameter names: what a kind word ("post", "update") scores, so that it
    /// does not match a parameter such as `posted_on`.
    no_params: f32,
}

/// The index: documents and, per stem, the documents that hold it.
#[derive(Debug)]
pub(super) struct Index<'a> {
    pub(super) docs: Vec<Doc<'a>>,
    terms: HashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
}

/// One query term: a word or phrase of the request with the catalogue phrases it may stand for.
///
/// A document scores the best of the alternatives; an alternative of several words scores the mean of
/// its words, so a document with all of them beats one with some. The concept has one IDF, from the
/// documents that hold every word of some alternative.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Concept {
    /// `(terms, weight)` per alternative; the terms of one alternative are meant together.
    pub(super) alternatives: Vec<(Vec<u32>, f32)>,
    /// How much the concept counts relative to the others of the request.
    pub(super) weight: f32,
    /// Made of kind words only ("post", "delete"): it does not score against parameter names.
    pub(super) verb: bool,
}

impl<'a> Index<'a> {
    pub(super) fn new(operations: &'a [Operation], vocabulary: &Vocabulary) -> Self {
        let params: Vec<Vec<String>> = operations
            .iter()
            .map(|operation| {
                let mut stems: Vec<String> = operation
                    .params
                    .iter()
                    .flat_map(|param| {
                        // What an `include` parameter embeds ("type_fields", "conversations").
                        let embeds = if param.name == "include" {
                            param
                                .schema
                                .get("enum")
                                .and_then(|values| values.as_array())
                                .map(|values| {
                                    values
                                        .iter()
                                        .filter_map(|value| value.as_str())
                                        .collect::<Vec<_>>()
                                        .join(" ")
                                })
                                .unwrap_or_default()
                        } else {
                            String::new()
                        };
                        vocabulary
                            .document_stems(&format!("{} {embeds}", param.name).replace('_', " "))
                    })
                    .collect();
                stems.sort_unstable();
                stems.dedup();
                stems
            })
            .collect();
        let mut param_share: HashMap<&str, usize> = HashMap::new();
        for stems in &params {
            for stem in stems {
                *param_share.entry(stem.as_str()).or_default() += 1;
            }
        }
        let common: HashSet<&str> = param_share
            .into_iter()
            .filter(|(_, count)| *count as f32 > COMMON_PARAM_SHARE * operations.len() as f32)
            .map(|(stem, _)| stem)
            .collect();

        // Stems of every field of every operation.
        let fields: Vec<[Vec<String>; 6]> = operations
            .iter()
            .zip(&params)
            .map(|(operation, params)| {
                [
                    vocabulary.document_stems(&operation.name.replace('_', " ")),
                    vocabulary.document_stems(&operation.title),
                    vocabulary.document_stems(operation.doc_section.as_deref().unwrap_or("")),
                    vocabulary.document_stems(&operation.tag.replace('_', " ")),
                    vocabulary.document_stems(&operation.description),
                    params
                        .iter()
                        .filter(|stem| !common.contains(stem.as_str()))
                        .cloned()
                        .collect(),
                ]
            })
            .collect();
        let mut average = [0.0f32; 6];
        for doc_fields in &fields {
            for (total, stems) in average.iter_mut().zip(doc_fields) {
                *total += stems.len() as f32;
            }
        }
        for total in &mut average {
            *total = (*total / operations.len().max(1) as f32).max(1.0);
        }

        let mut terms: HashMap<String, u32> = HashMap::new();
        // Term 0 is NO_TERM: no stem maps to it and its postings stay empty.
        let mut postings: Vec<Vec<Posting>> = vec![Vec::new()];
        for (doc, doc_fields) in fields.iter().enumerate() {
            // Per stem: the weighted frequency over all fields, and over all but the parameter names.
            let mut weights: HashMap<&str, (f32, f32)> = HashMap::new();
            for ((field, stems), average) in Field::ALL.iter().zip(doc_fields).zip(average) {
                let (field_weight, b) = field.tuning();
                let norm = 1.0 - b + b * stems.len() as f32 / average;
                for stem in stems {
                    let entry = weights.entry(stem.as_str()).or_default();
                    entry.0 += field_weight / norm;
                    if !matches!(field, Field::Params) {
                        entry.1 += field_weight / norm;
                    }
                }
            }
            let mut weights: Vec<(&str, (f32, f32))> = weights.into_iter().collect();
            weights.sort_unstable_by(|a, b| a.0.cmp(b.0));
            let saturate = |weight: f32| weight * (K1 + 1.0) / (K1 + weight);
            for (stem, (weight, no_params)) in weights {
                let next = postings.len() as u32;
                let term = *terms.entry(stem.to_owned()).or_insert(next);
                if term as usize == postings.len() {
                    postings.push(Vec::new());
                }
                postings[term as usize].push(Posting {
                    doc: doc as u32,
                    score: saturate(weight),
                    no_params: saturate(no_params),
                });
            }
        }

        let mut intern = |stem: String, terms: &mut HashMap<String, u32>| -> u32 {
            let next = postings.len() as u32;
            let term = *terms.entry(stem).or_insert(next);
            if term as usize == postings.len() {
                postings.push(Vec::new());
            }
            term
        };
        let qualifiers: Vec<String> = vocabulary.qualifiers.clone();
        let mut docs = Vec::with_capacity(operations.len());
        for (operation, doc_fields) in operations.iter().zip(&fields) {
            let class = class(operation);
            // The fields of a write are its body; those of a list, its query filters.
            let mut field_terms: Vec<u32> = Vec::new();
            let field_location = match class {
                Class::List => Some(ParamLocation::Query),
                Class::Get | Class::Delete => None,
                _ if operation.is_read_only() => None,
                _ => Some(ParamLocation::Body),
            };
            if let Some(location) = field_location {
                for param in &operation.params {
                    if param.location != location {
                        continue;
                    }
                    for stem in vocabulary.document_stems(&param.name.replace('_', " ")) {
                        // A list's paging and workspace parameters filter nothing the request names.
                        let paging = class == Class::List && common.contains(stem.as_str());
                        if stem != "id" && stem != "ids" && !paging {
                            field_terms.push(intern(stem, &mut terms));
                        }
                    }
                }
            }
            field_terms.sort_unstable();
            field_terms.dedup();
            let mut name_terms: Vec<u32> = doc_fields[0]
                .iter()
                .filter_map(|stem| terms.get(stem).copied())
                .collect();
            name_terms.sort_unstable();
            name_terms.dedup();
            let mut name_content: Vec<u32> = vocabulary
                .document_stems(&name_content_words(&operation.name))
                .into_iter()
                .filter(|stem| stem != "id")
                .filter_map(|stem| terms.get(&stem).copied())
                .collect();
            name_content.sort_unstable();
            name_content.dedup();
            let qualified: Vec<u32> = qualifiers
                .iter()
                .filter(|stem| doc_fields[0].contains(stem))
                .filter_map(|stem| terms.get(stem).copied())
                .collect();
            let takes_many_ids = operation.params.iter().any(|param| {
                param.location != ParamLocation::Path
                    && (param.name == "ids" || param.name.ends_with("_ids"))
            });
            let bulk = !operation.is_read_only()
                && !operation.path.ends_with('}')
                && (takes_many_ids || doc_fields[0].iter().any(|stem| stem == "bulk"));
            let free_text = operation
                .params
                .iter()
                .any(|param| param.name == "search_term")
                || operation.name.starts_with("search_");
            let mut ids = Vec::new();
            for param in &operation.params {
                let in_path = param.location == ParamLocation::Path;
                if !(in_path || param.location == ParamLocation::Query) {
                    continue;
                }
                // `ids` and `device_ids` (bulk operations) take ids of many records.
                let Some(resource) = param
                    .name
                    .strip_suffix("_id")
                    .or_else(|| param.name.strip_suffix("_ids"))
                    .or((param.name == "ids").then_some("display"))
                else {
                    continue;
                };
                // `display_id` (assets) and `ids` are ids of the module's own records.
                let resource = if resource == "display" {
                    operation.tag.as_str()
                } else {
                    resource
                };
                let Some(head) = vocabulary.document_stems(&resource.replace('_', " ")).pop()
                else {
                    continue;
                };
                ids.push((intern(head, &mut terms), in_path));
            }
            docs.push(Doc {
                operation,
                class,
                takes_id: operation.path.contains('{'),
                targets_one: operation.path.ends_with('}'),
                ids,
                fields: field_terms,
                name_terms,
                name_content,
                bulk,
                free_text,
                qualified,
            });
        }
        Index {
            docs,
            terms,
            postings,
        }
    }

    /// The term id of an indexed stem.
    pub(super) fn term(&self, stem: &str) -> Option<u32> {
        self.terms.get(stem).copied()
    }

    /// Adds each concept's BM25F score to `scores`.
    pub(super) fn score(&self, concepts: &[Concept], scores: &mut [f32]) {
        let total = self.docs.len() as f32;
        let mut scratch = Scratch::new(self.docs.len());
        for concept in concepts {
            let mut complete = 0usize;
            for (terms, weight) in &concept.alternatives {
                let share = 1.0 / terms.len() as f32;
                for &term in terms {
                    for posting in &self.postings[term as usize] {
                        let doc = posting.doc as usize;
                        let score = if concept.verb {
                            posting.no_params
                        } else {
                            posting.score
                        };
                        if score <= 0.0 {
                            continue;
                        }
                        if scratch.words[doc] == 0 {
                            scratch.touched.push(posting.doc);
                        }
                        scratch.words[doc] += 1;
                        scratch.alternative[doc] += share * score;
                    }
                }
                for &doc in &scratch.touched {
                    let doc = doc as usize;
                    if scratch.best[doc] == 0.0 {
                        scratch.matched.push(doc as u32);
                    }
                    let value = weight * std::mem::take(&mut scratch.alternative[doc]);
                    scratch.best[doc] = scratch.best[doc].max(value);
                    if std::mem::take(&mut scratch.words[doc]) as usize == terms.len()
                        && !scratch.complete[doc]
                    {
                        scratch.complete[doc] = true;
                        complete += 1;
                    }
                }
                scratch.touched.clear();
            }
            // No document holds a whole alternative: fall back to those that hold a part.
            let df = if complete == 0 {
                scratch.matched.len()
            } else {
                complete
            } as f32;
            let idf = (1.0 + (total - df + 0.5) / (df + 0.5)).ln();
            for &doc in &scratch.matched {
                let doc = doc as usize;
                scores[doc] += concept.weight * idf * std::mem::take(&mut scratch.best[doc]);
                scratch.complete[doc] = false;
            }
            scratch.matched.clear();
        }
    }
}

/// Per-search working memory, one slot per document; every slot is back to zero after each concept.
struct Scratch {
    /// The current alternative's score so far.
    alternative: Vec<f32>,
    /// How many words of the current alternative the document holds.
    words: Vec<u16>,
    /// The concept's best alternative score.
    best: Vec<f32>,
    /// The document holds every word of some alternative.
    complete: Vec<bool>,
    /// Documents with a nonzero `alternative` or `words`.
    touched: Vec<u32>,
    /// Documents with a nonzero `best`.
    matched: Vec<u32>,
}

impl Scratch {
    fn new(count: usize) -> Self {
        Scratch {
            alternative: vec![0.0; count],
            words: vec![0; count],
            best: vec![0.0; count],
            complete: vec![false; count],
            touched: Vec::new(),
            matched: Vec::new(),
        }
    }
}

/// The words of an operation's name that say what it works on: its verb (`list_all`, `update`,
/// `create`, the `filter` of `freshservice_tickets_filter`) left out.
fn name_content_words(name: &str) -> String {
    let mut words: Vec<&str> = name.split('_').collect();
    if words.last() == Some(&"filter") {
        words.pop();
    } else if !words.is_empty() {
        words.remove(0);
    }
    words.join(" ")
}

fn class(operation: &Operation) -> Class {
    // A custom operation whose name says its kind is of that kind: `update_freshservice_ticket_approval_groups`,
    // `bulk_create_freshservice_relationships`, `search_freshservice_journey_requests` (a POST that reads).
    let name = operation.name.as_str();
    if operation.kind == OperationKind::Custom {
        if name.starts_with("update_") {
            return Class::Update;
        }
        // Placing a catalogue request creates one.
        if name.starts_with("bulk_create_")
            || name.starts_with("add_")
            || name.starts_with("request_")
        {
            return Class::Create;
        }
        if name.starts_with("search_") {
            return Class::List;
        }
    }
    match operation.kind {
        OperationKind::List => Class::List,
        OperationKind::Get => Class::Get,
        OperationKind::Create => Class::Create,
        OperationKind::Update => Class::Update,
        OperationKind::Delete => Class::Delete,
        // A custom read is still a read, and a custom DELETE (a bulk delete) still deletes; other
        // custom writes (restore, move, merge...) are actions the kind verbs do not name.
        _ if operation.is_read_only() && operation.path.ends_with('}') => Class::Get,
        _ if operation.is_read_only() => Class::List,
        _ if operation.method == http::Method::DELETE => Class::Delete,
        _ => Class::Action,
    }
}
