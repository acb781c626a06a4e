#!/usr/bin/env bash
# Regenerates docs/configuration.md's table from GpuFaasOptions (between the config-table markers).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_built "$ROOT/job/target/local-classpath.txt"
replace_generated "$ROOT/docs/configuration.md" config-table \
  "$(java -cp "$ROOT/job/target/classes:$(cat "$ROOT/job/target/local-classpath.txt")" io.gpufaas.job.ConfigDocs)"
log "docs/configuration.md updated"
