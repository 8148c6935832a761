//! The figures beside table 三: table 四 (reconsideration and litigation) and the processing
//! figures a supervisor asks for (rules.md §4), all from SQL aggregates.
//!
//! Processing figures of a period, per agency:
//! - replies in the period (rows (一)–(五); a case closed without a reply had none due),
//!   and of those the ones given within the statutory limit (after any extension, pause or
//!   later reply date; Reg. 33, 35) and after it;
//! - the working days each reply took (counted as the reply clock counts them, restarted
//!   after a correction, Reg. 30): median, average, shortest, longest, and counts in bands;
//! - extensions granted, consultations opened, corrections requested and received in the
//!   period (by the date of the event);
//! - open cases and those past their reply due date now (the day of the export);
//! - the ten oldest cases still open at the end of the period.

use std::collections::{BTreeMap, HashMap};

use foi_domain::calendar::Calendar;
use foi_domain::challenge::{ChallengeKind, ChallengeResult};
use foi_domain::lifecycle::EventKind;
use foi_store::stats::oldest_first;
use foi_store::{ChallengeCount, EventCount, OpenCase, OpenNow, ReplyDays, Uuid};
use time::Date;

/// How many oldest open cases each agency lists.
pub const OLDEST_LISTED: u32 = 10;

/// The upper bounds of the days-to-reply bands (working days, inclusive); the last band is
/// everything above the last bound.
pub const BANDS: [u32; 5] = [5, 10, 15, 20, 40];

/// The labels of the bands, in order: the five bounded ones and "over 40".
pub const BAND_LABELS: [&str; 6] =
    ["5个工作日以内", "6至10个工作日", "11至15个工作日", "16至20个工作日", "21至40个工作日", "超过40个工作日"];

/// Table 四: for reconsideration, suits filed directly and suits after reconsideration,
/// each by result (结果维持, 结果纠正, 其他结果, 尚未审结) and total: 15 figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ChallengeTable {
    /// Rows in the order of [`ChallengeKind::ALL`]; columns in the order of
    /// [`ChallengeResult::ALL`], then the total.
    pub cells: [[u64; 5]; 3],
}

impl ChallengeTable {
    fn count(&mut self, kind: ChallengeKind, result: ChallengeResult, n: u64) {
        let k = ChallengeKind::ALL.iter().position(|x| *x == kind).unwrap_or(0);
        let r = ChallengeResult::ALL.iter().position(|x| *x == result).unwrap_or(3);
        self.cells[k][r] += n;
        self.cells[k][4] += n;
    }

    fn add(&mut self, other: &ChallengeTable) {
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
    }

    /// The 15 figures in the order of the form, with their headings (group, column).
    pub fn figures(&self) -> Vec<(&'static str, &'static str, u64)> {
        let mut out = Vec::with_capacity(15);
        for (k, kind) in ChallengeKind::ALL.into_iter().enumerate() {
            for (r, label) in ChallengeResult::ALL.iter().map(|r| r.label_zh()).chain(["总计"]).enumerate() {
                out.push((kind.label_zh(), label, self.cells[k][r]));
            }
        }
        out
    }
}

/// The distribution of the working days replies took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DaysToReply {
    /// Working days → how many replies took that long.
    pub histogram: BTreeMap<u32, u64>,
}

impl DaysToReply {
    /// How many replies.
    pub fn count(&self) -> u64 {
        self.histogram.values().sum()
    }

    /// The median (the mean of the two middle values for an even count); `None` if empty.
    pub fn median(&self) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let nth = |k: u64| {
            let mut seen = 0;
            for (&days, &count) in &self.histogram {
                seen += count;
                if seen > k {
                    return f64::from(days);
                }
            }
            0.0
        };
        Some(if n % 2 == 1 { nth(n / 2) } else { (nth(n / 2 - 1) + nth(n / 2)) / 2.0 })
    }

    /// The average; `None` if empty.
    pub fn average(&self) -> Option<f64> {
        let n = self.count();
        let total: u64 = self.histogram.iter().map(|(&d, &c)| u64::from(d) * c).sum();
        (n > 0).then(|| total as f64 / n as f64)
    }

    /// The shortest; `None` if empty.
    pub fn shortest(&self) -> Option<u32> {
        self.histogram.keys().next().copied()
    }

    /// The longest; `None` if empty.
    pub fn longest(&self) -> Option<u32> {
        self.histogram.keys().next_back().copied()
    }

    /// The counts in the bands of [`BAND_LABELS`].
    pub fn bands(&self) -> [u64; 6] {
        let mut out = [0; 6];
        for (&days, &count) in &self.histogram {
            let band = BANDS.iter().position(|&bound| days <= bound).unwrap_or(BANDS.len());
            out[band] += count;
        }
        out
    }

    fn add(&mut self, other: &DaysToReply) {
        for (&days, &count) in &other.histogram {
            *self.histogram.entry(days).or_default() += count;
        }
    }
}

