//! The hosted connect page: `POST /connect-sessions` makes a short-lived link for one user, and
//! the pages under `/connect` let that user connect (OAuth, API key, HTTP Basic, account fields)
//! and disconnect accounts in a browser with no other token.
//!
//! Opening the link exchanges its secret for a session cookie and redirects to `/connect`, so
//! the secret leaves the address bar. Every state change is a form POST carrying the session's
//! CSRF token, refused when its `Origin` is another site's. The page does what the account API
//! does through the same functions ([`accounts::store_credentials`],
//! [`accounts::remove_account`], [`oauth::start_authorization`]); an OAuth flow started here
//! comes back here with its result. Pages are server-rendered from askama templates checked at
//! compile time (`host/templates/connect/`); the small script only adds live search and
//! validation messages, so everything works without it.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{Form, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::accounts::{self, PutAccount};
use super::auth::{Operator, User};
use super::error::ApiError;
use super::oauth;
use crate::account_fields::FieldValues;
use crate::app::AppState;
use crate::connect::{LinkRefused, Scope, Session, csrf_matches, csrf_token};
use crate::credentials::{AccountStatus, OAuthError};
use crate::manifest::{AuthKind, CredentialKind};

/// The session cookie's name (its value is the session id; only its hash is stored).
pub const COOKIE: &str = "actionhost_connect";

/// Above this many integrations the page offers a search box.
const SEARCH_FROM: usize = 7;

// ----- POST /connect-sessions --------------------------------------------------------------

/// Body of `POST /connect-sessions`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConnectSession {
    /// Only these integrations are shown (default: every integration).
    integrations: Option<Vec<String>>,
    /// Where the browser goes once an account is connected (an http(s) URL).
    return_url: Option<String>,
    /// With the admin key: the user the link is for. With a user token it may only name the
    /// token's own user.
    user: Option<String>,
}

/// A link to the hosted connect page.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConnectLink {
    /// Open in the user's browser; it works once.
    url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    expires_at: OffsetDateTime,
}

/// Who asks for a link: an operator (the admin key) or a user (their token).
pub enum LinkRequester {
    Operator,
    User(String),
}

impl FromRequestParts<Arc<AppState>> for LinkRequester {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        if Operator::from_request_parts(parts, state).await.is_ok() {
            return Ok(LinkRequester::Operator);
        }
        let User(user) = User::from_request_parts(parts, state).await?;
        Ok(LinkRequester::User(user))
    }
}

/// Makes a short-lived link to the hosted connect page for one user, where they connect and
/// disconnect accounts in a browser without any other token.
#[utoipa::path(post, path = "/connect-sessions", tag = "accounts", request_body = CreateConnectSession,
    security(("user_jwt" = []), ("admin_key" = [])),
    responses((status = 200, body = ConnectLink), (status = 400, description = "invalid_parameters"),
              (status = 401, description = "unauthorized"), (status = 403, description = "forbidden: a user token naming another user")))]
pub async fn create_session(
    State(state): State<Arc<AppState>>,
    requester: LinkRequester,
    body: Result<Json<CreateConnectSession>, JsonRejection>,
) -> Result<Json<ConnectLink>, ApiError> {
    let Json(body) = body?;
    let user = match (requester, body.user) {
        (LinkRequester::Operator, Some(user)) if !user.trim().is_empty() => user,
        (LinkRequester::Operator, _) => {
            return Err(ApiError::invalid(
                "/user",
                "with the admin key, give `user`: the user the link is for",
            ));
        }
        (LinkRequester::User(user), None) => user,
        (LinkRequester::User(user), Some(named)) if named == user => user,
        (LinkRequester::User(_), Some(_)) => {
            return Err(ApiError::Forbidden(
                "a user token makes links for its own user only: leave out `user`, or use the \
                 admin key"
                    .into(),
            ));
        }
    };
    if let Some(list) = &body.integrations {
        if list.is_empty() {
            return Err(ApiError::invalid(
                "/integrations",
                "`integrations` must name at least one integration (leave it out for all)",
            ));
        }
        for (i, id) in list.iter().enumerate() {
            if state.registry.get(id).is_none() {
                return Err(ApiError::invalid(
                    &format!("/integrations/{i}"),
                    format!("there is no integration named {id:?}"),
                ));
            }
        }
    }
    if let Some(url) = &body.return_url
        && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        return Err(ApiError::invalid(
            "/return_url",
            "`return_url` must be an absolute http(s) URL",
        ));
    }
    let scope = Scope {
        user,
        integrations: body.integrations,
        return_url: body.return_url,
    };
    let (url, expires_at) = make_link(&state, scope).await?;
    Ok(Json(ConnectLink { url, expires_at }))
}

