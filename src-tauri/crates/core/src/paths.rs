//! Where Proxdeck keeps its files: the data directory (database) and the log directory.
//!
//! The defaults are the OS conventions Tauri uses for the same app identifier, so the shell
//! and the core agree without the core asking Tauri. `PROXDECK_DATA_DIR` moves everything
//! (tests, portable installs); `PROXDECK_LOG_DIR` moves only the logs.

use std::path::PathBuf;

use crate::{AppError, ErrorCode};

/// The app identifier (reverse DNS), as in tauri.conf.json.
pub const APP_IDENTIFIER: &str = "org.proxdeck.desktop";
pub const DATA_DIR_ENV: &str = "PROXDECK_DATA_DIR";
pub const LOG_DIR_ENV: &str = "PROXDECK_LOG_DIR";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
}

impl Paths {
    /// Both directories under one root: what tests and `PROXDECK_DATA_DIR` use.
    pub fn under(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        Self {
            log_dir: root.join("logs"),
            data_dir: root,
        }
    }

    /// The environment's choice if set, else the OS default for this user.
    pub fn resolve() -> Result<Self, AppError> {
        let mut paths = match std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
            Some(root) => Self::under(root),
            None => Self::os_default()?,
        };
        if let Some(logs) = std::env::var_os(LOG_DIR_ENV).filter(|v| !v.is_empty()) {
            paths.log_dir = logs.into();
        }
        Ok(paths)
    }

    fn os_default() -> Result<Self, AppError> {
        let missing = || {
            AppError::new(
                ErrorCode::Storage,
                format!(
                    "cannot find this user's application data directory; set {DATA_DIR_ENV} to a writable directory"
                ),
            )
        };
        let data_dir = dirs::data_dir().ok_or_else(missing)?.join(APP_IDENTIFIER);
        #[cfg(target_os = "macos")]
        let log_dir = dirs::home_dir()
            .ok_or_else(missing)?
            .join("Library/Logs")
            .join(APP_IDENTIFIER);
        #[cfg(not(target_os = "macos"))]
        let log_dir = dirs::data_local_dir()
            .ok_or_else(missing)?
            .join(APP_IDENTIFIER)
            .join("logs");
        Ok(Self { data_dir, log_dir })
    }
}
