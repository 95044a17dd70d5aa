//! The client's address, for per-address throttles (log-in attempts). It is
//! one the client cannot choose, so a header the client writes
//! (`X-Forwarded-For`) never counts:
//!
//! - locally, the TCP peer;
//! - on Lambda, API Gateway's `requestContext.identity.sourceIp` (REST API)
//!   or `requestContext.http.sourceIp` (Function URL), which AWS takes from
//!   the connection;
//! - behind CloudFront that connection is CloudFront's, shared by every
//!   viewer of an edge, so CloudFront's `CloudFront-Viewer-Address`
//!   (`ip:port`, which CloudFront sets itself) names the viewer, but only on
//!   a request that carries `X-Origin-Secret` with the value CloudFront is
//!   given (`PAAS_ORIGIN_SECRET`): the API's own URLs are reachable without
//!   CloudFront, where anyone may send that header.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::AppState;

/// The header CloudFront adds to every origin request (the template sets it).
pub const ORIGIN_SECRET_HEADER: &str = "x-origin-secret";
/// The viewer's address and port, added by CloudFront.
pub const VIEWER_ADDRESS_HEADER: &str = "cloudfront-viewer-address";

/// The client's address, `unknown` where none is known (in-process tests).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use lambda_http::request::RequestContext;
        let from_gateway = match parts.extensions.get::<RequestContext>() {
            Some(RequestContext::ApiGatewayV1(ctx)) => ctx.identity.source_ip.as_deref().and_then(|ip| ip.parse().ok()),
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.as_deref().and_then(|ip| ip.parse().ok()),
            _ => None,
        };
        let peer =
            || parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|info| info.0.ip());
        let connection = from_gateway.or_else(peer);
        let address = resolve(&parts.headers, connection, state.config.origin_secret.as_deref());
        Ok(Self(address.map_or_else(|| "unknown".into(), |ip| ip.to_string())))
    }
}

/// The viewer CloudFront names, on a request that proves it came through
/// CloudFront; otherwise the connection's address.
pub fn resolve(headers: &HeaderMap, connection: Option<IpAddr>, origin_secret: Option<&str>) -> Option<IpAddr> {
    let header = |name| headers.get(name).and_then(|value| value.to_str().ok());
    let through_cloudfront = match (origin_secret.filter(|s| !s.is_empty()), header(ORIGIN_SECRET_HEADER)) {
        (Some(expected), Some(presented)) => super::same_secret(presented, expected),
        _ => false,
    };
    let viewer = header(VIEWER_ADDRESS_HEADER).filter(|_| through_cloudfront).and_then(viewer_ip);
    viewer.or(connection)
}

/// `198.51.100.10:46532` or `2001:db8::1:46532` (CloudFront's form), or with brackets.
fn viewer_ip(value: &str) -> Option<IpAddr> {
    let (ip, port) = value.trim().rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "origin-secret-1234";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(name, value)| (axum::http::HeaderName::from_static(name), value.parse().unwrap())).collect()
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn the_connection_counts_and_forwarded_for_never_does() {
        let spoofed = headers(&[("x-forwarded-for", "198.51.100.1"), ("x-real-ip", "198.51.100.2")]);
        assert_eq!(resolve(&spoofed, ip("203.0.113.7"), Some(SECRET)), ip("203.0.113.7"));
        assert_eq!(resolve(&spoofed, None, Some(SECRET)), None);
    }

    #[test]
    fn cloudfront_names_the_viewer_when_it_proves_itself() {
        let through = headers(&[(ORIGIN_SECRET_HEADER, SECRET), (VIEWER_ADDRESS_HEADER, "198.51.100.10:46532")]);
        assert_eq!(resolve(&through, ip("130.176.0.1"), Some(SECRET)), ip("198.51.100.10"));
        let v6 = headers(&[(ORIGIN_SECRET_HEADER, SECRET), (VIEWER_ADDRESS_HEADER, "2001:db8::1:46532")]);
        assert_eq!(resolve(&v6, ip("130.176.0.1"), Some(SECRET)), ip("2001:db8::1"));
        let bracketed = headers(&[(ORIGIN_SECRET_HEADER, SECRET), (VIEWER_ADDRESS_HEADER, "[2001:db8::2]:443")]);
        assert_eq!(resolve(&bracketed, ip("130.176.0.1"), Some(SECRET)), ip("2001:db8::2"));
    }

    #[test]
    fn a_viewer_address_without_the_origin_secret_is_ignored() {
        let direct = ip("203.0.113.7");
        for (pairs, configured) in [
            (vec![(VIEWER_ADDRESS_HEADER, "198.51.100.10:1")], Some(SECRET)),
            (vec![(ORIGIN_SECRET_HEADER, "guess"), (VIEWER_ADDRESS_HEADER, "198.51.100.10:1")], Some(SECRET)),
            (vec![(ORIGIN_SECRET_HEADER, SECRET), (VIEWER_ADDRESS_HEADER, "198.51.100.10:1")], None),
            (vec![(ORIGIN_SECRET_HEADER, ""), (VIEWER_ADDRESS_HEADER, "198.51.100.10:1")], Some("")),
        ] {
            assert_eq!(resolve(&headers(&pairs), direct, configured), direct, "{pairs:?} {configured:?}");
        }
    }

    #[test]
    fn a_malformed_viewer_address_falls_back_to_the_connection() {
        for bad in ["198.51.100.10", "nonsense:80", "198.51.100.10:port", ""] {
            let pairs = headers(&[(ORIGIN_SECRET_HEADER, SECRET), (VIEWER_ADDRESS_HEADER, bad)]);
            assert_eq!(resolve(&pairs, ip("130.176.0.1"), Some(SECRET)), ip("130.176.0.1"), "{bad}");
        }
    }
}
