//! Wiring: builds every part of a running host from [`Settings`], loads the plugins, and holds
//! what the API handlers share.

use std::sync::Arc;

use crate::capability::http::{Egress, EgressSetupError};
use crate::catalog::search::ActionIndex;
use crate::catalog::{PluginRegistry, UserSchemas};
use crate::changes::Changes;
use crate::config::Settings;
use crate::credentials::{AccountStore, MasterKey, OAuthError, OAuthFlows, Sealer};
use crate::execute::Executor;
use crate::identity::{AdminKey, AuthSetupError, Authenticator};
use crate::observability::audit::{AuditLog, AuditRecord};
use crate::observability::metrics::Metrics;
use crate::plugin_sources::{PluginSources, WatchError};
use crate::runtime::{Runtime, RuntimeError};
use crate::store::Store;

/// Everything the API handlers share.
pub struct AppState {
    pub settings: Settings,
    pub store: Store,
    /// User tokens.
    pub auth: Authenticator,
    /// The operator's key for `/admin/*`.
    pub admin_key: AdminKey,
    pub accounts: AccountStore,
    pub oauth: Arc<OAuthFlows>,
    /// The plugins being served.
    pub registry: Arc<PluginRegistry>,
    /// Where plugins come from, and their changes while serving.
    pub sources: Arc<PluginSources>,
    /// Runs actions and lists tools.
    pub executor: Executor,
    /// The catalog's search index (the MCP server's search mode).
    pub action_index: ActionIndex,
    pub audit: AuditLog,
    pub metrics: Arc<Metrics>,
    /// Changes to users' tool lists (plugins loaded, accounts connected).
    pub changes: Changes,
    /// Links to the hosted connect page and their sessions.
    pub connect_sessions: crate::connect::ConnectSessions,
    /// Which user owns each MCP session.
    pub mcp_sessions: crate::identity::SessionOwners,
}

/// Errors that stop the host from starting; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the data dir {dir}: {source}")]
    DataDir {
        dir: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialError),
    #[error(transparent)]
    Auth(#[from] AuthSetupError),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error(transparent)]
    Egress(#[from] EgressSetupError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error(
        "ACTIONHOST_DATABASE_URL needs ACTIONHOST_MASTER_KEY: every host sharing the database must seal secrets with the same key, so none may generate its own"
    )]
    SharedKey,
    #[error(
        "ACTIONHOST_MASTER_KEY is not the key this database's secrets were sealed with; give this host the same key as the others"
    )]
    WrongKey,
}

/// Makes sure every host sharing the database seals with one key: the first host stores a
/// value sealed with its key, every later one must be able to open it (the value is random and
/// says nothing of the key).
async fn check_master_key(store: &Store, sealer: &Sealer) -> Result<(), StartError> {
    const KEY: &[u8] = b"master-key-check";
    let tree = store.tree(crate::store::trees::META)?;
    loop {
        if let Some(sealed) = tree.get(KEY).await? {
            return match sealer.open(&sealed, KEY) {
                Ok(_) => Ok(()),
                Err(_) => Err(StartError::WrongKey),
            };
        }
        let check = sealer.seal(crate::credentials::random_token(16).as_bytes(), KEY);
        if tree.compare_and_swap(KEY, None, Some(check)).await? {
            return Ok(());
        }
    }
}

