//! The query and mutation roots. Each resolver authenticates, authorises, translates its
//! input into a domain event or a store call, and maps errors; nothing here decides a
//! transition or computes a deadline.

use async_graphql::connection::{self, Connection, Edge, EmptyFields};
use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object};
use foi_domain::applicant::{ApplicantKind, Channel};
use foi_domain::calendar::Calendar;
use foi_domain::challenge::Challenge;
use foi_domain::identity::{ResidentId, SocialCreditCode};
use foi_domain::lifecycle::{CORRECTION_PERIOD_RANGE, EXTENSION_REASON_MAX, Event, Stage};
use foi_domain::reasons::{InformationHolder, WithheldItem};
use foi_store::{
    Agency, ApplicantDetails, CaseState, ChallengeRequest, ChangeRequest, Command, NewAccount, NewApplication,
    QueueCursor, QueueQuery, Uuid,
};
use time::{Date, Duration};

use crate::ApiState;
use crate::auth::{self, Viewer, roles};
use crate::enums;
use crate::error::ApiError;
use crate::statistics::{StatisticsInput, StatisticsReport};
use crate::text;
use crate::types::{AccountNode, AgencyNode, CalendarView, CaseNode, ChallengeNode, SessionView};

/// How long a session lasts without signing in again.
pub const SESSION_TTL: Duration = Duration::hours(12);
/// The largest page a list returns.
pub const MAX_PAGE: usize = 100;

type ApiResult<T> = Result<T, async_graphql::Error>;

fn ext(e: impl Into<ApiError>) -> async_graphql::Error {
    e.into().extend()
}

fn parse_id(field: &str, id: &ID) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id.as_str()).map_err(|_| ApiError::validation(field, "not a valid id"))
}

fn state<'a>(ctx: &'a Context<'_>) -> &'a ApiState {
    ctx.data_unchecked::<ApiState>()
}

fn today(ctx: &Context<'_>) -> Date {
    state(ctx).clock.today()
}

/// The legal date of an event: the given one, or today; never a day that has not come yet
/// in China Standard Time (events are recorded when they happen, and a future date would
/// make every clock reading wrong).
fn not_in_future(ctx: &Context<'_>, field: &str, on: Option<Date>) -> ApiResult<Date> {
    let today = today(ctx);
    match on {
        Some(on) if on > today => Err(ext(ApiError::validation(
            field,
            format!("{on} has not come yet (today is {today} in China Standard Time)"),
        ))),
        Some(on) => Ok(on),
        None => Ok(today),
    }
}

pub(crate) async fn node(
    ctx: &Context<'_>,
    viewer: &Viewer,
    state_: CaseState,
    full_view: bool,
) -> Result<CaseNode, ApiError> {
    let s = state(ctx);
    let agency = s.store.agency(state_.record.agency_id).await?;
    let view = if full_view { viewer.view_of(&state_.record) } else { foi_domain::privacy::View::Masked };
    Ok(CaseNode { state: state_, agency, view, calendar: s.calendar(), today: today(ctx) })
}

/// The agency with the code given in `field` (trimmed, within its length), or `VALIDATION`
/// on that field: every input that names an agency by its code.
pub(crate) async fn agency_by_code(ctx: &Context<'_>, field: &str, code: &str) -> Result<Agency, ApiError> {
    let code = text::required(field, code, text::CODE)?;
    state(ctx)
        .store
        .agency_by_code(&code)
        .await?
        .ok_or_else(|| ApiError::validation(field, format!("no agency has the code {code}")))
}

/// The first event of an application submitted online to `agency` on `on`. Reg. 31(3),
/// rules.md §2: under the agency's submission-day rule the date of receipt is fixed now and
/// kept in the event; under the clerk-confirmation rule it waits for 签收.
pub(crate) fn online_submission(agency: &Agency, calendar: &Calendar, on: Date) -> Result<Event, ApiError> {
    let received_on = agency.online_receipt.date_of_receipt(calendar, on)?.map(|(d, _)| d);
    Ok(Event::Submitted { on, received_on })
}

/// The further description of the information sought (optional, empty when not given),
/// within its length: the same for an application submitted online and one recorded by a
/// clerk.
pub(crate) fn description(value: Option<&str>) -> Result<String, ApiError> {
    text::bounded("input.description", value.unwrap_or_default(), text::DESCRIPTION)
}

/// Checks an identity number against the applicant kind: a resident ID (GB 11643) for a
/// natural person, a unified social credit code (GB 32100) for an organisation.
pub(crate) fn check_identity(field: &str, kind: ApplicantKind, number: &str) -> Result<String, ApiError> {
    if kind.is_organisation() {
        SocialCreditCode::parse(number)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| ApiError::validation(field, e.to_string()))
    } else {
        ResidentId::parse(number).map(|c| c.as_str().to_owned()).map_err(|e| ApiError::validation(field, e.to_string()))
    }
}

