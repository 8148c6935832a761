//! Masking of personal data (脱敏 / 去标识化), rules.md §6.
//!
//! Applicants' identity numbers, phone numbers and addresses are personal data: only the
//! officers handling the case see them in full; every list, export and published text shows
//! them masked. Anything published or sent to a third party must also be de-identified, so
//! [`deidentify`] finds and masks resident ID numbers (GB 11643), mobile and landline
//! numbers, e-mail addresses and bank card numbers (Luhn) inside free text (e.g. a reply
//! letter before it goes on the website, or a consultation letter) and reports what it
//! found where.
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

    /// The narrower of two views: masked if either is. A view decided for a list holds for
    /// everything reached from that list, however the path returns to the case.
    pub fn at_most(self, ceiling: View) -> View {
        if self == View::Masked || ceiling == View::Masked { View::Masked } else { View::Full }
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

/// Whether the digits pass the Luhn check (ISO/IEC 7812-1) that every bank card number
/// carries in its last digit: doubling every second digit from the right, the sum is a
/// multiple of 10.
pub fn luhn_valid(digits: &[char]) -> bool {
    let mut sum = 0;
    for (i, c) in digits.iter().rev().enumerate() {
        let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) else { return false };
        sum += if i % 2 == 1 {
            let twice = d * 2;
            if twice > 9 { twice - 9 } else { twice }
        } else {
            d
        };
    }
    !digits.is_empty() && sum % 10 == 0
}

/// What kind of personal data a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingKind {
    /// A resident ID number (居民身份证号码) that passes GB 11643.
    IdNumber,
    /// A mainland mobile or landline number (电话号码).
    Phone,
    /// An e-mail address (电子邮箱).
    Email,
    /// A bank card number (银行卡号) that passes the Luhn check.
    BankCard,
}

impl FindingKind {
    /// The Chinese name, e.g. `身份证号码`.
    pub fn label_zh(self) -> &'static str {
        match self {
            FindingKind::IdNumber => "身份证号码",
            FindingKind::Phone => "电话号码",
            FindingKind::Email => "电子邮箱",
            FindingKind::BankCard => "银行卡号",
        }
    }
}

/// One piece of personal data found in a text: its kind and where it was, as character
/// (Unicode scalar value) offsets into the original text, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// What was found.
    pub kind: FindingKind,
    /// The offset of its first character.
    pub start: usize,
    /// The offset after its last character.
    pub end: usize,
}

/// A de-identified text and what was masked in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deidentified {
    /// The text with every finding masked.
    pub text: String,
    /// What was masked, in the order it occurs; offsets refer to the original text.
    pub findings: Vec<Finding>,
}

/// De-identifies free text (去标识化) before it is published or sent to a third party:
/// the masked text of [`deidentify`].
pub fn deidentify_text(s: &str) -> String {
    deidentify(s).text
}

