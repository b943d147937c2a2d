//! One error type for every route: the CONTRACT's `{"error": {"code", "message", "details"}}`
//! with a fitting status. No handler builds an error body by hand.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub use crate::catalog::ParameterError;
use crate::credentials::OAuthError;
use crate::execute::ExecuteError;
use crate::runtime::{ActionError, CallError};

/// Every error the API answers with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    NotConnected {
        integration: String,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    InvalidParameters {
        message: String,
        errors: Vec<ParameterError>,
    },
    #[error("{0}")]
    InvalidState(String),
    #[error("{message}")]
    InvalidPlugin {
        message: String,
        reasons: Vec<String>,
    },
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_seconds: Option<u32>,
    },
    #[error("{message}")]
    Upstream {
        message: String,
        status: u16,
        body: Option<String>,
    },
    #[error("{0}")]
    PluginError(String),
    #[error("{0}")]
    Timeout(String),
    #[error("{0}")]
    Internal(String),
    /// The store cannot be reached now (PostgreSQL down or restarting); retrying later helps.
    #[error("{0}")]
    Unavailable(String),
}

/// Longest upstream body echoed in `details.body`.
const UPSTREAM_BODY_LIMIT: usize = 2048;

impl ApiError {
    /// The CONTRACT's error code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotConnected { .. } => "not_connected",
            ApiError::NotFound(_) => "not_found",
            ApiError::InvalidParameters { .. } => "invalid_parameters",
            ApiError::InvalidState(_) => "invalid_state",
            ApiError::InvalidPlugin { .. } => "invalid_plugin",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Upstream { .. } => "upstream_error",
            ApiError::PluginError(_) => "plugin_error",
            ApiError::Timeout(_) => "timeout",
            ApiError::Internal(_) => "internal_error",
            ApiError::Unavailable(_) => "unavailable",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::NotConnected { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::InvalidParameters { .. } | ApiError::InvalidState(_) => {
                StatusCode::BAD_REQUEST
            }
            ApiError::InvalidPlugin { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            ApiError::PluginError(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub(super) fn details(&self) -> Value {
        match self {
            ApiError::NotConnected { integration, .. } => json!({
                "integration": integration,
                "authorize": format!("/connected-accounts/{integration}/authorize"),
            }),
            ApiError::InvalidParameters { errors, .. } => json!({ "errors": errors }),
            ApiError::InvalidPlugin { reasons, .. } => json!({ "reasons": reasons }),
            ApiError::RateLimited {
                retry_after_seconds,
                ..
            } => json!({ "retry_after": retry_after_seconds }),
            ApiError::Upstream { status, body, .. } => json!({
                // 0: the upstream gave no answer.
                "status": (*status != 0).then_some(*status),
                "body": body.as_deref().map(|b| crate::quote::truncate(b, UPSTREAM_BODY_LIMIT)),
            }),
            _ => json!({}),
        }
    }

    /// An input that is not what the route expects, as one `invalid_parameters` error.
    pub fn invalid(path: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::InvalidParameters {
            message: message.clone(),
            errors: vec![ParameterError {
                path: path.into(),
                message,
            }],
        }
    }

    /// The user has no usable account for `integration`; the message says how to connect.
    pub fn not_connected(integration: &str, why: &str) -> Self {
        ApiError::NotConnected {
            integration: integration.into(),
            message: format!(
                "{why}; connect it with POST /connected-accounts/{integration}/authorize \
                 or PUT /connected-accounts/{integration}"
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if matches!(self, ApiError::Internal(_)) {
            tracing::error!(error = %self, "internal error");
        }
        let body = json!({
            "error": { "code": self.code(), "message": self.to_string(), "details": self.details() }
        });
        let mut response = (self.status(), Json(body)).into_response();
        if let ApiError::RateLimited {
            retry_after_seconds: Some(seconds),
            ..
        } = &self
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if let ApiError::Unavailable(_) = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        response
    }
}

impl From<CallError> for ApiError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Action(action) => match action {
                ActionError::InvalidInput(message) => ApiError::invalid("", message),
                ActionError::NotFound(message) => ApiError::NotFound(message),
                // Resolved by the caller, which knows the integration; a bare conversion keeps
                // the provider's word.
                ActionError::Unauthorized(message) => ApiError::Forbidden(message),
                ActionError::RateLimited {
                    message,
                    retry_after_seconds,
                } => ApiError::RateLimited {
                    message,
                    retry_after_seconds,
                },
                ActionError::Upstream {
                    status,
                    message,
                    body,
                } => ApiError::Upstream {
                    message,
                    status,
                    body,
                },
                ActionError::Internal(message) => ApiError::PluginError(message),
            },
            CallError::Timeout { .. } => ApiError::Timeout(error.to_string()),
            other => ApiError::PluginError(other.to_string()),
        }
    }
}

impl From<ExecuteError> for ApiError {
    fn from(error: ExecuteError) -> Self {
        match error {
            ExecuteError::UnknownAction(_) => ApiError::NotFound(error.to_string()),
            ExecuteError::InvalidParameters { message, errors } => {
                ApiError::InvalidParameters { message, errors }
            }
            ExecuteError::NotConnected {
                ref integration, ..
            } => ApiError::NotConnected {
                integration: integration.clone(),
                message: error.to_string(),
            },
            ExecuteError::Busy {
                message,
                retry_after_seconds,
            } => ApiError::RateLimited {
                message,
                retry_after_seconds: Some(retry_after_seconds),
            },
            ExecuteError::Call(call) => ApiError::from(call),
            ExecuteError::InvalidDescribedSchema { .. } => ApiError::PluginError(error.to_string()),
            ExecuteError::OAuth { integration, error } => ApiError::from_oauth(&integration, error),
            ExecuteError::Credentials(e) => ApiError::from(e),
            ExecuteError::MissingScopes { .. } => ApiError::Forbidden(error.to_string()),
            ExecuteError::ConnectFailed { code, .. } => {
                let message = error.to_string();
                match code {
                    "invalid_parameters" => ApiError::invalid("", message),
                    "upstream_error" => ApiError::Upstream {
                        message,
                        status: 0,
                        body: None,
                    },
                    "timeout" => ApiError::Timeout(message),
                    "forbidden" => ApiError::Forbidden(message),
                    "rate_limited" => ApiError::RateLimited {
                        message,
                        retry_after_seconds: None,
                    },
                    _ => ApiError::PluginError(message),
                }
            }
            ExecuteError::Internal(message) => ApiError::Internal(message),
        }
    }
}

impl ApiError {
    /// An OAuth failure for `integration` as the caller sees it.
    pub fn from_oauth(integration: &str, error: OAuthError) -> Self {
        match error {
            OAuthError::NoConnection(_) => ApiError::Forbidden(error.to_string()),
            OAuthError::InvalidState(message) => ApiError::InvalidState(message),
            OAuthError::Denied(message) => {
                ApiError::Forbidden(format!("the provider refused: {message}"))
            }
            OAuthError::GrantGone(message) => ApiError::not_connected(integration, &message),
            OAuthError::TokenEndpoint(message) => ApiError::Upstream {
                message: format!("the token endpoint failed: {message}"),
                status: 0,
                body: None,
            },
            OAuthError::Configuration(message) => ApiError::Internal(message),
            OAuthError::Credentials(e) => ApiError::from(e),
        }
    }
}

/// A refused user token. When the identity provider's keys could not be fetched, the token was
/// not judged at all: a 401 would tell an OAuth client (an MCP client, say) to drop the token
/// and sign the user in again, which cannot help while the host cannot reach the provider. So
/// that case is `upstream_error` (502, no upstream status), which says "not you; retry", as for
/// any other upstream the host could not reach.
impl From<crate::identity::TokenRefused> for ApiError {
    fn from(refused: crate::identity::TokenRefused) -> Self {
        use crate::identity::TokenRefused;
        match refused {
            TokenRefused::Invalid(message) => ApiError::Unauthorized(message),
            TokenRefused::KeysUnavailable(message) => ApiError::Upstream {
                message,
                status: 0,
                body: None,
            },
        }
    }
}

impl From<crate::credentials::CredentialError> for ApiError {
    fn from(error: crate::credentials::CredentialError) -> Self {
        match error {
            crate::credentials::CredentialError::Store(e) => ApiError::from(e),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// The database down or restarting is `unavailable` (503, retry): nothing was written.
impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match error {
            StoreError::Unavailable(message) => ApiError::Unavailable(message),
            StoreError::BadInput(message) => ApiError::invalid("/before", message),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Axum's JSON body rejections, as `invalid_parameters`.
impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        ApiError::invalid(
            "",
            format!(
                "the request body is not valid JSON for this route: {}",
                rejection.body_text()
            ),
        )
    }
}
