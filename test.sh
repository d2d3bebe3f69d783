#!/usr/bin/env bash
# Runs every test of the identity provider.
#
# On a fresh Debian/Ubuntu machine with the .NET 10 SDK, it first installs what the tests need
# and the machine lacks (PostgreSQL server binaries for the throwaway database cluster, nginx for the
# cluster tests' load balancer, Chromium for the samples' browser test), using
# apt-get when running as root or through sudo, and the relying-party libraries of the interop
# tests (npm ci in tests/interop; Node.js 20+ with npm must be present). Extra arguments go to
# `dotnet test`, e.g.
#   ./test.sh --filter "FullyQualifiedName~SchemaDrift"
set -euo pipefail
cd "$(dirname "$0")"

missing=()
if [ -z "${PG_BINDIR:-}" ] && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi
# The cluster tests put Debian's nginx in front of three nodes (tests/IdentityProvider.Tests/Cluster).
if [ ! -x /usr/sbin/nginx ]; then
  missing+=(nginx)
fi
# Playwright drives Debian's Chromium (tests/Samples.Tests); its own browser download is not used.
if [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null; then apt=(sudo apt-get); else
    echo "test.sh: missing ${missing[*]}; install with: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${apt[@]}" update -qq
  # apt sometimes reports a vanished temporary archive on these machines; one retry settles it.
  "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" \
    || "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
fi

# The interop tests run openid-client under Node. Reinstall only when the lock file changed since
# the last install, so a warm run costs nothing and a stale node_modules cannot go unnoticed.
interop=tests/interop
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test.sh: the interop tests need Node.js 20 or later with npm; install the 'nodejs' and 'npm' packages (apt-get install -y nodejs npm) or Node.js from nodejs.org" >&2
  exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "test.sh: the interop tests need Node.js 20 or later (openid-client 6); found $(node --version)" >&2
  exit 1
fi
lock_hash="$(sha256sum "$interop/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$interop/node_modules/.installed-lock-sha256" 2>/dev/null)" != "$lock_hash" ]; then
  echo "test.sh: npm ci --prefix $interop"
  npm ci --prefix "$interop" --no-audit --no-fund --loglevel=error
  echo "$lock_hash" >"$interop/node_modules/.installed-lock-sha256"
fi

# Every in-process test host would watch appsettings.json and wwwroot with inotify; dozens of
# hosts exhaust the user's inotify instances (128 by default). Tests never change those files.
export DOTNET_USE_POLLING_FILE_WATCHER=true
export DOTNET_hostBuilder__reloadConfigOnChange=false
# Each test starts its own short-lived host, so the run is mostly JIT. Dynamic PGO instruments
# methods for a second, better compilation that these hosts never live to use; without it the same
# 102 tests ran in 41-45 s instead of 54-59 s, and in 24 s instead of 25-29 s once the request
# delegates were generated at build time. W^X off, DI's dynamic engine off and GC settings gained nothing.
export DOTNET_TieredPGO=0

# TEST_RESULTS_DIR keeps the .trx files (per-test timings) instead of a throwaway directory.
if [ -n "${TEST_RESULTS_DIR:-}" ]; then
  results="$TEST_RESULTS_DIR"
  mkdir -p "$results"
else
  results="$(mktemp -d)"
  trap 'rm -rf "$results"' EXIT
fi
status=0
# A test that hangs is named and its process dumped after 10 minutes instead of stalling CI.
dotnet test IdentityProvider.sln --logger trx --results-directory "$results" --blame-hang-timeout 10m "$@" || status=$?

# One closing line for the whole run, summed over every test assembly.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
  value() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed)))
  skipped=$((skipped + $(value notExecuted)))
done
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
