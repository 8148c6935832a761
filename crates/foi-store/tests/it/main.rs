//! Integration tests of the store, each run on SQLite and (when configured) PostgreSQL.

mod common;
mod fixtures;

mod accounts_sessions;
mod agencies;
mod calendar;
mod cases;
mod connect;
mod sequences;
mod stats;
