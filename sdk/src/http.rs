//! A typed HTTP client over the host's `http` capability.
//!
//! The host checks every request against the origins the plugin declared and adds the user's
//! credential; a plugin must not set `Authorization` itself. [`Request::send`] turns provider
//! error statuses into [`Error`]s with the provider's own message; [`Request::send_raw`] hands
//! back any status untouched.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::bindings::actionhost::provider::http as wit;

/// Longest provider body kept in an [`Error::Upstream`].
const ERROR_BODY_LIMIT: usize = 2048;

/// An HTTP request to the provider.
#[derive(Debug, Clone)]
pub struct Request {
    method: wit::Method,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Request {
    fn new(method: wit::Method, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://api.example.com/items");
    /// assert_eq!(r.url(), "https://api.example.com/items");
    /// ```
    pub fn get(url: impl Into<String>) -> Self {
        Self::new(wit::Method::Get, url)
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::post("https://api.example.com/items");
    /// assert_eq!(r.method_name(), "POST");
    /// ```
    pub fn post(url: impl Into<String>) -> Self {
        Self::new(wit::Method::Post, url)
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::put("https://api.example.com/items/1");
    /// assert_eq!(r.method_name(), "PUT");
    /// ```
    pub fn put(url: impl Into<String>) -> Self {
        Self::new(wit::Method::Put, url)
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::patch("https://api.example.com/items/1");
    /// assert_eq!(r.method_name(), "PATCH");
    /// ```
    pub fn patch(url: impl Into<String>) -> Self {
        Self::new(wit::Method::Patch, url)
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::delete("https://api.example.com/items/1");
    /// assert_eq!(r.method_name(), "DELETE");
    /// ```
    pub fn delete(url: impl Into<String>) -> Self {
        Self::new(wit::Method::Delete, url)
    }

    /// Adds a query parameter (percent-encoded).
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://api.example.com/search").query("q", "a b&c");
    /// assert_eq!(r.url(), "https://api.example.com/search?q=a%20b%26c");
    /// ```
    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://x.test/a")
    ///     .query_opt("page", Some(2))
    ///     .query_opt("state", None::<&str>);
    /// assert_eq!(r.url(), "https://x.test/a?page=2");
    /// ```
    pub fn query_opt(self, name: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Adds a header.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://x.test/").header("Accept", "application/json");
    /// assert_eq!(r.headers(), &[("Accept".to_string(), "application/json".to_string())]);
    /// ```
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Sets a JSON body and `Content-Type: application/json`.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::post("https://x.test/").json(&serde_json::json!({"a": 1}));
    /// assert_eq!(r.body(), Some(&br#"{"a":1}"#[..]));
    /// ```
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Self {
        let bytes = serde_json::to_vec(body).expect("a JSON value serializes");
        self.header("Content-Type", "application/json")
            .body_bytes(bytes)
    }

    /// Sets a form body (`application/x-www-form-urlencoded`).
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::post("https://x.test/").form(&[("a", "1 2")]);
    /// assert_eq!(r.body(), Some(&b"a=1%202"[..]));
    /// ```
    pub fn form(self, fields: &[(&str, &str)]) -> Self {
        let encoded = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.header("Content-Type", "application/x-www-form-urlencoded")
            .body_bytes(encoded.into_bytes())
    }

    /// Sets a raw body.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::put("https://x.test/").body_bytes(b"raw".to_vec());
    /// assert_eq!(r.body(), Some(&b"raw"[..]));
    /// ```
    pub fn body_bytes(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    /// The full URL with the query string.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://x.test/a?b=1").query("c", 2);
    /// assert_eq!(r.url(), "https://x.test/a?b=1&c=2");
    /// ```
    pub fn url(&self) -> String {
        if self.query.is_empty() {
            return self.url.clone();
        }
        let query = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{separator}{query}", self.url)
    }

    /// `GET`, `POST`, ...
    ///
    /// ```
    /// assert_eq!(actionhost_sdk::http::Request::delete("https://x.test/a").method_name(), "DELETE");
    /// ```
    pub fn method_name(&self) -> &'static str {
        match self.method {
            wit::Method::Get => "GET",
            wit::Method::Head => "HEAD",
            wit::Method::Post => "POST",
            wit::Method::Put => "PUT",
            wit::Method::Patch => "PATCH",
            wit::Method::Delete => "DELETE",
            wit::Method::Options => "OPTIONS",
        }
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://x.test/").header("X-Trace", "1");
    /// assert_eq!(r.headers().len(), 1);
    /// ```
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// ```
    /// assert_eq!(actionhost_sdk::http::Request::get("https://x.test/").body(), None);
    /// ```
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Sends the request; a status of 400 or more becomes an [`Error`] (401 → `Unauthorized`,
    /// 429 → `RateLimited` with `Retry-After`, others → `Upstream` with the provider's message).
    ///
    /// ```
    /// # fn demo() -> Result<(), actionhost_sdk::Error> {
    /// let issue: serde_json::Value = actionhost_sdk::http::Request::get("https://api.github.com/repos/o/r/issues/1")
    ///     .send()?
    ///     .json()?;
    /// # Ok(()) }
    /// ```
    pub fn send(self) -> Result<Response, Error> {
        let response = self.send_raw()?;
        if response.status >= 400 {
            return Err(response.into_error());
        }
        Ok(response)
    }

    /// Sends the request and returns any response, whatever its status.
    ///
    /// ```
    /// # fn demo() -> Result<(), actionhost_sdk::Error> {
    /// let response = actionhost_sdk::http::Request::get("https://api.example.com/maybe").send_raw()?;
    /// if response.status() == 404 {
    ///     // absent is a normal answer here
    /// }
    /// # Ok(()) }
    /// ```
    pub fn send_raw(self) -> Result<Response, Error> {
        let request = wit::Request {
            method: self.method,
            url: self.url(),
            headers: self.headers,
            body: self.body,
        };
        match wit::send(&request) {
            Ok(response) => Ok(Response {
                status: response.status,
                headers: response.headers,
                body: response.body,
            }),
            Err(error) => Err(http_error(error)),
        }
    }
}

fn http_error(error: wit::HttpError) -> Error {
    match error {
        wit::HttpError::Denied(m) => Error::Internal(format!("request denied by the host: {m}")),
        wit::HttpError::ForbiddenHeader(h) => Error::Internal(format!(
            "request refused by the host: header {h:?} is set by the host"
        )),
        wit::HttpError::InvalidRequest(m) => Error::Internal(format!("invalid request: {m}")),
        wit::HttpError::NotConnected(m) => Error::Unauthorized(m),
        wit::HttpError::Timeout => Error::upstream(504, "the provider did not answer in time"),
        wit::HttpError::TooLarge(cap) => Error::Internal(format!(
            "the provider's response exceeds the host's cap of {cap} bytes"
        )),
        wit::HttpError::Transport(m) => {
            Error::upstream(502, format!("cannot reach the provider: {m}"))
        }
    }
}

/// A provider's response.
#[derive(Debug, Clone)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    /// Builds a response by hand, for native unit tests of code that reads responses.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Response::from_parts(200, vec![], br#"{"ok":true}"#.to_vec());
    /// assert_eq!(r.json::<serde_json::Value>().unwrap()["ok"], true);
    /// ```
    pub fn from_parts(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        Response {
            status,
            headers,
            body,
        }
    }

    /// ```
    /// let r = actionhost_sdk::http::Response::from_parts(204, vec![], vec![]);
    /// assert_eq!(r.status(), 204);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// A header's value (names compare case-insensitively).
    ///
    /// ```
    /// let r = actionhost_sdk::http::Response::from_parts(200, vec![("link".into(), "<x>".into())], vec![]);
    /// assert_eq!(r.header("Link"), Some("<x>"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON; an empty body is `null`.
    ///
    /// An action that returns the provider's JSON as it is can ask for a
    /// `Box<serde_json::value::RawValue>`: the body is checked to be JSON but not built into a
    /// tree, and the host answers with the same text (the fastest path for large bodies).
    ///
    /// ```
    /// use serde_json::value::RawValue;
    /// let r = actionhost_sdk::http::Response::from_parts(204, vec![], vec![]);
    /// assert_eq!(r.json::<serde_json::Value>().unwrap(), serde_json::Value::Null);
    ///
    /// let r = actionhost_sdk::http::Response::from_parts(200, vec![], br#"{"id": 1}"#.to_vec());
    /// assert_eq!(r.json::<Box<RawValue>>().unwrap().get(), r#"{"id": 1}"#);
    /// assert!(actionhost_sdk::http::Response::from_parts(200, vec![], b"{".to_vec())
    ///     .json::<Box<RawValue>>()
    ///     .is_err());
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| {
            Error::internal(format!(
                "the provider's response is not the expected JSON: {e}"
            ))
        })
    }

    /// The body as text (lossy UTF-8).
    ///
    /// ```
    /// let r = actionhost_sdk::http::Response::from_parts(200, vec![], b"hello".to_vec());
    /// assert_eq!(r.text(), "hello");
    /// ```
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// ```
    /// let r = actionhost_sdk::http::Response::from_parts(200, vec![], b"raw".to_vec());
    /// assert_eq!(r.bytes(), b"raw");
    /// ```
    pub fn bytes(&self) -> &[u8] {
        &self.body
    }

    /// The error this response stands for, with the provider's own message when the body has one.
    ///
    /// ```
    /// use actionhost_sdk::{Error, http::Response};
    /// let r = Response::from_parts(422, vec![], br#"{"message":"Validation Failed"}"#.to_vec());
    /// assert!(matches!(r.into_error(), Error::Upstream { status: 422, message, .. } if message == "Validation Failed"));
    /// ```
    pub fn into_error(self) -> Error {
        let message =
            provider_message(&self.body).unwrap_or_else(|| format!("HTTP {}", self.status));
        match self.status {
            401 => Error::Unauthorized(message),
            429 => Error::RateLimited {
                message,
                retry_after_seconds: self
                    .header("retry-after")
                    .and_then(|v| v.trim().parse().ok()),
            },
            status => {
                let text = self.text();
                let body =
                    (!text.is_empty()).then(|| truncate(&text, ERROR_BODY_LIMIT).to_string());
                Error::Upstream {
                    status,
                    message,
                    body,
                }
            }
        }
    }
}

/// The provider's own message in an error body: `message` (GitHub), `error` as text (Slack),
/// `error.message` (Google), `errors[0].message` (GraphQL), `error_description` (OAuth).
///
/// ```
/// use actionhost_sdk::http::provider_message;
/// assert_eq!(provider_message(br#"{"ok":false,"error":"channel_not_found"}"#).as_deref(), Some("channel_not_found"));
/// assert_eq!(provider_message(b"not json"), None);
/// ```
pub fn provider_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let candidates = [
        value.get("message"),
        value.get("error").filter(|e| e.is_string()),
        value.get("error").and_then(|e| e.get("message")),
        value
            .get("errors")
            .and_then(|e| e.get(0))
            .and_then(|e| e.get("message")),
        value.get("error_description"),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|v| v.as_str().map(str::to_string))
        .filter(|m| !m.is_empty())
}

/// Sends a GraphQL operation and returns its `data`; GraphQL `errors` become an `Upstream`
/// error with the first message.
///
/// ```no_run
/// let data = actionhost_sdk::http::graphql(
///     "https://api.linear.app/graphql",
///     "query { viewer { id } }",
///     serde_json::json!({}),
/// ).unwrap();
/// ```
pub fn graphql(
    url: &str,
    query: &str,
    variables: serde_json::Value,
) -> Result<serde_json::Value, Error> {
    let response = Request::post(url)
        .json(&serde_json::json!({ "query": query, "variables": variables }))
        .send()?;
    let mut body: serde_json::Value = response.json()?;
    if let Some(errors) = body
        .get("errors")
        .and_then(|e| e.as_array())
        .filter(|e| !e.is_empty())
    {
        let message = errors[0]
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or("GraphQL error")
            .to_string();
        return Err(Error::Upstream {
            status: response.status(),
            message,
            body: Some(truncate(&response.text(), ERROR_BODY_LIMIT).to_string()),
        });
    }
    Ok(body
        .get_mut("data")
        .map(serde_json::Value::take)
        .unwrap_or_default())
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one URL path segment, e.g. a repository name.
///
/// ```
/// assert_eq!(actionhost_sdk::http::segment("a b/c"), "a%20b%2Fc");
/// ```
pub fn segment(text: &str) -> String {
    encode(text)
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, COMPONENT).to_string()
}
