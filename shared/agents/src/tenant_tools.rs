//! Tenant-defined HTTP tools (`TOOL#<id>` in the tenant's partition of the
//! agents table, with a `TOOLNAME#<name>` claim keeping names unique). The
//! optional secret header's value lives in the secret store, write-only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use paas_core::domain::{Quota, TenantId, TextRule};
use paas_core::identity::tenants;
use paas_core::secrets::SecretStore;
use paas_core::store::keys;
use paas_core::store::{Cond, Cursor, DynStore, Query, StoreError, Write, from_item, tables, to_item};
use paas_core::{AppError, AppResult};
use paas_llm::net_guard;
use paas_llm::tools::{self, WebhookTool};

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TenantTool {
    pub tool_id: String,
    pub name: String,
    pub description: String,
    #[schema(value_type = Object)]
    pub parameters: Value,
    pub endpoint: String,
    /// The header the secret is sent in; its value is write-only.
    pub secret_header_name: Option<String>,
    pub secret_set: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A header and its secret value, sent with every call of the tool.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretHeader {
    #[schema(pattern = "^[A-Za-z0-9-]+$", min_length = 1, max_length = 64)]
    pub name: String,
    #[schema(schema_with = header_value_schema)]
    pub value: String,
}

const HEADER_VALUE: TextRule = TextRule { min_chars: 1, ..TextRule::line(4096) };
const DESCRIPTION: TextRule = TextRule::lines(1000).not_blank();

fn header_value_schema() -> utoipa::openapi::Schema {
    HEADER_VALUE.schema(false)
}

/// What [`check_name`] accepts.
fn name_schema() -> utoipa::openapi::Schema {
    use utoipa::openapi::extensions::Extensions;
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let built_in = serde_json::json!({ "enum": tools::BUILTIN_NAMES });
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .description(Some("Unique in the tenant, and not a built-in tool's name."))
        .pattern(Some("^[a-z][a-z0-9_]*$"))
        .min_length(Some(1))
        .max_length(Some(64))
        .extensions(Some(Extensions::from_iter([("not", built_in)])))
        .into()
}

fn description_schema() -> utoipa::openapi::Schema {
    DESCRIPTION.schema(true)
}

/// A tool's fields as an update request carries them; absent or `null`
/// leaves one as it is, but for `secret_header`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolFields {
    #[schema(schema_with = name_schema)]
    pub name: Option<String>,
    #[schema(schema_with = description_schema)]
    pub description: Option<String>,
    #[schema(schema_with = tools::parameters_schema)]
    pub parameters: Option<Value>,
    /// Where the tool is called (POST, JSON); it must lead to an address the
    /// platform's network policy allows.
    #[schema(schema_with = net_guard::url_schema)]
    pub endpoint: Option<String>,
    /// Write-only; `null` removes it. Changing `endpoint` while a secret is
    /// set needs it given again (or `null`): 409 `secret_required`.
    #[serde(default, deserialize_with = "present")]
    pub secret_header: Option<Option<SecretHeader>>,
}

paas_core::create_request!(
    /// A create request: the fields, with `name`, `description` and `endpoint` required.
    NewTool = ToolFields, requiring ["name", "description", "endpoint"]
);

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<SecretHeader>>, D::Error> {
    Option::<SecretHeader>::deserialize(d).map(Some)
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::Validation(message.into())
}

fn check_name(name: &str) -> AppResult<()> {
    let shape = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !shape {
        return Err(invalid(
            "a tool name is 1 to 64 lowercase letters, digits and underscores, starting with a letter",
        ));
    }
    if tools::BUILTIN_NAMES.contains(&name) {
        return Err(invalid(format!("{name} is a built-in tool's name")));
    }
    Ok(())
}

fn check_header(header: &SecretHeader) -> AppResult<()> {
    let name_ok =
        (1..=64).contains(&header.name.len()) && header.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let value_ok = HEADER_VALUE.accepts(&header.value);
    if name_ok && value_ok {
        Ok(())
    } else {
        Err(invalid("secret_header needs a header name (letters, digits, hyphens) and a value of 1 to 4096 characters"))
    }
}

pub fn secret_name(tenant_id: &TenantId, tool_id: &str) -> String {
    format!("{}tools/{tool_id}", keys::tenant_secrets(tenant_id))
}

/// Name lookups [`named`] keeps in flight at once.
const LOOKUPS_AT_ONCE: usize = 16;

fn name_taken() -> AppError {
    AppError::ConflictCode { code: "tool_name_taken", detail: "a tool with this name exists in this tenant".into() }
}

