//! Password hashing: argon2id with a random salt, stored as a PHC string.
//!
//! The store keeps only the hash; the plain password lives no longer than the request.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::ApiError;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks a new password's strength; the error names the field.
pub fn check_new(field: &str, password: &str) -> Result<(), ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::validation(field, format!("use at least {MIN_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

/// Hashes `password` with argon2id (default parameters: 19 MiB, 2 passes) and a fresh salt.
pub fn hash(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| ApiError::Internal)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| ApiError::Internal)?;
    let hash = Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|_| ApiError::Internal)?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string. A malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A valid hash of no one's password, verified against when a login does not exist so
/// that a sign-in takes as long for an unknown login as for a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password for unknown logins").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("correct horsf", &h));
        assert!(!verify("correct horse", "not a hash"));
        assert!(!verify("correct horse", decoy_hash()));
        assert!(decoy_hash().starts_with("$argon2id$"));
        // A fresh salt every time.
        assert_ne!(h, hash("correct horse").unwrap());
    }

    #[test]
    fn short_passwords_are_refused_with_the_field_named() {
        let err = check_new("input.password", "short").unwrap_err();
        assert_eq!(err.code(), "VALIDATION");
        assert!(err.message().starts_with("input.password"));
        assert!(check_new("input.password", "long enough").is_ok());
    }
}
