//! Reading a request: the concepts to look for and the hints about the operation's kind.
//!
//! Two passes over the request's words. The first finds kind words (`raise` → create, `who` → read): the
//! one that opens the request counts fully, later ones half. A kind word marked leading-only (`^change`,
//! `^open`, `^log`) counts only when it opens the request, and then it is a verb and not a search term, so
//! "change the priority" is an update while "approve the change" looks for changes (and "change 311" names
//! a change). Kind words are matched as written, so "deleted" and "approved" describe rather than command. The second pass
//! turns the remaining words into concepts: the longest vocabulary phrase at each point becomes one
//! concept with its synonyms, any other word that is not a stop word becomes a concept of its own, and a
//! number right after a resource word ("ticket 4521", "INC-77", "id 3") is taken as a record id; other
//! numbers ("30 minutes", "LT-2231") are ignored.

use super::index::{Concept, Index, NO_TERM};
use super::text::{Hint, MAX_WORDS, Vocabulary, Word, add_weighted};

/// Weight of a kind hint from a word that does not open the request.
const LATER_HINT: f32 = 0.5;
/// Weight of the first concept of the request, relative to the others.
const HEAD_WEIGHT: f32 = 1.3;
/// Weight of a concept made only of kind words without a meaning of their own ("delete", "post"): they
/// say what to do more than what to do it to.
const VERB_WEIGHT: f32 = 0.5;
/// Weight of the list hint from a plural noun.
const PLURAL_HINT: f32 = 0.5;
/// Requests longer than this (in bytes) are cut, at a character boundary.
const MAX_QUERY_BYTES: usize = 2048;

/// A request, read.
#[derive(Debug, Default)]
pub(super) struct Query {
    pub(super) concepts: Vec<Concept>,
    /// Strength (0 to 1) of each [`Hint`], indexed by [`Hint::index`].
    pub(super) hints: [f32; Hint::COUNT],
    /// For each record id the request gives, the terms of the resource it names ("ticket 4521" → ticket).
    pub(super) ids: Vec<Vec<u32>>,
}

impl Query {
    pub(super) fn hint(&self, hint: Hint) -> f32 {
        self.hints[hint.index()]
    }

    fn raise(&mut self, hint: Hint, strength: f32) {
        let slot = &mut self.hints[hint.index()];
        *slot = slot.max(strength);
    }
}

