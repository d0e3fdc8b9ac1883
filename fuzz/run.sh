#!/bin/sh
# Fuzz normscope's untrusted-input paths for a fixed time budget per target.
#
#   fuzz/run.sh [SECONDS]        (default 60 per target)
#
# Not part of `cargo xtask test`: fuzzing finds new inputs, tests replay
# known ones. Seeds come from tests/corpus and tests/fixtures; new inputs
# collect in fuzz/corpus/<target>/ and crashes in fuzz/artifacts/<target>/
# (both git-ignored). A crash is fixed, then its file is added to
# tests/corpus with a manifest entry, so the corpus tests replay it.
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz (once)…"
    cargo install cargo-fuzz --locked
fi
# cargo-fuzz passes a few unstable -Z flags; this lets the stable
# toolchain accept them (no nightly needed on this machine).
export RUSTC_BOOTSTRAP=1

# Seeds: images for the decoder, .npy files for the parser.
mkdir -p fuzz/seeds/decode_normalize fuzz/seeds/npy
for f in tests/corpus/* tests/fixtures/*.png tests/fixtures/*.jpg; do
    case "$f" in
        *.npy) cp "$f" fuzz/seeds/npy/ ;;
        *.json|*.md|*.py) ;;
        *) cp "$f" fuzz/seeds/decode_normalize/ ;;
    esac
done

status=0
for target in decode_normalize npy; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    echo "== $target: $seconds s"
    # -rss_limit_mb: the decoder's own limits must keep memory well below this.
    if ! cargo fuzz run --sanitizer none "$target" \
        "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=1048576 -print_final_stats=1 2>"fuzz/artifacts/$target.log"; then
        status=1
        echo "!! $target found a crash: see fuzz/artifacts/$target/ and fuzz/artifacts/$target.log"
    fi
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done )" "fuzz/artifacts/$target.log" || true
    echo "   crash files: $(find "fuzz/artifacts/$target" -type f | wc -l)"
done
exit $status
