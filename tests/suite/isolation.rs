//! Tenant isolation and the permission matrix, over every route the local
//! runner serves (read from its OpenAPI description, so a new route without
//! an entry here fails the suite).

use std::collections::BTreeSet;

use paas_core::auth::permission::Permission;
use paas_core::domain::{Role, Scope};
use serde_json::{Value, json};

use crate::support::{Signup, TestApp};

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// Anyone; credentials in the body, if any.
    Public,
    /// Any signed-in person (not an API key); acts on their own account only.
    SignedIn,
    /// A tenant member or key holding the permission.
    Tenant(Permission),
    /// Every tenant member and key, whatever its role or scopes.
    AnyMember,
    /// As `Tenant`, and changing the resource is for its owner or an admin.
    Owned(Permission),
    /// Platform operators only.
    Operator,
}

/// One route: its access rule, and a body that passes validation.
struct Route {
    method: &'static str,
    path: &'static str,
    access: Access,
    body: fn() -> Option<Value>,
}

fn none() -> Option<Value> {
    None
}

fn new_user() -> Option<Value> {
    Some(json!({"email": format!("{}@iso.test", ulid::Ulid::new().to_string().to_lowercase()), "role": "viewer"}))
}

const ROUTES: &[Route] = &[
    Route { method: "POST", path: "/api/auth/signup", access: Access::Public, body: none },
    Route { method: "POST", path: "/api/auth/login", access: Access::Public, body: none },
    Route { method: "POST", path: "/api/auth/login-with-tenant", access: Access::Public, body: none },
    Route { method: "POST", path: "/api/auth/refresh", access: Access::Public, body: none },
    Route { method: "POST", path: "/api/auth/logout", access: Access::Public, body: none },
    Route { method: "POST", path: "/api/auth/accept-invite", access: Access::Public, body: none },
    Route { method: "GET", path: "/.well-known/jwks.json", access: Access::Public, body: none },
    Route { method: "POST", path: "/api/auth/logout-all", access: Access::SignedIn, body: none },
    Route { method: "GET", path: "/api/auth/me", access: Access::SignedIn, body: none },
    Route { method: "POST", path: "/api/auth/password", access: Access::SignedIn, body: none },
    Route { method: "GET", path: "/api/v1/tenant", access: Access::Tenant(Permission::TenantRead), body: none },
    Route {
        method: "PATCH",
        path: "/api/v1/tenant",
        access: Access::Tenant(Permission::TenantManage),
        body: || Some(json!({"name": "Renamed"})),
    },
    Route { method: "GET", path: "/api/v1/users", access: Access::Tenant(Permission::UsersManage), body: none },
    Route { method: "POST", path: "/api/v1/users", access: Access::Tenant(Permission::UsersManage), body: new_user },
    Route {
        method: "GET",
        path: "/api/v1/users/{user_id}",
        access: Access::Tenant(Permission::UsersManage),
        body: none,
    },
    Route {
        method: "PATCH",
        path: "/api/v1/users/{user_id}",
        access: Access::Tenant(Permission::UsersManage),
        body: || Some(json!({"name": "Renamed"})),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/users/{user_id}",
        access: Access::Tenant(Permission::UsersManage),
        body: none,
    },
    Route { method: "GET", path: "/api/v1/api-keys", access: Access::Tenant(Permission::ApiKeysManage), body: none },
    Route {
        method: "POST",
        path: "/api/v1/api-keys",
        access: Access::Tenant(Permission::ApiKeysManage),
        body: || Some(json!({"name": "k", "scopes": ["chat"]})),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/api-keys/{key_id}",
        access: Access::Tenant(Permission::ApiKeysManage),
        body: none,
    },
    Route { method: "GET", path: "/api/v1/tenant/usage", access: Access::Tenant(Permission::TenantManage), body: none },
    Route { method: "GET", path: "/api/v1/catalog", access: Access::AnyMember, body: none },
    Route { method: "GET", path: "/api/v1/tenant/llm", access: Access::Tenant(Permission::TenantManage), body: none },
    Route {
        method: "PUT",
        path: "/api/v1/tenant/llm",
        access: Access::Tenant(Permission::TenantManage),
        body: || Some(json!({"provider": "offline"})),
    },
    Route {
        method: "POST",
        path: "/api/v1/tenant/llm/test",
        access: Access::Tenant(Permission::TenantManage),
        body: none,
    },
    Route { method: "GET", path: "/api/v1/sessions", access: Access::Tenant(Permission::SessionsRead), body: none },
    Route {
        method: "POST",
        path: "/api/v1/sessions",
        access: Access::Tenant(Permission::SessionsWrite),
        body: || Some(json!({"title": "t"})),
    },
    Route {
        method: "GET",
        path: "/api/v1/sessions/{session_id}",
        access: Access::Tenant(Permission::SessionsRead),
        body: none,
    },
    Route {
        method: "PATCH",
        path: "/api/v1/sessions/{session_id}",
        access: Access::Owned(Permission::SessionsWrite),
        body: || Some(json!({"title": "Renamed"})),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/sessions/{session_id}",
        access: Access::Owned(Permission::SessionsWrite),
        body: none,
    },
    Route {
        method: "GET",
        path: "/api/v1/sessions/{session_id}/messages",
        access: Access::Tenant(Permission::SessionsRead),
        body: none,
    },
    Route {
        method: "GET",
        path: "/api/v1/sessions/{session_id}/log",
        access: Access::Tenant(Permission::SessionsRead),
        body: none,
    },
    Route {
        method: "POST",
        path: "/api/v1/chat/completions",
        access: Access::Tenant(Permission::Chat),
        body: || Some(json!({"message": "hi"})),
    },
    Route {
        method: "POST",
        path: "/v1/chat/completions",
        access: Access::Tenant(Permission::Chat),
        body: || Some(json!({"model": "assistant", "messages": [{"role": "user", "content": "hi"}]})),
    },
    Route { method: "GET", path: "/v1/models", access: Access::Tenant(Permission::Chat), body: none },
    Route { method: "GET", path: "/api/v1/agents", access: Access::Tenant(Permission::AgentsRead), body: none },
    Route {
        method: "POST",
        path: "/api/v1/agents",
        access: Access::Tenant(Permission::AgentsManage),
        body: || Some(json!({"name": "An agent"})),
    },
    Route {
        method: "GET",
        path: "/api/v1/agents/{agent_id}",
        access: Access::Tenant(Permission::AgentsRead),
        body: none,
    },
    Route {
        method: "PATCH",
        path: "/api/v1/agents/{agent_id}",
        access: Access::Tenant(Permission::AgentsManage),
        body: || Some(json!({"description": "edited"})),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/agents/{agent_id}",
        access: Access::Tenant(Permission::AgentsManage),
        body: none,
    },
    Route { method: "GET", path: "/api/v1/tools", access: Access::Tenant(Permission::TenantManage), body: none },
    Route {
        method: "POST",
        path: "/api/v1/tools",
        access: Access::Tenant(Permission::TenantManage),
        body: || {
            let name = format!("t{}", ulid::Ulid::new().to_string().to_lowercase());
            Some(json!({"name": name, "description": "d", "endpoint": "http://127.0.0.1:9/hook"}))
        },
    },
    Route {
        method: "GET",
        path: "/api/v1/tools/{tool_id}",
        access: Access::Tenant(Permission::TenantManage),
        body: none,
    },
    Route {
        method: "PATCH",
        path: "/api/v1/tools/{tool_id}",
        access: Access::Tenant(Permission::TenantManage),
        body: || Some(json!({"description": "edited"})),
    },
    Route {
        method: "DELETE",
        path: "/api/v1/tools/{tool_id}",
        access: Access::Tenant(Permission::TenantManage),
        body: none,
    },
    Route { method: "GET", path: "/api/platform/tenants", access: Access::Operator, body: none },
    Route { method: "GET", path: "/api/platform/tenants/{tenant_id}", access: Access::Operator, body: none },
    Route {
        method: "PATCH",
        path: "/api/platform/tenants/{tenant_id}",
        access: Access::Operator,
        body: || Some(json!({"plan": "pro"})),
    },
    Route { method: "DELETE", path: "/api/platform/tenants/{tenant_id}", access: Access::Operator, body: none },
];

