#!/usr/bin/env bash
# The simulator evaluation report (Markdown + PNG plots) (README, "Benchmarks").
#   scripts/bench-report.sh [--out docs/evaluation]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
CP_FILE="$ROOT/benchmarks/target/bench-classpath.txt"
ensure_built "$CP_FILE"
cd "$ROOT" && exec java -Xmx8g -Djava.awt.headless=true -cp "$ROOT/benchmarks/target/classes:$(cat "$CP_FILE")" io.gpufaas.bench.EvaluationReport "$@"