/// The core queries: cases, queue, agencies, staff, calendar, statistics.
#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// The version of the `foi` API.
    async fn api_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// The signed-in account.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<AccountNode> {
        Ok(AccountNode(auth::viewer(ctx).await.map_err(ext)?.account))
    }

    /// One case with its full history. Officers of the handling agency see the applicant's
    /// personal data in full; everyone else sees it masked.
    async fn case(&self, ctx: &Context<'_>, id: ID) -> ApiResult<CaseNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let case_id = parse_id("id", &id).map_err(ext)?;
        let found = state(ctx).store.case_state(case_id).await.map_err(ext)?;
        if !viewer.can_see(&found.record) {
            return Err(ext(ApiError::NotFound(format!("case {case_id}"))));
        }
        node(ctx, &viewer, found, true).await.map_err(ext)
    }

    /// The signed-in applicant's own cases, open and concluded, soonest due first.
    async fn my_cases(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        first: Option<i32>,
    ) -> ApiResult<Connection<String, CaseNode, EmptyFields, EmptyFields>> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        if !viewer.is_applicant() {
            return Err(ext(ApiError::Forbidden("myCases lists an applicant's own cases; staff use queue".into())));
        }
        let query = QueueQuery {
            agency_ids: state(ctx).store.agencies().await.map_err(ext)?.into_iter().map(|a| a.id).collect(),
            stages: Stage::ALL.into_iter().filter(|s| *s != Stage::New).collect(),
            applicant_id: Some(viewer.account.id),
            ..QueueQuery::default()
        };
        page(ctx, &viewer, query, after, first).await
    }

    /// The clerk queue: open cases of the caller's agency and the agencies below it,
    /// ordered by the statutory reply due date (soonest first; cases not yet received
    /// last). Personal data is masked in lists. `first` cases a page (default 20, at most
    /// 100); `after` an `endCursor`: a case's place in the order, so the next page neither
    /// repeats nor skips a case when others arrive or leave meanwhile.
    async fn queue(
        &self,
        ctx: &Context<'_>,
        filter: Option<QueueFilter>,
        after: Option<String>,
        first: Option<i32>,
    ) -> ApiResult<Connection<String, CaseNode, EmptyFields, EmptyFields>> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        if !viewer.is_staff() {
            return Err(ext(ApiError::Forbidden("the queue is for staff; applicants use myCases".into())));
        }
        let filter = filter.unwrap_or_default();
        let s = state(ctx);
        let mut agency_ids = viewer.agencies.clone();
        if let Some(code) = filter.agency_code.as_deref() {
            let agency = s.store.agency_by_code(code).await.map_err(ext)?;
            let Some(agency) = agency.filter(|a| viewer.agencies.contains(&a.id)) else {
                return Err(ext(ApiError::validation("filter.agencyCode", format!("no agency {code} in your scope"))));
            };
            agency_ids = s.store.agency_subtree(agency.id).await.map_err(ext)?.into_iter().map(|a| a.id).collect();
        }
        let today = today(ctx);
        let mut query = QueueQuery {
            agency_ids,
            stages: filter.stages.unwrap_or_default().into_iter().map(Stage::from).collect(),
            assignee_id: filter
                .assignee_id
                .as_ref()
                .map(|id| parse_id("filter.assigneeId", id))
                .transpose()
                .map_err(ext)?,
            awaiting_extension_decision: filter.awaiting_extension_decision == Some(true),
            ..QueueQuery::default()
        };
        if filter.overdue == Some(true) {
            query.due_on_or_before = today.previous_day();
        }
        if filter.due_soon == Some(true) {
            // Due soon: not yet overdue and at most the agency's threshold left.
            let own = match viewer.account.agency_id {
                Some(id) => s.store.agency(id).await.map_err(ext)?.due_soon_wd,
                None => 5,
            };
            let calendar = s.calendar();
            let horizon =
                foi_domain::clock::deadline(&calendar, today, u32::try_from(own).unwrap_or(5)).map_err(ext)?.date;
            query.due_on_or_after = Some(today);
            query.due_on_or_before = Some(query.due_on_or_before.map_or(horizon, |d| d.min(horizon)));
        }
        page(ctx, &viewer, query, after, first).await
    }

    /// The agencies the caller works in: their own and every one below it (for an
    /// applicant, every agency). The public directory, without signing in, is `directory`.
    async fn agencies(&self, ctx: &Context<'_>) -> ApiResult<Vec<AgencyNode>> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let all = state(ctx).store.agencies().await.map_err(ext)?;
        Ok(all
            .into_iter()
            .filter(|a| viewer.is_applicant() || viewer.agencies.contains(&a.id))
            .map(AgencyNode)
            .collect())
    }

    /// The staff of the caller's agency and the agencies below it: whom a case can be
    /// assigned to (`assignCase` takes their `id`).
    async fn staff(&self, ctx: &Context<'_>) -> ApiResult<Vec<AccountNode>> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(&roles::ALL, "listing staff").map_err(ext)?;
        let staff = state(ctx).store.staff_of(viewer.agencies.clone()).await.map_err(ext)?;
        Ok(staff.into_iter().map(AccountNode).collect())
    }

    /// Table 三 of the annual report (收到和处理政府信息公开申请情况) for a month, a
    /// quarter, a year or a range of days: one table per agency of the caller's subtree (or
    /// of `agencyCode`'s) and their summary, with the CSV and XLSX files to download. Staff
    /// only; a malformed or missing period is `VALIDATION` naming the field.
    async fn statistics(&self, ctx: &Context<'_>, input: StatisticsInput) -> ApiResult<StatisticsReport> {
        crate::statistics::statistics(ctx, input).await.map_err(ext)
    }

    /// Table 三 of one agency and the agencies below it, for a month or the year so far,
    /// open to everyone without signing in (公开统计): live open data, drawn from the same
    /// figures as `statistics`, with its CSV. Only counts, nothing personal.
    async fn public_statistics(
        &self,
        ctx: &Context<'_>,
        input: crate::statistics::PublicStatisticsInput,
    ) -> ApiResult<StatisticsReport> {
        crate::statistics::public_statistics(ctx, input).await.map_err(ext)
    }

    /// The working-day calendar in force.
    async fn calendar(&self, ctx: &Context<'_>) -> CalendarView {
        let calendar = state(ctx).calendar();
        CalendarView { years: calendar.loaded_years(), version: calendar.version().to_string() }
    }
}

async fn page(
    ctx: &Context<'_>,
    viewer: &Viewer,
    mut query: QueueQuery,
    after: Option<String>,
    first: Option<i32>,
) -> ApiResult<Connection<String, CaseNode, EmptyFields, EmptyFields>> {
    connection::query(
        after,
        None,
        first,
        None,
        |after: Option<String>, _before: Option<String>, first: Option<usize>, _last| async move {
            query.after = after
                .map(|a| {
                    QueueCursor::decode(&a).ok_or_else(|| ApiError::validation("after", "not a cursor of this list"))
                })
                .transpose()
                .map_err(ext)?;
            query.limit = first.unwrap_or(20).min(MAX_PAGE) as u64;
            let (states, more) = state(ctx).store.queue(&query).await.map_err(ext)?;
            let mut connection = Connection::new(query.after.is_some(), more);
            for found in states {
                let cursor = QueueCursor::after(&found.record).encode();
                connection.edges.push(Edge::new(cursor, node(ctx, viewer, found, false).await.map_err(ext)?));
            }
            Ok::<_, async_graphql::Error>(connection)
        },
    )
    .await
}

/// Narrows the clerk queue.
#[derive(InputObject, Default)]
pub struct QueueFilter {
    /// Only these stages (default: every open stage).
    pub stages: Option<Vec<enums::Stage>>,
    /// Only cases assigned to this officer.
    pub assignee_id: Option<ID>,
    /// Only cases whose reply is due within the agency's "due soon" threshold.
    pub due_soon: Option<bool>,
    /// Only cases past their reply deadline.
    pub overdue: Option<bool>,
    /// Only this agency and the agencies below it.
    pub agency_code: Option<String>,
    /// Only cases with an extension request waiting for the office head's approval
    /// (`Case.extensionRequest`, Reg. 33 ¶1).
    pub awaiting_extension_decision: Option<bool>,
}

