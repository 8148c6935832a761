//! The official working-day calendar (工作日历).
//!
//! Every statutory limit in the Regulations counts *working days* (Reg. 33: 工作日). Which
//! days those are is not a rule that can be derived: each year the State Council General
//! Office publishes a notice (国务院办公厅关于部分节假日安排的通知) naming the official
//! days off and the weekend days that become working days (调休上班), and it has changed
//! the pattern from one year to the next (2026 broke 2025's) and amended notices during
//! their year (2019 Labour Day; the 2020 Spring Festival extension to 2 February).
//!
//! So the calendar is *data*: one [`YearNotice`] per year, in the same JSON shape as
//! `shared/calendar/cn-official-holidays.json`, bundled for 2018–2026 and extendable at run
//! time. Guarantees:
//! - the union of all loaded notices applies (the 2019 notice reaches back into 2018-12-29);
//! - a year ≥ 2018 without a loaded notice is counted on the *provisional* calendar
//!   ([`provisional`]: weekends plus the statutory holidays of 全国年节及纪念日放假办法, no
//!   make-up days), and every count that used it names the years ([`Counted`]), so nothing
//!   provisional is ever taken for final; the strict queries ([`Calendar::day`],
//!   [`Calendar::add_working_days`], …) accept loaded years only;
//! - a date no rule covers (before 2018, after the provisional table) is an error
//!   ([`CalendarError::UnknownYear`]), never silently treated as "weekends only";
//! - every calendar has a [`CalendarVersion`] derived from its content, so a deadline can
//!   say which version of the notices it was computed with.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

pub mod provisional;

/// The notices for 2018–2026, byte for byte as in `shared/calendar/cn-official-holidays.json`.
pub const BUNDLED_JSON: &str = include_str!("../data/cn-official-holidays.json");

/// One year's State Council holiday notice (节假日安排通知), as data.
///
/// `all_off_days` and `makeup_workdays` are authoritative; `by_holiday` only names the days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearNotice {
    /// Where the notice (and any amendment) was published.
    #[serde(default)]
    pub notice_urls: Vec<String>,
    /// Every official day off (放假), weekend days inside a holiday block included.
    pub all_off_days: Vec<Date>,
    /// The days off that fall on Monday to Friday (redundant; checked when present).
    #[serde(default)]
    pub weekday_off_days: Vec<Date>,
    /// Weekend days declared working days (调休上班).
    pub makeup_workdays: Vec<Date>,
    /// The same days grouped by holiday name (元旦, 春节, …), used to explain a count.
    #[serde(default)]
    pub by_holiday: BTreeMap<String, HolidayDays>,
}

/// The days off and make-up working days of one named holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayDays {
    /// Official days off of this holiday.
    #[serde(default)]
    pub off: Vec<Date>,
    /// Working days the notice names for this holiday (make-up days, and sometimes the
    /// first day back).
    #[serde(default)]
    pub work: Vec<Date>,
}

/// What kind of day a date is, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind<'a> {
    /// An ordinary Monday to Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// An official day off (放假), named by its holiday.
    Holiday(&'a str),
    /// A weekend day declared a working day (调休上班), named by the holiday it makes up for.
    MakeupWorkday(&'a str),
    /// On the provisional calendar of a year without a notice: a statutory day off of
    /// 全国年节及纪念日放假办法, named by its holiday.
    StatutoryHoliday(&'static str),
}

impl DayKind<'_> {
    /// Whether the day counts as a working day (工作日).
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday(_))
    }
}

impl fmt::Display for DayKind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DayKind::Workday => f.write_str("working day"),
            DayKind::Weekend => f.write_str("weekend"),
            DayKind::Holiday(name) => write!(f, "official day off, {name}"),
            DayKind::MakeupWorkday(name) => write!(f, "make-up working day for {name} (调休上班)"),
            DayKind::StatutoryHoliday(name) => write!(f, "statutory day off, {name} (全国年节及纪念日放假办法)"),
        }
    }
}

