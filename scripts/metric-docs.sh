#!/usr/bin/env bash
# Regenerates docs/metrics.md's table from GpuFaasMetric (between the metric-table markers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_built "$ROOT/job/target/local-classpath.txt"
table=$(java -cp "$ROOT/job/target/classes:$(cat "$ROOT/job/target/local-classpath.txt")" io.gpufaas.job.MetricDocs)
TABLE="$table" python3 - "$ROOT/docs/metrics.md" <<'PY'
import os, sys
path = sys.argv[1]
text = open(path).read()
start, end = "<!-- metric-table:start -->\n", "<!-- metric-table:end -->"
i, j = text.index(start) + len(start), text.index(end)
open(path, "w").write(text[:i] + os.environ["TABLE"] + "\n" + text[j:])
PY
log "docs/metrics.md updated"
