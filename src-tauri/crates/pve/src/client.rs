//! One client per connection: PVE's JSON envelope, authentication (API tokens, or tickets
//! with CSRF tokens, renewal and one re-login), and failover across the connection's node
//! URLs and the cluster's other nodes, remembering which node answered.
//!
//! Requests run concurrently: the client's state sits behind a short-lived lock that is
//! never held across the network, and only logins and renewals take turns.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use crate::PveError;
use crate::auth::{Auth, Product};
use crate::tls::{Trust, pinned_config};
use crate::transport::{Answer, Failure, transport_failure};

/// Tickets live 2 h; renew well before, as the PVE web UI does.
pub const RENEW_AFTER: Duration = Duration::from_secs(90 * 60);

/// A connection's timeout unless it sets its own: per request, per node tried.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(1000);

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

#[derive(Clone)]
struct Ticket {
    ticket: String,
    csrf: String,
    obtained: Instant,
}

struct State {
    /// The configured node URLs, then those learned from `/cluster/status`.
    urls: Vec<String>,
    /// How many of `urls` were configured.
    configured: usize,
    /// Index into `urls` of the node that answered last.
    preferred: usize,
    ticket: Option<Ticket>,
    /// The challenge of a login that waits for its second factor.
    challenge: Option<String>,
}

/// What the client did, for tests and diagnostics.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    pub logins: u32,
    pub renewals: u32,
}

pub struct PveClient {
    http: reqwest::Client,
    auth: Auth,
    timeout: Duration,
    renew_after: Duration,
    state: std::sync::Mutex<State>,
    /// Logins and renewals, one at a time.
    login_turn: tokio::sync::Mutex<()>,
    logins: AtomicU32,
    renewals: AtomicU32,
}

