//! Account fields: per-account, non-secret settings a plugin declares (Shopify's `shop`,
//! Salesforce's `instance_url`, Jira's `cloud_id`), checked against the plugin's patterns, and
//! the origin and OAuth URL templates that use them (`https://{shop}.myshopify.com`).
//!
//! A value goes into a template only if it matches its field's pattern (the whole value) and,
//! where the template has text around it, only if it is made of host-name characters: a value
//! cannot move a request to another host than the template names. A template that is a field
//! alone (`{instance_url}`) takes an origin (or URL) as the value, which must parse as one. The
//! resolved origin then passes every egress check like a declared one.

use std::collections::BTreeMap;
use std::sync::Arc;

use regex::Regex;

use crate::manifest::{AccountField, FieldSource, OAuth2Endpoints, ProviderInfo};
use crate::origin::Origin;
use crate::quote::clip;

/// Longest value a field may have.
pub const MAX_FIELD_VALUE: usize = 2048;
/// Fields a plugin may declare.
pub const MAX_FIELDS: usize = 16;
/// Compiled size cap of one field pattern.
const PATTERN_SIZE_LIMIT: usize = 256 * 1024;

/// An account's field values, by name.
pub type FieldValues = BTreeMap<String, String>;

/// A plugin's declared fields with their patterns compiled, and its templated origins.
#[derive(Debug, Clone, Default)]
pub struct AccountFields {
    fields: Vec<(AccountField, Option<Regex>)>,
    /// Origins naming fields, with whether credentials go to them.
    templates: Vec<(String, bool)>,
    /// Fields that are a whole origin (`{instance_url}`, `{base_url}`): their values must be
    /// https origins with a domain name.
    whole_origins: Vec<String>,
    /// The plugin's OAuth endpoints when none of their URLs names a field: the same for every
    /// account, so shared rather than resolved (and copied) on every call.
    fixed_endpoints: Option<Arc<OAuth2Endpoints>>,
}

/// The `{name}` placeholders of a template, in order; an error for an unclosed brace.
pub fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("{:?} has an unclosed '{{'", clip(template, 100)))?;
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        return Err(format!("{:?} has an unopened '}}'", clip(template, 100)));
    }
    Ok(names)
}

/// Where a template may name fields.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape<'a> {
    /// `{name}`: the whole origin (a token-response field, or a user field such as a
    /// self-managed GitLab's `{base_url}`).
    Whole(&'a str),
    /// `scheme://[{name}.]suffix[:port][/path with {names}]`: at most the leftmost host label(s)
    /// before a fixed suffix of two labels or more, and path segments.
    Parts {
        host: Option<&'a str>,
        path: Vec<&'a str>,
    },
}

impl Shape<'_> {
    fn names(&self) -> Vec<&str> {
        match self {
            Shape::Whole(name) => vec![name],
            Shape::Parts { host, path } => host.iter().chain(path).copied().collect(),
        }
    }
}

/// Checks where `template` names fields: a value may choose the leading labels of a host under
/// the plugin's own fixed suffix (`https://{shop}.myshopify.com`), path segments of an OAuth URL
/// (`…/{tenant}/oauth2/…`), or, for an origin, be the whole origin (`{instance_url}`); nothing
/// else, so no value can move a request to a host the plugin did not name.
fn template_shape(template: &str, origin: bool) -> Result<Shape<'_>, String> {
    let names = placeholders(template)?;
    if names.len() == 1 && template == format!("{{{}}}", names[0]) {
        if !origin {
            return Err("a URL may not be one field; name fields in the host or path".into());
        }
        return Ok(Shape::Whole(names[0]));
    }
    let rest = template
        .strip_prefix("https://")
        .or_else(|| template.strip_prefix("http://"))
        .ok_or("must start with https:// (or http://)")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if origin && !path.is_empty() {
        return Err("an origin has no path".into());
    }
    let host = match authority.strip_prefix('{') {
        None => None,
        Some(after) => {
            let (name, suffix) = after.split_once('}').ok_or("has an unclosed '{'")?;
            let fixed = suffix.split(':').next().unwrap_or_default();
            if !fixed.starts_with('.')
                || fixed[1..].split('.').filter(|l| !l.is_empty()).count() < 2
            {
                return Err(format!(
                    "{{{name}}} must be followed by a fixed domain of two labels or more \
                     (`{{{name}}}.example.com`)"
                ));
            }
            Some(name)
        }
    };
    let fixed_authority = match host {
        Some(name) => &authority[name.len() + 2..],
        None => authority,
    };
    if fixed_authority.contains(['{', '}']) {
        return Err("a field may only be the leading label(s) of the host".into());
    }
    let path_names = placeholders(path)?;
    for segment in path.split(['/', '?', '&', '=']) {
        if segment.contains('{') && !(segment.starts_with('{') && segment.ends_with('}')) {
            return Err(format!(
                "{segment:?}: a field in a path must be a whole segment"
            ));
        }
    }
    Ok(Shape::Parts {
        host,
        path: path_names,
    })
}

