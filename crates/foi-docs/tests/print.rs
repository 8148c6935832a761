//! Documents as an office prints them (issue 10, item 10): the server's PDF, laid out with the
//! test fonts beside this file (subsets of Fandol FangSong for the body and Fandol Song Bold
//! for the title, so that this runs on a machine without Chinese fonts), read back with lopdf.
//!
//! The case: 张三 hands in an application in person on Friday 9 October 2026 (the second
//! working day after the National Day holiday of 1–7 October; Saturday 10 October is a
//! make-up working day), and is answered, partly disclosed, by a reply issued on Friday 20
//! November 2026 at 09:30 Beijing time.
#![cfg(feature = "pdf")]

use foi_docs::facts::{ContactFacts, Issuer, Particulars, Request};
use foi_docs::pdf::{
    Face, FontSource, Fonts, KEEP_WITH_SIGNATURE, MEASURE, Page, PdfOptions, TEXT_LEFT, layout, render_pdf,
};
use foi_docs::text::BlockStyle;
use foi_docs::{DocumentKind, Renderer, document_number};
use foi_domain::applicant::{Channel, DeliveryMethod, FormWanted};
use foi_domain::calendar::Calendar;
use foi_domain::case_number::DEFAULT_PATTERN;
use foi_domain::lifecycle::{AgencyRules, Case, Context, Event};
use foi_domain::outcome::Outcome;
use foi_domain::reasons::{WithheldItem, WithholdingGround};
use proptest::prelude::*;
use time::macros::{date, datetime};

const AGENCY: &str = "绵阳市游仙区人民政府";
const SIGNED: &str = "2026年11月20日";

fn fonts() -> Fonts {
    let font =
        |name: &str| FontSource { path: format!("{}/tests/fonts/{name}", env!("CARGO_MANIFEST_DIR")).into(), index: 0 };
    Fonts { body: font("FandolFang-foi-tests.otf"), title: font("FandolSongBold-foi-tests.otf") }
}

