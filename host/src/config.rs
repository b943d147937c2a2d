//! Settings: flags, then environment, then an optional `actionhost.toml`, then defaults.
//!
//! The file is `--config PATH` (or `ACTIONHOST_CONFIG`) when given, else `actionhost.toml` in the
//! data dir if present: the host never reads its working directory except for the data dir.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::capability::http::{EgressLimits, UpstreamOverrides, read_ca_file};
use crate::origin::Origin;
use crate::runtime::{CallLimits, CatalogLimits};

/// Errors in settings; each names the setting and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("setting {name} is invalid: {message}")]
    Invalid { name: &'static str, message: String },
}

/// Values given as flags or environment variables (clap fills these with `env = ...`).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct SettingsArgs {
    /// Address to serve on (`:0` picks a free port).
    #[arg(long, env = "ACTIONHOST_LISTEN")]
    pub listen: Option<String>,
    /// Data directory: sled store, compiled-component cache, generated development secrets.
    #[arg(long, env = "ACTIONHOST_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Extra directory of `*.wasm` plugins.
    #[arg(long, env = "ACTIONHOST_PLUGINS_DIR")]
    pub plugins_dir: Option<PathBuf>,
    /// Settings file (default: `actionhost.toml` in the data dir, if present).
    #[arg(long, env = "ACTIONHOST_CONFIG")]
    pub config: Option<PathBuf>,
    /// Bearer key for `/admin/*` (default: generated into the data dir).
    #[arg(long, env = "ACTIONHOST_ADMIN_KEY", hide_env_values = true)]
    pub admin_key: Option<String>,
    /// HS256 secret for user tokens, at least 32 bytes.
    #[arg(long, env = "ACTIONHOST_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// RS256 public key (PEM) for user tokens, instead of the HS256 secret.
    #[arg(long, env = "ACTIONHOST_JWT_PUBLIC_KEY", hide_env_values = true)]
    pub jwt_public_key: Option<String>,
    /// The identity provider's JSON Web Key Set (http or https URL): user tokens are RS256 or
    /// ES256, signed by one of its keys, instead of the HS256 secret or a PEM key.
    #[arg(long, env = "ACTIONHOST_JWT_JWKS_URL")]
    pub jwt_jwks_url: Option<String>,
    /// When set, a user token's `iss` must be exactly this.
    #[arg(long, env = "ACTIONHOST_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// When set, a user token's `aud` must name this (RFC 8707: the resource, `{public_url}/mcp`).
    #[arg(long, env = "ACTIONHOST_JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
    /// 32 bytes in standard base64: encrypts every stored secret.
    #[arg(long, env = "ACTIONHOST_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,
    /// `postgres://user:password@host/db`: keep all state in PostgreSQL, so that several hosts
    /// serve one database, instead of the embedded sled store in the data dir.
    #[arg(long, env = "ACTIONHOST_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Connections this host keeps open to PostgreSQL (default 16).
    #[arg(long, env = "ACTIONHOST_DATABASE_POOL")]
    pub database_pool: Option<u32>,
    /// Base of OAuth redirect URIs (default: `http://` + the bound address).
    #[arg(long, env = "ACTIONHOST_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// `https://api.github.com=http://127.0.0.1:9001,...`: origin rewrites after the allowlist.
    #[arg(long, env = "ACTIONHOST_UPSTREAM_OVERRIDES")]
    pub upstream_overrides: Option<String>,
    /// `https://gitlab.internal:8443,...`: private origins plugins may reach (each exactly).
    #[arg(long, env = "ACTIONHOST_ALLOW_PRIVATE_ORIGINS")]
    pub allow_private_origins: Option<String>,
    /// PEM file of CA certificates trusted besides Mozilla's roots (an internal CA), for
    /// plugins' HTTPS requests, OAuth and the identity provider's key set.
    #[arg(long, env = "ACTIONHOST_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// `https://app.example.com,http://localhost:*`: browser origins the MCP server accepts
    /// besides the public URL's own (a request with another `Origin` gets 403).
    #[arg(long, env = "ACTIONHOST_MCP_ALLOWED_ORIGINS")]
    pub mcp_allowed_origins: Option<String>,
    /// `mcp.example.com,10.0.0.5:8080`: `Host` values the MCP server accepts besides loopback,
    /// the public URL's host and the listen address (DNS-rebinding protection).
    #[arg(long, env = "ACTIONHOST_MCP_ALLOWED_HOSTS")]
    pub mcp_allowed_hosts: Option<String>,
}

