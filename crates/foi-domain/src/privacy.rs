//! Masking of personal data (脱敏 / 去标识化), rules.md §6.
//!
//! Applicants' identity numbers, phone numbers and addresses are personal data: only the
//! officers handling the case see them in full; every list, export and published text shows
//! them masked. Anything published must also be de-identified, so [`deidentify_text`] finds
//! and masks identity numbers, mobile numbers, e-mail addresses and bank card numbers inside
//! free text (e.g. a reply letter before it goes on the website).
//!
//! All functions work on characters, not bytes (the text is Chinese), never panic, and are
//! deliberately conservative: when in doubt they hide more, not less.

/// Who is looking, and so how personal data is shown (展示方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum View {
    /// In full (明文). Only for the officers handling the case (承办人员).
    Full,
    /// Masked (脱敏). For everyone else: lists, exports, statistics, published texts.
    Masked,
}

impl View {
    /// The view for a viewer: [`View::Full`] only if they are handling the case.
    pub fn for_viewer(is_handling_officer: bool) -> View {
        if is_handling_officer { View::Full } else { View::Masked }
    }

    /// A phone number in this view (see [`mask_phone`]).
    pub fn phone(self, s: &str) -> String {
        self.apply(s, mask_phone)
    }

    /// An address in this view (see [`mask_address`]).
    pub fn address(self, s: &str) -> String {
        self.apply(s, mask_address)
    }

    /// A personal name in this view (see [`mask_name`]).
    pub fn name(self, s: &str) -> String {
        self.apply(s, mask_name)
    }

    /// An identity document number in this view (see [`mask_id_number`]).
    pub fn id_number(self, s: &str) -> String {
        self.apply(s, mask_id_number)
    }

    /// Free text in this view (see [`deidentify_text`]).
    pub fn text(self, s: &str) -> String {
        self.apply(s, deidentify_text)
    }

    fn apply(self, s: &str, mask: fn(&str) -> String) -> String {
        match self {
            View::Full => s.to_owned(),
            View::Masked => mask(s),
        }
    }
}

/// Masks a phone number (电话号码脱敏).
///
/// - A mainland mobile number (11 digits starting with 1, optionally after +86 or 86, with
///   any spaces or hyphens) keeps its first 3 and last 4 digits: `138****5678`.
/// - A landline number starting with 0 keeps its area code (as separated by the writer, else
///   3 digits for 010 and 02x, 4 otherwise) and its last 2 digits: `028-******34`.
/// - Anything else keeps only its last 2 digits; every other digit becomes `*`.
pub fn mask_phone(s: &str) -> String {
    let s = s.trim();
    let digits: Vec<char> = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let phone_like = s.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
    if phone_like {
        let national: &[char] =
            if digits.len() == 13 && digits.starts_with(&['8', '6']) { &digits[2..] } else { &digits };
        if is_mobile(national) {
            return mask_mobile(national);
        }
        if digits.first() == Some(&'0') && (10..=12).contains(&digits.len()) {
            let area_len =
                written_area_code_len(s).unwrap_or(if matches!(digits.get(1), Some('1' | '2')) { 3 } else { 4 });
            if area_len < digits.len().saturating_sub(2) {
                let area: String = digits[..area_len].iter().collect();
                let hidden = digits.len() - area_len - 2;
                let last: String = digits[digits.len() - 2..].iter().collect();
                return format!("{area}-{}{last}", "*".repeat(hidden));
            }
        }
    }
    keep_last_digits(s, 2)
}

/// Whether these digits are a mainland mobile number: `1[3-9]` and 9 more digits.
fn is_mobile(digits: &[char]) -> bool {
    digits.len() == 11 && digits[0] == '1' && matches!(digits[1], '3'..='9')
}

/// `138****5678` from the 11 digits of a mobile number.
fn mask_mobile(digits: &[char]) -> String {
    let head: String = digits.iter().take(3).collect();
    let tail: String = digits.iter().skip(digits.len().saturating_sub(4)).collect();
    format!("{head}****{tail}")
}

