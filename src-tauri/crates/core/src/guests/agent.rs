//! Guest addresses: from the QEMU guest agent (`agent/network-get-interfaces`) of a VM, or
//! from the host for a container. Read on demand, and every [`REFRESH`] for running guests
//! by [`run_poller`], a bounded number at a time. An agent that is not configured or does
//! not answer is a state shown as such, retried rarely, never an error storm.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use specta::Type;

use super::Guest;
use crate::monitor::{GuestInterface, GuestType};
use crate::{AppError, Ctx, ErrorCode};

/// How often a running guest's addresses are read again.
pub const REFRESH: Duration = Duration::from_secs(180);
/// How long a guest whose agent is not configured or silent is left alone.
pub const QUIET: Duration = Duration::from_secs(900);
/// Agent reads in flight at once, across all clusters.
pub const CONCURRENCY: usize = 4;

/// What the guest agent said, or why it said nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum AgentState {
    /// The addresses are the agent's (or, for a container, the host's) answer.
    Answered,
    /// The guest is not running.
    GuestStopped,
    /// The VM's config does not enable the agent (Options → QEMU Guest Agent).
    NotConfigured,
    /// The agent is enabled but not running inside the guest (not installed, or starting).
    AgentNotRunning,
    /// The agent did not answer in time, or answered something unusable.
    NoAnswer,
    /// The login may not ask the agent (needs VM.GuestAgent.Audit or VM.Monitor).
    NotPermitted,
}

/// A guest's addresses and where they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GuestIps {
    pub connection_id: String,
    pub node: String,
    pub vmid: u32,
    pub state: AgentState,
    /// Addresses without prefix, IPv4 first, loopback and link-local left out.
    pub addresses: Vec<String>,
    pub interfaces: Vec<GuestInterface>,
    /// Why there are no addresses, in words (for `NoAnswer`, `NotPermitted`).
    pub detail: Option<String>,
    /// When the guest was asked (RFC 3339).
    pub checked_at: String,
}

/// The last answer per guest, for the guest table.
#[derive(Default)]
pub struct IpCache {
    inner: Mutex<HashMap<(String, u32), (GuestIps, Instant)>>,
}

impl std::fmt::Debug for IpCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IpCache")
    }
}

impl IpCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u32), (GuestIps, Instant)>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn put(&self, ips: GuestIps) {
        let due = Instant::now()
            + match ips.state {
                AgentState::Answered | AgentState::AgentNotRunning | AgentState::GuestStopped => {
                    REFRESH
                }
                AgentState::NotConfigured | AgentState::NoAnswer | AgentState::NotPermitted => {
                    QUIET
                }
            };
        self.lock()
            .insert((ips.connection_id.clone(), ips.vmid), (ips, due));
    }

    fn due(&self, connection_id: &str, vmid: u32, now: Instant) -> bool {
        self.lock()
            .get(&(connection_id.to_owned(), vmid))
            .is_none_or(|(_, due)| *due <= now)
    }
}

/// Every guest's last-known addresses.
pub fn known(ctx: &Ctx) -> Vec<GuestIps> {
    let mut out: Vec<GuestIps> = ctx
        .agent_ips
        .lock()
        .values()
        .map(|(ips, _)| ips.clone())
        .collect();
    out.sort_by(|a, b| (&a.connection_id, a.vmid).cmp(&(&b.connection_id, b.vmid)));
    out
}

/// Asks the guest for its addresses now.
pub async fn ips(
    ctx: &Ctx,
    connection_id: &str,
    node: &str,
    kind: GuestType,
    vmid: u32,
) -> Result<GuestIps, AppError> {
    let guest = Guest::open(ctx, connection_id, node, kind, vmid).await?;
    let ips = read(&guest).await?;
    ctx.agent_ips.put(ips.clone());
    Ok(ips)
}

