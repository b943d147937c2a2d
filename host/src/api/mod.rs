//! The HTTP API (axum): agents' catalog and execute routes, accounts, operators' admin routes,
//! health and metrics. Handlers are small; errors map to JSON in one place, [`error::ApiError`].

pub mod error;

use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::app::AppState;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(state)
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
