//! The buffered functions' handler: an API Gateway REST event in, the
//! router's answer out as a proxy response. It does what
//! `lambda_http::Adapter` does except decode bodies by their declared
//! charset, which links encoding_rs's tables for every legacy encoding (about
//! 0.3 MB per binary); the platform writes UTF-8 alone.

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use http::header::CONTENT_ENCODING;
use http::{HeaderValue, Response};
use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyResponse;
use lambda_http::aws_lambda_events::encodings::Body as EventBody;
use lambda_http::lambda_runtime::{BoxFuture, LambdaEvent};
use lambda_http::request::LambdaRequest;
use lambda_http::tower::Service;
use tower::ServiceExt;

use crate::telemetry::xray;

/// The router as a handler of API Gateway REST proxy events.
pub struct Buffered(pub Router);

impl Service<LambdaEvent<LambdaRequest>> for Buffered {
    type Response = ApiGatewayProxyResponse;
    type Error = lambda_http::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, event: LambdaEvent<LambdaRequest>) -> Self::Future {
        let LambdaEvent { payload, context } = event;
        let router = self.0.clone();
        Box::pin(async move {
            // Only the REST API invokes these functions; chat's Function URL streams.
            if !matches!(payload, LambdaRequest::ApiGatewayV1(_)) {
                return Err("a buffered function serves API Gateway REST events only".into());
            }
            let mut request: lambda_http::Request = payload.into();
            // The trace layer continues Lambda's X-Ray segment from this header.
            if let Some(trace) = context.xray_trace_id.as_deref().and_then(|id| HeaderValue::from_str(id).ok()) {
                request.headers_mut().insert(xray::HEADER, trace);
            }
            let response =
                router.oneshot(request.map(Body::new)).await.unwrap_or_else(|never: Infallible| match never {});
            proxy_response(response).await
        })
    }
}

/// A response as API Gateway takes it: every header multi-valued (so repeated
/// `set-cookie` headers survive) and the body as text when it is UTF-8 and not
/// content-encoded, base64 otherwise.
async fn proxy_response(response: Response<Body>) -> Result<ApiGatewayProxyResponse, lambda_http::Error> {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await?;
    let encoded = parts.headers.contains_key(CONTENT_ENCODING);
    let body = match String::from_utf8(bytes.into()) {
        Ok(text) if text.is_empty() => None,
        Ok(text) if !encoded => Some(EventBody::Text(text)),
        Ok(text) => Some(EventBody::Binary(text.into_bytes())),
        Err(not_text) => Some(EventBody::Binary(not_text.into_bytes())),
    };
    let mut proxy = ApiGatewayProxyResponse::default();
    proxy.status_code = i64::from(parts.status.as_u16());
    proxy.is_base64_encoded = matches!(body, Some(EventBody::Binary(_)));
    proxy.body = body;
    proxy.multi_value_headers = parts.headers;
    Ok(proxy)
}
