//! The period a report covers: a month, a quarter, a year or any range of days, both ends
//! included, and the parsers for the command line's `--month 2026-10`, `--quarter 2026-Q3`,
//! `--year 2025` and `--from/--to`.

use foi_domain::outcome::Format;
use time::{Date, Month};

/// A range of days, `from` and `to` both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Period {
    /// The first day.
    pub from: Date,
    /// The last day.
    pub to: Date,
}

/// Why a period could not be formed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The text is not of the expected shape or names no real date.
    #[error("{what} {found:?} is not valid: expected {expected}")]
    Malformed {
        /// What was parsed, e.g. "month".
        what: &'static str,
        /// The text given.
        found: String,
        /// The accepted shape, e.g. "YYYY-MM".
        expected: &'static str,
    },
    /// The range ends before it starts.
    #[error("the period ends ({to}) before it starts ({from})")]
    Reversed {
        /// First day given.
        from: Date,
        /// Last day given.
        to: Date,
    },
}

fn malformed(what: &'static str, found: &str, expected: &'static str) -> PeriodError {
    PeriodError::Malformed { what, found: found.to_owned(), expected }
}

fn parse_year_number(text: &str, what: &'static str, expected: &'static str, whole: &str) -> Result<i32, PeriodError> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(what, whole, expected));
    }
    let year: i32 = text.parse().map_err(|_| malformed(what, whole, expected))?;
    if year < 1900 {
        return Err(malformed(what, whole, expected));
    }
    Ok(year)
}

