//! Passwords: argon2id with a random salt, stored as a PHC string; the strength policy for
//! new passwords; and the [`HashPool`] that hashes off the request threads.
//!
//! The store keeps only the hash; the plain password lives no longer than the request.
//!
//! Each hash holds a 19 MiB block buffer (argon2id's default `m = 19456` KiB) and burns
//! about 50 ms of one core. Run on the request threads, a handful of concurrent sign-ins
//! starved every other request and pushed the process far over its memory limit, and the
//! freed buffers stayed resident: glibc's dynamic mmap threshold rises to the size of the
//! first freed 19 MiB block, so later blocks come from the heap arenas, which are not given
//! back to the system. The pool fixes both: `hash_workers` threads each own one buffer,
//! allocated on their first job and reused for every hash after it (so memory is flat at
//! workers × 19 MiB however many sign-ins come), and a request waits for its result on a
//! oneshot channel. The queue is bounded: when `hash_workers + hash_queue` hashes are
//! already in flight, [`HashPool::try_reserve`] says no at once and the caller refuses the
//! request (`RATE_LIMITED`, busy) instead of queueing without end.
//!
//! [`hash`] and [`verify`] remain for the command line (`foi admin create-staff`, the demo
//! seed), which hashes once and exits; request handlers use the pool.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::ApiError;

/// The shortest password accepted. Eight, as NIST SP 800-63B sets it for passwords checked
/// against a list of common ones: the strength check below refuses the weak long ones
/// (`password123`) and the weak short ones alike, and a longer minimum mostly makes people
/// pad a weak password with digits, which the check refuses anyway.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The longest password accepted (argon2 takes any length; this bounds the request).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// The lowest zxcvbn score accepted: 2 means "somewhat guessable", beyond 10⁸ guesses, which
/// with throttled sign-ins and argon2id at rest is out of reach of an online attacker.
pub const MIN_STRENGTH: zxcvbn::Score = zxcvbn::Score::Two;
/// How much of a password the strength estimator reads: its cost grows with the length, and
/// a password whose first 64 characters are strong is strong.
const STRENGTH_PREFIX_CHARS: usize = 64;

/// Checks a new password: at least [`MIN_PASSWORD_CHARS`], at most [`MAX_PASSWORD_CHARS`],
/// not the login (or built from it or from the other `personal` values, e.g. the name), and
/// not a common password or an easily guessed pattern (zxcvbn score at least
/// [`MIN_STRENGTH`]). The error names `field` and says what would be accepted.
pub fn check_new(field: &str, password: &str, login: &str, personal: &[&str]) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::validation(field, format!("use at least {MIN_PASSWORD_CHARS} characters")));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ApiError::validation(field, format!("use at most {MAX_PASSWORD_CHARS} characters")));
    }
    let login = login.trim();
    let lowered = password.to_lowercase();
    for (value, what) in std::iter::once((login, "the login")).chain(personal.iter().map(|p| (*p, "your name"))) {
        if mostly(&lowered, value) {
            return Err(ApiError::validation(
                field,
                format!("must not be {what} or built from it; choose a password of its own, e.g. four random words"),
            ));
        }
    }
    let prefix: String = password.chars().take(STRENGTH_PREFIX_CHARS).collect();
    let mut inputs: Vec<&str> = vec![login];
    inputs.extend(personal.iter().copied().filter(|p| !p.trim().is_empty()));
    let estimate = zxcvbn::zxcvbn(&prefix, &inputs);
    if estimate.score() < MIN_STRENGTH {
        let why = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map_or_else(|| "it is too easy to guess".to_owned(), |w| w.to_string());
        return Err(ApiError::validation(
            field,
            format!(
                "this password is too easy to guess ({why}); use a few unrelated words or a longer \
                 mix that is not a common password, not a keyboard pattern and not built from \
                 your login or name, e.g. four random words"
            ),
        ));
    }
    Ok(())
}

/// Hashes `password` with argon2id (default parameters: 19 MiB, 2 passes) and a fresh salt,
/// on the calling thread. For the command line; request handlers use [`HashPool`].
pub fn hash(password: &str) -> Result<String, ApiError> {
    let salt = fresh_salt()?;
    let hash = Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|_| ApiError::Internal)?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string, on the calling thread. A malformed hash
/// never matches. For the command line and tests; request handlers use [`HashPool`].
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

