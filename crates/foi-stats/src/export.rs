//! The exports of a checked [`Report`]: CSV (UTF-8 with a byte-order mark, so that Excel
//! and WPS read the Chinese labels correctly; one row block per agency, then the summary)
//! and JSON. Only a [`Report`] can be exported, and a report exists only once every table
//! balances.

use foi_domain::challenge::{ChallengeKind, ChallengeResult};

use crate::{BAND_LABELS, ChallengeTable, OldCase, Processing, Report, Row, Table, column_labels};

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
/// (code `合计`) its rows of table 三. Columns: 机关代码, 机关名称, 统计期间, 行次, 栏目,
/// 类别, 项目, then the six applicant kinds and 总计. Then, each after an empty line, a
/// title line and a header line of its own: table 四 (one line per agency, 15 figures), the
/// processing figures (one line per agency) and the oldest open cases.
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
    let summary_name = report.summary_name();
    let blocks: Vec<(&str, &str, &ChallengeTable, &Processing)> = report
        .tables
        .iter()
        .map(|t| (t.code.as_str(), t.name.as_str(), &t.challenges, &t.processing))
        .chain([(Report::SUMMARY_CODE, summary_name.as_str(), &report.summary_challenges, &report.summary_processing)])
        .collect();

    // Table 四: one line per agency, the 15 figures in the order of the form.
    out.push_str("\r\n");
    csv_line(&mut out, &["表四", "政府信息公开行政复议、行政诉讼情况"]);
    let mut header = vec!["机关代码".to_owned(), "机关名称".to_owned(), "统计期间".to_owned()];
    header.extend(ChallengeTable::default().figures().iter().map(|(group, column, _)| format!("{group}·{column}")));
    csv_line(&mut out, &header.iter().map(String::as_str).collect::<Vec<_>>());
    for (code, name, challenges, _) in &blocks {
        let values: Vec<String> = challenges.figures().iter().map(|(_, _, n)| n.to_string()).collect();
        let mut fields = vec![*code, *name, period.as_str()];
        fields.extend(values.iter().map(String::as_str));
        csv_line(&mut out, &fields);
    }

    // The processing figures: one line per agency.
    out.push_str("\r\n");
    csv_line(&mut out, &["办理情况", "答复时效、延期、征求意见、补正与超期"]);
    let labels: Vec<String> = Processing::default().lines().into_iter().map(|(label, _)| label).collect();
    let mut header = vec!["机关代码", "机关名称", "统计期间"];
    header.extend(labels.iter().map(String::as_str));
    csv_line(&mut out, &header);
    for (code, name, _, processing) in &blocks {
        let values: Vec<String> = processing.lines().into_iter().map(|(_, value)| value).collect();
        let mut fields = vec![*code, *name, period.as_str()];
        fields.extend(values.iter().map(String::as_str));
        csv_line(&mut out, &fields);
    }

    // The oldest cases still open at the end of the period.
    out.push_str("\r\n");
    csv_line(&mut out, &["在办最久", "期末仍未办结的最早收到的申请（每个机关至多10件）"]);
    csv_line(&mut out, &["机关代码", "登记号", "收到申请日期", "已用工作日", "当前状态", "当前答复期限"]);
    for t in &report.tables {
        for c in &t.processing.oldest_open {
            let fields = old_case_fields(c);
            csv_line(&mut out, &fields.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
    out
}

fn old_case_fields(c: &OldCase) -> [String; 6] {
    [
        c.agency_code.clone(),
        c.case_number.clone().unwrap_or_default(),
        c.received_on.to_string(),
        c.working_days_open.map(|d| d.to_string()).unwrap_or_default(),
        foi_domain::lifecycle::Stage::from_code(&c.stage).map_or_else(|| c.stage.clone(), |s| s.label_zh().to_owned()),
        c.reply_due_on.map(|d| d.to_string()).unwrap_or_default(),
    ]
}

#[derive(serde::Serialize)]
struct JsonBlock<'a> {
    agency_code: &'a str,
    agency_name: String,
    rows: Vec<Row>,
    table4: Vec<JsonChallengeCell>,
    processing: JsonProcessing<'a>,
}

#[derive(serde::Serialize)]
struct JsonChallengeCell {
    kind: &'static str,
    kind_label: &'static str,
    result: &'static str,
    result_label: &'static str,
    count: u64,
}

#[derive(serde::Serialize)]
struct JsonBand {
    label: &'static str,
    count: u64,
}

#[derive(serde::Serialize)]
struct JsonProcessing<'a> {
    replied: u64,
    on_time: u64,
    late: u64,
    days_to_reply_median: Option<f64>,
    days_to_reply_average: Option<f64>,
    days_to_reply_shortest: Option<u32>,
    days_to_reply_longest: Option<u32>,
    days_to_reply_bands: Vec<JsonBand>,
    extended: u64,
    consultations: u64,
    corrections_requested: u64,
    corrections_received: u64,
    open_now: u64,
    overdue_now: u64,
    oldest_open: &'a [OldCase],
}

fn json_block<'a>(
    code: &'a str,
    name: String,
    rows: Vec<Row>,
    challenges: &ChallengeTable,
    p: &'a Processing,
) -> JsonBlock<'a> {
    let mut table4 = Vec::with_capacity(15);
    for (k, kind) in ChallengeKind::ALL.into_iter().enumerate() {
        for (r, result) in ChallengeResult::ALL.into_iter().enumerate() {
            table4.push(JsonChallengeCell {
                kind: kind.code(),
                kind_label: kind.label_zh(),
                result: result.code(),
                result_label: result.label_zh(),
                count: challenges.cells[k][r],
            });
        }
        table4.push(JsonChallengeCell {
            kind: kind.code(),
            kind_label: kind.label_zh(),
            result: "TOTAL",
            result_label: "总计",
            count: challenges.cells[k][4],
        });
    }
    let bands = BAND_LABELS.iter().zip(p.days.bands()).map(|(label, count)| JsonBand { label, count }).collect();
    JsonBlock {
        agency_code: code,
        agency_name: name,
        rows,
        table4,
        processing: JsonProcessing {
            replied: p.replied(),
            on_time: p.on_time,
            late: p.late,
            days_to_reply_median: p.days.median(),
            days_to_reply_average: p.days.average().map(|a| (a * 10.0).round() / 10.0),
            days_to_reply_shortest: p.days.shortest(),
            days_to_reply_longest: p.days.longest(),
            days_to_reply_bands: bands,
            extended: p.extended,
            consultations: p.consultations,
            corrections_requested: p.corrections_requested,
            corrections_received: p.corrections_received,
            open_now: p.open_now,
            overdue_now: p.overdue_now,
            oldest_open: &p.oldest_open,
        },
    }
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
/// headings, one block per agency and the summary, each with the rows of table 三, the 15
/// cells of table 四 (`table4`) and the processing figures (`processing`).
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
            .map(|t| json_block(&t.code, t.name.clone(), rows(&t.table), &t.challenges, &t.processing))
            .collect(),
        summary: json_block(
            Report::SUMMARY_CODE,
            report.summary_name(),
            rows(&report.summary),
            &report.summary_challenges,
            &report.summary_processing,
        ),
    };
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');
    text
}
