#!/usr/bin/env bash
# The Docker API, end to end: the same docker CLI commands against our daemon and against Debian's dockerd (its own
# data root and socket, --bridge=none --iptables=false), alternating runs, medians and ratios (ours / docker):
#   run --rm --network none busybox true      wall time of one command
#   20 x run -d at once                        wall time until all 20 commands returned
#   ps with 50 running                         wall time of `docker ps`
#   logs of 100 MB                             wall time of `docker logs` of a container that wrote 100 MB
#   daemon RSS with 50 running                 ours: webengine; docker: dockerd + containerd (shims excluded on both sides)
#   usage: sudo bench/api.sh [RUNS] [rss]      (default 5; `rss` measures only the daemon RSS with 50 running)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
only=${2:-}
. bench/lib.sh
bench_require /usr/local/bin/docker /usr/sbin/dockerd /usr/bin/containerd

work=$(mktemp -d /tmp/bench-api.XXXXXX)
state=$(mktemp -d /tmp/wba.XXXX)
export DOCKER_CONFIG=$work/docker-config
ours() { DOCKER_HOST=unix://$work/ours.sock docker "$@"; }
theirs() { DOCKER_HOST=unix://$work/docker.sock docker "$@"; }
docker_pid=
cleanup() {
  bench_stop_daemon "$work/ours.sock"
  ids=$(theirs ps -aq 2>/dev/null || true)
  [ -n "$ids" ] && theirs rm -f $ids >/dev/null 2>&1 || true
  [ -n "$docker_pid" ] && { kill "$docker_pid" 2>/dev/null; wait "$docker_pid" 2>/dev/null || true; }
  umount -R "$work/docker" 2>/dev/null || true
  rm -rf "$work" "$state"
}
trap cleanup EXIT

bench_start_daemon "$work/ours.sock" "$work/data" "$state" "$work/ours.log" "--Logging:LogLevel:Default=Warning"
ours_pid=$daemon_pid
mkdir -p "$work/docker" "$work/docker-exec"
dockerd --data-root "$work/docker" --exec-root "$work/docker-exec" -H "unix://$work/docker.sock" --pidfile "$work/docker.pid" \
  --bridge none --iptables=false --ip6tables=false --log-level error > "$work/dockerd.log" 2>&1 &
docker_pid=$!
for _ in $(seq 600); do ours version >/dev/null 2>&1 && theirs version >/dev/null 2>&1 && break; sleep 0.1; done
ours load -q -i "$image" >/dev/null
theirs load -q -i "$image" >/dev/null

results=$work/results
ms() { local s; s=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - s) / 1000000 )); }
parallel_run() { local cli=$1 pids=(); for i in $(seq 20); do $cli run -d --network none --name "p$i" busybox sleep 3600 >/dev/null & pids+=($!); done; wait "${pids[@]}"; }
rss_kib() { local total=0; for p in "$@"; do total=$((total + $(ps -o rss= -p "$p"))); done; echo $total; }
docker_rss() { rss_kib "$docker_pid" $(pgrep -x containerd -P "$docker_pid" || pgrep -f "containerd --config $work/docker-exec" || true); }
logs_writer() { $1 run -d --network none --name logs busybox sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 | head -c 104857600' >/dev/null; $1 wait logs >/dev/null; }

[ "$only" = rss ] && runs=0
[ "$only" = rss ] || for who in ours theirs; do logs_writer $who; done
for i in $(seq "$runs"); do
  for who in ours theirs; do
    echo "$who run_rm_ms $(ms $who run --rm --network none busybox true)" >> "$results"
    echo "$who run_d20_ms $(ms parallel_run $who)" >> "$results"
    $who rm -f $($who ps -aq --filter name=p) >/dev/null
    echo "$who logs100mb_ms $(ms $who logs logs)" >> "$results"
  done
done
for who in ours theirs; do
  for i in $(seq 50); do $who run -d --network none --name "s$i" busybox sleep 3600 >/dev/null; done
done
sleep 3
echo "ours rss_kib $(rss_kib "$ours_pid")" >> "$results"
echo "theirs rss_kib $(docker_rss)" >> "$results"
for i in $(seq "$runs"); do
  for who in ours theirs; do echo "$who ps50_ms $(ms $who ps)" >> "$results"; done
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(who, what):
    values = [float(r[2]) for r in rows if r[0] == who and r[1] == what]
    return statistics.median(values) if values else float("nan")
print(f"{'':22} {'ours':>10} {'docker':>10} {'ratio':>7}")
for what, label in [("run_rm_ms", "run --rm (ms)"), ("run_d20_ms", "20 x run -d (ms)"), ("ps50_ms", "ps, 50 running (ms)"),
                    ("logs100mb_ms", "logs 100 MB (ms)"), ("rss_kib", "daemon RSS (KiB)")]:
    o, d = median("ours", what), median("theirs", what)
    print(f"{label:22} {o:10.0f} {d:10.0f} {o / d:7.2f}")
PY
