//! A known history built through the workflow, and every cell of table 三 for October 2026
//! and for the year 2026, worked out by hand below.

mod common;

use common::{Db, Fate, history};
use foi_domain::applicant::ApplicantKind::*;
use foi_domain::outcome::Outcome::*;
use foi_stats::{Cells, Period, Report, Table, to_csv, to_json};
use time::macros::date;

/// The full 25-row matrix (2021 format) from the rows that are not all zero.
fn matrix(nonzero: &[(&str, Cells)]) -> Vec<(String, Cells)> {
    let labels = ["一", "二", "(一)", "(二)", "(三)1", "(三)2", "(三)3", "(三)4", "(三)5", "(三)6", "(三)7", "(三)8"]
        .into_iter()
        .chain(["(四)1", "(四)2", "(四)3", "(五)1", "(五)2", "(五)3", "(五)4", "(五)5", "(六)1", "(六)2", "(六)3"])
        .chain(["(七)", "四"]);
    let rows: Vec<(String, Cells)> =
        labels.map(|l| (l.to_owned(), nonzero.iter().find(|(r, _)| *r == l).map_or([0; 7], |(_, c)| *c))).collect();
    for (r, _) in nonzero {
        assert!(rows.iter().any(|(l, _)| l == r), "unknown row {r}");
    }
    rows
}

fn actual(table: &Table, period: &Period) -> Vec<(String, Cells)> {
    table.rows(period.format(), period).into_iter().map(|r| (r.row.to_owned(), r.values)).collect()
}

async fn report(db: &Db, period: Period) -> Report {
    db.compute(&[db.district.clone(), db.department.clone()], period).await
}

