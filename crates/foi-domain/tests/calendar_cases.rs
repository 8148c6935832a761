//! Deadline cases from the real State Council holiday notices of every year 2018–2026.
//!
//! Every expected date below was counted by hand from `shared/calendar/cn-official-holidays.json`
//! (the comment above each case is that count) and cross-checked with a separate throwaway
//! script; none was taken from this crate's output. Counting rule (Civil Code 201, 203;
//! rules.md §3): the start day is day 0 and not counted; only working days count (Monday to
//! Friday, minus official days off, plus make-up weekend days 调休上班); the N-th working day
//! is the deadline.
//!
//! Notation in the comments: "(n)" is the n-th working day counted, "(a..b)" a run of them;
//! "off" days are official days off; "make-up" days are weekend days worked (调休上班).

use foi_domain::calendar::{Calendar, CalendarError, DayKind};
use foi_domain::clock;
use time::Date;
use time::macros::date;

/// Working days of each limit, as rules.md §3 states them (not taken from the crate).
const REPLY: u32 = 20;
const EXTENSION: u32 = 20;
const CORRECTION: u32 = 7;
const CONSULTATION: u32 = 15;
const FEE: u32 = 20;

/// Table rows: `"case": day 0 + LIMIT => last day;`, where day 0 is the date of receipt (or the
/// day the consultation letter or fee notice arrives) and the last day is the N-th working day.
macro_rules! cases {
    ($($name:literal: $sy:tt-$sm:tt-$sd:tt + $limit:ident => $ey:tt-$em:tt-$ed:tt;)*) => {
        &[$(($name, date!($sy - $sm - $sd), $limit, date!($ey - $em - $ed))),*]
    };
}

