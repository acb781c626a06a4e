#!/usr/bin/env bash
# Regenerates docs/configuration.md's table from GpuFaasOptions (between the config-table markers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_built "$ROOT/job/target/local-classpath.txt"
table=$(java -cp "$ROOT/job/target/classes:$(cat "$ROOT/job/target/local-classpath.txt")" io.gpufaas.job.ConfigDocs)
TABLE="$table" python3 - "$ROOT/docs/configuration.md" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path).read()
start, end = "<!-- config-table:start -->\n", "<!-- config-table:end -->"
i, j = text.index(start) + len(start), text.index(end)
open(path, "w").write(text[:i] + os.environ["TABLE"] + "\n" + text[j:])
PY
log "docs/configuration.md updated"
