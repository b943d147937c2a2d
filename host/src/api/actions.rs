//! Agents' routes: list tools (`GET /actions`, `GET /tools`) and run one (`POST /actions`,
//! `POST /tools`), ActionKit-compatible, plus the operator's `POST /admin/execute`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::auth::{Operator, User};
use super::error::ApiError;
use crate::app::AppState;
use crate::catalog::ToolFormat;
use crate::execute::{ToolListing, ToolQuery};

/// Query of `GET /actions` and `GET /tools`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// `json_schema` (default, OpenAI function calling), `anthropic` or `mcp`.
    format: Option<String>,
    /// Only integrations the user has an active account for, plus those needing none (default `true`).
    limit_to_available: Option<String>,
    /// Drop this user's cached dynamic schemas first (default `false`).
    reload_fields: Option<String>,
    /// Comma-separated integration ids.
    integrations: Option<String>,
    /// Comma-separated categories.
    categories: Option<String>,
}

fn flag(name: &str, value: Option<&str>, default: bool) -> Result<bool, ApiError> {
    match value {
        None => Ok(default),
        Some("true") | Some("1") => Ok(true),
        Some("false") | Some("0") => Ok(false),
        Some(other) => Err(ApiError::invalid(
            name,
            format!("`{name}` must be true or false, not {other:?}"),
        )),
    }
}

fn list(value: Option<&str>) -> Option<Vec<String>> {
    value.map(|v| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

impl ListParams {
    fn query(&self) -> Result<ToolQuery, ApiError> {
        let format = match self.format.as_deref() {
            None | Some("json_schema") => ToolFormat::JsonSchema,
            Some("anthropic") => ToolFormat::Anthropic,
            Some("mcp") => ToolFormat::Mcp,
            Some(other) => {
                return Err(ApiError::invalid(
                    "format",
                    format!("`format` must be json_schema, anthropic or mcp, not {other:?}"),
                ));
            }
        };
        Ok(ToolQuery {
            format,
            limit_to_available: flag(
                "limit_to_available",
                self.limit_to_available.as_deref(),
                true,
            )?,
            reload_fields: flag("reload_fields", self.reload_fields.as_deref(), false)?,
            integrations: list(self.integrations.as_deref()),
            categories: list(self.categories.as_deref()),
        })
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IntegrationError {
    integration: String,
    message: String,
}

/// `{"actions" | "tools": {"<integration>": [TOOL, ...]}, "errors": [...]}`, with the prepared
/// tool JSON written as it is.
pub struct ToolsBody {
    key: &'static str,
    listing: ToolListing,
}

struct ToolsByIntegration<'a>(&'a [(String, Vec<Box<RawValue>>)]);

impl Serialize for ToolsByIntegration<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(id, tools)| (id, tools)))
    }
}

impl Serialize for ToolsBody {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let errors: Vec<IntegrationError> = self
            .listing
            .errors
            .iter()
            .map(|(integration, message)| IntegrationError {
                integration: integration.clone(),
                message: message.clone(),
            })
            .collect();
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(self.key, &ToolsByIntegration(&self.listing.tools))?;
        map.serialize_entry("errors", &errors)?;
        map.end()
    }
}

async fn list_for(
    state: &Arc<AppState>,
    user: &str,
    params: &ListParams,
    key: &'static str,
) -> Result<Json<ToolsBody>, ApiError> {
    let listing = state.executor.list_tools(user, &params.query()?).await?;
    Ok(Json(ToolsBody { key, listing }))
}

/// The actions the user can run, as tool definitions for an LLM.
#[utoipa::path(get, path = "/actions", tag = "agents", params(ListParams),
    security(("user_jwt" = [])),
    responses((status = 200, description = "`{\"actions\": {integration: [tool]}, \"errors\": [...]}`"),
              (status = 400, description = "invalid_parameters"), (status = 401, description = "unauthorized")))]
pub async fn list_actions(
    State(state): State<Arc<AppState>>,
    User(user): User,
    Query(params): Query<ListParams>,
) -> Result<Json<ToolsBody>, ApiError> {
    list_for(&state, &user, &params, "actions").await
}

/// The same as `GET /actions` under ActionKit's newer name, with the key `tools`.
#[utoipa::path(get, path = "/tools", tag = "agents", params(ListParams),
    security(("user_jwt" = [])),
    responses((status = 200, description = "`{\"tools\": {integration: [tool]}, \"errors\": [...]}`"),
              (status = 400, description = "invalid_parameters"), (status = 401, description = "unauthorized")))]
pub async fn list_tools(
    State(state): State<Arc<AppState>>,
    User(user): User,
    Query(params): Query<ListParams>,
) -> Result<Json<ToolsBody>, ApiError> {
    list_for(&state, &user, &params, "tools").await
}

/// Body of `POST /actions`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunAction {
    /// e.g. `GITHUB_CREATE_ISSUE`.
    action: String,
    #[serde(default = "empty_object")]
    parameters: Value,
}

/// Body of `POST /tools`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunTool {
    tool: String,
    #[serde(default = "empty_object")]
    parameters: Value,
}

/// Body of `POST /admin/execute`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunForUser {
    user: String,
    action: String,
    #[serde(default = "empty_object")]
    parameters: Value,
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

type JsonBody<T> = Result<Json<T>, axum::extract::rejection::JsonRejection>;

/// Runs one action for the user in the token; answers with the action's JSON output.
#[utoipa::path(post, path = "/actions", tag = "agents", request_body = RunAction,
    security(("user_jwt" = [])),
    responses((status = 200, description = "The action's output, usually the provider's response body"),
              (status = 400, description = "invalid_parameters"), (status = 401, description = "unauthorized"),
              (status = 403, description = "not_connected"), (status = 404, description = "not_found"),
              (status = 429, description = "rate_limited"), (status = 500, description = "plugin_error"),
              (status = 502, description = "upstream_error"), (status = 504, description = "timeout")))]
pub async fn run_action(
    State(state): State<Arc<AppState>>,
    User(user): User,
    body: JsonBody<RunAction>,
) -> Result<Json<Box<RawValue>>, ApiError> {
    let Json(body) = body?;
    Ok(Json(
        state
            .executor
            .execute(&user, &body.action, body.parameters)
            .await?,
    ))
}

/// `POST /actions` under ActionKit's newer name: the body names the `tool`.
#[utoipa::path(post, path = "/tools", tag = "agents", request_body = RunTool,
    security(("user_jwt" = [])),
    responses((status = 200, description = "The tool's output"), (status = 400, description = "invalid_parameters")))]
pub async fn run_tool(
    State(state): State<Arc<AppState>>,
    User(user): User,
    body: JsonBody<RunTool>,
) -> Result<Json<Box<RawValue>>, ApiError> {
    let Json(body) = body?;
    Ok(Json(
        state
            .executor
            .execute(&user, &body.tool, body.parameters)
            .await?,
    ))
}

/// Runs an action on behalf of a user (operators).
#[utoipa::path(post, path = "/admin/execute", tag = "operators", request_body = RunForUser,
    security(("admin_key" = [])),
    responses((status = 200, description = "The action's output"), (status = 401, description = "unauthorized")))]
pub async fn admin_execute(
    State(state): State<Arc<AppState>>,
    _operator: Operator,
    body: JsonBody<RunForUser>,
) -> Result<Json<Box<RawValue>>, ApiError> {
    let Json(body) = body?;
    if body.user.is_empty() {
        return Err(ApiError::invalid("/user", "`user` must not be empty"));
    }
    Ok(Json(
        state
            .executor
            .execute(&body.user, &body.action, body.parameters)
            .await?,
    ))
}
