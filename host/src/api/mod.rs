//! The HTTP API (axum): agents' catalog and execute routes, accounts, the hosted connect page,
//! operators' admin routes, health, metrics and the OpenAPI description generated from the
//! handlers. Handlers are small;
//! errors map to JSON in one place, [`error::ApiError`].

pub mod accounts;
pub mod actions;
pub mod admin;
pub mod auth;
pub mod connect;
pub mod error;
pub mod mcp;
pub mod mcp_search;
pub mod oauth;

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde_json::{Value, json};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "actionhost", description = "Sandboxed WebAssembly actions for AI agents"),
    modifiers(&Security),
    tags((name = "agents"), (name = "accounts"), (name = "operators"), (name = "system"))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "user_jwt",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "admin_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The router with every route, its OpenAPI description, request ids, tracing and metrics.
pub fn router(state: Arc<AppState>) -> Router {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(actions::list_actions, actions::run_action))
        .routes(routes!(actions::list_tools, actions::run_tool))
        .routes(routes!(actions::admin_execute))
        .routes(routes!(accounts::integrations))
        .routes(routes!(accounts::list_accounts))
        .routes(routes!(accounts::put_account, accounts::delete_account))
        .routes(routes!(connect::create_session))
        .routes(routes!(oauth::authorize))
        .routes(routes!(oauth::callback))
        .routes(routes!(oauth::put_connection))
        .routes(routes!(oauth::list_connections))
        .routes(routes!(admin::plugins))
        .routes(routes!(admin::put_plugin, admin::delete_plugin))
        .routes(routes!(admin::audit))
        .routes(routes!(healthz))
        .routes(routes!(metrics))
        .split_for_parts();
    let openapi = Arc::new(openapi);
    let mcp = axum::Router::new()
        .fallback_service(mcp::service(state.clone()))
        // Inside the token check: a request without a valid token is 401 whatever it asks.
        .layer(axum::middleware::from_fn(mcp_search::tools_mode))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            mcp::require_user,
        ));
    let routes = router
        .merge(connect::pages(state.clone()))
        .nest_service("/mcp", mcp)
        .route(
            "/.well-known/oauth-protected-resource",
            axum::routing::get(mcp::protected_resource),
        )
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let openapi = openapi.clone();
                async move { Json(openapi.as_ref().clone()) }
            }),
        )
        .fallback(not_found)
        // Needs the matched route, so it runs inside the router.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_request,
        ))
        .with_state(state);
    // Layers that do not depend on the route wrap the router once, not every route: a layer
    // added with `Router::layer` is another boxed service per route, cloned on every request.
    let outer = tower::ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                // The path only: query strings can carry OAuth codes.
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    id,
                    method = request.method().as_str(),
                    path = request.uri().path()
                )
            }),
        )
        // Components are larger than axum's 2 MiB default body limit.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .service(routes);
    Router::new().fallback_service(outer)
}

#[derive(Clone)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let value = rand::random::<u64>();
        let digits: [u8; 16] = std::array::from_fn(|i| HEX[(value >> (60 - 4 * i)) as usize & 0xf]);
        HeaderValue::from_bytes(&digits).ok().map(RequestId::new)
    }
}

async fn count_request(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    // Both are reference-counted or small: nothing is copied on the way through.
    let route = request.extensions().get::<MatchedPath>().cloned();
    let method = request.method().clone();
    let response = next.run(request).await;
    state.metrics.request(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        method.as_str(),
        response.status().as_u16(),
    );
    response
}

async fn not_found(request: Request) -> error::ApiError {
    error::ApiError::NotFound(format!(
        "no route for {} {}",
        request.method(),
        request.uri().path()
    ))
}

/// Liveness (`{"status":"ok"}`, as the contract says), and on PostgreSQL whether the database
/// answers. On PostgreSQL a host whose database is down says
/// `degraded` (still 200: it serves the accounts it remembers, and every host shares the one
/// database, so a load balancer taking them all out would help no one) and names the failure.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "`{\"status\":\"ok\"}`; on PostgreSQL `{\"status\":\"ok\"|\"degraded\",\"store\":\"postgres\",\"database\":{\"ok\",\"error\"?}}`")))]
async fn healthz(State(state): State<Arc<AppState>>) -> Json<Value> {
    let store = state.store.backend_name();
    if !state.store.shared() {
        return Json(json!({ "status": "ok" }));
    }
    match state.store.health().await {
        Ok(()) => Json(json!({ "status": "ok", "store": store, "database": { "ok": true } })),
        Err(e) => Json(json!({
            "status": "degraded",
            "store": store,
            "database": { "ok": false, "error": e.to_string() },
        })),
    }
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, description = "Prometheus text")))]
async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
