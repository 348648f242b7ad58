//! Whether each enabled connection is reachable: checked on an interval, pushed to the UI
//! as events, written to the store and announced as desktop notifications.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::events::{CoreEvent, HealthChange};
use crate::{AppError, Ctx};

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

impl HealthState {
    /// The name stored in the `connection_health` table.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Unknown => "unknown",
            HealthState::Connected => "connected",
            HealthState::ApiOnly => "apiOnly",
            HealthState::Disconnected => "disconnected",
            HealthState::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "connected" => HealthState::Connected,
            "apiOnly" => HealthState::ApiOnly,
            "disconnected" => HealthState::Disconnected,
            "disabled" => HealthState::Disabled,
            _ => HealthState::Unknown,
        }
    }

    /// Whether the API answers in this state.
    pub fn is_up(self) -> bool {
        matches!(self, HealthState::Connected | HealthState::ApiOnly)
    }
}

/// The default check interval (the `healthIntervalSecs` setting).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
/// The first retry after a failure; each further failure doubles it, up to the interval.
pub const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

/// What the monitor knows of each stored connection, in memory.
#[derive(Debug, Default)]
pub struct Monitor {
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug, Clone)]
struct Entry {
    health: Health,
    /// Failed checks in a row (for the back-off).
    failures: u32,
    next_due: Instant,
}

impl Monitor {
    fn get(&self, id: &str) -> Option<Entry> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }

    fn put(&self, id: &str, entry: Entry) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned(), entry);
    }

    /// Forgets a connection (removed, disabled or changed: its next check is due at once).
    pub fn forget(&self, id: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The delay before the next check: the interval when up; after failures 5 s, 10 s, 20 s…
/// up to the interval.
pub fn next_delay(interval: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return interval;
    }
    let backoff = RETRY_AFTER_FAILURE.saturating_mul(1 << (failures - 1).min(16));
    backoff.min(interval)
}

/// The health to show for a stored connection: the monitor's last word, or the last state
/// written to the store (after a restart), `Disabled` when disabled.
pub async fn current(ctx: &Ctx, id: &str, enabled: bool) -> Health {
    if !enabled {
        return Health {
            state: HealthState::Disabled,
            ..Health::unknown()
        };
    }
    if let Some(e) = ctx.health.get(id) {
        return e.health;
    }
    match store_latest(ctx, id).await {
        Some((state, at, message)) => Health {
            state: HealthState::parse(&state),
            since: Some(at),
            checked_at: None,
            message,
        },
        None => Health::unknown(),
    }
}

async fn store_latest(ctx: &Ctx, id: &str) -> Option<(String, String, Option<String>)> {
    let owned = id.to_owned();
    match ctx.db(move |s| s.health_latest(&owned)).await {
        Ok(row) => row.map(|r| (r.state, r.at, r.message)),
        Err(e) => {
            tracing::warn!(connection = %id, error = %e.message, "could not read the last health state");
            None
        }
    }
}

async fn store_record(
    ctx: &Ctx,
    id: &str,
    state: HealthState,
    at: &str,
    message: Option<String>,
) -> Result<(), AppError> {
    let (owned, at) = (id.to_owned(), at.to_owned());
    ctx.db(move |s| s.health_record(&owned, state.as_str(), &at, message.as_deref()))
        .await
}

/// One check: the API's `/version` through the connection's client (failover included).
/// SSH checks arrive with the SSH issue; until then an answering API is `ApiOnly`.
async fn probe(ctx: &Ctx, id: &str) -> (HealthState, Option<String>) {
    let client = match crate::connections::client(ctx, id).await {
        Ok(c) => c,
        Err(e) => return (HealthState::Disconnected, Some(e.message)),
    };
    match client.get("/version").await {
        Ok(_) => {
            // Learn the cluster's other node addresses for failover (PVE only: a backup
            // server has no cluster). A failure here leaves the configured URLs in force.
            if client.auth_product() == proxdeck_pve::Product::Pve
                && let Err(e) = client.learn_nodes().await
            {
                tracing::debug!(connection = %id, error = %e, "could not learn the cluster's nodes");
            }
            (
                HealthState::ApiOnly,
                Some("SSH is not configured for this connection".to_owned()),
            )
        }
        Err(e) => (HealthState::Disconnected, Some(AppError::from(e).message)),
    }
}

