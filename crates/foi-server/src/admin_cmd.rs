//! `foi admin …`: set up a fresh installation without SQL: the agency tree and the staff
//! who sign in to work its cases. The checks and the writes are `foi_server::admin`'s; this
//! module parses arguments and prints results.

use std::io::{BufRead as _, IsTerminal as _};

use clap::builder::PossibleValuesParser;
use clap::{ArgGroup, Args, Subcommand};
use foi_domain::case_number::CaseNumberPattern;
use foi_server::admin::{self, AdminError, AgencySpec, ContactSpec, STAFF_ROLES, StaffSpec};
use foi_server::db;

use crate::{DatabaseArgs, Failure};

/// Arguments of `foi admin`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create an agency (机关): a district government, one of its departments, a town or a street.
    CreateAgency(CreateAgencyArgs),
    /// Create a staff account with one or more roles.
    CreateStaff(CreateStaffArgs),
    /// List the agencies, with their parents and case-number prefixes.
    ListAgencies,
    /// Set how an agency fixes the date of receipt of online submissions (Reg. 31(3)).
    SetOnlineReceipt(SetOnlineReceiptArgs),
    /// Set an agency's contact block (printed on every letter to a party) and how to pay its
    /// fees (printed on the fee notice). Flags left out keep their value; an empty one clears it.
    AgencyContact(AgencyContactArgs),
}

#[derive(Debug, Args)]
struct AgencyContactArgs {
    /// Code of the agency.
    #[arg(long, value_name = "CODE")]
    agency: String,
    /// 政府信息公开工作机构: the disclosure office, e.g. 绵阳市游仙区人民政府办公室政务公开科.
    #[arg(long, value_name = "TEXT")]
    office: Option<String>,
    /// 通讯地址: postal address.
    #[arg(long, value_name = "TEXT")]
    address: Option<String>,
    /// 邮政编码: six digits (optional on letters).
    #[arg(long, value_name = "DIGITS")]
    postcode: Option<String>,
    /// 联系电话: telephone with area code, e.g. 0816-2345678.
    #[arg(long, value_name = "TEXT")]
    phone: Option<String>,
    /// 联系人: contact person.
    #[arg(long, value_name = "NAME")]
    contact_person: Option<String>,
    /// 缴费方式: how to pay an information-processing fee (payee, account, bank, reference).
    #[arg(long, value_name = "TEXT")]
    payment_instructions: Option<String>,
}

#[derive(Debug, Args)]
struct SetOnlineReceiptArgs {
    /// Code of the agency.
    #[arg(long, value_name = "CODE")]
    agency: String,
    /// SUBMISSION_DAY: received on the day submitted, or the next working day (the common
    /// provincial rule); CLERK_CONFIRMATION: received on the day a clerk signs for it (签收).
    #[arg(long, value_name = "RULE", value_parser = parse_online_receipt)]
    online_receipt: foi_domain::applicant::OnlineReceipt,
}

fn parse_online_receipt(text: &str) -> Result<foi_domain::applicant::OnlineReceipt, String> {
    text.parse().map_err(|e: foi_domain::applicant::ParseApplicantError| e.to_string())
}

#[derive(Debug, Args)]
struct CreateAgencyArgs {
    /// Short unique code, e.g. youxian (ASCII letters, digits, '-', '_').
    #[arg(long)]
    code: String,
    /// Full name, e.g. 游仙区人民政府.
    #[arg(long)]
    name: String,
    /// Code of the agency above this one (none for the district government).
    #[arg(long, value_name = "CODE")]
    parent: Option<String>,
    /// Prefix of case numbers, e.g. 游府信申 [default: the name followed by 信申].
    #[arg(long, value_name = "PREFIX")]
    case_prefix: Option<String>,
    /// Case-number pattern with {prefix}, {year} and {seq} or {seq:N} [default: {prefix}〔{year}〕{seq}号].
    #[arg(long, value_name = "PATTERN")]
    case_number_pattern: Option<String>,
    /// Reconsideration body (复议机关) named in replies [default: the parent agency's name;
    /// required without --parent].
    #[arg(long, value_name = "TEXT")]
    reconsideration_body: Option<String>,
    /// Correction period in working days (Reg. 30) [default: 15].
    #[arg(long, value_name = "N")]
    correction_period_wd: Option<i32>,
    /// A case is "due soon" with this many working days left [default: 5].
    #[arg(long, value_name = "N")]
    due_soon_wd: Option<i32>,
    /// Whether a fee notice pauses the reply clock [default: true].
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    fee_pauses_clock: Option<bool>,
    /// How the date of receipt of an online submission is fixed (Reg. 31(3)):
    /// SUBMISSION_DAY (the day submitted, or the next working day) or CLERK_CONFIRMATION
    /// (the day a clerk signs for it) [default: SUBMISSION_DAY].
    #[arg(long, value_name = "RULE", value_parser = parse_online_receipt)]
    online_receipt: Option<foi_domain::applicant::OnlineReceipt>,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("secret").required(true).args(["password_stdin", "password"])))]
struct CreateStaffArgs {
    /// Sign-in name.
    #[arg(long)]
    login: String,
    /// The staff member's name, e.g. 张三.
    #[arg(long)]
    name: String,
    /// Code of the staff member's agency.
    #[arg(long, value_name = "CODE")]
    agency: String,
    /// A role; repeat the option (or separate with commas) for several.
    #[arg(long = "role", value_name = "ROLE", required = true, value_delimiter = ',',
          value_parser = PossibleValuesParser::new(STAFF_ROLES))]
    roles: Vec<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
    /// The password. Other users of the machine can see it in the process list; prefer
    /// --password-stdin.
    #[arg(long, value_name = "PASSWORD")]
    password: Option<String>,
}

