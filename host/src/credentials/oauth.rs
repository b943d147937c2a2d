//! OAuth 2 for connected accounts: the authorization-code flow with `state` and PKCE S256, the
//! callback that stores tokens sealed, refresh before expiry and after a 401 (single-flight per
//! account, the rotated refresh token persisted atomically with the new access token), and
//! RFC 7009 revocation when an account is deleted.
//!
//! Token and revocation endpoints a *plugin* declared get the same address guard as the
//! plugin's own requests (they receive the client secret and refresh tokens); endpoints an
//! operator set in `PUT /admin/connections` are the operator's choice and are not checked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::connections::{Connection, ConnectionStore};
use super::{
    AccountSecret, AccountStatus, AccountStore, ConnectedAccount, CredentialError, Sealer,
    SecretString,
};
use crate::account_fields::FieldValues;
use crate::manifest::{ClientAuth, OAuth2Endpoints};
use crate::origin::{Origin, check_declared_url, guard};
use crate::store::{Store, StoreError, StoreLock, Tree, trees};

/// How long an authorization may take between `authorize` and the callback.
pub const STATE_TTL: Duration = Duration::from_secs(10 * 60);
/// Tokens this close to expiry are refreshed before use.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// Attempts at the token endpoint when it cannot be reached.
const TOKEN_ATTEMPTS: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("no OAuth app is configured for {0}; an operator must PUT /admin/connections/{0}")]
    NoConnection(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("the provider refused the authorization: {0}")]
    Denied(String),
    /// The grant is gone (refresh refused, no refresh token): the user must authorize again.
    #[error("{0}")]
    GrantGone(String),
    /// The token endpoint could not be reached or failed (the account is kept as it was).
    #[error("the token endpoint failed: {0}")]
    TokenEndpoint(String),
    #[error("{0}")]
    Configuration(String),
    #[error(transparent)]
    Credentials(#[from] CredentialError),
}

impl OAuthError {
    /// The contract's error code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::NoConnection(_) | OAuthError::Denied(_) => "forbidden",
            OAuthError::InvalidState(_) => "invalid_state",
            OAuthError::GrantGone(_) => "not_connected",
            OAuthError::TokenEndpoint(_) => "upstream_error",
            OAuthError::Credentials(CredentialError::Store(StoreError::Unavailable(_))) => {
                "unavailable"
            }
            OAuthError::Configuration(_) | OAuthError::Credentials(_) => "internal_error",
        }
    }
}

impl From<StoreError> for OAuthError {
    fn from(e: StoreError) -> Self {
        OAuthError::Credentials(e.into())
    }
}

/// A pending authorization, keyed by its `state`.
#[derive(Serialize, Deserialize)]
struct PendingAuthorization {
    user: String,
    integration: String,
    /// Sealed PKCE verifier, base64.
    verifier: String,
    expires_at: i64,
    /// Whether `authorize` created the account record (removed again if the flow fails).
    created_pending: bool,
    /// Account fields the user gave at authorize (non-secret; the endpoints may use them).
    #[serde(default)]
    fields: FieldValues,
    /// Where the callback sends the browser with the result (the hosted connect page), instead
    /// of answering with its own page.
    #[serde(default)]
    return_to: Option<String>,
}

/// A finished code exchange, not yet stored: the plugin's `after-connect` runs first.
pub struct Exchanged {
    pub user: String,
    pub integration: String,
    pub secret: AccountSecret,
    pub scopes: Vec<String>,
    pub expires_at: Option<OffsetDateTime>,
    /// The fields the user gave at authorize.
    pub fields: FieldValues,
    /// Every field of the token response besides the token itself (the integration's
    /// token-response fields are taken from here).
    pub token_fields: serde_json::Map<String, serde_json::Value>,
    pub return_url: Option<String>,
    /// Whether `authorize` created a pending record (to remove if the account is not stored).
    pub created_pending: bool,
}

