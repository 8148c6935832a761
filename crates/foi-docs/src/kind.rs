//! The kinds of document a case produces (rules.md §5): the reply letter and the notices
//! beside it, each with its title, its template, and the marker of its number.

use std::fmt;
use std::str::FromStr;

/// A kind of document issued in a case (文书种类).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentKind {
    /// 政府信息公开申请接收回执: acknowledges the application and its date of receipt
    /// (Reg. 31), which starts the 20 working days (Reg. 33).
    Receipt,
    /// 补正告知书: the one correction notice listing everything to fix (Reg. 30).
    CorrectionNotice,
    /// 延期答复告知书: the reply limit is extended (Reg. 33 ¶1).
    ExtensionNotice,
    /// 征求意见函: the letter to a third party (Reg. 32) or co-producing agency (Reg. 34).
    ConsultationLetter,
    /// 信息处理费收费通知书: the information-processing fee (Reg. 42).
    FeeNotice,
    /// 不予处理告知书: the request is not handled as an application (Reg. 35, 36(6), 39).
    NotHandledNotice,
    /// 政府信息公开申请答复书: the reply (Reg. 36–38, 40) with its remedy clause.
    Reply,
    /// 送达回证: the proof of service of one document that must be served, printed to go
    /// with it and filed once signed (what the office shows a reconsideration body). Printed
    /// on demand, not issued: it has no number of its own and refers to the served
    /// document's.
    ProofOfService,
    /// 政府信息公开申请办理呈批表: the internal approval sheet of the draft decision, with
    /// 承办人 / 审核人 / 签发人. Printed on demand for the file, not issued; for the officers
    /// handling the case only.
    ApprovalSheet,
    /// 政府信息公开申请表: the application form of Reg. 29, blank for applicants who apply in
    /// person or by post, or filled with a case's particulars for an applicant who applied
    /// orally to check and sign (Reg. 29 ¶2: 由行政机关代为填写). Printed on demand, not issued.
    ApplicationForm,
}

/// Error returned when a string is not one of the document kind codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown document kind {found:?}; use one of: RECEIPT, CORRECTION_NOTICE, EXTENSION_NOTICE, CONSULTATION_LETTER, FEE_NOTICE, NOT_HANDLED_NOTICE, REPLY, PROOF_OF_SERVICE, APPROVAL_SHEET, APPLICATION_FORM"
)]
pub struct ParseKindError {
    /// The text that was given.
    pub found: String,
}

impl DocumentKind {
    /// Every kind, in the order they usually arise in a case.
    pub const ALL: [DocumentKind; 10] = [
        DocumentKind::Receipt,
        DocumentKind::CorrectionNotice,
        DocumentKind::ExtensionNotice,
        DocumentKind::ConsultationLetter,
        DocumentKind::FeeNotice,
        DocumentKind::NotHandledNotice,
        DocumentKind::Reply,
        DocumentKind::ProofOfService,
        DocumentKind::ApprovalSheet,
        DocumentKind::ApplicationForm,
    ];

    /// The kinds that are issued (numbered, stored unchanged, served): every kind but the
    /// two printed on demand ([`DocumentKind::is_issued`]).
    pub const ISSUED: [DocumentKind; 7] = [
        DocumentKind::Receipt,
        DocumentKind::CorrectionNotice,
        DocumentKind::ExtensionNotice,
        DocumentKind::ConsultationLetter,
        DocumentKind::FeeNotice,
        DocumentKind::NotHandledNotice,
        DocumentKind::Reply,
    ];

    /// Whether the document is issued: numbered from its own sequence, stored unchanged and
    /// served on its addressee. The proof of service and the approval sheet are not: they
    /// are printed on demand for the file (`previewDocument`), never numbered or stored.
    pub fn is_issued(self) -> bool {
        !matches!(self, DocumentKind::ProofOfService | DocumentKind::ApprovalSheet | DocumentKind::ApplicationForm)
    }

