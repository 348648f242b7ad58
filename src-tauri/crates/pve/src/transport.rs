//! What one attempt at one node came to: transport failures taken apart (refused, reset,
//! timed out, TLS refused or not TLS at all) and answers decoded (PVE's JSON envelope, its
//! error statuses, or something that is not a Proxmox API).

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::PveError;
use crate::auth::Product;
use crate::tls::MISMATCH;

/// A failed attempt at one node.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: PveError,
    /// Whether the next node may be tried: the request surely was not carried out (it
    /// never reached the node) or repeating it is harmless (GET).
    pub failover: bool,
    /// A few words for a list of failed nodes.
    pub short: String,
}

/// What a transport error was, before it is worded for a request.
pub(crate) enum Cause {
    /// Our pin refused the certificate; the presented fingerprint.
    Mismatch(String),
    /// The system's roots refused the certificate; why.
    Untrusted(String),
    /// The other side does not speak TLS (a plain-HTTP port) or refused the handshake.
    NotTls(String),
    /// Nothing (usable) answered; a few words on why.
    Down(String),
}

/// Every error in the chain, looking inside `io::Error`s (whose `source` skips the
/// error they wrap).
fn chain<'a>(e: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        out.push(err);
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
    }
    out
}

/// Takes a reqwest error apart.
pub(crate) fn cause(e: &reqwest::Error, timeout: Duration) -> Cause {
    let errors = chain(e);
    let text = errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ");
    if let Some(at) = text.find(MISMATCH) {
        let presented = text[at + MISMATCH.len()..]
            .trim_start_matches(": presented ")
            .split(|c: char| !(c.is_ascii_hexdigit() || c == ':'))
            .next()
            .unwrap_or_default()
            .trim_end_matches(':')
            .to_owned();
        return Cause::Mismatch(presented);
    }
    if let Some(tls) = errors
        .iter()
        .find_map(|e| e.downcast_ref::<rustls::Error>())
    {
        return match tls {
            rustls::Error::InvalidCertificate(why) => Cause::Untrusted(untrusted_reason(why)),
            rustls::Error::InvalidMessage(_)
            | rustls::Error::InappropriateMessage { .. }
            | rustls::Error::InappropriateHandshakeMessage { .. } => Cause::NotTls(format!(
                "does not speak HTTPS: the TLS handshake failed ({tls}). Is this a plain-HTTP port?"
            )),
            rustls::Error::AlertReceived(alert) => {
                Cause::NotTls(format!("refused the TLS handshake (alert: {alert:?})"))
            }
            other => Cause::Down(format!("the TLS handshake failed ({other})")),
        };
    }
    if e.is_timeout() {
        return Cause::Down(format!("timed out after {} ms", timeout.as_millis()));
    }
    let io_kind = errors
        .iter()
        .find_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    use std::io::ErrorKind as K;
    let reason = match io_kind {
        Some(K::ConnectionRefused) => "connection refused (nothing listens on that port)".into(),
        Some(K::ConnectionReset) => "the connection was reset".into(),
        Some(K::ConnectionAborted | K::BrokenPipe) => "the connection was cut".into(),
        Some(K::TimedOut) => format!("timed out after {} ms", timeout.as_millis()),
        Some(K::UnexpectedEof) if e.is_connect() => {
            "the connection was closed during the TLS handshake; is this the node's HTTPS port?"
                .into()
        }
        Some(K::UnexpectedEof) => "the connection was closed before the answer was complete".into(),
        Some(K::HostUnreachable) => "no route to the host".into(),
        Some(K::NetworkUnreachable) => "the network is unreachable".into(),
        Some(K::AddrNotAvailable) => "the address is not available".into(),
        _ if text.contains("dns error") => "the host name cannot be resolved".into(),
        _ if text.contains("connection closed before message completed")
            || text.contains("IncompleteMessage") =>
        {
            "the connection was closed before the answer was complete".into()
        }
        _ => errors
            .last()
            .map(|e| e.to_string())
            .unwrap_or_else(|| e.to_string()),
    };
    Cause::Down(reason)
}

