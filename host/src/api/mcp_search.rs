//! The MCP server's search mode (`/mcp?tools=search`): instead of every available action,
//! `tools/list` holds three meta-tools — `search_actions` (find actions by words),
//! `get_action` (one action's tool definition for this user) and `run_action` (run one) — so a
//! client pays for a few hundred tokens up front whatever the size of the catalog, and the model
//! looks up what it needs. `?tools=all` (the default) lists every action as before; another
//! value is refused with 400 before the MCP layer ([`tools_mode`]).
//!
//! Ranking: the `bm25` crate (BM25 embedder and scorer; `catalog::search` holds the index),
//! without its default tokenizer, and `rust-stemmers` (the Snowball stemmers tantivy uses too).
//! Chosen over `tantivy` (a full search engine with its own storage: dozens of crates and
//! minutes of CI build for a few thousand short documents kept in memory) and `probly-search`
//! (per-field boosts, but last released mid-2024, with about a tenth of `bm25`'s downloads):
//! `bm25` is small (about 1,500 lines; without default features its one dependency, `fxhash`,
//! is already in the build), maintained, and its scorer keeps precomputed document embeddings,
//! so the index is built once per catalog change and a search only embeds the query. Its
//! default tokenizer was left out: it pulls `cached` (with proc macros) and stop-word lists,
//! and keeps `GITHUB_CREATE_ISSUE` or `per_page` as one word.
//!
//! Only the user's available actions are found, gotten or run, by the same rules as the direct
//! listing ([`crate::execute::Availability`]); `get_action` answers with the direct listing's
//! own tool object and `run_action` with the direct call's own result ([`super::mcp::call_result`]).

use std::sync::{Arc, LazyLock};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolRequestParams, CallToolResult, ListToolsResult, PaginatedRequestParams};
use rmcp::service::{RequestContext, RoleServer};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::ApiError;
use super::mcp::{call_result, tool_error};
use crate::app::AppState;
use crate::catalog::search::{IndexedCatalog, SearchHit};
use crate::catalog::{ParameterError, ParameterValidator, ToolFormat, mcp_annotations};
use crate::execute::{ExecuteError, ToolQuery};

/// Which tools an MCP connection lists: the `tools` query parameter of its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolsMode {
    /// Every available action as a tool (the default).
    All,
    /// The meta-tools only.
    Search,
}