    /// The stable code, stored in `documents.kind` and used as the name of the kind's yearly
    /// number sequence, e.g. `CORRECTION_NOTICE`.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "RECEIPT",
            DocumentKind::CorrectionNotice => "CORRECTION_NOTICE",
            DocumentKind::ExtensionNotice => "EXTENSION_NOTICE",
            DocumentKind::ConsultationLetter => "CONSULTATION_LETTER",
            DocumentKind::FeeNotice => "FEE_NOTICE",
            DocumentKind::NotHandledNotice => "NOT_HANDLED_NOTICE",
            DocumentKind::Reply => "REPLY",
            DocumentKind::ProofOfService => "PROOF_OF_SERVICE",
            DocumentKind::ApprovalSheet => "APPROVAL_SHEET",
            DocumentKind::ApplicationForm => "APPLICATION_FORM",
        }
    }

    /// The kind with this code.
    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The title printed on the document, e.g. `政府信息公开申请答复书`. A consultation
    /// letter's title also depends on whom it goes to (see [`crate::facts`]).
    pub fn title_zh(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "政府信息公开申请接收回执",
            DocumentKind::CorrectionNotice => "政府信息公开申请补正告知书",
            DocumentKind::ExtensionNotice => "政府信息公开申请延期答复告知书",
            DocumentKind::ConsultationLetter => "政府信息公开征求意见函",
            DocumentKind::FeeNotice => "政府信息公开信息处理费收费通知书",
            DocumentKind::NotHandledNotice => "政府信息公开申请不予处理告知书",
            DocumentKind::Reply => "政府信息公开申请答复书",
            DocumentKind::ProofOfService => "送达回证",
            DocumentKind::ApprovalSheet => "政府信息公开申请办理呈批表",
            DocumentKind::ApplicationForm => "政府信息公开申请表",
        }
    }

    /// The character that marks the kind in its document number, in place of the 申 of the
    /// agency's case prefix: 游府信申 → `游府信收〔2026〕1号` (receipt), `游府信补` (correction),
    /// `游府信延` (extension), `游府信征` (consultation), `游府信费` (fee), `游府信告`
    /// (not handled), `游府信答` (reply). The two kinds printed on demand are never numbered;
    /// their markers (`证`, `批`) only keep the markers distinct.
    pub fn marker(self) -> char {
        match self {
            DocumentKind::Receipt => '收',
            DocumentKind::CorrectionNotice => '补',
            DocumentKind::ExtensionNotice => '延',
            DocumentKind::ConsultationLetter => '征',
            DocumentKind::FeeNotice => '费',
            DocumentKind::NotHandledNotice => '告',
            DocumentKind::Reply => '答',
            DocumentKind::ProofOfService => '证',
            DocumentKind::ApprovalSheet => '批',
            DocumentKind::ApplicationForm => '表',
        }
    }

    /// The template's file name, e.g. `reply.html`: the built-in one, and the name of a
    /// per-agency override (`$FOI_TEMPLATE_DIR/<agency code>/reply.html`).
    pub fn template_name(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "receipt.html",
            DocumentKind::CorrectionNotice => "correction_notice.html",
            DocumentKind::ExtensionNotice => "extension_notice.html",
            DocumentKind::ConsultationLetter => "consultation_letter.html",
            DocumentKind::FeeNotice => "fee_notice.html",
            DocumentKind::NotHandledNotice => "not_handled_notice.html",
            DocumentKind::Reply => "reply.html",
            DocumentKind::ProofOfService => "proof_of_service.html",
            DocumentKind::ApprovalSheet => "approval_sheet.html",
            DocumentKind::ApplicationForm => "application_form.html",
        }
    }

    /// Whether the document is addressed to the applicant, who may then read it. The
    /// consultation letter goes to the third party or agency consulted; the applicant does
    /// not see it. The proof of service and the approval sheet are the office's file copies
    /// (they carry the applicant's address, the officers' names): staff of the case only.
    pub fn addressed_to_applicant(self) -> bool {
        !matches!(
            self,
            DocumentKind::ConsultationLetter
                | DocumentKind::ProofOfService
                | DocumentKind::ApprovalSheet
                | DocumentKind::ApplicationForm
        )
    }

    /// The document that records the decision of `case`, which must be issued (and not voided)
    /// before the file is archived (归档): the "not handled" notice for an outcome of table 三
    /// row (五), the reply letter for every other reply. `None` where the law asks for no
    /// decision letter: a case closed without a reply (withdrawn, correction not made, fee not
    /// paid, rows (六)) ends by the applicant's act or silence, and rules.md §5 lists no
    /// notice for it; and a case that has not concluded.
    pub fn deciding(case: &foi_domain::lifecycle::Case) -> Option<DocumentKind> {
        use foi_domain::lifecycle::Stage;
        use foi_domain::outcome::OutcomeGroup;
        let outcome = case.outcome.filter(|o| o.is_reply_outcome())?;
        match case.stage {
            Stage::Replied | Stage::Archived if outcome.group() == OutcomeGroup::NotHandled => {
                Some(DocumentKind::NotHandledNotice)
            }
            Stage::Replied | Stage::Archived => Some(DocumentKind::Reply),
            _ => None,
        }
    }

    /// Which notice of the case serving this document serves (送达, rules.md §2); a
    /// consultation letter needs its consultation's number. Every issued kind is addressed to
    /// a party who must receive it; the two kinds printed on demand are not served.
    pub fn served_notice(self, consultation: Option<u32>) -> Option<foi_domain::service::ServedNotice> {
        use foi_domain::service::ServedNotice;
        Some(match self {
            DocumentKind::Receipt => ServedNotice::Receipt,
            DocumentKind::CorrectionNotice => ServedNotice::CorrectionNotice,
            DocumentKind::ExtensionNotice => ServedNotice::ExtensionNotice,
            DocumentKind::ConsultationLetter => ServedNotice::ConsultationLetter { number: consultation? },
            DocumentKind::FeeNotice => ServedNotice::FeeNotice,
            DocumentKind::NotHandledNotice | DocumentKind::Reply => ServedNotice::Decision,
            DocumentKind::ProofOfService | DocumentKind::ApprovalSheet | DocumentKind::ApplicationForm => return None,
        })
    }

    /// Whether the document decides the application and so must carry the remedy clause
    /// (rules.md §5): the reply and the "not handled" notice.
    pub fn needs_remedy_clause(self) -> bool {
        matches!(self, DocumentKind::Reply | DocumentKind::NotHandledNotice)
    }
}

