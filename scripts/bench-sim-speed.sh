#!/usr/bin/env bash
# The simulator's speed at fleet scale (docs/benchmarks.md): the whole trace on 1,000 GPUs, each
# policy alone on one thread after a warm-up run, in million simulated events per second.
#   scripts/bench-sim-speed.sh [--trace FILE_inv.csv] [--loads 0.2,0.6,0.95] [--policies a,b] [--runs 2]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
cd "$ROOT" && exec java -Xmx8g -cp "$CP" io.gpufaas.bench.SimulatorThroughput "$@"
