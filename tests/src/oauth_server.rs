//! A strict OAuth 2 authorization server on 127.0.0.1 for the failure paths that lenient mock
//! servers accept: codes must have been issued for the PKCE challenge, the client must
//! authenticate, refresh tokens rotate (a used one is `invalid_grant`), and the token endpoint
//! can refuse, slow down or be counted.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use sha2::Digest;

pub const CLIENT_ID: &str = "strict-client";
pub const CLIENT_SECRET: &str = "strict-client-secret-value";

/// How the token endpoint answers refresh requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshMode {
    /// New access and refresh token; the used refresh token stops working.
    Rotate,
    /// `invalid_grant` for every refresh.
    InvalidGrant,
    /// Answers after this long.
    Slow(Duration),
}

#[derive(Default)]
struct Inner {
    /// code → (PKCE challenge, redirect URI)
    codes: HashMap<String, (String, String)>,
    live_refresh: HashSet<String>,
    revoked: Vec<String>,
    token_requests: usize,
    refresh_requests: usize,
    issued: usize,
    expires_in: u64,
}

struct Shared {
    inner: Mutex<Inner>,
    mode: Mutex<RefreshMode>,
}

/// A running strict server; stops when dropped.
pub struct StrictOAuthServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl StrictOAuthServer {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                expires_in: 3600,
                ..Inner::default()
            }),
            mode: Mutex::new(RefreshMode::Rotate),
        });
        let app = axum::Router::new()
            .route("/token", axum::routing::post(token))
            .route("/revoke", axum::routing::post(revoke))
            .with_state(shared.clone());
        let (addr, tx) = crate::standin::serve_loopback(app).await;
        StrictOAuthServer {
            addr,
            shared,
            _shutdown: tx,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The body of `PUT /admin/connections/{id}` that registers this server as the OAuth app
    /// (its client, its authorize, token and revocation endpoints).
    pub fn connection(&self) -> serde_json::Value {
        serde_json::json!({
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "authorize_url": self.url("/authorize"),
            "token_url": self.url("/token"),
            "revoke_url": self.url("/revoke"),
        })
    }

    /// Issues `code` for the PKCE `challenge` taken from an authorization URL, as the provider
    /// would after the user consents.
    pub fn issue_code(&self, code: &str, challenge: &str, redirect_uri: &str) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .codes
            .insert(code.into(), (challenge.into(), redirect_uri.into()));
    }

    /// Makes `token` a live refresh token (an account connected earlier).
    pub fn accept_refresh_token(&self, token: &str) {
        self.shared
            .inner
            .lock()
            .unwrap()
            .live_refresh
            .insert(token.into());
    }

    pub fn set_mode(&self, mode: RefreshMode) {
        *self.shared.mode.lock().unwrap() = mode;
    }

    /// `expires_in` of issued access tokens.
    pub fn set_expires_in(&self, seconds: u64) {
        self.shared.inner.lock().unwrap().expires_in = seconds;
    }

    pub fn token_requests(&self) -> usize {
        self.shared.inner.lock().unwrap().token_requests
    }

    pub fn refresh_requests(&self) -> usize {
        self.shared.inner.lock().unwrap().refresh_requests
    }

    pub fn revoked(&self) -> Vec<String> {
        self.shared.inner.lock().unwrap().revoked.clone()
    }
}

fn error(status: StatusCode, code: &str) -> Response {
    (status, axum::Json(json!({"error": code}))).into_response()
}

fn client_authenticated(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Basic {expected}"));
    let in_body = form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
    basic || in_body
}

async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mode = *shared.mode.lock().unwrap();
    {
        let mut inner = shared.inner.lock().unwrap();
        inner.token_requests += 1;
        if form.get("grant_type").map(String::as_str) == Some("refresh_token") {
            inner.refresh_requests += 1;
        }
    }
    if !client_authenticated(&headers, &form) {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let mut inner = shared.inner.lock().unwrap();
            let code = form.get("code").cloned().unwrap_or_default();
            let Some((challenge, redirect)) = inner.codes.remove(&code) else {
                return error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()));
            if computed != challenge || form.get("redirect_uri") != Some(&redirect) {
                return error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            issue(&mut inner)
        }
        Some("refresh_token") => {
            if let RefreshMode::Slow(delay) = mode {
                tokio::time::sleep(delay).await;
            }
            let mut inner = shared.inner.lock().unwrap();
            let presented = form.get("refresh_token").cloned().unwrap_or_default();
            if mode == RefreshMode::InvalidGrant || !inner.live_refresh.remove(&presented) {
                return error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            issue(&mut inner)
        }
        _ => error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    }
}

fn issue(inner: &mut Inner) -> Response {
    inner.issued += 1;
    let n = inner.issued;
    let refresh = format!("strict-refresh-{n}");
    inner.live_refresh.insert(refresh.clone());
    axum::Json(json!({
        "access_token": format!("strict-access-{n}"),
        "token_type": "bearer",
        "expires_in": inner.expires_in,
        "refresh_token": refresh,
        "scope": "repo read:user",
    }))
    .into_response()
}

async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !client_authenticated(&headers, &form) {
        return error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let token = form.get("token").cloned().unwrap_or_default();
    let mut inner = shared.inner.lock().unwrap();
    inner.live_refresh.remove(&token);
    inner.revoked.push(token);
    StatusCode::OK.into_response()
}

/// oauth2-mock-server (from `tests/tools`, a real authorization server that consents at once)
/// on a free loopback port; stopped when dropped.
pub struct MockOAuthServer {
    child: std::process::Child,
    /// `http://127.0.0.1:<port>`
    pub base: String,
}

impl MockOAuthServer {
    pub async fn start() -> Self {
        let tools = crate::tools_dir();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("addr")
            .port();
        let child = std::process::Command::new(tools.join("node_modules/.bin/oauth2-mock-server"))
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("oauth2-mock-server is installed (npm ci --prefix tests/tools)");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        MockOAuthServer {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for MockOAuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
