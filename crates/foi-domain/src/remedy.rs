//! The remedy clause (救济途径告知) every reply and "not handled" notice must carry (rules.md §5).
//!
//! A reply without it stretches the applicant's time to challenge to one year (行政诉讼法
//! art. 46 ¶2 read with 最高人民法院《关于适用〈中华人民共和国行政诉讼法〉的解释》 art. 64), so
//! the engine never issues one without it. The clause names the reconsideration body of the
//! replying agency (configurable per agency: for a district department the district
//! government, for the district government the city government) and one of two routes:
//!
//! - [`RemedyRoute::ReconsiderationOrLitigation`]: reconsideration within 60 days of
//!   receiving the reply (行政复议法 2023 art. 20 ¶1), or a suit within 6 months
//!   (行政诉讼法 art. 46 ¶1);
//! - [`RemedyRoute::ReconsiderationFirst`]: for a refusal to disclose under Reg. 14–16, and
//!   on the cautious reading rules.md adopts for a partial disclosure whose withheld part
//!   rests on them, reconsideration must come first (行政复议法 2023 art. 23 ¶1(4)); then
//!   court within 15 days of receiving the reconsideration decision (行政诉讼法 art. 45).
//!
//! Which outcomes take which route is [`Outcome::reconsideration_first`]; this module turns
//! it into the words of the letter.

use std::fmt;

use crate::outcome::Outcome;

/// Days to apply for administrative reconsideration after receiving the reply
/// (行政复议法 2023 art. 20 ¶1).
pub const RECONSIDERATION_DAYS: u32 = 60;
/// Months to sue directly after receiving the reply (行政诉讼法 art. 46 ¶1).
pub const LITIGATION_MONTHS: u32 = 6;
/// Days to sue after receiving the reconsideration decision (行政诉讼法 art. 45).
pub const SUIT_AFTER_RECONSIDERATION_DAYS: u32 = 15;

/// How the applicant may challenge a reply (救济途径).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RemedyRoute {
    /// Reconsideration within 60 days, or a suit within 6 months: the applicant chooses.
    ReconsiderationOrLitigation,
    /// Reconsideration first (复议前置, 行政复议法 2023 art. 23 ¶1(4)); a suit only within
    /// 15 days of the reconsideration decision.
    ReconsiderationFirst,
}

impl RemedyRoute {
    /// The route for a reply with `outcome`: reconsideration first exactly where
    /// [`Outcome::reconsideration_first`] says so ((二) and (三)1–7); otherwise the
    /// applicant chooses. The (六) rows conclude without a reply; should such a closure be
    /// notified in writing, the ordinary route applies to it.
    pub fn for_outcome(outcome: Outcome) -> RemedyRoute {
        // 行政复议法 (2023) art. 23 ¶1(4): refusals to disclose go to reconsideration first.
        if outcome.reconsideration_first() {
            RemedyRoute::ReconsiderationFirst
        } else {
            RemedyRoute::ReconsiderationOrLitigation
        }
    }

    /// The stable code, e.g. `RECONSIDERATION_FIRST`.
    pub fn code(self) -> &'static str {
        match self {
            RemedyRoute::ReconsiderationOrLitigation => "RECONSIDERATION_OR_LITIGATION",
            RemedyRoute::ReconsiderationFirst => "RECONSIDERATION_FIRST",
        }
    }
}

/// The letter the clause closes, which decides how the clause refers to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Letter {
    /// The reply (政府信息公开申请答复书): "本答复".
    Reply,
    /// The "not handled as an application" notice (不予处理告知书): "本告知".
    NotHandledNotice,
}

impl Letter {
    fn noun(self) -> &'static str {
        match self {
            Letter::Reply => "本答复",
            Letter::NotHandledNotice => "本告知",
        }
    }
}

/// Why no remedy clause can be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemedyError {
    /// The agency has no reconsideration body configured.
    #[error(
        "the agency has no reconsideration body, which the remedy clause must name (rules.md §5); \
         set it for the agency (e.g. 绵阳市游仙区人民政府)"
    )]
    NoReconsiderationBody,
}

/// The remedy clause of one letter: its route and the reconsideration body it names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RemedyClause {
    /// Reconsideration or litigation, or reconsideration first.
    pub route: RemedyRoute,
    /// The body that hears a reconsideration of the replying agency (复议机关).
    pub reconsideration_body: String,
}

impl RemedyClause {
    /// The clause for a reply with `outcome` by an agency whose reconsideration body is
    /// `reconsideration_body`. An empty body is refused: the clause must name it.
    pub fn for_outcome(outcome: Outcome, reconsideration_body: &str) -> Result<RemedyClause, RemedyError> {
        let body = reconsideration_body.trim();
        if body.is_empty() {
            return Err(RemedyError::NoReconsiderationBody);
        }
        Ok(RemedyClause { route: RemedyRoute::for_outcome(outcome), reconsideration_body: body.to_owned() })
    }

    /// The clause as printed at the end of `letter`, in Chinese.
    pub fn text_zh(&self, letter: Letter) -> String {
        let body = &self.reconsideration_body;
        let noun = letter.noun();
        match self.route {
            // 行政复议法 (2023) art. 20 ¶1: 60 days; 行政诉讼法 art. 46 ¶1: 6 months.
            RemedyRoute::ReconsiderationOrLitigation => format!(
                "如对{noun}不服，可以自收到{noun}之日起六十日内向{body}申请行政复议，\
                 也可以自收到{noun}之日起六个月内依法向人民法院提起行政诉讼。"
            ),
            // 行政复议法 (2023) art. 23 ¶1(4): reconsideration first; 行政诉讼法 art. 45: 15 days.
            RemedyRoute::ReconsiderationFirst => format!(
                "如对{noun}不服，依照《中华人民共和国行政复议法》第二十三条第一款第四项的规定，\
                 应当自收到{noun}之日起六十日内先向{body}申请行政复议；对行政复议决定不服的，\
                 可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。"
            ),
        }
    }
}

