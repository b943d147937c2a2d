//! Per-call store state and the glue from the generated import traits to the capabilities.
//! The capabilities themselves live in [`crate::capability`]; besides translating types, this
//! file keeps each call's tally (upstream requests and log lines), which outlives the store so
//! that a call cut off by its deadline is still counted.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::{http, log, types};
use super::{ActionError, CallContext};
use crate::capability::http::{
    Egress, EgressError, EgressGrant, HttpMethod, InboundResponse, OutboundRequest, Recovery,
    RequestLog,
};
use crate::capability::log::{PluginLog, PluginLogLevel};
use crate::manifest::CredentialKind;
use crate::quote::{clip, truncate};

/// Everything one call's store holds.
pub struct CallState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limiter: MemoryLimiter,
    pub cpu_ticks_left: u64,
    pub cpu_exceeded: bool,
    pub plugin_id: String,
    pub grant: Arc<EgressGrant>,
    /// The grant of requests made as the operator (`None`: the plugin declares no operator
    /// credential).
    pub operator_grant: Option<Arc<EgressGrant>>,
    pub egress: Arc<Egress>,
    /// Who the call is for (the plugin sees the user id and scopes).
    pub call: CallContext,
    /// The credential the HTTP capability injects, and how it recovers from refusals.
    pub recovery: Recovery,
    pub deadline: Instant,
    /// Upstream requests and log lines of this call; shared with the caller.
    pub upstream: CallTally,
    /// Bound to a call: until then (a component's own start code, run while it is instantiated
    /// ahead of any call) a request is refused by ending the instance.
    pub bound: bool,
    /// Time spent waiting in `http.send`.
    pub upstream_time: std::time::Duration,
}

impl CallState {
    /// What the plugin is told about the call: never the credential.
    pub fn guest_context(&self) -> types::CallContext {
        types::CallContext {
            user_id: self.call.user.clone(),
            scopes: self.call.scopes.clone(),
            fields: self
                .call
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            credential: match self.call.credential_kind {
                None | Some(CredentialKind::None) => types::CredentialKind::None,
                Some(CredentialKind::ApiKey) => types::CredentialKind::ApiKey,
                Some(CredentialKind::Basic) => types::CredentialKind::Basic,
                Some(CredentialKind::OAuth2) => types::CredentialKind::Oauth2,
            },
        }
    }
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for CallState {}

impl http::Host for CallState {
    async fn send(
        &mut self,
        request: http::Request,
    ) -> wasmtime::Result<Result<http::Response, http::HttpError>> {
        if !self.bound {
            return Err(wasmtime::Error::msg(
                "the plugin sent a request before it was called",
            ));
        }
        if !self.upstream.attempt() {
            // Ends the call: a plugin that ignores refusals must not spin on them.
            return Err(wasmtime::Error::msg("upstream request limit reached"));
        }
        let outbound = OutboundRequest {
            method: request.method.into(),
            url: request.url,
            headers: request.headers,
            body: request.body.map(Bytes::from),
        };
        let started = Instant::now();
        let result = self.send_with_recovery(outbound).await;
        self.upstream_time += started.elapsed();
        Ok(self.answer(result))
    }

    async fn send_as_operator(
        &mut self,
        request: http::Request,
    ) -> wasmtime::Result<Result<http::Response, http::HttpError>> {
        if !self.bound {
            return Err(wasmtime::Error::msg(
                "the plugin sent a request before it was called",
            ));
        }
        if !self.upstream.attempt() {
            return Err(wasmtime::Error::msg("upstream request limit reached"));
        }
        let outbound = OutboundRequest {
            method: request.method.into(),
            url: request.url,
            headers: request.headers,
            body: request.body.map(Bytes::from),
        };
        let started = Instant::now();
        let result = self.send_as_operator_now(outbound).await;
        self.upstream_time += started.elapsed();
        Ok(self.answer(result))
    }
}

impl CallState {
    /// Logs a refusal (within the call's log budget) and turns the result into the WIT's.
    fn answer(
        &self,
        result: Result<InboundResponse, EgressError>,
    ) -> Result<http::Response, http::HttpError> {
        if let Err(
            refused @ (EgressError::Denied(_)
            | EgressError::ForbiddenHeader(_)
            | EgressError::InvalidRequest(_)
            | EgressError::NotConnected(_)),
        ) = &result
            && self.upstream.admit_log_line()
        {
            tracing::warn!(plugin = %self.plugin_id, error = %refused, "plugin request refused");
        }
        result
            .map(|response| http::Response {
                status: response.status,
                headers: response.headers,
                body: response.body,
            })
            .map_err(Into::into)
    }

