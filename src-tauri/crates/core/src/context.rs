//! The application context every core function receives: where files live, the open
//! store, the keychain, the event sink and the API clients of the stored connections.

use std::sync::Arc;

use proxdeck_secrets::Keychain;
use proxdeck_store::Store;

use crate::AppError;
use crate::events::{CoreEvent, Discard, EventSink};
use crate::paths::Paths;

pub struct Ctx {
    pub app_version: String,
    pub paths: Paths,
    store: Arc<Store>,
    pub keychain: Keychain,
    events: Arc<dyn EventSink>,
    pub(crate) demo: Arc<crate::demo::Demo>,
    /// The health monitor's in-memory view of each stored connection.
    pub(crate) health: crate::connections::health::Monitor,
    /// The API client of each stored connection, kept until the connection changes.
    pub(crate) clients: crate::connections::ClientCache,
    /// The inventory refresh engine's last-known resources of each cluster.
    pub(crate) inventory: crate::inventory::engine::Inventory,
    /// The login's privileges per (connection, path), from `/access/permissions`.
    pub(crate) privileges: crate::permissions::PrivilegeCache,
    /// The tasks started from Proxdeck that are being followed to their end.
    pub tracked: crate::tracked::Watchers,
    /// The guests' last-known addresses (guest agent / container interfaces).
    pub(crate) agent_ips: crate::guests::agent::IpCache,
    /// Task logs streamed to windows.
    pub log_follows: crate::tasks::LogFollows,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("app_version", &self.app_version)
            .field("paths", &self.paths)
            .field("keychain", &self.keychain)
            .finish_non_exhaustive()
    }
}

pub struct CtxBuilder {
    app_version: String,
    paths: Paths,
    keychain: Keychain,
    events: Arc<dyn EventSink>,
}

impl CtxBuilder {
    pub fn keychain(mut self, keychain: Keychain) -> Self {
        self.keychain = keychain;
        self
    }

    pub fn events(mut self, events: Arc<dyn EventSink>) -> Self {
        self.events = events;
        self
    }

    /// Opens the store (running migrations) and returns the context.
    pub async fn open(self) -> Result<Ctx, AppError> {
        let data_dir = self.paths.data_dir.clone();
        let store = tokio::task::spawn_blocking(move || Store::open_in(&data_dir)).await??;
        Ok(Ctx {
            app_version: self.app_version,
            paths: self.paths,
            store: Arc::new(store),
            keychain: self.keychain,
            events: self.events,
            demo: crate::demo::shared(),
            health: Default::default(),
            clients: Default::default(),
            inventory: Default::default(),
            privileges: Default::default(),
            tracked: Default::default(),
            agent_ips: Default::default(),
            log_follows: Default::default(),
        })
    }
}

impl Ctx {
    pub fn builder(app_version: impl Into<String>, paths: Paths) -> CtxBuilder {
        CtxBuilder {
            app_version: app_version.into(),
            paths,
            keychain: Keychain::new(Keychain::APP_SERVICE),
            events: Arc::new(Discard),
        }
    }

    /// Runs a store call off the async runtime; SQLite calls block.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, proxdeck_store::StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        Ok(tokio::task::spawn_blocking(move || f(&store)).await??)
    }

    pub fn emit(&self, event: CoreEvent) {
        self.events.emit(event);
    }
}
