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

/// A running listener. Dropping it (or calling [`Served::stop`]) stops accepting and closes
/// open connections.
pub struct Served {
    pub addr: SocketAddr,
    pub cert: CertSlot,
    pub faults: Arc<Faults>,
    stop: watch::Sender<bool>,
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("addr", &self.addr)
            .field("cert", &self.cert)
            .finish_non_exhaustive()
    }
}

impl Served {
    pub fn stop(&self) {
        let _ = self.stop.send(true);
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
    let (stop, stopped) = watch::channel(false);
    let router = router.layer(axum::middleware::from_fn_with_state(
        Arc::clone(&faults),
        fault_layer,
    ));
    tokio::spawn(accept_loop(listener, router, cert.clone(), stopped));
    Ok(Served {
        addr,
        cert,
        faults,
        stop,
    })
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    cert: CertSlot,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let (tcp, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
            _ = stopped.changed() => return,
        };
        let _ = tcp.set_nodelay(true);
        // Closing with a zero linger sends RST, which is what a "connection reset" fault
        // must look like to the client; normal closes come from the client side anyway.
        let _ = tcp.set_zero_linger();
        let acceptor = tokio_rustls::TlsAcceptor::from(cert.server_config());
        let router = router.clone();
        let mut stopped = stopped.clone();
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
                _ = stopped.changed() => {}
            }
        });
    }
}

async fn fault_layer(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with(crate::control::PREFIX) {
        // The harness must be able to reach the control surface whatever it injected.
        return next.run(req).await;
    }
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
