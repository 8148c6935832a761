//! The outcome of a concluded case, as the annual report counts it.
//!
//! Every closed case has exactly one outcome, and that outcome *is* one row of table 三
//! ("收到和处理政府信息公开申请情况") of the annual report on government information
//! disclosure, format 国办公开办函〔2021〕30号. Modelling the outcome as the row itself means
//! the statistics cannot disagree with the reply letters: the export just counts outcomes.
//!
//! The module also knows, per outcome, which article of the Regulations on Open Government
//! Information (政府信息公开条例, 2019, "Reg.") it rests on, whether it is a refusal, whether
//! reconsideration must come before litigation (行政复议法 2023 art. 23 ¶1(4)), and how the
//! older 2019 format (国办公开办函〔2019〕60号), with a single (六) row, counts it.

use std::fmt;
use std::str::FromStr;

/// Builds a Chinese citation of the Regulations from the article part.
macro_rules! reg_zh {
    ($article:literal) => {
        concat!("《中华人民共和国政府信息公开条例》", $article)
    };
}

/// The outcome of a concluded disclosure application (办理结果): one row of table 三 of the
/// annual report (国办公开办函〔2021〕30号), in table order.
///
/// The variant order is the table order, so sorting outcomes sorts them as the table does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    /// (一) Disclosed (予以公开): already public (the applicant is told where), or provided now.
    /// Reg. 36(1)(2).
    Disclosed,
    /// (二) Partly disclosed (部分公开): the disclosable part is provided, the rest withheld
    /// with reasons. Counted here only, never also under (三). Reg. 37.
    PartlyDisclosed,
    /// (三)1 Not disclosed: state secret (属于国家秘密). Reg. 14.
    WithheldStateSecret,
    /// (三)2 Not disclosed: another law or administrative regulation forbids disclosure
    /// (其他法律行政法规禁止公开). Reg. 14.
    WithheldByLaw,
    /// (三)3 Not disclosed: would endanger national, public or economic security or social
    /// stability (危及“三安全一稳定”). Reg. 14.
    WithheldSecurityStability,
    /// (三)4 Not disclosed: protects a third party's lawful rights, such as trade secrets or
    /// privacy (保护第三方合法权益). Reg. 15.
    WithheldThirdPartyRights,
    /// (三)5 Not disclosed: internal affairs — personnel, logistics, internal procedure
    /// (属于三类内部事务信息). Reg. 16 ¶1.
    WithheldInternalAffairs,
    /// (三)6 Not disclosed: process information — discussion records, drafts, consultation
    /// letters, requests for instructions (属于四类过程性信息). Reg. 16 ¶2.
    WithheldProcessInformation,
    /// (三)7 Not disclosed: administrative enforcement case file (属于行政执法案卷). Reg. 16 ¶2.
    WithheldEnforcementFile,
    /// (三)8 Not disclosed as such: an administrative query matter with its own statutory
    /// access rules, e.g. business or real-estate registers (属于行政查询事项). Reg. 36(7).
    WithheldAdministrativeQuery,
    /// (四)1 Cannot provide: this agency does not hold the information, including when it is
    /// another agency's to disclose (本机关不掌握相关政府信息). Reg. 36(4)(5).
    NotHeld,
    /// (四)2 Cannot provide: no existing information; it would have to be compiled or analysed
    /// anew (没有现成信息需要另行制作). Reg. 38.
    NeedsCompilation,
    /// (四)3 Cannot provide: the request is still unclear after correction
    /// (补正后申请内容仍不明确). Reg. 30.
    StillUnclearAfterCorrection,
    /// (五)1 Not handled: a petition, complaint or report in the form of an application
    /// (信访举报投诉类申请). Reg. 39 ¶1.
    NotHandledPetition,
    /// (五)2 Not handled: a repeat of an application already answered (重复申请). Reg. 36(6).
    NotHandledRepeat,
    /// (五)3 Not handled: asks for a publication such as a gazette or book
    /// (要求提供公开出版物). Reg. 39 ¶2.
    NotHandledPublication,
    /// (五)4 Not handled: clearly excessive requests without good reason
    /// (无正当理由大量反复申请). Reg. 35.
    NotHandledExcessive,
    /// (五)5 Not handled: asks the agency to confirm or re-issue information already obtained
    /// (要求行政机关确认或重新出具已获取信息). The Regulations name no specific article.
    NotHandledConfirmOrReissue,
    /// (六)1 Other: the applicant did not correct the application in time, so it is deemed
    /// abandoned (逾期不补正). Reg. 30. Arises from a closure, never from a reply.
    OtherCorrectionNotMade,
    /// (六)2 Other: the information-processing fee was not paid in time, so the application
    /// is deemed abandoned (逾期未缴纳费用). Fee measures 国办函〔2020〕109号. Arises from a
    /// closure, never from a reply.
    OtherFeeNotPaid,
    /// (六)3 Other closures, e.g. withdrawal by the applicant (其他). Arises from a closure,
    /// never from a reply.
    OtherClosed,
}

