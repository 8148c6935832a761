//! Who applies, how the application arrives, and how the applicant wants the information.
//!
//! The annual report counts every application in one of six applicant columns, so the kind of
//! applicant is recorded once, at registration, as one of these columns. The channel matters
//! because Reg. 31 fixes the *date of receipt* — the start of the statutory clock —
//! differently for each channel. The wanted form and delivery method are part of what an
//! application holds (Reg. 29) and what the reply must honour (Reg. 40).

use std::fmt;
use std::str::FromStr;

/// Error returned when a string names none of the values of an applicant-related enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {found:?}; use one of: {valid}")]
pub struct ParseApplicantError {
    /// What was being parsed, e.g. "applicant kind".
    pub what: &'static str,
    /// The text that was given.
    pub found: String,
    /// The accepted codes, comma-separated.
    pub valid: String,
}

/// Implements `ALL`-based `code`, `FromStr` (code or Chinese label) and `Display` (Chinese
/// label) for a fieldless enum.
macro_rules! code_enum {
    ($ty:ident, $what:literal, [$($variant:ident => $code:literal),+ $(,)?]) => {
        impl $ty {
            /// The stable machine code, identical to the serde name.
            pub fn code(self) -> &'static str {
                match self {
                    $($ty::$variant => $code,)+
                }
            }
        }

        impl FromStr for $ty {
            type Err = ParseApplicantError;

            /// Accepts the code (letter case and surrounding whitespace ignored) or the
            /// Chinese label.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $ty::ALL
                    .into_iter()
                    .find(|v| v.code().eq_ignore_ascii_case(wanted) || v.label_zh() == wanted)
                    .ok_or_else(|| ParseApplicantError {
                        what: $what,
                        found: s.to_owned(),
                        valid: $ty::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", "),
                    })
            }
        }

        impl fmt::Display for $ty {
            /// The Chinese label.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label_zh())
            }
        }
    };
}

/// The kind of applicant (申请人类型), as the columns of the annual report table count them:
/// a natural person, or a legal person / other organisation of one of five kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApplicantKind {
    /// 自然人: a natural person (citizen or other individual).
    NaturalPerson,
    /// 商业企业: a commercial enterprise.
    CommercialEnterprise,
    /// 科研机构: a research institution.
    ResearchInstitution,
    /// 社会公益组织: a social welfare (public-interest) organisation.
    SocialWelfareOrganisation,
    /// 法律服务机构: a legal service organisation, e.g. a law firm.
    LegalServiceOrganisation,
    /// 其他: any other legal person or organisation.
    OtherOrganisation,
}

impl ApplicantKind {
    /// All kinds, in the column order of the annual report table.
    pub const ALL: [ApplicantKind; 6] = [
        ApplicantKind::NaturalPerson,
        ApplicantKind::CommercialEnterprise,
        ApplicantKind::ResearchInstitution,
        ApplicantKind::SocialWelfareOrganisation,
        ApplicantKind::LegalServiceOrganisation,
        ApplicantKind::OtherOrganisation,
    ];

    /// The column heading in the annual report table, e.g. `"商业企业"`.
    pub fn label_zh(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "自然人",
            ApplicantKind::CommercialEnterprise => "商业企业",
            ApplicantKind::ResearchInstitution => "科研机构",
            ApplicantKind::SocialWelfareOrganisation => "社会公益组织",
            ApplicantKind::LegalServiceOrganisation => "法律服务机构",
            ApplicantKind::OtherOrganisation => "其他",
        }
    }

    /// The heading of the column group: `"自然人"` or `"法人或其他组织"`.
    pub fn group_zh(self) -> &'static str {
        if self.is_organisation() { "法人或其他组织" } else { "自然人" }
    }

    /// Whether the applicant is a legal person or other organisation (法人或其他组织) rather
    /// than a natural person. Organisations prove identity with a unified social credit code.
    pub fn is_organisation(self) -> bool {
        self != ApplicantKind::NaturalPerson
    }
}

code_enum!(ApplicantKind, "applicant kind", [
    NaturalPerson => "NATURAL_PERSON",
    CommercialEnterprise => "COMMERCIAL_ENTERPRISE",
    ResearchInstitution => "RESEARCH_INSTITUTION",
    SocialWelfareOrganisation => "SOCIAL_WELFARE_ORGANISATION",
    LegalServiceOrganisation => "LEGAL_SERVICE_ORGANISATION",
    OtherOrganisation => "OTHER_ORGANISATION",
]);

