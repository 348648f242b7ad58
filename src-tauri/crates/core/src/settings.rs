//! The user's settings: typed here, stored as key → JSON in the store.
//!
//! A key that was never set reads as its default, and a stored value this build does not
//! understand (written by a newer version, or damaged) also falls back to the default with a
//! warning in the log, rather than making the app unusable.

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::events::CoreEvent;
use crate::{AppError, Ctx, audit};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Light,
    Dark,
    /// Follow the OS (the default).
    #[default]
    System,
}

/// How guests are sorted under their node in the tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum GuestOrder {
    /// By VM id (the default).
    #[default]
    Vmid,
    /// By name.
    Name,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub theme: Theme,
    /// Seconds between health checks of each connection (5–3600, default 30). After a
    /// failure the next checks come sooner (5 s, 10 s, 20 s…) up to this.
    pub health_interval_secs: u32,
    /// Seconds between inventory refreshes while the window is visible (2–300, default 5).
    pub refresh_visible_secs: u32,
    /// Seconds between inventory refreshes while the window is hidden or minimised
    /// (10–3600, default 60).
    pub refresh_hidden_secs: u32,
    /// How guests are sorted in the tree.
    pub guest_order: GuestOrder,
    /// The backup coverage view lists guests with no backup in this many days (1–365,
    /// default 1).
    pub backup_coverage_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::default(),
            health_interval_secs: DEFAULT_HEALTH_INTERVAL_SECS,
            refresh_visible_secs: DEFAULT_REFRESH_VISIBLE_SECS,
            refresh_hidden_secs: DEFAULT_REFRESH_HIDDEN_SECS,
            guest_order: GuestOrder::default(),
            backup_coverage_days: DEFAULT_BACKUP_COVERAGE_DAYS,
        }
    }
}

impl Settings {
    pub fn health_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.health_interval_secs))
    }

    /// The inventory refresh interval for a visible (`true`) or hidden window.
    pub fn refresh_interval(&self, visible: bool) -> std::time::Duration {
        let secs = if visible {
            self.refresh_visible_secs
        } else {
            self.refresh_hidden_secs
        };
        std::time::Duration::from_secs(u64::from(secs))
    }
}

pub const DEFAULT_HEALTH_INTERVAL_SECS: u32 = 30;
pub const HEALTH_INTERVAL_RANGE: std::ops::RangeInclusive<u32> = 5..=3600;
pub const DEFAULT_REFRESH_VISIBLE_SECS: u32 = 5;
pub const REFRESH_VISIBLE_RANGE: std::ops::RangeInclusive<u32> = 2..=300;
pub const DEFAULT_REFRESH_HIDDEN_SECS: u32 = 60;
pub const REFRESH_HIDDEN_RANGE: std::ops::RangeInclusive<u32> = 10..=3600;
pub const DEFAULT_BACKUP_COVERAGE_DAYS: u32 = 1;
pub const BACKUP_COVERAGE_RANGE: std::ops::RangeInclusive<u32> = 1..=365;

const THEME: &str = "theme";
const HEALTH_INTERVAL: &str = "healthIntervalSecs";
const REFRESH_VISIBLE: &str = "refreshVisibleSecs";
const REFRESH_HIDDEN: &str = "refreshHiddenSecs";
const GUEST_ORDER: &str = "guestOrder";
const BACKUP_COVERAGE: &str = "backupCoverageDays";

/// A stored number inside `range`, else `default`.
fn in_range(
    key: &str,
    value: Option<serde_json::Value>,
    range: std::ops::RangeInclusive<u32>,
    default: u32,
) -> u32 {
    let v: u32 = decode(key, value);
    if range.contains(&v) { v } else { default }
}

/// The field error for a number of `unit`s outside `range`.
fn out_of_range(
    field: &str,
    what: &str,
    value: u32,
    range: std::ops::RangeInclusive<u32>,
    unit: &str,
) -> Result<(), AppError> {
    if range.contains(&value) {
        return Ok(());
    }
    Err(AppError::fields(
        format!("the {what} is out of range"),
        [(
            field.to_owned(),
            format!("between {} and {} {unit}", range.start(), range.end()),
        )]
        .into(),
    ))
}

