//! The inverted index over the catalogue and its BM25F scoring.
//!
//! BM25F is written here (about fifty lines) rather than taken from a crate: the `bm25` crate scores one
//! text per document, and this ranking needs per-field weights and length normalisation, synonym groups
//! that share one IDF, and kind boosts on top, over only a few hundred short documents.

use std::collections::{HashMap, HashSet};

use crate::catalog::{Operation, OperationKind};

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
            Field::Name => (2.0, 0.6),
            Field::Title => (2.0, 0.6),
            Field::Heading => (1.0, 0.5),
            Field::Tag => (1.5, 0.3),
            Field::Description => (0.7, 0.6),
            Field::Params => (0.3, 0.5),
        }
    }
}

/// BM25 term-frequency saturation.
const K1: f32 = 1.2;

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
    /// The path ends with a `{placeholder}`: the operation works on exactly that record.
    pub(super) targets_one: bool,
}

/// One document's weighted, length-normalised frequency of a term, all fields summed.
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    weight: f32,
}

/// The index: documents and, per stem, the documents that hold it.
#[derive(Debug)]
pub(super) struct Index<'a> {
    pub(super) docs: Vec<Doc<'a>>,
    terms: HashMap<String, u32>,
    postings: Vec<Vec<Posting>>,
}

/// A group of stems that count as one query term (a word with its synonyms), with the weight of each.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Concept {
    pub(super) members: Vec<(u32, f32)>,
}

impl<'a> Index<'a> {
    pub(super) fn new(operations: &'a [Operation], vocabulary: &Vocabulary) -> Self {
        let params: Vec<Vec<String>> = operations
            .iter()
            .map(|operation| {
                let mut stems: Vec<String> = operation
                    .params
                    .iter()
                    .flat_map(|param| vocabulary.document_stems(&param.name.replace('_', " ")))
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
        let mut postings: Vec<Vec<Posting>> = Vec::new();
        for (doc, doc_fields) in fields.iter().enumerate() {
            let mut weights: HashMap<&str, f32> = HashMap::new();
            for ((field, stems), average) in Field::ALL.iter().zip(doc_fields).zip(average) {
                let (field_weight, b) = field.tuning();
                let norm = 1.0 - b + b * stems.len() as f32 / average;
                for stem in stems {
                    *weights.entry(stem.as_str()).or_default() += field_weight / norm;
                }
            }
            let mut weights: Vec<(&str, f32)> = weights.into_iter().collect();
            weights.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (stem, weight) in weights {
                let next = terms.len() as u32;
                let term = *terms.entry(stem.to_owned()).or_insert(next);
                if term as usize == postings.len() {
                    postings.push(Vec::new());
                }
                postings[term as usize].push(Posting {
                    doc: doc as u32,
                    weight,
                });
            }
        }

        let docs = operations
            .iter()
            .map(|operation| Doc {
                operation,
                class: class(operation),
                takes_id: operation.path.contains('{'),
                targets_one: operation.path.ends_with('}'),
            })
            .collect();
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

    /// Adds each concept's BM25F score to `scores` and counts the concepts each document matched.
    /// `scratch` must be all zeros and as long as `scores`; it is left all zeros.
    pub(super) fn score(
        &self,
        concepts: &[Concept],
        scores: &mut [f32],
        matched: &mut [u16],
        scratch: &mut [f32],
    ) {
        let total = self.docs.len() as f32;
        let mut touched: Vec<u32> = Vec::new();
        for concept in concepts {
            for &(term, member_weight) in &concept.members {
                for posting in &self.postings[term as usize] {
                    let slot = &mut scratch[posting.doc as usize];
                    if *slot == 0.0 {
                        touched.push(posting.doc);
                    }
                    *slot += member_weight * posting.weight;
                }
            }
            // One IDF for the whole group, from the documents that hold any of its stems.
            let df = touched.len() as f32;
            let idf = (1.0 + (total - df + 0.5) / (df + 0.5)).ln();
            for &doc in &touched {
                let frequency = std::mem::take(&mut scratch[doc as usize]);
                scores[doc as usize] += idf * frequency * (K1 + 1.0) / (K1 + frequency);
                matched[doc as usize] += 1;
            }
            touched.clear();
        }
    }
}

fn class(operation: &Operation) -> Class {
    match operation.kind {
        OperationKind::List => Class::List,
        OperationKind::Get => Class::Get,
        OperationKind::Create => Class::Create,
        OperationKind::Update => Class::Update,
        OperationKind::Delete => Class::Delete,
        _ if operation.is_read_only() && operation.path.ends_with('}') => Class::Get,
        _ if operation.is_read_only() => Class::List,
        _ => Class::Action,
    }
}
