//! The HTTP capability: the only way a plugin reaches the network.
//!
//! Every request goes through [`Egress::send`], in this order (the order matters: Spin once
//! injected before checking and leaked credentials, spin#3016):
//! 1. the URL's origin (scheme, host, port) must be one the plugin declared (after operator
//!    policy narrowed the list) — otherwise [`EgressError::Denied`] and nothing leaves the host;
//! 2. headers the host owns (`authorization`, `cookie`, `proxy-*`, `host`, the API-key header,
//!    hop-by-hop headers) are refused;
//! 3. the operator's upstream override may rewrite the origin (and a path prefix);
//! 4. the user's credential is injected as the provider's auth kind says;
//! 5. the request is sent under a timeout; redirects are followed only within the same origin;
//!    the response body is read up to a size cap.
//!
//! [`Egress::send_recovering`] adds what a call does about an upstream's refusal: a fresh
//! credential after a 401 (through [`RefreshCredential`], the OAuth refresh), waiting out a
//! 429/503 that says `Retry-After`; and it tells a [`RequestLog`] about every request that
//! leaves the host, for the call's audit.
//!
//! Every address a request is sent to is checked, whatever form the URL used: an IP literal
//! (`127.1`, `2130706433`, `[::ffff:127.0.0.1]`, all normalised by the URL parser) before the
//! request is built, and every DNS answer by [`GuardedResolver`]. Loopback, private, link-local,
//! shared (CGNAT), multicast, broadcast, reserved and documentation ranges, and IPv6 forms that
//! embed such an IPv4 address, are refused ([`non_public_reason`]). Only an operator opens one:
//! an upstream override's target or an `allow_private_origins` entry, each exactly its scheme,
//! host and port, and such requests go through a client of their own.
//!
//! The credential never reaches the plugin: every form of it the host injected (and its obvious
//! encodings) is removed from the response's headers and body before the plugin sees them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use url::Url;

use crate::credentials::SecretString;
use crate::manifest::{CredentialPlacement, OperatorKey};
use crate::origin::{GuardedResolver, Origin, PrivateAddressRefused, literal_refusal};
use crate::quote::{QUOTE_LIMIT, clip};

/// One origin a plugin may call, and whether its requests carry the user's credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginGrant {
    pub origin: Origin,
    pub credentials: bool,
    /// Resolved from an account's value rather than declared as it is: never one of the
    /// operator's opened private origins (an operator's rewrite of it still applies).
    pub from_account: bool,
}

/// What one plugin may do on the network, after operator policy narrowed it.
#[derive(Debug, Clone)]
pub struct EgressGrant {
    pub plugin_id: String,
    pub origins: Vec<OriginGrant>,
    pub placement: CredentialPlacement,
    /// The operator's part of a two-part key and its value (the connection's client id), sent
    /// beside the credential; `Some((key, None))` when the operator has not configured it.
    pub operator_key: Option<(OperatorKey, Option<String>)>,
    /// Why templated origins are not in `origins` for this call (named when one is refused).
    pub unresolved: Vec<String>,
    /// The other credential's header (contract 0.4): on an account's requests the operator
    /// credential's, on the operator's the account credential's. The host owns both headers on
    /// every request, whichever credential it carries.
    pub operator_header: Option<String>,
}

impl EgressGrant {
    /// The grant a request to `origin` goes under: its own origin's, else a wildcard origin
    /// covering it (which never carries the credential).
    fn find(&self, origin: &Origin) -> Option<&OriginGrant> {
        if origin.host.contains('*') {
            return None;
        }
        self.origins
            .iter()
            .find(|g| &g.origin == origin)
            .or_else(|| self.origins.iter().find(|g| g.origin.covers(origin)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
}

impl HttpMethod {
    fn as_http(self) -> http::Method {
        match self {
            HttpMethod::Get => http::Method::GET,
            HttpMethod::Head => http::Method::HEAD,
            HttpMethod::Post => http::Method::POST,
            HttpMethod::Put => http::Method::PUT,
            HttpMethod::Patch => http::Method::PATCH,
            HttpMethod::Delete => http::Method::DELETE,
            HttpMethod::Options => http::Method::OPTIONS,
        }
    }
}

/// A request as the plugin asked for it.
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// `Bytes`, so a request kept for a resend (refresh, `Retry-After`) shares its body.
    pub body: Option<Bytes>,
}

/// A response as the plugin receives it.
#[derive(Debug, Clone)]
pub struct InboundResponse {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Statuses of the same-origin redirects followed on the way (each was a request).
    pub redirects: Vec<u16>,
}

impl InboundResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request did not produce a response. Messages never contain a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    #[error("{0}")]
    Denied(String),
    #[error("header {0:?} is set by the host and may not be set by a plugin")]
    ForbiddenHeader(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("not connected: {0}")]
    NotConnected(String),
    #[error("the upstream did not answer in time")]
    Timeout,
    #[error("the response body exceeds the cap of {0} bytes")]
    TooLarge(u64),
    #[error("transport error: {0}")]
    Transport(String),
}

/// Timeout and size caps for every upstream request.
#[derive(Debug, Clone, Copy)]
pub struct EgressLimits {
    pub timeout: Duration,
    pub max_response_bytes: u64,
    /// Largest request body a plugin may send (`[limits] http_request_mib`).
    pub max_request_bytes: u64,
}

impl Default for EgressLimits {
    fn default() -> Self {
        EgressLimits {
            timeout: Duration::from_secs(20),
            max_response_bytes: 8 * 1024 * 1024,
            max_request_bytes: 16 * 1024 * 1024,
        }
    }
}

/// One rewrite of `ACTIONHOST_UPSTREAM_OVERRIDES`: requests whose URL starts with `from` go to
/// `to` instead (origin and optional path prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamOverride {
    from: Origin,
    from_prefix: String,
    /// `to` and its path prefix, as the start of every rewritten URL.
    to: String,
}

