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
//! Host names are resolved by [`GuardedResolver`], which refuses private, loopback and link-local
//! addresses unless the host was named by an operator override; IP-literal origins are explicit
//! in the plugin's declaration and pass.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::credentials::SecretString;

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
        let url = Url::parse(text).map_err(|e| format!("{text:?} is not a URL: {e}"))?;
        if url.path() != "/" && !url.path().is_empty() || url.query().is_some() {
            return Err(format!(
                "{text:?} must be an origin (scheme://host[:port]) with no path"
            ));
        }
        Self::of(&url)
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
            .ok_or_else(|| format!("{url} has no host"))?
            .to_ascii_lowercase();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| format!("{url} has no port"))?;
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

/// Timeout and size cap for every upstream request.
#[derive(Debug, Clone, Copy)]
pub struct EgressLimits {
    pub timeout: Duration,
    pub max_response_bytes: u64,
}

impl Default for EgressLimits {
    fn default() -> Self {
        EgressLimits {
            timeout: Duration::from_secs(20),
            max_response_bytes: 8 * 1024 * 1024,
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

    fn apply(&self, url: &Url) -> Option<Url> {
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

    /// Hosts an operator named as override targets: trusted even on private addresses.
    fn target_hosts(&self) -> HashSet<String> {
        self.0.iter().map(|r| r.to.host.clone()).collect()
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

/// The shared client and the rules every plugin request passes through.
pub struct Egress {
    client: reqwest::Client,
    overrides: UpstreamOverrides,
    limits: EgressLimits,
}

const MAX_REDIRECTS: usize = 5;

impl Egress {
    pub fn new(overrides: UpstreamOverrides, limits: EgressLimits) -> Result<Self, String> {
        let resolver = GuardedResolver {
            trusted_hosts: overrides.target_hosts(),
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("actionhost/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Egress {
            client,
            overrides,
            limits,
        })
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
            EgressError::InvalidRequest(format!("{:?} is not a URL: {e}", request.url))
        })?;
        let origin = Origin::of(&url).map_err(EgressError::InvalidRequest)?;
        let Some(origin_grant) = grant.find(&origin) else {
            return Err(EgressError::Denied(format!(
                "origin {origin} is not declared by plugin {} (or the operator's policy removed it)",
                grant.plugin_id
            )));
        };
        let headers = plugin_headers(&request.headers, &grant.placement)?;

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

        let mut timeout = self.limits.timeout;
        if let Some(deadline) = deadline {
            timeout = timeout.min(deadline.saturating_duration_since(Instant::now()));
        }
        let exchange = self.exchange(
            url,
            request.method,
            headers,
            request.body,
            &grant.placement,
            credential,
        );
        match crate::deadline::limit(timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(EgressError::Timeout),
        }
    }

    async fn exchange(
        &self,
        url: Url,
        mut method: HttpMethod,
        headers: HeaderMap,
        mut body: Option<Vec<u8>>,
        placement: &CredentialPlacement,
        credential: Option<&SecretString>,
    ) -> Result<InboundResponse, EgressError> {
        let mut target = self.overrides.apply(&url).unwrap_or(url);
        for _ in 0..=MAX_REDIRECTS {
            let mut send_url = target.clone();
            let mut send_headers = headers.clone();
            if let Some(secret) = credential {
                inject(placement, secret, &mut send_url, &mut send_headers)?;
            }
            let mut builder = self
                .client
                .request(method.as_reqwest(), send_url)
                .headers(send_headers);
            if let Some(bytes) = &body {
                builder = builder.body(bytes.clone());
            }
            let response = builder.send().await.map_err(transport_error)?;
            let status = response.status();
            if status.is_redirection()
                && let Some(next) = same_origin_location(&target, response.headers())
            {
                // 303, and 301/302 after a POST, turn into a GET without a body (as browsers do).
                if status.as_u16() == 303
                    || (matches!(status.as_u16(), 301 | 302) && method == HttpMethod::Post)
                {
                    method = HttpMethod::Get;
                    body = None;
                }
                target = next;
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
        if is_host_owned(name, placement) {
            return Err(EgressError::ForbiddenHeader(name.to_ascii_lowercase()));
        }
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            EgressError::InvalidRequest(format!("{name:?} is not a valid header name"))
        })?;
        let header_value = HeaderValue::from_str(value).map_err(|_| {
            EgressError::InvalidRequest(format!("the value of header {name:?} is not valid"))
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

/// DNS resolution that refuses private, loopback and link-local results (SSRF, DNS rebinding),
/// except for hosts the operator named as override targets.
struct GuardedResolver {
    trusted_hosts: HashSet<String>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let trusted = self.trusted_hosts.contains(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !trusted && let Some(private) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(PrivateAddressRefused {
                    host,
                    address: private.ip(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether an address is on the public internet (not private, loopback, link-local, CGNAT,
/// unspecified, broadcast or documentation).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || v6.is_multicast())
        }
    }
}
