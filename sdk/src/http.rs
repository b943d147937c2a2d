//! A typed HTTP client over the host's `http` capability.
//!
//! The host checks every request against the origins the plugin declared and adds the user's
//! credential; a plugin never sets `Authorization` itself. Most plugins build requests through a
//! per-provider [`Api`](crate::api::Api) (base URL, default headers, error envelope); a bare
//! [`Request`] takes an absolute URL. [`Request::send`] turns provider errors into [`Error`]s
//! with the provider's own message; [`Request::send_raw`] hands back any status untouched.
//!
//! On `wasm32` a request goes to the host's `http` import; in a native build (unit tests) it goes
//! to the thread's [`testing::Transport`](crate::testing::Transport), never to an import stub.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::bindings::actionhost::provider::http as wit;
use crate::multipart::Multipart;

/// Longest provider body kept in an [`Error::Upstream`].
const ERROR_BODY_LIMIT: usize = 2048;

/// A provider's JSON passed on as it came: checked to be JSON, never rebuilt into a tree (the
/// fastest path for large bodies). As an action's output it declares no output schema.
pub type Passthrough = Box<serde_json::value::RawValue>;

/// Looks at every response of a provider and returns the error its envelope stands for, if any
/// (Slack's HTTP 200 `{"ok": false}`, GraphQL's `errors[]`, GitHub's 403 rate limit). Runs before
/// the default status mapping; `None` leaves the response to it.
pub type ErrorHook = fn(&Response) -> Option<Error>;

/// An HTTP method, as the host's capability names it.
pub use wit::Method;

/// An HTTP request to the provider.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    url: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    hook: Option<ErrorHook>,
    /// A builder step that failed (e.g. a query struct that is not flat), reported by `send`.
    invalid: Option<String>,
    /// Sent with the operator's credential instead of the account's.
    as_operator: bool,
}

