//! Attachments (附件): the files disclosed with a reply, stored by the service.
//!
//! - **Where.** On the local disk by default, in `foi-data/attachments/` next to the
//!   default database (next to the SQLite file in general; `FOI_ATTACHMENTS_DIR` sets
//!   another directory). With the cargo feature `s3`, in an S3-compatible object store named
//!   by `FOI_ATTACHMENTS_URL=s3://bucket/prefix`, with the usual `AWS_*` variables
//!   (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` for a
//!   store other than AWS). Without the feature, an `s3://` URL is refused at start-up.
//! - **Content-addressed.** A file is stored under the lower-case hex SHA-256 of its bytes,
//!   its `storage_key`, fanned out over two directory levels (`ab/cd/abcd…`). The same file
//!   uploaded twice is stored once; a name a client chose never becomes a path.
//! - **Never half a file.** An upload streams into a temporary file (`tmp/<random>.part` in
//!   the attachments directory, so that the rename stays on one file system), hashed and
//!   sniffed on the way, flushed to disk, and only then renamed to its final name: the
//!   rename is atomic, so a crash at any point leaves at most a stray `.part` file (removed
//!   after a day when the storage is next opened), never a partial file under a final name.
//!   An S3 object appears whole or not at all (a single PUT, or a multipart upload that is
//!   completed only after its last part).
//! - **Limits.** At most [`DEFAULT_MAX_BYTES`] (20 MiB, `FOI_ATTACHMENT_MAX_BYTES`), counted
//!   while streaming: an oversize upload is cut off as soon as it passes the limit, never
//!   buffered whole. Only the types of [`sniff::Kind`] are accepted, told by their bytes,
//!   and the declared `Content-Type` must agree with them.
//! - **Order of writes.** The file is stored *before* its `attachments` row and audit event
//!   are committed (one transaction, `foi_store::Store::add_attachment`), so a row never
//!   points at a missing file. If the commit fails, the stored blob stays behind unreferenced
//!   — harmless: it is content-addressed, so the same upload retried reuses it, and nobody
//!   can download it without a row.
//!
//! The HTTP side, `POST /cases/{caseId}/attachments` and `GET /attachments/{id}`, is in
//! [`routes`]; who may upload and download is decided in `foi_api::attachments`.

pub mod names;
pub(crate) mod routes;
pub mod sniff;

use std::future::poll_fn;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes, HttpBody as _};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use sniff::{Kind, Sniffed, Sniffer};

/// The largest attachment accepted unless `FOI_ATTACHMENT_MAX_BYTES` says otherwise: 20 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;
/// The environment variable naming the attachments directory.
pub const DIR_ENV: &str = "FOI_ATTACHMENTS_DIR";
/// The environment variable naming an object store, `s3://bucket/prefix`.
pub const URL_ENV: &str = "FOI_ATTACHMENTS_URL";
/// The environment variable with the size limit in bytes.
pub const MAX_BYTES_ENV: &str = "FOI_ATTACHMENT_MAX_BYTES";

/// The directory used with the default database (`sqlite://foi-data/foi.db`).
pub const DEFAULT_DIR: &str = "foi-data/attachments";

/// A temporary file older than this, found when the storage is opened, was left by a crash.
const STALE_TEMP_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// Uploads are written in blocks of this size.
const WRITE_BUFFER: usize = 256 * 1024;
/// Downloads are read in blocks of this size.
const READ_BUFFER: usize = 64 * 1024;

/// Where attachments are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A directory on the local disk.
    Dir(PathBuf),
    /// An S3-compatible object store, `s3://bucket/prefix` (needs the `s3` feature).
    S3(String),
}

/// How attachments are stored and limited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentsConfig {
    /// Where.
    pub location: Location,
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
}

