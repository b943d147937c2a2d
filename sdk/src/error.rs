//! The one error type of an action. Each variant maps to the API error an agent sees.

use crate::bindings::actionhost::provider::types as wit;

/// Why an action failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The input is wrong in a way its schema could not express (`invalid_parameters`, 400).
    InvalidInput(String),
    /// The action does not exist (`not_found`, 404).
    NotFound(String),
    /// The provider refused the user's credential (`not_connected`, 403).
    Unauthorized(String),
    /// The provider is rate limiting (`rate_limited`, 429 with `Retry-After`).
    RateLimited {
        message: String,
        retry_after_seconds: Option<u32>,
    },
    /// The provider answered with an error (`upstream_error`, 502, with its status and message).
    Upstream {
        status: u16,
        message: String,
        body: Option<String>,
    },
    /// A bug or an unexpected answer (`plugin_error`, 500).
    Internal(String),
}

impl Error {
    /// ```
    /// let e = actionhost_sdk::Error::invalid_input("`title` must not be blank");
    /// assert!(matches!(e, actionhost_sdk::Error::InvalidInput(_)));
    /// ```
    pub fn invalid_input(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    /// ```
    /// let e = actionhost_sdk::Error::not_found("no action ACME_FLY");
    /// assert!(matches!(e, actionhost_sdk::Error::NotFound(_)));
    /// ```
    pub fn not_found(message: impl Into<String>) -> Self {
        Error::NotFound(message.into())
    }

    /// ```
    /// let e = actionhost_sdk::Error::internal("unexpected response shape");
    /// assert_eq!(e, actionhost_sdk::Error::Internal("unexpected response shape".into()));
    /// ```
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// ```
    /// let e = actionhost_sdk::Error::upstream(404, "Not Found");
    /// assert!(matches!(e, actionhost_sdk::Error::Upstream { status: 404, .. }));
    /// ```
    pub fn upstream(status: u16, message: impl Into<String>) -> Self {
        Error::Upstream {
            status,
            message: message.into(),
            body: None,
        }
    }

    /// ```
    /// let e = actionhost_sdk::Error::unauthorized("token revoked");
    /// assert!(matches!(e, actionhost_sdk::Error::Unauthorized(_)));
    /// ```
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Error::Unauthorized(message.into())
    }

    /// ```
    /// let e = actionhost_sdk::Error::rate_limited("slow down", Some(30));
    /// assert!(matches!(e, actionhost_sdk::Error::RateLimited { retry_after_seconds: Some(30), .. }));
    /// ```
    pub fn rate_limited(message: impl Into<String>, retry_after_seconds: Option<u32>) -> Self {
        Error::RateLimited {
            message: message.into(),
            retry_after_seconds,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidInput(m) => write!(f, "invalid input: {m}"),
            Error::NotFound(m) => write!(f, "not found: {m}"),
            Error::Unauthorized(m) => write!(f, "unauthorized: {m}"),
            Error::RateLimited { message, .. } => write!(f, "rate limited: {message}"),
            Error::Upstream {
                status, message, ..
            } => write!(f, "upstream error {status}: {message}"),
            Error::Internal(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<serde_json::Error> for Error {
    fn from(error: serde_json::Error) -> Self {
        Error::Internal(format!("JSON error: {error}"))
    }
}

impl From<Error> for wit::ActionError {
    fn from(error: Error) -> Self {
        match error {
            Error::InvalidInput(m) => wit::ActionError::InvalidInput(m),
            Error::NotFound(m) => wit::ActionError::NotFound(m),
            Error::Unauthorized(m) => wit::ActionError::Unauthorized(m),
            Error::RateLimited {
                message,
                retry_after_seconds,
            } => wit::ActionError::RateLimited(wit::RateLimitedError {
                message,
                retry_after_seconds,
            }),
            Error::Upstream {
                status,
                message,
                body,
            } => wit::ActionError::Upstream(wit::UpstreamError {
                status,
                message,
                body,
            }),
            Error::Internal(m) => wit::ActionError::Internal(m),
        }
    }
}