impl std::fmt::Debug for Exchanged {
    /// Names the token response's extra fields without their values (an `id_token` may be one).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchanged")
            .field("user", &self.user)
            .field("integration", &self.integration)
            .field("scopes", &self.scopes)
            .field("fields", &self.fields)
            .field(
                "token_fields",
                &self.token_fields.keys().collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The token response's fields beyond the standard ones (Salesforce's `instance_url`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraFields {
    #[serde(flatten)]
    pub fields: serde_json::Map<String, serde_json::Value>,
}

impl oauth2::ExtraTokenFields for ExtraFields {}

type ProviderTokenResponse = StandardTokenResponse<ExtraFields, BasicTokenType>;

type RefreshLocks = Mutex<HashMap<(String, String), Arc<tokio::sync::Mutex<()>>>>;

/// A held [`OAuthFlows::lock_account`]; [`AccountGuard::release`] lets the other hosts in at once
/// (dropped instead, the database session holding it is closed, which lets it go too).
pub struct AccountGuard {
    _local: tokio::sync::OwnedMutexGuard<()>,
    shared: Option<StoreLock>,
}

impl AccountGuard {
    pub async fn release(mut self) {
        if let Some(shared) = self.shared.take() {
            shared.release().await;
        }
    }
}

/// OAuth flows over the account and connection stores.
pub struct OAuthFlows {
    pub connections: ConnectionStore,
    accounts: AccountStore,
    states: Tree,
    /// For the lock a refresh holds on every host.
    store: Store,
    sealer: Sealer,
    /// For endpoints an operator set or opened.
    http: reqwest::Client,
    /// For endpoints a plugin declared: refuses non-public addresses.
    guarded_http: reqwest::Client,
    open_origins: Vec<Origin>,
    redirect_url: String,
    refresh_locks: RefreshLocks,
}

/// An OAuth client with authorize and token endpoints (revocation is sent directly, see
/// [`OAuthFlows::revoke`]).
type ProviderClient = oauth2::Client<
    BasicErrorResponse,
    ProviderTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

fn client_for(
    connection: &Connection,
    secret: &SecretString,
    endpoints: &OAuth2Endpoints,
    redirect: &str,
) -> Result<ProviderClient, OAuthError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        OAuthError::Configuration(format!("{what} is not a valid URL: {e}"))
    };
    let authorize = connection
        .authorize_url
        .clone()
        .unwrap_or_else(|| endpoints.authorize_url.clone());
    let token = connection
        .token_url
        .clone()
        .unwrap_or_else(|| endpoints.token_url.clone());
    let auth_type = match endpoints.client_auth {
        ClientAuth::RequestBody => AuthType::RequestBody,
        ClientAuth::Basic => AuthType::BasicAuth,
    };
    Ok(oauth2::Client::<
        BasicErrorResponse,
        ProviderTokenResponse,
        BasicTokenIntrospectionResponse,
        StandardRevocableToken,
        BasicRevocationErrorResponse,
    >::new(ClientId::new(connection.client_id.clone()))
    .set_auth_type(auth_type)
    .set_client_secret(ClientSecret::new(secret.expose().to_string()))
    .set_auth_uri(AuthUrl::new(authorize).map_err(|e| bad("the authorize URL", &e))?)
    .set_token_uri(TokenUrl::new(token).map_err(|e| bad("the token URL", &e))?)
    .set_redirect_uri(
        RedirectUrl::new(redirect.to_string()).map_err(|e| bad("the redirect URL", &e))?,
    ))
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

impl OAuthFlows {
    /// `open_origins`: private origins an operator lets plugins (and so their declared
    /// endpoints) reach; `extra_roots`: CAs trusted besides Mozilla's roots.
    pub fn open(
        store: &Store,
        sealer: Sealer,
        accounts: AccountStore,
        public_url: &str,
        open_origins: Vec<Origin>,
        extra_roots: &[rustls::pki_types::CertificateDer<'static>],
    ) -> Result<Self, OAuthError> {
        let builder = || {
            crate::origin::trusting(reqwest::Client::builder(), extra_roots)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(15))
                .no_proxy()
        };
        let http = builder()
            .build()
            .map_err(|e| OAuthError::Configuration(e.to_string()))?;
        let guarded_http = guard(builder())
            .build()
            .map_err(|e| OAuthError::Configuration(e.to_string()))?;
        Ok(OAuthFlows {
            guarded_http,
            open_origins,
            connections: ConnectionStore::open(store, sealer.clone())?,
            accounts,
            states: store.tree(trees::OAUTH_STATES)?,
            store: store.clone(),
            sealer,
            http,
            redirect_url: format!("{}/oauth/callback", public_url.trim_end_matches('/')),
            refresh_locks: Mutex::new(HashMap::new()),
        })
    }

