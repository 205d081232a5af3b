#!/usr/bin/env bash
# The fault soak of issue 13, long form: system-tests' SoakIT with as many injections as asked (default 1000). Each
# round requests a backup (to a filesystem and an S3 storage) or a restore drill into a new instance while WAL is
# archived under pgbench (a fixed rate), injects one fault at a random moment (kill -9 of a service, the broker or S3Proxy
# stopped and started, the main storage's folder made unwritable, the database restarted), then checks the
# invariants. It prints the counts (injections, backups, restores, checks, violations) and the seed that replays it.
# The suite runs the same class with 6 injections.
# Usage: bench/soak.sh [injections=1000] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
injections="${1:-1000}"
seed="${2:-$(( (RANDOM << 30) | (RANDOM << 15) | RANDOM ))}"
seed_option=("-Dstowage.soak.seed=$seed")
log="${TMPDIR:-/tmp}/stowage-soak-$(date +%Y%m%d-%H%M%S).log"
progress="${log%.log}.progress"
echo "soak: $injections injections, seed $seed; log $log; a line per round in $progress"
# Only SoakIT runs: an earlier run's failsafe summary in another module would fail this one's verify.
rm -f ./*/target/failsafe-reports/failsafe-summary.xml
set +e
./mvnw -B -pl system-tests -am verify -Dtest=none -Dit.test=SoakIT "-Dstowage.soak.injections=$injections" \
    "${seed_option[@]}" "-Dstowage.soak.progress=$progress" -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dfailsafe.timeout=0 >"$log" 2>&1
status=$?
set -e
grep -h "SOAK" "$log" system-tests/target/failsafe-reports/*SoakIT-output.txt 2>/dev/null | grep -E "seed|result|VIOLATION|HARNESS" | sort -u
exit $status