/// Identifies the exact set of notices a calendar holds: the years and a content hash.
///
/// Two calendars with the same version count every date the same way; loading an amended
/// notice changes the version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CalendarVersion(String);

impl CalendarVersion {
    /// The version as text, e.g. `2018-2026@9c4f0e2a1b3d5f60`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CalendarVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a calendar could not be built or could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The date lies in a year for which no holiday notice is loaded (and, for the counts
    /// that accept it, which the provisional calendar does not cover either).
    #[error(
        "calendar unknown: no State Council holiday notice is loaded for {year} (needed for {date}); \
         loaded years: {loaded}; the provisional calendar covers {first}-{last}. Load that year's notice \
         before counting working days in it", first = provisional::FIRST_YEAR, last = provisional::LAST_YEAR
    )]
    UnknownYear {
        /// The year without a notice.
        year: i32,
        /// The date that needed it.
        date: Date,
        /// The years that are loaded, e.g. `2018-2026`.
        loaded: String,
    },
    /// The notice data is not valid JSON of the expected shape.
    #[error("calendar data is not valid: {0}")]
    Malformed(String),
    /// The notice contradicts itself or another loaded notice.
    #[error("calendar notice for {year} is inconsistent: {detail}")]
    Inconsistent {
        /// The year of the offending notice.
        year: i32,
        /// What is wrong, naming the date.
        detail: String,
    },
    /// The count ran past the dates this library can represent.
    #[error("date out of range while counting from {from}")]
    OutOfRange {
        /// Where the count started.
        from: Date,
    },
}

/// A special day and the name of its holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Special {
    Off(String),
    Makeup(String),
}

/// The working-day calendar: the union of every loaded [`YearNotice`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    notices: BTreeMap<i32, YearNotice>,
    days: BTreeMap<Date, Special>,
    /// The statutory days off of every year the provisional table covers and no notice does.
    statutory: BTreeMap<Date, &'static str>,
    version: CalendarVersion,
}

/// The result of a count that may run on the provisional calendar (see [`Calendar::count`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// The resulting date.
    pub date: Date,
    /// Years without a loaded notice that the count passed through, counted on the
    /// provisional calendar. Empty means the result is final.
    pub provisional_years: BTreeSet<i32>,
}

/// How many days `d` with `from < d <= to` `working` says are working days, asking it of each
/// day in order (its first error ends the count).
fn days_between(
    from: Date,
    to: Date,
    mut working: impl FnMut(Date) -> Result<bool, CalendarError>,
) -> Result<u32, CalendarError> {
    let mut count = 0;
    let mut date = from;
    while date < to {
        date = next_day(date, from)?;
        if working(date)? {
            count += 1;
        }
    }
    Ok(count)
}

/// One day of an explained count (see [`Calendar::explain`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedDay {
    /// The date.
    pub date: Date,
    /// Why it was counted or passed over.
    pub kind: String,
    /// `Some(n)` when this day is the n-th working day counted; `None` when passed over.
    pub counted: Option<u32>,
    /// Whether the day lies in a year counted on the provisional calendar.
    pub provisional: bool,
}

impl Calendar {
    /// The bundled calendar for 2018–2026.
    pub fn bundled() -> Calendar {
        // The bundled data is part of the program and checked by the tests below; failing
        // here would be a build defect, not bad user input.
        Calendar::from_json(BUNDLED_JSON).expect("bundled calendar data is valid")
    }

    /// A calendar with no notices at all: every date is "calendar unknown".
    pub fn empty() -> Calendar {
        Calendar::from_notices(BTreeMap::new()).expect("an empty calendar is consistent")
    }

    /// Builds a calendar from JSON of the shape `{"2026": {YearNotice}, …}`.
    pub fn from_json(json: &str) -> Result<Calendar, CalendarError> {
        Calendar::from_notices(parse_notices(json)?)
    }