/// A new applicant account (Reg. 27: anyone may apply).
#[derive(InputObject)]
pub struct RegisterApplicantInput {
    /// Sign-in name.
    pub login: String,
    /// 8 to 256 characters, not a common password, not easy to guess, not built from the
    /// login or name (e.g. four random words).
    pub password: String,
    /// Name of the person or organisation.
    pub name: String,
    /// Natural person or one of the five organisation kinds.
    pub kind: enums::ApplicantKind,
    /// Resident ID (18 characters, GB 11643) for a natural person; unified social credit
    /// code (GB 32100) for an organisation.
    pub id_number: String,
    /// Contact phone.
    pub phone: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// Signing in.
#[derive(InputObject)]
pub struct SignInInput {
    /// Sign-in name.
    pub login: String,
    /// Password.
    pub password: String,
}

/// An online application (Reg. 29).
#[derive(InputObject)]
pub struct SubmitApplicationInput {
    /// The code of the agency applied to.
    pub agency_code: String,
    /// Title, document number or other identifying features of the information sought.
    pub subject: String,
    /// Further description.
    pub description: Option<String>,
    /// The form wanted.
    pub form_wanted: enums::FormWanted,
    /// How to receive it.
    pub delivery_method: enums::DeliveryMethod,
}

/// An application that arrived other than online, recorded by a clerk (receipt, 签收).
#[derive(InputObject)]
pub struct RecordApplicationInput {
    /// How it arrived (not ONLINE).
    pub channel: enums::Channel,
    /// The date of receipt under Reg. 31 (default: today).
    pub received_on: Option<Date>,
    /// The applicant's name.
    pub applicant_name: String,
    /// The applicant's kind.
    pub applicant_kind: enums::ApplicantKind,
    /// Resident ID or credit code.
    pub applicant_id_number: Option<String>,
    /// Phone.
    pub applicant_phone: Option<String>,
    /// E-mail.
    pub applicant_email: Option<String>,
    /// Address.
    pub applicant_address: Option<String>,
    /// What is sought.
    pub subject: String,
    /// Further description.
    pub description: Option<String>,
    /// The form wanted.
    pub form_wanted: enums::FormWanted,
    /// How to receive it.
    pub delivery_method: enums::DeliveryMethod,
}

/// The fields every change of a case carries.
#[derive(InputObject)]
pub struct CaseChangeInput {
    /// The case.
    pub case_id: ID,
    /// The version read; a stale one is refused with `CONFLICT`.
    pub version: i64,
    /// The legal date of the event (default: today in China Standard Time).
    pub on: Option<Date>,
    /// Why, for the audit trail.
    pub reason: Option<String>,
}

/// What an applicant submits on their case: a correction, reasons, a payment report. It is
/// dated today (the day it reaches the office online) and its text is kept in the history.
#[derive(InputObject)]
pub struct ApplicantStatementInput {
    /// The case.
    pub case_id: ID,
    /// The version read; a stale one is refused with `CONFLICT`.
    pub version: i64,
    /// What the applicant says, at most 5,000 characters; required.
    pub text: String,
}

impl ApplicantStatementInput {
    fn into_change(self) -> ApiResult<CaseChangeInput> {
        let text = text::required("input.text", &self.text, text::REASON).map_err(ext)?;
        Ok(CaseChangeInput { case_id: self.case_id, version: self.version, on: None, reason: Some(text) })
    }
}

/// A reconsideration or suit against a reply.
#[derive(InputObject)]
pub struct RecordChallengeInput {
    /// The case; `on` is the day the challenge was filed.
    pub change: CaseChangeInput,
    /// Reconsideration, or which suit.
    pub kind: enums::ChallengeKind,
    /// The reconsideration body or the court.
    pub body: String,
    /// Its file number (复议案号 / 案号), if known.
    pub reference: Option<String>,
    /// The result, if already known (default: pending).
    pub result: Option<enums::ChallengeResult>,
    /// The day of the decision; required with a result other than pending.
    pub decided_on: Option<Date>,
}

/// The result of a challenge.
#[derive(InputObject)]
pub struct DecideChallengeInput {
    /// The challenge.
    pub challenge_id: ID,
    /// Its result.
    pub result: enums::ChallengeResult,
    /// The day of the decision; required unless the result is pending.
    pub decided_on: Option<Date>,
}

/// Assignment to an officer.
#[derive(InputObject)]
pub struct AssignInput {
    /// The case.
    pub change: CaseChangeInput,
    /// The officer's account id.
    pub officer_id: ID,
}

/// A correction notice (补正告知书, Reg. 30): one notice listing everything to fix.
#[derive(InputObject)]
pub struct RequestCorrectionInput {
    /// The case.
    pub change: CaseChangeInput,
    /// Everything the applicant must fix.
    pub items: Vec<String>,
    /// The correction period this notice sets, in working days from the day it is sent
    /// (Reg. 30: "a reasonable period"), 1 to 60. Leave it out for the agency's default
    /// (`Agency.correctionPeriodWorkingDays`); out of range is `VALIDATION`.
    pub period_working_days: Option<i32>,
}

/// A later reply date under Reg. 35.
#[derive(InputObject)]
pub struct LaterReplyDateInput {
    /// The case.
    pub change: CaseChangeInput,
    /// The new reply date, after the current deadline.
    pub reply_by: Date,
}

/// A consultation letter (Reg. 32, 34).
#[derive(InputObject)]
pub struct OpenConsultationInput {
    /// The case.
    pub change: CaseChangeInput,
    /// Third party or co-producing agency.
    pub party: enums::ConsultedParty,
    /// Whom the letter goes to.
    pub name: String,
}

/// The end of a consultation.
#[derive(InputObject)]
pub struct CloseConsultationInput {
    /// The case.
    pub change: CaseChangeInput,
    /// The consultation's number (see `Case.consultations`).
    pub number: i32,
    /// How it ended.
    pub result: enums::ConsultationResult,
}

/// An extension of the reply limit requested and approved at once (Reg. 33): office heads
/// only.
#[derive(InputObject)]
pub struct ExtendInput {
    /// The case.
    pub change: CaseChangeInput,
    /// 1 to 20 working days.
    pub working_days: i32,
    /// Why the reply needs more time; printed on the extension notice (at most 500
    /// characters).
    pub reason: String,
}

/// A request to extend the reply limit (Reg. 33 ¶1), for the office head to decide.
#[derive(InputObject)]
pub struct RequestExtensionInput {
    /// The case; `change.on` is the day of the request.
    pub change: CaseChangeInput,
    /// 1 to 20 working days.
    pub working_days: i32,
    /// Why the reply needs more time; printed on the extension notice (at most 500
    /// characters).
    pub reason: String,
}

/// The office head's decision on a waiting extension request (Reg. 33 ¶1).
#[derive(InputObject)]
pub struct DecideExtensionInput {
    /// The case; `change.on` is the day of the decision.
    pub change: CaseChangeInput,
    /// Why: required to refuse; for an approval, kept in the history if given.
    pub reason: Option<String>,
}

/// The working days of an extension as the domain takes them; out of range is refused by
/// the domain with the article (Reg. 33), negative numbers here.
fn extension_days(days: i32) -> ApiResult<u32> {
    u32::try_from(days)
        .map_err(|_| ext(ApiError::validation("input.workingDays", "give 1 to 20 working days (Reg. 33)")))
}

/// A fee notice (Reg. 42).
#[derive(InputObject)]
pub struct FeeNoticeInput {
    /// The case.
    pub change: CaseChangeInput,
    /// Amount in yuan. Leave it out to charge what the rates give (`Case.feeQuote`:
    /// counted per applicant, by identity number, per calendar month, 国办函〔2020〕109号);
    /// an amount given is charged as given.
    pub amount_yuan: Option<i32>,
    /// Per application or per page.
    pub basis: enums::FeeBasis,
    /// Per page: the pages of this request, for the quote when `amountYuan` is left out.
    pub pages: Option<i32>,
}

/// The reply (答复).
#[derive(InputObject)]
pub struct ReplyInput {
    /// The case.
    pub change: CaseChangeInput,
    /// One of the outcomes of table 三 rows (一) to (四).
    pub outcome: enums::Outcome,
    /// A further explanation of the reasons and basis. Required for "cannot provide" (四);
    /// optional for partial disclosure and refusals, whose `withheld` items state ground and
    /// article (it must not cite those articles again: `DuplicateCitation`).
    pub legal_basis: Option<String>,
    /// Given on the spot, on the day of receipt.
    #[graphql(default)]
    pub on_the_spot: bool,
    /// What a refusal or partial disclosure withholds, and on which ground (Reg. 36(3), 37):
    /// at least one item for PARTLY_DISCLOSED and WITHHELD_*; a refusal's items all rest on
    /// its row's ground; none for other outcomes.
    pub withheld: Option<Vec<WithheldItemInput>>,
    /// For NOT_HELD only: the agency that holds the information, when it can be determined
    /// (Reg. 36(5)). Without it the letter says it cannot be determined.
    pub holder: Option<InformationHolderInput>,
}

/// One piece of information withheld, and why (Reg. 36(3), 37).
#[derive(InputObject)]
pub struct WithheldItemInput {
    /// Which information, as the letter names it, e.g. 投标人报价明细.
    pub information: String,
    /// The ground; the letter prints its article.
    pub ground: enums::WithholdingGround,
}

/// The agency that holds the information (Reg. 36(5)).
#[derive(InputObject)]
pub struct InformationHolderInput {
    /// Its name, e.g. 绵阳市游仙区自然资源局.
    pub agency: String,
    /// How to contact it (telephone, address or web site), as the letter prints it.
    pub contact: String,
}

/// A "not handled as an application" notice.
#[derive(InputObject)]
pub struct NotHandledInput {
    /// The case.
    pub change: CaseChangeInput,
    /// Why.
    pub reason: enums::NotHandledReason,
    /// The explanation given to the applicant, citing the article.
    pub explanation: String,
}

/// The core mutations: accounts, sessions and every lifecycle event of a case.
#[derive(Default)]
pub struct CoreMutation;

async fn change(
    ctx: &Context<'_>,
    input: CaseChangeInput,
    allowed: &[&str],
    make: impl FnOnce(Date) -> Result<Command, ApiError>,
) -> ApiResult<CaseNode> {
    let viewer = auth::viewer(ctx).await.map_err(ext)?;
    let s = state(ctx);
    let case_id = parse_id("input.caseId", &input.case_id).map_err(ext)?;
    let current = s.store.case_state(case_id).await.map_err(ext)?;
    if !viewer.can_see(&current.record) {
        return Err(ext(ApiError::NotFound(format!("case {case_id}"))));
    }
    if allowed.is_empty() {
        // Applicant actions: the applicant's own case (checked by can_see).
        if !viewer.is_applicant() {
            viewer.require_case_worker(&current.record).map_err(ext)?;
        }
    } else {
        viewer.require_role(allowed, "this change").map_err(ext)?;
    }
    let on = not_in_future(ctx, "input.on", input.on)?;
    let command = make(on).map_err(ext)?;
    let calendar = s.calendar();
    let warnings = match &command {
        Command::Event(e) => current.case.warnings(e, &calendar),
        Command::Register { .. } => Vec::new(),
    };
    let request = ChangeRequest {
        case_id,
        expected_version: input.version,
        command,
        reason: text::optional("input.reason", input.reason, text::REASON).map_err(ext)?,
    };
    let changed = s.store.change_case(request, &viewer.actor(), &calendar, s.clock.now()).await.map_err(ext)?;
    crate::warnings::Warnings::push_all(ctx, &warnings);
    s.queue_feed.publish(&changed.record);
    node(ctx, &viewer, changed, true).await.map_err(ext)
}

fn event(e: Event) -> Result<Command, ApiError> {
    Ok(Command::Event(e))
}

const WORKERS: &[&str] = &roles::CASE_WORKERS;

#[Object]
impl CoreMutation {
    /// Registers an applicant account after checking the identity number and the password's
    /// strength. The answer is the same whether the account was created or its login (or
    /// identity number) was already registered, in which case nothing changes: sign in to
    /// find out. Registration attempts from one address are limited (`RATE_LIMITED`).
    async fn register_applicant(
        &self,
        ctx: &Context<'_>,
        input: RegisterApplicantInput,
    ) -> ApiResult<crate::sign_in::RegistrationReceipt> {
        crate::sign_in::count_registration(ctx).await?;
        let kind = ApplicantKind::from(input.kind);
        let login = text::required("input.login", &input.login, text::LOGIN).map_err(ext)?;
        if crate::guest::is_application_number(&login) {
            return Err(ext(ApiError::validation(
                "input.login",
                "14 digits is the form of an application number (申请编号); choose a login with other characters",
            )));
        }
        text::bounded("input.password", &input.password, text::PASSWORD).map_err(ext)?;
        let name = text::required("input.name", &input.name, text::NAME).map_err(ext)?;
        crate::password::check_new("input.password", &input.password, &login, &[&name]).map_err(ext)?;
        let id_number = check_identity(
            "input.idNumber",
            kind,
            &text::bounded("input.idNumber", &input.id_number, text::ID_NUMBER).map_err(ext)?,
        )
        .map_err(ext)?;
        let account = NewAccount {
            kind: "applicant".into(),
            login,
            // Hashed on the pool by `register`.
            password_hash: String::new(),
            display_name: name,
            applicant_kind: Some(kind.code().to_owned()),
            id_document_kind: Some(if kind.is_organisation() { "SOCIAL_CREDIT_CODE" } else { "RESIDENT_ID" }.into()),
            id_number: Some(id_number),
            phone: text::optional("input.phone", input.phone, text::PHONE).map_err(ext)?,
            email: text::optional("input.email", input.email, text::EMAIL).map_err(ext)?,
            address: text::optional("input.address", input.address, text::ADDRESS).map_err(ext)?,
            ..NewAccount::default()
        };
        crate::sign_in::register(ctx, account, input.password).await
    }

