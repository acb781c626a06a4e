#!/usr/bin/env bash
# The simulator evaluation report (Markdown + PNG plots) (README, "Benchmarks").
#   scripts/bench-report.sh [--out docs/evaluation] [--trace FILE_inv.csv]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP="$(bench_classpath)"
cd "$ROOT" && exec java -Xmx8g -Djava.awt.headless=true -cp "$CP" io.gpufaas.bench.EvaluationReport "$@"
