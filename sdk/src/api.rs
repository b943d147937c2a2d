//! A per-provider API client: base URL, default headers and the provider's error envelope in one
//! value, so an action reads `api.get(path!("/repos/{}/{}", owner, repo)).send()?`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::Error;
use crate::http::{ErrorHook, Method, Request, Response};

/// How a plugin reaches one provider's API.
///
/// ```
/// use actionhost_sdk::{Error, api::Api, http::Response};
///
/// /// Slack answers HTTP 200 with `{"ok": false, "error": "..."}`.
/// fn slack_errors(response: &Response) -> Option<Error> {
///     let body: serde_json::Value = response.json().ok()?;
///     (body["ok"] == false).then(|| response.upstream_error(body["error"].as_str().unwrap_or("unknown_error")))
/// }
///
/// let api = Api::new("https://slack.com/api").errors(slack_errors);
/// assert_eq!(api.get("/auth.test").url(), "https://slack.com/api/auth.test");
/// ```
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    headers: Vec<(String, String)>,
    hook: Option<ErrorHook>,
    as_operator: bool,
}

impl Api {
    /// `base` is the URL every relative path is appended to, without a trailing slash.
    ///
    /// ```
    /// let api = actionhost_sdk::api::Api::new("https://api.github.com/");
    /// assert_eq!(api.get("/user").url(), "https://api.github.com/user");
    /// ```
    pub fn new(base: impl Into<String>) -> Self {
        let mut base = base.into();
        while base.ends_with('/') {
            base.pop();
        }
        Api {
            base,
            headers: Vec::new(),
            hook: None,
            as_operator: false,
        }
    }

    /// A header sent on every request (`Accept`, an API version, `User-Agent`).
    ///
    /// ```
    /// let api = actionhost_sdk::api::Api::new("https://api.github.com").header("X-GitHub-Api-Version", "2022-11-28");
    /// assert_eq!(api.get("/user").headers()[0].0, "X-GitHub-Api-Version");
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The provider's error envelope: the hook sees every response before the default status
    /// mapping (see [`ErrorHook`]).
    ///
    /// ```
    /// use actionhost_sdk::{Error, api::Api, http::Response};
    /// fn errors(r: &Response) -> Option<Error> {
    ///     (r.status() == 403 && r.header("x-ratelimit-remaining") == Some("0"))
    ///         .then(|| Error::rate_limited("rate limit exceeded", r.seconds("retry-after")))
    /// }
    /// let api = Api::new("https://api.github.com").errors(errors);
    /// ```
    pub fn errors(mut self, hook: ErrorHook) -> Self {
        self.hook = Some(hook);
        self
    }

    /// A client whose every request goes with the operator's credential
    /// ([`Request::as_operator`]): Discord's bot API beside the user's own (contract 0.4).
    ///
    /// ```
    /// let bot = actionhost_sdk::api::Api::new("https://discord.com/api/v10").as_operator();
    /// assert!(bot.get("/channels/1").is_as_operator());
    /// ```
    pub fn as_operator(mut self) -> Self {
        self.as_operator = true;
        self
    }

