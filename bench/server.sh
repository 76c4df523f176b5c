#!/usr/bin/env bash
# Server benchmark (docs/benchmarks.md): throughput and latency of warm scans —
# `POST /api/v1/scans?wait=true` for an image already scanned with the current DB
# (answered from history: the manifest is resolved at the registry, nothing is
# pulled or indexed) — with wrk on loopback, against a real docker-registry.
# Baseline in the same run: `GET /healthz` (the HTTP stack alone), and the cold scan.
# Needs: wrk, docker-registry, skopeo (apt), the test images (scripts/test-images).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-8}
scripts/test-images debian-bookworm >/dev/null
command -v wrk >/dev/null || { echo "bench/server.sh: install wrk (apt install wrk)" >&2; exit 1; }
cargo build --release --locked -p strata </dev/null >/dev/null 2>&1
strata=$PWD/target/release/strata
tmp=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

reg_port=$(free_port)
cat >"$tmp/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $tmp/registry}}
http: {addr: 127.0.0.1:$reg_port}
YML
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$reg_port) 2>/dev/null && break; sleep 0.1; done
images=${STRATA_TEST_IMAGES:-$HOME/.cache/strata-test/images}
skopeo copy --quiet --dest-tls-verify=false "oci:$images/oci/debian-bookworm:latest" \
  "docker://127.0.0.1:$reg_port/debian:12"

data=$tmp/data
"$strata" --cache-dir "$data" db import data/strata-db.bundle >/dev/null 2>&1
token=$("$strata" server token create --name bench --role ci --data-dir "$data" 2>/dev/null)
port=$(free_port)
"$strata" server --data-dir "$data" --listen "127.0.0.1:$port" --update-interval 0 \
  --log-level warn 2>"$tmp/server.log" & pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

body="{\"image\": \"127.0.0.1:$reg_port/debian:12\"}"
cold=$( { /usr/bin/time -f %e curl -sf -o "$tmp/cold.json" -X POST -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/v1/scans?wait=true" -d "$body"; } 2>&1 )
bytes=$(curl -sf -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/scans?wait=true" -d "$body" | wc -c)
cat >"$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
LUA
summary() { # wrk output → "N req/s, p50 X, p99 Y"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF}
       END {printf "%s req/s, p50 %s, p99 %s%s\n", rps, p50, p99, (bad ? ", non-2xx " bad : "")}'
}
health=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/healthz" | summary)
warm=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$tmp/post.lua" \
  "http://127.0.0.1:$port/api/v1/scans?wait=true" | summary)
echo "cold scan (pull, index, match), debian-bookworm: ${cold} s"
echo "baseline GET /healthz, $CONNECTIONS connections: $health"
echo "warm scan POST /api/v1/scans?wait=true ($bytes-byte answer), $CONNECTIONS connections: $warm"
python3 - "$health" "$warm" <<'PY'
import sys
rate = lambda line: float(line.split()[0])
print(f"warm scans run at {rate(sys.argv[2]) / rate(sys.argv[1]):.3f}x the /healthz rate")
PY
