//! Snapshots of a guest: the tree (parent/child, and where the guest is now), taking one
//! (with the RAM state of a running VM), rolling back to one and deleting one.

use std::sync::Arc;

use proxdeck_pve::percent_encode;
use serde::{Deserialize, Serialize};
use specta::Type;

use super::{Call, Guest};
use crate::monitor::GuestType;
use crate::tracked::TrackedTask;
use crate::{AppError, Ctx};

/// One snapshot, or the `current` entry that marks where the guest is now.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GuestSnapshot {
    pub name: String,
    pub parent: Option<String>,
    pub description: String,
    /// Unix seconds; `None` for `current`.
    #[specta(type = Option<f64>)]
    pub snaptime: Option<i64>,
    /// A VM snapshot that holds the RAM state.
    pub vmstate: bool,
    /// PVE's `current` pseudo-entry ("You are here!").
    pub current: bool,
}

/// The guest's snapshots, `current` last.
pub async fn list(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<Vec<GuestSnapshot>, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let answer = guest.client.get(&guest.path("/snapshot")).await?;
    let mut out: Vec<GuestSnapshot> = answer
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let name = s["name"].as_str()?.to_owned();
            Some(GuestSnapshot {
                current: name == "current",
                parent: s["parent"].as_str().map(str::to_owned),
                description: s["description"]
                    .as_str()
                    .unwrap_or_default()
                    .trim_end()
                    .to_owned(),
                snaptime: s["snaptime"].as_i64(),
                vmstate: s["vmstate"].as_u64() == Some(1) || s["vmstate"].as_bool() == Some(true),
                name,
            })
        })
        .collect();
    out.sort_by_key(|s| (s.current, s.snaptime.unwrap_or(i64::MAX)));
    Ok(out)
}

/// PVE's snapshot name rule (`pve-configid`): a letter, then letters, digits, `-`, `_`;
/// at most 40 characters.
fn check_name(name: &str) -> Result<(), AppError> {
    let ok = name.len() >= 2
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok && !name.eq_ignore_ascii_case("current") {
        return Ok(());
    }
    let message = if name.eq_ignore_ascii_case("current") {
        "`current` is reserved: PVE uses it for where the guest is now".to_owned()
    } else {
        format!(
            "`{name}` is not a snapshot name: 2–40 characters, starting with a letter, then letters, digits, - or _"
        )
    };
    Err(crate::AppError::fields(
        message.clone(),
        [("snapname".to_owned(), message)].into(),
    ))
}

/// A snapshot to take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotInput {
    pub name: String,
    pub description: String,
    /// Save a running VM's RAM too, so that a rollback resumes it running.
    pub vmstate: bool,
}

/// Takes a snapshot.
pub async fn create(
    ctx: &Arc<Ctx>,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    input: SnapshotInput,
) -> Result<TrackedTask, AppError> {
    let SnapshotInput {
        name,
        description,
        vmstate,
    } = input;
    check_name(&name)?;
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let mut form = vec![("snapname".to_owned(), name.clone())];
    if !description.trim().is_empty() {
        form.push(("description".to_owned(), description.trim().to_owned()));
    }
    if vmstate && kind == GuestType::Qemu {
        form.push(("vmstate".to_owned(), "1".to_owned()));
    }
    let details = serde_json::json!({ "snapname": name, "vmstate": vmstate });
    guest
        .start_task(
            ctx,
            Call::post(guest.path("/snapshot"), form),
            "guest.snapshot",
            details,
        )
        .await
        .map_err(|e| snap_field(super::explain(e, "take a snapshot", vmid)))
}

fn snap_field(mut e: AppError) -> AppError {
    if e.message.contains("already exists") || e.message.contains("snapshot name") {
        e.fields.insert("snapname".to_owned(), e.message.clone());
    }
    e
}

/// Rolls the guest back to a snapshot; `start` starts it afterwards (PVE 9's option).
pub async fn rollback(
    ctx: &Arc<Ctx>,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    name: String,
    start: bool,
) -> Result<TrackedTask, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let mut form = Vec::new();
    if start {
        form.push(("start".to_owned(), "1".to_owned()));
    }
    let path = guest.path(&format!("/snapshot/{}/rollback", percent_encode(&name)));
    guest
        .start_task(
            ctx,
            Call::post(path, form),
            "guest.snapshot.rollback",
            serde_json::json!({ "snapname": name, "start": start }),
        )
        .await
        .map_err(|e| super::explain(e, "roll back", vmid))
}

/// Deletes a snapshot.
pub async fn delete(
    ctx: &Arc<Ctx>,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    name: String,
) -> Result<TrackedTask, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let path = guest.path(&format!("/snapshot/{}", percent_encode(&name)));
    guest
        .start_task(
            ctx,
            Call::delete(path, Vec::new()),
            "guest.snapshot.delete",
            serde_json::json!({ "snapname": name }),
        )
        .await
        .map_err(|e| super::explain(e, "delete a snapshot", vmid))
}
