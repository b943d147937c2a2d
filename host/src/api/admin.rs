//! Operators' routes (admin key): plugins and the audit log.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use serde::Serialize;

use super::auth::Operator;
use super::error::ApiError;
use crate::app::AppState;
use crate::audit::{AuditQuery, AuditRecord};
use crate::catalog::PluginStatus;

/// Loaded and refused plugins.
#[utoipa::path(get, path = "/admin/plugins", tag = "operators", security(("admin_key" = [])),
    responses((status = 200, body = [PluginStatus])))]
pub async fn plugins(
    State(state): State<Arc<AppState>>,
    _operator: Operator,
) -> Json<Vec<PluginStatus>> {
    Json(state.registry.statuses())
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
    let (records, next) = state.audit.query(&query)?;
    Ok(Json(AuditPage { records, next }))
}
