#!/usr/bin/env bash
# Benchmark: restores of one base backup of the generated database (the one bench/base-backup.sh backs up, about
# 1.3 GB by default), each timed wall-clock, in interleaved rounds: zstd -dc base.tar.zst | tar -x of the stored
# object (the floor); Stowage's restore-service to a new instance from a filesystem storage and from S3Proxy over
# HTTPS, from publishing restore.requested.v1 to reading restore.completed.v1, with its fetch and verify steps apart;
# and, when pgbackrest is installed, pgBackRest's restore (process-max 2) from the same S3Proxy, then the copy started
# until promoted. Samples restore-service's heap (-Xmx256m) and reads CPU seconds per component from /proc.
# Usage: bench/restore.sh [scale-GB=1.3]
# Environment: STOWAGE_BENCH_ATTEMPTS (rounds, default 3), STOWAGE_BENCH_OPTS (more JVM options for the program)
set -euo pipefail
cd "$(dirname "$0")/.."
gb="${1:-1.3}"
attempts="${STOWAGE_BENCH_ATTEMPTS:-3}"
if [ ! -f benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar ] || ! compgen -G "benchmarks/target/lib/zstd-jni-*.jar" >/dev/null \
    || [ ! -f backup-service/target/quarkus-app/quarkus-run.jar ] || [ ! -f resync-service/target/quarkus-app/quarkus-run.jar ] \
    || [ ! -f restore-service/target/quarkus-app/quarkus-run.jar ] \
    || [ ! -d kafka-broker/target/kafka-libs ] || [ ! -f s3proxy-server/target/s3proxy/s3proxy.jar ]; then
  echo "building Stowage (skipping tests)..."
  ./mvnw -B -q -DskipTests install
fi
for tool in zstd tar; do
  command -v "$tool" >/dev/null || { echo "$tool is needed for the floor row" >&2; exit 1; }
done
if ! command -v pgbackrest >/dev/null; then
  echo "note: pgbackrest is not installed, so its rows are skipped (apt-get install -y pgbackrest to compare)"
fi
# The program stops what it started and removes its work directory when it ends. This covers Ctrl-C and crashes too:
# restored copies run detached from the program (pg_ctl daemonizes them), so any server still running on a data
# directory under the work directory is stopped (fast shutdown), and any process still naming the work directory
# (a service, S3Proxy, the broker) is ended, before the directory goes.
work="$(mktemp -d "${TMPDIR:-/tmp}/stowage-bench-restore.XXXXXX")"
cleanup() {
  local pids=() pid f
  while IFS= read -r f; do
    pid="$(head -1 "$f" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -INT "$pid" 2>/dev/null; then pids+=("$pid"); fi
  done < <(find "$work" -maxdepth 4 -name postmaster.pid 2>/dev/null)
  local procs
  procs="$(ps -eo pid=,args=)"
  for pid in $(awk -v w="$work" 'index($0, w) {print $1}' <<<"$procs"); do
    [ "$pid" != "$$" ] && kill "$pid" 2>/dev/null && pids+=("$pid") || true
  done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx512m -Dstowage.kafka.jvm=server -Dstowage.kafka.libs="$PWD/kafka-broker/target/kafka-libs" \
  -Dstowage.bench.attempts="$attempts" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager ${STOWAGE_BENCH_OPTS:-} \
  -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.stowage.bench.RestoreBenchmark "$gb" "$PWD" "$work"
