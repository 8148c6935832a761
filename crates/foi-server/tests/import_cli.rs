//! `foi import register` run as an agency runs it: the real binary over a SQLite file with
//! an agency created by `foi admin create-agency`, then the statistics it feeds.
//!
//! Dates are real 2024–2026 dates on the official calendar; the working-day arithmetic
//! around National Day 2025 (Oct 1–8 off, Sunday Sep 28 and Saturday Oct 11 worked) was
//! checked with `foi calendar add-working-days`.

use std::path::Path;
use std::process::{Command, Output};

use foi_domain::lifecycle::Stage;
use foi_store::{CaseState, EventRecord, QueueQuery, Store};

fn foi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_foi")).args(args).output().expect("the foi binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh database with the agency `youxian` (prefix 游府信申); returns its URL.
fn database(dir: &Path) -> String {
    let url = format!("sqlite://{}", dir.join("foi.db").display());
    let out = foi(&[
        "admin",
        "create-agency",
        "--code",
        "youxian",
        "--name",
        "游仙区人民政府",
        "--case-prefix",
        "游府信申",
        "--reconsideration-body",
        "绵阳市人民政府",
        "--database-url",
        &url,
    ]);
    assert!(out.status.success(), "create-agency: {}", text(&out.stderr));
    url
}

fn import(url: &str, file: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["import", "register", file.to_str().unwrap(), "--database-url", url];
    args.extend(extra);
    foi(&args)
}

/// Every case in the database, with its events.
fn cases(url: &str) -> Vec<(CaseState, Vec<EventRecord>)> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = Store::connect(url).await.unwrap();
        let agency_ids = store.agencies().await.unwrap().into_iter().map(|a| a.id).collect();
        let query = QueueQuery { agency_ids, stages: Stage::ALL.to_vec(), limit: 1000, ..QueueQuery::default() };
        let (states, _) = store.queue(&query).await.unwrap();
        let mut all = Vec::new();
        for state in states {
            let events = store.case_events(state.record.id).await.unwrap();
            all.push((state, events));
        }
        store.close().await.ok();
        all
    })
}

/// The case imported from register row `row`.
fn from_row(all: &[(CaseState, Vec<EventRecord>)], row: usize) -> &(CaseState, Vec<EventRecord>) {
    let label = format!("导入（台账第{row}行）");
    all.iter().find(|(_, events)| events[0].actor_label == label).unwrap_or_else(|| panic!("no case from row {row}"))
}

