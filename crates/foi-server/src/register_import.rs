//! Importing an agency's existing register (台账): `foi import register FILE`.
//!
//! An agency that goes live mid-year must still report the whole year (rules.md §4), so it
//! brings its earlier applications in. Each row of the register (CSV or the first sheet of
//! an XLSX workbook; layout in `docs/import.md`) becomes one case built through the real
//! workflow: the row is turned into the events that happened to it ([`Step`]), every row is
//! first folded through the domain ([`Case::apply`]) so that every guard of the law checks it
//! with the row number at hand (a refusal cites its article), its 登记号 is checked against
//! the database's case numbers (by the dry run too), and only a file without a single bad
//! row is written, all in one store transaction, each case marked as imported.
//!
//! [`read_file`] reads the sheet, [`plan`] validates it into a [`Plan`], [`write`] stores it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

use foi_domain::applicant::{ApplicantKind, Channel, DeliveryMethod, FormWanted};
use foi_domain::calendar::{Calendar, format_date};
use foi_domain::case_number::CaseNumberPattern;
use foi_domain::fee::FeeBasis;
use foi_domain::lifecycle::{
    Case, Context, Event, EventKind, Guard, NotHandledReason, ServedNotice, ServiceMethod, TransitionError,
};
use foi_domain::outcome::{Outcome, OutcomeGroup};
use foi_store::workflow::rules_of;
use foi_store::{
    Actor, Agency, ApplicantDetails, ChangeRequest, Command, NewApplication, Store, StoreError, Txn, WorkflowError,
};
use time::{Date, Month, OffsetDateTime};

/// The reason recorded on every event of an imported case, its first (opening) one included.
pub const IMPORT_REASON: &str = foi_store::workflow::IMPORT_REASON;
/// The item list of an imported correction notice (the register rarely lists them).
pub const CORRECTION_ITEMS: &str = "补正事项见原台账";
/// Who approved an imported extension (Reg. 33), as the history shows it.
pub const EXTENSION_APPROVER: &str = "原台账记载";
/// An imported extension adds the most the law allows (Reg. 33 ¶1: 20 working days).
pub const EXTENSION_WORKING_DAYS: u32 = 20;
/// The reason of an imported extension whose row gives no 延期理由 (Reg. 33 ¶1 asks for
/// the head's approval of a request; the register kept only the date).
pub const EXTENSION_REASON: &str = "原台账未记载延期理由";

/// The history's actor for the events of register row `row`; never personal data.
pub fn actor_label(row: usize) -> String {
    format!("导入（台账第{row}行）")
}

/// A column of the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// 机关代码: the agency's code (`foi admin list-agencies`).
    Agency,
    /// 登记号: the case number given in the register (optional).
    CaseNumber,
    /// 申请人: the applicant's name.
    ApplicantName,
    /// 申请人类型: the statistics column.
    ApplicantKind,
    /// 申请方式: the channel.
    Channel,
    /// 收到申请日期: the date of receipt (Reg. 31).
    Received,
    /// 申请内容: what was asked for.
    Subject,
    /// 办理结果: the outcome row, empty while open.
    Outcome,
    /// 答复或办结日期: the reply or closing date, empty while open.
    Concluded,
    /// 补正告知日期: the day the correction notice was sent (Reg. 30).
    CorrectionRequested,
    /// 补正期限（工作日）: the correction period the notice set, in working days (Reg. 30);
    /// empty for the agency's default.
    CorrectionPeriod,
    /// 补正送达日期: the day the correction notice reached the applicant (送达); its period
    /// runs from the next day (Reg. 30). Empty: 补正告知日期.
    CorrectionServed,
    /// 收到补正日期: the day the corrected application arrived (Reg. 30).
    CorrectionReceived,
    /// 延期日期: the day the extension was approved and notified (Reg. 33).
    Extended,
    /// 延期理由: why the reply needed more time (Reg. 33 ¶1); empty for
    /// [`EXTENSION_REASON`].
    ExtensionReason,
    /// 收费通知日期: the day of the fee notice (Reg. 42); also the day it was received when
    /// 收费通知送达日期 is empty.
    FeeNotice,
    /// 收费通知送达日期: the day the applicant received the fee notice; the 20 working days to
    /// pay run from the next day (国办函〔2020〕109号). Empty: 收费通知日期.
    FeeServed,
    /// 收费金额（元）: the amount of the fee notice.
    FeeAmount,
    /// 计费方式: per application or per page.
    FeeBasis,
    /// 缴费日期: the day the fee was paid.
    FeePaid,
    /// 答复送达日期: the day the reply or closing notice reached the applicant (送达).
    DecisionServed,
    /// 送达方式: how the notices and the decision of the row were served; default 直接送达.
    ServiceMethod,
    /// 依据: the legal basis stated in the reply.
    LegalBasis,
    /// 提供形式: the form wanted (Reg. 29).
    FormWanted,
    /// 获取方式: how the applicant wanted to receive it (Reg. 29).
    Delivery,
}

impl Column {
    /// Every column, in the order of the template.
    pub const ALL: [Column; 25] = [
        Column::Agency,
        Column::CaseNumber,
        Column::ApplicantName,
        Column::ApplicantKind,
        Column::Channel,
        Column::Received,
        Column::Subject,
        Column::Outcome,
        Column::Concluded,
        Column::CorrectionRequested,
        Column::CorrectionPeriod,
        Column::CorrectionServed,
        Column::CorrectionReceived,
        Column::Extended,
        Column::ExtensionReason,
        Column::FeeNotice,
        Column::FeeServed,
        Column::FeeAmount,
        Column::FeeBasis,
        Column::FeePaid,
        Column::DecisionServed,
        Column::ServiceMethod,
        Column::LegalBasis,
        Column::FormWanted,
        Column::Delivery,
    ];

    /// The header as written in the template.
    pub fn header(self) -> &'static str {
        match self {
            Column::Agency => "机关代码",
            Column::CaseNumber => "登记号",
            Column::ApplicantName => "申请人",
            Column::ApplicantKind => "申请人类型",
            Column::Channel => "申请方式",
            Column::Received => "收到申请日期",
            Column::Subject => "申请内容",
            Column::Outcome => "办理结果",
            Column::Concluded => "答复或办结日期",
            Column::CorrectionRequested => "补正告知日期",
            Column::CorrectionPeriod => "补正期限（工作日）",
            Column::CorrectionServed => "补正送达日期",
            Column::CorrectionReceived => "收到补正日期",
            Column::Extended => "延期日期",
            Column::ExtensionReason => "延期理由",
            Column::FeeNotice => "收费通知日期",
            Column::FeeServed => "收费通知送达日期",
            Column::FeeAmount => "收费金额（元）",
            Column::FeeBasis => "计费方式",
            Column::FeePaid => "缴费日期",
            Column::DecisionServed => "答复送达日期",
            Column::ServiceMethod => "送达方式",
            Column::LegalBasis => "依据",
            Column::FormWanted => "提供形式",
            Column::Delivery => "获取方式",
        }
    }

    /// Other headers registers use for the same column (compared after [`normalise`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::CaseNumber => &["案件编号", "申请编号", "登记编号"],
            Column::ApplicantName => &["申请人姓名或名称", "申请人姓名", "申请人名称"],
            Column::Received => &["收到日期", "收件日期"],
            Column::CorrectionPeriod => &["补正期限", "补正期限（个工作日）"],
            Column::Subject => &["申请公开的内容", "申请事项"],
            Column::Concluded => &["答复日期", "办结日期"],
            Column::FeeAmount => &["收费金额"],
            Column::LegalBasis => &["法律依据", "答复依据"],
            Column::ExtensionReason => &["延期原因", "延长答复期限理由"],
            Column::CorrectionServed => &["补正告知送达日期", "补正告知书送达日期"],
            Column::FeeServed => &["收费通知书送达日期", "收费送达日期"],
            Column::DecisionServed => &["答复书送达日期", "办结送达日期"],
            _ => &[],
        }
    }

    /// Whether a register must have this column.
    pub fn required(self) -> bool {
        matches!(
            self,
            Column::Agency
                | Column::ApplicantName
                | Column::ApplicantKind
                | Column::Channel
                | Column::Received
                | Column::Subject
                | Column::Outcome
                | Column::Concluded
        )
    }

    fn matches(self, header: &str) -> bool {
        let header = normalise(header);
        normalise(self.header()) == header || self.aliases().iter().any(|a| normalise(a) == header)
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.header())
    }
}

