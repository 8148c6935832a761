//! The information-processing fee (信息处理费), Reg. 42.
//!
//! Information is provided free of charge, except that an agency may charge a fee when an
//! applicant's requests clearly exceed a reasonable volume or frequency (Reg. 42). The rates
//! come from the national measures, 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号),
//! applied in Sichuan by the provincial notice of 2021-01-18. They are counted per applicant
//! per calendar month, either by number of applications (按件计收) or by number of pages
//! (按量计收) — never both for the same request.
//!
//! The rates are pure arithmetic and live here; whether a fee is charged at all, the notice
//! and the 20-working-day payment period belong to the lifecycle and the clock.

use std::fmt;
use std::iter::Sum;
use std::ops::Add;
use std::str::FromStr;

/// Applications per applicant per calendar month that are always free (国办函〔2020〕109号).
pub const FREE_APPLICATIONS_PER_MONTH: u32 = 10;
/// Pages per applicant per calendar month that are always free (国办函〔2020〕109号).
pub const FREE_PAGES_PER_MONTH: u32 = 30;

/// An amount in whole yuan (元). Fees are whole yuan by construction; arithmetic saturates
/// rather than overflowing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Yuan(pub u32);

impl Yuan {
    /// Nothing to pay.
    pub const ZERO: Yuan = Yuan(0);

    /// Whether nothing is to be paid.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Clamps a wide intermediate result into a `Yuan`.
    fn saturating_from(amount: u128) -> Yuan {
        Yuan(u32::try_from(amount).unwrap_or(u32::MAX))
    }
}

impl fmt::Display for Yuan {
    /// E.g. `700元`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}元", self.0)
    }
}

impl Add for Yuan {
    type Output = Yuan;

    /// Saturating addition.
    fn add(self, other: Yuan) -> Yuan {
        Yuan(self.0.saturating_add(other.0))
    }
}

impl Sum for Yuan {
    fn sum<I: Iterator<Item = Yuan>>(iter: I) -> Yuan {
        iter.fold(Yuan::ZERO, Add::add)
    }
}

/// How the fee is counted (计收方式). The agency picks one per request; never both
/// (国办函〔2020〕109号).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FeeBasis {
    /// 按件计收: by the number of applications in the calendar month.
    PerApplication,
    /// 按量计收: by the number of pages provided in the calendar month.
    PerPage,
}

/// Error returned when a string names no fee basis.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fee basis {found:?}; use PER_APPLICATION (按件计收) or PER_PAGE (按量计收)")]
pub struct ParseFeeBasisError {
    /// The text that was given.
    pub found: String,
}

impl FeeBasis {
    /// Both bases.
    pub const ALL: [FeeBasis; 2] = [FeeBasis::PerApplication, FeeBasis::PerPage];

    /// The Chinese name, `"按件计收"` or `"按量计收"`.
    pub fn label_zh(self) -> &'static str {
        match self {
            FeeBasis::PerApplication => "按件计收",
            FeeBasis::PerPage => "按量计收",
        }
    }

    /// The stable machine code, identical to the serde name.
    pub fn code(self) -> &'static str {
        match self {
            FeeBasis::PerApplication => "PER_APPLICATION",
            FeeBasis::PerPage => "PER_PAGE",
        }
    }

    /// The fee for a request of `quantity` units (applications, or pages) from an applicant
    /// who has already had `already_this_month` units counted this calendar month on the same
    /// basis. The month's earlier units use up the free allowance and lower bands first.
    pub fn fee_for(self, already_this_month: u32, quantity: u32) -> Yuan {
        let after = already_this_month.saturating_add(quantity);
        let (before_total, after_total) = match self {
            FeeBasis::PerApplication => (total_by_applications(already_this_month), total_by_applications(after)),
            FeeBasis::PerPage => (fee_by_pages(already_this_month), fee_by_pages(after)),
        };
        Yuan(after_total.0.saturating_sub(before_total.0))
    }
}

impl FromStr for FeeBasis {
    type Err = ParseFeeBasisError;

    /// Accepts the code (letter case and surrounding whitespace ignored) or the Chinese label.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        FeeBasis::ALL
            .into_iter()
            .find(|b| b.code().eq_ignore_ascii_case(wanted) || b.label_zh() == wanted)
            .ok_or_else(|| ParseFeeBasisError { found: s.to_owned() })
    }
}