/// The six outcome groups (（一）–（六）) of table 三, i.e. the rows before any item number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OutcomeGroup {
    /// （一）予以公开: disclosed.
    Disclosed,
    /// （二）部分公开: partly disclosed.
    PartlyDisclosed,
    /// （三）不予公开: not disclosed (refusals).
    NotDisclosed,
    /// （四）无法提供: cannot provide.
    CannotProvide,
    /// （五）不予处理: not handled as an application.
    NotHandled,
    /// （六）其他处理: other (closures without a reply).
    Other,
}

/// The layout of the annual report table (年度报告格式), which decides how outcomes map to rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Format {
    /// 国办公开办函〔2019〕60号, used for the 2019 and 2020 reports: a single (六) row
    /// "其他处理", 19 outcome rows in all.
    Y2019,
    /// 国办公开办函〔2021〕30号, used from the 2021 report on: (六) split into three rows,
    /// 21 outcome rows in all.
    Y2021,
}

/// Error returned when a string is not one of the outcome codes (办理结果代码).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown outcome code {found:?}; use one of: {}", valid_codes())]
pub struct ParseOutcomeError {
    /// The text that was given.
    pub found: String,
}

fn valid_codes() -> String {
    Outcome::ALL.iter().map(|o| o.code()).collect::<Vec<_>>().join(", ")
}

impl Outcome {
    /// All 21 outcomes in the order of table 三 of the 2021 format.
    pub const ALL: [Outcome; 21] = [
        Outcome::Disclosed,
        Outcome::PartlyDisclosed,
        Outcome::WithheldStateSecret,
        Outcome::WithheldByLaw,
        Outcome::WithheldSecurityStability,
        Outcome::WithheldThirdPartyRights,
        Outcome::WithheldInternalAffairs,
        Outcome::WithheldProcessInformation,
        Outcome::WithheldEnforcementFile,
        Outcome::WithheldAdministrativeQuery,
        Outcome::NotHeld,
        Outcome::NeedsCompilation,
        Outcome::StillUnclearAfterCorrection,
        Outcome::NotHandledPetition,
        Outcome::NotHandledRepeat,
        Outcome::NotHandledPublication,
        Outcome::NotHandledExcessive,
        Outcome::NotHandledConfirmOrReissue,
        Outcome::OtherCorrectionNotMade,
        Outcome::OtherFeeNotPaid,
        Outcome::OtherClosed,
    ];

