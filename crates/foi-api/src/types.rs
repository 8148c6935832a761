//! The GraphQL object types: the API's own shapes, built from store records and domain
//! state at the edge. No resolver here decides anything; they read and mask.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use foi_domain::calendar::Calendar;
use foi_domain::clock::{CHINA_STANDARD_TIME, Deadline};
use foi_domain::lifecycle::{Case, Schedule};
use foi_domain::privacy::View;
use foi_store::{Account, Agency, CaseState, EventRecord};
use time::{Date, OffsetDateTime};

use crate::ApiState;
use crate::enums;
use crate::error::ApiError;

/// An agency (行政机关): the district government, a department, a town or a street.
#[derive(Clone)]
pub struct AgencyNode(pub Agency);

#[Object(name = "Agency")]
impl AgencyNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Short code, e.g. `youxian`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The agency it belongs to (a department's government), by id; null at the top.
    async fn parent_id(&self) -> Option<ID> {
        self.0.parent_id.map(|p| ID(p.to_string()))
    }
    /// Name, e.g. 游仙区人民政府.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The reconsideration body named in the remedy clause of its replies (rules.md §5).
    async fn reconsideration_body(&self) -> &str {
        &self.0.reconsideration_body
    }
    /// Correction period granted in correction notices, in working days (Reg. 30).
    async fn correction_period_working_days(&self) -> i32 {
        self.0.correction_period_wd
    }
    /// A case is due soon with at most this many working days left.
    async fn due_soon_working_days(&self) -> i32 {
        self.0.due_soon_wd
    }
    /// Whether an unpaid fee notice stops the reply clock.
    async fn fee_pauses_clock(&self) -> bool {
        self.0.fee_pauses_clock
    }
    /// How the date of receipt of an online submission is fixed (Reg. 31(3)); set with
    /// `foi admin create-agency --online-receipt` or `foi admin set-online-receipt`.
    async fn online_receipt(&self) -> enums::OnlineReceipt {
        self.0.online_receipt.into()
    }
    /// Its disclosure office's contact block, printed on every letter to a party (public:
    /// it is printed on letters). Set with `foi admin agency-contact`; letters print it only
    /// when `complete`.
    async fn contact(&self) -> AgencyContactView {
        AgencyContactView(self.0.contact.clone())
    }
}

/// The contact block of an agency's disclosure office (政府信息公开工作机构) and how to pay
/// its fees (缴费方式). Public information.
pub struct AgencyContactView(pub foi_store::AgencyContact);

#[Object(name = "AgencyContact")]
impl AgencyContactView {
    /// 政府信息公开工作机构: the office's name.
    async fn office(&self) -> Option<&str> {
        self.0.office.as_deref()
    }
    /// 通讯地址: postal address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// 邮政编码: postcode.
    async fn postcode(&self) -> Option<&str> {
        self.0.postcode.as_deref()
    }
    /// 联系电话: telephone.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// 联系人: contact person.
    async fn contact_person(&self) -> Option<&str> {
        self.0.person.as_deref()
    }
    /// 缴费方式: how to pay an information-processing fee, printed on the fee notice.
    async fn payment_instructions(&self) -> Option<&str> {
        self.0.payment_instructions.as_deref()
    }
    /// Whether office, address, telephone and contact person are all set, so that letters
    /// print the block. Letters of an agency without it are still issued, without the block.
    async fn complete(&self) -> bool {
        self.0.is_complete()
    }
}

/// One piece of information a reply withholds, and why (Reg. 36(3), 37).
pub struct WithheldItemView(pub foi_domain::reasons::WithheldItem);

#[Object(name = "WithheldItem")]
impl WithheldItemView {
    /// Which information.
    async fn information(&self) -> &str {
        &self.0.information
    }
    /// The ground.
    async fn ground(&self) -> enums::WithholdingGround {
        self.0.ground.into()
    }
    /// The ground as the letter states it, e.g. 属于国家秘密.
    async fn ground_label(&self) -> &'static str {
        self.0.ground.label_zh()
    }
    /// The article it rests on, e.g. `Reg. 15`.
    async fn article(&self) -> &'static str {
        self.0.ground.article()
    }
}

