//! `foi-domain`: the Regulations on Open Government Information (政府信息公开条例, 2019) as
//! pure code.
//!
//! This crate decides, and nothing else does: what may happen to a case next, what each
//! statutory deadline is, and how an outcome is counted. It performs no IO, knows no
//! database, HTTP or GraphQL, and takes "today" as an argument rather than reading a clock,
//! so every rule can be tested exhaustively and against real calendars.
//!
//! Map (see `ARCHITECTURE.md` for the whole workspace):
//! - [`calendar`]: official working days (调休), loaded from the State Council notices as data.
//! - [`clock`]: the statutory clock (Reg. 33): counting, pauses, restart, extension.
//! - [`lifecycle`]: stages, events and the one transition table with its guards.
//! - [`outcome`]: the 21 outcome rows of the annual report table and the 2019 format.
//! - [`applicant`]: applicant kinds as the statistics count them, and channels.
//! - [`identity`]: resident ID numbers and unified social credit codes that can only be valid.
//! - [`privacy`]: masking of personal data for everyone but the handling officers.
//! - [`remedy`]: the remedy clause every reply carries (行政复议法 2023), by outcome.
//! - [`fee`]: the information-processing fee rates (Reg. 42).
//! - [`challenge`]: reconsideration and litigation against a reply (table 四).
//! - [`case_number`]: agency case-number patterns such as `游府信申〔2026〕17号`.

pub mod actions;
pub mod applicant;
pub mod calendar;
pub mod case_number;
pub mod challenge;
pub mod clock;
pub mod fee;
pub mod identity;
pub mod lifecycle;
pub mod outcome;
pub mod privacy;
pub mod reasons;
pub mod remedy;
pub mod service;