/// The figures of one row of `foi stats export --year YEAR --format json`, agency `youxian`.
fn year_rows(url: &str, year: &str) -> serde_json::Value {
    let out =
        foi(&["stats", "export", "--year", year, "--format", "json", "--agency", "youxian", "--database-url", url]);
    assert!(out.status.success(), "stats export: {}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json["agencies"][0]["rows"].clone()
}

fn cells(rows: &serde_json::Value, row: &str) -> Vec<u64> {
    let found = rows.as_array().unwrap().iter().find(|r| r["row"] == row).unwrap_or_else(|| panic!("no row {row}"));
    found["values"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect()
}

const HEADER: &str = "机关代码,登记号,申请人,申请人类型,申请方式,收到申请日期,申请内容,办理结果,答复或办结日期,补正告知日期,收到补正日期,延期日期,收费通知日期,收费金额（元）,依据,备注\n";

/// Rows 2–14 of a register; see [`a_register_imports_and_counts_like_native_cases`] for the
/// expected figures.
const GOOD_ROWS: &str = "\
youxian,,赵一,自然人,当面申请,2024-12-16,申请内容甲,(一),2025-01-06,,,,,,,
youxian,,钱二,自然人,当面申请,2024-11-04,申请内容乙,(一),2024-11-20,,,,,,,
youxian,游府信申〔2025〕5号,孙三,自然人,当面申请,2025-03-10,申请内容丙,(一),2025-03-24,,,,,,,
youxian,,某建设有限公司,商业企业,挂号信/邮政快递,2025-04-07,申请内容丁,(二),2025-04-30,,,,,,《中华人民共和国政府信息公开条例》第三十七条,
youxian,,李四,自然人,网络申请,2025-05-12,申请内容戊,（三）1,2025/5/30,,,,,,,已归档
youxian,,周五,自然人,当面申请,2025-06-03,申请内容己,(六)3,2025-06-10,,,,,,,
youxian,,吴六,自然人,传真,2025-09-26,申请内容庚,(四)1,2025-10-27,2025-09-30,2025-10-13,,,,,
youxian,,某研究院,科研机构,平信,2025-11-03,申请内容辛,(六)1,2025-11-27,2025-11-05,,,,,,
youxian,,某律师事务所,法律服务机构,当面申请,2025-12-15,申请内容壬,,,,,,,,,
youxian,,郑七,NATURAL_PERSON,口头申请,2025-12-22,申请内容癸,(一),2026-01-09,,,,,,,
youxian,,某公益基金会,社会公益组织,当面申请,2025-07-01,申请内容子,(五)1,2025-07-08,,,,,,,
youxian,,王八,自然人,当面申请,2025-08-04,申请内容丑,NEEDS_COMPILATION,2025-09-15,,,2025-08-29,,,,
youxian,,某科技有限公司,商业企业,网络申请,2025-10-15,申请内容寅,(六)2,2025-11-18,,,,2025-10-20,200,,
";

#[test]
fn a_register_imports_and_counts_like_native_cases() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path());
    let file = dir.path().join("台账.csv");
    std::fs::write(&file, format!("{HEADER}{GOOD_ROWS}")).unwrap();

    let out = import(&url, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("imported 13 case(s)"), "{stdout}");
    assert!(stdout.contains("youxian\t游仙区人民政府\t13"), "{stdout}");
    assert!(text(&out.stderr).contains("\"备注\" is not imported"), "{}", text(&out.stderr));

    // 2025, columns 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
    // Row 3 lies wholly in 2024; row 2 is carried over from it; rows 10 and 11 are open
    // at the end of 2025 (row 11 is replied to in 2026).
    let rows = year_rows(&url, "2025");
    assert_eq!(cells(&rows, "一"), [6, 2, 1, 1, 1, 0, 11], "new: rows 4–14");
    assert_eq!(cells(&rows, "二"), [1, 0, 0, 0, 0, 0, 1], "carried over: row 2");
    assert_eq!(cells(&rows, "(一)"), [2, 0, 0, 0, 0, 0, 2], "disclosed: rows 2 and 4");
    // Partial disclosure counts under (二) only, never under (三).
    assert_eq!(cells(&rows, "(二)"), [0, 1, 0, 0, 0, 0, 1]);
    for row in ["(三)2", "(三)3", "(三)4", "(三)5", "(三)6", "(三)7", "(三)8"] {
        assert_eq!(cells(&rows, row), [0; 7], "{row}");
    }
    assert_eq!(cells(&rows, "(三)1"), [1, 0, 0, 0, 0, 0, 1], "online, state secret");
    // The corrected application is one application, counted once, under its outcome.
    assert_eq!(cells(&rows, "(四)1"), [1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(cells(&rows, "(四)2"), [1, 0, 0, 0, 0, 0, 1], "extended, then replied");
    assert_eq!(cells(&rows, "(五)1"), [0, 0, 0, 1, 0, 0, 1]);
    assert_eq!(cells(&rows, "(六)1"), [0, 0, 1, 0, 0, 0, 1], "correction not made");
    assert_eq!(cells(&rows, "(六)2"), [0, 1, 0, 0, 0, 0, 1], "fee not paid");
    assert_eq!(cells(&rows, "(六)3"), [1, 0, 0, 0, 0, 0, 1], "withdrawn");
    assert_eq!(cells(&rows, "(七)"), [6, 2, 1, 1, 0, 0, 10]);
    assert_eq!(cells(&rows, "四"), [1, 0, 0, 0, 1, 0, 2], "open at year end: rows 10 and 11");
    // 2026: row 11 carried over and replied; row 10 still open.
    let rows = year_rows(&url, "2026");
    assert_eq!(cells(&rows, "二"), [1, 0, 0, 0, 1, 0, 2]);
    assert_eq!(cells(&rows, "(一)"), [1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(cells(&rows, "四"), [0, 0, 0, 0, 1, 0, 1]);

    let all = cases(&url);
    assert_eq!(all.len(), 13);
    for (state, events) in &all {
        assert!(state.record.imported, "marked as imported");
        let row = &events[0].actor_label;
        assert!(row.starts_with("导入（台账第") && row.ends_with("行）"), "{row}");
        assert!(events.iter().all(|e| &e.actor_label == row && e.actor_id.is_none()));
        // The first event too: the receipt is as much the register's word as the rest.
        assert!(events.iter().all(|e| e.reason.as_deref() == Some("从原台账导入")), "{events:?}");
    }
    // Case numbers: as given, else the agency's next of the year, after any given one.
    let number = |row| from_row(&all, row).0.record.case_number.clone().unwrap_or_default();
    assert_eq!(number(2), "游府信申〔2024〕1号");
    assert_eq!(number(3), "游府信申〔2024〕2号");
    assert_eq!(number(4), "游府信申〔2025〕5号");
    assert_eq!(number(5), "游府信申〔2025〕6号");
    assert_eq!(number(14), "游府信申〔2025〕15号");
    // The events each row records, in order.
    let kinds = |row| from_row(&all, row).1.iter().map(|e| e.kind.clone()).collect::<Vec<_>>();
    assert_eq!(kinds(6), ["SUBMITTED", "RECEIVED", "REGISTERED", "ACCEPTED", "REPLIED"]);
    assert_eq!(
        kinds(8),
        // The register records no service: the notice is taken as served on its date (送达).
        ["RECEIVED", "REGISTERED", "CORRECTION_REQUESTED", "SERVED", "CORRECTION_RECEIVED", "ACCEPTED", "REPLIED"]
    );
    // The correction period lapses only once the notice is served: here on its date too.
    assert_eq!(kinds(9), ["RECEIVED", "REGISTERED", "CORRECTION_REQUESTED", "SERVED", "CORRECTION_LAPSED"]);
    assert_eq!(kinds(10), ["RECEIVED", "REGISTERED", "ACCEPTED"]);
    // An extension is the head's approval of a request (Reg. 33 ¶1): two events.
    assert_eq!(kinds(13), ["RECEIVED", "REGISTERED", "ACCEPTED", "EXTENSION_REQUESTED", "EXTENDED", "REPLIED"]);
    assert_eq!(
        kinds(14),
        ["SUBMITTED", "RECEIVED", "REGISTERED", "ACCEPTED", "FEE_NOTICE_ISSUED", "SERVED", "FEE_LAPSED"]
    );
    let open = &from_row(&all, 10).0;
    assert_eq!(open.case.stage, Stage::Handling);
    // The refusal states the article of its outcome when the register gives none.
    assert_eq!(from_row(&all, 6).0.case.legal_basis.as_deref(), Some("《中华人民共和国政府信息公开条例》第十四条"));

    // The same file again: its given case number is taken, so nothing more is imported.
    let again = import(&url, &file, &[]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr)
            .contains("row 4: 登记号 \"游府信申〔2025〕5号\" is already the number of a case in the database"),
        "{}",
        text(&again.stderr)
    );
    assert_eq!(cases(&url).len(), 13, "nothing written");
}

#[test]
fn a_file_with_bad_rows_is_refused_whole_with_every_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path());
    let file = dir.path().join("台账.csv");
    let body = "\
youxian,,赵一,自然人,当面申请,2025-03-10,申请内容甲,(一),2025-03-24,,,,,,,
youxian,,钱二,个人,当面申请,2025-03-10,申请内容乙,(一),2025-03-24,,,,,,,
youxian,,孙三,自然人,当面申请,2025-04-07,申请内容丙,(一),2025-04-30,,,,,,,
youxian,,李四,自然人,当面申请,2025-10-09,申请内容丁,(一),2025-09-26,,,,,,,
youxian,,周五,自然人,当面申请,2025-09-26,申请内容戊,(四)1,2025-10-27,2025-10-14,,,,,,
";
    std::fs::write(&file, format!("\u{feff}{HEADER}{body}")).unwrap();
    let out = import(&url, &file, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("3 row(s) cannot be imported, so nothing was imported"), "{stderr}");
    assert!(stderr.contains("row 3: 申请人类型 \"个人\" is not known; use 自然人"), "{stderr}");
    assert!(stderr.contains("row 5: 答复或办结日期 2025-09-26 is before 收到申请日期 2025-10-09"), "{stderr}");
    // Reg. 30: received Fri 2025-09-26, the 7th working day is Mon 2025-10-13 (Sun Sep 28
    // worked, Oct 1–8 off, Sat Oct 11 worked).
    assert!(
        stderr.contains("row 6: 补正告知日期 2025-10-14: the correction notice had to go out by 2025-10-13"),
        "{stderr}"
    );
    // The refusal cites its article, as a clerk quotes it.
    let row6 = stderr.lines().find(|l| l.contains("row 6:")).unwrap_or_default();
    assert!(row6.ends_with("（条例第三十条）"), "{row6}");
    for good in ["row 2:", "row 4:"] {
        assert!(!stderr.contains(good), "{good} is fine: {stderr}");
    }
    assert!(!stderr.contains("钱二"), "no personal data in messages");
    assert!(cases(&url).is_empty(), "nothing written");

    // A required column missing, a GBK file, an unknown agency: exit 2 as well.
    std::fs::write(&file, "机关代码,申请人\nyouxian,张三\n").unwrap();
    let out = import(&url, &file, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("lacks the required column(s)"), "{}", text(&out.stderr));
    std::fs::write(&file, b"\xbb\xfa\xb9\xd8\xb4\xfa\xc2\xeb\n").unwrap();
    let out = import(&url, &file, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not UTF-8"), "{}", text(&out.stderr));
    assert!(cases(&url).is_empty());
}

#[test]
fn an_xlsx_register_imports_from_its_first_sheet() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path());
    let file = dir.path().join("台账.xlsx");
    let write = |received_on_row_4: &str| {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        // Row 1 is a title, row 2 the header.
        sheet.write_string(0, 0, "2025年政府信息公开申请登记台账").unwrap();
        let header = [
            "机关代码",
            "登记号",
            "申请人",
            "申请人类型",
            "申请方式",
            "收到申请日期",
            "申请内容",
            "办理结果",
            "答复或办结日期",
            "延期日期",
        ];
        for (col, h) in header.iter().enumerate() {
            sheet.write_string(1, col as u16, *h).unwrap();
        }
        // Row 3: dates as date cells.
        for (col, v) in [(0, "youxian"), (2, "赵一"), (3, "自然人"), (4, "当面申请"), (6, "申请内容甲"), (7, "（二）")]
        {
            sheet.write_string(2, col, v).unwrap();
        }
        sheet.write_number(1 + 1, 1, 17).unwrap();
        let d = |y, m, day| ExcelDateTime::from_ymd(y, m, day).unwrap();
        sheet.write_datetime_with_format(2, 5, d(2025, 8, 4), &date).unwrap();
        sheet.write_datetime_with_format(2, 8, d(2025, 9, 15), &date).unwrap();
        sheet.write_datetime_with_format(2, 9, d(2025, 8, 29), &date).unwrap();
        // Row 4: dates as text.
        let texts =
            ["youxian", "", "某律师事务所", "法律服务机构", "传真", received_on_row_4, "申请内容乙", "", "", ""];
        for (col, v) in texts.iter().enumerate() {
            sheet.write_string(3, col as u16, *v).unwrap();
        }
        workbook.save(&file).unwrap();
    };

    write("2025-13-01");
    let out = import(&url, &file, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("row 4: 收到申请日期 \"2025-13-01\" is not a date"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("row 3"), "{}", text(&out.stderr));

    write("2025/12/15");
    let out = import(&url, &file, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 2 case(s)"), "{}", text(&out.stdout));
    let rows = year_rows(&url, "2025");
    assert_eq!(cells(&rows, "一"), [1, 0, 0, 0, 1, 0, 2]);
    assert_eq!(cells(&rows, "(二)"), [1, 0, 0, 0, 0, 0, 1]);
    assert_eq!(cells(&rows, "四"), [0, 0, 0, 0, 1, 0, 1]);
    let all = cases(&url);
    assert_eq!(from_row(&all, 3).0.record.case_number.as_deref(), Some("17"), "a number cell, as given");
    assert_eq!(from_row(&all, 3).0.case.received_on, Some(time::macros::date!(2025 - 08 - 04)));
    assert_eq!(from_row(&all, 4).0.record.case_number.as_deref(), Some("游府信申〔2025〕1号"));
}

#[test]
fn a_dry_run_checks_everything_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path());
    let file = dir.path().join("台账.csv");
    std::fs::write(&file, format!("{HEADER}{GOOD_ROWS}")).unwrap();
    let out = import(&url, &file, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("dry run") && stdout.contains("13 case(s) would be imported"), "{stdout}");
    assert!(stdout.contains("youxian\t游仙区人民政府\t13"), "{stdout}");
    assert!(cases(&url).is_empty(), "a dry run writes nothing");

    // It refuses what a real run refuses.
    std::fs::write(&file, format!("{HEADER}youxian,,赵一,自然人,当面申请,2025-03-10,甲,(三)9,2025-03-24,,,,,,,\n"))
        .unwrap();
    let out = import(&url, &file, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("row 2: 办理结果 \"(三)9\" is no row of table 三"), "{}", text(&out.stderr));
}

