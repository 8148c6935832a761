//! Deadline sweeps: `foi sweep` (once, e.g. from cron) and the background sweep of
//! `foi serve` (every `--sweep-interval` seconds).
//!
//! The sweep itself is [`foi_store::Store::sweep`]: it closes the cases whose correction
//! period (Reg. 30) or fee-payment period (国办函〔2020〕109号) ended, ends consultations whose
//! 15 working days passed (Reg. 32, 34), and marks open cases due soon or overdue. Each
//! case is handled once even when several replicas sweep the same database, so running
//! `foi sweep` from cron beside `foi serve` replicas is safe. Only counts are printed and
//! logged: never a name or any other personal data.

use clap::Args;
use foi_server::config::describe_database;
use foi_server::{db, sweeper};
use foi_store::SweepReport;
use time::OffsetDateTime;

use crate::{DatabaseArgs, Failure};

/// Arguments of `foi sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Print the report as JSON (one object) instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// The report's counts with their names and meanings, in print order.
fn counts(report: &SweepReport) -> [(&'static str, u64, &'static str); 11] {
    [
        ("examined", report.examined, "open cases looked at"),
        ("corrections_lapsed", report.corrections_lapsed, "closed: no correction in time (Reg. 30)"),
        ("fees_lapsed", report.fees_lapsed, "closed: fee not paid in time (国办函〔2020〕109号)"),
        ("consultations_closed", report.consultations_closed, "consultations ended without an opinion (Reg. 32, 34)"),
        ("marked_due_soon", report.marked_due_soon, "newly marked due soon"),
        ("marked_overdue", report.marked_overdue, "newly marked overdue"),
        ("marks_cleared", report.marks_cleared, "marks set back to none"),
        ("skipped_locked", report.skipped_locked, "left to another sweep running at the same time"),
        (
            "provisional",
            report.provisional,
            "lapsed periods counted on the provisional calendar, left alone: load the next year's holiday notice",
        ),
        ("refused", report.refused, "refused by the rules: see the log, a clerk must act"),
        ("failed", report.failed, "could not be swept: see the log"),
    ]
}

/// The report as `foi sweep` prints it.
fn render(report: &SweepReport, database: &str, json: bool) -> String {
    if json {
        let mut object = serde_json::Map::new();
        object.insert("today".into(), report.today.to_string().into());
        for (name, value, _) in counts(report) {
            object.insert(name.into(), value.into());
        }
        return format!("{}\n", serde_json::Value::Object(object));
    }
    let mut out = format!("deadline sweep of {} ({database})\n", report.today);
    for (name, value, meaning) in counts(report) {
        out.push_str(&format!("{name:<22}{value:>6}  {meaning}\n"));
    }
    out
}

/// Runs `foi sweep`: one sweep as of now, then the report. Exit status 1 if any case could
/// not be swept (after printing the report).
pub async fn run(args: SweepArgs) -> Result<(), Failure> {
    // The store logs refusals and failures (with case ids only) through `log`.
    foi_server::telemetry::init();
    let url = args.database.url()?;
    let (store, _) = db::open(&url).await?;
    let database = describe_database(&url);
    let report = sweeper::sweep_once(&store, OffsetDateTime::now_utc())
        .await
        .map_err(|e| Failure::Runtime(format!("the sweep stopped: {e} ({database})")))?;
    store.close().await.ok();
    print!("{}", render(&report, &database, args.json));
    if report.failed > 0 {
        return Err(Failure::Runtime(format!("{} case(s) could not be swept; the log says why", report.failed)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_report_prints_every_count_as_text_and_json() {
        let mut report = SweepReport::new(date!(2026 - 10 - 23));
        report.corrections_lapsed = 30;
        let text = render(&report, "sqlite foi.db", false);
        assert!(text.starts_with("deadline sweep of 2026-10-23 (sqlite foi.db)\n"), "{text}");
        assert!(text.contains("corrections_lapsed        30  closed: no correction in time (Reg. 30)\n"), "{text}");
        assert_eq!(text.lines().count(), 12);
        let json: serde_json::Value = serde_json::from_str(&render(&report, "x", true)).unwrap();
        assert_eq!(json["today"], "2026-10-23");
        assert_eq!(json["corrections_lapsed"], 30);
        assert_eq!(json["failed"], 0);
    }
}
