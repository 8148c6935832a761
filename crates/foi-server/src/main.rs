//! `foi`: the command line of the disclosure-on-request engine.
//!
//! `foi serve` runs the GraphQL service; `foi migrate` and `foi admin …` prepare its
//! database; `foi schema` prints the API's schema; `foi calendar …` answers working-day
//! questions from the official calendar, so that any deadline the engine computes can be
//! checked by hand; `foi stats export` writes the statistics table; `foi import register`
//! brings an agency's existing register (台账) in; `foi sweep` runs the deadline sweep once
//! (which `foi serve` also runs every `--sweep-interval` seconds); `foi config check` prints
//! the effective configuration.
//!
//! Every command that opens the database reads the configuration file (`--config FILE` or
//! `FOI_CONFIG`), then the environment, then its flags (`foi_server::config`).
//!
//! Every command exits with status 0 on success, 2 on bad input (a malformed date, an
//! unknown agency, a taken login; clap uses 2 for unusable arguments too) and 1 when the
//! database or the machine fails, with a message that says what to fix. A database is
//! always named without its password.

mod admin_cmd;
mod backup_cmd;
mod calendar_cmd;
mod import_cmd;
mod stats_cmd;
mod sweep_cmd;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use foi_server::Config;
use foi_server::config::{CONFIG_ENV, LogFormat, Overrides, describe_database};
use foi_server::db::{self, OpenError};

/// How long `foi serve` lets the requests in flight finish after Ctrl-C or SIGTERM: a little
/// more than the request timeout, so that every request either finishes or times out.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(35);

/// Government information disclosure on request (政府信息公开 依申请公开).
#[derive(Debug, Parser)]
#[command(name = "foi", version, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the GraphQL API over HTTP (GraphiQL at GET /graphql in development, /healthz,
    /// /readyz, /metrics).
    Serve(ServeArgs),
    /// The configuration file and environment (设置).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Apply pending database migrations and print their names.
    Migrate(DatabaseArgs),
    /// Set up agencies and staff accounts (管理).
    Admin(admin_cmd::AdminArgs),
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
    /// A demo district to try the service with (演示数据).
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Working days and statutory deadlines on the official calendar (工作日历).
    Calendar(calendar_cmd::CalendarArgs),
    /// Statistics: table 三 of the annual report for any period (统计).
    #[command(subcommand)]
    Stats(stats_cmd::StatsCommand),
    /// Import past applications from an agency's existing register (导入台账).
    #[command(subcommand)]
    Import(import_cmd::ImportCommand),
    /// Run the deadline sweep once: close cases whose correction or fee period ended, end
    /// lapsed consultations, mark cases due soon or overdue (巡检; for cron).
    Sweep(sweep_cmd::SweepArgs),
    /// Back up an SQLite database while the server keeps serving (备份; PostgreSQL: pg_dump).
    Backup(backup_cmd::BackupArgs),
    /// Restore an SQLite database from a backup, with the server stopped (恢复).
    Restore(backup_cmd::RestoreArgs),
}

/// `foi demo …`.
#[derive(Debug, Subcommand)]
enum DemoCommand {
    /// Create a demo district: agencies, staff, applicants and cases in every stage, dated
    /// back from today. Refused if the demo district is already there.
    Seed(DatabaseArgs),
}

/// `foi config …`.
#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Load the configuration as `foi serve` does (file, then environment) and print the
    /// effective values as TOML, passwords and tokens replaced by ***. Exit status 2 if it
    /// cannot be used.
    Check {
        /// The configuration file (TOML); see docs/configuration.md.
        #[arg(long, value_name = "FILE", env = CONFIG_ENV)]
        config: Option<PathBuf>,
    },
}

/// Which database to use: the configuration's `[database] url` (file, then
/// `FOI_DATABASE_URL`), unless `--database-url` says otherwise.
#[derive(Debug, Args)]
struct DatabaseArgs {
    /// Database URL: sqlite://PATH (created on first use) or postgres://USER:PASSWORD@HOST/DB.
    /// Overrides the configuration's [database] url and FOI_DATABASE_URL [default:
    /// sqlite://foi-data/foi.db].
    #[arg(long = "database-url", value_name = "URL", global = true)]
    database_url: Option<String>,
    /// The configuration file (TOML); see docs/configuration.md.
    #[arg(long, value_name = "FILE", env = CONFIG_ENV, global = true)]
    config: Option<PathBuf>,
}

impl DatabaseArgs {
    /// The configuration with these flags applied.
    fn load(&self, overrides: Overrides) -> Result<Config, Failure> {
        let overrides = Overrides { database_url: self.database_url.clone(), ..overrides };
        Config::load(self.config.as_deref(), |name| std::env::var(name).ok(), overrides)
            .map_err(|e| Failure::BadInput(e.to_string()))
    }

