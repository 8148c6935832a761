//! Challenges to a reply: administrative reconsideration (行政复议) and litigation (行政诉讼),
//! counted in table 四 of the annual report (rules.md §4, §5).
//!
//! A challenge is recorded against a case concluded by a reply, and later its result. The
//! rules checked here are the order of things the law implies: nothing is challenged before
//! the reply (行政复议法 2023 art. 20: within 60 days of learning of the act), a suit after
//! reconsideration follows a decided reconsideration (行政诉讼法 art. 45: within 15 days of
//! the decision), and a result is decided on or after the day the challenge was filed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

/// The three kinds of challenge, the three column groups of table 四.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChallengeKind {
    /// 行政复议: reconsideration.
    Reconsideration,
    /// 行政诉讼 · 未经复议直接起诉: a suit filed without reconsideration.
    SuitDirect,
    /// 行政诉讼 · 复议后起诉: a suit after reconsideration.
    SuitAfterReconsideration,
}

/// The result of a challenge, the columns within each group of table 四.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChallengeResult {
    /// 结果维持: the reply was upheld.
    Upheld,
    /// 结果纠正: the reply was corrected (revoked, changed, ordered redone, found unlawful).
    Corrected,
    /// 其他结果: any other end (withdrawn, dismissed on procedure, settled).
    Other,
    /// 尚未审结: not yet decided.
    Pending,
}

impl ChallengeKind {
    /// Every kind, in the order of table 四.
    pub const ALL: [ChallengeKind; 3] =
        [ChallengeKind::Reconsideration, ChallengeKind::SuitDirect, ChallengeKind::SuitAfterReconsideration];

    /// The stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            ChallengeKind::Reconsideration => "RECONSIDERATION",
            ChallengeKind::SuitDirect => "SUIT_DIRECT",
            ChallengeKind::SuitAfterReconsideration => "SUIT_AFTER_RECONSIDERATION",
        }
    }

    /// The heading in table 四.
    pub fn label_zh(self) -> &'static str {
        match self {
            ChallengeKind::Reconsideration => "行政复议",
            ChallengeKind::SuitDirect => "未经复议直接起诉",
            ChallengeKind::SuitAfterReconsideration => "复议后起诉",
        }
    }
}

impl ChallengeResult {
    /// Every result, in the order of table 四 (the total follows them there).
    pub const ALL: [ChallengeResult; 4] =
        [ChallengeResult::Upheld, ChallengeResult::Corrected, ChallengeResult::Other, ChallengeResult::Pending];

    /// The stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            ChallengeResult::Upheld => "UPHELD",
            ChallengeResult::Corrected => "CORRECTED",
            ChallengeResult::Other => "OTHER",
            ChallengeResult::Pending => "PENDING",
        }
    }

    /// The heading in table 四.
    pub fn label_zh(self) -> &'static str {
        match self {
            ChallengeResult::Upheld => "结果维持",
            ChallengeResult::Corrected => "结果纠正",
            ChallengeResult::Other => "其他结果",
            ChallengeResult::Pending => "尚未审结",
        }
    }
}

/// A code that names no kind or result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown challenge code {found:?}")]
pub struct ParseChallengeError {
    /// The text given.
    pub found: String,
}

