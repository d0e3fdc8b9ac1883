#![cfg(not(target_arch = "wasm32"))]
// A failing unwrap here is a failing test, which is what it should be.
#![allow(clippy::unwrap_used)]
//! Every backward pass of the training engine against the numbers:
//! central finite differences in float64 of the loss `L = Σ r·y` (a fixed
//! random projection of the layer's output, summed in f64), and the
//! normalization backward against an independent float64 reference on
//! hostile inputs (offset 1e4 with spread 1e-2, constant planes, a batch of
//! one), as micrograd checks every op.

use ndarray::Array4;
use normscope::nn::conv::Conv3x3;
use normscope::nn::gap::GlobalAvgPool;
use normscope::nn::layer::{Layer, Mode};
use normscope::nn::linear::Linear;
use normscope::nn::loss::softmax_cross_entropy;
use normscope::nn::network::{NetConfig, Network};
use normscope::nn::norm_layer::{NormLayer, NormSettings};
use normscope::nn::pool::MaxPool2;
use normscope::nn::relu::Relu;
use normscope::nn::rng::Rng;
use normscope::norm::normalization_backward;
use normscope::norm::Shape;
use normscope::{NormConfig, NormKind};

/// `Σ r·y` in f64.
fn project(r: &[f32], y: &[f32]) -> f64 {
    r.iter().zip(y).map(|(&a, &b)| a as f64 * b as f64).sum()
}

/// Largest |a − b| over the largest |b| (b the reference), and that scale.
fn rel_err(a: &[f64], b: &[f64]) -> (f64, f64) {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let err = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    (err / scale.max(1e-30), scale)
}

/// Check a layer's input and parameter gradients by central differences
/// with step `h`; `tol` is relative to the largest gradient of each tensor.
fn check_layer(
    name: &str,
    layer: &mut dyn Layer,
    x: &[f32],
    n: usize,
    h: f32,
    tol: f64,
    mode_input: bool,
) {
    let out_len = n * layer.out_len();
    let mut rng = Rng::new(99);
    let r: Vec<f32> = (0..out_len).map(|_| rng.normal()).collect();
    let mut y = vec![0.0f32; out_len];
    let mut loss = |layer: &mut dyn Layer, x: &[f32]| -> f64 {
        layer.forward(x, n, &mut y, Mode::Train);
        project(&r, &y)
    };
    // Analytic.
    let mut y0 = vec![0.0f32; out_len];
    layer.forward(x, n, &mut y0, Mode::Train);
    for p in layer.params_mut() {
        p.zero_grad();
    }
    let mut dx = vec![0.0f32; x.len()];
    layer.backward(x, &y0, &r, n, Some(&mut dx));
    let grads: Vec<Vec<f32>> = layer.params().iter().map(|p| p.grad.clone()).collect();

    if mode_input {
        let mut xp = x.to_vec();
        let mut num = Vec::with_capacity(x.len());
        for i in 0..x.len() {
            let v = xp[i];
            xp[i] = v + h;
            let lp = loss(layer, &xp);
            xp[i] = v - h;
            let lm = loss(layer, &xp);
            xp[i] = v;
            num.push((lp - lm) / (2.0 * (h as f64)));
        }
        let ana: Vec<f64> = dx.iter().map(|&v| v as f64).collect();
        let (err, scale) = rel_err(&ana, &num);
        assert!(scale > 1e-6, "{name}: dx is all zero");
        assert!(err < tol, "{name}: dx off by {err:e} of {scale:e}");
    }
    for (pi, grad) in grads.iter().enumerate() {
        let len = layer.params()[pi].value.len();
        let pname = layer.params()[pi].name.clone();
        let mut num = Vec::with_capacity(len);
        for j in 0..len {
            let v = layer.params()[pi].value[j];
            layer.params_mut()[pi].value[j] = v + h;
            let lp = loss(layer, x);
            layer.params_mut()[pi].value[j] = v - h;
            let lm = loss(layer, x);
            layer.params_mut()[pi].value[j] = v;
            num.push((lp - lm) / (2.0 * (h as f64)));
        }
        let ana: Vec<f64> = grad.iter().map(|&v| v as f64).collect();
        let (err, scale) = rel_err(&ana, &num);
        assert!(scale > 1e-6, "{name}: {pname} gradient is all zero");
        assert!(err < tol, "{name}: {pname} off by {err:e} of {scale:e}");
    }
}

