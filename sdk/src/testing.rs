//! Native tests of a plugin without the host: a [`Transport`] records every request an action
//! sends and answers from a queue, and [`run`] runs an action by name as the host would;
//! [`call`] runs one against one answer and returns the one request, [`refused`] checks that
//! bad input fails before anything is sent. Only in native builds; a wasm build sends through
//! the host's `http` import.
//!
//! ```
//! use actionhost_sdk::prelude::*;
//! use actionhost_sdk::testing::{self, Transport};
//!
//! #[derive(Deserialize, JsonSchema)]
//! struct Get { id: String }
//!
//! fn provider() -> Provider {
//!     let api = Api::new("https://api.example.com");
//!     Provider::new("example", "Example").action(Action::new("EXAMPLE_GET_THING", "Get a thing.", move |i: Get, _: &Context| {
//!         api.get(&actionhost_sdk::path!("/things/{}", i.id)).send()?.json::<Value>()
//!     }))
//! }
//!
//! let transport = Transport::install();
//! transport.reply_json(200, json!({"id": "a b"}));
//! let output = testing::run(&provider(), "EXAMPLE_GET_THING", json!({"id": "a b"}), &Context::new("u1")).unwrap();
//! assert_eq!(output, json!({"id": "a b"}));
//! let request = transport.only_request();
//! assert_eq!((request.method.as_str(), request.path()), ("GET", "/things/a%20b"));
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use serde_json::Value;

use crate::http::Response;
use crate::{ConnectedAccount, Context, Error, Provider};

/// A request as the host would have received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The full URL with its query string.
    pub url: String,
    /// Headers in the order the plugin set them.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Sent with the operator's credential ([`Request::as_operator`](crate::http::Request::as_operator)).
    pub as_operator: bool,
}

impl RecordedRequest {
    /// The URL's path, still percent-encoded.
    ///
    /// ```
    /// # use actionhost_sdk::testing::RecordedRequest;
    /// let r = RecordedRequest { method: "GET".into(), url: "https://x.test/a%20b?c=1".into(), headers: vec![], body: None, as_operator: false };
    /// assert_eq!(r.path(), "/a%20b");
    /// ```
    pub fn path(&self) -> &str {
        let after_scheme = self.url.split_once("://").map_or(&*self.url, |(_, r)| r);
        let path_and_query = after_scheme
            .find('/')
            .map_or("", |start| &after_scheme[start..]);
        path_and_query
            .split_once('?')
            .map_or(path_and_query, |(path, _)| path)
    }

    /// The raw query string, if any.
    ///
    /// ```
    /// # use actionhost_sdk::testing::RecordedRequest;
    /// let r = RecordedRequest { method: "GET".into(), url: "https://x.test/a?q=a%20b".into(), headers: vec![], body: None, as_operator: false };
    /// assert_eq!(r.raw_query(), Some("q=a%20b"));
    /// ```
    pub fn raw_query(&self) -> Option<&str> {
        self.url.split_once('?').map(|(_, query)| query)
    }

    /// The query parameters, decoded, in order.
    ///
    /// ```
    /// # use actionhost_sdk::testing::RecordedRequest;
    /// let r = RecordedRequest { method: "GET".into(), url: "https://x.test/a?q=a%20b&n=1".into(), headers: vec![], body: None, as_operator: false };
    /// assert_eq!(r.query(), vec![("q".to_string(), "a b".to_string()), ("n".to_string(), "1".to_string())]);
    /// ```
    pub fn query(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.raw_query().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    /// A header's value (names compare case-insensitively).
    ///
    /// ```
    /// # use actionhost_sdk::testing::RecordedRequest;
    /// let r = RecordedRequest { method: "GET".into(), url: "https://x.test/".into(), headers: vec![("Accept".into(), "text/plain".into())], body: None, as_operator: false };
    /// assert_eq!(r.header("accept"), Some("text/plain"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy UTF-8; empty without a body).
    ///
    /// ```
    /// # use actionhost_sdk::testing::RecordedRequest;
    /// let r = RecordedRequest { method: "POST".into(), url: "https://x.test/".into(), headers: vec![], body: Some(b"hi".to_vec()), as_operator: false };
    /// assert_eq!(r.text(), "hi");
    /// ```
    pub fn text(&self) -> String {
        String::from_utf8_lossy(self.body.as_deref().unwrap_or_default()).into_owned()
    }

    /// The body parsed as JSON (`null` without a body; panics on a body that is not JSON, as a
    /// test assertion should).
    ///
    /// ```
    /// # use actionhost_sdk::testing::RecordedRequest;
    /// let r = RecordedRequest { method: "POST".into(), url: "https://x.test/".into(), headers: vec![], body: Some(br#"{"a":1}"#.to_vec()), as_operator: false };
    /// assert_eq!(r.json(), serde_json::json!({"a": 1}));
    /// ```
    pub fn json(&self) -> Value {
        match &self.body {
            None => Value::Null,
            Some(body) => serde_json::from_slice(body).expect("the request body is JSON"),
        }
    }

    /// The body read as a form (`application/x-www-form-urlencoded`), decoded, in order.
    ///
    /// ```
    /// # use actionhost_sdk::testing::RecordedRequest;
    /// let r = RecordedRequest { method: "POST".into(), url: "https://x.test/".into(), headers: vec![], body: Some(b"a=1%202".to_vec()), as_operator: false };
    /// assert_eq!(r.form(), vec![("a".to_string(), "1 2".to_string())]);
    /// ```
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.body.as_deref().unwrap_or_default())
            .into_owned()
            .collect()
    }
}

