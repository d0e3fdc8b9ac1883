//! SGD with momentum and weight decay, PyTorch's semantics
//! (`torch.optim.SGD`, dampening 0, not Nesterov).
//!
//! ```text
//! g ← ∇θ + λ·θ                 (weight decay added to the gradient)
//! b ← g            at the first step,   b ← μ·b + g   after
//! θ ← θ − lr·b
//! ```
//!
//! PyTorch decays every parameter it is given, and so do we — convolution
//! and classifier weights, the classifier bias, and the normalization γ
//! and β — except batch-instance's ρ, which is not decayed (decay would
//! pull every ρ towards 0, i.e. towards instance norm) and is clipped to
//! [0, 1] after the step, as Nam & Kim (2018) do.

use super::layer::Param;

/// The optimizer's settings; its state lives in each [`Param`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sgd {
    pub momentum: f32,
    pub weight_decay: f32,
    /// Whether the momentum buffers hold a value yet.
    pub started: bool,
}

impl Sgd {
    pub fn new(momentum: f32, weight_decay: f32) -> Self {
        Sgd {
            momentum,
            weight_decay,
            started: false,
        }
    }

    /// One step with learning rate `lr` over `params`.
    pub fn step(&mut self, params: &mut [&mut Param], lr: f32) {
        for p in params.iter_mut() {
            let wd = if p.decay { self.weight_decay } else { 0.0 };
            let Param {
                value,
                grad,
                momentum,
                clip_unit,
                ..
            } = &mut **p;
            for ((v, &g), m) in value.iter_mut().zip(grad.iter()).zip(momentum.iter_mut()) {
                let g = g + wd * *v;
                *m = if self.started {
                    self.momentum * *m + g
                } else {
                    g
                };
                *v -= lr * *m;
                if *clip_unit {
                    *v = v.clamp(0.0, 1.0);
                }
            }
        }
        self.started = true;
    }
}
