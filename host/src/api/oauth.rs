//! OAuth routes: a user starts an authorization (`POST /connected-accounts/{id}/authorize`), the
//! provider sends the browser back (`GET /oauth/callback`), and operators register the OAuth
//! apps (`PUT/GET /admin/connections`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::auth::{Operator, User};
use super::error::ApiError;
use crate::account_fields::FieldValues;
use crate::app::AppState;
use crate::credentials::{AccountDetails, Connection, SecretString};
use crate::manifest::{FieldSource, OAuth2Endpoints};

/// The integration's OAuth endpoints, resolved with the account fields the user gave (checked
/// against the plugin's declarations: names, patterns, required fields).
fn oauth_endpoints(
    state: &AppState,
    integration: &str,
    fields: &FieldValues,
) -> Result<OAuth2Endpoints, ApiError> {
    let plugin = state.registry.get(integration).ok_or_else(|| {
        ApiError::NotFound(format!("there is no integration named {integration:?}"))
    })?;
    let Some(endpoints) = plugin.loaded.info.oauth2() else {
        return Err(ApiError::invalid(
            "",
            format!("{integration} does not use OAuth 2"),
        ));
    };
    plugin
        .loaded
        .fields
        .check_given(fields, &[FieldSource::User])
        .map_err(|problems| super::accounts::invalid_fields(integration, problems))?;
    plugin
        .loaded
        .fields
        .resolve_endpoints(endpoints, fields)
        .map_err(|why| ApiError::invalid("/fields", why))
}

/// Body of `authorize`: the integration's account fields the user gives (Shopify's `shop`).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizeBody {
    #[serde(default)]
    fields: FieldValues,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Authorization {
    /// Send the user's browser here.
    authorization_url: String,
}

/// Starts connecting the caller's account: the provider's authorization URL (`state` single
/// use, bound to the caller, 10 minutes; PKCE S256).
#[utoipa::path(post, path = "/connected-accounts/{integration}/authorize", tag = "accounts",
    params(("integration" = String, Path)), security(("user_jwt" = [])),
    responses((status = 200, body = Authorization), (status = 403, description = "forbidden: no OAuth app configured"),
              (status = 404, description = "not_found")))]
pub async fn authorize(
    State(state): State<Arc<AppState>>,
    User(user): User,
    Path(integration): Path<String>,
    body: Option<Json<AuthorizeBody>>,
) -> Result<Json<Authorization>, ApiError> {
    let fields = body.map(|Json(b)| b.fields).unwrap_or_default();
    let authorization_url = start_authorization(&state, &user, &integration, fields, None).await?;
    Ok(Json(Authorization { authorization_url }))
}

/// Starts connecting `user`'s account for `integration` with the given fields: the provider's
/// authorization URL, whose single-use `state` binds the flow to `user`. With `return_to`, the
/// callback sends the browser there with `result=connected` or `result=<error code>` added
/// (the hosted connect page), instead of answering with its own page.
pub(crate) async fn start_authorization(
    state: &AppState,
    user: &str,
    integration: &str,
    mut fields: FieldValues,
    return_to: Option<String>,
) -> Result<String, ApiError> {
    let connection = state.oauth.connections.public(integration).await?;
    if let Some(plugin) = state.registry.get(integration) {
        // An OAuth token goes only to the operator's instance, never one the user names.
        let fixed = connection
            .as_ref()
            .map(|c| c.fields.clone())
            .unwrap_or_default();
        plugin
            .loaded
            .fields
            .pin_oauth_origins(&mut fields, &fixed)
            .map_err(|why| ApiError::invalid("/fields", why))?;
        plugin.loaded.fields.fill_defaults(&mut fields);
    }
    if let Some(connection) = connection {
        for (name, fixed) in connection.fields {
            match fields.get(&name) {
                Some(given) if given != &fixed => {
                    return Err(ApiError::invalid(
                        &format!("/fields/{name}"),
                        format!(
                            "field {name:?} is fixed to {fixed:?} by the operator's {integration} \
                             connection; leave it out"
                        ),
                    ));
                }
                _ => {
                    fields.insert(name, fixed);
                }
            }
        }
    }
    let endpoints = oauth_endpoints(state, integration, &fields)?;
    let authorization_url = state
        .oauth
        .authorize(user, integration, &endpoints, fields, return_to)
        .await
        .map_err(|e| ApiError::from_oauth(integration, e))?;
    tracing::info!(user, integration, "authorization started");
    Ok(authorization_url)
}

/// Query of the provider's redirect back to us.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Finishes an authorization: stores the tokens sealed and answers with a small page (or 303 to
/// the connection's return URL). A missing, unknown, expired or replayed `state` is 400
/// `invalid_state` and stores nothing. A failure is the usual JSON error body, or, for a browser
/// (`Accept: text/html`), a page that says the same with the same status.
#[utoipa::path(get, path = "/oauth/callback", tag = "accounts", params(CallbackParams),
    responses((status = 200, description = "HTML page"), (status = 303, description = "To the return URL"),
              (status = 400, description = "invalid_state"), (status = 403, description = "forbidden: the provider refused")))]