    /// Builds a calendar from notices keyed by year.
    pub fn from_notices(notices: BTreeMap<i32, YearNotice>) -> Result<Calendar, CalendarError> {
        let mut days = BTreeMap::new();
        for (&year, notice) in &notices {
            index_notice(year, notice, &mut days)?;
        }
        let version = version_of(&notices);
        let statutory = (provisional::FIRST_YEAR..=provisional::LAST_YEAR)
            .filter(|year| !notices.contains_key(year))
            .filter_map(provisional::statutory_days_off)
            .flatten()
            .collect();
        Ok(Calendar { notices, days, statutory, version })
    }

    /// Returns a calendar with `notice` loaded for `year`, replacing any notice already
    /// loaded for that year (an amendment). The result is checked as a whole.
    pub fn with_notice(&self, year: i32, notice: YearNotice) -> Result<Calendar, CalendarError> {
        let mut notices = self.notices.clone();
        notices.insert(year, notice);
        Calendar::from_notices(notices)
    }

    /// Returns a calendar with every notice of `json` (same shape as [`Calendar::from_json`])
    /// loaded on top of this one.
    pub fn merged_with_json(&self, json: &str) -> Result<Calendar, CalendarError> {
        let mut notices = self.notices.clone();
        notices.extend(parse_notices(json)?);
        Calendar::from_notices(notices)
    }

    /// The loaded notices, by year.
    pub fn notices(&self) -> &BTreeMap<i32, YearNotice> {
        &self.notices
    }

