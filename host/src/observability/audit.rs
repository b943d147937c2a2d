//! The audit log: one record per execution and per account event (connected, renewed, expired,
//! revoked, disconnected), in the store, newest first. Records hold who ran what or whose account
//! changed how, the outcome and its cost — never parameters, credentials or provider messages.
//!
//! Appends leave the request path: they are queued for a writer thread, which lets them gather
//! for [`LINGER`] and stores them as one sled value (one sled insert per request cost
//! ~20% of the host's CPU under load, most of it in sled's log writers). The writer assigns the
//! ids, so they increase in storage order: a value's key is the id of its first record, values
//! never overlap, and paging by id stays exact. Reads first wait for the records queued before
//! them, so a query sees every execution that finished before it; [`AuditLog::sync`] does the
//! same at shutdown. A full queue makes the caller wait; no record is dropped.
//!
//! On PostgreSQL each record is a row of the `audit` table and several hosts write to it. A
//! writer takes an advisory lock around its insert, so the table's sequence numbers are handed
//! out in commit order: every host's records are in one order, and a page cursor never skips a
//! record that commits after the page was read. While the database is down, the writer keeps its
//! batch and retries; records wait in memory, none is dropped.

use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::store::postgres::Postgres;
use crate::store::{Store, StoreError, trees};

/// One execution, or one account event (`action` then names the event: `account.connected`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Increasing id, assigned when the record is stored; also the paging cursor.
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub time: OffsetDateTime,
    pub user: String,
    pub integration: Option<String>,
    pub action: String,
    /// `ok` or the error code the caller received.
    pub outcome: String,
    pub upstream_status: Option<u16>,
    pub duration_ms: u64,
    pub upstream_calls: u32,
}

impl AuditRecord {
    /// An event of `user`'s account for `integration` (`account.connected`, ...): no upstream
    /// call, nothing but the event's name.
    pub fn account_event(user: &str, integration: &str, event: &str) -> Self {
        AuditRecord {
            id: String::new(),
            time: OffsetDateTime::now_utc(),
            user: user.into(),
            integration: Some(integration.into()),
            action: event.into(),
            outcome: "ok".into(),
            upstream_status: None,
            duration_ms: 0,
            upstream_calls: 0,
        }
    }
}

/// Filters of `GET /admin/audit`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    pub user: Option<String>,
    pub action: Option<String>,
    /// At most this many records (default 50, at most 500).
    pub limit: Option<usize>,
    /// Only records older than this id (the previous page's `next`).
    pub before: Option<String>,
}

#[derive(Clone)]
pub struct AuditLog {
    sink: Sink,
    queue: mpsc::SyncSender<Queued>,
}

/// Where records are stored.
#[derive(Clone)]
enum Sink {
    /// A sled tree: values of batches, keyed by their first record's id.
    Sled(sled::Tree),
    /// The `audit` table; the writer thread runs its queries on the host's runtime.
    Postgres(Postgres, tokio::runtime::Handle),
}

enum Queued {
    Record(AuditRecord),
    /// Answered once every record queued before it is in the tree.
    Sync(mpsc::SyncSender<()>),
}

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;
/// Records waiting for the writer before appends wait for it.
const QUEUE: usize = 16 * 1024;
/// How long the writer lets records gather after the first one before storing them.
pub const LINGER: Duration = Duration::from_millis(20);
/// Most records stored as one value.
const MAX_BATCH: usize = 512;

impl AuditLog {
    /// Opens the audit tree (or table) and starts its writer thread (it ends when the last
    /// handle drops). On PostgreSQL it must be called within the host's runtime.
    pub fn open(store: &Store) -> Result<Self, StoreError> {
        let (sink, last_nanos) = match (store.sled(), store.postgres()) {
            (Some(db), _) => {
                let tree = db.open_tree(trees::AUDIT)?;
                let last = last_stored_nanos(&tree)?;
                (Sink::Sled(tree), last)
            }
            (None, Some(pg)) => {
                let handle = tokio::runtime::Handle::try_current().map_err(|_| {
                    StoreError::Setup("the audit log on PostgreSQL needs a runtime".into())
                })?;
                (Sink::Postgres(pg.clone(), handle), 0)
            }
            (None, None) => unreachable!("a store has one backend"),
        };
        let (queue, queued) = mpsc::sync_channel(QUEUE);
        let writer = Writer {
            sink: sink.clone(),
            last_nanos,
        };
        std::thread::Builder::new()
            .name("actionhost-audit".into())
            .spawn(move || writer.run(&queued))
            .map_err(|e| StoreError::Setup(format!("cannot start the audit writer: {e}")))?;
        Ok(AuditLog { sink, queue })
    }

