//! High availability of one guest: whether the HA manager manages it, and enabling,
//! changing and disabling that from the guest.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

use super::{Call, Guest};
use crate::monitor::GuestType;
use crate::{AppError, Ctx, ErrorCode};

/// The states PVE's HA manager keeps a resource in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum HaState {
    Started,
    Stopped,
    Disabled,
    Ignored,
}

impl HaState {
    fn as_str(self) -> &'static str {
        match self {
            HaState::Started => "started",
            HaState::Stopped => "stopped",
            HaState::Disabled => "disabled",
            HaState::Ignored => "ignored",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            // `enabled` is PVE's older alias of `started`.
            "started" | "enabled" => HaState::Started,
            "stopped" => HaState::Stopped,
            "disabled" => HaState::Disabled,
            "ignored" => HaState::Ignored,
            _ => return None,
        })
    }
}

/// The HA settings of a guest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HaSettings {
    pub state: HaState,
    /// A PVE 8 HA group; PVE 9 replaced groups by rules, and refuses a group once the
    /// cluster's groups were migrated.
    pub group: Option<String>,
    pub max_restart: u32,
    pub max_relocate: u32,
    pub comment: Option<String>,
}

/// A guest's HA resource, when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HaResource {
    /// `vm:100` or `ct:101`.
    pub sid: String,
    pub settings: HaSettings,
    pub digest: Option<String>,
}

fn sid(guest: &Guest) -> String {
    let prefix = match guest.kind {
        GuestType::Qemu => "vm",
        GuestType::Lxc => "ct",
    };
    format!("{prefix}:{}", guest.vmid)
}

/// The guest's HA resource, or `None` when HA does not manage it.
pub async fn get(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<Option<HaResource>, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    read(&guest).await
}

async fn read(guest: &Guest) -> Result<Option<HaResource>, AppError> {
    let sid = sid(guest);
    let answer = match guest
        .client
        .get(&format!("/cluster/ha/resources/{sid}"))
        .await
    {
        Ok(a) => a,
        Err(e) => {
            let e = AppError::from(e);
            if e.message.contains("no such resource") || e.code == ErrorCode::NotFound {
                return Ok(None);
            }
            return Err(e);
        }
    };
    let count = |k: &str, default: u32| {
        answer[k]
            .as_u64()
            .or_else(|| answer[k].as_str().and_then(|s| s.parse().ok()))
            .map_or(default, |n| n as u32)
    };
    let text = |k: &str| answer[k].as_str().map(str::to_owned);
    Ok(Some(HaResource {
        sid,
        settings: HaSettings {
            state: answer["state"]
                .as_str()
                .and_then(HaState::parse)
                .unwrap_or(HaState::Started),
            group: text("group"),
            max_restart: count("max_restart", 1),
            max_relocate: count("max_relocate", 1),
            comment: text("comment"),
        },
        digest: text("digest"),
    }))
}

/// Puts the guest under HA, or changes its HA settings when it is already managed.
pub async fn set(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
    settings: HaSettings,
) -> Result<Option<HaResource>, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let existing = read(&guest).await?;
    let sid = sid(&guest);
    let mut form = vec![
        ("state".to_owned(), settings.state.as_str().to_owned()),
        ("max_restart".to_owned(), settings.max_restart.to_string()),
        ("max_relocate".to_owned(), settings.max_relocate.to_string()),
    ];
    let mut delete = Vec::new();
    match settings
        .group
        .as_deref()
        .map(str::trim)
        .filter(|g| !g.is_empty())
    {
        Some(g) => form.push(("group".to_owned(), g.to_owned())),
        None if existing
            .as_ref()
            .is_some_and(|e| e.settings.group.is_some()) =>
        {
            delete.push("group")
        }
        None => {}
    }
    match settings
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => form.push(("comment".to_owned(), c.to_owned())),
        None if existing
            .as_ref()
            .is_some_and(|e| e.settings.comment.is_some()) =>
        {
            delete.push("comment")
        }
        None => {}
    }
    let details = serde_json::json!({
        "sid": sid,
        "state": settings.state.as_str(),
        "group": settings.group,
        "maxRestart": settings.max_restart,
        "maxRelocate": settings.max_relocate,
    });
    let call = match &existing {
        None => {
            form.push(("sid".to_owned(), sid.clone()));
            Call::post("/cluster/ha/resources".to_owned(), form)
        }
        Some(e) => {
            if !delete.is_empty() {
                form.push(("delete".to_owned(), delete.join(",")));
            }
            if let Some(d) = &e.digest {
                form.push(("digest".to_owned(), d.clone()));
            }
            Call::put(format!("/cluster/ha/resources/{sid}"), form)
        }
    };
    let action = if existing.is_some() {
        "guest.ha.update"
    } else {
        "guest.ha.add"
    };
    guest
        .change(ctx, call, action, details)
        .await
        .map_err(group_field)?;
    read(&guest).await
}

/// PVE 9's refusal of a group, on the form's group field.
fn group_field(mut e: AppError) -> AppError {
    if e.message.contains("group") && e.fields.is_empty() && e.code != ErrorCode::MissingPrivilege {
        let m = if e.message.contains("migrated to rules") {
            "this cluster runs PVE 9, where HA groups became node-affinity rules: leave the group empty and define a rule in Datacenter → HA → Affinity Rules".to_owned()
        } else {
            e.message.clone()
        };
        e.fields.insert("group".to_owned(), m);
    }
    e
}

/// Takes the guest out of HA (the guest itself stays as it is).
pub async fn remove(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<(), AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let sid = sid(&guest);
    guest
        .change(
            ctx,
            Call::delete(format!("/cluster/ha/resources/{sid}"), Vec::new()),
            "guest.ha.remove",
            serde_json::json!({ "sid": sid }),
        )
        .await
        .map(|_: Value| ())
}