/// Why `ACTIONHOST_UPSTREAM_OVERRIDES` could not be read; names the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OverrideError(String);

/// The operator's origin rewrites, applied after the allowlist check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamOverrides(Vec<UpstreamOverride>);

impl UpstreamOverrides {
    /// Parses `https://api.github.com=http://127.0.0.1:9001,https://slack.com/api=http://127.0.0.1:4010`.
    pub fn parse(text: &str) -> Result<Self, OverrideError> {
        let mut rules = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (from, to) = entry
                .split_once('=')
                .ok_or_else(|| OverrideError(format!("{entry:?} is not FROM=TO")))?;
            let (from, from_prefix) = split_prefix(from.trim())?;
            let (to, to_prefix) = split_prefix(to.trim())?;
            rules.push(UpstreamOverride {
                from,
                from_prefix,
                to: format!("{to}{to_prefix}"),
            });
        }
        // The longest prefix wins when several rules match one origin.
        rules.sort_by_key(|r| std::cmp::Reverse(r.from_prefix.len()));
        Ok(UpstreamOverrides(rules))
    }

    /// The rewritten URL, if a rule matches.
    pub fn apply(&self, url: &Url) -> Option<Url> {
        self.apply_at(url, &Origin::of(url).ok()?)
    }

    /// [`Self::apply`] for a URL whose origin is known.
    fn apply_at(&self, url: &Url, origin: &Origin) -> Option<Url> {
        if self.0.is_empty() {
            return None;
        }
        let rule = self
            .0
            .iter()
            .find(|r| r.from == *origin && path_has_prefix(url.path(), &r.from_prefix))?;
        let rest = &url.path()[rule.from_prefix.len()..];
        let query = url.query();
        let mut target =
            String::with_capacity(rule.to.len() + rest.len() + query.map_or(0, |q| q.len() + 1));
        target.push_str(&rule.to);
        target.push_str(rest);
        if let Some(query) = query {
            target.push('?');
            target.push_str(query);
        }
        Url::parse(&target).ok()
    }
}

fn path_has_prefix(path: &str, prefix: &str) -> bool {
    path.starts_with(prefix)
        && (path.len() == prefix.len()
            || prefix.is_empty()
            || path[prefix.len()..].starts_with('/'))
}

fn split_prefix(text: &str) -> Result<(Origin, String), OverrideError> {
    let url = Url::parse(text).map_err(|e| OverrideError(format!("{text:?} is not a URL: {e}")))?;
    let origin = Origin::of(&url).map_err(|e| OverrideError(e.to_string()))?;
    let prefix = url.path().trim_end_matches('/').to_string();
    Ok((origin, prefix))
}

/// A pooled HTTP/1.1 client over TCP or TLS (webpki roots, ring), resolving names with `R`.
type PooledClient<R> = Client<hyper_rustls::HttpsConnector<HttpConnector<R>>, Full<Bytes>>;

/// The shared clients and the rules every plugin request passes through.
///
/// The clients are hyper-util's pooled client with rustls, not reqwest: the capability does its
/// own redirects, deadlines and body cap, and reqwest's layers around the same hyper client
/// (URL conversions, redirect and retry services) cost about 12 µs of CPU per request
/// (`cargo bench -p actionhost-e2e --bench outbound`).
pub struct Egress {
    /// For every request to an origin no operator opened: its resolver refuses non-public
    /// answers.
    guarded: PooledClient<GuardedResolver>,
    /// Only for the exact origins an operator opened (override targets, `open_origins`).
    opened: PooledClient<hyper_util::client::legacy::connect::dns::GaiResolver>,
    overrides: UpstreamOverrides,
    /// `allow_private_origins`: origins an operator lets plugins reach although they are
    /// private (an internal GitLab, say).
    open_origins: Vec<Origin>,
    limits: EgressLimits,
    /// Scrubbers by credential, so the forms of a credential are worked out and compiled once,
    /// not on every response (that cost ~15 µs of CPU per request).
    scrubbers: quick_cache::sync::Cache<(CredentialPlacement, SecretString), Arc<SecretScrubber>>,
}

