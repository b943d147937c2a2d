//! Load-time validation: a plugin is refused with every reason at once, so its author can fix
//! them in one go.

use wasmtime::Engine;
use wasmtime::component::Component;

use super::bindings::types;
use super::guest::Contract;
use crate::manifest::{
    ActionDefinition, AuthKind, CredentialKind, CredentialPlacement, ProviderInfo,
    SEED_INTEGRATIONS, is_action_name, is_integration_id,
};
use crate::origin::Origin;

/// The contract version this host implements (the WIT package version).
pub const CONTRACT_PACKAGE: &str = "actionhost:provider";
pub const CONTRACT_VERSION: &str = "0.4.0";

/// How large a plugin's catalog may be (`[limits]` in `actionhost.toml`). Checked on the text
/// the plugin returned, before the host parses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogLimits {
    /// Bytes of one input or output schema, as JSON text (also for `describe` results).
    pub schema_bytes: usize,
    /// Actions one plugin may declare.
    pub actions: usize,
    /// Bytes of every schema and description of one plugin together.
    pub catalog_bytes: usize,
    /// Bytes of one description or name.
    pub text_bytes: usize,
}

impl Default for CatalogLimits {
    fn default() -> Self {
        CatalogLimits {
            schema_bytes: 256 * 1024,
            actions: 1000,
            catalog_bytes: 16 * 1024 * 1024,
            text_bytes: 16 * 1024,
        }
    }
}

/// Reasons listed in one refusal; the rest are counted.
const MAX_REASONS: usize = 50;
/// Longest reason kept.
const MAX_REASON_BYTES: usize = 1024;
/// Categories, origins and OAuth scopes or parameters a plugin may declare, and the length of
/// each (they are copied into every listing).
const MAX_DECLARED_ITEMS: usize = 64;
const MAX_DECLARED_ITEM_BYTES: usize = 256;

/// Why a component was refused: every reason found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("plugin refused: {}", reasons.join("; "))]
pub struct LoadError {
    /// The provider id, when the plugin got far enough to say it.
    pub plugin_id: Option<String>,
    pub reasons: Vec<String>,
}

impl LoadError {
    pub fn single(reason: impl Into<String>) -> Self {
        LoadError {
            plugin_id: None,
            reasons: vec![reason.into()],
        }
    }
}

/// Refuses components built against another contract version, naming both versions.
pub fn check_contract_version(
    engine: &Engine,
    component: &Component,
) -> Result<Contract, LoadError> {
    let ty = component.component_type();
    let interface = format!("{CONTRACT_PACKAGE}/plugin");
    let exported: Vec<String> = ty
        .exports(engine)
        .map(|(name, _)| name.to_string())
        .filter(|name| name.starts_with(&interface))
        .collect();
    let Some(name) = exported.first() else {
        return Err(LoadError::single(format!(
            "the component does not export {interface}@{CONTRACT_VERSION}: it is not an actionhost provider plugin"
        )));
    };
    let version = name.split_once('@').map(|(_, v)| v).unwrap_or("(none)");
    let Some(contract) = compatible(version) else {
        return Err(LoadError::single(format!(
            "the component was built against {CONTRACT_PACKAGE}@{version}; this host implements \
             {CONTRACT_PACKAGE}@{CONTRACT_VERSION} and still loads 0.3.x, 0.2.x and 0.1.x (rebuild it \
             with a matching actionhost-sdk)"
        )));
    };
    Ok(contract)
}

/// What is wrong with a header the host injects a secret into (an OAuth token header, an
/// operator credential): it must be a valid header name that no transport rule owns, with a
/// prefix that is a valid header value, each of bounded length.
fn secret_header_problem(header: &crate::manifest::TokenHeader) -> Option<String> {
    const TRANSPORT: &[&str] = &[
        "host",
        "cookie",
        "connection",
        "content-length",
        "content-type",
        "transfer-encoding",
        "te",
        "upgrade",
        "keep-alive",
        "accept-encoding",
        "range",
        "if-range",
    ];
    let lower = header.name.to_ascii_lowercase();
    if header.name.is_empty()
        || header.name.len() > MAX_DECLARED_ITEM_BYTES
        || reqwest::header::HeaderName::from_bytes(header.name.as_bytes()).is_err()
    {
        return Some(format!("names an invalid header {:?}", quote(&header.name)));
    }
    if TRANSPORT.contains(&lower.as_str()) || lower.starts_with("proxy-") {
        return Some(format!(
            "names header {:?}, which carries no credential",
            quote(&header.name)
        ));
    }
    if header.prefix.len() > MAX_DECLARED_ITEM_BYTES
        || reqwest::header::HeaderValue::from_str(&header.prefix).is_err()
    {
        return Some(format!(
            "has a prefix {:?} that is not a valid header value",
            quote(&header.prefix)
        ));
    }
    None
}