async fn make_link(state: &AppState, scope: Scope) -> Result<(String, OffsetDateTime), ApiError> {
    let (secret, expires_at) = state
        .connect_sessions
        .create(scope, state.settings.connect.link_ttl)
        .await?;
    let url = format!(
        "{}/connect?link={secret}",
        state.public_url().trim_end_matches('/')
    );
    let expires_at = OffsetDateTime::from_unix_timestamp(expires_at)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((url, expires_at))
}

/// A connect-page link for `user` limited to `integration` (the MCP server's connect links),
/// when the page can connect it: an OAuth integration needs the operator's OAuth app.
pub(crate) async fn link_for_integration(
    state: &AppState,
    user: &str,
    integration: &str,
) -> Result<String, ApiError> {
    let plugin = state.registry.get(integration).ok_or_else(|| {
        ApiError::NotFound(format!("there is no integration named {integration:?}"))
    })?;
    // Connectable on the page: by a token, or by OAuth once the operator's app exists.
    let oauth_only = plugin
        .loaded
        .info
        .auth_kinds()
        .all(|auth| matches!(auth, AuthKind::OAuth2(_)));
    if oauth_only && state.oauth.connections.public(integration).await?.is_none() {
        return Err(ApiError::from_oauth(
            integration,
            OAuthError::NoConnection(integration.to_string()),
        ));
    }
    let scope = Scope {
        user: user.to_string(),
        integrations: Some(vec![integration.to_string()]),
        return_url: None,
    };
    make_link(state, scope).await.map(|(url, _)| url)
}

// ----- the page's routes -------------------------------------------------------------------

/// The page's routes (not in the OpenAPI description: they answer HTML to browsers), with
/// their security headers.
pub fn pages(state: Arc<AppState>) -> Router<Arc<AppState>> {
    use axum::routing::{get, post};
    Router::new()
        .route("/connect", get(page))
        .route("/connect/{integration}/authorize", post(authorize))
        .route("/connect/{integration}/credentials", post(credentials))
        .route("/connect/{integration}/disconnect", post(disconnect))
        .route("/connect/static/connect.css", get(stylesheet))
        .route("/connect/static/connect.js", get(script))
        .layer(axum::middleware::from_fn_with_state(
            state,
            security_headers,
        ))
}

/// A strict policy: nothing from another origin but the operator's logo, no inline script or
/// style, no framing. `form-action` is left out on purpose: the Connect button is a form whose
/// answer redirects to the provider's authorization page, which `form-action 'self'` blocks.
async fn security_headers(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let logo = state
        .settings
        .connect
        .logo_url
        .as_ref()
        .map(|u| format!(" {}", u.origin().ascii_serialization()))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'{logo}; \
         base-uri 'none'; frame-ancestors 'none'"
    );
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // No page here tells another site where it came from (the first URL held the link's
    // secret). Not `no-referrer`: under it a browser sends `Origin: null` with the page's own
    // forms, which the origin check refuses.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

async fn stylesheet(State(state): State<Arc<AppState>>) -> Response {
    let accent = state.settings.connect.accent_color.clone();
    let css = Stylesheet {
        on_accent: on_colour(&accent),
        accent,
    };
    match css.render() {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            text,
        )
            .into_response(),
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../static/connect.js"),
    )
        .into_response()
}

/// Black or white, whichever reads better on `#rrggbb` (WCAG relative luminance).
fn on_colour(hex: &str) -> &'static str {
    let channel = |i: usize| {
        let v = u8::from_str_radix(hex.get(1 + 2 * i..3 + 2 * i).unwrap_or("00"), 16).unwrap_or(0)
            as f64
            / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
    // Contrast with white (1.05 / (L + 0.05)) against contrast with black ((L + 0.05) / 0.05).
    if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 {
        "#ffffff"
    } else {
        "#000000"
    }
}

// ----- templates ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "connect/connect.css", escape = "none")]
struct Stylesheet {
    accent: String,
    on_accent: &'static str,
}

/// The operator's branding, on every page.
struct Brand {
    product: String,
    logo_url: Option<String>,
}

impl Brand {
    fn of(state: &AppState) -> Self {
        Brand {
            product: state.settings.connect.product_name.clone(),
            logo_url: state
                .settings
                .connect
                .logo_url
                .as_ref()
                .map(|u| u.to_string()),
        }
    }
}

/// A page that says what happened and what the person can do.
#[derive(Template)]
#[template(path = "connect/message.html")]
struct MessagePage {
    brand: Brand,
    title: String,
    paragraphs: Vec<String>,
    back: Option<(String, String)>,
}

/// A notice at the top of the page.
struct Notice {
    /// `success` or `error` (also the CSS class).
    kind: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "connect/page.html")]
struct ConnectPage {
    brand: Brand,
    csrf: String,
    notice: Option<Notice>,
    query: String,
    show_search: bool,
    total: usize,
    cards: Vec<Card>,
    return_url: Option<String>,
}

