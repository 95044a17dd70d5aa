//! Identity: passwords, access tokens, refresh tokens, API keys, and the
//! principal every authenticated request carries.

pub mod api_key;
pub mod keyring;
pub mod password;
pub mod permission;
pub mod principal;
pub mod token;
