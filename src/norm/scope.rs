//! Which values share one set of statistics ([`Scope`]), and the shape of
//! the planes a scope groups ([`Shape`]).
//!
//! ```text
//! scope              one set per                     sets
//! Batch              channel, over the batch         C
//! Instance           (image, channel)                N·C
//! Layer              image                           N
//! Group(G)           (image, group of C/G channels)  N·G
//! InstanceBatch(h)   instance on channels [0, h), batch on [h, C)   N·h + C − h
//! ```

use std::ops::Range;

use super::NormKind;

/// N images of C planes of `hw` values each, stored N×C×H×W.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub n: usize,
    pub c: usize,
    pub hw: usize,
}

impl Shape {
    /// The values of plane (image `s`, channel `ch`) in the flat N×C×H×W data.
    #[inline]
    pub fn plane(self, s: usize, ch: usize) -> Range<usize> {
        let o = (s * self.c + ch) * self.hw;
        o..o + self.hw
    }

    /// Number of values, N·C·H·W.
    pub fn len(self) -> usize {
        self.n * self.c * self.hw
    }

    /// True when there are no values.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// Which planes share one mean and variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One set per channel, over the batch.
    Batch,
    /// One set per (image, channel).
    Instance,
    /// One set per image.
    Layer,
    /// One set per (image, group of C/G contiguous channels).
    Group(usize),
    /// Instance on channels `[0, half)`, batch on `[half, C)` (adapted from IBN-a).
    InstanceBatch(usize),
}

impl Scope {
    /// The one scope a kind standardizes over, for `channels` channels;
    /// `groups` is group norm's G, `block` the network block (IBN is
    /// instance/batch in block 0 and batch norm after it). `None` for
    /// `none` (no statistics) and batch-instance (which mixes
    /// [`Scope::Batch`] and [`Scope::Instance`]).
    pub fn of(kind: NormKind, channels: usize, groups: usize, block: usize) -> Option<Scope> {
        match kind {
            NormKind::None | NormKind::BatchInstance => None,
            NormKind::Batch => Some(Scope::Batch),
            NormKind::Instance => Some(Scope::Instance),
            NormKind::Layer => Some(Scope::Layer),
            NormKind::Group => Some(Scope::Group(groups.max(1))),
            NormKind::Ibn if block == 0 => Some(Scope::InstanceBatch(channels / 2)),
            NormKind::Ibn => Some(Scope::Batch),
        }
    }

    /// Number of sets for `n` images of `c` channels.
    pub fn sets(self, n: usize, c: usize) -> usize {
        match self {
            Scope::Batch => c,
            Scope::Instance => n * c,
            Scope::Layer => n,
            Scope::Group(g) => n * g,
            Scope::InstanceBatch(half) => n * half + (c - half),
        }
    }

    /// The set of plane (image `s`, channel `ch`), for `n` images of `c` channels.
    #[inline]
    pub fn set_of(self, s: usize, ch: usize, n: usize, c: usize) -> usize {
        match self {
            Scope::Batch => ch,
            Scope::Instance => s * c + ch,
            Scope::Layer => s,
            Scope::Group(g) => s * g + ch / (c / g),
            Scope::InstanceBatch(half) => {
                if ch < half {
                    s * half + ch
                } else {
                    n * half + (ch - half)
                }
            }
        }
    }

    /// Whether channel `ch` is normalized over the batch (and so has
    /// running statistics).
    pub fn is_batch_channel(self, ch: usize) -> bool {
        match self {
            Scope::Batch => true,
            Scope::InstanceBatch(half) => ch >= half,
            _ => false,
        }
    }
}