/// The optional settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<String>,
    plugins_dir: Option<PathBuf>,
    admin_key: Option<String>,
    jwt_secret: Option<String>,
    jwt_public_key: Option<String>,
    jwt_jwks_url: Option<String>,
    jwt_issuer: Option<String>,
    jwt_audience: Option<String>,
    jwt_jwks_cooldown_seconds: Option<f64>,
    jwt_jwks_max_age_seconds: Option<f64>,
    public_url: Option<String>,
    upstream_overrides: Option<String>,
    allow_private_origins: Option<Vec<String>>,
    ca_file: Option<PathBuf>,
    #[serde(default)]
    limits: FileLimits,
    #[serde(default)]
    mcp: FileMcp,
    #[serde(default)]
    connect: FileConnect,
    /// `[plugins.<id>]`: operator policy per plugin.
    #[serde(default)]
    plugins: std::collections::HashMap<String, crate::policy::PluginPolicy>,
}

/// `[limits]` in the settings file: defaults for every plugin call.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLimits {
    memory_mib: Option<u64>,
    cpu_seconds: Option<f64>,
    wall_seconds: Option<f64>,
    output_mib: Option<u64>,
    http_timeout_seconds: Option<f64>,
    http_response_mib: Option<u64>,
    http_request_mib: Option<u64>,
    upstream_requests_per_call: Option<u32>,
    max_concurrent_calls: Option<u32>,
    schema_kib: Option<usize>,
    actions_per_plugin: Option<usize>,
    schema_cache_mib: Option<u64>,
    mcp_result_kib: Option<usize>,
    mcp_tools_per_page: Option<usize>,
}

/// `[mcp]` in the settings file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMcp {
    allowed_origins: Option<Vec<String>>,
    allowed_hosts: Option<Vec<String>>,
    connect_wait_seconds: Option<f64>,
}

/// `[connect]` in the settings file: the hosted connect page.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConnect {
    product_name: Option<String>,
    logo_url: Option<String>,
    accent_color: Option<String>,
    link_minutes: Option<f64>,
}

/// The hosted connect page's branding and link lifetime (`[connect]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectSettings {
    /// Shown in the page's title and header.
    pub product_name: String,
    /// An http(s) image shown in the header; its origin is the only other one the page loads from.
    pub logo_url: Option<url::Url>,
    /// `#rrggbb`: buttons, links and focus rings.
    pub accent_color: String,
    /// How long a link works, and a session lasts once the link is opened.
    pub link_ttl: Duration,
}

impl Default for ConnectSettings {
    fn default() -> Self {
        ConnectSettings {
            product_name: "actionhost".into(),
            logo_url: None,
            accent_color: "#1f5fbf".into(),
            link_ttl: crate::connect::DEFAULT_LINK_TTL,
        }
    }
}

