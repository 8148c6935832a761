//! The outbox sender of `foi serve`: e-mails the applicants' notifications over SMTP.
//!
//! It runs when `FOI_SMTP_URL` (`smtp://host:port`, `smtp://user:pass@host:587?tls=required`,
//! `smtps://user:pass@host`) and `FOI_SMTP_FROM` (`政务公开办 <foi@example.gov.cn>`) are both
//! set. Without them nothing is sent: the notifications stay pending in the outbox and are
//! shown in the applicants' notification lists all the same; they are sent once a mail
//! server is configured.
//!
//! Each round it claims a batch of due notifications with a lease
//! ([`foi_store::Store::claim_notifications`]), sends each as its own message, and marks it
//! sent as soon as the server has accepted it (`250` after `DATA`), or failed: a transient
//! failure is retried with exponential backoff ([`Backoff`]), a permanent refusal (`5xx`) or
//! the last attempt gives up.
//!
//! **The guarantee, exactly.** Delivery to the mail server is *at least once*:
//!
//! - nothing is lost: a notification is written with its event, and it stays pending until
//!   the server accepted it. A sender that crashes (or is killed, or loses the database)
//!   holding a lease leaves its rows pending; once the lease has run out, this or another
//!   replica claims them again;
//! - duplicates are possible in one window only: the server accepted the message but the
//!   sender died (or the database failed) before `mark sent` committed. The message is then
//!   sent again after the lease. Every attempt carries the same `Message-ID`
//!   (`<notification-<outbox id>@<sender's domain>>`), so the second copy is recognisably the
//!   same message; whether the recipient's system folds it is up to that system.
//! - two replicas never send the same row at the same time: a claim takes rows under a
//!   lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), and a sender stops before its lease
//!   could run out mid-send.
//!
//! The log carries notification ids, counts and SMTP status codes only: never an address, a
//! subject, a body or the server's text (which may quote the address).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use foi_domain::clock::Clock;
use foi_store::outbox::{Backoff, FailureOutcome, Notification};
use foi_store::{Store, StoreError};
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use time::Duration;

/// The environment variable with the mail server's URL.
pub const SMTP_URL_ENV: &str = "FOI_SMTP_URL";
/// The environment variable with the sender's address.
pub const SMTP_FROM_ENV: &str = "FOI_SMTP_FROM";

/// Why the sender cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    /// Only one of the two variables is set.
    #[error("set both {SMTP_URL_ENV} and {SMTP_FROM_ENV} to send e-mail, or neither")]
    Incomplete,
    /// The URL is not one lettre understands (the message never repeats the URL: it may
    /// hold a password).
    #[error(
        "{SMTP_URL_ENV} is not a usable SMTP URL ({reason}); use smtp://HOST:PORT, \
         smtp://USER:PASS@HOST:587?tls=required or smtps://USER:PASS@HOST"
    )]
    Url { reason: String },
    /// The sender's address does not parse.
    #[error("{SMTP_FROM_ENV} is not an e-mail address ({reason}); e.g. `政务公开办 <foi@example.gov.cn>`")]
    From { reason: String },
}

/// How the sender works. [`MailerConfig::new`] gives the defaults.
#[derive(Clone)]
pub struct MailerConfig {
    /// The mail server (may hold a password: never shown).
    smtp_url: String,
    /// The sender.
    pub from: Mailbox,
    /// How long to wait when there is nothing to send.
    pub poll_interval: StdDuration,
    /// Notifications claimed per round.
    pub batch: u64,
    /// How long one SMTP command may take.
    pub smtp_timeout: StdDuration,
    /// Retries of failed deliveries.
    pub backoff: Backoff,
}

