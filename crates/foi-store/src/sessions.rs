//! Bearer sessions. A session token is 32 random bytes from the operating system, given to
//! the client once as 64 hex digits; the database keeps only its SHA-256, so a copy of the
//! table cannot be used to sign in. Expiry and revocation are checked on every lookup.

use sea_orm::QueryFilter;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::entities::{accounts, sessions};
use crate::{Account, StoreError, sql};

/// A session as stored (without its token).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub account_id: Uuid,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A session just created, with the raw token to hand to the client. The token exists only
/// here: it cannot be recovered from the database.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub session: Session,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession").field("token", &"<redacted>").field("session", &self.session).finish()
    }
}

impl From<sessions::Model> for Session {
    fn from(m: sessions::Model) -> Self {
        Session {
            account_id: m.account_id,
            created_at: m.created_at,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// Lower-case hex SHA-256 of the token as presented: the sessions table's key.
pub(crate) fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

fn random_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Io {
        context: "reading randomness from the operating system".to_owned(),
        source: e.into(),
    })?;
    Ok(hex(&bytes))
}

pub(crate) async fn create<C: ConnectionTrait>(
    c: &C,
    account_id: Uuid,
    now: OffsetDateTime,
    ttl: Duration,
) -> Result<NewSession, StoreError> {
    let token = random_token()?;
    let now = sql::instant(now);
    let model = sessions::ActiveModel {
        token_hash: Set(token_hash(&token)),
        account_id: Set(account_id),
        created_at: Set(now),
        expires_at: Set(sql::instant(now + ttl)),
        revoked_at: Set(None),
    }
    .insert(c)
    .await?;
    Ok(NewSession { token, session: model.into() })
}

/// The live session for `token` and its account: `None` if the token is unknown, revoked,
/// expired at `now`, or its account is disabled.
pub(crate) async fn lookup<C: ConnectionTrait>(
    c: &C,
    token: &str,
    now: OffsetDateTime,
) -> Result<Option<(Session, Account)>, StoreError> {
    let Some(session) = sessions::Entity::find_by_id(token_hash(token)).one(c).await? else {
        return Ok(None);
    };
    if session.revoked_at.is_some() || session.expires_at <= now {
        return Ok(None);
    }
    let Some(account) = accounts::Entity::find_by_id(session.account_id).one(c).await? else {
        return Ok(None);
    };
    if account.disabled_at.is_some() {
        return Ok(None);
    }
    Ok(Some((session.into(), account.into())))
}

/// Revokes the session of `token`. Returns whether a not-yet-revoked session was found.
pub(crate) async fn revoke<C: ConnectionTrait>(c: &C, token: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
    let result = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(sql::instant(now)))
        .filter(sessions::Column::TokenHash.eq(token_hash(token)))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Revokes every live session of an account (sign out everywhere, account disabled).
pub(crate) async fn revoke_all<C: ConnectionTrait>(
    c: &C,
    account_id: Uuid,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    let result = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(sql::instant(now)))
        .filter(sessions::Column::AccountId.eq(account_id))
        .filter(sessions::Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_as_lower_hex_sha256() {
        // SHA-256("abc"), FIPS 180-2 test vector.
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn tokens_are_64_hex_digits_and_differ() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
