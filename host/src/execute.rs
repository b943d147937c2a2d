//! The execute service: running one action for one user, and listing the tools a user can
//! run. Its path, after the API has authenticated the caller: catalog (which plugin owns the
//! action, which schema) → validation → credentials (the caller's own account) → admission
//! (the plugin's gates) → runtime → audit and metrics. Errors are [`ExecuteError`]s; the API
//! maps them to HTTP in `api/error.rs`.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::capability::http::RefreshCredential;
use crate::catalog::{
    CatalogPlugin, ParameterError, PluginRegistry, ToolFormat, UserSchema, UserSchemas,
};
use crate::credentials::oauth::REFRESH_MARGIN;
use crate::credentials::{
    AccountSecret, AccountStatus, AccountStore, CredentialError, OAuthError, OAuthFlows,
    SecretString,
};
use crate::manifest::{AuthKind, CredentialKind, OAuth2Endpoints};
use crate::observability::audit::{AuditLog, AuditRecord};
use crate::observability::metrics::Metrics;
use crate::runtime::{ActionError, CallContext, CallError, Runtime};

/// How long the describes of one listing may take together; what is not described by then is
/// listed with its static schema (and an entry in `errors`).
pub const DESCRIBE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a describe that failed in a listing is not tried again for that user.
pub const DESCRIBE_RETRY: std::time::Duration = std::time::Duration::from_secs(60);

/// Why an action did not run, or a listing could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error("there is no action named {0}")]
    UnknownAction(String),
    #[error("{message}")]
    InvalidParameters {
        message: String,
        errors: Vec<ParameterError>,
    },
    /// The user has no usable account for the integration.
    #[error(
        "{why}; connect it with POST /connected-accounts/{integration}/authorize or PUT /connected-accounts/{integration}"
    )]
    NotConnected { integration: String, why: String },
    /// The plugin's gates did not admit the call.
    #[error("{message}")]
    Busy {
        message: String,
        retry_after_seconds: u32,
    },
    #[error(transparent)]
    Call(#[from] CallError),
    #[error("{action}: describe returned an invalid schema: {message}")]
    InvalidDescribedSchema { action: String, message: String },
    #[error("{error}")]
    OAuth {
        integration: String,
        #[source]
        error: OAuthError,
    },
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    /// The account lacks OAuth scopes the action declares.
    #[error(
        "{action} needs OAuth scopes your {integration} account was not granted: {}; authorize again with them (POST /connected-accounts/{integration}/authorize)",
        missing.join(", ")
    )]
    MissingScopes {
        integration: String,
        action: String,
        /// Each entry: one requirement, as `a` or `a or b`.
        missing: Vec<String>,
    },
    /// A new account was not stored: the plugin's `after-connect` failed or was refused.
    #[error("the {integration} account was not stored: {reason}")]
    ConnectFailed {
        integration: String,
        reason: String,
        /// The code the failure maps to.
        code: &'static str,
    },
    #[error("{0}")]
    Internal(String),
}

impl ExecuteError {
    /// The contract's error code, as the audit log and metrics record the outcome.
    pub fn code(&self) -> &'static str {
        match self {
            ExecuteError::UnknownAction(_) => "not_found",
            ExecuteError::InvalidParameters { .. } => "invalid_parameters",
            ExecuteError::NotConnected { .. } => "not_connected",
            ExecuteError::Busy { .. } => "rate_limited",
            ExecuteError::Call(error) => error.code(),
            ExecuteError::InvalidDescribedSchema { .. } => "plugin_error",
            ExecuteError::OAuth { error, .. } => error.code(),
            ExecuteError::MissingScopes { .. } => "forbidden",
            ExecuteError::ConnectFailed { code, .. } => code,
            ExecuteError::Credentials(_) | ExecuteError::Internal(_) => "internal_error",
        }
    }

    fn invalid(message: &str) -> Self {
        ExecuteError::InvalidParameters {
            message: message.into(),
            errors: vec![ParameterError {
                path: String::new(),
                message: message.into(),
            }],
        }
    }
}