    /// The years that have a notice.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.notices.keys().copied()
    }

    /// Whether `year` has a loaded notice.
    pub fn knows_year(&self, year: i32) -> bool {
        self.notices.contains_key(&year)
    }

    /// Whether `year` is counted on the provisional calendar: no notice is loaded for it,
    /// and the statutory holidays are known (2018–2035, [`provisional`]).
    pub fn is_provisional_year(&self, year: i32) -> bool {
        !self.knows_year(year) && (provisional::FIRST_YEAR..=provisional::LAST_YEAR).contains(&year)
    }

    /// This calendar's version.
    pub fn version(&self) -> &CalendarVersion {
        &self.version
    }

    /// What kind of day `date` is. Errors for a year without a notice.
    pub fn day(&self, date: Date) -> Result<DayKind<'_>, CalendarError> {
        if !self.knows_year(date.year()) {
            return Err(self.unknown(date));
        }
        Ok(self.classify(date))
    }

    /// Whether `date` is a working day. Errors for a year without a notice.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        self.day(date).map(DayKind::is_working)
    }

    /// The `n`-th working day after `start` (Civil Code 201: the start day is day 0 and not
    /// counted). `n = 0` returns `start`. Errors if any day passed lies in an unknown year.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        let mut date = start;
        let mut count = 0;
        while count < n {
            date = next_day(date, start)?;
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(date)
    }

    /// What kind of day `date` is, on the notices where loaded and on the provisional
    /// calendar elsewhere; the flag says whether it was provisional. Errors only where no
    /// rule covers the year (before 2018, after the provisional table).
    pub fn day_or_provisional(&self, date: Date) -> Result<(DayKind<'_>, bool), CalendarError> {
        if self.knows_year(date.year()) {
            return Ok((self.classify(date), false));
        }
        if !self.is_provisional_year(date.year()) {
            return Err(self.unknown(date));
        }
        // A loaded notice reaching into this year still decides its own days.
        let kind = match (self.days.get(&date), self.statutory.get(&date)) {
            (Some(_), _) => self.classify(date),
            (None, Some(name)) => DayKind::StatutoryHoliday(name),
            (None, None) if is_weekend(date) => DayKind::Weekend,
            (None, None) => DayKind::Workday,
        };
        Ok((kind, true))
    }

    /// The `n`-th working day after `start` (day 0 not counted, Civil Code 201), counting a
    /// year without a notice on the provisional calendar and naming it in
    /// [`Counted::provisional_years`] (rules.md §3). Errors only where no rule covers a year.
    pub fn count(&self, start: Date, n: u32) -> Result<Counted, CalendarError> {
        let mut provisional_years = BTreeSet::new();
        let mut date = start;
        let mut count = 0;
        while count < n {
            date = next_day(date, start)?;
            let (kind, provisional) = self.day_or_provisional(date)?;
            if provisional {
                provisional_years.insert(date.year());
            }
            if kind.is_working() {
                count += 1;
            }
        }
        Ok(Counted { date, provisional_years })
    }

    /// The number of working days `d` with `from < d <= to` (0 when `to <= from`).
    /// Errors if any of those days lies in an unknown year.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        days_between(from, to, |date| self.is_working_day(date))
    }

    /// The working days `d` with `from < d <= to` (0 when `to <= from`), like
    /// [`Calendar::working_days_between`] but counting a year without a notice on the
    /// provisional calendar, as [`Calendar::count`] does, and naming it in
    /// [`Counted::provisional_years`] (`date` is `to`, or `from` when `to` is earlier).
    /// Errors only where no rule covers a year.
    pub fn count_between(&self, from: Date, to: Date) -> Result<(u32, Counted), CalendarError> {
        let mut provisional_years = BTreeSet::new();
        let count = days_between(from, to, |date| {
            let (kind, provisional) = self.day_or_provisional(date)?;
            if provisional {
                provisional_years.insert(date.year());
            }
            Ok(kind.is_working())
        })?;
        Ok((count, Counted { date: to.max(from), provisional_years }))
    }

    /// Counts `n` working days from `start` like [`Calendar::count`] and explains every day on
    /// the way: each day passed over and why, each day counted, and whether it was counted on
    /// the provisional calendar.
    pub fn explain(&self, start: Date, n: u32) -> Result<Vec<ExplainedDay>, CalendarError> {
        let mut days = Vec::new();
        let mut date = start;
        let mut count = 0;
        while count < n {
            date = next_day(date, start)?;
            let (kind, provisional) = self.day_or_provisional(date)?;
            let counted = if kind.is_working() {
                count += 1;
                Some(count)
            } else {
                None
            };
            days.push(ExplainedDay { date, kind: kind.to_string(), counted, provisional });
        }
        Ok(days)
    }

    fn classify(&self, date: Date) -> DayKind<'_> {
        match self.days.get(&date) {
            Some(Special::Off(name)) => DayKind::Holiday(name),
            Some(Special::Makeup(name)) => DayKind::MakeupWorkday(name),
            None if is_weekend(date) => DayKind::Weekend,
            None => DayKind::Workday,
        }
    }

    fn unknown(&self, date: Date) -> CalendarError {
        CalendarError::UnknownYear { year: date.year(), date, loaded: self.loaded_years() }
    }

    /// The loaded years as ranges, e.g. `2018-2026` or `2018-2020, 2024`.
    pub fn loaded_years(&self) -> String {
        let years: Vec<i32> = self.years().collect();
        if years.is_empty() {
            return "none".to_owned();
        }
        let mut parts = Vec::new();
        let mut start = years[0];
        let mut prev = years[0];
        for &y in &years[1..] {
            if y != prev + 1 {
                parts.push(range_label(start, prev));
                start = y;
            }
            prev = y;
        }
        parts.push(range_label(start, prev));
        parts.join(", ")
    }
}

fn range_label(start: i32, end: i32) -> String {
    if start == end { start.to_string() } else { format!("{start}-{end}") }
}

