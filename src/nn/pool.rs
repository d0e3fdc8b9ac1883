//! 2×2 max pooling, stride 2 (odd trailing rows/columns dropped, as
//! PyTorch's `MaxPool2d(2)` does).

use super::layer::{Layer, Mode, Param};

/// Max over each 2×2 window of each channel plane.
#[derive(Debug, Clone)]
pub struct MaxPool2 {
    c: usize,
    h: usize,
    w: usize,
    /// Per output value, which of the four inputs won (0..4, row-major).
    argmax: Vec<u8>,
}

impl MaxPool2 {
    /// Pooling for `c` planes of `h`×`w`, batches of at most `max_batch`.
    pub fn new(c: usize, h: usize, w: usize, max_batch: usize) -> Self {
        MaxPool2 {
            c,
            h,
            w,
            argmax: vec![0; max_batch * c * (h / 2) * (w / 2)],
        }
    }

    /// Output height and width.
    pub fn out_hw(&self) -> (usize, usize) {
        (self.h / 2, self.w / 2)
    }
}

impl Layer for MaxPool2 {
    fn in_len(&self) -> usize {
        self.c * self.h * self.w
    }
    fn out_len(&self) -> usize {
        self.c * (self.h / 2) * (self.w / 2)
    }

    /// ```text
    /// y[p][i][j] = max(x[p][2i][2j], x[p][2i][2j+1], x[p][2i+1][2j], x[p][2i+1][2j+1])
    /// ```
    /// Ties go to the first of the four in that order.
    fn forward(&mut self, x: &[f32], n: usize, y: &mut [f32], _mode: Mode) {
        let (h, w) = (self.h, self.w);
        let (oh, ow) = self.out_hw();
        for p in 0..n * self.c {
            let xp = &x[p * h * w..(p + 1) * h * w];
            for i in 0..oh {
                let r0 = &xp[2 * i * w..2 * i * w + w];
                let r1 = &xp[(2 * i + 1) * w..(2 * i + 1) * w + w];
                for j in 0..ow {
                    let cand = [r0[2 * j], r0[2 * j + 1], r1[2 * j], r1[2 * j + 1]];
                    let mut best = 0;
                    for q in 1..4 {
                        if cand[q] > cand[best] {
                            best = q;
                        }
                    }
                    let o = p * oh * ow + i * ow + j;
                    y[o] = cand[best];
                    self.argmax[o] = best as u8;
                }
            }
        }
    }

    /// ```text
    /// dx = dy routed to the window's winner, 0 elsewhere
    /// ```
    fn backward(&mut self, _x: &[f32], _y: &[f32], dy: &[f32], n: usize, dx: Option<&mut [f32]>) {
        let Some(dx) = dx else { return };
        let (h, w) = (self.h, self.w);
        let (oh, ow) = self.out_hw();
        dx[..n * self.in_len()].fill(0.0);
        for p in 0..n * self.c {
            for i in 0..oh {
                for j in 0..ow {
                    let o = p * oh * ow + i * ow + j;
                    let q = self.argmax[o] as usize;
                    let (yy, xx) = (2 * i + q / 2, 2 * j + q % 2);
                    dx[p * h * w + yy * w + xx] = dy[o];
                }
            }
        }
    }

    fn params_mut(&mut self) -> Vec<&mut Param> {
        Vec::new()
    }
    fn params(&self) -> Vec<&Param> {
        Vec::new()
    }
}
