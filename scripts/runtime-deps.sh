#!/usr/bin/env bash
# Installs what the production image runs with, in the current directory (package.json and
# package-lock.json): the root's dependencies only (no dev dependencies, no workspace: the sandbox stays
# out), then drops type declarations and source maps, which nothing reads at run time.
# Optional packages are left out too: Bull Board's validator lists TypeScript (20 MB) as an optional peer,
# and msgpackr's native unpacker, the only other one, has a JavaScript fallback BullMQ uses without it.
# The Dockerfile's runtime stage runs it; so can anyone who wants to see or measure that install.
set -euo pipefail
npm ci --omit=dev --omit=optional --workspaces=false --no-audit --no-fund --loglevel=error
# Report charts render with @resvg/resvg-js, whose native renderer is an optional per-platform package that
# --omit=optional leaves out: add this platform's one, at the version the lock file pins.
resvg_binding=$(node -p "const v = require('./package-lock.json').packages['node_modules/@resvg/resvg-js'].version;
  const libc = process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl';
  '@resvg/resvg-js-' + process.platform + '-' + process.arch + (process.platform === 'linux' ? '-' + libc : '') + '@' + v")
npm install --no-save --omit=dev --omit=optional --workspaces=false --no-audit --no-fund --loglevel=error "$resvg_binding"
find node_modules -type f \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' -o -name '*.map' \) -delete
npm cache clean --force --loglevel=error