macro_rules! from_code {
    ($ty:ty) => {
        impl FromStr for $ty {
            type Err = ParseChallengeError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty>::ALL
                    .into_iter()
                    .find(|k| k.code().eq_ignore_ascii_case(s.trim()))
                    .ok_or_else(|| ParseChallengeError { found: s.to_owned() })
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
from_code!(ChallengeKind);
from_code!(ChallengeResult);

/// A challenge as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Challenge {
    /// Reconsideration or which suit.
    pub kind: ChallengeKind,
    /// The day it was filed (申请复议 / 起诉).
    pub filed_on: Date,
    /// The result so far.
    pub result: ChallengeResult,
    /// The day of the decision or judgment; `None` exactly while pending.
    pub decided_on: Option<Date>,
}

/// Why a challenge or its result cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// Only a reply can be challenged, once it has been given.
    #[error("only a case concluded by a reply can be challenged; this one has no reply")]
    NoReply,
    /// Filed before the reply it challenges.
    #[error("the challenge is dated {filed_on}, before the reply of {replied_on}")]
    BeforeReply {
        /// The filing date.
        filed_on: Date,
        /// The reply date.
        replied_on: Date,
    },
    /// A suit after reconsideration needs a decided reconsideration to follow.
    #[error("a suit after reconsideration needs the reconsideration recorded and decided first")]
    NoDecidedReconsideration,
    /// Filed before the reconsideration decision it follows.
    #[error("the suit is dated {filed_on}, before the reconsideration decision of {decided_on}")]
    BeforeReconsiderationDecision {
        /// The filing date.
        filed_on: Date,
        /// The reconsideration decision date.
        decided_on: Date,
    },
    /// A decision date goes with a result, and a pending challenge has none.
    #[error("a decided result needs its decision date, and a pending one must not have one")]
    DecisionDate,
    /// Decided before it was filed.
    #[error("the decision of {decided_on} is before the filing of {filed_on}")]
    DecidedBeforeFiled {
        /// The filing date.
        filed_on: Date,
        /// The decision date.
        decided_on: Date,
    },
    /// Already recorded: one challenge of each kind per reply.
    #[error("a {0} challenge is already recorded for this case")]
    Duplicate(ChallengeKind),
}

/// Checks a new challenge against the reply date of the case (`None` if the case was not
/// concluded by a reply) and the challenges already recorded for it.
pub fn check_new(
    challenge: &Challenge,
    replied_on: Option<Date>,
    existing: &[Challenge],
) -> Result<(), ChallengeError> {
    let replied_on = replied_on.ok_or(ChallengeError::NoReply)?;
    if challenge.filed_on < replied_on {
        return Err(ChallengeError::BeforeReply { filed_on: challenge.filed_on, replied_on });
    }
    if existing.iter().any(|c| c.kind == challenge.kind) {
        return Err(ChallengeError::Duplicate(challenge.kind));
    }
    if challenge.kind == ChallengeKind::SuitAfterReconsideration {
        // 行政诉讼法 art. 45: the suit follows the reconsideration decision.
        let decided = existing
            .iter()
            .find(|c| c.kind == ChallengeKind::Reconsideration)
            .and_then(|c| c.decided_on)
            .ok_or(ChallengeError::NoDecidedReconsideration)?;
        if challenge.filed_on < decided {
            return Err(ChallengeError::BeforeReconsiderationDecision {
                filed_on: challenge.filed_on,
                decided_on: decided,
            });
        }
    }
    check_result(challenge)
}

/// Checks that the result and its decision date agree and follow the filing.
pub fn check_result(challenge: &Challenge) -> Result<(), ChallengeError> {
    match (challenge.result, challenge.decided_on) {
        (ChallengeResult::Pending, None) => Ok(()),
        (ChallengeResult::Pending, Some(_)) | (_, None) => Err(ChallengeError::DecisionDate),
        (_, Some(decided_on)) if decided_on < challenge.filed_on => {
            Err(ChallengeError::DecidedBeforeFiled { filed_on: challenge.filed_on, decided_on })
        }
        _ => Ok(()),
    }
}

/// The result of `challenge` as of the end of `day`: its result if decided by then,
/// otherwise pending. Table 四 of a period shows results as of the period's last day.
pub fn result_as_of(challenge: &Challenge, day: Date) -> ChallengeResult {
    match challenge.decided_on {
        Some(d) if d <= day => challenge.result,
        _ => ChallengeResult::Pending,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn reconsideration(result: ChallengeResult, decided_on: Option<Date>) -> Challenge {
        Challenge { kind: ChallengeKind::Reconsideration, filed_on: date!(2026 - 03 - 02), result, decided_on }
    }

    #[test]
    fn a_reconsideration_follows_the_reply() {
        let ok = reconsideration(ChallengeResult::Pending, None);
        assert_eq!(check_new(&ok, Some(date!(2026 - 02 - 27)), &[]), Ok(()));
        assert_eq!(check_new(&ok, None, &[]), Err(ChallengeError::NoReply));
        assert!(matches!(check_new(&ok, Some(date!(2026 - 03 - 03)), &[]), Err(ChallengeError::BeforeReply { .. })));
        assert_eq!(check_new(&ok, Some(date!(2026 - 02 - 27)), &[ok]), Err(ChallengeError::Duplicate(ok.kind)));
    }

    #[test]
    fn a_suit_after_reconsideration_follows_its_decision() {
        let suit = Challenge {
            kind: ChallengeKind::SuitAfterReconsideration,
            filed_on: date!(2026 - 05 - 06),
            result: ChallengeResult::Pending,
            decided_on: None,
        };
        let replied = Some(date!(2026 - 02 - 27));
        let pending = reconsideration(ChallengeResult::Pending, None);
        assert_eq!(check_new(&suit, replied, &[pending]), Err(ChallengeError::NoDecidedReconsideration));
        let decided_late = reconsideration(ChallengeResult::Upheld, Some(date!(2026 - 05 - 07)));
        assert!(matches!(
            check_new(&suit, replied, &[decided_late]),
            Err(ChallengeError::BeforeReconsiderationDecision { .. })
        ));
        let decided = reconsideration(ChallengeResult::Upheld, Some(date!(2026 - 04 - 30)));
        assert_eq!(check_new(&suit, replied, &[decided]), Ok(()));
    }

    #[test]
    fn results_and_decision_dates_go_together() {
        assert_eq!(check_result(&reconsideration(ChallengeResult::Upheld, None)), Err(ChallengeError::DecisionDate));
        assert_eq!(
            check_result(&reconsideration(ChallengeResult::Pending, Some(date!(2026 - 04 - 30)))),
            Err(ChallengeError::DecisionDate)
        );
        assert!(matches!(
            check_result(&reconsideration(ChallengeResult::Corrected, Some(date!(2026 - 03 - 01)))),
            Err(ChallengeError::DecidedBeforeFiled { .. })
        ));
        let decided = reconsideration(ChallengeResult::Corrected, Some(date!(2026 - 04 - 30)));
        assert_eq!(result_as_of(&decided, date!(2026 - 04 - 29)), ChallengeResult::Pending);
        assert_eq!(result_as_of(&decided, date!(2026 - 04 - 30)), ChallengeResult::Corrected);
    }

    #[test]
    fn codes_round_trip() {
        for kind in ChallengeKind::ALL {
            assert_eq!(kind.code().parse::<ChallengeKind>(), Ok(kind));
        }
        for result in ChallengeResult::ALL {
            assert_eq!(result.code().to_lowercase().parse::<ChallengeResult>(), Ok(result));
        }
        assert!("APPEAL".parse::<ChallengeKind>().is_err());
    }
}
