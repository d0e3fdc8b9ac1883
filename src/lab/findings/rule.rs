//! The difference rule: when the runs let a sentence say "A beat B".
//!
//! ```text
//! pair the two arms by seed; n = seeds in both; d_s = a_s − b_s
//! called  ⇔  n ≥ 2
//!            and d_s has the sign of mean(d) in every seed (all but one when n ≥ 5)
//!            and |mean(d)| > max(sd(a), sd(b))
//! ```
//!
//! One seed never calls a difference: its sentence says it rests on one seed.

use crate::lab::Spread;
use std::collections::BTreeMap;

/// One figure of one arm (a kind, plus whatever else the experiment varies), by seed.
pub type BySeed = BTreeMap<u64, f64>;

/// Which way the rule came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    AHigher,
    BHigher,
    /// Not called: "no clear difference at n seeds" (always so at n = 1).
    Unclear,
}

/// Two arms compared seed by seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comparison {
    /// Seeds in both arms.
    pub n: usize,
    /// Each arm over the paired seeds only.
    pub a: Spread,
    pub b: Spread,
    /// Mean of a − b over the paired seeds.
    pub gap: f64,
    /// Seeds where a > b, and where b > a (ties count for neither).
    pub a_ahead: usize,
    pub b_ahead: usize,
    pub verdict: Verdict,
}

/// Does a claim true in `count` of `n` seeds hold by the rule's count:
/// every seed, or all but one when n ≥ 5? (n = 0 never holds.)
pub fn holds_in(count: usize, n: usize) -> bool {
    n > 0 && (count == n || (n >= 5 && count + 1 >= n))
}

/// Compare arm `a` with arm `b`, paired by seed; `None` when no seed is in both.
pub fn compare(a: &BySeed, b: &BySeed) -> Option<Comparison> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .filter_map(|(seed, &x)| b.get(seed).map(|&y| (x, y)))
        .collect();
    let n = pairs.len();
    let a_spread = Spread::of(&pairs.iter().map(|p| p.0).collect::<Vec<_>>())?;
    let b_spread = Spread::of(&pairs.iter().map(|p| p.1).collect::<Vec<_>>())?;
    let gap = pairs.iter().map(|(x, y)| x - y).sum::<f64>() / n as f64;
    let a_ahead = pairs.iter().filter(|(x, y)| x > y).count();
    let b_ahead = pairs.iter().filter(|(x, y)| y > x).count();
    let larger_sd = a_spread.sd.max(b_spread.sd);
    let with_mean = if gap > 0.0 { a_ahead } else { b_ahead };
    let verdict = if n >= 2 && holds_in(with_mean, n) && gap.abs() > larger_sd {
        if gap > 0.0 {
            Verdict::AHigher
        } else {
            Verdict::BHigher
        }
    } else {
        Verdict::Unclear
    };
    Some(Comparison {
        n,
        a: a_spread,
        b: b_spread,
        gap,
        a_ahead,
        b_ahead,
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm(values: &[f64]) -> BySeed {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as u64 + 1, v))
            .collect()
    }

    #[test]
    fn a_one_seed_fluke_is_not_called() {
        // Seed 1: a far ahead; seeds 2–5: b slightly ahead. The mean favours a.
        let a = arm(&[0.95, 0.80, 0.81, 0.79, 0.80]);
        let b = arm(&[0.50, 0.82, 0.83, 0.81, 0.82]);
        let c = compare(&a, &b).expect("paired");
        assert!(c.gap > 0.0);
        assert_eq!((c.a_ahead, c.b_ahead), (1, 4));
        assert_eq!(c.verdict, Verdict::Unclear);
    }

    #[test]
    fn a_consistent_gap_is_called() {
        let a = arm(&[0.96, 0.94, 0.98, 0.95, 0.97]);
        let b = arm(&[0.55, 0.50, 0.58, 0.52, 0.56]);
        assert_eq!(compare(&a, &b).expect("paired").verdict, Verdict::AHigher);
        assert_eq!(compare(&b, &a).expect("paired").verdict, Verdict::BHigher);
    }

    #[test]
    fn a_tie_is_not_called() {
        let a = arm(&[0.9, 0.8, 0.85]);
        let c = compare(&a, &a.clone()).expect("paired");
        assert_eq!((c.gap, c.a_ahead, c.b_ahead), (0.0, 0, 0));
        assert_eq!(c.verdict, Verdict::Unclear);
    }

    #[test]
    fn all_but_one_seed_is_enough_at_five() {
        let a = arm(&[0.90, 0.91, 0.92, 0.93, 0.70]);
        let b = arm(&[0.60, 0.61, 0.62, 0.63, 0.72]);
        assert_eq!(compare(&a, &b).expect("paired").verdict, Verdict::AHigher);
        // At four seeds, one reversed seed is one too many.
        let a4 = arm(&[0.90, 0.91, 0.92, 0.70]);
        let b4 = arm(&[0.60, 0.61, 0.62, 0.72]);
        assert_eq!(compare(&a4, &b4).expect("paired").verdict, Verdict::Unclear);
    }

    #[test]
    fn a_gap_inside_the_spread_is_not_called() {
        // Same sign in every seed, but the mean gap (0.03) is below the sd of a.
        let a = arm(&[0.60, 0.90, 0.70, 0.95, 0.65]);
        let b = arm(&[0.57, 0.87, 0.67, 0.92, 0.62]);
        let c = compare(&a, &b).expect("paired");
        assert_eq!(c.a_ahead, 5);
        assert_eq!(c.verdict, Verdict::Unclear);
    }

    #[test]
    fn one_seed_is_never_called() {
        let c = compare(&arm(&[0.99]), &arm(&[0.10])).expect("paired");
        assert_eq!(c.n, 1);
        assert_eq!(c.verdict, Verdict::Unclear);
    }

    #[test]
    fn only_seeds_in_both_arms_are_paired() {
        let a: BySeed = [(1, 0.9), (2, 0.8), (7, 0.1)].into_iter().collect();
        let b: BySeed = [(1, 0.5), (2, 0.4), (3, 0.9)].into_iter().collect();
        let c = compare(&a, &b).expect("paired");
        assert_eq!(c.n, 2);
        assert!((c.gap - 0.4).abs() < 1e-12);
        assert!(compare(&a, &BySeed::new()).is_none());
    }

    #[test]
    fn the_count_rule() {
        assert!(holds_in(3, 3));
        assert!(!holds_in(2, 3));
        assert!(holds_in(4, 5));
        assert!(!holds_in(3, 5));
        assert!(!holds_in(0, 0));
    }
}
