#!/usr/bin/env bash
# The simulator's speed at fleet scale (docs/benchmarks.md): the whole trace on 1,000 GPUs, each
# policy alone on one thread after a warm-up run, in million simulated events per second.
#   scripts/bench-sim-speed.sh [--trace FILE_inv.csv] [--loads 0.2,0.6,0.95] [--policies a,b] [--runs 2]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
# A fixed heap (-Xms = -Xmx), as Flink starts a TaskManager's JVM: with a heap that grows and
# shrinks, every run touched memory the collector had handed back, and the kernel's zeroing of those
# pages (a tenth of the timed thread's samples) was counted as the simulator's time.
cd "$ROOT" && exec java -Xms8g -Xmx8g -cp "$CP" io.gpufaas.bench.SimulatorThroughput "$@"
