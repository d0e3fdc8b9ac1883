//! The small convolutional network: three blocks, global average pooling,
//! a linear classifier.
//!
//! ```text
//! x: N×3×32×32 in [0, 1] → (x − 0.5)/0.25 (fixed, like a data loader's Normalize)
//!               ┬─ block 1: conv3×3 (3→w1)  → norm → ReLU → maxpool 2×2 → w1×16×16
//!               ├─ block 2: conv3×3 (w1→w2) → norm → ReLU → maxpool 2×2 → w2×8×8
//!               ├─ block 3: conv3×3 (w2→w3) → norm → ReLU → maxpool 2×2 → w3×4×4
//!               └─ global average pool → w3 → linear → K logits
//! ```
//!
//! A plain struct of named layers; activations are kept per block for the
//! backward pass, all buffers allocated once for the largest batch.

use super::conv::Conv3x3;
use super::gap::GlobalAvgPool;
use super::layer::{Layer, Mode, Param};
use super::linear::Linear;
use super::norm_layer::{NormLayer, NormSettings};
use super::pool::MaxPool2;
use super::relu::Relu;
use super::rng::Rng;
use crate::error::{Error, Result};
use crate::norm::{NormKind, Shape};

/// Input side length and channels the network is built for.
pub const INPUT_SIDE: usize = 32;
pub const INPUT_CHANNELS: usize = 3;
/// The fixed input standardization `(x − INPUT_CENTER) / INPUT_SCALE`,
/// as torchvision's `Normalize` does before a network: pixel values in
/// [0, 1] become roughly zero-mean. Without it the first convolution's
/// outputs carry a large common offset per channel (Σw · mean x), which
/// layer and group norm, normalizing across channels, then mistake for
/// signal: they learned several times slower here.
pub const INPUT_CENTER: f32 = 0.5;
pub const INPUT_SCALE: f32 = 0.25;

/// The shape and normalization of a [`Network`].
#[derive(Debug, Clone, PartialEq)]
pub struct NetConfig {
    pub widths: [usize; 3],
    pub classes: usize,
    pub norm: NormKind,
    pub groups: usize,
    pub eps: f64,
    pub bn_momentum: f64,
    /// Largest batch the buffers hold (training and evaluation chunks).
    pub max_batch: usize,
}

/// One conv → norm → ReLU → pool block and its activations.
#[derive(Debug, Clone)]
pub struct Block {
    pub conv: Conv3x3,
    pub norm: NormLayer,
    relu: Relu,
    pool: MaxPool2,
    conv_out: Vec<f32>,
    norm_out: Vec<f32>,
    relu_out: Vec<f32>,
    pool_out: Vec<f32>,
}

/// The network with its buffers.
#[derive(Debug, Clone)]
pub struct Network {
    pub blocks: Vec<Block>,
    gap: GlobalAvgPool,
    pub fc: Linear,
    input: Vec<f32>,
    features: Vec<f32>,
    logits: Vec<f32>,
    dfeatures: Vec<f32>,
    grad_a: Vec<f32>,
    grad_b: Vec<f32>,
    max_batch: usize,
    classes: usize,
}

impl Network {
    /// Build and initialise a network from `rng` (convolutions Kaiming
    /// normal, the classifier PyTorch's default uniform, γ = 1, β = 0).
    ///
    /// # Errors
    /// [`Error::BadInput`] for zero widths, classes or batch, or group
    /// counts that do not divide a width.
    pub fn new(cfg: &NetConfig, rng: &mut Rng) -> Result<Self> {
        if cfg.widths.contains(&0) || cfg.classes < 2 || cfg.max_batch == 0 {
            return Err(Error::BadInput(format!(
                "a network needs widths ≥ 1, at least 2 classes and a batch ≥ 1 (got widths {:?}, {} classes, batch {})",
                cfg.widths, cfg.classes, cfg.max_batch
            )));
        }
        let mut blocks = Vec::with_capacity(3);
        let (mut cin, mut side) = (INPUT_CHANNELS, INPUT_SIDE);
        for (b, &w) in cfg.widths.iter().enumerate() {
            let name = format!("block{}", b + 1);
            let conv = Conv3x3::new(
                &format!("{name}.conv"),
                cin,
                w,
                side,
                side,
                cfg.max_batch,
                rng,
            );
            let settings = NormSettings {
                kind: cfg.norm,
                groups: cfg.groups,
                eps: cfg.eps,
                momentum: cfg.bn_momentum,
            };
            let shape = Shape {
                n: cfg.max_batch,
                c: w,
                hw: side * side,
            };
            let norm = NormLayer::new(&format!("{name}.norm"), &settings, b, shape)?;
            let len = cfg.max_batch * w * side * side;
            blocks.push(Block {
                conv,
                norm,
                relu: Relu::new(w * side * side),
                pool: MaxPool2::new(w, side, side),
                conv_out: vec![0.0; len],
                norm_out: vec![0.0; len],
                relu_out: vec![0.0; len],
                pool_out: vec![0.0; len / 4],
            });
            cin = w;
            side /= 2;
        }
        let w3 = cfg.widths[2];
        let fc = Linear::new("fc", w3, cfg.classes, rng);
        let biggest = blocks.iter().map(|b| b.conv_out.len()).max().unwrap_or(0);
        Ok(Network {
            blocks,
            gap: GlobalAvgPool::new(w3, side * side),
            fc,
            input: vec![0.0; cfg.max_batch * INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE],
            features: vec![0.0; cfg.max_batch * w3],
            logits: vec![0.0; cfg.max_batch * cfg.classes],
            dfeatures: vec![0.0; cfg.max_batch * w3],
            grad_a: vec![0.0; biggest],
            grad_b: vec![0.0; biggest],
            max_batch: cfg.max_batch,
            classes: cfg.classes,
        })
    }

