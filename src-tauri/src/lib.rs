//! The Tauri shell: builds the window, manages state, wires commands and events to
//! `proxdeck-core`. It decides nothing itself.

mod bindings;
mod commands;
mod events;
mod logging;
mod notify;
mod state;

use tauri::Manager;

pub use bindings::{BINDINGS_PATH, export as export_bindings, specta_builder};

/// The app's version, as shown in About and written in the log.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn run() {
    let builder = specta_builder();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let state = state::AppState::start(app.handle().clone());
            app.manage(state);
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("Proxdeck could not start its window: {e}");
            std::process::exit(1);
        }
    }
}
