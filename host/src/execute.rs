//! Running one action for one user, and listing the tools a user can run: the path from the
//! API to the runtime. API → auth (done by the extractor) → catalog (which plugin, which
//! schema) → validation → credentials (the caller's own account) → runtime → audit and metrics.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use serde_json::value::RawValue;
use time::OffsetDateTime;

use crate::api::error::ApiError;
use crate::app::AppState;
use crate::audit::AuditRecord;
use crate::catalog::{CatalogPlugin, ToolFormat, UserSchema};
use crate::credentials::oauth::REFRESH_MARGIN;
use crate::credentials::{AccountSecret, AccountStatus, OAuthError};
use crate::runtime::{ActionError, AuthKind, CallContext, CallError, CredentialRefresh};

/// What `GET /actions` lists.
#[derive(Debug, Clone, Default)]
pub struct ToolQuery {
    pub format: ToolFormat,
    pub limit_to_available: bool,
    pub reload_fields: bool,
    pub integrations: Option<Vec<String>>,
    pub categories: Option<Vec<String>>,
}

/// Tools by integration, and integrations whose dynamic schemas could not be completed.
pub struct ToolListing {
    pub tools: Vec<(String, Vec<Box<RawValue>>)>,
    pub errors: Vec<(String, String)>,
}

impl AppState {
    /// The call context for `user` on `plugin`: the user's own active account, or an error that
    /// says how to connect one. Nothing but the authenticated user id selects the account. An
    /// OAuth token close to expiry is refreshed first, and a token the provider refuses is
    /// refreshed once and the request retried.
    pub async fn call_context(
        self: &Arc<Self>,
        user: &str,
        plugin: &CatalogPlugin,
    ) -> Result<CallContext, ApiError> {
        let info = &plugin.loaded.info;
        if !info.needs_account() {
            return Ok(CallContext {
                user: user.into(),
                ..CallContext::default()
            });
        }
        let Some((account, secret)) = self.accounts.get(user, &info.id)? else {
            return Err(ApiError::not_connected(
                &info.id,
                &format!("you have no connected {} account", info.name),
            ));
        };
        if account.status != AccountStatus::Active {
            let status = serde_json::to_value(account.status).unwrap_or_default();
            return Err(ApiError::not_connected(
                &info.id,
                &format!(
                    "your {} account is {}",
                    info.name,
                    status.as_str().unwrap_or("not active")
                ),
            ));
        }
        let mut credential = secret.injected().cloned();
        let mut refresh = None;
        if let (AuthKind::OAuth2(endpoints), AccountSecret::Oauth2 { refresh_token, .. }) =
            (&info.auth, &secret)
        {
            let expiring = account.expires_at.is_some_and(|at| {
                at - time::Duration::seconds(REFRESH_MARGIN.as_secs() as i64)
                    <= OffsetDateTime::now_utc()
            });
            if expiring {
                credential = Some(
                    self.oauth
                        .fresh_token(user, &info.id, endpoints, None)
                        .await
                        .map_err(|e| self.oauth_error(&info.id, e))?,
                );
            }
            if refresh_token.is_some() {
                let state = self.clone();
                let (user, id, endpoints) = (user.to_string(), info.id.clone(), endpoints.clone());
                refresh = Some(CredentialRefresh(Arc::new(move |rejected| {
                    let (state, user, id, endpoints) =
                        (state.clone(), user.clone(), id.clone(), endpoints.clone());
                    Box::pin(async move {
                        state
                            .oauth
                            .fresh_token(&user, &id, &endpoints, Some(&rejected))
                            .await
                            .ok()
                    })
                })));
            }
        }
        Ok(CallContext {
            user: user.into(),
            scopes: account.scopes,
            credential,
            refresh,
        })
    }

