//! `actionhost migrate --from-sled DIR`: copies a host's sled store (and its uploaded plugins)
//! into PostgreSQL, for operators moving from one host to several.
//!
//! Idempotent: a record already in the database is left as it is (never overwritten, so a
//! second run after the hosts started serving loses nothing), and every run ends by checking
//! that each record of the sled store is in the database. Secrets are copied sealed, as they
//! are: the hosts on PostgreSQL need the same `ACTIONHOST_MASTER_KEY`.

use std::collections::HashSet;
use std::path::Path;

use crate::observability::audit::AuditLog;
use crate::store::{Store, StoreError, trees};

/// What one tree's copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub name: String,
    /// Records in the sled store.
    pub total: u64,
    /// Of those, how many this run added (the rest were in the database already).
    pub added: u64,
}

/// Audit records read per batch.
const AUDIT_BATCH: usize = 1000;

/// Copies the sled store under `data_dir` into `target`; one [`Copied`] per tree, then the
/// uploaded plugins and the audit log. Fails, naming the tree, when a record is missing
/// afterwards.
pub async fn from_sled(data_dir: &Path, target: &Store) -> Result<Vec<Copied>, StoreError> {
    if !target.shared() {
        return Err(StoreError::Setup(
            "the target of a migration is PostgreSQL".into(),
        ));
    }
    if !data_dir.join("store").exists() {
        return Err(StoreError::Setup(format!(
            "{} holds no sled store (no {}): pass the data dir of the host to copy",
            data_dir.display(),
            data_dir.join("store").display()
        )));
    }
    let source = Store::open(data_dir).map_err(|e| {
        StoreError::Setup(format!(
            "{e} (a host still serving from it holds its lock: stop it first)"
        ))
    })?;
    let mut report = Vec::new();
    for name in trees::KV {
        let records = source.tree(name)?.all().await?;
        report.push(copy(target, name, name, records).await?);
    }
    // Uploaded plugins: files in the data dir on sled, records on PostgreSQL.
    let mut uploads = Vec::new();
    if let Ok(entries) = std::fs::read_dir(data_dir.join("plugins")) {
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if path.extension().is_some_and(|e| e == "wasm")
                && let Some(id) = path.file_stem().map(|s| s.to_string_lossy().into_owned())
                && !id.starts_with('.')
            {
                let bytes = std::fs::read(&path).map_err(|e| {
                    StoreError::Setup(format!("cannot read {}: {e}", path.display()))
                })?;
                uploads.push((format!("upload:{id}").into_bytes(), bytes));
            }
        }
    }
    uploads.sort();
    report.push(copy(target, trees::PLUGINS, "uploaded plugins", uploads).await?);
    report.push(copy_audit(&source, target).await?);
    Ok(report)
}

async fn copy(
    target: &Store,
    tree: &'static str,
    name: &str,
    records: Vec<(Vec<u8>, Vec<u8>)>,
) -> Result<Copied, StoreError> {
    let into = target.tree(tree)?;
    let mut added = 0;
    for (key, value) in &records {
        if into
            .compare_and_swap(key, None, Some(value.clone()))
            .await?
        {
            added += 1;
        }
    }
    let present: HashSet<Vec<u8>> = into.all().await?.into_iter().map(|(k, _)| k).collect();
    let missing = records.iter().filter(|(k, _)| !present.contains(k)).count();
    if missing > 0 {
        return Err(StoreError::Setup(format!(
            "{missing} of {} records of {name} are not in the database after the copy",
            records.len()
        )));
    }
    Ok(Copied {
        name: name.to_string(),
        total: records.len() as u64,
        added,
    })
}

async fn copy_audit(source: &Store, target: &Store) -> Result<Copied, StoreError> {
    let records = AuditLog::open(source)?.all_sled()?;
    let into = AuditLog::open(target)?;
    let mut added = 0;
    for chunk in records.chunks(AUDIT_BATCH) {
        added += into.import(chunk).await?;
    }
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let pg = target.postgres().expect("checked above");
    let mut present = 0i64;
    for chunk in ids.chunks(AUDIT_BATCH) {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit WHERE id = ANY($1)")
            .bind(chunk)
            .fetch_one(pg.pool())
            .await?;
        present += n;
    }
    if present as usize != records.len() {
        return Err(StoreError::Setup(format!(
            "{} of {} audit records are not in the database after the copy",
            records.len() - present as usize,
            records.len()
        )));
    }
    Ok(Copied {
        name: "audit records".into(),
        total: records.len() as u64,
        added,
    })
}
