//! Origins (scheme, host, port: the unit of every allowlist) and the addresses behind them.
//!
//! Plugins reach only public addresses. [`non_public_reason`] is the one list of what is not
//! public; [`literal_refusal`] applies it to an IP-literal URL before anything is sent, and a
//! client built with [`guard`] applies it to every DNS answer, so the address actually connected
//! to is checked whatever form the URL used. The plugin's own requests
//! ([`crate::capability::http`]) and the host's requests to URLs a plugin declared (its OAuth
//! endpoints, [`crate::credentials`]) both go through it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use url::{Host, Url};

use crate::quote::{QUOTE_LIMIT, clip};

/// Why a text is not an origin (or a URL a plugin may give).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OriginError(String);

/// The scheme, host and port of a URL: the unit of the allowlist.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: u16,
}

impl Origin {
    /// Parses `scheme://host[:port]` (a path, query or user info is an error).
    pub fn parse(text: &str) -> Result<Self, OriginError> {
        let quoted = clip(text, QUOTE_LIMIT);
        let url =
            Url::parse(text).map_err(|e| OriginError(format!("{quoted:?} is not a URL: {e}")))?;
        if url.path() != "/" && !url.path().is_empty()
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(OriginError(format!(
                "{quoted:?} must be an origin (scheme://host[:port]) with no path"
            )));
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

    /// The domain under a wildcard origin (`sharepoint.com` for `https://*.sharepoint.com`), if
    /// this is one. A plugin declares such an origin for hosts it cannot name in advance (a
    /// provider's pre-signed download hosts), and only without the user's credential.
    pub fn wildcard_domain(&self) -> Option<&str> {
        self.host.strip_prefix("*.")
    }

    /// Why this origin, containing `*`, is not a wildcard origin a plugin may declare: only
    /// `https://*.` followed by a domain of two labels or more, with no other `*`.
    pub fn wildcard_problem(&self) -> Option<String> {
        if !self.host.contains('*') {
            return None;
        }
        let Some(domain) = self.wildcard_domain() else {
            return Some(format!(
                "{self}: a wildcard may only be the whole first label (`https://*.example.com`)"
            ));
        };
        let labels: Vec<&str> = domain.split('.').collect();
        if domain.contains('*') || labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
            return Some(format!(
                "{self}: a wildcard origin needs a fixed domain of two labels or more after `*.`"
            ));
        }
        if self.scheme != "https" {
            return Some(format!("{self}: a wildcard origin must be https"));
        }
        if domain.parse::<IpAddr>().is_ok() || labels.iter().all(|l| l.parse::<u8>().is_ok()) {
            return Some(format!(
                "{self}: a wildcard origin must be under a host name"
            ));
        }
        // Hosts under a public suffix (`co.uk`, `github.io`, `herokuapp.com`) belong to
        // unrelated owners: a wildcard over one would reach anyone's host, an attacker's too.
        if psl::suffix(domain.as_bytes())
            .is_some_and(|suffix| suffix.is_known() && suffix.as_bytes() == domain.as_bytes())
        {
            return Some(format!(
                "{self}: {domain} is a public suffix (on the Public Suffix List), so its hosts \
                 belong to unrelated owners; a wildcard origin must be under one owner's domain"
            ));
        }
        None
    }

    /// Whether a request to `target` falls under this declared origin: the same origin, or, for
    /// a wildcard origin, the same scheme and port and a host strictly under its domain
    /// (`contoso-my.sharepoint.com` under `*.sharepoint.com`; not `sharepoint.com` itself, and
    /// not `evilsharepoint.com`).
    pub fn covers(&self, target: &Origin) -> bool {
        if target.host.contains('*') || self.scheme != target.scheme || self.port != target.port {
            return false;
        }
        match self.wildcard_domain() {
            None => self.host == target.host,
            Some(domain) => target
                .host
                .strip_suffix(domain)
                .and_then(|rest| rest.strip_suffix('.'))
                .is_some_and(|label| !label.is_empty() && !label.ends_with('.')),
        }
    }

