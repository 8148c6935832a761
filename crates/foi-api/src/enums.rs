//! The API's own copies of the domain's enums, with their Chinese names in the descriptions.
//!
//! Each is declared with `remote = …`, so async-graphql generates the conversions both ways
//! and the compiler refuses a variant that the domain does not have: one source of truth,
//! and the wire format can still be reviewed in `schema.graphql`.

use async_graphql::Enum;

/// How an agency fixes the date of receipt of an online submission (Reg. 31(3), rules.md §2).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::applicant::OnlineReceipt")]
pub enum OnlineReceipt {
    /// 以提交之日为收到申请之日，非工作日提交的顺延至下一工作日 (the default, the common
    /// provincial rule): received on the day submitted, or the next working day; 签收 only
    /// acknowledges it.
    SubmissionDay,
    /// 以双方确认之日为收到申请之日 (the letter of Reg. 31(3)): received on the day a clerk signs
    /// for it (`receiveApplication`).
    ClerkConfirmation,
}

/// Where a case is in the workflow (办理阶段).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::lifecycle::Stage")]
pub enum Stage {
    /// 新建: not yet recorded.
    New,
    /// 待签收: submitted online, waiting for a clerk to sign for it.
    Submitted,
    /// 已签收: the date of receipt is fixed and the clock runs (Reg. 31).
    Received,
    /// 审核中: registered with a case number and under review.
    InReview,
    /// 待补正: a correction notice was sent (Reg. 30).
    AwaitingCorrection,
    /// 待说明理由: asked to explain excessive requests (Reg. 35).
    AwaitingReasons,
    /// 办理中: being handled.
    Handling,
    /// 已答复: concluded with a reply or a "not handled" notice.
    Replied,
    /// 已终止: closed without a reply (withdrawn, not corrected, fee unpaid).
    Closed,
    /// 已归档: archived; nothing happens after this.
    Archived,
}

/// The outcome of a concluded case: one row of table 三 of the annual report (国办公开办函〔2021〕30号).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::outcome::Outcome")]
pub enum Outcome {
    /// (一) 予以公开 (Reg. 36(1)(2)).
    Disclosed,
    /// (二) 部分公开 (Reg. 37).
    PartlyDisclosed,
    /// (三)1 不予公开：属于国家秘密 (Reg. 14).
    WithheldStateSecret,
    /// (三)2 不予公开：其他法律行政法规禁止公开 (Reg. 14).
    WithheldByLaw,
    /// (三)3 不予公开：危及“三安全一稳定” (Reg. 14).
    WithheldSecurityStability,
    /// (三)4 不予公开：保护第三方合法权益 (Reg. 15).
    WithheldThirdPartyRights,
    /// (三)5 不予公开：属于三类内部事务信息 (Reg. 16 ¶1).
    WithheldInternalAffairs,
    /// (三)6 不予公开：属于四类过程性信息 (Reg. 16 ¶2).
    WithheldProcessInformation,
    /// (三)7 不予公开：属于行政执法案卷 (Reg. 16 ¶2).
    WithheldEnforcementFile,
    /// (三)8 不予公开：属于行政查询事项 (Reg. 36(7)).
    WithheldAdministrativeQuery,
    /// (四)1 无法提供：本机关不掌握相关政府信息 (Reg. 36(4)(5)).
    NotHeld,
    /// (四)2 无法提供：没有现成信息需要另行制作 (Reg. 38).
    NeedsCompilation,
    /// (四)3 无法提供：补正后申请内容仍不明确 (Reg. 30).
    StillUnclearAfterCorrection,
    /// (五)1 不予处理：信访举报投诉类申请 (Reg. 39 ¶1).
    NotHandledPetition,
    /// (五)2 不予处理：重复申请 (Reg. 36(6)).
    NotHandledRepeat,
    /// (五)3 不予处理：要求提供公开出版物 (Reg. 39 ¶2).
    NotHandledPublication,
    /// (五)4 不予处理：无正当理由大量反复申请 (Reg. 35).
    NotHandledExcessive,
    /// (五)5 不予处理：要求行政机关确认或重新出具已获取信息.
    NotHandledConfirmOrReissue,
    /// (六)1 其他处理：申请人逾期不补正 (Reg. 30).
    OtherCorrectionNotMade,
    /// (六)2 其他处理：申请人逾期未缴纳信息处理费.
    OtherFeeNotPaid,
    /// (六)3 其他处理：其他（如撤回申请）.
    OtherClosed,
}

