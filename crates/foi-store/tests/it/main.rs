//! Integration tests of the store, each run on SQLite and (when configured) PostgreSQL.

mod common;
mod fixtures;

mod accounts_sessions;
mod agencies;
mod attachments;
mod calendar;
mod cases;
mod connect;
mod documents;
mod outbox;
mod queue;
mod sequences;
mod stats;
mod sweep;
mod throttle;