/// Runs actions and lists tools; one per host.
pub struct Executor {
    registry: Arc<PluginRegistry>,
    accounts: AccountStore,
    oauth: Arc<OAuthFlows>,
    runtime: Arc<Runtime>,
    /// Per-user schemas of dynamic actions.
    pub user_schemas: UserSchemas,
    /// `(user, action)` → (plugin hash, when, why) of describes that failed in a listing.
    describe_failures: quick_cache::sync::Cache<(String, String), (String, Instant, String)>,
    audit: AuditLog,
    metrics: Arc<Metrics>,
}

/// Replaces a refused OAuth token of one account: the HTTP capability's credential recovery.
struct OAuthRefresher {
    oauth: Arc<OAuthFlows>,
    user: String,
    integration: String,
    endpoints: Arc<OAuth2Endpoints>,
}

impl RefreshCredential for OAuthRefresher {
    fn refresh(
        &self,
        rejected: SecretString,
    ) -> std::pin::Pin<Box<dyn Future<Output = Option<SecretString>> + Send + '_>> {
        Box::pin(async move {
            self.oauth
                .fresh_token(
                    &self.user,
                    &self.integration,
                    &self.endpoints,
                    Some(&rejected),
                )
                .await
                .ok()
        })
    }
}

/// What `GET /actions` lists.
#[derive(Debug, Clone, Default)]
pub struct ToolQuery {
    pub format: ToolFormat,
    pub limit_to_available: bool,
    pub reload_fields: bool,
    pub integrations: Option<Vec<String>>,
    pub categories: Option<Vec<String>>,
}

/// The rules of a user's available actions, for the listing and the search alike: the
/// integrations the user has an active account for, plus those needing no account; of those,
/// the actions whose OAuth scopes the account was granted.
pub struct Availability {
    accounts: std::collections::HashMap<String, (AccountStatus, Vec<String>)>,
}

impl Availability {
    /// Whether the user has an active account for `integration`.
    pub fn connected(&self, integration: &str) -> bool {
        self.accounts
            .get(integration)
            .is_some_and(|(status, _)| *status == AccountStatus::Active)
    }

    /// Whether the integration's actions are available at all: it needs no account, or the
    /// user has an active one.
    pub fn offers(&self, info: &crate::manifest::ProviderInfo) -> bool {
        !info.needs_account() || self.connected(&info.id)
    }

    /// The scopes the user's account for `integration` was granted (none when unknown).
    pub fn granted(&self, integration: &str) -> &[String] {
        self.accounts
            .get(integration)
            .map_or(&[], |(_, scopes)| scopes.as_slice())
    }

    /// Whether `action` of an offered `integration` is available: its scopes were granted.
    pub fn allows(&self, integration: &str, action: &crate::manifest::ActionDefinition) -> bool {
        action.missing_scopes(self.granted(integration)).is_empty()
    }
}

/// Tools by integration, and integrations whose dynamic schemas could not be completed.
pub struct ToolListing {
    pub tools: Vec<(String, Vec<Box<RawValue>>)>,
    pub errors: Vec<(String, String)>,
}

impl Executor {
    pub fn new(
        registry: Arc<PluginRegistry>,
        accounts: AccountStore,
        oauth: Arc<OAuthFlows>,
        runtime: Arc<Runtime>,
        user_schemas: UserSchemas,
        audit: AuditLog,
        metrics: Arc<Metrics>,
    ) -> Self {
        Executor {
            registry,
            accounts,
            oauth,
            runtime,
            user_schemas,
            describe_failures: quick_cache::sync::Cache::new(10_000),
            audit,
            metrics,
        }
    }