/// The contract a component's version belongs to: the same major.minor while the major is 0
/// (semver's rule for 0.x), of 0.4 (current), 0.3, 0.2 or 0.1 (still loaded).
fn compatible(version: &str) -> Option<Contract> {
    let theirs: Vec<&str> = version.split('.').collect();
    if theirs.len() != 3 || theirs[2].parse::<u32>().is_err() {
        return None;
    }
    match (theirs[0], theirs[1]) {
        ("0", "4") => Some(Contract::V04),
        ("0", "3") => Some(Contract::V03),
        ("0", "2") => Some(Contract::V02),
        ("0", "1") => Some(Contract::V01),
        _ => None,
    }
}

/// What is wrong with the alternative ways to connect: each must be a real credential of a kind
/// no other declared auth has, so an account's credential names exactly one of them.
/// Beyond this many alternatives a list is refused by its length alone.
const MAX_ALTERNATIVE_AUTH: usize = 8;

fn alternative_auth_problems(info: &ProviderInfo) -> Vec<String> {
    let mut reasons = Vec::new();
    if info.alternative_auth.is_empty() {
        return reasons;
    }
    // Three kinds carry a credential, so a list longer than a few repeats one; a hostile list of
    // thousands is refused by its length and not walked.
    if info.alternative_auth.len() > MAX_ALTERNATIVE_AUTH {
        reasons.push(format!(
            "alternative-auth lists {} ways to connect; at most one of each kind besides the \
             primary auth is allowed",
            info.alternative_auth.len()
        ));
        return reasons;
    }
    if info.auth.kind() == CredentialKind::None {
        reasons.push(
            "auth is none but alternative-auth is declared: a provider that needs no credential \
             has no way to connect"
                .into(),
        );
    }
    let mut seen = vec![info.auth.kind()];
    for alternative in &info.alternative_auth {
        let kind = alternative.kind();
        if kind == CredentialKind::None {
            reasons.push("alternative-auth lists none; it lists ways to connect an account".into());
        } else if seen.contains(&kind) {
            reasons.push(format!(
                "alternative-auth declares {} twice (counting the primary auth): an account's \
                 credential must name one way to connect",
                kind.as_str()
            ));
        }
        seen.push(kind);
    }
    reasons
}

/// Checks provider info and actions; returns the parsed actions and every problem found (at
/// most [`MAX_REASONS`], then a count of the rest).
pub fn check_catalog(
    info: &ProviderInfo,
    actions: Vec<types::ActionDefinition>,
    limits: &CatalogLimits,
) -> (Vec<ActionDefinition>, Vec<String>) {
    let (parsed, mut reasons) = catalog_problems(info, actions, limits);
    // A reason may quote what a schema library said about a large schema.
    for reason in &mut reasons {
        if reason.len() > MAX_REASON_BYTES {
            *reason = crate::quote::clip(reason, MAX_REASON_BYTES).into_owned();
        }
    }
    if reasons.len() > MAX_REASONS {
        let more = reasons.len() - MAX_REASONS;
        reasons.truncate(MAX_REASONS);
        reasons.push(format!("… and {more} more problems"));
    }
    (parsed, reasons)
}

/// Scope entries per action, and scopes per entry.
const MAX_ACTION_SCOPES: usize = 16;

/// Text a plugin gave, quoted in a reason: at most 100 bytes.
fn quote(text: &str) -> std::borrow::Cow<'_, str> {
    crate::quote::clip(text, 100)
}

