//! One HTTP call to a provider: send it, retry what is worth retrying, and
//! turn every failure before the body into a typed error.

use std::error::Error as _;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use tokio::time::Instant;

use super::LlmStream;
use super::config::{ProviderConfig, Timeouts};
use super::error::{LlmError, TimeoutKind};
use super::retry::RetryPolicy;
use super::sse::{self, Decoder, Started};

/// How much of an error body is read for its message.
const ERROR_BODY_LIMIT: usize = 4096;

/// A response whose body is about to stream.
/// A provider's HTTP endpoint as its configuration names it: what both wire
/// formats share (where to post, the key, timeouts, retries, the client).
pub(crate) struct Endpoint {
    base_url: Option<String>,
    api_key: Option<String>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    http: reqwest::Client,
}

impl Endpoint {
    pub(crate) fn new(config: ProviderConfig, http: reqwest::Client) -> Self {
        Self {
            base_url: config.resolved_base_url(),
            api_key: config.api_key,
            timeouts: config.timeouts,
            retry: config.retry,
            http,
        }
    }

    /// The key as the header `name` carries it (`format` wraps it, e.g. in
    /// `Bearer`), marked sensitive; `None` without a key.
    pub(crate) fn key_header(
        &self,
        name: HeaderName,
        format: impl Fn(&str) -> String,
    ) -> Result<Option<(HeaderName, HeaderValue)>, LlmError> {
        self.api_key.as_deref().map(|key| Ok((name, secret_header(&format(key.trim()))?))).transpose()
    }

    /// POSTs a JSON body to `path` under the base URL, with `headers`, and
    /// decodes the streamed answer.
    pub(crate) async fn stream(
        &self,
        provider: &'static str,
        path: &str,
        body: Vec<u8>,
        headers: Vec<(HeaderName, HeaderValue)>,
        decoder: impl Decoder,
    ) -> Result<LlmStream, LlmError> {
        let base_url = self.base_url.as_deref().ok_or_else(|| LlmError::Connect("no base URL configured".into()))?;
        let url = format!("{base_url}{path}");
        let started = start(provider, &self.retry, self.timeouts.first_token, || {
            let mut request = self
                .http
                .post(&url)
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, "text/event-stream")
                .body(body.clone());
            for (name, value) in &headers {
                request = request.header(name, value.clone());
            }
            request
        })
        .await?;
        Ok(sse::decode(started, decoder, self.timeouts.idle))
    }
}

/// Sends the request `build` makes, again after connect errors, 429 and 5xx
/// as `retry` allows, until a success status starts the body.
async fn start(
    provider: &'static str,
    retry: &RetryPolicy,
    first_token: Duration,
    build: impl Fn() -> reqwest::RequestBuilder,
) -> Result<Started, LlmError> {
    let mut attempt = 1;
    loop {
        let first_token_deadline = Instant::now() + first_token;
        let error = match send_once(build(), first_token_deadline).await {
            Ok(response) => return Ok(Started { response, first_token_deadline }),
            Err(error) => error,
        };
        let Some(delay) = retry.delay_after(attempt, &error) else {
            return Err(error);
        };
        tracing::warn!(
            provider,
            attempt,
            code = error.code(),
            delay_ms = delay.as_millis() as u64,
            "retrying provider call"
        );
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// A header carrying a key, marked sensitive so no debug output shows it. A
/// key that cannot be a header value cannot be right either.
fn secret_header(value: &str) -> Result<HeaderValue, LlmError> {
    let mut header = HeaderValue::from_str(value).map_err(|_| LlmError::Unauthorized)?;
    header.set_sensitive(true);
    Ok(header)
}

async fn send_once(request: reqwest::RequestBuilder, deadline: Instant) -> Result<reqwest::Response, LlmError> {
    let response = match tokio::time::timeout_at(deadline, request.send()).await {
        Err(_) => return Err(LlmError::Timeout(TimeoutKind::FirstToken)),
        Ok(Err(error)) => return Err(send_error(&error)),
        Ok(Ok(response)) => response,
    };
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let message = tokio::time::timeout_at(deadline, error_message(response))
        .await
        .unwrap_or_else(|_| "error body timed out".to_owned());
    Err(LlmError::from_status(status, retry_after, message))
}

/// The only timeout the shared client has is the connect one.
fn send_error(error: &reqwest::Error) -> LlmError {
    if error.is_timeout() {
        return LlmError::Timeout(TimeoutKind::Connect);
    }
    // The causes say what failed ("tcp connect error: Connection refused");
    // the top level only repeats the URL.
    let mut causes = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    LlmError::Connect(if causes.is_empty() { "request failed".to_owned() } else { causes.join(": ") })
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(date.signed_duration_since(chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO))
}

/// The provider's own explanation from the first 4 KiB of an error body:
/// `error.message` (OpenAI, Anthropic, most compatible servers), else the text.
async fn error_message(mut response: reqwest::Response) -> String {
    let status = response.status();
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(ERROR_BODY_LIMIT);
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) {
        let error = &json["error"];
        if let Some(message) = error["message"].as_str().or(error.as_str()) {
            return message.to_owned();
        }
    }
    let text = String::from_utf8_lossy(&body).trim().to_owned();
    if text.is_empty() { status.canonical_reason().unwrap_or("no reason given").to_owned() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value.parse().unwrap());
        headers
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(retry_after(&headers("3")), Some(Duration::from_secs(3)));
        assert_eq!(retry_after(&headers("0.5")), Some(Duration::from_millis(500)));
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822().replace("+0000", "GMT");
        let wait = retry_after(&headers(&soon)).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30), "{wait:?}");
        assert_eq!(retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }
}
