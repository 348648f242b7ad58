//! Facts about this installation, for the About panel and bug reports.

use serde::Serialize;
use specta::Type;

use crate::{AppError, Ctx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_dir: String,
    pub database_path: String,
    pub schema_version: u32,
    /// `linux`, `macos` or `windows`.
    pub os: String,
}

pub async fn info(ctx: &Ctx) -> Result<AppInfo, AppError> {
    let (schema_version, database_path) = ctx
        .db(|s| Ok((s.schema_version()?, s.path().to_path_buf())))
        .await?;
    Ok(AppInfo {
        version: ctx.app_version.clone(),
        data_dir: ctx.paths.data_dir.display().to_string(),
        log_dir: ctx.paths.log_dir.display().to_string(),
        database_path: database_path.display().to_string(),
        schema_version,
        os: std::env::consts::OS.to_owned(),
    })
}
