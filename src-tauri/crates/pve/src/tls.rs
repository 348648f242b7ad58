//! Certificate trust: the system's roots, or a pinned SHA-256 fingerprint of the node's own
//! certificate — the way PVE and PBS clients trust self-signed nodes after the user saw the
//! fingerprint. There is no "accept anything" mode.

use std::sync::Arc;

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};

/// How a connection decides to trust the server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// The certificate must chain to the operating system's trusted roots.
    SystemRoots,
    /// The certificate's SHA-256 must be this (`aa:bb:…`, any case, colons optional).
    Pinned(String),
    /// The certificate's SHA-256 must be one of these: a cluster whose nodes each have their
    /// own self-signed certificate, each confirmed by the user.
    PinnedAny(Vec<String>),
}

impl Trust {
    /// `SystemRoots` for no pins, `Pinned` for one, `PinnedAny` for several.
    pub fn from_pins(pins: &[String]) -> Self {
        match pins {
            [] => Trust::SystemRoots,
            [one] => Trust::Pinned(one.clone()),
            many => Trust::PinnedAny(many.to_vec()),
        }
    }
}

/// SHA-256 of a DER certificate as PVE shows it: upper-case pairs joined by `:`.
pub fn fingerprint_of(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The 32 bytes of a fingerprint written as hex pairs, or `None` if it is not one.
pub fn normalize_fingerprint(text: &str) -> Option<[u8; 32]> {
    let hex: String = text.chars().filter(|c| *c != ':').collect();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

pub(crate) const MISMATCH: &str = "proxdeck: certificate fingerprint mismatch";

#[derive(Debug)]
struct PinnedVerifier {
    expected: Vec<[u8; 32]>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // A pin names one exact certificate: name and dates do not matter, as in PVE's
        // and PBS's own fingerprint trust. Anything else is refused.
        let got: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if self.expected.contains(&got) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "{MISMATCH}: presented {}",
                fingerprint_of(end_entity.as_ref())
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A rustls configuration that trusts exactly the pinned certificates.
pub(crate) fn pinned_config(fingerprints: &[String]) -> Result<rustls::ClientConfig, String> {
    if fingerprints.is_empty() {
        return Err("no pinned fingerprint given".into());
    }
    let expected = fingerprints
        .iter()
        .map(|fingerprint| {
            normalize_fingerprint(fingerprint).ok_or_else(|| {
                format!(
                    "`{fingerprint}` is not a SHA-256 fingerprint: expected 32 hex pairs like AA:BB:…"
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedVerifier { expected, provider }))
        .with_no_client_auth();
    Ok(config)
}