pub(super) fn analyse(text: &str, vocabulary: &Vocabulary, index: &Index<'_>) -> Query {
    let mut end = text.len().min(MAX_QUERY_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let words = vocabulary.stemmer.words(&text[..end], MAX_WORDS);
    let mut query = Query::default();
    let (consumed, verbs) = kind_pass(&words, vocabulary, &mut query);
    concept_pass(&words, &consumed, &verbs, vocabulary, index, &mut query);
    query
}

/// The space-joined stems (or surface forms) of `words[start..start + len]`, or `None` past the end or
/// over a consumed word.
fn phrase_key(
    words: &[Word],
    consumed: &[bool],
    start: usize,
    len: usize,
    surface: bool,
) -> Option<String> {
    let end = start + len;
    if end > words.len() || consumed[start..end].iter().any(|&taken| taken) {
        return None;
    }
    let mut key = String::new();
    for word in &words[start..end] {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(if surface { &word.surface } else { &word.stem });
    }
    Some(key)
}

/// True when the word is a plain number (`4521`), which may be a record id.
fn is_number(word: &Word) -> bool {
    word.surface.chars().all(|c| c.is_ascii_digit())
}

/// Finds kind words; returns which words were taken as verbs only (leading-only kind words) and which
/// words are kind words at all.
fn kind_pass(words: &[Word], vocabulary: &Vocabulary, query: &mut Query) -> (Vec<bool>, Vec<bool>) {
    let mut consumed = vec![false; words.len()];
    let mut verbs = vec![false; words.len()];
    let none_consumed = consumed.clone();
    let mut opened = false;
    let mut start = 0;
    while start < words.len() {
        let mut found = None;
        for len in (1..=vocabulary.longest_phrase).rev() {
            let Some(key) = phrase_key(words, &none_consumed, start, len, true) else {
                continue;
            };
            // After a determiner a kind word is a noun: "post an update", "approve the change".
            if start > 0 && vocabulary.is_determiner(&words[start - 1].surface) {
                break;
            }
            // A leading-only verb followed by a number names a record ("change 311 was raised by
            // mistake"), unless the number is a quantity ("log 30 minutes").
            let names_record = words.get(start + len).is_some_and(is_number)
                && !words
                    .get(start + len + 1)
                    .is_some_and(|unit| vocabulary.is_unit_word(&unit.surface));
            if let Some(entries) = vocabulary.kinds.get(&key)
                && entries
                    .iter()
                    .any(|entry| !entry.leading_only || (!opened && !names_record))
            {
                found = Some((len, entries, names_record));
                break;
            }
        }
        match found {
            Some((len, entries, names_record)) => {
                let leading = !opened;
                opened = true;
                let position = if leading { 1.0 } else { LATER_HINT };
                let mut verb = false;
                for entry in entries {
                    if entry.leading_only && (!leading || names_record) {
                        continue;
                    }
                    query.raise(entry.hint, position * entry.strength);
                    verb |= entry.leading_only;
                }
                // A leading-only word used as a verb is not also a search term, unless the vocabulary
                // gives it a meaning of its own (`move` is a verb and the name of an operation).
                let key = phrase_key(words, &none_consumed, start, len, false).unwrap_or_default();
                if verb && !vocabulary.synonyms.contains_key(&key) {
                    consumed[start..start + len].fill(true);
                }
                if !vocabulary.synonyms.contains_key(&key) {
                    verbs[start..start + len].fill(true);
                }
                start += len;
            }
            None => {
                let word = &words[start];
                if !vocabulary.is_stop_word(&word.surface) {
                    opened = true;
                }
                start += 1;
            }
        }
    }
    (consumed, verbs)
}

/// Turns the words that are not verbs into concepts; notes ids and plurals.
fn concept_pass(
    words: &[Word],
    consumed: &[bool],
    verbs: &[bool],
    vocabulary: &Vocabulary,
    index: &Index<'_>,
    query: &mut Query,
) {
    // The previous word named a resource (or was `id`), so a number right after it is a record id.
    let mut after_resource = false;
    // The terms of the last resource named.
    let mut last_resource: Vec<u32> = Vec::new();
    let mut start = 0;
    while start < words.len() {
        if consumed[start] {
            after_resource = false;
            start += 1;
            continue;
        }
        let word = &words[start];
        let mut phrases: Vec<(Vec<String>, f32)> = Vec::new();
        let mut len = 1;
        let mut matched = false;
        for candidate in (1..=vocabulary.longest_phrase).rev() {
            let Some(key) = phrase_key(words, consumed, start, candidate, false) else {
                continue;
            };
            if let Some(meaning) = vocabulary.synonyms.get(&key) {
                // A single word keeps its own stem; a phrase ("knowledge base") stands only for its meaning.
                if candidate == 1 && !meaning.replace && !vocabulary.is_stop_word(&word.surface) {
                    phrases.push((vec![word.stem.clone()], 1.0));
                }
                for (phrase, weight) in &meaning.phrases {
                    add_weighted(&mut phrases, phrase, *weight);
                }
                len = candidate;
                matched = true;
                break;
            }
        }
        if !matched {
            if is_number(word) {
                let quantity = words
                    .get(start + 1)
                    .is_some_and(|next| vocabulary.is_unit_word(&next.surface));
                if after_resource && !quantity {
                    query.raise(Hint::One, 1.0);
                    if !last_resource.is_empty() && !query.ids.contains(&last_resource) {
                        query.ids.push(last_resource.clone());
                    }
                }
                after_resource = false;
                start += 1;
                continue;
            }
            if vocabulary.is_id_word(&word.surface) {
                after_resource = true;
                start += 1;
                continue;
            }
            if vocabulary.is_stop_word(&word.surface) || word.has_digit() {
                after_resource = false;
                start += 1;
                continue;
            }
            phrases.push((vec![word.stem.clone()], 1.0));
        }
        if words[start + len - 1].looks_plural() {
            query.raise(Hint::List, PLURAL_HINT);
        }
        // Words the catalogue does not hold cannot match, but still count in their phrase's length.
        let alternatives: Vec<(Vec<u32>, f32)> = phrases
            .iter()
            .filter(|(_, weight)| *weight > 0.0)
            .filter_map(|(phrase, weight)| {
                let mut terms: Vec<u32> =
                    phrase.iter().filter_map(|stem| index.term(stem)).collect();
                if terms.is_empty() {
                    return None;
                }
                terms.resize(phrase.len(), NO_TERM);
                Some((terms, *weight))
            })
            .collect();
        after_resource = !alternatives.is_empty();
        if after_resource {
            // An id belongs to the head noun of each alternative: "requester group 4" is a group's id.
            last_resource = alternatives
                .iter()
                .filter_map(|(terms, _)| terms.iter().rev().find(|&&term| term != NO_TERM))
                .copied()
                .collect();
        } else if len > 1 {
            // A stop phrase ("service desk") names nothing.
            start += len;
            continue;
        }
        if !alternatives.is_empty()
            && !query
                .concepts
                .iter()
                .any(|seen| seen.alternatives == alternatives)
        {
            // The first thing the request names is usually what it is about.
            let weight = if verbs[start..start + len].iter().all(|&verb| verb) {
                VERB_WEIGHT
            } else if query
                .concepts
                .iter()
                .all(|concept| concept.weight == VERB_WEIGHT)
            {
                HEAD_WEIGHT
            } else {
                1.0
            };
            query.concepts.push(Concept {
                alternatives,
                weight,
            });
        }
        start += len;
    }
}