/// A case still open at the end of the period.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OldCase {
    /// The case id.
    pub case_id: Uuid,
    /// The handling agency's code.
    pub agency_code: String,
    /// Its number (登记号), once registered.
    pub case_number: Option<String>,
    /// The date of receipt.
    pub received_on: Date,
    /// Working days from the start of its reply clock to the end of the period (or to
    /// today, if earlier); `None` if the calendar of a year on the way is not loaded.
    pub working_days_open: Option<u32>,
    /// Its stage now.
    pub stage: String,
    /// Its reply due date now, if still open.
    pub reply_due_on: Option<Date>,
}

impl OldCase {
    /// What [`oldest_first`] orders it by.
    fn order_key(&self) -> (Date, Option<&str>, Uuid) {
        (self.received_on, self.case_number.as_deref(), self.case_id)
    }
}

/// The processing figures of one agency (or of a roll-up) for a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Processing {
    /// Replies within the limit.
    pub on_time: u64,
    /// Replies after the limit.
    pub late: u64,
    /// Working days to reply.
    pub days: DaysToReply,
    /// Extensions granted in the period (Reg. 33).
    pub extended: u64,
    /// Consultations opened in the period (Reg. 32, 34).
    pub consultations: u64,
    /// Correction notices sent in the period (Reg. 30).
    pub corrections_requested: u64,
    /// Corrected applications received in the period (Reg. 30).
    pub corrections_received: u64,
    /// Open cases now.
    pub open_now: u64,
    /// Of those, past their reply due date now.
    pub overdue_now: u64,
    /// The oldest cases open at the end of the period, oldest first (at most ten).
    pub oldest_open: Vec<OldCase>,
}

impl Processing {
    /// Replies in the period.
    pub fn replied(&self) -> u64 {
        self.on_time + self.late
    }

    fn add(&mut self, other: &Processing) {
        self.on_time += other.on_time;
        self.late += other.late;
        self.days.add(&other.days);
        self.extended += other.extended;
        self.consultations += other.consultations;
        self.corrections_requested += other.corrections_requested;
        self.corrections_received += other.corrections_received;
        self.open_now += other.open_now;
        self.overdue_now += other.overdue_now;
        self.oldest_open.extend(other.oldest_open.iter().cloned());
        // The order each agency's list came in from the store (see `foi_store::stats::oldest_first`).
        self.oldest_open.sort_by(|a, b| oldest_first(a.order_key(), b.order_key()));
        self.oldest_open.truncate(OLDEST_LISTED as usize);
    }

    /// The figures as (label, value) lines, in the order the exports print them.
    pub fn lines(&self) -> Vec<(String, String)> {
        let opt = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"));
        let opt_u = |v: Option<u32>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
        let mut lines = vec![
            ("本期答复数".to_owned(), self.replied().to_string()),
            ("在法定期限内答复".to_owned(), self.on_time.to_string()),
            ("超过法定期限答复".to_owned(), self.late.to_string()),
            ("答复用时中位数（工作日）".to_owned(), opt(self.days.median())),
            ("答复用时平均数（工作日）".to_owned(), opt(self.days.average())),
            ("答复用时最短（工作日）".to_owned(), opt_u(self.days.shortest())),
            ("答复用时最长（工作日）".to_owned(), opt_u(self.days.longest())),
        ];
        for (label, count) in BAND_LABELS.iter().zip(self.days.bands()) {
            lines.push((format!("答复用时{label}"), count.to_string()));
        }
        lines.extend([
            ("延长答复期限".to_owned(), self.extended.to_string()),
            ("征求第三方或其他机关意见".to_owned(), self.consultations.to_string()),
            ("发出补正告知".to_owned(), self.corrections_requested.to_string()),
            ("收到补正申请".to_owned(), self.corrections_received.to_string()),
            ("当前在办".to_owned(), self.open_now.to_string()),
            ("当前已超期未办结".to_owned(), self.overdue_now.to_string()),
        ]);
        lines
    }
}

/// The raw aggregates of the figures, fetched by [`crate::compute`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Aggregates {
    pub reply_days: Vec<ReplyDays>,
    pub events: Vec<EventCount>,
    pub open_now: Vec<OpenNow>,
    pub oldest: Vec<OpenCase>,
    pub challenges: Vec<ChallengeCount>,
}

/// The event kinds the processing figures count.
pub(crate) const COUNTED_EVENTS: [EventKind; 4] =
    [EventKind::Extended, EventKind::ConsultationOpened, EventKind::CorrectionRequested, EventKind::CorrectionReceived];

