#!/usr/bin/env bash
# Load benchmark: this identity provider against node oidc-provider, in one run. Run by hand:
#   tests/Benchmarks/run.sh              # everything (about 8 minutes)
#   tests/Benchmarks/run.sh --new-only   # only refresh_token and the scripted sign-in (ES256 pass)
# Builds the server in Release, starts a throwaway PostgreSQL cluster, then, once per access
# token algorithm (ES256, RS256), starts both servers with one equivalent confidential client and
# drives them with bench.mjs. In the first pass it also creates our first administrator through
# the setup link the server prints, runs the refresh_token case on both servers (tokens minted by
# scripted authorization code flows) and the scripted sign-in benchmark on ours (signin.mjs,
# beside one password hash timed by HashCost/). The tables land in
# tests/Benchmarks/results/<timestamp>/results.md.
#
# Knobs (environment): BENCH_DURATION (s, default 10), BENCH_WARMUP (minimum s, default 2),
# BENCH_MAX_WARMUP (s, default 40; warm-up goes on while .NET's background JIT is busy),
# BENCH_CONNECTIONS (default 10,50), BENCH_ALGORITHMS (default "ES256 RS256"),
# BENCH_METADATA (default 1; 0 skips the discovery and JWKS cases),
# BENCH_SIGNIN_CONCURRENCY (default 2,4,8), BENCH_SIGNIN_DURATION (s, default 6; 10 with --new-only),
# IDP_EXTRA_ARGS (extra configuration for our server, e.g. --Serilog:MinimumLevel=Warning),
# BENCH_PG_CONNECTION_EXTRA (appended to our connection string, e.g. "Max Auto Prepare=20"),
# PG_BINDIR (PostgreSQL server binaries; default: the highest /usr/lib/postgresql/*/bin).
set -euo pipefail

new_only=0
for arg in "$@"; do
  case "$arg" in
    --new-only) new_only=1 ;;
    *) echo "usage: $0 [--new-only]" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
duration="${BENCH_DURATION:-10}"
warmup="${BENCH_WARMUP:-2}"
max_warmup="${BENCH_MAX_WARMUP:-40}"
connections="${BENCH_CONNECTIONS:-10,50}"
algorithms="${BENCH_ALGORITHMS:-ES256 RS256}"
out="$here/results/$(date +%Y%m%d-%H%M%S)"
client_id=bench
scope=api.read
# The refresh_token client (authorization_code + refresh_token, PKCE) and the administrator
# created through the setup link, whose scripted sign-ins mint our refresh tokens.
rt_client_id=bench-rt
rt_redirect_uri=http://localhost/cb
admin_email=bench-admin@example.com
signin_concurrency="${BENCH_SIGNIN_CONCURRENCY:-2,4,8}"
# The full run keeps to about eight minutes: shorter sign-in intervals and one TOTP sample
# (a second one waits for the next 30 s step).
signin_duration="${BENCH_SIGNIN_DURATION:-6}"
totp_samples=1
if [ "$new_only" -eq 1 ]; then
  algorithms="${BENCH_ALGORITHMS:-ES256}"
  signin_duration="${BENCH_SIGNIN_DURATION:-10}"
  totp_samples=2
fi

work=""
pgdir=""
pg_bin=""
ours_pid=""
op_pid=""
step_pid=""
run_as=()

log() { echo "run.sh: $*" >&2; }

# Long steps run in the background and are waited for: bash defers a trap until a foreground
# command ends, whereas `wait` returns at once, so INT or TERM cleans up without delay.
step() {
  "$@" &
  step_pid=$!
  wait "$step_pid"
  step_pid=""
}

stop_servers() {
  for pid in $ours_pid $op_pid; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  ours_pid=""
  op_pid=""
}

