//! Passwords: the sign-up policy, and argon2id hashing with OWASP parameters stored as PHC strings.
//!
//! Hashing costs tens of milliseconds of CPU, so request handlers use the `*_async` forms, which run
//! on tokio's blocking pool instead of stalling the worker threads.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Fewest characters a password may have (NIST SP 800-63B asks for at least 8).
pub const MIN_CHARS: usize = 10;
/// Most characters a password may have: enough for any passphrase, few enough to bound hashing input.
pub const MAX_CHARS: usize = 128;

/// OWASP's argon2id recommendation: 19 MiB of memory, 2 passes, 1 lane.
const PARAMS: Params = match Params::new(19 * 1024, 2, 1, None) {
    Ok(params) => params,
    Err(_) => panic!("invalid argon2 parameters"),
};
const SALT_BYTES: usize = 16;

/// Lowercase common and breached passwords of at least [`MIN_CHARS`] characters, one a line.
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common-passwords.txt").lines().map(str::trim).filter(|l| !l.is_empty()).collect());

/// Hash of a fixed password, made with the current parameters, that unknown emails are verified
/// against so they cost as much time as known ones.
static DUMMY_PHC: LazyLock<String> = LazyLock::new(|| {
    hash(&Password("not a real password, only spends time".into())).expect("hashing a fixed password cannot fail")
});

/// Why a password was refused; the messages are written for the API user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must have at least {min} characters")]
    TooShort { min: usize },
    #[error("the password must have at most {max} characters")]
    TooLong { max: usize },
    #[error("the password must not be only whitespace")]
    Blank,
    #[error("this password is among the most common ones; choose a less predictable one")]
    Common,
    #[error("the password must not be your email address")]
    LikeEmail,
}

/// Failure to hash a password; never caused by the password itself.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("the system random generator failed")]
    Random,
    #[error("argon2 failed: {0}")]
    Argon2(argon2::password_hash::Error),
    #[error("the hashing task did not finish: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// A password that satisfies the policy. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Checks length, whitespace and the common-password list. Prefer [`Password::parse_for`] when the
    /// account's email is known.
    pub fn parse(candidate: &str) -> Result<Self, PasswordError> {
        let chars = candidate.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordError::TooShort { min: MIN_CHARS });
        }
        if chars > MAX_CHARS {
            return Err(PasswordError::TooLong { max: MAX_CHARS });
        }
        if candidate.trim().is_empty() {
            return Err(PasswordError::Blank);
        }
        if COMMON.contains(candidate.trim().to_lowercase().as_str()) {
            return Err(PasswordError::Common);
        }
        Ok(Self(candidate.to_owned()))
    }

    /// [`Password::parse`], also refusing the account's email address or its local part.
    pub fn parse_for(candidate: &str, email: &str) -> Result<Self, PasswordError> {
        let password = Self::parse(candidate)?;
        let email = email.trim().to_lowercase();
        let local = email.rsplit_once('@').map_or(email.as_str(), |(local, _)| local);
        let lowered = candidate.trim().to_lowercase();
        if lowered == email || lowered == local {
            return Err(PasswordError::LikeEmail);
        }
        Ok(password)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS)
}

/// Hashes with a fresh random salt into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash(password: &Password) -> Result<String, HashError> {
    let mut salt = [0u8; SALT_BYTES];
    crate::random::fill(&mut salt).map_err(|_| HashError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(HashError::Argon2)?;
    let phc = argon2().hash_password(password.0.as_bytes(), &salt).map_err(HashError::Argon2)?;
    Ok(phc.to_string())
}

/// Whether `candidate` matches the PHC string, with the parameters the string names; false when the
/// string is malformed.
pub fn verify(candidate: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| argon2().verify_password(candidate.as_bytes(), &parsed).is_ok())
}

/// [`hash`] on the blocking pool.
pub async fn hash_async(password: &Password) -> Result<String, HashError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || hash(&password)).await?
}

/// [`verify`] on the blocking pool; false if the task fails.
pub async fn verify_async(candidate: &str, phc: &str) -> bool {
    let (candidate, phc) = (candidate.to_owned(), phc.to_owned());
    tokio::task::spawn_blocking(move || verify(&candidate, &phc)).await.unwrap_or(false)
}

