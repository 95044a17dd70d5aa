//! Tenants' API Gateway keys and the REST API's authorizer, on the emulator
//! the test script starts (moto emulates API Gateway beside DynamoDB): three
//! usage plans per test, `PAAS_APIGW_ENDPOINT` pointed at the emulator.

use std::sync::Arc;

use aws_sdk_apigateway::config::{BehaviorVersion, Credentials, Region};
use paas_authorizer::{Authorizer, AuthorizerError, Verdict};
use paas_core::domain::TenantId;
use paas_core::identity::gateway_keys::{GatewayKey, GatewayKeys, KEY_VALUE_LEN, UsagePlans};
use paas_core::identity::tenants;
use serde_json::json;

use crate::support::{DYNAMODB_ENDPOINT_VAR, TestApp};

/// The platform operators' key value in these tests.
const PLATFORM_KEY: &str = "platform-meter-key-for-the-tests";

/// Three fresh usage plans on the emulator, and a client to look at them.
struct Gateway {
    client: aws_sdk_apigateway::Client,
    plans: UsagePlans,
    /// `PAAS_APIGW_USAGE_PLANS` naming the plans by name, as the SAM template does.
    by_name: String,
    endpoint: String,
}

impl Gateway {
    async fn new() -> Self {
        let endpoint = std::env::var(DYNAMODB_ENDPOINT_VAR)
            .unwrap_or_else(|_| panic!("{DYNAMODB_ENDPOINT_VAR} is not set: run the suite through scripts/test"));
        let config = aws_sdk_apigateway::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&endpoint)
            .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
            .http_client(paas_core::aws::http_client())
            .build();
        let client = aws_sdk_apigateway::Client::from_conf(config);
        let run = ulid::Ulid::new();
        let mut ids = Vec::new();
        for plan in ["free", "pro", "enterprise"] {
            let created = client.create_usage_plan().name(format!("{run}-{plan}")).send().await.expect("usage plan");
            ids.push(created.id().expect("usage plan id").to_owned());
        }
        let plans = UsagePlans::parse(&format!("free={},pro={},enterprise={}", ids[0], ids[1], ids[2])).unwrap();
        let by_name = format!("free={run}-free,pro={run}-pro,enterprise={run}-enterprise");
        Self { client, plans, by_name, endpoint }
    }

    fn usage_plans_var(&self) -> String {
        format!("free={},pro={},enterprise={}", self.plans.free, self.plans.pro, self.plans.enterprise)
    }

    /// The service on the emulator's DynamoDB, with gateway keys on these plans.
    async fn app(&self) -> TestApp {
        self.app_with(&self.usage_plans_var(), &self.endpoint).await
    }

    /// The same, with these usage plans and API Gateway calls going to `endpoint`.
    async fn app_with(&self, plans: &str, endpoint: &str) -> TestApp {
        let (plans, endpoint) = (plans.to_owned(), endpoint.to_owned());
        TestApp::on_dynamodb_with(move |config| {
            config.apigw_usage_plans = Some(plans);
            config.apigw_endpoint = Some(endpoint);
            config.apigw_platform_key = Some(PLATFORM_KEY.into());
        })
        .await
    }

    /// The names of our usage plans the key is on.
    async fn plans_of(&self, key_id: &str) -> Vec<&'static str> {
        let mut on = Vec::new();
        for (name, id) in [("free", &self.plans.free), ("pro", &self.plans.pro), ("enterprise", &self.plans.enterprise)]
        {
            let keys = self.client.get_usage_plan_keys().usage_plan_id(id).send().await.expect("usage plan keys");
            if keys.items().iter().any(|k| k.id() == Some(key_id)) {
                on.push(name);
            }
        }
        on
    }

    /// The key as API Gateway holds it: (name, value, enabled), or `None` when it is gone.
    async fn key(&self, key_id: &str) -> Option<(String, String, bool)> {
        match self.client.get_api_key().api_key(key_id).include_value(true).send().await {
            Ok(key) => Some((key.name().unwrap().to_owned(), key.value().unwrap().to_owned(), key.enabled())),
            Err(err) => {
                let code = err.as_service_error().and_then(aws_sdk_apigateway::error::ProvideErrorMetadata::code);
                assert_eq!(code, Some("NotFoundException"), "{err:?}");
                None
            }
        }
    }
}

async fn recorded_key(app: &TestApp, tenant_id: &str) -> Option<GatewayKey> {
    let tenant = tenants::get(&app.state.store, &TenantId::parse(tenant_id).unwrap()).await.unwrap().unwrap();
    tenant.gateway_key
}