#[tokio::test(flavor = "multi_thread")]
async fn october_and_the_year_2026_cell_by_cell() {
    let db = history().await;

    // October 2026. Columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
    let october = Period::parse_month("2026-10").unwrap();
    let r = report(&db, october).await;
    assert_eq!(r.tables[0].code, "youxian");
    let district = matrix(&[
        ("一", [0, 0, 1, 0, 0, 0, 1]),    // D
        ("二", [1, 1, 0, 0, 0, 0, 2]),    // C, B
        ("(二)", [1, 0, 0, 0, 0, 0, 1]),  // C
        ("(三)4", [0, 0, 1, 0, 0, 0, 1]), // D
        ("(七)", [1, 0, 1, 0, 0, 0, 2]),
        ("四", [0, 1, 0, 0, 0, 0, 1]), // B
    ]);
    assert_eq!(actual(&r.tables[0].table, &october), district);
    let department = matrix(&[
        ("一", [1, 0, 0, 1, 1, 1, 4]),    // H, E, F, G
        ("(六)3", [0, 0, 0, 1, 0, 0, 1]), // E
        ("(七)", [0, 0, 0, 1, 0, 0, 1]),
        ("四", [1, 0, 0, 0, 1, 1, 3]), // H, F, G
    ]);
    assert_eq!(actual(&r.tables[1].table, &october), department);
    let summary = matrix(&[
        ("一", [1, 0, 1, 1, 1, 1, 5]),
        ("二", [1, 1, 0, 0, 0, 0, 2]),
        ("(二)", [1, 0, 0, 0, 0, 0, 1]),
        ("(三)4", [0, 0, 1, 0, 0, 0, 1]),
        ("(六)3", [0, 0, 0, 1, 0, 0, 1]),
        ("(七)", [1, 0, 1, 1, 0, 0, 3]),
        ("四", [1, 1, 0, 0, 1, 1, 4]),
    ]);
    assert_eq!(actual(&r.summary, &october), summary);

    // The year 2026.
    let year = Period::parse_year("2026").unwrap();
    let r = report(&db, year).await;
    let district = matrix(&[
        ("一", [2, 2, 1, 0, 0, 0, 5]),    // C, I; J, L; D
        ("二", [1, 1, 0, 0, 0, 0, 2]),    // A; B
        ("(一)", [1, 1, 0, 0, 0, 0, 2]),  // A; J
        ("(二)", [1, 0, 0, 0, 0, 0, 1]),  // C
        ("(三)4", [0, 0, 1, 0, 0, 0, 1]), // D
        ("(五)2", [1, 0, 0, 0, 0, 0, 1]), // I
        ("(七)", [3, 1, 1, 0, 0, 0, 5]),
        ("四", [0, 2, 0, 0, 0, 0, 2]), // B, L
    ]);
    assert_eq!(actual(&r.tables[0].table, &year), district);
    let department = matrix(&[
        ("一", [1, 0, 0, 1, 1, 1, 4]),    // H, E, F, G
        ("(四)1", [0, 0, 0, 0, 0, 1, 1]), // G
        ("(六)1", [1, 0, 0, 0, 0, 0, 1]), // H
        ("(六)3", [0, 0, 0, 1, 0, 0, 1]), // E
        ("(七)", [1, 0, 0, 1, 0, 1, 3]),
        ("四", [0, 0, 0, 0, 1, 0, 1]), // F
    ]);
    assert_eq!(actual(&r.tables[1].table, &year), department);
    let summary = matrix(&[
        ("一", [3, 2, 1, 1, 1, 1, 9]),
        ("二", [1, 1, 0, 0, 0, 0, 2]),
        ("(一)", [1, 1, 0, 0, 0, 0, 2]),
        ("(二)", [1, 0, 0, 0, 0, 0, 1]),
        ("(三)4", [0, 0, 1, 0, 0, 0, 1]),
        ("(四)1", [0, 0, 0, 0, 0, 1, 1]),
        ("(五)2", [1, 0, 0, 0, 0, 0, 1]),
        ("(六)1", [1, 0, 0, 0, 0, 0, 1]),
        ("(六)3", [0, 0, 0, 1, 0, 0, 1]),
        ("(七)", [4, 1, 1, 1, 0, 1, 8]),
        ("四", [0, 2, 0, 0, 1, 0, 3]),
    ]);
    assert_eq!(actual(&r.summary, &year), summary);

    // Partial disclosure is counted under (二) only: in October C is the one concluded
    // natural-person case, and (七) counts it once.
    let r = report(&db, october).await;
    let partial: u64 = r.summary.outcome(PartlyDisclosed)[0];
    let refusals: u64 = [WithheldThirdPartyRights, WithheldByLaw, WithheldStateSecret]
        .into_iter()
        .map(|o| r.summary.outcome(o)[0])
        .sum();
    assert_eq!((partial, refusals, r.summary.total_concluded()[0]), (1, 0, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_exports_carry_the_checked_figures() {
    let db = history().await;
    let october = Period::parse_month("2026-10").unwrap();
    let r = report(&db, october).await;
    let csv = to_csv(&r);
    assert!(csv.starts_with('\u{feff}'), "the CSV opens with a BOM");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "机关代码,机关名称,统计期间,行次,栏目,类别,项目,自然人,商业企业,科研机构,社会公益组织,法律服务机构,其他,总计"
    );
    // Three blocks (two agencies and the summary) of 25 rows each, then an empty line
    // before table 四.
    assert_eq!(lines.iter().position(|l| l.is_empty()), Some(1 + 3 * 25));
    assert_eq!(lines[1 + 3 * 25 + 1], "表四,政府信息公开行政复议、行政诉讼情况");
    assert_eq!(lines[1], "youxian,绵阳市游仙区人民政府,2026年10月,一,一、本期新收政府信息公开申请数量,,,0,0,1,0,0,0,1");
    assert!(lines.contains(&"youxian,绵阳市游仙区人民政府,2026年10月,(三)4,三、本期办理结果,（三）不予公开,4.保护第三方合法权益,0,0,1,0,0,0,1"));
    assert!(lines.contains(&"合计,2个机关汇总,2026年10月,四,四、结转下期继续办理,,,1,1,0,0,1,1,4"));

    let json: serde_json::Value = serde_json::from_str(&to_json(&r)).unwrap();
    assert_eq!(json["period"]["from"], "2026-10-01");
    assert_eq!(json["format"], "国办公开办函〔2021〕30号");
    assert_eq!(json["agencies"][1]["agency_code"], "youxian-fgj");
    let last = &json["summary"]["rows"][24];
    assert_eq!(last["row"], "四");
    assert_eq!(last["values"], serde_json::json!([1, 1, 0, 0, 1, 1, 4]));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_2019_format_for_2020() {
    let db = Db::new().await;
    let d = &db.district;
    db.case(d, NaturalPerson, date!(2020 - 03 - 02), Fate::Withdrawn(date!(2020 - 03 - 04))).await;
    db.case(d, NaturalPerson, date!(2020 - 03 - 02), Fate::Reply(date!(2020 - 03 - 10), Disclosed)).await;
    let year = Period::parse_year("2020").unwrap();
    let r = db.compute(std::slice::from_ref(d), year).await;
    let rows = r.summary.rows(r.format, &year);
    assert_eq!(rows.len(), 2 + 19 + 2);
    let other = rows.iter().find(|row| row.row == "(六)").unwrap();
    assert_eq!(other.values, [1, 0, 0, 0, 0, 0, 1]);
    assert!(to_json(&r).contains("国办公开办函〔2019〕60号"));
}
