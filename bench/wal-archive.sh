#!/usr/bin/env bash
# Benchmark: continuous WAL archiving under write load (pgbench -c 4: TPC-B-like plus one bulk insert of 2,000 md5
# rows in ten transactions) on a pgbench scale-20 database, in one run:
# Stowage's backup-service to a filesystem storage and to S3Proxy over HTTP, beside PostgreSQL's pg_receivewal (lz4)
# to a local folder (the reference tool). Reports, per run, the time from a segment being complete in PostgreSQL
# (its flush position crossing the segment's end) to the segment being durable on the storage (p50/p90/p99/max),
# the WAL rate the load produced, and whether the latency grows over the run; then the highest rate each drains a
# backlog of WAL from its replication slot (MB/s).
# Usage: bench/wal-archive.sh [load-seconds=60] [backlog-MiB=2048]
set -euo pipefail
cd "$(dirname "$0")/.."
load="${1:-60}"
backlog="${2:-2048}"
if [ ! -f benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar ] || ! compgen -G "benchmarks/target/lib/postgresql-*.jar" >/dev/null \
    || [ ! -f backup-service/target/quarkus-app/quarkus-run.jar ] \
    || [ ! -d kafka-broker/target/kafka-libs ] || [ ! -f s3proxy-server/target/s3proxy/s3proxy.jar ]; then
  echo "building Stowage (skipping tests)..."
  ./mvnw -B -q -DskipTests install
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/stowage-bench-wal.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx512m -Dstowage.kafka.jvm=server -Dstowage.kafka.libs="$PWD/kafka-broker/target/kafka-libs" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.stowage.bench.WalArchiveBenchmark "$load" "$backlog" backup-service/target/quarkus-app/quarkus-run.jar "$work"
