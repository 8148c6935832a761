//! Test support (feature `testing`, for the test suites only): a fresh, empty database for
//! one test, on either backend, removed afterwards.
//!
//! - **SQLite**: `data/foi.db` in a new temporary directory (the `data` subdirectory does
//!   not exist yet: the store creates it), deleted with the [`TestDatabase`].
//! - **PostgreSQL**: a new database `foi_test_<uuid>` created through the admin URL in
//!   [`POSTGRES_ENV`] (its user may create databases), dropped `WITH (FORCE)` when the
//!   [`TestDatabase`] is dropped, also when the test panicked. Without the variable
//!   [`TestDatabase::postgres`] prints `skipping PostgreSQL: FOI_TEST_POSTGRES_URL not set`
//!   and returns `None`, and the test passes.

use std::path::Path;

use foi_domain::applicant::{ApplicantKind, DeliveryMethod, FormWanted};
use sea_orm::{ConnectionTrait, Database};
use uuid::Uuid;

use crate::{ApplicantDetails, Backend, NewApplication};

/// The environment variable with the PostgreSQL admin URL.
pub const POSTGRES_ENV: &str = "FOI_TEST_POSTGRES_URL";

/// One test's database; see the module docs.
#[derive(Debug)]
pub struct TestDatabase {
    url: String,
    dir: tempfile::TempDir,
    /// The admin URL and the database's name, on PostgreSQL.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A fresh database on `backend`; `None` (after printing why) for PostgreSQL when
    /// [`POSTGRES_ENV`] is not set.
    pub async fn create(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(TestDatabase::sqlite()),
            Backend::Postgres => TestDatabase::postgres().await,
        }
    }

    /// A fresh SQLite file.
    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("data").join("foi.db").display());
        TestDatabase { url, dir, postgres: None }
    }

    /// A fresh PostgreSQL database, or `None` (printed) without [`POSTGRES_ENV`].
    pub async fn postgres() -> Option<TestDatabase> {
        let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
            println!("skipping PostgreSQL: {POSTGRES_ENV} not set");
            return None;
        };
        let name = format!("foi_test_{}", uuid::Uuid::new_v4().simple());
        let admin =
            Database::connect(admin_url.as_str()).await.unwrap_or_else(|e| panic!("connecting to {POSTGRES_ENV}: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        admin.close().await.ok();
        let url = with_database(&admin_url, &name);
        let dir = tempfile::tempdir().expect("a temporary directory");
        Some(TestDatabase { url, dir, postgres: Some((admin_url, name)) })
    }

    /// The database's URL, for [`crate::Store::connect`] or a `foi` process.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A temporary directory that lives as long as the database (a working directory for
    /// `foi` processes, attachments, …); on SQLite it holds the database file.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The engine.
    pub fn backend(&self) -> Backend {
        if self.postgres.is_some() { Backend::Postgres } else { Backend::Sqlite }
    }
}

impl Drop for TestDatabase {
    /// Drops the PostgreSQL database, best effort. `Drop` cannot await, and may run while a
    /// test panics inside the runtime, so the work runs on a thread with its own runtime.
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else { return };
        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let admin = Database::connect(admin_url.as_str()).await.ok()?;
                // FORCE ends the connections a store's pool still holds.
                let result = admin.execute_unprepared(&sql).await;
                admin.close().await.ok();
                result.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop a test database");
        }
    }
}

/// An application to `agency_id` by a person of `kind` (张三), on paper by post, without
/// contact details: the plain case most tests need.
pub fn paper_application(agency_id: Uuid, kind: ApplicantKind) -> NewApplication {
    NewApplication {
        agency_id,
        applicant_id: None,
        applicant: ApplicantDetails {
            name: "张三".into(),
            kind,
            id_number: None,
            phone: None,
            email: None,
            address: None,
        },
        subject: "2026年区级部门预算".into(),
        description: String::new(),
        form_wanted: FormWanted::Paper,
        delivery: DeliveryMethod::Post,
    }
}

/// Every case in the database, oldest first, for tests that check what survived a crash or
/// a restore as a whole (including cases no client heard back about).
pub async fn all_cases(store: &crate::Store) -> Vec<crate::CaseRecord> {
    use sea_orm::{EntityTrait as _, QueryOrder as _};
    crate::entities::cases::Entity::find()
        .order_by_asc(crate::entities::cases::Column::CreatedAt)
        .order_by_asc(crate::entities::cases::Column::Id)
        .all(&store.db)
        .await
        .expect("the cases")
        .into_iter()
        .map(crate::CaseRecord::from)
        .collect()
}

/// `postgres://u@h:5432/admin?x=y` with the database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = base[authority_start..].find('/').map_or(base, |slash| &base[..authority_start + slash]);
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_in_a_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://u:p@h/test?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
        assert_eq!(with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
    }

    #[tokio::test]
    async fn a_sqlite_database_is_removed_with_its_handle() {
        let db = TestDatabase::sqlite();
        assert_eq!(db.backend(), Backend::Sqlite);
        let store = crate::Store::connect(db.url()).await.expect("the store opens");
        assert!(db.dir().join("data").join("foi.db").exists());
        store.close().await.ok();
        let dir = db.dir().to_owned();
        drop(db);
        assert!(!dir.exists());
    }
}
