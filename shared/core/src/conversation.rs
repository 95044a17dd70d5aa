//! Conversations: sessions (one item each in the tenant's partition, sort
//! key the session's ULID, so a partition reads newest first backwards) and
//! their messages and agent-log entries, in one partition per session
//! (`<tenant>#<session>`, so a busy tenant has no hot partition).
//!
//! Deleting a session marks it first ([`tombstone`]), so it reads as missing
//! at once and a failed deletion can be resumed; every message and log entry
//! is written on the condition that its session is live, so a turn still
//! running when its session is deleted writes nothing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::principal::{Actor, Caller};
use crate::domain::Usage;
use crate::domain::{SessionId, TenantId};
use crate::identity::tenants::{self, Tenant};
use crate::metering::usage;
use crate::store::keys;
use crate::store::{
    Cond, Cursor, DynStore, MAX_TRANSACTION_WRITES, Query, SortRange, StoreError, Update, Write, from_item, tables,
    to_item, tombstone,
};
use crate::{AppError, AppResult};

/// Who started a session: a user, or an API key acting for a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Owner {
    User(String),
    ApiKey(String),
}

impl Owner {
    /// The owner of what a caller creates.
    pub fn of(caller: &Caller) -> Self {
        match &caller.actor {
            Actor::User(user) => Self::User(user.user_id.to_string()),
            Actor::ApiKey(key) => Self::ApiKey(key.key_id.as_str().to_owned()),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Session {
    pub session_id: SessionId,
    pub title: String,
    pub agent_type: Option<String>,
    pub agent_id: Option<String>,
    /// The agent definition's version the session was started with.
    pub agent_version: Option<u64>,
    pub owner: Owner,
    pub message_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageRole {
    User,
    Assistant,
}

/// Whether an assistant message holds a whole answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Complete,
    /// The stream ended early (client gone, provider error, cap reached): the text is what was streamed.
    Partial,
    /// Nothing was produced.
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    pub message_id: String,
    pub role: MessageRole,
    pub content: String,
    pub status: MessageStatus,
    pub model: Option<String>,
    pub usage: Option<Usage>,
    /// How the turn ended, for assistant messages.
    pub outcome: Option<TurnOutcome>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The most characters a chat message may have.
pub const MAX_MESSAGE_CHARS: usize = 32_000;

/// How a turn ended: the chat stream's `done` frame and the answer's
/// message carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TurnOutcome {
    Completed,
    Failed,
    /// The client went away, or stopped the turn.
    Cancelled,
    /// A limit ended the answer early (output tokens, steps, size).
    Truncated,
}

impl TurnOutcome {
    /// The serde name, for metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Truncated => "truncated",
        }
    }
}

/// What a step of the agent's work was; a newer server may add kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThoughtKind {
    /// The model's own reasoning, where the provider streams it.
    Reasoning,
    /// A tool the model called, with its arguments.
    ToolCall,
    /// What the tool answered.
    ToolResult,
}

/// A step of the agent's work: reasoning, a tool call, a tool result.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LogEntry {
    pub entry_id: String,
    /// The assistant message of the turn the step belongs to.
    pub message_id: String,
    pub kind: ThoughtKind,
    pub text: String,
    pub step: u32,
    pub created_at: DateTime<Utc>,
}

/// A session title from the first message: its first line, shortened.
pub fn title_from(message: &str) -> String {
    let line = message.lines().find(|l| !l.trim().is_empty()).unwrap_or("New chat").trim();
    let mut title: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        title.push('…');
    }
    title
}

impl Session {
    /// Only a session's owner, or an admin, may change it or add turns to it.
    pub fn check_may_change(&self, caller: &Caller) -> AppResult<()> {
        if caller.can(crate::auth::permission::Permission::TenantManage) || Owner::of(caller) == self.owner {
            Ok(())
        } else {
            Err(AppError::Forbidden("only the session's owner or an admin may change it".into()))
        }
    }

