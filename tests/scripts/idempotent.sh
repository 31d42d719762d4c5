#!/usr/bin/env bash
# The install and build steps of scripts/run, scripts/test and scripts/bench do nothing when
# everything is already there: apt-get and npm are replaced by recorders that must stay silent,
# and the build reports no work. A package that is missing does reach apt-get, so this test can fail.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
shims=$(mktemp -d)
trap 'rm -rf "$shims"' EXIT
for tool in apt-get sudo npm; do
  cat >"$shims/$tool" <<SHIM
#!/usr/bin/env bash
echo "$tool \$*" >>"$shims/calls"
exit 1
SHIM
  chmod +x "$shims/$tool"
done
export PATH="$shims:$PATH"

source "$ROOT/scripts/lib/common.sh"
ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_node
ensure_node_modules "$ROOT/tests"
if [ -s "$shims/calls" ]; then
  echo "FAIL: a second install ran: $(cat "$shims/calls")"
  exit 1
fi

build_dir="$ROOT/build/sanitize"
if [ -f "$build_dir/build.ninja" ]; then
  out=$(build "$build_dir" RelWithDebInfo ON ON)
  if ! grep -q "no work to do" <<<"$out"; then
    echo "FAIL: an unchanged tree rebuilt:"
    echo "$out"
    exit 1
  fi
fi

# A missing package is installed (the recorder answers failure, which the step reports).
if (ensure_packages agentemu-no-such-package) 2>/dev/null; then
  echo "FAIL: a missing package was not installed"
  exit 1
fi
grep -q "apt-get update" "$shims/calls" || { echo "FAIL: apt-get was not asked for a missing package"; exit 1; }
echo "ok: nothing installed or rebuilt twice"