/// The agency that holds information the replying agency does not (Reg. 36(5)).
pub struct InformationHolderView(pub foi_domain::reasons::InformationHolder);

#[Object(name = "InformationHolder")]
impl InformationHolderView {
    /// Its name.
    async fn agency(&self) -> &str {
        &self.0.agency
    }
    /// How to contact it.
    async fn contact(&self) -> &str {
        &self.0.contact
    }
}

/// The signed-in account.
pub struct AccountNode(pub Account);

#[Object(name = "Account")]
impl AccountNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Sign-in name.
    async fn login(&self) -> &str {
        &self.0.login
    }
    /// Name shown to others.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// `APPLICANT` or `STAFF`.
    async fn kind(&self) -> String {
        self.0.kind.to_uppercase()
    }
    /// Staff roles (clerk, reviewer, office_head, agency_admin, system_admin).
    async fn roles(&self) -> &[String] {
        &self.0.roles
    }
    /// A staff member's agency.
    async fn agency(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AgencyNode>> {
        let Some(id) = self.0.agency_id else { return Ok(None) };
        let state = ctx.data_unchecked::<ApiState>();
        Ok(Some(AgencyNode(state.store.agency(id).await.map_err(ApiError::from)?)))
    }
}

/// The applicant as shown to this viewer: identity number, phone and address masked unless
/// the viewer is an officer of the handling agency looking at the case itself.
#[derive(SimpleObject)]
pub struct ApplicantView {
    /// Name of the person or organisation.
    pub name: String,
    /// The statistics column it counts in.
    pub kind: enums::ApplicantKind,
    /// Identity number or credit code (masked unless handling officer).
    pub id_number: Option<String>,
    /// Phone (masked unless handling officer).
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Address (masked unless handling officer).
    pub address: Option<String>,
    /// Whether the values above are masked for this viewer.
    pub masked: bool,
}

/// The reply clock read today (答复期限).
#[derive(SimpleObject)]
pub struct ReplyClockView {
    /// Running, paused or stopped.
    pub state: enums::ClockState,
    /// Day 0 of the current count: the date of receipt or of the corrected application.
    pub started_on: Option<Date>,
    /// The day a correction restarted the count (Reg. 30), if it did.
    pub restarted_on: Option<Date>,
    /// The last day to reply (ends 24:00 China Standard Time).
    pub due_on: Option<Date>,
    /// The instant the period ends.
    pub ends_at: Option<OffsetDateTime>,
    /// Working days counted so far.
    pub used_working_days: Option<i32>,
    /// Working days left; negative once overdue.
    pub left_working_days: Option<i32>,
    /// The limit they add up to: 20, plus any extension.
    pub limit_working_days: Option<i32>,
    /// On track, due soon or overdue.
    pub urgency: Option<enums::Urgency>,
    /// The calendar version the dates were computed with.
    pub calendar_version: String,
    /// Whether `dueOn` was counted on the provisional calendar of a year whose State Council
    /// holiday notice is not loaded yet (weekends and the statutory holidays of
    /// 全国年节及纪念日放假办法, no make-up days): 以国务院办公厅公布的放假安排为准. It is recomputed, and this turns
    /// false, when that year's notice is loaded (`loadCalendarYear`, `foi calendar load`).
    pub provisional: bool,
    /// The years counted on the provisional calendar; empty when the dates are final.
    pub provisional_years: Vec<i32>,
    /// The same years as `provisionalYears`.
    #[graphql(deprecation = "use provisional and provisionalYears")]
    pub calendar_unknown_years: Vec<i32>,
}

