//! 2×2 max pooling, stride 2 (odd trailing rows/columns dropped, as
//! PyTorch's `MaxPool2d(2)` does).

use super::layer::{Layer, Mode, Param};

/// Max over each 2×2 window of each channel plane.
#[derive(Debug, Clone)]
pub struct MaxPool2 {
    c: usize,
    h: usize,
    w: usize,
}

impl MaxPool2 {
    /// Pooling for `c` planes of `h`×`w`.
    pub fn new(c: usize, h: usize, w: usize) -> Self {
        MaxPool2 { c, h, w }
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
    fn forward(&mut self, x: &[f32], n: usize, y: &mut [f32], _mode: Mode) {
        let (h, w) = (self.h, self.w);
        let (oh, ow) = self.out_hw();
        for p in 0..n * self.c {
            let xp = &x[p * h * w..(p + 1) * h * w];
            let yp = &mut y[p * oh * ow..(p + 1) * oh * ow];
            for i in 0..oh {
                let r0 = &xp[2 * i * w..2 * i * w + 2 * ow];
                let r1 = &xp[(2 * i + 1) * w..(2 * i + 1) * w + 2 * ow];
                for ((o, a), b) in yp[i * ow..(i + 1) * ow]
                    .iter_mut()
                    .zip(r0.chunks_exact(2))
                    .zip(r1.chunks_exact(2))
                {
                    *o = a[0].max(a[1]).max(b[0].max(b[1]));
                }
            }
        }
    }

    /// ```text
    /// dx = dy routed to the window's maximum (the first of the four, in
    /// row-major order, that equals it), 0 elsewhere
    /// ```
    fn backward(&mut self, x: &[f32], y: &[f32], dy: &[f32], n: usize, dx: Option<&mut [f32]>) {
        let Some(dx) = dx else { return };
        let (h, w) = (self.h, self.w);
        let (oh, ow) = self.out_hw();
        dx[..n * self.in_len()].fill(0.0);
        for p in 0..n * self.c {
            let xp = &x[p * h * w..(p + 1) * h * w];
            let dxp = &mut dx[p * h * w..(p + 1) * h * w];
            let yp = &y[p * oh * ow..(p + 1) * oh * ow];
            let gp = &dy[p * oh * ow..(p + 1) * oh * ow];
            for i in 0..oh {
                let (top, bottom) = (2 * i * w, (2 * i + 1) * w);
                for j in 0..ow {
                    let (m, g) = (yp[i * ow + j], gp[i * ow + j]);
                    let (a, b) = (top + 2 * j, bottom + 2 * j);
                    // The first of the four, row-major, that holds the maximum.
                    let q = if xp[a] == m {
                        a
                    } else if xp[a + 1] == m {
                        a + 1
                    } else if xp[b] == m {
                        b
                    } else if xp[b + 1] == m {
                        b + 1
                    } else {
                        a
                    };
                    dxp[q] = g;
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