    /// An OAuth failure as the API error the caller sees.
    pub fn oauth_error(&self, integration: &str, error: OAuthError) -> ApiError {
        match error {
            OAuthError::NoConnection(_) => ApiError::Forbidden(error.to_string()),
            OAuthError::InvalidState(message) => ApiError::InvalidState(message),
            OAuthError::Denied(message) => {
                ApiError::Forbidden(format!("the provider refused: {message}"))
            }
            OAuthError::GrantGone(message) => ApiError::not_connected(integration, &message),
            OAuthError::TokenEndpoint(message) => ApiError::Upstream {
                message: format!("the token endpoint failed: {message}"),
                status: 0,
                body: None,
            },
            OAuthError::Configuration(message) => ApiError::Internal(message),
            OAuthError::Credentials(e) => ApiError::from(e),
        }
    }

    /// The user's schema of a dynamic action, from the cache or the plugin's `describe`.
    async fn user_schema(
        &self,
        plugin: &CatalogPlugin,
        action: &str,
        call: &CallContext,
    ) -> Result<Arc<UserSchema>, ApiError> {
        if let Some(schema) = self
            .user_schemas
            .get(&call.user, action, &plugin.loaded.hash)
        {
            return Ok(schema);
        }
        let (result, report) = self.runtime.describe(&plugin.loaded, action, call).await;
        self.record_upstream(plugin.id(), &report.upstream_statuses);
        let definition = result.map_err(|e| self.call_error(&call.user, plugin, e))?;
        let hash = plugin.loaded.hash.clone();
        let named = action.to_string();
        let schema = off_worker_unless(false, move || {
            UserSchema::new(&hash, &definition).map_err(|e| {
                ApiError::PluginError(format!("{named}: describe returned an invalid schema: {e}"))
            })
        })
        .await?;
        Ok(self.user_schemas.insert(&call.user, action, schema))
    }

