#!/usr/bin/env bash
# Cache miss vs hit latency through the worker (README, "Benchmarks").
#   scripts/bench-cache.sh [--repo models] [--device AUTO|CPU|CUDA] [--rounds 3] [--hits 10]
# Generate the repository first, e.g.:
#   scripts/make-models.sh --out models --archs resnet18,resnet50,mobilenet_v3_small,squeezenet1_1,densenet121
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
exec java -Xmx4g -cp "$CP" io.gpufaas.bench.CacheBenchmark "$@"
