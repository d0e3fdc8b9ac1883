//! Fully connected layer: `y = W·x + b`.

use super::layer::{Layer, Mode, Param};
use super::rng::Rng;

/// `inp` → `out` features, with bias.
#[derive(Debug, Clone)]
pub struct Linear {
    inp: usize,
    out: usize,
    /// out×inp, row-major.
    pub weight: Param,
    pub bias: Param,
}

impl Linear {
    /// PyTorch's default initialisation: weight and bias uniform in
    /// ±1/√inp (`nn.Linear.reset_parameters`).
    pub fn new(name: &str, inp: usize, out: usize, rng: &mut Rng) -> Self {
        let bound = 1.0 / (inp as f32).sqrt();
        let w = (0..inp * out).map(|_| rng.range(-bound, bound)).collect();
        let b = (0..out).map(|_| rng.range(-bound, bound)).collect();
        Linear {
            inp,
            out,
            weight: Param::new(format!("{name}.weight"), w),
            bias: Param::new(format!("{name}.bias"), b),
        }
    }
}

impl Layer for Linear {
    fn in_len(&self) -> usize {
        self.inp
    }
    fn out_len(&self) -> usize {
        self.out
    }

    /// ```text
    /// y[n][o] = b[o] + Σ_i W[o][i] · x[n][i]      (i ascending, from b[o])
    /// ```
    fn forward(&mut self, x: &[f32], n: usize, y: &mut [f32], _mode: Mode) {
        let w = &self.weight.value;
        for s in 0..n {
            let xs = &x[s * self.inp..(s + 1) * self.inp];
            for o in 0..self.out {
                let mut acc = self.bias.value[o];
                for (wi, xi) in w[o * self.inp..(o + 1) * self.inp].iter().zip(xs) {
                    acc += wi * xi;
                }
                y[s * self.out + o] = acc;
            }
        }
    }

    /// ```text
    /// dW[o][i] += Σ_n dy[n][o]·x[n][i]    db[o] += Σ_n dy[n][o]    dx[n][i] = Σ_o W[o][i]·dy[n][o]
    /// ```
    fn backward(&mut self, x: &[f32], _y: &[f32], dy: &[f32], n: usize, dx: Option<&mut [f32]>) {
        for s in 0..n {
            let xs = &x[s * self.inp..(s + 1) * self.inp];
            for o in 0..self.out {
                let g = dy[s * self.out + o];
                self.bias.grad[o] += g;
                for (gw, xi) in self.weight.grad[o * self.inp..(o + 1) * self.inp]
                    .iter_mut()
                    .zip(xs)
                {
                    *gw += g * xi;
                }
            }
        }
        if let Some(dx) = dx {
            let w = &self.weight.value;
            for s in 0..n {
                for i in 0..self.inp {
                    let mut acc = 0.0f32;
                    for o in 0..self.out {
                        acc += w[o * self.inp + i] * dy[s * self.out + o];
                    }
                    dx[s * self.inp + i] = acc;
                }
            }
        }
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        vec![&mut self.weight, &mut self.bias]
    }
    fn params(&self) -> Vec<&Param> {
        vec![&self.weight, &self.bias]
    }
}
