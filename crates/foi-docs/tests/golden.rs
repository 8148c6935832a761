//! Golden text of every kind of document, for one real case on the 2026 calendar.
//!
//! 张三 hands in an application on Friday 9 October 2026 (the day after the National Day
//! holiday; Saturday 10 October is a make-up working day). A correction notice goes out on
//! Tuesday 13 October, the corrected application arrives on Monday 19 October (the clock
//! restarts), a third party is consulted from 22 to 30 October, a fee of 100 yuan is charged
//! on 2 November and paid on 4 November, the office head extends the limit by 20 working
//! days on 12 November, and the reply (partly disclosed) goes out on Friday 20 November. A
//! second application of the same day, a petition, gets the "not handled" notice.
//!
//! The snapshots in `tests/snapshots/` are the text of each document as printed (and the
//! full HTML of the reply); review a change with `cargo insta review` or by reading the
//! diff, and accept it with `INSTA_UPDATE=always`.

use foi_docs::facts::{ContactFacts, Issuer, Particulars, Request};
use foi_docs::text::text_content;
use foi_docs::{DocumentKind, Renderer, document_number};
use foi_domain::applicant::{ApplicantKind, Channel, DeliveryMethod, FormWanted};
use foi_domain::calendar::Calendar;
use foi_domain::case_number::DEFAULT_PATTERN;
use foi_domain::fee::FeeBasis;
use foi_domain::lifecycle::{AgencyRules, Case, ConsultationResult, ConsultedParty, Context, Event, NotHandledReason};
use foi_domain::outcome::Outcome;
use foi_domain::reasons::{InformationHolder, WithheldItem, WithholdingGround};
use time::Date;
use time::macros::date;

fn issuer() -> Issuer {
    Issuer {
        code: "youxian".into(),
        name: "绵阳市游仙区人民政府".into(),
        reconsideration_body: "绵阳市人民政府".into(),
        rules: AgencyRules::default(),
        contact: Some(ContactFacts {
            office: "绵阳市游仙区人民政府政务公开科".into(),
            address: "绵阳市游仙区东南路中段1号".into(),
            postcode: Some("621022".into()),
            phone: "0816-2345678".into(),
            contact_person: "张明".into(),
        }),
        payment_instructions: Some(
            "请通过四川省非税收入缴款平台缴纳，或转账至收款人：绵阳市游仙区财政局，开户行：中国工商银行绵阳游仙支行，账号：2308 4100 0000 0000 123，用途请注明案号。".into(),
        ),
    }
}

fn replay(events: &[Event]) -> Case {
    let calendar = Calendar::bundled();
    let rules = AgencyRules::default();
    Case::replay(events, Context { calendar: &calendar, rules: &rules }).unwrap_or_else(|e| panic!("{e}"))
}

/// The case of the module docs, with its particulars.
fn the_case() -> (Case, Particulars) {
    let case = replay(&[
        Event::Received { on: date!(2026 - 10 - 09), channel: Channel::InPerson },
        Event::Registered { on: date!(2026 - 10 - 09), case_number: "游府信申〔2026〕1号".into() },
        Event::CorrectionRequested {
            on: date!(2026 - 10 - 13),
            items: vec![
                "请写明所需信息的名称、文号或者其他特征描述（如“2026年老旧小区改造项目”的具体项目名称）".into(),
                "请补充申请人身份证明复印件".into(),
            ],
            period_wd: None,
        },
        Event::CorrectionReceived { on: date!(2026 - 10 - 19) },
        Event::Accepted { on: date!(2026 - 10 - 19) },
        Event::ConsultationOpened {
            on: date!(2026 - 10 - 22),
            party: ConsultedParty::ThirdParty,
            name: "绵阳某建设有限公司".into(),
        },
        Event::ConsultationClosed { on: date!(2026 - 10 - 30), number: 1, result: ConsultationResult::Objected },
        Event::FeeNoticeIssued { on: date!(2026 - 11 - 02), amount_yuan: 100, basis: FeeBasis::PerApplication },
        Event::FeePaid { on: date!(2026 - 11 - 04) },
        Event::ExtensionRequested {
            on: date!(2026 - 11 - 11),
            working_days: 20,
            reason: "所申请的施工合同需从区档案馆调取并逐页审查。".into(),
        },
        Event::Extended {
            on: date!(2026 - 11 - 12),
            working_days: 20,
            approver: "王主任".into(),
            reason: Some("所申请的施工合同需从区档案馆调取并逐页审查。".into()),
        },
        Event::Replied {
            on: date!(2026 - 11 - 20),
            outcome: Outcome::PartlyDisclosed,
            legal_basis: Some("工程单价属于绵阳某建设有限公司的商业秘密，经征求意见，该公司不同意公开。".into()),
            on_the_spot: false,
            withheld: vec![WithheldItem {
                information: "施工合同中的工程单价".into(),
                ground: WithholdingGround::ThirdPartyRights,
            }],
            holder: None,
            from_register: false,
        },
    ]);
    let particulars = Particulars {
        case_number: Some("游府信申〔2026〕1号".into()),
        applicant_name: "张三".into(),
        subject: "2026年游仙区老旧小区改造项目的招标文件和施工合同".into(),
        description: "包括招标公告、中标通知书和施工合同；如有疑问请致电13812345678".into(),
        form_wanted: Some(FormWanted::Paper),
        delivery: Some(DeliveryMethod::Post),
        attachments: vec!["招标公告.pdf".into(), "中标通知书.pdf".into(), "施工合同（部分公开）.pdf".into()],
    };
    (case, particulars)
}

