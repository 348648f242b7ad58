//! Recording actions in the audit log, with who did them.

use proxdeck_store::{AuditEntry, AuditRecord};

use crate::{AppError, Ctx};

/// The local account running Proxdeck: the actor of actions taken in the app itself.
pub fn local_actor() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .map(|u| format!("local:{u}"))
        .unwrap_or_else(|_| "local".to_owned())
}

pub async fn record(ctx: &Ctx, entry: AuditEntry) -> Result<AuditRecord, AppError> {
    ctx.db(move |s| s.audit_append(&entry)).await
}
