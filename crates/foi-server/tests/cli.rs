//! The `foi calendar` commands, run as a user runs them: the real binary, its output and
//! its exit status.

use std::process::{Command, Output};

fn foi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_foi")).args(args).output().expect("the foi binary runs")
}

fn stdout(args: &[&str]) -> String {
    let out = foi(args);
    assert!(out.status.success(), "foi {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn fails_with_2(args: &[&str]) -> String {
    let out = foi(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "foi {args:?} should exit 2; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout when failing");
    String::from_utf8(out.stderr).expect("utf-8 error")
}

#[test]
fn add_working_days_prints_the_date() {
    assert_eq!(stdout(&["calendar", "add-working-days", "2026-09-18", "20"]), "2026-10-22\n");
    // Spring Festival 2024 (10–17 Feb off, Sundays 4 and 18 Feb worked).
    assert_eq!(stdout(&["calendar", "add-working-days", "2024-02-08", "2"]), "2024-02-18\n");
    assert_eq!(stdout(&["calendar", "add-working-days", "2026-09-18", "0"]), "2026-09-18\n");
}

#[test]
fn is_working_day_prints_working_or_off() {
    assert_eq!(stdout(&["calendar", "is-working-day", "2026-09-20"]), "working\n"); // make-up Sunday
    assert_eq!(stdout(&["calendar", "is-working-day", "2026-10-01"]), "off\n"); // National Day
    assert_eq!(stdout(&["calendar", "is-working-day", "2026-09-19"]), "off\n"); // Saturday
    assert_eq!(stdout(&["calendar", "is-working-day", "2020-02-03"]), "working\n");
}

#[test]
fn deadlines_prints_the_three_dates() {
    let out = stdout(&["calendar", "deadlines", "2026-09-18"]);
    let field = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or_else(|| panic!("no {name} line in:\n{out}"))
            .to_owned()
    };
    assert_eq!(field("correction-notice"), "2026-09-29");
    assert_eq!(field("reply "), "2026-10-22");
    assert_eq!(field("extended-reply"), "2026-11-19");
    assert!(out.contains("Reg. 30") && out.contains("Reg. 33"), "{out}");
}

#[test]
fn explain_lists_every_day_and_why() {
    let out = stdout(&["calendar", "explain", "2026-09-28", "5"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("2026-09-28") && lines[0].contains("day 0"), "{out}");
    assert!(lines.iter().any(|l| l.starts_with("2026-10-03") && l.contains("passed over") && l.contains("国庆节")));
    assert!(lines.iter().any(|l| l.starts_with("2026-10-10") && l.contains("working day 5") && l.contains("make-up")));
    assert_eq!(lines.len(), 1 + 12 + 1, "day 0, 12 days walked, and the summary:\n{out}");
    assert!(lines.last().unwrap().contains("2026-10-10"));
}

#[test]
fn bad_input_exits_2_with_a_message_saying_what_is_wrong() {
    let e = fails_with_2(&["calendar", "add-working-days", "2026-02-30", "3"]);
    assert!(e.contains("YYYY-MM-DD"), "{e}");
    let e = fails_with_2(&["calendar", "is-working-day", "18.09.2026"]);
    assert!(e.contains("18.09.2026"), "{e}");
    let e = fails_with_2(&["calendar", "add-working-days", "2026-09-18", "-1"]);
    assert!(!e.is_empty());
    let e = fails_with_2(&["calendar", "is-working-day", "2017-06-01"]);
    assert!(e.contains("calendar unknown") && e.contains("2017"), "{e}");
    let e = fails_with_2(&["calendar", "add-working-days", "2035-12-20", "20"]);
    assert!(e.contains("calendar unknown") && e.contains("2036"), "{e}");
}

/// A year without a loaded notice is counted on the provisional calendar (rules.md §3) and
/// every such date is marked.
#[test]
fn a_year_without_a_notice_is_counted_provisionally_and_marked() {
    // Monday 2027-01-04: a working day on the provisional calendar.
    let out = stdout(&["calendar", "is-working-day", "2027-01-04"]);
    assert!(out.starts_with("working  provisional (2027") && out.contains("以国务院办公厅公布的放假安排为准"), "{out}");
    assert!(stdout(&["calendar", "is-working-day", "2027-01-01"]).starts_with("off  provisional (2027"));
    // Thursday 2026-12-31 + 1: Friday 1 January 2027 is 元旦, so Monday 4 January.
    let out = stdout(&["calendar", "add-working-days", "2026-12-31", "1"]);
    assert!(out.starts_with("2027-01-04  provisional (2027"), "{out}");
    // The reply deadline of a receipt on Sunday 2026-12-20 reaches into 2027: 21–25 (5),
    // 28–31 December (9), 4–8 (14), 11–15 (19), 18 January (20).
    let out = stdout(&["calendar", "deadlines", "2026-12-20"]);
    let reply = out.lines().find(|l| l.starts_with("reply ")).unwrap();
    assert!(reply.contains("2027-01-18") && reply.contains("provisional (2027"), "{out}");
    let correction = out.lines().find(|l| l.starts_with("correction-notice")).unwrap();
    assert!(!correction.contains("provisional"), "{out}");
    let out = stdout(&["calendar", "explain", "2026-12-28", "10"]);
    assert!(out.contains("2027-01-01  Fri  passed over: statutory day off, 元旦"), "{out}");
    assert!(
        out.contains("[provisional calendar]") && out.lines().last().unwrap().contains("provisional (2027"),
        "{out}"
    );
}

#[test]
fn another_year_can_be_loaded_at_run_time() {
    let dir = std::env::temp_dir().join(format!("foi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("2027.json");
    std::fs::write(
        &file,
        r#"{"2027": {"all_off_days": ["2027-01-01", "2027-01-02", "2027-01-03"], "makeup_workdays": [],
            "by_holiday": {"元旦": {"off": ["2027-01-01", "2027-01-02", "2027-01-03"], "work": []}}}}"#,
    )
    .unwrap();
    let notices = file.to_str().unwrap();
    assert_eq!(stdout(&["calendar", "--notices", notices, "is-working-day", "2027-01-01"]), "off\n");
    assert_eq!(stdout(&["calendar", "--notices", notices, "add-working-days", "2026-12-31", "1"]), "2027-01-04\n");
    assert!(stdout(&["calendar", "--notices", notices, "years"]).contains("2018-2027"));
    std::fs::write(&file, "{not json").unwrap();
    let e = fails_with_2(&["calendar", "--notices", notices, "years"]);
    assert!(e.contains("2027.json"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