/// Full-width brackets to ASCII, no whitespace: how headers and outcome rows are compared.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

/// A sheet as read: its header row and the rows below it, each with its spreadsheet row
/// number (the first row of the file is row 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sheet {
    /// The rows, header included, each with its number; entirely empty rows are left out.
    pub rows: Vec<SheetRow>,
}

/// One row of a [`Sheet`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetRow {
    /// The spreadsheet row number (1-based).
    pub number: usize,
    /// The cells as text, trimmed.
    pub cells: Vec<String>,
}

/// Why a file could not be read as a register. Nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    /// Neither `.csv` nor `.xlsx`.
    #[error("unknown file type; give a .csv (UTF-8) or .xlsx file")]
    UnknownType,
    /// A CSV that is not UTF-8 (Excel in China saves GBK unless told otherwise).
    #[error(
        "the CSV is not UTF-8 (first bad byte on line {line}); in Excel or WPS save it as \
         \"CSV UTF-8 (逗号分隔)\", or import the .xlsx directly"
    )]
    NotUtf8 {
        /// The line of the first invalid byte.
        line: usize,
    },
    /// The CSV is malformed.
    #[error("the CSV cannot be read: {0}")]
    Csv(String),
    /// The workbook is malformed or has no sheet.
    #[error("the workbook cannot be read: {0}")]
    Xlsx(String),
    /// No row names a known column.
    #[error("no header row found: the first row must name the columns, e.g. {}", required_headers())]
    NoHeader,
    /// Required columns are missing.
    #[error("the header row (row {row}) lacks the required column(s) {}; see docs/import.md", .missing.join(", "))]
    MissingColumns {
        /// The header row.
        row: usize,
        /// The missing headers.
        missing: Vec<&'static str>,
    },
    /// A column appears twice.
    #[error("the header row (row {row}) has the column {header} twice")]
    DuplicateColumn {
        /// The header row.
        row: usize,
        /// The repeated header.
        header: &'static str,
    },
    /// A header row and nothing below it.
    #[error("the register has a header row but no rows to import")]
    NoRows,
}

fn required_headers() -> String {
    Column::ALL.iter().filter(|c| c.required()).map(|c| c.header()).collect::<Vec<_>>().join(", ")
}

/// Reads a register from a `.csv` or `.xlsx` file, by its extension.
pub fn read_file(path: &Path) -> Result<Sheet, FileError> {
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let bytes = || std::fs::read(path).map_err(FileError::Io);
    match extension.as_deref() {
        Some("csv") => read_csv(&bytes()?),
        Some("xlsx") => read_xlsx(bytes()?),
        _ => Err(FileError::UnknownType),
    }
}

/// Reads a CSV register: UTF-8, with or without a byte-order mark, comma-separated. Row
/// numbers are those a spreadsheet shows (a line break inside a quoted cell stays in its row).
pub fn read_csv(bytes: &[u8]) -> Result<Sheet, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| FileError::NotUtf8 {
        line: 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Lines taken by line breaks inside quoted cells of earlier records.
    let mut inner_breaks = 0;
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Csv(e.to_string()))?;
        // The reader reports where it started looking, before the empty lines it skipped.
        let (line, byte) = record.position().map_or((1, 0), |p| (p.line() as usize, p.byte() as usize));
        let skipped = text.as_bytes().get(byte..).unwrap_or_default();
        let skipped = skipped.iter().take_while(|b| matches!(b, b'\r' | b'\n')).filter(|b| **b == b'\n').count();
        let line = line + skipped;
        let number = line.saturating_sub(inner_breaks);
        inner_breaks += record.iter().map(|f| f.matches('\n').count()).sum::<usize>();
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push(SheetRow { number, cells });
        }
    }
    Ok(Sheet { rows })
}

/// Reads the first sheet of an XLSX register. Date cells become `YYYY-MM-DD`; whole numbers
/// lose their `.0`.
pub fn read_xlsx(bytes: Vec<u8>) -> Result<Sheet, FileError> {
    use calamine::{Data, Reader, Xlsx};
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| FileError::Xlsx(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| FileError::Xlsx("it has no sheet".into()))?
        .map_err(|e| FileError::Xlsx(e.to_string()))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_col = range.start().map_or(0, |(_, col)| col as usize);
    let text = |cell: &Data| match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or_default().to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e}"),
    };
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // Columns left of the used range are empty: keep positions as the sheet shows them.
            let mut row = vec![String::new(); first_col];
            row.extend(cells.iter().map(text));
            SheetRow { number: first_row + i + 1, cells: row }
        })
        .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
        .collect();
    Ok(Sheet { rows })
}

/// One step of an imported case: a domain event, or a registration whose number the store
/// allocates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Record this event.
    Event(Event),
    /// Register on this day under the agency's next case number.
    Register {
        /// The registration date.
        on: Date,
    },
}

/// A validated row, ready to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedCase {
    /// The spreadsheet row.
    pub row: usize,
    /// The agency's code.
    pub agency_code: String,
    /// The application.
    pub application: NewApplication,
    /// Its events in order; the first is `Submitted` (online) or `Received`.
    pub steps: Vec<Step>,
    /// The (year, sequence) of a case number given in the register that follows the
    /// agency's own pattern, so that later registrations do not hand it out again.
    pub reserved: Option<(i32, i64)>,
}

/// A validated register.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The cases, in row order.
    pub cases: Vec<PlannedCase>,
    /// Headers of columns that are not imported.
    pub ignored_columns: Vec<String>,
}

impl Plan {
    /// How many cases go to each agency, by code.
    pub fn per_agency(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for case in &self.cases {
            *counts.entry(case.agency_code.clone()).or_insert(0) += 1;
        }
        counts
    }
}

/// A bad row and everything wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The spreadsheet row.
    pub row: usize,
    /// What is wrong, one problem each, naming the column.
    pub problems: Vec<String>,
}

impl fmt::Display for RowError {
    /// One line per problem, each starting with the row number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(|p| format!("row {}: {p}", self.row)).collect();
        f.write_str(&lines.join("\n"))
    }
}

/// Why a register was refused. Nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file or its header row is unusable.
    #[error(transparent)]
    File(#[from] FileError),
    /// Some rows are wrong: all of them are listed.
    #[error("{} row(s) cannot be imported, so nothing was imported:\n{}", .0.len(), list(.0))]
    Rows(Vec<RowError>),
}

