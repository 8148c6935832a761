//! Identity numbers that can only be valid: resident ID numbers and unified social credit codes.
//!
//! An application must carry proof of the applicant's identity (Reg. 29). A typo in an
//! identity number is caught here, at the edge, with a message that says what to fix; past
//! this module a [`ResidentId`] or [`SocialCreditCode`] is known to be well-formed
//! (parse, don't validate).
//!
//! Resident ID numbers are personal data (rules.md §6): their `Debug` output is masked, they
//! have no `Display`, and [`ResidentId::masked`] is what lists and exports show. The full
//! number is reachable only through [`ResidentId::as_str`] and serialisation, for the
//! officers handling the case and for storage.

use std::fmt;

use time::{Date, Month};

use crate::privacy::mask_id_number;

/// Weights of the 17 body digits of a resident ID number, GB 11643-1999.
const RESIDENT_ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check characters indexed by the weighted sum mod 11, GB 11643-1999.
const RESIDENT_ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The 31 characters of a unified social credit code, GB 32100-2015 (no I, O, Z, S, V);
/// a character's value is its index.
const CREDIT_CODE_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of the 17 body characters of a unified social credit code, GB 32100-2015.
const CREDIT_CODE_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// What is wrong with a resident identity number (居民身份证号码).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The number does not have 18 characters.
    #[error("a resident ID number has 18 characters, but {found} were given")]
    WrongLength {
        /// The number of characters found.
        found: usize,
    },
    /// One of the first 17 characters is not a digit.
    #[error("character {position} of the resident ID number should be a digit but is {found:?}")]
    NotADigit {
        /// 1-based position of the offending character.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The 18th character is neither a digit nor X.
    #[error("the last character of the resident ID number should be a digit or X but is {found:?}")]
    BadCheckCharacter {
        /// The offending character.
        found: char,
    },
    /// The region code starts with 0.
    #[error("the resident ID number cannot start with 0: its first 6 digits are a region code")]
    BadRegion,
    /// Characters 7–14 are not a real calendar date.
    #[error(
        "characters 7-14 of the resident ID number should be the birth date as YYYYMMDD, \
         but {year:04}-{month:02}-{day:02} is not a real date"
    )]
    BadBirthDate {
        /// The year as written.
        year: u32,
        /// The month as written.
        month: u32,
        /// The day as written.
        day: u32,
    },
    /// The birth year is before 1900.
    #[error("the birth year in the resident ID number should be 1900 or later but is {year}")]
    BirthYearTooEarly {
        /// The year as written.
        year: u32,
    },
    /// The check character does not match the first 17 digits.
    #[error(
        "the check character of the resident ID number should be {expected} but is {found}; \
         one of the 18 characters is mistyped"
    )]
    CheckDigitMismatch {
        /// The check character the first 17 digits call for.
        expected: char,
        /// The check character given.
        found: char,
    },
}

/// What is wrong with a unified social credit code (统一社会信用代码).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// The code does not have 18 characters.
    #[error("a unified social credit code has 18 characters, but {found} were given")]
    WrongLength {
        /// The number of characters found.
        found: usize,
    },
    /// A character outside the code's 31-character set.
    #[error(
        "character {position} of the unified social credit code is {found:?}, which is not \
         allowed: use digits and capital letters except I, O, Z, S and V"
    )]
    InvalidCharacter {
        /// 1-based position of the offending character.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The check character does not match the first 17 characters.
    #[error(
        "the check character of the unified social credit code should be {expected} but is \
         {found}; one of the 18 characters is mistyped"
    )]
    CheckCharacterMismatch {
        /// The check character the first 17 characters call for.
        expected: char,
        /// The check character given.
        found: char,
    },
}

/// An 18-character PRC resident identity number (居民身份证号码), GB 11643-1999: a 6-digit
/// region code, the birth date as YYYYMMDD, a 3-digit sequence and a check character (0–9 or
/// X). Always valid: the only way to get one is [`ResidentId::parse`].
///
/// Personal data: `Debug` prints the masked form and there is deliberately no `Display`.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId {
    number: String,
    birth_date: Date,
}

