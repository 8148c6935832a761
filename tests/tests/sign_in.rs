//! Sign-in and registration defences, as a hostile client meets them: throttling per login
//! and per address (shared by replicas), refusals that check no password, a bounded hashing
//! pool, and a registration that does not tell whether a login or identity number is taken.

use std::time::{Duration as StdDuration, Instant};

use foi_api::ApiConfig;
use foi_api::config::SignInPolicy;
use foi_api::sign_in::login_key;
use foi_e2e::{Backend, DEFAULT_NOW, PASSWORD, TestApp, TestOptions, data, error_code};
use foi_store::ThrottleKind;
use serde_json::{Value, json};
use time::Duration;

const SIGN_IN: &str = "mutation($i: SignInInput!) { signIn(input: $i) { token } }";
const REGISTER: &str = "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login message } }";
const WRONG: &str = "a wrong guess at the password";

/// Defines `NAME::sqlite` and `NAME::postgres` for `async fn NAME(backend: Backend)`, which
/// starts its own app (these tests need their own sign-in policy).
macro_rules! on_both {
    ($( $(#[$meta:meta])* async fn $name:ident($backend:ident: Backend) $body:block )*) => {$(
        $(#[$meta])*
        async fn $name($backend: Backend) $body

        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(foi_e2e::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(foi_e2e::Backend::Postgres).await;
            }
        }
    )*};
}

async fn spawn(backend: Backend, policy: SignInPolicy) -> Option<TestApp> {
    let options = TestOptions { api: ApiConfig { sign_in: policy, ..ApiConfig::default() }, ..TestOptions::default() };
    let app = TestApp::spawn_with(backend, options).await?;
    app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
    app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
    Some(app)
}

/// One answer: the body and its `Retry-After` header.
struct Answer {
    body: Value,
    retry_after: Option<String>,
}

impl Answer {
    fn code(&self) -> Option<&str> {
        error_code(&self.body)
    }

    fn extension(&self, name: &str) -> &Value {
        &self.body["errors"][0]["extensions"][name]
    }

    /// `retryAfterSeconds`, after checking that the header says the same.
    fn retry(&self) -> u64 {
        let secs = self.extension("retryAfterSeconds").as_u64().unwrap_or_else(|| panic!("no retry: {}", self.body));
        assert_eq!(self.retry_after.as_deref(), Some(secs.to_string().as_str()), "Retry-After header");
        secs
    }
}

async fn post(app: &TestApp, query: &str, input: Value) -> Answer {
    let response = app
        .client()
        .post(app.url("/graphql"))
        .json(&json!({"query": query, "variables": {"i": input}}))
        .send()
        .await
        .expect("POST /graphql");
    assert_eq!(response.status(), 200);
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    Answer { body: response.json().await.expect("JSON"), retry_after }
}

async fn sign_in(app: &TestApp, login: &str, password: &str) -> Answer {
    post(app, SIGN_IN, json!({"login": login, "password": password})).await
}

async fn login_failures(app: &TestApp, login: &str) -> Option<i64> {
    app.store.throttle_entry(ThrottleKind::Login, &login_key(login)).await.unwrap().map(|e| e.failures)
}

async fn address_failures(app: &TestApp) -> Option<i64> {
    app.store.throttle_entry(ThrottleKind::Address, "127.0.0.1").await.unwrap().map(|e| e.failures)
}

/// Only the login throttle: the address one out of the way.
fn per_login(free: u32) -> SignInPolicy {
    SignInPolicy { free_failures_per_login: free, free_failures_per_address: 10_000, ..SignInPolicy::default() }
}

on_both! {
    /// 200 wrong passwords in a row: five are answered, then every attempt is refused without
    /// a check until its lock passes, and each failure after a lock doubles it up to the cap.
    /// The right password is refused too while locked; once the lock passes it works and
    /// clears the count.
    async fn two_hundred_wrong_passwords_meet_a_doubling_lock(backend: Backend) {
        let Some(app) = spawn(backend, per_login(5)).await else { return };
        let mut now = DEFAULT_NOW;
        let (mut answered, mut refused) = (0, 0);
        let mut locks: Vec<u64> = Vec::new();
        for attempt in 1..=200 {
            let answer = sign_in(&app, "clerk", WRONG).await;
            match answer.code() {
                Some("UNAUTHENTICATED") => answered += 1,
                Some("RATE_LIMITED") => {
                    refused += 1;
                    assert_eq!(answer.extension("reason"), "TOO_MANY_ATTEMPTS");
                    let retry = answer.retry();
                    if locks.last() != Some(&retry) {
                        locks.push(retry);
                    }
                    // Every tenth attempt waits its lock out.
                    if attempt % 10 == 0 && attempt < 200 {
                        now += Duration::seconds(retry as i64);
                        app.set_now(now);
                    }
                }
                other => panic!("attempt {attempt}: {other:?} {}", answer.body),
            }
            if attempt <= 5 {
                assert_eq!(answer.code(), Some("UNAUTHENTICATED"), "the free failures are answered");
            }
        }
        // 5 free, then one answered after each of the 19 waits.
        assert_eq!((answered, refused), (24, 176));
        assert_eq!(locks, [2, 4, 8, 16, 32, 64, 128, 256, 512, 900]);
        assert_eq!(login_failures(&app, "clerk").await, Some(24), "refusals are not counted");

        let answer = sign_in(&app, "clerk", PASSWORD).await;
        assert_eq!(answer.code(), Some("RATE_LIMITED"), "the right password waits too");
        let retry = answer.retry();
        assert!(retry <= 900);
        app.set_now(now + Duration::seconds(retry as i64));
        let answer = sign_in(&app, "clerk", PASSWORD).await;
        assert!(data(&answer.body)["signIn"]["token"].is_string());
        assert_eq!(login_failures(&app, "clerk").await, None, "a success clears the login");
        assert_eq!(sign_in(&app, "clerk", WRONG).await.code(), Some("UNAUTHENTICATED"));
    }

    /// Unknown logins are counted and locked like known ones, so the throttle tells nothing.
    async fn unknown_logins_are_throttled_like_known_ones(backend: Backend) {
        let Some(app) = spawn(backend, per_login(3)).await else { return };
        for login in ["clerk", "nobody"] {
            let codes: Vec<Option<String>> = {
                let mut codes = Vec::new();
                for _ in 0..4 {
                    codes.push(sign_in(&app, login, WRONG).await.code().map(str::to_owned));
                }
                codes
            };
            let expected = ["UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"];
            assert_eq!(codes, expected.map(|c| Some(c.to_owned())), "{login}");
        }
        assert_eq!(login_failures(&app, "nobody").await, Some(3));
    }

    /// An unknown login is checked against the decoy hash on the pool: it takes about as
    /// long as a wrong password for a real one, so timing does not tell logins apart.
    async fn an_unknown_login_takes_as_long_as_a_wrong_password(backend: Backend) {
        let Some(app) = spawn(backend, per_login(1_000)).await else { return };
        // Warm: the pool starts and makes its decoy.
        sign_in(&app, "clerk", WRONG).await;
        let (mut known, mut unknown) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            let started = Instant::now();
            assert_eq!(sign_in(&app, "clerk", WRONG).await.code(), Some("UNAUTHENTICATED"));
            known.push(started.elapsed());
            let started = Instant::now();
            assert_eq!(sign_in(&app, "nobody", WRONG).await.code(), Some("UNAUTHENTICATED"));
            unknown.push(started.elapsed());
        }
        let (known, unknown) = (median(known), median(unknown));
        let ratio = unknown.as_secs_f64() / known.as_secs_f64();
        eprintln!("sign-in: wrong password {known:?}, unknown login {unknown:?} (median of 5), ratio {ratio:.2}");
        assert!((0.33..3.0).contains(&ratio), "wrong password {known:?} vs unknown login {unknown:?}");
        // Both cost a hash: far more than an answer without one.
        assert!(unknown > StdDuration::from_millis(5), "{unknown:?}: no hash was computed");
    }

    /// Many logins from one address are throttled together: the address is locked after its
    /// free failures, whichever logins they were for, and then refuses even a right password.
    async fn one_address_is_throttled_across_logins(backend: Backend) {
        let policy = SignInPolicy { free_failures_per_login: 100, free_failures_per_address: 5, ..SignInPolicy::default() };
        let Some(app) = spawn(backend, policy).await else { return };
        for n in 0..5 {
            assert_eq!(sign_in(&app, &format!("guess{n}"), WRONG).await.code(), Some("UNAUTHENTICATED"));
        }
        let answer = sign_in(&app, "guess5", WRONG).await;
        assert_eq!(answer.code(), Some("RATE_LIMITED"));
        assert_eq!(answer.retry(), 2);
        let answer = sign_in(&app, "clerk", PASSWORD).await;
        assert_eq!(answer.code(), Some("RATE_LIMITED"), "the address is locked for everyone on it");
        assert_eq!(address_failures(&app).await, Some(5));
        assert_eq!(login_failures(&app, "guess5").await, None, "refused before the login was counted");
        app.set_now(DEFAULT_NOW + Duration::seconds(2));
        let answer = sign_in(&app, "clerk", PASSWORD).await;
        assert!(data(&answer.body)["signIn"]["token"].is_string());
        // A success does not clear the address: the next failure doubles its lock.
        let answer = sign_in(&app, "guess6", WRONG).await;
        assert_eq!(answer.code(), Some("UNAUTHENTICATED"));
        assert_eq!(sign_in(&app, "guess7", WRONG).await.retry(), 4);
    }

    /// Twenty wrong attempts at once: the check and the count are one statement, so exactly
    /// the five free ones are answered and the count ends at five, however they interleave;
    /// and twenty at once on twenty logins leave the address's count at exactly twenty.
    async fn concurrent_attempts_do_not_bypass_the_count(backend: Backend) {
        let Some(app) = spawn(backend, per_login(5)).await else { return };
        let attempts = (0..20).map(|_| sign_in(&app, "clerk", WRONG));
        let answers = futures_util::future::join_all(attempts).await;
        let answered = answers.iter().filter(|a| a.code() == Some("UNAUTHENTICATED")).count();
        let refused = answers.iter().filter(|a| a.code() == Some("RATE_LIMITED")).count();
        assert_eq!((answered, refused), (5, 15));
        assert_eq!(login_failures(&app, "clerk").await, Some(5));
        assert_eq!(address_failures(&app).await, Some(5));

        let attempts = (0..20).map(|n| {
            let login = format!("guess{n}");
            let app = &app;
            async move { sign_in(app, &login, WRONG).await }
        });
        let answers = futures_util::future::join_all(attempts).await;
        assert!(answers.iter().all(|a| a.code() == Some("UNAUTHENTICATED")), "{:?}", answers[0].body);
        assert_eq!(address_failures(&app).await, Some(25), "no failure lost");
    }

    /// Registration answers the same for a new login, a taken login and a taken identity
    /// number, in about the same time, and changes nothing for the taken ones.
    async fn registration_does_not_reveal_taken_logins_or_identity_numbers(backend: Backend) {
        let policy = SignInPolicy { registrations_per_address: 100, ..SignInPolicy::default() };
        let Some(app) = spawn(backend, policy).await else { return };
        let input = |login: &str, password: &str, id: &str| {
            json!({"login": login, "password": password, "name": "张三", "kind": "NATURAL_PERSON", "idNumber": id})
        };
        let new = post(&app, REGISTER, input("zhangsan", PASSWORD, "11010519491231002X")).await;
        let receipt = data(&new.body)["registerApplicant"].clone();
        assert_eq!(receipt["login"], "zhangsan");
        let message = receipt["message"].as_str().unwrap();
        assert!(message.contains("请用该登录名和密码登录") && message.contains("Sign in with this login"), "{message}");

        // A taken login (another password, another number): the very same answer.
        let taken = post(&app, REGISTER, input("zhangsan", "another fine passphrase", "110101199003078515")).await;
        assert_eq!(taken.body, new.body);
        // A taken identity number under a new login: the same answer but for the login.
        let same_id = post(&app, REGISTER, input("zhangsan2", "another fine passphrase", "11010519491231002X")).await;
        assert_eq!(data(&same_id.body)["registerApplicant"]["message"], receipt["message"]);
        assert_eq!(data(&same_id.body)["registerApplicant"]["login"], "zhangsan2");

        // Nothing was created or changed for either.
        assert!(app.store.account_by_login("zhangsan2").await.unwrap().is_none());
        assert!(!app.store.id_number_registered("110101199003078515").await.unwrap());
        assert!(data(&sign_in(&app, "zhangsan", PASSWORD).await.body)["signIn"]["token"].is_string());
        assert_eq!(sign_in(&app, "zhangsan", "another fine passphrase").await.code(), Some("UNAUTHENTICATED"));

        // About the same time: a hash on the pool either way.
        let (mut fresh, mut repeated) = (Vec::new(), Vec::new());
        for n in 0..5 {
            let started = Instant::now();
            let id = ["110101199003071110", "110101199003071217", "110101199003071313", "11010119900307141X", "110101199003071516"][n];
            data(&post(&app, REGISTER, input(&format!("timing{n}"), PASSWORD, id)).await.body);
            fresh.push(started.elapsed());
            let started = Instant::now();
            data(&post(&app, REGISTER, input("zhangsan", PASSWORD, id)).await.body);
            repeated.push(started.elapsed());
        }
        let (fresh, repeated) = (median(fresh), median(repeated));
        let ratio = fresh.as_secs_f64() / repeated.as_secs_f64();
        eprintln!("registration: new login {fresh:?}, taken login {repeated:?} (median of 5), ratio {ratio:.2}");
        assert!((0.33..3.0).contains(&ratio), "new {fresh:?} vs taken {repeated:?}");
    }

    /// Weak passwords are refused with what would be accepted.
    async fn weak_passwords_are_refused_at_registration(backend: Backend) {
        let Some(app) = spawn(backend, SignInPolicy::default()).await else { return };
        for weak in ["12345678", "password", "qwerty123", "lisi-lisi"] {
            let answer = post(&app, REGISTER, json!({"login": "lisi", "password": weak, "name": "李四",
                "kind": "NATURAL_PERSON", "idNumber": "110101199003078515"})).await;
            assert_eq!(answer.code(), Some("VALIDATION"), "{weak}: {}", answer.body);
            assert_eq!(answer.extension("field"), "input.password");
            let message = answer.body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains("four random words"), "{message}");
        }
        assert!(app.store.account_by_login("lisi").await.unwrap().is_none());
    }

    /// Every registration attempt counts against its address, valid or not: beyond the limit
    /// they are refused until the window ends.
    async fn registrations_from_one_address_are_limited(backend: Backend) {
        let policy = SignInPolicy { registrations_per_address: 3, ..SignInPolicy::default() };
        let Some(app) = spawn(backend, policy).await else { return };
        let input = |login: &str| json!({"login": login, "password": PASSWORD, "name": "张三",
            "kind": "NATURAL_PERSON", "idNumber": "11010519491231002X"});
        data(&post(&app, REGISTER, input("a1")).await.body);
        assert_eq!(post(&app, REGISTER, json!({"login": "a2", "password": "12345678", "name": "张三",
            "kind": "NATURAL_PERSON", "idNumber": "11010519491231002X"})).await.code(), Some("VALIDATION"));
        data(&post(&app, REGISTER, input("a3")).await.body);
        app.set_now(DEFAULT_NOW + Duration::minutes(10));
        let answer = post(&app, REGISTER, input("a4")).await;
        assert_eq!(answer.code(), Some("RATE_LIMITED"), "{}", answer.body);
        assert_eq!(answer.retry(), 50 * 60, "until an hour after the first attempt");
        assert!(app.store.account_by_login("a4").await.unwrap().is_none());
        app.set_now(DEFAULT_NOW + Duration::hours(1));
        data(&post(&app, REGISTER, input("a5")).await.body);
    }

    /// One hashing thread and one waiting place: a burst of sign-ins gets `RATE_LIMITED`
    /// (busy) at once for the overflow instead of queueing, and the rest sign in.
    async fn a_full_hashing_pool_refuses_at_once(backend: Backend) {
        let policy = SignInPolicy { hash_workers: 1, hash_queue: 1, ..per_login(1_000) };
        let Some(app) = spawn(backend, policy).await else { return };
        // Warm: the pool starts and makes its decoy.
        data(&sign_in(&app, "clerk", PASSWORD).await.body);
        let burst = (0..12).map(|_| async {
            let started = Instant::now();
            let answer = sign_in(&app, "clerk", PASSWORD).await;
            (answer, started.elapsed())
        });
        let answers = futures_util::future::join_all(burst).await;
        let ok: Vec<StdDuration> =
            answers.iter().filter(|(a, _)| a.code().is_none()).map(|(_, t)| *t).collect();
        let busy: Vec<StdDuration> = answers
            .iter()
            .filter(|(a, _)| a.code() == Some("RATE_LIMITED"))
            .map(|(a, t)| {
                assert_eq!(a.extension("reason"), "BUSY");
                assert_eq!(a.retry(), 1);
                *t
            })
            .collect();
        eprintln!("pool of 1+1: {} signed in, {} busy; slowest busy {:?}, slowest success {:?}", ok.len(), busy.len(), busy.iter().max(), ok.iter().max());
        assert_eq!(ok.len() + busy.len(), 12, "only successes and busy refusals");
        assert!(!ok.is_empty() && !busy.is_empty());
        assert!(ok.len() <= 11);
        assert_eq!(login_failures(&app, "clerk").await, None, "busy refusals are not failures");
    }
}

/// Failures on one replica lock the login on another (PostgreSQL: the replicas share it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_on_one_replica_lock_the_login_on_another() {
    let Some(a) = spawn(Backend::Postgres, per_login(3)).await else { return };
    let b = a.replica().await;
    for _ in 0..3 {
        assert_eq!(sign_in(&a, "clerk", WRONG).await.code(), Some("UNAUTHENTICATED"));
    }
    let answer = sign_in(&b, "clerk", PASSWORD).await;
    assert_eq!(answer.code(), Some("RATE_LIMITED"), "replica B knows of A's failures");
    assert_eq!(answer.retry(), 2);
    a.set_now(DEFAULT_NOW + Duration::seconds(2));
    assert!(data(&sign_in(&b, "clerk", PASSWORD).await.body)["signIn"]["token"].is_string());
    assert_eq!(login_failures(&a, "clerk").await, None, "B's success cleared it for A");
}

fn median(mut times: Vec<StdDuration>) -> StdDuration {
    times.sort_unstable();
    times[times.len() / 2]
}