fn list(rows: &[RowError]) -> String {
    rows.iter()
        .flat_map(|r| r.to_string().lines().map(|l| format!("  {l}")).collect::<Vec<_>>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What every row is checked against.
pub struct Checks<'a> {
    /// The agencies, by code.
    pub agencies: &'a [Agency],
    /// The working-day calendar in force.
    pub calendar: &'a Calendar,
    /// Today in China: no date may be later.
    pub today: Date,
    /// Which of the register's case numbers ([`case_numbers`]) the database already has:
    /// such a row is refused like any bad row, so that a dry run refuses it too.
    pub taken_numbers: &'a HashSet<String>,
}

/// The case numbers (登记号) the register gives, to ask the database which are taken
/// ([`Checks::taken_numbers`]); none if the header row is unusable ([`plan`] says why).
pub fn case_numbers(sheet: &Sheet) -> Vec<String> {
    let Ok(Header { row: header, columns, .. }) = header_of(sheet) else { return Vec::new() };
    let Some(&column) = columns.get(&Column::CaseNumber) else { return Vec::new() };
    sheet
        .rows
        .iter()
        .filter(|r| r.number > header)
        .filter_map(|r| r.cells.get(column).filter(|n| !n.is_empty()).cloned())
        .collect()
}

/// Validates every row of `sheet` and turns it into the events of its case. Either every
/// row is good and the plan is returned, or every bad row is reported with its problems.
pub fn plan(sheet: &Sheet, checks: &Checks<'_>) -> Result<Plan, PlanError> {
    let Header { row: header, columns, ignored: ignored_columns } = header_of(sheet)?;
    let agencies: HashMap<&str, &Agency> = checks.agencies.iter().map(|a| (a.code.as_str(), a)).collect();
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    // Case numbers are unique across the database; the file must not repeat one either.
    let mut numbers: HashMap<String, usize> = HashMap::new();
    for sheet_row in sheet.rows.iter().filter(|r| r.number > header) {
        let cell = |column: Column| {
            columns.get(&column).and_then(|&i| sheet_row.cells.get(i)).map(String::as_str).unwrap_or_default()
        };
        let mut row = RowCheck { problems: Vec::new(), checks, row: sheet_row.number };
        let planned = row.plan(&cell, &agencies);
        if let Some(number) = planned.as_ref().and_then(|p| registered_number(&p.steps)) {
            match numbers.get(number) {
                Some(first) => row.problems.push(format!("登记号 {number:?} is also on row {first}")),
                None => {
                    numbers.insert(number.to_owned(), sheet_row.number);
                }
            }
        }
        match planned {
            Some(case) if row.problems.is_empty() => cases.push(case),
            _ => errors.push(RowError { row: sheet_row.number, problems: row.problems }),
        }
    }
    if !errors.is_empty() {
        return Err(PlanError::Rows(errors));
    }
    if cases.is_empty() {
        return Err(FileError::NoRows.into());
    }
    Ok(Plan { cases, ignored_columns })
}

fn registered_number(steps: &[Step]) -> Option<&str> {
    steps.iter().find_map(|s| match s {
        Step::Event(Event::Registered { case_number, .. }) => Some(case_number.as_str()),
        _ => None,
    })
}

/// The header row of a sheet.
struct Header {
    /// Its row number.
    row: usize,
    /// Where each column is.
    columns: HashMap<Column, usize>,
    /// The headers of columns that are not imported.
    ignored: Vec<String>,
}

/// Finds the header row and the columns.
fn header_of(sheet: &Sheet) -> Result<Header, FileError> {
    // Titles above the header row (a register often has one) are skipped.
    let header = sheet
        .rows
        .iter()
        .find(|r| r.cells.iter().any(|c| Column::ALL.iter().any(|col| col.matches(c))))
        .ok_or(FileError::NoHeader)?;
    let mut columns = HashMap::new();
    let mut ignored = Vec::new();
    for (i, text) in header.cells.iter().enumerate() {
        match Column::ALL.into_iter().find(|c| c.matches(text)) {
            Some(column) if columns.contains_key(&column) => {
                return Err(FileError::DuplicateColumn { row: header.number, header: column.header() });
            }
            Some(column) => {
                columns.insert(column, i);
            }
            None if !text.is_empty() => ignored.push(text.clone()),
            None => {}
        }
    }
    let missing: Vec<_> =
        Column::ALL.into_iter().filter(|c| c.required() && !columns.contains_key(c)).map(Column::header).collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns { row: header.number, missing });
    }
    Ok(Header { row: header.number, columns, ignored })
}