fn normals(n: usize, seed: u64) -> Vec<f32> {
    let mut r = Rng::new(seed);
    (0..n).map(|_| r.normal()).collect()
}

#[test]
fn conv3x3_backward_matches_finite_differences() {
    let mut rng = Rng::new(1);
    // Odd sizes, two samples, 2 → 3 channels.
    let (n, cin, cout, h, w) = (2, 2, 3, 5, 4);
    let mut conv = Conv3x3::new("c", cin, cout, h, w, n, &mut rng);
    let x = normals(n * cin * h * w, 2);
    check_layer("conv3x3", &mut conv, &x, n, 1e-2, 1e-3, true);
}

#[test]
fn relu_pool_gap_and_linear_backward_match_finite_differences() {
    // ReLU away from its kink.
    let x: Vec<f32> = normals(60, 3)
        .into_iter()
        .map(|v| if v.abs() < 0.05 { 0.3 } else { v })
        .collect();
    check_layer("relu", &mut Relu::new(20), &x, 3, 1e-3, 1e-3, true);
    // Max pooling on distinct values 0.01 apart (no ties within ±h).
    let mut vals: Vec<f32> = (0..2 * 2 * 4 * 6).map(|i| i as f32 * 0.01).collect();
    Rng::new(4).shuffle(&mut vals);
    check_layer(
        "maxpool",
        &mut MaxPool2::new(2, 4, 6),
        &vals,
        2,
        1e-3,
        1e-3,
        true,
    );
    // Odd plane sizes: the last row and column are dropped.
    let mut vals: Vec<f32> = (0..2 * 5 * 7).map(|i| i as f32 * 0.01).collect();
    Rng::new(5).shuffle(&mut vals);
    check_layer(
        "maxpool odd",
        &mut MaxPool2::new(2, 5, 7),
        &vals,
        1,
        1e-3,
        1e-3,
        true,
    );
    check_layer(
        "gap",
        &mut GlobalAvgPool::new(3, 6),
        &normals(36, 6),
        2,
        1e-2,
        1e-3,
        true,
    );
    let mut rng = Rng::new(7);
    check_layer(
        "linear",
        &mut Linear::new("fc", 4, 5, &mut rng),
        &normals(12, 8),
        3,
        1e-2,
        1e-3,
        true,
    );
}

#[test]
fn every_norm_layer_backward_matches_finite_differences() {
    let (n, c, hw) = (3, 4, 9);
    for kind in NormKind::ALL {
        for block in [0, 1] {
            let settings = NormSettings {
                kind,
                groups: 2,
                eps: 1e-5,
                momentum: 0.1,
            };
            let mut layer = NormLayer::new("norm", &settings, block, Shape { n, c, hw }).unwrap();
            // Non-trivial γ, β, ρ so every term of the backward counts.
            for (i, p) in layer.params_mut().into_iter().enumerate() {
                let mut r = Rng::new(20 + i as u64);
                for v in p.value.iter_mut() {
                    *v = if p.clip_unit {
                        r.range(0.1, 0.9)
                    } else {
                        r.range(0.5, 1.5)
                    };
                }
            }
            let x: Vec<f32> = normals(n * c * hw, 11)
                .iter()
                .enumerate()
                .map(|(i, v)| v + (i % 5) as f32 * 0.3)
                .collect();
            check_layer(
                &format!("{kind} norm, block {block}"),
                &mut layer,
                &x,
                n,
                1e-2,
                2e-3,
                true,
            );
        }
    }
}

