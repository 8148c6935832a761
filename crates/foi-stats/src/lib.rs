//! The statistics of disclosure on request (rules.md §4): table 三 of the annual report
//! (收到和处理政府信息公开申请情况) for any period and any set of agencies, one table per
//! agency and a summary over all of them, each checked against its identity
//! 一 + 二 = (七) + 四 in every column before anything is exported.
//!
//! Beside it: table 四 (reconsideration and litigation) and the processing figures (on time,
//! late, days to reply, extensions, consultations, corrections, overdue, oldest open).
//!
//! The counts come from SQL aggregates ([`foi_store::Store::case_counts`]); this crate only
//! lays them out, checks them and writes them as CSV, JSON or XLSX.
//!
//! Counting rules:
//! - only received cases count (a case without a date of receipt is not an application);
//! - 一 new: received within the period (by date of receipt);
//! - 二 carried over: received before the period and not concluded before it;
//! - outcome rows: concluded within the period (by reply or closing date), each case in the
//!   one row of its outcome — so a partial disclosure counts under (二) only;
//! - (七): the sum of the outcome rows;
//! - 四 carried forward: received by the end of the period and not concluded by then.

mod export;
mod figures;
mod period;
mod table;
mod xlsx;

pub use export::{to_csv, to_json};
pub use figures::{BAND_LABELS, BANDS, ChallengeTable, DaysToReply, OLDEST_LISTED, OldCase, Processing};
pub use period::{Period, PeriodError};
pub use table::{AgencyTable, AsOf, COLUMNS, Cells, Report, Row, Table, column_labels, compute, tabulate, tree_order};
pub use xlsx::{FIRST_DATA_ROW, LABEL_COLUMNS, SUMMARY_SHEET, sheet_names, to_xlsx};

/// Why a report could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] foi_store::StoreError),
    /// A table breaks 一 + 二 = (七) + 四: it is never exported.
    #[error(
        "the table of {agency} does not balance in column {column}: \
         一 {new} + 二 {carried_over} ≠ (七) {concluded} + 四 {carried_forward}"
    )]
    Unbalanced {
        /// The agency code (or `合计` for the summary).
        agency: String,
        /// The column heading, e.g. `自然人`.
        column: String,
        /// 一.
        new: u64,
        /// 二.
        carried_over: u64,
        /// (七).
        concluded: u64,
        /// 四.
        carried_forward: u64,
    },
    /// A stored case has an applicant kind no column knows.
    #[error("{count} case(s) of {agency} have the unknown applicant kind {kind:?}")]
    UnknownApplicantKind {
        /// The agency code.
        agency: String,
        /// The stored text.
        kind: String,
        /// How many cases.
        count: u64,
    },
    /// Concluded cases without an outcome that is a row of the table.
    #[error("{count} case(s) of {agency} concluded in the period have no known outcome ({outcome:?})")]
    UnclassifiedConclusion {
        /// The agency code.
        agency: String,
        /// The stored outcome text, if any.
        outcome: Option<String>,
        /// How many cases.
        count: u64,
    },
    /// The XLSX workbook could not be written.
    #[error("cannot write the XLSX workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A stored challenge has a kind or result no column of table 四 knows.
    #[error("a challenge has the unknown kind or result {kind:?} / {result:?}")]
    UnknownChallenge {
        /// The stored kind.
        kind: String,
        /// The stored result.
        result: String,
    },
    /// Counts came back for an agency that was not asked for.
    #[error("counts for agency {0}, which was not asked for")]
    UnexpectedAgency(foi_store::Uuid),
}
