#!/usr/bin/env bash
# Replays a slice of the Azure trace through the real job once per policy, with the simulator's
# prediction beside it (README, "Benchmarks"). Generates its model repository on first use.
#   scripts/bench-replay.sh [--repo work/replay-models] [--workers 4] [--budget-mb 60] [--minutes 10] [--compression 10] [--max 300] [--out docs/evaluation] [--trace FILE_inv.csv]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
if [[ " $* " != *" --repo "* && ! -d "$ROOT/work/replay-models" ]]; then
  "$ROOT/scripts/make-models.sh" --out "$ROOT/work/replay-models" --count 8 \
    --archs squeezenet1_1,mobilenet_v3_small,shufflenet_v2_x1_0,resnet18 >&2
fi
cd "$ROOT" && exec java "${FLINK_ADD_OPENS[@]}" -Xmx6g -Dlog4j2.configurationFile="$ROOT/benchmarks/src/main/resources/log4j2.properties" \
  -cp "$CP" io.gpufaas.bench.ReplayBenchmark "$@"
