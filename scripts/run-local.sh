#!/usr/bin/env bash
# Runs the gateway locally on embedded defaults: Azurite (data in .local/azurite), the bundled Libromi
# simulator when no real token is configured, and the standalone host. Ctrl+C stops everything it started.
#
#   bash scripts/run-local.sh
#
# To forward to the real Libromi instead of the simulator, export LIBROMI_API_TOKEN (and optionally
# LIBROMI_BASE_URL) first; SCENARIO_URL replaces the sample scenario's simulator URL with a real one. Ports: GATEWAY_PORT (7071), SIMULATOR_PORT (5080), Azurite 10000-10002.
set -euo pipefail
cd "$(dirname "$0")/.."

gateway_port=${GATEWAY_PORT:-7071}
simulator_port=${SIMULATOR_PORT:-5080}
state=.local
mkdir -p "$state/azurite" "$state/logs"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

wait_for_port() { # name port
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "$1 did not start on port $2; see $state/logs/$1.log" >&2
  exit 1
}

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
echo "Building..."
dotnet build Gateway.sln -c Debug -v quiet -nologo >"$state/logs/build.log" 2>&1 || { cat "$state/logs/build.log"; exit 1; }

node_modules/.bin/azurite --skipApiVersionCheck --loose --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --location "$state/azurite" >"$state/logs/azurite.log" 2>&1 &
pids+=($!)
wait_for_port azurite 10001

if [ -n "${LIBROMI_API_TOKEN:-}" ]; then
  libromi_url=${LIBROMI_BASE_URL:-https://wa-api.cloud/api/v1}
  libromi_token=$LIBROMI_API_TOKEN
  echo "Forwarding to Libromi at $libromi_url with the token from LIBROMI_API_TOKEN."
else
  libromi_url="http://127.0.0.1:$simulator_port/api/v1"
  libromi_token=dev-libromi-token
  Simulator__AdminTokens__0=$libromi_token Simulator__Staff__0=agent@example.com \
    dotnet run --no-build --project tests/Libromi.Simulator -- --urls "http://127.0.0.1:$simulator_port" >"$state/logs/simulator.log" 2>&1 &
  pids+=($!)
  wait_for_port simulator "$simulator_port"
fi

export AzureWebJobsStorage=UseDevelopmentStorage=true
export Libromi__BaseUrl=$libromi_url
export Libromi__ApiToken=$libromi_token
export Gateway__ApiKey=${GATEWAY_API_KEY:-dev-api-key}
export Gateway__AdminKey=${GATEWAY_ADMIN_KEY:-dev-admin-key}
export Gateway__IntegrationsFile=${Gateway__IntegrationsFile:-$PWD/functions/Gateway.Standalone/integrations.local.json}
# Development secrets of the sample integrations (docs/webhooks-walkthrough.md); never use these in production.
# Secret names contain dashes, which `export` refuses, hence env.
env "Gateway__Secrets__shop-webhook-secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" \
    "Gateway__Secrets__hubspot-client-secret=dev-hubspot-client-secret" \
    "Gateway__Secrets__pipedrive-webhook-password=dev-pipedrive-password" \
    "Gateway__Secrets__zapier-token=dev-zapier-token" \
    "Gateway__Secrets__github-webhook-secret=dev-github-secret" \
    "Scenarios__Definitions__order_confirmation__Secret=scenario-order-confirmation" \
    "Gateway__Secrets__scenario-order-confirmation=${SCENARIO_URL:-http://127.0.0.1:$simulator_port/scenarios/order-confirmation}" \
  dotnet run --no-build --project functions/Gateway.Standalone -- --urls "http://127.0.0.1:$gateway_port" >"$state/logs/gateway.log" 2>&1 &
pids+=($!)
wait_for_port gateway "$gateway_port"

base="http://127.0.0.1:$gateway_port"
cat <<INFO

Libromi Connect Gateway is running.
  Gateway:    $base/api         (API key: $Gateway__ApiKey, admin key: $Gateway__AdminKey)
  Health:     $base/api/health
  Libromi:    $libromi_url
  Logs:       $state/logs/

Try it:
  curl -s -X POST $base/api/contacts -H 'x-functions-key: $Gateway__ApiKey' \\
       -H 'Content-Type: application/json' \\
       -d '{"phone_number": "+44 7700 900123", "attributes": {"city": "Leeds"}}'
  # upsert and assign in one operation (they run in this order):
  curl -s -X POST $base/api/contacts -H 'x-functions-key: $Gateway__ApiKey' \\
       -H 'Content-Type: application/json' \\
       -d '{"phone_number": "+44 7700 900123", "attributes": {"tier": "gold"}, "staff_email": "agent@example.com"}'
  # a staff assignment on its own (the contact must exist in Libromi):
  curl -s -X POST $base/api/staff-assignments -H 'x-functions-key: $Gateway__ApiKey' \\
       -H 'Content-Type: application/json' \\
       -d '{"phone_number": "+44 7700 900123", "staff_email": "agent@example.com"}'
  # a WhatsApp template through the Libromi webhook scenario "order_confirmation" (docs/scenarios.md):
  curl -s -X POST $base/api/scenario-triggers -H 'x-functions-key: $Gateway__ApiKey' \\
       -H 'Content-Type: application/json' \\
       -d '{"scenario": "order_confirmation", "phone_number": "+91 98765 43210", "fields": {"name": "John", "order_id": "ORD-123"}}'
INFO
if [ -z "${LIBROMI_API_TOKEN:-}" ]; then
  cat <<INFO
  # what Libromi (the simulator) received, and the contact it now holds:
  curl -s http://127.0.0.1:$simulator_port/_simulator/requests
  curl -s http://127.0.0.1:$simulator_port/_simulator/contacts/447700900123
  # the bodies the sample scenario URL received:
  curl -s http://127.0.0.1:$simulator_port/_simulator/scenarios/order-confirmation
INFO
fi
echo
echo "Press Ctrl+C to stop."
wait