fn untrusted_reason(why: &rustls::CertificateError) -> String {
    use rustls::CertificateError as C;
    match why {
        C::UnknownIssuer => "it is not signed by an authority this system trusts, as with PVE's self-signed certificates".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it is made out for another host name".into()
        }
        C::Expired | C::ExpiredContext { .. } => "it has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "it is not valid yet; check this machine's clock".into(),
        C::Revoked => "it was revoked".into(),
        other => format!("{other:?}"),
    }
}

/// Words a transport failure for a request to `base`.
pub(crate) fn transport_failure(
    base: &str,
    e: &reqwest::Error,
    idempotent: bool,
    timeout: Duration,
) -> Failure {
    // Whether the request can have reached the node at all.
    let sent = !e.is_connect();
    match cause(e, timeout) {
        Cause::Mismatch(presented) => Failure {
            short: format!("its certificate {presented} is not the pinned one"),
            error: PveError::CertificateMismatch {
                url: base.to_owned(),
                presented,
            },
            failover: false,
        },
        Cause::Untrusted(reason) => Failure {
            short: format!("its certificate is not trusted ({reason})"),
            error: PveError::UntrustedCertificate {
                url: base.to_owned(),
                reason,
            },
            failover: false,
        },
        Cause::NotTls(context) => Failure {
            short: context.clone(),
            error: PveError::Protocol {
                url: base.to_owned(),
                context,
            },
            failover: true,
        },
        Cause::Down(short) => {
            let failover = !sent || idempotent;
            let mut reason = format!("did not answer ({short})");
            if !failover {
                reason.push_str(
                    "; the request may or may not have been carried out, check before repeating it",
                );
            }
            reason.push_str(". Check that the node is up and reachable from this machine");
            Failure {
                error: PveError::Unreachable {
                    url: base.to_owned(),
                    reason,
                },
                failover,
                short,
            }
        }
    }
}

/// One answer, as it came.
pub(crate) struct Answer<'a> {
    pub base: &'a str,
    pub product: Product,
    pub method: &'a str,
    pub path: &'a str,
    pub status: StatusCode,
    pub content_type: String,
    /// The status line's reason (PVE puts its error message there).
    pub phrase: String,
    pub body: &'a [u8],
}