/// Parses a date as registers write it: `2025-09-03`, `2025/9/3`, `2025.9.3`, `2025年9月3日`,
/// optionally followed by a time (as Excel exports it).
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let date_part = text.split([' ', 'T']).next().unwrap_or_default();
    let unified: String = date_part
        .chars()
        .filter(|c| *c != '日')
        .map(|c| if matches!(c, '年' | '月' | '/' | '.') { '-' } else { c })
        .collect();
    let mut parts = unified.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(y) && all_digits(m) && all_digits(d)) {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// Parses an outcome: its row of table 三 (`(三)1` or `（三）1`), its code
/// (`WITHHELD_STATE_SECRET`), or its Chinese label.
pub fn parse_outcome(text: &str) -> Option<Outcome> {
    let wanted = normalise(text);
    Outcome::from_row(&wanted)
        .or_else(|| wanted.parse().ok())
        .or_else(|| Outcome::ALL.into_iter().find(|o| normalise(o.label_zh()) == wanted))
        .or_else(|| (wanted == "部分公开").then_some(Outcome::PartlyDisclosed))
}

/// The Reg. 35/36(6)/39 reason of a (五) outcome.
fn not_handled_reason(outcome: Outcome) -> Option<NotHandledReason> {
    Some(match outcome {
        Outcome::NotHandledPetition => NotHandledReason::Petition,
        Outcome::NotHandledRepeat => NotHandledReason::Repeat,
        Outcome::NotHandledPublication => NotHandledReason::Publication,
        Outcome::NotHandledExcessive => NotHandledReason::Excessive,
        Outcome::NotHandledConfirmOrReissue => NotHandledReason::ConfirmOrReissue,
        _ => return None,
    })
}

/// The checks of one row, collecting its problems.
struct RowCheck<'c, 'a> {
    problems: Vec<String>,
    checks: &'c Checks<'a>,
    row: usize,
}

/// A dated step with what to call it in a message.
struct Dated {
    step: Step,
    what: String,
}

impl RowCheck<'_, '_> {
    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    fn required<'v>(&mut self, column: Column, value: &'v str) -> Option<&'v str> {
        if value.is_empty() {
            self.problem(format!("{column} is empty"));
            None
        } else {
            Some(value)
        }
    }

    /// A date on the calendar and not in the future.
    fn date(&mut self, column: Column, value: &str) -> Option<Date> {
        if value.is_empty() {
            return None;
        }
        let Some(date) = parse_date(value) else {
            self.problem(format!("{column} {value:?} is not a date; write it as YYYY-MM-DD"));
            return None;
        };
        if date > self.checks.today {
            self.problem(format!("{column} {} is in the future", format_date(date)));
            return None;
        }
        // A year without a notice is counted on the provisional calendar (rules.md §3); only
        // a year no rule covers is refused.
        if let Err(e) = self.checks.calendar.day_or_provisional(date) {
            self.problem(format!("{column} {}: {e}", format_date(date)));
            return None;
        }
        Some(date)
    }

    fn parsed<T: std::str::FromStr>(&mut self, column: Column, value: &str, hint: &str) -> Option<T> {
        match value.parse() {
            Ok(v) => Some(v),
            Err(_) => {
                self.problem(format!("{column} {value:?} is not known; use {hint}"));
                None
            }
        }
    }

    fn not_before(&mut self, later: (Column, Option<Date>), earlier: (Column, Option<Date>)) {
        if let ((lc, Some(l)), (ec, Some(e))) = (later, earlier)
            && l < e
        {
            self.problem(format!("{lc} {} is before {ec} {}", format_date(l), format_date(e)));
        }
    }

    /// Checks the row and builds its case; `None` (with problems) if it cannot be built.
    fn plan<'s>(&mut self, cell: &dyn Fn(Column) -> &'s str, agencies: &HashMap<&str, &Agency>) -> Option<PlannedCase> {
        let agency_code = cell(Column::Agency);
        let agency = match self.required(Column::Agency, agency_code) {
            Some(code) => match agencies.get(code) {
                Some(a) => Some(*a),
                None => {
                    self.problem(format!("机关代码 {code:?} is no agency; see `foi admin list-agencies`"));
                    None
                }
            },
            None => None,
        };
        let name = self.required(Column::ApplicantName, cell(Column::ApplicantName));
        let subject = self.required(Column::Subject, cell(Column::Subject));
        let kind = self.required(Column::ApplicantKind, cell(Column::ApplicantKind)).and_then(|v| {
            self.parsed::<ApplicantKind>(
                Column::ApplicantKind,
                v,
                "自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他 or their codes",
            )
        });
        let channel = self.required(Column::Channel, cell(Column::Channel)).and_then(|v| {
            let v = if normalise(v) == "网上申请" { "网络申请" } else { v };
            self.parsed::<Channel>(
                Column::Channel,
                v,
                "网络申请, 当面申请, 挂号信/邮政快递, 平信, 传真, 口头申请 or their codes",
            )
        });
        let form_wanted = match cell(Column::FormWanted) {
            "" => Some(FormWanted::Paper),
            v => self.parsed::<FormWanted>(Column::FormWanted, v, "纸质文本, 电子邮件, 电子数据, 查阅、抄录"),
        };
        let delivery = match cell(Column::Delivery) {
            "" => Some(DeliveryMethod::Collect),
            v => self.parsed::<DeliveryMethod>(Column::Delivery, v, "自行领取, 邮寄, 电子邮件, 网上下载"),
        };
        let received = match self.required(Column::Received, cell(Column::Received)) {
            Some(v) => self.date(Column::Received, v),
            None => None,
        };
        let outcome = match cell(Column::Outcome) {
            "" => None,
            v => {
                let parsed = parse_outcome(v);
                if parsed.is_none() {
                    self.problem(format!(
                        "办理结果 {v:?} is no row of table 三; use a row such as (一), (三)1, (六)3, or a code such as WITHHELD_STATE_SECRET"
                    ));
                }
                parsed
            }
        };
        let concluded = self.date(Column::Concluded, cell(Column::Concluded));
        let correction_requested = self.date(Column::CorrectionRequested, cell(Column::CorrectionRequested));
        let correction_period = match cell(Column::CorrectionPeriod) {
            "" => None,
            v => {
                let days = v
                    .trim_end_matches("个工作日")
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|d| foi_domain::lifecycle::CORRECTION_PERIOD_RANGE.contains(d));
                if days.is_none() {
                    self.problem(format!(
                        "补正期限（工作日） {v:?} is not a whole number of working days from 1 to 60"
                    ));
                }
                days
            }
        };
        let correction_served = self.date(Column::CorrectionServed, cell(Column::CorrectionServed));
        let correction_received = self.date(Column::CorrectionReceived, cell(Column::CorrectionReceived));
        let extended = self.date(Column::Extended, cell(Column::Extended));
        let extension_reason = match cell(Column::ExtensionReason) {
            "" => EXTENSION_REASON.to_owned(),
            v if v.chars().count() > foi_domain::lifecycle::EXTENSION_REASON_MAX => {
                self.problem(format!(
                    "延期理由 is longer than {} characters",
                    foi_domain::lifecycle::EXTENSION_REASON_MAX
                ));
                EXTENSION_REASON.to_owned()
            }
            v => v.to_owned(),
        };
        if !cell(Column::ExtensionReason).is_empty() && cell(Column::Extended).is_empty() {
            self.problem("延期理由 is given but 延期日期 is empty".into());
        }
        let fee_notice = self.date(Column::FeeNotice, cell(Column::FeeNotice));
        let fee_served = self.date(Column::FeeServed, cell(Column::FeeServed));
        let fee_paid = self.date(Column::FeePaid, cell(Column::FeePaid));
        let decision_served = self.date(Column::DecisionServed, cell(Column::DecisionServed));
        let service_method = match cell(Column::ServiceMethod) {
            "" => Some(ServiceMethod::InPerson),
            v => {
                let method = parse_service_method(v);
                if method.is_none() {
                    self.problem(format!(
                        "送达方式 {v:?} is not known; use 直接送达, 邮寄送达, 电子邮件送达, 网上送达, 传真送达 or IN_PERSON, POST, EMAIL, ONLINE, FAX"
                    ));
                }
                method
            }
        };
        let fee_amount = match cell(Column::FeeAmount) {
            "" => None,
            v => {
                let amount = v
                    .trim_end_matches('元')
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|a| a.fract() == 0.0 && *a >= 1.0 && *a <= f64::from(u32::MAX))
                    .map(|a| a as u32);
                if amount.is_none() {
                    self.problem(format!("收费金额（元） {v:?} is not a whole number of yuan above 0"));
                }
                amount
            }
        };
        let fee_basis = match cell(Column::FeeBasis) {
            "" => Some(FeeBasis::PerApplication),
            v => self.parsed::<FeeBasis>(Column::FeeBasis, v, "按件计收 or 按量计收"),
        };
        let legal_basis = Some(cell(Column::LegalBasis)).filter(|b| !b.is_empty());
        let case_number = Some(cell(Column::CaseNumber)).filter(|n| !n.is_empty());
        if let Some(number) = case_number
            && self.checks.taken_numbers.contains(number)
        {
            self.problem(format!("登记号 {number:?} is already the number of a case in the database"));
        }

        // Whether the row says enough, before the domain sees it.
        let outcome_text = cell(Column::Outcome);
        match (outcome_text.is_empty(), cell(Column::Concluded).is_empty()) {
            (true, false) => self.problem("答复或办结日期 is given but 办理结果 is empty".into()),
            (false, true) if outcome.is_some() => self.problem(format!("办理结果 {outcome_text} needs 答复或办结日期")),
            _ => {}
        }
        if !cell(Column::CorrectionReceived).is_empty() && cell(Column::CorrectionRequested).is_empty() {
            self.problem("收到补正日期 is given but 补正告知日期 is empty".into());
        }
        if !cell(Column::CorrectionServed).is_empty() && cell(Column::CorrectionRequested).is_empty() {
            self.problem("补正送达日期 is given but 补正告知日期 is empty".into());
        }
        if !cell(Column::FeeServed).is_empty() && cell(Column::FeeNotice).is_empty() {
            self.problem("收费通知送达日期 is given but 收费通知日期 is empty".into());
        }
        if !cell(Column::DecisionServed).is_empty() {
            match outcome.map(|o| o.group()) {
                Some(OutcomeGroup::Other) => self.problem(format!(
                    "答复送达日期 is given but 办理结果 {outcome_text} closes the case without a reply or notice to serve"
                )),
                None => self.problem("答复送达日期 is given but 办理结果 is empty".into()),
                Some(_) => {}
            }
        }
        if !cell(Column::CorrectionPeriod).is_empty() && cell(Column::CorrectionRequested).is_empty() {
            self.problem("补正期限（工作日） is given but 补正告知日期 is empty".into());
        }
        if !cell(Column::FeePaid).is_empty() && cell(Column::FeeNotice).is_empty() {
            self.problem("缴费日期 is given but 收费通知日期 is empty".into());
        }
        if !cell(Column::FeeNotice).is_empty() && cell(Column::FeeAmount).is_empty() {
            self.problem("收费通知日期 is given but 收费金额（元） is empty".into());
        }
        if !cell(Column::FeeAmount).is_empty() && cell(Column::FeeNotice).is_empty() {
            self.problem("收费金额（元） is given but 收费通知日期 is empty".into());
        }
        match outcome {
            // Reg. 30: deemed abandoned only after a correction notice that went unanswered.
            Some(Outcome::OtherCorrectionNotMade) => {
                if cell(Column::CorrectionRequested).is_empty() {
                    self.problem("办理结果 (六)1 (correction not made, Reg. 30) needs 补正告知日期".into());
                }
                if !cell(Column::CorrectionReceived).is_empty() {
                    self.problem("办理结果 (六)1 (correction not made) contradicts 收到补正日期".into());
                }
            }
            Some(Outcome::OtherFeeNotPaid) => {
                if cell(Column::FeeNotice).is_empty() {
                    self.problem("办理结果 (六)2 (fee not paid) needs 收费通知日期 and 收费金额（元）".into());
                }
                if !cell(Column::FeePaid).is_empty() {
                    self.problem("办理结果 (六)2 (fee not paid) contradicts 缴费日期".into());
                }
            }
            _ => {}
        }
        use Column as C;
        self.not_before((C::Concluded, concluded), (C::Received, received));
        self.not_before((C::CorrectionRequested, correction_requested), (C::Received, received));
        self.not_before((C::CorrectionReceived, correction_received), (C::CorrectionRequested, correction_requested));
        self.not_before((C::Extended, extended), (C::Received, received));
        self.not_before((C::FeeNotice, fee_notice), (C::Received, received));
        self.not_before((C::FeePaid, fee_paid), (C::FeeNotice, fee_notice));
        // A notice is served on or after its own date; nothing answers it before it arrives.
        self.not_before((C::CorrectionServed, correction_served), (C::CorrectionRequested, correction_requested));
        self.not_before((C::CorrectionReceived, correction_received), (C::CorrectionServed, correction_served));
        self.not_before((C::FeeServed, fee_served), (C::FeeNotice, fee_notice));
        self.not_before((C::FeePaid, fee_paid), (C::FeeServed, fee_served));
        self.not_before((C::DecisionServed, decision_served), (C::Concluded, concluded));
        for (column, date) in [
            (C::CorrectionRequested, correction_requested),
            (C::CorrectionReceived, correction_received),
            (C::Extended, extended),
            (C::FeeNotice, fee_notice),
            (C::FeePaid, fee_paid),
        ] {
            self.not_before((C::Concluded, concluded), (column, date));
        }
        if !self.problems.is_empty() {
            return None;
        }
        let (agency, name, subject, kind, channel, received) = (agency?, name?, subject?, kind?, channel?, received?);
        let method = service_method?;

        // The events, in the order they happened.
        let mut steps: Vec<Dated> = Vec::new();
        let mut push = |step: Step, what: String| steps.push(Dated { step, what });
        let on_receipt = format!("收到申请日期 {}", format_date(received));
        if channel == Channel::Online {
            // Reg. 31(3): an online application is received when the clerk acknowledges it.
            push(Step::Event(Event::Submitted { on: received, received_on: None }), on_receipt.clone());
        }
        push(Step::Event(Event::Received { on: received, channel }), on_receipt.clone());
        match case_number {
            Some(number) => push(
                Step::Event(Event::Registered { on: received, case_number: number.to_owned() }),
                format!("登记号 {number}"),
            ),
            None => push(Step::Register { on: received }, on_receipt.clone()),
        }
        if let Some(on) = correction_requested {
            push(
                Step::Event(Event::CorrectionRequested {
                    on,
                    items: vec![CORRECTION_ITEMS.to_owned()],
                    period_wd: correction_period,
                }),
                format!("补正告知日期 {}", format_date(on)),
            );
            // Its period (Reg. 30) runs from service (送达): 补正送达日期, or, where the
            // register records none, the day it was sent, as the register counted it.
            let (served, what) = match correction_served {
                Some(served) => (served, format!("补正送达日期 {}", format_date(served))),
                None => (on, format!("补正告知日期 {}", format_date(on))),
            };
            push(Step::Event(imported_service(served, ServedNotice::CorrectionNotice, method)), what);
        }
        if let Some(on) = correction_received {
            push(Step::Event(Event::CorrectionReceived { on }), format!("收到补正日期 {}", format_date(on)));
        }
        let awaiting_correction = correction_requested.is_some() && correction_received.is_none();
        if !awaiting_correction {
            // Review found a complete application: on the day of receipt or of the correction.
            let on = correction_received.unwrap_or(received);
            push(Step::Event(Event::Accepted { on }), on_receipt.clone());
        }
        let mut later: Vec<(Date, Dated)> = Vec::new();
        if let Some(on) = extended {
            // Reg. 33 ¶1: the request and the head's approval, both on the register's date.
            let what = format!("延期日期 {}", format_date(on));
            let request = Event::ExtensionRequested {
                on,
                working_days: EXTENSION_WORKING_DAYS,
                reason: extension_reason.clone(),
            };
            later.push((on, Dated { step: Step::Event(request), what: what.clone() }));
            let event = Event::Extended {
                on,
                working_days: EXTENSION_WORKING_DAYS,
                approver: EXTENSION_APPROVER.to_owned(),
                reason: Some(extension_reason),
            };
            later.push((on, Dated { step: Step::Event(event), what }));
        }
        if let (Some(on), Some(amount_yuan), Some(basis)) = (fee_notice, fee_amount, fee_basis) {
            let event = Event::FeeNoticeIssued { on, amount_yuan, basis };
            later.push((on, Dated { step: Step::Event(event), what: format!("收费通知日期 {}", format_date(on)) }));
            // The 20 working days to pay run from the day after the applicant received it
            // (国办函〔2020〕109号): 收费通知送达日期, or else 收费通知日期.
            let (served, what) = match fee_served {
                Some(served) => (served, format!("收费通知送达日期 {}", format_date(served))),
                None => (on, format!("收费通知日期 {}", format_date(on))),
            };
            let event = imported_service(served, ServedNotice::FeeNotice, method);
            later.push((served, Dated { step: Step::Event(event), what }));
        }
        if let Some(on) = fee_paid {
            later.push((
                on,
                Dated { step: Step::Event(Event::FeePaid { on }), what: format!("缴费日期 {}", format_date(on)) },
            ));
        }
        // A stable sort: on the same day the fee notice comes before its payment.
        later.sort_by_key(|(on, _)| *on);
        steps.extend(later.into_iter().map(|(_, d)| d));
        if let (Some(outcome), Some(on)) = (outcome, concluded) {
            let what = format!("办理结果 {} on {}", outcome.row(), format_date(on));
            let default_basis = Some(outcome.basis_zh()).filter(|b| !b.is_empty());
            let event = match outcome.group() {
                // Reg. 36–38: the reply states its basis; the outcome's article if the register has none.
                OutcomeGroup::Disclosed
                | OutcomeGroup::PartlyDisclosed
                | OutcomeGroup::NotDisclosed
                | OutcomeGroup::CannotProvide => Event::Replied {
                    on,
                    outcome,
                    legal_basis: legal_basis.or(default_basis).map(str::to_owned),
                    on_the_spot: false,
                    // A register records no structured reasons (Reg. 36(3), 37): the reply is
                    // taken over as it was given, its basis in the text above.
                    withheld: vec![],
                    holder: None,
                    from_register: true,
                },
                // Reg. 35, 36(6), 39: told it is not handled as an application.
                OutcomeGroup::NotHandled => Event::NotHandled {
                    on,
                    reason: not_handled_reason(outcome)?,
                    explanation: legal_basis.or(default_basis).unwrap_or(outcome.label_zh()).to_owned(),
                },
                OutcomeGroup::Other => match outcome {
                    Outcome::OtherCorrectionNotMade => Event::CorrectionLapsed { on },
                    Outcome::OtherFeeNotPaid => Event::FeeLapsed { on },
                    _ => Event::Withdrawn { on },
                },
            };
            steps.push(Dated { step: Step::Event(event), what });
            if let Some(served) = decision_served {
                // The decision reached the applicant (送达): the case may then be archived.
                let event = imported_service(served, ServedNotice::Decision, method);
                steps.push(Dated {
                    step: Step::Event(event), what: format!("答复送达日期 {}", format_date(served))
                });
            }
        }

        // Every guard of the law, on a fold of the row's events (registration under a
        // placeholder number when the store will allocate it).
        let rules = rules_of(agency);
        let ctx = Context { calendar: self.checks.calendar, rules: &rules };
        let mut case = Case::new();
        for dated in &steps {
            let event = match &dated.step {
                Step::Event(e) => e.clone(),
                Step::Register { on } => Event::Registered { on: *on, case_number: "（导入时编号）".into() },
            };
            match case.apply(&event, ctx) {
                Ok(next) => case = next,
                Err(e) => {
                    self.problem(refusal(&dated.what, &e));
                    return None;
                }
            }
        }

        let reserved = case_number.and_then(|n| sequence_of(agency, n, received.year()));
        Some(PlannedCase {
            row: self.row,
            agency_code: agency.code.clone(),
            application: NewApplication {
                agency_id: agency.id,
                applicant_id: None,
                applicant: ApplicantDetails {
                    name: name.to_owned(),
                    kind,
                    id_number: None,
                    phone: None,
                    email: None,
                    address: None,
                },
                subject: subject.to_owned(),
                description: String::new(),
                form_wanted: form_wanted?,
                delivery: delivery?,
            },
            steps: steps.into_iter().map(|d| d.step).collect(),
            reserved,
        })
    }
}

