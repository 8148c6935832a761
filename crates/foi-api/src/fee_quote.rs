//! `Case.feeQuote` and the amount of `issueFeeNotice`: the information-processing fee that the
//! rates give for one application (Reg. 42; 《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号).
//!
//! The rates count **per applicant per calendar month** (rules.md §2). The applicant is the
//! identity — the resident ID number or unified social credit code — not the account: one
//! identity has one account (`ux_accounts_identity`), and its applications recorded at the
//! counter or by post count as well. So the quote counts the applications of this case's
//! identity that this agency received in the calendar month of this case's receipt, up to and
//! including this one (by date of receipt, then recording order): per application, the fee
//! of that n-th application (1–10 free, 11–30 100 yuan, then +100 yuan per band of 10). Per
//! page, the fee of this request's pages; pages given on the identity's other requests are
//! not recorded, so they are not counted (the quote says so).

use async_graphql::SimpleObject;
use foi_domain::fee::{FeeBasis, fee_by_application, fee_by_pages};
use foi_store::{CaseRecord, Store};
use time::Date;

use crate::enums;
use crate::error::ApiError;

/// The fee the rates give for one application (国办函〔2020〕109号), counted per applicant
/// (identity number) per calendar month.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct FeeQuote {
    /// Per application or per page.
    pub basis: enums::FeeBasis,
    /// The calendar month counted, e.g. `2026-10`: that of the date of receipt.
    pub month: String,
    /// Per application: which application of this applicant (identity number, every
    /// account and channel) this agency received in the month this one is, counting it.
    pub nth_application: i32,
    /// Per page: the pages of this request.
    pub pages: Option<i32>,
    /// The fee in yuan; 0 means no fee may be charged.
    pub amount_yuan: i32,
    /// How it was counted, in Chinese, citing the measures.
    pub explanation: String,
}

fn month_of(date: Date) -> (Date, Date) {
    let first = date.replace_day(1).unwrap_or(date);
    let last = date.replace_day(date.month().length(date.year())).unwrap_or(date);
    (first, last)
}

/// The quote for `record` on `basis` (`pages` required per page). Refused with `VALIDATION`
/// naming `field_prefix.pages` when pages are missing or zero, and with `RULE_VIOLATION`
/// when the case has no date of receipt or no identity number to count by.
pub async fn quote(
    store: &Store,
    record: &CaseRecord,
    basis: FeeBasis,
    pages: Option<i32>,
    field_prefix: &str,
) -> Result<FeeQuote, ApiError> {
    let received = record.received_on.ok_or_else(|| {
        ApiError::Rule("the application has not been received yet: no month to count (Reg. 31)".into())
    })?;
    let (first, last) = month_of(received);
    let month = format!("{:04}-{:02}", received.year(), u8::from(received.month()));
    match basis {
        FeeBasis::PerApplication => {
            let number = record.applicant_id_number.as_deref().ok_or_else(|| {
                ApiError::Rule(
                    "the applicant has no identity number on record, so applications cannot be counted per \
                     applicant (国办函〔2020〕109号); charge per page, or record the identity number"
                        .into(),
                )
            })?;
            let nth = store.identity_applications(record.agency_id, number, (first, last), record).await?;
            let nth = u32::try_from(nth).unwrap_or(u32::MAX);
            let amount = fee_by_application(nth).0;
            Ok(FeeQuote {
                basis: basis.into(),
                month: month.clone(),
                nth_application: i32::try_from(nth).unwrap_or(i32::MAX),
                pages: None,
                amount_yuan: i32::try_from(amount).unwrap_or(i32::MAX),
                explanation: format!(
                    "按件计收：本申请为该申请人（按身份证件号码计）{month}本机关收到的第{nth}件申请；\
                     每月1至10件不收费，11至30件每件100元，此后每10件每件增加100元，本件{amount}元\
                     （《政府信息公开信息处理费管理办法》，国办函〔2020〕109号）"
                ),
            })
        }
        FeeBasis::PerPage => {
            let pages = pages.filter(|p| *p > 0).ok_or_else(|| {
                ApiError::validation(
                    format!("{field_prefix}pages"),
                    "give the number of pages (1 or more) to charge per page",
                )
            })?;
            let amount = fee_by_pages(u32::try_from(pages).unwrap_or(0)).0;
            Ok(FeeQuote {
                basis: basis.into(),
                month,
                nth_application: 0,
                pages: Some(pages),
                amount_yuan: i32::try_from(amount).unwrap_or(i32::MAX),
                explanation: format!(
                    "按量计收：本次{pages}页；30页以下不收费，31至100页每页10元，101至200页每页20元，\
                     201页以上每页40元，计{amount}元（《政府信息公开信息处理费管理办法》，国办函〔2020〕109号）。\
                     该申请人本月其他申请的页数未登记，未计入"
                ),
            })
        }
    }
}
