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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub theme: Theme,
    /// Seconds between health checks of each connection (5–3600, default 30). After a
    /// failure the next checks come sooner (5 s, 10 s, 20 s…) up to this.
    pub health_interval_secs: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: Theme::default(),
            health_interval_secs: DEFAULT_HEALTH_INTERVAL_SECS,
        }
    }
}

impl Settings {
    pub fn health_interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.health_interval_secs))
    }
}

pub const DEFAULT_HEALTH_INTERVAL_SECS: u32 = 30;
pub const HEALTH_INTERVAL_RANGE: std::ops::RangeInclusive<u32> = 5..=3600;

const THEME: &str = "theme";
const HEALTH_INTERVAL: &str = "healthIntervalSecs";

pub async fn get(ctx: &Ctx) -> Result<Settings, AppError> {
    let (theme, interval) = ctx
        .db(|s| Ok((s.setting(THEME)?, s.setting(HEALTH_INTERVAL)?)))
        .await?;
    let interval: u32 = decode(HEALTH_INTERVAL, interval);
    Ok(Settings {
        theme: decode(THEME, theme),
        health_interval_secs: if HEALTH_INTERVAL_RANGE.contains(&interval) {
            interval
        } else {
            DEFAULT_HEALTH_INTERVAL_SECS
        },
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
