#!/usr/bin/env bash
# Installs the project's npm dependencies (the root's and the packages/sandbox workspace's) when they are
# missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.eafix-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing dependencies (npm install, from package-lock.json)..." >&2
  # Not `npm ci`: the registry mirror lacks some other platforms' optional prebuilt packages, which
  # `npm ci` refuses to skip. `npm install` keeps the locked versions and skips what does not apply.
  npm install --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