impl ConnectSettings {
    fn from_file(file: &FileConnect) -> Result<Self, ConfigError> {
        let defaults = ConnectSettings::default();
        let invalid = |name, message: String| ConfigError::Invalid { name, message };
        let product_name = match &file.product_name {
            Some(name) if name.trim().is_empty() || name.len() > 80 => {
                return Err(invalid(
                    "connect.product_name",
                    "must be 1 to 80 characters".into(),
                ));
            }
            Some(name) => name.trim().to_string(),
            None => defaults.product_name,
        };
        let logo_url = file
            .logo_url
            .as_deref()
            .map(|text| match url::Url::parse(text) {
                Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
                _ => Err(invalid(
                    "connect.logo_url",
                    format!("{text:?} is not an http(s) URL"),
                )),
            })
            .transpose()?;
        let accent_color = match &file.accent_color {
            Some(colour) => {
                let hex = colour.strip_prefix('#').unwrap_or("");
                if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(invalid(
                        "connect.accent_color",
                        format!("{colour:?} is not a colour written #rrggbb"),
                    ));
                }
                colour.to_ascii_lowercase()
            }
            None => defaults.accent_color,
        };
        let link_ttl = match file.link_minutes {
            None => defaults.link_ttl,
            Some(m) if m.is_finite() && (1.0..=1440.0).contains(&m) => {
                Duration::from_secs_f64(m * 60.0)
            }
            Some(m) => {
                return Err(invalid(
                    "connect.link_minutes",
                    format!("must be between 1 and 1440 minutes, got {m}"),
                ));
            }
        };
        Ok(ConnectSettings {
            product_name,
            logo_url,
            accent_color,
            link_ttl,
        })
    }
}

/// Browser origins the MCP server accepts by default, besides the public URL's: pages served
/// from this machine (a local MCP inspector).
pub const DEFAULT_MCP_ALLOWED_ORIGINS: [&str; 3] =
    ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/// How long a tool call that asked the user to connect an account waits for the connection to
/// finish before answering how to connect (`[mcp] connect_wait_seconds`).
pub const DEFAULT_MCP_CONNECT_WAIT: Duration = Duration::from_secs(120);

/// Largest tool result the MCP server hands a model by default (`[limits] mcp_result_kib`):
/// about 25,000 tokens; a larger one is cut with a note.
pub const DEFAULT_MCP_RESULT_BYTES: usize = 100 * 1024;

/// Tools in one page of the MCP server's `tools/list` by default (`[limits] mcp_tools_per_page`).
pub const DEFAULT_MCP_TOOLS_PER_PAGE: usize = 500;

/// Least time between two fetches of the identity provider's key set prompted by tokens naming
/// a key id it does not have (`jwt_jwks_cooldown_seconds`): however many such tokens arrive, the
/// host asks the provider at most this often. jose's `createRemoteJWKSet` uses the same 30 s.
pub const DEFAULT_JWKS_COOLDOWN: Duration = Duration::from_secs(30);

/// Age after which the key set is fetched again even if every token names a known key
/// (`jwt_jwks_max_age_seconds`), so that a key the provider withdrew stops being trusted.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(600);

/// Calls one plugin may run at once by default (`[limits] max_concurrent_calls`, or a plugin's
/// policy): with the per-call caps, it bounds the memory one plugin's calls can hold.
pub const DEFAULT_MAX_CONCURRENT_CALLS: u32 = 64;
/// PostgreSQL connections per host unless `ACTIONHOST_DATABASE_POOL` says otherwise.
pub const DEFAULT_DATABASE_POOL: u32 = 16;

