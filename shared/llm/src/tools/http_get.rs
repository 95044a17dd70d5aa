//! `http_get`: fetches a page, as text, from a host the tenant allowed; and the guarded outbound
//! request it shares with tenant-defined tools ([`send`]).
//!
//! The model chooses the URL, and anything it read earlier can steer that choice, so both the
//! tenant's allow list and the network policy (checked after DNS resolution, with the connection
//! pinned to the checked addresses) stand between it and internal networks.

use std::net::IpAddr;

use async_trait::async_trait;
use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, RequestBuilder, Response, StatusCode, Url};
use serde_json::{Value, json};

use super::args::required_str;
use super::{Tool, ToolContext, ToolError};
use crate::ToolSpec;
use crate::net_guard::{self, NetGuardError};

pub(super) const NAME: &str = "http_get";

const USER_AGENT: &str = concat!("agent-paas-tools/", env!("CARGO_PKG_VERSION"));

pub(super) struct HttpGet;

/// What the model is shown, without the tool: the catalog lists it.
pub(super) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME.into(),
        description: "Fetches a URL with HTTP GET and answers its status and text. Only hosts the \
                      organisation allowed can be reached; redirects are not followed."
            .into(),
        parameters: json!({
            "type": "object",
            "properties": {
                "url": {"type": "string", "description": "an http(s) URL, e.g. https://example.com/page"}
            },
            "required": ["url"]
        }),
    }
}

#[async_trait]
impl Tool for HttpGet {
    fn spec(&self) -> ToolSpec {
        spec()
    }

    async fn call(&self, arguments: &Value, ctx: &ToolContext) -> Result<String, ToolError> {
        let url = required_str(arguments, "url")?;
        let parsed = Url::parse(url).map_err(|_| ToolError::InvalidArguments("`url` is not a valid URL".into()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ToolError::Refused("only http and https URLs can be fetched".into()));
        }
        let host = parsed.host_str().ok_or_else(|| ToolError::InvalidArguments("`url` has no host".into()))?;
        // Before resolving: a name the tenant never allowed is not even looked up.
        if !host_allowed(host, &ctx.allowed_hosts) {
            return Err(ToolError::Refused(format!("the host {host} is not in the organisation's allowed hosts")));
        }
        let reply = send(ctx, url, |client, url| client.get(url)).await?;
        Ok(format!("HTTP {}\n\n{}", reply.status, reply.text))
    }
}

/// Whether `host` matches an allow-list entry: the same name (case-insensitive, trailing dot
/// ignored) or IP address, or a subdomain of `example.com` for an entry `*.example.com`.
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = normalize(host);
    let host_ip = host.parse::<IpAddr>().ok();
    allowed.iter().any(|entry| {
        let entry = normalize(entry);
        match (entry.strip_prefix("*."), host_ip, entry.parse::<IpAddr>()) {
            (Some(domain), None, _) => {
                host.strip_suffix(domain).and_then(|rest| rest.strip_suffix('.')).is_some_and(|sub| !sub.is_empty())
            }
            (_, Some(host_ip), Ok(entry_ip)) => host_ip == entry_ip,
            _ => entry == host,
        }
    })
}