fn fresh_salt() -> Result<SaltString, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| ApiError::Internal)?;
    SaltString::encode_b64(&salt).map_err(|_| ApiError::Internal)
}

/// Whether `password` (lower-cased) is `value` repeated or padded with less than
/// [`MIN_PASSWORD_CHARS`] characters of its own (`lisi-lisi`, `zhangsan2026`). Values
/// shorter than 3 characters are ignored: they would refuse too much.
fn mostly(password: &str, value: &str) -> bool {
    let value = value.trim().to_lowercase();
    if value.chars().count() < 3 {
        return false;
    }
    password.contains(&value) && password.replace(&value, "").chars().count() < MIN_PASSWORD_CHARS
}

/// A worker's argon2 state: one block buffer for the default parameters, allocated on the
/// first hash and reused for every later one.
#[derive(Default)]
struct Hasher {
    blocks: Vec<Block>,
}

impl Hasher {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            // Only for a stored hash made with more memory than the default (none are, but a
            // hash imported from elsewhere could be): the buffer grows once and stays.
            self.blocks = vec![Block::new(); count];
        }
        &mut self.blocks[..count]
    }

    /// A PHC string of argon2id with the default parameters over a fresh salt.
    fn hash(&mut self, password: &[u8]) -> Result<String, ApiError> {
        let params = Params::default();
        let salt = fresh_salt()?;
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(|_| ApiError::Internal)?;
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        argon
            .hash_password_into_with_memory(password, salt_bytes, &mut out, self.blocks(params.block_count()))
            .map_err(|_| ApiError::Internal)?;
        let phc = PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|_| ApiError::Internal)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|_| ApiError::Internal)?),
        };
        Ok(phc.to_string())
    }

    /// Whether `password` matches the PHC string `stored`, compared in constant time
    /// (`Output`'s equality). A malformed hash never matches.
    fn verify(&mut self, password: &[u8], stored: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else { return false };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
        let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
        let Ok(version) = parsed.version.map_or(Ok(Version::default()), Version::try_from) else { return false };
        let Ok(params) = Params::try_from(&parsed) else { return false };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else { return false };
        let mut out = vec![0u8; expected.len()];
        let argon = Argon2::new(algorithm, version, params.clone());
        if argon
            .hash_password_into_with_memory(password, salt_bytes, &mut out, self.blocks(params.block_count()))
            .is_err()
        {
            return false;
        }
        Output::new(&out).is_ok_and(|computed| computed == expected)
    }
}

/// What a worker is asked to do.
enum Work {
    /// Hash a new password.
    Hash(String),
    /// Verify a password against a stored hash; `None` verifies against the decoy, so that an
    /// unknown login costs what a wrong password costs.
    Verify(String, Option<String>),
    /// Compute the decoy (sent when the pool starts, ahead of any sign-in).
    Warm,
}

enum Done {
    Hashed(Result<String, ApiError>),
    Verified(bool),
}

struct Job {
    work: Work,
    reply: Option<tokio::sync::oneshot::Sender<Done>>,
    // Released when the worker has finished the job (or when the job is dropped unrun).
    _slot: Option<Slot>,
}

struct Shared {
    in_flight: AtomicUsize,
    capacity: usize,
    decoy: OnceLock<String>,
}

struct Running {
    sender: mpsc::Sender<Job>,
    shared: Arc<Shared>,
}

/// The bounded pool of password-hashing threads (see the module doc). Cheap to clone; the
/// threads start on first use and stop when the last clone is dropped.
#[derive(Clone)]
pub struct HashPool {
    workers: usize,
    queue: usize,
    running: Arc<OnceLock<Running>>,
}

impl std::fmt::Debug for HashPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashPool").field("workers", &self.workers).field("queue", &self.queue).finish()
    }
}

impl HashPool {
    /// A pool of `workers` threads (at least one) with room for `queue` hashes waiting.
    pub fn new(workers: usize, queue: usize) -> HashPool {
        HashPool { workers: workers.max(1), queue, running: Arc::new(OnceLock::new()) }
    }

