#!/usr/bin/env bash
# One cell of the evaluation grid, taken apart (docs/benchmarks.md's diagnoses): each policy's mean
# and p99, per function, per arrival window, and one policy's dispatches and loads. Markdown on stdout.
#   scripts/bench-cell.sh --start MINUTE [--trace FILE_inv.csv] [--seed 1] [--functions 35]
#       [--fleet 4x2.5] [--load 0.6] [--policies demand,round-robin,least-loaded] [--window-ms 1000]
#       [--log demand] [--hot 2] [--durations trace|model] [--rename TAG] (bench-grid.sh's)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
cd "$ROOT" && exec java -Xmx4g -cp "$CP" io.gpufaas.bench.CellReport "$@"
