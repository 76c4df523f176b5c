#!/usr/bin/env bash
# Runs every fuzz target for RUNS executions (default 1,000,000), seeded with the
# version vectors, and prints one line per target with its execution count.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain
# RUSTC_BOOTSTRAP=1 lets it use the sanitizer flags.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
RUNS=${RUNS:-1000000}
# MAX_TIME=SECONDS bounds each target by time instead (slow targets: catalogers).
MAX_TIME=${MAX_TIME:-0}
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
  images=${STRATA_TEST_IMAGES:-$HOME/.cache/strata-test/images}
  max_len=256
  case $target in
    image_manifest)
      max_len=16384  # real manifests, indexes and configs of the test images
      find "$images"/oci/*/blobs -type f -size -16k -exec cp {} "$corpus/" \; 2>/dev/null || true ;;
    image_reference)
      printf '%s\n' debian debian:12 library/debian registry:5000/ns/app:tag \
        'app@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' '[::1]:5000/x' linux/arm64/v8 |
        split -l 1 - "$corpus/seed-" ;;
    tar_walk)  # the first 64 KiB of real uncompressed layers
      max_len=65536
      for tar in "$images"/docker/*.tar; do
        [[ -f $tar ]] && tar -xOf "$tar" "$(tar -tf "$tar" | grep -m1 '\.tar$')" 2>/dev/null | head -c 65536 >"$corpus/seed-$(basename "$tar")" || true
      done ;;
    catalog_*|os_release)  # the real package databases and metadata of the shared corpus
      max_len=65536
      shared=${STRATA_SHARED:-../../shared}/data/pkgdb
      case $target in
        catalog_dpkg) seeds=$(find "$shared/dpkg" -name 'status' -o -name '*.status' | head -5 || true) ;;
        catalog_apk) seeds=$(find "$shared/apk" -name installed) ;;
        catalog_rpm_sqlite) seeds=$(find "$shared/rpm" -name 'rpmdb.sqlite') ;;
        catalog_rpm_bdb) seeds=$(find "$shared/rpm" -name Packages) ;;
        catalog_python) seeds=$(find "$shared/lang/python" -name '*METADATA' -o -name 'PKG-INFO') ;;
        catalog_npm_lock) seeds=$(find "$shared/lang/npm" -name '*.json' -size -64k) ;;
        catalog_rust_lock) seeds=$(find "$shared/lang/cargo" -name '*Cargo.lock') ;;
        catalog_java) seeds=$(find ../crates/strata-catalog/test-data/java -name '*.jar') ;;
        catalog_gem) seeds=$(find "$shared/lang/ruby" -name '*.gemspec') ;;
        catalog_composer) seeds=$(find "$shared/lang/composer" -name installed.json) ;;
        os_release) seeds=$(find "$shared/os-release" -type f | head -40 || true) ;;
        *) seeds= ;;
      esac
      for seed in $seeds; do head -c "$max_len" "$seed" >"$corpus/seed-$(echo "$seed" | md5sum | cut -c1-12)"; done ;;
    feed_*|db_bundle_import)  # the real feed samples of the shared corpus
      max_len=262144
      feeds=${STRATA_SHARED:-../../shared}/data/feeds
      osv_json=$(find "$feeds/osv" -name '*.json' | sort | awk 'NR % 27 == 1')
      case $target in
        feed_osv_json) seeds=$osv_json ;;
        feed_osv_yaml) seeds=$(find "$feeds/osv/PyPI/yaml" -type f | sort | awk 'NR % 9 == 1') ;;
        feed_osv_zip)  # a zip of a handful of records, as osv.dev ships them
          seeds=
          python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for path in sys.argv[2:]: z.write(path, os.path.basename(path))' "$corpus/seed-all.zip" $(echo "$osv_json" | awk 'NR % 40 == 1') ;;
        feed_debian_tracker) seeds="$(find "$feeds/debian/tracker-json" -name '*.json') ../test-data/feeds/debian-tracker-minbase.json" ;;
        feed_alpine_secdb) seeds=$(find "$feeds/alpine/secdb-json-2020-converted" "$feeds/alpine/fixture-subsets" "$feeds/wolfi" "$feeds/chainguard" -name '*.json') ;;
        feed_nvd) seeds=$(find "$feeds/nvd" -name '*.json') ;;
        feed_epss) seeds=$(find "$feeds/epss" -name '*.csv') ;;
        feed_kev) seeds=$(find "$feeds/kev" -name '*.json') ;;
        db_bundle_import) seeds=seeds/kev.bundle ;;  # a real (KEV-only) `strata db export`
        *) seeds= ;;
      esac
      for seed in $seeds; do head -c "$max_len" "$seed" >"$corpus/seed-$(echo "$seed" | md5sum | cut -c1-12)"; done ;;
    policy_file)  # the built-in policies and a file using every field
      max_len=65536
      cp seeds/policy-*.yaml "$corpus/" ;;
  esac
  log=$(mktemp)
  cargo fuzz run "$target" "$corpus" -- -runs="$RUNS" -max_total_time="$MAX_TIME" -max_len="$max_len" >"$log" 2>&1 || { tail -40 "$log"; exit 1; }
  echo "$target: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log")"
  rm -f "$log"
done
