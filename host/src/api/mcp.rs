//! The MCP server (Model Context Protocol, Streamable HTTP) at `/mcp`, with the official Rust
//! SDK (`rmcp`), which serves the 2025-11-25 revision (initialize, sessions, the GET stream) and
//! the stateless 2026-07-28 one, negotiated per request. Every request carries the user's JWT as
//! a bearer token ([`require_user`]); tools are that user's available actions, in the same names
//! and schemas as `GET /actions?format=mcp`, and `tools/call` runs exactly as `POST /actions`
//! does (validation, policy, audit, metrics).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ElicitRequest,
    ElicitRequestParams, ElicitationAction, Implementation, InputRequest, InputRequiredResult,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, SubscriptionFilter,
};
use rmcp::service::{NotificationContext, RequestContext, RoleServer, SubscriptionContext};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData as McpError, ServerHandler};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::error::ApiError;
use crate::app::AppState;
use crate::catalog::ToolFormat;
use crate::credentials::AccountStatus;
use crate::execute::{ExecuteError, ToolQuery};

/// The authenticated user of an MCP request, put in the request by [`require_user`].
#[derive(Clone)]
pub struct McpUser(pub String);

/// The tower service mounted at `/mcp`.
pub fn service(state: Arc<AppState>) -> StreamableHttpService<McpServer, LocalSessionManager> {
    let public = url::Url::parse(&state.public_url()).ok();
    // Host validation guards a server on loopback against DNS rebinding; the host also answers
    // on its public URL's host, the address it is bound to, and the hosts the operator adds.
    let mut hosts = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if let Some(host) = public.as_ref().and_then(|u| u.host_str()) {
        hosts.push(host.to_string());
    }
    hosts.push(state.settings.listen.clone());
    hosts.extend(state.settings.mcp_allowed_hosts.iter().cloned());
    // Origin validation: a browser page from any other origin gets 403 (requests without an
    // `Origin`, from programs rather than pages, pass).
    let mut origins = state.settings.mcp_allowed_origins.clone();
    if let Some(public) = &public
        && let Some(port) = public.port_or_known_default()
        && let Some(host) = public.host_str()
    {
        origins.push(format!("{}://{host}:{port}", public.scheme()));
    }
    let config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .enforce_origin_validation();
    StreamableHttpService::new(
        move || Ok(McpServer::new(state.clone())),
        LocalSessionManager::default().into(),
        config,
    )
}

const SESSION_HEADER: &str = "mcp-session-id";

fn unknown_session() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": { "code": -32600, "message": "Session not found; start a new session" }
        })),
    )
        .into_response()
}

/// Answers an MCP request without a valid user token with 401 and where to get one (RFC 9728);
/// otherwise passes it on with the [`McpUser`].
pub async fn require_user(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let verified = match token {
        Some(token) => match state.auth.verify(&token).await {
            Ok(user) => Ok(user),
            Err(crate::identity::TokenRefused::Invalid(why)) => Err(why),
            // The identity provider's keys cannot be fetched: as on the REST API, not a reason
            // for the client to drop its token and sign in again.
            Err(unavailable) => return ApiError::from(unavailable).into_response(),
        },
        None => Err("missing `Authorization: Bearer <token>` header".to_string()),
    };
    match verified {
        Ok(user) => {
            let session = request
                .headers()
                .get(SESSION_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if let Some(id) = &session
                && !state.mcp_sessions.owned_by(id, &user)
            {
                return unknown_session();
            }
            let closing = request.method() == Method::DELETE;
            request.extensions_mut().insert(McpUser(user.clone()));
            let response = next.run(request).await;
            match &session {
                None => {
                    if let Some(id) = response
                        .headers()
                        .get(SESSION_HEADER)
                        .and_then(|v| v.to_str().ok())
                    {
                        state.mcp_sessions.bind(id, user);
                    }
                }
                Some(id) if closing && response.status().is_success() => {
                    state.mcp_sessions.forget(id);
                }
                Some(_) => {}
            }
            response
        }
        Err(why) => {
            let mut response = ApiError::Unauthorized(why).into_response();
            let metadata = format!(
                "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource\"",
                state.public_url().trim_end_matches('/')
            );
            if let Ok(value) = HeaderValue::from_str(&metadata) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            response
        }
    }
}

/// RFC 9728 protected-resource metadata for `/mcp`. With `ACTIONHOST_JWT_ISSUER` set it names
/// that identity provider as the authorization server, so that MCP clients that only do OAuth
/// sign the user in there. No `scopes_supported`: the host asks for no scope of its own.
pub async fn protected_resource(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let base = state.public_url().trim_end_matches('/').to_string();
    let mut metadata = json!({
        "resource": format!("{base}/mcp"),
        "bearer_methods_supported": ["header"],
        "resource_name": "actionhost",
    });
    if let Some(issuer) = &state.settings.jwt_issuer {
        metadata["authorization_servers"] = json!([issuer]);
    }
    axum::Json(metadata)
}

/// One MCP server per connection (rmcp makes one per session or stateless request).
pub struct McpServer {
    state: Arc<AppState>,
    /// Dropped with the server (the session's end): stops its change listener.
    alive: tokio::sync::watch::Sender<()>,
}

impl McpServer {
    fn new(state: Arc<AppState>) -> Self {
        McpServer {
            state,
            alive: tokio::sync::watch::channel(()).0,
        }
    }
}

fn user_in(extensions: &rmcp::model::Extensions) -> Result<String, McpError> {
    extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<McpUser>())
        .map(|user| user.0.clone())
        .ok_or_else(|| McpError::internal_error("the request carries no authenticated user", None))
}