/// 送达方式 as registers write it: the label, its short form, or the code.
fn parse_service_method(text: &str) -> Option<ServiceMethod> {
    let text = text.trim();
    ServiceMethod::from_code(&text.to_ascii_uppercase()).or_else(|| {
        ServiceMethod::ALL.into_iter().find(|m| {
            let label = m.label_zh();
            text == label
                || text == label.trim_end_matches("送达")
                || (*m == ServiceMethod::Online && text == "网络送达")
        })
    })
}

/// A domain refusal as a row problem, naming the cell that caused it and citing the
/// article of the Regulations (条例) whose rule refused it.
fn refusal(what: &str, err: &TransitionError) -> String {
    let text = match err {
        TransitionError::Refused { reason, .. } => format!("{what}: {reason}"),
        TransitionError::NotAllowed { stage, event } => format!(
            "{what}: {} ({}) cannot be recorded while the case is {} ({})",
            event.label_zh(),
            event.code(),
            stage.label_zh(),
            stage.code()
        ),
    };
    match article(err) {
        Some(article) => format!("{text}（条例{article}）"),
        None => text,
    }
}

/// The article of the Regulations behind a refusal (rules.md §2–3): the guard's own rule,
/// or for an event the stage never allows, the rule of that event; `None` for refusals no
/// article makes (a date out of order, a calendar not loaded). The domain's messages name
/// the rule in English ("Reg. 30"); the import cites it as the register's keepers quote it.
fn article(err: &TransitionError) -> Option<&'static str> {
    let (reason, event) = match err {
        TransitionError::Refused { reason, event, .. } => (Some(reason), *event),
        TransitionError::NotAllowed { event, .. } => (None, *event),
    };
    let by_event = match event {
        EventKind::Submitted | EventKind::Received => Some("第三十一条"),
        EventKind::CorrectionRequested | EventKind::CorrectionReceived | EventKind::CorrectionLapsed => {
            Some("第三十条")
        }
        EventKind::Extended | EventKind::ExtensionRequested | EventKind::ExtensionRefused => Some("第三十三条"),
        EventKind::FeeNoticeIssued | EventKind::FeePaid | EventKind::FeeLapsed => Some("第四十二条"),
        _ => None,
    };
    let Some(reason) = reason else { return by_event };
    match reason {
        Guard::CorrectionAlreadySent { .. }
        | Guard::CorrectionNoticeTooLate { .. }
        | Guard::CorrectionPeriodOver { .. }
        | Guard::CorrectionPeriodRunning { .. }
        | Guard::CorrectionPeriodOutOfRange { .. }
        | Guard::NotCorrected => Some("第三十条"),
        Guard::OpinionPeriodRunning { .. } => Some("第三十二条"),
        Guard::AlreadyExtended { .. }
        | Guard::ExtensionLength { .. }
        | Guard::NotOnTheSpot { .. }
        | Guard::ExtensionAlreadyRequested { .. }
        | Guard::NoExtensionRequested
        | Guard::ExtensionNotAsRequested { .. } => Some("第三十三条"),
        Guard::ReasonsAlreadyRequested { .. } | Guard::ReasonsNotReceived | Guard::OnlyExcessiveHere => {
            Some("第三十五条")
        }
        Guard::LegalBasisRequired { .. } => Some("第三十六条"),
        Guard::FeeAlreadyIssued { .. }
        | Guard::NoFeeOutstanding
        | Guard::FeePeriodOver { .. }
        | Guard::FeePeriodRunning { .. }
        | Guard::ZeroFee
        | Guard::FeeOutstanding { .. } => Some("第四十二条"),
        // The reply deadline bounds an extension (Reg. 33) and a fee notice (Reg. 42) alike;
        // how an application arrives is Reg. 31's.
        Guard::AfterReplyDeadline { .. } | Guard::Channel(_) => by_event,
        // A wildcard, not a list: a guard added to the domain builds, uncited, until mapped.
        _ => None,
    }
}

