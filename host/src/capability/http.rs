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

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aho_corasick::AhoCorasick;
use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::{Host, Url};

use crate::capability::log::clip;
use crate::credentials::SecretString;

/// Longest piece of a plugin-supplied URL or header name quoted in an error or log line.
const QUOTE_LIMIT: usize = 200;

/// The scheme, host and port of a URL: the unit of the allowlist.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// Parses `scheme://host[:port]` (a path, query or user info is an error).
    pub fn parse(text: &str) -> Result<Self, String> {
        let quoted = clip(text, QUOTE_LIMIT);
        let url = Url::parse(text).map_err(|e| format!("{quoted:?} is not a URL: {e}"))?;
        if url.path() != "/" && !url.path().is_empty() || url.query().is_some() {
            return Err(format!(
                "{quoted:?} must be an origin (scheme://host[:port]) with no path"
            ));
        }
        Self::of(&url)
    }

    /// Why this origin's host is an address plugins may not reach on their own (an IP literal
    /// in a non-public range, or `localhost`), if it is one.
    pub fn private_reason(&self) -> Option<String> {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return non_public_reason(ip).map(|why| format!("{ip} is {why}"));
        }
        let name = host.trim_end_matches('.');
        (name == "localhost" || name.ends_with(".localhost"))
            .then(|| format!("{name} names this machine (loopback)"))
    }

    /// Whether the host is written as an IP address rather than a name.
    pub fn is_ip_literal(&self) -> bool {
        self.host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok()
    }

    /// The origin of an absolute http(s) URL.
    pub fn of(url: &Url) -> Result<Self, String> {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(format!(
                "scheme {scheme:?} is not allowed (only http and https)"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("URLs with user info are not allowed".into());
        }
        let host = url
            .host_str()
            .ok_or_else(|| format!("{} has no host", clip(url.as_str(), QUOTE_LIMIT)))?
            .to_ascii_lowercase();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| format!("{} has no port", clip(url.as_str(), QUOTE_LIMIT)))?;
        Ok(Origin {
            scheme: scheme.into(),
            host,
            port,
        })
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let default = matches!(
            (self.scheme.as_str(), self.port),
            ("http", 80) | ("https", 443)
        );
        if default {
            write!(f, "{}://{}", self.scheme, self.host)
        } else {
            write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
        }
    }
}

/// One origin a plugin may call, and whether its requests carry the user's credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginGrant {
    pub origin: Origin,
    pub credentials: bool,
}

/// Where the user's credential goes on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialPlacement {
    /// The provider needs no credential.
    None,
    /// `Authorization: Bearer <token>` (OAuth 2).
    Bearer,
    /// `name: prefix + key`.
    Header { name: String, prefix: String },
    /// `?name=prefix+key`.
    Query { name: String, prefix: String },
}

/// What one plugin may do on the network, after operator policy narrowed it.
#[derive(Debug, Clone)]
pub struct EgressGrant {
    pub plugin_id: String,
    pub origins: Vec<OriginGrant>,
    pub placement: CredentialPlacement,
}

impl EgressGrant {
    fn find(&self, origin: &Origin) -> Option<&OriginGrant> {
        self.origins.iter().find(|g| &g.origin == origin)
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
    fn as_reqwest(self) -> reqwest::Method {
        match self {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Head => reqwest::Method::HEAD,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
            HttpMethod::Options => reqwest::Method::OPTIONS,
        }
    }
}

/// A request as the plugin asked for it.
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// A response as the plugin receives it.
#[derive(Debug, Clone)]
pub struct InboundResponse {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
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
    to: Origin,
    to_prefix: String,
}

/// The operator's origin rewrites, applied after the allowlist check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamOverrides(Vec<UpstreamOverride>);

impl UpstreamOverrides {
    /// Parses `https://api.github.com=http://127.0.0.1:9001,https://slack.com/api=http://127.0.0.1:4010`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rules = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (from, to) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry:?} is not FROM=TO"))?;
            let (from, from_prefix) = split_prefix(from.trim())?;
            let (to, to_prefix) = split_prefix(to.trim())?;
            rules.push(UpstreamOverride {
                from,
                from_prefix,
                to,
                to_prefix,
            });
        }
        // The longest prefix wins when several rules match one origin.
        rules.sort_by_key(|r| std::cmp::Reverse(r.from_prefix.len()));
        Ok(UpstreamOverrides(rules))
    }

    /// The rewritten URL, if a rule matches.
    pub fn apply(&self, url: &Url) -> Option<Url> {
        let origin = Origin::of(url).ok()?;
        let rule = self
            .0
            .iter()
            .find(|r| r.from == origin && path_has_prefix(url.path(), &r.from_prefix))?;
        let rest = &url.path()[rule.from_prefix.len()..];
        let mut target = format!("{}{}{}", rule.to, rule.to_prefix, rest);
        if let Some(query) = url.query() {
            target.push('?');
            target.push_str(query);
        }
        Url::parse(&target).ok()
    }

    /// Whether `origin` is a target an operator named (so it may be a private address).
    pub fn is_target(&self, origin: &Origin) -> bool {
        self.0.iter().any(|r| &r.to == origin)
    }
}

