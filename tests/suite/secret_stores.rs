//! The secret stores' contract, on the local file and on Secrets Manager
//! (moto's, beside the DynamoDB emulator): names listed by prefix, page by
//! page, exactly (Secrets Manager's own name filter ignores case), and every
//! secret under a prefix deleted, as a tenant's deletion does.

use std::collections::BTreeSet;
use std::sync::Arc;

use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
use paas_core::secrets::{self, AwsSecrets, DynSecrets, LocalSecrets};

/// Every name under the prefix, and how many pages held them.
async fn all_names(store: &DynSecrets, prefix: &str) -> (BTreeSet<String>, usize) {
    let (mut names, mut page) = store.list(prefix, None).await.unwrap();
    let mut pages = 1;
    while let Some(token) = page {
        let (more, next) = store.list(prefix, Some(token)).await.unwrap();
        names.extend(more);
        page = next;
        pages += 1;
        assert!(pages < 20, "pagination does not end");
    }
    let count = names.len();
    let names: BTreeSet<String> = names.into_iter().collect();
    assert_eq!(names.len(), count, "each name once");
    (names, pages)
}

async fn lists_and_deletes_by_prefix(store: DynSecrets) {
    let tenant: BTreeSet<String> = (0..105).map(|i| format!("tenants/01ABC/tools/{i:03}")).collect();
    let others = ["tenants/01ABCD/llm-api-key/openai", "tenants/01abc/tools/x", "api-key-pepper"];
    for name in tenant.iter().map(String::as_str).chain(others) {
        store.put(name, "value").await.unwrap();
    }
    let (listed, pages) = all_names(&store, "tenants/01ABC/").await;
    assert_eq!(listed, tenant, "every name under the prefix and no other");
    assert!(pages > 1, "105 names take more than one page");

    secrets::delete_prefixed(store.as_ref(), "tenants/01ABC/").await.unwrap();
    assert!(all_names(&store, "tenants/01ABC/").await.0.is_empty());
    for name in others {
        assert_eq!(store.get(name).await.unwrap().as_deref(), Some("value"), "{name} is not under the prefix");
    }
    secrets::delete_prefixed(store.as_ref(), "tenants/01ABC/").await.unwrap();
}

#[tokio::test]
async fn local_lists_and_deletes_by_prefix() {
    let dir = tempfile::tempdir().unwrap();
    lists_and_deletes_by_prefix(Arc::new(LocalSecrets::open(dir.path()).unwrap())).await;
}

fn secrets_manager() -> aws_sdk_secretsmanager::Client {
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(crate::support::emulator_endpoint())
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .http_client(paas_core::aws::http_client())
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

#[tokio::test]
async fn secrets_manager_lists_and_deletes_by_prefix() {
    lists_and_deletes_by_prefix(AwsSecrets::full(secrets_manager(), format!("t{}/", ulid::Ulid::new()))).await;
}

/// A function whose IAM policy only reads (admin, sessions, chat, the
/// authorizer) reads what the others wrote, and its writes fail, changing
/// nothing; one that also writes (auth) still cannot list or delete; one that
/// also deletes (agents) still cannot list.
#[tokio::test]
async fn a_function_changes_secrets_only_as_its_policy_allows() {
    let prefix = format!("t{}/", ulid::Ulid::new());
    let writer = AwsSecrets::full(secrets_manager(), prefix.clone());
    let reader = AwsSecrets::read_only(secrets_manager(), prefix.clone());
    let auth = AwsSecrets::read_write(secrets_manager(), prefix.clone());
    let agents = AwsSecrets::read_write_delete(secrets_manager(), prefix);
    writer.put("api-key-pepper", "pepper").await.unwrap();
    assert_eq!(reader.get("api-key-pepper").await.unwrap().as_deref(), Some("pepper"));
    assert_eq!(reader.get("missing").await.unwrap(), None);

    assert!(reader.put("api-key-pepper", "other").await.is_err());
    assert!(reader.put("new", "value").await.is_err());
    assert!(reader.delete("api-key-pepper").await.is_err());
    assert!(reader.list("", None).await.is_err());
    assert_eq!(writer.get("api-key-pepper").await.unwrap().as_deref(), Some("pepper"));
    assert_eq!(writer.get("new").await.unwrap(), None);

    auth.put("jwt-verify-keys", "keys").await.unwrap();
    assert_eq!(reader.get("jwt-verify-keys").await.unwrap().as_deref(), Some("keys"));
    assert!(auth.delete("jwt-verify-keys").await.is_err());
    assert!(auth.list("", None).await.is_err());

    agents.put("tenants/t1/llm-api-key", "sk-1").await.unwrap();
    assert_eq!(reader.get("tenants/t1/llm-api-key").await.unwrap().as_deref(), Some("sk-1"));
    assert!(agents.list("tenants/", None).await.is_err());
    agents.delete("tenants/t1/llm-api-key").await.unwrap();
    assert_eq!(writer.get("tenants/t1/llm-api-key").await.unwrap(), None);
    for name in ["api-key-pepper", "jwt-verify-keys"] {
        assert!(writer.get(name).await.unwrap().is_some());
        writer.delete(name).await.unwrap();
    }
}