    /// The official row label (行次) in the 2021 format, e.g. `"(一)"`, `"(三)1"`, `"(六)3"`.
    pub fn row(self) -> &'static str {
        match self {
            Outcome::Disclosed => "(一)",
            Outcome::PartlyDisclosed => "(二)",
            Outcome::WithheldStateSecret => "(三)1",
            Outcome::WithheldByLaw => "(三)2",
            Outcome::WithheldSecurityStability => "(三)3",
            Outcome::WithheldThirdPartyRights => "(三)4",
            Outcome::WithheldInternalAffairs => "(三)5",
            Outcome::WithheldProcessInformation => "(三)6",
            Outcome::WithheldEnforcementFile => "(三)7",
            Outcome::WithheldAdministrativeQuery => "(三)8",
            Outcome::NotHeld => "(四)1",
            Outcome::NeedsCompilation => "(四)2",
            Outcome::StillUnclearAfterCorrection => "(四)3",
            Outcome::NotHandledPetition => "(五)1",
            Outcome::NotHandledRepeat => "(五)2",
            Outcome::NotHandledPublication => "(五)3",
            Outcome::NotHandledExcessive => "(五)4",
            Outcome::NotHandledConfirmOrReissue => "(五)5",
            Outcome::OtherCorrectionNotMade => "(六)1",
            Outcome::OtherFeeNotPaid => "(六)2",
            Outcome::OtherClosed => "(六)3",
        }
    }

    /// The row label (行次) in the given report format: in the 2019 format the three (六)
    /// rows are one row `"(六)"`; every other outcome keeps its row.
    pub fn row_in(self, format: Format) -> &'static str {
        match (format, self.group()) {
            (Format::Y2019, OutcomeGroup::Other) => "(六)",
            _ => self.row(),
        }
    }

    /// The outcome whose 2021 row label (行次) is `row`, e.g. `"(三)1"`; `None` if there is none.
    pub fn from_row(row: &str) -> Option<Outcome> {
        let row = row.trim();
        Outcome::ALL.into_iter().find(|o| o.row() == row)
    }

    /// The exact text of this row's cell in the 2021 table (表格文字), e.g. `"1.属于国家秘密"`
    /// for (三)1 or `"予以公开"` for (一). Sub-rows carry their item number, as on the form.
    pub fn item_zh(self) -> &'static str {
        match self {
            Outcome::Disclosed => "予以公开",
            Outcome::PartlyDisclosed => "部分公开（区分处理的，只计这一情形，不计其他情形）",
            Outcome::WithheldStateSecret => "1.属于国家秘密",
            Outcome::WithheldByLaw => "2.其他法律行政法规禁止公开",
            Outcome::WithheldSecurityStability => "3.危及“三安全一稳定”",
            Outcome::WithheldThirdPartyRights => "4.保护第三方合法权益",
            Outcome::WithheldInternalAffairs => "5.属于三类内部事务信息",
            Outcome::WithheldProcessInformation => "6.属于四类过程性信息",
            Outcome::WithheldEnforcementFile => "7.属于行政执法案卷",
            Outcome::WithheldAdministrativeQuery => "8.属于行政查询事项",
            Outcome::NotHeld => "1.本机关不掌握相关政府信息",
            Outcome::NeedsCompilation => "2.没有现成信息需要另行制作",
            Outcome::StillUnclearAfterCorrection => "3.补正后申请内容仍不明确",
            Outcome::NotHandledPetition => "1.信访举报投诉类申请",
            Outcome::NotHandledRepeat => "2.重复申请",
            Outcome::NotHandledPublication => "3.要求提供公开出版物",
            Outcome::NotHandledExcessive => "4.无正当理由大量反复申请",
            Outcome::NotHandledConfirmOrReissue => "5.要求行政机关确认或重新出具已获取信息",
            Outcome::OtherCorrectionNotMade => "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            Outcome::OtherFeeNotPaid => "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            Outcome::OtherClosed => "3.其他",
        }
    }

    /// The Chinese label (办理结果) of the row, readable on its own: the group name and, for
    /// sub-rows, the item text without its number, e.g. `"不予公开 — 属于国家秘密"`.
    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Disclosed => "予以公开",
            Outcome::PartlyDisclosed => "部分公开（区分处理的，只计这一情形，不计其他情形）",
            Outcome::WithheldStateSecret => "不予公开 — 属于国家秘密",
            Outcome::WithheldByLaw => "不予公开 — 其他法律行政法规禁止公开",
            Outcome::WithheldSecurityStability => "不予公开 — 危及“三安全一稳定”",
            Outcome::WithheldThirdPartyRights => "不予公开 — 保护第三方合法权益",
            Outcome::WithheldInternalAffairs => "不予公开 — 属于三类内部事务信息",
            Outcome::WithheldProcessInformation => "不予公开 — 属于四类过程性信息",
            Outcome::WithheldEnforcementFile => "不予公开 — 属于行政执法案卷",
            Outcome::WithheldAdministrativeQuery => "不予公开 — 属于行政查询事项",
            Outcome::NotHeld => "无法提供 — 本机关不掌握相关政府信息",
            Outcome::NeedsCompilation => "无法提供 — 没有现成信息需要另行制作",
            Outcome::StillUnclearAfterCorrection => "无法提供 — 补正后申请内容仍不明确",
            Outcome::NotHandledPetition => "不予处理 — 信访举报投诉类申请",
            Outcome::NotHandledRepeat => "不予处理 — 重复申请",
            Outcome::NotHandledPublication => "不予处理 — 要求提供公开出版物",
            Outcome::NotHandledExcessive => "不予处理 — 无正当理由大量反复申请",
            Outcome::NotHandledConfirmOrReissue => "不予处理 — 要求行政机关确认或重新出具已获取信息",
            Outcome::OtherCorrectionNotMade => {
                "其他处理 — 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
            }
            Outcome::OtherFeeNotPaid => {
                "其他处理 — 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"
            }
            Outcome::OtherClosed => "其他处理 — 其他",
        }
    }

    /// The outcome group (（一）–（六）) this row belongs to.
    pub fn group(self) -> OutcomeGroup {
        match self {
            Outcome::Disclosed => OutcomeGroup::Disclosed,
            Outcome::PartlyDisclosed => OutcomeGroup::PartlyDisclosed,
            Outcome::WithheldStateSecret
            | Outcome::WithheldByLaw
            | Outcome::WithheldSecurityStability
            | Outcome::WithheldThirdPartyRights
            | Outcome::WithheldInternalAffairs
            | Outcome::WithheldProcessInformation
            | Outcome::WithheldEnforcementFile
            | Outcome::WithheldAdministrativeQuery => OutcomeGroup::NotDisclosed,
            Outcome::NotHeld | Outcome::NeedsCompilation | Outcome::StillUnclearAfterCorrection => {
                OutcomeGroup::CannotProvide
            }
            Outcome::NotHandledPetition
            | Outcome::NotHandledRepeat
            | Outcome::NotHandledPublication
            | Outcome::NotHandledExcessive
            | Outcome::NotHandledConfirmOrReissue => OutcomeGroup::NotHandled,
            Outcome::OtherCorrectionNotMade | Outcome::OtherFeeNotPaid | Outcome::OtherClosed => OutcomeGroup::Other,
        }
    }

    /// The provision the outcome rests on (法律依据), in the short English form of the domain
    /// reference, e.g. `"Reg. 14"`, `"Reg. 36(1)(2)"`. Empty for (五)5 and (六)3, which rest
    /// on no specific article; `"fee measures"` for (六)2.
    pub fn basis(self) -> &'static str {
        match self {
            Outcome::Disclosed => "Reg. 36(1)(2)",
            Outcome::PartlyDisclosed => "Reg. 37",
            Outcome::WithheldStateSecret | Outcome::WithheldByLaw | Outcome::WithheldSecurityStability => "Reg. 14",
            Outcome::WithheldThirdPartyRights => "Reg. 15",
            Outcome::WithheldInternalAffairs => "Reg. 16 ¶1",
            Outcome::WithheldProcessInformation | Outcome::WithheldEnforcementFile => "Reg. 16 ¶2",
            Outcome::WithheldAdministrativeQuery => "Reg. 36(7)",
            Outcome::NotHeld => "Reg. 36(4)(5)",
            Outcome::NeedsCompilation => "Reg. 38",
            Outcome::StillUnclearAfterCorrection => "Reg. 30",
            Outcome::NotHandledPetition => "Reg. 39 ¶1",
            Outcome::NotHandledRepeat => "Reg. 36(6)",
            Outcome::NotHandledPublication => "Reg. 39 ¶2",
            Outcome::NotHandledExcessive => "Reg. 35",
            Outcome::NotHandledConfirmOrReissue => "",
            Outcome::OtherCorrectionNotMade => "Reg. 30",
            Outcome::OtherFeeNotPaid => "fee measures",
            Outcome::OtherClosed => "",
        }
    }

    /// The provision the outcome rests on as a Chinese citation (法律依据), e.g.
    /// `"《中华人民共和国政府信息公开条例》第十四条"`. Empty where [`Outcome::basis`] is empty.
    pub fn basis_zh(self) -> &'static str {
        match self {
            Outcome::Disclosed => reg_zh!("第三十六条第一项、第二项"),
            Outcome::PartlyDisclosed => reg_zh!("第三十七条"),
            Outcome::WithheldStateSecret | Outcome::WithheldByLaw | Outcome::WithheldSecurityStability => {
                reg_zh!("第十四条")
            }
            Outcome::WithheldThirdPartyRights => reg_zh!("第十五条"),
            Outcome::WithheldInternalAffairs => reg_zh!("第十六条第一款"),
            Outcome::WithheldProcessInformation | Outcome::WithheldEnforcementFile => {
                reg_zh!("第十六条第二款")
            }
            Outcome::WithheldAdministrativeQuery => reg_zh!("第三十六条第七项"),
            Outcome::NotHeld => reg_zh!("第三十六条第四项、第五项"),
            Outcome::NeedsCompilation => reg_zh!("第三十八条"),
            Outcome::StillUnclearAfterCorrection => reg_zh!("第三十条"),
            Outcome::NotHandledPetition => reg_zh!("第三十九条第一款"),
            Outcome::NotHandledRepeat => reg_zh!("第三十六条第六项"),
            Outcome::NotHandledPublication => reg_zh!("第三十九条第二款"),
            Outcome::NotHandledExcessive => reg_zh!("第三十五条"),
            Outcome::NotHandledConfirmOrReissue => "",
            Outcome::OtherCorrectionNotMade => reg_zh!("第三十条"),
            Outcome::OtherFeeNotPaid => "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
            Outcome::OtherClosed => "",
        }
    }

    /// Whether this is a refusal to disclose (不予公开): the (三) rows, withheld under
    /// Reg. 14–16 or, for an administrative query matter, Reg. 36(7).
    pub fn is_refusal(self) -> bool {
        self.group() == OutcomeGroup::NotDisclosed
    }

    /// Whether a reply with this outcome must state its legal basis in the letter (说明理由及
    /// 依据): every row of (二), (三), (四) and (五). For (五)5, where the Regulations name no
    /// article ([`Outcome::basis`] is empty), the officer must supply the basis text.
    pub fn needs_legal_basis(self) -> bool {
        matches!(
            self.group(),
            OutcomeGroup::PartlyDisclosed
                | OutcomeGroup::NotDisclosed
                | OutcomeGroup::CannotProvide
                | OutcomeGroup::NotHandled
        )
    }

    /// Whether administrative reconsideration must come before litigation (复议前置), so the
    /// remedy clause must say so: refusals under Reg. 14, 15 or 16 ((三)1–7), and — on the
    /// cautious reading the domain reference adopts — partial disclosure (二), whose withheld
    /// part rests on the same articles. Not (三)8, which rests on Reg. 36(7).
    pub fn reconsideration_first(self) -> bool {
        // 行政复议法 (2023) art. 23 ¶1(4): refusals to disclose go to reconsideration first.
        matches!(
            self,
            Outcome::PartlyDisclosed
                | Outcome::WithheldStateSecret
                | Outcome::WithheldByLaw
                | Outcome::WithheldSecurityStability
                | Outcome::WithheldThirdPartyRights
                | Outcome::WithheldInternalAffairs
                | Outcome::WithheldProcessInformation
                | Outcome::WithheldEnforcementFile
        )
    }

    /// Whether this outcome can be the finding of a reply letter (答复): every row except the
    /// three (六) rows, which arise only when a case is closed without a reply.
    pub fn is_reply_outcome(self) -> bool {
        self.group() != OutcomeGroup::Other
    }

    /// The stable machine code (代码) of the outcome, identical to its serde name, e.g.
    /// `"WITHHELD_STATE_SECRET"`.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Disclosed => "DISCLOSED",
            Outcome::PartlyDisclosed => "PARTLY_DISCLOSED",
            Outcome::WithheldStateSecret => "WITHHELD_STATE_SECRET",
            Outcome::WithheldByLaw => "WITHHELD_BY_LAW",
            Outcome::WithheldSecurityStability => "WITHHELD_SECURITY_STABILITY",
            Outcome::WithheldThirdPartyRights => "WITHHELD_THIRD_PARTY_RIGHTS",
            Outcome::WithheldInternalAffairs => "WITHHELD_INTERNAL_AFFAIRS",
            Outcome::WithheldProcessInformation => "WITHHELD_PROCESS_INFORMATION",
            Outcome::WithheldEnforcementFile => "WITHHELD_ENFORCEMENT_FILE",
            Outcome::WithheldAdministrativeQuery => "WITHHELD_ADMINISTRATIVE_QUERY",
            Outcome::NotHeld => "NOT_HELD",
            Outcome::NeedsCompilation => "NEEDS_COMPILATION",
            Outcome::StillUnclearAfterCorrection => "STILL_UNCLEAR_AFTER_CORRECTION",
            Outcome::NotHandledPetition => "NOT_HANDLED_PETITION",
            Outcome::NotHandledRepeat => "NOT_HANDLED_REPEAT",
            Outcome::NotHandledPublication => "NOT_HANDLED_PUBLICATION",
            Outcome::NotHandledExcessive => "NOT_HANDLED_EXCESSIVE",
            Outcome::NotHandledConfirmOrReissue => "NOT_HANDLED_CONFIRM_OR_REISSUE",
            Outcome::OtherCorrectionNotMade => "OTHER_CORRECTION_NOT_MADE",
            Outcome::OtherFeeNotPaid => "OTHER_FEE_NOT_PAID",
            Outcome::OtherClosed => "OTHER_CLOSED",
        }
    }
}