/// Verifies against `phc`, or, for an unknown account (`None`), against a dummy hash and returns
/// false, so that response times do not reveal which emails have accounts.
pub async fn verify_or_waste(candidate: &str, phc: Option<&str>) -> bool {
    let (candidate, phc) = (candidate.to_owned(), phc.map(str::to_owned));
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify(&candidate, &phc),
        None => {
            verify(&candidate, &DUMMY_PHC);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// Whether a stored hash (already verified) should be replaced on the next successful login because
/// its algorithm or any cost is weaker than the current ones; also true for an unreadable string.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return true };
    let Ok(params) = Params::try_from(&parsed) else { return true };
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13.into())
        || params.m_cost() < PARAMS.m_cost()
        || params.t_cost() < PARAMS.t_cost()
        || params.p_cost() < PARAMS.p_cost()
        || params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN) < Params::DEFAULT_OUTPUT_LEN
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    const GOOD: &str = "correct horse battery staple";

    #[test]
    fn policy_accepts_a_reasonable_password() {
        assert!(Password::parse(GOOD).is_ok());
        assert!(Password::parse_for(GOOD, "alice@example.com").is_ok());
    }

    #[test]
    fn policy_counts_characters_not_bytes() {
        assert_eq!(Password::parse("ééééééééé").unwrap_err(), PasswordError::TooShort { min: MIN_CHARS });
        assert!(Password::parse("éééééééééé").is_ok());
        assert!(Password::parse(&"é".repeat(MAX_CHARS)).is_ok());
        assert_eq!(Password::parse(&"é".repeat(MAX_CHARS + 1)).unwrap_err(), PasswordError::TooLong { max: MAX_CHARS });
    }

    #[test]
    fn policy_refuses_short_long_and_blank() {
        assert_eq!(Password::parse("").unwrap_err(), PasswordError::TooShort { min: MIN_CHARS });
        assert_eq!(Password::parse("abcdefghi").unwrap_err(), PasswordError::TooShort { min: MIN_CHARS });
        assert_eq!(Password::parse(&"x".repeat(129)).unwrap_err(), PasswordError::TooLong { max: MAX_CHARS });
        assert_eq!(Password::parse(" \t\n          ").unwrap_err(), PasswordError::Blank);
    }

    #[test]
    fn policy_refuses_common_passwords_in_any_case() {
        for common in ["password123", "PASSWORD123", "Qwertyuiop", "1234567890", " iloveyou123 "] {
            assert_eq!(Password::parse(common).unwrap_err(), PasswordError::Common, "{common}");
        }
    }

    #[test]
    fn common_list_is_lowercase_and_long_enough() {
        assert!(COMMON.len() >= 200);
        for entry in COMMON.iter() {
            assert_eq!(*entry, entry.to_lowercase(), "{entry}");
            assert!(entry.chars().count() >= MIN_CHARS, "{entry}");
        }
    }

    #[test]
    fn policy_refuses_the_email_and_its_local_part() {
        let email = "Margaret.Hamilton@example.com";
        assert_eq!(Password::parse_for("margaret.hamilton", email).unwrap_err(), PasswordError::LikeEmail);
        assert_eq!(Password::parse_for("MARGARET.HAMILTON@EXAMPLE.COM", email).unwrap_err(), PasswordError::LikeEmail);
        assert!(Password::parse_for("margaret.hamilton!", email).is_ok());
    }

    #[test]
    fn error_messages_name_the_limits() {
        assert_eq!(PasswordError::TooShort { min: 10 }.to_string(), "the password must have at least 10 characters");
        assert_eq!(PasswordError::TooLong { max: 128 }.to_string(), "the password must have at most 128 characters");
    }

    #[test]
    fn debug_redacts() {
        assert!(!format!("{:?}", Password::parse(GOOD).unwrap()).contains("horse"));
    }

    #[test]
    fn hash_then_verify() {
        let phc = hash(&Password::parse(GOOD).unwrap()).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify(GOOD, &phc));
        assert!(!verify("correct horse battery stapler", &phc));
        assert!(!needs_rehash(&phc));
    }

    #[test]
    fn salts_differ() {
        let password = Password::parse(GOOD).unwrap();
        assert_ne!(hash(&password).unwrap(), hash(&password).unwrap());
    }

    #[test]
    fn malformed_phc_verifies_false() {
        for phc in
            ["", "plain text", "$argon2id$v=19$m=19456,t=2,p=1$", "$argon2id$v=19$m=1,t=0,p=0$c2FsdHNhbHQ$aGFzaA"]
        {
            assert!(!verify(GOOD, phc), "{phc}");
            assert!(needs_rehash(phc), "{phc}");
        }
    }

    #[test]
    fn weaker_parameters_need_rehash() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 2, 1, None).unwrap());
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let phc = weak.hash_password(GOOD.as_bytes(), &salt).unwrap().to_string();
        assert!(verify(GOOD, &phc));
        assert!(needs_rehash(&phc));
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, PARAMS);
        assert!(needs_rehash(&argon2i.hash_password(GOOD.as_bytes(), &salt).unwrap().to_string()));
        let stronger = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 3, 1, None).unwrap());
        assert!(!needs_rehash(&stronger.hash_password(GOOD.as_bytes(), &salt).unwrap().to_string()));
    }

    #[tokio::test]
    async fn async_wrappers() {
        let phc = hash_async(&Password::parse(GOOD).unwrap()).await.unwrap();
        assert!(verify_async(GOOD, &phc).await);
        assert!(!verify_async("wrong password", &phc).await);
        assert!(verify_or_waste(GOOD, Some(&phc)).await);
        assert!(!verify_or_waste("wrong password", Some(&phc)).await);
        assert!(!verify_or_waste(GOOD, None).await);
    }

    async fn timed(phc: Option<&str>) -> Duration {
        let start = Instant::now();
        verify_or_waste(GOOD, phc).await;
        start.elapsed()
    }

    /// Rough guard only: the runs alternate so that both kinds meet the same load from other tests,
    /// and the fastest of each is compared.
    #[tokio::test]
    async fn unknown_email_costs_about_as_much_as_a_known_one() {
        let phc = hash(&Password::parse(GOOD).unwrap()).unwrap();
        LazyLock::force(&DUMMY_PHC);
        let (mut known, mut unknown) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            known = known.min(timed(Some(&phc)).await);
            unknown = unknown.min(timed(None).await);
        }
        assert!(unknown * 2 >= known, "unknown {unknown:?} vs known {known:?}");
    }
}