    pub fn new(
        title: String,
        owner: Owner,
        agent_type: Option<String>,
        agent_id: Option<String>,
        agent_version: Option<u64>,
    ) -> Self {
        let now = Utc::now();
        Self {
            session_id: SessionId::generate(),
            title,
            agent_type,
            agent_id,
            agent_version,
            owner,
            message_count: 0,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Creates a session, with its first message when there is one, and counts
/// it against the tenant's sessions today, in one transaction and only
/// while the tenant is live: 429 when today's sessions are used up, 404 once
/// the tenant's deletion began. Nothing is written unless all of it is.
pub async fn open(store: &DynStore, tenant: &Tenant, session: &mut Session, first: Option<&Message>) -> AppResult<()> {
    let now = Utc::now();
    let tenant_id = &tenant.tenant_id;
    if let Some(message) = first {
        session.message_count = 1;
        session.updated_at = message.created_at;
    }
    let mut writes = vec![
        usage::count_session(tenant, now),
        tenants::check_live(tenant_id),
        Write::Put {
            table: &tables::SESSIONS,
            item: to_item(&keys::session(tenant_id, &session.session_id), session)?,
            conds: vec![Cond::NotExists],
        },
    ];
    if let Some(message) = first {
        let key = keys::message(tenant_id, &session.session_id, &message.message_id);
        writes.push(Write::Put {
            table: &tables::MESSAGES,
            item: to_item(&key, message)?,
            conds: vec![Cond::NotExists],
        });
    }
    match store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { write: Some(0) }) => Err(usage::sessions_exceeded(tenant, now)),
        // The tenant is being deleted.
        Err(err) => Err(AppError::missing_if_condition_failed(err)),
    }
}

/// A session of this tenant; a malformed or foreign id, or one being deleted, is simply missing.
pub async fn get(store: &DynStore, tenant_id: &TenantId, session_id: &str) -> AppResult<Option<Session>> {
    let Ok(session_id) = SessionId::parse(session_id) else { return Ok(None) };
    let item = store.get(&tables::SESSIONS, &keys::session(tenant_id, &session_id)).await?;
    Ok(tombstone::unless_marked(item).map(from_item).transpose()?)
}

/// A session as its deletion sees it: also while it is being deleted, so a retry can finish.
pub async fn get_to_delete(store: &DynStore, tenant_id: &TenantId, session_id: &str) -> AppResult<Option<Session>> {
    let Ok(session_id) = SessionId::parse(session_id) else { return Ok(None) };
    Ok(store.get(&tables::SESSIONS, &keys::session(tenant_id, &session_id)).await?.map(from_item).transpose()?)
}

/// The tenant's sessions, newest first.
pub async fn list(
    store: &DynStore,
    tenant_id: &TenantId,
    limit: usize,
    cursor: Option<Cursor>,
) -> AppResult<(Vec<Session>, Option<String>)> {
    let query = Query::partition(&tables::SESSIONS, tenant_id.as_str()).backward().limit(limit).after(cursor);
    let mut page = store.query(&query).await?;
    page.items.retain(|item| !tombstone::is_marked(item));
    Ok(page.typed()?)
}

pub async fn rename(store: &DynStore, tenant_id: &TenantId, session: &Session, title: &str) -> AppResult<Session> {
    let update = Update::default()
        .set("title", title)
        .set("updated_at", serde_json::to_value(Utc::now()).map_err(AppError::internal)?);
    let key = keys::session(tenant_id, &session.session_id);
    let item = store.update(&tables::SESSIONS, &key, &update, &tombstone::live()).await;
    Ok(from_item(item.map_err(AppError::missing_if_condition_failed)?)?)
}

/// Deletes a session with its messages and log: marked first, the record
/// last, so a deletion that fails half-way is finished by the next one.
pub async fn delete(store: &DynStore, tenant_id: &TenantId, session_id: &SessionId) -> AppResult<()> {
    let key = keys::session(tenant_id, session_id);
    tombstone::mark(store.as_ref(), &tables::SESSIONS, &key).await?;
    crate::store::delete_partition(store.as_ref(), &tables::MESSAGES, &keys::session_messages(tenant_id, session_id))
        .await?;
    store.delete(&tables::SESSIONS, &key, &[]).await?;
    Ok(())
}

/// Every session of a tenant as stored, being deleted or not (for the tenant's deletion).
pub(crate) async fn all_ids(store: &DynStore, tenant_id: &TenantId) -> AppResult<Vec<SessionId>> {
    let query = Query::partition(&tables::SESSIONS, tenant_id.as_str()).limit(500);
    let items = crate::store::query_all(store.as_ref(), query).await?;
    items
        .iter()
        .map(|item| {
            let key = crate::store::key_of(item)?;
            SessionId::parse(&key.sk).map_err(|_| AppError::internal(anyhow::anyhow!("a session key is no session id")))
        })
        .collect()
}

/// The write that holds only while the session is live.
fn check_live(tenant_id: &TenantId, session_id: &SessionId) -> Write {
    tombstone::check_live(&tables::SESSIONS, keys::session(tenant_id, session_id))
}

/// Stores a message and counts it on its session, together.
pub async fn append(
    store: &DynStore,
    tenant_id: &TenantId,
    session_id: &SessionId,
    message: &Message,
) -> AppResult<()> {
    let now = serde_json::to_value(Utc::now()).map_err(AppError::internal)?;
    let writes = vec![
        Write::Put {
            table: &tables::MESSAGES,
            item: to_item(&keys::message(tenant_id, session_id, &message.message_id), message)?,
            conds: vec![Cond::NotExists],
        },
        Write::Update {
            table: &tables::SESSIONS,
            key: keys::session(tenant_id, session_id),
            update: Update::default().add("message_count", 1).set("updated_at", now),
            conds: tombstone::live(),
        },
    ];
    // A failed condition: the session was deleted while its turn ran.
    store.transact(writes).await.map_err(AppError::missing_if_condition_failed)
}

/// Stores a turn's log entries, in as few transactions as fit, each only while the session is live
/// (404 once it is deleted, and nothing written).
pub async fn append_log(
    store: &DynStore,
    tenant_id: &TenantId,
    session_id: &SessionId,
    entries: &[LogEntry],
) -> AppResult<()> {
    for chunk in entries.chunks(MAX_TRANSACTION_WRITES - 1) {
        let mut writes = vec![check_live(tenant_id, session_id)];
        for entry in chunk {
            let item = to_item(&keys::log_entry(tenant_id, session_id, &entry.entry_id), entry)?;
            writes.push(Write::Put { table: &tables::MESSAGES, item, conds: vec![] });
        }
        store.transact(writes).await.map_err(AppError::missing_if_condition_failed)?;
    }
    Ok(())
}

async fn page_of<T: serde::de::DeserializeOwned>(
    store: &DynStore,
    tenant_id: &TenantId,
    session_id: &SessionId,
    prefix: &str,
    limit: usize,
    cursor: Option<Cursor>,
    newest_first: bool,
) -> AppResult<(Vec<T>, Option<String>)> {
    let mut query = Query::partition(&tables::MESSAGES, keys::session_messages(tenant_id, session_id))
        .range(SortRange::Prefix(prefix.into()))
        .limit(limit)
        .after(cursor);
    if newest_first {
        query = query.backward();
    }
    Ok(store.query(&query).await?.typed()?)
}

/// A session's messages, newest first.
pub async fn messages(
    store: &DynStore,
    tenant_id: &TenantId,
    session_id: &SessionId,
    limit: usize,
    cursor: Option<Cursor>,
) -> AppResult<(Vec<Message>, Option<String>)> {
    page_of(store, tenant_id, session_id, keys::MESSAGE_PREFIX, limit, cursor, true).await
}

/// A session's agent log, in the order the steps happened.
pub async fn log(
    store: &DynStore,
    tenant_id: &TenantId,
    session_id: &SessionId,
    limit: usize,
    cursor: Option<Cursor>,
) -> AppResult<(Vec<LogEntry>, Option<String>)> {
    page_of(store, tenant_id, session_id, keys::LOG_PREFIX, limit, cursor, false).await
}

/// The latest messages of a session, oldest first: the history a new turn sends.
pub async fn history(
    store: &DynStore,
    tenant_id: &TenantId,
    session_id: &SessionId,
    limit: usize,
) -> AppResult<Vec<Message>> {
    let (mut recent, _) = messages(store, tenant_id, session_id, limit, None).await?;
    recent.reverse();
    Ok(recent)
}