    pub fn redirect_url(&self) -> &str {
        &self.redirect_url
    }

    /// The client for an endpoint: the operator's own (`configured`) is used as it is; one the
    /// plugin declared must pass the address guard.
    fn client_for_endpoint(
        &self,
        configured: Option<&String>,
        declared: &str,
        what: &str,
    ) -> Result<&reqwest::Client, OAuthError> {
        if configured.is_some() {
            return Ok(&self.http);
        }
        match check_declared_url(declared, &self.open_origins) {
            Ok(true) => Ok(&self.http),
            Ok(false) => Ok(&self.guarded_http),
            Err(refusal) => Err(OAuthError::Configuration(format!(
                "the plugin's {what} endpoint is refused: {refusal}"
            ))),
        }
    }

    async fn connection(
        &self,
        integration: &str,
    ) -> Result<(Connection, SecretString), OAuthError> {
        self.connections
            .get(integration)
            .await?
            .ok_or_else(|| OAuthError::NoConnection(integration.to_string()))
    }

    /// The provider's authorization URL for `user`; `state` is single use, bound to the user and
    /// expires in 10 minutes.
    /// `endpoints` are resolved with `fields` (the account fields the user gave), which are
    /// kept with the authorization for the callback, as is `return_to` ([`Self::return_to`]).
    pub async fn authorize(
        &self,
        user: &str,
        integration: &str,
        endpoints: &OAuth2Endpoints,
        fields: FieldValues,
        return_to: Option<String>,
    ) -> Result<String, OAuthError> {
        let (connection, secret) = self.connection(integration).await?;
        let client = client_for(&connection, &secret, endpoints, &self.redirect_url)?;
        let scopes = connection
            .scopes
            .clone()
            .unwrap_or_else(|| endpoints.default_scopes.clone());
        let mut request = client.authorize_url(CsrfToken::new_random);
        if !scopes.is_empty() {
            // One parameter joined with the provider's separator (Slack wants commas).
            request = request.add_scope(Scope::new(scopes.join(&endpoints.scope_separator)));
        }
        for (name, value) in &endpoints.extra_authorize_params {
            request = request.add_extra_param(name.clone(), value.clone());
        }
        let verifier = if endpoints.pkce {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            request = request.set_pkce_challenge(challenge);
            Some(verifier)
        } else {
            None
        };
        let (url, state) = request.url();
        let created_pending = self.accounts.get_public(user, integration).await?.is_none();
        if created_pending {
            self.accounts.put_pending(user, integration).await?;
        }
        let verifier_text = verifier.map(|v| v.secret().clone()).unwrap_or_default();
        let pending = PendingAuthorization {
            user: user.into(),
            integration: integration.into(),
            verifier: STANDARD.encode(
                self.sealer
                    .seal(verifier_text.as_bytes(), state.secret().as_bytes()),
            ),
            expires_at: now() + STATE_TTL.as_secs() as i64,
            created_pending,
            fields,
            return_to,
        };
        self.states
            .insert(
                state.secret().as_bytes(),
                serde_json::to_vec(&pending).expect("states serialize"),
            )
            .await?;
        Ok(url.to_string())
    }