impl Request {
    /// A request to an absolute URL.
    ///
    /// ```
    /// use actionhost_sdk::http::{Method, Request};
    /// let r = Request::new(Method::Head, "https://api.example.com/items");
    /// assert_eq!(r.method_name(), "HEAD");
    /// ```
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request {
            method,
            url: url.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            hook: None,
            invalid: None,
            as_operator: false,
        }
    }

    /// Sends this request with the operator's credential (the plugin's
    /// [`OperatorCredential`](crate::OperatorCredential), e.g. Discord's bot token) instead of
    /// the account's (contract 0.4). The host sends it only to the plugin's fixed origins that
    /// take credentials, during a call for a connected account, and answers
    /// [`Error::Unauthorized`] when the operator has not set it.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://discord.com/api/v10/channels/1").as_operator();
    /// assert!(r.is_as_operator());
    /// ```
    pub fn as_operator(mut self) -> Self {
        self.as_operator = true;
        self
    }

    /// Whether [`Request::as_operator`] was called.
    ///
    /// ```
    /// assert!(!actionhost_sdk::http::Request::get("https://a.test/").is_as_operator());
    /// ```
    pub fn is_as_operator(&self) -> bool {
        self.as_operator
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://api.example.com/items");
    /// assert_eq!(r.url(), "https://api.example.com/items");
    /// ```
    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::Get, url)
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::post("https://api.example.com/items");
    /// assert_eq!(r.method_name(), "POST");
    /// ```
    pub fn post(url: impl Into<String>) -> Self {
        Self::new(Method::Post, url)
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::put("https://api.example.com/items/1");
    /// assert_eq!(r.method_name(), "PUT");
    /// ```
    pub fn put(url: impl Into<String>) -> Self {
        Self::new(Method::Put, url)
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::patch("https://api.example.com/items/1");
    /// assert_eq!(r.method_name(), "PATCH");
    /// ```
    pub fn patch(url: impl Into<String>) -> Self {
        Self::new(Method::Patch, url)
    }

    /// ```
    /// let r = actionhost_sdk::http::Request::delete("https://api.example.com/items/1");
    /// assert_eq!(r.method_name(), "DELETE");
    /// ```
    pub fn delete(url: impl Into<String>) -> Self {
        Self::new(Method::Delete, url)
    }

    /// Adds query parameters from any flat `Serialize` value: a struct (its `None` fields are
    /// left out, unit enum variants are their serde names) or a list of pairs. Values are
    /// percent-encoded, a space as `%20`.
    ///
    /// ```
    /// use actionhost_sdk::http::Request;
    /// #[derive(serde::Serialize)]
    /// struct Filter { state: Option<&'static str>, labels: Option<String>, per_page: u32 }
    /// let r = Request::get("https://x.test/issues")
    ///     .query(&Filter { state: Some("open"), labels: None, per_page: 50 })
    ///     .query(&[("q", "a b&c")]);
    /// assert_eq!(r.url(), "https://x.test/issues?state=open&per_page=50&q=a%20b%26c");
    /// ```
    pub fn query<T: Serialize + ?Sized>(mut self, query: &T) -> Self {
        match pairs(query) {
            Ok(pairs) => self.query.extend(pairs),
            Err(e) => self.invalid = Some(format!("query parameters: {e}")),
        }
        self
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
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self = self.body_bytes("application/json", bytes),
            Err(e) => self.invalid = Some(format!("JSON body: {e}")),
        }
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from any flat `Serialize` value, encoded
    /// like [`query`](Self::query). A field whose value is an array or object (Slack's `blocks`)
    /// needs [`json_text`] to be sent as JSON text.
    ///
    /// ```
    /// use actionhost_sdk::http::Request;
    /// #[derive(serde::Serialize)]
    /// struct Post { channel: String, unfurl_links: Option<bool>, thread_ts: Option<String> }
    /// let r = Request::post("https://x.test/chat.postMessage")
    ///     .form(&Post { channel: "C1 2".into(), unfurl_links: Some(false), thread_ts: None });
    /// assert_eq!(r.body(), Some(&b"channel=C1%202&unfurl_links=false"[..]));
    /// ```
    pub fn form<T: Serialize + ?Sized>(mut self, fields: &T) -> Self {
        match pairs(fields) {
            Ok(pairs) => {
                let body = encode_pairs(&pairs).into_bytes();
                self = self.body_bytes("application/x-www-form-urlencoded", body);
            }
            Err(e) => self.invalid = Some(format!("form body: {e}")),
        }
        self
    }

    /// Sets a `multipart/form-data` or `multipart/related` body with its boundary.
    ///
    /// ```
    /// use actionhost_sdk::{http::Request, multipart::Multipart};
    /// let r = Request::post("https://x.test/upload").multipart(Multipart::form_data().text("title", "Q3"));
    /// assert!(r.headers()[0].1.starts_with("multipart/form-data; boundary="));
    /// ```
    pub fn multipart(self, body: Multipart) -> Self {
        let (content_type, bytes) = body.encode();
        self.body_bytes(&content_type, bytes)
    }

    /// Sets a raw body with its content type.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::put("https://x.test/").body_bytes("text/plain", b"raw".to_vec());
    /// assert_eq!(r.body(), Some(&b"raw"[..]));
    /// ```
    pub fn body_bytes(mut self, content_type: &str, body: Vec<u8>) -> Self {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
        self.body = Some(body);
        self.header("Content-Type", content_type)
    }

    /// The same request (method, headers, body, error hook) to another URL, with the query that
    /// URL carries instead of this one's: for following a provider's next-page link, which must
    /// be sent with the headers of the first request.
    ///
    /// ```
    /// use actionhost_sdk::http::Request;
    /// let first = Request::get("https://x.test/items").query(&[("top", 10)]).header("Prefer", "odata.maxpagesize=10");
    /// let next = first.with_url("https://x.test/items?skiptoken=X1");
    /// assert_eq!(next.url(), "https://x.test/items?skiptoken=X1");
    /// assert_eq!(next.headers(), &[("Prefer".to_string(), "odata.maxpagesize=10".to_string())]);
    /// ```
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self.query.clear();
        self
    }

    /// Checks every response with a provider's error envelope hook (set by [`Api`](crate::api::Api)).
    ///
    /// ```
    /// use actionhost_sdk::{Error, http::{Request, Response}};
    /// fn teapot(r: &Response) -> Option<Error> { (r.status() == 418).then(|| Error::internal("teapot")) }
    /// let r = Request::get("https://x.test/").errors(teapot);
    /// ```
    pub fn errors(mut self, hook: ErrorHook) -> Self {
        self.hook = Some(hook);
        self
    }

    /// The full URL with the query string.
    ///
    /// ```
    /// let r = actionhost_sdk::http::Request::get("https://x.test/a?b=1").query(&[("c", 2)]);
    /// assert_eq!(r.url(), "https://x.test/a?b=1&c=2");
    /// ```
    pub fn url(&self) -> String {
        if self.query.is_empty() {
            return self.url.clone();
        }
        let separator = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{separator}{}", self.url, encode_pairs(&self.query))
    }

    /// `GET`, `POST`, ...
    ///
    /// ```
    /// assert_eq!(actionhost_sdk::http::Request::delete("https://x.test/a").method_name(), "DELETE");
    /// ```
    pub fn method_name(&self) -> &'static str {
        method_name(self.method)
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

    /// Sends the request. The error hook (if any) sees the response first; then a status of 400
    /// or more becomes an [`Error`] (see [`Response::into_error`]).
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), actionhost_sdk::Error> {
    /// let issue: serde_json::Value = actionhost_sdk::http::Request::get("https://api.github.com/repos/o/r/issues/1")
    ///     .send()?
    ///     .json()?;
    /// # Ok(()) }
    /// ```
    pub fn send(self) -> Result<Response, Error> {
        let hook = self.hook;
        let response = self.send_raw()?;
        if let Some(error) = hook.and_then(|hook| hook(&response)) {
            return Err(error);
        }
        if response.status >= 400 {
            return Err(response.into_error());
        }
        Ok(response)
    }

    /// Sends the request and returns any response, whatever its status (the hook is not run).
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), actionhost_sdk::Error> {
    /// let response = actionhost_sdk::http::Request::get("https://api.example.com/maybe").send_raw()?;
    /// if response.status() == 404 {
    ///     // absent is a normal answer here
    /// }
    /// # Ok(()) }
    /// ```
    pub fn send_raw(self) -> Result<Response, Error> {
        if let Some(problem) = self.invalid {
            return Err(Error::internal(format!(
                "cannot build the request: {problem}"
            )));
        }
        let request = wit::Request {
            method: self.method,
            url: self.url(),
            headers: self.headers,
            body: self.body,
        };
        transport(request, self.as_operator)
    }
}

