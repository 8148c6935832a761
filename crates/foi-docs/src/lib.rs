//! `foi-docs`: the notices and reply letters of a case (rules.md §2, §5).
//!
//! The law is served on paper: each step of a case produces a formal document — the receipt
//! acknowledgement, the correction notice, the extension notice, the consultation letter,
//! the fee notice, the "not handled" notice and the reply itself ([`DocumentKind`]). This
//! crate decides which of them may be issued for a case as its events made it, gathers what
//! each says into a plain [`DocumentContext`] ([`facts`]), numbers it ([`number`]), renders it
//! to printable HTML through Jinja templates that an agency may override ([`render`]), reads
//! the text back ([`text`]) and, with the `pdf` feature, lays it out as a PDF with an
//! embedded CJK font (`pdf`).
//!
//! It is pure: it depends on `foi-domain` only, knows no database, and renders from plain
//! structs. Allocating numbers and keeping issued documents unchanged is the store's job.

pub mod facts;
pub mod kind;
pub mod number;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod render;
pub mod text;
pub mod wording;

pub use facts::{DocumentContext, Issuer, NotIssuable, Particulars, Request};
pub use kind::{DocumentKind, ParseKindError};
pub use number::{PENDING_NUMBER, document_number};
pub use render::{DocError, Rendered, Renderer, sha256_hex};

use time::Date;

/// A date as Chinese documents write it: `2026年10月9日` (no leading zeros).
pub fn date_zh(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), u8::from(date.month()), date.day())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    #[test]
    fn chinese_dates() {
        assert_eq!(super::date_zh(date!(2026 - 10 - 09)), "2026年10月9日");
        assert_eq!(super::date_zh(date!(2025 - 01 - 31)), "2025年1月31日");
    }
}
