//! Users of a tenant (items `USER#<id>` in the tenant's partition) and the
//! global email pointers (`EMAIL#<email>` → one item per tenant) that log-in
//! reads and that keep an email unique within a tenant. Platform operators
//! live the same way in the [`PLATFORM`](super::PLATFORM) partition.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{DisplayName, Email, Quota, Role, TenantId, UserId, UserStatus};
use crate::store::{
    Cond, DynStore, Key, Query, SortRange, StoreError, StoreResult, Update, Write, from_item, tables, to_item,
};
use crate::{AppError, AppResult};

use super::tenants;

/// A stored user. `password_hash` never leaves this module's callers: the
/// API answers [`UserView`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub user_id: UserId,
    /// The tenant id, or [`PLATFORM`](super::PLATFORM) for operators.
    pub partition: String,
    pub email: Email,
    pub name: Option<DisplayName>,
    /// `None` for platform operators, who hold no tenant role.
    pub role: Option<Role>,
    pub status: UserStatus,
    pub password_hash: Option<String>,
    /// Bumped to revoke every token issued before (log out everywhere).
    pub token_version: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub user_id: UserId,
    pub email: Email,
    pub name: Option<DisplayName>,
    pub role: Option<Role>,
    pub status: UserStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            user_id: user.user_id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role,
            status: user.status,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

impl User {
    pub fn new(partition: &str, email: Email, name: Option<DisplayName>, role: Option<Role>) -> Self {
        let now = Utc::now();
        Self {
            user_id: UserId::generate(),
            partition: partition.to_owned(),
            email,
            name,
            role,
            status: UserStatus::Active,
            password_hash: None,
            token_version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn key(&self) -> Key {
        user_key(&self.partition, &self.user_id)
    }
}

pub fn user_key(partition: &str, user_id: &UserId) -> Key {
    Key::new(partition, format!("USER#{user_id}"))
}

pub(crate) fn email_key(email: &Email, partition: &str) -> Key {
    Key::new(format!("EMAIL#{email}"), partition)
}

/// A log-in candidate: an email's user in one partition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailPointer {
    pub partition: String,
    pub user_id: UserId,
}

/// The writes that create a user and claim its email within the partition;
/// `EMAIL_WRITE` is the index of the claim among them.
pub fn create_writes(user: &User) -> StoreResult<Vec<Write>> {
    let pointer = EmailPointer { partition: user.partition.clone(), user_id: user.user_id.clone() };
    Ok(vec![
        Write::Put { table: &tables::USERS, item: to_item(&user.key(), user)?, conds: vec![Cond::NotExists] },
        Write::Put {
            table: &tables::USERS,
            item: to_item(&email_key(&user.email, &user.partition), &pointer)?,
            conds: vec![Cond::NotExists],
        },
    ])
}

pub const EMAIL_WRITE: usize = 1;

pub fn email_taken() -> AppError {
    AppError::ConflictCode { code: "email_taken", detail: "a user with this email already exists here".into() }
}

/// Creates a user of a tenant within its user quota.
pub async fn create_in_tenant(store: &DynStore, tenant_id: &TenantId, max_users: u32, user: &User) -> AppResult<()> {
    let mut writes = vec![tenants::take_count(tenant_id, Quota::Users, max_users)];
    writes.extend(create_writes(user)?);
    match store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { write: Some(0) }) => Err(tenants::quota_error(Quota::Users, max_users)),
        Err(StoreError::ConditionFailed { write: Some(i) }) if i == 1 + EMAIL_WRITE => Err(email_taken()),
        Err(err) => Err(err.into()),
    }
}

pub async fn get(store: &DynStore, partition: &str, user_id: &UserId) -> AppResult<Option<User>> {
    Ok(store.get(&tables::USERS, &user_key(partition, user_id)).await?.map(from_item).transpose()?)
}

/// Saves a changed user only if nobody changed it since it was read (409 otherwise).
pub async fn save(store: &DynStore, user: &mut User) -> AppResult<()> {
    let seen = serde_json::to_value(user.updated_at).map_err(AppError::internal)?;
    user.updated_at = Utc::now();
    store.put(&tables::USERS, to_item(&user.key(), user)?, &[Cond::Equals("updated_at".into(), seen)]).await?;
    Ok(())
}

/// Bumps a user's token version: every access and refresh token issued before stops working.
pub async fn revoke_tokens(store: &DynStore, user: &User) -> AppResult<u64> {
    let update = Update::default().add("token_version", 1);
    let item = store.update(&tables::USERS, &user.key(), &update, &[Cond::Exists]).await?;
    let user: User = from_item(item)?;
    Ok(user.token_version)
}

/// Deletes a tenant's user, its email claim and its unit of the user quota.
pub async fn delete_in_tenant(store: &DynStore, tenant_id: &TenantId, user: &User) -> AppResult<()> {
    let writes = vec![
        Write::Delete { table: &tables::USERS, key: user.key(), conds: vec![Cond::Exists] },
        Write::Delete { table: &tables::USERS, key: email_key(&user.email, tenant_id.as_str()), conds: vec![] },
        tenants::release_count(tenant_id, Quota::Users),
    ];
    store.transact(writes).await.map_err(AppError::missing_if_condition_failed)
}

/// One page of a tenant's users, newest first.
pub async fn list(
    store: &DynStore,
    tenant_id: &TenantId,
    limit: usize,
    cursor: Option<crate::store::Cursor>,
) -> AppResult<(Vec<User>, Option<String>)> {
    let query = Query::partition(&tables::USERS, tenant_id.as_str())
        .range(SortRange::Prefix("USER#".into()))
        .backward()
        .limit(limit)
        .after(cursor);
    Ok(store.query(&query).await?.typed()?)
}

pub(crate) async fn list_all(store: &DynStore, tenant_id: &TenantId) -> AppResult<Vec<User>> {
    let query =
        Query::partition(&tables::USERS, tenant_id.as_str()).range(SortRange::Prefix("USER#".into())).limit(500);
    let items = crate::store::query_all(store.as_ref(), query).await?;
    Ok(items.into_iter().map(from_item).collect::<StoreResult<Vec<User>>>()?)
}

/// Every account an email has, across tenants and the platform.
pub async fn accounts_of(store: &DynStore, email: &Email) -> AppResult<Vec<User>> {
    let query = Query::partition(&tables::USERS, format!("EMAIL#{email}")).limit(100);
    let page = store.query(&query).await?;
    let mut users = Vec::new();
    for item in page.items {
        let pointer: EmailPointer = from_item(item)?;
        if let Some(user) = get(store, &pointer.partition, &pointer.user_id).await? {
            users.push(user);
        }
    }
    Ok(users)
}
