//! Connecting and migrating.

use foi_store::{Backend, Store, StoreError};

use crate::common::{TestDb, on_each_backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_apply_twice_idempotently() {
    on_each_backend(migrations_apply_twice).await;
}

async fn migrations_apply_twice(db: TestDb) {
    // `connect` migrated once already.
    db.store.migrate().await.expect("second run");
    db.store.migrate().await.expect("third run");
    assert!(db.store.pending_migrations().await.unwrap().is_empty());
    // Each migration is recorded once.
    let all = <foi_migrations::Migrator as foi_migrations::MigratorTrait>::migrations().len();
    assert_eq!(db.count("SELECT COUNT(*) FROM seaql_migrations").await, all as i64);
    assert!(all >= 4, "the throttle migration is among them");
    // And a second store on the same database finds nothing to do.
    let again = Store::connect(&db.url).await.expect("reconnect");
    assert!(again.pending_migrations().await.unwrap().is_empty());
    again.ping().await.unwrap();
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_data_across_calls() {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    let a = crate::fixtures::agency(&store, "youxian", None).await;
    assert_eq!(store.agency(a.id).await.unwrap(), a);
    let txn = store.begin().await.unwrap();
    assert_eq!(txn.next_sequence(a.id, 2026, "case").await.unwrap(), 1);
    txn.commit().await.unwrap();
}

#[tokio::test]
async fn refuses_unknown_url_schemes() {
    let err = Store::connect("mysql://localhost/foi").await.unwrap_err();
    assert!(matches!(&err, StoreError::UnsupportedUrl { scheme } if scheme == "mysql"), "{err:?}");
}
