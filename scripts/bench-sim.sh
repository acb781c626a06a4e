#!/usr/bin/env bash
# Trace-driven simulation of every routing policy (README, "Benchmarks").
#   scripts/bench-sim.sh [--functions 35] [--gpus 4] [--gpu-memory-gb 16] [--minutes 30] [--start 600] [--compression 60] [--seed 1] [--trace FILE_inv.csv] [--single-slot]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
cd "$ROOT" && exec java -Xmx4g -cp "$CP" io.gpufaas.bench.SimulationBenchmark "$@"