    fn running(&self) -> &Running {
        self.running.get_or_init(|| {
            let (sender, receiver) = mpsc::channel::<Job>();
            let receiver = Arc::new(Mutex::new(receiver));
            let shared = Arc::new(Shared {
                in_flight: AtomicUsize::new(0),
                capacity: self.workers + self.queue,
                decoy: OnceLock::new(),
            });
            for n in 0..self.workers {
                let receiver = Arc::clone(&receiver);
                let shared = Arc::clone(&shared);
                let spawned =
                    std::thread::Builder::new().name(format!("foi-hash-{n}")).spawn(move || work(&receiver, &shared));
                if let Err(e) = spawned {
                    eprintln!("cannot start password-hashing thread {n}: {e}");
                }
            }
            // The decoy first, so that the first unknown login does not pay for it.
            let _ = sender.send(Job { work: Work::Warm, reply: None, _slot: None });
            Running { sender, shared }
        })
    }

    /// A place in the pool for one hash, or `None` at once if `hash_workers + hash_queue`
    /// hashes are already in flight.
    pub fn try_reserve(&self) -> Option<Slot> {
        let shared = &self.running().shared;
        shared
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < shared.capacity).then_some(n + 1))
            .ok()
            .map(|_| Slot { shared: Arc::clone(shared), pool: self.clone() })
    }

    /// Hashes in flight now (running or waiting).
    pub fn in_flight(&self) -> usize {
        self.running.get().map_or(0, |r| r.shared.in_flight.load(Ordering::Acquire))
    }
}

/// One reserved place in the [`HashPool`]; spent by one hash or verification.
pub struct Slot {
    shared: Arc<Shared>,
    pool: HashPool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.shared.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Slot {
    async fn run(self, work: Work) -> Result<Done, ApiError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let pool = self.pool.clone();
        let job = Job { work, reply: Some(reply), _slot: Some(self) };
        if pool.running().sender.send(job).is_err() {
            eprintln!("internal error: no password-hashing thread is running");
            return Err(ApiError::Internal);
        }
        answer.await.map_err(|_| {
            eprintln!("internal error: a password-hashing thread dropped its job");
            ApiError::Internal
        })
    }

    /// Hashes a new password on the pool.
    pub async fn hash(self, password: String) -> Result<String, ApiError> {
        match self.run(Work::Hash(password)).await? {
            Done::Hashed(result) => result,
            Done::Verified(_) => Err(ApiError::Internal),
        }
    }

    /// Whether `password` matches `stored` (a PHC string); with `None` it is checked against
    /// the decoy and never matches, in the time a real check takes.
    pub async fn verify(self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        match self.run(Work::Verify(password, stored)).await? {
            Done::Verified(ok) => Ok(ok),
            Done::Hashed(_) => Err(ApiError::Internal),
        }
    }
}

