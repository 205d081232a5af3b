#!/usr/bin/env bash
# Benchmark: base backups of one generated database (pgbench plus random md5 text, about 1.3 GB by default), each
# timed wall-clock in one run: pg_basebackup -Ft --compress=client-zstd:1 to a local folder (the floor); Stowage's
# backup-service to a filesystem storage, to S3Proxy over HTTP, over HTTPS, and to filesystem + S3 at once; and, when
# Debian's pgbackrest is installed, pgBackRest (zstd 1, process-max 2) to the same HTTPS S3Proxy. Samples
# backup-service's heap (-Xmx256m) during its runs and reads CPU seconds per component from /proc.
# Usage: bench/base-backup.sh [scale-GB=1.3]
# Environment: STOWAGE_BENCH_ATTEMPTS (attempts per run, default 3; the best counts), STOWAGE_BENCH_ZSTD_WORKERS
#   (backup-service zstd-workers settings to try, default 0,1,2), STOWAGE_BENCH_OPTS (more JVM options for the
#   benchmark program, e.g. -Dstowage.bench.jfr-dir=/tmp/jfr for a JFR profile of backup-service per Stowage run)
set -euo pipefail
cd "$(dirname "$0")/.."
gb="${1:-1.3}"
attempts="${STOWAGE_BENCH_ATTEMPTS:-3}"
workers="${STOWAGE_BENCH_ZSTD_WORKERS:-0,1,2}"
if [ ! -f benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar ] || ! compgen -G "benchmarks/target/lib/zstd-jni-*.jar" >/dev/null \
    || [ ! -f backup-service/target/quarkus-app/quarkus-run.jar ] \
    || [ ! -d kafka-broker/target/kafka-libs ] || [ ! -f s3proxy-server/target/s3proxy/s3proxy.jar ]; then
  echo "building Stowage (skipping tests)..."
  ./mvnw -B -q -DskipTests install
fi
if ! command -v pgbackrest >/dev/null; then
  echo "note: pgbackrest is not installed, so its row is skipped (apt-get install -y pgbackrest to compare)"
fi
# The program removes its work directory when it ends; this covers Ctrl-C and crashes too. Bash runs the trap once
# java has exited, after java's own shutdown hooks have stopped PostgreSQL, S3Proxy, the broker and backup-service.
work="$(mktemp -d "${TMPDIR:-/tmp}/stowage-bench-backup.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx512m -Dstowage.kafka.jvm=server -Dstowage.kafka.libs="$PWD/kafka-broker/target/kafka-libs" \
  -Dstowage.bench.attempts="$attempts" -Dstowage.bench.zstd-workers="$workers" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager ${STOWAGE_BENCH_OPTS:-} \
  -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.stowage.bench.BaseBackupBenchmark "$gb" backup-service/target/quarkus-app/quarkus-run.jar "$work"
