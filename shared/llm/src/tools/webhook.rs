//! Tenant-defined HTTP tools: an admin registers a name, a description, a parameter schema and an
//! endpoint; a call POSTs the model's arguments there as JSON and answers the response text.
//!
//! An admin chose the endpoint, so it needs no entry in the allowed hosts; the network policy
//! still applies as to every tenant-supplied URL (https, no internal addresses after resolution).

use std::fmt;

use async_trait::async_trait;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::Value;

use super::http_get::send;
use super::{Tool, ToolContext, ToolError};
use crate::ToolSpec;

/// A tenant-defined HTTP tool: POSTs the JSON arguments to an https endpoint, with an optional
/// secret header (its value comes from the secret store).
#[derive(Clone)]
pub struct WebhookTool {
    pub name: String,
    pub description: String,
    pub parameters: Value,
    pub endpoint: String,
    /// Header name and value, e.g. `("authorization", "Bearer ...")`.
    pub secret_header: Option<(String, String)>,
}

/// Leaves the secret out, so the tool can be logged.
impl fmt::Debug for WebhookTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookTool")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("parameters", &self.parameters)
            .field("endpoint", &self.endpoint)
            .field("secret_header", &self.secret_header.as_ref().map(|(name, _)| (name, "<redacted>")))
            .finish()
    }
}

#[async_trait]
impl Tool for WebhookTool {
    fn spec(&self) -> ToolSpec {
        ToolSpec { name: self.name.clone(), description: self.description.clone(), parameters: self.parameters.clone() }
    }

    async fn call(&self, arguments: &Value, ctx: &ToolContext) -> Result<String, ToolError> {
        let header = self.secret_header.as_ref().map(|(name, value)| secret_header(name, value)).transpose()?;
        let reply = send(ctx, &self.endpoint, |client, url| {
            let request = client.post(url).json(arguments);
            match header {
                Some((name, value)) => request.header(name, value),
                None => request,
            }
        })
        .await?;
        if !reply.status.is_success() {
            let detail = if reply.text.is_empty() { String::new() } else { format!(": {}", reply.text) };
            return Err(ToolError::Failed(format!("the endpoint answered HTTP {}{detail}", reply.status)));
        }
        Ok(reply.text)
    }
}

/// The header, marked sensitive so that HTTP-level debug output hides its value; the errors never
/// include the value.
fn secret_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), ToolError> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ToolError::Failed("the tool's secret header name is not a valid header name".into()))?;
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| ToolError::Failed("the tool's secret header value is not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::net_guard::NetPolicy;

    fn tool(endpoint: &str, secret_header: Option<(&str, &str)>) -> WebhookTool {
        WebhookTool {
            name: "lookup".into(),
            description: "Looks things up.".into(),
            parameters: json!({"type": "object", "properties": {}}),
            endpoint: endpoint.into(),
            secret_header: secret_header.map(|(name, value)| (name.into(), value.into())),
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let debug = format!("{:?}", tool("https://hooks.test/", Some(("x-api-key", "s3cret-value"))));
        assert!(debug.contains("x-api-key") && debug.contains("<redacted>"), "{debug}");
        assert!(!debug.contains("s3cret-value"), "{debug}");
    }

    #[tokio::test]
    async fn refuses_plain_http_and_internal_endpoints_in_the_cloud() {
        let ctx = ToolContext::new(NetPolicy::cloud(), Vec::new());
        for endpoint in ["http://93.184.216.34/hook", "https://127.0.0.1/hook", "https://169.254.169.254/"] {
            let answer = tool(endpoint, None).call(&json!({}), &ctx).await;
            assert!(matches!(answer, Err(ToolError::Refused(_))), "{endpoint}: {answer:?}");
        }
    }

    #[tokio::test]
    async fn an_invalid_secret_header_fails_without_showing_its_value() {
        let ctx = ToolContext::new(NetPolicy::cloud(), Vec::new());
        let answer = tool("https://93.184.216.34/", Some(("x-key", "bad\nvalue"))).call(&json!({}), &ctx).await;
        assert_eq!(answer, Err(ToolError::Failed("the tool's secret header value is not a valid header value".into())));
        let answer = tool("https://93.184.216.34/", Some(("bad header", "v"))).call(&json!({}), &ctx).await;
        assert_eq!(answer, Err(ToolError::Failed("the tool's secret header name is not a valid header name".into())));
    }
}
