//! Signing in and registering, defended (`[api.sign_in]`, see [`SignInPolicy`]).
//!
//! - **Throttling, shared by every replica.** Failures are counted in the database
//!   (`foi_store::throttle`) per login (the SHA-256 of the trimmed, lower-cased login, so the
//!   table holds no login in clear) and per client address (an IPv6 address by its /64, which
//!   one client gets whole). The first free failures are answered at once; from then on each
//!   failure locks the login (or address) for a delay that doubles, from `base_delay_secs` up
//!   to `max_delay_secs`, and an attempt while it is locked is refused `RATE_LIMITED` without
//!   its password being checked, the right password too. A successful sign-in clears its
//!   login's count; `forget_after_secs` without a failure forget it.
//! - **The login count is taken before the password is checked**, in the same statement
//!   that checks the lock, and cleared again by a success: a burst of concurrent guesses
//!   cannot all pass the check before the first of them has been counted. The price: one
//!   login signing in more than `free_failures_per_login - 1` times at once has the excess
//!   refused (for the moment until the first success clears the count), which a person
//!   does not do.
//! - **Unknown logins look like wrong passwords:** the same count, the same answer, and a
//!   check against a decoy hash that takes as long as a real one.
//! - **Registration reveals nothing:** a taken login, or an identity number already
//!   registered, gets the same [`RegistrationReceipt`] as a new account, after the same hash,
//!   and nothing is written. Every registration attempt counts against its address
//!   (`registrations_per_address` per `registration_window_secs`).
//! - **Hashing runs on the bounded [`crate::password::HashPool`]**; a full pool refuses at
//!   once (`RATE_LIMITED`, reason `BUSY`).
//!
//! Refusals are counted by `foi_sign_in_refusals_total{reason}` with reason
//! `bad_credentials` (a wrong password or an unknown login, deliberately not told apart),
//! `rate_limited` or `busy`.

use std::net::IpAddr;

use async_graphql::{Context, ErrorExtensions, SimpleObject};
use foi_store::{Account, Counted, NewAccount, Reset, StoreError, ThrottleKind};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::config::SignInPolicy;
use crate::error::ApiError;
use crate::{ApiState, ClientAddr};

/// The longest lock, whatever `max_delay_secs` says: a year (and no instant overflows).
const MAX_LOCK_SECS: u64 = 366 * 24 * 60 * 60;
/// What a busy pool tells the client to wait.
const BUSY_RETRY_SECS: u64 = 1;

/// The doubling delay after the free failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Failures answered without a lock (the lock starts with the last of them).
    pub free: u32,
    /// The first delay, in seconds.
    pub base_secs: u64,
    /// The longest delay, in seconds.
    pub max_secs: u64,
}

impl Backoff {
    /// The backoff for one login, or for one address.
    pub fn of(policy: &SignInPolicy, free: u32) -> Backoff {
        Backoff { free, base_secs: policy.base_delay_secs, max_secs: policy.max_delay_secs }
    }

    /// The lock, in seconds, that the `failures`-th failure in a row earns: none for the
    /// first `free - 1`; `base` for the `free`-th (so that exactly `free` attempts are
    /// answered at once), then twice the previous one for each further failure, up to `max`.
    pub fn delay_secs(&self, failures: i64) -> u64 {
        let threshold = i64::from(self.free.max(1));
        if failures < threshold {
            return 0;
        }
        let doublings = u32::try_from(failures - threshold).unwrap_or(u32::MAX);
        let delay = 1u64.checked_shl(doublings).map_or(u64::MAX, |factor| self.base_secs.saturating_mul(factor));
        delay.min(self.max_secs).min(MAX_LOCK_SECS)
    }

    /// The instant before which attempts are refused after the `failures`-th failure at
    /// `now`; `None` for no lock.
    pub fn lock(&self, failures: i64, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let delay = self.delay_secs(failures);
        (delay > 0).then(|| now + Duration::seconds(i64::try_from(delay).unwrap_or(i64::MAX)))
    }
}

/// The throttle key of a login: the SHA-256 (hex) of the trimmed, lower-cased login, so that
/// `Clerk ` and `clerk` share one count and the table holds no login in clear.
pub fn login_key(login: &str) -> String {
    let digest = Sha256::digest(login.trim().to_lowercase().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The throttle key of a client address: an IPv4 address as it is (an IPv4-mapped IPv6
/// address too), an IPv6 address by its /64 prefix, since a client is given a whole /64.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
    }
}

/// Seconds from `now` until `until`, rounded up, at least 1: what `Retry-After` says.
pub fn retry_after_secs(until: OffsetDateTime, now: OffsetDateTime) -> u64 {
    let secs = (until - now).as_seconds_f64().ceil();
    if secs >= 1.0 { secs as u64 } else { 1 }
}

/// The answer to `registerApplicant`: the same whether an account was created or the login
/// (or identity number) was already taken, so that registration cannot be used to find out
/// which logins exist.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct RegistrationReceipt {
    /// The login registered for, as given (trimmed).
    pub login: String,
    /// What to do next, in Chinese and English: sign in with this login and password; if
    /// that fails, the login or identity number was already registered.
    pub message: String,
}