    /// Sends one request with the operator's credential: only for a plugin that declares one,
    /// only in a call for a connected account (or one that needs none), only to the plugin's
    /// fixed credentialed origins. Retried like any request; never refreshed.
    async fn send_as_operator_now(
        &mut self,
        outbound: OutboundRequest,
    ) -> Result<InboundResponse, EgressError> {
        let Some(grant) = self.operator_grant.clone() else {
            return Err(EgressError::Denied(format!(
                "plugin {} declares no operator credential, so it cannot send as the operator",
                self.plugin_id
            )));
        };
        if self.call.credential.is_none() && self.call.credential_kind != Some(CredentialKind::None)
        {
            return Err(EgressError::NotConnected(
                "requests as the operator are made only in calls for a connected account".into(),
            ));
        }
        let Some(secret) = self.call.operator_secret.clone() else {
            return Err(EgressError::NotConnected(format!(
                "the operator has not set {}'s operator credential (`operator_secret` of PUT                  /admin/connections/{})",
                self.plugin_id, self.plugin_id
            )));
        };
        let egress = self.egress.clone();
        let mut recovery = Recovery {
            credential: Some(secret),
            refresher: None,
            max_retries: self.recovery.max_retries,
            retry_safe: self.recovery.retry_safe,
        };
        let (deadline, tally) = (self.deadline, self.upstream.clone());
        egress
            .send_recovering(&grant, &mut recovery, outbound, deadline, &tally)
            .await
    }
}

impl CallState {
    /// Sends one request through the HTTP capability, with the call's credential recovery.
    /// Owns what it needs, so no borrow of the (non-`Sync`) state crosses an await; a
    /// credential refreshed on the way is kept for the call's next requests.
    async fn send_with_recovery(
        &mut self,
        outbound: OutboundRequest,
    ) -> Result<InboundResponse, EgressError> {
        let (egress, grant) = (self.egress.clone(), self.grant.clone());
        let (mut recovery, deadline) = (self.recovery.clone(), self.deadline);
        let tally = self.upstream.clone();
        let sent = async move {
            let result = egress
                .send_recovering(&grant, &mut recovery, outbound, deadline, &tally)
                .await;
            (result, recovery.credential)
        };
        let (result, credential) = sent.await;
        self.recovery.credential = credential;
        result
    }
}

impl log::Host for CallState {
    async fn log(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
        let level = match level {
            log::Level::Trace => PluginLogLevel::Trace,
            log::Level::Debug => PluginLogLevel::Debug,
            log::Level::Info => PluginLogLevel::Info,
            log::Level::Warn => PluginLogLevel::Warn,
            log::Level::Error => PluginLogLevel::Error,
        };
        self.upstream.log(&self.plugin_id, level, &message);
        Ok(())
    }
}

/// What one call did that the host must account for whatever its end: each upstream request's
/// status (0: none came) and the call's log budget. Shared by the store and the caller.
#[derive(Clone, Default)]
pub struct CallTally(Arc<Mutex<Tally>>);

#[derive(Default)]
struct Tally {
    statuses: Vec<u16>,
    attempts: u32,
    cap: u32,
    over_cap: bool,
    log: PluginLog,
}

impl CallTally {
    /// A tally allowing `cap` upstream requests.
    pub fn new(cap: u32) -> Self {
        let tally = CallTally::default();
        tally.lock().cap = cap;
        tally
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts one request the plugin asks for; false once it would exceed the cap.
    fn attempt(&self) -> bool {
        let mut tally = self.lock();
        if tally.attempts >= tally.cap {
            tally.over_cap = true;
            return false;
        }
        tally.attempts += 1;
        true
    }

    /// Whether the call was ended for asking more requests than the cap.
    pub fn over_cap(&self) -> bool {
        self.lock().over_cap
    }

    /// Status of each request that left the host (0: no response).
    pub fn statuses(&self) -> Vec<u16> {
        self.lock().statuses.clone()
    }

    /// Whether one more host log line about this call fits the call's budget.
    pub fn admit_log_line(&self) -> bool {
        self.lock().log.admit()
    }

    fn log(&self, plugin: &str, level: PluginLogLevel, message: &str) {
        self.lock().log.write(plugin, level, message);
    }

    /// Reports lines dropped over the budget.
    pub fn finish(&self, plugin: &str) {
        self.lock().log.finish(plugin);
    }
}

impl RequestLog for CallTally {
    fn sending(&self) -> usize {
        let mut tally = self.lock();
        tally.statuses.push(0);
        tally.statuses.len() - 1
    }

    fn answered(&self, number: usize, status: Option<u16>) {
        if let (Some(entry), Some(status)) = (self.lock().statuses.get_mut(number), status) {
            *entry = status;
        }
    }

