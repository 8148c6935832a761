//! The `statistics` query: table 三 of the annual report (rules.md §4), table 四 and the
//! processing figures, for a month, a
//! quarter, a year or any range, per agency of the caller's subtree and rolled up, as
//! structured rows and as the CSV and XLSX files of `foi stats export`. The figures and their
//! balance check are `foi_stats`'s; this module parses the input, authorises and shapes.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use base64::Engine as _;
use foi_domain::challenge::{ChallengeKind, ChallengeResult};
use foi_stats::{ChallengeTable, Period, Processing, Report, StatsError, Table};
use time::Date;

use crate::ApiState;
use crate::auth::{self, roles};
use crate::enums;
use crate::error::ApiError;

/// The period and the agencies of a statistics report. Give exactly one period: `month`,
/// `quarter`, `year`, or `from` and `to` together.
#[derive(InputObject, Default)]
pub struct StatisticsInput {
    /// A calendar month, `YYYY-MM`, e.g. `2026-10`.
    pub month: Option<String>,
    /// A calendar quarter, `YYYY-Qn`, e.g. `2026-Q3`.
    pub quarter: Option<String>,
    /// A calendar year (the annual report), e.g. `2025`.
    pub year: Option<i32>,
    /// The first day of a range (with `to`).
    pub from: Option<Date>,
    /// The last day of a range (with `from`), included.
    pub to: Option<Date>,
    /// Only this agency and the agencies below it; it must be within the caller's own
    /// subtree (default: the caller's agency and every agency below it).
    pub agency_code: Option<String>,
}

impl StatisticsInput {
    /// The period asked for, or `VALIDATION` naming the field at fault.
    pub fn period(&self) -> Result<Period, ApiError> {
        const ONE: &str = "give exactly one period: month, quarter, year, or from and to";
        let given: Vec<&str> = [
            self.month.is_some().then_some("input.month"),
            self.quarter.is_some().then_some("input.quarter"),
            self.year.is_some().then_some("input.year"),
            (self.from.is_some() || self.to.is_some()).then_some(if self.from.is_some() {
                "input.from"
            } else {
                "input.to"
            }),
        ]
        .into_iter()
        .flatten()
        .collect();
        match given.as_slice() {
            [] => return Err(ApiError::validation("input", ONE)),
            [_] => {}
            [_, second, ..] => return Err(ApiError::validation(*second, ONE)),
        }
        let bad = |field: &'static str| move |e: foi_stats::PeriodError| ApiError::validation(field, e.to_string());
        if let Some(month) = &self.month {
            return Period::parse_month(month).map_err(bad("input.month"));
        }
        if let Some(quarter) = &self.quarter {
            return Period::parse_quarter(quarter).map_err(bad("input.quarter"));
        }
        if let Some(year) = self.year {
            return Period::parse_year(&year.to_string()).map_err(bad("input.year"));
        }
        match (self.from, self.to) {
            (Some(from), Some(to)) => Period::new(from, to).map_err(bad("input.to")),
            (Some(_), None) => Err(ApiError::validation("input.to", "a range needs both from and to")),
            _ => Err(ApiError::validation("input.from", "a range needs both from and to")),
        }
    }
}

/// Resolves the `statistics` query (see [`crate::QueryRoot`]).
pub async fn statistics(ctx: &Context<'_>, input: StatisticsInput) -> Result<StatisticsReport, ApiError> {
    let viewer = auth::viewer(ctx).await?;
    viewer.require_role(&roles::ALL, "reading the statistics")?;
    let period = input.period()?;
    let store = &ctx.data_unchecked::<ApiState>().store;
    let root = match input.agency_code.as_deref() {
        Some(code) => {
            let agency = store.agency_by_code(code).await?;
            let Some(agency) = agency.filter(|a| viewer.agencies.contains(&a.id)) else {
                return Err(ApiError::validation("input.agencyCode", format!("no agency {code} in your scope")));
            };
            Some(agency.id)
        }
        None => viewer.account.agency_id,
    };
    let agencies = match root {
        Some(id) => store.agency_subtree(id).await?,
        None => Vec::new(),
    };
    let state = ctx.data_unchecked::<ApiState>();
    let calendar = state.calendar();
    let as_of = foi_stats::AsOf { today: state.clock.today(), calendar: &calendar };
    let report = foi_stats::compute(store, &agencies, period, as_of).await.map_err(stats_error)?;
    Ok(StatisticsReport(report))
}

