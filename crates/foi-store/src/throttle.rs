//! Throttle entries: failure counts per login, per client address and per registering
//! address, kept in the database so that every replica sees the same counts.
//!
//! The store only counts and remembers; the API decides what a count means (how many
//! failures are free, how long a lock lasts). The key is given by the caller and must not be
//! personal data in clear: the API hashes logins with SHA-256 before they get here.
//!
//! A count is one upsert (`INSERT … ON CONFLICT … DO UPDATE … RETURNING`), the same SQL on
//! both backends, so concurrent failures never lose an increment: on PostgreSQL the
//! conflicting insert waits for the row's lock and updates the latest version; on SQLite the
//! write transaction holds the database's write lock. The lock that the count earns is
//! written in the same transaction, so a concurrent attempt waits for it and then sees it.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use time::{Duration, OffsetDateTime};

use crate::entities::throttle_entries;
use crate::{Store, StoreError, sql};

/// What a throttle entry counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ThrottleKind {
    /// Failed sign-ins for one login (keyed by the SHA-256 of the normalised login).
    Login,
    /// Failed sign-ins from one client address.
    Address,
    /// Registration attempts from one client address (every attempt counts).
    Registration,
}

impl ThrottleKind {
    /// The value stored in `throttle_entries.kind`.
    pub fn code(self) -> &'static str {
        match self {
            ThrottleKind::Login => "login",
            ThrottleKind::Address => "address",
            ThrottleKind::Registration => "register",
        }
    }
}

/// One throttle entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleEntry {
    /// Failures counted since [`ThrottleEntry::first_failure_at`].
    pub failures: i64,
    /// When the current count started.
    pub first_failure_at: OffsetDateTime,
    /// The latest failure counted.
    pub last_failure_at: OffsetDateTime,
    /// Attempts before this instant are refused; `None` if never locked.
    pub locked_until: Option<OffsetDateTime>,
}

impl ThrottleEntry {
    /// The lock in force at `now`, if any.
    pub fn locked_at(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        self.locked_until.filter(|until| *until > now)
    }
}

impl From<throttle_entries::Model> for ThrottleEntry {
    fn from(m: throttle_entries::Model) -> Self {
        ThrottleEntry {
            failures: m.failures,
            first_failure_at: m.first_failure_at,
            last_failure_at: m.last_failure_at,
            locked_until: m.locked_until,
        }
    }
}

/// When a count starts again from one instead of going on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reset {
    /// After this long without a failure (the policy's `forget_after_secs`).
    pub after_idle: Duration,
    /// After this long since the count started, however busy (a fixed window, e.g. one hour
    /// of registrations); `None` for no window.
    pub after_span: Option<Duration>,
}

/// The outcome of [`Store::count_failure`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Counted {
    /// Counted; the entry after the count, with the lock it earned.
    Counted(ThrottleEntry),
    /// Not counted: the entry is locked until this instant and the caller asked to be
    /// refused while it is.
    Locked(OffsetDateTime),
}

