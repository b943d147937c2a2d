//! The catalog: which plugins are loaded, which actions they offer, and which plugin owns an
//! action. Each plugin's actions are prepared once per load — parameter validators compiled and
//! tool definitions rendered in every format — so listing and validating never call into wasm.
//! Readers take an `Arc` of a plugin, so a swap never disturbs a call in flight: it finishes on
//! the version it started with.
//!
//! An action belongs to exactly one plugin, decided by its name alone: the loaded plugin whose
//! id is the longest prefix of it (`ACME_CALENDAR_CREATE_EVENT` is `acme_calendar`'s when that
//! is loaded, even if `acme` declares it too). A plugin's actions that another plugin owns are
//! *shadowed*: neither listed nor run under it, and shown to operators.

mod dynamic;
pub mod markdown;
mod parameters;
pub mod search;
mod tools;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use serde::Serialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;

pub use dynamic::{USER_SCHEMA_CACHE_BYTES, USER_SCHEMA_TTL, UserSchema, UserSchemas};
pub use parameters::{ParameterError, ParameterValidator};
pub use tools::{ToolFormat, mcp_annotations, render};

use crate::manifest::ActionDefinition;
use crate::policy::{Gates, PluginPolicy};
use crate::runtime::LoadedPlugin;

/// Where a plugin came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// The operator's policy in force, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PluginPolicy>,
    /// Actions this plugin declares that belong to another loaded plugin (a longer id prefix).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shadowed_actions: Vec<String>,
    /// Set when this plugin took the id of a bundled plugin: it serves that integration, and
    /// every user's stored credentials for it, instead of the bundled version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces_bundled: Option<ReplacedBundled>,
}

/// The bundled plugin an operator's plugin replaces.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplacedBundled {
    /// SHA-256 of the bundled component.
    pub hash: String,
}

/// One action, ready to list and to validate.
pub struct CatalogAction {
    pub definition: ActionDefinition,
    pub validator: ParameterValidator,
    /// The tool definition in each [`ToolFormat`], by `ToolFormat::index`.
    pub tools: [Box<RawValue>; 3],
}

/// A loaded plugin with its prepared actions.
pub struct CatalogPlugin {
    pub loaded: LoadedPlugin,
    pub actions: Vec<CatalogAction>,
    pub source: PluginSource,
    pub loaded_at: OffsetDateTime,
    pub replaces_bundled: Option<ReplacedBundled>,
    /// The operator's policy applied to this plugin, if any.
    pub policy: Option<PluginPolicy>,
    /// Its admission gates (concurrency, rates), which go with this version of the plugin.
    pub gates: Arc<Gates>,
    /// Where each action is in `actions`, by name: a call looks its action up several times,
    /// and a plugin may declare up to 1,000 of them.
    by_name: HashMap<String, usize>,
}

impl CatalogPlugin {
    /// Compiles validators and renders tools: plugin-controlled work, so callers on an async
    /// worker run it on the blocking pool.
    pub fn prepare(
        loaded: LoadedPlugin,
        source: PluginSource,
        policy: Option<PluginPolicy>,
        gates: Arc<Gates>,
    ) -> Self {
        let actions = loaded
            .actions
            .iter()
            .map(|definition| CatalogAction {
                // Load-time validation already compiled every input schema.
                validator: ParameterValidator::new(&definition.input_schema)
                    .expect("input schemas are validated when the plugin loads"),
                tools: ToolFormat::ALL.map(|f| render(definition, &definition.input_schema, f)),
                definition: definition.clone(),
            })
            .collect::<Vec<CatalogAction>>();
        let by_name = actions
            .iter()
            .enumerate()
            .map(|(at, action)| (action.definition.name.clone(), at))
            .collect();
        CatalogPlugin {
            loaded,
            actions,
            by_name,
            source,
            loaded_at: OffsetDateTime::now_utc(),
            replaces_bundled: None,
            policy,
            gates,
        }
    }

    pub fn id(&self) -> &str {
        &self.loaded.info.id
    }

    pub fn action(&self, name: &str) -> Option<&CatalogAction> {
        self.by_name.get(name).map(|&at| &self.actions[at])
    }

    fn status(&self, shadowed: Vec<String>) -> PluginStatus {
        PluginStatus {
            id: self.loaded.info.id.clone(),
            version: Some(self.loaded.info.version.clone()),
            actions: self.actions.len(),
            status: "loaded",
            error: None,
            source: self.source.clone(),
            hash: self.loaded.hash.clone(),
            loaded_at: self.loaded_at,
            policy: self.policy.clone(),
            shadowed_actions: shadowed,
            replaces_bundled: self.replaces_bundled.clone(),
        }
    }
}

/// Loaded plugins by integration id, and refused ones by file or id.
#[derive(Default)]
pub struct PluginRegistry {
    loaded: RwLock<BTreeMap<String, Arc<CatalogPlugin>>>,
    failed: RwLock<BTreeMap<String, PluginStatus>>,
    /// Plugin id → its actions another loaded plugin owns; recomputed on every change.
    shadowed: RwLock<BTreeMap<String, std::collections::BTreeSet<String>>>,
    /// Told of every plugin loaded, replaced or removed.
    changes: crate::changes::Changes,
    /// Counts the changes to what is served, so that what is derived from the whole catalog
    /// (the search index) is rebuilt when, and only when, it changed.
    generation: AtomicU64,
}