impl std::fmt::Debug for PveClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PveClient")
            .field("urls", &self.urls())
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
    /// the one that answered. `timeout` bounds each attempt (see [`DEFAULT_TIMEOUT`]).
    pub fn with_urls(
        urls: &[String],
        trust: &Trust,
        auth: Auth,
        timeout: Duration,
    ) -> Result<Self, PveError> {
        let mut bases: Vec<String> = Vec::new();
        for raw in urls {
            let base = check_url(raw)?;
            if !bases.contains(&base) {
                bases.push(base);
            }
        }
        if bases.is_empty() {
            return Err(PveError::Config(
                "a connection needs at least one node URL".into(),
            ));
        }
        auth.check()?;
        if timeout.is_zero() {
            return Err(PveError::Config("the timeout must be above zero".into()));
        }
        let builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout);
        let builder = match trust {
            Trust::SystemRoots => builder,
            Trust::Pinned(fp) => builder.tls_backend_preconfigured(
                pinned_config(std::slice::from_ref(fp)).map_err(PveError::Config)?,
            ),
            Trust::PinnedAny(fps) => {
                builder.tls_backend_preconfigured(pinned_config(fps).map_err(PveError::Config)?)
            }
        };
        let http = builder
            .build()
            .map_err(|e| PveError::Config(e.to_string()))?;
        Ok(Self {
            http,
            auth,
            timeout,
            renew_after: RENEW_AFTER,
            state: std::sync::Mutex::new(State {
                configured: bases.len(),
                urls: bases,
                preferred: 0,
                ticket: None,
                challenge: None,
            }),
            login_turn: tokio::sync::Mutex::new(()),
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

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The node URL that answered last (the first configured one before any answer).
    pub async fn current_url(&self) -> String {
        let s = self.state();
        s.urls[s.preferred].clone()
    }

    /// Which product this client talks to (by its authentication).
    pub fn auth_product(&self) -> Product {
        self.auth.product()
    }

    /// The node URLs tried, in order: the configured ones, then those learned with
    /// [`PveClient::learn_nodes`].
    pub fn urls(&self) -> Vec<String> {
        self.state().urls.clone()
    }

    /// Learns the cluster's other nodes for failover: `GET /cluster/status`, and each
    /// online node's `ip` becomes `https://{ip}:{port}` (IPv6 in brackets), with the port
    /// of the URL that answered. They are tried after the configured URLs, which keep
    /// their order and priority; calling it again replaces what was learned before.
    ///
    /// Returns the learned URLs that are not configured ones. A PBS has no cluster:
    /// nothing is learned.
    ///
    /// With a pinned fingerprint, a learned node that presents another certificate (each
    /// PVE node has its own unless they share one) is skipped during failover, not
    /// trusted.
    pub async fn learn_nodes(&self) -> Result<Vec<String>, PveError> {
        if self.auth.product() == Product::Pbs {
            return Ok(Vec::new());
        }
        let (data, base) = self.call_at(Method::GET, "/cluster/status", &[]).await?;
        let entries = data.as_array().ok_or_else(|| PveError::Protocol {
            url: base.clone(),
            context: "sent a /cluster/status that is not a list".into(),
        })?;
        let port = reqwest::Url::parse(&base)
            .ok()
            .and_then(|u| u.port_or_known_default())
            .unwrap_or(Product::Pve.default_port());
        let found: Vec<String> = entries
            .iter()
            .filter(|e| e["type"] == "node")
            .filter(|e| e["online"] == 1 || e["online"] == true)
            .filter_map(|e| e["ip"].as_str())
            .filter_map(|ip| ip.trim_matches(['[', ']']).parse::<IpAddr>().ok())
            .map(|ip| match ip {
                IpAddr::V4(v4) => format!("https://{v4}:{port}"),
                IpAddr::V6(v6) => format!("https://[{v6}]:{port}"),
            })
            .collect();
        let mut s = self.state();
        let current = s.urls[s.preferred].clone();
        let mut urls = s.urls[..s.configured].to_vec();
        for url in found {
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
        s.preferred = urls.iter().position(|u| *u == current).unwrap_or(0);
        let learned = urls[s.configured..].to_vec();
        s.urls = urls;
        Ok(learned)
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
        let _turn = self.login_turn.lock().await;
        Ok(match self.password_login(username, password).await? {
            Some(_) => Login::Complete,
            None => Login::NeedsSecondFactor,
        })
    }

    /// Completes a login that answered [`Login::NeedsSecondFactor`].
    pub async fn second_factor(&self, factor: SecondFactor) -> Result<(), PveError> {
        let Auth::Password { username, .. } = &self.auth else {
            return Ok(());
        };
        let _turn = self.login_turn.lock().await;
        let challenge =
            self.state().challenge.take().ok_or_else(|| {
                PveError::Config("no login is waiting for a second factor".into())
            })?;
        let password = match factor {
            SecondFactor::Totp(code) => format!("totp:{code}"),
            SecondFactor::Recovery(key) => format!("recovery:{key}"),
        };
        let (data, base) = self
            .send(
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
        self.keep_ticket(&data, &base)?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Call with the login turn held. `None`: the second factor is needed.
    async fn password_login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<Ticket>, PveError> {
        {
            let mut s = self.state();
            s.ticket = None;
            s.challenge = None;
        }
        let (data, base) = self
            .send(
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
            self.state().challenge = data["ticket"].as_str().map(str::to_owned);
            return Ok(None);
        }
        let ticket = self.keep_ticket(&data, &base)?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        Ok(Some(ticket))
    }

    fn keep_ticket(&self, data: &Value, base: &str) -> Result<Ticket, PveError> {
        let field = |name: &str| {
            data[name]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| PveError::Protocol {
                    url: base.to_owned(),
                    context: format!("sent a login answer without `{name}`"),
                })
        };
        let ticket = Ticket {
            ticket: field("ticket")?,
            csrf: field("CSRFPreventionToken")?,
            obtained: Instant::now(),
        };
        self.state().ticket = Some(ticket.clone());
        Ok(ticket)
    }

    fn fresh_ticket(&self) -> Option<Ticket> {
        self.state()
            .ticket
            .clone()
            .filter(|t| t.obtained.elapsed() < self.renew_after)
    }

    /// A valid ticket: the one we have, renewed when old, or a fresh login.
    async fn ticket(&self, username: &str, password: &str) -> Result<Ticket, PveError> {
        if let Some(t) = self.fresh_ticket() {
            return Ok(t);
        }
        let _turn = self.login_turn.lock().await;
        // Another request may have logged in while this one waited.
        if let Some(t) = self.fresh_ticket() {
            return Ok(t);
        }
        let old = self.state().ticket.clone();
        if let Some(old) = old {
            // The ticket itself is the password for a renewal.
            if let Ok((data, base)) = self
                .send(
                    Method::POST,
                    "/access/ticket",
                    &[("username", username), ("password", &old.ticket)],
                    None,
                )
                .await
                && let Ok(t) = self.keep_ticket(&data, &base)
            {
                self.renewals.fetch_add(1, Ordering::Relaxed);
                return Ok(t);
            }
        }
        self.password_login(username, password)
            .await?
            .ok_or(PveError::SecondFactorRequired)
    }

    /// Forgets `ticket` if it is still the one kept (a 401 said it is dead).
    fn forget_ticket(&self, ticket: &str) {
        let mut s = self.state();
        if s.ticket.as_ref().is_some_and(|t| t.ticket == ticket) {
            s.ticket = None;
        }
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<Value, PveError> {
        self.call_at(method, path, form).await.map(|(v, _)| v)
    }

    /// A call, and the node URL that answered it.
    async fn call_at(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<(Value, String), PveError> {
        let (product, username, password) = match &self.auth {
            Auth::PveToken { id, secret } => {
                let header = format!("PVEAPIToken={id}={secret}");
                return self
                    .send(method, path, form, Some(Credentials::Header(header)))
                    .await;
            }
            Auth::PbsToken { id, secret } => {
                let header = format!("PBSAPIToken={id}:{secret}");
                return self
                    .send(method, path, form, Some(Credentials::Header(header)))
                    .await;
            }
            Auth::Password {
                product,
                username,
                password,
            } => (product, username, password),
        };
        let mut relogged = false;
        loop {
            let t = self.ticket(username, password).await?;
            let creds = Credentials::Cookie {
                cookie: format!("{}={}", product.cookie(), t.ticket),
                csrf: (method != Method::GET).then(|| t.csrf.clone()),
            };
            match self.send(method.clone(), path, form, Some(creds)).await {
                // An expired or revoked ticket: log in again, once.
                Err(PveError::Unauthorized { .. }) if !relogged => {
                    self.forget_ticket(&t.ticket);
                    relogged = true;
                }
                other => return other,
            }
        }
    }

    /// Sends one request, trying the node URLs from the one that answered last.
    async fn send(
        &self,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
        creds: Option<Credentials>,
    ) -> Result<(Value, String), PveError> {
        let (urls, configured, start) = {
            let s = self.state();
            (s.urls.clone(), s.configured, s.preferred)
        };
        let n = urls.len();
        let mut failed: Vec<(String, Failure)> = Vec::new();
        for step in 0..n {
            let i = (start + step) % n;
            let base = &urls[i];
            match self
                .send_to(base, method.clone(), path, form, creds.as_ref())
                .await
            {
                Ok(value) => {
                    self.prefer(base);
                    return Ok((value, base.clone()));
                }
                Err(f) => {
                    let trust = matches!(
                        f.error,
                        PveError::CertificateMismatch { .. }
                            | PveError::UntrustedCertificate { .. }
                    );
                    // A configured node whose certificate is refused stops everything; a
                    // learned one may just have its own certificate.
                    let skip = f.failover || (trust && i >= configured);
                    if !skip {
                        if !trust && !matches!(f.error, PveError::Unreachable { .. }) {
                            self.prefer(base);
                        }
                        return Err(f.error);
                    }
                    failed.push((base.clone(), f));
                }
            }
        }
        if failed.len() == 1 {
            return Err(failed.remove(0).1.error);
        }
        let each = failed
            .iter()
            .map(|(url, f)| format!("{url}: {}", f.short))
            .collect::<Vec<_>>()
            .join("; ");
        Err(PveError::Unreachable {
            url: urls[..configured].join(", "),
            reason: format!(
                "did not answer ({each}). Check that the nodes are up and reachable from this machine"
            ),
        })
    }

    fn prefer(&self, base: &str) {
        let mut s = self.state();
        if let Some(i) = s.urls.iter().position(|u| u == base) {
            s.preferred = i;
        }
    }

    async fn send_to(
        &self,
        base: &str,
        method: Method,
        path: &str,
        form: &[(&str, &str)],
        creds: Option<&Credentials>,
    ) -> Result<Value, Failure> {
        let url = format!("{base}/api2/json{path}");
        let idempotent = method == Method::GET;
        let mut req = self.http.request(method.clone(), &url);
        if !form.is_empty() {
            let body: String = form
                .iter()
                .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
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
        let response = req
            .send()
            .await
            .map_err(|e| transport_failure(base, &e, idempotent, self.timeout))?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let phrase = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|p| String::from_utf8_lossy(p.as_bytes()).trim().to_owned())
            .or_else(|| status.canonical_reason().map(str::to_owned))
            .unwrap_or_default();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_failure(base, &e, idempotent, self.timeout))?;
        Answer {
            base,
            product: self.auth.product(),
            method: method.as_str(),
            path,
            status,
            content_type,
            phrase,
            body: &body,
        }
        .decode()
    }
}

/// `https://host:port[/]` → `https://host:port`; anything but HTTPS is refused.
fn check_url(raw: &str) -> Result<String, PveError> {
    let base = raw.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(base).map_err(|e| {
        PveError::Config(format!(
            "`{raw}` is not a node URL ({e}); the format is https://host:port"
        ))
    })?;
    if parsed.scheme() != "https" {
        return Err(PveError::Config(format!(
            "`{raw}` is not an HTTPS URL: Proxmox only answers HTTPS, as in https://host:8006"
        )));
    }
    if parsed.host().is_none() || !matches!(parsed.path(), "" | "/") {
        return Err(PveError::Config(format!(
            "`{raw}` is not a node URL; the format is https://host:port, without a path"
        )));
    }
    Ok(base.to_owned())
}

enum Credentials {
    Header(String),
    Cookie {
        cookie: String,
        csrf: Option<String>,
    },
}

/// Undoes [`percent_encode`] (and any `%XX` escape); a `%` not followed by two hex digits
/// stays as it is. Invalid UTF-8 is replaced, never an error.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes `s` for a form body or one path segment (`root@pam` → `root%40pam`):
/// everything but RFC 3986's unreserved characters.
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
