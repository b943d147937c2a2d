//! Per-call store state and the glue from the generated import traits to the capabilities.
//! The capabilities themselves live in [`crate::capability`]; this file only translates types.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::bindings::{http, log, types};
use super::{ActionError, CallContext};
use crate::capability::http::{
    Egress, EgressError, EgressGrant, HttpMethod, InboundResponse, OutboundRequest,
};
use crate::capability::log::{PluginLog, PluginLogLevel};
use std::time::Duration;

/// Everything one call's store holds.
pub struct CallState {
    pub wasi: WasiCtx,
    pub table: ResourceTable,
    pub limiter: MemoryLimiter,
    pub cpu_ticks_left: u64,
    pub cpu_exceeded: bool,
    pub plugin_id: String,
    pub grant: Arc<EgressGrant>,
    pub egress: Arc<Egress>,
    pub call: CallContext,
    pub deadline: Instant,
    pub log: PluginLog,
    /// Status of each upstream request this call made (0: no response).
    pub upstream_statuses: Vec<u16>,
    /// Time spent waiting in `http.send`.
    pub upstream_time: std::time::Duration,
    /// Retries allowed for an upstream 429/503 (the plugin's policy).
    pub max_retries: u32,
    /// The running action is marked idempotent or read-only, so even a POST may be retried.
    pub retry_safe: bool,
}

impl CallState {
    /// What the plugin is told about the call: never the credential.
    pub fn guest_context(&self) -> types::CallContext {
        types::CallContext {
            user_id: self.call.user.clone(),
            scopes: self.call.scopes.clone(),
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
    async fn send(&mut self, request: http::Request) -> Result<http::Response, http::HttpError> {
        let outbound = OutboundRequest {
            method: request.method.into(),
            url: request.url,
            headers: request.headers,
            body: request.body,
        };
        let started = Instant::now();
        let result = self.send_with_recovery(outbound).await;
        self.upstream_time += started.elapsed();
        match &result {
            Ok(response) => self.upstream_statuses.push(response.status),
            Err(EgressError::Timeout | EgressError::TooLarge(_) | EgressError::Transport(_)) => {
                self.upstream_statuses.push(0);
            }
            Err(refused) => {
                tracing::warn!(plugin = %self.plugin_id, error = %refused, "plugin request refused");
            }
        }
        result
            .map(|response| http::Response {
                status: response.status,
                headers: response.headers,
                body: response.body,
            })
            .map_err(Into::into)
    }
}

impl CallState {
    /// Sends one request, then: after a 401, refreshes the credential once and resends; after a
    /// 429/503 that says `Retry-After`, waits (jittered) and resends, at most `max_retries`
    /// times, within the call's deadline, and only for idempotent methods or actions marked safe
    /// to retry. Every response but the last is counted here.
    async fn send_with_recovery(
        &mut self,
        outbound: OutboundRequest,
    ) -> Result<InboundResponse, EgressError> {
        let idempotent = matches!(
            outbound.method,
            HttpMethod::Get
                | HttpMethod::Head
                | HttpMethod::Put
                | HttpMethod::Delete
                | HttpMethod::Options
        );
        let may_retry = self.max_retries > 0 && (idempotent || self.retry_safe);
        let keep = (self.call.refresh.is_some() || may_retry).then(|| outbound.clone());
        let mut result = self.send_once(outbound).await;
        let Some(original) = keep else {
            return result;
        };
        let mut refreshed = false;
        let mut retries = 0;
        loop {
            let Ok(response) = &result else { return result };
            if response.status == 401
                && !refreshed
                && let Some(refresh) = self.call.refresh.clone()
            {
                refreshed = true;
                let Some(rejected) = self.call.credential.clone() else {
                    return result;
                };
                let Some(fresh) = (refresh.0)(rejected).await else {
                    return result;
                };
                self.upstream_statuses.push(401);
                self.call.credential = Some(fresh);
            } else if matches!(response.status, 429 | 503)
                && may_retry
                && retries < self.max_retries
            {
                let Some(wait) = response
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                else {
                    return result;
                };
                let delay =
                    Duration::from_secs(wait) + Duration::from_millis(rand::random::<u64>() % 250);
                if Instant::now() + delay >= self.deadline {
                    return result;
                }
                retries += 1;
                self.upstream_statuses.push(response.status);
                tokio::time::sleep(delay).await;
            } else {
                return result;
            }
            result = self.send_once(original.clone()).await;
        }
    }

    /// One request; owns what it needs, so no borrow of the (non-`Sync`) state crosses an await.
    fn send_once(
        &self,
        outbound: OutboundRequest,
    ) -> impl Future<Output = Result<InboundResponse, EgressError>> + Send + 'static {
        let (egress, grant) = (self.egress.clone(), self.grant.clone());
        let (credential, deadline) = (self.call.credential.clone(), self.deadline);
        async move {
            egress
                .send(&grant, credential.as_ref(), outbound, Some(deadline))
                .await
        }
    }
}

impl log::Host for CallState {
    async fn log(&mut self, level: log::Level, message: String) {
        let level = match level {
            log::Level::Trace => PluginLogLevel::Trace,
            log::Level::Debug => PluginLogLevel::Debug,
            log::Level::Info => PluginLogLevel::Info,
            log::Level::Warn => PluginLogLevel::Warn,
            log::Level::Error => PluginLogLevel::Error,
        };
        self.log.write(&self.plugin_id, level, &message);
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

impl From<types::ActionError> for ActionError {
    fn from(error: types::ActionError) -> Self {
        match error {
            types::ActionError::InvalidInput(m) => ActionError::InvalidInput(m),
            types::ActionError::NotFound(m) => ActionError::NotFound(m),
            types::ActionError::Unauthorized(m) => ActionError::Unauthorized(m),
            types::ActionError::RateLimited(r) => ActionError::RateLimited {
                message: r.message,
                retry_after_seconds: r.retry_after_seconds,
            },
            types::ActionError::Upstream(u) => ActionError::Upstream {
                status: u.status,
                message: u.message,
                body: u.body,
            },
            types::ActionError::Internal(m) => ActionError::Internal(m),
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
        Some(crate::capability::log::truncate(line, 500).to_string())
    }

    pub fn flush_to_log(&self, plugin: &str) {
        let captured = self.0.lock().expect("stderr lock");
        if captured.bytes.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&captured.bytes);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
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