async fn read(guest: &Guest) -> Result<GuestIps, AppError> {
    let result = match guest.kind {
        GuestType::Qemu => guest
            .client
            .get(&guest.path("/agent/network-get-interfaces"))
            .await
            .map(|v| v["result"].clone()),
        GuestType::Lxc => guest.client.get(&guest.path("/interfaces")).await,
    };
    let mut out = GuestIps {
        connection_id: guest.conn.id.clone(),
        node: guest.node.clone(),
        vmid: guest.vmid,
        state: AgentState::Answered,
        addresses: Vec::new(),
        interfaces: Vec::new(),
        detail: None,
        checked_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    match result {
        Ok(list) => {
            out.interfaces = interfaces(&list);
            out.addresses = addresses(&out.interfaces);
        }
        Err(e) => {
            let e = AppError::from(e);
            let m = e.message.to_lowercase();
            let stopped = [
                format!("vm {} is not running", guest.vmid),
                format!("ct {} not running", guest.vmid),
                format!("ct {} is not running", guest.vmid),
            ];
            out.state = if m.contains("no qemu guest agent configured")
                || m.contains("guest agent is not enabled")
            {
                AgentState::NotConfigured
            } else if m.contains("guest agent is not running") {
                AgentState::AgentNotRunning
            } else if stopped.iter().any(|s| m.contains(s.as_str())) {
                AgentState::GuestStopped
            } else if e.code == ErrorCode::MissingPrivilege {
                AgentState::NotPermitted
            } else if matches!(
                e.code,
                ErrorCode::Unreachable | ErrorCode::Unauthorized | ErrorCode::UntrustedCertificate
            ) {
                // The cluster itself is away: that is the connection's state, not the agent's.
                return Err(e);
            } else {
                AgentState::NoAnswer
            };
            if matches!(out.state, AgentState::NoAnswer | AgentState::NotPermitted) {
                out.detail = Some(e.message);
            }
        }
    }
    Ok(out)
}

fn interfaces(list: &Value) -> Vec<GuestInterface> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let name = i["name"].as_str()?.to_owned();
            let addresses = i["ip-addresses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    let ip = a["ip-address"].as_str()?;
                    Some(match a["prefix"].as_u64() {
                        Some(p) => format!("{ip}/{p}"),
                        None => ip.to_owned(),
                    })
                })
                .collect();
            let mac = i["hardware-address"]
                .as_str()
                .or_else(|| i["hwaddr"].as_str())
                .map(str::to_owned);
            Some(GuestInterface {
                name,
                mac,
                addresses,
            })
        })
        .collect()
}

/// The addresses worth showing: IPv4 first, then IPv6; no loopback, no link-local.
pub fn addresses(interfaces: &[GuestInterface]) -> Vec<String> {
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for ip in interfaces
        .iter()
        .filter(|i| i.name != "lo" && !i.name.starts_with("Loopback"))
        .flat_map(|i| &i.addresses)
    {
        let bare = ip.split('/').next().unwrap_or(ip);
        match bare.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(a)) if !a.is_loopback() && !a.is_link_local() => {
                v4.push(bare.to_owned())
            }
            Ok(std::net::IpAddr::V6(a))
                if !a.is_loopback() && (a.segments()[0] & 0xffc0) != 0xfe80 =>
            {
                v6.push(bare.to_owned())
            }
            _ => {}
        }
    }
    v4.dedup();
    v6.dedup();
    v4.extend(v6);
    v4
}

/// Reads the addresses of running guests whose last answer is older than [`REFRESH`] (or
/// [`QUIET`] for a silent agent), [`CONCURRENCY`] at a time, every `tick`, for as long as
/// the app runs. Stale clusters are skipped.
pub async fn run_poller(ctx: Arc<Ctx>, tick: Duration) {
    crate::inventory::wait_first_paint(&ctx, crate::inventory::FIRST_PAINT_WAIT).await;
    loop {
        poll_once(&ctx).await;
        tokio::time::sleep(tick).await;
    }
}

/// One round of [`run_poller`]; returns how many guests were asked.
pub async fn poll_once(ctx: &Arc<Ctx>) -> usize {
    let now = Instant::now();
    let mut due: Vec<(String, String, GuestType, u32)> = Vec::new();
    for (conn, resources, stale) in crate::inventory::engine::known(ctx) {
        if stale {
            continue;
        }
        for r in resources.iter() {
            let kind = match r.kind.as_str() {
                "qemu" => GuestType::Qemu,
                "lxc" => GuestType::Lxc,
                _ => continue,
            };
            let (Some(vmid), Some(node)) = (r.vmid, r.node.as_ref()) else {
                continue;
            };
            if r.template || r.status.as_deref() != Some("running") {
                continue;
            }
            if ctx.agent_ips.due(&conn, vmid, now) {
                due.push((conn.clone(), node.clone(), kind, vmid));
            }
        }
    }
    let count = due.len();
    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for (conn, node, kind, vmid) in due {
        let ctx = Arc::clone(ctx);
        let permits = Arc::clone(&permits);
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            if let Err(e) = ips(&ctx, &conn, &node, kind, vmid).await {
                tracing::debug!(conn, vmid, error = %e.message, "guest addresses not read");
            }
        });
    }
    while set.join_next().await.is_some() {}
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_first_without_loopback_or_link_local() {
        let ifaces = vec![
            GuestInterface {
                name: "lo".into(),
                mac: None,
                addresses: vec!["127.0.0.1/8".into(), "::1/128".into()],
            },
            GuestInterface {
                name: "eth0".into(),
                mac: Some("bc:24:11:00:00:01".into()),
                addresses: vec![
                    "fe80::1/64".into(),
                    "2001:db8::10/64".into(),
                    "192.0.2.10/24".into(),
                    "169.254.1.1/16".into(),
                ],
            },
        ];
        assert_eq!(addresses(&ifaces), vec!["192.0.2.10", "2001:db8::10"]);
    }
}
