# Shared by scripts/run, scripts/test and scripts/bench: install what is missing (and nothing
# else), then build. Sourced, not run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CCACHE_BASEDIR="$ROOT"

BUILD_PACKAGES=(cmake ninja-build g++ libboost1.81-dev rapidjson-dev libssl-dev doctest-dev ccache)
# What the tests need beyond the build: a headless browser for the dashboard's test, the tools the
# README's examples use (tests/docs), and for the image test a Debian 12 root file system built
# with debootstrap and run in namespaces of its own.
TEST_PACKAGES=(chromium curl openssl debootstrap iproute2)
# The AWS SDK needs Node 20; Debian 12's nodejs is 18, so an older node is topped up from npm.
NODE_MIN_MAJOR=20
NODE_FALLBACK_VERSION=20.20.2

log() { printf 'agentemu: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root to run: $*"; return 1; fi
}

# Installs the Debian packages that are not installed yet; does nothing when all are.
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  # Through env: sudo would drop an exported DEBIAN_FRONTEND.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

node_major() { node -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    local arch package prefix="$ROOT/build/tools/node"
    case "$(uname -m)" in
      x86_64) arch=x64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) log "node $(node --version) is older than $NODE_MIN_MAJOR and npm has no node for $(uname -m)"; return 1 ;;
    esac
    package="node-linux-$arch"
    if [ ! -x "$prefix/node_modules/$package/bin/node" ]; then
      log "node $(node --version) is older than $NODE_MIN_MAJOR: installing $package@$NODE_FALLBACK_VERSION from npm"
      npm install --prefix "$prefix" --no-save --no-audit --no-fund "$package@$NODE_FALLBACK_VERSION" >/dev/null
    fi
    export PATH="$prefix/node_modules/$package/bin:$PATH"
  fi
}

# npm ci in a folder, skipped while its node_modules matches the lockfile.
ensure_node_modules() {
  local dir="$1"
  local stamp="$dir/node_modules/.agentemu-lock-sha256"
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  log "npm ci in ${dir#"$ROOT"/}"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" >"$stamp"
}

# build DIR TYPE SANITIZE TESTS [TARGET]: configure (a no-op when nothing changed), then let
# ninja decide what is stale. Without tests the build needs no Node.
build() {
  local dir="$1" type="$2" sanitize="$3" tests="$4" target="${5:-all}"
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DAGENTEMU_SANITIZE="$sanitize" \
    -DAGENTEMU_TESTS="$tests" >/dev/null
  cmake --build "$dir" --target "$target" -- -j"$(nproc)"
}
