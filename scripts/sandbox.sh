#!/usr/bin/env bash
# Starts the bot in its sandbox: Slack emulator, simulated cluster, embedded PostgreSQL and Redis
# unless DATABASE_URL / REDIS_URL are set, and a console. Pass --script FILE to play a script.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/ensure-deps.sh
exec node bin/eafix.js sandbox "$@"
