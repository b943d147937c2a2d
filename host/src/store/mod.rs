//! Everything actionhost keeps: in the embedded sled database under the data dir (one host, the
//! default), or in PostgreSQL (`ACTIONHOST_DATABASE_URL`, several hosts on one database). The
//! rest of the host sees one interface, [`Store`] and its [`Tree`]s, and does not know which
//! backend it runs on; every persistent tree is named here so the list of what is stored is in
//! one place.
//!
//! What only matters with several hosts is here too, and a no-op on sled: [`Store::publish`]
//! tells the other hosts of a change (PostgreSQL `NOTIFY`), [`Store::notices`] hears theirs, and
//! [`Store::lock`] is a lock every host respects (a PostgreSQL advisory lock).

pub mod postgres;

use std::path::Path;

use tokio::sync::broadcast;

/// Trees in the database.
pub mod trees {
    /// Connected accounts: `user \0 integration` → sealed account record.
    pub const ACCOUNTS: &str = "accounts";
    /// Audit records, keyed by time-ordered id (sled only: PostgreSQL has its own table).
    pub const AUDIT: &str = "audit";
    /// Links to the hosted connect page and their browser sessions, by SHA-256 of the secret.
    pub const CONNECT_SESSIONS: &str = "connect_sessions";
    /// OAuth apps per integration.
    pub const CONNECTIONS: &str = "connections";
    /// Pending OAuth authorizations by `state`.
    pub const OAUTH_STATES: &str = "oauth_states";
    /// Disabled bundled plugins (`disabled:{id}`), and on PostgreSQL the uploaded plugins'
    /// bytes (`upload:{id}`; on sled they are files in the data dir).
    pub const PLUGINS: &str = "plugins";
    /// What the host checks about itself: the master key's check value.
    pub const META: &str = "meta";

    /// Every tree holding key-value records (the audit log is kept apart).
    pub const KV: [&str; 6] = [
        ACCOUNTS,
        CONNECT_SESSIONS,
        CONNECTIONS,
        OAUTH_STATES,
        PLUGINS,
        META,
    ];
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {source}")]
    Open { path: String, source: sled::Error },
    #[error("store operation failed: {0}")]
    Sled(#[from] sled::Error),
    /// PostgreSQL could not be reached or answered with an error; the request may be retried.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("a stored record is corrupt: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Setup(String),
    /// The caller asked for something that cannot be (an unknown paging cursor).
    #[error("{0}")]
    BadInput(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        // The database's own message names what failed (never a value: queries are bound).
        StoreError::Unavailable(postgres::describe(&error))
    }
}

/// A change another host made, heard through [`Store::notices`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// An account was written or removed: `user \0 integration`.
    Account(Vec<u8>),
    /// An uploaded plugin or a disabled flag changed.
    Plugins,
    /// The connection to the database was lost and made again: notices may have been missed,
    /// so whatever was remembered from other hosts' writes must be forgotten.
    Resync,
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sled(sled::Db),
    Postgres(postgres::Postgres),
}

impl Store {
    /// The embedded sled database under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join("store");
        let db = sled::open(&path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Store {
            backend: Backend::Sled(db),
        })
    }

    /// PostgreSQL at `url`: runs the embedded migrations, then listens for the other hosts'
    /// notices. `max_connections` sizes the pool.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        Ok(Store {
            backend: Backend::Postgres(postgres::Postgres::connect(url, max_connections).await?),
        })
    }

    /// `sled` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match &self.backend {
            Backend::Sled(_) => "sled",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Whether other hosts may share this store (and so what this host remembers may go stale).
    pub fn shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    pub fn tree(&self, name: &'static str) -> Result<Tree, StoreError> {
        Ok(Tree {
            backend: match &self.backend {
                Backend::Sled(db) => TreeBackend::Sled(db.open_tree(name)?),
                Backend::Postgres(pg) => TreeBackend::Postgres(pg.clone(), name),
            },
        })
    }

    pub(crate) fn sled(&self) -> Option<&sled::Db> {
        match &self.backend {
            Backend::Sled(db) => Some(db),
            Backend::Postgres(_) => None,
        }
    }

    pub(crate) fn postgres(&self) -> Option<&postgres::Postgres> {
        match &self.backend {
            Backend::Sled(_) => None,
            Backend::Postgres(pg) => Some(pg),
        }
    }

    /// Waits until everything written so far is durable.
    pub async fn flush(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sled(db) => {
                db.flush_async().await?;
            }
            // Every statement is committed when it returns.
            Backend::Postgres(_) => {}
        }
        Ok(())
    }

    /// Tells the other hosts of a change (nothing to tell on sled).
    pub async fn publish(&self, notice: &Notice) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sled(_) => Ok(()),
            Backend::Postgres(pg) => pg.publish(notice).await,
        }
    }

    /// The other hosts' changes from now on (none on sled).
    pub fn notices(&self) -> broadcast::Receiver<Notice> {
        match &self.backend {
            Backend::Sled(_) => broadcast::channel(1).1,
            Backend::Postgres(pg) => pg.notices(),
        }
    }

    /// A lock on `name` that every host sharing the store respects, held until
    /// [`StoreLock::release`] (or drop). On sled there is one host, whose own locks suffice.
    pub async fn lock(&self, name: &str) -> Result<StoreLock, StoreError> {
        match &self.backend {
            Backend::Sled(_) => Ok(StoreLock(None)),
            Backend::Postgres(pg) => Ok(StoreLock(Some(pg.lock(name).await?))),
        }
    }

    /// Whether the store answers now.
    pub async fn health(&self) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Sled(_) => Ok(()),
            Backend::Postgres(pg) => pg.health().await,
        }
    }
}

