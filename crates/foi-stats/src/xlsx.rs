//! The XLSX export of a checked [`Report`], laid out like the official table 三
//! (收到和处理政府信息公开申请情况): a summary sheet `汇总` first, then one sheet per agency.
//! Below table 三 on each sheet: table 四 (政府信息公开行政复议、行政诉讼情况, with its
//! merged three-row header) and the processing figures with the oldest open cases.
//!
//! Each sheet has a title row (机关名称 + 统计期间 + 收到和处理政府信息公开申请情况), a
//! three-row header (行次, 栏目, 类别, 项目; 申请人情况 over 自然人, 法人或其他组织 over its
//! five kinds, and 总计), then the rows with the labels the CSV uses: the section cell of the
//! outcome rows merged down over all of them, a group merged down over its items, and a row
//! without an item merged across the item column. Only formats are set (宋体, borders,
//! widths); no font is embedded.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use foi_domain::challenge::{ChallengeKind, ChallengeResult};

use crate::{COLUMNS, ChallengeTable, Processing, Report, Row, StatsError, Table, column_labels};

/// The name of the summary sheet, always the first.
pub const SUMMARY_SHEET: &str = "汇总";

/// The font: 宋体 (SimSun), present wherever Excel or WPS is installed in China.
const FONT: &str = "宋体";
/// The character set of the font records: GB2312.
const GB2312: u8 = 134;
/// Excel's limit on the length of a sheet name.
const SHEET_NAME_MAX: usize = 31;
/// The first row of figures (0-based): after the title and the three header rows.
pub const FIRST_DATA_ROW: u32 = 4;
/// The label columns before the figures: 行次, 栏目, 类别, 项目.
pub const LABEL_COLUMNS: u16 = 4;

struct Formats {
    title: Format,
    header: Format,
    label: Format,
    label_left: Format,
    number: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new()
            .set_font_name(FONT)
            .set_font_charset(GB2312)
            .set_font_size(11)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        Formats {
            title: Format::new()
                .set_font_name(FONT)
                .set_font_charset(GB2312)
                .set_font_size(14)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            header: base.clone().set_bold().set_align(FormatAlign::Center),
            label: base.clone().set_align(FormatAlign::Center),
            label_left: base.clone().set_align(FormatAlign::Left),
            number: base.set_align(FormatAlign::Right).set_num_format("0"),
        }
    }
}

/// Writes `text` over the cells from (`r1`, `c1`) to (`r2`, `c2`), merged if more than one.
fn span(
    sheet: &mut Worksheet,
    (r1, c1): (u32, u16),
    (r2, c2): (u32, u16),
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if (r1, c1) == (r2, c2) {
        sheet.write_string_with_format(r1, c1, text, format)?;
    } else {
        sheet.merge_range(r1, c1, r2, c2, text, format)?;
    }
    Ok(())
}

/// Makes `name` a valid sheet name: no `[]:*?/\`, no apostrophe at either end, not empty,
/// at most 31 characters.
fn clean_sheet_name(name: &str, fallback: &str) -> String {
    let replaced: String =
        name.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c }).collect();
    let trimmed = replaced.trim().trim_matches('\'').trim();
    let chosen = if trimmed.is_empty() { fallback } else { trimmed };
    chosen.chars().take(SHEET_NAME_MAX).collect()
}

/// The sheet names of `agencies` (name, code), after the summary sheet: each cleaned,
/// truncated to 31 characters and made unique (Excel compares them ignoring case) by a
/// suffix `(2)`, `(3)`, ….
pub fn sheet_names<'a>(agencies: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut taken: Vec<String> = vec![SUMMARY_SHEET.to_lowercase(), "history".to_owned()];
    let mut out = Vec::new();
    for (name, code) in agencies {
        let base = clean_sheet_name(name, &clean_sheet_name(code, "机关"));
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate.to_lowercase()) {
            let suffix = format!("({n})");
            let keep = SHEET_NAME_MAX - suffix.chars().count();
            candidate = base.chars().take(keep).collect::<String>() + &suffix;
            n += 1;
        }
        taken.push(candidate.to_lowercase());
        out.push(candidate);
    }
    out
}

/// Chinese characters that fit on one line of the item column (width 40).
const ITEM_CHARS_PER_LINE: usize = 20;
/// The paper size code of A4 in the XLSX page setup.
const A4: u8 = 9;

/// Rows left empty between the blocks of a sheet.
const GAP: u32 = 2;