fn catalog_problems(
    info: &ProviderInfo,
    actions: Vec<types::ActionDefinition>,
    limits: &CatalogLimits,
) -> (Vec<ActionDefinition>, Vec<String>) {
    let mut reasons = Vec::new();
    if actions.len() > limits.actions {
        // Nothing else is read from a catalog this large.
        reasons.push(format!(
            "the plugin declares {} actions; at most {} are allowed",
            actions.len(),
            limits.actions
        ));
        return (Vec::new(), reasons);
    }
    let total: usize = actions
        .iter()
        .map(|a| {
            a.name.len()
                + a.scopes.iter().flatten().map(String::len).sum::<usize>()
                + a.description.len()
                + a.input_schema.len()
                + a.output_schema.as_ref().map_or(0, String::len)
        })
        .sum();
    if total > limits.catalog_bytes {
        reasons.push(format!(
            "the plugin's actions take {total} bytes of names, descriptions and schemas; at most {} are allowed",
            limits.catalog_bytes
        ));
        return (Vec::new(), reasons);
    }
    for (what, text) in [
        ("provider name", &info.name),
        ("provider description", &info.description),
        ("provider version", &info.version),
    ] {
        if text.len() > limits.text_bytes {
            reasons.push(format!(
                "the {what} is {} bytes; at most {} are allowed",
                text.len(),
                limits.text_bytes
            ));
        }
    }
    if !is_integration_id(&info.id) {
        reasons.push(format!(
            "provider id {:?} must match ^[a-z][a-z0-9_]{{0,31}}$",
            quote(&info.id)
        ));
    } else if let Some(seed) = SEED_INTEGRATIONS
        .iter()
        .find(|seed| info.id.len() > seed.len() && info.id.starts_with(&format!("{seed}_")))
    {
        // It would own names under the seed's prefix (`github_create` owns GITHUB_CREATE_…).
        reasons.push(format!(
            "provider id {:?} extends the {seed} integration's id, so its action names would take {}'s",
            info.id,
            seed.to_ascii_uppercase()
        ));
    }
    let mut declared: Vec<(&str, &str)> = Vec::new();
    declared.extend(info.categories.iter().map(|c| ("category", c.as_str())));
    declared.extend(info.origins.iter().map(|(o, _)| ("origin", o.as_str())));
    for oauth in info
        .auth_kinds()
        .take(1 + MAX_ALTERNATIVE_AUTH)
        .filter_map(|a| match a {
            AuthKind::OAuth2(oauth) => Some(oauth),
            _ => None,
        })
    {
        declared.extend(
            oauth
                .default_scopes
                .iter()
                .map(|s| ("oauth2 scope", s.as_str())),
        );
        declared.extend(oauth.extra_authorize_params.iter().flat_map(|(k, v)| {
            [
                ("oauth2 parameter", k.as_str()),
                ("oauth2 parameter", v.as_str()),
            ]
        }));
        declared.push(("oauth2 scope separator", oauth.scope_separator.as_str()));
        declared.push(("oauth2 authorize-url", oauth.authorize_url.as_str()));
        declared.push(("oauth2 token-url", oauth.token_url.as_str()));
        declared.extend(
            oauth
                .revoke_url
                .iter()
                .map(|u| ("oauth2 revoke-url", u.as_str())),
        );
    }
    for auth in info.auth_kinds().take(1 + MAX_ALTERNATIVE_AUTH) {
        let AuthKind::ApiKey { placement, .. } = auth else {
            continue;
        };
        let (CredentialPlacement::Header { name, prefix }
        | CredentialPlacement::Query { name, prefix }) = placement
        else {
            continue;
        };
        declared.push(("api-key name", name.as_str()));
        declared.push(("api-key prefix", prefix.as_str()));
    }
    for what in ["category", "origin"] {
        let count = declared.iter().filter(|(kind, _)| *kind == what).count();
        if count > MAX_DECLARED_ITEMS {
            reasons.push(format!(
                "the plugin declares {count} {what}s; at most {MAX_DECLARED_ITEMS} are allowed"
            ));
        }
    }
    if declared.len() > 4 * MAX_DECLARED_ITEMS {
        reasons.push(format!(
            "the plugin declares {} categories, origins, scopes and parameters; at most {} are allowed",
            declared.len(),
            4 * MAX_DECLARED_ITEMS
        ));
    }
    for (what, text) in &declared {
        if text.len() > MAX_DECLARED_ITEM_BYTES {
            reasons.push(format!(
                "the {what} {:?} is {} bytes; at most {MAX_DECLARED_ITEM_BYTES} are allowed",
                quote(text),
                text.len()
            ));
        }
    }
    if info.name.trim().is_empty() {
        reasons.push("provider name is empty".into());
    }
    if !is_semver(&info.version) {
        reasons.push(format!(
            "provider version {:?} is not a semantic version (e.g. 1.0.0)",
            quote(&info.version)
        ));
    }
    if let Err(problems) = crate::account_fields::AccountFields::new(info) {
        reasons.extend(problems);
    }
    for (origin, credentials) in &info.origins {
        // Templates are checked with the account fields.
        if origin.contains(['{', '}']) {
            continue;
        }
        match Origin::parse(origin) {
            Err(e) => reasons.push(format!(
                "declared origin {:?} is invalid: {e}",
                quote(origin)
            )),
            Ok(parsed) => {
                if let Some(problem) = parsed.wildcard_problem() {
                    reasons.push(format!("declared origin {problem}"));
                } else if parsed.wildcard_domain().is_some() && *credentials {
                    reasons.push(format!(
                        "declared origin {parsed} is a wildcard, so it may only be declared \
                         without credentials (origin_without_credentials): the user's credential \
                         goes only to hosts the plugin names"
                    ));
                }
            }
        }
    }
    reasons.extend(alternative_auth_problems(info));
    if let Some(credential) = &info.operator_credential {
        if credential.label.trim().is_empty() || credential.label.len() > MAX_DECLARED_ITEM_BYTES {
            reasons.push(format!(
                "operator-credential label {:?} must be 1 to {MAX_DECLARED_ITEM_BYTES} bytes",
                quote(&credential.label)
            ));
        }
        if let Some(problem) = secret_header_problem(&credential.header) {
            reasons.push(format!("operator-credential {problem}"));
        }
    }
    for auth in info.auth_kinds().take(1 + MAX_ALTERNATIVE_AUTH) {
        match auth {
            AuthKind::None => {}
            AuthKind::Basic {
                username_label,
                password_label,
            } => {
                for label in [username_label, password_label] {
                    if label.len() > MAX_DECLARED_ITEM_BYTES {
                        reasons.push(format!(
                        "basic auth label {:?} is {} bytes; at most {MAX_DECLARED_ITEM_BYTES} are allowed",
                        quote(label),
                        label.len()
                    ));
                    }
                }
            }
            AuthKind::ApiKey {
                placement,
                operator_key,
            } => {
                let (CredentialPlacement::Header { name, .. }
                | CredentialPlacement::Query { name, .. }) = placement
                else {
                    unreachable!("api-key auth always has a header or query placement")
                };
                if let Some(key) = operator_key {
                    let header_ok = key.query
                        || reqwest::header::HeaderName::from_bytes(key.name.as_bytes()).is_ok();
                    if key.name.is_empty() || !header_ok || key.name.len() > MAX_DECLARED_ITEM_BYTES
                    {
                        reasons.push(format!(
                            "api-key operator-key names an invalid header or parameter {:?}",
                            quote(&key.name)
                        ));
                    } else if key.name.eq_ignore_ascii_case(name)
                        && key.query == matches!(placement, CredentialPlacement::Query { .. })
                    {
                        reasons.push(format!(
                            "api-key operator-key {:?} is where the user's key goes",
                            quote(&key.name)
                        ));
                    }
                }
                let header_ok = !matches!(placement, CredentialPlacement::Header { .. })
                    || reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok();
                if name.is_empty() || !header_ok {
                    reasons.push(format!(
                        "api-key auth names an invalid header or parameter {:?}",
                        quote(name)
                    ));
                }
            }
            AuthKind::OAuth2(oauth) => {
                if let Some(problem) = oauth.token_header.as_ref().and_then(secret_header_problem) {
                    reasons.push(format!("oauth2 token-header {problem}"));
                }
                for (what, url) in [
                    ("authorize-url", &oauth.authorize_url),
                    ("token-url", &oauth.token_url),
                ]
                .into_iter()
                .chain(oauth.revoke_url.iter().map(|u| ("revoke-url", u)))
                {
                    // A template is checked with sample values (its fields by AccountFields).
                    let sample: crate::account_fields::FieldValues = info
                        .account_fields
                        .iter()
                        .map(|f| (f.name.clone(), "x".to_string()))
                        .collect();
                    let url = &crate::account_fields::substitute(url, &sample)
                        .unwrap_or_else(|_| url.clone());
                    if url::Url::parse(url).map(|u| u.scheme().starts_with("http")) != Ok(true) {
                        reasons.push(format!(
                            "oauth2 {what} {:?} is not an http(s) URL",
                            quote(url)
                        ));
                    }
                }
            }
        }
    }

    if actions.is_empty() {
        reasons.push("the plugin declares no actions".into());
    }
    let prefix = format!("{}_", info.id.to_ascii_uppercase());
    let mut seen = std::collections::HashSet::new();
    let mut parsed = Vec::new();
    for action in actions {
        let name = quote(&action.name).into_owned();
        if !is_action_name(&action.name) {
            reasons.push(format!(
                "action name {name:?} must match ^[A-Z][A-Z0-9_]{{0,63}}$"
            ));
        } else if !action.name.starts_with(&prefix) {
            reasons.push(format!("action name {name:?} must start with {prefix:?}"));
        } else if let Some(owner) = seed_owner(&info.id, &action.name) {
            reasons.push(format!(
                "action name {name:?} falls under {}_, which belongs to the {owner} integration",
                owner.to_ascii_uppercase()
            ));
        }
        if !seen.insert(action.name.clone()) {
            reasons.push(format!("action {name:?} is declared twice"));
        }
        if action.description.trim().is_empty() {
            reasons.push(format!("action {name:?} has no description"));
        }
        let scopes = action.scopes.iter().flatten().count();
        if action.scopes.len() > MAX_ACTION_SCOPES
            || action
                .scopes
                .iter()
                .any(|any_of| any_of.is_empty() || any_of.len() > MAX_ACTION_SCOPES)
            || action
                .scopes
                .iter()
                .flatten()
                .any(|s| s.is_empty() || s.len() > MAX_DECLARED_ITEM_BYTES)
        {
            reasons.push(format!(
                "action {name:?} declares {scopes} scopes in {} entries; each entry needs 1 to \
                 {MAX_ACTION_SCOPES} scopes of 1 to {MAX_DECLARED_ITEM_BYTES} bytes, at most \
                 {MAX_ACTION_SCOPES} entries",
                action.scopes.len()
            ));
        }
        let oversized = schema_size_problem(&name, &action, limits);
        if let Some(problem) = oversized {
            reasons.push(problem);
            continue;
        }
        match ActionDefinition::try_from(action) {
            Err(e) => reasons.push(e),
            Ok(definition) => {
                reasons.extend(schema_problems(
                    &name,
                    "input",
                    &definition.input_schema,
                    true,
                ));
                if let Some(output) = &definition.output_schema {
                    reasons.extend(schema_problems(&name, "output", output, false));
                }
                parsed.push(definition);
            }
        }
    }
    (parsed, reasons)
}

