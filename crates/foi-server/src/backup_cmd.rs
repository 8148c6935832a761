//! `foi backup` and `foi restore`: a consistent copy of a live SQLite database, and putting
//! one back.
//!
//! **Backup** runs beside a serving `foi` (no need to stop it): `VACUUM INTO` copies the
//! database as of one instant (see `foi_store::backup`) into a temporary file beside the
//! output, which is checked (`PRAGMA integrity_check`), synced and only then renamed to the
//! name asked for, so a file of that name is always a whole, verified backup.
//!
//! **Restore** needs the server stopped. It checks that the input is a sound `foi` database
//! no newer than this binary, refuses while a process holds the target open, keeps the
//! database it replaces as `NAME.before-restore-<UTC timestamp>` (with its `-wal`, so that
//! nothing committed to it is lost), puts the copy in place with one rename, and applies
//! the migrations the backup lacks.
//!
//! PostgreSQL has its own tools for both (`pg_dump`, `pg_restore`): on a `postgres://` URL
//! both commands exit with status 2 and print the commands to run instead.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use clap::Args;
use foi_server::config::describe_database;
use foi_server::db;
use foi_store::backup::{FileReport, inspect_sqlite_file, sqlite_file};

use crate::{DatabaseArgs, Failure};

/// What to run instead of `foi backup` on PostgreSQL.
const PG_BACKUP_HELP: &str = "foi backup copies SQLite databases only; back up PostgreSQL with pg_dump, \
     while the replicas keep serving:\n  \
     pg_dump --format=custom --file=foi-$(date -u +%Y%m%dT%H%M%SZ).dump \"$FOI_DATABASE_URL\"\n\
     (see docs/operations.md; point-in-time recovery with WAL archiving is the stronger option)";

/// What to run instead of `foi restore` on PostgreSQL.
const PG_RESTORE_HELP: &str = "foi restore restores SQLite databases only; restore PostgreSQL with \
     pg_restore, with every replica stopped:\n  \
     pg_restore --clean --if-exists --no-owner --dbname=\"$FOI_DATABASE_URL\" foi-….dump\n  \
     foi migrate\n\
     then start the replicas again (see docs/operations.md)";

/// Arguments of `foi backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The backup file to write, e.g. /var/backups/foi/foi-2026-11-30.db.
    #[arg(long, value_name = "FILE")]
    output: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

/// Arguments of `foi restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The backup to restore (a file written by `foi backup`).
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// Replace an existing database (it is kept as NAME.before-restore-<timestamp>).
    #[arg(long)]
    force: bool,
}

/// `foi backup`: copy, verify, rename, report.
pub async fn backup(args: BackupArgs) -> Result<(), Failure> {
    let url = &args.database.url()?;
    let source = sqlite_path(url, PG_BACKUP_HELP)?;
    if !source.is_file() {
        return Err(Failure::BadInput(format!(
            "there is no database at {}: check --database-url (or FOI_DATABASE_URL)",
            source.display()
        )));
    }
    let output = &args.output;
    if output.exists() && !args.force {
        return Err(Failure::BadInput(format!(
            "{} exists: choose another file, or pass --force to replace it",
            output.display()
        )));
    }
    if output.is_dir() {
        return Err(Failure::BadInput(format!("{} is a directory: name the backup file", output.display())));
    }
    let dir = parent_dir(output);
    if !dir.is_dir() {
        return Err(Failure::BadInput(format!("the directory {} does not exist: create it first", dir.display())));
    }
    let temp = temp_beside(output, "partial");
    remove_if_exists(&temp).map_err(|e| runtime("removing a leftover partial backup", &temp, &e))?;

    let store = db::connect(url).await?;
    let copied = store.backup_sqlite_into(&temp).await;
    store.close().await.ok();
    if let Err(e) = copied {
        remove_if_exists(&temp).ok();
        return Err(Failure::Runtime(format!("cannot back up {}: {}", describe_database(url), db::error_chain(&e))));
    }
    let report = match inspect_sqlite_file(&temp).await {
        Ok(report) if report.integrity_problems.is_empty() => report,
        Ok(report) => {
            remove_if_exists(&temp).ok();
            return Err(Failure::Runtime(format!(
                "the copy failed its integrity check ({}); the database itself may be damaged: run \
                 `sqlite3 {} 'PRAGMA integrity_check'`",
                report.integrity_problems.join("; "),
                source.display()
            )));
        }
        Err(e) => {
            remove_if_exists(&temp).ok();
            return Err(Failure::Runtime(format!("cannot read the copy back: {}", db::error_chain(&e))));
        }
    };
    std::fs::rename(&temp, output).map_err(|e| runtime("renaming the backup into place", output, &e))?;
    sync_dir(&dir).map_err(|e| runtime("syncing the directory", &dir, &e))?;
    let bytes = std::fs::metadata(output).map(|m| m.len()).unwrap_or(0);
    println!("backed up {} to {}", describe_database(url), output.display());
    print_report(bytes, &report);
    println!("{}", attachments_hint(url));
    io::stdout().flush().ok();
    Ok(())
}