/// How Reg. 31 fixes the date of receipt (收到申请之日) for a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReceiptRule {
    /// The day the application is handed in (提交之日). Reg. 31(1).
    DaySubmitted,
    /// The day the agency signs for the mail item (签收之日). Reg. 31(2).
    DaySignedFor,
    /// The day the disclosure office confirms receipt with the applicant, which it must do on
    /// the day the letter arrives (确认之日). Reg. 31(2).
    DayConfirmedWithApplicant,
    /// The day both sides confirm, i.e. the day a clerk acknowledges the submission
    /// (双方确认之日). Reg. 31(3).
    DayBothConfirm,
}

impl ReceiptRule {
    /// The rule in the words of Reg. 31.
    pub fn label_zh(self) -> &'static str {
        match self {
            ReceiptRule::DaySubmitted => "以提交之日为收到申请之日",
            ReceiptRule::DaySignedFor => "以行政机关签收之日为收到申请之日",
            ReceiptRule::DayConfirmedWithApplicant => {
                "政府信息公开工作机构于收到申请的当日与申请人确认，确认之日为收到申请之日"
            }
            ReceiptRule::DayBothConfirm => "以双方确认之日为收到申请之日",
        }
    }
}

/// How an agency fixes the date of receipt of an online (or faxed) submission (rules.md §2,
/// **configurable** per agency).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OnlineReceipt {
    /// The common provincial rule (the default): received on the day it is submitted when that
    /// is a working day, else on the next working day, without waiting for a clerk; 签收 only
    /// acknowledges it. Reg. 31(3) read as the platform confirming on submission.
    #[default]
    SubmissionDay,
    /// The letter of Reg. 31(3), "以双方确认之日为收到申请之日": received on the day a clerk
    /// signs for it (签收).
    ClerkConfirmation,
}

impl OnlineReceipt {
    /// Both rules.
    pub const ALL: [OnlineReceipt; 2] = [OnlineReceipt::SubmissionDay, OnlineReceipt::ClerkConfirmation];

    /// The rule in Chinese, as an office would write it.
    pub fn label_zh(self) -> &'static str {
        match self {
            OnlineReceipt::SubmissionDay => "以提交之日为收到申请之日，非工作日提交的顺延至下一工作日",
            OnlineReceipt::ClerkConfirmation => "以双方确认（签收）之日为收到申请之日",
        }
    }

    /// The date of receipt an online submission on `submitted_on` gets at submission, or
    /// `None` when it waits for a clerk's 签收. Under [`OnlineReceipt::SubmissionDay`]: the day
    /// itself if it is a working day, else the next working day (Reg. 31(3); rules.md §2).
    /// A year without a loaded holiday notice is counted on the provisional calendar (the
    /// submission cannot be refused for want of next year's notice); those years are returned.
    pub fn date_of_receipt(
        self,
        calendar: &crate::calendar::Calendar,
        submitted_on: time::Date,
    ) -> Result<Option<(time::Date, Vec<i32>)>, crate::calendar::CalendarError> {
        match self {
            OnlineReceipt::ClerkConfirmation => Ok(None),
            OnlineReceipt::SubmissionDay => {
                let (day, provisional) = calendar.day_or_provisional(submitted_on)?;
                if day.is_working() {
                    let years = provisional.then_some(submitted_on.year());
                    return Ok(Some((submitted_on, years.into_iter().collect())));
                }
                let counted = calendar.count(submitted_on, 1)?;
                Ok(Some((counted.date, counted.provisional_years.into_iter().collect())))
            }
        }
    }
}

code_enum!(OnlineReceipt, "online receipt rule", [
    SubmissionDay => "SUBMISSION_DAY",
    ClerkConfirmation => "CLERK_CONFIRMATION",
]);

/// The channel an application arrives by (申请方式). Reg. 29 (written application; oral
/// application for those who cannot write) and Reg. 31 (date of receipt per channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Channel {
    /// 网络申请: through the online platform. Received on the day both sides confirm, i.e. the
    /// day a clerk acknowledges the submission (Reg. 31(3)).
    Online,
    /// 当面申请: handed in at the office. Received on the day it is submitted (Reg. 31(1)).
    InPerson,
    /// 信函申请 by registered mail or courier (挂号信/邮政快递), which the agency signs for.
    /// Received on the day the agency signs for it (Reg. 31(2)).
    SignedPost,
    /// 平信: ordinary letter, not signed for. Received on the day the office confirms with the
    /// applicant, which it must do on the day the letter arrives (Reg. 31(2)).
    OrdinaryLetter,
    /// 传真: fax to the disclosure office. Received on the day both sides confirm
    /// (Reg. 31(3)).
    Fax,
    /// 口头申请: oral application by someone for whom writing is truly difficult; the office
    /// fills in the form (Reg. 29). Treated as made in person: received on the day the form is
    /// filled in (Reg. 31(1) by analogy — Reg. 31 does not name oral applications).
    Oral,
}

