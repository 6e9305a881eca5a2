#!/usr/bin/env bash
# Pull of debian-minbase-oci.tar (44 MB gzip layer) from a local registry: WebEngine's image store (download,
# verify, unpack, record; bench/images-pull) against `skopeo copy` into a directory (download and verify only).
# Alternating runs, each into a fresh directory; medians of wall and cpu time (whole process) and the ratios,
# with GNU tar unpacking the same layer as a scale for the unpack part.
#   usage: sudo bench/images-pull.sh [RUNS]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
artifacts=${ARTIFACTS:-$PWD/artifacts}
image=${IMAGE:-$PWD/../shared/images/debian-minbase-oci.tar}
for tool in /usr/bin/docker-registry /usr/bin/skopeo /usr/bin/time "$image"; do
  [ -e "$tool" ] || { echo "missing $tool (apt-get install docker-registry skopeo time; shared/images)" >&2; exit 1; }
done

dotnet build bench/images-pull/images-pull.csproj -c Release --artifacts-path "$artifacts" -nologo -v q >/dev/null
ours=(dotnet "$artifacts/bin/images-pull/release/images-pull.dll")

work=$(mktemp -d /tmp/bench-images.XXXXXX)
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YML
/usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
python3 - "$port" <<'PY'
import sys, time, urllib.request
for _ in range(300):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v2/", timeout=1); break
    except Exception:
        time.sleep(0.1)
PY
ref=127.0.0.1:$port/bench/debian:minbase
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci-archive:$image:debian:bookworm-minbase" "docker://$ref"

# One measurement: wall seconds and cpu seconds (user+sys) of the whole process, from GNU time.
measure() { local out=$1; shift; /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >/dev/null; awk '{printf "%d %d\n", $1*1000, ($2+$3)*1000}' "$work/time" >> "$out"; }
# The unpack alone, for scale: GNU tar extracting the same gzip layer.
layer_blob=$(tar -tf "$image" | grep -m1 -E 'blobs/sha256/4ee7cae4' || true)
[ -n "$layer_blob" ] && tar -xf "$image" -C "$work" "$layer_blob"
: > "$work/ours.txt"; : > "$work/skopeo.txt"; : > "$work/tar.txt"
for i in $(seq "$runs"); do
  rm -rf "$work/ours"; sync
  measure "$work/ours.txt" "${ours[@]}" "$work/ours" "$ref"
  rm -rf "$work/skopeo"; sync
  measure "$work/skopeo.txt" skopeo --insecure-policy copy --quiet --src-tls-verify=false "docker://$ref" "dir:$work/skopeo"
  if [ -n "$layer_blob" ]; then
    rm -rf "$work/tar"; mkdir "$work/tar"; sync
    measure "$work/tar.txt" tar -xzf "$work/$layer_blob" -C "$work/tar"
  fi
  echo "run $i: ours $(tail -1 "$work/ours.txt") | skopeo $(tail -1 "$work/skopeo.txt") | tar -xzf $(tail -1 "$work/tar.txt" 2>/dev/null) (wall ms, cpu ms)"
done
python3 - "$work" <<'PY'
import statistics, sys
def medians(name):
    rows = [tuple(map(int, l.split())) for l in open(f"{sys.argv[1]}/{name}.txt") if l.strip()]
    return (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)) if rows else None
ours, skopeo, tar = medians("ours"), medians("skopeo"), medians("tar")
print(f"median wall / cpu ms: webengine pull+unpack {ours[0]:.0f} / {ours[1]:.0f}; skopeo copy to dir {skopeo[0]:.0f} / {skopeo[1]:.0f}"
      + (f"; tar -xzf of the layer {tar[0]:.0f} / {tar[1]:.0f}" if tar else ""))
print(f"ratio webengine/skopeo: wall {ours[0] / skopeo[0]:.2f}, cpu {ours[1] / max(skopeo[1], 1):.2f}")
PY
