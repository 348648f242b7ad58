//! What the connection's own login may do on a path, so that the UI can disable an action
//! the cluster would refuse and say which privilege on which path is missing.
//!
//! PVE answers `GET /access/permissions?path=<path>` with the caller's effective privileges
//! there (`{ "<path>": { "VM.PowerMgmt": 1, ... } }`, the value being the propagate flag,
//! not whether it is held). For an API token with privilege separation that is the token's
//! own set (its ACLs intersected with its user's), which is exactly what its calls are
//! checked against. Answers are cached per (connection, path) for [`TTL`]: a guest's page
//! asks for the same path on every render, and ACLs rarely change under a session. A
//! changed connection drops its entries (see `connections::forget`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use proxdeck_pve::{Product, percent_encode};
use serde_json::Value;

use crate::{AppError, Ctx, ErrorCode};

/// How long an answer is reused before the cluster is asked again.
pub const TTL: Duration = Duration::from_secs(60);

/// The privileges the connection's login holds on `path` (e.g. `/vms/100`, `/`), sorted.
pub async fn on_path(ctx: &Ctx, connection_id: &str, path: &str) -> Result<Vec<String>, AppError> {
    validate_path(path)?;
    if let Some(held) = ctx.privileges.get(connection_id, path) {
        return Ok(held);
    }
    let generation = ctx.privileges.generation();
    let client = crate::connections::client(ctx, connection_id).await?;
    if client.auth_product() == Product::Pbs {
        return Err(AppError::new(
            ErrorCode::Invalid,
            "guest permissions are for PVE connections; this is a Proxmox Backup Server",
        ));
    }
    let answer = client
        .get(&format!(
            "/access/permissions?path={}",
            percent_encode(path)
        ))
        .await?;
    let held = privileges_in(&answer, path)?;
    ctx.privileges
        .insert(connection_id, path, generation, held.clone());
    Ok(held)
}

/// Turns an `/access/permissions?path=` answer into the sorted privilege names held on
/// `path`. PVE keys the answer by the path exactly as sent; a server that normalised it
/// (a trailing slash) still answers with one entry, which is taken. No entry: nothing held.
pub fn privileges_in(answer: &Value, path: &str) -> Result<Vec<String>, AppError> {
    let map = answer.as_object().ok_or_else(|| {
        AppError::new(
            ErrorCode::Protocol,
            "the cluster sent an /access/permissions answer that is not an object",
        )
    })?;
    let entry = match map.get(path) {
        Some(e) => Some(e),
        None if map.len() == 1 => map.values().next(),
        None => None,
    };
    let Some(entry) = entry else {
        return Ok(Vec::new());
    };
    let privs = entry.as_object().ok_or_else(|| {
        AppError::new(
            ErrorCode::Protocol,
            format!("the cluster sent privileges for {path} that are not an object"),
        )
    })?;
    let mut held: Vec<String> = privs.keys().cloned().collect();
    held.sort();
    Ok(held)
}

/// The privileges of `needed` that `held` lacks. With `any`, one held privilege is enough
/// (PVE's `check_any`), so the answer is empty or all of `needed`. An empty `needed` is
/// satisfied.
pub fn missing(held: &[String], needed: &[&str], any: bool) -> Vec<String> {
    let has = |p: &&str| held.iter().any(|h| h == p);
    if needed.is_empty() || (any && needed.iter().any(has)) {
        return Vec::new();
    }
    needed
        .iter()
        .filter(|p| !has(p))
        .map(|p| (*p).to_owned())
        .collect()
}

/// An ACL path as PVE takes it: absolute, no `..`, no whitespace or control characters.
fn validate_path(path: &str) -> Result<(), AppError> {
    let problem = if !path.starts_with('/') {
        Some("must start with `/` (e.g. `/vms/100` or `/`)")
    } else if path.split('/').any(|s| s == "..") {
        Some("must not contain `..`")
    } else if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("must not contain spaces or control characters")
    } else if path.len() > 512 {
        Some("is too long (at most 512 characters)")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(why) => {
            let mut fields = std::collections::BTreeMap::new();
            fields.insert("path".to_owned(), format!("The path {why}."));
            Err(AppError::fields(
                format!("`{path}` is not a permission path: it {why}"),
                fields,
            ))
        }
    }
}

