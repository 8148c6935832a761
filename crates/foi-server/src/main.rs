//! `foi`: the command line of the disclosure-on-request engine.
//!
//! Today it answers working-day questions from the official calendar (`foi calendar …`),
//! so that any deadline the engine computes can be checked by hand. Every command exits
//! with status 0 on success and 2 on bad input (a malformed date, a year without a
//! holiday notice), with a message that says what to fix.

mod calendar_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Government information disclosure on request (政府信息公开 依申请公开).
#[derive(Debug, Parser)]
#[command(name = "foi", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Working days and statutory deadlines on the official calendar (工作日历).
    Calendar(calendar_cmd::CalendarArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Calendar(args) => calendar_cmd::run(args),
    };
    match result {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            // Status 2 is bad input, the same status clap uses for unusable arguments.
            ExitCode::from(2)
        }
    }
}
