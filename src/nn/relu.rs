//! ReLU: `y = max(x, 0)`.

use super::layer::{Layer, Mode, Param};
use crate::lanes::F32x4;

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
        let (xc, xt) = x[..len].as_chunks::<4>();
        let (yc, yt) = y[..len].as_chunks_mut::<4>();
        for (o, v) in yc.iter_mut().zip(xc) {
            F32x4::load(v).positive_part().store(o);
        }
        for (o, &v) in yt.iter_mut().zip(xt) {
            *o = if v > 0.0 { v } else { 0.0 };
        }
    }

    /// ```text
    /// dx = dy · [x > 0]
    /// ```
    fn backward(&mut self, x: &[f32], _y: &[f32], dy: &[f32], n: usize, dx: Option<&mut [f32]>) {
        let Some(dx) = dx else { return };
        let len = n * self.len;
        let (dc, dt) = dx[..len].as_chunks_mut::<4>();
        let (gc, gt) = dy[..len].as_chunks::<4>();
        let (xc, xt) = x[..len].as_chunks::<4>();
        for ((d, g), v) in dc.iter_mut().zip(gc).zip(xc) {
            F32x4::load(g).where_positive(F32x4::load(v)).store(d);
        }
        for ((d, &g), &v) in dt.iter_mut().zip(gt).zip(xt) {
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