/// A key of [`Egress`]'s scrubbers, borrowed; hashes as the owned pair does.
struct ScrubberKey<'a>(&'a CredentialPlacement, &'a SecretString);

impl std::hash::Hash for ScrubberKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.0, self.1).hash(state);
    }
}

impl quick_cache::Equivalent<(CredentialPlacement, SecretString)> for ScrubberKey<'_> {
    fn equivalent(&self, key: &(CredentialPlacement, SecretString)) -> bool {
        *self.0 == key.0 && *self.1 == key.1
    }
}

const MAX_REDIRECTS: usize = 5;
/// Credentials whose scrubbers are kept (least recently used go first).
const SCRUBBERS: usize = 256;

/// Where a request goes after the allowlist and the operator's rewrite.
struct Target {
    url: Url,
    /// An operator named exactly this origin, so it may be a private address.
    opened: bool,
}

/// The HTTP client could not be built (TLS configuration).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct EgressSetupError(#[source] rustls::Error);

/// A pooled client that connects through `resolver`: HTTP/1.1 only (as before: no request a
/// plugin makes needs more), `TCP_NODELAY` (a request is written whole; Nagle would hold its
/// last segment for the server's delayed ACK), idle connections kept 90 s.
fn pooled_client<R>(resolver: R, tls: rustls::ClientConfig) -> PooledClient<R>
where
    R: tower::Service<hyper_util::client::legacy::connect::dns::Name>
        + Clone
        + Send
        + Sync
        + 'static,
    R::Response: Iterator<Item = std::net::SocketAddr>,
    R::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    R::Future: Send,
{
    let mut tcp = HttpConnector::new_with_resolver(resolver);
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp);
    Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_timer(hyper_util::rt::TokioTimer::new())
        .build(connector)
}

/// TLS for plugins' requests: ring, TLS 1.2 and 1.3, Mozilla's roots (webpki-roots) and any
/// `extra_roots` an operator trusts besides them (an internal CA).
fn tls_config(
    extra_roots: &[rustls::pki_types::CertificateDer<'static>],
) -> Result<rustls::ClientConfig, EgressSetupError> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for root in extra_roots {
        roots.add(root.clone()).map_err(EgressSetupError)?;
    }
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(EgressSetupError)?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

/// The certificates of an operator's `ca_file` (PEM): the CAs trusted besides Mozilla's roots,
/// for plugins' requests and the host's own (OAuth, the identity provider's key set). Every
/// certificate in the text, in order, each checked to be usable as a root; anything else in the
/// file (a key, a request) is ignored. The message names the certificate that is wrong.
pub fn read_roots(pem: &[u8]) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = Vec::new();
    for (n, certificate) in rustls::pki_types::CertificateDer::pem_slice_iter(pem).enumerate() {
        let certificate =
            certificate.map_err(|e| format!("certificate {} is not valid PEM: {e}", n + 1))?;
        rustls::RootCertStore::empty()
            .add(certificate.clone())
            .map_err(|e| format!("certificate {} cannot be a trusted root: {e}", n + 1))?;
        roots.push(certificate);
    }
    if roots.is_empty() {
        return Err("holds no certificate (a PEM block \"-----BEGIN CERTIFICATE-----\")".into());
    }
    Ok(roots)
}

/// [`read_roots`] of the file at `path`; the message says what is wrong with it (without the
/// path, which the caller names as the setting it came from).
pub fn read_ca_file(
    path: &std::path::Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    read_roots(&pem)
}

/// Sent on every plugin request.
const USER_AGENT: &str = concat!("actionhost/", env!("CARGO_PKG_VERSION"));

impl Egress {
    pub fn new(
        overrides: UpstreamOverrides,
        limits: EgressLimits,
    ) -> Result<Self, EgressSetupError> {
        Self::with_roots(overrides, limits, &[])
    }

