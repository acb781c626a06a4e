#!/usr/bin/env bash
# Routing decisions per second (JMH) at 64 workers and 1,000 functions, for every policy.
#   scripts/bench-router.sh [JMH options, e.g. -p policy=lalb -wi 1 -i 2]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP_FILE="$ROOT/benchmarks/target/bench-classpath.txt"
ensure_built "$CP_FILE"
exec java -cp "$ROOT/benchmarks/target/classes:$(cat "$CP_FILE")" org.openjdk.jmh.Main RouterBenchmark "$@"