fn parse_notices(json: &str) -> Result<BTreeMap<i32, YearNotice>, CalendarError> {
    let raw: BTreeMap<String, YearNotice> =
        serde_json::from_str(json).map_err(|e| CalendarError::Malformed(e.to_string()))?;
    raw.into_iter()
        .map(|(key, notice)| match key.parse::<i32>() {
            Ok(year) if (1900..=9999).contains(&year) => Ok((year, notice)),
            _ => {
                Err(CalendarError::Malformed(format!("top-level keys must be years such as \"2027\", found \"{key}\"")))
            }
        })
        .collect()
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn next_day(date: Date, from: Date) -> Result<Date, CalendarError> {
    date.next_day().ok_or(CalendarError::OutOfRange { from })
}

/// Adds one notice's days to the index, checking it against itself and the notices
/// already indexed.
fn index_notice(year: i32, notice: &YearNotice, days: &mut BTreeMap<Date, Special>) -> Result<(), CalendarError> {
    let inconsistent = |detail: String| CalendarError::Inconsistent { year, detail };
    let name_of = |date: Date, off: bool| -> String {
        notice
            .by_holiday
            .iter()
            .find(|(_, h)| if off { h.off.contains(&date) } else { h.work.contains(&date) })
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| if off { "official holiday".into() } else { "official make-up day".into() })
    };
    for &date in &notice.makeup_workdays {
        if !is_weekend(date) {
            return Err(inconsistent(format!(
                "make-up working day {date} is a {}, but a make-up working day is always a Saturday or Sunday",
                date.weekday()
            )));
        }
    }
    if !notice.weekday_off_days.is_empty() {
        let expected: BTreeSet<Date> = notice.all_off_days.iter().copied().filter(|d| !is_weekend(*d)).collect();
        let given: BTreeSet<Date> = notice.weekday_off_days.iter().copied().collect();
        if let Some(d) = expected.symmetric_difference(&given).next() {
            return Err(inconsistent(format!("weekday_off_days disagrees with all_off_days about {d}")));
        }
    }
    for (name, holiday) in &notice.by_holiday {
        if let Some(d) = holiday.off.iter().find(|d| !notice.all_off_days.contains(d)) {
            return Err(inconsistent(format!("{name} lists {d} as a day off, but all_off_days does not")));
        }
    }
    for &date in &notice.all_off_days {
        let special = Special::Off(name_of(date, true));
        if let Some(Special::Makeup(_)) = days.insert(date, special) {
            return Err(inconsistent(format!("{date} is both a day off and a make-up working day")));
        }
    }
    for &date in &notice.makeup_workdays {
        let special = Special::Makeup(name_of(date, false));
        if let Some(Special::Off(_)) = days.insert(date, special) {
            return Err(inconsistent(format!("{date} is both a day off and a make-up working day")));
        }
    }
    Ok(())
}

/// A content hash of the notices (FNV-1a, 64 bits) over their canonical JSON: enough to
/// tell two versions of the notices apart; not a security measure.
fn version_of(notices: &BTreeMap<i32, YearNotice>) -> CalendarVersion {
    let canonical = serde_json::to_string(notices).unwrap_or_default();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in canonical.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let years = match (notices.keys().next(), notices.keys().last()) {
        (Some(a), Some(b)) => range_label(*a, *b),
        _ => "none".to_owned(),
    };
    CalendarVersion(format!("{years}@{hash:016x}"))
}

/// Parses a date written `YYYY-MM-DD`, with an error that says what is wrong.
pub fn parse_date(text: &str) -> Result<Date, DateParseError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).map_err(|e| DateParseError { input: text.to_owned(), reason: e.to_string() })
}

/// A date that is not a real `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{input}\" is not a date in the form YYYY-MM-DD ({reason})")]
pub struct DateParseError {
    /// What was given.
    pub input: String,
    /// What the parser found wrong.
    pub reason: String,
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cal() -> Calendar {
        Calendar::bundled()
    }

    #[test]
    fn bundled_calendar_covers_2018_to_2026() {
        let c = cal();
        assert_eq!(c.years().collect::<Vec<_>>(), (2018..=2026).collect::<Vec<_>>());
        assert_eq!(c.loaded_years(), "2018-2026");
        assert!(c.version().as_str().starts_with("2018-2026@"));
    }

