//! Integrations and the caller's connected accounts. Nothing here ever returns a secret.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::auth::User;
use super::error::ApiError;
use crate::account_fields::FieldValues;
use crate::app::AppState;
use crate::catalog::CatalogPlugin;
use crate::credentials::{
    AccountDetails, AccountSecret, AccountStatus, ConnectedAccount, SecretString,
};
use crate::manifest::{AuthKind, CredentialKind, FieldSource};

/// One integration as agents see it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Integration {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) categories: Vec<String>,
    #[schema(value_type = Object)]
    pub(crate) auth: AuthKind,
    /// Other ways to connect (a personal token beside OAuth 2, ...), each `{"type": ...}` like
    /// `auth`; an account uses one of them or `auth`.
    #[schema(value_type = Vec<Object>)]
    pub(crate) alternative_auth: Vec<AuthKind>,
    /// The caller's account status, or null when not connected.
    #[schema(value_type = Option<String>)]
    pub(crate) status: Option<AccountStatus>,
    /// Whether a user can connect an account now (OAuth integrations need an operator's OAuth app).
    pub(crate) connectable: bool,
    /// Whether the operator has set up the OAuth app (for the connect page's sign-in button).
    #[serde(skip)]
    pub(crate) oauth_ready: bool,
    /// The account fields a user gives when connecting (Shopify's `shop`, a Microsoft tenant),
    /// in the order to ask for them.
    pub(crate) fields: Vec<UserField>,
}

/// An account field a user gives when connecting.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserField {
    pub(crate) name: String,
    pub(crate) description: String,
    /// A regular expression the whole value must match.
    pub(crate) pattern: Option<String>,
    pub(crate) required: bool,
    /// The value the operator's connection fixes for every user: leave the field out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fixed: Option<String>,
    /// The value an account gets when the user leaves the field out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default: Option<String>,
    /// The field is a whole origin (a self-managed instance): an OAuth account never gives it.
    #[serde(skip)]
    pub(crate) origin: bool,
}

/// Every loaded integration, with the caller's account status.
#[utoipa::path(get, path = "/integrations", tag = "accounts", security(("user_jwt" = [])),
    responses((status = 200, body = [Integration])))]
pub async fn integrations(
    State(state): State<Arc<AppState>>,
    User(user): User,
) -> Result<Json<Vec<Integration>>, ApiError> {
    Ok(Json(list_integrations(&state, &user).await?))
}

/// Every loaded integration with `user`'s account status (the API's list and the connect page's).
pub(crate) async fn list_integrations(
    state: &AppState,
    user: &str,
) -> Result<Vec<Integration>, ApiError> {
    let accounts = state.accounts.list(user).await?;
    // One read of every OAuth app, not one per integration.
    let connections: std::collections::HashMap<String, crate::credentials::Connection> = state
        .oauth
        .connections
        .list()
        .await?
        .into_iter()
        .map(|c| (c.integration.clone(), c))
        .collect();
    state
        .registry
        .plugins()
        .iter()
        .map(|plugin| {
            let info = &plugin.loaded.info;
            let connection = match info.oauth2() {
                Some(_) => connections.get(&info.id).cloned(),
                None => None,
            };
            let fixed = |name: &str| {
                connection
                    .as_ref()
                    .and_then(|c| c.fields.get(name).cloned())
            };
            let fields = info
                .account_fields
                .iter()
                .filter(|f| f.source == FieldSource::User)
                .map(|f| UserField {
                    name: f.name.clone(),
                    description: f.description.clone(),
                    pattern: f.pattern.clone(),
                    required: f.required,
                    fixed: fixed(&f.name),
                    default: f.default_value.clone(),
                    origin: plugin.loaded.fields.is_user_origin(&f.name),
                })
                .collect();
            Ok(Integration {
                id: info.id.clone(),
                name: info.name.clone(),
                description: info.description.clone(),
                categories: info.categories.clone(),
                auth: info.auth.clone(),
                alternative_auth: info.alternative_auth.clone(),
                status: accounts
                    .iter()
                    .find(|a| a.integration == info.id)
                    .map(|a| a.status),
                // OAuth needs the operator's app; any other way needs nothing of the operator.
                connectable: info.auth_kinds().any(|auth| match auth {
                    AuthKind::OAuth2(_) => connection.is_some(),
                    _ => true,
                }),
                oauth_ready: connection.is_some(),
                fields,
            })
        })
        .collect::<Result<_, ApiError>>()
}

