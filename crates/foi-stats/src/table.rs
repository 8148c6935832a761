//! Table 三 itself: the counts laid out in the rows and columns of the official form, one
//! table per agency and a summary, each checked against 一 + 二 = (七) + 四 column by column.

use std::collections::HashMap;

use foi_domain::applicant::ApplicantKind;
use foi_domain::calendar::Calendar;
use foi_domain::outcome::{Format, Outcome};
use foi_store::{Agency, CountBucket, CountRow, Store, Uuid};
use time::Date;

use crate::figures::{Aggregates, COUNTED_EVENTS, OLDEST_LISTED, figures_of, roll_up};
use crate::{ChallengeTable, Period, Processing, StatsError};

/// The number of columns: the six applicant kinds and the total (总计).
pub const COLUMNS: usize = 7;

/// One row's figures, in column order: 自然人, 商业企业, 科研机构, 社会公益组织,
/// 法律服务机构, 其他, 总计.
pub type Cells = [u64; COLUMNS];

/// The column headings in order, the total last.
pub fn column_labels() -> [&'static str; COLUMNS] {
    let mut labels = ["总计"; COLUMNS];
    for (i, kind) in ApplicantKind::ALL.into_iter().enumerate() {
        labels[i] = kind.label_zh();
    }
    labels
}

/// The counts of one agency (or of a roll-up) for a period.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Table {
    /// 一: new applications received in the period.
    pub new: Cells,
    /// 二: carried over from before the period.
    pub carried_over: Cells,
    /// Concluded in the period, per outcome, in the order of [`Outcome::ALL`].
    pub concluded: [Cells; 21],
    /// 四: carried forward past the end of the period.
    pub carried_forward: Cells,
}

/// One printed row of the table.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Row {
    /// The row label (行次): `一`, `二`, `(一)`, `(三)1`, `(六)` (2019 format), `(七)`, `四`.
    pub row: &'static str,
    /// The section of the form, e.g. `三、本年度办理结果`.
    pub section: String,
    /// The outcome group, e.g. `（三）不予公开`; empty for 一, 二 and 四.
    pub group: &'static str,
    /// The item within the group, e.g. `1.属于国家秘密`; empty for a row that is a whole group.
    pub item: &'static str,
    /// The figures, in column order.
    pub values: Cells,
}

fn index_of(outcome: Outcome) -> usize {
    Outcome::ALL.iter().position(|o| *o == outcome).unwrap_or(0)
}

fn add(a: &mut Cells, b: &Cells) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

impl Table {
    /// The figures of one outcome row (2021 format).
    pub fn outcome(&self, outcome: Outcome) -> Cells {
        self.concluded[index_of(outcome)]
    }

    /// (七): every case concluded in the period.
    pub fn total_concluded(&self) -> Cells {
        let mut total = [0; COLUMNS];
        for cells in &self.concluded {
            add(&mut total, cells);
        }
        total
    }

    fn count(&mut self, bucket: &CountBucket, column: usize, n: u64) -> Result<(), Option<String>> {
        let cells = match bucket {
            CountBucket::Received => &mut self.new,
            CountBucket::CarriedOver => &mut self.carried_over,
            CountBucket::CarriedForward => &mut self.carried_forward,
            CountBucket::Concluded(code) => {
                let outcome: Outcome = code.as_deref().and_then(|c| c.parse().ok()).ok_or_else(|| code.clone())?;
                &mut self.concluded[index_of(outcome)]
            }
        };
        cells[column] += n;
        cells[COLUMNS - 1] += n;
        Ok(())
    }

    fn add_table(&mut self, other: &Table) {
        add(&mut self.new, &other.new);
        add(&mut self.carried_over, &other.carried_over);
        add(&mut self.carried_forward, &other.carried_forward);
        for (a, b) in self.concluded.iter_mut().zip(&other.concluded) {
            add(a, b);
        }
    }

    /// Checks 一 + 二 = (七) + 四 in every column; `agency` names the table in the error.
    pub fn check(&self, agency: &str) -> Result<(), StatsError> {
        let concluded = self.total_concluded();
        for (i, label) in column_labels().into_iter().enumerate() {
            if self.new[i] + self.carried_over[i] != concluded[i] + self.carried_forward[i] {
                return Err(StatsError::Unbalanced {
                    agency: agency.to_owned(),
                    column: label.to_owned(),
                    new: self.new[i],
                    carried_over: self.carried_over[i],
                    concluded: concluded[i],
                    carried_forward: self.carried_forward[i],
                });
            }
        }
        Ok(())
    }

