#!/usr/bin/env bash
# Runs every test against real PostgreSQL and Redis (local defaults, or TEST_DATABASE_URL /
# TEST_REDIS_URL; embedded stand-ins where they are absent). Last line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/ensure-deps.sh || exit 1
# Redis Sentinel and PgBouncer for the highly available data store tests (Debian packages).
./scripts/ha-deps.sh || exit 1
# promtool, prometheus and alertmanager for the alert tests (which fail, saying why, where this cannot install them).
./scripts/ensure-prometheus.sh || echo "Prometheus binaries missing: the alert tests will fail" >&2
rm -f test-results.json
npx vitest run "$@"
status=$?
node -e '
  const fs = require("node:fs");
  if (!fs.existsSync("test-results.json")) { console.log("0 passed, 1 failed"); process.exit(0); }
  const r = JSON.parse(fs.readFileSync("test-results.json", "utf8"));
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
  console.log(`${r.numPassedTests} passed, ${failed} failed`);
'
exit $status
