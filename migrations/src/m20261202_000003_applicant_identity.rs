//! One applicant identity per resident ID number or unified social credit code (issue 10,
//! item 9): `ux_accounts_identity`, unique over `(accounts.id_document_kind,
//! accounts.id_number)`. Staff accounts have no identity number (NULL), and NULLs never
//! collide on either backend, so the index binds applicants only. Two registrations with the
//! same number racing on PostgreSQL cannot both commit: the second insert fails on the index.
//!
//! `ix_cases_applicant_identity` over `(cases.applicant_id_number, cases.received_on)`: the
//! fee is counted per applicant per calendar month across accounts and offline-recorded
//! applications (`Case.feeQuote`), by identity number.
//!
//! Before the index, identity numbers (of accounts and of cases) are normalised the way the domain writes them
//! (`identity::ResidentId`, `SocialCreditCode`: upper-case, so the check letter is `X`).
//! A database that already holds one identity on several accounts is **not** merged
//! silently: the migration fails, naming the account ids that share each number (never the
//! number itself: it is personal data), and says what to do. Nothing is changed then (the
//! migration runs in one transaction): disable or delete the extra accounts, or merge their
//! cases into one account, then run `foi migrate` again.

use std::collections::BTreeMap;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::sea_orm::prelude::Uuid;

use crate::{index, names, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let upper = Query::update()
            .table(Accounts::Table)
            .value(Accounts::IdNumber, Func::upper(Expr::col(Accounts::IdNumber)))
            .and_where(Expr::col(Accounts::IdNumber).is_not_null())
            .to_owned();
        db.execute(&upper).await?;
        let upper_cases = Query::update()
            .table(Cases::Table)
            .value(Cases::ApplicantIdNumber, Func::upper(Expr::col(Cases::ApplicantIdNumber)))
            .and_where(Expr::col(Cases::ApplicantIdNumber).is_not_null())
            .to_owned();
        db.execute(&upper_cases).await?;
        index(manager, "ix_cases_applicant_identity", Cases::Table, [Cases::ApplicantIdNumber, Cases::ReceivedOn])
            .await?;

        let select = Query::select()
            .columns([Accounts::Id, Accounts::IdDocumentKind, Accounts::IdNumber])
            .from(Accounts::Table)
            .and_where(Expr::col(Accounts::IdNumber).is_not_null())
            .to_owned();
        let mut holders: BTreeMap<(String, String), Vec<Uuid>> = BTreeMap::new();
        for row in db.query_all(&select).await? {
            let id: Uuid = row.try_get("", "id")?;
            let kind: Option<String> = row.try_get("", "id_document_kind")?;
            let number: String = row.try_get("", "id_number")?;
            holders.entry((kind.unwrap_or_default(), number)).or_default().push(id);
        }
        let shared: Vec<String> = holders
            .into_iter()
            .filter(|(_, ids)| ids.len() > 1)
            .map(|((kind, _), ids)| {
                let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
                format!("{kind}: accounts {}", ids.join(", "))
            })
            .collect();
        if !shared.is_empty() {
            return Err(DbErr::Migration(format!(
                "{} identity number(s) are registered on more than one applicant account; one identity may have one \
                 account (issue 10). Accounts sharing a number: {}. Keep one account per number (disable or delete \
                 the others, after moving their cases to it), then run `foi migrate` again; nothing was changed",
                shared.len(),
                shared.join("; ")
            )));
        }
        unique_index(
            manager,
            names::UX_ACCOUNTS_IDENTITY,
            Accounts::Table,
            [Accounts::IdDocumentKind, Accounts::IdNumber],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_cases_applicant_identity").table(Cases::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(names::UX_ACCOUNTS_IDENTITY).table(Accounts::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    IdDocumentKind,
    IdNumber,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    ApplicantIdNumber,
    ReceivedOn,
}