/// A configuration that cannot be used; the message says what to change.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl AttachmentsConfig {
    /// Files in `dir`, up to [`DEFAULT_MAX_BYTES`].
    pub fn local(dir: impl Into<PathBuf>) -> AttachmentsConfig {
        AttachmentsConfig { location: Location::Dir(dir.into()), max_bytes: DEFAULT_MAX_BYTES }
    }

    /// The configuration of `foi serve` from [`DIR_ENV`], [`URL_ENV`] and
    /// [`MAX_BYTES_ENV`]; without them, [`default_dir`] of the database.
    pub fn from_env(database_url: &str) -> Result<AttachmentsConfig, ConfigError> {
        AttachmentsConfig::from_vars(database_url, |name| std::env::var(name).ok())
    }

    /// [`AttachmentsConfig::from_env`] over any source of variables.
    pub fn from_vars(
        database_url: &str,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<AttachmentsConfig, ConfigError> {
        let var = |name: &str| var(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let location = match (var(DIR_ENV), var(URL_ENV)) {
            (Some(_), Some(_)) => {
                return Err(ConfigError(format!(
                    "{DIR_ENV} and {URL_ENV} are both set: keep attachments either in a directory or in an object store"
                )));
            }
            (Some(dir), None) => Location::Dir(PathBuf::from(dir)),
            (None, Some(url)) if url.starts_with("s3://") => Location::S3(url),
            (None, Some(url)) => {
                let scheme = url.split_once(':').map_or(url.as_str(), |(s, _)| s);
                return Err(ConfigError(format!(
                    "{URL_ENV}: unsupported scheme {scheme:?}; use s3://BUCKET/PREFIX, or {DIR_ENV}=PATH for a directory"
                )));
            }
            (None, None) => Location::Dir(default_dir(database_url)),
        };
        let max_bytes = match var(MAX_BYTES_ENV) {
            None => DEFAULT_MAX_BYTES,
            Some(raw) => raw.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ConfigError(format!(
                    "{MAX_BYTES_ENV}={raw:?} is not a size: give a whole number of bytes, e.g. {DEFAULT_MAX_BYTES} for 20 MiB"
                ))
            })?,
        };
        Ok(AttachmentsConfig { location, max_bytes })
    }
}

/// The default attachments directory: `attachments/` next to an SQLite database file
/// (`foi-data/attachments` for the default database), and [`DEFAULT_DIR`] for PostgreSQL or
/// an in-memory database.
pub fn default_dir(database_url: &str) -> PathBuf {
    let Some(rest) = database_url.strip_prefix("sqlite:") else { return PathBuf::from(DEFAULT_DIR) };
    let path = rest.strip_prefix("//").unwrap_or(rest);
    let path = path.split_once('?').map_or(path, |(path, _)| path);
    if path.is_empty() || path == ":memory:" || database_url.contains("mode=memory") {
        return PathBuf::from(DEFAULT_DIR);
    }
    Path::new(path).parent().unwrap_or(Path::new("")).join("attachments")
}

/// Why an upload was not staged. Its temporary file is gone in every case.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The body passed the size limit; reading stopped there.
    #[error("the file is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The body was empty.
    #[error("the file is empty")]
    Empty,
    /// The body could not be read (the client went away, or sent garbage framing).
    #[error("the request body could not be read")]
    Unreadable,
    /// The content is of no allowed type; says what it looks like.
    #[error("{0}")]
    Unsupported(String),
    /// The disk failed.
    #[error("writing the upload to {path}: {source}")]
    Io {
        /// The temporary file.
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why the storage failed to keep or give back a file.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No stored file under this key, though a row names it: lost data.
    #[error("no stored file under the key {key}")]
    Missing {
        /// The storage key.
        key: String,
    },
    /// A key that is not a SHA-256 in hex (a corrupt row): never used as a path.
    #[error("invalid storage key {key:?}")]
    BadKey {
        /// The key as found.
        key: String,
    },
    /// The disk failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The object store failed.
    #[cfg(feature = "s3")]
    #[error("the object store failed: {0}")]
    ObjectStore(#[from] object_store::Error),
}

fn io_error(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StorageError {
    let context = context.into();
    move |source| StorageError::Io { context, source }
}

/// An upload written to a temporary file, hashed and sniffed, not yet under its final name.
/// Dropped without [`Attachments::commit`], its temporary file is removed.
#[derive(Debug)]
pub struct Staged {
    temp: TempFile,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// What the bytes are.
    pub kind: Kind,
}

/// A file given back by the storage.
pub struct Blob {
    /// The content, streamed.
    pub body: Body,
    /// Its size in bytes.
    pub size: u64,
}

/// A temporary file that removes itself unless disarmed.
#[derive(Debug)]
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            // Best effort (the file may not exist yet); a leftover is removed on next start.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The attachment storage of a running service. Cheap to clone.
#[derive(Clone)]
pub struct Attachments {
    inner: Arc<Inner>,
}

struct Inner {
    blobs: Blobs,
    /// Where uploads are staged: `tmp/` in the attachments directory.
    staging: PathBuf,
    max_bytes: u64,
}

enum Blobs {
    Local(PathBuf),
    #[cfg(feature = "s3")]
    S3(s3::S3Blobs),
}

impl std::fmt::Debug for Attachments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachments").field("storage", &self.describe()).field("max_bytes", &self.max_bytes()).finish()
    }
}