/// Attachments are files beside the database, not rows in it: say where they are, so that
/// they are copied too (after the database: a file is never changed or removed once
/// stored, so a later copy holds every file the backup refers to).
fn attachments_hint(url: &str) -> String {
    use foi_server::attachments::{DIR_ENV, URL_ENV, default_dir};
    match (std::env::var_os(DIR_ENV), std::env::var(URL_ENV)) {
        (_, Ok(store)) => format!("attachments are kept in {store}, not in this file: back that store up too"),
        (Some(dir), _) => format!(
            "attachments are files in {}, not in this file: copy that directory now (e.g. rsync -a)",
            PathBuf::from(dir).display()
        ),
        (None, _) => format!(
            "attachments are files in {}, not in this file: copy that directory now (e.g. rsync -a)",
            default_dir(url).display()
        ),
    }
}

/// `foi restore`: check the input, check the target is not in use, keep the old database,
/// rename the copy in, migrate.
pub async fn restore(args: RestoreArgs) -> Result<(), Failure> {
    let url = &args.database.url()?;
    let target = sqlite_path(url, PG_RESTORE_HELP)?;
    let input = &args.input;
    if !input.is_file() {
        return Err(Failure::BadInput(format!(
            "there is no file {}: name a backup written by `foi backup`",
            input.display()
        )));
    }
    if non_empty(&sidecar(input, "-wal")) {
        return Err(Failure::BadInput(format!(
            "{} has a write-ahead log beside it: it is a live database (or a copy of one taken while it \
             was in use). Make a backup of it with `foi backup` and restore that",
            input.display()
        )));
    }
    let checked = check_backup(input).await?;
    let exists = target.exists();
    if exists && !args.force {
        return Err(Failure::BadInput(format!(
            "there is a database at {} already: pass --force to replace it (it is kept as {}.before-restore-<time>)",
            target.display(),
            target.display()
        )));
    }
    if exists && in_use(&target).map_err(|e| runtime("checking whether the database is in use", &target, &e))? {
        return Err(Failure::BadInput(format!(
            "the database {} is in use: stop `foi serve` (every replica) and any other `foi` command \
             using it, then run `foi restore` again",
            target.display()
        )));
    }
    let dir = parent_dir(&target);
    std::fs::create_dir_all(&dir).map_err(|e| runtime("creating the database directory", &dir, &e))?;

    // The copy is written beside the target, so that putting it in place is one rename
    // within a file system, and checked again there.
    let temp = temp_beside(&target, "restoring");
    remove_if_exists(&temp).map_err(|e| runtime("removing a leftover partial restore", &temp, &e))?;
    copy_synced(input, &temp).map_err(|e| {
        remove_if_exists(&temp).ok();
        runtime("copying the backup", &temp, &e)
    })?;
    match inspect_sqlite_file(&temp).await {
        Ok(report) if report.integrity_problems.is_empty() && report == checked => {}
        Ok(_) | Err(_) => {
            remove_if_exists(&temp).ok();
            return Err(Failure::Runtime(format!(
                "the copy of {} at {} does not read back like the backup: check the disk and space, then run again",
                input.display(),
                temp.display()
            )));
        }
    }

    let kept = if exists { Some(keep_replaced(&target)?) } else { None };
    // A `-wal` or `-shm` left by the replaced database (moved along with it above, or left by
    // a crash) must not be replayed onto the restored file.
    for stale in [sidecar(&target, "-wal"), sidecar(&target, "-shm")] {
        remove_if_exists(&stale).map_err(|e| runtime("removing a stale file", &stale, &e))?;
    }
    std::fs::rename(&temp, &target).map_err(|e| runtime("renaming the restored database into place", &target, &e))?;
    sync_dir(&dir).map_err(|e| runtime("syncing the directory", &dir, &e))?;

    let (store, applied) = db::open(url).await?;
    store.close().await.ok();
    println!("restored {} into {}", input.display(), describe_database(url));
    let bytes = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    print_report(bytes, &checked);
    for name in &applied {
        println!("applied migration {name}");
    }
    if let Some(kept) = kept {
        println!("the database it replaced is kept as {}", kept.display());
    }
    io::stdout().flush().ok();
    Ok(())
}

/// The SQLite file of `url`; on PostgreSQL the help text of the PostgreSQL tools, as bad
/// input.
fn sqlite_path(url: &str, postgres_help: &str) -> Result<PathBuf, Failure> {
    match sqlite_file(url) {
        Ok(Some(path)) => Ok(path),
        Ok(None) => Err(Failure::BadInput("an in-memory database cannot be backed up or restored".into())),
        Err(foi_store::StoreError::UnsupportedUrl { scheme }) if scheme == "postgres" || scheme == "postgresql" => {
            Err(Failure::BadInput(postgres_help.to_owned()))
        }
        Err(e) => {
            Err(Failure::BadInput(format!("bad database URL ({}): {}", describe_database(url), db::error_chain(&e))))
        }
    }
}