/// Lays the aggregates out per agency (in the order of `codes`) and checks their codes.
pub(crate) fn figures_of(
    codes: &[(Uuid, String)],
    aggregates: &Aggregates,
    period_end: Date,
    today: Date,
    calendar: &Calendar,
) -> Result<Vec<(Processing, ChallengeTable)>, crate::StatsError> {
    let position: HashMap<Uuid, usize> = codes.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    let mut out = vec![(Processing::default(), ChallengeTable::default()); codes.len()];
    let at = |id: Uuid| position.get(&id).copied().ok_or(crate::StatsError::UnexpectedAgency(id));
    for r in &aggregates.reply_days {
        let p = &mut out[at(r.agency_id)?].0;
        p.on_time += r.on_time;
        p.late += r.count - r.on_time.min(r.count);
        *p.days.histogram.entry(u32::try_from(r.wd_used).unwrap_or(0)).or_default() += r.count;
    }
    for e in &aggregates.events {
        let p = &mut out[at(e.agency_id)?].0;
        match EventKind::from_code(&e.kind) {
            Some(EventKind::Extended) => p.extended += e.count,
            Some(EventKind::ConsultationOpened) => p.consultations += e.count,
            Some(EventKind::CorrectionRequested) => p.corrections_requested += e.count,
            Some(EventKind::CorrectionReceived) => p.corrections_received += e.count,
            _ => {}
        }
    }
    for o in &aggregates.open_now {
        let p = &mut out[at(o.agency_id)?].0;
        p.open_now = o.open;
        p.overdue_now = o.overdue;
    }
    let until = period_end.min(today);
    for c in &aggregates.oldest {
        let i = at(c.agency_id)?;
        let start = c.clock_start_on.unwrap_or(c.received_on);
        out[i].0.oldest_open.push(OldCase {
            case_id: c.case_id,
            agency_code: codes[i].1.clone(),
            case_number: c.case_number.clone(),
            received_on: c.received_on,
            working_days_open: calendar.working_days_between(start, until).ok(),
            stage: c.stage.clone(),
            reply_due_on: c.reply_due_on,
        });
    }
    for c in &aggregates.challenges {
        let i = at(c.agency_id)?;
        let unknown = || crate::StatsError::UnknownChallenge { kind: c.kind.clone(), result: c.result.clone() };
        let kind: ChallengeKind = c.kind.parse().map_err(|_| unknown())?;
        let result: ChallengeResult = c.result.parse().map_err(|_| unknown())?;
        out[i].1.count(kind, result, c.count);
    }
    Ok(out)
}

/// The roll-up of the figures of several agencies.
pub(crate) fn roll_up<'a>(
    figures: impl IntoIterator<Item = (&'a Processing, &'a ChallengeTable)>,
) -> (Processing, ChallengeTable) {
    let mut total = (Processing::default(), ChallengeTable::default());
    for (p, c) in figures {
        total.0.add(p);
        total.1.add(c);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(pairs: &[(u32, u64)]) -> DaysToReply {
        DaysToReply { histogram: pairs.iter().copied().collect() }
    }

    #[test]
    fn merged_oldest_lists_break_ties_by_sequence_not_by_id() {
        let day = time::macros::date!(2026 - 10 - 12);
        let case = |id: u128, code: &str, number: Option<&str>| OldCase {
            case_id: Uuid::from_u128(id),
            agency_code: code.into(),
            case_number: number.map(str::to_owned),
            received_on: day,
            working_days_open: None,
            stage: "HANDLING".into(),
            reply_due_on: None,
        };
        // Ids in the opposite order of the numbers: an id tie-break would list 10 before 9.
        let mut district = Processing {
            oldest_open: vec![case(1, "a", Some("府〔2026〕10号")), case(2, "a", None)],
            ..Processing::default()
        };
        let town = Processing { oldest_open: vec![case(3, "b", Some("府〔2026〕9号"))], ..Processing::default() };
        district.add(&town);
        let numbers: Vec<_> = district.oldest_open.iter().map(|c| c.case_number.as_deref()).collect();
        assert_eq!(numbers, [Some("府〔2026〕9号"), Some("府〔2026〕10号"), None]);
    }

    #[test]
    fn median_average_and_bands_come_from_the_histogram() {
        // 3, 3, 8, 20, 21, 45
        let d = days(&[(3, 2), (8, 1), (20, 1), (21, 1), (45, 1)]);
        assert_eq!(d.count(), 6);
        assert_eq!(d.median(), Some(14.0));
        assert_eq!(d.average(), Some(100.0 / 6.0));
        assert_eq!((d.shortest(), d.longest()), (Some(3), Some(45)));
        assert_eq!(d.bands(), [2, 1, 0, 1, 1, 1]);
        let odd = days(&[(0, 1), (5, 1), (6, 1)]);
        assert_eq!(odd.median(), Some(5.0));
        assert_eq!(odd.bands(), [2, 1, 0, 0, 0, 0]);
        assert_eq!(days(&[]).median(), None);
        assert_eq!(days(&[]).average(), None);
    }

    #[test]
    fn table_four_has_fifteen_figures_with_totals() {
        let mut t = ChallengeTable::default();
        t.count(ChallengeKind::Reconsideration, ChallengeResult::Upheld, 2);
        t.count(ChallengeKind::Reconsideration, ChallengeResult::Pending, 1);
        t.count(ChallengeKind::SuitAfterReconsideration, ChallengeResult::Corrected, 1);
        let f = t.figures();
        assert_eq!(f.len(), 15);
        assert_eq!(f[0], ("行政复议", "结果维持", 2));
        assert_eq!(f[3], ("行政复议", "尚未审结", 1));
        assert_eq!(f[4], ("行政复议", "总计", 3));
        assert_eq!(f[11], ("复议后起诉", "结果纠正", 1));
        assert_eq!(f[14], ("复议后起诉", "总计", 1));
    }
}
