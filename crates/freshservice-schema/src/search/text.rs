//! Text analysis shared by the index and the queries: words, stems and the vocabulary file.
//!
//! A word is a run of alphanumeric characters, lowercased; everything else separates words, so
//! `on-call`, `on call` and `On Call` are the same two words. Each word is reduced to its Snowball
//! English stem, so `approvals`, `approval` and `approved` meet at `approv`.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

/// Longest word that is stemmed; longer ones (hashes, pasted junk) are kept as they are.
const MAX_STEMMED_CHARS: usize = 40;

/// One word of a text: its lowercase surface form and its stem.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub(super) surface: String,
    pub(super) stem: String,
}

impl Word {
    /// True when the word holds a digit (an id or a number, unless the vocabulary says otherwise).
    pub(super) fn has_digit(&self) -> bool {
        self.surface.chars().any(|c| c.is_ascii_digit())
    }

    /// True when the surface form looks like an English plural (`tickets`, `policies`).
    pub(super) fn looks_plural(&self) -> bool {
        self.surface.len() > 3
            && self.surface.ends_with('s')
            && !self.surface.ends_with("ss")
            && self.stem.len() < self.surface.len()
    }
}

/// Snowball English, from `frostem` (see the crate README for why this crate), with the vocabulary's
/// exceptions: words whose Snowball stem would merge them with a word of another meaning.
pub(super) struct Stemmer {
    snowball: frostem::Stemmer,
    exceptions: HashMap<String, String>,
}

impl Stemmer {
    fn new(exceptions: HashMap<String, String>) -> Self {
        Stemmer {
            snowball: frostem::Stemmer::new(frostem::Algorithm::English),
            exceptions,
        }
    }

    pub(super) fn stem(&self, word: &str) -> String {
        if let Some(stem) = self.exceptions.get(word) {
            return stem.clone();
        }
        if word.chars().count() > MAX_STEMMED_CHARS {
            return word.to_owned();
        }
        self.snowball.stem(word).into_owned()
    }

    /// Splits `text` into words, at most `limit` of them.
    pub(super) fn words(&self, text: &str, limit: usize) -> Vec<Word> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|piece| !piece.is_empty())
            .take(limit)
            .map(|piece| {
                let surface = piece.to_lowercase();
                let stem = self.stem(&surface);
                Word { surface, stem }
            })
            .collect()
    }
}

impl std::fmt::Debug for Stemmer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Stemmer")
            .field("algorithm", &"English")
            .field("exceptions", &self.exceptions.len())
            .finish()
    }
}

