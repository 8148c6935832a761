//! Hand-written SQL for what the query builder does not express (recursive CTEs,
//! `UPDATE … RETURNING` arithmetic), written once with `?` placeholders.

use sea_orm::{ColumnTrait, Condition, DbBackend, Statement, Value};
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// Builds a statement from SQL written with `?` placeholders, numbering them `$1, $2, …`
/// for PostgreSQL. The SQL given here never contains a literal `?`. Public for the
/// benchmarks, which bulk-load cases with hand-written SQL ([`crate::raw_statement`]).
pub fn stmt<I>(backend: DbBackend, sql: &str, values: I) -> Statement
where
    I: IntoIterator<Item = Value>,
{
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for ch in sql.chars() {
                if ch == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(ch);
                }
            }
            out
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `n` placeholders for an `IN (…)` list: `?, ?, ?`.
pub(crate) fn list(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Normalises an instant for storage: UTC (so that SQLite's text form sorts and compares
/// correctly) and whole microseconds (PostgreSQL's precision, so a value reads back equal
/// to what was written on both backends).
pub(crate) fn instant(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(UtcOffset::UTC);
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.replace_nanosecond(micros).expect("a truncated nanosecond is in range")
}

/// The current instant, normalised like [`instant`].
pub(crate) fn now() -> OffsetDateTime {
    instant(OffsetDateTime::now_utc())
}

/// The text form of a keyset position (an instant and an id, as list cursors hold them):
/// `<microseconds since 1970>_<id>`.
pub(crate) fn encode_position(at: OffsetDateTime, id: Uuid) -> String {
    format!("{}_{}", at.unix_timestamp_nanos() / 1_000, id.simple())
}

/// Reads [`encode_position`]'s form; `None` for anything else.
pub(crate) fn decode_position(text: &str) -> Option<(OffsetDateTime, Uuid)> {
    let (micros, id) = text.split_once('_')?;
    let micros: i128 = micros.parse().ok()?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(micros.checked_mul(1_000)?).ok()?;
    Some((at, Uuid::parse_str(id).ok()?))
}

/// The rows after the position `(at, id)` in a list ordered by `(at_column, id_column)`,
/// ascending or (`descending`) newest first.
pub(crate) fn after_position<C: ColumnTrait>(
    at_column: C,
    id_column: C,
    at: OffsetDateTime,
    id: Uuid,
    descending: bool,
) -> Condition {
    let at = instant(at);
    let (beyond_at, beyond_id) =
        if descending { (at_column.lt(at), id_column.lt(id)) } else { (at_column.gt(at), id_column.gt(id)) };
    Condition::any().add(beyond_at).add(Condition::all().add(at_column.eq(at)).add(beyond_id))
}