    /// Largest batch one call handles.
    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// Number of classes (logits per sample).
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Logits of `n` samples of `x` (N×3×32×32, `n ≤ max_batch`).
    pub fn forward(&mut self, x: &[f32], n: usize, mode: Mode) -> &[f32] {
        let len = n * INPUT_CHANNELS * INPUT_SIDE * INPUT_SIDE;
        let inv = 1.0 / INPUT_SCALE;
        for (o, &v) in self.input[..len].iter_mut().zip(&x[..len]) {
            *o = (v - INPUT_CENTER) * inv;
        }
        let x = &self.input[..];
        for b in 0..self.blocks.len() {
            let (done, rest) = self.blocks.split_at_mut(b);
            let input: &[f32] = match done.last() {
                Some(prev) => &prev.pool_out,
                None => x,
            };
            let blk = &mut rest[0];
            blk.conv.forward(input, n, &mut blk.conv_out, mode);
            blk.norm.forward(&blk.conv_out, n, &mut blk.norm_out, mode);
            blk.relu.forward(&blk.norm_out, n, &mut blk.relu_out, mode);
            blk.pool.forward(&blk.relu_out, n, &mut blk.pool_out, mode);
        }
        let last = self.blocks.last().map_or(&[][..], |b| &b.pool_out[..]);
        self.gap.forward(last, n, &mut self.features, mode);
        self.fc.forward(&self.features, n, &mut self.logits, mode);
        &self.logits[..n * self.classes]
    }

    /// Accumulate every parameter's gradient for `dlogits = ∂L/∂logits`
    /// after a [`Mode::Train`] forward of the same `n` samples.
    pub fn backward(&mut self, n: usize, dlogits: &[f32]) {
        self.fc.backward(
            &self.features,
            &self.logits,
            dlogits,
            n,
            Some(&mut self.dfeatures),
        );
        let last = self.blocks.last().map_or(&[][..], |b| &b.pool_out[..]);
        self.gap.backward(
            last,
            &self.features,
            &self.dfeatures,
            n,
            Some(&mut self.grad_a),
        );
        // grad_a holds ∂L/∂(pool out) of the block being undone.
        for b in (0..self.blocks.len()).rev() {
            let blk = &mut self.blocks[b];
            let (ga, gb) = (&mut self.grad_a, &mut self.grad_b);
            blk.pool
                .backward(&blk.relu_out, &blk.pool_out, ga, n, Some(gb));
            blk.relu
                .backward(&blk.norm_out, &blk.relu_out, gb, n, Some(ga));
            blk.norm
                .backward(&blk.conv_out, &blk.norm_out, ga, n, Some(gb));
            let dx = if b > 0 { Some(&mut ga[..]) } else { None };
            blk.conv.backward(&[], &blk.conv_out, gb, n, dx);
        }
    }

    /// Every learnable parameter, in a fixed order.
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        let mut v = Vec::new();
        for b in &mut self.blocks {
            v.extend(b.conv.params_mut());
            v.extend(b.norm.params_mut());
        }
        v.extend(self.fc.params_mut());
        v
    }

    /// Every learnable parameter, read only, same order.
    pub fn params(&self) -> Vec<&Param> {
        let mut v = Vec::new();
        for b in &self.blocks {
            v.extend(b.conv.params());
            v.extend(b.norm.params());
        }
        v.extend(self.fc.params());
        v
    }

    /// Zero every gradient.
    pub fn zero_grad(&mut self) {
        for p in self.params_mut() {
            p.zero_grad();
        }
    }

    /// The last forward's activations of block `b` (0-based), for probes
    /// ([`super::probe`]): the normalization layer's output and the ReLU's,
    /// each sample C×H×W (only the samples of that call are meaningful).
    pub(crate) fn block_activations(&self, b: usize) -> Option<(&[f32], &[f32])> {
        self.blocks
            .get(b)
            .map(|blk| (&blk.norm_out[..], &blk.relu_out[..]))
    }

    /// The last forward's pooled features, the classifier's input (N×C).
    pub(crate) fn features(&self) -> &[f32] {
        &self.features
    }

    /// Multiply–adds of one sample's forward pass in the convolutions.
    pub fn conv_macs_per_sample(&self) -> usize {
        self.blocks.iter().map(|b| b.conv.macs_per_sample()).sum()
    }
}