fn path_has_prefix(path: &str, prefix: &str) -> bool {
    path.starts_with(prefix)
        && (path.len() == prefix.len()
            || prefix.is_empty()
            || path[prefix.len()..].starts_with('/'))
}

fn split_prefix(text: &str) -> Result<(Origin, String), String> {
    let url = Url::parse(text).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
    let origin = Origin::of(&url)?;
    let prefix = url.path().trim_end_matches('/').to_string();
    Ok((origin, prefix))
}

/// The shared clients and the rules every plugin request passes through.
pub struct Egress {
    /// For every request to an origin no operator opened: its resolver refuses non-public
    /// answers.
    guarded: reqwest::Client,
    /// Only for the exact origins an operator opened (override targets, `open_origins`).
    opened: reqwest::Client,
    overrides: UpstreamOverrides,
    /// `allow_private_origins`: origins an operator lets plugins reach although they are
    /// private (an internal GitLab, say).
    open_origins: Vec<Origin>,
    limits: EgressLimits,
}

const MAX_REDIRECTS: usize = 5;

/// Where a request goes after the allowlist and the operator's rewrite.
struct Target {
    url: Url,
    /// An operator named exactly this origin, so it may be a private address.
    opened: bool,
}

impl Egress {
    pub fn new(overrides: UpstreamOverrides, limits: EgressLimits) -> Result<Self, String> {
        let client = |guarded: bool| {
            let builder = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .pool_idle_timeout(Duration::from_secs(90))
                .user_agent(concat!("actionhost/", env!("CARGO_PKG_VERSION")));
            let builder = if guarded { guard(builder) } else { builder };
            builder
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {e}"))
        };
        Ok(Egress {
            guarded: client(true)?,
            opened: client(false)?,
            overrides,
            open_origins: Vec::new(),
            limits,
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
        request: OutboundRequest,
        deadline: Option<Instant>,
    ) -> Result<InboundResponse, EgressError> {
        let url = Url::parse(&request.url).map_err(|e| {
            EgressError::InvalidRequest(format!(
                "{:?} is not a URL: {e}",
                clip(&request.url, QUOTE_LIMIT)
            ))
        })?;
        let origin = Origin::of(&url).map_err(EgressError::InvalidRequest)?;
        let Some(origin_grant) = grant.find(&origin) else {
            return Err(EgressError::Denied(format!(
                "origin {} is not declared by plugin {} (or the operator's policy removed it)",
                clip(&origin.to_string(), QUOTE_LIMIT),
                grant.plugin_id
            )));
        };
        let headers = plugin_headers(&request.headers, &grant.placement)?;
        if let CredentialPlacement::Query { name, .. } = &grant.placement
            && url.query_pairs().any(|(key, _)| key == name.as_str())
        {
            return Err(EgressError::InvalidRequest(format!(
                "query parameter {name:?} carries the credential and is set by the host"
            )));
        }
        let body_len = request.body.as_ref().map_or(0, Vec::len) as u64;
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
        let target = self.target(url)?;

        let mut timeout = self.limits.timeout;
        if let Some(deadline) = deadline {
            timeout = timeout.min(deadline.saturating_duration_since(Instant::now()));
        }
        let exchange = self.exchange(
            target,
            request.method,
            headers,
            request.body,
            &grant.placement,
            credential,
        );
        let mut response = match crate::deadline::limit(timeout, exchange).await {
            Ok(result) => result?,
            Err(_) => return Err(EgressError::Timeout),
        };
        if let Some(secret) = credential {
            SecretScrubber::new(&grant.placement, secret).scrub(&mut response);
        }
        Ok(response)
    }

    /// Applies the operator's rewrite, then refuses a non-public IP literal no operator opened
    /// (host names are checked by the guarded client's resolver, at every DNS answer).
    fn target(&self, url: Url) -> Result<Target, EgressError> {
        let (url, opened) = match self.overrides.apply(&url) {
            Some(rewritten) => (rewritten, true),
            None => {
                let opened = Origin::of(&url).is_ok_and(|o| self.open_origins.contains(&o));
                (url, opened)
            }
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
        headers: HeaderMap,
        mut body: Option<Vec<u8>>,
        placement: &CredentialPlacement,
        credential: Option<&SecretString>,
    ) -> Result<InboundResponse, EgressError> {
        let client = if target.opened {
            &self.opened
        } else {
            &self.guarded
        };
        let mut url = target.url;
        for _ in 0..=MAX_REDIRECTS {
            let mut send_url = url.clone();
            let mut send_headers = headers.clone();
            if let Some(secret) = credential {
                inject(placement, secret, &mut send_url, &mut send_headers)?;
            }
            let mut builder = client
                .request(method.as_reqwest(), send_url)
                .headers(send_headers);
            if let Some(bytes) = &body {
                builder = builder.body(bytes.clone());
            }
            let response = builder.send().await.map_err(transport_error)?;
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
                continue;
            }
            return self.read_response(response).await;
        }
        Err(EgressError::Transport(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    async fn read_response(
        &self,
        mut response: reqwest::Response,
    ) -> Result<InboundResponse, EgressError> {
        let cap = self.limits.max_response_bytes;
        if response.content_length().is_some_and(|len| len > cap) {
            return Err(EgressError::TooLarge(cap));
        }
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(EgressError::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(InboundResponse {
            status,
            headers,
            body,
        })
    }
}

/// What replaces the credential wherever a response repeats it.
pub const REDACTED: &str = "[redacted by actionhost]";

/// Finds the injected credential in what an upstream answered: the secret as sent, and the
/// forms a server could echo it in (percent-encoded, JSON-escaped, base64 of the secret and of
/// the whole header value, as Basic auth carries it).
pub struct SecretScrubber(Option<AhoCorasick>);

impl SecretScrubber {
    pub fn new(placement: &CredentialPlacement, secret: &SecretString) -> Self {
        let secret = secret.expose();
        let sent = match placement {
            CredentialPlacement::Bearer => format!("Bearer {secret}"),
            CredentialPlacement::Header { prefix, .. }
            | CredentialPlacement::Query { prefix, .. } => format!("{prefix}{secret}"),
            CredentialPlacement::None => secret.to_string(),
        };
        let mut forms: Vec<String> = Vec::new();
        for text in [secret, sent.as_str()] {
            forms.push(text.to_string());
            forms.push(url::form_urlencoded::byte_serialize(text.as_bytes()).collect());
            forms.push(
                percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                    .to_string(),
            );
            let json = serde_json::to_string(text).unwrap_or_default();
            let json = json.trim_matches('"');
            forms.push(json.to_string());
            forms.push(json.replace('/', "\\/"));
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE,
                &base64::engine::general_purpose::STANDARD_NO_PAD,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ] {
                forms.push(engine.encode(text));
            }
        }
        forms.retain(|f| !f.is_empty());
        forms.sort();
        forms.dedup();
        let matcher = aho_corasick::AhoCorasickBuilder::new()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&forms)
            .ok();
        SecretScrubber(matcher)
    }

    /// Replaces every form of the credential in `text`; `None` when there was none.
    pub fn scrub_bytes(&self, text: &[u8]) -> Option<Vec<u8>> {
        let matcher = self.0.as_ref()?;
        matcher.is_match(text).then(|| {
            let replacements = vec![REDACTED.as_bytes(); matcher.patterns_len()];
            matcher.replace_all_bytes(text, &replacements)
        })
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

/// Headers a plugin may never set: the host owns them.
fn is_host_owned(name: &str, placement: &CredentialPlacement) -> bool {
    const OWNED: &[&str] = &[
        "authorization",
        "cookie",
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
        || matches!(placement, CredentialPlacement::Header { name: key, .. } if key.eq_ignore_ascii_case(&lower))
}

fn plugin_headers(
    headers: &[(String, String)],
    placement: &CredentialPlacement,
) -> Result<HeaderMap, EgressError> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let quoted = clip(name, QUOTE_LIMIT);
        if is_host_owned(name, placement) {
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
            headers.insert(reqwest::header::AUTHORIZATION, value);
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
    }
    Ok(())
}

fn same_origin_location(current: &Url, headers: &HeaderMap) -> Option<Url> {
    let location = headers.get(reqwest::header::LOCATION)?.to_str().ok()?;
    let next = current.join(location).ok()?;
    (Origin::of(&next).ok()? == Origin::of(current).ok()?).then_some(next)
}

fn transport_error(error: reqwest::Error) -> EgressError {
    if error.is_timeout() {
        return EgressError::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(err) = source {
        if let Some(refused) = err.downcast_ref::<PrivateAddressRefused>() {
            return EgressError::Denied(refused.to_string());
        }
        source = err.source();
    }
    // reqwest's Display names the URL; ours never carries a credential in the URL except for
    // query-placed API keys, so strip the URL to be safe.
    EgressError::Transport(error.without_url().to_string())
}

/// Returned by the resolver when a host resolves only to addresses a plugin may not reach.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to non-public address {address}; plugins may not reach it")]
struct PrivateAddressRefused {
    host: String,
    address: IpAddr,
}

/// A client built from `builder` connects only to public addresses: its resolver refuses every
/// non-public DNS answer. IP literals never reach a resolver: check them with
/// [`literal_refusal`] first. Used for plugins' requests and for the host's own requests to
/// URLs a plugin declared (its OAuth token and revocation endpoints).
pub fn guard(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
    builder.no_proxy().dns_resolver(Arc::new(GuardedResolver))
}

/// Why `url`'s host, an IP literal, may not be reached; `None` for a host name or a public IP.
pub fn literal_refusal(url: &Url) -> Option<String> {
    let ip = match url.host()? {
        Host::Ipv4(ip) => IpAddr::V4(ip),
        Host::Ipv6(ip) => IpAddr::V6(ip),
        Host::Domain(_) => return None,
    };
    non_public_reason(ip).map(|why| {
        format!("{ip} is {why}; plugins may not reach it unless an operator opens that origin")
    })
}

/// Whether a URL a plugin declared may be requested by the host, and with which client: the
/// operator opened its origin (`Ok(true)`: any address), or it is checked like a plugin's own
/// request (`Ok(false)`: use a [`guard`]ed client).
pub fn check_declared_url(text: &str, open_origins: &[Origin]) -> Result<bool, String> {
    let url =
        Url::parse(text).map_err(|e| format!("{:?} is not a URL: {e}", clip(text, QUOTE_LIMIT)))?;
    let origin = Origin::of(&url)?;
    if open_origins.contains(&origin) {
        return Ok(true);
    }
    match literal_refusal(&url) {
        Some(refusal) => Err(refusal),
        None => Ok(false),
    }
}

/// DNS resolution that refuses every answer set holding a non-public address (SSRF, DNS
/// rebinding): the client connects only to the addresses this returns.
struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(private) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(PrivateAddressRefused {
                    host: clip(&host, QUOTE_LIMIT).into_owned(),
                    address: private.ip(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether an address is on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    non_public_reason(ip).is_none()
}

/// Which non-public range `ip` is in, or `None` for a public address. IPv6 forms that carry an
/// IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that address.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() => "the unspecified address",
        (0, ..) => "in 0.0.0.0/8 (this network)",
        (127, ..) => "a loopback address",
        (10, ..) | (172, 16..=31, _) | (192, 168, _) => "a private address (RFC 1918)",
        (169, 254, _) => "a link-local address (cloud metadata lives here)",
        (100, 64..=127, _) => "a shared address (CGNAT, RFC 6598)",
        (192, 0, 0) => "an IETF protocol assignment (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (198, 18..=19, _) => "a benchmarking address (198.18.0.0/15)",
        (192, 88, 99) => "a 6to4 relay anycast address",
        _ if ip.is_broadcast() => "the broadcast address",
        (224..=239, ..) => "a multicast address",
        (240..=255, ..) => "a reserved address (240.0.0.0/4)",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    if ip.is_unspecified() {
        return Some("the unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4).map(|_| "an IPv4-mapped form of a non-public IPv4 address");
    }
    if s[..6] == [0; 6] {
        // IPv4-compatible (deprecated): ::a.b.c.d
        return v4_reason(embedded(s[6], s[7]))
            .map(|_| "an IPv4-compatible form of a non-public IPv4 address")
            .or(Some("an IPv4-compatible address (deprecated)"));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return v4_reason(embedded(s[6], s[7]))
            .map(|_| "a NAT64 form of a non-public IPv4 address");
    }
    Some(match s[0] {
        0x64 if s[1] == 0xff9b && s[2] == 1 => "a local-use NAT64 address (64:ff9b:1::/48)",
        0x0100 if s[1..4] == [0, 0, 0] => "a discard-only address (100::/64)",
        0x2001 if s[1] == 0 => "a Teredo tunnel address",
        0x2001 if s[1] == 0xdb8 => "a documentation address",
        0x2002 => {
            return v4_reason(embedded(s[1], s[2]))
                .map(|_| "a 6to4 form of a non-public IPv4 address");
        }
        x if x & 0xfe00 == 0xfc00 => "a unique local address (fc00::/7)",
        x if x & 0xffc0 == 0xfe80 => "a link-local address",
        x if x & 0xffc0 == 0xfec0 => "a site-local address (deprecated)",
        x if x & 0xff00 == 0xff00 => "a multicast address",
        _ => return None,
    })
}
