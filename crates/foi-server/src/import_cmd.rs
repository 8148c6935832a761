//! `foi import register FILE`: bring an agency's existing register (台账) in, so that a
//! mid-year start still reports the whole year (rules.md §4). Reading, checking and writing
//! are [`foi_server::register_import`]'s; this module parses arguments and reports.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use foi_domain::clock::{Clock, SystemClock};
use foi_server::config::describe_database;
use foi_server::db;
use foi_server::register_import::{self, Checks, PlanError};

use crate::{DatabaseArgs, Failure};

/// `foi import …`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import an agency's existing register (台账) of past applications from CSV or XLSX;
    /// the column layout is in docs/import.md. A file with any bad row is refused whole.
    Register(RegisterArgs),
}

/// Arguments of `foi import register`.
#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The register: a .csv file (UTF-8, with or without a byte-order mark) or an .xlsx
    /// workbook (its first sheet).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Check every row and report, but write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Runs `foi import …`.
pub async fn run(command: ImportCommand) -> Result<(), Failure> {
    let ImportCommand::Register(args) = command;
    let file = args.file.display().to_string();
    let sheet = register_import::read_file(&args.file).map_err(|e| Failure::BadInput(format!("{file}: {e}")))?;
    let url = args.database.url()?;
    let (store, _) = db::open(&url).await?;
    let database = describe_database(&url);
    let runtime = |e: String| Failure::Runtime(format!("{e} ({database})"));
    let clock = SystemClock;
    // The bundled notices with the years loaded into the database, as every command uses.
    let calendar = store.load_calendar().await.map_err(|e| runtime(format!("cannot load the calendar: {e}")))?;
    let agencies = store.agencies().await.map_err(|e| runtime(e.to_string()))?;
    // The database's word on the register's case numbers, before planning, so that a dry run
    // refuses a taken number as the import does and lists it with every other bad row.
    let taken_numbers = store
        .taken_case_numbers(&register_import::case_numbers(&sheet))
        .await
        .map_err(|e| runtime(format!("cannot look up the case numbers: {e}")))?;
    let checks =
        Checks { agencies: &agencies, calendar: &calendar, today: clock.today(), taken_numbers: &taken_numbers };
    let plan = register_import::plan(&sheet, &checks).map_err(|e| match e {
        PlanError::File(e) => Failure::BadInput(format!("{file}: {e}")),
        rows @ PlanError::Rows(_) => Failure::BadInput(format!("{file}: {rows}")),
    })?;
    for header in &plan.ignored_columns {
        eprintln!("note: the column {header:?} is not imported");
    }
    let counts = if args.dry_run {
        plan.per_agency()
    } else {
        register_import::write(&store, &plan, &calendar, clock.now()).await.map_err(|e| {
            if e.is_bad_input() { Failure::BadInput(format!("{file}: {e}")) } else { runtime(e.to_string()) }
        })?
    };
    store.close().await.ok();
    let total: usize = counts.values().sum();
    if args.dry_run {
        println!("dry run: {file} is valid; {total} case(s) would be imported, nothing was written ({database})");
    } else {
        println!("imported {total} case(s) from {file} ({database})");
    }
    for (code, count) in &counts {
        let name = agencies.iter().find(|a| &a.code == code).map_or("", |a| a.name.as_str());
        println!("  {code}\t{name}\t{count}");
    }
    Ok(())
}