/// A consultation of a third party or co-producing agency (Reg. 32, 34).
#[derive(SimpleObject)]
pub struct ConsultationView {
    /// Its number within the case, used to close it.
    pub number: i32,
    /// Third party or co-producer.
    pub party: enums::ConsultedParty,
    /// Whom the letter went to.
    pub name: String,
    /// The day the letter was sent.
    pub sent_on: Date,
    /// The last day of the 15-working-day opinion period.
    pub due_on: Option<Date>,
    /// Whether `dueOn` was counted on the provisional calendar of a year without a loaded
    /// holiday notice: 以国务院办公厅公布的放假安排为准.
    pub due_provisional: bool,
    /// The day it ended.
    pub closed_on: Option<Date>,
    /// How it ended.
    pub result: Option<enums::ConsultationResult>,
}

/// The extension of the reply limit (Reg. 33).
#[derive(SimpleObject)]
pub struct ExtensionView {
    /// Working days added.
    pub working_days: i32,
    /// The office head who approved it.
    pub approver: String,
    /// When.
    pub approved_on: Date,
    /// Why, as requested and printed on the extension notice (null for an extension
    /// recorded before requests existed).
    pub reason: Option<String>,
    /// The day it was requested (null for an extension recorded before requests existed).
    pub requested_on: Option<Date>,
}

/// An extension request waiting for the office head's decision (Reg. 33 ¶1).
#[derive(SimpleObject)]
pub struct ExtensionRequestView {
    /// The day it was requested.
    pub requested_on: Date,
    /// Working days asked for.
    pub working_days: i32,
    /// Why the reply needs more time.
    pub reason: String,
    /// Who asked, as the history shows them.
    pub requested_by: Option<String>,
}

/// An information-processing fee notice (Reg. 42).
#[derive(SimpleObject)]
pub struct FeeView {
    /// Amount in yuan.
    pub amount_yuan: i32,
    /// Per application or per page.
    pub basis: enums::FeeBasis,
    /// The day the applicant received the notice.
    pub notified_on: Date,
    /// The last day to pay (20 working days).
    pub due_on: Option<Date>,
    /// Whether `dueOn` was counted on the provisional calendar of a year without a loaded
    /// holiday notice: 以国务院办公厅公布的放假安排为准.
    pub due_provisional: bool,
    /// The day it was paid.
    pub paid_on: Option<Date>,
}

/// The correction notice (Reg. 30).
#[derive(SimpleObject)]
pub struct CorrectionView {
    /// The day it was sent.
    pub requested_on: Date,
    /// Everything to fix.
    pub items: Vec<String>,
    /// The last day of the correction period, while it runs.
    pub due_on: Option<Date>,
    /// Whether `dueOn` was counted on the provisional calendar of a year without a loaded
    /// holiday notice: 以国务院办公厅公布的放假安排为准.
    pub due_provisional: bool,
    /// The day the corrected application arrived.
    pub received_on: Option<Date>,
}

/// One event of a case's history (the audit trail), as shown to one viewer.
pub struct CaseEventNode(pub EventRecord, pub View);

/// An event's JSON facts as `view` may see them (rules.md §6): in full for the officers
/// handling the case; otherwise a person named in them (the one who signed for a served
/// document) is masked, and identity numbers, phones and addresses in any text are
/// de-identified.
fn shown_payload(payload: &serde_json::Value, view: View) -> serde_json::Value {
    use serde_json::Value;
    if view == View::Full {
        return payload.clone();
    }
    fn walk(value: &Value, key: Option<&str>) -> Value {
        match value {
            Value::String(s) if key == Some("recipient") => Value::String(foi_domain::privacy::mask_name(s)),
            Value::String(s) => Value::String(foi_domain::privacy::deidentify_text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, key)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), walk(v, Some(k)))).collect()),
            other => other.clone(),
        }
    }
    walk(payload, None)
}