    /// Like [`Egress::new`], trusting `extra_roots` besides Mozilla's roots for TLS.
    pub fn with_roots(
        overrides: UpstreamOverrides,
        limits: EgressLimits,
        extra_roots: &[rustls::pki_types::CertificateDer<'static>],
    ) -> Result<Self, EgressSetupError> {
        let tls = tls_config(extra_roots)?;
        Ok(Egress {
            guarded: pooled_client(GuardedResolver, tls.clone()),
            opened: pooled_client(
                hyper_util::client::legacy::connect::dns::GaiResolver::new(),
                tls,
            ),
            overrides,
            open_origins: Vec::new(),
            limits,
            scrubbers: quick_cache::sync::Cache::new(SCRUBBERS),
        })
    }

    /// Lets plugins reach exactly these origins although they are private addresses.
    pub fn with_open_origins(mut self, origins: Vec<Origin>) -> Self {
        self.open_origins = origins;
        self
    }

    pub fn limits(&self) -> EgressLimits {
        self.limits
    }

    /// Sends one plugin request. `deadline` is the calling action's wall-clock deadline.
    pub async fn send(
        &self,
        grant: &EgressGrant,
        credential: Option<&SecretString>,
        request: &OutboundRequest,
        deadline: Option<Instant>,
    ) -> Result<InboundResponse, EgressError> {
        let url = Url::parse(&request.url).map_err(|e| {
            EgressError::InvalidRequest(format!(
                "{:?} is not a URL: {e}",
                clip(&request.url, QUOTE_LIMIT)
            ))
        })?;
        let origin = Origin::of(&url).map_err(|e| EgressError::InvalidRequest(e.to_string()))?;
        let Some(origin_grant) = grant.find(&origin) else {
            let mut message = format!(
                "origin {} is not declared by plugin {} (or the operator's policy removed it)",
                clip(&origin.to_string(), QUOTE_LIMIT),
                grant.plugin_id
            );
            for why in &grant.unresolved {
                message.push_str("; ");
                message.push_str(why);
            }
            return Err(EgressError::Denied(message));
        };
        let operator_key = grant.operator_key.as_ref().map(|(key, _)| key);
        let headers = plugin_headers(&request.headers, grant)?;
        let query_owned = [
            match &grant.placement {
                CredentialPlacement::Query { name, .. } => Some(name),
                _ => None,
            },
            operator_key.filter(|k| k.query).map(|k| &k.name),
        ];
        for name in query_owned.into_iter().flatten() {
            if url.query_pairs().any(|(key, _)| key == name.as_str()) {
                return Err(EgressError::InvalidRequest(format!(
                    "query parameter {:?} carries the credential and is set by the host",
                    clip(name, QUOTE_LIMIT)
                )));
            }
        }
        let body_len = request.body.as_ref().map_or(0, Bytes::len) as u64;
        if body_len > self.limits.max_request_bytes {
            return Err(EgressError::InvalidRequest(format!(
                "the request body is {body_len} bytes, over the cap of {} bytes",
                self.limits.max_request_bytes
            )));
        }

        let inject = origin_grant.credentials && grant.placement != CredentialPlacement::None;
        let credential = match (inject, credential) {
            (true, Some(secret)) => Some(secret),
            (true, None) => {
                return Err(EgressError::NotConnected(format!(
                    "no credential for {} is available for this call",
                    grant.plugin_id
                )));
            }
            (false, _) => None,
        };
        let operator = match (&grant.operator_key, credential.is_some()) {
            (Some((key, Some(value))), true) => Some((key, value.as_str())),
            (Some((_, None)), true) => {
                return Err(EgressError::NotConnected(format!(
                    "the operator has not configured the {} connection (its client id is the \
                     application key sent with every request)",
                    grant.plugin_id
                )));
            }
            _ => None,
        };
        let target = self.target(url, &origin, origin_grant.from_account)?;

        let mut timeout = self.limits.timeout;
        if let Some(deadline) = deadline {
            timeout = timeout.min(deadline.saturating_duration_since(Instant::now()));
        }
        let exchange = self.exchange(
            target,
            request.method,
            headers,
            request.body.clone(),
            Injection {
                placement: &grant.placement,
                credential,
                operator,
            },
        );
        let mut response = match crate::deadline::limit(timeout, exchange).await {
            Ok(result) => result?,
            Err(_) => return Err(EgressError::Timeout),
        };
        if let Some(secret) = credential {
            if let Some(encoding) = response
                .header("content-encoding")
                .filter(|e| !e.trim().eq_ignore_ascii_case("identity"))
            {
                return Err(EgressError::Transport(format!(
                    "the upstream answered with Content-Encoding {:?}, which the host cannot check \
                     for the credential it sent; the answer is refused",
                    clip(encoding, 40)
                )));
            }
            self.scrubber(&grant.placement, secret).scrub(&mut response);
        }
        Ok(response)
    }

    /// The scrubber of `secret` sent as `placement`, made once and kept.
    fn scrubber(
        &self,
        placement: &CredentialPlacement,
        secret: &SecretString,
    ) -> Arc<SecretScrubber> {
        // Looked up by reference: the credential is copied only into a new entry.
        match self.scrubbers.get(&ScrubberKey(placement, secret)) {
            Some(scrubber) => scrubber,
            None => {
                let scrubber = Arc::new(SecretScrubber::new(placement, secret));
                self.scrubbers
                    .insert((placement.clone(), secret.clone()), scrubber.clone());
                scrubber
            }
        }
    }

    /// Applies the operator's rewrite, then refuses a non-public IP literal no operator opened
    /// (host names are checked by the guarded client's resolver, at every DNS answer).
    fn target(&self, url: Url, origin: &Origin, from_account: bool) -> Result<Target, EgressError> {
        let (url, opened) = match self.overrides.apply_at(&url, origin) {
            Some(rewritten) => (rewritten, true),
            None => (url, !from_account && self.open_origins.contains(origin)),
        };
        if !opened && let Some(refusal) = literal_refusal(&url) {
            return Err(EgressError::Denied(refusal));
        }
        Ok(Target { url, opened })
    }

    async fn exchange(
        &self,
        target: Target,
        mut method: HttpMethod,
        mut headers: HeaderMap,
        mut body: Option<Bytes>,
        injection: Injection<'_>,
    ) -> Result<InboundResponse, EgressError> {
        // Defaults a plugin may replace (GitHub wants its own User-Agent): what the client sent
        // before, which plugins may rely on.
        headers
            .entry(http::header::USER_AGENT)
            .or_insert(HeaderValue::from_static(USER_AGENT));
        headers
            .entry(http::header::ACCEPT)
            .or_insert(HeaderValue::from_static("*/*"));
        let mut url = target.url;
        let mut redirects = Vec::new();
        for _ in 0..=MAX_REDIRECTS {
            let mut send_url = url.clone();
            let mut send_headers = headers.clone();
            if let Some(secret) = injection.credential {
                inject(
                    injection.placement,
                    secret,
                    &mut send_url,
                    &mut send_headers,
                )?;
                if let Some((key, value)) = injection.operator {
                    inject_operator_key(key, value, &mut send_url, &mut send_headers)?;
                }
            }
            let uri: http::Uri = send_url.as_str().parse().map_err(|_| {
                EgressError::InvalidRequest(format!(
                    "{:?} is not a URL the HTTP client accepts",
                    clip(url.as_str(), QUOTE_LIMIT)
                ))
            })?;
            let mut request = http::Request::new(Full::new(body.clone().unwrap_or_default()));
            *request.method_mut() = method.as_http();
            *request.uri_mut() = uri;
            *request.headers_mut() = send_headers;
            let response = if target.opened {
                self.opened.request(request).await
            } else {
                self.guarded.request(request).await
            }
            .map_err(|e| transport_error(e.into()))?;
            let status = response.status();
            // Only within the same origin, so the address check made for it still holds.
            if status.is_redirection()
                && let Some(next) = same_origin_location(&url, response.headers())
            {
                // 303, and 301/302 after a POST, turn into a GET without a body (as browsers do).
                if status.as_u16() == 303
                    || (matches!(status.as_u16(), 301 | 302) && method == HttpMethod::Post)
                {
                    method = HttpMethod::Get;
                    body = None;
                }
                url = next;
                redirects.push(status.as_u16());
                continue;
            }
            let mut answer = self.read_response(response).await?;
            answer.redirects = redirects;
            return Ok(answer);
        }
        Err(EgressError::Transport(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    async fn read_response(
        &self,
        response: http::Response<hyper::body::Incoming>,
    ) -> Result<InboundResponse, EgressError> {
        let cap = self.limits.max_response_bytes;
        let declared = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|len| len > cap) {
            return Err(EgressError::TooLarge(cap));
        }
        let (parts, mut incoming) = response.into_parts();
        let headers = parts
            .headers
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
            })
            .collect();
        let mut body = Vec::with_capacity(declared.unwrap_or(0) as usize);
        while let Some(frame) = incoming.frame().await {
            let frame = frame.map_err(|e| transport_error(e.into()))?;
            if let Ok(chunk) = frame.into_data() {
                if body.len() as u64 + chunk.len() as u64 > cap {
                    return Err(EgressError::TooLarge(cap));
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(InboundResponse {
            status: parts.status.as_u16(),
            headers,
            body,
            redirects: Vec::new(),
        })
    }
}

/// Replaces a credential the upstream refused (OAuth refresh), or says there is none.
pub trait RefreshCredential: Send + Sync {
    fn refresh(
        &self,
        rejected: SecretString,
    ) -> std::pin::Pin<Box<dyn Future<Output = Option<SecretString>> + Send + '_>>;
}

/// Told about every request that leaves the host: the call's audit counts them.
pub trait RequestLog: Send + Sync {
    /// A request is about to be sent; returns its number.
    fn sending(&self) -> usize;
    /// Request `number` got `status`, or no answer (`None`: timeout, transport failure).
    fn answered(&self, number: usize, status: Option<u16>);
    /// Request `number` was refused before it left the host after all.
    fn not_sent(&self, number: usize);
}

/// One call's credential and what it may do when the upstream refuses a request.
#[derive(Clone, Default)]
pub struct Recovery {
    pub credential: Option<SecretString>,
    /// Gets a new credential after a 401; used once per request.
    pub refresher: Option<Arc<dyn RefreshCredential>>,
    /// Resends after a 429/503 that says `Retry-After`.
    pub max_retries: u32,
    /// The action is read-only or idempotent, so even a POST may be resent.
    pub retry_safe: bool,
}

impl std::fmt::Debug for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recovery")
            .field("credential", &self.credential.as_ref().map(|_| "[set]"))
            .field("refresher", &self.refresher.is_some())
            .field("max_retries", &self.max_retries)
            .field("retry_safe", &self.retry_safe)
            .finish()
    }
}

impl Egress {
    /// Sends one request for a call, then: after a 401, refreshes the credential once and
    /// resends; after a 429/503 that says `Retry-After`, waits (jittered) and resends, at most
    /// `max_retries` times, within the call's deadline, and only for idempotent methods or
    /// actions marked safe to retry. A refreshed credential stays in `recovery` for the call's
    /// later requests.
    pub async fn send_recovering(
        &self,
        grant: &EgressGrant,
        recovery: &mut Recovery,
        request: OutboundRequest,
        deadline: Instant,
        log: &dyn RequestLog,
    ) -> Result<InboundResponse, EgressError> {
        let idempotent = matches!(
            request.method,
            HttpMethod::Get
                | HttpMethod::Head
                | HttpMethod::Put
                | HttpMethod::Delete
                | HttpMethod::Options
        );
        let may_retry = recovery.max_retries > 0 && (idempotent || recovery.retry_safe);
        let mut result = self
            .send_logged(grant, recovery.credential.as_ref(), &request, deadline, log)
            .await;
        if recovery.refresher.is_none() && !may_retry {
            return result;
        }
        let mut refreshed = false;
        let mut retries = 0;
        loop {
            let Ok(response) = &result else { return result };
            if response.status == 401
                && !refreshed
                && let Some(refresher) = recovery.refresher.clone()
            {
                refreshed = true;
                let Some(rejected) = recovery.credential.clone() else {
                    return result;
                };
                let Some(fresh) = refresher.refresh(rejected).await else {
                    return result;
                };
                recovery.credential = Some(fresh);
            } else if matches!(response.status, 429 | 503)
                && may_retry
                && retries < recovery.max_retries
            {
                let Some(wait) = response
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                else {
                    return result;
                };
                // Any wait longer than what is left of the call is not waited (and no sum of an
                // upstream's number and the clock can overflow).
                let delay = Duration::from_secs(wait.min(24 * 60 * 60))
                    + Duration::from_millis(rand::random::<u64>() % 250);
                if delay >= deadline.saturating_duration_since(Instant::now()) {
                    return result;
                }
                retries += 1;
                tokio::time::sleep(delay).await;
            } else {
                return result;
            }
            result = self
                .send_logged(grant, recovery.credential.as_ref(), &request, deadline, log)
                .await;
        }
    }

    /// One request, told to `log` from before it is sent (a request cut off by the deadline
    /// counts, with no status); one refused before it left the host is taken back.
    async fn send_logged(
        &self,
        grant: &EgressGrant,
        credential: Option<&SecretString>,
        request: &OutboundRequest,
        deadline: Instant,
        log: &dyn RequestLog,
    ) -> Result<InboundResponse, EgressError> {
        let number = log.sending();
        let result = self.send(grant, credential, request, Some(deadline)).await;
        match &result {
            Ok(response) => {
                // Each redirect followed was a request of its own; the last one is this answer.
                let mut statuses = response.redirects.iter().chain([&response.status]);
                log.answered(number, statuses.next().copied());
                for status in statuses {
                    let hop = log.sending();
                    log.answered(hop, Some(*status));
                }
            }
            Err(EgressError::Timeout | EgressError::TooLarge(_) | EgressError::Transport(_)) => {
                log.answered(number, None)
            }
            Err(_) => log.not_sent(number),
        }
        result
    }
}

/// What replaces the credential wherever a response repeats it.
pub const REDACTED: &str = "[redacted by actionhost]";

/// Finds the injected credential in what an upstream answered: the secret as sent, and the
/// forms a server could echo it in (percent-encoded in upper or lower case, form-encoded,
/// JSON-escaped, `\u`-escaped, base64 of the secret and of the whole header value, as Basic auth
/// carries it). The forms are compiled into one Aho-Corasick automaton, so a response and each of
/// its headers is read once, not once per form. Building it costs tens of µs, so the host keeps
/// one per credential (the most recently used 256, [`Egress`]'s cache), not one per response.
pub struct SecretScrubber {
    /// Every form; where two overlap the longer one is replaced.
    forms: aho_corasick::AhoCorasick,
}

impl SecretScrubber {
    pub fn new(placement: &CredentialPlacement, secret: &SecretString) -> Self {
        let secret = secret.expose();
        let sent = match placement {
            CredentialPlacement::Bearer => format!("Bearer {secret}"),
            CredentialPlacement::Header { prefix, .. }
            | CredentialPlacement::Query { prefix, .. } => format!("{prefix}{secret}"),
            CredentialPlacement::Basic => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(secret)
            ),
            CredentialPlacement::None => secret.to_string(),
        };
        // With Basic, the password alone is secret too (the username is not).
        let password = match placement {
            CredentialPlacement::Basic => secret.split_once(':').map(|(_, p)| p),
            _ => None,
        };
        let mut forms: Vec<String> = Vec::new();
        for text in [secret, sent.as_str()]
            .into_iter()
            .chain(password.filter(|p| p.len() >= 4))
        {
            forms.push(text.to_string());
            forms.push(url::form_urlencoded::byte_serialize(text.as_bytes()).collect());
            let percent =
                percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            forms.push(lowercase_hex_escapes(&percent));
            forms.push(percent);
            let json = serde_json::to_string(text).unwrap_or_default();
            let json = json.trim_matches('"');
            forms.push(json.to_string());
            forms.push(json.replace('/', "\\/"));
            forms.push(unicode_escaped(text, false));
            forms.push(unicode_escaped(text, true));
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE,
                &base64::engine::general_purpose::STANDARD_NO_PAD,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ] {
                forms.push(engine.encode(text));
            }
        }
        let mut forms: Vec<Vec<u8>> = forms
            .into_iter()
            .filter(|f| !f.is_empty())
            .map(String::into_bytes)
            .collect();
        forms.sort();
        forms.dedup();
        // A contiguous NFA: built in tens of µs with a few KB (a DFA takes ~166 µs and hundreds
        // of KB per credential), and still one pass over the text.
        let forms = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&forms)
            .expect("a few literal patterns of bounded length always compile");
        SecretScrubber { forms }
    }

    /// Replaces every form of the credential in `text`; `None` when there was none.
    pub fn scrub_bytes(&self, text: &[u8]) -> Option<Vec<u8>> {
        if !self.forms.is_match(text) {
            return None;
        }
        let mut out = Vec::with_capacity(text.len());
        self.forms
            .replace_all_with_bytes(text, &mut out, |_, _, dst| {
                dst.extend_from_slice(REDACTED.as_bytes());
                true
            });
        Some(out)
    }

    fn scrub(&self, response: &mut InboundResponse) {
        if let Some(clean) = self.scrub_bytes(&response.body) {
            response.body = clean;
        }
        for (_, value) in &mut response.headers {
            if let Some(clean) = self.scrub_bytes(value.as_bytes()) {
                *value = String::from_utf8_lossy(&clean).into_owned();
            }
        }
    }
}

