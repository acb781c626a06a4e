#!/usr/bin/env bash
# Routing decisions per second (JMH) at 64 workers and 1,000 functions, for every policy.
#   scripts/bench-router.sh [JMH options, e.g. -p policy=lalb -wi 1 -i 2]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
exec java -cp "$CP" org.openjdk.jmh.Main RouterBenchmark "$@"