fn normalize(host: &str) -> String {
    let host = host.trim();
    let host = host.strip_prefix('[').and_then(|inner| inner.strip_suffix(']')).unwrap_or(host);
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// An answer read within the context's limits.
pub(super) struct Reply {
    pub status: StatusCode,
    /// At most `max_response_bytes` of the body (invalid UTF-8 replaced), then `[truncated]`.
    pub text: String,
}

/// Sends the request `build` makes for `url` within the network policy: the URL is checked after
/// DNS resolution, the client pinned to the checked addresses, the whole exchange bounded by
/// `ctx.http_timeout` and the body by `ctx.max_response_bytes`. Redirects (which lead to URLs
/// nobody checked) and answers that are not text fail.
pub(super) async fn send(
    ctx: &ToolContext,
    url: &str,
    build: impl FnOnce(&Client, Url) -> RequestBuilder,
) -> Result<Reply, ToolError> {
    tokio::time::timeout(ctx.http_timeout, exchange(ctx, url, build))
        .await
        .map_err(|_| ToolError::Failed(format!("no answer within {:?}", ctx.http_timeout)))?
}

async fn exchange(
    ctx: &ToolContext,
    url: &str,
    build: impl FnOnce(&Client, Url) -> RequestBuilder,
) -> Result<Reply, ToolError> {
    let checked = net_guard::check_url(url, &ctx.policy).await.map_err(guard_error)?;
    let client = net_guard::pin(Client::builder(), &checked)
        .user_agent(USER_AGENT)
        .build()
        .map_err(|_| ToolError::Failed("the HTTP client could not be built".into()))?;
    let mut response = build(&client, checked.url().clone()).send().await.map_err(request_error)?;
    let status = response.status();
    if status.is_redirection() {
        let location = response.headers().get(reqwest::header::LOCATION).and_then(|value| value.to_str().ok());
        let to = location.map(|location| format!(" to {location}")).unwrap_or_default();
        return Err(ToolError::Failed(format!("HTTP {status}{to}: redirects are not followed")));
    }
    if !is_text(&response) {
        let problem = if status.is_success() {
            "the answer is not text".into()
        } else {
            format!("HTTP {status} (the answer is not text)")
        };
        return Err(ToolError::Failed(problem));
    }
    let text = read_capped(&mut response, ctx.max_response_bytes).await?;
    Ok(Reply { status, text })
}

/// Text a model can read: `text/*`, JSON and XML (also `+json`, `+xml`), or an empty body.
fn is_text(response: &Response) -> bool {
    let content_type = response.headers().get(CONTENT_TYPE).and_then(|value| value.to_str().ok());
    let Some(content_type) = content_type else {
        return response.content_length() == Some(0);
    };
    let media_type = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    media_type.starts_with("text/")
        || matches!(media_type.as_str(), "application/json" | "application/xml")
        || media_type.ends_with("+json")
        || media_type.ends_with("+xml")
}

/// Reads the body up to `max` bytes and stops there, leaving the rest unread.
async fn read_capped(response: &mut Response, max: usize) -> Result<String, ToolError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(request_error)? {
        let room = max - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok(format!("{}\n[truncated]", String::from_utf8_lossy(&body)));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn guard_error(error: NetGuardError) -> ToolError {
    match error {
        NetGuardError::Unparsable => ToolError::InvalidArguments(error.to_string()),
        NetGuardError::Unresolvable => ToolError::Failed(error.to_string()),
        NetGuardError::HttpsRequired | NetGuardError::Userinfo | NetGuardError::Forbidden => {
            ToolError::Refused(error.to_string())
        }
    }
}

/// The model learns what kind of failure it was; the details go to the debug log, without the
/// URL (a tenant's endpoint may carry a token in its query).
fn request_error(error: reqwest::Error) -> ToolError {
    let problem = if error.is_connect() { "could not connect to the host" } else { "the request failed" };
    tracing::debug!(error = %error.without_url(), "tool request failed");
    ToolError::Failed(problem.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net_guard::NetPolicy;

    fn allowed(entries: &[&str]) -> Vec<String> {
        entries.iter().map(|entry| (*entry).to_owned()).collect()
    }

    #[test]
    fn allows_exact_hosts_ignoring_case_and_trailing_dots() {
        let list = allowed(&["Example.com", "api.test.", "127.0.0.1", "::1"]);
        for host in ["example.com", "EXAMPLE.COM", "example.com.", "api.test", "127.0.0.1", "[::1]"] {
            assert!(host_allowed(host, &list), "{host}");
        }
        for host in ["www.example.com", "example.com.evil.test", "notexample.com", "127.0.0.2", "[::2]"] {
            assert!(!host_allowed(host, &list), "{host}");
        }
    }

    #[test]
    fn wildcards_allow_subdomains_only() {
        let list = allowed(&["*.example.com", "*.0.0.1"]);
        for host in ["www.example.com", "a.b.example.com", "API.Example.com"] {
            assert!(host_allowed(host, &list), "{host}");
        }
        for host in ["example.com", "badexample.com", "example.com.evil.test", "127.0.0.1"] {
            assert!(!host_allowed(host, &list), "{host}");
        }
    }

    #[test]
    fn compares_ip_addresses_not_spellings() {
        let list = allowed(&["::ffff:127.0.0.1"]);
        assert!(host_allowed("[::ffff:7f00:1]", &list));
    }

    #[tokio::test]
    async fn refuses_before_any_network_use() {
        let ctx = ToolContext::new(NetPolicy::cloud(), allowed(&["example.com"]));
        for (url, expected) in [
            ("not a url", ToolError::InvalidArguments("`url` is not a valid URL".into())),
            ("file:///etc/passwd", ToolError::Refused("only http and https URLs can be fetched".into())),
            (
                "https://other.test/",
                ToolError::Refused("the host other.test is not in the organisation's allowed hosts".into()),
            ),
        ] {
            assert_eq!(HttpGet.call(&json!({ "url": url }), &ctx).await.err(), Some(expected), "{url}");
        }
    }
}