    /// The call context for `user` on `plugin`: the user's own active account, or an error that
    /// says how to connect one. Nothing but the authenticated user id selects the account. An
    /// OAuth token close to expiry is refreshed first, and a token the provider refuses is
    /// refreshed once and the request retried.
    pub async fn call_context(
        &self,
        user: &str,
        plugin: &CatalogPlugin,
    ) -> Result<CallContext, ExecuteError> {
        let info = &plugin.loaded.info;
        if !info.needs_account() {
            return Ok(CallContext {
                user: user.into(),
                operator_secret: self.operator_secret(plugin).await?,
                ..CallContext::default()
            });
        }
        let Some((account, secret)) = self.accounts.get(user, &info.id).await? else {
            return Err(ExecuteError::NotConnected {
                integration: info.id.clone(),
                why: format!("you have no connected {} account", info.name),
            });
        };
        if account.status != AccountStatus::Active {
            let status = serde_json::to_value(account.status).unwrap_or_default();
            return Err(ExecuteError::NotConnected {
                integration: info.id.clone(),
                why: format!(
                    "your {} account is {}",
                    info.name,
                    status.as_str().unwrap_or("not active")
                ),
            });
        }
        // A plugin updated since may no longer take the kind this account was connected with.
        if info.auth_for(secret.kind()).is_none() {
            return Err(ExecuteError::NotConnected {
                integration: info.id.clone(),
                why: format!(
                    "your {} account was connected with {}, which the integration no longer \
                     accepts; connect it again",
                    info.name,
                    match secret.kind() {
                        Some(CredentialKind::ApiKey) => "an API key",
                        Some(CredentialKind::Basic) => "HTTP Basic credentials",
                        Some(CredentialKind::OAuth2) => "an OAuth token",
                        _ => "no credential",
                    }
                ),
            });
        }
        let mut credential = secret.injected().cloned();
        let mut refresher: Option<Arc<dyn RefreshCredential>> = None;
        if let (Some(declared), AccountSecret::Oauth2 { refresh_token, .. }) =
            (info.oauth2(), &secret)
        {
            let endpoints = plugin
                .loaded
                .fields
                .endpoints_for(declared, &account.fields)
                .map_err(|why| ExecuteError::NotConnected {
                    integration: info.id.clone(),
                    why: format!("your {} account's fields do not resolve: {why}", info.name),
                })?;
            let expiring = account.expires_at.is_some_and(|at| {
                at - time::Duration::seconds(REFRESH_MARGIN.as_secs() as i64)
                    <= OffsetDateTime::now_utc()
            });
            if expiring {
                // Boxed here and below: a rare path's future (tens of KB) would otherwise be
                // part of every call's future, copied whole when that is boxed.
                credential = Some(
                    Box::pin(self.oauth.fresh_token(user, &info.id, &endpoints, None))
                        .await
                        .map_err(|error| ExecuteError::OAuth {
                            integration: info.id.clone(),
                            error,
                        })?,
                );
            }
            if refresh_token.is_some() {
                refresher = Some(Arc::new(OAuthRefresher {
                    oauth: self.oauth.clone(),
                    user: user.to_string(),
                    integration: info.id.clone(),
                    endpoints,
                }));
            }
        }
        // An account stored before its plugin gave a field a default gets the default.
        let mut fields = account.fields;
        plugin.loaded.fields.fill_defaults(&mut fields);
        Ok(CallContext {
            user: user.into(),
            scopes: account.scopes,
            fields,
            operator_key: self.operator_key(plugin, secret.kind()).await?,
            operator_secret: self.operator_secret(plugin).await?,
            credential,
            credential_kind: secret.kind(),
            refresher,
        })
    }

    /// The operator's credential of a plugin that declares one (Discord's bot token), if set.
    async fn operator_secret(
        &self,
        plugin: &CatalogPlugin,
    ) -> Result<Option<crate::credentials::SecretString>, ExecuteError> {
        if plugin.loaded.info.operator_credential.is_none() {
            return Ok(None);
        }
        Ok(self.oauth.connections.operator_secret(plugin.id()).await?)
    }

    /// The operator's part of a two-part key: the client id of the integration's connection,
    /// for an account of the kind (API key) that declares one.
    async fn operator_key(
        &self,
        plugin: &CatalogPlugin,
        kind: Option<CredentialKind>,
    ) -> Result<Option<String>, ExecuteError> {
        let declared = matches!(
            plugin.loaded.info.auth_for(kind),
            Some(AuthKind::ApiKey {
                operator_key: Some(_),
                ..
            })
        );
        if !declared {
            return Ok(None);
        }
        Ok(self
            .oauth
            .connections
            .get(plugin.id())
            .await?
            .map(|(connection, _)| connection.client_id))
    }

