//! The golden test of the XLSX layout: the workbook of October 2026 over the scenario
//! history, opened back with calamine, checked sheet by sheet, label by label and cell by
//! cell.

mod common;

use std::io::Cursor;

use calamine::{Data, Dimensions, Reader, Xlsx, open_workbook_from_rs};
use foi_stats::{FIRST_DATA_ROW, Period, to_xlsx};

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => panic!("({row}, {col}) holds {other:?}, not text"),
    }
}

fn number(range: &calamine::Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(n)) => *n,
        Some(Data::Int(n)) => *n as f64,
        other => panic!("({row}, {col}) holds {other:?}, not a number"),
    }
}

/// The merged regions of `sheet` as ((first row, first column), (last row, last column)).
fn merged(workbook: &mut Xlsx<Cursor<Vec<u8>>>, sheet: &str) -> Vec<((u32, u32), (u32, u32))> {
    let regions: Vec<Dimensions> = workbook.merge_cells_by_sheet_name(sheet).unwrap();
    regions.into_iter().map(|d| (d.start, d.end)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_workbook_looks_like_the_official_table() {
    let db = common::history().await;
    let october = Period::parse_month("2026-10").unwrap();
    let report = db.compute(&[db.district.clone(), db.department.clone()], october).await;
    let bytes = to_xlsx(&report).unwrap();
    // To look at the workbook (e.g. render it with `soffice --headless --convert-to pdf`).
    if let Ok(path) = std::env::var("FOI_XLSX_DUMP") {
        std::fs::write(path, &bytes).unwrap();
    }
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();

    assert_eq!(workbook.sheet_names(), ["汇总", "绵阳市游仙区人民政府", "绵阳市游仙区发展和改革局"]);

    let summary = workbook.worksheet_range("汇总").unwrap();
    assert_eq!(text(&summary, 0, 0), "2个机关汇总2026年10月收到和处理政府信息公开申请情况");
    let department = workbook.worksheet_range("绵阳市游仙区发展和改革局").unwrap();
    assert_eq!(text(&department, 0, 0), "绵阳市游仙区发展和改革局2026年10月收到和处理政府信息公开申请情况");

    // The header: 申请人情况 over the seven columns, 法人或其他组织 over the five kinds.
    let regions = merged(&mut workbook, "汇总");
    for region in [
        ((0, 0), (0, 10)),  // the title
        ((1, 0), (3, 0)),   // 行次
        ((1, 3), (3, 3)),   // 项目
        ((1, 4), (1, 10)),  // 申请人情况
        ((2, 4), (3, 4)),   // 自然人
        ((2, 5), (2, 9)),   // 法人或其他组织
        ((2, 10), (3, 10)), // 总计
    ] {
        assert!(regions.contains(&region), "{region:?} is not merged: {regions:?}");
    }
    let header: Vec<String> = (0..4).map(|c| text(&summary, 1, c)).collect();
    assert_eq!(header, ["行次", "栏目", "类别", "项目"]);
    assert_eq!(text(&summary, 1, 4), "申请人情况");
    assert_eq!(text(&summary, 2, 4), "自然人");
    assert_eq!(text(&summary, 2, 5), "法人或其他组织");
    assert_eq!(text(&summary, 2, 10), "总计");
    let kinds: Vec<String> = (5..10).map(|c| text(&summary, 3, c)).collect();
    assert_eq!(kinds, ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]);

    // Every row label of the summary sheet, as the CSV gives them (a merged cell reads
    // only in its first cell).
    let first = FIRST_DATA_ROW;
    let expected: [(&str, &str, &str, &str); 25] = [
        ("一", "一、本期新收政府信息公开申请数量", "", ""),
        ("二", "二、上期结转政府信息公开申请数量", "", ""),
        ("(一)", "三、本期办理结果", "（一）予以公开", ""),
        ("(二)", "", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ""),
        ("(三)1", "", "（三）不予公开", "1.属于国家秘密"),
        ("(三)2", "", "", "2.其他法律行政法规禁止公开"),
        ("(三)3", "", "", "3.危及“三安全一稳定”"),
        ("(三)4", "", "", "4.保护第三方合法权益"),
        ("(三)5", "", "", "5.属于三类内部事务信息"),
        ("(三)6", "", "", "6.属于四类过程性信息"),
        ("(三)7", "", "", "7.属于行政执法案卷"),
        ("(三)8", "", "", "8.属于行政查询事项"),
        ("(四)1", "", "（四）无法提供", "1.本机关不掌握相关政府信息"),
        ("(四)2", "", "", "2.没有现成信息需要另行制作"),
        ("(四)3", "", "", "3.补正后申请内容仍不明确"),
        ("(五)1", "", "（五）不予处理", "1.信访举报投诉类申请"),
        ("(五)2", "", "", "2.重复申请"),
        ("(五)3", "", "", "3.要求提供公开出版物"),
        ("(五)4", "", "", "4.无正当理由大量反复申请"),
        ("(五)5", "", "", "5.要求行政机关确认或重新出具已获取信息"),
        ("(六)1", "", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("(六)2", "", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("(六)3", "", "", "3.其他"),
        ("(七)", "", "（七）总计", ""),
        ("四", "四、结转下期继续办理", "", ""),
    ];
    let csv_rows = report.summary.rows(report.format, &report.period);
    for (i, (row, section, group, item)) in expected.iter().enumerate() {
        let r = first + i as u32;
        let found = (text(&summary, r, 0), text(&summary, r, 1), text(&summary, r, 2), text(&summary, r, 3));
        assert_eq!(found, (row.to_string(), section.to_string(), group.to_string(), item.to_string()), "row {r}");
        // The same labels as the CSV.
        let csv = &csv_rows[i];
        assert_eq!(csv.row, *row);
        if !group.is_empty() {
            assert_eq!(csv.group, *group);
        }
        assert_eq!(csv.item, *item);
    }
    // Two empty rows below 四, then table 四: its title, its three header rows (行政复议 and
    // 行政诉讼 merged across, the results under each), its 15 figures.
    assert_eq!(text(&summary, first + 25, 0), "", "an empty row below 四");
    let t4 = first + 27;
    assert_eq!(text(&summary, t4, 0), "政府信息公开行政复议、行政诉讼情况");
    let results: Vec<String> = (4..9).map(|c| text(&summary, t4 + 1, c)).collect();
    assert_eq!(results, ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]);
    assert_eq!(text(&summary, t4 + 2, 0), "行政复议");
    assert_eq!(text(&summary, t4 + 3, 0), "行政诉讼");
    assert_eq!(text(&summary, t4 + 3, 2), "未经复议直接起诉");
    assert_eq!(text(&summary, t4 + 4, 2), "复议后起诉");
    for r in t4 + 2..t4 + 5 {
        assert!((4..9).all(|c| number(&summary, r, c) == 0.0), "no challenges in this history");
    }
    for region in [((t4 + 3, 0), (t4 + 4, 1)), ((t4 + 2, 0), (t4 + 2, 3)), ((t4 + 1, 0), (t4 + 1, 3))] {
        assert!(regions.contains(&region), "table 四: {region:?} is not merged");
    }
    // Then the processing figures, label and value.
    let p = t4 + 5 + 2;
    assert_eq!(text(&summary, p, 0), "办理情况（答复时效、延期、征求意见、补正与超期）");
    assert_eq!((text(&summary, p + 1, 0), number(&summary, p + 1, 4)), ("本期答复数".to_owned(), 2.0));
    assert_eq!((text(&summary, p + 2, 0), number(&summary, p + 2, 4)), ("在法定期限内答复".to_owned(), 2.0));

    // The groups merged down their items, the section down all outcome rows, and rows
    // without items across 类别 and 项目.
    for region in [
        ((first + 2, 1), (first + 23, 1)), // 三、本期办理结果
        ((first + 4, 2), (first + 11, 2)), // （三）不予公开 over its 8 items
        ((first + 12, 2), (first + 14, 2)),
        ((first + 15, 2), (first + 19, 2)),
        ((first + 20, 2), (first + 22, 2)),
        ((first, 1), (first, 3)),           // 一
        ((first + 2, 2), (first + 2, 3)),   // (一)
        ((first + 23, 2), (first + 23, 3)), // (七)
        ((first + 24, 1), (first + 24, 3)), // 四
    ] {
        assert!(regions.contains(&region), "{region:?} is not merged");
    }

    // A few figures (columns: 自然人 … 总计 from column 4).
    assert_eq!((4..11).map(|c| number(&summary, first, c)).collect::<Vec<_>>(), [1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 5.0]);
    assert_eq!(number(&summary, first + 7, 6), 1.0, "(三)4 科研机构: D");
    assert_eq!(number(&summary, first + 22, 7), 1.0, "(六)3 社会公益组织: E");
    assert_eq!(number(&summary, first + 23, 10), 3.0, "(七) 总计");
    assert_eq!(
        (4..11).map(|c| number(&summary, first + 24, c)).collect::<Vec<_>>(),
        [1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 4.0]
    );
    let district = workbook.worksheet_range("绵阳市游仙区人民政府").unwrap();
    assert_eq!(number(&district, first + 1, 10), 2.0, "二 of the district: C, B");
    assert_eq!(number(&department, first, 10), 4.0, "一 of the department: H, E, F, G");
}