/// An account as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AccountView {
    id: String,
    integration: String,
    #[schema(value_type = String)]
    status: AccountStatus,
    scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    expires_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    updated_at: OffsetDateTime,
    last_error: Option<String>,
    /// The integration's account fields (never secret).
    fields: std::collections::BTreeMap<String, String>,
    /// The user's login or e-mail at the provider, when the plugin found it.
    label: Option<String>,
}

impl From<ConnectedAccount> for AccountView {
    fn from(a: ConnectedAccount) -> Self {
        AccountView {
            id: a.id,
            integration: a.integration,
            status: a.status,
            scopes: a.scopes,
            expires_at: a.expires_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            last_error: a.last_error,
            fields: a.fields,
            label: a.label,
        }
    }
}

/// The caller's connected accounts.
#[utoipa::path(get, path = "/connected-accounts", tag = "accounts", security(("user_jwt" = [])),
    responses((status = 200, body = [AccountView])))]
pub async fn list_accounts(
    State(state): State<Arc<AppState>>,
    User(user): User,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    Ok(Json(
        state
            .accounts
            .list(&user)
            .await?
            .into_iter()
            .map(AccountView::from)
            .collect(),
    ))
}

/// Bring-your-own credentials: an OAuth token or an API key.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutAccount {
    pub(crate) access_token: Option<String>,
    pub(crate) refresh_token: Option<String>,
    /// Seconds until the access token expires.
    pub(crate) expires_in: Option<u64>,
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) api_key: Option<String>,
    /// HTTP Basic credentials (integrations with `"auth": {"type": "basic"}`).
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
    /// The integration's account fields given by the user (`{"shop": "acme"}`).
    #[serde(default)]
    pub(crate) fields: FieldValues,
}

/// `invalid_parameters` naming every problem with the account fields given.
pub fn invalid_fields(integration: &str, problems: Vec<String>) -> ApiError {
    ApiError::InvalidParameters {
        message: format!(
            "the {integration} account fields are invalid: {}",
            problems.join("; ")
        ),
        errors: problems
            .into_iter()
            .map(|message| crate::catalog::ParameterError {
                path: "/fields".into(),
                message,
            })
            .collect(),
    }
}

fn loaded(state: &AppState, integration: &str) -> Result<Arc<CatalogPlugin>, ApiError> {
    state
        .registry
        .get(integration)
        .ok_or_else(|| ApiError::NotFound(format!("there is no integration named {integration:?}")))
}

fn non_empty(value: Option<String>, field: &str) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if v.trim().is_empty() => Err(ApiError::invalid(
            &format!("/{field}"),
            format!("`{field}` must not be empty"),
        )),
        other => Ok(other),
    }
}

/// Stores the caller's own credentials for an integration (replacing any).
#[utoipa::path(put, path = "/connected-accounts/{integration}", tag = "accounts", request_body = PutAccount,
    params(("integration" = String, Path)), security(("user_jwt" = [])),
    responses((status = 200, body = AccountView), (status = 400, description = "invalid_parameters"),
              (status = 404, description = "not_found")))]
