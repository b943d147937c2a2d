//! The PostgreSQL backend: key-value trees in one table, the audit log in its own, versioned
//! migrations embedded in the binary and run at start (sqlx takes a lock, so hosts starting
//! together run them once), `NOTIFY` to tell the other hosts of a change and a listener that
//! hears theirs, and advisory locks for what only one host at a time may do.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::{Connection, Row};
use tokio::sync::broadcast;

use super::{Notice, StoreError};

/// The `NOTIFY` channel every host listens on.
const CHANNEL: &str = "actionhost";
/// How long a query waits for a pooled connection before the request fails (503).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// Notices a slow reader may fall behind by before it must resync.
const BACKLOG: usize = 1024;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A pool on one database; cheap to clone.
#[derive(Clone)]
pub struct Postgres {
    pool: PgPool,
    /// This host's id in its notices, so it ignores its own.
    host: Arc<str>,
    notices: broadcast::Sender<Notice>,
}

/// What a failed query says, without the connection string (it may hold a password).
pub fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Configuration(_) => "the database URL is not valid".to_string(),
        sqlx::Error::PoolTimedOut => format!(
            "no database connection within {}s (is PostgreSQL running?)",
            ACQUIRE_TIMEOUT.as_secs()
        ),
        sqlx::Error::Io(e) => format!("cannot reach the database: {e}"),
        sqlx::Error::Database(e) => format!("the database refused: {}", e.message()),
        other => other.to_string(),
    }
}

/// The first key after every key starting with `prefix` (none: no bound).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The advisory-lock key of a name: 64 bits of its SHA-256.
pub(crate) fn lock_key(name: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("actionhost\0{name}").as_bytes());
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// The lock every audit writer takes around its insert.
pub(crate) const AUDIT_LOCK: &str = "audit";

impl Postgres {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(|e| {
                StoreError::Setup(format!("cannot connect to PostgreSQL: {}", describe(&e)))
            })?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Setup(format!("cannot migrate the database: {e}")))?;
        let pg = Postgres {
            pool,
            host: hex::encode(rand::random::<[u8; 8]>()).into(),
            notices: broadcast::channel(BACKLOG).0,
        };
        let listener = connect_listener(&pg.pool).await.map_err(|e| {
            StoreError::Setup(format!("cannot listen for other hosts: {}", describe(&e)))
        })?;
        tokio::spawn(listen(listener, pg.clone()));
        Ok(pg)
    }

    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn notices(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    pub async fn publish(&self, notice: &Notice) -> Result<(), StoreError> {
        let payload = match notice {
            Notice::Account(key) => format!("{}\taccount\t{}", self.host, hex::encode(key)),
            Notice::Plugins => format!("{}\tplugins\t", self.host),
            Notice::Resync => return Ok(()),
        };
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn health(&self) -> Result<(), StoreError> {
        tokio::time::timeout(ACQUIRE_TIMEOUT, sqlx::query("SELECT 1").execute(&self.pool))
            .await
            .map_err(|_| {
                StoreError::Unavailable("the database did not answer within 3s".into())
            })??;
        Ok(())
    }

    pub async fn lock(&self, name: &str) -> Result<AdvisoryLock, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let key = lock_key(name);
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(key)
            .execute(&mut *conn)
            .await?;
        Ok(AdvisoryLock {
            conn: Some(conn),
            key,
        })
    }

    pub async fn get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM kv WHERE tree = $1 AND key = $2")
                .bind(tree)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn insert(
        &self,
        tree: &str,
        key: &[u8],
        value: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let previous: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT value FROM kv WHERE tree = $1 AND key = $2 FOR UPDATE")
                .bind(tree)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO kv (tree, key, value) VALUES ($1, $2, $3) \
             ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value",
        )
        .bind(tree)
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(previous)
    }

    pub async fn remove(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("DELETE FROM kv WHERE tree = $1 AND key = $2 RETURNING value")
                .bind(tree)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn scan_prefix(
        &self,
        tree: &str,
        prefix: &[u8],
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT key, value FROM kv WHERE tree = $1 AND key >= $2 \
             AND ($3::bytea IS NULL OR key < $3) ORDER BY key",
        )
        .bind(tree)
        .bind(prefix)
        .bind(prefix_end(prefix))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    pub async fn compare_and_swap(
        &self,
        tree: &str,
        key: &[u8],
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, StoreError> {
        let query = match (old, new) {
            (None, None) => {
                return Ok(self.get(tree, key).await?.is_none());
            }
            (None, Some(new)) => sqlx::query(
                "INSERT INTO kv (tree, key, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(tree)
            .bind(key)
            .bind(new),
            (Some(old), Some(new)) => {
                sqlx::query("UPDATE kv SET value = $4 WHERE tree = $1 AND key = $2 AND value = $3")
                    .bind(tree)
                    .bind(key)
                    .bind(old)
                    .bind(new)
            }
            (Some(old), None) => {
                sqlx::query("DELETE FROM kv WHERE tree = $1 AND key = $2 AND value = $3")
                    .bind(tree)
                    .bind(key)
                    .bind(old)
            }
        };
        Ok(query.execute(&self.pool).await?.rows_affected() == 1)
    }
}

/// Hears the other hosts' notices until the pool closes. A lost connection is made again (every
/// second until it can be), and only then is [`Notice::Resync`] told: what was sent meanwhile is
/// lost, so whatever was remembered from before must be forgotten — but not earlier, so that
/// while the database cannot be reached at all (and so no host can write to it) the accounts a
/// host remembers keep serving.
async fn listen(mut listener: PgListener, pg: Postgres) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                if let Some(notice) = parse(notification.payload(), &pg.host) {
                    let _ = pg.notices.send(notice);
                }
            }
            Ok(None) | Err(_) => {
                tracing::warn!("lost the database connection that hears other hosts; reconnecting");
                drop(listener);
                listener = loop {
                    if pg.pool.is_closed() {
                        return;
                    }
                    match connect_listener(&pg.pool).await {
                        Ok(listener) => break listener,
                        Err(e) => {
                            tracing::debug!(error = %describe(&e), "cannot reach the database yet");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                };
                tracing::info!("hearing other hosts again; forgetting what was remembered");
                let _ = pg.notices.send(Notice::Resync);
            }
        }
    }
}

async fn connect_listener(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// A notice from another host (none: this host's own, or not one of ours).
fn parse(payload: &str, own: &str) -> Option<Notice> {
    let mut parts = payload.splitn(3, '\t');
    let (host, kind, key) = (parts.next()?, parts.next()?, parts.next()?);
    if host == own {
        return None;
    }
    match kind {
        "account" => hex::decode(key).ok().map(Notice::Account),
        "plugins" => Some(Notice::Plugins),
        _ => None,
    }
}

/// A session-level advisory lock on one pooled connection.
pub struct AdvisoryLock {
    conn: Option<sqlx::pool::PoolConnection<sqlx::Postgres>>,
    key: i64,
}

impl AdvisoryLock {
    pub async fn release(mut self) {
        if let Some(mut conn) = self.conn.take() {
            let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(self.key)
                .execute(&mut *conn)
                .await;
            if unlocked.is_err() {
                // Closing the session is what lets the lock go then.
                let _ = conn.detach().close().await;
            }
        }
    }
}

impl Drop for AdvisoryLock {
    fn drop(&mut self) {
        // Not released (a cancelled request): close the session, which releases the lock,
        // rather than return a connection that still holds it to the pool.
        if let Some(conn) = self.conn.take() {
            let raw = conn.detach();
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(async move {
                    let _ = raw.close().await;
                });
            }
        }
    }
}
