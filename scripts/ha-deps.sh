#!/usr/bin/env bash
# Redis Sentinel and PgBouncer for the highly-available data store tests, where missing. The tests start
# private instances on free loopback ports; the packages' own services are not used.
exec "$(dirname "$0")/debian-packages.sh" redis-sentinel pgbouncer:/usr/sbin/pgbouncer
