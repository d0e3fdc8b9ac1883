//! Criterion benchmarks of the native core: `normalize_into` for every kind
//! on the shapes `cargo xtask bench` times in the browser, next to one plain
//! copy of the same data (the memory floor). Run with `cargo bench --bench norm`;
//! figures only, nothing passes or fails.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::{Array4, Axis};
use normscope::display::{write_difference_rgba, write_rgba, DisplayRange};
use normscope::norm::{normalize_into, NormConfig, NormKind};
use normscope::stats::moments_of_planes;
use std::hint::black_box;

/// Photo-like values: a per-plane offset and contrast, deterministic.
fn data(dim: (usize, usize, usize, usize)) -> Array4<f32> {
    let mut rng = fastrand::Rng::with_seed(7);
    Array4::from_shape_fn(dim, |(n, c, _, _)| {
        let p = n * dim.1 + c;
        (0.1 + 0.1 * (p % 7) as f32) + (0.2 + 0.05 * (p % 5) as f32) * rng.f32()
    })
}

fn shapes() -> Vec<(usize, usize, usize, usize)> {
    let mut s = vec![(8, 3, 256, 256), (8, 3, 512, 512)];
    // The 12-megapixel case takes a while per sample; opt in.
    if std::env::var_os("NORMSCOPE_BENCH_BIG").is_some() {
        s.push((1, 3, 3000, 4000));
    }
    s
}

fn bench_normalize(c: &mut Criterion) {
    for dim in shapes() {
        let x = data(dim);
        let mut out = Array4::<f32>::zeros(dim);
        let name = format!("{}x{}x{}x{}", dim.0, dim.1, dim.2, dim.3);
        let mut group = c.benchmark_group(format!("normalize/{name}"));
        group.sample_size(20);
        group.throughput(Throughput::Bytes((x.len() * 4) as u64));
        group.bench_function("copy", |b| {
            b.iter(|| out.assign(black_box(&x)));
        });
        for kind in [
            NormKind::Batch,
            NormKind::Instance,
            NormKind::Layer,
            NormKind::Group,
        ] {
            let cfg = NormConfig::new(kind).with_groups(3);
            group.bench_with_input(BenchmarkId::from_parameter(kind), &cfg, |b, cfg| {
                b.iter(|| normalize_into(black_box(x.view()), cfg, out.view_mut()));
            });
        }
        group.finish();
    }
}

fn bench_moments(c: &mut Criterion) {
    let x = data((8, 3, 512, 512));
    let (n_img, ch, _, _) = x.dim();
    let planes: Vec<_> = (0..n_img * ch)
        .map(|p| x.slice(ndarray::s![p / ch, p % ch, .., ..]))
        .collect();
    let mut group = c.benchmark_group("moments");
    group.throughput(Throughput::Bytes((x.len() * 4) as u64));
    group.bench_function("planes 8x3x512x512", |b| {
        b.iter(|| {
            planes
                .iter()
                .map(|p| moments_of_planes(std::slice::from_ref(p)).var)
                .sum::<f64>()
        });
    });
    group.finish();
}

fn bench_display(c: &mut Criterion) {
    let x = data((2, 3, 512, 512));
    let (a, b) = (x.index_axis(Axis(0), 0), x.index_axis(Axis(0), 1));
    let mut rgba = vec![0u8; 4 * 512 * 512];
    let mut group = c.benchmark_group("display 3x512x512");
    group.bench_function("write_rgba", |bench| {
        bench.iter(|| write_rgba(black_box(a), DisplayRange::NORMALIZED, &mut rgba));
    });
    group.bench_function("write_difference_rgba", |bench| {
        bench.iter(|| write_difference_rgba(black_box(a), b, 0.1, &mut rgba));
    });
    group.finish();
}

criterion_group!(benches, bench_normalize, bench_moments, bench_display);
criterion_main!(benches);
