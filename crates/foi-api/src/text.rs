//! Text input of the resolvers: trimmed, and bounded by the natural length of its field.
//!
//! `crate::limits` already refuses, for every request, control characters and any string
//! over `limits.max_text_chars`; these tighter limits say what each field holds (a phone
//! number is not five thousand characters). A refusal is `VALIDATION` naming the field and
//! its limit.

use crate::error::ApiError;

/// A login.
pub const LOGIN: usize = 64;
/// A password (argon2 hashes any length, but nobody types more).
pub const PASSWORD: usize = 256;
/// A person's, organisation's or consulted party's name; a body or court.
pub const NAME: usize = 100;
/// An identity number or credit code (18 characters; room for other documents).
pub const ID_NUMBER: usize = 32;
/// A phone number.
pub const PHONE: usize = 32;
/// An e-mail address (RFC 5321's longest path).
pub const EMAIL: usize = 254;
/// A postal address.
pub const ADDRESS: usize = 300;
/// An agency code.
pub const CODE: usize = 64;
/// The subject of an application: a title, a document number.
pub const SUBJECT: usize = 500;
/// A description, an explanation.
pub const DESCRIPTION: usize = 5_000;
/// A reason for the audit trail, a correction item, a legal basis.
pub const REASON: usize = 5_000;
/// A file number (案号).
pub const REFERENCE: usize = 100;

/// `value` trimmed, if it has at most `max` characters (after trimming).
pub fn bounded(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    // `len` counts bytes, at least as many as characters: most strings need no counting.
    if trimmed.len() > max && trimmed.chars().count() > max {
        return Err(ApiError::validation(field, format!("must be at most {max} characters")));
    }
    Ok(trimmed.to_owned())
}

/// [`bounded`], and not empty.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let text = bounded(field, value, max)?;
    if text.is_empty() {
        return Err(ApiError::validation(field, "must not be empty"));
    }
    Ok(text)
}

/// [`bounded`]; `None` for a missing or blank value.
pub fn optional(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match value {
        Some(value) => Ok(Some(bounded(field, &value, max)?).filter(|v| !v.is_empty())),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds_by_characters() {
        assert_eq!(bounded("input.name", "  张三 ", NAME).unwrap(), "张三");
        // 100 three-byte characters fit a 100-character limit; 101 do not.
        assert!(bounded("input.name", &"张".repeat(100), NAME).is_ok());
        let err = bounded("input.name", &"张".repeat(101), NAME).unwrap_err();
        assert_eq!(err.code(), "VALIDATION");
        assert_eq!(err.message(), "input.name: must be at most 100 characters");
        assert!(required("input.subject", "   ", SUBJECT).is_err());
        assert_eq!(optional("input.phone", Some("  ".into()), PHONE).unwrap(), None);
        assert!(optional("input.phone", Some("1".repeat(33)), PHONE).is_err());
    }
}