impl FromStr for Outcome {
    type Err = ParseOutcomeError;

    /// Parses an outcome code such as `"NOT_HELD"`; surrounding whitespace and letter case
    /// are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Outcome::ALL
            .into_iter()
            .find(|o| o.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ParseOutcomeError { found: s.to_owned() })
    }
}

impl fmt::Display for Outcome {
    /// Row and label, e.g. `(三)1 不予公开 — 属于国家秘密`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.row(), self.label_zh())
    }
}

impl OutcomeGroup {
    /// The six groups in table order.
    pub const ALL: [OutcomeGroup; 6] = [
        OutcomeGroup::Disclosed,
        OutcomeGroup::PartlyDisclosed,
        OutcomeGroup::NotDisclosed,
        OutcomeGroup::CannotProvide,
        OutcomeGroup::NotHandled,
        OutcomeGroup::Other,
    ];

    /// The group's row label (行次), e.g. `"(三)"`.
    pub fn row(self) -> &'static str {
        match self {
            OutcomeGroup::Disclosed => "(一)",
            OutcomeGroup::PartlyDisclosed => "(二)",
            OutcomeGroup::NotDisclosed => "(三)",
            OutcomeGroup::CannotProvide => "(四)",
            OutcomeGroup::NotHandled => "(五)",
            OutcomeGroup::Other => "(六)",
        }
    }

    /// The group's label as printed in the table, e.g. `"（三）不予公开"`.
    pub fn label_zh(self) -> &'static str {
        match self {
            OutcomeGroup::Disclosed => "（一）予以公开",
            OutcomeGroup::PartlyDisclosed => "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            OutcomeGroup::NotDisclosed => "（三）不予公开",
            OutcomeGroup::CannotProvide => "（四）无法提供",
            OutcomeGroup::NotHandled => "（五）不予处理",
            OutcomeGroup::Other => "（六）其他处理",
        }
    }

    /// The outcomes of this group, in table order.
    pub fn outcomes(self) -> impl Iterator<Item = Outcome> {
        Outcome::ALL.into_iter().filter(move |o| o.group() == self)
    }
}

