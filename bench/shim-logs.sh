#!/usr/bin/env bash
# webengine-shim's log path: a container writes 100 MiB of 100-byte lines to stdout; we time from `start`
# until `wait` returns (everything is in the json-file log then) and report MB/s. Then the RSS of an idle
# shim whose container runs `sleep`. If dockerd is installed, the same through a private dockerd with the
# json-file log driver (its containerd-shim-runc-v2 for the RSS), alternating runs. Medians.
#   usage: sudo bench/shim-logs.sh [RUNS]     (default 5)
#   env:   WEBENGINE_SHIM (default artifacts/shim, then artifacts/publish), BENCH_RUNTIME (default runc),
#          BENCH_DOCKER=0 to measure ours only (to compare two shims in alternating runs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shim=${WEBENGINE_SHIM:-$PWD/artifacts/shim/publish/webengine-shim/release/webengine-shim}
[ -x "$shim" ] || shim=$PWD/artifacts/publish/webengine-shim/release/webengine-shim
runtime=${BENCH_RUNTIME:-$(command -v runc || true)}
for tool in "$shim" "$runtime" /bin/busybox "$(command -v python3)"; do
  [ -x "$tool" ] || { echo "missing $tool (./dev.sh build; apt-get install runc busybox-static python3)" >&2; exit 1; }
done
bytes=$((100 * 1024 * 1024))
line=$(printf 'x%.0s' $(seq 99))   # 99 characters + newline = 100-byte lines
script="yes $line | head -c $bytes"

