//! The audit log: who did what to which object, with what result.
//!
//! Rows are append-only (triggers refuse UPDATE and DELETE) and hash-chained: each row
//! stores the SHA-256 of the row before it, and its own hash covers that link plus all of
//! its fields. [`Store::verify_audit_chain`] recomputes the chain and names the first row
//! that does not fit, so tampering with the file by other means is visible.

use rusqlite::{TransactionBehavior, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Store, StoreError, now_rfc3339};

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What to record. Never put a secret in any field: the log is readable by design.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Who acted: the local OS user, or a connection's login such as `root@pam`.
    pub actor: String,
    /// What was done, dotted: `settings.set`, `guest.start`, `token.create`.
    pub action: String,
    /// On what: a connection, a guest (`prod/qemu/104`), a setting key.
    pub target: String,
    /// `ok`, `failed: <reason>`, or a task's exit status.
    pub outcome: String,
    /// Anything else worth keeping, as JSON.
    pub details: serde_json::Value,
}

/// A stored row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub at: String,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Rows checked before the end or the first bad one.
    pub checked: u64,
    /// The id of the first row whose link or content does not match, if any.
    pub broken_at: Option<i64>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.broken_at.is_none()
    }
}

fn row_hash(prev_hash: &str, id: i64, at: &str, e: &AuditEntry, details: &str) -> String {
    // A JSON array is an unambiguous encoding of the fields: no separator can be forged
    // by putting it inside a field.
    let fields = serde_json::json!([id, at, e.actor, e.action, e.target, e.outcome, details]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(fields.to_string().as_bytes());
    hex::encode(h.finalize())
}

impl Store {
    /// Appends `entry` to the audit log and returns the stored row.
    pub fn audit_append(&self, entry: &AuditEntry) -> Result<AuditRecord, StoreError> {
        let mut conn = self.lock();
        // IMMEDIATE takes the write lock before reading the head, so two writers (even in
        // two processes) cannot both chain onto the same row.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (last_id, prev_hash): (i64, String) = tx.query_row(
            "SELECT COALESCE(MAX(id), 0), COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), ?1) FROM audit_log",
            params![GENESIS_HASH],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        // AUTOINCREMENT never reuses ids, but the next id is only known for sure after the
        // insert; sqlite_sequence tells us what it will be.
        let seq: Option<i64> = tx
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'",
                [],
                |r| r.get(0),
            )
            .ok();
        let id = seq.unwrap_or(last_id).max(last_id) + 1;
        let at = now_rfc3339();
        let details = entry.details.to_string();
        let hash = row_hash(&prev_hash, id, &at, entry, &details);
        tx.execute(
            "INSERT INTO audit_log (id, at, actor, action, target, outcome, details, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                at,
                entry.actor,
                entry.action,
                entry.target,
                entry.outcome,
                details,
                prev_hash,
                hash
            ],
        )?;
        tx.commit()?;
        Ok(AuditRecord {
            id,
            at,
            entry: entry.clone(),
            prev_hash,
            hash,
        })
    }

    /// The newest `limit` rows with an id below `before` (all rows when `None`), newest first.
    pub fn audit_list(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, at, actor, action, target, outcome, details, prev_hash, hash
             FROM audit_log WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit], read_record)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Walks the whole log in order and recomputes every link and hash.
    pub fn verify_audit_chain(&self) -> Result<ChainReport, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, at, actor, action, target, outcome, details, prev_hash, hash
             FROM audit_log ORDER BY id ASC",
        )?;
        let mut rows = stmt.query([])?;
        let mut expected_prev = GENESIS_HASH.to_owned();
        let mut checked = 0;
        while let Some(row) = rows.next()? {
            let rec = read_record(row)?;
            let details: String = row.get(6)?;
            let recomputed = row_hash(&rec.prev_hash, rec.id, &rec.at, &rec.entry, &details);
            if rec.prev_hash != expected_prev || rec.hash != recomputed {
                return Ok(ChainReport {
                    checked,
                    broken_at: Some(rec.id),
                });
            }
            expected_prev = rec.hash;
            checked += 1;
        }
        Ok(ChainReport {
            checked,
            broken_at: None,
        })
    }
}

fn read_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    let details: String = r.get(6)?;
    Ok(AuditRecord {
        id: r.get(0)?,
        at: r.get(1)?,
        entry: AuditEntry {
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            outcome: r.get(5)?,
            // A row whose details were altered into non-JSON still reads (as a string) so
            // the chain check can report it instead of failing to load it.
            details: serde_json::from_str(&details).unwrap_or(serde_json::Value::String(details)),
        },
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}
