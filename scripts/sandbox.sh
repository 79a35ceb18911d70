#!/usr/bin/env bash
# Starts the bot in its sandbox: Slack emulator, simulated cluster, embedded PostgreSQL and Redis
# unless DATABASE_URL / REDIS_URL are set, and a console. Pass --script FILE to play a script.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/ensure-deps.sh
# Without REDIS_URL the sandbox runs a private redis-server.
[ -n "${REDIS_URL:-}" ] || ./scripts/debian-packages.sh redis-server
exec node bin/eafix.js sandbox "$@"