impl Store {
    /// Counts one failure of `kind`/`key` at `now` and writes the lock that `lock` computes
    /// from the new count (a lock never shortens one already in force), in one transaction.
    ///
    /// With `refuse_while_locked`, an entry locked at `now` is left unchanged and
    /// [`Counted::Locked`] is returned: the check and the count are one statement, so
    /// concurrent attempts cannot all slip in before the first of them locks the entry.
    ///
    /// A fresh count (a new key, or one reset by `reset`) then deletes the entries idle for
    /// longer than `reset.after_idle` and not locked, so the table holds only live entries.
    pub async fn count_failure<F>(
        &self,
        kind: ThrottleKind,
        key: &str,
        now: OffsetDateTime,
        reset: Reset,
        refuse_while_locked: bool,
        lock: F,
    ) -> Result<Counted, StoreError>
    where
        F: FnOnce(&ThrottleEntry) -> Option<OffsetDateTime> + Send,
    {
        let now = sql::instant(now);
        let idle_before = sql::instant(now - reset.after_idle);
        // No window: a start before any stored instant never triggers a reset.
        let started_before = reset.after_span.map_or(OffsetDateTime::UNIX_EPOCH, |span| sql::instant(now - span));
        let reset_when = "(throttle_entries.last_failure_at < ? OR throttle_entries.first_failure_at < ?)";
        let unless_locked = if refuse_while_locked {
            " WHERE throttle_entries.locked_until IS NULL OR throttle_entries.locked_until <= ?"
        } else {
            ""
        };
        let text = format!(
            "INSERT INTO throttle_entries (kind, key, failures, first_failure_at, last_failure_at, locked_until) \
             VALUES (?, ?, 1, ?, ?, NULL) \
             ON CONFLICT (kind, key) DO UPDATE SET \
             failures = CASE WHEN {reset_when} THEN 1 ELSE throttle_entries.failures + 1 END, \
             first_failure_at = CASE WHEN {reset_when} THEN excluded.first_failure_at \
             ELSE throttle_entries.first_failure_at END, \
             last_failure_at = excluded.last_failure_at\
             {unless_locked} \
             RETURNING *"
        );
        let mut values = vec![
            kind.code().into(),
            key.into(),
            now.into(),
            now.into(),
            idle_before.into(),
            started_before.into(),
            idle_before.into(),
            started_before.into(),
        ];
        if refuse_while_locked {
            values.push(now.into());
        }
        let backend = self.db.get_database_backend();
        let txn = self.begin().await?;
        let result: Result<Counted, StoreError> = async {
            let counted = throttle_entries::Entity::find()
                .from_raw_sql(sql::stmt(backend, &text, values))
                .one(&txn.inner)
                .await?;
            let Some(counted) = counted else {
                // Locked: the upsert's condition refused it. Read the lock to report it.
                let entry = get(&txn.inner, kind, key).await?;
                let until = entry.and_then(|e| e.locked_until).unwrap_or(now);
                return Ok(Counted::Locked(until));
            };
            let mut entry = ThrottleEntry::from(counted);
            if let Some(until) = lock(&entry).map(sql::instant)
                && entry.locked_until.is_none_or(|current| until > current)
            {
                txn.inner
                    .execute_raw(sql::stmt(
                        backend,
                        "UPDATE throttle_entries SET locked_until = ? WHERE kind = ? AND key = ?",
                        [until.into(), kind.code().into(), key.into()],
                    ))
                    .await?;
                entry.locked_until = Some(until);
            }
            Ok(Counted::Counted(entry))
        }
        .await;
        let counted = txn.finish(result).await?;
        if matches!(&counted, Counted::Counted(entry) if entry.failures == 1) {
            // Housekeeping, after the commit and in its own statement, so that it never
            // holds the count's row lock while it waits for others (two purging counts
            // could deadlock); a failed purge is retried by the next fresh count.
            if let Err(e) = purge(&self.db, idle_before, now).await {
                log::debug!("purging idle throttle entries failed: {e}");
            }
        }
        Ok(counted)
    }

    /// The entry of `kind`/`key`, if there is one.
    pub async fn throttle_entry(&self, kind: ThrottleKind, key: &str) -> Result<Option<ThrottleEntry>, StoreError> {
        get(&self.db, kind, key).await
    }

    /// Forgets the entry of `kind`/`key` (a successful sign-in clears its login's failures);
    /// `false` if there was none.
    pub async fn clear_throttle(&self, kind: ThrottleKind, key: &str) -> Result<bool, StoreError> {
        let result = throttle_entries::Entity::delete_many()
            .filter(throttle_entries::Column::Kind.eq(kind.code()))
            .filter(throttle_entries::Column::Key.eq(key))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }

    /// Deletes the entries whose last failure was before `idle_before` and that are not
    /// locked at `now`; how many.
    pub async fn purge_throttles(&self, idle_before: OffsetDateTime, now: OffsetDateTime) -> Result<u64, StoreError> {
        purge(&self.db, sql::instant(idle_before), sql::instant(now)).await
    }
}

async fn get<C: ConnectionTrait>(c: &C, kind: ThrottleKind, key: &str) -> Result<Option<ThrottleEntry>, StoreError> {
    Ok(throttle_entries::Entity::find()
        .filter(throttle_entries::Column::Kind.eq(kind.code()))
        .filter(throttle_entries::Column::Key.eq(key))
        .one(c)
        .await?
        .map(ThrottleEntry::from))
}

async fn purge<C: ConnectionTrait>(c: &C, idle_before: OffsetDateTime, now: OffsetDateTime) -> Result<u64, StoreError> {
    let result = throttle_entries::Entity::delete_many()
        .filter(throttle_entries::Column::LastFailureAt.lt(idle_before))
        .filter(
            sea_orm::Condition::any()
                .add(throttle_entries::Column::LockedUntil.is_null())
                .add(throttle_entries::Column::LockedUntil.lte(now)),
        )
        .exec(c)
        .await?;
    Ok(result.rows_affected)
}