impl Channel {
    /// All channels.
    pub const ALL: [Channel; 6] =
        [Channel::Online, Channel::InPerson, Channel::SignedPost, Channel::OrdinaryLetter, Channel::Fax, Channel::Oral];

    /// The Chinese name of the channel, e.g. `"网络申请"`.
    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Online => "网络申请",
            Channel::InPerson => "当面申请",
            Channel::SignedPost => "挂号信/邮政快递",
            Channel::OrdinaryLetter => "平信",
            Channel::Fax => "传真",
            Channel::Oral => "口头申请",
        }
    }

    /// How the date of receipt is fixed for this channel (Reg. 31).
    pub fn receipt_rule(self) -> ReceiptRule {
        match self {
            // Reg. 31(1); oral applications by analogy with in-person submission.
            Channel::InPerson | Channel::Oral => ReceiptRule::DaySubmitted,
            // Reg. 31(2), first clause.
            Channel::SignedPost => ReceiptRule::DaySignedFor,
            // Reg. 31(2), second clause.
            Channel::OrdinaryLetter => ReceiptRule::DayConfirmedWithApplicant,
            // Reg. 31(3).
            Channel::Online | Channel::Fax => ReceiptRule::DayBothConfirm,
        }
    }

    /// The date-of-receipt rule for this channel in the words of Reg. 31 (收到申请之日的确定).
    pub fn receipt_rule_zh(self) -> &'static str {
        self.receipt_rule().label_zh()
    }

    /// Whether the office writes the application down for the applicant (代为填写), Reg. 29.
    pub fn is_filled_in_by_office(self) -> bool {
        self == Channel::Oral
    }
}

code_enum!(Channel, "channel", [
    Online => "ONLINE",
    InPerson => "IN_PERSON",
    SignedPost => "SIGNED_POST",
    OrdinaryLetter => "ORDINARY_LETTER",
    Fax => "FAX",
    Oral => "ORAL",
]);

/// The form in which the applicant wants the information (所需信息的提供形式), Reg. 29(3);
/// the agency follows it where it can (Reg. 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FormWanted {
    /// 纸质文本: paper copies.
    Paper,
    /// 电子邮件: by e-mail.
    Email,
    /// 电子数据: an electronic copy on a disc or other medium (光盘、磁盘等).
    ElectronicCopy,
    /// 查阅、抄录: inspection and copying by hand on site (Reg. 40).
    Inspection,
}

impl FormWanted {
    /// All forms.
    pub const ALL: [FormWanted; 4] =
        [FormWanted::Paper, FormWanted::Email, FormWanted::ElectronicCopy, FormWanted::Inspection];

    /// The Chinese name of the form, e.g. `"纸质文本"`.
    pub fn label_zh(self) -> &'static str {
        match self {
            FormWanted::Paper => "纸质文本",
            FormWanted::Email => "电子邮件",
            FormWanted::ElectronicCopy => "电子数据",
            FormWanted::Inspection => "查阅、抄录",
        }
    }
}

code_enum!(FormWanted, "form wanted", [
    Paper => "PAPER",
    Email => "EMAIL",
    ElectronicCopy => "ELECTRONIC_COPY",
    Inspection => "INSPECTION",
]);

/// How the applicant wants to receive the information (获取信息的方式), Reg. 29(3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryMethod {
    /// 自行领取: collected at the office.
    Collect,
    /// 邮寄: sent by post.
    Post,
    /// 电子邮件: sent by e-mail.
    Email,
    /// 网上下载: downloaded from the online platform.
    OnlineDownload,
}

impl DeliveryMethod {
    /// All delivery methods.
    pub const ALL: [DeliveryMethod; 4] =
        [DeliveryMethod::Collect, DeliveryMethod::Post, DeliveryMethod::Email, DeliveryMethod::OnlineDownload];

    /// The Chinese name of the method, e.g. `"邮寄"`.
    pub fn label_zh(self) -> &'static str {
        match self {
            DeliveryMethod::Collect => "自行领取",
            DeliveryMethod::Post => "邮寄",
            DeliveryMethod::Email => "电子邮件",
            DeliveryMethod::OnlineDownload => "网上下载",
        }
    }
}

