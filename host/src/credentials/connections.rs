//! Connections: the operator's OAuth app per integration (client id and secret, scopes, optional
//! endpoint overrides), and the operator's credential of plugins that declare one (Discord's bot
//! token). Both secrets are sealed like every other secret and never returned.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{CredentialError, Sealer, SecretString};
use crate::store::{Store, StoreError, Tree, trees};

/// An OAuth app as operators and the API see it: no secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Connection {
    pub integration: String,
    pub client_id: String,
    /// Scopes to request; none means the plugin's defaults.
    pub scopes: Option<Vec<String>>,
    /// Overrides of the plugin's authorize and token URLs (GitHub Enterprise, a test server).
    pub authorize_url: Option<String>,
    pub token_url: Option<String>,
    /// Override of the plugin's RFC 7009 revocation URL.
    pub revoke_url: Option<String>,
    /// Where the browser goes after a successful connection (303); none shows a small page.
    pub return_url: Option<String>,
    /// Values of the integration's user-given account fields that the operator fixes for every
    /// user of this app (a Microsoft app's `tenant`): applied at every authorization, and a user
    /// who gives another value is refused.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, String>,
    /// Whether the operator's credential (`operator_secret`, e.g. Discord's bot token) is set.
    /// The secret itself is sealed and never returned.
    #[serde(default)]
    pub operator_secret_set: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Serialize, Deserialize)]
struct StoredConnection {
    connection: Connection,
    /// base64 of the sealed client secret.
    sealed_secret: String,
    /// base64 of the sealed operator credential, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_operator_secret: Option<String>,
}

/// What the operator credential of `integration` is sealed with, apart from its client secret.
fn operator_aad(integration: &str) -> Vec<u8> {
    format!("{integration}\0operator-credential").into_bytes()
}

/// OAuth apps in the store, keyed by integration id.
#[derive(Clone)]
pub struct ConnectionStore {
    tree: Tree,
    sealer: Sealer,
}

impl ConnectionStore {
    pub fn open(store: &Store, sealer: Sealer) -> Result<Self, CredentialError> {
        Ok(ConnectionStore {
            tree: store.tree(trees::CONNECTIONS)?,
            sealer,
        })
    }

    /// Stores (or replaces) the OAuth app of `connection.integration`. Without an
    /// `operator_secret`, the one stored before (if any) is kept.
    pub async fn put(
        &self,
        mut connection: Connection,
        client_secret: &SecretString,
        operator_secret: Option<&SecretString>,
    ) -> Result<Connection, CredentialError> {
        let key = connection.integration.clone();
        let previous = self.stored(&key).await?;
        if let Some(previous) = &previous {
            connection.created_at = previous.connection.created_at;
        }
        let sealed = self
            .sealer
            .seal(client_secret.expose().as_bytes(), key.as_bytes());
        let sealed_operator_secret = match operator_secret {
            Some(secret) => Some(
                STANDARD.encode(
                    self.sealer
                        .seal(secret.expose().as_bytes(), &operator_aad(&key)),
                ),
            ),
            None => previous.and_then(|p| p.sealed_operator_secret),
        };
        connection.operator_secret_set = sealed_operator_secret.is_some();
        let stored = StoredConnection {
            connection: connection.clone(),
            sealed_secret: STANDARD.encode(sealed),
            sealed_operator_secret,
        };
        self.tree
            .insert(
                key.as_bytes(),
                serde_json::to_vec(&stored).expect("connections serialize"),
            )
            .await?;
        Ok(connection)
    }

    async fn stored(&self, integration: &str) -> Result<Option<StoredConnection>, CredentialError> {
        let Some(bytes) = self.tree.get(integration.as_bytes()).await? else {
            return Ok(None);
        };
        Ok(Some(serde_json::from_slice(&bytes).map_err(|e| {
            StoreError::Corrupt(format!("connection: {e}"))
        })?))
    }

    /// The operator credential of `integration`'s connection, unsealed, if set.
    pub async fn operator_secret(
        &self,
        integration: &str,
    ) -> Result<Option<SecretString>, CredentialError> {
        let Some(sealed) = self
            .stored(integration)
            .await?
            .and_then(|s| s.sealed_operator_secret)
        else {
            return Ok(None);
        };
        let sealed = STANDARD
            .decode(&sealed)
            .map_err(|_| CredentialError::Unseal)?;
        let secret = self.sealer.open(&sealed, &operator_aad(integration))?;
        let secret = String::from_utf8(secret).map_err(|_| CredentialError::Unseal)?;
        Ok(Some(SecretString::new(secret)))
    }

    /// The app and its client secret.
    pub async fn get(
        &self,
        integration: &str,
    ) -> Result<Option<(Connection, SecretString)>, CredentialError> {
        let Some(bytes) = self.tree.get(integration.as_bytes()).await? else {
            return Ok(None);
        };
        let stored: StoredConnection = serde_json::from_slice(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("connection: {e}")))?;
        let sealed = STANDARD
            .decode(&stored.sealed_secret)
            .map_err(|_| CredentialError::Unseal)?;
        let secret = self.sealer.open(&sealed, integration.as_bytes())?;
        let secret = String::from_utf8(secret).map_err(|_| CredentialError::Unseal)?;
        Ok(Some((stored.connection, SecretString::new(secret))))
    }

    pub async fn list(&self) -> Result<Vec<Connection>, CredentialError> {
        let mut list = Vec::new();
        for (_, bytes) in self.tree.all().await? {
            let stored: StoredConnection = serde_json::from_slice(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("connection: {e}")))?;
            list.push(stored.connection);
        }
        Ok(list)
    }

    /// An integration's app without its secret (nothing is unsealed).
    pub async fn public(&self, integration: &str) -> Result<Option<Connection>, CredentialError> {
        let Some(bytes) = self.tree.get(integration.as_bytes()).await? else {
            return Ok(None);
        };
        let stored: StoredConnection = serde_json::from_slice(&bytes)
            .map_err(|e| StoreError::Corrupt(format!("connection: {e}")))?;
        Ok(Some(stored.connection))
    }

    pub async fn exists(&self, integration: &str) -> Result<bool, CredentialError> {
        Ok(self.tree.contains_key(integration.as_bytes()).await?)
    }
}
