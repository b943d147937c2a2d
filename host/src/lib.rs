//! actionhost: serves sandboxed WebAssembly provider plugins as authenticated actions for AI agents.
//!
//! The data path of one execute call follows the modules:
//! [`api`] (HTTP, auth) → [`catalog`] (which plugin owns the action, its schema) →
//! [`runtime`] (a fresh wasm instance under limits) → the plugin → [`capability::http`]
//! (allowlist, override, credential injection from [`credentials`]) → the provider.
//! [`store`] holds everything persistent: one sled database under the data dir, or PostgreSQL.

pub mod account_fields;
pub mod api;
pub mod app;
pub mod capability;
pub mod catalog;
pub mod changes;
pub mod config;
pub mod connect;
pub mod credentials;
pub mod deadline;
pub mod execute;
pub mod identity;
pub mod manifest;
pub mod migrate;
pub mod observability;
pub mod origin;
pub mod plugin_sources;
pub mod policy;
pub mod quote;
pub mod runtime;
pub mod scaffold;
pub mod schema;
pub mod store;

#[cfg(test)]
mod layers;

/// Bundled provider plugins, compiled to wasm32-wasip2 by the build script and embedded here
/// so that the binary serves them with no other files.
pub mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled_plugins.rs"));
}
