//! Accounts and bearer sessions: lookup, expiry, revocation, hashing at rest.

use foi_store::{NewAccount, StoreError, constraints};
use sea_orm::{ConnectionTrait, Statement};
use sha2::{Digest, Sha256};
use time::Duration;

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::{T0, agency, applicant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_roundtrip_and_unique_login() {
    on_each_backend(accounts_roundtrip).await;
}

async fn accounts_roundtrip(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let clerk = s
        .create_account(NewAccount {
            kind: "staff".into(),
            login: "clerk1".into(),
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
            display_name: "李四".into(),
            agency_id: Some(a.id),
            roles: vec!["clerk".into(), "reviewer".into()],
            ..NewAccount::default()
        })
        .await
        .unwrap();
    assert_eq!(clerk.roles, ["clerk", "reviewer"]);
    assert!(clerk.has_role("reviewer") && !clerk.has_role("office_head"));
    assert_eq!(s.account(clerk.id).await.unwrap(), clerk);
    assert_eq!(s.account_by_login("clerk1").await.unwrap(), Some(clerk.clone()));
    assert_eq!(s.account_by_login("nobody").await.unwrap(), None);

    let wang = s.create_account(applicant("wang")).await.unwrap();
    assert!(wang.roles.is_empty());
    assert_eq!(wang.id_number.as_deref(), Some("11010519491231002X"));

    // The same login with another identity: the login's own constraint refuses it.
    let mut same_login = applicant("wang");
    same_login.id_number = None;
    let err = s.create_account(same_login).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::UniqueViolation { constraint } if constraint == constraints::UX_ACCOUNTS_LOGIN),
        "{err:?}"
    );
    let mut bad_kind = applicant("bad");
    bad_kind.kind = "robot".into();
    assert!(matches!(s.create_account(bad_kind).await, Err(StoreError::Database(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_revoke_and_are_stored_hashed() {
    on_each_backend(sessions).await;
}

async fn sessions(db: TestDb) {
    let s = &db.store;
    let wang = s.create_account(applicant("wang")).await.unwrap();
    let opened = s.create_session(wang.id, T0, Duration::hours(12)).await.unwrap();
    let token = opened.token.clone();
    assert_eq!(token.len(), 64);
    assert!(!format!("{opened:?}").contains(&token), "Debug leaks the token");
    assert_eq!(opened.session.expires_at, T0 + Duration::hours(12));

    // Live within its lifetime.
    let (session, account) = s.lookup_session(&token, T0).await.unwrap().expect("live");
    assert_eq!(account.id, wang.id);
    assert_eq!(session, opened.session);
    let later = T0 + Duration::hours(11);
    assert!(s.lookup_session(&token, later).await.unwrap().is_some());
    // Expired at and after `expires_at`.
    assert!(s.lookup_session(&token, T0 + Duration::hours(12)).await.unwrap().is_none());
    assert!(s.lookup_session(&token, T0 + Duration::days(3)).await.unwrap().is_none());
    // Unknown tokens.
    assert!(s.lookup_session("", T0).await.unwrap().is_none());
    assert!(s.lookup_session(&"0".repeat(64), T0).await.unwrap().is_none());

    // Only the SHA-256 is stored.
    let raw = db.raw().await;
    let rows = raw
        .query_all_raw(Statement::from_string(raw.get_database_backend(), "SELECT token_hash FROM sessions"))
        .await
        .unwrap();
    let hashes: Vec<String> = rows.iter().map(|r| r.try_get_by_index(0).unwrap()).collect();
    let expected: String = Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hashes, [expected]);
    assert!(hashes.iter().all(|h| h != &token));

    // Revocation.
    assert!(s.revoke_session(&token, later).await.unwrap());
    assert!(s.lookup_session(&token, later).await.unwrap().is_none());
    assert!(!s.revoke_session(&token, later).await.unwrap(), "already revoked");

    // Sign out everywhere.
    let a = s.create_session(wang.id, T0, Duration::hours(1)).await.unwrap();
    let b = s.create_session(wang.id, T0, Duration::hours(1)).await.unwrap();
    assert_ne!(a.token, b.token);
    assert_eq!(s.revoke_sessions_of(wang.id, T0).await.unwrap(), 2);
    assert!(s.lookup_session(&a.token, T0).await.unwrap().is_none());
    assert!(s.lookup_session(&b.token, T0).await.unwrap().is_none());

    // Disabled accounts do not authenticate (the API has no "disable" yet: use SQL).
    let c = s.create_session(wang.id, T0, Duration::hours(1)).await.unwrap();
    let disable = match raw.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE accounts SET disabled_at = now()",
        _ => "UPDATE accounts SET disabled_at = '2026-03-02T01:00:00Z'",
    };
    raw.execute_unprepared(disable).await.unwrap();
    assert!(s.lookup_session(&c.token, T0).await.unwrap().is_none());
    raw.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_applicant_account_per_identity_number_even_when_registrations_race() {
    on_each_backend(one_identity).await;
}

/// Issue 10, item 9: one applicant identity per resident ID number or credit code. The
/// unique index refuses a second account with the number, and registrations racing with
/// the same number (each checking first, then inserting, as `registerApplicant` does) leave
/// exactly one account: on PostgreSQL both checks can pass, and the index decides.
async fn one_identity(db: TestDb) {
    let s = &db.store;
    s.create_account(applicant("wang")).await.unwrap();
    let mut same = applicant("wang2");
    same.id_number = Some("11010519491231002X".into());
    let err = s.create_account(same).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::UniqueViolation { constraint } if constraint == constraints::UX_ACCOUNTS_IDENTITY),
        "{err:?}"
    );
    // Staff have no identity number: any number of them.
    for login in ["staff1", "staff2"] {
        let staff = NewAccount {
            kind: "staff".into(),
            applicant_kind: None,
            id_document_kind: None,
            id_number: None,
            ..applicant(login)
        };
        s.create_account(staff).await.unwrap();
    }

    let number = "110101199003078515";
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = s.clone();
            tokio::spawn(async move {
                let mut account = applicant(&format!("racer{i}"));
                account.id_number = Some(number.into());
                store
                    .transaction(|txn| {
                        Box::pin(async move {
                            if txn.id_number_registered(number).await? {
                                return Ok::<bool, StoreError>(false);
                            }
                            txn.create_account(account).await.map(|_| true)
                        })
                    })
                    .await
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(true) => created += 1,
            Ok(false) | Err(StoreError::UniqueViolation { .. }) => {}
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(db.count(&format!("SELECT COUNT(*) FROM accounts WHERE id_number = '{number}'")).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_identity_migration_reports_accounts_that_share_a_number() {
    on_each_backend(shared_numbers_are_reported).await;
}

/// A database that already holds one identity number on two accounts: the migration that
/// adds `ux_accounts_identity` fails naming both account ids (not the number) and changes
/// nothing, so the operator can merge them and migrate again.
async fn shared_numbers_are_reported(db: TestDb) {
    use foi_migrations::MigratorTrait as _;
    let raw = db.raw().await;
    // Back to the schema before m20261202_000003_applicant_identity (and the one newer).
    foi_migrations::Migrator::down(&raw, Some(2)).await.unwrap();
    let s = &db.store;
    let first = s.create_account(applicant("wang")).await.unwrap();
    let mut lower = applicant("wang2");
    lower.id_number = Some("11010519491231002x".into());
    let second = s.create_account(lower).await.unwrap();
    let err = s.migrate().await.unwrap_err().to_string();
    assert!(err.contains("more than one applicant account"), "{err}");
    assert!(err.contains(&first.id.to_string()) && err.contains(&second.id.to_string()), "{err}");
    assert!(!err.contains("11010519491231002"), "the number itself is personal data: {err}");
    assert_eq!(s.pending_migrations().await.unwrap().len(), 2, "the refusal rolled back both");
    // Nothing changed: the lower-case number is still there.
    assert_eq!(db.count("SELECT COUNT(*) FROM accounts WHERE id_number = '11010519491231002x'").await, 1);
    // Once one account is gone, the migration applies.
    let conn = db.raw().await;
    conn.execute_raw(Statement::from_string(
        conn.get_database_backend(),
        "DELETE FROM accounts WHERE login = 'wang2'".to_owned(),
    ))
    .await
    .unwrap();
    s.migrate().await.unwrap();
    assert!(s.pending_migrations().await.unwrap().is_empty());
    raw.close().await.ok();
    conn.close().await.ok();
}
