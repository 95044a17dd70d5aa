//! Identity: passwords, access tokens, refresh tokens, API keys, and the
//! principal every authenticated request carries.

pub mod api_key;
pub mod client_addr;
pub mod keyring;
pub mod password;
pub mod permission;
pub mod principal;
pub mod token;

/// Whether a presented secret is the expected one, in time that does not
/// depend on where they differ.
pub fn same_secret(presented: &str, expected: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(presented.as_bytes(), expected.as_bytes()).is_ok()
}