fn the_petition() -> (Case, Particulars) {
    let case = replay(&[
        Event::Received { on: date!(2026 - 10 - 09), channel: Channel::SignedPost },
        Event::Registered { on: date!(2026 - 10 - 09), case_number: "游府信申〔2026〕2号".into() },
        Event::NotHandled {
            on: date!(2026 - 10 - 14),
            reason: NotHandledReason::Petition,
            explanation: "您反映的小区物业收费问题属于投诉事项，请向绵阳市游仙区住房和城乡建设局反映。".into(),
        },
    ]);
    let particulars = Particulars {
        case_number: Some("游府信申〔2026〕2号".into()),
        applicant_name: "李四".into(),
        subject: "要求查处某小区物业公司违规收费".into(),
        description: String::new(),
        form_wanted: Some(FormWanted::Paper),
        delivery: Some(DeliveryMethod::Collect),
        attachments: vec![],
    };
    (case, particulars)
}

/// Renders `kind` as issued on `on` with sequence number `seq`; returns the HTML.
fn issue(
    case: &Case,
    particulars: &Particulars,
    kind: DocumentKind,
    consultation: Option<u32>,
    on: Date,
    seq: u32,
) -> String {
    let number = document_number(DEFAULT_PATTERN, "游府信申", kind, on.year(), seq).unwrap();
    let request = Request { kind, consultation, issued_on: on };
    let context = foi_docs::facts::context(request, case, particulars, &issuer(), &Calendar::bundled(), Some(&number))
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    let rendered = Renderer::built_in().render(&context).unwrap_or_else(|e| panic!("{kind}: {e}"));
    assert_eq!(rendered.number, number);
    assert_eq!(rendered.sha256, foi_docs::sha256_hex(&rendered.html));
    assert!(rendered.html.starts_with("<!DOCTYPE html>"));
    assert!(rendered.html.contains("@page { size: A4;"));
    rendered.html
}

#[test]
fn receipt() {
    let (case, p) = the_case();
    let html = issue(&case, &p, DocumentKind::Receipt, None, date!(2026 - 10 - 09), 1);
    let text = text_content(&html);
    // 20 working days from Friday 9 October 2026: Saturday 10 October counts (调休上班).
    assert!(text.contains("即2026年11月5日前予以答复"), "{text}");
    insta::assert_snapshot!("receipt", text);
}

#[test]
fn correction_notice() {
    let (case, p) = the_case();
    let html = issue(&case, &p, DocumentKind::CorrectionNotice, None, date!(2026 - 10 - 13), 3);
    let text = text_content(&html);
    assert!(text.contains("游府信补〔2026〕3号"));
    // Issued before it is served: the period is stated from receipt, with no date.
    assert!(text.contains("请您自收到本告知书之日起15个工作日内，向本机关提交补正后的申请。"), "{text}");
    insta::assert_snapshot!("correction_notice", text);
}