/// Resolved settings for every command.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub plugins_dir: Option<PathBuf>,
    pub admin_key: Option<String>,
    pub jwt_secret: Option<String>,
    pub jwt_public_key: Option<String>,
    /// The identity provider's key set; when set, user tokens are verified against it only.
    pub jwt_jwks_url: Option<url::Url>,
    /// Required `iss` of user tokens, in every mode.
    pub jwt_issuer: Option<String>,
    /// Required `aud` of user tokens, in every mode.
    pub jwt_audience: Option<String>,
    /// Least time between two key set fetches prompted by unknown key ids.
    pub jwks_cooldown: Duration,
    /// Age after which the key set is fetched again on the next token.
    pub jwks_max_age: Duration,
    pub master_key: Option<String>,
    /// PostgreSQL instead of sled (it may carry a password: never printed).
    pub database_url: Option<crate::credentials::SecretString>,
    /// Connections kept to PostgreSQL.
    pub database_pool: u32,
    pub public_url: Option<String>,
    pub upstream_overrides: UpstreamOverrides,
    /// Private origins an operator lets plugins reach, each exactly.
    pub allow_private_origins: Vec<Origin>,
    /// CA certificates trusted besides Mozilla's roots (`ca_file`), already checked.
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    pub call_limits: CallLimits,
    pub egress_limits: EgressLimits,
    pub catalog_limits: CatalogLimits,
    /// Calls one plugin may run at once unless its policy says otherwise.
    pub max_concurrent_calls: u32,
    /// Byte budget of the per-user dynamic schema cache.
    pub schema_cache_bytes: u64,
    /// Largest MCP tool result given whole; a larger one is truncated with a note.
    pub mcp_result_bytes: usize,
    /// Tools per page of MCP `tools/list`.
    pub mcp_tools_per_page: usize,
    /// Browser origins the MCP server accepts besides the public URL's
    /// (`scheme://host[:port|:*]`, or `null`).
    pub mcp_allowed_origins: Vec<String>,
    /// `Host` values the MCP server accepts besides loopback, the public URL's host and the
    /// listen address.
    pub mcp_allowed_hosts: Vec<String>,
    /// How long a tool call that asked the user to connect waits for the connection.
    pub mcp_connect_wait: Duration,
    /// The hosted connect page.
    pub connect: ConnectSettings,
    pub plugin_policies: std::collections::HashMap<String, crate::policy::PluginPolicy>,
}

impl Settings {
    /// Merges flags/environment (already in `args`) with the settings file and defaults.
    pub fn resolve(args: &SettingsArgs) -> Result<Self, ConfigError> {
        let data_dir = args
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("./actionhost-data"));
        let file = load_file(args.config.as_deref(), &data_dir)?;

        let overrides_text = args
            .upstream_overrides
            .clone()
            .or(file.upstream_overrides)
            .unwrap_or_default();
        let upstream_overrides =
            UpstreamOverrides::parse(&overrides_text).map_err(|e| ConfigError::Invalid {
                name: "ACTIONHOST_UPSTREAM_OVERRIDES",
                message: e.to_string(),
            })?;