/// (case, day 0, limit in working days, last day).
const CASES: &[(&str, Date, u32, Date)] = cases! {
    // ---------------------------------------------------------------- 2018
    // Fri 9 Feb. Sun 11 make-up (1); 12–14 (2..4); 春节 15–21 Feb off; 22, 23 (5, 6);
    // Sat 24 make-up (7); 26–28 (8..10); 1, 2 Mar (11, 12); 5–9 (13..17); 12–14 (18..20).
    "2018 春节, reply": 2018-02-09 + REPLY => 2018-03-14;
    // Fri 9 Feb. Sun 11 make-up (1); 12–14 (2..4); 15–21 off; 22, 23 (5, 6);
    // Sat 24 make-up (7): the deadline falls on a make-up Saturday.
    "2018 春节, correction ends on make-up Sat 24 Feb": 2018-02-09 + CORRECTION => 2018-02-24;
    // Tue 3 Apr. Wed 4 (1); 清明 5–7 off; Sun 8 make-up (2); 9–13 (3..7); 16–20 (8..12);
    // 23–27 (13..17); Sat 28 make-up (18); 劳动节 29 Apr–1 May off; Wed 2 (19), Thu 3 May (20).
    "2018 清明 + 劳动节, reply": 2018-04-03 + REPLY => 2018-05-03;
    // Fri 15 Jun. 端午 Mon 18 off; 19–22 (1..4); 25–29 (5..9); 2–6 Jul (10..14); Mon 9 Jul (15).
    "2018 端午, consultation": 2018-06-15 + CONSULTATION => 2018-07-09;
    // Fri 21 Sep. 中秋 Mon 24 off; 25–28 (1..4); Sat 29 and Sun 30 make-up (5, 6);
    // 国庆 1–7 Oct off; 8–12 (7..11); 15–19 (12..16); 22–25 (17..20).
    "2018 中秋 + 国庆, reply": 2018-09-21 + REPLY => 2018-10-25;
    // Thu 20 Dec. Fri 21 (1); 24–28 (2..6); Sat 29 Dec worked under the 2019 notice (7).
    "2018 year end, correction ends on make-up Sat 29 Dec (2019 notice)": 2018-12-20 + CORRECTION => 2018-12-29;
    // Mon 24 Dec. 25–28 (1..4); Sat 29 make-up (5); 元旦 30 Dec–1 Jan off (Mon 31 Dec off);
    // 2–4 Jan (6..8); 7–11 (9..13); 14–18 (14..18); 21, 22 Jan (19, 20).
    "2018→2019 元旦, reply": 2018-12-24 + REPLY => 2019-01-22;
    // ---------------------------------------------------------------- 2019
    // Wed 30 Jan. 31 Jan, 1 Feb (1, 2); Sat 2 and Sun 3 Feb make-up (3, 4); 春节 4–10 Feb off;
    // 11–15 (5..9); 18–22 (10..14); 25 Feb–1 Mar (15..19); Mon 4 Mar (20).
    "2019 春节, reply": 2019-01-30 + REPLY => 2019-03-04;
    // Wed 30 Jan. 31 Jan, 1 Feb (1, 2); Sat 2, Sun 3 make-up (3, 4); 4–10 off; 11–13 Feb (5..7).
    "2019 春节, correction": 2019-01-30 + CORRECTION => 2019-02-13;
    // Mon 1 Apr. 2–4 (1..3); 清明 Fri 5 off; 8–12 (4..8); 15–19 (9..13); 22–26 (14..18);
    // Sun 28 Apr make-up for the amended 劳动节 (19); Mon 29 Apr (20).
    "2019 清明, reply ends after make-up Sun 28 Apr": 2019-04-01 + REPLY => 2019-04-29;
    // Thu 25 Apr. Fri 26 (1); Sun 28 make-up (2); 29, 30 (3, 4); amended 劳动节 1–4 May off;
    // Sun 5 May make-up (5); 6, 7 May (6, 7). (The original notice had 1 May off only.)
    "2019 劳动节 as amended, correction": 2019-04-25 + CORRECTION => 2019-05-07;
    // Thu 25 Apr. 26 (1); Sun 28 (2); 29, 30 (3, 4); 1–4 May off; Sun 5 (5); 6–10 (6..10);
    // 13–17 (11..15); 20–24 May (16..20).
    "2019 劳动节 as amended, reply": 2019-04-25 + REPLY => 2019-05-24;
    // Wed 11 Sep. Thu 12 (1); 中秋 Fri 13 off; 16–20 (2..6); 23–27 (7..11); Sun 29 make-up (12);
    // Mon 30 (13); 国庆 1–7 Oct off; 8–11 (14..17); Sat 12 Oct make-up (18); 14, 15 Oct (19, 20).
    "2019 中秋 + 国庆, reply": 2019-09-11 + REPLY => 2019-10-15;
    // Fee notice received Mon 30 Sep. 国庆 1–7 Oct off; 8–11 (1..4); Sat 12 Oct make-up (5);
    // 14–18 (6..10); 21–25 (11..15); 28 Oct–1 Nov (16..20).
    "2019 国庆, fee payment": 2019-09-30 + FEE => 2019-11-01;
    // Tue 24 Dec. 25–27 (1..3); 30, 31 (4, 5); 元旦 1 Jan off; 2, 3 (6, 7); 6–10 (8..12);
    // 13–17 (13..17); Sun 19 Jan make-up for 春节 2020 (18); 20, 21 Jan (19, 20).
    "2019→2020 元旦, reply counts make-up Sun 19 Jan": 2019-12-24 + REPLY => 2020-01-21;
    // ---------------------------------------------------------------- 2020
    // Mon 20 Jan. 21–23 (1..3); 春节 24 Jan–2 Feb off as extended (Fri 31 Jan and the former
    // make-up Sat 1 Feb no longer worked); 3–7 Feb (4..8); 10–14 (9..13); 17–21 (14..18);
    // 24, 25 Feb (19, 20). Under the original notice it would have been 21 Feb.
    "2020 春节 extended to 2 Feb, reply": 2020-01-20 + REPLY => 2020-02-25;
    // Thu 23 Apr. Fri 24 (1); Sun 26 make-up (2); 27–30 (3..6); 劳动节 1–5 May off; Wed 6 May (7).
    "2020 劳动节, correction": 2020-04-23 + CORRECTION => 2020-05-06;
    // Thu 23 Apr. 24 (1); Sun 26 (2); 27–30 (3..6); 1–5 May off; 6–8 (7..9);
    // Sat 9 May make-up (10); 11–15 (11..15); 18–22 May (16..20).
    "2020 劳动节, reply": 2020-04-23 + REPLY => 2020-05-22;
    // Mon 22 Jun. 23, 24 (1, 2); 端午 25–27 off; Sun 28 make-up (3); 29, 30 (4, 5);
    // 1–3 Jul (6..8); 6–10 (9..13); 13, 14 Jul (14, 15).
    "2020 端午, consultation": 2020-06-22 + CONSULTATION => 2020-07-14;
    // Fri 18 Sep. 21–25 (1..5); Sun 27 make-up (6); 28–30 (7..9); 国庆+中秋 1–8 Oct off;
    // Fri 9 (10); Sat 10 Oct make-up (11); 12–16 (12..16); 19–22 Oct (17..20).
    "2020 国庆 + 中秋 combined, reply": 2020-09-18 + REPLY => 2020-10-22;
    // Thu 17 Dec. Fri 18 (1); 21–25 (2..6); 28–31 (7..10); 元旦 1–3 Jan 2021 off;
    // 4–8 Jan (11..15); 11–15 Jan (16..20).
    "2020→2021 元旦, reply": 2020-12-17 + REPLY => 2021-01-15;
    // ---------------------------------------------------------------- 2021
    // Thu 4 Feb. Fri 5 (1); Sun 7 make-up (2); 8–10 (3..5); 春节 11–17 off; 18, 19 (6, 7);
    // Sat 20 make-up (8); 22–26 (9..13); 1–5 Mar (14..18); 8, 9 Mar (19, 20).
    "2021 春节, reply": 2021-02-04 + REPLY => 2021-03-09;
    // Fri 5 Feb. Sun 7 make-up (1); 8–10 (2..4); 11–17 off; 18, 19 (5, 6); Sat 20 make-up (7).
    "2021 春节, correction ends on make-up Sat 20 Feb": 2021-02-05 + CORRECTION => 2021-02-20;
    // Fri 2 Apr. 清明 3–5 Apr off (Sat–Mon); 6–9 (1..4); 12–14 Apr (5..7).
    "2021 清明, correction": 2021-04-02 + CORRECTION => 2021-04-14;
    // Fri 23 Apr. Sun 25 make-up (1); 26–30 (2..6); 劳动节 1–5 May off; Thu 6 May (7).
    "2021 劳动节, correction": 2021-04-23 + CORRECTION => 2021-05-06;
    // Wed 15 Sep. 16, 17 (1, 2); Sat 18 make-up (3); 中秋 19–21 off; 22–24 (4..6);
    // Sun 26 make-up (7); 27–30 (8..11); 国庆 1–7 Oct off; Fri 8 (12); Sat 9 Oct make-up (13);
    // 11–15 (14..18); 18, 19 Oct (19, 20).
    "2021 中秋 + 国庆, reply": 2021-09-15 + REPLY => 2021-10-19;
    // Fee notice received Fri 17 Sep. Sat 18 make-up (1); 19–21 off; 22–24 (2..4);
    // Sun 26 make-up (5); 27–30 (6..9); 1–7 Oct off; Fri 8 (10); Sat 9 make-up (11);
    // 11–15 (12..16); 18–21 Oct (17..20).
    "2021 中秋 + 国庆, fee payment": 2021-09-17 + FEE => 2021-10-21;
    // Fri 31 Dec. 元旦 1–3 Jan 2022 off; 4–7 (1..4); 10–14 (5..9); 17–21 (10..14);
    // 24–28 (15..19); Sat 29 Jan make-up for 春节 2022 (20).
    "2021→2022 元旦, reply ends on make-up Sat 29 Jan": 2021-12-31 + REPLY => 2022-01-29;
    // ---------------------------------------------------------------- 2022
    // Tue 25 Jan. 26–28 (1..3); Sat 29 and Sun 30 make-up (4, 5); 春节 31 Jan–6 Feb off;
    // 7–11 Feb (6..10); 14–18 (11..15); 21–25 Feb (16..20).
    "2022 春节, reply": 2022-01-25 + REPLY => 2022-02-25;
    // Fri 1 Apr. Sat 2 make-up (1); 清明 3–5 off; 6–8 (2..4); 11–13 Apr (5..7).
    "2022 清明, correction": 2022-04-01 + CORRECTION => 2022-04-13;
    // Fri 22 Apr. Sun 24 make-up (1); 25–29 (2..6); 劳动节 30 Apr–4 May off; 5, 6 (7, 8);
    // Sat 7 May make-up (9); 9–13 (10..14); 16–20 (15..19); Mon 23 May (20).
    "2022 劳动节, reply": 2022-04-22 + REPLY => 2022-05-23;
    // Thu 8 Sep. Fri 9 (1); 中秋 10–12 off; 13–16 (2..5); 19–23 (6..10); 26–30 (11..15);
    // 国庆 1–7 Oct off; Sat 8 and Sun 9 Oct make-up (16, 17); 10–12 Oct (18..20).
    "2022 中秋 + 国庆, reply": 2022-09-08 + REPLY => 2022-10-12;
    // Consultation letter received Wed 28 Sep. 29, 30 (1, 2); 国庆 1–7 Oct off;
    // Sat 8, Sun 9 make-up (3, 4); 10–14 (5..9); 17–21 (10..14); Mon 24 Oct (15).
    "2022 国庆, consultation": 2022-09-28 + CONSULTATION => 2022-10-24;
    // Thu 29 Dec. Fri 30 (1); 元旦 31 Dec–2 Jan off (2023 notice); 3–6 Jan (2..5); 9–13 (6..10);
    // 16–20 (11..15); 春节 21–27 Jan off; Sat 28, Sun 29 make-up (16, 17); 30 Jan–1 Feb (18..20).
    "2022→2023 元旦 + 春节, reply": 2022-12-29 + REPLY => 2023-02-01;
    // ---------------------------------------------------------------- 2023
    // Fri 20 Jan. 春节 21–27 off; Sat 28, Sun 29 make-up (1, 2); 30 Jan–3 Feb (3..7).
    "2023 春节, correction": 2023-01-20 + CORRECTION => 2023-02-03;
    // Mon 3 Apr. Tue 4 (1); 清明 Wed 5 off; 6, 7 (2, 3); 10–13 Apr (4..7).
    "2023 清明, correction": 2023-04-03 + CORRECTION => 2023-04-13;
    // Fri 21 Apr. Sun 23 make-up (1); 24–28 (2..6); 劳动节 29 Apr–3 May off; 4, 5 (7, 8);
    // Sat 6 May make-up (9); 8–12 (10..14); 15–19 (15..19); Mon 22 May (20).
    "2023 劳动节, reply": 2023-04-21 + REPLY => 2023-05-22;
    // Tue 20 Jun. Wed 21 (1); 端午 22–24 off; Sun 25 make-up (2); 26–30 (3..7); 3–7 Jul (8..12);
    // 10–12 Jul (13..15).
    "2023 端午, consultation": 2023-06-20 + CONSULTATION => 2023-07-12;
    // Fri 22 Sep. 25–28 (1..4); 中秋+国庆 29 Sep–6 Oct off; Sat 7, Sun 8 Oct make-up (5, 6);
    // 9–13 (7..11); 16–20 (12..16); 23–26 Oct (17..20).
    "2023 中秋 + 国庆 combined, reply": 2023-09-22 + REPLY => 2023-10-26;
    // Fri 22 Dec. 25–29 (1..5); 元旦 Mon 1 Jan 2024 off; 2–5 Jan (6..9); 8–12 (10..14);
    // 15–19 (15..19); Mon 22 Jan (20).
    "2023→2024 元旦, reply": 2023-12-22 + REPLY => 2024-01-22;
    // ---------------------------------------------------------------- 2024
    // Fri 2 Feb. Sun 4 make-up (1); 5–9 (2..6); 春节 10–17 off; Sun 18 make-up (7);
    // 19–23 (8..12); 26 Feb–1 Mar (13..17); 4–6 Mar (18..20).
    "2024 春节, reply": 2024-02-02 + REPLY => 2024-03-06;
    // Tue 2 Apr. Wed 3 (1); 清明 4–6 off; Sun 7 make-up (2); 8–12 Apr (3..7).
    "2024 清明, correction": 2024-04-02 + CORRECTION => 2024-04-12;
    // Thu 25 Apr. Fri 26 (1); Sun 28 make-up (2); 29, 30 (3, 4); 劳动节 1–5 May off;
    // 6–10 (5..9); Sat 11 May make-up (10); 13–17 (11..15); 20–24 May (16..20).
    "2024 劳动节, reply": 2024-04-25 + REPLY => 2024-05-24;
    // Consultation letter received Fri 7 Jun. 端午 Mon 10 off; 11–14 (1..4); 17–21 (5..9);
    // 24–28 (10..14); Mon 1 Jul (15).
    "2024 端午, consultation": 2024-06-07 + CONSULTATION => 2024-07-01;
    // Thu 12 Sep. Fri 13 (1); Sat 14 make-up (2); 中秋 15–17 off; 18–20 (3..5); 23–27 (6..10);
    // Sun 29 make-up (11); Mon 30 (12); 国庆 1–7 Oct off; 8–11 (13..16); Sat 12 Oct make-up (17);
    // 14–16 Oct (18..20).
    "2024 中秋 + 国庆, reply": 2024-09-12 + REPLY => 2024-10-16;
    // Mon 30 Dec. Tue 31 (1); 元旦 1 Jan 2025 off; 2, 3 (2, 3); 6–10 (4..8); 13–17 (9..13);
    // 20–24 (14..18); Sun 26 Jan make-up for 春节 2025 (19); Mon 27 Jan (20).
    "2024→2025 元旦, reply counts make-up Sun 26 Jan": 2024-12-30 + REPLY => 2025-01-27;
    // ---------------------------------------------------------------- 2025
    // Fri 24 Jan. Sun 26 make-up (1); Mon 27 (2); 春节 28 Jan–4 Feb off; 5–7 Feb (3..5);
    // Sat 8 Feb make-up (6); 10–14 (7..11); 17–21 (12..16); 24–27 Feb (17..20).
    "2025 春节, reply": 2025-01-24 + REPLY => 2025-02-27;
    // Fri 24 Jan. Sun 26 (1); 27 (2); 28 Jan–4 Feb off; 5–7 (3..5); Sat 8 (6); Mon 10 Feb (7).
    "2025 春节, correction": 2025-01-24 + CORRECTION => 2025-02-10;
    // Thu 24 Apr. Fri 25 (1); Sun 27 make-up (2); 28–30 (3..5); 劳动节 1–5 May off; 6, 7 May (6, 7).
    "2025 劳动节, correction": 2025-04-24 + CORRECTION => 2025-05-07;
    // Fri 16 May. 19–23 (1..5); 26–30 (6..10); 端午 31 May–2 Jun off; 3–6 Jun (11..14); Mon 9 Jun (15).
    "2025 端午, consultation": 2025-05-16 + CONSULTATION => 2025-06-09;
    // Thu 25 Sep. Fri 26 (1); Sun 28 make-up (2); 29, 30 (3, 4); 国庆+中秋 1–8 Oct off;
    // 9, 10 (5, 6); Sat 11 Oct make-up (7); 13–17 (8..12); 20–24 (13..17); 27–29 Oct (18..20).
    "2025 国庆 + 中秋 combined, reply": 2025-09-25 + REPLY => 2025-10-29;
    // Wed 24 Dec. 25, 26 (1, 2); 29–31 (3..5); 元旦 1–3 Jan 2026 off; Sun 4 Jan make-up (6);
    // 5–9 (7..11); 12–16 (12..16); 19–22 Jan (17..20).
    "2025→2026 元旦, reply counts make-up Sun 4 Jan": 2025-12-24 + REPLY => 2026-01-22;
    // ---------------------------------------------------------------- 2026
    // Wed 31 Dec 2025. 元旦 1–3 Jan off; Sun 4 Jan make-up (1); 5–9 (2..6); Mon 12 Jan (7).
    "2026 元旦, correction": 2025-12-31 + CORRECTION => 2026-01-12;
    // Wed 11 Feb. 12, 13 (1, 2); Sat 14 make-up (3); 春节 15–23 Feb off (9 days); 24–27 (4..7);
    // Sat 28 Feb make-up (8); 2–6 Mar (9..13); 9–13 (14..18); 16, 17 Mar (19, 20).
    "2026 春节, reply": 2026-02-11 + REPLY => 2026-03-17;
    // Fri 13 Feb. Sat 14 make-up (1); 15–23 off; 24–27 (2..5); Sat 28 make-up (6); Mon 2 Mar (7).
    "2026 春节, correction": 2026-02-13 + CORRECTION => 2026-03-02;
    // Wed 1 Apr. 2, 3 (1, 2); 清明 4–6 off (Sat–Mon); 7–10 (3..6); 13–17 (7..11); 20–24 (12..16);
    // 27–30 Apr (17..20).
    "2026 清明, reply": 2026-04-01 + REPLY => 2026-04-30;
    // Wed 29 Apr. Thu 30 (1); 劳动节 1–5 May off; 6–8 (2..4); Sat 9 May make-up (5); 11, 12 May (6, 7).
    "2026 劳动节, correction": 2026-04-29 + CORRECTION => 2026-05-12;
    // Thu 18 Jun. 端午 19–21 off; 22–26 (1..5); 29 Jun–3 Jul (6..10); 6–10 Jul (11..15).
    "2026 端午, consultation": 2026-06-18 + CONSULTATION => 2026-07-10;
    // The example from the issue. Fri 18 Sep. Sun 20 make-up (1); 21–24 (2..5); 中秋 25–27 off;
    // 28–30 (6..8); 国庆 1–7 Oct off; 8, 9 (9, 10); Sat 10 Oct make-up (11); 12–16 (12..16);
    // 19–22 Oct (17..20).
    "2026 中秋 + 国庆, reply (issue example)": 2026-09-18 + REPLY => 2026-10-22;
    // Tue 22 Dec. 23–25 (1..3); 28–31 Dec (4..7): the last day of the last loaded year.
    "2026 year end, correction ends 31 Dec": 2026-12-22 + CORRECTION => 2026-12-31;
};