/// De-identifies free text (去标识化): finds and masks, wherever they occur in the text,
///
/// - resident ID numbers: 18 characters (17 digits and a digit or X) that pass GB 11643
///   ([`ResidentId`](crate::identity::ResidentId): the region, the birth date and the check
///   character) keep their first 6 and last 4 characters;
/// - mobile numbers, `1[3-9]` + 9 digits, not part of a longer digit run (also after
///   `+86`/`86`, and written as `138 1234 5678` or `138-1234-5678`): `138****5678`;
/// - landline numbers with an area code, written `028-85551234`, `028 85551234`,
///   `(028)85551234`, `（0816）2345678` or run together as `02885551234`: the area code and
///   the last 2 digits stay, `028-******34`;
/// - e-mail addresses: the first character of the local part and the domain stay,
///   `z***@example.com`;
/// - bank card numbers: runs of 16–19 digits (also in groups of 4 separated by single
///   spaces or hyphens) that pass the Luhn check: only the last 4 digits stay.
///
/// Everything else is left as it is: dates (`2026-10-09`, `20261009`), document numbers
/// (`国办函〔2020〕109号`), amounts, postal codes, and long numbers that fail their check
/// (an order number is not a card number). Only ASCII digits are recognised. Masks keep the
/// length of numbers, so the layout of the text stays.
pub fn deidentify(s: &str) -> Deidentified {
    let chars: Vec<char> = s.chars().collect();
    let emails = email_spans(&chars);
    let mut out = String::with_capacity(s.len());
    let mut findings = Vec::new();
    let mut next_email = emails.iter().peekable();
    let mut i = 0;
    while i < chars.len() {
        if let Some(&&(start, end)) = next_email.peek()
            && i == start
        {
            out.push(chars[start]);
            out.push_str("***");
            out.extend(chars[start..end].iter().skip_while(|&&c| c != '@'));
            findings.push(Finding { kind: FindingKind::Email, start, end });
            next_email.next();
            i = end;
            continue;
        }
        let limit = next_email.peek().map_or(chars.len(), |&&(start, _)| start);
        let chars = &chars[..limit];
        if matches!(chars[i], '(' | '（')
            && let Some((masked, end)) = bracketed_landline_at(chars, i)
        {
            out.push_str(&masked);
            findings.push(Finding { kind: FindingKind::Phone, start: i, end });
            i = end;
            continue;
        }
        let starts_run = chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit());
        if starts_run {
            if let Some((masked, end, kind)) = mask_number_at(chars, i) {
                out.push_str(&masked);
                findings.push(Finding { kind, start: i, end });
                i = end;
                continue;
            }
            // Not personal data: copy the whole run so a suffix is not mistaken for a number.
            let end = run_end(chars, i);
            out.extend(&chars[i..end]);
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    Deidentified { text: out, findings }
}

/// End (exclusive) of the ASCII digit run starting at `i`.
fn run_end(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() && chars[j].is_ascii_digit() {
        j += 1;
    }
    j
}

/// The masked resident ID number in `chars`, if they are one that passes GB 11643.
fn valid_resident_id(chars: &[char]) -> Option<String> {
    let number: String = chars.iter().collect();
    crate::identity::ResidentId::parse(&number).ok().map(|_| mask_id_number(&number))
}

/// The length of the area code at the start of `digits`, if they start like a landline
/// number: `010` and `02x` have 3 digits, every other `0[3-9]xx` code 4.
fn area_code_len(digits: &[char]) -> Option<usize> {
    match digits {
        ['0', '1', '0', ..] | ['0', '2', ..] => Some(3),
        ['0', '3'..='9', ..] => Some(4),
        _ => None,
    }
}

/// Whether `digits` are a local landline number: 7 or 8 digits, not starting with 0 or 1.
fn is_local_number(digits: &[char]) -> bool {
    (7..=8).contains(&digits.len()) && matches!(digits[0], '2'..='9')
}

/// Every digit of a local number but the last 2 becomes `*`.
fn mask_local(digits: &[char]) -> String {
    let keep = digits.len().min(2);
    let mut out = "*".repeat(digits.len() - keep);
    out.extend(&digits[digits.len() - keep..]);
    out
}

/// If a personal number starts at `i` (the start of a digit run), its masked form, the
/// index after it and its kind.
fn mask_number_at(chars: &[char], i: usize) -> Option<(String, usize, FindingKind)> {
    let end = run_end(chars, i);
    let run = &chars[i..end];
    let after = chars.get(end).copied();
    // 17 digits + X: a resident ID number, if it passes GB 11643.
    if run.len() == 17 && matches!(after, Some('X' | 'x')) {
        let next = chars.get(end + 1).copied();
        if !next.is_some_and(|c| c.is_ascii_alphanumeric()) {
            return valid_resident_id(&chars[i..=end]).map(|masked| (masked, end + 1, FindingKind::IdNumber));
        }
        return None;
    }
    match run.len() {
        11 if is_mobile(run) => return Some((mask_mobile(run), end, FindingKind::Phone)),
        13 if run.starts_with(&['8', '6']) && is_mobile(&run[2..]) => {
            return Some((format!("86{}", mask_mobile(&run[2..])), end, FindingKind::Phone));
        }
        18 if valid_resident_id(run).is_some() => {
            return valid_resident_id(run).map(|masked| (masked, end, FindingKind::IdNumber));
        }
        16..=19 if luhn_valid(run) => return Some((mask_card(run), end, FindingKind::BankCard)),
        11..=12 => {
            // A landline number run together: area code and local number.
            if let Some(area) = area_code_len(run).filter(|&a| is_local_number(&run[a..])) {
                let mut masked: String = run[..area].iter().collect();
                masked.push_str(&mask_local(&run[area..]));
                return Some((masked, end, FindingKind::Phone));
            }
        }
        _ => {}
    }
    grouped_number_at(chars, i)
}

/// A landline number whose area code is in brackets, `(028)85551234` or `（0816） 2345678`,
/// starting at the bracket `i`: its masked form and end.
fn bracketed_landline_at(chars: &[char], i: usize) -> Option<(String, usize)> {
    let area_end = run_end(chars, i + 1);
    let area = &chars[i + 1..area_end];
    if area_code_len(area) != Some(area.len()) || !matches!(chars.get(area_end), Some(')' | '）')) {
        return None;
    }
    let mut local_start = area_end + 1;
    if chars.get(local_start) == Some(&' ') {
        local_start += 1;
    }
    let local_end = run_end(chars, local_start);
    let local = &chars[local_start..local_end];
    if !is_local_number(local) {
        return None;
    }
    let mut masked: String = chars[i..local_start].iter().collect();
    masked.push_str(&mask_local(local));
    Some((masked, local_end))
}

/// A number written in groups starting at `i`: a mobile number `138 1234 5678` /
/// `138-1234-5678`, a landline number `028-85551234` / `0816 2345678`, or a card number in
/// groups of 4 (`6222 0212 3456 7890 123`) that passes the Luhn check. Its masked form, end
/// and kind. Groups are joined by one and the same separator, a single space or hyphen.
fn grouped_number_at(chars: &[char], i: usize) -> Option<(String, usize, FindingKind)> {
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
    if groups.len() < 2 {
        return None;
    }
    let digits_of =
        |k: usize| -> Vec<char> { groups[..k].iter().flat_map(|&(a, b)| chars[a..b].iter().copied()).collect() };
    // Masks the first `k` groups as one number, keeping the writer's separators.
    let mask_groups = |k: usize, mask: &dyn Fn(&[char]) -> String| -> (String, usize) {
        let groups = &groups[..k];
        let digits = digits_of(k);
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
    if sizes.starts_with(&[3, 4, 4]) && is_mobile(&digits_of(3)) {
        let (masked, end) = mask_groups(3, &mask_mobile);
        return Some((masked, end, FindingKind::Phone));
    }
    // Area code, separator, local number: 028-85551234.
    let first = &chars[i..first_end];
    let second = &chars[groups[1].0..groups[1].1];
    if area_code_len(first) == Some(first.len()) && is_local_number(second) {
        let area_len = first.len();
        let (masked, end) = mask_groups(2, &|d: &[char]| {
            let mut out: String = d[..area_len].iter().collect();
            out.push_str(&mask_local(&d[area_len..]));
            out
        });
        return Some((masked, end, FindingKind::Phone));
    }
    // The longest prefix of 4 or 5 groups shaped like a card number: 4-digit groups, the last
    // one 1–4 digits, 16–19 digits in all, passing the Luhn check.
    (4..=sizes.len()).rev().find_map(|k| {
        let (last, full) = sizes[..k].split_last()?;
        let total: usize = sizes[..k].iter().sum();
        (full.iter().all(|&n| n == 4)
            && (1..=4).contains(last)
            && (16..=19).contains(&total)
            && luhn_valid(&digits_of(k)))
        .then(|| {
            let (masked, end) = mask_groups(k, &mask_card);
            (masked, end, FindingKind::BankCard)
        })
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
    fn a_view_never_widens_past_its_ceiling() {
        assert_eq!(View::Full.at_most(View::Full), View::Full);
        assert_eq!(View::Full.at_most(View::Masked), View::Masked);
        assert_eq!(View::Masked.at_most(View::Full), View::Masked);
        assert_eq!(View::Masked.at_most(View::Masked), View::Masked);
    }

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
        // 6222021234567890128 passes the Luhn check.
        assert_eq!(deidentify_text("退款账户6222021234567890128，户名张三"), "退款账户***************0128，户名张三");
        assert_eq!(deidentify_text("卡号6222 0212 3456 7890 128"), "卡号**** **** **** ***0 128");
        // An 18-digit run that is not a valid ID number but passes the Luhn check is a card.
        assert_eq!(deidentify_text("账号622202123456789012"), "账号**************9012");
        // A valid 18-digit ID number keeps its region code.
        assert_eq!(deidentify_text("证号110101199003078515"), "证号110101********8515");
        // Right check digit but born 1880: not a valid ID number; it passes the Luhn check,
        // so it is masked as a card.
        assert_eq!(deidentify_text("证号440524188001010014"), "证号**************0014");
        // Grouped numbers next to each other are each masked.
        assert_eq!(deidentify_text("138 1234 5678 139 8765 4321"), "138 **** 5678 139 **** 4321");
        assert_eq!(deidentify_text("6222-0212-3456-7894，2026-01-15"), "****-****-****-7894，2026-01-15");
        // 15 and 20 digits are neither.
        assert_eq!(deidentify_text("123456789012345"), "123456789012345");
        assert_eq!(deidentify_text("12345678901234567890"), "12345678901234567890");
    }

    #[test]
    fn deidentify_landlines() {
        assert_eq!(deidentify_text("电话：028-85551234。"), "电话：028-******34。");
        assert_eq!(deidentify_text("电话0816-2345678转"), "电话0816-*****78转");
        assert_eq!(deidentify_text("电话 0816 2345678"), "电话 0816 *****78");
        assert_eq!(deidentify_text("(028)85551234"), "(028)******34");
        assert_eq!(deidentify_text("（0816） 2345678"), "（0816） *****78");
        assert_eq!(deidentify_text("座机02885551234"), "座机028******34");
        assert_eq!(deidentify_text("座机081623456789"), "座机0816******89");
        // Area code 010 with a local number starting with 1 is no landline number.
        assert_eq!(deidentify_text("010-12345678"), "010-12345678");
    }

    #[test]
    fn deidentify_reports_what_it_found_where() {
        let text = "张三，身份证11010519491231002X，手机138 1234 5678，邮箱zs@example.com，卡号6222021234567894，电话(028)85551234";
        let found = deidentify(text);
        let kinds: Vec<FindingKind> = found.findings.iter().map(|f| f.kind).collect();
        use FindingKind::*;
        assert_eq!(kinds, [IdNumber, Phone, Email, BankCard, Phone]);
        let chars: Vec<char> = text.chars().collect();
        let originals: Vec<String> = found.findings.iter().map(|f| chars[f.start..f.end].iter().collect()).collect();
        assert_eq!(
            originals,
            ["11010519491231002X", "138 1234 5678", "zs@example.com", "6222021234567894", "(028)85551234"]
        );
        assert_eq!(
            found.text,
            "张三，身份证110105********002X，手机138 **** 5678，邮箱z***@example.com，卡号************7894，电话(028)******34"
        );
        assert_eq!(deidentify_text(text), found.text);
        assert_eq!(BankCard.label_zh(), "银行卡号");
        assert_eq!(serde_json::to_string(&IdNumber).ok().as_deref(), Some("\"ID_NUMBER\""));
    }

    #[test]
    fn what_is_not_personal_data_stays() {
        for text in [
            // Dates, in every usual writing.
            "2026年10月9日收到申请，2026-10-09登记，20261009归档，时间09:30。",
            // Document and case numbers.
            "游府信申〔2026〕17号、国办函〔2020〕109号、国办公开办函〔2021〕30号、GB 11643-1999",
            // Amounts and counts.
            "费用100元，合计1234567.89元（12,345,678元），共120页。",
            // Postal codes, a credit code, a 12-digit register number.
            "邮编621000，统一社会信用代码91510700MA62XXXX3T，登记号510703000012",
            // Long numbers that fail their check: an order number, an invalid ID number.
            "订单号6222021234567890123，流水号1234567890123456，编号11010519491231002Y、110105194912310021",
            // Service numbers and short numbers.
            "热线12345，政务服务热线0816-12345，分机8001",
        ] {
            let found = deidentify(text);
            assert_eq!(found.text, text);
            assert!(found.findings.is_empty(), "{text}: {:?}", found.findings);
        }
    }

    #[test]
    fn luhn() {
        let digits = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(luhn_valid(&digits("4111111111111111")));
        assert!(luhn_valid(&digits("6222021234567890128")));
        assert!(!luhn_valid(&digits("6222021234567890123")));
        assert!(!luhn_valid(&digits("")));
        assert!(!luhn_valid(&digits("42a2")));
    }

    /// The check character of 17 body digits (GB 11643), found by asking the parser.
    fn with_check_char(body: &str) -> Option<String> {
        "0123456789X".chars().map(|c| format!("{body}{c}")).find(|id| crate::identity::ResidentId::parse(id).is_ok())
    }

    /// The Luhn check digit completing `body`.
    fn with_luhn_digit(body: &str) -> String {
        (0..10).map(|d| format!("{body}{d}")).find(|n| luhn_valid(&n.chars().collect::<Vec<_>>())).unwrap_or_default()
    }

    /// Text around a number that cannot run into it (no ASCII digits or letters).
    fn filler() -> impl Strategy<Value = String> {
        "[\\u4e00-\\u9fa5 ，。：]{0,10}"
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

        #[test]
        fn no_valid_id_survives_deidentification(
            prefix in filler(),
            region in 110000u32..=659999,
            days in 0i64..40_000,
            serial in 0u32..1000,
            suffix in filler(),
        ) {
            let birth = time::macros::date!(1920 - 01 - 01) + time::Duration::days(days);
            let body = format!("{region}{:04}{:02}{:02}{serial:03}", birth.year(), birth.month() as u8, birth.day());
            let id = with_check_char(&body).ok_or_else(|| TestCaseError::fail("no check character"))?;
            let text = format!("{prefix}{id}{suffix}");
            let found = deidentify(&text);
            prop_assert!(!found.text.contains(&id), "{} -> {}", text, found.text);
            prop_assert!(!found.text.contains(&body[6..14]), "the birth date is hidden: {}", found.text);
            prop_assert_eq!(found.findings.len(), 1);
            prop_assert_eq!(found.findings[0].kind, FindingKind::IdNumber);
            prop_assert_eq!(found.text.chars().count(), text.chars().count());
        }

        #[test]
        fn no_valid_card_survives_deidentification(
            prefix in filler(),
            body in "62[0-9]{13,16}",
            grouped in any::<bool>(),
            suffix in filler(),
        ) {
            let card = with_luhn_digit(&body);
            prop_assume!(crate::identity::ResidentId::parse(&card).is_err());
            let written = if grouped {
                card.chars().collect::<Vec<_>>().chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
            } else {
                card.clone()
            };
            let text = format!("{prefix}{written}{suffix}");
            let found = deidentify(&text);
            let digits_left: String = found.text.chars().filter(|c| c.is_ascii_digit()).collect();
            prop_assert!(!found.text.contains(&written), "{} -> {}", text, found.text);
            prop_assert_eq!(digits_left, card[card.len() - 4..].to_owned(), "only the last 4 digits stay");
            prop_assert_eq!(found.findings.iter().map(|f| f.kind).collect::<Vec<_>>(), vec![FindingKind::BankCard]);
        }

        #[test]
        fn no_landline_survives_deidentification(
            prefix in filler(),
            area in prop_oneof![Just("010".to_owned()), "02[0-9]", "0[3-9][0-9]{2}"],
            local in "[2-9][0-9]{6,7}",
            written in 0usize..4,
            suffix in filler(),
        ) {
            let phone = match written {
                0 => format!("{area}-{local}"),
                1 => format!("({area}){local}"),
                2 => format!("{area} {local}"),
                _ => format!("{area}{local}"),
            };
            // Run together, 3 + 8 or 4 + 7/8 digits are recognised; 3 + 7 is too short to tell.
            prop_assume!(written != 3 || area.len() + local.len() >= 11);
            let text = format!("{prefix}{phone}{suffix}");
            let found = deidentify(&text);
            prop_assert!(!found.text.contains(&local), "{} -> {}", text, found.text);
            prop_assert!(found.text.contains(&area), "the area code stays: {}", found.text);
            prop_assert_eq!(found.findings.iter().map(|f| f.kind).collect::<Vec<_>>(), vec![FindingKind::Phone]);
        }

        #[test]
        fn findings_point_at_what_was_masked(s in "[0-9a-z@. \\-()（）\\u4e00-\\u4e10]{0,60}") {
            let found = deidentify(&s);
            let chars: Vec<char> = s.chars().collect();
            let mut last_end = 0;
            for f in &found.findings {
                prop_assert!(f.start < f.end && f.end <= chars.len() && f.start >= last_end, "{:?}", found.findings);
                last_end = f.end;
            }
            if found.findings.is_empty() {
                prop_assert_eq!(&found.text, &s);
            }
        }
    }
}