/// The number of digits before the first separator, if the writer separated an area code
/// (e.g. `028-85551234`, `(028)85551234`, `010 12345678`) and it looks like one (3–4 digits).
fn written_area_code_len(s: &str) -> Option<usize> {
    let s = s.trim_start_matches('(');
    let len = s.chars().take_while(|c| c.is_ascii_digit()).count();
    let separated = matches!(s.chars().nth(len), Some('-' | ' ' | ')'));
    (separated && (3..=4).contains(&len)).then_some(len)
}

/// Replaces every ASCII digit but the last `keep` with `*`, leaving other characters.
fn keep_last_digits(s: &str, keep: usize) -> String {
    let total = s.chars().filter(|c| c.is_ascii_digit()).count();
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + keep > total { c } else { '*' }
            } else {
                c
            }
        })
        .collect()
}

/// How many leading characters an address may show before it must be cut.
const ADDRESS_WINDOW: usize = 12;

/// Masks an address (地址脱敏): keeps the administrative area down to the district or county
/// and replaces the rest with `****`.
///
/// The kept part ends at the first county-level marker (区, 县 or 市) within the first 12
/// characters. A 市 followed within a few characters by another 区/县/市 is a prefecture
/// (or municipality) and the following marker is taken instead (`四川省成都市武侯区…` keeps
/// `四川省成都市武侯区`); 自治区 is a province and does not count. Without a marker the
/// first 6 characters are kept (at most half the address). An address that is only an
/// administrative area is returned unchanged.
pub fn mask_address(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let window = &chars[..chars.len().min(ADDRESS_WINDOW)];
    let first = (0..window.len()).find(|&i| is_marker_at(window, i));
    let keep = match first {
        Some(i) => {
            // A prefecture-level city followed by its district/county (…市武侯区): keep both.
            // The search may look a little past the window, to the district's own marker.
            let next = (i + 2..chars.len().min(i + 6)).find(|&j| is_marker_at(&chars, j));
            match (window[i], next) {
                ('市', Some(j)) => j + 1,
                _ => i + 1,
            }
        }
        None => 6.min(chars.len() / 2),
    };
    if keep >= chars.len() {
        return chars.into_iter().collect();
    }
    let mut out: String = chars[..keep].iter().collect();
    out.push_str("****");
    out
}

/// Whether `chars[i]` ends a county-level unit: 区, 县 or 市, but not the 区 of 自治区 (a
/// province-level unit).
fn is_marker_at(chars: &[char], i: usize) -> bool {
    match chars.get(i) {
        Some('县' | '市') => true,
        Some('区') => !(i >= 2 && chars[i - 2] == '自' && chars[i - 1] == '治'),
        _ => false,
    }
}

/// Masks a personal name (姓名脱敏): keeps the first character and replaces every other
/// character with `*`: `张三` → `张*`, `欧阳娜娜` → `欧***`. A one-character name becomes `*`.
pub fn mask_name(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        n => {
            let mut out = String::new();
            out.push(chars[0]);
            out.push_str(&"*".repeat(n - 1));
            out
        }
    }
}

/// Masks any identity document number (证件号码脱敏): with 14 or more characters the first 6
/// and last 4 are kept (`110105********002X`); with 3–13 the first and last one
/// (`E*******8`); shorter numbers are replaced entirely.
pub fn mask_id_number(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        14.. => (6, 4),
        3..=13 => (1, 1),
        _ => (0, 0),
    };
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// Masks a bank card number: only the last 4 digits stay.
fn mask_card(digits: &[char]) -> String {
    let keep = digits.len().min(4);
    let mut out = "*".repeat(digits.len() - keep);
    out.extend(&digits[digits.len() - keep..]);
    out
}