impl fmt::Display for FeeBasis {
    /// The Chinese label.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// The fee for an applicant's `nth` application in a calendar month (按件计收), counted
/// per 国办函〔2020〕109号: the 1st–10th are free, the 11th–30th cost 100 yuan each, and from
/// the 31st on the rate rises by 100 yuan for each further band of 10 (31st–40th 200 yuan,
/// 41st–50th 300 yuan, …). `nth = 0` (no application) costs nothing.
pub fn fee_by_application(nth: u32) -> Yuan {
    // Reg. 42; 国办函〔2020〕109号 按件计收.
    match nth {
        0..=FREE_APPLICATIONS_PER_MONTH => Yuan::ZERO,
        11..=30 => Yuan(100),
        _ => {
            let band = u128::from((nth - 31) / 10); // 0 for the 31st–40th
            Yuan::saturating_from(100 * (band + 2))
        }
    }
}

/// The total fee for the first `count` applications of an applicant in a calendar month: the
/// sum of [`fee_by_application`] over 1..=`count`, computed in closed form.
pub fn total_by_applications(count: u32) -> Yuan {
    // Reg. 42; 国办函〔2020〕109号 按件计收.
    let count = u128::from(count);
    let paid_at_100 = count.clamp(10, 30) - 10;
    let beyond = count.saturating_sub(30);
    let (full_bands, rest) = (beyond / 10, beyond % 10);
    // Band k (k = 0, 1, …) charges 100 × (k + 2) yuan for each of its 10 applications.
    let full = 1000 * (full_bands * (full_bands + 3) / 2);
    let partial = rest * 100 * (full_bands + 2);
    Yuan::saturating_from(100 * paid_at_100 + full + partial)
}

/// The fee for `pages` pages provided to an applicant in a calendar month (按量计收).
///
/// Reading used: the national measures (国办函〔2020〕109号) set *per-page* rates for the
/// pages falling in each band, charged cumulatively like tax brackets — pages 1–30 are free,
/// pages 31–100 cost 10 yuan each, pages 101–200 cost 20 yuan each, and every page from the
/// 201st on costs 40 yuan. So 100 pages cost 70 × 10 = 700 yuan, and 201 pages cost
/// 700 + 100 × 20 + 40 = 2,740 yuan.
pub fn fee_by_pages(pages: u32) -> Yuan {
    // Reg. 42; 国办函〔2020〕109号 按量计收.
    let pages = u128::from(pages);
    let band = |from: u128, to: u128, rate: u128| -> u128 {
        // pages numbered from..=to, at `rate` yuan each
        pages.min(to).saturating_sub(from - 1) * rate
    };
    Yuan::saturating_from(band(31, 100, 10) + band(101, 200, 20) + band(201, u128::from(u32::MAX), 40))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_application_rates() {
        assert_eq!(fee_by_application(0), Yuan(0));
        assert_eq!(fee_by_application(1), Yuan(0));
        assert_eq!(fee_by_application(10), Yuan(0));
        assert_eq!(fee_by_application(11), Yuan(100));
        assert_eq!(fee_by_application(30), Yuan(100));
        assert_eq!(fee_by_application(31), Yuan(200));
        assert_eq!(fee_by_application(40), Yuan(200));
        assert_eq!(fee_by_application(41), Yuan(300));
        assert_eq!(fee_by_application(50), Yuan(300));
        assert_eq!(fee_by_application(51), Yuan(400));
        assert_eq!(fee_by_application(1_000_031), Yuan(100 * (100_000 + 2)));
        assert_eq!(fee_by_application(u32::MAX), Yuan(u32::MAX)); // saturates
    }

    #[test]
    fn per_application_totals_match_the_sum_of_rates() {
        for count in 0..=200u32 {
            let summed: Yuan = (1..=count).map(fee_by_application).sum();
            assert_eq!(total_by_applications(count), summed, "count {count}");
        }
        assert_eq!(total_by_applications(10), Yuan(0));
        assert_eq!(total_by_applications(30), Yuan(2000));
        assert_eq!(total_by_applications(40), Yuan(4000));
        assert_eq!(total_by_applications(u32::MAX), Yuan(u32::MAX));
    }

    #[test]
    fn per_page_rates() {
        assert_eq!(fee_by_pages(0), Yuan(0));
        assert_eq!(fee_by_pages(30), Yuan(0));
        assert_eq!(fee_by_pages(31), Yuan(10));
        assert_eq!(fee_by_pages(100), Yuan(700));
        assert_eq!(fee_by_pages(101), Yuan(720));
        assert_eq!(fee_by_pages(200), Yuan(2700));
        assert_eq!(fee_by_pages(201), Yuan(2740));
        assert_eq!(fee_by_pages(300), Yuan(2700 + 100 * 40));
        assert_eq!(fee_by_pages(u32::MAX), Yuan(u32::MAX));
        // Monotone: one more page never costs less.
        for p in 0..500 {
            assert!(fee_by_pages(p + 1) >= fee_by_pages(p));
        }
    }

    #[test]
    fn fee_for_counts_what_the_month_already_used() {
        // 11th application of the month.
        assert_eq!(FeeBasis::PerApplication.fee_for(10, 1), Yuan(100));
        assert_eq!(FeeBasis::PerApplication.fee_for(0, 1), Yuan(0));
        assert_eq!(FeeBasis::PerApplication.fee_for(29, 2), Yuan(300));
        // 50 pages after 80 already provided: pages 81–130 = 20 × 10 + 30 × 20.
        assert_eq!(FeeBasis::PerPage.fee_for(80, 50), Yuan(800));
        assert_eq!(FeeBasis::PerPage.fee_for(0, 30), Yuan(0));
        assert_eq!(FeeBasis::PerPage.fee_for(u32::MAX, 10), Yuan(0));
    }

    #[test]
    fn display_serde_and_parse() {
        assert_eq!(Yuan(700).to_string(), "700元");
        assert_eq!(Yuan(100) + Yuan(20), Yuan(120));
        assert_eq!(Yuan(u32::MAX) + Yuan(1), Yuan(u32::MAX));
        assert_eq!(serde_json::to_string(&Yuan(2740)).ok().as_deref(), Some("2740"));
        assert_eq!(serde_json::to_string(&FeeBasis::PerPage).ok().as_deref(), Some("\"PER_PAGE\""));
        for b in FeeBasis::ALL {
            assert_eq!(b.code().parse::<FeeBasis>(), Ok(b));
            assert_eq!(b.label_zh().parse::<FeeBasis>(), Ok(b));
            assert_eq!(b.to_string().parse::<FeeBasis>(), Ok(b));
        }
        let err = "BOTH".parse::<FeeBasis>().unwrap_err();
        assert!(err.to_string().contains("PER_APPLICATION"));
    }
}