#[cfg(target_arch = "wasm32")]
fn transport(request: wit::Request, as_operator: bool) -> Result<Response, Error> {
    let sent = if as_operator {
        wit::send_as_operator(&request)
    } else {
        wit::send(&request)
    };
    match sent {
        Ok(response) => Ok(Response {
            status: response.status,
            headers: response.headers,
            body: response.body,
        }),
        Err(error) => Err(http_error(error)),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn transport(request: wit::Request, as_operator: bool) -> Result<Response, Error> {
    crate::testing::send(crate::testing::RecordedRequest {
        method: method_name(request.method).to_string(),
        url: request.url,
        headers: request.headers,
        body: request.body,
        as_operator,
    })
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
        Method::Options => "OPTIONS",
    }
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
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
    /// Builds a response by hand (tests, the test transport).
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

    /// A header parsed as a number of seconds (`Retry-After` in its delay form).
    ///
    /// ```
    /// let r = actionhost_sdk::http::Response::from_parts(429, vec![("retry-after".into(), " 30".into())], vec![]);
    /// assert_eq!(r.seconds("Retry-After"), Some(30));
    /// ```
    pub fn seconds(&self, name: &str) -> Option<u32> {
        self.header(name).and_then(|v| v.trim().parse().ok())
    }

    /// The URL of the `Link` header's `rel="next"` entry (RFC 8288), as GitHub pages.
    ///
    /// ```
    /// let link = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
    /// let r = actionhost_sdk::http::Response::from_parts(200, vec![("link".into(), link.into())], vec![]);
    /// assert_eq!(r.next_link().as_deref(), Some("https://api.github.com/repositories/1/issues?page=2"));
    /// ```
    pub fn next_link(&self) -> Option<String> {
        self.header("link")
            .and_then(|value| crate::paginate::link_with_rel(value, "next"))
    }

    /// The body parsed as JSON; an empty body is `null`. Ask for a [`Passthrough`] to hand the
    /// provider's JSON on as it came.
    ///
    /// ```
    /// use actionhost_sdk::http::{Passthrough, Response};
    /// let r = Response::from_parts(204, vec![], vec![]);
    /// assert_eq!(r.json::<serde_json::Value>().unwrap(), serde_json::Value::Null);
    ///
    /// let r = Response::from_parts(200, vec![], br#"{"id": 1}"#.to_vec());
    /// assert_eq!(r.json::<Passthrough>().unwrap().get(), r#"{"id": 1}"#);
    /// assert!(Response::from_parts(200, vec![], b"{".to_vec()).json::<Passthrough>().is_err());
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

    /// An [`Error::Upstream`] with this response's status, the given message and the body
    /// (truncated): for error hooks that recognise an envelope but keep it an upstream error.
    ///
    /// ```
    /// use actionhost_sdk::{Error, http::Response};
    /// let r = Response::from_parts(200, vec![], br#"{"ok":false,"error":"channel_not_found"}"#.to_vec());
    /// let e = r.upstream_error("channel_not_found");
    /// assert!(matches!(e, Error::Upstream { status: 200, body: Some(_), .. }));
    /// ```
    pub fn upstream_error(&self, message: impl Into<String>) -> Error {
        let text = self.text();
        Error::Upstream {
            status: self.status,
            message: message.into(),
            body: (!text.is_empty()).then(|| truncate(&text, ERROR_BODY_LIMIT).to_string()),
        }
    }

    /// The error an error status stands for, with the provider's own message when the body has
    /// one: 401 → `Unauthorized`, 404 → `NotFound`, 429 → `RateLimited` with `Retry-After`,
    /// anything else → `Upstream` with status and body.
    ///
    /// ```
    /// use actionhost_sdk::{Error, http::Response};
    /// let r = Response::from_parts(422, vec![], br#"{"message":"Validation Failed"}"#.to_vec());
    /// assert!(matches!(r.into_error(), Error::Upstream { status: 422, message, .. } if message == "Validation Failed"));
    /// let r = Response::from_parts(404, vec![], br#"{"message":"Not Found"}"#.to_vec());
    /// assert_eq!(r.into_error(), Error::not_found("Not Found"));
    /// ```
    pub fn into_error(self) -> Error {
        let message =
            provider_message(&self.body).unwrap_or_else(|| format!("HTTP {}", self.status));
        match self.status {
            401 => Error::Unauthorized(message),
            404 => Error::NotFound(message),
            429 => Error::rate_limited(message, self.seconds("retry-after")),
            _ => self.upstream_error(message),
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

/// The decoded value of query parameter `name` in `url`: a page number or cursor out of a
/// provider's next-page link.
///
/// ```
/// use actionhost_sdk::http::query_param;
/// let next = "https://api.github.com/user/repos?per_page=5&page=3";
/// assert_eq!(query_param(next, "page").as_deref(), Some("3"));
/// assert_eq!(query_param(next, "cursor"), None);
/// assert_eq!(query_param("https://x.test/a?q=a%20b", "q").as_deref(), Some("a b"));
/// ```
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, value)| value.into_owned())
}

/// Serde `serialize_with` for a form or query field whose value is an array or object: sends it
/// as JSON text (Slack's `blocks`, `attachments`).
///
/// ```
/// use actionhost_sdk::http::{Request, json_text};
/// #[derive(serde::Serialize)]
/// struct Post {
///     channel: String,
///     #[serde(serialize_with = "json_text", skip_serializing_if = "Option::is_none")]
///     blocks: Option<Vec<serde_json::Value>>,
/// }
/// let blocks = vec![serde_json::json!({"type": "divider"})];
/// let r = Request::post("https://x.test/").form(&Post { channel: "C1".into(), blocks: Some(blocks) });
/// assert_eq!(r.body(), Some(&b"channel=C1&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D"[..]));
/// ```
pub fn json_text<T: Serialize, S: serde::Serializer>(
    value: &T,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let text = serde_json::to_string(value).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

/// Flat name/value pairs of a `Serialize` value: `serde_urlencoded` serialises it, and the
/// result is read back into pairs so that one encoder (ours, `%20` for a space) writes queries
/// and forms alike.
fn pairs<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>, String> {
    let encoded = serde_urlencoded::to_string(value).map_err(|e| e.to_string())?;
    Ok(form_urlencoded::parse(encoded.as_bytes())
        .into_owned()
        .collect())
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", segment(k), segment(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one URL path segment or query component, e.g. a repository name. The
/// [`path!`](crate::path) macro applies it to every argument of a path.
///
/// ```
/// assert_eq!(actionhost_sdk::http::segment("a b/c"), "a%20b%2Fc");
/// ```
pub fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_struct_that_is_not_flat_fails_at_send_not_at_build() {
        #[derive(Serialize)]
        struct Nested {
            list: Vec<u32>,
        }
        let error = Request::get("https://x.test/")
            .query(&Nested { list: vec![1] })
            .send_raw()
            .unwrap_err();
        assert!(
            matches!(&error, Error::Internal(m) if m.starts_with("cannot build the request: query parameters")),
            "{error:?}"
        );
    }

    #[test]
    fn unit_enum_variants_are_sent_by_their_serde_names() {
        #[derive(Serialize)]
        #[serde(rename_all = "snake_case")]
        enum Sort {
            FullName,
        }
        #[derive(Serialize)]
        struct Q {
            sort: Sort,
            plus: &'static str,
        }
        let r = Request::get("https://x.test/r").query(&Q {
            sort: Sort::FullName,
            plus: "a+b ~c*",
        });
        assert_eq!(
            r.url(),
            "https://x.test/r?sort=full_name&plus=a%2Bb%20~c%2A"
        );
    }

    #[test]
    fn a_later_body_replaces_the_content_type() {
        let r = Request::post("https://x.test/")
            .json(&1)
            .form(&[("a", "b")]);
        assert_eq!(
            r.headers(),
            &[(
                "Content-Type".to_string(),
                "application/x-www-form-urlencoded".to_string()
            )]
        );
    }
}