pub async fn put_account(
    State(state): State<Arc<AppState>>,
    User(user): User,
    Path(integration): Path<String>,
    body: Result<Json<PutAccount>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<AccountView>, ApiError> {
    let Json(body) = body?;
    Ok(Json(
        store_credentials(&state, &user, &integration, body)
            .await?
            .into(),
    ))
}

/// Checks and stores `user`'s own credentials for `integration` (the API's `PUT` and the
/// connect page's forms).
pub(crate) async fn store_credentials(
    state: &AppState,
    user: &str,
    integration: &str,
    body: PutAccount,
) -> Result<ConnectedAccount, ApiError> {
    let integration = integration.to_string();
    let plugin = loaded(state, &integration)?;
    let access_token = non_empty(body.access_token, "access_token")?;
    let api_key = non_empty(body.api_key, "api_key")?;
    let username = non_empty(body.username, "username")?;
    let password = non_empty(body.password, "password")?;
    plugin
        .loaded
        .fields
        .check_given(
            &body.fields,
            // Bring-your-own: the caller is also the token response (Salesforce's instance_url).
            &[FieldSource::User, FieldSource::TokenResponse],
        )
        .map_err(|problems| invalid_fields(&integration, problems))?;
    let info = &plugin.loaded.info;
    if info.auth.kind() == CredentialKind::None {
        return Err(ApiError::invalid(
            "",
            format!("{integration} needs no credentials"),
        ));
    }
    // The body's credential names the way it connects: one of the integration's auth kinds.
    let given: Vec<(CredentialKind, &str)> = [
        (
            CredentialKind::Basic,
            "/username",
            username.is_some() || password.is_some(),
        ),
        (CredentialKind::ApiKey, "/api_key", api_key.is_some()),
        (
            CredentialKind::OAuth2,
            "/access_token",
            access_token.is_some(),
        ),
    ]
    .into_iter()
    .filter(|(_, _, given)| *given)
    .map(|(kind, pointer, _)| (kind, pointer))
    .collect();
    let accepted = accepted_credentials(info);
    let (kind, pointer) = match given[..] {
        [] => {
            return Err(ApiError::invalid(
                "",
                format!("give the credential: {integration} accepts {accepted}"),
            ));
        }
        [one] => one,
        [_, (_, pointer), ..] => {
            return Err(ApiError::invalid(
                pointer,
                format!("give one credential: {integration} accepts {accepted}"),
            ));
        }
    };
    if info.auth_for(Some(kind)).is_none() {
        return Err(ApiError::invalid(
            pointer,
            format!(
                "{integration} does not take {}: it accepts {accepted}",
                describe_kind(kind)
            ),
        ));
    }
    let (secret, expires_at) = match kind {
        CredentialKind::Basic => {
            let (Some(username), Some(password)) = (username, password) else {
                let Some(AuthKind::Basic {
                    username_label,
                    password_label,
                }) = info.auth_for(Some(kind))
                else {
                    unreachable!("checked above")
                };
                return Err(ApiError::invalid(
                    "/username",
                    format!(
                        "{integration} uses HTTP Basic: give `username` ({username_label}) and `password` ({password_label})"
                    ),
                ));
            };
            if username.contains(':') {
                return Err(ApiError::invalid(
                    "/username",
                    "`username` must not contain ':' (HTTP Basic separates it from the password with one)",
                ));
            }
            (
                AccountSecret::Basic {
                    user_pass: SecretString::new(format!("{username}:{password}")),
                },
                None,
            )
        }
        CredentialKind::ApiKey => (
            AccountSecret::ApiKey {
                api_key: SecretString::new(api_key.expect("given")),
            },
            None,
        ),
        CredentialKind::OAuth2 => {
            let expires_at = body.expires_in.map(|s| {
                OffsetDateTime::now_utc() + time::Duration::seconds(s.min(i64::MAX as u64) as i64)
            });
            let secret = AccountSecret::Oauth2 {
                access_token: SecretString::new(access_token.expect("given")),
                refresh_token: non_empty(body.refresh_token, "refresh_token")?
                    .map(SecretString::new),
            };
            (secret, expires_at)
        }
        CredentialKind::None => unreachable!("never given"),
    };
    let mut fields = body.fields;
    if kind == CredentialKind::OAuth2 {
        // An OAuth token goes only to the operator's instance, never one the user names.
        let fixed = match state.oauth.connections.public(&integration).await? {
            Some(connection) => connection.fields,
            None => FieldValues::new(),
        };
        plugin
            .loaded
            .fields
            .pin_oauth_origins(&mut fields, &fixed)
            .map_err(|why| ApiError::invalid("/fields", why))?;
    }
    plugin.loaded.fields.fill_defaults(&mut fields);
    let details = AccountDetails {
        scopes: body.scopes.unwrap_or_default(),
        expires_at,
        fields,
        label: None,
    };
    let account = state
        .executor
        .connect(user, &plugin, secret, details)
        .await?;
    tracing::info!(user, integration, "connected account stored");
    Ok(account)
}

/// What a body gives for one way to connect, for errors.
fn describe_kind(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Basic => "HTTP Basic credentials (`username`, `password`)",
        CredentialKind::ApiKey => "an API key (`api_key`)",
        CredentialKind::OAuth2 => "an OAuth 2 token (`access_token`)",
        CredentialKind::None => "no credential",
    }
}

