//! A Proxmox VE / Backup Server API simulator over HTTPS on loopback, for tests,
//! benchmarks and the app's demo datacenter.
//!
//! Every other test trusts it, so it follows the real API: the schema's paths, parameters
//! and permission rules, PVE's authentication (tickets, CSRF, API tokens with privilege
//! separation) and its task model (UPIDs that finish asynchronously). Each cluster of a
//! scenario gets its own listener, as real clusters are separate hosts.

pub mod api;
pub mod auth;
pub mod control;
pub mod faults;
pub mod pbs;
pub mod perms;
pub mod scenario;
pub mod server;
pub mod state;
pub mod tasks;
pub mod tls;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use serde::Serialize;

pub use faults::{Fault, FaultRule};
pub use scenario::Scenario;
pub use state::{BackupServerAddr, ClusterSim, SimOptions};

/// One served cluster: its live state and its listener.
#[derive(Debug)]
pub struct SimCluster {
    pub sim: Arc<ClusterSim>,
    pub served: server::Served,
}

impl SimCluster {
    /// `https://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("https://{}", self.served.addr)
    }

    pub fn fingerprint(&self) -> String {
        self.served.cert.current().fingerprint
    }

    pub fn faults(&self) -> &faults::Faults {
        &self.served.faults
    }

    /// A new certificate for new connections, as when a node is re-keyed.
    pub fn swap_certificate(&self) -> tls::Identity {
        self.served.cert.swap(&self.sim.name)
    }
}

/// One served Proxmox Backup Server.
#[derive(Debug)]
pub struct SimPbs {
    pub sim: Arc<pbs::PbsSim>,
    pub served: server::Served,
}

impl SimPbs {
    pub fn base_url(&self) -> String {
        format!("https://{}", self.served.addr)
    }

    pub fn fingerprint(&self) -> String {
        self.served.cert.current().fingerprint
    }
}

/// What `proxdeck-sim` prints, and what a harness needs to connect.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ListenerInfo {
    pub name: String,
    pub kind: &'static str,
    pub host: String,
    pub port: u16,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Credentials {
    /// `user@realm`
    pub username: String,
    pub password: String,
    /// `user@realm!id=secret`, PVE's header form.
    pub token: Option<String>,
}

/// A running simulator; dropping it stops every listener.
#[derive(Debug)]
pub struct Sim {
    pub clusters: Vec<SimCluster>,
    pub pbs: Vec<SimPbs>,
    /// The secret of the `/_proxdeck-sim/` control endpoints on every listener.
    pub control_secret: String,
}

impl Sim {
    /// Validates `scenario` and serves each cluster on its own loopback port.
    pub async fn start(scenario: Scenario, options: SimOptions) -> Result<Self, String> {
        scenario.validate().map_err(|e| e.to_string())?;
        let mut secret = [0u8; 16];
        auth::fill_random(&mut secret);
        let control_secret = hex::encode(secret);
        let mut backup_servers = Vec::new();
        for spec in scenario.pbs {
            let sim = pbs::PbsSim::new(spec, options.clone());
            let cert = tls::CertSlot::new(tls::Identity::generate(&sim.name));
            sim.attach_certificate(cert.clone());
            let served = server::serve(
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                pbs::router(Arc::clone(&sim)),
                cert,
                Arc::new(faults::Faults::default()),
            )
            .await
            .map_err(|e| format!("cannot listen on loopback: {e}"))?;
            backup_servers.push(SimPbs { sim, served });
        }
        // Backup servers listen first: the clusters' `pbs` storages point at them.
        let addresses: std::collections::HashMap<String, BackupServerAddr> = backup_servers
            .iter()
            .map(|p| {
                let addr = BackupServerAddr {
                    host: p.served.addr.ip().to_string(),
                    port: p.served.addr.port(),
                    fingerprint: p.sim.certificate_fingerprint(),
                };
                (p.sim.name.clone(), addr)
            })
            .collect();
        let mut clusters = Vec::new();
        for cluster in scenario.clusters {
            let sim = ClusterSim::new(cluster, options.clone());
            sim.attach_backup_servers(addresses.clone());
            let cert = tls::CertSlot::new(tls::Identity::generate(&sim.name));
            sim.attach_certificate(cert.clone());
            let faults = Arc::new(faults::Faults::default());
            let router = axum::Router::new()
                .fallback(api::dispatch)
                .with_state(Arc::clone(&sim))
                .merge(control::router(control::Control {
                    secret: control_secret.as_str().into(),
                    sim: Arc::clone(&sim),
                    faults: Arc::clone(&faults),
                    cert: cert.clone(),
                }));
            let served = server::serve(
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                router,
                cert,
                faults,
            )
            .await
            .map_err(|e| format!("cannot listen on loopback: {e}"))?;
            clusters.push(SimCluster { sim, served });
        }
        Ok(Self {
            clusters,
            pbs: backup_servers,
            control_secret,
        })
    }

    pub fn cluster(&self, name: &str) -> &SimCluster {
        self.clusters
            .iter()
            .find(|c| c.sim.name == name)
            .unwrap_or_else(|| panic!("no simulated cluster named {name}"))
    }

    pub fn listeners(&self) -> Vec<ListenerInfo> {
        let pve = self.clusters.iter().map(|c| ListenerInfo {
            name: c.sim.name.clone(),
            kind: "pve",
            host: c.served.addr.ip().to_string(),
            port: c.served.addr.port(),
            fingerprint: c.fingerprint(),
        });
        let pbs = self.pbs.iter().map(|p| ListenerInfo {
            name: p.sim.name.clone(),
            kind: "pbs",
            host: p.served.addr.ip().to_string(),
            port: p.served.addr.port(),
            fingerprint: p.fingerprint(),
        });
        pve.chain(pbs).collect()
    }

    /// Working credentials for the backup server `name`: root@pam's password and a token in
    /// PBS's form `user@realm!id:secret`.
    pub fn pbs_credentials(&self, name: &str) -> Credentials {
        let server = self
            .pbs
            .iter()
            .find(|p| p.sim.name == name)
            .unwrap_or_else(|| panic!("no simulated backup server named {name}"));
        let spec = &server.sim.state().spec;
        let root = spec.users.iter().find(|u| u.userid == "root@pam");
        let token = spec
            .tokens
            .first()
            .map(|t| format!("{}!{}:{}", t.userid, t.tokenid, t.secret));
        Credentials {
            username: "root@pam".into(),
            password: root.map(|u| u.password.clone()).unwrap_or_default(),
            token,
        }
    }

    /// Working credentials for `cluster`: root@pam's password and a token without
    /// privilege separation (the scenario's fixtures).
    pub fn credentials(&self, cluster: &str) -> Credentials {
        let state = self.cluster(cluster).sim.state();
        let root = state.spec.users.iter().find(|u| u.userid == "root@pam");
        let token = state
            .spec
            .tokens
            .iter()
            .find(|t| !t.privsep)
            .or_else(|| state.spec.tokens.first())
            .map(|t| format!("{}!{}={}", t.userid, t.tokenid, t.secret));
        Credentials {
            username: "root@pam".into(),
            password: root.map(|u| u.password.clone()).unwrap_or_default(),
            token,
        }
    }
}
