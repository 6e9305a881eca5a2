# Shared by the bench scripts that run our daemon (api.sh, network.sh): source it after `cd` to the repository root.
# It publishes the daemon and runs it as `./dev.sh daemon` does (Release, ReadyToRun, the same runtime settings), and
# gives each run its own networking names and cgroup parent, so a bench never meets the production defaults or another run.

root=$PWD
shim=${WEBENGINE_SHIM:-$root/artifacts/publish/webengine-shim/release/webengine-shim}
runtime=${WEBENGINE_RUNTIME:-$root/artifacts/publish/webengine-runtime/release/webengine-runtime}
image=${IMAGE:-$root/../shared/images/busybox-docker.tar}
# WEBENGINE_DAEMON=DIR benches a daemon published before (another branch's, to compare) instead of publishing this tree's.
daemon=${WEBENGINE_DAEMON:-}
tag=$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
prefix=wb$tag table=webengine_bench_$tag cgroup=/webengine-bench-$tag
daemon_pid=

# bench_require TOOL... : each must exist, or the bench stops saying what to install.
bench_require() {
  for tool in "$@" "$shim" "$runtime" "$image"; do
    [ -e "$tool" ] || { echo "missing $tool (docker CLI at /usr/local/bin/docker; apt-get install docker.io containerd curl nftables iproute2; ./dev.sh build; shared/images)" >&2; exit 1; }
  done
}

# bench_start_daemon SOCKET DATA STATE LOG [ARG...] : starts our daemon in the background and waits for its socket.
bench_start_daemon() {
  local socket=$1 data=$2 state=$3 log=$4; shift 4
  [ -n "$daemon" ] || ./dev.sh publish-daemon >/dev/null
  WEBENGINE_DAEMON=$daemon ./dev.sh run-daemon \
    "--WebEngine:DataRoot=$data" "--WebEngine:StateRoot=$state" "--WebEngine:UnixSocket=$socket" "--WebEngine:HttpUrls:0=" \
    "--WebEngine:CgroupParent=$cgroup" "--WebEngine:ShimBinary=$shim" "--WebEngine:Runtimes:webengine-runtime=$runtime" \
    "--WebEngine:Networking:DevicePrefix=$prefix" "--WebEngine:Networking:FirewallTable=$table" \
    "--WebEngine:Networking:DefaultBridgeSubnet=" "--WebEngine:Networking:AddressPool=10.$((16#$tag % 256)).0.0/16" \
    "$@" >"$log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 600); do
    DOCKER_HOST=unix://$socket docker version >/dev/null 2>&1 && return 0
    kill -0 "$daemon_pid" 2>/dev/null || { echo "the daemon exited; its log:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "the daemon did not answer on $socket within 60 s" >&2; exit 1
}

# bench_stop_daemon SOCKET : removes every container, stops the daemon, then whatever its networking and cgroups left.
bench_stop_daemon() {
  local socket=$1 ids
  if [ -n "$daemon_pid" ]; then
    ids=$(DOCKER_HOST=unix://$socket docker ps -aq 2>/dev/null || true)
    [ -n "$ids" ] && DOCKER_HOST=unix://$socket docker rm -f $ids >/dev/null 2>&1 || true
    kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
    daemon_pid=
  fi
  for ns in /run/netns/$prefix-*; do [ -e "$ns" ] && ip netns del "$(basename "$ns")"; done
  for dev in $(ls /sys/class/net | grep "^$prefix" || true); do ip link del "$dev" 2>/dev/null || true; done
  nft delete table ip "$table" 2>/dev/null || true
  # A container's cgroup goes when its runtime's delete has run, which rm -f does not wait for: retry for 10 s.
  local h left
  for _ in $(seq 100); do
    left=0
    for h in /sys/fs/cgroup /sys/fs/cgroup/*; do
      [ -d "$h$cgroup" ] || continue
      find "$h$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [ -d "$h$cgroup" ] && left=1
    done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  [ "$left" = 0 ] || echo "bench: cgroup $cgroup is still in use; left in place" >&2
}
