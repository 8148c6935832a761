//! `foi stats export`: table 三 of the annual report (rules.md §4) for a month, a quarter, a
//! year or any range, one row block per agency and a summary, as CSV (UTF-8 with a BOM),
//! JSON or XLSX (a summary sheet and one sheet per agency; only to a file). The figures and their balance check are `foi_stats`'s; this module parses
//! arguments, picks the agencies and writes the file.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand, ValueEnum};
use foi_server::config::describe_database;
use foi_server::db;
use foi_stats::{Period, StatsError};

use crate::{DatabaseArgs, Failure};

/// `foi stats …`.
#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Export table 三 (收到和处理政府信息公开申请情况) for a period, per agency and rolled up.
    Export(ExportArgs),
}

/// Arguments of `foi stats export`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("period").required(true).args(["month", "quarter", "year", "from"])))]
pub struct ExportArgs {
    /// A calendar month, e.g. 2026-10.
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    /// A calendar quarter, e.g. 2026-Q3.
    #[arg(long, value_name = "YYYY-Qn")]
    quarter: Option<String>,
    /// A calendar year (the annual report), e.g. 2025.
    #[arg(long, value_name = "YYYY")]
    year: Option<String>,
    /// The first day of a range (with --to), e.g. 2026-10-08.
    #[arg(long, value_name = "DATE", requires = "to")]
    from: Option<String>,
    /// The last day of a range (with --from), included.
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
    /// The file format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Only this agency and the agencies below it (default: every agency).
    #[arg(long, value_name = "CODE")]
    agency: Option<String>,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// The export formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ExportFormat {
    /// Comma-separated values, UTF-8 with a byte-order mark (opens in Excel and WPS).
    Csv,
    /// JSON.
    Json,
    /// An Excel workbook laid out like the official table: a summary sheet 汇总, then one
    /// sheet per agency. Needs --output.
    Xlsx,
}

fn period_of(args: &ExportArgs) -> Result<Period, Failure> {
    let period = match (&args.month, &args.quarter, &args.year, &args.from, &args.to) {
        (Some(m), ..) => Period::parse_month(m),
        (_, Some(q), ..) => Period::parse_quarter(q),
        (_, _, Some(y), ..) => Period::parse_year(y),
        (_, _, _, Some(from), Some(to)) => Period::parse_range(from, to),
        _ => return Err(Failure::BadInput("give --month, --quarter, --year or --from and --to".into())),
    };
    period.map_err(|e| Failure::BadInput(e.to_string()))
}

/// Runs `foi stats …`.
pub async fn run(command: StatsCommand) -> Result<(), Failure> {
    let StatsCommand::Export(args) = command;
    let period = period_of(&args)?;
    if matches!(args.format, ExportFormat::Xlsx) && args.output.is_none() {
        return Err(Failure::BadInput(
            "--format xlsx writes a binary workbook, which is never sent to standard output; give --output FILE.xlsx"
                .into(),
        ));
    }
    let url = args.database.url()?;
    let (store, _) = db::open(&url).await?;
    let database = describe_database(&url);
    let runtime = |e: foi_store::StoreError| Failure::Runtime(format!("{e} ({database})"));
    let agencies = match &args.agency {
        Some(code) => {
            let root = store.agency_by_code(code).await.map_err(runtime)?.ok_or_else(|| {
                Failure::BadInput(format!("no agency has the code {code:?}; see `foi admin list-agencies`"))
            })?;
            store.agency_subtree(root.id).await.map_err(runtime)?
        }
        None => store.agencies().await.map_err(runtime)?,
    };
    let calendar = store.load_calendar().await.map_err(runtime)?;
    let today = foi_domain::clock::today_in_china(time::OffsetDateTime::now_utc());
    let as_of = foi_stats::AsOf { today, calendar: &calendar };
    let report = foi_stats::compute(&store, &agencies, period, as_of).await.map_err(|e| match e {
        StatsError::Store(e) => runtime(e),
        other => Failure::Runtime(format!("nothing exported: {other}")),
    })?;
    store.close().await.ok();
    let bytes = match args.format {
        ExportFormat::Csv => foi_stats::to_csv(&report).into_bytes(),
        ExportFormat::Json => foi_stats::to_json(&report).into_bytes(),
        ExportFormat::Xlsx => {
            foi_stats::to_xlsx(&report).map_err(|e| Failure::Runtime(format!("nothing exported: {e}")))?
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| Failure::Runtime(format!("cannot write {}: {e}", path.display())))?,
        None => {
            use std::io::Write as _;
            std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| Failure::Runtime(format!("cannot write the export: {e}")))?;
        }
    }
    Ok(())
}
