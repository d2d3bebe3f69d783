#!/usr/bin/env bash
# Runs the identity provider with the sample clients registered, the sample CRM and the sample API,
# together, until Ctrl-C stops all three:
#   samples/run.sh
# Then open http://localhost:5100 (the CRM); it sends you to the provider on http://localhost:5000
# to sign in. The API listens on http://localhost:5200.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build up front, one after another, so the three `dotnet run`s do not race to build shared files.
for project in src/IdentityProvider samples/Api samples/Crm; do
  dotnet build "$project" --nologo -v quiet -clp:NoSummary
done

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# An absolute path: `dotnet run` starts the app in its project directory.
dotnet run --no-build --project src/IdentityProvider -- --ClientsFile="$PWD/samples/clients.json" & pids+=($!)
# The CRM reads the provider's discovery document on its first sign-in; let the provider come up first.
for _ in $(seq 1 60); do
  curl -fs -o /dev/null http://localhost:5000/health/ready && break
  sleep 1
done
dotnet run --no-build --project samples/Api & pids+=($!)
dotnet run --no-build --project samples/Crm & pids+=($!)

echo "run.sh: identity provider http://localhost:5000, CRM http://localhost:5100, API http://localhost:5200 (Ctrl-C stops all three)"
# Whichever stops first (or Ctrl-C) stops the others.
wait -n
