//! sea-orm entities, one module per table, mirroring `foi-migrations` exactly.
//!
//! They are private to the store: callers see the plain records of the repository modules,
//! so that sea-orm (and the table layout) never reaches the API layer.

pub(crate) mod accounts;
pub(crate) mod agencies;
pub(crate) mod attachments;
pub(crate) mod calendar_years;
pub(crate) mod case_events;
pub(crate) mod cases;
pub(crate) mod challenges;
pub(crate) mod documents;
pub(crate) mod outbox;
// Allocation is one hand-written upsert (see `sequences.rs`); the entity documents the table.
#[allow(dead_code)]
pub(crate) mod sequences;
pub(crate) mod sessions;
pub(crate) mod throttle_entries;