        let defaults = CallLimits::default();
        let limits = &file.limits;
        let call_limits = CallLimits {
            memory_bytes: limits
                .memory_mib
                .map(|m| (m * 1024 * 1024) as usize)
                .unwrap_or(defaults.memory_bytes),
            cpu_time: seconds(limits.cpu_seconds, "limits.cpu_seconds")?
                .unwrap_or(defaults.cpu_time),
            wall_time: seconds(limits.wall_seconds, "limits.wall_seconds")?
                .unwrap_or(defaults.wall_time),
            output_bytes: limits
                .output_mib
                .map(|m| (m * 1024 * 1024) as usize)
                .unwrap_or(defaults.output_bytes),
            upstream_requests: limits
                .upstream_requests_per_call
                .unwrap_or(defaults.upstream_requests),
        };
        let catalog_defaults = CatalogLimits::default();
        let catalog_limits = CatalogLimits {
            schema_bytes: limits
                .schema_kib
                .map(|k| k * 1024)
                .unwrap_or(catalog_defaults.schema_bytes),
            actions: limits
                .actions_per_plugin
                .unwrap_or(catalog_defaults.actions),
            ..catalog_defaults
        };
        let private_text = args
            .allow_private_origins
            .clone()
            .map(|t| t.split(',').map(str::to_string).collect::<Vec<_>>())
            .or(file.allow_private_origins)
            .unwrap_or_default();
        let allow_private_origins = private_text
            .iter()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .map(Origin::parse)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ConfigError::Invalid {
                name: "ACTIONHOST_ALLOW_PRIVATE_ORIGINS",
                message: e.to_string(),
            })?;
        let extra_roots = match args.ca_file.clone().or(file.ca_file) {
            Some(path) => read_ca_file(&path).map_err(|message| ConfigError::Invalid {
                name: "ACTIONHOST_CA_FILE",
                message: format!("{}: {message}", path.display()),
            })?,
            None => Vec::new(),
        };
        let egress_defaults = EgressLimits::default();
        let egress_limits = EgressLimits {
            timeout: seconds(limits.http_timeout_seconds, "limits.http_timeout_seconds")?
                .unwrap_or(egress_defaults.timeout),
            max_response_bytes: limits
                .http_response_mib
                .map(|m| m * 1024 * 1024)
                .unwrap_or(egress_defaults.max_response_bytes),
            max_request_bytes: limits
                .http_request_mib
                .map(|m| m * 1024 * 1024)
                .unwrap_or(egress_defaults.max_request_bytes),
        };

        let jwt_secret = args.jwt_secret.clone().or(file.jwt_secret);
        if let Some(secret) = &jwt_secret
            && secret.len() < 32
        {
            return Err(ConfigError::Invalid {
                name: "ACTIONHOST_JWT_SECRET",
                message: format!("must be at least 32 bytes, got {}", secret.len()),
            });
        }

        let mcp_allowed_origins = match args.mcp_allowed_origins.clone() {
            Some(text) => split_list(&text),
            None => file.mcp.allowed_origins.clone().unwrap_or_else(|| {
                DEFAULT_MCP_ALLOWED_ORIGINS
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }),
        };
        for origin in &mcp_allowed_origins {
            check_browser_origin(origin).map_err(|message| ConfigError::Invalid {
                name: "ACTIONHOST_MCP_ALLOWED_ORIGINS",
                message,
            })?;
        }
        let mcp_allowed_hosts = match args.mcp_allowed_hosts.clone() {
            Some(text) => split_list(&text),
            None => file.mcp.allowed_hosts.clone().unwrap_or_default(),
        };
        for host in &mcp_allowed_hosts {
            if host.contains(['/', ' ', '@']) || host.is_empty() {
                return Err(ConfigError::Invalid {
                    name: "ACTIONHOST_MCP_ALLOWED_HOSTS",
                    message: format!("{host:?} is not a host or host:port"),
                });
            }
        }
        let mcp_connect_wait = seconds(file.mcp.connect_wait_seconds, "mcp.connect_wait_seconds")?
            .unwrap_or(DEFAULT_MCP_CONNECT_WAIT);
        let jwt_public_key = args.jwt_public_key.clone().or(file.jwt_public_key);
        let jwt_jwks_url = args
            .jwt_jwks_url
            .clone()
            .or(file.jwt_jwks_url)
            .map(|text| jwks_url(&text))
            .transpose()?;
        if jwt_jwks_url.is_some() {
            // One way to verify user tokens: a token signed with the secret or the PEM key must
            // not be accepted beside the identity provider's, nor the other way round.
            for (name, set) in [
                ("ACTIONHOST_JWT_PUBLIC_KEY", jwt_public_key.is_some()),
                ("ACTIONHOST_JWT_SECRET", jwt_secret.is_some()),
            ] {
                if set {
                    return Err(ConfigError::Invalid {
                        name: "ACTIONHOST_JWT_JWKS_URL",
                        message: format!(
                            "cannot be used together with {name}: user tokens are verified one \
                             way; unset one of them"
                        ),
                    });
                }
            }
        }
        let jwt_issuer = non_empty(
            args.jwt_issuer.clone().or(file.jwt_issuer),
            "ACTIONHOST_JWT_ISSUER",
        )?;
        let jwt_audience = non_empty(
            args.jwt_audience.clone().or(file.jwt_audience),
            "ACTIONHOST_JWT_AUDIENCE",
        )?;
        let jwks_cooldown = seconds(file.jwt_jwks_cooldown_seconds, "jwt_jwks_cooldown_seconds")?
            .unwrap_or(DEFAULT_JWKS_COOLDOWN);
        let jwks_max_age = seconds(file.jwt_jwks_max_age_seconds, "jwt_jwks_max_age_seconds")?
            .unwrap_or(DEFAULT_JWKS_MAX_AGE);

        let connect = ConnectSettings::from_file(&file.connect)?;
        Ok(Settings {
            connect,
            mcp_allowed_origins,
            mcp_allowed_hosts,
            mcp_connect_wait,
            listen: args
                .listen
                .clone()
                .or(file.listen)
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            plugins_dir: args.plugins_dir.clone().or(file.plugins_dir),
            admin_key: args.admin_key.clone().or(file.admin_key),
            jwt_secret,
            jwt_public_key,
            jwt_jwks_url,
            jwt_issuer,
            jwt_audience,
            jwks_cooldown,
            jwks_max_age,
            // The master key is never read from a file we might print or copy: flags/env only,
            // or the generated key file in the data dir.
            master_key: args.master_key.clone(),
            database_url: args
                .database_url
                .clone()
                .filter(|u| !u.is_empty())
                .map(crate::credentials::SecretString::new),
            database_pool: args.database_pool.unwrap_or(DEFAULT_DATABASE_POOL).max(2),
            public_url: args.public_url.clone().or(file.public_url),
            upstream_overrides,
            allow_private_origins,
            extra_roots,
            call_limits,
            egress_limits,
            catalog_limits,
            max_concurrent_calls: limits
                .max_concurrent_calls
                .unwrap_or(DEFAULT_MAX_CONCURRENT_CALLS),
            schema_cache_bytes: limits
                .schema_cache_mib
                .map(|m| m * 1024 * 1024)
                .unwrap_or(crate::catalog::USER_SCHEMA_CACHE_BYTES),
            mcp_result_bytes: limits
                .mcp_result_kib
                .map(|k| k.max(1) * 1024)
                .unwrap_or(DEFAULT_MCP_RESULT_BYTES),
            mcp_tools_per_page: limits
                .mcp_tools_per_page
                .map(|n| n.max(1))
                .unwrap_or(DEFAULT_MCP_TOOLS_PER_PAGE),
            plugin_policies: file.plugins,
            data_dir,
        })
    }
}