impl Attachments {
    /// Opens the storage of `config`: creates the directories (and removes the temporary
    /// files a crash left behind), or connects the object store.
    pub fn open(config: &AttachmentsConfig) -> Result<Attachments, ConfigError> {
        let (blobs, staging) = match &config.location {
            Location::Dir(dir) => (Blobs::Local(dir.clone()), dir.join("tmp")),
            Location::S3(url) => open_s3(url)?,
        };
        std::fs::create_dir_all(&staging)
            .map_err(|e| ConfigError(format!("cannot create the attachments directory {}: {e}", staging.display())))?;
        remove_stale_temp_files(&staging, STALE_TEMP_AGE);
        Ok(Attachments { inner: Arc::new(Inner { blobs, staging, max_bytes: config.max_bytes }) })
    }

    /// The storage `foi serve` uses: [`AttachmentsConfig::from_env`], opened.
    pub fn from_env(database_url: &str) -> Result<Attachments, ConfigError> {
        Attachments::open(&AttachmentsConfig::from_env(database_url)?)
    }

    /// The largest file accepted, in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.inner.max_bytes
    }

    /// Where files go, for people: `directory foi-data/attachments` or `s3://bucket/prefix`.
    pub fn describe(&self) -> String {
        match &self.inner.blobs {
            Blobs::Local(dir) => format!("directory {}", dir.display()),
            #[cfg(feature = "s3")]
            Blobs::S3(s3) => s3.url.clone(),
        }
    }

    /// Where a file of this key lies on the local disk (`root/ab/cd/abcd…`); `None` for an
    /// object store or a key that is not a hex SHA-256.
    pub fn local_path(&self, key: &str) -> Option<PathBuf> {
        match &self.inner.blobs {
            Blobs::Local(root) => is_key(key).then(|| root.join(fan_out(key))),
            #[cfg(feature = "s3")]
            Blobs::S3(_) => None,
        }
    }

    /// The directory of temporary files.
    pub fn staging_dir(&self) -> &Path {
        &self.inner.staging
    }

    /// Streams `body` into a temporary file, hashing and sniffing it on the way and stopping
    /// as soon as it passes the size limit. On any error the temporary file is removed and
    /// the rest of `body` is left unread (drain it before answering).
    pub async fn stage(&self, body: &mut Body) -> Result<Staged, StageError> {
        let path = self.inner.staging.join(format!("{}.part", foi_store::new_id().simple()));
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StageError::Io { path, source }
        };
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await.map_err(io(&path))?;
        let temp = TempFile(Some(path.clone()));
        let mut writer = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        let mut hasher = Sha256::new();
        let mut sniffer = Sniffer::new();
        let limit = self.inner.max_bytes;
        while let Some(frame) = poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
            let frame = frame.map_err(|_| StageError::Unreadable)?;
            let Ok(data) = frame.into_data() else { continue };
            if sniffer.len() + data.len() as u64 > limit {
                return Err(StageError::TooLarge { limit });
            }
            hasher.update(&data);
            sniffer.feed(&data);
            writer.write_all(&data).await.map_err(io(&path))?;
        }
        if sniffer.is_empty() {
            return Err(StageError::Empty);
        }
        writer.flush().await.map_err(io(&path))?;
        // On disk before it can get its final name.
        writer.into_inner().sync_all().await.map_err(io(&path))?;
        let kind = match sniffer.finish() {
            Sniffed::Kind(kind) => kind,
            Sniffed::Unknown => {
                return Err(StageError::Unsupported("of a type that is not on the allow-list".into()));
            }
            Sniffed::Zip => {
                let file = path.clone();
                let found = tokio::task::spawn_blocking(move || sniff::zip_kind(std::fs::File::open(file)?))
                    .await
                    .map_err(|e| StageError::Io { path: path.clone(), source: std::io::Error::other(e) })?
                    .map_err(io(&path))?;
                found.ok_or_else(|| {
                    StageError::Unsupported("a ZIP archive that is neither an OFD, a DOCX nor an XLSX file".into())
                })?
            }
        };
        Ok(Staged { temp, sha256: hex(&hasher.finalize()), size: sniffer.len(), kind })
    }

    /// Gives a staged upload its final name and returns its storage key (its SHA-256). A
    /// file with the same content already stored is kept, and the upload's copy dropped.
    pub async fn commit(&self, mut staged: Staged) -> Result<String, StorageError> {
        let key = staged.sha256.clone();
        match &self.inner.blobs {
            Blobs::Local(root) => {
                let dest = root.join(fan_out(&key));
                let dir = dest.parent().unwrap_or(root);
                tokio::fs::create_dir_all(dir).await.map_err(io_error(format!("creating {}", dir.display())))?;
                if tokio::fs::metadata(&dest).await.is_ok_and(|m| m.len() == staged.size) {
                    // The same bytes are there already (same SHA-256 and size).
                    return Ok(key);
                }
                tokio::fs::rename(staged.temp.path(), &dest)
                    .await
                    .map_err(io_error(format!("moving the upload to {}", dest.display())))?;
                staged.temp.disarm();
                sync_dir(dir).await;
            }
            #[cfg(feature = "s3")]
            Blobs::S3(s3) => s3.put(&key, staged.temp.path(), staged.size).await?,
        }
        Ok(key)
    }

    /// The stored file under `key`, streamed.
    pub async fn open_blob(&self, key: &str) -> Result<Blob, StorageError> {
        if !is_key(key) {
            return Err(StorageError::BadKey { key: key.to_owned() });
        }
        match &self.inner.blobs {
            Blobs::Local(root) => {
                let path = root.join(fan_out(key));
                let file = match tokio::fs::File::open(&path).await {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(StorageError::Missing { key: key.to_owned() });
                    }
                    other => other.map_err(io_error(format!("opening {}", path.display())))?,
                };
                let size = file.metadata().await.map_err(io_error(format!("reading {}", path.display())))?.len();
                Ok(Blob { body: file_body(file), size })
            }
            #[cfg(feature = "s3")]
            Blobs::S3(s3) => s3.get(key).await,
        }
    }
}