/// Checks and applies fields; answers the secret header to store, if one was given.
async fn apply(
    tool: &mut TenantTool,
    fields: ToolFields,
    policy: &net_guard::NetPolicy,
) -> AppResult<Option<Option<SecretHeader>>> {
    if let Some(name) = fields.name {
        check_name(&name)?;
        tool.name = name;
    }
    if let Some(description) = fields.description {
        DESCRIPTION.check("description", &description)?;
        tool.description = description;
    }
    if let Some(parameters) = fields.parameters {
        tools::check_parameters_schema(&parameters).map_err(invalid)?;
        tool.parameters = parameters;
    }
    if let Some(endpoint) = fields.endpoint {
        net_guard::check_url(&endpoint, policy).await.map_err(|e| invalid(format!("endpoint: {e}")))?;
        // The secret was given for the old endpoint; it never follows a move on its own.
        if endpoint != tool.endpoint && tool.secret_set && fields.secret_header.is_none() {
            return Err(AppError::secret_required(
                "a new endpoint needs the secret_header again (or null to remove it)",
            ));
        }
        tool.endpoint = endpoint;
    }
    if let Some(Some(header)) = &fields.secret_header {
        check_header(header)?;
    }
    Ok(fields.secret_header)
}

/// Records a secret-header change on the tool item (the value goes to the
/// secret store only once the item is saved, see [`write_secret`]).
fn record_secret(tool: &mut TenantTool, header: &Option<Option<SecretHeader>>) {
    match header {
        Some(Some(header)) => {
            tool.secret_header_name = Some(header.name.clone());
            tool.secret_set = true;
        }
        Some(None) => {
            tool.secret_header_name = None;
            tool.secret_set = false;
        }
        None => {}
    }
}

/// Writes or removes the secret value after its tool item was saved.
async fn write_secret(
    secrets: &dyn SecretStore,
    tenant_id: &TenantId,
    tool_id: &str,
    header: Option<Option<SecretHeader>>,
) -> AppResult<()> {
    match header {
        Some(Some(header)) => secrets.put(&secret_name(tenant_id, tool_id), &header.value).await,
        Some(None) => secrets.delete(&secret_name(tenant_id, tool_id)).await,
        None => Ok(()),
    }
    .map_err(AppError::internal)
}

/// Stores a new tool within the tenant's tools quota: each one may hold a
/// secret, and on AWS each secret is billed, so a tenant's count is bounded.
pub async fn create(
    store: &DynStore,
    secrets: &dyn SecretStore,
    policy: &net_guard::NetPolicy,
    tenant_id: &TenantId,
    max_tools: u32,
    fields: ToolFields,
) -> AppResult<TenantTool> {
    let (Some(_), Some(_), Some(_)) = (&fields.name, &fields.description, &fields.endpoint) else {
        return Err(invalid("name, description and endpoint are required"));
    };
    let now = Utc::now();
    let mut tool = TenantTool {
        tool_id: ulid::Ulid::new().to_string(),
        name: String::new(),
        description: String::new(),
        parameters: serde_json::json!({"type": "object", "properties": {}}),
        endpoint: String::new(),
        secret_header_name: None,
        secret_set: false,
        created_at: now,
        updated_at: now,
    };
    let header = apply(&mut tool, fields, policy).await?;
    record_secret(&mut tool, &header);
    count_earlier_tools(store, tenant_id).await?;
    let claim = serde_json::json!({ "tool_id": tool.tool_id });
    let writes = vec![
        tenants::take_count(tenant_id, Quota::Tools, max_tools),
        Write::Put {
            table: &tables::AGENTS,
            item: to_item(&keys::tool_name(tenant_id, &tool.name), &claim)?,
            conds: vec![Cond::NotExists],
        },
        Write::Put {
            table: &tables::AGENTS,
            item: to_item(&keys::tool(tenant_id, &tool.tool_id), &tool)?,
            conds: vec![Cond::NotExists],
        },
    ];
    match store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { write: Some(0) }) => {
            return Err(tenants::quota_error(Quota::Tools, max_tools));
        }
        Err(StoreError::ConditionFailed { write: Some(1) }) => return Err(name_taken()),
        Err(err) => return Err(err.into()),
    }
    write_secret(secrets, tenant_id, &tool.tool_id, header).await?;
    Ok(tool)
}

/// Tools made before tools were counted count too.
async fn count_earlier_tools(store: &DynStore, tenant_id: &TenantId) -> AppResult<()> {
    let tools = Query::partition(&tables::AGENTS, tenant_id.as_str()).range(keys::under(keys::TOOL_PREFIX)).limit(500);
    tenants::count_earlier(store, tenant_id, Quota::Tools, tools).await
}

pub async fn get(store: &DynStore, tenant_id: &TenantId, tool_id: &str) -> AppResult<Option<TenantTool>> {
    if ulid::Ulid::from_string(tool_id).map(|u| u.to_string()).as_deref() != Ok(tool_id) {
        return Ok(None);
    }
    Ok(store.get(&tables::AGENTS, &keys::tool(tenant_id, tool_id)).await?.map(from_item).transpose()?)
}