/// How an application arrived (申请渠道); it fixes the date of receipt (Reg. 31).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::applicant::Channel")]
pub enum Channel {
    /// 网络申请: received the day a clerk acknowledges the submission.
    Online,
    /// 当面申请: received the day it is handed in.
    InPerson,
    /// 信函申请（挂号/快递）: received the day the agency signs for it.
    SignedPost,
    /// 平信: received the day the office confirms with the applicant.
    OrdinaryLetter,
    /// 传真: received the day both sides confirm.
    Fax,
    /// 口头申请: the office fills in the form for the applicant (Reg. 29).
    Oral,
}

/// The applicant kinds counted as columns of the statistics table.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::applicant::ApplicantKind")]
pub enum ApplicantKind {
    /// 自然人.
    NaturalPerson,
    /// 商业企业.
    CommercialEnterprise,
    /// 科研机构.
    ResearchInstitution,
    /// 社会公益组织.
    SocialWelfareOrganisation,
    /// 法律服务机构.
    LegalServiceOrganisation,
    /// 其他组织.
    OtherOrganisation,
}

/// The form in which the information is wanted (Reg. 29).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::applicant::FormWanted")]
pub enum FormWanted {
    /// 纸质.
    Paper,
    /// 电子邮件.
    Email,
    /// 电子文档（光盘、磁盘等）.
    ElectronicCopy,
    /// 当场查阅.
    Inspection,
}

/// How the applicant receives the information (Reg. 29).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::applicant::DeliveryMethod")]
pub enum DeliveryMethod {
    /// 自行领取.
    Collect,
    /// 邮寄.
    Post,
    /// 电子邮件.
    Email,
    /// 网上下载.
    OnlineDownload,
}

/// The kinds of event in a case's history.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::lifecycle::EventKind")]
pub enum EventKind {
    /// 网上提交申请.
    Submitted,
    /// 签收.
    Received,
    /// 登记.
    Registered,
    /// 审核通过，转办理.
    Accepted,
    /// 分派承办人.
    Assigned,
    /// 发出补正告知书 (Reg. 30).
    CorrectionRequested,
    /// 收到补正申请: the clock restarts (Reg. 30).
    CorrectionReceived,
    /// 逾期未补正 (Reg. 30).
    CorrectionLapsed,
    /// 要求说明理由 (Reg. 35).
    ReasonsRequested,
    /// 申请人说明理由 (Reg. 35): the applicant's reasons, waiting for the office's finding.
    ReasonsGiven,
    /// 收到理由说明 (Reg. 35).
    ReasonsReceived,
    /// 确定延迟答复期限 (Reg. 35).
    LaterReplyDateSet,
    /// 征求意见 (Reg. 32, 34).
    ConsultationOpened,
    /// 征求意见结束.
    ConsultationClosed,
    /// 延期答复 (Reg. 33): the office head approved the extension.
    Extended,
    /// 申请延期答复 (Reg. 33 ¶1): a case worker asked the office head for an extension.
    ExtensionRequested,
    /// 不同意延期答复 (Reg. 33 ¶1): the office head refused the requested extension.
    ExtensionRefused,
    /// 发出收费通知 (Reg. 42).
    FeeNoticeIssued,
    /// 缴纳信息处理费.
    FeePaid,
    /// 逾期未缴费.
    FeeLapsed,
    /// 答复.
    Replied,
    /// 告知不作为政府信息公开申请处理.
    NotHandled,
    /// 撤回申请.
    Withdrawn,
    /// 归档.
    Archived,
    /// 送达: a notice or the decision reached its addressee (rules.md §2).
    Served,
}

/// How a document was served (送达方式).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::service::ServiceMethod")]
pub enum ServiceMethod {
    /// 直接送达: handed over and signed for.
    InPerson,
    /// 邮寄送达: by post, on the day the return receipt shows.
    Post,
    /// 电子邮件送达.
    Email,
    /// 网上送达: the addressee first opened it in the service.
    Online,
    /// 传真送达.
    Fax,
}