/// A file's content as a response body, read in blocks of [`READ_BUFFER`].
fn file_body(file: tokio::fs::File) -> Body {
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buffer = vec![0; READ_BUFFER];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok(Bytes::from(buffer)), Some(file)))
            }
            // Report the error once, then end.
            Err(e) => Some((Err(e), None)),
        }
    });
    Body::from_stream(stream)
}

/// Whether `key` is a lower-case hex SHA-256 (and so safe to join to a path).
fn is_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `ab/cd/abcd…`: two directory levels, so no directory holds more than 65 536 entries of
/// the next level.
fn fan_out(key: &str) -> String {
    format!("{}/{}/{key}", &key[..2], &key[2..4])
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// Makes a rename in `dir` durable (best effort; a no-op where directories cannot be
/// opened, as on Windows).
async fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = tokio::fs::File::open(dir).await {
        let _ = dir.sync_all().await;
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Removes `*.part` files older than `age` from `staging`: what a crash left behind.
fn remove_stale_temp_files(staging: &Path, age: Duration) {
    let Ok(entries) = std::fs::read_dir(staging) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "part") {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| now.duration_since(modified).is_ok_and(|d| d > age));
        if stale && std::fs::remove_file(&path).is_ok() {
            tracing::info!(file = %path.display(), "removed an upload left unfinished by a crash");
        }
    }
}

#[cfg(not(feature = "s3"))]
fn open_s3(url: &str) -> Result<(Blobs, PathBuf), ConfigError> {
    Err(without_s3(url))
}