fn user_of(context: &RequestContext<RoleServer>) -> Result<String, McpError> {
    user_in(&context.extensions)
}

/// The key of the one input request a not-connected tool call makes (2026-07-28).
const CONNECT_INPUT: &str = "connect";

/// An error the model can act on, as a tool result: the REST API's error body as text.
pub(crate) fn tool_error(error: ApiError) -> CallToolResult {
    let body = json!({
        "error": { "code": error.code(), "message": error.to_string(), "details": error.details() }
    });
    CallToolResult::error(vec![ContentBlock::text(body.to_string())])
}

/// What running action `name` gave, as a `tools/call` result: the output as text, cut at
/// `[limits] mcp_result_kib` with a note saying so, and as `structuredContent` when the action's
/// output schema describes an object; a failure (an unknown action too) as an `isError` result.
/// The direct call and the search mode's `run_action` both answer with it.
pub(crate) fn call_result(
    state: &AppState,
    name: &str,
    outcome: Result<Box<RawValue>, ExecuteError>,
) -> CallToolResult {
    let raw = match outcome {
        Ok(raw) => raw,
        Err(error) => return tool_error(ApiError::from(error)),
    };
    let text = raw.get().to_string();
    let limit = state.settings.mcp_result_bytes;
    if text.len() > limit {
        // Never silently: the model is told how much it did not get.
        let kept = crate::quote::truncate(&text, limit);
        let note = format!(
            "[actionhost: the result is {} bytes; only the first {} are shown. \
             Ask for less (filters, a smaller page) to see the rest.]",
            text.len(),
            kept.len()
        );
        return CallToolResult::success(vec![
            ContentBlock::text(kept.to_string()),
            ContentBlock::text(note),
        ]);
    }
    let mut result = CallToolResult::success(vec![ContentBlock::text(text.clone())]);
    // With an output schema (an object), the same JSON is the structured content.
    let typed = state.registry.find_action(name).is_some_and(|plugin| {
        plugin
            .action(name)
            .and_then(|a| a.definition.output_schema.as_ref())
            .is_some_and(|s| s.get("type").and_then(Value::as_str) == Some("object"))
    });
    if typed {
        result.structured_content = serde_json::from_str(&text).ok();
    }
    result
}

/// The answer to a call of a tool whose integration the user has not connected: what is wrong,
/// and the link that connects it (for this user only) when there is one, else why there is none.
fn not_connected_result(
    state: &AppState,
    tool: &str,
    integration: &str,
    why: &str,
    link: &Result<String, ApiError>,
) -> CallToolResult {
    let (message, details) = match link {
        Ok(url) => (
            format!(
                "{why}. To connect {integration}, the user opens this link in a browser (it is \
                 theirs alone, works once and for {} minutes), then {tool} can be called again: \
                 {url}",
                state.settings.connect.link_ttl.as_secs() / 60
            ),
            json!({ "integration": integration, "connect_url": url }),
        ),
        Err(error) => (
            format!(
                "{why}. {integration} cannot be connected from here ({error}); the application \
                 connects it with PUT /connected-accounts/{integration}"
            ),
            json!({ "integration": integration }),
        ),
    };
    let body = json!({
        "error": { "code": "not_connected", "message": message, "details": details }
    });
    CallToolResult::error(vec![ContentBlock::text(body.to_string())])
}