/// One integration on the page.
struct Card {
    id: String,
    name: String,
    initial: String,
    description: String,
    categories: String,
    /// Lower-cased text the script filters on.
    search_text: String,
    /// `connected`, `expired`, `revoked`, `none` or `unavailable` (also the CSS class).
    status: &'static str,
    status_text: String,
    /// Which form connects it: `oauth2`, `credentials` or `none` (needs no account).
    connect: &'static str,
    connectable: bool,
    connected: bool,
    inputs: Vec<Input>,
    /// The other ways to connect (a personal token beside OAuth 2, ...), each its own form.
    alternatives: Vec<Alternative>,
    /// The form is shown open (it was sent with errors).
    open: bool,
    errors: Vec<String>,
}

/// Another way to connect an integration: its own form.
struct Alternative {
    /// `oauth2`, `api_key` or `basic` (sent back as the form's `kind`).
    kind: &'static str,
    /// The disclosure's words, e.g. "Use an API key instead".
    summary: String,
    inputs: Vec<Input>,
    /// Shown open (it was sent with errors).
    open: bool,
    /// For `oauth2`: whether the operator has set up the OAuth app.
    ready: bool,
}

/// A form input.
struct Input {
    /// The form name: `api_key`, `username`, `password` or `field.<name>`.
    name: String,
    /// Element id, unique on the page.
    id: String,
    label: String,
    hint: String,
    /// What the page says when it is left empty (the server's words, used by the script too).
    missing: String,
    secret: bool,
    required: bool,
    pattern: Option<String>,
    value: String,
    error: Option<String>,
}

// ----- sessions in requests ----------------------------------------------------------------

/// The session a request's cookie names.
struct PageSession {
    id: String,
    session: Session,
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<PageSession>, ApiError> {
    let Some(id) = cookie_value(headers, COOKIE) else {
        return Ok(None);
    };
    Ok(state
        .connect_sessions
        .session(id)
        .await?
        .map(|session| PageSession {
            id: id.to_string(),
            session,
        }))
}

fn message(
    state: &AppState,
    status: StatusCode,
    title: &str,
    paragraphs: Vec<String>,
    back: Option<(String, String)>,
) -> Response {
    let page = MessagePage {
        brand: Brand::of(state),
        title: title.to_string(),
        paragraphs,
        back,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::Internal(e.to_string()).into_response(),
    }
}

fn no_session(state: &AppState) -> Response {
    message(
        state,
        StatusCode::UNAUTHORIZED,
        "Your connect session has ended",
        vec![
            "This page needs the link you were given, opened in this browser, and the session it \
             starts lasts a limited time."
                .into(),
            "Go back to the application that sent you here and ask it for a new link.".into(),
        ],
        None,
    )
}

fn internal(state: &AppState, error: &ApiError) -> Response {
    tracing::error!(error = %error, "connect page failed");
    message(
        state,
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        vec![
            "The page could not be shown because of a problem on our side. Try again in a \
             moment; if it keeps happening, tell the application's operator."
                .into(),
        ],
        Some(("/connect".into(), "Back to your accounts".into())),
    )
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

// ----- GET /connect ------------------------------------------------------------------------

#[derive(Deserialize)]
struct PageQuery {
    link: Option<String>,
    q: Option<String>,
    integration: Option<String>,
    result: Option<String>,
}

async fn page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return message(
            &state,
            StatusCode::BAD_REQUEST,
            "This address is not valid",
            vec!["Open the link you were given exactly as it was sent.".into()],
            None,
        );
    };
    let current = match current_session(&state, &headers).await {
        Ok(current) => current,
        Err(e) => return internal(&state, &e),
    };
    if let Some(link) = &query.link {
        return open_link(&state, current, link).await;
    }
    let Some(current) = current else {
        return no_session(&state);
    };
    let name = |id: &str| {
        state
            .registry
            .get(id)
            .map(|p| p.loaded.info.name.clone())
            .filter(|_| current.session.scope.allows(id))
    };
    let notice = match (&query.integration, &query.result) {
        (Some(id), Some(result)) => match name(id) {
            Some(name) => Some(result_notice(&state, &current, id, &name, result).await),
            None => None,
        },
        _ => None,
    };
    // A finished connection with a return URL goes back there.
    if query.result.as_deref() == Some("connected")
        && notice.is_some()
        && let Some(url) = &current.session.scope.return_url
    {
        return see_other(url);
    }
    render_page(
        &state,
        &current,
        query.q.unwrap_or_default(),
        notice,
        None,
        StatusCode::OK,
    )
    .await
}