    /// Signs in with a password and returns a bearer token. A wrong password and an unknown
    /// login are both `UNAUTHENTICATED`; repeated failures for a login or from an address
    /// are refused `RATE_LIMITED` for a growing delay (`extensions.retryAfterSeconds`).
    async fn sign_in(&self, ctx: &Context<'_>, input: SignInInput) -> ApiResult<SessionView> {
        text::bounded("input.login", &input.login, text::LOGIN).map_err(ext)?;
        text::bounded("input.password", &input.password, text::PASSWORD).map_err(ext)?;
        let account = crate::sign_in::sign_in(ctx, input.login.trim(), input.password).await?;
        let s = state(ctx);
        let session = s.store.create_session(account.id, s.clock.now(), SESSION_TTL).await.map_err(ext)?;
        Ok(SessionView { token: session.token, expires_at: session.session.expires_at, account: AccountNode(account) })
    }

    /// Revokes the current session token.
    async fn sign_out(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let token = auth::token(ctx).ok_or_else(|| ext(ApiError::Unauthenticated))?;
        let s = state(ctx);
        s.store.revoke_session(token, s.clock.now()).await.map_err(ext)
    }

    /// An applicant submits an application online. Under the agency's `SUBMISSION_DAY` rule
    /// (the default) it is received on the day of submission, or on the next working day
    /// when submitted on a day off, and its clock starts then; under `CLERK_CONFIRMATION`
    /// it is received when a clerk signs for it (Reg. 31(3)). See `Agency.onlineReceipt`.
    async fn submit_application(&self, ctx: &Context<'_>, input: SubmitApplicationInput) -> ApiResult<CaseNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        if !viewer.is_applicant() {
            return Err(ext(ApiError::Forbidden("only applicants submit online; staff use recordApplication".into())));
        }
        if viewer.account.has_role(roles::CASE_FOLLOWER) {
            return Err(ext(ApiError::Forbidden(
                "an application number and query code follow that one application; apply again with applyWithoutAccount, or register an account".into(),
            )));
        }
        let s = state(ctx);
        let agency = agency_by_code(ctx, "input.agencyCode", &input.agency_code).await.map_err(ext)?;
        let a = &viewer.account;
        let kind = a.applicant_kind.as_deref().and_then(|k| k.parse().ok()).unwrap_or(ApplicantKind::NaturalPerson);
        let application = NewApplication {
            agency_id: agency.id,
            applicant_id: Some(a.id),
            applicant: ApplicantDetails {
                name: a.display_name.clone(),
                kind,
                id_number: a.id_number.clone(),
                phone: a.phone.clone(),
                email: a.email.clone(),
                address: a.address.clone(),
            },
            subject: text::required("input.subject", &input.subject, text::SUBJECT).map_err(ext)?,
            description: description(input.description.as_deref()).map_err(ext)?,
            form_wanted: input.form_wanted.into(),
            delivery: input.delivery_method.into(),
        };
        let calendar = s.calendar();
        let first = online_submission(&agency, &calendar, today(ctx)).map_err(ext)?;
        let opened =
            s.store.open_case(application, first, &viewer.actor(), &calendar, s.clock.now()).await.map_err(ext)?;
        s.queue_feed.publish(&opened.record);
        node(ctx, &viewer, opened, true).await.map_err(ext)
    }