impl Answer<'_> {
    fn url(&self) -> String {
        format!("{}/api2/json{}", self.base, self.path)
    }

    /// A body that is neither empty nor JSON, or is declared HTML: not something a
    /// Proxmox API sends.
    fn foreign(&self) -> bool {
        let ct = self.content_type.to_ascii_lowercase();
        if ct.contains("html") {
            return true;
        }
        let trimmed = self.body.trim_ascii();
        !trimmed.is_empty()
            && !ct.contains("json")
            && serde_json::from_slice::<serde::de::IgnoredAny>(trimmed).is_err()
    }

    fn not_proxmox(&self, how: &str) -> Failure {
        let context = format!(
            "is not a {} API: {} {} answered {how}. Check the address and port ({} listens on HTTPS port {})",
            self.product.display_name(),
            self.method,
            self.path,
            self.product.display_name(),
            self.product.default_port(),
        );
        Failure {
            short: format!("not a {} API", self.product.display_name()),
            error: PveError::Protocol {
                url: self.base.to_owned(),
                context,
            },
            failover: false,
        }
    }

    /// `200 OK with text/html ("Welcome to nginx!")`
    fn described(&self) -> String {
        let ct = match self.content_type.split(';').next().unwrap_or("").trim() {
            "" => "no content type".to_owned(),
            ct => ct.to_owned(),
        };
        let mut out = format!("{} with {ct}", self.status_text());
        if let Some(glimpse) = glimpse(self.body) {
            out.push_str(&format!(" (\u{201c}{glimpse}\u{201d})"));
        }
        out
    }

    fn status_text(&self) -> String {
        match self.phrase.as_str() {
            "" => self.status.as_u16().to_string(),
            p => format!("{} {p}", self.status.as_u16()),
        }
    }

    fn message(&self) -> String {
        message_of(self.body)
            .filter(|m| !m.is_empty())
            .or_else(|| (!self.phrase.is_empty()).then(|| self.phrase.clone()))
            .unwrap_or_else(|| self.status.to_string())
    }

    /// The answer's `data`, or what the answer means as an error.
    pub(crate) fn decode(self) -> Result<Value, Failure> {
        let code = self.status.as_u16();
        let idempotent = self.method == "GET";
        if self.foreign() {
            // A reverse proxy in front of a node that is down answers in HTML.
            if matches!(code, 502..=504) {
                let short = format!("the proxy in front of it answered {}", self.status_text());
                return Err(Failure {
                    error: PveError::Unreachable {
                        url: self.base.to_owned(),
                        reason: format!(
                            "did not answer: {short}. Check that the node behind the proxy is up"
                        ),
                    },
                    failover: idempotent,
                    short,
                });
            }
            return Err(self.not_proxmox(&self.described()));
        }
        let answered = |error: PveError| Failure {
            short: error.to_string(),
            error,
            failover: false,
        };
        match code {
            200..=299 => {}
            401 => {
                return Err(answered(PveError::Unauthorized {
                    url: self.base.to_owned(),
                }));
            }
            403 => return Err(answered(PveError::forbidden(self.message()))),
            400 => {
                return Err(answered(PveError::Invalid {
                    message: self.message(),
                    fields: errors_of(self.body),
                }));
            }
            595 | 596 => {
                // pveproxy forwards /nodes/{other}/… and says so when `other` is down.
                let target = self
                    .path
                    .strip_prefix("/nodes/")
                    .and_then(|rest| rest.split(['/', '?']).next())
                    .filter(|n| !n.is_empty());
                let short = match target {
                    Some(node) => {
                        format!("could not reach node {node} ({} {})", code, self.message())
                    }
                    None => format!(
                        "could not reach the node it forwards to ({} {})",
                        code,
                        self.message()
                    ),
                };
                let check = match target {
                    Some(node) => format!(
                        "Check that {node} is up and that the cluster network between the nodes works"
                    ),
                    None => "Check that the node is up and that the cluster network works".into(),
                };
                return Err(Failure {
                    error: PveError::Unreachable {
                        url: self.base.to_owned(),
                        reason: format!("answered, but {short}. {check}"),
                    },
                    failover: false,
                    short,
                });
            }
            code => {
                return Err(answered(PveError::Http {
                    url: self.url(),
                    status: code,
                    message: self.message(),
                }));
            }
        }
        let mut envelope: Value = match serde_json::from_slice(self.body) {
            Ok(v) => v,
            Err(e) => {
                let context = format!(
                    "sent an answer to {} {} that is not complete JSON (cut off or damaged after {} bytes: {e})",
                    self.method,
                    self.path,
                    self.body.len()
                );
                return Err(answered(PveError::Protocol {
                    url: self.base.to_owned(),
                    context,
                }));
            }
        };
        match envelope.as_object_mut().and_then(|o| o.get_mut("data")) {
            Some(data) => Ok(data.take()),
            None => Err(self.not_proxmox(&format!(
                "{} with JSON that has no `data` field",
                self.status_text()
            ))),
        }
    }
}

