//! Users of a tenant (items `USER#<id>` in the tenant's partition) and the
//! global email pointers (`EMAIL#<email>` → one item per tenant) that log-in
//! reads and that keep an email unique within a tenant, with a count
//! (`ACCOUNTS#<email>`) that caps an email's tenant accounts. Platform
//! operators live the same way in the [`PLATFORM`](super::PLATFORM)
//! partition. Changes to a user never write its token version back, and
//! keep the tenant's count of active admins, which never reaches zero.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{DisplayName, Email, Quota, Role, TenantId, UserId, UserStatus};
use crate::store::keys;
use crate::store::{Cond, DynStore, Key, Query, StoreError, StoreResult, Update, Write, from_item, tables, to_item};
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
        keys::user(&self.partition, &self.user_id)
    }
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
            item: to_item(&keys::email_pointer(&user.email, &user.partition), &pointer)?,
            conds: vec![Cond::NotExists],
        },
    ])
}

pub const EMAIL_WRITE: usize = 1;

pub fn email_taken() -> AppError {
    AppError::ConflictCode { code: "email_taken", detail: "a user with this email already exists here".into() }
}

/// The most tenant accounts one email may have (operators aside), so no
/// flood of sign-ups under someone's email makes their log-in slow.
pub const MAX_ACCOUNTS_PER_EMAIL: i64 = 20;

/// Takes one of the email's tenant accounts, inside the transaction that creates it.
pub fn take_email_account(email: &Email) -> Write {
    let (update, cond) = Update::bounded_add(ACCOUNTS, 1, MAX_ACCOUNTS_PER_EMAIL);
    Write::Update { table: &tables::USERS, key: keys::email_accounts(email), update, conds: vec![cond] }
}

/// Gives one of the email's tenant accounts back.
pub fn release_email_account(email: &Email) -> Write {
    let update = Update::default().add(ACCOUNTS, -1);
    Write::Update { table: &tables::USERS, key: keys::email_accounts(email), update, conds: vec![] }
}

const ACCOUNTS: &str = "accounts";

pub fn too_many_accounts() -> AppError {
    AppError::ConflictCode {
        code: "email_account_limit",
        detail: format!(
            "this email already has {MAX_ACCOUNTS_PER_EMAIL} accounts, the most one email may have; use another email"
        ),
    }
}

/// The tenant's count of active admins, beside its quota counts.
pub const ADMINS: &str = "admins";

/// Whether a user is one of the active admins a tenant must keep.
fn is_active_admin(user: &User) -> bool {
    user.role == Some(Role::Admin) && user.status == UserStatus::Active
}

pub fn last_admin() -> AppError {
    AppError::ConflictCode {
        code: "last_admin",
        detail: "a workspace must keep at least one active admin; make someone else admin first".into(),
    }
}

/// Creates a user of a tenant within its user quota.
pub async fn create_in_tenant(store: &DynStore, tenant_id: &TenantId, max_users: u32, user: &User) -> AppResult<()> {
    let (users, cond) = Update::bounded_add(Quota::Users.name(), 1, i64::from(max_users));
    let counts = if is_active_admin(user) {
        // Through admins_change, so a tenant from before the admin count gets it first.
        let mut counts = admins_change(store, tenant_id, 1, users).await?;
        if let Write::Update { conds, .. } = &mut counts {
            conds.push(cond);
        }
        counts
    } else {
        Write::Update { table: &tables::TENANTS, key: keys::tenant_counts(tenant_id), update: users, conds: vec![cond] }
    };
    let mut writes = vec![counts, take_email_account(&user.email)];
    writes.extend(create_writes(user)?);
    // Not into a tenant being deleted: its deletion has listed its users already.
    writes.push(tenants::check_live(tenant_id));
    let live = writes.len() - 1;
    match store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { write: Some(i) }) if i == live => Err(AppError::NotFound),
        Err(StoreError::ConditionFailed { write: Some(0) }) => Err(tenants::quota_error(Quota::Users, max_users)),
        Err(StoreError::ConditionFailed { write: Some(1) }) => Err(too_many_accounts()),
        Err(StoreError::ConditionFailed { write: Some(i) }) if i == 2 + EMAIL_WRITE => Err(email_taken()),
        Err(err) => Err(err.into()),
    }
}