impl fmt::Display for RemedyClause {
    /// The clause of a reply letter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text_zh(Letter::Reply))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RemedyRoute::{ReconsiderationFirst as First, ReconsiderationOrLitigation as Either};

    const BODY: &str = "绵阳市游仙区人民政府";

    /// The route of every one of the 21 outcomes, written out row by row (rules.md §5).
    const EXPECTED: [(Outcome, RemedyRoute); 21] = [
        (Outcome::Disclosed, Either),
        // The cautious reading: the withheld part rests on Reg. 14–16.
        (Outcome::PartlyDisclosed, First),
        (Outcome::WithheldStateSecret, First),
        (Outcome::WithheldByLaw, First),
        (Outcome::WithheldSecurityStability, First),
        (Outcome::WithheldThirdPartyRights, First),
        (Outcome::WithheldInternalAffairs, First),
        (Outcome::WithheldProcessInformation, First),
        (Outcome::WithheldEnforcementFile, First),
        // Reg. 36(7), not Reg. 14–16: the applicant chooses.
        (Outcome::WithheldAdministrativeQuery, Either),
        (Outcome::NotHeld, Either),
        (Outcome::NeedsCompilation, Either),
        (Outcome::StillUnclearAfterCorrection, Either),
        (Outcome::NotHandledPetition, Either),
        (Outcome::NotHandledRepeat, Either),
        (Outcome::NotHandledPublication, Either),
        (Outcome::NotHandledExcessive, Either),
        (Outcome::NotHandledConfirmOrReissue, Either),
        (Outcome::OtherCorrectionNotMade, Either),
        (Outcome::OtherFeeNotPaid, Either),
        (Outcome::OtherClosed, Either),
    ];

    #[test]
    fn every_outcome_has_its_route() {
        assert_eq!(EXPECTED.map(|(o, _)| o), Outcome::ALL, "the table covers the 21 rows in order");
        for (outcome, route) in EXPECTED {
            assert_eq!(RemedyRoute::for_outcome(outcome), route, "{outcome}");
            let clause = RemedyClause::for_outcome(outcome, BODY).expect("a body is configured");
            assert_eq!(clause.route, route);
            for letter in [Letter::Reply, Letter::NotHandledNotice] {
                let text = clause.text_zh(letter);
                // Every clause names the body and the 60 days (行政复议法 2023 art. 20).
                assert!(
                    text.contains(&format!("六十日内{}向{BODY}申请行政复议", if route == First { "先" } else { "" }))
                );
                match route {
                    First => {
                        assert!(text.contains("第二十三条第一款第四项"), "{outcome}: {text}");
                        assert!(text.contains("收到行政复议决定书之日起十五日内"), "{outcome}: {text}");
                        assert!(!text.contains("六个月"), "{outcome}: {text}");
                    }
                    Either => {
                        assert!(text.contains("六个月内依法向人民法院提起行政诉讼"), "{outcome}: {text}");
                        assert!(!text.contains("先向"), "{outcome}: {text}");
                        assert!(!text.contains("十五日"), "{outcome}: {text}");
                    }
                }
            }
        }
    }

    #[test]
    fn exact_wording() {
        let reply = RemedyClause::for_outcome(Outcome::Disclosed, BODY).unwrap();
        assert_eq!(
            reply.text_zh(Letter::Reply),
            "如对本答复不服，可以自收到本答复之日起六十日内向绵阳市游仙区人民政府申请行政复议，\
             也可以自收到本答复之日起六个月内依法向人民法院提起行政诉讼。"
        );
        assert_eq!(reply.to_string(), reply.text_zh(Letter::Reply));
        let refusal = RemedyClause::for_outcome(Outcome::WithheldStateSecret, " 绵阳市人民政府 ").unwrap();
        assert_eq!(refusal.reconsideration_body, "绵阳市人民政府");
        assert_eq!(
            refusal.text_zh(Letter::Reply),
            "如对本答复不服，依照《中华人民共和国行政复议法》第二十三条第一款第四项的规定，\
             应当自收到本答复之日起六十日内先向绵阳市人民政府申请行政复议；对行政复议决定不服的，\
             可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。"
        );
        let notice = RemedyClause::for_outcome(Outcome::NotHandledPetition, BODY).unwrap();
        assert!(notice.text_zh(Letter::NotHandledNotice).starts_with("如对本告知不服，可以自收到本告知之日起"));
    }

    #[test]
    fn the_body_must_be_named() {
        for body in ["", "   "] {
            assert_eq!(RemedyClause::for_outcome(Outcome::Disclosed, body), Err(RemedyError::NoReconsiderationBody));
        }
        assert!(RemedyError::NoReconsiderationBody.to_string().contains("set it for the agency"));
    }

    #[test]
    fn periods_of_the_2023_law() {
        assert_eq!((RECONSIDERATION_DAYS, LITIGATION_MONTHS, SUIT_AFTER_RECONSIDERATION_DAYS), (60, 6, 15));
        assert_eq!(First.code(), "RECONSIDERATION_FIRST");
        assert_eq!(Either.code(), "RECONSIDERATION_OR_LITIGATION");
    }
}
