//! How figures are written in the sentences: percentages, spreads, kind
//! names, lists, and the sentence of one comparison by the rule.

use super::file::LabRun;
use super::rule::{compare, BySeed, Comparison, Verdict};
use crate::lab::Spread;

/// A fraction as a whole percentage: 0.958 → "96%".
pub fn pct(x: f64) -> String {
    format!("{}%", points(x))
}

/// A fraction in whole percentage points: 0.958 → 96.
pub fn points(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// A fraction as whole points, with the word: 0.01 → "1 point", 0.13 → "13 points".
pub fn points_of(x: f64) -> String {
    match points(x) {
        1 | -1 => format!("{} point", points(x)),
        p => format!("{p} points"),
    }
}

/// "1 seed", "5 seeds".
pub fn seeds(n: usize) -> String {
    if n == 1 {
        "1 seed".into()
    } else {
        format!("{n} seeds")
    }
}

/// A kind as a sentence names it.
pub fn name(kind: &str) -> String {
    match kind {
        "none" => "no normalization".into(),
        "ibn" => "IBN".into(),
        other => format!("{other} norm"),
    }
}

/// The first letter in upper case.
pub fn capital(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// "a", "a and b", "a, b and c".
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// An accuracy over seeds: "96% ± 2 (92–98%)", or "96%" for one seed.
pub fn accuracy(s: &Spread) -> String {
    if s.n == 1 {
        pct(s.mean)
    } else {
        format!(
            "{} ± {} ({}–{})",
            pct(s.mean),
            points(s.sd),
            points(s.min),
            pct(s.max)
        )
    }
}

/// A change in points over seeds: "+12 ± 4 points (7 to 18)", or "+12 points".
pub fn change(s: &Spread) -> String {
    let signed = |x: f64| format!("{:+}", points(x));
    if s.n == 1 {
        format!("{} points", signed(s.mean))
    } else {
        format!(
            "{} ± {} points ({} to {})",
            signed(s.mean),
            points(s.sd),
            signed(s.min),
            signed(s.max)
        )
    }
}

/// The spread of one figure over the runs it is taken from (`None`: no runs).
pub fn spread_of<'a>(
    runs: impl IntoIterator<Item = &'a LabRun>,
    f: impl Fn(&LabRun) -> f64,
) -> Option<Spread> {
    Spread::of(&runs.into_iter().map(f).collect::<Vec<_>>())
}

/// One figure of the runs that pass `keep`, by seed.
pub fn by_seed<'a>(
    runs: impl IntoIterator<Item = &'a LabRun>,
    keep: impl Fn(&LabRun) -> bool,
    figure: impl Fn(&LabRun) -> Option<f64>,
) -> BySeed {
    runs.into_iter()
        .filter(|r| keep(r))
        .filter_map(|r| figure(r).map(|v| (r.seed(), v)))
        .collect()
}

/// The sentence of one comparison of accuracies (or another fraction):
/// who was ahead in how many seeds, the mean gap, each arm's spread, and n.
/// `None` when the arms share no seed.
pub fn compared(
    a_name: &str,
    b_name: &str,
    a: &BySeed,
    b: &BySeed,
) -> Option<(Comparison, String)> {
    let c = compare(a, b)?;
    let both = format!("{a_name} {}, {b_name} {}", accuracy(&c.a), accuracy(&c.b));
    let gap = points_of(c.gap.abs());
    let text = match c.verdict {
        _ if c.n == 1 && points(c.gap) == 0 => format!("{} and {b_name} tied ({both}), in one seed.", capital(a_name)),
        _ if c.n == 1 => {
            let (ahead, behind) = if c.gap > 0.0 { (a_name, b_name) } else { (b_name, a_name) };
            format!(
                "{} was ahead of {behind} by {gap} ({both}), but that rests on one seed.",
                capital(ahead)
            )
        }
        Verdict::AHigher => format!(
            "{} was ahead of {b_name} in {} of {} seeds, by {gap} on average ({both}).",
            capital(a_name),
            c.a_ahead,
            c.n
        ),
        Verdict::BHigher => format!(
            "{} was ahead of {a_name} in {} of {} seeds, by {gap} on average ({both}).",
            capital(b_name),
            c.b_ahead,
            c.n
        ),
        Verdict::Unclear => format!(
            "No clear difference between {a_name} and {b_name} at {} ({both}; {a_name} ahead in {} of {}).",
            seeds(c.n),
            c.a_ahead,
            c.n
        ),
    };
    Some((c, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_are_written_with_n_implied_by_range() {
        let s = Spread::of(&[0.92, 0.95, 0.98]).expect("values");
        assert_eq!(accuracy(&s), "95% ± 3 (92–98%)");
        let one = Spread::of(&[0.5]).expect("value");
        assert_eq!(accuracy(&one), "50%");
        assert_eq!(
            change(&Spread::of(&[-0.1, 0.2]).expect("values")),
            "+5 ± 21 points (-10 to +20)"
        );
    }

    #[test]
    fn one_point_is_singular() {
        assert_eq!(points_of(0.01), "1 point");
        assert_eq!(points_of(-0.01), "-1 point");
        assert_eq!(points_of(0.13), "13 points");
        assert_eq!(points_of(0.0), "0 points");
    }

    #[test]
    fn lists_and_names() {
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(name("none"), "no normalization");
        assert_eq!(capital(&name("batch")), "Batch norm");
    }

    #[test]
    fn one_seed_names_the_leader() {
        let a: BySeed = [(1, 0.7)].into_iter().collect();
        let b: BySeed = [(1, 0.9)].into_iter().collect();
        let (_, text) = compared("group norm", "no normalization", &a, &b).expect("paired");
        assert!(
            text.starts_with("No normalization was ahead of group norm by 20 points"),
            "{text}"
        );
    }

    #[test]
    fn one_seed_says_so() {
        let a: BySeed = [(1, 0.9)].into_iter().collect();
        let b: BySeed = [(1, 0.5)].into_iter().collect();
        let (_, text) = compared("batch norm", "instance norm", &a, &b).expect("paired");
        assert!(text.contains("rests on one seed"), "{text}");
    }
}