/// A seed integration whose action prefix `name` falls under although it is not `id`'s own
/// (`GOOGLE_CALENDAR_CREATE_EVENT` declared by a plugin `google`).
fn seed_owner(id: &str, name: &str) -> Option<&'static str> {
    SEED_INTEGRATIONS.iter().copied().find(|seed| {
        seed.len() > id.len()
            && name.len() > seed.len()
            && name[..seed.len()].eq_ignore_ascii_case(seed)
            && name.as_bytes()[seed.len()] == b'_'
    })
}

/// Whether an action's schemas or description exceed their caps; checked before the schemas
/// are parsed (also for what `describe` returns).
pub fn schema_size_problem(
    name: &str,
    action: &types::ActionDefinition,
    limits: &CatalogLimits,
) -> Option<String> {
    let sizes = [
        ("input", action.input_schema.len()),
        (
            "output",
            action.output_schema.as_ref().map_or(0, String::len),
        ),
    ];
    sizes
        .into_iter()
        .find(|(_, size)| *size > limits.schema_bytes)
        .map(|(which, size)| {
            format!(
                "{name}: {which} schema is {size} bytes; at most {} are allowed",
                limits.schema_bytes
            )
        })
}

/// Warnings for an operator about what a plugin declares: origins that are IP literals or
/// private addresses (refused at run time unless the operator opens them).
pub fn origin_warnings(info: &ProviderInfo) -> Vec<String> {
    let mut warnings = Vec::new();
    for (text, _) in &info.origins {
        let Ok(origin) = Origin::parse(text) else {
            continue;
        };
        if let Some(why) = origin.private_reason() {
            warnings.push(format!(
                "origin {origin} is a private address ({why}): requests to it are refused unless an operator opens exactly this origin"
            ));
        } else if origin.is_ip_literal() {
            warnings.push(format!(
                "origin {origin} is an IP address rather than a host name"
            ));
        } else if let Some(domain) = origin.wildcard_domain() {
            warnings.push(format!(
                "origin {origin} is a wildcard: the plugin may reach any host under {domain}, \
                 without credentials (list the origins you allow in its policy to narrow it)"
            ));
        }
    }
    warnings
}

