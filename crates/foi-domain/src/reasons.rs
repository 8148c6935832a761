//! The structured reasons of a reply: which information is withheld on which ground
//! (Reg. 36(3), 37), and which agency holds information this agency does not (Reg. 36(5)).
//!
//! A refusal (不予公开) or a partial disclosure (部分公开) must say, for each piece of
//! information withheld, the ground and the article it rests on (Reg. 36(3): "告知申请人不予
//! 公开并说明理由"; Reg. 37: "对不予公开的部分说明理由"). The grounds are the refusal rows
//! (三)1–8 of the annual report table (国办公开办函〔2021〕30号), one ground per row, so a
//! letter's reasons and the statistics cannot disagree.

use serde::{Deserialize, Serialize};

use crate::outcome::Outcome;

/// A ground for withholding information (不予公开的理由): one per refusal row (三)1–8 of the
/// annual report table, each with the article it rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WithholdingGround {
    /// 属于国家秘密: a state secret. Reg. 14.
    StateSecret,
    /// 其他法律行政法规禁止公开: another law or administrative regulation forbids it. Reg. 14.
    ForbiddenByLaw,
    /// 危及“三安全一稳定”: would endanger national, public or economic security or social
    /// stability. Reg. 14.
    SecurityStability,
    /// 保护第三方合法权益: trade secrets, privacy and other third-party rights. Reg. 15.
    ThirdPartyRights,
    /// 属于三类内部事务信息: personnel, logistics, internal procedure. Reg. 16 ¶1.
    InternalAffairs,
    /// 属于四类过程性信息: discussion records, drafts, consultation letters, requests for
    /// instructions. Reg. 16 ¶2.
    ProcessInformation,
    /// 属于行政执法案卷: an administrative enforcement case file. Reg. 16 ¶2.
    EnforcementFile,
    /// 属于行政查询事项: an administrative query matter with its own statutory access rules.
    /// Reg. 36(7).
    AdministrativeQuery,
}

impl WithholdingGround {
    /// Every ground, in the order of the table's (三) rows.
    pub const ALL: [WithholdingGround; 8] = [
        WithholdingGround::StateSecret,
        WithholdingGround::ForbiddenByLaw,
        WithholdingGround::SecurityStability,
        WithholdingGround::ThirdPartyRights,
        WithholdingGround::InternalAffairs,
        WithholdingGround::ProcessInformation,
        WithholdingGround::EnforcementFile,
        WithholdingGround::AdministrativeQuery,
    ];

    /// The refusal row (三)n that counts a refusal on this ground alone.
    pub fn outcome(self) -> Outcome {
        match self {
            WithholdingGround::StateSecret => Outcome::WithheldStateSecret,
            WithholdingGround::ForbiddenByLaw => Outcome::WithheldByLaw,
            WithholdingGround::SecurityStability => Outcome::WithheldSecurityStability,
            WithholdingGround::ThirdPartyRights => Outcome::WithheldThirdPartyRights,
            WithholdingGround::InternalAffairs => Outcome::WithheldInternalAffairs,
            WithholdingGround::ProcessInformation => Outcome::WithheldProcessInformation,
            WithholdingGround::EnforcementFile => Outcome::WithheldEnforcementFile,
            WithholdingGround::AdministrativeQuery => Outcome::WithheldAdministrativeQuery,
        }
    }

    /// The ground a refusal row names; `None` for every outcome that is not a refusal.
    pub fn of_refusal(outcome: Outcome) -> Option<WithholdingGround> {
        WithholdingGround::ALL.into_iter().find(|g| g.outcome() == outcome)
    }

