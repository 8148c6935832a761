//! The fixed Chinese wording of the letters: what the agency found for each outcome, on
//! which article, and how the information is provided (Reg. 40). Kept apart from the
//! templates so that every agency's letters state the law the same way, and tested.

use foi_domain::applicant::{DeliveryMethod, FormWanted};
use foi_domain::outcome::Outcome;

/// The finding of a reply or "not handled" notice with `outcome`, in the letter's words.
/// `None` for the (六) rows, which conclude a case without a letter.
pub fn finding_zh(outcome: Outcome) -> Option<&'static str> {
    let text = match outcome {
        // Reg. 36(1)(2).
        Outcome::Disclosed => "经审查，您申请获取的政府信息属于公开范围，本机关予以公开。",
        // Reg. 37.
        Outcome::PartlyDisclosed => {
            "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。本机关对可以公开的部分予以公开，对不予公开的部分说明理由。"
        }
        // Reg. 14.
        Outcome::WithheldStateSecret => "经审查，您申请获取的政府信息属于国家秘密，本机关不予公开。",
        Outcome::WithheldByLaw => "经审查，您申请获取的政府信息属于法律、行政法规禁止公开的信息，本机关不予公开。",
        Outcome::WithheldSecurityStability => {
            "经审查，您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关不予公开。"
        }
        // Reg. 15.
        Outcome::WithheldThirdPartyRights => {
            "经审查，您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害，本机关不予公开。"
        }
        // Reg. 16 ¶1.
        Outcome::WithheldInternalAffairs => {
            "经审查，您申请获取的信息属于人事管理、后勤管理、内部工作流程等方面的内部事务信息，本机关不予公开。"
        }
        // Reg. 16 ¶2.
        Outcome::WithheldProcessInformation => {
            "经审查，您申请获取的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息，本机关不予公开。"
        }
        Outcome::WithheldEnforcementFile => "经审查，您申请获取的信息属于行政执法案卷信息，本机关不予公开。",
        // Reg. 36(7).
        Outcome::WithheldAdministrativeQuery => {
            "经审查，您申请获取的信息属于有关法律、行政法规对信息的获取有特别规定的行政查询事项，请依照有关法律、行政法规的规定办理。"
        }
        // Reg. 36(4)(5).
        Outcome::NotHeld => {
            "经检索查找，本机关未制作、获取您申请获取的政府信息，或者该政府信息不属于本机关负责公开，本机关无法提供。"
        }
        // Reg. 38.
        Outcome::NeedsCompilation => {
            "经审查，您申请获取的信息需要本机关对现有政府信息进行加工、分析后另行制作，本机关不予提供。"
        }
        // Reg. 30.
        Outcome::StillUnclearAfterCorrection => "经审查，您补正后的申请内容仍不明确，本机关无法提供。",
        // Reg. 39 ¶1.
        Outcome::NotHandledPetition => {
            "经审查，您提出的申请实为信访、投诉、举报事项，本机关不作为政府信息公开申请处理，请依照有关法律、行政法规的规定办理。"
        }
        // Reg. 36(6).
        Outcome::NotHandledRepeat => "经审查，您提出的申请属于重复申请，本机关已就同一内容作出答复，不予重复处理。",
        // Reg. 39 ¶2.
        Outcome::NotHandledPublication => {
            "经审查，您申请获取的信息属于公开出版物，请通过相关公开渠道获取，本机关不作为政府信息公开申请处理。"
        }
        // Reg. 35.
        Outcome::NotHandledExcessive => {
            "经审查，您的申请数量、频次明显超过合理范围，且未能说明正当理由，本机关不予处理。"
        }
        Outcome::NotHandledConfirmOrReissue => {
            "经审查，您的申请系要求本机关确认或者重新出具已获取的信息，本机关不作为政府信息公开申请处理。"
        }
        Outcome::OtherCorrectionNotMade | Outcome::OtherFeeNotPaid | Outcome::OtherClosed => return None,
    };
    Some(text)
}

/// How the information is provided (Reg. 40), for the outcomes that provide some: the form
/// and the way the applicant asked for.
pub fn provision_zh(outcome: Outcome, form: Option<FormWanted>, delivery: Option<DeliveryMethod>) -> Option<String> {
    if !matches!(outcome, Outcome::Disclosed | Outcome::PartlyDisclosed) {
        return None;
    }
    // Reg. 40: the form the applicant asked for, unless it would endanger the carrier or
    // cost too much; then electronic data, or inspection and copying.
    Some(match (form, delivery) {
        (Some(form), Some(delivery)) => format!(
            "根据《中华人民共和国政府信息公开条例》第四十条的规定，本机关按照您申请时要求的{}形式，以{}方式向您提供上述政府信息。",
            form.label_zh(),
            delivery.label_zh()
        ),
        _ => "根据《中华人民共和国政府信息公开条例》第四十条的规定，本机关根据您的要求及本机关保存政府信息的实际情况，确定提供政府信息的具体形式。".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use foi_domain::outcome::OutcomeGroup;

    #[test]
    fn every_letter_outcome_has_a_finding() {
        for outcome in Outcome::ALL {
            let finding = finding_zh(outcome);
            assert_eq!(finding.is_some(), outcome.is_reply_outcome(), "{outcome}");
            if let Some(text) = finding {
                assert!(text.starts_with("经"), "{outcome}: {text}");
                assert!(text.ends_with('。'), "{outcome}: {text}");
            }
            let refusal_words =
                ["不予公开", "无法提供", "不予提供", "不予处理", "不予重复处理", "不作为政府信息公开申请处理", "办理"];
            if matches!(
                outcome.group(),
                OutcomeGroup::NotDisclosed | OutcomeGroup::CannotProvide | OutcomeGroup::NotHandled
            ) {
                let text = finding.unwrap_or_default();
                assert!(refusal_words.iter().any(|w| text.contains(w)), "{outcome}: {text}");
            }
        }
    }

    #[test]
    fn information_is_provided_only_where_disclosed() {
        let form = Some(FormWanted::Paper);
        let delivery = Some(DeliveryMethod::Post);
        for outcome in Outcome::ALL {
            let provided = provision_zh(outcome, form, delivery);
            assert_eq!(
                provided.is_some(),
                matches!(outcome, Outcome::Disclosed | Outcome::PartlyDisclosed),
                "{outcome}"
            );
        }
        assert_eq!(
            provision_zh(Outcome::Disclosed, form, delivery).unwrap(),
            "根据《中华人民共和国政府信息公开条例》第四十条的规定，本机关按照您申请时要求的纸质文本形式，以邮寄方式向您提供上述政府信息。"
        );
        assert!(provision_zh(Outcome::PartlyDisclosed, None, delivery).unwrap().contains("实际情况"));
    }
}
