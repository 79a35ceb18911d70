#!/usr/bin/env bash
# Installs what the production image runs with, in the current directory (package.json and
# package-lock.json): the root's dependencies only (no dev dependencies, no workspace: the sandbox stays
# out), then drops type declarations and source maps, which nothing reads at run time.
# Optional packages are left out too: Bull Board's validator lists TypeScript (20 MB) as an optional peer,
# and msgpackr's native unpacker, the only other one, has a JavaScript fallback BullMQ uses without it.
# The Dockerfile's runtime stage runs it; so can anyone who wants to see or measure that install.
set -euo pipefail
npm ci --omit=dev --omit=optional --workspaces=false --no-audit --no-fund --loglevel=error
find node_modules -type f \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' -o -name '*.map' \) -delete
npm cache clean --force --loglevel=error