    /// Where the callback for a pending `state` sends the browser, when the flow was started
    /// with a place to return to (the connect page). Read before [`Self::callback`] consumes the
    /// state, so that a failed flow goes back there too.
    pub async fn return_to(&self, state: &str) -> Option<String> {
        let bytes = self.states.get(state.as_bytes()).await.ok()??;
        serde_json::from_slice::<PendingAuthorization>(&bytes)
            .ok()?
            .return_to
    }

    /// Finishes an authorization's code exchange. `endpoints` gives the integration's OAuth
    /// endpoints resolved with the fields given at authorize. Nothing is stored: the caller
    /// stores the account with [`AccountStore::connect`] (or gives up with [`Self::abandon`]).
    pub async fn callback(
        &self,
        state: Option<&str>,
        code: Option<&str>,
        provider_error: Option<(&str, Option<&str>)>,
        endpoints: impl Fn(&str, &FieldValues) -> Result<OAuth2Endpoints, String>,
    ) -> Result<Exchanged, OAuthError> {
        let state = state
            .filter(|s| !s.is_empty())
            .ok_or_else(|| OAuthError::InvalidState("the callback has no `state`".into()))?;
        // Removing the state is what makes it single use, even under concurrent callbacks.
        let Some(bytes) = self.states.remove(state.as_bytes()).await? else {
            return Err(OAuthError::InvalidState(
                "`state` is unknown or was already used".into(),
            ));
        };
        let pending: PendingAuthorization = serde_json::from_slice(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("oauth state: {e}")))?;
        let result = self
            .finish(state, &pending, code, provider_error, endpoints)
            .await;
        if result.is_err() {
            self.abandon(&pending.user, &pending.integration, pending.created_pending)
                .await?;
        }
        result
    }

    /// Gives up an authorization: nothing half-stored, the pending record `authorize` created
    /// goes again.
    pub async fn abandon(
        &self,
        user: &str,
        integration: &str,
        created_pending: bool,
    ) -> Result<(), OAuthError> {
        if created_pending {
            self.accounts.delete_if_pending(user, integration).await?;
        }
        Ok(())
    }

    async fn finish(
        &self,
        state: &str,
        pending: &PendingAuthorization,
        code: Option<&str>,
        provider_error: Option<(&str, Option<&str>)>,
        endpoints: impl Fn(&str, &FieldValues) -> Result<OAuth2Endpoints, String>,
    ) -> Result<Exchanged, OAuthError> {
        if pending.expires_at < now() {
            return Err(OAuthError::InvalidState(
                "`state` has expired; start the authorization again".into(),
            ));
        }
        if let Some((error, description)) = provider_error {
            let detail = description
                .map(|d| format!("{error} ({d})"))
                .unwrap_or_else(|| error.to_string());
            return Err(OAuthError::Denied(detail));
        }
        let code = code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| OAuthError::InvalidState("the callback has no `code`".into()))?;
        let endpoints =
            endpoints(&pending.integration, &pending.fields).map_err(OAuthError::Configuration)?;
        let (connection, secret) = self.connection(&pending.integration).await?;
        let client = client_for(&connection, &secret, &endpoints, &self.redirect_url)?;
        let sealed = STANDARD
            .decode(&pending.verifier)
            .map_err(|_| CredentialError::Unseal)?;
        let verifier = String::from_utf8(self.sealer.open(&sealed, state.as_bytes())?)
            .map_err(|_| CredentialError::Unseal)?;
        let http =
            self.client_for_endpoint(connection.token_url.as_ref(), &endpoints.token_url, "token")?;
        let mut request = client.exchange_code(AuthorizationCode::new(code.to_string()));
        if !verifier.is_empty() {
            request = request.set_pkce_verifier(PkceCodeVerifier::new(verifier));
        }
        let token = request
            .request_async(&CappedClient(http))
            .await
            .map_err(token_error)?;
        let requested = connection
            .scopes
            .clone()
            .unwrap_or_else(|| endpoints.default_scopes.clone());
        let (secret, scopes, expires_at) = token_parts(&token, None, requested);
        Ok(Exchanged {
            user: pending.user.clone(),
            integration: pending.integration.clone(),
            secret,
            scopes,
            expires_at,
            fields: pending.fields.clone(),
            token_fields: token.extra_fields().fields.clone(),
            return_url: connection.return_url,
            created_pending: pending.created_pending,
        })
    }

    async fn store_tokens(
        &self,
        user: &str,
        integration: &str,
        token: &ProviderTokenResponse,
        previous_refresh: Option<SecretString>,
        requested_scopes: Vec<String>,
    ) -> Result<ConnectedAccount, OAuthError> {
        let (secret, scopes, expires_at) = token_parts(token, previous_refresh, requested_scopes);
        Ok(self
            .accounts
            .put(user, integration, &secret, scopes, expires_at)
            .await?)
    }
}