/// Writes table 四 (政府信息公开行政复议、行政诉讼情况) from row `top`, in the sheet's own grid
/// (the official form lays its 15 figures out in one row, too wide for table 三's columns):
/// a title; a header row with the results (结果维持, 结果纠正, 其他结果, 尚未审结, 总计) over the
/// figure columns; one row per kind, 行政诉讼 merged down over its two kinds. Returns the
/// first row after it.
fn write_table4(sheet: &mut Worksheet, top: u32, t: &ChallengeTable, f: &Formats) -> Result<u32, XlsxError> {
    let last = LABEL_COLUMNS + COLUMNS as u16 - 1;
    sheet.set_row_height(top, 28)?;
    span(sheet, (top, 0), (top, last), "政府信息公开行政复议、行政诉讼情况", &f.title)?;
    let h = top + 1;
    span(sheet, (h, 0), (h, LABEL_COLUMNS - 1), "类别", &f.header)?;
    let results = ChallengeResult::ALL.iter().map(|r| r.label_zh()).chain(["总计"]);
    for (i, label) in results.enumerate() {
        sheet.write_string_with_format(h, LABEL_COLUMNS + i as u16, label, &f.header)?;
    }
    let (r0, r1, r2) = (h + 1, h + 2, h + 3);
    span(sheet, (r0, 0), (r0, LABEL_COLUMNS - 1), ChallengeKind::Reconsideration.label_zh(), &f.label)?;
    span(sheet, (r1, 0), (r2, 1), "行政诉讼", &f.label)?;
    span(sheet, (r1, 2), (r1, LABEL_COLUMNS - 1), ChallengeKind::SuitDirect.label_zh(), &f.label)?;
    span(sheet, (r2, 2), (r2, LABEL_COLUMNS - 1), ChallengeKind::SuitAfterReconsideration.label_zh(), &f.label)?;
    for (k, row) in t.cells.iter().enumerate() {
        for (i, value) in row.iter().enumerate() {
            sheet.write_number_with_format(r0 + k as u32, LABEL_COLUMNS + i as u16, *value as f64, &f.number)?;
        }
    }
    Ok(r2 + 1)
}

/// Writes the processing figures from row `top`: a title, then one line per figure (label
/// across the label columns, value beside it), then the oldest open cases. Returns the
/// first row after them.
fn write_processing(sheet: &mut Worksheet, top: u32, p: &Processing, f: &Formats) -> Result<u32, XlsxError> {
    let last = LABEL_COLUMNS + COLUMNS as u16 - 1;
    sheet.set_row_height(top, 28)?;
    span(sheet, (top, 0), (top, last), "办理情况（答复时效、延期、征求意见、补正与超期）", &f.title)?;
    let mut row = top + 1;
    for (label, value) in p.lines() {
        span(sheet, (row, 0), (row, LABEL_COLUMNS - 1), &label, &f.label_left)?;
        match value.parse::<f64>() {
            Ok(n) if !value.contains('.') => sheet.write_number_with_format(row, LABEL_COLUMNS, n, &f.number)?,
            _ => sheet.write_string_with_format(row, LABEL_COLUMNS, &value, &f.number)?,
        };
        row += 1;
    }
    row += 1;
    span(sheet, (row, 0), (row, last), "期末仍未办结的最早收到的申请（至多10件）", &f.header)?;
    row += 1;
    // 登记号 across the first two label columns, then one column each.
    let columns: [(u16, u16); 6] = [(0, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)];
    let headings = ["登记号", "收到申请日期", "当前状态", "已用工作日", "当前答复期限", "机关代码"];
    for ((c1, c2), label) in columns.iter().zip(headings) {
        span(sheet, (row, *c1), (row, *c2), label, &f.header)?;
    }
    row += 1;
    for case in &p.oldest_open {
        let stage = foi_domain::lifecycle::Stage::from_code(&case.stage).map_or(case.stage.as_str(), |s| s.label_zh());
        let cells = [
            case.case_number.clone().unwrap_or_default(),
            case.received_on.to_string(),
            stage.to_owned(),
            case.working_days_open.map(|d| d.to_string()).unwrap_or_default(),
            case.reply_due_on.map(|d| d.to_string()).unwrap_or_default(),
            case.agency_code.clone(),
        ];
        for ((c1, c2), text) in columns.iter().zip(&cells) {
            span(sheet, (row, *c1), (row, *c2), text, &f.label)?;
        }
        row += 1;
    }
    Ok(row)
}

/// Writes one agency's sheet: table 三 under `title`, then table 四, then the processing
/// figures.
fn write_sheet(
    sheet: &mut Worksheet,
    title: &str,
    rows: &[Row],
    challenges: &ChallengeTable,
    processing: &Processing,
    f: &Formats,
) -> Result<(), XlsxError> {
    write_table(sheet, title, rows, f)?;
    let next = write_table4(sheet, FIRST_DATA_ROW + rows.len() as u32 + GAP, challenges, f)?;
    write_processing(sheet, next + GAP, processing, f)?;
    Ok(())
}