/// `%2F` → `%2f`: some servers echo percent-encoding in lower case.
fn lowercase_hex_escapes(percent: &str) -> String {
    let mut out = String::with_capacity(percent.len());
    let mut chars = percent.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
        }
    }
    out
}

/// Every character but ASCII letters and digits as a JSON `\uXXXX` escape, as some JSON
/// encoders write `+`, `&` or `/`.
fn unicode_escaped(text: &str, lower: bool) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let escaped = format!("\\u{unit:04X}");
                out.push_str(&if lower {
                    escaped.to_ascii_lowercase()
                } else {
                    escaped
                });
            }
        }
    }
    out
}

/// Headers a plugin may never set: the host owns them.
fn is_host_owned(name: &str, grant: &EgressGrant) -> bool {
    const OWNED: &[&str] = &[
        "authorization",
        "cookie",
        // Encoded or partial answers could carry the credential past the scrubber.
        "accept-encoding",
        "range",
        "if-range",
        "host",
        "connection",
        "content-length",
        "transfer-encoding",
        "te",
        "upgrade",
        "keep-alive",
    ];
    let lower = name.to_ascii_lowercase();
    OWNED.contains(&lower.as_str())
        || lower.starts_with("proxy-")
        || matches!(&grant.placement, CredentialPlacement::Header { name: key, .. } if key.eq_ignore_ascii_case(&lower))
        || grant
            .operator_key
            .as_ref()
            .is_some_and(|(k, _)| !k.query && k.name.eq_ignore_ascii_case(&lower))
        || grant
            .operator_header
            .as_ref()
            .is_some_and(|h| h.eq_ignore_ascii_case(&lower))
}