code_enum!(DeliveryMethod, "delivery method", [
    Collect => "COLLECT",
    Post => "POST",
    Email => "EMAIL",
    OnlineDownload => "ONLINE_DOWNLOAD",
]);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Checks code/label/serde round trips for one enum.
    fn round_trips<T>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str)
    where
        T: Copy
            + PartialEq
            + std::fmt::Debug
            + FromStr<Err = ParseApplicantError>
            + serde::Serialize
            + serde::de::DeserializeOwned
            + fmt::Display,
    {
        let codes: HashSet<_> = all.iter().map(|v| code(*v)).collect();
        let labels: HashSet<_> = all.iter().map(|v| label(*v)).collect();
        assert_eq!(codes.len(), all.len(), "codes must be distinct");
        assert_eq!(labels.len(), all.len(), "labels must be distinct");
        for &v in all {
            assert_eq!(code(v).parse::<T>(), Ok(v));
            assert_eq!(code(v).to_lowercase().parse::<T>(), Ok(v));
            assert_eq!(label(v).parse::<T>(), Ok(v));
            assert_eq!(v.to_string().parse::<T>(), Ok(v));
            let json = serde_json::to_string(&v).expect("serialise");
            assert_eq!(json, format!("\"{}\"", code(v)));
            assert_eq!(serde_json::from_str::<T>(&json).expect("deserialise"), v);
        }
    }

    #[test]
    fn applicant_kinds() {
        round_trips(&ApplicantKind::ALL, ApplicantKind::code, ApplicantKind::label_zh);
        assert_eq!(ApplicantKind::NaturalPerson.label_zh(), "自然人");
        assert_eq!(ApplicantKind::OtherOrganisation.label_zh(), "其他");
        assert!(!ApplicantKind::NaturalPerson.is_organisation());
        assert_eq!(ApplicantKind::ALL.iter().filter(|k| k.is_organisation()).count(), 5);
        assert_eq!(ApplicantKind::LegalServiceOrganisation.group_zh(), "法人或其他组织");
        assert_eq!(
            serde_json::to_string(&ApplicantKind::SocialWelfareOrganisation).unwrap_or_default(),
            "\"SOCIAL_WELFARE_ORGANISATION\""
        );
    }

    #[test]
    fn channels_and_receipt_rules() {
        round_trips(&Channel::ALL, Channel::code, Channel::label_zh);
        assert_eq!(Channel::InPerson.receipt_rule(), ReceiptRule::DaySubmitted);
        assert_eq!(Channel::SignedPost.receipt_rule(), ReceiptRule::DaySignedFor);
        assert_eq!(Channel::OrdinaryLetter.receipt_rule(), ReceiptRule::DayConfirmedWithApplicant);
        assert_eq!(Channel::Online.receipt_rule(), ReceiptRule::DayBothConfirm);
        assert_eq!(Channel::Fax.receipt_rule(), ReceiptRule::DayBothConfirm);
        assert_eq!(Channel::Oral.receipt_rule(), ReceiptRule::DaySubmitted);
        assert_eq!(Channel::SignedPost.receipt_rule_zh(), "以行政机关签收之日为收到申请之日");
        assert!(Channel::Oral.is_filled_in_by_office());
        assert!(!Channel::Fax.is_filled_in_by_office());
    }

    #[test]
    fn forms_and_delivery() {
        round_trips(&FormWanted::ALL, FormWanted::code, FormWanted::label_zh);
        round_trips(&DeliveryMethod::ALL, DeliveryMethod::code, DeliveryMethod::label_zh);
        assert_eq!("email".parse::<FormWanted>(), Ok(FormWanted::Email));
        assert_eq!("网上下载".parse::<DeliveryMethod>(), Ok(DeliveryMethod::OnlineDownload));
    }

    #[test]
    fn unknown_values_name_the_valid_ones() {
        let err = "CARRIER_PIGEON".parse::<Channel>().unwrap_err();
        assert_eq!(err.what, "channel");
        let msg = err.to_string();
        assert!(msg.starts_with("unknown channel \"CARRIER_PIGEON\""), "{msg}");
        assert!(msg.contains("SIGNED_POST"), "{msg}");
        assert!("".parse::<ApplicantKind>().is_err());
        assert!(serde_json::from_str::<DeliveryMethod>("\"FAX\"").is_err());
    }
}