pub async fn get(store: &DynStore, partition: &str, user_id: &UserId) -> AppResult<Option<User>> {
    Ok(store.get(&tables::USERS, &keys::user(partition, user_id)).await?.map(from_item).transpose()?)
}

/// Saves a change to a user only if nobody changed it since it was read as
/// `seen` (409 otherwise). The token version is never written back, only
/// added to (`revoke`), so a stale save cannot undo a revocation. A change
/// that takes away the tenant's last active admin is refused (409
/// `last_admin`), atomically with the count of admins.
pub async fn save(store: &DynStore, seen: &User, mut user: User, revoke: bool) -> AppResult<User> {
    let seen_at = serde_json::to_value(seen.updated_at).map_err(AppError::internal)?;
    user.updated_at = Utc::now();
    let mut update = Update::default();
    for (attr, value) in to_item(&user.key(), &user)? {
        if !matches!(attr.as_str(), crate::store::PK | crate::store::SK | "token_version") {
            update = update.set(&attr, value);
        }
    }
    if revoke {
        update = update.add("token_version", 1);
    }
    let conds = vec![Cond::Equals("updated_at".into(), seen_at)];
    let admins = i64::from(is_active_admin(&user)) - i64::from(is_active_admin(seen));
    if admins == 0 {
        let item = store.update(&tables::USERS, &user.key(), &update, &conds).await?;
        return Ok(from_item(item)?);
    }
    let tenant_id = TenantId::parse(&user.partition).map_err(AppError::internal)?;
    let writes = vec![
        Write::Update { table: &tables::USERS, key: user.key(), update, conds },
        admins_change(store, &tenant_id, admins, Update::default()).await?,
    ];
    match store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { write: Some(1) }) => return Err(last_admin()),
        Err(err) => return Err(err.into()),
    }
    get(store, &user.partition, &user.user_id).await?.ok_or(AppError::NotFound)
}

/// The write that changes the tenant's count of active admins (beside
/// `counts`), never below one. Tenants from before the count get it first.
async fn admins_change(store: &DynStore, tenant_id: &TenantId, delta: i64, counts: Update) -> AppResult<Write> {
    let key = keys::tenant_counts(tenant_id);
    let item = store.get(&tables::TENANTS, &key).await?;
    if item.as_ref().and_then(|i| i.get(ADMINS)).is_none() {
        let admins = list_all(store, tenant_id).await?.iter().filter(|u| is_active_admin(u)).count();
        let admins = i64::try_from(admins).map_err(AppError::internal)?;
        // Only the first to get here sets it: a racing change must not be counted from a stale list.
        let absent = [Cond::Absent(ADMINS.into())];
        match store.update(&tables::TENANTS, &key, &Update::default().set(ADMINS, admins), &absent).await {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
            Err(err) => return Err(err.into()),
        }
    }
    let conds = if delta < 0 { vec![Cond::AtLeast(ADMINS.into(), 1 - delta)] } else { vec![] };
    Ok(Write::Update { table: &tables::TENANTS, key, update: counts.add(ADMINS, delta), conds })
}

/// Bumps a user's token version (an atomic add, never a write of the whole
/// record): every access and refresh token issued before stops working.
pub async fn revoke_tokens(store: &DynStore, user: &User) -> AppResult<u64> {
    let update = Update::default().add("token_version", 1);
    let item = store.update(&tables::USERS, &user.key(), &update, &[Cond::Exists]).await?;
    let user: User = from_item(item)?;
    Ok(user.token_version)
}

/// Deletes a tenant's user, its email claim and its unit of the user quota;
/// never the tenant's last active admin (409 `last_admin`).
pub async fn delete_in_tenant(store: &DynStore, tenant_id: &TenantId, user: &User) -> AppResult<()> {
    let release = Update::default().add(Quota::Users.name(), -1);
    let counts = if is_active_admin(user) {
        admins_change(store, tenant_id, -1, release).await?
    } else {
        Write::Update { table: &tables::TENANTS, key: keys::tenant_counts(tenant_id), update: release, conds: vec![] }
    };
    let mut writes = vec![Write::Delete { table: &tables::USERS, key: user.key(), conds: vec![Cond::Exists] }, counts];
    writes.extend(email_release_writes(user));
    match store.transact(writes).await {
        Ok(()) => forget_unused_email(store, &user.email).await,
        Err(StoreError::ConditionFailed { write: Some(1) }) => Err(last_admin()),
        Err(err) => Err(AppError::missing_if_condition_failed(err)),
    }
}

