//! Global average pooling: one mean per channel plane.

use super::layer::{Layer, Mode, Param};

/// `c` planes of `hw` values each → `c` values.
#[derive(Debug, Clone)]
pub struct GlobalAvgPool {
    c: usize,
    hw: usize,
}

impl GlobalAvgPool {
    pub fn new(c: usize, hw: usize) -> Self {
        GlobalAvgPool { c, hw }
    }
}

impl Layer for GlobalAvgPool {
    fn in_len(&self) -> usize {
        self.c * self.hw
    }
    fn out_len(&self) -> usize {
        self.c
    }

    /// ```text
    /// y[n][c] = (1/HW) Σ_hw x[n][c][hw]      (summed in order, in f32)
    /// ```
    fn forward(&mut self, x: &[f32], n: usize, y: &mut [f32], _mode: Mode) {
        let inv = 1.0 / self.hw as f32;
        for p in 0..n * self.c {
            let mut s = 0.0f32;
            for &v in &x[p * self.hw..(p + 1) * self.hw] {
                s += v;
            }
            y[p] = s * inv;
        }
    }

    /// ```text
    /// dx[n][c][hw] = dy[n][c] / HW
    /// ```
    fn backward(&mut self, _x: &[f32], _y: &[f32], dy: &[f32], n: usize, dx: Option<&mut [f32]>) {
        let Some(dx) = dx else { return };
        let inv = 1.0 / self.hw as f32;
        for p in 0..n * self.c {
            dx[p * self.hw..(p + 1) * self.hw].fill(dy[p] * inv);
        }
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        Vec::new()
    }
    fn params(&self) -> Vec<&Param> {
        Vec::new()
    }
}
