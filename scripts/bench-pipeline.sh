#!/usr/bin/env bash
# The service path against a plain Flink Kafka pipeline, in one run on one embedded broker:
# passthrough vs echo vs a tiny TorchScript model vs 100 KB images; client latency at several
# offered rates and a burst. Writes docs/pipeline.md and docs/pipeline-latency.png (README).
#   scripts/bench-pipeline.sh [--rates 50,500,2000] [--seconds 20] [--burst 20000] [--out docs]
#       [--scenarios passthrough,echo,tiny-mlp,images-100kb] [--job "--gpufaas.router.slots-per-worker 8"]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
cd "$ROOT" && exec java "${FLINK_ADD_OPENS[@]}" -Xmx4g -Djava.awt.headless=true \
  -Dlog4j2.configurationFile="$ROOT/benchmarks/src/main/resources/log4j2.properties" \
  -cp "$CP" io.gpufaas.bench.PipelineBenchmark "$@"
