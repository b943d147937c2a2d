//! The MCP server (Model Context Protocol, Streamable HTTP) at `/mcp`, with the official Rust
//! SDK (`rmcp`), which serves the 2025-11-25 revision (initialize, sessions, the GET stream) and
//! the stateless 2026-07-28 one, negotiated per request. Every request carries the user's JWT as
//! a bearer token ([`require_user`]); tools are that user's available actions, in the same names
//! and schemas as `GET /actions?format=mcp`, and `tools/call` runs exactly as `POST /actions`
//! does (validation, policy, audit, metrics).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData as McpError, ServerHandler};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::error::ApiError;
use crate::app::AppState;
use crate::catalog::ToolFormat;
use crate::execute::{ExecuteError, ToolQuery};

/// The authenticated user of an MCP request, put in the request by [`require_user`].
#[derive(Clone)]
pub struct McpUser(pub String);

/// The tower service mounted at `/mcp`.
pub fn service(state: Arc<AppState>) -> StreamableHttpService<McpServer, LocalSessionManager> {
    let mut config = StreamableHttpServerConfig::default();
    // Host validation guards a server on loopback against DNS rebinding; the host also answers
    // on its public URL's host and the address it is bound to.
    let mut hosts = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    if let Ok(parsed) = url::Url::parse(&state.public_url())
        && let Some(host) = parsed.host_str()
    {
        hosts.push(host.to_string());
    }
    hosts.push(state.settings.listen.clone());
    config.allowed_hosts = hosts;
    StreamableHttpService::new(
        move || {
            Ok(McpServer {
                state: state.clone(),
            })
        },
        LocalSessionManager::default().into(),
        config,
    )
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
        Some(token) => state.auth.verify(&token).map_err(|e| e.to_string()),
        None => Err("missing `Authorization: Bearer <token>` header".to_string()),
    };
    match verified {
        Ok(user) => {
            request.extensions_mut().insert(McpUser(user));
            next.run(request).await
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

/// RFC 9728 protected-resource metadata for `/mcp`.
pub async fn protected_resource(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let base = state.public_url().trim_end_matches('/').to_string();
    let metadata = json!({
        "resource": format!("{base}/mcp"),
        "bearer_methods_supported": ["header"],
        "resource_name": "actionhost",
    });
    axum::Json(metadata)
}

/// One MCP server per connection (rmcp makes one per session or stateless request).
pub struct McpServer {
    state: Arc<AppState>,
}

fn user_of(context: &RequestContext<RoleServer>) -> Result<String, McpError> {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<McpUser>())
        .map(|user| user.0.clone())
        .ok_or_else(|| McpError::internal_error("the request carries no authenticated user", None))
}

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
        let parameters = Value::Object(request.arguments.unwrap_or_default());
        let outcome = self.state.executor.execute(&user, &name, parameters).await;
        if let Err(ExecuteError::UnknownAction(_)) = outcome {
            return Err(McpError::invalid_params(
                format!("unknown tool: {name}"),
                None,
            ));
        }
        Ok(call_result(&self.state, &name, outcome).into())
    }
}