#[derive(Default)]
struct State {
    replies: VecDeque<Response>,
    requests: Vec<RecordedRequest>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<RefCell<State>>>> = const { RefCell::new(None) };
}

/// The test side of the host's `http` capability, for the current thread (each `#[test]` runs
/// on its own). Installed until dropped.
pub struct Transport {
    state: Rc<RefCell<State>>,
}

impl Transport {
    /// Installs a fresh transport for this thread, replacing any other.
    ///
    /// ```
    /// let transport = actionhost_sdk::testing::Transport::install();
    /// assert!(transport.requests().is_empty());
    /// ```
    pub fn install() -> Transport {
        let state = Rc::new(RefCell::new(State::default()));
        CURRENT.with(|current| *current.borrow_mut() = Some(state.clone()));
        Transport { state }
    }

    /// Queues a response for the next request.
    ///
    /// ```
    /// let transport = actionhost_sdk::testing::Transport::install();
    /// transport.reply(200, &[("content-type", "text/plain")], "hello");
    /// ```
    pub fn reply(&self, status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) {
        let headers = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect();
        self.reply_with(Response::from_parts(status, headers, body.into()));
    }

    /// Queues a JSON response.
    ///
    /// ```
    /// let transport = actionhost_sdk::testing::Transport::install();
    /// transport.reply_json(201, serde_json::json!({"id": 1}));
    /// ```
    pub fn reply_json(&self, status: u16, body: Value) {
        self.reply(
            status,
            &[("content-type", "application/json")],
            body.to_string(),
        );
    }

    /// Queues a response built by hand.
    ///
    /// ```
    /// let transport = actionhost_sdk::testing::Transport::install();
    /// transport.reply_with(actionhost_sdk::http::Response::from_parts(204, vec![], vec![]));
    /// ```
    pub fn reply_with(&self, response: Response) {
        self.state.borrow_mut().replies.push_back(response);
    }

    /// Every request sent so far, in order.
    ///
    /// ```
    /// let transport = actionhost_sdk::testing::Transport::install();
    /// assert_eq!(transport.requests(), vec![]);
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.borrow().requests.clone()
    }

    /// The one request sent so far; panics when there were none or several.
    ///
    /// ```
    /// # use actionhost_sdk::{http::Request, testing::Transport};
    /// let transport = Transport::install();
    /// transport.reply_json(200, serde_json::json!({}));
    /// Request::get("https://x.test/a").send().unwrap();
    /// assert_eq!(transport.only_request().url, "https://x.test/a");
    /// ```
    pub fn only_request(&self) -> RecordedRequest {
        let requests = self.requests();
        assert_eq!(requests.len(), 1, "expected one request, got {requests:#?}");
        requests.into_iter().next().expect("one request")
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        CURRENT.with(|current| {
            let mut current = current.borrow_mut();
            if current
                .as_ref()
                .is_some_and(|state| Rc::ptr_eq(state, &self.state))
            {
                *current = None;
            }
        });
    }
}

pub(crate) fn send(request: RecordedRequest) -> Result<Response, Error> {
    let state = CURRENT.with(|current| current.borrow().clone());
    let Some(state) = state else {
        return Err(Error::internal(format!(
            "{} {}: no test transport is installed on this thread (native builds reach the \
             provider only through actionhost_sdk::testing::Transport)",
            request.method, request.url
        )));
    };
    let mut state = state.borrow_mut();
    let reply = state.replies.pop_front();
    let described = format!("{} {}", request.method, request.url);
    state.requests.push(request);
    reply.ok_or_else(|| {
        Error::internal(format!(
            "{described}: the test transport has no response queued"
        ))
    })
}

