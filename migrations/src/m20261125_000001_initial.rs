//! The first schema: agencies, accounts, sessions, cases and their event log, the loaded
//! calendar years and the numbering sequences.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::names::*;
use crate::{index, unique_index};

/// Default case-number pattern: agency prefix, year in hexagonal brackets, yearly sequence
/// (rules.md §2, Registration): `游府信申〔2026〕17号`.
const DEFAULT_CASE_NUMBER_PATTERN: &str = "{prefix}〔{year}〕{seq}号";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// Run in a transaction on SQLite too (its DDL is transactional): a failed first start
    /// must not leave half a schema behind.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // agencies: a tree (district government, its departments, towns and streets), each
        // with its own numbering, reconsideration body and configurable limits (rules.md).
        manager
            .create_table(
                Table::create()
                    .table(Agencies::Table)
                    .col(pk_uuid(Agencies::Id))
                    .col(text(Agencies::Code))
                    .col(text(Agencies::Name))
                    .col(uuid_null(Agencies::ParentId))
                    .col(text(Agencies::CasePrefix))
                    .col(text(Agencies::CaseNumberPattern).default(DEFAULT_CASE_NUMBER_PATTERN))
                    .col(text(Agencies::ReconsiderationBody))
                    .col(
                        integer(Agencies::CorrectionPeriodWd)
                            .default(15)
                            .check(Expr::col(Agencies::CorrectionPeriodWd).gt(0)),
                    )
                    .col(integer(Agencies::DueSoonWd).default(5).check(Expr::col(Agencies::DueSoonWd).gte(0)))
                    .col(boolean(Agencies::FeePausesClock).default(true))
                    .col(timestamp_with_time_zone(Agencies::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agencies_parent")
                            .from(Agencies::Table, Agencies::ParentId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        unique_index(manager, UX_AGENCIES_CODE, Agencies::Table, [Agencies::Code]).await?;
        index(manager, "ix_agencies_parent", Agencies::Table, [Agencies::ParentId]).await?;

        // accounts: applicants and staff. Roles are a comma-separated list; the API layer owns
        // their meaning. The password is an argon2id PHC string, never the password.
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(pk_uuid(Accounts::Id))
                    .col(text(Accounts::Kind).check(Expr::col(Accounts::Kind).is_in(["applicant", "staff"])))
                    .col(text(Accounts::Login))
                    .col(text(Accounts::PasswordHash))
                    .col(text(Accounts::DisplayName))
                    .col(uuid_null(Accounts::AgencyId))
                    .col(text(Accounts::Roles).default(""))
                    .col(text_null(Accounts::ApplicantKind))
                    .col(text_null(Accounts::IdDocumentKind))
                    .col(text_null(Accounts::IdNumber))
                    .col(text_null(Accounts::Phone))
                    .col(text_null(Accounts::Email))
                    .col(text_null(Accounts::Address))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone_null(Accounts::DisabledAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_agency")
                            .from(Accounts::Table, Accounts::AgencyId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        unique_index(manager, UX_ACCOUNTS_LOGIN, Accounts::Table, [Accounts::Login]).await?;
        index(manager, "ix_accounts_agency", Accounts::Table, [Accounts::AgencyId]).await?;

        // sessions: only the SHA-256 of the bearer token is kept, so a leaked table cannot be
        // replayed.
        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(text(Sessions::TokenHash).primary_key())
                    .col(uuid(Sessions::AccountId))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sessions_account")
                            .from(Sessions::Table, Sessions::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, "ix_sessions_account", Sessions::Table, [Sessions::AccountId]).await?;

        // cases: every Reg. 29 field, the channel, the derived dates (a cache of what the domain
        // computes from the event log and the calendar) and the optimistic-lock version.
        manager
            .create_table(
                Table::create()
                    .table(Cases::Table)
                    .col(pk_uuid(Cases::Id))
                    .col(uuid(Cases::AgencyId))
                    .col(uuid_null(Cases::ApplicantId))
                    .col(text_null(Cases::CaseNumber))
                    .col(integer_null(Cases::CaseYear))
                    .col(text(Cases::Stage))
                    .col(text_null(Cases::Outcome))
                    .col(text(Cases::Channel))
                    .col(text(Cases::Subject))
                    .col(text(Cases::Description))
                    .col(text(Cases::FormWanted))
                    .col(text(Cases::DeliveryMethod))
                    .col(text(Cases::ApplicantName))
                    .col(text(Cases::ApplicantKind))
                    .col(text_null(Cases::ApplicantIdNumber))
                    .col(text_null(Cases::ApplicantPhone))
                    .col(text_null(Cases::ApplicantEmail))
                    .col(text_null(Cases::ApplicantAddress))
                    .col(timestamp_with_time_zone_null(Cases::SubmittedAt))
                    .col(date_null(Cases::ReceivedOn))
                    .col(date_null(Cases::ClockStartOn))
                    .col(date_null(Cases::ReplyDueOn))
                    .col(date_null(Cases::ConcludedOn))
                    .col(uuid_null(Cases::AssigneeId))
                    .col(text(Cases::StateJson))
                    .col(big_integer(Cases::Version).default(1).check(Expr::col(Cases::Version).gte(1)))
                    .col(boolean(Cases::Imported).default(false))
                    .col(timestamp_with_time_zone(Cases::CreatedAt))
                    .col(timestamp_with_time_zone(Cases::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cases_agency")
                            .from(Cases::Table, Cases::AgencyId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cases_applicant")
                            .from(Cases::Table, Cases::ApplicantId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cases_assignee")
                            .from(Cases::Table, Cases::AssigneeId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        unique_index(manager, UX_CASES_CASE_NUMBER, Cases::Table, [Cases::CaseNumber]).await?;
        // The clerk queue: open cases of an agency by stage, ordered by the statutory due date.
        index(manager, "ix_cases_agency_stage_due", Cases::Table, [Cases::AgencyId, Cases::Stage, Cases::ReplyDueOn])
            .await?;
        // An applicant's own cases.
        index(manager, "ix_cases_applicant", Cases::Table, [Cases::ApplicantId]).await?;
        // Statistics: received in a period, concluded in a period, per agency.
        index(manager, "ix_cases_agency_received", Cases::Table, [Cases::AgencyId, Cases::ReceivedOn]).await?;
        index(manager, "ix_cases_agency_concluded", Cases::Table, [Cases::AgencyId, Cases::ConcludedOn]).await?;

        // case_events: the audit trail and the truth the case row is derived from.
        manager
            .create_table(
                Table::create()
                    .table(CaseEvents::Table)
                    .col(pk_uuid(CaseEvents::Id))
                    .col(uuid(CaseEvents::CaseId))
                    .col(big_integer(CaseEvents::Seq).check(Expr::col(CaseEvents::Seq).gte(1)))
                    .col(text(CaseEvents::Kind))
                    .col(text(CaseEvents::Payload))
                    .col(date(CaseEvents::OccurredOn))
                    .col(timestamp_with_time_zone(CaseEvents::RecordedAt))
                    .col(uuid_null(CaseEvents::ActorId))
                    .col(text(CaseEvents::ActorLabel))
                    .col(text_null(CaseEvents::Reason))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_case_events_case")
                            .from(CaseEvents::Table, CaseEvents::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        unique_index(manager, UX_CASE_EVENTS_CASE_SEQ, CaseEvents::Table, [CaseEvents::CaseId, CaseEvents::Seq])
            .await?;

        // calendar_years: one State Council notice per year, versioned (a notice can be
        // amended during its year).
        manager
            .create_table(
                Table::create()
                    .table(CalendarYears::Table)
                    .col(integer(CalendarYears::Year).primary_key())
                    .col(text(CalendarYears::Data))
                    .col(text(CalendarYears::Version))
                    .col(timestamp_with_time_zone(CalendarYears::LoadedAt))
                    .col(text(CalendarYears::LoadedBy))
                    .to_owned(),
            )
            .await?;

        // sequences: gap-free yearly numbers per agency and kind ("case" or a document type).
        // `next_value` is the number the next allocation hands out.
        manager
            .create_table(
                Table::create()
                    .table(Sequences::Table)
                    .col(uuid(Sequences::AgencyId))
                    .col(integer(Sequences::Year))
                    .col(text(Sequences::Kind))
                    .col(big_integer(Sequences::NextValue).default(1).check(Expr::col(Sequences::NextValue).gte(1)))
                    .primary_key(Index::create().col(Sequences::AgencyId).col(Sequences::Year).col(Sequences::Kind))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sequences_agency")
                            .from(Sequences::Table, Sequences::AgencyId)
                            .to(Agencies::Table, Agencies::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Sequences::Table.into_iden(),
            CalendarYears::Table.into_iden(),
            CaseEvents::Table.into_iden(),
            Cases::Table.into_iden(),
            Sessions::Table.into_iden(),
            Accounts::Table.into_iden(),
            Agencies::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Agencies {
    Table,
    Id,
    Code,
    Name,
    ParentId,
    CasePrefix,
    CaseNumberPattern,
    ReconsiderationBody,
    CorrectionPeriodWd,
    DueSoonWd,
    FeePausesClock,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Kind,
    Login,
    PasswordHash,
    DisplayName,
    AgencyId,
    Roles,
    ApplicantKind,
    IdDocumentKind,
    IdNumber,
    Phone,
    Email,
    Address,
    CreatedAt,
    DisabledAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    TokenHash,
    AccountId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    AgencyId,
    ApplicantId,
    CaseNumber,
    CaseYear,
    Stage,
    Outcome,
    Channel,
    Subject,
    Description,
    FormWanted,
    DeliveryMethod,
    ApplicantName,
    ApplicantKind,
    ApplicantIdNumber,
    ApplicantPhone,
    ApplicantEmail,
    ApplicantAddress,
    SubmittedAt,
    ReceivedOn,
    ClockStartOn,
    ReplyDueOn,
    ConcludedOn,
    AssigneeId,
    StateJson,
    Version,
    Imported,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CaseEvents {
    Table,
    Id,
    CaseId,
    Seq,
    Kind,
    Payload,
    OccurredOn,
    RecordedAt,
    ActorId,
    ActorLabel,
    Reason,
}

#[derive(DeriveIden)]
enum CalendarYears {
    Table,
    Year,
    Data,
    Version,
    LoadedAt,
    LoadedBy,
}

#[derive(DeriveIden)]
enum Sequences {
    Table,
    AgencyId,
    Year,
    Kind,
    NextValue,
}
