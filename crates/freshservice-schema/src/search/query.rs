//! Reading a request: the concepts to look for and the hints about the operation's kind.
//!
//! Two passes over the request's words. The first finds kind words (`raise` → create, `who` → read): the
//! one that opens the request counts fully, later ones half. A kind word marked leading-only (`^change`,
//! `^open`, `^log`) counts only when it opens the request, and then it is a verb and not a search term, so
//! "change the priority" is an update while "approve the change" looks for changes. The second pass
//! turns the remaining words into concepts: the longest vocabulary phrase at each point becomes one
//! concept with its synonyms, any other word that is not a stop word becomes a concept of its own, and a
//! word with a digit is taken as a record id.

use super::index::{Concept, Index};
use super::text::{Hint, MAX_WORDS, Vocabulary, Word, add_weighted};

/// Weight of a kind hint from a word that does not open the request.
const LATER_HINT: f32 = 0.5;
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
    let consumed = kind_pass(&words, vocabulary, &mut query);
    concept_pass(&words, &consumed, vocabulary, index, &mut query);
    query
}

/// The space-joined stems of `words[start..start + len]`, or `None` past the end or over a consumed word.
fn phrase_key(words: &[Word], consumed: &[bool], start: usize, len: usize) -> Option<String> {
    let end = start + len;
    if end > words.len() || consumed[start..end].iter().any(|&taken| taken) {
        return None;
    }
    let mut key = String::new();
    for word in &words[start..end] {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&word.stem);
    }
    Some(key)
}

/// Finds kind words; returns which words were taken as verbs (leading-only kind words).
fn kind_pass(words: &[Word], vocabulary: &Vocabulary, query: &mut Query) -> Vec<bool> {
    let mut consumed = vec![false; words.len()];
    let none_consumed = consumed.clone();
    let mut opened = false;
    let mut start = 0;
    while start < words.len() {
        let mut found = None;
        for len in (1..=vocabulary.longest_phrase).rev() {
            let Some(key) = phrase_key(words, &none_consumed, start, len) else {
                continue;
            };
            if let Some(entries) = vocabulary.kinds.get(&key)
                && entries.iter().any(|entry| !entry.leading_only || !opened)
            {
                found = Some((len, entries));
                break;
            }
        }
        match found {
            Some((len, entries)) => {
                let leading = !opened;
                opened = true;
                let strength = if leading { 1.0 } else { LATER_HINT };
                let mut verb = false;
                for entry in entries {
                    if entry.leading_only && !leading {
                        continue;
                    }
                    query.raise(entry.hint, strength);
                    verb |= entry.leading_only;
                }
                // A leading-only word used as a verb is not also a search term, unless the vocabulary
                // gives it a meaning of its own (`move` is a verb and the name of an operation).
                let key = phrase_key(words, &none_consumed, start, len).unwrap_or_default();
                if verb && !vocabulary.synonyms.contains_key(&key) {
                    consumed[start..start + len].fill(true);
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
    consumed
}

/// Turns the words that are not verbs into concepts; notes ids and plurals.
fn concept_pass(
    words: &[Word],
    consumed: &[bool],
    vocabulary: &Vocabulary,
    index: &Index<'_>,
    query: &mut Query,
) {
    let mut start = 0;
    while start < words.len() {
        if consumed[start] {
            start += 1;
            continue;
        }
        let mut stems: Vec<(String, f32)> = Vec::new();
        let mut len = 1;
        let mut matched = false;
        for candidate in (1..=vocabulary.longest_phrase).rev() {
            let Some(key) = phrase_key(words, consumed, start, candidate) else {
                continue;
            };
            if let Some(meaning) = vocabulary.synonyms.get(&key) {
                for word in &words[start..start + candidate] {
                    if !vocabulary.is_stop_word(&word.surface) {
                        add_weighted(&mut stems, &word.stem, 1.0);
                    }
                }
                for (stem, weight) in &meaning.stems {
                    add_weighted(&mut stems, stem, *weight);
                }
                len = candidate;
                matched = true;
                break;
            }
        }
        let word = &words[start];
        if !matched {
            if vocabulary.is_stop_word(&word.surface) {
                start += 1;
                continue;
            }
            if word.has_digit() {
                query.raise(Hint::One, 1.0);
                start += 1;
                continue;
            }
            stems.push((word.stem.clone(), 1.0));
        }
        if len == 1 && word.looks_plural() {
            query.raise(Hint::List, PLURAL_HINT);
        }
        let mut members: Vec<(u32, f32)> = stems
            .iter()
            .filter(|(_, weight)| *weight > 0.0)
            .filter_map(|(stem, weight)| index.term(stem).map(|term| (term, *weight)))
            .collect();
        members.sort_unstable_by_key(|(term, _)| *term);
        let concept = Concept { members };
        if !concept.members.is_empty() && !query.concepts.contains(&concept) {
            query.concepts.push(concept);
        }
        start += len;
    }
}
