//! The migrations apply, are recorded, re-apply as a no-op and roll back cleanly. (The
//! store's tests run them on PostgreSQL too.)

use foi_migrations::{Migrator, MigratorTrait};
use sea_orm_migration::SchemaManager;
use sea_orm_migration::sea_orm::{ConnectOptions, Database, DatabaseConnection};

const TABLES: [&str; 12] = [
    "agencies",
    "accounts",
    "sessions",
    "cases",
    "case_events",
    "calendar_years",
    "sequences",
    "challenges",
    "documents",
    "attachments",
    "outbox",
    "throttle_entries",
];

async fn memory_db() -> DatabaseConnection {
    let mut options = ConnectOptions::new("sqlite::memory:");
    options.max_connections(1).min_connections(1);
    Database::connect(options).await.expect("in-memory SQLite")
}

async fn tables_present(db: &DatabaseConnection) -> Vec<bool> {
    let manager = SchemaManager::new(db);
    let mut present = Vec::new();
    for table in TABLES {
        present.push(manager.has_table(table).await.expect("has_table"));
    }
    present
}

#[tokio::test]
async fn up_is_idempotent_and_down_removes_everything() {
    let db = memory_db().await;
    let all = Migrator::migrations().len();
    assert_eq!(all, 8);
    assert_eq!(Migrator::get_pending_migrations(&db).await.unwrap().len(), all);

    Migrator::up(&db, None).await.expect("first up");
    assert_eq!(tables_present(&db).await, [true; 12]);
    assert!(Migrator::get_pending_migrations(&db).await.unwrap().is_empty());

    Migrator::up(&db, None).await.expect("second up is a no-op");
    assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), all);

    // The seven newest steps roll back and re-apply.
    assert!(SchemaManager::new(&db).has_column("attachments", "purpose").await.unwrap());
    Migrator::down(&db, Some(7)).await.expect("down seven steps");
    assert_eq!(
        tables_present(&db).await,
        [true, true, true, true, true, true, true, false, false, false, false, false]
    );
    assert!(!SchemaManager::new(&db).has_column("cases", "wd_used").await.unwrap());
    assert!(!SchemaManager::new(&db).has_column("cases", "urgency").await.unwrap());
    assert!(!SchemaManager::new(&db).has_column("attachments", "purpose").await.unwrap());
    Migrator::up(&db, None).await.expect("up again");
    assert!(SchemaManager::new(&db).has_column("cases", "wd_used").await.unwrap());

    Migrator::down(&db, None).await.expect("down");
    assert_eq!(tables_present(&db).await, [false; 12]);

    Migrator::up(&db, None).await.expect("up again after down");
    assert_eq!(tables_present(&db).await, [true; 12]);
}