    /// Queues `record` (its `id` is assigned when it is stored). Waits only if the writer is
    /// [`QUEUE`] records behind.
    pub fn append(&self, record: AuditRecord) {
        match self.queue.try_send(Queued::Record(record)) {
            Ok(()) | Err(mpsc::TrySendError::Disconnected(_)) => {}
            Err(mpsc::TrySendError::Full(item)) => {
                tracing::warn!("the audit writer is behind; this request waits for it");
                let _ = self.queue.send(item);
            }
        }
    }

    /// Waits until every record appended so far is in the tree.
    pub fn sync(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if self.queue.send(Queued::Sync(done)).is_ok() {
            let _ = wait.recv();
        }
    }

    /// Matching records, newest first, and the cursor of the next page. Waits for the records
    /// queued before it (off the async workers).
    pub async fn query(
        &self,
        query: &AuditQuery,
    ) -> Result<(Vec<AuditRecord>, Option<String>), StoreError> {
        let log = self.clone();
        let query = query.clone();
        let joined =
            |e: tokio::task::JoinError| StoreError::Setup(format!("the audit query failed: {e}"));
        match &self.sink {
            Sink::Sled(tree) => {
                let tree = tree.clone();
                tokio::task::spawn_blocking(move || {
                    log.sync();
                    query_sled(&tree, &query)
                })
                .await
                .map_err(joined)?
            }
            Sink::Postgres(pg, _) => {
                tokio::task::spawn_blocking(move || log.sync())
                    .await
                    .map_err(joined)?;
                query_postgres(pg, &query).await
            }
        }
    }

    /// Stores records copied from another store under their own ids, in the order given (oldest
    /// first), skipping those already there. Returns how many were new.
    pub async fn import(&self, records: &[AuditRecord]) -> Result<u64, StoreError> {
        match &self.sink {
            Sink::Sled(_) => Err(StoreError::Setup(
                "records are imported into PostgreSQL only".into(),
            )),
            Sink::Postgres(pg, _) => insert_postgres(pg, records, true).await,
        }
    }

    /// How many records are stored.
    pub async fn count(&self) -> Result<u64, StoreError> {
        match &self.sink {
            Sink::Sled(tree) => {
                let mut n = 0;
                for entry in tree.iter() {
                    n += decode(&entry?.1)?.len() as u64;
                }
                Ok(n)
            }
            Sink::Postgres(pg, _) => {
                let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit")
                    .fetch_one(pg.pool())
                    .await?;
                Ok(n as u64)
            }
        }
    }

    /// Every record, oldest first (for copying a store).
    pub fn all_sled(&self) -> Result<Vec<AuditRecord>, StoreError> {
        let Sink::Sled(tree) = &self.sink else {
            return Err(StoreError::Setup("not a sled store".into()));
        };
        let mut all = Vec::new();
        for entry in tree.iter() {
            all.extend(decode(&entry?.1)?);
        }
        Ok(all)
    }
}

fn query_sled(
    tree: &sled::Tree,
    query: &AuditQuery,
) -> Result<(Vec<AuditRecord>, Option<String>), StoreError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let range = match &query.before {
        Some(before) => tree.range(..before.as_bytes().to_vec()),
        None => tree.range::<Vec<u8>, _>(..),
    };
    let mut records = Vec::new();
    for entry in range.rev() {
        let (_, bytes) = entry?;
        for record in decode(&bytes)?.into_iter().rev() {
            if query.before.as_ref().is_some_and(|b| &record.id >= b)
                || query.user.as_ref().is_some_and(|u| u != &record.user)
                || query.action.as_ref().is_some_and(|a| a != &record.action)
            {
                continue;
            }
            if records.len() == limit {
                let next = records.last().map(|r: &AuditRecord| r.id.clone());
                return Ok((records, next));
            }
            records.push(record);
        }
    }
    Ok((records, None))
}

/// An audit cursor that names no stored record.
#[derive(Debug, thiserror::Error)]
#[error("`before` names no audit record: pass the `next` of a previous page")]
pub struct UnknownCursor;

