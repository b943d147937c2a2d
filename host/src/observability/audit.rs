//! The audit log: one record per execution and per account event (connected, renewed, expired,
//! revoked, disconnected), in sled, newest first. Records hold who ran what or whose account
//! changed how, the outcome and its cost — never parameters, credentials or provider messages.
//!
//! Appends leave the request path: they are queued for a writer thread, which lets them gather
//! for [`LINGER`] and stores them as one sled value (one sled insert per request cost
//! ~20% of the host's CPU under load, most of it in sled's log writers). The writer assigns the
//! ids, so they increase in storage order: a value's key is the id of its first record, values
//! never overlap, and paging by id stays exact. Reads first wait for the records queued before
//! them, so a query sees every execution that finished before it; [`AuditLog::sync`] does the
//! same at shutdown. A full queue makes the caller wait; no record is dropped.

use std::sync::mpsc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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
    tree: sled::Tree,
    queue: mpsc::SyncSender<Queued>,
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
    /// Opens the audit tree and starts its writer thread (it ends when the last handle drops).
    pub fn open(store: &Store) -> Result<Self, StoreError> {
        let tree = store.tree(trees::AUDIT)?;
        let (queue, queued) = mpsc::sync_channel(QUEUE);
        let writer = Writer {
            tree: tree.clone(),
            last_nanos: last_stored_nanos(&tree)?,
        };
        std::thread::Builder::new()
            .name("actionhost-audit".into())
            .spawn(move || writer.run(&queued))
            .map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
        Ok(AuditLog { tree, queue })
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

    /// Matching records, newest first, and the cursor of the next page.
    pub fn query(
        &self,
        query: &AuditQuery,
    ) -> Result<(Vec<AuditRecord>, Option<String>), StoreError> {
        self.sync();
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let range = match &query.before {
            Some(before) => self.tree.range(..before.as_bytes().to_vec()),
            None => self.tree.range::<Vec<u8>, _>(..),
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
    tree: sled::Tree,
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

    /// Assigns increasing ids (time of storing, then position) and stores the records as one
    /// value under the first id.
    fn store(&mut self, mut records: Vec<AuditRecord>) {
        let now = OffsetDateTime::now_utc().unix_timestamp_nanos().max(0) as u64;
        let nanos = now.max(self.last_nanos + 1);
        self.last_nanos = nanos;
        for (n, record) in records.iter_mut().enumerate() {
            record.id = format!("{nanos:016x}{n:016x}");
        }
        let value = serde_json::to_vec(&records).expect("audit records serialize");
        if let Err(e) = self.tree.insert(records[0].id.as_bytes(), value) {
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
    fn all_pages(log: &AuditLog, mut query: AuditQuery) -> (Vec<AuditRecord>, usize) {
        let (mut all, mut pages) = (Vec::new(), 0);
        loop {
            let (records, next) = log.query(&query).unwrap();
            pages += 1;
            all.extend(records);
            match next {
                Some(cursor) => query.before = Some(cursor),
                None => return (all, pages),
            }
        }
    }

    #[test]
    fn pages_cross_stored_batches_exactly_once_newest_first() {
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
        assert_eq!(log.tree.len(), 5, "one value per batch");

        let (all, pages) = all_pages(
            &log,
            AuditQuery {
                limit: Some(3),
                ..Default::default()
            },
        );
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
        );
        assert_eq!(alice.len(), 20);
        assert!(alice.iter().all(|r| r.user == "alice"));
    }

    #[test]
    fn records_of_the_one_per_key_layout_are_still_read_and_new_ids_sort_after_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let tree = store.tree(trees::AUDIT).unwrap();
        // A record as earlier versions stored it, with a time far ahead of this clock.
        let mut old = record("alice", "OLD");
        old.id = format!("{:016x}{:016x}", u64::MAX / 2, 7);
        tree.insert(old.id.as_bytes(), serde_json::to_vec(&old).unwrap())
            .unwrap();

        let log = AuditLog::open(&store).unwrap();
        log.append(record("alice", "NEW"));
        let (records, next) = log.query(&AuditQuery::default()).unwrap();
        let actions: Vec<&str> = records.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["NEW", "OLD"]);
        assert!(records[0].id > old.id);
        assert_eq!(next, None);
    }

    #[test]
    fn a_burst_larger_than_the_queue_is_stored_completely() {
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
        );
        assert_eq!(all.len(), total);
        assert_eq!(all[0].action, format!("A{}", total - 1));
        assert_eq!(all[total - 1].action, "A0");
    }
}
