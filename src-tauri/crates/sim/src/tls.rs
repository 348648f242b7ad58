//! The simulator's TLS identity: a self-signed certificate made at start, like a fresh PVE
//! node's `pve-ssl.pem`, which a test can swap at any time to play a re-keyed or
//! impersonated server. Clients see its SHA-256 fingerprint in PVE's `AA:BB:…` form.

use std::sync::{Arc, RwLock};

use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

/// One certificate and what a client would see of it.
#[derive(Clone)]
pub struct Identity {
    pub cert_der: CertificateDer<'static>,
    pub cert_pem: String,
    /// SHA-256 of the DER certificate, upper-case hex pairs joined by `:`.
    pub fingerprint: String,
    config: Arc<ServerConfig>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Formats a digest the way PVE and PBS show fingerprints.
pub fn fingerprint_of(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

impl Identity {
    /// A new self-signed certificate for `common_name`, valid for localhost and loopback.
    pub fn generate(common_name: &str) -> Self {
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_owned(), common_name.to_owned()])
                .expect("valid subject alt names");
        params.subject_alt_names.push(rcgen::SanType::IpAddress(
            std::net::Ipv4Addr::LOCALHOST.into(),
        ));
        params.subject_alt_names.push(rcgen::SanType::IpAddress(
            std::net::Ipv6Addr::LOCALHOST.into(),
        ));
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, common_name);
        dn.push(rcgen::DnType::OrganizationName, "PVE Cluster Node");
        dn.push(rcgen::DnType::OrganizationalUnitName, "proxdeck-sim");
        params.distinguished_name = dn;
        let key = rcgen::KeyPair::generate().expect("key generation");
        let cert = params.self_signed(&key).expect("self-signed certificate");
        let cert_der = cert.der().clone();
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config = ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert_der.clone()], key_der)
        .expect("certificate and key match");
        Self {
            fingerprint: fingerprint_of(&cert_der),
            cert_pem: cert.pem(),
            cert_der,
            config: Arc::new(config),
        }
    }
}

/// The identity a listener presents; swapping it affects new connections only, as when a
/// node's certificate is renewed.
#[derive(Debug, Clone)]
pub struct CertSlot(Arc<RwLock<Identity>>);

impl CertSlot {
    pub fn new(identity: Identity) -> Self {
        Self(Arc::new(RwLock::new(identity)))
    }

    pub fn current(&self) -> Identity {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn server_config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.0.read().unwrap_or_else(|p| p.into_inner()).config)
    }

    /// Replaces the certificate with a freshly generated one and returns it.
    pub fn swap(&self, common_name: &str) -> Identity {
        let fresh = Identity::generate(common_name);
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
        fresh
    }
}
