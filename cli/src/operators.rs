//! Operator commands: bootstrapping platform operators, rotating the
//! access-token signing key.

use anyhow::{Context, bail};
use paas_core::Config;
use paas_core::auth::keyring::Signing;
use paas_core::auth::password::{self, Password};
use paas_core::auth::token::TokenKeys;
use paas_core::domain::{DisplayName, Email};
use paas_core::identity::PLATFORM;
use paas_core::identity::users::{self, User};
use paas_core::store::StoreError;

/// Creates a platform operator (a user outside every tenant) who logs in
/// like anyone else and manages tenants under `/api/platform`.
pub async fn create_operator(
    config: Config,
    email: &str,
    password: &str,
    name: Option<String>,
) -> anyhow::Result<User> {
    let state = paas_store_sqlite::app_state(config, Signing::Sign).await?;
    let email = Email::try_from(email.to_owned()).context("email")?;
    let password = Password::parse_for(password, email.as_str()).context("password")?;
    let name = name.map(DisplayName::try_from).transpose().context("name")?;
    let mut user = User::new(PLATFORM, email, name, None);
    user.password_hash = Some(password::hash_async(&password).await?);
    match state.store.transact(users::create_writes(&user)?).await {
        Ok(()) => Ok(user),
        Err(StoreError::ConditionFailed { .. }) => bail!("an operator with this email exists already"),
        Err(err) => Err(err.into()),
    }
}

/// Adds a new signing key; tokens signed by older keys verify until they
/// expire, or, with `drop_old` (a leaked key), until verifiers next read
/// their keys.
pub async fn rotate_signing_key(config: Config, drop_old: bool) -> anyhow::Result<String> {
    let state = paas_store_sqlite::app_state(config, Signing::Sign).await?;
    // Keep old keys for twice the access-token lifetime, then drop them.
    let keep = if drop_old { std::time::Duration::ZERO } else { paas_core::auth::token::ACCESS_TTL * 2 };
    TokenKeys::rotate(state.secrets.as_ref(), keep).await
}
