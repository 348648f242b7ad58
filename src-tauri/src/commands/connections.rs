use proxdeck_core::AppError;
use proxdeck_core::connections::{
    AccessType, CertificateInfo, Connection, ConnectionInput, ConnectionKind, FeatureMatrix,
    Health, RemoveReport, TestReport,
};
use proxdeck_core::inventory::Resource;
use proxdeck_core::tokens::{CreatedToken, TokenWizardInput, WizardChoices};
use tauri::State;

use crate::state::AppState;

/// Every connection the app knows (today: the demo datacenter's, while it runs).
#[tauri::command]
#[specta::specta]
pub async fn connections_list(state: State<'_, AppState>) -> Result<Vec<Connection>, AppError> {
    proxdeck_core::connections::list(state.ctx()?).await
}

/// Starts the built-in demo datacenter and returns its connections.
#[tauri::command]
#[specta::specta]
pub async fn demo_open(state: State<'_, AppState>) -> Result<Vec<Connection>, AppError> {
    proxdeck_core::demo::open(state.ctx()?).await
}

/// Stops the demo datacenter and removes its connections.
#[tauri::command]
#[specta::specta]
pub async fn demo_close(state: State<'_, AppState>) -> Result<(), AppError> {
    proxdeck_core::demo::close(state.ctx()?).await
}

/// Switches a demo cluster off (`down`) or on again, to show what an outage looks like.
#[tauri::command]
#[specta::specta]
pub async fn demo_outage(
    state: State<'_, AppState>,
    id: String,
    down: bool,
) -> Result<Connection, AppError> {
    proxdeck_core::demo::set_outage(state.ctx()?, &id, down).await
}

/// The nodes, guests, storages and pools of a cluster connection.
#[tauri::command]
#[specta::specta]
pub async fn connection_resources(
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<Resource>, AppError> {
    proxdeck_core::inventory::resources(state.ctx()?, &id).await
}

/// Validates and saves a new connection; its secret goes to the OS keychain.
#[tauri::command]
#[specta::specta]
pub async fn connection_add(
    state: State<'_, AppState>,
    input: ConnectionInput,
) -> Result<Connection, AppError> {
    proxdeck_core::connections::add(state.ctx()?, input).await
}

/// Saves a changed connection (an empty secret keeps the stored one).
#[tauri::command]
#[specta::specta]
pub async fn connection_update(
    state: State<'_, AppState>,
    id: String,
    input: ConnectionInput,
) -> Result<Connection, AppError> {
    proxdeck_core::connections::update(state.ctx()?, &id, input).await
}

/// Removes a connection and its keychain entries; optionally deletes its API token on the
/// cluster first.
#[tauri::command]
#[specta::specta]
pub async fn connection_remove(
    state: State<'_, AppState>,
    id: String,
    delete_token: bool,
) -> Result<RemoveReport, AppError> {
    proxdeck_core::connections::remove(state.ctx()?, &id, delete_token).await
}

/// Enables or disables a connection.
#[tauri::command]
#[specta::specta]
pub async fn connection_set_enabled(
    state: State<'_, AppState>,
    id: String,
    enabled: bool,
) -> Result<Connection, AppError> {
    proxdeck_core::connections::set_enabled(state.ctx()?, &id, enabled).await
}

/// "Test connection" on the form's settings.
#[tauri::command]
#[specta::specta]
pub async fn connection_test(
    state: State<'_, AppState>,
    input: ConnectionInput,
    existing_id: Option<String>,
) -> Result<TestReport, AppError> {
    proxdeck_core::connections::test::run(state.ctx()?, input, existing_id).await
}

/// What a node URL's certificate says, for the trust dialog.
#[tauri::command]
#[specta::specta]
pub async fn certificate_probe(url: String) -> Result<CertificateInfo, AppError> {
    proxdeck_core::connections::test::probe_certificate(&url).await
}

/// What each feature needs from the access type, for the form.
#[tauri::command]
#[specta::specta]
pub fn connection_features(
    kind: ConnectionKind,
    access: AccessType,
    username: String,
    pve_version: Option<String>,
) -> FeatureMatrix {
    proxdeck_core::connections::feature_matrix(kind, access, &username, pve_version.as_deref())
}

/// The token wizard's first step: log in as the admin and list pools, storages, zones.
#[tauri::command]
#[specta::specta]
pub async fn token_wizard_choices(
    state: State<'_, AppState>,
    input: TokenWizardInput,
) -> Result<WizardChoices, AppError> {
    proxdeck_core::tokens::choices(state.ctx()?, input).await
}

/// The token wizard's last step: create user, roles, ACLs and token.
#[tauri::command]
#[specta::specta]
pub async fn token_create(
    state: State<'_, AppState>,
    input: TokenWizardInput,
) -> Result<CreatedToken, AppError> {
    proxdeck_core::tokens::create(state.ctx()?, input).await
}

/// Checks a connection's health now instead of waiting for the next interval.
#[tauri::command]
#[specta::specta]
pub async fn connection_check(state: State<'_, AppState>, id: String) -> Result<Health, AppError> {
    proxdeck_core::connections::health::check_now(state.ctx()?, &id).await
}
