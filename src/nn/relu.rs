//! ReLU: `y = max(x, 0)`.

use super::layer::{Layer, Mode, Param};

/// An element-wise ReLU over `len` values per sample.
#[derive(Debug, Clone)]
pub struct Relu {
    len: usize,
}

impl Relu {
    pub fn new(len: usize) -> Self {
        Relu { len }
    }
}

impl Layer for Relu {
    fn in_len(&self) -> usize {
        self.len
    }
    fn out_len(&self) -> usize {
        self.len
    }

    /// ```text
    /// y = max(x, 0)
    /// ```
    fn forward(&mut self, x: &[f32], n: usize, y: &mut [f32], _mode: Mode) {
        let len = n * self.len;
        for (o, &v) in y[..len].iter_mut().zip(&x[..len]) {
            *o = if v > 0.0 { v } else { 0.0 };
        }
    }

    /// ```text
    /// dx = dy · [x > 0]
    /// ```
    fn backward(&mut self, x: &[f32], _y: &[f32], dy: &[f32], n: usize, dx: Option<&mut [f32]>) {
        let Some(dx) = dx else { return };
        let len = n * self.len;
        for ((d, &g), &v) in dx[..len].iter_mut().zip(&dy[..len]).zip(&x[..len]) {
            *d = if v > 0.0 { g } else { 0.0 };
        }
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        Vec::new()
    }
    fn params(&self) -> Vec<&Param> {
        Vec::new()
    }
}
