//! Which steps the law allows a case now, and why the others are not allowed.
//!
//! A form shows only the actions that can succeed, with the reason beside each one that cannot.
//! The answer comes from the same transition table and guards that decide a real change
//! ([`Case::apply`]); nothing is written twice. Each kind of event is tried on the case, on
//! the given day, with representative facts ([`probe`]): a reply "disclosed", a fee of one yuan,
//! an extension of the days requested. A guard that depends on what a user types (a legal basis,
//! a period) may still refuse the real request; such a refusal names its field.

use time::Date;

use crate::applicant::Channel;
use crate::fee::FeeBasis;
use crate::lifecycle::{
    Case, ConsultationResult, ConsultedParty, Context, Event, EventKind, NotHandledReason, Stage, TransitionError,
};
use crate::outcome::Outcome;

/// Whether one kind of event may be recorded now, and if not, the refusal the change would
/// get (its message cites the article).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    /// The kind of event.
    pub kind: EventKind,
    /// `None`: allowed; otherwise why not.
    pub refusal: Option<TransitionError>,
}

/// Every kind of event a person records on a case (not the online submission that opens it,
/// nor a service, which belongs to a document), each tried on `case` on `on`.
pub fn availability(case: &Case, ctx: Context<'_>, on: Date) -> Vec<Availability> {
    EventKind::ALL
        .into_iter()
        .filter(|k| !matches!(k, EventKind::Submitted | EventKind::Served))
        .map(|kind| {
            let event = probe(case, kind, on);
            Availability { kind, refusal: case.apply(&event, ctx).err() }
        })
        .collect()
}

/// An event of `kind` on `on` with representative facts for `case`.
pub fn probe(case: &Case, kind: EventKind, on: Date) -> Event {
    let dash = || "—".to_owned();
    match kind {
        EventKind::Submitted => Event::Submitted { on, received_on: None },
        EventKind::Received => Event::Received { on, channel: case.channel.unwrap_or(Channel::Online) },
        EventKind::Registered => Event::Registered { on, case_number: dash() },
        EventKind::Accepted => Event::Accepted { on },
        EventKind::Assigned => Event::Assigned { on, officer: dash() },
        EventKind::CorrectionRequested => Event::CorrectionRequested { on, items: vec![dash()], period_wd: None },
        EventKind::CorrectionReceived => Event::CorrectionReceived { on },
        EventKind::CorrectionLapsed => Event::CorrectionLapsed { on },
        EventKind::ReasonsRequested => Event::ReasonsRequested { on },
        EventKind::ReasonsGiven => Event::ReasonsGiven { on },
        EventKind::ReasonsReceived => Event::ReasonsReceived { on },
        // Reg. 35: a later date than the reply would otherwise be due; a year on is later.
        EventKind::LaterReplyDateSet => {
            Event::LaterReplyDateSet { on, reply_by: on.checked_add(time::Duration::days(365)).unwrap_or(on) }
        }
        EventKind::ConsultationOpened => {
            Event::ConsultationOpened { on, party: ConsultedParty::ThirdParty, name: dash() }
        }
        EventKind::ConsultationClosed => {
            // The first open consultation; with none open, one past the last (refused).
            let open = case.consultations.iter().position(|c| c.closed.is_none());
            let number = open.unwrap_or(case.consultations.len()) + 1;
            Event::ConsultationClosed {
                on,
                number: u32::try_from(number).unwrap_or(u32::MAX),
                result: ConsultationResult::Consented,
            }
        }
        EventKind::ExtensionRequested => Event::ExtensionRequested { on, working_days: 20, reason: dash() },
        EventKind::ExtensionRefused => Event::ExtensionRefused { on, approver: dash(), reason: dash() },
        EventKind::Extended => Event::Extended {
            on,
            working_days: case.extension_request.as_ref().map_or(20, |r| r.working_days),
            approver: dash(),
            reason: Some(case.extension_request.as_ref().map_or_else(dash, |r| r.reason.clone())),
        },
        EventKind::FeeNoticeIssued => Event::FeeNoticeIssued { on, amount_yuan: 1, basis: FeeBasis::PerApplication },
        EventKind::FeePaid => Event::FeePaid { on },
        EventKind::FeeLapsed => Event::FeeLapsed { on },
        EventKind::Replied => Event::reply(on, Outcome::Disclosed),
        EventKind::NotHandled => Event::NotHandled {
            on,
            // Reg. 35: after a request for reasons only "excessive" is given.
            reason: if case.stage == Stage::AwaitingReasons {
                NotHandledReason::Excessive
            } else {
                NotHandledReason::Petition
            },
            explanation: dash(),
        },
        EventKind::Withdrawn => Event::Withdrawn { on },
        EventKind::Archived => Event::Archived { on },
        EventKind::Served => Event::Served {
            on,
            notice: crate::service::ServedNotice::Decision,
            method: crate::service::ServiceMethod::InPerson,
            document_id: None,
            recipient: None,
        },
    }
}