    /// A request to `path`, relative to the base (`/repos/o/r`, built with [`path!`](crate::path)
    /// so that every segment is encoded), or an absolute URL of the same API as a provider
    /// returns it for the next page.
    ///
    /// ```
    /// use actionhost_sdk::{api::Api, http::Method, path};
    /// let api = Api::new("https://api.github.com");
    /// let r = api.request(Method::Get, &path!("/repos/{}/{}", "octo cat", "hello"));
    /// assert_eq!(r.url(), "https://api.github.com/repos/octo%20cat/hello");
    /// let next = api.request(Method::Get, "https://api.github.com/repositories/1/issues?page=2");
    /// assert_eq!(next.url(), "https://api.github.com/repositories/1/issues?page=2");
    /// ```
    pub fn request(&self, method: Method, path: &str) -> Request {
        let url = if path.starts_with("https://") || path.starts_with("http://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = Request::new(method, url);
        for (name, value) in &self.headers {
            request = request.header(name, value.as_str());
        }
        if self.as_operator {
            request = request.as_operator();
        }
        match self.hook {
            Some(hook) => request.errors(hook),
            None => request,
        }
    }

    /// ```
    /// let api = actionhost_sdk::api::Api::new("https://api.example.com");
    /// assert_eq!(api.get("/things").method_name(), "GET");
    /// ```
    pub fn get(&self, path: &str) -> Request {
        self.request(Method::Get, path)
    }

    /// ```
    /// let api = actionhost_sdk::api::Api::new("https://api.example.com");
    /// assert_eq!(api.post("/things").method_name(), "POST");
    /// ```
    pub fn post(&self, path: &str) -> Request {
        self.request(Method::Post, path)
    }

    /// ```
    /// let api = actionhost_sdk::api::Api::new("https://api.example.com");
    /// assert_eq!(api.put("/things/1").method_name(), "PUT");
    /// ```
    pub fn put(&self, path: &str) -> Request {
        self.request(Method::Put, path)
    }

    /// ```
    /// let api = actionhost_sdk::api::Api::new("https://api.example.com");
    /// assert_eq!(api.patch("/things/1").method_name(), "PATCH");
    /// ```
    pub fn patch(&self, path: &str) -> Request {
        self.request(Method::Patch, path)
    }

    /// ```
    /// let api = actionhost_sdk::api::Api::new("https://api.example.com");
    /// assert_eq!(api.delete("/things/1").method_name(), "DELETE");
    /// ```
    pub fn delete(&self, path: &str) -> Request {
        self.request(Method::Delete, path)
    }

    /// Runs a GraphQL operation (`POST path` with `{"query", "variables"}`) and decodes its
    /// `data` into `T`. The error hook sees the response first (map the provider's
    /// `extensions.code` to rate-limit, auth or not-found errors there, with
    /// [`graphql_errors`]); remaining `errors[]` become an `Upstream` error with the first
    /// message, whatever the HTTP status.
    ///
    /// ```no_run
    /// use actionhost_sdk::prelude::*;
    ///
    /// #[derive(Serialize)]
    /// struct Vars<'a> { id: &'a str }
    /// #[derive(Deserialize)]
    /// struct Data { issue: Issue }
    /// #[derive(Deserialize)]
    /// struct Issue { title: String }
    ///
    /// # fn demo() -> Result<(), Error> {
    /// let api = Api::new("https://api.linear.app");
    /// let data: Data = api.graphql("/graphql", "query($id: String!) { issue(id: $id) { title } }", &Vars { id: "ENG-1" })?;
    /// println!("{}", data.issue.title);
    /// # Ok(()) }
    /// ```
    pub fn graphql<V: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        query: &str,
        variables: &V,
    ) -> Result<T, Error> {
        #[derive(Serialize)]
        struct Operation<'a, V: ?Sized> {
            query: &'a str,
            variables: &'a V,
        }
        let response = self
            .post(path)
            .json(&Operation { query, variables })
            .send()?;
        if let Some(first) = graphql_errors(&response).into_iter().next() {
            return Err(response.upstream_error(first.message));
        }
        #[derive(serde::Deserialize)]
        struct Envelope {
            data: Option<Box<RawValue>>,
        }
        let envelope: Envelope = response.json()?;
        let data = envelope
            .data
            .ok_or_else(|| Error::internal("the GraphQL answer has neither data nor errors"))?;
        serde_json::from_str(data.get()).map_err(|e| {
            Error::internal(format!("the GraphQL data is not the expected shape: {e}"))
        })
    }
}

/// One entry of a GraphQL answer's `errors[]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphqlError {
    pub message: String,
    /// `extensions.code` (Apollo-style servers, Linear, Shopify) or `type` (GitHub).
    pub code: Option<String>,
}

/// The `errors[]` of a GraphQL answer (empty when there are none or the body is not GraphQL),
/// for error hooks.
///
/// ```
/// use actionhost_sdk::{api::graphql_errors, http::Response};
/// let body = br#"{"data":null,"errors":[{"message":"slow down","extensions":{"code":"RATELIMITED"}}]}"#;
/// let errors = graphql_errors(&Response::from_parts(200, vec![], body.to_vec()));
/// assert_eq!(errors[0].code.as_deref(), Some("RATELIMITED"));
/// assert_eq!(errors[0].message, "slow down");
/// ```
pub fn graphql_errors(response: &Response) -> Vec<GraphqlError> {
    let Ok(body) = response.json::<serde_json::Value>() else {
        return Vec::new();
    };
    let Some(errors) = body.get("errors").and_then(|e| e.as_array()) else {
        return Vec::new();
    };
    errors
        .iter()
        .map(|error| GraphqlError {
            message: error
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("GraphQL error")
                .to_string(),
            code: error
                .pointer("/extensions/code")
                .or_else(|| error.get("type"))
                .and_then(|c| c.as_str())
                .map(str::to_string),
        })
        .collect()
}

