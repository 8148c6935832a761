//! The provisional calendar (暂定日历) for a year whose State Council notice is not loaded.
//!
//! Offices work in December before next year's notice exists (it usually comes in November,
//! sometimes later), so a count that reaches into that year cannot wait for it (rules.md §3).
//! Such a year is counted on the statutory holidays alone: Monday to Friday minus the days
//! off that 全国年节及纪念日放假办法 itself fixes, with no make-up working days (调休) and no
//! substitute days (a holiday on a weekend gives nothing back): the notice alone decides those.
//! Every count that used this calendar says so, and the date is recomputed when the notice is
//! loaded.
//!
//! Which revision applies is decided by the year counted:
//! - 2013 revision (国务院令第644号, in force 2014-01-01): 元旦 1 day; 春节 3 days (正月初一至
//!   初三); 清明 1; 劳动节 1 (1 May); 端午 1; 中秋 1; 国庆 3 (1–3 October);
//! - 2024 revision (国务院令第795号, in force 2025-01-01): 元旦 1; 春节 4 days (除夕 and 正月
//!   初一至初三); 清明 1; 劳动节 2 (1–2 May); 端午 1; 中秋 1; 国庆 3.
//!
//! The lunar dates and the Qingming solar-term day are data, [`TABLE`], for 2018–2035. Sources:
//! the lunar dates are those of GB/T 33661-2017 《农历的编算和颁行》 as tabulated by the Hong
//! Kong Observatory (公历与农历日期对照表), read through the `borax` library's table; the Qingming
//! day is the Beijing-time day on which the sun's apparent ecliptic longitude reaches 15°,
//! computed with the `ephem` library (VSOP87); 除夕 is the day before 正月初一. Both sources
//! were checked against each other and against every 2018–2026 notice (the test below checks
//! each statutory day of those years against the bundled notices). Before 2018 and after 2035
//! no rule here gives an answer: "calendar unknown" stays an error there.

use time::{Date, Duration, Month};

/// The first year the provisional calendar covers.
pub const FIRST_YEAR: i32 = 2018;
/// The last year the provisional calendar covers.
pub const LAST_YEAR: i32 = 2035;

/// What the provisional mark says wherever a provisional date is shown or printed (rules.md §3).
pub const NOTE_ZH: &str = "以国务院办公厅公布的放假安排为准";

/// One year's movable feasts as (month, day): 正月初一 (Spring Festival), 清明 (the solar
/// term), 五月初五 (端午), 八月十五 (中秋).
#[derive(Debug, Clone, Copy)]
struct Row {
    year: i32,
    spring_festival: (u8, u8),
    qingming: (u8, u8),
    dragon_boat: (u8, u8),
    mid_autumn: (u8, u8),
}

const fn row(year: i32, sf: (u8, u8), qm: (u8, u8), db: (u8, u8), ma: (u8, u8)) -> Row {
    Row { year, spring_festival: sf, qingming: qm, dragon_boat: db, mid_autumn: ma }
}

/// 正月初一, 清明, 端午, 中秋 for 2018–2035 (sources in the module documentation).
const TABLE: [Row; 18] = [
    row(2018, (2, 16), (4, 5), (6, 18), (9, 24)),
    row(2019, (2, 5), (4, 5), (6, 7), (9, 13)),
    row(2020, (1, 25), (4, 4), (6, 25), (10, 1)),
    row(2021, (2, 12), (4, 4), (6, 14), (9, 21)),
    row(2022, (2, 1), (4, 5), (6, 3), (9, 10)),
    row(2023, (1, 22), (4, 5), (6, 22), (9, 29)),
    row(2024, (2, 10), (4, 4), (6, 10), (9, 17)),
    row(2025, (1, 29), (4, 4), (5, 31), (10, 6)),
    row(2026, (2, 17), (4, 5), (6, 19), (9, 25)),
    row(2027, (2, 6), (4, 5), (6, 9), (9, 15)),
    row(2028, (1, 26), (4, 4), (5, 28), (10, 3)),
    row(2029, (2, 13), (4, 4), (6, 16), (9, 22)),
    row(2030, (2, 3), (4, 5), (6, 5), (9, 12)),
    row(2031, (1, 23), (4, 5), (6, 24), (10, 1)),
    row(2032, (2, 11), (4, 4), (6, 12), (9, 19)),
    row(2033, (1, 31), (4, 4), (6, 1), (9, 8)),
    row(2034, (2, 19), (4, 5), (6, 20), (9, 27)),
    row(2035, (2, 8), (4, 5), (6, 10), (9, 16)),
];