impl fmt::Display for OutcomeGroup {
    /// The Chinese label, e.g. `（三）不予公开`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

impl Format {
    /// The report format for the annual report of `year` (年度报告格式).
    ///
    /// 2019 and 2020 reports use the 2019 format (国办公开办函〔2019〕60号); reports from 2021
    /// on use the 2021 format (国办公开办函〔2021〕30号). Years before 2019 predate both (the
    /// 2008 Regulations had other outcomes); they are mapped to the 2019 format, the closest
    /// one, so that old data can still be laid out — treat such tables as approximations.
    pub fn for_year(year: i32) -> Format {
        if year >= 2021 { Format::Y2021 } else { Format::Y2019 }
    }

    /// The document that laid down this format, e.g. `"国办公开办函〔2021〕30号"`.
    pub fn document_zh(self) -> &'static str {
        match self {
            Format::Y2019 => "国办公开办函〔2019〕60号",
            Format::Y2021 => "国办公开办函〔2021〕30号",
        }
    }

    /// The distinct outcome rows (行次) of table 三 in this format, in order: 21 for the 2021
    /// format, 19 for the 2019 format.
    pub fn rows(self) -> Vec<&'static str> {
        let mut rows: Vec<&'static str> = Vec::with_capacity(Outcome::ALL.len());
        for outcome in Outcome::ALL {
            let row = outcome.row_in(self);
            if rows.last() != Some(&row) {
                rows.push(row);
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn twenty_one_distinct_rows_in_table_order() {
        let rows: Vec<_> = Outcome::ALL.iter().map(|o| o.row()).collect();
        let distinct: HashSet<_> = rows.iter().collect();
        assert_eq!(distinct.len(), 21);
        assert_eq!(rows[0], "(一)");
        assert_eq!(rows[1], "(二)");
        assert_eq!(rows[2], "(三)1");
        assert_eq!(rows[9], "(三)8");
        assert_eq!(rows[12], "(四)3");
        assert_eq!(rows[17], "(五)5");
        assert_eq!(rows[20], "(六)3");
        assert_eq!(Format::Y2021.rows(), rows);
        // Sorting by the derived order is table order.
        let mut sorted = Outcome::ALL;
        sorted.sort();
        assert_eq!(sorted, Outcome::ALL);
    }

    #[test]
    fn from_row_inverts_row() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_row(o.row()), Some(o));
        }
        assert_eq!(Outcome::from_row(" (四)2 "), Some(Outcome::NeedsCompilation));
        assert_eq!(Outcome::from_row("(六)"), None);
        assert_eq!(Outcome::from_row("(三)9"), None);
    }

    #[test]
    fn codes_round_trip_through_from_str_and_serde() {
        let mut seen = HashSet::new();
        for o in Outcome::ALL {
            assert!(seen.insert(o.code()), "duplicate code {}", o.code());
            assert_eq!(o.code().parse::<Outcome>(), Ok(o));
            let json = serde_json::to_string(&o).expect("serialise");
            assert_eq!(json, format!("\"{}\"", o.code()));
            let back: Outcome = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, o);
        }
        assert_eq!(" not_held ".parse::<Outcome>(), Ok(Outcome::NotHeld));
    }

    #[test]
    fn unknown_code_error_lists_valid_codes() {
        let err = "REFUSED".parse::<Outcome>().unwrap_err();
        assert_eq!(err.found, "REFUSED");
        let msg = err.to_string();
        assert!(msg.contains("\"REFUSED\""), "{msg}");
        assert!(msg.contains("DISCLOSED"), "{msg}");
        assert!(msg.contains("OTHER_CLOSED"), "{msg}");
        assert!(serde_json::from_str::<Outcome>("\"REFUSED\"").is_err());
    }

    #[test]
    fn labels_follow_the_2021_form() {
        assert_eq!(Outcome::Disclosed.label_zh(), "予以公开");
        assert_eq!(Outcome::PartlyDisclosed.label_zh(), "部分公开（区分处理的，只计这一情形，不计其他情形）");
        assert_eq!(Outcome::WithheldStateSecret.label_zh(), "不予公开 — 属于国家秘密");
        assert_eq!(Outcome::WithheldSecurityStability.item_zh(), "3.危及“三安全一稳定”");
        assert_eq!(Outcome::OtherClosed.item_zh(), "3.其他");
        assert_eq!(Outcome::WithheldStateSecret.to_string(), "(三)1 不予公开 — 属于国家秘密");
        // Every sub-row's label is the group name plus the item text without its number.
        for o in Outcome::ALL {
            let item = o.item_zh();
            if let Some((_, text)) = item.split_once('.') {
                assert!(o.label_zh().ends_with(text), "{o:?}");
                let group_name = o.group().label_zh().chars().skip(3).collect::<String>();
                assert!(o.label_zh().starts_with(&group_name), "{o:?}");
                // the number in the item matches the row suffix
                assert!(o.row().ends_with(&item[..item.find('.').unwrap_or(0)]), "{o:?}");
            }
        }
    }

    #[test]
    fn groups() {
        assert_eq!(OutcomeGroup::NotDisclosed.outcomes().count(), 8);
        assert_eq!(OutcomeGroup::CannotProvide.outcomes().count(), 3);
        assert_eq!(OutcomeGroup::NotHandled.outcomes().count(), 5);
        assert_eq!(OutcomeGroup::Other.outcomes().count(), 3);
        assert_eq!(OutcomeGroup::Disclosed.outcomes().count(), 1);
        let total: usize = OutcomeGroup::ALL.iter().map(|g| g.outcomes().count()).sum();
        assert_eq!(total, 21);
        for o in Outcome::ALL {
            assert!(o.row().starts_with(o.group().row()), "{o:?}");
        }
        assert_eq!(OutcomeGroup::NotDisclosed.label_zh(), "（三）不予公开");
        assert_eq!(OutcomeGroup::Other.to_string(), "（六）其他处理");
    }

    #[test]
    fn format_2019_collapses_exactly_the_other_rows() {
        for o in Outcome::ALL {
            if o.group() == OutcomeGroup::Other {
                assert_eq!(o.row_in(Format::Y2019), "(六)");
                assert_ne!(o.row_in(Format::Y2021), "(六)");
            } else {
                assert_eq!(o.row_in(Format::Y2019), o.row());
            }
            assert_eq!(o.row_in(Format::Y2021), o.row());
        }
        let rows = Format::Y2019.rows();
        assert_eq!(rows.len(), 19);
        assert_eq!(rows.last(), Some(&"(六)"));
        assert_eq!(rows[17], "(五)5");
        assert_eq!(Format::Y2021.rows().len(), 21);
    }

    #[test]
    fn format_for_year() {
        assert_eq!(Format::for_year(2008), Format::Y2019);
        assert_eq!(Format::for_year(2019), Format::Y2019);
        assert_eq!(Format::for_year(2020), Format::Y2019);
        assert_eq!(Format::for_year(2021), Format::Y2021);
        assert_eq!(Format::for_year(2026), Format::Y2021);
        assert_eq!(Format::Y2021.document_zh(), "国办公开办函〔2021〕30号");
    }

    #[test]
    fn reconsideration_first_exactly_for_refusals_under_14_to_16_and_partial() {
        let expected: HashSet<&str> =
            ["(二)", "(三)1", "(三)2", "(三)3", "(三)4", "(三)5", "(三)6", "(三)7"].into_iter().collect();
        let actual: HashSet<&str> =
            Outcome::ALL.iter().filter(|o| o.reconsideration_first()).map(|o| o.row()).collect();
        assert_eq!(actual, expected);
        assert!(!Outcome::WithheldAdministrativeQuery.reconsideration_first());
        // Every reconsideration-first refusal rests on Reg. 14, 15 or 16.
        for o in Outcome::ALL.iter().filter(|o| o.is_refusal() && o.reconsideration_first()) {
            assert!(["Reg. 14", "Reg. 15", "Reg. 16"].iter().any(|a| o.basis().starts_with(a)), "{o:?}");
        }
    }

    #[test]
    fn refusal_reply_and_basis_flags() {
        let refusals: Vec<_> = Outcome::ALL.iter().filter(|o| o.is_refusal()).collect();
        assert_eq!(refusals.len(), 8);
        assert!(!Outcome::PartlyDisclosed.is_refusal());

        let non_reply: Vec<_> = Outcome::ALL.iter().filter(|o| !o.is_reply_outcome()).copied().collect();
        assert_eq!(non_reply, vec![Outcome::OtherCorrectionNotMade, Outcome::OtherFeeNotPaid, Outcome::OtherClosed]);

        assert!(!Outcome::Disclosed.needs_legal_basis());
        assert!(Outcome::PartlyDisclosed.needs_legal_basis());
        assert!(Outcome::NotHandledConfirmOrReissue.needs_legal_basis());
        assert!(!Outcome::OtherClosed.needs_legal_basis());
        assert_eq!(Outcome::ALL.iter().filter(|o| o.needs_legal_basis()).count(), 1 + 8 + 3 + 5);
    }

    #[test]
    fn bases() {
        assert_eq!(Outcome::Disclosed.basis(), "Reg. 36(1)(2)");
        assert_eq!(Outcome::WithheldThirdPartyRights.basis(), "Reg. 15");
        assert_eq!(Outcome::WithheldAdministrativeQuery.basis(), "Reg. 36(7)");
        assert_eq!(Outcome::NotHandledConfirmOrReissue.basis(), "");
        assert_eq!(Outcome::OtherFeeNotPaid.basis(), "fee measures");
        assert_eq!(Outcome::WithheldStateSecret.basis_zh(), "《中华人民共和国政府信息公开条例》第十四条");
        assert_eq!(Outcome::NotHeld.basis_zh(), "《中华人民共和国政府信息公开条例》第三十六条第四项、第五项");
        for o in Outcome::ALL {
            assert_eq!(o.basis().is_empty(), o.basis_zh().is_empty(), "{o:?}");
            if o.basis().starts_with("Reg.") {
                assert!(o.basis_zh().starts_with("《中华人民共和国政府信息公开条例》"));
            }
        }
    }
}
