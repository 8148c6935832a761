//! `foi calendar …`: working-day arithmetic on the official calendar, for clerks and
//! supervisors who want to check a deadline by hand.
//!
//! A count that reaches a year whose State Council notice is not loaded runs on the
//! provisional calendar (rules.md §3) and every such date is printed with the mark
//! `provisional (YEAR: 以国务院办公厅公布的放假安排为准)`; before 2018 and after the
//! provisional table the command fails with "calendar unknown" (status 2).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use std::collections::BTreeSet;

use foi_domain::calendar::{Calendar, DayKind, format_date, parse_date, provisional};
use foi_domain::clock::{self, Deadline};
use time::Date;

/// Arguments of `foi calendar`.
#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// Also load the holiday notices in this JSON file (same shape as the bundled
    /// `cn-official-holidays.json`, e.g. `{"2027": {...}}`), replacing bundled years it names.
    #[arg(long = "notices", value_name = "FILE", global = true)]
    notices: Vec<PathBuf>,

    #[command(subcommand)]
    command: CalendarCommand,
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Print the N-th working day after DATE (DATE itself is day 0 and not counted).
    AddWorkingDays {
        /// The start date, YYYY-MM-DD.
        #[arg(value_parser = parse_date)]
        date: Date,
        /// How many working days to count.
        n: u32,
    },
    /// Print `working` or `off` for DATE.
    IsWorkingDay {
        /// The date, YYYY-MM-DD.
        #[arg(value_parser = parse_date)]
        date: Date,
    },
    /// Print the correction-notice deadline, the reply deadline and the latest extended
    /// deadline for an application received on RECEIPT-DATE.
    Deadlines {
        /// The date of receipt, YYYY-MM-DD.
        #[arg(value_name = "RECEIPT-DATE", value_parser = parse_date)]
        receipt: Date,
    },
    /// Count N working days from FROM and say, day by day, what was counted and what was
    /// passed over and why.
    Explain {
        /// The start date (day 0), YYYY-MM-DD.
        #[arg(value_parser = parse_date)]
        from: Date,
        /// How many working days to count.
        n: u32,
    },
    /// List the loaded years and the calendar version.
    Years,
}

/// Runs a calendar command and returns what it prints, or the message for status 2.
pub fn run(args: CalendarArgs) -> Result<String, String> {
    let mut calendar = Calendar::bundled();
    for path in &args.notices {
        let json = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        calendar = calendar.merged_with_json(&json).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let calendar = &calendar;
    let fail = |e: foi_domain::calendar::CalendarError| e.to_string();
    let mut out = String::new();
    match args.command {
        CalendarCommand::AddWorkingDays { date, n } => {
            calendar.day_or_provisional(date).map_err(fail)?;
            let counted = calendar.count(date, n).map_err(fail)?;
            let _ = writeln!(out, "{}{}", format_date(counted.date), mark(&counted.provisional_years));
        }
        CalendarCommand::IsWorkingDay { date } => {
            let (kind, is_provisional) = calendar.day_or_provisional(date).map_err(fail)?;
            let years = if is_provisional { BTreeSet::from([date.year()]) } else { BTreeSet::new() };
            let _ = writeln!(out, "{}{}", if kind.is_working() { "working" } else { "off" }, mark(&years));
        }
        CalendarCommand::Deadlines { receipt } => {
            // Validate the receipt date's own year; the counts check every year they pass.
            calendar.day_or_provisional(receipt).map_err(fail)?;
            let d = clock::receipt_deadlines(calendar, receipt).map_err(fail)?;
            let line = |label: &str, deadline: &Deadline, rule: &str| {
                format!(
                    "{label:<22} {}  {} ({rule}){}\n",
                    format_date(deadline.date),
                    weekday(deadline.date),
                    mark(&deadline.provisional_years)
                )
            };
            out.push_str(&format!("{:<22} {}  {}\n", "receipt", format_date(receipt), weekday(receipt)));
            out.push_str(&line("correction-notice", &d.correction_notice, "7 working days, Reg. 30"));
            out.push_str(&line("reply", &d.reply, "20 working days, Reg. 33"));
            out.push_str(&line("extended-reply", &d.extended_reply, "reply + 20 working days, Reg. 33"));
            let _ = writeln!(out, "{:<22} {}", "calendar", calendar.version());
        }
        CalendarCommand::Explain { from, n } => {
            let days = calendar.explain(from, n).map_err(fail)?;
            let (start_kind, _) = calendar.day_or_provisional(from).map_err(fail)?;
            let _ = writeln!(
                out,
                "{}  {}  day 0, not counted ({})",
                format_date(from),
                weekday(from),
                describe(start_kind)
            );
            for day in &days {
                let verdict = match day.counted {
                    Some(k) => format!("working day {k}"),
                    None => "passed over".to_owned(),
                };
                let note = if day.provisional { " [provisional calendar]" } else { "" };
                let _ =
                    writeln!(out, "{}  {}  {verdict}: {}{note}", format_date(day.date), weekday(day.date), day.kind);
            }
            let end = days.last().map_or(from, |d| d.date);
            let years: BTreeSet<i32> = days.iter().filter(|d| d.provisional).map(|d| d.date.year()).collect();
            let _ =
                writeln!(out, "=> {} is working day {n} after {}{}", format_date(end), format_date(from), mark(&years));
        }
        CalendarCommand::Years => {
            let _ = writeln!(out, "years    {}", calendar.loaded_years());
            let _ = writeln!(out, "version  {}", calendar.version());
        }
    }
    Ok(out)
}

/// The provisional mark after a date counted through years without a loaded notice.
fn mark(years: &BTreeSet<i32>) -> String {
    if years.is_empty() {
        return String::new();
    }
    let years: Vec<String> = years.iter().map(i32::to_string).collect();
    format!("  provisional ({}: no State Council notice loaded; {})", years.join(", "), provisional::NOTE_ZH)
}

fn describe(kind: DayKind<'_>) -> String {
    kind.to_string()
}

fn weekday(date: Date) -> &'static str {
    match date.weekday() {
        time::Weekday::Monday => "Mon",
        time::Weekday::Tuesday => "Tue",
        time::Weekday::Wednesday => "Wed",
        time::Weekday::Thursday => "Thu",
        time::Weekday::Friday => "Fri",
        time::Weekday::Saturday => "Sat",
        time::Weekday::Sunday => "Sun",
    }
}