impl McpServer {
    /// A tool call's result ([`call_result`]); an unknown tool is a protocol error.
    fn tool_result(
        &self,
        name: &str,
        outcome: Result<Box<RawValue>, ExecuteError>,
    ) -> Result<CallToolResult, McpError> {
        if let Err(ExecuteError::UnknownAction(_)) = outcome {
            return Err(McpError::invalid_params(
                format!("unknown tool: {name}"),
                None,
            ));
        }
        Ok(call_result(&self.state, name, outcome))
    }

    /// Whether `user`'s account for `integration` became active within the connect wait (or
    /// before `cancelled`).
    async fn connected_within_wait(
        &self,
        user: &str,
        integration: &str,
        cancelled: &tokio_util::sync::CancellationToken,
    ) -> bool {
        // Listening before looking: a connection finished in between is not missed.
        let mut changes = self.state.changes.listen();
        let until = tokio::time::Instant::now() + self.state.settings.mcp_connect_wait;
        loop {
            let active = self
                .state
                .accounts
                .get_public(user, integration)
                .await
                .ok()
                .flatten()
                .is_some_and(|a| a.status == AccountStatus::Active);
            if active {
                return true;
            }
            tokio::select! {
                change = tokio::time::timeout_at(until, changes.next()) => match change {
                    Ok(Some(_)) => continue,
                    _ => return false,
                },
                _ = cancelled.cancelled() => return false,
            }
        }
    }

    /// A call of a tool whose integration the user has not connected. A client that declared
    /// URL-mode elicitation is asked to send the user to the connect link (2025-11-25: an
    /// `elicitation/create` request; 2026-07-28: an `input_required` result the client answers
    /// by calling again); once the user accepts, the call waits for the connection to finish
    /// and then runs. Otherwise, or when the user declines or does not finish in time, the
    /// answer is an `isError` result that carries the link.
    async fn connect_first(
        &self,
        user: &str,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
        integration: String,
        why: String,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.to_string();
        let link = super::connect::link_for_integration(&self.state, user, &integration).await;
        let fallback = not_connected_result(&self.state, &name, &integration, &why, &link);
        let url = match (&link, url::Url::parse(link.as_deref().unwrap_or_default())) {
            (Ok(_), Ok(url)) => url,
            _ => return Ok(fallback.into()),
        };
        let url_mode = context
            .client_capabilities()
            .and_then(|c| c.elicitation)
            .is_some_and(|e| e.url.is_some());
        if !url_mode {
            return Ok(fallback.into());
        }
        let message = format!(
            "{name} acts on the user's {integration} account, which is not connected yet. \
             Open the link to connect it; the call goes on once it is connected."
        );
        let stateless = context
            .protocol_version()
            .is_some_and(|version| !version.has_initialize());
        let accepted = if stateless {
            match &request.input_responses {
                // The first call: ask for the connection and to be called again.
                None => {
                    let elicitation_id = crate::credentials::random_token(16);
                    let ask = ElicitRequest::new(ElicitRequestParams::UrlElicitationParams {
                        meta: None,
                        message,
                        url: url.to_string(),
                        elicitation_id,
                    });
                    let requests = [(CONNECT_INPUT.to_string(), InputRequest::Elicitation(ask))]
                        .into_iter()
                        .collect();
                    return Ok(InputRequiredResult::new(
                        Some(requests),
                        Some(format!("connect:{integration}")),
                    )
                    .into());
                }
                // Called again with the user's answer.
                Some(responses) => {
                    responses
                        .get(CONNECT_INPUT)
                        .and_then(|answer| answer.get("action"))
                        .and_then(Value::as_str)
                        == Some("accept")
                }
            }
        } else {
            let elicitation_id = crate::credentials::random_token(16);
            let answer = context
                .peer
                .elicit_url_with_timeout(
                    message,
                    url,
                    elicitation_id,
                    Some(self.state.settings.mcp_connect_wait),
                )
                .await;
            matches!(answer, Ok(ElicitationAction::Accept))
        };
        if accepted
            && self
                .connected_within_wait(user, &integration, &context.ct)
                .await
        {
            let parameters = Value::Object(request.arguments.unwrap_or_default());
            let outcome = self.state.executor.execute(user, &name, parameters).await;
            return self.tool_result(&name, outcome).map(Into::into);
        }
        Ok(fallback.into())
    }
}

