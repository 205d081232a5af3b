#!/usr/bin/env bash
# Benchmark: resyncs of big storages. A filesystem storage seeded with 10,000 backups and 1,000,000 WAL segment
# objects, and S3Proxy with 10,000 backups and 100,000 segments; for each, a full resync into an empty catalog and a
# resync that finds no change, timed from publishing resync.requested.v1 to reading its outcome, with resync-service
# (packaged, -Xmx256m) heap sampled; beside them the floor, the bare listing (find; the AWS SDK's ListObjectsV2).
# Usage: bench/resync.sh [backups=10000] [fs-segments=1000000] [s3-segments=100000; -1 skips S3Proxy]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar ] || [ ! -f resync-service/target/quarkus-app/quarkus-run.jar ] \
    || [ ! -d kafka-broker/target/kafka-libs ] || [ ! -f s3proxy-server/target/s3proxy/s3proxy.jar ]; then
  echo "building Stowage (skipping tests)..."
  ./mvnw -B -q -DskipTests install
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/stowage-bench-resync.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx512m -Dstowage.kafka.jvm=server -Dstowage.kafka.libs="$PWD/kafka-broker/target/kafka-libs" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.stowage.bench.ResyncBenchmark "${1:-10000}" "${2:-1000000}" "${3:-100000}" \
  resync-service/target/quarkus-app/quarkus-run.jar "$work"
