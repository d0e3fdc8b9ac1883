//! Neighbours: which kinds let darkening one image move another image's
//! output at a checkpoint, by how much, over seeds; and one image in two
//! batches, in the seed drawn.

use super::file::{LabFile, LabRun, Neighbours};
use super::rule::holds_in;
use super::words::{capital, list, name, pct, seeds};
use super::{kinds_in, Settings};
use crate::lab::Spread;

/// Kinds whose every statistic comes from one image: no neighbour can reach it.
const PER_IMAGE: [&str; 4] = ["none", "instance", "layer", "group"];

/// A heat map's figures: mean diagonal, largest off-diagonal, exact zeros off it, cells off it.
struct Figures {
    diagonal: f64,
    off: f64,
    zeros: usize,
    cells: usize,
}

impl Figures {
    fn of(m: &[Vec<f64>]) -> Figures {
        let n = m.len();
        let mut f = Figures {
            diagonal: 0.0,
            off: 0.0,
            zeros: 0,
            cells: n * n.saturating_sub(1),
        };
        for (i, row) in m.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if i == j {
                    f.diagonal += v / n as f64;
                } else {
                    f.off = f.off.max(v);
                    f.zeros += usize::from(v == 0.0);
                }
            }
        }
        f
    }
    fn ratio(&self) -> f64 {
        if self.diagonal > 0.0 {
            self.off / self.diagonal
        } else {
            0.0
        }
    }
    fn untouched(&self) -> bool {
        self.zeros == self.cells
    }
}

/// A run's probe at `step` (default: its last checkpoint with one).
fn probe(r: &LabRun, step: Option<u32>) -> Option<(u32, &Neighbours)> {
    let mut with = r.during().iter().filter(|c| c.neighbours.is_some());
    let c = match step {
        Some(s) => with.rfind(|c| c.step == s),
        None => with.next_back(),
    }?;
    c.neighbours.as_ref().map(|n| (c.step, n))
}

fn argmax(p: &[f64]) -> usize {
    p.iter()
        .enumerate()
        .fold(0, |best, (i, &v)| if v > p[best] { i } else { best })
}

