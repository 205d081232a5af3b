#!/usr/bin/env bash
# Benchmark: time from a BackupConfig file being saved to the main-switch fan-out being readable by a
# read_committed consumer, over many switches, against a real broker and the packaged config-service.
# Usage: bench/config-fanout.sh [switches=120] [debounce=100ms]
set -euo pipefail
cd "$(dirname "$0")/.."
switches="${1:-120}"
debounce="${2:-100ms}"
if [ ! -f benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar ] || [ ! -f config-service/target/quarkus-app/quarkus-run.jar ]; then
  echo "building Stowage (skipping tests)..."
  ./mvnw -B -q -DskipTests install
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"
exec java -Xmx256m -Dstowage.kafka.jvm=server -Dstowage.kafka.libs="$PWD/kafka-broker/target/kafka-libs" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.stowage.bench.ConfigFanOutBenchmark "$switches" config-service/target/quarkus-app/quarkus-run.jar "$debounce"
