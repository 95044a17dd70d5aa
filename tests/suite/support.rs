//! Fixtures: fresh stores on both backends, and the app on a fresh store.

use std::sync::Arc;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use paas_core::store::{DynStore, DynamoStore, IndexDef, TableDef, tables};
use paas_core::{AppState, Config};
use paas_store_sqlite::SqliteStore;

/// Where the test script started the DynamoDB emulator.
pub const DYNAMODB_ENDPOINT_VAR: &str = "PAAS_TEST_DYNAMODB_ENDPOINT";

/// A table for the contract suite, with both kinds of index and a TTL.
pub static CONTRACT: TableDef = TableDef {
    name: "contract",
    indexes: &[
        IndexDef { name: "by_owner", pk: "owner", sk: Some("rank") },
        IndexDef { name: "by_tag", pk: "tag", sk: None },
    ],
    ttl: Some(tables::TTL_ATTR),
};

fn all_tables() -> Vec<&'static TableDef> {
    tables::ALL.iter().copied().chain([&CONTRACT]).collect()
}

/// A store and whatever keeps it alive (its temporary directory).
pub struct TestStore {
    pub store: DynStore,
    _dir: Option<tempfile::TempDir>,
}

pub fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("test.sqlite3"), &all_tables()).expect("open sqlite");
    TestStore { store: Arc::new(store), _dir: Some(dir) }
}

/// Where the emulator the test script started listens (moto: DynamoDB, API Gateway, Secrets Manager).
pub fn emulator_endpoint() -> String {
    std::env::var(DYNAMODB_ENDPOINT_VAR).unwrap_or_else(|_| {
        panic!(
            "{DYNAMODB_ENDPOINT_VAR} is not set: run the suite through scripts/test, which starts the DynamoDB emulator"
        )
    })
}

/// Fresh tables under a unique prefix on the emulator the test script started.
pub async fn dynamodb() -> TestStore {
    let endpoint = emulator_endpoint();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .http_client(paas_core::aws::http_client())
        .build();
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(config), format!("t{}-", ulid::Ulid::new()));
    store.create_tables(&all_tables()).await.expect("create tables on the emulator");
    TestStore { store: Arc::new(store), _dir: None }
}

/// The whole local service (every function's routes) on fresh storage, as
/// `paas serve` runs it, called in-process.
pub struct TestApp {
    pub router: axum::Router,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

/// A response as a client sees it.
#[derive(Debug)]
pub struct Reply {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: serde_json::Value,
    pub text: String,
}

impl Reply {
    /// Asserts the status and that an error is problem+json with this code.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        if status >= 400 {
            assert_eq!(self.headers[http::header::CONTENT_TYPE], "application/problem+json", "{}", self.text);
        }
        self
    }

    #[track_caller]
    pub fn expect_code(&self, status: u16, code: &str) -> &Self {
        self.expect(status);
        assert_eq!(self.body["code"], code, "{}", self.text);
        self
    }

    pub fn str(&self, field: &str) -> String {
        self.body[field].as_str().unwrap_or_else(|| panic!("no string {field} in {}", self.text)).to_owned()
    }
}

