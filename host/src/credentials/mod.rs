//! Credentials: the secrets actionhost keeps for users and the keys that protect them.
//!
//! [`SecretString`] keeps a secret out of `Debug` output and logs; [`MasterKey`] and [`Sealer`]
//! encrypt every stored secret with an AEAD; [`AccountStore`] keeps connected accounts in sled;
//! [`secret_file`] reads or generates the development secrets in the data dir.

mod accounts;
mod connections;
pub mod oauth;
mod sealing;
mod secret_file;

pub use accounts::{AccountDetails, AccountSecret, AccountStatus, AccountStore, ConnectedAccount};
pub use connections::{Connection, ConnectionStore};
pub use oauth::{OAuthError, OAuthFlows};
pub use sealing::{MasterKey, Sealer};
pub use secret_file::{random_token, read_or_generate};

/// A secret string: never printed by `Debug`, only by an explicit [`SecretString::expose`].
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: impl Into<String>) -> Self {
        SecretString(value.into())
    }

    /// The secret itself, for the one place that must use it (injection, signing, hashing).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretString([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("ACTIONHOST_MASTER_KEY must be 32 bytes in standard base64 ({0})")]
    BadMasterKey(String),
    #[error("cannot read or create {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("the key file {path} is malformed: {message}")]
    BadKeyFile { path: String, message: String },
    #[error(
        "a stored secret cannot be decrypted: the master key differs from the one it was sealed with, or the record was altered"
    )]
    Unseal,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
