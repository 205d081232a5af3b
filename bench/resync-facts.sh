#!/usr/bin/env bash
# Benchmark: catalog facts (wal.archived.v1) handled per second by resync-service, with 1 and with 3 instances, each
# run on a fresh broker: the facts are published as fast as a producer goes, to instances started and settled before,
# and timed from the first fact sent to the catalog holding every segment (read_committed).
# Usage: bench/resync-facts.sh [clusters=300] [segments=100] [partitions=3] [resync-service jar]
set -euo pipefail
cd "$(dirname "$0")/.."
clusters="${1:-300}"
segments="${2:-100}"
partitions="${3:-3}"
jar="${4:-resync-service/target/quarkus-app/quarkus-run.jar}"
if [ ! -f benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar ] || [ ! -f resync-service/target/quarkus-app/quarkus-run.jar ]; then
  echo "building Stowage (skipping tests)..."
  ./mvnw -B -q -DskipTests install
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for instances in 1 3; do
  java -Xmx256m -Dstowage.kafka.jvm=server -Dstowage.kafka.libs="$PWD/kafka-broker/target/kafka-libs" \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
    io.stowage.bench.ResyncFactsBenchmark "$instances" "$clusters" "$segments" "$jar" "$partitions" 2>&1 \
    | grep -v ' INFO '
done