/// A tenant made through sign-up, with its admin's tokens.
#[derive(Debug, Clone)]
pub struct Signup {
    pub tenant_id: String,
    pub slug: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
    pub user_id: String,
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A request as a client builds it: a bearer token and a JSON body, if any.
fn request(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> http::Request<axum::body::Body> {
    let mut request = http::Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = match body {
        Some(json) => {
            request = request.header(http::header::CONTENT_TYPE, "application/json");
            axum::body::Body::from(json.to_string())
        }
        None => axum::body::Body::empty(),
    };
    request.body(body).unwrap()
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    pub async fn with(configure: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // Answers stream at once; a test that needs a paced answer sets its pace.
        let mut config = Config { data_dir: dir.path().to_owned(), offline_words_per_second: 0.0, ..Config::default() };
        configure(&mut config);
        let state = paas_store_sqlite::app_state(config, paas_core::auth::keyring::Signing::Sign).await.expect("state");
        Self { router: paas_cli::serve::app(state.clone()).expect("app"), state, _dir: dir }
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<serde_json::Value>) -> Reply {
        self.send(request(method, path, token, body)).await
    }

    pub async fn send(&self, request: http::Request<axum::body::Body>) -> Reply {
        use tower::ServiceExt;
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // Whatever a test does, no answer may carry a stored secret.
        for secret in ["$argon2", "password_hash", "\"hash\"", "pkcs8"] {
            assert!(!text.contains(secret), "a response exposes {secret}: {text}");
        }
        let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        Reply { status: parts.status, headers: parts.headers, body, text }
    }

    /// A GET as a client at `peer` sends it to `paas serve` (which knows the peer's address).
    pub async fn get_from(&self, peer: &str, path: &str, token: Option<&str>) -> Reply {
        self.call_from(peer, "GET", path, token, None).await
    }

    /// A POST as a client at `peer` sends it.
    pub async fn post_from(&self, peer: &str, path: &str, token: Option<&str>, body: serde_json::Value) -> Reply {
        self.call_from(peer, "POST", path, token, Some(body)).await
    }

    /// A request as a client at `peer` (an `ip:port`) sends it.
    pub async fn call_from(
        &self,
        peer: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Reply {
        let mut request = request(method, path, token, body);
        let peer: std::net::SocketAddr = peer.parse().expect("a socket address");
        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        self.send(request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: serde_json::Value) -> Reply {
        self.call("POST", path, token, Some(body)).await
    }

    /// Signs up a tenant whose admin is `admin@<slug>.test`.
    pub async fn signup(&self, slug: &str) -> Signup {
        self.signup_as(slug, &format!("admin@{slug}.test")).await
    }

    pub async fn signup_as(&self, slug: &str, email: &str) -> Signup {
        let reply = self
            .post(
                "/api/auth/signup",
                None,
                serde_json::json!({"tenant_name": format!("{slug} Inc"), "tenant_slug": slug, "email": email, "password": PASSWORD}),
            )
            .await;
        reply.expect(201);
        Signup {
            tenant_id: reply.body["tenant"]["tenant_id"].as_str().unwrap().to_owned(),
            slug: slug.to_owned(),
            email: email.to_owned(),
            access: reply.str("access_token"),
            refresh: reply.str("refresh_token"),
            user_id: reply.body["user"]["user_id"].as_str().unwrap().to_owned(),
        }
    }

    /// Adds a user with a role to the admin's tenant and logs them in; answers (user id, access token).
    pub async fn member(&self, admin: &Signup, role: &str) -> (String, String) {
        let email = format!("{role}-{}@{}.test", ulid::Ulid::new().to_string().to_lowercase(), admin.slug);
        let created = self
            .post(
                "/api/v1/users",
                Some(&admin.access),
                serde_json::json!({"email": email, "role": role, "password": PASSWORD}),
            )
            .await;
        created.expect(201);
        let login = self.post("/api/auth/login", None, serde_json::json!({"email": email, "password": PASSWORD})).await;
        login.expect(200);
        (created.body["user"]["user_id"].as_str().unwrap().to_owned(), login.str("access_token"))
    }

    /// Creates an API key with these scopes; answers (key id, full key).
    pub async fn api_key(&self, admin: &Signup, scopes: &[&str]) -> (String, String) {
        let reply = self
            .post("/api/v1/api-keys", Some(&admin.access), serde_json::json!({"name": "test key", "scopes": scopes}))
            .await;
        reply.expect(201);
        (reply.body["api_key"]["key_id"].as_str().unwrap().to_owned(), reply.str("key"))
    }

    /// A platform operator, created the way `paas operator create` does, logged in.
    pub async fn operator(&self) -> String {
        let email = format!("ops-{}@platform.test", ulid::Ulid::new().to_string().to_lowercase());
        paas_cli::operators::create_operator((*self.state.config).clone(), &email, PASSWORD, None)
            .await
            .expect("operator");
        let login = self.post("/api/auth/login", None, serde_json::json!({"email": email, "password": PASSWORD})).await;
        login.expect(200);
        login.str("access_token")
    }
}

impl TestApp {
    /// The service on fresh tables in the DynamoDB emulator (credentials and
    /// region from the environment, which `scripts/test` sets).
    /// On the DynamoDB emulator when `dynamodb`, else on SQLite.
    pub async fn on(dynamodb: bool) -> Self {
        if dynamodb { Self::on_dynamodb().await } else { Self::new().await }
    }

    pub async fn on_dynamodb() -> Self {
        Self::on_dynamodb_with(|_| {}).await
    }

    /// [`TestApp::on_dynamodb`], with more configuration.
    pub async fn on_dynamodb_with(extra: impl FnOnce(&mut Config)) -> Self {
        let endpoint = std::env::var(DYNAMODB_ENDPOINT_VAR)
            .unwrap_or_else(|_| panic!("{DYNAMODB_ENDPOINT_VAR} is not set: run the suite through scripts/test"));
        let prefix = format!("t{}-", ulid::Ulid::new());
        let configure = move |config: &mut Config| {
            config.store = paas_core::config::StoreKind::Dynamodb;
            config.dynamodb_endpoint = Some(endpoint);
            config.table_prefix = prefix;
        };
        let mut config = Config::default();
        configure.clone()(&mut config);
        let store = paas_core::state::dynamo_store(&config, &paas_core::aws::ambient(&config).await);
        store.create_tables(tables::ALL).await.expect("create tables on the emulator");
        Self::with(|config| {
            configure(config);
            extra(config);
        })
        .await
    }
}

impl TestApp {
    /// Serves the app on a free 127.0.0.1 port, with `paas serve`'s HTTP server,
    /// for clients that need a real connection (streaming reads, disconnects,
    /// header limits); the server stops with the test.
    pub async fn serve(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        tokio::spawn(paas_cli::http_server::serve(listener, self.router.clone(), std::future::pending()));
        addr
    }

    /// Points the tenant at a provider (a fake one in tests).
    pub async fn use_provider(&self, admin: &Signup, provider: &str, base_url: &str) {
        let body = serde_json::json!({"provider": provider, "model": "test-model", "base_url": base_url, "api_key": "sk-test-secret-9876"});
        self.call("PUT", "/api/v1/tenant/llm", Some(&admin.access), Some(body)).await.expect(200);
    }
}

/// Fails every write the first time it is tried, once armed: a write to the
/// store (put, update, delete, a transaction), and a deletion or listing in
/// the secret store. Each attempt at a long job (a deletion) then gets one
/// write further than the last before it fails, so retrying until it
/// succeeds puts a failure at every step.
#[derive(Default)]
pub struct FirstTries {
    armed: std::sync::atomic::AtomicBool,
    tried: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl FirstTries {
    pub fn arm(&self, on: bool) {
        self.armed.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    fn check(&self, what: String) -> anyhow::Result<()> {
        let first = self.armed.load(std::sync::atomic::Ordering::SeqCst)
            && self.tried.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(what.clone());
        if first { Err(anyhow::anyhow!("injected failure: {what}")) } else { Ok(()) }
    }

    fn check_store(&self, what: String) -> paas_core::store::StoreResult<()> {
        self.check(what).map_err(paas_core::store::StoreError::Backend)
    }
}

/// A store whose writes fail as [`FirstTries`] says.
pub struct FlakyStore {
    inner: DynStore,
    tries: Arc<FirstTries>,
}

fn describe(table: &TableDef, key: &paas_core::store::Key) -> String {
    format!("{}:{}:{}", table.name, key.pk, key.sk)
}

#[async_trait::async_trait]
impl paas_core::store::Store for FlakyStore {
    async fn get(
        &self,
        table: &'static TableDef,
        key: &paas_core::store::Key,
    ) -> paas_core::store::StoreResult<Option<paas_core::store::Item>> {
        self.inner.get(table, key).await
    }

    async fn put(
        &self,
        table: &'static TableDef,
        item: paas_core::store::Item,
        conds: &[paas_core::store::Cond],
    ) -> paas_core::store::StoreResult<()> {
        self.tries.check_store(format!("put {}", describe(table, &paas_core::store::key_of(&item)?)))?;
        self.inner.put(table, item, conds).await
    }

    async fn update(
        &self,
        table: &'static TableDef,
        key: &paas_core::store::Key,
        update: &paas_core::store::Update,
        conds: &[paas_core::store::Cond],
    ) -> paas_core::store::StoreResult<paas_core::store::Item> {
        self.tries.check_store(format!("update {}", describe(table, key)))?;
        self.inner.update(table, key, update, conds).await
    }

    async fn delete(
        &self,
        table: &'static TableDef,
        key: &paas_core::store::Key,
        conds: &[paas_core::store::Cond],
    ) -> paas_core::store::StoreResult<Option<paas_core::store::Item>> {
        self.tries.check_store(format!("delete {}", describe(table, key)))?;
        self.inner.delete(table, key, conds).await
    }

    async fn query(&self, query: &paas_core::store::Query) -> paas_core::store::StoreResult<paas_core::store::Page> {
        self.inner.query(query).await
    }

    async fn transact(&self, writes: Vec<paas_core::store::Write>) -> paas_core::store::StoreResult<()> {
        use paas_core::store::Write;
        let mut targets = Vec::new();
        for write in &writes {
            targets.push(match write {
                Write::Put { table, item, .. } => describe(table, &paas_core::store::key_of(item)?),
                Write::Update { table, key, .. }
                | Write::Delete { table, key, .. }
                | Write::Check { table, key, .. } => describe(table, key),
            });
        }
        self.tries.check_store(format!("transact {}", targets.join(" ")))?;
        self.inner.transact(writes).await
    }

    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }
}

/// A secret store whose deletions and listings fail as [`FirstTries`] says.
pub struct FlakySecrets {
    inner: paas_core::secrets::DynSecrets,
    tries: Arc<FirstTries>,
}

#[async_trait::async_trait]
impl paas_core::secrets::SecretStore for FlakySecrets {
    async fn get(&self, name: &str) -> anyhow::Result<Option<String>> {
        self.inner.get(name).await
    }

    async fn put(&self, name: &str, value: &str) -> anyhow::Result<()> {
        self.inner.put(name, value).await
    }

    async fn delete(&self, name: &str) -> anyhow::Result<()> {
        self.tries.check(format!("delete secret {name}"))?;
        self.inner.delete(name).await
    }

    async fn list(&self, prefix: &str, page: Option<String>) -> anyhow::Result<(Vec<String>, Option<String>)> {
        self.tries.check(format!("list secrets {prefix} {page:?}"))?;
        self.inner.list(prefix, page).await
    }
}

impl TestApp {
    /// The same service on the same data, with its store and secret store
    /// failing as the answered [`FirstTries`] says once it is armed.
    pub fn flaky(&mut self) -> Arc<FirstTries> {
        let tries = Arc::new(FirstTries::default());
        self.rebuild(|state| {
            state.store = Arc::new(FlakyStore { inner: state.store.clone(), tries: tries.clone() });
            state.secrets = Arc::new(FlakySecrets { inner: state.secrets.clone(), tries: tries.clone() });
        });
        tries
    }

    /// The same service on the same data, with its state changed (another backend in front, say).
    pub fn rebuild(&mut self, change: impl FnOnce(&mut AppState)) {
        change(&mut self.state);
        self.router = paas_cli::serve::app(self.state.clone()).expect("app");
    }
}

/// Runs each named story, an `async fn story(app: TestApp)`, once on SQLite
/// and once on the DynamoDB emulator (`mod story { on_sqlite, on_dynamodb }`).
/// The app comes from `with = make;` (an `async fn make(dynamodb: bool) -> TestApp`),
/// [`TestApp::on`] by default.
macro_rules! on_both_backends {
    (with = $make:path; $($story:ident),* $(,)?) => {$(
        mod $story {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_sqlite() {
                super::$story($make(false).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn on_dynamodb() {
                super::$story($make(true).await).await;
            }
        }
    )*};
    ($($story:ident),* $(,)?) => {
        $crate::support::on_both_backends!(with = $crate::support::TestApp::on; $($story),*);
    };
}
pub(crate) use on_both_backends;