/// A token response's secret, granted scopes (the requested ones when it names none, RFC 6749
/// §5.1) and expiry (none: the token does not expire).
fn token_parts(
    token: &ProviderTokenResponse,
    previous_refresh: Option<SecretString>,
    requested_scopes: Vec<String>,
) -> (AccountSecret, Vec<String>, Option<OffsetDateTime>) {
    {
        let secret = AccountSecret::Oauth2 {
            access_token: SecretString::new(token.access_token().secret().clone()),
            // A provider that does not rotate keeps the old refresh token valid.
            refresh_token: token
                .refresh_token()
                .map(|r| SecretString::new(r.secret().clone()))
                .or(previous_refresh),
        };
        let scopes = token
            .scopes()
            .map(|s| {
                s.iter()
                    .flat_map(|s| s.split([' ', ',']))
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or(requested_scopes);
        let expires_at = token.expires_in().map(|d| {
            OffsetDateTime::now_utc()
                + time::Duration::seconds(d.as_secs().min(i64::MAX as u64) as i64)
        });
        (secret, scopes, expires_at)
    }
}

impl OAuthFlows {
    /// The lock of one account: a refresh holds it throughout, and storing a newly connected
    /// account takes it, so a refresh never writes its token beside another connection's fields.
    pub fn account_lock(&self, user: &str, integration: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.refresh_locks
            .lock()
            .expect("refresh locks")
            .entry((user.to_string(), integration.to_string()))
            .or_default()
            .clone()
    }

    /// Holds the account's lock on this host and, when other hosts share the store, on theirs:
    /// a refresh, or the storing of a newly connected account, happens on one host at a time.
    pub async fn lock_account(
        &self,
        user: &str,
        integration: &str,
    ) -> Result<AccountGuard, OAuthError> {
        let local = self.account_lock(user, integration).lock_owned().await;
        let shared = if self.store.shared() {
            Some(
                self.store
                    .lock(&format!("account\0{user}\0{integration}"))
                    .await?,
            )
        } else {
            None
        };
        Ok(AccountGuard {
            _local: local,
            shared,
        })
    }

    /// A usable access token: the stored one, or a refreshed one when it expires within the
    /// margin — or, with `rejected`, when the provider just refused that token. Concurrent callers
    /// for one account share a single refresh, on every host sharing the store: the refresh
    /// holds [`Self::lock_account`] and starts from the account as stored, so a token another
    /// host has just refreshed (and its rotated refresh token) is used, never refreshed again.
    pub async fn fresh_token(
        &self,
        user: &str,
        integration: &str,
        endpoints: &OAuth2Endpoints,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, OAuthError> {
        let guard = self.lock_account(user, integration).await?;
        let result = self
            .refresh_locked(user, integration, endpoints, rejected)
            .await;
        guard.release().await;
        result
    }

    async fn refresh_locked(
        &self,
        user: &str,
        integration: &str,
        endpoints: &OAuth2Endpoints,
        rejected: Option<&SecretString>,
    ) -> Result<SecretString, OAuthError> {
        let Some((account, secret)) = self.accounts.get_stored(user, integration).await? else {
            return Err(OAuthError::GrantGone(format!(
                "you have no connected {integration} account"
            )));
        };
        if account.status != AccountStatus::Active {
            return Err(OAuthError::GrantGone(format!(
                "your {integration} account is not active"
            )));
        }
        let AccountSecret::Oauth2 {
            access_token,
            refresh_token,
        } = secret
        else {
            return Err(OAuthError::GrantGone(format!(
                "your {integration} account holds no OAuth token"
            )));
        };
        let expiring = account.expires_at.is_some_and(|at| {
            at - time::Duration::seconds(REFRESH_MARGIN.as_secs() as i64)
                <= OffsetDateTime::now_utc()
        });
        let refused = rejected.is_some_and(|r| r == &access_token);
        if !expiring && !refused {
            // Fresh, or someone else refreshed while we waited for the lock.
            return Ok(access_token);
        }
        let Some(refresh) = refresh_token else {
            let why = if refused {
                "the provider refused the token"
            } else {
                "the token expired"
            };
            self.accounts
                .set_status(
                    user,
                    integration,
                    AccountStatus::Expired,
                    Some(format!("{why} and there is no refresh token")),
                )
                .await?;
            return Err(OAuthError::GrantGone(format!(
                "{why} and cannot be refreshed; authorize again"
            )));
        };
        let (connection, client_secret) = self.connection(integration).await?;
        let client = client_for(&connection, &client_secret, endpoints, &self.redirect_url)?;
        let http =
            self.client_for_endpoint(connection.token_url.as_ref(), &endpoints.token_url, "token")?;
        let mut attempt = 0;
        let token = loop {
            attempt += 1;
            let result = client
                .exchange_refresh_token(&RefreshToken::new(refresh.expose().to_string()))
                .request_async(&CappedClient(http))
                .await;
            match result {
                Ok(token) => break token,
                Err(RequestTokenError::ServerResponse(response)) => {
                    let error = crate::quote::clip(response.error().as_ref(), 200).into_owned();
                    let message = format!("the provider refused the refresh: {error}");
                    self.accounts
                        .set_status(
                            user,
                            integration,
                            AccountStatus::Expired,
                            Some(message.clone()),
                        )
                        .await?;
                    tracing::warn!(user, integration, %error, "refresh refused; account marked expired");
                    return Err(OAuthError::GrantGone(format!("{message}; authorize again")));
                }
                Err(other) if attempt < TOKEN_ATTEMPTS => {
                    tracing::warn!(user, integration, attempt, error = %token_error_text(&other), "token endpoint failed; retrying");
                    let backoff = Duration::from_millis(
                        200 * 2u64.pow(attempt - 1) + rand::random::<u64>() % 100,
                    );
                    tokio::time::sleep(backoff).await;
                }
                Err(other) => return Err(OAuthError::TokenEndpoint(token_error_text(&other))),
            }
        };
        let account = self
            .store_tokens(user, integration, &token, Some(refresh), account.scopes)
            .await?;
        tracing::info!(user, integration, "access token refreshed");
        let Some((_, AccountSecret::Oauth2 { access_token, .. })) =
            self.accounts.get_stored(user, integration).await?
        else {
            unreachable!("the account {} was just written", account.id)
        };
        Ok(access_token)
    }

    /// Revokes the account's tokens at the provider (RFC 7009) when it supports it. Failures are
    /// logged and reported, never fatal: the caller deletes the credentials anyway.
    pub async fn revoke(
        &self,
        secret: &AccountSecret,
        integration: &str,
        endpoints: &OAuth2Endpoints,
    ) -> Option<String> {
        let AccountSecret::Oauth2 {
            access_token,
            refresh_token,
        } = secret
        else {
            return None;
        };
        let (connection, client_secret) = self.connection(integration).await.ok()?;
        let url = connection
            .revoke_url
            .clone()
            .or_else(|| endpoints.revoke_url.clone())?;
        let http =
            match self.client_for_endpoint(connection.revoke_url.as_ref(), &url, "revocation") {
                Ok(http) => http,
                Err(refused) => {
                    tracing::warn!(integration, error = %refused, "not revoking at the provider");
                    return Some(refused.to_string());
                }
            };
        // RFC 7009 is one form POST; sent directly because the oauth2 crate refuses revocation
        // endpoints that are not https (self-hosted providers, test servers).
        let (token, hint) = match refresh_token {
            Some(refresh) => (refresh.expose(), "refresh_token"),
            None => (access_token.expose(), "access_token"),
        };
        let mut form = vec![("token", token), ("token_type_hint", hint)];
        let mut request = http.post(&url);
        match endpoints.client_auth {
            ClientAuth::Basic => {
                request = request.basic_auth(&connection.client_id, Some(client_secret.expose()))
            }
            ClientAuth::RequestBody => {
                form.push(("client_id", &connection.client_id));
                form.push(("client_secret", client_secret.expose()));
            }
        }
        let result = request.form(&form).send().await;
        let problem = match result {
            Ok(response) if response.status().is_success() => return None,
            Ok(response) => format!("the revocation endpoint answered {}", response.status()),
            Err(_) => "the revocation endpoint could not be reached".to_string(),
        };
        tracing::warn!(integration, error = %problem, "revoking at the provider failed; deleting locally anyway");
        Some(problem)
    }
}

/// Largest answer read from a token endpoint: a plugin declares its (public) token endpoint,
/// and so chooses what the host would otherwise read whole.
const TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// Why a token request got no usable answer.
#[derive(Debug, thiserror::Error)]
enum TokenHttpError {
    #[error(transparent)]
    Http(#[from] reqwest::Error),
    #[error("the token endpoint's answer is over {TOKEN_RESPONSE_BYTES} bytes")]
    TooLarge,
    #[error("{0}")]
    Response(String),
}

/// The oauth2 crate's HTTP client for token requests: reqwest, reading at most
/// [`TOKEN_RESPONSE_BYTES`] of an answer.
struct CappedClient<'a>(&'a reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for CappedClient<'_> {
    type Error = TokenHttpError;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, TokenHttpError>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(capped_exchange(self.0, request))
    }
}

/// One token request, as the oauth2 crate's reqwest client sends it, but reading at most
/// [`TOKEN_RESPONSE_BYTES`] of the answer.
async fn capped_exchange(
    client: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, TokenHttpError> {
    let request = reqwest::Request::try_from(request)?;
    let mut response = client.execute(request).await?;
    if response
        .content_length()
        .is_some_and(|len| len > TOKEN_RESPONSE_BYTES as u64)
    {
        return Err(TokenHttpError::TooLarge);
    }
    let mut answer = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > TOKEN_RESPONSE_BYTES {
            return Err(TokenHttpError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    answer
        .body(body)
        .map_err(|e| TokenHttpError::Response(e.to_string()))
}

fn token_error_text<RE: std::error::Error + 'static, T: oauth2::ErrorResponse + 'static>(
    error: &RequestTokenError<RE, T>,
) -> String {
    let text = match error {
        RequestTokenError::ServerResponse(r) => format!("{r}"),
        RequestTokenError::Request(e) => format!(
            "cannot reach the token endpoint ({})",
            crate::origin::innermost_cause(e)
        ),
        RequestTokenError::Parse(e, _) => {
            format!("the token endpoint's answer is not a token response ({e})")
        }
        RequestTokenError::Other(o) => o.clone(),
    };
    // The token endpoint chose this text: keep it short.
    crate::quote::clip(&text, 500).into_owned()
}

fn token_error<RE: std::error::Error + 'static>(
    error: RequestTokenError<RE, oauth2::StandardErrorResponse<BasicErrorResponseType>>,
) -> OAuthError {
    match &error {
        RequestTokenError::ServerResponse(r) => OAuthError::Denied(format!(
            "the code exchange was refused: {}",
            crate::quote::clip(r.error().as_ref(), 200)
        )),
        _ => OAuthError::TokenEndpoint(token_error_text(&error)),
    }
}
