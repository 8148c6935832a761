//! Service (送达): how and when a notice or the decision reached its addressee.
//!
//! Periods the law counts "from receipt of the notice" run from the date of service, day 0
//! not counted (rules.md §2, §3): the fee payment period (国办函〔2020〕109号: 自收到本通知书
//! 次日起20个工作日), the third party's 15 working days (Reg. 32) and the correction period
//! (Reg. 30). Until a notice is served, the period it starts has not begun. The fold of
//! [`crate::lifecycle::Event::Served`] is in [`crate::lifecycle::Case::apply`].

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

/// How a document was served (送达方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceMethod {
    /// Handed to the addressee, who signs for it (直接送达).
    InPerson,
    /// By post; served on the day the return receipt shows (邮寄送达).
    Post,
    /// By e-mail (电子邮件送达).
    Email,
    /// Online: the addressee first opened it in the service (网上送达).
    Online,
    /// By fax (传真送达).
    Fax,
}

impl ServiceMethod {
    /// Every method.
    pub const ALL: [ServiceMethod; 5] =
        [ServiceMethod::InPerson, ServiceMethod::Post, ServiceMethod::Email, ServiceMethod::Online, ServiceMethod::Fax];

    /// The code used in storage and the API, e.g. `IN_PERSON`.
    pub fn code(self) -> &'static str {
        match self {
            ServiceMethod::InPerson => "IN_PERSON",
            ServiceMethod::Post => "POST",
            ServiceMethod::Email => "EMAIL",
            ServiceMethod::Online => "ONLINE",
            ServiceMethod::Fax => "FAX",
        }
    }

    /// The method from its code.
    pub fn from_code(code: &str) -> Option<ServiceMethod> {
        ServiceMethod::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The Chinese name printed on a proof of service.
    pub fn label_zh(self) -> &'static str {
        match self {
            ServiceMethod::InPerson => "直接送达",
            ServiceMethod::Post => "邮寄送达",
            ServiceMethod::Email => "电子邮件送达",
            ServiceMethod::Online => "网上送达",
            ServiceMethod::Fax => "传真送达",
        }
    }
}

/// Which notice of a case was served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServedNotice {
    /// The receipt acknowledgement (接收回执).
    Receipt,
    /// The correction notice (补正告知书, Reg. 30): starts the correction period.
    CorrectionNotice,
    /// The extension notice (延期答复告知书, Reg. 33).
    ExtensionNotice,
    /// A consultation letter (征求意见函, Reg. 32, 34), by its 1-based number: starts the
    /// party's 15 working days.
    ConsultationLetter {
        /// The consultation's order among the case's consultations.
        number: u32,
    },
    /// The fee notice (收费通知书, 国办函〔2020〕109号): starts the 20 working days to pay.
    FeeNotice,
    /// The decision: the reply letter or the "not handled" notice.
    Decision,
}

impl ServedNotice {
    /// Whether the notice starts a period for its addressee (rules.md §2).
    pub fn starts_period(self) -> bool {
        matches!(
            self,
            ServedNotice::CorrectionNotice | ServedNotice::ConsultationLetter { .. } | ServedNotice::FeeNotice
        )
    }

    /// The code used in the API, e.g. `FEE_NOTICE`.
    pub fn code(self) -> &'static str {
        match self {
            ServedNotice::Receipt => "RECEIPT",
            ServedNotice::CorrectionNotice => "CORRECTION_NOTICE",
            ServedNotice::ExtensionNotice => "EXTENSION_NOTICE",
            ServedNotice::ConsultationLetter { .. } => "CONSULTATION_LETTER",
            ServedNotice::FeeNotice => "FEE_NOTICE",
            ServedNotice::Decision => "DECISION",
        }
    }
}

impl fmt::Display for ServedNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServedNotice::Receipt => f.write_str("receipt acknowledgement"),
            ServedNotice::CorrectionNotice => f.write_str("correction notice"),
            ServedNotice::ExtensionNotice => f.write_str("extension notice"),
            ServedNotice::ConsultationLetter { number } => write!(f, "consultation letter number {number}"),
            ServedNotice::FeeNotice => f.write_str("fee notice"),
            ServedNotice::Decision => f.write_str("decision"),
        }
    }
}

/// One recorded service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// What was served.
    pub notice: ServedNotice,
    /// The day it reached the addressee.
    pub on: Date,
    /// How.
    pub method: ServiceMethod,
}
