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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub theme: Theme,
}

const THEME: &str = "theme";

pub async fn get(ctx: &Ctx) -> Result<Settings, AppError> {
    let theme = ctx.db(|s| s.setting(THEME)).await?;
    Ok(Settings {
        theme: decode(THEME, theme),
    })
}

/// Saves `settings`, records each change in the audit log and tells listeners.
pub async fn set(ctx: &Ctx, settings: Settings) -> Result<Settings, AppError> {
    let before = get(ctx).await?;
    if before == settings {
        return Ok(settings);
    }
    let value = serde_json::to_value(settings.theme)
        .map_err(|e| AppError::internal("cannot encode the theme").with_detail(e.to_string()))?;
    if before.theme != settings.theme {
        let v = value.clone();
        ctx.db(move |s| s.set_setting(THEME, &v)).await?;
        audit::record(
            ctx,
            proxdeck_store::AuditEntry {
                actor: audit::local_actor(),
                action: "settings.set".into(),
                target: THEME.into(),
                outcome: "ok".into(),
                details: serde_json::json!({ "from": before.theme, "to": settings.theme }),
            },
        )
        .await?;
    }
    let saved = get(ctx).await?;
    ctx.emit(CoreEvent::SettingsChanged(saved.clone()));
    Ok(saved)
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
