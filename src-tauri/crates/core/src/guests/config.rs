//! A guest's configuration: read with its pending changes (as PVE's Hardware and Options
//! panels show them), edited with PVE's `digest` so that a change made elsewhere meanwhile is
//! reported instead of overwritten, and disks resized.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use super::{Call, Guest};
use crate::monitor::GuestType;
use crate::tracked::TrackedTask;
use crate::{AppError, Ctx, ErrorCode};

/// One configuration key: its current value, and the value waiting for the next start of
/// the guest (PVE's `[PENDING]` section), as `GET …/pending` lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConfigEntry {
    pub key: String,
    /// The value in effect now; `None` for a key only pending.
    pub value: Option<String>,
    /// The value that takes effect at the next (cold) start.
    pub pending: Option<String>,
    /// The key is removed at the next start.
    pub delete: bool,
}

impl ConfigEntry {
    /// Whether a change of this key waits for a restart.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some() || self.delete
    }
}

/// A guest's configuration as the edit forms start from it.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GuestConfig {
    /// PVE's SHA-1 of the config file: sent back with an edit.
    pub digest: String,
    pub entries: Vec<ConfigEntry>,
}

impl GuestConfig {
    /// The value a key has after pending changes (what the next start uses).
    pub fn effective(&self, key: &str) -> Option<&str> {
        let e = self.entries.iter().find(|e| e.key == key)?;
        if e.delete {
            return None;
        }
        e.pending.as_deref().or(e.value.as_deref())
    }
}

/// An edit: keys to set, keys to remove, pending changes to drop; and the digest of the
/// configuration the form was filled from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ConfigChange {
    pub digest: String,
    pub set: BTreeMap<String, String>,
    pub delete: Vec<String>,
    /// Pending changes to revert (PVE's `revert`).
    pub revert: Vec<String>,
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Reads the configuration and its pending changes.
pub async fn get(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<GuestConfig, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    read(&guest).await
}

pub(crate) async fn read(guest: &Guest) -> Result<GuestConfig, AppError> {
    let (config_path, pending_path) = (guest.path("/config"), guest.path("/pending"));
    let (config, pending) = tokio::join!(
        guest.client.get(&config_path),
        guest.client.get(&pending_path)
    );
    let config = config.map_err(AppError::from)?;
    let pending = pending.map_err(AppError::from)?;
    let digest = config["digest"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Protocol,
                format!("GET {config_path} answered without a digest"),
            )
        })?;
    let items = pending.as_array().ok_or_else(|| {
        AppError::new(
            ErrorCode::Protocol,
            format!("GET {pending_path} did not answer a list"),
        )
        .with_detail(pending.to_string())
    })?;
    let mut entries: Vec<ConfigEntry> = items
        .iter()
        .filter_map(|item| {
            let key = item["key"].as_str()?.to_owned();
            if key == "digest" {
                return None;
            }
            Some(ConfigEntry {
                key,
                value: value_text(&item["value"]),
                pending: value_text(&item["pending"]),
                delete: item["delete"].as_u64().unwrap_or(0) > 0,
            })
        })
        .collect();
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(GuestConfig { digest, entries })
}

/// Applies an edit. A configuration changed elsewhere since `change.digest` was read is a
/// `Conflict` (nothing is written); PVE's per-parameter refusals come back as `fields`.
/// Returns the configuration after the edit.
pub async fn update(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    change: ConfigChange,
) -> Result<GuestConfig, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    if change.set.is_empty() && change.delete.is_empty() && change.revert.is_empty() {
        return Err(AppError::new(
            ErrorCode::Invalid,
            "nothing to change: edit a value first",
        ));
    }
    let mut form: Vec<(String, String)> = change
        .set
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !change.delete.is_empty() {
        form.push(("delete".to_owned(), change.delete.join(",")));
    }
    if !change.revert.is_empty() {
        form.push(("revert".to_owned(), change.revert.join(",")));
    }
    form.push(("digest".to_owned(), change.digest.clone()));
    let details = serde_json::json!({
        // The keys only: values may be long, and cloud-init's password is among the keys
        // this call can carry.
        "set": change.set.keys().collect::<Vec<_>>(),
        "delete": change.delete,
        "revert": change.revert,
    });
    guest
        .change(
            ctx,
            Call::put(guest.path("/config"), form),
            "guest.config",
            details,
        )
        .await
        .map_err(|e| conflict(e, &guest))?;
    read(&guest).await
}

/// PVE's digest refusal as a `Conflict` that says what to do; other errors pass.
pub(crate) fn conflict(e: AppError, guest: &Guest) -> AppError {
    let m = e.message.to_lowercase();
    if m.contains("checksum mismatch") || m.contains("detected modified configuration") {
        return AppError::new(
            ErrorCode::Conflict,
            format!(
                "{} {} was changed elsewhere since you opened this form, so nothing was written. Reload to see the other change; your values stay in the form to apply again",
                guest.noun(),
                guest.vmid
            ),
        )
        .with_detail(e.message);
    }
    super::explain(e, "be changed", guest.vmid)
}

/// A disk to grow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DiskResize {
    /// `scsi0`, `virtio1`, `rootfs`, `mp0`…
    pub disk: String,
    /// The new size (`40G`) or the growth (`+8G`), in K, M, G or T.
    pub size: String,
    pub digest: String,
}

/// Grows a disk. PVE cannot shrink one.
pub async fn resize_disk(
    ctx: &Arc<Ctx>,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    resize: DiskResize,
) -> Result<TrackedTask, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let DiskResize { disk, size, digest } = resize;
    let size = size.trim().to_owned();
    let valid = {
        let body = size.strip_prefix('+').unwrap_or(&size);
        let num = body.trim_end_matches(['K', 'M', 'G', 'T']);
        !num.is_empty()
            && body.len() - num.len() <= 1
            && num.parse::<f64>().is_ok_and(|n| n > 0.0)
            && !num.starts_with('.')
    };
    if !valid {
        let message = format!(
            "`{size}` is not a size: write the new size (40G) or the growth (+8G), in K, M, G or T"
        );
        return Err(AppError::fields(
            message.clone(),
            [("size".to_owned(), message)].into(),
        ));
    }
    let form = vec![
        ("disk".to_owned(), disk.clone()),
        ("size".to_owned(), size.clone()),
        ("digest".to_owned(), digest),
    ];
    let details = serde_json::json!({ "disk": disk, "size": size });
    guest
        .start_task(
            ctx,
            Call::put(guest.path("/resize"), form),
            "guest.resize",
            details,
        )
        .await
        .map_err(|e| conflict(e, &guest))
}
