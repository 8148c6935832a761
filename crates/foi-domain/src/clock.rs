//! The statutory clock: how working days are counted for every limit of the Regulations.
//!
//! Counting follows Civil Code arts. 201 and 203 and Civil Procedure Law art. 85: the day
//! a period starts from is day 0 and not counted; only working days count; the N-th working
//! day is the last day, and it ends at 24:00 China Standard Time (UTC+8) whatever zone the
//! server runs in. See rules.md §3.
//!
//! The limits ([`Limit`]) are plain data with the article they rest on. A [`ReplyClock`]
//! adds what the reply limit needs beyond a plain count: paused intervals that are not
//! counted (Reg. 33 ¶2: consultations; a fee, if the agency so configures), and the
//! extension (Reg. 33 ¶1). The clock never stores a due date: it derives one from its
//! start, its limit and its pauses, so a due date can always be recomputed and explained.
//!
//! "Today" is always passed in. Production code gets it from a [`Clock`]; tests fix it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::calendar::{Calendar, CalendarError, CalendarVersion};

/// China Standard Time, UTC+8: the zone every statutory deadline ends in.
pub const CHINA_STANDARD_TIME: UtcOffset = time::macros::offset!(+8);

/// The date in China at instant `now`, whatever the server's own zone.
pub fn today_in_china(now: OffsetDateTime) -> Date {
    now.to_offset(CHINA_STANDARD_TIME).date()
}

/// Where "now" comes from. Injected so that tests and jobs own time (`run_once(now)`).
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> OffsetDateTime;

    /// The current date in China Standard Time.
    fn today(&self) -> Date {
        today_in_china(self.now())
    }
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock stopped at one instant, for tests and for replaying history.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// A count of working days that the law allows for one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    /// How many working days.
    pub working_days: u32,
    /// The article it rests on.
    pub basis: &'static str,
}

/// Reply within 20 working days of receipt (Reg. 33 ¶1).
pub const REPLY: Limit = Limit { working_days: 20, basis: "Reg. 33" };
/// An extension adds at most 20 working days, once (Reg. 33 ¶1).
pub const MAX_EXTENSION: Limit = Limit { working_days: 20, basis: "Reg. 33" };
/// The correction notice goes out within 7 working days of receipt (Reg. 30).
pub const CORRECTION_NOTICE: Limit = Limit { working_days: 7, basis: "Reg. 30" };
/// The default correction period; configurable per agency (Reg. 30: a reasonable period).
pub const DEFAULT_CORRECTION_PERIOD: Limit = Limit { working_days: 15, basis: "Reg. 30" };
/// A third party or co-producing agency has 15 working days to give its opinion (Reg. 32, 34).
pub const CONSULTATION: Limit = Limit { working_days: 15, basis: "Reg. 32, 34" };
/// The fee is paid within 20 working days from the day after the notice is received
/// (国办函〔2020〕109号): with day 0 uncounted, 20 working days after the day of receipt.
pub const FEE_PAYMENT: Limit = Limit { working_days: 20, basis: "国办函〔2020〕109号" };

/// A statutory due date: the last day of a limit, which ends at 24:00 China Standard Time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The last day of the period.
    pub date: Date,
    /// Years without a loaded holiday notice that the count passed through, counted on the
    /// provisional calendar (weekends and the statutory holidays of 全国年节及纪念日放假办法,
    /// rules.md §3). Non-empty means the date is provisional: 以国务院办公厅公布的放假安排为准,
    /// and it is recomputed when the notice is loaded.
    pub provisional_years: BTreeSet<i32>,
}

impl Deadline {
    /// The instant the period ends: 24:00 (the next day's 00:00) China Standard Time.
    pub fn ends_at(&self) -> OffsetDateTime {
        let next = self.date.next_day().unwrap_or(self.date);
        PrimitiveDateTime::new(next, Time::MIDNIGHT).assume_offset(CHINA_STANDARD_TIME)
    }