#[test]
fn a_correction_notice_prints_its_own_period() {
    let (case, p) = the_case();
    let mut case = case;
    case.correction.as_mut().expect("the case has a correction notice").period_wd = Some(10);
    let html = issue(&case, &p, DocumentKind::CorrectionNotice, None, date!(2026 - 10 - 13), 3);
    let text = text_content(&html);
    assert!(text.contains("自收到本告知书之日起10个工作日内"), "{text}");
}

#[test]
fn extension_notice() {
    let (case, p) = the_case();
    let html = issue(&case, &p, DocumentKind::ExtensionNotice, None, date!(2026 - 11 - 12), 1);
    let text = text_content(&html);
    // From the corrected application of 19 October: 20 working days, not counting the
    // consultation (23–30 October) and the fee (3–4 November), end on 26 November; 20 more
    // end on Thursday 24 December 2026.
    assert!(text.contains("本机关将于2026年12月24日前作出答复"), "{text}");
    insta::assert_snapshot!("extension_notice", text);
}

#[test]
fn consultation_letter() {
    let (case, p) = the_case();
    let html = issue(&case, &p, DocumentKind::ConsultationLetter, Some(1), date!(2026 - 10 - 22), 1);
    let text = text_content(&html);
    assert!(
        text.starts_with(
            "绵阳市游仙区人民政府\n政府信息公开征求第三方意见函\n游府信征〔2026〕1号\n绵阳某建设有限公司："
        )
    );
    // Not yet served: 15 working days from the party's receipt (Reg. 32), no date.
    assert!(text.contains("请贵方自收到本函之日起15个工作日内"), "{text}");
    // A letter to a third party names no applicant and shows no personal data.
    assert!(!text.contains("张三"), "{text}");
    assert!(text.contains("如有疑问请致电138****5678"), "{text}");
    insta::assert_snapshot!("consultation_letter", text);
}

#[test]
fn fee_notice() {
    let (case, p) = the_case();
    let html = issue(&case, &p, DocumentKind::FeeNotice, None, date!(2026 - 11 - 02), 1);
    let text = text_content(&html);
    // Not yet served: 20 working days from the day after receipt, no date.
    assert!(text.contains("请您自收到本通知书次日起20个工作日内缴纳"), "{text}");
    insta::assert_snapshot!("fee_notice", text);
}

#[test]
fn reply() {
    let (case, p) = the_case();
    let html = issue(&case, &p, DocumentKind::Reply, None, date!(2026 - 11 - 20), 17);
    let text = text_content(&html);
    assert!(text.contains("游府信答〔2026〕17号"));
    assert!(text.contains(
        "本机关于2026年10月9日收到您提出的政府信息公开申请（游府信申〔2026〕1号），并于2026年10月19日收到您补正后的申请"
    ));
    assert!(text.contains("《中华人民共和国政府信息公开条例》第三十七条"), "cites the article: {text}");
    assert!(text.contains("第四十条"), "says how the information is provided: {text}");
    // Partly disclosed, the withheld part under Reg. 15: reconsideration first.
    assert!(text.contains("应当自收到本答复之日起六十日内先向绵阳市人民政府申请行政复议"), "{text}");
    insta::assert_snapshot!("reply", text);
    insta::assert_snapshot!("reply_html", html);
}

/// Every article of the Regulations the letter body cites, with how often (the remedy
/// clause, which cites the Administrative Reconsideration Law, left out).
fn citations(text: &str) -> Vec<(String, usize)> {
    let body: String = text.lines().filter(|l| !l.contains("行政复议法")).collect::<Vec<_>>().join("\n");
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut rest = body.as_str();
    while let Some(at) = rest.find('第') {
        let tail = &rest[at..];
        let end = tail.char_indices().skip(1).find(|(_, c)| !"零一二三四五六七八九十百".contains(*c));
        if let Some((i, '条')) = end {
            let article = tail[..i + '条'.len_utf8()].to_owned();
            match counts.iter_mut().find(|(a, _)| *a == article) {
                Some((_, n)) => *n += 1,
                None => counts.push((article, 1)),
            }
        }
        rest = &tail['第'.len_utf8()..];
    }
    counts
}

