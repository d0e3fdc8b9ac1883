//! normscope's build, serve and test commands, run as `cargo xtask <task>`
//! (the alias lives in `.cargo/config.toml`). Four small crates beside std
//! (base64, flate2, serde_json, toml), so it compiles in seconds on a fresh
//! clone and needs nothing installed first.
//!
//! ```text
//! cargo xtask build                      wasm -> pkg/ (installs what is missing)
//! cargo xtask serve [--port N] [--no-build]
//!                                        build, then serve www/ and pkg/ on 127.0.0.1
//! cargo xtask test                       everything CI checks, in order
//! cargo xtask dist                       build, then dist/normscope.html (one
//!                                        offline file) and dist/site/ (static host)
//! cargo xtask pybundle                  build, then the notebook widget's front end
//!                                        (python/normscope/_static/; pip runs it)
//! cargo xtask python                     the Python step of `test` alone: venv in
//!                                        target/pyvenv, the wheel installed, pytest
//! cargo xtask wheel                      target/wheels/: an abi3 wheel (no Rust needed
//!                                        to install it) and an sdist
//! cargo xtask pack                       build, then target/npm/normscope-VERSION.tgz
//!                                        (the npm package: elements, JS API, types)
//! cargo xtask bench [--quick] [--no-build] [--shape 8x3x512x512]
//!                                        normscope vs in-browser peers (prints a
//!                                        table, writes bench/results.json)
//! cargo xtask bench --train [--quick] [--no-build]
//!                                        training speed: native, wasm, onnxruntime-web
//!                                        training, Burn (wasm32), TensorFlow.js,
//!                                        ConvNetJS (writes bench/train-results.json)
//! ```

