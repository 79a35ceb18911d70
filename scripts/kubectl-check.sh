#!/usr/bin/env bash
# Runs the real kubectl (KUBECTL, default: kubectl on PATH) against the sandbox's simulated cluster
# over HTTPS with a bearer token, and compares exit codes and key output with a real API server's.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || ./scripts/ensure-deps.sh
exec node_modules/.bin/tsx packages/sandbox/src/cluster/run-kubectl-check.ts
