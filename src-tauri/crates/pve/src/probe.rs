//! The certificate probe: what a node presents, before anything is trusted, so the user
//! can compare the fingerprint with the node's Certificates panel and decide.
//!
//! The handshake is stopped right after the server's certificate arrives; no request is
//! sent and nothing is trusted by looking.

use std::sync::{Arc, Mutex};

use rustls::DigitallySignedStruct;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use crate::PveError;
use crate::tls::fingerprint_of;
use crate::transport::transport_failure;

/// What a node's certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedCertificate {
    /// SHA-256, `AA:BB:…`.
    pub fingerprint: String,
    pub subject: String,
    pub issuer: String,
    /// RFC 3339.
    pub not_after: String,
    /// Whether it chains to the system's roots (then no pin is needed).
    pub trusted_by_system: bool,
}

#[derive(Debug)]
struct Recorder {
    seen: Mutex<Option<Vec<u8>>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

const STOP: &str = "proxdeck: certificate recorded";

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(end_entity.to_vec());
        // Refuse: the probe only looks.
        Err(rustls::Error::General(STOP.into()))
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            m,
            c,
            d,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            m,
            c,
            d,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Connects to `base` (`https://host:port`), reads the certificate it presents and whether
/// the system trusts it.
pub async fn probe(
    base: &str,
    timeout: std::time::Duration,
) -> Result<PresentedCertificate, PveError> {
    let base = base.trim_end_matches('/');
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let recorder = Arc::new(Recorder {
        seen: Mutex::new(None),
        provider: Arc::clone(&provider),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PveError::Config(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let http = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .tls_backend_preconfigured(config)
        .build()
        .map_err(|e| PveError::Config(e.to_string()))?;
    let attempt = http.get(format!("{}/api2/json/version", base)).send().await;
    let der = recorder
        .seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let Some(der) = der else {
        return Err(match attempt {
            Err(e) => transport_failure(base, &e, true, timeout).error,
            Ok(_) => PveError::Protocol {
                url: base.to_owned(),
                context: "did not present a certificate (is this plain HTTP?)".into(),
            },
        });
    };
    let (_, cert) = x509_parser::parse_x509_certificate(&der).map_err(|e| PveError::Protocol {
        url: base.to_owned(),
        context: format!("presented a certificate that cannot be read: {e}"),
    })?;
    let trusted_by_system = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| PveError::Config(e.to_string()))?
        .get(format!("{}/api2/json/version", base))
        .send()
        .await
        .is_ok();
    Ok(PresentedCertificate {
        fingerprint: fingerprint_of(&der),
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_after: cert
            .validity()
            .not_after
            .to_datetime()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        trusted_by_system,
    })
}
