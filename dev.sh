#!/usr/bin/env bash
# WebEngine's development entry point. On a fresh Debian 12 machine with the .NET 10 SDK:
#   sudo ./dev.sh daemon   installs prerequisites, builds, and starts the daemon
#   sudo ./dev.sh test     installs prerequisites, builds, and runs the whole test suite
#   ./dev.sh build         publishes the NativeAOT binaries (runtime, shim) and the daemon, and builds the rest
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD

# Debian packages the daemon and the tests use (checked one by one, installed only when missing);
# gcc provides the `cc` that compiles the runtime's user-namespace stage, clang+zlib1g-dev NativeAOT's link;
# libc6-dev (libc.a) and binutils (GNU objcopy) the static links of the shim and the runtime (their .csproj files).
# nftables holds the networks' rules (published ports, masquerading, isolation).
# chromium runs the dashboard's browser tests; nodejs+npm fetch the dashboard's browser libraries (xterm.js) at build time.
packages=(gcc libc6-dev binutils busybox-static runc skopeo docker-registry containerd docker.io tini jq iproute2 nftables apache2-utils clang zlib1g-dev file time bc python3 procps chromium nodejs npm)

install_prerequisites() {
  local missing=()
  for p in "${packages[@]}"; do
    # nodejs builds that bundle npm (as NodeSource's do) conflict with Debian's npm package: the command is enough.
    [ "$p" = npm ] && command -v npm > /dev/null && continue
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "dev.sh: installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

build() {
  dotnet build WebEngine.sln -c Debug -nologo -v q
  for p in webengine-runtime webengine-shim; do
    dotnet publish "src/Runtime/$p/$p.csproj" -c Release -nologo -v q
  done
  publish_daemon
}

run_tests() {
  local results="$root/artifacts/test-results"
  rm -rf "$results"
  local status=0
  if [ $# -eq 0 ]; then
    # The whole suite: the browser tests run once the others are done. Run beside the Api tests (docker builds, pulls,
    # dozens of daemons) on two cores, a Blazor circuit fell seconds behind the clicks and keys of Playwright, and one
    # browser test or another failed in two CI runs out of two; alone, they passed. The rest run in parallel.
    dotnet test WebEngine.sln --no-build -c Debug --logger "trx" --results-directory "$results" \
      --filter "FullyQualifiedName!~WebEngine.Dashboard.Tests.Browser" || status=$?
    dotnet test tests/WebEngine.Dashboard.Tests --no-build -c Debug --logger "trx" --results-directory "$results" \
      --filter "FullyQualifiedName~WebEngine.Dashboard.Tests.Browser" || status=$?
  else
    dotnet test WebEngine.sln --no-build -c Debug --logger "trx" --results-directory "$results" "$@" || status=$?
  fi
  # One plain closing line for CI, summed over every test project's results.
  python3 - "$results" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    c = ET.parse(f).getroot().find(".//{*}Counters")
    if c is None: continue
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0))
    skipped += int(c.get("notExecuted", 0))
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
  return $status
}

# The daemon as users run it: Release, ReadyToRun (precompiled, so it starts fast with tiered jitting off; see
# src/Web/WebEngine.Web.csproj), framework-dependent.
daemon_dir="$root/artifacts/publish/webengine"
publish_daemon() {
  dotnet publish src/Web/WebEngine.Web.csproj -c Release --use-current-runtime --self-contained false -p:PublishReadyToRun=true \
    -o "$daemon_dir" -nologo -v q
}

# How the daemon is run, by `daemon` below and by the bench scripts (bench/lib.sh), so both measure the same thing.
# DOTNET_GCgen0size (the GC reads it from the environment only; runtimeconfig's System.GC.Gen0Size is ignored): a 1 MB
# gen0 budget instead of the cache-sized default. Measured with 50 containers running: RSS 187 -> 177 MB, `docker logs`
# of 100 MB unchanged (0.59 s both); DOTNET_GCgen0size=0 in the environment gives the default back.
# WEBENGINE_DAEMON=DIR runs a daemon published elsewhere (a bench comparing builds).
run_daemon() {
  DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x100000} exec dotnet "${WEBENGINE_DAEMON:-$daemon_dir}/webengine.dll" "$@"
}

case "${1:-}" in
  build) install_prerequisites; build ;;
  publish-daemon) publish_daemon ;;
  test) shift; install_prerequisites; build; run_tests "$@" ;;
  run-daemon) shift; run_daemon "$@" ;;
  daemon)
    shift; install_prerequisites; build
    run_daemon \
      "--WebEngine:ShimBinary=$root/artifacts/publish/webengine-shim/release/webengine-shim" \
      "--WebEngine:Runtimes:webengine-runtime=$root/artifacts/publish/webengine-runtime/release/webengine-runtime" \
      "$@" ;;
  *) echo "usage: $0 build | test [dotnet test args] | publish-daemon | daemon [--WebEngine:DataRoot=DIR ...] | run-daemon [...] (published already)" >&2; exit 2 ;;
esac