/// De-identifies free text (去标识化): finds and masks, wherever they occur in the text,
///
/// - 18-character resident ID numbers (17 digits and a digit or X): a number that passes the
///   GB 11643 check keeps its first 6 and last 4 characters; an 18-digit run that fails the
///   check is treated as a bank card number (last 4 kept);
/// - mainland mobile numbers, `1[3-9]` + 9 digits, not part of a longer digit run (also
///   after `+86`/`86`, and written as `138 1234 5678` or `138-1234-5678`): `138****5678`;
/// - e-mail addresses: the first character of the local part and the domain stay,
///   `z***@example.com`;
/// - bank card numbers, runs of 16–19 digits (also in groups of 4 separated by single
///   spaces or hyphens): only the last 4 digits stay.
///
/// Everything else, including other digit runs such as dates and amounts, is left as it is.
/// Only ASCII digits are recognised.
pub fn deidentify_text(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let emails = email_spans(&chars);
    let mut out = String::with_capacity(s.len());
    let mut next_email = emails.iter().peekable();
    let mut i = 0;
    while i < chars.len() {
        if let Some(&&(start, end)) = next_email.peek()
            && i == start
        {
            out.push(chars[start]);
            out.push_str("***");
            out.extend(chars[start..end].iter().skip_while(|&&c| c != '@'));
            next_email.next();
            i = end;
            continue;
        }
        let starts_run = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit());
        if starts_run {
            let limit = next_email.peek().map_or(chars.len(), |&&(start, _)| start);
            if let Some((masked, end)) = mask_number_at(&chars[..limit], i) {
                out.push_str(&masked);
                i = end;
                continue;
            }
            // Not personal data: copy the whole run so a suffix is not mistaken for a number.
            let end = run_end(&chars[..limit], i);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// End (exclusive) of the ASCII digit run starting at `i`.
fn run_end(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() && chars[j].is_ascii_digit() {
        j += 1;
    }
    j
}

/// If a personal number starts at `i` (the start of a digit run), its masked form and the
/// index after it.
fn mask_number_at(chars: &[char], i: usize) -> Option<(String, usize)> {
    let end = run_end(chars, i);
    let run = &chars[i..end];
    let after = chars.get(end).copied();
    // 17 digits + X: a resident ID number.
    if run.len() == 17 && matches!(after, Some('X' | 'x')) {
        let next = chars.get(end + 1).copied();
        if !next.is_some_and(|c| c.is_ascii_alphanumeric()) {
            let id: String = chars[i..=end].iter().collect();
            return Some((mask_id_number(&id), end + 1));
        }
    }
    match run.len() {
        11 if is_mobile(run) => return Some((mask_mobile(run), end)),
        13 if run.starts_with(&['8', '6']) && is_mobile(&run[2..]) => {
            return Some((format!("86{}", mask_mobile(&run[2..])), end));
        }
        18 => {
            let number: String = run.iter().collect();
            return Some(match crate::identity::ResidentId::parse(&number) {
                Ok(id) => (id.masked(), end),
                Err(_) => (mask_card(run), end),
            });
        }
        16..=19 => return Some((mask_card(run), end)),
        _ => {}
    }
    grouped_number_at(chars, i)
}

/// A mobile number written `138 1234 5678` / `138-1234-5678`, or a card number written in
/// groups of 4 (`6222 0212 3456 7890 123`), starting at `i`: its masked form and end.
/// Groups are joined by one and the same separator, a single space or hyphen.
fn grouped_number_at(chars: &[char], i: usize) -> Option<(String, usize)> {
    let first_end = run_end(chars, i);
    let sep = *chars.get(first_end)?;
    if sep != ' ' && sep != '-' {
        return None;
    }
    let mut groups = vec![(i, first_end)];
    let mut j = first_end;
    while groups.len() < 5 && chars.get(j) == Some(&sep) && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit()) {
        let end = run_end(chars, j + 1);
        groups.push((j + 1, end));
        j = end;
    }
    // Masks the first `k` groups as one number, keeping the writer's separators.
    let mask_groups = |k: usize, mask: fn(&[char]) -> String| -> (String, usize) {
        let groups = &groups[..k];
        let digits: Vec<char> = groups.iter().flat_map(|&(a, b)| chars[a..b].iter().copied()).collect();
        let mut masked = mask(&digits).chars().collect::<Vec<_>>().into_iter();
        let mut out = String::new();
        for (n, &(a, b)) in groups.iter().enumerate() {
            if n > 0 {
                out.push(sep);
            }
            out.extend(masked.by_ref().take(b - a));
        }
        (out, groups[k - 1].1)
    };
    let sizes: Vec<usize> = groups.iter().map(|(a, b)| b - a).collect();
    if sizes.starts_with(&[3, 4, 4]) {
        let first = chars[i..first_end].iter().chain(&chars[groups[1].0..groups[1].1]);
        let digits: Vec<char> = first.chain(&chars[groups[2].0..groups[2].1]).copied().collect();
        if is_mobile(&digits) {
            return Some(mask_groups(3, mask_mobile));
        }
    }
    // The longest prefix of 4 or 5 groups shaped like a card number: 4-digit groups, the last
    // one 1–4 digits, 16–19 digits in all.
    (4..=sizes.len()).rev().find_map(|k| {
        let (last, full) = sizes[..k].split_last()?;
        let total: usize = sizes[..k].iter().sum();
        (full.iter().all(|&n| n == 4) && (1..=4).contains(last) && (16..=19).contains(&total))
            .then(|| mask_groups(k, mask_card))
    })
}

/// Characters allowed in the local part of an e-mail address.
fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

/// Characters allowed in the domain of an e-mail address.
fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// Non-overlapping spans `[start, end)` of e-mail addresses in the text, in order.
fn email_spans(chars: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut floor = 0; // no span may start before the end of the previous one
    for (at, &c) in chars.iter().enumerate() {
        if c != '@' || at < floor {
            continue;
        }
        let mut start = at;
        while start > floor && is_local_char(chars[start - 1]) {
            start -= 1;
        }
        while start < at && matches!(chars[start], '.' | '-') {
            start += 1;
        }
        let mut end = at + 1;
        while end < chars.len() && is_domain_char(chars[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(chars[end - 1], '.' | '-') {
            end -= 1; // a sentence's full stop is not part of the domain
        }
        let domain = &chars[at + 1..end];
        let domain_ok = domain.contains(&'.')
            && domain.first().is_some_and(|c| c.is_ascii_alphanumeric())
            && !domain.windows(2).any(|w| w == ['.', '.']);
        if start < at && domain_ok {
            spans.push((start, end));
            floor = end;
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn phones() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone(" 138 1234 5678 "), "138****5678");
        assert_eq!(mask_phone("+86 138-1234-5678"), "138****5678");
        assert_eq!(mask_phone("028-85551234"), "028-******34");
        assert_eq!(mask_phone("(028)85551234"), "028-******34");
        assert_eq!(mask_phone("02885551234"), "028-******34");
        assert_eq!(mask_phone("010-12345678"), "010-******78");
        assert_eq!(mask_phone("0838-2212345"), "0838-*****45");
        assert_eq!(mask_phone("08382212345"), "0838-*****45");
        // Unrecognised shapes: only the last 2 digits stay.
        assert_eq!(mask_phone("85551234"), "******34");
        assert_eq!(mask_phone("电话85551234"), "电话******34");
        assert_eq!(mask_phone("12"), "12");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn addresses() {
        assert_eq!(mask_address("四川省成都市武侯区人民南路四段1号"), "四川省成都市武侯区****");
        assert_eq!(mask_address("成都市青羊区文翁路12号3栋"), "成都市青羊区****");
        assert_eq!(mask_address("北京市朝阳区建国路88号"), "北京市朝阳区****");
        assert_eq!(mask_address("四川省都江堰市幸福镇1号"), "四川省都江堰市****");
        assert_eq!(mask_address("游仙区绵兴东路12号"), "游仙区****");
        assert_eq!(mask_address("汶川县威州镇"), "汶川县****");
        assert_eq!(mask_address("广西壮族自治区南宁市青秀区民族大道1号"), "广西壮族自治区南宁市青秀区****");
        // No marker in the first 12 characters: first 6 kept.
        assert_eq!(mask_address("人民南路四段一号附二号院三栋"), "人民南路四段****");
        // Short address without a marker: at most half of it is shown.
        assert_eq!(mask_address("人民南路1号"), "人民南****");
        // Only an administrative area: nothing to hide.
        assert_eq!(mask_address("成都市武侯区"), "成都市武侯区");
        assert_eq!(mask_address(""), "");
    }

    #[test]
    fn names() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("李"), "*");
        assert_eq!(mask_name(" 王小明 "), "王**");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn id_numbers() {
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
        assert_eq!(mask_id_number("E12345678"), "E*******8");
        assert_eq!(mask_id_number("12345678901234"), "123456****1234");
        assert_eq!(mask_id_number("ab"), "**");
        assert_eq!(mask_id_number("甲乙丙"), "甲*丙");
        assert_eq!(mask_id_number(""), "");
    }

    #[test]
    fn views() {
        assert_eq!(View::for_viewer(true), View::Full);
        assert_eq!(View::for_viewer(false), View::Masked);
        assert_eq!(View::Full.phone("13812345678"), "13812345678");
        assert_eq!(View::Masked.phone("13812345678"), "138****5678");
        assert_eq!(View::Masked.name("张三"), "张*");
        assert_eq!(View::Masked.id_number("11010519491231002X"), "110105********002X");
        assert_eq!(View::Full.address("成都市青羊区文翁路12号"), "成都市青羊区文翁路12号");
    }

    #[test]
    fn deidentify_ids_and_phones_in_chinese_text() {
        assert_eq!(
            deidentify_text("申请人张三，身份证号11010519491231002X，联系电话13812345678。"),
            "申请人张三，身份证号110105********002X，联系电话138****5678。"
        );
        assert_eq!(deidentify_text("身份证号码：11010519491231002x"), "身份证号码：110105********002x");
        assert_eq!(
            deidentify_text("手机+8613812345678或138 1234 5678、139-8765-4321"),
            "手机+86138****5678或138 **** 5678、139-****-4321"
        );
        // 12 digits: a mobile number cannot be part of a longer run.
        assert_eq!(deidentify_text("编号138123456789"), "编号138123456789");
        // 12345678901 does not start with 1[3-9].
        assert_eq!(deidentify_text("编号12345678901"), "编号12345678901");
        // Dates and amounts stay.
        assert_eq!(deidentify_text("2026年1月15日收到，费用100元。"), "2026年1月15日收到，费用100元。");
    }

    #[test]
    fn deidentify_emails() {
        assert_eq!(deidentify_text("请发送至zhangsan@example.com。谢谢"), "请发送至z***@example.com。谢谢");
        assert_eq!(deidentify_text("邮箱：13812345678@qq.com."), "邮箱：1***@qq.com.");
        assert_eq!(deidentify_text("a.b+c@mail.sc.gov.cn, x@y"), "a***@mail.sc.gov.cn, x@y");
        assert_eq!(deidentify_text("@某某 你好"), "@某某 你好");
    }

    #[test]
    fn deidentify_bank_cards() {
        assert_eq!(deidentify_text("退款账户6222021234567890123，户名张三"), "退款账户***************0123，户名张三");
        assert_eq!(deidentify_text("卡号6222 0212 3456 7890 123"), "卡号**** **** **** ***0 123");
        // An 18-digit run that is not a valid ID number is masked as a card.
        assert_eq!(deidentify_text("账号622202123456789012"), "账号**************9012");
        // A valid 18-digit ID number keeps its region code.
        assert_eq!(deidentify_text("证号110101199003078515"), "证号110101********8515");
        // Right check digit but born 1880: not a valid ID number, so masked as a card.
        assert_eq!(deidentify_text("证号440524188001010014"), "证号**************0014");
        // Grouped numbers next to each other are each masked.
        assert_eq!(deidentify_text("138 1234 5678 139 8765 4321"), "138 **** 5678 139 **** 4321");
        assert_eq!(deidentify_text("6222-0212-3456-7890，2026-01-15"), "****-****-****-7890，2026-01-15");
        // 15 and 20 digits are neither.
        assert_eq!(deidentify_text("123456789012345"), "123456789012345");
        assert_eq!(deidentify_text("12345678901234567890"), "12345678901234567890");
    }

    proptest! {
        #[test]
        fn maskers_never_panic(s in "\\PC{0,40}") {
            let _ = mask_phone(&s);
            let _ = mask_address(&s);
            let _ = mask_name(&s);
            let _ = mask_id_number(&s);
            let _ = deidentify_text(&s);
        }

        #[test]
        fn no_mobile_survives_deidentification(
            prefix in "[\\u4e00-\\u9fa5a-z ，。]{0,10}",
            second in 3u8..=9,
            rest in 0u64..1_000_000_000,
            suffix in "[\\u4e00-\\u9fa5a-z ，。]{0,10}",
        ) {
            let mobile = format!("1{second}{rest:09}");
            let text = format!("{prefix}{mobile}{suffix}");
            let out = deidentify_text(&text);
            prop_assert!(!out.contains(&mobile), "{} -> {}", text, out);
            prop_assert_eq!(out.chars().count(), text.chars().count());
        }
    }
}
