//! Applying without an account (issue 11): the application form of Reg. 29, filled by anyone,
//! answered with an application number (申请编号) and a query code (查询码) with which the
//! applicant follows the case.
//!
//! There is no second way in. The submission creates an applicant account that follows
//! exactly this application (role [`roles::CASE_FOLLOWER`]): its login is the application
//! number and its password the query code, hashed with argon2id like any password. Signing
//! in with the two (`signIn`) gives an ordinary applicant session, so everything the
//! applicant may see or do on the case is decided by the same authorisation as for a
//! registered applicant, and guessing a code meets the same per-login and per-address
//! delays. The identity number and contact details are stored on the case (as for an
//! application a clerk records), not on the account, so a person may apply this way as
//! often as they need and also hold a registered account.
//!
//! Submissions without an account from one address are limited like registrations
//! (`RATE_LIMITED`), and at most one is made per request (`ONE_SIGN_IN_PER_REQUEST`), since
//! each hashes a code.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};
use foi_domain::applicant::ApplicantKind;
use foi_store::{ApplicantDetails, NewAccount, NewApplication, StoreError};

use crate::ApiState;
use crate::auth::roles;
use crate::enums;
use crate::error::ApiError;
use crate::text;
use crate::types::{AccountNode, SessionView};

type ApiResult<T> = Result<T, async_graphql::Error>;

/// The characters of a query code: digits and capital letters without the ones read alike
/// (0/O, 1/I/L), so that it can be read out on the phone and typed on one.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters in a query code: 31^10 ≈ 2^49.5 codes.
const CODE_LENGTH: usize = 10;
/// Attempts at a free application number before giving up (a clash is one in a million).
const NUMBER_ATTEMPTS: usize = 5;

fn state<'a>(ctx: &'a Context<'_>) -> &'a ApiState {
    ctx.data_unchecked::<ApiState>()
}

fn ext(e: impl Into<ApiError>) -> async_graphql::Error {
    e.into().extend()
}

/// Whether `login` has the form of an application number (14 digits): such logins are kept
/// for applications without an account.
pub fn is_application_number(login: &str) -> bool {
    login.len() == 14 && login.bytes().all(|b| b.is_ascii_digit())
}

/// A fresh application number: the day of submission and six random digits,
/// e.g. `20261130482913`.
fn application_number(today: time::Date) -> Result<String, ApiError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|_| ApiError::Internal)?;
    let serial = u32::from_le_bytes(bytes) % 1_000_000;
    Ok(format!("{:04}{:02}{:02}{serial:06}", today.year(), u8::from(today.month()), today.day()))
}

/// A fresh query code of [`CODE_LENGTH`] characters of [`CODE_ALPHABET`], drawn without bias.
fn query_code() -> Result<String, ApiError> {
    let mut code = String::with_capacity(CODE_LENGTH);
    while code.len() < CODE_LENGTH {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| ApiError::Internal)?;
        // 248 = 8 × 31: bytes above it would favour the first characters.
        for b in bytes.into_iter().filter(|b| *b < 248) {
            if code.len() == CODE_LENGTH {
                break;
            }
            code.push(char::from(CODE_ALPHABET[usize::from(b) % CODE_ALPHABET.len()]));
        }
    }
    Ok(code)
}

/// Who applies (Reg. 29 (1)): name, identity document and contact details.
#[derive(InputObject)]
pub struct ApplicantInput {
    /// The person's name, or the organisation's name.
    pub name: String,
    /// A natural person, or which kind of organisation (the statistics column).
    pub kind: enums::ApplicantKind,
    /// Resident ID number (GB 11643) for a natural person; unified social credit code
    /// (GB 32100) for an organisation.
    pub id_number: String,
    /// Phone. At least one of phone, e-mail and address is required (Reg. 29: 联系方式).
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Postal address.
    pub address: Option<String>,
}

/// An application submitted without an account (Reg. 29).
#[derive(InputObject)]
pub struct ApplyWithoutAccountInput {
    /// The agency applied to (`agencies`).
    pub agency_code: String,
    /// Who applies.
    pub applicant: ApplicantInput,
    /// The information sought: a title, a document number (Reg. 29 (2)).
    pub subject: String,
    /// Further features of the information that help find it.
    pub description: Option<String>,
    /// The form wanted (Reg. 29 (3)).
    pub form_wanted: enums::FormWanted,
    /// How it is to be delivered (Reg. 29 (3)).
    pub delivery_method: enums::DeliveryMethod,
}

/// The answer to `applyWithoutAccount`: what the applicant keeps to follow the case. The
/// query code is shown only here, once; only its hash is stored.
#[derive(SimpleObject)]
pub struct ApplicationReceipt {
    /// The application number (申请编号), e.g. `20261130482913`: with the query code, the
    /// `login` of `signIn`.
    pub application_number: String,
    /// The query code (查询码), e.g. `7KQ2MZP4XA`: the `password` of `signIn`. Shown once.
    pub query_code: String,
    /// A session already signed in as the application's follower, to read the case at once.
    pub session: SessionView,
    /// The case's id (`case(id:)`).
    pub case_id: async_graphql::ID,
}

/// Applying without an account.
#[derive(Default)]
pub struct GuestMutation;

