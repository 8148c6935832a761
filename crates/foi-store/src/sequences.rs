//! Gap-free yearly numbering: case numbers and document numbers, per agency, year and kind.
//!
//! One upsert allocates a number: it creates the counter at 2 (handing out 1) or bumps it,
//! and returns the number handed out. It runs inside the caller's transaction, so:
//!
//! - concurrent allocations for the same counter serialise (PostgreSQL: the row lock, or
//!   the unique index while a first insert is undecided; SQLite: the write lock taken at
//!   `BEGIN IMMEDIATE`), and each sees the previous one's committed value;
//! - a rolled-back transaction takes its increment with it, so the number is handed out
//!   again and the committed numbers stay 1, 2, 3, … without gaps.
//!
//! The counter row stays locked until the transaction ends: allocate late, commit soon.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{StoreError, sql};

pub(crate) async fn next<C: ConnectionTrait>(c: &C, agency_id: Uuid, year: i32, kind: &str) -> Result<i64, StoreError> {
    // Same SQL on both backends (SQLite ≥ 3.35 for RETURNING; the bundled one is newer).
    let stmt = sql::stmt(
        c.get_database_backend(),
        "INSERT INTO sequences (agency_id, year, kind, next_value) VALUES (?, ?, ?, 2) \
         ON CONFLICT (agency_id, year, kind) \
         DO UPDATE SET next_value = sequences.next_value + 1 \
         RETURNING next_value - 1 AS allocated",
        [agency_id.into(), year.into(), kind.into()],
    );
    let row = c
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| StoreError::Corrupt { what: format!("sequence {agency_id}/{year}/{kind} returned no row") })?;
    Ok(row.try_get::<i64>("", "allocated")?)
}

/// Makes sure the counter hands out numbers after `used`: raises it to `used + 1` if it is
/// lower, never lowers it, and allocates nothing. For numbers that were given elsewhere,
/// e.g. the case numbers of an imported register, so that later allocations skip them.
pub(crate) async fn reserve_through<C: ConnectionTrait>(
    c: &C,
    agency_id: Uuid,
    year: i32,
    kind: &str,
    used: i64,
) -> Result<(), StoreError> {
    // `excluded` and CASE: the same SQL on both backends (no GREATEST on SQLite).
    let stmt = sql::stmt(
        c.get_database_backend(),
        "INSERT INTO sequences (agency_id, year, kind, next_value) VALUES (?, ?, ?, ?) \
         ON CONFLICT (agency_id, year, kind) \
         DO UPDATE SET next_value = CASE WHEN sequences.next_value > excluded.next_value \
         THEN sequences.next_value ELSE excluded.next_value END",
        [agency_id.into(), year.into(), kind.into(), used.saturating_add(1).max(1).into()],
    );
    c.execute_raw(stmt).await?;
    Ok(())
}
