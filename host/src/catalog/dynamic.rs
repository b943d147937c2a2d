//! Per-user schemas of dynamic actions (custom fields), fetched with the plugin's `describe`
//! and kept for 8 hours, or until the user asks for `reload_fields` or the plugin changes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use serde_json::value::RawValue;

use super::{ParameterValidator, ToolFormat, render};
use crate::runtime::ActionDefinition;

pub const USER_SCHEMA_TTL: Duration = Duration::from_secs(8 * 60 * 60);

/// One user's definition of one action.
pub struct UserSchema {
    plugin_hash: String,
    fetched: Instant,
    pub schema: Value,
    pub validator: ParameterValidator,
    pub tools: [Box<RawValue>; 3],
}

impl UserSchema {
    pub fn new(plugin_hash: &str, definition: &ActionDefinition) -> Result<Self, String> {
        let validator = ParameterValidator::new(&definition.input_schema)?;
        if definition.input_schema.get("type").and_then(Value::as_str) != Some("object") {
            return Err("the described schema's root is not an object schema".into());
        }
        Ok(UserSchema {
            plugin_hash: plugin_hash.into(),
            fetched: Instant::now(),
            tools: ToolFormat::ALL.map(|f| render(definition, &definition.input_schema, f)),
            schema: definition.input_schema.clone(),
            validator,
        })
    }
}

/// `(user, action)` → schema.
#[derive(Default)]
pub struct UserSchemas {
    entries: Mutex<HashMap<(String, String), Arc<UserSchema>>>,
}

impl UserSchemas {
    /// A fresh entry for the current plugin version.
    pub fn get(&self, user: &str, action: &str, plugin_hash: &str) -> Option<Arc<UserSchema>> {
        let entries = self.entries.lock().expect("schema cache lock");
        let entry = entries.get(&(user.to_string(), action.to_string()))?;
        (entry.plugin_hash == plugin_hash && entry.fetched.elapsed() < USER_SCHEMA_TTL)
            .then(|| entry.clone())
    }

    pub fn insert(&self, user: &str, action: &str, schema: UserSchema) -> Arc<UserSchema> {
        let schema = Arc::new(schema);
        self.entries
            .lock()
            .expect("schema cache lock")
            .insert((user.to_string(), action.to_string()), schema.clone());
        schema
    }

    /// Forgets every schema of `user` (`reload_fields=true`).
    pub fn drop_user(&self, user: &str) {
        self.entries
            .lock()
            .expect("schema cache lock")
            .retain(|(u, _), _| u != user);
    }
}