/// The shape of `data/search/vocabulary.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct VocabularySpec {
    #[allow(dead_code, reason = "documentation inside the data file")]
    about: String,
    stop_words: Vec<String>,
    doc_stop_words: Vec<String>,
    id_words: Vec<String>,
    unit_words: Vec<String>,
    determiners: Vec<String>,
    stem_exceptions: HashMap<String, String>,
    boilerplate: Vec<String>,
    kinds: KindsSpec,
    synonyms: Vec<SynonymSpec>,
    auxiliaries: Vec<String>,
    qualifiers: Vec<String>,
    default_record: String,
    membership: MembershipSpec,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct MembershipSpec {
    join: Vec<String>,
    into: Vec<String>,
    leave: Vec<String>,
    out_of: Vec<String>,
    members: Vec<String>,
    means: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct KindsSpec {
    read: Vec<String>,
    list: Vec<String>,
    one: Vec<String>,
    create: Vec<String>,
    update: Vec<String>,
    delete: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
struct SynonymSpec {
    say: Vec<String>,
    means: Vec<String>,
    #[serde(default = "full_weight")]
    weight: f32,
    /// The said words stand only for the meaning, not for themselves (`scheduled` is not an on-call schedule).
    #[serde(default)]
    replace: bool,
}

fn full_weight() -> f32 {
    1.0
}

/// What a query word or phrase says about the operation the user wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hint {
    Read,
    List,
    One,
    Create,
    Update,
    Delete,
}

impl Hint {
    pub(super) const COUNT: usize = 6;

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// A kind phrase's hint, whether it counts only as the first word of the request, and its strength.
#[derive(Debug, Clone, Copy)]
pub(super) struct KindEntry {
    pub(super) hint: Hint,
    pub(super) leading_only: bool,
    /// 1, or 0.5 for a word marked `~` (a verb that often means something else, like `add`).
    pub(super) strength: f32,
}

/// What a phrase stands for: catalogue phrases (as stems), each with a weight.
#[derive(Debug, Clone, Default)]
pub(super) struct Meaning {
    pub(super) phrases: Vec<(Vec<String>, f32)>,
    /// A single said word does not also count as itself.
    pub(super) replace: bool,
}

/// The compiled vocabulary: phrase tables keyed by space-joined stems.
#[derive(Debug)]
pub(super) struct Vocabulary {
    pub(super) stemmer: Stemmer,
    stop_words: HashSet<String>,
    doc_stop_words: HashSet<String>,
    id_words: HashSet<String>,
    unit_words: HashSet<String>,
    determiners: HashSet<String>,
    /// Boilerplate phrases, as stem sequences, removed from descriptions before indexing.
    pub(super) boilerplate: Vec<Vec<String>>,
    /// Kind phrases, keyed by their lowercase words (not stems: `deleted` is not `delete`).
    pub(super) kinds: HashMap<String, Vec<KindEntry>>,
    /// Synonym phrases, keyed by their stems.
    pub(super) synonyms: HashMap<String, Meaning>,
    /// The most words in any phrase of `kinds` or `synonyms`.
    pub(super) longest_phrase: usize,
    /// Words after which a kind word describes rather than commands (`being set up`, `was deleted`).
    auxiliaries: HashSet<String>,
    /// Stems of name words an operation only deserves when the request says them (`legacy`).
    pub(super) qualifiers: Vec<String>,
    /// The stem of the record a bare number names (`escalate 771`): the ticket.
    pub(super) default_record: String,
    /// "add X to Y", "take X out of Y": the words of the construction.
    pub(super) membership: Membership,
}

/// The words of "add X to Y" / "take X out of Y", where X joins or leaves Y as a member.
#[derive(Debug, Default)]
pub(super) struct Membership {
    /// Surface words of the verbs that put something into something (`add`, `put`, `include`).
    pub(super) join: HashSet<String>,
    /// Surface words (or two-word phrases) after which the container comes (`to`, `into`).
    pub(super) into: Vec<Vec<String>>,
    /// Verbs that take something out of something (`remove`, `take`, `drop`).
    pub(super) leave: HashSet<String>,
    /// Words (or phrases) before the container of a removal (`from`, `out of`).
    pub(super) out_of: Vec<Vec<String>>,
    /// Stems of the catalogue words for records that are members of others (`agent`, `requester`).
    pub(super) members: HashSet<String>,
    /// Stems of the catalogue phrase for membership (`member`).
    pub(super) means: Vec<String>,
}

/// Most words read from any one text.
pub(super) const MAX_WORDS: usize = 64;

impl Vocabulary {
    /// Parses and compiles the vocabulary file.
    pub(super) fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let spec: VocabularySpec = serde_json::from_str(text)?;
        let stemmer = Stemmer::new(
            spec.stem_exceptions
                .iter()
                .map(|(word, stem)| (word.to_lowercase(), stem.to_lowercase()))
                .collect(),
        );
        let lower = |words: &[String]| -> HashSet<String> {
            words.iter().map(|word| word.to_lowercase()).collect()
        };
        let mut vocabulary = Vocabulary {
            stop_words: lower(&spec.stop_words),
            doc_stop_words: lower(&spec.doc_stop_words),
            id_words: lower(&spec.id_words),
            unit_words: lower(&spec.unit_words),
            determiners: lower(&spec.determiners),
            boilerplate: Vec::new(),
            kinds: HashMap::new(),
            synonyms: HashMap::new(),
            longest_phrase: 1,
            auxiliaries: lower(&spec.auxiliaries),
            qualifiers: Vec::new(),
            default_record: String::new(),
            membership: Membership::default(),
            stemmer,
        };
        vocabulary.qualifiers = spec
            .qualifiers
            .iter()
            .flat_map(|word| vocabulary.stems(word))
            .collect();
        vocabulary.default_record = vocabulary.key(&spec.default_record);
        let surface = |phrases: &[String], vocabulary: &Vocabulary| -> Vec<Vec<String>> {
            phrases
                .iter()
                .map(|phrase| {
                    vocabulary
                        .stemmer
                        .words(phrase, MAX_WORDS)
                        .into_iter()
                        .map(|word| word.surface)
                        .collect::<Vec<_>>()
                })
                .filter(|words| !words.is_empty())
                .collect()
        };
        vocabulary.membership = Membership {
            join: lower(&spec.membership.join),
            into: surface(&spec.membership.into, &vocabulary),
            leave: lower(&spec.membership.leave),
            out_of: surface(&spec.membership.out_of, &vocabulary),
            members: spec
                .membership
                .members
                .iter()
                .flat_map(|word| vocabulary.document_stems(word))
                .collect(),
            means: vocabulary.document_stems(&spec.membership.means),
        };
        vocabulary.boilerplate = spec
            .boilerplate
            .iter()
            .map(|phrase| vocabulary.stems(phrase))
            .filter(|stems| !stems.is_empty())
            .collect();
        let kinds = [
            (Hint::Read, &spec.kinds.read),
            (Hint::List, &spec.kinds.list),
            (Hint::One, &spec.kinds.one),
            (Hint::Create, &spec.kinds.create),
            (Hint::Update, &spec.kinds.update),
            (Hint::Delete, &spec.kinds.delete),
        ];
        for (hint, phrases) in kinds {
            for phrase in phrases {
                let mut phrase = phrase.as_str();
                let mut leading_only = false;
                let mut strength = 1.0;
                loop {
                    if let Some(rest) = phrase.strip_prefix('^') {
                        leading_only = true;
                        phrase = rest;
                    } else if let Some(rest) = phrase.strip_prefix('~') {
                        strength = 0.5;
                        phrase = rest;
                    } else {
                        break;
                    }
                }
                let key = vocabulary.surface_key(phrase);
                if key.is_empty() {
                    continue;
                }
                let entries = vocabulary.kinds.entry(key).or_default();
                if !entries.iter().any(|entry| entry.hint == hint) {
                    entries.push(KindEntry {
                        hint,
                        leading_only,
                        strength,
                    });
                }
            }
        }
        for synonym in &spec.synonyms {
            let means: Vec<Vec<String>> = synonym
                .means
                .iter()
                .map(|phrase| vocabulary.document_stems(phrase))
                .filter(|stems| !stems.is_empty())
                .collect();
            for phrase in &synonym.say {
                let key = vocabulary.key(phrase);
                if key.is_empty() {
                    continue;
                }
                let meaning = vocabulary.synonyms.entry(key).or_default();
                meaning.replace |= synonym.replace;
                for phrase in &means {
                    add_weighted(&mut meaning.phrases, phrase, synonym.weight);
                }
            }
        }
        // A stop phrase ("service desk") is a synonym with no meaning: it is read as a whole and dropped.
        for phrase in &spec.stop_words {
            let key = vocabulary.key(phrase);
            if key.contains(' ') {
                vocabulary.synonyms.entry(key).or_default().replace = true;
            }
        }
        vocabulary.longest_phrase = vocabulary
            .kinds
            .keys()
            .chain(vocabulary.synonyms.keys())
            .map(|key| key.split(' ').count())
            .max()
            .unwrap_or(1);
        Ok(vocabulary)
    }

    /// True for a query word that carries no meaning on its own (`the`, `please`, `me`).
    pub(super) fn is_stop_word(&self, surface: &str) -> bool {
        self.stop_words.contains(surface)
    }

    /// True for a word after which a kind word describes a state (`being set up`, `was deleted`).
    pub(super) fn is_auxiliary(&self, surface: &str) -> bool {
        self.auxiliaries.contains(surface)
    }

    /// True for a word that says the number after it is a record id (`id`, `number`, `no`).
    pub(super) fn is_id_word(&self, surface: &str) -> bool {
        self.id_words.contains(surface)
    }

    /// True for a word after which a kind word is a noun (`an update`, `the change`).
    pub(super) fn is_determiner(&self, surface: &str) -> bool {
        self.determiners.contains(surface)
    }

    /// True for a unit that makes the number before it a quantity (`minutes`, `hours`), not an id.
    pub(super) fn is_unit_word(&self, surface: &str) -> bool {
        self.unit_words.contains(surface)
    }

    /// The stems of a phrase, every word kept (phrase keys keep `of` in `get rid of`).
    fn stems(&self, phrase: &str) -> Vec<String> {
        self.stemmer
            .words(phrase, MAX_WORDS)
            .into_iter()
            .map(|word| word.stem)
            .collect()
    }

    /// A synonym phrase's table key: its stems joined by spaces.
    pub(super) fn key(&self, phrase: &str) -> String {
        self.stems(phrase).join(" ")
    }

    /// A kind phrase's table key: its lowercase words joined by spaces.
    pub(super) fn surface_key(&self, phrase: &str) -> String {
        let words: Vec<String> = self
            .stemmer
            .words(phrase, MAX_WORDS)
            .into_iter()
            .map(|word| word.surface)
            .collect();
        words.join(" ")
    }

    /// The stems of catalogue text, without boilerplate and stop words: what the index stores.
    pub(super) fn document_stems(&self, text: &str) -> Vec<String> {
        let words = self.stemmer.words(text, usize::MAX);
        let mut kept = Vec::with_capacity(words.len());
        let mut index = 0;
        'words: while index < words.len() {
            for phrase in &self.boilerplate {
                let end = index + phrase.len();
                if end <= words.len()
                    && words[index..end]
                        .iter()
                        .zip(phrase)
                        .all(|(word, stem)| &word.stem == stem)
                {
                    index = end;
                    continue 'words;
                }
            }
            let word = &words[index];
            if !self.doc_stop_words.contains(&word.surface)
                && !self.stop_words.contains(&word.surface)
            {
                kept.push(word.stem.clone());
            }
            index += 1;
        }
        kept
    }
}

/// Adds `phrase` with `weight`, keeping the larger weight when it is already there.
pub(super) fn add_weighted(phrases: &mut Vec<(Vec<String>, f32)>, phrase: &[String], weight: f32) {
    match phrases.iter_mut().find(|(existing, _)| existing == phrase) {
        Some((_, existing)) => *existing = existing.max(weight),
        None => phrases.push((phrase.to_vec(), weight)),
    }
}
