//! Whether each enabled connection is reachable: checked on an interval, pushed to the UI
//! as events, written to the store and announced as desktop notifications.

use serde::{Deserialize, Serialize};
use specta::Type;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum HealthState {
    /// Not checked yet.
    Unknown,
    /// API and SSH answer.
    Connected,
    /// The API answers; SSH is not configured or fails.
    ApiOnly,
    /// The API does not answer (or refuses the login, or the certificate changed).
    Disconnected,
    /// The connection is disabled: not checked.
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub state: HealthState,
    /// When the connection entered this state (RFC 3339).
    pub since: Option<String>,
    /// The last check (RFC 3339).
    pub checked_at: Option<String>,
    /// Why, for `Disconnected` and `ApiOnly`.
    pub message: Option<String>,
}

impl Health {
    pub fn unknown() -> Self {
        Self {
            state: HealthState::Unknown,
            since: None,
            checked_at: None,
            message: None,
        }
    }
}

/// Checks one connection now, records and announces a change.
pub async fn check_now(ctx: &crate::Ctx, id: &str) -> Result<Health, crate::AppError> {
    let _ = (ctx, id);
    todo!("health monitor")
}

/// The desktop notification for a change, if it deserves one: (title, body).
pub fn notification_text(change: &crate::events::HealthChange) -> Option<(String, String)> {
    let _ = change;
    None
}

/// The health to show for a stored connection: the monitor's last word, or the last state
/// written to the store (after a restart), `Disabled` when disabled.
pub async fn current(ctx: &crate::Ctx, id: &str, enabled: bool) -> Health {
    let _ = (ctx, id);
    if !enabled {
        return Health {
            state: HealthState::Disabled,
            ..Health::unknown()
        };
    }
    Health::unknown()
}
