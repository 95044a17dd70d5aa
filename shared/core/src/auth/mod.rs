//! Identity: passwords, access tokens, refresh tokens, API keys, and the
//! principal every authenticated request carries.

pub mod api_key;
pub mod client_addr;
pub mod jwt_crypto;
pub mod keyring;
pub mod password;
pub mod permission;
pub mod principal;
pub mod token;

/// Whether a presented secret is the expected one, in time that does not
/// depend on where they differ.
pub fn same_secret(presented: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(presented.as_bytes().ct_eq(expected.as_bytes()))
}