impl AppState {
    /// The base of the host's public URLs: `ACTIONHOST_PUBLIC_URL`, else `http://` + the
    /// bound address.
    pub fn public_url(&self) -> String {
        self.settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.settings.listen))
    }

    /// Opens the store, keys and runtime, and loads the plugins.
    pub async fn start(settings: Settings) -> Result<Arc<Self>, StartError> {
        std::fs::create_dir_all(&settings.data_dir).map_err(|source| StartError::DataDir {
            dir: settings.data_dir.clone(),
            source,
        })?;
        let store = match &settings.database_url {
            Some(url) => {
                if settings.master_key.is_none() {
                    return Err(StartError::SharedKey);
                }
                Store::connect(url.expose(), settings.database_pool).await?
            }
            None => Store::open(&settings.data_dir)?,
        };
        let master =
            MasterKey::load_or_generate(settings.master_key.as_deref(), &settings.data_dir)?;
        let sealer = Sealer::new(&master);
        if store.shared() {
            check_master_key(&store, &sealer).await?;
        }
        let changes = Changes::default();
        let audit = AuditLog::open(&store)?;
        let audited = audit.clone();
        let accounts = AccountStore::open(&store, sealer.clone())?
            .with_changes(changes.clone())
            .with_events(Arc::new(move |account, event| {
                audited.append(AuditRecord::account_event(
                    &account.user,
                    &account.integration,
                    event,
                ))
            }));
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", settings.listen));
        accounts.watch();
        let oauth = Arc::new(OAuthFlows::open(
            &store,
            sealer,
            accounts.clone(),
            &public_url,
            settings.allow_private_origins.clone(),
            &settings.extra_roots,
        )?);
        let egress = Egress::with_roots(
            settings.upstream_overrides.clone(),
            settings.egress_limits,
            &settings.extra_roots,
        )?
        .with_open_origins(settings.allow_private_origins.clone());
        let runtime = Arc::new(
            Runtime::new(Arc::new(egress), Some(settings.data_dir.join("cache")))?
                .with_catalog_limits(settings.catalog_limits),
        );
        if !runtime.pooling {
            tracing::warn!("serving with on-demand instance allocation (slower instantiation)");
        }
        let auth = Authenticator::from_settings(&settings)?;
        auth.start();
        let (admin_key, generated) = AdminKey::from_settings(&settings)?;
        if let Some(key) = generated {
            // Printed once, on the console only (never logged), as the CONTRACT says.
            println!(
                "generated admin key (saved in {}): {}",
                settings.data_dir.join("admin.key").display(),
                key.expose()
            );
        }
        let metrics = Arc::new(Metrics::new());
        let registry = Arc::new(PluginRegistry::with_changes(changes.clone()));
        let executor = Executor::new(
            registry.clone(),
            accounts.clone(),
            oauth.clone(),
            runtime.clone(),
            UserSchemas::with_capacity(settings.schema_cache_bytes),
            audit.clone(),
            metrics.clone(),
        );
        let sources = PluginSources::start(
            settings.clone(),
            store.clone(),
            runtime,
            registry.clone(),
            metrics.clone(),
        )
        .await?;
        forget_schemas_of_foreign_changes(&store, &executor);
        let action_index = ActionIndex::new(registry.clone());
        let connect_sessions = crate::connect::ConnectSessions::open(&store)?;
        Ok(Arc::new(AppState {
            settings,
            store,
            auth,
            admin_key,
            accounts,
            oauth,
            registry,
            sources,
            executor,
            action_index,
            audit,
            metrics,
            changes,
            connect_sessions,
            mcp_sessions: crate::identity::SessionOwners::default(),
        }))
    }
}

/// A user's dynamic schemas come from their account; when another host sharing the store changes
/// or removes it, they are described again here too (as a local change does), and after a lost
/// connection to the database every user's are.
fn forget_schemas_of_foreign_changes(store: &Store, executor: &Executor) {
    if !store.shared() {
        return;
    }
    let mut notices = store.notices();
    let schemas = executor.user_schemas.clone();
    tokio::spawn(async move {
        use crate::store::Notice;
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match notices.recv().await {
                Ok(Notice::Account(key)) => {
                    if let Some(user) = key.split(|b| *b == 0).next() {
                        schemas.drop_user(&String::from_utf8_lossy(user));
                    }
                }
                Ok(Notice::Resync) | Err(RecvError::Lagged(_)) => schemas.clear(),
                Ok(Notice::Plugins) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });
}