mod bench;
mod bundle;
mod dist;
mod pack;
mod pkgbuild;
mod pybundle;
mod pytests;
mod pyvenv;
mod serve;
mod testing;
mod tools;
mod util;
mod wheel;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  build                       compile to wasm and write pkg/ (an npm package)
  serve [--port N] [--no-build]
                              build, then serve the page on http://127.0.0.1:8080/
  test                        run every check CI runs (format, lint, tests,
                              browser tests, build, page tests)
  dist                        build, then write dist/normscope.html (one file that
                              works offline from file://) and dist/site/ (www + pkg)
  pybundle                    build, then write the notebook widget's front end
                              into python/normscope/_static/ (`pip install
                              ./python` runs this)
  python                      the Python step of `test` alone: a venv in
                              target/pyvenv, the wheel installed, lint, pytest
                              (NumPy API, widget, JupyterLab and marimo in Chromium)
  wheel                       build target/wheels/normscope-VERSION-cp39-abi3-*.whl
                              (installs without Rust, works offline) and the sdist
  pack                        build, then target/npm/normscope-VERSION.tgz with
                              `npm pack`: <norm-scope>, <norm-lab>, the JS API,
                              TypeScript types; prints its packed and unpacked size
  bench [--quick] [--no-build] [--shape NxCxHxW ...]
                              benchmark normalize() and the page against
                              in-browser peers in headless Chromium; prints
                              a table, writes bench/results.json (never run
                              by `test`); --shape times only that shape
  bench --train [--quick] [--no-build]
                              training steps/s of the lab's default network:
                              native CLI, wasm in headless Chromium,
                              onnxruntime-web training, Burn (wasm32), TensorFlow.js
                              and ConvNetJS in one run; matrix-multiply GFLOP/s;
                              the lab's race of six networks in two workers;
                              writes bench/train-results.json (never run by `test`)
  help                        show this text
";

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
enum Task {
    Build,
    Serve {
        port: u16,
        build: bool,
    },
    Test,
    Dist,
    PyBundle,
    Python,
    Wheel,
    Pack,
    Bench {
        quick: bool,
        build: bool,
        train: bool,
        shapes: Vec<String>,
    },
    Help,
}

/// `N×C×H×W` written as four positive whole numbers joined by `x`.
fn is_shape(s: &str) -> bool {
    let parts: Vec<&str> = s.split('x').collect();
    parts.len() == 4 && parts.iter().all(|p| p.parse::<u32>().is_ok_and(|n| n > 0))
}

/// Parse the arguments after `cargo xtask`.
fn parse(args: &[String]) -> Result<Task, String> {
    let Some((task, rest)) = args.split_first() else {
        return Ok(Task::Help);
    };
    let no_extra = |task: Task| {
        if rest.is_empty() {
            Ok(task)
        } else {
            Err(format!(
                "`{}` takes no options, got `{}`",
                args[0],
                rest.join(" ")
            ))
        }
    };
    match task.as_str() {
        "build" => no_extra(Task::Build),
        "test" => no_extra(Task::Test),
        "dist" => no_extra(Task::Dist),
        "pybundle" => no_extra(Task::PyBundle),
        "python" => no_extra(Task::Python),
        "wheel" => no_extra(Task::Wheel),
        "pack" => no_extra(Task::Pack),
        "help" | "--help" | "-h" => Ok(Task::Help),
        "bench" => {
            let (mut quick, mut build, mut train, mut shapes) = (false, true, false, Vec::new());
            let mut options = rest.iter();
            while let Some(option) = options.next() {
                match option.as_str() {
                    "--quick" => quick = true,
                    "--no-build" => build = false,
                    "--train" => train = true,
                    "--shape" => {
                        let shape = options
                            .next()
                            .filter(|s| is_shape(s))
                            .ok_or("--shape needs N×C×H×W written like 8x3x512x512")?;
                        shapes.push(shape.clone());
                    }
                    other => return Err(format!("`bench` does not know the option `{other}`")),
                }
            }
            if train && !shapes.is_empty() {
                return Err("--shape is for the normalize benchmark, not --train".into());
            }
            Ok(Task::Bench {
                quick,
                build,
                train,
                shapes,
            })
        }
        "serve" => {
            let mut port = serve::DEFAULT_PORT;
            let mut build = true;
            let mut options = rest.iter();
            while let Some(option) = options.next() {
                match option.as_str() {
                    "--no-build" => build = false,
                    "--port" => {
                        let value = options
                            .next()
                            .ok_or("--port needs a number, like --port 8081")?;
                        port = value.parse().map_err(|_| {
                            format!("--port {value} is not a port number: use 1 to 65535")
                        })?;
                    }
                    other => return Err(format!("`serve` does not know the option `{other}`")),
                }
            }
            Ok(Task::Serve { port, build })
        }
        other => Err(format!("unknown task `{other}`")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match parse(&args) {
        Ok(task) => task,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match task {
        Task::Help => {
            print!("{USAGE}");
            Ok(())
        }
        Task::Build => pkgbuild::build(),
        Task::Test => testing::test(),
        Task::Dist => dist::dist(),
        Task::PyBundle => pybundle::pybundle(),
        Task::Python => pytests::python_tests(),
        Task::Wheel => wheel::wheel(),
        Task::Pack => pack::pack(),
        Task::Bench {
            quick,
            build,
            train,
            shapes,
        } => bench::bench(quick, build, train, &shapes),
        Task::Serve { port, build } => serve_task(port, build),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve_task(port: u16, build: bool) -> util::Result<()> {
    if build {
        pkgbuild::build()?;
    } else if !pkgbuild::pkg_dir().join("normscope.js").is_file() {
        return Err(
            "pkg/ has not been built yet: run `cargo xtask build`, or serve \
                    without --no-build"
                .to_string(),
        );
    }
    let site = serve::Site {
        www: util::root().join("www"),
        pkg: pkgbuild::pkg_dir(),
        log: true,
        extra: vec![("tasks", util::tasks_dir())],
        isolated: false,
    };
    serve::serve(site, port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn serve_takes_a_port_and_can_skip_the_build() {
        assert_eq!(
            parse(&args("serve")),
            Ok(Task::Serve {
                port: 8080,
                build: true
            })
        );
        assert_eq!(
            parse(&args("serve --no-build --port 8181")),
            Ok(Task::Serve {
                port: 8181,
                build: false
            })
        );
    }

    #[test]
    fn bad_arguments_are_refused_with_a_reason() {
        for bad in [
            "serve --port",
            "serve --port 70000",
            "serve --verbose",
            "test now",
            "deploy",
            "bench --fast",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
        assert_eq!(parse(&args("")), Ok(Task::Help));
        assert_eq!(parse(&args("dist")), Ok(Task::Dist));
        assert!(parse(&args("dist --fast")).is_err());
        assert_eq!(parse(&args("pybundle")), Ok(Task::PyBundle));
        assert_eq!(parse(&args("python")), Ok(Task::Python));
        assert_eq!(parse(&args("wheel")), Ok(Task::Wheel));
        assert!(parse(&args("wheel --sdist-only")).is_err());
        assert_eq!(parse(&args("pack")), Ok(Task::Pack));
        assert!(parse(&args("pack --dry-run")).is_err());
        assert_eq!(
            parse(&args("bench --quick")),
            Ok(Task::Bench {
                quick: true,
                build: true,
                train: false,
                shapes: vec![]
            })
        );
        assert_eq!(
            parse(&args("bench --no-build --shape 8x3x512x512")),
            Ok(Task::Bench {
                quick: false,
                build: false,
                train: false,
                shapes: vec!["8x3x512x512".into()]
            })
        );
        assert_eq!(
            parse(&args("bench --train --quick")),
            Ok(Task::Bench {
                quick: true,
                build: true,
                train: true,
                shapes: vec![]
            })
        );
        assert!(parse(&args("bench --train --shape 8x3x512x512")).is_err());
        assert!(parse(&args("bench --shape 8x3x512")).is_err());
        assert!(parse(&args("bench --shape")).is_err());
    }
}
