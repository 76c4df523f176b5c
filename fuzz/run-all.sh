#!/usr/bin/env bash
# Runs every fuzz target for RUNS executions (default 1,000,000), seeded with the
# version vectors, and prints one line per target with its execution count.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets it use the sanitizer flags.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
RUNS=${RUNS:-1000000}
export RUSTC_BOOTSTRAP=1
vectors=../crates/strata-version/tests/data/vectors
targets=${*:-$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v strata-fuzz)}
for target in $targets; do
  corpus=corpus/$target
  mkdir -p "$corpus"
  # Seeds: every vector of the target's scheme as `A\0B` (ranges as `V\0RANGE`).
  for file in "$vectors/$target.txt" "$vectors/$target-ranges.txt"; do
    [[ -f $file ]] || continue
    grep -v '^#' "$file" | awk 'NF {v=$1; $1=""; $2=""; sub(/^ +/, ""); printf "%s\0%s\n", v, $0}' |
      split -l 1 - "$corpus/seed-$(basename "$file" .txt)-"
  done
  log=$(mktemp)
  cargo fuzz run "$target" "$corpus" -- -runs="$RUNS" -max_len=256 >"$log" 2>&1 || { tail -40 "$log"; exit 1; }
  echo "$target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log")"
  rm -f "$log"
done
