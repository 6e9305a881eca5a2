#!/usr/bin/env bash
# webengine-runtime against runc: `run` of /bin/true in a busybox bundle, and create/start/delete
# as separate calls. Alternating runs; medians of wall time, cpu time (user+sys) and peak RSS.
#   usage: sudo bench/runtime.sh [RUNS]      (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
ours=${WEBENGINE_RUNTIME:-$PWD/artifacts/publish/webengine-runtime/release/webengine-runtime}
theirs=${ANCHOR_RUNTIME:-$(command -v runc)}
for tool in /usr/bin/time /bin/busybox "$ours" "$theirs"; do
  [ -x "$tool" ] || { echo "missing $tool (apt-get install time busybox-static runc; ./dev.sh build)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/bench-runtime.XXXXXX)
# The state directories lie on tmpfs under /run, where both runtimes keep them by default (/run/runc,
# /run/webengine-runtime) and where containerd points runc (/run/containerd/runc). Where /run is not a tmpfs (on
# these machines it is the root ext4, mounted with discard: each block a delete frees is a synchronous discard, 0.05
# to several ms), the bench mounts a tmpfs of its own there. STATE_DIR=/tmp measures them on /tmp's filesystem as it
# is instead.
state=$(mktemp -d "${STATE_DIR:-/run}/bench-runtime-state.XXXXXX")
state_mounted=0
if [ -z "${STATE_DIR:-}" ] && [ "$(stat -f -c %T "$state")" != tmpfs ]; then
  mount -t tmpfs -o mode=700,size=64m bench-runtime-state "$state"
  state_mounted=1
fi
# The bundle has no cgroupsPath, as `runc spec` writes it: our runtime then uses its default parent /webengine, which
# the bench removes afterwards unless it was there before.
default_parent_existed=$([ -d /sys/fs/cgroup/memory/webengine ] || [ -d /sys/fs/cgroup/webengine ] && echo 1 || echo 0)
cleanup() {
  for pair in "ours:$ours" "runc:$theirs"; do
    local root=$state/${pair%%:*} bin=${pair#*:}
    for id in $(ls "$root" 2>/dev/null); do "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true; done
  done
  if [ "$default_parent_existed" = 0 ]; then
    for h in /sys/fs/cgroup /sys/fs/cgroup/*; do [ -d "$h/webengine" ] && rmdir "$h/webengine" 2>/dev/null || true; done
  fi
  [ "$state_mounted" = 0 ] || umount "$state"
  rm -rf "$work" "$state"
}
trap cleanup EXIT
bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev" "$bundle/rootfs/tmp"
cp /bin/busybox "$bundle/rootfs/bin/"
ln -s busybox "$bundle/rootfs/bin/true"
ln -s busybox "$bundle/rootfs/bin/sh"
(cd "$bundle" && "$theirs" spec)
python3 - "$bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"), indent=2)
PY

results=$work/results.tsv
: > "$results"
# measure MODE NAME OP -- command...: appends "name op wall_us cpu_us rss_kib", "-" for what MODE does not measure.
# "time": the command is spawned from Python and reaped with wait4: wall time from spawn to reap, cpu time (user+sys)
# from wait4's rusage in microseconds, both of the runtime's own process and the descendants it waited for (a
# container's init stage). "rss": the command runs under /usr/bin/time, for the peak RSS only (a child spawned from
# Python would start with Python's RSS as its peak); its times would include /usr/bin/time's own start, 0.6 to 1.3 ms
# of wall and cpu here (a dynamically linked program), added to both runtimes alike. UNDER_TIME=1 measures the times
# that way too, in the same runs as the RSS (the bench's numbers before it separated them).
cat > "$work/measure.py" <<'PY'
import os, sys, time
mode, name, op, results, work = sys.argv[1:6]
command = sys.argv[7:]
under_time = mode == "rss" or os.environ.get("UNDER_TIME") == "1"
argv = ["/usr/bin/time", "-f", "%M", "-o", work + "/t"] + command if under_time else command
devnull = os.open("/dev/null", os.O_WRONLY)
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
rss = open(work + "/t").read().split()[-1] if under_time else "-"
times = (f"{wall * 1e6:.0f}", f"{(usage.ru_utime + usage.ru_stime) * 1e6:.0f}") if mode == "time" else ("-", "-")
with open(results, "a") as f:
    f.write(f"{name} {op} {times[0]} {times[1]} {rss}\n")
PY
measure() {
  python3 "$work/measure.py" "$1" "$2" "$3" "$results" "$work" "${@:4}"
}

# one_round NAME BIN I MODE: run, then create, start and delete as separate calls, each measured in MODE.
one_round() {
  local name=$1 bin=$2 i=$3 mode=$4 root=$state/$1
  local id=$name-$mode$i
  mkdir -p "$root"
  measure "$mode" "$name" run -- "$bin" --root "$root" run --bundle "$bundle" "$id-r"
  "$bin" --root "$root" delete --force "$id-r" > /dev/null 2>&1 || true
  measure "$mode" "$name" create -- "$bin" --root "$root" create --bundle "$bundle" "$id-c"
  measure "$mode" "$name" start -- "$bin" --root "$root" start "$id-c"
  for _ in $(seq 100); do
    "$bin" --root "$root" state "$id-c" 2>/dev/null | grep -q '"stopped"' && break
    sleep 0.01
  done
  measure "$mode" "$name" delete -- "$bin" --root "$root" delete "$id-c"
}

for i in $(seq "$runs"); do
  one_round ours "$ours" "$i" time
  one_round runc "$theirs" "$i" time
  if [ "${UNDER_TIME:-}" != 1 ]; then
    one_round ours "$ours" "$i" rss
    one_round runc "$theirs" "$i" rss
  fi
done

python3 - "$results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
def med(name, op, col):
    return statistics.median(float(r[col]) for r in rows if r[0] == name and r[1] == op and r[col] != "-")
print(f"{'op':8} {'ours wall ms':>13} {'runc wall ms':>13} {'ratio':>6} {'ours cpu ms':>12} {'runc cpu ms':>12} {'ratio':>6} {'ours MiB':>9} {'runc MiB':>9}")
for op in ["run", "create", "start", "delete"]:
    ow, rw = med("ours", op, 2) / 1000, med("runc", op, 2) / 1000
    oc, rc = med("ours", op, 3) / 1000, med("runc", op, 3) / 1000
    om, rm = med("ours", op, 4) / 1024, med("runc", op, 4) / 1024
    print(f"{op:8} {ow:13.1f} {rw:13.1f} {ow/rw:6.2f} {oc:12.1f} {rc:12.1f} {oc/rc if rc else float('nan'):6.2f} {om:9.1f} {rm:9.1f}")
PY