/// The writes that drop a user's email claim and give its account back to
/// the email's count; only while the claim exists, so nothing is given back twice.
fn email_release_writes(user: &User) -> [Write; 2] {
    let key = keys::email_pointer(&user.email, &user.partition);
    [Write::Delete { table: &tables::USERS, key, conds: vec![Cond::Exists] }, release_email_account(&user.email)]
}

/// Drops a user's email claim (a tenant's deletion); a retry finds it gone.
pub(crate) async fn release_email_claim(store: &DynStore, user: &User) -> AppResult<()> {
    match store.transact(email_release_writes(user).into()).await {
        Err(err) if !err.is_condition_failed() => Err(err.into()),
        _ => forget_unused_email(store, &user.email).await,
    }
}

/// Deletes an email's account count once it is back at zero, so a deleted
/// user's address is not kept; a sign-up racing it finds the count again.
async fn forget_unused_email(store: &DynStore, email: &Email) -> AppResult<()> {
    match store.delete(&tables::USERS, &keys::email_accounts(email), &[Cond::equals(ACCOUNTS, 0)]).await {
        Err(err) if !err.is_condition_failed() => Err(err.into()),
        _ => Ok(()),
    }
}

/// One page of a tenant's users, newest first.
pub async fn list(
    store: &DynStore,
    tenant_id: &TenantId,
    limit: usize,
    cursor: Option<crate::store::Cursor>,
) -> AppResult<(Vec<User>, Option<String>)> {
    let query = Query::partition(&tables::USERS, tenant_id.as_str())
        .range(keys::under(keys::USER_PREFIX))
        .backward()
        .limit(limit)
        .after(cursor);
    Ok(store.query(&query).await?.typed()?)
}

pub(crate) async fn list_all(store: &DynStore, tenant_id: &TenantId) -> AppResult<Vec<User>> {
    let query = Query::partition(&tables::USERS, tenant_id.as_str()).range(keys::under(keys::USER_PREFIX)).limit(500);
    let items = crate::store::query_all(store.as_ref(), query).await?;
    Ok(items.into_iter().map(from_item).collect::<StoreResult<Vec<User>>>()?)
}

/// The email's account in one partition (a tenant, or the platform), read
/// by key: no number of other accounts under the email can hide it.
pub async fn account_in(store: &DynStore, email: &Email, partition: &str) -> AppResult<Option<User>> {
    let Some(item) = store.get(&tables::USERS, &keys::email_pointer(email, partition)).await? else { return Ok(None) };
    let pointer: EmailPointer = from_item(item)?;
    get(store, &pointer.partition, &pointer.user_id).await
}

/// Every account an email has: its operator account, read by key, and at
/// most [`MAX_ACCOUNTS_PER_EMAIL`] tenant accounts, so a log-in hashes a
/// bounded number of times.
pub async fn accounts_of(store: &DynStore, email: &Email) -> AppResult<Vec<User>> {
    let limit = usize::try_from(MAX_ACCOUNTS_PER_EMAIL).unwrap_or(usize::MAX);
    let query = Query::partition(&tables::USERS, keys::email_pointers(email)).limit(limit + 1);
    let page = store.query(&query).await?;
    let mut users: Vec<User> = account_in(store, email, super::PLATFORM).await?.into_iter().collect();
    let pointers = page.items.into_iter().map(from_item).collect::<StoreResult<Vec<EmailPointer>>>()?;
    for pointer in pointers.into_iter().filter(|p| p.partition != super::PLATFORM).take(limit) {
        if let Some(user) = get(store, &pointer.partition, &pointer.user_id).await? {
            users.push(user);
        }
    }
    Ok(users)
}
