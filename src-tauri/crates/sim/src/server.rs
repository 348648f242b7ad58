//! HTTPS on loopback: the accept loop, TLS with a swappable certificate, HTTP/1.1 through
//! hyper, and the fault layer that sits in front of the API (latency, forced statuses,
//! truncated bodies, connection resets).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use crate::faults::Faults;
use crate::tls::CertSlot;

/// Put into every request so the fault layer can cut its connection.
#[derive(Clone)]
struct ConnKill(Arc<Notify>);

/// What a listener is doing: serving, down as a powered-off node is (the port refuses
/// connections, open ones are cut) until brought back on the same address, or stopped for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Serving,
    Down,
    Stopped,
}

/// A running listener. Dropping it (or calling [`Served::stop`]) stops accepting and closes
/// open connections.
pub struct Served {
    pub addr: SocketAddr,
    pub cert: CertSlot,
    pub faults: Arc<Faults>,
    mode: watch::Sender<Mode>,
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("addr", &self.addr)
            .field("cert", &self.cert)
            .field("mode", &*self.mode.borrow())
            .finish_non_exhaustive()
    }
}

impl Served {
    /// Stops for good: the port is closed and open connections are cut.
    pub fn stop(&self) {
        let _ = self.mode.send(Mode::Stopped);
    }

    /// Takes the listener down, as when the node is switched off: the port refuses
    /// connections and open ones are cut. [`Served::bring_up`] serves again on the same
    /// address with the same state.
    pub fn take_down(&self) {
        self.mode.send_if_modified(|m| {
            let change = *m == Mode::Serving;
            if change {
                *m = Mode::Down;
            }
            change
        });
    }

    /// Serves again after [`Served::take_down`], on the same address. Returns once the port
    /// accepts connections again, or with the error that stopped it from binding.
    pub async fn bring_up(&self) -> std::io::Result<()> {
        self.mode.send_if_modified(|m| {
            let change = *m == Mode::Down;
            if change {
                *m = Mode::Serving;
            }
            change
        });
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            match tokio::net::TcpStream::connect(self.addr).await {
                Ok(_) => return Ok(()),
                Err(e) if tokio::time::Instant::now() >= deadline => return Err(e),
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    }

    /// Whether the listener is up (not taken down or stopped).
    pub fn is_up(&self) -> bool {
        *self.mode.borrow() == Mode::Serving
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Binds `bind` (port 0 picks a free one) and serves `router` over TLS with `cert`.
pub async fn serve(
    bind: SocketAddr,
    router: Router,
    cert: CertSlot,
    faults: Arc<Faults>,
) -> std::io::Result<Served> {
    let listener = TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let (mode, modes) = watch::channel(Mode::Serving);
    let router = router.layer(axum::middleware::from_fn_with_state(
        Arc::clone(&faults),
        fault_layer,
    ));
    tokio::spawn(listen(listener, addr, router, cert.clone(), modes));
    Ok(Served {
        addr,
        cert,
        faults,
        mode,
    })
}

/// Serves while the mode is `Serving`; while `Down` the socket is closed, and it is bound
/// again on the same address when the mode comes back.
async fn listen(
    mut listener: TcpListener,
    addr: SocketAddr,
    router: Router,
    cert: CertSlot,
    mut modes: watch::Receiver<Mode>,
) {
    loop {
        accept_loop(listener, router.clone(), cert.clone(), modes.clone()).await;
        // The accept loop returned: down or stopped. The socket is closed by now.
        loop {
            match *modes.borrow_and_update() {
                Mode::Stopped => return,
                Mode::Serving => break,
                Mode::Down => {}
            }
            if modes.changed().await.is_err() {
                return; // the Served handle is gone
            }
        }
        listener = loop {
            match TcpListener::bind(addr).await {
                Ok(l) => break l,
                Err(e) => {
                    tracing::warn!(%addr, error = %e, "cannot listen again yet");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    if *modes.borrow() == Mode::Stopped {
                        return;
                    }
                }
            }
        };
    }
}

/// Accepts and serves connections until the mode leaves `Serving`; open connections are
/// cut then too.
async fn accept_loop(
    listener: TcpListener,
    router: Router,
    cert: CertSlot,
    mut modes: watch::Receiver<Mode>,
) {
    let serving = |m: &Mode| *m == Mode::Serving;
    loop {
        if *modes.borrow_and_update() != Mode::Serving {
            return;
        }
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            changed = modes.changed() => {
                if changed.is_err() {
                    return;
                }
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        // Closing with a zero linger sends RST, which is what a "connection reset" fault
        // must look like to the client; normal closes come from the client side anyway.
        let _ = tcp.set_zero_linger();
        let acceptor = tokio_rustls::TlsAcceptor::from(cert.server_config());
        let router = router.clone();
        let mut modes = modes.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return; // the client refused our certificate: nothing to serve
            };
            let kill = Arc::new(Notify::new());
            let kill_for_requests = Arc::clone(&kill);
            let service = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(ConnKill(Arc::clone(&kill_for_requests)));
                    router.clone().oneshot(req.map(Body::new))
                },
            );
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(tls), service);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
                _ = modes.wait_for(|m| !serving(m)) => {}
            }
        });
    }
}

async fn fault_layer(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with(crate::control::PREFIX) {
        // The harness must be able to reach the control surface whatever it injected.
        return next.run(req).await;
    }
    let _in_flight = faults.enter();
    let verdict = faults.verdict(req.method().as_str(), req.uri().path());
    if !verdict.delay.is_zero() {
        tokio::time::sleep(verdict.delay).await;
    }
    if verdict.reset {
        if let Some(kill) = req.extensions().get::<ConnKill>() {
            kill.0.notify_one();
        }
        std::future::pending::<()>().await;
    }
    if let Some(status) = verdict.status {
        return crate::api::error_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            injected_reason(status),
            None,
        );
    }
    let response = next.run(req).await;
    if verdict.truncate {
        return truncate(response).await;
    }
    response
}

/// The reason phrases PVE's proxy uses for these statuses.
fn injected_reason(status: u16) -> &'static str {
    match status {
        595 => "Connection refused",
        596 => "Connection timed out",
        500 => "Internal Server Error (injected)",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "injected fault",
    }
}

async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
    (parts, cut).into_response()
}