#[test]
fn softmax_cross_entropy_gradient_matches_finite_differences() {
    let (n, k) = (4, 5);
    let z = normals(n * k, 12);
    let labels = [0u8, 3, 4, 1];
    let mut dz = vec![0.0; n * k];
    let mut pred = vec![0u8; n];
    let l0 = softmax_cross_entropy(&z, &labels, k, &mut dz, &mut pred);
    // Against the definition in f64.
    let reference = |z: &[f32]| -> f64 {
        (0..n)
            .map(|s| {
                let row: Vec<f64> = z[s * k..(s + 1) * k].iter().map(|&v| v as f64).collect();
                let lse = row.iter().map(|v| v.exp()).sum::<f64>().ln();
                lse - row[labels[s] as usize]
            })
            .sum::<f64>()
            / n as f64
    };
    assert!((l0 as f64 - reference(&z)).abs() < 1e-6);
    let mut num = Vec::new();
    let h = 1e-3f64;
    for i in 0..z.len() {
        let mut zp: Vec<f64> = z.iter().map(|&v| v as f64).collect();
        let f = |zz: &[f64]| -> f64 {
            (0..n)
                .map(|s| {
                    let row = &zz[s * k..(s + 1) * k];
                    row.iter().map(|v| v.exp()).sum::<f64>().ln() - row[labels[s] as usize]
                })
                .sum::<f64>()
                / n as f64
        };
        zp[i] += h;
        let lp = f(&zp);
        zp[i] -= 2.0 * h;
        let lm = f(&zp);
        num.push((lp - lm) / (2.0 * h));
    }
    let ana: Vec<f64> = dz.iter().map(|&v| v as f64).collect();
    let (err, _) = rel_err(&ana, &num);
    assert!(err < 1e-5, "softmax CE gradient off by {err:e}");
}

#[test]
fn whole_network_gradient_matches_finite_differences_for_every_kind() {
    let n = 3;
    let x = normals(n * 3 * 32 * 32, 13)
        .iter()
        .map(|v| 0.5 + 0.2 * v)
        .collect::<Vec<f32>>();
    let labels = [0u8, 2, 1];
    for kind in NormKind::ALL {
        let cfg = NetConfig {
            widths: [4, 4, 8],
            classes: 3,
            norm: kind,
            groups: 2,
            eps: 1e-5,
            bn_momentum: 0.1,
            max_batch: n,
        };
        let mut net = Network::new(&cfg, &mut Rng::new(14)).unwrap();
        let mut dz = vec![0.0; n * 3];
        let mut pred = vec![0u8; n];
        let loss = |net: &mut Network| -> f64 {
            let mut dz = vec![0.0; n * 3];
            let mut pred = vec![0u8; n];
            let z = net.forward(&x, n, Mode::Train).to_vec();
            softmax_cross_entropy(&z, &labels, 3, &mut dz, &mut pred) as f64
        };
        let z = net.forward(&x, n, Mode::Train).to_vec();
        softmax_cross_entropy(&z, &labels, 3, &mut dz, &mut pred);
        net.zero_grad();
        net.backward(n, &dz);
        let grads: Vec<Vec<f32>> = net.params().iter().map(|p| p.grad.clone()).collect();
        let (mut sq_err, mut sq_ref) = (0.0f64, 0.0f64);
        // Small enough that few ReLU/max-pool kinks fall within ±h, large
        // enough that f32 rounding of the loss (~1e-7 of it) stays small:
        // together they leave about 1e-2 of disagreement (seen: 1.2e-3 for
        // instance to 1.3e-2 for batch norm), while a wrong or missing term
        // in a backward pass shows up as an error of order 1.
        let h = 2e-3f32;
        for (pi, grad) in grads.iter().enumerate() {
            let len = net.params()[pi].value.len();
            // Up to six entries of every tensor, spread over it.
            for j in (0..len).step_by(len.div_ceil(6).max(1)) {
                let v = net.params()[pi].value[j];
                net.params_mut()[pi].value[j] = v + h;
                let lp = loss(&mut net);
                net.params_mut()[pi].value[j] = v - h;
                let lm = loss(&mut net);
                net.params_mut()[pi].value[j] = v;
                let num = (lp - lm) / (2.0 * h as f64);
                let ana = grad[j] as f64;
                sq_err += (num - ana) * (num - ana);
                sq_ref += num * num;
            }
        }
        let rel = (sq_err / sq_ref).sqrt();
        eprintln!("{kind}: relative error {rel:.2e}");
        assert!(sq_ref > 1e-8, "{kind}: all sampled gradients are zero");
        assert!(
            rel < 3e-2,
            "{kind}: network gradient off by {rel:e} (relative, over the sampled entries)"
        );
    }
}

// ---- The pure normalization backward against a float64 reference ----

/// The sets of a kind, as a map (sample, channel) → set id.
fn set_map(kind: NormKind, groups: usize, n: usize, c: usize) -> Vec<usize> {
    let mut m = Vec::with_capacity(n * c);
    for s in 0..n {
        for ch in 0..c {
            m.push(match kind {
                NormKind::Batch => ch,
                NormKind::Instance | NormKind::BatchInstance => s * c + ch,
                NormKind::Layer => s,
                NormKind::Group => s * groups + ch / (c / groups),
                NormKind::None | NormKind::Ibn => unreachable!("the network's kinds only"),
            });
        }
    }
    m
}