pub async fn update(
    store: &DynStore,
    secrets: &dyn SecretStore,
    policy: &net_guard::NetPolicy,
    tenant_id: &TenantId,
    mut tool: TenantTool,
    fields: ToolFields,
) -> AppResult<TenantTool> {
    let (old_name, seen) = (tool.name.clone(), serde_json::to_value(tool.updated_at).map_err(AppError::internal)?);
    let header = apply(&mut tool, fields, policy).await?;
    record_secret(&mut tool, &header);
    tool.updated_at = Utc::now();
    let mut writes = vec![Write::Put {
        table: &tables::AGENTS,
        item: to_item(&keys::tool(tenant_id, &tool.tool_id), &tool)?,
        conds: vec![Cond::Equals("updated_at".into(), seen)],
    }];
    if tool.name != old_name {
        let claim = serde_json::json!({ "tool_id": tool.tool_id });
        writes.push(Write::Put {
            table: &tables::AGENTS,
            item: to_item(&keys::tool_name(tenant_id, &tool.name), &claim)?,
            conds: vec![Cond::NotExists],
        });
        writes.push(Write::Delete {
            table: &tables::AGENTS,
            key: keys::tool_name(tenant_id, &old_name),
            conds: vec![],
        });
    }
    match store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { write: Some(1) }) => return Err(name_taken()),
        Err(err) => return Err(err.into()),
    }
    write_secret(secrets, tenant_id, &tool.tool_id, header).await?;
    Ok(tool)
}

pub async fn delete(
    store: &DynStore,
    secrets: &dyn SecretStore,
    tenant_id: &TenantId,
    tool: &TenantTool,
) -> AppResult<()> {
    count_earlier_tools(store, tenant_id).await?;
    // Under the name it was read with: a rename meanwhile would leave its new claim behind (409, try again).
    let unchanged = Cond::equals("name", tool.name.as_str());
    let writes = vec![
        Write::Delete { table: &tables::AGENTS, key: keys::tool(tenant_id, &tool.tool_id), conds: vec![unchanged] },
        Write::Delete { table: &tables::AGENTS, key: keys::tool_name(tenant_id, &tool.name), conds: vec![] },
        tenants::release_count(tenant_id, Quota::Tools),
    ];
    store.transact(writes).await?;
    secrets.delete(&secret_name(tenant_id, &tool.tool_id)).await.map_err(AppError::internal)
}

/// The tenant's tools, newest first.
pub async fn list(
    store: &DynStore,
    tenant_id: &TenantId,
    limit: usize,
    cursor: Option<Cursor>,
) -> AppResult<(Vec<TenantTool>, Option<String>)> {
    let query = Query::partition(&tables::AGENTS, tenant_id.as_str())
        .range(keys::under(keys::TOOL_PREFIX))
        .backward()
        .limit(limit)
        .after(cursor);
    Ok(store.query(&query).await?.typed()?)
}

/// The tenant's tools that bear these names, found through their name
/// claims; a name no tool bears is left out. Reads only what is asked for,
/// so a turn costs the same however many tools the tenant has.
pub async fn named(store: &DynStore, tenant_id: &TenantId, names: &[String]) -> AppResult<Vec<TenantTool>> {
    let wanted: Vec<&String> = names.iter().filter(|name| check_name(name).is_ok()).collect();
    let mut found = Vec::new();
    for some in wanted.chunks(LOOKUPS_AT_ONCE) {
        let lookups = some.iter().map(|name| by_name(store, tenant_id, name));
        found.extend(futures::future::try_join_all(lookups).await?.into_iter().flatten());
    }
    Ok(found)
}

async fn by_name(store: &DynStore, tenant_id: &TenantId, name: &str) -> AppResult<Option<TenantTool>> {
    let Some(claim) = store.get(&tables::AGENTS, &keys::tool_name(tenant_id, name)).await? else {
        return Ok(None);
    };
    let tool_id = claim.get("tool_id").and_then(Value::as_str).unwrap_or_default();
    // A rename between the two reads leaves the claim's tool under another name.
    Ok(get(store, tenant_id, tool_id).await?.filter(|tool| tool.name == name))
}

/// Those of `names` an agent of this tenant may use: built-in tools and the tenant's own.
pub async fn known_among(store: &DynStore, tenant_id: &TenantId, names: &[String]) -> AppResult<Vec<String>> {
    let mut known: Vec<String> = names.iter().filter(|n| tools::BUILTIN_NAMES.contains(&n.as_str())).cloned().collect();
    known.extend(named(store, tenant_id, names).await?.into_iter().map(|t| t.name));
    Ok(known)
}

/// A tenant tool ready to call, with its secret header.
pub async fn invoker(secrets: &dyn SecretStore, tenant_id: &TenantId, tool: &TenantTool) -> AppResult<WebhookTool> {
    let secret_header = match (&tool.secret_header_name, tool.secret_set) {
        (Some(name), true) => secrets
            .get(&secret_name(tenant_id, &tool.tool_id))
            .await
            .map_err(AppError::internal)?
            .map(|value| (name.clone(), value)),
        _ => None,
    };
    Ok(WebhookTool {
        name: tool.name.clone(),
        description: tool.description.clone(),
        parameters: tool.parameters.clone(),
        endpoint: tool.endpoint.clone(),
        secret_header,
    })
}
