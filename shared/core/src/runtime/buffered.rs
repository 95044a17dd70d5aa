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

#[cfg(test)]
mod tests {
    use axum::routing::get;
    use http::header::{CONTENT_TYPE, SET_COOKIE};
    use lambda_http::lambda_runtime::Context;

    use super::*;

    fn event(value: serde_json::Value) -> LambdaEvent<LambdaRequest> {
        LambdaEvent::new(serde_json::from_value(value).expect("an event"), Context::default())
    }

    fn rest(path: &str) -> LambdaEvent<LambdaRequest> {
        event(serde_json::json!({
            "resource": path, "path": path, "httpMethod": "GET", "headers": {}, "multiValueHeaders": {},
            "requestContext": {"accountId": "1", "resourceId": "r", "stage": "$default", "requestId": "q",
                "identity": {"sourceIp": "203.0.113.7"}, "resourcePath": path, "httpMethod": "GET", "apiId": "a"},
            "isBase64Encoded": false
        }))
    }

    fn router() -> Router {
        Router::new()
            .route(
                "/text",
                get(|| async { (axum::response::AppendHeaders([(SET_COOKIE, "a=1"), (SET_COOKIE, "b=2")]), "héllo") }),
            )
            .route("/bytes", get(|| async { ([(CONTENT_TYPE, "application/octet-stream")], vec![0xff_u8, 0xfe]) }))
            .route("/gzip", get(|| async { ([(CONTENT_ENCODING, "gzip")], "compressed") }))
            .route("/empty", get(|| async { http::StatusCode::NO_CONTENT }))
    }

    #[tokio::test]
    async fn text_stays_text_and_repeated_headers_survive() {
        let proxy = Buffered(router()).call(rest("/text")).await.unwrap();
        assert_eq!((proxy.status_code, proxy.is_base64_encoded), (200, false));
        assert_eq!(proxy.body, Some(EventBody::Text("héllo".into())));
        assert_eq!(proxy.multi_value_headers.get_all(SET_COOKIE).iter().count(), 2);
        assert!(proxy.headers.is_empty(), "API Gateway would merge both maps and repeat headers");
    }

    #[tokio::test]
    async fn bytes_that_are_not_text_as_is_go_base64() {
        for path in ["/bytes", "/gzip"] {
            let proxy = Buffered(router()).call(rest(path)).await.unwrap();
            assert!(proxy.is_base64_encoded, "{path}");
            assert!(matches!(proxy.body, Some(EventBody::Binary(_))), "{path}");
        }
        let empty = Buffered(router()).call(rest("/empty")).await.unwrap();
        assert_eq!((empty.status_code, empty.body, empty.is_base64_encoded), (204, None, false));
    }

    #[tokio::test]
    async fn an_event_from_anything_but_the_rest_api_is_refused() {
        let http_api = event(serde_json::json!({
            "version": "2.0", "routeKey": "$default", "rawPath": "/text", "rawQueryString": "", "headers": {},
            "requestContext": {"accountId": "1", "apiId": "a", "domainName": "d", "domainPrefix": "d", "requestId": "q",
                "routeKey": "$default", "stage": "$default", "time": "t", "timeEpoch": 0,
                "http": {"method": "GET", "path": "/text", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "u"}},
            "isBase64Encoded": false
        }));
        assert!(Buffered(router()).call(http_api).await.is_err());
    }
}