/// The `<title>` of an HTML page, or the start of a text, for a message.
fn glimpse(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let lower = text.to_ascii_lowercase();
    let picked = match (lower.find("<title>"), lower.find("</title>")) {
        (Some(a), Some(b)) if b > a + 7 => text[a + 7..b].to_owned(),
        _ => text.chars().take(60).collect(),
    };
    let clean: String = picked
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

fn message_of(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("message")
        .and_then(Value::as_str)
        .map(|m| m.trim_end().to_owned())
}

/// PVE's 400 body: `{"data": null, "errors": {"param": "message"}}`.
fn errors_of(body: &[u8]) -> BTreeMap<String, String> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("errors").cloned())
        .and_then(|e| serde_json::from_value::<BTreeMap<String, Value>>(e).ok())
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.trim_end().to_owned(),
                        other => other.to_string(),
                    };
                    (k, text)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer<'a>(status: u16, ct: &str, body: &'a [u8]) -> Answer<'a> {
        Answer {
            base: "https://h:8006",
            product: Product::Pve,
            method: "GET",
            path: "/version",
            status: StatusCode::from_u16(status).unwrap(),
            content_type: ct.into(),
            phrase: StatusCode::from_u16(status)
                .unwrap()
                .canonical_reason()
                .unwrap_or("")
                .into(),
            body,
        }
    }

    #[test]
    fn the_envelope_gives_its_data() {
        let v = answer(200, "application/json", br#"{"data":{"release":"9.1"}}"#)
            .decode()
            .unwrap();
        assert_eq!(v["release"], "9.1");
    }

    #[test]
    fn html_or_plain_text_is_not_a_proxmox_api() {
        for (status, ct, body) in [
            (
                200,
                "text/html",
                &b"<html><title>Welcome to nginx!</title></html>"[..],
            ),
            (404, "text/plain", &b"404 page not found"[..]),
            (401, "text/html", &b"<h1>401</h1>"[..]),
            (200, "application/json", &br#"{"status":"ok"}"#[..]),
        ] {
            let f = answer(status, ct, body).decode().unwrap_err();
            let msg = f.error.to_string();
            assert!(matches!(f.error, PveError::Protocol { .. }), "{msg}");
            assert!(
                msg.starts_with("https://h:8006 is not a Proxmox VE API"),
                "{msg}"
            );
            assert!(msg.contains("port 8006"), "{msg}");
        }
        let msg = answer(200, "text/html", b"<title>Welcome to nginx!</title>")
            .decode()
            .unwrap_err()
            .error
            .to_string();
        assert!(
            msg.contains("200 OK with text/html (\u{201c}Welcome to nginx!\u{201d})"),
            "{msg}"
        );
    }

    #[test]
    fn a_proxy_in_front_of_a_dead_node_is_unreachable() {
        let f = answer(502, "text/html", b"<title>502 Bad Gateway</title>")
            .decode()
            .unwrap_err();
        assert!(
            matches!(f.error, PveError::Unreachable { .. }),
            "{:?}",
            f.error
        );
        assert!(f.failover);
    }

    #[test]
    fn truncated_json_is_a_protocol_error_with_context() {
        let f = answer(200, "application/json", br#"{"data":[{"id":"qemu/1"#)
            .decode()
            .unwrap_err();
        let msg = f.error.to_string();
        assert!(matches!(f.error, PveError::Protocol { .. }));
        assert!(msg.contains("GET /version"), "{msg}");
        assert!(msg.contains("not complete JSON"), "{msg}");
        assert!(msg.contains("22 bytes"), "{msg}");
    }

    #[test]
    fn an_empty_error_body_uses_the_status_line() {
        let mut a = answer(500, "", b"");
        a.phrase = "VM 100 not running".into();
        match a.decode().unwrap_err().error {
            PveError::Http {
                status, message, ..
            } => assert_eq!((status, message.as_str()), (500, "VM 100 not running")),
            other => panic!("{other:?}"),
        }
        let mut a = answer(403, "", b"");
        a.phrase = "Permission check failed (/vms/100, VM.Audit)".into();
        assert!(matches!(
            a.decode().unwrap_err().error,
            PveError::MissingPrivilege { .. }
        ));
    }
}
