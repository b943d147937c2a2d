//! What a plugin declares, in the host's own types: its provider info (id, auth kind, OAuth
//! endpoints, origins), its actions and their hints, and the naming rules for both. Every layer
//! that needs a plugin's declaration (catalog, credentials, policy, runtime) reads these types;
//! only the runtime knows the WIT types they are converted from.

use serde::Serialize;

/// The 24 seed integrations (CONTRACT.md). Their action-name prefixes belong to them even while
/// they are not loaded: a plugin `google` may not declare `GOOGLE_CALENDAR_…`.
pub const SEED_INTEGRATIONS: &[&str] = &[
    "github",
    "slack",
    "gmail",
    "google_calendar",
    "google_drive",
    "google_docs",
    "outlook",
    "microsoft_calendar",
    "onedrive",
    "microsoft_teams",
    "jira",
    "asana",
    "trello",
    "monday",
    "linear",
    "notion",
    "gitlab",
    "bitbucket",
    "figma",
    "vercel",
    "discord",
    "salesforce",
    "hubspot",
    "shopify",
];

/// OAuth 2 endpoints and defaults a plugin declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OAuth2Endpoints {
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: Option<String>,
    pub default_scopes: Vec<String>,
    pub scope_separator: String,
    pub pkce: bool,
    pub extra_authorize_params: Vec<(String, String)>,
    pub client_auth: ClientAuth,
}

/// How the host authenticates to a provider's token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the form body.
    RequestBody,
    /// HTTP Basic with the client id and secret.
    Basic,
}

/// Where an account field's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    /// The user gives it when connecting.
    User,
    /// The field of the same name in the OAuth token response.
    TokenResponse,
    /// The plugin's `after-connect` finds it.
    AfterConnect,
}

/// A per-account, non-secret setting a plugin declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountField {
    pub name: String,
    pub description: String,
    /// Matched against the whole value.
    pub pattern: Option<String>,
    pub required: bool,
    pub source: FieldSource,
}

/// The operator's part of a two-part key: the connection's client id, sent beside the user's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorKey {
    /// In the query (else a header).
    pub query: bool,
    pub name: String,
}

/// How the provider authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AuthKind {
    None,
    ApiKey {
        #[serde(skip)]
        placement: CredentialPlacement,
        #[serde(skip)]
        operator_key: Option<OperatorKey>,
    },
    /// HTTP Basic: the user gives a username and a password (or API token).
    Basic {
        username_label: String,
        password_label: String,
    },
    #[serde(rename = "oauth2")]
    OAuth2(#[serde(skip)] OAuth2Endpoints),
}

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
    pub version: String,
    pub description: String,
    pub categories: Vec<String>,
    pub auth: AuthKind,
    /// As declared (validated at load); may contain `{field}` templates.
    pub origins: Vec<(String, bool)>,
    pub account_fields: Vec<AccountField>,
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
    /// `Authorization: Basic base64(secret)`, the secret being `username:password`.
    Basic,
}

impl ProviderInfo {
    /// Where the credential goes on requests.
    pub fn placement(&self) -> CredentialPlacement {
        match &self.auth {
            AuthKind::None => CredentialPlacement::None,
            AuthKind::ApiKey { placement, .. } => placement.clone(),
            AuthKind::Basic { .. } => CredentialPlacement::Basic,
            AuthKind::OAuth2(_) => CredentialPlacement::Bearer,
        }
    }

    /// Whether calls need a connected account.
    pub fn needs_account(&self) -> bool {
        !matches!(self.auth, AuthKind::None)
    }

    /// The declared field called `name`.
    pub fn field(&self, name: &str) -> Option<&AccountField> {
        self.account_fields.iter().find(|f| f.name == name)
    }

    /// The operator's key part, for two-part keys.
    pub fn operator_key(&self) -> Option<&OperatorKey> {
        match &self.auth {
            AuthKind::ApiKey { operator_key, .. } => operator_key.as_ref(),
            _ => None,
        }
    }
}

/// Hints about an action's effects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActionHints {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub dynamic_schema: bool,
}

/// One action with its schemas parsed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionDefinition {
    pub name: String,
    pub description: String,
    pub input_schema: serde_json::Value,
    pub output_schema: Option<serde_json::Value>,
    pub hints: ActionHints,
    /// OAuth scopes needed: every entry met by any one of its scopes.
    pub scopes: Vec<Vec<String>>,
}

impl ActionDefinition {
    /// The entries of [`Self::scopes`] that `granted` does not meet; empty when the action may
    /// run. An account whose granted scopes are unknown (none recorded) meets every entry.
    pub fn missing_scopes(&self, granted: &[String]) -> Vec<&[String]> {
        if granted.is_empty() {
            return Vec::new();
        }
        self.scopes
            .iter()
            .filter(|any_of| !any_of.iter().any(|s| granted.contains(s)))
            .map(Vec::as_slice)
            .collect()
    }
}

/// `^[a-z][a-z0-9_]{0,31}$`
pub fn is_integration_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && id.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `^[A-Z][A-Z0-9_]{0,63}$`
pub fn is_action_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('A'..='Z'))
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