/// What the page says after a flow came back, by result code (never text from the address).
async fn result_notice(
    state: &AppState,
    current: &PageSession,
    integration: &str,
    name: &str,
    result: &str,
) -> Notice {
    let error = |text: String| Notice {
        kind: "error",
        text,
    };
    match result {
        "connected" => {
            let label = state
                .accounts
                .get_public(&current.session.scope.user, integration)
                .await
                .ok()
                .flatten()
                .and_then(|a| a.label);
            Notice {
                kind: "success",
                text: match label {
                    Some(label) => format!("{name} is connected as {label}."),
                    None => format!("{name} is connected."),
                },
            }
        }
        "disconnected" => Notice {
            kind: "success",
            text: format!("{name} is disconnected. Its credentials are deleted."),
        },
        "forbidden" => error(format!(
            "{name} did not grant access: the authorization was refused or cancelled. You can \
             connect again whenever you like."
        )),
        "upstream_error" | "timeout" => error(format!(
            "{name} could not be reached to finish connecting. It may be down; try again in a \
             few minutes."
        )),
        "invalid_state" => error(format!(
            "Connecting {name} took too long or was already finished. Start again with Connect."
        )),
        _ => error(format!(
            "{name} could not be connected (error code {}). Try again; if it keeps failing, \
             tell the application's operator.",
            result
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(32)
                .collect::<String>()
        )),
    }
}

/// Exchanges a link for a session cookie and sends the browser to `/connect` (the secret leaves
/// the address bar), or says why the link does not work.
async fn open_link(state: &AppState, current: Option<PageSession>, link: &str) -> Response {
    let ttl = state.settings.connect.link_ttl;
    let opened = match state.connect_sessions.open_link(link, ttl).await {
        Ok(opened) => opened,
        Err(e) => return internal(state, &e.into()),
    };
    let lifetime = match ttl.as_secs() {
        60 => "1 minute".to_string(),
        s if s >= 60 => format!("{} minutes", s / 60),
        1 => "1 second".to_string(),
        s => format!("{s} seconds"),
    };
    match opened {
        Ok((id, _)) => {
            let secure = if state.public_url().starts_with("https://") {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{COOKIE}={id}; Path=/connect; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
                ttl.as_secs()
            );
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, "/connect".to_string()),
                    (header::SET_COOKIE, cookie),
                ],
            )
                .into_response()
        }
        // The browser that opened it already has its session: the link brings it back.
        Err(LinkRefused::Used)
            if current
                .as_ref()
                .is_some_and(|c| c.session.opened_with(link)) =>
        {
            see_other("/connect")
        }
        Err(LinkRefused::Used) => message(
            state,
            StatusCode::FORBIDDEN,
            "This link was already used",
            vec![
                "A connect link works once, in the browser that opens it first. It was opened \
                 already, perhaps by another browser or a link preview."
                    .into(),
                "Go back to the application that sent you here and ask it for a new link.".into(),
            ],
            None,
        ),
        Err(LinkRefused::Expired) => message(
            state,
            StatusCode::GONE,
            "This link has expired",
            vec![
                format!("Connect links work for {lifetime} after they are made."),
                "Go back to the application that sent you here and ask it for a new link.".into(),
            ],
            None,
        ),
        Err(LinkRefused::Unknown) => message(
            state,
            StatusCode::NOT_FOUND,
            "This link is not valid",
            vec![
                "Check that the whole link was copied, or ask the application that sent you \
                 here for a new one."
                    .into(),
            ],
            None,
        ),
    }
}

/// A form sent back with problems: which card, the values to keep (never a secret), and the
/// messages by input name (`""`: about the whole form).
struct FormState {
    integration: String,
    /// The form's `kind` (`api_key`, `basic`; empty: the primary form).
    kind: String,
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
}

