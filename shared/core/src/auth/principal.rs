//! Who is calling: the extractors every protected handler takes. A handler
//! that takes [`Caller`] cannot run without a verified credential of an
//! active tenant; one that takes [`Operator`] only for a platform operator.
//! The tenant comes from the credential alone, never from the request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::api_key::{PresentedKey, looks_like_api_key};
use super::permission::Permission;
use crate::domain::{Role, Scope, TenantId, TenantStatus, UserId, UserStatus};
use crate::identity::PLATFORM;
use crate::identity::api_keys::{self, ApiKeyRecord};
use crate::identity::tenants::{self, Tenant};
use crate::identity::users::{self, User};
use crate::{AppError, AppResult, AppState};

/// A tenant's member or API key, with the tenant (checked active).
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: Tenant,
    pub actor: Actor,
}

#[derive(Debug, Clone)]
pub enum Actor {
    User(User),
    ApiKey(ApiKeyRecord),
}

/// A platform operator (outside every tenant).
#[derive(Debug, Clone)]
pub struct Operator {
    pub user: User,
}

impl Caller {
    pub fn tenant_id(&self) -> &TenantId {
        &self.tenant.tenant_id
    }

    pub fn can(&self, permission: Permission) -> bool {
        match &self.actor {
            Actor::User(user) => user.role.is_some_and(|role| role.grants(permission)),
            Actor::ApiKey(key) => key.scopes.iter().any(|scope| scope.grants(permission)),
        }
    }

    /// 403 unless the caller's role or scopes grant the permission.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden("your role or the key's scopes do not allow this".into()))
        }
    }

    /// The user behind the request, when it is a user and not an API key.
    pub fn user(&self) -> Option<&User> {
        match &self.actor {
            Actor::User(user) => Some(user),
            Actor::ApiKey(_) => None,
        }
    }

    pub fn user_id(&self) -> Option<&UserId> {
        self.user().map(|u| &u.user_id)
    }

    pub fn role(&self) -> Option<Role> {
        self.user().and_then(|u| u.role)
    }
}

/// Whom a verified credential names.
#[derive(Debug)]
pub enum Authenticated {
    Tenant(Box<Caller>),
    Platform(Operator),
}

/// The credential a request carries: `Authorization: Bearer …` or `X-API-Key`.
fn credential(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim());
    }
    headers.get("x-api-key")?.to_str().ok().map(str::trim)
}

/// Verifies the request's credential; a tenant's goes on the request's span.
async fn authenticate(parts: &Parts, state: &AppState) -> AppResult<Authenticated> {
    let authenticated = verify(parts, state).await?;
    if let Authenticated::Tenant(caller) = &authenticated {
        crate::http::trace::record_tenant(caller.tenant_id());
    }
    Ok(authenticated)
}

async fn verify(parts: &Parts, state: &AppState) -> AppResult<Authenticated> {
    verify_headers(&parts.headers, state).await
}

/// Verifies the credential in these request headers: an access token or one
/// of our API keys, its user or key still live, its tenant active (403
/// `tenant_suspended` otherwise). The extractors and the REST API's
/// authorizer both use this, so there is one verifier.
pub async fn verify_headers(headers: &HeaderMap, state: &AppState) -> AppResult<Authenticated> {
    let token = credential(headers).filter(|t| !t.is_empty()).ok_or(AppError::Unauthorized)?;
    if looks_like_api_key(token) {
        return authenticate_key(state, token).await.map(|caller| Authenticated::Tenant(Box::new(caller)));
    }
    let claims = state.tokens.verify(token).await.map_err(|_| AppError::Unauthorized)?;
    let user_id = UserId::parse(&claims.sub).map_err(|_| AppError::Unauthorized)?;
    if claims.tid == PLATFORM {
        let user = live_user(state, PLATFORM, &user_id, claims.ver).await?;
        return Ok(Authenticated::Platform(Operator { user }));
    }
    let tenant_id = TenantId::parse(&claims.tid).map_err(|_| AppError::Unauthorized)?;
    let (user, tenant) = tokio::join!(
        live_user(state, tenant_id.as_str(), &user_id, claims.ver),
        tenants::get(&state.store, &tenant_id)
    );
    let (user, tenant) = (user?, active_tenant(tenant?)?);
    Ok(Authenticated::Tenant(Box::new(Caller { tenant, actor: Actor::User(user) })))
}

/// The user a token names, if it still exists, is active and has not
/// revoked the token's version.
async fn live_user(state: &AppState, partition: &str, user_id: &UserId, version: u64) -> AppResult<User> {
    match users::get(&state.store, partition, user_id).await? {
        Some(user) if user.status == UserStatus::Active && user.token_version == version => Ok(user),
        _ => Err(AppError::Unauthorized),
    }
}

fn active_tenant(tenant: Option<Tenant>) -> AppResult<Tenant> {
    match tenant {
        Some(tenant) if tenant.status == TenantStatus::Active => Ok(tenant),
        Some(_) => Err(AppError::TenantSuspended),
        None => Err(AppError::Unauthorized),
    }
}

async fn authenticate_key(state: &AppState, token: &str) -> AppResult<Caller> {
    // A mistyped key fails its checksum here, before any storage read.
    let presented = PresentedKey::parse(token).map_err(|_| AppError::Unauthorized)?;
    let record =
        api_keys::authenticate(&state.store, &state.key_hasher, &presented).await?.ok_or(AppError::Unauthorized)?;
    let tenant = active_tenant(tenants::get(&state.store, &record.tenant_id).await?)?;
    if record.scopes.contains(&Scope::Admin) && !creator_is_admin(state, &record).await? {
        return Err(AppError::Unauthorized);
    }
    Ok(Caller { tenant, actor: Actor::ApiKey(record) })
}

/// An admin-scope key holds only while the admin who made it still is one
/// (active, admin role): demoting, suspending or deleting them stops it.
/// Keys recorded without a creator (made before creators were kept) hold.
async fn creator_is_admin(state: &AppState, record: &ApiKeyRecord) -> AppResult<bool> {
    let Some(creator) = &record.created_by else { return Ok(true) };
    let user = users::get(&state.store, record.tenant_id.as_str(), creator).await?;
    Ok(user.is_some_and(|u| u.status == UserStatus::Active && u.role == Some(Role::Admin)))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await? {
            Authenticated::Tenant(caller) => Ok(*caller),
            Authenticated::Platform(_) => {
                Err(AppError::Forbidden("platform operators act through /api/platform".into()))
            }
        }
    }
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await? {
            Authenticated::Platform(operator) => Ok(operator),
            Authenticated::Tenant(_) => Err(AppError::Forbidden("this route is for platform operators".into())),
        }
    }
}

/// A signed-in person, tenant member or operator; not an API key.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    /// `None` for platform operators.
    pub tenant: Option<Tenant>,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match authenticate(parts, state).await? {
            Authenticated::Tenant(caller) => match *caller {
                Caller { tenant, actor: Actor::User(user) } => Ok(Self { user, tenant: Some(tenant) }),
                Caller { actor: Actor::ApiKey(_), .. } => {
                    Err(AppError::Forbidden("this route is for signed-in users, not API keys".into()))
                }
            },
            Authenticated::Platform(Operator { user }) => Ok(Self { user, tenant: None }),
        }
    }
}
