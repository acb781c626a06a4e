#!/usr/bin/env bash
# The scheduling evaluation grid: every policy over trace slices x seeds x working sets x fleets x
# offered utilisation, plus the whole day on 1,000 GPUs; writes docs/evaluation/grid.md and PNGs
# (README, "Performance"). --quick runs the README's subset (grid-quick.md) in about a minute.
#   scripts/bench-grid.sh [--quick] [--trace FILE] [--out docs/evaluation] [--threads N]
#       [--slices 12] [--seeds 3] [--loads 0.2,0.4,0.6,0.8,0.95,1.1] [--working-sets 35,100,350]
#       [--durations trace|model] [--eviction lru|lfu|gdsf] [--policies a,b] [--fleet-day true|false]
#       [--window FROM-TO]   (trace minutes the slices come from: one half to tune on, the other to report on)
#       [--rename TAG]       (TAG appended to every model's name: the same grid under another placement luck)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
cd "$ROOT" && exec java -Xmx12g -Djava.awt.headless=true -cp "$CP" io.gpufaas.bench.EvaluationGrid "$@"
