//! The training contract through its native door: a config as JSON (what
//! Python sends, what a file holds) read by `TrainConfig::from_deserializer`.
//! tests/web_train.rs and python/tests/test_engine.py check the same
//! messages through the wasm and Python doors.
#![allow(clippy::unwrap_used)]

use normscope::nn::{NormKind, TrainConfig};

fn read(json: &str) -> Result<TrainConfig, String> {
    let value: serde_json::Value = serde_json::from_str(json).expect("test JSON");
    TrainConfig::from_deserializer(value).map_err(|e| e.to_string())
}

/// The messages every door must give for these configs, word for word.
const SAME_EVERYWHERE: [(&str, &str); 3] = [
    (
        r#"{"lr": -1}"#,
        "config: the learning rate must be a number greater than 0 (got -1)",
    ),
    (
        r#"{"lrr": 0.1}"#,
        "config.lrr: unknown field `lrr`, expected one of `task`, `norm`, `groups`, `steps`, `batch`, `lr`, `momentum`, `weight_decay`, `seed`, `widths`, `eval_every`, `bn_momentum`, `eps`",
    ),
    (
        r#"{"steps": -3}"#,
        "config.steps must be a whole number from 0 to 4294967295 (got -3)",
    ),
];

#[test]
fn a_bad_field_gets_the_message_every_door_gives() {
    for (json, want) in SAME_EVERYWHERE {
        assert_eq!(read(json).unwrap_err(), want, "{json}");
    }
}

#[test]
fn missing_fields_take_the_defaults_and_present_ones_are_read_exactly() {
    assert_eq!(read("{}").unwrap(), TrainConfig::default());
    let cfg =
        read(r#"{"norm": "group", "groups": 2, "lr": 0.05, "widths": [4, 6, 8], "seed": 7.0}"#)
            .unwrap();
    assert_eq!(cfg.norm, NormKind::Group);
    assert_eq!((cfg.groups, cfg.widths, cfg.seed), (2, [4, 6, 8], 7));
    assert_eq!(
        cfg.lr, 0.05f32,
        "an f32 field holds the value's nearest f32"
    );
}

#[test]
fn every_bad_field_is_named_with_what_is_wrong() {
    let cases = [
        (
            r#"{"task": "where"}"#,
            "config.task: unknown task \"where\"",
        ),
        (
            r#"{"norm": null}"#,
            "config.norm must be a string (got null)",
        ),
        (r#"{"steps": 2.5}"#, "config.steps must be a whole number"),
        (
            r#"{"batch": "32"}"#,
            "config.batch must be a whole number from 0 to 4294967295 (got \"32\")",
        ),
        (r#"{"lr": 1e300}"#, "config.lr is too large"),
        (
            r#"{"lr": "fast"}"#,
            "config.lr must be a finite number (got \"fast\")",
        ),
        (
            r#"{"seed": 9007199254740992}"#,
            "config.seed must be a whole number from 0 to 9007199254740991",
        ),
        (
            r#"{"widths": [8, 16]}"#,
            "config.widths must be an array of three whole numbers",
        ),
        (
            r#"{"widths": [8, 0, 32]}"#,
            "config: every width must be between 1 and",
        ),
        (r#"{"norm": "group", "groups": 3}"#, "groups must divide"),
        (
            r#"{"eval_every": 0}"#,
            "config: eval_every must be at least 1",
        ),
        (r#"{"weightDecay": 0.1}"#, "; did you mean weight_decay?"),
    ];
    for (json, needle) in cases {
        let err = read(json).unwrap_err();
        assert!(
            err.contains(needle),
            "{json}: {err:?} does not say {needle:?}"
        );
    }
}
