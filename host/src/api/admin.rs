//! Operators' routes (admin key): plugins and the audit log.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::auth::Operator;
use super::error::ApiError;
use crate::app::AppState;
use crate::catalog::PluginStatus;
use crate::observability::audit::{AuditQuery, AuditRecord};

/// Loaded and refused plugins.
#[utoipa::path(get, path = "/admin/plugins", tag = "operators", security(("admin_key" = [])),
    responses((status = 200, body = [PluginStatus])))]
pub async fn plugins(
    State(state): State<Arc<AppState>>,
    _operator: Operator,
) -> Json<Vec<PluginStatus>> {
    Json(state.registry.statuses())
}

/// Loads or replaces a plugin from the component's bytes; it is kept in the data dir. A refused
/// component is 422 `invalid_plugin` with every reason, and the serving version stays.
#[utoipa::path(put, path = "/admin/plugins/{id}", tag = "operators", params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/wasm"), security(("admin_key" = [])),
    responses((status = 200, body = PluginStatus), (status = 422, description = "invalid_plugin")))]
pub async fn put_plugin(
    State(state): State<Arc<AppState>>,
    _operator: Operator,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<PluginStatus>, ApiError> {
    state
        .sources
        .upload(&id, &body)
        .await
        .map_err(plugin_error)?;
    let status = state.registry.statuses().into_iter().find(|s| s.id == id);
    status
        .map(Json)
        .ok_or_else(|| ApiError::Internal(format!("{id} was loaded but is not listed")))
}

/// Unloads a plugin and keeps it unloaded across restarts (uploaded bytes deleted, a watched
/// file removed, a bundled plugin disabled) until it is PUT again.
#[utoipa::path(delete, path = "/admin/plugins/{id}", tag = "operators", params(("id" = String, Path)),
    security(("admin_key" = [])),
    responses((status = 204, description = "Unloaded"), (status = 404, description = "not_found")))]
pub async fn delete_plugin(
    State(state): State<Arc<AppState>>,
    _operator: Operator,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.sources.delete(&id).await.map_err(plugin_error)?;
    Ok(StatusCode::NO_CONTENT)
}

fn plugin_error(error: crate::plugin_sources::PluginChangeError) -> ApiError {
    use crate::plugin_sources::PluginChangeError;
    match error {
        PluginChangeError::Refused(load) => ApiError::InvalidPlugin {
            message: format!("the plugin was refused: {}", load.reasons.join("; ")),
            reasons: load.reasons,
        },
        PluginChangeError::NotFound(id) => ApiError::NotFound(format!("there is no plugin {id:?}")),
        PluginChangeError::Store(e) => ApiError::from(e),
        PluginChangeError::Io(message) => ApiError::Internal(message),
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    records: Vec<AuditRecord>,
    /// Pass as `before` for the next page; null on the last page.
    next: Option<String>,
}

/// Execution records, newest first.
#[utoipa::path(get, path = "/admin/audit", tag = "operators", params(AuditQuery), security(("admin_key" = [])),
    responses((status = 200, body = AuditPage)))]
pub async fn audit(
    State(state): State<Arc<AppState>>,
    _operator: Operator,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<AuditPage>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::invalid("", e.body_text()))?;
    let (records, next) = state.audit.query(&query).await?;
    Ok(Json(AuditPage { records, next }))
}