/// What a build without the `s3` feature says of an `s3://` URL. (Defined in every build so
/// that its test runs under `--all-features` too.)
#[cfg_attr(feature = "s3", allow(dead_code))]
fn without_s3(url: &str) -> ConfigError {
    ConfigError(format!(
        "{URL_ENV}={url} needs S3 support, which this build of foi does not have: build it with \
         `cargo build --release -p foi-server --features s3`, or keep attachments on the local disk \
         (unset {URL_ENV}; {DIR_ENV}=PATH chooses the directory)"
    ))
}

#[cfg(feature = "s3")]
fn open_s3(url: &str) -> Result<(Blobs, PathBuf), ConfigError> {
    let blobs = s3::S3Blobs::open(url)?;
    // Uploads are staged on the local disk, checked, then sent.
    Ok((Blobs::S3(blobs), std::env::temp_dir().join("foi-attachments")))
}

/// The S3-compatible store (feature `s3`), through the `object_store` crate.
#[cfg(feature = "s3")]
mod s3 {
    use std::path::Path;
    use std::sync::Arc;

    use futures_util::TryStreamExt as _;
    use object_store::aws::AmazonS3Builder;
    use object_store::path::Path as ObjectPath;
    use object_store::{GetOptions, ObjectStore, PutOptions, PutPayload, WriteMultipart};
    use tokio::io::AsyncReadExt as _;

    use super::{Blob, ConfigError, StorageError, fan_out, io_error};

    /// Why a plain-HTTP endpoint cannot be used as configured, if it cannot: the object
    /// store refuses `http://` unless `AWS_ALLOW_HTTP=true`, and would say only "builder
    /// error" at the first upload.
    pub(super) fn plain_http_refused(endpoint: Option<&str>, allow_http: Option<&str>) -> Option<String> {
        let endpoint = endpoint?;
        let plain = endpoint.get(..7).is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
        let allowed = allow_http.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        (plain && !allowed).then(|| {
            format!(
                "AWS_ENDPOINT {endpoint} is plain HTTP: set AWS_ALLOW_HTTP=true to use it (only inside a trusted \
                 network), or use its https:// address"
            )
        })
    }

    /// Files up to this size are sent in one PUT; larger ones in parts of this size.
    const PART_SIZE: u64 = 8 * 1024 * 1024;

    pub(super) struct S3Blobs {
        store: Arc<dyn ObjectStore>,
        /// Ends with `/` unless empty.
        prefix: String,
        pub(super) url: String,
    }

