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
/// Alternatives all weaker than this make a concept a modifier ("high-risk" → filter), not a head.
const MODIFIER_WEIGHT: f32 = 0.5;
/// Weight of the member in "add X to Y": X joins Y, so Y is what the request is about.
const MEMBER_WEIGHT: f32 = 0.5;
/// Weight of the one-record hint from an id the request only refers to ("by its id", "escalate 771").
const WEAK_ONE_HINT: f32 = 0.5;
/// Weight of the ticket a bare number names: the request names it only by its number.
const BARE_ID_WEIGHT: f32 = 0.8;
/// Fewest digits of a bare number taken as a ticket number ("escalate 771"); shorter ones are counts.
const BARE_ID_DIGITS: usize = 3;
/// Requests longer than this (in bytes) are cut, at a character boundary.
const MAX_QUERY_BYTES: usize = 2048;

/// A request, read.
#[derive(Debug, Default)]
pub(super) struct Query {
    pub(super) concepts: Vec<Concept>,
    /// Strength (0 to 1) of each [`Hint`], indexed by [`Hint::index`].
    pub(super) hints: [f32; Hint::COUNT],
    /// Each record id the request gives or refers to.
    pub(super) ids: Vec<IdRef>,
    /// Several ids follow one resource ("software 7, 8 and 9"): an operation on many records at once.
    pub(super) bulk: bool,
    /// Words the catalogue does not know ("wi-fi", "parking pass"): free text to search for.
    pub(super) unknown: usize,
}

/// A record id of the request.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct IdRef {
    /// The terms of the resource it names ("ticket 4521" → ticket).
    pub(super) resource: Vec<u32>,
    /// Only a hint: an operation that takes it rises, one that does not is not damped ("by its id", a
    /// bare number, the member of "add agent 5 to the group").
    pub(super) soft: bool,
    /// Word position of the number (or id word).
    position: usize,
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
    let (consumed, verbs, kinds) = kind_pass(&words, vocabulary, &mut query);
    let spans = concept_pass(
        &words, &consumed, &verbs, &kinds, vocabulary, index, &mut query,
    );
    membership(&words, &spans, vocabulary, index, &mut query);
    if query.bulk {
        // Several ids are many records, not one.
        query.hints[Hint::One.index()] = 0.0;
    }
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