    /// Connects an account: runs the plugin's `after-connect` with the new credential (and the
    /// fields known so far), then stores the account with every field and its label. If the
    /// plugin fails, nothing is stored and the error says why.
    pub async fn connect(
        &self,
        user: &str,
        plugin: &CatalogPlugin,
        secret: AccountSecret,
        mut details: crate::credentials::AccountDetails,
    ) -> Result<crate::credentials::ConnectedAccount, ExecuteError> {
        let info = &plugin.loaded.info;
        let needs_key = matches!(
            info.auth_for(secret.kind()),
            Some(AuthKind::ApiKey {
                operator_key: Some(_),
                ..
            })
        );
        let operator_key = self.operator_key(plugin, secret.kind()).await?;
        if needs_key && operator_key.is_none() {
            return Err(ExecuteError::ConnectFailed {
                integration: info.id.clone(),
                reason: format!(
                    "{} needs the operator's application key first (an operator must PUT \
                     /admin/connections/{} with the key as `client_id`)",
                    info.name, info.id
                ),
                code: "forbidden",
            });
        }
        let call = CallContext {
            user: user.into(),
            scopes: details.scopes.clone(),
            fields: details.fields.clone(),
            operator_key,
            operator_secret: self.operator_secret(plugin).await?,
            credential: secret.injected().cloned(),
            credential_kind: secret.kind(),
            refresher: None,
        };
        // It runs the plugin with the user's credential: the same gates as an action.
        let _permit = plugin
            .gates
            .admit(plugin.id(), user)
            .await
            .map_err(|refused| ExecuteError::Busy {
                message: refused.message,
                retry_after_seconds: refused.retry_after.as_secs_f64().ceil().max(1.0) as u32,
            })?;
        let (result, report) = self.runtime.after_connect(&plugin.loaded, &call).await;
        self.record_upstream(plugin.id(), &report.upstream_statuses);
        let failed = |reason: String, code: &'static str| ExecuteError::ConnectFailed {
            integration: info.id.clone(),
            reason,
            code,
        };
        let found = result.map_err(|error| match error {
            CallError::Action(ActionError::Unauthorized(message)) => failed(
                format!("{} refused the credential ({message})", info.name),
                "invalid_parameters",
            ),
            CallError::Action(ActionError::InvalidInput(message)) => {
                failed(message, "invalid_parameters")
            }
            CallError::Action(ActionError::Upstream {
                status, message, ..
            }) => failed(
                format!("{} answered {status}: {message}", info.name),
                "upstream_error",
            ),
            other => {
                let code = other.code();
                failed(other.to_string(), code)
            }
        })?;
        details.fields.extend(found.fields);
        if let Err(problems) = plugin
            .loaded
            .fields
            .check_given(
                &details.fields,
                &[crate::manifest::FieldSource::AfterConnect],
            )
            .map_err(|p| {
                // Only the after-connect fields that are missing matter here.
                p.into_iter()
                    .filter(|m| m.contains("is required"))
                    .collect::<Vec<_>>()
            })
            && !problems.is_empty()
        {
            return Err(failed(
                format!("the plugin did not find {}", problems.join("; ")),
                "plugin_error",
            ));
        }
        details.label = found.label;
        let stored_alone = self
            .oauth
            .lock_account(user, &info.id)
            .await
            .map_err(|e| failed(e.to_string(), e.code()))?;
        let account = self
            .accounts
            .connect(user, &info.id, &secret, details)
            .await;
        stored_alone.release().await;
        let account = account?;
        self.user_schemas.drop_user(user);
        Ok(account)
    }

    /// The user's schema of a dynamic action, from the cache or the plugin's `describe`.
    async fn user_schema(
        &self,
        plugin: &CatalogPlugin,
        action: &str,
        call: &CallContext,
    ) -> Result<Arc<UserSchema>, ExecuteError> {
        let describe = async {
            // A describe runs the plugin with the user's credential: it passes the same gates.
            let _permit = plugin
                .gates
                .admit(plugin.id(), &call.user)
                .await
                .map_err(|refused| ExecuteError::Busy {
                    message: refused.message,
                    retry_after_seconds: refused.retry_after.as_secs_f64().ceil().max(1.0) as u32,
                })?;
            let (result, report) = self.runtime.describe(&plugin.loaded, action, call).await;
            self.record_upstream(plugin.id(), &report.upstream_statuses);
            let definition = match result {
                Ok(definition) => definition,
                Err(e) => return Err(self.call_error(&call.user, plugin, e).await),
            };
            let hash = plugin.loaded.hash.clone();
            let named = action.to_string();
            off_worker_unless(false, move || {
                UserSchema::new(&hash, &definition).map_err(|e| {
                    ExecuteError::InvalidDescribedSchema {
                        action: named,
                        message: e.to_string(),
                    }
                })
            })
            .await
        };
        self.user_schemas
            .get_or_describe(&call.user, action, &plugin.loaded.hash, describe)
            .await
    }

    /// A user's schema for a listing: from the cache, or a `describe` that must finish by
    /// `deadline`; a describe that failed within [`DESCRIBE_RETRY`] is not tried again yet.
    async fn described_for_listing(
        &self,
        plugin: &CatalogPlugin,
        action: &str,
        call: &CallContext,
        deadline: tokio::time::Instant,
    ) -> Result<Arc<UserSchema>, String> {
        let key = (call.user.clone(), action.to_string());
        if let Some((hash, at, message)) = self.describe_failures.get(&key)
            && hash == plugin.loaded.hash
            && at.elapsed() < DESCRIBE_RETRY
        {
            return Err(format!(
                "{message} (describe failed {} s ago; tried again after {} s)",
                at.elapsed().as_secs(),
                DESCRIBE_RETRY.as_secs()
            ));
        }
        let result = match tokio::time::timeout_at(deadline, self.user_schema(plugin, action, call))
            .await
        {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "describe did not finish within the listing's {} s; its static schema is listed",
                DESCRIBE_DEADLINE.as_secs()
            )),
        };
        if let Err(message) = &result {
            self.describe_failures.insert(
                key,
                (
                    plugin.loaded.hash.clone(),
                    Instant::now(),
                    crate::quote::clip(message, 500).into_owned(),
                ),
            );
        }
        result
    }

    /// Runs `action` for `user` and writes its audit record, whatever the outcome.
    pub async fn execute(
        &self,
        user: &str,
        action: &str,
        params: Value,
    ) -> Result<Box<RawValue>, ExecuteError> {
        let started = Instant::now();
        let mut integration = None;
        let mut statuses = Vec::new();
        // Boxed: the call's future (wasmtime's included) is many KB, and every layer above this
        // one (the handler, the router's services) would otherwise copy it as it is built.
        let result =
            Box::pin(self.execute_inner(user, action, params, &mut integration, &mut statuses))
                .await;
        let duration = started.elapsed();
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        self.metrics.execution(
            integration.as_deref().unwrap_or(""),
            action,
            outcome,
            duration,
        );
        if let Some(id) = &integration {
            self.record_upstream(id, &statuses);
        }
        let now = OffsetDateTime::now_utc();
        let record = AuditRecord {
            id: String::new(),
            time: now,
            user: user.into(),
            integration,
            action: action.into(),
            outcome: outcome.into(),
            upstream_status: statuses.iter().rev().copied().find(|s| *s != 0),
            duration_ms: duration.as_millis() as u64,
            upstream_calls: statuses.len() as u32,
        };
        // Debug, not info: the audit log is the per-execution record; a log line per request
        // cost a thread handoff per request (docs/performance.md).
        tracing::debug!(
            user,
            action,
            outcome,
            duration_ms = record.duration_ms,
            upstream_calls = record.upstream_calls,
            "executed"
        );
        self.audit.append(record);
        result
    }

    /// The size in bytes of a call's future as [`Executor::execute`] boxes it (for a test that
    /// keeps it small: a rare path awaited inline, such as an OAuth refresh, adds tens of KB
    /// that every call would copy).
    #[doc(hidden)]
    pub fn call_future_size(&self) -> usize {
        let (mut integration, mut statuses) = (None, Vec::new());
        let future = self.execute_inner("", "", Value::Null, &mut integration, &mut statuses);
        std::mem::size_of_val(&future)
    }

    async fn execute_inner(
        &self,
        user: &str,
        action: &str,
        params: Value,
        integration: &mut Option<String>,
        statuses: &mut Vec<u16>,
    ) -> Result<Box<RawValue>, ExecuteError> {
        let plugin = self
            .registry
            .find_action(action)
            .ok_or_else(|| ExecuteError::UnknownAction(action.to_string()))?;
        *integration = Some(plugin.id().to_string());
        let entry = plugin
            .action(action)
            .expect("find_action returns the owning plugin");
        if !params.is_object() {
            return Err(ExecuteError::invalid("`parameters` must be a JSON object"));
        }
        let call = self.call_context(user, &plugin).await?;
        let missing = entry.definition.missing_scopes(&call.scopes);
        if !missing.is_empty() {
            return Err(ExecuteError::MissingScopes {
                integration: plugin.id().to_string(),
                action: action.to_string(),
                missing: missing.iter().map(|any| any.join(" or ")).collect(),
            });
        }
        let params = if entry.definition.hints.dynamic_schema {
            let schema = Box::pin(self.user_schema(&plugin, action, &call)).await?;
            let light = schema.validator.is_light(&params);
            off_worker_unless(light, move || check(&schema.validator, params)).await?
        } else {
            let light = entry.validator.is_light(&params);
            let (owner, action) = (plugin.clone(), action.to_string());
            off_worker_unless(light, move || {
                let entry = owner.action(&action).expect("checked above");
                check(&entry.validator, params)
            })
            .await?
        };
        let _permit = match plugin.gates.admit(plugin.id(), user).await {
            Ok(permit) => permit,
            Err(refused) => {
                return Err(ExecuteError::Busy {
                    message: refused.message,
                    retry_after_seconds: refused.retry_after.as_secs_f64().ceil().max(1.0) as u32,
                });
            }
        };
        let running = self.metrics.in_flight(plugin.id());
        let (result, report) = self
            .runtime
            .execute_raw(&plugin.loaded, action, &params, &call)
            .await;
        drop(running);
        self.metrics.instantiation(plugin.id(), report.instantiate);
        *statuses = report.upstream_statuses;
        match result {
            Ok(output) => Ok(output),
            Err(e) => Err(Box::pin(self.call_error(user, &plugin, e)).await),
        }
    }

    /// A plugin's error as the caller sees it. A credential the provider refuses (and that no
    /// refresh could replace) marks the account `revoked`.
    async fn call_error(
        &self,
        user: &str,
        plugin: &CatalogPlugin,
        error: CallError,
    ) -> ExecuteError {
        match error {
            CallError::Action(ActionError::Unauthorized(message)) => {
                let name = &plugin.loaded.info.name;
                let still_active = self
                    .accounts
                    .get_public(user, plugin.id())
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|a| a.status == AccountStatus::Active);
                if still_active {
                    let why = format!("{name} refused the credential ({message})");
                    if let Err(e) = self
                        .accounts
                        .set_status(user, plugin.id(), AccountStatus::Revoked, Some(why))
                        .await
                    {
                        tracing::error!(error = %e, "cannot mark an account revoked");
                    }
                }
                ExecuteError::NotConnected {
                    integration: plugin.id().to_string(),
                    why: format!("{name} refused your credential ({message})"),
                }
            }
            other => ExecuteError::Call(other),
        }
    }

    fn record_upstream(&self, integration: &str, statuses: &[u16]) {
        for status in statuses {
            self.metrics.upstream(integration, *status);
        }
    }

    /// What `user` may list and search, read once from their accounts.
    pub async fn availability(&self, user: &str) -> Result<Availability, ExecuteError> {
        let accounts = self
            .accounts
            .list(user)
            .await?
            .into_iter()
            .map(|a| (a.integration, (a.status, a.scopes)))
            .collect();
        Ok(Availability { accounts })
    }

    /// The tools `user` can use, in `query.format`. Static definitions come prepared from the
    /// catalog; only dynamic actions call into wasm (once per user per 8 hours).
    pub async fn list_tools(
        &self,
        user: &str,
        query: &ToolQuery,
    ) -> Result<ToolListing, ExecuteError> {
        if query.reload_fields {
            self.user_schemas.drop_user(user);
            self.describe_failures.retain(|(u, _), _| u != user);
        }
        let available = self.availability(user).await?;
        let mut listing = ToolListing {
            tools: Vec::new(),
            errors: Vec::new(),
        };
        let deadline = tokio::time::Instant::now() + DESCRIBE_DEADLINE;
        // Every integration's describes at once: a cold listing costs its slowest describe,
        // not their sum.
        let plugins = self.registry.plugins();
        let listed = plugins
            .iter()
            .map(|plugin| self.list_plugin(plugin, user, query, &available, deadline));
        for (id, tools, errors) in futures_util::future::join_all(listed)
            .await
            .into_iter()
            .flatten()
        {
            listing
                .errors
                .extend(errors.into_iter().map(|message| (id.clone(), message)));
            listing.tools.push((id, tools));
        }
        Ok(listing)
    }

    /// One integration's tools for `user` as `query` asks (its dynamic schemas described), and
    /// why any were left out or kept static; `None` when the query filters it out.
    async fn list_plugin(
        &self,
        plugin: &Arc<CatalogPlugin>,
        user: &str,
        query: &ToolQuery,
        available: &Availability,
        deadline: tokio::time::Instant,
    ) -> Option<(String, Vec<Box<RawValue>>, Vec<String>)> {
        let info = &plugin.loaded.info;
        if query
            .integrations
            .as_ref()
            .is_some_and(|ids| !ids.contains(&info.id))
        {
            return None;
        }
        if query
            .categories
            .as_ref()
            .is_some_and(|wanted| !info.categories.iter().any(|c| wanted.contains(c)))
        {
            return None;
        }
        let connected = available.connected(&info.id);
        if query.limit_to_available && !available.offers(info) {
            return None;
        }
        let granted = available.granted(&info.id);
        let shadowed = self.registry.shadowed(&info.id);
        let mut describe_errors = Vec::new();
        let listed: Vec<&crate::catalog::CatalogAction> = plugin
            .actions
            .iter()
            .filter(|a| !shadowed.contains(&a.definition.name))
            .filter(|a| {
                if !query.limit_to_available {
                    return true;
                }
                let missing = a.definition.missing_scopes(granted);
                if !missing.is_empty() {
                    let needs: Vec<String> = missing.iter().map(|m| m.join(" or ")).collect();
                    describe_errors.push(format!(
                        "{}: left out: the account was not granted the scopes it needs ({})",
                        a.definition.name,
                        needs.join(", ")
                    ));
                }
                missing.is_empty()
            })
            .collect();
        let mut tools: Vec<Box<RawValue>> = listed
            .iter()
            .map(|a| a.tools[query.format.index()].clone())
            .collect();
        let dynamic: Vec<usize> = (0..listed.len())
            .filter(|i| listed[*i].definition.hints.dynamic_schema)
            .collect();
        if !dynamic.is_empty() && (connected || !info.needs_account()) {
            match self.call_context(user, plugin).await {
                Ok(call) => {
                    // Every describe of the listing at once, all within one deadline: a slow
                    // plugin costs a listing at most DESCRIBE_DEADLINE, and keeps its static
                    // schemas.
                    let described = dynamic.iter().map(|i| {
                        let name = &listed[*i].definition.name;
                        self.described_for_listing(plugin, name, &call, deadline)
                    });
                    let results = futures_util::future::join_all(described).await;
                    for (i, result) in dynamic.iter().zip(results) {
                        match result {
                            Ok(schema) => tools[*i] = schema.tools[query.format.index()].clone(),
                            Err(message) => describe_errors
                                .push(format!("{}: {message}", listed[*i].definition.name)),
                        }
                    }
                }
                Err(e) => describe_errors.extend(
                    dynamic
                        .iter()
                        .map(|i| format!("{}: {e}", listed[*i].definition.name)),
                ),
            }
        }
        Some((info.id.clone(), tools, describe_errors))
    }
}

/// Runs `work` here when `light`, else on the blocking pool: validating against a plugin's
/// schema is plugin-controlled work, and a heavy one must not hold an async worker.
async fn off_worker_unless<T: Send + 'static>(
    light: bool,
    work: impl FnOnce() -> Result<T, ExecuteError> + Send + 'static,
) -> Result<T, ExecuteError> {
    if light {
        return work();
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ExecuteError::Internal(format!("parameter validation failed: {e}")))?
}

/// `params` if they satisfy the schema, else every violation.
pub(crate) fn check(
    validator: &crate::catalog::ParameterValidator,
    params: Value,
) -> Result<Value, ExecuteError> {
    validator.check(&params).map(|()| params).map_err(|errors| {
        let message = match errors.len() {
            1 => format!(
                "parameter {} is invalid: {}",
                or_root(&errors[0].path),
                errors[0].message
            ),
            n => format!("{n} parameters are invalid"),
        };
        ExecuteError::InvalidParameters { message, errors }
    })
}

fn or_root(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}
