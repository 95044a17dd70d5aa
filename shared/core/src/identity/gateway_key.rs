//! A tenant's API Gateway key as the tenant record holds it (see
//! [`super::gateway_keys`], which keeps API Gateway in step with it).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::Plan;

/// Characters of a generated key value (API Gateway wants 20 to 128).
pub const KEY_VALUE_LEN: usize = 40;

/// A tenant's API Gateway key as its record holds it: what API Gateway was
/// last made to hold.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayKey {
    pub key_id: String,
    pub value: GatewayKeyValue,
    /// The plan whose usage plan the key is on.
    pub plan: Plan,
    pub enabled: bool,
}

impl fmt::Debug for GatewayKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayKey")
            .field("key_id", &self.key_id)
            .field("plan", &self.plan)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// The value API Gateway meters on. Kept out of `Debug` (and so out of logs).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GatewayKeyValue(String);

impl GatewayKeyValue {
    pub fn generate() -> Self {
        Self(crate::auth::api_key::random_base62(KEY_VALUE_LEN))
    }

    /// A value API Gateway already holds (read back from it).
    pub fn from_gateway(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for GatewayKeyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GatewayKeyValue(..)")
    }
}

/// The attribute of the tenant's `META` item that holds its [`GatewayKey`].
pub const ATTR: &str = "gateway_key";