    /// Whether the date was counted on the provisional calendar of a year without a notice.
    pub fn is_provisional(&self) -> bool {
        !self.provisional_years.is_empty()
    }
}

/// The limit counted from `start` (day 0): its last day.
pub fn deadline(calendar: &Calendar, start: Date, working_days: u32) -> Result<Deadline, CalendarError> {
    let counted = calendar.count(start, working_days)?;
    Ok(Deadline { date: counted.date, provisional_years: counted.provisional_years })
}

/// A paused interval of the reply clock. Working days `d` with `from < d <= to` are not
/// counted, in line with the counting rule that the starting day is not counted: a pause
/// from the day a consultation letter is sent to the day the opinion arrives covers the
/// working days after the sending day up to and including the arrival day. An open pause
/// (`to: None`) runs up to and including "today".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// The day the pause began (e.g. the consultation letter was sent).
    pub from: Date,
    /// The day it ended, or `None` while it lasts.
    pub to: Option<Date>,
    /// The most working days it can cover, if limited (a consultation: 15, Reg. 32, 34);
    /// days after that count again even while the pause is open or ended later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_working_days: Option<u32>,
    /// The day `max_working_days` counts from, if not `from` (a consultation: the day the
    /// party received the letter, Reg. 32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_from: Option<Date>,
}

impl Pause {
    /// The last day the pause covers as of `today`: its end (or today while open), but no
    /// later than its `max_working_days`-th working day.
    fn last_day(&self, calendar: &Calendar, today: Date) -> Date {
        let end = self.to.unwrap_or(today);
        let cap_from = self.max_from.unwrap_or(self.from);
        match self.max_working_days.map(|n| calendar.count(cap_from, n)) {
            Some(Ok(cap)) => end.min(cap.date),
            _ => end,
        }
    }
}

/// The state of a clock, kept apart from the workflow stage and the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClockState {
    /// Not started: the application has not been received yet.
    NotStarted,
    /// Counting working days.
    Running,
    /// Paused: a consultation (Reg. 33 ¶2) or an unpaid fee notice is outstanding.
    Paused,
    /// Stopped: the case is concluded, or waiting for a correction that will restart the
    /// clock from zero (Reg. 30).
    Stopped,
}

/// How close a running limit is to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Urgency {
    /// More working days left than the agency's "due soon" threshold.
    OnTrack,
    /// At most the threshold left (default 5 working days; configurable), deadline not passed.
    DueSoon,
    /// The last day has passed.
    Overdue,
}

/// The reply clock of one application: from the date of receipt (or of the corrected
/// application, Reg. 30), 20 working days plus any extension, minus paused time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyClock {
    /// Day 0: the date of receipt, or of the corrected application after a restart.
    pub start: Date,
    /// Working days allowed: 20, plus the extension.
    pub limit: u32,
    /// Intervals not counted.
    pub pauses: Vec<Pause>,
    /// A later reply date fixed and notified under Reg. 35, which replaces the count.
    pub fixed_due: Option<Date>,
}

/// A reading of the reply clock on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReading {
    /// The due date as known today (provisional while a pause lasts or a year is unknown).
    pub due: Deadline,
    /// Working days counted so far (today included).
    pub used: i64,
    /// Working days left (negative once overdue). `used + left` is always the limit.
    pub left: i64,
    /// The limit these two add up to.
    pub limit: i64,
    /// How close the deadline is.
    pub urgency: Urgency,
    /// The calendar version used.
    pub calendar_version: CalendarVersion,
}

impl ReplyClock {
    /// A fresh clock starting on `start` with the statutory 20 working days.
    pub fn new(start: Date) -> ReplyClock {
        ReplyClock { start, limit: REPLY.working_days, pauses: Vec::new(), fixed_due: None }
    }

