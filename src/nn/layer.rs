//! What every layer shares: the [`Layer`] trait, [`Param`] and [`Mode`].
//!
//! A layer is a small struct holding its parameters and the buffers its
//! backward pass needs (allocated once, for the largest batch). Activations
//! live in the network, which passes each layer its input and output
//! slices, as llm.c does: per sample the input has [`Layer::in_len`] values
//! and the output [`Layer::out_len`], images stored N×C×H×W.

/// Training (batch statistics, running statistics updated) or evaluation
/// (batch norm uses its running statistics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Train,
    Eval,
}

/// A learnable tensor with its gradient and SGD momentum buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name for reports, e.g. `block1.conv.weight`.
    pub name: String,
    pub value: Vec<f32>,
    /// Accumulated by `backward`; zeroed by [`Param::zero_grad`].
    pub grad: Vec<f32>,
    /// SGD momentum buffer (PyTorch's `momentum_buffer`).
    pub momentum: Vec<f32>,
    /// Whether weight decay applies (true for all but batch-instance ρ).
    pub decay: bool,
    /// Clip to [0, 1] after each step (batch-instance ρ, as Nam & Kim do).
    pub clip_unit: bool,
}

impl Param {
    /// A parameter with these initial values, decayed, unclipped.
    pub fn new(name: impl Into<String>, value: Vec<f32>) -> Self {
        let len = value.len();
        Param {
            name: name.into(),
            value,
            grad: vec![0.0; len],
            momentum: vec![0.0; len],
            decay: true,
            clip_unit: false,
        }
    }

    /// Set the gradient to zero before a new backward pass.
    pub fn zero_grad(&mut self) {
        self.grad.fill(0.0);
    }
}

/// A layer with a paired forward and backward pass (candle's `Module`,
/// llm.c's paired functions).
pub trait Layer {
    /// Values per sample going in.
    fn in_len(&self) -> usize;
    /// Values per sample coming out.
    fn out_len(&self) -> usize;
    /// `y = f(x)` for the first `n` samples of `x`; keeps what
    /// [`Layer::backward`] needs.
    fn forward(&mut self, x: &[f32], n: usize, y: &mut [f32], mode: Mode);
    /// Given `x`, `y` of the last forward (in [`Mode::Train`]) and `dy =
    /// ∂L/∂y`: accumulate `∂L/∂θ` into the parameters' `grad` and, when
    /// `dx` is given, write `∂L/∂x` into it (the first layer skips it).
    fn backward(&mut self, x: &[f32], y: &[f32], dy: &[f32], n: usize, dx: Option<&mut [f32]>);
    /// The learnable parameters, in a fixed order.
    fn params_mut(&mut self) -> Vec<&mut Param>;
    /// The learnable parameters, read only, in the same order.
    fn params(&self) -> Vec<&Param>;
}