    /// A clerk records an application that arrived in person, by post, fax or orally: it is
    /// received on its date of receipt (Reg. 31) in the clerk's own agency.
    async fn record_application(&self, ctx: &Context<'_>, input: RecordApplicationInput) -> ApiResult<CaseNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(WORKERS, "recording an application").map_err(ext)?;
        let channel = Channel::from(input.channel);
        if channel == Channel::Online {
            return Err(ext(ApiError::validation(
                "input.channel",
                "online applications are submitted by the applicant",
            )));
        }
        let kind = ApplicantKind::from(input.applicant_kind);
        let id_number = text::optional("input.applicantIdNumber", input.applicant_id_number, text::ID_NUMBER)
            .map_err(ext)?
            .map(|n| check_identity("input.applicantIdNumber", kind, &n))
            .transpose()
            .map_err(ext)?;
        let agency_id = viewer.account.agency_id.ok_or_else(|| ext(ApiError::Forbidden("no agency".into())))?;
        let application = NewApplication {
            agency_id,
            applicant_id: None,
            applicant: ApplicantDetails {
                name: text::required("input.applicantName", &input.applicant_name, text::NAME).map_err(ext)?,
                kind,
                id_number,
                phone: text::optional("input.applicantPhone", input.applicant_phone, text::PHONE).map_err(ext)?,
                email: text::optional("input.applicantEmail", input.applicant_email, text::EMAIL).map_err(ext)?,
                address: text::optional("input.applicantAddress", input.applicant_address, text::ADDRESS)
                    .map_err(ext)?,
            },
            subject: text::required("input.subject", &input.subject, text::SUBJECT).map_err(ext)?,
            description: description(input.description.as_deref()).map_err(ext)?,
            form_wanted: input.form_wanted.into(),
            delivery: input.delivery_method.into(),
        };
        let s = state(ctx);
        let first = Event::Received { on: not_in_future(ctx, "input.receivedOn", input.received_on)?, channel };
        let calendar = s.calendar();
        let warnings = foi_domain::lifecycle::Case::new().warnings(&first, &calendar);
        let opened =
            s.store.open_case(application, first, &viewer.actor(), &calendar, s.clock.now()).await.map_err(ext)?;
        crate::warnings::Warnings::push_all(ctx, &warnings);
        s.queue_feed.publish(&opened.record);
        node(ctx, &viewer, opened, true).await.map_err(ext)
    }