/// The message of every [`RegistrationReceipt`].
pub const RECEIPT_MESSAGE: &str = "注册申请已受理。请用该登录名和密码登录；如果无法登录，说明该登录名已被使用，\
请换一个登录名重新注册；如果您已用该身份证件号码注册过，请用原账户登录。 \
Registration received. Sign in with this login and password. If sign-in fails, the login is \
already taken: register again with another login; if you registered this identity number \
before, sign in with that account.";

fn state<'a>(ctx: &'a Context<'_>) -> &'a ApiState {
    ctx.data_unchecked::<ApiState>()
}

fn client(ctx: &Context<'_>) -> Option<String> {
    ctx.data_opt::<ClientAddr>().and_then(|c| c.0).map(address_key)
}

fn refused(reason: &'static str) {
    metrics::counter!("foi_sign_in_refusals_total", "reason" => reason).increment(1);
}

/// The error for a refusal, with `Retry-After` on the HTTP response when it is
/// `RATE_LIMITED`.
fn refusal(ctx: &Context<'_>, err: ApiError) -> async_graphql::Error {
    if let ApiError::RateLimited { retry_after_secs, .. } = &err {
        ctx.insert_http_header("Retry-After", retry_after_secs.to_string());
    }
    err.extend()
}

fn rate_limited(ctx: &Context<'_>, until: OffsetDateTime, now: OffsetDateTime) -> async_graphql::Error {
    refused("rate_limited");
    refusal(ctx, ApiError::RateLimited { retry_after_secs: retry_after_secs(until, now), busy: false })
}

fn busy(ctx: &Context<'_>) -> async_graphql::Error {
    refused("busy");
    refusal(ctx, ApiError::RateLimited { retry_after_secs: BUSY_RETRY_SECS, busy: true })
}

fn internal(e: impl Into<ApiError>) -> async_graphql::Error {
    e.into().extend()
}

fn secs(n: u64) -> Duration {
    Duration::seconds(i64::try_from(n.min(MAX_LOCK_SECS)).unwrap_or(i64::MAX))
}

/// Checks `login` and `password` under the throttles; the account on success. Every
/// refusal is `UNAUTHENTICATED` (wrong password, unknown or disabled login) or
/// `RATE_LIMITED`.
pub async fn sign_in(ctx: &Context<'_>, login: &str, password: String) -> Result<Account, async_graphql::Error> {
    let s = state(ctx);
    let policy = &s.config.sign_in;
    let now = s.clock.now();
    // A place on the pool first: a busy server refuses before it touches the database.
    let Some(slot) = s.hash_pool.try_reserve() else { return Err(busy(ctx)) };
    let forget = Reset { after_idle: secs(policy.forget_after_secs), after_span: None };
    let address = client(ctx);
    if let Some(address) = &address
        && let Some(until) = s
            .store
            .throttle_entry(ThrottleKind::Address, address)
            .await
            .map_err(internal)?
            .and_then(|e| e.locked_at(now))
    {
        return Err(rate_limited(ctx, until, now));
    }
    let key = login_key(login);
    let login_backoff = Backoff::of(policy, policy.free_failures_per_login);
    let counted = s
        .store
        .count_failure(ThrottleKind::Login, &key, now, forget, true, |e| login_backoff.lock(e.failures, now))
        .await
        .map_err(internal)?;
    if let Counted::Locked(until) = counted {
        return Err(rate_limited(ctx, until, now));
    }
    let account = s.store.account_by_login(login).await.map_err(internal)?.filter(|a| a.disabled_at.is_none());
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let matches = slot.verify(password, stored).await.map_err(internal)?;
    match account {
        Some(account) if matches => {
            s.store.clear_throttle(ThrottleKind::Login, &key).await.map_err(internal)?;
            Ok(account)
        }
        _ => {
            if let Some(address) = &address {
                let backoff = Backoff::of(policy, policy.free_failures_per_address);
                s.store
                    .count_failure(ThrottleKind::Address, address, now, forget, false, |e| {
                        backoff.lock(e.failures, now)
                    })
                    .await
                    .map_err(internal)?;
            }
            refused("bad_credentials");
            Err(ApiError::Unauthenticated.extend())
        }
    }
}