fn plugin_headers(
    headers: &[(String, String)],
    grant: &EgressGrant,
) -> Result<HeaderMap, EgressError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let quoted = clip(name, QUOTE_LIMIT);
        if is_host_owned(name, grant) {
            return Err(EgressError::ForbiddenHeader(quoted.to_ascii_lowercase()));
        }
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            EgressError::InvalidRequest(format!("{quoted:?} is not a valid header name"))
        })?;
        let header_value = HeaderValue::from_str(value).map_err(|_| {
            EgressError::InvalidRequest(format!("the value of header {quoted:?} is not valid"))
        })?;
        map.append(header_name, header_value);
    }
    Ok(map)
}

/// What the host adds to a request: the account's credential and the operator's key part.
struct Injection<'a> {
    placement: &'a CredentialPlacement,
    credential: Option<&'a SecretString>,
    operator: Option<(&'a OperatorKey, &'a str)>,
}

fn inject_operator_key(
    key: &OperatorKey,
    value: &str,
    url: &mut Url,
    headers: &mut HeaderMap,
) -> Result<(), EgressError> {
    if key.query {
        url.query_pairs_mut().append_pair(&key.name, value);
    } else {
        let invalid =
            || EgressError::InvalidRequest("the operator key is not a valid header".into());
        let name = HeaderName::from_bytes(key.name.as_bytes()).map_err(|_| invalid())?;
        headers.insert(name, HeaderValue::from_str(value).map_err(|_| invalid())?);
    }
    Ok(())
}