    /// The printed rows in `format` for `period`: 一, 二, the outcome rows (21, or 19 in the
    /// 2019 format, whose single (六) row sums the three), (七), 四. The wording follows the
    /// official form; for a period that is not a calendar year, 本年/上年/下年度 read
    /// 本期/上期/下期.
    pub fn rows(&self, format: Format, period: &Period) -> Vec<Row> {
        let annual = period.is_calendar_year();
        let (new, carried, section, forward) = if annual {
            (
                "一、本年新收政府信息公开申请数量",
                "二、上年结转政府信息公开申请数量",
                "三、本年度办理结果",
                "四、结转下年度继续办理",
            )
        } else {
            (
                "一、本期新收政府信息公开申请数量",
                "二、上期结转政府信息公开申请数量",
                "三、本期办理结果",
                "四、结转下期继续办理",
            )
        };
        let plain =
            |row, label: &'static str, values| Row { row, section: label.to_owned(), group: "", item: "", values };
        let mut rows = vec![plain("一", new, self.new), plain("二", carried, self.carried_over)];
        for outcome in Outcome::ALL {
            let group = outcome.group();
            let row = outcome.row_in(format);
            let whole_group = group.outcomes().count() == 1 || row == group.row();
            let values = self.outcome(outcome);
            match rows.last_mut() {
                Some(last) if last.row == row => add(&mut last.values, &values),
                _ => rows.push(Row {
                    row,
                    section: section.to_owned(),
                    group: group.label_zh(),
                    item: if whole_group { "" } else { outcome.item_zh() },
                    values,
                }),
            }
        }
        rows.push(Row {
            row: "(七)",
            section: section.to_owned(),
            group: "（七）总计",
            item: "",
            values: self.total_concluded(),
        });
        rows.push(plain("四", forward, self.carried_forward));
        rows
    }
}

/// The table of one agency (its own cases).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyTable {
    /// The agency.
    pub agency_id: Uuid,
    /// Its code, e.g. `youxian`.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its figures.
    pub table: Table,
    /// Table 四: challenges to its replies filed in the period.
    pub challenges: ChallengeTable,
    /// Its processing figures.
    pub processing: Processing,
}

/// A checked report: every table balances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The period covered.
    pub period: Period,
    /// The layout of the table.
    pub format: Format,
    /// One table per agency (its own cases), in the order the agencies were given.
    pub tables: Vec<AgencyTable>,
    /// The roll-up over all of them.
    pub summary: Table,
    /// Table 四 over all of them.
    pub summary_challenges: ChallengeTable,
    /// The processing figures over all of them.
    pub summary_processing: Processing,
}

impl Report {
    /// The agency code the summary is shown under.
    pub const SUMMARY_CODE: &'static str = "合计";
}

/// What the figures that depend on the day of the export need: that day (for "open and
/// overdue now") and the calendar (for the working days the oldest cases have been open).
#[derive(Clone, Copy, Debug)]
pub struct AsOf<'a> {
    /// Today, in China Standard Time.
    pub today: Date,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
}

/// Counts the cases of `agencies` (each on its own, plus the roll-up) in `period` with SQL
/// aggregates and lays them out: table 三, table 四 and the processing figures, one block
/// per agency in the order of the tree ([`tree_order`]). Fails with
/// [`StatsError::Unbalanced`] if any table breaks its identity. Memory grows with the
/// number of agencies, never with the number of cases.
pub async fn compute(
    store: &Store,
    agencies: &[Agency],
    period: Period,
    as_of: AsOf<'_>,
) -> Result<Report, StatsError> {
    let agencies = &tree_order(agencies);
    let ids: Vec<Uuid> = agencies.iter().map(|a| a.id).collect();
    let counts = store.case_counts(&ids, period.from, period.to).await?;
    let mut report = tabulate(agencies, period, &counts)?;
    let kinds: Vec<&str> = COUNTED_EVENTS.iter().map(|k| k.code()).collect();
    let aggregates = Aggregates {
        reply_days: store.reply_days(&ids, period.from, period.to).await?,
        events: store.event_counts(&ids, &kinds, period.from, period.to).await?,
        open_now: store.open_now(&ids, as_of.today).await?,
        oldest: store.oldest_open(&ids, period.to, OLDEST_LISTED).await?,
        challenges: store.challenge_counts(&ids, period.from, period.to).await?,
    };
    let codes: Vec<(Uuid, String)> = agencies.iter().map(|a| (a.id, a.code.clone())).collect();
    let figures = figures_of(&codes, &aggregates, period.to, as_of.today, as_of.calendar)?;
    for (t, (processing, challenges)) in report.tables.iter_mut().zip(figures) {
        t.processing = processing;
        t.challenges = challenges;
    }
    let (processing, challenges) = roll_up(report.tables.iter().map(|t| (&t.processing, &t.challenges)));
    report.summary_processing = processing;
    report.summary_challenges = challenges;
    Ok(report)
}