fn date(year: i32, (month, day): (u8, u8)) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// The statutory days off of `year` under the revision of 全国年节及纪念日放假办法 in force
/// that year, each with its holiday's name (the names the notices use); `None` outside
/// [`FIRST_YEAR`]..=[`LAST_YEAR`]. Two holidays may fall on one day (中秋 on 1 October 2020):
/// the day is listed once per holiday, and no substitute day is given.
pub fn statutory_days_off(year: i32) -> Option<Vec<(Date, &'static str)>> {
    let row = TABLE.iter().find(|r| r.year == year)?;
    // 2024 revision (国务院令第795号), in force 2025-01-01; before it the 2013 revision.
    let revision_2024 = year >= 2025;
    let new_year = date(year, row.spring_festival)?;
    let mut days = vec![(date(year, (1, 1))?, "元旦")];
    if revision_2024 {
        // 除夕: the last day of the lunar year, the day before 正月初一 (it may fall in the
        // previous Gregorian year only if 正月初一 were 1 January, which never happens).
        days.push((new_year - Duration::days(1), "春节"));
    }
    days.extend((0..3).map(|i| (new_year + Duration::days(i), "春节")));
    days.push((date(year, row.qingming)?, "清明节"));
    days.push((date(year, (5, 1))?, "劳动节"));
    if revision_2024 {
        days.push((date(year, (5, 2))?, "劳动节"));
    }
    days.push((date(year, row.dragon_boat)?, "端午节"));
    days.push((date(year, row.mid_autumn)?, "中秋节"));
    days.extend((1..=3).filter_map(|d| date(year, (10, d))).map(|d| (d, "国庆节")));
    Some(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use time::macros::date;

    #[test]
    fn the_table_covers_2018_to_2035_in_order() {
        let years: Vec<i32> = TABLE.iter().map(|r| r.year).collect();
        assert_eq!(years, (FIRST_YEAR..=LAST_YEAR).collect::<Vec<_>>());
        for year in FIRST_YEAR..=LAST_YEAR {
            let days = statutory_days_off(year).unwrap();
            assert!(days.iter().all(|(d, _)| d.year() == year), "{year}: {days:?}");
            let expected = if year >= 2025 { 13 } else { 11 };
            assert_eq!(days.len(), expected, "{year}");
        }
        assert!(statutory_days_off(2017).is_none());
        assert!(statutory_days_off(2036).is_none());
    }

    /// Every statutory day off of 2018–2026 by this table is a day off in that year's real
    /// State Council notice: the notices move make-up days around the statutory days, never
    /// the statutory days themselves.
    #[test]
    fn each_statutory_day_of_2018_to_2026_is_off_in_the_real_notice() {
        let official = Calendar::bundled();
        for year in 2018..=2026 {
            for (day, name) in statutory_days_off(year).unwrap() {
                assert!(
                    !official.is_working_day(day).unwrap(),
                    "{year}: {day} ({name}) is a statutory day off but a working day in the notice"
                );
            }
        }
    }

    #[test]
    fn the_2024_revision_adds_new_years_eve_and_second_of_may() {
        // 2024 (2013 revision): 除夕 9 February was a working day in the real notice, and is
        // not a statutory day; 2026 (2024 revision): 除夕 is 16 February.
        let y2024 = statutory_days_off(2024).unwrap();
        assert!(!y2024.iter().any(|(d, _)| *d == date!(2024 - 02 - 09)));
        assert!(!y2024.iter().any(|(d, _)| *d == date!(2024 - 05 - 02)));
        let y2026 = statutory_days_off(2026).unwrap();
        assert!(y2026.contains(&(date!(2026 - 02 - 16), "春节")));
        assert!(y2026.contains(&(date!(2026 - 05 - 02), "劳动节")));
        // 2027: 除夕 5 February, 正月初一 6 February; 中秋 15 September.
        let y2027 = statutory_days_off(2027).unwrap();
        for d in [date!(2027 - 02 - 05), date!(2027 - 02 - 06), date!(2027 - 02 - 08), date!(2027 - 09 - 15)] {
            assert!(y2027.iter().any(|(x, _)| *x == d), "{d}");
        }
    }
}