impl std::fmt::Debug for MailerConfig {
    // Never the URL (a password) or the sender's address.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailerConfig")
            .field("poll_interval", &self.poll_interval)
            .field("batch", &self.batch)
            .field("smtp_timeout", &self.smtp_timeout)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

impl MailerConfig {
    /// The defaults: poll every 5 s, 10 per round, 30 s per SMTP command, [`Backoff`]'s.
    pub fn new(smtp_url: &str, from: &str) -> Result<MailerConfig, MailerError> {
        let from = from.trim().parse::<Mailbox>().map_err(|e| MailerError::From { reason: e.to_string() })?;
        // Checked now, so that a bad URL stops `foi serve` at start rather than every round.
        AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.trim())
            .map_err(|e| MailerError::Url { reason: e.to_string() })?;
        Ok(MailerConfig {
            smtp_url: smtp_url.trim().to_owned(),
            from,
            poll_interval: StdDuration::from_secs(5),
            batch: 10,
            smtp_timeout: StdDuration::from_secs(30),
            backoff: Backoff::default(),
        })
    }

    /// From [`SMTP_URL_ENV`] and [`SMTP_FROM_ENV`]: `None` if neither is set.
    pub fn from_env() -> Result<Option<MailerConfig>, MailerError> {
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (get(SMTP_URL_ENV), get(SMTP_FROM_ENV)) {
            (None, None) => Ok(None),
            (Some(url), Some(from)) => MailerConfig::new(&url, &from).map(Some),
            _ => Err(MailerError::Incomplete),
        }
    }

    /// The lease a round takes: long enough to send the whole batch with every command at
    /// its timeout (a message is a handful of commands), plus a minute.
    pub fn lease(&self) -> Duration {
        let per_message = self.smtp_timeout.saturating_mul(6);
        let whole = per_message.saturating_mul(u32::try_from(self.batch).unwrap_or(u32::MAX));
        Duration::try_from(whole).unwrap_or(Duration::hours(1)) + Duration::minutes(1)
    }
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// Notifications claimed.
    pub claimed: usize,
    /// Accepted by the mail server and marked sent.
    pub sent: usize,
    /// Failed, to be retried later.
    pub retrying: usize,
    /// Failed for good.
    pub gave_up: usize,
    /// Left unsent because the lease was running out; claimed again after it.
    pub left: usize,
}

/// The sender.
pub struct Mailer {
    store: Store,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    config: MailerConfig,
    clock: Arc<dyn Clock>,
}