/// Every (method, path) in the served API description.
fn served_routes() -> BTreeSet<(String, String)> {
    let (_, spec) = paas_cli::serve::routes().split_for_parts();
    let spec = serde_json::to_value(spec).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

#[test]
fn every_served_route_has_an_isolation_entry() {
    let table: BTreeSet<_> = ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    let served = served_routes();
    let missing: Vec<_> = served.difference(&table).collect();
    let stale: Vec<_> = table.difference(&served).collect();
    assert!(missing.is_empty(), "routes without an isolation entry: {missing:?}");
    assert!(stale.is_empty(), "entries for routes that are not served: {stale:?}");
}

/// Tenant A's resources, named by path parameter.
struct Resources {
    user_id: String,
    key_id: String,
    tenant_id: String,
    session_id: String,
    agent_id: String,
    tool_id: String,
}

fn fill(path: &str, ids: &Resources) -> String {
    path.replace("{user_id}", &ids.user_id)
        .replace("{key_id}", &ids.key_id)
        .replace("{tenant_id}", &ids.tenant_id)
        .replace("{session_id}", &ids.session_id)
        .replace("{agent_id}", &ids.agent_id)
        .replace("{tool_id}", &ids.tool_id)
}

async fn resources_of(app: &TestApp, tenant: &Signup) -> Resources {
    let (user_id, _) = app.member(tenant, "viewer").await;
    let (key_id, _) = app.api_key(tenant, &["chat"]).await;
    let session = app.post("/api/v1/sessions", Some(&tenant.access), json!({"title": "a session"})).await;
    session.expect(201);
    let agent = app.post("/api/v1/agents", Some(&tenant.access), json!({"name": "An agent"})).await;
    agent.expect(201);
    let tool = json!({"name": "a_tool", "description": "d", "endpoint": "http://127.0.0.1:9/hook"});
    let tool = app.post("/api/v1/tools", Some(&tenant.access), tool).await;
    tool.expect(201);
    Resources {
        user_id,
        key_id,
        tenant_id: tenant.tenant_id.clone(),
        session_id: session.str("session_id"),
        agent_id: agent.str("agent_id"),
        tool_id: tool.str("tool_id"),
    }
}

/// Ids that exist nowhere, in the same shapes.
fn missing_ids() -> Resources {
    Resources {
        user_id: ulid::Ulid::new().to_string(),
        key_id: "AAAAAAAAAAAAAAAA".into(),
        tenant_id: ulid::Ulid::new().to_string(),
        session_id: ulid::Ulid::new().to_string(),
        agent_id: ulid::Ulid::new().to_string(),
        tool_id: ulid::Ulid::new().to_string(),
    }
}

#[tokio::test]
async fn another_tenants_ids_answer_exactly_what_missing_ids_answer() {
    let app = TestApp::new().await;
    let a = app.signup("tenant-a").await;
    let b = app.signup("tenant-b").await;
    let a_ids = resources_of(&app, &a).await;
    let (_, b_key) = app.api_key(&b, &["admin"]).await;
    let mut cases = 0;
    for route in
        ROUTES.iter().filter(|r| r.path.contains('{') && matches!(r.access, Access::Tenant(_) | Access::Owned(_)))
    {
        for credential in [&b.access, &b_key] {
            let foreign = app.call(route.method, &fill(route.path, &a_ids), Some(credential), (route.body)()).await;
            let missing =
                app.call(route.method, &fill(route.path, &missing_ids()), Some(credential), (route.body)()).await;
            assert_eq!(foreign.status, missing.status, "{} {}: {}", route.method, route.path, foreign.text);
            assert_eq!(foreign.body["code"], missing.body["code"]);
            assert_eq!(foreign.body["detail"], missing.body["detail"]);
            foreign.expect_code(404, "not_found");
            cases += 1;
        }
    }
    println!("cross-tenant isolation: {cases} cases");
    assert!(cases >= 30, "ran {cases} cases");
    // A's resources are untouched, and none of A's data shows in B's lists.
    app.get(&fill("/api/v1/users/{user_id}", &a_ids), &a.access).await.expect(200);
    for list in [
        "/api/v1/users",
        "/api/v1/api-keys",
        "/api/v1/tenant",
        "/api/v1/sessions",
        "/api/v1/tenant/usage",
        "/api/v1/agents",
        "/api/v1/tools",
    ] {
        let reply = app.get(list, &b.access).await;
        reply.expect(200);
        for id in [
            &a_ids.user_id,
            &a_ids.key_id,
            &a.tenant_id,
            &a.user_id,
            &a_ids.session_id,
            &a_ids.agent_id,
            &a_ids.tool_id,
        ] {
            assert!(!reply.text.contains(id.as_str()), "{list} shows tenant A's {id}");
        }
    }
}

#[tokio::test]
async fn a_key_or_token_acts_only_in_its_own_tenant() {
    let app = TestApp::new().await;
    let a = app.signup("tenant-a").await;
    let b = app.signup("tenant-b").await;
    let (_, a_key) = app.api_key(&a, &["admin"]).await;
    let seen = app.get("/api/v1/tenant", &a_key).await;
    assert_eq!(seen.body["tenant_id"], a.tenant_id.as_str(), "a key sees its own tenant only");

    // Editing the token's tenant claim breaks its signature.
    let mut parts: Vec<String> = b.access.split('.').map(str::to_owned).collect();
    let claims = decode_part(&parts[1]).replace(&b.tenant_id, &a.tenant_id);
    parts[1] = encode_part(&claims);
    app.get("/api/v1/tenant", &parts.join(".")).await.expect_code(401, "unauthorized");

    // A tenant id in a query or body is ignored or refused, never obeyed.
    let query = app.get(&format!("/api/v1/users?tenant_id={}", a.tenant_id), &b.access).await;
    query.expect(200);
    assert!(!query.text.contains(&a.user_id));
    let body = json!({"email": "x@iso.test", "role": "viewer", "tenant_id": a.tenant_id});
    app.post("/api/v1/users", Some(&b.access), body).await.expect_code(422, "validation_failed");
}

fn decode_part(part: &str) -> String {
    use base64::Engine;
    String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn encode_part(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// The answer a caller gets when forbidden: 403, whatever else may follow.
async fn forbidden(app: &TestApp, route: &Route, ids: &Resources, credential: &str) -> bool {
    let reply = app.call(route.method, &fill(route.path, ids), Some(credential), (route.body)()).await;
    assert!(reply.status.as_u16() < 500, "{} {}: {}", route.method, route.path, reply.text);
    reply.status == 403
}

#[tokio::test]
async fn each_role_and_scope_is_refused_exactly_the_routes_the_matrix_denies() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let ids = resources_of(&app, &acme).await;
    let operator = app.operator().await;
    let mut members = Vec::new();
    for role in [Role::User, Role::Viewer] {
        members.push((role, app.member(&acme, role.as_str()).await.1));
    }
    let scopes = [Scope::Chat, Scope::SessionsRead, Scope::SessionsWrite, Scope::AgentsManage, Scope::Admin];
    let mut keys = Vec::new();
    for scope in scopes {
        let name = serde_json::to_value(scope).unwrap();
        keys.push((scope, app.api_key(&acme, &[name.as_str().unwrap()]).await.1));
    }
    let mut cases = 0;
    for route in ROUTES {
        match route.access {
            Access::Tenant(permission) => {
                for (role, token) in &members {
                    assert_eq!(
                        forbidden(&app, route, &ids, token).await,
                        !role.grants(permission),
                        "{role:?} {} {}",
                        route.method,
                        route.path
                    );
                    cases += 1;
                }
                for (scope, key) in &keys {
                    assert_eq!(
                        forbidden(&app, route, &ids, key).await,
                        !scope.grants(permission),
                        "{scope:?} {} {}",
                        route.method,
                        route.path
                    );
                    cases += 1;
                }
                assert!(forbidden(&app, route, &ids, &operator).await, "operators act through /api/platform");
                cases += 1;
            }
            Access::AnyMember => {
                for credential in members.iter().map(|m| &m.1).chain(keys.iter().map(|k| &k.1)) {
                    assert!(!forbidden(&app, route, &ids, credential).await, "{} {}", route.method, route.path);
                    cases += 1;
                }
                assert!(forbidden(&app, route, &ids, &operator).await, "operators act through /api/platform");
                cases += 1;
            }
            Access::Owned(permission) => {
                // A's session belongs to its admin: other members may not change it, whatever they may do.
                for (role, token) in &members {
                    assert!(forbidden(&app, route, &ids, token).await, "{role:?} {} {}", route.method, route.path);
                    cases += 1;
                }
                for (scope, key) in &keys {
                    let allowed = scope.grants(permission) && *scope == Scope::Admin;
                    assert_eq!(
                        forbidden(&app, route, &ids, key).await,
                        !allowed,
                        "{scope:?} {} {}",
                        route.method,
                        route.path
                    );
                    cases += 1;
                }
            }
            Access::Operator => {
                for credential in members.iter().map(|m| &m.1).chain(keys.iter().map(|k| &k.1)) {
                    assert!(forbidden(&app, route, &ids, credential).await, "{} {}", route.method, route.path);
                    cases += 1;
                }
            }
            Access::SignedIn => {
                for (_, key) in &keys {
                    assert!(forbidden(&app, route, &ids, key).await, "keys are not signed-in users: {}", route.path);
                    cases += 1;
                }
            }
            Access::Public => {}
        }
    }
    // Admins are refused nothing in their tenant (the admin's own account aside).
    for route in ROUTES.iter().filter(|r| matches!(r.access, Access::Tenant(_) | Access::Owned(_))) {
        assert!(!forbidden(&app, route, &ids, &acme.access).await, "{} {}", route.method, route.path);
    }
    println!("permission matrix: {cases} cases");
    assert!(cases > 100);
}

#[tokio::test]
async fn credentials_that_are_not_ours_get_401_problems() {
    let app = TestApp::new().await;
    let acme = app.signup("acme").await;
    let header = encode_part(r#"{"alg":"none","typ":"at+jwt"}"#);
    let claims = decode_part(acme.access.split('.').nth(1).unwrap());
    let unsigned = format!("{header}.{}.", encode_part(&claims));
    for token in [
        "",
        "garbage",
        "a.b.c",
        unsigned.as_str(),
        &acme.refresh,
        "paas_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        app.get("/api/v1/tenant", token).await.expect_code(401, "unauthorized");
    }
    let no_credential = app.call("GET", "/api/v1/tenant", None, None).await;
    no_credential.expect_code(401, "unauthorized");
    let basic = http::Request::get("/api/v1/tenant")
        .header("authorization", "Basic YTpi")
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(basic).await.expect_code(401, "unauthorized");
}
