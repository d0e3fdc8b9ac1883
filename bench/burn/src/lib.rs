//! The Burn peer of `cargo xtask bench --train`: the benchmark's reference
//! network in Burn 0.22 on its Flex backend (pure-Rust CPU kernels, wasm32
//! SIMD128 through `gemm` and `macerator`; no threads in the browser), with
//! Burn's autodiff and its SGD.
//!
//! ```text
//! x (N×3×32×32) → [conv3×3 (pad 1) → batch norm? → ReLU → max pool 2×2]×k
//!   → global average pool → linear → softmax cross-entropy → SGD (momentum, weight decay)
//! ```
//!
//! `bench/train.js` loads the wasm-bindgen module and times `Peer::step`,
//! as it times normscope's `Trainer.step`, on one fixed batch.
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Int, Tensor, TensorData};
use wasm_bindgen::prelude::*;

/// One block: 3×3 convolution, optional batch norm, ReLU, optional 2×2 max pool.
#[derive(Module, Debug)]
struct Block {
    conv: Conv2d,
    norm: Option<BatchNorm>,
    pool: Option<MaxPool2d>,
}

#[derive(Module, Debug)]
struct Net {
    blocks: Vec<Block>,
    gap: AdaptiveAvgPool2d,
    head: Linear,
}

impl Net {
    fn forward(&self, mut x: Tensor<4>) -> Tensor<2> {
        for b in &self.blocks {
            x = b.conv.forward(x);
            if let Some(n) = &b.norm {
                x = n.forward(x);
            }
            x = relu(x);
            if let Some(p) = &b.pool {
                x = p.forward(x);
            }
        }
        let x: Tensor<2> = self.gap.forward(x).flatten(1, 3);
        self.head.forward(x)
    }
}

/// The network, its optimizer and one fixed batch.
#[wasm_bindgen]
pub struct Peer {
    net: Option<Net>,
    optim: ModuleOptimizer,
    x: Tensor<4>,
    y: Tensor<1, Int>,
    lr: f64,
}

#[wasm_bindgen]
impl Peer {
    /// `widths`: channels per block (2×2 max pool after every block but the
    /// last); `x`: `batch`×3×32×32 NCHW inputs; `y`: labels below `classes`.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        widths: Vec<u32>,
        batch_norm: bool,
        classes: u32,
        x: Vec<f32>,
        y: Vec<i32>,
        lr: f64,
        momentum: f64,
        weight_decay: f32,
        eps: f64,
        bn_momentum: f64,
    ) -> Result<Peer, JsError> {
        let batch = y.len();
        if widths.is_empty() || x.len() != batch * 3 * 32 * 32 {
            return Err(JsError::new(
                "Peer: x must hold batch × 3 × 32 × 32 values and widths at least one width",
            ));
        }
        let device = Device::flex().autodiff();
        let mut cin = 3;
        let last = widths.len() - 1;
        let blocks = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let w = w as usize;
                let conv = Conv2dConfig::new([cin, w], [3, 3])
                    .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
                    .with_bias(!batch_norm)
                    .init(&device);
                cin = w;
                Block {
                    conv,
                    norm: batch_norm.then(|| {
                        BatchNormConfig::new(w)
                            .with_epsilon(eps)
                            .with_momentum(bn_momentum)
                            .init(&device)
                    }),
                    pool: (i < last)
                        .then(|| MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init()),
                }
            })
            .collect();
        let net = Net {
            blocks,
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            head: LinearConfig::new(cin, classes as usize).init(&device),
        };
        let optim = SgdConfig::new()
            .with_momentum(Some(MomentumConfig::new().with_momentum(momentum)))
            .with_weight_decay(Some(WeightDecayConfig::new(weight_decay)))
            .init();
        let x = Tensor::<4>::from_data(TensorData::new(x, [batch, 3, 32, 32]), &device);
        let y = Tensor::<1, Int>::from_data(
            TensorData::new(y.iter().map(|&v| v as i64).collect(), [batch]),
            &device,
        );
        Ok(Peer {
            net: Some(net),
            optim,
            x,
            y,
            lr,
        })
    }

    /// One training step (forward, backward, SGD update); returns the loss.
    pub fn step(&mut self) -> Result<f32, JsError> {
        let net = self
            .net
            .take()
            .ok_or_else(|| JsError::new("Peer: a previous step failed"))?;
        let logits = net.forward(self.x.clone());
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, self.y.clone());
        let value: f32 = loss.clone().into_scalar();
        let grads = GradientsParams::from_grads(loss.backward(), &net);
        self.net = Some(self.optim.step(self.lr, net, grads));
        Ok(value)
    }
}

/// The Burn version this crate was built against (the lock file pins it).
#[wasm_bindgen]
pub fn burn_version() -> String {
    "burn 0.22.1, Flex backend (features std, flex, simd, autodiff, optim), wasm32 simd128, one thread".into()
}