    /// The repository's copy must be exactly the shared facts. `shared/` sits beside the
    /// checkout on developer machines and in CI.
    #[test]
    fn bundled_data_matches_shared_facts() {
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/calendar/cn-official-holidays.json");
        match std::fs::read_to_string(shared) {
            Ok(text) => assert_eq!(text, BUNDLED_JSON, "crates/foi-domain/data differs from {shared}"),
            Err(e) => println!("skipping: shared calendar not found at {shared}: {e}"),
        }
    }

    #[test]
    fn day_kinds_from_real_notices() {
        let c = cal();
        // 2026 National Day: 1–7 October off, Sunday 20 September and Saturday 10 October worked.
        assert_eq!(c.day(date!(2026 - 10 - 01)).unwrap(), DayKind::Holiday("国庆节"));
        assert_eq!(c.day(date!(2026 - 09 - 20)).unwrap(), DayKind::MakeupWorkday("国庆节"));
        assert_eq!(c.day(date!(2026 - 10 - 10)).unwrap(), DayKind::MakeupWorkday("国庆节"));
        assert_eq!(c.day(date!(2026 - 09 - 19)).unwrap(), DayKind::Weekend);
        assert_eq!(c.day(date!(2026 - 09 - 18)).unwrap(), DayKind::Workday);
        // The 2019 notice reaches back: 2018-12-29 (Saturday) was worked, 31 December off.
        assert!(c.is_working_day(date!(2018 - 12 - 29)).unwrap());
        assert!(!c.is_working_day(date!(2018 - 12 - 31)).unwrap());
        // The 2020 Spring Festival was extended to 2 February; 1 February is no longer worked.
        assert!(!c.is_working_day(date!(2020 - 02 - 01)).unwrap());
        assert!(!c.is_working_day(date!(2020 - 01 - 31)).unwrap());
        assert!(c.is_working_day(date!(2020 - 02 - 03)).unwrap());
    }

    #[test]
    fn unknown_years_are_errors_not_guesses() {
        let c = cal();
        let err = c.is_working_day(date!(2027 - 01 - 04)).unwrap_err();
        assert!(matches!(err, CalendarError::UnknownYear { year: 2027, .. }));
        assert!(err.to_string().contains("calendar unknown"));
        assert!(c.is_working_day(date!(2017 - 12 - 29)).is_err());
        // Counting from late December 2026 needs January 2027.
        assert!(c.add_working_days(date!(2026 - 12 - 15), 20).is_err());
        let counted = c.count(date!(2026 - 12 - 15), 20).unwrap();
        assert_eq!(counted.provisional_years, BTreeSet::from([2027]));
        // 16–31 December 2026 are 12 working days; on the provisional 2027, Friday 1 January
        // (元旦) is off, then 4–8 and 11–13 January are days 13 to 20.
        assert_eq!(counted.date, date!(2027 - 01 - 13));
        // Before 2018 and after 2035 no rule gives an answer.
        assert!(matches!(c.count(date!(2017 - 12 - 20), 10), Err(CalendarError::UnknownYear { year: 2017, .. })));
        assert!(matches!(c.count(date!(2035 - 12 - 20), 20), Err(CalendarError::UnknownYear { year: 2036, .. })));
    }

