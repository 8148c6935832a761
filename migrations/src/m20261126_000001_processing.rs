//! The processing figures and table 四 (rules.md §4):
//!
//! - `cases.wd_used` and `cases.limit_due_on`: for a case concluded by a reply, the working
//!   days its reply clock had counted on the day of the reply, and the last day of its
//!   limit then (after any extension and pause). Cached when the reply is recorded, so that
//!   "on time", "late" and the days-to-reply distribution are plain SQL aggregates.
//! - `challenges`: administrative reconsideration and litigation against a reply, with
//!   their result, counted in table 四 of the annual report.
//! - an index of `case_events` by kind and date, for the counts of consultations,
//!   corrections and extensions in a period.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::names::*;
use crate::{index, unique_index};

/// Statistics: received in a period, per agency and applicant kind (index-only).
const IX_CASES_STATS_RECEIVED: &str = "ix_cases_stats_received";
/// Statistics: concluded in a period or still open (NULL), per agency (index-only).
const IX_CASES_STATS_CONCLUDED: &str = "ix_cases_stats_concluded";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one change per ALTER TABLE.
        manager
            .alter_table(Table::alter().table(Cases::Table).add_column(integer_null(Cases::WdUsed)).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Cases::Table).add_column(date_null(Cases::LimitDueOn)).to_owned())
            .await?;
        index(manager, "ix_case_events_kind_on", CaseEvents::Table, [CaseEvents::Kind, CaseEvents::OccurredOn]).await?;

        // Covering indexes for the statistics, so that a year of a province is counted from
        // the indexes alone, never by fetching a million rows: received in a period by agency
        // and applicant kind; concluded (or still open: NULL) by agency, with what the counts
        // and the reply timing need. They replace the two narrower indexes of the first
        // migration, which are their prefixes.
        manager.drop_index(Index::drop().name("ix_cases_agency_received").table(Cases::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_cases_agency_concluded").table(Cases::Table).to_owned()).await?;
        index(
            manager,
            IX_CASES_STATS_RECEIVED,
            Cases::Table,
            [Cases::AgencyId, Cases::ReceivedOn, Cases::ApplicantKind],
        )
        .await?;
        index(
            manager,
            IX_CASES_STATS_CONCLUDED,
            Cases::Table,
            [
                Cases::AgencyId,
                Cases::ConcludedOn,
                Cases::ReceivedOn,
                Cases::ApplicantKind,
                Cases::Outcome,
                Cases::WdUsed,
                Cases::LimitDueOn,
            ],
        )
        .await?;

        // challenges: one row per reconsideration or suit against a case's reply. `agency_id`
        // repeats the case's agency so that table 四 is one grouped select.
        manager
            .create_table(
                Table::create()
                    .table(Challenges::Table)
                    .col(pk_uuid(Challenges::Id))
                    .col(uuid(Challenges::CaseId))
                    .col(uuid(Challenges::AgencyId))
                    .col(text(Challenges::Kind))
                    .col(date(Challenges::FiledOn))
                    .col(text(Challenges::Result))
                    .col(date_null(Challenges::DecidedOn))
                    .col(text(Challenges::Body))
                    .col(text_null(Challenges::Reference))
                    .col(timestamp_with_time_zone(Challenges::CreatedAt))
                    .col(timestamp_with_time_zone(Challenges::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_challenges_case")
                            .from(Challenges::Table, Challenges::CaseId)
                            .to(Cases::Table, Cases::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        unique_index(manager, UX_CHALLENGES_CASE_KIND, Challenges::Table, [Challenges::CaseId, Challenges::Kind])
            .await?;
        index(manager, "ix_challenges_agency_filed", Challenges::Table, [Challenges::AgencyId, Challenges::FiledOn])
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Challenges::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_case_events_kind_on").table(CaseEvents::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(IX_CASES_STATS_CONCLUDED).table(Cases::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(IX_CASES_STATS_RECEIVED).table(Cases::Table).to_owned()).await?;
        index(manager, "ix_cases_agency_received", Cases::Table, [Cases::AgencyId, Cases::ReceivedOn]).await?;
        index(manager, "ix_cases_agency_concluded", Cases::Table, [Cases::AgencyId, Cases::ConcludedOn]).await?;
        manager.alter_table(Table::alter().table(Cases::Table).drop_column(Cases::LimitDueOn).to_owned()).await?;
        manager.alter_table(Table::alter().table(Cases::Table).drop_column(Cases::WdUsed).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    AgencyId,
    ReceivedOn,
    ConcludedOn,
    ApplicantKind,
    Outcome,
    WdUsed,
    LimitDueOn,
}

#[derive(DeriveIden)]
enum CaseEvents {
    Table,
    Kind,
    OccurredOn,
}

#[derive(DeriveIden)]
enum Challenges {
    Table,
    Id,
    CaseId,
    AgencyId,
    Kind,
    FiledOn,
    Result,
    DecidedOn,
    Body,
    Reference,
    CreatedAt,
    UpdatedAt,
}