/// Writes one table on `sheet` under `title`.
fn write_table(sheet: &mut Worksheet, title: &str, rows: &[Row], f: &Formats) -> Result<(), XlsxError> {
    let last_col = LABEL_COLUMNS + COLUMNS as u16 - 1;
    sheet.set_row_height(0, 36)?;
    span(sheet, (0, 0), (0, last_col), title, &f.title)?;

    // The header: 行次, 栏目, 类别, 项目 down its three rows; 申请人情况 across the figures.
    for (c, label) in ["行次", "栏目", "类别", "项目"].into_iter().enumerate() {
        span(sheet, (1, c as u16), (3, c as u16), label, &f.header)?;
    }
    let labels = column_labels();
    let first = LABEL_COLUMNS;
    span(sheet, (1, first), (1, last_col), "申请人情况", &f.header)?;
    span(sheet, (2, first), (3, first), labels[0], &f.header)?;
    span(sheet, (2, first + 1), (2, first + 5), "法人或其他组织", &f.header)?;
    for (i, label) in labels[1..6].iter().enumerate() {
        sheet.write_string_with_format(3, first + 1 + i as u16, *label, &f.header)?;
    }
    span(sheet, (2, last_col), (3, last_col), labels[COLUMNS - 1], &f.header)?;

    // The rows.
    let at = |i: usize| FIRST_DATA_ROW + i as u32;
    let mut i = 0;
    while i < rows.len() {
        let row = &rows[i];
        if row.group.is_empty() {
            // 一, 二, 四: the section across 栏目, 类别 and 项目.
            sheet.write_string_with_format(at(i), 0, row.row, &f.label)?;
            span(sheet, (at(i), 1), (at(i), 3), &row.section, &f.label_left)?;
            i += 1;
            continue;
        }
        // The outcome rows: one section cell down all of them.
        let end = i + rows[i..].iter().take_while(|r| !r.group.is_empty() && r.section == row.section).count() - 1;
        span(sheet, (at(i), 1), (at(end), 1), &row.section, &f.label)?;
        let mut g = i;
        while g <= end {
            let group = rows[g].group;
            let group_end = g + rows[g..=end].iter().take_while(|r| r.group == group).count() - 1;
            if group_end == g && rows[g].item.is_empty() {
                span(sheet, (at(g), 2), (at(g), 3), group, &f.label_left)?;
            } else {
                span(sheet, (at(g), 2), (at(group_end), 2), group, &f.label)?;
                for (k, r) in rows.iter().enumerate().take(group_end + 1).skip(g) {
                    sheet.write_string_with_format(at(k), 3, r.item, &f.label_left)?;
                }
            }
            g = group_end + 1;
        }
        for (k, r) in rows.iter().enumerate().take(end + 1).skip(i) {
            sheet.write_string_with_format(at(k), 0, r.row, &f.label)?;
        }
        i = end + 1;
    }
    for (k, r) in rows.iter().enumerate() {
        for (c, value) in r.values.iter().enumerate() {
            sheet.write_number_with_format(at(k), LABEL_COLUMNS + c as u16, *value as f64, &f.number)?;
        }
    }

    for (c, width) in [6.0, 22.0, 20.0, 40.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    for c in LABEL_COLUMNS..=last_col {
        sheet.set_column_width(c, 11.0)?;
    }
    // Wrapped labels need taller rows: no spreadsheet sizes them on opening. The item
    // column (width 40) holds about 20 Chinese characters a line.
    for (k, r) in rows.iter().enumerate() {
        let lines = r.item.chars().count().div_ceil(ITEM_CHARS_PER_LINE).max(1);
        if lines > 1 {
            sheet.set_row_height(at(k), 15.0 * lines as f64)?;
        }
    }
    sheet.set_freeze_panes(FIRST_DATA_ROW, LABEL_COLUMNS)?;
    sheet.set_landscape();
    sheet.set_paper_size(A4);
    // One page wide, as many pages down as needed.
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The report as an XLSX workbook: the summary sheet `汇总` first, then one sheet per
/// agency in the report's order (see [`sheet_names`]).
pub fn to_xlsx(report: &Report) -> Result<Vec<u8>, StatsError> {
    let formats = Formats::new();
    let period = report.period.label_zh();
    let title = |name: &str| format!("{name}{period}收到和处理政府信息公开申请情况");
    let rows = |t: &Table| t.rows(report.format, &report.period);
    let mut workbook = Workbook::new();
    let summary = workbook.add_worksheet().set_name(SUMMARY_SHEET)?;
    write_sheet(
        summary,
        &title(&report.summary_name()),
        &rows(&report.summary),
        &report.summary_challenges,
        &report.summary_processing,
        &formats,
    )?;
    let names = sheet_names(report.tables.iter().map(|t| (t.name.as_str(), t.code.as_str())));
    for (t, name) in report.tables.iter().zip(names) {
        let sheet = workbook.add_worksheet().set_name(name)?;
        write_sheet(sheet, &title(&t.name), &rows(&t.table), &t.challenges, &t.processing, &formats)?;
    }
    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let long = "绵阳市游仙区发展和改革局绵阳市游仙区发展和改革局绵阳市游仙区发展和改革局";
        let names = sheet_names([("a/b", "x"), ("汇总", "y"), (long, "z"), (long, "w"), ("A/B", "v"), ("''", "code")]);
        assert_eq!(names[0], "a_b");
        assert_eq!(names[1], "汇总(2)");
        assert_eq!(names[2].chars().count(), 31);
        assert!(names[3].ends_with("(2)") && names[3].chars().count() == 31, "{}", names[3]);
        assert_eq!(names[4], "A_B(2)");
        assert_eq!(names[5], "code");
    }
}
