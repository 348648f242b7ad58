//! One simulated PVE cluster's live state: built from its scenario, changed by API calls
//! and by tasks finishing, read by every handler under one lock.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::http::Method;

use crate::api::ApiError;
use crate::auth::{self, Keys, Presented};
use crate::perms::{AccessModel, AclEntry, Principal, Subject, TokenAccess, UserAccess};
use crate::scenario;
use crate::tasks::{self, Task};

/// Knobs a test turns.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// How long a task runs before it finishes.
    pub task_duration: Duration,
    /// PVE waits about 3 s before answering a failed login; off by default in tests.
    pub unauthorized_delay: Duration,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            task_duration: Duration::from_millis(200),
            unauthorized_delay: Duration::ZERO,
        }
    }
}

/// A guest as it is now.
#[derive(Debug, Clone)]
pub struct GuestState {
    pub spec: scenario::Guest,
    /// Unix time it was started, while running.
    pub started_at: Option<i64>,
}

impl GuestState {
    pub fn kind_str(&self) -> &'static str {
        match self.spec.kind {
            scenario::GuestKind::Qemu => "qemu",
            scenario::GuestKind::Lxc => "lxc",
        }
    }

    pub fn running(&self) -> bool {
        !matches!(self.spec.status, scenario::GuestStatus::Stopped)
    }
}

#[derive(Debug)]
pub struct ClusterState {
    pub spec: scenario::Cluster,
    pub guests: BTreeMap<u32, GuestState>,
    pub tasks: Vec<Task>,
    next_pid: u32,
}

impl ClusterState {
    pub fn node(&self, name: &str) -> Option<&scenario::Node> {
        self.spec.nodes.iter().find(|n| n.name == name)
    }
}

/// Where a scenario's backup server listens, for the `pbs` storages that name it.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupServerAddr {
    pub host: String,
    pub port: u16,
    /// SHA-256 of its certificate, colon-separated hex as PVE stores it.
    pub fingerprint: String,
}

pub struct ClusterSim {
    pub name: String,
    backup_servers: std::sync::OnceLock<HashMap<String, BackupServerAddr>>,
    pub options: SimOptions,
    keys: Keys,
    /// Read-mostly: the big listings take the read side, so two dashboards polling
    /// `/cluster/resources` are served side by side.
    state: RwLock<ClusterState>,
    access: RwLock<Arc<AccessModel>>,
    clock_offset: AtomicI64,
    tickets_not_before: AtomicI64,
    boot_time: i64,
    cert: std::sync::OnceLock<crate::tls::CertSlot>,
    generation: AtomicU64,
    answers: Mutex<HashMap<String, CachedAnswer>>,
}

/// A serialised answer and the state generation and time window it was made for.
#[derive(Debug, Clone)]
pub struct CachedAnswer {
    pub generation: u64,
    pub window: i64,
    pub body: Arc<Vec<u8>>,
}

/// Write access to a cluster's state that remembers whether it was used to change it.
pub struct StateGuard<'a> {
    guard: RwLockWriteGuard<'a, ClusterState>,
    generation: &'a AtomicU64,
    dirty: bool,
}

impl std::ops::Deref for StateGuard<'_> {
    type Target = ClusterState;
    fn deref(&self) -> &ClusterState {
        &self.guard
    }
}

impl std::ops::DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut ClusterState {
        self.dirty = true;
        &mut self.guard
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        if self.dirty {
            self.generation.fetch_add(1, Ordering::AcqRel);
        }
    }
}