    /// 签收: a clerk acknowledges an online submission. Under the agency's
    /// `CLERK_CONFIRMATION` rule this day is the date of receipt and the clock starts
    /// (Reg. 31(3)); under `SUBMISSION_DAY` the date was fixed at submission and stays.
    /// A date of receipt on a day off is accepted with the warning `RECEIVED_ON_DAY_OFF`
    /// in `extensions.warnings`.
    async fn receive_application(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::Received { on, channel: Channel::Online })).await
    }

    /// 登记: registers the case under the agency's next case number.
    async fn register_case(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| Ok(Command::Register { on })).await
    }

    /// 审核通过: the review found a complete disclosure application; on to handling.
    async fn accept_case(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::Accepted { on })).await
    }

    /// Assigns the case to the officer who holds the information: an active case worker
    /// (clerk, reviewer or office head) of the case's agency or of an agency above it.
    async fn assign_case(&self, ctx: &Context<'_>, input: AssignInput) -> ApiResult<CaseNode> {
        let officer = parse_id("input.officerId", &input.officer_id).map_err(ext)?;
        let case_id = parse_id("input.change.caseId", &input.change.case_id).map_err(ext)?;
        let s = state(ctx);
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let case = s.store.case_state(case_id).await.map_err(ext)?.record;
        viewer.require_case_worker(&case).map_err(ext)?;
        // An unknown id and an account outside the case's reach get the same answer, so the
        // field cannot be used to probe for accounts.
        let outside = || {
            ext(ApiError::validation("input.officerId", "not an officer of this case's agency or an agency above it"))
        };
        let account = match s.store.account(officer).await {
            Ok(account) => account,
            Err(foi_store::StoreError::NotFound { .. }) => return Err(outside()),
            Err(e) => return Err(ext(e)),
        };
        let works_cases = account.roles.iter().any(|r| roles::CASE_WORKERS.contains(&r.as_str()));
        let Some(agency) = account.agency_id.filter(|_| account.kind == "staff" && works_cases) else {
            return Err(outside());
        };
        if account.disabled_at.is_some() {
            return Err(outside());
        }
        // The officer's agency must be the case's or one above it: the case's agency lies in
        // the officer's subtree.
        let reach = s.store.agency_subtree(agency).await.map_err(ext)?;
        if !reach.iter().any(|a| a.id == case.agency_id) {
            return Err(outside());
        }
        change(ctx, input.change, WORKERS, |on| event(Event::Assigned { on, officer: officer.to_string() })).await
    }

    /// Sends the one correction notice (Reg. 30), within 7 working days of receipt.
    async fn request_correction(&self, ctx: &Context<'_>, input: RequestCorrectionInput) -> ApiResult<CaseNode> {
        let items = input
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| text::bounded(&format!("input.items[{i}]"), item, text::REASON))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ext)?;
        let period_wd = match input.period_working_days {
            None => None,
            Some(days) => match u32::try_from(days).ok().filter(|d| CORRECTION_PERIOD_RANGE.contains(d)) {
                Some(days) => Some(days),
                None => {
                    return Err(ext(ApiError::validation(
                        "input.periodWorkingDays",
                        format!(
                            "{days} is out of range: set {} to {} working days, or leave it out for the agency's default",
                            CORRECTION_PERIOD_RANGE.start(),
                            CORRECTION_PERIOD_RANGE.end()
                        ),
                    )));
                }
            },
        };
        change(ctx, input.change, WORKERS, |on| event(Event::CorrectionRequested { on, items, period_wd })).await
    }

    /// Records the corrected application; the clock restarts from this day (Reg. 30).
    async fn receive_correction(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::CorrectionReceived { on })).await
    }

    /// Closes an application whose correction period ended without a correction (Reg. 30).
    async fn lapse_correction(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::CorrectionLapsed { on })).await
    }

    /// Asks the applicant to explain clearly excessive requests (Reg. 35).
    async fn request_reasons(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::ReasonsRequested { on })).await
    }

    /// Records reasons found reasonable (Reg. 35); back to handling.
    async fn receive_reasons(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::ReasonsReceived { on })).await
    }

    /// Sets and notifies a later reasonable reply date (Reg. 35).
    async fn set_later_reply_date(&self, ctx: &Context<'_>, input: LaterReplyDateInput) -> ApiResult<CaseNode> {
        change(ctx, input.change, WORKERS, |on| event(Event::LaterReplyDateSet { on, reply_by: input.reply_by })).await
    }

    /// Sends a consultation letter; its time is not counted (Reg. 32–34).
    async fn open_consultation(&self, ctx: &Context<'_>, input: OpenConsultationInput) -> ApiResult<CaseNode> {
        let party = input.party.into();
        let name = text::bounded("input.name", &input.name, text::NAME).map_err(ext)?;
        change(ctx, input.change, WORKERS, |on| event(Event::ConsultationOpened { on, party, name })).await
    }

    /// Records the end of a consultation.
    async fn close_consultation(&self, ctx: &Context<'_>, input: CloseConsultationInput) -> ApiResult<CaseNode> {
        let number = u32::try_from(input.number)
            .map_err(|_| ext(ApiError::validation("input.number", "a consultation number is 1 or more")))?;
        let result = input.result.into();
        change(ctx, input.change, WORKERS, |on| event(Event::ConsultationClosed { on, number, result })).await
    }

    /// Asks the head of the disclosure office to extend the reply limit (Reg. 33 ¶1): once,
    /// 1 to 20 working days, with the reason the extension notice will print, no later than
    /// the reply deadline. Any case worker may; the case then waits for `approveExtension`
    /// or `refuseExtension` (`Case.extensionRequest`). A second request while one waits is
    /// `EXTENSION_ALREADY_REQUESTED`.
    async fn request_extension(&self, ctx: &Context<'_>, input: RequestExtensionInput) -> ApiResult<CaseNode> {
        let days = extension_days(input.working_days)?;
        let reason = text::required("input.reason", &input.reason, EXTENSION_REASON_MAX).map_err(ext)?;
        change(ctx, input.change, WORKERS, |on| event(Event::ExtensionRequested { on, working_days: days, reason }))
            .await
    }

    /// The head of the disclosure office approves the waiting extension request (Reg. 33 ¶1:
    /// "经政府信息公开工作机构负责人同意"): the reply limit grows by the requested days, and the
    /// signed-in head is recorded as the approver with the date. Office heads only
    /// (`FORBIDDEN` otherwise); `NO_EXTENSION_REQUESTED` when none waits; refused after
    /// the reply deadline. Issue the extension notice (`EXTENSION_NOTICE`) next.
    async fn approve_extension(&self, ctx: &Context<'_>, input: DecideExtensionInput) -> ApiResult<CaseNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(&[roles::OFFICE_HEAD], "approving an extension").map_err(ext)?;
        let approver = viewer.account.display_name.clone();
        let case_id = parse_id("input.change.caseId", &input.change.case_id).map_err(ext)?;
        let pending = state(ctx).store.case_state(case_id).await.map_err(ext)?.case.extension_request;
        let mut change_input = input.change;
        if change_input.reason.is_none() {
            change_input.reason = input.reason;
        }
        change(ctx, change_input, &[roles::OFFICE_HEAD], |on| match pending {
            // No request waits: the domain refuses this with NO_EXTENSION_REQUESTED (after
            // checking the stage), so the client hears the rule, not a guess of ours.
            None => event(Event::Extended { on, working_days: 1, approver, reason: Some("-".into()) }),
            Some(r) => event(Event::Extended { on, working_days: r.working_days, approver, reason: Some(r.reason) }),
        })
        .await
    }

    /// The head of the disclosure office refuses the waiting extension request, giving a
    /// reason (Reg. 33 ¶1). No extension was used, so a new request may follow. Office heads
    /// only; `NO_EXTENSION_REQUESTED` when none waits.
    async fn refuse_extension(&self, ctx: &Context<'_>, input: DecideExtensionInput) -> ApiResult<CaseNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(&[roles::OFFICE_HEAD], "refusing an extension").map_err(ext)?;
        let approver = viewer.account.display_name.clone();
        let reason = text::required("input.reason", input.reason.as_deref().unwrap_or_default(), EXTENSION_REASON_MAX)
            .map_err(ext)?;
        change(ctx, input.change, &[roles::OFFICE_HEAD], |on| event(Event::ExtensionRefused { on, approver, reason }))
            .await
    }

    /// For an office head extending on their own initiative: requests and approves an
    /// extension in one step (Reg. 33 ¶1), recording both events, with the head as requester
    /// and approver, in one transaction: both or neither. Once, 1 to 20 working days, with
    /// the reason the extension notice prints. Office heads only.
    async fn extend_deadline(&self, ctx: &Context<'_>, input: ExtendInput) -> ApiResult<CaseNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(&[roles::OFFICE_HEAD], "extending the reply limit").map_err(ext)?;
        let days = extension_days(input.working_days)?;
        let reason = text::required("input.reason", &input.reason, EXTENSION_REASON_MAX).map_err(ext)?;
        let s = state(ctx);
        let case_id = parse_id("input.change.caseId", &input.change.case_id).map_err(ext)?;
        let current = s.store.case_state(case_id).await.map_err(ext)?;
        if !viewer.can_see(&current.record) {
            return Err(ext(ApiError::NotFound(format!("case {case_id}"))));
        }
        let on = not_in_future(ctx, "input.change.on", input.change.on)?;
        let audit = text::optional("input.change.reason", input.change.reason, text::REASON).map_err(ext)?;
        let approver = viewer.account.display_name.clone();
        let steps = [
            Event::ExtensionRequested { on, working_days: days, reason: reason.clone() },
            Event::Extended { on, working_days: days, approver, reason: Some(reason) },
        ];
        let calendar = s.calendar();
        let (actor, now) = (viewer.actor(), s.clock.now());
        let txn = s.store.begin().await.map_err(ext)?;
        let result = async {
            let mut version = input.change.version;
            let mut changed = None;
            for step in steps {
                let request = ChangeRequest {
                    case_id,
                    expected_version: version,
                    command: Command::Event(step),
                    reason: audit.clone(),
                };
                let state_ = txn.change_case(request, &actor, &calendar, now).await?;
                version = state_.record.version;
                changed = Some(state_);
            }
            Ok::<_, foi_store::WorkflowError>(changed)
        }
        .await;
        let changed = txn.finish(result).await.map_err(ext)?.ok_or_else(|| ext(ApiError::Internal))?;
        s.queue_feed.publish(&changed.record);
        node(ctx, &viewer, changed, true).await.map_err(ext)
    }

    /// Issues an information-processing fee notice (Reg. 42).
    async fn issue_fee_notice(&self, ctx: &Context<'_>, input: FeeNoticeInput) -> ApiResult<CaseNode> {
        let basis: foi_domain::fee::FeeBasis = input.basis.into();
        let amount = match input.amount_yuan {
            Some(amount) => amount,
            None => {
                // Default: the rates, counted per identity per calendar month (国办函〔2020〕109号).
                let viewer = auth::viewer(ctx).await.map_err(ext)?;
                let s = state(ctx);
                let case_id = parse_id("input.change.caseId", &input.change.case_id).map_err(ext)?;
                let current = s.store.case_state(case_id).await.map_err(ext)?;
                if !viewer.can_see(&current.record) {
                    return Err(ext(ApiError::NotFound(format!("case {case_id}"))));
                }
                viewer.require_case_worker(&current.record).map_err(ext)?;
                crate::fee_quote::quote(&s.store, &current.record, basis, input.pages, "input.")
                    .await
                    .map_err(ext)?
                    .amount_yuan
            }
        };
        let amount = u32::try_from(amount)
            .map_err(|_| ext(ApiError::validation("input.amountYuan", "a positive amount in yuan")))?;
        change(ctx, input.change, WORKERS, |on| event(Event::FeeNoticeIssued { on, amount_yuan: amount, basis })).await
    }

    /// Records the payment of the fee.
    async fn record_fee_payment(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::FeePaid { on })).await
    }

    /// Closes an application whose fee was not paid within 20 working days.
    async fn lapse_fee(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::FeeLapsed { on })).await
    }

    /// Records a reconsideration or suit against the case's reply (table 四). Only a case
    /// concluded by a reply can be challenged; a suit after reconsideration needs the
    /// reconsideration decided first. `change.on` is the filing date.
    async fn record_challenge(&self, ctx: &Context<'_>, input: RecordChallengeInput) -> ApiResult<ChallengeNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(WORKERS, "recording a challenge").map_err(ext)?;
        let s = state(ctx);
        let case_id = parse_id("input.change.caseId", &input.change.case_id).map_err(ext)?;
        let current = s.store.case_state(case_id).await.map_err(ext)?;
        if !viewer.can_see(&current.record) {
            return Err(ext(ApiError::NotFound(format!("case {case_id}"))));
        }
        viewer.require_case_worker(&current.record).map_err(ext)?;
        let filed_on = not_in_future(ctx, "input.change.on", input.change.on)?;
        let decided_on = match input.decided_on {
            Some(d) => Some(not_in_future(ctx, "input.decidedOn", Some(d))?),
            None => None,
        };
        let request = ChallengeRequest {
            case_id,
            expected_version: input.change.version,
            challenge: Challenge {
                kind: input.kind.into(),
                filed_on,
                result: input.result.unwrap_or(enums::ChallengeResult::Pending).into(),
                decided_on,
            },
            body: text::required("input.body", &input.body, text::NAME).map_err(ext)?,
            reference: text::optional("input.reference", input.reference, text::REFERENCE).map_err(ext)?,
        };
        let (record, case) = s.store.record_challenge(request, &viewer.actor(), s.clock.now()).await.map_err(ext)?;
        s.queue_feed.publish(&case);
        ChallengeNode::from_record(record).ok_or_else(|| ext(ApiError::Internal))
    }

    /// Records the result of a challenge (or sets it back to pending, without a date).
    async fn decide_challenge(&self, ctx: &Context<'_>, input: DecideChallengeInput) -> ApiResult<ChallengeNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(WORKERS, "recording a challenge's result").map_err(ext)?;
        let s = state(ctx);
        let id = parse_id("input.challengeId", &input.challenge_id).map_err(ext)?;
        let found = s.store.challenge(id).await.map_err(ext)?;
        let case = s.store.load_case(found.case_id).await.map_err(ext)?;
        if !viewer.can_see(&case) {
            return Err(ext(ApiError::NotFound(format!("challenge {id}"))));
        }
        viewer.require_case_worker(&case).map_err(ext)?;
        let decided_on = match input.decided_on {
            Some(d) => Some(not_in_future(ctx, "input.decidedOn", Some(d))?),
            None => None,
        };
        let (record, changed) = s
            .store
            .decide_challenge(id, input.result.into(), decided_on, &viewer.actor(), s.clock.now())
            .await
            .map_err(ext)?;
        s.queue_feed.publish(&changed);
        ChallengeNode::from_record(record).ok_or_else(|| ext(ApiError::Internal))
    }

    /// Replies (答复) with an outcome; a refusal states its legal basis.
    async fn reply(&self, ctx: &Context<'_>, input: ReplyInput) -> ApiResult<CaseNode> {
        let outcome = input.outcome.into();
        let legal_basis = text::optional("input.legalBasis", input.legal_basis, text::REASON).map_err(ext)?;
        let on_the_spot = input.on_the_spot;
        let mut withheld = Vec::new();
        for (i, item) in input.withheld.unwrap_or_default().into_iter().enumerate() {
            let field = format!("input.withheld[{i}].information");
            let information = text::required(&field, &item.information, text::SUBJECT).map_err(ext)?;
            withheld.push(WithheldItem { information, ground: item.ground.into() });
        }
        let holder = match input.holder {
            None => None,
            Some(h) => {
                // Reg. 36(5): the holding agency's name and how to contact it, both.
                let agency = text::required("input.holder.agency", &h.agency, text::NAME).map_err(ext)?;
                let contact = text::required("input.holder.contact", &h.contact, text::ADDRESS).map_err(ext)?;
                Some(InformationHolder { agency, contact })
            }
        };
        change(ctx, input.change, WORKERS, |on| {
            event(Event::Replied { on, outcome, legal_basis, on_the_spot, withheld, holder, from_register: false })
        })
        .await
    }

    /// Tells the applicant the request is not handled as an application (Reg. 35, 36(6), 39).
    async fn not_handled(&self, ctx: &Context<'_>, input: NotHandledInput) -> ApiResult<CaseNode> {
        let reason = input.reason.into();
        let explanation = text::bounded("input.explanation", &input.explanation, text::DESCRIPTION).map_err(ext)?;
        change(ctx, input.change, WORKERS, |on| event(Event::NotHandled { on, reason, explanation })).await
    }

    /// Withdraws the application: by the applicant on their own case, or recorded by staff.
    async fn withdraw_application(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, &[], |on| event(Event::Withdrawn { on })).await
    }

    /// The applicant submits the corrected application online (Reg. 30): what was corrected
    /// is the text (files go with `uploadAttachment`), recorded as `CORRECTION_RECEIVED`
    /// today, from which the reply clock restarts. On the applicant's own case; staff may
    /// record a correction given to them the same way.
    async fn submit_correction(&self, ctx: &Context<'_>, input: ApplicantStatementInput) -> ApiResult<CaseNode> {
        let change_input = input.into_change()?;
        change(ctx, change_input, &[], |on| event(Event::CorrectionReceived { on })).await
    }

    /// The applicant gives the reasons asked for (Reg. 35), recorded today as
    /// `REASONS_GIVEN` with the text. The office then finds them reasonable
    /// (`receiveReasons`) or not (`notHandled` as `EXCESSIVE`).
    async fn give_reasons(&self, ctx: &Context<'_>, input: ApplicantStatementInput) -> ApiResult<CaseNode> {
        let change_input = input.into_change()?;
        change(ctx, change_input, &[], |on| event(Event::ReasonsGiven { on })).await
    }

    /// The applicant reports that the fee was paid (Reg. 42; there is no payment provider):
    /// the text says how (e.g. the transfer's reference), recorded today as `FEE_PAID`, and
    /// the clock resumes as for a payment a clerk records.
    async fn report_fee_payment(&self, ctx: &Context<'_>, input: ApplicantStatementInput) -> ApiResult<CaseNode> {
        let change_input = input.into_change()?;
        change(ctx, change_input, &[], |on| event(Event::FeePaid { on })).await
    }

    /// Archives (归档) a concluded case; nothing happens to it afterwards. A replied case needs
    /// its decision on file first: the reply letter (`REPLY`), or for a "not handled" decision
    /// the `NOT_HANDLED_NOTICE`, issued and not voided; otherwise `DECISION_NOT_ISSUED` with
    /// `extensions.kind` naming it. A withdrawn or lapsed application, and an imported case,
    /// need none.
    async fn archive_case(&self, ctx: &Context<'_>, input: CaseChangeInput) -> ApiResult<CaseNode> {
        change(ctx, input, WORKERS, |on| event(Event::Archived { on })).await
    }

    /// Loads (or amends) a year's State Council holiday notice, in the JSON shape of
    /// `cn-official-holidays.json` for one year. The reply due dates of open cases are
    /// recomputed. System administrators only.
    async fn load_calendar_year(&self, ctx: &Context<'_>, year: i32, notice_json: String) -> ApiResult<CalendarView> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        viewer.require_role(&[roles::SYSTEM_ADMIN], "loading a calendar year").map_err(ext)?;
        let s = state(ctx);
        let notice: foi_domain::calendar::YearNotice = serde_json::from_str(&notice_json)
            .map_err(|e| ext(ApiError::validation("noticeJson", format!("not a year notice: {e}"))))?;
        let current = s.calendar();
        let updated = current
            .with_notice(year, notice.clone())
            .map_err(|e| ext(ApiError::validation("noticeJson", e.to_string())))?;
        s.store
            .upsert_calendar_year(foi_store::NewCalendarYear {
                year,
                data: serde_json::to_value(&notice).map_err(|_| ext(ApiError::Internal))?,
                version: updated.version().to_string(),
                loaded_by: viewer.label(),
                loaded_at: s.clock.now(),
            })
            .await
            .map_err(ext)?;
        let updated = std::sync::Arc::new(updated);
        s.store.refresh_due_dates(&updated, today(ctx)).await.map_err(ext)?;
        if let Ok(mut slot) = s.calendar.write() {
            *slot = std::sync::Arc::clone(&updated);
        }
        Ok(CalendarView { years: updated.loaded_years(), version: updated.version().to_string() })
    }
}
