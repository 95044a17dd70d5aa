//! Randomness from the operating system, for secrets and for jitter alike.

use ring::rand::{SecureRandom, SystemRandom};

/// Fills `buf` from the system generator; an error means it is unavailable.
pub fn fill(buf: &mut [u8]) -> Result<(), ring::error::Unspecified> {
    SystemRandom::new().fill(buf)
}