fn humanize(name: &str) -> String {
    // An identifier (`api_key`, `instance_url`) reads as words; a label already written for
    // people (`Account e-mail`) is kept as it is, but for its first letter.
    let text = if name.contains(' ') {
        name.to_string()
    } else {
        name.replace('_', " ")
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// `label` to stand inside a sentence: its first word in lower case unless it is an acronym
/// (`API token` stays, `Account e-mail` becomes `account e-mail`).
fn lower_first_word(label: &str) -> String {
    let first = label.split(' ').next().unwrap_or_default();
    let acronym = first.chars().filter(|c| c.is_alphabetic()).count() > 1
        && first.chars().all(|c| !c.is_lowercase());
    if acronym {
        return label.to_string();
    }
    let mut chars = label.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What the page says about an empty required input (`name`: the form name).
fn missing_message(integration_name: &str, name: &str, label: &str) -> String {
    match name {
        "api_key" => format!("Enter your {integration_name} API key."),
        "username" | "password" => format!("Enter your {}.", lower_first_word(label)),
        _ => format!("Enter the {}.", lower_first_word(label)),
    }
}

/// The form of one way to connect integration `i`: which form it is (`oauth2`, `credentials`
/// or `none`) and its inputs (the credential's, then the user's account fields), with the values
/// and errors of `sent` when that form came back. `prefix` keeps element ids unique when a card
/// has several forms.
fn auth_form(
    i: &accounts::Integration,
    auth: &AuthKind,
    prefix: &str,
    sent: Option<&FormState>,
    fields: &[&accounts::UserField],
) -> (&'static str, Vec<Input>) {
    let error_for = |name: &str| {
        sent.and_then(|f| {
            f.errors
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, m)| m.clone())
        })
    };
    let value_of = |name: &str| {
        sent.and_then(|f| f.values.get(name).cloned())
            .unwrap_or_default()
    };
    let input = |name: String, label: String, hint: String, secret: bool| Input {
        id: match prefix {
            "" => format!("{}-{}", i.id, name.replace('.', "-")),
            prefix => format!("{}-{prefix}-{}", i.id, name.replace('.', "-")),
        },
        error: error_for(&name),
        value: if secret {
            String::new()
        } else {
            value_of(&name)
        },
        missing: missing_message(&i.name, &name, &label),
        name,
        label,
        hint,
        secret,
        required: true,
        pattern: None,
    };
    let mut inputs = Vec::new();
    let connect = match auth {
        AuthKind::OAuth2(_) => "oauth2",
        AuthKind::ApiKey { .. } => {
            inputs.push(input(
                "api_key".into(),
                "API key".into(),
                format!("The API key from your {} account.", i.name),
                true,
            ));
            "credentials"
        }
        AuthKind::Basic {
            username_label,
            password_label,
        } => {
            inputs.push(input(
                "username".into(),
                humanize(username_label),
                String::new(),
                false,
            ));
            inputs.push(input(
                "password".into(),
                humanize(password_label),
                String::new(),
                true,
            ));
            "credentials"
        }
        AuthKind::None => return ("none", inputs),
    };
    for field in fields {
        // An OAuth account's instance is the operator's, not the user's to type.
        if connect == "oauth2" && field.origin {
            continue;
        }
        let mut field_input = input(
            format!("field.{}", field.name),
            humanize(&field.name),
            match &field.default {
                Some(default) => format!("{} Leave empty for {default}.", field.description),
                None => field.description.clone(),
            },
            false,
        );
        field_input.required = field.required;
        field_input.pattern = field.pattern.clone();
        inputs.push(field_input);
    }
    (connect, inputs)
}

async fn render_page(
    state: &AppState,
    current: &PageSession,
    query: String,
    notice: Option<Notice>,
    form: Option<FormState>,
    status: StatusCode,
) -> Response {
    let scope = &current.session.scope;
    let listed = match accounts::list_integrations(state, &scope.user).await {
        Ok(list) => list,
        Err(e) => return internal(state, &e),
    };
    let labels: HashMap<String, Option<String>> = state
        .accounts
        .list(&scope.user)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.integration, a.label))
        .collect();
    let allowed: Vec<_> = listed.into_iter().filter(|i| scope.allows(&i.id)).collect();
    let total = allowed.len();
    let needle = query.trim().to_lowercase();
    let cards = allowed
        .into_iter()
        .map(|i| {
            let categories = i
                .categories
                .iter()
                .map(|c| c.replace('_', " "))
                .collect::<Vec<_>>()
                .join(", ");
            let search_text =
                format!("{} {} {} {}", i.id, i.name, i.description, categories).to_lowercase();
            (i, categories, search_text)
        })
        .filter(|(_, _, text)| needle.is_empty() || text.contains(&needle))
        .map(|(i, categories, search_text)| {
            // The form sent back with errors: the primary one (no `kind`) or an alternative.
            let sent = |kind: &str| {
                form.as_ref()
                    .filter(|f| f.integration == i.id && f.kind == kind)
            };
            let fields: Vec<&accounts::UserField> =
                i.fields.iter().filter(|f| f.fixed.is_none()).collect();
            let (connect, inputs) = auth_form(&i, &i.auth, "", sent(""), &fields);
            let this_form = sent("");
            let alternatives: Vec<Alternative> = i
                .alternative_auth
                .iter()
                .map(|auth| {
                    let kind = auth.kind().as_str();
                    let (_, inputs) = auth_form(&i, auth, kind, sent(kind), &fields);
                    Alternative {
                        kind,
                        summary: match auth {
                            AuthKind::OAuth2(_) => format!("Sign in with {} instead", i.name),
                            AuthKind::Basic { password_label, .. } => {
                                format!("Use your {} instead", lower_first_word(password_label))
                            }
                            _ => "Use an API key instead".to_string(),
                        },
                        inputs,
                        open: sent(kind).is_some(),
                        ready: i.oauth_ready,
                    }
                })
                .collect();
            let (status, status_text) = match i.status {
                Some(AccountStatus::Active) => (
                    "connected",
                    match labels.get(&i.id).cloned().flatten() {
                        Some(label) => format!("Connected as {label}"),
                        None => "Connected".to_string(),
                    },
                ),
                Some(AccountStatus::Expired) => ("expired", "Expired: connect again".to_string()),
                Some(AccountStatus::Revoked) => ("revoked", "Revoked: connect again".to_string()),
                _ if connect == "none" => ("connected", "No account needed".to_string()),
                _ if !i.connectable => ("unavailable", "Not available yet".to_string()),
                _ => ("none", "Not connected".to_string()),
            };
            let connected = matches!(
                i.status,
                Some(AccountStatus::Active | AccountStatus::Expired | AccountStatus::Revoked)
            );
            Card {
                initial: i
                    .name
                    .chars()
                    .next()
                    .map(|c| c.to_uppercase().collect())
                    .unwrap_or_default(),
                open: this_form.is_some(),
                errors: this_form
                    .map(|f| {
                        f.errors
                            .iter()
                            .filter(|(n, _)| n.is_empty())
                            .map(|(_, m)| m.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                id: i.id,
                name: i.name,
                description: i.description,
                categories,
                search_text,
                status,
                status_text,
                connect,
                // The primary form's readiness (an OAuth app set up); alternatives have theirs.
                connectable: if connect == "oauth2" {
                    i.oauth_ready
                } else {
                    i.connectable
                },
                connected,
                inputs,
                alternatives,
            }
        })
        .collect();
    let page = ConnectPage {
        brand: Brand::of(state),
        csrf: csrf_token(&current.id),
        notice,
        query,
        show_search: total >= SEARCH_FROM,
        total,
        cards,
        return_url: scope.return_url.clone(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => internal(state, &ApiError::Internal(e.to_string())),
    }
}

// ----- the forms ---------------------------------------------------------------------------

/// A form post's session, checked: the cookie's live session, a same-origin request carrying
/// its CSRF token, an integration the link covers. Otherwise the page that says why.
async fn checked_post(
    state: &AppState,
    headers: &HeaderMap,
    form: &Result<Form<HashMap<String, String>>, FormRejection>,
    integration: &str,
) -> Result<PageSession, Box<Response>> {
    let refused = || {
        message(
            state,
            StatusCode::FORBIDDEN,
            "This request was refused",
            vec![
                "It did not come from your connect page, so nothing was changed.".into(),
                "If you were using the page, reload it and try again.".into(),
            ],
            Some(("/connect".into(), "Back to your accounts".into())),
        )
    };
    let own_origin = url::Url::parse(&state.public_url())
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    if let Some(origin) = headers.get(header::ORIGIN)
        && origin.to_str().ok() != Some(own_origin.as_str())
    {
        tracing::warn!(integration, "connect form from another origin refused");
        return Err(Box::new(refused()));
    }
    let current = match current_session(state, headers).await {
        Ok(Some(current)) => current,
        Ok(None) => return Err(Box::new(no_session(state))),
        Err(e) => return Err(Box::new(internal(state, &e))),
    };
    let token = form
        .as_ref()
        .ok()
        .and_then(|Form(f)| f.get("csrf"))
        .map(String::as_str)
        .unwrap_or("");
    if !csrf_matches(&current.id, token) {
        tracing::warn!(
            integration,
            "connect form without the session's CSRF token refused"
        );
        return Err(Box::new(refused()));
    }
    if !current.session.scope.allows(integration) || state.registry.get(integration).is_none() {
        return Err(Box::new(message(
            state,
            StatusCode::NOT_FOUND,
            "This integration is not on your page",
            vec!["The link you opened does not cover it.".into()],
            Some(("/connect".into(), "Back to your accounts".into())),
        )));
    }
    Ok(current)
}

/// The account fields a form gives (`field.<name>`, empty ones left out), and the problems
/// with them named by input, checked against the plugin's declarations as the user sees them.
async fn form_fields(
    state: &AppState,
    integration: &str,
    form: &HashMap<String, String>,
) -> (FieldValues, Vec<(String, String)>) {
    let mut values = FieldValues::new();
    let mut problems = Vec::new();
    let Some(plugin) = state.registry.get(integration) else {
        return (values, problems);
    };
    let fixed = state
        .oauth
        .connections
        .public(integration)
        .await
        .ok()
        .flatten()
        .map(|c| c.fields)
        .unwrap_or_default();
    for field in &plugin.loaded.info.account_fields {
        if field.source != crate::manifest::FieldSource::User || fixed.contains_key(&field.name) {
            continue;
        }
        let input = format!("field.{}", field.name);
        let value = form.get(&input).map(|v| v.trim()).unwrap_or("");
        let label = humanize(&field.name);
        if value.is_empty() {
            if field.required {
                let message = missing_message(&plugin.loaded.info.name, &input, &label);
                problems.push((input, message));
            }
            continue;
        }
        if let Some(pattern) = &field.pattern
            && !regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|r| r.is_match(value))
        {
            problems.push((
                input,
                format!(
                    "{label} must match the form {pattern} ({}).",
                    field.description
                ),
            ));
            continue;
        }
        values.insert(field.name.clone(), value.to_string());
    }
    (values, problems)
}

/// The non-secret values of a form, kept when it is shown again.
fn kept_values(form: &HashMap<String, String>) -> HashMap<String, String> {
    form.iter()
        .filter(|(k, _)| k.starts_with("field.") || k.as_str() == "username")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The API's `invalid_parameters` paths as the form's input names.
fn problems_by_input(error: &ApiError) -> Vec<(String, String)> {
    match error {
        ApiError::InvalidParameters { errors, .. } => errors
            .iter()
            .map(|e| {
                let input = match e.path.as_str() {
                    "/api_key" => "api_key".to_string(),
                    "/username" => "username".to_string(),
                    "/password" => "password".to_string(),
                    path => match path.strip_prefix("/fields/") {
                        Some(name) => format!("field.{name}"),
                        None => String::new(),
                    },
                };
                (input, e.message.clone())
            })
            .collect(),
        other => vec![(String::new(), other.to_string())],
    }
}

async fn sent_back(
    state: &AppState,
    current: &PageSession,
    integration: &str,
    form: &HashMap<String, String>,
    errors: Vec<(String, String)>,
) -> Response {
    let status = StatusCode::BAD_REQUEST;
    render_page(
        state,
        current,
        String::new(),
        None,
        Some(FormState {
            integration: integration.to_string(),
            kind: form.get("kind").cloned().unwrap_or_default(),
            values: kept_values(form),
            errors,
        }),
        status,
    )
    .await
}

/// Connect: starts the OAuth flow (with the account fields the form gives), coming back to
/// the page with its result.
async fn authorize(
    State(state): State<Arc<AppState>>,
    Path(integration): Path<String>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let current = match checked_post(&state, &headers, &form, &integration).await {
        Ok(current) => current,
        Err(page) => return *page,
    };
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let name = state
        .registry
        .get(&integration)
        .map(|p| p.loaded.info.name.clone())
        .unwrap_or_else(|| integration.clone());
    match state.oauth.connections.public(&integration).await {
        Ok(Some(_)) => {}
        Ok(None) => {
            return message(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("{name} is not set up yet"),
                vec![
                    format!(
                        "{} has not registered an OAuth app with {name}, so accounts cannot be \
                         connected yet.",
                        state.settings.connect.product_name
                    ),
                    "Tell the application's operator; there is nothing you need to change.".into(),
                ],
                Some(("/connect".into(), "Back to your accounts".into())),
            );
        }
        Err(e) => return internal(&state, &e.into()),
    }
    let (fields, problems) = form_fields(&state, &integration, &form).await;
    if !problems.is_empty() {
        return sent_back(&state, &current, &integration, &form, problems).await;
    }
    let mut return_to = match url::Url::parse(&format!(
        "{}/connect",
        state.public_url().trim_end_matches('/')
    )) {
        Ok(url) => url,
        Err(e) => return internal(&state, &ApiError::Internal(e.to_string())),
    };
    return_to
        .query_pairs_mut()
        .append_pair("integration", &integration);
    match oauth::start_authorization(
        &state,
        &current.session.scope.user,
        &integration,
        fields,
        Some(return_to.to_string()),
    )
    .await
    {
        Ok(url) => see_other(&url),
        Err(e @ ApiError::InvalidParameters { .. }) => {
            sent_back(&state, &current, &integration, &form, problems_by_input(&e)).await
        }
        Err(e) => {
            tracing::warn!(integration, error = %e, "connect page could not start the authorization");
            message(
                &state,
                e.status(),
                &format!("{name} could not be connected"),
                vec![e.to_string()],
                Some(("/connect".into(), "Back to your accounts".into())),
            )
        }
    }
}

/// Connect with an API key, HTTP Basic credentials and account fields, through the same checks
/// as `PUT /connected-accounts/{integration}`.
async fn credentials(
    State(state): State<Arc<AppState>>,
    Path(integration): Path<String>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let current = match checked_post(&state, &headers, &form, &integration).await {
        Ok(current) => current,
        Err(page) => return *page,
    };
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let Some(plugin) = state.registry.get(&integration) else {
        return no_session(&state);
    };
    let name = plugin.loaded.info.name.clone();
    let (fields, mut problems) = form_fields(&state, &integration, &form).await;
    let given = |input: &str| {
        form.get(input)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut body = PutAccount {
        fields,
        ..PutAccount::default()
    };
    // Which form: its `kind` names one of the integration's ways to connect; without one, the
    // first that takes credentials.
    let info = &plugin.loaded.info;
    let auth = match form.get("kind").map(String::as_str) {
        Some("api_key") => info.auth_for(Some(CredentialKind::ApiKey)),
        Some("basic") => info.auth_for(Some(CredentialKind::Basic)),
        Some(_) => None,
        None => info
            .auth_kinds()
            .find(|a| matches!(a, AuthKind::ApiKey { .. } | AuthKind::Basic { .. })),
    };
    match auth.unwrap_or(&AuthKind::None) {
        AuthKind::ApiKey { .. } => {
            body.api_key = given("api_key");
            if body.api_key.is_none() {
                problems.insert(0, ("api_key".into(), missing_message(&name, "api_key", "")));
            }
        }
        AuthKind::Basic {
            username_label,
            password_label,
        } => {
            body.username = given("username");
            body.password = given("password");
            if body.password.is_none() {
                problems.insert(
                    0,
                    (
                        "password".into(),
                        missing_message(&name, "password", &humanize(password_label)),
                    ),
                );
            }
            match &body.username {
                None => problems.insert(
                    0,
                    (
                        "username".into(),
                        missing_message(&name, "username", &humanize(username_label)),
                    ),
                ),
                Some(u) if u.contains(':') => problems.insert(
                    0,
                    (
                        "username".into(),
                        format!("{} must not contain a colon (:).", humanize(username_label)),
                    ),
                ),
                Some(_) => {}
            }
        }
        _ => {
            return message(
                &state,
                StatusCode::BAD_REQUEST,
                &format!("{name} is not connected with a form"),
                vec![format!(
                    "{name} connects with its own sign-in page: use Connect."
                )],
                Some(("/connect".into(), "Back to your accounts".into())),
            );
        }
    }
    if !problems.is_empty() {
        return sent_back(&state, &current, &integration, &form, problems).await;
    }
    let user = current.session.scope.user.clone();
    match accounts::store_credentials(&state, &user, &integration, body).await {
        Ok(_) => match &current.session.scope.return_url {
            Some(url) => see_other(url),
            None => see_other(&format!(
                "/connect?integration={integration}&result=connected"
            )),
        },
        Err(e @ ApiError::InvalidParameters { .. }) => {
            sent_back(&state, &current, &integration, &form, problems_by_input(&e)).await
        }
        Err(e @ ApiError::Internal(_)) => internal(&state, &e),
        Err(e) => {
            // The plugin's check of the new credentials failed: say what the provider said.
            let text = match e {
                ApiError::Upstream { .. } | ApiError::Timeout(_) => format!(
                    "{name} could not be reached to check these credentials. It may be down; \
                     try again in a few minutes."
                ),
                other => format!("{name} did not accept these credentials: {other}"),
            };
            sent_back(
                &state,
                &current,
                &integration,
                &form,
                vec![(String::new(), text)],
            )
            .await
        }
    }
}

/// Disconnect (the page asked once already): revokes and deletes the account, as
/// `DELETE /connected-accounts/{integration}` does.
async fn disconnect(
    State(state): State<Arc<AppState>>,
    Path(integration): Path<String>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let current = match checked_post(&state, &headers, &form, &integration).await {
        Ok(current) => current,
        Err(page) => return *page,
    };
    match accounts::remove_account(&state, &current.session.scope.user, &integration).await {
        Ok(()) | Err(ApiError::NotFound(_)) => see_other(&format!(
            "/connect?integration={integration}&result=disconnected"
        )),
        Err(e) => internal(&state, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_written_for_people_keep_their_spelling() {
        assert_eq!(humanize("api_key"), "Api key");
        assert_eq!(humanize("tenant"), "Tenant");
        assert_eq!(humanize("Account e-mail"), "Account e-mail");
        assert_eq!(
            humanize("API token (id.atlassian.com)"),
            "API token (id.atlassian.com)"
        );
        assert_eq!(
            missing_message("Jira", "username", "Account e-mail"),
            "Enter your account e-mail."
        );
        assert_eq!(
            missing_message("Jira", "password", "API token"),
            "Enter your API token."
        );
        assert_eq!(
            missing_message("Shopify", "field.shop", "Shop"),
            "Enter the shop."
        );
    }

    #[test]
    fn text_on_the_accent_is_the_readable_one() {
        assert_eq!(on_colour("#1f5fbf"), "#ffffff");
        assert_eq!(on_colour("#ffd400"), "#000000");
        assert_eq!(on_colour("#000000"), "#ffffff");
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; actionhost_connect=abc; b=2"),
        );
        assert_eq!(cookie_value(&headers, COOKIE), Some("abc"));
        assert_eq!(cookie_value(&headers, "c"), None);
    }
}
