#!/usr/bin/env bash
# Installs Debian's Prometheus and Alertmanager (promtool, prometheus, prometheus-alertmanager) when they are
# missing: the alert-rule unit tests and the alert-intake end-to-end test run the real binaries.
# Needs apt-get and root (or sudo); without them it says what to install and fails.
set -euo pipefail
missing=()
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Install ${missing[*]} (Debian/Ubuntu packages; promtool comes with prometheus)." >&2
  exit 1
fi
echo "Installing ${missing[*]} (apt-get)..." >&2
# The packages' services are not started: the tests run the binaries themselves.
printf '#!/bin/sh\nexit 101\n' >/tmp/eafix-policy-rc.d && chmod +x /tmp/eafix-policy-rc.d
if [ ! -e /usr/sbin/policy-rc.d ]; then
  "${sudo[@]}" cp /tmp/eafix-policy-rc.d /usr/sbin/policy-rc.d
  trap '"${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
  { "${sudo[@]}" apt-get update >&2 && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