fn work(receiver: &Mutex<mpsc::Receiver<Job>>, shared: &Shared) {
    let mut hasher = Hasher::default();
    loop {
        // The lock is held only while waiting for the next job, never while hashing.
        let job = receiver.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(Job { work, reply, _slot: slot }) = job else { return };
        let decoy = |hasher: &mut Hasher| {
            shared
                .decoy
                .get_or_init(|| {
                    let mut secret = [0u8; 32];
                    let _ = getrandom::fill(&mut secret);
                    hasher.hash(&secret).unwrap_or_default()
                })
                .clone()
        };
        let done = match work {
            Work::Hash(password) => Done::Hashed(hasher.hash(password.as_bytes())),
            Work::Verify(password, Some(stored)) => Done::Verified(hasher.verify(password.as_bytes(), &stored)),
            Work::Verify(password, None) => {
                let decoy = decoy(&mut hasher);
                hasher.verify(password.as_bytes(), &decoy);
                Done::Verified(false)
            }
            Work::Warm => {
                decoy(&mut hasher);
                continue;
            }
        };
        // The place is free again before the caller hears back, so that the caller's next
        // reservation finds it.
        drop(slot);
        if let Some(reply) = reply {
            // The request may have gone (client closed the connection): nothing to do.
            let _ = reply.send(done);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: &str = "correct horse battery staple";

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("correct horsf", &h));
        assert!(!verify("correct horse", "not a hash"));
        // A fresh salt every time.
        assert_ne!(h, hash("correct horse").unwrap());
    }

    #[test]
    fn the_pools_hasher_and_the_reference_implementation_agree() {
        let mut hasher = Hasher::default();
        let pooled = hasher.hash(b"correct horse").unwrap();
        assert!(pooled.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{pooled}");
        // The reference implementation accepts the pool's hash, and the pool accepts the
        // reference implementation's: the stored strings are interchangeable.
        assert!(verify("correct horse", &pooled));
        assert!(!verify("correct horsf", &pooled));
        let reference = hash("correct horse").unwrap();
        assert!(hasher.verify(b"correct horse", &reference));
        assert!(!hasher.verify(b"correct horsf", &reference));
        assert!(!hasher.verify(b"correct horse", "$argon2id$v=19$m=19456,t=2,p=1$bm90IGEgaGFzaA"));
        assert!(!hasher.verify(b"correct horse", "not a hash"));
        // One buffer, reused.
        assert_eq!(hasher.blocks.len(), Params::default().block_count());
        // A hash made with other parameters verifies too.
        let small = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 3, 1, None).unwrap())
            .hash_password(b"pw", &fresh_salt().unwrap())
            .unwrap()
            .to_string();
        assert!(hasher.verify(b"pw", &small));
        assert!(!hasher.verify(b"px", &small));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_pool_hashes_verifies_and_refuses_beyond_its_capacity() {
        let pool = HashPool::new(1, 1);
        let hashed = pool.try_reserve().unwrap().hash(STRONG.to_owned()).await.unwrap();
        assert!(verify(STRONG, &hashed));
        assert!(pool.try_reserve().unwrap().verify(STRONG.to_owned(), Some(hashed.clone())).await.unwrap());
        assert!(!pool.try_reserve().unwrap().verify("wrong".to_owned(), Some(hashed)).await.unwrap());
        assert!(!pool.try_reserve().unwrap().verify(STRONG.to_owned(), None).await.unwrap());
        // One worker and one waiting place: a third reservation is refused at once, and a
        // place comes back when its slot is spent or dropped.
        let first = pool.try_reserve().unwrap();
        let second = pool.try_reserve().unwrap();
        assert!(pool.try_reserve().is_none());
        assert_eq!(pool.in_flight(), 2);
        drop(first);
        assert!(second.verify("x".to_owned(), None).await.is_ok());
        assert_eq!(pool.in_flight(), 0);
        assert!(pool.try_reserve().is_some());
    }

    #[test]
    fn weak_passwords_are_refused_with_the_field_named_and_advice() {
        for weak in ["12345678", "password", "qwerty123", "password123", "iloveyou123", "11111111111"] {
            let err = check_new("input.password", weak, "zhangsan", &[]).unwrap_err();
            assert_eq!(err.code(), "VALIDATION", "{weak}");
            assert!(err.message().starts_with("input.password: "), "{}", err.message());
            assert!(err.message().contains("four random words"), "{}", err.message());
        }
        let err = check_new("input.password", "short", "zhangsan", &[]).unwrap_err();
        assert!(err.message().contains("at least 8"), "{}", err.message());
        let err = check_new("input.password", &"x".repeat(MAX_PASSWORD_CHARS + 1), "z", &[]).unwrap_err();
        assert!(err.message().contains("at most"), "{}", err.message());
    }

    #[test]
    fn the_login_and_personal_values_do_not_make_a_password() {
        for built in ["Zhangsan-Wangwu", "zhangsan-wangwu2026", "zhangsan-wangwu zhangsan-wangwu"] {
            let err = check_new("password", built, "zhangsan-wangwu", &[]).unwrap_err();
            assert!(err.message().contains("must not be the login or built from it"), "{}", err.message());
        }
        let err = check_new("password", "Liu Xiaoming!!", "someone", &["liu xiaoming"]).unwrap_err();
        assert!(err.message().contains("must not be your name"), "{}", err.message());
        // Containing it is not enough to refuse a password that is strong without it.
        assert!(check_new("password", "zhangsan-wangwu on a purple bicycle", "zhangsan-wangwu", &[]).is_ok());
        // Strong on its own, weak once it is known to be the login plus a year.
        assert!(check_new("password", "liuxiaoming1987", "liuxiaoming", &[]).is_err());
        assert!(check_new("password", "liuxiaoming1987", "someone", &["liuxiaoming"]).is_err());
    }

    #[test]
    fn the_demo_and_test_passwords_and_reasonable_ones_pass() {
        for good in [STRONG, crate::demo::DEMO_PASSWORD, "huangshan-2024", "wo ai beijing", "Zhang-San-1990"] {
            assert!(check_new("password", good, "zhangsan", &["张三"]).is_ok(), "{good}");
        }
    }
}
