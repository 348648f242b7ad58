//! Connections bound to one resource pool: the model of isolated tenants (a token confined
//! to a pool). Only the pool's guests are shown, and only they are acted on; nodes and
//! storages stay visible as the context the guests run in.

use crate::connections::Connection;
use crate::inventory::Resource;
use crate::{AppError, Ctx, ErrorCode};

/// The resources a connection bound to `pool` shows: every node and storage, the pool
/// itself, and the guests in the pool. `None`: all of them.
pub fn scope(resources: Vec<Resource>, pool: Option<&str>) -> Vec<Resource> {
    let Some(pool) = pool else {
        return resources;
    };
    resources
        .into_iter()
        .filter(|r| match r.kind.as_str() {
            "qemu" | "lxc" => r.pool.as_deref() == Some(pool),
            "pool" => r.id == format!("pool/{pool}"),
            _ => true,
        })
        .collect()
}

/// `Ok` when the connection may act on guest `vmid`: it is not bound to a pool, or the guest
/// is in its pool (by the inventory, or by asking the cluster for a guest not seen yet).
pub async fn check_guest(ctx: &Ctx, conn: &Connection, vmid: u32) -> Result<(), AppError> {
    let Some(pool) = conn.pool.as_deref() else {
        return Ok(());
    };
    let known = crate::inventory::engine::known(ctx)
        .into_iter()
        .find(|(id, _, _)| id == &conn.id)
        .and_then(|(_, resources, _)| {
            resources
                .iter()
                .find(|r| r.vmid == Some(vmid) && matches!(r.kind.as_str(), "qemu" | "lxc"))
                .map(|r| r.pool.clone())
        });
    let found = match known {
        // The engine keeps only the pool's guests, so a guest it knows is in the pool.
        Some(p) => p,
        None => {
            // Not seen yet (a clone that just appeared): ask the cluster where it is. A
            // guest the login cannot see at all is not in reach either.
            let client = crate::connections::client(ctx, &conn.id).await?;
            let answer = client.get("/cluster/resources?type=vm").await?;
            answer
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["vmid"].as_u64() == Some(u64::from(vmid)))
                .and_then(|r| r["pool"].as_str().map(str::to_owned))
        }
    };
    if found.as_deref() == Some(pool) {
        return Ok(());
    }
    Err(AppError::new(
        ErrorCode::MissingPrivilege,
        format!(
            "connection {} is bound to pool {pool}, and guest {vmid} is not in it; act on it through a connection to the whole cluster, or add it to {pool} first",
            conn.name
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(id: &str, kind: &str, pool: Option<&str>) -> Resource {
        Resource {
            id: id.into(),
            kind: kind.into(),
            node: Some("pve1".into()),
            vmid: None,
            name: None,
            status: None,
            template: false,
            pool: pool.map(str::to_owned),
            tags: None,
            lock: None,
            hastate: None,
            storage: None,
            cpu: None,
            maxcpu: None,
            mem: None,
            maxmem: None,
            disk: None,
            maxdisk: None,
            uptime: None,
        }
    }

    #[test]
    fn a_pool_scope_keeps_nodes_storages_and_the_pools_guests() {
        let all = vec![
            res("node/pve1", "node", None),
            res("storage/pve1/local", "storage", None),
            res("qemu/100", "qemu", Some("tenant-a")),
            res("qemu/101", "qemu", Some("tenant-b")),
            res("lxc/102", "lxc", None),
            res("pool/tenant-a", "pool", None),
            res("pool/tenant-b", "pool", None),
        ];
        let ids: Vec<String> = scope(all.clone(), Some("tenant-a"))
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(
            ids,
            [
                "node/pve1",
                "storage/pve1/local",
                "qemu/100",
                "pool/tenant-a"
            ]
        );
        assert_eq!(scope(all.clone(), None).len(), all.len());
    }
}