pub async fn get(ctx: &Ctx) -> Result<Settings, AppError> {
    let (theme, interval, visible, hidden, order, coverage) = ctx
        .db(|s| {
            Ok((
                s.setting(THEME)?,
                s.setting(HEALTH_INTERVAL)?,
                s.setting(REFRESH_VISIBLE)?,
                s.setting(REFRESH_HIDDEN)?,
                s.setting(GUEST_ORDER)?,
                s.setting(BACKUP_COVERAGE)?,
            ))
        })
        .await?;
    let interval: u32 = decode(HEALTH_INTERVAL, interval);
    Ok(Settings {
        theme: decode(THEME, theme),
        health_interval_secs: if HEALTH_INTERVAL_RANGE.contains(&interval) {
            interval
        } else {
            DEFAULT_HEALTH_INTERVAL_SECS
        },
        refresh_visible_secs: in_range(
            REFRESH_VISIBLE,
            visible,
            REFRESH_VISIBLE_RANGE,
            DEFAULT_REFRESH_VISIBLE_SECS,
        ),
        refresh_hidden_secs: in_range(
            REFRESH_HIDDEN,
            hidden,
            REFRESH_HIDDEN_RANGE,
            DEFAULT_REFRESH_HIDDEN_SECS,
        ),
        guest_order: decode(GUEST_ORDER, order),
        backup_coverage_days: in_range(
            BACKUP_COVERAGE,
            coverage,
            BACKUP_COVERAGE_RANGE,
            DEFAULT_BACKUP_COVERAGE_DAYS,
        ),
    })
}

/// Saves `settings`, records each change in the audit log and tells listeners.
pub async fn set(ctx: &Ctx, settings: Settings) -> Result<Settings, AppError> {
    if !HEALTH_INTERVAL_RANGE.contains(&settings.health_interval_secs) {
        return Err(AppError::fields(
            "the health check interval is out of range",
            [(
                "healthIntervalSecs".to_owned(),
                format!(
                    "between {} and {} seconds",
                    HEALTH_INTERVAL_RANGE.start(),
                    HEALTH_INTERVAL_RANGE.end()
                ),
            )]
            .into(),
        ));
    }
    out_of_range(
        REFRESH_VISIBLE,
        "refresh interval while the window is visible",
        settings.refresh_visible_secs,
        REFRESH_VISIBLE_RANGE,
        "seconds",
    )?;
    out_of_range(
        REFRESH_HIDDEN,
        "refresh interval while the window is hidden",
        settings.refresh_hidden_secs,
        REFRESH_HIDDEN_RANGE,
        "seconds",
    )?;
    out_of_range(
        BACKUP_COVERAGE,
        "backup coverage window",
        settings.backup_coverage_days,
        BACKUP_COVERAGE_RANGE,
        "days",
    )?;
    let before = get(ctx).await?;
    if before == settings {
        return Ok(settings);
    }
    let mut changes = Vec::new();
    if before.theme != settings.theme {
        changes.push((THEME, encode(&before.theme)?, encode(&settings.theme)?));
    }
    if before.health_interval_secs != settings.health_interval_secs {
        changes.push((
            HEALTH_INTERVAL,
            encode(&before.health_interval_secs)?,
            encode(&settings.health_interval_secs)?,
        ));
    }
    if before.refresh_visible_secs != settings.refresh_visible_secs {
        changes.push((
            REFRESH_VISIBLE,
            encode(&before.refresh_visible_secs)?,
            encode(&settings.refresh_visible_secs)?,
        ));
    }
    if before.refresh_hidden_secs != settings.refresh_hidden_secs {
        changes.push((
            REFRESH_HIDDEN,
            encode(&before.refresh_hidden_secs)?,
            encode(&settings.refresh_hidden_secs)?,
        ));
    }
    if before.guest_order != settings.guest_order {
        changes.push((
            GUEST_ORDER,
            encode(&before.guest_order)?,
            encode(&settings.guest_order)?,
        ));
    }
    if before.backup_coverage_days != settings.backup_coverage_days {
        changes.push((
            BACKUP_COVERAGE,
            encode(&before.backup_coverage_days)?,
            encode(&settings.backup_coverage_days)?,
        ));
    }
    for (key, from, to) in changes {
        let v = to.clone();
        ctx.db(move |s| s.set_setting(key, &v)).await?;
        audit::record(
            ctx,
            proxdeck_store::AuditEntry {
                actor: audit::local_actor(),
                action: "settings.set".into(),
                target: key.into(),
                outcome: "ok".into(),
                details: serde_json::json!({ "from": from, "to": to }),
            },
        )
        .await?;
    }
    let saved = get(ctx).await?;
    ctx.emit(CoreEvent::SettingsChanged(saved.clone()));
    // A new refresh interval takes effect now, not after the current wait.
    crate::inventory::wake(ctx);
    Ok(saved)
}

fn encode<T: Serialize>(value: &T) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(value)
        .map_err(|e| AppError::internal("cannot encode a setting").with_detail(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned + Default>(
    key: &str,
    value: Option<serde_json::Value>,
) -> T {
    match value.map(serde_json::from_value) {
        None => T::default(),
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            tracing::warn!(key, error = %e, "stored setting not understood; using the default");
            T::default()
        }
    }
}