/// Runs the action `action` of `provider` on `input`, as the host's `execute` would (the input
/// is not checked against the schema: the host does that).
///
/// ```
/// use actionhost_sdk::prelude::*;
/// #[derive(Deserialize, JsonSchema)]
/// struct Echo { text: String }
/// let provider = Provider::new("demo", "Demo")
///     .action(Action::new("DEMO_ECHO", "Echo.", |i: Echo, ctx: &Context| Ok(json!({"text": i.text, "user": ctx.user_id}))));
/// let output = actionhost_sdk::testing::run(&provider, "DEMO_ECHO", json!({"text": "hi"}), &Context::new("u1")).unwrap();
/// assert_eq!(output, json!({"text": "hi", "user": "u1"}));
/// assert!(matches!(actionhost_sdk::testing::run(&provider, "DEMO_NOPE", json!({}), &Context::new("u1")), Err(Error::NotFound(_))));
/// ```
pub fn run(
    provider: &Provider,
    action: &str,
    input: Value,
    context: &Context,
) -> Result<Value, Error> {
    let found = provider
        .find(action)
        .ok_or_else(|| Error::not_found(format!("no action {action}")))?;
    found.run(&input.to_string(), context)
}

/// Runs `action` against one queued JSON answer (`Value::Null`: an empty body, as a 204 has)
/// and asserts it sent exactly one request: the result and that request (the usual shape of a
/// request test).
///
/// ```
/// use actionhost_sdk::prelude::*;
/// #[derive(Deserialize, JsonSchema)]
/// struct Get { id: String }
/// let api = Api::new("https://api.example.com");
/// let provider = Provider::new("example", "Example").action(Action::new("EXAMPLE_GET_THING", "Get a thing.", move |i: Get, _: &Context| {
///     api.get(&actionhost_sdk::path!("/things/{}", i.id)).send()?.json::<Value>()
/// }));
/// let (output, request) = actionhost_sdk::testing::call(&provider, &Context::new("u1"), "EXAMPLE_GET_THING", json!({"id": "7"}), 200, json!({"id": "7"}));
/// assert_eq!(output.unwrap(), json!({"id": "7"}));
/// assert_eq!(request.path(), "/things/7");
/// ```
pub fn call(
    provider: &Provider,
    context: &Context,
    action: &str,
    input: Value,
    status: u16,
    answer: Value,
) -> (Result<Value, Error>, RecordedRequest) {
    let transport = Transport::install();
    if answer.is_null() {
        transport.reply(status, &[], "");
    } else {
        transport.reply_json(status, answer);
    }
    let result = run(provider, action, input, context);
    (result, transport.only_request())
}

/// Runs `action` and asserts it failed before sending anything (input the plugin refuses
/// itself); the error.
///
/// ```
/// use actionhost_sdk::prelude::*;
/// #[derive(Deserialize, JsonSchema)]
/// struct Get { id: String }
/// let provider = Provider::new("example", "Example").action(Action::new("EXAMPLE_GET_THING", "Get a thing.", |i: Get, _: &Context| -> Result<Value, Error> {
///     Err(Error::invalid_input(format!("{:?} is not an id", i.id)))
/// }));
/// let error = actionhost_sdk::testing::refused(&provider, &Context::new("u1"), "EXAMPLE_GET_THING", json!({"id": ""}));
/// assert!(matches!(error, Error::InvalidInput(_)));
/// ```
pub fn refused(provider: &Provider, context: &Context, action: &str, input: Value) -> Error {
    let transport = Transport::install();
    let error = match run(provider, action, input, context) {
        Ok(output) => panic!("{action} succeeded ({output}) where it should refuse"),
        Err(error) => error,
    };
    let sent = transport.requests();
    assert!(sent.is_empty(), "{action} sent {sent:#?} before refusing");
    error
}

/// Runs the provider's `after-connect` as the host does when an account connects.
///
/// ```
/// use actionhost_sdk::prelude::*;
/// let account = actionhost_sdk::testing::after_connect(&Provider::new("demo", "Demo"), &Context::new("u1")).unwrap();
/// assert_eq!(account, ConnectedAccount::default());
/// ```
pub fn after_connect(provider: &Provider, context: &Context) -> Result<ConnectedAccount, Error> {
    provider.connect(context)
}