async fn query_postgres(
    pg: &Postgres,
    query: &AuditQuery,
) -> Result<(Vec<AuditRecord>, Option<String>), StoreError> {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let before: Option<i64> = match &query.before {
        Some(id) => Some(
            sqlx::query_scalar("SELECT seq FROM audit WHERE id = $1")
                .bind(id)
                .fetch_optional(pg.pool())
                .await?
                .ok_or_else(|| StoreError::BadInput(UnknownCursor.to_string()))?,
        ),
        None => None,
    };
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT record::text FROM audit WHERE ($1::bigint IS NULL OR seq < $1) \
         AND ($2::text IS NULL OR user_id = $2) AND ($3::text IS NULL OR action = $3) \
         ORDER BY seq DESC LIMIT $4",
    )
    .bind(before)
    .bind(&query.user)
    .bind(&query.action)
    .bind(limit as i64 + 1)
    .fetch_all(pg.pool())
    .await?;
    let mut records = rows
        .iter()
        .map(|text| {
            serde_json::from_str::<AuditRecord>(text)
                .map_err(|e| StoreError::Corrupt(format!("audit record: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let next = if records.len() > limit {
        records.truncate(limit);
        records.last().map(|r| r.id.clone())
    } else {
        None
    };
    Ok((records, next))
}

/// Inserts `records` in one transaction under the audit lock. New records get their ids from
/// the table's sequence (`imported`: they keep theirs, and those already stored are skipped).
async fn insert_postgres(
    pg: &Postgres,
    records: &[AuditRecord],
    imported: bool,
) -> Result<u64, StoreError> {
    let mut tx = pg.pool().begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(crate::store::postgres::lock_key(
            crate::store::postgres::AUDIT_LOCK,
        ))
        .execute(&mut *tx)
        .await?;
    let seqs: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('audit', 'seq')) FROM generate_series(1, $1)",
    )
    .bind(records.len() as i64)
    .fetch_all(&mut *tx)
    .await?;
    let mut ids = Vec::with_capacity(records.len());
    let mut users = Vec::with_capacity(records.len());
    let mut actions = Vec::with_capacity(records.len());
    let mut texts = Vec::with_capacity(records.len());
    for (record, seq) in records.iter().zip(&seqs) {
        let mut record = record.clone();
        if !imported {
            record.id = format!("{seq:032x}");
        }
        ids.push(record.id.clone());
        users.push(record.user.clone());
        actions.push(record.action.clone());
        texts.push(serde_json::to_string(&record).expect("audit records serialize"));
    }
    let inserted = sqlx::query(
        "INSERT INTO audit (seq, id, user_id, action, record) \
         SELECT s, i, u, a, r::jsonb FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) \
         AS t(s, i, u, a, r) ORDER BY s ON CONFLICT (id) DO NOTHING",
    )
    .bind(&seqs)
    .bind(&ids)
    .bind(&users)
    .bind(&actions)
    .bind(&texts)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(inserted)
}

/// The records of one stored value: an array (written by the batch writer) or a single record
/// (written one per key by earlier versions, still read).
fn decode(bytes: &[u8]) -> Result<Vec<AuditRecord>, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(format!("audit record: {e}"));
    if bytes.first() == Some(&b'[') {
        serde_json::from_slice(bytes).map_err(corrupt)
    } else {
        serde_json::from_slice(bytes)
            .map(|r| vec![r])
            .map_err(corrupt)
    }
}

/// The time part of the newest stored id, so that ids keep increasing across restarts.
fn last_stored_nanos(tree: &sled::Tree) -> Result<u64, StoreError> {
    Ok(tree
        .last()?
        .and_then(|(key, _)| {
            let key = std::str::from_utf8(&key).ok()?.get(..16)?.to_string();
            u64::from_str_radix(&key, 16).ok()
        })
        .unwrap_or(0))
}

struct Writer {
    sink: Sink,
    last_nanos: u64,
}

impl Writer {
    /// Blocks for the next item; then, unless someone waits in [`AuditLog::sync`], sleeps for
    /// [`LINGER`] so that records queue up without waking this thread one by one; stores what
    /// has queued (at most [`MAX_BATCH`] records a value), answers the waiters, and repeats
    /// until every handle is dropped.
    fn run(mut self, queued: &mpsc::Receiver<Queued>) {
        while let Ok(first) = queued.recv() {
            if matches!(first, Queued::Record(_)) {
                std::thread::sleep(LINGER);
            }
            let mut records = Vec::new();
            let mut waiting = Vec::new();
            for item in std::iter::once(first).chain(queued.try_iter().take(QUEUE)) {
                match item {
                    Queued::Record(record) => records.push(record),
                    Queued::Sync(done) => waiting.push(done),
                }
                if records.len() == MAX_BATCH {
                    self.store(std::mem::take(&mut records));
                }
            }
            if !records.is_empty() {
                self.store(records);
            }
            for done in waiting {
                let _ = done.send(());
            }
        }
    }