/// The service (送达) of a notice an earlier register lists without one: on its date. The
/// register does not say how; the method recorded is in person, and the event's reason says
/// it was imported.
fn imported_service(on: Date, notice: ServedNotice, method: ServiceMethod) -> Event {
    Event::Served { on, notice, method, document_id: None, recipient: None }
}

/// The sequence number of `number` if it is the agency's own pattern for `year`, e.g. 17 for
/// `游府信申〔2025〕17号`.
fn sequence_of(agency: &Agency, number: &str, year: i32) -> Option<(i32, i64)> {
    let pattern = CaseNumberPattern::parse(&agency.case_number_pattern).ok()?;
    number
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty() && run.len() <= 10)
        .filter_map(|run| run.parse::<u32>().ok())
        .find(|seq| pattern.format(&agency.case_prefix, year, *seq).as_str() == number)
        .map(|seq| (year, i64::from(seq)))
}

/// Why a validated register could not be written. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The database already has a case under this number: given it after [`plan`] checked
    /// [`Checks::taken_numbers`] (another writer in between), since a taken number is a bad row.
    #[error("row {row}: a case numbered {number:?} is already in the database; nothing was imported")]
    NumberTaken {
        /// The spreadsheet row.
        row: usize,
        /// The case number.
        number: String,
    },
    /// The workflow refused a row (it passed the checks, so the database must differ).
    #[error("row {row}: {source}; nothing was imported")]
    Refused {
        /// The spreadsheet row.
        row: usize,
        /// The refusal.
        #[source]
        source: WorkflowError,
    },
    /// The database failed.
    #[error("the database failed; nothing was imported: {0}")]
    Store(#[from] StoreError),
}

impl WriteError {
    /// Whether the file rather than the database is at fault.
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, WriteError::Store(_))
    }
}

/// Writes every case of `plan` in one transaction, marked as imported, each event by the
/// actor [`actor_label`] with the reason [`IMPORT_REASON`]. All or nothing.
pub async fn write(
    store: &Store,
    plan: &Plan,
    calendar: &Calendar,
    now: OffsetDateTime,
) -> Result<BTreeMap<String, usize>, WriteError> {
    let txn = store.begin().await?;
    match write_in(&txn, plan, calendar, now).await {
        Ok(()) => {
            txn.commit().await?;
            Ok(plan.per_agency())
        }
        Err(e) => {
            // The error worth reporting is the write's; a failed rollback drops the connection.
            let _ = txn.rollback().await;
            Err(e)
        }
    }
}

