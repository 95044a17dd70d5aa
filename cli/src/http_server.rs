//! The local runner's HTTP/1.1 server: `axum::serve`'s loop, with hyper's
//! connection settings in reach. A connection's read buffer starts at 8 KiB
//! and may grow to 16 KiB, not hyper's 400 KiB: a thousand open streams
//! multiply it.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The most a connection buffers, which also bounds a request's head: above
/// API Gateway's 10 KiB, so a request the deployed API takes is taken here
/// too (a larger head is refused with hyper's bare 431).
const READ_BUFFER: usize = 16 * 1024;
/// How long a client may take to send a request's head (or the next one on
/// a kept-alive connection): a caller trickling header bytes cannot hold a
/// connection open for good.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `app` until `shutdown` completes, then lets open connections finish.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    serve_with_head_timeout(listener, app, shutdown, HEAD_TIMEOUT).await;
}

/// [`serve`] with another head timeout (the tests' short one).
pub async fn serve_with_head_timeout(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()>,
    head_timeout: Duration,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors, most likely: wait rather than spin.
                    tracing::warn!(error = %err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // A stream's frames are small writes: Nagle's algorithm would hold each one until the
        // client acknowledged the last (a delayed ACK, milliseconds).
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
        let service = app.clone().map_request(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            request.map(Body::new)
        });
        let connection = http1::Builder::new()
            .max_buf_size(READ_BUFFER)
            .timer(TokioTimer::new())
            .header_read_timeout(head_timeout)
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
