//! `normscope lab --vocabulary`: print the lab's shared vocabulary.
//!
//! ```text
//! normscope lab --vocabulary > www/lab/vocabulary.json
//! ```

use std::io::Write;

use clap::Args;

use normscope::lab::vocabulary::vocabulary_json;
use normscope::{Error, Result};

#[derive(Args)]
pub struct LabArgs {
    /// Print the lab's vocabulary (www/lab/vocabulary.json) on stdout.
    #[arg(long, required = true)]
    vocabulary: bool,
}

pub fn run(args: &LabArgs) -> Result<()> {
    debug_assert!(args.vocabulary);
    let mut out = std::io::stdout().lock();
    out.write_all(vocabulary_json()?.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::BadInput(format!("cannot write the vocabulary ({e})")))
}