/// Runs until `alive` is dropped (or the feed ends), calling `notify` for each change of
/// `user`'s tools; stops when `notify` fails (the client is gone).
async fn relay_changes<F, Fut>(
    state: &AppState,
    user: &str,
    mut alive: tokio::sync::watch::Receiver<()>,
    mut notify: F,
) where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let mut changes = state.changes.listen();
    loop {
        tokio::select! {
            change = changes.next() => match change {
                Some(change) if change.concerns(user) => {
                    if !notify().await {
                        return;
                    }
                }
                Some(_) => {}
                None => return,
            },
            _ = alive.changed() => return,
        }
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
        .with_server_info(Implementation::new("actionhost", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "Tools act on the SaaS accounts the user connected to actionhost. A tool whose \
             integration is not connected answers with how to connect it.",
        )
    }

    /// 2025-11-25: a session hears `notifications/tools/list_changed` (on its GET stream) for
    /// as long as it lives.
    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        let Ok(user) = user_in(&context.extensions) else {
            return;
        };
        let state = self.state.clone();
        let alive = self.alive.subscribe();
        let peer = context.peer;
        tokio::spawn(async move {
            relay_changes(&state, &user, alive, || async {
                peer.notify_tool_list_changed().await.is_ok()
            })
            .await;
        });
    }

    /// 2026-07-28: `subscriptions/listen` may ask for tool-list changes.
    fn accepted_subscription_filter(
        &self,
        _requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(SubscriptionFilter::builder().tools_list_changed().build())
    }

    async fn listen(&self, subscription: SubscriptionContext) -> Result<(), McpError> {
        let user = user_of(subscription.request_context())?;
        if subscription.accepted().tools_list_changed != Some(true) {
            subscription.cancelled().await;
            return Ok(());
        }
        let sink = subscription.sink().clone();
        let alive = self.alive.subscribe();
        tokio::select! {
            _ = relay_changes(&self.state, &user, alive, || async {
                sink.notify_tool_list_changed().await.is_ok()
            }) => {}
            _ = subscription.cancelled() => {}
        }
        Ok(())
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let user = user_of(&context)?;
        if super::mcp_search::requested(&context) {
            return super::mcp_search::list_tools(request);
        }
        // The cursor is the index of the page's first tool in the (stable) listing order.
        let start = match request.and_then(|r| r.cursor) {
            None => 0,
            Some(cursor) => cursor
                .strip_prefix("tools:")
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    McpError::invalid_params(format!("{cursor:?} is not a tools/list cursor"), None)
                })?,
        };
        let query = ToolQuery {
            format: ToolFormat::Mcp,
            limit_to_available: true,
            ..ToolQuery::default()
        };
        let listing = self
            .state
            .executor
            .list_tools(&user, &query)
            .await
            .map_err(|e| McpError::internal_error(e.to_string(), None))?;
        let page = self.state.settings.mcp_tools_per_page;
        let all: Vec<_> = listing.tools.iter().flat_map(|(_, tools)| tools).collect();
        let tools: Vec<Value> = all
            .iter()
            .skip(start)
            .take(page)
            .filter_map(|raw| serde_json::from_str(raw.get()).ok())
            .collect();
        let next = (start + page < all.len()).then(|| format!("tools:{}", start + page));
        // `resultType` is what rmcp's constructors set (and clear for older revisions).
        serde_json::from_value(
            json!({ "resultType": "complete", "tools": tools, "nextCursor": next }),
        )
        .map_err(|e| McpError::internal_error(format!("a tool does not fit MCP: {e}"), None))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let user = user_of(&context)?;
        if super::mcp_search::requested(&context) {
            return super::mcp_search::call_tool(&self.state, &user, request)
                .await
                .map(Into::into);
        }
        let name = request.name.to_string();
        let parameters = Value::Object(request.arguments.clone().unwrap_or_default());
        match self.state.executor.execute(&user, &name, parameters).await {
            Err(ExecuteError::NotConnected { integration, why }) => {
                self.connect_first(&user, request, &context, integration, why)
                    .await
            }
            outcome => self.tool_result(&name, outcome).map(Into::into),
        }
    }
}