/// Checks one connection now, records and announces a change, and returns its health.
pub async fn check_now(ctx: &Ctx, id: &str) -> Result<Health, AppError> {
    let conn = crate::connections::get(ctx, id).await?;
    if conn.demo {
        return Ok(conn.health);
    }
    if !conn.enabled {
        ctx.health.forget(id);
        return Ok(current(ctx, id, false).await);
    }
    let interval = crate::settings::get(ctx).await?.health_interval();
    Ok(check_and_record(ctx, &conn.id, &conn.name, interval).await)
}

async fn check_and_record(ctx: &Ctx, id: &str, name: &str, interval: Duration) -> Health {
    let previous = match ctx.health.get(id) {
        Some(e) => (e.health, e.failures),
        None => (current(ctx, id, true).await, 0),
    };
    let (state, message) = probe(ctx, id).await;
    let now = now_rfc3339();
    let failures = if state.is_up() { 0 } else { previous.1 + 1 };
    let changed = previous.0.state != state;
    let health = Health {
        state,
        since: if changed {
            Some(now.clone())
        } else {
            previous.0.since.clone().or(Some(now.clone()))
        },
        checked_at: Some(now.clone()),
        message: message.clone(),
    };
    ctx.health.put(
        id,
        Entry {
            health: health.clone(),
            failures,
            next_due: Instant::now() + next_delay(interval, failures),
        },
    );
    if changed {
        if let Err(e) = store_record(ctx, id, state, &now, message.clone()).await {
            tracing::warn!(connection = %id, error = %e.message, "could not store a health change");
        }
        tracing::info!(connection = %name, from = ?previous.0.state, to = ?state, "connection health changed");
        ctx.emit(CoreEvent::HealthChanged(HealthChange {
            connection_id: id.to_owned(),
            name: name.to_owned(),
            from: previous.0.state,
            to: state,
            since: now,
            previous_since: previous.0.since,
            message,
        }));
    }
    health
}

/// Checks every enabled stored connection that is due, each in its own task.
pub async fn check_due(ctx: &Arc<Ctx>, interval: Duration) -> Result<usize, AppError> {
    let now = Instant::now();
    let due: Vec<_> = crate::connections::list(ctx)
        .await?
        .into_iter()
        .filter(|c| !c.demo && c.enabled)
        .filter(|c| ctx.health.get(&c.id).is_none_or(|e| e.next_due <= now))
        .collect();
    let mut set = tokio::task::JoinSet::new();
    for c in &due {
        let (ctx, id, name) = (Arc::clone(ctx), c.id.clone(), c.name.clone());
        set.spawn(async move { check_and_record(&ctx, &id, &name, interval).await });
    }
    while set.join_next().await.is_some() {}
    Ok(due.len())
}

/// How the monitor runs; tests shorten the interval.
#[derive(Debug, Clone, Copy)]
pub struct MonitorOptions {
    /// Overrides the `healthIntervalSecs` setting.
    pub interval: Option<Duration>,
    /// How often the monitor wakes to look for due checks.
    pub tick: Duration,
    /// How long the first checks wait for the window's first paint from the cache.
    pub first_paint_wait: Duration,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        Self {
            interval: None,
            tick: Duration::from_secs(1),
            first_paint_wait: crate::inventory::FIRST_PAINT_WAIT,
        }
    }
}

