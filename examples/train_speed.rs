//! Native training speed for `cargo xtask bench --train`: the same timing
//! as the browser page (bench/train.js) — one untimed step, then steps until
//! at least `min_seconds` have passed — on the same engine and config.
//!
//! ```text
//! cargo run --release --example train_speed -- '{"norm":"batch","widths":[8,16,32]}' [MIN_SECONDS]
//! ```
//!
//! The argument is a JSON object of `TrainConfig` fields (missing ones take
//! the lab's defaults). Test evaluations are switched off (`eval_every`
//! past the last step) so only training steps are timed. Prints one JSON
//! line: `{"steps", "seconds", "stepsPerSecond", "warmMs", "firstLoss", "lastLoss"}`.

use std::process::ExitCode;

/// Native only: the bundled task photos and the wall clock.
#[cfg(not(target_arch = "wasm32"))]
mod timing {
    use std::time::Instant;

    use normscope::nn::data::bundled_photos;
    use normscope::nn::train::MAX_STEPS;
    use normscope::nn::{Dataset, TrainConfig, Trainer};

    pub fn run(json: &str, min_seconds: f64) -> Result<String, String> {
        let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
            .map_err(|e| format!("the config is not a JSON object: {e}"))?;
        let mut merged = serde_json::to_value(TrainConfig::default()).map_err(|e| e.to_string())?;
        for (k, v) in fields {
            merged[k] = v;
        }
        let mut cfg: TrainConfig =
            serde_json::from_value(merged).map_err(|e| format!("bad config: {e}"))?;
        cfg.steps = MAX_STEPS;
        cfg.eval_every = MAX_STEPS;
        let data =
            Dataset::build(cfg.task, cfg.seed, &bundled_photos()).map_err(|e| e.to_string())?;
        let mut trainer = Trainer::new(cfg, data).map_err(|e| e.to_string())?;
        let t0 = Instant::now();
        let first = trainer.step().map_err(|e| e.to_string())?.loss;
        let warm_ms = t0.elapsed().as_secs_f64() * 1e3;
        let start = Instant::now();
        let mut steps = 0u32;
        let mut last = first;
        while steps < 2 || start.elapsed().as_secs_f64() < min_seconds {
            last = trainer.step().map_err(|e| e.to_string())?.loss;
            steps += 1;
        }
        let seconds = start.elapsed().as_secs_f64();
        Ok(format!(
            "{{\"steps\":{steps},\"seconds\":{seconds},\"stepsPerSecond\":{},\"warmMs\":{warm_ms},\"firstLoss\":{first},\"lastLoss\":{last}}}",
            f64::from(steps) / seconds
        ))
    }
}

#[cfg(target_arch = "wasm32")]
fn main() -> ExitCode {
    // The browser's timing is bench/train.js.
    ExitCode::FAILURE
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.first().map_or("{}", String::as_str);
    let min_seconds = match args.get(1).map(|s| s.parse::<f64>()) {
        None => 4.0,
        Some(Ok(s)) if s.is_finite() && s >= 0.0 => s,
        Some(_) => {
            eprintln!("error: MIN_SECONDS must be a number ≥ 0");
            return ExitCode::from(2);
        }
    };
    match timing::run(json, min_seconds) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