/// The loaded plugin that owns `action`: the one with the longest id that prefixes it.
fn owner_id<'a>(loaded: &'a BTreeMap<String, Arc<CatalogPlugin>>, action: &str) -> Option<&'a str> {
    action.match_indices('_').rev().find_map(|(end, _)| {
        let prefix = &action[..end];
        let id = prefix.to_ascii_lowercase();
        loaded.get_key_value(&id).map(|(key, _)| key.as_str())
    })
}

impl PluginRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry that tells `changes` of every plugin loaded, replaced or removed.
    pub fn with_changes(changes: crate::changes::Changes) -> Self {
        PluginRegistry {
            changes,
            ..Self::default()
        }
    }

    /// Serves a prepared plugin from now on (replacing any version with the same id) and
    /// returns the version it replaced.
    pub fn insert(&self, plugin: CatalogPlugin) -> Option<Arc<CatalogPlugin>> {
        let id = plugin.loaded.info.id.clone();
        self.failed.write().expect("registry lock").remove(&id);
        let old = self
            .loaded
            .write()
            .expect("registry lock")
            .insert(id, Arc::new(plugin));
        self.reassign_owners();
        self.changes.send(crate::changes::ToolsChanged::Catalog);
        self.generation.fetch_add(1, Ordering::Release);
        old
    }

    /// The number of changes to the loaded plugins so far. Read it before reading the plugins:
    /// a change in between then shows as a newer generation, never as an older one.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Recomputes which plugins' actions are shadowed, warning about each new shadowing.
    fn reassign_owners(&self) {
        let loaded = self.loaded.read().expect("registry lock");
        let mut shadowed: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
        for (id, plugin) in loaded.iter() {
            for action in &plugin.actions {
                let name = &action.definition.name;
                if let Some(owner) = owner_id(&loaded, name).filter(|owner| owner != id) {
                    shadowed.entry(id.clone()).or_default().insert(name.clone());
                    let known = self
                        .shadowed
                        .read()
                        .expect("registry lock")
                        .get(id)
                        .is_some_and(|set| set.contains(name));
                    if !known {
                        tracing::warn!(
                            plugin = %id, action = %name, owner,
                            "action {name} of plugin {id} is shadowed: its name belongs to plugin {owner}"
                        );
                    }
                }
            }
        }
        *self.shadowed.write().expect("registry lock") = shadowed;
    }

    /// The actions of plugin `id` that another plugin owns (not listed, not run): read once per
    /// listing, not once per action.
    pub fn shadowed(&self, id: &str) -> std::collections::BTreeSet<String> {
        self.shadowed
            .read()
            .expect("registry lock")
            .get(id)
            .cloned()
            .unwrap_or_default()
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
            policy: None,
            shadowed_actions: Vec::new(),
            replaces_bundled: None,
        };
        self.failed
            .write()
            .expect("registry lock")
            .insert(key.to_string(), status);
    }

    /// Forgets a refusal recorded under `key` (the file was fixed or removed).
    pub fn clear_failure(&self, key: &str) {
        self.failed.write().expect("registry lock").remove(key);
    }

    /// What serves `id` now, if anything.
    pub fn source_of(&self, id: &str) -> Option<PluginSource> {
        self.loaded
            .read()
            .expect("registry lock")
            .get(id)
            .map(|p| p.source.clone())
    }

    pub fn remove(&self, id: &str) -> Option<Arc<CatalogPlugin>> {
        self.failed.write().expect("registry lock").remove(id);
        let removed = self.loaded.write().expect("registry lock").remove(id);
        self.reassign_owners();
        self.generation.fetch_add(1, Ordering::Release);
        if removed.is_some() {
            self.changes.send(crate::changes::ToolsChanged::Catalog);
        }
        removed
    }

    pub fn get(&self, id: &str) -> Option<Arc<CatalogPlugin>> {
        self.loaded.read().expect("registry lock").get(id).cloned()
    }

    /// Every loaded plugin, ordered by id.
    pub fn plugins(&self) -> Vec<Arc<CatalogPlugin>> {
        self.loaded
            .read()
            .expect("registry lock")
            .values()
            .cloned()
            .collect()
    }

    /// The plugin that owns `action` (the longest loaded id prefixing it), if it declares it.
    pub fn find_action(&self, action: &str) -> Option<Arc<CatalogPlugin>> {
        let loaded = self.loaded.read().expect("registry lock");
        let plugin = loaded.get(owner_id(&loaded, action)?)?;
        plugin.action(action).is_some().then(|| plugin.clone())
    }

    /// Loaded and failed plugins, for operators.
    pub fn statuses(&self) -> Vec<PluginStatus> {
        let mut statuses: Vec<PluginStatus> = self
            .loaded
            .read()
            .expect("registry lock")
            .values()
            .map(|p| p.status(self.shadowed(p.id()).into_iter().collect()))
            .collect();
        statuses.extend(self.failed.read().expect("registry lock").values().cloned());
        statuses.sort_by(|a, b| a.id.cmp(&b.id));
        statuses
    }
}