#[Object(name = "CaseEvent")]
impl CaseEventNode {
    /// 1, 2, 3, … within the case.
    async fn seq(&self) -> i64 {
        self.0.seq
    }
    /// What happened.
    async fn kind(&self) -> Option<enums::EventKind> {
        foi_domain::lifecycle::EventKind::from_code(&self.0.kind).map(enums::EventKind::from)
    }
    /// What happened, in Chinese.
    async fn label(&self) -> &str {
        match foi_domain::lifecycle::EventKind::from_code(&self.0.kind) {
            Some(kind) => kind.label_zh(),
            None if self.0.kind == foi_store::workflow::challenge_events::FILED => "记录行政复议或诉讼",
            None if self.0.kind == foi_store::workflow::challenge_events::DECIDED => "记录复议或诉讼结果",
            None if self.0.kind == foi_store::attachments::ATTACHMENT_ADDED => "上传附件",
            None if self.0.kind == foi_store::documents::DOCUMENT_ISSUED => "签发文书",
            None if self.0.kind == foi_store::documents::DOCUMENT_VOIDED => "作废文书",
            None => "",
        }
    }
    /// The stored event code, including those that are not lifecycle events
    /// (`CHALLENGE_FILED`, `CHALLENGE_DECIDED`, `ATTACHMENT_ADDED`, `DOCUMENT_ISSUED`,
    /// `DOCUMENT_VOIDED`), for which `kind` is null.
    async fn code(&self) -> &str {
        &self.0.kind
    }
    /// The legal date of the event, from which deadlines count.
    async fn occurred_on(&self) -> Date {
        self.0.occurred_on
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> OffsetDateTime {
        self.0.recorded_at
    }
    /// Who did it.
    async fn actor(&self) -> &str {
        &self.0.actor_label
    }
    /// Why, if a reason was given (identity numbers, phones and addresses in it masked
    /// unless the viewer handles the case).
    async fn reason(&self) -> Option<String> {
        let reason = self.0.reason.as_deref()?;
        Some(if self.1 == View::Full { reason.to_owned() } else { foi_domain::privacy::deidentify_text(reason) })
    }
    /// The event's facts as JSON (e.g. the outcome, the approver, the case number). Unless
    /// the viewer handles the case, the person who signed for a served document is masked
    /// and identity numbers, phones and addresses in its texts are de-identified.
    async fn details(&self) -> String {
        shown_payload(&self.0.payload, self.1).to_string()
    }
    /// What the event warned of when it was recorded (e.g. `RECEIVED_ON_DAY_OFF`); empty
    /// for most events.
    async fn warnings(&self) -> Vec<crate::warnings::WarningView> {
        self.0.warnings.iter().map(Into::into).collect()
    }
}

/// A disclosure application and its handling (政府信息公开申请).
pub struct CaseNode {
    pub state: CaseState,
    pub agency: Agency,
    pub view: View,
    pub calendar: Arc<Calendar>,
    pub today: Date,
}

impl CaseNode {
    fn case(&self) -> &Case {
        &self.state.case
    }