impl FromStr for DocumentKind {
    type Err = ParseKindError;

    /// Parses a code such as `REPLY`; surrounding whitespace and letter case are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ParseKindError { found: s.to_owned() })
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_markers_and_templates_are_distinct() {
        let codes: HashSet<_> = DocumentKind::ALL.iter().map(|k| k.code()).collect();
        let markers: HashSet<_> = DocumentKind::ALL.iter().map(|k| k.marker()).collect();
        let templates: HashSet<_> = DocumentKind::ALL.iter().map(|k| k.template_name()).collect();
        assert_eq!((codes.len(), markers.len(), templates.len()), (10, 10, 10));
        assert!(!markers.contains(&'申'), "申 marks case numbers");
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_code(kind.code()), Some(kind));
            assert_eq!(kind.code().to_lowercase().parse::<DocumentKind>(), Ok(kind));
            assert_eq!(serde_json::to_string(&kind).ok(), Some(format!("\"{}\"", kind.code())));
            assert_eq!(kind.template_name(), format!("{}.html", kind.code().to_lowercase()));
        }
        assert!("LETTER".parse::<DocumentKind>().unwrap_err().to_string().contains("REPLY"));
    }

    #[test]
    fn the_deciding_document_of_each_ending() {
        use foi_domain::applicant::Channel;
        use foi_domain::calendar::Calendar;
        use foi_domain::lifecycle::{AgencyRules, Case, Context, Event, NotHandledReason};
        use foi_domain::outcome::Outcome;
        use time::macros::date;
        let (calendar, rules) = (Calendar::bundled(), AgencyRules::default());
        let ending = |last: Event| {
            let on = date!(2026 - 10 - 09);
            let events = [
                Event::Received { on, channel: Channel::InPerson },
                Event::Registered { on, case_number: "游府信申〔2026〕1号".into() },
                last,
            ];
            DocumentKind::deciding(&Case::replay(&events, Context { calendar: &calendar, rules: &rules }).unwrap())
        };
        let on = date!(2026 - 10 - 12);
        let replied = Event::reply(on, Outcome::Disclosed);
        assert_eq!(ending(replied), Some(DocumentKind::Reply));
        let petition = Event::NotHandled { on, reason: NotHandledReason::Petition, explanation: "信访事项".into() };
        assert_eq!(ending(petition), Some(DocumentKind::NotHandledNotice));
        assert_eq!(ending(Event::Withdrawn { on }), None);
        assert_eq!(ending(Event::Accepted { on }), None, "not concluded");
    }

    #[test]
    fn who_reads_and_what_carries_the_remedy_clause() {
        let remedy: Vec<_> = DocumentKind::ALL.into_iter().filter(|k| k.needs_remedy_clause()).collect();
        assert_eq!(remedy, [DocumentKind::NotHandledNotice, DocumentKind::Reply]);
        let not_applicant: Vec<_> = DocumentKind::ALL.into_iter().filter(|k| !k.addressed_to_applicant()).collect();
        assert_eq!(
            not_applicant,
            [
                DocumentKind::ConsultationLetter,
                DocumentKind::ProofOfService,
                DocumentKind::ApprovalSheet,
                DocumentKind::ApplicationForm
            ]
        );
        let issued: Vec<_> = DocumentKind::ALL.into_iter().filter(|k| k.is_issued()).collect();
        assert_eq!(issued, DocumentKind::ISSUED);
        for kind in DocumentKind::ALL {
            assert_eq!(kind.served_notice(Some(1)).is_some(), kind.is_issued(), "{kind}");
        }
    }
}