/// An authorizer event for `GET /api/v1/tenant` with these headers.
fn event(headers: &[(&str, &str)]) -> paas_authorizer::Request {
    let headers: serde_json::Map<String, serde_json::Value> =
        headers.iter().map(|(name, value)| ((*name).to_owned(), json!(value))).collect();
    serde_json::from_value(json!({
        "type": "REQUEST",
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/api/v1/tenant",
        "resource": "/api/v1/tenant",
        "path": "/api/v1/tenant",
        "httpMethod": "GET",
        "headers": headers,
        "requestContext": {"stage": "dev", "apiId": "abc123", "httpMethod": "GET"}
    }))
    .unwrap()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_puts_the_tenant_key_on_the_free_plan_and_no_response_shows_it() {
    let gateway = Gateway::new().await;
    let app = gateway.app().await;
    let acme = app.signup("acme").await;

    let key = recorded_key(&app, &acme.tenant_id).await.expect("the sign-up records the key");
    assert_eq!(key.value.expose().len(), KEY_VALUE_LEN);
    assert!(key.enabled);
    let (name, value, enabled) = gateway.key(&key.key_id).await.expect("the key exists in API Gateway");
    assert_eq!((name.as_str(), value.as_str(), enabled), (acme.tenant_id.as_str(), key.value.expose(), true));
    assert_eq!(gateway.plans_of(&key.key_id).await, ["free"]);

    // The record keeps it across the tenant's own edits.
    let patched = app.call("PATCH", "/api/v1/tenant", Some(&acme.access), Some(json!({"name": "Acme Renamed"}))).await;
    patched.expect(200);
    assert_eq!(recorded_key(&app, &acme.tenant_id).await.as_ref(), Some(&key));

    let ops = app.operator().await;
    let platform = format!("/api/platform/tenants/{}", acme.tenant_id);
    let replies = [
        app.get("/api/v1/tenant", &acme.access).await,
        patched,
        app.get("/api/auth/me", &acme.access).await,
        app.get("/api/platform/tenants", &ops).await,
        app.get(&platform, &ops).await,
        app.call("PATCH", &platform, Some(&ops), Some(json!({"plan": "pro"}))).await,
    ];
    for reply in &replies {
        reply.expect(200);
        for hidden in [key.value.expose(), key.key_id.as_str(), "gateway_key"] {
            assert!(!reply.text.contains(hidden), "a response shows the gateway key: {}", reply.text);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_follows_plan_changes_suspension_and_deletion() {
    let gateway = Gateway::new().await;
    // Usage plans named, not identified, as the SAM template configures them.
    let app = gateway.app_with(&gateway.by_name, &gateway.endpoint).await;
    let acme = app.signup("acme").await;
    let key_id = recorded_key(&app, &acme.tenant_id).await.unwrap().key_id;
    let ops = app.operator().await;
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);

    app.call("PATCH", &path, Some(&ops), Some(json!({"plan": "pro"}))).await.expect(200);
    assert_eq!(gateway.plans_of(&key_id).await, ["pro"], "an operator's plan change moves the key");
    let recorded = recorded_key(&app, &acme.tenant_id).await.unwrap();
    assert_eq!(
        (recorded.key_id.as_str(), recorded.plan, recorded.enabled),
        (key_id.as_str(), paas_core::domain::Plan::Pro, true)
    );

    app.call("PATCH", &path, Some(&ops), Some(json!({"status": "suspended"}))).await.expect(200);
    assert!(!gateway.key(&key_id).await.unwrap().2, "suspension disables the key");
    assert_eq!(gateway.plans_of(&key_id).await, ["pro"]);

    app.call("PATCH", &path, Some(&ops), Some(json!({"status": "active", "plan": "enterprise"}))).await.expect(200);
    assert!(gateway.key(&key_id).await.unwrap().2, "reactivation enables it");
    assert_eq!(gateway.plans_of(&key_id).await, ["enterprise"]);

    // A key deleted by hand in API Gateway: the next change makes and records another.
    gateway.client.delete_api_key().api_key(&key_id).send().await.unwrap();
    app.call("PATCH", &path, Some(&ops), Some(json!({"plan": "pro"}))).await.expect(200);
    let replaced = recorded_key(&app, &acme.tenant_id).await.unwrap();
    assert_ne!(replaced.key_id, key_id, "a new key replaces the deleted one");
    assert_eq!(gateway.key(&replaced.key_id).await.map(|k| k.1), Some(replaced.value.expose().to_owned()));
    assert_eq!(gateway.plans_of(&replaced.key_id).await, ["pro"]);
    let key_id = replaced.key_id;

    // A second key named after the tenant, as two racing first requests could leave behind.
    let stray = gateway.client.create_api_key().name(&acme.tenant_id).enabled(true).send().await.unwrap();
    let stray = stray.id().unwrap().to_owned();

    app.call("DELETE", &path, Some(&ops), None).await.expect(204);
    assert_eq!(gateway.key(&key_id).await, None, "deletion deletes the key");
    assert!(gateway.plans_of(&key_id).await.is_empty());
    assert_eq!(gateway.key(&stray).await, None, "and every other key named after the tenant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_deletion_stopped_by_an_api_gateway_outage_is_finished_by_a_retry() {
    let gateway = Gateway::new().await;
    let mut app = gateway.app().await;
    let acme = app.signup("acme").await;
    let key_id = recorded_key(&app, &acme.tenant_id).await.unwrap().key_id;
    let ops = app.operator().await;
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    let working = app.state.gateway_keys.clone();
    // Nothing listens on port 9 of this machine: every API Gateway call fails.
    let down = GatewayKeys::from_config(
        &paas_core::Config {
            apigw_usage_plans: Some(gateway.usage_plans_var()),
            apigw_endpoint: Some("http://127.0.0.1:9".into()),
            ..paas_core::Config::default()
        },
        &paas_core::aws::from_lambda_environment().unwrap(),
    )
    .unwrap()
    .map(Arc::new);

    app.rebuild(|state| state.gateway_keys = down);
    app.call("DELETE", &path, Some(&ops), None).await.expect_code(500, "internal");
    // Already gone to everyone, though its key and record remain for the retry.
    app.get(&path, &ops).await.expect_code(404, "not_found");
    app.get("/api/v1/tenant", &acme.access).await.expect(401);
    assert!(gateway.key(&key_id).await.is_some());
    let tenant_id = TenantId::parse(&acme.tenant_id).unwrap();
    assert!(tenants::get_to_delete(&app.state.store, &tenant_id).await.unwrap().is_some());

    app.rebuild(|state| state.gateway_keys = working);
    app.call("DELETE", &path, Some(&ops), None).await.expect(204);
    assert_eq!(gateway.key(&key_id).await, None, "the retry deletes the key");
    assert!(tenants::get_to_delete(&app.state.store, &tenant_id).await.unwrap().is_none());
    app.call("DELETE", &path, Some(&ops), None).await.expect_code(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_gateway_outage_loses_no_sign_up_and_the_authorizer_provisions_the_key() {
    let gateway = Gateway::new().await;
    // Nothing listens on port 9 of this machine: every API Gateway call fails.
    let app = gateway.app_with(&gateway.usage_plans_var(), "http://127.0.0.1:9").await;
    let acme = app.signup("acme").await;
    assert!(recorded_key(&app, &acme.tenant_id).await.is_none());
    let ops = app.operator().await;
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    app.call("PATCH", &path, Some(&ops), Some(json!({"plan": "pro"}))).await.expect(200);
    app.get("/api/v1/tenant", &acme.access).await.expect(200);

    // Still down: a verified caller is metered on the platform key, not failed.
    let verdict = Authorizer::new(app.state.clone())
        .verdict(&event(&[("Authorization", &bearer(&acme.access))]).headers)
        .await
        .expect("no outage error reaches the caller");
    assert_eq!(
        verdict,
        Verdict::Allow {
            principal_id: acme.user_id.clone(),
            tenant_id: acme.tenant_id.clone(),
            usage_key: Some(PLATFORM_KEY.into())
        }
    );

    // API Gateway is back: the tenant's first request through the authorizer provisions its key.
    let mut state = app.state.clone();
    state.gateway_keys = GatewayKeys::from_config(
        &paas_core::Config {
            apigw_usage_plans: Some(gateway.usage_plans_var()),
            apigw_endpoint: Some(gateway.endpoint.clone()),
            ..paas_core::Config::default()
        },
        &paas_core::aws::from_lambda_environment().unwrap(),
    )
    .unwrap()
    .map(Arc::new);
    let authorizer = Authorizer::new(state);
    let verdict = authorizer.verdict(&event(&[("Authorization", &bearer(&acme.access))]).headers).await.unwrap();
    let key = recorded_key(&app, &acme.tenant_id).await.expect("the authorizer records the key");
    assert_eq!(
        verdict,
        Verdict::Allow {
            principal_id: acme.user_id.clone(),
            tenant_id: acme.tenant_id.clone(),
            usage_key: Some(key.value.expose().to_owned())
        }
    );
    assert_eq!(gateway.plans_of(&key.key_id).await, ["pro"], "on the plan the record names");
    assert_eq!(gateway.key(&key.key_id).await.unwrap().0, acme.tenant_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorizer_meters_verified_tenants_on_their_key_and_refuses_the_rest() {
    let gateway = Gateway::new().await;
    let app = gateway.app().await;
    let acme = app.signup("acme").await;
    let tenant_key = recorded_key(&app, &acme.tenant_id).await.unwrap().value.expose().to_owned();
    let (key_id, api_key) = app.api_key(&acme, &["admin"]).await;
    let fresh = || Authorizer::new(app.state.clone());
    let authorizer = fresh();

    // An access token: Allow, metered on the tenant's key, the tenant in the context.
    let answer = authorizer.handle(&event(&[("Authorization", &bearer(&acme.access))])).await.unwrap();
    let answer = serde_json::to_value(&answer).unwrap();
    assert_eq!(answer["usageIdentifierKey"], tenant_key.as_str());
    assert_eq!(answer["context"]["tenant_id"], acme.tenant_id.as_str());
    assert_eq!(answer["principalId"], acme.user_id.as_str());
    assert_eq!(answer["policyDocument"]["Statement"][0]["Effect"], "Allow");
    assert_eq!(
        answer["policyDocument"]["Statement"][0]["Resource"][0],
        "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/api/v1/tenant"
    );

    // Our API key, either way it may be sent.
    let allowed = |verdict: Verdict| match verdict {
        Verdict::Allow { tenant_id, usage_key, .. } => (tenant_id, usage_key),
        other => panic!("expected Allow, got {other:?}"),
    };
    let as_bearer = authorizer.verdict(&event(&[("Authorization", &bearer(&api_key))]).headers).await.unwrap();
    let as_header = authorizer.verdict(&event(&[("X-API-Key", &api_key)]).headers).await.unwrap();
    for verdict in [as_bearer, as_header] {
        assert_eq!(allowed(verdict), (acme.tenant_id.clone(), Some(tenant_key.clone())));
    }

    // No credential, a forged token, a mistyped key: 401.
    let (head, _) = acme.access.rsplit_once('.').unwrap();
    let forged = format!("{head}.{}", "A".repeat(86));
    let mut typo = api_key.clone();
    typo.pop();
    typo.push(if api_key.ends_with('0') { '1' } else { '0' });
    for headers in [vec![], vec![("Authorization", bearer(&forged))], vec![("X-API-Key", typo)]] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let err = authorizer.handle(&event(&headers)).await.unwrap_err();
        assert!(matches!(err, AuthorizerError::Unauthorized), "{err:?}");
        let diagnostic = lambda_http::lambda_runtime::Diagnostic::from(err);
        assert_eq!(diagnostic.error_message, "Unauthorized", "API Gateway's 401 needs exactly this message");
    }

    // A revoked key: refused at once by the functions; by the authorizer once its cached verdict expires.
    app.call("DELETE", &format!("/api/v1/api-keys/{key_id}"), Some(&acme.access), None).await.expect(204);
    app.get("/api/v1/tenant", &api_key).await.expect(401);
    assert!(authorizer.verdict(&event(&[("X-API-Key", &api_key)]).headers).await.is_ok(), "cached for the TTL");
    let err = fresh().verdict(&event(&[("X-API-Key", &api_key)]).headers).await.unwrap_err();
    assert!(matches!(err, AuthorizerError::Unauthorized), "{err:?}");

    // An operator: Allow, metered on the platform key.
    let ops = app.operator().await;
    let (tenant_id, usage_key) =
        allowed(fresh().verdict(&event(&[("Authorization", &bearer(&ops))]).headers).await.unwrap());
    assert_eq!((tenant_id.as_str(), usage_key.as_deref()), ("PLATFORM", Some(PLATFORM_KEY)));

    // A suspended tenant: Deny (403), no meter.
    let (_, second_key) = app.api_key(&acme, &["chat"]).await;
    let path = format!("/api/platform/tenants/{}", acme.tenant_id);
    app.call("PATCH", &path, Some(&ops), Some(json!({"status": "suspended"}))).await.expect(200);
    let suspended = fresh();
    for headers in [vec![("Authorization", bearer(&acme.access))], vec![("X-API-Key", second_key.clone())]] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let answer = serde_json::to_value(suspended.handle(&event(&headers)).await.unwrap()).unwrap();
        assert_eq!(answer["policyDocument"]["Statement"][0]["Effect"], "Deny");
        assert_eq!(answer["usageIdentifierKey"], serde_json::Value::Null);
        assert_eq!(answer["context"]["code"], "tenant_suspended");
    }
}