impl ResidentId {
    /// Parses a resident ID number. Surrounding whitespace is ignored and a lowercase `x`
    /// check character is normalised to `X`.
    ///
    /// Checks, in order: 18 characters; the first 17 are digits; the last is a digit or X;
    /// the region code does not start with 0 (the region is not looked up in a table);
    /// characters 7–14 are a real date in 1900 or later; the check character (GB 11643-1999).
    pub fn parse(s: &str) -> Result<ResidentId, IdError> {
        let chars: Vec<char> = s.trim().chars().collect();
        if chars.len() != 18 {
            return Err(IdError::WrongLength { found: chars.len() });
        }
        let mut digits = [0u32; 17];
        for (i, (slot, c)) in digits.iter_mut().zip(&chars).enumerate() {
            *slot = c
                .to_digit(10)
                .filter(|_| c.is_ascii_digit())
                .ok_or(IdError::NotADigit { position: i + 1, found: *c })?;
        }
        let found = match chars[17] {
            'x' | 'X' => 'X',
            c if c.is_ascii_digit() => c,
            c => return Err(IdError::BadCheckCharacter { found: c }),
        };
        if digits[0] == 0 {
            return Err(IdError::BadRegion);
        }
        let number_at = |from: usize, to: usize| digits[from..to].iter().fold(0, |n, d| n * 10 + d);
        let (year, month, day) = (number_at(6, 10), number_at(10, 12), number_at(12, 14));
        let bad_date = IdError::BadBirthDate { year, month, day };
        let birth_date = Month::try_from(month as u8)
            .ok()
            .and_then(|m| Date::from_calendar_date(year as i32, m, day as u8).ok())
            .ok_or(bad_date)?;
        if year < 1900 {
            return Err(IdError::BirthYearTooEarly { year });
        }
        let expected = resident_id_check_char(&digits);
        if found != expected {
            return Err(IdError::CheckDigitMismatch { expected, found });
        }
        let mut number: String = chars[..17].iter().collect();
        number.push(found);
        Ok(ResidentId { number, birth_date })
    }

    /// The holder's date of birth (出生日期), characters 7–14.
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The region code (地址码) where the number was issued, the first 6 digits.
    pub fn region_code(&self) -> &str {
        self.number.get(..6).unwrap_or_default()
    }

    /// The full, normalised number. Show it only to the officers handling the case.
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The masked number for lists and exports (脱敏): the first 6 and last 4 characters,
    /// e.g. `510104********123X`.
    pub fn masked(&self) -> String {
        mask_id_number(&self.number)
    }
}

/// The check character for 17 body digits, GB 11643-1999: weighted sum mod 11.
fn resident_id_check_char(digits: &[u32; 17]) -> char {
    let sum: u32 = digits.iter().zip(RESIDENT_ID_WEIGHTS).map(|(d, w)| d * w).sum();
    RESIDENT_ID_CHECK[(sum % 11) as usize]
}

impl fmt::Debug for ResidentId {
    /// Masked: personal data must never reach logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResidentId").field(&self.masked()).finish()
    }
}

impl TryFrom<String> for ResidentId {
    type Error = IdError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        ResidentId::parse(&s)
    }
}

impl From<ResidentId> for String {
    fn from(id: ResidentId) -> String {
        id.number
    }
}

/// An 18-character unified social credit code (统一社会信用代码), GB 32100-2015: the
/// identity of a legal person or other organisation. Always valid: the only way to get one is
/// [`SocialCreditCode::parse`]. Not personal data, so it is shown in full.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SocialCreditCode(String);