impl std::fmt::Debug for ClusterSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterSim")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl ClusterSim {
    pub fn new(spec: scenario::Cluster, options: SimOptions) -> Arc<Self> {
        let now = unix_now();
        let guests = spec
            .guests
            .iter()
            .map(|g| {
                let running = !matches!(g.status, scenario::GuestStatus::Stopped);
                (
                    g.vmid,
                    GuestState {
                        spec: g.clone(),
                        started_at: running.then_some(now - 3600 - i64::from(g.vmid % 97) * 600),
                    },
                )
            })
            .collect();
        let access = build_access(&spec, spec.guests.iter());
        Arc::new(Self {
            name: spec.name.clone(),
            backup_servers: std::sync::OnceLock::new(),
            options,
            keys: Keys::random(),
            state: RwLock::new(ClusterState {
                spec,
                guests,
                tasks: Vec::new(),
                next_pid: 1000,
            }),
            access: RwLock::new(Arc::new(access)),
            clock_offset: AtomicI64::new(0),
            tickets_not_before: AtomicI64::new(i64::MIN),
            boot_time: now - 86_400 * 12,
            cert: std::sync::OnceLock::new(),
            generation: AtomicU64::new(0),
            answers: Mutex::new(HashMap::new()),
        })
    }

    /// The state, for reading and changing. A change (any mutable access) bumps the
    /// state's generation when the guard is dropped, which invalidates cached answers.
    pub fn state(&self) -> StateGuard<'_> {
        StateGuard {
            guard: self.state.write().unwrap_or_else(|p| p.into_inner()),
            generation: &self.generation,
            dirty: false,
        }
    }

    /// Counts changes to the state; see [`ClusterSim::state`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The cache of big answers, keyed by what they depend on besides the generation.
    pub fn answer_cache(&self) -> &Mutex<HashMap<String, CachedAnswer>> {
        &self.answers
    }

    /// The state, for reading only; many readers at once.
    pub fn read_state(&self) -> RwLockReadGuard<'_, ClusterState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn access(&self) -> Arc<AccessModel> {
        Arc::clone(&self.access.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Rebuilds the access model after users, groups, roles, ACLs, tokens or pools changed.
    pub fn refresh_access(&self, state: &ClusterState) {
        *self.access.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(build_access(
            &state.spec,
            state.guests.values().map(|g| &g.spec),
        ));
    }

    /// The simulator's clock: real time plus what a test moved it by.
    pub fn now(&self) -> i64 {
        unix_now() + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Moves the clock (to age tickets without waiting two hours).
    pub fn advance_clock(&self, secs: i64) {
        self.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }

    /// Invalidates every ticket issued so far, as if the cluster's auth key was rotated.
    pub fn expire_tickets(&self) {
        self.tickets_not_before
            .store(self.now() + 1, Ordering::Relaxed);
    }

    /// Called once, before serving, with where each backup server (by scenario name)
    /// listens, so `pbs` storages show a real address as PVE's `storage.cfg` does.
    pub fn attach_backup_servers(&self, servers: HashMap<String, BackupServerAddr>) {
        let _ = self.backup_servers.set(servers);
    }

    pub fn backup_server(&self, name: &str) -> Option<&BackupServerAddr> {
        self.backup_servers.get().and_then(|m| m.get(name))
    }

    /// Called once by the listener that serves this cluster.
    pub fn attach_certificate(&self, cert: crate::tls::CertSlot) {
        let _ = self.cert.set(cert);
    }

    /// What `/nodes` reports as `ssl_fingerprint`: the certificate presented right now.
    pub fn certificate_fingerprint(&self) -> String {
        self.cert
            .get()
            .map(|c| c.current().fingerprint)
            .unwrap_or_default()
    }

    pub fn boot_time(&self) -> i64 {
        self.boot_time
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub async fn unauthorized_delay(&self) {
        if !self.options.unauthorized_delay.is_zero() {
            tokio::time::sleep(self.options.unauthorized_delay).await;
        }
    }

    /// Who a request is, or 401. Tickets need a valid CSRF token on anything but GET.
    pub fn authenticate(
        &self,
        presented: &Presented,
        method: &Method,
        now: i64,
    ) -> Result<Principal, ApiError> {
        match presented {
            Presented::Ticket { ticket, csrf } => {
                let not_before = self.tickets_not_before.load(Ordering::Relaxed);
                let user = self
                    .keys
                    .verify_ticket(ticket, now, not_before)
                    .ok_or_else(ApiError::unauthorized)?;
                if !self.user_active(&user, now) {
                    return Err(ApiError::unauthorized());
                }
                if *method != Method::GET {
                    let ok = csrf
                        .as_deref()
                        .is_some_and(|t| self.keys.verify_csrf(t, &user, now));
                    if !ok {
                        return Err(ApiError::new(
                            axum::http::StatusCode::UNAUTHORIZED,
                            "Permission denied - invalid csrf token",
                        ));
                    }
                }
                Ok(Principal::User(user))
            }
            Presented::Token { tokenid, secret } => {
                let state = self.state();
                let token = state
                    .spec
                    .tokens
                    .iter()
                    .find(|t| format!("{}!{}", t.userid, t.tokenid) == *tokenid)
                    .ok_or_else(ApiError::unauthorized)?;
                let expired = token.expire != 0 && token.expire < now;
                if expired || !auth::constant_time_eq(token.secret.as_bytes(), secret.as_bytes()) {
                    return Err(ApiError::unauthorized());
                }
                let userid = token.userid.clone();
                drop(state);
                if !self.user_active(&userid, now) {
                    return Err(ApiError::unauthorized());
                }
                auth::token_principal(tokenid).ok_or_else(ApiError::unauthorized)
            }
            Presented::None | Presented::Malformed => Err(ApiError::unauthorized()),
        }
    }

    pub fn user_active(&self, userid: &str, now: i64) -> bool {
        self.state()
            .spec
            .users
            .iter()
            .find(|u| u.userid == userid)
            .is_some_and(|u| u.enable && (u.expire == 0 || u.expire > now))
    }

    /// Starts a task on `node`; `effect` runs when it finishes (after the configured
    /// duration) and decides its exit status. Returns the UPID.
    pub fn spawn_task<F>(
        self: &Arc<Self>,
        node: &str,
        kind: &str,
        id: &str,
        user: &str,
        log: Vec<String>,
        effect: F,
    ) -> String
    where
        F: FnOnce(&mut ClusterState) -> Result<(), String> + Send + 'static,
    {
        let now = self.now();
        let upid = {
            let mut state = self.state();
            state.next_pid += 1;
            let pid = state.next_pid;
            let upid = tasks::upid(
                node,
                pid,
                (now as u32).wrapping_mul(7) & 0x0fff_ffff,
                now,
                kind,
                id,
                user,
            );
            state.tasks.push(Task::new(upid.clone(), log));
            upid
        };
        let sim = Arc::clone(self);
        let done = upid.clone();
        tokio::spawn(async move {
            tokio::time::sleep(sim.options.task_duration).await;
            let now = sim.now();
            let mut state = sim.state();
            // A task stopped meanwhile (DELETE …/tasks/{upid}) has no effect.
            let running = state
                .tasks
                .iter()
                .any(|t| t.upid == done && t.state == tasks::TaskState::Running);
            if !running {
                return;
            }
            let result = effect(&mut state);
            if let Some(task) = state.tasks.iter_mut().find(|t| t.upid == done) {
                task.finish(result, now);
            }
        });
        upid
    }
}

/// The permission model of a cluster's users, groups, roles, ACLs, tokens and pools.
/// Pool membership comes from `guests` (the live ones), not the scenario's list: guests
/// created by clones exist only in the live state.
fn build_access<'a>(
    spec: &scenario::Cluster,
    guests: impl Iterator<Item = &'a scenario::Guest>,
) -> AccessModel {
    let mut model = AccessModel::with_builtin_roles();
    for role in &spec.roles {
        model
            .roles
            .insert(role.roleid.clone(), role.privs.iter().cloned().collect());
    }
    for user in &spec.users {
        model.users.insert(
            user.userid.clone(),
            UserAccess {
                enabled: user.enable,
                expire: user.expire,
                groups: user.groups.iter().cloned().collect(),
            },
        );
    }
    for token in &spec.tokens {
        model.tokens.insert(
            format!("{}!{}", token.userid, token.tokenid),
            TokenAccess {
                privsep: token.privsep,
                expire: token.expire,
            },
        );
    }
    for acl in &spec.acl {
        let subject = match (&acl.user, &acl.group, &acl.token) {
            (Some(u), None, None) => Subject::User(u.clone()),
            (None, Some(g), None) => Subject::Group(g.clone()),
            (None, None, Some(t)) => Subject::Token(t.clone()),
            _ => continue, // validation refuses these; never guess a subject
        };
        model.acl.push(AclEntry {
            path: acl.path.clone(),
            subject,
            role: acl.role.clone(),
            propagate: acl.propagate,
        });
    }
    for guest in guests {
        if let Some(pool) = &guest.pool {
            model
                .pool_of
                .insert(format!("/vms/{}", guest.vmid), pool.clone());
        }
    }
    model
}