/// The reply cites each article once: the withheld item its Reg. 15, the closing sentence
/// Reg. 37, the provision Reg. 40 — and when the officer's text cites Reg. 37 itself, the
/// closing sentence does not repeat it (issue 10: "第十五条、第三十七条 then 第三十七条").
#[test]
fn a_reply_cites_each_article_once() {
    let (case, p) = the_case();
    let text = text_content(&issue(&case, &p, DocumentKind::Reply, None, date!(2026 - 11 - 20), 17));
    let cited = citations(&text);
    assert_eq!(cited, [("第十五条".to_owned(), 1), ("第三十七条".to_owned(), 1), ("第四十条".to_owned(), 1)], "{text}");
    assert!(text.contains("根据《中华人民共和国政府信息公开条例》第十五条的规定，以下信息不予公开：1.施工合同中的工程单价，涉及商业秘密"), "{text}");
    let mut with_text = case.clone();
    with_text.legal_basis = Some("依照第三十七条，对可以公开的部分予以公开。".into());
    let text = text_content(&issue(&with_text, &p, DocumentKind::Reply, None, date!(2026 - 11 - 20), 17));
    assert!(citations(&text).iter().all(|(_, n)| *n == 1), "{:?}\n{text}", citations(&text));
    assert!(!text.contains("上述答复依据"), "{text}");
}

/// Reg. 36(5): "not held" names the holding agency and its contact when it is known, and
/// says otherwise that it cannot be determined. Replied on Monday 2026-10-12, the fourth
/// working day after the National Day break (Saturday 10-10 a make-up working day).
#[test]
fn a_not_held_reply_names_the_holder_or_says_it_cannot() {
    let (_, p) = the_case();
    let mut events = vec![
        Event::Received { on: date!(2026 - 09 - 30), channel: Channel::InPerson },
        Event::Registered { on: date!(2026 - 09 - 30), case_number: "游府信申〔2026〕9号".into() },
        Event::Accepted { on: date!(2026 - 09 - 30) },
    ];
    let reply = |holder| Event::Replied {
        on: date!(2026 - 10 - 12),
        outcome: Outcome::NotHeld,
        legal_basis: Some("经检索，本机关未制作、获取该信息。".into()),
        on_the_spot: false,
        withheld: vec![],
        holder,
        from_register: false,
    };
    events.push(reply(Some(InformationHolder {
        agency: "绵阳市游仙区自然资源局".into(),
        contact: "0816-2222333".into(),
    })));
    let text = text_content(&issue(&replay(&events), &p, DocumentKind::Reply, None, date!(2026 - 10 - 12), 3));
    assert!(text.contains("该政府信息由绵阳市游仙区自然资源局负责公开，联系方式：0816-2222333。"), "{text}");
    assert!(!text.contains("附件"), "nothing is disclosed, so nothing is attached: {text}");
    events.pop();
    events.push(reply(None));
    let text = text_content(&issue(&replay(&events), &p, DocumentKind::Reply, None, date!(2026 - 10 - 12), 3));
    assert!(text.contains("本机关无法确定该行政机关"), "{text}");
    assert!(citations(&text).iter().all(|(_, n)| *n == 1), "{text}");
}

/// Every letter to a party ends with the office's contact block; the fee notice says how to
/// pay; a disclosing reply lists its 附件.
#[test]
fn letters_carry_the_contact_block_payment_and_attachments() {
    let (case, p) = the_case();
    for (kind, on, consultation) in [
        (DocumentKind::Receipt, date!(2026 - 10 - 09), None),
        (DocumentKind::CorrectionNotice, date!(2026 - 10 - 13), None),
        (DocumentKind::ConsultationLetter, date!(2026 - 10 - 22), Some(1)),
        (DocumentKind::FeeNotice, date!(2026 - 11 - 02), None),
        (DocumentKind::ExtensionNotice, date!(2026 - 11 - 12), None),
        (DocumentKind::Reply, date!(2026 - 11 - 20), None),
    ] {
        let text = text_content(&issue(&case, &p, kind, consultation, on, 1));
        assert!(
            text.contains("联系人：张明　联系电话：0816-2345678　地址：绵阳市游仙区东南路中段1号　邮政编码：621022"),
            "{kind}: {text}"
        );
    }
    let fee = text_content(&issue(&case, &p, DocumentKind::FeeNotice, None, date!(2026 - 11 - 02), 1));
    assert!(fee.contains("缴费方式：请通过四川省非税收入缴款平台缴纳"), "{fee}");
    let reply = text_content(&issue(&case, &p, DocumentKind::Reply, None, date!(2026 - 11 - 20), 17));
    assert!(
        reply.contains("附件：1.招标公告.pdf\n　　　2.中标通知书.pdf\n　　　3.施工合同（部分公开）.pdf"),
        "{reply}"
    );
}

