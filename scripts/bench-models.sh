#!/usr/bin/env bash
# Model load vs inference for every model of a repository (README, "Benchmarks").
#   scripts/bench-models.sh [--repo models] [--device AUTO|CPU|CUDA] [--loads 3] [--runs 20]
# Generate the repository first, e.g.:
#   scripts/make-models.sh --out models --archs resnet18,resnet50,mobilenet_v3_small,squeezenet1_1,densenet121
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
exec java -Xmx4g -cp "$CP" io.gpufaas.bench.ModelBenchmark "$@"
