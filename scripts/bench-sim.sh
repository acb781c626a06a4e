#!/usr/bin/env bash
# Trace-driven simulation of every routing policy (README, "Benchmarks").
#   scripts/bench-sim.sh [--functions 35] [--gpus 4] [--gpu-memory-gb 16] [--minutes 30] [--start 600] [--compression 60] [--seed 1]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP_FILE="$ROOT/benchmarks/target/bench-classpath.txt"
ensure_built "$CP_FILE"
cd "$ROOT" && exec java -Xmx4g -cp "$ROOT/benchmarks/target/classes:$(cat "$CP_FILE")" io.gpufaas.bench.SimulationBenchmark "$@"