cleanup() {
  local status=$?
  set +e
  if [ "$status" -ne 0 ] && [ -n "$work" ]; then
    for f in "$work"/*.log; do
      [ -f "$f" ] && { echo "--- last lines of $(basename "$f")" >&2; tail -n 20 "$f" >&2; }
    done
  fi
  [ -n "$step_pid" ] && kill "$step_pid" 2>/dev/null && wait "$step_pid" 2>/dev/null
  stop_servers
  if [ -n "$pgdir" ] && [ -f "$pgdir/data/postmaster.pid" ]; then
    "${run_as[@]}" "$pg_bin/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  [ -n "$pgdir" ] && rm -rf "$pgdir"
  [ -n "$work" ] && rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

wait_for() {
  local url="$1" pid="$2" name="$3"
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start-up"
      return 1
    fi
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = "200" ]; then
      return 0
    fi
    sleep 0.5
  done
  log "$name did not answer 200 at $url within 60 s"
  return 1
}

# ---- build and dependencies ----
log "building src/IdentityProvider (Release)"
step dotnet build "$repo/src/IdentityProvider" -c Release -nologo -v q >/dev/null
bin="$repo/src/IdentityProvider/bin/Release/net10.0"
if [ ! -d "$here/node_modules/oidc-provider" ] || [ ! -d "$here/node_modules/autocannon" ] || [ ! -d "$here/node_modules/otpauth" ]; then
  log "installing oidc-provider, autocannon and otpauth (npm ci)"
  step npm ci --prefix "$here" --no-audit --no-fund >/dev/null
fi

work="$(mktemp -d /tmp/idp-bench-XXXXXX)"
mkdir -p "$out"
log "building HashCost (one password hash, timed)"
step dotnet build "$here/HashCost/HashCost.csproj" -c Release -nologo -v q -o "$work/hashcost" >/dev/null

# ---- throwaway PostgreSQL (the recipe of tests/IdentityProvider.Tests/Infrastructure/PostgresCluster.cs) ----
if [ -n "${PG_BINDIR:-}" ]; then
  pg_bin="$PG_BINDIR"
else
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -n 1)"
fi
if [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
  log "PostgreSQL server binaries not found (set PG_BINDIR or apt-get install -y postgresql)"
  exit 1
fi
pgdir="$(mktemp -d /tmp/idp-bench-pg-XXXXXX)"
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root; the cluster belongs to postgres (or nobody) instead.
  pg_user=postgres
  id -u "$pg_user" >/dev/null 2>&1 || pg_user=nobody
  chown "$(id -u "$pg_user"):$(id -g "$pg_user")" "$pgdir"
  run_as=(setpriv "--reuid=$(id -u "$pg_user")" "--regid=$(id -g "$pg_user")" --clear-groups --)
fi
pg_port="$(free_port)"
"${run_as[@]}" "$pg_bin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions >/dev/null
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -t 30 \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres idp_bench
connection_string="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=idp_bench${BENCH_PG_CONNECTION_EXTRA:+;$BENCH_PG_CONNECTION_EXTRA}"
log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on port $pg_port"
pg_pid="$(head -n 1 "$pgdir/data/postmaster.pid")"

# ---- the client, registered identically on both servers ----
client_secret="$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")"
rt_client_secret="$(node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))")"
admin_password="$(node -e "console.log(require('crypto').randomBytes(18).toString('base64url'))")"
cat >"$work/clients.json" <<EOF
{
  "Clients": [
    {
      "ClientId": "$client_id",
      "DisplayName": "Load benchmark",
      "Type": "Confidential",
      "TokenEndpointAuthMethod": "client_secret_basic",
      "GrantTypes": ["client_credentials"],
      "Scopes": ["$scope"],
      "Secret": "$client_secret"
    },
    {
      "ClientId": "$rt_client_id",
      "DisplayName": "Load benchmark (refresh tokens)",
      "Type": "Confidential",
      "TokenEndpointAuthMethod": "client_secret_basic",
      "RedirectUris": ["$rt_redirect_uri"],
      "GrantTypes": ["authorization_code", "refresh_token"],
      "Scopes": ["openid", "offline_access", "$scope"],
      "RequirePkce": true,
      "Secret": "$rt_client_secret"
    }
  ]
}
EOF

{
  echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "Commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src || echo ' (src modified)'),"
  echo ".NET $(dotnet --version), Node $(node --version), PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'),"
  echo "$(nproc) cores, duration ${duration} s per case after a warm-up of ${warmup}-${max_warmup} s, connections $connections."
  echo "IDP_EXTRA_ARGS: ${IDP_EXTRA_ARGS:-none}"
  echo
} >"$out/results.md"

first="${BENCH_METADATA:-1}"
[ "$new_only" -eq 1 ] && first=0
flows=1
for alg in $algorithms; do
  ours_port="$(free_port)"
  # Content root is the build output, where appsettings.json is.
  (
    cd "$bin"
    # shellcheck disable=SC2086 # IDP_EXTRA_ARGS is a list of arguments
    exec dotnet IdentityProvider.dll \
      --Database:Provider=Postgres "--Database:ConnectionString=$connection_string" \
      "--Urls=http://127.0.0.1:$ours_port" "--Issuer=http://localhost:$ours_port" \
      "--ClientsFile=$work/clients.json" "--SigningKeys:AccessTokenAlgorithm=$alg" \
      ${IDP_EXTRA_ARGS:-}
  ) >"$work/ours-$alg.log" 2>&1 &
  ours_pid=$!

  op_port="$(free_port)"
  (
    cd "$here"
    PORT="$op_port" ISSUER="http://localhost:$op_port" CLIENT_ID="$client_id" CLIENT_SECRET="$client_secret" \
      SCOPE="$scope" ACCESS_TOKEN_ALG="$alg" RT_CLIENT_ID="$rt_client_id" RT_CLIENT_SECRET="$rt_client_secret" \
      RT_REDIRECT_URI="$rt_redirect_uri" NODE_ENV=production exec node oidc-provider.mjs
  ) >"$work/oidc-provider-$alg.log" 2>&1 &
  op_pid=$!

  wait_for "http://127.0.0.1:$ours_port/health/ready" "$ours_pid" "our server"
  wait_for "http://127.0.0.1:$op_port/.well-known/openid-configuration" "$op_pid" "oidc-provider"
  log "$alg: our server (pid $ours_pid, port $ours_port), oidc-provider (pid $op_pid, port $op_port)"

  metadata=()
  if [ "$first" -eq 1 ]; then
    # Discovery and JWKS do not depend on the access token algorithm: measured once.
    metadata=(--metadata)
    first=0
  fi
  common=(--out "$out/results.json" --alg "$alg"
    --target "ours,http://127.0.0.1:$ours_port,$ours_pid"
    --target "oidc-provider,http://127.0.0.1:$op_port,$op_pid"
    --client-id "$client_id" --client-secret "$client_secret" --scope "$scope" --pg-pid "$pg_pid"
    --connections "$connections" --duration "$duration" --warmup "$warmup" --max-warmup "$max_warmup")
  if [ "$new_only" -eq 0 ]; then
    step node "$here/bench.mjs" run "${common[@]}" "${metadata[@]}"
  fi

  if [ "$flows" -eq 1 ]; then
    flows=0
    # The first start of a new database prints the setup link (to the console, not the log).
    setup_url="$(grep -o 'http[^ ]*/setup?token=[^ ]*' "$work/ours-$alg.log" | head -n 1 || true)"
    if [ -z "$setup_url" ]; then
      log "our server printed no setup link"
      exit 1
    fi
    node --input-type=module -e "
      import { createAdministrator } from '$here/flows.mjs';
      await createAdministrator('http://127.0.0.1:$ours_port', process.argv[1], { email: '$admin_email', password: process.argv[2] });
    " "$setup_url" "$admin_password"
    log "administrator $admin_email created through the setup link"
    step node "$here/bench.mjs" run "${common[@]}" --no-client-credentials --refresh \
      --rt-client-id "$rt_client_id" --rt-client-secret "$rt_client_secret" --rt-redirect-uri "$rt_redirect_uri" \
      --username "$admin_email" --password "$admin_password"
    hash_json="$(dotnet "$work/hashcost/HashCost.dll" 210000 15)"
    log "one password hash: $hash_json"
    step node "$here/signin.mjs" --url "http://127.0.0.1:$ours_port" --pid "$ours_pid" --pg-pid "$pg_pid" \
      --client-id "$rt_client_id" --client-secret "$rt_client_secret" --redirect-uri "$rt_redirect_uri" \
      --scope "openid offline_access $scope" --username "$admin_email" --password "$admin_password" \
      --concurrency "$signin_concurrency" --duration "$signin_duration" --totp-samples "$totp_samples" --hash-json "$hash_json" \
      --out "$out/signin.json" >"$out/signin.md"
  fi
  stop_servers
done

node "$here/bench.mjs" report "$out/results.json" >>"$out/results.md"
if [ -f "$out/signin.md" ]; then
  { echo; cat "$out/signin.md"; } >>"$out/results.md"
fi
cat "$out/results.md"
log "results in $out"
