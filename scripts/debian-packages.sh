#!/usr/bin/env bash
# Installs the Debian packages whose command is missing. Arguments: `package[:command]` (the command defaults to
# the package's name; an absolute path is checked as a file). Needs apt-get and root (or sudo); without them it
# says what to install and fails. The packages' services are not started: the project runs the binaries itself.
set -euo pipefail
missing=()
for spec in "$@"; do
  package=${spec%%:*}
  command=${spec#*:}
  if [[ $command == /* ]]; then present() { [ -x "$command" ]; }; else present() { command -v "$command" >/dev/null 2>&1; }; fi
  present || [[ " ${missing[*]-} " == *" $package "* ]] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing ${missing[*]}: install them with your package manager (Debian/Ubuntu: apt-get install ${missing[*]})." >&2
  exit 1
fi
echo "Installing ${missing[*]} (apt-get)..." >&2
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
printf '#!/bin/sh\nexit 101\n' >/tmp/eafix-policy-rc.d && chmod +x /tmp/eafix-policy-rc.d
if [ ! -e /usr/sbin/policy-rc.d ]; then
  "${sudo[@]}" cp /tmp/eafix-policy-rc.d /usr/sbin/policy-rc.d
  trap '"${sudo[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
fi
install() { DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }
install || { "${sudo[@]}" apt-get update -qq >&2 && install; }