    /// The database URL to use.
    fn url(&self) -> Result<String, Failure> {
        Ok(self.load(Overrides::default())?.database.url)
    }
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// The address to listen on, IP:PORT (0.0.0.0:8080 for every interface). Overrides
    /// [http] listen and FOI_LISTEN [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Run the deadline sweep every SECONDS (0: never; then run `foi sweep` from cron).
    /// Overrides [sweep] interval_secs and FOI_SWEEP_INTERVAL [default: 600].
    #[arg(long, value_name = "SECONDS")]
    sweep_interval: Option<u64>,
    /// Log lines as text or JSON. Overrides [log] format and FOI_LOG_FORMAT [default: text].
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
    #[command(flatten)]
    database: DatabaseArgs,
}

/// Why a command failed, and so its exit status.
enum Failure {
    /// Status 2: the input cannot be used.
    BadInput(String),
    /// Status 1: the database or the machine failed.
    Runtime(String),
    /// Status 3: a unique value is taken (`ALREADY_EXISTS`: a login, an agency code).
    AlreadyExists(String),
}

impl From<OpenError> for Failure {
    fn from(err: OpenError) -> Self {
        if err.is_bad_input() { Failure::BadInput(err.to_string()) } else { Failure::Runtime(err.to_string()) }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Calendar(args) => calendar_cmd::run(args).map(|out| print!("{out}")).map_err(Failure::BadInput),
        Command::Schema => {
            print!("{}", foi_server::schema_sdl());
            Ok(())
        }
        Command::Serve(args) => block_on(serve(args)),
        Command::Config(ConfigCommand::Check { config }) => config_check(config),
        Command::Migrate(args) => block_on(migrate(args)),
        Command::Admin(args) => block_on(admin_cmd::run(args)),
        Command::Demo(DemoCommand::Seed(args)) => block_on(demo_seed(args)),
        Command::Stats(command) => block_on(stats_cmd::run(command)),
        Command::Import(command) => block_on(import_cmd::run(command)),
        Command::Sweep(args) => block_on(sweep_cmd::run(args)),
        Command::Backup(args) => block_on(backup_cmd::backup(args)),
        Command::Restore(args) => block_on(backup_cmd::restore(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            eprintln!("error: {message}");
            // The same status clap uses for unusable arguments.
            ExitCode::from(2)
        }
        Err(Failure::Runtime(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(Failure::AlreadyExists(message)) => {
            eprintln!("error: ALREADY_EXISTS: {message}");
            ExitCode::from(3)
        }
    }
}

fn block_on<F: Future<Output = Result<(), Failure>>>(future: F) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(future)
}

/// `foi config check`: the effective configuration, or what is wrong with it.
fn config_check(file: Option<PathBuf>) -> Result<(), Failure> {
    let config = Config::load(file.as_deref(), |name| std::env::var(name).ok(), Overrides::default())
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    // What `foi serve` would refuse at start, refused here too.
    config.attachments_config().map_err(|e| Failure::BadInput(e.to_string()))?;
    config.mailer_config().map_err(|e| Failure::BadInput(e.to_string()))?;
    print!("{}", config.to_toml());
    Ok(())
}

/// `foi serve`: migrate, listen, serve until Ctrl-C or SIGTERM, then drain.
async fn serve(args: ServeArgs) -> Result<(), Failure> {
    let overrides = Overrides {
        listen: args.listen,
        sweep_interval_secs: args.sweep_interval,
        log_format: args.log_format,
        ..Overrides::default()
    };
    let config = args.database.load(overrides)?;
    foi_server::telemetry::init_with(config.log.format, &config.log.level);
    tracing::info!(mode = ?config.mode, graphiql = config.http_config().graphiql, introspection = config.api.introspection, "configuration");
    let database = describe_database(&config.database.url);
    // Before the database: a storage that cannot work (an s3:// URL in a build without S3)
    // stops the start-up with a message saying what to change.
    let attachments = foi_server::attachments::Attachments::open(
        &config.attachments_config().map_err(|e| Failure::BadInput(e.to_string()))?,
    )
    .map_err(|e| Failure::BadInput(format!("attachments: {e}")))?;
    tracing::info!(storage = %attachments.describe(), max_bytes = attachments.max_bytes(), "attachments");
    let mail = config.mailer_config().map_err(|e| Failure::BadInput(e.to_string()))?;
    // One recorder per process, before anything counts; its histograms are drained even
    // when nobody scrapes.
    let upkeep =
        foi_server::metrics::install().map(|handle| foi_server::metrics::spawn_upkeep(handle, Duration::from_secs(5)));
    let (store, applied) = db::open(&config.database.url).await?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied database migrations");
    }
    let clock: Arc<dyn foi_domain::clock::Clock> = Arc::new(foi_domain::clock::SystemClock);
    let state = foi_api::ApiState::load(store.clone(), Arc::clone(&clock))
        .await
        .map_err(|e| Failure::Runtime(format!("cannot load the service state ({database}): {}", e.message())))?
        .with_config(config.api.clone());
    // On PostgreSQL, clerks' live queues hear of the changes every replica commits.
    let relayed = state
        .queue_feed
        .relay(&store)
        .await
        .map_err(|e| Failure::Runtime(format!("cannot listen for case changes ({database}): {}", e.message())))?;
    tracing::info!(across_replicas = relayed.is_some(), "queue feed");
    let listen = config.http.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure::Runtime(format!("cannot listen on {listen}: {e}")))?;
    let address = listener.local_addr().map_err(|e| Failure::Runtime(format!("cannot listen: {e}")))?;
    println!("foi listening on http://{address}/graphql (database: {database})");
    // Under systemd or docker stdout is a pipe: flush, or the line waits in a buffer.
    std::io::stdout().flush().ok();
    // Deadlines act on their own: the sweep runs beside the server (0 disables it).
    let sweeper = config.sweep_interval().map(|every| {
        tracing::info!(every_seconds = every.as_secs(), "deadline sweep");
        foi_server::sweeper::BackgroundSweep::start(store.clone(), every, state.queue_feed.clone())
    });
    // Notifications are e-mailed beside the server when a mail server is configured.
    let mailer = match mail {
        Some(config) => {
            let mailer = foi_server::mailer::Mailer::new(store.clone(), config, Arc::clone(&clock))
                .map_err(|e| Failure::BadInput(e.to_string()))?;
            Some(foi_server::mailer::BackgroundMailer::start(mailer))
        }
        None => {
            tracing::info!("e-mail notifications off: set [mail] smtp_url and from (FOI_SMTP_URL, FOI_SMTP_FROM)");
            None
        }
    };

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = foi_server::serve_with(listener, state, attachments, config.http_config(), async {
        stopped.await.ok();
    });
    let mut server = std::pin::pin!(server);
    tokio::select! {
        result = &mut server => {
            return result.map_err(|e| Failure::Runtime(format!("the server stopped: {e}")));
        }
        () = foi_server::shutdown_signal() => {}
    }
    tracing::info!("shutting down: letting the requests in flight finish");
    stop.send(()).ok();
    match tokio::time::timeout(SHUTDOWN_GRACE, server).await {
        Ok(result) => result.map_err(|e| Failure::Runtime(format!("the server stopped: {e}")))?,
        Err(_) => tracing::warn!("requests still running after {SHUTDOWN_GRACE:?}: stopping anyway"),
    }
    if let Some(sweeper) = sweeper {
        sweeper.stop().await;
    }
    if let Some(mailer) = mailer {
        mailer.stop(SHUTDOWN_GRACE).await;
    }
    if let Some(relay) = relayed {
        relay.stop().await;
    }
    if let Some(upkeep) = upkeep {
        upkeep.abort();
    }
    store.close().await.ok();
    tracing::info!("stopped");
    Ok(())
}

