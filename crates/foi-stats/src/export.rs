//! The exports of a checked [`Report`]: CSV (UTF-8 with a byte-order mark, so that Excel
//! and WPS read the Chinese labels correctly; one row block per agency, then the summary)
//! and JSON. Only a [`Report`] can be exported, and a report exists only once every table
//! balances.

use crate::{Report, Row, Table, column_labels};

/// The byte-order mark that opens the CSV.
const BOM: char = '\u{feff}';

fn csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn csv_line(out: &mut String, fields: &[&str]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, field);
    }
    out.push_str("\r\n");
}

impl Report {
    /// The name the summary block is shown under: `<name>（汇总）` for one agency,
    /// `<n>个机关汇总` for several.
    pub fn summary_name(&self) -> String {
        match self.tables.as_slice() {
            [only] => format!("{}（汇总）", only.name),
            _ => format!("{}个机关汇总", self.tables.len()),
        }
    }
}

/// The report as CSV: a BOM, a header line, then for each agency and for the summary
/// (code `合计`) its rows. Columns: 机关代码, 机关名称, 统计期间, 行次, 栏目, 类别, 项目, then
/// the six applicant kinds and 总计.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::new();
    out.push(BOM);
    let mut header = vec!["机关代码", "机关名称", "统计期间", "行次", "栏目", "类别", "项目"];
    header.extend(column_labels());
    csv_line(&mut out, &header);
    let period = report.period.label_zh();
    let mut block = |code: &str, name: &str, table: &Table| {
        for row in table.rows(report.format, &report.period) {
            let values: Vec<String> = row.values.iter().map(u64::to_string).collect();
            let mut fields = vec![code, name, period.as_str(), row.row, row.section.as_str(), row.group, row.item];
            fields.extend(values.iter().map(String::as_str));
            csv_line(&mut out, &fields);
        }
    };
    for t in &report.tables {
        block(&t.code, &t.name, &t.table);
    }
    block(Report::SUMMARY_CODE, &report.summary_name(), &report.summary);
    out
}

#[derive(serde::Serialize)]
struct JsonBlock<'a> {
    agency_code: &'a str,
    agency_name: String,
    rows: Vec<Row>,
}

#[derive(serde::Serialize)]
struct JsonReport<'a> {
    period: crate::Period,
    period_label: String,
    format: &'static str,
    columns: [&'static str; crate::COLUMNS],
    agencies: Vec<JsonBlock<'a>>,
    summary: JsonBlock<'a>,
}

/// The report as pretty-printed JSON: the period, the format's document number, the column
/// headings, one block of rows per agency and the summary.
pub fn to_json(report: &Report) -> String {
    let rows = |t: &Table| t.rows(report.format, &report.period);
    let json = JsonReport {
        period: report.period,
        period_label: report.period.label_zh(),
        format: report.format.document_zh(),
        columns: column_labels(),
        agencies: report
            .tables
            .iter()
            .map(|t| JsonBlock { agency_code: &t.code, agency_name: t.name.clone(), rows: rows(&t.table) })
            .collect(),
        summary: JsonBlock {
            agency_code: Report::SUMMARY_CODE,
            agency_name: report.summary_name(),
            rows: rows(&report.summary),
        },
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}