/// `agencies` as a supervisor reads them: each agency followed by the agencies below it,
/// siblings by code (a district government, then its departments and towns), the agencies
/// whose parent is not in the list first.
pub fn tree_order(agencies: &[Agency]) -> Vec<Agency> {
    let ids: std::collections::HashSet<Uuid> = agencies.iter().map(|a| a.id).collect();
    let mut by_code: Vec<&Agency> = agencies.iter().collect();
    by_code.sort_by(|a, b| a.code.cmp(&b.code));
    let mut ordered = Vec::with_capacity(agencies.len());
    // Depth first from each top agency; children in code order.
    let mut stack: Vec<&Agency> =
        by_code.iter().rev().filter(|a| a.parent_id.is_none_or(|p| !ids.contains(&p))).copied().collect();
    while let Some(agency) = stack.pop() {
        ordered.push(agency.clone());
        stack.extend(by_code.iter().rev().filter(|c| c.parent_id == Some(agency.id)));
    }
    ordered
}

/// Lays out counts already fetched (see [`compute`]) and checks every table.
pub fn tabulate(agencies: &[Agency], period: Period, counts: &[CountRow]) -> Result<Report, StatsError> {
    let mut tables: Vec<AgencyTable> = agencies
        .iter()
        .map(|a| AgencyTable {
            agency_id: a.id,
            code: a.code.clone(),
            name: a.name.clone(),
            table: Table::default(),
            challenges: ChallengeTable::default(),
            processing: Processing::default(),
        })
        .collect();
    let position: HashMap<Uuid, usize> = agencies.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    for row in counts {
        let &i = position.get(&row.agency_id).ok_or(StatsError::UnexpectedAgency(row.agency_id))?;
        let entry = &mut tables[i];
        let kind: ApplicantKind = row.applicant_kind.parse().map_err(|_| StatsError::UnknownApplicantKind {
            agency: entry.code.clone(),
            kind: row.applicant_kind.clone(),
            count: row.count,
        })?;
        let column = ApplicantKind::ALL.iter().position(|k| *k == kind).unwrap_or(COLUMNS - 2);
        entry.table.count(&row.bucket, column, row.count).map_err(|outcome| StatsError::UnclassifiedConclusion {
            agency: entry.code.clone(),
            outcome,
            count: row.count,
        })?;
    }
    let mut summary = Table::default();
    for t in &tables {
        t.table.check(&t.code)?;
        summary.add_table(&t.table);
    }
    summary.check(Report::SUMMARY_CODE)?;
    Ok(Report {
        period,
        format: period.format(),
        tables,
        summary,
        summary_challenges: ChallengeTable::default(),
        summary_processing: Processing::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(code: &str, parent: Option<&Agency>) -> Agency {
        Agency {
            id: Uuid::new_v4(),
            code: code.into(),
            name: code.into(),
            parent_id: parent.map(|p| p.id),
            case_prefix: String::new(),
            case_number_pattern: String::new(),
            reconsideration_body: String::new(),
            correction_period_wd: 15,
            due_soon_wd: 5,
            fee_pauses_clock: true,
            contact: Default::default(),
            online_receipt: Default::default(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn agencies_are_listed_as_a_tree() {
        let city = agency("mianyang", None);
        let district = agency("youxian", Some(&city));
        let town = agency("weicheng", Some(&district));
        let bureau = agency("youxian-fgj", Some(&district));
        let other = agency("fucheng", Some(&city));
        let school = agency("a-school", Some(&bureau));
        // Given in code order; the city is not in the list, so its districts come first.
        let given = [school.clone(), other.clone(), town.clone(), district.clone(), bureau.clone()];
        let codes: Vec<String> = tree_order(&given).into_iter().map(|a| a.code).collect();
        assert_eq!(codes, ["fucheng", "youxian", "weicheng", "youxian-fgj", "a-school"]);
        let with_city = [town, city, bureau, district];
        let codes: Vec<String> = tree_order(&with_city).into_iter().map(|a| a.code).collect();
        assert_eq!(codes, ["mianyang", "youxian", "weicheng", "youxian-fgj"]);
    }

    #[test]
    fn the_2019_format_merges_the_other_rows() {
        let mut table = Table::default();
        table.concluded[index_of(Outcome::OtherCorrectionNotMade)][0] = 1;
        table.concluded[index_of(Outcome::OtherClosed)][0] = 2;
        let period = Period::parse_year("2020").unwrap();
        let rows = table.rows(Format::Y2019, &period);
        assert_eq!(rows.len(), 2 + 19 + 2);
        let other = rows.iter().find(|r| r.row == "(六)").unwrap();
        assert_eq!(other.values[0], 3);
        assert_eq!((other.group, other.item), ("（六）其他处理", ""));
        assert_eq!(table.rows(Format::Y2021, &period).len(), 2 + 21 + 2);
        assert_eq!(rows[0].section, "一、本年新收政府信息公开申请数量");
        assert_eq!(rows.last().unwrap().section, "四、结转下年度继续办理");
    }

    #[test]
    fn an_unbalanced_table_is_an_error() {
        let table = Table { new: [1, 0, 0, 0, 0, 0, 1], ..Table::default() };
        let err = table.check("youxian").unwrap_err();
        assert!(
            matches!(&err, StatsError::Unbalanced { agency, column, new: 1, .. } if agency == "youxian" && column == "自然人"),
            "{err}"
        );
    }
}