    impl S3Blobs {
        /// `s3://bucket/prefix`, with credentials, region and endpoint from `AWS_*`.
        pub(super) fn open(url: &str) -> Result<S3Blobs, ConfigError> {
            let rest = url.strip_prefix("s3://").unwrap_or(url);
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(ConfigError(format!("{}: name a bucket, s3://BUCKET/PREFIX", super::URL_ENV)));
            }
            let prefix = prefix.trim_matches('/');
            let var = |name: &str| std::env::var(name).ok();
            let endpoint = var("AWS_ENDPOINT").or_else(|| var("AWS_ENDPOINT_URL"));
            if let Some(refusal) = plain_http_refused(endpoint.as_deref(), var("AWS_ALLOW_HTTP").as_deref()) {
                return Err(ConfigError(refusal));
            }
            let store = AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| ConfigError(format!("cannot use the object store {url}: {e}")))?;
            Ok(S3Blobs {
                store: Arc::new(store),
                prefix: if prefix.is_empty() { String::new() } else { format!("{prefix}/") },
                url: url.to_owned(),
            })
        }

        fn path(&self, key: &str) -> ObjectPath {
            ObjectPath::from(format!("{}{}", self.prefix, fan_out(key)))
        }

        /// Sends the staged file: one PUT, or a multipart upload completed after its last
        /// part; either way the object appears whole or not at all.
        pub(super) async fn put(&self, key: &str, file: &Path, size: u64) -> Result<(), StorageError> {
            let path = self.path(key);
            if size <= PART_SIZE {
                let bytes = tokio::fs::read(file).await.map_err(io_error("reading the staged upload"))?;
                self.store.put_opts(&path, PutPayload::from(bytes), PutOptions::default()).await?;
                return Ok(());
            }
            let upload = self.store.put_multipart_opts(&path, Default::default()).await?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE as usize);
            let mut source = tokio::fs::File::open(file).await.map_err(io_error("reading the staged upload"))?;
            let mut buffer = vec![0; 1024 * 1024];
            loop {
                let n = match source.read(&mut buffer).await {
                    Ok(n) => n,
                    Err(e) => {
                        let _ = writer.abort().await;
                        return Err(io_error("reading the staged upload")(e));
                    }
                };
                if n == 0 {
                    break;
                }
                writer.wait_for_capacity(2).await?;
                writer.write(&buffer[..n]);
            }
            writer.finish().await?;
            Ok(())
        }

        pub(super) async fn get(&self, key: &str) -> Result<Blob, StorageError> {
            let result = match self.store.get_opts(&self.path(key), GetOptions::default()).await {
                Err(object_store::Error::NotFound { .. }) => {
                    return Err(StorageError::Missing { key: key.to_owned() });
                }
                other => other?,
            };
            let size = result.meta.size;
            let stream = result.into_stream().map_err(std::io::Error::other);
            Ok(Blob { body: axum::body::Body::from_stream(stream), size })
        }
    }

    #[cfg(test)]
    mod tests {
        use object_store::memory::InMemory;
        use sha2::{Digest, Sha256};

        use super::super::{Attachments, Inner, hex};
        use super::*;

        #[test]
        fn a_plain_http_endpoint_needs_allow_http() {
            let refused = plain_http_refused(Some("http://minio:9000"), None).expect("refused");
            assert!(refused.contains("AWS_ALLOW_HTTP=true"), "{refused}");
            assert!(plain_http_refused(Some("HTTP://minio:9000"), Some("false")).is_some());
            assert_eq!(plain_http_refused(Some("http://minio:9000"), Some("true")), None);
            assert_eq!(plain_http_refused(Some("https://oss-cn-chengdu.aliyuncs.com"), None), None);
            assert_eq!(plain_http_refused(None, None), None);
        }

        /// The S3 code over an in-memory object store: one PUT for a small file, a
        /// multipart upload for one larger than a part, both read back whole.
        #[tokio::test]
        async fn puts_and_gets_whole_objects() {
            let staging = tempfile::tempdir().unwrap();
            let memory = Arc::new(InMemory::new());
            let blobs = S3Blobs { store: memory.clone(), prefix: "foi/".into(), url: "s3://test/foi".into() };
            let attachments = Attachments {
                inner: Arc::new(Inner {
                    blobs: super::super::Blobs::S3(blobs),
                    staging: staging.path().to_owned(),
                    max_bytes: 32 * 1024 * 1024,
                }),
            };
            let large: Vec<u8> =
                b"%PDF-1.7\n".iter().copied().chain((0..9_500_000u32).map(|i| (i % 251) as u8)).collect();
            for content in [b"%PDF-1.7\n%%EOF\n".to_vec(), large] {
                let mut body = axum::body::Body::from(content.clone());
                let staged = attachments.stage(&mut body).await.unwrap();
                let key = attachments.commit(staged).await.unwrap();
                assert_eq!(key, hex(&Sha256::digest(&content)));
                let path = ObjectPath::from(format!("foi/{}/{}/{key}", &key[..2], &key[2..4]));
                let found = memory.get_opts(&path, GetOptions::default()).await;
                assert!(found.is_ok(), "stored under the prefix with the fan-out");
                let blob = attachments.open_blob(&key).await.unwrap();
                assert_eq!(blob.size, content.len() as u64);
                let bytes = axum::body::to_bytes(blob.body, usize::MAX).await.unwrap();
                assert!(bytes[..] == content[..], "read back whole");
            }
            let missing = "0".repeat(64);
            assert!(matches!(attachments.open_blob(&missing).await, Err(StorageError::Missing { .. })));
            assert!(std::fs::read_dir(staging.path()).unwrap().next().is_none(), "no staged file is left");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";

    fn storage(dir: &Path, max_bytes: u64) -> Attachments {
        Attachments::open(&AttachmentsConfig { location: Location::Dir(dir.to_owned()), max_bytes }).unwrap()
    }

    fn body(chunks: Vec<Result<&'static [u8], std::io::Error>>) -> Body {
        Body::from_stream(futures_util::stream::iter(chunks.into_iter().map(|c| c.map(Bytes::from_static))))
    }

    /// Every regular file below `dir`.
    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut dirs = vec![dir.to_owned()];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(d).unwrap().flatten() {
                if entry.path().is_dir() {
                    dirs.push(entry.path());
                } else {
                    out.push(entry.path());
                }
            }
        }
        out
    }

    #[tokio::test]
    async fn stores_under_the_sha256_with_a_fan_out() {
        let dir = tempfile::tempdir().unwrap();
        let attachments = storage(dir.path(), 1024);
        let staged = attachments.stage(&mut body(vec![Ok(&PDF[..5]), Ok(&PDF[5..])])).await.unwrap();
        assert_eq!(staged.kind, Kind::Pdf);
        assert_eq!(staged.size, PDF.len() as u64);
        let expected = hex(&Sha256::digest(PDF));
        assert_eq!(staged.sha256, expected);
        let key = attachments.commit(staged).await.unwrap();
        assert_eq!(key, expected);
        let path = attachments.local_path(&key).unwrap();
        assert_eq!(path, dir.path().join(&key[..2]).join(&key[2..4]).join(&key));
        assert_eq!(std::fs::read(&path).unwrap(), PDF);
        assert!(files(attachments.staging_dir()).is_empty(), "no temporary file is left");

        // The same content again: stored once, the second copy dropped.
        let again = attachments.stage(&mut body(vec![Ok(PDF)])).await.unwrap();
        assert_eq!(attachments.commit(again).await.unwrap(), key);
        assert_eq!(files(dir.path()), vec![path.clone()]);

        let blob = attachments.open_blob(&key).await.unwrap();
        assert_eq!(blob.size, PDF.len() as u64);
        let bytes = axum::body::to_bytes(blob.body, usize::MAX).await.unwrap();
        assert_eq!(&bytes[..], PDF);
    }

    #[tokio::test]
    async fn a_failed_upload_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let attachments = storage(dir.path(), 16);
        // The client goes away in the middle (a read error), after part of the file.
        let broken = body(vec![Ok(&PDF[..8]), Err(std::io::Error::other("connection reset"))]);
        let mut broken = broken;
        assert!(matches!(attachments.stage(&mut broken).await, Err(StageError::Unreadable)));
        // Too large: stopped at the limit, nothing kept.
        let mut large = body(vec![Ok(&PDF[..10]), Ok(&PDF[10..20]), Ok(&PDF[20..])]);
        assert!(matches!(attachments.stage(&mut large).await, Err(StageError::TooLarge { limit: 16 })));
        assert!(matches!(attachments.stage(&mut body(vec![])).await, Err(StageError::Empty)));
        let mut unknown = body(vec![Ok(b"GIF89a\x01\x00")]);
        assert!(matches!(attachments.stage(&mut unknown).await, Err(StageError::Unsupported(_))));
        assert!(files(dir.path()).is_empty(), "left behind: {:?}", files(dir.path()));
    }

    #[tokio::test]
    async fn the_final_name_appears_only_once_the_file_is_complete() {
        let dir = tempfile::tempdir().unwrap();
        let attachments = storage(dir.path(), 1024);
        let key = hex(&Sha256::digest(PDF));
        let final_path = attachments.local_path(&key).unwrap();
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
        let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
        let mut upload = Body::from_stream(stream);
        let task = {
            let attachments = attachments.clone();
            tokio::spawn(async move { attachments.stage(&mut upload).await })
        };
        tx.send(Ok(Bytes::from_static(&PDF[..10]))).await.unwrap();
        // Wait until the upload is under way: its temporary file exists.
        let staging = attachments.staging_dir().to_owned();
        for _ in 0..500 {
            if !files(&staging).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(!final_path.exists(), "a half-written upload is never under its final name");
        assert_eq!(files(&staging).len(), 1, "it is a temporary file in the staging directory");
        tx.send(Ok(Bytes::from_static(&PDF[10..]))).await.unwrap();
        drop(tx);
        let staged = task.await.unwrap().unwrap();
        assert!(!final_path.exists(), "staged, but not yet committed");
        attachments.commit(staged).await.unwrap();
        assert_eq!(std::fs::read(&final_path).unwrap(), PDF);
        assert!(files(&staging).is_empty());
    }

    #[tokio::test]
    async fn a_write_error_never_leaves_a_file_under_the_final_name() {
        let dir = tempfile::tempdir().unwrap();
        let attachments = storage(dir.path(), 1024);
        let staged = attachments.stage(&mut body(vec![Ok(PDF)])).await.unwrap();
        let key = staged.sha256.clone();
        // The fan-out directory cannot be created: a plain file is in its way.
        std::fs::write(dir.path().join(&key[..2]), b"in the way").unwrap();
        let err = attachments.commit(staged).await.unwrap_err();
        assert!(matches!(err, StorageError::Io { .. }), "{err:?}");
        assert!(attachments.open_blob(&key).await.is_err());
        assert!(files(attachments.staging_dir()).is_empty(), "the temporary file is removed");
    }

    #[test]
    fn stale_temporary_files_are_removed_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join("tmp");
        std::fs::create_dir_all(&staging).unwrap();
        let old = staging.join("old.part");
        let fresh = staging.join("fresh.part");
        std::fs::write(&old, b"%PDF-half").unwrap();
        std::fs::write(&fresh, b"%PDF-in-flight").unwrap();
        let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 24 * 60 * 60);
        std::fs::File::options().write(true).open(&old).unwrap().set_modified(two_days_ago).unwrap();
        storage(dir.path(), 1024);
        assert!(!old.exists(), "a crash's leftover is removed");
        assert!(fresh.exists(), "an upload that may still be running is kept");
    }

    #[test]
    fn keys_must_be_hex_sha256() {
        let key = hex(&Sha256::digest(b"x"));
        assert!(is_key(&key));
        assert!(!is_key("../../etc/passwd"));
        assert!(!is_key(&key.to_uppercase()));
        assert!(!is_key(&key[1..]));
        let dir = tempfile::tempdir().unwrap();
        assert!(storage(dir.path(), 1).local_path("../x").is_none());
    }

    #[test]
    fn configuration_from_the_environment() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let config = AttachmentsConfig::from_vars("sqlite://foi-data/foi.db", vars(&[])).unwrap();
        assert_eq!(config, AttachmentsConfig::local("foi-data/attachments"));
        let config = AttachmentsConfig::from_vars("sqlite:///var/lib/foi/foi.db?mode=rwc", vars(&[])).unwrap();
        assert_eq!(config.location, Location::Dir("/var/lib/foi/attachments".into()));
        let config = AttachmentsConfig::from_vars("postgres://db/foi", vars(&[])).unwrap();
        assert_eq!(config.location, Location::Dir(DEFAULT_DIR.into()));
        let config = AttachmentsConfig::from_vars(
            "postgres://db/foi",
            vars(&[(DIR_ENV, "/srv/foi/files"), (MAX_BYTES_ENV, "1048576")]),
        )
        .unwrap();
        assert_eq!(config, AttachmentsConfig { location: Location::Dir("/srv/foi/files".into()), max_bytes: 1 << 20 });
        let config = AttachmentsConfig::from_vars("x", vars(&[(URL_ENV, "s3://bucket/foi")])).unwrap();
        assert_eq!(config.location, Location::S3("s3://bucket/foi".into()));

        let err = |pairs| AttachmentsConfig::from_vars("x", vars(pairs)).unwrap_err().to_string();
        assert!(err(&[(MAX_BYTES_ENV, "20MB")]).contains("whole number of bytes"));
        assert!(err(&[(MAX_BYTES_ENV, "0")]).contains("whole number of bytes"));
        assert!(err(&[(URL_ENV, "gs://bucket")]).contains("unsupported scheme \"gs\""));
        assert!(err(&[(URL_ENV, "s3://b"), (DIR_ENV, "/x")]).contains("both set"));
    }

    #[test]
    fn an_s3_url_without_the_feature_says_how_to_build_it() {
        let message = without_s3("s3://bucket/foi").to_string();
        assert!(message.contains("--features s3"), "{message}");
        // Without the feature, opening an s3:// location is that error.
        #[cfg(not(feature = "s3"))]
        {
            let config = AttachmentsConfig { location: Location::S3("s3://bucket/foi".into()), max_bytes: 1 };
            assert_eq!(Attachments::open(&config).unwrap_err().to_string(), message);
        }
    }
}