/// `foi migrate`: apply what is pending and say what that was.
async fn migrate(args: DatabaseArgs) -> Result<(), Failure> {
    let url = args.url()?;
    let store = db::connect(&url).await?;
    let applied = db::migrate(&store, &url).await?;
    let database = describe_database(&url);
    if applied.is_empty() {
        println!("up to date: no pending migrations ({database})");
    } else {
        for name in &applied {
            println!("applied {name}");
        }
        println!("{database} is up to date");
    }
    store.close().await.ok();
    Ok(())
}

/// `foi demo seed`: the demo district, and how to sign in to it.
async fn demo_seed(args: DatabaseArgs) -> Result<(), Failure> {
    let url = args.url()?;
    let (store, _) = db::open(&url).await?;
    let clock = foi_domain::clock::SystemClock;
    let calendar = foi_api::ApiState::load(store.clone(), Arc::new(clock))
        .await
        .map_err(|e| Failure::Runtime(e.message()))?
        .calendar();
    let summary = foi_api::demo::seed(
        &store,
        &calendar,
        foi_domain::clock::Clock::today(&clock),
        foi_domain::clock::Clock::now(&clock),
    )
    .await
    .map_err(|e| match e.code() {
        "ALREADY_EXISTS" => Failure::BadInput(format!("{}; use a fresh database to seed again", e.message())),
        _ => Failure::Runtime(e.message()),
    })?;
    println!("demo district seeded in {}", describe_database(&url));
    println!("\naccounts (password for all: {}):", foi_api::demo::DEMO_PASSWORD);
    for (login, what) in &summary.accounts {
        println!("  {login:<10} {what}");
    }
    println!("\ncases:");
    for (subject, stage) in &summary.cases {
        println!("  {stage}\t{subject}");
    }
    store.close().await.ok();
    Ok(())
}
