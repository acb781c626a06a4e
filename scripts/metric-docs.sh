#!/usr/bin/env bash
# Regenerates docs/metrics.md's table from GpuFaasMetric (between the metric-table markers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_built "$ROOT/job/target/local-classpath.txt"
replace_generated "$ROOT/docs/metrics.md" metric-table \
  "$(java -cp "$ROOT/job/target/classes:$(cat "$ROOT/job/target/local-classpath.txt")" io.gpufaas.job.MetricDocs)"
log "docs/metrics.md updated"
