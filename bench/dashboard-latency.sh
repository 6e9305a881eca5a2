#!/usr/bin/env bash
# The dashboard's log latency: a container prints a line every 50 ms; how long from the engine's timestamp of a line
# to the line in the browser's logs tab (median, p90, p99). Goal: median under 100 ms.
# Run as root after ./dev.sh build, on a quiet machine:  bench/dashboard-latency.sh [SAMPLES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-300}
runs=${2:-3}
. bench/lib.sh
bench_require /usr/local/bin/docker /usr/bin/node /usr/bin/chromium
password=bench-password
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

(cd bench/dashboard-latency && [ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null)
work=$(mktemp -d /tmp/wl.XXXXXX)   # short: shim socket paths must stay under 108 bytes
export DOCKER_HOST=unix://$work/we.sock DOCKER_CONFIG=$work/docker-config
cleanup() {
  bench_stop_daemon "$work/we.sock"
  rm -rf "$work"
}
trap cleanup EXIT

bench_start_daemon "$work/we.sock" "$work/data" "$work/run" "$work/daemon.log" \
  "--WebEngine:HttpUrls:0=http://127.0.0.1:$port" "--WebEngine:InitialAdminPassword=$password"
docker load -q -i "$image" >/dev/null
id=$(docker run -d --network none --name lat busybox sh -c 'i=0; while true; do echo "tick $i"; i=$((i+1)); usleep 50000; done')

echo "dashboard log latency, $samples lines a run, $runs runs (container line stamped by the engine -> line in the DOM)"
for run in $(seq 1 "$runs"); do
  printf 'run %s: ' "$run"
  node bench/dashboard-latency/latency.mjs "http://127.0.0.1:$port" "$password" "$id" "$samples"
done