impl SocialCreditCode {
    /// Parses a unified social credit code. Surrounding whitespace is ignored and lowercase
    /// letters are normalised to capitals.
    ///
    /// Checks: 18 characters, each from `0123456789ABCDEFGHJKLMNPQRTUWXY`, and the check
    /// character (GB 32100-2015).
    pub fn parse(s: &str) -> Result<SocialCreditCode, CreditCodeError> {
        let chars: Vec<char> = s.trim().chars().map(|c| c.to_ascii_uppercase()).collect();
        if chars.len() != 18 {
            return Err(CreditCodeError::WrongLength { found: chars.len() });
        }
        let mut values = [0u32; 18];
        for (i, (slot, c)) in values.iter_mut().zip(&chars).enumerate() {
            *slot = credit_code_value(*c).ok_or(CreditCodeError::InvalidCharacter { position: i + 1, found: *c })?;
        }
        let mut body = [0u32; 17];
        body.copy_from_slice(&values[..17]);
        let expected = credit_code_check_char(&body);
        let found = chars[17];
        if expected != found {
            return Err(CreditCodeError::CheckCharacterMismatch { expected, found });
        }
        Ok(SocialCreditCode(chars.into_iter().collect()))
    }

    /// The normalised code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The value of a credit-code character: its index in the charset.
fn credit_code_value(c: char) -> Option<u32> {
    CREDIT_CODE_CHARSET.chars().position(|x| x == c).and_then(|i| u32::try_from(i).ok())
}

/// The check character for 17 body values, GB 32100-2015: (31 - sum mod 31) mod 31.
fn credit_code_check_char(values: &[u32; 17]) -> char {
    let sum: u32 = values.iter().zip(CREDIT_CODE_WEIGHTS).map(|(v, w)| v * w).sum();
    let index = (31 - sum % 31) % 31;
    CREDIT_CODE_CHARSET.chars().nth(index as usize).unwrap_or('0') // unreachable: index < 31 = charset length
}

impl fmt::Debug for SocialCreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SocialCreditCode").field(&self.0).finish()
    }
}

impl fmt::Display for SocialCreditCode {
    /// The full code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SocialCreditCode {
    type Error = CreditCodeError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        SocialCreditCode::parse(&s)
    }
}

impl From<SocialCreditCode> for String {
    fn from(code: SocialCreditCode) -> String {
        code.0
    }
}

/// The applicant's proof of identity (身份证明), Reg. 29: a resident ID number or passport for a
/// natural person, the unified social credit code for an organisation, or another document.
///
/// Personal data: `Debug` prints the masked form.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IdentityDocument {
    /// 居民身份证: a resident identity card number.
    ResidentId(ResidentId),
    /// 护照: a passport number (not validated: formats differ by issuing country).
    Passport(String),
    /// 统一社会信用代码: an organisation's unified social credit code.
    SocialCreditCode(SocialCreditCode),
    /// Any other document, e.g. 港澳居民来往内地通行证.
    Other {
        /// The kind of document, as written by the applicant or clerk.
        kind: String,
        /// The document number.
        number: String,
    },
}

impl IdentityDocument {
    /// The kind of document in Chinese, e.g. `"居民身份证"`; for [`IdentityDocument::Other`]
    /// the kind as recorded.
    pub fn kind_zh(&self) -> &str {
        match self {
            IdentityDocument::ResidentId(_) => "居民身份证",
            IdentityDocument::Passport(_) => "护照",
            IdentityDocument::SocialCreditCode(_) => "统一社会信用代码",
            IdentityDocument::Other { kind, .. } => kind,
        }
    }

    /// The number as lists and exports show it (脱敏): personal document numbers masked,
    /// a social credit code (not personal data) in full.
    pub fn masked(&self) -> String {
        match self {
            IdentityDocument::ResidentId(id) => id.masked(),
            IdentityDocument::Passport(number) => mask_id_number(number),
            IdentityDocument::SocialCreditCode(code) => code.as_str().to_owned(),
            IdentityDocument::Other { number, .. } => mask_id_number(number),
        }
    }
}

