//! Typed configuration, read once at start from `PAAS_*` environment
//! variables. Every default is the local one; the SAM template sets the AWS ones.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

pub const ENV_PREFIX: &str = "PAAS_";

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `PAAS_BIND`: address of the local server.
    pub bind: SocketAddr,
    /// `PAAS_DATA_DIR`: where the local runner keeps its SQLite file and secrets.
    pub data_dir: PathBuf,
    /// `PAAS_STORE`: `sqlite` (embedded default) or `dynamodb`.
    pub store: StoreKind,
    /// `PAAS_DYNAMODB_ENDPOINT`: a DynamoDB endpoint other than AWS's (an emulator, DynamoDB Local).
    pub dynamodb_endpoint: Option<String>,
    /// `PAAS_TABLE_PREFIX`: prepended to every table name on DynamoDB.
    pub table_prefix: String,
    /// `PAAS_LOG_FORMAT`: `json` (default) or `pretty`.
    pub log_format: LogFormat,
    /// `PAAS_LOG`: a tracing filter such as `info` or `paas=debug,info`.
    pub log: String,
    /// `PAAS_OTEL_EXPORTER`: `none` (default) or `otlp`, which exports spans over OTLP/HTTP to
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://localhost:4318`, the collector layer on Lambda).
    pub otel_exporter: OtelExporter,
    /// `PAAS_MAX_BODY_BYTES`: the largest request body accepted.
    pub max_body_bytes: usize,
    /// `PAAS_FRONTEND_DIR`: the built web app the local runner serves, when present.
    pub frontend_dir: PathBuf,
    /// `PAAS_SECRETS`: `local` (a file in the data directory) or `aws` (Secrets Manager).
    pub secrets: SecretsKind,
    /// `PAAS_SECRETS_PREFIX`: prepended to secret names in Secrets Manager.
    pub secrets_prefix: String,
    /// `PAAS_JWT_ISSUER` and `PAAS_JWT_AUDIENCE`: the `iss` and `aud` of access tokens.
    pub jwt_issuer: String,
    pub jwt_audience: String,
    /// `PAAS_REFRESH_GRACE_SECS`: how long the refresh token a rotation just
    /// replaced counts as a client's parallel request rather than reuse.
    pub refresh_grace_secs: u32,
    /// `PAAS_KEY_REFRESH_SECS`: the longest a process uses the access-token keys it loaded before
    /// reading them again, so a key removed from the secret store stops verifying within this time.
    pub key_refresh_secs: u64,
    /// `PAAS_TURN_MAX_SECS`: the longest a chat turn may stream before it is cut (outcome `truncated`).
    pub turn_max_secs: u64,
    /// `PAAS_TURN_MAX_OUTPUT_TOKENS`: the most output tokens any turn may ask a provider for.
    pub turn_max_output_tokens: u32,
    /// `PAAS_CONTEXT_TOKENS`: the context budget a turn's history is trimmed to (output allowance included).
    pub context_tokens: u32,
    /// `PAAS_ALLOW_LOOPBACK_URLS`: tenant-supplied URLs (an LLM base URL) may point at this machine,
    /// over plain http too; true for the local runner (a local Ollama), false on AWS.
    pub allow_loopback_urls: bool,
    /// `PAAS_ALLOW_PRIVATE_URLS`: tenant-supplied URLs may point at private networks.
    pub allow_private_urls: bool,
    /// `PAAS_LLM_CONNECT_TIMEOUT_MS`, `PAAS_LLM_FIRST_TOKEN_TIMEOUT_MS`, `PAAS_LLM_IDLE_TIMEOUT_MS`:
    /// how long a provider may take to accept a connection, to send its first token, and between events.
    pub llm_connect_timeout_ms: u64,
    /// `PAAS_HEARTBEAT_MS`: the longest a chat stream stays silent before a `: heartbeat` comment
    /// (API Gateway and proxies close idle streams).
    pub heartbeat_ms: u64,
    pub llm_first_token_timeout_ms: u64,
    pub llm_idle_timeout_ms: u64,
    /// `PAAS_OFFLINE_WORDS_PER_SECOND`: how fast the offline provider streams its answer,
    /// paced as a model would so that streaming shows; 0 sends it at once (tests).
    pub offline_words_per_second: f64,
    /// `PAAS_APIGW_USAGE_PLANS`: the API Gateway usage plan of each tenant plan,
    /// `free=<id>,pro=<id>,enterprise=<id>`. Unset (the local runner, most tests):
    /// tenants get no API Gateway key and nothing calls API Gateway.
    pub apigw_usage_plans: Option<String>,
    /// `PAAS_APIGW_ENDPOINT`: an API Gateway endpoint other than AWS's (an emulator, in tests).
    pub apigw_endpoint: Option<String>,
    /// `PAAS_APIGW_PLATFORM_KEY`: the API Gateway key value the authorizer meters
    /// platform operators on (they belong to no tenant).
    pub apigw_platform_key: Option<String>,
    /// `PAAS_METRICS_TOKEN`: a bearer token that opens the local runner's
    /// `/metrics` to other machines; without it only loopback clients may read it.
    pub metrics_token: Option<String>,
    /// `PAAS_ORIGIN_SECRET`: the value CloudFront sends in `X-Origin-Secret`
    /// with every origin request; only a request carrying it may name its
    /// viewer in `CloudFront-Viewer-Address` (see [`crate::auth::client_addr`]).
    pub origin_secret: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretsKind {
    Local,
    Aws,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Sqlite,
    Dynamodb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OtelExporter {
    None,
    Otlp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            store: StoreKind::Sqlite,
            dynamodb_endpoint: None,
            table_prefix: "paas-".into(),
            log_format: LogFormat::Json,
            log: "info".into(),
            otel_exporter: OtelExporter::None,
            max_body_bytes: 1024 * 1024,
            frontend_dir: PathBuf::from("frontend/dist"),
            secrets: SecretsKind::Local,
            secrets_prefix: "paas/".into(),
            jwt_issuer: "agent-paas".into(),
            jwt_audience: "agent-paas-api".into(),
            refresh_grace_secs: 10,
            key_refresh_secs: 300,
            turn_max_secs: 120,
            turn_max_output_tokens: 4096,
            context_tokens: 16_000,
            allow_loopback_urls: true,
            allow_private_urls: false,
            llm_connect_timeout_ms: 10_000,
            heartbeat_ms: 15_000,
            llm_first_token_timeout_ms: 60_000,
            llm_idle_timeout_ms: 30_000,
            offline_words_per_second: 30.0,
            apigw_usage_plans: None,
            apigw_endpoint: None,
            apigw_platform_key: None,
            metrics_token: None,
            origin_secret: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0} (variables start with {ENV_PREFIX})")]
pub struct ConfigError(#[from] envy::Error);

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(envy::prefixed(ENV_PREFIX).from_env()?)
    }

    /// The SQLite file the embedded store uses.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("paas.sqlite3")
    }
}