#[test]
fn not_handled_notice() {
    let (case, p) = the_petition();
    let html = issue(&case, &p, DocumentKind::NotHandledNotice, None, date!(2026 - 10 - 14), 1);
    let text = text_content(&html);
    assert!(text.contains("第三十九条第一款"), "{text}");
    assert!(text.contains("可以自收到本告知之日起六十日内向绵阳市人民政府申请行政复议"), "{text}");
    insta::assert_snapshot!("not_handled_notice", text);
}

#[test]
fn a_preview_has_no_number() {
    let (case, p) = the_case();
    let request = Request { kind: DocumentKind::Receipt, consultation: None, issued_on: date!(2026 - 10 - 09) };
    let context = foi_docs::facts::context(request, &case, &p, &issuer(), &Calendar::bundled(), None).unwrap();
    let rendered = Renderer::built_in().render(&context).unwrap();
    assert_eq!(rendered.number, "〔待编号〕");
    assert!(text_content(&rendered.html).contains("\n〔待编号〕\n"));
}

/// The PDF of the reply, with the test font (`tests/fonts`, a subset of Noto Serif CJK SC, so
/// that this runs on a machine without a CJK font): read back, its text is the letter's.
#[cfg(feature = "pdf")]
#[test]
fn reply_as_pdf() {
    use foi_docs::pdf::{FontSource, to_pdf};
    let font = FontSource {
        path: concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fonts/NotoSerifSC-foi-tests.otf").into(),
        index: 0,
    };
    let (case, p) = the_case();
    let html = issue(&case, &p, DocumentKind::Reply, None, date!(2026 - 11 - 20), 17);
    let pdf = to_pdf(&html, "政府信息公开申请答复书 游府信答〔2026〕17号", &font).unwrap_or_else(|e| panic!("{e}"));
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 200_000, "the font is subset to the glyphs used: {} bytes", pdf.len());
    if let Ok(dir) = std::env::var("FOI_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("reply.pdf"), &pdf).unwrap();
    }
    let read = lopdf::Document::load_mem(&pdf).expect("a PDF that parses");
    let pages: Vec<u32> = read.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    let text: String = read.extract_text(&pages).expect("its text").chars().filter(|c| !c.is_whitespace()).collect();
    let letter: String = text_content(&html).chars().filter(|c| !c.is_whitespace()).collect();
    for line in ["政府信息公开申请答复书", "游府信答〔2026〕17号", "绵阳市人民政府申请行政复议", "2026年11月20日"]
    {
        assert!(letter.contains(line), "the letter says {line}");
        assert!(text.contains(line), "the PDF says {line}: {text}");
    }
    // The PDF carries the whole letter, in order, and the page numbers "— 1 —" of its pages
    // (GB/T 9704-2012 §7.5: the letter runs over one page).
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let folios = (1..=pages.len()).fold(text.clone(), |t, n| t.replacen(&format!("—{n}—"), "", 1));
    assert_eq!(folios, letter);

    // A font that is not there says how to get one.
    let missing = FontSource::parse("/nonexistent/font.ttc");
    let err = to_pdf(&html, "x", &missing).unwrap_err();
    assert!(err.to_string().contains("apt-get install fonts-noto-cjk"), "{err}");
}

