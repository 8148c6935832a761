//! The API's bounds and policies: what one request may cost, whether the schema may be
//! introspected, and how sign-in is defended. `foi serve` reads them from its configuration
//! file (`[api]`, see `docs/configuration.md`); [`ApiConfig::default`] is the development
//! setting that `foi serve` uses with no file.
//!
//! Every key has a default, so a file names only what it changes; an unknown key is an error
//! (a misspelt limit must not silently fall back to its default). They also serialise, so that
//! `foi config check` can print the effective configuration.

use serde::{Deserialize, Serialize};

/// The API's configuration (`[api]`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Whether the schema answers introspection (`__schema`, `__type`). On for development
    /// and the demo; a production configuration turns it off unless it says otherwise.
    pub introspection: bool,
    /// What one request may cost.
    pub limits: Limits,
    /// How sign-in and registration are defended.
    pub sign_in: SignInPolicy,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig { introspection: true, limits: Limits::default(), sign_in: SignInPolicy::default() }
    }
}

/// What one GraphQL request may cost (`[api.limits]`). Each bound is refused with its own
/// `extensions.code`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// The deepest selection, counted after fragments are expanded (`QUERY_TOO_DEEP`).
    /// Introspection subtrees count as one level; their cost still counts.
    pub max_depth: usize,
    /// The largest complexity, counted after fragments are expanded (expensive fields and
    /// connections cost more; see `crate::limits`) (`QUERY_TOO_COMPLEX`).
    pub max_complexity: usize,
    /// The most aliased fields in one request (`TOO_MANY_ALIASES`).
    pub max_aliases: usize,
    /// The longest text any one input string may hold, in characters, where a field has no
    /// tighter limit of its own (`VALIDATION`, see `crate::text` for the tighter ones).
    pub max_text_chars: usize,
    /// How long one GraphQL execution may run, in milliseconds; checked between resolvers,
    /// so it holds for CPU-bound work too (`DEADLINE_EXCEEDED`).
    pub execution_timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 16,
            max_complexity: 5_000,
            max_aliases: 30,
            max_text_chars: 20_000,
            execution_timeout_ms: 15_000,
        }
    }
}

/// How sign-in and registration are defended (`[api.sign_in]`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct SignInPolicy {
    /// Threads that hash passwords, off the request threads. Each hash holds about 19 MiB
    /// while it runs, so this also bounds that memory.
    pub hash_workers: usize,
    /// Hashes that may wait for a worker; beyond that a sign-in is refused `RATE_LIMITED`.
    pub hash_queue: usize,
    /// Failed sign-ins for one login that are answered at once; after them each further
    /// attempt waits a delay that doubles.
    pub free_failures_per_login: u32,
    /// Failed sign-ins from one client address that are answered at once.
    pub free_failures_per_address: u32,
    /// The first delay, in seconds, once the free failures are used up.
    pub base_delay_secs: u64,
    /// The longest delay, in seconds.
    pub max_delay_secs: u64,
    /// After this many seconds without a failure, a login's or an address's failures are
    /// forgotten.
    pub forget_after_secs: u64,
    /// Registration attempts (`registerApplicant` and `applyWithoutAccount`, valid or not) answered from one client
    /// address per `registration_window_secs`; beyond that they are refused `RATE_LIMITED`
    /// until the window ends.
    pub registrations_per_address: u32,
    /// The window of `registrations_per_address`, in seconds, counted from its first attempt.
    pub registration_window_secs: u64,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        SignInPolicy {
            hash_workers: 2,
            hash_queue: 32,
            free_failures_per_login: 5,
            free_failures_per_address: 20,
            base_delay_secs: 2,
            max_delay_secs: 900,
            forget_after_secs: 3_600,
            registrations_per_address: 10,
            registration_window_secs: 3_600,
        }
    }
}

/// The address the request came from, as the HTTP layer saw it (the peer, or the client a
/// trusted reverse proxy names). `None` where there is none (in-process calls).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);
