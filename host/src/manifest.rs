//! What a plugin declares, in the host's own types: its provider info (id, auth kind, OAuth
//! endpoints, origins), its actions and their hints, and the naming rules for both. Every layer
//! that needs a plugin's declaration (catalog, credentials, policy, runtime) reads these types;
//! only the runtime knows the WIT types they are converted from.

use serde::{Deserialize, Serialize};

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
    /// Where the access token goes when not `Authorization: Bearer` (contract 0.4: Shopify's
    /// `X-Shopify-Access-Token`).
    pub token_header: Option<TokenHeader>,
}

/// A header carrying a secret the host injects: `name: prefix + secret`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenHeader {
    pub name: String,
    pub prefix: String,
}

/// A secret of the operator's connection (contract 0.4: Discord's bot token), sent instead of
/// the account's credential on the requests a plugin makes as the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperatorCredential {
    /// What the operator is asked for.
    pub label: String,
    #[serde(skip)]
    pub header: TokenHeader,
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
    /// The value an account gets when the user gives none (a `user` field; contract 0.4).
    #[serde(rename = "default", skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
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

/// Which kind of credential an account holds: one of the plugin's declared auth kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    None,
    ApiKey,
    Basic,
    #[serde(rename = "oauth2")]
    OAuth2,
}

impl CredentialKind {
    /// The name the API and the contract use (`api_key`, `oauth2`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::None => "none",
            CredentialKind::ApiKey => "api_key",
            CredentialKind::Basic => "basic",
            CredentialKind::OAuth2 => "oauth2",
        }
    }
}

impl AuthKind {
    /// The kind of credential an account of this auth holds.
    pub fn kind(&self) -> CredentialKind {
        match self {
            AuthKind::None => CredentialKind::None,
            AuthKind::ApiKey { .. } => CredentialKind::ApiKey,
            AuthKind::Basic { .. } => CredentialKind::Basic,
            AuthKind::OAuth2(_) => CredentialKind::OAuth2,
        }
    }

    /// Where this auth's credential goes on requests.
    pub fn placement(&self) -> CredentialPlacement {
        match self {
            AuthKind::None => CredentialPlacement::None,
            AuthKind::ApiKey { placement, .. } => placement.clone(),
            AuthKind::Basic { .. } => CredentialPlacement::Basic,
            AuthKind::OAuth2(OAuth2Endpoints {
                token_header: Some(header),
                ..
            }) => CredentialPlacement::Header {
                name: header.name.clone(),
                prefix: header.prefix.clone(),
            },
            AuthKind::OAuth2(_) => CredentialPlacement::Bearer,
        }
    }
}

/// What a plugin says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
    pub version: String,
    pub description: String,
    pub categories: Vec<String>,
    /// The primary way to connect an account.
    pub auth: AuthKind,
    /// Other ways to connect one (contract 0.3): at most one of each kind, never `None` or the
    /// primary's kind (checked at load). An account uses exactly one of these or `auth`.
    pub alternative_auth: Vec<AuthKind>,
    /// As declared (validated at load); may contain `{field}` templates.
    pub origins: Vec<(String, bool)>,
    pub account_fields: Vec<AccountField>,
    /// A secret of the operator's sent on requests made as the operator (contract 0.4).
    pub operator_credential: Option<OperatorCredential>,
}

/// Where the user's credential goes on a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// Every way to connect an account: the primary auth first, then the alternatives.
    pub fn auth_kinds(&self) -> impl Iterator<Item = &AuthKind> {
        std::iter::once(&self.auth).chain(&self.alternative_auth)
    }

    /// The declared auth of kind `kind` (`None`: the primary one).
    pub fn auth_for(&self, kind: Option<CredentialKind>) -> Option<&AuthKind> {
        match kind {
            None => Some(&self.auth),
            Some(kind) => self.auth_kinds().find(|a| a.kind() == kind),
        }
    }

    /// The OAuth 2 endpoints, when OAuth 2 is one of the ways to connect.
    pub fn oauth2(&self) -> Option<&OAuth2Endpoints> {
        self.auth_kinds().find_map(|a| match a {
            AuthKind::OAuth2(endpoints) => Some(endpoints),
            _ => None,
        })
    }

    /// Where the credential of an account of kind `kind` goes on requests (`None`: the primary
    /// auth's; a kind the plugin does not declare: nowhere).
    pub fn placement(&self, kind: Option<CredentialKind>) -> CredentialPlacement {
        self.auth_for(kind)
            .map_or(CredentialPlacement::None, AuthKind::placement)
    }

    /// Whether calls need a connected account.
    pub fn needs_account(&self) -> bool {
        !matches!(self.auth, AuthKind::None)
    }

    /// The declared field called `name`.
    pub fn field(&self, name: &str) -> Option<&AccountField> {
        self.account_fields.iter().find(|f| f.name == name)
    }

    /// The operator's key part, for two-part keys (declared by the API-key auth).
    pub fn operator_key(&self) -> Option<&OperatorKey> {
        self.auth_kinds().find_map(|a| match a {
            AuthKind::ApiKey { operator_key, .. } => operator_key.as_ref(),
            _ => None,
        })
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
