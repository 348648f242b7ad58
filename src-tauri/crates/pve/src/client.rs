//! One client per connection: PVE's JSON envelope, authentication (API tokens, or tickets
//! with CSRF tokens, renewal and one re-login), and failover across the connection's node
//! URLs, remembering which node answered.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::PveError;
use crate::tls::{MISMATCH, Trust, pinned_config};

/// Tickets live 2 h; renew well before, as the PVE web UI does.
pub const RENEW_AFTER: Duration = Duration::from_secs(90 * 60);

/// How requests authenticate.
#[derive(Clone)]
pub enum Auth {
    /// A PVE API token: `user@realm!id` and its secret.
    PveToken { id: String, secret: String },
    /// A PBS API token: sent as `PBSAPIToken=user@realm!id:secret`.
    PbsToken { id: String, secret: String },
    /// `user@realm` and password: a ticket login (PVE or PBS, by `product`).
    Password {
        product: Product,
        username: String,
        password: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Product {
    Pve,
    Pbs,
}

impl Product {
    fn cookie(self) -> &'static str {
        match self {
            Product::Pve => "PVEAuthCookie",
            Product::Pbs => "PBSAuthCookie",
        }
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::PveToken { id, .. } => write!(f, "PveToken({id}, <secret>)"),
            Auth::PbsToken { id, .. } => write!(f, "PbsToken({id}, <secret>)"),
            Auth::Password {
                product, username, ..
            } => write!(f, "Password({product:?}, {username}, <password>)"),
        }
    }
}

/// The answer to a password login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Logged in; the ticket is kept and renewed by the client.
    Complete,
    /// The user has a second factor: call [`PveClient::second_factor`].
    NeedsSecondFactor,
}

/// A second factor for a pending login.
pub enum SecondFactor {
    Totp(String),
    Recovery(String),
}

struct Ticket {
    ticket: String,
    csrf: String,
    obtained: Instant,
}

#[derive(Default)]
struct Session {
    ticket: Option<Ticket>,
    /// The challenge of a login that waits for its second factor.
    challenge: Option<String>,
    /// Index into `urls` of the node that answered last.
    preferred: usize,
}

/// What the client did, for tests and diagnostics.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub logins: u32,
    pub renewals: u32,
}

pub struct PveClient {
    http: reqwest::Client,
    urls: Vec<String>,
    auth: Auth,
    renew_after: Duration,
    session: Mutex<Session>,
    logins: AtomicU32,
    renewals: AtomicU32,
}

