//! The spread of one figure over seeds: how many, the mean, the sample
//! standard deviation, the smallest and the largest.
//!
//! ```text
//! mean = Σ x / n        sd = √( Σ (x − mean)² / (n − 1) )   (0 when n = 1)
//! ```

use serde::Serialize;

/// `n`, mean, sample sd (n − 1), min and max of a set of values, one per seed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of `values`, or `None` when there are none.
    ///
    /// Two passes (mean first, then squared deviations), so a set of nearly
    /// equal values does not lose its variance to cancellation.
    ///
    /// ```
    /// use normscope::lab::Spread;
    /// let s = Spread::of(&[0.9, 0.8, 1.0]).unwrap();
    /// assert_eq!(s.n, 3);
    /// assert!((s.mean - 0.9).abs() < 1e-12);
    /// assert!((s.sd - 0.1).abs() < 1e-12);
    /// assert_eq!((s.min, s.max), (0.8, 1.0));
    /// assert!(Spread::of(&[]).is_none());
    /// ```
    pub fn of(values: &[f64]) -> Option<Spread> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n == 1 {
            0.0
        } else {
            let squares: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
            (squares / (n - 1) as f64).sqrt()
        };
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some(Spread {
            n,
            mean,
            sd,
            min,
            max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Spread;

    #[test]
    fn empty_has_no_spread() {
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn one_value_has_zero_sd() {
        let s = Spread::of(&[0.42]).expect("one value");
        assert_eq!(
            (s.n, s.mean, s.sd, s.min, s.max),
            (1, 0.42, 0.0, 0.42, 0.42)
        );
    }

    #[test]
    fn sd_divides_by_n_minus_one() {
        // Deviations ±1 around 5: Σ = 4 over n − 1 = 3 (the population sd would be 1).
        let s = Spread::of(&[4.0, 6.0, 4.0, 6.0]).expect("four values");
        assert_eq!(s.mean, 5.0);
        assert!((s.sd - (4.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!((s.min, s.max), (4.0, 6.0));
    }

    #[test]
    fn nearly_equal_values_keep_their_variance() {
        let values: Vec<f64> = (0..5).map(|i| 1e8 + 0.01 * f64::from(i)).collect();
        let s = Spread::of(&values).expect("five values");
        assert!((s.sd - 0.015_811_388).abs() < 1e-6, "sd {}", s.sd);
    }
}