work=$(mktemp -d /tmp/bench-shim.XXXXXX)
dockerd_pid=
cleanup() {
  for sock in "$work"/*.sock; do
    [ -S "$sock" ] && python3 "$work/client.py" "$sock" delete >/dev/null 2>&1 || true
  done
  if [ -n "$dockerd_pid" ]; then
    docker_cli rm -f $(docker_cli ps -aq) >/dev/null 2>&1 || true
    kill "$dockerd_pid" 2>/dev/null || true
    # On a busy machine dockerd can hang in its shutdown for minutes: give it 20 s, then its containerd goes too.
    for _ in $(seq 100); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$dockerd_pid" 2>/dev/null; then
      pkill -KILL -P "$dockerd_pid" containerd 2>/dev/null || true
      kill -KILL "$dockerd_pid" 2>/dev/null || true
    fi
    wait "$dockerd_pid" 2>/dev/null || true
    umount -R "$work/docker" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A minimal shim protocol client (PROTOCOL.md): `client.py SOCKET start-wait` prints seconds from start to wait.
cat > "$work/client.py" <<'PY'
import json, socket, struct, sys, time
def request(s, **message):
    body = json.dumps(message).encode()
    s.sendall(struct.pack(">I", len(body)) + body)
    def read(n):
        data = b""
        while len(data) < n:
            chunk = s.recv(n - len(data))
            if not chunk: raise SystemExit("shim closed the connection")
            data += chunk
        return data
    response = json.loads(read(struct.unpack(">I", read(4))[0]))
    if not response.get("ok"): raise SystemExit(f"{message['op']}: {response.get('error')}")
    return response
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); request(s, op="hello", version=1)
if sys.argv[2] == "start-wait":
    t0 = time.monotonic(); request(s, op="start"); status = request(s, op="wait")["process"]; t1 = time.monotonic()
    print(f"{t1 - t0:.4f} {status.get('exitCode', 0)}")
elif sys.argv[2] == "start":
    request(s, op="start")
elif sys.argv[2] == "delete":
    request(s, op="delete", force=True); request(s, op="shutdown")
PY

bundle=$work/bundle
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev" "$bundle/rootfs/tmp"
cp /bin/busybox "$bundle/rootfs/bin/"
for applet in sh yes head sleep; do ln -s busybox "$bundle/rootfs/bin/$applet"; done
(cd "$bundle" && "$runtime" spec)
set_args() {
  python3 - "$bundle/config.json" "$@" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False; c["process"]["args"] = sys.argv[2:]
json.dump(c, open(p, "w"), indent=2)
PY
}

results=$work/results.txt
: > "$results"

ours_round() {
  local i=$1 id sock seconds code pid
  id=bench-log-$i; sock=$work/$id.sock
  set_args sh -c "$script"
  pid=$("$shim" create --id "$id" --bundle "$bundle" --socket "$sock" --state-dir "$work/state-$id" \
    --log-path "$work/$id-json.log" --runtime "$runtime" --runtime-root "$work/runtime" --log-max-size 0)
  read -r seconds code < <(python3 "$work/client.py" "$sock" start-wait)
  [ "$code" = 0 ] || { echo "container exited $code" >&2; exit 1; }
  echo "ours mbps $(python3 -c "print($bytes / 1e6 / $seconds)")" >> "$results"
  echo "ours cpu_s $(cpu_seconds "$pid")" >> "$results"
  echo "ours logbytes $(stat -c %s "$work/$id-json.log")" >> "$results"
  python3 "$work/client.py" "$sock" delete; rm -f "$work/$id-json.log"

  id=bench-idle-$i; sock=$work/$id.sock
  set_args sleep 1000
  pid=$("$shim" create --id "$id" --bundle "$bundle" --socket "$sock" --state-dir "$work/state-$id" \
    --log-path "$work/$id-json.log" --runtime "$runtime" --runtime-root "$work/runtime")
  python3 "$work/client.py" "$sock" start
  sleep 2
  echo "ours rss_kib $(ps -o rss= -p "$pid")" >> "$results"
  echo "ours pss_kib $(awk '/^Pss:/{print $2}' /proc/"$pid"/smaps_rollup)" >> "$results"
  python3 "$work/client.py" "$sock" delete
}

docker_cli() { docker -H "unix://$work/docker.sock" "$@"; }
# user+system CPU seconds a process has used so far (fields 14 and 15 of /proc/PID/stat, in clock ticks)
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }

docker_round() {
  local i=$1 cid start end log shim_pid cpu_before
  cid=$(docker_cli create --network none --log-driver json-file busybox sh -c "$script")
  cpu_before=$(cpu_seconds "$dockerd_pid")
  start=$(date +%s%N)
  docker_cli start "$cid" > /dev/null
  docker_cli wait "$cid" > /dev/null
  end=$(date +%s%N)
  echo "docker cpu_s $(python3 -c "print($(cpu_seconds "$dockerd_pid") - $cpu_before)")" >> "$results"
  log=$(docker_cli inspect -f '{{.LogPath}}' "$cid")
  echo "docker mbps $(python3 -c "print($bytes / 1e6 / (($end - $start) / 1e9))")" >> "$results"
  echo "docker logbytes $(stat -c %s "$log")" >> "$results"
  docker_cli rm -f "$cid" > /dev/null

  cid=$(docker_cli run -d --network none busybox sleep 1000)
  sleep 2
  shim_pid=$(pgrep -f "containerd-shim-runc-v2 .*-id $cid" | head -1)
  echo "docker rss_kib $(ps -o rss= -p "$shim_pid")" >> "$results"
  echo "docker pss_kib $(awk '/^Pss:/{print $2}' /proc/"$shim_pid"/smaps_rollup)" >> "$results"
  docker_cli rm -f "$cid" > /dev/null
}

with_docker=
if [ "${BENCH_DOCKER:-1}" != 0 ] && command -v dockerd > /dev/null && command -v docker > /dev/null; then
  mkdir -p "$work/docker" "$work/docker-exec"
  dockerd --data-root "$work/docker" --exec-root "$work/docker-exec" -H "unix://$work/docker.sock" \
    --pidfile "$work/docker.pid" --bridge none --iptables=false --ip6tables=false --log-level error \
    > "$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 100); do docker_cli version > /dev/null 2>&1 && break; sleep 0.2; done
  if docker_cli load -i "${SHARED_IMAGES:-$PWD/../shared/images}/busybox-docker.tar" > /dev/null 2>&1; then
    with_docker=1
  else
    echo "dockerd did not come up or could not load busybox; measuring ours only (see $work/dockerd.log)" >&2
  fi
fi

for i in $(seq "$runs"); do
  ours_round "$i"
  [ -n "$with_docker" ] && docker_round "$i"
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(who, what):
    values = [float(r[2]) for r in rows if r[0] == who and r[1] == what]
    return statistics.median(values) if values else None
# cpu s: CPU time of the logging process for the 100 MiB (our shim; dockerd, which writes Docker's json-file log).
print(f"{'':8} {'MB/s (100 MiB)':>15} {'cpu s':>7} {'log bytes':>12} {'idle RSS KiB':>13} {'idle PSS KiB':>13}")
for who in ("ours", "docker"):
    if median(who, "mbps") is None: continue
    print(f"{who:8} {median(who, 'mbps'):15.1f} {median(who, 'cpu_s'):7.2f} {median(who, 'logbytes'):12.0f} {median(who, 'rss_kib'):13.0f} {median(who, 'pss_kib'):13.0f}")
PY