impl Mailer {
    /// A sender over `store` with `config`, reading time from `clock`.
    pub fn new(store: Store, config: MailerConfig, clock: Arc<dyn Clock>) -> Result<Mailer, MailerError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| MailerError::Url { reason: e.to_string() })?
            .timeout(Some(config.smtp_timeout))
            .build();
        Ok(Mailer { store, transport, config, clock })
    }

    /// One round: claims a batch of due notifications and sends them one by one.
    pub async fn run_once(&self) -> Result<Round, StoreError> {
        let lease = self.config.lease();
        let claimed = self.store.claim_notifications(self.clock.now(), lease, self.config.batch).await?;
        let mut round = Round { claimed: claimed.len(), ..Round::default() };
        for notification in claimed {
            // Stop while a whole message still fits in the lease: past it, another sender
            // may already have claimed the row.
            let margin = Duration::try_from(self.config.smtp_timeout.saturating_mul(6)).unwrap_or(Duration::minutes(3));
            if notification.claimed_until.is_none_or(|until| self.clock.now() + margin >= until) {
                round.left += 1;
                continue;
            }
            self.deliver(&notification, &mut round).await?;
        }
        Ok(round)
    }

    async fn deliver(&self, notification: &Notification, round: &mut Round) -> Result<(), StoreError> {
        let id = notification.id;
        let message = match self.message(notification) {
            Ok(message) => message,
            Err(reason) => {
                // An address that cannot be written to will not improve with retries.
                self.store.mark_notification_failed(id, self.clock.now(), &reason, true, &self.config.backoff).await?;
                tracing::warn!(notification = %id, "notification not e-mailed: its address is not usable");
                round.gave_up += 1;
                return Ok(());
            }
        };
        match self.transport.send(message).await {
            Ok(_) => {
                // Marked at once: the window for a duplicate is this one statement.
                self.store.mark_notification_sent(id, self.clock.now()).await?;
                tracing::info!(notification = %id, "notification e-mailed");
                round.sent += 1;
            }
            Err(e) => {
                let permanent = e.is_permanent();
                let code = e.status().map(|c| c.to_string());
                let failed = self
                    .store
                    .mark_notification_failed(id, self.clock.now(), &e.to_string(), permanent, &self.config.backoff)
                    .await?;
                match failed {
                    FailureOutcome::RetryAt(at) => {
                        round.retrying += 1;
                        tracing::warn!(notification = %id, smtp_code = ?code, attempts = notification.attempts + 1,
                            retry_at = %at, "notification e-mail failed; will retry");
                    }
                    FailureOutcome::GaveUp => {
                        round.gave_up += 1;
                        tracing::error!(notification = %id, smtp_code = ?code, attempts = notification.attempts + 1,
                            "notification e-mail failed for good");
                    }
                    FailureOutcome::NotPending => {}
                }
            }
        }
        Ok(())
    }

    /// The e-mail of `notification`; `Err` if its address is unusable.
    fn message(&self, notification: &Notification) -> Result<Message, String> {
        let to = notification.email.as_deref().ok_or("no address")?;
        let to = to.parse::<Mailbox>().map_err(|e| format!("invalid address: {e}"))?;
        Message::builder()
            .message_id(Some(message_id(notification.id, &self.config.from)))
            .from(self.config.from.clone())
            .to(to)
            .subject(notification.subject.clone())
            .date(self.clock.now().into())
            .header(ContentType::TEXT_PLAIN)
            .body(notification.body.clone())
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    /// Runs rounds until `shutdown` completes (a round in progress is finished first):
    /// straight on while there is more to send, otherwise every poll interval.
    pub async fn run<F: Future<Output = ()>>(self, shutdown: F) {
        let mut shutdown = std::pin::pin!(shutdown);
        tracing::info!("e-mail notifications on");
        loop {
            let wait = match self.run_once().await {
                Ok(round) => {
                    if round.claimed > 0 {
                        tracing::info!(
                            claimed = round.claimed,
                            sent = round.sent,
                            retrying = round.retrying,
                            gave_up = round.gave_up,
                            left = round.left,
                            "notification round"
                        );
                    }
                    if round.claimed as u64 == self.config.batch && round.left == 0 {
                        StdDuration::ZERO
                    } else {
                        self.config.poll_interval
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %crate::db::error_chain(&e), "notification round failed; retrying later");
                    self.config.poll_interval
                }
            };
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::info!("e-mail notifications stopped");
    }
}

/// A [`Mailer`] running on its own task beside the server.
pub struct BackgroundMailer {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl BackgroundMailer {
    /// Starts `mailer` on a task of its own.
    pub fn start(mailer: Mailer) -> BackgroundMailer {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(mailer.run(async {
            stopped.await.ok();
        }));
        BackgroundMailer { stop, task }
    }

    /// Lets the round in progress finish (at most `grace`), then stops. A message cut off
    /// here is not lost: its lease runs out and it is sent again.
    pub async fn stop(self, grace: StdDuration) {
        self.stop.send(()).ok();
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            tracing::warn!("the e-mail round did not finish within {grace:?}: stopping it");
            task.abort();
        }
    }
}

/// The `Message-ID` of every attempt to send one notification: the same each time, so a
/// resend is recognisably the same message.
pub fn message_id(id: foi_store::Uuid, from: &Mailbox) -> String {
    format!("<notification-{}@{}>", id.simple(), from.email.domain())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_needs_both_variables_and_hides_the_url() {
        let config =
            MailerConfig::new("smtps://user:hunter2@smtp.example.cn", "政务公开办 <foi@example.gov.cn>").unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(matches!(MailerConfig::new("http://x", "a@b.cn"), Err(MailerError::Url { .. })));
        assert!(matches!(MailerConfig::new("smtp://127.0.0.1:2525", "not an address"), Err(MailerError::From { .. })));
        let err = MailerConfig::new("smtps://user:hunter2@:465", "a@b.cn").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn message_ids_are_stable_per_notification() {
        let from: Mailbox = "foi@example.gov.cn".parse().unwrap();
        let id = foi_store::Uuid::parse_str("0192f0c8-7c1e-7000-8000-000000000001").unwrap();
        assert_eq!(message_id(id, &from), "<notification-0192f0c87c1e70008000000000000001@example.gov.cn>");
        assert_eq!(message_id(id, &from), message_id(id, &from));
    }
}
