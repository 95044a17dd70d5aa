//! The headers that make browsers hold the web app to what it is: scripts,
//! styles and requests only from its own origin, no framing, no sniffing, no
//! referrer, https only. The local runner sends them on every response;
//! CloudFront's response headers policy in `template.yaml` sends the same
//! (`paas browser-headers` prints them, `infra/check_template.py` compares).

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style, no plug-ins, no `<base>`; images from the app
/// or `data:` only, so model output cannot make the browser call a host.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// Two years, subdomains included (browsers ignore it over plain http).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

pub const HEADERS: [(&str, &str); 5] = [
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("strict-transport-security", STRICT_TRANSPORT_SECURITY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// Adds [`HEADERS`] to a response that does not set them itself.
pub async fn middleware(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers.entry(HeaderName::from_static(name)).or_insert(HeaderValue::from_static(value));
    }
    response
}
