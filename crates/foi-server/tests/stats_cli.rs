//! `foi stats export` run as a supervisor runs it: the real binary over a SQLite file seeded
//! with the demo district (whose cases are dated back from today).

use std::process::{Command, Output};

fn foi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_foi")).args(args).output().expect("the foi binary runs")
}

#[test]
fn exports_the_demo_district_and_refuses_bad_periods() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("foi.db").display());
    let seeded = foi(&["demo", "seed", "--database-url", &url]);
    assert!(seeded.status.success(), "seed failed: {}", String::from_utf8_lossy(&seeded.stderr));

    // Every demo case lies in this range: 13 cases, 12 received (the newest is still only
    // submitted); 4 concluded: disclosed, partly disclosed, petition, withdrawn.
    let out = foi(&[
        "stats",
        "export",
        "--from",
        "2000-01-01",
        "--to",
        "2099-12-31",
        "--format",
        "csv",
        "--database-url",
        &url,
    ]);
    assert!(out.status.success(), "export failed: {}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with('\u{feff}'), "UTF-8 with a BOM");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].ends_with("自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计"), "{}", lines[0]);
    let summary = |row: &str| {
        lines
            .iter()
            .find(|l| l.starts_with("合计,") && l.split(',').nth(3) == Some(row))
            .unwrap_or_else(|| panic!("no summary row {row} in:\n{csv}"))
            .split(',')
            .skip(7)
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(summary("一"), "8,4,0,0,0,0,12");
    assert_eq!(summary("二"), "0,0,0,0,0,0,0");
    assert_eq!(summary("(一)"), "1,0,0,0,0,0,1");
    assert_eq!(summary("(二)"), "0,1,0,0,0,0,1");
    assert_eq!(summary("(五)1"), "1,0,0,0,0,0,1");
    assert_eq!(summary("(六)3"), "1,0,0,0,0,0,1");
    assert_eq!(summary("(七)"), "3,1,0,0,0,0,4");
    assert_eq!(summary("四"), "5,3,0,0,0,0,8");
    // One block per agency of the tree, then the summary: 4 blocks of 25 rows; then, after an
    // empty line each, table 四, the processing figures and the oldest open cases.
    assert_eq!(lines.iter().position(|l| l.is_empty()), Some(1 + 4 * 25));
    let titles: Vec<&str> =
        lines.iter().zip(&lines[1..]).filter(|(l, _)| l.is_empty()).map(|(_, next)| *next).collect();
    assert_eq!(titles.len(), 3, "{csv}");
    assert!(titles[0].starts_with("表四,"));
    assert!(titles[1].starts_with("办理情况,"));
    assert!(titles[2].starts_with("在办最久,"));

    // A month, as JSON to a file, for one department's subtree.
    let file = dir.path().join("out.json");
    let month = foi(&[
        "stats",
        "export",
        "--month",
        "2026-10",
        "--format",
        "json",
        "--agency",
        "youxian-fgj",
        "--output",
        file.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert!(month.status.success(), "{}", String::from_utf8_lossy(&month.stderr));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["period_label"], "2026年10月");
    assert_eq!(json["agencies"].as_array().unwrap().len(), 1);

    // XLSX to a file: a zip (PK) workbook; without --output it is refused with exit 2.
    let file = dir.path().join("out.xlsx");
    let xlsx = |output: Option<&str>| {
        let mut all = vec!["stats", "export", "--month", "2026-10", "--format", "xlsx", "--database-url", &url];
        if let Some(output) = output {
            all.extend(["--output", output]);
        }
        foi(&all)
    };
    let out = xlsx(Some(file.to_str().unwrap()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&file).unwrap().starts_with(b"PK"), "an XLSX is a zip archive");
    let out = xlsx(None);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--output"), "{}", String::from_utf8_lossy(&out.stderr));

    // Bad input: exit 2, a message, nothing on stdout.
    for args in [
        vec!["--month", "2026-13"],
        vec!["--quarter", "2026-Q5"],
        vec!["--from", "2026-10-31", "--to", "2026-10-01"],
        vec!["--month", "2026-10", "--agency", "nowhere"],
    ] {
        let mut all = vec!["stats", "export", "--format", "csv", "--database-url", &url];
        all.extend(args.iter().copied());
        let out = foi(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty());
        assert!(String::from_utf8_lossy(&out.stderr).contains("error"), "{args:?}");
    }
}
