//! What every Google API plugin shares: Google's OAuth endpoints and its error envelope.
//!
//! Gmail, Google Calendar, Drive and Docs are separate integrations (an operator may register
//! one OAuth app for all of them), but they sign in the same way and fail the same way, so both
//! live here once.

use serde::Deserialize;

use crate::Error;
use crate::OAuth2;
use crate::http::Response;

/// Google's OAuth 2 endpoints with PKCE, revocation, and the two authorize parameters without
/// which Google issues no refresh token: `access_type=offline`, and `prompt=consent` (a refresh
/// token is issued only at a fresh consent).
///
/// ```
/// let oauth = actionhost_sdk::google::oauth(&["https://www.googleapis.com/auth/drive"]);
/// ```
pub fn oauth(default_scopes: &[&str]) -> OAuth2 {
    OAuth2::new(
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
    )
    .scopes(default_scopes)
    .revoke_url("https://oauth2.googleapis.com/revoke")
    .param("access_type", "offline")
    .param("prompt", "consent")
}

/// Google's error envelope, `{"error": {"code", "message", "status", "errors": [{"reason"}]}}`,
/// as an [`ErrorHook`](crate::http::ErrorHook): 401 → not connected, 404 → not found, 429 → rate
/// limited, 403 with a rate-limit reason (`rateLimitExceeded`, `userRateLimitExceeded`,
/// `sharingRateLimitExceeded`, `dailyLimitExceeded`) → rate limited too, with `Retry-After` when
/// Google sends one; any other error status → an upstream error carrying Google's message.
///
/// ```
/// use actionhost_sdk::{Error, google, http::Response};
/// let body = br#"{"error":{"code":403,"message":"User rate limit exceeded.","errors":[{"reason":"userRateLimitExceeded"}]}}"#;
/// let r = Response::from_parts(403, vec![("retry-after".into(), "7".into())], body.to_vec());
/// assert_eq!(google::errors(&r), Some(Error::rate_limited("User rate limit exceeded.", Some(7))));
/// let r = Response::from_parts(403, vec![], br#"{"error":{"code":403,"message":"Insufficient Permission","errors":[{"reason":"insufficientPermissions"}]}}"#.to_vec());
/// assert!(matches!(google::errors(&r), Some(Error::Upstream { status: 403, message, .. }) if message == "Insufficient Permission"));
/// assert_eq!(google::errors(&Response::from_parts(200, vec![], b"{}".to_vec())), None);
/// ```
pub fn errors(response: &Response) -> Option<Error> {
    #[derive(Deserialize)]
    struct Envelope {
        error: Body,
    }
    #[derive(Deserialize)]
    struct Body {
        message: Option<String>,
        #[serde(default)]
        errors: Vec<Item>,
    }
    #[derive(Deserialize)]
    struct Item {
        reason: Option<String>,
    }
    let status = response.status();
    if status < 400 {
        return None;
    }
    let body = response.json::<Envelope>().ok().map(|e| e.error);
    let message = body
        .as_ref()
        .and_then(|b| b.message.clone())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    let rate_reason = body.iter().flat_map(|b| &b.errors).any(|item| {
        matches!(
            item.reason.as_deref(),
            Some(
                "rateLimitExceeded"
                    | "userRateLimitExceeded"
                    | "sharingRateLimitExceeded"
                    | "dailyLimitExceeded"
            )
        )
    });
    Some(match status {
        401 => Error::unauthorized(message),
        404 => Error::not_found(message),
        429 => Error::rate_limited(message, response.seconds("retry-after")),
        403 if rate_reason => Error::rate_limited(message, response.seconds("retry-after")),
        _ => response.upstream_error(message),
    })
}