/// Answers of `/access/permissions` per (connection, path), each kept for [`TTL`].
#[derive(Default)]
pub struct PrivilegeCache {
    inner: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    entries: HashMap<(String, String), (Instant, Vec<String>)>,
    /// Bumped by every invalidation, so that an answer fetched with settings read before a
    /// change is not cached after it.
    generation: u64,
}

impl std::fmt::Debug for PrivilegeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivilegeCache")
            .field("entries", &self.state().entries.len())
            .finish()
    }
}

impl PrivilegeCache {
    fn state(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, connection: &str, path: &str) -> Option<Vec<String>> {
        let state = self.state();
        let (at, held) = state
            .entries
            .get(&(connection.to_owned(), path.to_owned()))?;
        (at.elapsed() < TTL).then(|| held.clone())
    }

    fn generation(&self) -> u64 {
        self.state().generation
    }

    fn insert(&self, connection: &str, path: &str, generation: u64, held: Vec<String>) {
        let mut state = self.state();
        if state.generation != generation {
            return;
        }
        state.entries.retain(|_, (at, _)| at.elapsed() < TTL);
        state.entries.insert(
            (connection.to_owned(), path.to_owned()),
            (Instant::now(), held),
        );
    }

    /// Drops every answer of `connection`: its login or its cluster changed.
    pub(crate) fn forget(&self, connection: &str) {
        let mut state = self.state();
        state.generation += 1;
        state.entries.retain(|(c, _), _| c != connection);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn held(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn missing_lists_what_all_needs() {
        let h = held(&["VM.Audit", "VM.Clone"]);
        assert!(missing(&h, &["VM.Clone"], false).is_empty());
        assert_eq!(
            missing(&h, &["VM.Clone", "VM.Allocate"], false),
            ["VM.Allocate"]
        );
        assert!(missing(&h, &[], false).is_empty());
    }

    #[test]
    fn missing_with_any_needs_one() {
        let h = held(&["VM.GuestAgent.Audit"]);
        let agent = ["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"];
        assert!(missing(&h, &agent, true).is_empty());
        assert_eq!(missing(&[], &agent, true), agent);
    }

    #[test]
    fn answer_is_read_by_key_regardless_of_propagate_flag() {
        let a = json!({ "/vms/100": { "VM.PowerMgmt": 1, "VM.Audit": 0 } });
        assert_eq!(
            privileges_in(&a, "/vms/100").unwrap(),
            ["VM.Audit", "VM.PowerMgmt"]
        );
        let normalised = json!({ "/vms/100": { "VM.Audit": 1 } });
        assert_eq!(
            privileges_in(&normalised, "/vms/100/").unwrap(),
            ["VM.Audit"]
        );
        assert!(privileges_in(&json!({}), "/vms/1").unwrap().is_empty());
        assert!(
            privileges_in(&json!({ "/vms/100": {} }), "/vms/100")
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            privileges_in(&json!([]), "/").unwrap_err().code,
            ErrorCode::Protocol
        );
    }

    #[test]
    fn paths_are_validated() {
        for ok in ["/", "/vms/100", "/pool/prod-web", "/storage/local"] {
            assert!(validate_path(ok).is_ok(), "{ok}");
        }
        for bad in ["", "vms/100", "/vms/../access", "/vms/1 00", "/vms/1\n"] {
            let e = validate_path(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::Invalid, "{bad}");
            assert!(e.fields.contains_key("path"));
        }
    }

    #[test]
    fn cache_expires_and_forgets_per_connection() {
        let c = PrivilegeCache::default();
        let g = c.generation();
        c.insert("a", "/", g, held(&["Sys.Audit"]));
        c.insert("b", "/", g, held(&["Sys.Console"]));
        assert_eq!(c.get("a", "/").unwrap(), ["Sys.Audit"]);
        c.forget("a");
        assert!(c.get("a", "/").is_none());
        assert_eq!(c.get("b", "/").unwrap(), ["Sys.Console"]);
        // An answer fetched before the change is not kept.
        c.insert("a", "/", g, held(&["Sys.Audit"]));
        assert!(c.get("a", "/").is_none());
        let stale = Instant::now().checked_sub(TTL + Duration::from_secs(1));
        if let Some(at) = stale {
            c.state()
                .entries
                .insert(("b".into(), "/x".into()), (at, held(&["VM.Audit"])));
            assert!(c.get("b", "/x").is_none());
        }
    }
}