/// Reads the backup (read-only) and refuses it, saying why, unless it is a sound `foi`
/// database that this binary can migrate.
async fn check_backup(input: &Path) -> Result<FileReport, Failure> {
    let shown = input.display();
    let report = inspect_sqlite_file(input).await.map_err(|e| {
        Failure::BadInput(format!("{shown} is not a readable SQLite database: {}", db::error_chain(&e)))
    })?;
    if !report.integrity_problems.is_empty() {
        return Err(Failure::BadInput(format!(
            "{shown} is damaged (integrity check: {}): restore an older backup",
            report.integrity_problems.join("; ")
        )));
    }
    if report.applied_migrations.is_none() || report.cases.is_none() {
        return Err(Failure::BadInput(format!("{shown} is not a foi database (it has no foi tables)")));
    }
    let unknown = report.unknown_migrations();
    if !unknown.is_empty() {
        return Err(Failure::BadInput(format!(
            "{shown} was written by a newer foi (schema {}): restore it with that version of foi",
            unknown.join(", ")
        )));
    }
    Ok(report)
}

fn print_report(bytes: u64, report: &FileReport) {
    println!("  size       {bytes} bytes");
    println!("  schema     {}", report.schema_version().unwrap_or("(no migrations)"));
    println!("  cases      {}", report.cases.unwrap_or(0));
    println!("  integrity  ok");
}

/// Keeps the database at `target` as `target.before-restore-<UTC time>`: a hard link (so
/// that `target` never disappears) where the file system allows, a copy otherwise. Its
/// `-wal`, which may hold committed transactions not yet in the main file, moves along
/// under the matching name, so that the kept database opens complete.
fn keep_replaced(target: &Path) -> Result<PathBuf, Failure> {
    let stamp = utc_stamp();
    let kept = PathBuf::from(format!("{}.before-restore-{stamp}", target.display()));
    if std::fs::hard_link(target, &kept).is_err() {
        copy_synced(target, &kept).map_err(|e| runtime("keeping the replaced database", &kept, &e))?;
    }
    let wal = sidecar(target, "-wal");
    if wal.exists() {
        let kept_wal = sidecar(&kept, "-wal");
        std::fs::rename(&wal, &kept_wal).map_err(|e| runtime("keeping the replaced database's log", &kept_wal, &e))?;
    }
    Ok(kept)
}

fn utc_stamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// Whether a process has the SQLite database at `db` open. Every connection to a database
/// in WAL mode holds a shared POSIX lock on one byte of its `-shm` file (the "DMS" byte,
/// offset 128 of SQLite's unix VFS) for as long as it is open; if some process holds it,
/// this reports `true`. A server whose pool has closed every idle connection is not seen:
/// this check guards against mistakes, it does not replace stopping the server.
#[cfg(unix)]
fn in_use(db: &Path) -> io::Result<bool> {
    use std::os::fd::AsRawFd as _;
    /// SQLite's `UNIX_SHM_DMS`: `UNIX_SHM_BASE` (120) + 8.
    const DMS_BYTE: libc::off_t = 128;
    let shm = match std::fs::OpenOptions::new().read(true).write(true).open(sidecar(db, "-shm")) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    // SAFETY: `flock` is plain data, for which all zeroes is a valid value.
    let mut probe: libc::flock = unsafe { std::mem::zeroed() };
    probe.l_type = libc::F_WRLCK as _;
    probe.l_whence = libc::SEEK_SET as _;
    probe.l_start = DMS_BYTE;
    probe.l_len = 1;
    // SAFETY: the descriptor is open for the duration of the call and `probe` is a valid,
    // exclusively borrowed `flock`. F_GETLK only asks; it takes no lock.
    let rc = unsafe { libc::fcntl(shm.as_raw_fd(), libc::F_GETLK, &mut probe) };
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(i32::from(probe.l_type) != libc::F_UNLCK)
}

#[cfg(not(unix))]
fn in_use(_db: &Path) -> io::Result<bool> {
    Ok(false)
}

/// `db` with `suffix` appended to its file name, as SQLite names its `-wal` and `-shm`.
fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A hidden temporary name beside `path`, unique to this process.
fn temp_beside(path: &Path, what: &str) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    parent_dir(path).join(format!(".{name}.{what}-{}", std::process::id()))
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn non_empty(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > 0)
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn copy_synced(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::copy(from, to)?;
    std::fs::File::open(to)?.sync_all()
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn runtime(what: &str, path: &Path, err: &io::Error) -> Failure {
    Failure::Runtime(format!("{what} ({}): {err}", path.display()))
}