/// Finds kind words; returns which words were taken as verbs only (leading-only kind words), which are
/// kind words without a meaning of their own, and which are kind words at all.
fn kind_pass(
    words: &[Word],
    vocabulary: &Vocabulary,
    query: &mut Query,
) -> (Vec<bool>, Vec<bool>, Vec<bool>) {
    let mut consumed = vec![false; words.len()];
    let mut verbs = vec![false; words.len()];
    let mut kinds = vec![false; words.len()];
    let none_consumed = consumed.clone();
    let mut opened = false;
    let mut start = 0;
    while start < words.len() {
        let mut found = None;
        for len in (1..=vocabulary.longest_phrase).rev() {
            let Some(key) = phrase_key(words, &none_consumed, start, len, true) else {
                continue;
            };
            // After a determiner a kind word is a noun: "post an update", "approve the change"; after an
            // auxiliary it describes: "being set up", "was closed".
            if start > 0
                && (vocabulary.is_determiner(&words[start - 1].surface)
                    || vocabulary.is_auxiliary(&words[start - 1].surface))
            {
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
                kinds[start..start + len].fill(true);
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
    (consumed, verbs, kinds)
}

/// Turns the words that are not verbs into concepts; notes ids and plurals. Returns the word span of
/// each concept.
fn concept_pass(
    words: &[Word],
    consumed: &[bool],
    verbs: &[bool],
    kinds: &[bool],
    vocabulary: &Vocabulary,
    index: &Index<'_>,
    query: &mut Query,
) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    // The previous word named a resource (or was `id`), so a number right after it is a record id.
    let mut after_resource = false;
    // The terms of the last resource named.
    let mut last_resource: Vec<u32> = Vec::new();
    // The resource of the id just read, while a list of ids may go on ("software 7, 8 and 9").
    let mut id_list: Option<Vec<u32>> = None;
    let default_record = index.term(&vocabulary.default_record);
    let mut start = 0;
    while start < words.len() {
        if consumed[start] {
            after_resource = false;
            id_list = None;
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
                if quantity {
                    id_list = None;
                } else if let Some(resource) = &id_list {
                    // Another id of the same resource: the request names several records.
                    query.bulk = true;
                    if !resource.is_empty() {
                        query.raise(Hint::List, PLURAL_HINT);
                    }
                } else if after_resource {
                    query.raise(Hint::One, 1.0);
                    if !last_resource.is_empty()
                        && !query.ids.iter().any(|id| id.resource == last_resource)
                    {
                        query.ids.push(IdRef {
                            resource: last_resource.clone(),
                            soft: false,
                            position: start,
                        });
                    }
                    id_list = Some(last_resource.clone());
                } else if word.surface.len() >= BARE_ID_DIGITS
                    && (start == 0
                        || consumed[start - 1]
                        || kinds[start - 1]
                        || vocabulary.is_stop_word(&words[start - 1].surface))
                    && let Some(term) = default_record
                {
                    // A bare number after a verb or a preposition ("escalate 771", "a reply on 2290")
                    // is, on a service desk, a ticket number.
                    query.raise(Hint::One, WEAK_ONE_HINT);
                    if !query.ids.iter().any(|id| id.resource == [term]) {
                        query.ids.push(IdRef {
                            resource: vec![term],
                            soft: true,
                            position: start,
                        });
                    }
                    let alternatives = vec![(vec![term], 1.0)];
                    if !query
                        .concepts
                        .iter()
                        .any(|seen| seen.alternatives == alternatives)
                    {
                        query.concepts.push(Concept {
                            alternatives,
                            weight: BARE_ID_WEIGHT,
                            verb: false,
                        });
                        spans.push((start, start + 1));
                    }
                    id_list = Some(Vec::new());
                }
                after_resource = false;
                start += 1;
                continue;
            }
            if vocabulary.is_id_word(&word.surface) {
                let number_follows = words.get(start + 1).is_some_and(is_number);
                if !number_follows && (word.surface == "id" || word.surface == "ids") {
                    // "by its id", "with the display id": the caller has the id of the last resource.
                    if word.surface == "ids" {
                        query.bulk = true;
                    } else {
                        query.raise(Hint::One, WEAK_ONE_HINT);
                    }
                    if !last_resource.is_empty()
                        && !query.ids.iter().any(|id| id.resource == last_resource)
                    {
                        query.ids.push(IdRef {
                            resource: last_resource.clone(),
                            soft: true,
                            position: start,
                        });
                    }
                }
                after_resource = true;
                start += 1;
                continue;
            }
            if vocabulary.is_stop_word(&word.surface) || word.has_digit() {
                after_resource = false;
                // "7, 8 and 9", "11 or 12": a list of ids goes on over `and`/`or`.
                if !matches!(word.surface.as_str(), "and" | "or") {
                    id_list = None;
                }
                start += 1;
                continue;
            }
            phrases.push((vec![word.stem.clone()], 1.0));
        }
        id_list = None;
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
        if alternatives.is_empty() && len == 1 && !matched && word.surface.chars().count() > 1 {
            query.unknown += 1;
        }
        // A number after a verb ("escalate 771") is not the id of what the verb means.
        after_resource =
            !alternatives.is_empty() && !kinds[start..start + len].iter().all(|&kind| kind);
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
            // A modifier ("high-risk", "pending": only weak alternatives) does not take the head.
            let verb = verbs[start..start + len].iter().all(|&verb| verb);
            let modifier = alternatives
                .iter()
                .all(|(_, weight)| *weight < MODIFIER_WEIGHT);
            let weight = if verb {
                VERB_WEIGHT
            } else if !modifier
                && query
                    .concepts
                    .iter()
                    .all(|concept| concept.verb || is_modifier(concept))
            {
                HEAD_WEIGHT
            } else {
                1.0
            };
            query.concepts.push(Concept {
                alternatives,
                weight,
                verb,
            });
            spans.push((start, start + len));
        }
        start += len;
    }
    spans
}

fn is_modifier(concept: &Concept) -> bool {
    concept
        .alternatives
        .iter()
        .all(|(_, weight)| *weight < MODIFIER_WEIGHT)
}