/// Reads `?tools=` of an MCP request into a [`ToolsMode`] for the handler; anything but `all`
/// or `search` is answered with 400 `invalid_parameters` naming the allowed values.
pub async fn tools_mode(mut request: Request, next: Next) -> Response {
    let given: Vec<String> = request
        .uri()
        .query()
        .map(|query| {
            url::form_urlencoded::parse(query.as_bytes())
                .filter(|(name, _)| name == "tools")
                .map(|(_, value)| value.into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mode = match given.as_slice() {
        [] => ToolsMode::All,
        [one] if one == "all" => ToolsMode::All,
        [one] if one == "search" => ToolsMode::Search,
        [other] => {
            return ApiError::invalid(
                "tools",
                format!(
                    "`tools` must be all (every action as a tool) or search (search_actions, \
                     get_action and run_action), not {:?}",
                    crate::quote::clip(other, 100)
                ),
            )
            .into_response();
        }
        _ => {
            return ApiError::invalid("tools", "`tools` is given more than once").into_response();
        }
    };
    request.extensions_mut().insert(mode);
    next.run(request).await
}

/// Whether the request's connection is in search mode.
pub fn requested(context: &RequestContext<RoleServer>) -> bool {
    context
        .extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ToolsMode>())
        == Some(&ToolsMode::Search)
}

const SEARCH_ACTIONS: &str = "search_actions";
const GET_ACTION: &str = "get_action";
const RUN_ACTION: &str = "run_action";

/// Matches `search_actions` returns unless asked for another number, and the most it returns.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 50;

/// A meta-tool: its MCP definition and its compiled input schema.
struct MetaTool {
    definition: Value,
    arguments: ParameterValidator,
}

/// The meta-tools, in listing order.
static META_TOOLS: LazyLock<Vec<MetaTool>> = LazyLock::new(|| {
    let action_name = json!({
        "type": "string",
        "pattern": "^[A-Z][A-Z0-9_]{0,63}$",
        "description": "The action's name, as search_actions returns it (e.g. GITHUB_CREATE_ISSUE)."
    });
    let annotations = |read_only: bool| {
        json!({
            "readOnlyHint": read_only,
            "destructiveHint": !read_only,
            "idempotentHint": read_only,
            "openWorldHint": !read_only,
        })
    };
    let definitions = [
        json!({
            "name": SEARCH_ACTIONS,
            "description": "Find the actions you can run on the user's connected accounts \
                (GitHub, Slack, ...) by what they do, e.g. \"create issue\" or \"post message \
                to channel\". Returns the best matches first, each with its name, integration, \
                a one-line description and annotations. Then call get_action for an action's \
                input schema and run_action to run it.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": {
                        "type": "string", "minLength": 1, "maxLength": 500,
                        "description": "Words for what to do, e.g. \"create issue\"."
                    },
                    "integration": {
                        "type": "string", "pattern": "^[a-z][a-z0-9_]{0,31}$",
                        "description": "Only this integration's actions (its id, e.g. \"github\")."
                    },
                    "limit": {
                        "type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT,
                        "description": "Most matches to return."
                    }
                },
                "required": ["query"],
                "additionalProperties": false
            },
            "outputSchema": {
                "type": "object",
                "properties": {
                    "matches": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "integration": {"type": "string"},
                                "description": {"type": "string"},
                                "annotations": {
                                    "type": "object",
                                    "properties": {
                                        "readOnlyHint": {"type": "boolean"},
                                        "destructiveHint": {"type": "boolean"},
                                        "idempotentHint": {"type": "boolean"},
                                        "openWorldHint": {"type": "boolean"}
                                    },
                                    "required": ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"],
                                    "additionalProperties": false
                                }
                            },
                            "required": ["name", "integration", "description", "annotations"],
                            "additionalProperties": false
                        }
                    }
                },
                "required": ["matches"],
                "additionalProperties": false
            },
            "annotations": annotations(true),
        }),
        json!({
            "name": GET_ACTION,
            "description": "Get one action's tool definition for this user: its description, \
                inputSchema (the arguments run_action takes), outputSchema when it has one, \
                and annotations.",
            "inputSchema": {
                "type": "object",
                "properties": { "name": action_name },
                "required": ["name"],
                "additionalProperties": false
            },
            "outputSchema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "inputSchema": {"type": "object"},
                    "outputSchema": {"type": "object"},
                    "annotations": {"type": "object"}
                },
                "required": ["name", "description", "inputSchema", "annotations"]
            },
            "annotations": annotations(true),
        }),
        json!({
            "name": RUN_ACTION,
            "description": "Run an action with its arguments, as the user. The result is the \
                action's output, or an error result saying what to fix (invalid arguments with \
                the JSON pointer of each, or an integration to connect). Check the action's \
                annotations first: it may change or delete data.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "name": action_name,
                    "arguments": {
                        "type": "object",
                        "description": "The action's arguments, as its inputSchema (from \
                            get_action) describes them; {} when it takes none."
                    }
                },
                "required": ["name", "arguments"],
                "additionalProperties": false
            },
            "annotations": annotations(false),
        }),
    ];
    definitions
        .into_iter()
        .map(|definition| MetaTool {
            arguments: ParameterValidator::new(&definition["inputSchema"])
                .expect("the meta-tools' input schemas compile"),
            definition,
        })
        .collect()
});

/// `tools/list` in search mode: the meta-tools, in one page.
pub fn list_tools(request: Option<PaginatedRequestParams>) -> Result<ListToolsResult, McpError> {
    if let Some(cursor) = request.and_then(|r| r.cursor) {
        return Err(McpError::invalid_params(
            format!("{cursor:?} is not a tools/list cursor"),
            None,
        ));
    }
    let tools: Vec<&Value> = META_TOOLS.iter().map(|tool| &tool.definition).collect();
    // `resultType` is what rmcp's constructors set (and clear for older revisions).
    serde_json::from_value(json!({ "resultType": "complete", "tools": tools }))
        .map_err(|e| McpError::internal_error(format!("a meta-tool does not fit MCP: {e}"), None))
}

/// The arguments of `search_actions`.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    pub integration: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Deserialize)]
struct GetRequest {
    name: String,
}

#[derive(Deserialize)]
struct RunRequest {
    name: String,
    arguments: Value,
}

/// `tools/call` in search mode: one of the meta-tools, for `user`. Failures the model can act
/// on (invalid arguments, an unknown or unavailable action) are `isError` results; a tool that
/// is not a meta-tool is a protocol error, as an unknown tool is in the direct listing.
pub async fn call_tool(
    state: &Arc<AppState>,
    user: &str,
    request: CallToolRequestParams,
) -> Result<CallToolResult, McpError> {
    let name = request.name.as_ref();
    let Some(tool) = META_TOOLS
        .iter()
        .find(|tool| tool.definition["name"] == name)
    else {
        return Err(McpError::invalid_params(
            format!(
                "unknown tool: {name} (in search mode the tools are {SEARCH_ACTIONS}, \
                 {GET_ACTION} and {RUN_ACTION})"
            ),
            None,
        ));
    };
    let arguments = Value::Object(request.arguments.unwrap_or_default());
    let arguments = match crate::execute::check(&tool.arguments, arguments) {
        Ok(arguments) => arguments,
        Err(error) => return Ok(tool_error(ApiError::from(error))),
    };
    let outcome = match name {
        SEARCH_ACTIONS => match parse::<SearchRequest>(arguments) {
            Ok(request) => search(state, user, &request).await.map(|hits| {
                let matches: Vec<Value> = hits.iter().map(found).collect();
                CallToolResult::structured(json!({ "matches": matches }))
            }),
            Err(error) => Err(error),
        },
        GET_ACTION => match parse::<GetRequest>(arguments) {
            Ok(request) => get_action(state, user, &request.name)
                .await
                .map(CallToolResult::structured),
            Err(error) => Err(error),
        },
        _ => match parse::<RunRequest>(arguments) {
            Ok(RunRequest { name, arguments }) => {
                let outcome = state.executor.execute(user, &name, arguments).await;
                Ok(call_result(state, &name, outcome))
            }
            Err(error) => Err(error),
        },
    };
    Ok(outcome.unwrap_or_else(|error| tool_error(ApiError::from(error))))
}