/// The period and agency of `publicStatistics`.
#[derive(InputObject)]
pub struct PublicStatisticsInput {
    /// The agency (its code, as `agencies` lists it); its table and those of the agencies
    /// below it.
    pub agency_code: String,
    /// The year, 2018 or later, not after this year.
    pub year: i32,
    /// A month of that year, 1–12, not after this month. Without it: the year so far, from
    /// 1 January to today (or to 31 December for a past year).
    pub month: Option<i32>,
}

/// Resolves `publicStatistics`: table 三 of one agency and those below it, for anyone,
/// signed in or not. Only counts: no case, no applicant, nothing personal.
pub async fn public_statistics(ctx: &Context<'_>, input: PublicStatisticsInput) -> Result<StatisticsReport, ApiError> {
    let state = ctx.data_unchecked::<ApiState>();
    let today = state.clock.today();
    let agency = crate::schema::agency_by_code(ctx, "input.agencyCode", &input.agency_code).await?;
    // The calendar's first year (2018) to this year: nothing is counted outside it.
    if input.year < 2018 || input.year > today.year() {
        return Err(ApiError::validation("input.year", format!("a year from 2018 to {}", today.year())));
    }
    let period = match input.month {
        Some(month) => {
            let this_month = (today.year(), i32::from(u8::from(today.month())));
            if !(1..=12).contains(&month) || (input.year, month) > this_month {
                return Err(ApiError::validation(
                    "input.month",
                    format!("a month from 1 to 12, not after {}-{:02}", this_month.0, this_month.1),
                ));
            }
            Period::parse_month(&format!("{}-{month:02}", input.year))
                .map_err(|e| ApiError::validation("input.month", e.to_string()))?
        }
        None => {
            let from = Date::from_calendar_date(input.year, time::Month::January, 1)
                .map_err(|e| ApiError::validation("input.year", e.to_string()))?;
            let end = Date::from_calendar_date(input.year, time::Month::December, 31)
                .map_err(|e| ApiError::validation("input.year", e.to_string()))?;
            Period::new(from, end.min(today)).map_err(|e| ApiError::validation("input.year", e.to_string()))?
        }
    };
    let agencies = state.store.agency_subtree(agency.id).await?;
    let calendar = state.calendar();
    let as_of = foi_stats::AsOf { today, calendar: &calendar };
    let report = foi_stats::compute(&state.store, &agencies, period, as_of).await.map_err(stats_error)?;
    Ok(StatisticsReport(report))
}

fn stats_error(err: StatsError) -> ApiError {
    match err {
        StatsError::Store(e) => e.into(),
        other => {
            // A table that does not balance, or stored data no row knows: a fault of the
            // data, logged; never shown to the client.
            eprintln!("internal error: statistics: {other}");
            ApiError::Internal
        }
    }
}

/// Table 三 (收到和处理政府信息公开申请情况) for a period: one table per agency and their
/// summary. Every table balances: 一 + 二 = (七) + 四 in every column.
pub struct StatisticsReport(pub Report);

/// Table 三 (收到和处理政府信息公开申请情况) for a period: one table per agency and their
/// summary. Every table balances: 一 + 二 = (七) + 四 in every column.
#[Object]
impl StatisticsReport {
    /// The period as the report names it, e.g. `2026年10月`, `2026年第三季度`, `2025年`.
    async fn period_label(&self) -> String {
        self.0.period.label_zh()
    }
    /// The first day of the period.
    async fn from(&self) -> Date {
        self.0.period.from
    }
    /// The last day of the period, included.
    async fn to(&self) -> Date {
        self.0.period.to
    }
    /// The layout of the table: the 2019 format for periods within 2019 or 2020, else 2021.
    async fn format(&self) -> enums::ReportFormat {
        self.0.format.into()
    }
    /// The document that defines the layout, e.g. `国办公开办函〔2021〕30号`.
    async fn format_document(&self) -> &'static str {
        self.0.format.document_zh()
    }
    /// The column headings in the order of every row's `values`: 自然人, 商业企业,
    /// 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
    async fn columns(&self) -> Vec<&'static str> {
        foi_stats::column_labels().to_vec()
    }
    /// One table per agency (its own cases only), in the order of the agency tree.
    async fn agencies(&self) -> Vec<StatisticsTable> {
        self.0.tables.iter().map(|t| self.table(&t.code, &t.name, &t.table, &t.challenges, &t.processing)).collect()
    }
    /// The roll-up over every agency of the report (agency code `合计`).
    async fn summary(&self) -> StatisticsTable {
        let r = &self.0;
        self.table(Report::SUMMARY_CODE, &r.summary_name(), &r.summary, &r.summary_challenges, &r.summary_processing)
    }
    /// The report as CSV (UTF-8 with a byte-order mark), as `foi stats export --format csv`
    /// writes it.
    async fn csv(&self) -> async_graphql::Result<String> {
        let report = self.0.clone();
        off_the_runtime(move || Ok(foi_stats::to_csv(&report))).await
    }
    /// The report as an XLSX workbook laid out like the official table (a summary sheet
    /// 汇总, then one sheet per agency), encoded in standard base64.
    async fn xlsx_base64(&self) -> async_graphql::Result<String> {
        let report = self.0.clone();
        off_the_runtime(move || {
            let bytes = foi_stats::to_xlsx(&report).map_err(stats_error)?;
            Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
        })
        .await
    }
}

