//! Shares of ownership (按份共有) as exact fractions: `1/3 + 2/3` is exactly 1.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The largest denominator a share may have: finer shares are not registered, and every
/// sum of shares stays exact in 128-bit arithmetic.
pub const MAX_DENOMINATOR: u64 = 1_000_000_000;

/// A share `p/q` with 0 < p ≤ q, stored reduced (`2/4` is `1/2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Share {
    num: u64,
    den: u64,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Share {
    /// The whole: `1/1`.
    pub const WHOLE: Share = Share { num: 1, den: 1 };

    /// `num/den`, reduced.
    ///
    /// # Errors
    /// A message when it is not 0 < num ≤ den ≤ [`MAX_DENOMINATOR`].
    pub fn new(num: u64, den: u64) -> Result<Share, String> {
        if num == 0 || den == 0 || num > den {
            return Err(format!("`{num}/{den}` is not a share: write p/q with 0 < p ≤ q"));
        }
        if den > MAX_DENOMINATOR {
            return Err(format!("`{num}/{den}`: the denominator may be at most {MAX_DENOMINATOR}"));
        }
        let g = gcd(u128::from(num), u128::from(den)) as u64;
        Ok(Share { num: num / g, den: den / g })
    }

    /// Reads `"p/q"` (integers, spaces around the parts allowed).
    ///
    /// # Errors
    /// A message saying how to write a share.
    pub fn parse(text: &str) -> Result<Share, String> {
        let (p, q) = text.split_once('/').ok_or_else(|| format!("`{text}` is not a share: write p/q, e.g. 1/2"))?;
        let int = |part: &str| {
            let part = part.trim();
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("`{text}` is not a share: p and q must be whole numbers, e.g. 1/2"));
            }
            part.parse::<u64>().map_err(|_| format!("`{text}`: the denominator may be at most {MAX_DENOMINATOR}"))
        };
        Share::new(int(p)?, int(q)?)
    }

    /// One of `n` equal shares.
    pub fn equal(n: usize) -> Share {
        let n = (n.max(1) as u64).min(MAX_DENOMINATOR);
        Share { num: 1, den: n }
    }

    /// The numerator.
    pub fn numerator(self) -> u64 {
        self.num
    }

    /// The denominator.
    pub fn denominator(self) -> u64 {
        self.den
    }

    /// Whether `shares` add up to exactly 1.
    pub fn sum_to_whole(shares: impl IntoIterator<Item = Share>) -> bool {
        // Each step reduces; denominators ≤ 10^9 keep num·den and den·den within u128 as
        // long as the running denominator stays ≤ 10^18 — beyond that the sum is refused.
        let (mut num, mut den) = (0u128, 1u128);
        for s in shares {
            let (n, d) = (u128::from(s.num), u128::from(s.den));
            let Some(new_den) = den.checked_mul(d) else { return false };
            let Some(a) = num.checked_mul(d) else { return false };
            let Some(b) = n.checked_mul(den) else { return false };
            let Some(sum) = a.checked_add(b) else { return false };
            let g = gcd(sum, new_den);
            (num, den) = (sum / g, new_den / g);
            if den > u128::from(u64::MAX) || num > den {
                return false;
            }
        }
        num == den
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl TryFrom<String> for Share {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Share::parse(&value)
    }
}

impl From<Share> for String {
    fn from(value: Share) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_reduced_and_sum_exactly() {
        assert_eq!(Share::parse("2/4").unwrap().to_string(), "1/2");
        assert_eq!(Share::parse(" 3 / 3 ").unwrap(), Share::WHOLE);
        let third = Share::parse("1/3").unwrap();
        let two_thirds = Share::parse("2/3").unwrap();
        assert!(Share::sum_to_whole([third, two_thirds]));
        assert!(!Share::sum_to_whole([third, third]));
        assert!(Share::sum_to_whole([Share::equal(3); 3]));
        assert!(Share::sum_to_whole([
            Share::parse("999999999/1000000000").unwrap(),
            Share::parse("1/1000000000").unwrap()
        ]));
        // Many coprime denominators: refused rather than overflowing.
        let primes = ["1/999999937", "1/999999929", "1/999999893", "1/999999883"];
        assert!(!Share::sum_to_whole(primes.iter().map(|p| Share::parse(p).unwrap())));
    }

    #[test]
    fn bad_shares_say_how_to_write_one() {
        for (text, needle) in [
            ("1", "write p/q"),
            ("0/3", "0 < p"),
            ("4/3", "0 < p"),
            ("1/0", "0 < p"),
            ("-1/2", "whole numbers"),
            ("1.5/2", "whole numbers"),
            ("1/99999999999999999999999", "at most"),
            ("1/2000000000", "at most"),
        ] {
            let err = Share::parse(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