/// Float64 reference of `∂L/∂x` for one standardization over `sets`:
/// written out from the chain rule through μ and σ separately,
/// `dx = g/σ + (∂L/∂μ)/m + (∂L/∂σ²)·2(x − μ)/m`.
fn reference_backward(x: &Array4<f64>, g: &Array4<f64>, sets: &[usize], eps: f64) -> Array4<f64> {
    let (n, c, h, w) = x.dim();
    let k = sets.iter().max().unwrap() + 1;
    let mut sum = vec![0.0; k];
    let mut cnt = vec![0.0; k];
    for ((s, ch, _, _), &v) in x.indexed_iter() {
        sum[sets[s * c + ch]] += v;
        cnt[sets[s * c + ch]] += 1.0;
    }
    let mu: Vec<f64> = sum.iter().zip(&cnt).map(|(s, c)| s / c).collect();
    let mut var = vec![0.0; k];
    for ((s, ch, _, _), &v) in x.indexed_iter() {
        let id = sets[s * c + ch];
        var[id] += (v - mu[id]).powi(2) / cnt[id];
    }
    let mut dvar = vec![0.0; k];
    let mut dmu = vec![0.0; k];
    for ((s, ch, i, j), &v) in x.indexed_iter() {
        let id = sets[s * c + ch];
        let gv = g[(s, ch, i, j)];
        dvar[id] += gv * (v - mu[id]) * -0.5 * (var[id] + eps).powf(-1.5);
        dmu[id] += -gv / (var[id] + eps).sqrt();
    }
    // ∂σ²/∂μ = −2·mean(x − μ) = 0, so dmu needs no σ² term.
    Array4::from_shape_fn((n, c, h, w), |(s, ch, i, j)| {
        let id = sets[s * c + ch];
        let v = x[(s, ch, i, j)];
        g[(s, ch, i, j)] / (var[id] + eps).sqrt()
            + dmu[id] / cnt[id]
            + dvar[id] * 2.0 * (v - mu[id]) / cnt[id]
    })
}

fn reference_for(x: &Array4<f32>, g: &Array4<f32>, cfg: &NormConfig) -> Array4<f64> {
    let (n, c, _, _) = x.dim();
    let (x, g) = (x.mapv(|v| v as f64), g.mapv(|v| v as f64));
    let groups = cfg.groups.unwrap_or(1);
    match cfg.kind {
        NormKind::BatchInstance => {
            let rho = cfg.rho.unwrap();
            let b = reference_backward(&x, &g, &set_map(NormKind::Batch, 1, n, c), cfg.eps);
            let i = reference_backward(&x, &g, &set_map(NormKind::Instance, 1, n, c), cfg.eps);
            b * rho + i * (1.0 - rho)
        }
        k => reference_backward(&x, &g, &set_map(k, groups, n, c), cfg.eps),
    }
}

fn configs() -> Vec<NormConfig> {
    vec![
        NormConfig::new(NormKind::Batch),
        NormConfig::new(NormKind::Instance),
        NormConfig::new(NormKind::Layer),
        NormConfig::new(NormKind::Group).with_groups(2),
        NormConfig::new(NormKind::BatchInstance).with_rho(0.3),
    ]
}

fn assert_close(x: &Array4<f32>, g: &Array4<f32>, cfg: &NormConfig, what: &str) {
    let dx = normalization_backward(x.view(), g.view(), cfg).unwrap();
    let reference = reference_for(x, g, cfg);
    let ours: Vec<f64> = dx.iter().map(|&v| v as f64).collect();
    let refs: Vec<f64> = reference.iter().copied().collect();
    let (err, scale) = rel_err(&ours, &refs);
    assert!(
        scale > 0.0,
        "{what}, {}: the reference gradient is zero",
        cfg.kind
    );
    assert!(
        err < 1e-4,
        "{what}, {}: off by {err:e} of the largest gradient {scale:e}",
        cfg.kind
    );
}