fn inject(
    placement: &CredentialPlacement,
    secret: &SecretString,
    url: &mut Url,
    headers: &mut HeaderMap,
) -> Result<(), EgressError> {
    let invalid =
        || EgressError::InvalidRequest("the stored credential is not a valid header value".into());
    match placement {
        CredentialPlacement::None => {}
        CredentialPlacement::Bearer => {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", secret.expose()))
                .map_err(|_| invalid())?;
            value.set_sensitive(true);
            headers.insert(http::header::AUTHORIZATION, value);
        }
        CredentialPlacement::Header { name, prefix } => {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
            let mut value = HeaderValue::from_str(&format!("{prefix}{}", secret.expose()))
                .map_err(|_| invalid())?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        CredentialPlacement::Query { name, prefix } => {
            url.query_pairs_mut()
                .append_pair(name, &format!("{prefix}{}", secret.expose()));
        }
        CredentialPlacement::Basic => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(secret.expose());
            let mut value =
                HeaderValue::from_str(&format!("Basic {encoded}")).map_err(|_| invalid())?;
            value.set_sensitive(true);
            headers.insert(http::header::AUTHORIZATION, value);
        }
    }
    Ok(())
}

fn same_origin_location(current: &Url, headers: &HeaderMap) -> Option<Url> {
    let location = headers.get(http::header::LOCATION)?.to_str().ok()?;
    let next = current.join(location).ok()?;
    (Origin::of(&next).ok()? == Origin::of(current).ok()?).then_some(next)
}

