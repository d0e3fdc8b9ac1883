//! The lab's sentences from real lab files: the recorded runs the page
//! loads, and the fuller format `normscope lab` writes (extra fields are
//! read past, not refused).

use normscope::lab::findings::{conclusions, LabFile, Settings, EXPERIMENTS};

fn recorded(name: &str) -> LabFile {
    let path = format!("{}/www/lab/recorded/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not a lab file: {e}"))
}

/// Every recorded file gives its panel sentences, and each result sentence says how many seeds.
#[test]
fn every_recorded_file_gives_sentences_that_state_n() {
    let files = [
        ("race", "race-what.json"),
        ("race", "race-day-night.json"),
        ("lighting", "race-what.json"),
        ("both", "race-what.json"),
        ("both", "both.json"),
        ("lr", "lr.json"),
        ("batch", "batch.json"),
        ("batch-steps", "batch-steps.json"),
        ("sweep", "sweep.json"),
        ("pooled", "pooled.json"),
        ("evalmode", "evalmode.json"),
        ("neighbours", "neighbours.json"),
    ];
    for (experiment, name) in files {
        let file = recorded(name);
        // The seeds the panel's sentences rest on: the file's (the page's
        // recordings: 1..=5), or for pooled the seeds that kept their probes
        // (`normscope lab pooled --probe-seeds 1`).
        let mut seeds: Vec<u64> = file
            .runs
            .iter()
            .filter(|r| {
                experiment != "pooled"
                    || r.probes.as_ref().is_some_and(|p| p.after.pooled.is_some())
            })
            .map(|r| r.record.config.seed)
            .collect();
        seeds.sort_unstable();
        seeds.dedup();
        let n = seeds.len();
        let sentences = conclusions(experiment, &file, &Settings::default())
            .unwrap_or_else(|e| panic!("{experiment} on {name}: {e}"));
        assert!(
            !sentences.is_empty(),
            "{experiment} on {name}: no sentences"
        );
        let text = sentences.join(" ");
        let states_n = if n == 1 {
            text.contains("1 seed") || text.contains("one seed")
        } else {
            text.contains(&format!("{n} seeds")) || text.contains(&format!("of {n}"))
        };
        assert!(
            states_n,
            "{experiment} on {name} ({n} seeds) does not say how many seeds: {text}"
        );
    }
}

/// `normscope lab`'s format: kind, seed, summary and other fields beside the record.
#[test]
fn a_lab_file_with_more_fields_reads() {
    let run = |kind: &str, seed: u64, acc: f64| {
        format!(
            r#"{{"kind":"{kind}","seed":{seed},"command":"normscope train --norm {kind} --seed {seed} --out RUN.json","seconds":2.9,
            "record":{{"config":{{"task":"what","norm":"{kind}","groups":4,"steps":200,"batch":32,"lr":0.02,"momentum":0.9,
            "weight_decay":0.0005,"seed":{seed},"widths":[8,16,32],"eval_every":25,"bn_momentum":0.1,"eps":0.00001}},
            "classes":[],"loss":[1.0],"test_accuracy":{acc},"test_curve":[],"shift":[],"rho":[],"running":[],"diverged":null}},
            "lighting":{{"contrast":[],"brightness":[],"gamma":[]}}}}"#
        )
    };
    let runs: Vec<String> = (1..=5)
        .flat_map(|s| {
            [
                run("batch", s, 0.95 + 0.005 * s as f64),
                run("instance", s, 0.5 + 0.01 * s as f64),
            ]
        })
        .collect();
    let text = format!(
        r#"{{"made_by":"normscope lab race --task what --seeds 5 --steps 200","experiment":"race","task":"what","steps":200,
        "seeds":[1,2,3,4,5],"runs":[{}],"summary":[{{"kind":"batch","n":5,"mean":0.96,"sd":0.01,"min":0.95,"max":0.97}}]}}"#,
        runs.join(",")
    );
    let file: LabFile = serde_json::from_str(&text).expect("a lab file");
    let sentences = conclusions("race", &file, &Settings::default()).expect("race");
    let all = sentences.join(" ");
    assert!(all.contains("5 seeds"), "{all}");
    assert!(
        all.contains(
            "Batch norm did best: ahead of the runner-up, instance norm, in 5 of 5 seeds."
        ),
        "{all}"
    );
    assert!(all.contains("as the literature reports"), "{all}");
}

#[test]
fn every_experiment_name_is_known() {
    for experiment in EXPERIMENTS {
        assert!(conclusions(experiment, &LabFile::default(), &Settings::default()).is_ok());
    }
    let err = conclusions("noisy", &LabFile::default(), &Settings::default()).expect_err("unknown");
    assert!(
        err.to_string().contains("unknown experiment \"noisy\""),
        "{err}"
    );
}