    /// The days not counted as of `today`, as `(from, last)` spans (`from` excluded): each
    /// pause's cap is worked out once per reading, not once per day counted.
    fn paused_spans(&self, calendar: &Calendar, today: Date) -> Vec<(Date, Date)> {
        self.pauses.iter().map(|p| (p.from, p.last_day(calendar, today))).collect()
    }

    fn counts(
        calendar: &Calendar,
        date: Date,
        paused: &[(Date, Date)],
        provisional: &mut BTreeSet<i32>,
    ) -> Result<bool, CalendarError> {
        let (kind, is_provisional) = calendar.day_or_provisional(date)?;
        if is_provisional {
            provisional.insert(date.year());
        }
        Ok(kind.is_working() && !paused.iter().any(|&(from, last)| from < date && date <= last))
    }

    /// Counted working days `d` with `from < d <= to`.
    fn counted_between(
        calendar: &Calendar,
        from: Date,
        to: Date,
        paused: &[(Date, Date)],
        provisional: &mut BTreeSet<i32>,
    ) -> Result<i64, CalendarError> {
        let mut n = 0;
        let mut d = from;
        while d < to {
            match d.next_day() {
                Some(next) => d = next,
                None => break,
            }
            if Self::counts(calendar, d, paused, provisional)? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The due date as known on `today`: an open pause is assumed to end today.
    pub fn due(&self, calendar: &Calendar, today: Date) -> Result<Deadline, CalendarError> {
        self.due_with(calendar, &self.paused_spans(calendar, today))
    }

    fn due_with(&self, calendar: &Calendar, paused: &[(Date, Date)]) -> Result<Deadline, CalendarError> {
        let mut provisional = BTreeSet::new();
        if let Some(fixed) = self.fixed_due {
            // Reg. 35: the agency set and notified a later reasonable date.
            Self::counted_between(calendar, self.start, fixed, paused, &mut provisional)?;
            return Ok(Deadline { date: fixed, provisional_years: provisional });
        }
        let mut d = self.start;
        let mut count = 0;
        while count < self.limit {
            d = d.next_day().ok_or(CalendarError::OutOfRange { from: self.start })?;
            if Self::counts(calendar, d, paused, &mut provisional)? {
                count += 1;
            }
        }
        Ok(Deadline { date: d, provisional_years: provisional })
    }

    /// Reads the clock on `today`. `due_soon` is the agency's threshold in working days.
    pub fn read(&self, calendar: &Calendar, today: Date, due_soon: u32) -> Result<ClockReading, CalendarError> {
        let paused = self.paused_spans(calendar, today);
        let due = self.due_with(calendar, &paused)?;
        let mut provisional = due.provisional_years.clone();
        let limit = Self::counted_between(calendar, self.start, due.date, &paused, &mut provisional)?;
        let used = Self::counted_between(calendar, self.start, today, &paused, &mut provisional)?;
        let left = limit - used;
        let urgency = if today > due.date {
            Urgency::Overdue
        } else if left <= i64::from(due_soon) {
            Urgency::DueSoon
        } else {
            Urgency::OnTrack
        };
        Ok(ClockReading {
            due: Deadline { date: due.date, provisional_years: provisional },
            used,
            left,
            limit,
            urgency,
            calendar_version: calendar.version().clone(),
        })
    }
}

/// The three dates a clerk wants at receipt: the correction-notice deadline (Reg. 30), the
/// reply deadline (Reg. 33) and the latest the reply could be with a full extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDeadlines {
    /// Last day to send a correction notice: 7 working days (Reg. 30).
    pub correction_notice: Deadline,
    /// Last day to reply: 20 working days (Reg. 33 ¶1).
    pub reply: Deadline,
    /// Last day to reply with the one extension of 20 working days (Reg. 33 ¶1).
    pub extended_reply: Deadline,
}

/// The deadlines that follow from a date of receipt, with no pause.
pub fn receipt_deadlines(calendar: &Calendar, received: Date) -> Result<ReceiptDeadlines, CalendarError> {
    let reply = deadline(calendar, received, REPLY.working_days)?;
    // The extension is added to the reply deadline (rules.md §3), so it counts from there.
    let extended = deadline(calendar, reply.date, MAX_EXTENSION.working_days)?;
    let mut extended_provisional = reply.provisional_years.clone();
    extended_provisional.extend(extended.provisional_years);
    Ok(ReceiptDeadlines {
        correction_notice: deadline(calendar, received, CORRECTION_NOTICE.working_days)?,
        reply,
        extended_reply: Deadline { date: extended.date, provisional_years: extended_provisional },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn cal() -> Calendar {
        Calendar::bundled()
    }

    #[test]
    fn today_is_taken_in_china_standard_time() {
        // 16:30 UTC on 31 December is already 1 January in Beijing.
        assert_eq!(today_in_china(datetime!(2025-12-31 16:30 UTC)), date!(2026 - 01 - 01));
        assert_eq!(today_in_china(datetime!(2025-12-31 15:59 UTC)), date!(2025 - 12 - 31));
        assert_eq!(today_in_china(datetime!(2026-01-01 02:00 -5)), date!(2026 - 01 - 01));
        assert_eq!(FixedClock(datetime!(2026-01-01 00:00 +8)).today(), date!(2026 - 01 - 01));
    }

    #[test]
    fn a_deadline_ends_at_midnight_beijing_time() {
        let d = deadline(&cal(), date!(2026 - 09 - 18), 20).unwrap();
        assert_eq!(d.date, date!(2026 - 10 - 22));
        assert_eq!(d.ends_at(), datetime!(2026-10-23 00:00 +8));
        assert_eq!(d.ends_at(), datetime!(2026-10-22 16:00 UTC));
        assert!(!d.is_provisional());
    }

    #[test]
    fn receipt_deadlines_national_day_2026() {
        let r = receipt_deadlines(&cal(), date!(2026 - 09 - 18)).unwrap();
        // Sunday 20 September is a make-up working day (day 1), then 21–24; Friday 25 is
        // 中秋节; 28 and 29 September are days 6 and 7.
        assert_eq!(r.correction_notice.date, date!(2026 - 09 - 29));
        assert_eq!(r.reply.date, date!(2026 - 10 - 22));
        assert_eq!(r.extended_reply.date, date!(2026 - 11 - 19));
    }

    #[test]
    fn a_consultation_pause_moves_the_deadline_by_the_working_days_it_covered() {
        let c = cal();
        // Received Monday 2025-03-03; 20 working days → Monday 2025-03-31.
        let mut clock = ReplyClock::new(date!(2025 - 03 - 03));
        assert_eq!(clock.due(&c, date!(2025 - 03 - 03)).unwrap().date, date!(2025 - 03 - 31));
        // Letter to a third party on Monday 10 March, opinion back Friday 21 March:
        // 11–21 March is 9 working days not counted.
        clock.pauses.push(Pause {
            from: date!(2025 - 03 - 10),
            to: Some(date!(2025 - 03 - 21)),
            max_working_days: None,
            max_from: None,
        });
        let due = clock.due(&c, date!(2025 - 03 - 21)).unwrap().date;
        // 31 March + 9 working days, over Qingming (4 April, a Friday, off): 14 April.
        assert_eq!(due, date!(2025 - 04 - 14));
    }

    #[test]
    fn an_open_pause_keeps_the_due_date_moving() {
        let c = cal();
        let mut clock = ReplyClock::new(date!(2025 - 03 - 03));
        clock.pauses.push(Pause { from: date!(2025 - 03 - 10), to: None, max_working_days: None, max_from: None });
        let on_14 = clock.read(&c, date!(2025 - 03 - 14), 5).unwrap();
        let on_21 = clock.read(&c, date!(2025 - 03 - 21), 5).unwrap();
        assert!(on_21.due.date > on_14.due.date);
        // Used stays at the 5 working days before the pause (4–7 and 10 March).
        assert_eq!(on_14.used, 5);
        assert_eq!(on_21.used, 5);
        assert_eq!(on_21.used + on_21.left, 20);
    }

    #[test]
    fn used_left_and_urgency_over_spring_festival_2024() {
        let c = cal();
        // Received Friday 2 February 2024; Spring Festival 10–17 Feb off, 4 and 18 Feb worked.
        let clock = ReplyClock::new(date!(2024 - 02 - 02));
        let due = clock.due(&c, date!(2024 - 02 - 02)).unwrap().date;
        assert_eq!(due, c.add_working_days(date!(2024 - 02 - 02), 20).unwrap());
        assert_eq!(due, date!(2024 - 03 - 06));
        let r = clock.read(&c, date!(2024 - 02 - 18), 5).unwrap();
        // Counted: 4 (Sun, make-up), 5–9 Feb, 18 (Sun, make-up) = 7.
        assert_eq!((r.used, r.left, r.urgency), (7, 13, Urgency::OnTrack));
        let r = clock.read(&c, date!(2024 - 02 - 28), 5).unwrap();
        assert_eq!((r.used, r.left, r.urgency), (15, 5, Urgency::DueSoon));
        let r = clock.read(&c, due, 5).unwrap();
        assert_eq!((r.used, r.left, r.urgency), (20, 0, Urgency::DueSoon));
        let r = clock.read(&c, date!(2024 - 03 - 07), 5).unwrap();
        assert_eq!((r.used, r.left, r.urgency), (21, -1, Urgency::Overdue));
    }

    #[test]
    fn a_provisional_deadline_names_the_unknown_year() {
        let r = receipt_deadlines(&cal(), date!(2026 - 12 - 10)).unwrap();
        assert!(r.reply.is_provisional());
        assert_eq!(r.reply.provisional_years, BTreeSet::from([2027]));
        assert!(!r.correction_notice.is_provisional());
    }

    /// The issue's year-end case: an extension of 20 working days on Monday 2026-12-21,
    /// added to a reply deadline of that day, lands in January 2027 on the provisional
    /// calendar (元旦, Friday 1 January 2027, off), and moves when the notice is loaded.
    #[test]
    fn an_extension_on_21_december_2026_lands_in_january_2027_provisionally() {
        let c = cal();
        // Received Monday 2026-11-23: 20 working days → Monday 2026-12-21, the day of the
        // extension. +20 from there: 22–25 December (4), 28–31 (8), 1 January off (元旦),
        // 4–8 January (13), 11–15 (18), 18–19 (20): Tuesday 2027-01-19.
        let mut clock = ReplyClock::new(date!(2026 - 11 - 23));
        assert_eq!(clock.due(&c, date!(2026 - 12 - 21)).unwrap().date, date!(2026 - 12 - 21));
        clock.limit += 20;
        let due = clock.due(&c, date!(2026 - 12 - 21)).unwrap();
        assert_eq!(due.date, date!(2027 - 01 - 19));
        assert_eq!(due.provisional_years, BTreeSet::from([2027]));
        // A 2027 notice that gives 4 January off as well moves it a day, and it is final.
        let json = r#"{"2027": {"all_off_days": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
            "makeup_workdays": []}}"#;
        let loaded = c.merged_with_json(json).unwrap();
        let due = clock.due(&loaded, date!(2026 - 12 - 21)).unwrap();
        assert_eq!(due.date, date!(2027 - 01 - 20));
        assert!(!due.is_provisional());
    }

    #[test]
    fn a_fixed_reply_date_replaces_the_count() {
        let c = cal();
        let mut clock = ReplyClock::new(date!(2025 - 03 - 03));
        clock.fixed_due = Some(date!(2025 - 05 - 30));
        let r = clock.read(&c, date!(2025 - 03 - 31), 5).unwrap();
        assert_eq!(r.due.date, date!(2025 - 05 - 30));
        assert_eq!(r.used, 20);
        assert_eq!(r.used + r.left, r.limit);
    }
}
