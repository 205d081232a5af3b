#!/usr/bin/env bash
# Benchmark: one change that moves the main storage of many clusters (every config file rewritten): per cluster, the
# time from its file's save to its fan-out being readable (read_committed). Real broker, the packaged config-service.
# Usage: bench/config-fanout-many.sh [clusters=1000] [config-service jar, to compare another build]
set -euo pipefail
cd "$(dirname "$0")/.."
clusters="${1:-1000}"
jar="${2:-config-service/target/quarkus-app/quarkus-run.jar}"
if [ ! -f benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar ] || [ ! -f config-service/target/quarkus-app/quarkus-run.jar ]; then
  echo "building Stowage (skipping tests)..."
  ./mvnw -B -q -DskipTests install
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"
exec java -Xmx256m -Dstowage.kafka.jvm=server -Dstowage.kafka.libs="$PWD/kafka-broker/target/kafka-libs" \
  -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
  io.stowage.bench.ConfigFanOutManyBenchmark "$clusters" "$jar"