#[test]
fn the_reference_itself_matches_finite_differences() {
    let (n, c, h, w) = (2, 4, 3, 3);
    let x = Array4::from_shape_vec((n, c, h, w), normals(n * c * h * w, 30))
        .unwrap()
        .mapv(|v| v as f64);
    let g = Array4::from_shape_vec((n, c, h, w), normals(n * c * h * w, 31))
        .unwrap()
        .mapv(|v| v as f64);
    for kind in [
        NormKind::Batch,
        NormKind::Instance,
        NormKind::Layer,
        NormKind::Group,
    ] {
        let sets = set_map(kind, 2, n, c);
        let forward = |x: &Array4<f64>| -> f64 {
            let k = sets.iter().max().unwrap() + 1;
            let (mut sum, mut cnt, mut var) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
            for ((s, ch, _, _), &v) in x.indexed_iter() {
                sum[sets[s * c + ch]] += v;
                cnt[sets[s * c + ch]] += 1.0;
            }
            let mu: Vec<f64> = sum.iter().zip(&cnt).map(|(s, c)| s / c).collect();
            for ((s, ch, _, _), &v) in x.indexed_iter() {
                let id = sets[s * c + ch];
                var[id] += (v - mu[id]).powi(2) / cnt[id];
            }
            x.indexed_iter()
                .map(|((s, ch, i, j), &v)| {
                    let id = sets[s * c + ch];
                    g[(s, ch, i, j)] * (v - mu[id]) / (var[id] + 1e-5).sqrt()
                })
                .sum()
        };
        let ana = reference_backward(&x, &g, &sets, 1e-5);
        let hstep = 1e-6;
        let mut worst = 0.0f64;
        for idx in [(0, 0, 0, 0), (1, 3, 2, 1), (0, 2, 1, 2), (1, 1, 0, 0)] {
            let mut xp = x.clone();
            xp[idx] += hstep;
            let lp = forward(&xp);
            xp[idx] -= 2.0 * hstep;
            let lm = forward(&xp);
            worst = worst.max(((lp - lm) / (2.0 * hstep) - ana[idx]).abs());
        }
        assert!(worst < 1e-6, "{kind}: reference off by {worst:e}");
    }
}

#[test]
fn normalization_backward_on_hostile_inputs_is_within_1e_4_of_the_float64_reference() {
    let (n, c, h, w) = (3, 4, 6, 5);
    let len = n * c * h * w;
    let g = Array4::from_shape_vec((n, c, h, w), normals(len, 40)).unwrap();
    // Ordinary values, as a baseline.
    let plain = Array4::from_shape_vec((n, c, h, w), normals(len, 41)).unwrap();
    // Offset 1e4 with spread 1e-2: the low-contrast case.
    let offset = plain.mapv(|v| 1e4 + 1e-2 * v);
    // Two constant planes (one per image), the rest ordinary.
    let mut constant = plain.clone();
    constant.slice_mut(ndarray::s![0, 1, .., ..]).fill(0.25);
    constant.slice_mut(ndarray::s![2, 3, .., ..]).fill(-3.0);
    for cfg in configs() {
        assert_close(&plain, &g, &cfg, "plain");
        assert_close(&offset, &g, &cfg, "offset 1e4, spread 1e-2");
        assert_close(&constant, &g, &cfg, "constant planes");
    }
    // A batch of one: batch norm reduces over one image's planes only.
    let one = offset.slice(ndarray::s![0..1, .., .., ..]).to_owned();
    let g1 = g.slice(ndarray::s![0..1, .., .., ..]).to_owned();
    for cfg in configs() {
        assert_close(&one, &g1, &cfg, "batch of one");
    }
}

#[test]
fn normalization_backward_refuses_bad_input() {
    let x = Array4::<f32>::zeros((2, 4, 3, 3));
    let g = Array4::<f32>::zeros((2, 4, 3, 2));
    let e =
        normalization_backward(x.view(), g.view(), &NormConfig::new(NormKind::Batch)).unwrap_err();
    assert!(e.to_string().contains("same shape"), "{e}");
    let mut bad = x.clone();
    bad[(1, 1, 1, 1)] = f32::NAN;
    let e = normalization_backward(bad.view(), x.view(), &NormConfig::new(NormKind::Batch))
        .unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");
    let e = normalization_backward(
        x.view(),
        x.view(),
        &NormConfig::new(NormKind::Group).with_groups(3),
    )
    .unwrap_err();
    assert!(e.to_string().contains("divide"), "{e}");
    let e = normalization_backward(
        x.view(),
        x.view(),
        &NormConfig::new(NormKind::BatchInstance),
    )
    .unwrap_err();
    assert!(e.to_string().contains("ρ"), "{e}");
}
