//! Search over the action catalog by words, ranked with BM25 (the `bm25` crate's embedder and
//! scorer): what the MCP server's search mode (`api/mcp_search.rs`) answers `search_actions`
//! with, so that an agent finds one action among thousands without listing them all.
//!
//! Every served action is indexed in two fields, scored apart and added up: its name with its
//! integration's id and name (counted [`NAME_WEIGHT`] times), and its description with its
//! parameters' names and descriptions. Words are split at every character that is not a letter
//! or digit and where a lower-case letter meets an upper-case one (`GITHUB_CREATE_ISSUE`,
//! `per_page` and `perPage` give the same words as prose), lower-cased and stemmed (Snowball
//! English, `rust-stemmers`), so that "issues" finds "issue".
//!
//! The index is built from the whole catalog once per change of it ([`PluginRegistry::generation`]),
//! on the first search after the change, never per request; which of its documents a user may
//! see is decided per query by the caller (`keep`), as the user's available actions change with
//! their accounts, not with the catalog.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use bm25::{Embedder, EmbedderBuilder, Scorer, Tokenizer};
use rust_stemmers::{Algorithm, Stemmer};
use serde_json::Value;

use super::PluginRegistry;
use crate::manifest::ActionHints;

/// Longest summary of an action's description in a search result.
const SUMMARY_BYTES: usize = 200;

/// One indexed action.
#[derive(Debug, Clone)]
pub struct IndexedAction {
    pub integration: String,
    pub name: String,
    /// The description's first sentence, at most [`SUMMARY_BYTES`].
    pub summary: String,
    pub hints: ActionHints,
}

/// One search result: the action and its BM25 score (higher is more relevant).
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub action: IndexedAction,
    pub score: f32,
}

/// The catalog's search index, rebuilt when the catalog changes.
pub struct ActionIndex {
    registry: Arc<PluginRegistry>,
    current: RwLock<Option<Arc<IndexedCatalog>>>,
    /// Held while building, so that concurrent searches after a change build it once.
    building: Mutex<()>,
}

/// The index of one generation of the catalog.
pub struct IndexedCatalog {
    generation: u64,
    /// Each action's name, integration id and integration name.
    names: Field,
    /// Each action's description and parameters.
    texts: Field,
    actions: Vec<IndexedAction>,
}

/// How much more a query word found in an action's name counts than one in its prose.
const NAME_WEIGHT: f32 = 2.0;

/// One field of every action, scored on its own (BM25's length normalization then compares
/// names with names: a long parameter list does not push an action down).
struct Field {
    embedder: Embedder<u32, Words>,
    scorer: Scorer<u32, u32>,
}

impl Field {
    /// Fits the field's average length to `documents` and embeds each, its id its position.
    fn index(documents: &[String]) -> Self {
        let corpus: Vec<&str> = documents.iter().map(String::as_str).collect();
        let embedder = EmbedderBuilder::<u32, Words>::with_tokenizer_and_fit_to_corpus(
            Words::english(),
            &corpus,
        )
        .build();
        let mut scorer = Scorer::new();
        for (id, document) in documents.iter().enumerate() {
            scorer.upsert(&(id as u32), embedder.embed(document));
        }
        Field { embedder, scorer }
    }
}

impl ActionIndex {
    pub fn new(registry: Arc<PluginRegistry>) -> Self {
        ActionIndex {
            registry,
            current: RwLock::new(None),
            building: Mutex::new(()),
        }
    }

    /// The index of the catalog as it is now, if it is built already (cheap: no building).
    pub fn fresh(&self) -> Option<Arc<IndexedCatalog>> {
        let generation = self.registry.generation();
        self.current
            .read()
            .expect("index lock")
            .as_ref()
            .filter(|index| index.generation == generation)
            .cloned()
    }

    /// The index of the catalog as it is now, built first if the catalog changed since the last
    /// one. Building is CPU work proportional to the catalog (milliseconds for a thousand
    /// actions): callers on an async worker run it on the blocking pool.
    pub fn current(&self) -> Arc<IndexedCatalog> {
        if let Some(index) = self.fresh() {
            return index;
        }
        let _building = self.building.lock().expect("index build lock");
        // Another search may have built it while this one waited.
        if let Some(index) = self.fresh() {
            return index;
        }
        let index = Arc::new(IndexedCatalog::build(&self.registry));
        *self.current.write().expect("index lock") = Some(index.clone());
        index
    }
}