fn is_host_text(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Substitutes `values` into `template`. A placeholder with text around it takes only host-name
/// characters; a template that is one placeholder takes the value as it is.
pub fn substitute(template: &str, values: &FieldValues) -> Result<String, String> {
    let names = placeholders(template)?;
    let alone = names.len() == 1 && template == format!("{{{}}}", names[0]);
    let mut out = template.to_string();
    for name in names {
        let value = values
            .get(name)
            .ok_or_else(|| format!("the account has no field {name:?}"))?;
        if !alone && !is_host_text(value) {
            return Err(format!(
                "field {name:?} is used inside {:?} and may hold only letters, digits, '-' and '.'",
                clip(template, 100)
            ));
        }
        out = out.replacen(&format!("{{{name}}}"), value, 1);
    }
    Ok(out)
}

impl AccountFields {
    /// Compiles a plugin's declarations; every problem found (names, patterns, templates).
    pub fn new(info: &ProviderInfo) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let mut fields = Vec::new();
        if info.account_fields.len() > MAX_FIELDS {
            problems.push(format!(
                "the plugin declares {} account fields; at most {MAX_FIELDS} are allowed",
                info.account_fields.len()
            ));
            return Err(problems);
        }
        if !info.account_fields.is_empty() && !info.needs_account() {
            problems.push(
                "the plugin declares account fields but no auth kind: without accounts they \
                 could never be given"
                    .into(),
            );
        }
        for field in &info.account_fields {
            if !crate::manifest::is_integration_id(&field.name) {
                problems.push(format!(
                    "account field name {:?} must match ^[a-z][a-z0-9_]{{0,31}}$",
                    clip(&field.name, 100)
                ));
            }
            if field.source == FieldSource::TokenResponse
                && (field.name.contains("token") || field.name.contains("secret"))
            {
                problems.push(format!(
                    "account field {:?} would copy a secret of the token response into a \
                     non-secret field",
                    clip(&field.name, 100)
                ));
            }
            if fields
                .iter()
                .any(|(f, _): &(AccountField, _)| f.name == field.name)
            {
                problems.push(format!("account field {:?} is declared twice", field.name));
            }
            if field.description.len() > 1024 {
                problems.push(format!(
                    "account field {:?} has a description over 1024 bytes",
                    clip(&field.name, 100)
                ));
            }
            let pattern = match &field.pattern {
                None => None,
                Some(p) if p.len() > 1024 => {
                    problems.push(format!(
                        "account field {:?} has a pattern over 1024 bytes",
                        clip(&field.name, 100)
                    ));
                    None
                }
                // Compiled alone first: a pattern that closes the group it is wrapped in
                // (`a)|(?:.*`) would otherwise escape the anchors.
                Some(p) => match regex::RegexBuilder::new(p)
                    .size_limit(PATTERN_SIZE_LIMIT)
                    .build()
                    .and_then(|_| {
                        regex::RegexBuilder::new(&format!(r"\A(?:{p})\z"))
                            .size_limit(PATTERN_SIZE_LIMIT)
                            .build()
                    }) {
                    Ok(re) => Some(re),
                    Err(e) => {
                        problems.push(format!(
                            "account field {:?} has an invalid pattern: {}",
                            clip(&field.name, 100),
                            clip(&e.to_string(), 300)
                        ));
                        None
                    }
                },
            };
            fields.push((field.clone(), pattern));
        }
        let mut this = AccountFields {
            whole_origins: Vec::new(),
            templates: info
                .origins
                .iter()
                .filter(|(o, _)| o.contains('{') || o.contains('}'))
                .cloned()
                .collect(),
            fields,
            fixed_endpoints: info
                .oauth2()
                .filter(|oauth| {
                    let mut urls = [&oauth.authorize_url, &oauth.token_url]
                        .into_iter()
                        .chain(&oauth.revoke_url);
                    !urls.any(|url| url.contains(['{', '}']))
                })
                .map(|oauth| Arc::new(oauth.clone())),
        };
        let mut templated: Vec<(&str, &str)> = this
            .templates
            .iter()
            .map(|(t, _)| ("origin", t.as_str()))
            .collect();
        if let Some(oauth) = info.oauth2() {
            templated.push(("oauth2 authorize-url", &oauth.authorize_url));
            templated.push(("oauth2 token-url", &oauth.token_url));
            if let Some(revoke) = &oauth.revoke_url {
                templated.push(("oauth2 revoke-url", revoke));
            }
        }
        for (what, template) in templated {
            if !template.contains(['{', '}']) {
                continue;
            }
            let shape = match template_shape(template, what == "origin") {
                Ok(shape) => shape,
                Err(e) => {
                    problems.push(format!("{what} {:?}: {e}", clip(template, 100)));
                    continue;
                }
            };
            if let Shape::Whole(name) = shape {
                this.whole_origins.push(name.to_string());
            }
            for name in shape.names() {
                let Some((field, pattern)) = this.fields.iter().find(|(f, _)| f.name == name)
                else {
                    problems.push(format!(
                        "{what} {:?} names {{{}}}, which is not a declared account field",
                        clip(template, 100),
                        clip(name, 40)
                    ));
                    continue;
                };
                if pattern.is_none() {
                    problems.push(format!(
                        "account field {name:?} is used in the {what} {:?} and must declare a pattern",
                        clip(template, 100)
                    ));
                }
                let allowed: &[FieldSource] = match (&shape, what == "origin") {
                    // Known before the authorization.
                    (_, false) => &[FieldSource::User],
                    // A whole origin comes from the provider's own token response, or from the
                    // user (a self-managed instance; for OAuth 2 accounts the operator's value).
                    (Shape::Whole(_), true) => &[FieldSource::TokenResponse, FieldSource::User],
                    // A leading host label: the user's or the provider's, never the plugin's.
                    (_, true) => &[FieldSource::User, FieldSource::TokenResponse],
                };
                if !allowed.contains(&field.source) {
                    problems.push(format!(
                        "the {what} {:?} uses account field {name:?}, whose source is {}; here it \
                         may only come from {}",
                        clip(template, 100),
                        source_name(field.source),
                        allowed
                            .iter()
                            .map(|s| source_name(*s))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ));
                }
            }
        }
        for (field, _) in &this.fields {
            let Some(default) = &field.default_value else {
                continue;
            };
            if field.source != FieldSource::User {
                problems.push(format!(
                    "account field {:?} has a default but comes from {}: only a field the user \
                     gives may have one",
                    clip(&field.name, 40),
                    source_name(field.source)
                ));
            } else if let Err(e) = this.check(&field.name, default) {
                problems.push(format!(
                    "account field {:?} has a default that does not fit it: {e}",
                    clip(&field.name, 40)
                ));
            }
        }
        if problems.is_empty() {
            Ok(this)
        } else {
            Err(problems)
        }
    }

    /// Gives every user field the user left out its default, if it has one.
    pub fn fill_defaults(&self, values: &mut FieldValues) {
        for (field, _) in &self.fields {
            if field.source == FieldSource::User
                && let Some(default) = &field.default_value
            {
                values
                    .entry(field.name.clone())
                    .or_insert_with(|| default.clone());
            }
        }
    }

    /// For an OAuth 2 account: a user field that is a whole origin (a self-managed instance)
    /// is not the user's to choose, since the account's token goes there. It takes the
    /// operator's value (`fixed`, the connection's fields) or its default; a different value
    /// given is refused, naming it.
    pub fn pin_oauth_origins(
        &self,
        given: &mut FieldValues,
        fixed: &FieldValues,
    ) -> Result<(), String> {
        for (field, _) in &self.fields {
            if field.source != FieldSource::User || !self.whole_origins.contains(&field.name) {
                continue;
            }
            let Some(value) = fixed.get(&field.name).or(field.default_value.as_ref()) else {
                return Err(format!(
                    "field {:?} is the instance an OAuth 2 account's token goes to, so the \
                     operator's connection must fix it (`fields` of PUT /admin/connections)",
                    field.name
                ));
            };
            match given.get(&field.name) {
                Some(other) if other != value => {
                    return Err(format!(
                        "field {:?} of an OAuth 2 account is {value:?}, the instance the \
                         operator's OAuth app belongs to; leave it out (another instance needs \
                         another way to connect); {:?} was given",
                        field.name,
                        clip(other, 100)
                    ));
                }
                _ => {
                    given.insert(field.name.clone(), value.clone());
                }
            }
        }
        Ok(())
    }

    /// Whether `name` is a user field used as a whole origin.
    pub fn is_user_origin(&self, name: &str) -> bool {
        self.whole_origins.iter().any(|n| n == name)
            && self
                .fields
                .iter()
                .any(|(f, _)| f.name == name && f.source == FieldSource::User)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The templated origins as declared.
    pub fn templates(&self) -> impl Iterator<Item = &str> {
        self.templates.iter().map(|(t, _)| t.as_str())
    }

    /// Keeps only the templated origins an operator's policy lists (verbatim).
    pub fn retain_templates(&mut self, allowed: &[String]) {
        self.templates.retain(|(t, _)| allowed.contains(t));
    }

    /// Whether the plugin has origins that depend on an account's fields.
    pub fn has_templates(&self) -> bool {
        !self.templates.is_empty()
    }

    /// The declared fields.
    pub fn declared(&self) -> impl Iterator<Item = &AccountField> {
        self.fields.iter().map(|(f, _)| f)
    }

    /// Checks one value against its field.
    pub fn check(&self, name: &str, value: &str) -> Result<(), String> {
        let Some((_, pattern)) = self.fields.iter().find(|(f, _)| f.name == name) else {
            return Err(format!(
                "{:?} is not an account field of this integration{}",
                clip(name, 40),
                self.known_names()
            ));
        };
        if value.len() > MAX_FIELD_VALUE {
            return Err(format!(
                "field {name:?} is {} bytes; at most {MAX_FIELD_VALUE} are allowed",
                value.len()
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(format!("field {name:?} contains control characters"));
        }
        if self.whole_origins.iter().any(|n| n == name) {
            whole_origin_problem(value).map_or(Ok(()), |why| {
                Err(format!("field {name:?} is an origin: {why}"))
            })?;
        }
        if let Some(re) = pattern
            && !re.is_match(value)
        {
            return Err(format!(
                "field {name:?} must match {}; {:?} does not",
                re.as_str()
                    .strip_prefix(r"\A(?:")
                    .and_then(|p| p.strip_suffix(r")\z"))
                    .unwrap_or(re.as_str()),
                clip(value, 100)
            ));
        }
        Ok(())
    }

    fn known_names(&self) -> String {
        if self.fields.is_empty() {
            return " (it has none)".into();
        }
        let names: Vec<&str> = self.fields.iter().map(|(f, _)| f.name.as_str()).collect();
        format!(" (it has {})", names.join(", "))
    }

    /// Checks the values given from `sources` (unknown names, patterns, a value given from
    /// another source) and that every required field of those sources is there.
    pub fn check_given(
        &self,
        given: &FieldValues,
        sources: &[FieldSource],
    ) -> Result<(), Vec<String>> {
        let mut problems = self.check_values(given, sources).err().unwrap_or_default();
        for (field, _) in &self.fields {
            if sources.contains(&field.source) && field.required && !given.contains_key(&field.name)
            {
                problems.push(format!(
                    "field {:?} is required ({})",
                    field.name, field.description
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Checks the values given (names declared, from one of `sources`, patterns matched)
    /// without asking for the required ones: for values fixed ahead of any account, such as a
    /// connection's.
    pub fn check_values(
        &self,
        given: &FieldValues,
        sources: &[FieldSource],
    ) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        for (name, value) in given {
            if let Err(e) = self.check(name, value) {
                problems.push(e);
                continue;
            }
            if let Some((field, _)) = self.fields.iter().find(|(f, _)| &f.name == name)
                && !sources.contains(&field.source)
            {
                problems.push(format!(
                    "field {name:?} is not given by {} (it comes from {})",
                    source_name(sources[0]),
                    source_name(field.source)
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The token-response fields found in an OAuth token response (strings, numbers and booleans).
    pub fn from_token_response(
        &self,
        extra: &serde_json::Map<String, serde_json::Value>,
    ) -> FieldValues {
        self.fields
            .iter()
            .filter(|(f, _)| f.source == FieldSource::TokenResponse)
            .filter_map(|(f, _)| {
                let value = match extra.get(&f.name)? {
                    serde_json::Value::String(s) => s.clone(),
                    v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => {
                        v.to_string()
                    }
                    _ => return None,
                };
                Some((f.name.clone(), value))
            })
            .collect()
    }

    /// The templated origins resolved with an account's values: the origins that resolve,
    /// with whether credentials go to them, and why each other one does not.
    pub fn resolve_origins(&self, values: &FieldValues) -> (Vec<(Origin, bool)>, Vec<String>) {
        let mut resolved = Vec::new();
        let mut unresolved = Vec::new();
        for (template, credentials) in &self.templates {
            match self.resolve_origin(template, values) {
                Ok(origin) => resolved.push((origin, *credentials)),
                Err(e) => unresolved.push(format!(
                    "origin {:?} is not available to this account: {e}",
                    clip(template, 100)
                )),
            }
        }
        (resolved, unresolved)
    }

    fn resolve_origin(&self, template: &str, values: &FieldValues) -> Result<Origin, String> {
        for name in placeholders(template)? {
            self.check(name, values.get(name).map_or("", String::as_str))
                .map_err(|e| {
                    if values.contains_key(name) {
                        e
                    } else {
                        format!("the account has no field {name:?}")
                    }
                })?;
        }
        let text = substitute(template, values)?;
        let origin = Origin::parse(&text).map_err(|e| e.to_string())?;
        if matches!(template_shape(template, true)?, Shape::Whole(_)) && origin.scheme != "https" {
            return Err(format!("{:?} is not an https origin", clip(&text, 100)));
        }
        Ok(origin)
    }

    /// A URL (an OAuth endpoint) with the account's values substituted, each checked against
    /// its field's pattern.
    pub fn resolve_url(&self, template: &str, values: &FieldValues) -> Result<String, String> {
        let names = placeholders(template)?;
        // A URL without placeholders was checked when the plugin loaded; it is resolved for
        // every call of an OAuth account, so it is not parsed again each time.
        if names.is_empty() {
            return Ok(template.to_string());
        }
        for name in names {
            match values.get(name) {
                Some(value) => self.check(name, value)?,
                None => return Err(format!("field {name:?} is required to connect")),
            }
        }
        let url = substitute(template, values)?;
        url::Url::parse(&url).map_err(|e| format!("{:?} is not a URL: {e}", clip(&url, 100)))?;
        Ok(url)
    }
}

impl AccountFields {
    /// `declared`, the OAuth endpoints of the plugin these fields are of, for an account with
    /// `values`: shared when none of their URLs names a field, else resolved as
    /// [`Self::resolve_endpoints`] does.
    pub fn endpoints_for(
        &self,
        declared: &OAuth2Endpoints,
        values: &FieldValues,
    ) -> Result<Arc<OAuth2Endpoints>, String> {
        match &self.fixed_endpoints {
            Some(fixed) => {
                debug_assert!(**fixed == *declared, "another plugin's endpoints");
                Ok(fixed.clone())
            }
            None => self.resolve_endpoints(declared, values).map(Arc::new),
        }
    }

    /// A plugin's OAuth endpoints with templates resolved by the account's fields.
    pub fn resolve_endpoints(
        &self,
        endpoints: &OAuth2Endpoints,
        values: &FieldValues,
    ) -> Result<OAuth2Endpoints, String> {
        let mut resolved = endpoints.clone();
        resolved.authorize_url = self.resolve_url(&endpoints.authorize_url, values)?;
        resolved.token_url = self.resolve_url(&endpoints.token_url, values)?;
        resolved.revoke_url = endpoints
            .revoke_url
            .as_ref()
            .map(|u| self.resolve_url(u, values))
            .transpose()?;
        Ok(resolved)
    }
}

/// Why `value` cannot be a whole origin an account names: it must be `https://host[:port]`
/// exactly (no path, not even `/`), the host a domain name rather than an IP address.
fn whole_origin_problem(value: &str) -> Option<String> {
    let origin = match Origin::parse(value) {
        Ok(origin) => origin,
        Err(e) => return Some(e.to_string()),
    };
    if origin.scheme != "https" {
        return Some(format!("{:?} is not an https origin", clip(value, 100)));
    }
    if origin.is_ip_literal() {
        return Some(format!(
            "{:?} names an IP address; give the host's name",
            clip(value, 100)
        ));
    }
    if origin.to_string() != value {
        return Some(format!(
            "{:?} must be written as {:?} (scheme://host[:port], no path)",
            clip(value, 100),
            origin.to_string()
        ));
    }
    None
}

fn source_name(source: FieldSource) -> &'static str {
    match source {
        FieldSource::User => "the user",
        FieldSource::TokenResponse => "the OAuth token response",
        FieldSource::AfterConnect => "the plugin after connecting",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::AuthKind;

    fn info(origins: &[&str], fields: Vec<AccountField>) -> ProviderInfo {
        ProviderInfo {
            id: "shop".into(),
            name: "Shop".into(),
            version: "1.0.0".into(),
            description: String::new(),
            categories: Vec::new(),
            auth: AuthKind::ApiKey {
                placement: crate::manifest::CredentialPlacement::Header {
                    name: "x-key".into(),
                    prefix: String::new(),
                },
                operator_key: None,
            },
            alternative_auth: Vec::new(),
            origins: origins.iter().map(|o| (o.to_string(), true)).collect(),
            account_fields: fields,
            operator_credential: None,
        }
    }

    fn field(name: &str, pattern: Option<&str>, source: FieldSource) -> AccountField {
        AccountField {
            name: name.into(),
            description: format!("the {name}"),
            pattern: pattern.map(str::to_string),
            required: true,
            source,
            default_value: None,
        }
    }

    fn values(pairs: &[(&str, &str)]) -> FieldValues {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_templated_origin_resolves_only_with_a_matching_host_label() {
        let fields = AccountFields::new(&info(
            &["https://{shop}.myshopify.com"],
            vec![field("shop", Some("[a-z0-9][a-z0-9-]*"), FieldSource::User)],
        ))
        .unwrap();
        let (ok, _) = fields.resolve_origins(&values(&[("shop", "acme")]));
        assert_eq!(ok[0].0.to_string(), "https://acme.myshopify.com");
        for bad in ["evil.com/x?", "acme.evil.com#", "ACME", ""] {
            let (ok, why) = fields.resolve_origins(&values(&[("shop", bad)]));
            assert!(ok.is_empty(), "{bad:?} resolved");
            assert!(why[0].contains("must match"), "{why:?}");
        }
        let (_, why) = fields.resolve_origins(&FieldValues::new());
        assert!(why[0].contains("has no field \"shop\""), "{why:?}");
    }

    #[test]
    fn a_sloppy_pattern_still_cannot_move_the_host() {
        let fields = AccountFields::new(&info(
            &["https://{shop}.myshopify.com"],
            vec![field("shop", Some(".*"), FieldSource::User)],
        ))
        .unwrap();
        for bad in ["evil.com/", "evil.com?", "a@evil.com", "evil.com:8080/x#"] {
            let (ok, why) = fields.resolve_origins(&values(&[("shop", bad)]));
            assert!(ok.is_empty(), "{bad:?} resolved");
            assert!(why[0].contains("only letters, digits"), "{why:?}");
        }
    }

    #[test]
    fn a_whole_origin_field_must_be_an_origin() {
        let fields = AccountFields::new(&info(
            &["{instance_url}"],
            vec![field(
                "instance_url",
                Some(r"https://[a-z0-9-]+\.my\.salesforce\.com"),
                FieldSource::TokenResponse,
            )],
        ))
        .unwrap();
        let (ok, _) = fields.resolve_origins(&values(&[(
            "instance_url",
            "https://acme.my.salesforce.com",
        )]));
        assert_eq!(ok.len(), 1);
        let (ok, _) = fields.resolve_origins(&values(&[("instance_url", "https://evil.com")]));
        assert!(ok.is_empty());
    }

    #[test]
    fn load_refuses_templates_without_declared_patterned_fields() {
        let problems = AccountFields::new(&info(
            &["https://{shop}.myshopify.com", "https://{site}.example.com"],
            vec![field("shop", None, FieldSource::User)],
        ))
        .unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("must declare a pattern")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("not a declared account field")),
            "{problems:?}"
        );
        let problems = AccountFields::new(&info(
            &["https://{shop}.myshopify.com/path"],
            vec![field("shop", Some("[a-z]+"), FieldSource::User)],
        ))
        .unwrap_err();
        assert!(
            problems[0].contains("an origin has no path"),
            "{problems:?}"
        );
        let problems = AccountFields::new(&info(
            &[],
            vec![field("Bad", Some("(["), FieldSource::User)],
        ))
        .unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn a_template_names_fields_only_where_they_cannot_move_the_host() {
        let user = |name: &str| field(name, Some("[a-z]+"), FieldSource::User);
        for (origin, fields, why) in [
            (
                "https://login.{domain}",
                vec![user("domain")],
                "leading label",
            ),
            (
                "https://{shop}.com",
                vec![user("shop")],
                "two labels or more",
            ),
            (
                "https://{a}{b}.example.com",
                vec![user("a"), user("b")],
                "fixed domain",
            ),
            (
                "{base_url}",
                vec![field("base_url", Some(".*"), FieldSource::AfterConnect)],
                "may only come from the OAuth token response or the user",
            ),
            (
                "https://{site}.example.com",
                vec![field("site", Some("[a-z]+"), FieldSource::AfterConnect)],
                "may only come from the user or the OAuth token response",
            ),
        ] {
            let problems = AccountFields::new(&info(&[origin], fields)).unwrap_err();
            assert!(
                problems.iter().any(|p| p.contains(why)),
                "{origin}: {problems:?}"
            );
        }
        // A pattern cannot close the group it is wrapped in and so escape the anchors.
        let problems = AccountFields::new(&info(
            &["https://{shop}.example.com"],
            vec![field("shop", Some("a)|(?:.*"), FieldSource::User)],
        ))
        .unwrap_err();
        assert!(problems[0].contains("invalid pattern"), "{problems:?}");
        // A whole origin from the token response must be https.
        let whole = AccountFields::new(&info(
            &["{instance_url}"],
            vec![field(
                "instance_url",
                Some("https?://[a-z.]+"),
                FieldSource::TokenResponse,
            )],
        ))
        .unwrap();
        let (ok, why) = whole.resolve_origins(&values(&[("instance_url", "http://a.example.com")]));
        assert!(
            ok.is_empty() && why[0].contains("not an https origin"),
            "{why:?}"
        );
        for (bad, why) in [
            ("https://a.example.com/", "no path"),
            ("https://a.example.com/api", "no path"),
            ("https://1.2.3.4", "IP address"),
            ("https://[::1]", "IP address"),
            ("https://user@a.example.com", "user info"),
            ("https://A.example.com", "must be written as"),
        ] {
            let problem = whole.check("instance_url", bad).unwrap_err();
            assert!(problem.contains(why), "{bad}: {problem}");
        }
        let (ok, _) =
            whole.resolve_origins(&values(&[("instance_url", "https://a.example.com#x")]));
        assert!(ok.is_empty());
    }

    fn gitlab() -> AccountFields {
        let mut base_url = field(
            "base_url",
            Some(r"https://[a-z0-9.-]+(:[0-9]{1,5})?"),
            FieldSource::User,
        );
        base_url.required = false;
        base_url.default_value = Some("https://gitlab.com".into());
        let mut declared = info(&["{base_url}"], vec![base_url]);
        declared.auth = AuthKind::OAuth2(OAuth2Endpoints {
            token_header: None,
            authorize_url: "https://gitlab.com/oauth/authorize".into(),
            token_url: "https://gitlab.com/oauth/token".into(),
            revoke_url: None,
            default_scopes: Vec::new(),
            scope_separator: " ".into(),
            pkce: true,
            extra_authorize_params: Vec::new(),
            client_auth: crate::manifest::ClientAuth::RequestBody,
        });
        AccountFields::new(&declared).unwrap()
    }

    #[test]
    fn a_user_field_may_be_a_whole_origin_with_a_default() {
        let fields = gitlab();
        assert!(fields.is_user_origin("base_url"));
        let mut given = FieldValues::new();
        fields.fill_defaults(&mut given);
        assert_eq!(given, values(&[("base_url", "https://gitlab.com")]));
        let (ok, _) = fields.resolve_origins(&values(&[("base_url", "https://gitlab.acme.io")]));
        assert_eq!(ok[0].0.to_string(), "https://gitlab.acme.io");
        for bad in [
            "http://gitlab.acme.io",
            "https://10.0.0.1",
            "https://gitlab.acme.io/x",
        ] {
            let (ok, _) = fields.resolve_origins(&values(&[("base_url", bad)]));
            assert!(ok.is_empty(), "{bad} resolved");
        }
        // A default must fit its field, and only a user field has one.
        let mut bad_default = field("base_url", Some("https://[a-z.]+"), FieldSource::User);
        bad_default.default_value = Some("https://10.0.0.1".into());
        let problems = AccountFields::new(&info(&["{base_url}"], vec![bad_default])).unwrap_err();
        assert!(
            problems[0].contains("default that does not fit"),
            "{problems:?}"
        );
        let mut not_user = field("site", Some("[a-z]+"), FieldSource::AfterConnect);
        not_user.default_value = Some("acme".into());
        let problems = AccountFields::new(&info(&[], vec![not_user])).unwrap_err();
        assert!(
            problems[0].contains("only a field the user"),
            "{problems:?}"
        );
    }

    #[test]
    fn an_oauth_account_never_names_its_own_instance() {
        let fields = gitlab();
        // The default, when the operator fixed nothing.
        let mut given = FieldValues::new();
        fields
            .pin_oauth_origins(&mut given, &FieldValues::new())
            .unwrap();
        assert_eq!(given["base_url"], "https://gitlab.com");
        // The operator's instance.
        let fixed = values(&[("base_url", "https://gitlab.acme.io")]);
        let mut given = FieldValues::new();
        fields.pin_oauth_origins(&mut given, &fixed).unwrap();
        assert_eq!(given["base_url"], "https://gitlab.acme.io");
        // A user's own instance is refused: the token would go there.
        let mut given = values(&[("base_url", "https://evil.example")]);
        let why = fields.pin_oauth_origins(&mut given, &fixed).unwrap_err();
        assert!(
            why.contains("https://gitlab.acme.io") && why.contains("evil.example"),
            "{why}"
        );
    }

    #[test]
    fn an_oauth_url_may_name_user_fields_in_the_host_or_a_path_segment() {
        let mut declared = info(
            &[],
            vec![field("tenant", Some("[a-z0-9-]+"), FieldSource::User)],
        );
        declared.auth = AuthKind::OAuth2(OAuth2Endpoints {
            token_header: None,
            authorize_url: "https://login.example.com/{tenant}/oauth2/authorize".into(),
            token_url: "https://login.example.com/{tenant}/oauth2/token".into(),
            revoke_url: None,
            default_scopes: vec![],
            scope_separator: " ".into(),
            pkce: true,
            extra_authorize_params: vec![],
            client_auth: crate::manifest::ClientAuth::RequestBody,
        });
        let fields = AccountFields::new(&declared).unwrap();
        let AuthKind::OAuth2(endpoints) = &declared.auth else {
            unreachable!()
        };
        let resolved = fields
            .resolve_endpoints(endpoints, &values(&[("tenant", "contoso")]))
            .unwrap();
        assert_eq!(
            resolved.token_url,
            "https://login.example.com/contoso/oauth2/token"
        );
        assert!(
            fields
                .resolve_endpoints(endpoints, &values(&[("tenant", "a/b")]))
                .is_err()
        );
        declared.auth = AuthKind::OAuth2(OAuth2Endpoints {
            token_header: None,
            token_url: "https://login.example.com/x{tenant}/token".into(),
            ..endpoints.clone()
        });
        let problems = AccountFields::new(&declared).unwrap_err();
        assert!(problems[0].contains("whole segment"), "{problems:?}");
    }

    #[test]
    fn endpoints_naming_no_field_are_shared_and_templated_ones_resolved_per_account() {
        let mut declared = info(
            &[],
            vec![field("tenant", Some("[a-z0-9-]+"), FieldSource::User)],
        );
        let fixed = OAuth2Endpoints {
            token_header: None,
            authorize_url: "https://login.example.com/oauth2/authorize".into(),
            token_url: "https://login.example.com/oauth2/token".into(),
            revoke_url: Some("https://login.example.com/oauth2/revoke".into()),
            default_scopes: vec!["read".into()],
            scope_separator: " ".into(),
            pkce: true,
            extra_authorize_params: vec![],
            client_auth: crate::manifest::ClientAuth::RequestBody,
        };
        declared.auth = AuthKind::OAuth2(fixed.clone());
        let fields = AccountFields::new(&declared).unwrap();
        let first = fields.endpoints_for(&fixed, &values(&[])).unwrap();
        let second = fields
            .endpoints_for(&fixed, &values(&[("tenant", "contoso")]))
            .unwrap();
        assert_eq!(*first, fixed);
        assert!(Arc::ptr_eq(&first, &second), "one copy for every account");

        // A revoke URL naming a field is enough for every account to get its own.
        let templated = OAuth2Endpoints {
            revoke_url: Some("https://login.example.com/{tenant}/oauth2/revoke".into()),
            ..fixed
        };
        declared.auth = AuthKind::OAuth2(templated.clone());
        let fields = AccountFields::new(&declared).unwrap();
        let contoso = fields
            .endpoints_for(&templated, &values(&[("tenant", "contoso")]))
            .unwrap();
        assert_eq!(
            contoso.revoke_url.as_deref(),
            Some("https://login.example.com/contoso/oauth2/revoke")
        );
        let error = fields
            .endpoints_for(&templated, &values(&[("tenant", "a/b")]))
            .unwrap_err();
        assert!(error.contains("tenant"), "{error}");
    }

    #[test]
    fn fields_need_accounts() {
        let mut declared = info(&[], vec![field("shop", None, FieldSource::User)]);
        declared.auth = AuthKind::None;
        let problems = AccountFields::new(&declared).unwrap_err();
        assert!(problems[0].contains("no auth kind"), "{problems:?}");
    }

    #[test]
    fn a_token_response_field_may_not_copy_a_secret() {
        for name in ["id_token", "refresh_token_copy", "client_secret"] {
            let problems = AccountFields::new(&info(
                &[],
                vec![field(name, None, FieldSource::TokenResponse)],
            ))
            .unwrap_err();
            assert!(problems[0].contains("would copy a secret"), "{problems:?}");
        }
        let values = AccountFields::new(&info(
            &[],
            vec![field("instance_url", None, FieldSource::TokenResponse)],
        ))
        .unwrap()
        .from_token_response(
            serde_json::json!({"instance_url": "https://x.test", "other": 1})
                .as_object()
                .unwrap(),
        );
        assert_eq!(values, self::values(&[("instance_url", "https://x.test")]));
    }

    #[test]
    fn given_fields_are_checked_by_name_pattern_source_and_requirement() {
        let fields = AccountFields::new(&info(
            &[],
            vec![
                field("shop", Some("[a-z]+"), FieldSource::User),
                field("cloud_id", None, FieldSource::AfterConnect),
            ],
        ))
        .unwrap();
        assert!(
            fields
                .check_given(&values(&[("shop", "acme")]), &[FieldSource::User])
                .is_ok()
        );
        let problems = fields
            .check_given(
                &values(&[("shop", "AC"), ("cloud_id", "x"), ("nope", "1")]),
                &[FieldSource::User],
            )
            .unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        let missing = fields
            .check_given(&FieldValues::new(), &[FieldSource::User])
            .unwrap_err();
        assert!(missing[0].contains("\"shop\" is required"), "{missing:?}");
    }
}