/// The state of the reply clock (计时状态), kept apart from the stage.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::clock::ClockState")]
pub enum ClockState {
    /// 未开始: not yet received.
    NotStarted,
    /// 计时中.
    Running,
    /// 暂停: a consultation or unpaid fee is not counted (Reg. 33 ¶2).
    Paused,
    /// 停止: concluded, or waiting for a correction that restarts it.
    Stopped,
}

/// How close the reply deadline is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::clock::Urgency")]
pub enum Urgency {
    /// 正常.
    OnTrack,
    /// 即将到期: at most the agency's threshold of working days left.
    DueSoon,
    /// 已超期.
    Overdue,
}

/// Whom a consultation letter goes to.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::lifecycle::ConsultedParty")]
pub enum ConsultedParty {
    /// 第三方 (Reg. 32).
    ThirdParty,
    /// 共同制作机关 (Reg. 34).
    CoProducer,
}

/// How a consultation ended.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::lifecycle::ConsultationResult")]
pub enum ConsultationResult {
    /// 同意公开.
    Consented,
    /// 不同意公开（附理由）.
    Objected,
    /// 逾期未答复 (for a co-producer, consent, Reg. 34).
    NoReply,
}

/// Why an application is not handled as one.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::lifecycle::NotHandledReason")]
pub enum NotHandledReason {
    /// 信访、投诉、举报 (Reg. 39 ¶1).
    Petition,
    /// 重复申请 (Reg. 36(6)).
    Repeat,
    /// 要求提供公开出版物 (Reg. 39 ¶2).
    Publication,
    /// 无正当理由大量反复申请 (Reg. 35).
    Excessive,
    /// 要求确认或重新出具已获取信息.
    ConfirmOrReissue,
}

/// How an information-processing fee is counted (Reg. 42).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::fee::FeeBasis")]
pub enum FeeBasis {
    /// 按件计收.
    PerApplication,
    /// 按量计收.
    PerPage,
}

/// The layout of table 三 (统计表格式).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::outcome::Format")]
pub enum ReportFormat {
    /// 国办公开办函〔2019〕60号, for periods within 2019 or 2020: a single (六) row.
    #[graphql(name = "FORMAT_2019")]
    Y2019,
    /// 国办公开办函〔2021〕30号, from 2021 on: (六) in three rows.
    #[graphql(name = "FORMAT_2021")]
    Y2021,
}

/// The kind of a challenge to a reply: the three column groups of table 四.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::challenge::ChallengeKind")]
pub enum ChallengeKind {
    /// 行政复议: administrative reconsideration.
    Reconsideration,
    /// 行政诉讼 · 未经复议直接起诉: a suit filed without reconsideration.
    SuitDirect,
    /// 行政诉讼 · 复议后起诉: a suit after reconsideration.
    SuitAfterReconsideration,
}

/// The result of a challenge: the columns of each group of table 四.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::challenge::ChallengeResult")]
pub enum ChallengeResult {
    /// 结果维持: the reply was upheld.
    Upheld,
    /// 结果纠正: the reply was corrected.
    Corrected,
    /// 其他结果: any other end (withdrawn, dismissed on procedure, settled).
    Other,
    /// 尚未审结: not yet decided.
    Pending,
}

/// A ground for withholding information (不予公开的理由), one per refusal row (三)1–8, each
/// with its article (Reg. 14, 15, 16 ¶1, 16 ¶2, 36(7)).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_domain::reasons::WithholdingGround")]
pub enum WithholdingGround {
    /// 属于国家秘密 (Reg. 14).
    StateSecret,
    /// 其他法律行政法规禁止公开 (Reg. 14).
    ForbiddenByLaw,
    /// 危及“三安全一稳定” (Reg. 14).
    SecurityStability,
    /// 保护第三方合法权益 (Reg. 15).
    ThirdPartyRights,
    /// 属于三类内部事务信息 (Reg. 16 ¶1).
    InternalAffairs,
    /// 属于四类过程性信息 (Reg. 16 ¶2).
    ProcessInformation,
    /// 属于行政执法案卷 (Reg. 16 ¶2).
    EnforcementFile,
    /// 属于行政查询事项 (Reg. 36(7)).
    AdministrativeQuery,
}