    fn schedule(&self) -> Result<Schedule, ApiError> {
        let rules = foi_store::workflow::rules_of(&self.agency);
        let ctx = foi_domain::lifecycle::Context { calendar: &self.calendar, rules: &rules };
        Ok(self.case().schedule(ctx, self.today)?)
    }
}

fn due_on(deadline: Option<&Deadline>) -> Option<Date> {
    deadline.map(|d| d.date)
}

fn provisional(deadline: Option<&Deadline>) -> bool {
    deadline.is_some_and(Deadline::is_provisional)
}

#[Object(name = "Case")]
impl CaseNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.state.record.id.to_string())
    }
    /// The version to send back with a change; a stale one is refused with `CONFLICT`.
    async fn version(&self) -> i64 {
        self.state.record.version
    }
    /// The case number given at registration, e.g. 游府信申〔2026〕17号.
    async fn case_number(&self) -> Option<&str> {
        self.state.record.case_number.as_deref()
    }
    /// The agency applied to.
    async fn agency(&self) -> AgencyNode {
        AgencyNode(self.agency.clone())
    }
    /// Where the case is in the workflow.
    async fn stage(&self) -> enums::Stage {
        self.case().stage.into()
    }
    /// The stage in Chinese.
    async fn stage_label(&self) -> &'static str {
        self.case().stage.label_zh()
    }
    /// The outcome, once concluded.
    async fn outcome(&self) -> Option<enums::Outcome> {
        self.case().outcome.map(Into::into)
    }
    /// The outcome's row of the annual report table, e.g. `(三)1`.
    async fn outcome_row(&self) -> Option<&'static str> {
        self.case().outcome.map(|o| o.row())
    }
    /// The legal basis stated in the reply or the "not handled" notice.
    async fn legal_basis(&self) -> Option<&str> {
        self.case().legal_basis.as_deref()
    }
    /// What the reply withholds, and on which ground (Reg. 36(3), 37); empty otherwise.
    async fn withheld(&self) -> Vec<WithheldItemView> {
        self.case().withheld.iter().cloned().map(WithheldItemView).collect()
    }
    /// The agency holding the information, for a NOT_HELD reply that names one (Reg. 36(5)).
    async fn information_holder(&self) -> Option<InformationHolderView> {
        self.case().holder.clone().map(InformationHolderView)
    }
    /// Whether the reply was given on the spot.
    async fn on_the_spot(&self) -> bool {
        self.case().on_the_spot
    }
    /// How it arrived.
    async fn channel(&self) -> Option<enums::Channel> {
        self.case().channel.map(Into::into)
    }
    /// Title, document number or other identifying features of the information sought.
    async fn subject(&self) -> &str {
        &self.state.record.subject
    }
    /// Further description.
    async fn description(&self) -> &str {
        &self.state.record.description
    }
    /// The form wanted.
    async fn form_wanted(&self) -> Option<enums::FormWanted> {
        self.state.record.form_wanted.parse::<foi_domain::applicant::FormWanted>().ok().map(Into::into)
    }
    /// How the applicant receives the information.
    async fn delivery_method(&self) -> Option<enums::DeliveryMethod> {
        self.state.record.delivery_method.parse::<foi_domain::applicant::DeliveryMethod>().ok().map(Into::into)
    }
    /// The applicant, masked for this viewer where the law requires.
    async fn applicant(&self) -> ApplicantView {
        let r = &self.state.record;
        let v = self.view;
        ApplicantView {
            name: r.applicant_name.clone(),
            kind: r
                .applicant_kind
                .parse::<foi_domain::applicant::ApplicantKind>()
                .map(Into::into)
                .unwrap_or(enums::ApplicantKind::NaturalPerson),
            id_number: r.applicant_id_number.as_deref().map(|x| v.id_number(x)),
            phone: r.applicant_phone.as_deref().map(|x| v.phone(x)),
            email: r.applicant_email.clone(),
            address: r.applicant_address.as_deref().map(|x| v.address(x)),
            masked: v == View::Masked,
        }
    }
    /// The day it was submitted online.
    async fn submitted_on(&self) -> Option<Date> {
        self.case().submitted_on
    }
    /// The date of receipt (Reg. 31), which starts the clock.
    async fn received_on(&self) -> Option<Date> {
        self.case().received_on
    }
    /// The day it was replied to or closed.
    async fn concluded_on(&self) -> Option<Date> {
        self.case().concluded_on
    }
    /// The officer it is assigned to.
    async fn assignee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let Some(id) = self.state.record.assignee_id else { return Ok(None) };
        let state = ctx.data_unchecked::<ApiState>();
        Ok(Some(state.store.account(id).await.map_err(ApiError::from)?.display_name))
    }
    /// The reply clock read today.
    async fn clock(&self) -> async_graphql::Result<ReplyClockView> {
        let s = self.schedule()?;
        let reading = s.reply.as_ref();
        let to_i32 = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
        Ok(ReplyClockView {
            state: s.reply_clock.into(),
            started_on: self.case().clock_start(),
            restarted_on: s.restarted_on,
            due_on: reading.map(|r| r.due.date),
            ends_at: reading.map(|r| r.due.ends_at().to_offset(CHINA_STANDARD_TIME)),
            used_working_days: reading.map(|r| to_i32(r.used)),
            left_working_days: reading.map(|r| to_i32(r.left)),
            limit_working_days: reading.map(|r| to_i32(r.limit)),
            urgency: reading.filter(|_| !self.case().stage.is_concluded()).map(|r| r.urgency.into()),
            calendar_version: self.calendar.version().to_string(),
            provisional: reading.is_some_and(|r| r.due.is_provisional()),
            provisional_years: reading.map(|r| r.due.provisional_years.iter().copied().collect()).unwrap_or_default(),
            calendar_unknown_years: reading
                .map(|r| r.due.provisional_years.iter().copied().collect())
                .unwrap_or_default(),
        })
    }
    /// The last day to send a correction notice, while one may still be sent (7 working
    /// days after receipt, Reg. 30).
    async fn correction_notice_due_on(&self) -> async_graphql::Result<Option<Date>> {
        Ok(due_on(self.schedule()?.correction_notice_due.as_ref()))
    }
    /// Whether `correctionNoticeDueOn` was counted on the provisional calendar of a year
    /// without a loaded holiday notice: 以国务院办公厅公布的放假安排为准.
    async fn correction_notice_due_provisional(&self) -> async_graphql::Result<bool> {
        Ok(provisional(self.schedule()?.correction_notice_due.as_ref()))
    }
    /// The correction notice, if one was sent.
    async fn correction(&self) -> async_graphql::Result<Option<CorrectionView>> {
        let s = self.schedule()?;
        let due = s.correction_due.as_ref();
        Ok(self.case().correction.as_ref().map(|c| CorrectionView {
            requested_on: c.requested_on,
            items: c.items.clone(),
            due_on: due_on(due),
            due_provisional: provisional(due),
            received_on: c.received_on,
        }))
    }
    /// Consultations in the order they were opened.
    async fn consultations(&self) -> async_graphql::Result<Vec<ConsultationView>> {
        let s = self.schedule()?;
        Ok(self
            .case()
            .consultations
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let number = i as u32 + 1;
                ConsultationView {
                    number: number as i32,
                    party: c.party.into(),
                    name: c.name.clone(),
                    sent_on: c.sent_on,
                    due_on: s.consultations_due.iter().find(|(n, _)| *n == number).map(|(_, d)| d.date),
                    due_provisional: s.consultations_due.iter().any(|(n, d)| *n == number && d.is_provisional()),
                    closed_on: c.closed.map(|(on, _)| on),
                    result: c.closed.map(|(_, r)| r.into()),
                }
            })
            .collect())
    }
    /// The notices that start a period for their addressee (correction notice, consultation
    /// letters, fee notice), each "served on" or "not yet served" (送达, rules.md §2): the
    /// period runs from service, so `periodDue` is null until it is recorded.
    async fn notices(&self) -> async_graphql::Result<Vec<NoticeServiceView>> {
        Ok(self.schedule()?.notices.iter().map(NoticeServiceView::from).collect())
    }
    /// How many period-starting notices of the case are not served yet (0 for none): their
    /// periods have not begun, and no deadline sweep closes the case for them.
    async fn unserved_notices(&self) -> async_graphql::Result<i32> {
        let notices = self.schedule()?.notices;
        Ok(notices.iter().filter(|n| n.service.is_none()).count() as i32)
    }
    /// The extension, if any.
    async fn extension(&self) -> Option<ExtensionView> {
        self.case().extension.as_ref().map(|e| ExtensionView {
            working_days: e.working_days as i32,
            approver: e.approver.clone(),
            approved_on: e.approved_on,
            reason: e.reason.clone(),
            requested_on: e.requested_on,
        })
    }
    /// The extension request waiting for the office head (`approveExtension` or
    /// `refuseExtension`), if any (Reg. 33 ¶1).
    async fn extension_request(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ExtensionRequestView>> {
        let Some(r) = self.case().extension_request.as_ref() else { return Ok(None) };
        let state = ctx.data_unchecked::<ApiState>();
        let events = state.store.case_events(self.state.record.id).await.map_err(ApiError::from)?;
        let requested_by = events
            .iter()
            .rev()
            .find(|e| e.kind == foi_domain::lifecycle::EventKind::ExtensionRequested.code())
            .map(|e| e.actor_label.clone());
        Ok(Some(ExtensionRequestView {
            requested_on: r.requested_on,
            working_days: i32::try_from(r.working_days).unwrap_or(i32::MAX),
            reason: r.reason.clone(),
            requested_by,
        }))
    }
    /// For an online submission not yet signed for (签收): the day it was submitted, from
    /// which it has been waiting. Null once signed for.
    async fn waiting_since(&self) -> Option<Date> {
        (self.case().stage == foi_domain::lifecycle::Stage::Submitted).then_some(self.case().submitted_on).flatten()
    }
    /// For an online submission not yet signed for: the working days it has waited since
    /// submission (day 0 not counted; a year without a loaded notice counted on the
    /// provisional calendar). Null once signed for.
    async fn waiting_working_days(&self) -> Option<i32> {
        let since = (self.case().stage == foi_domain::lifecycle::Stage::Submitted)
            .then_some(self.case().submitted_on)
            .flatten()?;
        let (days, _) = self.calendar.count_between(since, self.today).ok()?;
        i32::try_from(days).ok()
    }
    /// The information-processing fee the rates give for this application (Reg. 42;
    /// 国办函〔2020〕109号), counted per applicant — by resident ID number or credit code,
    /// across accounts and applications recorded offline — per calendar month of receipt.
    /// `pages` is needed per page. For the case's officers only (`FORBIDDEN` otherwise);
    /// `issueFeeNotice` charges this amount when it is given no `amountYuan`.
    async fn fee_quote(
        &self,
        ctx: &Context<'_>,
        basis: enums::FeeBasis,
        pages: Option<i32>,
    ) -> async_graphql::Result<crate::fee_quote::FeeQuote> {
        let state = ctx.data_unchecked::<ApiState>();
        let viewer = crate::auth::viewer(ctx).await?;
        viewer.require_case_worker(&self.state.record)?;
        Ok(crate::fee_quote::quote(&state.store, &self.state.record, basis.into(), pages, "").await?)
    }
    /// The fee notice, if any.
    async fn fee(&self) -> async_graphql::Result<Option<FeeView>> {
        let s = self.schedule()?;
        let due = s.fee_payment_due.as_ref();
        Ok(self.case().fee.as_ref().map(|f| FeeView {
            amount_yuan: i32::try_from(f.amount_yuan).unwrap_or(i32::MAX),
            basis: f.basis.into(),
            notified_on: f.notified_on,
            due_on: due_on(due),
            due_provisional: provisional(due),
            paid_on: f.paid_on,
        }))
    }
    /// Reconsiderations and suits against the reply (table 四), oldest first.
    async fn challenges(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ChallengeNode>> {
        let state = ctx.data_unchecked::<ApiState>();
        let rows = state.store.challenges_of(self.state.record.id).await.map_err(ApiError::from)?;
        Ok(rows.into_iter().filter_map(ChallengeNode::from_record).collect())
    }
    /// The files disclosed with the reply (附件), oldest first; upload with
    /// `POST /cases/{id}/attachments`.
    async fn attachments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::attachments::AttachmentNode>> {
        crate::attachments::of_case(ctx, self.state.record.id).await
    }
    /// The notices and letters issued for the case (`issueDocument`), in the order issued.
    /// An applicant sees those addressed to them (not consultation letters).
    async fn documents(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::documents::DocumentNode>> {
        crate::documents::case_documents(ctx, &self.state.record, self.view).await
    }
    /// What the caller may do on the case now (today, China Standard Time), and for each
    /// action that cannot be taken now, why: the code, rule and message the mutation would
    /// answer with. The applicant gets the applicant's actions (withdraw, submit a
    /// correction, give reasons, report the fee paid), a case worker the office's, an office
    /// head also the approval of extensions; anyone else an empty list. Decided by the same
    /// transition table and guards as the mutations, tried with representative facts: a
    /// guard on what a form fills in (a legal basis, a period) can still refuse.
    async fn allowed_actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::actions::CaseActionView>> {
        let viewer = crate::auth::viewer(ctx).await?;
        Ok(crate::actions::allowed_actions(ctx, self, &viewer).await?)
    }
    /// The full history, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CaseEventNode>> {
        let state = ctx.data_unchecked::<ApiState>();
        let events = state.store.case_events(self.state.record.id).await.map_err(ApiError::from)?;
        let view = self.view;
        Ok(events.into_iter().map(|e| CaseEventNode(e, view)).collect())
    }
}

/// A signed-in session.
#[derive(SimpleObject)]
pub struct SessionView {
    /// The bearer token: send it as `Authorization: Bearer <token>`. Shown only once.
    pub token: String,
    /// When it expires.
    pub expires_at: OffsetDateTime,
    /// The account signed in.
    pub account: AccountNode,
}

/// The calendar in force.
#[derive(SimpleObject)]
pub struct CalendarView {
    /// Years with a loaded holiday notice, e.g. `2018-2026`.
    pub years: String,
    /// The version every due date names.
    pub version: String,
}

/// A reconsideration or suit against a case's reply (counted in table 四).
#[derive(SimpleObject)]
#[graphql(name = "Challenge")]
pub struct ChallengeNode {
    /// The challenge's id, for `decideChallenge`.
    pub id: ID,
    /// Reconsideration, or which suit.
    pub kind: enums::ChallengeKind,
    /// The day it was filed.
    pub filed_on: Date,
    /// The reconsideration body or the court.
    pub body: String,
    /// Its file number (复议案号 / 案号), if known.
    pub reference: Option<String>,
    /// Its result so far.
    pub result: enums::ChallengeResult,
    /// The day of the decision or judgment; null while pending.
    pub decided_on: Option<Date>,
}

impl ChallengeNode {
    /// The node of a stored challenge; `None` (and a log line) if its codes are unknown.
    pub fn from_record(r: foi_store::ChallengeRecord) -> Option<ChallengeNode> {
        let kind: foi_domain::challenge::ChallengeKind = r.kind.parse().ok()?;
        let result: foi_domain::challenge::ChallengeResult = r.result.parse().ok()?;
        Some(ChallengeNode {
            id: ID(r.id.to_string()),
            kind: kind.into(),
            filed_on: r.filed_on,
            body: r.body,
            reference: r.reference,
            result: result.into(),
            decided_on: r.decided_on,
        })
    }
}

/// A notice that starts a period for its addressee, and its service (送达).
#[derive(SimpleObject)]
#[graphql(name = "NoticeService")]
pub struct NoticeServiceView {
    /// Which notice: `CORRECTION_NOTICE`, `CONSULTATION_LETTER` or `FEE_NOTICE`.
    pub notice: &'static str,
    /// For a consultation letter, its consultation's number (1-based).
    pub number: Option<i32>,
    /// The notice's own date (sent or issued).
    pub issued_on: Date,
    /// The day it reached its addressee; null: not yet served, its period has not begun.
    pub served_on: Option<Date>,
    /// How it was served.
    pub method: Option<enums::ServiceMethod>,
    /// The last day of the period it starts, counted from service (day 0 not counted); null
    /// while unserved or once the period no longer runs (paid, corrected, answered).
    pub period_due: Option<Date>,
}

impl From<&foi_domain::lifecycle::NoticeService> for NoticeServiceView {
    fn from(n: &foi_domain::lifecycle::NoticeService) -> Self {
        let number = match n.notice {
            foi_domain::service::ServedNotice::ConsultationLetter { number } => i32::try_from(number).ok(),
            _ => None,
        };
        NoticeServiceView {
            notice: n.notice.code(),
            number,
            issued_on: n.issued_on,
            served_on: n.service.map(|s| s.on),
            method: n.service.map(|s| s.method.into()),
            period_due: n.period_due.as_ref().map(|d| d.date),
        }
    }
}
