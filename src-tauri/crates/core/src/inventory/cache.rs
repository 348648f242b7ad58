//! The inventory cache in the store: the last successful resources of each stored cluster
//! connection, with their time. The demo datacenter is not cached: it runs inside the app,
//! so it is never unreachable, and it is built anew each time it opens.

use std::sync::Arc;

use super::Resource;
use crate::Ctx;

/// The cached resources of `id` and when they were fetched. A row this build cannot read is
/// logged and treated as absent: the next refresh replaces it.
pub async fn read(ctx: &Ctx, id: &str) -> Option<(Vec<Resource>, String)> {
    let owned = id.to_owned();
    let row = match ctx.db(move |s| s.inventory_get(&owned)).await {
        Ok(row) => row?,
        Err(e) => {
            tracing::warn!(connection = %id, error = %e.message, "could not read the inventory cache");
            return None;
        }
    };
    match serde_json::from_str(&row.resources) {
        Ok(resources) => Some((resources, row.fetched_at)),
        Err(e) => {
            tracing::warn!(connection = %id, error = %e, "cached inventory not understood; ignoring it");
            None
        }
    }
}

/// Records a successful fetch: the whole list when it changed (or nothing is cached yet),
/// else only the new time.
pub async fn write(
    ctx: &Ctx,
    id: &str,
    resources: Arc<Vec<Resource>>,
    fetched_at: &str,
    changed: bool,
) {
    let (owned, at) = (id.to_owned(), fetched_at.to_owned());
    let done = ctx
        .db(move |s| {
            if !changed && s.inventory_touch(&owned, &at)? {
                return Ok(Ok(()));
            }
            match serde_json::to_string(&*resources) {
                Ok(json) => s.inventory_put(&owned, &at, &json).map(Ok),
                Err(e) => Ok(Err(e.to_string())),
            }
        })
        .await;
    let why = match done {
        Ok(Ok(())) => return,
        Ok(Err(e)) => e,
        Err(e) => e.message,
    };
    tracing::warn!(connection = %id, error = %why, "could not write the inventory cache");
}
