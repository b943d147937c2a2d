//! The catalog: which plugins are loaded, which actions they offer, and which plugin owns an
//! action. Each plugin's actions are prepared once per load — parameter validators compiled and
//! tool definitions rendered in every format — so listing and validating never call into wasm.
//! Readers take an `Arc` of a plugin, so a swap never disturbs a call in flight: it finishes on
//! the version it started with.

mod dynamic;
mod tools;
mod validation;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::Serialize;
use serde_json::value::RawValue;
use time::OffsetDateTime;

pub use dynamic::{USER_SCHEMA_TTL, UserSchema, UserSchemas};
pub use tools::{ToolFormat, render};
pub use validation::{ParameterError, ParameterValidator};

use crate::runtime::{ActionDefinition, LoadedPlugin};

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
    pub policy: Option<crate::policy::PluginPolicy>,
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
}

impl CatalogPlugin {
    fn prepare(loaded: LoadedPlugin, source: PluginSource) -> Self {
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
            .collect();
        CatalogPlugin {
            loaded,
            actions,
            source,
            loaded_at: OffsetDateTime::now_utc(),
        }
    }

    pub fn id(&self) -> &str {
        &self.loaded.info.id
    }

    pub fn action(&self, name: &str) -> Option<&CatalogAction> {
        self.actions.iter().find(|a| a.definition.name == name)
    }

    fn status(&self) -> PluginStatus {
        PluginStatus {
            id: self.loaded.info.id.clone(),
            version: Some(self.loaded.info.version.clone()),
            actions: self.actions.len(),
            status: "loaded",
            error: None,
            source: self.source.clone(),
            hash: self.loaded.hash.clone(),
            loaded_at: self.loaded_at,
            policy: self.loaded.policy.clone(),
        }
    }
}

/// Loaded plugins by integration id, and refused ones by file or id.
#[derive(Default)]
pub struct PluginRegistry {
    loaded: RwLock<BTreeMap<String, Arc<CatalogPlugin>>>,
    failed: RwLock<BTreeMap<String, PluginStatus>>,
}

impl PluginRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `plugin` from now on (replacing any version with the same id) and returns the
    /// version it replaced.
    pub fn insert(&self, plugin: LoadedPlugin, source: PluginSource) -> Option<Arc<CatalogPlugin>> {
        let id = plugin.info.id.clone();
        let prepared = Arc::new(CatalogPlugin::prepare(plugin, source));
        self.failed.write().expect("registry lock").remove(&id);
        self.loaded
            .write()
            .expect("registry lock")
            .insert(id, prepared)
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
        self.loaded.write().expect("registry lock").remove(id)
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

    /// The plugin that owns `action`, found by the action's upper-cased id prefix.
    pub fn find_action(&self, action: &str) -> Option<Arc<CatalogPlugin>> {
        let loaded = self.loaded.read().expect("registry lock");
        // Ids may contain `_`, so try each prefix that ends at an underscore.
        action.match_indices('_').find_map(|(end, _)| {
            let plugin = loaded.get(&action[..end].to_ascii_lowercase())?;
            plugin.action(action).is_some().then(|| plugin.clone())
        })
    }

    /// Loaded and failed plugins, for operators.
    pub fn statuses(&self) -> Vec<PluginStatus> {
        let mut statuses: Vec<PluginStatus> = self
            .loaded
            .read()
            .expect("registry lock")
            .values()
            .map(|p| p.status())
            .collect();
        statuses.extend(self.failed.read().expect("registry lock").values().cloned());
        statuses.sort_by(|a, b| a.id.cmp(&b.id));
        statuses
    }
}
