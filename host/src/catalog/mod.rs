//! The catalog: which plugins are loaded, which actions they offer, and which plugin owns an
//! action. Readers take an `Arc` of a plugin, so a swap never disturbs a call in flight: it
//! finishes on the version it started with.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use time::OffsetDateTime;

use crate::runtime::{ActionDefinition, LoadedPlugin};

/// Where a plugin came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PluginSource {
    /// Embedded in the binary.
    Bundled,
    /// A file in the watched plugins dir.
    File,
    /// Uploaded with `PUT /admin/plugins/{id}`.
    Uploaded,
}

/// What operators see of one plugin (loaded or failed).
#[derive(Debug, Clone, Serialize)]
pub struct PluginStatus {
    pub id: String,
    pub version: Option<String>,
    pub actions: usize,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub source: PluginSource,
    pub hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub loaded_at: OffsetDateTime,
}

struct Entry {
    plugin: Arc<LoadedPlugin>,
    source: PluginSource,
    loaded_at: OffsetDateTime,
}

/// Loaded plugins by integration id, and refused ones by file or id.
#[derive(Default)]
pub struct PluginRegistry {
    loaded: RwLock<BTreeMap<String, Entry>>,
    failed: RwLock<BTreeMap<String, PluginStatus>>,
}

impl PluginRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `plugin` from now on (replacing any version with the same id) and returns the
    /// version it replaced.
    pub fn insert(&self, plugin: LoadedPlugin, source: PluginSource) -> Option<Arc<LoadedPlugin>> {
        let id = plugin.info.id.clone();
        self.failed.write().expect("registry lock").remove(&id);
        let entry = Entry {
            plugin: Arc::new(plugin),
            source,
            loaded_at: OffsetDateTime::now_utc(),
        };
        self.loaded
            .write()
            .expect("registry lock")
            .insert(id, entry)
            .map(|old| old.plugin)
    }

    /// Records a refusal under `key` (a file name, or the id when known).
    pub fn record_failure(&self, key: &str, source: PluginSource, hash: String, error: String) {
        let status = PluginStatus {
            id: key.to_string(),
            version: None,
            actions: 0,
            status: "failed",
            error: Some(error),
            source,
            hash,
            loaded_at: OffsetDateTime::now_utc(),
        };
        self.failed
            .write()
            .expect("registry lock")
            .insert(key.to_string(), status);
    }

    pub fn remove(&self, id: &str) -> Option<Arc<LoadedPlugin>> {
        self.failed.write().expect("registry lock").remove(id);
        self.loaded
            .write()
            .expect("registry lock")
            .remove(id)
            .map(|e| e.plugin)
    }

    pub fn get(&self, id: &str) -> Option<Arc<LoadedPlugin>> {
        self.loaded
            .read()
            .expect("registry lock")
            .get(id)
            .map(|e| e.plugin.clone())
    }

    pub fn source_of(&self, id: &str) -> Option<PluginSource> {
        self.loaded
            .read()
            .expect("registry lock")
            .get(id)
            .map(|e| e.source.clone())
    }

    /// Every loaded plugin, ordered by id.
    pub fn plugins(&self) -> Vec<Arc<LoadedPlugin>> {
        self.loaded
            .read()
            .expect("registry lock")
            .values()
            .map(|e| e.plugin.clone())
            .collect()
    }

    /// The plugin that owns `action` (by its upper-cased id prefix) and the action itself.
    pub fn find_action(&self, action: &str) -> Option<(Arc<LoadedPlugin>, ActionDefinition)> {
        let loaded = self.loaded.read().expect("registry lock");
        // Action names start with the upper-cased id and `_`; ids may themselves contain `_`,
        // so try each prefix that ends at an underscore.
        for (end, _) in action.match_indices('_') {
            let id = action[..end].to_ascii_lowercase();
            if let Some(entry) = loaded.get(&id)
                && let Some(definition) = entry.plugin.action(action)
            {
                return Some((entry.plugin.clone(), definition.clone()));
            }
        }
        None
    }

    /// Loaded and failed plugins, for operators.
    pub fn statuses(&self) -> Vec<PluginStatus> {
        let mut statuses: Vec<PluginStatus> = self
            .loaded
            .read()
            .expect("registry lock")
            .values()
            .map(|e| PluginStatus {
                id: e.plugin.info.id.clone(),
                version: Some(e.plugin.info.version.clone()),
                actions: e.plugin.actions.len(),
                status: "loaded",
                error: None,
                source: e.source.clone(),
                hash: e.plugin.hash.clone(),
                loaded_at: e.loaded_at,
            })
            .collect();
        statuses.extend(self.failed.read().expect("registry lock").values().cloned());
        statuses.sort_by(|a, b| a.id.cmp(&b.id));
        statuses
    }
}