impl fmt::Debug for IdentityDocument {
    /// Masked: personal data must never reach logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentityDocument::Other { kind, .. } => {
                f.debug_struct("Other").field("kind", kind).field("number", &self.masked()).finish()
            }
            IdentityDocument::ResidentId(_) => f.debug_tuple("ResidentId").field(&self.masked()).finish(),
            IdentityDocument::Passport(_) => f.debug_tuple("Passport").field(&self.masked()).finish(),
            IdentityDocument::SocialCreditCode(_) => f.debug_tuple("SocialCreditCode").field(&self.masked()).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Literal numbers, each checked by hand (and with python3) against the algorithm:
    // 11010519491231002X (the GB 11643-1999 example): weighted sum of the 17 digits
    //   7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → "10X98765432"[2] = 'X'.
    // 110101199003078515: weighted sum 238; 238 mod 11 = 7 → '5'.
    const VALID_IDS: [&str; 2] = ["11010519491231002X", "110101199003078515"];
    // 440524188001010014 has a correct check digit (weighted sum 195; 195 mod 11 = 8 → '4')
    // but a birth year of 1880, so it is rejected by the 1900 rule: see the error tests.
    const CHECK_OK_BORN_1880: &str = "440524188001010014";
    // 91350100M000100Y43: weighted sum 1640; 1640 mod 31 = 28; (31 - 28) mod 31 = 3 → '3'.
    // 91110000600037341L: weighted sum 538; 538 mod 31 = 11; 31 - 11 = 20 → charset[20] = 'L'.
    // 91440300708461136T: weighted sum 966; 966 mod 31 = 5; 31 - 5 = 26 → charset[26] = 'T'.
    const VALID_CODES: [&str; 3] = ["91350100M000100Y43", "91110000600037341L", "91440300708461136T"];

    fn body_digits(body: &str) -> [u32; 17] {
        let mut d = [0u32; 17];
        for (slot, c) in d.iter_mut().zip(body.chars()) {
            *slot = c.to_digit(10).unwrap_or(0);
        }
        d
    }

    #[test]
    fn check_digit_of_the_standard_example() {
        assert_eq!(resident_id_check_char(&body_digits("11010519491231002")), 'X');
        assert_eq!(resident_id_check_char(&body_digits("44052418800101001")), '4');
    }

    #[test]
    fn valid_resident_ids_parse() {
        for s in VALID_IDS {
            let id = ResidentId::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(id.as_str(), s);
        }
        let id = ResidentId::parse("11010519491231002X").expect("valid");
        assert_eq!(id.birth_date(), Date::from_calendar_date(1949, Month::December, 31).expect("date"));
        assert_eq!(id.region_code(), "110105");
        let id = ResidentId::parse("110101199003078515").expect("valid");
        assert_eq!(id.birth_date(), Date::from_calendar_date(1990, Month::March, 7).expect("date"));
    }

    #[test]
    fn lowercase_x_and_whitespace_are_normalised() {
        let id = ResidentId::parse(" 11010519491231002x\n").expect("valid");
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn masked_and_debug_hide_the_middle() {
        let id = ResidentId::parse("11010519491231002X").expect("valid");
        assert_eq!(id.masked(), "110105********002X");
        let debug = format!("{id:?}");
        assert_eq!(debug, "ResidentId(\"110105********002X\")");
        assert!(!debug.contains("19491231"));
        let doc = IdentityDocument::ResidentId(id);
        assert!(!format!("{doc:?}").contains("19491231"));
        assert_eq!(doc.masked(), "110105********002X");
    }

    #[test]
    fn resident_id_errors_say_what_to_fix() {
        assert_eq!(ResidentId::parse("11010519491231002"), Err(IdError::WrongLength { found: 17 }));
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(IdError::CheckDigitMismatch { expected: 'X', found: '1' })
        );
        let msg = IdError::CheckDigitMismatch { expected: 'X', found: '1' }.to_string();
        assert!(msg.contains("should be X but is 1"), "{msg}");
        assert_eq!(ResidentId::parse("1101051949A231002X"), Err(IdError::NotADigit { position: 11, found: 'A' }));
        assert_eq!(ResidentId::parse("11010519491231002Y"), Err(IdError::BadCheckCharacter { found: 'Y' }));
        assert_eq!(ResidentId::parse("01010519491231002X"), Err(IdError::BadRegion));
        // 2023 is not a leap year. (The check digit does not matter: the date is checked first.)
        assert_eq!(
            ResidentId::parse("510104202302291230"),
            Err(IdError::BadBirthDate { year: 2023, month: 2, day: 29 })
        );
        assert!(
            IdError::BadBirthDate { year: 2023, month: 2, day: 29 }
                .to_string()
                .contains("2023-02-29 is not a real date")
        );
        assert_eq!(
            ResidentId::parse("510104202313011230"),
            Err(IdError::BadBirthDate { year: 2023, month: 13, day: 1 })
        );
        assert_eq!(ResidentId::parse("510104189912311230"), Err(IdError::BirthYearTooEarly { year: 1899 }));
        assert_eq!(ResidentId::parse(CHECK_OK_BORN_1880), Err(IdError::BirthYearTooEarly { year: 1880 }));
        // Multi-byte characters are counted as characters, not bytes.
        assert_eq!(
            ResidentId::parse("一二三四五六七八九十一二三四五六七八"),
            Err(IdError::NotADigit { position: 1, found: '一' })
        );
        // Full-width digits are not ASCII digits.
        assert_eq!(ResidentId::parse("１1010519491231002X"), Err(IdError::NotADigit { position: 1, found: '１' }));
        assert_eq!(ResidentId::parse(""), Err(IdError::WrongLength { found: 0 }));
    }

    #[test]
    fn resident_id_serde_as_string() {
        let id = ResidentId::parse("11010519491231002x").expect("valid");
        let json = serde_json::to_string(&id).expect("serialise");
        assert_eq!(json, "\"11010519491231002X\"");
        let back: ResidentId = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, id);
        let bad = serde_json::from_str::<ResidentId>("\"110105194912310021\"");
        let msg = bad.expect_err("bad check digit").to_string();
        assert!(msg.contains("should be X but is 1"), "{msg}");
    }

    #[test]
    fn valid_credit_codes_parse() {
        for s in VALID_CODES {
            let code = SocialCreditCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(code.as_str(), s);
            assert_eq!(code.to_string(), s);
        }
        let lower = SocialCreditCode::parse("91350100m000100y43").expect("valid");
        assert_eq!(lower.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn credit_code_errors_say_what_to_fix() {
        assert_eq!(SocialCreditCode::parse("91350100M000100Y4"), Err(CreditCodeError::WrongLength { found: 17 }));
        assert_eq!(
            SocialCreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::CheckCharacterMismatch { expected: '3', found: '4' })
        );
        assert_eq!(
            SocialCreditCode::parse("91350100I000100Y43"),
            Err(CreditCodeError::InvalidCharacter { position: 9, found: 'I' })
        );
        assert_eq!(
            SocialCreditCode::parse("91350100O000100Y43"),
            Err(CreditCodeError::InvalidCharacter { position: 9, found: 'O' })
        );
        let msg = CreditCodeError::InvalidCharacter { position: 9, found: 'O' }.to_string();
        assert!(msg.contains("character 9") && msg.contains("'O'"), "{msg}");
        let msg = CreditCodeError::CheckCharacterMismatch { expected: '3', found: '4' }.to_string();
        assert!(msg.contains("should be 3 but is 4"), "{msg}");
    }

    #[test]
    fn credit_code_serde_as_string() {
        let code = SocialCreditCode::parse("91110000600037341L").expect("valid");
        let json = serde_json::to_string(&code).expect("serialise");
        assert_eq!(json, "\"91110000600037341L\"");
        assert_eq!(serde_json::from_str::<SocialCreditCode>(&json).ok(), Some(code));
        assert!(serde_json::from_str::<SocialCreditCode>("\"91110000600037341A\"").is_err());
    }

    #[test]
    fn identity_documents_mask_personal_numbers() {
        let passport = IdentityDocument::Passport("E12345678".to_owned());
        assert_eq!(passport.masked(), "E*******8");
        assert!(!format!("{passport:?}").contains("12345678"));
        assert_eq!(passport.kind_zh(), "护照");
        let code = IdentityDocument::SocialCreditCode(SocialCreditCode::parse("91350100M000100Y43").expect("valid"));
        assert_eq!(code.masked(), "91350100M000100Y43");
        let other = IdentityDocument::Other {
            kind: "港澳居民来往内地通行证".to_owned(),
            number: "H12345678".to_owned(),
        };
        assert_eq!(other.kind_zh(), "港澳居民来往内地通行证");
        assert_eq!(other.masked(), "H*******8");
        let debug = format!("{other:?}");
        assert!(debug.contains("H*******8") && !debug.contains("12345678"), "{debug}");

        let json = serde_json::to_string(&code).expect("serialise");
        assert_eq!(json, r#"{"type":"SOCIAL_CREDIT_CODE","value":"91350100M000100Y43"}"#);
        assert_eq!(serde_json::from_str::<IdentityDocument>(&json).ok(), Some(code));
        let json = serde_json::to_string(&other).expect("serialise");
        assert_eq!(serde_json::from_str::<IdentityDocument>(&json).ok(), Some(other));
    }

    fn id_body() -> impl Strategy<Value = String> {
        // region (first digit 1-9), a real date 1900-01-01..=2099-12-31, sequence
        let first_day = Date::from_calendar_date(1900, Month::January, 1).map(|d| d.to_julian_day()).unwrap_or(0);
        let last_day = Date::from_calendar_date(2099, Month::December, 31).map(|d| d.to_julian_day()).unwrap_or(0);
        (1u32..=9, 0u32..100_000, first_day..=last_day, 0u32..1000).prop_map(|(r1, r5, jd, seq)| {
            let date = Date::from_julian_day(jd).unwrap_or(Date::MIN);
            format!("{r1}{r5:05}{:04}{:02}{:02}{seq:03}", date.year(), u8::from(date.month()), date.day())
        })
    }

    proptest! {
        #[test]
        fn computed_check_char_parses_and_any_other_fails(body in id_body(), other in any::<char>()) {
            let check = resident_id_check_char(&body_digits(&body));
            let valid = format!("{body}{check}");
            prop_assert!(ResidentId::parse(&valid).is_ok(), "{} should parse", valid);
            prop_assume!(other.to_ascii_uppercase() != check);
            let invalid = format!("{body}{other}");
            prop_assert!(ResidentId::parse(&invalid).is_err(), "{} should fail", invalid);
        }

        #[test]
        fn credit_code_check_char_parses_and_any_other_fails(
            body in "[0-9A-HJ-NP-RTUW-Y]{17}",
            other in any::<char>(),
        ) {
            let mut values = [0u32; 17];
            for (slot, c) in values.iter_mut().zip(body.chars()) {
                *slot = credit_code_value(c).unwrap_or(0);
            }
            let check = credit_code_check_char(&values);
            let valid = format!("{body}{check}");
            prop_assert!(SocialCreditCode::parse(&valid).is_ok(), "{} should parse", valid);
            prop_assume!(other.to_ascii_uppercase() != check);
            let invalid = format!("{body}{other}");
            prop_assert!(SocialCreditCode::parse(&invalid).is_err(), "{} should fail", invalid);
        }

        #[test]
        fn parsers_never_panic(s in ".{0,24}") {
            let _ = ResidentId::parse(&s);
            let _ = SocialCreditCode::parse(&s);
        }
    }
}
