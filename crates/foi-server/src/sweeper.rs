//! The background deadline sweep of `foi serve` (every `--sweep-interval` seconds), and one
//! sweep as `foi sweep` runs it.
//!
//! The sweep itself is [`foi_store::Store::sweep`]. After each run the cases it changed go
//! to the clerks' live queue ([`QueueFeed::publish_change`]); on PostgreSQL the database
//! already announced them and the feed ignores the call. Only counts are logged: never a
//! name or any other personal data.

use std::time::Duration;

use foi_api::notifications::QueueFeed;
use foi_store::{Store, StoreError, SweepReport};
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a stopping `foi serve` waits for a sweep in progress to finish its case; after
/// that the sweep is dropped (the case in hand rolls back and is swept next time).
const STOP_GRACE: Duration = Duration::from_secs(30);

/// One sweep as of `now`, with the calendar as the database holds it now.
pub async fn sweep_once(store: &Store, now: OffsetDateTime) -> Result<SweepReport, StoreError> {
    // Loaded every time: a calendar year loaded through the API counts from the next sweep.
    let calendar = store.load_calendar().await?;
    store.sweep(&calendar, now).await
}

/// One sweep as of `now`, then the cases it changed published to `feed` (what the background
/// sweep does at each interval).
pub async fn sweep_and_publish(
    store: &Store,
    now: OffsetDateTime,
    feed: &QueueFeed,
) -> Result<SweepReport, StoreError> {
    let report = sweep_once(store, now).await?;
    for change in &report.changed {
        feed.publish_change(change);
    }
    Ok(report)
}

fn log_report(report: &SweepReport) {
    let noteworthy = report.changed_anything() || report.refused + report.failed + report.provisional > 0;
    macro_rules! emit {
        ($level:ident) => {
            tracing::$level!(
                today = %report.today,
                examined = report.examined,
                corrections_lapsed = report.corrections_lapsed,
                fees_lapsed = report.fees_lapsed,
                consultations_closed = report.consultations_closed,
                marked_due_soon = report.marked_due_soon,
                marked_overdue = report.marked_overdue,
                marks_cleared = report.marks_cleared,
                skipped_locked = report.skipped_locked,
                provisional = report.provisional,
                refused = report.refused,
                failed = report.failed,
                "deadline sweep"
            )
        };
    }
    if report.failed > 0 {
        emit!(warn);
    } else if noteworthy {
        emit!(info);
    } else {
        emit!(debug);
    }
}

/// The background sweep of `foi serve`.
pub struct BackgroundSweep {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl BackgroundSweep {
    /// Sweeps now, then every `every`, until [`BackgroundSweep::stop`]; publishes the cases
    /// each sweep changed to `feed`.
    pub fn start(store: Store, every: Duration, feed: QueueFeed) -> BackgroundSweep {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            // After a long sweep, wait a full interval rather than catching up in a burst.
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    biased;
                    _ = stopped.changed() => break,
                    _ = ticks.tick() => {}
                }
                match sweep_and_publish(&store, OffsetDateTime::now_utc(), &feed).await {
                    Ok(report) => {
                        crate::metrics::record_sweep(Ok(report.changed.len()));
                        log_report(&report);
                    }
                    Err(e) => {
                        crate::metrics::record_sweep(Err(()));
                        tracing::warn!(error = %e, "deadline sweep failed; retrying at the next interval");
                    }
                }
            }
        });
        BackgroundSweep { stop, task }
    }

    /// Stops sweeping: lets a sweep in progress finish (for at most [`STOP_GRACE`]).
    pub async fn stop(self) {
        self.stop.send(true).ok();
        let mut task = self.task;
        if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
            tracing::warn!("the deadline sweep is still running after {STOP_GRACE:?}: stopping it");
            task.abort();
        }
    }
}