/// The reply of the module docs, its description `description` long.
fn reply(description: &str) -> String {
    let calendar = Calendar::bundled();
    let rules = AgencyRules::default();
    let case = Case::replay(
        &[
            Event::Received { on: date!(2026 - 10 - 09), channel: Channel::InPerson },
            Event::Registered { on: date!(2026 - 10 - 09), case_number: "游府信申〔2026〕1号".into() },
            Event::Accepted { on: date!(2026 - 10 - 09) },
            Event::Replied {
                on: date!(2026 - 11 - 20),
                outcome: Outcome::PartlyDisclosed,
                legal_basis: Some("经征求意见，绵阳某建设有限公司不同意公开。".into()),
                on_the_spot: false,
                withheld: vec![WithheldItem {
                    information: "施工合同中的工程单价".into(),
                    ground: WithholdingGround::ThirdPartyRights,
                }],
                holder: None,
                from_register: false,
            },
        ],
        Context { calendar: &calendar, rules: &rules },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let particulars = Particulars {
        case_number: Some("游府信申〔2026〕1号".into()),
        applicant_name: "张三".into(),
        subject: "2026年游仙区老旧小区改造项目的招标文件和施工合同".into(),
        description: description.into(),
        form_wanted: Some(FormWanted::Paper),
        delivery: Some(DeliveryMethod::Post),
        attachments: vec![],
    };
    let issuer = Issuer {
        code: "youxian".into(),
        name: AGENCY.into(),
        reconsideration_body: "绵阳市人民政府".into(),
        rules: AgencyRules::default(),
        contact: Some(ContactFacts {
            office: "绵阳市游仙区人民政府政务公开科".into(),
            address: "绵阳市游仙区东南路中段1号".into(),
            postcode: Some("621022".into()),
            phone: "0816-2345678".into(),
            contact_person: "张明".into(),
        }),
        payment_instructions: None,
    };
    let on = date!(2026 - 11 - 20);
    let number = document_number(DEFAULT_PATTERN, "游府信申", DocumentKind::Reply, on.year(), 17).unwrap();
    let request = Request { kind: DocumentKind::Reply, consultation: None, issued_on: on };
    let context = foi_docs::facts::context(request, &case, &particulars, &issuer, &calendar, Some(&number))
        .unwrap_or_else(|e| panic!("{e}"));
    Renderer::built_in().render(&context).unwrap_or_else(|e| panic!("{e}")).html
}

/// A description of `n` items, each about a line of the letter.
fn description(n: usize) -> String {
    (1..=n)
        .map(|i| format!("第{i}项：游仙区老旧小区改造项目的招标公告、中标通知书和施工合同"))
        .collect::<Vec<_>>()
        .join("；")
}

fn pdf(html: &str) -> Vec<u8> {
    let fonts = fonts();
    let options = PdfOptions {
        title: "政府信息公开申请答复书 游府信答〔2026〕17号",
        fonts: &fonts,
        created: datetime!(2026-11-20 09:30 +8),
    };
    render_pdf(html, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// The text of each page of a PDF, whitespace removed.
fn page_texts(pdf: &[u8]) -> Vec<String> {
    let read = lopdf::Document::load_mem(pdf).expect("a PDF that parses");
    read.get_pages()
        .keys()
        .map(|&n| read.extract_text(&[n]).expect("its text").chars().filter(|c| !c.is_whitespace()).collect())
        .collect()
}

fn is_body(style: BlockStyle) -> bool {
    matches!(style, BlockStyle::Paragraph | BlockStyle::Flush)
}

/// The 落款 (agency and date, where the seal goes) shares its page with the end of the body,
/// whatever the body's length: descriptions of 0 to 40 lines move the sign-off across the
/// foot of page 1 and page 2, line by line. Read back from the PDF: the sign-off's page
/// holds body text besides the sign-off and its page number.
#[test]
fn the_sign_off_never_stands_alone_on_a_page() {
    let mut kept = 0;
    let mut pages_seen = std::collections::BTreeSet::new();
    for n in 0..=40 {
        let html = reply(&description(n));
        let pages = layout(&html, &fonts()).unwrap_or_else(|e| panic!("{e}"));
        pages_seen.insert(pages.len());
        let at =
            pages.iter().position(|p| p.lines.iter().any(|l| l.style == BlockStyle::Signature)).expect("a sign-off");
        let page = &pages[at];
        let signature: Vec<&str> =
            page.lines.iter().filter(|l| l.style == BlockStyle::Signature).map(|l| l.text.as_str()).collect();
        assert_eq!(signature, [AGENCY, SIGNED], "{n} items: the whole sign-off is on page {}", at + 1);
        assert!(page.lines.iter().any(|l| is_body(l.style)), "{n} items: the sign-off is alone on page {}", at + 1);
        // Where the keep rule acted, the page starts with the body's last lines.
        let before = page.lines.iter().take_while(|l| l.style != BlockStyle::Signature).count();
        if at > 0 && before == KEEP_WITH_SIGNATURE && page.lines[0].style == BlockStyle::Paragraph {
            kept += 1;
            if let Ok(dir) = std::env::var("FOI_PRINT_OUT") {
                std::fs::write(format!("{dir}/reply-kept-{n}.pdf"), pdf(&html)).unwrap();
                std::fs::write(format!("{dir}/reply-kept-{n}.html"), &html).unwrap();
            }
            // The PDF says the same: that page has body text beside the sign-off.
            let texts = page_texts(&pdf(&html));
            let rest = texts[at].replace(AGENCY, "").replace(SIGNED, "").replace(&format!("—{}—", at + 1), "");
            assert!(!rest.is_ascii(), "{n} items: page {} of the PDF is {:?}", at + 1, texts[at]);
            assert!(!texts[at - 1].contains(SIGNED));
        }
    }
    // The sweep did reach the boundary: lengths where the sign-off alone would have started
    // a page (it takes 98 pt: the gap and two lines), on page 2 and page 3.
    assert!(kept >= 2, "the sweep crossed no page boundary with the sign-off ({kept})");
    assert!(pages_seen.len() >= 2, "{pages_seen:?}");
}

/// Page numbers after GB/T 9704-2012 §7.5: "— 1 —", odd pages right, even pages left, under
/// the text; none on a one-page document.
#[test]
fn page_numbers_from_two_pages_on() {
    let short = format!(
        "<!DOCTYPE html><html><body><div class=\"agency\">{AGENCY}</div><h1>政府信息公开申请登记回执</h1>\
         <p class=\"addressee\">张三：</p><p>本机关已于2026年10月9日收到您的申请。</p>\
         <div class=\"signature-block\"><p class=\"signature\">{AGENCY}</p><p class=\"signature\">{SIGNED}</p></div></body></html>"
    );
    let one = layout(&short, &fonts()).unwrap();
    assert_eq!(one.len(), 1);
    assert!(one[0].folio.is_none());
    assert!(!page_texts(&pdf(&short))[0].contains('—'));

    let html = reply(&description(30));
    let pages: Vec<Page> = layout(&html, &fonts()).unwrap();
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let texts = page_texts(&pdf(&html));
    assert_eq!(texts.len(), pages.len());
    for (n, (page, text)) in pages.iter().zip(&texts).enumerate() {
        let folio = page.folio.as_ref().expect("a page number");
        assert_eq!(folio.text, format!("— {} —", n + 1));
        assert_eq!(folio.size, 14.0, "4号");
        assert!(text.ends_with(&format!("—{}—", n + 1)), "page {}: {text}", n + 1);
        // Below every line of the text.
        assert!(page.lines.iter().all(|l| l.top < folio.top));
        let right = TEXT_LEFT + MEASURE;
        if n % 2 == 0 {
            assert!((right - 14.0 - (folio.x + folio.width)).abs() < 0.5, "odd page: one character in from the right");
        } else {
            assert!((folio.x - (TEXT_LEFT + 14.0)).abs() < 0.5, "even page: one character in from the left");
        }
    }
}

/// The PDF is dated when the document was issued: 09:30 Beijing time is 01:30 UTC.
#[test]
fn the_pdf_is_dated_when_the_document_was_issued() {
    let bytes = pdf(&reply(""));
    let read = lopdf::Document::load_mem(&bytes).unwrap();
    let info = read.trailer.get(b"Info").and_then(|i| i.as_reference()).and_then(|r| read.get_dictionary(r)).unwrap();
    let date = |key: &[u8]| String::from_utf8_lossy(info.get(key).unwrap().as_str().unwrap()).into_owned();
    assert_eq!(date(b"CreationDate"), "D:20261120013000+00'00'");
    assert_eq!(date(b"ModDate"), "D:20261120013000+00'00'");
}

/// Title and body in separate faces: the agency's name and the title in Fandol Song Bold,
/// the rest in Fandol FangSong; both embedded.
#[test]
fn title_and_body_in_their_own_fonts() {
    let html = reply("");
    let pages = layout(&html, &fonts()).unwrap();
    let faces: Vec<(Face, &str)> = pages[0].lines.iter().take(4).map(|l| (l.face, l.text.as_str())).collect();
    assert_eq!(
        faces,
        [
            (Face::Title, AGENCY),
            (Face::Title, "政府信息公开申请答复书"),
            (Face::Body, "游府信答〔2026〕17号"),
            (Face::Body, "张三："),
        ]
    );
    let bytes = pdf(&html);
    let read = lopdf::Document::load_mem(&bytes).unwrap();
    let names: Vec<String> = read
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).is_ok_and(|t| t == b"Font"))
        .filter_map(|d| {
            d.get(b"BaseFont").and_then(|n| n.as_name()).ok().map(|n| String::from_utf8_lossy(n).into_owned())
        })
        .collect();
    assert!(names.iter().any(|n| n.contains("FandolFang")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("FandolSong-Bold")), "{names:?}");
    // One font for both when only one is given (FOI_PDF_FONT without FOI_PDF_TITLE_FONT).
    let single = Fonts::single(fonts().body);
    assert!(layout(&html, &single).unwrap()[0].lines.iter().all(|l| l.face == Face::Title || l.face == Face::Body));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// 避头尾 with the real font's widths: in a letter of random text, no line is wider than
    /// the text area, and none starts with closing punctuation.
    #[test]
    fn lines_fit_the_measure_and_obey_the_punctuation_rules(
        parts in proptest::collection::vec(prop_oneof![
            5 => proptest::sample::select(vec!["本机关", "政府信息", "公开", "申请", "答复", "条例", "第十五条", "施工合同"]),
            3 => proptest::sample::select(vec!["，", "。", "；", "）；", "》，", "”。", "、", "）。"]),
            2 => proptest::sample::select(vec!["（", "《", "“", "〔"]),
            1 => proptest::sample::select(vec!["2026", " GB/T 9704-2012 ", "13812345678", " A "]),
        ], 1..160)
    ) {
        let text = parts.concat();
        let html = format!("<!DOCTYPE html><html><body><h1>答复书</h1><p>{text}</p><p class=\"signature\">{AGENCY}</p></body></html>");
        let pages = layout(&html, &fonts()).unwrap();
        let lines: Vec<_> = pages.iter().flat_map(|p| &p.lines).filter(|l| l.style == BlockStyle::Paragraph).collect();
        for (n, line) in lines.iter().enumerate() {
            prop_assert!(line.x + line.width <= TEXT_LEFT + MEASURE + 0.05, "line {n} {:?} ends at {}", line.text, line.x + line.width);
            if n > 0 {
                prop_assert!(!line.text.starts_with(foi_docs::pdf::closing), "line {n} starts with {:?}", line.text);
            }
            if n + 1 < lines.len() {
                prop_assert!(!line.text.ends_with(foi_docs::pdf::opening), "line {n} ends with {:?}", line.text);
            }
        }
    }
}