/// A URL path with every argument percent-encoded as one segment: `path!("/repos/{}/{}", o, r)`.
/// Only positional `{}` arguments are encoded; write literal parts in the format string.
///
/// ```
/// use actionhost_sdk::path;
/// assert_eq!(path!("/repos/{}/{}/issues/{}", "a/b", "c d", 7), "/repos/a%2Fb/c%20d/issues/7");
/// ```
#[macro_export]
macro_rules! path {
    ($format:literal $(, $arg:expr)* $(,)?) => {
        ::std::format!($format $(, $crate::http::segment(&::std::string::ToString::to_string(&$arg)))*)
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Transport;
    use serde_json::json;

    #[derive(Serialize)]
    struct Vars<'a> {
        id: &'a str,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Data {
        issue: Issue,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Issue {
        title: String,
    }

    /// Linear-style: `extensions.code` says what went wrong, with HTTP 200.
    fn linear_errors(response: &Response) -> Option<Error> {
        let first = graphql_errors(response).into_iter().next()?;
        match first.code.as_deref() {
            Some("RATELIMITED") => Some(Error::rate_limited(
                first.message,
                response.seconds("retry-after"),
            )),
            Some("AUTHENTICATION_ERROR") => Some(Error::unauthorized(first.message)),
            Some("ENTITY_NOT_FOUND") => Some(Error::not_found(first.message)),
            _ => None,
        }
    }

    fn api() -> Api {
        Api::new("https://api.linear.test/")
            .header("X-Client", "t")
            .errors(linear_errors)
    }

    const QUERY: &str = "query($id: String!) { issue(id: $id) { title } }";

    #[test]
    fn graphql_posts_query_and_variables_and_decodes_data() {
        let transport = Transport::install();
        transport.reply_json(200, json!({"data": {"issue": {"title": "Crash"}}}));
        let data: Data = api()
            .graphql("/graphql", QUERY, &Vars { id: "ENG-1" })
            .unwrap();
        assert_eq!(data.issue.title, "Crash");
        let request = transport.only_request();
        assert_eq!(
            (request.method.as_str(), request.url.as_str()),
            ("POST", "https://api.linear.test/graphql")
        );
        assert_eq!(request.header("x-client"), Some("t"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert_eq!(
            request.json(),
            json!({"query": QUERY, "variables": {"id": "ENG-1"}})
        );
    }

    #[test]
    fn graphql_errors_with_http_200_map_through_the_hook_or_become_upstream_errors() {
        let transport = Transport::install();
        transport.reply(
            200,
            &[("retry-after", "12")],
            json!({"data": null, "errors": [{"message": "slow down", "extensions": {"code": "RATELIMITED"}}]}).to_string(),
        );
        transport.reply_json(200, json!({"data": null, "errors": [{"message": "Entity not found", "extensions": {"code": "ENTITY_NOT_FOUND"}}]}));
        let unknown =
            json!({"data": {"issue": null}, "errors": [{"message": "Field 'x' doesn't exist"}]});
        transport.reply_json(200, unknown.clone());
        let run = || api().graphql::<_, Data>("/graphql", QUERY, &Vars { id: "x" });
        assert_eq!(
            run().unwrap_err(),
            Error::rate_limited("slow down", Some(12))
        );
        assert_eq!(run().unwrap_err(), Error::not_found("Entity not found"));
        assert_eq!(
            run().unwrap_err(),
            Error::Upstream {
                status: 200,
                message: "Field 'x' doesn't exist".into(),
                body: Some(unknown.to_string())
            }
        );
    }

    #[test]
    fn a_graphql_answer_of_the_wrong_shape_is_an_internal_error() {
        let transport = Transport::install();
        transport.reply_json(200, json!({"data": {"issue": {"name": "no title"}}}));
        let error = api()
            .graphql::<_, Data>("/graphql", QUERY, &Vars { id: "x" })
            .unwrap_err();
        assert!(matches!(error, Error::Internal(m) if m.contains("not the expected shape")));
    }

    #[test]
    fn the_hook_sees_every_response_before_the_status_mapping() {
        fn slack(response: &Response) -> Option<Error> {
            let body: serde_json::Value = response.json().ok()?;
            (body["ok"] == false)
                .then(|| response.upstream_error(body["error"].as_str().unwrap_or("")))
        }
        let transport = Transport::install();
        transport.reply_json(200, json!({"ok": false, "error": "channel_not_found"}));
        transport.reply_json(404, json!({"message": "gone"}));
        let api = Api::new("https://slack.test/api").errors(slack);
        assert!(
            matches!(api.get("/a").send().unwrap_err(), Error::Upstream { status: 200, message, .. } if message == "channel_not_found")
        );
        assert_eq!(api.get("/b").send().unwrap_err(), Error::not_found("gone"));
    }

    #[test]
    fn native_sends_without_a_transport_fail_instead_of_reaching_the_import() {
        let error = Api::new("https://x.test").get("/a").send().unwrap_err();
        assert!(matches!(error, Error::Internal(m) if m.contains("no test transport")));
        let transport = Transport::install();
        let error = Api::new("https://x.test").get("/a").send().unwrap_err();
        assert!(matches!(error, Error::Internal(m) if m.contains("no response queued")));
        assert_eq!(transport.requests().len(), 1);
    }
}