/// Why a request got no answer, in words, with every cause (no URL: hyper's errors name none,
/// and a query-placed credential must never appear in one).
fn transport_error(error: Box<dyn std::error::Error + Send + Sync>) -> EgressError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&*error);
    let mut message = String::new();
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<PrivateAddressRefused>() {
            return EgressError::Denied(refused.to_string());
        }
        let text = err.to_string();
        // hyper-util repeats its cause in its own message ("client error (Connect)").
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
        source = err.source();
    }
    EgressError::Transport(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credentials_scrubber_is_made_once_and_finds_every_form_in_one_pass() {
        let egress = Egress::new(UpstreamOverrides::default(), EgressLimits::default()).unwrap();
        let secret = SecretString::new("s3cr/t+key");
        let first = egress.scrubber(&CredentialPlacement::Bearer, &secret);
        let again = egress.scrubber(&CredentialPlacement::Bearer, &secret);
        assert!(
            Arc::ptr_eq(&first, &again),
            "made again for the same credential"
        );
        let other = egress.scrubber(&CredentialPlacement::Bearer, &SecretString::new("other"));
        assert!(!Arc::ptr_eq(&first, &other));
        let basic = egress.scrubber(&CredentialPlacement::Basic, &secret);
        assert!(
            !Arc::ptr_eq(&first, &basic),
            "another placement has other forms"
        );

        // The longer form wins where forms overlap; every form is replaced; nothing else is.
        let text = br#"{"a":"Bearer s3cr/t+key","b":"s3cr%2Ft%2Bkey","c":"s3cr\/t+key","d":"czNjci90K2tleQ==","e":"keep"}"#;
        let clean = String::from_utf8(first.scrub_bytes(text).unwrap()).unwrap();
        assert_eq!(
            clean,
            format!(
                r#"{{"a":"{REDACTED}","b":"{REDACTED}","c":"{REDACTED}","d":"{REDACTED}","e":"keep"}}"#
            )
        );
        assert_eq!(first.scrub_bytes(b"nothing secret here"), None);
    }
}