pub async fn callback(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    // A flow started from the connect page goes back there, whatever the outcome.
    let return_to = match params.state.as_deref() {
        Some(s) => state.oauth.return_to(s).await,
        None => None,
    };
    match (finish_authorization(&state, params).await, return_to) {
        (Ok(_), Some(to)) => back_to(&to, "connected"),
        (Err(error), Some(to)) => back_to(&to, error.code()),
        (Ok(response), None) => response,
        (Err(error), None) if browser => error_page(error),
        (Err(error), None) => error.into_response(),
    }
}

/// 303 to `to` with `result` added to its query.
fn back_to(to: &str, result: &str) -> Response {
    let mut url = match url::Url::parse(to) {
        Ok(url) => url,
        Err(_) => {
            return ApiError::Internal("the stored return URL is not a URL".into()).into_response();
        }
    };
    url.query_pairs_mut().append_pair("result", result);
    (StatusCode::SEE_OTHER, [(header::LOCATION, url.to_string())]).into_response()
}

/// Stores an exchanged token as the user's account, after the plugin's `after-connect`: the
/// fields given at authorize and those of the token response the integration declares.
async fn store_exchanged(
    state: &AppState,
    exchanged: &crate::credentials::oauth::Exchanged,
) -> Result<crate::credentials::ConnectedAccount, ApiError> {
    let plugin = state.registry.get(&exchanged.integration).ok_or_else(|| {
        ApiError::NotFound(format!("{} is no longer loaded", exchanged.integration))
    })?;
    let mut fields = exchanged.fields.clone();
    let from_token = plugin
        .loaded
        .fields
        .from_token_response(&exchanged.token_fields);
    plugin
        .loaded
        .fields
        .check_given(&from_token, &[FieldSource::TokenResponse])
        .map_err(|problems| ApiError::Upstream {
            message: format!(
                "the token response's account fields are not usable: {}",
                problems.join("; ")
            ),
            status: 0,
            body: None,
        })?;
    fields.extend(from_token);
    let details = AccountDetails {
        scopes: exchanged.scopes.clone(),
        expires_at: exchanged.expires_at,
        fields,
        label: None,
    };
    Ok(state
        .executor
        .connect(&exchanged.user, &plugin, exchanged.secret.clone(), details)
        .await?)
}

/// The page a browser gets when the authorization could not be finished.
fn error_page(error: ApiError) -> Response {
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Not connected</title></head>\
         <body><h1>The account was not connected</h1><p>{}</p><p>Error code: <code>{}</code>. \
         Return to your agent and start the connection again.</p></body></html>",
        html_escape(&error.to_string()),
        error.code()
    );
    (error.status(), Html(page)).into_response()
}

async fn finish_authorization(
    state: &Arc<AppState>,
    params: CallbackParams,
) -> Result<Response, ApiError> {
    let registry = &state.registry;
    let lookup = |integration: &str, fields: &FieldValues| {
        let plugin = registry
            .get(integration)
            .ok_or_else(|| format!("{integration} is no longer loaded"))?;
        match plugin.loaded.info.oauth2() {
            Some(endpoints) => plugin.loaded.fields.resolve_endpoints(endpoints, fields),
            None => Err(format!("{integration} is no longer an OAuth integration")),
        }
    };
    let provider_error = params
        .error
        .as_deref()
        .map(|e| (e, params.error_description.as_deref()));
    let result = state
        .oauth
        .callback(
            params.state.as_deref(),
            params.code.as_deref(),
            provider_error,
            lookup,
        )
        .await;
    let exchanged = match result {
        Ok(exchanged) => exchanged,
        Err(e) => {
            tracing::warn!(error = %e, "authorization failed");
            return Err(ApiError::from_oauth("", e));
        }
    };
    let stored = store_exchanged(state, &exchanged).await;
    if let Err(e) = &stored {
        tracing::warn!(user = %exchanged.user, integration = %exchanged.integration, error = %e, "account not stored");
        state
            .oauth
            .abandon(
                &exchanged.user,
                &exchanged.integration,
                exchanged.created_pending,
            )
            .await
            .map_err(|e| ApiError::from_oauth(&exchanged.integration, e))?;
    }
    let account = stored?;
    tracing::info!(user = %account.user, integration = %account.integration, "account connected");
    if let Some(url) = exchanged.return_url {
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response());
    }
    let name = registry
        .get(&account.integration)
        .map(|p| p.loaded.info.name.clone())
        .unwrap_or_else(|| account.integration.clone());
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Connected</title></head>\
         <body><h1>{} is connected</h1><p>You can close this window and return to your agent.</p></body></html>",
        html_escape(&name)
    );
    Ok(Html(page).into_response())
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Body of `PUT /admin/connections/{integration}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutConnection {
    /// The OAuth app's client id (or a two-part key's application key).
    #[serde(default)]
    client_id: String,
    /// Required for an OAuth app; an application key alone (Trello's) has none.
    #[serde(default)]
    client_secret: String,
    scopes: Option<Vec<String>>,
    authorize_url: Option<String>,
    token_url: Option<String>,
    revoke_url: Option<String>,
    return_url: Option<String>,
    /// User-given account fields fixed for every user of this app, e.g. `{"tenant":
    /// "organizations"}` for a Microsoft app.
    #[serde(default)]
    fields: FieldValues,
    /// The operator's credential of an integration that declares one (Discord's bot token),
    /// sealed and never returned; left out, the one stored before is kept.
    operator_secret: Option<String>,
}