/// Runs `foi admin …`.
pub async fn run(args: AdminArgs) -> Result<(), Failure> {
    let url = args.database.url()?;
    let (store, _applied) = db::open(&url).await?;
    let result = match args.command {
        AdminCommand::CreateAgency(a) => create_agency(&store, a).await,
        AdminCommand::CreateStaff(a) => create_staff(&store, a).await,
        AdminCommand::ListAgencies => list_agencies(&store).await,
        AdminCommand::AgencyContact(a) => agency_contact(&store, a).await,
        AdminCommand::SetOnlineReceipt(a) => {
            admin::set_online_receipt(&store, &a.agency, a.online_receipt).await.map(|agency| {
                println!("agency {} {}", agency.code, agency.name);
                println!(
                    "  online receipt     {} ({})",
                    agency.online_receipt.code(),
                    agency.online_receipt.label_zh()
                );
            })
        }
    };
    store.close().await.ok();
    result.map_err(|e| match e {
        AdminError::Invalid(message) => Failure::BadInput(message),
        AdminError::AlreadyExists(message) => Failure::AlreadyExists(message),
        other => Failure::Runtime(other.to_string()),
    })
}

async fn create_agency(store: &foi_store::Store, a: CreateAgencyArgs) -> Result<(), AdminError> {
    let spec = AgencySpec {
        code: a.code,
        name: a.name,
        parent: a.parent,
        case_prefix: a.case_prefix,
        case_number_pattern: a.case_number_pattern,
        reconsideration_body: a.reconsideration_body,
        correction_period_wd: a.correction_period_wd,
        due_soon_wd: a.due_soon_wd,
        fee_pauses_clock: a.fee_pauses_clock,
        online_receipt: a.online_receipt,
    };
    let parent = spec.parent.clone();
    let agency = admin::create_agency(store, spec).await?;
    let year = foi_domain::clock::Clock::today(&foi_domain::clock::SystemClock).year();
    let example = CaseNumberPattern::parse(&agency.case_number_pattern)
        .map(|p| {
            format!(
                "{}, {}, …",
                p.format(&agency.case_prefix, year, 1).as_str(),
                p.format(&agency.case_prefix, year, 2).as_str()
            )
        })
        .unwrap_or_else(|_| agency.case_number_pattern.clone());
    println!("created agency {} {}", agency.code, agency.name);
    println!("  parent             {}", parent.as_deref().unwrap_or("-"));
    println!("  case numbers       {example}");
    println!("  reconsideration    {}", agency.reconsideration_body);
    println!("  correction period  {} working days", agency.correction_period_wd);
    println!("  due soon           {} working days left", agency.due_soon_wd);
    println!("  fee pauses clock   {}", if agency.fee_pauses_clock { "yes" } else { "no" });
    println!("  online receipt     {} ({})", agency.online_receipt.code(), agency.online_receipt.label_zh());
    Ok(())
}

async fn create_staff(store: &foi_store::Store, a: CreateStaffArgs) -> Result<(), AdminError> {
    let password = match (a.password, a.password_stdin) {
        (Some(password), _) => {
            eprintln!("warning: a password on the command line is visible to other users; prefer --password-stdin");
            password
        }
        (None, _) => read_password()?,
    };
    let spec = StaffSpec { login: a.login, display_name: a.name, agency: a.agency, roles: a.roles, password };
    let agency = spec.agency.clone();
    let account = admin::create_staff(store, spec).await?;
    println!(
        "created staff account {} ({}) at {agency} with roles {}",
        account.login,
        account.display_name,
        account.roles.join(", ")
    );
    Ok(())
}

async fn agency_contact(store: &foi_store::Store, a: AgencyContactArgs) -> Result<(), AdminError> {
    let spec = ContactSpec {
        agency: a.agency,
        office: a.office,
        address: a.address,
        postcode: a.postcode,
        phone: a.phone,
        contact_person: a.contact_person,
        payment_instructions: a.payment_instructions,
    };
    let agency = admin::set_agency_contact(store, spec).await?;
    let c = &agency.contact;
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    println!("contact of agency {} {}", agency.code, agency.name);
    println!("  office                {}", show(&c.office));
    println!("  address               {}", show(&c.address));
    println!("  postcode              {}", show(&c.postcode));
    println!("  phone                 {}", show(&c.phone));
    println!("  contact person        {}", show(&c.person));
    println!("  payment instructions  {}", show(&c.payment_instructions));
    if !c.is_complete() {
        eprintln!(
            "warning: letters print the contact block only when --office, --address, --phone and --contact-person are all set"
        );
    }
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_password() -> Result<String, AdminError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("password (input is shown; pipe it in to hide it):");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| AdminError::Invalid(format!("--password-stdin: cannot read standard input: {e}")))?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Ok(password.to_owned())
}

async fn list_agencies(store: &foi_store::Store) -> Result<(), AdminError> {
    let agencies = admin::list_agencies(store).await?;
    if agencies.is_empty() {
        println!(
            "no agencies yet: create the first with `foi admin create-agency --code … --name … --reconsideration-body …`"
        );
        return Ok(());
    }
    let code_width = agencies.iter().map(|(a, _)| a.code.len()).max().unwrap_or(0).max("CODE".len());
    let parent_width =
        agencies.iter().map(|(_, p)| p.as_deref().map_or(1, str::len)).max().unwrap_or(0).max("PARENT".len());
    println!("{:code_width$}  {:parent_width$}  NAME / CASE PREFIX", "CODE", "PARENT");
    for (agency, parent) in &agencies {
        println!(
            "{:code_width$}  {:parent_width$}  {} / {}",
            agency.code,
            parent.as_deref().unwrap_or("-"),
            agency.name,
            agency.case_prefix
        );
    }
    Ok(())
}