    /// Runs `action` for `user` and writes its audit record, whatever the outcome.
    pub async fn execute(
        self: &Arc<Self>,
        user: &str,
        action: &str,
        params: Value,
    ) -> Result<Box<RawValue>, ApiError> {
        let started = Instant::now();
        let mut integration = None;
        let mut statuses = Vec::new();
        let result = self
            .execute_inner(user, action, params, &mut integration, &mut statuses)
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

    async fn execute_inner(
        self: &Arc<Self>,
        user: &str,
        action: &str,
        params: Value,
        integration: &mut Option<String>,
        statuses: &mut Vec<u16>,
    ) -> Result<Box<RawValue>, ApiError> {
        let plugin = self
            .registry
            .find_action(action)
            .ok_or_else(|| ApiError::NotFound(format!("there is no action named {action}")))?;
        *integration = Some(plugin.id().to_string());
        let entry = plugin
            .action(action)
            .expect("find_action returns the owning plugin");
        if !params.is_object() {
            return Err(ApiError::invalid("", "`parameters` must be a JSON object"));
        }
        let call = self.call_context(user, &plugin).await?;
        let params = if entry.definition.hints.dynamic_schema {
            let schema = self.user_schema(&plugin, action, &call).await?;
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
        let gates = self
            .gates
            .lock()
            .expect("gates lock")
            .get(plugin.id())
            .cloned();
        let admitted = match &gates {
            Some(gates) => gates.admit(plugin.id(), user).await,
            None => Ok(None),
        };
        let _permit = match admitted {
            Ok(permit) => permit,
            Err(refused) => {
                return Err(ApiError::RateLimited {
                    message: refused.message,
                    retry_after_seconds: Some(
                        refused.retry_after.as_secs_f64().ceil().max(1.0) as u32
                    ),
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
        result.map_err(|e| self.call_error(user, &plugin, e))
    }

    /// A plugin's error as the API error the caller sees.
    /// A plugin's error as the API error the caller sees. A credential the provider refuses
    /// (and that no refresh could replace) marks the account `revoked`.
    fn call_error(&self, user: &str, plugin: &CatalogPlugin, error: CallError) -> ApiError {
        match error {
            CallError::Action(ActionError::Unauthorized(message)) => {
                let name = &plugin.loaded.info.name;
                let still_active = self
                    .accounts
                    .get_public(user, plugin.id())
                    .ok()
                    .flatten()
                    .is_some_and(|a| a.status == AccountStatus::Active);
                if still_active {
                    let why = format!("{name} refused the credential ({message})");
                    if let Err(e) = self.accounts.set_status(
                        user,
                        plugin.id(),
                        AccountStatus::Revoked,
                        Some(why),
                    ) {
                        tracing::error!(error = %e, "cannot mark an account revoked");
                    }
                }
                ApiError::not_connected(
                    plugin.id(),
                    &format!("{name} refused your credential ({message})"),
                )
            }
            other => ApiError::from(other),
        }
    }

    fn record_upstream(&self, integration: &str, statuses: &[u16]) {
        for status in statuses {
            self.metrics.upstream(integration, *status);
        }
    }

    /// The tools `user` can use, in `query.format`. Static definitions come prepared from the
    /// catalog; only dynamic actions call into wasm (once per user per 8 hours).
    pub async fn list_tools(
        self: &Arc<Self>,
        user: &str,
        query: &ToolQuery,
    ) -> Result<ToolListing, ApiError> {
        if query.reload_fields {
            self.user_schemas.drop_user(user);
        }
        let accounts: std::collections::HashMap<String, AccountStatus> = self
            .accounts
            .list(user)?
            .into_iter()
            .map(|a| (a.integration, a.status))
            .collect();
        let mut listing = ToolListing {
            tools: Vec::new(),
            errors: Vec::new(),
        };
        for plugin in self.registry.plugins() {
            let info = &plugin.loaded.info;
            if query
                .integrations
                .as_ref()
                .is_some_and(|ids| !ids.contains(&info.id))
            {
                continue;
            }
            if query
                .categories
                .as_ref()
                .is_some_and(|wanted| !info.categories.iter().any(|c| wanted.contains(c)))
            {
                continue;
            }
            let connected = accounts.get(&info.id) == Some(&AccountStatus::Active);
            if query.limit_to_available && info.needs_account() && !connected {
                continue;
            }
            let mut tools = Vec::with_capacity(plugin.actions.len());
            let mut describe_errors = Vec::new();
            for action in &plugin.actions {
                if self.registry.is_shadowed(&info.id, &action.definition.name) {
                    continue;
                }
                let mut tool = None;
                if action.definition.hints.dynamic_schema && (connected || !info.needs_account()) {
                    let described = match self.call_context(user, &plugin).await {
                        Ok(call) => {
                            self.user_schema(&plugin, &action.definition.name, &call)
                                .await
                        }
                        Err(e) => Err(e),
                    };
                    match described {
                        Ok(schema) => tool = Some(schema.tools[query.format.index()].clone()),
                        Err(e) => describe_errors.push(format!("{}: {e}", action.definition.name)),
                    }
                }
                tools.push(tool.unwrap_or_else(|| action.tools[query.format.index()].clone()));
            }
            for message in describe_errors {
                listing.errors.push((info.id.clone(), message));
            }
            listing.tools.push((info.id.clone(), tools));
        }
        Ok(listing)
    }
}

/// Runs `work` here when `light`, else on the blocking pool: validating against a plugin's
/// schema is plugin-controlled work, and a heavy one must not hold an async worker.
async fn off_worker_unless<T: Send + 'static>(
    light: bool,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    if light {
        return work();
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(format!("parameter validation failed: {e}")))?
}

/// `params` if they satisfy the schema, else every violation.
fn check(validator: &crate::catalog::ParameterValidator, params: Value) -> Result<Value, ApiError> {
    validator.check(&params).map(|()| params).map_err(|errors| {
        let message = match errors.len() {
            1 => format!(
                "parameter {} is invalid: {}",
                or_root(&errors[0].path),
                errors[0].message
            ),
            n => format!("{n} parameters are invalid"),
        };
        ApiError::InvalidParameters { message, errors }
    })
}

fn or_root(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}