/// Registers (or replaces) an integration's OAuth app. The secret is sealed and never returned.
#[utoipa::path(put, path = "/admin/connections/{integration}", tag = "operators", request_body = PutConnection,
    params(("integration" = String, Path)), security(("admin_key" = [])),
    responses((status = 200, body = Connection), (status = 400, description = "invalid_parameters"),
              (status = 404, description = "not_found")))]
pub async fn put_connection(
    State(state): State<Arc<AppState>>,
    _operator: Operator,
    Path(integration): Path<String>,
    body: Result<Json<PutConnection>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Connection>, ApiError> {
    let Json(body) = body?;
    let plugin = state.registry.get(&integration).ok_or_else(|| {
        ApiError::NotFound(format!("there is no integration named {integration:?}"))
    })?;
    // An OAuth app, the application key of a two-part key (its client id), or an operator
    // credential.
    let info = &plugin.loaded.info;
    if info.oauth2().is_none()
        && info.operator_key().is_none()
        && info.operator_credential.is_none()
    {
        return Err(ApiError::invalid(
            "",
            format!(
                "{integration} uses neither OAuth 2 nor an operator's application key or credential"
            ),
        ));
    }
    let operator_secret = match (body.operator_secret, &info.operator_credential) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(ApiError::invalid(
                "/operator_secret",
                format!("{integration} declares no operator credential"),
            ));
        }
        (Some(secret), Some(_))
            if secret.trim().is_empty() || secret.chars().any(char::is_control) =>
        {
            return Err(ApiError::invalid(
                "/operator_secret",
                "`operator_secret` must be a non-empty value without control characters",
            ));
        }
        (Some(secret), Some(_)) => Some(SecretString::new(secret)),
    };
    // An application key alone (a two-part key) has no secret; an OAuth app needs one.
    let oauth = plugin.loaded.info.oauth2().is_some();
    for (field, value, needed) in [
        (
            "client_id",
            &body.client_id,
            oauth || info.operator_key().is_some(),
        ),
        ("client_secret", &body.client_secret, oauth),
    ] {
        if needed && value.trim().is_empty() {
            return Err(ApiError::invalid(
                &format!("/{field}"),
                format!("`{field}` must not be empty"),
            ));
        }
    }
    for (field, value) in [
        ("authorize_url", &body.authorize_url),
        ("token_url", &body.token_url),
        ("revoke_url", &body.revoke_url),
        ("return_url", &body.return_url),
    ] {
        if let Some(url) = value
            && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(ApiError::invalid(
                &format!("/{field}"),
                format!("`{field}` must be an http(s) URL"),
            ));
        }
    }
    plugin
        .loaded
        .fields
        .check_values(&body.fields, &[FieldSource::User])
        .map_err(|problems| {
            ApiError::invalid(
                "/fields",
                format!(
                    "the connection's fields do not fit {integration}'s account fields: {}",
                    problems.join("; ")
                ),
            )
        })?;
    // An app on another instance (self-managed GitLab) must say which: its OAuth accounts' tokens
    // go to the instance a whole-origin field names, and that is the operator's to fix.
    if body.token_url.is_some() || body.authorize_url.is_some() {
        let fields = &plugin.loaded.fields;
        if let Some(field) = info
            .account_fields
            .iter()
            .find(|f| fields.is_user_origin(&f.name) && !body.fields.contains_key(&f.name))
        {
            return Err(ApiError::invalid(
                &format!("/fields/{}", field.name),
                format!(
                    "with its own OAuth URLs, the connection must also fix `fields.{}`: the \
                     instance those URLs belong to, where its accounts' tokens are sent ({})",
                    field.name, field.description
                ),
            ));
        }
    }
    let now = OffsetDateTime::now_utc();
    let connection = Connection {
        integration: integration.clone(),
        client_id: body.client_id,
        scopes: body.scopes,
        authorize_url: body.authorize_url,
        token_url: body.token_url,
        revoke_url: body.revoke_url,
        return_url: body.return_url,
        fields: body.fields,
        operator_secret_set: false,
        created_at: now,
        updated_at: now,
    };
    let stored = state
        .oauth
        .connections
        .put(
            connection,
            &SecretString::new(body.client_secret),
            operator_secret.as_ref(),
        )
        .await?;
    tracing::info!(integration, "OAuth app stored");
    Ok(Json(stored))
}

/// Every OAuth app, without secrets.
#[utoipa::path(get, path = "/admin/connections", tag = "operators", security(("admin_key" = [])),
    responses((status = 200, body = [Connection])))]
pub async fn list_connections(
    State(state): State<Arc<AppState>>,
    _operator: Operator,
) -> Result<Json<Vec<Connection>>, ApiError> {
    Ok(Json(state.oauth.connections.list().await?))
}