impl std::fmt::Debug for PveClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PveClient")
            .field("urls", &self.urls)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl PveClient {
    /// A client for one node URL (`https://host:8006`).
    pub fn new(base: &str, trust: &Trust, auth: Auth, timeout: Duration) -> Result<Self, PveError> {
        Self::with_urls(&[base.to_owned()], trust, auth, timeout)
    }

    /// A client that tries `urls` in order (failover) until one answers, and keeps using
    /// the one that answered.
    pub fn with_urls(
        urls: &[String],
        trust: &Trust,
        auth: Auth,
        timeout: Duration,
    ) -> Result<Self, PveError> {
        if urls.is_empty() {
            return Err(PveError::Config(
                "a connection needs at least one node URL".into(),
            ));
        }
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
            urls: urls
                .iter()
                .map(|u| u.trim_end_matches('/').to_owned())
                .collect(),
            auth,
            renew_after: RENEW_AFTER,
            session: Mutex::new(Session::default()),
            logins: AtomicU32::new(0),
            renewals: AtomicU32::new(0),
        })
    }

    /// Renew tickets older than this (default [`RENEW_AFTER`]).
    pub fn renew_after(mut self, age: Duration) -> Self {
        self.renew_after = age;
        self
    }

    pub fn stats(&self) -> Stats {
        Stats {
            logins: self.logins.load(Ordering::Relaxed),
            renewals: self.renewals.load(Ordering::Relaxed),
        }
    }

    /// The node URL that answered last.
    pub async fn current_url(&self) -> String {
        self.urls[self.session.lock().await.preferred].clone()
    }

    /// `GET /api2/json{path}` (query string included in `path`) and the answer's `data`.
    pub async fn get(&self, path: &str) -> Result<Value, PveError> {
        self.call(Method::GET, path, &[]).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Result<Value, PveError> {
        self.call(Method::POST, path, form).await
    }

    pub async fn put(&self, path: &str, form: &[(&str, &str)]) -> Result<Value, PveError> {
        self.call(Method::PUT, path, form).await
    }

    pub async fn delete(&self, path: &str) -> Result<Value, PveError> {
        self.call(Method::DELETE, path, &[]).await
    }

    /// Logs in with the password of an `Auth::Password` client. Calls do this on their own;
    /// call it first to learn early that a second factor is needed.
    pub async fn login(&self) -> Result<Login, PveError> {
        let Auth::Password {
            username, password, ..
        } = &self.auth
        else {
            return Ok(Login::Complete);
        };
        let mut session = self.session.lock().await;
        self.password_login(&mut session, username, password).await
    }

    /// Completes a login that answered [`Login::NeedsSecondFactor`].
    pub async fn second_factor(&self, factor: SecondFactor) -> Result<(), PveError> {
        let Auth::Password { username, .. } = &self.auth else {
            return Ok(());
        };
        let mut session = self.session.lock().await;
        let challenge = session
            .challenge
            .take()
            .ok_or_else(|| PveError::Config("no login is waiting for a second factor".into()))?;
        let password = match factor {
            SecondFactor::Totp(code) => format!("totp:{code}"),
            SecondFactor::Recovery(key) => format!("recovery:{key}"),
        };
        let data = self
            .send(
                &mut session,
                Method::POST,
                "/access/ticket",
                &[
                    ("username", username),
                    ("password", &password),
                    ("tfa-challenge", &challenge),
                ],
                None,
            )
            .await?;
        self.keep_ticket(&mut session, &data)?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    async fn password_login(
        &self,
        session: &mut Session,
        username: &str,
        password: &str,
    ) -> Result<Login, PveError> {
        session.ticket = None;
        let data = self
            .send(
                session,
                Method::POST,
                "/access/ticket",
                &[("username", username), ("password", password)],
                None,
            )
            .await?;
        if data
            .get("NeedTFA")
            .is_some_and(|v| v.as_i64() == Some(1) || v == true)
        {
            session.challenge = data["ticket"].as_str().map(str::to_owned);
            return Ok(Login::NeedsSecondFactor);
        }
        self.keep_ticket(session, &data)?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        Ok(Login::Complete)
    }

    fn keep_ticket(&self, session: &mut Session, data: &Value) -> Result<(), PveError> {
        let field = |name: &str| {
            data[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| PveError::Protocol {
                    url: self.urls[session.preferred].clone(),
                    context: format!("the login answer has no `{name}`"),
                })
        };
        session.ticket = Some(Ticket {
            ticket: field("ticket")?,
            csrf: field("CSRFPreventionToken")?,
            obtained: Instant::now(),
        });
        Ok(())
    }

    /// A valid ticket: the one we have, renewed when old, or a fresh login.
    async fn ensure_ticket(
        &self,
        session: &mut Session,
        username: &str,
        password: &str,
    ) -> Result<(), PveError> {
        if let Some(t) = &session.ticket {
            if t.obtained.elapsed() < self.renew_after {
                return Ok(());
            }
            // The ticket itself is the password for a renewal.
            let old = t.ticket.clone();
            if let Ok(data) = self
                .send(
                    session,
                    Method::POST,
                    "/access/ticket",
                    &[("username", username), ("password", &old)],
                    None,
                )
                .await
                && self.keep_ticket(session, &data).is_ok()
            {
                self.renewals.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
        }
        match self.password_login(session, username, password).await? {
            Login::Complete => Ok(()),
            Login::NeedsSecondFactor => Err(PveError::SecondFactorRequired),
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<Value, PveError> {
        let mut session = self.session.lock().await;
        let Auth::Password {
            product,
            username,
            password,
        } = &self.auth
        else {
            let header = match &self.auth {
                Auth::PveToken { id, secret } => format!("PVEAPIToken={id}={secret}"),
                Auth::PbsToken { id, secret } => format!("PBSAPIToken={id}:{secret}"),
                Auth::Password { .. } => unreachable!("handled above"),
            };
            return self
                .send(
                    &mut session,
                    method,
                    path,
                    form,
                    Some(Credentials::Header(header)),
                )
                .await;
        };
        let mut relogged = false;
        loop {
            self.ensure_ticket(&mut session, username, password).await?;
            let t = session
                .ticket
                .as_ref()
                .expect("ensure_ticket leaves a ticket");
            let creds = Credentials::Cookie {
                cookie: format!("{}={}", product.cookie(), t.ticket),
                csrf: (method != Method::GET).then(|| t.csrf.clone()),
            };
            match self
                .send(&mut session, method.clone(), path, form, Some(creds))
                .await
            {
                // An expired or revoked ticket: log in again, once.
                Err(PveError::Unauthorized { .. }) if !relogged => {
                    session.ticket = None;
                    relogged = true;
                }
                other => return other,
            }
        }
    }

    /// Sends one request, trying the node URLs from the one that answered last.
    async fn send(
        &self,
        session: &mut Session,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
        creds: Option<Credentials>,
    ) -> Result<Value, PveError> {
        let n = self.urls.len();
        let mut tried = Vec::new();
        for step in 0..n {
            let i = (session.preferred + step) % n;
            match self
                .send_to(&self.urls[i], method.clone(), path, form, creds.as_ref())
                .await
            {
                Err(PveError::Unreachable { reason, .. }) => {
                    tried.push(format!("{} ({reason})", self.urls[i]))
                }
                other => {
                    session.preferred = i;
                    return other;
                }
            }
        }
        Err(PveError::Unreachable {
            url: self.urls.join(", "),
            reason: format!("no node answered: {}", tried.join("; ")),
        })
    }

    async fn send_to(
        &self,
        base: &str,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
        creds: Option<&Credentials>,
    ) -> Result<Value, PveError> {
        let url = format!("{base}/api2/json{path}");
        let mut req = self.http.request(method.clone(), &url);
        if !form.is_empty() {
            let body: String = form
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            req = req
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body);
        }
        match creds {
            Some(Credentials::Header(h)) => req = req.header("authorization", h),
            Some(Credentials::Cookie { cookie, csrf }) => {
                req = req.header("cookie", cookie);
                if let Some(c) = csrf {
                    req = req.header("CSRFPreventionToken", c);
                }
            }
            None => {}
        }
        let response = req.send().await.map_err(|e| transport_error(base, &e))?;
        let status = response.status();
        let reason = status.canonical_reason().unwrap_or("").to_owned();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(base, &e))?;
        match status.as_u16() {
            200..=299 => {}
            401 => {
                return Err(PveError::Unauthorized {
                    url: base.to_owned(),
                });
            }
            403 => return Err(PveError::forbidden(message_of(&body).unwrap_or(reason))),
            400 => {
                let errors = errors_of(&body);
                return Err(PveError::Invalid {
                    message: message_of(&body).unwrap_or(reason),
                    fields: errors,
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

enum Credentials {
    Header(String),
    Cookie {
        cookie: String,
        csrf: Option<String>,
    },
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
        .and_then(|e| serde_json::from_value(e).ok())
        .unwrap_or_default()
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
