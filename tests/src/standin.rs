//! A real HTTP server on 127.0.0.1 that stands in for a provider: it records every request
//! exactly as received (method, path, query, headers, body) and answers as the test says.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of a header (case-insensitive); panics if it was sent more than once.
    pub fn header(&self, name: &str) -> Option<&str> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        assert!(
            values.len() <= 1,
            "header {name} was sent {} times",
            values.len()
        );
        values.first().copied()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

/// What the stand-in answers.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Responder = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

/// A running stand-in; stops when dropped.
pub struct StandIn {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl StandIn {
    /// Starts a stand-in that answers every request with `respond(request)`.
    pub async fn start(respond: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let responder: Responder = Arc::new(respond);
        let recorded = requests.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let recorded = recorded.clone();
                let responder = responder.clone();
                async move { handle(method, uri, headers, body, recorded, responder).await }
            },
        );
        let (addr, tx) = serve_loopback(app).await;
        StandIn {
            addr,
            requests,
            _shutdown: tx,
        }
    }

    /// A stand-in answering 200 with `body` to everything.
    pub async fn json(body: serde_json::Value) -> Self {
        Self::start(move |_| Reply::json(200, body.clone())).await
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }

    /// Every request received so far, forgotten here (a test takes what came before the part
    /// it checks).
    pub fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.requests.lock().expect("lock"))
    }

    /// Takes the requests received so far (see [`Self::take`]), asserting there was one and it
    /// went to `path`: a plugin's after-connect check, before what the test looks at.
    pub fn take_check(&self, path: &str) -> Recorded {
        let taken = self.take();
        assert!(
            taken.len() == 1 && taken[0].path == path,
            "expected one check of {path}, got {taken:#?}"
        );
        taken.into_iter().next().expect("one request")
    }

    /// The only request received; fails if there were none or several.
    pub fn single(&self) -> Recorded {
        let requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request, got {requests:#?}"
        );
        requests.into_iter().next().expect("one request")
    }
}

/// Serves `app` on a free port of 127.0.0.1 until the returned sender is dropped.
pub async fn serve_loopback(app: axum::Router) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .ok();
    });
    (addr, tx)
}

async fn handle(
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    responder: Responder,
) -> Response {
    let request = Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers: headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    v.to_str().unwrap_or("<binary>").to_string(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    let reply = responder(&request);
    recorded.lock().expect("lock").push(request);
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = (
        StatusCode::from_u16(reply.status).expect("status"),
        reply.body,
    )
        .into_response();
    // The reply's own content type replaces the default one of a byte body.
    if reply
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        response
            .headers_mut()
            .remove(axum::http::header::CONTENT_TYPE);
    }
    for (name, value) in reply.headers {
        response.headers_mut().append(
            axum::http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            axum::http::HeaderValue::from_str(&value).expect("header value"),
        );
    }
    response
}