impl IndexedCatalog {
    /// Indexes every action the registry serves (shadowed ones are not served, so not indexed).
    pub fn build(registry: &PluginRegistry) -> Self {
        // The generation is read before the plugins: a change in between makes the next search
        // build again, never keeps an index older than its generation says.
        let generation = registry.generation();
        let mut actions = Vec::new();
        let (mut names, mut texts) = (Vec::new(), Vec::new());
        for plugin in registry.plugins() {
            let info = &plugin.loaded.info;
            let shadowed = registry.shadowed(&info.id);
            for action in plugin
                .actions
                .iter()
                .filter(|a| !shadowed.contains(&a.definition.name))
            {
                let definition = &action.definition;
                names.push(format!("{} {} {}", definition.name, info.id, info.name));
                let mut text = definition.description.clone();
                parameter_words(&definition.input_schema, &mut text);
                texts.push(text);
                actions.push(IndexedAction {
                    integration: info.id.clone(),
                    name: definition.name.clone(),
                    summary: summary(&definition.description),
                    hints: definition.hints,
                });
            }
        }
        IndexedCatalog {
            generation,
            names: Field::index(&names),
            texts: Field::index(&texts),
            actions,
        }
    }

    /// Actions indexed.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// At most `limit` of the actions that `keep` accepts and that share a word with `query`,
    /// most relevant first (equal scores in catalog order, so that results are stable).
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        mut keep: impl FnMut(&IndexedAction) -> bool,
    ) -> Vec<SearchHit> {
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for (field, weight) in [(&self.names, NAME_WEIGHT), (&self.texts, 1.0)] {
            for found in field.scorer.matches(&field.embedder.embed(query)) {
                *scores.entry(found.id).or_default() += weight * found.score;
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .filter_map(|(id, score)| {
                let action = &self.actions[id as usize];
                keep(action).then(|| SearchHit {
                    action: action.clone(),
                    score,
                })
            })
            .take(limit)
            .collect()
    }
}

/// Appends the names and descriptions of the top-level parameters in `schema` to `document`.
fn parameter_words(schema: &Value, document: &mut String) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        document.push(' ');
        document.push_str(name);
        if let Some(description) = property.get("description").and_then(Value::as_str) {
            document.push(' ');
            document.push_str(description);
        }
    }
}

/// The first sentence of `description` (or its first line), cut to [`SUMMARY_BYTES`].
fn summary(description: &str) -> String {
    let line = description.lines().next().unwrap_or("").trim();
    let sentence = line.find(". ").map_or(line, |end| &line[..=end]);
    let cut = crate::quote::truncate(sentence, SUMMARY_BYTES);
    if cut.len() < sentence.len() {
        format!("{cut}…")
    } else {
        cut.to_string()
    }
}

/// Splits text into stemmed, lower-case words (see the module doc).
pub struct Words {
    stemmer: Stemmer,
}

impl Words {
    pub fn english() -> Self {
        Words {
            stemmer: Stemmer::create(Algorithm::English),
        }
    }
}

impl Tokenizer for Words {
    fn tokenize(&self, text: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut after_lower = false;
        let mut flush = |word: &mut String| {
            if !word.is_empty() {
                words.push(self.stemmer.stem(word).into_owned());
                word.clear();
            }
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                if c.is_uppercase() && after_lower {
                    flush(&mut word);
                }
                after_lower = c.is_lowercase();
                word.extend(c.to_lowercase());
            } else {
                flush(&mut word);
                after_lower = false;
            }
        }
        flush(&mut word);
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parameters_and_prose_give_the_same_words() {
        let words = Words::english();
        assert_eq!(
            words.tokenize("GITHUB_CREATE_ISSUE"),
            ["github", "creat", "issu"]
        );
        assert_eq!(words.tokenize("Creates issues"), ["creat", "issu"]);
        assert_eq!(
            words.tokenize("perPage per_page"),
            ["per", "page", "per", "page"]
        );
        assert_eq!(words.tokenize("  ,. "), Vec::<String>::new());
    }

    #[test]
    fn a_summary_is_the_first_sentence_cut_to_size() {
        assert_eq!(
            summary("Get a repository. Use it to read.\nMore."),
            "Get a repository."
        );
        assert_eq!(summary("One line only"), "One line only");
        let long = "word ".repeat(100);
        let cut = summary(&long);
        assert!(cut.ends_with('…') && cut.len() <= SUMMARY_BYTES + '…'.len_utf8());
    }
}