async fn write_in(txn: &Txn, plan: &Plan, calendar: &Calendar, now: OffsetDateTime) -> Result<(), WriteError> {
    // Numbers the register gave in the agency's own pattern are never handed out again.
    let mut reserved: BTreeMap<(foi_store::Uuid, i32), i64> = BTreeMap::new();
    for case in &plan.cases {
        if let Some((year, seq)) = case.reserved {
            let entry = reserved.entry((case.application.agency_id, year)).or_insert(seq);
            *entry = (*entry).max(seq);
        }
    }
    for ((agency_id, year), seq) in reserved {
        txn.reserve_sequence_through(agency_id, year, "case", seq).await?;
    }
    for case in &plan.cases {
        let row = case.row;
        let actor = Actor { account_id: None, label: actor_label(row) };
        let failed = |source: WorkflowError| match source {
            WorkflowError::Store(StoreError::UniqueViolation { constraint })
                if constraint == foi_store::constraints::UX_CASES_CASE_NUMBER =>
            {
                WriteError::NumberTaken { row, number: registered_number(&case.steps).unwrap_or("?").to_owned() }
            }
            WorkflowError::Store(e) => WriteError::Store(e),
            source => WriteError::Refused { row, source },
        };
        let mut steps = case.steps.iter();
        let Some(Step::Event(first)) = steps.next() else { unreachable!("a planned case starts with its receipt") };
        let mut state = txn
            .open_case(case.application.clone(), first.clone(), &actor, calendar, now, true)
            .await
            .map_err(failed)?;
        for step in steps {
            let command = match step {
                Step::Event(event) => Command::Event(event.clone()),
                Step::Register { on } => Command::Register { on: *on },
            };
            let request = ChangeRequest {
                case_id: state.record.id,
                expected_version: state.record.version,
                command,
                reason: Some(IMPORT_REASON.to_owned()),
            };
            state = txn.change_case(request, &actor, calendar, now).await.map_err(failed)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn agency(code: &str) -> Agency {
        Agency {
            id: foi_store::Uuid::new_v4(),
            code: code.into(),
            name: "游仙区人民政府".into(),
            parent_id: None,
            case_prefix: "游府信申".into(),
            case_number_pattern: foi_store::DEFAULT_CASE_NUMBER_PATTERN.into(),
            reconsideration_body: "绵阳市人民政府".into(),
            correction_period_wd: 15,
            due_soon_wd: 5,
            fee_pauses_clock: true,
            contact: Default::default(),
            online_receipt: Default::default(),
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    const HEADER: &str = "机关代码,登记号,申请人,申请人类型,申请方式,收到申请日期,申请内容,办理结果,答复或办结日期,补正告知日期,收到补正日期,延期日期\n";

    fn plan_csv(body: &str) -> Result<Plan, PlanError> {
        let sheet = read_csv(format!("\u{feff}{HEADER}{body}").as_bytes()).expect("readable");
        let calendar = Calendar::bundled();
        let agencies = [agency("youxian")];
        let taken = HashSet::from(["游府信申〔2024〕3号".to_owned()]);
        plan(
            &sheet,
            &Checks { agencies: &agencies, calendar: &calendar, today: date!(2026 - 11 - 26), taken_numbers: &taken },
        )
    }

    /// Plans `body` under its own `header` row, for the agency `youxian`, on 2026-11-26.
    fn plan_with(header: &str, body: &str) -> Result<Plan, PlanError> {
        let sheet = read_csv(format!("{header}{body}").as_bytes()).expect("readable");
        let agencies = [agency("youxian")];
        let calendar = Calendar::bundled();
        let taken = HashSet::new();
        plan(
            &sheet,
            &Checks { agencies: &agencies, calendar: &calendar, today: date!(2026 - 11 - 26), taken_numbers: &taken },
        )
    }

    fn row_errors(body: &str) -> Vec<RowError> {
        match plan_csv(body) {
            Err(PlanError::Rows(rows)) => rows,
            other => panic!("expected row errors, got {other:?}"),
        }
    }

    #[test]
    fn dates_in_the_forms_registers_use() {
        for text in ["2025-09-03", "2025/9/3", "2025.09.03", "2025年9月3日", "2025-09-03 00:00:00", " 2025/09/03 "] {
            assert_eq!(parse_date(text), Some(date!(2025 - 09 - 03)), "{text}");
        }
        for text in ["2025-13-01", "2025-02-30", "25-9-3", "2025-9", "yesterday", "2025-09-03-01", ""] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn outcomes_by_row_code_or_label() {
        assert_eq!(parse_outcome("(三)1"), Some(Outcome::WithheldStateSecret));
        assert_eq!(parse_outcome("（三）1"), Some(Outcome::WithheldStateSecret));
        assert_eq!(parse_outcome(" ( 六 ) 3 "), Some(Outcome::OtherClosed));
        assert_eq!(parse_outcome("withheld_state_secret"), Some(Outcome::WithheldStateSecret));
        assert_eq!(parse_outcome("予以公开"), Some(Outcome::Disclosed));
        assert_eq!(parse_outcome("部分公开"), Some(Outcome::PartlyDisclosed));
        assert_eq!(parse_outcome("(三)"), None, "a group is not an outcome");
        assert_eq!(parse_outcome("(三)9"), None);
        for outcome in Outcome::ALL {
            assert_eq!(parse_outcome(outcome.row()), Some(outcome));
            assert_eq!(not_handled_reason(outcome).map(NotHandledReason::outcome).unwrap_or(outcome), outcome);
        }
    }

    #[test]
    fn csv_row_numbers_are_the_spreadsheet_rows() {
        let sheet = read_csv("\u{feff}a,b\n\n1,\"two\nlines\"\n,\n3,4\n".as_bytes()).unwrap();
        let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.number).collect();
        // Row 2 is empty, row 4 has only empty cells; the quoted line break stays in row 3.
        assert_eq!(numbers, [1, 3, 5]);
        assert_eq!(sheet.rows[0].cells, ["a", "b"], "the BOM is not part of the first header");
        assert!(matches!(read_csv(b"a,b\n\xb9\xe3,1\n"), Err(FileError::NotUtf8 { line: 2 })));
    }

    #[test]
    fn a_good_row_becomes_the_events_of_its_case() {
        let plan = plan_csv(
            "youxian,游府信申〔2025〕7号,张三,自然人,网络申请,2025-09-26,某文件,(三)1,2025-10-20,,,\n\
             youxian,,李四,COMMERCIAL_ENTERPRISE,当面申请,2025-09-26,某文件,,,,,\n",
        )
        .unwrap();
        assert_eq!(plan.per_agency(), BTreeMap::from([("youxian".to_owned(), 2)]));
        let first = &plan.cases[0];
        assert_eq!(first.row, 2);
        assert_eq!(first.reserved, Some((2025, 7)));
        let kinds: Vec<_> = first
            .steps
            .iter()
            .map(|s| match s {
                Step::Event(e) => e.kind().code(),
                Step::Register { .. } => "REGISTER",
            })
            .collect();
        assert_eq!(kinds, ["SUBMITTED", "RECEIVED", "REGISTERED", "ACCEPTED", "REPLIED"]);
        // A refusal states its article when the register gives none (Reg. 36–38).
        assert!(matches!(
            first.steps.last(),
            Some(Step::Event(Event::Replied { legal_basis: Some(b), .. })) if b.contains("第十四条")
        ));
        assert_eq!(plan.cases[1].steps[1], Step::Register { on: date!(2025 - 09 - 26) });
        assert_eq!(plan.cases[1].steps.len(), 3, "an open case: received, registered, accepted");
    }

    #[test]
    fn every_bad_row_is_reported_with_everything_wrong_with_it() {
        let errors = row_errors(
            "youxian,,张三,自然人,当面申请,2025-09-26,某文件,(一),2025-10-09,,,\n\
             nowhere,,张三,外星人,信鸽,2025-02-30,某文件,(九)1,,,,\n\
             youxian,,张三,自然人,当面申请,2025-10-09,某文件,(一),2025-09-26,,,\n\
             youxian,,张三,自然人,当面申请,2017-03-01,某文件,,,,,\n\
             youxian,,张三,自然人,当面申请,2027-01-04,某文件,,,,,\n",
        );
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, [3, 4, 5, 6]);
        let row3 = errors[0].to_string();
        for expected in [
            "\"nowhere\" is no agency",
            "申请人类型 \"外星人\"",
            "申请方式 \"信鸽\"",
            "\"2025-02-30\" is not a date",
            "\"(九)1\"",
        ] {
            assert!(row3.contains(expected), "{expected} in {row3}");
        }
        assert_eq!(errors[1].problems, ["答复或办结日期 2025-09-26 is before 收到申请日期 2025-10-09"]);
        assert!(errors[2].problems[0].contains("calendar unknown"), "{:?}", errors[2]);
        assert!(errors[3].problems[0].contains("in the future"), "{:?}", errors[3]);
    }

    #[test]
    fn the_domain_guards_apply_with_the_row_number() {
        // Received Friday 2025-09-26; counting Sunday 2025-09-28 (a make-up working day) and
        // passing over National Day (Oct 1–8), the 7th working day is Monday 2025-10-13, so a
        // notice on 2025-10-14 is late (Reg. 30).
        let errors = row_errors(
            "youxian,,张三,自然人,当面申请,2025-09-26,某文件,,,2025-10-14,,\n\
             youxian,,张三,自然人,当面申请,2025-09-26,某文件,(四)3,2025-10-20,,,\n\
             youxian,A1,张三,自然人,当面申请,2025-09-26,某文件,,,,,\n\
             youxian,A1,张三,自然人,当面申请,2025-09-26,某文件,,,,,\n\
             youxian,,张三,自然人,当面申请,2025-09-26,某文件,,,2025-10-13,,\n",
        );
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(errors[0].row, 2);
        assert!(
            errors[0].problems[0]
                .starts_with("补正告知日期 2025-10-14: the correction notice had to go out by 2025-10-13")
        );
        assert!(errors[0].problems[0].ends_with("（条例第三十条）"), "the article: {:?}", errors[0]);
        assert_eq!(errors[1].row, 3);
        assert!(errors[1].problems[0].contains("needs a correction notice"), "{:?}", errors[1]);
        assert!(errors[1].problems[0].ends_with("（条例第三十条）"), "the article: {:?}", errors[1]);
        assert_eq!(errors[2].row, 5);
        assert_eq!(errors[2].problems, ["登记号 \"A1\" is also on row 4"]);
    }

    #[test]
    fn a_number_the_database_has_is_a_bad_row_among_the_others() {
        let body = "youxian,游府信申〔2024〕3号,张三,自然人,当面申请,2024-03-11,某文件,,,,,\n\
                    youxian,游府信申〔2024〕4号,张三,外星人,当面申请,2024-03-11,某文件,,,,,\n\
                    youxian,游府信申〔2024〕5号,张三,自然人,当面申请,2024-03-11,某文件,,,,,\n";
        let sheet = read_csv(format!("{HEADER}{body}").as_bytes()).unwrap();
        assert_eq!(case_numbers(&sheet), ["游府信申〔2024〕3号", "游府信申〔2024〕4号", "游府信申〔2024〕5号"]);
        let errors = row_errors(body);
        assert_eq!(errors.iter().map(|e| e.row).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(
            errors[0].problems,
            ["登记号 \"游府信申〔2024〕3号\" is already the number of a case in the database"]
        );
    }

    #[test]
    fn every_cited_article_is_one_of_the_regulations() {
        use foi_domain::lifecycle::Stage;
        let late = TransitionError::Refused {
            stage: Stage::InReview,
            event: EventKind::CorrectionRequested,
            reason: Guard::CorrectionNoticeTooLate { due: date!(2025 - 10 - 13) },
        };
        assert_eq!(article(&late), Some("第三十条"));
        let after = |event| TransitionError::Refused {
            stage: Stage::Handling,
            event,
            reason: Guard::AfterReplyDeadline { due: date!(2025 - 10 - 13) },
        };
        assert_eq!(article(&after(EventKind::Extended)), Some("第三十三条"));
        assert_eq!(article(&after(EventKind::FeeNoticeIssued)), Some("第四十二条"));
        let out_of_order = TransitionError::Refused {
            stage: Stage::Handling,
            event: EventKind::Extended,
            reason: Guard::BeforePreviousEvent { on: date!(2025 - 10 - 13), previous: date!(2025 - 10 - 14) },
        };
        assert_eq!(article(&out_of_order), None, "no article forbids a date out of order");
        assert!(!refusal("延期日期 2025-10-13", &out_of_order).contains("条例"));
    }

    #[test]
    fn a_correction_notice_keeps_its_own_period() {
        let header = "机关代码,申请人,申请人类型,申请方式,收到申请日期,申请内容,办理结果,答复或办结日期,补正告知日期,补正期限（工作日）\n";
        let csv = |body: &str| plan_with(header, body);
        let period = |plan: &Plan| {
            plan.cases[0].steps.iter().find_map(|s| match s {
                Step::Event(Event::CorrectionRequested { period_wd, .. }) => Some(*period_wd),
                _ => None,
            })
        };
        let own = csv("youxian,张三,自然人,当面申请,2026-09-28,某文件,,,2026-09-30,10\n").unwrap();
        assert_eq!(period(&own), Some(Some(10)));
        let default = csv("youxian,张三,自然人,当面申请,2026-09-28,某文件,,,2026-09-30,\n").unwrap();
        assert_eq!(period(&default), Some(None), "empty: the agency's default");
        let Err(PlanError::Rows(errors)) = csv("youxian,张三,自然人,当面申请,2026-09-28,某文件,,,2026-09-30,0\n\
             youxian,张三,自然人,当面申请,2026-09-28,某文件,,,2026-09-30,十天\n\
             youxian,张三,自然人,当面申请,2026-09-28,某文件,,,,10\n")
        else {
            panic!("expected row errors")
        };
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].to_string().contains("1 to 60"), "{}", errors[0]);
        assert!(errors[2].to_string().contains("补正告知日期 is empty"), "{}", errors[2]);
    }

    #[test]
    fn service_dates_and_method_are_taken_from_the_register() {
        let header = "机关代码,申请人,申请人类型,申请方式,收到申请日期,申请内容,办理结果,答复或办结日期,\
                      收费通知日期,收费金额（元）,收费通知送达日期,答复送达日期,送达方式\n";
        let csv = |body: &str| plan_with(header, body);
        let services = |plan: &Plan| -> Vec<(ServedNotice, Date, ServiceMethod)> {
            plan.cases[0]
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::Event(Event::Served { on, notice, method, .. }) => Some((*notice, *on, *method)),
                    _ => None,
                })
                .collect()
        };
        // The fee notice of Wednesday 2026-09-30, the last working day before the National
        // Day break, reached the applicant by post on Friday 2026-10-09. The 20 working days
        // to pay (国办函〔2020〕109号) run from Saturday 10-10, a make-up working day, to
        // Thursday 11-05: the fee lapses (六)2 on 11-06, not on 11-05.
        let lapsed = csv(
            "youxian,张三,自然人,当面申请,2026-09-28,某文件,(六)2,2026-11-06,2026-09-30,100,2026-10-09,,邮寄送达\n",
        )
        .expect("lapsed after the period counted from service");
        assert_eq!(services(&lapsed), [(ServedNotice::FeeNotice, date!(2026 - 10 - 09), ServiceMethod::Post)]);
        let Err(PlanError::Rows(early)) =
            csv("youxian,张三,自然人,当面申请,2026-09-28,某文件,(六)2,2026-11-05,2026-09-30,100,2026-10-09,,邮寄\n")
        else {
            panic!("a lapse on the last day of the period is refused")
        };
        assert!(early[0].to_string().contains("（条例第四十二条）"), "{}", early[0]);
        // Without the service date the notice is taken as served on its own date, as before:
        // the period then ended on 11-03 and a lapse on 11-05 stands.
        let unserved =
            csv("youxian,张三,自然人,当面申请,2026-09-28,某文件,(六)2,2026-11-05,2026-09-30,100,,,\n").unwrap();
        assert_eq!(services(&unserved), [(ServedNotice::FeeNotice, date!(2026 - 09 - 30), ServiceMethod::InPerson)]);

        // The reply of Monday 2026-10-12, served online on Wednesday 10-14.
        let replied =
            csv("youxian,张三,自然人,网络申请,2026-09-28,某文件,(一),2026-10-12,,,,2026-10-14,网上送达\n").unwrap();
        assert_eq!(services(&replied), [(ServedNotice::Decision, date!(2026 - 10 - 14), ServiceMethod::Online)]);

        let Err(PlanError::Rows(errors)) =
            csv("youxian,张三,自然人,当面申请,2026-09-28,某文件,(一),2026-10-12,,,,2026-10-09,\n\
             youxian,张三,自然人,当面申请,2026-09-28,某文件,(一),2026-10-12,,,,2026-10-14,信鸽\n\
             youxian,张三,自然人,当面申请,2026-09-28,某文件,(六)3,2026-10-12,,,,2026-10-14,\n\
             youxian,张三,自然人,当面申请,2026-09-28,某文件,,,2026-09-30,100,2026-09-29,,\n\
             youxian,张三,自然人,当面申请,2026-09-28,某文件,,,,,2026-10-09,,\n")
        else {
            panic!("expected row errors")
        };
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 5, "{messages:?}");
        assert!(messages[0].contains("答复送达日期 2026-10-09 is before 答复或办结日期 2026-10-12"), "{}", messages[0]);
        assert!(messages[1].contains("送达方式 \"信鸽\" is not known"), "{}", messages[1]);
        assert!(messages[2].contains("without a reply or notice to serve"), "{}", messages[2]);
        assert!(
            messages[3].contains("收费通知送达日期 2026-09-29 is before 收费通知日期 2026-09-30"),
            "{}",
            messages[3]
        );
        assert!(messages[4].contains("收费通知送达日期 is given but 收费通知日期 is empty"), "{}", messages[4]);
    }

    #[test]
    fn unusable_headers_are_named() {
        let sheet = read_csv("机关代码,申请人\nyouxian,张三\n".as_bytes()).unwrap();
        let calendar = Calendar::bundled();
        let taken = HashSet::new();
        let checks = Checks { agencies: &[], calendar: &calendar, today: date!(2026 - 11 - 26), taken_numbers: &taken };
        let err = plan(&sheet, &checks).unwrap_err().to_string();
        assert!(err.contains("lacks the required column(s) 申请人类型, 申请方式"), "{err}");
        let sheet = read_csv("台账\n\n".as_bytes()).unwrap();
        assert!(matches!(plan(&sheet, &checks), Err(PlanError::File(FileError::NoHeader))));
    }
}