    /// The origin of an absolute http(s) URL.
    pub fn of(url: &Url) -> Result<Self, OriginError> {
        let scheme = url.scheme();
        if scheme != "http" && scheme != "https" {
            return Err(OriginError(format!(
                "scheme {scheme:?} is not allowed (only http and https)"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(OriginError("URLs with user info are not allowed".into()));
        }
        let quoted = || clip(url.as_str(), QUOTE_LIMIT);
        let host = url
            .host_str()
            .ok_or_else(|| OriginError(format!("{} has no host", quoted())))?
            .to_ascii_lowercase();
        let port = url
            .port_or_known_default()
            .ok_or_else(|| OriginError(format!("{} has no port", quoted())))?;
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

/// Returned by the resolver when a host resolves only to addresses a plugin may not reach.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to non-public address {address}; plugins may not reach it")]
pub struct PrivateAddressRefused {
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

/// A client built from `builder` also trusts `roots` (the operator's `ca_file`: an internal CA)
/// besides the Mozilla roots compiled in. Each was checked to be a usable root when the
/// settings were read.
pub fn trusting(
    builder: reqwest::ClientBuilder,
    roots: &[rustls::pki_types::CertificateDer<'static>],
) -> reqwest::ClientBuilder {
    roots.iter().fold(builder, |builder, root| {
        match reqwest::Certificate::from_der(root.as_ref()) {
            Ok(certificate) => builder.add_root_certificate(certificate),
            // Not reached with rustls (it keeps the bytes and checks them when the client is
            // built, which then fails with the reason).
            Err(_) => builder,
        }
    })
}

/// What went wrong with a request the host made through [`guard`]'s client: the innermost
/// cause of `error` (refused, a certificate no trusted CA signed, a non-public address, ...).
/// reqwest's own text names only the URL.
pub fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
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
pub fn check_declared_url(text: &str, open_origins: &[Origin]) -> Result<bool, OriginError> {
    let url = Url::parse(text)
        .map_err(|e| OriginError(format!("{:?} is not a URL: {e}", clip(text, QUOTE_LIMIT))))?;
    let origin = Origin::of(&url)?;
    if open_origins.contains(&origin) {
        return Ok(true);
    }
    match literal_refusal(&url) {
        Some(refusal) => Err(OriginError(refusal)),
        None => Ok(false),
    }
}

/// DNS resolution that refuses every answer set holding a non-public address (SSRF, DNS
/// rebinding): the client connects only to the addresses this returns. Serves reqwest (the
/// host's own requests, [`guard`]) and hyper-util (the HTTP capability's client).
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver;

impl GuardedResolver {
    /// Every address of `host`, or [`PrivateAddressRefused`] if any of them is not public.
    async fn lookup(
        host: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let host = host.to_ascii_lowercase();
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
        if let Some(private) = addrs.iter().find(|a| !is_public(a.ip())) {
            return Err(Box::new(PrivateAddressRefused {
                host: clip(&host, QUOTE_LIMIT).into_owned(),
                address: private.ip(),
            }));
        }
        Ok(addrs)
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let addrs = GuardedResolver::lookup(name.as_str()).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl tower::Service<hyper_util::client::legacy::connect::dns::Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: hyper_util::client::legacy::connect::dns::Name) -> Self::Future {
        Box::pin(async move { Ok(GuardedResolver::lookup(name.as_str()).await?.into_iter()) })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin {
        Origin::parse(text).unwrap()
    }

    #[test]
    fn a_wildcard_covers_hosts_strictly_under_its_domain_on_the_same_scheme_and_port() {
        let wildcard = origin("https://*.sharepoint.com");
        for inside in [
            "https://contoso-my.sharepoint.com",
            "https://a.b.sharepoint.com",
            "https://CONTOSO.sharepoint.com:443",
        ] {
            assert!(wildcard.covers(&origin(inside)), "{inside}");
        }
        for outside in [
            "https://sharepoint.com",
            "https://evilsharepoint.com",
            "https://sharepoint.com.evil.example",
            "http://contoso.sharepoint.com",
            "https://contoso.sharepoint.com:8443",
            "https://*.sharepoint.com",
            "https://x.*.sharepoint.com",
        ] {
            assert!(!wildcard.covers(&origin(outside)), "{outside}");
        }
        let exact = origin("https://graph.microsoft.com");
        assert!(exact.covers(&origin("https://graph.microsoft.com")));
        assert!(!exact.covers(&origin("https://x.graph.microsoft.com")));
    }

    #[test]
    fn only_a_whole_first_label_wildcard_over_a_named_domain_is_declarable() {
        assert_eq!(origin("https://*.sharepoint.com").wildcard_problem(), None);
        assert_eq!(origin("https://*.example.co.uk").wildcard_problem(), None);
        assert_eq!(
            origin("https://*.cdn.hostile.test").wildcard_problem(),
            None
        );
        assert_eq!(
            origin("https://graph.microsoft.com").wildcard_problem(),
            None
        );
        for (text, why) in [
            ("https://*.com", "two labels or more"),
            ("https://*.*.example.com", "two labels or more"),
            ("https://cdn-*.example.com", "whole first label"),
            ("https://a.*.example.com", "whole first label"),
            ("http://*.example.com", "must be https"),
            ("https://*.co.uk", "public suffix"),
            ("https://*.github.io", "public suffix"),
            ("https://*.herokuapp.com", "public suffix"),
            ("https://*.myshopify.com", "public suffix"),
            ("https://*.blob.core.windows.net", "public suffix"),
        ] {
            let problem = Origin::parse(text).map(|o| o.wildcard_problem());
            match problem {
                Ok(Some(problem)) => assert!(problem.contains(why), "{text}: {problem}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