#[Object]
impl GuestMutation {
    /// Submits an application without an account (Reg. 29). The answer gives an application
    /// number and a query code, shown once: sign in with them (`signIn(login: number,
    /// password: code)`) to follow the case, read its documents and act on it as its
    /// applicant. The identity number is checked (GB 11643, GB 32100), and at least one of
    /// phone, e-mail and address is required. The date of receipt follows the agency's rule,
    /// as for `submitApplication`. Submissions from one address are limited like
    /// registrations (`RATE_LIMITED`).
    async fn apply_without_account(
        &self,
        ctx: &Context<'_>,
        input: ApplyWithoutAccountInput,
    ) -> ApiResult<ApplicationReceipt> {
        crate::sign_in::count_registration(ctx).await?;
        let s = state(ctx);
        let agency = crate::schema::agency_by_code(ctx, "input.agencyCode", &input.agency_code).await.map_err(ext)?;
        let a = input.applicant;
        let kind = ApplicantKind::from(a.kind);
        let name = text::required("input.applicant.name", &a.name, text::NAME).map_err(ext)?;
        let id_number = crate::schema::check_identity(
            "input.applicant.idNumber",
            kind,
            &text::bounded("input.applicant.idNumber", &a.id_number, text::ID_NUMBER).map_err(ext)?,
        )
        .map_err(ext)?;
        let phone = text::optional("input.applicant.phone", a.phone, text::PHONE).map_err(ext)?;
        let email = text::optional("input.applicant.email", a.email, text::EMAIL).map_err(ext)?;
        let address = text::optional("input.applicant.address", a.address, text::ADDRESS).map_err(ext)?;
        if phone.is_none() && email.is_none() && address.is_none() {
            return Err(ext(ApiError::validation(
                "input.applicant.phone",
                "give a phone number, an e-mail or a postal address, so that the agency can reach you (Reg. 29)",
            )));
        }
        let application = NewApplication {
            agency_id: agency.id,
            applicant_id: None,
            applicant: ApplicantDetails { name: name.clone(), kind, id_number: Some(id_number), phone, email, address },
            subject: text::required("input.subject", &input.subject, text::SUBJECT).map_err(ext)?,
            description: crate::schema::description(input.description.as_deref()).map_err(ext)?,
            form_wanted: input.form_wanted.into(),
            delivery: input.delivery_method.into(),
        };
        let today = s.clock.today();
        let calendar = s.calendar();
        // Reg. 31(3): the agency's rule fixes the date of receipt, as for `submitApplication`.
        let first = crate::schema::online_submission(&agency, &calendar, today).map_err(ext)?;
        let code = query_code().map_err(ext)?;
        let password_hash = crate::sign_in::hash_secret(ctx, code.clone()).await?;
        let now = s.clock.now();
        for _ in 0..NUMBER_ATTEMPTS {
            let number = application_number(today).map_err(ext)?;
            let account = NewAccount {
                kind: "applicant".into(),
                login: number.clone(),
                password_hash: password_hash.clone(),
                display_name: name.clone(),
                roles: vec![roles::CASE_FOLLOWER.to_owned()],
                applicant_kind: Some(kind.code().to_owned()),
                ..NewAccount::default()
            };
            let application = application.clone();
            let (calendar, first) = (calendar.clone(), first.clone());
            // The account, the case with its first event, and the session: all or nothing.
            let made = s
                .store
                .transaction(|txn| {
                    Box::pin(async move {
                        let account = txn.create_account(account).await?;
                        let application = NewApplication { applicant_id: Some(account.id), ..application };
                        let actor = foi_store::Actor {
                            account_id: Some(account.id),
                            label: format!("{} (applicant)", account.display_name),
                        };
                        let opened = txn.open_case(application, first, &actor, &calendar, now, false).await?;
                        let session = txn.create_session(account.id, now, crate::schema::SESSION_TTL).await?;
                        Ok::<_, foi_store::WorkflowError>((account, opened, session))
                    })
                })
                .await;
            match made {
                Ok((account, opened, session)) => {
                    s.queue_feed.publish(&opened.record);
                    return Ok(ApplicationReceipt {
                        application_number: number,
                        query_code: code,
                        session: SessionView {
                            token: session.token,
                            expires_at: session.session.expires_at,
                            account: AccountNode(account),
                        },
                        case_id: async_graphql::ID(opened.record.id.to_string()),
                    });
                }
                // The number is taken: draw another.
                Err(foi_store::WorkflowError::Store(StoreError::UniqueViolation { .. })) => continue,
                Err(e) => return Err(ext(ApiError::from(e))),
            }
        }
        Err(ext(ApiError::Internal))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn application_numbers_are_the_day_and_six_digits() {
        let number = application_number(date!(2026 - 02 - 22)).unwrap();
        assert!(number.starts_with("20260222"), "{number}");
        assert!(is_application_number(&number), "{number}");
        assert!(!is_application_number("2026022248291"), "13 digits");
        assert!(!is_application_number("2026022248291X"));
        assert!(!is_application_number("zhangsan"));
    }

    #[test]
    fn query_codes_use_only_the_unambiguous_characters() {
        let codes: Vec<String> = (0..200).map(|_| query_code().unwrap()).collect();
        for code in &codes {
            assert_eq!(code.len(), CODE_LENGTH);
            assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
            assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        }
        let distinct: std::collections::HashSet<&String> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len(), "no repeats among 200 codes");
    }
}