/// Every credential an integration accepts, as a body gives it: "`access_token` (OAuth 2,
/// with optional `refresh_token`, `expires_in`, `scopes`) or `api_key` (Personal API key)".
fn accepted_credentials(info: &crate::manifest::ProviderInfo) -> String {
    info.auth_kinds()
        .filter_map(|auth| match auth {
            AuthKind::None => None,
            AuthKind::ApiKey { .. } => Some("`api_key`".to_string()),
            AuthKind::Basic {
                username_label,
                password_label,
            } => Some(format!(
                "`username` ({username_label}) and `password` ({password_label})"
            )),
            AuthKind::OAuth2(_) => Some(
                "`access_token` (OAuth 2; optionally `refresh_token`, `expires_in`, `scopes`)"
                    .to_string(),
            ),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Removes the caller's account and its credentials.
#[utoipa::path(delete, path = "/connected-accounts/{integration}", tag = "accounts",
    params(("integration" = String, Path)), security(("user_jwt" = [])),
    responses((status = 204, description = "Removed"), (status = 404, description = "not_found")))]
pub async fn delete_account(
    State(state): State<Arc<AppState>>,
    User(user): User,
    Path(integration): Path<String>,
) -> Result<StatusCode, ApiError> {
    remove_account(&state, &user, &integration).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes (where the provider supports it) and deletes `user`'s account for `integration`
/// (the API's `DELETE` and the connect page's Disconnect).
pub(crate) async fn remove_account(
    state: &AppState,
    user: &str,
    integration: &str,
) -> Result<(), ApiError> {
    let Some((_, secret)) = state.accounts.get(user, integration).await? else {
        return Err(ApiError::NotFound(format!(
            "you have no connected account for {integration:?}"
        )));
    };
    // Revoke at the provider first (RFC 7009) where it supports it; the credentials are deleted
    // here whatever the provider says.
    if let Some(plugin) = state.registry.get(integration)
        && let Some(declared) = plugin.loaded.info.oauth2()
        && matches!(secret, AccountSecret::Oauth2 { .. })
    {
        // A templated revocation URL resolves with the account's own fields.
        let fields = state
            .accounts
            .get_public(user, integration)
            .await?
            .map(|a| a.fields)
            .unwrap_or_default();
        let endpoints = plugin
            .loaded
            .fields
            .resolve_endpoints(declared, &fields)
            .unwrap_or_else(|_| declared.clone());
        state.oauth.revoke(&secret, integration, &endpoints).await;
    }
    state.accounts.delete(user, integration).await?;
    state.executor.user_schemas.drop_user(user);
    tracing::info!(user, integration, "connected account deleted");
    Ok(())
}