/// Runs the health checks for as long as the future is polled: spawn it on the app's
/// runtime at start (abort the task to stop).
pub async fn run_monitor(ctx: Arc<Ctx>, options: MonitorOptions) {
    crate::inventory::wait_first_paint(&ctx, options.first_paint_wait).await;
    {
        loop {
            let interval = match options.interval {
                Some(i) => i,
                None => crate::settings::get(&ctx)
                    .await
                    .map(|s| s.health_interval())
                    .unwrap_or(DEFAULT_INTERVAL),
            };
            if let Err(e) = check_due(&ctx, interval).await {
                tracing::warn!(error = %e.message, "health checks could not run");
            }
            tokio::time::sleep(options.tick).await;
        }
    }
}

/// The local time of an RFC 3339 instant as `14:02` (or `Mar 3 14:02` when not today).
pub fn local_time(rfc3339: &str) -> String {
    use chrono::{DateTime, Local};
    match DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => {
            let t = t.with_timezone(&Local);
            if t.date_naive() == Local::now().date_naive() {
                t.format("%H:%M").to_string()
            } else {
                t.format("%b %-d %H:%M").to_string()
            }
        }
        Err(_) => rfc3339.to_owned(),
    }
}

/// The desktop notification for a change, if it deserves one: (title, body).
/// Down: "Cluster X is unreachable since 14:02"; back: "Cluster X is reachable again".
pub fn notification_text(change: &HealthChange) -> Option<(String, String)> {
    let since = local_time(&change.since);
    match (change.from, change.to) {
        (from, HealthState::Disconnected) if from != HealthState::Disconnected => Some((
            format!("{} is unreachable", change.name),
            format!(
                "{} is unreachable since {since}. {}",
                change.name,
                change.message.as_deref().unwrap_or("")
            )
            .trim_end()
            .to_owned(),
        )),
        (HealthState::Disconnected, to) if to.is_up() => Some((
            format!("{} is reachable again", change.name),
            match &change.previous_since {
                Some(down) => format!(
                    "{} answers again since {since} (unreachable since {}).",
                    change.name,
                    local_time(down)
                ),
                None => format!("{} answers again since {since}.", change.name),
            },
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_from_five_seconds_up_to_the_interval() {
        let i = Duration::from_secs(30);
        let delays: Vec<u64> = (0..6).map(|f| next_delay(i, f).as_secs()).collect();
        assert_eq!(delays, [30, 5, 10, 20, 30, 30]);
        assert_eq!(
            next_delay(Duration::from_secs(8), 3),
            Duration::from_secs(8)
        );
    }

    fn change(from: HealthState, to: HealthState) -> HealthChange {
        HealthChange {
            connection_id: "c-1".into(),
            name: "prod".into(),
            from,
            to,
            since: chrono::Utc::now().to_rfc3339(),
            previous_since: Some(chrono::Utc::now().to_rfc3339()),
            message: Some("no node answered".into()),
        }
    }

    #[test]
    fn notifications_for_going_down_and_coming_back_only() {
        use HealthState::*;
        let (title, body) = notification_text(&change(ApiOnly, Disconnected)).unwrap();
        assert_eq!(title, "prod is unreachable");
        assert!(body.starts_with("prod is unreachable since "), "{body}");
        assert!(body.contains("no node answered"), "{body}");
        let (title, body) = notification_text(&change(Disconnected, ApiOnly)).unwrap();
        assert_eq!(title, "prod is reachable again");
        assert!(body.contains("unreachable since"), "{body}");
        assert!(notification_text(&change(Unknown, Disconnected)).is_some());
        assert!(notification_text(&change(Unknown, ApiOnly)).is_none());
        assert!(notification_text(&change(ApiOnly, Connected)).is_none());
    }

    #[test]
    fn local_time_is_short_for_today() {
        let now = chrono::Utc::now().to_rfc3339();
        let shown = local_time(&now);
        assert_eq!(shown.len(), 5, "{shown}");
        assert_eq!(local_time("not a time"), "not a time");
    }
}
