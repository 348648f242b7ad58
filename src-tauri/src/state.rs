//! What the shell keeps for the app's lifetime: the core context (or why it could not be
//! opened) and the log writer's guard.

use std::sync::Arc;

use proxdeck_core::paths::Paths;
use proxdeck_core::{AppError, Ctx};
use tracing_appender::non_blocking::WorkerGuard;

use crate::events::TauriEvents;
use crate::logging;

pub struct AppState {
    /// The context, or the reason it could not be opened (say, a database from a newer
    /// version). Keeping the error lets the window open and show it instead of vanishing.
    ctx: Result<Arc<Ctx>, AppError>,
    _log_guard: Option<WorkerGuard>,
}

impl AppState {
    pub fn start(handle: tauri::AppHandle) -> Self {
        let paths = match Paths::resolve() {
            Ok(p) => p,
            Err(e) => {
                return Self {
                    ctx: Err(e),
                    _log_guard: None,
                };
            }
        };
        let log_guard = logging::init(&paths.log_dir);
        tracing::info!(version = crate::VERSION, data_dir = %paths.data_dir.display(), "Proxdeck starting");
        let ctx = tauri::async_runtime::block_on(
            Ctx::builder(crate::VERSION, paths)
                .events(Arc::new(TauriEvents::new(handle)))
                .open(),
        )
        .map(Arc::new)
        .inspect_err(
            |e| tracing::error!(code = ?e.code, message = %e.message, "cannot open the store"),
        );
        if let Ok(ctx) = &ctx {
            tauri::async_runtime::spawn(proxdeck_core::connections::health::run_monitor(
                Arc::clone(ctx),
                Default::default(),
            ));
            tauri::async_runtime::spawn(proxdeck_core::inventory::run_refresher(
                Arc::clone(ctx),
                Default::default(),
            ));
            // Guest addresses for the guest table: each running guest every 3 minutes.
            tauri::async_runtime::spawn(proxdeck_core::guests::agent::run_poller(
                Arc::clone(ctx),
                std::time::Duration::from_secs(30),
            ));
            let demo_ctx = Arc::clone(ctx);
            tauri::async_runtime::spawn(async move {
                if let Err(e) = proxdeck_core::demo::open_if_asked(&demo_ctx).await {
                    tracing::error!(message = %e.message, "the demo datacenter could not open");
                }
            });
        }
        Self {
            ctx,
            _log_guard: log_guard,
        }
    }

    pub fn ctx(&self) -> Result<&Ctx, AppError> {
        self.ctx.as_deref().map_err(Clone::clone)
    }

    /// The context as a shared handle, for work that spawns tasks.
    pub fn ctx_arc(&self) -> Result<Arc<Ctx>, AppError> {
        self.ctx.clone()
    }
}