pub(super) fn conclude(file: &LabFile, settings: &Settings) -> Vec<String> {
    let runs: Vec<&LabRun> = file
        .runs
        .iter()
        .filter(|r| probe(r, settings.step).is_some())
        .collect();
    let Some(step) = runs
        .first()
        .and_then(|r| probe(r, settings.step))
        .map(|p| p.0)
    else {
        return Vec::new();
    };
    let kinds = kinds_in(runs.iter().copied());
    let figures = |kind: &str| -> Vec<Figures> {
        runs.iter()
            .filter(|r| r.kind() == kind)
            .filter_map(|r| probe(r, settings.step))
            .map(|(_, n)| Figures::of(&n.influence))
            .collect()
    };
    let mut moved = Vec::new();
    let mut still = Vec::new();
    let mut mixed = Vec::new();
    for k in &kinds {
        let f = figures(k);
        let untouched = f.iter().filter(|x| x.untouched()).count();
        if untouched == f.len() {
            still.push((k.clone(), f));
        } else if untouched == 0 {
            moved.push((k.clone(), f));
        } else {
            mixed.push(format!("{} ({untouched} of {})", name(k), seeds(f.len())));
        }
    }
    let mean = |f: &[Figures], g: fn(&Figures) -> f64| {
        Spread::of(&f.iter().map(g).collect::<Vec<_>>()).map_or(0.0, |s| s.mean)
    };
    let mut out = Vec::new();
    if !moved.is_empty() {
        out.push(format!(
            "At step {step}, darkening one image moved another image's probabilities by up to {} (the largest entry off the diagonal, mean over seeds): {} of the mean effect on the darkened image itself.",
            list(&moved.iter().map(|(k, f)| format!("{:.3} with {} ({})", mean(f, |x| x.off), name(k), seeds(f.len()))).collect::<Vec<_>>()),
            list(&moved.iter().map(|(_, f)| pct(mean(f, Figures::ratio))).collect::<Vec<_>>())
        ));
    }
    if let Some((_, f)) = still.first() {
        let n = still.iter().map(|(_, f)| f.len()).max().unwrap_or(0);
        out.push(format!(
            "{} {} every one of the {} off-diagonal entries was exactly 0{}: each image is normalized on its own, so its neighbours cannot reach it.",
            if moved.is_empty() { format!("At step {step}, with") } else { "With".to_string() },
            list(&still.iter().map(|(k, _)| name(k)).collect::<Vec<_>>()),
            f.first().map_or(0, |x| x.cells),
            if n == 1 { " (one seed)".to_string() } else { format!(", in every one of {}", seeds(n)) }
        ));
    }
    if !mixed.is_empty() {
        out.push(format!("Untouched in some seeds only: {}.", list(&mixed)));
    }
    let odd: Vec<String> = moved
        .iter()
        .filter(|(k, _)| PER_IMAGE.contains(&k.as_str()))
        .map(|(k, _)| name(k))
        .collect();
    if !odd.is_empty() {
        out.push(format!("Unexpected: {} normalizes each image on its own, yet here a neighbour moved an output — these runs contradict how that kind is defined.", list(&odd)));
    }
    let blind: Vec<String> = still
        .iter()
        .filter(|(k, _)| !PER_IMAGE.contains(&k.as_str()))
        .map(|(k, _)| name(k))
        .collect();
    if !blind.is_empty() {
        out.push(format!(
            "{} shares statistics across the batch, yet no neighbour moved an output at this step.",
            list(&blind)
        ));
    }

    // The same image in two batches, with the batch kind, over seeds and in the seed drawn.
    let batch_kind = kinds
        .iter()
        .find(|k| *k == "batch")
        .or_else(|| moved.first().map(|m| &m.0));
    if let Some(kind) = batch_kind {
        let mine: Vec<&LabRun> = runs.iter().copied().filter(|r| r.kind() == kind).collect();
        let differs = |r: &&LabRun| {
            probe(r, settings.step)
                .is_some_and(|(_, n)| n.same_image.batch_a != n.same_image.batch_b)
        };
        let changed = mine.iter().filter(|r| differs(r)).count();
        let shown = mine
            .iter()
            .find(|r| Some(r.seed()) == settings.seed)
            .or(mine.first());
        if let Some((r, (_, nb))) = shown.and_then(|r| probe(r, settings.step).map(|p| (r, p))) {
            let s = &nb.same_image;
            let cls = |l: usize| {
                r.record
                    .classes
                    .get(l)
                    .cloned()
                    .unwrap_or_else(|| format!("class {l}"))
            };
            let say = |p: &[f64]| {
                let top = argmax(p);
                let p_label = p.get(s.label).copied().unwrap_or(0.0);
                if top == s.label {
                    pct(p_label)
                } else {
                    format!("{} (it was called {})", pct(p_label), cls(top))
                }
            };
            out.push(if changed == 0 {
                format!("With {}, image 1 got the same probabilities in both batches in every one of {}.", name(kind), seeds(mine.len()))
            } else {
                format!(
                    "With {}, the same image got different probabilities in its two batches in {changed} of {}{}. In seed {}, the {} patch was {} with probability {} among mixed companions and {} among seven {} patches; in evaluation mode (running statistics) it gets {} in any batch.",
                    name(kind),
                    seeds(mine.len()),
                    if holds_in(changed, mine.len()) && mine.len() > 1 { "" } else { " only" },
                    r.seed(),
                    cls(s.label),
                    cls(s.label),
                    say(&s.batch_a),
                    say(&s.batch_b),
                    cls(s.companions_b),
                    say(&s.eval)
                )
            });
        }
    }
    let steady: Vec<String> = still
        .iter()
        .filter(|(k, _)| PER_IMAGE.contains(&k.as_str()))
        .filter(|(k, _)| {
            runs.iter().filter(|r| r.kind() == k).all(|r| {
                probe(r, settings.step)
                    .is_some_and(|(_, n)| n.same_image.batch_a == n.same_image.batch_b)
            })
        })
        .map(|(k, _)| name(k))
        .collect();
    if !steady.is_empty() {
        out.push(format!(
            "{} gave it exactly the same probabilities in both batches, in every seed.",
            capital(&list(&steady))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::file::{Checkpoint, Neighbours, Probes, SameImage};
    use super::super::made_up::{arm, file, says};
    use super::super::{conclusions, Settings};

    fn probed(kind: &str, off: f64, seeds: usize) -> Vec<super::LabRun> {
        arm(kind, &vec![0.9; seeds])
            .into_iter()
            .map(|mut r| {
                let influence = vec![vec![0.5, off], vec![off, 0.5]];
                let same = if off == 0.0 {
                    vec![0.9, 0.1]
                } else {
                    vec![0.6, 0.4]
                };
                r.probes = Some(Probes {
                    after: Default::default(),
                    during: vec![Checkpoint {
                        step: 200,
                        neighbours: Some(Neighbours {
                            influence,
                            same_image: SameImage {
                                label: 0,
                                batch_a: vec![0.9, 0.1],
                                batch_b: same,
                                eval: vec![0.8, 0.2],
                                companions_b: 1,
                            },
                        }),
                        rho: None,
                    }],
                });
                r
            })
            .collect()
    }

    #[test]
    fn per_image_kinds_are_untouched_in_every_seed() {
        let mut runs = probed("batch", 0.05, 3);
        runs.extend(probed("layer", 0.0, 3));
        let s = conclusions("neighbours", &file(runs), &Settings::default()).expect("neighbours");
        assert!(says(&s, "0.050 with batch norm (3 seeds)"), "{s:?}");
        assert!(
            says(&s, "With layer norm every one of the 2 off-diagonal entries was exactly 0, in every one of 3 seeds"),
            "{s:?}"
        );
        assert!(says(&s, "in 3 of 3 seeds"), "{s:?}");
    }
}
