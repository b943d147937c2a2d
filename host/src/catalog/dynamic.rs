//! Per-user schemas of dynamic actions (custom fields), fetched with the plugin's `describe`
//! and kept for 8 hours, or until the user asks for `reload_fields` or the plugin changes. The
//! cache is bounded in bytes (`[limits] schema_cache_mib`): the least recently used schemas go
//! first, so no plugin's `describe` can grow the host's memory per user without end. Concurrent
//! requests for one missing schema share one `describe` (single flight).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use serde_json::value::RawValue;

use super::{ParameterValidator, ToolFormat, render};
use crate::manifest::ActionDefinition;
use crate::schema::SchemaError;

pub const USER_SCHEMA_TTL: Duration = Duration::from_secs(8 * 60 * 60);

/// One user's definition of one action.
pub struct UserSchema {
    plugin_hash: String,
    fetched: Instant,
    pub schema: Value,
    pub validator: ParameterValidator,
    pub tools: [Box<RawValue>; 3],
    /// Roughly what this entry holds in memory, for the cache's byte budget.
    bytes: u64,
}

impl UserSchema {
    pub fn new(plugin_hash: &str, definition: &ActionDefinition) -> Result<Self, SchemaError> {
        if definition.input_schema.get("type").and_then(Value::as_str) != Some("object") {
            return Err(SchemaError::new(
                "the described schema's root is not an object schema",
            ));
        }
        let validator = ParameterValidator::new(&definition.input_schema)?;
        let tools = ToolFormat::ALL.map(|f| render(definition, &definition.input_schema, f));
        // The schema tree and the compiled validator cost several times the text.
        let text = serde_json::to_string(&definition.input_schema).map_or(0, |t| t.len());
        let bytes = tools.iter().map(|t| t.get().len()).sum::<usize>() + 8 * text;
        Ok(UserSchema {
            plugin_hash: plugin_hash.into(),
            fetched: Instant::now(),
            tools,
            schema: definition.input_schema.clone(),
            validator,
            bytes: bytes as u64,
        })
    }
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<(String, String), Arc<UserSchema>> for ByBytes {
    fn weight(&self, _: &(String, String), schema: &Arc<UserSchema>) -> u64 {
        schema.bytes.max(1)
    }
}

/// `(user, action)` → schema, within a byte budget; clones share one cache.
#[derive(Clone)]
pub struct UserSchemas {
    entries: Arc<quick_cache::sync::Cache<(String, String), Arc<UserSchema>, ByBytes>>,
}

/// The default byte budget of the cache.
pub const USER_SCHEMA_CACHE_BYTES: u64 = 64 * 1024 * 1024;

impl Default for UserSchemas {
    fn default() -> Self {
        Self::with_capacity(USER_SCHEMA_CACHE_BYTES)
    }
}

impl UserSchemas {
    /// A cache holding at most about `bytes` of schemas.
    pub fn with_capacity(bytes: u64) -> Self {
        UserSchemas {
            entries: Arc::new(quick_cache::sync::Cache::with_weighter(
                1024, bytes, ByBytes,
            )),
        }
    }

    /// A fresh entry for the current plugin version.
    pub fn get(&self, user: &str, action: &str, plugin_hash: &str) -> Option<Arc<UserSchema>> {
        let entry = self.entries.get(&(user.to_string(), action.to_string()))?;
        (entry.plugin_hash == plugin_hash && entry.fetched.elapsed() < USER_SCHEMA_TTL)
            .then_some(entry)
    }

    /// The fresh entry for `(user, action)` of the plugin version `plugin_hash`, or the one
    /// `describe` makes. Callers that ask while a describe for the same key is under way wait for
    /// it instead of describing again; if it fails, the next waiter describes.
    pub async fn get_or_describe<E>(
        &self,
        user: &str,
        action: &str,
        plugin_hash: &str,
        describe: impl std::future::Future<Output = Result<UserSchema, E>>,
    ) -> Result<Arc<UserSchema>, E> {
        let key = (user.to_string(), action.to_string());
        let fresh = |entry: &UserSchema| {
            entry.plugin_hash == plugin_hash && entry.fetched.elapsed() < USER_SCHEMA_TTL
        };
        let guard = loop {
            match self.entries.get_value_or_guard_async(&key).await {
                Ok(entry) if fresh(&entry) => return Ok(entry),
                // Stale (expired, or another plugin version): drop exactly that entry.
                Ok(stale) => {
                    self.entries
                        .remove_if(&key, |held| Arc::ptr_eq(held, &stale));
                }
                Err(guard) => break guard,
            }
        };
        let schema = Arc::new(describe.await?);
        // Refused only when larger than the whole budget: then it is used once, not kept.
        let _ = guard.insert(schema.clone());
        Ok(schema)
    }

    /// Keeps `schema` (an entry larger than the whole budget is used once and not kept).
    pub fn insert(&self, user: &str, action: &str, schema: UserSchema) -> Arc<UserSchema> {
        let schema = Arc::new(schema);
        self.entries
            .insert((user.to_string(), action.to_string()), schema.clone());
        schema
    }

    /// Forgets every schema of `user` (`reload_fields=true`).
    pub fn drop_user(&self, user: &str) {
        self.entries.retain(|(u, _), _| u != user);
    }

    /// Forgets every schema.
    pub fn clear(&self) {
        self.entries.clear();
    }

    /// Bytes the cache holds now (by its own estimate).
    pub fn bytes(&self) -> u64 {
        self.entries.weight()
    }
}