#[test]
fn a_dry_run_refuses_a_number_already_in_the_database_and_lists_every_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path());
    let file = dir.path().join("台账.csv");
    std::fs::write(
        &file,
        format!("{HEADER}youxian,游府信申〔2025〕5号,赵一,自然人,当面申请,2025-03-10,甲,(一),2025-03-24,,,,,,,\n"),
    )
    .unwrap();
    assert_eq!(import(&url, &file, &[]).status.code(), Some(0));

    // Row 2 is fine, row 3 reuses the number now in the database, row 4 has a bad kind, row 5
    // reuses it too: the dry run and the import list the same three rows.
    let body = "\
youxian,,钱二,自然人,当面申请,2025-04-07,乙,(一),2025-04-21,,,,,,,
youxian,游府信申〔2025〕5号,孙三,自然人,当面申请,2025-04-07,丙,(一),2025-04-21,,,,,,,
youxian,,李四,个人,当面申请,2025-04-07,丁,(一),2025-04-21,,,,,,,
youxian,游府信申〔2025〕5号,周五,外星人,当面申请,2025-04-07,戊,(一),2025-04-21,,,,,,,
";
    std::fs::write(&file, format!("{HEADER}{body}")).unwrap();
    let mut reports = Vec::new();
    for extra in [&["--dry-run"][..], &[]] {
        let out = import(&url, &file, extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("3 row(s) cannot be imported"), "{extra:?}: {stderr}");
        let taken = "登记号 \"游府信申〔2025〕5号\" is already the number of a case in the database";
        assert!(stderr.contains(&format!("row 3: {taken}")), "{extra:?}: {stderr}");
        assert!(stderr.contains("row 4: 申请人类型 \"个人\" is not known"), "{extra:?}: {stderr}");
        assert!(stderr.contains(&format!("row 5: {taken}")), "{extra:?}: {stderr}");
        assert!(stderr.contains("row 5: 申请人类型 \"外星人\" is not known"), "{extra:?}: {stderr}");
        assert!(!stderr.contains("row 2:"), "{extra:?}: {stderr}");
        reports.push(stderr);
    }
    assert_eq!(reports[0], reports[1], "the dry run reports what the import refuses");
    assert_eq!(cases(&url).len(), 1, "nothing more written");
}

#[test]
fn the_shipped_template_imports() {
    let dir = tempfile::tempdir().unwrap();
    let url = database(dir.path());
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/import-template.csv");
    assert!(std::fs::read(&template).unwrap().starts_with("\u{feff}".as_bytes()), "UTF-8 with a BOM");
    let out = import(&url, &template, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 3 case(s)"), "{}", text(&out.stdout));
    let all = cases(&url);
    let mut numbers: Vec<_> = all.iter().filter_map(|(s, _)| s.record.case_number.clone()).collect();
    numbers.sort();
    assert_eq!(numbers, ["游府信申〔2025〕1号", "游府信申〔2025〕2号", "游府信申〔2025〕3号"]);
    assert!(all.iter().all(|(s, _)| s.case.stage == Stage::Replied));
}