/// Arguments that passed the meta-tool's schema, as its request type.
fn parse<T: serde::de::DeserializeOwned>(arguments: Value) -> Result<T, ExecuteError> {
    serde_json::from_value(arguments).map_err(|e| ExecuteError::Internal(e.to_string()))
}

/// One match as `search_actions` lists it.
fn found(hit: &SearchHit) -> Value {
    let action = &hit.action;
    json!({
        "name": action.name,
        "integration": action.integration,
        "description": action.summary,
        "annotations": mcp_annotations(action.hints),
    })
}

/// The index of the catalog as it is now; built on the blocking pool when the catalog changed.
async fn index(state: &Arc<AppState>) -> Result<Arc<IndexedCatalog>, ExecuteError> {
    if let Some(index) = state.action_index.fresh() {
        return Ok(index);
    }
    let state = state.clone();
    tokio::task::spawn_blocking(move || state.action_index.current())
        .await
        .map_err(|e| ExecuteError::Internal(format!("building the search index failed: {e}")))
}

/// The user's available actions that share words with the query, most relevant first: what
/// `search_actions` answers.
pub async fn search(
    state: &Arc<AppState>,
    user: &str,
    request: &SearchRequest,
) -> Result<Vec<SearchHit>, ExecuteError> {
    let available = state.executor.availability(user).await?;
    let offered: std::collections::HashMap<String, Arc<crate::catalog::CatalogPlugin>> = state
        .registry
        .plugins()
        .into_iter()
        .filter(|plugin| available.offers(&plugin.loaded.info))
        .map(|plugin| (plugin.id().to_string(), plugin))
        .collect();
    if let Some(id) = &request.integration
        && !offered.contains_key(id)
    {
        return Err(match state.registry.get(id) {
            Some(plugin) => ExecuteError::NotConnected {
                integration: id.clone(),
                why: format!("you have no active {} account", plugin.loaded.info.name),
            },
            None => {
                let message = format!("there is no integration named {id}");
                ExecuteError::InvalidParameters {
                    errors: vec![ParameterError {
                        path: "/integration".into(),
                        message: message.clone(),
                    }],
                    message,
                }
            }
        });
    }
    let index = index(state).await?;
    let limit = request.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    Ok(index.search(&request.query, limit, |action| {
        request
            .integration
            .as_ref()
            .is_none_or(|id| *id == action.integration)
            && offered
                .get(&action.integration)
                .and_then(|plugin| plugin.action(&action.name))
                .is_some_and(|a| available.allows(&action.integration, &a.definition))
    }))
}

/// The MCP tool object of action `name` for `user`, as the direct `tools/list` lists it (with
/// the user's dynamic schema where the action has one), if it is among their available actions.
async fn get_action(state: &AppState, user: &str, name: &str) -> Result<Value, ExecuteError> {
    let plugin = state
        .registry
        .find_action(name)
        .ok_or_else(|| ExecuteError::UnknownAction(name.to_string()))?;
    let query = ToolQuery {
        format: ToolFormat::Mcp,
        limit_to_available: true,
        integrations: Some(vec![plugin.id().to_string()]),
        ..ToolQuery::default()
    };
    let listing = state.executor.list_tools(user, &query).await?;
    let listed = listing
        .tools
        .iter()
        .flat_map(|(_, tools)| tools)
        .filter_map(|raw| serde_json::from_str::<Value>(raw.get()).ok())
        .find(|tool| tool["name"] == name);
    if let Some(tool) = listed {
        return Ok(tool);
    }
    // Not listed for this user: say why, as running it would.
    let info = &plugin.loaded.info;
    let available = state.executor.availability(user).await?;
    if !available.offers(info) {
        return Err(ExecuteError::NotConnected {
            integration: info.id.clone(),
            why: format!("you have no active {} account", info.name),
        });
    }
    let definition = &plugin
        .action(name)
        .expect("find_action returns the owning plugin")
        .definition;
    Err(ExecuteError::MissingScopes {
        integration: info.id.clone(),
        action: name.to_string(),
        missing: definition
            .missing_scopes(available.granted(&info.id))
            .iter()
            .map(|any| any.join(" or "))
            .collect(),
    })
}
