#!/usr/bin/env bash
# Debian's Prometheus and Alertmanager (promtool, prometheus, prometheus-alertmanager), where missing: the
# alert-rule unit tests and the alert-intake end-to-end test run the real binaries.
exec "$(dirname "$0")/debian-packages.sh" prometheus:promtool prometheus prometheus-alertmanager