/// A held [`Store::lock`].
pub struct StoreLock(Option<postgres::AdvisoryLock>);

impl StoreLock {
    /// Lets the lock go and waits until the database has.
    pub async fn release(self) {
        if let Some(lock) = self.0 {
            lock.release().await;
        }
    }
}

/// A named set of records, ordered by key.
#[derive(Clone)]
pub struct Tree {
    backend: TreeBackend,
}

#[derive(Clone)]
enum TreeBackend {
    Sled(sled::Tree),
    Postgres(postgres::Postgres, &'static str),
}

impl Tree {
    pub async fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, StoreError> {
        match &self.backend {
            TreeBackend::Sled(tree) => Ok(tree.get(key)?.map(|v| v.to_vec())),
            TreeBackend::Postgres(pg, tree) => pg.get(tree, key.as_ref()).await,
        }
    }

    /// Stores `value` under `key`; returns what was there.
    pub async fn insert(
        &self,
        key: impl AsRef<[u8]>,
        value: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        match &self.backend {
            TreeBackend::Sled(tree) => Ok(tree.insert(key, value)?.map(|v| v.to_vec())),
            TreeBackend::Postgres(pg, tree) => pg.insert(tree, key.as_ref(), &value).await,
        }
    }

    /// Removes `key`; returns what was there. Of concurrent removals (on any host), exactly one
    /// gets the value.
    pub async fn remove(&self, key: impl AsRef<[u8]>) -> Result<Option<Vec<u8>>, StoreError> {
        match &self.backend {
            TreeBackend::Sled(tree) => Ok(tree.remove(key)?.map(|v| v.to_vec())),
            TreeBackend::Postgres(pg, tree) => pg.remove(tree, key.as_ref()).await,
        }
    }

    pub async fn contains_key(&self, key: impl AsRef<[u8]>) -> Result<bool, StoreError> {
        match &self.backend {
            TreeBackend::Sled(tree) => Ok(tree.contains_key(key)?),
            TreeBackend::Postgres(pg, tree) => Ok(pg.get(tree, key.as_ref()).await?.is_some()),
        }
    }

    /// Every record whose key starts with `prefix`, in key order.
    pub async fn scan_prefix(
        &self,
        prefix: impl AsRef<[u8]>,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        match &self.backend {
            TreeBackend::Sled(tree) => tree
                .scan_prefix(prefix)
                .map(|entry| {
                    let (k, v) = entry?;
                    Ok((k.to_vec(), v.to_vec()))
                })
                .collect(),
            TreeBackend::Postgres(pg, tree) => pg.scan_prefix(tree, prefix.as_ref()).await,
        }
    }

    /// Every record, in key order.
    pub async fn all(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        self.scan_prefix([]).await
    }

    /// Replaces the value under `key` only while it is `old` (`None`: absent); `new` `None`
    /// removes it. False when the value was something else: someone else changed it first.
    pub async fn compare_and_swap(
        &self,
        key: impl AsRef<[u8]>,
        old: Option<&[u8]>,
        new: Option<Vec<u8>>,
    ) -> Result<bool, StoreError> {
        match &self.backend {
            TreeBackend::Sled(tree) => Ok(tree.compare_and_swap(key, old, new)?.is_ok()),
            TreeBackend::Postgres(pg, tree) => {
                pg.compare_and_swap(tree, key.as_ref(), old, new.as_deref())
                    .await
            }
        }
    }

    /// Waits until this tree's writes are durable.
    pub async fn flush(&self) -> Result<(), StoreError> {
        if let TreeBackend::Sled(tree) = &self.backend {
            tree.flush_async().await?;
        }
        Ok(())
    }
}
