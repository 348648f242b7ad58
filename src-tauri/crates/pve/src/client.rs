//! One HTTPS client per connection, speaking PVE's JSON envelope.

use std::time::Duration;

use serde_json::Value;

use crate::PveError;
use crate::tls::{MISMATCH, Trust, pinned_config};

/// How requests authenticate.
#[derive(Clone)]
pub enum Auth {
    /// A PVE API token: `user@realm!id` and its secret.
    PveToken { id: String, secret: String },
    /// A PBS API token: sent as `PBSAPIToken=user@realm!id:secret`.
    PbsToken { id: String, secret: String },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::PveToken { id, .. } => write!(f, "PveToken({id}, <secret>)"),
            Auth::PbsToken { id, .. } => write!(f, "PbsToken({id}, <secret>)"),
        }
    }
}

impl Auth {
    fn header(&self) -> String {
        match self {
            Auth::PveToken { id, secret } => format!("PVEAPIToken={id}={secret}"),
            Auth::PbsToken { id, secret } => format!("PBSAPIToken={id}:{secret}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct PveClient {
    http: reqwest::Client,
    base: String,
    auth: Auth,
}

impl PveClient {
    /// A client for `base` (`https://host:8006`), trusting the certificate as `trust`
    /// says, giving up on a request after `timeout`.
    pub fn new(base: &str, trust: &Trust, auth: Auth, timeout: Duration) -> Result<Self, PveError> {
        let builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout);
        let builder = match trust {
            Trust::SystemRoots => builder,
            Trust::Pinned(fp) => {
                builder.tls_backend_preconfigured(pinned_config(fp).map_err(PveError::Config)?)
            }
        };
        let http = builder
            .build()
            .map_err(|e| PveError::Config(e.to_string()))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            auth,
        })
    }

    /// `GET /api2/json{path}` and the `data` of the answer.
    pub async fn get(&self, path: &str) -> Result<Value, PveError> {
        let url = format!("{}/api2/json{path}", self.base);
        let response = self
            .http
            .get(&url)
            .header("authorization", self.auth.header())
            .send()
            .await
            .map_err(|e| transport_error(&self.base, &e))?;
        let status = response.status();
        let reason = status.canonical_reason().unwrap_or("").to_owned();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(&self.base, &e))?;
        match status.as_u16() {
            200..=299 => {}
            401 => {
                return Err(PveError::Unauthorized {
                    url: self.base.clone(),
                });
            }
            403 => {
                return Err(PveError::Forbidden {
                    message: message_of(&body).unwrap_or(reason),
                });
            }
            595 | 596 => {
                return Err(PveError::Unreachable {
                    url: url.clone(),
                    reason: message_of(&body).unwrap_or_else(|| format!("proxy error {status}")),
                });
            }
            code => {
                return Err(PveError::Http {
                    url,
                    status: code,
                    message: message_of(&body).unwrap_or(reason),
                });
            }
        }
        let mut envelope: Value =
            serde_json::from_slice(&body).map_err(|e| PveError::Protocol {
                url: url.clone(),
                context: format!("invalid JSON after {} bytes: {e}", body.len()),
            })?;
        match envelope.get_mut("data") {
            Some(data) => Ok(data.take()),
            None => Err(PveError::Protocol {
                url,
                context: "the answer has no `data` field".into(),
            }),
        }
    }
}

fn message_of(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("message")
        .and_then(Value::as_str)
        .map(|m| m.trim_end().to_owned())
}

/// Maps a transport failure, recognising our own pin refusal in the error chain.
fn transport_error(base: &str, e: &reqwest::Error) -> PveError {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push_str(&s.to_string());
        chain.push_str(": ");
        source = s.source();
    }
    if let Some(at) = chain.find(MISMATCH) {
        let presented = chain[at + MISMATCH.len()..]
            .trim_start_matches(": presented ")
            .split(|c: char| !(c.is_ascii_hexdigit() || c == ':'))
            .next()
            .unwrap_or_default()
            .trim_end_matches(':')
            .to_owned();
        return PveError::CertificateMismatch {
            url: base.to_owned(),
            presented,
        };
    }
    PveError::Unreachable {
        url: base.to_owned(),
        reason: if e.is_timeout() {
            "timed out".to_owned()
        } else {
            chain.trim_end_matches(": ").to_owned()
        },
    }
}
