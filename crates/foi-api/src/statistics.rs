//! The `statistics` query: table 三 of the annual report (rules.md §4) for a month, a
//! quarter, a year or any range, per agency of the caller's subtree and rolled up, as
//! structured rows and as the CSV and XLSX files of `foi stats export`. The figures and their
//! balance check are `foi_stats`'s; this module parses the input, authorises and shapes.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use base64::Engine as _;
use foi_stats::{Period, Report, StatsError, Table};
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
    let report = foi_stats::compute(store, &agencies, period).await.map_err(stats_error)?;
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
        self.0.tables.iter().map(|t| self.table(&t.code, &t.name, &t.table)).collect()
    }
    /// The roll-up over every agency of the report (agency code `合计`).
    async fn summary(&self) -> StatisticsTable {
        self.table(Report::SUMMARY_CODE, &self.0.summary_name(), &self.0.summary)
    }
    /// The report as CSV (UTF-8 with a byte-order mark), as `foi stats export --format csv`
    /// writes it.
    async fn csv(&self) -> String {
        foi_stats::to_csv(&self.0)
    }
    /// The report as an XLSX workbook laid out like the official table (a summary sheet
    /// 汇总, then one sheet per agency), encoded in standard base64.
    async fn xlsx_base64(&self) -> async_graphql::Result<String> {
        let bytes = foi_stats::to_xlsx(&self.0).map_err(stats_error)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }
}

impl StatisticsReport {
    fn table(&self, code: &str, name: &str, table: &Table) -> StatisticsTable {
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
        StatisticsTable { agency_code: code.to_owned(), agency_name: name.to_owned(), rows }
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