fn cal() -> Calendar {
    Calendar::bundled()
}

#[test]
fn limits_match_rules_md() {
    assert_eq!(clock::REPLY.working_days, REPLY);
    assert_eq!(clock::MAX_EXTENSION.working_days, EXTENSION);
    assert_eq!(clock::CORRECTION_NOTICE.working_days, CORRECTION);
    assert_eq!(clock::CONSULTATION.working_days, CONSULTATION);
    assert_eq!(clock::FEE_PAYMENT.working_days, FEE);
}

#[test]
fn cases_cover_every_year_2018_to_2026() {
    for year in 2018..=2026 {
        let n = CASES.iter().filter(|(_, start, _, _)| start.year() == year).count();
        assert!(n >= 4, "only {n} cases start in {year}");
    }
    assert!(CASES.len() >= 40);
}

#[test]
fn real_calendar_deadlines() {
    let c = cal();
    let mut failures = Vec::new();
    for &(name, start, limit, expected) in CASES {
        let strict = c.add_working_days(start, limit);
        if strict.as_ref() != Ok(&expected) {
            failures.push(format!(
                "{name}: {start} + {limit} working days: expected {expected}, add_working_days gave {strict:?}"
            ));
            continue;
        }
        match clock::deadline(&c, start, limit) {
            Ok(d) if d.date == expected && !d.is_provisional() => {}
            other => failures.push(format!(
                "{name}: clock::deadline({start}, {limit}) gave {other:?}, expected {expected} (not provisional)"
            )),
        }
        // The deadline is itself a working day, and exactly `limit` working days follow day 0.
        if c.is_working_day(expected) != Ok(true) {
            failures.push(format!("{name}: {expected} is not reported as a working day"));
        }
        let between = c.working_days_between(start, expected);
        if between != Ok(limit) {
            failures.push(format!("{name}: working_days_between({start}, {expected}) = {between:?}, expected {limit}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn receipt_deadlines_give_correction_reply_and_extension() {
    let c = cal();
    // (case, received, correction notice (7), reply (20), extended reply (reply + 20)).
    let cases: &[(&str, Date, Date, Date, Date)] = &[
        // Correction: 25–28 Dec (1..4), Sat 29 make-up (5), 元旦 30 Dec–1 Jan off, 2, 3 Jan (6, 7).
        // Reply: see the "2018→2019 元旦" case. Extension from Tue 22 Jan: 23–25 (1..3);
        // 28 Jan–1 Feb (4..8); Sat 2, Sun 3 Feb make-up (9, 10); 春节 4–10 Feb off; 11–15 (11..15);
        // 18–22 Feb (16..20).
        (
            "2018-12-24 (元旦 2019, 春节 2019)",
            date!(2018 - 12 - 24),
            date!(2019 - 01 - 03),
            date!(2019 - 01 - 22),
            date!(2019 - 02 - 22),
        ),
        // Thu 16 Jan 2020. Correction: Fri 17 (1); Sun 19 make-up (2); 20–23 (3..6);
        // 春节 24 Jan–2 Feb off (extended); Mon 3 Feb (7). Reply: 3–7 Feb (7..11); 10–14 (12..16);
        // 17–20 Feb (17..20). Extension from Thu 20 Feb: 21 (1); 24–28 (2..6); 2–6 Mar (7..11);
        // 9–13 (12..16); 16–19 Mar (17..20).
        (
            "2020-01-16 (春节 2020 extended)",
            date!(2020 - 01 - 16),
            date!(2020 - 02 - 03),
            date!(2020 - 02 - 20),
            date!(2020 - 03 - 19),
        ),
        // Thu 25 Sep 2025. Correction: Fri 26 (1); Sun 28 make-up (2); 29, 30 (3, 4);
        // 国庆+中秋 1–8 Oct off; 9, 10 (5, 6); Sat 11 Oct make-up (7). Reply: see "2025 国庆 + 中秋".
        // Extension from Wed 29 Oct: 30, 31 (1, 2); 3–7 Nov (3..7); 10–14 (8..12); 17–21 (13..17);
        // 24–26 Nov (18..20).
        (
            "2025-09-25 (国庆 + 中秋 2025)",
            date!(2025 - 09 - 25),
            date!(2025 - 10 - 11),
            date!(2025 - 10 - 29),
            date!(2025 - 11 - 26),
        ),
        // Fri 18 Sep 2026. Correction: Sun 20 make-up (1); 21–24 (2..5); 中秋 25–27 off;
        // 28, 29 Sep (6, 7). Reply: the issue example. Extension from Thu 22 Oct: 23 (1);
        // 26–30 (2..6); 2–6 Nov (7..11); 9–13 (12..16); 16–19 Nov (17..20).
        (
            "2026-09-18 (中秋 + 国庆 2026, issue example)",
            date!(2026 - 09 - 18),
            date!(2026 - 09 - 29),
            date!(2026 - 10 - 22),
            date!(2026 - 11 - 19),
        ),
    ];
    for &(name, received, correction, reply, extended) in cases {
        let r = clock::receipt_deadlines(&c, received).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.correction_notice.date, correction, "{name}: correction notice");
        assert_eq!(r.reply.date, reply, "{name}: reply");
        assert_eq!(r.extended_reply.date, extended, "{name}: extended reply");
        for (what, d) in [("correction", &r.correction_notice), ("reply", &r.reply), ("extended", &r.extended_reply)] {
            assert!(!d.is_provisional(), "{name}: {what} is provisional: {:?}", d.provisional_years);
        }
        // The extension counts from the reply deadline.
        assert_eq!(c.add_working_days(reply, EXTENSION), Ok(extended), "{name}: extension from reply");
    }
}

#[test]
fn working_days_between_real_spans() {
    let c = cal();
    let spans: &[(&str, Date, Date, u32)] = &[
        // 春节 2024: 10–17 Feb off; Sun 18 Feb make-up is the only working day.
        ("2024 春节", date!(2024 - 02 - 09), date!(2024 - 02 - 18), 1),
        // 春节 2020 as extended: 24 Jan–2 Feb off; only Mon 3 Feb counts (the original notice
        // would have given 3: Fri 31 Jan, Sat 1 Feb make-up, Mon 3 Feb).
        ("2020 春节 extended", date!(2020 - 01 - 23), date!(2020 - 02 - 03), 1),
        // 劳动节 2019 as amended: 1–4 May off; Sun 5 May make-up and Mon 6 May count.
        ("2019 劳动节 amended", date!(2019 - 04 - 30), date!(2019 - 05 - 06), 2),
        // 国庆+中秋 2025: 1–8 Oct all off.
        ("2025 国庆 + 中秋", date!(2025 - 09 - 30), date!(2025 - 10 - 08), 0),
        // Year boundary: Sat 29 Dec 2018 worked (2019 notice), 30 Dec–1 Jan off, 2 Jan counts.
        ("2018→2019 元旦", date!(2018 - 12 - 28), date!(2019 - 01 - 02), 2),
        // The issue example: exactly 20.
        ("2026 issue example", date!(2026 - 09 - 18), date!(2026 - 10 - 22), 20),
        // 春节 2018 reply span: exactly 20.
        ("2018 春节 reply span", date!(2018 - 02 - 09), date!(2018 - 03 - 14), 20),
        // Empty and reversed spans.
        ("same day", date!(2026 - 10 - 22), date!(2026 - 10 - 22), 0),
        ("reversed", date!(2026 - 10 - 22), date!(2026 - 09 - 18), 0),
    ];
    for &(name, from, to, expected) in spans {
        assert_eq!(c.working_days_between(from, to), Ok(expected), "{name}: {from} → {to}");
    }
}

#[test]
fn explain_names_spring_festival_days() {
    // Fri 13 Feb 2026, correction notice: Sat 14 make-up (1); 春节 15–23 off; 24–27 (2..5);
    // Sat 28 make-up (6); Sun 1 Mar weekend; Mon 2 Mar (7).
    let days = cal().explain(date!(2026 - 02 - 13), CORRECTION).unwrap();
    let all: Vec<String> = days.iter().map(|d| format!("{} {:?} {}", d.date, d.counted, d.kind)).collect();
    let all = all.join("\n");
    assert_eq!(days.first().map(|d| d.date), Some(date!(2026 - 02 - 14)), "{all}");
    assert_eq!(days.last().map(|d| (d.date, d.counted)), Some((date!(2026 - 03 - 02), Some(7))), "{all}");
    assert_eq!(days.len(), 17, "14 Feb to 2 Mar inclusive:\n{all}");

    let holidays: Vec<_> = days.iter().filter(|d| d.counted.is_none() && d.kind.contains("春节")).collect();
    assert_eq!(holidays.len(), 9, "春节 2026 is 15–23 Feb, 9 days off:\n{all}");
    assert_eq!(holidays.first().map(|d| d.date), Some(date!(2026 - 02 - 15)), "{all}");
    assert_eq!(holidays.last().map(|d| d.date), Some(date!(2026 - 02 - 23)), "{all}");

    for (date, n) in [(date!(2026 - 02 - 14), 1), (date!(2026 - 02 - 28), 6)] {
        let d = days.iter().find(|d| d.date == date).unwrap();
        assert_eq!(d.counted, Some(n), "{all}");
        assert!(d.kind.contains("make-up") && d.kind.contains("春节"), "{date}: {}", d.kind);
    }
    let sunday = days.iter().find(|d| d.date == date!(2026 - 03 - 01)).unwrap();
    assert_eq!((sunday.counted, sunday.kind.as_str()), (None, "weekend"));

    // The combined holiday is named as the notice names it (2023: 中秋节、国庆节, 29 Sep–6 Oct).
    let days = cal().explain(date!(2023 - 09 - 28), 1).unwrap();
    assert_eq!(days.len(), 9, "29 Sep–6 Oct off (8 days), Sat 7 Oct make-up is day 1");
    assert!(days[0].kind.contains("中秋节") && days[0].kind.contains("国庆节"), "{}", days[0].kind);
    assert_eq!(days.last().map(|d| (d.date, d.counted)), Some((date!(2023 - 10 - 07), Some(1))));
}

#[test]
fn make_up_days_of_every_year_are_working_days() {
    let c = cal();
    // One make-up weekend day per year (and the 2019 notice's day in 2018), with its holiday.
    let makeups: &[(Date, &str)] = &[
        (date!(2018 - 02 - 11), "春节"),
        (date!(2018 - 12 - 29), "元旦"),
        (date!(2019 - 05 - 05), "劳动节"),
        (date!(2020 - 01 - 19), "春节"),
        (date!(2020 - 10 - 10), "国庆节、中秋节"),
        (date!(2021 - 09 - 18), "中秋节"),
        (date!(2022 - 01 - 29), "春节"),
        (date!(2023 - 10 - 08), "中秋节、国庆节"),
        (date!(2024 - 09 - 14), "中秋节"),
        (date!(2025 - 02 - 08), "春节"),
        (date!(2026 - 01 - 04), "元旦"),
        (date!(2026 - 09 - 20), "国庆节"),
    ];
    for &(d, name) in makeups {
        assert_eq!(c.day(d), Ok(DayKind::MakeupWorkday(name)), "{d}");
    }
    // 2020 extension: Sat 1 Feb is no longer a make-up day but 春节; Mon 3 Feb an ordinary day.
    assert_eq!(c.day(date!(2020 - 02 - 01)), Ok(DayKind::Holiday("春节")));
    assert_eq!(c.day(date!(2020 - 01 - 31)), Ok(DayKind::Holiday("春节")));
    assert_eq!(c.day(date!(2020 - 02 - 03)), Ok(DayKind::Workday));
    // 2019 amendment: 2–4 May off, Sun 28 Apr worked.
    assert_eq!(c.day(date!(2019 - 05 - 03)), Ok(DayKind::Holiday("劳动节")));
    assert_eq!(c.day(date!(2019 - 04 - 28)), Ok(DayKind::MakeupWorkday("劳动节")));
    // 2018-12-31 (Monday) is a day off from the 2019 notice.
    assert_eq!(c.day(date!(2018 - 12 - 31)), Ok(DayKind::Holiday("元旦")));
}

#[test]
fn counting_into_2027_is_calendar_unknown() {
    let c = cal();
    // 31 Dec 2026 itself is known: a Thursday, an ordinary working day.
    assert_eq!(c.day(date!(2026 - 12 - 31)), Ok(DayKind::Workday));
    assert_eq!(c.is_working_day(date!(2026 - 12 - 31)), Ok(true));
    assert_eq!(c.add_working_days(date!(2026 - 12 - 30), 1), Ok(date!(2026 - 12 - 31)));
    assert_eq!(c.add_working_days(date!(2026 - 12 - 31), 0), Ok(date!(2026 - 12 - 31)));
    assert_eq!(c.working_days_between(date!(2026 - 12 - 22), date!(2026 - 12 - 31)), Ok(7));
    let d = clock::deadline(&c, date!(2026 - 12 - 22), CORRECTION).unwrap();
    assert_eq!(d.date, date!(2026 - 12 - 31));
    assert!(!d.is_provisional());

    // One working day after 31 Dec 2026 needs 2027, which has no notice.
    let err = c.add_working_days(date!(2026 - 12 - 31), 1).unwrap_err();
    assert!(matches!(err, CalendarError::UnknownYear { year: 2027, .. }), "{err:?}");
    assert!(err.to_string().contains("calendar unknown"), "{err}");
    let err = c.add_working_days(date!(2026 - 12 - 10), REPLY).unwrap_err();
    assert!(err.to_string().contains("calendar unknown"), "{err}");
    assert!(c.working_days_between(date!(2026 - 12 - 30), date!(2027 - 01 - 04)).is_err());
    // Counted between two days, 2027 is provisional: an online submission of Sunday
    // 27 December 2026 still waiting on Tuesday 5 January 2027 has waited 28–31 December
    // and 4–5 January, passing over 元旦 (Friday 1 January) and the weekend: 6 working days.
    let (waited, counted) = c.count_between(date!(2026 - 12 - 27), date!(2027 - 01 - 05)).unwrap();
    assert_eq!(waited, 6);
    assert_eq!(
        (counted.date, counted.provisional_years.iter().copied().collect::<Vec<_>>()),
        (date!(2027 - 01 - 05), vec![2027])
    );
    assert_eq!(
        c.count_between(date!(2026 - 12 - 22), date!(2026 - 12 - 31)).map(|(n, c)| (n, c.provisional_years.is_empty())),
        Ok((7, true))
    );
    assert_eq!(c.count_between(date!(2026 - 12 - 31), date!(2026 - 12 - 22)).map(|(n, _)| n), Ok(0));
    // The explanation counts on the provisional calendar and marks the day: 1 January 2027
    // (元旦, a statutory day off) is passed over, Monday 4 January is day 1.
    let days = c.explain(date!(2026 - 12 - 31), 1).unwrap();
    assert_eq!(
        days.iter().map(|d| (d.date, d.counted, d.provisional)).collect::<Vec<_>>(),
        vec![
            (date!(2027 - 01 - 01), None, true),
            (date!(2027 - 01 - 02), None, true),
            (date!(2027 - 01 - 03), None, true),
            (date!(2027 - 01 - 04), Some(1), true),
        ]
    );
    assert!(days[0].kind.contains("元旦"), "{:?}", days[0]);

    // The clock counts on the provisional calendar and names 2027.
    let r = clock::receipt_deadlines(&c, date!(2026 - 12 - 31)).unwrap();
    assert!(r.correction_notice.provisional_years.contains(&2027));
    assert!(r.reply.is_provisional());
    assert!(r.extended_reply.is_provisional());
}
