#!/usr/bin/env bash
# Networking, through the real daemon and the docker CLI:
#  1. throughput of a published port: busybox httpd in a container on the default bridge serving a 256 MiB file,
#     fetched with curl from the host on 127.0.0.1 through the DNAT of `-p`, against the same container on the
#     host's network (no NAT, no veth);
#  2. the extra start latency of a container on the bridge (netns, veth, address, hosts file) against
#     --network none (netns with lo only): wall time of `docker start` of a created container.
# Alternating runs (bridge, host/none, bridge, ...); medians and ratios.
#   usage: sudo bench/network.sh [RUNS]      (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
. bench/lib.sh
bench_require /usr/local/bin/docker /usr/bin/curl /usr/sbin/nft /usr/sbin/ip

work=$(mktemp -d /tmp/bench-network.XXXXXX)
state=$(mktemp -d /tmp/wbn.XXXX)
export DOCKER_HOST=unix://$work/docker.sock DOCKER_CONFIG=$work/docker-config
cleanup() {
  bench_stop_daemon "$work/docker.sock"
  rm -rf "$work" "$state"
}
trap cleanup EXIT

bench_start_daemon "$work/docker.sock" "$work/data" "$state" "$work/daemon.log"
docker load -q -i "$image" >/dev/null

median() { sort -n | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# 1. Throughput of a published port against the host's network.
mkdir -p "$work/www"
head -c $((256 * 1024 * 1024)) /dev/urandom > "$work/www/big"
host_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
docker run -d --name bridged -p 127.0.0.1::80 -v "$work/www:/www:ro" busybox httpd -f -p 80 -h /www >/dev/null
docker run -d --name onhost --network host -v "$work/www:/www:ro" busybox httpd -f -p "127.0.0.1:$host_port" -h /www >/dev/null
bridge_port=$(docker port bridged 80/tcp | head -1 | sed 's/.*://')
for port in "$bridge_port" "$host_port"; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/big" && break; sleep 0.1; done
done
: > "$work/bridge-mbs"; : > "$work/host-mbs"
for _ in $(seq "$runs"); do
  curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$bridge_port/big" | awk '{print $1/1048576}' >> "$work/bridge-mbs"
  curl -s -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$host_port/big" | awk '{print $1/1048576}' >> "$work/host-mbs"
done
docker rm -f bridged onhost >/dev/null

# 2. Start latency on the bridge against --network none.
: > "$work/start-bridge"; : > "$work/start-none"
start_ms() {
  local id
  id=$(docker create "$@" busybox sleep 300)
  local begin end
  begin=$(date +%s%N); docker start "$id" >/dev/null; end=$(date +%s%N)
  echo $(( (end - begin) / 1000000 ))
  docker rm -f "$id" >/dev/null
}
for _ in $(seq "$runs"); do
  start_ms --network bridge >> "$work/start-bridge"
  start_ms --network none >> "$work/start-none"
done

bridge_mbs=$(median < "$work/bridge-mbs"); host_mbs=$(median < "$work/host-mbs")
bridge_ms=$(median < "$work/start-bridge"); none_ms=$(median < "$work/start-none")
printf 'published port (bridge, DNAT)  %8.0f MiB/s   host network %8.0f MiB/s   ratio %.2f   (%d runs, 256 MiB over 127.0.0.1)\n' \
  "$bridge_mbs" "$host_mbs" "$(echo "$bridge_mbs / $host_mbs" | bc -l)" "$runs"
printf 'docker start on the bridge     %8.0f ms      --network none %6.0f ms      extra %d ms   (medians of %d)\n' \
  "$bridge_ms" "$none_ms" "$(echo "$bridge_ms - $none_ms" | bc | cut -d. -f1)" "$runs"