/// Counts a registration attempt against the caller's address; `RATE_LIMITED` once the
/// address has used `registrations_per_address` in the current window. Called before the
/// input is even checked, so that invalid attempts count too.
pub async fn count_registration(ctx: &Context<'_>) -> Result<(), async_graphql::Error> {
    let Some(address) = client(ctx) else { return Ok(()) };
    let s = state(ctx);
    let policy = &s.config.sign_in;
    let now = s.clock.now();
    let window = secs(policy.registration_window_secs);
    let reset = Reset { after_idle: window, after_span: Some(window) };
    let limit = i64::from(policy.registrations_per_address);
    let counted = s
        .store
        .count_failure(ThrottleKind::Registration, &address, now, reset, true, |e| {
            (e.failures >= limit).then(|| e.first_failure_at + window)
        })
        .await
        .map_err(internal)?;
    match counted {
        Counted::Locked(until) => Err(rate_limited(ctx, until, now)),
        Counted::Counted(_) => Ok(()),
    }
}

/// Hashes a secret (a password, a query code) on the hashing pool, refused `RATE_LIMITED`
/// (busy) when every slot is taken.
pub async fn hash_secret(ctx: &Context<'_>, secret: String) -> Result<String, async_graphql::Error> {
    let Some(slot) = state(ctx).hash_pool.try_reserve() else { return Err(busy(ctx)) };
    slot.hash(secret).await.map_err(internal)
}

/// Registers `account` (everything checked, but without its hash) with `password`, hashed on
/// the pool. The same receipt whether the account was created or its login or identity
/// number was already taken; in that case nothing is written.
pub async fn register(
    ctx: &Context<'_>,
    mut account: NewAccount,
    password: String,
) -> Result<RegistrationReceipt, async_graphql::Error> {
    let s = state(ctx);
    let Some(slot) = s.hash_pool.try_reserve() else { return Err(busy(ctx)) };
    account.password_hash = slot.hash(password).await.map_err(internal)?;
    let receipt = RegistrationReceipt { login: account.login.clone(), message: RECEIPT_MESSAGE.to_owned() };
    let id_number = account.id_number.clone();
    let created = s
        .store
        .transaction(|txn| {
            Box::pin(async move {
                if let Some(number) = id_number.as_deref()
                    && txn.id_number_registered(number).await?
                {
                    return Ok(false);
                }
                // A taken login is a unique violation, which rolls the transaction back.
                txn.create_account(account).await.map(|_| true)
            })
        })
        .await;
    match created {
        Ok(_) | Err(StoreError::UniqueViolation { .. }) => Ok(receipt),
        Err(e) => Err(internal(e)),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-09-18 09:00 +8);

    fn backoff(free: u32) -> Backoff {
        Backoff { free, base_secs: 2, max_secs: 900 }
    }

    #[test]
    fn the_free_failures_are_answered_then_the_delay_doubles_up_to_its_cap() {
        let b = backoff(5);
        let delays: Vec<u64> = (1..=15).map(|n| b.delay_secs(n)).collect();
        assert_eq!(delays, [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(b.delay_secs(0), 0);
        assert_eq!(b.delay_secs(i64::MAX), 900, "no overflow, however many failures");
        assert_eq!(b.lock(4, NOW), None);
        assert_eq!(b.lock(6, NOW), Some(NOW + Duration::seconds(4)));
    }

    #[test]
    fn no_free_failures_means_the_first_one_locks() {
        assert_eq!(backoff(0).delay_secs(1), 2);
        assert_eq!(backoff(1).delay_secs(1), 2);
        assert_eq!(backoff(1).delay_secs(2), 4);
    }

    #[test]
    fn an_absurd_maximum_is_capped_at_a_year_and_does_not_overflow_the_clock() {
        let b = Backoff { free: 1, base_secs: u64::MAX, max_secs: u64::MAX };
        assert_eq!(b.delay_secs(1), MAX_LOCK_SECS);
        assert_eq!(b.lock(70, NOW), Some(NOW + Duration::seconds(MAX_LOCK_SECS as i64)));
    }

    #[test]
    fn login_keys_are_hashes_shared_by_case_and_spacing() {
        let key = login_key("Clerk ");
        assert_eq!(key, login_key("clerk"));
        assert_ne!(key, login_key("clerk2"));
        assert_eq!(key.len(), 64);
        assert!(!key.contains("clerk"));
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), "2001:db8:1:2::/64");
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(c));
        assert_eq!(address_key("::ffff:10.0.0.7".parse().unwrap()), "10.0.0.7");
        assert_eq!(address_key("10.0.0.7".parse().unwrap()), "10.0.0.7");
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        assert_eq!(retry_after_secs(NOW + Duration::milliseconds(1_500), NOW), 2);
        assert_eq!(retry_after_secs(NOW + Duration::seconds(4), NOW), 4);
        assert_eq!(retry_after_secs(NOW, NOW), 1);
        assert_eq!(retry_after_secs(NOW - Duration::seconds(3), NOW), 1);
    }
}