/// Runs CPU-bound `work` on tokio's blocking threads, so that the request threads stay free
/// and the execution deadline (`crate::limits::Deadline`) can abandon it.
pub(crate) async fn off_the_runtime<T: Send + 'static>(
    work: impl FnOnce() -> async_graphql::Result<T> + Send + 'static,
) -> async_graphql::Result<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        eprintln!("internal error: a blocking task failed: {e}");
        Err(ApiError::Internal.into())
    })
}

impl StatisticsReport {
    fn table(
        &self,
        code: &str,
        name: &str,
        table: &Table,
        challenges: &ChallengeTable,
        processing: &Processing,
    ) -> StatisticsTable {
        let rows = table
            .rows(self.0.format, &self.0.period)
            .into_iter()
            .map(|r| StatisticsRow {
                row: r.row.to_owned(),
                section: r.section,
                group: r.group.to_owned(),
                item: r.item.to_owned(),
                values: r.values.iter().map(|v| i32::try_from(*v).unwrap_or(i32::MAX)).collect(),
            })
            .collect();
        let mut table4 = Vec::with_capacity(15);
        for (k, kind) in ChallengeKind::ALL.into_iter().enumerate() {
            for (r, result) in ChallengeResult::ALL.into_iter().map(Some).chain([None]).enumerate() {
                table4.push(ChallengeFigure {
                    kind: kind.into(),
                    kind_label: kind.label_zh(),
                    result: result.map(Into::into),
                    result_label: result.map_or("总计", |r| r.label_zh()),
                    count: count(challenges.cells[k][r]),
                });
            }
        }
        StatisticsTable {
            agency_code: code.to_owned(),
            agency_name: name.to_owned(),
            rows,
            table4,
            processing: ProcessingFigures::from(processing),
        }
    }
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One of the 15 figures of table 四 (政府信息公开行政复议、行政诉讼情况).
#[derive(SimpleObject)]
pub struct ChallengeFigure {
    /// Reconsideration, or which suit.
    pub kind: enums::ChallengeKind,
    /// The group heading: 行政复议, 未经复议直接起诉, 复议后起诉.
    pub kind_label: &'static str,
    /// The result counted; null for the group's total (总计).
    pub result: Option<enums::ChallengeResult>,
    /// The column heading: 结果维持, 结果纠正, 其他结果, 尚未审结, 总计.
    pub result_label: &'static str,
    /// Challenges filed in the period, by their result at its end.
    pub count: i32,
}

/// The processing figures of an agency for the period.
#[derive(SimpleObject)]
pub struct ProcessingFigures {
    /// Replies in the period (rows (一)–(五); closings without a reply are not replies).
    pub replied: i32,
    /// Of those, within the statutory limit (after any extension or pause, Reg. 33).
    pub on_time: i32,
    /// Of those, after it.
    pub late: i32,
    /// Median working days to reply; null without replies.
    pub days_to_reply_median: Option<f64>,
    /// Average working days to reply, to one decimal; null without replies.
    pub days_to_reply_average: Option<f64>,
    /// Shortest working days to reply.
    pub days_to_reply_shortest: Option<i32>,
    /// Longest working days to reply.
    pub days_to_reply_longest: Option<i32>,
    /// Replies by working days taken: within 5, 6–10, 11–15, 16–20, 21–40, over 40.
    pub days_to_reply_bands: Vec<DaysBand>,
    /// Extensions granted in the period (Reg. 33).
    pub extended: i32,
    /// Consultations opened in the period (Reg. 32, 34).
    pub consultations: i32,
    /// Correction notices sent in the period (Reg. 30).
    pub corrections_requested: i32,
    /// Corrected applications received in the period.
    pub corrections_received: i32,
    /// Open cases now.
    pub open_now: i32,
    /// Of those, past their reply due date now.
    pub overdue_now: i32,
    /// The oldest cases still open at the end of the period (at most ten per agency).
    pub oldest_open: Vec<OldOpenCase>,
}

/// A count of replies in one band of working days.
#[derive(SimpleObject)]
pub struct DaysBand {
    /// The band, e.g. `6至10个工作日`.
    pub label: &'static str,
    /// Replies in it.
    pub count: i32,
}

/// A case still open at the end of the period.
#[derive(SimpleObject)]
pub struct OldOpenCase {
    /// The case id.
    pub case_id: async_graphql::ID,
    /// The handling agency's code.
    pub agency_code: String,
    /// Its number, once registered.
    pub case_number: Option<String>,
    /// The date of receipt.
    pub received_on: Date,
    /// Working days its reply clock has run up to the end of the period (or today).
    pub working_days_open: Option<i32>,
    /// Its stage now.
    pub stage: Option<enums::Stage>,
    /// Its reply due date now, if still open.
    pub reply_due_on: Option<Date>,
}

impl From<&Processing> for ProcessingFigures {
    fn from(p: &Processing) -> Self {
        let days = |d: Option<u32>| d.map(|d| count(u64::from(d)));
        ProcessingFigures {
            replied: count(p.replied()),
            on_time: count(p.on_time),
            late: count(p.late),
            days_to_reply_median: p.days.median(),
            days_to_reply_average: p.days.average().map(|a| (a * 10.0).round() / 10.0),
            days_to_reply_shortest: days(p.days.shortest()),
            days_to_reply_longest: days(p.days.longest()),
            days_to_reply_bands: foi_stats::BAND_LABELS
                .iter()
                .zip(p.days.bands())
                .map(|(label, n)| DaysBand { label, count: count(n) })
                .collect(),
            extended: count(p.extended),
            consultations: count(p.consultations),
            corrections_requested: count(p.corrections_requested),
            corrections_received: count(p.corrections_received),
            open_now: count(p.open_now),
            overdue_now: count(p.overdue_now),
            oldest_open: p
                .oldest_open
                .iter()
                .map(|c| OldOpenCase {
                    case_id: async_graphql::ID(c.case_id.to_string()),
                    agency_code: c.agency_code.clone(),
                    case_number: c.case_number.clone(),
                    received_on: c.received_on,
                    working_days_open: days(c.working_days_open),
                    stage: foi_domain::lifecycle::Stage::from_code(&c.stage).map(Into::into),
                    reply_due_on: c.reply_due_on,
                })
                .collect(),
        }
    }
}

/// The table of one agency, or the summary.
#[derive(SimpleObject)]
pub struct StatisticsTable {
    /// The agency's code; `合计` for the summary.
    pub agency_code: String,
    /// The agency's name; for the summary `<name>（汇总）` or `<n>个机关汇总`.
    pub agency_name: String,
    /// The rows in the order of the official table: 一, 二, the outcome rows, (七), 四.
    pub rows: Vec<StatisticsRow>,
    /// Table 四: challenges to the replies filed in the period, by kind and by result at
    /// the end of the period (15 figures).
    pub table4: Vec<ChallengeFigure>,
    /// The processing figures beside the table.
    pub processing: ProcessingFigures,
}

/// One row of table 三.
#[derive(SimpleObject)]
pub struct StatisticsRow {
    /// The row label (行次): `一`, `二`, `(一)`, `(三)1`, `(六)` (2019 format), `(七)`, `四`.
    pub row: String,
    /// The section of the form, e.g. `三、本期办理结果`.
    pub section: String,
    /// The outcome group, e.g. `（三）不予公开`; empty for 一, 二 and 四.
    pub group: String,
    /// The item within the group, e.g. `1.属于国家秘密`; empty for a row that is a whole group.
    pub item: String,
    /// The seven figures, in the order of `columns`: the six applicant kinds, then 总计.
    pub values: Vec<i32>,
}