fn load_file(explicit: Option<&Path>, data_dir: &Path) -> Result<FileSettings, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let default = data_dir.join("actionhost.toml");
            if !default.exists() {
                return Ok(FileSettings::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path,
        message: e.message().to_string(),
    })
}

/// The non-empty items of a comma-separated list.
fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A browser origin as the MCP server matches it: `null`, or `scheme://host` with an optional
/// `:port` or `:*`, and nothing else (no path, no user info).
fn check_browser_origin(origin: &str) -> Result<(), String> {
    if origin == "null" {
        return Ok(());
    }
    let (scheme, rest) = origin
        .split_once("://")
        .ok_or_else(|| format!("{origin:?} has no scheme (write https://{origin})"))?;
    if !matches!(scheme, "http" | "https") {
        return Err(format!("{origin:?}: the scheme must be http or https"));
    }
    let concrete = rest.strip_suffix(":*").unwrap_or(rest);
    let parsed = url::Url::parse(&format!("{scheme}://{concrete}"))
        .map_err(|e| format!("{origin:?} is not an origin: {e}"))?;
    if parsed.path() != "/" || concrete.ends_with('/') || !parsed.username().is_empty() {
        return Err(format!(
            "{origin:?} is not an origin: only scheme://host[:port], no path"
        ));
    }
    Ok(())
}

/// The key set's URL: http or https, with a host, without credentials (they would be logged
/// with the URL).
fn jwks_url(text: &str) -> Result<url::Url, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        name: "ACTIONHOST_JWT_JWKS_URL",
        message,
    };
    let url = url::Url::parse(text.trim()).map_err(|e| invalid(format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "must be an http or https URL, not `{}:`",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "must not carry a user name or password: a key set is public".into(),
        ));
    }
    Ok(url)
}

