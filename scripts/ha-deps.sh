#!/usr/bin/env bash
# Installs what the highly-available data store tests run: Redis Sentinel and PgBouncer (Debian packages),
# when they are missing. The tests start private instances on free loopback ports; the services the
# packages may start themselves are not used.
set -euo pipefail
missing=()
command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing ${missing[*]}: install them with your package manager (Debian/Ubuntu: apt-get install ${missing[*]})." >&2
  exit 1
fi
echo "Installing ${missing[*]} (apt-get)..." >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
"${sudo[@]}" apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