/// The same with the machine's own CJK font, where it has one (`FOI_PDF_FONT` or Debian's
/// `fonts-noto-cjk`); skipped, with the reason printed, where it has none.
#[cfg(feature = "pdf")]
#[test]
fn reply_as_pdf_with_the_machines_font() {
    use foi_docs::pdf::{FontSource, PdfError, to_pdf};
    let font = match FontSource::from_env() {
        Ok(font) => font,
        Err(e @ PdfError::NoFont { .. }) => {
            println!("skipping: {e}");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let (case, p) = the_case();
    let html = issue(&case, &p, DocumentKind::Reply, None, date!(2026 - 11 - 20), 17);
    let pdf = to_pdf(&html, "政府信息公开申请答复书 游府信答〔2026〕17号", &font).unwrap_or_else(|e| panic!("{e}"));
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 2_000_000, "the font is subset, not embedded whole: {} bytes", pdf.len());
}

/// The proof of service (送达回证) of the reply 游府信答〔2026〕17号: served by post on Monday
/// 2026-11-23 and signed for by 张三, it carries the method, date, recipient and the officer
/// who served it; before service it leaves those to fill in by hand. It has no number of its
/// own and no contact block.
#[test]
fn proof_of_service() {
    use foi_docs::facts::{ServedDocument, ServiceRecord, proof_of_service};
    use foi_domain::service::ServiceMethod;
    let (case, p) = the_case();
    let mut served = ServedDocument {
        kind: DocumentKind::Reply,
        consultation: None,
        title: "政府信息公开申请答复书".into(),
        number: "游府信答〔2026〕17号".into(),
        voided: false,
        service: None,
        applicant_address: Some("四川省绵阳市游仙区富乐路10号".into()),
    };
    let render = |served: &ServedDocument| {
        let context = proof_of_service(served, &case, &p, &issuer(), &Calendar::bundled(), date!(2026 - 11 - 20))
            .unwrap_or_else(|e| panic!("{e}"));
        Renderer::built_in().render(&context).unwrap_or_else(|e| panic!("{e}")).html
    };
    let blank = text_content(&render(&served));
    assert!(blank.contains("送达日期\n　　　　年　　月　　日"), "{blank}");
    assert!(blank.contains("送达方式\n直接送达／邮寄送达"), "{blank}");
    served.service = Some(ServiceRecord {
        method: ServiceMethod::Post,
        on: date!(2026 - 11 - 23),
        recipient: Some("张三".into()),
        recorded_by: "李科员".into(),
    });
    let html = render(&served);
    let text = text_content(&html);
    assert!(
        text.starts_with(
            "绵阳市游仙区人民政府\n送达回证\n送达文书名称及文号\n政府信息公开申请答复书（游府信答〔2026〕17号）"
        ),
        "{text}"
    );
    assert!(text.contains("送达地址\n四川省绵阳市游仙区富乐路10号"), "{text}");
    assert!(
        text.contains("送达方式\n邮寄送达\n送达人\n李科员\n受送达人签收\n张三\n送达日期\n2026年11月23日"),
        "{text}"
    );
    assert!(!text.contains("联系人"), "{text}");
    insta::assert_snapshot!("proof_of_service", text);
    insta::assert_snapshot!("proof_of_service_html", html);
    // A consultation letter's proof names the party consulted, not the applicant.
    let letter = ServedDocument {
        kind: DocumentKind::ConsultationLetter,
        consultation: Some(1),
        title: "政府信息公开征求第三方意见函".into(),
        number: "游府信征〔2026〕1号".into(),
        service: None,
        ..served.clone()
    };
    let text = text_content(&render(&letter));
    assert!(text.contains("受送达人\n绵阳某建设有限公司\n送达地址\n绵阳某建设有限公司"), "{text}");
    assert!(!text.contains("张三") && !text.contains("富乐路"), "{text}");
    // A voided document gets no proof of service.
    let voided = ServedDocument { voided: true, ..served };
    assert!(proof_of_service(&voided, &case, &p, &issuer(), &Calendar::bundled(), date!(2026 - 11 - 20)).is_err());
}

/// The approval sheet (呈批表) of the partly disclosed reply: the case facts, the reply due
/// date as the clock stood on the day of the decision (24 December 2026 after the pauses and
/// the extension), the draft decision with its withheld item, and the 承办人 / 审核人 /
/// 签发人 from the history; a signature not yet given is a blank line.
#[test]
fn approval_sheet() {
    use foi_docs::facts::{Signer, Signers, approval_sheet};
    let (case, p) = the_case();
    let mut signers = Signers {
        prepared: Some(Signer { name: "李科员".into(), on: date!(2026 - 11 - 20) }),
        reviewed: Some(Signer { name: "赵审核".into(), on: date!(2026 - 10 - 19) }),
        approved: None,
    };
    let render = |signers: &Signers| {
        let context = approval_sheet(&case, &p, &issuer(), &Calendar::bundled(), signers, date!(2026 - 11 - 20))
            .unwrap_or_else(|e| panic!("{e}"));
        Renderer::built_in().render(&context).unwrap_or_else(|e| panic!("{e}")).html
    };
    let before = text_content(&render(&signers));
    assert!(before.contains("签发人\n签名：　"), "{before}");
    signers.approved = Some(Signer { name: "王主任".into(), on: date!(2026 - 11 - 20) });
    let html = render(&signers);
    let text = text_content(&html);
    assert!(
        text.contains(
            "案号\n游府信申〔2026〕1号\n申请人\n张三\n收到申请日期\n2026年10月9日（2026年10月19日收到补正后的申请）"
        ),
        "{text}"
    );
    assert!(text.contains("答复期限\n2026年12月24日前"), "{text}");
    assert!(text.contains("拟办意见\n(二)部分公开。拟以《政府信息公开申请答复书》答复"), "{text}");
    assert!(text.contains("1.施工合同中的工程单价，涉及商业秘密"), "{text}");
    assert!(
        text.contains(
            "承办人\n李科员　　2026年11月20日\n审核人\n赵审核　　2026年10月19日\n签发人\n王主任　　2026年11月20日"
        ),
        "{text}"
    );
    insta::assert_snapshot!("approval_sheet", text);
    insta::assert_snapshot!("approval_sheet_html", html);
    // Before a decision is recorded there is no draft to approve.
    let (petition, pp) = the_petition();
    assert!(
        approval_sheet(&petition, &pp, &issuer(), &Calendar::bundled(), &Signers::default(), date!(2026 - 10 - 14))
            .is_ok()
    );
    let open = replay(&[Event::Received { on: date!(2026 - 10 - 09), channel: Channel::InPerson }]);
    let refused =
        approval_sheet(&open, &pp, &issuer(), &Calendar::bundled(), &Signers::default(), date!(2026 - 10 - 14))
            .unwrap_err();
    assert!(matches!(refused, foi_docs::NotIssuable::NoDecision { .. }), "{refused}");
}

/// The application form (申请表, Reg. 29): blank, every choice offered; and filled with the
/// case's applicant and application for an oral applicant to check and sign, the wanted form
/// and way ticked, the identity number in full (the form goes to the applicant).
#[test]
fn application_form() {
    use foi_docs::facts::{FormApplicant, application_form};
    let (_, p) = the_case();
    let render = |context| Renderer::built_in().render(&context).unwrap_or_else(|e| panic!("{e}")).html;
    let blank = text_content(&render(application_form(&issuer(), None, date!(2026 - 11 - 30))));
    assert!(blank.contains("申请人类型\n□公民　□法人或者其他组织"), "{blank}");
    assert!(blank.contains("信息的提供形式\n□纸质文本"), "{blank}");
    assert!(!blank.contains("■") && !blank.contains("张三"), "{blank}");
    insta::assert_snapshot!("application_form_blank", blank);
    let applicant = FormApplicant {
        kind: ApplicantKind::NaturalPerson,
        name: "张三".into(),
        id_number: Some("11010519491231002X".into()),
        phone: Some("13812345678".into()),
        email: None,
        address: Some("四川省绵阳市游仙区富乐路10号".into()),
    };
    let filled = text_content(&render(application_form(
        &issuer(),
        Some((&applicant, &p, Some(date!(2026 - 10 - 09)))),
        date!(2026 - 10 - 09),
    )));
    assert!(filled.contains("申请人类型\n■公民\n姓名\n张三\n身份证明\n居民身份证：11010519491231002X"), "{filled}");
    assert!(filled.contains("收到申请日期\n2026年10月9日（游府信申〔2026〕1号）"), "{filled}");
    assert!(filled.contains("核对无误后签名"), "{filled}");
    assert_eq!(filled.matches('■').count(), 3, "the applicant kind, the form and the way: {filled}");
    insta::assert_snapshot!("application_form_filled", filled);
}

/// All ten kinds of the case laid out on A4 with the test fonts (subsets of Fandol
/// FangSong and Song Bold): every line within the text width, every form row inside the
/// text area and on one page, the sign-off sharing a page with the body. With
/// `FOI_PDF_OUT=<dir>` the PDFs are written there to be looked at (`pdftoppm -r 60`).
#[cfg(feature = "pdf")]
#[test]
fn every_kind_prints_on_a4() {
    use foi_docs::facts::{ServedDocument, ServiceRecord, Signer, Signers, approval_sheet, proof_of_service};
    use foi_docs::pdf::{FontSource, Fonts, MEASURE, PdfOptions, TEXT_LEFT, layout, render_pdf};
    use foi_docs::text::BlockStyle;
    let font =
        |name: &str| FontSource { path: format!("{}/tests/fonts/{name}", env!("CARGO_MANIFEST_DIR")).into(), index: 0 };
    let fonts = Fonts { body: font("FandolFang-foi-tests.otf"), title: font("FandolSongBold-foi-tests.otf") };
    let (case, p) = the_case();
    let (petition, pp) = the_petition();
    let calendar = Calendar::bundled();
    let mut documents = vec![
        ("receipt", issue(&case, &p, DocumentKind::Receipt, None, date!(2026 - 10 - 09), 1)),
        ("correction_notice", issue(&case, &p, DocumentKind::CorrectionNotice, None, date!(2026 - 10 - 13), 3)),
        ("consultation_letter", issue(&case, &p, DocumentKind::ConsultationLetter, Some(1), date!(2026 - 10 - 22), 1)),
        ("fee_notice", issue(&case, &p, DocumentKind::FeeNotice, None, date!(2026 - 11 - 02), 1)),
        ("extension_notice", issue(&case, &p, DocumentKind::ExtensionNotice, None, date!(2026 - 11 - 12), 1)),
        ("not_handled_notice", issue(&petition, &pp, DocumentKind::NotHandledNotice, None, date!(2026 - 10 - 14), 1)),
        ("reply", issue(&case, &p, DocumentKind::Reply, None, date!(2026 - 11 - 20), 17)),
    ];
    let served = ServedDocument {
        kind: DocumentKind::Reply,
        consultation: None,
        title: "政府信息公开申请答复书".into(),
        number: "游府信答〔2026〕17号".into(),
        voided: false,
        service: Some(ServiceRecord {
            method: foi_domain::service::ServiceMethod::Post,
            on: date!(2026 - 11 - 23),
            recipient: Some("张三".into()),
            recorded_by: "李科员".into(),
        }),
        applicant_address: Some("四川省绵阳市游仙区富乐路10号".into()),
    };
    let proof = proof_of_service(&served, &case, &p, &issuer(), &calendar, date!(2026 - 11 - 20)).unwrap();
    documents.push(("proof_of_service", Renderer::built_in().render(&proof).unwrap().html));
    let signers = Signers {
        prepared: Some(Signer { name: "李科员".into(), on: date!(2026 - 11 - 20) }),
        reviewed: Some(Signer { name: "赵审核".into(), on: date!(2026 - 10 - 19) }),
        approved: None,
    };
    let sheet = approval_sheet(&case, &p, &issuer(), &calendar, &signers, date!(2026 - 11 - 20)).unwrap();
    documents.push(("approval_sheet", Renderer::built_in().render(&sheet).unwrap().html));
    let form = foi_docs::facts::application_form(&issuer(), None, date!(2026 - 11 - 30));
    documents.push(("application_form", Renderer::built_in().render(&form).unwrap().html));
    assert_eq!(documents.len(), DocumentKind::ALL.len());
    for (name, html) in &documents {
        let pages = layout(html, &fonts).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (n, page) in pages.iter().enumerate() {
            for line in &page.lines {
                assert!(
                    line.x >= TEXT_LEFT - 0.01 && line.x + line.width <= TEXT_LEFT + MEASURE + 0.5,
                    "{name} page {}: {:?} runs out of the text area",
                    n + 1,
                    line.text
                );
            }
        }
        let last = pages.last().unwrap();
        assert!(
            last.lines.iter().any(|l| l.style != BlockStyle::Signature),
            "{name}: the sign-off stands alone on its page"
        );
        let forms = pages.iter().flat_map(|p| &p.lines).filter(|l| l.frame.is_some()).count();
        let expected = match *name {
            "proof_of_service" => 8,
            "approval_sheet" => 10,
            "application_form" => 11,
            _ => 0,
        };
        assert_eq!(forms, expected, "{name}: its form rows are framed");
        let options = PdfOptions { title: name, fonts: &fonts, created: time::macros::datetime!(2026-11-20 09:30 +8) };
        let pdf = render_pdf(html, &options).unwrap();
        if let Ok(dir) = std::env::var("FOI_PDF_OUT") {
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pdf")), &pdf).unwrap();
        }
    }
}