fn schema_problems(
    action: &str,
    which: &str,
    schema: &serde_json::Value,
    object_root: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
        problems.push(format!(
            "{action}: {which} schema is not valid JSON Schema 2020-12 at {}: {e}",
            pointer_or_root(&e.instance_path().to_string())
        ));
    } else if let Err(e) = crate::schema::compile(schema) {
        problems.push(format!("{action}: {which} schema cannot be compiled: {e}"));
    }
    if object_root && schema.get("type").and_then(|t| t.as_str()) != Some("object") {
        problems.push(format!(
            "{action}: {which} schema must have \"type\": \"object\" at its root"
        ));
    }
    problems
}

fn pointer_or_root(pointer: &str) -> &str {
    if pointer.is_empty() {
        "the root"
    } else {
        pointer
    }
}

fn is_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_action_names_follow_the_contract() {
        assert!(is_integration_id("github"));
        assert!(is_integration_id("google_calendar"));
        assert!(!is_integration_id("GitHub"));
        assert!(!is_integration_id("1password"));
        assert!(!is_integration_id(&"a".repeat(33)));
        assert!(is_action_name("GITHUB_CREATE_ISSUE"));
        assert!(!is_action_name("github_create_issue"));
        assert!(!is_action_name(&"A".repeat(65)));
    }

    #[test]
    fn alternative_auth_names_distinct_real_credentials() {
        let key = AuthKind::ApiKey {
            placement: CredentialPlacement::Header {
                name: "X-Key".into(),
                prefix: String::new(),
            },
            operator_key: None,
        };
        let basic = AuthKind::Basic {
            username_label: "E-mail".into(),
            password_label: "API token".into(),
        };
        let info = |auth: AuthKind, alternative_auth: Vec<AuthKind>| ProviderInfo {
            id: "acme".into(),
            name: "Acme".into(),
            version: "1.0.0".into(),
            description: String::new(),
            categories: Vec::new(),
            auth,
            alternative_auth,
            origins: Vec::new(),
            account_fields: Vec::new(),
            operator_credential: None,
        };
        assert!(alternative_auth_problems(&info(key.clone(), vec![basic.clone()])).is_empty());
        assert!(alternative_auth_problems(&info(key.clone(), vec![])).is_empty());
        assert_eq!(
            alternative_auth_problems(&info(
                key.clone(),
                vec![AuthKind::None, key.clone(), basic.clone(), basic.clone()]
            )),
            [
                "alternative-auth lists none; it lists ways to connect an account",
                "alternative-auth declares api_key twice (counting the primary auth): an \
                 account's credential must name one way to connect",
                "alternative-auth declares basic twice (counting the primary auth): an account's \
                 credential must name one way to connect",
            ]
        );
        assert_eq!(
            alternative_auth_problems(&info(key.clone(), vec![basic.clone(); 100_000])),
            [
                "alternative-auth lists 100000 ways to connect; at most one of each kind besides \
                 the primary auth is allowed"
            ]
        );
        assert_eq!(
            alternative_auth_problems(&info(AuthKind::None, vec![basic])),
            [
                "auth is none but alternative-auth is declared: a provider that needs no \
              credential has no way to connect"
            ]
        );
    }

    #[test]
    fn only_the_same_minor_of_a_0_x_contract_is_compatible() {
        assert_eq!(compatible("0.3.0"), Some(Contract::V03));
        assert_eq!(compatible("0.3.2"), Some(Contract::V03));
        assert_eq!(compatible("0.2.0"), Some(Contract::V02));
        assert_eq!(compatible("0.2.7"), Some(Contract::V02));
        assert_eq!(compatible("0.1.0"), Some(Contract::V01));
        assert_eq!(compatible("0.4.0"), Some(Contract::V04));
        assert_eq!(compatible("0.5.0"), None);
        assert_eq!(compatible("1.1.0"), None);
        assert_eq!(compatible("garbage"), None);
    }
}