    #[test]
    fn a_provisional_year_has_the_statutory_holidays_and_no_make_up_days() {
        let c = cal();
        assert!(c.is_provisional_year(2027) && !c.is_provisional_year(2026) && !c.is_provisional_year(2017));
        let day = |d| c.day_or_provisional(d).unwrap();
        assert_eq!(day(date!(2027 - 01 - 01)), (DayKind::StatutoryHoliday("元旦"), true));
        // 除夕 Friday 5 February 2027 and 正月初一 to 初三 (6–8 February): Monday 8 is off,
        // Tuesday 9 February is a working day, and no weekend is worked.
        assert_eq!(day(date!(2027 - 02 - 05)), (DayKind::StatutoryHoliday("春节"), true));
        assert_eq!(day(date!(2027 - 02 - 08)), (DayKind::StatutoryHoliday("春节"), true));
        assert_eq!(day(date!(2027 - 02 - 09)), (DayKind::Workday, true));
        assert_eq!(day(date!(2027 - 02 - 20)), (DayKind::Weekend, true));
        // A loaded year is never provisional.
        assert_eq!(day(date!(2026 - 10 - 10)), (DayKind::MakeupWorkday("国庆节"), false));
        // Loading 2027 replaces the provisional calendar for that year.
        let json = r#"{"2027": {"all_off_days": ["2027-01-01", "2027-01-02", "2027-01-03"], "makeup_workdays": []}}"#;
        let loaded = c.merged_with_json(json).unwrap();
        assert!(!loaded.is_provisional_year(2027));
        assert_eq!(loaded.day_or_provisional(date!(2027 - 02 - 05)).unwrap(), (DayKind::Workday, false));
    }

    #[test]
    fn reply_deadline_across_national_day_2026() {
        // Example from the issue: receipt on 2026-09-18 → reply due 2026-10-22.
        assert_eq!(cal().add_working_days(date!(2026 - 09 - 18), 20).unwrap(), date!(2026 - 10 - 22));
    }

    #[test]
    fn a_year_added_at_run_time_is_used() {
        let json = r#"{"2027": {"all_off_days": ["2027-01-01"], "makeup_workdays": ["2027-01-09"],
            "by_holiday": {"元旦": {"off": ["2027-01-01"], "work": ["2027-01-09"]}}}}"#;
        let c = cal().merged_with_json(json).unwrap();
        assert_ne!(c.version(), cal().version());
        assert_eq!(c.day(date!(2027 - 01 - 09)).unwrap(), DayKind::MakeupWorkday("元旦"));
        assert_eq!(c.loaded_years(), "2018-2027");
    }

    #[test]
    fn inconsistent_notices_are_refused() {
        let weekday_makeup = r#"{"2027": {"all_off_days": [], "makeup_workdays": ["2027-01-04"]}}"#;
        let err = cal().merged_with_json(weekday_makeup).unwrap_err();
        assert!(err.to_string().contains("Saturday or Sunday"), "{err}");
        let clash = r#"{"2027": {"all_off_days": ["2027-01-09"], "makeup_workdays": ["2027-01-09"]}}"#;
        assert!(matches!(cal().merged_with_json(clash), Err(CalendarError::Inconsistent { .. })));
        assert!(matches!(cal().merged_with_json("{\"x\": 1}"), Err(CalendarError::Malformed(_))));
    }

    #[test]
    fn working_days_between_is_the_inverse_of_adding() {
        let c = cal();
        let start = date!(2024 - 02 - 01);
        for n in 0..60 {
            let end = c.add_working_days(start, n).unwrap();
            assert_eq!(c.working_days_between(start, end).unwrap(), n);
        }
    }

    #[test]
    fn explain_names_every_day() {
        let days = cal().explain(date!(2026 - 09 - 30), 3).unwrap();
        let lines: Vec<_> = days.iter().map(|d| (format_date(d.date), d.counted)).collect();
        assert_eq!(lines.first(), Some(&("2026-10-01".to_owned(), None)));
        assert_eq!(days.iter().filter(|d| d.counted.is_some()).count(), 3);
        // 1–7 Oct off, 8 Oct (Thursday) is day 1, 9 Oct day 2, 10 Oct (Saturday, make-up) day 3.
        assert_eq!(days.last().unwrap().date, date!(2026 - 10 - 10));
        assert!(days.last().unwrap().kind.contains("make-up"));
        assert!(days[0].kind.contains("国庆节"));
    }

    #[test]
    fn parse_date_says_what_is_wrong() {
        assert_eq!(parse_date("2026-09-18").unwrap(), date!(2026 - 09 - 18));
        assert!(parse_date("2026-02-30").unwrap_err().to_string().contains("YYYY-MM-DD"));
        assert!(parse_date("18/09/2026").is_err());
    }
}