/// True when `words[at..]` starts with one of `phrases`; returns the phrase's length.
fn starts_with(words: &[Word], at: usize, phrases: &[Vec<String>]) -> Option<usize> {
    phrases
        .iter()
        .filter(|phrase| {
            words.len() >= at + phrase.len()
                && words[at..at + phrase.len()]
                    .iter()
                    .zip(phrase.iter())
                    .all(|(word, surface)| &word.surface == surface)
        })
        .map(Vec::len)
        .max()
}

/// "add agent 55 to the network group", "take requester 5 out of group 4": when what is added or
/// taken out is a member (an agent, a requester, a person named), the request is about the container:
/// it becomes the head, the member weighs less and its id is only a hint, membership is looked for,
/// and the request updates the container rather than creating or deleting a record.
fn membership(
    words: &[Word],
    spans: &[(usize, usize)],
    vocabulary: &Vocabulary,
    index: &Index<'_>,
    query: &mut Query,
) {
    let words_of = &vocabulary.membership;
    let Some((verb, join)) = words.iter().enumerate().find_map(|(at, word)| {
        if words_of.join.contains(&word.surface) {
            Some((at, true))
        } else if words_of.leave.contains(&word.surface) {
            Some((at, false))
        } else {
            None
        }
    }) else {
        return;
    };
    let prepositions = if join {
        &words_of.into
    } else {
        &words_of.out_of
    };
    let Some((preposition, after)) = (verb + 1..words.len())
        .find_map(|at| starts_with(words, at, prepositions).map(|len| (at, at + len)))
    else {
        return;
    };
    // "add the owners as an approval group": what is added becomes a new record, not a member.
    if words[verb + 1..preposition]
        .iter()
        .any(|word| word.surface == "as")
    {
        return;
    }
    let inside = |span: &(usize, usize)| span.0 > verb && span.1 <= preposition;
    let container: Vec<usize> = (0..spans.len())
        .filter(|&at| spans[at].0 >= after)
        .collect();
    if container.is_empty() {
        return;
    }
    let members: Vec<usize> = (0..spans.len()).filter(|&at| inside(&spans[at])).collect();
    let member_terms: Vec<u32> = words_of
        .members
        .iter()
        .filter_map(|stem| index.term(stem))
        .collect();
    let names_member = members.iter().any(|&at| {
        query.concepts[at]
            .alternatives
            .iter()
            .any(|(terms, _)| terms.iter().any(|term| member_terms.contains(term)))
    });
    // Nothing the catalogue knows between the verb and the preposition, but some word: a name.
    let names_person = members.is_empty()
        && (verb + 1..preposition)
            .any(|at| !vocabulary.is_stop_word(&words[at].surface) && !is_number(&words[at]));
    if !(names_member || names_person) {
        return;
    }
    for &at in &members {
        query.concepts[at].weight = query.concepts[at].weight.min(MEMBER_WEIGHT);
    }
    let head = container[0];
    query.concepts[head].weight = query.concepts[head].weight.max(HEAD_WEIGHT);
    let mut member_id = None;
    for id in &mut query.ids {
        if id.position > verb && id.position < preposition {
            id.soft = true;
            member_id = Some(id.position);
        }
    }
    let means: Vec<u32> = words_of
        .means
        .iter()
        .map(|stem| index.term(stem).unwrap_or(NO_TERM))
        .collect();
    // The member's id is the id of a member (`member_id`).
    if let Some(position) = member_id {
        query.ids.push(IdRef {
            resource: means.clone(),
            soft: true,
            position,
        });
    }
    if means.iter().any(|&term| term != NO_TERM) {
        query.concepts.push(Concept {
            alternatives: vec![(means, 1.0)],
            weight: 1.0,
            verb: false,
        });
    }
    let strength = if join {
        query.hint(Hint::Create)
    } else {
        query.hint(Hint::Delete)
    }
    .max(LATER_HINT);
    query.raise(Hint::Update, strength);
    if join {
        query.hints[Hint::Create.index()] *= 0.5;
    } else {
        query.hints[Hint::Delete.index()] *= 0.5;
    }
}
