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

/// Snowball English, from `frostem` (see the crate README for why this crate).
pub(super) struct Stemmer(frostem::Stemmer);

impl Stemmer {
    pub(super) fn new() -> Self {
        Stemmer(frostem::Stemmer::new(frostem::Algorithm::English))
    }

    pub(super) fn stem(&self, word: &str) -> String {
        if word.chars().count() > MAX_STEMMED_CHARS {
            return word.to_owned();
        }
        self.0.stem(word).into_owned()
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
        formatter.write_str("Stemmer(English)")
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
    boilerplate: Vec<String>,
    kinds: KindsSpec,
    synonyms: Vec<SynonymSpec>,
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

/// A kind phrase's hint, and whether it counts only as the first word of the request.
#[derive(Debug, Clone, Copy)]
pub(super) struct KindEntry {
    pub(super) hint: Hint,
    pub(super) leading_only: bool,
}

/// The catalogue stems a phrase stands for, with the weight of each.
#[derive(Debug, Clone, Default)]
pub(super) struct Meaning {
    pub(super) stems: Vec<(String, f32)>,
}

/// The compiled vocabulary: phrase tables keyed by space-joined stems.
#[derive(Debug)]
pub(super) struct Vocabulary {
    pub(super) stemmer: Stemmer,
    stop_words: HashSet<String>,
    doc_stop_words: HashSet<String>,
    /// Boilerplate phrases, as stem sequences, removed from descriptions before indexing.
    pub(super) boilerplate: Vec<Vec<String>>,
    pub(super) kinds: HashMap<String, Vec<KindEntry>>,
    pub(super) synonyms: HashMap<String, Meaning>,
    /// The most words in any phrase of `kinds` or `synonyms`.
    pub(super) longest_phrase: usize,
}

/// Most words read from any one text.
pub(super) const MAX_WORDS: usize = 64;

impl Vocabulary {
    /// Parses and compiles the vocabulary file.
    pub(super) fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let spec: VocabularySpec = serde_json::from_str(text)?;
        let stemmer = Stemmer::new();
        let lower = |words: &[String]| -> HashSet<String> {
            words.iter().map(|word| word.to_lowercase()).collect()
        };
        let mut vocabulary = Vocabulary {
            stop_words: lower(&spec.stop_words),
            doc_stop_words: lower(&spec.doc_stop_words),
            boilerplate: Vec::new(),
            kinds: HashMap::new(),
            synonyms: HashMap::new(),
            longest_phrase: 1,
            stemmer,
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
                let (leading_only, phrase) = match phrase.strip_prefix('^') {
                    Some(rest) => (true, rest),
                    None => (false, phrase.as_str()),
                };
                let key = vocabulary.key(phrase);
                if key.is_empty() {
                    continue;
                }
                let entries = vocabulary.kinds.entry(key).or_default();
                if !entries.iter().any(|entry| entry.hint == hint) {
                    entries.push(KindEntry { hint, leading_only });
                }
            }
        }
        for synonym in &spec.synonyms {
            let means: Vec<String> = synonym
                .means
                .iter()
                .flat_map(|phrase| vocabulary.document_stems(phrase))
                .collect();
            for phrase in &synonym.say {
                let key = vocabulary.key(phrase);
                if key.is_empty() {
                    continue;
                }
                let meaning = vocabulary.synonyms.entry(key).or_default();
                for stem in &means {
                    add_weighted(&mut meaning.stems, stem, synonym.weight);
                }
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

    /// The stems of a phrase, every word kept (phrase keys keep `of` in `get rid of`).
    fn stems(&self, phrase: &str) -> Vec<String> {
        self.stemmer
            .words(phrase, MAX_WORDS)
            .into_iter()
            .map(|word| word.stem)
            .collect()
    }

    /// A phrase's table key: its stems joined by spaces.
    pub(super) fn key(&self, phrase: &str) -> String {
        self.stems(phrase).join(" ")
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

/// Adds `stem` with `weight`, keeping the larger weight when it is already there.
pub(super) fn add_weighted(stems: &mut Vec<(String, f32)>, stem: &str, weight: f32) {
    match stems.iter_mut().find(|(existing, _)| existing == stem) {
        Some((_, existing)) => *existing = existing.max(weight),
        None => stems.push((stem.to_owned(), weight)),
    }
}
