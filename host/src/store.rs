//! The embedded sled database under the data dir; every persistent tree is opened here so the
//! list of what actionhost stores is in one place.

use std::path::Path;

/// Trees in the database.
pub mod trees {
    /// Connected accounts: `user \0 integration` → sealed account record.
    pub const ACCOUNTS: &str = "accounts";
    /// Audit records, keyed by time-ordered id.
    pub const AUDIT: &str = "audit";
    /// Links to the hosted connect page and their browser sessions, by SHA-256 of the secret.
    pub const CONNECT_SESSIONS: &str = "connect_sessions";
    /// OAuth apps per integration.
    pub const CONNECTIONS: &str = "connections";
    /// Pending OAuth authorizations by `state`.
    pub const OAUTH_STATES: &str = "oauth_states";
    /// Uploaded plugins and disabled bundled ones.
    pub const PLUGINS: &str = "plugins";
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {source}")]
    Open { path: String, source: sled::Error },
    #[error("store operation failed: {0}")]
    Sled(#[from] sled::Error),
    #[error("a stored record is corrupt: {0}")]
    Corrupt(String),
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
}

impl Store {
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join("store");
        let db = sled::open(&path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Store { db })
    }

    pub fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        Ok(self.db.open_tree(name)?)
    }

    /// Waits until everything written so far is on disk.
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.db.flush_async().await?;
        Ok(())
    }
}
