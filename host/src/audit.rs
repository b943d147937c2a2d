//! The audit log: one record per execution, in sled, newest first. Records hold who ran what,
//! the outcome and its cost — never parameters or credentials.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::store::{Store, StoreError, trees};

/// One execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRecord {
    /// Time-ordered id; also the paging cursor.
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
}

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 500;

impl AuditLog {
    pub fn open(store: &Store) -> Result<Self, StoreError> {
        Ok(AuditLog {
            tree: store.tree(trees::AUDIT)?,
        })
    }

    /// A new record id: nanoseconds since the epoch, then randomness, in hex (sorts by time).
    pub fn new_id(time: OffsetDateTime) -> String {
        let nanos = time.unix_timestamp_nanos().max(0) as u64;
        format!("{nanos:016x}{:016x}", rand::random::<u64>())
    }

    pub fn append(&self, record: &AuditRecord) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(record).expect("audit records serialize");
        self.tree.insert(record.id.as_bytes(), bytes)?;
        Ok(())
    }

    /// Matching records, newest first, and the cursor of the next page.
    pub fn query(
        &self,
        query: &AuditQuery,
    ) -> Result<(Vec<AuditRecord>, Option<String>), StoreError> {
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let range = match &query.before {
            Some(before) => self.tree.range(..before.as_bytes().to_vec()),
            None => self.tree.range::<Vec<u8>, _>(..),
        };
        let mut records = Vec::new();
        let mut more = false;
        for entry in range.rev() {
            let (_, bytes) = entry?;
            let record: AuditRecord = serde_json::from_slice(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("audit record: {e}")))?;
            if query.user.as_ref().is_some_and(|u| u != &record.user)
                || query.action.as_ref().is_some_and(|a| a != &record.action)
            {
                continue;
            }
            if records.len() == limit {
                more = true;
                break;
            }
            records.push(record);
        }
        let next = if more {
            records.last().map(|r| r.id.clone())
        } else {
            None
        };
        Ok((records, next))
    }
}