impl Period {
    /// The days `from` to `to`; [`PeriodError::Reversed`] if `to` is before `from`.
    pub fn new(from: Date, to: Date) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::Reversed { from, to });
        }
        Ok(Period { from, to })
    }

    /// A calendar month.
    pub fn month(year: i32, month: Month) -> Result<Period, PeriodError> {
        let bad = || malformed("month", &format!("{year}-{:02}", month as u8), "a real month");
        let from = Date::from_calendar_date(year, month, 1).map_err(|_| bad())?;
        let to = Date::from_calendar_date(year, month, month.length(year)).map_err(|_| bad())?;
        Ok(Period { from, to })
    }

    /// A calendar year.
    pub fn year(year: i32) -> Result<Period, PeriodError> {
        let bad = || malformed("year", &year.to_string(), "a real year");
        let from = Date::from_calendar_date(year, Month::January, 1).map_err(|_| bad())?;
        let to = Date::from_calendar_date(year, Month::December, 31).map_err(|_| bad())?;
        Ok(Period { from, to })
    }

    /// `YYYY-MM`, e.g. `2026-10`.
    pub fn parse_month(text: &str) -> Result<Period, PeriodError> {
        const EXPECTED: &str = "YYYY-MM, e.g. 2026-10";
        let t = text.trim();
        let (y, m) = t.split_once('-').ok_or_else(|| malformed("month", text, EXPECTED))?;
        let year = parse_year_number(y, "month", EXPECTED, text)?;
        if m.len() != 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed("month", text, EXPECTED));
        }
        let number: u8 = m.parse().map_err(|_| malformed("month", text, EXPECTED))?;
        let month = Month::try_from(number).map_err(|_| malformed("month", text, EXPECTED))?;
        Period::month(year, month)
    }

    /// `YYYY-Qn`, e.g. `2026-Q3` (July to September).
    pub fn parse_quarter(text: &str) -> Result<Period, PeriodError> {
        const EXPECTED: &str = "YYYY-Qn with n from 1 to 4, e.g. 2026-Q3";
        let t = text.trim();
        let (y, q) = t.split_once('-').ok_or_else(|| malformed("quarter", text, EXPECTED))?;
        let year = parse_year_number(y, "quarter", EXPECTED, text)?;
        let quarter = match q {
            "Q1" | "q1" => 1u8,
            "Q2" | "q2" => 2,
            "Q3" | "q3" => 3,
            "Q4" | "q4" => 4,
            _ => return Err(malformed("quarter", text, EXPECTED)),
        };
        let first = Month::try_from(quarter * 3 - 2).map_err(|_| malformed("quarter", text, EXPECTED))?;
        let last = Month::try_from(quarter * 3).map_err(|_| malformed("quarter", text, EXPECTED))?;
        Ok(Period { from: Period::month(year, first)?.from, to: Period::month(year, last)?.to })
    }

    /// `YYYY`, e.g. `2025`.
    pub fn parse_year(text: &str) -> Result<Period, PeriodError> {
        Period::year(parse_year_number(text.trim(), "year", "YYYY, e.g. 2025", text)?)
    }

    /// `YYYY-MM-DD` to `YYYY-MM-DD`, both included.
    pub fn parse_range(from: &str, to: &str) -> Result<Period, PeriodError> {
        const EXPECTED: &str = "a date YYYY-MM-DD, e.g. 2026-10-08";
        let date = |t: &str| foi_domain::calendar::parse_date(t.trim()).map_err(|_| malformed("date", t, EXPECTED));
        Period::new(date(from)?, date(to)?)
    }

    /// The year the period lies in, if it lies within one.
    pub fn single_year(&self) -> Option<i32> {
        (self.from.year() == self.to.year()).then_some(self.from.year())
    }

    /// Whether the period is exactly one calendar year (the annual report).
    pub fn is_calendar_year(&self) -> bool {
        self.single_year().is_some_and(|y| Period::year(y).is_ok_and(|p| p == *self))
    }

    /// The table layout: that of the year's annual report when the period lies within one
    /// year (so 2019 and 2020 use the 2019 format), else the current (2021) format.
    pub fn format(&self) -> Format {
        self.single_year().map_or(Format::Y2021, Format::for_year)
    }

    /// The twelve months of `year`.
    pub fn months_of(year: i32) -> Result<Vec<Period>, PeriodError> {
        let mut month = Month::January;
        let mut out = Vec::with_capacity(12);
        for _ in 0..12 {
            out.push(Period::month(year, month)?);
            month = month.next();
        }
        Ok(out)
    }

    /// How the period is named in a report: `2026年10月`, `2026年第三季度`, `2026年`, or
    /// `2026-10-08至2026-11-07`.
    pub fn label_zh(&self) -> String {
        if self.is_calendar_year() {
            return format!("{}年", self.from.year());
        }
        let year = self.from.year();
        if let Ok(p) = Period::month(year, self.from.month())
            && p == *self
        {
            return format!("{}年{}月", year, self.from.month() as u8);
        }
        for (q, name) in [(1u8, "一"), (2, "二"), (3, "三"), (4, "四")] {
            if Period::parse_quarter(&format!("{year}-Q{q}")).is_ok_and(|p| p == *self) {
                return format!("{year}年第{name}季度");
            }
        }
        format!("{}至{}", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parses_each_shape() {
        assert_eq!(
            Period::parse_month("2026-02").unwrap(),
            Period { from: date!(2026 - 02 - 01), to: date!(2026 - 02 - 28) }
        );
        assert_eq!(Period::parse_month("2024-02").unwrap().to, date!(2024 - 02 - 29));
        assert_eq!(
            Period::parse_quarter("2026-Q3").unwrap(),
            Period { from: date!(2026 - 07 - 01), to: date!(2026 - 09 - 30) }
        );
        assert_eq!(
            Period::parse_year("2025").unwrap(),
            Period { from: date!(2025 - 01 - 01), to: date!(2025 - 12 - 31) }
        );
        assert_eq!(
            Period::parse_range("2026-10-08", "2026-11-07").unwrap(),
            Period { from: date!(2026 - 10 - 08), to: date!(2026 - 11 - 07) }
        );
    }

    #[test]
    fn refuses_bad_input() {
        for bad in ["2026-13", "2026-00", "2026-1", "26-10", "2026/10", "", "2026-10-01"] {
            assert!(Period::parse_month(bad).is_err(), "{bad}");
        }
        for bad in ["2026-Q0", "2026-Q5", "2026Q3", "2026-3"] {
            assert!(Period::parse_quarter(bad).is_err(), "{bad}");
        }
        assert!(Period::parse_year("202").is_err());
        assert!(Period::parse_year("abcd").is_err());
        assert!(matches!(Period::parse_range("2026-10-08", "2026-10-07"), Err(PeriodError::Reversed { .. })));
        assert!(Period::parse_range("2026-02-30", "2026-03-01").is_err());
    }

    #[test]
    fn labels_and_formats() {
        assert_eq!(Period::parse_month("2026-10").unwrap().label_zh(), "2026年10月");
        assert_eq!(Period::parse_quarter("2026-Q3").unwrap().label_zh(), "2026年第三季度");
        assert_eq!(Period::parse_year("2025").unwrap().label_zh(), "2025年");
        assert_eq!(Period::parse_range("2026-10-08", "2026-11-07").unwrap().label_zh(), "2026-10-08至2026-11-07");
        assert_eq!(Period::parse_year("2020").unwrap().format(), Format::Y2019);
        assert_eq!(Period::parse_month("2019-05").unwrap().format(), Format::Y2019);
        assert_eq!(Period::parse_year("2021").unwrap().format(), Format::Y2021);
        assert_eq!(Period::parse_range("2020-12-01", "2021-01-31").unwrap().format(), Format::Y2021);
    }
}
