//! Wiring: builds every part of a running host from [`Settings`] and loads the plugins.

use std::sync::Arc;

use crate::api::auth::{AdminKey, AuthSetupError, Authenticator};
use crate::audit::AuditLog;
use crate::capability::http::Egress;
use crate::catalog::{PluginRegistry, PluginSource, UserSchemas};
use crate::config::Settings;
use crate::credentials::{AccountStore, MasterKey, OAuthFlows, Sealer};
use crate::metrics::Metrics;
use crate::runtime::Runtime;
use crate::store::Store;

/// Everything the API handlers share.
pub struct AppState {
    pub settings: Settings,
    pub store: Store,
    pub accounts: AccountStore,
    pub oauth: OAuthFlows,
    pub runtime: Runtime,
    pub registry: PluginRegistry,
    pub user_schemas: UserSchemas,
    pub auth: Authenticator,
    pub admin_key: AdminKey,
    pub audit: AuditLog,
    pub metrics: Metrics,
    pub plugin_files: crate::plugins::PluginFiles,
    /// Concurrency and rate limits per plugin id, from its policy.
    pub gates: std::sync::Mutex<std::collections::HashMap<String, Arc<crate::policy::Gates>>>,
    watcher: std::sync::Mutex<Option<notify::RecommendedWatcher>>,
}

/// Errors that stop the host from starting; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialError),
    #[error(transparent)]
    Auth(#[from] AuthSetupError),
    #[error("{0}")]
    Runtime(String),
}

impl AppState {
    /// Opens the store, keys and runtime, and loads the bundled plugins.
    pub async fn start(settings: Settings) -> Result<Arc<Self>, StartError> {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            StartError::Runtime(format!(
                "cannot create the data dir {}: {e}",
                settings.data_dir.display()
            ))
        })?;
        let store = Store::open(&settings.data_dir)?;
        let master =
            MasterKey::load_or_generate(settings.master_key.as_deref(), &settings.data_dir)?;
        let sealer = Sealer::new(&master);
        let accounts = AccountStore::open(&store, sealer.clone())?;
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", settings.listen));
        let oauth = OAuthFlows::open(
            &store,
            sealer,
            accounts.clone(),
            &public_url,
            settings.allow_private_origins.clone(),
        )
        .map_err(|e| StartError::Runtime(e.to_string()))?;
        let egress = Egress::new(settings.upstream_overrides.clone(), settings.egress_limits)
            .map_err(StartError::Runtime)?
            .with_open_origins(settings.allow_private_origins.clone());
        let runtime = Runtime::new(Arc::new(egress), Some(settings.data_dir.join("cache")))
            .map_err(StartError::Runtime)?
            .with_catalog_limits(settings.catalog_limits);
        if !runtime.pooling {
            tracing::warn!("serving with on-demand instance allocation (slower instantiation)");
        }
        let auth = Authenticator::from_settings(&settings)?;
        let (admin_key, generated) = AdminKey::from_settings(&settings)?;
        if let Some(key) = generated {
            // Printed once, on the console only (never logged), as the CONTRACT says.
            println!(
                "generated admin key (saved in {}): {}",
                settings.data_dir.join("admin.key").display(),
                key.expose()
            );
        }
        let audit = AuditLog::open(&store)?;
        let user_schemas = UserSchemas::with_capacity(settings.schema_cache_bytes);
        let state = Arc::new(AppState {
            settings,
            store,
            accounts,
            oauth,
            runtime,
            registry: PluginRegistry::new(),
            user_schemas,
            auth,
            admin_key,
            audit,
            metrics: Metrics::new(),
            plugin_files: Default::default(),
            gates: Default::default(),
            watcher: std::sync::Mutex::new(None),
        });
        state.load_all_plugins().await;
        let watcher = crate::plugins::watch(&state).map_err(StartError::Runtime)?;
        *state.watcher.lock().expect("watcher lock") = watcher;
        Ok(state)
    }

    /// Loads one component and serves it, or records why it was refused; the log says which.
    pub async fn load_plugin(&self, name: &str, bytes: &[u8], source: PluginSource) -> bool {
        match self.runtime.load(bytes, self.settings.call_limits).await {
            Ok(mut plugin) => {
                self.apply_policy(&mut plugin);
                self.serve(plugin, source, name).await;
                true
            }
            Err(error) => {
                tracing::error!(file = name, reasons = ?error.reasons, "refused plugin {name}");
                let key = error.plugin_id.clone().unwrap_or_else(|| name.to_string());
                self.metrics.plugin_load(&key, "refused");
                self.registry.record_failure(
                    &key,
                    source,
                    crate::runtime::sha256_hex(bytes),
                    error.reasons.join("; "),
                );
                false
            }
        }
    }
}