/// An optional setting that, when given, must say something.
fn non_empty(value: Option<String>, name: &'static str) -> Result<Option<String>, ConfigError> {
    match value {
        Some(text) if text.trim().is_empty() => Err(ConfigError::Invalid {
            name,
            message: "is empty; unset it to not check this claim".into(),
        }),
        Some(text) if text.trim() != text => Err(ConfigError::Invalid {
            name,
            message: "has leading or trailing white space, which a token's claim would never \
                      match"
                .into(),
        }),
        other => Ok(other),
    }
}

fn seconds(value: Option<f64>, name: &'static str) -> Result<Option<Duration>, ConfigError> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(ConfigError::Invalid {
            name,
            message: format!("must be a positive number of seconds, got {s}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(args: SettingsArgs) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        Settings::resolve(&SettingsArgs {
            data_dir: Some(dir.path().to_path_buf()),
            ..args
        })
    }

    fn refusal(args: SettingsArgs) -> String {
        resolve(args).unwrap_err().to_string()
    }

    #[test]
    fn a_ca_file_is_read_whole_and_each_refusal_names_the_file_and_what_is_wrong() {
        assert!(
            resolve(SettingsArgs::default())
                .unwrap()
                .extra_roots
                .is_empty()
        );
        let dir = tempfile::tempdir().unwrap();
        let with = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            refusal(SettingsArgs {
                ca_file: Some(path),
                ..SettingsArgs::default()
            })
        };
        let missing = dir.path().join("missing.pem");
        let message = refusal(SettingsArgs {
            ca_file: Some(missing.clone()),
            ..SettingsArgs::default()
        });
        assert!(
            message.starts_with(&format!(
                "setting ACTIONHOST_CA_FILE is invalid: {}: cannot be read: ",
                missing.display()
            )),
            "{message}"
        );
        let empty = with(
            "key-only.pem",
            "-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n",
        );
        assert!(
            empty.ends_with(
                "key-only.pem: holds no certificate (a PEM block \"-----BEGIN CERTIFICATE-----\")"
            ),
            "{empty}"
        );
        let broken = with(
            "broken.pem",
            "-----BEGIN CERTIFICATE-----\n*not base64*\n-----END CERTIFICATE-----\n",
        );
        assert!(
            broken.contains("broken.pem: certificate 1 is not valid PEM"),
            "{broken}"
        );
        let junk = with(
            "junk.pem",
            "-----BEGIN CERTIFICATE-----\nAAECAwQFBgc=\n-----END CERTIFICATE-----\n",
        );
        assert!(
            junk.contains("junk.pem: certificate 1 cannot be a trusted root"),
            "{junk}"
        );
    }

    #[test]
    fn mcp_origins_and_hosts_are_checked_and_default_to_this_machines_pages() {
        let defaults = resolve(SettingsArgs::default()).unwrap();
        assert_eq!(defaults.mcp_allowed_origins, DEFAULT_MCP_ALLOWED_ORIGINS);
        assert!(defaults.mcp_allowed_hosts.is_empty());
        assert_eq!(defaults.mcp_connect_wait, DEFAULT_MCP_CONNECT_WAIT);

        let set = resolve(SettingsArgs {
            mcp_allowed_origins: Some(" https://app.example.com , http://10.0.0.5:*,null".into()),
            mcp_allowed_hosts: Some("mcp.example.com,10.0.0.5:8080".into()),
            ..SettingsArgs::default()
        })
        .unwrap();
        assert_eq!(
            set.mcp_allowed_origins,
            ["https://app.example.com", "http://10.0.0.5:*", "null"]
        );
        assert_eq!(set.mcp_allowed_hosts, ["mcp.example.com", "10.0.0.5:8080"]);

        for (origin, why) in [
            ("app.example.com", "has no scheme"),
            ("ftp://app.example.com", "the scheme must be http or https"),
            ("https://app.example.com/path", "no path"),
            ("https://user@app.example.com", "no path"),
        ] {
            let refused = refusal(SettingsArgs {
                mcp_allowed_origins: Some(origin.into()),
                ..SettingsArgs::default()
            });
            assert!(
                refused.contains("ACTIONHOST_MCP_ALLOWED_ORIGINS") && refused.contains(why),
                "{origin}: {refused}"
            );
        }
        let refused = refusal(SettingsArgs {
            mcp_allowed_hosts: Some("https://mcp.example.com".into()),
            ..SettingsArgs::default()
        });
        assert!(
            refused.contains("ACTIONHOST_MCP_ALLOWED_HOSTS") && refused.contains("not a host"),
            "{refused}"
        );
    }

    #[test]
    fn identity_provider_settings_are_checked_at_startup_without_echoing_values() {
        let jwks = |url: &str| SettingsArgs {
            jwt_jwks_url: Some(url.into()),
            ..SettingsArgs::default()
        };
        let settings = resolve(SettingsArgs {
            jwt_issuer: Some("https://idp.example".into()),
            jwt_audience: Some("https://host.example/mcp".into()),
            ..jwks("https://idp.example/.well-known/jwks.json")
        })
        .unwrap();
        assert_eq!(
            settings.jwt_jwks_url.unwrap().as_str(),
            "https://idp.example/.well-known/jwks.json"
        );
        assert_eq!(settings.jwks_cooldown, DEFAULT_JWKS_COOLDOWN);

        assert_eq!(
            refusal(jwks("ftp://idp.example/jwks")),
            "setting ACTIONHOST_JWT_JWKS_URL is invalid: must be an http or https URL, not `ftp:`"
        );
        assert_eq!(
            refusal(jwks("idp.example/jwks")),
            "setting ACTIONHOST_JWT_JWKS_URL is invalid: is not a URL (relative URL without a base)"
        );
        assert_eq!(
            refusal(jwks("https://user:hunter2@idp.example/jwks")),
            "setting ACTIONHOST_JWT_JWKS_URL is invalid: must not carry a user name or password: \
             a key set is public"
        );
        assert_eq!(
            refusal(SettingsArgs {
                jwt_public_key: Some("-----BEGIN PUBLIC KEY-----".into()),
                ..jwks("https://idp.example/jwks")
            }),
            "setting ACTIONHOST_JWT_JWKS_URL is invalid: cannot be used together with \
             ACTIONHOST_JWT_PUBLIC_KEY: user tokens are verified one way; unset one of them"
        );
        let secret = "a-secret-of-at-least-thirty-two-bytes!!";
        let together = refusal(SettingsArgs {
            jwt_secret: Some(secret.into()),
            ..jwks("https://idp.example/jwks")
        });
        assert!(
            together.contains("cannot be used together with ACTIONHOST_JWT_SECRET"),
            "{together}"
        );
        assert!(!together.contains(secret));
        assert_eq!(
            refusal(SettingsArgs {
                jwt_issuer: Some(" ".into()),
                ..SettingsArgs::default()
            }),
            "setting ACTIONHOST_JWT_ISSUER is invalid: is empty; unset it to not check this claim"
        );
        assert_eq!(
            refusal(SettingsArgs {
                jwt_audience: Some("https://host.example/mcp ".into()),
                ..SettingsArgs::default()
            }),
            "setting ACTIONHOST_JWT_AUDIENCE is invalid: has leading or trailing white space, \
             which a token's claim would never match"
        );
    }

    #[test]
    fn the_key_set_timings_come_from_the_settings_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("actionhost.toml"),
            "jwt_jwks_url = \"http://127.0.0.1:9/jwks\"\njwt_jwks_cooldown_seconds = 0.5\n\
             jwt_jwks_max_age_seconds = 60\n",
        )
        .unwrap();
        let settings = Settings::resolve(&SettingsArgs {
            data_dir: Some(dir.path().to_path_buf()),
            ..SettingsArgs::default()
        })
        .unwrap();
        assert_eq!(settings.jwks_cooldown, Duration::from_millis(500));
        assert_eq!(settings.jwks_max_age, Duration::from_secs(60));
        assert!(settings.jwt_jwks_url.is_some());
    }
}
