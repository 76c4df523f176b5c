#!/usr/bin/env bash
# Vulnerability-database benchmarks (docs/benchmarks.md): build time and size from all
# the shared feed samples, a no-change (all 304) update, `db import` of the bundled
# snapshot, and lookup latency. Uses a release build; prints one line per measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p strata </dev/null >/dev/null 2>&1
strata=target/release/strata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/feed-mirror "$tmp/mirror" >/dev/null
sources=osv:PyPI,osv:npm,osv:Go,osv:crates.io,osv:Maven,osv:Debian,osv:Ubuntu,osv:Alpine,osv:AlmaLinux,osv:Rocky,osv:Chainguard,osv:Bitnami,debian,alpine,wolfi,chainguard,nvd,epss,kev
python3 - "$strata" "$tmp" "$sources" <<'PY'
import os, subprocess, sys, time, statistics, shutil
strata, tmp, sources = sys.argv[1:]
def run(args, cache):
    t = time.perf_counter()
    subprocess.run([strata, "--cache-dir", cache] + args, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - t
mirror = f"file://{tmp}/mirror"
builds, noops, imports = [], [], []
for i in range(3):
    cache = f"{tmp}/cache{i}"
    builds.append(run(["db", "update", "--mirror", mirror, "--db-sources", sources], cache))
    noops.append(run(["db", "update", "--mirror", mirror, "--db-sources", sources], cache))
db = f"{tmp}/cache0/db/vuln.db"
for i in range(5):
    cache = f"{tmp}/import{i}"
    imports.append(run(["db", "import", "data/strata-db.bundle"], cache))
med = statistics.median
print(f"build from all shared feeds: median {med(builds):.2f} s (runs: {', '.join(f'{b:.2f}' for b in builds)})")
print(f"update with nothing changed (all 304/unchanged): median {med(noops):.2f} s")
print(f"database size: {os.path.getsize(db)/1e6:.1f} MB; bundle (zstd -19): {os.path.getsize('data/strata-db.bundle')/1e6:.2f} MB")
print(f"db import of the bundle: median {med(imports):.2f} s (runs: {', '.join(f'{x:.2f}' for x in imports)})")
# The raw feeds, zstd-compressed (the issue's yardstick): every file of the mirror, decompressed.
raw = f"{tmp}/raw"
os.makedirs(raw)
import zipfile, gzip
for root, _, files in os.walk(f"{tmp}/mirror"):
    for name in files:
        path = os.path.join(root, name)
        out = os.path.join(raw, os.path.relpath(path, f"{tmp}/mirror").replace("/", "_"))
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                z.extractall(out)
        elif name.endswith(".gz"):
            open(out, "wb").write(gzip.decompress(open(path, "rb").read()))
        else:
            shutil.copy(path, out)
tar = subprocess.run(["tar", "-C", raw, "-cf", "-", "."], check=True, capture_output=True).stdout
import shutil as sh
zst = subprocess.run(["zstd", "-19", "-q", "-c"], input=tar, check=True, capture_output=True).stdout if sh.which("zstd") else None
if zst:
    print(f"raw feeds: {len(tar)/1e6:.1f} MB, zstd -19: {len(zst)/1e6:.2f} MB; database / zstd(raw) = {os.path.getsize(db)/len(zst):.1f}x, bundle / zstd(raw) = {os.path.getsize('data/strata-db.bundle')/len(zst):.2f}x")
print(f"DB={db}")
open(f"{tmp}/db-path", "w").write(db)
PY
STRATA_BENCH_DB=$(cat "$tmp/db-path") cargo bench --locked -p strata-vulndb --bench lookup </dev/null 2>/dev/null | grep lookups