    fn store(&mut self, records: Vec<AuditRecord>) {
        match &self.sink {
            Sink::Sled(tree) => {
                let tree = tree.clone();
                self.store_sled(&tree, records)
            }
            Sink::Postgres(pg, handle) => {
                // Retried until stored: a database restart delays records, it does not lose them.
                let mut failures = 0u32;
                while let Err(e) = handle.block_on(insert_postgres(pg, &records, false)) {
                    if failures == 0 {
                        tracing::error!(error = %e, waiting = records.len(), "cannot write audit records; retrying until the database answers");
                    }
                    failures += 1;
                    std::thread::sleep(Duration::from_millis(500));
                }
                if failures > 0 {
                    tracing::info!(
                        records = records.len(),
                        "audit records written after the database came back"
                    );
                }
            }
        }
    }

    /// Assigns increasing ids (time of storing, then position) and stores the records as one
    /// value under the first id.
    fn store_sled(&mut self, tree: &sled::Tree, mut records: Vec<AuditRecord>) {
        let now = OffsetDateTime::now_utc().unix_timestamp_nanos().max(0) as u64;
        let nanos = now.max(self.last_nanos + 1);
        self.last_nanos = nanos;
        for (n, record) in records.iter_mut().enumerate() {
            record.id = format!("{nanos:016x}{n:016x}");
        }
        let value = serde_json::to_vec(&records).expect("audit records serialize");
        if let Err(e) = tree.insert(records[0].id.as_bytes(), value) {
            tracing::error!(error = %e, lost = records.len(), "cannot write audit records");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(user: &str, action: &str) -> AuditRecord {
        AuditRecord {
            id: String::new(),
            time: OffsetDateTime::now_utc(),
            user: user.into(),
            integration: Some("github".into()),
            action: action.into(),
            outcome: "ok".into(),
            upstream_status: Some(200),
            duration_ms: 1,
            upstream_calls: 1,
        }
    }

    /// Every record matching `query`, page by page, and the number of pages.
    async fn all_pages(log: &AuditLog, mut query: AuditQuery) -> (Vec<AuditRecord>, usize) {
        let (mut all, mut pages) = (Vec::new(), 0);
        loop {
            let (records, next) = log.query(&query).await.unwrap();
            pages += 1;
            all.extend(records);
            match next {
                Some(cursor) => query.before = Some(cursor),
                None => return (all, pages),
            }
        }
    }

    #[tokio::test]
    async fn pages_cross_stored_batches_exactly_once_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(&Store::open(dir.path()).unwrap()).unwrap();
        // Five stored values of 7 records each (a sync ends a batch).
        for batch in 0..5 {
            for n in 0..7 {
                let user = if n % 2 == 0 { "alice" } else { "bob" };
                log.append(record(user, &format!("A{batch}_{n}")));
            }
            log.sync();
        }
        let Sink::Sled(tree) = &log.sink else {
            unreachable!()
        };
        assert_eq!(tree.len(), 5, "one value per batch");

        let (all, pages) = all_pages(
            &log,
            AuditQuery {
                limit: Some(3),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(pages, 12);
        let actions: Vec<&str> = all.iter().map(|r| r.action.as_str()).collect();
        let expected: Vec<String> = (0..5)
            .rev()
            .flat_map(|b| (0..7).rev().map(move |n| format!("A{b}_{n}")))
            .collect();
        assert_eq!(actions, expected);
        assert!(all.windows(2).all(|w| w[0].id > w[1].id), "ids decrease");

        let (alice, _) = all_pages(
            &log,
            AuditQuery {
                user: Some("alice".into()),
                limit: Some(4),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(alice.len(), 20);
        assert!(alice.iter().all(|r| r.user == "alice"));
    }

    #[tokio::test]
    async fn records_of_the_one_per_key_layout_are_still_read_and_new_ids_sort_after_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let tree = store.tree(trees::AUDIT).unwrap();
        // A record as earlier versions stored it, with a time far ahead of this clock.
        let mut old = record("alice", "OLD");
        old.id = format!("{:016x}{:016x}", u64::MAX / 2, 7);
        tree.insert(old.id.as_bytes(), serde_json::to_vec(&old).unwrap())
            .await
            .unwrap();

        let log = AuditLog::open(&store).unwrap();
        log.append(record("alice", "NEW"));
        let (records, next) = log.query(&AuditQuery::default()).await.unwrap();
        let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["NEW", "OLD"]);
        assert!(records[0].id > old.id);
        assert_eq!(next, None);
    }

    #[tokio::test]
    async fn a_burst_larger_than_the_queue_is_stored_completely() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(&Store::open(dir.path()).unwrap()).unwrap();
        let total = QUEUE + 3000;
        for n in 0..total {
            log.append(record("alice", &format!("A{n}")));
        }
        let (all, _) = all_pages(
            &log,
            AuditQuery {
                limit: Some(MAX_LIMIT),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(all.len(), total);
        assert_eq!(all[0].action, format!("A{}", total - 1));
        assert_eq!(all[total - 1].action, "A0");
    }
}
