#!/usr/bin/env bash
# Benchmark: expiry by retention of big storages, against the bare floor, in rounds (issue 14's goal: at most 1.5x
# the floor). Each round, a filesystem storage seeded with 10,000 backups and 1,000,000 WAL segments and S3Proxy with
# 10,000 backups and 100,000 segments; retention keep 1,000 expires 9,000 backups and 90% of the WAL, timed from
# publishing retention.requested.v1 to reading retention.completed.v1; beside it the same keys removed by
# find -delete and by aws s3 rm --recursive (the AWS CLI must be on the PATH), in alternating order.
# Usage: bench/expiry.sh [rounds=3] [backups=10000] [fs-segments=1000000] [s3-segments=100000; -1 skips S3Proxy]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar ] || [ ! -f resync-service/target/quarkus-app/quarkus-run.jar ] \
    || [ ! -d kafka-broker/target/kafka-libs ] || [ ! -f s3proxy-server/target/s3proxy/s3proxy.jar ]; then
  echo "building Stowage (skipping tests)..."
  ./mvnw -B -q -DskipTests install
fi
if ! command -v aws > /dev/null; then
  echo "the AWS CLI (aws) is not on the PATH: it is the S3 floor (pip install awscli, or apt-get install awscli)" >&2
  exit 1
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/stowage-bench-expiry.XXXXXX")"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1); $(aws --version 2>&1 | cut -d' ' -f1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx1g -Dstowage.kafka.jvm=server -Dstowage.kafka.libs="$PWD/kafka-broker/target/kafka-libs" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.stowage.bench.ExpiryBenchmark "${1:-3}" "${2:-10000}" "${3:-1000000}" "${4:-100000}" \
  resync-service/target/quarkus-app/quarkus-run.jar "$work"