    /// The stable machine code, identical to the serde and GraphQL name, e.g. `"STATE_SECRET"`.
    pub fn code(self) -> &'static str {
        match self {
            WithholdingGround::StateSecret => "STATE_SECRET",
            WithholdingGround::ForbiddenByLaw => "FORBIDDEN_BY_LAW",
            WithholdingGround::SecurityStability => "SECURITY_STABILITY",
            WithholdingGround::ThirdPartyRights => "THIRD_PARTY_RIGHTS",
            WithholdingGround::InternalAffairs => "INTERNAL_AFFAIRS",
            WithholdingGround::ProcessInformation => "PROCESS_INFORMATION",
            WithholdingGround::EnforcementFile => "ENFORCEMENT_FILE",
            WithholdingGround::AdministrativeQuery => "ADMINISTRATIVE_QUERY",
        }
    }

    /// The article in the short English form of the domain reference, e.g. `"Reg. 16 ¶2"`
    /// (the same as the basis of its (三) row).
    pub fn article(self) -> &'static str {
        self.outcome().basis()
    }

    /// The article as printed after the title of the Regulations, e.g. `"第十六条第二款"`.
    pub fn article_zh(self) -> &'static str {
        match self {
            // Reg. 14.
            WithholdingGround::StateSecret
            | WithholdingGround::ForbiddenByLaw
            | WithholdingGround::SecurityStability => "第十四条",
            // Reg. 15.
            WithholdingGround::ThirdPartyRights => "第十五条",
            // Reg. 16 ¶1.
            WithholdingGround::InternalAffairs => "第十六条第一款",
            // Reg. 16 ¶2.
            WithholdingGround::ProcessInformation | WithholdingGround::EnforcementFile => "第十六条第二款",
            // Reg. 36(7).
            WithholdingGround::AdministrativeQuery => "第三十六条第七项",
        }
    }

    /// The ground as the letter states it, e.g. `"属于国家秘密"`.
    pub fn label_zh(self) -> &'static str {
        match self {
            WithholdingGround::StateSecret => "属于国家秘密",
            WithholdingGround::ForbiddenByLaw => "属于法律、行政法规禁止公开的信息",
            WithholdingGround::SecurityStability => "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
            WithholdingGround::ThirdPartyRights => "涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
            WithholdingGround::InternalAffairs => "属于人事管理、后勤管理、内部工作流程等方面的内部事务信息",
            WithholdingGround::ProcessInformation => "属于讨论记录、过程稿、磋商信函、请示报告等过程性信息",
            WithholdingGround::EnforcementFile => "属于行政执法案卷信息",
            WithholdingGround::AdministrativeQuery => "属于法律、行政法规对信息的获取有特别规定的行政查询事项",
        }
    }
}

/// One piece of information withheld, and why (Reg. 36(3), 37).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WithheldItem {
    /// Which information is withheld, as the letter names it (e.g. "投标人报价明细").
    pub information: String,
    /// The ground it is withheld on; its article comes with it.
    pub ground: WithholdingGround,
}

/// The agency that holds information this agency does not (Reg. 36(5): "能够确定该政府信息
/// 的公开机关的，告知申请人该行政机关的名称、联系方式").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InformationHolder {
    /// The agency's name, e.g. "游仙区自然资源局".
    pub agency: String,
    /// How to reach it: telephone, address or web site, as the letter prints it.
    pub contact: String,
}

/// The articles (第…条) cited in `text`, in order, without repeats: `"第十五条、第三十七条"`
/// gives `["第十五条", "第三十七条"]`. Paragraphs and items (款, 项) are part of their article.
pub fn articles_cited(text: &str) -> Vec<String> {
    const NUMERALS: &str = "零一二三四五六七八九十百";
    let mut found: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '第' {
            let mut j = i + 1;
            while j < chars.len() && NUMERALS.contains(chars[j]) {
                j += 1;
            }
            if j > i + 1 && j < chars.len() && chars[j] == '条' {
                let article: String = chars[i..=j].iter().collect();
                if !found.contains(&article) {
                    found.push(article);
                }
                i = j;
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_ground_per_refusal_row_with_its_rows_article() {
        for outcome in Outcome::ALL {
            let ground = WithholdingGround::of_refusal(outcome);
            assert_eq!(ground.is_some(), outcome.is_refusal(), "{outcome}");
            if let Some(g) = ground {
                assert_eq!(g.outcome(), outcome);
                assert_eq!(g.article(), outcome.basis());
                // The Chinese article is the tail of the row's full citation.
                assert!(outcome.basis_zh().ends_with(g.article_zh()), "{outcome}: {}", g.article_zh());
            }
        }
    }

    #[test]
    fn articles_are_found_in_text() {
        assert_eq!(articles_cited("依据第十五条、第三十七条及第十五条第二款"), ["第十五条", "第三十七条"]);
        assert_eq!(articles_cited("《中华人民共和国政府信息公开条例》第三十六条第四项、第五项"), ["第三十六条"]);
        assert!(articles_cited("第三季度报告；次第").is_empty());
    }

    #[test]
    fn codes_are_the_serde_names() {
        for g in WithholdingGround::ALL {
            assert_eq!(serde_json::to_string(&g).unwrap(), format!("\"{}\"", g.code()));
        }
    }
}