    fn not_sent(&self, number: usize) {
        let mut tally = self.lock();
        if number + 1 == tally.statuses.len() {
            tally.statuses.pop();
        }
    }
}

impl From<http::Method> for HttpMethod {
    fn from(method: http::Method) -> Self {
        match method {
            http::Method::Get => HttpMethod::Get,
            http::Method::Head => HttpMethod::Head,
            http::Method::Post => HttpMethod::Post,
            http::Method::Put => HttpMethod::Put,
            http::Method::Patch => HttpMethod::Patch,
            http::Method::Delete => HttpMethod::Delete,
            http::Method::Options => HttpMethod::Options,
        }
    }
}

impl From<EgressError> for http::HttpError {
    fn from(error: EgressError) -> Self {
        match error {
            EgressError::Denied(m) => http::HttpError::Denied(m),
            EgressError::ForbiddenHeader(h) => http::HttpError::ForbiddenHeader(h),
            EgressError::InvalidRequest(m) => http::HttpError::InvalidRequest(m),
            EgressError::NotConnected(m) => http::HttpError::NotConnected(m),
            EgressError::Timeout => http::HttpError::Timeout,
            EgressError::TooLarge(cap) => http::HttpError::TooLarge(cap),
            EgressError::Transport(m) => http::HttpError::Transport(m),
        }
    }
}

/// Longest plugin-written error message the host keeps (it reaches agents, and an account's
/// status reason).
const MAX_ERROR_MESSAGE: usize = 4096;
/// Longest upstream body a plugin error may carry (agents see less: `api/error.rs`).
const MAX_ERROR_BODY: usize = 64 * 1024;

impl From<types::ActionError> for ActionError {
    fn from(error: types::ActionError) -> Self {
        let message = |m: String| clip(&m, MAX_ERROR_MESSAGE).into_owned();
        match error {
            types::ActionError::InvalidInput(m) => ActionError::InvalidInput(message(m)),
            types::ActionError::NotFound(m) => ActionError::NotFound(message(m)),
            types::ActionError::Unauthorized(m) => ActionError::Unauthorized(message(m)),
            types::ActionError::RateLimited(r) => ActionError::RateLimited {
                message: message(r.message),
                retry_after_seconds: r.retry_after_seconds,
            },
            types::ActionError::Upstream(u) => ActionError::Upstream {
                status: u.status,
                message: message(u.message),
                body: u.body.map(|b| truncate(&b, MAX_ERROR_BODY).to_string()),
            },
            types::ActionError::Internal(m) => ActionError::Internal(message(m)),
        }
    }
}

/// Caps linear memory and remembers that the cap was hit, so the trap that follows is reported
/// as a memory limit rather than a crash.
pub struct MemoryLimiter {
    max_bytes: usize,
    exceeded: bool,
}

impl MemoryLimiter {
    pub fn new(max_bytes: usize) -> Self {
        MemoryLimiter {
            max_bytes,
            exceeded: false,
        }
    }

    pub fn exceeded(&self) -> bool {
        self.exceeded
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
            self.exceeded = true;
            return Err(wasmtime::Error::msg("memory limit exceeded"));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }

    fn instances(&self) -> usize {
        32
    }

    fn tables(&self) -> usize {
        32
    }

    fn memories(&self) -> usize {
        4
    }
}

/// Bytes of a call's stderr that are kept for the log; the rest is counted and dropped.
const STDERR_CAP: usize = 16 * 1024;

#[derive(Default)]
struct Captured {
    bytes: Vec<u8>,
    dropped: usize,
}

/// A plugin's stderr: kept up to [`STDERR_CAP`] bytes, then written to the host log tagged with
/// the plugin's id when the call ends. Writes never fail, so a noisy guest is not disturbed.
#[derive(Clone, Default)]
pub struct StderrCapture(Arc<Mutex<Captured>>);

impl StderrCapture {
    pub fn new() -> Self {
        Self::default()
    }

    fn text(&self) -> String {
        let captured = self.0.lock().expect("stderr lock");
        String::from_utf8_lossy(&captured.bytes).into_owned()
    }

    /// The message of a Rust panic in the captured output, if any.
    pub fn panic_message(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("panicked at")?;
        let rest = &text[start..];
        // "panicked at src/lib.rs:10:5:\nthe message"
        let message = rest.split_once('\n').map(|(_, m)| m).unwrap_or(rest);
        let line = message.lines().next().unwrap_or_default().trim();
        Some(crate::quote::truncate(line, 500).to_string())
    }

    /// Writes the captured lines to the host log within the call's log budget.
    pub fn flush_to_log(&self, plugin: &str, tally: &CallTally) {
        let captured = self.0.lock().expect("stderr lock");
        if captured.bytes.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&captured.bytes);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if !tally.admit_log_line() {
                break;
            }
            tracing::warn!(target: "plugin", plugin, stderr = true, "{line}");
        }
        if captured.dropped > 0 {
            tracing::warn!(target: "plugin", plugin, dropped_bytes = captured.dropped, "plugin stderr over the per-call cap was dropped");
        }
    }
}

impl wasmtime_wasi::cli::IsTerminal for StderrCapture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl wasmtime_wasi::cli::StdoutStream for StderrCapture {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl tokio::io::AsyncWrite for StderrCapture {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let mut captured = self.0.lock().expect("stderr lock");
        let room = STDERR_CAP.saturating_sub(captured.bytes.len());
        let kept = room.min(buf.len());
        captured.bytes.extend_from_slice(&buf[..kept]);
        captured.dropped += buf.len() - kept;
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
